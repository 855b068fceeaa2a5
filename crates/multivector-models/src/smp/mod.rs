//! The spatial model of politics (SMP) of KAPSARC's KTAB, written from `specs/smp.md` and its
//! appendix `specs/smp-ktab-detail.md`: multi-dimensional positions, inferred risk
//! attitudes, bilateral challenges with third parties, bargains resolved in per-actor queues
//! by probabilistic Condorcet elections ([`pce`]).
//!
//! Every one of KTAB's nine model parameters is a field of [`SmpOptions`], and so are the four
//! numbers of its stopping rule. Where KTAB has a defect we do what the spec says instead
//! (documented in `docs/models/smp.md`): the power-weighted bargain view weighs the receiver
//! with its own capability; equal win probabilities give every actor a neutral risk attitude
//! instead of NaN; zero capability or zero salience is an actor without influence or without
//! interest, not a crash; stochastic transitions repeat exactly for a seed.
//!
//! # Cost
//!
//! Per round, with `n` actors and `D` dimensions: distances `O(n^2 D)`; risk inference and the
//! reported distribution, one election over `n` options each, `O(n^3)`; each actor's search
//! for a target, `n - 1` challenges with `n - 2` third parties each, `O(n^3)` in all (KTAB
//! also evaluates every challenge from every other perspective, which makes its round
//! `O(n^4)`; the result does not depend on it); queues: one utility per actor and bargain,
//! `O(n^2 D)`, and one election per queue, `O(n b^2)` for a queue of `b` bargains. Actors are
//! processed in parallel (rayon) with results collected in actor order, so the numbers do not
//! depend on the thread count.

pub mod pce;

use multivector_core::{Forecast, Forecaster, IssueInput, ModelError, stats};
use pce::{Election, PceRule, Scratch, VictoryProb, VotingRule};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Two positions closer than this (Euclidean, on the unit scale) are the same position.
pub const SAME_POSITION: f64 = 1e-3;
/// Smallest expected gain worth a challenge.
pub const MIN_GAIN: f64 = 1e-5;
/// Tilt of a bargain toward each side's own position, before rounding.
const BARGAIN_TILT: f64 = 1e-6;
/// Bargain points are rounded to this many decimals on the unit scale.
const BARGAIN_DECIMALS: f64 = 1e4;
/// Coalition floor in the bilateral contests.
const CONTEST_FLOOR: f64 = 1e-10;
/// How many past states a run compares the new one with to find a cycle.
const CYCLE_MEMORY: usize = 8;
/// Below this many actors the round runs on one thread (parallel overhead dominates).
const PARALLEL_FROM: usize = 64;

/// How the inferred win probabilities are mapped to risk attitudes (`big_r_range`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskRange {
    /// `[0, 1]`.
    Min,
    /// `[-1/2, 1]` (the default).
    Mid,
    /// `[-1, 1]`.
    Max,
}

/// How actor `h` perceives actor `i`'s risk attitude (`big_r_adjust`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskAdjust {
    /// Its own attitude.
    None,
    /// `(2 R_h + R_i) / 3` (the default).
    OneThird,
    /// `(R_h + R_i) / 2`.
    Half,
    /// `(R_h + 2 R_i) / 3`.
    TwoThirds,
    /// `R_i`.
    Full,
}

impl RiskAdjust {
    fn blend(self, rh: f64, ri: f64) -> f64 {
        match self {
            RiskAdjust::None => rh,
            RiskAdjust::OneThird => (2.0 * rh + ri) / 3.0,
            RiskAdjust::Half => (rh + ri) / 2.0,
            RiskAdjust::TwoThirds => (rh + 2.0 * ri) / 3.0,
            RiskAdjust::Full => ri,
        }
    }
}

/// What a third party expects from joining a side (`third_party_commit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThirdParty {
    /// Whichever side wins, the third party keeps its own position.
    None,
    /// On the losing side it is dragged to the winner's position (the default).
    Semi,
    /// It ends at the winner's position either way.
    Full,
}

/// Where a bargain lands between the two positions (`bargain_point`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BargainPoint {
    /// Weights `s P` and `s (1 - P)`.
    S1p1,
    /// Weights `s^2 P^2` and `s^2 (1 - P)^2` (the default).
    S2p2,
    /// Only the weaker side moves.
    S2pmax,
}

/// Whose view of the contest builds the bargain (`bargain_view`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BargainView {
    /// The initiator's (the default).
    Initiator,
    /// Two bargains: the initiator's and the receiver's.
    Both,
    /// One bargain averaging the two views, weighted by capability times total salience.
    PowerWeighted,
}

/// How an actor picks a bargain from its queue (`transitions`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transitions {
    /// The most probable bargain (the default).
    Deterministic,
    /// A bargain drawn with its probability, from the seed.
    Stochastic,
}

/// When the run stops: after round `t` when `t >= max_rounds`, or when `t >= min_rounds` and
/// `D(t) / (D(1) + floor) < ratio`, `D(t)` being the sum of the actors' moves in round `t`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SmpStop {
    pub max_rounds: usize,
    pub min_rounds: usize,
    pub ratio: f64,
    pub floor: f64,
}

impl Default for SmpStop {
    fn default() -> Self {
        SmpStop {
            max_rounds: 100,
            min_rounds: 2,
            ratio: 0.02,
            floor: 1e-4,
        }
    }
}

impl SmpStop {
    /// Checks the rule: at least one round, a ratio >= 0 and a floor > 0 (the floor keeps
    /// the ratio defined when nobody moves in round 1). Front ends call this to refuse bad
    /// options before any work; the error names the field (`stop.ratio`, ...).
    pub fn validate(&self) -> Result<(), ModelError> {
        let bad = |option, message: String| Err(ModelError::Option { option, message });
        if self.max_rounds == 0 {
            return bad("stop.max_rounds", "0 rounds run nothing".into());
        }
        if !(self.ratio.is_finite() && self.ratio >= 0.0) {
            return bad("stop.ratio", format!("{} is not a number >= 0", self.ratio));
        }
        if !(self.floor.is_finite() && self.floor > 0.0) {
            return bad("stop.floor", format!("{} is not a number > 0", self.floor));
        }
        Ok(())
    }
}

/// Every option of the model; [`Default`] is KTAB's default parameter set.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SmpOptions {
    pub victory_prob: VictoryProb,
    pub pce: PceRule,
    pub transitions: Transitions,
    pub voting_rule: VotingRule,
    pub big_r_adjust: RiskAdjust,
    pub big_r_range: RiskRange,
    pub third_party_commit: ThirdParty,
    pub bargain_point: BargainPoint,
    pub bargain_view: BargainView,
    pub stop: SmpStop,
    /// Seed of the stochastic transitions (recorded, unused when deterministic).
    pub seed: u64,
    /// Group nearly equal positions independently of actor order (KTAB groups in input
    /// order, so its reported probabilities can shift when actors are relabelled; the
    /// dynamics are unaffected either way).
    pub canonical_groups: bool,
}

impl Default for SmpOptions {
    fn default() -> Self {
        SmpOptions {
            victory_prob: VictoryProb::Linear,
            pce: PceRule::Conditional,
            transitions: Transitions::Deterministic,
            voting_rule: VotingRule::Prop,
            big_r_adjust: RiskAdjust::OneThird,
            big_r_range: RiskRange::Mid,
            third_party_commit: ThirdParty::Semi,
            bargain_point: BargainPoint::S2p2,
            bargain_view: BargainView::Initiator,
            stop: SmpStop::default(),
            seed: 20220224,
            canonical_groups: false,
        }
    }
}

impl SmpOptions {
    fn election(&self) -> Election {
        Election {
            voting: self.voting_rule,
            victory: self.victory_prob,
            pce: self.pce,
        }
    }
}

/// One dimension of the space: its name and scale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dimension {
    pub name: String,
    pub min: f64,
    pub max: f64,
}

/// The checked input of a run: `n` actors in `D` dimensions.
///
/// Positions are given on each dimension's scale and kept on the unit scale internally;
/// saliences are on `[0, 1]` with each actor's total at most one (the attention budget).
#[derive(Debug, Clone, PartialEq)]
pub struct SmpInput {
    pub id: String,
    pub actors: Vec<String>,
    pub dims: Vec<Dimension>,
    pub capabilities: Vec<f64>,
    /// `n x D`, row-major, on the unit scale.
    unit: Vec<f64>,
    /// `n x D`, row-major.
    pub saliences: Vec<f64>,
    /// `n x n`, row-major: `A[i][j]` is how far `i`'s ideal follows `j`'s position.
    pub accommodation: Option<Vec<f64>>,
}

