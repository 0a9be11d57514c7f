//! Adopting a get-ai-gateway.sh deployment: its folder (the template-written trees in
//! `../shared/golden`, with their `default.cfg` lines) works with every command, its
//! placeholder providers are not shown as configured, and `tidy` removes them.
//! Also `doctor`'s findings on such folders.

mod support;

use std::path::{Path, PathBuf};

use predicates::prelude::*;
use serde_json::Value;
use support::run_json;
use support::{bin, shared_dir};

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
            // The golden files are read-only; a deployment's are not.
            let mut perms = std::fs::metadata(&target).unwrap().permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            perms.set_readonly(false);
            std::fs::set_permissions(&target, perms).unwrap();
        }
    }
}

struct Case {
    name: String,
    providers: Vec<String>,
    data: PathBuf,
}

/// Every golden case laid out as get-ai-gateway.sh leaves it: the tree plus default.cfg.
fn upstream_folders(home: &Path) -> Option<Vec<Case>> {
    let Some(golden) = shared_dir("golden") else {
        support::skip(
            "golden",
            "adoption of get-ai-gateway.sh folders",
            "../shared/golden (the upstream template's trees) is not beside the checkout",
            "lay the project's shared/ folder beside the checkout",
        );
        return None;
    };
    let cases: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(golden.join("cases.json")).unwrap()).unwrap();
    Some(
        cases
            .iter()
            .map(|case| {
                let name = case["name"].as_str().unwrap().to_string();
                let data = home.join(&name).join("higress");
                copy_tree(&golden.join(&name).join("data"), &data);
                let inputs = std::fs::read_to_string(golden.join(&name).join("inputs.env")).unwrap();
                let cfg = format!(
                    "MODE=full\nCONFIG_TEMPLATE=ai-gateway\nGATEWAY_HTTP_PORT=18080\nGATEWAY_HTTPS_PORT=18443\nCONSOLE_PORT=18001\nPLUGIN_REGISTRY=higress-registry.us-west-1.cr.aliyuncs.com\n\n{inputs}\nENABLE_AUTO_ROUTING=true\nAUTO_ROUTING_DEFAULT_MODEL=qwen-turbo\n"
                );
                std::fs::write(data.join("default.cfg"), cfg).unwrap();
                let providers = case["providers"].as_array().unwrap().iter().map(|p| p.as_str().unwrap().to_string()).collect();
                Case { name, providers, data }
            })
            .collect(),
    )
}

