"""The peer: the same CoreData work as bench.lua, sequentially, with Python urllib.

Usage: python3 bench/coredata/peer.py SANDBOX_URL TOTAL LATENCY_MS FOLDER_ID
Prints: work, requests, bound seconds, seconds (tab-separated), one line each.
       python3 bench/coredata/peer.py setup SANDBOX_URL TOTAL
Loads the demo data and uploads TOTAL small files into one folder over one
keep-alive connection; prints the folder's id and how many files it holds
(the demo's own files included), the TOTAL the measurements then expect.
The feed is what a careful hand-written script does: page modified__gte,
skip (id, snapshot_id) pairs already seen, write a JSON checkpoint after
every page, and poll once more at the end.
"""
import json
import os
import sys
import tempfile
import urllib.parse
import urllib.request
import uuid
import http.client


def setup(base, total):
    urllib.request.urlopen(urllib.request.Request(base + "/_sandbox/faults", data=b"", method="PUT")).read()
    for step in ("reset", "seed/demo"):
        urllib.request.urlopen(urllib.request.Request(base + "/_sandbox/" + step, method="POST")).read()
    u = urllib.parse.urlparse(base)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    key = {"Authorization": "apikey lunet:coredata-sandbox-key"}
    c.request("GET", "/coredata/api/v2/folders/?limit=1", headers=key)
    folder = json.loads(c.getresponse().read())["objects"][0]["id"]
    for i in range(total):
        b = "b" + uuid.uuid4().hex
        body = (f"--{b}\r\nContent-Disposition: form-data; name=\"filename\"\r\n\r\nbench-{i:05d}.txt\r\n"
                f"--{b}\r\nContent-Disposition: form-data; name=\"folder\"\r\n\r\n{folder}\r\n"
                f"--{b}\r\nContent-Disposition: form-data; name=\"content\"; filename=\"f.txt\"\r\n"
                f"Content-Type: text/plain\r\n\r\nbench file\n\r\n--{b}--\r\n").encode()
        c.request("POST", "/coredata/api/v3/files/", body, dict(key, **{"Content-Type": "multipart/form-data; boundary=" + b}))
        r = c.getresponse()
        r.read()
        assert r.status == 201, r.status
    c.request("GET", "/coredata/api/v2/files/?limit=1&parent=" + folder, headers=key)
    count = json.loads(c.getresponse().read())["meta"]["total_count"]
    print(f"{folder} {count}")


if sys.argv[1] == "setup":
    setup(sys.argv[2], int(sys.argv[3]))
    sys.exit(0)

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from sandbox_peer import call, measurer  # noqa: E402

base, total, latency, folder = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
origin = base
auth = {"Authorization": "apikey lunet:coredata-sandbox-key", "Accept": "application/json"}


def pages(query):
    url = base + "/coredata/api/v2/files/?" + urllib.parse.urlencode(query)
    while url:
        body = call("GET", url, headers=auth)
        yield body["objects"]
        nxt = body["meta"]["next"]
        url = origin + nxt if nxt else None


measure = measurer(base, total, latency, lambda path: path.startswith("/coredata/api/"))


def page(size):
    return sum(len(p) for p in pages({"parent": folder, "limit": size, "offset": 0}))


def feed():
    # wire.md's recipe: the checkpoint is the newest modified seen plus the
    # (id, snapshot_id) pairs at exactly that second. (It loses a change
    # made during a pass to an object the pass already read when a later
    # object changes in a later second; lunet's feed re-reads a window to
    # avoid that, see docs/coredata.md.)
    checkpoint = os.path.join(tempfile.mkdtemp(), "checkpoint.json")
    since, seen, n = "1970-01-01T00:00:00", {}, 0
    while True:
        new, newest = 0, since
        for objects in pages({"parent": folder, "modified__gte": since, "limit": 500, "offset": 0}):
            for o in objects:
                key = (o["id"], o["snapshot_id"])
                if key not in seen:
                    seen[key] = o["modified"]
                    new += 1
                newest = max(newest, o["modified"])
            with open(checkpoint, "w") as f:
                json.dump({"since": since, "seen": sorted(seen)}, f)
        n += new
        since = newest
        seen = {k: m for k, m in seen.items() if m >= since}
        if new == 0:
            return n


for size in (100, 1000):
    measure(f"page {size}", lambda: page(size))
measure("feed", feed)
