#!/usr/bin/env bash
# Performance comparison: runs the criterion benchmarks and whole-command timings, and prints
# a Markdown table of measured times against the targets, for docs/performance.md.
# Needs hyperfine (Debian package `hyperfine`) for the whole-command timings.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB"
echo "rustc: $(rustc --version)"
cargo bench -q -p multivector-models --bench bdm_rounds -- --warm-up-time 1 --measurement-time 3 >/dev/null 2>&1

python3 - <<'PY'
import json, pathlib
root = pathlib.Path("target/criterion/bdm_rounds")
print("\n| preset | actors | mean time (10 rounds) | 95% interval | target |")
print("|---|---|---|---|---|")
for preset in ["scholz", "paper"]:
    for n in [10, 50, 100, 200, 400]:
        est = json.loads((root / preset / str(n) / "new" / "estimates.json").read_text())
        m = est["mean"]
        lo, hi = m["confidence_interval"]["lower_bound"], m["confidence_interval"]["upper_bound"]
        target = "< 1 s" if n == 400 else ""
        print(f"| {preset} | {n} | {m['point_estimate']/1e6:.3f} ms | {lo/1e6:.3f} - {hi/1e6:.3f} ms | {target} |")
PY

cargo bench -q -p multivector-models --bench smp_rounds -- --warm-up-time 1 --measurement-time 3 >/dev/null 2>&1
python3 - <<'PY'
import json, pathlib
root = pathlib.Path("target/criterion/smp_rounds")
print("\n| actors | 1 dimension | 2 dimensions | 3 dimensions |  (one SMP round, both cores)")
print("|---|---|---|---|")
for n in [13, 50, 100, 250]:
    cells = []
    for d in (1, 2, 3):
        est = json.loads((root / f"one_round_{d}d" / str(n) / "new" / "estimates.json").read_text())
        cells.append(f"{est['mean']['point_estimate']/1e6:.3f} ms")
    print(f"| {n} | " + " | ".join(cells) + " |")
for n in [13, 250]:
    est = json.loads((root / "full_run_1d" / str(n) / "new" / "estimates.json").read_text())
    print(f"full run, {n} actors, 1 dimension: {est['mean']['point_estimate']/1e9:.3f} s (target for 250: seconds)")
est = json.loads((root / "full_run_2d" / "200" / "new" / "estimates.json").read_text())
print(f"full run, 200 actors, 2 dimensions: {est['mean']['point_estimate']/1e9:.3f} s (target: < 1 s on two cores)")
PY

# Our opinion kernels against plain reference kernels on the same random numbers, one thread,
# at 10,000, 100,000 and 1,000,000 agents (how cost grows), then 100,000 on both cores.
cargo build -q --release --example opinion_side_by_side -p multivector-models
for n in 10000 100000 1000000; do
  RAYON_NUM_THREADS=1 ./target/release/examples/opinion_side_by_side "$n" 100
done
./target/release/examples/opinion_side_by_side 100000 100

# The spatial model's 200-actor, 2-dimension full run (target: under 1 s on two cores).
cargo build -q --release --example smp_large -p multivector-models
./target/release/examples/smp_large 200 2

# One ensemble draw of the built-in scenario, model by model, on one thread (the 10,000-draw
# target needs about 1 ms for all five), then a whole 10,000-draw run in the library.
cargo build -q --release --example draw_cost -p multivector
RAYON_NUM_THREADS=1 ./target/release/examples/draw_cost 1000
./target/release/examples/draw_cost --run 10000

if command -v hyperfine >/dev/null; then
  cargo build -q --release -p multivector-cli
  echo
  md="$(mktemp)"
  hyperfine -N --warmup 3 --export-markdown "$md" \
    './target/release/multivector run --draws 0' \
    './target/release/multivector run --quiet' \
    './target/release/multivector bdm scenarios/ec-emissions.toml --format json' >/dev/null 2>&1
  cat "$md"
  rm -f "$md"
fi
