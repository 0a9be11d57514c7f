//! Whether the folder still holds what the gateway needs, file by file and provider by
//! provider, before anything builds on it.
//!
//! A file can parse and still be damaged: cut short by a full disk, half-edited by
//! hand. Editing on top of it would render it again without what it lost (the other
//! providers' entries, the plugin's `url`, `phase`, `priority`), so a damaged folder is
//! refused for edits and export, naming the file, the line and the repair, and `doctor`
//! reports it. A provider is complete when it has all five resources (its ai-proxy
//! entry and match rule, its McpBridge registry, its Ingress and its console
//! ConfigMap); one with only some of them was cut off mid-edit, and `repair` finishes
//! or removes it.

use std::collections::BTreeSet;
use std::rc::Rc;

use super::folder::{DataFolder, FolderError, Transaction, render};
use super::paths;
use super::provider::{registry_name, side_routes_of};
use super::resources::{ModelRouterConfig, WasmPlugin};
use super::templates;
use super::verified;
use crate::yaml::{self, Value};

/// A file that does not hold what its resource must, and how to put it right.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damage {
    /// Relative to the data folder.
    pub path: String,
    /// 1-based, where the problem is (or where the missing part belongs).
    pub line: Option<usize>,
    pub problem: String,
}

/// The resources of one provider that exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Parts {
    pub entry: bool,
    pub rule: bool,
    pub registry: bool,
    pub ingress: bool,
    pub configmap: bool,
}

impl Parts {
    const NAMES: [&'static str; 5] = [
        "ai-proxy entry",
        "match rule",
        "registry",
        "ingress",
        "console ConfigMap",
    ];

    fn flags(self) -> [bool; 5] {
        [
            self.entry,
            self.rule,
            self.registry,
            self.ingress,
            self.configmap,
        ]
    }

    pub fn complete(self) -> bool {
        self.flags().iter().all(|f| *f)
    }

    pub fn present(self) -> Vec<&'static str> {
        Self::NAMES
            .iter()
            .zip(self.flags())
            .filter(|(_, f)| *f)
            .map(|(n, _)| *n)
            .collect()
    }

    pub fn missing(self) -> Vec<&'static str> {
        Self::NAMES
            .iter()
            .zip(self.flags())
            .filter(|(_, f)| !*f)
            .map(|(n, _)| *n)
            .collect()
    }
}

/// A provider with some of its resources but not all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partial {
    pub provider: String,
    pub parts: Parts,
}

/// What each managed file must hold for the plugins and the controller.
struct Expect {
    path: &'static str,
    api_version: &'static str,
    kind: &'static str,
    /// Keys under `spec` that must be there.
    spec_keys: &'static [&'static str],
}

const WASM_PLUGIN_KEYS: &[&str] = &["defaultConfig", "url", "phase", "priority", "failStrategy"];

const FILES: &[Expect] = &[
    Expect {
        path: paths::AI_PROXY,
        api_version: "extensions.higress.io/v1alpha1",
        kind: "WasmPlugin",
        spec_keys: WASM_PLUGIN_KEYS,
    },
    Expect {
        path: paths::MODEL_ROUTER,
        api_version: "extensions.higress.io/v1alpha1",
        kind: "WasmPlugin",
        spec_keys: WASM_PLUGIN_KEYS,
    },
    Expect {
        path: paths::AI_STATISTICS,
        api_version: "extensions.higress.io/v1alpha1",
        kind: "WasmPlugin",
        spec_keys: WASM_PLUGIN_KEYS,
    },
    Expect {
        path: paths::KEY_AUTH,
        api_version: "extensions.higress.io/v1alpha1",
        kind: "WasmPlugin",
        spec_keys: WASM_PLUGIN_KEYS,
    },
    Expect {
        path: paths::MCP_BRIDGE,
        api_version: "networking.higress.io/v1",
        kind: "McpBridge",
        spec_keys: &["registries"],
    },
];

impl DataFolder {
    /// Every damaged file, in a stable order; empty for a sound folder. Model-router
    /// bytes that the lock file's note vouches for passed these checks before and are
    /// not parsed again (see `verified`); [`Self::damage_in_full`] checks them anyway.
    pub fn damage(&self) -> Result<Vec<Damage>, FolderError> {
        let vouched = self.router_vouched(self.store().lock_note().as_deref())?;
        Ok(self.damage_given(vouched)?.0)
    }

    /// Every damaged file, each parsed and checked whatever a note says: `doctor`'s.
    pub fn damage_in_full(&self) -> Result<Vec<Damage>, FolderError> {
        Ok(self.damage_given(false)?.0)
    }