impl SmpInput {
    /// Checks and builds an input. `positions` and `saliences` are `n x D` row-major;
    /// positions on the dimensions' scales, saliences on `[0, 1]`.
    pub fn new(
        id: &str,
        actors: Vec<String>,
        dims: Vec<Dimension>,
        capabilities: Vec<f64>,
        positions: Vec<f64>,
        saliences: Vec<f64>,
    ) -> Result<Self, ModelError> {
        let bad = |what: String| Err(ModelError::Invalid(format!("issue `{id}`: {what}")));
        let (n, d) = (actors.len(), dims.len());
        if d == 0 {
            return bad("no dimensions".into());
        }
        if n < 2 {
            return bad(format!(
                "{n} actor(s); the spatial model needs at least two"
            ));
        }
        if capabilities.len() != n || positions.len() != n * d || saliences.len() != n * d {
            return bad(format!(
                "{n} actors and {d} dimensions need {n} capabilities and {} positions and saliences",
                n * d
            ));
        }
        for dim in &dims {
            let size = multivector_core::MAX_MAGNITUDE;
            if !(dim.min.is_finite()
                && dim.max.is_finite()
                && dim.max > dim.min
                && dim.min.abs() <= size
                && dim.max.abs() <= size)
            {
                return bad(format!(
                    "dimension `{}` has scale [{}, {}]; it needs finite min < max, each at most {size:e} in size",
                    dim.name, dim.min, dim.max
                ));
            }
        }
        let mut unit = Vec::with_capacity(n * d);
        for (i, a) in actors.iter().enumerate() {
            if actors[..i].contains(a) {
                return bad(format!("actor `{a}` appears twice"));
            }
            let c = capabilities[i];
            if !(0.0..=multivector_core::MAX_MAGNITUDE).contains(&c) {
                return bad(format!(
                    "actor `{a}`: capability {c} must be a finite number from 0 to {:e}",
                    multivector_core::MAX_MAGNITUDE
                ));
            }
            let mut total = 0.0;
            for (k, dim) in dims.iter().enumerate() {
                let (x, s) = (positions[i * d + k], saliences[i * d + k]);
                if !(x.is_finite() && (dim.min..=dim.max).contains(&x)) {
                    return bad(format!(
                        "actor `{a}`, dimension `{}`: position {x} is outside [{}, {}]",
                        dim.name, dim.min, dim.max
                    ));
                }
                if !(s.is_finite() && (0.0..=1.0).contains(&s)) {
                    return bad(format!(
                        "actor `{a}`, dimension `{}`: salience {s} is outside [0, 1]",
                        dim.name
                    ));
                }
                total += s;
                unit.push((x - dim.min) / (dim.max - dim.min));
            }
            if total > 1.0 + 1e-9 {
                return bad(format!(
                    "actor `{a}`: saliences sum to {total:.4} over the dimensions; attention is a \
                     budget of at most 1 (100 on a 0-100 scale)"
                ));
            }
        }
        Ok(SmpInput {
            id: id.to_string(),
            actors,
            dims,
            capabilities,
            unit,
            saliences,
            accommodation: None,
        })
    }

    /// One dimension from a bargaining model's input (its events applied, as the state after
    /// the last event; the scale is the issue's, or the positions' range when it has none).
    pub fn from_issue(input: &IssueInput) -> Result<Self, ModelError> {
        Self::from_issues(input.issue_id(), std::slice::from_ref(input))
    }

    /// Several one-dimensional inputs over the same actors as the dimensions of one space.
    pub fn from_issues(id: &str, inputs: &[IssueInput]) -> Result<Self, ModelError> {
        let Some(first) = inputs.first() else {
            return Err(ModelError::Invalid(format!("issue `{id}`: no dimensions")));
        };
        let inputs: Vec<IssueInput> = inputs.iter().map(IssueInput::after_events).collect();
        let actors = first.actor_ids().to_vec();
        let n = actors.len();
        let d = inputs.len();
        let mut positions = vec![0.0; n * d];
        let mut saliences = vec![0.0; n * d];
        let mut dims = Vec::with_capacity(d);
        for (k, inp) in inputs.iter().enumerate() {
            if inp.actor_ids() != actors {
                return Err(ModelError::Invalid(format!(
                    "issue `{id}`: dimension `{}` has other actors than `{}`; every actor needs a \
                     stance on every dimension",
                    inp.issue_id(),
                    first.issue_id()
                )));
            }
            let (min, max) = inp.scale().unwrap_or_else(|| {
                let lo = inp
                    .positions()
                    .iter()
                    .copied()
                    .fold(f64::INFINITY, f64::min);
                let hi = inp
                    .positions()
                    .iter()
                    .copied()
                    .fold(f64::NEG_INFINITY, f64::max);
                if hi > lo { (lo, hi) } else { (lo, lo + 1.0) }
            });
            dims.push(Dimension {
                name: inp.issue_id().to_string(),
                min,
                max,
            });
            for i in 0..n {
                positions[i * d + k] = inp.positions()[i];
                saliences[i * d + k] = inp.saliences()[i];
            }
        }
        // Capabilities are the first dimension's (stance overrides may differ by dimension;
        // the spatial model has one capability per actor).
        let caps = inputs[0].capabilities().to_vec();
        Self::new(id, actors, dims, caps, positions, saliences)
    }

    /// Sets the accommodation matrix (`n x n`, row-major, entries `>= 0`, rows summing to at
    /// most one).
    pub fn with_accommodation(mut self, a: Vec<f64>) -> Result<Self, ModelError> {
        let n = self.len();
        if a.len() != n * n {
            return Err(ModelError::Invalid(format!(
                "issue `{}`: the accommodation matrix needs {n} x {n} entries",
                self.id
            )));
        }
        for i in 0..n {
            let row = &a[i * n..(i + 1) * n];
            if row.iter().any(|x| !(x.is_finite() && *x >= 0.0))
                || row.iter().sum::<f64>() > 1.0 + 1e-9
            {
                return Err(ModelError::Invalid(format!(
                    "issue `{}`, actor `{}`: accommodation weights must be >= 0 and sum to at most 1",
                    self.id, self.actors[i]
                )));
            }
        }
        self.accommodation = Some(a);
        Ok(self)
    }

    /// Number of actors.
    pub fn len(&self) -> usize {
        self.actors.len()
    }

    /// Whether there are no actors (never, for a checked input).
    pub fn is_empty(&self) -> bool {
        self.actors.is_empty()
    }

    /// Number of dimensions.
    pub fn dim(&self) -> usize {
        self.dims.len()
    }

    fn to_scale(&self, unit: &[f64]) -> Vec<f64> {
        unit.iter()
            .zip(&self.dims)
            .map(|(u, d)| {
                // Clean the float noise of the round trip through the unit scale
                // (0.5014 * 100 = 50.13999999999999).
                let v = d.min + u * (d.max - d.min);
                let q = 1e9 / (d.max - d.min);
                (v * q).round() / q
            })
            .collect()
    }

    /// The input with actors reordered: actor `k` of the result is actor `perm[k]` of this one.
    pub fn permuted(&self, perm: &[usize]) -> SmpInput {
        let d = self.dim();
        let n = self.len();
        let rows = |v: &[f64]| {
            perm.iter()
                .flat_map(|&p| v[p * d..(p + 1) * d].to_vec())
                .collect()
        };
        SmpInput {
            id: self.id.clone(),
            actors: perm.iter().map(|&p| self.actors[p].clone()).collect(),
            dims: self.dims.clone(),
            capabilities: perm.iter().map(|&p| self.capabilities[p]).collect(),
            unit: rows(&self.unit),
            saliences: rows(&self.saliences),
            accommodation: self.accommodation.as_ref().map(|a| {
                perm.iter()
                    .flat_map(|&i| perm.iter().map(move |&j| a[i * n + j]))
                    .collect()
            }),
        }
    }
}

/// A bargain: the points proposed to its two principals (on the unit scale internally).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bargain {
    pub initiator: usize,
    pub receiver: usize,
    /// Which view built it: `initiator`, `receiver` or `power_weighted`.
    pub view: &'static str,
    pub for_initiator: Vec<f64>,
    pub for_receiver: Vec<f64>,
}

/// One actor's part in a round.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActorRound {
    /// The actor it challenged, with the expected gain and its estimate of the probability
    /// of prevailing; `None` when no challenge was worth `MIN_GAIN`.
    pub target: Option<usize>,
    pub gain: f64,
    pub win_probability: f64,
    /// Bargains in its queue (status quo excluded) and the one it took (`None`: it stayed).
    pub queue: usize,
    pub chosen: Option<Bargain>,
    /// Probability the queue's election gave the chosen option (status quo included).
    pub chosen_probability: f64,
}

/// The state at the start of round `t + 1` (or the final state), with its assessment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SmpState {
    /// Positions, `n` rows of `D`, on the input's scales.
    pub positions: Vec<Vec<f64>>,
    pub ideals: Vec<Vec<f64>>,
    /// Inferred risk attitudes.
    pub risk: Vec<f64>,
    /// Probability that each actor's position is the outcome (actors sharing a position show
    /// the same number; it sums to one over unique positions).
    pub probability: Vec<f64>,
    /// Index of the actor representing each actor's unique position.
    pub group: Vec<usize>,
}

