//! The DEU backtest: every model we ship, forecast on every usable issue of a DEU file (EU
//! legislative decisions with known outcomes), scored against the outcomes with intervals from
//! a bootstrap that resamples whole proposals.
//!
//! What an issue becomes: the actors with a stated position (the Commission, the Parliament,
//! the member states), the 0-100 scale, the reference point as the status quo, and the outcome
//! as the observed value. Capabilities come from a [`Capabilities`] convention and a missing
//! salience is handled by a [`MissingSalience`] rule; both are assumptions and are listed in
//! [`BacktestReport::assumptions`]. Nothing is fitted to the outcomes: every model runs with
//! the options it ships with.

use std::sync::atomic::{AtomicUsize, Ordering};

use crate::scoring::{PIT_BINS, covered, crps_sorted, pit_bin, pit_sorted, quantile_sorted};
use crate::stacking;
use multivector_core::{Forecaster, IssueInput, Spread};
use multivector_ensemble::{quantile, sample, stream};
use multivector_models::baselines::{WeightedMean, WeightedMedian};
use multivector_models::bdm::{Bdm, BdmOptions, Preset};
use multivector_models::smp::Smp;
use multivector_scenario::deu::{DEU_ACTORS, DeuDate, DeuIssue};
use rand::RngExt;
use rayon::prelude::*;
use serde::Serialize;

/// Version of the [`BacktestReport`] document.
pub const BACKTEST_SCHEMA_VERSION: u32 = 1;

/// Where the actors' capabilities come from (not in the DEU data: always an assumption).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Capabilities {
    /// Every actor has capability 1 (the weighted mean is the salience-weighted mean), as in
    /// the published backtests.
    Equal,
    /// Member states by their Council votes under the rules in force at the proposal's
    /// introduction; the Commission and the Parliament by a convention that depends on the
    /// procedure (see [`council_capabilities`]).
    CouncilVotes,
}

/// What a position without a salience means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum MissingSalience {
    /// The actor is left out of the issue (the convention of the independent check).
    Drop,
    /// The actor takes the mean of the saliences stated on the issue.
    IssueMean,
    /// The actor takes salience 50 (the middle of the scale).
    Fifty,
}

/// The uncertainty an ensemble draws around each stated value (DEU declares none): a normal
/// with these standard deviations, in points of the 0-100 scale, truncated to 0-100. The
/// default (10 and 10) is a convention of this project, fixed before any scoring and never
/// tuned to the outcomes: one step of the finest grid DEU codes use often (multiples of 10),
/// on both positions and saliences. It is an assumption and is listed as one.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DeuSpread {
    /// Standard deviation of the draws around each stated position (points, 0-100 scale).
    pub position_sd: f64,
    /// Standard deviation of the draws around each stated salience (points, 0-100 scale).
    pub salience_sd: f64,
}

impl Default for DeuSpread {
    fn default() -> Self {
        Self {
            position_sd: 10.0,
            salience_sd: 10.0,
        }
    }
}

/// Options of a backtest.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BacktestSettings {
    /// Where the actors' capabilities come from.
    pub capabilities: Capabilities,
    /// What a position without a salience means.
    pub missing_salience: MissingSalience,
    /// Bootstrap replicates for the intervals (0: no intervals).
    pub bootstrap: usize,
    /// Master seed of the bootstrap (replicate `b` draws from stream `b`), of the ensembles
    /// (issue `u`, draw `d`: stream `(u + 1) * 2^32 + d`) and of the stacking folds.
    pub seed: u64,
    /// Ensemble draws per issue for the probabilistic scores (0: point forecasts only).
    pub draws: usize,
    /// The uncertainty drawn around each stated value by the ensembles.
    pub spread: DeuSpread,
    /// Folds of the proposal-grouped cross-validation of the stacked forecast (at most the
    /// number of proposals; fewer than 2 proposals: no stacked forecast).
    pub folds: usize,
}

/// The most ensemble draws per issue a backtest accepts.
pub const MAX_DRAWS: usize = 100_000;
/// The most bootstrap replicates a backtest accepts.
pub const MAX_BOOTSTRAP: usize = 1_000_000;

impl Default for BacktestSettings {
    fn default() -> Self {
        Self {
            capabilities: Capabilities::Equal,
            missing_salience: MissingSalience::Drop,
            bootstrap: 1000,
            seed: multivector_ensemble::DEFAULT_SEED,
            draws: 0,
            spread: DeuSpread::default(),
            folds: 10,
        }
    }
}

impl BacktestSettings {
    /// Checks the settings; the error names the field and its allowed range.
    pub fn validate(&self) -> Result<(), BacktestError> {
        let bad =
            |field: &'static str, message: String| Err(BacktestError::Settings { field, message });
        let sd_ok = |v: f64| v.is_finite() && v > 0.0 && v <= 100.0;
        if !sd_ok(self.spread.position_sd) {
            return bad(
                "spread.position_sd",
                format!("{} is not in (0, 100]", self.spread.position_sd),
            );
        }
        if !sd_ok(self.spread.salience_sd) {
            return bad(
                "spread.salience_sd",
                format!("{} is not in (0, 100]", self.spread.salience_sd),
            );
        }
        if self.draws > MAX_DRAWS {
            return bad(
                "draws",
                format!("{} is over the limit of {MAX_DRAWS}", self.draws),
            );
        }
        if self.bootstrap > MAX_BOOTSTRAP {
            return bad(
                "bootstrap",
                format!("{} is over the limit of {MAX_BOOTSTRAP}", self.bootstrap),
            );
        }
        if self.folds < 2 {
            return bad(
                "folds",
                format!("{} folds: at least 2 are needed", self.folds),
            );
        }
        Ok(())
    }
}

/// Why a backtest could not run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum BacktestError {
    #[error("setting `{field}`: {message}")]
    /// A setting is out of its range.
    Settings {
        /// The setting.
        field: &'static str,
        /// What is wrong with it.
        message: String,
    },
    #[error(
        "none of the {total} issues is usable ({no_outcome} without an outcome, {too_few} with fewer than two positions, {no_weight} without two actors of positive weight)"
    )]
    /// No issue of the file can be scored.
    NoUsableIssue {
        /// Issues in the file.
        total: usize,
        /// Issues without an outcome.
        no_outcome: usize,
        /// Issues with fewer than two positions.
        too_few: usize,
        /// Issues without two actors of positive weight.
        no_weight: usize,
    },
    #[error("model `{model}` failed on issue `{issue}` (line {line}): {message}")]
    /// A model failed on an issue.
    Model {
        /// The model.
        model: String,
        /// The issue id.
        issue: String,
        /// The issue's line in the file.
        line: usize,
        /// What the model said.
        message: String,
    },
}

