//! Higress's own ai-proxy and ai-statistics plugins (compiled wasm, from the PyPI
//! package gpustack-higress-plugins) run on the folders higress-claw writes, in a
//! proxy-wasm host on wasmtime (`tests/proxy_wasm/`): does the plugin accept the
//! configuration, and does each request leave for the provider's real host, path
//! and credential, on the host our McpBridge registry points at?
//!
//! Without the package the tests skip (and say so on stderr) outside CI, and fail
//! under CI=true. `PROXY_WASM_LOG=1` prints every plugin log line.

mod proxy_wasm;
mod support;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use proxy_wasm::Gateway;
use proxy_wasm::chain::{Outcome, Response};
use proxy_wasm::gateway::{chat_body, messages_body, registry_for};
use proxy_wasm::host::{HttpCall, HttpCallResponse};
use serde_json::Value;
use support::bin;

/// Where a provider expects its credential.
#[derive(Clone, Copy, Debug)]
enum Key {
    /// `authorization: Bearer <key>`.
    Bearer,
    /// `authorization: <prefix><key>` (`DeepL-Auth-Key `; empty: the key as is).
    Auth(&'static str),
    /// The key as is in this header (`x-api-key`, `api-key`, `x-goog-api-key`).
    Header(&'static str),
    /// `?<name>=<key>` on the path.
    Query(&'static str),
    /// AWS Signature V4 with the access key: `authorization: AWS4-HMAC-SHA256
    /// Credential=<access key>/…` and `x-amz-date`.
    SigV4,
    /// Tencent Cloud TC3: `authorization: TC3-HMAC-SHA256 Credential=<secret id>/…`.
    Tc3,
    /// The OAuth access token from the (scripted) token service, as Bearer.
    OAuth,
    /// No credential at all (a provider that takes none, or a key left out).
    None,
}

/// Where the requested model goes upstream.
#[derive(Clone, Copy, Debug, PartialEq)]
enum ModelIn {
    Body,
    Path,
    /// Not sent: the provider picks it from the key (a Dify app) or has none (DeepL
    /// plans are endpoints).
    Nowhere,
}

/// One provider in one mode: the flags that configure it, a model of it, and what
/// the provider's API wants for a chat request.
struct Case {
    /// What the report calls it: provider id, then the mode.
    name: &'static str,
    /// The provider id (`ai-route-<id>.internal`).
    id: &'static str,
    /// In the folder with every provider (one mode per provider), else in a folder
    /// of its own.
    full: bool,
    flags: &'static [&'static str],
    /// The key(s) the flags give; checked where `key` says.
    secret: &'static str,
    model: &'static str,
    authority: &'static str,
    path: &'static str,
    key: Key,
    model_in: ModelIn,
}

const SA_FILE: &str = "@SA_FILE@";

/// The expected values: each provider's public API (its documented host, path and
/// credential), in the mode the flags select.
#[rustfmt::skip]
const CASES: &[Case] = &[
    // name                         id            full   flags                                                       secret  model                  :authority                           path                                                    key                     model in
    Case { name: "aliyun",                 id: "aliyun",     full: true,  flags: &["--dashscope-key", "sk-qwen"], secret: "sk-qwen", model: "qwen-max", authority: "dashscope.aliyuncs.com", path: "/compatible-mode/v1/chat/completions", key: Key::Bearer, model_in: ModelIn::Body },
    Case { name: "aliyun intl",            id: "aliyun",     full: false, flags: &["--dashscope-key", "sk-qwen", "--dashscope-domain", "dashscope-intl.aliyuncs.com"], secret: "sk-qwen", model: "qwen-max", authority: "dashscope-intl.aliyuncs.com", path: "/compatible-mode/v1/chat/completions", key: Key::Bearer, model_in: ModelIn::Body },
    Case { name: "deepseek",               id: "deepseek",   full: true,  flags: &["--deepseek-key", "sk-ds"], secret: "sk-ds", model: "deepseek-chat", authority: "api.deepseek.com", path: "/v1/chat/completions", key: Key::Bearer, model_in: ModelIn::Body },
    Case { name: "moonshot",               id: "moonshot",   full: true,  flags: &["--moonshot-key", "sk-moon"], secret: "sk-moon", model: "kimi-k2-turbo-preview", authority: "api.moonshot.cn", path: "/v1/chat/completions", key: Key::Bearer, model_in: ModelIn::Body },
    Case { name: "zhipuai code-plan cn",   id: "zhipuai",    full: true,  flags: &["--zhipuai-key", "zk", "--zhipuai-domain", "open.bigmodel.cn"], secret: "zk", model: "glm-4.6", authority: "open.bigmodel.cn", path: "/api/coding/paas/v4/chat/completions", key: Key::Bearer, model_in: ModelIn::Body },
    Case { name: "zhipuai code-plan z.ai", id: "zhipuai",    full: false, flags: &["--zhipuai-key", "zk", "--zhipuai-domain", "api.z.ai"], secret: "zk", model: "glm-4.6", authority: "api.z.ai", path: "/api/coding/paas/v4/chat/completions", key: Key::Bearer, model_in: ModelIn::Body },
    Case { name: "zhipuai plain cn",       id: "zhipuai",    full: false, flags: &["--zhipuai-key", "zk", "--zhipuai-domain", "open.bigmodel.cn", "--zhipuai-code-plan-mode=false"], secret: "zk", model: "glm-4.6", authority: "open.bigmodel.cn", path: "/api/paas/v4/chat/completions", key: Key::Bearer, model_in: ModelIn::Body },
    Case { name: "zhipuai plain z.ai",     id: "zhipuai",    full: false, flags: &["--zhipuai-key", "zk", "--zhipuai-domain", "api.z.ai", "--zhipuai-code-plan-mode=false"], secret: "zk", model: "glm-4.6", authority: "api.z.ai", path: "/api/paas/v4/chat/completions", key: Key::Bearer, model_in: ModelIn::Body },
    Case { name: "minimax v2",             id: "minimax",    full: true,  flags: &["--minimax-key", "mm"], secret: "mm", model: "MiniMax-M2", authority: "api.minimax.chat", path: "/v1/text/chatcompletion_v2", key: Key::Bearer, model_in: ModelIn::Body },
    Case { name: "minimax pro",            id: "minimax",    full: false, flags: &["--minimax-key", "mm", "--minimax-api-type", "pro", "--minimax-group-id", "1800000000000000000", "--minimax-models", "abab*"], secret: "mm", model: "abab6.5s-chat", authority: "api.minimax.chat", path: "/v1/text/chatcompletion_pro?GroupId=1800000000000000000", key: Key::Bearer, model_in: ModelIn::Body },
    Case { name: "azure (two keys)",       id: "azure",      full: true,  flags: &["--azure-key", "az-1,az-2", "--azure-models", "azure-*", "--azure-service-url", "https://res1.openai.azure.com/openai/deployments/gpt4o/chat/completions?api-version=2024-06-01"], secret: "az-1,az-2", model: "azure-gpt-4o", authority: "res1.openai.azure.com", path: "/openai/deployments/gpt4o/chat/completions?api-version=2024-06-01", key: Key::Header("api-key"), model_in: ModelIn::Body },
    Case { name: "bedrock api key",        id: "bedrock",    full: true,  flags: &["--bedrock-key", "ABSKbedrock", "--bedrock-region", "us-east-1", "--bedrock-models", "anthropic.*"], secret: "ABSKbedrock", model: "anthropic.claude-3-5-sonnet-20241022-v2:0", authority: "bedrock-runtime.us-east-1.amazonaws.com", path: "/model/anthropic.claude-3-5-sonnet-20241022-v2%3A0/converse", key: Key::Bearer, model_in: ModelIn::Path },
    Case { name: "bedrock ak/sk",          id: "bedrock",    full: false, flags: &["--bedrock-access-key", "AKIAIOSFODNN7EXAMPLE", "--bedrock-secret-key", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "--bedrock-region", "eu-west-1", "--bedrock-models", "anthropic.*"], secret: "AKIAIOSFODNN7EXAMPLE", model: "anthropic.claude-3-5-sonnet-20241022-v2:0", authority: "bedrock-runtime.eu-west-1.amazonaws.com", path: "/model/anthropic.claude-3-5-sonnet-20241022-v2%3A0/converse", key: Key::SigV4, model_in: ModelIn::Path },
    Case { name: "vertex express",         id: "vertex",     full: true,  flags: &["--vertex-key", "AQ.vertex"], secret: "AQ.vertex", model: "gemini-2.5-flash", authority: "aiplatform.googleapis.com", path: "/v1/publishers/google/models/gemini-2.5-flash:generateContent?key=AQ.vertex", key: Key::Query("key"), model_in: ModelIn::Path },
    Case { name: "vertex service account", id: "vertex",     full: false, flags: &["--vertex-auth-key-file", SA_FILE, "--vertex-project-id", "higress-claw-test", "--vertex-region", "us-central1"], secret: "ya29.test-token", model: "gemini-2.5-flash", authority: "us-central1-aiplatform.googleapis.com", path: "/v1/projects/higress-claw-test/locations/us-central1/publishers/google/models/gemini-2.5-flash:generateContent", key: Key::OAuth, model_in: ModelIn::Path },
    Case { name: "openai",                 id: "openai",     full: true,  flags: &["--openai-key", "sk-oai"], secret: "sk-oai", model: "gpt-4o", authority: "api.openai.com", path: "/v1/chat/completions", key: Key::Bearer, model_in: ModelIn::Body },
    Case { name: "openrouter",             id: "openrouter", full: true,  flags: &["--openrouter-key", "sk-or", "--openrouter-models", "openai/*"], secret: "sk-or", model: "openai/gpt-4o", authority: "openrouter.ai", path: "/api/v1/chat/completions", key: Key::Bearer, model_in: ModelIn::Body },
    Case { name: "yi",                     id: "yi",         full: true,  flags: &["--yi-key", "yik"], secret: "yik", model: "yi-lightning", authority: "api.lingyiwanwu.com", path: "/v1/chat/completions", key: Key::Bearer, model_in: ModelIn::Body },
    Case { name: "ai360",                  id: "ai360",      full: true,  flags: &["--ai360-key", "k360"], secret: "k360", model: "360GPT-S2-V9", authority: "api.360.cn", path: "/v1/chat/completions", key: Key::Auth(""), model_in: ModelIn::Body },
    Case { name: "baichuan",               id: "baichuan",   full: true,  flags: &["--baichuan-key", "bck"], secret: "bck", model: "Baichuan4", authority: "api.baichuan-ai.com", path: "/v1/chat/completions", key: Key::Bearer, model_in: ModelIn::Body },
    Case { name: "baidu",                  id: "baidu",      full: true,  flags: &["--baidu-key", "bce-v3/ALTAK/x"], secret: "bce-v3/ALTAK/x", model: "ERNIE-4.0-8K", authority: "qianfan.baidubce.com", path: "/v2/chat/completions", key: Key::Bearer, model_in: ModelIn::Body },
    Case { name: "claude",                 id: "claude",     full: true,  flags: &["--claude-key", "sk-ant-api"], secret: "sk-ant-api", model: "claude-sonnet-4-5", authority: "api.anthropic.com", path: "/v1/messages", key: Key::Header("x-api-key"), model_in: ModelIn::Body },
    Case { name: "claude code token",      id: "claude",     full: false, flags: &["--claude-code-key", "sk-ant-oat01-x"], secret: "sk-ant-oat01-x", model: "claude-sonnet-4-5", authority: "api.anthropic.com", path: "/v1/messages?beta=true", key: Key::Bearer, model_in: ModelIn::Body },
    Case { name: "cloudflare",             id: "cloudflare", full: true,  flags: &["--cloudflare-key", "cfk", "--cloudflare-account-id", "acc123", "--cloudflare-models", "@cf/*"], secret: "cfk", model: "@cf/meta/llama-3.1-8b-instruct", authority: "api.cloudflare.com", path: "/client/v4/accounts/acc123/ai/v1/chat/completions", key: Key::Bearer, model_in: ModelIn::Body },
    Case { name: "cohere",                 id: "cohere",     full: true,  flags: &["--cohere-key", "coh"], secret: "coh", model: "command-r-plus", authority: "api.cohere.ai", path: "/compatibility/v1/chat/completions", key: Key::Bearer, model_in: ModelIn::Body },
    Case { name: "deepl Pro",              id: "deepl",      full: true,  flags: &["--deepl-key", "dlk", "--deepl-target-lang", "ZH", "--deepl-models", "Pro"], secret: "dlk", model: "Pro", authority: "api.deepl.com", path: "/v2/translate", key: Key::Auth("DeepL-Auth-Key "), model_in: ModelIn::Nowhere },
    Case { name: "deepl Free",             id: "deepl",      full: false, flags: &["--deepl-key", "dlk:fx", "--deepl-target-lang", "ZH"], secret: "dlk:fx", model: "Free", authority: "api-free.deepl.com", path: "/v2/translate", key: Key::Auth("DeepL-Auth-Key "), model_in: ModelIn::Nowhere },
    Case { name: "doubao",                 id: "doubao",     full: true,  flags: &["--doubao-key", "dbk"], secret: "dbk", model: "doubao-seed-1-6-250615", authority: "ark.cn-beijing.volces.com", path: "/api/v3/chat/completions", key: Key::Bearer, model_in: ModelIn::Body },
    Case { name: "doubao regional",        id: "doubao",     full: false, flags: &["--doubao-key", "dbk", "--doubao-domain", "ark.ap-southeast.bytepluses.com"], secret: "dbk", model: "doubao-seed-1-6-250615", authority: "ark.ap-southeast.bytepluses.com", path: "/api/v3/chat/completions", key: Key::Bearer, model_in: ModelIn::Body },
    Case { name: "fireworks",              id: "fireworks",  full: true,  flags: &["--fireworks-key", "fwk", "--fireworks-models", "accounts/fireworks/*"], secret: "fwk", model: "accounts/fireworks/models/llama-v3p1-70b-instruct", authority: "api.fireworks.ai", path: "/inference/v1/chat/completions", key: Key::Bearer, model_in: ModelIn::Body },
    Case { name: "github",                 id: "github",     full: true,  flags: &["--github-key", "ghp_x", "--github-models", "microsoft/*"], secret: "ghp_x", model: "microsoft/Phi-4", authority: "models.github.ai", path: "/inference/chat/completions", key: Key::Bearer, model_in: ModelIn::Body },
    Case { name: "gemini",                 id: "gemini",     full: true,  flags: &["--gemini-key", "AIzaG", "--gemini-models", "gemma-*"], secret: "AIzaG", model: "gemma-3-27b-it", authority: "generativelanguage.googleapis.com", path: "/v1beta/models/gemma-3-27b-it:generateContent", key: Key::Header("x-goog-api-key"), model_in: ModelIn::Path },
    Case { name: "grok",                   id: "grok",       full: true,  flags: &["--grok-key", "xai-k"], secret: "xai-k", model: "grok-4", authority: "api.x.ai", path: "/v1/chat/completions", key: Key::Bearer, model_in: ModelIn::Body },
    Case { name: "groq",                   id: "groq",       full: true,  flags: &["--groq-key", "gsk", "--groq-models", "mixtral-*"], secret: "gsk", model: "mixtral-8x7b-32768", authority: "api.groq.com", path: "/openai/v1/chat/completions", key: Key::Bearer, model_in: ModelIn::Body },
    Case { name: "mistral",                id: "mistral",    full: true,  flags: &["--mistral-key", "mik"], secret: "mik", model: "mistral-large-latest", authority: "api.mistral.ai", path: "/v1/chat/completions", key: Key::Bearer, model_in: ModelIn::Body },
    Case { name: "ollama host:port",       id: "ollama",     full: true,  flags: &["--ollama-host", "192.168.1.10", "--ollama-port", "11435"], secret: "", model: "llama3.1", authority: "192.168.1.10:11435", path: "/v1/chat/completions", key: Key::None, model_in: ModelIn::Body },
    Case { name: "spark",                  id: "spark",      full: true,  flags: &["--spark-key", "sparkkey:sparksecret", "--spark-models", "4.0Ultra,generalv3.5"], secret: "sparkkey:sparksecret", model: "4.0Ultra", authority: "spark-api-open.xf-yun.com", path: "/v1/chat/completions", key: Key::Bearer, model_in: ModelIn::Body },
    Case { name: "stepfun",                id: "stepfun",    full: true,  flags: &["--stepfun-key", "stk"], secret: "stk", model: "step-2-16k", authority: "api.stepfun.com", path: "/v1/chat/completions", key: Key::Bearer, model_in: ModelIn::Body },
    Case { name: "hunyuan api key",        id: "hunyuan",    full: true,  flags: &["--hunyuan-key", "sk-hy"], secret: "sk-hy", model: "hunyuan-turbos-latest", authority: "api.hunyuan.cloud.tencent.com", path: "/v1/chat/completions", key: Key::Bearer, model_in: ModelIn::Body },
    Case { name: "hunyuan secret id/key",  id: "hunyuan",    full: false, flags: &["--hunyuan-auth-id", "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", "--hunyuan-auth-key", "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE"], secret: "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", model: "hunyuan-lite", authority: "hunyuan.tencentcloudapi.com", path: "/", key: Key::Tc3, model_in: ModelIn::Body },
    Case { name: "togetherai",             id: "togetherai", full: true,  flags: &["--togetherai-key", "tgk", "--togetherai-models", "meta-llama/*"], secret: "tgk", model: "meta-llama/Llama-3.3-70B-Instruct-Turbo", authority: "api.together.xyz", path: "/v1/chat/completions", key: Key::Bearer, model_in: ModelIn::Body },
    Case { name: "dify Chat",              id: "dify",       full: true,  flags: &["--dify-key", "app-chat", "--dify-models", "dify-*"], secret: "app-chat", model: "dify-app", authority: "api.dify.ai", path: "/v1/chat-messages", key: Key::Bearer, model_in: ModelIn::Nowhere },
    Case { name: "dify Completion",        id: "dify",       full: false, flags: &["--dify-key", "app-c", "--dify-bot-type", "Completion", "--dify-api-url", "https://dify.example.com"], secret: "app-c", model: "dify-app", authority: "dify.example.com", path: "/v1/completion-messages", key: Key::Bearer, model_in: ModelIn::Nowhere },
    Case { name: "dify Agent",             id: "dify",       full: false, flags: &["--dify-key", "app-a", "--dify-bot-type", "Agent"], secret: "app-a", model: "dify-app", authority: "api.dify.ai", path: "/v1/chat-messages", key: Key::Bearer, model_in: ModelIn::Nowhere },
    Case { name: "dify Workflow",          id: "dify",       full: false, flags: &["--dify-key", "app-w", "--dify-bot-type", "Workflow", "--dify-input-variable", "query", "--dify-output-variable", "answer"], secret: "app-w", model: "dify-app", authority: "api.dify.ai", path: "/v1/workflows/run", key: Key::Bearer, model_in: ModelIn::Nowhere },
    Case { name: "coze",                   id: "coze",       full: true,  flags: &["--coze-key", "pat_coze"], secret: "pat_coze", model: "coze", authority: "api.coze.cn", path: "/v3/chat", key: Key::Bearer, model_in: ModelIn::Nowhere },
    Case { name: "longcat",                id: "longcat",    full: true,  flags: &["--longcat-key", "lck"], secret: "lck", model: "LongCat-Flash-Chat", authority: "api.longcat.chat", path: "/openai/v1/chat/completions", key: Key::Bearer, model_in: ModelIn::Body },
    Case { name: "vllm ip:port + key",     id: "vllm",       full: true,  flags: &["--vllm-url", "http://10.0.0.5:8000/v1", "--vllm-key", "vk", "--vllm-models", "Qwen/*"], secret: "vk", model: "Qwen/Qwen3-8B", authority: "10.0.0.5:8000", path: "/v1/chat/completions", key: Key::Bearer, model_in: ModelIn::Body },
    Case { name: "vllm host, no path",     id: "vllm",       full: false, flags: &["--vllm-url", "http://vllm.internal:8000"], secret: "", model: "Qwen/Qwen3-8B", authority: "vllm.internal:8000", path: "/v1/chat/completions", key: Key::None, model_in: ModelIn::Body },
    Case { name: "generic ip:port + key",  id: "generic",    full: true,  flags: &["--generic-url", "http://10.0.0.6:8080/v1", "--generic-key", "gk", "--generic-models", "local/*"], secret: "gk", model: "local/qwen3", authority: "10.0.0.6:8080", path: "/v1/chat/completions", key: Key::Bearer, model_in: ModelIn::Body },
    Case { name: "generic https base path", id: "generic",   full: false, flags: &["--generic-url", "https://llm.example.com/openai/v1", "--generic-first-byte-timeout", "30000"], secret: "", model: "gpt-oss-20b", authority: "llm.example.com", path: "/openai/v1/chat/completions", key: Key::None, model_in: ModelIn::Body },
    Case { name: "triton ip:port",         id: "triton",     full: true,  flags: &["--triton-url", "http://10.0.0.7:8000", "--triton-models", "ensemble,tensorrt_llm_bls"], secret: "", model: "ensemble", authority: "10.0.0.7:8000", path: "/v2/models/ensemble/generate", key: Key::None, model_in: ModelIn::Path },
    Case { name: "triton host + version",  id: "triton",     full: false, flags: &["--triton-url", "http://triton.internal:8000", "--triton-model-version", "1"], secret: "", model: "ensemble", authority: "triton.internal:8000", path: "/v2/models/ensemble/versions/1/generate", key: Key::None, model_in: ModelIn::Path },
];

/// What an Anthropic Messages request (`/v1/messages`) changes: a provider with an
/// Anthropic-compatible API of its own gets the request as it is, there; the
/// others get it converted to their chat API (the chat row's values).
#[rustfmt::skip]
const MESSAGES: &[(&str, &str, &str, Key)] = &[
    // case               :authority                          path                           key
    ("aliyun",            "dashscope.aliyuncs.com",           "/apps/anthropic/v1/messages", Key::Bearer),
    ("aliyun intl",       "dashscope-intl.aliyuncs.com",      "/apps/anthropic/v1/messages", Key::Bearer),
    ("deepseek",          "api.deepseek.com",                 "/anthropic/v1/messages",      Key::Bearer),
    ("bedrock api key",   "bedrock-mantle.us-east-1.api.aws", "/anthropic/v1/messages",      Key::Header("x-api-key")),
    ("bedrock ak/sk",     "bedrock-mantle.eu-west-1.api.aws", "/anthropic/v1/messages",      Key::SigV4),
    // vLLM serves the Messages API itself (vllm.entrypoints.anthropic, 0.11 and later).
    ("vllm ip:port + key", "10.0.0.5:8000",                   "/v1/messages",                Key::Bearer),
    ("vllm host, no path", "vllm.internal:8000",              "/v1/messages",                Key::None),
];

/// A provider reachable only through its own API: the chat test sends this request
/// (path, body) instead of an OpenAI one; the model is in the routing header only.
const OWN_API: &[(&str, &str, &str)] = &[(
    "coze",
    "/v3/chat",
    r#"{"bot_id":"7348293334","user_id":"higress-claw-tests","stream":false,"additional_messages":[{"role":"user","content":"Say hello","content_type":"text"}]}"#,
)];

/// Headers a provider needs besides the key: (case, header, a part of its value).
#[rustfmt::skip]
const EXTRA_HEADERS: &[(&str, &str, &str)] = &[
    ("generic https base path", "x-envoy-upstream-rq-first-byte-timeout-ms", "30000"),
    ("claude",                "anthropic-version", "2023-06-01"),
    ("claude code token",     "anthropic-version", "2023-06-01"),
    ("claude code token",     "anthropic-beta",    "oauth"),
    ("hunyuan secret id/key", "x-tc-action",       "ChatCompletions"),
    ("hunyuan secret id/key", "x-tc-version",      "2023-09-01"),
    ("bedrock ak/sk",         "x-amz-date",        "20261102T"),
];

/// Where the plugin itself (not what higress-claw writes) does not do what the
/// provider's API wants: (test, case, why). Reported, not failed; a gap that
/// closes fails the test, so this list cannot go stale.
const UPSTREAM_GAPS: &[(&str, &str, &str)] = &[
    (
        "messages",
        "coze",
        "ai-proxy passes Coze requests on unchanged, and Coze serves only its own API (/v3/chat): an Anthropic request, converted to OpenAI chat, reaches api.coze.cn at /v1/chat/completions",
    ),
    (
        "messages",
        "vertex express",
        "ai-proxy sends every /v1/messages request for Vertex to the anthropic publisher's rawPredict, whatever the model (here a Gemini model)",
    ),
    (
        "messages",
        "vertex service account",
        "ai-proxy sends every /v1/messages request for Vertex to the anthropic publisher's rawPredict, whatever the model (here a Gemini model)",
    ),
];

/// The service-account key file of the Vertex case (a key made for these tests; it
/// belongs to no Google project).
fn sa_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/vertex-service-account.json")
}

fn flags_of<'a>(cases: impl Iterator<Item = &'a Case>) -> Vec<String> {
    let sa = sa_file().display().to_string();
    cases
        .flat_map(|c| c.flags.iter())
        .map(|f| {
            if *f == SA_FILE {
                sa.clone()
            } else {
                f.to_string()
            }
        })
        .collect()
}

