//! Plain reference kernels of the Deffuant and Hegselmann-Krause models: a compressed
//! neighbour list, a vector of opinions and the model's loop, nothing else. Shared by the
//! side-by-side example (speed) and the integration test that checks our kernels end on the
//! same opinions, bit for bit (the same ChaCha8 streams, seeded per sweep as ours are).

use multivector_models::opinion::graph::Graph;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A compressed neighbour list of the plain kernels' own.
pub struct Csr {
    offsets: Vec<usize>,
    targets: Vec<u32>,
}

impl Csr {
    pub fn of(g: &Graph, n: usize) -> Csr {
        let mut offsets = vec![0];
        let mut targets = Vec::new();
        for i in 0..n {
            targets.extend_from_slice(g.neighbours(i));
            offsets.push(targets.len());
        }
        Csr { offsets, targets }
    }
}

/// Deffuant-Weisbuch, random sequential: `n` encounters a sweep.
pub fn plain_deffuant(csr: &Csr, x: &mut [f64], eps: f64, mu: f64, sweeps: usize, seed: u64) {
    let n = x.len();
    for t in 0..sweeps {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(t as u64);
        for _ in 0..n {
            let i = rng.random_range(0..n);
            let nb = &csr.targets[csr.offsets[i]..csr.offsets[i + 1]];
            if nb.is_empty() {
                continue;
            }
            let j = nb[rng.random_range(0..nb.len())] as usize;
            let (xi, xj) = (x[i], x[j]);
            if (xi - xj).abs() < eps {
                x[i] = xi + mu * (xj - xi);
                x[j] = xj + mu * (xi - xj);
            }
        }
    }
}

/// Hegselmann-Krause, synchronous: everyone moves to the mean of the neighbours (and itself)
/// within `eps`.
pub fn plain_hk(csr: &Csr, x: &mut Vec<f64>, eps: f64, sweeps: usize) {
    let n = x.len();
    let mut next = vec![0.0; n];
    for _ in 0..sweeps {
        for i in 0..n {
            let xi = x[i];
            let (mut sum, mut count) = (xi, 1.0);
            for &j in &csr.targets[csr.offsets[i]..csr.offsets[i + 1]] {
                let xj = x[j as usize];
                if (xj - xi).abs() < eps {
                    sum += xj;
                    count += 1.0;
                }
            }
            next[i] = sum / count;
        }
        std::mem::swap(x, &mut next);
    }
}
