//! `higress-claw usage` through the real binary, on access-log lines in the image's
//! format: the fixtures the real ai-statistics plugin produced (tests/plugins.rs) and
//! lines rendered here from the plugin running in the test-side proxy-wasm host, in
//! the rotated `gateway.log` files supervisord writes, mixed with Envoy's own lines.

mod proxy_wasm;
mod support;

use std::path::Path;
use std::time::{Duration, SystemTime};

use proxy_wasm::Gateway;
use proxy_wasm::chain::Response;
use proxy_wasm::gateway::chat_body;
use serde_json::Value;
use support::{assert_documented, bin};

const HOUR_MS: u64 = 3_600_000;

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/access-log")
        .join(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .trim_end()
        .to_string()
}

/// Envoy's START_TIME for `ago_ms` before now.
fn start_time(ago_ms: u64) -> String {
    let t = SystemTime::now() - Duration::from_millis(ago_ms);
    let t: chrono::DateTime<chrono::Utc> = t.into();
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// `line` with its start_time (and duration, if given) replaced.
fn at(line: &str, ago_ms: u64, duration: Option<u64>) -> String {
    let re = regex::Regex::new(r#""start_time":"[^"]*""#).unwrap();
    let mut line = re
        .replace(line, format!(r#""start_time":"{}""#, start_time(ago_ms)))
        .into_owned();
    if let Some(d) = duration {
        let re = regex::Regex::new(r#""duration":"[^"]*""#).unwrap();
        line = re
            .replace(&line, format!(r#""duration":"{d}""#))
            .into_owned();
    }
    line
}

/// A request the console or a probe made: no ai_log.
fn plain_line(route: &str, path: &str, status: u16, ago_ms: u64) -> String {
    let base = fixture("deepseek-chat.log");
    let ai_log = regex::Regex::new(r#"^\{"ai_log":"(?:[^"\\]|\\.)*""#).unwrap();
    let line = ai_log.replace(&base, r#"{"ai_log":"-""#).into_owned();
    let line = line
        .replace("ai-route-deepseek.internal", route)
        .replace("/v1/chat/completions", path)
        .replace(
            r#""response_code":"200""#,
            &format!(r#""response_code":"{status}""#),
        );
    at(&line, ago_ms, None)
}

const ENVOY_LINE: &str = "2026-12-02T01:00:00.000000Z\tinfo\tEnvoy proxy is ready";
const AGENT_LINE: &str =
    "2026-12-02T01:00:00.000000Z\twarning\tenvoy config\tgRPC config stream to xds-grpc closed";

fn write(dir: &Path, name: &str, lines: &[String]) {
    std::fs::create_dir_all(dir).unwrap();
    let mut text = lines.join("\n");
    text.push('\n');
    std::fs::write(dir.join(name), text).unwrap();
}

fn usage(home: &Path, data: &Path, args: &[&str]) -> (Value, String) {
    let out = bin(home)
        .arg("usage")
        .args(args)
        .arg("--json")
        .arg("--data-dir")
        .arg(data)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "usage {args:?}: {stderr}");
    let json: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    assert_documented("usage", &json);
    (json, stderr)
}

fn row<'a>(rows: &'a Value, key: &str, value: &str) -> &'a Value {
    rows.as_array()
        .unwrap()
        .iter()
        .find(|r| r[key] == value)
        .unwrap_or_else(|| panic!("no {key} {value} in {rows}"))
}

/// Rotated gateway.log files are each read once, oldest first; Envoy's lines, the
/// console and a model listing are skipped; an AI route's failure before any
/// response counts as an error of model `unknown`.
#[test]
fn fixture_lines_in_rotated_gateway_logs_are_counted() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    let logs = data.join("logs");
    let normal = fixture("deepseek-chat.log");
    let stream = fixture("deepseek-chat-stream.log");
    write(
        &logs,
        "gateway.log.2",
        &[ENVOY_LINE.into(), at(&normal, 3 * HOUR_MS, Some(100))],
    );
    write(
        &logs,
        "gateway.log.1",
        &[
            at(&stream, 2 * HOUR_MS, Some(200)),
            AGENT_LINE.into(),
            plain_line("higress-console", "/api/login", 200, 2 * HOUR_MS),
        ],
    );
    write(
        &logs,
        "gateway.log",
        &[
            at(&normal, HOUR_MS, Some(300)),
            plain_line("ai-route-deepseek.internal", "/v1/models", 200, HOUR_MS),
            plain_line(
                "ai-route-deepseek.internal",
                "/v1/chat/completions",
                503,
                HOUR_MS,
            ),
            ENVOY_LINE.into(),
        ],
    );
    let (json, stderr) = usage(home.path(), &data, &[]);
    let files: Vec<&str> = json["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap().rsplit('/').next().unwrap())
        .collect();
    assert_eq!(files, ["gateway.log.2", "gateway.log.1", "gateway.log"]);
    let total = &json["total"];
    assert_eq!(total["requests"], 4, "{json}");
    assert_eq!(total["errors"], 1);
    assert_eq!(total["input_tokens"], 36);
    assert_eq!(total["output_tokens"], 27);
    assert_eq!(total["total_tokens"], 63);
    assert_eq!(
        json["skipped"], 5,
        "3 Envoy lines, the console, /v1/models: {json}"
    );
    assert_eq!(json["malformed"], 0);
    assert!(!stderr.contains("warning"), "{stderr}");
    let chat = row(&json["by_model"], "model", "deepseek-chat");
    assert_eq!(chat["provider"], "deepseek");
    assert_eq!(chat["requests"], 3);
    assert_eq!(chat["errors"], 0);
    assert_eq!(chat["p50_ms"], 200);
    assert_eq!(chat["p95_ms"], 300);
    let failed = row(&json["by_model"], "model", "unknown");
    assert_eq!(failed["provider"], "deepseek");
    assert_eq!(failed["errors"], 1);
    assert_eq!(failed["total_tokens"], 0);
    let provider = row(&json["by_provider"], "provider", "deepseek");
    assert_eq!(provider["requests"], 4);
    assert_eq!(provider["errors"], 1);
    assert!(json.get("by_day").is_none(), "by_day only with --by day");

    let out = bin(home.path())
        .args(["usage", "--data-dir"])
        .arg(&data)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    let chat_row = text
        .lines()
        .find(|l| l.starts_with("deepseek-chat "))
        .unwrap_or_else(|| panic!("{text}"));
    let cells: Vec<&str> = chat_row.split_whitespace().collect();
    assert_eq!(
        cells,
        [
            "deepseek-chat",
            "deepseek",
            "3",
            "0",
            "36",
            "27",
            "63",
            "200",
            "300"
        ]
    );
    assert!(
        text.contains("PROVIDER  REQUESTS"),
        "both tables by default: {text}"
    );
}

/// `--since` keeps requests by their start_time; the rest are counted as outside.
#[test]
fn since_filters_by_start_time() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    let normal = fixture("deepseek-chat.log");
    write(
        &data.join("logs"),
        "gateway.log",
        &[
            at(&normal, 10 * 24 * HOUR_MS, None),
            at(&normal, 3 * 24 * HOUR_MS, None),
            at(&normal, 30 * 60_000, None),
        ],
    );
    for (since, inside) in [
        ("24h", 1),
        ("90m", 1),
        ("7d", 2),
        ("2w", 3),
        ("all", 3),
        ("10m", 0),
    ] {
        let (json, _) = usage(home.path(), &data, &["--since", since]);
        assert_eq!(json["total"]["requests"], inside, "--since {since}: {json}");
        assert_eq!(json["outside_window"], 3 - inside, "--since {since}");
        assert_eq!(json["from"].is_null(), since == "all");
    }
    let out = bin(home.path())
        .args(["usage", "--since", "yesterday", "--data-dir"])
        .arg(&data)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("24h") && stderr.contains("7d"), "{stderr}");
}

/// `--by provider|day|model` pick the one table; `--by day` adds `by_day`.
#[test]
fn by_groups_the_report() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    let normal = fixture("deepseek-chat.log");
    write(
        &data.join("logs"),
        "gateway.log",
        &[
            at(&normal, 2 * 24 * HOUR_MS, None),
            at(&normal, 0, None),
            at(&normal, 0, None),
        ],
    );
    let (json, _) = usage(home.path(), &data, &["--since", "7d", "--by", "day"]);
    let days = json["by_day"].as_array().unwrap();
    assert_eq!(days.len(), 2, "{json}");
    assert_eq!(days[0]["day"], start_time(2 * 24 * HOUR_MS)[..10]);
    assert_eq!(days[0]["requests"], 1);
    assert_eq!(days[1]["day"], start_time(0)[..10]);
    assert_eq!(days[1]["requests"], 2);
    let text = |by: &str| {
        let out = bin(home.path())
            .args(["usage", "--since", "7d", "--by", by, "--data-dir"])
            .arg(&data)
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let by_provider = text("provider");
    assert!(
        by_provider.contains("\nPROVIDER  REQUESTS") && !by_provider.contains("MODEL"),
        "{by_provider}"
    );
    assert!(
        by_provider
            .lines()
            .any(|l| l.split_whitespace().take(2).eq(["deepseek", "3"])),
        "{by_provider}"
    );
    let by_model = text("model");
    assert!(
        by_model.contains("MODEL") && !by_model.contains("\nPROVIDER  REQUESTS"),
        "{by_model}"
    );
    let by_day = text("day");
    assert!(
        by_day.contains("DAY") && by_day.contains(&start_time(0)[..10]),
        "{by_day}"
    );
}

/// An unreadable line is counted, named on stderr with its file and line, and the
/// rest of the log still counts; a last line still being written is not an error.
#[test]
fn malformed_lines_are_counted_and_named() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    let logs = data.join("logs");
    let normal = at(&fixture("deepseek-chat.log"), HOUR_MS, None);
    let quoted_agent = normal.replace("higress-claw-tests", "curl \"8\"");
    let bad_ai_log = normal.replacen(r#"{\"api\""#, r#"{\"api"#, 1);
    write(
        &logs,
        "gateway.log.1",
        &[normal.clone(), normal[..200].to_string()],
    );
    write(
        &logs,
        "gateway.log",
        &[quoted_agent, normal.clone(), bad_ai_log],
    );
    let mut partial = std::fs::read_to_string(logs.join("gateway.log")).unwrap();
    partial.push_str(&normal[..300]);
    std::fs::write(logs.join("gateway.log"), partial).unwrap();
    let (json, stderr) = usage(home.path(), &data, &[]);
    assert_eq!(json["total"]["requests"], 2, "{json}");
    assert_eq!(json["malformed"], 3, "{json}");
    let first = &json["first_malformed"];
    assert!(
        first["file"]
            .as_str()
            .unwrap()
            .ends_with("logs/gateway.log.1"),
        "{first}"
    );
    assert_eq!(first["line"], 2);
    assert!(
        stderr.contains("3 access-log line(s) could not be read")
            && stderr.contains("gateway.log.1:2"),
        "{stderr}"
    );
}

/// A folder whose gateway never ran: zero totals, exit 0, and where the log will be.
#[test]
fn no_log_yet_says_where_it_will_be() {
    let home = tempfile::tempdir().unwrap();
    let data = support::init_folder(home.path(), &["--deepseek-key", "sk-test"]);
    std::fs::remove_dir_all(data.join("logs")).ok();
    let (json, stderr) = usage(home.path(), &data, &[]);
    assert_eq!(json["total"]["requests"], 0);
    assert!(json["total"]["p50_ms"].is_null());
    assert_eq!(json["files"], serde_json::json!([]));
    let note = json["notes"][0].as_str().unwrap();
    let logs = data.join("logs");
    assert!(
        note.contains(logs.to_str().unwrap()) && note.contains("gateway.log"),
        "{note}"
    );
    assert!(note.contains("higress-claw start"), "{note}");
    assert!(stderr.contains(note), "{stderr}");
    // An empty log folder (the container made it but logged nothing) reads the same.
    std::fs::create_dir_all(&logs).unwrap();
    std::fs::write(logs.join("access.log"), "").unwrap();
    let (json, _) = usage(home.path(), &data, &[]);
    assert_eq!(json["total"]["requests"], 0);
    assert_eq!(json["malformed"], 0);
}

/// The observability image writes Envoy's access.log itself; it is read too.
#[test]
fn access_log_of_the_observability_image_is_read() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    let stream = fixture("deepseek-chat-stream.log");
    write(
        &data.join("logs"),
        "access.log.1",
        &[at(&stream, HOUR_MS, None)],
    );
    write(
        &data.join("logs"),
        "access.log",
        &[at(&stream, 60_000, None)],
    );
    let (json, _) = usage(home.path(), &data, &[]);
    assert_eq!(json["total"]["requests"], 2, "{json}");
    assert_eq!(json["total"]["total_tokens"], 42);
}

fn completion(model: &str, prompt: u64, completion: u64) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "id": "chatcmpl-usage", "object": "chat.completion", "created": 1793613601, "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
    }))
    .unwrap()
}

