//! Calibration: search declared parameter ranges for the values that make a model's output
//! most likely given observed data.
//!
//! Two stages: a Latin hypercube of `points` parameter sets (each range cut into `points`
//! strata, one draw per stratum, strata shuffled per parameter), evaluated in parallel and
//! collected in order; then a Nelder-Mead refinement from the best point, in coordinates
//! scaled to the unit box and kept inside it. Everything is drawn from ChaCha8 under the
//! seed, and the loss is a deterministic function of the parameters (the caller runs its
//! simulation with a fixed seed: common random numbers), so a calibration repeats exactly.
//!
//! Uncertainty: every evaluated set whose loss is within `chi2(d, 0.95) / 2` of the best (a
//! likelihood-ratio region for `d` parameters when the loss is a negative log-likelihood)
//! spans, per parameter, the reported interval. It is approximate and errs on the narrow
//! side: it only sees the points evaluated, which rarely reach the tips of the region.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// A parameter to calibrate and its range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Param {
    pub name: String,
    pub low: f64,
    pub high: f64,
}

/// The search budget.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Budget {
    /// Latin-hypercube points.
    pub points: usize,
    /// Nelder-Mead iterations after them.
    pub refine: usize,
    pub seed: u64,
}

/// The result, ready to be saved and reused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    pub params: Vec<Param>,
    pub best: Vec<f64>,
    pub loss: f64,
    /// Approximate 95% interval of each parameter.
    pub intervals: Vec<(f64, f64)>,
    pub evaluations: usize,
    pub budget: Budget,
}

impl Calibration {
    /// The best value of a parameter by name.
    pub fn value(&self, name: &str) -> Option<f64> {
        self.params
            .iter()
            .position(|p| p.name == name)
            .map(|k| self.best[k])
    }
}

/// `chi2(d, 0.95)` for d = 1..=8 (beyond: the normal approximation).
fn chi2_95(d: usize) -> f64 {
    const T: [f64; 8] = [3.841, 5.991, 7.815, 9.488, 11.070, 12.592, 14.067, 15.507];
    if (1..=8).contains(&d) {
        T[d - 1]
    } else {
        let d = d as f64;
        d + 1.645 * (2.0 * d).sqrt()
    }
}

/// Why a calibration cannot run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CalibrateError {
    /// Nothing to calibrate.
    #[error("no parameter to calibrate")]
    NoParameter,
    /// A parameter's range is empty or not finite.
    #[error("parameter `{name}` has range [{low}, {high}]; it needs finite low < high")]
    Range {
        /// The parameter.
        name: String,
        /// Its low end.
        low: f64,
        /// Its high end.
        high: f64,
    },
    /// Too few points to search.
    #[error("the budget needs at least 2 points")]
    Budget,
}

/// Checks the ranges and the budget.
pub fn check(params: &[Param], budget: &Budget) -> Result<(), CalibrateError> {
    if params.is_empty() {
        return Err(CalibrateError::NoParameter);
    }
    for p in params {
        if !(p.low.is_finite() && p.high.is_finite() && p.low < p.high) {
            return Err(CalibrateError::Range {
                name: p.name.clone(),
                low: p.low,
                high: p.high,
            });
        }
    }
    if budget.points < 2 {
        return Err(CalibrateError::Budget);
    }
    Ok(())
}

