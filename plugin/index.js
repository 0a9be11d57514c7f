// OpenClaw provider plugin for the Higress AI gateway: installed by `higress-claw openclaw
// install`, or from npm (`openclaw plugins install @higress-claw/higress-plugin`), which
// also brings the higress-claw binary through the `higress-claw` package.
//
// Plain ESM with no import from `openclaw`, so it loads on every OpenClaw from 2026.3.24
// on (the `openclaw/plugin-sdk` barrel was removed in 2026.8.1). The provider `higress`
// speaks the OpenAI chat-completions API at `<gateway>/v1`; models are referenced as
// `higress/<id>`, e.g. `higress/auto` for the gateway's auto-routing.

import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { delimiter, dirname } from "node:path";

const PROVIDER = "higress";
const DEFAULT_GATEWAY = "http://127.0.0.1:8080/v1";
const ENV_KEY = "HIGRESS_API_KEY";
const ZERO_COST = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
// The gateway's model-router acts only on exactly the model name `higress/auto`. The entry
// is listed with id `auto` (ref `higress/auto`, as `higress-claw openclaw setup` writes it)
// and `normalizeResolvedModel` restores the full name before a request goes out.
const AUTO = "higress/auto";
const AUTO_ID = "auto";
const AUTO_MODEL = { id: AUTO_ID, name: "Higress auto-routing", reasoning: false, input: ["text"], cost: ZERO_COST, contextWindow: 128000, maxTokens: 8192 };

// The platform packages of the `higress-claw` npm package (its optionalDependencies).
const PLATFORM_PACKAGES = {
  "darwin arm64": "@higress-claw/darwin-arm64",
  "darwin x64": "@higress-claw/darwin-x64",
  "linux arm64": "@higress-claw/linux-arm64",
  "linux x64": "@higress-claw/linux-x64",
  "win32 x64": "@higress-claw/win32-x64",
};

/// The higress-claw binary: the one the npm install brought (the platform package npm
/// chose, resolved from this plugin or from the `higress-claw` package, since OpenClaw
/// runs no install script), else `higress-claw` on PATH.
export function clawBinary() {
  const pkg = PLATFORM_PACKAGES[`${process.platform} ${process.arch}`];
  const exe = process.platform === "win32" ? "higress-claw.exe" : "higress-claw";
  if (pkg) {
    const here = createRequire(import.meta.url);
    const resolvers = [() => here, () => createRequire(here.resolve("higress-claw/package.json"))];
    for (const resolver of resolvers) {
      try {
        return resolver().resolve(`${pkg}/bin/${exe}`);
      } catch {
        // Not installed this way.
      }
    }
  }
  return "higress-claw";
}

/// Puts the bundled binary's folder at the end of PATH, so the skills' `higress-claw`
/// commands work in the agent's shell; one already on PATH comes first.
function exposeBinary() {
  const bin = clawBinary();
  if (bin === "higress-claw") return;
  const dir = dirname(bin);
  const path = process.env.PATH || "";
  if (!path.split(delimiter).includes(dir)) process.env.PATH = path ? `${path}${delimiter}${dir}` : dir;
}

/// `higress/<id>`, the name OpenClaw gives a model of this provider.
function ref(id) {
  return id.startsWith(`${PROVIDER}/`) ? id : `${PROVIDER}/${id}`;
}

/// A model we know nothing about claims nothing: text only, no reasoning.
function plainModel(id) {
  return { id, name: id, reasoning: false, input: ["text"], cost: ZERO_COST, contextWindow: 128000, maxTokens: 8192 };
}

/// OpenClaw's model entry from one `higress-claw models --json` model.
function fromClaw(m) {
  return {
    id: m.id,
    name: m.name || m.id,
    reasoning: Boolean(m.reasoning),
    input: Array.isArray(m.input) && m.input.length ? m.input : ["text"],
    cost: ZERO_COST,
    contextWindow: m.context_window || 128000,
    maxTokens: m.max_tokens || 8192,
  };
}

