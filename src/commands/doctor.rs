//! `higress-claw doctor`: every check that explains a gateway that does not work, each
//! with a verdict and the fix. Exits 1 when any check fails (warnings do not).

use serde::Serialize;

use crate::health::{self, Finding, Verdict};
use crate::printer::Printer;
use crate::target::Target;

#[derive(Debug, Serialize)]
struct CheckView {
    name: &'static str,
    /// `ok`, `warn`, `fail` or `skip`.
    verdict: &'static str,
    detail: String,
    fix: Option<String>,
}

impl From<&Finding> for CheckView {
    fn from(f: &Finding) -> Self {
        Self {
            name: f.name,
            verdict: f.verdict.as_str(),
            detail: f.detail.clone(),
            fix: f.fix.clone(),
        }
    }
}

#[derive(Serialize)]
struct DoctorReport {
    ok: bool,
    checks: Vec<CheckView>,
}

pub async fn run(target: &Target, printer: Printer) -> anyhow::Result<()> {
    let findings = health::run_all(target).await;
    let ok = !findings.iter().any(|c| c.verdict == Verdict::Fail);
    printer.json(&DoctorReport {
        ok,
        checks: findings.iter().map(CheckView::from).collect(),
    });
    printer.data(render(&findings).trim_end());
    if ok {
        return Ok(());
    }
    let failed: Vec<&str> = findings
        .iter()
        .filter(|c| c.verdict == Verdict::Fail)
        .map(|c| c.name)
        .collect();
    anyhow::bail!("{} check(s) failed: {}", failed.len(), failed.join(", "))
}

fn render(findings: &[Finding]) -> String {
    let mut text = String::new();
    for c in findings {
        let mark = match c.verdict {
            Verdict::Ok => "ok  ",
            Verdict::Warn => "warn",
            Verdict::Fail => "FAIL",
            Verdict::Skip => "skip",
        };
        text.push_str(&format!("[{mark}] {:<14} {}\n", c.name, c.detail));
        if let Some(fix) = &c.fix
            && c.verdict != Verdict::Ok
        {
            text.push_str(&format!("       {:<14} fix: {fix}\n", ""));
        }
    }
    text
}
