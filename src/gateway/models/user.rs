//! The user's own model facts: corrections to the catalog and models it does not know,
//! set with `higress-claw models set` so nobody waits for a release when a provider
//! changes a limit.
//!
//! One small JSON file (`~/.higress-claw/models.json`, or `$HIGRESS_CLAW_MODELS_FILE`):
//! `{"models": {"<id>": {"context_window", "max_tokens", "reasoning", "input", "name"}}}`,
//! every fact optional. Edits lock `<file>.lock`, keep fields they do not know, skip the
//! write when nothing changes and replace the file atomically.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use thiserror::Error;

use super::{ClientModel, FactSource};
use crate::env_vars;
use crate::gateway::store::{lock_file, write_atomic};

/// The file the user's facts live in.
pub fn models_file() -> PathBuf {
    std::env::var_os(env_vars::MODELS_FILE)
        .filter(|p| !p.is_empty())
        .map_or_else(|| env_vars::state_dir().join("models.json"), PathBuf::from)
}

#[derive(Debug, Error)]
pub enum UserModelsError {
    #[error("cannot read the model facts file {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "the model facts file {path} is not valid JSON of the form {{\"models\": {{\"<id>\": {{…}}}}}}; correct or delete it"
    )]
    Parse {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("cannot write the model facts file {path}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// An input a model accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum InputKind {
    Text,
    Image,
}

impl InputKind {
    pub fn as_str(self) -> &'static str {
        match self {
            InputKind::Text => "text",
            InputKind::Image => "image",
        }
    }
}

/// The inputs a model takes, as `--input text,image` gives them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputKinds(pub Vec<InputKind>);

impl InputKinds {
    /// `text`, `image` or `text,image` (any order, any case); the message says what is
    /// allowed.
    pub fn parse(value: &str) -> Result<Self, String> {
        let mut kinds = Vec::new();
        for part in value.split(',').map(str::trim) {
            let kind = match part.to_ascii_lowercase().as_str() {
                "text" => InputKind::Text,
                "image" => InputKind::Image,
                _ => {
                    return Err(format!(
                        "{:?} is not an input kind; use text, image or text,image",
                        part.chars().take(40).collect::<String>()
                    ));
                }
            };
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
        kinds.sort();
        Ok(Self(kinds))
    }
}

/// A model's display name: one line, not empty.
pub fn display_name(value: &str) -> Result<String, String> {
    if value.trim().is_empty() {
        return Err("is empty; give the name clients should show".into());
    }
    crate::values::no_control(value)?;
    Ok(value.trim().to_string())
}

/// What the user says about one model; what is not said comes from the catalog.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ModelFacts {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_window: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<Vec<InputKind>>,
    /// Fields a newer higress-claw wrote: kept as they are.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl ModelFacts {
    /// Nothing is said.
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.context_window.is_none()
            && self.max_tokens.is_none()
            && self.reasoning.is_none()
            && self.input.is_none()
    }

    /// `self` with every fact `update` states replaced.
    pub fn merged(&self, update: &ModelFacts) -> ModelFacts {
        let mut out = self.clone();
        if update.name.is_some() {
            out.name.clone_from(&update.name);
        }
        out.context_window = update.context_window.or(self.context_window);
        out.max_tokens = update.max_tokens.or(self.max_tokens);
        out.reasoning = update.reasoning.or(self.reasoning);
        if update.input.is_some() {
            out.input.clone_from(&update.input);
        }
        out
    }

    /// `model` with these facts.
    pub fn apply(&self, mut model: ClientModel) -> ClientModel {
        if self.is_empty() {
            return model;
        }
        if let Some(name) = &self.name {
            model.name.clone_from(name);
        }
        model.context_window = self.context_window.unwrap_or(model.context_window);
        model.max_tokens = self.max_tokens.unwrap_or(model.max_tokens);
        model.reasoning = self.reasoning.unwrap_or(model.reasoning);
        if let Some(input) = &self.input {
            let mut kinds = input.clone();
            kinds.sort();
            kinds.dedup();
            model.input = kinds.into_iter().map(InputKind::as_str).collect();
        }
        model.source = FactSource::User;
        model
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct FileShape {
    #[serde(default)]
    models: BTreeMap<String, ModelFacts>,
    #[serde(flatten)]
    other: Map<String, Value>,
}

/// The user's facts, as read from the file (empty when there is none).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserModels {
    file: FileShape,
}

/// What an edit did to one model's facts.
#[derive(Debug, Clone, PartialEq)]
pub struct FactsChange {
    pub before: Option<ModelFacts>,
    pub after: Option<ModelFacts>,
}

