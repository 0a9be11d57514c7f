//! The provider table: one row per provider, kept in files by group (`china`,
//! `global`, `self_hosted`) and listed here in the upstream template's generation
//! order (which fixes the order of entries, match rules and registries in the files);
//! providers upstream does not write come last. Adding a provider is adding a row to
//! its group and to [`PROVIDERS`], plus an [`EndpointRule`] when its host is not fixed.

use super::{EndpointRule, KeyRule, ProviderSpec, Setting, SettingKind};

mod china;
mod global;
mod self_hosted;

const fn text(field: &'static str, flag: &'static str, help: &'static str) -> Setting {
    Setting {
        field,
        flag,
        kind: SettingKind::Text,
        default: None,
        required: false,
        help,
    }
}

const fn required(mut s: Setting) -> Setting {
    s.required = true;
    s
}

const fn of_kind(mut s: Setting, kind: SettingKind) -> Setting {
    s.kind = kind;
    s
}

const fn defaulting(mut s: Setting, value: &'static str) -> Setting {
    s.default = Some(value);
    s
}

const fn provider(
    id: &'static str,
    ai_proxy_type: &'static str,
    display_name: &'static str,
    domain: &'static str,
    models: &'static str,
    example_models: &'static [&'static str],
) -> ProviderSpec {
    ProviderSpec {
        id,
        ai_proxy_type,
        display_name,
        flag_stem: id,
        aliases: &[],
        domain,
        port: 443,
        protocol: "https",
        endpoint: EndpointRule::Fixed,
        models,
        example_models,
        key: KeyRule::Required,
        key_help: None,
        settings: &[],
        fixed: &[],
        alt_key: None,
    }
}

pub static PROVIDERS: &[ProviderSpec] = &[
    china::ALIYUN,
    china::DEEPSEEK,
    china::MOONSHOT,
    china::ZHIPUAI,
    china::MINIMAX,
    global::AZURE,
    global::BEDROCK,
    global::VERTEX,
    global::OPENAI,
    global::OPENROUTER,
    china::YI,
    china::AI360,
    china::BAICHUAN,
    china::BAIDU,
    global::CLAUDE,
    global::CLOUDFLARE,
    global::COHERE,
    global::DEEPL,
    global::DIFY,
    china::DOUBAO,
    global::FIREWORKS,
    global::GITHUB,
    global::GEMINI,
    global::GROK,
    global::GROQ,
    global::MISTRAL,
    self_hosted::OLLAMA,
    china::SPARK,
    china::STEPFUN,
    china::HUNYUAN,
    global::TOGETHERAI,
    china::COZE,
    china::LONGCAT,
    self_hosted::VLLM,
    self_hosted::GENERIC,
    self_hosted::TRITON,
];
