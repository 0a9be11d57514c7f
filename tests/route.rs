//! `route …` and `models …`: rules written exactly, invalid input refused, the offline
//! explanation agreeing with the model-router's rules.

mod support;

use std::path::{Path, PathBuf};

use predicates::prelude::*;
use serde_json::Value;
use support::{init_folder, on_folder, read_yaml};

fn folder(home: &Path) -> PathBuf {
    init_folder(
        home,
        &["--zhipuai-key", "zk-0001", "--deepseek-key", "dk-0002"],
    )
}

fn cli(home: &Path, data: &Path, args: &[&str]) -> assert_cmd::Command {
    on_folder(home, data, args)
}

fn json(cmd: &mut assert_cmd::Command) -> Value {
    let out = cmd
        .arg("--json")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).unwrap()
}

fn auto_routing(data: &Path) -> Value {
    let router = read_yaml(&data.join("wasmplugins/model-router.internal.yaml"));
    serde_json::to_value(&router["spec"]["defaultConfig"]["autoRouting"]).unwrap()
}

#[test]
fn rules_enable_disable_and_list() {
    let home = tempfile::tempdir().unwrap();
    let (h, data) = (home.path(), folder(home.path()));
    // Not enabled at deployment: the rule is kept and the user is told how to enable.
    cli(
        h,
        &data,
        &[
            "route",
            "add",
            "--model",
            "glm-4-flash",
            "--trigger",
            "quick| fast ",
        ],
    )
    .assert()
    .success()
    .stderr(predicate::str::contains("route enable --default-model"));
    cli(
        h,
        &data,
        &[
            "route",
            "add",
            "--model",
            "deepseek-reasoner",
            "--trigger",
            "c++|深入思考",
        ],
    )
    .assert()
    .success();
    let routing = auto_routing(&data);
    assert_eq!(routing["enable"], false);
    assert_eq!(routing["rules"][0]["pattern"], "(?i)^(quick|fast)");
    assert_eq!(routing["rules"][1]["pattern"], r"(?i)^(c\+\+|深入思考)");

    cli(h, &data, &["route", "enable", "--default-model", "glm-5"])
        .assert()
        .success();
    let routing = auto_routing(&data);
    assert_eq!(
        (routing["enable"].clone(), routing["defaultModel"].clone()),
        (Value::Bool(true), Value::from("glm-5"))
    );
    assert_eq!(routing["rules"].as_array().unwrap().len(), 2, "rules kept");
    let cfg = std::fs::read_to_string(data.join("default.cfg")).unwrap();
    assert!(
        cfg.contains("ENABLE_AUTO_ROUTING=true")
            && cfg.contains("AUTO_ROUTING_DEFAULT_MODEL=glm-5"),
        "{cfg}"
    );

    let list = json(&mut cli(h, &data, &["route", "list"]));
    assert_eq!(list["enabled"], true);
    assert_eq!(list["default_model"], "glm-5");
    assert_eq!(list["rules"][0]["id"], 0);
    assert_eq!(list["rules"][0]["provider"], "zhipuai");
    assert_eq!(list["rules"][1]["provider"], "deepseek");

    cli(h, &data, &["route", "remove", "--rule-id", "0"])
        .assert()
        .success();
    let routing = auto_routing(&data);
    assert_eq!(routing["rules"].as_array().unwrap().len(), 1);
    assert_eq!(
        routing["rules"][0]["model"], "deepseek-reasoner",
        "later rule moved up"
    );

    cli(h, &data, &["route", "disable"]).assert().success();
    assert_eq!(auto_routing(&data)["enable"], false);
    assert_eq!(auto_routing(&data)["rules"].as_array().unwrap().len(), 1);
    // Enabled again without naming the model: the kept one is used.
    cli(h, &data, &["route", "enable"])
        .assert()
        .success()
        .stderr(predicate::str::contains("unmatched messages go to glm-5"));
    assert_eq!(
        (
            auto_routing(&data)["enable"].clone(),
            auto_routing(&data)["defaultModel"].clone()
        ),
        (Value::Bool(true), Value::from("glm-5"))
    );
    cli(h, &data, &["route", "disable"]).assert().success();
    let router =
        std::fs::read_to_string(data.join("wasmplugins/model-router.internal.yaml")).unwrap();
    assert!(router.contains("modelToHeader: x-higress-llm-model"));
}

#[test]
fn bad_rules_are_refused_and_nothing_is_written() {
    let home = tempfile::tempdir().unwrap();
    let (h, data) = (home.path(), folder(home.path()));
    cli(
        h,
        &data,
        &["route", "add", "--model", "glm-5", "--trigger", "a"],
    )
    .assert()
    .success();
    let path = data.join("wasmplugins/model-router.internal.yaml");
    let before = std::fs::read(&path).unwrap();
    let cases: &[(&[&str], &str, i32)] = &[
        (
            &["route", "add", "--model", "glm-5", "--pattern", "(?P<x"],
            "invalid regular expression",
            2,
        ),
        (
            &["route", "add", "--model", "glm-5", "--pattern", "(a)\\1"],
            "backreferences are not supported",
            2,
        ),
        (
            &[
                "route",
                "add",
                "--model",
                "glm-5",
                "--pattern",
                "(?x) code \\s review",
            ],
            "flag `x` (RE2 knows only i, m, s and U)",
            2,
        ),
        (
            &["route", "add", "--model", "", "--trigger", "a"],
            "for '--model <MODEL>': is empty",
            2,
        ),
        (
            &["route", "add", "--model", "higress/auto", "--trigger", "a"],
            "cannot route to itself",
            2,
        ),
        (
            &["route", "add", "--model", "glm-5", "--trigger", "a||b"],
            "empty phrase",
            2,
        ),
        (&["route", "add", "--model", "glm-5"], "--trigger", 2),
        (
            &["route", "remove", "--rule-id", "3"],
            "the ids are 0 to 0",
            2,
        ),
        (&["route", "remove", "--rule-id", "x"], "invalid digit", 2),
        (&["route", "remove", "--rule-id", "-1"], "--rule-id", 2),
        (
            &["route", "enable", "--default-model", " "],
            "for '--default-model <MODEL>': is empty",
            2,
        ),
        (
            &["route", "enable"],
            "no default model to keep\n  hint: name one: higress-claw route enable --default-model MODEL",
            2,
        ),
    ];
    for (args, expected, code) in cases {
        cli(h, &data, args)
            .assert()
            .code(*code)
            .stderr(predicate::str::contains(*expected));
        assert_eq!(
            std::fs::read(&path).unwrap(),
            before,
            "{args:?} changed the router"
        );
    }
    cli(
        h,
        &data,
        &["route", "add", "--model", "gpt-4o", "--trigger", "b"],
    )
    .assert()
    .success()
    .stderr(predicate::str::contains(
        "no configured provider serves \"gpt-4o\"",
    ));
}

