//! Whole-folder operations on the data folder, through one edit protocol:
//! lock, read, change the typed model (unknown fields kept), write atomically in a
//! safe order, skip files whose bytes did not change, report what changed.
//!
//! [`DataFolder`] reads the folder; a [`Transaction`] is the only way to change it. It
//! holds the folder's lock, edits typed copies of the resources, and on commit writes
//! them in the order of [`Stage`]: the ingresses of removed providers, the console's
//! route ConfigMaps, the McpBridge registries, the ai-proxy entries, the model-router,
//! the other settings, the ingresses of added providers, leftovers of removed ones, and
//! the marker last. Higress reloads each file as it lands and reaches a provider only
//! through its ingress, so an interruption at any point leaves the old routing or the
//! new one, never a route to a provider that has no upstream or no key.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use serde::Serialize;
use serde::de::DeserializeOwned;
use thiserror::Error;

use super::journal::{self, Change};
use super::resources::{
    AiProxyConfig, AutoRouting, ConfigMap, Ingress, McpBridge, ModelRouterConfig, WasmPlugin,
    string,
};
use super::settings::DeploymentSettings;
use super::store::{LockGuard, Store, StoreError};
use super::{layout, paths, templates};
use crate::yaml::{self, Value};

/// Why a folder is not deleted with its gateway.
#[derive(Debug, Error)]
pub enum PurgeRefusal {
    #[error(
        "{} does not look like a gateway data folder (no {}); not deleting it. Remove it by hand if you are sure",
        path.display(),
        paths::MARKER
    )]
    NotAGateway { path: PathBuf },
    #[error(
        "{} holds files that are not the gateway's: {listing}; not deleting anything. Move those out (or remove the folder by hand if you are sure), then run the purge again",
        path.display()
    )]
    Foreign { path: PathBuf, listing: String },
}

#[derive(Debug, Error)]
pub enum FolderError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(
        "cannot parse {path}{}: {message}; it is damaged: fix it by hand, restore it from a backup, or rewrite the folder with `higress-claw init --force`",
        line.map(|l| format!(":{l}")).unwrap_or_default()
    )]
    Parse {
        path: PathBuf,
        line: Option<usize>,
        message: String,
    },
    #[error("cannot render {path}: {message}")]
    Render { path: String, message: String },
    #[error(
        "{} already holds other files ({}) and is not a gateway data folder",
        path.display(),
        listing(entries)
    )]
    Foreign { path: PathBuf, entries: Vec<String> },
    #[error("{} is not a configured gateway folder", path.display())]
    NotConfigured { path: PathBuf },
    #[error(
        "{path}{} {problem}; it is damaged, so nothing builds on it",
        line.map(|l| format!(":{l}")).unwrap_or_default()
    )]
    Damaged {
        path: String,
        line: Option<usize>,
        problem: String,
    },
    #[error(
        "the provider {provider} is incomplete: it has its {present} but no {missing} (an edit was cut off)"
    )]
    Partial {
        provider: String,
        present: String,
        missing: String,
    },
    #[error("{} {reason}", path.display())]
    Settings {
        path: PathBuf,
        reason: super::settings::SettingsError,
    },
    #[error("cannot create {}", path.display())]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// At most three names, then `…`: enough to recognise a folder's contents.
pub fn listing(names: &[String]) -> String {
    let mut text = names.iter().take(3).cloned().collect::<Vec<_>>().join(", ");
    if names.len() > 3 {
        text.push_str(", …");
    }
    text
}

#[derive(Debug, Clone)]
pub struct DataFolder {
    store: Store,
}

