//! Providers hosted in China (most also serve from abroad).

use super::{defaulting, of_kind, provider, text};
use crate::gateway::catalog::{EndpointRule, KeyRule, ProviderSpec, SettingKind};

pub(super) const ALIYUN: ProviderSpec = ProviderSpec {
    flag_stem: "dashscope",
    aliases: &["qwen"],
    endpoint: EndpointRule::FromSetting("qwenDomain"),
    settings: &[of_kind(
        text(
            "qwenDomain",
            "dashscope-domain",
            "API domain, e.g. dashscope-intl.aliyuncs.com (international) [default: dashscope.aliyuncs.com]",
        ),
        SettingKind::Host,
    )],
    ..provider(
        "aliyun",
        "qwen",
        "Alibaba Cloud Qwen (Dashscope)",
        "dashscope.aliyuncs.com",
        "qwen*",
        &["qwen3.5-plus", "qwen3-max", "qwen-plus", "qwen3-coder-plus"],
    )
};

pub(super) const DEEPSEEK: ProviderSpec = provider(
    "deepseek",
    "deepseek",
    "DeepSeek",
    "api.deepseek.com",
    "deepseek-*",
    &["deepseek-chat", "deepseek-reasoner"],
);

pub(super) const MOONSHOT: ProviderSpec = ProviderSpec {
    aliases: &["kimi"],
    ..provider(
        "moonshot",
        "moonshot",
        "Moonshot (Kimi)",
        "api.moonshot.cn",
        "moonshot-*,kimi-*",
        &[
            "kimi-k2.5",
            "kimi-k2-0905-preview",
            "kimi-k2-turbo-preview",
            "moonshot-v1-128k",
        ],
    )
};

pub(super) const ZHIPUAI: ProviderSpec = ProviderSpec {
    aliases: &["zhipu", "z.ai", "zai", "glm"],
    endpoint: EndpointRule::FromSetting("zhipuDomain"),
    settings: &[
        of_kind(
            text(
                "zhipuDomain",
                "zhipuai-domain",
                "API domain: open.bigmodel.cn (China) or api.z.ai (international) [default: by region]",
            ),
            SettingKind::Host,
        ),
        of_kind(
            defaulting(
                text(
                    "zhipuCodePlanMode",
                    "zhipuai-code-plan-mode",
                    "Use the Code Plan endpoint (/api/coding/paas/v4) [default: true]",
                ),
                "true",
            ),
            SettingKind::Bool,
        ),
    ],
    ..provider(
        "zhipuai",
        "zhipuai",
        "z.ai / 智谱 (Zhipu AI)",
        "open.bigmodel.cn",
        "GLM-*,glm-*",
        &["glm-5", "glm-4.6", "glm-4.5-air", "glm-4-flash"],
    )
};

pub(super) const MINIMAX: ProviderSpec = ProviderSpec {
    settings: &[
        of_kind(
            text(
                "minimaxApiType",
                "minimax-api-type",
                "Which Minimax API: v2 (chat completion v2) or pro (ChatCompletion Pro, needs --minimax-group-id) [default: v2]",
            ),
            SettingKind::Choice(&["v2", "pro"]),
        ),
        text(
            "minimaxGroupId",
            "minimax-group-id",
            "Minimax group id (needed by the `pro` API)",
        ),
    ],
    ..provider(
        "minimax",
        "minimax",
        "Minimax",
        "api.minimax.chat",
        // `abab6.5s-chat`: the abab models have no dash after the prefix.
        "abab*,MiniMax-*,minimax-*",
        &["MiniMax-M2.5", "MiniMax-M2", "abab6.5s-chat"],
    )
};

pub(super) const YI: ProviderSpec = ProviderSpec {
    aliases: &["01ai", "lingyiwanwu"],
    ..provider(
        "yi",
        "yi",
        "01.AI (Yi)",
        "api.lingyiwanwu.com",
        "yi-*",
        &["yi-lightning", "yi-large"],
    )
};

/// 360's API documentation sends the key as it is (`Authorization: <key>`), as the
/// plugin does; the endpoint also takes `Bearer <key>` from OpenAI SDKs.
pub(super) const AI360: ProviderSpec = ProviderSpec {
    aliases: &["360"],
    ..provider(
        "ai360",
        "ai360",
        "360 Zhinao",
        "api.360.cn",
        "360GPT-*",
        &["360GPT-S2-V9"],
    )
};