/// How many issues were used and why the others were not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Issues in the file.
    pub issues: usize,
    /// Issues scored.
    pub usable: usize,
    /// Proposals the scored issues belong to.
    pub proposals: usize,
    /// Issues without an outcome.
    pub no_outcome: usize,
    /// Issues with fewer than two positions.
    pub too_few_positions: usize,
    /// An outcome and two positions, but fewer than two actors with a salience, or no weight.
    pub no_weight: usize,
    /// Actor-issue cells with a position but no salience (handled by the missing-salience rule).
    pub positions_without_salience: usize,
    /// Usable issues without a reference point (the `reference` model is scored without them).
    pub no_reference: usize,
    /// Issues whose introduction date was in a spreadsheet's rewritten form and read back.
    pub dates_rewritten: usize,
}

/// A point estimate with its 95% bootstrap interval (percentiles 2.5 and 97.5, type 7).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    /// The estimate over all issues.
    pub value: f64,
    /// Lower end of its 95% bootstrap interval (None without bootstrap).
    pub low: Option<f64>,
    /// Upper end of its 95% bootstrap interval (None without bootstrap).
    pub high: Option<f64>,
}

/// One model's score over the issues it forecast.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelScore {
    /// The model.
    pub model: String,
    /// Issues it forecast.
    pub n: usize,
    /// Mean absolute error (points of the 0-100 scale).
    pub mae: Estimate,
    /// Root mean squared error.
    pub rmse: Estimate,
    /// Median absolute error.
    pub median_ae: Estimate,
    /// Share of issues on which the model is closer to the outcome than the weighted mean
    /// (ties count one half).
    pub closer_than_mean: Estimate,
    /// MAE of the model minus MAE of the weighted mean on the same issues (negative: better).
    pub mae_minus_mean: Estimate,
}

/// MAE per model within one group of issues.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupScore {
    /// `procedure` or `voting_rule`.
    pub by: String,
    /// The group (a procedure or a voting rule).
    pub group: String,
    /// The model.
    pub model: String,
    /// Issues in the group.
    pub n: usize,
    /// Mean absolute error in the group.
    pub mae: f64,
}

/// One forecast of one model on one issue (the long-format rows).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IssueRow {
    /// The issue id.
    pub issue: String,
    /// The proposal it belongs to.
    pub proposal: String,
    /// Legislative procedure (COD, CNS).
    pub procedure: String,
    /// Council voting rule (QMV, Unan).
    pub voting_rule: String,
    /// Introduction date, `yyyy-mm-dd`.
    pub intro: Option<String>,
    /// Line in the file.
    pub line: usize,
    /// Actors entering the models.
    pub actors: usize,
    /// The reference point, when coded.
    pub reference: Option<f64>,
    /// The outcome.
    pub outcome: f64,
    /// The model.
    pub model: String,
    /// Its point forecast.
    pub forecast: f64,
    /// `|forecast - outcome|`.
    pub abs_error: f64,
    /// From the model's ensemble on this issue (None without draws, or for `reference`).
    pub crps: Option<f64>,
    /// Share of the ensemble below the outcome (ties count a half).
    pub pit: Option<f64>,
    /// 10th percentile of the ensemble.
    pub q10: Option<f64>,
    /// Median of the ensemble.
    pub q50: Option<f64>,
    /// 90th percentile of the ensemble.
    pub q90: Option<f64>,
}

/// How one model's ensembles score against the outcomes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProbScore {
    /// The model.
    pub model: String,
    /// Issues scored.
    pub n: usize,
    /// Mean CRPS (points of the 0-100 scale; for a point forecast it equals the MAE).
    pub crps: Estimate,
    /// Mean CRPS minus the MAE of the weighted mean's point forecast on the same issues
    /// (negative: the distribution beats the best point baseline).
    pub crps_minus_mean_mae: Estimate,
    /// Share of outcomes inside the central 50% and 80% intervals (calibrated: 0.5 and 0.8).
    pub coverage50: Estimate,
    /// Share of outcomes inside the central 80% interval.
    pub coverage80: Estimate,
    /// PIT histogram: counts in ten bins of 0.1 (calibrated: flat).
    pub pit: Vec<usize>,
}

/// The stacked forecast: a convex combination of the models, fitted by least squares on the
/// other folds' proposals and scored only on its own fold's (out of fold).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stacking {
    /// The models combined, in the order of the weights.
    pub models: Vec<String>,
    /// Folds of whole proposals.
    pub folds: usize,
    /// The weights each fold's issues were forecast with (fitted without that fold).
    pub fold_weights: Vec<Vec<f64>>,
    /// Weights fitted on every issue: for reading only, never scored (they have seen the
    /// outcomes they would be scored on).
    pub all_issues_weights: Vec<f64>,
}

/// An issue on which the models miss most (by their mean absolute error).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorstIssue {
    /// The issue id.
    pub issue: String,
    /// The proposal it belongs to.
    pub proposal: String,
    /// The proposal's short name.
    pub name: String,
    /// The outcome.
    pub outcome: f64,
    /// Mean absolute error of the five models on it.
    pub mean_abs_error: f64,
}

/// Everything a backtest found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BacktestReport {
    /// Version of this document's layout.
    pub schema_version: u32,
    /// The settings the backtest ran with.
    pub settings: BacktestSettings,
    /// The assumptions behind the numbers, in words.
    pub assumptions: Vec<String>,
    /// What the file held and what could be scored.
    pub counts: Counts,
    /// Model names in the order of `scores`.
    pub models: Vec<String>,
    /// Point scores per model, in report order.
    pub scores: Vec<ModelScore>,
    /// MAE by procedure and by voting rule.
    pub groups: Vec<GroupScore>,
    /// The issues on which the models miss most.
    pub worst: Vec<WorstIssue>,
    /// Probabilistic scores (empty without ensemble draws).
    pub probabilistic: Vec<ProbScore>,
    /// None with fewer than two proposals.
    pub stacking: Option<Stacking>,
    /// One row per issue and model (long format).
    pub rows: Vec<IssueRow>,
}