/// Everything a run produced.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SmpRun {
    pub issue: String,
    pub actors: Vec<String>,
    pub dims: Vec<Dimension>,
    pub options: SmpOptions,
    /// `states[0]` is the input; `states[t]` the state after round `t`.
    pub states: Vec<SmpState>,
    /// `rounds[t - 1]`: what each actor did in round `t`.
    pub rounds: Vec<Vec<ActorRound>>,
    /// `D(t)`, the sum of the actors' moves in round `t` (unit scale), and
    /// `D(t) / (D(1) + floor)`.
    pub moves: Vec<f64>,
    pub fractional_change: Vec<f64>,
    /// Whether the run stopped by the ratio (true) or at `max_rounds` (false).
    pub converged: bool,
    pub most_probable: MostProbable,
    /// The most probable position of every state, `states`' order (kept also when the states
    /// are not); its last entry is `most_probable.position`. Not written out with the run:
    /// the states hold it.
    #[serde(skip)]
    pub path: Vec<Vec<f64>>,
    /// Per dimension, over final positions, weights capability x total salience.
    pub weighted_median: Vec<f64>,
    pub weighted_mean: Vec<f64>,
}

/// The most probable final position.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MostProbable {
    pub position: Vec<f64>,
    pub probability: f64,
    pub actors: Vec<String>,
}

/// The spatial model with its options.
#[derive(Debug, Clone, Copy, Default)]
pub struct Smp {
    pub options: SmpOptions,
}

/// The vote of a third party with weight `wk` in a contest whose principals' coalitions are
/// `(cij, cji)`, from its utilities `(ui, uj, uk)` for the challenger's position, the
/// target's and its own: it weighs the payoffs of joining either side by its naive estimate
/// of the challenger's chance.
#[inline(always)]
fn third_party(
    (cij, cji): (f64, f64),
    wk: f64,
    (ui, uj, uk): (f64, f64, f64),
    vote: &impl Fn(f64, f64) -> f64,
    commit: &impl Fn(f64, f64, f64) -> (f64, f64, f64, f64),
) -> f64 {
    let naive = vote(wk, ui - uj);
    let a = cij + naive.max(0.0);
    let b = cji + (-naive).max(0.0);
    let pin = a / (a + b);
    let (ii, ij, ji, jj) = commit(ui, uj, uk);
    let join_i = pin * ii + (1.0 - pin) * ij;
    let join_j = pin * ji + (1.0 - pin) * jj;
    vote(wk, join_i - join_j)
}

/// `u(delta, R) = (1 - delta)(1 + delta R)`.
fn utility(delta: f64, r: f64) -> f64 {
    if delta <= 1.0 {
        (1.0 - delta) * (1.0 + delta * r)
    } else {
        (1.0 - delta) * (1.0 + r)
    }
}

/// Salience-weighted distance from an ideal `q` (with saliences `s`) to a position `x`.
/// An actor with no salience anywhere is indifferent: distance 0 to everything.
fn distance(s: &[f64], q: &[f64], x: &[f64]) -> f64 {
    let (mut num, mut den) = (0.0, 0.0);
    for k in 0..s.len() {
        let t = s[k] * (q[k] - x[k]);
        num += t * t;
        den += s[k] * s[k];
    }
    if den > 0.0 { (num / den).sqrt() } else { 0.0 }
}

/// Whether two vectors hold the same bits (unlike `==`, 0.0 and -0.0 differ).
fn same_bits(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(u, v)| u.to_bits() == v.to_bits())
}

/// Rounds a bargain coordinate as KTAB does (4 decimals on the unit scale).
fn round4(x: f64) -> f64 {
    (x * BARGAIN_DECIMALS).round() / BARGAIN_DECIMALS
}

/// Per-round quantities every step needs.
#[derive(Default)]
struct Eval {
    /// `delta[i * n + j]`: from i's ideal to j's position.
    delta: Vec<f64>,
    /// `delta_t[j * n + i] = delta[i * n + j]`.
    delta_t: Vec<f64>,
    risk: Vec<f64>,
    probability: Vec<f64>,
    group: Vec<usize>,
}

/// One actor's estimate of every actor's utility for every position, stored by position
/// (`by_position[l * n + k]`: k's utility for l's position) so that the loops over voters
/// read memory in order.
#[derive(Default)]
struct Perceived {
    n: usize,
    by_position: Vec<f64>,
    /// `own[k]`: k's utility for its own position.
    own: Vec<f64>,
    /// The risk attitude the viewer perceives in each actor.
    r: Vec<f64>,
}

impl Perceived {
    fn column(&self, l: usize) -> &[f64] {
        &self.by_position[l * self.n..(l + 1) * self.n]
    }
}

/// An actor's challenge in a round: its target, the expected gain and its estimate of the
/// probability of prevailing; `None` when no challenge is worth `MIN_GAIN`.
type Challenge = Option<(usize, f64, f64)>;

/// A round's bargains in proposal order, flat: bargain `b` is proposed by `by[b].0` to
/// `by[b].1` and built by view `by[b].2`; its points for the initiator and for the receiver
/// are the two halves of `pts[2bd..2(b + 1)d]`. With the scratch the bargains are built in,
/// it is reused from round to round, so a round allocates nothing once grown.
#[derive(Default)]
struct Offers {
    by: Vec<(usize, usize, &'static str)>,
    pts: Vec<f64>,
    /// The receiver's view of a contest: its utilities for the initiator's position, for its
    /// own and every actor's for its own (see [`Run::view_columns`]).
    cols: [Vec<f64>; 3],
    /// The receiver's interpolation, before it is mixed with the initiator's.
    mix: Vec<f64>,
}

impl Offers {
    fn clear(&mut self) {
        self.by.clear();
        self.pts.clear();
    }

    fn len(&self) -> usize {
        self.by.len()
    }

    /// Bargain `b`'s point for `k` (its initiator or its receiver).
    fn point(&self, b: usize, k: usize, d: usize) -> &[f64] {
        let at = 2 * b * d + if self.by[b].0 == k { 0 } else { d };
        &self.pts[at..at + d]
    }

    /// Appends `other`'s bargains after this round's.
    fn append(&mut self, other: &Offers) {
        self.by.extend_from_slice(&other.by);
        self.pts.extend_from_slice(&other.pts);
    }

    /// Bargain `b` on its own, for the records.
    fn bargain(&self, b: usize, d: usize) -> Bargain {
        let (initiator, receiver, view) = self.by[b];
        let pts = &self.pts[2 * b * d..2 * (b + 1) * d];
        Bargain {
            initiator,
            receiver,
            view,
            for_initiator: pts[..d].to_vec(),
            for_receiver: pts[d..].to_vec(),
        }
    }
}

/// Buffers of a round's evaluation and elections, reused from round to round.
#[derive(Default)]
struct Work {
    /// Utilities of the options of the election at hand, option-major.
    u: Vec<f64>,
    order: Vec<usize>,
    reps: Vec<usize>,
    slot: Vec<usize>,
    scratch: Scratch,
}

struct Run<'a> {
    inp: &'a SmpInput,
    o: SmpOptions,
    n: usize,
    d: usize,
    sigma: Vec<f64>,
    /// `c * sigma`, the weights of the bilateral contests.
    w: Vec<f64>,
    /// Whether a deterministic run copies the rounds of a cycle instead of computing them
    /// (always on; off only in the test that checks the copies against the computation).
    fast_forward: bool,
    /// Whether every round's state and actions are kept (`Smp::run`); a forecast needs only
    /// the last state, and keeping the rest is most of the allocation of an ensemble draw.
    record: bool,
    /// Whether the most probable position of every state is kept (the forecast's path):
    /// only it needs each state's outcome distribution, an election the rounds do not read.
    path: bool,
}

/// What a run keeps besides its last state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keep {
    /// Every state and every actor's part in every round (`Smp::run`).
    Rounds,
    /// The most probable position after every round (a forecast).
    Path,
    /// Nothing (a forecast whose path is not read).
    Last,
}

