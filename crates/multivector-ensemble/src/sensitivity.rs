//! Which inputs move an issue's forecast most: one-at-a-time sweeps and Morris elementary
//! effects, over every input of the issue with declared uncertainty.
//!
//! An input's range comes from its spread: `[base - 2 sd, base + 2 sd]` for a normal (cut to
//! the scale), `[low, high]` for a uniform or triangular one. Effects are reported as changes
//! of the forecast (on the issue's scale) when the input moves across its whole range.

use multivector_core::{Forecaster, InputField, IssueInput, ModelError, Scenario, Spread};
use rand::RngExt;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::stream;

/// Which number of a stance an input is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Position,
    Salience,
    Capability,
}

/// One uncertain input of an issue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Input {
    pub actor: String,
    pub field: Field,
    /// Index of the actor in the issue's input.
    #[serde(skip)]
    pub slot: usize,
    pub base: f64,
    pub low: f64,
    pub high: f64,
}

/// The ranking row of one input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Effect {
    pub input: Input,
    /// Largest minus smallest forecast over an 11-point one-at-a-time sweep.
    pub swing: f64,
    /// Morris mu*: mean absolute elementary effect (forecast change per full range).
    pub mu_star: f64,
    /// Standard deviation of the elementary effects (interactions, non-linearity).
    pub sigma: f64,
}

fn range(base: f64, spread: Spread, lo: f64, hi: f64) -> (f64, f64) {
    match spread {
        Spread::Normal { sd } => ((base - 2.0 * sd).max(lo), (base + 2.0 * sd).min(hi)),
        Spread::Uniform { low, high } => (low, high),
        Spread::Triangular { low, high, .. } => (low, high),
    }
}

/// The uncertain inputs of issue `k`, in stance order (position, salience, capability).
pub fn inputs(s: &Scenario, k: usize) -> Vec<Input> {
    let scale = &s.issues[k].scale;
    let mut out = Vec::new();
    for (slot, st) in s.stances_on(k).enumerate() {
        let actor = s.actors[st.actor].id.clone();
        let u = st.uncertainty;
        let cap = st.capability.unwrap_or(s.actors[st.actor].capability);
        for (field, base, spread, lo, hi) in [
            (
                Field::Position,
                st.position,
                u.position,
                scale.min,
                scale.max,
            ),
            (Field::Salience, st.salience, u.salience, 0.0, 1.0),
            (Field::Capability, cap, u.capability, 0.0, f64::MAX),
        ] {
            if let Some(sp) = spread {
                let (low, high) = range(base, sp, lo, hi);
                if high > low {
                    out.push(Input {
                        actor: actor.clone(),
                        field,
                        slot,
                        base,
                        low,
                        high,
                    });
                }
            }
        }
    }
    out
}

/// Sets one input through the checked builder: a value that would break an input's
/// invariant (no weight left, say) is an error, not a silent NaN downstream.
fn set(input: &mut IssueInput, i: &Input, v: f64) -> Result<(), ModelError> {
    let field = match i.field {
        Field::Position => InputField::Position,
        Field::Salience => InputField::Salience,
        Field::Capability => InputField::Capability,
    };
    *input = input.with_value(field, i.slot, v)?;
    Ok(())
}

/// One-at-a-time swings and Morris screening with `trajectories` trajectories on a 4-level
/// grid, seeded by `master`; rows sorted by mu*, largest first (ties by swing, then input
/// order).
pub fn analyse(
    s: &Scenario,
    k: usize,
    model: &(dyn Forecaster + Sync),
    trajectories: usize,
    master: u64,
) -> Result<Vec<Effect>, ModelError> {
    analyse_observed(s, k, model, trajectories, master, &|_, _| {})
}

/// [`analyse`], calling `observe(done, total)` from any thread as each input's sweep and
/// each trajectory finishes (`total`: inputs plus trajectories). Observing changes no number.
pub fn analyse_observed(
    s: &Scenario,
    k: usize,
    model: &(dyn Forecaster + Sync),
    trajectories: usize,
    master: u64,
    observe: &(dyn Fn(usize, usize) + Sync),
) -> Result<Vec<Effect>, ModelError> {
    let base = s.issue_input(k)?;
    let ins = inputs(s, k);
    let total = ins.len() + trajectories;
    let done = std::sync::atomic::AtomicUsize::new(0);
    let tick = || {
        observe(
            done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1,
            total,
        )
    };
    let f = |x: &IssueInput| model.forecast(x).map(|r| r.value);
    // Inputs and trajectories are independent: they run in parallel and are gathered in
    // input and trajectory order, so the thread count changes no number.
    let swings: Vec<f64> = ins
        .par_iter()
        .map(|i| {
            let mut x = base.clone();
            let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
            for step in 0..=10 {
                set(&mut x, i, i.low + (i.high - i.low) * step as f64 / 10.0)?;
                let v = f(&x)?;
                lo = lo.min(v);
                hi = hi.max(v);
            }
            tick();
            Ok(hi - lo)
        })
        .collect::<Result<_, ModelError>>()?;
    // Morris: levels {0, 1/3, 2/3, 1}, step 2/3; each trajectory starts at a random grid point
    // that leaves room for the step and moves every input once, in random order.
    const LEVELS: f64 = 4.0;
    let delta = LEVELS / (2.0 * (LEVELS - 1.0));
    let n = ins.len();
    // One trajectory: the elementary effect of every input, in the order it moved.
    let trajectory = |t: usize| -> Result<Vec<(usize, f64)>, ModelError> {
        let mut rng = stream(master, t as u64);
        let mut u: Vec<f64> = (0..n)
            .map(|_| f64::from(rng.random_range(0..2u8)) / (LEVELS - 1.0))
            .collect();
        let mut order: Vec<usize> = (0..n).collect();
        for j in (1..n).rev() {
            order.swap(j, rng.random_range(0..=j));
        }
        let at = |u: &[f64]| -> Result<IssueInput, ModelError> {
            let mut x = base.clone();
            for (i, inp) in ins.iter().enumerate() {
                set(&mut x, inp, inp.low + (inp.high - inp.low) * u[i])?;
            }
            Ok(x)
        };
        let mut prev = f(&at(&u)?)?;
        let mut out = Vec::with_capacity(n);
        for &i in &order {
            u[i] += delta;
            let next = f(&at(&u)?)?;
            out.push((i, (next - prev) / delta));
            prev = next;
        }
        tick();
        Ok(out)
    };
    let runs: Vec<Vec<(usize, f64)>> = (0..trajectories)
        .into_par_iter()
        .map(trajectory)
        .collect::<Result<_, ModelError>>()?;
    let mut effects: Vec<Vec<f64>> = vec![Vec::with_capacity(trajectories); n];
    for (i, e) in runs.into_iter().flatten() {
        effects[i].push(e);
    }
    let mut out: Vec<Effect> = ins
        .into_iter()
        .zip(swings)
        .zip(effects)
        .map(|((input, swing), ee)| {
            let m = ee.len().max(1) as f64;
            let mu_star = ee.iter().map(|e| e.abs()).sum::<f64>() / m;
            let mean = ee.iter().sum::<f64>() / m;
            let sigma =
                (ee.iter().map(|e| (e - mean).powi(2)).sum::<f64>() / (m - 1.0).max(1.0)).sqrt();
            Effect {
                input,
                swing,
                mu_star,
                sigma,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.mu_star
            .total_cmp(&a.mu_star)
            .then(b.swing.total_cmp(&a.swing))
    });
    Ok(out)
}