/// `http://host:8080` → `http://host:8080/v1`; an empty answer keeps the default. The
/// path is only added when none is given, so it is never doubled.
export function normalizeGatewayUrl(value) {
  const text = String(value ?? "").trim().replace(/\/+$/, "");
  if (!text) return DEFAULT_GATEWAY;
  const withScheme = /^https?:\/\//i.test(text) ? text : `http://${text}`;
  const url = new URL(withScheme);
  if (url.pathname === "" || url.pathname === "/") url.pathname = "/v1";
  return url.toString().replace(/\/+$/, "");
}

/// Asks `higress-claw models --json` what the local gateway serves; null when there is no
/// binary or it fails.
function clawModels() {
  return new Promise((resolve) => {
    execFile(clawBinary(), ["models", "--json"], { timeout: 10000 }, (error, stdout) => {
      if (error) return resolve(null);
      try {
        const report = JSON.parse(stdout);
        const models = [];
        if (report.auto_routing && report.auto_routing.enabled) models.push(AUTO_MODEL);
        for (const provider of report.providers || []) {
          for (const m of provider.models || []) {
            if (!models.some((x) => x.id === m.id)) models.push(fromClaw(m));
          }
        }
        resolve({ models, defaultModel: report.auto_routing?.enabled ? AUTO_ID : models[0]?.id });
      } catch {
        resolve(null);
      }
    });
  });
}

function configured(config) {
  return config?.models?.providers?.[PROVIDER];
}

function providerConfig(gatewayUrl, models, apiKey) {
  return {
    baseUrl: normalizeGatewayUrl(gatewayUrl),
    api: "openai-completions",
    ...(apiKey ? { apiKey } : {}),
    models: models.length ? models : [AUTO_MODEL],
  };
}

/// The interactive login: `openclaw models auth login --provider higress`.
async function login(ctx) {
  const existing = configured(ctx.config);
  const gatewayUrl = normalizeGatewayUrl(
    await ctx.prompter.text({
      message: "Higress gateway URL",
      initialValue: existing?.baseUrl || DEFAULT_GATEWAY,
      validate: (v) => {
        try {
          normalizeGatewayUrl(v);
          return undefined;
        } catch {
          return "Enter a URL such as http://127.0.0.1:8080/v1";
        }
      },
    }),
  );
  const apiKey = String(
    (await ctx.prompter.text({ message: "API key (leave empty when the gateway has no auth)", sensitive: true })) ?? "",
  ).trim();
  const discovered = await clawModels();
  const known = new Map((discovered?.models || []).map((m) => [m.id, m]));
  const suggestion = discovered?.models.map((m) => m.id).join(",") || (existing?.models || []).map((m) => m.id).join(",") || AUTO_ID;
  const answer = await ctx.prompter.text({
    message: discovered ? "Models (from `higress-claw models`; comma-separated)" : "Models the gateway serves (comma-separated)",
    initialValue: suggestion,
    validate: (v) => (String(v ?? "").split(",").some((m) => m.trim()) ? undefined : "Name at least one model"),
  });
  // `higress/auto` (the ref) and `auto` (the id) both name the auto-router.
  const ids = [...new Set(String(answer).split(",").map((m) => m.trim()).filter(Boolean).map((m) => (m === AUTO ? AUTO_ID : m)))];
  const models = ids.map((id) => known.get(id) || (id === AUTO_ID ? AUTO_MODEL : plainModel(id)));
  const defaultModel = String(
    (await ctx.prompter.text({
      message: `Default model (${AUTO_ID} = the gateway's auto-routing, ${AUTO})`,
      initialValue: ids.includes(discovered?.defaultModel) ? discovered.defaultModel : ids[0],
      validate: (v) => (ids.includes(String(v ?? "").trim()) ? undefined : `Pick one of: ${ids.join(", ")}`),
    })) ?? ids[0],
  ).trim();
  return {
    profiles: apiKey ? [{ profileId: `${PROVIDER}:default`, credential: { type: "api_key", provider: PROVIDER, key: apiKey } }] : [],
    configPatch: {
      models: { providers: { [PROVIDER]: providerConfig(gatewayUrl, models) } },
      plugins: { entries: { [PROVIDER]: { config: { gatewayUrl, defaultModel } } } },
    },
    defaultModel: ref(defaultModel),
    notes: ["OpenClaw applies the change without a gateway restart."],
  };
}