/// `init --non-interactive FLAGS` into a new folder under `home`.
fn folder(home: &Path, name: &str, flags: &[String]) -> PathBuf {
    let data = home.join(name.replace([' ', '/', '(', ')'], "_"));
    let out = bin(home)
        .args(["init", "-q", "--non-interactive", "--data-dir"])
        .arg(&data)
        .args(flags)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "init {flags:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    data
}

/// The Vertex token service, scripted: any call for an OAuth token gets one.
fn token_service(call: &HttpCall) -> Option<HttpCallResponse> {
    let body = String::from_utf8_lossy(&call.body);
    (call.upstream.contains("vertex-oauth2") || body.contains("grant_type")).then(|| {
        HttpCallResponse {
            headers: vec![
                (":status".into(), "200".into()),
                ("content-type".into(), "application/json".into()),
            ],
            body: br#"{"access_token":"ya29.test-token","expires_in":3599,"token_type":"Bearer"}"#
                .to_vec(),
        }
    })
}

/// A folder and its gateway, for one group of cases.
struct Setup {
    _home: tempfile::TempDir,
    gateway: Gateway,
    cases: Vec<&'static Case>,
}

/// The folder with every provider (`full` cases), then one folder per other case.
fn setups() -> Option<Vec<Setup>> {
    proxy_wasm::plugin(proxy_wasm::AI_PROXY)?;
    let mut out = Vec::new();
    let full: Vec<&Case> = CASES.iter().filter(|c| c.full).collect();
    let home = tempfile::tempdir().unwrap();
    let data = folder(home.path(), "every", &flags_of(full.iter().copied()));
    out.push(Setup {
        gateway: Gateway::new(&data, false)?,
        _home: home,
        cases: full,
    });
    for case in CASES.iter().filter(|c| !c.full) {
        let home = tempfile::tempdir().unwrap();
        let data = folder(home.path(), case.name, &flags_of([case].into_iter()));
        out.push(Setup {
            gateway: Gateway::new(&data, false)?,
            _home: home,
            cases: vec![case],
        });
    }
    Some(out)
}