fn ids(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn commands_work_on_a_get_ai_gateway_folder() {
    let home = tempfile::tempdir().unwrap();
    let Some(cases) = upstream_folders(home.path()) else {
        return;
    };
    for case in cases {
        let (h, data) = (home.path(), case.data.as_path());
        let ctx = &case.name;
        // Placeholders are not shown as configured providers.
        let list = run_json(h, data, &["config", "list"]);
        assert_eq!(
            ids(&list["providers"]),
            case.providers,
            "{ctx}: config list"
        );
        let out = String::from_utf8(
            bin(h)
                .args(["config", "list", "--data-dir"])
                .arg(data)
                .output()
                .unwrap()
                .stdout,
        )
        .unwrap();
        assert!(!out.contains("YOUR_"), "{ctx}: {out}");

        // doctor names them, with the fix.
        let doctor = run_json(h, data, &["doctor"]);
        let placeholder_warnings = doctor["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["detail"].as_str().unwrap().contains("placeholder"))
            .count();
        assert!(placeholder_warnings >= 10, "{ctx}: {doctor}");

        // init refuses to overwrite it; the deployment settings come from default.cfg.
        bin(h)
            .args(["init", "--deepseek-key", "k", "--data-dir"])
            .arg(data)
            .assert()
            .code(2);
        let routes = run_json(h, data, &["route", "list"]);
        assert_eq!(routes["rules"].as_array().unwrap().len(), 0, "{ctx}");

        // tidy removes every placeholder and all their resources.
        let tidy = run_json(h, data, &["tidy"]);
        let removed = tidy["removed"].as_array().unwrap().len();
        assert!(removed >= 13, "{ctx}: removed {removed}");
        let proxy = support::read_yaml(&data.join("wasmplugins/ai-proxy.internal.yaml"));
        let left: Vec<String> = proxy["spec"]["defaultConfig"]["providers"]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(left, case.providers, "{ctx}: providers after tidy");
        for dir in ["wasmplugins", "ingresses", "configmaps", "mcpbridges"] {
            for entry in std::fs::read_dir(data.join(dir)).unwrap() {
                let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
                assert!(!text.contains("YOUR_"), "{ctx}: placeholder left in {dir}");
            }
        }
        let doctor = run_json(h, data, &["doctor"]);
        let config_checks: Vec<&Value> = doctor["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["name"] == "configuration")
            .collect();
        // A catch-all provider (upstream's OPENROUTER_MODELS=*) claims every other
        // provider's models too: doctor names each such pair; otherwise all is well.
        let catch_all = case.providers.iter().any(|p| p == "openrouter");
        if catch_all {
            assert!(config_checks.len() >= 2, "{ctx}: {config_checks:?}");
            for check in &config_checks {
                assert_eq!(check["verdict"], "fail", "{ctx}");
                let detail = check["detail"].as_str().unwrap();
                assert!(
                    detail.contains("openrouter") && detail.contains("both claim models such as"),
                    "{ctx}: {detail}"
                );
            }
        } else {
            assert_eq!(config_checks.len(), 1, "{ctx}: {config_checks:?}");
            assert_eq!(config_checks[0]["verdict"], "ok", "{ctx}");
        }

        // Edits keep get-ai-gateway.sh's default.cfg lines.
        let add_deepseek = || {
            let mut cmd = bin(h);
            cmd.args([
                "config",
                "add",
                "--provider",
                "deepseek",
                "--key",
                "sk-new",
                "--models",
                "deepseek-chat",
                "--data-dir",
            ])
            .arg(data);
            cmd
        };
        if catch_all {
            // deepseek-chat is one of the catch-all's models: refused, with the way out.
            add_deepseek()
                .assert()
                .code(2)
                .stderr(predicate::str::contains(
                    "OpenRouter and DeepSeek both claim \"deepseek-chat\"",
                ));
            bin(h)
                .args(["config", "add", "--provider", "openrouter"])
                .args(["--models", "openrouter/*", "--data-dir"])
                .arg(data)
                .assert()
                .success();
        }
        add_deepseek().assert().success();
        bin(h)
            .args([
                "route",
                "enable",
                "--default-model",
                "deepseek-chat",
                "--data-dir",
            ])
            .arg(data)
            .assert()
            .success();
        let cfg = std::fs::read_to_string(data.join("default.cfg")).unwrap();
        assert!(
            cfg.contains("GATEWAY_HTTP_PORT=18080")
                && cfg.contains("AUTO_ROUTING_DEFAULT_MODEL=deepseek-chat"),
            "{ctx}: {cfg}"
        );
        assert!(
            cfg.lines()
                .any(|l| l.ends_with("_API_KEY=") || l.contains("_API_KEY=sk-")),
            "{ctx}: upstream lines kept: {cfg}"
        );
        let models = run_json(h, data, &["models"]);
        assert!(
            ids(&models["providers"]).contains(&"deepseek".to_string()),
            "{ctx}"
        );
    }
}

#[test]
fn doctor_fails_on_a_broken_folder_and_says_why() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    bin(home.path())
        .args([
            "init",
            "-q",
            "--deepseek-key",
            "k",
            "--openai-key",
            "o",
            "--data-dir",
        ])
        .arg(&data)
        .assert()
        .success();
    // Two providers claiming the same models.
    let ingress = data.join("ingresses/ai-route-openai.internal.yaml");
    let text = std::fs::read_to_string(&ingress).unwrap();
    let text = text.replace(
        "regex-match-header-x-higress-llm-model: gpt-.*|o1-.*|o3-.*",
        "prefix-match-header-x-higress-llm-model: deepseek-",
    );
    std::fs::write(&ingress, text).unwrap();
    bin(home.path())
        .args(["doctor", "--data-dir"])
        .arg(&data)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "deepseek and openai both claim models such as \"deepseek-\"",
        ));
    // A file that does not parse is named with its line.
    std::fs::write(
        data.join("wasmplugins/model-router.internal.yaml"),
        "spec:\n  a: [\n",
    )
    .unwrap();
    bin(home.path())
        .args(["doctor", "--data-dir"])
        .arg(&data)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "wasmplugins/model-router.internal.yaml:",
        ))
        .stderr(predicate::str::contains("check(s) failed"));
}

#[test]
fn doctor_reports_a_missing_engine_and_busy_ports() {
    let home = tempfile::tempdir().unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let data = home.path().join("data");
    bin(home.path())
        .args([
            "init",
            "-q",
            "--deepseek-key",
            "k",
            "--console-port",
            &port,
            "--data-dir",
        ])
        .arg(&data)
        .assert()
        .success();
    let out = bin(home.path())
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        .args(["doctor", "--json", "--data-dir"])
        .arg(&data)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let report: Value = serde_json::from_slice(&out).unwrap();
    let find = |name: &str| {
        report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(find("docker")["verdict"], "fail");
    assert!(
        find("docker")["detail"]
            .as_str()
            .unwrap()
            .contains("is Docker installed and running")
    );
    assert_eq!(find("ports")["verdict"], "fail");
    assert!(
        find("ports")["detail"]
            .as_str()
            .unwrap()
            .contains(&format!("{port} (--console-port)"))
    );
    assert_eq!(report["ok"], false);
}

/// A user the Docker socket refuses (not root, not in the `docker` group) is told to join
/// the group, not to install Docker. Run as `nobody` through setpriv, which needs root.
#[cfg(unix)]
#[test]
fn doctor_tells_a_refused_user_to_join_the_docker_group() {
    let socket = std::path::Path::new("/var/run/docker.sock");
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    if !root || !socket.exists() || !std::path::Path::new("/usr/bin/setpriv").exists() {
        support::skip(
            "root",
            "doctor_tells_a_refused_user_to_join_the_docker_group",
            "needs root, /usr/bin/setpriv and a Docker socket",
            "sudo scripts/test.sh",
        );
        return;
    }
    let out = std::process::Command::new("/usr/bin/setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(assert_cmd::cargo::cargo_bin("higress-claw"))
        .args(["doctor", "--json"])
        .env_clear()
        .env("HOME", "/tmp")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let docker = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "docker")
        .unwrap();
    assert_eq!(docker["verdict"], "fail");
    assert!(
        docker["detail"]
            .as_str()
            .unwrap()
            .contains("permission denied"),
        "{docker}"
    );
    assert!(
        docker["fix"]
            .as_str()
            .unwrap()
            .contains("usermod -aG docker"),
        "{docker}"
    );
}
