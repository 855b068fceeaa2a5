//! Convex stacking: the weights on the simplex (non-negative, summing to one) that minimise
//! the squared error of a combination of forecasts, and the folds that keep the issues of one
//! group (a DEU proposal) together so that a combination is only ever scored on groups it was
//! not fitted on.

use multivector_ensemble::stream;
use rand::RngExt;

/// Iterations of the accelerated projected gradient; the problem has a handful of unknowns,
/// so this is cheap and, being a fixed count, deterministic.
const ITERATIONS: usize = 20_000;

/// Euclidean projection of `v` onto the simplex `{w >= 0, sum w = 1}` (sort, find the
/// threshold, clip; Held, Wolfe and Crowder 1974).
pub fn project_simplex(v: &mut [f64]) {
    let mut u = v.to_vec();
    u.sort_by(|a, b| b.total_cmp(a));
    let mut cum = 0.0;
    let mut theta = 0.0;
    for (k, &x) in u.iter().enumerate() {
        cum += x;
        let t = (cum - 1.0) / (k as f64 + 1.0);
        if x - t > 0.0 {
            theta = t;
        }
    }
    for x in v.iter_mut() {
        *x = (*x - theta).max(0.0);
    }
}

/// The simplex weights minimising `sum_r (y_r - sum_m w_m x[r][m])^2` over the rows `rows`
/// of `x` (each row one forecast per model). `None` without rows. Solved by FISTA on the Gram
/// matrix with a step of one over its trace (a bound on its largest eigenvalue); the objective
/// is convex, so the fixed iteration count reaches its minimum to rounding for well-scaled
/// forecasts (on a 0-100 scale they are divided by 100 first).
pub fn fit(x: &[Vec<f64>], y: &[f64], rows: &[usize]) -> Option<Vec<f64>> {
    let k = x.first()?.len();
    if rows.is_empty() || k == 0 {
        return None;
    }
    let scale = 100.0;
    let mut g = vec![0.0; k * k];
    let mut b = vec![0.0; k];
    for &r in rows {
        for a in 0..k {
            let xa = x[r][a] / scale;
            b[a] += xa * y[r] / scale;
            for c in 0..k {
                g[a * k + c] += xa * x[r][c] / scale;
            }
        }
    }
    let trace: f64 = (0..k).map(|a| g[a * k + a]).sum();
    if trace.is_nan() || trace <= 0.0 {
        return Some(vec![1.0 / k as f64; k]);
    }
    let step = 1.0 / trace;
    let mut w = vec![1.0 / k as f64; k];
    let mut z = w.clone();
    let mut next = vec![0.0; k];
    let mut t = 1.0_f64;
    for _ in 0..ITERATIONS {
        for a in 0..k {
            let grad: f64 = (0..k).map(|c| g[a * k + c] * z[c]).sum::<f64>() - b[a];
            next[a] = z[a] - step * grad;
        }
        project_simplex(&mut next);
        let t_next = (1.0 + (1.0 + 4.0 * t * t).sqrt()) / 2.0;
        for a in 0..k {
            z[a] = next[a] + (t - 1.0) / t_next * (next[a] - w[a]);
        }
        w.copy_from_slice(&next);
        t = t_next;
    }
    Some(w)
}

/// The fold (0..k) of each of `groups` groups: the groups in an order shuffled by `seed`
/// (Fisher-Yates on its own stream of the generator), dealt to the folds in turn, so the folds
/// differ in size by at most one group.
pub fn folds(groups: usize, k: usize, seed: u64) -> Vec<usize> {
    let k = k.clamp(1, groups.max(1));
    let mut order: Vec<usize> = (0..groups).collect();
    let mut rng = stream(seed, u64::MAX);
    for i in (1..groups).rev() {
        let j = rng.random_range(0..=i);
        order.swap(i, j);
    }
    let mut fold = vec![0; groups];
    for (rank, &g) in order.iter().enumerate() {
        fold[g] = rank % k;
    }
    fold
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sse(x: &[Vec<f64>], y: &[f64], w: &[f64]) -> f64 {
        x.iter()
            .zip(y)
            .map(|(r, y)| {
                let f: f64 = r.iter().zip(w).map(|(a, b)| a * b).sum();
                (f - y) * (f - y)
            })
            .sum()
    }

    #[test]
    fn projection_lands_on_the_simplex() {
        let mut v = [0.5, 0.5];
        project_simplex(&mut v);
        assert_eq!(v, [0.5, 0.5]);
        // (2, 0) projects to (1, 0); (0.6, 0.6) to (0.5, 0.5); (1, 0.2, -3) to (0.9, 0.1, 0).
        let mut v = [2.0, 0.0];
        project_simplex(&mut v);
        assert_eq!(v, [1.0, 0.0]);
        let mut v = [1.0, 0.2, -3.0];
        project_simplex(&mut v);
        assert!((v[0] - 0.9).abs() < 1e-12 && (v[1] - 0.1).abs() < 1e-12 && v[2] == 0.0);
    }

    #[test]
    fn recovers_an_exact_convex_combination() {
        let x: Vec<Vec<f64>> = (0..40)
            .map(|i| {
                let i = f64::from(i);
                vec![i * 2.5, 100.0 - i * 2.0, (i * 7.0) % 100.0]
            })
            .collect();
        let y: Vec<f64> = x.iter().map(|r| 0.3 * r[0] + 0.7 * r[2]).collect();
        let rows: Vec<usize> = (0..40).collect();
        let w = fit(&x, &y, &rows).unwrap();
        assert!((w[0] - 0.3).abs() < 1e-6 && w[1].abs() < 1e-6 && (w[2] - 0.7).abs() < 1e-6);
    }

    #[test]
    fn matches_a_brute_force_search_when_the_optimum_is_on_the_boundary() {
        // Outcomes beyond every model: the unconstrained optimum leaves the simplex.
        let x: Vec<Vec<f64>> = (0..30)
            .map(|i| {
                let i = f64::from(i);
                vec![10.0 + i, 50.0 - i, 40.0 + (i * 13.0) % 17.0]
            })
            .collect();
        let y: Vec<f64> = (0..30).map(|i| 90.0 - f64::from(i) * 0.5).collect();
        let rows: Vec<usize> = (0..30).collect();
        let w = fit(&x, &y, &rows).unwrap();
        let mut best = f64::INFINITY;
        for a in 0..=400 {
            for b in 0..=(400 - a) {
                let v = [
                    a as f64 / 400.0,
                    b as f64 / 400.0,
                    (400 - a - b) as f64 / 400.0,
                ];
                best = best.min(sse(&x, &y, &v));
            }
        }
        let got = sse(&x, &y, &w);
        assert!(got <= best + 1e-9, "{got} vs grid {best}");
        assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-12 && w.iter().all(|&v| v >= 0.0));
    }

    #[test]
    fn folds_are_balanced_seeded_and_cover_every_fold() {
        let f = folds(23, 10, 7);
        assert_eq!(f, folds(23, 10, 7));
        let mut sizes = [0; 10];
        for &k in &f {
            sizes[k] += 1;
        }
        assert!(sizes.iter().all(|&s| s == 2 || s == 3), "{sizes:?}");
        assert_eq!(folds(3, 10, 1).iter().max(), Some(&2));
    }
}