impl DataFolder {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self {
            store: Store::new(root),
        }
    }

    pub fn root(&self) -> &Path {
        self.store.root()
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Configured = the marker the image's template checks is present.
    pub fn is_configured(&self) -> bool {
        self.store.exists(paths::MARKER)
    }

    /// Holds a gateway's configuration: ours (the marker) or get-ai-gateway.sh's,
    /// which may lack the marker but has the ai-proxy plugin.
    pub fn holds_gateway(&self) -> bool {
        self.is_configured() || self.store.exists(paths::AI_PROXY)
    }

    /// This folder, refused unless it holds a gateway's configuration.
    pub fn check_holds_gateway(&self) -> Result<(), FolderError> {
        if self.root().is_file() {
            return Err(StoreError::NotAFolder {
                path: self.root().to_path_buf(),
            }
            .into());
        }
        if self.holds_gateway() {
            Ok(())
        } else {
            Err(FolderError::NotConfigured {
                path: self.root().to_path_buf(),
            })
        }
    }

    /// A gateway is never written into a folder that holds something else (a project,
    /// a home folder): a later `delete --purge` would take those files along.
    pub fn check_not_foreign(&self) -> Result<(), FolderError> {
        let entries = self.foreign_entries();
        if self.is_configured() || entries.is_empty() {
            Ok(())
        } else {
            Err(FolderError::Foreign {
                path: self.root().to_path_buf(),
                entries,
            })
        }
    }

    /// The folder the container writes its access logs into (mounted at
    /// `/var/log/proxy`); made before the container, so it is the user's, not root's.
    pub fn create_log_dir(&self) -> Result<(), FolderError> {
        let path = self.root().join(paths::LOGS);
        std::fs::create_dir_all(&path).map_err(|source| FolderError::CreateDir { path, source })
    }

    /// Top-level entries a gateway folder would not hold (see [`layout`]).
    pub fn foreign_entries(&self) -> Vec<String> {
        layout::foreign_entries(self.root())
    }

    /// Only a gateway's folder with nothing but the gateway's files in it may be purged:
    /// a mistyped `--container-name` or `--data-dir` must not take the user's own files.
    pub fn check_purgeable(&self) -> Result<(), PurgeRefusal> {
        if !self.holds_gateway() {
            return Err(PurgeRefusal::NotAGateway {
                path: self.root().to_path_buf(),
            });
        }
        let foreign = layout::purge_blockers(self.root());
        if foreign.is_empty() {
            return Ok(());
        }
        Err(PurgeRefusal::Foreign {
            path: self.root().to_path_buf(),
            listing: layout::listing(&foreign),
        })
    }

    /// Takes the folder's lock for an edit. An edit a dead process left half-written
    /// is finished first, from its journal; then a damaged folder, or one with a
    /// provider cut off mid-edit, is refused (see `integrity`), so nothing builds on it.
    pub fn begin(&self, on_wait: impl FnOnce(&Path)) -> Result<Transaction<'_>, FolderError> {
        let tx = self.begin_unchecked(on_wait)?;
        // The note is read and left through the lock this edit holds (see `verified`).
        if let Some(note) = self.check_sound_noted(tx.guard.note().as_deref())? {
            tx.guard.set_note(&note);
        }
        Ok(tx)
    }

    /// The same lock, for the edits that replace what is damaged (`init --force`,
    /// `repair`) or touch only `default.cfg`.
    pub fn begin_unchecked(
        &self,
        on_wait: impl FnOnce(&Path),
    ) -> Result<Transaction<'_>, FolderError> {
        let guard = self.store.lock(on_wait)?;
        journal::recover(&guard)?;
        Ok(Transaction {
            folder: self,
            guard,
            ai_proxy: None,
            bridge: None,
            router: None,
            key_auth: None,
            ingresses: BTreeMap::new(),
            configmaps: BTreeMap::new(),
            plain: BTreeMap::new(),
            documents: BTreeMap::new(),
            router_note: None,
        })
    }

    /// A resource file parsed into `T`; `None` when the file does not exist.
    pub fn load_resource<T: DeserializeOwned>(
        &self,
        relative: &str,
    ) -> Result<Option<T>, FolderError> {
        self.load(relative)
    }

    /// `relative` as `T`, from the tree [`Self::parsed`] shares. A tree holds a plain
    /// scalar as the type it looks like (`1` a number), where reading the text into `T`
    /// takes it as the string a field may want; such a file, and one `T` rejects, is
    /// read from its text, which also gives the error its line.
    fn load<T: DeserializeOwned>(&self, relative: &str) -> Result<Option<T>, FolderError> {
        let Some(text) = self.store().read(relative)? else {
            return Ok(None);
        };
        let path = self.store().path(relative);
        let tree = match shared_tree(&path, &text) {
            Some(doc) => Some(doc),
            // Only the router's full check needs its tree, and a note may spare that
            // check (see `verified`): then its 1,000 rules go straight into `T`, which
            // costs a quarter less than a tree read into `T` (25 M against 33 M
            // instructions).
            None if relative == paths::MODEL_ROUTER => None,
            None => Some(self.share_tree(relative, path, &text)?),
        };
        if let Some(value) = tree.and_then(|doc| T::deserialize(&*doc).ok()) {
            return Ok(Some(value));
        }
        self.parse_text(relative, &text).map(Some)
    }

    /// `text`, the bytes of `relative`, as `T`; an error names the file and the line.
    fn parse_text<T: DeserializeOwned>(
        &self,
        relative: &str,
        text: &str,
    ) -> Result<T, FolderError> {
        yaml::parse(text).map_err(|err| FolderError::Parse {
            path: self.store.path(relative),
            line: err.line,
            message: err.message,
        })
    }

    /// `relative` parsed into a YAML tree, once per process for the same bytes: the
    /// integrity checks and the typed reads of a command all read the same few files,
    /// and scanning the router's 1,000 rules again for each costs more than the edit.
    pub(super) fn parsed(
        &self,
        relative: &str,
    ) -> Result<Option<(String, Rc<Value>)>, FolderError> {
        let Some(text) = self.store().read(relative)? else {
            return Ok(None);
        };
        let path = self.store().path(relative);
        let doc = match shared_tree(&path, &text) {
            Some(doc) => doc,
            None => self.share_tree(relative, path, &text)?,
        };
        Ok(Some((text, doc)))
    }

    /// `text`, the bytes of `relative` at `path`, parsed into the tree shared from now.
    fn share_tree(
        &self,
        relative: &str,
        path: PathBuf,
        text: &str,
    ) -> Result<Rc<Value>, FolderError> {
        let doc = Rc::new(self.parse_text::<Value>(relative, text)?);
        PARSED.with(|c| c.borrow_mut().insert(path, (text.to_string(), doc.clone())));
        Ok(doc)
    }

    pub fn settings(&self) -> Result<Option<DeploymentSettings>, FolderError> {
        self.store
            .read(paths::DEFAULT_CFG)?
            .map(|text| DeploymentSettings::from_text(&text))
            .transpose()
            .map_err(|reason| FolderError::Settings {
                path: self.store.path(paths::DEFAULT_CFG),
                reason,
            })
    }

    pub fn auto_routing(&self) -> Result<Option<AutoRouting>, FolderError> {
        Ok(self
            .load::<WasmPlugin<ModelRouterConfig>>(paths::MODEL_ROUTER)?
            .and_then(|r| r.spec.default_config.auto_routing))
    }
}

