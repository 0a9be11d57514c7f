//! Writing a [`SetupPlan`] through the `openclaw` CLI of the release found.
//!
//! From 2026.4.29 one `config patch --stdin` with a `--replace-path` for every subtree the
//! plan owns (the key travels on stdin); before, one `config set --batch-file` (a private
//! temp file, removed afterwards) and a `config unset` per removal. OpenClaw refuses a
//! write that leaves `openclaw.json` under half its size (replacing the upstream plugin's
//! ten verbose models with two can do that), so such a plan is written in steps that
//! each keep more than half, dropping the old models a few at a time.

use std::io::Write;

use serde_json::Value;

use super::config::{ConfigFile, pretty_len, set};
use super::setup::{Edit, SetupPlan};
use super::{Host, OpenClawError, PLUGIN_ID, json_part};

/// OpenClaw refuses a write below half the previous size (of a file of 512 bytes or
/// more); plan for 55 % to leave room for what it adds itself.
const KEEP_PERCENT: usize = 55;
const SIZE_GUARD_FROM: usize = 512;

/// What the write left to say.
#[derive(Debug, Default)]
pub struct Applied {
    /// Config writes it took (more than one when the size guard needed steps).
    pub writes: usize,
    /// `openclaw config validate` warnings, as OpenClaw words them.
    pub warnings: Vec<String>,
}

/// Writes the plan, sets the default model through the CLI (so OpenClaw records it its
/// own way), and checks that the result validates.
pub fn apply_setup(
    host: &Host,
    plan: &SetupPlan,
    config: &ConfigFile,
) -> Result<Applied, OpenClawError> {
    let steps = steps(config, plan);
    for edits in &steps {
        write(host, edits)?;
    }
    host.run(&["models", "set", &plan.default_model], None)?;
    let warnings = validate(host)?;
    Ok(Applied {
        writes: steps.len(),
        warnings,
    })
}

fn applied(config: &Value, edits: &[Edit]) -> Value {
    let mut value = config.clone();
    for edit in edits {
        set(&mut value, &edit.path, edit.value.clone());
    }
    value
}

/// The plan in writes that each keep more than half of the file: the first keeps every
/// old model entry after ours, the next ones drop them a few at a time.
pub(super) fn steps(config: &ConfigFile, plan: &SetupPlan) -> Vec<Vec<Edit>> {
    let keeps = |before: usize, after: usize| {
        before < SIZE_GUARD_FROM || after * 100 >= before * KEEP_PERCENT
    };
    let whole = vec![plan.edits.clone()];
    if !config.readable
        || plan.dropped_models.is_empty()
        || keeps(
            config.size,
            pretty_len(&applied(&config.value, &plan.edits)),
        )
    {
        return whole;
    }
    let provider_path = ["models", "providers", PLUGIN_ID];
    let Some(at) = plan.edits.iter().position(|e| e.path == provider_path) else {
        return whole;
    };
    let with_old = |k: usize| {
        let mut edits = plan.edits.clone();
        if let Some(Value::Array(models)) =
            edits[at].value.as_mut().and_then(|p| p.get_mut("models"))
        {
            models.extend(plan.dropped_models[..k].iter().cloned());
        }
        edits
    };
    let mut out = Vec::new();
    let mut size = config.size;
    let mut left = plan.dropped_models.len();
    while left > 0 {
        // The fewest old entries that still keep enough of the file.
        let k = (0..=left)
            .find(|&k| keeps(size, pretty_len(&applied(&config.value, &with_old(k)))))
            .unwrap_or(left);
        let k = if k == left && !out.is_empty() {
            left - 1
        } else {
            k
        };
        let edits = with_old(k);
        size = pretty_len(&applied(&config.value, &edits));
        out.push(edits);
        left = k;
    }
    out
}

pub(super) fn write(host: &Host, edits: &[Edit]) -> Result<(), OpenClawError> {
    if host.has_config_patch() {
        let mut patch = Value::Object(Default::default());
        for edit in edits {
            set(
                &mut patch,
                &edit.path,
                Some(edit.value.clone().unwrap_or(Value::Null)),
            );
        }
        let paths = super::setup::replace_paths(edits);
        let mut args = vec!["config", "patch", "--stdin"];
        for path in &paths {
            args.extend(["--replace-path", path.as_str()]);
        }
        host.run(&args, Some(&patch.to_string()))?;
        return Ok(());
    }
    let sets: Vec<Value> = edits
        .iter()
        .filter_map(|e| {
            e.value
                .as_ref()
                .map(|v| serde_json::json!({ "path": e.dotted(), "value": v }))
        })
        .collect();
    if !sets.is_empty() {
        batch_set(host, &Value::Array(sets))?;
    }
    for edit in edits.iter().filter(|e| e.value.is_none()) {
        match host.run(&["config", "unset", &edit.dotted()], None) {
            Err(OpenClawError::Failed { stderr, .. }) if stderr.contains("not found") => {}
            other => {
                other?;
            }
        }
    }
    Ok(())
}

/// `openclaw config set --batch-file F`: the values (the gateway key among them) go
/// through a file only this user can read, removed when done, never through argv.
fn batch_set(host: &Host, batch: &Value) -> Result<(), OpenClawError> {
    let write_err = |source| OpenClawError::Write {
        path: std::env::temp_dir(),
        source,
    };
    let mut file = tempfile::Builder::new()
        .prefix("higress-claw-openclaw-")
        .suffix(".json")
        .tempfile()
        .map_err(write_err)?;
    file.write_all(batch.to_string().as_bytes())
        .map_err(write_err)?;
    file.flush().map_err(write_err)?;
    let path = file.path().to_string_lossy().into_owned();
    host.run(&["config", "set", "--batch-file", &path], None)?;
    Ok(())
}

/// `openclaw config validate --json`: an error when invalid, else its warnings.
fn validate(host: &Host) -> Result<Vec<String>, OpenClawError> {
    let out = match host.run(&["config", "validate", "--json"], None) {
        Ok(out) => out,
        Err(OpenClawError::Failed { stderr, .. }) => {
            return Err(OpenClawError::Invalid { issues: stderr });
        }
        Err(other) => return Err(other),
    };
    let report = json_part(&out).unwrap_or(Value::Null);
    if report["valid"] != true {
        return Err(OpenClawError::Invalid {
            issues: issues(&report["issues"]).join("; "),
        });
    }
    Ok(issues(&report["warnings"]))
}

/// `[{path, message}]` or `[string]` as lines.
fn issues(list: &Value) -> Vec<String> {
    list.as_array()
        .map(|items| {
            items
                .iter()
                .map(
                    |i| match (i["path"].as_str(), i["message"].as_str(), i.as_str()) {
                        (Some(path), Some(message), _) => format!("{path}: {message}"),
                        (None, Some(message), _) => message.to_string(),
                        (_, _, Some(text)) => text.to_string(),
                        _ => i.to_string(),
                    },
                )
                .collect()
        })
        .unwrap_or_default()
}