/// `$self.$method(args.., vote, commit)` with the voting rule and the third parties'
/// commitment resolved once, so the loop over third parties is compiled for each pair of
/// rules without a jump per actor. `commit(ui, uj, uk)` gives the third party's payoffs
/// (joins i and i wins, joins i and j wins, joins j and i wins, joins j and j wins).
macro_rules! with_rules {
    (@commit $self:ident, $method:ident, ($($arg:expr),*), $rule:expr) => {
        match $self.o.third_party_commit {
            ThirdParty::Full => $self.$method(
                $($arg,)*
                |w, du| pce::vote($rule, w, du),
                |ui: f64, uj: f64, _uk: f64| (3.0 * ui, 3.0 * uj, 3.0 * ui, 3.0 * uj),
            ),
            ThirdParty::Semi => $self.$method(
                $($arg,)*
                |w, du| pce::vote($rule, w, du),
                |ui: f64, uj: f64, uk: f64| (2.0 * ui + uk, 3.0 * uj, 3.0 * ui, 2.0 * uj + uk),
            ),
            ThirdParty::None => $self.$method(
                $($arg,)*
                |w, du| pce::vote($rule, w, du),
                |ui: f64, uj: f64, uk: f64| {
                    (2.0 * ui + uk, 2.0 * uj + uk, 2.0 * ui + uk, 2.0 * uj + uk)
                },
            ),
        }
    };
    ($self:ident, $method:ident ($($arg:expr),*)) => {
        match $self.o.voting_rule {
            VotingRule::Binary => with_rules!(@commit $self, $method, ($($arg),*), VotingRule::Binary),
            VotingRule::PropBin => with_rules!(@commit $self, $method, ($($arg),*), VotingRule::PropBin),
            VotingRule::Prop => with_rules!(@commit $self, $method, ($($arg),*), VotingRule::Prop),
            VotingRule::PropCubic => {
                with_rules!(@commit $self, $method, ($($arg),*), VotingRule::PropCubic)
            }
            VotingRule::Cubic => with_rules!(@commit $self, $method, ($($arg),*), VotingRule::Cubic),
            VotingRule::AsymProspect => {
                with_rules!(@commit $self, $method, ($($arg),*), VotingRule::AsymProspect)
            }
        }
    };
}

