//! The Higress data folder: what is in it, how it is rendered, and how it is edited.
//!
//! - `catalog`: the provider table; `models`: what clients know of each model.
//! - `provider`: one provider as configured, validated, and what its resources derive
//!   from it; `pattern`: model patterns and the header match they become; `routing`:
//!   auto-routing rules and which provider serves a model; `rules`: the edits of them.
//! - `resources`: the typed YAML documents; `templates`: the ones a new folder starts
//!   from; `settings`: the deployment's `default.cfg`.
//! - `store`: the locked, atomic file access; `folder`: reads and the one
//!   [`Transaction`] that edits; `integrity`: what refuses a damaged folder, and
//!   `verified`: the router bytes that check already passed; `provider_resources`: a
//!   provider's resources in it; `configured`: the read model of what is configured;
//!   `client_keys`: who may call the AI routes (key-auth);
//!   `problems`: what doctor finds wrong; `plan`: what `init` and `start` decide before
//!   writing; `export`: the configuration for Kubernetes.

pub mod catalog;
pub mod client_keys;
pub mod configured;
pub mod export;
pub mod fallback;
pub mod folder;
pub mod go_regex;
pub mod integrity;
pub mod journal;
pub mod layout;
pub mod models;
pub mod pattern;
pub mod plan;
pub mod problems;
pub mod provider;
pub mod provider_resources;
pub mod repair;
pub mod resilience;
pub mod resources;
pub mod routing;
pub mod rules;
pub mod serving;
pub mod settings;
pub mod store;
pub mod templates;
pub mod verified;

pub use configured::ConfiguredProvider;
pub use folder::{DataFolder, FolderError, Transaction};
pub use provider::{ProviderConfig, ProviderError};

pub const DEFAULT_CONTAINER_NAME: &str = "higress-ai-gateway";
pub const DEFAULT_IMAGE_TAG: &str = "latest";
/// The model name that asks the model-router to pick a model by message content.
pub const AUTO_MODEL: &str = "higress/auto";

/// File names inside the data folder, the same as upstream's so either tool can read
/// the other's folder.
pub mod paths {
    pub const AI_PROXY: &str = "wasmplugins/ai-proxy.internal.yaml";
    pub const MODEL_ROUTER: &str = "wasmplugins/model-router.internal.yaml";
    pub const AI_STATISTICS: &str = "wasmplugins/ai-statistics-1.0.0.yaml";
    /// The client keys (key-auth consumers) and the AI routes they protect.
    pub const KEY_AUTH: &str = "wasmplugins/key-auth.internal.yaml";
    pub const MCP_BRIDGE: &str = "mcpbridges/default.yaml";
    pub const CONSOLE_CONFIGMAP: &str = "configmaps/higress-console.yaml";
    /// Present = the image's own template never rewrites the folder.
    pub const MARKER: &str = ".ai-gateway-configured";
    pub const DEFAULT_CFG: &str = "default.cfg";
    pub const LOGS: &str = "logs";

    pub fn ingress(id: &str) -> String {
        format!("ingresses/ai-route-{id}.internal.yaml")
    }

    pub fn route_configmap(id: &str) -> String {
        format!("configmaps/ai-route-{id}.yaml")
    }
}
