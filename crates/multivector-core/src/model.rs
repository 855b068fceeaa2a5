//! Model traits and the executor that owns the round loop.
//!
//! A round-based model implements [`RoundModel`]: one required [`RoundModel::step`] that
//! reads the state at the start of a round and returns the next state with a record of what
//! happened. [`execute`] runs the loop, applies the [`StopRule`], detects cycles (a state that
//! repeats exactly) and hands every round to an [`Observer`].

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::input::InputError;

/// Why a model could not produce a result.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum ModelError {
    /// The input breaks an invariant.
    #[error(transparent)]
    Input(#[from] InputError),
    /// An option of the model is out of its range.
    #[error("option `{option}`: {message}")]
    Option {
        /// The option.
        option: &'static str,
        /// What is wrong with its value.
        message: String,
    },
    /// A request outside what the run has (an actor index, a round).
    #[error("{0}")]
    OutOfRange(String),
    /// The state reached leaves nothing to compute (no weight left after events, say).
    #[error("{0}")]
    Degenerate(String),
    /// A model gave fewer results than asked for (a bug, reported rather than hidden).
    #[error("{0}")]
    Missing(String),
    /// The input does not suit this model (a space without dimensions, say).
    #[error("{0}")]
    Invalid(String),
}

/// When the executor stops.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum StopRule {
    /// Exactly this many rounds (cycles are detected and reported, not acted on).
    Fixed { rounds: usize },
    /// Stop when the watched centre moves less than `epsilon` (a fraction of the model's
    /// scale) for `patience` consecutive rounds, when the state repeats exactly, or after
    /// `max_rounds`.
    Converged {
        epsilon: f64,
        patience: usize,
        max_rounds: usize,
    },
}

impl StopRule {
    /// The largest number of rounds this rule allows.
    pub fn max_rounds(&self) -> usize {
        match *self {
            StopRule::Fixed { rounds } => rounds,
            StopRule::Converged { max_rounds, .. } => max_rounds,
        }
    }
}

/// A state that repeats: the state after round `start + length` equals the state after round
/// `start`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cycle {
    pub start: usize,
    pub length: usize,
}

/// Why the executor stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// The fixed number of rounds (or `max_rounds`) was run.
    RoundsDone,
    /// The centre moved less than epsilon for `patience` rounds.
    Converged,
    /// The state repeated exactly.
    Cycle,
}

/// What [`execute`] returns.
#[derive(Debug, Clone, PartialEq)]
pub struct Execution<S> {
    pub final_state: S,
    /// Rounds run (round 0, the input, is not counted).
    pub rounds: usize,
    pub stop: StopReason,
    /// The first cycle found, if any.
    pub cycle: Option<Cycle>,
}

/// A model that advances in rounds.
pub trait RoundModel {
    /// The state carried from round to round (compared exactly for cycle detection).
    type State: Clone + PartialEq;
    /// What one round reports (moves, risk attitudes, ...).
    type Record;

    /// The state before the first round (round 0).
    fn initial_state(&self) -> Self::State;

    /// One round: reads `state` (start of round `round`, counted from 1), returns the state
    /// at its end and the round's record.
    fn step(
        &mut self,
        round: usize,
        state: &Self::State,
    ) -> Result<(Self::State, Self::Record), ModelError>;

    /// The number the convergence rule watches (e.g. the weighted median).
    fn centre(&self, state: &Self::State) -> f64;

    /// The width against which `epsilon` is measured (e.g. the issue range).
    fn width(&self) -> f64 {
        1.0
    }
}

/// Receives every round as the executor runs it. All hooks default to doing nothing.
pub trait Observer<S, R> {
    /// Called once with the initial state (round 0).
    fn start(&mut self, _state: &S) {}
    /// Called after each round with its end state and record.
    fn round(&mut self, _round: usize, _state: &S, _record: &R) {}
}

/// An observer that keeps every state and record.
#[derive(Debug, Clone)]
pub struct Recorder<S, R> {
    pub states: Vec<S>,
    pub records: Vec<R>,
}

impl<S, R> Default for Recorder<S, R> {
    fn default() -> Self {
        Self {
            states: Vec::new(),
            records: Vec::new(),
        }
    }
}