/// What one request did, for the table and the checks.
struct Seen {
    accepted: bool,
    authority: String,
    path: String,
    key_at: String,
    problems: Vec<String>,
}

fn keys_of(case: &Case) -> Vec<&'static str> {
    case.secret.split(',').filter(|k| !k.is_empty()).collect()
}

/// Where the request carried the case's key, in words, and whether that is where
/// the provider wants it.
fn check_key(case: &Case, out: &Outcome) -> (String, Option<String>) {
    let auth = out.upstream_header("authorization").unwrap_or("");
    let path = out.upstream_header(":path").unwrap_or("");
    let keys = keys_of(case);
    let carried = |v: &str| keys.contains(&v);
    let found = if let Some(k) = keys.iter().find(|k| !k.is_empty() && path.contains(*k)) {
        format!("query ({k})")
    } else if !auth.is_empty() {
        format!("authorization: {}", mask(auth, &keys))
    } else if let Some((h, _)) = out
        .upstream_headers
        .iter()
        .find(|(_, v)| keys.iter().any(|k| v.contains(k)))
    {
        h.to_string()
    } else {
        "nowhere".to_string()
    };
    let ok = match case.key {
        Key::Bearer => auth
            .strip_prefix("Bearer ")
            .is_some_and(|t| carried(t) || t == case.secret),
        Key::Auth(prefix) => auth.strip_prefix(prefix).is_some_and(carried),
        Key::Header(h) => out.upstream_header(h).is_some_and(carried),
        Key::Query(q) => keys.iter().any(|k| path.contains(&format!("{q}={k}"))),
        Key::SigV4 => {
            auth.starts_with(&format!("AWS4-HMAC-SHA256 Credential={}/", case.secret))
                && out.upstream_header("x-amz-date").is_some()
        }
        Key::Tc3 => auth.starts_with(&format!("TC3-HMAC-SHA256 Credential={}/", case.secret)),
        Key::OAuth => auth == format!("Bearer {}", case.secret),
        Key::None => found == "nowhere",
    };
    let problem = (!ok).then(|| format!("key: wanted {:?}, found {found}", case.key));
    (found, problem)
}

