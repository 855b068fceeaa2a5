//! Media outlets and the three forms of media influence of `specs/opinion.md`.

use rand::{Rng, RngExt};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::dynamics::{Context, FjSystem, fj_equilibrium};

/// A step function of time: `points[k] = (from, value)`, sorted by `from`; before the first
/// point the first value holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "SeriesRaw")]
pub struct Series {
    pub points: Vec<(f64, f64)>,
}

/// A series as written in a file: a number (constant) or `[[from, value], ..]`.
#[derive(Deserialize)]
#[serde(untagged)]
enum SeriesRaw {
    Constant(f64),
    Steps(Vec<(f64, f64)>),
}

impl From<SeriesRaw> for Series {
    fn from(r: SeriesRaw) -> Self {
        match r {
            SeriesRaw::Constant(v) => Series::constant(v),
            SeriesRaw::Steps(mut p) => {
                p.sort_by(|a, b| a.0.total_cmp(&b.0));
                Series { points: p }
            }
        }
    }
}

impl Series {
    /// A constant.
    pub fn constant(v: f64) -> Series {
        Series {
            points: vec![(0.0, v)],
        }
    }

    /// The constant 1.
    pub fn one() -> Series {
        Series::constant(1.0)
    }

    /// Multiplies the value from time `from` on by `factor` (a step is added at `from`).
    pub fn scale_from(&mut self, from: f64, factor: f64) {
        if !self.points.iter().any(|p| p.0 == from) {
            let v = self.at(from);
            let at = self.points.partition_point(|p| p.0 < from);
            self.points.insert(at, (from, v));
        }
        for p in self.points.iter_mut().filter(|p| p.0 >= from) {
            p.1 *= factor;
        }
    }

    /// Sets the value from time `from` on to `value` (later steps are replaced).
    pub fn set_from(&mut self, from: f64, value: f64) {
        self.points.retain(|p| p.0 < from);
        self.points.push((from, value));
    }

    /// The value at time `t`.
    pub fn at(&self, t: f64) -> f64 {
        let mut v = self.points.first().map_or(0.0, |p| p.1);
        for &(from, value) in &self.points {
            if from <= t {
                v = value;
            } else {
                break;
            }
        }
        v
    }
}

/// An outlet: its position on each opinion item and its volume, both over time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outlet {
    pub name: String,
    /// One series per item.
    pub position: Vec<Series>,
    pub volume: Series,
    /// How far a listener trusts it: a factor on its pull (the field and linear forms) or on
    /// the step toward it (the exposure form); 1 unless a file or an event says otherwise.
    #[serde(default = "Series::one")]
    pub credibility: Series,
    /// The evidence behind its position (records of the bargaining scenario).
    #[serde(default)]
    pub evidence: Vec<String>,
    /// Why its numbers are what they are, when no source gives them.
    #[serde(default)]
    pub assumption: Option<String>,
}

/// How outlets move opinions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "form", rename_all = "snake_case", deny_unknown_fields)]
pub enum MediaForm {
    /// Each period an agent of group g meets outlet k with probability
    /// `1 - exp(-a_gk s_k dt)`; within `eps` of the outlet it moves `mu` toward it; beyond
    /// `backfire_eps` (if set) it moves `backfire_mu` away.
    Exposure {
        eps: f64,
        mu: f64,
        backfire_eps: Option<f64>,
        backfire_mu: f64,
        dt: f64,
    },
    /// `x += alpha_g sum_k a_gk s_k 1[|m_k - x| < eps] (m_k - x)`, deterministic.
    Field { alpha: Vec<f64>, eps: f64 },
    /// `x = Lambda [(1 - beta) W x + beta e_g] + (I - Lambda) u` at its fixed point every
    /// period, `e_g` the exposure-weighted mean outlet position of the agent's group
    /// (replaces the peer step).
    Linear { beta: f64, susceptibility: Vec<f64> },
}

/// Outlets, who hears them, and how.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Media {
    pub outlets: Vec<Outlet>,
    /// `audience[g * K + k]`: share of group g that follows outlet k (rows need not sum to 1).
    pub audience: Vec<f64>,
    pub form: MediaForm,
}

