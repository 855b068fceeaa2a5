//! `smp_rounds`: one round of the spatial model (both state evaluations included) for 13,
//! 50, 100 and 250 actors in 1 to 3 dimensions, random (seeded) inputs within the attention
//! budget; and full runs to the stopping rule for 13 and 250 actors in one dimension and 200
//! in two (target: under one second on two cores). Target:
//! 250 actors, one dimension, a full run in seconds; growth at most n^3 per round (KTAB's
//! is n^4). Rounds run their actors in parallel (rayon); set RAYON_NUM_THREADS=1 for one
//! core. `docs/performance.md` records the numbers.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use multivector_models::smp::{Smp, SmpOptions};

#[path = "../examples/support/smp_input.rs"]
mod smp_input;
use smp_input::random_input;

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("smp_rounds");
    g.sample_size(10);
    let mut one = SmpOptions::default();
    one.stop.max_rounds = 1;
    for n in [13usize, 50, 100, 250] {
        for d in 1..=3 {
            let input = random_input(n, d, 42);
            g.bench_with_input(
                BenchmarkId::new(format!("one_round_{d}d"), n),
                &input,
                |b, inp| b.iter(|| Smp::new(one).run(inp)),
            );
        }
    }
    for n in [13usize, 250] {
        let input = random_input(n, 1, 42);
        g.bench_with_input(BenchmarkId::new("full_run_1d", n), &input, |b, inp| {
            b.iter(|| Smp::default().run(inp))
        });
    }
    // The performance issue's target: 200 actors in two dimensions, a full run under one
    // second on two cores.
    let input = random_input(200, 2, 42);
    g.bench_with_input(BenchmarkId::new("full_run_2d", 200), &input, |b, inp| {
        b.iter(|| Smp::default().run(inp))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
