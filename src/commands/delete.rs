//! `higress-claw delete`: remove the container; with `--purge` also the data folder.

use std::io::IsTerminal;

use serde::Serialize;

use super::{resolve_data_dir, usage};
use crate::cli::{DeleteArgs, GlobalArgs};
use crate::docker::Engine;
use crate::gateway::paths;
use crate::printer::Printer;

#[derive(Serialize)]
struct DeleteReport {
    container: String,
    container_removed: bool,
    data_dir: String,
    data_removed: bool,
}

pub async fn run(args: DeleteArgs, global: &GlobalArgs, printer: Printer) -> anyhow::Result<()> {
    let engine = Engine::connect().await?;
    let name = global.container_name.as_str();
    let dir = resolve_data_dir(global, Some(&engine)).await;
    let container = engine.find(name).await?;
    if let Some(c) = &container
        && c.state.is_running()
        && !args.force
    {
        return Err(usage(format!(
            "{name} is running; stop it first (`higress-claw stop`) or pass --force"
        )));
    }
    if args.purge && !args.yes {
        confirm_purge(&dir)?;
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
    if args.purge {
        // Only ever delete a folder that is recognisably a gateway data folder.
        let looks_ours = dir.join(paths::MARKER).exists() || dir.join(paths::AI_PROXY).exists();
        if dir.exists() && !looks_ours {
            anyhow::bail!(
                "{} does not look like a gateway data folder (no {}); not deleting it",
                dir.display(),
                paths::MARKER
            );
        }
        if dir.exists() {
            std::fs::remove_dir_all(&dir)
                .map_err(|e| anyhow::anyhow!("cannot delete {}: {e}", dir.display()))?;
            data_removed = true;
            printer.success(format!("Deleted the data folder {}", dir.display()));
        }
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

fn confirm_purge(dir: &std::path::Path) -> anyhow::Result<()> {
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return Err(usage(format!(
            "--purge deletes {} with every API key in it; confirm with --yes",
            dir.display()
        )));
    }
    eprint!("Delete {} and all keys in it? [y/N] ", dir.display());
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    if matches!(answer.trim(), "y" | "Y" | "yes") {
        Ok(())
    } else {
        anyhow::bail!("not deleted")
    }
}
