//! Bargaining models of multivector, each a module implementing the core traits.
//!
//! - [`bdm`]: the expected-utility group decision model with both presets and every option
//!   of the specification;
//! - [`smp`]: the spatial model of politics (KTAB's SMP), multi-dimensional, with every
//!   option of the specification;
//! - [`opinion`]: the domestic level: agents in groups on a social graph, peer models,
//!   media and poll observation;
//! - [`baselines`]: the capability-times-salience weighted mean and weighted median.
//!
//! Models are pure functions of their input and options: they do no I/O and draw no random
//! numbers they were not given.
//!
//! ```
//! use multivector_core::{Forecaster, IssueInput};
//! use multivector_models::bdm::{Bdm, BdmOptions, Preset};
//!
//! let input = IssueInput::new(
//!     "delay",
//!     vec!["A".into(), "B".into(), "C".into()],
//!     vec![0.0, 40.0, 100.0],
//!     vec![1.0, 2.0, 1.0],
//!     vec![0.5, 0.9, 0.5],
//! )
//! .unwrap();
//! let run = Bdm::new(BdmOptions::preset(Preset::Scholz)).run(&input).unwrap();
//! assert_eq!(run.rounds.len(), 11); // round 0 (the input) and ten rounds
//! assert_eq!(run.rounds[0].median, 40.0);
//! let f = Bdm::default().forecast(&input).unwrap();
//! assert!((0.0..=100.0).contains(&f.value));
//! ```

pub mod baselines;
pub mod bdm;
pub mod opinion;
pub mod smp;