thread_local! {
    /// The trees [`DataFolder::parsed`] shares, by file, with the text each is of.
    static PARSED: RefCell<HashMap<PathBuf, (String, Rc<Value>)>> = Default::default();
}

/// The shared tree of `path` when it was parsed from exactly `text`.
fn shared_tree(path: &Path, text: &str) -> Option<Rc<Value>> {
    PARSED.with(|c| {
        c.borrow()
            .get(path)
            .filter(|(seen, _)| seen == text)
            .map(|(_, doc)| doc.clone())
    })
}

/// One locked edit of the folder. Nothing reaches disk before [`Transaction::commit`].
pub struct Transaction<'a> {
    pub(super) folder: &'a DataFolder,
    guard: LockGuard<'a>,
    pub(super) ai_proxy: Option<WasmPlugin<AiProxyConfig>>,
    pub(super) bridge: Option<McpBridge>,
    pub(super) router: Option<WasmPlugin<ModelRouterConfig>>,
    /// The client keys and the AI routes' auth rules (see `client_keys`).
    pub(super) key_auth: Option<WasmPlugin<super::resources::KeyAuthConfig>>,
    /// Pending ingress documents by provider id; `None` = delete.
    pub(super) ingresses: BTreeMap<String, Option<Ingress>>,
    pub(super) configmaps: BTreeMap<String, Option<ConfigMap>>,
    /// Other files by relative path, with their full new text.
    plain: BTreeMap<&'static str, String>,
    /// Documents edited as plain YAML (a route's fallback EnvoyFilter, the
    /// model-mapper, the statistics plugin's route rules) by path; `None` = delete.
    documents: BTreeMap<String, Option<Value>>,
    /// The note that vouches for the router this commit writes (see `verified`).
    router_note: Option<String>,
}

