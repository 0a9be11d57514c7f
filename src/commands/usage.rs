//! `higress-claw usage`: what the gateway served, from the access log in `<data>/logs`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::cli::{UsageArgs, UsageGroup};
use crate::docker::Engine;
use crate::gateway::paths;
use crate::printer::Printer;
use crate::target::Target;
use crate::usage::{self, Since};
use crate::views::usage::{UsageReport, notes};

pub async fn run(args: UsageArgs, target: &Target, printer: Printer) -> anyhow::Result<()> {
    // `--data-dir` needs no engine; otherwise the container says where its folder is.
    let container = match &target.data_dir {
        Some(_) => None,
        None => match Engine::connect().await {
            Ok(engine) => engine.find(&target.container).await.ok().flatten(),
            Err(_) => None,
        },
    };
    let folder = match (
        &target.data_dir,
        container.as_ref().and_then(|c| c.data_dir.clone()),
    ) {
        (Some(dir), _) => dir.clone(),
        (None, Some(dir)) => dir,
        (None, None) => target.folder(None).await,
    };
    let log_dir = folder.join(paths::LOGS);
    let now_ms = epoch_ms(SystemTime::now());
    let from_ms = match args.since {
        Since::Ago(window) => Some(now_ms - window.as_millis() as i64),
        Since::All => None,
    };
    let per_day = args.by == Some(UsageGroup::Day);
    let found = usage::scan(&log_dir, from_ms, per_day)?;
    let notes = notes(&found, &log_dir, container.as_ref(), target);
    for note in &notes {
        printer.warn(note);
    }
    if let Some(first) = &found.first_malformed {
        printer.warn(format!(
            "{} access-log line(s) could not be read and were left out; the first: {}:{} ({})",
            found.malformed,
            first.path.display(),
            first.line,
            first.reason
        ));
    }
    let report = UsageReport::new(&found, per_day, from_ms, now_ms, &log_dir, notes);
    printer.json(&report);
    printer.data(report.text(args.by));
    Ok(())
}

fn epoch_ms(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_millis() as i64
}
