//! What a gateway data folder consists of, and nothing more: the image's resource
//! folders (the file-backed API server keeps each kind in `<plural>/<name>.yaml`), the
//! access logs, `default.cfg`, the marker, and higress-claw's own lock, journal and
//! temp files.
//!
//! Two questions depend on it. Writing a gateway into a folder that holds anything else
//! (a project, a home folder) is refused, since a later purge would take those files
//! along. And `delete --purge` removes a folder only when every entry in it, down to
//! the files inside the resource folders, is part of this layout: a user's `backups/`,
//! a note left in `secrets/`, or a subfolder in `ingresses/` make it refuse and say what
//! it found.

use std::path::Path;

use super::paths;
use super::store::{JOURNAL_FILE, LOCK_FILE, is_temp_name};

/// The resource folders of the image's file-backed API server: the kinds Higress, its
/// console and its controller keep. Anything else at the top is not the gateway's.
pub const RESOURCE_DIRS: &[&str] = &[
    "configmaps",
    "secrets",
    "services",
    "endpoints",
    "ingresses",
    "ingressclasses",
    "wasmplugins",
    "mcpbridges",
    "http2rpcs",
    "envoyfilters",
    "gateways",
    "gatewayclasses",
    "httproutes",
    "grpcroutes",
    "referencegrants",
    "leases",
];

/// Whether a top-level entry belongs to the layout.
fn is_layout_entry(name: &str, is_dir: bool) -> bool {
    if is_dir {
        name == paths::LOGS || RESOURCE_DIRS.contains(&name)
    } else {
        [paths::MARKER, paths::DEFAULT_CFG, LOCK_FILE, JOURNAL_FILE].contains(&name)
            || is_temp_name(name)
    }
}

/// Top-level entries of `root` that a gateway folder would not hold, sorted; empty
/// when the folder is missing or holds only the layout.
pub fn foreign_entries(root: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(root) else {
        return Vec::new();
    };
    let mut foreign: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            !is_layout_entry(&name, is_real_dir(entry))
        })
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    foreign.sort();
    foreign
}

/// Everything under `root` that is not the layout, as paths relative to it: foreign
/// top-level entries, and inside the resource folders anything but resource documents
/// (a `*.yaml` with `apiVersion`, `kind` and `metadata.name`) and our temp files. A
/// symbolic link anywhere counts as foreign: purging must never follow one out.
pub fn purge_blockers(root: &Path) -> Vec<String> {
    let mut found = foreign_entries(root);
    for dir in RESOURCE_DIRS {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let is_file = entry.file_type().is_ok_and(|t| t.is_file());
            let ours = is_temp_name(&name) || (is_file && is_resource_document(&entry.path()));
            if !ours {
                found.push(format!("{dir}/{name}"));
            }
        }
    }
    if let Ok(entries) = std::fs::read_dir(root.join(paths::LOGS)) {
        found.extend(
            entries
                .flatten()
                .filter(|e| !e.file_type().is_ok_and(|t| t.is_file()))
                .map(|e| format!("{}/{}", paths::LOGS, e.file_name().to_string_lossy())),
        );
    }
    found.sort();
    found
}

fn is_real_dir(entry: &std::fs::DirEntry) -> bool {
    entry.file_type().is_ok_and(|t| t.is_dir())
}

/// A `*.yaml` file the API server would read as a resource.
fn is_resource_document(path: &Path) -> bool {
    if path.extension().is_none_or(|e| e != "yaml") {
        return false;
    }
    let Ok(text) = std::fs::read_to_string(path) else {
        return false;
    };
    let Ok(doc) = crate::yaml::from_str::<crate::yaml::Value>(&text) else {
        return false;
    };
    doc.get("apiVersion").is_some_and(|v| v.is_string())
        && doc.get("kind").is_some_and(|v| v.is_string())
        && doc
            .get("metadata")
            .and_then(|m| m.get("name"))
            .is_some_and(|v| v.is_string())
}

/// Every name, up to ten, then how many more: a refused purge must say what it found.
pub fn listing(names: &[String]) -> String {
    let mut text = names
        .iter()
        .take(10)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > 10 {
        text.push_str(&format!(" and {} more", names.len() - 10));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_layout_may_be_purged() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for d in ["wasmplugins", "secrets", "logs", "backups"] {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        std::fs::write(
            root.join("wasmplugins/ai-proxy.internal.yaml"),
            "apiVersion: v1\nkind: WasmPlugin\nmetadata:\n  name: ai-proxy\n",
        )
        .unwrap();
        std::fs::write(root.join("logs/access.log"), "x").unwrap();
        std::fs::write(root.join(paths::DEFAULT_CFG), "").unwrap();
        std::fs::write(root.join("secrets/my-keys.txt"), "sk-1").unwrap();
        std::fs::write(root.join("secrets/notes.yaml"), "todo: rotate\n").unwrap();
        assert_eq!(
            purge_blockers(root),
            vec!["backups", "secrets/my-keys.txt", "secrets/notes.yaml"]
        );
        assert_eq!(foreign_entries(root), vec!["backups"]);
    }
}