impl Transaction<'_> {
    pub fn folder(&self) -> &DataFolder {
        self.folder
    }

    pub fn ai_proxy(&mut self) -> Result<&mut WasmPlugin<AiProxyConfig>, FolderError> {
        loaded(
            &mut self.ai_proxy,
            self.folder,
            paths::AI_PROXY,
            templates::ai_proxy_plugin,
        )
    }

    pub fn bridge(&mut self) -> Result<&mut McpBridge, FolderError> {
        loaded(
            &mut self.bridge,
            self.folder,
            paths::MCP_BRIDGE,
            templates::default_bridge,
        )
    }

    pub fn router(&mut self) -> Result<&mut WasmPlugin<ModelRouterConfig>, FolderError> {
        let router = loaded(
            &mut self.router,
            self.folder,
            paths::MODEL_ROUTER,
            templates::model_router_plugin,
        )?;
        // The ingresses match on this header; without it no request is routed.
        router
            .spec
            .default_config
            .model_to_header
            .get_or_insert_with(|| super::pattern::MODEL_HEADER.to_string());
        Ok(router)
    }

    /// The transaction's copy of the document at `relative`, read under the lock the
    /// first time; `None` when the file does not exist (set it to write one).
    pub fn document(&mut self, relative: &str) -> Result<&mut Option<Value>, FolderError> {
        if !self.documents.contains_key(relative) {
            let doc = self.folder.load::<Value>(relative)?;
            self.documents.insert(relative.to_string(), doc);
        }
        Ok(self.documents.get_mut(relative).expect("inserted above"))
    }

    /// The pending copy of a document, if this transaction already took it.
    pub fn documents_get(&self, relative: &str) -> Option<Option<Value>> {
        self.documents.get(relative).cloned()
    }

    /// Writes a plain file (the marker) with the commit.
    pub fn put(&mut self, relative: &'static str, contents: String) {
        self.plain.insert(relative, contents);
    }

    /// Writes `settings` into `default.cfg`, read under this lock: our lines change in
    /// place, every other line (get-ai-gateway.sh's included) is kept.
    pub fn put_settings(&mut self, settings: &DeploymentSettings) -> Result<(), FolderError> {
        let existing = self.folder.store.read(paths::DEFAULT_CFG)?;
        self.plain
            .insert(paths::DEFAULT_CFG, settings.merge_into(existing.as_deref()));
        Ok(())
    }

    /// The image's console ConfigMap, pointing the console's start page at AI routes,
    /// and the statistics plugin when the folder has none.
    pub fn set_console_defaults(&mut self) -> Result<(), FolderError> {
        let mut cm = self
            .folder
            .load::<ConfigMap>(paths::CONSOLE_CONFIGMAP)?
            .unwrap_or_else(templates::console_configmap);
        cm.data
            .insert(string("index.redirect-target"), string("/ai/route"));
        let text = render(paths::CONSOLE_CONFIGMAP, &cm)?;
        self.plain.insert(paths::CONSOLE_CONFIGMAP, text);
        if !self.folder.store.exists(paths::AI_STATISTICS) {
            let text = render(paths::AI_STATISTICS, &templates::ai_statistics_plugin())?;
            self.plain.insert(paths::AI_STATISTICS, text);
        }
        self.router()?;
        self.bridge()?;
        Ok(())
    }

    /// Writes every pending file in [`Stage`] order, through the journal when there is
    /// more than one, skipping files whose bytes did not change; returns the files that
    /// changed.
    pub fn commit(mut self) -> Result<Vec<String>, FolderError> {
        let mut pending = self.pending()?;
        // Stable: within a stage, files keep the order they were listed in.
        pending.sort_by_key(|p| p.stage);
        let changes = pending.into_iter().map(|p| p.change).collect();
        let changed = journal::apply(&self.guard, changes)?;
        // The next edit need not parse the router this one rendered. Left last: a note
        // a crash loses costs one full check.
        if let Some(note) = &self.router_note {
            self.guard.set_note(note);
        }
        Ok(changed)
    }

    /// Every file this transaction writes or removes, rendered, with its stage.
    fn pending(&mut self) -> Result<Vec<Pending>, FolderError> {
        let mut out = Vec::new();
        for (id, doc) in &self.ingresses {
            let path = paths::ingress(id);
            out.push(match doc {
                Some(doc) => Pending::write(Stage::OpenRoutes, path, doc)?,
                None => Pending::remove(Stage::RetireRoutes, path),
            });
        }
        for (id, doc) in &self.configmaps {
            let path = paths::route_configmap(id);
            out.push(match doc {
                Some(doc) => Pending::write(Stage::ConsoleRoutes, path, doc)?,
                None => Pending::remove(Stage::Leftovers, path),
            });
        }
        if let Some(bridge) = self.bridge.take() {
            out.push(Pending::write(
                Stage::Upstreams,
                paths::MCP_BRIDGE,
                &bridge,
            )?);
        }
        if let Some(proxy) = self.ai_proxy.take() {
            out.push(Pending::write(
                Stage::ProviderEntries,
                paths::AI_PROXY,
                &proxy,
            )?);
        }
        if let Some(router) = self.router.take() {
            let write = Pending::write(Stage::Router, paths::MODEL_ROUTER, &router)?;
            if let Change::Write { text, .. } = &write.change {
                self.router_note = router.verified_note(text);
            }
            out.push(write);
        }
        for (path, doc) in std::mem::take(&mut self.documents) {
            // A route's fallback redirect: on once its route is there, off first.
            let redirect = path.starts_with("envoyfilters/ai-route-");
            // This edit builds on the file (the statistics plugin): it wins over a
            // template written in full.
            self.plain.remove(path.as_str());
            out.push(match doc {
                Some(doc) if redirect => Pending::write(Stage::Redirects, path, &doc)?,
                Some(doc) => Pending::write(Stage::Settings, path, &doc)?,
                None if redirect => Pending::remove(Stage::RetireRedirects, path),
                None if self.folder.store.exists(&path) => Pending::remove(Stage::Leftovers, path),
                None => continue,
            });
        }
        // Before the routes open: a route added with keys on is never reachable without.
        if let Some(key_auth) = self.key_auth.take() {
            out.push(Pending::write(Stage::Settings, paths::KEY_AUTH, &key_auth)?);
        }
        for (path, text) in std::mem::take(&mut self.plain) {
            let stage = if path == paths::MARKER {
                Stage::Marker
            } else {
                Stage::Settings
            };
            out.push(Pending {
                stage,
                change: Change::Write {
                    path: path.to_string(),
                    text,
                },
            });
        }
        Ok(out)
    }
}

