#!/usr/bin/env python3
"""Serve benchmarks: sustained load, peak throughput against raw SQLite, watch latency.

Three measurements of bench/README.md (Targets), each selectable on its own:

--sustained  `vigy serve` over N vigies (default 10,000) `--every 1s --jitter 1s`
             running the shared bench's reconcile.vigy, for a measuring window
             after a warm-up: ticks/s, start lateness (started_at - scheduled_at)
             p50/p99/max, serve's CPU share and peak resident memory.
--peak       N vigies all due at once (`--every 1h`), `vigy serve --once` against
             vigy_tick_baseline writing the same rows with grouped commits,
             alternating, several rounds: medians and the throughput ratio.
--watch      serve ticking 100 vigies every 200 ms while `vigy --json watch`
             runs; latency of each printed run = the time its line was read
             minus the run's ended_at (a lower bound of its commit time, so
             the figure is an upper bound of the real latency).

Without any of the three flags, all three run. Stores are built with `vigy
add` (several processes at once) into template files keyed by size and
schedule, and every measurement runs on a fresh copy. Progress goes to
stderr, the markdown to stdout. See bench/README.md.
"""

import argparse
import concurrent.futures
import contextlib
import datetime
import json
import os
import platform
import resource
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PROGRAM = "reconcile.vigy"

# The targets of bench/README.md.
LATENESS_P99_TARGET_MS = 20
CPU_SHARE_TARGET = 1.0  # cores
RSS_TARGET_MB = 100
PEAK_RATIO_TARGET = 0.5  # serve ticks/s divided by the baseline's
WATCH_P99_TARGET_MS = 250

# Columns that hold times, fresh ids or commit order: they differ between any
# two ticks, so the row check leaves them out.
VOLATILE = {
    "runs": {"id", "started_at", "ended_at", "duration_ms", "scheduled_at", "seq"},
    "actions": {"run_id", "at"},
    "state": {"updated_at"},
    "runtime": {"last_tick_at", "last_run_at", "last_run_id", "next_due_at"},
}
VOLATILE_KV_PREFIXES = ("__last_tick_ms", "__once/", "__rate/", "__converged/")

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

# Long-running processes started here (serve, watch): killed on the way out
# if something went wrong before they were stopped.
STARTED = []


def start(argv, **kwargs):
    proc = subprocess.Popen(argv, **kwargs)
    STARTED.append(proc)
    return proc


def log(message):
    print(message, file=sys.stderr, flush=True)


def load_average():
    return os.getloadavg()[0]


def now_ms():
    return int(time.time() * 1000)


