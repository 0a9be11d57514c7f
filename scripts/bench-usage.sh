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

python3 - "$logs" "$size_mb" tests/fixtures/access-log/deepseek-chat.log tests/fixtures/access-log/deepseek-chat-stream.log <<'PY'
import json, random, sys, time
logs, size_mb, *fixtures = sys.argv[1:]
random.seed(7)
templates = [open(f).read().strip() for f in fixtures]
providers = [("deepseek", ["deepseek-chat", "deepseek-reasoner"]), ("moonshot", ["kimi-k2", "kimi-latest"]),
             ("zhipuai", ["glm-5", "glm-4-flash"]), ("openai", ["gpt-4o", "gpt-4o-mini"])]
envoy = "2026-12-01T00:00:00.000000Z\tinfo\tenvoy upstream\tlds: add/update listener 'listener-0.0.0.0_8080'\n"
now = time.time()
def line(t):
    provider, models = random.choice(providers)
    model = random.choice(models)
    status = random.choice([200] * 19 + [429])
    inp, out = random.randint(10, 4000), random.randint(1, 2000)
    dur = int(random.lognormvariate(6.5, 0.8))
    start = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".%03dZ" % random.randint(0, 999)
    ai = json.dumps({"api": "-", "chat_id": "chatcmpl-%08x" % random.getrandbits(32), "chat_round": 1,
                     "input_token": inp, "model": model, "output_token": out, "response_type": "normal",
                     "total_token": inp + out, "llm_service_duration": dur}, separators=(",", ":"))
    rec = json.loads(random.choice(templates).replace('\\"', "'"))  # field order of the image's format
    rec.update(duration=str(dur), response_code=str(status), start_time=start,
               route_name="ai-route-%s.internal" % provider,
               upstream_cluster="outbound|443||llm-%s.internal.dns" % provider)
    rec["ai_log"] = "@AI@"
    return json.dumps(rec, separators=(",", ":")).replace('"@AI@"', '"' + ai.replace('"', '\\"') + '"') + "\n"
total = int(size_mb) * 1024 * 1024
files = 10
per_file = total // files
t = now - 10 * 86400
step = 10 * 86400 / (total / 1100)
for n in range(files, 0, -1):
    name = "gateway.log.%d" % (n - 1) if n > 1 else "gateway.log"
    with open("%s/%s" % (logs, name), "w") as f:
        written = 0
        while written < per_file:
            chunk = []
            for _ in range(1000):
                r = random.random()
                s = envoy if r < 0.05 else line(t)
                t += step
                chunk.append(s)
            if n == 1 and written == 0:
                chunk.append('{"ai_log":"{\\"model\\":\\"cut-short\n')
            s = "".join(chunk)
            f.write(s)
            written += len(s)
PY
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
