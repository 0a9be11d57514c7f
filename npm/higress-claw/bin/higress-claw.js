#!/usr/bin/env node
// The npm launcher of higress-claw: runs the native binary from the platform package
// that npm chose through optionalDependencies (@higress-claw/<os>-<cpu>), as esbuild and
// biome do, so nothing is downloaded at install time. The binary gets argv, stdin,
// stdout and stderr unchanged; SIGINT, SIGTERM and SIGHUP sent to this process are
// passed on to it (so `higress-claw start` can remove what it created), and this
// process ends the way the binary did: its exit code, or the same signal.
// Plain CommonJS with no dependencies: Node 18 and later.
"use strict";

const { spawn } = require("child_process");

const PLATFORMS = {
  "darwin arm64": "@higress-claw/darwin-arm64",
  "darwin x64": "@higress-claw/darwin-x64",
  "linux arm64": "@higress-claw/linux-arm64",
  "linux x64": "@higress-claw/linux-x64",
  "win32 x64": "@higress-claw/win32-x64",
};
const INSTALLER =
  process.platform === "win32"
    ? 'powershell -ExecutionPolicy ByPass -c "irm https://github.com/higress-group/higress-claw/releases/latest/download/higress-claw-installer.ps1 | iex"'
    : "curl -LsSf https://github.com/higress-group/higress-claw/releases/latest/download/higress-claw-installer.sh | sh";

function fail(lines) {
  process.stderr.write(lines.join("\n") + "\n");
  process.exit(1);
}

function binaryPath() {
  const platform = `${process.platform} ${process.arch}`;
  const pkg = PLATFORMS[platform];
  if (!pkg) {
    fail([
      `higress-claw: no npm package for this platform (${platform}).`,
      `Supported: ${Object.keys(PLATFORMS).join(", ")}.`,
      "Build it from source instead: cargo install higress-claw",
    ]);
  }
  const exe = process.platform === "win32" ? "higress-claw.exe" : "higress-claw";
  try {
    return require.resolve(`${pkg}/bin/${exe}`);
  } catch (_) {
    fail([
      `higress-claw: the binary for this platform (${platform}) is missing:`,
      `the package ${pkg} was not installed.`,
      "npm installs it as an optional dependency of higress-claw; it is skipped with",
      "--omit=optional (or --no-optional), or when the lock file was made on another platform.",
      "Fix: npm install --include=optional higress-claw (with -g for a global install),",
      `or install without npm: ${INSTALLER}`,
    ]);
  }
}

const child = spawn(binaryPath(), process.argv.slice(2), {
  stdio: "inherit",
  windowsHide: false,
});

const FORWARDED = ["SIGINT", "SIGTERM", "SIGHUP"];
const forward = {};
for (const signal of FORWARDED) {
  // A Ctrl-C on a terminal reaches the binary by itself (same process group); a signal
  // sent to this process alone (`kill`, `timeout`, an agent cancelling) does not.
  forward[signal] = () => {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        child.kill(signal);
      } catch (_) {
        // Already gone.
      }
    }
  };
  process.on(signal, forward[signal]);
}

child.on("error", (err) => {
  fail([`higress-claw: cannot run ${err.path || "the binary"}: ${err.message}`]);
});

child.on("exit", (code, signal) => {
  if (signal) {
    // End the same way, so a caller sees the binary's signal and not a made-up code.
    for (const s of FORWARDED) process.removeListener(s, forward[s]);
    try {
      process.kill(process.pid, signal);
    } catch (_) {
      // A signal this platform cannot raise on us.
    }
    // Should the signal not end us (it is ignored here), say it as a shell would.
    const number = require("os").constants.signals[signal] || 0;
    setTimeout(() => process.exit(128 + number), 200);
    return;
  }
  process.exit(code === null ? 1 : code);
});
