#!/usr/bin/env python3
"""A store written only by short-lived commands, over time.

Runs N writing commands, each its own process and no serve running, cycling
through `--mix` (default `vigy add` of a new vigy, `vigy tick` of one of
them, `vigy kv set`), against a fresh store per binary. Reports the write-ahead
log's largest size, the store's size at the end, and the median wall time of
the first and last `--window` commands: a store whose cost follows its
history instead of its work shows as a last/first ratio above 1 and a log
that grows with N.

    python3 bench/run_wal.py --vigy build/vigy [--vigy other/vigy] [--commands 20000]

With two binaries (before and after a change) they run one after the other
on their own stores, and one table shows both.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time


def run_one(vigy, store, workdir, commands, window, sample_every, mix):
    env = dict(os.environ, VIGY_DB=store, NO_COLOR="1")
    program = os.path.join(workdir, "tick.vigy")
    with open(program, "w") as f:
        f.write('(vigy-set "n" (+ 1 (or (vigy-get "n") 0)))\n')
    times = []
    largest_wal = 0
    added = 0
    wal = store + "-wal"
    for i in range(commands):
        step = mix[i % len(mix)]
        if step == "add" or added == 0:
            args = [vigy, "add", program, "--name", f"v{added}", "--every", "1h"]
            added += 1
        elif step == "tick":
            args = [vigy, "tick", f"v{(i // len(mix)) % added}"]
        else:
            args = [vigy, "kv", f"v{(i // len(mix)) % added}", "set", f"k{i % 50}", str(i)]
        start = time.perf_counter()
        done = subprocess.run(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            sys.exit(f"{' '.join(args)} failed ({done.returncode}): {done.stderr.decode().strip()}")
        if i % sample_every == 0 or i == commands - 1:
            try:
                largest_wal = max(largest_wal, os.path.getsize(wal))
            except FileNotFoundError:
                pass
    first = statistics.median(times[:window]) * 1000
    last = statistics.median(times[-window:]) * 1000
    return {
        "largest_wal": largest_wal,
        "store": os.path.getsize(store),
        "first_ms": first,
        "last_ms": last,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--vigy", action="append", required=True, help="binary (repeatable)")
    parser.add_argument("--commands", type=int, default=20000)
    parser.add_argument("--window", type=int, default=300)
    parser.add_argument("--sample-every", type=int, default=10, help="commands between log size samples")
    parser.add_argument("--mix", default="add,tick,kv",
                        help="the commands, in turn, comma-separated: add, tick, kv")
    args = parser.parse_args()
    mix = args.mix.split(",")
    if not mix or any(m not in ("add", "tick", "kv") for m in mix):
        sys.exit("--mix takes add, tick and kv, comma-separated")
    if args.commands < 2 * args.window:
        sys.exit("--commands must be at least twice --window")

    rows = []
    for vigy in args.vigy:
        with tempfile.TemporaryDirectory() as workdir:
            store = os.path.join(workdir, "vigy.db")
            rows.append((vigy, run_one(os.path.abspath(vigy), store, workdir, args.commands,
                                       args.window, args.sample_every, mix)))

    print(f"{args.commands} short-lived writing commands ({', '.join(mix)} in turn), no serve")
    print()
    print("| binary | largest log (MB) | store (MB) | first "
          f"{args.window} median (ms) | last {args.window} median (ms) | last/first |")
    print("|---|---:|---:|---:|---:|---:|")
    for vigy, r in rows:
        print(f"| {vigy} | {r['largest_wal'] / 1e6:.2f} | {r['store'] / 1e6:.2f} | "
              f"{r['first_ms']:.1f} | {r['last_ms']:.1f} | {r['last_ms'] / r['first_ms']:.2f} |")
    print()
    for vigy, r in rows:
        met = r["largest_wal"] < 4e6 and r["last_ms"] <= 1.25 * r["first_ms"]
        print(f"{vigy}: target (log under 4 MB, last commands within 1.25x of the first): "
              f"{'met' if met else 'not met'}")


if __name__ == "__main__":
    main()
