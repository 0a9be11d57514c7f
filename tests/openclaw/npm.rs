//! The npm side of tests/openclaw.rs: the packed tarballs, a registry that lives only long
//! enough to fill an npm cache, and an install by name with no network at all.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use serde_json::Value;

use super::harness::{OpenClaw, free_port, node_dir};
use super::support;

/// The folder with the higress-claw npm tarballs: `$HIGRESS_CLAW_PACKAGE_DIR`, else made
/// once per test process by `scripts/package.sh` into the folder tests/install.rs uses
/// (cargo's cache makes the second build free); `None`, after recording the skip, when
/// cargo-dist or npm is missing.
pub fn package_dir(test: &str) -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("HIGRESS_CLAW_PACKAGE_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    let have = |tool: &str| {
        Command::new(tool)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if !have("dist") || !have("npm") {
        support::skip(
            "openclaw",
            test,
            "cargo-dist (`dist`) or npm is not installed, so scripts/package.sh cannot make the higress-claw npm packages",
            "scripts/test.sh (it installs cargo-dist), or set HIGRESS_CLAW_PACKAGE_DIR to the output of scripts/package.sh",
        );
        return None;
    }
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    Some(
        DIR.get_or_init(|| {
            let root = Path::new(env!("CARGO_MANIFEST_DIR"));
            let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("package-out");
            let built = Command::new("bash")
                .arg(root.join("scripts/package.sh"))
                .arg(&out)
                .current_dir(root)
                .output()
                .expect("bash runs scripts/package.sh");
            assert!(
                built.status.success(),
                "scripts/package.sh {} failed:\n{}",
                out.display(),
                String::from_utf8_lossy(&built.stderr)
            );
            out
        })
        .clone(),
    )
}

/// A process that is killed when dropped.
pub struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn wait_for_port(port: u16) {
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("nothing listens on {port}");
}

/// Fills `~/.npm` with every package `tarballs` hold, through a registry that exists only
/// meanwhile, then points npm at it offline: installs afterwards touch no network.
pub fn fill_npm_cache(oc: &OpenClaw, tarballs: &[PathBuf]) {
    let port = free_port();
    let mut registry = Command::new("python3");
    registry
        .arg(node_dir().join("registry.py"))
        .arg(port.to_string())
        .args(tarballs);
    let server = Running(registry.spawn().unwrap());
    wait_for_port(port);
    let url = format!("http://127.0.0.1:{port}/");
    for tarball in tarballs {
        let spec = tar_spec(tarball);
        let cache = oc.home.join(".npm");
        oc.run(
            "npm",
            &[
                "cache",
                "add",
                &spec,
                "--registry",
                &url,
                "--cache",
                cache.to_str().unwrap(),
                "--loglevel=error",
            ],
        );
    }
    drop(server);
    std::fs::write(
        oc.home.join(".npmrc"),
        format!("registry={url}\noffline=true\n"),
    )
    .unwrap();
}

/// `name@version` of an `npm pack` tarball.
pub fn tar_spec(tarball: &Path) -> String {
    let out = Command::new("tar")
        .arg("-xzOf")
        .arg(tarball)
        .arg("package/package.json")
        .output()
        .unwrap();
    let manifest: Value = serde_json::from_slice(&out.stdout).unwrap();
    format!(
        "{}@{}",
        manifest["name"].as_str().unwrap(),
        manifest["version"].as_str().unwrap()
    )
}

/// The tarballs to install from: the plugin packed from `plugin/`, and the higress-claw
/// packages (the launcher and the platform ones) in `packages`.
pub fn tarballs(oc: &OpenClaw, packages: &Path) -> Vec<PathBuf> {
    let plugin = Path::new(env!("CARGO_MANIFEST_DIR")).join("plugin");
    let packed = oc.run(
        "npm",
        &[
            "pack",
            plugin.to_str().unwrap(),
            "--pack-destination",
            oc.home.to_str().unwrap(),
            "--silent",
        ],
    );
    let mut tarballs = vec![oc.home.join(String::from_utf8_lossy(&packed.stdout).trim())];
    tarballs.extend(
        std::fs::read_dir(packages)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                let name = p.file_name().unwrap().to_string_lossy();
                name.starts_with("higress-claw-") && name.ends_with(".tgz")
            }),
    );
    assert!(
        tarballs.len() >= 3,
        "the plugin, the launcher and this platform's package: {tarballs:?}"
    );
    tarballs
}

/// `openclaw plugins install NAME` in a network namespace with only loopback, where a
/// ClawHub stand-in knows nothing (2026.3.24 asks it first, then npm); what it said.
pub fn install_by_name(oc: &OpenClaw, name: &str) -> String {
    let hub = free_port();
    let flags = if oc.release.is_newest() {
        "--force --accept-capabilities"
    } else {
        ""
    };
    let script = format!(
        "ip link set lo up && (python3 '{}' {hub} & echo $! > '{home}/hub.pid') && sleep 1 && \
         openclaw plugins install {name} {flags}; rc=$?; kill $(cat '{home}/hub.pid'); exit $rc",
        node_dir().join("registry.py").display(),
        home = oc.home.display(),
    );
    let out = Command::new("unshare")
        .env_clear()
        .envs(oc.env())
        .env("OPENCLAW_CLAWHUB_URL", format!("http://127.0.0.1:{hub}"))
        .args(["-n", "sh", "-c", &script])
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "install by name failed: {said}");
    said
}
