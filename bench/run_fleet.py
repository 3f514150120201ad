#!/usr/bin/env python3
"""Fleet benchmarks: one serve on SQLite against one and three on PostgreSQL, and failover.

--sustained  N vigies (default 2,000) `--every 1s --jitter 1s` running the shared
             bench's reconcile.vigy, served in turn by one `vigy serve` on an
             SQLite file, one on a PostgreSQL database, and three on one
             PostgreSQL database, each for a measuring window after a warm-up:
             ticks/s, start lateness (started_at - scheduled_at) p50/p99/max,
             CPU of the serves and of the PostgreSQL server, in cores.
--failover   three serves on one PostgreSQL database with 50 vigies every 1s and
             one whose tick takes 3 s; repeatedly, the serve ticking the slow
             vigy is killed with SIGKILL (and replaced): the time from the kill
             to the next start of the slow vigy's tick on another serve,
             p50 and max over --kills kills.

Without either flag, both run. PostgreSQL is a private cluster started here
(tests/support/pg_cluster.sh: Unix socket only, fsync and synchronous_commit
off, as SQLite's synchronous=NORMAL does not sync each commit either), and
removed at the end. Progress goes to stderr, the markdown to stdout. See
bench/README.md.
"""

import argparse
import os
import platform
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run_serve  # noqa: E402  (shared helpers: processes, CPU, percentiles, adding vigies)

REPO = run_serve.REPO
CLUSTER = REPO / "tests" / "support" / "pg_cluster.sh"
log = run_serve.log
percentile = run_serve.percentile

# The bar for PostgreSQL on a 2-core machine (bench/README.md).
PG_LATENESS_P99_MS = 50
PG_RATE = 1000  # ticks/s kept up with


class Cluster:
    """A private PostgreSQL cluster in `directory`."""

    def __init__(self, directory):
        self.directory = Path(directory)
        subprocess.run([str(CLUSTER), "start", str(self.directory)], check=True)

    def uri(self, database):
        host = urllib.parse.quote(str(self.directory), safe="")
        return "postgresql:///%s?host=%s&user=vigy_test" % (database, host)

    def psql(self, database, sql):
        out = subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1",
                              self.uri(database), "-c", sql],
                             check=True, capture_output=True, text=True).stdout
        return [line.split("|") for line in out.splitlines() if line]

    def server_pids(self):
        """The postmaster and its children."""
        pid_file = self.directory / "data" / "postmaster.pid"
        master = int(pid_file.read_text().split()[0])
        pids = [master]
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master:
                pids.append(int(entry.name))
        return pids

    def stop(self):
        subprocess.run([str(CLUSTER), "stop", str(self.directory)], check=False)


def cpu_of(pids):
    total = 0.0
    for pid in pids:
        try:
            total += run_serve.proc_cpu_seconds(pid)
        except OSError:
            pass
    return total


def sqlite_runs(db, t0, t1):
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT started_at - scheduled_at FROM runs WHERE scheduled_at "
                            "IS NOT NULL AND started_at >= ? AND started_at < ?",
                            (t0, t1)).fetchall()


def pg_runs(cluster, database, t0, t1):
    return [(int(row[0]),) for row in cluster.psql(
        database, "SELECT started_at - scheduled_at FROM runs WHERE scheduled_at IS NOT NULL "
        "AND started_at >= %d AND started_at < %d" % (t0, t1))]


