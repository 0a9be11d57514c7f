//! `config`: the providers after a change, or as they are.

use serde::Serialize;

use super::ProviderReport;

#[derive(Serialize)]
pub struct ChangeReport {
    pub data_dir: String,
    pub provider: String,
    /// `added`, `updated`, `unchanged` or `removed`.
    pub action: &'static str,
    pub changed_files: Vec<String>,
    pub providers: Vec<ProviderReport>,
}

#[derive(Serialize)]
pub struct ListReport {
    pub data_dir: String,
    pub providers: Vec<ProviderReport>,
}