fn mask(value: &str, keys: &[&str]) -> String {
    let mut v = value.to_string();
    for k in keys {
        if !k.is_empty() {
            v = v.replace(k, "<key>");
        }
    }
    if v.len() > 60 {
        v.truncate(60);
        v.push('…');
    }
    v
}

/// Sends one request for `case` and checks what left the plugin.
fn run_case(gw: &mut Gateway, case: &Case, anthropic: bool) -> Seen {
    let mut problems = Vec::new();
    let accepted = gw.proxy_configured.accepted;
    let own = OWN_API.iter().find(|o| o.0 == case.name);
    let (path_in, body) = match (anthropic, own) {
        (true, _) => ("/v1/messages", messages_body(case.model)),
        (false, Some(own)) => (own.1, own.2.as_bytes().to_vec()),
        (false, None) => ("/v1/chat/completions", chat_body(case.model, false)),
    };
    let Some((route, out)) = gw.send(path_in, case.model, body, &[], None, &token_service) else {
        return Seen {
            accepted,
            authority: "-".into(),
            path: "-".into(),
            key_at: "-".into(),
            problems: vec![format!("no route matches model {}", case.model)],
        };
    };
    // The provider's route, or one of its second routes (`ai-route-<id>.<what>.internal`).
    let own_route = route
        .name
        .strip_prefix(&format!("ai-route-{}", case.id))
        .is_some_and(|rest| {
            rest == ".internal" || rest.ends_with(".internal") && rest.starts_with('.')
        });
    if !own_route {
        problems.push(format!(
            "routed to {} instead of ai-route-{}.internal",
            route.name, case.id
        ));
    }
    if let Some(who) = &out.stopped {
        problems.push(format!("stopped: {who}"));
    }
    if let Some(r) = &out.local_reply {
        problems.push(format!("local reply {} {}", r.status, r.body));
    }
    for e in out.errors() {
        problems.push(format!("plugin error log: {}", e.message));
    }
    let authority = out.upstream_header(":authority").unwrap_or("").to_string();
    let path = out.upstream_header(":path").unwrap_or("").to_string();
    let native = MESSAGES.iter().find(|m| anthropic && m.0 == case.name);
    let (want_authority, want_path) = native.map_or((case.authority, case.path), |m| (m.1, m.2));
    let case = &Case {
        key: native.map_or(case.key, |m| m.3),
        model_in: if native.is_some() {
            ModelIn::Body
        } else {
            case.model_in
        },
        ..*case
    };
    if authority != want_authority {
        problems.push(format!(":authority {authority}, wanted {want_authority}"));
    }
    if path != want_path {
        problems.push(format!("path {path}, wanted {want_path}"));
    }
    for (_, h, part) in EXTRA_HEADERS.iter().filter(|e| e.0 == case.name) {
        match out.upstream_header(h) {
            Some(v) if v.contains(part) => {}
            v => problems.push(format!("header {h}: {v:?}, wanted one with {part:?}")),
        }
    }
    // A call the plugin makes itself (Vertex's token) must go to a registry that
    // points at the host it names.
    for call in &out.http_calls {
        let service = call.upstream.rsplit("||").next().unwrap_or_default();
        let host = proxy_wasm::host::header(&call.headers, ":authority").unwrap_or_default();
        match registry_for(&gw.registries, service) {
            Some(reg) if reg.serves_authority(host) => {}
            Some(reg) => problems.push(format!(
                "http_call to {} names {host}, its registry points at {}",
                call.upstream, reg.domain
            )),
            None => problems.push(format!(
                "http_call to {}: no McpBridge registry serves {service}",
                call.upstream
            )),
        }
    }
    match registry_for(&gw.registries, &route.service) {
        Some(reg) if reg.serves_authority(&authority) => {}
        Some(reg) => problems.push(format!(
            "the route's registry {} points at {}, the request names {authority}",
            reg.name, reg.domain
        )),
        None => problems.push(format!("no McpBridge registry serves {}", route.service)),
    }
    let (key_at, key_problem) = check_key(case, &out);
    problems.extend(key_problem);
    let body = String::from_utf8_lossy(&out.upstream_body);
    let model_seen = match case.model_in {
        ModelIn::Body => serde_json::from_str::<Value>(&body)
            .ok()
            .is_some_and(|v| v["model"] == case.model || v["Model"] == case.model),
        ModelIn::Path => {
            path.contains(case.model) || path.contains(&case.model.replace(':', "%3A"))
        }
        ModelIn::Nowhere => true,
    };
    if !model_seen {
        problems.push(format!(
            "model {} not in the {:?}: {body}",
            case.model, case.model_in
        ));
    }
    // Every key we write must reach the provider: a key the plugin drops is a
    // setting that does nothing. Triton's filler is written for the plugin's check
    // alone.
    let filler = higress_claw::gateway::catalog::find(case.id)
        .is_some_and(|s| matches!(s.key, higress_claw::gateway::catalog::KeyRule::Filler(_)));
    if let Some(tokens) = gw.proxy_config["providers"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["id"] == case.id))
        .and_then(|p| p["apiTokens"].as_array())
    {
        let tokens: Vec<&str> = tokens.iter().filter_map(Value::as_str).collect();
        let sent = tokens
            .iter()
            .any(|t| out.upstream_headers.iter().any(|(_, v)| v.contains(t)));
        if !tokens.is_empty() && !sent && !filler {
            problems.push(format!(
                "the folder gives {} the key(s) {tokens:?}, and the plugin sends none",
                case.id
            ));
        }
    }
    Seen {
        accepted,
        authority,
        path,
        key_at,
        problems,
    }
}

