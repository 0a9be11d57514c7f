//! `claude-code env` through the real binary: the lines Claude Code reads, in each
//! shell's syntax, with the client key when the gateway has keys and a placeholder
//! when it has none, and the model it defaults to.

mod support;

use std::path::Path;

use serde_json::Value;
use support::{assert_documented, init_folder, on_folder};

const DEEPSEEK: &str = "sk-deepseek-0123456789abcdef";

/// `claude-code env ARGS` on `data`, with no Docker engine to ask (the port comes from
/// the folder's default.cfg).
fn env(home: &Path, data: &Path, args: &[&str]) -> (String, String) {
    let out = on_folder(home, data, &[&["claude-code", "env"], args].concat())
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        .assert()
        .success()
        .get_output()
        .clone();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn env_points_claude_code_at_the_gateway() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let data = init_folder(h, &["--deepseek-key", DEEPSEEK, "--http-port", "18080"]);

    // No client keys: a placeholder token the gateway ignores, and the note saying so.
    let (out, err) = env(h, &data, &[]);
    assert_eq!(
        out.trim_end(),
        "export ANTHROPIC_BASE_URL='http://127.0.0.1:18080'\nexport ANTHROPIC_AUTH_TOKEN='higress-claw-no-client-key'\nexport ANTHROPIC_MODEL='deepseek-chat'"
    );
    assert!(err.contains("no client keys"), "{err}");
    assert!(!out.contains(DEEPSEEK) && !err.contains(DEEPSEEK));

    // With keys: the first one, or the one named.
    let first = support::run_json(h, &data, &["keys", "add", "laptop"])["key"]
        .as_str()
        .unwrap()
        .to_string();
    let second = support::run_json(h, &data, &["keys", "add", "ci"])["key"]
        .as_str()
        .unwrap()
        .to_string();
    let (out, _) = env(
        h,
        &data,
        &["--shell", "fish", "--model", "deepseek-reasoner"],
    );
    assert_eq!(
        out.trim_end(),
        format!(
            "set -gx ANTHROPIC_BASE_URL 'http://127.0.0.1:18080'\nset -gx ANTHROPIC_AUTH_TOKEN '{first}'\nset -gx ANTHROPIC_MODEL 'deepseek-reasoner'"
        )
    );
    let (out, _) = env(h, &data, &["--shell", "powershell", "--client-key", "ci"]);
    assert!(
        out.contains(&format!("$env:ANTHROPIC_AUTH_TOKEN = '{second}'")),
        "{out}"
    );
    assert!(out.starts_with("$env:ANTHROPIC_BASE_URL = 'http://127.0.0.1:18080'"));

    // JSON: documented, with the URLs and the key's name.
    let (out, _) = env(h, &data, &["--json"]);
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_documented("claude-code env", &report);
    assert_eq!(report["base_url"], "http://127.0.0.1:18080");
    assert_eq!(report["messages_url"], "http://127.0.0.1:18080/v1/messages");
    assert_eq!(report["client_key"], "laptop");
    assert_eq!(report["shell"], "sh");
    assert_eq!(report["env"]["ANTHROPIC_AUTH_TOKEN"], first.as_str());
    assert_eq!(report["env"]["ANTHROPIC_MODEL"], "deepseek-chat");
    assert_eq!(report["lines"].as_array().unwrap().len(), 3);

    // Auto-routing on: Claude Code asks for higress/auto.
    on_folder(
        h,
        &data,
        &["route", "enable", "--default-model", "deepseek-chat"],
    )
    .assert()
    .success();
    let (out, _) = env(h, &data, &[]);
    assert!(
        out.ends_with("export ANTHROPIC_MODEL='higress/auto'\n"),
        "{out}"
    );

    // A key name that does not exist is a usage error naming it.
    on_folder(h, &data, &["claude-code", "env", "--client-key", "nobody"])
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no client key is named nobody"));
}

#[test]
fn env_on_a_folder_that_is_no_gateway_is_refused() {
    let home = tempfile::tempdir().unwrap();
    let empty = home.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    on_folder(home.path(), &empty, &["claude-code", "env"])
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("not a configured gateway folder"));
}