impl Media {
    /// `sum_k a_gk s_k(t)` and `sum_k a_gk s_k(t) m_k(t)` for every group, on one item.
    fn pull(&self, groups: usize, item: usize, t: f64) -> Vec<(f64, f64)> {
        let k = self.outlets.len();
        (0..groups)
            .map(|g| {
                let mut w = 0.0;
                let mut wm = 0.0;
                for (o, out) in self.outlets.iter().enumerate() {
                    let e = self.audience[g * k + o] * out.volume.at(t) * out.credibility.at(t);
                    w += e;
                    wm += e * out.position[item].at(t);
                }
                (w, wm)
            })
            .collect()
    }

    /// Applies one period of media influence at time `t` to item `item`.
    pub fn apply(
        &self,
        ctx: Context<'_>,
        groups: usize,
        item: usize,
        t: f64,
        x: &mut [f64],
        rng: &mut impl Rng,
    ) {
        let k = self.outlets.len();
        let n = x.len();
        match &self.form {
            MediaForm::Exposure {
                eps,
                mu,
                backfire_eps,
                backfire_mu,
                dt,
            } => {
                // Per group and outlet: contact probability and position, this period.
                let contact: Vec<(f64, f64, f64)> = (0..groups * k)
                    .map(|gk| {
                        let o = &self.outlets[gk % k];
                        let rate = self.audience[gk] * o.volume.at(t) * dt;
                        (
                            1.0 - (-rate).exp(),
                            o.position[item].at(t),
                            (mu * o.credibility.at(t)).clamp(0.0, 1.0),
                        )
                    })
                    .collect();
                for (i, xi) in x.iter_mut().enumerate() {
                    if ctx.zealot[i] {
                        continue;
                    }
                    let g = ctx.groups[i] as usize;
                    for &(p, m, mu) in &contact[g * k..(g + 1) * k] {
                        if p <= 0.0 || rng.random::<f64>() >= p {
                            continue;
                        }
                        let d = m - *xi;
                        if d.abs() < *eps {
                            *xi += mu * d;
                        } else if backfire_eps.is_some_and(|b| d.abs() > b) {
                            *xi = (*xi - backfire_mu * d).clamp(0.0, 1.0);
                        }
                    }
                }
            }
            MediaForm::Field { alpha, eps } => {
                let terms: Vec<(f64, f64)> = (0..groups * k)
                    .map(|gk| {
                        let o = &self.outlets[gk % k];
                        (
                            self.audience[gk] * o.volume.at(t) * o.credibility.at(t),
                            o.position[item].at(t),
                        )
                    })
                    .collect();
                let update = |(i, xi): (usize, &mut f64)| {
                    if ctx.zealot[i] {
                        return;
                    }
                    let g = ctx.groups[i] as usize;
                    let mut push = 0.0;
                    for &(w, m) in &terms[g * k..(g + 1) * k] {
                        let d = m - *xi;
                        if d.abs() < *eps {
                            push += w * d;
                        }
                    }
                    *xi = (*xi + alpha[g] * push).clamp(0.0, 1.0);
                };
                if n >= 100_000 {
                    x.par_iter_mut().enumerate().for_each(update);
                } else {
                    x.iter_mut().enumerate().for_each(update);
                }
            }
            MediaForm::Linear {
                beta,
                susceptibility,
            } => {
                let pull = self.pull(groups, item, t);
                let lambda: Vec<f64> = ctx
                    .groups
                    .iter()
                    .map(|&g| susceptibility[g as usize] * (1.0 - beta))
                    .collect();
                let constant: Vec<f64> = (0..n)
                    .map(|i| {
                        let g = ctx.groups[i] as usize;
                        let (w, wm) = pull[g];
                        let e = if w > 0.0 { wm / w } else { ctx.innate[i] };
                        susceptibility[g] * beta * (e - ctx.innate[i])
                    })
                    .collect();
                let sys = FjSystem {
                    graph: ctx.graph,
                    lambda: &lambda,
                    innate: ctx.innate,
                    constant: Some(&constant),
                    zealot: ctx.zealot,
                };
                // Susceptibilities below 1 make the map a contraction (checked on entry).
                if let Some((sol, _)) = fj_equilibrium(sys, x, 1e-10, 100_000) {
                    x.copy_from_slice(&sol);
                }
            }
        }
    }
}