fn table(rows: &[(String, Seen)]) -> String {
    let mut s = String::new();
    writeln!(
        s,
        "{:<24} {:<8} {:<40} {:<60} {:<36} result",
        "provider / mode", "accepted", ":authority", "path", "key"
    )
    .unwrap();
    for (name, seen) in rows {
        writeln!(
            s,
            "{:<24} {:<8} {:<40} {:<60} {:<36} {}",
            name,
            seen.accepted,
            seen.authority,
            seen.path,
            seen.key_at,
            if seen.problems.is_empty() {
                "pass".to_string()
            } else if seen.problems[0].starts_with("known upstream gap") {
                seen.problems[0].clone()
            } else {
                format!("FAIL: {}", seen.problems.join("; "))
            }
        )
        .unwrap();
    }
    s
}

fn report(test: &str, title: &str, rows: &mut [(String, Seen)]) {
    let mut failed = Vec::new();
    for (name, seen) in rows.iter_mut() {
        let gap = UPSTREAM_GAPS
            .iter()
            .find(|g| g.0 == test && g.1 == name.as_str());
        match (gap, seen.problems.is_empty()) {
            (Some(g), false) => {
                seen.problems = vec![format!(
                    "known upstream gap ({}): {}",
                    g.2,
                    seen.problems.join("; ")
                )];
            }
            (Some(_), true) => {
                seen.problems = vec!["passes now: remove it from UPSTREAM_GAPS".into()];
                failed.push(name.clone());
            }
            (None, false) => failed.push(name.clone()),
            (None, true) => {}
        }
    }
    let text = table(rows);
    let _ = writeln!(std::io::stderr(), "{title}\n{text}");
    assert!(
        failed.is_empty(),
        "{title}: {} failed ({failed:?}):\n{text}",
        failed.len()
    );
}

