//! Shared helpers for the integration tests: the real binary in a hermetic environment.
#![allow(dead_code)]

pub mod docker;

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The binary with a clean environment: no user keys, no colours, a fixed timezone.
pub fn bin(home: &Path) -> Command {
    let mut cmd = Command::cargo_bin("higress-claw").expect("binary builds");
    for (key, _) in std::env::vars() {
        if key.starts_with("HIGRESS_CLAW_") {
            cmd.env_remove(key);
        }
    }
    cmd.env("HOME", home)
        .env("NO_COLOR", "1")
        .env("TZ", "Asia/Shanghai");
    cmd
}

pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// `../shared/<sub>` beside the checkout, where CI lays it.
pub fn shared_dir(sub: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared")
        .join(sub);
    dir.is_dir().then_some(dir)
}

pub fn read_yaml(path: &Path) -> higress_claw::yaml::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    higress_claw::yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
