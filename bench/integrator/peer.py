"""The peer: the same paged export as bench.lua, sequentially, with Python urllib.

Usage: python3 bench/integrator/peer.py SANDBOX_URL TOTAL LATENCY_MS
Prints: work, requests, bound seconds, seconds (tab-separated), one line each.
Runs after bench.lua, which loaded the records.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from sandbox_peer import call, measurer  # noqa: E402

base, total, latency = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
api = base + "/integrator/v1"
auth = {"Authorization": "Bearer integrator-sandbox-token", "Content-Type": "application/json"}
CONNECTION = "5a1498b3bc227369ab2aa77b"


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


measure = measurer(base, total, latency, lambda path: "/export/pages" in path)


def counted_export(page_size):
    n, last = export(page_size)
    assert last == f"R{total:06d}", last
    return n


for size in (100, 1000):
    measure(f"export_pages, pageSize {size}", lambda: counted_export(size))
