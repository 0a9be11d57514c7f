//! Putting right what an edit cut off left behind, and nothing else.
//!
//! An edit recorded in the journal is finished (the next lock does that anyway). A
//! provider with only some of its resources is finished when what it has says how
//! (its ai-proxy entry, with the keys, and its ingress, with the model match: the
//! registry, match rule and console ConfigMap follow from them), and removed
//! otherwise, all of its resources at once: all or nothing. A damaged file is not
//! guessed at: repair says so and changes no provider while one is there.

use std::path::Path;

use super::configured::ConfiguredProvider;
use super::folder::{DataFolder, FolderError};
use super::integrity::{Damage, Parts};
use super::journal;

#[derive(Debug, Default)]
pub struct Repaired {
    /// Files an interrupted edit had left unwritten, written from its journal.
    pub recovered: Vec<String>,
    /// Providers completed, with what they lacked.
    pub finished: Vec<(String, Vec<&'static str>)>,
    /// Providers removed, with what they had.
    pub removed: Vec<(String, Vec<&'static str>)>,
    /// Damage left alone.
    pub damage: Vec<Damage>,
    pub changed_files: Vec<String>,
}

pub fn repair(folder: &DataFolder, on_wait: impl FnOnce(&Path)) -> Result<Repaired, FolderError> {
    let mut out = Repaired {
        recovered: journal::read(folder.store())?
            .map(|changes| changes.iter().map(|c| c.path().to_string()).collect())
            .unwrap_or_default(),
        ..Repaired::default()
    };
    let mut tx = folder.begin_unchecked(on_wait)?;
    out.damage = folder.damage()?;
    if !out.damage.is_empty() {
        return Ok(out);
    }
    let configured = folder.providers()?;
    for partial in folder.partial_providers()? {
        let id = partial.provider;
        match finishable(&configured, &id, partial.parts) {
            Some(config) => {
                tx.upsert_provider(&config)?;
                out.finished.push((id, partial.parts.missing()));
            }
            None => {
                tx.remove_provider(&id)?;
                out.removed.push((id, partial.parts.present()));
            }
        }
    }
    for (id, _) in folder.broken_fallbacks()? {
        let store = folder.store();
        let had: Vec<&'static str> = [
            (
                store.exists(&super::paths::ingress(&super::fallback::ingress_key(&id))),
                "fallback ingress",
            ),
            (
                store.exists(&super::fallback::envoy_filter_path(&id)),
                "fallback EnvoyFilter",
            ),
        ]
        .into_iter()
        .filter_map(|(there, name)| there.then_some(name))
        .collect();
        let configured = configured.iter().any(|p| p.id == id);
        tx.remove_fallback(&id, configured)?;
        out.removed.push((format!("{id}.fallback"), had));
    }
    out.changed_files = tx.commit()?;
    Ok(out)
}

/// The configuration to finish `id` with: only when its entry (keys, settings) and its
/// ingress (the model match) both survived and say a valid provider.
fn finishable(
    configured: &[ConfiguredProvider],
    id: &str,
    parts: Parts,
) -> Option<super::ProviderConfig> {
    if !(parts.entry && parts.ingress) {
        return None;
    }
    let config = configured.iter().find(|p| p.id == id)?.to_config()?;
    config.validate().ok()?;
    Some(config)
}
