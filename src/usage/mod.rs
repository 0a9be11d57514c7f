//! What the gateway served, read from its access log in `<data>/logs`: requests,
//! errors, tokens and latency per model, provider and day.
//!
//! The container mounts `<data>/logs` where supervisord writes the gateway's output
//! (`gateway.log`, rotated at 10 MB to `gateway.log.1` … `.10`; the default image logs
//! requests to stdout) and where the observability image writes `access.log`. Files
//! are read oldest first, one line at a time through a fixed buffer, and latencies go
//! into fixed histograms ([`histogram`]): memory does not grow with the log, only with
//! the number of distinct models, providers and days. A line that cannot be read is
//! counted, never fatal.

pub mod histogram;
pub mod line;

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

use thiserror::Error;

use histogram::Histogram;
use line::{Line, Request};

/// The logs read, by base name: supervisord's file for the gateway (default image),
/// then Envoy's own file (observability image).
pub const LOG_NAMES: &[&str] = &["gateway.log", "access.log"];

/// How far back the report goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Since {
    /// Requests that started at most this long ago.
    Ago(Duration),
    /// Everything in the logs.
    All,
}

#[derive(Debug, Error)]
pub enum AccessLogError {
    #[error("cannot read {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Counts and latencies of a set of requests.
#[derive(Default, Clone)]
pub struct Figures {
    pub requests: u64,
    /// Requests answered with a status of 400 or more.
    pub errors: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub total_tokens: u64,
    pub latency: Histogram,
}

impl Figures {
    fn add(&mut self, r: &Request) {
        self.requests += 1;
        self.errors += u64::from(r.status >= 400);
        self.input_tokens += r.input_tokens;
        self.output_tokens += r.output_tokens;
        self.total_tokens += r.total_tokens;
        if let Some(ms) = r.duration_ms {
            self.latency.record(ms);
        }
    }

    fn merge(&mut self, other: &Figures) {
        self.requests += other.requests;
        self.errors += other.errors;
        self.input_tokens += other.input_tokens;
        self.output_tokens += other.output_tokens;
        self.total_tokens += other.total_tokens;
        self.latency.merge(&other.latency);
    }

    pub fn p50_ms(&self) -> Option<u64> {
        self.latency.quantile(0.50)
    }

    pub fn p95_ms(&self) -> Option<u64> {
        self.latency.quantile(0.95)
    }
}

/// Where the first unreadable line is, so the user can look at it.
#[derive(Debug, Clone)]
pub struct Malformed {
    pub path: PathBuf,
    /// 1-based.
    pub line: u64,
    pub reason: &'static str,
}

/// What the logs say.
#[derive(Default)]
pub struct Usage {
    /// Provider → model → figures.
    models: HashMap<String, HashMap<String, Figures>>,
    days: Option<BTreeMap<i64, Figures>>,
    /// The files read, oldest first.
    pub files: Vec<PathBuf>,
    /// Lines that are no AI request: other programs' messages, the console, probes.
    pub skipped: u64,
    /// AI requests that started before the window.
    pub outside: u64,
    pub malformed: u64,
    pub first_malformed: Option<Malformed>,
}

impl Usage {
    /// `(provider, model, figures)`, most requests first.
    pub fn by_model(&self) -> Vec<(&str, &str, &Figures)> {
        let mut rows: Vec<_> = self
            .models
            .iter()
            .flat_map(|(p, models)| models.iter().map(move |(m, f)| (p.as_str(), m.as_str(), f)))
            .collect();
        rows.sort_by(|a, b| {
            b.2.requests
                .cmp(&a.2.requests)
                .then((a.0, a.1).cmp(&(b.0, b.1)))
        });
        rows
    }

    /// `(provider, figures)`, most requests first.
    pub fn by_provider(&self) -> Vec<(&str, Figures)> {
        let mut rows: Vec<_> = self
            .models
            .iter()
            .map(|(p, models)| {
                let mut sum = Figures::default();
                models.values().for_each(|f| sum.merge(f));
                (p.as_str(), sum)
            })
            .collect();
        rows.sort_by(|a, b| b.1.requests.cmp(&a.1.requests).then(a.0.cmp(b.0)));
        rows
    }

