//! Key failover and retries (issue 15): from the flags to the ai-proxy entry, shown by
//! `config list` and `status`, refused on bad input with the folder untouched, and run
//! by Higress's real ai-proxy plugin in the test-side proxy-wasm host.

mod proxy_wasm;
mod support;

use std::path::{Path, PathBuf};

use proxy_wasm::Gateway;
use proxy_wasm::chain::Response;
use proxy_wasm::gateway::chat_body;
use proxy_wasm::host::{HttpCall, HttpCallResponse};
use serde_json::{Value, json};
use support::{init_folder, on_folder, read_yaml, run_json, snapshot};

const KEYS: &str = "sk-deepseek-aaaa-0001,sk-deepseek-bbbb-0002";

fn entry(data: &Path, id: &str) -> Value {
    let proxy = read_yaml(&data.join("wasmplugins/ai-proxy.internal.yaml"));
    let json: Value = serde_json::to_value(&proxy).unwrap();
    json["spec"]["defaultConfig"]["providers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("no entry {id}"))
}

fn config(home: &Path, data: &Path, args: &[&str]) -> assert_cmd::Command {
    on_folder(home, data, &[&["config"], args].concat())
}

fn list_entry(home: &Path, data: &Path, id: &str) -> Value {
    let list = run_json(home, data, &["config", "list"]);
    list["providers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id)
        .cloned()
        .unwrap()
}

#[test]
fn init_flags_write_failover_and_retries_and_list_shows_them() {
    let home = tempfile::tempdir().unwrap();
    let data = init_folder(
        home.path(),
        &[
            "--deepseek-key",
            KEYS,
            "--failover",
            "deepseek:deepseek-chat",
            "--retries",
            "deepseek:2",
        ],
    );
    let e = entry(&data, "deepseek");
    assert_eq!(
        e["failover"],
        json!({"enabled": true, "failureThreshold": 3, "successThreshold": 1,
               "healthCheckInterval": 5000, "healthCheckTimeout": 5000,
               "healthCheckModel": "deepseek-chat"})
    );
    assert_eq!(
        e["retryOnFailure"],
        json!({"enabled": true, "maxRetries": 2, "retryTimeout": 60000})
    );
    let p = list_entry(home.path(), &data, "deepseek");
    assert_eq!(p["failover"]["health_check_model"], "deepseek-chat");
    assert_eq!(p["failover"]["failure_threshold"], 3);
    assert_eq!(p["retries"], 2);
    let status = run_json(home.path(), &data, &["status"]);
    assert_eq!(status["providers"][0]["retries"], 2);
    let text = on_folder(home.path(), &data, &["config", "list"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(text).unwrap();
    assert!(
        text.contains("failover: a key is out after 3 failed requests"),
        "{text}"
    );
    assert!(text.contains("retries: up to 2 with another key"), "{text}");
}

#[test]
fn config_add_tunes_keeps_other_fields_and_turns_off() {
    let home = tempfile::tempdir().unwrap();
    let data = init_folder(home.path(), &["--deepseek-key", KEYS]);
    let add = |args: &[&str]| {
        config(
            home.path(),
            &data,
            &[&["add", "--provider", "deepseek"], args].concat(),
        )
        .assert()
        .success();
    };
    add(&[
        "--failover",
        "--health-check-model",
        "deepseek-chat",
        "--retries",
        "1",
    ]);
    // A field the console or a person added survives a tuning edit.
    let path = data.join("wasmplugins/ai-proxy.internal.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace(
            "healthCheckModel: deepseek-chat",
            "healthCheckModel: deepseek-chat\n        failoverOnStatus:\n        - 5.*",
        ),
    )
    .unwrap();
    add(&[
        "--failure-threshold",
        "5",
        "--health-check-interval",
        "2000",
    ]);
    let f = &entry(&data, "deepseek")["failover"];
    assert_eq!(f["failureThreshold"], 5);
    assert_eq!(f["healthCheckInterval"], 2000);
    assert_eq!(f["healthCheckModel"], "deepseek-chat");
    assert_eq!(f["failoverOnStatus"], json!(["5.*"]));
    assert_eq!(
        entry(&data, "deepseek")["apiTokens"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    add(&["--no-failover", "--retries", "0"]);
    let e = entry(&data, "deepseek");
    assert!(
        e.get("failover").is_none() && e.get("retryOnFailure").is_none(),
        "{e}"
    );
    let p = list_entry(home.path(), &data, "deepseek");
    assert_eq!(
        (p["failover"].clone(), p["retries"].clone()),
        (Value::Null, json!(0))
    );
}

/// Each bad input: exit 2, the problem and the fix, and not one byte written.
#[test]
fn bad_failover_input_is_refused_and_writes_nothing() {
    let home = tempfile::tempdir().unwrap();
    let data = init_folder(home.path(), &["--deepseek-key", KEYS]);
    let cases: &[(&[&str], &[&str])] = &[
        (
            &["config", "add", "--provider", "deepseek", "--failover"],
            &[
                "--failover needs --health-check-model MODEL",
                "--health-check-model deepseek-chat",
            ],
        ),
        (
            &[
                "config",
                "add",
                "--provider",
                "deepseek",
                "--failure-threshold",
                "4",
            ],
            &[
                "--failure-threshold tunes failover, which is off",
                "--failover --health-check-model",
            ],
        ),
        (
            &[
                "config",
                "add",
                "--provider",
                "deepseek",
                "--no-failover",
                "--health-check-model",
                "m",
            ],
            &["--no-failover cannot be combined with --health-check-model"],
        ),
        (
            &["config", "add", "--provider", "deepseek", "--retries", "11"],
            &["--retries"],
        ),
        (
            &[
                "init",
                "--force",
                "--deepseek-key",
                KEYS,
                "--failover",
                "deepseek",
            ],
            &[
                "has no health-check model",
                "--failover deepseek:deepseek-chat",
            ],
        ),
        (
            &[
                "init",
                "--force",
                "--deepseek-key",
                KEYS,
                "--failover",
                "qwen:qwen-max",
            ],
            &["which these flags do not configure", "--dashscope-key KEY"],
        ),
        (
            &[
                "init",
                "--force",
                "--deepseek-key",
                KEYS,
                "--retries",
                "deepseek:x",
            ],
            &["is not PROVIDER:N", "--retries deepseek:2"],
        ),
    ];
    let before = snapshot(&data);
    for (args, needles) in cases {
        let out = on_folder(home.path(), &data, args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        for needle in *needles {
            assert!(
                stderr.contains(needle),
                "{args:?} lacks {needle:?}: {stderr}"
            );
        }
        assert!(!stderr.contains("aaaa-0001"), "a key was echoed: {stderr}");
        assert_eq!(snapshot(&data), before, "{args:?} wrote to the folder");
    }
}

/// A chat completion answer from the upstream.
fn ok_body() -> Vec<u8> {
    br#"{"id":"c1","object":"chat.completion","model":"deepseek-chat","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}"#.to_vec()
}

fn response(status: &str, body: Vec<u8>) -> Response {
    Response {
        headers: vec![
            (":status".into(), status.into()),
            ("content-type".into(), "application/json".into()),
        ],
        chunks: vec![(1, body)],
    }
}

fn folder_with(home: &Path, flags: &[&str]) -> PathBuf {
    init_folder(home, &[&["--deepseek-key", KEYS], flags].concat())
}

fn bearer(out: &proxy_wasm::chain::Outcome) -> String {
    out.upstream_header("authorization")
        .unwrap_or("")
        .to_string()
}

/// What the plugin makes of our entry: accepted, with no error, and a config with
/// failover but no health-check model (which our writer refuses to produce) refused.
#[test]
fn the_plugin_accepts_what_we_write_and_refuses_what_we_never_write() {
    let home = tempfile::tempdir().unwrap();
    let data = folder_with(
        home.path(),
        &[
            "--failover",
            "deepseek:deepseek-chat",
            "--retries",
            "deepseek:1",
        ],
    );
    let Some(gw) = Gateway::new(&data, true) else {
        return;
    };
    let c = &gw.proxy_configured;
    let errors: Vec<_> = c
        .logs
        .iter()
        .filter(|l| matches!(l.level, "error" | "critical"))
        .collect();
    assert!(c.accepted && errors.is_empty(), "refused: {errors:?}");
    // The same file without the health-check model: the whole plugin config fails.
    let path = data.join("wasmplugins/ai-proxy.internal.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("healthCheckModel: deepseek-chat"));
    std::fs::write(&path, text.replace("healthCheckModel: deepseek-chat", "")).unwrap();
    let gw = Gateway::new(&data, false).unwrap();
    assert!(
        !gw.proxy_configured.accepted,
        "the plugin accepted failover without a model"
    );
}

/// A key that keeps failing leaves the rotation: after `failureThreshold` failures
/// every request uses the other key.
#[test]
fn a_failing_key_is_taken_out_of_rotation() {
    let home = tempfile::tempdir().unwrap();
    let data = folder_with(home.path(), &["--failover", "deepseek:deepseek-chat"]);
    config(
        home.path(),
        &data,
        &["add", "--provider", "deepseek", "--failure-threshold", "2"],
    )
    .assert()
    .success();
    let Some(mut gw) = Gateway::new(&data, false) else {
        return;
    };
    assert!(gw.proxy_configured.accepted);
    // The upstream refuses the first key and serves the second.
    let bad = "Bearer sk-deepseek-aaaa-0001";
    let mut used = Vec::new();
    for _ in 0..30 {
        let (_, out) = gw
            .send_with(
                "/v1/chat/completions",
                "deepseek-chat",
                chat_body("deepseek-chat", false),
                &[],
                &mut |headers| {
                    let key = proxy_wasm::host::header(headers, "authorization").unwrap_or("");
                    Some(if key == bad {
                        response("503", b"{}".to_vec())
                    } else {
                        response("200", ok_body())
                    })
                },
                &proxy_wasm::no_calls,
            )
            .unwrap();
        used.push(bearer(&out));
    }
    let failures = used.iter().filter(|k| *k == bad).count();
    assert_eq!(
        failures, 2,
        "the failing key was used {failures} times, not the threshold's 2: {used:?}"
    );
    let last_failure = used.iter().rposition(|k| k == bad).unwrap();
    assert!(
        used.len() - last_failure > 10,
        "too few requests after it left: {used:?}"
    );
}

/// A request that fails with one key is retried with the other, and the client gets
/// the retry's answer.
#[test]
fn a_failed_request_is_retried_with_the_other_key() {
    let home = tempfile::tempdir().unwrap();
    let data = folder_with(home.path(), &["--retries", "deepseek:1"]);
    let Some(mut gw) = Gateway::new(&data, false) else {
        return;
    };
    assert!(gw.proxy_configured.accepted);
    let retry = |call: &HttpCall| {
        Some(HttpCallResponse {
            headers: vec![
                (":status".into(), "200".into()),
                ("content-type".into(), "application/json".into()),
            ],
            body: if call.body.is_empty() {
                Vec::new()
            } else {
                ok_body()
            },
        })
    };
    let (_, out) = gw
        .send(
            "/v1/chat/completions",
            "deepseek-chat",
            chat_body("deepseek-chat", false),
            &[],
            Some(response("500", b"{\"error\":\"boom\"}".to_vec())),
            &retry,
        )
        .unwrap();
    assert_eq!(out.http_calls.len(), 1, "no retry: {:?}", out.logs);
    let call = &out.http_calls[0];
    let first = bearer(&out);
    let second = proxy_wasm::host::header(&call.headers, "authorization").unwrap_or("");
    assert!(
        !second.is_empty() && second != first,
        "retried with the same key {first}"
    );
    let reply = out
        .local_reply
        .as_ref()
        .expect("the retry's answer goes to the client");
    assert_eq!(reply.status, 200);
    assert!(reply.body.contains("\"content\":\"hi\""), "{}", reply.body);
}
