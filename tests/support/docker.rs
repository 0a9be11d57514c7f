//! A real Docker engine for the lifecycle tests, and a stand-in for the Higress image.
//!
//! No registry is reachable in CI, so the stand-in is built locally with `docker
//! import` from a static busybox: its entry script serves HTTP on the ports the
//! container is told to use (`$GATEWAY_HTTP_PORT`, `$CONSOLE_PORT`), as the real
//! all-in-one image does, and prints a log line.
#![allow(dead_code)]

use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

pub const STANDIN_REPO: &str = "higress-claw-standin";
/// Serves both ports.
pub const STANDIN_TAG: &str = "test";
/// Serves the gateway port only: never becomes ready.
pub const STANDIN_BROKEN_TAG: &str = "no-console";

/// True when an engine answers. Without one the caller skips, except in CI where a
/// missing engine is a failure.
pub fn engine_available(test: &str) -> bool {
    let ok = Command::new("docker")
        .args(["version", "--format", "{{.Server.Version}}"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        super::skip(
            "docker",
            test,
            "no Docker engine answers",
            "sudo scripts/test.sh (as root it installs docker.io and starts dockerd)",
        );
    }
    ok
}

fn docker(args: &[&str]) -> String {
    let out = Command::new("docker")
        .args(args)
        .output()
        .expect("docker CLI runs");
    assert!(
        out.status.success(),
        "docker {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// `docker` output, or None when the command fails (e.g. no such container).
pub fn docker_try(args: &[&str]) -> Option<String> {
    let out = Command::new("docker").args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

pub fn inspect(container: &str, format: &str) -> String {
    docker(&["inspect", "--format", format, container])
}

pub fn container_exists(name: &str) -> bool {
    docker_try(&["inspect", "--format", "{{.Id}}", name]).is_some()
}

pub fn remove_container(name: &str) {
    let _ = docker_try(&["rm", "-f", name]);
}

fn build(tag: &str, serve_console: bool) {
    let root = tempfile::tempdir().unwrap();
    let r = root.path();
    for dir in ["bin", "www", "tmp", "data", "var/log/proxy"] {
        std::fs::create_dir_all(r.join(dir)).unwrap();
    }
    std::fs::copy("/bin/busybox", r.join("bin/busybox"))
        .expect("/bin/busybox (package busybox-static) is needed to build the stand-in image");
    for applet in [
        "sh",
        "httpd",
        "sleep",
        "echo",
        "cat",
        "ls",
        "mkdir",
        "touch",
        "mv",
        "rm",
        "date",
        "sha256sum",
        "sync",
    ] {
        #[cfg(unix)]
        std::os::unix::fs::symlink("busybox", r.join("bin").join(applet)).unwrap();
        #[cfg(not(unix))]
        let _ = applet;
    }
    std::fs::write(r.join("www/index.html"), "stand-in higress\n").unwrap();
    let console = if serve_console {
        "httpd -p \"$CONSOLE_PORT\" -h /www\necho \"console listening on $CONSOLE_PORT\"\n"
    } else {
        "echo \"console disabled in this stand-in\"\n"
    };
    let entry = format!(
        "#!/bin/sh\nexport PATH=/bin\necho \"stand-in gateway starting (MODE=$MODE)\"\nhttpd -p \"$GATEWAY_HTTP_PORT\" -h /www\necho \"gateway listening on $GATEWAY_HTTP_PORT\"\n{console}trap 'echo stopping; exit 0' TERM\nwhile :; do sleep 1 & wait $!; done\n"
    );
    std::fs::write(r.join("entry.sh"), &entry).unwrap();
    // The same stand-in is imported once, not once per test process: the build's hash
    // is kept in the image's environment, and an image that has it is used as is.
    let image = format!("{STANDIN_REPO}:{tag}");
    let busybox = std::fs::read(r.join("bin/busybox")).unwrap();
    let build_id = higress_claw::hash::sha256_hex(&[entry.as_bytes(), &busybox].concat());
    let marker = format!("STANDIN_BUILD={build_id}");
    if docker_try(&[
        "image",
        "inspect",
        "--format",
        "{{range .Config.Env}}{{println .}}{{end}}",
        &image,
    ])
    .is_some_and(|env| env.lines().any(|l| l == marker))
    {
        return;
    }
    let mut tar = Command::new("tar")
        .arg("-C")
        .arg(r)
        .args(["-c", "."])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let status = Command::new("docker")
        .args([
            "import",
            "-c",
            "CMD [\"/bin/sh\", \"/entry.sh\"]",
            "-c",
            &format!("ENV {marker}"),
            "-",
            &image,
        ])
        .stdin(tar.stdout.take().unwrap())
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(
        tar.wait().unwrap().success(),
        "tar of the stand-in root failed"
    );
    assert!(status.success(), "docker import of the stand-in failed");
}

/// Builds both stand-in images once per test process.
pub fn standin_images() {
    static BUILT: OnceLock<()> = OnceLock::new();
    BUILT.get_or_init(|| {
        build(STANDIN_TAG, true);
        build(STANDIN_BROKEN_TAG, false);
    });
}

/// Three distinct free ports on loopback.
pub fn free_ports() -> [u16; 3] {
    let listeners: Vec<TcpListener> = (0..3)
        .map(|_| TcpListener::bind("127.0.0.1:0").unwrap())
        .collect();
    let ports: Vec<u16> = listeners
        .iter()
        .map(|l| l.local_addr().unwrap().port())
        .collect();
    [ports[0], ports[1], ports[2]]
}

/// Removes the container when a test ends, pass or fail.
pub struct ContainerGuard(pub String);

impl Drop for ContainerGuard {
    fn drop(&mut self) {
        remove_container(&self.0);
    }
}

pub fn unique_name(test: &str) -> String {
    format!("hc-test-{test}-{}", std::process::id())
}

/// One test's gateway: its own HOME, container name, data folder and free ports. The
/// container is removed when the fixture is dropped, pass or fail.
pub struct Gateway {
    pub home: tempfile::TempDir,
    pub name: String,
    pub data: std::path::PathBuf,
    pub ports: [u16; 3],
    _guard: ContainerGuard,
}

impl Gateway {
    /// `None`, after saying why, when no engine answers (outside CI only).
    pub fn new(test: &str) -> Option<Self> {
        if !engine_available(test) {
            return None;
        }
        standin_images();
        let home = tempfile::tempdir().unwrap();
        let name = unique_name(test);
        Some(Self {
            data: home.path().join("data"),
            home,
            ports: free_ports(),
            _guard: ContainerGuard(name.clone()),
            name,
        })
    }

    /// `start` on the stand-in image with this fixture's name, folder and ports.
    pub fn start_args(&self) -> Vec<String> {
        let [http, https, console] = self.ports;
        let mut args: Vec<String> = [
            "start",
            "--non-interactive",
            "--container-name",
            &self.name,
            "--data-dir",
        ]
        .map(String::from)
        .into();
        args.push(self.data.display().to_string());
        for (flag, value) in [
            ("--image-repo", STANDIN_REPO.to_string()),
            ("--image-tag", STANDIN_TAG.to_string()),
            ("--http-port", http.to_string()),
            ("--https-port", https.to_string()),
            ("--console-port", console.to_string()),
            ("--wait-timeout", "60".to_string()),
        ] {
            args.push(flag.to_string());
            args.push(value);
        }
        args
    }

    /// Runs `start` with extra flags and returns the assertion handle.
    pub fn start(&self, extra: &[&str]) -> assert_cmd::assert::Assert {
        super::bin(self.home.path())
            .args(self.start_args())
            .args(extra)
            .assert()
    }
}
