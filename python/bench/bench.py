"""Benchmarks of the Python package, for docs/performance.md (not a test: nothing here is
timed against a limit).

1. Overhead of the Python call over the library, 10,000 draws of the built-in scenario: the
   Rust library alone (`examples/draw_cost --run`), the compiled call (`_core.run`: library
   plus JSON), and `mv.run` (plus parsing and the wrapper), best of three each.
2. A 200,000-draw ensemble on a local Dask cluster of one and of two single-threaded workers,
   and whether the two reports are identical.

    python python/bench/bench.py [--draws-dask 200000] [--skip-dask]
"""

import argparse
import os
import pathlib
import subprocess
import time

import multivector as mv
from multivector import _core

ROOT = pathlib.Path(__file__).resolve().parents[2]


def best(f, k=3):
    times = []
    for _ in range(k):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times)


def overhead(draws: int) -> None:
    sc = mv.scenario("kazakhstan")
    exe = ROOT / "target/release/examples/draw_cost"
    subprocess.run(["cargo", "build", "-q", "--release", "--example", "draw_cost", "-p", "multivector"], cwd=ROOT, check=True)
    lib = best(lambda: subprocess.run([str(exe), "--run", str(draws)], check=True, capture_output=True))
    core = best(lambda: _core.run(sc.core, draws, 7))
    full = best(lambda: mv.run(sc, draws=draws, seed=7))
    print(f"| {draws:,} draws | library (process) {lib:.2f} s | _core.run {core:.2f} s | mv.run {full:.2f} s "
          f"| overhead of mv.run over the library: {100 * (full - lib) / lib:+.1f}% |", flush=True)


def dask(draws: int) -> None:
    from dask.distributed import Client, LocalCluster

    import multivector.distributed as mvd

    sc = mv.scenario("kazakhstan")
    out = {}
    for workers in (1, 2):
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cl:
            with Client(cl) as c:
                mvd.ensemble(sc, draws=200, seed=7, client=c)  # warm the workers
                t = time.perf_counter()
                rep = mvd.ensemble(sc, draws=draws, seed=7, client=c)
                dt = time.perf_counter() - t
                out[workers] = (dt, rep.to_json())
                print(f"| {draws:,} draws | {workers} worker(s) x 1 thread | {dt:.1f} s |", flush=True)
    print(f"speed-up 2 vs 1 workers: {out[1][0] / out[2][0]:.2f}x; identical reports: {out[1][1] == out[2][1]}", flush=True)


if __name__ == "__main__":
    a = argparse.ArgumentParser()
    a.add_argument("--draws", type=int, default=10_000)
    a.add_argument("--draws-dask", type=int, default=200_000)
    a.add_argument("--skip-dask", action="store_true")
    args = a.parse_args()
    print(f"machine: {os.cpu_count()} cores; multivector {mv.__version__}", flush=True)
    overhead(args.draws)
    if not args.skip_dask:
        dask(args.draws_dask)
