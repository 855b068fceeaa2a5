//! One full run of the spatial model on random (seeded) inputs, timed:
//! `cargo run --release --example smp_large -p multivector-models [actors] [dimensions]`
//! (default 200 actors, 2 dimensions, KTAB's stopping rule). The performance issue's target
//! is under one second on two cores.

use std::time::Instant;

use multivector_models::smp::{Dimension, Smp, SmpInput};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

#[allow(clippy::print_stdout)]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = args.first().map_or(Ok(200), |a| a.parse())?;
    let d: usize = args.get(1).map_or(Ok(2), |a| a.parse())?;
    let mut rng = ChaCha8Rng::seed_from_u64(42);
    let mut draw = |lo: f64, hi: f64| lo + (hi - lo) * rng.random::<f64>();
    let x: Vec<f64> = (0..n * d).map(|_| draw(0.0, 100.0)).collect();
    let c: Vec<f64> = (0..n).map(|_| draw(1.0, 100.0)).collect();
    let s: Vec<f64> = (0..n * d).map(|_| draw(0.1, 1.0) / d as f64).collect();
    let dims = (0..d)
        .map(|k| Dimension {
            name: format!("d{k}"),
            min: 0.0,
            max: 100.0,
        })
        .collect();
    let ids = (0..n).map(|i| format!("a{i}")).collect();
    let input = SmpInput::new("large", ids, dims, c, x, s)?;
    let t = Instant::now();
    let run = Smp::default().run(&input);
    println!(
        "{n} actors x {d} dimensions: {} rounds in {:.3} s",
        run.moves.len(),
        t.elapsed().as_secs_f64()
    );
    Ok(())
}
