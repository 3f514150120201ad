#!/usr/bin/env python3
"""Store benchmarks: the persisted tick path against raw SQLite, and list/add times.

Builds stores with `vigy add` (2,000 vigies running the shared bench's
reconcile.vigy, and 10,000 for the command-line timings), then, alternating
in rounds, times on fresh copies of them: `vigy tick --all` against
vigy_tick_baseline (the same rows written with raw SQLite, one transaction per
tick, same pragmas), `vigy list` with 10,000 vigies, and one `vigy add` into a
store of 10,000. Prints a markdown table of medians and says which targets of
bench/README.md were met.
"""

import argparse
import contextlib
import json
import os
import platform
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PROGRAM = "reconcile.vigy"

# The targets of bench/README.md.
TICK_RATIO_TARGET = 0.5  # vigy ticks/s divided by the baseline's
LIST_TARGET_S = 0.100
ADD_TARGET_S = 0.020

# Columns that hold times or fresh ids: they differ between any two ticks, so
# the row check leaves them out.
VOLATILE = {
    "runs": {"id", "started_at", "ended_at", "duration_ms"},
    "actions": {"run_id", "at"},
    "state": {"updated_at"},
    "runtime": {"last_tick_at", "last_run_at", "last_run_id"},
}
VOLATILE_KV_PREFIXES = ("__last_tick_ms", "__once/", "__rate/", "__converged/")


def log(message):
    print(message, file=sys.stderr, flush=True)


class Vigy:
    """The vigy binary, run against one store file at a time."""

    def __init__(self, binary):
        self.binary = binary

    def run(self, db, *args, check=True):
        env = dict(os.environ, NO_COLOR="1")
        completed = subprocess.run([self.binary, "--db", str(db), *args], capture_output=True,
                                   text=True, env=env)
        if check and completed.returncode != 0:
            raise RuntimeError("`vigy %s` exited %d: %s" % (" ".join(args), completed.returncode,
                                                             completed.stderr.strip()[:300]))
        return completed


def vigy_count(db):
    if not db.exists():
        return 0
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return conn.execute("SELECT count(*) FROM vigies").fetchone()[0]


