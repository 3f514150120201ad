#!/usr/bin/env python3
"""HTTP benchmarks of `vigy serve --http`, each selectable on its own:

--lateness  serve ticking N vigies (default 1,000) `--every 1s --jitter 1s`,
            alternately without and with an HTTP client making R
            `GET /v1/vigies` requests a second (default 500) and holding S
            event streams (default 10): p50/p99 start lateness of each round
            (started_at - scheduled_at of the runs scheduled in the window).
            The client runs at nice 19, standing in for one on another host.
            Given several `--vigy`, each round runs every binary in turn.
--metrics   `GET /metrics` over M vigies (default 10,000): median and p99
            response time of K scrapes, once serve has committed the first
            tick of every vigy (they are all due when it starts). Given
            several `--vigy`, one serve per binary, scraped in turn.
--events    serve ticking 100 vigies every 200 ms with one event stream open:
            latency of each event = the time its data line was read minus the
            run's ended_at (an upper bound of commit-to-client latency).

Stores come from bench/run_serve.py's templates (built with `vigy add`).
Progress goes to stderr, markdown to stdout.
"""

import argparse
import contextlib
import http.client
import json
import os
import re
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run_serve as rs  # noqa: E402  (stores, processes, percentiles)

LATENESS_NOISE_MS = 5      # "beyond noise": p99 may move by this much
METRICS_TARGET_MS = 100
EVENTS_P99_TARGET_MS = 250


def start_serve(vigy, db, work, name, env):
    """serve --http 127.0.0.1:0 on `db`: (process, port, token)."""
    err_path = work / (name + ".log")
    err = open(err_path, "w")
    proc = rs.start([vigy, "--db", str(db), "serve", "--http", "127.0.0.1:0"],
                    stdout=subprocess.DEVNULL, stderr=err, env=env)
    deadline = time.time() + 60
    while time.time() < deadline:
        match = re.search(r"listening on http://127\.0\.0\.1:(\d+)/", err_path.read_text())
        if match:
            token = Path(str(db) + ".http-token").read_text().strip()
            return proc, int(match.group(1)), token
        if proc.poll() is not None:
            raise RuntimeError("serve exited: " + rs.tail(err_path))
        time.sleep(0.05)
    raise RuntimeError("serve did not listen: " + rs.tail(err_path))


