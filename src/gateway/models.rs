//! What a client (OpenClaw) needs to know about a model to use it well: its context
//! window, output limit, whether it reasons, whether it takes images.
//!
//! Three layers, the later winning: the known models (`MODELS`, from the providers' own
//! documentation), the user's corrections and additions (`higress-claw models set`, kept
//! in a small file, see [`UserModels`]), and for any other id defaults that claim nothing
//! the model may not do. Every model a client is told about comes from
//! [`served`](super::serving::served) or
//! [`provider_models`](super::serving::provider_models), so `models --json` and
//! `openclaw setup` never disagree.

mod user;

pub use user::{
    FactsChange, InputKind, InputKinds, ModelFacts, UserModels, UserModelsError, display_name,
    models_file,
};

/// A known model, as the provider documents it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelInfo {
    pub id: &'static str,
    pub name: &'static str,
    pub context_window: u32,
    pub max_tokens: u32,
    pub reasoning: bool,
    /// Accepts images as well as text.
    pub image: bool,
}

const fn model(
    id: &'static str,
    name: &'static str,
    context_window: u32,
    max_tokens: u32,
    reasoning: bool,
    image: bool,
) -> ModelInfo {
    ModelInfo {
        id,
        name,
        context_window,
        max_tokens,
        reasoning,
        image,
    }
}

/// Known models (the catalog's examples and a few more). Figures are the providers' own:
/// context window and the largest output a request may ask for; `reasoning` when the
/// model thinks (always or on request), `image` when it takes image input.
#[rustfmt::skip]
pub static MODELS: &[ModelInfo] = &[
    // Alibaba Cloud Model Studio (help.aliyun.com/zh/model-studio/models).
    model("qwen3.5-plus", "Qwen3.5 Plus", 1_000_000, 65_536, true, true),
    model("qwen3-max", "Qwen3 Max", 262_144, 65_536, false, false),
    model("qwen-max", "Qwen Max", 32_768, 8_192, false, false),
    model("qwen-plus", "Qwen Plus", 131_072, 8_192, false, false),
    model("qwen-turbo", "Qwen Turbo", 1_000_000, 8_192, false, false),
    model("qwen3-coder-plus", "Qwen3 Coder Plus", 1_000_000, 65_536, false, false),
    // DeepSeek V3.2 (api-docs.deepseek.com, models & pricing): 128K context; 8K output
    // for chat, 64K for the reasoner.
    model("deepseek-chat", "DeepSeek Chat", 131_072, 8_192, false, false),
    model("deepseek-reasoner", "DeepSeek Reasoner", 131_072, 65_536, true, false),
    // Moonshot (platform.moonshot.cn / platform.kimi.ai): 256K, images, thinking.
    model("kimi-k2.5", "Kimi K2.5", 262_144, 32_768, true, true),
    model("kimi-k2-0905-preview", "Kimi K2", 262_144, 16_384, false, false),
    model("kimi-k2-turbo-preview", "Kimi K2 Turbo", 262_144, 16_384, false, false),
    model("moonshot-v1-128k", "Moonshot v1 128k", 131_072, 8_192, false, false),
    // Zhipu (docs.bigmodel.cn): GLM-5 200K context, 128K output, text only.
    model("glm-5", "GLM-5", 200_000, 128_000, true, false),
    model("glm-4.6", "GLM-4.6", 200_000, 131_072, true, false),
    model("glm-4.5-air", "GLM-4.5 Air", 131_072, 98_304, true, false),
    model("glm-4-flash", "GLM-4 Flash", 128_000, 4_096, false, false),
    // MiniMax (its M2.5 release note and API docs): 204,800 context, thinking always on,
    // text only.
    model("MiniMax-M2.5", "MiniMax M2.5", 204_800, 131_072, true, false),
    model("MiniMax-M2", "MiniMax M2", 204_800, 131_072, true, false),
    model("abab6.5s-chat", "abab6.5s", 245_760, 8_192, false, false),
    // OpenAI: GPT-5.4 1,050,000 context; mini and nano 400,000; all 128,000 output,
    // text and images, reasoning effort none to xhigh.
    model("gpt-5.4", "GPT-5.4", 1_050_000, 128_000, true, true),
    model("gpt-5.4-mini", "GPT-5.4 mini", 400_000, 128_000, true, true),
    model("gpt-5.4-nano", "GPT-5.4 nano", 400_000, 128_000, true, true),
    model("gpt-4o", "GPT-4o", 128_000, 16_384, false, true),
    model("gpt-4o-mini", "GPT-4o mini", 128_000, 16_384, false, true),
    model("gpt-4.1", "GPT-4.1", 1_047_576, 32_768, false, true),
    model("o3-mini", "o3-mini", 200_000, 100_000, true, false),
    // Anthropic (platform.claude.com, each model's overview): Opus 4.6 and Sonnet 4.6 1M
    // context and 128K output, Haiku 4.5 200K and 64K; all think and see.
    model("claude-opus-4-6", "Claude Opus 4.6", 1_000_000, 128_000, true, true),
    model("claude-sonnet-4-6", "Claude Sonnet 4.6", 1_000_000, 128_000, true, true),
    model("claude-haiku-4-5", "Claude Haiku 4.5", 200_000, 64_000, true, true),
    model("claude-sonnet-4-5", "Claude Sonnet 4.5", 200_000, 64_000, true, true),
    model("claude-opus-4-1", "Claude Opus 4.1", 200_000, 32_000, true, true),
    model("claude-3-5-haiku-latest", "Claude 3.5 Haiku", 200_000, 8_192, false, true),
    model("gemini-2.5-pro", "Gemini 2.5 Pro", 1_048_576, 65_536, true, true),
    model("gemini-2.5-flash", "Gemini 2.5 Flash", 1_048_576, 65_536, true, true),
    model("grok-4", "Grok 4", 256_000, 64_000, true, true),
    model("grok-3-mini", "Grok 3 mini", 131_072, 16_384, true, false),
    model("deepseek-v3", "DeepSeek V3", 65_536, 8_192, false, false),
];

