//! Our opinion kernels against plain reference kernels, side by side in one process:
//! `RAYON_NUM_THREADS=1 cargo run --release --example opinion_side_by_side -p multivector-models [agents] [sweeps]`.
//!
//! The plain kernels are what one writes in an afternoon: a compressed neighbour list, a
//! vector of opinions, the loop of the model, nothing else (no groups, zealots, media,
//! anchoring, recording or checks). They draw the same random numbers as ours (ChaCha8,
//! seeded per sweep the same way), so they must end on the same opinions bit for bit, which
//! the example checks before it prints the ratio of the times (best of three runs each).

use std::io::Write;
use std::time::Instant;

use multivector_models::opinion::dynamics::Peer;
use multivector_models::opinion::graph::Graph;
use multivector_models::opinion::{OpinionModel, Population, simulate};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

#[path = "support/plain.rs"]
mod plain;
use plain::{Csr, plain_deffuant, plain_hk};

/// Best of three wall-clock times of `f`, in seconds, with its last result.
fn best_of_three<T>(mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::INFINITY;
    let mut out = None;
    for _ in 0..3 {
        let t = Instant::now();
        let r = f();
        best = best.min(t.elapsed().as_secs_f64());
        out = Some(r);
    }
    (best, out.expect("three runs"))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = args.first().map_or(Ok(100_000), |a| a.parse())?;
    let sweeps: usize = args.get(1).map_or(Ok(100), |a| a.parse())?;
    let graph = Graph::erdos_renyi(n, 10.0, &mut ChaCha8Rng::seed_from_u64(1))?;
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let start: Vec<f64> = (0..n).map(|_| rng.random::<f64>()).collect();
    let csr = Csr::of(&graph, n);
    let seed = 3;
    writeln!(
        std::io::stdout(),
        "{n} agents, mean degree 10, {sweeps} sweeps, best of three, one thread"
    )?;
    writeln!(
        std::io::stdout(),
        "| model | ours | plain kernel | ours / plain |"
    )?;
    writeln!(std::io::stdout(), "|---|---|---|---|")?;
    for (name, peer) in [
        ("Deffuant", Peer::Deffuant { eps: 0.2, mu: 0.3 }),
        ("Hegselmann-Krause", Peer::HegselmannKrause { eps: 0.2 }),
    ] {
        let model = OpinionModel {
            peer: peer.clone(),
            media: None,
        };
        let (ours, pop) = best_of_three(|| {
            let mut pop = Population::uniform_groups(vec![0; n], 1, std::slice::from_ref(&start));
            simulate(&model, &mut pop, &graph, sweeps, seed).map(|_| pop)
        });
        let pop = pop?;
        let (plain, x) = best_of_three(|| {
            let mut x = start.clone();
            match peer {
                Peer::Deffuant { eps, mu } => plain_deffuant(&csr, &mut x, eps, mu, sweeps, seed),
                Peer::HegselmannKrause { eps } => plain_hk(&csr, &mut x, eps, sweeps),
                _ => {}
            }
            x
        });
        let same = pop.opinion[0]
            .iter()
            .zip(&x)
            .all(|(a, b)| a.to_bits() == b.to_bits());
        if !same {
            return Err(
                format!("{name}: ours and the plain kernel end on different opinions").into(),
            );
        }
        writeln!(
            std::io::stdout(),
            "| {name} | {ours:.3} s | {plain:.3} s | {:.2} |",
            ours / plain
        )?;
    }
    Ok(())
}
