//! `higress-claw upgrade`: a newer image on the same folder and ports, or the old
//! container back.
//!
//! The old container is renamed aside and stopped (its ports must be free for the new
//! one), the new one is created under the original name and must become ready within
//! `--wait-timeout`; otherwise it is removed and the old one renamed back and started.
//! The data folder is shared, so nothing is lost either way.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use serde::Serialize;

use super::start::probe_host;
use super::usage;
use crate::cli::{GlobalArgs, UpgradeArgs};
use crate::docker::{ContainerSpec, Engine, readiness, split_image};
use crate::printer::Printer;
use crate::region::DEFAULT_REGISTRY;

#[derive(Serialize)]
struct UpgradeReport {
    container: String,
    from_image: String,
    to_image: String,
    /// `upgraded`, or `rolled-back` (then the command exits 1).
    result: &'static str,
}

pub async fn run(args: UpgradeArgs, global: &GlobalArgs, printer: Printer) -> anyhow::Result<()> {
    let engine = Engine::connect().await?;
    let name = global.container_name.as_str();
    let Some(old) = engine.find(name).await? else {
        return Err(usage(format!(
            "there is no container named {name}; create one with `higress-claw start`"
        )));
    };
    let (Some(data_dir), Some(ports)) = (old.data_dir.clone(), old.ports) else {
        return Err(usage(format!(
            "{name} has no /data mount or published ports; it is not a gateway container"
        )));
    };
    let (repo, tag) = split_image(&old.image);
    let image = format!(
        "{}:{}",
        args.image_repo.as_deref().unwrap_or(repo),
        args.image_tag.as_deref().unwrap_or(tag)
    );
    let bar = printer.bytes_bar(format!("Pulling {image}"));
    let pulled = engine
        .pull(&image, |done, total| {
            bar.set_length(total);
            bar.set_position(done);
        })
        .await;
    bar.finish_and_clear();
    if let Err(err) = pulled {
        if engine.image_exists(&image).await {
            printer.warn(format!("{err}; using the copy of {image} already here"));
        } else {
            return Err(err.into());
        }
    }
    let env_value = |key: &str| {
        old.env
            .iter()
            .find_map(|e| e.strip_prefix(&format!("{key}=")))
            .map(String::from)
    };
    let spec = ContainerSpec {
        name: name.to_string(),
        image: image.clone(),
        data_dir,
        ports,
        bind: old
            .bind
            .as_deref()
            .and_then(|b| b.parse().ok())
            .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST)),
        plugin_registry: env_value("PLUGIN_REGISTRY")
            .unwrap_or_else(|| DEFAULT_REGISTRY.to_string()),
    };
    let aside = format!("{name}-previous");
    engine.remove(&aside, true).await?; // a leftover of an interrupted upgrade
    engine.rename(name, &aside).await?;
    let was_running = old.state.is_running();
    engine.stop(&aside).await?;
    printer.status(format!(
        "Kept the old container as {aside} until the new one is ready"
    ));

    let host = probe_host(old.bind.as_deref());
    let attempt = async {
        engine.create(&spec).await?;
        engine.start(name).await?;
        let spinner = printer.spinner("Waiting for the new gateway and console to answer");
        let seen = readiness::wait(
            &host,
            ports.http,
            ports.console,
            Duration::from_secs(args.wait_timeout),
        )
        .await;
        spinner.finish_and_clear();
        anyhow::Ok(seen.ready())
    }
    .await;
    let report = |result| UpgradeReport {
        container: name.to_string(),
        from_image: old.image.clone(),
        to_image: image.clone(),
        result,
    };
    match attempt {
        Ok(true) => {
            engine.remove(&aside, true).await?;
            printer.success(format!("Upgraded {name}: {} → {image}", old.image));
            printer.json(&report("upgraded"));
            Ok(())
        }
        outcome => {
            let logs = engine.last_log_lines(name, Some(20)).await;
            engine.remove(name, true).await?;
            engine.rename(&aside, name).await?;
            if was_running {
                engine.start(name).await?;
                readiness::wait(
                    &host,
                    ports.http,
                    ports.console,
                    Duration::from_secs(args.wait_timeout),
                )
                .await;
            }
            printer.json(&report("rolled-back"));
            let why = match outcome {
                Err(err) => format!("{err:#}"),
                _ => format!(
                    "it did not answer within {} s; its last log lines:\n{}",
                    args.wait_timeout,
                    logs.trim_end()
                ),
            };
            anyhow::bail!(
                "the new container ({image}) failed, so {name} was rolled back to {}: {why}",
                old.image
            )
        }
    }
}
