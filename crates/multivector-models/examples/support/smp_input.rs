//! Random (seeded) spatial-model inputs for the benchmarks and the timing example: positions
//! uniform on [0, 100], capabilities on [1, 100], saliences on [0.1, 1] divided by the number
//! of dimensions (so each actor's total stays within its attention budget).

use multivector_models::smp::{Dimension, SmpInput};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// `n` actors in `d` dimensions from `seed`.
pub fn random_input(n: usize, d: usize, seed: u64) -> SmpInput {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
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
    SmpInput::new("random", ids, dims, c, x, s).expect("valid random input")
}