/// The models a backtest scores, in report order.
pub const MODELS: [&str; 8] = [
    "bdm-scholz",
    "bdm-paper",
    "smp",
    "mean",
    "median",
    "median-stated",
    "reference",
    "stacked",
];
const MEAN: usize = 3;
const REFERENCE: usize = 6;
const STACKED: usize = 7;
/// The models the stacked forecast combines and the ensembles draw: every model but the
/// reference point (a third of DEU's issues have none) and the stack itself.
const STACK: usize = 6;
/// The models that get an ensemble, in the order of [`MODELS`].
const ENSEMBLE_MODELS: [usize; 7] = [0, 1, 2, 3, 4, 5, STACKED];

/// Council votes of a member state (index into [`DEU_ACTORS`]) for a proposal introduced on
/// `date`, and the name of the rule used.
///
/// - before 1 November 2004: the weighted votes of the Treaty of Amsterdam for the fifteen
///   (total 87), with the transitional votes of the 2003 Act of Accession (1 May to 31 October
///   2004) for the ten states that joined in 2004;
/// - 1 November 2004 to 31 October 2014: the weighted votes of the Treaty of Nice as extended
///   by the Acts of Accession of 2003, 2005 (Bulgaria, Romania) and 2012 (Croatia);
/// - from 1 November 2014: the Treaty of Lisbon's double majority has no weights; its
///   population criterion is used (population on 1 January 2014, millions, Eurostat, rounded),
///   which leaves out the equal-state criterion: an assumption.
///
/// A proposal without a date is weighted by the Nice votes.
pub fn council_votes(actor: usize, date: Option<DeuDate>) -> (f64, &'static str) {
    // Order: com ep at be bu cr cy cz dk ee fi fr de el hu ie it lv lt lu mt nl pl pt ro si sk es se uk
    const AMSTERDAM: [f64; 30] = [
        0., 0., 4., 5., 0., 0., 2., 5., 3., 3., 3., 10., 10., 5., 5., 3., 10., 3., 3., 2., 2., 5.,
        8., 5., 0., 3., 3., 8., 4., 10.,
    ];
    const NICE: [f64; 30] = [
        0., 0., 10., 12., 10., 7., 4., 12., 7., 4., 7., 29., 29., 12., 12., 7., 29., 4., 7., 4.,
        3., 13., 27., 12., 14., 4., 7., 27., 10., 29.,
    ];
    const POPULATION_2014: [f64; 30] = [
        0., 0., 8.5, 11.2, 7.2, 4.2, 0.86, 10.5, 5.6, 1.3, 5.5, 65.9, 80.8, 11.0, 9.9, 4.6, 60.8,
        2.0, 2.9, 0.55, 0.43, 16.8, 38.0, 10.4, 19.9, 2.1, 5.4, 46.5, 9.6, 64.3,
    ];
    let nice_from = DeuDate {
        year: 2004,
        month: 11,
        day: 1,
    };
    let lisbon_from = DeuDate {
        year: 2014,
        month: 11,
        day: 1,
    };
    match date {
        Some(d) if d < nice_from => (AMSTERDAM[actor], "amsterdam"),
        Some(d) if d >= lisbon_from => (POPULATION_2014[actor], "lisbon-population"),
        _ => (NICE[actor], "nice"),
    }
}

/// Capabilities of the actors of one issue under `council-votes`: member states by
/// [`council_votes`]; with `C` the total of the member states with a position, the Commission
/// gets `C / 2` (agenda setter under both procedures), and the Parliament `C` under
/// co-decision (co-legislator, equal to the Council) and 0 otherwise (consulted only). This
/// convention is this project's, fixed before any scoring; it is not fitted.
pub fn council_capabilities(issue: &DeuIssue, actors: &[usize]) -> Vec<f64> {
    let states: Vec<f64> = actors
        .iter()
        .map(|&a| council_votes(a, issue.intro).0)
        .collect();
    let total: f64 = states.iter().sum();
    let cod = issue.procedure.trim().eq_ignore_ascii_case("COD");
    actors
        .iter()
        .zip(states)
        .map(|(&a, v)| match DEU_ACTORS[a] {
            "com" => total / 2.0,
            "ep" if cod => total,
            "ep" => 0.0,
            _ => v,
        })
        .collect()
}

/// What a usable issue gives the models: its actors with a stated position (the ones with a
/// salience, after the missing-salience rule, enter the models; every stated position enters
/// the stated median) and their capabilities.
struct Base {
    /// `(actor, position, salience 0-100)` of the actors entering the models.
    kept: Vec<(usize, f64, f64)>,
    /// Positions of the stated actors that do not enter the models (no salience).
    others: Vec<f64>,
    caps: Vec<f64>,
}

/// Why an issue is not usable, or what it gives the models.
enum Prepared {
    NoOutcome,
    TooFew,
    NoWeight,
    Usable(Base),
}

fn prepare(issue: &DeuIssue, settings: &BacktestSettings) -> Prepared {
    if issue.outcome.is_none() {
        return Prepared::NoOutcome;
    }
    let stated: Vec<_> = issue
        .stances
        .iter()
        .filter(|s| s.position.is_some())
        .collect();
    if stated.len() < 2 {
        return Prepared::TooFew;
    }
    let known: Vec<f64> = stated.iter().filter_map(|s| s.salience).collect();
    let fill = match settings.missing_salience {
        MissingSalience::Drop => None,
        MissingSalience::IssueMean if known.is_empty() => None,
        MissingSalience::IssueMean => Some(known.iter().sum::<f64>() / known.len() as f64),
        MissingSalience::Fifty => Some(50.0),
    };
    let mut kept = Vec::new();
    let mut others = Vec::new();
    for s in &stated {
        let position = s.position.unwrap_or(0.0);
        match s.salience.or(fill) {
            Some(sal) => kept.push((s.actor, position, sal)),
            None => others.push(position),
        }
    }
    let actors: Vec<usize> = kept.iter().map(|k| k.0).collect();
    let caps = match settings.capabilities {
        Capabilities::Equal => vec![1.0; kept.len()],
        Capabilities::CouncilVotes => council_capabilities(issue, &actors),
    };
    let base = Base { kept, others, caps };
    let positions: Vec<f64> = base.kept.iter().map(|k| k.1).collect();
    let saliences: Vec<f64> = base.kept.iter().map(|k| k.2).collect();
    match input(issue, &base, positions, &saliences) {
        Some(_) => Prepared::Usable(base),
        None => Prepared::NoWeight,
    }
}