/// Requests through the real ai-statistics and ai-proxy plugins on a folder
/// higress-claw wrote, logged as the image logs them: `usage` reports what the
/// plugin measured, per model and provider.
#[test]
fn lines_the_real_ai_statistics_plugin_writes_are_reported() {
    let Some(_) = proxy_wasm::plugin(proxy_wasm::AI_STATISTICS) else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let data = support::init_folder(
        home.path(),
        &[
            "--deepseek-key",
            "sk-ds",
            "--moonshot-key",
            "sk-ms",
            "--moonshot-models",
            "kimi-*",
        ],
    );
    let mut gw = Gateway::new(&data, true).unwrap();
    // (model, HTTP status, prompt tokens, completion tokens, ms)
    let sent: &[(&str, u16, u64, u64, u64)] = &[
        ("deepseek-chat", 200, 10, 5, 120),
        ("deepseek-chat", 200, 20, 7, 340),
        ("deepseek-reasoner", 200, 30, 50, 900),
        ("kimi-k2", 200, 8, 2, 60),
        ("kimi-k2", 429, 0, 0, 15),
    ];
    let mut lines = vec![ENVOY_LINE.to_string()];
    for (i, &(model, status, prompt, out_tokens, ms)) in sent.iter().enumerate() {
        let start = gw.clock.now_ms();
        let body = chat_body(model, false);
        let bytes_received = body.len();
        let reply = if status == 200 {
            completion(model, prompt, out_tokens)
        } else {
            br#"{"error":{"message":"rate limited","type":"rate_limit_error"}}"#.to_vec()
        };
        let response = Response {
            headers: vec![
                (":status".into(), status.to_string()),
                ("content-type".into(), "application/json".into()),
            ],
            chunks: vec![(ms, reply)],
        };
        let (route, out) = gw
            .send(
                "/v1/chat/completions",
                model,
                body,
                &[],
                Some(response),
                &proxy_wasm::no_calls,
            )
            .unwrap_or_else(|| panic!("{model}: no route"));
        let env = proxy_wasm::access_log::Env {
            start_time: start_time((sent.len() - i) as u64 * 60_000),
            duration_ms: gw.clock.now_ms() - start,
            bytes_received,
            downstream_local: "172.17.0.2:8080".into(),
            downstream_remote: "172.17.0.1:52044".into(),
            upstream_host: "203.0.113.10:443".into(),
            upstream_local: "172.17.0.2:40112".into(),
            route_name: route.name.clone(),
            cluster: route.cluster(),
        };
        lines.push(proxy_wasm::access_log::render(&out, &env));
    }
    write(&data.join("logs"), "gateway.log", &lines);
    let (json, _) = usage(home.path(), &data, &[]);
    assert_eq!(json["malformed"], 0, "{json}\n{}", lines.join("\n"));
    let rate_limited = lines.last().unwrap();
    assert!(
        rate_limited.contains(r#""response_code":"429""#),
        "{rate_limited}"
    );
    assert_eq!(json["skipped"], 1);
    let ds = row(&json["by_model"], "model", "deepseek-chat");
    assert_eq!(ds["provider"], "deepseek");
    assert_eq!(ds["requests"], 2);
    assert_eq!(ds["input_tokens"], 30);
    assert_eq!(ds["output_tokens"], 12);
    assert_eq!(ds["total_tokens"], 42);
    assert_eq!(ds["p50_ms"], 120);
    assert_eq!(ds["p95_ms"], 340);
    let reasoner = row(&json["by_model"], "model", "deepseek-reasoner");
    assert_eq!(reasoner["total_tokens"], 80);
    assert_eq!(reasoner["p50_ms"], 900);
    let kimi = row(&json["by_model"], "model", "kimi-k2");
    assert_eq!(kimi["provider"], "moonshot", "{json}");
    assert_eq!(kimi["requests"], 1, "{json}");
    assert_eq!(kimi["errors"], 0);
    assert_eq!(kimi["total_tokens"], 10);
    // The plugin logs no model for the provider's 429: it counts for the provider,
    // as an error of model `unknown`.
    let failed = row(&json["by_model"], "model", "unknown");
    assert_eq!(failed["provider"], "moonshot", "{json}");
    assert_eq!(failed["errors"], 1);
    assert_eq!(failed["p50_ms"], 15);
    let kimi = row(&json["by_provider"], "provider", "moonshot");
    assert_eq!(
        (kimi["requests"].as_u64(), kimi["errors"].as_u64()),
        (Some(2), Some(1))
    );
    let ds = row(&json["by_provider"], "provider", "deepseek");
    assert_eq!(ds["requests"], 3);
    assert_eq!(ds["total_tokens"], 122);
    assert_eq!(ds["p95_ms"], 900);
    assert_eq!(json["total"]["requests"], 5);
    assert_eq!(json["total"]["errors"], 1);
}
