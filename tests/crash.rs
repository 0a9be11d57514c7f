//! A `kill -9` in the middle of edits leaves only files that parse, and never a
//! half-routed provider: an ingress (what makes a provider reachable) only ever points
//! at a provider whose ai-proxy entry, match rule and registry are all in place. Every
//! incomplete provider or interrupted edit it leaves is named by `doctor`, and
//! `repair` makes each provider whole or gone, all or nothing.
// Unix only (signals, sockets, ptys, the shell installer): tests/platform.rs says
// so where it is skipped.
#![cfg(unix)]

mod support;

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use higress_claw::yaml::Value;
use support::read_yaml;

fn check_invariants(data: &Path, round: usize) {
    let mut yaml_files = Vec::new();
    for dir in ["wasmplugins", "ingresses", "configmaps", "mcpbridges"] {
        for entry in std::fs::read_dir(data.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name.ends_with(".yaml") {
                assert!(
                    !name.starts_with('.'),
                    "round {round}: a temp file is named {name}"
                );
                yaml_files.push(path);
            }
        }
    }
    for path in &yaml_files {
        let text = std::fs::read_to_string(path).unwrap();
        higress_claw::yaml::from_str::<Value>(&text)
            .unwrap_or_else(|e| panic!("round {round}: {} does not parse: {e}", path.display()));
    }
    let proxy = read_yaml(&data.join("wasmplugins/ai-proxy.internal.yaml"));
    let bridge = read_yaml(&data.join("mcpbridges/default.yaml"));
    for entry in std::fs::read_dir(data.join("ingresses")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let Some(id) = name
            .strip_prefix("ai-route-")
            .and_then(|n| n.strip_suffix(".internal.yaml"))
        else {
            continue;
        };
        let has =
            |seq: &Value, f: &dyn Fn(&Value) -> bool| seq.as_sequence().unwrap().iter().any(f);
        assert!(
            has(&proxy["spec"]["defaultConfig"]["providers"], &|p| p["id"]
                .as_str()
                == Some(id)),
            "round {round}: ingress for {id} but no ai-proxy entry"
        );
        assert!(
            has(
                &proxy["spec"]["matchRules"],
                &|r| r["config"]["activeProviderId"].as_str() == Some(id)
            ),
            "round {round}: ingress for {id} but no match rule"
        );
        let registry = format!("llm-{id}.internal");
        assert!(
            has(&bridge["spec"]["registries"], &|r| r["name"].as_str()
                == Some(&registry)),
            "round {round}: ingress for {id} but no registry"
        );
    }
}

/// Each provider id with the resources it has: entry, rule, registry, ingress, ConfigMap.
fn parts(data: &Path) -> std::collections::BTreeMap<String, [bool; 5]> {
    let proxy = read_yaml(&data.join("wasmplugins/ai-proxy.internal.yaml"));
    let bridge = read_yaml(&data.join("mcpbridges/default.yaml"));
    let names = |v: &Value, f: &dyn Fn(&Value) -> Option<String>| -> Vec<String> {
        v.as_sequence()
            .map(|s| s.iter().filter_map(f).collect())
            .unwrap_or_default()
    };
    let entries = names(&proxy["spec"]["defaultConfig"]["providers"], &|p| {
        p["id"].as_str().map(String::from)
    });
    let rules = names(&proxy["spec"]["matchRules"], &|r| {
        r["config"]["activeProviderId"].as_str().map(String::from)
    });
    let registries = names(&bridge["spec"]["registries"], &|r| {
        r["name"]
            .as_str()?
            .strip_prefix("llm-")?
            .strip_suffix(".internal")
            .map(String::from)
    });
    let files = |dir: &str, suffix: &str| -> Vec<String> {
        std::fs::read_dir(data.join(dir))
            .unwrap()
            .filter_map(|e| {
                let name = e.unwrap().file_name().to_string_lossy().into_owned();
                let id = name.strip_prefix("ai-route-")?.strip_suffix(suffix)?;
                (!id.contains('.')).then(|| id.to_string())
            })
            .collect()
    };
    let ingresses = files("ingresses", ".internal.yaml");
    let configmaps = files("configmaps", ".yaml");
    let mut out = std::collections::BTreeMap::new();
    for id in entries
        .iter()
        .chain(&rules)
        .chain(&registries)
        .chain(&ingresses)
        .chain(&configmaps)
    {
        out.insert(
            id.clone(),
            [
                entries.contains(id),
                rules.contains(id),
                registries.contains(id),
                ingresses.contains(id),
                configmaps.contains(id),
            ],
        );
    }
    out
}

