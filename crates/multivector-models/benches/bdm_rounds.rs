//! `bdm_rounds`: ten rounds of the expected-utility model for 10 to 400 actors with random
//! (seeded) inputs, under both presets. Target: 400 actors x 10 rounds under one second on
//! one core for each preset (criterion runs on one thread).

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use multivector_core::IssueInput;
use multivector_models::bdm::{Bdm, BdmOptions, Preset};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn random_input(n: usize, seed: u64) -> IssueInput {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut draw = |lo: f64, hi: f64| lo + (hi - lo) * rng.random::<f64>();
    let x: Vec<f64> = (0..n).map(|_| draw(0.0, 100.0)).collect();
    let c: Vec<f64> = (0..n).map(|_| draw(1.0, 100.0)).collect();
    let s: Vec<f64> = (0..n).map(|_| draw(0.1, 1.0)).collect();
    let ids = (0..n).map(|i| format!("a{i}")).collect();
    IssueInput::new("bench", ids, x, c, s).expect("valid random input")
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("bdm_rounds");
    g.sample_size(10);
    for n in [10usize, 50, 100, 200, 400] {
        let input = random_input(n, 42);
        for preset in [Preset::Scholz, Preset::Paper] {
            let model = Bdm::new(BdmOptions::preset(preset));
            g.bench_with_input(BenchmarkId::new(preset.as_str(), n), &input, |b, inp| {
                b.iter(|| model.run(inp).expect("run"))
            });
        }
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