def settle(db):
    """Folds any write-ahead log into the file, so copying the file alone copies the store."""
    conn = sqlite3.connect(db)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    for suffix in ("-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)


def fill(vigy, db, program, first, last):
    """Adds vigies r{first}..r{last-1} (five digits) with `vigy add`, one process each."""
    start = time.perf_counter()
    for i in range(first, last):
        vigy.run(db, "add", str(program), "--name", "r%05d" % i, "--every", "1s")
        done = i + 1 - first
        if done % 1000 == 0:
            log("  added %d of %d (%.0f s)" % (done, last - first, time.perf_counter() - start))
    settle(db)


def build_stores(vigy, program, store_dir, ticks, list_size):
    """The tick store (`ticks` vigies) and the list store (`list_size`), built
    with `vigy add`; kept in store_dir and reused when already there."""
    tick_db = store_dir / ("tick-%d.db" % ticks)
    list_db = store_dir / ("list-%d.db" % list_size)
    if vigy_count(tick_db) != ticks:
        log("building a store of %d vigies with `vigy add` ..." % ticks)
        tick_db.unlink(missing_ok=True)
        fill(vigy, tick_db, program, 0, ticks)
    if vigy_count(list_db) != list_size:
        have = 0
        list_db.unlink(missing_ok=True)
        if list_size >= ticks:
            shutil.copy2(tick_db, list_db)  # its first vigies are the tick store's
            have = ticks
        log("building a store of %d vigies with `vigy add` ..." % list_size)
        fill(vigy, list_db, program, have, list_size)
    return tick_db, list_db


def fresh_copy(source, work, name):
    """A copy of the store `source` in the private directory `work`."""
    target = work / name
    for suffix in ("", "-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    shutil.copy2(source, target)
    return target


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_command(argv, env=None):
    """Wall-clock seconds, CPU seconds (user + system) and the finished process."""
    cpu = children_cpu()
    start = time.perf_counter()
    completed = subprocess.run(argv, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    return (wall, children_cpu() - cpu), completed


def table_counts(db):
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return {t: conn.execute("SELECT count(*) FROM %s" % t).fetchone()[0]
                for t in ("runs", "actions", "state", "kv")}


def fingerprint(db, name):
    """The rows one tick left for vigy `name`, times and fresh ids left out."""
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        vid = conn.execute("SELECT id FROM vigies WHERE name = ?", (name,)).fetchone()[0]
        out = {}
        for table, order in (("runs", "tick"), ("actions", "run_id, seq"), ("state", "vigy_id"),
                             ("runtime", "vigy_id")):
            key = "vigy_id"
            rows = []
            for row in conn.execute("SELECT * FROM %s WHERE %s = ? ORDER BY %s"
                                    % (table, key, order), (vid,)):
                kept = {k: row[k] for k in row.keys() if k not in VOLATILE.get(table, ())}
                if table == "state":
                    conditions = json.loads(kept["conditions"])
                    for c in conditions:
                        c.pop("last_transition", None)
                    kept["conditions"] = conditions
                rows.append(kept)
            out[table] = rows
        kv = {}
        for key, value in conn.execute("SELECT key, value FROM kv WHERE vigy_id = ?", (vid,)):
            kv[key] = "<time>" if key.startswith(VOLATILE_KV_PREFIXES) else value
        out["kv"] = kv
        return out
    finally:
        conn.close()


def check_tick_store(db, ticks, per_tick_kv):
    """None if every vigy has exactly one committed tick, else what is wrong."""
    counts = table_counts(db)
    expected = {"runs": ticks, "actions": ticks, "state": ticks, "kv": ticks * per_tick_kv}
    if counts != expected:
        return "rows %s, expected %s" % (counts, expected)
    return None


def describe_difference(a, b):
    for table in a:
        if a[table] != b.get(table):
            return "%s: vigy %s, baseline %s" % (table, a[table], b.get(table))
    return "differ"


def fmt_ms(seconds):
    return "%.1f" % (seconds * 1000)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5,
                        help="timed runs per measurement, alternating (default 5)")
    parser.add_argument("--vigy",
                        default=os.environ.get("VIGY_BINARY", str(REPO / "build" / "vigy")),
                        help="the vigy binary (default: $VIGY_BINARY, else build/vigy)")
    parser.add_argument("--baseline", default=os.environ.get("VIGY_TICK_BASELINE"),
                        help="the vigy_tick_baseline binary (default: $VIGY_TICK_BASELINE, else "
                             "bench/vigy_tick_baseline or vigy_tick_baseline beside --vigy)")
    parser.add_argument("--bench-dir", default=None,
                        help="where %s is (default: $VIGY_SHARED/bench, else ../shared/bench)"
                             % PROGRAM)
    parser.add_argument("--ticks", type=int, default=2000,
                        help="vigies ticked per tick run (default 2000)")
    parser.add_argument("--list-size", type=int, default=10000,
                        help="vigies in the store for list and add (default 10000)")
    parser.add_argument("--store-dir", default=None,
                        help="keep the stores built with `vigy add` here and reuse them next "
                             "time (default: a temporary directory, removed afterwards)")
    args = parser.parse_args()

    shared = Path(os.environ.get("VIGY_SHARED", REPO.parent / "shared"))
    bench_dir = Path(args.bench_dir) if args.bench_dir else shared / "bench"
    program = bench_dir / PROGRAM
    vigy_path = Path(args.vigy).resolve()
    if not vigy_path.is_file() or not os.access(vigy_path, os.X_OK):
        sys.exit("run_store: no vigy binary at %s (build it, or pass --vigy)" % vigy_path)
    if args.baseline:
        baseline = Path(args.baseline).resolve()
    else:
        candidates = [vigy_path.parent / "bench" / "vigy_tick_baseline",
                      vigy_path.parent / "vigy_tick_baseline"]
        baseline = next((c for c in candidates if c.is_file()), candidates[0])
    if not baseline.is_file() or not os.access(baseline, os.X_OK):
        sys.exit("run_store: no baseline at %s (build the vigy_tick_baseline target, "
                 "or pass --baseline)" % baseline)
    if not program.is_file():
        sys.exit("run_store: no %s (set VIGY_SHARED or pass --bench-dir)" % program)
    if args.runs < 1 or args.ticks < 1 or args.list_size < 1:
        sys.exit("run_store: --runs, --ticks and --list-size must be at least 1")

    vigy = Vigy(str(vigy_path))
    temp = tempfile.TemporaryDirectory(prefix="vigy-store-bench-")
    root = Path(temp.name)  # mkdtemp makes it 0700, as a store's directory must be
    if args.store_dir:
        store_dir = Path(args.store_dir).resolve()
        store_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(store_dir, 0o700)
    else:
        store_dir = root / "stores"
        store_dir.mkdir(mode=0o700)
    work = root / "work"
    work.mkdir(mode=0o700)

    try:
        tick_db, list_db = build_stores(vigy, program, store_dir, args.ticks, args.list_size)
    except RuntimeError as e:
        sys.exit("run_store: building the stores failed: %s" % e)

    env = dict(os.environ, NO_COLOR="1")
    contenders = [
        ("vigy tick --all", lambda db: [str(vigy_path), "--db", str(db), "tick", "--all"]),
        ("baseline", lambda db: [str(baseline), "--db", str(db), "--count", str(args.ticks)]),
        ("baseline --lease",
         lambda db: [str(baseline), "--db", str(db), "--count", str(args.ticks), "--lease"]),
    ]
    tick_times = {name: [] for name, _ in contenders}
    problems = []
    failed = set()
    prints = {}

    # One untimed round of list and add first: the first process to open a
    # store file pays for reading it from disk.
    list_copy = fresh_copy(list_db, work, "list.db")
    add_copy = fresh_copy(list_db, work, "add.db")
    vigy.run(list_copy, "list", check=False)
    vigy.run(add_copy, "list", check=False)
    list_times, list_json_times, add_times = [], [], []
    list_problem = None
    list_json_problem = None
    add_problem = None
    adds = 0

    for round_no in range(args.runs):
        log("round %d of %d ..." % (round_no + 1, args.runs))
        # Alternate who goes first, so neither always runs on the warmer machine.
        order = contenders if round_no % 2 == 0 else list(reversed(contenders))
        for name, command in order:
            if name in failed:
                continue
            db = fresh_copy(tick_db, work, "tick.db")
            elapsed, completed = time_command(command(db), env)
            problem = None
            if completed.returncode != 0:
                problem = "exit %d: %s" % (completed.returncode, completed.stderr.strip()[:300])
            else:
                problem = check_tick_store(db, args.ticks, per_tick_kv=6)
                if problem is None and name not in prints:
                    prints[name] = fingerprint(db, "r%05d" % (args.ticks // 2))
            if problem:
                problems.append("%s: %s" % (name, problem))
                failed.add(name)
            else:
                tick_times[name].append(elapsed)

        if list_problem is None:
            elapsed, completed = time_command(
                [str(vigy_path), "--db", str(list_copy), "list"], env)
            rows = completed.stdout.count("\n")
            if completed.returncode != 0:
                list_problem = "exit %d: %s" % (completed.returncode, completed.stderr.strip()[:300])
            elif rows < args.list_size:
                list_problem = "printed %d lines for %d vigies" % (rows, args.list_size)
            else:
                list_times.append(elapsed)
        if list_json_problem is None:
            elapsed, completed = time_command(
                [str(vigy_path), "--db", str(list_copy), "--json", "list"], env)
            try:
                listed = len(json.loads(completed.stdout)) if completed.returncode == 0 else -1
            except json.JSONDecodeError:
                listed = -1
            if listed == args.list_size:
                list_json_times.append(elapsed)
            else:
                list_json_problem = "exit %d, %d entries for %d vigies" % (
                    completed.returncode, listed, args.list_size)

        if add_problem is None:
            name = "extra%05d" % adds
            adds += 1
            elapsed, completed = time_command(
                [str(vigy_path), "--db", str(add_copy), "add", str(program), "--name", name,
                 "--every", "1s"], env)
            if completed.returncode != 0:
                add_problem = "exit %d: %s" % (completed.returncode, completed.stderr.strip()[:300])
            else:
                add_times.append(elapsed)
    temp.cleanup()

    # The baseline must have written what vigy wrote, or the ratio means nothing.
    row_check = None
    if "vigy tick --all" in prints:
        for name in ("baseline", "baseline --lease"):
            if name in prints and prints[name] != prints["vigy tick --all"]:
                row_check = "%s wrote different rows than vigy (%s)" % (
                    name, describe_difference(prints["vigy tick --all"], prints[name]))
                problems.append(row_check)
    if list_problem:
        problems.append("vigy list: " + list_problem)
    if list_json_problem:
        problems.append("vigy --json list: " + list_json_problem)
    if add_problem:
        problems.append("vigy add: " + add_problem)

    def median(samples, which=0):
        """The median wall (which=0) or CPU (which=1) seconds, or None."""
        return statistics.median(x[which] for x in samples) if samples else None

    medians = {name: median(times) for name, times in tick_times.items()}
    rates = {name: args.ticks / m if m else None for name, m in medians.items()}
    vigy_rate = rates.get("vigy tick --all")

    print("Medians of %d alternating runs, whole process (start and exit included). Every tick "
          "run starts from a fresh copy of a store of %d vigies running %s, added with "
          "`vigy add` and never ticked; list and add use a store of %d. CPU = user + system "
          "time of the process; wall-clock time above it is waiting (disk syncs, or other work "
          "on the machine)." % (args.runs, args.ticks, PROGRAM, args.list_size))
    print()
    print("Machine: %s, %s, %d CPUs, load average %.1f at the end. %s"
          % (platform.node() or "?", platform.machine(), os.cpu_count() or 0,
             os.getloadavg()[0], time.strftime("%Y-%m-%d")))
    print()
    print("| tick path (%d vigies, once each) | wall s | CPU s | ticks/s | vigy/this (throughput) |"
          % args.ticks)
    print("|---|---:|---:|---:|---:|")
    for name, _ in contenders:
        m, r = medians[name], rates[name]
        if m is None:
            print("| %s | failed | – | – | – |" % name)
            continue
        ratio = "%.2f" % (vigy_rate / r) if vigy_rate else "–"
        print("| %s | %.3f | %.3f | %.0f | %s |"
              % (name, m, median(tick_times[name], 1), r, ratio))
    print()
    print("| command (%d vigies in the store) | wall ms | CPU ms |" % args.list_size)
    print("|---|---:|---:|")
    for label, times in (("vigy list", list_times), ("vigy --json list", list_json_times),
                         ("vigy add (one new vigy)", add_times)):
        if times:
            print("| %s | %s | %s |" % (label, fmt_ms(median(times)), fmt_ms(median(times, 1))))
        else:
            print("| %s | failed | – |" % label)

    if problems:
        print()
        print("Failed runs:")
        for p in problems:
            print("- " + p)

    print()
    base_rate = rates.get("baseline")
    if vigy_rate and base_rate and row_check is None:
        ratio = vigy_rate / base_rate
        print("- tick path: vigy/baseline throughput = %.2f, target at least %.1f: %s"
              % (ratio, TICK_RATIO_TARGET, "met" if ratio >= TICK_RATIO_TARGET else "NOT met"))
    else:
        print("- tick path: not measured")
    for label, times, target in (("list", list_times, LIST_TARGET_S),
                                 ("add", add_times, ADD_TARGET_S)):
        m = median(times)
        if m is None:
            print("- %s: not measured" % label)
        else:
            print("- %s: %s ms wall, target under %s ms: %s"
                  % (label, fmt_ms(m), fmt_ms(target), "met" if m < target else "NOT met"))
    vigy_failed = ("vigy tick --all" in failed or list_problem or list_json_problem
                   or add_problem or row_check is not None)
    return 1 if vigy_failed else 0


if __name__ == "__main__":
    sys.exit(main())
