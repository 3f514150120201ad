#!/usr/bin/env python3
"""Language benchmarks: vigy side by side with Lua and Scheme interpreters.

Runs each workload of the shared bench directory (fib, loop, lists, maps) with
`vigy run` and with every peer that has a version of it, alternating the
contenders, several rounds, and prints a markdown table of median wall-clock
seconds and the ratio vigy/peer. Every run's result is checked: vigy's kv
"result" must equal what the peer prints. See bench/README.md.
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WORKLOADS = ["fib", "loop", "lists", "maps"]


class Contender:
    """One way of running a workload: a command line built from a file."""

    def __init__(self, name, ext, argv, env=None, warm=False):
        self.name = name
        self.ext = ext  # which file of the workload it runs
        self.argv = argv  # list; "{file}" is replaced by the workload's path
        self.env = env
        self.warm = warm  # run once untimed first (to fill a compile cache)

    def command(self, path):
        return [a.replace("{file}", str(path)) for a in self.argv]


def contenders(vigy, cache_root):
    """Every contender whose program is installed."""
    env = dict(os.environ)
    # Guile keeps compiled files under XDG_CACHE_HOME: give the compiler its
    # own cache, and the interpreter an empty one it will never fill.
    compiled_env = dict(env, XDG_CACHE_HOME=str(cache_root / "guile-compiled"))
    interp_env = dict(env, XDG_CACHE_HOME=str(cache_root / "guile-interp"))
    found = [Contender("vigy", "vigy", [vigy, "run", "--json", "{file}"])]
    if shutil.which("lua5.4"):
        found.append(Contender("lua5.4", "lua", ["lua5.4", "{file}"]))
    if shutil.which("guile"):
        found.append(Contender("guile --no-auto-compile", "scm",
                               ["guile", "--no-auto-compile", "{file}"], env=interp_env))
        found.append(Contender("guile (compiled)", "scm", ["guile", "{file}"],
                               env=compiled_env, warm=True))
    if shutil.which("tinyscheme"):
        found.append(Contender("tinyscheme", "scm", ["tinyscheme", "{file}"]))
    return found


def result_of(contender, completed):
    """The workload's result as text, or None with a reason."""
    if contender.name == "vigy":
        try:
            run = json.loads(completed.stdout)
        except json.JSONDecodeError:
            return None, "no JSON on stdout: " + completed.stderr.strip()[:200]
        if run.get("result") != "ok":
            return None, "run " + str(run.get("result")) + ": " + str(run.get("error"))
        if "result" not in run.get("kv", {}):
            return None, "no kv result"
        return json.dumps(run["kv"]["result"]), None
    if completed.returncode != 0:
        return None, "exit %d: %s" % (completed.returncode, completed.stderr.strip()[:200])
    return completed.stdout.strip(), None


def time_once(contender, path):
    start = time.perf_counter()
    completed = subprocess.run(contender.command(path), capture_output=True, text=True,
                               env=contender.env, cwd=path.parent)
    elapsed = time.perf_counter() - start
    return elapsed, completed


def bench_workload(name, bench_dir, found, runs):
    """{contender name: (median seconds or None, problem or None)} for one workload."""
    entrants = []
    for c in found:
        path = bench_dir / ("%s.%s" % (name, c.ext))
        if path.exists():
            entrants.append((c, path))
    for c, path in entrants:
        if c.warm:
            time_once(c, path)

    times = {c.name: [] for c, _ in entrants}
    results = {c.name: None for c, _ in entrants}
    problems = {c.name: None for c, _ in entrants}
    stderr = {c.name: "" for c, _ in entrants}
    for _ in range(runs):
        for c, path in entrants:
            if problems[c.name]:
                continue
            elapsed, completed = time_once(c, path)
            value, problem = result_of(c, completed)
            stderr[c.name] = completed.stderr.strip()
            if problem is None:
                if results[c.name] is not None and results[c.name] != value:
                    problem = "result changed between runs"
                results[c.name] = value
            problems[c.name] = problem
            times[c.name].append(elapsed)

    expected = results.get("vigy")
    out = {}
    for c, _ in entrants:
        problem = problems[c.name]
        if problem is None and c.name != "vigy" and expected is not None \
                and results[c.name] != expected:
            problem = "printed %r, vigy's kv result is %s" % (results[c.name][:60], expected)
            if stderr[c.name]:
                problem += " (stderr: %r)" % stderr[c.name][:100]
        median = statistics.median(times[c.name]) if times[c.name] and not problem else None
        out[c.name] = (median, problem)
    return out


