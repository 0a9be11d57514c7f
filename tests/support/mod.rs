//! Shared helpers for the integration tests: the real binary in a hermetic environment.
#![allow(dead_code)]

pub mod docker;

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The binary with a clean environment: no user keys, no colours, a fixed timezone.
pub fn bin(home: &Path) -> Command {
    let mut cmd = Command::cargo_bin("higress-claw").expect("binary builds");
    for (key, _) in std::env::vars() {
        if key.starts_with("HIGRESS_CLAW_") {
            cmd.env_remove(key);
        }
    }
    cmd.env("HOME", home)
        .env("NO_COLOR", "1")
        .env("TZ", "Asia/Shanghai");
    cmd
}

pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Suites a CI job declares it cannot run (comma-separated), e.g. `docker` on the macOS
/// and Windows runners, which have no Docker engine: skipped there on purpose, and said so.
pub const ALLOWED_SKIPS_VAR: &str = "HIGRESS_CLAW_TEST_SKIP";
/// Where skips are recorded (one `suite<TAB>test<TAB>reason<TAB>fix` line each);
/// scripts/test.sh sets it and lists the skipped suites when the run ends.
pub const SKIP_LOG_VAR: &str = "HIGRESS_CLAW_TEST_SKIP_LOG";

/// `test` of `suite` cannot run here, because of `reason`; `fix` is the one command that
/// makes it run. Says so at once on the real stderr, which libtest does not capture
/// (`eprintln!` would show only with `--nocapture`), and appends a record to the skip
/// log. Under `CI=true` a skip is a failure, unless the job lists `suite` in
/// `HIGRESS_CLAW_TEST_SKIP`.
pub fn skip(suite: &str, test: &str, reason: &str, fix: &str) {
    use std::io::Write;
    let allowed = std::env::var(ALLOWED_SKIPS_VAR)
        .is_ok_and(|list| list.split(',').any(|s| s.trim() == suite));
    assert!(
        !in_ci() || allowed,
        "CI=true but {test} ({suite}) cannot run: {reason}. Fix: {fix} (or list `{suite}` in {ALLOWED_SKIPS_VAR} to skip it on purpose)"
    );
    let line = format!("SKIPPED {test} ({suite}): {reason}; to run it: {fix}\n");
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
    let log = std::env::var_os(SKIP_LOG_VAR).map_or_else(
        || Path::new(env!("CARGO_TARGET_TMPDIR")).join("test-skips.tsv"),
        PathBuf::from,
    );
    let clean = |s: &str| s.replace(['\t', '\n'], " ");
    let record = format!(
        "{}\t{}\t{}\t{}\n",
        clean(suite),
        clean(test),
        clean(reason),
        clean(fix)
    );
    // One short append per record: parallel test processes do not interleave.
    if let Ok(mut file) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log)
    {
        let _ = file.write_all(record.as_bytes());
    }
}

/// `../shared/<sub>` beside the checkout, where CI lays it.
pub fn shared_dir(sub: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared")
        .join(sub);
    dir.is_dir().then_some(dir)
}

pub fn read_yaml(path: &Path) -> higress_claw::yaml::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    higress_claw::yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The top-level keys the README's "JSON output" section documents for `command`
/// (`?` marks a key that may be absent), so the documented schema cannot drift.
pub fn documented_keys(command: &str) -> Vec<(String, bool)> {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let section = readme
        .split("## JSON output")
        .nth(1)
        .unwrap()
        .split("\n## ")
        .next()
        .unwrap();
    let flat = section.split_whitespace().collect::<Vec<_>>().join(" ");
    let re = regex::Regex::new(r"`([a-z |-]+)`(?: \(a `\w+`\))?: `\{([^`]*)\}`").unwrap();
    for caps in re.captures_iter(&flat) {
        let names = &caps[1];
        let matches = names == command || {
            let mut words = names.split(' ');
            let (first, rest) = (words.next().unwrap(), words.next());
            match (command.split_once(' '), rest) {
                (Some((c, sub)), Some(subs)) => c == first && subs.split('|').any(|s| s == sub),
                (None, None) => first == command,
                _ => false,
            }
        };
        if !matches {
            continue;
        }
        let (mut depth, mut key, mut keys, mut in_name) = (0, String::new(), Vec::new(), true);
        for ch in caps[2].chars().chain([',']) {
            match ch {
                '{' | '[' => depth += 1,
                '}' | ']' => depth -= 1,
                ',' if depth == 0 => {
                    let k = key.trim().to_string();
                    keys.push((k.trim_end_matches('?').to_string(), k.ends_with('?')));
                    key.clear();
                    in_name = true;
                    continue;
                }
                ':' if depth == 0 => in_name = false,
                _ if depth == 0 && in_name => key.push(ch),
                _ => {}
            }
        }
        return keys;
    }
    panic!("README documents no JSON for `{command}`")
}

/// Asserts `value`'s top-level keys are exactly the documented ones.
pub fn assert_documented(command: &str, value: &serde_json::Value) {
    let keys = documented_keys(command);
    let actual: Vec<&String> = value
        .as_object()
        .unwrap_or_else(|| panic!("{command}: not an object"))
        .keys()
        .collect();
    for (key, optional) in &keys {
        assert!(
            *optional || actual.contains(&key),
            "`{command} --json` lacks documented key {key}: {value}"
        );
    }
    for key in actual {
        assert!(
            keys.iter().any(|(k, _)| k == key),
            "`{command} --json` has undocumented key {key}"
        );
    }
}

/// `higress-claw ARGS --data-dir DATA` in the test's HOME.
pub fn on_folder(home: &Path, data: &Path, args: &[&str]) -> assert_cmd::Command {
    let mut cmd = bin(home);
    cmd.args(args).arg("--data-dir").arg(data);
    cmd
}

/// `init -q FLAGS` into `HOME/data`; returns the folder.
pub fn init_folder(home: &Path, flags: &[&str]) -> PathBuf {
    let data = home.join("data");
    on_folder(home, &data, &[&["init", "-q"], flags].concat())
        .assert()
        .success();
    data
}

/// Every file below `dir` with its bytes (the lock file aside): a folder compared
/// before and after a command that must not write.
pub fn snapshot(dir: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(snapshot(&path));
        } else if !path.ends_with(".higress-claw.lock") {
            out.insert(path.clone(), std::fs::read(&path).unwrap());
        }
    }
    out
}

/// `ARGS --json --data-dir DATA`, which must succeed, as its JSON document.
pub fn run_json(home: &Path, data: &Path, args: &[&str]) -> serde_json::Value {
    let out = bin(home)
        .args(args)
        .arg("--json")
        .arg("--data-dir")
        .arg(data)
        .assert()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out)
        .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out)))
}
