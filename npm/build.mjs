#!/usr/bin/env node
// Lays out the npm packages of a release, ready for `npm pack` or `npm publish`:
//
//   node npm/build.mjs platform TARGET BINARY VERSION OUT_DIR
//     the platform package of a Rust target triple (@higress-claw/linux-x64, …) with
//     BINARY (taken from that target's release archive) as its bin/higress-claw[.exe];
//   node npm/build.mjs launcher VERSION OUT_DIR
//     the launcher package `higress-claw` (npm/higress-claw), at VERSION, depending on
//     the platform packages of the same VERSION.
//
// Prints the package folder it wrote. Used by scripts/package.sh (this host) and by
// .github/workflows/publish-npm.yml (every target of a release). No dependencies.
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");

// Rust target → npm's process.platform / process.arch. Linux binaries are static musl
// (the gnu triple is the local build of scripts/package.sh).
export const TARGETS = {
  "x86_64-unknown-linux-musl": ["linux", "x64"],
  "x86_64-unknown-linux-gnu": ["linux", "x64"],
  "aarch64-unknown-linux-musl": ["linux", "arm64"],
  "x86_64-apple-darwin": ["darwin", "x64"],
  "aarch64-apple-darwin": ["darwin", "arm64"],
  "x86_64-pc-windows-msvc": ["win32", "x64"],
};

function launcherManifest() {
  return JSON.parse(readFileSync(join(here, "higress-claw/package.json"), "utf8"));
}

function fresh(dir) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
}

function platform(target, binary, version, out) {
  const pair = TARGETS[target];
  if (!pair) throw new Error(`no npm platform for target ${target}`);
  const [os, cpu] = pair;
  const name = `@higress-claw/${os}-${cpu}`;
  const launcher = launcherManifest();
  const dir = join(out, `higress-claw-${os}-${cpu}`);
  fresh(join(dir, "bin"));
  const exe = os === "win32" ? "higress-claw.exe" : "higress-claw";
  copyFileSync(binary, join(dir, "bin", exe));
  chmodSync(join(dir, "bin", exe), 0o755);
  copyFileSync(join(root, "LICENSE"), join(dir, "LICENSE"));
  writeFileSync(
    join(dir, "README.md"),
    `# ${name}\n\nThe ${os} ${cpu} binary of [higress-claw](https://www.npmjs.com/package/higress-claw) ` +
      `(Rust target \`${target}\`). Install \`higress-claw\`, not this package: its launcher ` +
      "picks the package of your platform.\n",
  );
  const manifest = {
    name,
    version,
    description: `The ${os} ${cpu} binary of higress-claw`,
    homepage: launcher.homepage,
    repository: launcher.repository,
    license: launcher.license,
    os: [os],
    cpu: [cpu],
    files: [`bin/${exe}`, "README.md", "LICENSE"],
    preferUnplugged: true,
  };
  writeFileSync(join(dir, "package.json"), JSON.stringify(manifest, null, 2) + "\n");
  return dir;
}

function launcher(version, out) {
  const manifest = launcherManifest();
  manifest.version = version;
  for (const dep of Object.keys(manifest.optionalDependencies)) {
    manifest.optionalDependencies[dep] = version;
  }
  const dir = join(out, "higress-claw");
  fresh(join(dir, "bin"));
  copyFileSync(join(here, "higress-claw/bin/higress-claw.js"), join(dir, "bin/higress-claw.js"));
  chmodSync(join(dir, "bin/higress-claw.js"), 0o755);
  copyFileSync(join(root, "README.md"), join(dir, "README.md"));
  copyFileSync(join(root, "LICENSE"), join(dir, "LICENSE"));
  writeFileSync(join(dir, "package.json"), JSON.stringify(manifest, null, 2) + "\n");
  return dir;
}

const [command, ...args] = process.argv.slice(2);
if (command === "platform" && args.length === 4) {
  console.log(platform(...args));
} else if (command === "launcher" && args.length === 2) {
  console.log(launcher(...args));
} else {
  console.error(
    "usage: node npm/build.mjs platform TARGET BINARY VERSION OUT_DIR\n" +
      "       node npm/build.mjs launcher VERSION OUT_DIR",
  );
  process.exit(2);
}