#[test]
fn the_table_covers_every_provider_of_the_catalog() {
    let ids: BTreeSet<&str> = CASES.iter().map(|c| c.id).collect();
    let full: BTreeSet<&str> = CASES.iter().filter(|c| c.full).map(|c| c.id).collect();
    for p in higress_claw::gateway::catalog::PROVIDERS {
        assert!(ids.contains(p.id), "CASES has no row for provider {}", p.id);
        assert!(
            full.contains(p.id),
            "the full folder lacks provider {}",
            p.id
        );
    }
}

#[test]
fn ai_proxy_accepts_every_folder() {
    let Some(setups) = setups() else { return };
    let mut bad = Vec::new();
    for s in &setups {
        let c = &s.gateway.proxy_configured;
        let errors: Vec<_> = c
            .logs
            .iter()
            .filter(|l| matches!(l.level, "warn" | "error" | "critical"))
            .map(|l| l.message.clone())
            .collect();
        if !c.accepted || !errors.is_empty() {
            let names: Vec<_> = s.cases.iter().map(|c| c.name).collect();
            bad.push(format!("{names:?}: accepted={} {errors:#?}", c.accepted));
        }
    }
    assert!(bad.is_empty(), "ai-proxy refused:\n{}", bad.join("\n"));
}

#[test]
fn chat_requests_reach_each_provider_as_its_api_expects() {
    let Some(mut setups) = setups() else { return };
    let mut rows = Vec::new();
    for s in &mut setups {
        for case in s.cases.clone() {
            rows.push((case.name.to_string(), run_case(&mut s.gateway, case, false)));
        }
    }
    report("chat", "POST /v1/chat/completions", &mut rows);
}

#[test]
fn anthropic_messages_reach_each_provider_as_its_api_expects() {
    let Some(mut setups) = setups() else { return };
    let mut rows = Vec::new();
    for s in &mut setups {
        for case in s.cases.clone() {
            rows.push((case.name.to_string(), run_case(&mut s.gateway, case, true)));
        }
    }
    report("messages", "POST /v1/messages", &mut rows);
}

/// An OpenAI-style chat completion with usage.
const COMPLETION: &str = r#"{"id":"chatcmpl-8f2c1e0a","object":"chat.completion","created":1793613601,"model":"deepseek-chat","choices":[{"index":0,"message":{"role":"assistant","content":"Hello! How can I help you today?"},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":9,"total_tokens":21}}"#;

/// The same answer streamed (`stream_options.include_usage`: usage in the last
/// chunk), as (milliseconds before the chunk, chunk).
const STREAM: &[(u64, &str)] = &[
    (
        420,
        "data: {\"id\":\"chatcmpl-5b7d9e31\",\"object\":\"chat.completion.chunk\",\"created\":1793613602,\"model\":\"deepseek-chat\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hello!\"},\"finish_reason\":null}]}\n\n",
    ),
    (
        35,
        "data: {\"id\":\"chatcmpl-5b7d9e31\",\"object\":\"chat.completion.chunk\",\"created\":1793613602,\"model\":\"deepseek-chat\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" How can I help you today?\"},\"finish_reason\":null}]}\n\n",
    ),
    (
        60,
        "data: {\"id\":\"chatcmpl-5b7d9e31\",\"object\":\"chat.completion.chunk\",\"created\":1793613602,\"model\":\"deepseek-chat\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":9,\"total_tokens\":21}}\n\n",
    ),
    (5, "data: [DONE]\n\n"),
];

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/access-log")
}

/// The ai_log value as a JSON object (the plugin stores it JSON-escaped, for the
/// access log's quotes).
fn ai_log(out: &Outcome) -> Value {
    let raw = out
        .stream
        .property("ai_log")
        .expect("ai-statistics wrote no ai_log");
    serde_json::from_str(&serde_json::from_str::<String>(&format!("\"{raw}\"")).unwrap())
        .unwrap_or_else(|e| panic!("ai_log is not JSON ({e}): {raw}"))
}

/// A request through ai-statistics then ai-proxy, its response back through both,
/// and the access-log line the image would write; the lines are the fixtures under
/// tests/fixtures/access-log/ (`UPDATE_FIXTURES=1` rewrites them).
#[test]
fn ai_statistics_logs_usage_and_the_access_log_line_matches_the_fixtures() {
    let Some(_) = proxy_wasm::plugin(proxy_wasm::AI_STATISTICS) else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let data = folder(
        home.path(),
        "stats",
        &["--deepseek-key".into(), "sk-ds".into()],
    );
    let mut gw = Gateway::new(&data, true).unwrap();
    let stats = gw.statistics_configured.as_ref().unwrap();
    assert!(
        stats.accepted,
        "ai-statistics refused its configuration: {:?}",
        stats.logs
    );

    let mut lines = Vec::new();
    for (name, stream) in [("deepseek-chat", false), ("deepseek-chat-stream", true)] {
        let start = gw.clock.now_ms();
        let body = chat_body("deepseek-chat", stream);
        let bytes_received = body.len();
        let response = if stream {
            Response {
                headers: vec![
                    (":status".into(), "200".into()),
                    (
                        "content-type".into(),
                        "text/event-stream; charset=utf-8".into(),
                    ),
                    ("x-envoy-upstream-service-time".into(), "418".into()),
                ],
                chunks: STREAM
                    .iter()
                    .map(|(ms, c)| (*ms, c.as_bytes().to_vec()))
                    .collect(),
            }
        } else {
            Response {
                headers: vec![
                    (":status".into(), "200".into()),
                    ("content-type".into(), "application/json".into()),
                    ("x-envoy-upstream-service-time".into(), "846".into()),
                ],
                chunks: vec![(850, COMPLETION.as_bytes().to_vec())],
            }
        };
        let (route, out) = gw
            .send(
                "/v1/chat/completions",
                "deepseek-chat",
                body,
                &[],
                Some(response),
                &proxy_wasm::no_calls,
            )
            .unwrap();
        assert!(
            out.stopped.is_none() && out.local_reply.is_none(),
            "{name}: {:?} {:?}",
            out.stopped,
            out.local_reply
        );
        let log = ai_log(&out);
        assert_eq!(log["model"], "deepseek-chat", "{name}: {log}");
        assert_eq!(log["input_token"], 12, "{name}: {log}");
        assert_eq!(log["output_token"], 9, "{name}: {log}");
        assert_eq!(log["total_token"], 21, "{name}: {log}");
        let elapsed = gw.clock.now_ms() - start;
        assert_eq!(log["llm_service_duration"], elapsed, "{name}: {log}");
        if stream {
            assert_eq!(log["response_type"], "stream", "{name}: {log}");
            assert_eq!(log["chat_id"], "chatcmpl-5b7d9e31", "{name}: {log}");
            assert_eq!(
                log["llm_first_token_duration"], STREAM[0].0,
                "{name}: {log}"
            );
        } else {
            assert_eq!(log["response_type"], "normal", "{name}: {log}");
            assert_eq!(log["chat_id"], "chatcmpl-8f2c1e0a", "{name}: {log}");
        }
        let env = proxy_wasm::access_log::Env {
            start_time: chrono_like(start),
            duration_ms: elapsed,
            bytes_received,
            downstream_local: "172.17.0.2:8080".into(),
            downstream_remote: "172.17.0.1:52044".into(),
            upstream_host: "203.0.113.10:443".into(),
            upstream_local: "172.17.0.2:40112".into(),
            route_name: route.name.clone(),
            cluster: route.cluster(),
        };
        let line = proxy_wasm::access_log::render(&out, &env);
        let parsed: Value = serde_json::from_str(&line.replace("\\\"", "'"))
            .unwrap_or_else(|e| panic!("{name}: the line is not JSON-shaped ({e}): {line}"));
        assert_eq!(parsed["route_name"], "ai-route-deepseek.internal");
        assert_eq!(
            parsed["upstream_cluster"],
            "outbound|443||llm-deepseek.internal.dns"
        );
        lines.push((name, line));
    }

    // The metrics ai-statistics defines, per route, cluster, model and consumer.
    let metrics = gw.metrics.lock().unwrap();
    let prefix = "route.ai-route-deepseek.internal.upstream.outbound|443||llm-deepseek.internal.dns.model.deepseek-chat.consumer.none.metric.";
    for (metric, value) in [
        ("input_token", 24),
        ("output_token", 18),
        ("total_token", 42),
        ("llm_service_duration", 850 + 520),
        ("llm_duration_count", 2),
        ("llm_stream_duration_count", 1),
        ("llm_first_token_duration", 420),
    ] {
        let name = format!("{prefix}{metric}");
        assert_eq!(
            metrics.value(&name),
            Some(value),
            "metric {name}; defined: {:#?}",
            metrics.defined.iter().map(|(_, n)| n).collect::<Vec<_>>()
        );
    }
    drop(metrics);

    let dir = fixture_dir();
    for (name, line) in &lines {
        let path = dir.join(format!("{name}.log"));
        if std::env::var_os("UPDATE_FIXTURES").is_some() {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, format!("{line}\n")).unwrap();
            let _ = writeln!(std::io::stderr(), "wrote {}", path.display());
            continue;
        }
        let want = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_FIXTURES=1 writes it)", path.display()));
        assert_eq!(
            want.trim_end(),
            line,
            "{} drifted from what the plugins produce (UPDATE_FIXTURES=1 rewrites it)",
            path.display()
        );
    }
}

