//! `openclaw install|setup`: what was installed, patched and carried over.

use serde::Serialize;
use serde_json::Value;

use crate::gateway::models::ClientModel;
use crate::openclaw::{
    self, Change, Host, InstallAction, InstallMethod, Installed, Removed, SetupPlan,
};

/// Something moved out of the way (`{what, path, backup}`).
#[derive(Serialize)]
pub struct RemovedView {
    pub what: String,
    pub path: String,
    pub backup: String,
}

impl From<&Removed> for RemovedView {
    fn from(r: &Removed) -> Self {
        Self {
            what: r.what.clone(),
            path: r.path.display().to_string(),
            backup: r.backup.display().to_string(),
        }
    }
}

#[derive(Serialize)]
pub struct InstallReport {
    /// `openclaw-cli`, `copy` or `npm`.
    pub method: &'static str,
    /// `installed`, `upgraded` or `unchanged`.
    pub action: &'static str,
    pub version: String,
    pub previous_version: Option<String>,
    pub path: String,
    /// The OpenClaw release found, e.g. `2026.9.6`.
    pub openclaw_version: Option<String>,
    /// Plugin copies moved to the backup (the upstream plugin, a duplicate).
    pub removed: Vec<RemovedView>,
}

impl InstallReport {
    pub fn new(i: &Installed, host: Option<&Host>) -> Self {
        Self {
            method: match i.method {
                InstallMethod::OpenClawCli => "openclaw-cli",
                InstallMethod::Copy => "copy",
                InstallMethod::Npm => "npm",
            },
            action: match i.action {
                InstallAction::Installed => "installed",
                InstallAction::Upgraded => "upgraded",
                InstallAction::Unchanged => "unchanged",
            },
            version: i.version.clone(),
            previous_version: i.previous_version.clone(),
            path: i.path.clone(),
            openclaw_version: host.and_then(|h| h.version).map(|v| v.to_string()),
            removed: i.removed.iter().map(RemovedView::from).collect(),
        }
    }
}

/// One migrated setting (`{path, before, after, why}`; `null` is absent).
#[derive(Serialize)]
pub struct ChangeView {
    pub path: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub why: String,
}

impl From<&Change> for ChangeView {
    fn from(c: &Change) -> Self {
        Self {
            path: c.path.clone(),
            before: c.before.clone(),
            after: c.after.clone(),
            why: c.why.clone(),
        }
    }
}

impl ChangeView {
    pub fn line(&self) -> String {
        let show = |v: &Option<Value>| {
            v.as_ref()
                .map_or_else(|| "(removed)".to_string(), Value::to_string)
        };
        match &self.before {
            None => format!("  {}: {} ({})", self.path, show(&self.after), self.why),
            Some(_) => format!(
                "  {}: {} → {} ({})",
                self.path,
                show(&self.before),
                show(&self.after),
                self.why
            ),
        }
    }
}

#[derive(Serialize)]
pub struct SetupReport {
    pub base_url: String,
    pub default_model: String,
    pub models: Vec<String>,
    /// `applied`, `dry-run`, or `printed` (openclaw is not on PATH).
    pub result: &'static str,
    /// The merge patch (`null` removes), the gateway key masked.
    pub patch: Value,
    /// Paths whose value replaces what is there instead of merging.
    pub replace_paths: Vec<String>,
    /// What was already there and changed: the upstream plugin's settings carried over.
    pub migrated: Vec<ChangeView>,
    /// Files moved to the backup (the upstream placeholder credential).
    pub removed: Vec<RemovedView>,
    pub notes: Vec<String>,
    /// `openclaw config validate` warnings after the setup.
    pub warnings: Vec<String>,
    pub openclaw_version: Option<String>,
}

/// What `openclaw install` did, in one line.
pub fn installed_line(installed: &Installed) -> String {
    let how = match installed.method {
        InstallMethod::OpenClawCli => "through `openclaw plugins install`",
        InstallMethod::Copy => "by copying (openclaw is not on PATH)",
        InstallMethod::Npm => "from npm by OpenClaw",
    };
    let (version, path) = (&installed.version, &installed.path);
    match (installed.action, installed.method) {
        (_, InstallMethod::Npm) => format!(
            "The Higress plugin {version} is installed at {path} {how}; `openclaw plugins update higress` upgrades it"
        ),
        (InstallAction::Unchanged, _) => {
            format!("The Higress plugin {version} is already installed at {path}")
        }
        (InstallAction::Upgraded, _) => format!(
            "Upgraded the Higress plugin {} → {version} at {path} {how}",
            installed.previous_version.as_deref().unwrap_or("?"),
        ),
        (InstallAction::Installed, _) => {
            format!("Installed the Higress plugin {version} at {path} {how}")
        }
    }
}

impl SetupReport {
    /// The report of a setup not yet applied (`--dry-run`); applying fills in the rest.
    pub fn planned(plan: &SetupPlan, served: &[ClientModel], host: Option<&Host>) -> Self {
        Self {
            base_url: plan.base_url.clone(),
            default_model: plan.default_model.clone(),
            models: served.iter().map(|m| m.id.clone()).collect(),
            result: "dry-run",
            patch: openclaw::shown_patch(&plan.patch()),
            replace_paths: plan.replace_paths(),
            migrated: plan.changes.iter().map(ChangeView::from).collect(),
            removed: Vec::new(),
            notes: plan.notes.clone(),
            warnings: Vec::new(),
            openclaw_version: host.and_then(|h| h.version).map(|v| v.to_string()),
        }
    }

    /// The settings and files taken over from an earlier setup, if any.
    pub fn carried_over(&self) -> Option<String> {
        if self.migrated.is_empty() && self.removed.is_empty() {
            return None;
        }
        let mut text = String::from("Carried over from the earlier setup:");
        for change in &self.migrated {
            text.push('\n');
            text.push_str(&change.line());
        }
        for removed in &self.removed {
            text.push_str(&format!(
                "\n  {}: {} (kept in {})",
                removed.what, removed.path, removed.backup
            ));
        }
        Some(text)
    }
}
