#!/usr/bin/env bash
# Builds, for this host, what a release holds, into OUT_DIR:
#   higress-claw-<target>.tar.xz (.zip on Windows)  the binary, README and LICENSE
#   higress-claw-<target>.tar.xz.sha256              its SHA-256, as `sha256sum` prints it
#   higress-claw-installer.sh (.ps1 on Windows)      the installer, with that checksum inside
#   higress-claw-<version>.tgz                       the npm launcher package
#   higress-claw-<os>-<cpu>-<version>.tgz            the npm package of this platform
# The archive and installers come from cargo-dist (`dist`), with the repository's
# dist-workspace.toml narrowed to the host target: the release's targets are musl and
# cross ones that only the release workflow builds. Needs dist (cargo install cargo-dist
# --locked --version <the one dist-workspace.toml names>) and npm.
#   scripts/package.sh OUT_DIR
set -euo pipefail
if [ $# -ne 1 ]; then
  echo "usage: scripts/package.sh OUT_DIR" >&2
  exit 2
fi
repo="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$1"
out="$(cd "$1" && pwd)"

want_dist="$(sed -n 's/^cargo-dist-version = "\(.*\)"/\1/p' "$repo/dist-workspace.toml")"
if ! command -v dist >/dev/null 2>&1; then
  echo "package: dist (cargo-dist) is not installed: cargo install cargo-dist --locked --version $want_dist" >&2
  exit 1
fi
have_dist="$(dist --version | awk '{print $2}')"
if [ "$have_dist" != "$want_dist" ]; then
  echo "package: dist $have_dist is installed, dist-workspace.toml wants $want_dist: cargo install cargo-dist --locked --version $want_dist" >&2
  exit 1
fi
command -v npm >/dev/null 2>&1 || { echo "package: npm is not installed" >&2; exit 1; }

host="$(rustc -vV | sed -n 's/^host: //p')"
version="$(sed -n 's/^version = "\(.*\)"/\1/p' "$repo/Cargo.toml" | head -1)"
target_dir="${CARGO_TARGET_DIR:-$repo/target}"
case "$target_dir" in /*) ;; *) target_dir="$repo/$target_dir" ;; esac

# A dist workspace beside the real one, for the host target only.
work="$target_dir/dist-host"
mkdir -p "$work"
rel="$(python3 -c 'import os,sys; print(os.path.relpath(sys.argv[1], sys.argv[2]))' "$repo" "$work")"
sed -e "s|^members = \[\"cargo:.\"\]|members = [\"cargo:$rel\"]|" \
  -e '/^targets = \[/,/^\]/c\
targets = ["'"$host"'"]' \
  "$repo/dist-workspace.toml" >"$work/dist-workspace.toml"
# dist writes the artifacts under the dist workspace's own target/distrib; cargo builds
# in the real target folder (target/<host>/dist), so an unchanged tree rebuilds nothing.
distrib="$work/target/distrib"
rm -rf "$distrib"
echo "package: dist build for $host (profile dist)" >&2
(cd "$work" && dist build --artifacts=all --output-format=json >"$work/dist-manifest.json")

case "$host" in
  *windows*) archive="higress-claw-$host.zip"; installers="higress-claw-installer.ps1" ;;
  *) archive="higress-claw-$host.tar.xz"; installers="higress-claw-installer.sh" ;;
esac
for file in "$archive" "$archive.sha256" $installers; do
  [ -f "$distrib/$file" ] || { echo "package: dist did not make $file" >&2; exit 1; }
  cp "$distrib/$file" "$out/$file"
done

# The npm packages, the platform one made from the archive as the release job does.
npm_work="$work/npm"
rm -rf "$npm_work"
mkdir -p "$npm_work/unpacked"
case "$archive" in
  *.zip) unzip -q "$out/$archive" -d "$npm_work/unpacked" ;;
  *) tar -xJf "$out/$archive" -C "$npm_work/unpacked" ;;
esac
bin="$(find "$npm_work/unpacked" -type f \( -name higress-claw -o -name higress-claw.exe \) | head -1)"
platform_dir="$(node "$repo/npm/build.mjs" platform "$host" "$bin" "$version" "$npm_work")"
launcher_dir="$(node "$repo/npm/build.mjs" launcher "$version" "$npm_work")"
rm -f "$out"/higress-claw-*.tgz
for dir in "$launcher_dir" "$platform_dir"; do
  (cd "$out" && npm pack "$dir" --silent --pack-destination "$out" >/dev/null)
done

echo "package: $out" >&2
(cd "$out" && ls -l "$archive" "$archive.sha256" $installers ./*.tgz) >&2
