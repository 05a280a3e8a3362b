"""The Python side of the sandbox benchmarks (bench/*/peer.py): plain
urllib calls and the same measurement lines as bench/lib/sandbox_bench.lua.

    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
    from sandbox_peer import call, measurer
"""
import json
import time
import urllib.request


def call(method, url, body=None, headers=None):
    """One request; a body is sent as JSON. Returns the parsed answer or None."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None and not req.has_header("Content-type"):
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req) as r:
        text = r.read()
    return json.loads(text) if text else None


def measurer(base, total, latency, counts):
    """measure(work, fn): clears the sandbox's request log, times fn (which
    returns how many items it handled), checks that count and prints
    work, requests (those whose path `counts` accepts), bound seconds, seconds."""
    def measure(work, fn):
        call("DELETE", base + "/_sandbox/requests")
        start = time.monotonic()
        n = fn()
        seconds = time.monotonic() - start
        assert n == total, (work, n)
        log = call("GET", base + "/_sandbox/requests")["requests"]
        requests = sum(1 for r in log if counts(r["path"]))
        print(f"{work}\t{requests}\t{requests * latency / 1000:.3f}\t{seconds:.3f}", flush=True)
    return measure
