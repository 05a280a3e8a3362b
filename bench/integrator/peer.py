"""The peer: the same paged export as bench.lua, sequentially, with Python urllib.

Usage: python3 bench/integrator/peer.py SANDBOX_URL TOTAL LATENCY_MS
Prints: work, requests, bound seconds, seconds (tab-separated), one line each.
Runs after bench.lua, which loaded the records.
"""
import json
import sys
import time
import urllib.request

base, total, latency = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
api = base + "/integrator/v1"
auth = {"Authorization": "Bearer integrator-sandbox-token", "Content-Type": "application/json"}
CONNECTION = "5a1498b3bc227369ab2aa77b"


def call(method, url, body=None, headers=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    with urllib.request.urlopen(req) as r:
        text = r.read()
    return json.loads(text) if text else None


def export(page_size):
    model = {"rest": {"relativeURI": "/bench"}, "pageSize": page_size}
    body, n, last = {"export": model}, 0, None
    while True:
        answer = call("POST", f"{api}/connections/{CONNECTION}/export/pages", body, auth)
        for record in answer["data"]:
            n += 1
            last = record["code"]
        state = answer.get("pagedExportState")
        if not state or state.get("done"):
            return n, last
        body = {"export": model, "pagedExportState": state}


def measure(work, page_size):
    call("DELETE", base + "/_sandbox/requests")
    start = time.monotonic()
    n, last = export(page_size)
    seconds = time.monotonic() - start
    assert n == total and last == f"R{total:06d}", (work, n, last)
    log = call("GET", base + "/_sandbox/requests")["requests"]
    requests = sum(1 for r in log if "/export/pages" in r["path"])
    print(f"{work}\t{requests}\t{requests * latency / 1000:.3f}\t{seconds:.3f}", flush=True)


measure("export_pages, pageSize 100", 100)
measure("export_pages, pageSize 1000", 1000)
