//! The calibration of the built-in Kazakhstan population at its default settings (5,000
//! agents, budget 200, four posterior chains of 700 steps): the search and the posterior
//! together, the command `multivector calibrate` runs. Target: under 60 s on 2 cores
//! (`docs/performance.md`). One sample takes about half a minute, so the group runs the
//! minimum of ten.

use criterion::{Criterion, criterion_group, criterion_main};
use multivector::opinion::{CalibrateSettings, calibrate};

fn bench(c: &mut Criterion) {
    let spec = multivector::scenario::population::builtin("kazakhstan")
        .and_then(Result::ok)
        .unwrap_or_else(|| panic!("the built-in population loads"));
    let seed = multivector::ensemble::DEFAULT_SEED;
    let settings = CalibrateSettings {
        agents: 5000,
        budget: 200,
        seed,
        hold_out: None,
        posterior: Some(CalibrateSettings::default_posterior(seed)),
    };
    let mut g = c.benchmark_group("calibrate");
    g.sample_size(10);
    g.measurement_time(std::time::Duration::from_secs(300));
    g.bench_function("kazakhstan default with posterior", |b| {
        b.iter(|| calibrate(&spec, &settings, &|_| {}).map(|r| r.loss))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
