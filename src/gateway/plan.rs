//! What `init` and `start` decide before anything is written, and the writing of it.
//!
//! A [`Plan`] holds the providers the user named (each already valid on its own),
//! checked as a whole (no two claim the same models), the auto-routing choice, the
//! region's choices and the notes worth telling. [`deployment_for_start`] and
//! [`deployment_for_init`] decide how the container is made: what was asked, else what
//! the folder's `default.cfg` recorded, else the defaults. [`write`] then writes a
//! complete folder in one transaction, the marker last.

use std::net::IpAddr;
use std::path::Path;

use thiserror::Error;

use super::folder::{DataFolder, FolderError};
use super::pattern::same_routes;
use super::provider::ProviderConfig;
use super::settings::DeploymentSettings;
use super::{AUTO_MODEL, paths};
use crate::docker::{PortError, Ports};
use crate::region::{self, Region, RegionInfo};

#[derive(Debug)]
pub struct Plan {
    pub providers: Vec<ProviderConfig>,
    /// The default model when auto-routing is on.
    pub auto_routing: Option<String>,
    pub region: RegionInfo,
    pub notes: Vec<Note>,
}

/// Something decided for the user that they should hear about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// The international z.ai domain was chosen because of the region.
    ZhipuDomain {
        domain: &'static str,
        timezone: Option<String>,
    },
    /// Auto-routing's default model was taken from the first provider.
    DefaultModel { model: String },
    /// A default model was given without auto-routing; like get-ai-gateway.sh, it is
    /// ignored.
    IgnoredDefaultModel { model: String },
}

#[derive(Debug, Error)]
pub enum PlanError {
    #[error("the auto-routing default model is empty")]
    EmptyDefaultModel,
    #[error("auto-routing needs a default model, and there is no provider to take one from")]
    NoDefaultModel,
    #[error("the default model cannot be {AUTO_MODEL} itself")]
    DefaultIsAuto,
    #[error(transparent)]
    Overlap(#[from] Overlap),
}

/// Two providers whose model patterns claim a common model: the gateway would pick
/// one of them by ingress order, silently.
#[derive(Debug, Error)]
#[error(
    "{first} and {second} both claim {}",
    if example.is_empty() { format!("the models of {models:?}") } else { format!("{example:?} (with the patterns {first_models:?} and {models:?})") }
)]
pub struct Overlap {
    pub first: &'static str,
    pub first_models: String,
    pub second: &'static str,
    /// The provider id of the second, whose patterns the hint suggests changing.
    pub second_id: &'static str,
    pub models: String,
    /// The shortest model id both accept.
    pub example: String,
}

/// Refuses two providers with the same model match (upstream writes both azure and
/// openai with `gpt-*`).
pub fn check_overlaps(providers: &[ProviderConfig]) -> Result<(), Overlap> {
    match same_routes(providers, |p| Some(p.header_match())).first() {
        Some((first, second, example)) => Err(Overlap {
            first: first.spec.display_name,
            first_models: first.models().to_string(),
            second: second.spec.display_name,
            second_id: second.spec.id,
            models: second.models().to_string(),
            example: example.clone(),
        }),
        None => Ok(()),
    }
}

/// Refuses `provider` when it claims a model one of `others` claims. Overlaps among
/// `others` themselves are not this edit's doing; `doctor` reports them.
pub fn check_overlap_with(
    provider: &ProviderConfig,
    others: &[ProviderConfig],
) -> Result<(), Overlap> {
    let mine = provider.header_match();
    for other in others.iter().filter(|o| o.spec.id != provider.spec.id) {
        if let Some(example) = super::pattern::overlap(&other.header_match(), &mine) {
            return Err(Overlap {
                first: other.spec.display_name,
                first_models: other.models().to_string(),
                second: provider.spec.display_name,
                second_id: provider.spec.id,
                models: provider.models().to_string(),
                example,
            });
        }
    }
    Ok(())
}