/// Minimises `loss` over the box given by `params`.
pub fn calibrate(
    params: &[Param],
    budget: Budget,
    loss: &(dyn Fn(&[f64]) -> f64 + Sync),
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Calibration, CalibrateError> {
    check(params, &budget)?;
    let d = params.len();
    let n = budget.points;
    let to_value = |u: &[f64]| -> Vec<f64> {
        u.iter()
            .zip(params)
            .map(|(x, p)| p.low + x.clamp(0.0, 1.0) * (p.high - p.low))
            .collect()
    };
    // Latin hypercube in unit coordinates.
    let mut rng = ChaCha8Rng::seed_from_u64(budget.seed);
    let mut unit = vec![0.0; n * d];
    for k in 0..d {
        let mut strata: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            strata.swap(i, rng.random_range(0..=i));
        }
        for i in 0..n {
            unit[i * d + k] = (strata[i] as f64 + rng.random::<f64>()) / n as f64;
        }
    }
    let done = std::sync::atomic::AtomicUsize::new(0);
    let mut evaluated: Vec<(Vec<f64>, f64)> = (0..n)
        .into_par_iter()
        .map(|i| {
            let u = &unit[i * d..(i + 1) * d];
            let v = loss(&to_value(u));
            progress(done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1);
            (u.to_vec(), if v.is_finite() { v } else { f64::INFINITY })
        })
        .collect();
    let start = evaluated
        .iter()
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|e| e.0.clone())
        .ok_or(CalibrateError::Budget)?;
    // Nelder-Mead in the unit box.
    let f = |u: &[f64]| {
        let clamped: Vec<f64> = u.iter().map(|x| x.clamp(0.0, 1.0)).collect();
        let v = loss(&to_value(&clamped));
        (clamped, if v.is_finite() { v } else { f64::INFINITY })
    };
    let mut simplex: Vec<(Vec<f64>, f64)> = vec![f(&start)];
    for k in 0..d {
        let mut p = start.clone();
        p[k] = if p[k] + 0.05 <= 1.0 {
            p[k] + 0.05
        } else {
            p[k] - 0.05
        };
        simplex.push(f(&p));
    }
    evaluated.extend(simplex.iter().cloned());
    for _ in 0..budget.refine {
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        let worst = simplex[d].clone();
        let centroid: Vec<f64> = (0..d)
            .map(|k| simplex[..d].iter().map(|s| s.0[k]).sum::<f64>() / d as f64)
            .collect();
        let along = |t: f64| -> Vec<f64> {
            (0..d)
                .map(|k| centroid[k] + t * (worst.0[k] - centroid[k]))
                .collect()
        };
        let r = f(&along(-1.0));
        evaluated.push(r.clone());
        if r.1 < simplex[0].1 {
            let e = f(&along(-2.0));
            evaluated.push(e.clone());
            simplex[d] = if e.1 < r.1 { e } else { r };
        } else if r.1 < simplex[d - 1].1 {
            simplex[d] = r;
        } else {
            let c = f(&along(0.5));
            evaluated.push(c.clone());
            if c.1 < worst.1 {
                simplex[d] = c;
            } else {
                let best = simplex[0].0.clone();
                for s in simplex.iter_mut().skip(1) {
                    let p: Vec<f64> = (0..d).map(|k| best[k] + 0.5 * (s.0[k] - best[k])).collect();
                    *s = f(&p);
                    evaluated.push(s.clone());
                }
            }
        }
    }
    simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
    let (best_u, best_loss) = simplex[0].clone();
    let cut = best_loss + chi2_95(d) / 2.0;
    let mut intervals: Vec<(f64, f64)> = vec![(f64::INFINITY, f64::NEG_INFINITY); d];
    for (u, v) in &evaluated {
        if *v <= cut {
            for (k, x) in to_value(u).into_iter().enumerate() {
                intervals[k].0 = intervals[k].0.min(x);
                intervals[k].1 = intervals[k].1.max(x);
            }
        }
    }
    Ok(Calibration {
        params: params.to_vec(),
        best: to_value(&best_u),
        loss: best_loss,
        intervals,
        evaluations: evaluated.len(),
        budget,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A quadratic bowl (a Gaussian log-likelihood with known curvature): the minimum is
    /// found, and the 95% interval of each parameter is about +- sqrt(chi2(2) / 2 * 2 / c).
    #[test]
    fn finds_the_minimum_of_a_bowl_and_its_region() {
        let params = vec![
            Param {
                name: "a".into(),
                low: -1.0,
                high: 3.0,
            },
            Param {
                name: "b".into(),
                low: 0.0,
                high: 10.0,
            },
        ];
        let loss = |x: &[f64]| 50.0 * (x[0] - 1.2).powi(2) + 2.0 * (x[1] - 7.0).powi(2);
        let budget = Budget {
            points: 400,
            refine: 200,
            seed: 3,
        };
        let c = calibrate(&params, budget, &loss, &|_| {}).unwrap();
        assert!(
            (c.best[0] - 1.2).abs() < 1e-3 && (c.best[1] - 7.0).abs() < 1e-3,
            "{:?}",
            c.best
        );
        // Region: 50 (a - 1.2)^2 <= 5.991 / 2  =>  |a - 1.2| <= 0.245. The sampled points
        // see the region from inside: the interval lies within it and covers most of it.
        let (lo, hi) = c.intervals[0];
        assert!(lo >= 1.2 - 0.245 && hi <= 1.2 + 0.245, "{:?}", c.intervals);
        assert!(hi - lo > 0.6 * 0.49, "{:?}", c.intervals);
        let again = calibrate(&params, budget, &loss, &|_| {}).unwrap();
        assert_eq!(c, again, "repeats for a seed");
        assert_eq!(c.value("b"), Some(c.best[1]));
    }

    #[test]
    fn bad_ranges_are_errors() {
        let p = vec![Param {
            name: "a".into(),
            low: 1.0,
            high: 1.0,
        }];
        let b = Budget {
            points: 10,
            refine: 0,
            seed: 1,
        };
        assert!(
            calibrate(&p, b, &|_| 0.0, &|_| {})
                .unwrap_err()
                .to_string()
                .contains("low < high")
        );
    }
}
