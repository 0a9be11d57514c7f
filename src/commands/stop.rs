//! `higress-claw stop`.

use serde::Serialize;

use crate::cli::GlobalArgs;
use crate::docker::Engine;
use crate::printer::Printer;

#[derive(Serialize)]
struct StopReport<'a> {
    container: &'a str,
    /// `stopped` or `already-stopped`.
    action: &'static str,
}

pub async fn run(global: &GlobalArgs, printer: Printer) -> anyhow::Result<()> {
    let engine = Engine::connect().await?;
    let name = global.container_name.as_str();
    let Some(container) = engine.find(name).await? else {
        anyhow::bail!(
            "there is no container named {name}; start one with `higress-claw start{}`, or name yours with --container-name",
            super::target_flags(global)
        );
    };
    let action = if container.state.is_running() {
        engine.stop(name).await?;
        printer.success(format!(
            "Stopped {name}; the configuration is kept. Start it again with `higress-claw start{}`",
            super::target_flags(global)
        ));
        "stopped"
    } else {
        printer.success(format!("{name} is not running"));
        "already-stopped"
    };
    printer.json(&StopReport {
        container: name,
        action,
    });
    Ok(())
}
