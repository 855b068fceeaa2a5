#!/usr/bin/env python3
"""Load and fault test of `multivector serve`, on loopback only (standard library only).

Starts the server on a free port with a fresh store and one stored run, then at once:
  - READERS clients (default 200) read that run's report page in a loop for DURATION seconds;
  - SLOW clients (default 100) open connections and trickle a request's headers one byte a
    second, or send nothing at all, reconnecting whenever the server closes them;
  - RUNS run submissions (default 40) are sent at the same moment (the queue takes 32 waiting
    plus the running ones; the rest must get 429, not an error);
  - a hostile client sends, throughout, forged cross-site posts (evil Origin), requests for a
    foreign Host, an oversized body and a reflected-script form value.
Every loop is bounded in count and time and the script stops by itself. It prints requests,
server errors (5xx or a dropped connection on a legitimate request), the expected refusals by
kind, read latency percentiles, how long slow clients were held, and the server's resident
memory at start, peak and end. Exit status 1 when a legitimate request failed or the server
answered 5xx. Usage: scripts/load_fault.py [path/to/multivector] [seconds] [readers] [slow] [runs]
"""
import os, re, socket, subprocess, sys, tempfile, threading, time, urllib.error, urllib.parse, urllib.request

exe = sys.argv[1] if len(sys.argv) > 1 else "target/release/multivector"
duration = float(sys.argv[2]) if len(sys.argv) > 2 else 30.0
n_readers = int(sys.argv[3]) if len(sys.argv) > 3 else 200
n_slow = int(sys.argv[4]) if len(sys.argv) > 4 else 100
n_runs = int(sys.argv[5]) if len(sys.argv) > 5 else 40

db = os.path.join(tempfile.mkdtemp(), "load.db")
srv = subprocess.Popen([exe, "serve", "--port", "0", "--db", db, "--jobs", "2", "--header-timeout", "10"],
                       stderr=subprocess.PIPE, text=True)
port = None
for line in srv.stderr:
    m = re.search(r"http://127\.0\.0\.1:(\d+)", line)
    if m:
        port = int(m.group(1))
        break
threading.Thread(target=lambda: [None for _ in srv.stderr], daemon=True).start()
base = f"http://127.0.0.1:{port}"
lock = threading.Lock()
stats = {"reads": 0, "read_errors": 0, "server_errors": 0, "runs_accepted": 0, "runs_429": 0,
         "runs_done": 0, "run_errors": 0, "attacks": 0, "attacks_refused": 0, "attack_leaks": 0,
         "slow_connections": 0}
lat, held = [], []
peak = [0]


def rss():
    try:
        with open(f"/proc/{srv.pid}/status") as f:
            return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1)) // 1024
    except (OSError, AttributeError):
        return 0


def bump(key, n=1):
    with lock:
        stats[key] += n


