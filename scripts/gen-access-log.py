#!/usr/bin/env python3
"""Writes a gateway log of about SIZE_MB into DIR as supervisord leaves it: gateway.log.9
(oldest) ... gateway.log.1, gateway.log, in the all-in-one image's access-log format
(the fields and order of tests/fixtures/access-log), over the last 10 days, with
varied providers, models, statuses, tokens and durations, 5% Envoy lines and one
line cut short. Usage: scripts/gen-access-log.py DIR SIZE_MB (run from the checkout)."""
import json, random, sys, time
logs, size_mb = sys.argv[1:3]
fixtures = ["tests/fixtures/access-log/deepseek-chat.log", "tests/fixtures/access-log/deepseek-chat-stream.log"]
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
step = 10 * 86400 / (total / 1030)  # about 1,030 bytes a line, Envoy lines included
for n in range(files, 0, -1):
    name = "gateway.log.%d" % (n - 1) if n > 1 else "gateway.log"
    with open("%s/%s" % (logs, name), "w") as f:
        written = 0
        while written < per_file:
            chunk = []
            for _ in range(1000):
                r = random.random()
                s = envoy if r < 0.05 else line(t)
                t = min(t + step, now)
                chunk.append(s)
            if n == 1 and written == 0:
                chunk.append('{"ai_log":"{\\"model\\":\\"cut-short\n')
            s = "".join(chunk)
            f.write(s)
            written += len(s)