    /// The damage, but the router's when `router_vouched`; and the note that vouches
    /// for the router's bytes when they were checked here and are whole.
    fn damage_given(
        &self,
        router_vouched: bool,
    ) -> Result<(Vec<Damage>, Option<String>), FolderError> {
        let mut out = Vec::new();
        let mut note = None;
        for expect in FILES {
            if router_vouched && expect.path == paths::MODEL_ROUTER {
                continue;
            }
            if let Some((text, doc)) = self.document(expect.path)? {
                let before = out.len();
                check_file(expect, &text, &doc, &mut out);
                if expect.path == paths::MODEL_ROUTER && out.len() == before {
                    // The very bytes checked, not a second read a hand edit could change.
                    note = Some(verified::note_for(&text));
                }
            }
        }
        if let Some((text, doc)) = self.document(paths::AI_PROXY)? {
            check_ai_proxy(&text, &doc, &mut out);
        }
        if let Some((text, doc)) = self.document(paths::MCP_BRIDGE)? {
            check_registries(&text, &doc, &mut out);
        }
        if let Some((text, doc)) = self.document(paths::KEY_AUTH)? {
            check_key_auth(&text, &doc, &mut out);
        }
        for id in self.ingress_ids() {
            let path = paths::ingress(&id);
            if let Some((text, doc)) = self.document(&path)? {
                check_ingress(&path, &text, &doc, &mut out);
            }
        }
        Ok((out, note))
    }

    /// Whether the model-router's bytes are those `note` vouches for: then they passed
    /// every check of this file before (`verified`). Reading and hashing the file costs
    /// a small part of parsing its rules.
    fn router_vouched(&self, note: Option<&str>) -> Result<bool, FolderError> {
        let Some(note) = note else {
            return Ok(false);
        };
        Ok(self
            .store()
            .read(paths::MODEL_ROUTER)?
            .is_some_and(|text| verified::vouches(note, &text)))
    }

    /// Refuses an edit or an export of a damaged folder, naming the first damage: a
    /// file that does not parse (with its line), one that lacks what its resource
    /// needs, or a provider cut off mid-edit.
    pub fn check_sound(&self) -> Result<(), FolderError> {
        self.check_sound_noted(self.store().lock_note().as_deref())
            .map(drop)
    }

    /// [`Self::check_sound`] given the lock file's note: a router it vouches for is not
    /// parsed. Returns the note to leave when the router was checked in full and the
    /// folder is sound, so the next edit need not parse it again.
    pub(super) fn check_sound_noted(
        &self,
        note: Option<&str>,
    ) -> Result<Option<String>, FolderError> {
        let router_vouched = self.router_vouched(note)?;
        for expect in FILES {
            if !(router_vouched && expect.path == paths::MODEL_ROUTER) {
                self.parsed(expect.path)?;
            }
        }
        for id in self.ingress_ids() {
            self.parsed(&paths::ingress(&id))?;
        }
        for id in self.configmap_ids() {
            self.parsed(&paths::route_configmap(&id))?;
        }
        let (damage, note) = self.damage_given(router_vouched)?;
        if let Some(damage) = damage.into_iter().next() {
            return Err(FolderError::Damaged {
                path: damage.path,
                line: damage.line,
                problem: damage.problem,
            });
        }
        match self.partial_providers()?.into_iter().next() {
            Some(partial) => Err(FolderError::Partial {
                provider: partial.provider,
                present: partial.parts.present().join(", "),
                missing: partial.parts.missing().join(", "),
            }),
            None => Ok(note),
        }
    }

    /// The resources each provider id has, for every id any of them names.
    pub fn provider_parts(&self) -> Result<Vec<(String, Parts)>, FolderError> {
        // A provider's second routes (`ai-route-bedrock.messages.internal` and its
        // registry `llm-bedrock-mantle.internal`, the console's `….fallback.internal`)
        // are written and removed with it: they are not providers of their own.
        let side_registries: BTreeSet<String> = super::catalog::PROVIDERS
            .iter()
            .flat_map(|spec| {
                side_routes_of(spec)
                    .iter()
                    .map(|side| registry_name(&format!("{}-{}", spec.id, side.registry)))
            })
            .collect();
        let main_ingresses = || {
            self.ingress_ids()
                .into_iter()
                .filter(|id| !id.contains('.'))
        };
        let mut ids: BTreeSet<String> = main_ingresses().collect();
        let entries = self.entry_ids()?;
        let rules = self.rule_ids()?;
        let mut registries = self.registry_names()?;
        registries.retain(|r| !side_registries.contains(r));
        let configmaps = self.configmap_ids();
        ids.extend(entries.iter().cloned());
        ids.extend(rules.iter().cloned());
        ids.extend(configmaps.iter().cloned());
        ids.extend(
            registries
                .iter()
                .filter_map(|r| r.strip_prefix("llm-")?.strip_suffix(".internal"))
                .map(String::from),
        );
        let ingresses: BTreeSet<String> = main_ingresses().collect();
        Ok(ids
            .into_iter()
            .map(|id| {
                let parts = Parts {
                    entry: entries.contains(&id),
                    rule: rules.contains(&id),
                    registry: registries.contains(&registry_name(&id)),
                    ingress: ingresses.contains(&id),
                    configmap: configmaps.contains(&id),
                };
                (id, parts)
            })
            .collect())
    }