/// doctor names every incomplete provider (or the interrupted edit that will finish it),
/// and repair leaves each provider complete or absent.
fn doctor_names_it_and_repair_makes_it_whole(home: &Path, data: &Path, round: usize) -> bool {
    let incomplete: Vec<String> = parts(data)
        .into_iter()
        .filter(|(_, p)| !p.iter().all(|x| *x))
        .map(|(id, _)| id)
        .collect();
    let journal = data.join(".higress-claw.journal").exists();
    if incomplete.is_empty() && !journal {
        return false;
    }
    let out = support::bin(home)
        .args(["doctor", "--json", "--data-dir"])
        .arg(data)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let details: Vec<String> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["name"] == "configuration" && c["verdict"] == "fail")
        .map(|c| c["detail"].as_str().unwrap().to_string())
        .collect();
    for id in &incomplete {
        let named = details
            .iter()
            .any(|d| d.starts_with(&format!("{id} is incomplete")));
        assert!(
            named || (journal && details.iter().any(|d| d.contains("an edit was cut off"))),
            "round {round}: {id} is incomplete and doctor does not say so: {details:?}"
        );
    }
    support::bin(home)
        .args(["repair", "-q", "--data-dir"])
        .arg(data)
        .assert()
        .success();
    for (id, p) in parts(data) {
        assert!(
            p.iter().all(|x| *x),
            "round {round}: after repair {id} has only some resources: {p:?}"
        );
    }
    assert!(!data.join(".higress-claw.journal").exists());
    true
}

#[test]
fn kill_9_during_edits_leaves_a_consistent_folder() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    support::bin(home.path())
        .args(["init", "-q", "--deepseek-key", "sk-0", "--data-dir"])
        .arg(&data)
        .assert()
        .success();
    let exe = assert_cmd::cargo::cargo_bin("higress-claw");
    let providers = ["openai", "kimi", "qwen", "gemini", "grok"];
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut killed = 0;
    let mut repaired = 0;
    for round in 0..80 {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let provider = providers[(seed >> 33) as usize % providers.len()];
        let remove = (seed >> 40).is_multiple_of(3);
        let mut cmd = std::process::Command::new(&exe);
        cmd.env("HOME", home.path())
            .env("NO_COLOR", "1")
            .arg("config");
        if remove {
            cmd.args(["remove", "--provider", provider]);
        } else {
            cmd.args([
                "add",
                "--provider",
                provider,
                "--key",
                &format!("sk-{round}"),
            ]);
        }
        let mut child = cmd
            .arg("--data-dir")
            .arg(&data)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros((seed >> 20) % 30_000));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL
            killed += 1;
        }
        child.wait().unwrap();
        check_invariants(&data, round);
        if doctor_names_it_and_repair_makes_it_whole(home.path(), &data, round) {
            repaired += 1;
        }
    }
    eprintln!("{killed} of 80 edits were killed mid-way; {repaired} left something to repair");
    // The next writer sweeps what the killed ones left.
    support::bin(home.path())
        .args([
            "config",
            "add",
            "--provider",
            "openai",
            "--key",
            "sk-final",
            "--data-dir",
        ])
        .arg(&data)
        .assert()
        .success();
    for dir in ["wasmplugins", "ingresses", "configmaps", "mcpbridges"] {
        for entry in std::fs::read_dir(data.join(dir)).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            assert!(!name.contains(".tmp-"), "stale temp file {dir}/{name}");
        }
    }
    assert!(
        killed > 5,
        "too few kills landed mid-edit ({killed}); the test proves nothing"
    );
}
