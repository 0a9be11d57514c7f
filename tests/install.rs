//! Getting higress-claw without Rust, as a user would, for this host: `scripts/package.sh`
//! builds the release artifacts once per test process (the archive and its checksum,
//! cargo-dist's installer, the npm tarballs); the installer runs against them served on
//! 127.0.0.1 into an empty HOME with no cargo on PATH (a good archive, a tampered one,
//! a missing one), the npm tarballs are installed offline into an empty prefix, and
//! `self update` replaces an installed binary from a release served the same way.
// Unix only (signals, sockets, ptys, the shell installer): tests/platform.rs says
// so where it is skipped.
#![cfg(unix)]

mod support;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde_json::Value;

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// What scripts/package.sh wrote for this host.
struct Package {
    dir: PathBuf,
    target: String,
    archive: String,
}

impl Package {
    fn file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    fn installer(&self) -> PathBuf {
        self.file("higress-claw-installer.sh")
    }

    /// The npm tarballs: the launcher, then this platform's package.
    fn tarballs(&self) -> (PathBuf, PathBuf) {
        let (os, cpu) = npm_platform(&self.target);
        (
            self.file(&format!("higress-claw-{VERSION}.tgz")),
            self.file(&format!("higress-claw-{os}-{cpu}-{VERSION}.tgz")),
        )
    }
}

fn npm_platform(target: &str) -> (&'static str, &'static str) {
    let os = if target.contains("linux") {
        "linux"
    } else if target.contains("apple") {
        "darwin"
    } else {
        "win32"
    };
    let cpu = if target.starts_with("aarch64") {
        "arm64"
    } else {
        "x64"
    };
    (os, cpu)
}

fn host_target() -> String {
    let out = Command::new("rustc").arg("-vV").output().unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .unwrap()
        .to_string()
}

fn have(tool: &str, arg: &str) -> bool {
    Command::new(tool)
        .arg(arg)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Runs scripts/package.sh once per test process (cargo's own caching makes a rebuild
/// cheap when nothing changed); `None`, after recording the skip, when it cannot run.
fn package(test: &str) -> Option<&'static Package> {
    if cfg!(windows) {
        support::skip(
            "install",
            test,
            "these tests drive the shell installer, and Windows gets the PowerShell one",
            "run them on Linux or macOS",
        );
        return None;
    }
    if !have("dist", "--version") || !have("npm", "--version") {
        support::skip(
            "install",
            test,
            "cargo-dist (`dist`) or npm is not installed",
            "scripts/test.sh (it installs cargo-dist)",
        );
        return None;
    }
    static PACKAGE: OnceLock<Package> = OnceLock::new();
    Some(PACKAGE.get_or_init(|| {
        let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
        let dir = tmp.join("package-out");
        let started = Instant::now();
        let out = Command::new("bash")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/package.sh"))
            .arg(&dir)
            .output()
            .expect("bash runs scripts/package.sh");
        assert!(
            out.status.success(),
            "scripts/package.sh failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        note(&format!(
            "scripts/package.sh took {:.1} s",
            started.elapsed().as_secs_f64()
        ));
        let target = host_target();
        let archive = format!("higress-claw-{target}.tar.xz");
        Package {
            dir,
            target,
            archive,
        }
    }))
}

/// A line on the real stderr, shown even when libtest captures output.
fn note(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "install: {line}");
}

