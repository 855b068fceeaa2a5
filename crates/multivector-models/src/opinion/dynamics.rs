//! Peer influence: one sweep of each model of `specs/opinion.md` on one opinion item.
//!
//! A sweep is `n` updates for the asynchronous models (Deffuant, voter, q-voter, majority) and
//! one synchronous update of every agent for Hegselmann-Krause and Friedkin-Johnsen (two
//! buffers: every agent reads the old vector). Zealots never change. Agents without
//! neighbours keep their opinion (or, in Friedkin-Johnsen, listen to themselves).

use rand::{Rng, RngExt};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::graph::Graph;

/// A peer-influence model and its parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "model", rename_all = "snake_case", deny_unknown_fields)]
pub enum Peer {
    /// No peer influence (media only).
    None,
    /// Pairwise bounded confidence: both move by `mu` toward each other when closer than `eps`.
    Deffuant { eps: f64, mu: f64 },
    /// Every agent takes the mean of itself and the neighbours within `eps`.
    HegselmannKrause { eps: f64 },
    /// `x <- lambda W x + (1 - lambda) u`, `W` the neighbour average, `u` the innate opinion,
    /// `lambda` the susceptibility of the agent's group.
    FriedkinJohnsen { susceptibility: Vec<f64> },
    /// A random agent copies a random neighbour (yes/no items).
    Voter,
    /// With probability `noise` a random agent picks an opinion at random; otherwise it adopts
    /// the opinion of `q` neighbours (drawn with repetition) when they all agree.
    QVoter { q: usize, noise: f64 },
    /// A random agent and `size - 1` of its neighbours all adopt their majority (ties: no
    /// change).
    Majority { size: usize },
}

impl Peer {
    /// Short name used in outputs.
    pub fn name(&self) -> &'static str {
        match self {
            Peer::None => "none",
            Peer::Deffuant { .. } => "deffuant",
            Peer::HegselmannKrause { .. } => "hk",
            Peer::FriedkinJohnsen { .. } => "fj",
            Peer::Voter => "voter",
            Peer::QVoter { .. } => "qvoter",
            Peer::Majority { .. } => "majority",
        }
    }

    /// Checks the parameters.
    pub fn check(&self, groups: usize) -> Result<(), super::OpinionError> {
        let unit = |v: f64, what: &str| {
            if v.is_finite() && (0.0..=1.0).contains(&v) {
                Ok(())
            } else {
                Err(super::OpinionError::Peer(format!(
                    "{what} is {v}; it must lie in [0, 1]"
                )))
            }
        };
        match self {
            Peer::None | Peer::Voter => Ok(()),
            Peer::Deffuant { eps, mu } => {
                unit(*eps, "eps")?;
                if !(mu.is_finite() && *mu > 0.0 && *mu <= 0.5) {
                    return Err(super::OpinionError::Peer(format!(
                        "mu is {mu}; it must lie in (0, 0.5]"
                    )));
                }
                Ok(())
            }
            Peer::HegselmannKrause { eps } => unit(*eps, "eps"),
            Peer::FriedkinJohnsen { susceptibility } => {
                if susceptibility.len() != groups {
                    return Err(super::OpinionError::Peer(format!(
                        "{} susceptibilities for {groups} groups",
                        susceptibility.len()
                    )));
                }
                susceptibility
                    .iter()
                    .try_for_each(|&l| unit(l, "susceptibility"))
            }
            Peer::QVoter { q, noise } => {
                if *q == 0 {
                    return Err(super::OpinionError::Peer("q must be at least 1".into()));
                }
                unit(*noise, "noise")
            }
            Peer::Majority { size } => {
                if *size < 2 {
                    return Err(super::OpinionError::Peer(
                        "the majority group needs at least 2 agents".into(),
                    ));
                }
                Ok(())
            }
        }
    }
}

/// What a sweep reads besides the opinions.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub graph: &'a Graph,
    /// Group of every agent.
    pub groups: &'a [u16],
    /// Agents that never change.
    pub zealot: &'a [bool],
    /// Innate opinions (Friedkin-Johnsen).
    pub innate: &'a [f64],
}

