//! Model servers the user runs: the gateway reaches them on the address given.

use super::{defaulting, of_kind, provider, required, text};
use crate::gateway::catalog::{EndpointRule, KeyRule, ProviderSpec, SettingKind};

pub(super) const OLLAMA: ProviderSpec = ProviderSpec {
    port: 11434,
    protocol: "http",
    endpoint: EndpointRule::Ollama,
    key: KeyRule::Optional,
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
