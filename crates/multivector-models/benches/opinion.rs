//! `opinion`: 100 sweeps of Deffuant and of Hegselmann-Krause on 100,000 agents (Erdős–Rényi,
//! mean degree 10), and of the mean-field media model (field form, five outlets, four groups,
//! no graph) on 1 and 2 million agents. Targets: the first two well under one second on one
//! core (run with RAYON_NUM_THREADS=1; HK is parallel above 20,000 agents); the media model
//! scales linearly, and `docs/performance.md` records the 20-million-agent command run
//! against its one-minute target.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use multivector_models::opinion::dynamics::Peer;
use multivector_models::opinion::graph::Graph;
use multivector_models::opinion::media::{Media, MediaForm, Outlet, Series};
use multivector_models::opinion::{OpinionModel, Population, simulate};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn start(n: usize, seed: u64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n).map(|_| rng.random::<f64>()).collect()
}

fn media() -> Media {
    let outlet = |name: &str, m: f64| Outlet {
        name: name.into(),
        position: vec![Series::constant(m)],
        volume: Series::constant(1.0),
        credibility: Series::one(),
        evidence: Vec::new(),
        assumption: None,
    };
    Media {
        outlets: vec![
            outlet("kz-state", 0.4),
            outlet("ru-state", 0.1),
            outlet("independent", 0.7),
            outlet("western", 0.9),
            outlet("ukrainian", 1.0),
        ],
        audience: vec![
            0.5, 0.1, 0.1, 0.01, 0.02, //
            0.3, 0.4, 0.05, 0.01, 0.01, //
            0.4, 0.2, 0.2, 0.02, 0.03, //
            0.35, 0.3, 0.1, 0.01, 0.02,
        ],
        form: MediaForm::Field {
            alpha: vec![0.05; 4],
            eps: 0.5,
        },
    }
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("opinion");
    g.sample_size(10);
    let n = 100_000;
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let graph = Graph::erdos_renyi(n, 10.0, &mut rng).expect("graph");
    let x = start(n, 2);
    for (name, peer) in [
        ("deffuant_100_sweeps", Peer::Deffuant { eps: 0.2, mu: 0.3 }),
        ("hk_100_sweeps", Peer::HegselmannKrause { eps: 0.2 }),
    ] {
        let model = OpinionModel { peer, media: None };
        g.bench_with_input(BenchmarkId::new(name, n), &x, |b, x| {
            b.iter(|| {
                let mut pop = Population::uniform_groups(vec![0; n], 1, std::slice::from_ref(x));
                simulate(&model, &mut pop, &graph, 100, 3).expect("run")
            })
        });
    }
    for n in [1_000_000usize, 2_000_000] {
        let x = start(n, 4);
        let groups: Vec<u16> = (0..n).map(|i| (i % 4) as u16).collect();
        let empty = Graph::empty(n);
        let model = OpinionModel {
            peer: Peer::None,
            media: Some(media()),
        };
        g.bench_with_input(BenchmarkId::new("media_field_100_sweeps", n), &x, |b, x| {
            b.iter(|| {
                let mut pop =
                    Population::uniform_groups(groups.clone(), 4, std::slice::from_ref(x));
                simulate(&model, &mut pop, &empty, 100, 5).expect("run")
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