/// The auto-router as a client lists it when nothing is known of the models it routes
/// to (see [`auto_model`]).
pub const AUTO_MODEL_INFO: ModelInfo =
    model("auto", "Higress auto-routing", 128_000, 8_192, false, false);

/// The name under which the user's facts for the auto-router are kept.
pub const AUTO_REF: &str = super::AUTO_MODEL;

/// Where a model's facts come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactSource {
    /// The table above.
    Catalog,
    /// `higress-claw models set`.
    User,
    /// Nothing is known: text only, no reasoning, 128k context.
    Default,
    /// The auto-router: what every model it may pick can do.
    Routed,
}

impl FactSource {
    pub fn as_str(self) -> &'static str {
        match self {
            FactSource::Catalog => "catalog",
            FactSource::User => "user",
            FactSource::Default => "default",
            FactSource::Routed => "routed",
        }
    }
}

/// A model as a client's model list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientModel {
    pub id: String,
    pub name: String,
    pub reasoning: bool,
    /// `text`, and `image` when the model accepts images.
    pub input: Vec<&'static str>,
    pub context_window: u32,
    pub max_tokens: u32,
    pub source: FactSource,
}

impl From<ModelInfo> for ClientModel {
    fn from(m: ModelInfo) -> Self {
        Self {
            id: m.id.to_string(),
            name: m.name.to_string(),
            reasoning: m.reasoning,
            input: if m.image {
                vec!["text", "image"]
            } else {
                vec!["text"]
            },
            context_window: m.context_window,
            max_tokens: m.max_tokens,
            source: FactSource::Catalog,
        }
    }
}

/// What the catalog knows about `id`, else defaults that claim nothing the model may
/// not do (text only, no reasoning, 128k context).
pub fn client_model(id: &str) -> ClientModel {
    match MODELS.iter().copied().find(|m| m.id == id) {
        Some(known) => known.into(),
        None => ClientModel {
            id: id.to_string(),
            name: id.to_string(),
            reasoning: false,
            input: vec!["text"],
            context_window: 128_000,
            max_tokens: 8_192,
            source: FactSource::Default,
        },
    }
}

/// The auto-router's entry: it may answer with any of `targets` (the models its rules
/// and default name), so it claims only what all of them can do; with no target known,
/// [`AUTO_MODEL_INFO`]. The user's facts for `higress/auto` win over both.
pub fn auto_model(targets: &[ClientModel], user: &UserModels) -> ClientModel {
    let mut auto: ClientModel = AUTO_MODEL_INFO.into();
    if let Some(first) = targets.first() {
        auto.context_window = targets
            .iter()
            .map(|m| m.context_window)
            .min()
            .unwrap_or(first.context_window);
        auto.max_tokens = targets
            .iter()
            .map(|m| m.max_tokens)
            .min()
            .unwrap_or(first.max_tokens);
        auto.reasoning = targets.iter().all(|m| m.reasoning);
        auto.input = if targets.iter().all(|m| m.input.contains(&"image")) {
            vec!["text", "image"]
        } else {
            vec!["text"]
        };
        auto.source = FactSource::Routed;
    }
    match user.get(AUTO_REF) {
        Some(facts) => facts.apply(auto),
        None => auto,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_unknown_and_corrected() {
        let glm = client_model("glm-5");
        assert_eq!((glm.context_window, glm.reasoning), (200_000, true));
        assert_eq!(glm.input, vec!["text"]);
        let other = client_model("acme-1");
        assert_eq!(other.source, FactSource::Default);
        assert!(!other.reasoning && other.input == vec!["text"]);
        let user = UserModels::from_json(
            r#"{"models":{"glm-5":{"context_window":1000}, "acme-1":{"input":["text","image"]}}}"#,
        )
        .unwrap();
        let corrected = user.correct(glm);
        assert_eq!(
            (corrected.context_window, corrected.max_tokens),
            (1000, 128_000)
        );
        assert_eq!(corrected.source, FactSource::User);
        assert_eq!(user.correct(other).input, vec!["text", "image"]);
    }

    #[test]
    fn the_auto_router_claims_what_all_its_targets_can_do() {
        let user = UserModels::default();
        let targets = [client_model("gpt-5.4"), client_model("deepseek-chat")];
        let auto = auto_model(&targets, &user);
        assert_eq!(auto.id, "auto");
        assert_eq!((auto.context_window, auto.max_tokens), (131_072, 8_192));
        assert!(!auto.reasoning);
        assert_eq!(auto.input, vec!["text"]);
        let images = auto_model(
            &[client_model("gpt-5.4"), client_model("claude-opus-4-6")],
            &user,
        );
        assert!(images.reasoning && images.input == vec!["text", "image"]);
        assert_eq!(auto_model(&[], &user).context_window, 128_000);
        let user =
            UserModels::from_json(r#"{"models":{"higress/auto":{"max_tokens":4096}}}"#).unwrap();
        assert_eq!(auto_model(&targets, &user).max_tokens, 4096);
    }

    #[test]
    fn current_models_are_known() {
        for id in [
            "gpt-5.4",
            "gpt-5.4-mini",
            "gpt-5.4-nano",
            "claude-opus-4-6",
            "claude-sonnet-4-6",
            "claude-haiku-4-5",
            "qwen3.5-plus",
            "kimi-k2.5",
            "MiniMax-M2.5",
        ] {
            assert_eq!(client_model(id).source, FactSource::Catalog, "{id}");
        }
    }
}