/// A tiny HTTP server on 127.0.0.1: `GET /…/NAME` answers the file NAME of `files`
/// (whatever the folders before it, as a release mirror lays them out), exact paths of
/// `routes` first; anything else is a 404. Requests are recorded.
struct Server {
    url: String,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Server {
    fn start(files: HashMap<String, Vec<u8>>, routes: HashMap<String, Vec<u8>>) -> Self {
        Self::serve(TcpListener::bind("127.0.0.1:0").unwrap(), files, routes)
    }

    fn serve(
        listener: TcpListener,
        files: HashMap<String, Vec<u8>>,
        routes: HashMap<String, Vec<u8>>,
    ) -> Self {
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let log = requests.clone();
        let files = Arc::new(files);
        let routes = Arc::new(routes);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let (files, routes, log) = (files.clone(), routes.clone(), log.clone());
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream.try_clone().unwrap());
                    let mut request = String::new();
                    if reader.read_line(&mut request).is_err() {
                        return;
                    }
                    loop {
                        let mut header = String::new();
                        match reader.read_line(&mut header) {
                            Ok(0) | Err(_) => break,
                            Ok(_) if header == "\r\n" => break,
                            Ok(_) => {}
                        }
                    }
                    let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
                    log.lock().unwrap().push(path.clone());
                    let name = path.rsplit('/').next().unwrap_or_default();
                    let body = routes.get(&path).or_else(|| files.get(name));
                    let (status, body) = match body {
                        Some(body) => ("200 OK", body.clone()),
                        None => ("404 Not Found", b"not found\n".to_vec()),
                    };
                    let head = format!(
                        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = stream.write_all(head.as_bytes());
                    let _ = stream.write_all(&body);
                });
            }
        });
        Self { url, requests }
    }

    /// The package's archive, checksum and installer, as a release serves them.
    fn release(pkg: &Package, change: impl FnOnce(&mut HashMap<String, Vec<u8>>)) -> Self {
        let mut files = release_files(pkg);
        change(&mut files);
        Self::start(files, HashMap::new())
    }

    fn served(&self, name: &str) -> bool {
        self.requests
            .lock()
            .unwrap()
            .iter()
            .any(|p| p.ends_with(&format!("/{name}")))
    }
}

fn release_files(pkg: &Package) -> HashMap<String, Vec<u8>> {
    [
        pkg.archive.clone(),
        format!("{}.sha256", pkg.archive),
        "higress-claw-installer.sh".to_string(),
    ]
    .into_iter()
    .map(|name| {
        let bytes = std::fs::read(pkg.file(&name)).unwrap();
        (name, bytes)
    })
    .collect()
}

/// An empty HOME and a PATH of system folders only, so no cargo and no earlier
/// higress-claw can be found.
struct UserHome {
    _root: tempfile::TempDir,
    home: PathBuf,
}

const SYSTEM_PATH: &str = "/usr/bin:/bin:/usr/sbin:/sbin";

impl UserHome {
    fn new() -> Self {
        let root = tempfile::tempdir().unwrap();
        let home = root.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        for dir in SYSTEM_PATH.split(':') {
            assert!(
                !Path::new(dir).join("cargo").exists(),
                "{dir}/cargo exists: the no-cargo check means nothing here"
            );
        }
        Self { _root: root, home }
    }

    fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = Command::new(program);
        cmd.env_clear()
            .env("HOME", &self.home)
            .env("PATH", SYSTEM_PATH)
            .env("NO_COLOR", "1")
            .env("TZ", "Asia/Shanghai")
            .stdin(Stdio::null());
        cmd
    }

    fn install(&self, pkg: &Package, server: &Server, extra: &[(&str, &Path)]) -> Output {
        let mut cmd = self.command("sh");
        cmd.arg(pkg.installer())
            .env("HIGRESS_CLAW_DOWNLOAD_URL", &server.url);
        for (key, value) in extra {
            cmd.env(key, value);
        }
        cmd.output().unwrap()
    }

    fn bin(&self) -> PathBuf {
        self.home.join(".local/bin/higress-claw")
    }

    fn receipt(&self) -> PathBuf {
        self.home
            .join(".config/higress-claw/higress-claw-receipt.json")
    }
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn assert_version(out: &Output, target: &str) {
    assert!(out.status.success(), "--version failed: {}", text(out));
    let line = String::from_utf8_lossy(&out.stdout);
    assert!(
        line.starts_with(&format!("higress-claw {VERSION} (")),
        "{line}"
    );
    assert!(line.contains(target), "no target in {line}");
}

