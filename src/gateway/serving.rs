//! What the gateway serves, as clients should know it: each configured provider's
//! models (the catalog's, corrected and extended by the user's facts) and the
//! auto-router. Kept apart from `models`, the facts themselves, which the read model
//! (`configured`) builds on.

use super::models::{AUTO_REF, ClientModel, UserModels, auto_model, client_model};
use super::resources::AutoRouting;
use super::{ConfiguredProvider, DataFolder, FolderError, routing};

/// Why a folder serves clients no model they could name.
#[derive(Debug, thiserror::Error)]
pub enum ServingError {
    #[error(transparent)]
    Folder(#[from] FolderError),
    #[error("{folder} has no provider, so clients would have no model")]
    NoProvider { folder: String },
    #[error("no concrete model is known for the configured providers")]
    NoModel,
}

/// What the folder serves, as a client (OpenClaw) should list it, and its
/// auto-routing when it is on; `describe` names the folder in the error.
pub fn for_clients(
    folder: &DataFolder,
    describe: &str,
    user: &UserModels,
) -> Result<(Vec<ClientModel>, Option<AutoRouting>), ServingError> {
    let providers = folder.providers()?;
    if providers.is_empty() {
        return Err(ServingError::NoProvider {
            folder: describe.to_string(),
        });
    }
    let routing = folder.auto_routing()?.filter(|r| r.enable);
    let auto_targets: Option<Vec<String>> = routing.as_ref().map(|r| {
        r.rules
            .iter()
            .map(|rule| rule.model.clone())
            .chain(r.default_model.clone())
            .collect()
    });
    let models = served(&providers, auto_targets.as_deref(), user);
    if models.is_empty() {
        return Err(ServingError::NoModel);
    }
    Ok((models, routing))
}

/// The models `provider` serves, as clients should know them: the catalog's models its
/// route accepts (else the literal ids of its pattern), corrected by the user's facts,
/// then the models the user added that this provider serves (the first provider whose
/// route accepts a model serves it, as the gateway routes).
pub fn provider_models(
    provider: &ConfiguredProvider,
    providers: &[ConfiguredProvider],
    user: &UserModels,
) -> Vec<ClientModel> {
    let mut models: Vec<ClientModel> = provider
        .client_models()
        .into_iter()
        .map(|m| user.correct(m))
        .collect();
    for id in user.ids() {
        if id == AUTO_REF || models.iter().any(|m| m.id == id) {
            continue;
        }
        if routing::resolve(id, providers).provider.as_deref() == Some(provider.id.as_str()) {
            models.push(user.correct(client_model(id)));
        }
    }
    models
}

/// Every model the gateway serves, each once, in provider order; with auto-routing on,
/// the auto-router first (see [`auto_model`]; `targets` are the models its rules and
/// default name).
pub fn served(
    providers: &[ConfiguredProvider],
    auto_targets: Option<&[String]>,
    user: &UserModels,
) -> Vec<ClientModel> {
    let mut models: Vec<ClientModel> = Vec::new();
    for provider in providers {
        for model in provider_models(provider, providers, user) {
            if !models.iter().any(|m| m.id == model.id) {
                models.push(model);
            }
        }
    }
    if let Some(targets) = auto_targets {
        let known: Vec<ClientModel> = targets
            .iter()
            .map(|id| {
                models
                    .iter()
                    .find(|m| &m.id == id)
                    .cloned()
                    .unwrap_or_else(|| user.correct(client_model(id)))
            })
            .collect();
        models.insert(0, auto_model(&known, user));
    }
    models
}
