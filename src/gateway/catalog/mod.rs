//! The provider catalog: every LLM provider the gateway can route to, in one table.
//!
//! The order is the upstream template's generation order, which fixes the order of
//! providers, match rules and registries in the files. Ids, ai-proxy types, domains and
//! default model patterns follow the upstream template, except where the ai-proxy plugin
//! disagrees with it (Together AI's type is `together-ai`). CLI flags, `config add
//! --extra-config` keys and validation are all derived from the table in `table.rs`;
//! this module holds its types and the lookups by name.

/// How a provider's upstream host is found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointRule {
    /// The `domain` column as is.
    Fixed,
    /// The value of a setting (e.g. `zhipuDomain`), else the `domain` column.
    FromSetting(&'static str),
    /// Scheme, host and port of a URL setting (e.g. `azureServiceUrl`), else `domain`.
    FromUrl(&'static str),
    /// Like `FromUrl` for a URL the plugin does not read itself (generic, Triton): its
    /// `host[:port]` is the request's authority, written into the entry as `field`
    /// (`genericHost`, `tritonDomain`). With `base_path`, the URL's path before the
    /// `/v1` clients send becomes a prepended `basePath`: the plugin passes the path on.
    Authority {
        url: &'static str,
        field: &'static str,
        base_path: bool,
    },
    /// `bedrock-runtime.<awsRegion>.amazonaws.com`; Anthropic Messages requests go to
    /// `bedrock-mantle.<awsRegion>.api.aws` through a second route (see
    /// `ProviderConfig::side_routes`).
    Bedrock,
    /// `api-free.deepl.com` for DeepL Free keys (they end in `:fx`), else
    /// `api.deepl.com`. The plugin picks the host from the model (`Free`, `Pro`).
    DeepL,
    /// `aiplatform.googleapis.com` in express mode (API key), else
    /// `<vertexRegion>-aiplatform.googleapis.com`.
    Vertex,
    /// TC3-signed API when `hunyuanAuthId` is set, else the OpenAI-compatible host.
    Hunyuan,
    /// `ollamaServerHost`:`ollamaServerPort` over plain HTTP.
    Ollama,
}

/// Which credentials a provider needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyRule {
    /// At least one API key.
    Required,
    /// Keys are optional, sent as Bearer when given (a vLLM started with `--api-key`).
    Optional,
    /// The plugin sends no key at all (Ollama): a key given is refused, one found in a
    /// folder is ignored.
    None,
    /// The plugin refuses an entry without `apiTokens` yet never sends one (Triton):
    /// this filler is written for it, and a key given is refused.
    Filler(&'static str),
    /// An API key (bearer) or `awsAccessKey` + `awsSecretKey`.
    BedrockKeyOrAccessKeys,
    /// An API key (express mode) or a service-account key file with its service name.
    VertexKeyOrServiceAccount,
    /// An API key (OpenAI-compatible mode) or `hunyuanAuthId` + `hunyuanAuthKey`.
    HunyuanKeyOrAuthPair,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingKind {
    Text,
    /// A host name or IPv4 address: it becomes the registry's domain, and McpBridge
    /// takes nothing else there.
    Host,
    /// One of these spellings (the plugin compares them exactly); input is matched
    /// case-insensitively and written in the listed spelling.
    Choice(&'static [&'static str]),
    /// `true`/`false`; written as a YAML bool.
    Bool,
    /// A TCP port; written as a YAML number.
    Port,
    /// A whole number (milliseconds); written as a YAML number.
    Number,
    /// A credential: stored like text, masked in every output.
    Secret,
    /// The flag names a file whose contents (JSON, compacted) become the value.
    FileContents,
    /// An `http(s)://host[:port][/path]` URL, without user, query or fragment; one
    /// without a path gets the given path (vLLM's OpenAI API lives under `/v1`).
    Url(Option<&'static str>),
}

/// A provider setting written into its ai-proxy entry (`zhipuDomain: api.z.ai`).
#[derive(Debug, Clone, Copy)]
pub struct Setting {
    /// Field name in the ai-proxy provider entry; also the `--extra-config` key.
    pub field: &'static str,
    /// CLI flag without the dashes, e.g. `zhipuai-domain`.
    pub flag: &'static str,
    pub kind: SettingKind,
    /// Written when the user gives no value.
    pub default: Option<&'static str>,
    /// Must be given (or defaulted) for the provider to work.
    pub required: bool,
    pub help: &'static str,
}

/// A second way to give a provider's key that also switches settings on
/// (`--claude-code-key` = Claude with an OAuth token and `claudeCodeMode: true`).
#[derive(Debug, Clone, Copy)]
pub struct AltKey {
    pub flag_stem: &'static str,
    pub display_name: &'static str,
    pub sets: &'static [(&'static str, &'static str)],
    pub help: &'static str,
}

#[derive(Debug, Clone, Copy)]
pub struct ProviderSpec {
    /// Provider id: file names (`ai-route-<id>.internal.yaml`), registry, `activeProviderId`.
    pub id: &'static str,
    /// ai-proxy `type`.
    pub ai_proxy_type: &'static str,
    pub display_name: &'static str,
    /// Stem of `--<stem>-key` / `--<stem>-models` (get-ai-gateway.sh's names).
    pub flag_stem: &'static str,
    /// Names accepted by `--provider` besides the id and the flag stem.
    pub aliases: &'static [&'static str],
    pub domain: &'static str,
    pub port: u16,
    pub protocol: &'static str,
    pub endpoint: EndpointRule,
    /// Default model pattern (comma-separated, `*` wildcards), as get-ai-gateway.sh sets it.
    pub models: &'static str,
    /// Concrete model ids, most useful first; used for examples and client model lists.
    pub example_models: &'static [&'static str],
    pub key: KeyRule,
    /// The key flag's help when `<name> API key(s)` does not say enough (what the key
    /// is, what a client must send).
    pub key_help: Option<&'static str>,
    pub settings: &'static [Setting],
    /// Entry fields written as they are, whatever the user sets: what the plugin needs
    /// to reach the provider's documented API (Fireworks' `basePath: /inference`).
    pub fixed: &'static [(&'static str, &'static str)],
    pub alt_key: Option<AltKey>,
}