#[test]
fn the_installer_installs_from_a_mirror_into_an_empty_home() {
    let Some(pkg) = package("the_installer_installs_from_a_mirror_into_an_empty_home") else {
        return;
    };
    let server = Server::release(pkg, |_| {});
    let user = UserHome::new();
    let started = Instant::now();
    let out = user.install(pkg, &server, &[]);
    let took = started.elapsed();
    let log = text(&out);
    assert!(out.status.success(), "the installer failed:\n{log}");
    note(&format!(
        "installer from 127.0.0.1: {} ms",
        took.as_millis()
    ));
    assert!(server.served(&pkg.archive), "{log}");
    assert!(user.bin().is_file(), "nothing at ~/.local/bin:\n{log}");
    // The PATH hint: how to put ~/.local/bin on PATH.
    assert!(log.contains(".local/bin"), "{log}");
    assert!(log.contains("PATH"), "{log}");
    assert!(user.receipt().is_file(), "no install receipt:\n{log}");

    let version = user.command(user.bin()).arg("--version").output().unwrap();
    assert_version(&version, &pkg.target);
}

#[test]
fn the_install_dir_is_overridable() {
    let Some(pkg) = package("the_install_dir_is_overridable") else {
        return;
    };
    let server = Server::release(pkg, |_| {});
    let user = UserHome::new();
    let dir = user.home.join("tools/bin");
    let out = user.install(pkg, &server, &[("HIGRESS_CLAW_INSTALL_DIR", &dir)]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(dir.join("higress-claw").is_file(), "{}", text(&out));
    assert!(!user.bin().exists());
    let version = user
        .command(dir.join("higress-claw"))
        .arg("--version")
        .output()
        .unwrap();
    assert_version(&version, &pkg.target);
}

/// Nothing of higress-claw in the home: no binary, no receipt.
fn assert_nothing_installed(user: &UserHome) {
    assert!(!user.bin().exists(), "a binary was installed");
    assert!(!user.receipt().exists(), "a receipt was written");
}

#[test]
fn a_tampered_archive_is_refused_and_nothing_is_installed() {
    let Some(pkg) = package("a_tampered_archive_is_refused_and_nothing_is_installed") else {
        return;
    };
    let archive = pkg.archive.clone();
    let server = Server::release(pkg, |files| {
        let bytes = files.get_mut(&archive).unwrap();
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0x55;
    });
    let user = UserHome::new();
    let out = user.install(pkg, &server, &[]);
    let log = text(&out);
    assert!(
        !out.status.success(),
        "a tampered archive installed:\n{log}"
    );
    assert!(log.contains("checksum mismatch"), "no reason given:\n{log}");
    assert!(server.served(&pkg.archive));
    assert_nothing_installed(&user);
}

#[test]
fn a_missing_archive_installs_nothing_and_says_why() {
    let Some(pkg) = package("a_missing_archive_installs_nothing_and_says_why") else {
        return;
    };
    let archive = pkg.archive.clone();
    let server = Server::release(pkg, |files| {
        files.remove(&archive);
    });
    let user = UserHome::new();
    let out = user.install(pkg, &server, &[]);
    let log = text(&out);
    assert!(!out.status.success(), "{log}");
    assert!(
        log.contains("failed to download") && log.contains(&pkg.archive),
        "no reason given:\n{log}"
    );
    assert_nothing_installed(&user);
}

/// The GitHub API's answer for the latest release, as axoupdater reads it.
fn release_json(server_url: &str, pkg: &Package) -> Vec<u8> {
    let asset = |name: &str| {
        serde_json::json!({
            "url": format!("{server_url}/api/assets/{name}"),
            "browser_download_url": format!("{server_url}/higress-group/higress-claw/releases/download/v{VERSION}/{name}"),
            "name": name,
        })
    };
    serde_json::to_vec(&serde_json::json!({
        "tag_name": format!("v{VERSION}"),
        "name": format!("v{VERSION}"),
        "url": format!("{server_url}/api/releases/1"),
        "prerelease": false,
        "assets": [
            asset("higress-claw-installer.sh"),
            asset(&pkg.archive),
            asset(&format!("{}.sha256", pkg.archive)),
        ],
    }))
    .unwrap()
}

#[test]
fn self_update_replaces_an_installed_binary_from_a_served_release() {
    let Some(pkg) = package("self_update_replaces_an_installed_binary_from_a_served_release")
    else {
        return;
    };
    // One server is both the mirror and the GitHub API: a GitHub Enterprise base URL
    // may be an address (the github.com override must be a host name, as `api.` is put
    // before it). The API's answer names the server's URL, so it binds first.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let routes = HashMap::from([(
        "/api/v3/repos/higress-group/higress-claw/releases/latest".to_string(),
        release_json(&url, pkg),
    )]);
    let server = Server::serve(listener, release_files(pkg), routes);
    let user = UserHome::new();
    let out = user.install(pkg, &server, &[]);
    assert!(out.status.success(), "{}", text(&out));

    // Make the installed release look older than the served one.
    let receipt_path = user.receipt();
    let mut receipt: Value =
        serde_json::from_str(&std::fs::read_to_string(&receipt_path).unwrap()).unwrap();
    receipt["version"] = Value::from("0.0.1");
    std::fs::write(&receipt_path, receipt.to_string()).unwrap();

    let update = |user: &UserHome| {
        user.command(user.bin())
            .args(["self", "update", "--json"])
            .env("HIGRESS_CLAW_INSTALLER_GHE_BASE_URL", &server.url)
            .output()
            .unwrap()
    };
    let out = update(&user);
    assert!(out.status.success(), "self update failed:\n{}", text(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    support::assert_documented("self update", &report);
    assert_eq!(report["method"], "installer", "{report}");
    assert_eq!(report["action"], "updated", "{report}");
    assert_eq!(report["new_version"], VERSION, "{report}");
    // The release's installer ran: it fetched the archive again and rewrote the receipt.
    let receipt: Value =
        serde_json::from_str(&std::fs::read_to_string(&receipt_path).unwrap()).unwrap();
    assert_eq!(receipt["version"], VERSION);
    let archive_fetches = server
        .requests
        .lock()
        .unwrap()
        .iter()
        .filter(|p| p.ends_with(&pkg.archive))
        .count();
    assert_eq!(archive_fetches, 2, "{:?}", server.requests.lock().unwrap());
    let version = user.command(user.bin()).arg("--version").output().unwrap();
    assert_version(&version, &pkg.target);

    // Once more: nothing newer.
    let out = update(&user);
    assert!(out.status.success(), "{}", text(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["action"], "up-to-date", "{report}");
}

/// The npm tarballs installed globally into an empty prefix, offline, as `npm install -g
/// higress-claw` lays them out (the launcher and this platform's package side by side).
struct NpmInstall {
    user: UserHome,
    prefix: PathBuf,
}

impl NpmInstall {
    fn new(pkg: &Package) -> Self {
        let user = UserHome::new();
        let prefix = user.home.join("prefix");
        let (launcher, platform) = pkg.tarballs();
        let out = Command::new("npm")
            .args([
                "install",
                "--global",
                "--offline",
                "--no-audit",
                "--no-fund",
            ])
            .arg("--prefix")
            .arg(&prefix)
            .arg("--cache")
            .arg(user.home.join("npm-cache"))
            .arg(&launcher)
            .arg(&platform)
            .env("HOME", &user.home)
            .env_remove("npm_config_prefix")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(out.status.success(), "npm install failed:\n{}", text(&out));
        Self { user, prefix }
    }

    /// `higress-claw` as npm linked it, run with node from PATH.
    fn command(&self) -> Command {
        let node_dir = which("node").parent().unwrap().to_path_buf();
        let mut cmd = self.user.command(self.prefix.join("bin/higress-claw"));
        cmd.env("PATH", format!("{}:{}", node_dir.display(), SYSTEM_PATH));
        cmd
    }
}

fn which(tool: &str) -> PathBuf {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|dir| dir.join(tool))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("{tool} not on PATH"))
}

