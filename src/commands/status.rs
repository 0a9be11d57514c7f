//! `higress-claw status`: the container, its readiness, and what is configured.

use crate::docker::{ContainerState, Engine, readiness};
use crate::gateway::DataFolder;
use crate::printer::Printer;
use crate::target::Target;
use crate::views::status::{DockerReport, StatusReport, render};

pub async fn run(target: &Target, printer: Printer) -> anyhow::Result<()> {
    let (engine, mut docker) = engine_report().await;
    // Status reports what it can: a failed lookup is said in `docker.error`.
    let container = match &engine {
        Some(engine) => engine.find(&target.container).await.unwrap_or_else(|err| {
            docker.error = Some(format!("{err:#}"));
            None
        }),
        None => None,
    };
    let dir = target.folder(engine.as_ref()).await;
    let folder = DataFolder::new(&dir);
    let ready = probe(container.as_ref()).await;
    let report = StatusReport::new(target, &folder, container.as_ref(), ready, docker)?;
    printer.json(&report);
    let folder_known = target.data_dir.is_some() || report.docker.reachable;
    printer.data(render(&report, folder_known).trim_end());
    // What was found is printed; the command still fails, so a script does not read
    // "state unknown" as "fine".
    match &report.docker.error {
        Some(err) if !report.docker.reachable => {
            anyhow::bail!("the state of {} is unknown: {err}", report.container)
        }
        _ => Ok(()),
    }
}

/// Whether a running container's gateway and console answer.
async fn probe(container: Option<&crate::docker::Container>) -> Option<readiness::Readiness> {
    let c = container.filter(|c| c.state == ContainerState::Running)?;
    let p = c.ports?;
    let hosts = readiness::Hosts::of(c.bind, c.console_bind);
    Some(readiness::probe(&hosts, p.http, p.console).await)
}

/// The engine, and what status says of it.
async fn engine_report() -> (Option<Engine>, DockerReport) {
    match Engine::connect().await {
        Ok(engine) => {
            let endpoint = Some(engine.endpoint().describe());
            (
                Some(engine),
                DockerReport {
                    reachable: true,
                    endpoint,
                    error: None,
                },
            )
        }
        Err(err) => (
            None,
            DockerReport {
                reachable: false,
                endpoint: None,
                error: Some(err.to_string()),
            },
        ),
    }
}