def request(method, path, data=None, headers=None, timeout=60):
    req = urllib.request.Request(base + path, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read().decode(errors="replace"), r.geturl()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace"), path


def follow(url, deadline):
    while time.time() < deadline:
        code, page, _ = request("GET", urllib.parse.urlparse(url).path)
        if code >= 500:
            bump("server_errors")
            return False
        if 'id="result"' in page:
            return True
        if "Failed" in page:
            return False
        time.sleep(0.5)
    return False


# One run to read.
code, _, url = request("POST", "/runs", urllib.parse.urlencode({"scenario": "kazakhstan", "draws": 0}).encode())
assert code == 200 and follow(url, time.time() + 120), "the first run did not finish"
rss0 = rss()
stop = time.time() + duration


def reader():
    while time.time() < stop:
        t = time.time()
        try:
            code, _, _ = request("GET", "/runs/1")
            if code >= 500:
                bump("server_errors")
            elif code == 200:
                with lock:
                    lat.append(time.time() - t)
                    stats["reads"] += 1
            else:
                bump("read_errors")
        except Exception:
            bump("read_errors")


def slow(k):
    # Half trickle a request one byte a second, half send nothing.
    partial = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 100
    while time.time() < stop:
        t = time.time()
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            bump("slow_connections")
            s.settimeout(1.5)
            i = 0
            while time.time() < stop:
                if k % 2 == 0 and i < len(partial):
                    s.sendall(partial[i:i + 1])
                    i += 1
                try:
                    if s.recv(1024) == b"":
                        break  # closed by the server
                except socket.timeout:
                    continue
            s.close()
            with lock:
                held.append(time.time() - t)
        except OSError:
            time.sleep(0.5)


def submit(k, barrier):
    barrier.wait()
    try:
        code, _, url = request("POST", "/runs",
                               urllib.parse.urlencode({"scenario": "kazakhstan", "draws": 200, "seed": k}).encode(),
                               timeout=120)
    except Exception:
        bump("run_errors")
        return
    if code == 429:
        bump("runs_429")
    elif code >= 500:
        bump("server_errors")
    elif code == 200:
        bump("runs_accepted")
        if follow(url, time.time() + duration + 240):
            bump("runs_done")
        else:
            bump("run_errors")
    else:
        bump("run_errors")


def hostile():
    attacks = [
        ("POST", "/runs", b"scenario=kazakhstan&draws=0", {"Origin": "http://evil.example"}, (403,)),
        ("GET", "/", None, {"Host": "evil.example"}, (421,)),
        ("POST", "/runs", b"scenario=kazakhstan&x=" + b"a" * 70000, {}, (413,)),
        ("POST", "/runs", b"scenario=kazakhstan&draws=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E", {}, (422,)),
    ]
    while time.time() < stop:
        for method, path, data, headers, want in attacks:
            try:
                code, body, _ = request(method, path, data, headers)
            except Exception:
                code, body = 0, ""
            bump("attacks")
            if code >= 500:
                bump("server_errors")
            elif code in want and "<script>" not in body:
                bump("attacks_refused")
            else:
                bump("attack_leaks")
        time.sleep(0.2)


def watch():
    while time.time() < stop + 5:
        with lock:
            peak[0] = max(peak[0], rss())
        time.sleep(0.5)


barrier = threading.Barrier(n_runs)
threads = ([threading.Thread(target=reader) for _ in range(n_readers)]
           + [threading.Thread(target=slow, args=(k,)) for k in range(n_slow)]
           + [threading.Thread(target=submit, args=(k, barrier)) for k in range(n_runs)]
           + [threading.Thread(target=hostile), threading.Thread(target=watch)])
[t.start() for t in threads]
[t.join(timeout=duration + 400) for t in threads]
rss1 = rss()
srv.kill()
lat.sort()
held.sort()
q = lambda xs, p: xs[min(len(xs) - 1, int(p * len(xs)))] if xs else float("nan")
s = stats
print(f"{duration:.0f} s on loopback: {n_readers} readers, {n_slow} slow clients, {n_runs} runs submitted at once, one hostile client")
print(f"  report reads: {s['reads']} ({s['reads'] / duration:.0f}/s), latency p50 {q(lat, 0.5) * 1000:.0f} ms, "
      f"p99 {q(lat, 0.99) * 1000:.0f} ms, max {(lat[-1] if lat else 0) * 1000:.0f} ms; failed reads {s['read_errors']}")
print(f"  runs: {s['runs_accepted']} accepted, {s['runs_429']} refused with 429 (queue full), {s['runs_done']} finished, "
      f"{s['run_errors']} failed")
print(f"  slow clients: {s['slow_connections']} connections, held for p50 {q(held, 0.5):.1f} s, max {(held[-1] if held else 0):.1f} s")
print(f"  hostile requests: {s['attacks']}, refused as expected {s['attacks_refused']}, not refused {s['attack_leaks']}")
print(f"  server errors (5xx): {s['server_errors']}; server RSS {rss0} MB -> peak {peak[0]} MB -> {rss1} MB")
bad = s["server_errors"] or s["read_errors"] or s["run_errors"] or s["attack_leaks"]
sys.exit(1 if bad else 0)