class Load:
    """R GET /v1/vigies a second on keep-alive connections, and S event streams."""

    def __init__(self, port, token, rate, streams, clients=8):
        self.port, self.token, self.rate = port, token, rate
        self.stop = threading.Event()
        self.done = 0
        self.errors = 0
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.requester, args=(i, clients), daemon=True)
                        for i in range(clients)]
        self.threads += [threading.Thread(target=self.stream, daemon=True) for _ in range(streams)]
        for t in self.threads:
            t.start()

    def headers(self):
        return {"Authorization": "Bearer " + self.token}

    def requester(self, index, clients):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        interval = clients / self.rate
        next_at = time.perf_counter() + index * interval / clients
        while not self.stop.is_set():
            delay = next_at - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            next_at += interval
            try:
                conn.request("GET", "/v1/vigies", headers=self.headers())
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            with self.lock:
                self.done += 1
                self.errors += 0 if ok else 1

    def stream(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        conn.request("GET", "/v1/events", headers=self.headers())
        response = conn.getresponse()
        while not self.stop.is_set():
            if not response.readline():
                break
        conn.close()

    def close(self):
        self.stop.set()
        for t in self.threads:
            t.join(timeout=70)


class NicedLoad:
    """A Load in a process of its own at nice 19: serve gets the processor
    before the client does, as it would with the client on another machine,
    so the rounds measure what serving HTTP costs serve, not what running
    the client costs this 2-core machine."""

    def __init__(self, port, token, rate, streams):
        self.proc = subprocess.Popen(
            ["nice", "-n", "19", sys.executable, __file__, "--load-client",
             str(port), token, str(rate), str(streams)],
            stdout=subprocess.PIPE, text=True)
        self.done = self.errors = 0

    def close(self):
        self.proc.send_signal(signal.SIGTERM)
        out, _ = self.proc.communicate(timeout=90)
        self.done, self.errors = (int(x) for x in out.split())


def load_client(port, token, rate, streams):
    """--load-client: a Load until SIGTERM, then "done errors" on stdout."""
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    load = Load(int(port), token, int(rate), int(streams))
    while not stopped.wait(0.2):
        pass
    load.close()
    print(load.done, load.errors)


def lateness_round(args, vigy, tmpl, work, env, with_load):
    db = rs.fresh_copy(tmpl, work, "lateness.db")
    proc, port, token = start_serve(vigy, db, work, "lateness-serve", env)
    started = time.time()
    window_start = started + args.warmup
    window_end = window_start + args.duration
    load = None
    rs.sleep_until(started + 1)
    if with_load:
        load = NicedLoad(port, token, args.rate, args.streams)
    rs.sleep_until(window_end + args.grace)
    requests = errors = 0
    if load:
        load.close()
        requests, errors = load.done, load.errors
    load_avg = rs.load_average()
    code = rs.stop(proc, signal.SIGTERM)
    with contextlib.closing(sqlite3.connect("file:%s?mode=ro" % db, uri=True)) as conn:
        late = sorted(r[0] for r in conn.execute(
            "SELECT started_at - scheduled_at FROM runs WHERE scheduled_at >= ? AND scheduled_at < ?",
            (int(window_start * 1000), int(window_end * 1000))))
    rs.remove_store(db)
    Path(str(db) + ".http-token").unlink(missing_ok=True)
    return {"load": with_load, "exit": code, "ticks": len(late), "p50": rs.percentile(late, 50),
            "p99": rs.percentile(late, 99), "max": late[-1] if late else None,
            "requests_per_s": requests / (window_end + args.grace - started - 1) if with_load else 0,
            "errors": errors, "loadavg": load_avg}


def lateness(args, vigies, store_dir, work, env):
    tmpl = rs.template(vigies[0], args.program, store_dir, args.vigies, "1s", "1s", args.adders)
    rounds = []
    for i in range(args.rounds):
        for vigy in vigies:
            for with_load in (False, True):
                rs.log("lateness round %d, %s, %s HTTP load ..."
                       % (i + 1, vigy, "with" if with_load else "without"))
                r = lateness_round(args, vigy, tmpl, work, env, with_load)
                rounds.append(dict(r, round=i + 1, vigy=vigy))
    print("### serve --http: start lateness with and without HTTP load\n")
    print("`python3 bench/run_http.py --lateness --vigies %d --rate %d --streams %d --rounds %d%s`\n"
          % (args.vigies, args.rate, args.streams, args.rounds,
             "".join(" --vigy " + v for v in args.vigy or [])))
    print("| round | binary | HTTP load | ticks | p50 ms | p99 ms | max ms | GET /v1/vigies per s | errors | load avg |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rounds:
        print("| %d | %s | %s | %d | %s | %s | %s | %.0f | %d | %.1f |" % (
            r["round"], r["vigy"], "yes" if r["load"] else "no", r["ticks"], r["p50"], r["p99"],
            r["max"], r["requests_per_s"], r["errors"], r["loadavg"]))
    print()
    for vigy in vigies:
        quiet = statistics.median(r["p99"] for r in rounds if r["vigy"] == vigy and not r["load"])
        loaded = statistics.median(r["p99"] for r in rounds if r["vigy"] == vigy and r["load"])
        print("%s: median p99 without load %s ms, with load %s ms (noise allowance %d ms)\n"
              % (vigy, quiet, loaded, LATENESS_NOISE_MS))


def wait_for_first_ticks(conn, vigies, limit_s=600):
    """Until serve has committed every vigy's first tick (all are due at start)
    and has none in flight: scrapes measure /metrics, not that burst."""
    deadline = time.time() + limit_s
    while time.time() < deadline:
        conn.request("GET", "/metrics")
        text = conn.getresponse().read().decode()
        ticks = sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
                    if line.startswith("vigy_ticks_total{"))
        if ticks >= vigies and "\nvigy_ticks_in_flight 0\n" in text:
            return
        time.sleep(1)
    raise RuntimeError("serve did not tick every vigy within %d s" % limit_s)


def metrics(args, vigies, store_dir, work, env):
    """One serve per binary, each on its own copy of one template (built by the
    first binary: give the one with the older schema first, the others migrate
    their copy when they open it), scraped in turn."""
    tmpl = rs.template(vigies[0], args.program, store_dir, args.metrics_vigies, "1h", None,
                       args.adders)
    serves = []
    for i, vigy in enumerate(vigies):
        db = rs.fresh_copy(tmpl, work, "metrics-%d.db" % i)
        proc, port, token = start_serve(vigy, db, work, "metrics-serve-%d" % i, env)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        serves.append({"vigy": vigy, "db": db, "proc": proc, "conn": conn, "times": [], "size": 0})
    for serve in serves:
        wait_for_first_ticks(serve["conn"], args.metrics_vigies)
    for _ in range(args.scrapes):
        for serve in serves:
            start = time.perf_counter()
            serve["conn"].request("GET", "/metrics")
            body = serve["conn"].getresponse().read()
            serve["times"].append((time.perf_counter() - start) * 1000)
            serve["size"] = len(body)
    load_avg = rs.load_average()
    for serve in serves:
        rs.stop(serve["proc"], signal.SIGTERM)
        rs.remove_store(serve["db"])
    print("### GET /metrics over %d vigies\n" % args.metrics_vigies)
    print("`python3 bench/run_http.py --metrics %s--metrics-vigies %d --scrapes %d` "
          "(binaries scraped in turn)\n"
          % ("".join("--vigy %s " % v for v in vigies), args.metrics_vigies, args.scrapes))
    print("| binary | scrapes | body KiB | median ms | p99 ms | target ms | load avg |")
    print("|---|---|---|---|---|---|---|")
    for serve in serves:
        times = sorted(serve["times"])
        print("| %s | %d | %.0f | %.1f | %.1f | < %d | %.1f |" % (
            serve["vigy"], args.scrapes, serve["size"] / 1024, statistics.median(times),
            rs.percentile(times, 99), METRICS_TARGET_MS, load_avg))
    print()


def events(args, vigy, store_dir, work, env):
    tmpl = rs.template(vigy, args.program, store_dir, 100, "200ms", None, args.adders)
    db = rs.fresh_copy(tmpl, work, "events.db")
    proc, port, token = start_serve(vigy, db, work, "events-serve", env)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/v1/events", headers={"Authorization": "Bearer " + token})
    response = conn.getresponse()
    latencies = []
    measure_from = time.time() + args.warmup  # serve's first ticks come all at once
    deadline = measure_from + args.duration
    while time.time() < deadline:
        line = response.readline()
        if not line:
            break
        if line.startswith(b"data: ") and time.time() >= measure_from:
            read_ms = time.time() * 1000
            run = json.loads(line[6:])
            latencies.append(read_ms - rs.parse_rfc3339_ms(run["ended_at"]))
    conn.close()
    rs.stop(proc, signal.SIGTERM)
    rs.remove_store(db)
    latencies.sort()
    print("### GET /v1/events: commit to client\n")
    print("`python3 bench/run_http.py --events --duration %d`\n" % args.duration)
    print("| events | p50 ms | p99 ms | max ms | target p99 ms | load avg |")
    print("|---|---|---|---|---|---|")
    print("| %d | %.0f | %.0f | %.0f | < %d | %.1f |\n" % (
        len(latencies), rs.percentile(latencies, 50), rs.percentile(latencies, 99), latencies[-1],
        EVENTS_P99_TARGET_MS, rs.load_average()))


def main():
    if len(sys.argv) == 6 and sys.argv[1] == "--load-client":
        load_client(*sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lateness", action="store_true")
    parser.add_argument("--metrics", action="store_true")
    parser.add_argument("--events", action="store_true")
    parser.add_argument("--vigy", action="append",
                        help="the binary (default build/vigy); --metrics and --lateness take "
                             "several, oldest first, and run them in turn; --events uses the first")
    parser.add_argument("--store-dir", default=None,
                        help="where template stores are kept between runs (default: a fresh temp dir)")
    parser.add_argument("--bench-dir",
                        default=os.environ.get("VIGY_SHARED", str(rs.REPO.parent / "shared")) + "/bench",
                        help="the shared bench folder holding %s" % rs.PROGRAM)
    parser.add_argument("--vigies", type=int, default=1000)
    parser.add_argument("--metrics-vigies", type=int, default=10000)
    parser.add_argument("--rate", type=int, default=500)
    parser.add_argument("--streams", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--grace", type=int, default=2)
    parser.add_argument("--scrapes", type=int, default=50)
    parser.add_argument("--adders", type=int, default=4)
    args = parser.parse_args()
    vigies = args.vigy or [str(rs.REPO / "build" / "vigy")]
    if not (args.lateness or args.metrics or args.events):
        args.lateness = args.metrics = args.events = True
    root = Path(tempfile.mkdtemp(prefix="vigy-bench-http-"))
    store_dir = Path(args.store_dir).resolve() if args.store_dir else root / "stores"
    store_dir.mkdir(parents=True, exist_ok=True)
    work = root / "work"
    work.mkdir()
    args.program = Path(args.bench_dir) / rs.PROGRAM
    env = dict(os.environ, NO_COLOR="1")
    try:
        if args.events:
            events(args, vigies[0], store_dir, work, env)
        if args.metrics:
            metrics(args, vigies, store_dir, work, env)
        if args.lateness:
            lateness(args, vigies, store_dir, work, env)
    finally:
        for proc in rs.STARTED:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


if __name__ == "__main__":
    main()
