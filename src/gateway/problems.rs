//! What is wrong with a folder in ways Higress would silently ignore or misroute:
//! the findings `doctor` reports. Reading them never changes the folder.

use super::configured::ConfiguredProvider;
use super::folder::{DataFolder, FolderError};
use super::paths;
use super::provider::{is_placeholder_entry, is_placeholder_key};
use super::resources::{AiProxyConfig, WasmPlugin};

/// Something wrong with the folder that Higress would silently ignore or misroute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// A resource file that does not parse (Higress keeps the old config).
    Unparseable { path: String, message: String },
    /// A provider that still carries upstream's `YOUR_…_API_KEY` token.
    Placeholder { provider: String },
    /// Two providers whose routes claim the same models.
    /// `example`: a model both accept (empty when too large to say).
    SameModels {
        first: String,
        second: String,
        example: String,
    },
    /// An edit was cut off after it was decided: its journal still lists `files` to
    /// write. The next edit, or `repair`, finishes it.
    Interrupted { files: Vec<String> },
    /// A file that parses but lacks what its resource must hold.
    Damaged {
        path: String,
        line: Option<usize>,
        problem: String,
    },
    /// A provider with some of its resources but not all (an edit cut off); without
    /// its ingress it never serves, without its entry it fails every request.
    Partial {
        provider: String,
        present: Vec<&'static str>,
        missing: Vec<&'static str>,
    },
    /// A route's fallback cut in half (see `broken_fallbacks`).
    BrokenFallback {
        provider: String,
        problem: &'static str,
    },
    /// Auto-routing sends requests to a model no provider serves (`what`: "the default
    /// model", "rule 2").
    UnservedTarget { what: String, model: String },
}

impl DataFolder {
    /// Every problem found in the folder, without changing it.
    pub fn problems(&self) -> Result<Vec<Problem>, FolderError> {
        let mut out = self.unparseable_files();
        if out.iter().any(|p| matches!(p, Problem::Unparseable { .. })) {
            return Ok(out);
        }
        // In full: doctor is where all damage is named, whatever an edit noted.
        for d in self.damage_in_full()? {
            out.push(Problem::Damaged {
                path: d.path,
                line: d.line,
                problem: d.problem,
            });
        }
        // What a damaged file lacks, the typed reads below would trip over; a value
        // in the wrong shape is still worth naming next to what is missing.
        if out.iter().any(|p| matches!(p, Problem::Damaged { .. })) {
            if let Err(FolderError::Parse { line, message, .. }) =
                self.load_resource::<WasmPlugin<AiProxyConfig>>(paths::AI_PROXY)
            {
                let at = line.map(|l| format!(":{l}")).unwrap_or_default();
                out.push(Problem::Unparseable {
                    path: format!("{}{at}", paths::AI_PROXY),
                    message,
                });
            }
            return Ok(out);
        }
        if let Some(proxy) = self.load_resource::<WasmPlugin<AiProxyConfig>>(paths::AI_PROXY)? {
            for entry in &proxy.spec.default_config.providers {
                let takes_keys = super::catalog::find(&entry.id).is_none_or(|s| s.takes_keys());
                let placeholder_key = takes_keys
                    && entry
                        .api_tokens
                        .iter()
                        .any(|t| is_placeholder_key(t.expose()));
                if placeholder_key || is_placeholder_entry(entry) {
                    out.push(Problem::Placeholder {
                        provider: entry.id.clone(),
                    });
                }
            }
        }
        if let Some(changes) = super::journal::read(self.store())? {
            out.push(Problem::Interrupted {
                files: changes.iter().map(|c| c.path().to_string()).collect(),
            });
        }
        for partial in self.partial_providers()? {
            out.push(Problem::Partial {
                present: partial.parts.present(),
                missing: partial.parts.missing(),
                provider: partial.provider,
            });
        }
        for (provider, problem) in self.broken_fallbacks()? {
            out.push(Problem::BrokenFallback { provider, problem });
        }
        let providers = self.providers()?;
        for (a, b, example) in super::pattern::same_routes(&providers, |p| p.route.clone()) {
            out.push(Problem::SameModels {
                first: a.id.clone(),
                second: b.id.clone(),
                example,
            });
        }
        for (what, model) in self.unserved_targets(&providers)? {
            out.push(Problem::UnservedTarget { what, model });
        }
        Ok(out)
    }

    /// Every resource file that does not parse, with its line.
    fn unparseable_files(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        for dir in ["wasmplugins", "ingresses", "configmaps", "mcpbridges"] {
            let Ok(entries) = std::fs::read_dir(self.root().join(dir)) else {
                continue;
            };
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if !name.ends_with(".yaml") {
                    continue;
                }
                let relative = format!("{dir}/{name}");
                // The shared tree: the checks below read the same files.
                if let Err(FolderError::Parse { line, message, .. }) = self.parsed(&relative) {
                    let at = line.map(|l| format!(":{l}")).unwrap_or_default();
                    out.push(Problem::Unparseable {
                        path: format!("{relative}{at}"),
                        message,
                    });
                }
            }
        }
        out
    }

    /// Where an enabled auto-routing sends requests that no provider in `providers`
    /// serves: `(which requests, model)`.
    pub fn unserved_targets(
        &self,
        providers: &[ConfiguredProvider],
    ) -> Result<Vec<(String, String)>, FolderError> {
        let Some(routing) = self.auto_routing()?.filter(|r| r.enable) else {
            return Ok(Vec::new());
        };
        Ok(routing
            .targets()
            .into_iter()
            .filter(|(_, model)| super::routing::resolve(model, providers).provider.is_none())
            .collect())
    }
}
