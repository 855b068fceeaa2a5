//! The DEU backtest on a synthetic DEU file of 240 issues and 30 actors, shaped like DEU III
//! (set MULTIVECTOR_DEU to a real DEU file to time that instead): the point forecasts of every
//! model with 1,000 bootstrap replicates, and the same with ensembles of 10 draws per issue.
//! The cost grows linearly in the draws (each draw is one run of every model on every
//! issue), so the 1,000-draw time is about 100 times the ensemble figure less 99 times the
//! point figure; `docs/performance.md` records both and the measured 1,000-draw command.

use criterion::{Criterion, criterion_group, criterion_main};
use multivector::backtest::{BacktestSettings, backtest};
use multivector::scenario::deu::{DEU_ACTORS, parse_deu};

fn synthetic() -> String {
    let mut t = String::from("prnr\tisnr\tproc\tcounvte\tintro");
    for p in ["p", "s"] {
        for a in DEU_ACTORS {
            t.push_str(&format!("\t{p}{a}"));
        }
    }
    t.push_str("\trp\tout\n");
    // A small linear congruential sequence: deterministic numbers without a dependency.
    let mut x: u64 = 12345;
    let mut next = || {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (x >> 33) % 101
    };
    for i in 0..240 {
        t.push_str(&format!("p{}\tp{}i{}\tCOD\tQMV\t01-01-05", i / 3, i / 3, i));
        for _ in 0..2 {
            for _ in DEU_ACTORS {
                let v = next();
                t.push('\t');
                t.push_str(&(v / 10 * 10).to_string());
            }
        }
        t.push_str(&format!("\t{}\t{}\n", next(), next()));
    }
    t
}

fn bench(c: &mut Criterion) {
    let text = match std::env::var("MULTIVECTOR_DEU") {
        Ok(p) => std::fs::read_to_string(p).expect("MULTIVECTOR_DEU names a readable file"),
        Err(_) => synthetic(),
    };
    let issues = parse_deu("bench.tsv", &text).expect("the bench file parses");
    let settings = BacktestSettings::default();
    let mut g = c.benchmark_group("backtest");
    g.sample_size(10);
    g.bench_function("point_forecasts_with_bootstrap", |b| {
        b.iter(|| backtest(&issues, &settings).expect("the backtest runs"))
    });
    let ensembles = BacktestSettings {
        draws: 10,
        ..settings
    };
    g.bench_function("ensembles_10_draws_per_issue", |b| {
        b.iter(|| backtest(&issues, &ensembles).expect("the backtest runs"))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
