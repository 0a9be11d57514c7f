//! `export`: what was exported, for a script (`--json`).

use serde::Serialize;

#[derive(Serialize)]
pub struct ExportReport {
    pub format: &'static str,
    pub namespace: String,
    pub plugin_registry: String,
    /// `Kind/name` of every object, in apply order.
    pub objects: Vec<String>,
    pub placeholders: Vec<Placeholder>,
    /// The file written, or null when the YAML is in `yaml`.
    pub file: Option<String>,
    pub yaml: Option<String>,
}

#[derive(Serialize)]
pub struct Placeholder {
    pub placeholder: String,
    pub fill_with: String,
}
