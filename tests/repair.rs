//! What an edit cut off (or a hand edit) leaves behind: named by `doctor` and
//! `config list`, refused by edits and export, and put right by `repair`, which makes
//! each provider whole or gone and leaves damaged files alone.

mod support;

use std::path::Path;

use predicates::prelude::*;
use serde_json::Value;
use support::on_folder;

fn folder(home: &Path) -> std::path::PathBuf {
    support::init_folder(
        home,
        &[
            "--deepseek-key",
            "sk-deep-0001",
            "--openai-key",
            "sk-open-0002",
            "--moonshot-key",
            "sk-moon-0003",
        ],
    )
}

/// What doctor finds wrong with the configuration (the engine is not part of this).
fn doctor_details(home: &Path, data: &Path) -> Vec<String> {
    let out = on_folder(home, data, &["doctor", "--json"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["name"] == "configuration" && c["verdict"] == "fail")
        .map(|c| c["detail"].as_str().unwrap().to_string())
        .collect()
}

fn remove_from(path: &Path, needle: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut doc: serde_norway::Value = serde_norway::from_str(&text).unwrap();
    let seq = match needle {
        "rule:openai" => &mut doc["spec"]["matchRules"],
        "registry:openai" => &mut doc["spec"]["registries"],
        _ => unreachable!(),
    };
    let seq = seq.as_sequence_mut().unwrap();
    seq.retain(|item| {
        item["config"]["activeProviderId"].as_str() != Some("openai")
            && item["name"].as_str() != Some("llm-openai.internal")
    });
    std::fs::write(path, serde_norway::to_string(&doc).unwrap()).unwrap();
}

#[test]
fn incomplete_providers_are_named_refused_and_repaired_all_or_nothing() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let data = folder(h);
    // openai lost its registry and match rule (it keeps entry and ingress: finishable);
    // deepseek lost its ingress (nothing says its models: removed); a stray console
    // ConfigMap for kimi's id stands alone (removed).
    remove_from(
        &data.join("wasmplugins/ai-proxy.internal.yaml"),
        "rule:openai",
    );
    remove_from(&data.join("mcpbridges/default.yaml"), "registry:openai");
    std::fs::remove_file(data.join("ingresses/ai-route-deepseek.internal.yaml")).unwrap();
    std::fs::copy(
        data.join("configmaps/ai-route-moonshot.yaml"),
        data.join("configmaps/ai-route-grok.yaml"),
    )
    .unwrap();

    let details = doctor_details(h, &data);
    for expected in [
        "openai is incomplete: it has its ai-proxy entry, ingress, console ConfigMap but no match rule, registry",
        "deepseek is incomplete: it has its ai-proxy entry, match rule, registry, console ConfigMap but no ingress",
        "grok is incomplete: it has its console ConfigMap but no ai-proxy entry",
    ] {
        assert!(
            details.iter().any(|d| d.starts_with(expected)),
            "doctor does not say {expected:?}: {details:?}"
        );
    }
    on_folder(h, &data, &["config", "list"])
        .assert()
        .success()
        .stderr(predicate::str::contains("deepseek is incomplete"))
        .stderr(predicate::str::contains("`higress-claw repair`"));

    // Edits and export refuse to build on it, and say what fixes it.
    let before = support::snapshot(&data);
    on_folder(
        h,
        &data,
        &["config", "add", "--provider", "grok", "--key", "k"],
    )
    .assert()
    .code(1)
    .stderr(predicate::str::contains("is incomplete"))
    .stderr(predicate::str::contains(
        "hint: higress-claw repair --data-dir",
    ));
    on_folder(h, &data, &["export"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("is incomplete"));
    assert_eq!(support::snapshot(&data), before, "a refused command wrote");

    let out = on_folder(h, &data, &["repair", "--json"]).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids = |key: &str| -> Vec<String> {
        report[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["provider"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids("finished"), ["openai"], "{report}");
    assert_eq!(ids("removed"), ["deepseek", "grok"], "{report}");
    let left = doctor_details(h, &data);
    assert!(left.is_empty(), "still wrong after repair: {left:?}");
    let list = support::run_json(h, &data, &["config", "list"]);
    let listed: Vec<&str> = list["providers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(listed, ["moonshot", "openai"]);
    // Repairing a sound folder changes nothing.
    let before = support::snapshot(&data);
    on_folder(h, &data, &["repair"])
        .assert()
        .success()
        .stderr(predicate::str::contains("Nothing to repair"));
    assert_eq!(support::snapshot(&data), before);
}

/// A file cut short that still parses (the adversarial pass cut ai-proxy at 500
/// bytes): nothing builds on it, every command says which file and line, and repair
/// does not guess.
#[test]
fn a_file_cut_short_is_refused_with_its_line_and_the_repair() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let data = folder(h);
    let path = data.join("wasmplugins/ai-proxy.internal.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let cut: String = text.lines().take(12).collect::<Vec<_>>().join("\n") + "\n";
    higress_claw::yaml::from_str::<higress_claw::yaml::Value>(&cut).expect("still parses");
    std::fs::write(&path, &cut).unwrap();
    let before = support::snapshot(&data);
    for args in [
        &["config", "add", "--provider", "grok", "--key", "k"][..],
        &["config", "remove", "--provider", "openai"],
        &["route", "enable", "--default-model", "deepseek-chat"],
        &["tidy"],
        &["export"],
    ] {
        on_folder(h, &data, args)
            .assert()
            .code(1)
            .stderr(predicate::str::contains(
                "wasmplugins/ai-proxy.internal.yaml:",
            ))
            .stderr(predicate::str::contains("damaged"))
            .stderr(predicate::str::contains("init --force"));
    }
    on_folder(h, &data, &["repair"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("repair does not guess"));
    assert_eq!(
        support::snapshot(&data),
        before,
        "something wrote on a damaged folder"
    );
    assert!(
        doctor_details(h, &data)
            .iter()
            .any(|d| d.starts_with("wasmplugins/ai-proxy.internal.yaml:")),
        "doctor does not name the damage"
    );
    // init --force is the rewrite that repairs it.
    on_folder(
        h,
        &data,
        &["init", "-q", "--force", "--deepseek-key", "sk-new-0004"],
    )
    .assert()
    .success();
    assert!(doctor_details(h, &data).is_empty());
}

/// An edit whose journal was written whole but whose files were not all written yet:
/// doctor says so, and repair (or the next edit) finishes it.
#[test]
fn an_edit_cut_off_after_its_journal_is_finished() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let data = folder(h);
    let ingress = data.join("ingresses/ai-route-openai.internal.yaml");
    let text = std::fs::read_to_string(&ingress).unwrap();
    std::fs::remove_file(&ingress).unwrap();
    let journal = serde_json::json!({"changes": [
        {"op": "write", "path": "ingresses/ai-route-openai.internal.yaml", "text": text},
    ]});
    std::fs::write(data.join(".higress-claw.journal"), journal.to_string()).unwrap();
    assert!(doctor_details(h, &data).iter().any(|d| d.contains(
        "an edit was cut off before it wrote all of ingresses/ai-route-openai.internal.yaml"
    )),);
    let report = support::run_json(h, &data, &["repair"]);
    assert_eq!(
        report["recovered"],
        serde_json::json!(["ingresses/ai-route-openai.internal.yaml"])
    );
    assert_eq!(std::fs::read_to_string(&ingress).unwrap(), text);
    assert!(!data.join(".higress-claw.journal").exists());
}

/// An edit that writes the model-router notes its bytes as checked, so the next edit
/// need not parse its rules again; the note vouches for those bytes only. A router cut
/// short after it is refused like any damaged file, and doctor checks it in full
/// whatever a note says.
#[test]
fn a_router_cut_short_after_an_edit_noted_it_is_refused_all_the_same() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let data = folder(h);
    for args in [
        &["route", "enable", "--default-model", "deepseek-chat"][..],
        &[
            "route",
            "add",
            "--model",
            "gpt-4o",
            "--trigger",
            "code|review",
        ],
    ] {
        on_folder(h, &data, args).assert().success();
    }
    let lock = data.join(".higress-claw.lock");
    let path = data.join("wasmplugins/model-router.internal.yaml");
    let whole = std::fs::read_to_string(&path).unwrap();
    let noted = higress_claw::gateway::verified::note_for(&whole);
    assert_eq!(std::fs::read_to_string(&lock).unwrap(), noted);
    let add = [
        "config",
        "add",
        "--provider",
        "deepseek",
        "--key",
        "sk-deep-0005",
    ];
    on_folder(h, &data, &add).assert().success();

    // Cut where the rules end: it still parses, but url, phase, priority are gone.
    let cut = &whole[..whole.find("\n  failStrategy:").unwrap() + 1];
    higress_claw::yaml::from_str::<higress_claw::yaml::Value>(cut).expect("still parses");
    std::fs::write(&path, cut).unwrap();
    let before = support::snapshot(&data);
    for args in [
        &add[..],
        &["route", "add", "--model", "gpt-4o", "--trigger", "tests"],
        &["export"],
    ] {
        on_folder(h, &data, args)
            .assert()
            .code(1)
            .stderr(predicate::str::contains(
                "wasmplugins/model-router.internal.yaml:",
            ))
            .stderr(predicate::str::contains("looks cut short"));
    }
    assert_eq!(support::snapshot(&data), before, "an edit built on it");
    // A note that names the cut bytes (only a hand could write one) does not hide
    // them from doctor.
    std::fs::write(&lock, higress_claw::gateway::verified::note_for(cut)).unwrap();
    assert!(
        doctor_details(h, &data)
            .iter()
            .any(|d| d.starts_with("wasmplugins/model-router.internal.yaml:")),
        "doctor trusted the note"
    );

    // Put back, the router is checked in full once and noted again.
    std::fs::write(&path, &whole).unwrap();
    on_folder(h, &data, &add).assert().success();
    assert_eq!(std::fs::read_to_string(&lock).unwrap(), noted);
}
