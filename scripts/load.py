#!/usr/bin/env python3
"""Load test of `multivector serve` on loopback (standard library only).

Starts the server on a free port with a fresh store, makes one run to read, then for
DURATION seconds keeps 50 clients reading that run's report and 4 clients starting runs
(200 draws each) and following them to completion. Prints requests, errors, latency
percentiles, runs finished and the server's resident memory at start and end, for
docs/performance.md. Usage: scripts/load.py [path/to/multivector] [seconds]
"""
import os, re, subprocess, sys, tempfile, threading, time, urllib.request, urllib.parse

exe = sys.argv[1] if len(sys.argv) > 1 else "target/release/multivector"
duration = float(sys.argv[2]) if len(sys.argv) > 2 else 30.0
db = os.path.join(tempfile.mkdtemp(), "load.db")
srv = subprocess.Popen([exe, "serve", "--port", "0", "--db", db, "--jobs", "4"], stderr=subprocess.PIPE, text=True)
port = None
for line in srv.stderr:
    m = re.search(r"http://127\.0\.0\.1:(\d+)", line)
    if m:
        port = int(m.group(1)); break
threading.Thread(target=lambda: [None for _ in srv.stderr], daemon=True).start()
base = f"http://127.0.0.1:{port}"

def rss():
    with open(f"/proc/{srv.pid}/status") as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1)) // 1024

def post_run(draws):
    data = urllib.parse.urlencode({"scenario": "kazakhstan", "draws": draws, "seed": 1}).encode()
    req = urllib.request.Request(base + "/runs", data=data)
    with urllib.request.urlopen(req, timeout=120) as r:  # follows the 303 to the job page
        url = r.geturl()
    while True:
        with urllib.request.urlopen(url, timeout=120) as r:
            page = r.read().decode()
        if 'id="result"' in page:
            return
        if "Failed" in page:
            raise RuntimeError(page)
        time.sleep(0.2)

post_run(0)
lock = threading.Lock()
lat, errors, runs = [], [0], [0]
stop = time.time() + duration
rss0 = rss()

def reader():
    while time.time() < stop:
        t = time.time()
        try:
            with urllib.request.urlopen(base + "/runs/1", timeout=60) as r:
                r.read()
            with lock: lat.append(time.time() - t)
        except Exception:
            with lock: errors[0] += 1

def runner():
    while time.time() < stop:
        try:
            post_run(200)
            with lock: runs[0] += 1
        except Exception:
            with lock: errors[0] += 1

threads = [threading.Thread(target=reader) for _ in range(50)] + [threading.Thread(target=runner) for _ in range(4)]
[t.start() for t in threads]
[t.join() for t in threads]
rss1 = rss()
srv.kill()
lat.sort()
q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] * 1000
print(f"{duration:.0f} s, 50 readers + 4 runners: {len(lat)} report reads ({len(lat)/duration:.0f}/s), "
      f"latency p50 {q(0.5):.0f} ms, p99 {q(0.99):.0f} ms, max {lat[-1]*1000:.0f} ms; "
      f"{runs[0]} runs of 200 draws finished; {errors[0]} errors; server RSS {rss0} MB -> {rss1} MB")
sys.exit(1 if errors[0] else 0)
