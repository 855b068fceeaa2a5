//! Outcomes read from the UN vote data: an issue whose outcome is a state's votes in the
//! General Assembly names its resolutions (`outcome.unga` in the scenario), and
//! [`check_outcomes`] derives the outcome from the roll calls and compares it with the value
//! the scenario codes, so a misrecorded vote cannot pass unnoticed.
//!
//! ```
//! use multivector::unga::check_outcomes;
//! let s = multivector::scenario::builtin::load("kazakhstan").unwrap().unwrap().scenario;
//! // No vote data, no resolution found: every UN outcome is reported as unchecked.
//! let empty = multivector::votes::data::Builder::default().finish();
//! let checks = check_outcomes(&s, &empty);
//! assert!(checks.iter().all(|c| !c.problems.is_empty()));
//! ```

use multivector_core::Scenario;
use multivector_votes::{Vote, VoteTable};
use serde::Serialize;

/// One resolution of an outcome: the state's vote and the votes of the states beside it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResolutionVote {
    /// The symbol as the scenario writes it.
    pub resolution: String,
    /// The roll call's date (empty when the symbol is not in the data).
    pub date: String,
    /// `Y`, `N`, `A`, `X` (absent) or `-` (not a member); None when not in the data.
    pub vote: Option<char>,
    /// `(state, vote)` for each state named in `beside`.
    pub beside: Vec<(String, Option<char>)>,
}

/// An issue's coded UN outcome against the vote data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutcomeCheck {
    /// The issue.
    pub issue: String,
    /// The voting state.
    pub state: String,
    /// The outcome the scenario codes.
    pub coded: f64,
    /// The outcome the votes give: the mean of the mapped votes cast (None: no vote cast).
    pub derived: Option<f64>,
    /// Resolution by resolution.
    pub votes: Vec<ResolutionVote>,
    /// What disagrees or is missing (empty: the coded outcome is the data's).
    pub problems: Vec<String>,
}

impl OutcomeCheck {
    /// Resolutions on which the state cast the same vote as `other`.
    pub fn with(&self, other: &str) -> Vec<&str> {
        self.votes
            .iter()
            .filter(|v| {
                v.vote.is_some_and(|c| matches!(c, 'Y' | 'N' | 'A'))
                    && v.beside.iter().any(|(s, b)| s == other && *b == v.vote)
            })
            .map(|v| v.resolution.as_str())
            .collect()
    }
}

/// How far a coded outcome may sit from the derived one (a rounding of the coded value).
pub const TOLERANCE: f64 = 0.05;

/// Every issue of `s` whose outcome names UN resolutions, checked against `t`.
pub fn check_outcomes(s: &Scenario, t: &VoteTable) -> Vec<OutcomeCheck> {
    let mut out = Vec::new();
    for issue in &s.issues {
        let Some(o) = &issue.outcome else { continue };
        let Some(u) = &o.unga else { continue };
        let mut problems = Vec::new();
        let state = t.state(&u.state);
        if state.is_none() {
            problems.push(format!("the vote data have no state `{}`", u.state));
        }
        let letter = |r: usize, code: &str| t.state(code).map(|k| t.vote(r, k).letter());
        let mut values = Vec::new();
        let mut votes = Vec::new();
        for symbol in &u.resolutions {
            let Some(&r) = t.find(symbol).first() else {
                problems.push(format!("resolution {symbol} is not in the vote data"));
                votes.push(ResolutionVote {
                    resolution: symbol.clone(),
                    date: String::new(),
                    vote: None,
                    beside: Vec::new(),
                });
                continue;
            };
            let vote = state.map(|k| t.vote(r, k));
            match vote {
                Some(Vote::Yes) => values.push(u.yes),
                Some(Vote::Abstain) => values.push(u.abstain),
                Some(Vote::No) => values.push(u.no),
                _ => {}
            }
            votes.push(ResolutionVote {
                resolution: symbol.clone(),
                date: t.rollcalls[r].date.clone(),
                vote: vote.map(Vote::letter),
                beside: u.beside.iter().map(|b| (b.clone(), letter(r, b))).collect(),
            });
        }
        let derived =
            (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64);
        match derived {
            Some(d) if (d - o.value).abs() > TOLERANCE => problems.push(format!(
                "the outcome is coded {} but {}'s votes give {d:.2} ({})",
                o.value,
                u.state,
                votes
                    .iter()
                    .map(|v| format!("{} {}", v.resolution, v.vote.unwrap_or('?')))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            None if problems.is_empty() => {
                problems.push(format!(
                    "{} cast no vote on the listed resolutions",
                    u.state
                ));
            }
            _ => {}
        }
        out.push(OutcomeCheck {
            issue: issue.id.clone(),
            state: u.state.clone(),
            coded: o.value,
            derived,
            votes,
            problems,
        });
    }
    out
}
