//! UN General Assembly roll-call votes: readers for the common data layouts, country names
//! normalised to ISO3, and alignment measures (agreement, half-agreement, S-score, Cohen's
//! kappa) of a focal state against states and blocs, per year or session.
//!
//! Principal items: [`load`] reads a file or folder into a [`VoteTable`]; [`align`] and
//! [`align_all`] compute series; [`lookup`] and [`splits`] answer single questions.
//!
//! ```
//! use multivector_votes::{Tally, Vote};
//!
//! // Focal and partner over four joint votes: (Y,Y), (Y,A), (N,Y), (A,A).
//! let mut t = Tally::default();
//! for (a, b) in [(Vote::Yes, Vote::Yes), (Vote::Yes, Vote::Abstain), (Vote::No, Vote::Yes), (Vote::Abstain, Vote::Abstain)] {
//!     t.add(a, b);
//! }
//! t.add(Vote::Yes, Vote::Absent); // absences do not count
//! let d = t.dyad().unwrap();
//! assert_eq!(d.joint, 4);
//! assert_eq!(d.agreement, 0.5);
//! assert_eq!(d.half_agreement, (1.0 + 0.5 + 0.0 + 1.0) / 4.0);
//! assert_eq!(d.s_score, 2.0 * d.half_agreement - 1.0);
//! ```

pub mod countries;
pub mod data;
pub mod measures;
pub mod read;

pub use data::{RollCall, Vote, VoteTable};
pub use measures::{
    AlignRow, Dyad, Lookup, Partner, Period, Selection, Split, Tally, Topic, align, align_all,
    equidistance_series, lookup, splits,
};
pub use read::{Layout, VoteError, VoteErrors, load};
