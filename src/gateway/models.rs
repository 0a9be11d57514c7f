//! What clients need to know about a model to use it well (context window, output
//! limit, reasoning, images): the known models, and conservative defaults for others.

/// What a client (OpenClaw) needs to know about a model to use it well.
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

/// Known models (the catalog's examples). Anything else gets [`client_model`]'s
/// conservative defaults: text only, no reasoning, 128k context.
pub static MODELS: &[ModelInfo] = &[
    model("qwen-max", "Qwen Max", 32_768, 8_192, false, false),
    model("qwen-plus", "Qwen Plus", 131_072, 8_192, false, false),
    model("qwen-turbo", "Qwen Turbo", 1_000_000, 8_192, false, false),
    model(
        "qwen3-coder-plus",
        "Qwen3 Coder Plus",
        1_000_000,
        65_536,
        false,
        false,
    ),
    model(
        "deepseek-chat",
        "DeepSeek Chat",
        65_536,
        8_192,
        false,
        false,
    ),
    model(
        "deepseek-reasoner",
        "DeepSeek Reasoner",
        65_536,
        32_768,
        true,
        false,
    ),
    model(
        "kimi-k2-0905-preview",
        "Kimi K2",
        262_144,
        16_384,
        false,
        false,
    ),
    model(
        "kimi-k2-turbo-preview",
        "Kimi K2 Turbo",
        262_144,
        16_384,
        false,
        false,
    ),
    model(
        "moonshot-v1-128k",
        "Moonshot v1 128k",
        131_072,
        8_192,
        false,
        false,
    ),
    model("glm-5", "GLM-5", 200_000, 131_072, true, false),
    model("glm-4.6", "GLM-4.6", 200_000, 131_072, true, false),
    model("glm-4.5-air", "GLM-4.5 Air", 131_072, 98_304, true, false),
    model("glm-4-flash", "GLM-4 Flash", 128_000, 4_096, false, false),
    model("MiniMax-M2", "MiniMax M2", 204_800, 131_072, true, false),
    model("abab6.5s-chat", "abab6.5s", 245_760, 8_192, false, false),
    model("gpt-4o", "GPT-4o", 128_000, 16_384, false, true),
    model("gpt-4o-mini", "GPT-4o mini", 128_000, 16_384, false, true),
    model("gpt-4.1", "GPT-4.1", 1_047_576, 32_768, false, true),
    model("o3-mini", "o3-mini", 200_000, 100_000, true, false),
    model(
        "claude-sonnet-4-5",
        "Claude Sonnet 4.5",
        200_000,
        64_000,
        true,
        true,
    ),
    model(
        "claude-opus-4-1",
        "Claude Opus 4.1",
        200_000,
        32_000,
        true,
        true,
    ),
    model(
        "claude-3-5-haiku-latest",
        "Claude 3.5 Haiku",
        200_000,
        8_192,
        false,
        true,
    ),
    model(
        "gemini-2.5-pro",
        "Gemini 2.5 Pro",
        1_048_576,
        65_536,
        true,
        true,
    ),
    model(
        "gemini-2.5-flash",
        "Gemini 2.5 Flash",
        1_048_576,
        65_536,
        true,
        true,
    ),
    model("grok-4", "Grok 4", 256_000, 64_000, true, true),
    model("grok-3-mini", "Grok 3 mini", 131_072, 16_384, true, false),
    model("deepseek-v3", "DeepSeek V3", 65_536, 8_192, false, false),
];

/// The model the auto-router stands for in client model lists.
pub const AUTO_MODEL_INFO: ModelInfo =
    model("auto", "Higress auto-routing", 128_000, 8_192, false, false);

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
        }
    }
}

/// What is known about `id`, else defaults that claim nothing the model may not do
/// (text only, no reasoning, 128k context).
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
        },
    }
}
