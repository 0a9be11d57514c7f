//! `higress-claw logs`: the container's output, optionally followed.

use std::io::Write;

use futures_util::StreamExt;

use crate::cli::{GlobalArgs, LogsArgs};
use crate::docker::Engine;
use crate::printer::Printer;

pub async fn run(args: LogsArgs, global: &GlobalArgs, _printer: Printer) -> anyhow::Result<()> {
    let engine = Engine::connect().await?;
    let name = global.container_name.as_str();
    if engine.find(name).await?.is_none() {
        anyhow::bail!("there is no container named {name}; start one with `higress-claw start`");
    }
    let mut stream = Box::pin(engine.logs(name, args.tail, args.follow));
    let mut out = std::io::stdout().lock();
    while let Some(chunk) = stream.next().await {
        if out
            .write_all(chunk?.as_bytes())
            .and_then(|()| out.flush())
            .is_err()
        {
            break; // reader went away
        }
    }
    Ok(())
}
