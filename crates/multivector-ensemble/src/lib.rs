//! Monte Carlo ensembles: every declared uncertain input of a scenario is drawn, every model
//! is run on every issue, and the forecasts are summarised (median, 10-90 and 2.5-97.5
//! intervals, probability of landing beyond each threshold, the distribution of the
//! multi-vector equidistance index).
//!
//! **Determinism.** Draw `k` uses ChaCha8 seeded with the master seed on stream `k` (a
//! counter-based generator: no state is shared between draws), and results are collected in
//! draw order, so the numbers are bit-identical whatever the number of threads.
//!
//! ```
//! use multivector_ensemble::{quantile, stream};
//! use rand::RngExt;
//!
//! let a: f64 = stream(7, 3).random();
//! let b: f64 = stream(7, 3).random();
//! assert_eq!(a, b);
//! assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0], 0.5), 2.5);
//! ```

pub mod calibrate;
pub mod sensitivity;

use std::sync::atomic::{AtomicUsize, Ordering};

use multivector_core::assess;
use multivector_core::{Forecaster, ModelError, Scenario, SpaceInputs, Spread, Variant};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal, Triangular};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Draws `multivector run` makes when not told otherwise: quick on the built-in scenario.
pub const DEFAULT_DRAWS: usize = 1000;
/// The master seed used when none is given (recorded with every result).
pub const DEFAULT_SEED: u64 = 20220224;

/// The generator of draw `index` under `master`.
pub fn stream(master: u64, index: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(master);
    rng.set_stream(index);
    rng
}

/// A value drawn from `spread` around `base`, kept within `[lo, hi]` (a normal is truncated by
/// rejection; after 1,000 rejections, which needs a spread far wider than the range, the
/// value is clamped).
pub fn sample(rng: &mut ChaCha8Rng, base: f64, spread: Option<Spread>, lo: f64, hi: f64) -> f64 {
    let v = match spread {
        None => return base,
        Some(Spread::Normal { sd }) => match Normal::new(base, sd) {
            Ok(n) => {
                for _ in 0..1000 {
                    let x = n.sample(rng);
                    if (lo..=hi).contains(&x) {
                        return x;
                    }
                }
                base
            }
            Err(_) => base,
        },
        Some(Spread::Uniform { low, high }) => low + (high - low) * rng.random::<f64>(),
        Some(Spread::Triangular { low, mode, high }) => match Triangular::new(low, high, mode) {
            Ok(t) => t.sample(rng),
            Err(_) => mode,
        },
    };
    v.clamp(lo, hi)
}

/// One draw of the scenario: every stance's declared uncertainty sampled, in file order.
pub fn perturb(s: &Scenario, rng: &mut ChaCha8Rng) -> Scenario {
    let mut out = s.clone();
    perturb_into(s, rng, &mut out);
    out
}

/// [`perturb`] into `out`, a copy of `s` (only the stances' numbers are written, so a copy
/// kept from draw to draw serves every draw without cloning the scenario again).
pub fn perturb_into(s: &Scenario, rng: &mut ChaCha8Rng, out: &mut Scenario) {
    debug_assert_eq!(s.stances.len(), out.stances.len());
    for (st, base) in out.stances.iter_mut().zip(&s.stances) {
        let scale = &s.issues[base.issue].scale;
        let u = base.uncertainty;
        st.position = sample(rng, base.position, u.position, scale.min, scale.max);
        st.salience = sample(rng, base.salience, u.salience, 0.0, 1.0);
        st.capability = base.capability;
        if u.capability.is_some() {
            let c = base.capability.unwrap_or(s.actors[base.actor].capability);
            st.capability = Some(sample(rng, c, u.capability, 0.0, f64::MAX));
        }
    }
}

/// A named model.
pub type Model = (String, Box<dyn Forecaster + Send + Sync>);