impl Run<'_> {
    fn row<'v>(&self, v: &'v [f64], i: usize) -> &'v [f64] {
        &v[i * self.d..(i + 1) * self.d]
    }

    /// Distances, risk attitudes and (when the run keeps its path) the outcome distribution
    /// of a state, into `ev` (its previous contents are overwritten; `w` holds the buffers
    /// reused from round to round). The next round reads only the distances and the risk
    /// attitudes.
    fn evaluate(&self, x: &[f64], q: &[f64], w: &mut Work, ev: &mut Eval) {
        let (n, s) = (self.n, &self.inp.saliences);
        ev.delta.clear();
        ev.delta.resize(n * n, 0.0);
        let fill = |(i, row): (usize, &mut [f64])| {
            for (j, d) in row.iter_mut().enumerate() {
                *d = distance(self.row(s, i), self.row(q, i), self.row(x, j));
            }
        };
        if n >= PARALLEL_FROM {
            ev.delta.par_chunks_mut(n.max(1)).enumerate().for_each(fill);
        } else {
            ev.delta.chunks_mut(n.max(1)).enumerate().for_each(fill);
        }
        let delta = &ev.delta;
        ev.delta_t.clear();
        ev.delta_t.resize(n * n, 0.0);
        for i in 0..n {
            for j in 0..n {
                ev.delta_t[j * n + i] = delta[i * n + j];
            }
        }
        let e = self.o.election();
        let caps = &self.inp.capabilities;
        // Risk-neutral election over all n positions (duplicates included).
        w.u.clear();
        w.u.extend(ev.delta_t.iter().map(|&dl| utility(dl, 0.0)));
        let p = pce::pce_in(e, caps, &w.u, n, &mut w.scratch);
        let (lo, hi) = p
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                (a.min(x), b.max(x))
            });
        let span = hi - lo;
        ev.risk.clear();
        ev.risk.extend(p.iter().map(|&pi| {
            if span <= 1e-12 {
                return 0.0;
            }
            match self.o.big_r_range {
                RiskRange::Min => (pi - lo) / span,
                RiskRange::Mid => (3.0 * pi - (hi + 2.0 * lo)) / (2.0 * span),
                RiskRange::Max => (2.0 * pi - (hi + lo)) / span,
            }
        }));
        if self.path {
            self.outcome(x, w, ev);
        }
    }

    /// The outcome distribution of the state whose distances and risk attitudes `ev` holds,
    /// into `ev.probability` and `ev.group`.
    fn outcome(&self, x: &[f64], w: &mut Work, ev: &mut Eval) {
        let (n, caps, e) = (self.n, &self.inp.capabilities, self.o.election());
        // Outcome distribution over unique positions, each actor with its own attitude.
        // Unique positions: each actor joins the first group whose representative is within
        // `SAME_POSITION`, visiting actors in input order (KTAB) or, with
        // `canonical_groups`, in lexicographic order of their positions, so that relabelling
        // cannot change the groups or their representatives.
        let order = &mut w.order;
        order.clear();
        order.extend(0..n);
        if self.o.canonical_groups {
            order.sort_by(|&a, &b| {
                let (pa, pb) = (self.row(x, a), self.row(x, b));
                pa.iter()
                    .zip(pb)
                    .map(|(u, v)| u.total_cmp(v))
                    .find(|o| o.is_ne())
                    .unwrap_or(std::cmp::Ordering::Equal)
            });
        }
        let (reps, slot) = (&mut w.reps, &mut w.slot);
        reps.clear();
        slot.clear();
        slot.resize(n, 0);
        for &j in order.iter() {
            let hit = reps.iter().position(|&r| {
                let (a, b) = (self.row(x, j), self.row(x, r));
                a.iter()
                    .zip(b)
                    .map(|(u, v)| (u - v) * (u - v))
                    .sum::<f64>()
                    .sqrt()
                    < SAME_POSITION
            });
            slot[j] = match hit {
                Some(g) => g,
                None => {
                    reps.push(j);
                    reps.len() - 1
                }
            };
        }
        w.u.clear();
        for &r in reps.iter() {
            w.u.extend((0..n).map(|k| utility(ev.delta_t[r * n + k], ev.risk[k])));
        }
        let pu = pce::pce_in(e, caps, &w.u, reps.len(), &mut w.scratch);
        ev.probability.clear();
        ev.probability.extend(slot.iter().map(|&g| pu[g]));
        ev.group.clear();
        ev.group.extend(slot.iter().map(|&g| reps[g]));
    }

    /// The probability that `i` prevails over `j` when `i` challenges, as estimated by the
    /// actor whose utility matrix is `uh` (see [`Perceived`]). The voting and commitment
    /// rules are resolved once here, so the loop over third parties is compiled for each
    /// pair of rules without a jump per actor.
    fn contest(&self, uh: &Perceived, i: usize, j: usize) -> f64 {
        self.contest_cols(uh.column(i), uh.column(j), &uh.own, i, j)
    }

    /// [`Run::contest`] from the three columns it reads: every actor's utility for `i`'s
    /// position, for `j`'s, and for its own.
    fn contest_cols(&self, col_i: &[f64], col_j: &[f64], own: &[f64], i: usize, j: usize) -> f64 {
        with_rules!(self, contest_with((col_i, col_j, own), i, j))
    }

    /// [`Run::contest`] of `i` against `a` and against `b` at once (see
    /// [`Run::contest_pair_with`]).
    fn contest_pair(&self, uh: &Perceived, i: usize, a: usize, b: usize) -> (f64, f64) {
        let cols = (uh.column(i), uh.column(a), uh.column(b), &uh.own[..]);
        with_rules!(self, contest_pair_with(cols, i, a, b))
    }

    /// [`Run::contest`] with its rules fixed: `vote(w, du)` and `commit(ui, uj, uk)`, the
    /// third party's payoffs (joins i and i wins, joins i and j wins, joins j and i wins,
    /// joins j and j wins).
    #[inline(always)]
    fn contest_with(
        &self,
        (col_i, col_j, own): (&[f64], &[f64], &[f64]),
        i: usize,
        j: usize,
        vote: impl Fn(f64, f64) -> f64,
        commit: impl Fn(f64, f64, f64) -> (f64, f64, f64, f64),
    ) -> f64 {
        let (mut cij, mut cji) = self.principals((col_i, col_j, own), i, j, &vote);
        let (mut add_i, mut add_j) = (0.0, 0.0);
        let w = &self.w[..col_i.len()];
        let (col_j, own) = (&col_j[..w.len()], &own[..w.len()]);
        for k in 0..w.len() {
            if k == i || k == j {
                continue;
            }
            let v = third_party(
                (cij, cji),
                w[k],
                (col_i[k], col_j[k], own[k]),
                &vote,
                &commit,
            );
            // Branch-free split of the vote (a data-dependent branch mispredicts half the
            // time); adding +0.0 to the other side leaves it bit for bit unchanged.
            add_i += v.max(0.0);
            add_j += (-v).max(0.0);
        }
        cij += add_i;
        cji += add_j;
        cij / (cij + cji)
    }

    /// The coalitions of a contest of `i` against `j` before the third parties: the two
    /// principals' own votes.
    #[inline(always)]
    fn principals(
        &self,
        (col_i, col_j, own): (&[f64], &[f64], &[f64]),
        i: usize,
        j: usize,
        vote: &impl Fn(f64, f64) -> f64,
    ) -> (f64, f64) {
        let (mut cij, mut cji) = (CONTEST_FLOOR, CONTEST_FLOOR);
        for v in [
            vote(self.w[i], own[i] - col_j[i]),
            vote(self.w[j], col_i[j] - own[j]),
        ] {
            if v > 0.0 {
                cij += v;
            } else {
                cji -= v;
            }
        }
        (cij, cji)
    }

    /// Two contests of `i`, against `a` and against `b`, in one loop over the third parties:
    /// two independent chains of additions the processor overlaps (one contest's sums are a
    /// chain it must wait on). Each contest adds its third parties in order, as
    /// [`Run::contest_with`] does, and adds `+0.0` (the identity on these non-negative sums)
    /// where its own rival stands: the same bits.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn contest_pair_with(
        &self,
        (col_i, col_a, col_b, own): (&[f64], &[f64], &[f64], &[f64]),
        i: usize,
        a: usize,
        b: usize,
        vote: impl Fn(f64, f64) -> f64,
        commit: impl Fn(f64, f64, f64) -> (f64, f64, f64, f64),
    ) -> (f64, f64) {
        let (mut a_ij, mut a_ji) = self.principals((col_i, col_a, own), i, a, &vote);
        let (mut b_ij, mut b_ji) = self.principals((col_i, col_b, own), i, b, &vote);
        let (mut a_i, mut a_j, mut b_i, mut b_j) = (0.0, 0.0, 0.0, 0.0);
        let w = &self.w[..col_i.len()];
        let (col_a, col_b, own) = (&col_a[..w.len()], &col_b[..w.len()], &own[..w.len()]);
        for k in 0..w.len() {
            if k == i {
                continue;
            }
            let (ui, uk) = (col_i[k], own[k]);
            let va = third_party((a_ij, a_ji), w[k], (ui, col_a[k], uk), &vote, &commit);
            let vb = third_party((b_ij, b_ji), w[k], (ui, col_b[k], uk), &vote, &commit);
            let va = if k == a { 0.0 } else { va };
            let vb = if k == b { 0.0 } else { vb };
            a_i += va.max(0.0);
            a_j += (-va).max(0.0);
            b_i += vb.max(0.0);
            b_j += (-vb).max(0.0);
        }
        a_ij += a_i;
        a_ji += a_j;
        b_ij += b_i;
        b_ji += b_j;
        (a_ij / (a_ij + a_ji), b_ij / (b_ij + b_ji))
    }

    /// `h`'s utility matrix: every actor's utility for every position, each with the risk
    /// attitude `h` perceives in it, into `uh` (its buffers reused).
    fn perceived(&self, ev: &Eval, h: usize, uh: &mut Perceived) {
        let n = self.n;
        uh.n = n;
        uh.r.clear();
        uh.r.extend((0..n).map(|k| self.o.big_r_adjust.blend(ev.risk[h], ev.risk[k])));
        uh.by_position.clear();
        uh.by_position.resize(n * n, 0.0);
        // Row l of `delta_t` is every actor's distance to l's position: contiguous on both
        // sides.
        for (out, d) in uh
            .by_position
            .chunks_exact_mut(n.max(1))
            .zip(ev.delta_t.chunks_exact(n.max(1)))
        {
            for ((u, &d), &r) in out.iter_mut().zip(d).zip(&uh.r) {
                *u = utility(d, r);
            }
        }
        uh.own.clear();
        uh.own.extend((0..n).map(|k| uh.by_position[k * n + k]));
    }

    /// Columns `i` and `j` and the diagonal of [`Run::perceived`]`(ev, h)`, computed alone,
    /// into `cols` (their previous contents replaced).
    fn view_columns(&self, ev: &Eval, h: usize, i: usize, j: usize, cols: &mut [Vec<f64>; 3]) {
        let n = self.n;
        let [ci, cj, own] = cols;
        for c in [&mut *ci, &mut *cj, &mut *own] {
            c.clear();
        }
        for k in 0..n {
            let r = self.o.big_r_adjust.blend(ev.risk[h], ev.risk[k]);
            let row = &ev.delta[k * n..(k + 1) * n];
            ci.push(utility(row[i], r));
            cj.push(utility(row[j], r));
            own.push(utility(row[k], r));
        }
    }

    /// `i`'s best target: `(j, gain, P(i > j))`.
    fn target(&self, ev: &Eval, i: usize, uh: &mut Perceived) -> Challenge {
        let n = self.n;
        self.perceived(ev, i, uh);
        let uh = &*uh;
        let mut best: Option<(usize, f64, f64)> = None;
        let mut consider = |j: usize, p: f64| {
            let (uii, uij) = (uh.own[i], uh.column(j)[i]);
            let sq = uii + uij;
            let win = 2.0 * uii;
            let lose = 2.0 * uij;
            let contest = p * win + (1.0 - p) * lose;
            let sj = self.sigma[j];
            let gain = (1.0 - sj) * win + sj * contest - sq;
            if best.is_none_or(|b| gain > b.1) {
                best = Some((j, gain, p));
            }
        };
        // Rivals two at a time (one loop over the third parties for both), in order.
        let mut rivals = (0..n).filter(|&j| j != i);
        while let Some(a) = rivals.next() {
            match rivals.next() {
                Some(b) => {
                    let (pa, pb) = self.contest_pair(uh, i, a, b);
                    consider(a, pa);
                    consider(b, pb);
                }
                None => consider(a, self.contest(uh, i, a)),
            }
        }
        best.filter(|b| b.1 > MIN_GAIN)
    }

    /// The points proposed to `i` and `j` when `i` prevails with probability `p`, appended
    /// to `out`: `i`'s point, then `j`'s.
    fn interpolate(&self, x: &[f64], i: usize, j: usize, p: f64, out: &mut Vec<f64>) {
        let (d, s) = (self.d, &self.inp.saliences);
        let (xi, xj, si, sj) = (
            self.row(x, i),
            self.row(x, j),
            self.row(s, i),
            self.row(s, j),
        );
        let start = out.len();
        out.resize(start + 2 * d, 0.0);
        let (bi, bj) = out[start..].split_at_mut(d);
        for k in 0..d {
            match self.o.bargain_point {
                BargainPoint::S1p1 | BargainPoint::S2p2 => {
                    let (wi, wj) = if self.o.bargain_point == BargainPoint::S2p2 {
                        (si[k] * si[k] * p * p, sj[k] * sj[k] * (1.0 - p) * (1.0 - p))
                    } else {
                        (si[k] * p, sj[k] * (1.0 - p))
                    };
                    let t = BARGAIN_TILT;
                    bi[k] = round4(((wi + t) * xi[k] + wj * xj[k]) / (wi + wj + t));
                    bj[k] = round4((wi * xi[k] + (wj + t) * xj[k]) / (wi + wj + t));
                }
                BargainPoint::S2pmax => {
                    let toward = |e: f64, s_other: f64, s_own: f64| {
                        let num = e * s_other * s_other;
                        let den = num + (1.0 - e) * s_own * s_own;
                        if den > 0.0 { num / den } else { 0.0 }
                    };
                    let ei = ((1.0 - p) - p).max(0.0);
                    let ej = (p - (1.0 - p)).max(0.0);
                    let fi = toward(ei, sj[k], si[k]);
                    let fj = toward(ej, si[k], sj[k]);
                    bi[k] = round4(xi[k] + fi * (xj[k] - xi[k]));
                    bj[k] = round4(xj[k] + fj * (xi[k] - xj[k]));
                }
            }
        }
    }

    /// The bargains `i` proposes to its target `j`, appended to `out`.
    fn bargains(&self, ev: &Eval, x: &[f64], i: usize, j: usize, p: f64, out: &mut Offers) {
        let view = |name| (i, j, name);
        if self.o.bargain_view == BargainView::Initiator {
            out.by.push(view("initiator"));
            self.interpolate(x, i, j, p, &mut out.pts);
            return;
        }
        // The receiver's view of this one contest: three columns of its utility matrix
        // (`O(n)`), not the whole matrix (`O(n^2)`); the same numbers.
        self.view_columns(ev, j, i, j, &mut out.cols);
        let [col_i, col_j, own] = &out.cols;
        let pj = self.contest_cols(col_i, col_j, own, i, j);
        if self.o.bargain_view == BargainView::PowerWeighted {
            // The initiator's view weighs c_i sigma_i, the receiver's c_j sigma_j (KTAB used
            // the initiator's capability for both).
            let (wi, wj) = (self.w[i], self.w[j]);
            let start = out.pts.len();
            self.interpolate(x, i, j, p, &mut out.pts);
            out.mix.clear();
            self.interpolate(x, i, j, pj, &mut out.mix);
            for (u, &v) in out.pts[start..].iter_mut().zip(&out.mix) {
                *u = if wi + wj > 0.0 {
                    (wi * *u + wj * v) / (wi + wj)
                } else {
                    0.5 * (*u + v)
                };
            }
            out.by.push(view("power_weighted"));
            return;
        }
        out.by.push(view("initiator"));
        self.interpolate(x, i, j, p, &mut out.pts);
        out.by.push(view("receiver"));
        self.interpolate(x, i, j, pj, &mut out.pts);
    }

    fn run(&self, observe: &(dyn Fn(usize) + Sync)) -> SmpRun {
        let (n, d) = (self.n, self.d);
        let mut x = self.inp.unit.clone();
        let mut q = x.clone();
        let mut work = Work::default();
        let mut ev = Eval::default();
        self.evaluate(&x, &q, &mut work, &mut ev);
        // Per round: each bargain's utility row (shared by the two queues it stands in), the
        // queues' outcome probabilities end to end, and where each queue's start.
        let mut rows: Vec<f64> = Vec::new();
        let mut probs: Vec<f64> = Vec::new();
        let mut starts: Vec<usize> = Vec::new();
        let mut base: Vec<f64> = Vec::new();
        let mut viewer = Perceived::default();
        // The round's bargains, each actor's challenge (target, gain, probability), where
        // each queue starts in `queued`, and the next positions and ideals.
        let mut offers = Offers::default();
        let mut challenges: Vec<Challenge> = Vec::with_capacity(n);
        let mut fill_at: Vec<usize> = Vec::with_capacity(n);
        let (mut next, mut next_q) = (Vec::with_capacity(n * d), Vec::with_capacity(n * d));
        let (mut qs, mut queued): (Vec<usize>, Vec<usize>) = (Vec::new(), Vec::new());
        let mut states = Vec::new();
        if self.record {
            states.push(self.state(&x, &q, &ev));
        }
        let mut path = Vec::new();
        if self.path {
            path.push(self.most_probable_position(&x, &ev));
        }
        let mut rounds = Vec::new();
        let mut moves = Vec::new();
        let mut fractional = Vec::new();
        let mut converged = false;
        let stop = self.o.stop;
        let mut t = 0;
        // The (positions, ideals) after the last few rounds, newest last, round 0 included.
        let mut history: Vec<(Vec<f64>, Vec<f64>)> = vec![(x.clone(), q.clone())];
        while t < stop.max_rounds {
            t += 1;
            // (1)-(3) targets and bargains.
            let propose = |i: usize, uh: &mut Perceived, out: &mut Offers| {
                let challenge = self.target(&ev, i, uh);
                if let Some((target, _, p)) = challenge {
                    self.bargains(&ev, &x, i, target, p, out);
                }
                challenge
            };
            offers.clear();
            challenges.clear();
            if n >= PARALLEL_FROM {
                let each: Vec<(Challenge, Offers)> = (0..n)
                    .into_par_iter()
                    .map_init(Perceived::default, |uh, i| {
                        let mut own = Offers::default();
                        (propose(i, uh, &mut own), own)
                    })
                    .collect();
                for (challenge, own) in each {
                    challenges.push(challenge);
                    offers.append(&own);
                }
            } else {
                for i in 0..n {
                    challenges.push(propose(i, &mut viewer, &mut offers));
                }
            }
            // (4) queues: own proposals first, then those received, by initiator. A queue
            // holds indices of the round's bargains (proposal order, so by initiator).
            // Queue k is `queued[qs[k]..qs[k + 1]]`.
            qs.clear();
            qs.resize(n + 1, 0);
            for &(i, j, _) in &offers.by {
                qs[i + 1] += 1;
                qs[j + 1] += 1;
            }
            for k in 0..n {
                qs[k + 1] += qs[k];
            }
            queued.clear();
            queued.resize(offers.len() * 2, 0);
            fill_at.clear();
            fill_at.extend_from_slice(&qs[..n]);
            for (b, &(i, _, _)) in offers.by.iter().enumerate() {
                queued[fill_at[i]] = b;
                fill_at[i] += 1;
            }
            for (b, &(_, j, _)) in offers.by.iter().enumerate() {
                queued[fill_at[j]] = b;
                fill_at[j] += 1;
            }
            let queue = |k: usize| &queued[qs[k]..qs[k + 1]];
            // Objective utilities: each actor with its own attitude, from its ideal.
            let risk = &ev.risk;
            base.clear();
            base.extend((0..n).map(|a| {
                (0..n)
                    .map(|l| utility(ev.delta[a * n + l], risk[a]))
                    .sum::<f64>()
            }));
            let s = &self.inp.saliences;
            let util_of = |a: usize, pt: &[f64]| {
                utility(distance(self.row(s, a), self.row(&q, a), pt), risk[a])
            };
            // Every voter's utility for each bargain, once per bargain.
            rows.clear();
            rows.resize(offers.len() * n, 0.0);
            let fill = |(b, row): (usize, &mut [f64])| {
                let (i, j, _) = offers.by[b];
                let (for_i, for_j) = (offers.point(b, i, d), offers.point(b, j, d));
                for (a, u) in row.iter_mut().enumerate() {
                    let own = &ev.delta[a * n..];
                    *u = (base[a] - utility(own[i], risk[a]) - utility(own[j], risk[a])
                        + util_of(a, for_i)
                        + util_of(a, for_j))
                        / n as f64;
                }
            };
            if n >= PARALLEL_FROM {
                rows.par_chunks_mut(n.max(1)).enumerate().for_each(fill);
            } else {
                rows.chunks_mut(n.max(1)).enumerate().for_each(fill);
            }
            // One election per queue: the status quo, then the queue's bargains.
            let election = |k: usize, u: &mut Vec<f64>, sc: &mut Scratch, out: &mut Vec<f64>| {
                let queue = queue(k);
                u.clear();
                u.extend(base.iter().map(|b| b / n as f64));
                for &t in queue {
                    u.extend_from_slice(&rows[t * n..(t + 1) * n]);
                }
                out.extend_from_slice(pce::pce_in(
                    self.o.election(),
                    &self.inp.capabilities,
                    u,
                    queue.len() + 1,
                    sc,
                ));
            };
            probs.clear();
            starts.clear();
            if n >= PARALLEL_FROM {
                let each: Vec<Vec<f64>> = (0..n)
                    .into_par_iter()
                    .map_init(
                        || (Vec::new(), Scratch::default()),
                        |(u, sc), k| {
                            let mut out = Vec::new();
                            election(k, u, sc, &mut out);
                            out
                        },
                    )
                    .collect();
                for p in each {
                    starts.push(probs.len());
                    probs.extend(p);
                }
            } else {
                for k in 0..n {
                    starts.push(probs.len());
                    election(k, &mut work.u, &mut work.scratch, &mut probs);
                }
            }
            starts.push(probs.len());
            // Round t's own stream, drawn from only under stochastic transitions.
            let mut rng: Option<ChaCha8Rng> = None;
            next.clear();
            next.extend_from_slice(&x);
            let mut record = Vec::with_capacity(if self.record { n } else { 0 });
            for k in 0..n {
                let p = &probs[starts[k]..starts[k + 1]];
                let pick = match self.o.transitions {
                    Transitions::Deterministic => p
                        .iter()
                        .enumerate()
                        .fold(0, |acc, (i, &v)| if v > p[acc] { i } else { acc }),
                    Transitions::Stochastic => {
                        let r: f64 = rng
                            .get_or_insert_with(|| {
                                let mut rng = ChaCha8Rng::seed_from_u64(self.o.seed);
                                rng.set_stream(t as u64);
                                rng
                            })
                            .random();
                        let mut acc = 0.0;
                        let mut pick = p.len() - 1;
                        for (i, v) in p.iter().enumerate() {
                            acc += v;
                            if r < acc {
                                pick = i;
                                break;
                            }
                        }
                        pick
                    }
                };
                let chosen = (pick > 0).then(|| queue(k)[pick - 1]);
                if let Some(b) = chosen {
                    next[k * d..(k + 1) * d].copy_from_slice(offers.point(b, k, d));
                }
                if !self.record {
                    continue;
                }
                let (target, gain, wp) = match challenges[k] {
                    Some((target, gain, p)) => (Some(target), gain, p),
                    None => (None, 0.0, 0.0),
                };
                record.push(ActorRound {
                    target,
                    gain,
                    win_probability: wp,
                    queue: queue(k).len(),
                    chosen: chosen.map(|b| offers.bargain(b, d)),
                    chosen_probability: p[pick],
                });
            }
            let moved: f64 = (0..n)
                .map(|k| {
                    self.row(&next, k)
                        .iter()
                        .zip(self.row(&x, k))
                        .map(|(a, b)| (a - b) * (a - b))
                        .sum::<f64>()
                        .sqrt()
                })
                .sum();
            // (5) ideals follow positions by the accommodation matrix.
            match &self.inp.accommodation {
                None => q.clone_from(&next),
                Some(a) => {
                    next_q.clear();
                    next_q.resize(n * d, 0.0);
                    for i in 0..n {
                        let row = &a[i * n..(i + 1) * n];
                        let keep = 1.0 - row.iter().sum::<f64>();
                        for k in 0..d {
                            next_q[i * d + k] = keep * q[i * d + k]
                                + (0..n).map(|j| row[j] * next[j * d + k]).sum::<f64>();
                        }
                    }
                    std::mem::swap(&mut q, &mut next_q);
                }
            }
            std::mem::swap(&mut x, &mut next);
            self.evaluate(&x, &q, &mut work, &mut ev);
            if self.path {
                path.push(self.most_probable_position(&x, &ev));
            }
            if self.record {
                states.push(self.state(&x, &q, &ev));
                rounds.push(record);
            }
            moves.push(moved);
            let frac = moved / (moves[0] + stop.floor);
            fractional.push(frac);
            observe(t);
            if t >= stop.min_rounds && frac < stop.ratio {
                converged = true;
                break;
            }
            // A deterministic round is a function of (positions, ideals) alone, so once the
            // state repeats one of the last few, every later round repeats the rounds since
            // then, bit for bit: copy them instead of computing them (most runs that reach
            // `max_rounds` are two-cycles found within a few dozen rounds).
            if self.fast_forward && self.o.transitions == Transitions::Deterministic {
                let len = history.len();
                if let Some(p) = (1..=len).find(|&p| {
                    same_bits(&history[len - p].0, &x) && same_bits(&history[len - p].1, &q)
                }) {
                    converged = self.repeat_cycle(
                        p,
                        t,
                        &mut states,
                        &mut rounds,
                        &mut moves,
                        &mut fractional,
                    );
                    if self.path {
                        for r in t + 1..=moves.len() {
                            path.push(path[r - p].clone());
                        }
                    }
                    // The last round's positions: the state after round t - p + phase, which
                    // `history` (newest: round t - 1) holds `p - phase` places from its end.
                    let phase = (moves.len() - t) % p;
                    if phase > 0 {
                        x = history[len - (p - phase)].0.clone();
                        if !self.record {
                            // The last state is not kept: evaluate it again (a deterministic
                            // function of positions and ideals, so the same bits).
                            q = history[len - (p - phase)].1.clone();
                            self.evaluate(&x, &q, &mut work, &mut ev);
                        }
                    }
                    break;
                }
                // The oldest entry's buffers take the newest state once the memory is full.
                let mut newest = if history.len() == CYCLE_MEMORY {
                    history.remove(0)
                } else {
                    Default::default()
                };
                newest.0.clone_from(&x);
                newest.1.clone_from(&q);
                history.push(newest);
            }
        }
        if !self.record {
            if !self.path {
                // The last state's outcome distribution, the one the rounds skipped.
                self.outcome(&x, &mut work, &mut ev);
            }
            states = vec![self.state(&x, &q, &ev)];
        }
        let mut run = self.finish(states, rounds, moves, fractional, converged, &x);
        run.path = path;
        run
    }

    /// The most probable position of the state `ev` assesses, on the input's scales.
    fn most_probable_position(&self, x: &[f64], ev: &Eval) -> Vec<f64> {
        self.inp
            .to_scale(self.row(x, Self::most_probable(&ev.probability, &ev.group)))
    }

    /// The actor representing the most probable position: the first actor of the most
    /// probable group (ties: the earliest group).
    fn most_probable(probability: &[f64], group: &[usize]) -> usize {
        let mut top = 0;
        for i in 0..probability.len() {
            if probability[i] > probability[top] {
                top = i;
            }
        }
        group[top]
    }

    /// Appends copies of the last `p` rounds (a cycle found after round `t`) until the stop
    /// rule fires or `max_rounds` is reached, checking the rule on each copy exactly as the
    /// loop does; returns whether the ratio stopped it.
    fn repeat_cycle(
        &self,
        p: usize,
        t: usize,
        states: &mut Vec<SmpState>,
        rounds: &mut Vec<Vec<ActorRound>>,
        moves: &mut Vec<f64>,
        fractional: &mut Vec<f64>,
    ) -> bool {
        let stop = self.o.stop;
        let mut t = t;
        while t < stop.max_rounds {
            t += 1;
            // Round t repeats round t - p (records are 0-based: round r at r - 1).
            let src = t - p;
            if self.record {
                states.push(states[src].clone());
                rounds.push(rounds[src - 1].clone());
            }
            moves.push(moves[src - 1]);
            let frac = moves[t - 1] / (moves[0] + stop.floor);
            fractional.push(frac);
            if t >= stop.min_rounds && frac < stop.ratio {
                return true;
            }
        }
        false
    }

    fn state(&self, x: &[f64], q: &[f64], ev: &Eval) -> SmpState {
        let rows = |v: &[f64]| {
            (0..self.n)
                .map(|i| self.inp.to_scale(self.row(v, i)))
                .collect()
        };
        SmpState {
            positions: rows(x),
            ideals: rows(q),
            risk: ev.risk.clone(),
            probability: ev.probability.clone(),
            group: ev.group.clone(),
        }
    }

    fn finish(
        &self,
        states: Vec<SmpState>,
        rounds: Vec<Vec<ActorRound>>,
        moves: Vec<f64>,
        fractional_change: Vec<f64>,
        converged: bool,
        x: &[f64],
    ) -> SmpRun {
        let last = states.last().expect("the input state is always recorded");
        let rep = Self::most_probable(&last.probability, &last.group);
        let most_probable = MostProbable {
            position: self.inp.to_scale(self.row(x, rep)),
            probability: last.probability[rep],
            actors: (0..self.n)
                .filter(|&i| last.group[i] == rep)
                .map(|i| self.inp.actors[i].clone())
                .collect(),
        };
        let mut wm = Vec::with_capacity(self.d);
        let mut wmean = Vec::with_capacity(self.d);
        for k in 0..self.d {
            let col: Vec<f64> = last.positions.iter().map(|p| p[k]).collect();
            wm.push(stats::weighted_median(&col, &self.w));
            wmean.push(stats::weighted_mean(&col, &self.w));
        }
        SmpRun {
            issue: self.inp.id.clone(),
            actors: self.inp.actors.clone(),
            dims: self.inp.dims.clone(),
            options: self.o,
            states,
            rounds,
            moves,
            fractional_change,
            converged,
            most_probable,
            path: Vec::new(),
            weighted_median: wm,
            weighted_mean: wmean,
        }
    }
}