/// Below this many agents synchronous sweeps run on one thread.
const PARALLEL_FROM: usize = 20_000;

/// Agents per task of a parallel synchronous sweep.
const SYNC_CHUNK: usize = 4096;

/// One sweep of `peer` on the opinions `x` (`buffer` is scratch; a synchronous sweep writes
/// the new opinions there and swaps the two vectors).
pub fn sweep(
    peer: &Peer,
    ctx: Context<'_>,
    x: &mut Vec<f64>,
    buffer: &mut Vec<f64>,
    rng: &mut impl Rng,
) {
    let n = x.len();
    if n == 0 {
        return;
    }
    let g = ctx.graph;
    match peer {
        Peer::None => {}
        Peer::Deffuant { eps, mu } => {
            // Without zealots the loop is the plain kernel (no flag read per encounter); the
            // random numbers and the arithmetic are the same either way.
            if ctx.zealot.iter().any(|&z| z) {
                deffuant(g, x, *eps, *mu, rng, |k| !ctx.zealot[k]);
            } else {
                deffuant(g, x, *eps, *mu, rng, |_| true);
            }
        }
        Peer::HegselmannKrause { eps } => {
            let eps = *eps;
            let mean_within = move |old: &[f64], i: usize| {
                let xi = old[i];
                let (mut sum, mut count) = (xi, 1.0);
                // Branch-free (whether a neighbour is within reach is a coin flip early in a
                // run): a neighbour out of reach adds -0.0 and 0.0, which leave both sums
                // unchanged bit for bit (x + -0.0 is x for every x, -0.0 included).
                for &j in g.neighbours(i) {
                    let xj = old[j as usize];
                    let near = (xj - xi).abs() < eps;
                    sum += if near { xj } else { -0.0 };
                    count += if near { 1.0 } else { 0.0 };
                }
                sum / count
            };
            // Without zealots no flag is read per agent; the arithmetic is the same.
            if ctx.zealot.iter().any(|&z| z) {
                synchronous(x, buffer, |old: &[f64], i: usize| {
                    if ctx.zealot[i] {
                        old[i]
                    } else {
                        mean_within(old, i)
                    }
                });
            } else {
                // Two agents at a time: their sums are independent chains of additions the
                // processor overlaps; each agent still adds its neighbours in order.
                let pair = move |old: &[f64], i: usize, k: usize| {
                    let (a, b) = (g.neighbours(i), g.neighbours(k));
                    let (xi, xk) = (old[i], old[k]);
                    let (mut si, mut ci, mut sk, mut ck) = (xi, 1.0, xk, 1.0);
                    let m = a.len().min(b.len());
                    for (&j, &l) in a[..m].iter().zip(&b[..m]) {
                        let (xj, xl) = (old[j as usize], old[l as usize]);
                        let (ni, nk) = ((xj - xi).abs() < eps, (xl - xk).abs() < eps);
                        si += if ni { xj } else { -0.0 };
                        ci += if ni { 1.0 } else { 0.0 };
                        sk += if nk { xl } else { -0.0 };
                        ck += if nk { 1.0 } else { 0.0 };
                    }
                    for &j in &a[m..] {
                        let xj = old[j as usize];
                        let ni = (xj - xi).abs() < eps;
                        si += if ni { xj } else { -0.0 };
                        ci += if ni { 1.0 } else { 0.0 };
                    }
                    for &l in &b[m..] {
                        let xl = old[l as usize];
                        let nk = (xl - xk).abs() < eps;
                        sk += if nk { xl } else { -0.0 };
                        ck += if nk { 1.0 } else { 0.0 };
                    }
                    (si / ci, sk / ck)
                };
                synchronous_pairs(x, buffer, pair, mean_within);
            }
        }
        Peer::FriedkinJohnsen { susceptibility } => {
            let update = |old: &[f64], i: usize| {
                if ctx.zealot[i] {
                    return old[i];
                }
                let l = susceptibility[ctx.groups[i] as usize];
                l * neighbour_mean(g, old, i) + (1.0 - l) * ctx.innate[i]
            };
            synchronous(x, buffer, update);
        }
        Peer::Voter => {
            for _ in 0..n {
                let i = rng.random_range(0..n);
                let nb = g.neighbours(i);
                if nb.is_empty() || ctx.zealot[i] {
                    continue;
                }
                x[i] = x[nb[rng.random_range(0..nb.len())] as usize];
            }
        }
        Peer::QVoter { q, noise } => {
            for _ in 0..n {
                let i = rng.random_range(0..n);
                if ctx.zealot[i] {
                    continue;
                }
                if rng.random::<f64>() < *noise {
                    x[i] = if rng.random::<bool>() { 1.0 } else { 0.0 };
                    continue;
                }
                let nb = g.neighbours(i);
                if nb.is_empty() {
                    continue;
                }
                let first = x[nb[rng.random_range(0..nb.len())] as usize];
                let mut agree = true;
                for _ in 1..*q {
                    if x[nb[rng.random_range(0..nb.len())] as usize] != first {
                        agree = false;
                    }
                }
                if agree {
                    x[i] = first;
                }
            }
        }
        Peer::Majority { size } => {
            let mut members: Vec<usize> = Vec::with_capacity(*size);
            for _ in 0..n {
                let i = rng.random_range(0..n);
                let nb = g.neighbours(i);
                if nb.is_empty() {
                    continue;
                }
                members.clear();
                members.push(i);
                for _ in 1..*size {
                    members.push(nb[rng.random_range(0..nb.len())] as usize);
                }
                let yes = members.iter().filter(|&&k| x[k] >= 0.5).count();
                let no = members.len() - yes;
                if yes == no {
                    continue;
                }
                let v = if yes > no { 1.0 } else { 0.0 };
                for &k in &members {
                    if !ctx.zealot[k] {
                        x[k] = v;
                    }
                }
            }
        }
    }
}

