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
    /// The sampler's settings cannot give draws.
    #[error("the posterior needs at least 2 chains, more steps than burn-in, and thin >= 1")]
    Mcmc,
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

/// How the posterior is sampled: `chains` random-walk Metropolis chains of `steps` steps,
/// the first `burn` of each discarded (and used to tune the step size), every `thin`-th
/// kept.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct McmcSettings {
    pub chains: usize,
    pub steps: usize,
    pub burn: usize,
    pub thin: usize,
    pub seed: u64,
}

impl Default for McmcSettings {
    fn default() -> Self {
        Self {
            chains: 4,
            steps: 700,
            burn: 200,
            thin: 1,
            seed: 1,
        }
    }
}

/// Posterior draws of the parameters under a flat prior on their box and the likelihood
/// `exp(-loss)`, each with the outputs the evaluation returned for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Posterior {
    pub params: Vec<Param>,
    /// Kept draws, chain by chain.
    pub draws: Vec<Vec<f64>>,
    /// The evaluation's outputs at each kept draw.
    pub outputs: Vec<Vec<f64>>,
    /// Share of proposals accepted after burn-in.
    pub acceptance: f64,
    /// Gelman-Rubin potential scale reduction of each parameter (near 1: the chains agree).
    pub rhat: Vec<f64>,
    /// Posterior median of each parameter.
    pub median: Vec<f64>,
    /// Central 90% interval of each parameter.
    pub interval90: Vec<(f64, f64)>,
    pub settings: McmcSettings,
    /// Evaluations run.
    pub evaluations: usize,
}

/// A posterior evaluation: the negative log-likelihood at a parameter set and the outputs to
/// keep with it.
pub type Evaluate<'a> = dyn Fn(&[f64]) -> (f64, Vec<f64>) + Sync + 'a;