pub(super) const BAICHUAN: ProviderSpec = provider(
    "baichuan",
    "baichuan",
    "Baichuan AI",
    "api.baichuan-ai.com",
    "Baichuan*",
    &["Baichuan4", "Baichuan3-Turbo"],
);

pub(super) const BAIDU: ProviderSpec = ProviderSpec {
    aliases: &["ernie", "qianfan"],
    ..provider(
        "baidu",
        "baidu",
        "Baidu Qianfan (ERNIE)",
        "qianfan.baidubce.com",
        "ERNIE-*",
        &["ERNIE-4.0-8K", "ERNIE-Speed-128K"],
    )
};

pub(super) const DOUBAO: ProviderSpec = ProviderSpec {
    aliases: &["volcengine", "ark"],
    endpoint: EndpointRule::FromSetting("doubaoDomain"),
    settings: &[of_kind(
        text(
            "doubaoDomain",
            "doubao-domain",
            "API domain [default: ark.cn-beijing.volces.com]",
        ),
        SettingKind::Host,
    )],
    ..provider(
        "doubao",
        "doubao",
        "Doubao (Volcengine)",
        "ark.cn-beijing.volces.com",
        "doubao-*",
        &["doubao-seed-1-6-250615", "doubao-1-5-pro-32k-250115"],
    )
};

pub(super) const SPARK: ProviderSpec = ProviderSpec {
    aliases: &["iflytek", "xunfei"],
    ..provider(
        "spark",
        "spark",
        "iFlyTek Spark",
        "spark-api-open.xf-yun.com",
        "*",
        &["4.0Ultra", "generalv3.5"],
    )
};

pub(super) const STEPFUN: ProviderSpec = provider(
    "stepfun",
    "stepfun",
    "Stepfun",
    "api.stepfun.com",
    "step-*",
    &["step-2-16k", "step-1-8k"],
);

pub(super) const HUNYUAN: ProviderSpec = ProviderSpec {
    aliases: &["tencent"],
    endpoint: EndpointRule::Hunyuan,
    key: KeyRule::HunyuanKeyOrAuthPair,
    settings: &[
        text(
            "hunyuanAuthId",
            "hunyuan-auth-id",
            "Tencent Cloud SecretId (36 characters)",
        ),
        of_kind(
            text(
                "hunyuanAuthKey",
                "hunyuan-auth-key",
                "Tencent Cloud SecretKey (32 characters)",
            ),
            SettingKind::Secret,
        ),
    ],
    ..provider(
        "hunyuan",
        "hunyuan",
        "Tencent Hunyuan",
        "api.hunyuan.cloud.tencent.com",
        "hunyuan-*",
        &["hunyuan-turbos-latest", "hunyuan-lite"],
    )
};

/// Coze (扣子) bots. The plugin sets the host (`api.coze.cn`) and the Bearer token and
/// passes the request on unchanged, so only Coze's own API works through it: an
/// OpenAI or Anthropic request reaches Coze at a path it does not serve.
pub(super) const COZE: ProviderSpec = ProviderSpec {
    key_help: Some(
        "Coze personal access token(s) (pat_…), comma-separated. Only Coze's own API works through the gateway: POST /v3/chat (bot_id, user_id, additional_messages) with the header x-higress-llm-model: coze (Coze requests carry no model to route by)",
    ),
    ..provider("coze", "coze", "Coze", "api.coze.cn", "coze*", &["coze"])
};

/// LongCat (Meituan) serves its OpenAI API under `/openai/v1`; the plugin sends `/v1/…`.
pub(super) const LONGCAT: ProviderSpec = ProviderSpec {
    fixed: &[("basePath", "/openai"), ("basePathHandling", "prepend")],
    ..provider(
        "longcat",
        "longcat",
        "LongCat",
        "api.longcat.chat",
        "LongCat-*",
        &[
            "LongCat-Flash-Chat",
            "LongCat-Flash-Thinking",
            "LongCat-Flash-Lite",
        ],
    )
};
