//! Build metadata for `higress-claw --version`: the commit and the target triple.
//!
//! The commit comes from git when the crate is built from a checkout, else from the
//! `.cargo_vcs_info.json` that `cargo package` writes into a published crate, else it is
//! `unknown`: a build never fails for want of git.

use std::path::Path;
use std::process::Command;

fn main() {
    let target = std::env::var("TARGET").unwrap_or_else(|_| "unknown".into());
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
    let dir = Path::new(&manifest_dir);
    let commit = git_commit(dir).or_else(|| packaged_commit(dir));
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let line = match commit {
        Some((sha, Some(date))) => format!("{version} ({sha} {date}, {target})"),
        Some((sha, None)) => format!("{version} ({sha}, {target})"),
        None => format!("{version} (commit unknown, {target})"),
    };
    println!("cargo:rustc-env=HIGRESS_CLAW_VERSION={line}");
    println!("cargo:rustc-env=HIGRESS_CLAW_TARGET={target}");
    println!("cargo:rerun-if-changed=build.rs");
    // Only a file that exists: a missing one would rerun this script on every build.
    if dir.join(".cargo_vcs_info.json").exists() {
        println!("cargo:rerun-if-changed=.cargo_vcs_info.json");
    }
}

/// The short commit and its date, and rebuild triggers on HEAD and the branch it names.
fn git_commit(dir: &Path) -> Option<(String, Option<String>)> {
    let git = |args: &[&str]| -> Option<String> {
        let out = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .output()
            .ok()?;
        let text = String::from_utf8(out.stdout).ok()?.trim().to_string();
        (out.status.success() && !text.is_empty()).then_some(text)
    };
    // Only a checkout of this crate, not some repository the crate was unpacked into.
    let top = git(&["rev-parse", "--show-toplevel"])?;
    if Path::new(&top).canonicalize().ok()? != dir.canonicalize().ok()? {
        return None;
    }
    let sha = git(&["rev-parse", "--short=9", "HEAD"])?;
    let date = git(&["log", "-1", "--format=%cs", "HEAD"]);
    for path in ["HEAD", "packed-refs"] {
        track(git(&["rev-parse", "--git-path", path]), dir);
    }
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        track(git(&["rev-parse", "--git-path", &branch]), dir);
    }
    Some((sha, date))
}

/// Rebuild when this git file changes; a missing file would rebuild every time.
fn track(path: Option<String>, dir: &Path) {
    if let Some(path) = path {
        let path = dir.join(path);
        if path.exists() {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
}

/// `{"git": {"sha1": "…"}}` from a crate made by `cargo package`.
fn packaged_commit(dir: &Path) -> Option<(String, Option<String>)> {
    let text = std::fs::read_to_string(dir.join(".cargo_vcs_info.json")).ok()?;
    let start = text.find("\"sha1\"")? + "\"sha1\"".len();
    let rest = text[start..].trim_start().strip_prefix(':')?.trim_start();
    let sha = rest.strip_prefix('"')?.split('"').next()?;
    let short: String = sha.chars().take(9).collect();
    (short.len() == 9 && short.chars().all(|c| c.is_ascii_hexdigit())).then_some((short, None))
}
