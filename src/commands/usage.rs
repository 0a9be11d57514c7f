//! `higress-claw usage`: what the gateway served, from the access log in `<data>/logs`.

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;

use crate::cli::{UsageArgs, UsageGroup};
use crate::docker::container::SUPERVISOR_LOG_MOUNT;
use crate::docker::{Container, Engine};
use crate::gateway::paths;
use crate::printer::Printer;
use crate::target::Target;
use crate::usage::{self, Figures, Since};

#[derive(Serialize)]
struct UsageReport {
    /// Start of the window (RFC 3339, UTC); null with `--since all`.
    from: Option<String>,
    to: String,
    log_dir: String,
    files: Vec<String>,
    total: FiguresView,
    by_model: Vec<ModelRow>,
    by_provider: Vec<ProviderRow>,
    #[serde(skip_serializing_if = "Option::is_none")]
    by_day: Option<Vec<DayRow>>,
    skipped: u64,
    /// AI requests in the logs that started before `from`.
    outside_window: u64,
    malformed: u64,
    first_malformed: Option<MalformedView>,
    notes: Vec<String>,
}

#[derive(Serialize)]
struct FiguresView {
    requests: u64,
    errors: u64,
    input_tokens: u64,
    output_tokens: u64,
    total_tokens: u64,
    p50_ms: Option<u64>,
    p95_ms: Option<u64>,
}

impl From<&Figures> for FiguresView {
    fn from(f: &Figures) -> Self {
        Self {
            requests: f.requests,
            errors: f.errors,
            input_tokens: f.input_tokens,
            output_tokens: f.output_tokens,
            total_tokens: f.total_tokens,
            p50_ms: f.p50_ms(),
            p95_ms: f.p95_ms(),
        }
    }
}

#[derive(Serialize)]
struct ModelRow {
    model: String,
    provider: String,
    #[serde(flatten)]
    figures: FiguresView,
}

#[derive(Serialize)]
struct ProviderRow {
    provider: String,
    #[serde(flatten)]
    figures: FiguresView,
}

#[derive(Serialize)]
struct DayRow {
    day: String,
    #[serde(flatten)]
    figures: FiguresView,
}

#[derive(Serialize)]
struct MalformedView {
    file: String,
    line: u64,
    reason: &'static str,
}

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
    let report = report(&found, per_day, from_ms, now_ms, &log_dir, notes);
    printer.json(&report);
    printer.data(text(&report, args.by));
    Ok(())
}

fn report(
    found: &usage::Usage,
    per_day: bool,
    from_ms: Option<i64>,
    now_ms: i64,
    log_dir: &Path,
    notes: Vec<String>,
) -> UsageReport {
    let by_day: Vec<DayRow> = found
        .by_day()
        .into_iter()
        .map(|(day, f)| DayRow {
            day,
            figures: f.into(),
        })
        .collect();
    UsageReport {
        from: from_ms.map(rfc3339),
        to: rfc3339(now_ms),
        log_dir: log_dir.display().to_string(),
        files: found
            .files
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
        total: (&found.total()).into(),
        by_model: found
            .by_model()
            .into_iter()
            .map(|(provider, model, f)| ModelRow {
                model: model.to_string(),
                provider: provider.to_string(),
                figures: f.into(),
            })
            .collect(),
        by_provider: found
            .by_provider()
            .into_iter()
            .map(|(provider, f)| ProviderRow {
                provider: provider.to_string(),
                figures: (&f).into(),
            })
            .collect(),
        by_day: per_day.then_some(by_day),
        skipped: found.skipped,
        outside_window: found.outside,
        malformed: found.malformed,
        first_malformed: found.first_malformed.as_ref().map(|m| MalformedView {
            file: m.path.display().to_string(),
            line: m.line,
            reason: m.reason,
        }),
        notes,
    }
}