    /// Providers with some of their resources but not all.
    pub fn partial_providers(&self) -> Result<Vec<Partial>, FolderError> {
        Ok(self
            .provider_parts()?
            .into_iter()
            .filter(|(_, parts)| !parts.complete())
            .map(|(provider, parts)| Partial { provider, parts })
            .collect())
    }

    fn document(&self, relative: &str) -> Result<Option<(String, Rc<Value>)>, FolderError> {
        match self.parsed(relative) {
            // A file that does not parse is the parse check's to report.
            Err(FolderError::Parse { .. }) => Ok(None),
            other => other,
        }
    }

    fn ingress_ids(&self) -> Vec<String> {
        ids_in(self, "ingresses", "ai-route-", ".internal.yaml")
    }

    fn configmap_ids(&self) -> BTreeSet<String> {
        ids_in(self, "configmaps", "ai-route-", ".yaml")
            .into_iter()
            .collect()
    }

    fn entry_ids(&self) -> Result<BTreeSet<String>, FolderError> {
        Ok(self
            .document(paths::AI_PROXY)?
            .map(|(_, doc)| {
                seq(&doc, &["spec", "defaultConfig", "providers"])
                    .iter()
                    .filter_map(|p| p.get("id")?.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default())
    }

    fn rule_ids(&self) -> Result<BTreeSet<String>, FolderError> {
        Ok(self
            .document(paths::AI_PROXY)?
            .map(|(_, doc)| {
                seq(&doc, &["spec", "matchRules"])
                    .iter()
                    .filter_map(|r| r.get("config")?.get("activeProviderId")?.as_str())
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default())
    }

    fn registry_names(&self) -> Result<BTreeSet<String>, FolderError> {
        Ok(self
            .document(paths::MCP_BRIDGE)?
            .map(|(_, doc)| {
                seq(&doc, &["spec", "registries"])
                    .iter()
                    .filter_map(|r| r.get("name")?.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default())
    }
}

/// Provider ids from the file names `<prefix><id><suffix>` in `dir`.
impl Transaction<'_> {
    /// For a rewrite (`init --force`): every file that does not parse or is damaged
    /// starts over from the image's template, and a provider file of that kind goes, so
    /// the rewrite repairs what `doctor` named instead of tripping over it.
    pub fn start_over_unsound(&mut self) -> Result<(), FolderError> {
        let folder = self.folder;
        let damaged: BTreeSet<String> = folder.damage()?.into_iter().map(|d| d.path).collect();
        let unsound =
            |path: &str| damaged.contains(path) || folder.load_resource::<Value>(path).is_err();
        if unsound(paths::AI_PROXY) {
            self.ai_proxy = Some(templates::ai_proxy_plugin());
        }
        if unsound(paths::MODEL_ROUTER) {
            self.router = Some(templates::model_router_plugin());
        }
        if unsound(paths::MCP_BRIDGE) {
            self.bridge = Some(templates::default_bridge());
        }
        // Its keys are lost with it: clients need new ones (`keys add`).
        if unsound(paths::KEY_AUTH) {
            self.key_auth = Some(templates::key_auth_plugin());
        }
        if unsound(paths::AI_STATISTICS) {
            let text = render(paths::AI_STATISTICS, &templates::ai_statistics_plugin())?;
            self.put(paths::AI_STATISTICS, text);
        }
        for id in folder.ingress_ids() {
            if unsound(&paths::ingress(&id)) {
                self.ingresses.insert(id, None);
            }
        }
        for id in folder.configmap_ids() {
            if unsound(&paths::route_configmap(&id)) {
                self.configmaps.insert(id, None);
            }
        }
        Ok(())
    }
}

fn ids_in(folder: &DataFolder, dir: &str, prefix: &str, suffix: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(folder.root().join(dir)) else {
        return Vec::new();
    };
    let mut ids: Vec<String> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let id = name.strip_prefix(prefix)?.strip_suffix(suffix)?;
            // `ai-route-x.internal.yaml` is an ingress's name, not a ConfigMap's id.
            (!id.contains('.')).then(|| id.to_string())
        })
        .collect();
    ids.sort();
    ids
}

fn at<'a>(doc: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(doc, |v, key| v.get(key))
}

fn seq<'a>(doc: &'a Value, path: &[&str]) -> &'a [Value] {
    at(doc, path)
        .and_then(Value::as_sequence)
        .map_or(&[], |s| s.as_slice())
}

/// The line of the first `key:` (as a mapping key, any indentation), 1-based.
fn line_of(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            let l = l.trim_start().trim_start_matches("- ");
            l.strip_prefix(key)
                .is_some_and(|rest| rest.starts_with(':'))
        })
        .map(|i| i + 1)
}

