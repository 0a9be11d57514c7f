//! `higress-claw upgrade`: a newer image on the same folder and ports, or the old
//! container back.
//!
//! The old container is renamed aside and stopped (its ports must be free for the new
//! one), the new one is created under the original name and must become ready within
//! `--wait-timeout`; otherwise (or on Ctrl-C/SIGTERM) it is removed and the old one
//! renamed back and started. The data folder is shared, so nothing is lost either way.

use std::time::Duration;

use serde::Serialize;

use super::{lock_wait, pull_with_progress, usage};
use crate::cli::UpgradeArgs;
use crate::docker::{Container, ContainerSpec, Engine, Ports, lifecycle, readiness, split_image};
use crate::gateway::{DataFolder, plan};
use crate::interrupt::Interrupts;
use crate::printer::Printer;
use crate::region::DEFAULT_REGISTRY;
use crate::target::Target;

#[derive(Serialize)]
struct UpgradeReport {
    container: String,
    from_image: String,
    to_image: String,
    /// `upgraded`, `unchanged` (already on that image), or `rolled-back` (then the
    /// command exits 1).
    result: &'static str,
}

pub async fn run(args: UpgradeArgs, target: &Target, printer: Printer) -> anyhow::Result<()> {
    let engine = super::engine(&printer).await?;
    let name = target.container.as_str();
    let Some(old) = engine.find(name).await? else {
        return Err(usage(super::no_container(&engine, target).await));
    };
    let (repo, tag) = split_image(&old.image);
    let image = format!(
        "{}:{}",
        args.image_repo.as_deref().unwrap_or(repo),
        args.image_tag.as_deref().unwrap_or(tag)
    );
    let Some(spec) = ContainerSpec::replacing(&old, &image, DEFAULT_REGISTRY) else {
        return Err(usage(format!(
            "{name} has no /data mount or published ports; it is not a gateway container"
        )));
    };
    let (data_dir, ports) = (spec.data_dir.clone(), spec.ports);
    super::check_exposure(
        spec.bind,
        &DataFolder::new(&data_dir),
        &args.exposure,
        target,
        &printer,
    )?;
    let aside = format!("{name}-previous");
    check_aside_name(&engine, &aside, &data_dir).await?;
    if let Err(err) = pull_with_progress(&engine, &printer, &image).await {
        if engine.image_exists(&image).await? {
            printer.warn(format!("{err}; using the copy of {image} already here"));
        } else {
            return Err(err.into());
        }
    }
    let report = |result| UpgradeReport {
        container: name.to_string(),
        from_image: old.image.clone(),
        to_image: image.clone(),
        result,
    };
    let same_image = image == old.image
        && engine.image_id(&image).await?.as_deref() == Some(old.image_id.as_str());
    if same_image && !args.force {
        printer.success(format!(
            "{name} already runs the newest {image}; nothing to do (recreate it anyway with --force)"
        ));
        printer.json(&report("unchanged"));
        return Ok(());
    }
    let outcome = swap(&engine, &printer, &old, &aside, &spec, &args).await?;
    let host = readiness::Hosts::of(old.bind, old.console_bind);
    if let Ok(true) = outcome {
        engine.remove(&aside, true).await?;
        remember_image(&data_dir, &args, &printer)?;
        printer.success(format!("Upgraded {name}: {} → {image}", old.image));
        printer.json(&report("upgraded"));
        return Ok(());
    }
    let logs = engine.last_log_lines(name, Some(20)).await;
    roll_back(&engine, &old, &aside, &host, ports, &args).await?;
    printer.json(&report("rolled-back"));
    let why = match outcome {
        Err(err) => format!("{err:#}"),
        Ok(_) => format!(
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

/// Parks the old container as `aside`, then creates, starts and waits for the new one
/// (which is removed again if it fails). The result says whether it became ready (an
/// error when it failed or was interrupted); the caller keeps it or rolls back. From
/// the rename on, an interrupt is handled like a failure, so the gateway is never left
/// down under another name.
async fn swap(
    engine: &Engine,
    printer: &Printer,
    old: &Container,
    aside: &str,
    spec: &ContainerSpec,
    args: &UpgradeArgs,
) -> anyhow::Result<anyhow::Result<bool>> {
    let mut interrupts = Interrupts::listen()?;
    let host = readiness::Hosts::of(Some(spec.bind), Some(spec.console_bind));
    engine.rename(&old.name, aside).await?;
    engine.stop(aside).await?;
    printer.status(format!(
        "Kept the old container as {aside} until the new one is ready"
    ));
    let wait = || async {
        let spinner = printer.spinner("Waiting for the new gateway and console to answer");
        let seen = readiness::wait(
            &host,
            spec.ports.http,
            spec.ports.console,
            Duration::from_secs(args.wait_timeout),
        )
        .await;
        spinner.finish_and_clear();
        anyhow::Ok(seen.ready())
    };
    Ok(lifecycle::launch(engine, spec, &mut interrupts, wait).await)
}

/// The aside name may hold only a leftover of an interrupted upgrade of this gateway
/// (same data folder), which can go; any other container there is someone else's.
async fn check_aside_name(
    engine: &Engine,
    aside: &str,
    data_dir: &std::path::Path,
) -> anyhow::Result<()> {
    match engine.find(aside).await? {
        None => Ok(()),
        Some(leftover) if leftover.data_dir.as_deref() == Some(data_dir) => {
            engine.remove(aside, true).await?;
            Ok(())
        }
        Some(_) => Err(usage(format!(
            "a container named {aside} already exists and is not a leftover of this gateway; upgrade needs that name for the old container. Rename or remove it first (`docker rename {aside} OTHER`)"
        ))),
    }
}

async fn roll_back(
    engine: &Engine,
    old: &Container,
    aside: &str,
    host: &readiness::Hosts,
    ports: Ports,
    args: &UpgradeArgs,
) -> anyhow::Result<()> {
    engine.remove(&old.name, true).await?;
    engine.rename(aside, &old.name).await?;
    if old.state.is_running() {
        engine.start(&old.name).await?;
        readiness::wait(
            host,
            ports.http,
            ports.console,
            Duration::from_secs(args.wait_timeout),
        )
        .await;
    }
    Ok(())
}

/// A later `start` after `delete` must recreate the gateway on the image it was upgraded
/// to, not on the one it was first created with.
fn remember_image(
    data_dir: &std::path::Path,
    args: &UpgradeArgs,
    printer: &Printer,
) -> anyhow::Result<()> {
    let folder = DataFolder::new(data_dir);
    let Some(mut deployment) = folder.settings()? else {
        return Ok(());
    };
    if args.image_repo.is_none() && args.image_tag.is_none() {
        return Ok(());
    }
    if let Some(repo) = &args.image_repo {
        deployment.image_repo = Some(repo.clone());
    }
    if let Some(tag) = &args.image_tag {
        deployment.image_tag = Some(tag.clone());
    }
    plan::save_deployment(&folder, &deployment, lock_wait(printer))?;
    Ok(())
}