impl<S: Clone, R: Clone> Observer<S, R> for Recorder<S, R> {
    fn start(&mut self, state: &S) {
        self.states.push(state.clone());
    }
    fn round(&mut self, _round: usize, state: &S, record: &R) {
        self.states.push(state.clone());
        self.records.push(record.clone());
    }
}

/// An observer that ignores everything (for ensembles that only need the final state).
impl<S, R> Observer<S, R> for () {}

/// Runs `model` under `stop`, reporting to `observer`.
///
/// Cycle detection compares each new state with every earlier one (`O(rounds^2 n)`, small
/// next to a round of any bargaining model).
pub fn execute<M, O>(
    model: &mut M,
    stop: StopRule,
    observer: &mut O,
) -> Result<Execution<M::State>, ModelError>
where
    M: RoundModel,
    O: Observer<M::State, M::Record>,
{
    let mut state = model.initial_state();
    observer.start(&state);
    let mut history = vec![state.clone()];
    let mut cycle = None;
    let mut quiet = 0usize;
    let mut reason = StopReason::RoundsDone;
    let mut rounds = 0;
    for round in 1..=stop.max_rounds() {
        let (next, record) = model.step(round, &state)?;
        observer.round(round, &next, &record);
        rounds = round;
        let moved = (model.centre(&next) - model.centre(&state)).abs();
        if cycle.is_none() {
            if let Some(start) = history.iter().position(|h| *h == next) {
                cycle = Some(Cycle {
                    start,
                    length: round - start,
                });
            }
        }
        history.push(next.clone());
        state = next;
        if let StopRule::Converged {
            epsilon, patience, ..
        } = stop
        {
            if cycle.is_some() {
                reason = StopReason::Cycle;
                break;
            }
            if moved < epsilon * model.width() {
                quiet += 1;
            } else {
                quiet = 0;
            }
            if quiet >= patience {
                reason = StopReason::Converged;
                break;
            }
        }
    }
    Ok(Execution {
        final_state: state,
        rounds,
        stop: reason,
        cycle,
    })
}

/// One number on the issue scale from a model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Forecast {
    pub value: f64,
    /// Rounds run, for round-based models.
    pub rounds: Option<usize>,
    /// How the number was obtained, when it is not obvious (e.g. "mean median over a
    /// 2-round cycle").
    pub note: Option<String>,
    /// For round-based models, the number the forecast reads after every round, the input
    /// (round 0) first: the weighted median position of the expected-utility model, the most
    /// probable position of the spatial model. A run that stops early has a shorter path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<Vec<f64>>,
}

/// Anything that turns an issue's input into a forecast.
pub trait Forecaster {
    /// Short identifier used in tables and files (`bdm-scholz`, `mean`, ...).
    fn name(&self) -> String;
    /// The forecast for one issue.
    fn forecast(&self, input: &crate::IssueInput) -> Result<Forecast, ModelError>;

    /// Forecasts for the dimensions of a multi-dimensional issue (a space), one per dimension
    /// in order. Models that bargain over one dimension at a time forecast each alone (this
    /// default); a multi-dimensional model bargains over all of them jointly.
    fn forecast_space(
        &self,
        _space: &str,
        inputs: &[crate::IssueInput],
    ) -> Result<Vec<Forecast>, ModelError> {
        inputs.iter().map(|i| self.forecast(i)).collect()
    }

    /// [`Forecaster::forecast_space`] for a caller that reads the values and notes but not
    /// the paths (an ensemble draw whose path is not kept): a model may leave `path` out and
    /// skip the work only the path needs. The values are the same bits. This default keeps
    /// the path.
    fn forecast_values(
        &self,
        space: &str,
        inputs: &[crate::IssueInput],
    ) -> Result<Vec<Forecast>, ModelError> {
        self.forecast_space(space, inputs)
    }
}

/// One forecast per issue of the scenario, in issue order, the dimensions of each space
/// forecast together ([`Forecaster::forecast_space`]).
pub fn forecast_issues(
    s: &crate::Scenario,
    m: &(impl Forecaster + ?Sized),
) -> Result<Vec<Forecast>, ModelError> {
    SpaceInputs::of(s)?.forecast(m)
}

