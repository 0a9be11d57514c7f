//! `usage`: the figures per model, provider and day, as `--json` and as tables.

use std::path::Path;

use serde::Serialize;

use crate::cli::UsageGroup;
use crate::docker::Container;
use crate::docker::container::SUPERVISOR_LOG_MOUNT;
use crate::target::Target;
use crate::usage::{Figures, Usage};

#[derive(Serialize)]
pub struct UsageReport {
    /// Start of the window (RFC 3339, UTC); null with `--since all`.
    pub from: Option<String>,
    pub to: String,
    pub log_dir: String,
    pub files: Vec<String>,
    pub total: FiguresView,
    pub by_model: Vec<ModelRow>,
    pub by_provider: Vec<ProviderRow>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by_day: Option<Vec<DayRow>>,
    pub skipped: u64,
    /// AI requests in the logs that started before `from`.
    pub outside_window: u64,
    pub malformed: u64,
    pub first_malformed: Option<MalformedView>,
    pub notes: Vec<String>,
}

#[derive(Serialize)]
pub struct FiguresView {
    pub requests: u64,
    pub errors: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub total_tokens: u64,
    pub p50_ms: Option<u64>,
    pub p95_ms: Option<u64>,
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
pub struct ModelRow {
    pub model: String,
    pub provider: String,
    #[serde(flatten)]
    pub figures: FiguresView,
}

#[derive(Serialize)]
pub struct ProviderRow {
    pub provider: String,
    #[serde(flatten)]
    pub figures: FiguresView,
}

#[derive(Serialize)]
pub struct DayRow {
    pub day: String,
    #[serde(flatten)]
    pub figures: FiguresView,
}

#[derive(Serialize)]
pub struct MalformedView {
    pub file: String,
    pub line: u64,
    pub reason: &'static str,
}

impl UsageReport {
    /// The figures of `found` in the window from `from_ms` (all with `None`) to `now_ms`.
    pub fn new(
        found: &Usage,
        per_day: bool,
        from_ms: Option<i64>,
        now_ms: i64,
        log_dir: &Path,
        notes: Vec<String>,
    ) -> Self {
        let by_day: Vec<DayRow> = found
            .by_day()
            .into_iter()
            .map(|(day, f)| DayRow {
                day,
                figures: f.into(),
            })
            .collect();
        Self {
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

    /// Tables per model and provider (or the one `--by` names), with a total row each.
    pub fn text(&self, by: Option<UsageGroup>) -> String {
        let window = match &self.from {
            Some(from) => format!("from {from} to {}", self.to),
            None => format!("until {}", self.to),
        };
        let mut out = format!(
            "Usage {window} ({} file(s) in {})\n",
            self.files.len(),
            self.log_dir
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
                    self.by_model
                        .iter()
                        .map(|r| (vec![r.model.clone(), r.provider.clone()], &r.figures))
                        .collect(),
                ),
                UsageGroup::Provider => (
                    vec!["PROVIDER"],
                    self.by_provider
                        .iter()
                        .map(|r| (vec![r.provider.clone()], &r.figures))
                        .collect(),
                ),
                UsageGroup::Day => (
                    vec!["DAY"],
                    self.by_day
                        .iter()
                        .flatten()
                        .map(|r| (vec![r.day.clone()], &r.figures))
                        .collect(),
                ),
            };
            out.push('\n');
            out.push_str(&table(&head, rows, &self.total));
        }
        if self.outside_window > 0 {
            out.push_str(&format!(
                "\n{} earlier request(s) in the logs are outside the window (--since all counts them)",
                self.outside_window
            ));
        }
        out.trim_end().to_string()
    }
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

fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        .unwrap_or_default()
}

/// Why the report is empty, when it is, and what would fill it.
pub fn notes(
    found: &Usage,
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