impl Plan {
    /// Checks the providers together and settles auto-routing: with it on, the default
    /// model is the one given, else the first provider's example model.
    pub fn new(
        mut providers: Vec<ProviderConfig>,
        auto_routing: bool,
        default_model: Option<&str>,
        region: RegionInfo,
    ) -> Result<Self, PlanError> {
        check_overlaps(&providers)?;
        let mut notes = Vec::new();
        for p in &mut providers {
            if p.spec.id == "zhipuai"
                && p.get("zhipuDomain").is_none()
                && region.region == Region::International
            {
                let domain = region::zhipu_domain(region.region);
                p.set("zhipuDomain", domain)
                    .expect("zhipuDomain is a z.ai setting");
                notes.push(Note::ZhipuDomain {
                    domain,
                    timezone: region.timezone.clone(),
                });
            }
        }
        let auto_routing = match (auto_routing, default_model) {
            (false, Some(model)) => {
                notes.push(Note::IgnoredDefaultModel {
                    model: model.to_string(),
                });
                None
            }
            (false, None) => None,
            (true, Some(model)) if model.trim().is_empty() => {
                return Err(PlanError::EmptyDefaultModel);
            }
            (true, Some(model)) => Some(model.trim().to_string()),
            (true, None) => {
                let first = providers.first().ok_or(PlanError::NoDefaultModel)?;
                let model = first.example_model();
                notes.push(Note::DefaultModel {
                    model: model.clone(),
                });
                Some(model)
            }
        };
        if auto_routing.as_deref() == Some(AUTO_MODEL) {
            return Err(PlanError::DefaultIsAuto);
        }
        Ok(Self {
            providers,
            auto_routing,
            region,
            notes,
        })
    }
}

/// Ports asked for on the command line; `None` keeps what the folder recorded.
#[derive(Debug, Clone, Copy, Default)]
pub struct PortRequest {
    pub http: Option<u16>,
    pub https: Option<u16>,
    pub console: Option<u16>,
}

impl PortRequest {
    /// The asked ports over `base`, checked to be usable together.
    pub fn over(self, base: Ports) -> Result<Ports, PortError> {
        let ports = Ports {
            http: self.http.unwrap_or(base.http),
            https: self.https.unwrap_or(base.https),
            console: self.console.unwrap_or(base.console),
        };
        ports.check()?;
        Ok(ports)
    }
}

/// How `start` asks the container to be made.
#[derive(Debug, Clone, Default)]
pub struct DeploymentRequest {
    pub ports: PortRequest,
    pub image_repo: Option<String>,
    pub image_tag: Option<String>,
    pub bind: Option<IpAddr>,
    /// `--publish-console`: the console's port on `bind` too.
    pub publish_console: bool,
}

/// A new container for `start`: each setting as asked, else as the folder's
/// `default.cfg` recorded it, else the region's default. Auto-routing stays on if
/// the folder had it on.
pub fn deployment_for_start(
    request: &DeploymentRequest,
    plan: &Plan,
    saved: Option<&DeploymentSettings>,
) -> Result<DeploymentSettings, PortError> {
    Ok(DeploymentSettings {
        ports: request
            .ports
            .over(saved.map_or(Ports::DEFAULT, |s| s.ports))?,
        // A recorded registry goes with its image: a new --image-repo starts afresh.
        plugin_registry: saved.filter(|_| request.image_repo.is_none()).map_or_else(
            || plan.region.registry.to_string(),
            |s| s.plugin_registry.clone(),
        ),
        image_repo: request
            .image_repo
            .clone()
            .or_else(|| saved.and_then(|s| s.image_repo.clone())),
        image_tag: request
            .image_tag
            .clone()
            .or_else(|| saved.and_then(|s| s.image_tag.clone())),
        auto_routing: plan.auto_routing.is_some() || saved.is_some_and(|s| s.auto_routing),
        auto_routing_default_model: plan
            .auto_routing
            .clone()
            .or_else(|| saved.and_then(|s| s.auto_routing_default_model.clone())),
        bind: request.bind.or_else(|| saved.and_then(|s| s.bind)),
        publish_console: request.publish_console || saved.is_some_and(|s| s.publish_console),
    })
}

