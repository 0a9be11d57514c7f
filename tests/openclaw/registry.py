#!/usr/bin/env python3
"""A read-only npm registry of local tarballs, for the OpenClaw tests.

Usage: registry.py PORT TARBALL... Serves, on 127.0.0.1:PORT, the packument of every
package in the tarballs (`npm pack` output) at /<name> (scoped names as /@scope%2fname
too) and each tarball at /-/<file name>; anything else is a 404, as the public registry
answers for a package that does not exist. The tests fill an npm cache through it once
(`npm cache add NAME@VERSION`), stop it, and install offline from that cache.
"""
import base64
import hashlib
import json
import os
import sys
import tarfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

PORT, TARBALLS = int(sys.argv[1]), sys.argv[2:]
BASE = "http://127.0.0.1:%d" % PORT


def manifest(path):
    with tarfile.open(path, "r:gz") as tar:
        return json.load(tar.extractfile("package/package.json"))


PACKUMENTS, FILES = {}, {}
for path in TARBALLS:
    data = open(path, "rb").read()
    meta = manifest(path)
    name, version, file = meta["name"], meta["version"], os.path.basename(path)
    FILES[file] = data
    meta["dist"] = {
        "tarball": "%s/-/%s" % (BASE, file),
        "shasum": hashlib.sha1(data).hexdigest(),
        "integrity": "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode(),
    }
    doc = PACKUMENTS.setdefault(name, {"name": name, "dist-tags": {}, "versions": {}})
    doc["versions"][version] = meta
    doc["dist-tags"]["latest"] = version


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, code, body, kind="application/json"):
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        path = unquote(self.path.split("?")[0])
        if path.startswith("/-/") and path[3:] in FILES:
            return self.reply(200, FILES[path[3:]], "application/octet-stream")
        doc = PACKUMENTS.get(path.lstrip("/"))
        if doc is None:
            return self.reply(404, b'{"error":"Not found"}')
        self.reply(200, json.dumps(doc).encode())


ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
