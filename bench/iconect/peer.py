"""The peer: the same iCONECT work as bench.lua, sequentially, with Python urllib.

Usage: python3 bench/iconect/peer.py SANDBOX_URL TOTAL LATENCY_MS
Prints: work, requests, bound seconds, seconds (tab-separated), one line each.
"""
import json
import sys
import time
import urllib.parse
import urllib.request

base, total, latency = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
BATCH, PAGE = 500, 500
api = base + "/iconect/api/v1"

form = urllib.parse.urlencode({"grant_type": "password", "username": "sandbox", "password": "sandbox-password",
                               "client_id": "lunet-sandbox", "scope": "openid iconect_api"}).encode()
with urllib.request.urlopen(urllib.request.Request(base + "/iconect/identity/openid/token", data=form, method="POST")) as r:
    auth = {"Authorization": "Bearer " + json.load(r)["access_token"], "Accept": "application/json"}


def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(api + path, data=data, method=method, headers=auth)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req) as r:
        text = r.read()
    return json.loads(text) if text else None


def report(work, requests, seconds):
    print(f"{work}\t{requests}\t{requests * latency / 1000:.3f}\t{seconds:.3f}")


project = call("POST", "/projects", {"name": "peer", "project_template_id": 3})["id"]

start, requests, created = time.monotonic(), 0, 0
for first in range(1, total + 1, BATCH):
    batch = [{"field_data": {"2": f"B{i:08d}", "3": f"Benchmark record {i}", "4": f"Custodian {i % 17}", "6": i % 300}}
             for i in range(first, min(first + BATCH, total + 1))]
    answer = call("POST", f"/projects/{project}/records", {"records": batch})
    requests += 1
    created += len(answer["new_records_list"])
assert created == total, created
report("create", requests, time.monotonic() - start)

start, requests, n, page = time.monotonic(), 0, 0, 1
while True:
    items = call("GET", f"/projects/{project}/records?page={page}&page_size={PAGE}")
    requests += 1
    n += len(items)
    if len(items) < PAGE:
        break
    page += 1
assert n == total, n
report("list", requests, time.monotonic() - start)
