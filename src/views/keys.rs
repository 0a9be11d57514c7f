//! `keys`: client keys, masked everywhere but the one `add` that creates a key.

use serde::Serialize;

use crate::gateway::client_keys::ClientKey;
use crate::gateway::{DataFolder, FolderError};
use crate::secret::Secret;

#[derive(Serialize)]
pub struct AddReport {
    pub data_dir: String,
    pub name: String,
    /// The key in plain text: this is the one time it is shown.
    pub key: String,
    pub header: String,
    pub routes: Vec<String>,
    pub changed_files: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct KeyView {
    pub name: String,
    /// Masked.
    pub key: String,
}

impl KeyView {
    /// Every client key of `folder`, masked.
    pub fn all(folder: &DataFolder) -> Result<Vec<Self>, FolderError> {
        Ok(folder.client_keys()?.iter().map(Self::of).collect())
    }

    pub fn of(key: &ClientKey) -> Self {
        Self {
            name: key.name.clone(),
            key: key.key.as_ref().map(Secret::masked).unwrap_or_default(),
        }
    }
}

#[derive(Serialize)]
pub struct ListReport {
    pub data_dir: String,
    /// Whether the AI routes ask for a key.
    pub enabled: bool,
    pub keys: Vec<KeyView>,
    pub routes: Vec<String>,
}

#[derive(Serialize)]
pub struct RemoveReport {
    pub data_dir: String,
    pub name: String,
    pub action: &'static str,
    pub enabled: bool,
    pub keys: Vec<KeyView>,
    pub changed_files: Vec<String>,
}
