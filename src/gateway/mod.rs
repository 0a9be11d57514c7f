//! The Higress data folder: what is in it, how it is rendered, and how it is edited.
//!
//! `catalog` is the provider table, `provider` one configured provider, `pattern` the
//! model-pattern rules, `resources` the typed YAML documents, `store` the locked atomic
//! file access, `settings` the deployment's `default.cfg`, and `folder` ties them into
//! whole-folder operations (init, add/remove a provider, read what is configured).

pub mod catalog;
pub mod export;
pub mod folder;
pub mod pattern;
pub mod provider;
pub mod resources;
pub mod routing;
pub mod settings;
pub mod store;

pub use folder::{ConfiguredProvider, DataFolder, FolderError, Transaction};
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
