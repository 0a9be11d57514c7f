//! `models`: what the gateway serves per provider, and the user's own model facts.

use std::path::Path;

use serde::Serialize;

use super::{AutoRoutingReport, ModelView, ProviderReport};
use crate::gateway::models::{ClientModel, ModelFacts, UserModels};
use crate::gateway::resources::AutoRouting;
use crate::gateway::{ConfiguredProvider, serving};

#[derive(Serialize)]
pub struct ModelsReport {
    pub data_dir: String,
    pub providers: Vec<ProviderModels>,
    pub auto_routing: AutoRoutingReport,
    /// The file of `models set`, and what it holds.
    pub models_file: String,
    pub user_models: Vec<UserModelView>,
}

#[derive(Serialize)]
pub struct ProviderModels {
    #[serde(flatten)]
    pub provider: ProviderReport,
    /// Models this provider's route accepts, with what clients need to know of them.
    pub models: Vec<ModelFactsView>,
}

/// A model and where its facts come from: `catalog`, `user` or `default`.
#[derive(Serialize)]
pub struct ModelFactsView {
    #[serde(flatten)]
    pub model: ModelView,
    pub facts: &'static str,
}

impl From<&ClientModel> for ModelFactsView {
    fn from(m: &ClientModel) -> Self {
        Self {
            model: ModelView::from(m),
            facts: m.source.as_str(),
        }
    }
}

/// One model's facts in the user's file (only what was set).
#[derive(Serialize)]
pub struct UserModelView {
    pub id: String,
    #[serde(flatten)]
    pub facts: ModelFacts,
}

#[derive(Serialize)]
pub struct FactsReport {
    pub model: String,
    /// `added`, `updated`, `unchanged`, `removed` or `absent`.
    pub action: &'static str,
    /// What the file says about the model now (null once removed).
    pub facts: Option<ModelFacts>,
    pub previous: Option<ModelFacts>,
    /// What clients are told: the catalog's facts with the user's on top.
    pub effective: ModelFactsView,
    pub file: String,
}

pub fn describe(view: &ModelFactsView) -> String {
    let m = &view.model;
    format!(
        "{}: context window {}, max tokens {}, reasoning {}, input {} ({} facts)",
        m.id,
        m.context_window,
        m.max_tokens,
        m.reasoning,
        m.input.join(","),
        view.facts
    )
}

impl ModelsReport {
    /// What each provider serves (the catalog's facts corrected by the user's), and the
    /// user's file.
    pub fn new(
        data_dir: String,
        providers: &[ConfiguredProvider],
        routing: Option<&AutoRouting>,
        file: &Path,
        user: &UserModels,
    ) -> Self {
        Self {
            data_dir,
            providers: providers
                .iter()
                .map(|p| ProviderModels {
                    provider: ProviderReport::from_configured(p),
                    models: serving::provider_models(p, providers, user)
                        .iter()
                        .map(ModelFactsView::from)
                        .collect(),
                })
                .collect(),
            auto_routing: AutoRoutingReport::from(routing),
            models_file: file.display().to_string(),
            user_models: user
                .entries()
                .map(|(id, facts)| UserModelView {
                    id: id.to_string(),
                    facts: facts.clone(),
                })
                .collect(),
        }
    }

    /// Each provider's line, with a few of the models it serves under it.
    pub fn text(&self) -> String {
        let mut text = String::new();
        for p in &self.providers {
            text.push_str(&p.provider.line());
            text.push('\n');
            if !p.models.is_empty() {
                let ids: Vec<&str> = p.models.iter().map(|m| m.model.id.as_str()).collect();
                text.push_str(&format!("    e.g. {}\n", ids.join(", ")));
            }
        }
        if text.is_empty() {
            text.push_str("No provider is configured.");
        }
        text.trim_end().to_string()
    }
}