def fmt_seconds(cell):
    median, problem = cell
    if problem:
        return "failed"
    return "%.3f" % median


def fmt_ratio(vigy_cell, peer_cell):
    if vigy_cell[1] or peer_cell[1] or not peer_cell[0]:
        return "–"
    return "%.2f" % (vigy_cell[0] / peer_cell[0])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per contender (default 5)")
    parser.add_argument("--vigy",
                        default=os.environ.get("VIGY_BINARY", str(REPO / "build" / "vigy")),
                        help="the vigy binary (default: $VIGY_BINARY, else build/vigy)")
    parser.add_argument("--bench-dir", default=None,
                        help="the workloads (default: $VIGY_SHARED/bench, else ../shared/bench)")
    parser.add_argument("workloads", nargs="*", default=WORKLOADS,
                        help="which workloads (default: %s)" % " ".join(WORKLOADS))
    args = parser.parse_args()

    shared = Path(os.environ.get("VIGY_SHARED", REPO.parent / "shared"))
    bench_dir = Path(args.bench_dir) if args.bench_dir else shared / "bench"
    vigy = str(Path(args.vigy).resolve())
    if not Path(vigy).is_file() or not os.access(vigy, os.X_OK):
        sys.exit("run_lang: no vigy binary at %s (build it, or pass --vigy)" % vigy)
    if not bench_dir.is_dir():
        sys.exit("run_lang: no workloads at %s (set VIGY_SHARED or pass --bench-dir)" % bench_dir)
    if args.runs < 1:
        sys.exit("run_lang: --runs must be at least 1")

    with tempfile.TemporaryDirectory(prefix="vigy-bench-") as cache:
        found = contenders(vigy, Path(cache))
        table = {}
        for name in args.workloads:
            print("running %s ..." % name, file=sys.stderr, flush=True)
            table[name] = bench_workload(name, bench_dir, found, args.runs)

    peers = [c.name for c in found if c.name != "vigy"]
    print("Median wall-clock seconds of %d alternating runs per contender (process start "
          "included); ratio = vigy / peer, lower is better for vigy." % args.runs)
    print()
    print("Machine: %s, %s, %d CPUs. %s" % (platform.node() or "?", platform.machine(),
                                            os.cpu_count() or 0, time.strftime("%Y-%m-%d")))
    print()
    header = ["workload", "vigy"] + peers + ["vigy/" + p for p in peers]
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|")
    problems = []
    vigy_failed = False
    for name, cells in table.items():
        vigy_cell = cells.get("vigy", (None, "missing"))
        row = [name, fmt_seconds(vigy_cell)]
        row += [fmt_seconds(cells[p]) if p in cells else "–" for p in peers]
        row += [fmt_ratio(vigy_cell, cells[p]) if p in cells else "–" for p in peers]
        print("| " + " | ".join(row) + " |")
        for contender, (_, problem) in cells.items():
            if problem:
                problems.append("%s / %s: %s" % (name, contender, problem))
                vigy_failed = vigy_failed or contender == "vigy"
    if problems:
        print()
        print("Failed runs:")
        for p in problems:
            print("- " + p)

    fib = table.get("fib", {})
    if "vigy" in fib and not fib["vigy"][1]:
        print()
        checks = [("lua5.4", "within 2x of Lua 5.4", lambda r: r <= 2.0),
                  ("guile --no-auto-compile", "at least 2x faster than guile --no-auto-compile",
                   lambda r: r <= 0.5)]
        for peer, goal, met in checks:
            if peer in fib and not fib[peer][1]:
                ratio = fib["vigy"][0] / fib[peer][0]
                print("- fib: %s: vigy/peer = %.2f, %s"
                      % (goal, ratio, "met" if met(ratio) else "NOT met"))
    # A peer that cannot run a workload (tinyscheme runs out of cells on
    # lists) is reported, not fatal; vigy failing or disagreeing is.
    return 1 if vigy_failed else 0


if __name__ == "__main__":
    sys.exit(main())
