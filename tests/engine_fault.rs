//! An engine that accepts connections and never answers (a hung daemon, a socket that
//! is not Docker's) must not hang any command: each gives up within its bound, names
//! the endpoint and says what to check; `doctor` records it and runs its other checks.
#![cfg(unix)]

mod support;

use std::io::{Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

use predicates::prelude::*;
use support::bin;

/// Far above any bound the commands have: reaching it means a hang.
const HANG: Duration = Duration::from_secs(40);

/// A socket at `path` that accepts every connection; with `ping`, it answers `/_ping`
/// like Docker 27 and then nothing else, ever.
fn silent_engine(path: &Path, ping: bool) -> PathBuf {
    let listener = UnixListener::bind(path).unwrap();
    std::thread::spawn(move || {
        let mut held: Vec<UnixStream> = Vec::new();
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            if ping {
                let mut buf = [0u8; 1024];
                let n = stream.read(&mut buf).unwrap_or(0);
                if String::from_utf8_lossy(&buf[..n]).starts_with("GET /_ping") {
                    let _ = stream.write_all(
                        b"HTTP/1.0 200 OK\r\nApi-Version: 1.47\r\nContent-Length: 2\r\n\r\nOK",
                    );
                    continue; // dropped: closed, as Docker does for HTTP/1.0
                }
            }
            held.push(stream);
        }
    });
    path.to_path_buf()
}

#[test]
fn commands_give_up_on_a_silent_engine_and_name_it() {
    let home = tempfile::tempdir().unwrap();
    let socket = silent_engine(&home.path().join("silent.sock"), false);
    let endpoint = format!("unix://{}", socket.display());
    let data = support::init_folder(home.path(), &["--deepseek-key", "sk-fault-0001"]);
    let cases: &[(&[&str], i32)] = &[
        (&["status"], 1),
        (&["stop"], 1),
        (&["doctor"], 1),
        (&["config", "list"], 2),
        (&["start", "--non-interactive", "--deepseek-key", "k"], 1),
        (&["logs"], 1),
    ];
    for (args, code) in cases {
        let out = bin(home.path())
            .env("DOCKER_HOST", &endpoint)
            .args(*args)
            .timeout(HANG)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(*code), "{args:?}: {out:?}");
        // doctor reports on stdout, the others fail on stderr.
        let said = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(
            said.contains(&format!(
                "the Docker engine at {endpoint} did not answer within 5 s"
            )) && said.contains("docker info"),
            "{args:?}: {said}"
        );
    }
    // doctor says so as a failed check, and still checks the folder.
    let out = bin(home.path())
        .env("DOCKER_HOST", &endpoint)
        .args(["doctor", "--json", "--data-dir"])
        .arg(&data)
        .timeout(HANG)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let checks = report["checks"].as_array().unwrap();
    let docker = checks.iter().find(|c| c["name"] == "docker").unwrap();
    assert_eq!(docker["verdict"], "fail", "{docker}");
    assert!(
        docker["fix"]
            .as_str()
            .unwrap()
            .contains("restart the engine")
    );
    assert!(
        checks
            .iter()
            .any(|c| c["name"] == "configuration" && c["verdict"] == "ok"),
        "{report}"
    );
}

/// An engine that answers the ping and then hangs: each request has its own bound.
#[test]
fn a_request_left_unanswered_is_given_up_after_its_timeout() {
    let home = tempfile::tempdir().unwrap();
    let socket = silent_engine(&home.path().join("half.sock"), true);
    let endpoint = format!("unix://{}", socket.display());
    bin(home.path())
        .env("DOCKER_HOST", &endpoint)
        .env("HIGRESS_CLAW_DOCKER_TIMEOUT", "2")
        .args(["stop"])
        .timeout(HANG)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "the Docker engine at {endpoint} did not answer within 2 s (inspecting container higress-ai-gateway)"
        )));
}
