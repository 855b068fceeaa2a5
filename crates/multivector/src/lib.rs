//! multivector: model, simulate and measure a middle power's multi-vector foreign policy.
//!
//! This crate is the library every front end calls. It re-exports the building blocks
//! ([`core`], [`models`], [`scenario`], [`ensemble`]) and owns the application layer; so far
//! that is [`backtest`], the scoring of every shipped model against real EU decisions (DEU),
//! with its building blocks [`scoring`] (CRPS, PIT, coverage) and [`stacking`] (a convex
//! combination fitted out of fold).
//!
//! ```
//! use multivector::backtest::{backtest, BacktestSettings};
//! use multivector::scenario::deu::parse_deu;
//!
//! let text = "prnr\tisnr\tproc\tcounvte\tintro\tpcom\tpep\tpde\tscom\tsep\tsde\trp\tout\n\
//!             p1\tp1i1\tCOD\tQMV\t26-01-00\t100\t0\t50\t50\t50\t100\t0\t60\n";
//! let issues = parse_deu("deu.tsv", text).unwrap();
//! let report = backtest(&issues, &BacktestSettings { bootstrap: 0, ..Default::default() }).unwrap();
//! let mean = report.scores.iter().find(|s| s.model == "mean").unwrap();
//! // (100 * 0.5 + 0 * 0.5 + 50 * 1) / 2 = 50; the outcome is 60.
//! assert_eq!(mean.mae.value, 10.0);
//! ```

#![warn(missing_docs)]

pub mod backtest;
pub mod opinion;
pub mod run;
pub mod scoring;
pub mod stacking;
pub mod two_level;
pub mod unga;

pub use multivector_core as core;
pub use multivector_ensemble as ensemble;
pub use multivector_models as models;
pub use multivector_scenario as scenario;
pub use multivector_store as store;
pub use multivector_votes as votes;
