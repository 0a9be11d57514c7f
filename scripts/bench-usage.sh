#!/usr/bin/env bash
# Wall time and peak memory (/usr/bin/time -v) of `higress-claw usage` on a generated
# gateway log of about SIZE_MB (default 1024): the rotated files supervisord writes,
# in the image's access-log format (the fixtures of tests/fixtures/access-log with
# varied models, providers, tokens, durations and times over the last 10 days), with
# Envoy's own lines, console requests and one malformed line mixed in.
# Usage: scripts/bench-usage.sh [SIZE_MB]   (builds the release binary first; needs GNU time)
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb="${1:-1024}"
cargo build --release --quiet
bin="$PWD/target/release/higress-claw"
work="${BENCH_DIR:-$(mktemp -d)}"
trap '[ -n "${BENCH_DIR:-}" ] || rm -rf "$work"' EXIT
logs="$work/data/logs"
mkdir -p "$logs"

# BENCH_DIR keeps the log between runs: it is generated only once.
[ -s "$logs/gateway.log" ] || python3 scripts/gen-access-log.py "$logs" "$size_mb"
bytes=$(cat "$logs"/gateway.log* | wc -c)
echo "log: $(ls "$logs" | wc -l) files, $bytes bytes ($(awk -v b="$bytes" 'BEGIN {printf "%.2f", b / 1073741824}') GiB)"

for since in all 24h; do
  cat "$logs"/gateway.log* >/dev/null # warm the page cache: measure parsing, not the disk
  t0=$EPOCHREALTIME
  /usr/bin/time -v -o "$work/time.txt" "$bin" usage --since "$since" --data-dir "$work/data" >"$work/out.txt" 2>"$work/err.txt"
  t1=$EPOCHREALTIME
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}')
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2 / 1024}' "$work/time.txt")
  printf 'usage --since %-4s %6s s   %5.2f GB/s   peak RSS %s MB\n' "$since" "$secs" \
    "$(awk -v b="$bytes" -v s="$secs" 'BEGIN {print b / 1e9 / s}')" "$rss"
done
tail -n 4 "$work/out.txt"
cat "$work/err.txt"
