//! `ensemble`: Monte Carlo draws through every model. Targets on the 2-core machine: the
//! built-in scenario, 10,000 draws, all five models, under 5 s (the performance issue, #17;
//! it was 10 s before the spatial model joined); 100,000 draws of a 10-actor issue through
//! the expected-utility model (10 rounds) under 10 s. Criterion measures 1,000 and 10,000
//! draws; `docs/performance.md` has the whole-command timings.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use multivector_ensemble::{Model, run};
use multivector_models::baselines::{WeightedMean, WeightedMedian};
use multivector_models::bdm::{Bdm, BdmOptions, Preset};
use multivector_models::smp::{Smp, SmpOptions};
use multivector_scenario::builtin;

fn models(all: bool) -> Vec<Model> {
    let mut m: Vec<Model> = vec![(
        "bdm-scholz".into(),
        Box::new(Bdm::new(BdmOptions::preset(Preset::Scholz))),
    )];
    if all {
        m.push((
            "bdm-paper".into(),
            Box::new(Bdm::new(BdmOptions::preset(Preset::Paper))),
        ));
        m.push(("smp".into(), Box::new(Smp::new(SmpOptions::default()))));
        m.push(("mean".into(), Box::new(WeightedMean)));
        m.push(("median".into(), Box::new(WeightedMedian)));
    }
    m
}

fn bench(c: &mut Criterion) {
    let kaz = builtin::load("kazakhstan")
        .expect("listed")
        .expect("valid")
        .scenario;
    let ec = builtin::load("ec-emissions")
        .expect("listed")
        .expect("valid")
        .scenario;
    // The EC example has no declared uncertainty: give every position a spread.
    let mut ec_u = ec.clone();
    for st in &mut ec_u.stances {
        st.uncertainty.position = Some(multivector_core::Spread::Normal { sd: 0.5 });
    }
    let mut g = c.benchmark_group("ensemble");
    g.sample_size(10);
    for draws in [1_000usize, 10_000] {
        g.bench_with_input(
            BenchmarkId::new("kazakhstan_all_models", draws),
            &draws,
            |b, &d| b.iter(|| run(&kaz, &models(true), d, 1, &|_| {}).expect("run")),
        );
        g.bench_with_input(
            BenchmarkId::new("ec10_bdm_scholz", draws * 10),
            &(draws * 10),
            |b, &d| b.iter(|| run(&ec_u, &models(false), d, 1, &|_| {}).expect("run")),
        );
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