/// The inputs of every bargaining space of a scenario ([`crate::Scenario::bargaining_spaces`]),
/// built once and forecast by as many models as needed (an ensemble draw runs five models on
/// the same inputs).
#[derive(Debug, Clone)]
pub struct SpaceInputs {
    issues: usize,
    /// `(space id, its issues, their inputs)`.
    spaces: Vec<(String, Vec<usize>, Vec<crate::IssueInput>)>,
}

impl SpaceInputs {
    /// The inputs of `s`'s spaces.
    pub fn of(s: &crate::Scenario) -> Result<Self, ModelError> {
        let spaces = s
            .bargaining_spaces()
            .into_iter()
            .map(|(id, dims)| {
                let inputs = dims
                    .iter()
                    .map(|&k| s.issue_input(k))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok((id, dims, inputs))
            })
            .collect::<Result<_, ModelError>>()?;
        Ok(SpaceInputs {
            issues: s.issues.len(),
            spaces,
        })
    }

    /// [`forecast_issues`] of `m` on these inputs.
    pub fn forecast(&self, m: &(impl Forecaster + ?Sized)) -> Result<Vec<Forecast>, ModelError> {
        self.forecast_keeping(m, true)
    }

    /// [`SpaceInputs::forecast`] through [`Forecaster::forecast_values`]: the same values,
    /// with paths only where a model keeps them anyway.
    pub fn forecast_values(
        &self,
        m: &(impl Forecaster + ?Sized),
    ) -> Result<Vec<Forecast>, ModelError> {
        self.forecast_keeping(m, false)
    }

    fn forecast_keeping(
        &self,
        m: &(impl Forecaster + ?Sized),
        paths: bool,
    ) -> Result<Vec<Forecast>, ModelError> {
        let mut out: Vec<Option<Forecast>> = vec![None; self.issues];
        for (id, dims, inputs) in &self.spaces {
            let fs = match (dims.len(), paths) {
                (1, true) => vec![m.forecast(&inputs[0])?],
                (_, true) => m.forecast_space(id, inputs)?,
                (_, false) => m.forecast_values(id, inputs)?,
            };
            for (&k, f) in dims.iter().zip(fs) {
                out[k] = Some(f);
            }
        }
        out.into_iter()
            .enumerate()
            .map(|(k, f)| {
                f.ok_or_else(|| ModelError::Missing(format!("no forecast for issue {k}")))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Halves the distance to zero each round; the state is an integer to make cycles exact.
    struct Halver(i64);
    impl RoundModel for Halver {
        type State = i64;
        type Record = ();
        fn initial_state(&self) -> i64 {
            self.0
        }
        fn step(&mut self, _r: usize, s: &i64) -> Result<(i64, ()), ModelError> {
            Ok((s / 2, ()))
        }
        fn centre(&self, s: &i64) -> f64 {
            *s as f64
        }
    }

    #[test]
    fn fixed_runs_all_rounds_and_reports_fixed_point_as_cycle() {
        let mut m = Halver(8);
        let mut rec = Recorder::default();
        let ex = execute(&mut m, StopRule::Fixed { rounds: 6 }, &mut rec).unwrap();
        assert_eq!(rec.states, vec![8, 4, 2, 1, 0, 0, 0]);
        assert_eq!(ex.rounds, 6);
        assert_eq!(ex.stop, StopReason::RoundsDone);
        // State after round 5 (0) equals the state after round 4.
        assert_eq!(
            ex.cycle,
            Some(Cycle {
                start: 4,
                length: 1
            })
        );
    }

    #[test]
    fn converged_stops_at_cycle() {
        let mut m = Halver(8);
        let stop = StopRule::Converged {
            epsilon: 0.0,
            patience: 2,
            max_rounds: 100,
        };
        let ex = execute(&mut m, stop, &mut ()).unwrap();
        assert_eq!(ex.rounds, 5);
        assert_eq!(ex.stop, StopReason::Cycle);
    }

    #[test]
    fn converged_by_patience() {
        let mut m = Halver(1 << 20);
        // Moves below 0.3 * 1e6 count as quiet; 2^20 halves: 524288, 262144 (quiet), 131072 (quiet).
        let stop = StopRule::Converged {
            epsilon: 0.3e6,
            patience: 2,
            max_rounds: 100,
        };
        let ex = execute(&mut m, stop, &mut ()).unwrap();
        assert_eq!(ex.stop, StopReason::Converged);
        assert_eq!(ex.final_state, 1 << 17);
    }
}