/// The settings `init` writes: a folder rewritten from the plan (registry by region,
/// auto-routing as asked), keeping the image and bind address a deployment recorded.
pub fn deployment_for_init(
    ports: PortRequest,
    plan: &Plan,
    saved: Option<&DeploymentSettings>,
) -> Result<DeploymentSettings, PortError> {
    Ok(DeploymentSettings {
        ports: ports.over(saved.map_or(Ports::DEFAULT, |s| s.ports))?,
        plugin_registry: plan.region.registry.to_string(),
        image_repo: saved.and_then(|s| s.image_repo.clone()),
        image_tag: saved.and_then(|s| s.image_tag.clone()),
        auto_routing: plan.auto_routing.is_some(),
        auto_routing_default_model: plan.auto_routing.clone(),
        bind: saved.and_then(|s| s.bind),
        publish_console: saved.is_some_and(|s| s.publish_console),
    })
}

/// Writes a complete folder: every provider of the plan, the plugins, the console
/// defaults, `default.cfg` and, last, the marker. With `replace`, providers not in the
/// plan are removed first (`init --force`). Returns the files that changed.
pub fn write(
    folder: &DataFolder,
    plan: &Plan,
    deployment: &DeploymentSettings,
    replace: bool,
    on_wait: impl FnOnce(&Path),
) -> Result<Vec<String>, WriteError> {
    folder.check_not_foreign()?;
    // A rewrite replaces whatever is there, damage included.
    let mut tx = if replace {
        folder.begin_unchecked(on_wait)?
    } else {
        folder.begin(on_wait)?
    };
    if !replace {
        // Added to a configured folder: each must not claim another's models.
        let existing: Vec<ProviderConfig> = folder
            .providers()?
            .iter()
            .filter(|e| !plan.providers.iter().any(|p| p.spec.id == e.id))
            .filter_map(|e| e.to_config())
            .collect();
        for provider in &plan.providers {
            check_overlap_with(provider, &existing).map_err(PlanError::Overlap)?;
        }
    }
    if replace {
        tx.start_over_unsound()?;
        // Every entry goes, get-ai-gateway.sh's `YOUR_…_API_KEY` placeholders included:
        // a rewritten folder holds what the plan says and nothing else.
        for id in tx.provider_ids()? {
            if !plan.providers.iter().any(|p| p.spec.id == id) {
                tx.remove_provider(&id)?;
                // A kept route that fell back to it loses that fallback, not its way.
                for owner in folder.falling_back_to(&id).unwrap_or_default() {
                    let kept = plan.providers.iter().any(|p| p.spec.id == owner);
                    tx.remove_fallback(&owner, kept)?;
                }
            }
        }
    }
    for provider in &plan.providers {
        tx.upsert_provider(provider)?;
    }
    if let Some(model) = &plan.auto_routing {
        let routing = tx
            .router()?
            .spec
            .default_config
            .auto_routing
            .get_or_insert_with(Default::default);
        routing.enable = true;
        routing.default_model = Some(model.clone());
    }
    tx.set_console_defaults()?;
    let console = format!("127.0.0.1:{}", deployment.ports.console);
    if let Some(registry) = tx
        .bridge()?
        .spec
        .registries
        .iter_mut()
        .find(|r| r.name == "higress-console")
    {
        registry.domain = console;
    }
    tx.put_settings(deployment)?;
    tx.put(
        paths::MARKER,
        "Written by higress-claw; keeps the image's template from rewriting this folder.\n".into(),
    );
    folder.create_log_dir()?;
    Ok(tx.commit()?)
}

#[derive(Debug, Error)]
pub enum WriteError {
    #[error(transparent)]
    Folder(#[from] FolderError),
    #[error(transparent)]
    Plan(#[from] PlanError),
}

/// Records in `default.cfg` how the container was created (ports, bind address,
/// image), so that a later `start` after `delete`, `doctor` and `upgrade` see the same
/// deployment. Other lines, get-ai-gateway.sh's included, are kept. True when the file
/// changed.
pub fn save_deployment(
    folder: &DataFolder,
    deployment: &DeploymentSettings,
    on_wait: impl FnOnce(&Path),
) -> Result<bool, FolderError> {
    let mut tx = folder.begin_unchecked(on_wait)?;
    tx.put_settings(deployment)?;
    Ok(!tx.commit()?.is_empty())
}
