#!/usr/bin/env python3
"""`vigy mcp` against its floor, the command line, and its bounds.

--ticks  N `vigy_tick` calls in one `vigy mcp` session against N `vigy tick`
         processes on the same store, alternating for R rounds: median
         milliseconds per tick of each, and their ratio.
--lines  the peak memory (max RSS) of `vigy mcp` reading one hostile line
         of the largest size it accepts (1 MiB of `{}` elements, of `[]`
         batch elements, of numbers), against reading nothing.

Progress goes to stderr, markdown to stdout.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROGRAM = '(vigy-incr "n")\n(vigy-noop)\n'
LINE_BYTES = 1 << 20


def mcp_ticks(vigy, db, n):
    lines = "".join(
        json.dumps({"jsonrpc": "2.0", "id": i, "method": "tools/call",
                    "params": {"name": "vigy_tick", "arguments": {"id": "c"}}}) + "\n"
        for i in range(n))
    start = time.perf_counter()
    out = subprocess.run([vigy, "--db", db, "mcp"], input=lines.encode(),
                         capture_output=True, check=True).stdout
    elapsed = time.perf_counter() - start
    answers = [json.loads(line) for line in out.splitlines()]
    assert len(answers) == n, "one answer per call"
    assert all(a["result"]["structuredContent"]["result"] == "ok" for a in answers)
    return elapsed


def cli_ticks(vigy, db, n):
    start = time.perf_counter()
    for _ in range(n):
        subprocess.run([vigy, "--db", db, "tick", "c"], capture_output=True, check=True)
    return time.perf_counter() - start


def bench_ticks(vigy, n, rounds):
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "vigy.db")
        source = os.path.join(tmp, "c.vigy")
        Path(source).write_text(PROGRAM)
        subprocess.run([vigy, "--db", db, "add", source, "--name", "c"],
                       capture_output=True, check=True)
        mcp, cli = [], []
        for r in range(rounds):
            mcp.append(mcp_ticks(vigy, db, n) / n * 1000)
            cli.append(cli_ticks(vigy, db, n) / n * 1000)
            print(f"round {r + 1}: mcp {mcp[-1]:.2f} ms/tick, cli {cli[-1]:.2f} ms/tick",
                  file=sys.stderr)
    m, c = statistics.median(mcp), statistics.median(cli)
    print(f"| {n} ticks of one vigy, {rounds} rounds | {m:.2f} | {c:.2f} | {m / c:.3f} |")


def hostile_lines():
    def fill(prefix, item, suffix):
        count = (LINE_BYTES - len(prefix) - len(suffix)) // (len(item) + 1)
        return prefix + ",".join([item] * count) + suffix + "\n"
    ping = '{"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":['
    return [("nothing", ""),
            ("1 MiB of {} in params", fill(ping, "{}", "]}}")),
            ("1 MiB of [] as a batch", fill("[", "[]", "]")),
            ("1 MiB of numbers in params", fill(ping, "0", "]}}"))]


def max_rss_kb(vigy, text):
    """The max RSS of `vigy mcp` reading `text`: measured in a forked child
    whose only child is that process (RUSAGE_CHILDREN is then its alone)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([vigy, "--db", os.path.join(tmp, "v.db"), "mcp"],
                           input=text.encode(), capture_output=True, check=True)
        os.write(write_end, str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss).encode())
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as f:
        kb = int(f.read())
    _, status = os.waitpid(pid, 0)
    assert status == 0
    return kb


def bench_lines(vigy):
    for name, text in hostile_lines():
        print(f"| {name} | {len(text)} | {max_rss_kb(vigy, text) / 1024:.1f} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vigy", default="build/vigy")
    parser.add_argument("--ticks", action="store_true")
    parser.add_argument("--lines", action="store_true")
    parser.add_argument("-n", type=int, default=200, help="ticks per round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if not args.ticks and not args.lines:
        args.ticks = args.lines = True
    vigy = os.path.abspath(args.vigy)
    if args.ticks:
        print("| workload | mcp ms/tick | cli ms/tick | mcp/cli |\n|---|---:|---:|---:|")
        bench_ticks(vigy, args.n, args.rounds)
        print()
    if args.lines:
        print("| one line read | bytes | max RSS MiB |\n|---|---:|---:|")
        bench_lines(vigy)


if __name__ == "__main__":
    main()
