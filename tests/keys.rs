//! `keys add|list|remove` through the real binary: what lands in the data folder
//! (the key-auth consumers, one rule per AI route, the console's `authConfig`), the key
//! shown once and masked afterwards, bad input refused with the folder unchanged, and
//! the key reaching `claude-code env`, `openclaw setup` and `export`.

mod support;

use std::path::Path;

use serde_json::Value;
use support::{assert_documented, init_folder, on_folder, read_yaml, run_json, snapshot};

const DEEPSEEK: &str = "sk-deepseek-0123456789abcdef";
const ZHIPU: &str = "zk-zhipu-0123456789abcdef";

fn folder(home: &Path) -> std::path::PathBuf {
    init_folder(home, &["--deepseek-key", DEEPSEEK, "--zhipuai-key", ZHIPU])
}

/// The key-auth plugin file as YAML.
fn key_auth(data: &Path) -> higress_claw::yaml::Value {
    read_yaml(&data.join("wasmplugins/key-auth.internal.yaml"))
}

/// `(route, allowed consumers)` of each match rule.
fn rules(data: &Path) -> Vec<(String, Vec<String>)> {
    let doc = key_auth(data);
    let strings = |v: &higress_claw::yaml::Value| -> Vec<String> {
        v.as_sequence()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect()
    };
    doc["spec"]["matchRules"]
        .as_sequence()
        .map(|rules| {
            rules
                .iter()
                .map(|r| {
                    let ingress = strings(&r["ingress"]);
                    assert_eq!(ingress.len(), 1);
                    assert_eq!(r["configDisable"].as_bool(), Some(false));
                    (ingress[0].clone(), strings(&r["config"]["allow"]))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The console's `authConfig` of provider `id`'s route, if any.
fn auth_config(data: &Path, id: &str) -> Option<Value> {
    let cm = read_yaml(&data.join(format!("configmaps/ai-route-{id}.yaml")));
    let json: Value = serde_json::from_str(cm["data"]["data"].as_str().unwrap()).unwrap();
    json.get("authConfig").cloned()
}

fn add_key(home: &Path, data: &Path, name: &str) -> String {
    let report = run_json(home, data, &["keys", "add", name]);
    assert_documented("keys add", &report);
    report["key"].as_str().unwrap().to_string()
}

#[test]
fn keys_protect_every_ai_route_the_way_the_console_does() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let data = folder(h);
    assert!(!data.join("wasmplugins/key-auth.internal.yaml").exists());

    let laptop = add_key(h, &data, "laptop");
    assert!(laptop.starts_with("hc-") && laptop.len() == 35, "{laptop}");
    assert!(laptop[3..].chars().all(|c| c.is_ascii_alphanumeric()));
    let doc = key_auth(&data);
    assert_eq!(doc["kind"].as_str(), Some("WasmPlugin"));
    assert_eq!(doc["metadata"]["name"].as_str(), Some("key-auth.internal"));
    let spec = &doc["spec"];
    assert_eq!(spec["phase"].as_str(), Some("AUTHN"));
    assert_eq!(spec["priority"].as_u64(), Some(310));
    assert_eq!(spec["defaultConfigDisable"].as_bool(), Some(false));
    assert!(
        spec["url"]
            .as_str()
            .unwrap()
            .ends_with("/key-auth/1.0.0/plugin.wasm")
    );
    let config = &spec["defaultConfig"];
    assert_eq!(config["global_auth"].as_bool(), Some(false));
    assert_eq!(config["in_header"].as_bool(), Some(true));
    assert_eq!(config["keys"][0].as_str(), Some("Authorization"));
    assert_eq!(config["consumers"][0]["name"].as_str(), Some("laptop"));
    assert_eq!(
        config["consumers"][0]["credential"].as_str(),
        Some(format!("Bearer {laptop}").as_str())
    );
    let one = vec!["laptop".to_string()];
    assert_eq!(
        rules(&data),
        vec![
            ("ai-route-deepseek.internal".to_string(), one.clone()),
            ("ai-route-zhipuai.internal".to_string(), one.clone()),
        ]
    );
    for id in ["deepseek", "zhipuai"] {
        assert_eq!(
            auth_config(&data, id).unwrap(),
            serde_json::json!({"enabled": true, "allowedCredentialTypes": ["key-auth"], "allowedConsumers": ["laptop"]})
        );
    }

    // A second key, and a provider added afterwards: every route allows both.
    let ci = add_key(h, &data, "ci");
    assert_ne!(ci, laptop);
    on_folder(
        h,
        &data,
        &[
            "config",
            "add",
            "--provider",
            "openai",
            "--key",
            "sk-openai-0123456789",
        ],
    )
    .assert()
    .success();
    let both = vec!["laptop".to_string(), "ci".to_string()];
    let routes = rules(&data);
    assert_eq!(routes.len(), 3, "{routes:?}");
    assert!(routes.iter().all(|(_, allow)| *allow == both), "{routes:?}");
    assert!(routes.iter().any(|(r, _)| r == "ai-route-openai.internal"));
    assert_eq!(
        auth_config(&data, "openai").unwrap()["allowedConsumers"],
        serde_json::json!(["laptop", "ci"])
    );
    // A removed provider takes its rule along.
    on_folder(h, &data, &["config", "remove", "--provider", "openai"])
        .assert()
        .success();
    assert_eq!(rules(&data).len(), 2);

    // The folder stays sound.
    let doctor = run_json(h, &data, &["doctor"]);
    let folder_check = doctor["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "data-folder")
        .unwrap();
    assert_eq!(folder_check["verdict"], "ok", "{folder_check}");
    on_folder(h, &data, &["repair"]).assert().success();

    // Removing keys: the others stay; after the last one no route asks for a key.
    let removed = run_json(h, &data, &["keys", "remove", "laptop"]);
    assert_documented("keys remove", &removed);
    assert_eq!(removed["enabled"], true);
    assert!(rules(&data).iter().all(|(_, allow)| *allow == ["ci"]));
    let removed = run_json(h, &data, &["keys", "remove", "ci"]);
    assert_eq!(removed["enabled"], false);
    assert!(rules(&data).is_empty());
    assert_eq!(
        key_auth(&data)["spec"]["defaultConfigDisable"].as_bool(),
        Some(true)
    );
    assert!(auth_config(&data, "deepseek").is_none());
    let list = run_json(h, &data, &["keys", "list"]);
    assert_eq!(list["enabled"], false);
    assert_eq!(list["keys"], serde_json::json!([]));
}

#[test]
fn a_key_is_shown_once_and_masked_afterwards() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let data = folder(h);
    let out = on_folder(h, &data, &["keys", "add", "laptop"])
        .assert()
        .success()
        .get_output()
        .clone();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let key = stdout.trim().to_string();
    assert!(
        key.starts_with("hc-"),
        "stdout is the key alone: {stdout:?}"
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains(&key));

    let masked = higress_claw::secret::mask(&key);
    let list = on_folder(h, &data, &["keys", "list"]).assert().success();
    let text = String::from_utf8_lossy(&list.get_output().stdout).into_owned();
    assert!(text.contains("laptop") && text.contains(&masked), "{text}");
    let list = run_json(h, &data, &["keys", "list"]);
    assert_documented("keys list", &list);
    assert_eq!(
        list["keys"],
        serde_json::json!([{"name": "laptop", "key": masked}])
    );
    for args in [
        &["keys", "list"][..],
        &["config", "list"],
        &["doctor"],
        &["export", "--redact-keys"],
    ] {
        for json in [false, true] {
            let mut cmd = on_folder(h, &data, args);
            if json {
                cmd.arg("--json");
            }
            let out = cmd
                .env("DOCKER_HOST", "unix:///nonexistent")
                .output()
                .unwrap();
            let all = [out.stdout, out.stderr].concat();
            assert!(
                !String::from_utf8_lossy(&all).contains(&key),
                "{args:?} (json: {json}) shows the key"
            );
        }
    }
    // A second add of the same name is refused, and says nothing of the key.
    let before = snapshot(&data);
    let out = on_folder(h, &data, &["keys", "add", "laptop"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("exists already"), "{stderr}");
    assert!(!stderr.contains(&key));
    assert_eq!(snapshot(&data), before);
}

#[test]
fn bad_names_and_keys_are_refused_with_the_folder_unchanged() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let data = folder(h);
    add_key(h, &data, "laptop");
    let before = snapshot(&data);
    let long = "a".repeat(64);
    for name in ["", "a.b", "-x", "has space", "ünï", "x/y", long.as_str()] {
        let out = on_folder(h, &data, &["keys", "add", name])
            .assert()
            .code(2)
            .get_output()
            .clone();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("NAME"), "{name:?}: {stderr}");
        assert_eq!(snapshot(&data), before, "{name:?} changed the folder");
    }
    let stdin_key = |key: &str, code: i32| {
        let out = on_folder(h, &data, &["keys", "add", "shared", "--key", "-"])
            .write_stdin(key.to_string())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(code), "{key:?}");
        String::from_utf8_lossy(&[out.stdout, out.stderr].concat()).into_owned()
    };
    for bad in [
        "short-key",
        "a key with blanks in it",
        "tab\tinside-a-long-key",
    ] {
        let said = stdin_key(bad, 2);
        assert!(said.contains("not usable"), "{said}");
        assert!(!said.contains(bad), "the refused key is echoed: {said}");
        assert_eq!(snapshot(&data), before);
    }
    // The same key under another name would make two consumers one.
    let existing = key_auth(&data)["spec"]["defaultConfig"]["consumers"][0]["credential"]
        .as_str()
        .unwrap()
        .trim_start_matches("Bearer ")
        .to_string();
    let said = stdin_key(&existing, 2);
    assert!(said.contains("already the client key laptop"), "{said}");
    assert_eq!(snapshot(&data), before);
    on_folder(h, &data, &["keys", "remove", "nobody"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no client key is named nobody"));
    assert_eq!(snapshot(&data), before);
    // A key of one's own, from stdin.
    stdin_key("my-own-key-0123456789\n", 0);
    let consumers = &key_auth(&data)["spec"]["defaultConfig"]["consumers"];
    assert_eq!(
        consumers[1]["credential"].as_str(),
        Some("Bearer my-own-key-0123456789")
    );
}

#[test]
fn export_carries_the_keys_and_redacts_them_on_request() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let data = folder(h);
    let key = add_key(h, &data, "laptop");
    let plain = on_folder(h, &data, &["export"]).output().unwrap();
    let yaml = String::from_utf8(plain.stdout).unwrap();
    let docs: Vec<higress_claw::yaml::Value> = yaml
        .split("---\n")
        .filter(|d| !d.trim().is_empty())
        .map(|d| higress_claw::yaml::from_str(d).unwrap())
        .collect();
    let auth = docs
        .iter()
        .find(|d| d["metadata"]["name"].as_str() == Some("key-auth.internal"))
        .expect("export has the key-auth plugin");
    assert!(auth["spec"]["url"].as_str().unwrap().starts_with("oci://"));
    assert_eq!(
        auth["spec"]["defaultConfig"]["consumers"][0]["credential"].as_str(),
        Some(format!("Bearer {key}").as_str())
    );
    assert_eq!(auth["spec"]["matchRules"].as_sequence().unwrap().len(), 2);
    let report = run_json(h, &data, &["export", "--redact-keys"]);
    let yaml = report["yaml"].as_str().unwrap();
    assert!(!yaml.contains(&key));
    assert!(
        report["placeholders"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["fill_with"] == "the client key laptop"),
        "{report}"
    );
}

#[test]
fn openclaw_setup_sends_the_client_key() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let data = folder(h);
    let setup = |extra: &[&str]| {
        let mut args = vec!["openclaw", "setup", "--dry-run"];
        args.extend_from_slice(extra);
        let out = on_folder(h, &data, &args)
            .arg("--json")
            .env("DOCKER_HOST", "unix:///nonexistent")
            .output()
            .unwrap();
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        (out.status.code(), report)
    };
    let (_, report) = setup(&[]);
    assert!(
        report["patch"]["models"]["providers"]["higress"]
            .get("apiKey")
            .is_none()
            || report["patch"]["models"]["providers"]["higress"]["apiKey"].is_null(),
        "{report}"
    );
    let laptop = add_key(h, &data, "laptop");
    let ci = add_key(h, &data, "ci");
    let (_, report) = setup(&[]);
    let shown = report["patch"]["models"]["providers"]["higress"]["apiKey"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(shown, higress_claw::secret::mask(&laptop), "{report}");
    let (_, report) = setup(&["--client-key", "ci"]);
    assert_eq!(
        report["patch"]["models"]["providers"]["higress"]["apiKey"],
        higress_claw::secret::mask(&ci)
    );
    let (code, report) = setup(&["--client-key", "nobody"]);
    assert_eq!(code, Some(2), "{report}");
}