/// The raw results: `forecasts[(draw * issues + issue) * models + model]`, and the
/// equidistance index of each draw and model. A part of an ensemble ([`run_range`]) holds the
/// draws `first..first + draws`; [`Ensemble::concat`] joins parts back in draw order.
#[derive(Debug, Clone, PartialEq)]
pub struct Ensemble {
    pub master_seed: u64,
    /// Index of the first draw held (0 for a whole ensemble).
    pub first: usize,
    pub draws: usize,
    pub issues: usize,
    pub models: Vec<String>,
    pub forecasts: Vec<f64>,
    /// `equidistance[draw * models + model]` (NaN where undefined).
    pub equidistance: Vec<f64>,
    /// The forecasts' paths over rounds ([`multivector_core::Forecast::path`]) of the draws
    /// below [`PATH_DRAWS`] held here: `paths[(draw * issues + issue) * models + model]`,
    /// empty for a model without rounds. The fan charts read them.
    pub paths: Vec<Vec<f64>>,
}

/// The draws whose paths over rounds are kept (the first ones: draw `k` is the same wherever
/// it is computed, so the fans do not depend on how the ensemble was split). A thousand
/// paths give each round's 10% and 90% quantiles within about a percentile.
pub const PATH_DRAWS: usize = 1000;

impl Ensemble {
    /// The distribution after each round of one issue's and model's kept paths (see
    /// [`IssueSummary::by_round`]); empty when none has a path.
    pub fn fan(&self, issue: usize, model: usize) -> Vec<Interval> {
        let m = self.models.len();
        let kept = self.paths.len() / (self.issues * m).max(1);
        let paths: Vec<&[f64]> = (0..kept)
            .map(|d| self.paths[(d * self.issues + issue) * m + model].as_slice())
            .filter(|p| !p.is_empty())
            .collect();
        let rounds = paths.iter().map(|p| p.len()).max().unwrap_or(0);
        let mut xs = Vec::with_capacity(paths.len());
        (0..rounds)
            .map(|r| {
                xs.clear();
                xs.extend(paths.iter().map(|p| p[r.min(p.len() - 1)]));
                Interval::of(&xs)
            })
            .collect()
    }

    /// Forecasts of one issue and model, in draw order.
    pub fn series(&self, issue: usize, model: usize) -> Vec<f64> {
        let m = self.models.len();
        (0..self.draws)
            .map(|d| self.forecasts[(d * self.issues + issue) * m + model])
            .collect()
    }

    /// Joins parts of one ensemble, in any order, into the whole: the parts must share the
    /// master seed, the issues and the models, and together hold draws `0..n` exactly once.
    /// The result equals the ensemble drawn in one piece, bit for bit.
    pub fn concat(mut parts: Vec<Ensemble>) -> Result<Ensemble, ModelError> {
        parts.sort_by_key(|p| p.first);
        let Some(head) = parts.first() else {
            return Err(ModelError::Missing("no ensemble parts to join".into()));
        };
        let (master_seed, issues, models) = (head.master_seed, head.issues, head.models.clone());
        let mut next = 0;
        for p in &parts {
            if p.master_seed != master_seed || p.issues != issues || p.models != models {
                return Err(ModelError::Degenerate(format!(
                    "ensemble part from draw {} was made with another seed, scenario or model set",
                    p.first
                )));
            }
            if p.first != next {
                return Err(ModelError::Missing(format!(
                    "ensemble parts leave draws {next}..{} missing or doubled",
                    p.first
                )));
            }
            next += p.draws;
        }
        let mut whole = Ensemble {
            master_seed,
            first: 0,
            draws: next,
            issues,
            models,
            forecasts: Vec::with_capacity(parts.iter().map(|p| p.forecasts.len()).sum()),
            equidistance: Vec::with_capacity(parts.iter().map(|p| p.equidistance.len()).sum()),
            paths: Vec::new(),
        };
        for p in parts {
            whole.forecasts.extend(p.forecasts);
            whole.equidistance.extend(p.equidistance);
            whole.paths.extend(p.paths);
        }
        Ok(whole)
    }
}

