"""The peer: a sequential Python urllib loop over the same sandbox pages."""
import json
import sys
import time
import urllib.request

base, total, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
start = time.monotonic()
count, offset = 0, 0
while True:
    with urllib.request.urlopen(f"{base}/items?offset={offset}&limit={size}&total={total}") as r:
        page = json.load(r)
    count += len(page["items"])
    if not page.get("next"):
        break
    offset += size
assert count == total, count
print(f"{time.monotonic() - start:.2f}")
