//! `higress-claw logs`: the container's output, optionally followed.

use futures_util::StreamExt;

use crate::cli::LogsArgs;
use crate::printer::Printer;
use crate::target::Target;

#[derive(serde::Serialize)]
struct LogsReport<'a> {
    container: &'a str,
    lines: Vec<&'a str>,
}

pub async fn run(args: LogsArgs, target: &Target, printer: Printer) -> anyhow::Result<()> {
    let engine = super::engine(&printer).await?;
    let name = target.container.as_str();
    if engine.find(name).await?.is_none() {
        return Err(anyhow::anyhow!(super::no_container(&engine, target).await));
    }
    if printer.json_mode() {
        if args.follow {
            return Err(super::usage(
                "--follow streams text and cannot be one JSON document; drop --json or --follow",
            ));
        }
        let text = engine.last_log_lines(name, args.tail).await;
        printer.json(&LogsReport {
            container: name,
            lines: text.lines().collect(),
        });
        return Ok(());
    }
    let mut stream = Box::pin(engine.logs(name, args.tail, args.follow));
    while let Some(chunk) = stream.next().await {
        if !printer.stream(&chunk?) {
            break; // the reader went away (`| head`)
        }
    }
    Ok(())
}
