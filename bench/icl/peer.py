"""The peer: the same iCL work as bench.lua, sequentially, with Python urllib.

Usage: python3 bench/icl/peer.py SANDBOX_URL TOTAL LATENCY_MS
Prints: work, requests, bound seconds, seconds (tab-separated), one line each.
"""
import json
import os
import sys
import tempfile
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from sandbox_peer import call, measurer  # noqa: E402

base, total, latency = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
BATCH, PAGE = 500, 100
api = base + "/icl/api"


call("POST", base + "/_sandbox/reset")  # forgets tokens too: get one afterwards
form = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": "5ec0ffee-1c1a-4d00-8a5e-000000000001",
                               "client_secret": "icl-sandbox-secret"}).encode()
with urllib.request.urlopen(urllib.request.Request(base + "/icl/token", data=form, method="POST")) as r:
    auth = {"Authorization": "Bearer " + json.load(r)["access_token"], "Accept": "application/json"}


def icl(method, path, body=None):
    return call(method, api + path, body, auth)


def unwrap(body):
    return body["result"] if isinstance(body, dict) and "__abp" in body else body


measure = measurer(base, total, latency, lambda path: path.startswith("/icl/api/"))


icl("POST", "/contenttype/meter", {
    "id": "b3c1e0a2-0000-4000-8000-00000000be7c", "name": "meter", "displayName": "Zähler", "titleFieldName": "name",
    "fields": [{"type": "ShortText", "name": "name", "displayName": "Name", "isRequired": True},
               {"type": "ShortText", "name": "ort", "displayName": "Ort", "isRequired": False},
               {"type": "Number", "name": "reading", "displayName": "Stand", "isRequired": False}]})


def upsert():
    stored = 0
    for first in range(1, total + 1, BATCH):
        batch = [{"externalId": f"M-{i:06d}", "name": f"Zähler {i}", "ort": "Wien", "reading": i}
                 for i in range(first, min(first + BATCH, total + 1))]
        summary = icl("PUT", "/content/meter/batch", batch)
        assert not summary.get("errored"), summary["errored"][:1]
        stored += len(summary["succeeded"])
    return stored


def page():
    n, skip = 0, 0
    while True:
        body = unwrap(icl("GET", f"/content/meter?$top={PAGE}&$skip={skip}&$inlinecount=allpages"))
        n += len(body["results"])
        if len(body["results"]) < PAGE:
            return n
        skip += PAGE


def feed():
    # The checkpoint: the token after each page, written durably (like lunet.state).
    fd, checkpoint = tempfile.mkstemp()
    os.close(fd)
    n, token = 0, "0"
    while True:
        body = icl("GET", f"/content/meter/getchanges?changeToken={urllib.parse.quote(token)}")
        results = body.get("Results") or body.get("results") or []
        n += len(results)
        token = body.get("NextChangeToken") or body.get("nextChangeToken")
        with open(checkpoint + ".tmp", "w") as f:
            f.write(token)
            f.flush()
            os.fsync(f.fileno())
        os.replace(checkpoint + ".tmp", checkpoint)
        if not results:
            os.remove(checkpoint)
            return n


measure("upsert", upsert)
measure("page", page)
measure("feed", feed)