/// The `q` quantile of sorted values (linear interpolation).
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = q.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Samples the posterior of `params` with random-walk Metropolis chains started near
/// `start`. `eval` returns the negative log-likelihood and the outputs to keep. Each chain
/// draws from its own ChaCha8 stream under the seed, and chains run in parallel, so the
/// result is the same on any number of threads. Proposals are Gaussian in the unit box;
/// those outside it are rejected (the prior is zero there). During burn-in each chain scales
/// its step every 25 steps toward an acceptance of about 0.25, and halfway through it takes
/// the shape of its proposals from the covariance of its own recent draws (adaptive
/// Metropolis: a ridge in the likelihood is then walked along, not across); after burn-in the
/// proposal is fixed, so the kept draws come from a valid Metropolis chain.
pub fn posterior(
    params: &[Param],
    start: &[f64],
    settings: McmcSettings,
    eval: &Evaluate<'_>,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Posterior, CalibrateError> {
    check(
        params,
        &Budget {
            points: 2,
            refine: 0,
            seed: settings.seed,
        },
    )?;
    if settings.chains < 2 || settings.steps <= settings.burn || settings.thin == 0 {
        return Err(CalibrateError::Mcmc);
    }
    let d = params.len();
    let to_value = |u: &[f64]| -> Vec<f64> {
        u.iter()
            .zip(params)
            .map(|(x, p)| p.low + x * (p.high - p.low))
            .collect()
    };
    let unit_start: Vec<f64> = start
        .iter()
        .zip(params)
        .map(|(v, p)| ((v - p.low) / (p.high - p.low)).clamp(0.0, 1.0))
        .collect();
    let reflect = |x: f64| {
        let m = x.rem_euclid(2.0);
        if m > 1.0 { 2.0 - m } else { m }
    };
    let done = std::sync::atomic::AtomicUsize::new(0);
    type Chain = (Vec<Vec<f64>>, Vec<Vec<f64>>, usize, usize);
    let chains: Vec<Chain> = (0..settings.chains)
        .into_par_iter()
        .map(|c| {
            let mut rng = ChaCha8Rng::seed_from_u64(settings.seed);
            rng.set_stream(c as u64);
            let normal = |rng: &mut ChaCha8Rng| {
                // Box-Muller from two uniforms.
                let (u1, u2): (f64, f64) = (rng.random(), rng.random());
                (-2.0 * (1.0 - u1).ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
            };
            let mut u: Vec<f64> = unit_start
                .iter()
                .map(|&x| reflect(x + 0.02 * normal(&mut rng)))
                .collect();
            let score = |u: &[f64]| {
                let (l, out) = eval(&to_value(u));
                (if l.is_finite() { l } else { f64::INFINITY }, out)
            };
            let (mut loss, mut out) = score(&u);
            let mut step = 0.1 / (d as f64).sqrt();
            let (mut kept, mut kept_out) = (Vec::new(), Vec::new());
            let (mut accepted, mut tried, mut window) = (0, 0, 0);
            // The proposal's shape: the identity, then (from the middle of burn-in) the
            // Cholesky factor of the covariance of the chain's second quarter of burn-in.
            let mut shape: Option<Vec<f64>> = None;
            let mut history: Vec<Vec<f64>> = Vec::with_capacity(settings.burn);
            let mut z = vec![0.0; d];
            for t in 0..settings.steps {
                z.iter_mut().for_each(|x| *x = normal(&mut rng));
                let prop: Vec<f64> = match &shape {
                    None => u.iter().zip(&z).map(|(x, e)| x + step * e).collect(),
                    Some(l) => (0..d)
                        .map(|i| u[i] + step * (0..=i).map(|j| l[i * d + j] * z[j]).sum::<f64>())
                        .collect(),
                };
                // Outside the box the prior is zero: the proposal is rejected unevaluated
                // (this keeps the Gaussian proposal symmetric and the chain exact).
                let inside = prop.iter().all(|x| (0.0..=1.0).contains(x));
                let uniform: f64 = rng.random();
                let accept = inside && {
                    let (l, o) = score(&prop);
                    let yes = l <= loss || uniform < (loss - l).exp();
                    if yes {
                        u = prop;
                        loss = l;
                        out = o;
                    }
                    yes
                };
                if t < settings.burn {
                    history.push(u.clone());
                    window += usize::from(accept);
                    if (t + 1) % 25 == 0 {
                        let rate = window as f64 / 25.0;
                        step = (step * (2.0 * (rate - 0.25)).exp()).clamp(1e-4, 5.0);
                        window = 0;
                    }
                    if t + 1 == settings.burn / 2 && settings.burn >= 100 {
                        shape = cholesky(&covariance(&history[settings.burn / 4..], d), d);
                        if shape.is_some() {
                            step = 2.38 / (d as f64).sqrt();
                        }
                    }
                } else {
                    tried += 1;
                    accepted += usize::from(accept);
                    if (t - settings.burn) % settings.thin == 0 {
                        kept.push(to_value(&u));
                        kept_out.push(out.clone());
                    }
                }
                progress(done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1);
            }
            (kept, kept_out, accepted, tried)
        })
        .collect();
    let per_chain = chains[0].0.len();
    let rhat = (0..d)
        .map(|k| {
            let means: Vec<f64> = chains
                .iter()
                .map(|c| c.0.iter().map(|x| x[k]).sum::<f64>() / per_chain as f64)
                .collect();
            let vars: Vec<f64> = chains
                .iter()
                .zip(&means)
                .map(|(c, m)| {
                    c.0.iter().map(|x| (x[k] - m).powi(2)).sum::<f64>()
                        / (per_chain as f64 - 1.0).max(1.0)
                })
                .collect();
            let m = chains.len() as f64;
            let n = per_chain as f64;
            let grand = means.iter().sum::<f64>() / m;
            let b = n / (m - 1.0) * means.iter().map(|x| (x - grand).powi(2)).sum::<f64>();
            let w = vars.iter().sum::<f64>() / m;
            if w > 0.0 {
                (((n - 1.0) / n * w + b / n) / w).sqrt()
            } else {
                1.0
            }
        })
        .collect();
    let (accepted, tried) = chains
        .iter()
        .fold((0, 0), |acc, c| (acc.0 + c.2, acc.1 + c.3));
    let mut draws = Vec::new();
    let mut outputs = Vec::new();
    for c in chains {
        draws.extend(c.0);
        outputs.extend(c.1);
    }
    let mut median = Vec::with_capacity(d);
    let mut interval90 = Vec::with_capacity(d);
    for k in 0..d {
        let mut v: Vec<f64> = draws.iter().map(|x| x[k]).collect();
        v.sort_by(f64::total_cmp);
        median.push(quantile(&v, 0.5));
        interval90.push((quantile(&v, 0.05), quantile(&v, 0.95)));
    }
    Ok(Posterior {
        params: params.to_vec(),
        draws,
        outputs,
        acceptance: accepted as f64 / tried.max(1) as f64,
        rhat,
        median,
        interval90,
        settings,
        evaluations: settings.chains * (settings.steps + 1),
    })
}

/// The covariance matrix (row-major, `d x d`) of points, plus `1e-8` on the diagonal.
fn covariance(points: &[Vec<f64>], d: usize) -> Vec<f64> {
    let n = points.len().max(2) as f64;
    let mean: Vec<f64> = (0..d)
        .map(|k| points.iter().map(|p| p[k]).sum::<f64>() / n)
        .collect();
    let mut c = vec![0.0; d * d];
    for p in points {
        for i in 0..d {
            for j in 0..d {
                c[i * d + j] += (p[i] - mean[i]) * (p[j] - mean[j]) / (n - 1.0);
            }
        }
    }
    for i in 0..d {
        c[i * d + i] += 1e-8;
    }
    c
}

/// The lower Cholesky factor of a symmetric matrix (row-major), or None when it is not
/// positive definite. Written out: a handful of parameters does not call for a linear
/// algebra crate.
fn cholesky(a: &[f64], d: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; d * d];
    for i in 0..d {
        for j in 0..=i {
            let s: f64 = (0..j).map(|k| l[i * d + k] * l[j * d + k]).sum();
            if i == j {
                let v = a[i * d + i] - s;
                if !(v.is_finite() && v > 0.0) {
                    return None;
                }
                l[i * d + i] = v.sqrt();
            } else {
                l[i * d + j] = (a[i * d + j] - s) / l[j * d + j];
            }
        }
    }
    Some(l)
}

