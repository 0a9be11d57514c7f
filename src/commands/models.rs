//! `higress-claw models`: what the gateway can serve, and which provider serves a model.

use serde::Serialize;

use super::views::{AutoRoutingReport, ModelView, ProviderReport, ResolutionView};
use crate::cli::{ModelsArgs, ModelsCommand};
use crate::gateway::routing::{self, Resolution};
use crate::printer::Printer;
use crate::target::Target;

#[derive(Serialize)]
struct ModelsReport {
    data_dir: String,
    providers: Vec<ProviderModels>,
    auto_routing: AutoRoutingReport,
}

#[derive(Serialize)]
struct ProviderModels {
    #[serde(flatten)]
    provider: ProviderReport,
    /// Models this provider's route accepts, with what clients need to know of them.
    models: Vec<ModelView>,
}

pub async fn run(args: ModelsArgs, target: &Target, printer: Printer) -> anyhow::Result<()> {
    let ws = super::workspace(target, &printer).await?;
    let folder = &ws.folder;
    let providers = folder.providers()?;
    if let Some(ModelsCommand::Resolve { model }) = args.command {
        let resolution: Resolution = routing::resolve(model.trim(), &providers);
        printer.json(&ResolutionView::from(&resolution));
        return match &resolution.provider {
            Some(id) => {
                let mut text = format!(
                    "{} → {id} ({})",
                    resolution.model,
                    resolution.name.as_deref().unwrap_or(id)
                );
                if !resolution.also.is_empty() {
                    text.push_str(&format!("; also matched by {}", resolution.also.join(", ")));
                }
                printer.data(text);
                Ok(())
            }
            None => anyhow::bail!(
                "no configured provider serves {:?}; add one whose models match (`higress-claw config add --provider P --key K --models PATTERN`)",
                resolution.model
            ),
        };
    }
    let report = ModelsReport {
        data_dir: ws.describe(),
        providers: providers
            .iter()
            .map(|p| ProviderModels {
                provider: ProviderReport::from_configured(p),
                models: p.client_models().iter().map(ModelView::from).collect(),
            })
            .collect(),
        auto_routing: AutoRoutingReport::from(folder.auto_routing()?.as_ref()),
    };
    printer.json(&report);
    let mut text = String::new();
    for p in &report.providers {
        text.push_str(&p.provider.line());
        text.push('\n');
        if !p.models.is_empty() {
            let ids: Vec<&str> = p.models.iter().map(|m| m.id.as_str()).collect();
            text.push_str(&format!("    e.g. {}\n", ids.join(", ")));
        }
    }
    if text.is_empty() {
        text.push_str("No provider is configured.");
    }
    printer.data(text.trim_end());
    Ok(())
}
