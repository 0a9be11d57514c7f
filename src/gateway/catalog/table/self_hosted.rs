//! Model servers the user runs: the gateway reaches them on the address given.

use super::{defaulting, of_kind, provider, required, text};
use crate::gateway::catalog::{EndpointRule, KeyRule, ProviderSpec, SettingKind};

pub(super) const OLLAMA: ProviderSpec = ProviderSpec {
    port: 11434,
    protocol: "http",
    endpoint: EndpointRule::Ollama,
    // The plugin sends Ollama no credential: Ollama has no authentication.
    key: KeyRule::None,
    settings: &[
        required(of_kind(
            text(
                "ollamaServerHost",
                "ollama-host",
                "Host running Ollama, e.g. 192.168.1.10",
            ),
            SettingKind::Host,
        )),
        of_kind(
            defaulting(
                text(
                    "ollamaServerPort",
                    "ollama-port",
                    "Ollama port [default: 11434]",
                ),
                "11434",
            ),
            SettingKind::Port,
        ),
    ],
    ..provider(
        "ollama",
        "ollama",
        "Ollama",
        "localhost",
        "llama*,codellama*",
        &["llama3.1", "codellama"],
    )
};

/// vLLM's OpenAI-compatible server. The plugin takes `vllmCustomUrl` whole: its
/// `host[:port]` is the request's authority, and each API's path is the URL's path plus
/// the OpenAI path after `/v1` (a URL ending in `/chat/completions` serves every
/// request). Its `vllmServerHost` drops the port, so the URL is what is written.
pub(super) const VLLM: ProviderSpec = ProviderSpec {
    port: 8000,
    protocol: "http",
    endpoint: EndpointRule::FromUrl("vllmCustomUrl"),
    key: KeyRule::Optional,
    key_help: Some(
        "vLLM API key(s), comma-separated, when the server was started with --api-key (sent as Bearer)",
    ),
    settings: &[required(of_kind(
        text(
            "vllmCustomUrl",
            "vllm-url",
            "vLLM server URL, the base of its OpenAI API, e.g. http://10.0.0.5:8000/v1 [a URL without a path gets /v1]",
        ),
        SettingKind::Url(Some("/v1")),
    ))],
    ..provider(
        "vllm",
        "vllm",
        "vLLM",
        "localhost",
        "*",
        &["Qwen/Qwen3-8B", "meta-llama/Llama-3.1-8B-Instruct"],
    )
};

/// Any OpenAI-compatible endpoint (a model server, a company proxy). The plugin passes
/// path and body on unchanged, names the host from `genericHost` and sends the key as
/// Bearer; the URL given becomes that host, the registry, and for a URL under a path
/// (`…/openai/v1`) a prepended `basePath`.
pub(super) const GENERIC: ProviderSpec = ProviderSpec {
    aliases: &["openai-compatible"],
    port: 80,
    protocol: "http",
    endpoint: EndpointRule::Authority {
        url: "genericUrl",
        field: "genericHost",
        base_path: true,
    },
    key: KeyRule::Optional,
    key_help: Some(
        "API key(s) of the OpenAI-compatible endpoint, comma-separated, when it wants one (sent as Bearer)",
    ),
    settings: &[
        required(of_kind(
            text(
                "genericUrl",
                "generic-url",
                "Base URL of an OpenAI-compatible API as clients use it, e.g. http://10.0.0.5:8000/v1 or https://llm.example.com/openai/v1; requests keep their path (/v1/chat/completions, /v1/embeddings, …), the part before /v1 put in front",
            ),
            SettingKind::Url(None),
        )),
        of_kind(
            text(
                "firstByteTimeout",
                "generic-first-byte-timeout",
                "Milliseconds to wait for the first byte of an answer [default: the route's timeout]",
            ),
            SettingKind::Number,
        ),
    ],
    ..provider(
        "generic",
        "generic",
        "OpenAI-compatible endpoint",
        "localhost",
        "*",
        &["Qwen/Qwen3-8B", "gpt-oss-20b"],
    )
};

/// NVIDIA Triton Inference Server, through its generate extension: the plugin builds
/// the path (`/v2/models/<model>[/versions/<v>]/generate`, `_stream` when streaming),
/// rewrites the body, names the host from `tritonDomain`, and refuses an entry without
/// `apiTokens` although it never sends one.
pub(super) const TRITON: ProviderSpec = ProviderSpec {
    aliases: &["nvidia-triton"],
    port: 8000,
    protocol: "http",
    endpoint: EndpointRule::Authority {
        url: "tritonUrl",
        field: "tritonDomain",
        base_path: false,
    },
    key: KeyRule::Filler("triton-takes-no-key"),
    settings: &[
        required(of_kind(
            text(
                "tritonUrl",
                "triton-url",
                "Triton server URL, its HTTP port without a path, e.g. http://10.0.0.5:8000",
            ),
            SettingKind::Url(None),
        )),
        text(
            "tritonModelVersion",
            "triton-model-version",
            "Model version to call, e.g. 1 [default: the one Triton's version policy picks]",
        ),
    ],
    ..provider(
        "triton",
        "triton",
        "NVIDIA Triton",
        "localhost",
        "*",
        &["ensemble", "tensorrt_llm_bls"],
    )
};