    /// `(YYYY-MM-DD in UTC, figures)`, oldest first; empty unless asked for.
    pub fn by_day(&self) -> Vec<(String, &Figures)> {
        self.days
            .iter()
            .flatten()
            .map(|(day, f)| {
                let date = chrono::DateTime::from_timestamp(day * 86_400, 0)
                    .map(|t| t.date_naive().to_string())
                    .unwrap_or_default();
                (date, f)
            })
            .collect()
    }

    pub fn total(&self) -> Figures {
        let mut sum = Figures::default();
        self.models
            .values()
            .flat_map(HashMap::values)
            .for_each(|f| sum.merge(f));
        sum
    }

    fn add(&mut self, r: &Request) {
        let models = match self.models.get_mut(r.provider.as_ref()) {
            Some(models) => models,
            None => self.models.entry(r.provider.to_string()).or_default(),
        };
        match models.get_mut(r.model.as_ref()) {
            Some(f) => f.add(r),
            None => models.entry(r.model.to_string()).or_default().add(r),
        }
        if let Some(days) = &mut self.days {
            days.entry(r.start_ms.div_euclid(86_400_000))
                .or_default()
                .add(r);
        }
    }
}

/// The access logs in `dir`, oldest first: for each name, `NAME.10` … `NAME.1`, then
/// `NAME`. A missing folder has none.
pub fn log_files(dir: &Path) -> Result<Vec<PathBuf>, AccessLogError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(AccessLogError::Read {
                path: dir.to_path_buf(),
                source,
            });
        }
    };
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        for (rank, stem) in LOG_NAMES.iter().enumerate() {
            let generation = if name == *stem {
                Some(0)
            } else {
                name.strip_prefix(stem)
                    .and_then(|rest| rest.strip_prefix('.'))
                    .and_then(|n| n.parse::<u32>().ok())
            };
            if let Some(generation) = generation {
                found.push((rank, std::cmp::Reverse(generation), entry.path()));
            }
        }
    }
    found.sort();
    Ok(found.into_iter().map(|(_, _, path)| path).collect())
}

/// Reads the logs in `dir` for requests that started at or after `from_ms` (all when
/// `None`); `by_day` also keeps figures per UTC day.
pub fn scan(dir: &Path, from_ms: Option<i64>, by_day: bool) -> Result<Usage, AccessLogError> {
    let mut usage = Usage {
        days: by_day.then(BTreeMap::new),
        ..Usage::default()
    };
    for path in log_files(dir)? {
        // A line is written after its request started, so a file last written before
        // the window holds nothing in it.
        if let (Some(from), Some(modified)) = (from_ms, modified_ms(&path))
            && modified < from
        {
            continue;
        }
        scan_file(&path, from_ms, &mut usage).map_err(|source| AccessLogError::Read {
            path: path.clone(),
            source,
        })?;
        usage.files.push(path);
    }
    Ok(usage)
}

fn modified_ms(path: &Path) -> Option<i64> {
    let modified = std::fs::metadata(path).ok()?.modified().ok()?;
    Some(modified.duration_since(UNIX_EPOCH).ok()?.as_millis() as i64)
}

fn scan_file(path: &Path, from_ms: Option<i64>, usage: &mut Usage) -> std::io::Result<()> {
    let mut reader = BufReader::with_capacity(256 * 1024, File::open(path)?);
    let mut buf = Vec::with_capacity(4096);
    let mut scratch = String::new();
    let mut number = 0u64;
    loop {
        buf.clear();
        if reader.read_until(b'\n', &mut buf)? == 0 {
            return Ok(());
        }
        number += 1;
        match line::parse(&buf, &mut scratch) {
            Line::Skipped => usage.skipped += 1,
            Line::Request(r) if from_ms.is_some_and(|from| r.start_ms < from) => usage.outside += 1,
            Line::Request(r) => usage.add(&r),
            // The gateway may be writing the last line right now.
            Line::Malformed(_) if !buf.ends_with(b"\n") => usage.skipped += 1,
            Line::Malformed(reason) => {
                usage.malformed += 1;
                usage.first_malformed.get_or_insert_with(|| Malformed {
                    path: path.to_path_buf(),
                    line: number,
                    reason,
                });
            }
        }
    }
}