#[test]
fn npm_packages_install_offline_and_pass_everything_through() {
    let Some(pkg) = package("npm_packages_install_offline_and_pass_everything_through") else {
        return;
    };
    let npm = NpmInstall::new(pkg);
    let (os, cpu) = npm_platform(&pkg.target);
    let platform_bin = npm.prefix.join(format!(
        "lib/node_modules/@higress-claw/{os}-{cpu}/bin/higress-claw"
    ));
    assert!(platform_bin.is_file(), "no binary in the platform package");

    // argv and stdout.
    let out = npm.command().arg("--version").output().unwrap();
    assert_version(&out, &pkg.target);

    // The exit code of a usage error, and stderr.
    let out = npm.command().args(["config", "add"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--provider"));

    // stdin: the key of `config add --key -`.
    let data = support::init_folder(&npm.user.home, &["--zhipuai-key", "sk-zhipu-npm-0001"]);
    let mut child = npm
        .command()
        .args([
            "config",
            "add",
            "--provider",
            "deepseek",
            "--key",
            "-",
            "--data-dir",
        ])
        .arg(&data)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"sk-deepseek-through-npm-42\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let written = std::fs::read_to_string(data.join("wasmplugins/ai-proxy.internal.yaml")).unwrap();
    assert!(written.contains("sk-deepseek-through-npm-42"), "{written}");

    // `self update` of an npm install names npm's command, and exits 1.
    let out = npm
        .command()
        .args(["self", "update", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    support::assert_documented("self update", &report);
    assert_eq!(report["method"], "npm");
    assert_eq!(report["command"], "npm install -g higress-claw@latest");
    assert!(String::from_utf8_lossy(&out.stderr).contains("npm install -g higress-claw@latest"));
}

/// The pids whose parent is `pid` (Linux's /proc).
#[cfg(target_os = "linux")]
fn children(pid: u32) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|child| {
            std::fs::read_to_string(format!("/proc/{child}/stat")).is_ok_and(|stat| {
                // pid (comm) state ppid …: comm may hold spaces, so read after the ')'.
                stat.rsplit_once(')')
                    .and_then(|(_, rest)| rest.split_whitespace().nth(1)?.parse::<u32>().ok())
                    == Some(pid)
            })
        })
        .collect()
}

#[cfg(target_os = "linux")]
fn running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        stat.rsplit_once(')')
            .is_some_and(|(_, rest)| rest.split_whitespace().next() != Some("Z"))
    })
}