/// `openclaw onboard --non-interactive --auth-choice higress-api-key [--higress-api-key K] [--custom-base-url URL]`.
async function onboard(ctx) {
  const resolved = await ctx.resolveApiKey({
    provider: PROVIDER,
    flagValue: ctx.opts?.higressApiKey,
    flagName: "--higress-api-key",
    envVar: ENV_KEY,
  });
  const discovered = await clawModels();
  const existing = configured(ctx.config);
  const gatewayUrl = ctx.opts?.customBaseUrl || existing?.baseUrl;
  const models = discovered?.models?.length ? discovered.models : existing?.models || [];
  const defaultModel = discovered?.defaultModel || models[0]?.id || AUTO_ID;
  const defaults = ctx.config?.agents?.defaults || {};
  const model = typeof defaults.model === "object" && defaults.model ? defaults.model : {};
  return {
    ...ctx.config,
    models: {
      ...ctx.config?.models,
      providers: { ...ctx.config?.models?.providers, [PROVIDER]: providerConfig(gatewayUrl, models, resolved?.key) },
    },
    agents: { ...ctx.config?.agents, defaults: { ...defaults, model: { ...model, primary: ref(defaultModel) } } },
  };
}

export default {
  id: PROVIDER,
  name: "Higress AI Gateway",
  description: "Higress AI gateway as an OpenAI-compatible model provider",
  register(api) {
    exposeBinary();
    api.registerProvider({
      id: PROVIDER,
      label: "Higress AI Gateway",
      envVars: [ENV_KEY],
      auth: [
        {
          id: "api-key",
          label: "Higress gateway URL, key and models",
          hint: "The gateway `higress-claw start` runs",
          kind: "api_key",
          starterModel: AUTO,
          wizard: { choiceId: "higress-api-key", choiceLabel: "Higress AI Gateway", groupId: PROVIDER, groupLabel: "Higress", methodId: "api-key" },
          run: login,
          // The gateway needs no key by default, so non-interactive setup always applies.
          validateNonInteractive: async () => true,
          runNonInteractive: onboard,
        },
      ],
      // Any higress/<model> works, also ones not listed in the config. OpenClaw splits
      // `higress/auto` into provider and `auto`; the listed entry may have either id (the
      // upstream plugin listed `higress/auto`), so it is looked up under both names.
      resolveDynamicModel: (ctx) => {
        const listed = ctx.providerConfig?.models || configured(ctx.config)?.models || [];
        const found = listed.find((m) => m.id === ctx.modelId || m.id === ref(ctx.modelId));
        const model = found || (ref(ctx.modelId) === AUTO ? AUTO_MODEL : plainModel(ctx.modelId));
        return {
          ...plainModel(model.id),
          ...model,
          provider: PROVIDER,
          api: "openai-completions",
          baseUrl: normalizeGatewayUrl(ctx.providerConfig?.baseUrl || configured(ctx.config)?.baseUrl),
        };
      },
      // The auto-router's entry has id `auto`; the gateway's model-router only recognises
      // the full name, so restore it last.
      normalizeResolvedModel: ({ model }) => (model && model.id === "auto" ? { ...model, id: AUTO } : undefined),
      staticCatalog: { order: "simple", run: async () => ({ provider: providerConfig(DEFAULT_GATEWAY, [AUTO_MODEL]) }) },
      catalog: {
        order: "simple",
        run: async (ctx) => {
          const existing = configured(ctx.config);
          if (!existing) return null;
          return { provider: providerConfig(existing.baseUrl, existing.models || []) };
        },
      },
    });
  },
};