def measure(args, vigy, locations, runs_between, cluster):
    """Runs one serve per location for the window; the figures."""
    env = dict(os.environ, NO_COLOR="1")
    serves = [run_serve.start([vigy, "--db", loc, "serve"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
              for loc in locations]
    try:
        time.sleep(args.warmup)
        server = cluster.server_pids() if cluster else []
        cpu0 = (cpu_of([p.pid for p in serves]), cpu_of(server))
        t0 = run_serve.now_ms()
        time.sleep(args.duration)
        t1 = run_serve.now_ms()
        cpu1 = (cpu_of([p.pid for p in serves]), cpu_of(server))
        time.sleep(args.grace)
    finally:
        for proc in serves:
            run_serve.stop(proc, signal.SIGINT)
    lateness = sorted(row[0] for row in runs_between(t0, t1))
    window = (t1 - t0) / 1000
    return {
        "ticks_per_s": len(lateness) / window,
        "p50": percentile(lateness, 50), "p99": percentile(lateness, 99),
        "max": lateness[-1] if lateness else None,
        "serve_cpu": (cpu1[0] - cpu0[0]) / window,
        "server_cpu": (cpu1[1] - cpu0[1]) / window,
    }


def sustained(args, vigy, program, cluster, store_dir, work):
    n = args.vigies
    schedule = ["--every", "1s", "--jitter", "1s"]
    sqlite_template = run_serve.template(vigy, program, store_dir, n, "1s", "1s", args.adders)
    template_db = "fleet_template_%d" % n
    exists = cluster.psql("postgres", "SELECT count(*) FROM pg_database WHERE datname = '%s'"
                          % template_db)[0][0] == "1"
    if not exists:
        cluster.psql("postgres", "CREATE DATABASE %s" % template_db)
        log("adding %d vigies to PostgreSQL with `vigy add`, %d at a time ..." % (n, args.adders))
        run_serve.add_vigies(vigy, cluster.uri(template_db), program,
                             ["s%05d" % i for i in range(n)], schedule, args.adders)
    results = {}
    for round_index in range(args.rounds):
        db = run_serve.fresh_copy(sqlite_template, work, "fleet.db")
        log("round %d: one serve on SQLite ..." % (round_index + 1))
        results.setdefault("sqlite, 1 serve", []).append(
            measure(args, vigy, [str(db)], lambda t0, t1: sqlite_runs(db, t0, t1), None))
        for serves in (1, 3):
            name = "fleet_run"
            cluster.psql("postgres", "DROP DATABASE IF EXISTS %s WITH (FORCE)" % name)
            cluster.psql("postgres", "CREATE DATABASE %s TEMPLATE %s" % (name, template_db))
            log("round %d: %d serve%s on PostgreSQL ..."
                % (round_index + 1, serves, "s" if serves > 1 else ""))
            results.setdefault("postgresql, %d serve%s" % (serves, "s" if serves > 1 else ""),
                               []).append(
                measure(args, vigy, [cluster.uri(name)] * serves,
                        lambda t0, t1: pg_runs(cluster, name, t0, t1), cluster))
    return results


def report_sustained(args, results):
    print("### Fleet: %d vigies every 1 s (jitter 1 s), reconcile.vigy\n" % args.vigies)
    print("`%s`, %d rounds of %d s after %d s of warm-up, median of rounds (`%s`).\n"
          % (" ".join(sys.argv), args.rounds, args.duration, args.warmup, platform.node()))
    verdicts = []
    print("| store | ticks/s | lateness p50 | p99 | max | serves' CPU | server's CPU |")
    print("|---|---|---|---|---|---|---|")
    for name, rounds in results.items():
        def med(key):
            values = [r[key] for r in rounds if r[key] is not None]
            return statistics.median(values) if values else float("nan")
        print("| %s | %.0f | %.0f ms | %.0f ms | %.0f ms | %.2f cores | %.2f cores |"
              % (name, med("ticks_per_s"), med("p50"), med("p99"), med("max"),
                 med("serve_cpu"), med("server_cpu")))
        if name.startswith("postgresql"):
            met = (med("ticks_per_s") >= min(PG_RATE, args.vigies) * 0.99
                   and med("p99") < PG_LATENESS_P99_MS)
            verdicts.append("%s: %s" % (name, "met" if met else "not met"))
    print()
    if args.vigies >= PG_RATE:
        print("Bar (%d ticks/s kept up with, p99 under %d ms): %s.\n"
              % (PG_RATE, PG_LATENESS_P99_MS, "; ".join(verdicts)))


def lease_holder(cluster, database, vigy_id):
    rows = cluster.psql(database, "SELECT lease_owner FROM runtime WHERE vigy_id = '%s' "
                        "AND lease_owner IS NOT NULL" % vigy_id)
    return int(rows[0][0].split("-")[0]) if rows else None


def failover(args, vigy, cluster, work):
    name = "fleet_failover"
    cluster.psql("postgres", "DROP DATABASE IF EXISTS %s WITH (FORCE)" % name)
    cluster.psql("postgres", "CREATE DATABASE %s" % name)
    uri = cluster.uri(name)
    noop = work / "noop.vigy"
    noop.write_text("(vigy-noop)\n")
    slow = work / "slow.vigy"
    slow.write_text('(sh "sleep 3")\n(vigy-noop)\n')
    run_serve.add_vigies(vigy, uri, noop, ["n%03d" % i for i in range(50)], ["--every", "1s"], 4)
    subprocess.run([vigy, "--db", uri, "add", str(slow), "--name", "slow", "--every", "1s",
                    "--timeout", "10s"], check=True, capture_output=True)
    slow_id = cluster.psql(name, "SELECT id FROM vigies WHERE name = 'slow'")[0][0]
    env = dict(os.environ, NO_COLOR="1")

    def new_serve():
        return run_serve.start([vigy, "--db", uri, "serve"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    serves = [new_serve() for _ in range(3)]
    times = []
    try:
        for kill in range(args.kills):
            deadline = time.time() + 30
            holder = None
            while time.time() < deadline:
                holder = lease_holder(cluster, name, slow_id)
                if holder in [p.pid for p in serves]:
                    break
                time.sleep(0.05)
            victim = next(p for p in serves if p.pid == holder)
            killed_at = run_serve.now_ms()
            victim.kill()
            victim.wait()
            serves.remove(victim)
            next_start = None
            while run_serve.now_ms() < killed_at + 60000:
                rows = cluster.psql(name, "SELECT min(started_at) FROM runs WHERE vigy_id = '%s' "
                                    "AND started_at > %d" % (slow_id, killed_at))
                if rows and rows[0][0]:
                    next_start = int(rows[0][0])
                    break
                time.sleep(0.05)
            times.append((next_start - killed_at) if next_start else None)
            log("kill %d: pid %d, next tick of the slow vigy %s ms later"
                % (kill + 1, holder, times[-1]))
            serves.append(new_serve())
    finally:
        for proc in serves:
            run_serve.stop(proc, signal.SIGINT)
    return times


def report_failover(args, times):
    done = sorted(t for t in times if t is not None)
    print("### Failover after SIGKILL: three serves, PostgreSQL\n")
    print("`%s`: %d kills of the serve ticking a vigy whose tick takes 3 s; time from the "
          "kill to that vigy's next tick starting on another serve.\n"
          % (" ".join(sys.argv), args.kills))
    print("| kills | resumed | p50 | max |")
    print("|---|---|---|---|")
    print("| %d | %d | %s ms | %s ms |\n" % (len(times), len(done), percentile(done, 50),
                                           done[-1] if done else None))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sustained", action="store_true")
    parser.add_argument("--failover", action="store_true")
    parser.add_argument("--vigy", default=os.environ.get("VIGY_BINARY",
                                                         str(REPO / "build" / "vigy")))
    parser.add_argument("--bench-dir", default=None,
                        help="where reconcile.vigy is (default: $VIGY_SHARED/bench, else "
                             "../shared/bench)")
    parser.add_argument("--store-dir", default=None,
                        help="keep the SQLite template store here and reuse it")
    parser.add_argument("--adders", type=int, default=4)
    parser.add_argument("--vigies", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--grace", type=float, default=3.0)
    parser.add_argument("--kills", type=int, default=20)
    args = parser.parse_args()
    if not (args.sustained or args.failover):
        args.sustained = args.failover = True
    shared = Path(os.environ.get("VIGY_SHARED", REPO.parent / "shared"))
    program = Path(args.bench_dir or shared / "bench") / run_serve.PROGRAM
    vigy = str(Path(args.vigy).resolve())
    with tempfile.TemporaryDirectory(prefix="vigy-fleet-") as tmp:
        work = Path(tmp)
        os.chmod(work, 0o755)  # the cluster runs as another user when this runs as root
        store_dir = Path(args.store_dir) if args.store_dir else work
        cluster = Cluster(work / "pg")
        try:
            if args.sustained:
                report_sustained(args, sustained(args, vigy, program, cluster, store_dir, work))
            if args.failover:
                report_failover(args, failover(args, vigy, cluster, work))
        finally:
            for proc in run_serve.STARTED:
                if proc.poll() is None:
                    proc.kill()
            cluster.stop()


if __name__ == "__main__":
    main()