def percentile(sorted_values, p):
    """Nearest-rank percentile of an ascending list (p in 0..100)."""
    if not sorted_values:
        return None
    rank = max(1, -(-len(sorted_values) * p // 100))  # ceil
    return sorted_values[min(len(sorted_values), int(rank)) - 1]


# --- stores -----------------------------------------------------------------


def vigy_count(db):
    if not db.exists():
        return 0
    try:
        with contextlib.closing(sqlite3.connect(db)) as conn:
            return conn.execute("SELECT count(*) FROM vigies").fetchone()[0]
    except sqlite3.Error:
        return 0


def settle(db):
    """Folds the write-ahead log into the file, so copying the file alone copies the store."""
    with contextlib.closing(sqlite3.connect(db)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for suffix in ("-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)


def remove_store(path):
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def add_vigies(vigy, db, program, names, schedule, adders):
    """`vigy add` of each name, `adders` processes at a time."""
    env = dict(os.environ, NO_COLOR="1")
    done = [0]
    lock = threading.Lock()
    start = time.perf_counter()

    def add(name):
        argv = [vigy, "--db", str(db), "add", str(program), "--name", name, *schedule]
        for attempt in range(10):
            completed = subprocess.run(argv, capture_output=True, text=True, env=env)
            if completed.returncode == 0:
                break
            # A retry of an add that did get in before failing finds its name taken.
            if attempt > 0 and "already" in completed.stderr:
                break
            time.sleep(0.05 * (attempt + 1))
        else:
            raise RuntimeError("`vigy add --name %s` exited %d: %s"
                               % (name, completed.returncode, completed.stderr.strip()[:300]))
        with lock:
            done[0] += 1
            if done[0] % 1000 == 0:
                log("  added %d of %d (%.0f s)" % (done[0], len(names),
                                                   time.perf_counter() - start))

    if not names:
        return
    add(names[0])  # creates the store before anyone else writes to it
    with concurrent.futures.ThreadPoolExecutor(max_workers=adders) as pool:
        for future in [pool.submit(add, name) for name in names[1:]]:
            future.result()


def template(vigy, program, store_dir, n, every, jitter, adders):
    """A store of n vigies s00000.. `--every EVERY [--jitter JITTER]`, built once."""
    path = store_dir / ("serve-%d-every%s-jitter%s.db" % (n, every, jitter or "0"))
    if vigy_count(path) == n:
        return path
    remove_store(path)
    building = store_dir / (path.name + ".building")
    remove_store(building)
    schedule = ["--every", every] + (["--jitter", jitter] if jitter else [])
    log("building a store of %d vigies (%s) with `vigy add`, %d at a time ..."
        % (n, " ".join(schedule), adders))
    add_vigies(vigy, building, program, ["s%05d" % i for i in range(n)], schedule, adders)
    settle(building)
    if vigy_count(building) != n:
        raise RuntimeError("the store built at %s has %d vigies, not %d"
                           % (building, vigy_count(building), n))
    os.replace(building, path)
    return path


def fresh_copy(source, work, name):
    target = work / name
    remove_store(target)
    shutil.copy2(source, target)
    return target


# --- processes ----------------------------------------------------------------


def proc_cpu_seconds(pid):
    """User + system CPU seconds of a live process (all its threads)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # After the command: state is field 3, utime 14, stime 15 (1-based).
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def proc_status_kb(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return None


def sleep_until(epoch_s):
    while True:
        left = epoch_s - time.time()
        if left <= 0:
            return
        time.sleep(min(left, 0.5))


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_command(argv, env):
    """(wall s, CPU s) of one process, and the finished process."""
    cpu = children_cpu()
    start = time.perf_counter()
    completed = subprocess.run(argv, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    return (wall, children_cpu() - cpu), completed


def stop(proc, sig, timeout=120):
    """Sends `sig` and waits; the exit code, or None if it had to be killed."""
    if proc.poll() is None:
        proc.send_signal(sig)
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return None


def tail(path, lines=5):
    try:
        return " | ".join(Path(path).read_text(errors="replace").strip().splitlines()[-lines:])
    except OSError:
        return ""


# --- sustained ----------------------------------------------------------------


def sustained(args, vigy, program, store_dir, work, env):
    jitter = None if args.no_jitter else args.every
    tmpl = template(vigy, program, store_dir, args.vigies, args.every, jitter, args.adders)
    db = fresh_copy(tmpl, work, "sustained.db")
    argv = [vigy, "--db", str(db), "serve"]
    if args.keep_runs is not None:
        argv += ["--keep-runs", str(args.keep_runs)]
    serve_log = work / "sustained-serve.log"
    load_start = load_average()
    log("sustained: serve over %d vigies, %d s warm-up, %d s measured ..."
        % (args.vigies, args.warmup, args.duration))
    started = time.time()
    with open(serve_log, "w") as err:
        proc = start(argv, stdout=subprocess.DEVNULL, stderr=err, env=env)
    window_start = started + args.warmup
    window_end = window_start + args.duration
    sleep_until(window_start)
    if proc.poll() is not None:
        return {"error": "serve exited %d during the warm-up: %s"
                % (proc.returncode, tail(serve_log))}
    cpu_start, wall_start = proc_cpu_seconds(proc.pid), time.time()
    rss_samples = []
    while time.time() < window_end and proc.poll() is None:
        time.sleep(min(1.0, max(0.0, window_end - time.time())))
        with contextlib.suppress(OSError):
            rss_samples.append(proc_status_kb(proc.pid, "VmRSS"))
    if proc.poll() is not None:
        return {"error": "serve exited %d while measuring: %s"
                % (proc.returncode, tail(serve_log))}
    cpu_end, wall_end = proc_cpu_seconds(proc.pid), time.time()
    # Let ticks due just before the end of the window start and commit.
    time.sleep(args.grace)
    hwm_kb = proc_status_kb(proc.pid, "VmHWM")
    cpu_total, wall_total = proc_cpu_seconds(proc.pid), time.time() - started
    load_end = load_average()
    code = stop(proc, signal.SIGTERM)
    result = {
        "command": " ".join(["vigy", "--db", "STORE"] + argv[3:]),
        "vigies": args.vigies,
        "every": args.every,
        "jitter": jitter,
        "load": (load_start, load_end),
        "exit": code,
        "cpu_share": (cpu_end - cpu_start) / (wall_end - wall_start),
        "cpu_share_total": cpu_total / wall_total,
        "hwm_mb": hwm_kb / 1024 if hwm_kb else None,
        "rss_end_mb": rss_samples[-1] / 1024 if rss_samples and rss_samples[-1] else None,
        "window_s": wall_end - wall_start,
    }
    if code != 0:
        result["error"] = "serve exited %s on SIGTERM: %s" % (code, tail(serve_log))
    ws, we = int(window_start * 1000), int(window_end * 1000)
    with contextlib.closing(sqlite3.connect("file:%s?mode=ro" % db, uri=True)) as conn:
        rows = conn.execute(
            "SELECT started_at - scheduled_at, duration_ms FROM runs "
            "WHERE scheduled_at >= ? AND scheduled_at < ?", (ws, we)).fetchall()
        result["failed"] = conn.execute(
            "SELECT count(*) FROM runs WHERE scheduled_at >= ? AND scheduled_at < ? "
            "AND result != 'ok'", (ws, we)).fetchone()[0]
        result["total_runs"] = conn.execute("SELECT count(*) FROM runs").fetchone()[0]
        result["store_mb"] = sum(os.path.getsize(str(db) + s) for s in ("", "-wal")
                                 if os.path.exists(str(db) + s)) / 2**20
    late = sorted(r[0] for r in rows)
    durations = sorted(r[1] for r in rows)
    result["ticks"] = len(late)
    result["expected_per_s"] = args.vigies * 1000 / parse_ms(args.every)
    result["expected"] = result["expected_per_s"] * args.duration
    result["ticks_per_s"] = len(late) / (args.duration)
    for p in (50, 90, 99):
        result["late_p%d" % p] = percentile(late, p)
    result["late_max"] = late[-1] if late else None
    result["duration_p50"] = percentile(durations, 50)
    result["duration_p99"] = percentile(durations, 99)
    remove_store(db)
    return result


def parse_ms(text):
    units = (("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000))
    for suffix, factor in units:
        if text.endswith(suffix) and text[:-len(suffix)].isdigit():
            return int(text[:-len(suffix)]) * factor
    return int(text)


def report_sustained(r):
    print("## Sustained load (`--sustained`)")
    print()
    if "ticks" not in r:
        print("Failed: %s" % r.get("error"))
        print()
        return False
    print("%d vigies `--every %s%s` running %s; command `%s`. Figures over runs whose "
          "scheduled_at falls in a %.0f s window after a warm-up; CPU share over the same window "
          "(/proc/PID/stat, all threads); peak RSS is VmHWM just before SIGTERM. Load average "
          "%.1f at the start, %.1f at the end."
          % (r["vigies"], r["every"], " --jitter %s" % r["jitter"] if r["jitter"] else "",
             PROGRAM, r["command"], r["window_s"], r["load"][0], r["load"][1]))
    print()
    print("| ticks/s | expected/s | late p50 ms | p90 | p99 | max | CPU (cores) | CPU µs/tick "
          "| peak RSS MB | tick duration p50/p99 ms | failed runs |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|")
    print("| %.0f | %.0f | %s | %s | %s | %s | %.2f | %s | %.1f | %s / %s | %d |"
          % (r["ticks_per_s"], r["expected_per_s"], r["late_p50"], r["late_p90"],
             r["late_p99"], r["late_max"], r["cpu_share"],
             "%.0f" % (r["cpu_share"] / r["ticks_per_s"] * 1e6) if r["ticks"] else "–",
             r["hwm_mb"] or 0, r["duration_p50"], r["duration_p99"], r["failed"]))
    print()
    print("Whole run (warm-up included): CPU share %.2f; serve exited %s on SIGTERM; %d runs in "
          "the store (%.0f MB with its WAL). A serve that falls behind still runs each late "
          "tick (its lateness counts) but skips the slots missed meanwhile, so it shows both as "
          "lateness and as ticks/s below the expected rate."
          % (r["cpu_share_total"], r["exit"], r["total_runs"], r["store_mb"]))
    print()
    ok = r["exit"] == 0
    met_late = r["late_p99"] is not None and r["late_p99"] < LATENESS_P99_TARGET_MS
    met_rss = r["hwm_mb"] is not None and r["hwm_mb"] < RSS_TARGET_MB
    met_rate = r["ticks"] >= 0.99 * r["expected"]
    print("- ticks: %d of %.0f expected in the window: %s" % (
        r["ticks"], r["expected"], "kept up" if met_rate else "NOT kept up"))
    print("- p99 start lateness %s ms, target under %d ms: %s"
          % (r["late_p99"], LATENESS_P99_TARGET_MS, "met" if met_late else "NOT met"))
    if met_rate:
        print("- CPU %.2f cores, target under %.0f: %s"
              % (r["cpu_share"], CPU_SHARE_TARGET,
                 "met" if r["cpu_share"] < CPU_SHARE_TARGET else "NOT met"))
    elif r["ticks"]:
        # Below the expected rate the CPU share says little: project it.
        projected = r["cpu_share"] / r["ticks_per_s"] * r["expected_per_s"]
        print("- CPU %.2f cores at %.0f ticks/s; at the expected %.0f ticks/s that is %.1f "
              "cores, target under %.0f: %s"
              % (r["cpu_share"], r["ticks_per_s"], r["expected_per_s"], projected,
                 CPU_SHARE_TARGET, "NOT met" if projected >= CPU_SHARE_TARGET else
                 "not shown (serve did not keep up)"))
    print("- peak RSS %.1f MB, target under %d MB: %s"
          % (r["hwm_mb"] or 0, RSS_TARGET_MB, "met" if met_rss else "NOT met"))
    if not ok:
        print("- %s" % r.get("error"))
    print()
    return ok


# --- peak ---------------------------------------------------------------------


def table_counts(db):
    with contextlib.closing(sqlite3.connect(db)) as conn:
        counts = {t: conn.execute("SELECT count(*) FROM %s" % t).fetchone()[0]
                  for t in ("runs", "actions", "state", "kv")}
        counts["runs with scheduled_at"] = conn.execute(
            "SELECT count(*) FROM runs WHERE scheduled_at IS NOT NULL").fetchone()[0]
        counts["distinct seq"] = conn.execute(
            "SELECT count(DISTINCT seq) FROM runs").fetchone()[0]
        counts["run_seq"] = conn.execute(
            "SELECT value FROM meta WHERE key = 'run_seq'").fetchone()[0]
        counts["runtime with next_due_at"] = conn.execute(
            "SELECT count(*) FROM runtime WHERE next_due_at IS NOT NULL").fetchone()[0]
        counts["leases held"] = conn.execute(
            "SELECT count(*) FROM runtime WHERE lease_owner IS NOT NULL").fetchone()[0]
        return counts


def expected_counts(n):
    return {"runs": n, "actions": n, "state": n, "kv": 6 * n, "runs with scheduled_at": n,
            "distinct seq": n, "run_seq": n, "runtime with next_due_at": n, "leases held": 0}


def fingerprint(db, name):
    """The rows one tick left for vigy `name`, times, fresh ids and order left out."""
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        vid = conn.execute("SELECT id FROM vigies WHERE name = ?", (name,)).fetchone()[0]
        out = {}
        for table, order in (("runs", "tick"), ("actions", "run_id, seq"), ("state", "vigy_id"),
                             ("runtime", "vigy_id")):
            rows = []
            for row in conn.execute("SELECT * FROM %s WHERE vigy_id = ? ORDER BY %s"
                                    % (table, order), (vid,)):
                kept = {k: row[k] for k in row.keys() if k not in VOLATILE.get(table, ())}
                if table == "state":
                    conditions = json.loads(kept["conditions"])
                    for c in conditions:
                        c.pop("last_transition", None)
                    kept["conditions"] = conditions
                rows.append(kept)
            out[table] = rows
        out["kv"] = {key: "<time>" if key.startswith(VOLATILE_KV_PREFIXES) else value
                     for key, value in conn.execute(
                         "SELECT key, value FROM kv WHERE vigy_id = ?", (vid,))}
        return out
    finally:
        conn.close()


def peak(args, vigy, baseline, program, store_dir, work, env):
    n = args.peak_vigies
    tmpl = template(vigy, program, store_dir, n, "1h", None, args.adders)
    batch = str(args.baseline_batch)
    contenders = [
        ("vigy serve --once", [vigy, "--db", "{db}", "serve", "--once"]),
        ("baseline --batch %s" % batch,
         [baseline, "--db", "{db}", "--count", str(n), "--batch", batch, "--scheduled"]),
        ("baseline --batch %s --lease" % batch,
         [baseline, "--db", "{db}", "--count", str(n), "--batch", batch, "--scheduled",
          "--lease"]),
    ]
    times = {name: [] for name, _ in contenders}
    prints = {}
    problems = []
    failed = set()
    load_start = load_average()
    sample = "s%05d" % (n // 2)
    for round_no in range(args.runs):
        log("peak: round %d of %d ..." % (round_no + 1, args.runs))
        order = contenders if round_no % 2 == 0 else list(reversed(contenders))
        for name, template_argv in order:
            if name in failed:
                continue
            db = fresh_copy(tmpl, work, "peak.db")
            argv = [a.replace("{db}", str(db)) for a in template_argv]
            elapsed, completed = time_command(argv, env)
            problem = None
            if completed.returncode != 0:
                problem = "exit %d: %s" % (completed.returncode, completed.stderr.strip()[:300])
            else:
                counts = table_counts(db)
                if counts != expected_counts(n):
                    problem = "rows %s, expected %s" % (counts, expected_counts(n))
                elif name not in prints:
                    prints[name] = fingerprint(db, sample)
            if problem:
                problems.append("%s: %s" % (name, problem))
                failed.add(name)
            else:
                times[name].append(elapsed)
            remove_store(db)
    row_check = None
    serve_print = prints.get(contenders[0][0])
    for name, _ in contenders[1:]:
        if serve_print is not None and name in prints and prints[name] != serve_print:
            for table in serve_print:
                if serve_print[table] != prints[name].get(table):
                    row_check = "%s wrote different %s rows than serve: %s vs %s" % (
                        name, table, prints[name].get(table), serve_print[table])
                    break
            problems.append(row_check)
    return {"n": n, "contenders": contenders, "times": times, "problems": problems,
            "row_check": row_check, "load": (load_start, load_average()), "batch": batch,
            "runs": args.runs}


def report_peak(r):
    n = r["n"]
    print("## Peak throughput (`--peak`)")
    print()
    print("%d vigies `--every 1h` (all due at once: never ticked) running %s. Medians of %d "
          "alternating runs, each on a fresh copy of the store; whole process, start and exit "
          "included; ticks/s = %d / wall. The baseline writes the same rows with raw SQLite, "
          "%s ticks per transaction (serve's largest batch is 512). After every run the store "
          "must hold exactly one run (with scheduled_at and a seq), one action, one state row, "
          "six kv rows and a next due time per vigy, no lease left, and the rows of one sample "
          "vigy must be the same for every contender (times, ids and seq left out). Load "
          "average %.1f at the start, %.1f at the end."
          % (n, PROGRAM, r["runs"], n, r["batch"], r["load"][0], r["load"][1]))
    print()
    print("| contender | wall s | CPU s | ticks/s | serve/this |")
    print("|---|---:|---:|---:|---:|")
    med = {name: statistics.median(x[0] for x in t) if t else None
           for name, t in r["times"].items()}
    serve_name = r["contenders"][0][0]
    serve_rate = n / med[serve_name] if med[serve_name] else None
    for name, _ in r["contenders"]:
        m = med[name]
        if m is None:
            print("| %s | failed | – | – | – |" % name)
            continue
        cpu = statistics.median(x[1] for x in r["times"][name])
        ratio = "%.2f" % (serve_rate / (n / m)) if serve_rate else "–"
        print("| `%s` | %.3f | %.3f | %.0f | %s |" % (name, m, cpu, n / m, ratio))
    print()
    if r["problems"]:
        print("Failed runs:")
        for p in r["problems"]:
            print("- " + p)
        print()
    base = med[r["contenders"][1][0]]
    ok = serve_rate is not None and r["row_check"] is None
    if ok and base:
        ratio = serve_rate / (n / base)
        print("- serve/baseline throughput %.2f, target at least %.1f: %s"
              % (ratio, PEAK_RATIO_TARGET, "met" if ratio >= PEAK_RATIO_TARGET else "NOT met"))
    else:
        print("- serve/baseline throughput: not measured")
    print()
    return ok


# --- watch --------------------------------------------------------------------


def parse_rfc3339_ms(text):
    moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return round(moment.timestamp() * 1000)


def watch(args, vigy, program, store_dir, work, env):
    n = args.watch_vigies
    jitter = None if args.no_jitter else args.watch_every
    tmpl = template(vigy, program, store_dir, n, args.watch_every, jitter, args.adders)
    db = fresh_copy(tmpl, work, "watch.db")
    serve_log = work / "watch-serve.log"
    load_start = load_average()
    log("watch: serve over %d vigies every %s, watch --json for %d s ..."
        % (n, args.watch_every, args.watch_duration))
    with open(serve_log, "w") as err:
        serve = start([vigy, "--db", str(db), "serve"], stdout=subprocess.DEVNULL, stderr=err,
                      env=env)
    time.sleep(1.5)
    watcher = start([vigy, "--db", str(db), "--json", "watch"], stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE, env=env)
    lines = []  # (read at, epoch s; line)

    def read():
        pending = b""
        fd = watcher.stdout.fileno()
        while True:
            chunk = os.read(fd, 1 << 16)
            at = time.time()
            if not chunk:
                return
            pending += chunk
            *complete, pending = pending.split(b"\n")
            lines.extend((at, line) for line in complete if line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    time.sleep(args.watch_duration)
    watch_code = stop(watcher, signal.SIGINT, timeout=30)
    reader.join(timeout=10)
    watch_err = watcher.stderr.read().decode(errors="replace").strip()
    serve_code = stop(serve, signal.SIGTERM)
    load_end = load_average()

    latencies, ids, bad = [], [], 0
    for at, line in lines:
        try:
            run = json.loads(line)
            latencies.append(at * 1000 - parse_rfc3339_ms(run["ended_at"]))
            ids.append(run["id"])
        except (ValueError, KeyError):
            bad += 1
    problems = []
    if bad:
        problems.append("%d lines were not run objects" % bad)
    if serve_code != 0:
        problems.append("serve exited %s on SIGTERM: %s" % (serve_code, tail(serve_log)))
    if watch_code != 130:
        problems.append("watch exited %s on SIGINT (expected 130): %s"
                        % (watch_code, watch_err[:300]))
    # Nothing printed twice or skipped: the printed runs are consecutive in
    # commit order.
    if ids:
        with contextlib.closing(sqlite3.connect("file:%s?mode=ro" % db, uri=True)) as conn:
            seqs = []
            for i in range(0, len(ids), 500):
                chunk = ids[i:i + 500]
                found = dict(conn.execute(
                    "SELECT id, seq FROM runs WHERE id IN (%s)" % ",".join("?" * len(chunk)),
                    chunk).fetchall())
                seqs.extend(found.get(run_id) for run_id in chunk)
            between = conn.execute("SELECT count(*) FROM runs WHERE seq BETWEEN ? AND ?",
                                   (min(s for s in seqs if s), max(s for s in seqs if s))
                                   ).fetchone()[0]
        if None in seqs or seqs != sorted(seqs) or len(set(seqs)) != len(seqs):
            problems.append("watch printed runs out of commit order or twice")
        elif between != len(seqs):
            problems.append("watch printed %d runs of the %d committed in its span"
                            % (len(seqs), between))
    remove_store(db)
    latencies.sort()
    return {"n": n, "every": args.watch_every, "jitter": jitter,
            "duration": args.watch_duration, "lines": len(lines),
            "p50": percentile(latencies, 50), "p90": percentile(latencies, 90),
            "p99": percentile(latencies, 99), "max": latencies[-1] if latencies else None,
            "min": latencies[0] if latencies else None,
            "problems": problems, "load": (load_start, load_end)}


def report_watch(r):
    print("## watch latency (`--watch`)")
    print()
    print("`vigy serve` over %d vigies `--every %s%s` running %s; `vigy --json watch` read for "
          "%d s. Latency of a run = when its line was read (os.read on the pipe) minus the "
          "run's `ended_at`. The commit comes after `ended_at`, so this is an upper bound on "
          "the commit-to-line time; it includes the wait for serve's commit batch and watch's "
          "50 ms poll. Load average %.1f at the start, %.1f at the end."
          % (r["n"], r["every"], " --jitter %s" % r["jitter"] if r["jitter"] else "", PROGRAM,
             r["duration"], r["load"][0], r["load"][1]))
    print()
    print("| runs printed | p50 ms | p90 | p99 | max | min |")
    print("|---:|---:|---:|---:|---:|---:|")
    fmt = lambda v: "–" if v is None else "%d" % v  # noqa: E731
    print("| %d | %s | %s | %s | %s | %s |" % (r["lines"], fmt(r["p50"]), fmt(r["p90"]),
                                               fmt(r["p99"]), fmt(r["max"]), fmt(r["min"])))
    print()
    for p in r["problems"]:
        print("- problem: " + p)
    ok = r["p99"] is not None and not r["problems"]
    if ok:
        print("- p99 %d ms (upper bound), target under %d ms: %s"
              % (r["p99"], WATCH_P99_TARGET_MS,
                 "met" if r["p99"] < WATCH_P99_TARGET_MS else "NOT met"))
    else:
        print("- watch latency: not measured")
    print()
    return ok


# --- main ---------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    which = parser.add_argument_group("measurements (default: all three)")
    which.add_argument("--sustained", action="store_true", help="sustained load under serve")
    which.add_argument("--peak", action="store_true",
                       help="serve --once against the grouped raw-SQLite baseline")
    which.add_argument("--watch", action="store_true", help="commit-to-line latency of watch")
    parser.add_argument("--vigy",
                        default=os.environ.get("VIGY_BINARY", str(REPO / "build" / "vigy")),
                        help="the vigy binary (default: $VIGY_BINARY, else build/vigy)")
    parser.add_argument("--baseline", default=os.environ.get("VIGY_TICK_BASELINE"),
                        help="the vigy_tick_baseline binary (default: $VIGY_TICK_BASELINE, else "
                             "bench/vigy_tick_baseline or vigy_tick_baseline beside --vigy)")
    parser.add_argument("--bench-dir", default=None,
                        help="where %s is (default: $VIGY_SHARED/bench, else ../shared/bench)"
                             % PROGRAM)
    parser.add_argument("--store-dir", default=None,
                        help="keep the template stores built with `vigy add` here and reuse "
                             "them next time (default: a temporary directory, removed)")
    parser.add_argument("--adders", type=int, default=4,
                        help="`vigy add` processes at once while building stores (default 4)")
    sus = parser.add_argument_group("--sustained")
    sus.add_argument("--vigies", type=int, default=10000, help="vigies served (default 10000)")
    sus.add_argument("--every", default="1s", help="their interval (default 1s)")
    sus.add_argument("--no-jitter", action="store_true",
                     help="no --jitter (default: --jitter equal to the interval), so every vigy "
                          "comes due at the same moment; also applies to --watch")
    sus.add_argument("--duration", type=int, default=60,
                     help="seconds measured (default 60)")
    sus.add_argument("--warmup", type=int, default=5,
                     help="seconds before the window opens (default 5)")
    sus.add_argument("--grace", type=float, default=3.0,
                     help="seconds serve keeps running after the window, so that ticks due "
                          "inside it can start and commit (default 3)")
    sus.add_argument("--keep-runs", type=int, default=None,
                     help="serve's --keep-runs (default: serve's own, 1000 per vigy)")
    pk = parser.add_argument_group("--peak")
    pk.add_argument("--peak-vigies", type=int, default=5000,
                    help="vigies due at once (default 5000)")
    pk.add_argument("--runs", type=int, default=5,
                    help="alternating rounds (default 5)")
    pk.add_argument("--baseline-batch", type=int, default=512,
                    help="ticks per baseline transaction (default 512)")
    wt = parser.add_argument_group("--watch")
    wt.add_argument("--watch-vigies", type=int, default=100, help="vigies served (default 100)")
    wt.add_argument("--watch-every", default="200ms", help="their interval (default 200ms)")
    wt.add_argument("--watch-duration", type=int, default=30,
                    help="seconds watched (default 30)")
    args = parser.parse_args()
    if not (args.sustained or args.peak or args.watch):
        args.sustained = args.peak = args.watch = True

    shared = Path(os.environ.get("VIGY_SHARED", REPO.parent / "shared"))
    program = (Path(args.bench_dir) if args.bench_dir else shared / "bench") / PROGRAM
    if not program.is_file():
        sys.exit("run_serve: no %s (set VIGY_SHARED or pass --bench-dir)" % program)
    vigy_path = Path(args.vigy).resolve()
    if not vigy_path.is_file() or not os.access(vigy_path, os.X_OK):
        sys.exit("run_serve: no vigy binary at %s (build it, or pass --vigy)" % vigy_path)
    baseline = None
    if args.peak:
        if args.baseline:
            baseline = Path(args.baseline).resolve()
        else:
            candidates = [vigy_path.parent / "bench" / "vigy_tick_baseline",
                          vigy_path.parent / "vigy_tick_baseline"]
            baseline = next((c for c in candidates if c.is_file()), candidates[0])
        if not baseline.is_file() or not os.access(baseline, os.X_OK):
            sys.exit("run_serve: no baseline at %s (build the vigy_tick_baseline target, "
                     "or pass --baseline)" % baseline)
    for name in ("vigies", "duration", "peak_vigies", "runs", "baseline_batch", "watch_vigies",
                 "watch_duration", "adders"):
        if getattr(args, name) < 1:
            sys.exit("run_serve: --%s must be at least 1" % name.replace("_", "-"))

    temp = tempfile.TemporaryDirectory(prefix="vigy-serve-bench-")
    root = Path(temp.name)  # 0700, as a store's directory must be
    if args.store_dir:
        store_dir = Path(args.store_dir).resolve()
        store_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(store_dir, 0o700)
    else:
        store_dir = root / "stores"
        store_dir.mkdir(mode=0o700)
    work = root / "work"
    work.mkdir(mode=0o700)
    env = dict(os.environ, NO_COLOR="1")
    vigy = str(vigy_path)

    print("# vigy serve benchmarks")
    print()
    print("Machine: %s, %s, %d CPUs, %s. Stores in %s. %s"
          % (platform.node() or "?", platform.machine(), os.cpu_count() or 0,
             platform.platform(terse=True), root,
             time.strftime("%Y-%m-%d %H:%M %Z")))
    print()
    ok = True
    try:
        if args.peak:
            ok &= report_peak(peak(args, vigy, str(baseline), program, store_dir, work, env))
        if args.watch:
            ok &= report_watch(watch(args, vigy, program, store_dir, work, env))
        if args.sustained:
            ok &= report_sustained(sustained(args, vigy, program, store_dir, work, env))
    except RuntimeError as e:
        print("Failed: %s" % e)
        ok = False
    finally:
        for proc in STARTED:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        temp.cleanup()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
