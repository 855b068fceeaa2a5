//! Core types of multivector: the scenario in resolved form, the numeric input a model
//! receives for one issue, the model traits and the executor that owns the round loop.
//!
//! This crate does no I/O and knows nothing of TOML, CSV, SQL, HTTP or command lines: the
//! scenario crate parses files into these types, the models crate implements the traits, the
//! CLI prints the results.
//!
//! Principal types:
//! - [`Scenario`] with its [`Actor`]s, [`Issue`]s, [`Stance`]s and [`Evidence`] records;
//! - [`IssueInput`]: positions, capabilities and saliences of the actors that hold a stance on
//!   one issue, validated (finite numbers, salience in `[0, 1]`, at least two actors);
//! - [`RoundModel`] (one required `step`) and [`execute`], which runs it under a [`StopRule`]
//!   and reports an [`Execution`] with the stop reason and any cycle found;
//! - [`Forecaster`]: anything that turns an [`IssueInput`] into one number on the issue scale.
//!
//! ```
//! use multivector_core::{stats, IssueInput};
//!
//! let input = IssueInput::new(
//!     "delay",
//!     vec!["A".into(), "B".into(), "C".into()],
//!     vec![0.0, 50.0, 100.0],
//!     vec![1.0, 1.0, 2.0],
//!     vec![1.0, 1.0, 1.0],
//! )
//! .unwrap();
//! let w = input.weights();
//! assert_eq!(stats::weighted_median(input.positions(), &w), 50.0);
//! assert_eq!(stats::weighted_mean(input.positions(), &w), 62.5);
//! ```

pub mod assess;
pub mod domain;
pub mod input;
pub mod model;
pub mod stats;

pub use domain::{
    Actor, ActorKind, Change, Direction, Evidence, Issue, Meta, Outcome, Period, SalienceScale,
    Scale, ScaleLabel, Scenario, Source, Space, Spread, Stance, Threshold, Uncertainty,
    UngaOutcome, Variant,
};
pub use input::{InputError, InputEvent, InputField, IssueInput, MAX_MAGNITUDE};
pub use model::{
    Cycle, Execution, Forecast, Forecaster, ModelError, Observer, Recorder, RoundModel,
    SpaceInputs, StopReason, StopRule, execute, forecast_issues,
};