impl FactsChange {
    pub fn changed(&self) -> bool {
        self.before != self.after
    }
}

impl UserModels {
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        Ok(Self {
            file: serde_json::from_str(text)?,
        })
    }

    /// The facts in `path`; none when the file does not exist.
    pub fn load(path: &Path) -> Result<Self, UserModelsError> {
        match std::fs::read_to_string(path) {
            Ok(text) if text.trim().is_empty() => Ok(Self::default()),
            Ok(text) => Self::from_json(&text).map_err(|source| UserModelsError::Parse {
                path: path.to_path_buf(),
                source,
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(source) => Err(UserModelsError::Read {
                path: path.to_path_buf(),
                source,
            }),
        }
    }

    pub fn get(&self, id: &str) -> Option<&ModelFacts> {
        self.file.models.get(id)
    }

    /// The ids the user has facts for, sorted.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.file.models.keys().map(String::as_str)
    }

    pub fn entries(&self) -> impl Iterator<Item = (&str, &ModelFacts)> {
        self.file.models.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// `model` with the user's facts for its id, if any.
    pub fn correct(&self, model: ClientModel) -> ClientModel {
        match self.get(&model.id) {
            Some(facts) => facts.apply(model),
            None => model,
        }
    }

    /// Merges `update` into the facts of `id` in `path`, under its lock.
    pub fn set(
        path: &Path,
        id: &str,
        update: &ModelFacts,
        on_wait: impl FnOnce(&Path),
    ) -> Result<FactsChange, UserModelsError> {
        Self::edit(path, on_wait, |models| {
            let before = models.get(id).cloned();
            let after = before.clone().unwrap_or_default().merged(update);
            models.insert(id.to_string(), after.clone());
            FactsChange {
                before,
                after: Some(after),
            }
        })
    }

    /// Forgets what the user said about `id`.
    pub fn unset(
        path: &Path,
        id: &str,
        on_wait: impl FnOnce(&Path),
    ) -> Result<FactsChange, UserModelsError> {
        Self::edit(path, on_wait, |models| FactsChange {
            before: models.remove(id),
            after: None,
        })
    }

    /// Lock, read, change, and write only when something changed.
    fn edit(
        path: &Path,
        on_wait: impl FnOnce(&Path),
        change: impl FnOnce(&mut BTreeMap<String, ModelFacts>) -> FactsChange,
    ) -> Result<FactsChange, UserModelsError> {
        let write_err = |source| UserModelsError::Write {
            path: path.to_path_buf(),
            source,
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(write_err)?;
        }
        let mut lock_name = path.as_os_str().to_owned();
        lock_name.push(".lock");
        let _lock = lock_file(Path::new(&lock_name), on_wait).map_err(write_err)?;
        let mut current = Self::load(path)?;
        let result = change(&mut current.file.models);
        if result.changed() {
            let mut text = serde_json::to_string_pretty(&current.file).expect("facts serialize");
            text.push('\n');
            write_atomic(path, text.as_bytes(), 0o644).map_err(write_err)?;
        }
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_merges_unset_forgets_and_unknown_fields_stay() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("models.json");
        std::fs::write(
            &path,
            r#"{"future": 1, "models": {"glm-5": {"reasoning": false, "note": "kept"}}}"#,
        )
        .unwrap();
        let update = ModelFacts {
            context_window: Some(1000),
            ..ModelFacts::default()
        };
        let change = UserModels::set(&path, "glm-5", &update, |_| {}).unwrap();
        assert!(change.changed());
        let after = change.after.unwrap();
        assert_eq!(
            (after.context_window, after.reasoning),
            (Some(1000), Some(false))
        );
        let again = UserModels::set(&path, "glm-5", &update, |_| {}).unwrap();
        assert!(!again.changed(), "the same facts twice change nothing");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.contains("\"future\": 1") && text.contains("\"note\": \"kept\""),
            "{text}"
        );
        let gone = UserModels::unset(&path, "glm-5", |_| {}).unwrap();
        assert!(gone.before.is_some() && gone.after.is_none());
        assert!(UserModels::load(&path).unwrap().get("glm-5").is_none());
        assert!(!UserModels::unset(&path, "glm-5", |_| {}).unwrap().changed());
    }

    #[test]
    fn a_broken_file_is_an_error_that_names_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("models.json");
        std::fs::write(&path, "{not json").unwrap();
        let err = UserModels::load(&path).unwrap_err();
        assert!(err.to_string().contains("models.json"), "{err}");
        assert!(
            UserModels::load(&dir.path().join("none.json"))
                .unwrap()
                .ids()
                .next()
                .is_none()
        );
    }
}
