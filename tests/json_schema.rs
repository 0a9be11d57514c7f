//! Every `--json` document has exactly the top-level keys the README documents.
//! (The Docker commands are checked in `docker_lifecycle.rs`.)

mod support;

use serde_json::Value;
use support::{assert_documented, bin};

fn json(home: &std::path::Path, args: &[&str]) -> Value {
    let out = bin(home).args(args).arg("--json").output().unwrap();
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn documented_schemas_match_the_output() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let data = h.join("data");
    let d = data.to_str().unwrap();
    assert_documented(
        "init",
        &json(h, &["init", "--deepseek-key", "k", "--data-dir", d]),
    );
    assert_documented(
        "config add",
        &json(
            h,
            &[
                "config",
                "add",
                "--provider",
                "kimi",
                "--key",
                "k",
                "--data-dir",
                d,
            ],
        ),
    );
    assert_documented(
        "config list",
        &json(h, &["config", "list", "--data-dir", d]),
    );
    assert_documented(
        "route enable",
        &json(
            h,
            &[
                "route",
                "enable",
                "--default-model",
                "deepseek-chat",
                "--data-dir",
                d,
            ],
        ),
    );
    assert_documented(
        "route add",
        &json(
            h,
            &[
                "route",
                "add",
                "--model",
                "kimi-k2",
                "--trigger",
                "k",
                "--data-dir",
                d,
            ],
        ),
    );
    assert_documented("route list", &json(h, &["route", "list", "--data-dir", d]));
    assert_documented(
        "route test",
        &json(h, &["route", "test", "k2 please", "--data-dir", d]),
    );
    assert_documented(
        "route remove",
        &json(h, &["route", "remove", "--rule-id", "0", "--data-dir", d]),
    );
    assert_documented(
        "route disable",
        &json(h, &["route", "disable", "--data-dir", d]),
    );
    assert_documented("models", &json(h, &["models", "--data-dir", d]));
    assert_documented(
        "models resolve",
        &json(h, &["models", "resolve", "deepseek-chat", "--data-dir", d]),
    );
    assert_documented("tidy", &json(h, &["tidy", "--data-dir", d]));
    assert_documented(
        "config remove",
        &json(
            h,
            &["config", "remove", "--provider", "kimi", "--data-dir", d],
        ),
    );
    let doctor = json(h, &["doctor", "--data-dir", d]);
    assert_documented("doctor", &doctor);
    for check in doctor["checks"].as_array().unwrap() {
        let keys: Vec<&String> = check.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["name", "verdict", "detail", "fix"]);
    }
    // The shared shapes.
    let list = json(h, &["config", "list", "--data-dir", d]);
    let provider: Vec<&String> = list["providers"][0].as_object().unwrap().keys().collect();
    assert_eq!(
        provider,
        [
            "id", "name", "type", "route", "keys", "domain", "settings", "failover", "retries",
            "fallback"
        ]
    );
}
