#!/usr/bin/env sh
# Installs higress-claw from this checkout into ~/.cargo/bin, then, when OpenClaw is
# installed, its Higress plugin. Needs a Rust toolchain (cargo).
#   sh scripts/install.sh
set -eu
cd "$(dirname "$0")/.."
if ! command -v cargo >/dev/null 2>&1; then
  echo "cargo not found: install a Rust toolchain (rustup), then run this again" >&2
  exit 1
fi
cargo install --path . --locked
command -v higress-claw >/dev/null 2>&1 || echo "add ~/.cargo/bin to PATH to run higress-claw" >&2
if command -v openclaw >/dev/null 2>&1; then
  "$(command -v higress-claw || echo "$HOME/.cargo/bin/higress-claw")" openclaw install
fi
echo "Next: higress-claw start --zhipuai-key <key>   (or run it on a terminal without flags)"