/// `n` random encounters of the Deffuant model; `moves(k)` says whether agent `k` may move.
#[inline(always)]
fn deffuant(
    g: &Graph,
    x: &mut [f64],
    eps: f64,
    mu: f64,
    rng: &mut impl Rng,
    moves: impl Fn(usize) -> bool,
) {
    let n = x.len();
    // The pair of an encounter depends only on the graph and the random numbers, so the
    // next pair is drawn (same numbers, same order) before this one's opinions are read:
    // its memory reads overlap this encounter's work.
    let mut draw = || {
        let i = rng.random_range(0..n);
        let nb = g.neighbours(i);
        (!nb.is_empty()).then(|| (i, nb[rng.random_range(0..nb.len())] as usize))
    };
    let mut next = draw();
    for t in 0..n {
        let pair = next;
        if t + 1 < n {
            next = draw();
        }
        let Some((i, j)) = pair else { continue };
        let (xi, xj) = (x[i], x[j]);
        if (xi - xj).abs() < eps {
            if moves(i) {
                x[i] = xi + mu * (xj - xi);
            }
            if moves(j) {
                x[j] = xj + mu * (xi - xj);
            }
        }
    }
}

/// Every agent's new value from the old vector (two buffers), in parallel for large
/// populations; the result does not depend on the thread count.
fn synchronous(
    x: &mut Vec<f64>,
    buffer: &mut Vec<f64>,
    update: impl Fn(&[f64], usize) -> f64 + Sync + Send,
) {
    let n = x.len();
    buffer.resize(n, 0.0);
    {
        let old: &[f64] = x;
        // Each thread fills its own chunk in place (collecting into a vector from a
        // parallel iterator goes through per-thread lists and costs a third of a sweep).
        let fill = |(c, out): (usize, &mut [f64])| {
            for (k, v) in out.iter_mut().enumerate() {
                *v = update(old, c * SYNC_CHUNK + k);
            }
        };
        if n >= PARALLEL_FROM {
            buffer.par_chunks_mut(SYNC_CHUNK).enumerate().for_each(fill);
        } else {
            buffer.chunks_mut(SYNC_CHUNK).enumerate().for_each(fill);
        }
    }
    std::mem::swap(x, buffer);
}