/// Runs `draws` draws of `s` through `models` on rayon's current pool. `progress` is called
/// with the number of draws finished so far (from any thread).
pub fn run(
    s: &Scenario,
    models: &[Model],
    draws: usize,
    master: u64,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Ensemble, ModelError> {
    run_variant(s, None, models, draws, master, progress)
}

/// As [`run`], with a variant: its changed values are the centres around which each draw's
/// declared uncertainty is sampled (a value set by the variant keeps the stance's spread), and
/// its removals apply after the draw. A baseline run and a variant run with the same master
/// seed draw every stance from the same random numbers (common random numbers), so their
/// per-draw difference is the variant's effect. (Applying the variant after the draw, as
/// before, let a stance's drawn capability override the variant's new actor capability: the
/// variant vanished from every draw and every difference interval read 0 - 0.)
pub fn run_variant(
    s: &Scenario,
    variant: Option<&Variant>,
    models: &[Model],
    draws: usize,
    master: u64,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Ensemble, ModelError> {
    run_range(s, variant, models, 0..draws, master, progress)
}

/// As [`run_variant`], for the draws `range` only: draw `k` is computed from `(master, k)`
/// alone, so parts drawn anywhere (other threads, other machines) and joined with
/// [`Ensemble::concat`] equal the whole ensemble drawn at once.
pub fn run_range(
    s: &Scenario,
    variant: Option<&Variant>,
    models: &[Model],
    range: std::ops::Range<usize>,
    master: u64,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Ensemble, ModelError> {
    let draws = range.len();
    let first = range.start;
    let done = AtomicUsize::new(0);
    let nm = models.len();
    // Draws need numbers, not the evidence base: clone a light copy once.
    let light = Scenario {
        evidence: Vec::new(),
        ..s.clone()
    };
    let s = &light;
    let staged = variant.map(|v| {
        let (removals, values): (Vec<_>, Vec<_>) =
            v.changes.iter().cloned().partition(|c| c.remove);
        let part = |changes| Variant {
            changes,
            ..v.clone()
        };
        (s.apply(&part(values)), part(removals))
    });
    type Draw = (Vec<f64>, Vec<f64>, Vec<Vec<f64>>);
    let per_draw: Vec<Draw> = range
        .into_par_iter()
        .map_init(
            || s.clone(),
            |drawn, d| {
                let mut rng = stream(master, d as u64);
                let removed;
                let sc = match &staged {
                    None => {
                        perturb_into(s, &mut rng, drawn);
                        &*drawn
                    }
                    // The variant's values are the centres the declared uncertainty is drawn
                    // around; removals come after the draw, so every stance consumes the same
                    // random numbers as in the baseline (common random numbers).
                    Some((values, removals)) => {
                        removed = perturb(values, &mut rng).apply(removals);
                        &removed
                    }
                };
                let ni = sc.issues.len();
                let mut f = vec![0.0; ni * nm];
                let keep = d < PATH_DRAWS;
                let mut paths = vec![Vec::new(); if keep { ni * nm } else { 0 }];
                // The inputs are built once and shared by the models.
                let inputs = SpaceInputs::of(sc)?;
                for (mi, (_, m)) in models.iter().enumerate() {
                    let fcs = if keep {
                        inputs.forecast(m.as_ref())?
                    } else {
                        inputs.forecast_values(m.as_ref())?
                    };
                    for (k, fc) in fcs.into_iter().enumerate() {
                        f[k * nm + mi] = fc.value;
                        if let (true, Some(p)) = (keep, fc.path) {
                            paths[k * nm + mi] = p;
                        }
                    }
                }
                let eq = (0..nm)
                    .map(|mi| {
                        let fc: Vec<(usize, f64)> =
                            (0..sc.issues.len()).map(|k| (k, f[k * nm + mi])).collect();
                        assess::profile(sc, sc.meta.focal, &fc)
                            .equidistance
                            .unwrap_or(f64::NAN)
                    })
                    .collect();
                progress(done.fetch_add(1, Ordering::Relaxed) + 1);
                Ok((f, eq, paths))
            },
        )
        .collect::<Result<_, ModelError>>()?;
    let mut forecasts = Vec::with_capacity(draws * s.issues.len() * nm);
    let mut equidistance = Vec::with_capacity(draws * nm);
    let mut all_paths = Vec::new();
    for (f, e, p) in per_draw {
        forecasts.extend(f);
        equidistance.extend(e);
        all_paths.extend(p);
    }
    Ok(Ensemble {
        master_seed: master,
        first,
        draws,
        issues: s.issues.len(),
        models: models.iter().map(|m| m.0.clone()).collect(),
        forecasts,
        equidistance,
        paths: all_paths,
    })
}

/// Quantile `p` of `xs` by linear interpolation between order statistics (R's type 7).
/// NaN for an empty slice.
pub fn quantile(xs: &[f64], p: f64) -> f64 {
    let mut v: Vec<f64> = xs.iter().copied().filter(|x| !x.is_nan()).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let h = (v.len() - 1) as f64 * p.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    v[lo] + (h - lo as f64) * (v[hi] - v[lo])
}

/// The distribution of one quantity.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    pub median: f64,
    pub p10: f64,
    pub p90: f64,
    pub p025: f64,
    pub p975: f64,
}

impl Interval {
    pub fn of(xs: &[f64]) -> Self {
        Self {
            median: quantile(xs, 0.5),
            p10: quantile(xs, 0.1),
            p90: quantile(xs, 0.9),
            p025: quantile(xs, 0.025),
            p975: quantile(xs, 0.975),
        }
    }
}

/// Summary of one issue and model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IssueSummary {
    pub issue: String,
    pub model: String,
    pub forecast: Interval,
    /// `(threshold label, share of draws on its side)`.
    pub thresholds: Vec<(String, f64)>,
    /// Round-based models: the distribution of the forecast's number after each round, round
    /// 0 (the drawn input) first, over the first [`PATH_DRAWS`] draws; a draw whose run
    /// stopped earlier stays at its last value. Empty for other models.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub by_round: Vec<Interval>,
}

/// How one model's threshold probabilities scored against the observed outcomes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BrierScore {
    pub model: String,
    /// Mean Brier score over every (issue, threshold) with an observed outcome (0 best; 0.25
    /// for always saying 0.5).
    pub brier: f64,
    /// The number of (issue, threshold) pairs scored.
    pub n: usize,
}

