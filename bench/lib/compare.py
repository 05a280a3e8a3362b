"""The table of a sandbox benchmark (bench/{icl,iconect,coredata,integrator}/run):
each lunet measurement against the latency bound and against the Python
peer's time for the same work, then the peer's own rows.

Usage: python3 bench/lib/compare.py LUNET_FILE PEER_FILE
LUNET_FILE lines: label, work, requests, bound seconds, seconds (tab-separated);
PEER_FILE lines: work, requests, bound seconds, seconds. Other lines are ignored.
"""
import sys


def rows(path, fields):
    return {line.split("\t")[0]: line.rstrip("\n").split("\t")[1:]
            for line in open(path) if line.count("\t") == fields - 1}


ours, peer = rows(sys.argv[1], 5), rows(sys.argv[2], 4)
print()
print(f"{'work':<44} {'requests':>8} {'bound s':>8} {'lunet s':>8} {'× bound':>8} {'peer s':>8} {'peer/lunet':>10}")
for label, (work, requests, bound, seconds) in ours.items():
    p = peer.get(work)
    ps = float(p[2]) if p else None
    print(f"{label:<44} {requests:>8} {float(bound):>8.2f} {float(seconds):>8.3f} {float(seconds)/float(bound):>8.2f}"
          f" {'' if ps is None else f'{ps:.3f}':>8} {'' if ps is None else f'{ps/float(seconds):.2f}':>10}")
for work, (requests, bound, seconds) in peer.items():
    print(f"{'python urllib, sequential: ' + work:<44} {requests:>8} {float(bound):>8.2f} {float(seconds):>8.3f}"
          f" {float(seconds)/float(bound):>8.2f}")