impl Smp {
    /// The model with these options.
    pub fn new(options: SmpOptions) -> Self {
        Smp { options }
    }

    /// Runs the model to its stopping rule.
    pub fn run(&self, input: &SmpInput) -> SmpRun {
        self.run_observed(input, &|_| {})
    }

    /// [`Smp::run`], calling `observe` with each round's number as it finishes (the caller's
    /// progress display; a round of a large issue can take seconds). The numbers are those of
    /// [`Smp::run`]: observing changes nothing.
    pub fn run_observed(&self, input: &SmpInput, observe: &(dyn Fn(usize) + Sync)) -> SmpRun {
        Run::new(input, self.options, true).run(observe)
    }
}

impl<'a> Run<'a> {
    /// A run of `input` under `o`; `fast_forward` copies the rounds of an exact cycle
    /// instead of computing them (always on outside the test that checks the copies).
    fn new(input: &'a SmpInput, o: SmpOptions, fast_forward: bool) -> Self {
        Self::keeping(input, o, fast_forward, Keep::Rounds)
    }

    /// As [`Run::new`], keeping only what `keep` says besides the last state.
    fn keeping(input: &'a SmpInput, o: SmpOptions, fast_forward: bool, keep: Keep) -> Self {
        let (n, d) = (input.len(), input.dim());
        let sigma: Vec<f64> = (0..n)
            .map(|i| input.saliences[i * d..(i + 1) * d].iter().sum())
            .collect();
        let w = sigma
            .iter()
            .zip(&input.capabilities)
            .map(|(s, c)| s * c)
            .collect();
        Run {
            inp: input,
            o,
            n,
            d,
            sigma,
            w,
            fast_forward,
            record: keep == Keep::Rounds,
            path: keep != Keep::Last,
        }
    }
}