/// The model input of an issue with these positions and saliences (0-100) of the kept
/// actors; None when no two actors carry weight.
fn input(
    issue: &DeuIssue,
    base: &Base,
    positions: Vec<f64>,
    saliences: &[f64],
) -> Option<IssueInput> {
    IssueInput::new(
        &issue.issue,
        base.kept
            .iter()
            .map(|k| DEU_ACTORS[k.0].to_string())
            .collect(),
        positions,
        base.caps.clone(),
        saliences.iter().map(|s| s / 100.0).collect(),
    )
    .and_then(|i| i.with_scale(0.0, 100.0))
    .and_then(|i| i.with_status_quo(issue.reference))
    .ok()
}

/// The median of the stated positions, unweighted (the mean of the two middle ones for an even
/// count): the "median actor" of the published backtests.
pub fn stated_median(issue: &DeuIssue) -> Option<f64> {
    let v: Vec<f64> = issue.stances.iter().filter_map(|s| s.position).collect();
    median_of(v)
}

fn median_of(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

/// The forecasts of the [`STACK`] models on one version of an issue: the five model runs on
/// `input` and the median of `input`'s positions with `others`.
fn model_forecasts(
    issue: &DeuIssue,
    input: &IssueInput,
    others: &[f64],
) -> Result<[f64; STACK], BacktestError> {
    let fail = |model: &str, message: String| BacktestError::Model {
        model: model.to_string(),
        issue: issue.issue.clone(),
        line: issue.line,
        message,
    };
    let scholz = Bdm::new(BdmOptions::preset(Preset::Scholz));
    let paper = Bdm::new(BdmOptions::preset(Preset::Paper));
    let models: [(&str, &dyn Forecaster); 5] = [
        (MODELS[0], &scholz),
        (MODELS[1], &paper),
        (MODELS[2], &Smp::default()),
        (MODELS[3], &WeightedMean),
        (MODELS[4], &WeightedMedian),
    ];
    let mut out = [0.0; STACK];
    for (k, (name, m)) in models.iter().enumerate() {
        // Only the value is read: no model need keep its path.
        let f = m
            .forecast_values(input.issue_id(), std::slice::from_ref(input))
            .map_err(|e| fail(name, e.to_string()))?
            .into_iter()
            .next()
            .ok_or_else(|| fail(name, "the model gave no forecast".into()))?;
        if !f.value.is_finite() {
            return Err(fail(
                name,
                format!("the forecast is {}, not a finite number", f.value),
            ));
        }
        out[k] = f.value;
    }
    let mut stated = input.positions().to_vec();
    stated.extend_from_slice(others);
    out[5] = median_of(stated).unwrap_or(f64::NAN);
    Ok(out)
}

/// One draw of an issue: every position and salience drawn from the spread around its stated
/// value, in a fixed order (kept actors' positions and saliences, then the others' positions).
fn draw(
    issue: &DeuIssue,
    base: &Base,
    spread: DeuSpread,
    rng: &mut rand_chacha::ChaCha8Rng,
) -> Result<[f64; STACK], BacktestError> {
    let pos = Some(Spread::Normal {
        sd: spread.position_sd,
    });
    let sal = Some(Spread::Normal {
        sd: spread.salience_sd,
    });
    let mut positions = Vec::with_capacity(base.kept.len());
    let mut saliences = Vec::with_capacity(base.kept.len());
    for k in &base.kept {
        positions.push(sample(rng, k.1, pos, 0.0, 100.0));
        saliences.push(sample(rng, k.2, sal, 0.0, 100.0));
    }
    let others: Vec<f64> = base
        .others
        .iter()
        .map(|&p| sample(rng, p, pos, 0.0, 100.0))
        .collect();
    let Some(inp) = input(issue, base, positions, &saliences) else {
        return Err(BacktestError::Model {
            model: "ensemble".into(),
            issue: issue.issue.clone(),
            line: issue.line,
            message: "a draw left fewer than two actors with weight".into(),
        });
    };
    model_forecasts(issue, &inp, &others)
}

struct Scored<'a> {
    issue: &'a DeuIssue,
    actors: usize,
    outcome: f64,
    f: [Option<f64>; 8],
    /// Per model of [`MODELS`]: the ensemble's sorted draws (empty without draws).
    draws: Vec<Vec<f64>>,
    /// Per model: `[crps, inside 50%, inside 80%, pit]` of its ensemble.
    prob: [Option<[f64; 4]>; 8],
}