#[test]
fn route_test_explains_like_the_plugin() {
    let home = tempfile::tempdir().unwrap();
    let (h, data) = (home.path(), folder(home.path()));
    let off = json(&mut cli(h, &data, &["route", "test", "hi"]));
    assert_eq!(off["reason"], "disabled");
    cli(h, &data, &["route", "enable", "--default-model", "glm-5"])
        .assert()
        .success();
    cli(
        h,
        &data,
        &[
            "route",
            "add",
            "--model",
            "glm-4-flash",
            "--trigger",
            "quick",
        ],
    )
    .assert()
    .success();
    cli(
        h,
        &data,
        &[
            "route",
            "add",
            "--model",
            "deepseek-chat",
            "--pattern",
            "(?i)debug",
        ],
    )
    .assert()
    .success();
    cli(
        h,
        &data,
        &["route", "add", "--model", "kimi-k2", "--pattern", "debug"],
    )
    .assert()
    .success();

    let t = json(&mut cli(
        h,
        &data,
        &["route", "test", "QUICK: what is RE2?"],
    ));
    assert_eq!(
        (t["model"].as_str(), t["rule_id"].as_u64()),
        (Some("glm-4-flash"), Some(0))
    );
    assert_eq!(t["provider"]["provider"], "zhipuai");
    // MatchString is a search: a match in the middle counts; the first rule wins.
    let t = json(&mut cli(h, &data, &["route", "test", "please debug this"]));
    assert_eq!(
        (t["model"].as_str(), t["rule_id"].as_u64()),
        (Some("deepseek-chat"), Some(1))
    );
    assert_eq!(t["provider"]["match"]["type"], "prefix");
    // `quick` is anchored at the start.
    let t = json(&mut cli(h, &data, &["route", "test", "not quick"]));
    assert_eq!(
        (t["model"].as_str(), t["reason"].as_str()),
        (Some("glm-5"), Some("default"))
    );
    cli(h, &data, &["route", "test", "please debug this"])
        .assert()
        .success()
        .stdout(predicate::str::contains("deepseek-chat").and(predicate::str::contains("rule 1")));
}

#[test]
fn models_lists_and_resolves() {
    let home = tempfile::tempdir().unwrap();
    let (h, data) = (home.path(), folder(home.path()));
    let models = json(&mut cli(h, &data, &["models"]));
    let ids: Vec<&str> = models["providers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["deepseek", "zhipuai"]);
    let glm5 = models["providers"][1]["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "glm-5")
        .unwrap()
        .clone();
    assert_eq!(glm5["reasoning"], true);
    assert_eq!(glm5["input"], serde_json::json!(["text"]));
    assert_eq!(glm5["context_window"], 200_000);
    assert!(
        !serde_json::to_string(&models).unwrap().contains("zk-0001"),
        "keys masked"
    );
    let r = json(&mut cli(h, &data, &["models", "resolve", "GLM-4.6"]));
    assert_eq!(r["provider"], "zhipuai");
    assert_eq!(r["match"]["value"], "GLM-.*|glm-.*");
    cli(h, &data, &["models", "resolve", "claude-3"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no configured provider serves"));
}

/// Removing the provider auto-routing sends requests to is allowed, but said loudly, and
/// `doctor` fails on it until it is fixed.
#[test]
fn a_routing_target_without_provider_is_reported() {
    let home = tempfile::tempdir().unwrap();
    let (h, data) = (home.path(), folder(home.path()));
    cli(h, &data, &["route", "enable", "--default-model", "glm-5"])
        .assert()
        .success();
    cli(
        h,
        &data,
        &[
            "route",
            "add",
            "--model",
            "deepseek-reasoner",
            "--trigger",
            "think",
        ],
    )
    .assert()
    .success();
    on_folder(h, &data, &["config", "remove", "--provider", "zhipuai"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "a running gateway reloads it without a restart, a stopped one at its next start",
        ))
        .stderr(predicate::str::contains(
            "auto-routing sends unmatched messages (the default model) to \"glm-5\", which no configured provider serves now",
        ))
        .stderr(predicate::str::contains("rule 0").not());
    let out = on_folder(h, &data, &["doctor", "--json"])
        .env("DOCKER_HOST", "unix:///nonexistent.sock")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let routing: Vec<&Value> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["name"] == "auto-routing")
        .collect();
    assert_eq!(routing.len(), 1, "{report}");
    assert_eq!(routing[0]["verdict"], "fail");
    assert!(
        routing[0]["detail"].as_str().unwrap().contains("glm-5"),
        "{report}"
    );
}
