//! `higress-claw stop`.

use serde::Serialize;

use crate::printer::Printer;
use crate::target::Target;

#[derive(Serialize)]
struct StopReport<'a> {
    container: &'a str,
    /// `stopped` or `already-stopped`.
    action: &'static str,
}

pub async fn run(target: &Target, printer: Printer) -> anyhow::Result<()> {
    let engine = super::engine(&printer).await?;
    let name = target.container.as_str();
    let Some(container) = engine.find(name).await? else {
        return Err(anyhow::anyhow!(super::no_container(&engine, target).await));
    };
    let action = if container.state.is_running() {
        engine.stop(name).await?;
        printer.success(format!(
            "Stopped {name}; the configuration is kept. Start it again with `higress-claw start{}`",
            target.flags()
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