/// The five statistics of one model over a set of issue indices (possibly with repeats).
fn stats(scored: &[Scored<'_>], idx: &[usize], m: usize, buf: &mut Vec<f64>) -> Option<[f64; 5]> {
    buf.clear();
    let (mut sq, mut closer, mut mean_abs) = (0.0, 0.0, 0.0);
    for &i in idx {
        let s = &scored[i];
        let Some(f) = s.f[m] else { continue };
        let e = (f - s.outcome).abs();
        let em = (s.f[MEAN].unwrap_or(f64::NAN) - s.outcome).abs();
        buf.push(e);
        sq += e * e;
        mean_abs += em;
        closer += if e < em {
            1.0
        } else if e == em {
            0.5
        } else {
            0.0
        };
    }
    if buf.is_empty() {
        return None;
    }
    let n = buf.len() as f64;
    let mae = buf.iter().sum::<f64>() / n;
    let rmse = (sq / n).sqrt();
    let med = quantile(buf, 0.5);
    Some([mae, rmse, med, closer / n, mae - mean_abs / n])
}

/// Mean CRPS, CRPS minus the mean's MAE, and the two coverages of one model over `idx`.
fn prob_stats(scored: &[Scored<'_>], idx: &[usize], m: usize) -> Option<[f64; 4]> {
    let mut acc = [0.0; 4];
    let mut n = 0usize;
    for &i in idx {
        let s = &scored[i];
        let Some(p) = s.prob[m] else { continue };
        n += 1;
        acc[0] += p[0];
        acc[1] += p[0] - (s.f[MEAN].unwrap_or(f64::NAN) - s.outcome).abs();
        acc[2] += p[1];
        acc[3] += p[2];
    }
    (n > 0).then(|| acc.map(|a| a / n as f64))
}

/// Scores of a sorted ensemble against the outcome.
fn prob_of(sorted: &[f64], y: f64) -> [f64; 4] {
    let inside = |level| f64::from(u8::from(covered(sorted, y, level)));
    [
        crps_sorted(sorted, y),
        inside(0.5),
        inside(0.8),
        pit_sorted(sorted, y),
    ]
}

fn estimate(point: f64, draws: Vec<f64>) -> Estimate {
    let (low, high) = if draws.is_empty() {
        (None, None)
    } else {
        (Some(quantile(&draws, 0.025)), Some(quantile(&draws, 0.975)))
    };
    Estimate {
        value: point,
        low,
        high,
    }
}

/// Runs the backtest on the issues of a DEU file.
pub fn backtest(
    issues: &[DeuIssue],
    settings: &BacktestSettings,
) -> Result<BacktestReport, BacktestError> {
    backtest_with_progress(issues, settings, &|_| {})
}

/// [`backtest`], calling `progress` with the number of model runs (an issue's point forecast
/// or one ensemble draw) finished so far, from any thread, out of `usable * (draws + 1)`.
pub fn backtest_with_progress(
    issues: &[DeuIssue],
    settings: &BacktestSettings,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<BacktestReport, BacktestError> {
    settings.validate()?;
    let mut counts = Counts {
        issues: issues.len(),
        usable: 0,
        proposals: 0,
        no_outcome: 0,
        too_few_positions: 0,
        no_weight: 0,
        positions_without_salience: issues
            .iter()
            .flat_map(|i| &i.stances)
            .filter(|s| s.position.is_some() && s.salience.is_none())
            .count(),
        no_reference: 0,
        dates_rewritten: issues.iter().filter(|i| i.intro_rewritten).count(),
    };
    let mut usable = Vec::new();
    for issue in issues {
        match prepare(issue, settings) {
            Prepared::NoOutcome => counts.no_outcome += 1,
            Prepared::TooFew => counts.too_few_positions += 1,
            Prepared::NoWeight => counts.no_weight += 1,
            Prepared::Usable(base) => usable.push((issue, base)),
        }
    }
    if usable.is_empty() {
        return Err(BacktestError::NoUsableIssue {
            total: counts.issues,
            no_outcome: counts.no_outcome,
            too_few: counts.too_few_positions,
            no_weight: counts.no_weight,
        });
    }
    let done = AtomicUsize::new(0);
    let tick = || progress(done.fetch_add(1, Ordering::Relaxed) + 1);

    // Point forecasts.
    let points: Vec<[f64; STACK]> = usable
        .par_iter()
        .map(|(issue, base)| {
            let positions = base.kept.iter().map(|k| k.1).collect();
            let saliences: Vec<f64> = base.kept.iter().map(|k| k.2).collect();
            let inp =
                input(issue, base, positions, &saliences).ok_or_else(|| BacktestError::Model {
                    model: "input".into(),
                    issue: issue.issue.clone(),
                    line: issue.line,
                    message: "fewer than two actors with weight".into(),
                })?;
            let f = model_forecasts(issue, &inp, &base.others)?;
            tick();
            Ok(f)
        })
        .collect::<Result<_, BacktestError>>()?;

    // Ensembles: draw d of usable issue u on stream (u + 1) * 2^32 + d, collected in order.
    let draws = settings.draws;
    let flat: Vec<[f64; STACK]> = (0..usable.len() * draws)
        .into_par_iter()
        .map(|t| {
            let (u, d) = (t / draws, t % draws);
            let mut rng = stream(settings.seed, ((u as u64 + 1) << 32) + d as u64);
            let (issue, base) = &usable[u];
            let f = draw(issue, base, settings.spread, &mut rng)?;
            tick();
            Ok(f)
        })
        .collect::<Result<_, BacktestError>>()?;

    let mut scored: Vec<Scored<'_>> = usable
        .iter()
        .zip(&points)
        .enumerate()
        .map(|(u, ((issue, base), p))| {
            let mut f = [None; 8];
            for (k, v) in p.iter().enumerate() {
                f[k] = Some(*v);
            }
            f[REFERENCE] = issue.reference;
            let mut per_model = vec![Vec::new(); MODELS.len()];
            if draws > 0 {
                for row in &flat[u * draws..(u + 1) * draws] {
                    for (k, v) in row.iter().enumerate() {
                        per_model[k].push(*v);
                    }
                }
            }
            Scored {
                issue,
                actors: base.kept.len(),
                outcome: issue.outcome.unwrap_or(f64::NAN),
                f,
                draws: per_model,
                prob: [None; 8],
            }
        })
        .collect();
    counts.usable = scored.len();
    counts.no_reference = scored.iter().filter(|s| s.f[REFERENCE].is_none()).count();

    // Proposals in first-seen order, each with its issue indices.
    let mut proposals: Vec<(&str, Vec<usize>)> = Vec::new();
    for (k, s) in scored.iter().enumerate() {
        match proposals.iter_mut().find(|p| p.0 == s.issue.proposal) {
            Some(p) => p.1.push(k),
            None => proposals.push((&s.issue.proposal, vec![k])),
        }
    }
    counts.proposals = proposals.len();

    // The stacked forecast, out of fold: each issue combined with weights fitted on the
    // proposals of the other folds; its ensemble is the same combination of the draws.
    let stacking = (proposals.len() >= 2).then(|| {
        let k = settings.folds.min(proposals.len());
        let fold_of = stacking::folds(proposals.len(), k, settings.seed);
        let mut issue_fold = vec![0; scored.len()];
        for (p, (_, idx)) in proposals.iter().enumerate() {
            for &i in idx {
                issue_fold[i] = fold_of[p];
            }
        }
        let x: Vec<Vec<f64>> = points.iter().map(|p| p.to_vec()).collect();
        let y: Vec<f64> = scored.iter().map(|s| s.outcome).collect();
        let uniform = vec![1.0 / STACK as f64; STACK];
        let fold_weights: Vec<Vec<f64>> = (0..k)
            .into_par_iter()
            .map(|fold| {
                let train: Vec<usize> = (0..scored.len())
                    .filter(|&i| issue_fold[i] != fold)
                    .collect();
                stacking::fit(&x, &y, &train).unwrap_or_else(|| uniform.clone())
            })
            .collect();
        let all: Vec<usize> = (0..scored.len()).collect();
        let all_issues_weights = stacking::fit(&x, &y, &all).unwrap_or(uniform);
        for (i, s) in scored.iter_mut().enumerate() {
            let w = &fold_weights[issue_fold[i]];
            let combine = |v: &[f64]| v.iter().zip(w).map(|(a, b)| a * b).sum::<f64>();
            s.f[STACKED] = Some(combine(&points[i]));
            if draws > 0 {
                s.draws[STACKED] = flat[i * draws..(i + 1) * draws]
                    .iter()
                    .map(|row| combine(row))
                    .collect();
            }
        }
        Stacking {
            models: MODELS[..STACK].iter().map(|m| m.to_string()).collect(),
            folds: k,
            fold_weights,
            all_issues_weights,
        }
    });

    // Probabilistic scores of every issue and ensemble model.
    if draws > 0 {
        scored.par_iter_mut().for_each(|s| {
            for &m in &ENSEMBLE_MODELS {
                if s.draws[m].is_empty() {
                    continue;
                }
                s.draws[m].sort_by(f64::total_cmp);
                s.prob[m] = Some(prob_of(&s.draws[m], s.outcome));
            }
        });
    }

    let all: Vec<usize> = (0..scored.len()).collect();
    type Replicate = (Vec<Option<[f64; 5]>>, Vec<Option<[f64; 4]>>);
    let replicates: Vec<Replicate> = (0..settings.bootstrap)
        .into_par_iter()
        .map(|b| {
            let mut rng = stream(settings.seed, b as u64);
            let mut idx = Vec::with_capacity(scored.len() * 2);
            for _ in 0..proposals.len() {
                let p = rng.random_range(0..proposals.len());
                idx.extend_from_slice(&proposals[p].1);
            }
            let mut buf = Vec::with_capacity(idx.len());
            let point = (0..MODELS.len())
                .map(|m| stats(&scored, &idx, m, &mut buf))
                .collect();
            let prob = (0..MODELS.len())
                .map(|m| prob_stats(&scored, &idx, m))
                .collect();
            (point, prob)
        })
        .collect();

    let mut buf = Vec::new();
    let mut scores = Vec::new();
    for (m, name) in MODELS.iter().enumerate() {
        let Some(point) = stats(&scored, &all, m, &mut buf) else {
            continue;
        };
        let est = |j: usize| {
            estimate(
                point[j],
                replicates
                    .iter()
                    .filter_map(|r| r.0[m].map(|s| s[j]))
                    .collect(),
            )
        };
        scores.push(ModelScore {
            model: name.to_string(),
            n: buf.len(),
            mae: est(0),
            rmse: est(1),
            median_ae: est(2),
            closer_than_mean: est(3),
            mae_minus_mean: est(4),
        });
    }

    let mut probabilistic = Vec::new();
    for &m in &ENSEMBLE_MODELS {
        let Some(point) = prob_stats(&scored, &all, m) else {
            continue;
        };
        let est = |j: usize| {
            estimate(
                point[j],
                replicates
                    .iter()
                    .filter_map(|r| r.1[m].map(|s| s[j]))
                    .collect(),
            )
        };
        let mut pit = vec![0; PIT_BINS];
        for s in &scored {
            if let Some(p) = s.prob[m] {
                pit[pit_bin(p[3])] += 1;
            }
        }
        probabilistic.push(ProbScore {
            model: MODELS[m].to_string(),
            n: pit.iter().sum(),
            crps: est(0),
            crps_minus_mean_mae: est(1),
            coverage50: est(2),
            coverage80: est(3),
            pit,
        });
    }

    let mut groups = Vec::new();
    for by in ["procedure", "voting_rule"] {
        let key = |s: &Scored<'_>| {
            if by == "procedure" {
                s.issue.procedure.clone()
            } else {
                s.issue.voting_rule.clone()
            }
        };
        let mut names: Vec<String> = scored.iter().map(key).collect();
        names.sort();
        names.dedup();
        for g in names {
            let idx: Vec<usize> = all
                .iter()
                .copied()
                .filter(|&k| key(&scored[k]) == g)
                .collect();
            for (m, name) in MODELS.iter().enumerate() {
                if let Some(st) = stats(&scored, &idx, m, &mut buf) {
                    groups.push(GroupScore {
                        by: by.to_string(),
                        group: if g.is_empty() {
                            "(none)".into()
                        } else {
                            g.clone()
                        },
                        model: name.to_string(),
                        n: buf.len(),
                        mae: st[0],
                    });
                }
            }
        }
    }

    let mut worst: Vec<WorstIssue> = scored
        .iter()
        .map(|s| {
            let errs: Vec<f64> = s.f[..5]
                .iter()
                .flatten()
                .map(|f| (f - s.outcome).abs())
                .collect();
            WorstIssue {
                issue: s.issue.issue.clone(),
                proposal: s.issue.proposal.clone(),
                name: s.issue.name.clone(),
                outcome: s.outcome,
                mean_abs_error: errs.iter().sum::<f64>() / errs.len() as f64,
            }
        })
        .collect();
    worst.sort_by(|a, b| b.mean_abs_error.total_cmp(&a.mean_abs_error));
    worst.truncate(10);

    let rows = scored
        .iter()
        .flat_map(|s| {
            MODELS.iter().enumerate().filter_map(move |(m, name)| {
                let f = s.f[m]?;
                let q = |p: f64| (!s.draws[m].is_empty()).then(|| quantile_sorted(&s.draws[m], p));
                Some(IssueRow {
                    issue: s.issue.issue.clone(),
                    proposal: s.issue.proposal.clone(),
                    procedure: s.issue.procedure.clone(),
                    voting_rule: s.issue.voting_rule.clone(),
                    intro: s.issue.intro.map(|d| d.to_string()),
                    line: s.issue.line,
                    actors: s.actors,
                    reference: s.issue.reference,
                    outcome: s.outcome,
                    model: name.to_string(),
                    forecast: f,
                    abs_error: (f - s.outcome).abs(),
                    crps: s.prob[m].map(|p| p[0]),
                    pit: s.prob[m].map(|p| p[3]),
                    q10: q(0.1),
                    q50: q(0.5),
                    q90: q(0.9),
                })
            })
        })
        .collect();

    Ok(BacktestReport {
        schema_version: BACKTEST_SCHEMA_VERSION,
        settings: *settings,
        assumptions: assumptions(settings, stacking.as_ref()),
        counts,
        models: scores.iter().map(|s| s.model.clone()).collect(),
        scores,
        groups,
        worst,
        probabilistic,
        stacking,
        rows,
    })
}

fn assumptions(settings: &BacktestSettings, stacking: Option<&Stacking>) -> Vec<String> {
    let mut a = vec![match settings.capabilities {
        Capabilities::Equal => "capabilities: equal (every actor 1), as in the published backtests".to_string(),
        Capabilities::CouncilVotes => "capabilities: council-votes (member states by their Council votes under the rules at the proposal's introduction: Amsterdam weights before 1 Nov 2004, Nice weights to 31 Oct 2014, population after; the Commission half the states' total, the Parliament the states' total under COD and 0 otherwise); a convention of this project, not fitted".to_string(),
    }];
    a.push(match settings.missing_salience {
        MissingSalience::Drop => "missing salience: an actor with a position but no salience is left out of the issue".into(),
        MissingSalience::IssueMean => "missing salience: an actor with a position but no salience takes the mean salience stated on the issue".into(),
        MissingSalience::Fifty => "missing salience: an actor with a position but no salience takes salience 50".into(),
    });
    a.push("models run with their shipped options; nothing is fitted to the outcomes".into());
    a.push("median-stated is the unweighted median of every stated position (salience or not); reference is the reference point as a naive forecast".into());
    if let Some(st) = stacking {
        a.push(format!(
            "stacked: a convex combination (non-negative weights summing to one) of {}, fitted by least squares with {} folds of whole proposals (seed {}); every issue is forecast with the weights of the folds it is not in, so its score is out of fold",
            st.models.join(", "),
            st.folds,
            settings.seed
        ));
    }
    if settings.draws > 0 {
        a.push(format!(
            "ensembles: {} draws per issue; every position and salience drawn from a normal around its stated value (sd {} and {} points), truncated to 0-100; capabilities fixed; a convention of this project, not fitted",
            settings.draws, settings.spread.position_sd, settings.spread.salience_sd
        ));
    }
    if settings.bootstrap > 0 {
        a.push(format!(
            "intervals: 95% percentile bootstrap, {} replicates resampling whole proposals, seed {}",
            settings.bootstrap, settings.seed
        ));
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;
    use multivector_scenario::deu::parse_deu;

    const FILE: &str = "prnr\tisnr\tproc\tcounvte\tintro\tpcom\tpep\tpde\tpfr\tscom\tsep\tsde\tsfr\trp\tout\n\
        a\ta1\tCOD\tQMV\t01-01-00\t100\t0\t50\t\t50\t50\t100\t\t0\t60\n\
        a\ta2\tCOD\tQMV\t01-01-00\t0\t100\t\t\t20\t80\t\t\t50\t90\n\
        b\tb1\tCNS\tUnan\t01-01-10\t10\t\t30\t70\t100\t\t50\t\t\t20\n\
        c\tc1\tCNS\tUnan\t01-01-10\t10\t\t\t\t100\t\t\t\t0\t\n";

    fn report(s: BacktestSettings) -> BacktestReport {
        backtest(&parse_deu("t.tsv", FILE).unwrap(), &s).unwrap()
    }

    fn score<'a>(r: &'a BacktestReport, m: &str) -> &'a ModelScore {
        r.scores.iter().find(|s| s.model == m).unwrap()
    }

    #[test]
    fn hand_calculated_mean_median_and_reference() {
        let r = report(BacktestSettings {
            bootstrap: 0,
            ..Default::default()
        });
        // c1: no outcome; b1: fr has no salience (dropped), com 10 (s 100) and de 30 (s 50).
        assert_eq!(r.counts.no_outcome, 1);
        assert_eq!(r.counts.usable, 3);
        assert_eq!(r.counts.positions_without_salience, 1);
        // a1: (100*50 + 0*50 + 50*100)/200 = 50, err 10; a2: (0*20+100*80)/100 = 80, err 10;
        // b1: (10*100 + 30*50)/150 = 16.67, err 3.33.
        let mean = score(&r, "mean");
        assert!((mean.mae.value - (10.0 + 10.0 + 10.0 / 3.0) / 3.0).abs() < 1e-12);
        // median-stated: a1 50 (err 10), a2 50 (err 40), b1 30 (err 10, fr counts).
        assert!((score(&r, "median-stated").mae.value - 20.0).abs() < 1e-12);
        // reference: a1 0 (60), a2 50 (40); b1 has no reference point.
        let reference = score(&r, "reference");
        assert_eq!(reference.n, 2);
        assert!((reference.mae.value - 50.0).abs() < 1e-12);
        assert_eq!(r.counts.no_reference, 1);
        assert!(mean.mae.low.is_none());
    }

    #[test]
    fn missing_salience_rules_change_the_mean() {
        let r = report(BacktestSettings {
            bootstrap: 0,
            missing_salience: MissingSalience::Fifty,
            ..Default::default()
        });
        // b1 with fr at 50: (10*100 + 30*50 + 70*50)/200 = 30, err 10.
        let mean = score(&r, "mean");
        assert!((mean.mae.value - 10.0).abs() < 1e-12);
    }

    #[test]
    fn council_votes_follow_the_treaty_at_introduction() {
        let issues = parse_deu("t.tsv", FILE).unwrap();
        // a1 (2000, Amsterdam): de 10; Commission half of 10, Parliament 10 under COD.
        let caps = council_capabilities(&issues[0], &[0, 1, 12]);
        assert_eq!(caps, vec![5.0, 10.0, 10.0]);
        // b1 (2010, Nice, CNS): de 29, fr 29; Commission 29, Parliament 0.
        let caps = council_capabilities(&issues[2], &[0, 1, 12, 11]);
        assert_eq!(caps, vec![29.0, 0.0, 29.0, 29.0]);
        assert_eq!(
            council_votes(
                12,
                Some(DeuDate {
                    year: 2016,
                    month: 1,
                    day: 1
                })
            ),
            (80.8, "lisbon-population")
        );
    }

    #[test]
    fn bootstrap_is_seeded_and_brackets_the_estimate() {
        let s = BacktestSettings {
            bootstrap: 200,
            seed: 7,
            ..Default::default()
        };
        let a = report(s);
        let b = report(s);
        assert_eq!(a, b);
        let m = score(&a, "mean").mae;
        assert!(m.low.unwrap() <= m.value && m.value <= m.high.unwrap());
        assert_eq!(score(&a, "mean").mae_minus_mean.value, 0.0);
    }

    #[test]
    fn one_or_two_threads_give_identical_reports() {
        let s = BacktestSettings {
            bootstrap: 100,
            ..Default::default()
        };
        let on = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| report(s))
        };
        assert_eq!(on(1), on(2));
    }

    fn rows_of<'a>(r: &'a BacktestReport, m: &str) -> Vec<&'a IssueRow> {
        r.rows.iter().filter(|x| x.model == m).collect()
    }

    #[test]
    fn stacked_forecasts_never_see_their_own_outcomes() {
        // Two proposals, two folds: the issues of `a` are forecast with weights fitted on `b`
        // alone, so changing `a`'s outcomes changes none of `a`'s stacked forecasts (and
        // changes the weights fitted on all issues, which are never scored).
        let s = BacktestSettings {
            bootstrap: 0,
            ..Default::default()
        };
        let base = report(s);
        let moved = FILE
            .replace("\t0\t60\n", "\t0\t5\n")
            .replace("\t50\t90\n", "\t50\t1\n");
        let other = backtest(&parse_deu("t.tsv", &moved).unwrap(), &s).unwrap();
        let a = |r: &BacktestReport| -> Vec<f64> {
            rows_of(r, "stacked")
                .iter()
                .filter(|x| x.proposal == "a")
                .map(|x| x.forecast)
                .collect()
        };
        assert_eq!(a(&base).len(), 2);
        assert_eq!(a(&base), a(&other));
        let st = base.stacking.as_ref().unwrap();
        assert_eq!(st.folds, 2);
        assert_ne!(
            st.all_issues_weights,
            other.stacking.as_ref().unwrap().all_issues_weights
        );
        for w in st.fold_weights.iter().chain([&st.all_issues_weights]) {
            assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-12 && w.iter().all(|&v| v >= 0.0));
        }
    }

    #[test]
    fn a_near_point_ensemble_scores_its_absolute_error() {
        // With a spread of 1e-9 points every draw is the point forecast (to 1e-9), and the
        // CRPS of a point mass is the absolute error (closed form): a check independent of
        // the O(n) CRPS formula. The PIT is then 0 or 1 (or a half on a tie). The spatial model
        // is left out: it is discontinuous at exact ties (a1 has the Commission and the
        // Parliament at 100 and 0 around Germany at 50; its point forecast is 26.29, and any
        // perturbation, however small, breaks the tie and gives 50), which the next check pins.
        let s = BacktestSettings {
            bootstrap: 0,
            draws: 20,
            spread: DeuSpread {
                position_sd: 1e-9,
                salience_sd: 1e-9,
            },
            ..Default::default()
        };
        let r = report(s);
        for m in ["bdm-scholz", "bdm-paper", "mean", "median", "median-stated"] {
            for x in rows_of(&r, m) {
                let crps = x.crps.unwrap();
                assert!(
                    (crps - x.abs_error).abs() < 1e-6,
                    "{m} {}: {crps} vs {}",
                    x.issue,
                    x.abs_error
                );
            }
        }
        let smp_a1 = rows_of(&r, "smp")[0];
        assert_eq!(smp_a1.forecast, 26.29);
        assert!((smp_a1.q50.unwrap() - 50.0).abs() < 0.1, "{smp_a1:?}");
        assert!(rows_of(&r, "reference").iter().all(|x| x.crps.is_none()));
        let mean = r.probabilistic.iter().find(|p| p.model == "mean").unwrap();
        assert_eq!(mean.n, 3);
        assert!((mean.crps.value - score(&r, "mean").mae.value).abs() < 1e-6);
        assert_eq!(mean.pit.iter().sum::<usize>(), 3);
    }

    #[test]
    fn ensembles_are_seeded_and_thread_count_free() {
        let s = BacktestSettings {
            bootstrap: 50,
            draws: 30,
            ..Default::default()
        };
        let on = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| report(s))
        };
        let one = on(1);
        assert_eq!(one, on(2));
        assert_ne!(one, report(BacktestSettings { seed: 99, ..s }));
        // Wider spreads give wider intervals: q90 - q10 grows with the spread.
        let width = |r: &BacktestReport| -> f64 {
            rows_of(r, "mean")
                .iter()
                .map(|x| x.q90.unwrap() - x.q10.unwrap())
                .sum()
        };
        let wide = report(BacktestSettings {
            spread: DeuSpread {
                position_sd: 30.0,
                salience_sd: 30.0,
            },
            ..s
        });
        assert!(width(&wide) > width(&one));
    }

    #[test]
    fn bad_settings_name_the_field() {
        for (s, field) in [
            (
                BacktestSettings {
                    spread: DeuSpread {
                        position_sd: f64::NAN,
                        salience_sd: 10.0,
                    },
                    ..Default::default()
                },
                "spread.position_sd",
            ),
            (
                BacktestSettings {
                    draws: MAX_DRAWS + 1,
                    ..Default::default()
                },
                "draws",
            ),
            (
                BacktestSettings {
                    folds: 1,
                    ..Default::default()
                },
                "folds",
            ),
        ] {
            match report_err(s) {
                BacktestError::Settings { field: f, .. } => assert_eq!(f, field),
                e => panic!("{e}"),
            }
        }
    }

    fn report_err(s: BacktestSettings) -> BacktestError {
        backtest(&parse_deu("t.tsv", FILE).unwrap(), &s).unwrap_err()
    }

    #[test]
    fn no_usable_issue_is_an_error() {
        let t = "prnr\tisnr\tproc\tcounvte\tintro\tpcom\tpep\tscom\tsep\trp\tout\n\
                 a\ta1\tCOD\tQMV\t\t10\t\t50\t\t0\t50\n";
        let e = backtest(
            &parse_deu("t.tsv", t).unwrap(),
            &BacktestSettings::default(),
        )
        .unwrap_err();
        assert!(
            matches!(e, BacktestError::NoUsableIssue { too_few: 1, .. }),
            "{e}"
        );
    }
}