/// The stages of a commit, in the order their files land. Higress reloads each file as
/// it is written, and a provider is reachable only through its ingress, so routes go
/// away first and arrive last: an interruption between any two stages leaves the old
/// routing or the new one, never a route to a provider without upstream or key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    /// Fallback redirects (EnvoyFilters) that go: no request is sent to a fallback
    /// route that is about to disappear.
    RetireRedirects,
    /// Ingresses of removed providers: they stop routing first.
    RetireRoutes,
    /// The console's view of each route (`configmaps/ai-route-<id>.yaml`): metadata
    /// only, never routing.
    ConsoleRoutes,
    /// The McpBridge registries the entries will point at.
    Upstreams,
    /// The ai-proxy entries and match rules that use those registries.
    ProviderEntries,
    /// The model-router (auto-routing rules).
    Router,
    /// The other files: `default.cfg`, the console ConfigMap, the statistics plugin,
    /// the client keys.
    Settings,
    /// Ingresses of added and changed providers: this makes them reachable.
    OpenRoutes,
    /// Fallback redirects, once the fallback routes they lead to are there.
    Redirects,
    /// The console ConfigMaps of removed providers.
    Leftovers,
    /// The marker: a folder counts as configured only once it is complete.
    Marker,
}

struct Pending {
    stage: Stage,
    change: Change,
}

impl Pending {
    fn write<T: Serialize>(
        stage: Stage,
        path: impl Into<String>,
        doc: &T,
    ) -> Result<Self, FolderError> {
        let path = path.into();
        let text = render(&path, doc)?;
        Ok(Self {
            stage,
            change: Change::Write { path, text },
        })
    }

    fn remove(stage: Stage, path: String) -> Self {
        Self {
            stage,
            change: Change::Remove { path },
        }
    }
}

/// The transaction's copy of a resource: read from the folder (under the lock) the
/// first time it is asked for, or `default` when the file does not exist yet.
fn loaded<'s, T: DeserializeOwned>(
    slot: &'s mut Option<T>,
    folder: &DataFolder,
    relative: &str,
    default: impl FnOnce() -> T,
) -> Result<&'s mut T, FolderError> {
    match slot {
        Some(resource) => Ok(resource),
        None => Ok(slot.insert(folder.load(relative)?.unwrap_or_else(default))),
    }
}

pub fn render<T: Serialize>(path: &str, value: &T) -> Result<String, FolderError> {
    yaml::to_string(value).map_err(|err| FolderError::Render {
        path: path.to_string(),
        message: err.to_string(),
    })
}