/// Envoy's default START_TIME (`%Y-%m-%dT%H:%M:%E3SZ`) for epoch milliseconds.
fn chrono_like(ms: u64) -> String {
    let secs = (ms / 1000) as i64;
    let t = chrono::DateTime::from_timestamp(secs, ((ms % 1000) * 1_000_000) as u32).unwrap();
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// `models resolve` and `route test` name the provider whose Ingress Envoy would
/// pick for the model (header match: prefix, or an RE2 full match; first route in
/// Higress's order).
#[test]
fn models_resolve_and_route_test_pick_the_gateways_route() {
    let home = tempfile::tempdir().unwrap();
    let mut flags = flags_of(CASES.iter().filter(|c| c.full));
    flags.extend([
        "--auto-routing".into(),
        "--auto-routing-default-model".into(),
        "deepseek-chat".into(),
    ]);
    let data = folder(home.path(), "routing", &flags);
    for (model, trigger) in [("glm-4.6", "quick"), ("llama3.1", "local|本地")] {
        bin(home.path())
            .args([
                "route",
                "add",
                "-q",
                "--model",
                model,
                "--trigger",
                trigger,
                "--data-dir",
            ])
            .arg(&data)
            .assert()
            .success();
    }
    let routes = proxy_wasm::gateway::routes(&data);
    let gateway_pick = |model: &str| {
        let headers = vec![("x-higress-llm-model".to_string(), model.to_string())];
        proxy_wasm::gateway::route_for(&routes, "/v1/chat/completions", &headers).map(|r| {
            r.name
                .strip_prefix("ai-route-")
                .and_then(|n| n.strip_suffix(".internal"))
                .unwrap_or(&r.name)
                .to_string()
        })
    };
    let mut models: Vec<&str> = CASES.iter().filter(|c| c.full).map(|c| c.model).collect();
    models.extend([
        "gpt-4o-mini",
        "o3-mini",
        "GLM-4.6",
        "glm-5",
        "ProX",
        "xPro",
        "codellama",
        "llama",
        "meta-llama/Llama-3.3-70B-Instruct-Turbo",
        "openai/gpt-4o",
        "Phi-3.5-mini-instruct",
        "claude-3-5-haiku-latest",
        "kimi-k2",
        "moonshot-v1-8k",
        "qwen3-coder-plus",
        "abab6.5s-chat",
        "minimax-m1",
        "anthropic.claude-3-haiku",
        "no-such-model",
    ]);
    let mut bad = Vec::new();
    for model in models {
        let out = bin(home.path())
            .args(["models", "resolve", model, "--json", "--data-dir"])
            .arg(&data)
            .output()
            .unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "models resolve {model}: {e}: {}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
        let ours = v["provider"].as_str().map(str::to_string);
        let envoy = gateway_pick(model);
        if ours != envoy {
            bad.push(format!(
                "{model}: models resolve says {ours:?}, the gateway routes to {envoy:?}"
            ));
        }
    }
    for (message, model) in [
        ("quick: what is RE2?", "glm-4.6"),
        ("本地 please", "llama3.1"),
        ("nothing special", "deepseek-chat"),
    ] {
        let out = bin(home.path())
            .args(["route", "test", message, "--json", "--data-dir"])
            .arg(&data)
            .output()
            .unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["model"], model, "route test {message:?}: {v}");
        let ours = v["provider"]["provider"].as_str().map(str::to_string);
        let envoy = gateway_pick(model);
        if ours != envoy {
            bad.push(format!(
                "route test {message:?} ({model}): {ours:?}, the gateway routes to {envoy:?}"
            ));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// With its default model patterns, each provider serves the example models the
/// catalog shows for it, and the gateway routes them there.
#[test]
fn default_patterns_serve_the_catalogs_example_models() {
    let mut bad = Vec::new();
    for p in higress_claw::gateway::catalog::PROVIDERS {
        let Some(row) = CASES
            .iter()
            .find(|c| c.full && c.id == p.id && !c.flags.is_empty())
        else {
            continue;
        };
        let mut flags = Vec::new();
        let mut it = flags_of([row].into_iter()).into_iter();
        while let Some(f) = it.next() {
            if f.ends_with("-models") {
                it.next();
            } else {
                flags.push(f);
            }
        }
        let home = tempfile::tempdir().unwrap();
        let data = folder(home.path(), p.id, &flags);
        let routes = proxy_wasm::gateway::routes(&data);
        for model in p.example_models {
            let headers = vec![("x-higress-llm-model".to_string(), model.to_string())];
            let envoy = proxy_wasm::gateway::route_for(&routes, "/v1/chat/completions", &headers)
                .map(|r| r.name.clone());
            if envoy.as_deref() != Some(format!("ai-route-{}.internal", p.id).as_str()) {
                bad.push(format!(
                    "{}: example model {model} is routed to {envoy:?}",
                    p.id
                ));
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// Two providers whose patterns accept the same model would split it by Ingress
/// order: init refuses that, for regex patterns too.
#[test]
fn init_refuses_providers_whose_patterns_overlap() {
    let home = tempfile::tempdir().unwrap();
    let out = bin(home.path())
        .args(["init", "-q", "--non-interactive", "--data-dir"])
        .arg(home.path().join("d"))
        .args([
            "--bedrock-key",
            "k",
            "--bedrock-region",
            "us-east-1",
            "--bedrock-models",
            "anthropic.*",
            "--openrouter-key",
            "o",
            "--openrouter-models",
            "openai/*,anthropic/*",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "bedrock `anthropic.*` and openrouter `anthropic/*` both take anthropic/claude-sonnet-4; init said: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// What the plugin does with one provider entry, given as the WasmPlugin would
/// carry it: (accepted, configure's warnings/errors, the request's outcome).
fn probe(provider: Value, model: &str) -> (bool, Vec<String>, Option<Outcome>) {
    let path = proxy_wasm::plugin(proxy_wasm::AI_PROXY).unwrap();
    let id = provider["id"].as_str().unwrap().to_string();
    let config = serde_json::json!({
        "providers": [provider],
        "_rules_": [{"activeProviderId": id, "_match_service_": [format!("llm-{id}.internal.dns")]}],
    });
    let clock = proxy_wasm::host::Clock::new();
    let mut vm = proxy_wasm::host::Vm::new(
        "ai-proxy",
        &proxy_wasm::host::module(&path),
        serde_json::to_vec(&config).unwrap(),
        Default::default(),
        Default::default(),
        clock.clone(),
    );
    let c = vm.configure();
    let logs = c
        .logs
        .iter()
        .filter(|l| matches!(l.level, "warn" | "error" | "critical"))
        .map(|l| l.message.clone())
        .collect();
    if !c.accepted {
        return (false, logs, None);
    }
    let mut stream = proxy_wasm::host::Stream::default();
    stream.properties.insert(
        "cluster_name".into(),
        format!("outbound|443||llm-{id}.internal.dns").into_bytes(),
    );
    stream.properties.insert(
        "route_name".into(),
        format!("ai-route-{id}.internal").into_bytes(),
    );
    let body = chat_body(model, false);
    let headers = vec![
        (":authority".to_string(), "127.0.0.1:8080".to_string()),
        (":method".into(), "POST".into()),
        (":path".into(), "/v1/chat/completions".into()),
        (":scheme".into(), "http".into()),
        ("content-type".into(), "application/json".into()),
        ("content-length".into(), body.len().to_string()),
    ];
    let out = proxy_wasm::chain::exchange(
        &mut [&mut vm],
        stream,
        proxy_wasm::chain::Request { headers, body },
        None,
        &proxy_wasm::no_calls,
        &clock,
    );
    (true, logs, Some(out))
}

/// The provider types higress-claw does not write yet, as this plugin build reads
/// them (phase 2 of issue 14), and the failover/retry settings (issue 15): each
/// row is (config, accepted?, :authority, path, authorization).
#[test]
fn provider_types_to_come_as_the_plugin_reads_them() {
    let Some(_) = proxy_wasm::plugin(proxy_wasm::AI_PROXY) else {
        return;
    };
    use serde_json::json;
    #[rustfmt::skip]
    let rows: Vec<(Value, bool, &str, &str, Option<&str>)> = vec![
        // A way to give Fireworks its real path: basePath prepended (for phase 2).
        (json!({"id": "fireworks", "type": "fireworks", "apiTokens": ["fk"], "basePath": "/inference", "basePathHandling": "prepend"}), true, "api.fireworks.ai", "/inference/v1/chat/completions", Some("Bearer fk")),
        (json!({"id": "vllm", "type": "vllm"}), true, "vllm-service.cluster.local", "/v1/chat/completions", None),
        (json!({"id": "vllm", "type": "vllm", "vllmServerHost": "10.0.0.5:8000", "apiTokens": ["vk"]}), true, "10.0.0.5", "/v1/chat/completions", Some("Bearer vk")),
        (json!({"id": "vllm", "type": "vllm", "vllmCustomUrl": "http://10.0.0.5:8000/v1"}), true, "10.0.0.5:8000", "/v1/chat/completions", None),
        (json!({"id": "generic", "type": "generic", "genericHost": "llm.example.com", "apiTokens": ["gk"]}), true, "llm.example.com", "/v1/chat/completions", Some("Bearer gk")),
        (json!({"id": "generic", "type": "generic"}), true, "127.0.0.1:8080", "/v1/chat/completions", None),
        (json!({"id": "coze", "type": "coze", "apiTokens": ["pat_x"]}), true, "api.coze.cn", "/v1/chat/completions", Some("Bearer pat_x")),
        (json!({"id": "coze", "type": "coze"}), false, "", "", None),
        (json!({"id": "triton", "type": "triton", "apiTokens": ["tk"], "tritonDomain": "triton.example.com", "tritonModelVersion": "1"}), true, "triton.example.com", "/v2/models/m1/versions/1/generate", None),
        (json!({"id": "triton", "type": "triton", "tritonDomain": "triton.example.com"}), false, "", "", None),
        (json!({"id": "longcat", "type": "longcat", "apiTokens": ["lk"]}), true, "api.longcat.chat", "/v1/chat/completions", Some("Bearer lk")),
        (json!({"id": "longcat", "type": "longcat"}), false, "", "", None),
        (json!({"id": "deepseek", "type": "deepseek", "apiTokens": ["a", "b"], "failover": {"enabled": true}}), false, "", "", None),
        (json!({"id": "deepseek", "type": "deepseek", "apiTokens": ["a"], "failover": {"enabled": true, "healthCheckModel": "deepseek-chat"}}), true, "api.deepseek.com", "/v1/chat/completions", Some("Bearer a")),
        (json!({"id": "deepseek", "type": "deepseek", "apiTokens": ["a"], "failover": {"enabled": true, "cooldownDuration": 60000}}), true, "api.deepseek.com", "/v1/chat/completions", Some("Bearer a")),
        (json!({"id": "deepseek", "type": "deepseek", "apiTokens": ["a"], "retryOnFailure": {"enabled": true, "maxRetries": 2, "retryOnStatus": ["5.*"]}}), true, "api.deepseek.com", "/v1/chat/completions", Some("Bearer a")),
    ];
    let mut report = String::new();
    let mut bad = Vec::new();
    for (config, accepted, authority, path, auth) in rows {
        let (ok, logs, out) = probe(config.clone(), "m1");
        let (a, p, z) = out.as_ref().map_or(("-".into(), "-".into(), None), |o| {
            (
                o.upstream_header(":authority").unwrap_or("").to_string(),
                o.upstream_header(":path").unwrap_or("").to_string(),
                o.upstream_header("authorization").map(str::to_string),
            )
        });
        writeln!(
            report,
            "{config}\n  accepted={ok} :authority={a} path={p} authorization={z:?} logs={logs:?}"
        )
        .unwrap();
        if ok != accepted || (ok && (a != authority || p != path || z.as_deref() != auth)) {
            bad.push(config.to_string());
        }
    }
    let _ = writeln!(std::io::stderr(), "{report}");
    assert!(bad.is_empty(), "differ from the table: {bad:#?}\n{report}");
}
