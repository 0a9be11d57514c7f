#!/usr/bin/env python3
"""A stand-in for the gateway's OpenAI-compatible API, for the OpenClaw tests.

Usage: fake_gateway.py PORT LOGFILE. Every request is appended to LOGFILE as one JSON
line ({method, path, authorization, body}); POST .../chat/completions answers with a
fixed reply, as server-sent events when the request asks to stream.
"""
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, LOG = int(sys.argv[1]), sys.argv[2]
REPLY = "pong from the stand-in gateway"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def record(self, body):
        with open(LOG, "a") as log:
            entry = {"method": self.command, "path": self.path,
                     "authorization": self.headers.get("Authorization"), "body": body}
            log.write(json.dumps(entry) + "\n")

    def reply_json(self, code, payload):
        data = json.dumps(payload).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.record(None)
        self.reply_json(404, {"error": {"message": "not found"}})

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode() if length else ""
        try:
            body = json.loads(raw)
        except ValueError:
            body = raw
        self.record(body)
        if not self.path.endswith("/chat/completions") or not isinstance(body, dict):
            return self.reply_json(404, {"error": {"message": "not found: " + self.path}})
        model, now = body.get("model", ""), int(time.time())
        usage = {"prompt_tokens": 3, "completion_tokens": 5, "total_tokens": 8}
        if not body.get("stream"):
            return self.reply_json(200, {
                "id": "chatcmpl-standin", "object": "chat.completion", "created": now, "model": model,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": REPLY}, "finish_reason": "stop"}],
                "usage": usage})
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Connection", "close")
        self.end_headers()
        head = {"id": "chatcmpl-standin", "object": "chat.completion.chunk", "created": now, "model": model}
        for chunk in (
            {**head, "choices": [{"index": 0, "delta": {"role": "assistant", "content": REPLY}, "finish_reason": None}]},
            {**head, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
            {**head, "choices": [], "usage": usage},
        ):
            self.wfile.write(("data: " + json.dumps(chunk) + "\n\n").encode())
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()
        self.close_connection = True


ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