fn damage(out: &mut Vec<Damage>, path: &str, line: Option<usize>, problem: String) {
    out.push(Damage {
        path: path.to_string(),
        line,
        problem,
    });
}

fn check_file(expect: &Expect, text: &str, doc: &Value, out: &mut Vec<Damage>) {
    let path = expect.path;
    for (key, want) in [("apiVersion", expect.api_version), ("kind", expect.kind)] {
        let have = doc.get(key).and_then(Value::as_str);
        if have != Some(want) {
            damage(
                out,
                path,
                line_of(text, key).or(Some(1)),
                format!(
                    "{key} is {}, not {want}",
                    have.map_or("missing".to_string(), |h| format!("{h:?}"))
                ),
            );
        }
    }
    let Some(spec) = doc.get("spec") else {
        damage(out, path, Some(1), "has no spec".into());
        return;
    };
    for key in expect.spec_keys {
        if spec.get(key).is_none() {
            damage(
                out,
                path,
                line_of(text, "spec"),
                format!("spec has no {key} (the file looks cut short)"),
            );
        }
    }
}

impl WasmPlugin<ModelRouterConfig> {
    /// The note that vouches for `text`, the model-router an edit rendered from this
    /// plugin, when it holds what the check of that file asks for; `None` when it does
    /// not, and the next edit checks the file in full. (Here, beside the check, like
    /// [`DataFolder::check_sound`], which the transaction also calls.)
    pub(super) fn verified_note(&self, text: &str) -> Option<String> {
        // `text` parses back into the tree this plugin serializes to, so checking that
        // tree checks the file without parsing again the rules the edit just wrote.
        let doc = yaml::to_value(self).ok()?;
        let expect = FILES.iter().find(|e| e.path == paths::MODEL_ROUTER)?;
        let mut out = Vec::new();
        check_file(expect, text, &doc, &mut out);
        out.is_empty().then(|| verified::note_for(text))
    }
}

fn check_ai_proxy(text: &str, doc: &Value, out: &mut Vec<Damage>) {
    let path = paths::AI_PROXY;
    let providers = seq(doc, &["spec", "defaultConfig", "providers"]);
    let mut ids = BTreeSet::new();
    // A line is looked for only once there is damage to name: a scan of the text per
    // entry made checking a sound file quadratic in its providers.
    for (i, entry) in providers.iter().enumerate() {
        let id = entry.get("id").and_then(Value::as_str);
        let line = || id.and_then(|id| line_of_value(text, "id", id));
        match id {
            None => damage(out, path, line(), format!("provider entry {i} has no id")),
            Some(id) if !ids.insert(id.to_string()) => damage(
                out,
                path,
                line(),
                format!("two provider entries have the id {id}"),
            ),
            Some(id) if entry.get("type").and_then(Value::as_str).is_none() => {
                damage(out, path, line(), format!("the entry of {id} has no type"))
            }
            _ => {}
        }
    }
    let mut ruled = BTreeSet::new();
    for rule in seq(doc, &["spec", "matchRules"]) {
        let Some(id) = rule
            .get("config")
            .and_then(|c| c.get("activeProviderId"))
            .and_then(Value::as_str)
        else {
            continue; // a rule of the user's own (another config): not ours to judge
        };
        let line = || line_of_value(text, "activeProviderId", id);
        if !ruled.insert(id.to_string()) {
            damage(out, path, line(), format!("two match rules pick {id}"));
        }
        if seq(rule, &["service"]).is_empty() {
            damage(
                out,
                path,
                line(),
                format!("the match rule of {id} has no service"),
            );
        }
    }
}

