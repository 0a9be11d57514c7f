//! `higress-claw keys add|list|remove`: client keys for the AI routes (see
//! `gateway::client_keys`). A key is printed once, by `add`; everything else masks it.

use std::io::Read;

use anyhow::Context as _;

use super::lock_wait;
use crate::cli::{KeysAddArgs, KeysCommand, KeysRemoveArgs};
use crate::gateway::client_keys;
use crate::printer::Printer;
use crate::secret::Secret;
use crate::target::Target;
use crate::views::keys::{AddReport, KeyView, ListReport, RemoveReport};
use crate::workspace::Workspace;

pub async fn run(command: KeysCommand, target: &Target, printer: Printer) -> anyhow::Result<()> {
    match command {
        KeysCommand::Add(args) => add(args, target, printer).await,
        KeysCommand::List => list(target, printer).await,
        KeysCommand::Remove(args) => remove(args, target, printer).await,
    }
}

fn read_key(args: &KeysAddArgs) -> anyhow::Result<Secret> {
    if args.key.is_none() {
        return Ok(client_keys::generate());
    }
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .context("cannot read the key from stdin (`--key -`)")?;
    let key = Secret::new(text.trim_end_matches(['\r', '\n']));
    client_keys::check_key(&key)?;
    Ok(key)
}

async fn add(args: KeysAddArgs, target: &Target, printer: Printer) -> anyhow::Result<()> {
    let key = read_key(&args)?;
    let ws = super::workspace(target, &printer).await?;
    ws.folder.check_holds_gateway()?;
    let mut tx = ws.folder.begin(lock_wait(&printer))?;
    tx.add_client_key(&args.name, &key)?;
    let changed = tx.commit()?;
    ws.publish(&changed).await?;
    let routes = ws.folder.ai_routes();
    printer.success(format!(
        "Added the client key {} for {} AI routes; {}. It is shown this once: keep it now",
        args.name,
        routes.len(),
        ws.takes_effect()
    ));
    printer.data(key.expose());
    printer.status(format!(
        "Clients send it as `{}: Bearer <key>`; Claude Code: higress-claw claude-code env{}",
        client_keys::KEY_HEADER,
        target.flags()
    ));
    printer.json(&AddReport {
        data_dir: ws.describe(),
        name: args.name,
        key: key.expose().to_string(),
        header: client_keys::KEY_HEADER.to_string(),
        routes,
        changed_files: changed,
    });
    Ok(())
}

async fn list(target: &Target, printer: Printer) -> anyhow::Result<()> {
    let ws = super::workspace(target, &printer).await?;
    let keys: Vec<KeyView> = ws.folder.client_keys()?.iter().map(KeyView::of).collect();
    let routes = ws.folder.ai_routes();
    let text = if keys.is_empty() {
        format!(
            "No client key: the AI routes answer anyone who reaches the gateway. Add one: higress-claw keys add NAME{}",
            target.flags()
        )
    } else {
        keys.iter()
            .map(|k| format!("{}  {}", k.name, k.key))
            .collect::<Vec<_>>()
            .join("\n")
    };
    printer.data(text);
    printer.json(&ListReport {
        data_dir: ws.describe(),
        enabled: !keys.is_empty(),
        keys,
        routes,
    });
    Ok(())
}

async fn remove(args: KeysRemoveArgs, target: &Target, printer: Printer) -> anyhow::Result<()> {
    let ws = super::workspace(target, &printer).await?;
    let mut tx = ws.folder.begin(lock_wait(&printer))?;
    tx.remove_client_key(&args.name)?;
    let changed = tx.commit()?;
    ws.publish(&changed).await?;
    let keys: Vec<KeyView> = ws.folder.client_keys()?.iter().map(KeyView::of).collect();
    printer.success(format!(
        "Removed the client key {}; {}",
        args.name,
        ws.takes_effect()
    ));
    if keys.is_empty() {
        warn_open(&ws, &printer, target)?;
    }
    printer.json(&RemoveReport {
        data_dir: ws.describe(),
        name: args.name,
        action: "removed",
        enabled: !keys.is_empty(),
        keys,
        changed_files: changed,
    });
    Ok(())
}

/// After the last key: the routes ask for none now, which matters when published.
fn warn_open(ws: &Workspace, printer: &Printer, target: &Target) -> anyhow::Result<()> {
    let bind = ws.folder.settings()?.map(|s| s.bind_address());
    let published = bind.is_some_and(|b| !b.is_loopback());
    let where_ = match bind {
        Some(b) if published => format!(", and the gateway is published on {b}"),
        _ => String::new(),
    };
    let message = format!(
        "that was the last client key: the AI routes no longer ask for one{where_}. Add a key again with `higress-claw keys add NAME{}`",
        target.flags()
    );
    if published {
        printer.warn(message);
    } else {
        printer.status(message);
    }
    Ok(())
}