/// The `lo` and `hi` quantiles of the share `k / n` when `k` is binomial with a success
/// probability drawn from `ps` (each equally likely): the posterior predictive band of a
/// published share with sample size `n`. Exact (the mixture's distribution is summed over
/// every `k`).
pub fn predictive_band(ps: &[f64], n: usize, lo: f64, hi: f64) -> (f64, f64) {
    if ps.is_empty() || n == 0 {
        return (f64::NAN, f64::NAN);
    }
    let mut mass = vec![0.0; n + 1];
    for &p in ps {
        let p = p.clamp(1e-12, 1.0 - 1e-12);
        let odds = (p / (1.0 - p)).ln();
        let mut lp = n as f64 * (1.0 - p).ln();
        let mut logs = Vec::with_capacity(n + 1);
        for k in 0..=n {
            logs.push(lp);
            lp += ((n - k) as f64 / (k + 1) as f64).ln() + odds;
        }
        let top = logs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let total: f64 = logs.iter().map(|l| (l - top).exp()).sum();
        for (m, l) in mass.iter_mut().zip(&logs) {
            *m += (l - top).exp() / total / ps.len() as f64;
        }
    }
    let at = |q: f64| {
        let mut acc = 0.0;
        for (k, m) in mass.iter().enumerate() {
            acc += m;
            if acc >= q - 1e-12 {
                return k as f64 / n as f64;
            }
        }
        1.0
    };
    (at(lo), at(hi))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A binomial likelihood with a flat prior has a Beta posterior: 30 successes in 100
    /// trials give Beta(31, 71): mean 0.3039, 5% and 95% quantiles 0.2316 and 0.3807 (the Beta
    /// density integrated numerically on 200,000 cells). The chains recover them.
    #[test]
    fn the_posterior_of_a_binomial_rate_is_the_beta_distribution() {
        let params = vec![Param {
            name: "p".into(),
            low: 0.0,
            high: 1.0,
        }];
        let nll = |x: &[f64]| {
            let p = x[0];
            (-(30.0 * p.ln() + 70.0 * (1.0 - p).ln()), vec![p])
        };
        let settings = McmcSettings {
            chains: 4,
            steps: 6000,
            burn: 500,
            thin: 2,
            seed: 9,
        };
        let post = posterior(&params, &[0.5], settings, &nll, &|_| {}).unwrap();
        let mean = post.draws.iter().map(|x| x[0]).sum::<f64>() / post.draws.len() as f64;
        assert!((mean - 0.3039).abs() < 0.01, "{mean}");
        let (lo, hi) = post.interval90[0];
        assert!(
            (lo - 0.2316).abs() < 0.01 && (hi - 0.3807).abs() < 0.01,
            "{lo} {hi}"
        );
        assert!(post.rhat[0] < 1.05, "{:?}", post.rhat);
        assert!((0.1..0.7).contains(&post.acceptance), "{}", post.acceptance);
        assert_eq!(post.outputs.len(), post.draws.len());
        let again = posterior(&params, &[0.5], settings, &nll, &|_| {}).unwrap();
        assert_eq!(post, again, "repeats for a seed");
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let serial = one
            .install(|| posterior(&params, &[0.5], settings, &nll, &|_| {}))
            .unwrap();
        assert_eq!(post, serial, "the same on one thread");
    }

    /// A narrow ridge: a bivariate normal likelihood with unit variances and correlation 0.999
    /// centred in a wide box. Its marginals are N(5, 1), so each 90% interval is 5 +- 1.645
    /// (the normal's quantile); the adaptive proposal walks the ridge and the chains agree. (With
    /// the shape adaptation switched off, the same budget misses the interval by 0.35.)
    #[test]
    fn the_posterior_walks_a_narrow_ridge() {
        let p = |name: &str| Param {
            name: name.into(),
            low: 0.0,
            high: 10.0,
        };
        let params = vec![p("a"), p("b")];
        let rho: f64 = 0.999;
        let nll = |x: &[f64]| {
            let (u, v) = (x[0] - 5.0, x[1] - 5.0);
            let q = (u * u - 2.0 * rho * u * v + v * v) / (1.0 - rho * rho);
            (0.5 * q, Vec::new())
        };
        let settings = McmcSettings {
            chains: 4,
            steps: 1500,
            burn: 500,
            thin: 1,
            seed: 3,
        };
        let post = posterior(&params, &[6.0, 6.0], settings, &nll, &|_| {}).unwrap();
        for k in 0..2 {
            let (lo, hi) = post.interval90[k];
            assert!((post.median[k] - 5.0).abs() < 0.2, "{:?}", post.median);
            assert!(
                (lo - 3.355).abs() < 0.3 && (hi - 6.645).abs() < 0.3,
                "{lo} {hi}"
            );
            assert!(post.rhat[k] < 1.1, "{:?}", post.rhat);
        }
    }

    /// One success probability: the band is the binomial's own quantiles. n = 10, p = 0.5:
    /// P(K <= 1) = 11/1024 < 0.05 <= P(K <= 2) = 56/1024, so the 5% point is 2/10; by symmetry
    /// the 95% point is 8/10.
    #[test]
    fn predictive_bands_are_binomial_quantiles() {
        assert_eq!(predictive_band(&[0.5], 10, 0.05, 0.95), (0.2, 0.8));
        // A mixture of two certain outcomes: half the mass at 0, half at n.
        let (lo, hi) = predictive_band(&[0.0, 1.0], 20, 0.05, 0.95);
        assert_eq!((lo, hi), (0.0, 1.0));
        assert!(predictive_band(&[], 10, 0.05, 0.95).0.is_nan());
    }

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
