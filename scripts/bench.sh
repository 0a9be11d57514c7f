#!/usr/bin/env bash
# Measures whole-process wall time and peak memory of the commands agents call most,
# with /usr/bin/time -v, on a folder holding every simple provider. Prints medians.
# Usage: scripts/bench.sh [RUNS]   (builds the release binary first)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-20}"
cargo build --release --quiet
bin="$PWD/target/release/higress-claw"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
data="$work/data"
export HOME="$work" NO_COLOR=1 TZ=Asia/Shanghai

"$bin" init -q --data-dir "$data" --deepseek-key sk-bench-0000 >/dev/null
i=0
for p in aliyun moonshot zhipuai minimax openai openrouter yi ai360 baichuan baidu claude cohere doubao fireworks github gemini grok groq mistral stepfun togetherai; do
  i=$((i + 1))
  "$bin" config add -q --data-dir "$data" --provider "$p" --key "sk-bench-$i" --models "bench$i-*" >/dev/null
done

measure() { # name, command...
  local name="$1"; shift
  local times=() mems=()
  for _ in $(seq "$runs"); do
    # /usr/bin/time reports wall time in 10 ms steps: time the process here instead.
    local t0=$EPOCHREALTIME
    /usr/bin/time -v -o "$work/time.txt" "$@" >/dev/null 2>&1
    local t1=$EPOCHREALTIME
    out=$(cat "$work/time.txt")
    times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {print (b - a) * 1000}')")
    mems+=("$(echo "$out" | awk -F': ' '/Maximum resident set size/ {print $2}')")
  done
  median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
  printf '%-28s median %6.1f ms   peak RSS %6s KiB   (%s runs)\n' "$name" "$(median "${times[@]}")" "$(median "${mems[@]}")" "$runs"
}

measure "config add (update key)" "$bin" config add -q --data-dir "$data" --provider deepseek --key sk-bench-rotated
measure "config list" "$bin" config list --data-dir "$data"
measure "config list --json" "$bin" config list --json --data-dir "$data"
measure "init (1 provider)" sh -c "rm -rf '$work/fresh' && '$bin' init -q --data-dir '$work/fresh' --openai-key sk-x"