/// Brier scores of each model's threshold probabilities in `summaries` (from [`summarise`])
/// against the outcomes observed in `s`; models with nothing to score are left out.
pub fn brier(s: &Scenario, summaries: &[IssueSummary]) -> Vec<BrierScore> {
    let mut out: Vec<BrierScore> = Vec::new();
    for x in summaries {
        let Some(issue) = s.issues.iter().find(|i| i.id == x.issue) else {
            continue;
        };
        let terms = assess::brier_terms(issue, &x.thresholds);
        if terms.is_empty() {
            continue;
        }
        let pos = match out.iter().position(|b| b.model == x.model) {
            Some(p) => p,
            None => {
                out.push(BrierScore {
                    model: x.model.clone(),
                    brier: 0.0,
                    n: 0,
                });
                out.len() - 1
            }
        };
        out[pos].brier += terms.iter().sum::<f64>();
        out[pos].n += terms.len();
    }
    for b in &mut out {
        b.brier /= b.n as f64;
    }
    out
}

/// Summaries of an ensemble over the scenario it came from.
pub fn summarise(s: &Scenario, e: &Ensemble) -> (Vec<IssueSummary>, Vec<(String, Interval)>) {
    let mut out = Vec::new();
    for (k, iss) in s.issues.iter().enumerate().take(e.issues) {
        for (mi, m) in e.models.iter().enumerate() {
            let xs = e.series(k, mi);
            let n = xs.len().max(1) as f64;
            out.push(IssueSummary {
                issue: iss.id.clone(),
                model: m.clone(),
                forecast: Interval::of(&xs),
                by_round: e.fan(k, mi),
                thresholds: iss
                    .thresholds
                    .iter()
                    .map(|t| {
                        (
                            t.label.clone(),
                            xs.iter().filter(|&&x| t.holds(x)).count() as f64 / n,
                        )
                    })
                    .collect(),
            });
        }
    }
    let nm = e.models.len();
    // Equidistance is undefined (NaN) without a focal actor or with fewer than two vectors:
    // such draws are left out, and a model with none left has no interval (never NaN).
    let eq = e
        .models
        .iter()
        .enumerate()
        .filter_map(|(mi, m)| {
            let xs: Vec<f64> = (0..e.draws)
                .map(|d| e.equidistance[d * nm + mi])
                .filter(|x| x.is_finite())
                .collect();
            (!xs.is_empty()).then(|| (m.clone(), Interval::of(&xs)))
        })
        .collect();
    (out, eq)
}
