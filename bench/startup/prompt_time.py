#!/usr/bin/env python3
"""Time from starting `lunet repl` on a pseudo-terminal to its first prompt.
Usage: prompt_time.py LUNET [RUNS]. Prints min / median / max in ms."""
import os, pty, select, statistics, subprocess, sys, tempfile, time

lunet = sys.argv[1]
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 20
home = tempfile.mkdtemp(prefix="lunet-bench-")
env = dict(os.environ, TERM="xterm", NO_COLOR="1", XDG_STATE_HOME=home, XDG_CONFIG_HOME=home, LUNET_CONFIG="")
times = []
for _ in range(runs):
    master, slave = pty.openpty()
    start = time.perf_counter()
    p = subprocess.Popen([lunet, "repl"], stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True)
    os.close(slave)
    out = b""
    while b"\n> " not in out and time.perf_counter() - start < 10:
        ready, _, _ = select.select([master], [], [], 0.01)
        if ready:
            out += os.read(master, 4096)
    times.append((time.perf_counter() - start) * 1000)
    os.write(master, b"\x04")
    p.wait(timeout=10)
    os.close(master)
print(f"lunet repl, first prompt: min {min(times):.1f} ms, median {statistics.median(times):.1f} ms, max {max(times):.1f} ms ({runs} runs)")