impl Forecaster for Smp {
    fn name(&self) -> String {
        "smp".into()
    }

    /// The most probable final position (one dimension), with its probability in the note.
    fn forecast(&self, input: &IssueInput) -> Result<Forecast, ModelError> {
        let mut f = self.forecast_space(input.issue_id(), std::slice::from_ref(input))?;
        Ok(f.remove(0))
    }

    /// The coordinates of the most probable final position, bargained over all dimensions.
    fn forecast_space(
        &self,
        space: &str,
        inputs: &[IssueInput],
    ) -> Result<Vec<Forecast>, ModelError> {
        self.forecast_keeping(space, inputs, Keep::Path)
    }

    /// [`Smp::forecast_space`] without the paths: no state but the last is assessed.
    fn forecast_values(
        &self,
        space: &str,
        inputs: &[IssueInput],
    ) -> Result<Vec<Forecast>, ModelError> {
        self.forecast_keeping(space, inputs, Keep::Last)
    }
}

impl Smp {
    /// The forecasts of a space, with their paths under [`Keep::Path`] (`None` otherwise).
    fn forecast_keeping(
        &self,
        space: &str,
        inputs: &[IssueInput],
        keep: Keep,
    ) -> Result<Vec<Forecast>, ModelError> {
        let input = SmpInput::from_issues(space, inputs)?;
        let run = Run::keeping(&input, self.options, true, keep).run(&|_| {});
        let mp = &run.most_probable;
        Ok(mp
            .position
            .iter()
            .enumerate()
            .map(|(k, &value)| Forecast {
                value,
                rounds: Some(run.moves.len()),
                note: Some(format!(
                    "most probable final position (held by {}), p = {:.2}",
                    mp.actors.join(", "),
                    mp.probability
                )),
                path: (keep == Keep::Path).then(|| run.path.iter().map(|p| p[k]).collect()),
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stop_rule_that_cannot_stop_or_divides_by_zero_is_refused() {
        assert!(SmpStop::default().validate().is_ok());
        let field = |st: SmpStop| match st.validate() {
            Err(ModelError::Option { option, .. }) => option,
            other => panic!("{other:?}"),
        };
        let d = SmpStop::default();
        assert_eq!(field(SmpStop { max_rounds: 0, ..d }), "stop.max_rounds");
        assert_eq!(field(SmpStop { ratio: -0.01, ..d }), "stop.ratio");
        assert_eq!(
            field(SmpStop {
                ratio: f64::NAN,
                ..d
            }),
            "stop.ratio"
        );
        assert_eq!(field(SmpStop { floor: 0.0, ..d }), "stop.floor");
        assert_eq!(
            field(SmpStop {
                floor: f64::INFINITY,
                ..d
            }),
            "stop.floor"
        );
    }

    fn run_with(input: &SmpInput, o: SmpOptions, fast_forward: bool) -> SmpRun {
        Run::new(input, o, fast_forward).run(&|_| {})
    }

    /// `n` actors in `d` dimensions on a coarse grid (ties are common): capabilities 1 to 5,
    /// positions in steps of 10 on [0, 100], saliences in tenths divided by `d`.
    fn grid_input(rng: &mut ChaCha8Rng, n: usize, d: usize) -> SmpInput {
        let actors = (0..n).map(|i| format!("a{i}")).collect();
        let dims = (0..d)
            .map(|k| Dimension {
                name: format!("d{k}"),
                min: 0.0,
                max: 100.0,
            })
            .collect();
        let caps = (0..n)
            .map(|_| f64::from(rng.random_range(1..6u8)))
            .collect();
        let pos = (0..n * d)
            .map(|_| f64::from(rng.random_range(0..11u8)) * 10.0)
            .collect();
        let sal = (0..n * d)
            .map(|_| f64::from(rng.random_range(1..11u8)) / 10.0 / d as f64)
            .collect();
        SmpInput::new("t", actors, dims, caps, pos, sal).unwrap()
    }

    /// Two contests in one loop give each contest's number of one contest alone, bit for
    /// bit, under every voting rule and commitment, with rivals on both sides of the
    /// challenger, next to each other and apart, ties and zero weights included.
    #[test]
    fn paired_contests_equal_contests_alone() {
        let mut rng = ChaCha8Rng::seed_from_u64(23);
        let rules = [
            VotingRule::Binary,
            VotingRule::PropBin,
            VotingRule::Prop,
            VotingRule::PropCubic,
            VotingRule::Cubic,
            VotingRule::AsymProspect,
        ];
        let commits = [ThirdParty::None, ThirdParty::Semi, ThirdParty::Full];
        for case in 0..60 {
            let n = rng.random_range(3..12);
            let mut input = grid_input(&mut rng, n, 1);
            input.capabilities[0] = 0.0;
            let o = SmpOptions {
                voting_rule: rules[case % rules.len()],
                third_party_commit: commits[case % commits.len()],
                ..SmpOptions::default()
            };
            let run = Run::new(&input, o, true);
            let (x, mut work, mut ev) = (input.unit.clone(), Work::default(), Eval::default());
            run.evaluate(&x, &x, &mut work, &mut ev);
            let mut uh = Perceived::default();
            for i in 0..n {
                run.perceived(&ev, i, &mut uh);
                for a in (0..n).filter(|&a| a != i) {
                    for b in (0..n).filter(|&b| b != i && b != a) {
                        let (pa, pb) = run.contest_pair(&uh, i, a, b);
                        assert_eq!(pa.to_bits(), run.contest(&uh, i, a).to_bits(), "{case}");
                        assert_eq!(pb.to_bits(), run.contest(&uh, i, b).to_bits(), "{case}");
                    }
                }
            }
        }
    }

    /// Ideals under an accommodation matrix, against the two closed forms: with no weight
    /// anywhere (each row sums to 0) every ideal stays where it started; with each actor's
    /// whole weight on itself the ideals follow the positions, as without a matrix, bit for
    /// bit.
    #[test]
    fn accommodation_keeps_or_follows_the_ideals() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        for case in 0..60 {
            let n = rng.random_range(3..8);
            let d = rng.random_range(1..3);
            let input = grid_input(&mut rng, n, d);
            let o = SmpOptions::default();
            let none = run_with(&input, o, true);
            let own: Vec<f64> = (0..n * n)
                .map(|k| if k / n == k % n { 1.0 } else { 0.0 })
                .collect();
            let follows = run_with(&input.clone().with_accommodation(own).unwrap(), o, true);
            assert_eq!(format!("{follows:?}"), format!("{none:?}"), "case {case}");
            let kept = run_with(
                &input.clone().with_accommodation(vec![0.0; n * n]).unwrap(),
                o,
                true,
            );
            let start = &kept.states[0].positions;
            for st in &kept.states {
                assert_eq!(&st.ideals, start, "case {case}");
            }
        }
    }

    /// Copying a cycle's rounds gives the same run, bit for bit, as computing them: random
    /// issues on a coarse grid (ties make two-cycles common), with the stop rule's minimum
    /// both early and late (so a copied round can be the one that stops the run). A run
    /// that keeps only its path, and one that keeps nothing but its last state, report the
    /// same numbers.
    #[test]
    fn copied_cycles_equal_computed_rounds() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let mut cycled = 0;
        for case in 0..400 {
            let n = rng.random_range(3..9);
            let d = rng.random_range(1..3);
            let input = grid_input(&mut rng, n, d);
            let o = SmpOptions {
                stop: SmpStop {
                    min_rounds: if case % 2 == 0 { 2 } else { 40 },
                    ..SmpStop::default()
                },
                ..SmpOptions::default()
            };
            let fast = run_with(&input, o, true);
            let slow = run_with(&input, o, false);
            assert_eq!(format!("{fast:?}"), format!("{slow:?}"), "case {case}");
            // A forecast's run keeps only the last state; everything it reports is the same.
            let lean = Run::keeping(&input, o, true, Keep::Path).run(&|_| {});
            // Without the path, no state but the last is assessed: the same last state.
            let bare = Run::keeping(&input, o, true, Keep::Last).run(&|_| {});
            assert_eq!(
                format!(
                    "{:?}",
                    (&bare.most_probable, &bare.moves, bare.states.last())
                ),
                format!(
                    "{:?}",
                    (&fast.most_probable, &fast.moves, fast.states.last())
                ),
                "case {case}"
            );
            assert!(bare.path.is_empty());
            assert_eq!(
                format!(
                    "{:?}",
                    (&lean.most_probable, &lean.moves, &lean.fractional_change)
                ),
                format!(
                    "{:?}",
                    (&fast.most_probable, &fast.moves, &fast.fractional_change)
                ),
                "case {case}"
            );
            assert_eq!(lean.states.last(), fast.states.last(), "case {case}");
            // The path is each state's most probable position, copied cycles included.
            assert_eq!(lean.path, fast.path, "case {case}");
            assert_eq!(fast.path.len(), fast.states.len(), "case {case}");
            for (st, p) in fast.states.iter().zip(&fast.path) {
                let top = st
                    .probability
                    .iter()
                    .enumerate()
                    .fold(0, |a, (i, &v)| if v > st.probability[a] { i } else { a });
                assert_eq!(&st.positions[st.group[top]], p, "case {case}");
            }
            assert_eq!(fast.path.last(), Some(&fast.most_probable.position));
            assert_eq!(
                (lean.converged, lean.weighted_median.clone()),
                (fast.converged, fast.weighted_median.clone())
            );
            let t = fast.states.len() - 1;
            if t > 10 && same_bits(&fast.moves[t - 4..t - 2], &fast.moves[t - 2..t]) {
                cycled += 1;
            }
        }
        assert!(
            cycled >= 10,
            "only {cycled} runs ended in a cycle: the test would not test"
        );
    }
}
