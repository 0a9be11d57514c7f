#!/usr/bin/env bash
# Whole-process wall time and peak memory (/usr/bin/time -v) of the commands agents
# call most, on a folder with every provider and 1,000 auto-routing rules.
# Usage: scripts/bench.sh [RUNS]   (builds the release binary first; needs GNU time)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-20}"
cargo build --release --quiet
bin="$PWD/target/release/higress-claw"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
data="$work/data"
export HOME="$work" NO_COLOR=1 TZ=Asia/Shanghai

# Every provider, each with its own model pattern and the companions it needs.
args=()
i=0
for stem in dashscope deepseek moonshot zhipuai minimax azure bedrock vertex openai openrouter yi ai360 \
  baichuan baidu claude cloudflare cohere dify doubao fireworks github gemini grok groq mistral \
  spark stepfun hunyuan togetherai coze longcat vllm generic; do
  i=$((i + 1))
  args+=("--$stem-key" "sk-bench-$i:secret" "--$stem-models" "bench$i-*")
done
# DeepL's requests name the plan as the model; Ollama and Triton take no key.
args+=(--deepl-key sk-bench-deepl --deepl-models Pro --ollama-models "bench-ollama-*" --triton-models "bench-triton-*")
args+=(--azure-service-url "https://bench.openai.azure.com/openai/deployments/d/chat/completions?api-version=2024-06-01"
  --bedrock-region us-east-1 --cloudflare-account-id acc --deepl-target-lang ZH --ollama-host 10.0.0.2
  --vllm-url http://10.0.0.3:8000/v1 --generic-url http://10.0.0.4:8000/v1 --triton-url http://10.0.0.5:8000)
"$bin" init -q --data-dir "$data" "${args[@]}" >/dev/null
"$bin" route enable -q --data-dir "$data" --default-model bench1-x >/dev/null
for n in $(seq 1000); do
  "$bin" route add -q --data-dir "$data" --model "bench$((n % 31 + 1))-x" --trigger "trigger $n|phrase $n" 2>/dev/null
done
echo "folder: $("$bin" config list --json --data-dir "$data" | grep -c '"id"') providers, $("$bin" route list --json --data-dir "$data" | grep -c '"pattern"') rules"

measure() { # name, command...
  local name="$1"; shift
  local times=() mems=()
  for _ in $(seq "$runs"); do
    # /usr/bin/time reports wall time in 10 ms steps: time the process here instead.
    local t0=$EPOCHREALTIME
    /usr/bin/time -v -o "$work/time.txt" "$@" >/dev/null 2>&1
    local t1=$EPOCHREALTIME
    times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {print (b - a) * 1000}')")
    mems+=("$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")")
  done
  median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
  printf '%-34s median %6.1f ms   peak RSS %6s KiB   (%s runs)\n' "$name" "$(median "${times[@]}")" "$(median "${mems[@]}")" "$runs"
}

measure "config add (update key)" "$bin" config add -q --data-dir "$data" --provider deepseek --key sk-bench-rotated
measure "config list" "$bin" config list --data-dir "$data"
measure "route add + route remove (2 runs)" sh -c "'$bin' route add -q --data-dir '$data' --model bench1-x --trigger x && '$bin' route remove -q --data-dir '$data' --rule-id 1000"
measure "route list --json" "$bin" route list --json --data-dir "$data"
measure "route test" "$bin" route test --data-dir "$data" "phrase 999 please"
