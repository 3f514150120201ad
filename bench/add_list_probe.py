#!/usr/bin/env python3
"""Quick re-measure of `vigy add` and `vigy list` on an existing store of 10,000
vigies made by run_store.py --store-dir DIR (its list-10000.db).

Usage: bench/add_list_probe.py VIGY STORE_DIR
"""
import subprocess, time, shutil, os, statistics, sys
vigy = sys.argv[1]
store_dir = sys.argv[2]
d = "/tmp/addbench"; shutil.rmtree(d, ignore_errors=True); os.makedirs(d, mode=0o700)
shutil.copy(os.path.join(store_dir, "list-10000.db"), d + "/s.db"); os.chmod(d + "/s.db", 0o600)
prog = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "bench", "reconcile.vigy")
env = dict(os.environ, VIGY_DB=d + "/s.db")
subprocess.run([vigy, "list"], env=env, stdout=subprocess.DEVNULL, check=True)
adds, lists = [], []
for i in range(15):
    t = time.perf_counter(); subprocess.run([vigy, "add", prog, "--name", f"extra-{i}", "--every", "1s"], env=env, stdout=subprocess.DEVNULL, check=True); adds.append(time.perf_counter() - t)
    t = time.perf_counter(); subprocess.run([vigy, "list"], env=env, stdout=subprocess.DEVNULL, check=True); lists.append(time.perf_counter() - t)
print(f"add median {statistics.median(adds)*1000:.1f} ms; list (10,015 vigies) median {statistics.median(lists)*1000:.1f} ms")