impl ProviderSpec {
    pub fn setting(&self, field: &str) -> Option<&'static Setting> {
        self.settings.iter().find(|s| s.field == field)
    }

    /// Whether the provider takes API keys at all (Ollama and Triton do not).
    pub fn takes_keys(&self) -> bool {
        !matches!(self.key, KeyRule::None | KeyRule::Filler(_))
    }

    /// Entry fields higress-claw derives from the settings rather than takes as they
    /// are: they are rewritten with the entry.
    pub fn derived_fields(&self) -> Vec<&'static str> {
        let mut fields: Vec<&'static str> = self.fixed.iter().map(|(f, _)| *f).collect();
        if let EndpointRule::Authority {
            field, base_path, ..
        } = self.endpoint
        {
            fields.push(field);
            if base_path {
                fields.extend(["basePath", "basePathHandling"]);
            }
        }
        fields
    }

    /// Every name `--provider` accepts for this provider.
    pub fn names(&self) -> impl Iterator<Item = &'static str> {
        [self.id, self.flag_stem]
            .into_iter()
            .chain(self.aliases.iter().copied())
    }
}

mod table;

pub use table::PROVIDERS;

/// Looks a provider up by id, flag stem or alias, ignoring case.
pub fn find(name: &str) -> Option<&'static ProviderSpec> {
    let wanted = name.trim().to_ascii_lowercase();
    PROVIDERS
        .iter()
        .find(|p| p.names().any(|n| n.eq_ignore_ascii_case(&wanted)))
}

/// The closest known name, for "did you mean" hints.
pub fn suggest(name: &str) -> Option<&'static str> {
    let wanted = name.trim().to_ascii_lowercase();
    PROVIDERS
        .iter()
        .flat_map(|p| p.names())
        .map(|n| (edit_distance(&wanted, n), n))
        .filter(|(d, n)| *d <= 2.max(n.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(cur).min(row[j])
            };
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_flags_and_aliases_are_unique() {
        let mut seen = HashSet::new();
        for p in PROVIDERS {
            let own: HashSet<&str> = p.names().collect();
            for name in own {
                assert!(seen.insert(name), "{name} names two providers");
            }
        }
        assert_eq!(PROVIDERS.len(), 36);
    }

    #[test]
    fn aliases_resolve() {
        assert_eq!(find("qwen").unwrap().id, "aliyun");
        assert_eq!(find("Dashscope").unwrap().id, "aliyun");
        assert_eq!(find("kimi").unwrap().id, "moonshot");
        assert_eq!(find("zhipu").unwrap().id, "zhipuai");
        assert_eq!(find("together").unwrap().id, "togetherai");
        assert_eq!(find("together").unwrap().ai_proxy_type, "together-ai");
        assert!(find("nope").is_none());
        assert_eq!(suggest("deepsek"), Some("deepseek"));
    }
}
