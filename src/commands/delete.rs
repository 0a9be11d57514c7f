//! `higress-claw delete`: remove the container; with `--purge` also the data folder.

use std::path::Path;

use serde::Serialize;

use super::usage;
use crate::cli::DeleteArgs;
use crate::docker::Engine;
use crate::gateway::DataFolder;
use crate::printer::Printer;
use crate::target::Target;

#[derive(Serialize)]
struct DeleteReport {
    container: String,
    container_removed: bool,
    data_dir: String,
    data_removed: bool,
}

pub async fn run(args: DeleteArgs, target: &Target, printer: Printer) -> anyhow::Result<()> {
    let engine = super::engine(&printer).await?;
    let name = target.container.as_str();
    let dir = target.folder(Some(&engine)).await;
    let container = engine.find(name).await?;
    if let Some(c) = &container
        && c.state.is_running()
        && !args.force
    {
        return Err(usage(format!(
            "{name} is running; stop it first (`higress-claw stop{}`) or pass --force",
            target.flags()
        )));
    }
    // Everything that could refuse the purge is checked before anything is removed.
    if args.purge {
        check_purgeable(&engine, name, &dir).await?;
        if !args.yes {
            confirm_purge(&dir)?;
        }
    }
    let removed = if container.is_some() {
        engine.remove(name, args.force).await?;
        printer.success(format!("Removed the container {name}"));
        true
    } else {
        printer.status(format!("There is no container named {name}"));
        false
    };
    let mut data_removed = false;
    if args.purge && dir.exists() {
        std::fs::remove_dir_all(&dir)
            .map_err(|e| anyhow::anyhow!("cannot delete {}: {e}", dir.display()))?;
        data_removed = true;
        printer.success(format!("Deleted the data folder {}", dir.display()));
    } else if dir.exists() {
        printer.status(format!(
            "Kept the data folder {} (delete it too with --purge)",
            dir.display()
        ));
    }
    printer.json(&DeleteReport {
        container: name.to_string(),
        container_removed: removed,
        data_dir: dir.display().to_string(),
        data_removed,
    });
    Ok(())
}

/// Only a gateway folder that no other container serves may be deleted: a mistyped
/// `--container-name` must not take another gateway's keys, nor a folder with the
/// user's own files in it.
async fn check_purgeable(engine: &Engine, name: &str, dir: &Path) -> anyhow::Result<()> {
    if !dir.exists() {
        return Ok(());
    }
    DataFolder::new(dir).check_purgeable()?;
    let others: Vec<String> = engine
        .containers_serving(dir)
        .await?
        .into_iter()
        .filter(|other| other != name)
        .collect();
    if let Some(other) = others.first() {
        anyhow::bail!(
            "{} is the data folder of the container {other}, not of {name}; not deleting it. To delete that gateway and its folder: higress-claw delete --container-name {other} --force --purge",
            dir.display()
        );
    }
    Ok(())
}

fn confirm_purge(dir: &std::path::Path) -> anyhow::Result<()> {
    if !crate::wizard::can_prompt() {
        return Err(usage(format!(
            "--purge deletes {} with every API key in it; confirm with --yes",
            dir.display()
        )));
    }
    if crate::wizard::confirm(&format!("Delete {} and all keys in it?", dir.display()))? {
        Ok(())
    } else {
        anyhow::bail!("not deleted: {} is kept", dir.display())
    }
}