/// SIGTERM sent to the launcher alone (as `timeout` or an agent cancelling a call does)
/// reaches the binary, and the launcher then ends by the same signal. The binary waits
/// on `config add --key -` reading its stdin, which the test keeps open: it does not
/// catch SIGTERM there, so it ends by it; were the signal not forwarded, it would go on
/// waiting after the launcher died.
#[cfg(target_os = "linux")]
#[test]
fn npm_launcher_forwards_sigterm_to_the_binary() {
    use std::os::unix::process::ExitStatusExt;
    let Some(pkg) = package("npm_launcher_forwards_sigterm_to_the_binary") else {
        return;
    };
    let npm = NpmInstall::new(pkg);
    let data = support::init_folder(&npm.user.home, &["--zhipuai-key", "sk-zhipu-npm-0002"]);
    let mut launcher = npm
        .command()
        .args([
            "config",
            "add",
            "--provider",
            "deepseek",
            "--key",
            "-",
            "--data-dir",
        ])
        .arg(&data)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdin = launcher.stdin.take().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let binary = loop {
        if let Some(pid) = children(launcher.id()).into_iter().find(|pid| {
            std::fs::read_link(format!("/proc/{pid}/exe"))
                .is_ok_and(|exe| exe.ends_with("bin/higress-claw"))
        }) {
            break pid;
        }
        assert!(
            Instant::now() < deadline,
            "the launcher never started the binary"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    // Let the binary reach its read of stdin.
    std::thread::sleep(Duration::from_millis(300));
    assert!(running(binary));
    // SAFETY: kill has no preconditions; the pid is our child's.
    assert_eq!(
        unsafe { libc::kill(launcher.id() as i32, libc::SIGTERM) },
        0
    );
    let status = launcher.wait().unwrap();
    assert_eq!(
        status.signal(),
        Some(libc::SIGTERM),
        "the launcher did not end by SIGTERM: {status:?}"
    );
    let deadline = Instant::now() + Duration::from_secs(5);
    while running(binary) {
        assert!(
            Instant::now() < deadline,
            "the binary outlived its launcher: SIGTERM was not forwarded"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(stdin);
    let written = std::fs::read_to_string(data.join("wasmplugins/ai-proxy.internal.yaml")).unwrap();
    assert!(
        !written.contains("deepseek"),
        "an interrupted add wrote a provider"
    );
}

#[test]
fn the_npm_launcher_names_the_missing_platform_package() {
    let Some(pkg) = package("the_npm_launcher_names_the_missing_platform_package") else {
        return;
    };
    // The launcher alone, as `npm install --omit=optional` leaves it.
    let user = UserHome::new();
    let prefix = user.home.join("prefix");
    let (launcher, _) = pkg.tarballs();
    let out = Command::new("npm")
        .args([
            "install",
            "--global",
            "--offline",
            "--no-audit",
            "--no-fund",
            "--omit=optional",
        ])
        .arg("--prefix")
        .arg(&prefix)
        .arg("--cache")
        .arg(user.home.join("npm-cache"))
        .arg(&launcher)
        .env("HOME", &user.home)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let node_dir = which("node").parent().unwrap().to_path_buf();
    let out = user
        .command(prefix.join("bin/higress-claw"))
        .arg("--version")
        .env("PATH", format!("{}:{SYSTEM_PATH}", node_dir.display()))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let message = String::from_utf8_lossy(&out.stderr);
    let (os, cpu) = npm_platform(&pkg.target);
    for needle in [
        format!("({os} {cpu})"),
        format!("@higress-claw/{os}-{cpu}"),
        "npm install --include=optional higress-claw".to_string(),
        "higress-claw-installer.sh".to_string(),
    ] {
        assert!(
            message.contains(&needle),
            "{needle:?} missing from:\n{message}"
        );
    }
}

/// A binary in cargo's bin folder is told to update through cargo; one the installer
/// did not put in place (no receipt) is told to use the installer. Neither is changed.
#[test]
fn self_update_names_cargo_or_the_installer_for_other_installs() {
    let user = UserHome::new();
    let cargo_bin = user.home.join(".cargo/bin");
    std::fs::create_dir_all(&cargo_bin).unwrap();
    let copy = cargo_bin.join("higress-claw");
    std::fs::copy(assert_cmd::cargo::cargo_bin("higress-claw"), &copy).unwrap();
    let out = user
        .command(&copy)
        .args(["self", "update", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    support::assert_documented("self update", &report);
    assert_eq!(report["method"], "cargo", "{report}");
    assert_eq!(report["action"], "not-updated");
    assert!(
        report["command"]
            .as_str()
            .unwrap()
            .starts_with("cargo install higress-claw")
    );

    let out = user
        .command(assert_cmd::cargo::cargo_bin("higress-claw"))
        .args(["self", "update"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let message = String::from_utf8_lossy(&out.stderr);
    assert!(message.contains("no install receipt"), "{message}");
    assert!(message.contains("higress-claw-installer.sh"), "{message}");
}

/// The npm launcher's package names one platform package per release target, at the
/// crate's version, and dist-workspace.toml builds those targets.
#[test]
fn npm_manifest_matches_the_release_targets() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("npm/higress-claw/package.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        manifest["version"], VERSION,
        "npm/higress-claw/package.json"
    );
    let dist = std::fs::read_to_string(root.join("dist-workspace.toml")).unwrap();
    let targets: Vec<&str> = dist
        .split("targets = [")
        .nth(1)
        .unwrap()
        .split(']')
        .next()
        .unwrap()
        .split('"')
        .skip(1)
        .step_by(2)
        .collect();
    let mut expected: Vec<String> = targets
        .iter()
        .map(|t| {
            let (os, cpu) = npm_platform(t);
            format!("@higress-claw/{os}-{cpu}")
        })
        .collect();
    expected.sort();
    let deps = manifest["optionalDependencies"].as_object().unwrap();
    let names: Vec<&String> = deps.keys().collect();
    assert_eq!(names, expected.iter().collect::<Vec<_>>());
    assert!(deps.values().all(|v| v == VERSION));
}