/// Why the report is empty, when it is, and what would fill it.
fn notes(
    found: &usage::Usage,
    log_dir: &Path,
    container: Option<&Container>,
    target: &Target,
) -> Vec<String> {
    let mut notes = Vec::new();
    let unmounted = container.filter(|c| !c.mount_points.iter().any(|m| m == SUPERVISOR_LOG_MOUNT));
    if let Some(c) = unmounted {
        let flags = target.container_flag();
        // An adopted get-ai-gateway.sh container is not ours to upgrade in place.
        let fix = if c.managed {
            format!("higress-claw upgrade --force{flags}")
        } else {
            format!("higress-claw delete --force{flags} && higress-claw start{flags}")
        };
        notes.push(format!(
            "{} was created without {} mounted at {SUPERVISOR_LOG_MOUNT} (by get-ai-gateway.sh or an older higress-claw), so the default image keeps its access log inside the container; `{fix}` recreates it with the mount, on the same folder",
            c.name,
            log_dir.display(),
        ));
    }
    if found.files.is_empty() && unmounted.is_none() {
        let why = match container {
            Some(c) if !c.state.is_running() => format!(
                "{} is {}; `higress-claw start{}` runs it",
                c.name,
                c.state.as_str(),
                target.flags()
            ),
            Some(_) => "the gateway has not logged a request yet".to_string(),
            None => format!(
                "no gateway serves this folder yet; `higress-claw start{}` runs one",
                target.flags()
            ),
        };
        notes.push(format!(
            "no access log in {} yet: the gateway writes gateway.log there once it runs and serves requests ({why})",
            log_dir.display()
        ));
    }
    notes
}

fn text(report: &UsageReport, by: Option<UsageGroup>) -> String {
    let window = match &report.from {
        Some(from) => format!("from {from} to {}", report.to),
        None => format!("until {}", report.to),
    };
    let mut out = format!(
        "Usage {window} ({} file(s) in {})\n",
        report.files.len(),
        report.log_dir
    );
    let tables: &[UsageGroup] = match by {
        Some(UsageGroup::Model) => &[UsageGroup::Model],
        Some(UsageGroup::Provider) => &[UsageGroup::Provider],
        Some(UsageGroup::Day) => &[UsageGroup::Day],
        None => &[UsageGroup::Model, UsageGroup::Provider],
    };
    for group in tables {
        let (head, rows): (Vec<&str>, Vec<(Vec<String>, &FiguresView)>) = match group {
            UsageGroup::Model => (
                vec!["MODEL", "PROVIDER"],
                report
                    .by_model
                    .iter()
                    .map(|r| (vec![r.model.clone(), r.provider.clone()], &r.figures))
                    .collect(),
            ),
            UsageGroup::Provider => (
                vec!["PROVIDER"],
                report
                    .by_provider
                    .iter()
                    .map(|r| (vec![r.provider.clone()], &r.figures))
                    .collect(),
            ),
            UsageGroup::Day => (
                vec!["DAY"],
                report
                    .by_day
                    .iter()
                    .flatten()
                    .map(|r| (vec![r.day.clone()], &r.figures))
                    .collect(),
            ),
        };
        out.push('\n');
        out.push_str(&table(&head, rows, &report.total));
    }
    if report.outside_window > 0 {
        out.push_str(&format!(
            "\n{} earlier request(s) in the logs are outside the window (--since all counts them)",
            report.outside_window
        ));
    }
    out.trim_end().to_string()
}

/// Left-aligned names, right-aligned figures, and a total row.
fn table(head: &[&str], rows: Vec<(Vec<String>, &FiguresView)>, total: &FiguresView) -> String {
    let figures = |f: &FiguresView| {
        let ms = |v: Option<u64>| v.map_or("-".to_string(), |v| v.to_string());
        vec![
            f.requests.to_string(),
            f.errors.to_string(),
            f.input_tokens.to_string(),
            f.output_tokens.to_string(),
            f.total_tokens.to_string(),
            ms(f.p50_ms),
            ms(f.p95_ms),
        ]
    };
    let names = head.len();
    let mut lines: Vec<Vec<String>> = vec![
        head.iter()
            .map(|s| s.to_string())
            .chain(
                [
                    "REQUESTS", "ERRORS", "INPUT", "OUTPUT", "TOTAL", "P50 MS", "P95 MS",
                ]
                .map(String::from),
            )
            .collect(),
    ];
    for (keys, f) in rows {
        lines.push(keys.into_iter().chain(figures(f)).collect());
    }
    let mut total_row = vec!["total".to_string()];
    total_row.resize(names, String::new());
    lines.push(total_row.into_iter().chain(figures(total)).collect());
    let widths: Vec<usize> = (0..lines[0].len())
        .map(|i| {
            lines
                .iter()
                .map(|l| l[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for line in &lines {
        let cells: Vec<String> = line
            .iter()
            .enumerate()
            .map(|(i, cell)| match i < names {
                true => format!("{cell:<w$}", w = widths[i]),
                false => format!("{cell:>w$}", w = widths[i]),
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

fn epoch_ms(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_millis() as i64
}

fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        .unwrap_or_default()
}