/// [`synchronous`] with agents taken two at a time by `pair` (`one` for an odd last agent
/// of a chunk); each agent's value is what `one` would give it.
fn synchronous_pairs(
    x: &mut Vec<f64>,
    buffer: &mut Vec<f64>,
    pair: impl Fn(&[f64], usize, usize) -> (f64, f64) + Sync + Send,
    one: impl Fn(&[f64], usize) -> f64 + Sync + Send,
) {
    let n = x.len();
    buffer.resize(n, 0.0);
    {
        let old: &[f64] = x;
        let fill = |(c, out): (usize, &mut [f64])| {
            let (base, len) = (c * SYNC_CHUNK, out.len());
            let mut two = out.chunks_exact_mut(2);
            for (t, v) in (&mut two).enumerate() {
                let i = base + 2 * t;
                (v[0], v[1]) = pair(old, i, i + 1);
            }
            if let [last] = two.into_remainder() {
                *last = one(old, base + len - 1);
            }
        };
        if n >= PARALLEL_FROM {
            buffer.par_chunks_mut(SYNC_CHUNK).enumerate().for_each(fill);
        } else {
            buffer.chunks_mut(SYNC_CHUNK).enumerate().for_each(fill);
        }
    }
    std::mem::swap(x, buffer);
}

/// Mean opinion of `i`'s neighbours (its own opinion when it has none).
pub fn neighbour_mean(g: &Graph, x: &[f64], i: usize) -> f64 {
    let nb = g.neighbours(i);
    if nb.is_empty() {
        x[i]
    } else {
        nb.iter().map(|&j| x[j as usize]).sum::<f64>() / nb.len() as f64
    }
}

/// The linear system of the Friedkin-Johnsen equilibrium
/// `x = Lambda W x + (I - Lambda) u + c`: `lambda[i]` is agent `i`'s susceptibility, `innate`
/// the anchors `u`, `constant` an optional term `c` (the media pull of the linear media form);
/// zealots keep their starting value.
#[derive(Debug, Clone, Copy)]
pub struct FjSystem<'a> {
    pub graph: &'a Graph,
    pub lambda: &'a [f64],
    pub innate: &'a [f64],
    pub constant: Option<&'a [f64]>,
    pub zealot: &'a [bool],
}

/// Solves an [`FjSystem`] by Gauss-Seidel sweeps from `x0` until the largest change is
/// below `tol` (the map is a contraction when every susceptibility is below 1). Returns the
/// solution and the number of sweeps, or `None` without convergence in `max_sweeps`.
pub fn fj_equilibrium(
    sys: FjSystem<'_>,
    x0: &[f64],
    tol: f64,
    max_sweeps: usize,
) -> Option<(Vec<f64>, usize)> {
    let g = sys.graph;
    let n = g.len();
    let mut x = x0.to_vec();
    for s in 1..=max_sweeps {
        let mut change: f64 = 0.0;
        for i in 0..n {
            if sys.zealot[i] {
                continue;
            }
            let l = sys.lambda[i];
            let nb = g.neighbours(i);
            let c = sys.constant.map_or(0.0, |c| c[i]);
            let v = if nb.is_empty() {
                // x = l x + (1 - l) u + c  =>  x = u + c / (1 - l)
                if l < 1.0 {
                    sys.innate[i] + c / (1.0 - l)
                } else {
                    x[i]
                }
            } else {
                let m = nb.iter().map(|&j| x[j as usize]).sum::<f64>() / nb.len() as f64;
                l * m + (1.0 - l) * sys.innate[i] + c
            };
            change = change.max((v - x[i]).abs());
            x[i] = v;
        }
        if change < tol {
            return Some((x, s));
        }
    }
    None
}