/// Every consumer needs a name and a key, or key-auth refuses the whole file and
/// (failing closed) every AI route with it.
fn check_key_auth(text: &str, doc: &Value, out: &mut Vec<Damage>) {
    let consumers = seq(doc, &["spec", "defaultConfig", "consumers"]);
    for (index, consumer) in consumers.iter().enumerate() {
        let named = consumer.get("name").and_then(Value::as_str).is_some();
        let keyed = consumer.get("credential").and_then(Value::as_str).is_some()
            || consumer
                .get("credentials")
                .and_then(Value::as_sequence)
                .is_some_and(|c| !c.is_empty());
        if !named || !keyed {
            damage(
                out,
                paths::KEY_AUTH,
                line_of(text, "consumers"),
                format!(
                    "has a consumer (number {}) without a name or a credential; remove it with `higress-claw keys remove NAME` or fix it by hand",
                    index + 1
                ),
            );
        }
    }
}

fn check_registries(text: &str, doc: &Value, out: &mut Vec<Damage>) {
    for registry in seq(doc, &["spec", "registries"]) {
        let name = registry.get("name").and_then(Value::as_str);
        let missing: Vec<&str> = ["name", "type", "domain", "port"]
            .into_iter()
            .filter(|k| registry.get(k).is_none())
            .collect();
        if !missing.is_empty() {
            damage(
                out,
                paths::MCP_BRIDGE,
                name.and_then(|n| line_of_value(text, "name", n)),
                format!(
                    "the registry {} has no {}",
                    name.unwrap_or("(unnamed)"),
                    missing.join(", ")
                ),
            );
        }
    }
}

fn check_ingress(path: &str, text: &str, doc: &Value, out: &mut Vec<Damage>) {
    let annotations = at(doc, &["metadata", "annotations"]);
    let has = |key: &str| annotations.and_then(|a| a.get(key)).is_some();
    if doc.get("kind").and_then(Value::as_str) != Some("Ingress") {
        damage(out, path, line_of(text, "kind"), "is not an Ingress".into());
    }
    if !has("higress.io/destination") {
        damage(
            out,
            path,
            line_of(text, "annotations").or(line_of(text, "metadata")),
            "has no higress.io/destination annotation".into(),
        );
    }
    let matches_model = annotations.and_then(Value::as_mapping).is_some_and(|a| {
        a.keys()
            .filter_map(Value::as_str)
            .any(|k| super::pattern::HeaderMatch::from_annotation(k, "").is_some())
    });
    if !matches_model {
        damage(
            out,
            path,
            line_of(text, "annotations").or(line_of(text, "metadata")),
            "has no model match annotation (x-higress-llm-model)".into(),
        );
    }
    if seq(doc, &["spec", "rules"]).is_empty() {
        damage(out, path, line_of(text, "spec"), "has no spec.rules".into());
    }
}

/// The line of `key: value` (value possibly quoted).
fn line_of_value(text: &str, key: &str, value: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            let l = l.trim_start().trim_start_matches("- ");
            l.strip_prefix(key)
                .and_then(|r| r.strip_prefix(':'))
                .is_some_and(|v| v.trim().trim_matches(['\'', '"']) == value)
        })
        .map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_found_where_the_key_is() {
        let text = "apiVersion: v1\nspec:\n  providers:\n  - id: deepseek\n    type: x\n";
        assert_eq!(line_of(text, "spec"), Some(2));
        assert_eq!(line_of_value(text, "id", "deepseek"), Some(4));
        assert_eq!(line_of(text, "url"), None);
    }

    /// What an edit notes for the router it wrote is the verdict a full check of the
    /// written text gives; a router without what the check asks for is not noted.
    #[test]
    fn a_rendered_router_is_noted_only_when_its_text_passes_the_check() {
        let expect = FILES
            .iter()
            .find(|e| e.path == paths::MODEL_ROUTER)
            .unwrap();
        let full_check = |text: &str| {
            let doc: Value = yaml::from_str(text).unwrap();
            let mut out = Vec::new();
            check_file(expect, text, &doc, &mut out);
            out
        };
        let router = templates::model_router_plugin();
        let text = render(paths::MODEL_ROUTER, &router).unwrap();
        assert_eq!(full_check(&text), []);
        assert_eq!(router.verified_note(&text), Some(verified::note_for(&text)));
        let mut cut = router;
        cut.spec.other.shift_remove("url");
        let text = render(paths::MODEL_ROUTER, &cut).unwrap();
        assert_eq!(full_check(&text).len(), 1);
        assert_eq!(cut.verified_note(&text), None);
    }
}
