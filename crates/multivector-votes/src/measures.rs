//! Alignment measures between a focal state and a partner (a state or a bloc).
//!
//! Only votes cast by both sides count (yes, abstain, no); absences and non-membership are
//! excluded. On the three-point scale yes 1, abstain 2, no 3:
//! - agreement: the share of joint votes that are identical;
//! - half-agreement: identical 1, one abstention against yes or no 1/2, yes against no 0;
//! - S-score (Signorino and Ritter): `1 - 2 d / d_max` with `d` the mean absolute difference
//!   and `d_max = 2`, in [-1, 1];
//! - Cohen's kappa over the three categories: `(p_o - p_e) / (1 - p_e)`, undefined when the
//!   chance agreement `p_e` is 1.
//!
//! Identities on this scale: `S = 2 h - 1` (h the half-agreement) and `agreement <= h`.

use serde::Serialize;

use crate::countries;
use crate::data::{Vote, VoteTable};

/// The measures of one dyad over a set of roll calls.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Dyad {
    pub joint: usize,
    pub agreement: f64,
    pub half_agreement: f64,
    pub s_score: f64,
    pub kappa: Option<f64>,
}

/// Accumulates joint votes.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tally {
    /// `counts[a][b]`: focal cast `a`, partner cast `b` (0 yes, 1 abstain, 2 no).
    counts: [[u32; 3]; 3],
}

impl Tally {
    #[inline]
    pub fn add(&mut self, a: Vote, b: Vote) {
        if let (Some(x), Some(y)) = (a.scale(), b.scale()) {
            self.counts[(x - 1) as usize][(y - 1) as usize] += 1;
        }
    }

    /// The measures; `None` without a joint vote.
    pub fn dyad(&self) -> Option<Dyad> {
        let n: u32 = self.counts.iter().flatten().sum();
        if n == 0 {
            return None;
        }
        let nf = f64::from(n);
        let (mut same, mut dist) = (0u32, 0u32);
        let mut row = [0u32; 3];
        let mut col = [0u32; 3];
        for (a, r) in self.counts.iter().enumerate() {
            for (b, &c) in r.iter().enumerate() {
                if a == b {
                    same += c;
                }
                dist += c * a.abs_diff(b) as u32;
                row[a] += c;
                col[b] += c;
            }
        }
        let agreement = f64::from(same) / nf;
        let d = f64::from(dist) / nf;
        let pe: f64 = (0..3)
            .map(|k| f64::from(row[k]) * f64::from(col[k]))
            .sum::<f64>()
            / (nf * nf);
        Some(Dyad {
            joint: n as usize,
            agreement,
            half_agreement: 1.0 - d / 2.0,
            s_score: 1.0 - 2.0 * d / 2.0,
            kappa: (pe < 1.0).then(|| (agreement - pe) / (1.0 - pe)),
        })
    }
}

/// A partner: one state, or a bloc voting by its members' modal vote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Partner {
    State {
        code: String,
        index: usize,
    },
    /// The European Union: its members on the date of each vote.
    Eu,
    /// A fixed set of states.
    Bloc {
        name: String,
        members: Vec<usize>,
    },
}

impl Partner {
    /// The partner a user names: `EU` (the bloc) or a state as [`VoteTable::named`] reads it.
    pub fn named(t: &VoteTable, raw: &str) -> Option<Partner> {
        if raw.trim().eq_ignore_ascii_case("eu") {
            return Some(Partner::Eu);
        }
        let index = t.named(raw)?;
        Some(Partner::State {
            code: t.states[index].clone(),
            index,
        })
    }

    pub fn name(&self) -> String {
        match self {
            Partner::State { code, .. } => code.clone(),
            Partner::Eu => "EU".into(),
            Partner::Bloc { name, .. } => name.clone(),
        }
    }

    /// The partner's vote on roll call `r`. A bloc's vote is the most common vote cast by its
    /// members (yes, abstain, no); with a tie for first place, or no member voting, the bloc
    /// counts as absent on that roll call.
    pub fn vote(&self, t: &VoteTable, r: usize, eu_index: &[(usize, &str, Option<&str>)]) -> Vote {
        match self {
            Partner::State { index, .. } => t.vote(r, *index),
            Partner::Eu => {
                let date = t.rollcalls[r].date.as_str();
                modal(
                    eu_index
                        .iter()
                        .filter(|(_, from, to)| *from <= date && to.is_none_or(|x| date <= x))
                        .map(|(s, _, _)| t.vote(r, *s)),
                )
            }
            Partner::Bloc { members, .. } => modal(members.iter().map(|&s| t.vote(r, s))),
        }
    }
}

fn modal(votes: impl Iterator<Item = Vote>) -> Vote {
    let mut c = [0u32; 3];
    for v in votes {
        if let Some(x) = v.scale() {
            c[(x - 1) as usize] += 1;
        }
    }
    let max = *c.iter().max().unwrap_or(&0);
    if max == 0 || c.iter().filter(|&&x| x == max).count() > 1 {
        return Vote::Absent;
    }
    [Vote::Yes, Vote::Abstain, Vote::No][c.iter().position(|&x| x == max).unwrap_or(0)]
}

/// EU members present in the table with their dates.
pub fn eu_index(t: &VoteTable) -> Vec<(usize, &'static str, Option<&'static str>)> {
    countries::EU
        .iter()
        .filter_map(|(code, from, to)| t.state(code).map(|k| (k, *from, *to)))
        .collect()
}

/// How roll calls are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Year,
    Session,
    /// All selected roll calls together.
    All,
}

/// A topic a roll call can be about, recognised from its symbol and title.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    /// Russia's war on Ukraine and its annexations: the eleventh emergency special session
    /// (`A/RES/ES-11/*`), the 2014 resolution on Ukraine's territorial integrity and the
    /// resolutions on Crimea of 2016-2018 by symbol (68/262, 71/205, 72/190, 73/194, 73/263:
    /// the older files carry no titles), and any roll call whose title names Ukraine, Crimea
    /// or Sevastopol.
    Ukraine,
}

/// Symbols of Ukraine-related resolutions from years whose files carry no titles.
const UKRAINE_SYMBOLS: [&str; 5] = ["68/262", "71/205", "72/190", "73/194", "73/263"];

impl Topic {
    /// The topic of this name (`ukraine`).
    pub fn parse(name: &str) -> Option<Topic> {
        name.trim()
            .eq_ignore_ascii_case("ukraine")
            .then_some(Topic::Ukraine)
    }

    /// Whether roll call `rc` is about this topic.
    pub fn matches(self, rc: &crate::RollCall) -> bool {
        match self {
            Topic::Ukraine => {
                let label = rc.label.as_deref().unwrap_or("").to_ascii_uppercase();
                let core = label
                    .trim_start_matches("A/RES/")
                    .trim_start_matches("R/")
                    .trim();
                let title = rc.title.as_deref().unwrap_or("").to_ascii_lowercase();
                core.starts_with("ES-11/")
                    || UKRAINE_SYMBOLS.contains(&core)
                    || ["ukrain", "crimea", "sevastopol"]
                        .iter()
                        .any(|w| title.contains(w))
            }
        }
    }
}

/// Which roll calls count.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub from: Option<i32>,
    pub to: Option<i32>,
    /// Only roll calls carrying this issue flag.
    pub flag: Option<String>,
    /// Only roll calls about this topic.
    pub topic: Option<Topic>,
}

impl Selection {
    fn keeps(&self, t: &VoteTable, r: usize) -> bool {
        let rc = &t.rollcalls[r];
        self.from.is_none_or(|f| rc.year >= f)
            && self.to.is_none_or(|x| rc.year <= x)
            && self
                .flag
                .as_ref()
                .is_none_or(|f| rc.flags.iter().any(|g| g == f))
            && self.topic.is_none_or(|tp| tp.matches(rc))
    }
}

/// Whether the data cover only part of period `p`: the first or last period of the table
/// when the data start after it opens or end before it closes (a year runs January to
/// December; session N from September of 1945 + N to September of the next year).
fn partial(t: &VoteTable, p: i32, by: Period) -> bool {
    let (Some(first), Some(last)) = (t.rollcalls.first(), t.rollcalls.last()) else {
        return false;
    };
    let (opens, closes) = match by {
        Period::Year => (format!("{p}-01-31"), format!("{p}-12-01")),
        Period::Session => (format!("{}-09-30", 1945 + p), format!("{}-09-01", 1946 + p)),
        Period::All => return false,
    };
    (key(t, 0, by) == p && first.date > opens)
        || (key(t, t.rollcalls.len() - 1, by) == p && last.date < closes)
}

fn key(t: &VoteTable, r: usize, by: Period) -> i32 {
    match by {
        Period::Year => t.rollcalls[r].year,
        Period::Session => t.rollcalls[r].session,
        Period::All => 0,
    }
}

/// One row of an alignment series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlignRow {
    /// Year or session number (0 for all together).
    pub period: i32,
    pub partner: String,
    /// Roll calls in the period (whether or not both voted).
    pub rollcalls: usize,
    pub dyad: Option<Dyad>,
    /// The data cover only part of the period (its first or last year or session).
    pub partial: bool,
    /// Roll calls of the period held while the focal state was not a member (before it
    /// joined, or after it ceased to exist).
    pub focal_not_member: usize,
}

/// The focal state against each partner, per period, in period then partner order.
pub fn align(
    t: &VoteTable,
    focal: usize,
    partners: &[Partner],
    by: Period,
    sel: &Selection,
) -> Vec<AlignRow> {
    let eu = eu_index(t);
    let rows: Vec<usize> = (0..t.rollcalls.len())
        .filter(|&r| sel.keeps(t, r))
        .collect();
    let mut out = Vec::new();
    let mut start = 0;
    while start < rows.len() {
        let p = key(t, rows[start], by);
        let mut end = start;
        while end < rows.len() && key(t, rows[end], by) == p {
            end += 1;
        }
        let focal_not_member = rows[start..end]
            .iter()
            .filter(|&&r| !t.is_member(r, focal))
            .count();
        for partner in partners {
            let mut tally = Tally::default();
            for &r in &rows[start..end] {
                tally.add(t.vote(r, focal), partner.vote(t, r, &eu));
            }
            out.push(AlignRow {
                period: p,
                partner: partner.name(),
                rollcalls: end - start,
                dyad: tally.dyad(),
                partial: partial(t, p, by),
                focal_not_member,
            });
        }
        start = end;
    }
    out
}

/// The focal state against every other state in the table, per period: `(period, state
/// index, tally)`. One pass over the roll calls (`O(roll calls x states)`).
pub fn align_all(t: &VoteTable, focal: usize, by: Period) -> Vec<(i32, usize, Option<Dyad>)> {
    let n = t.states.len();
    let mut out = Vec::new();
    let mut tallies = vec![Tally::default(); n];
    let mut current: Option<i32> = None;
    let flush = |p: i32, tallies: &mut Vec<Tally>, out: &mut Vec<(i32, usize, Option<Dyad>)>| {
        for (s, tl) in tallies.iter_mut().enumerate() {
            if s != focal {
                out.push((p, s, tl.dyad()));
            }
            *tl = Tally::default();
        }
    };
    for r in 0..t.rollcalls.len() {
        let p = key(t, r, by);
        if current.is_some_and(|c| c != p) {
            flush(current.unwrap_or(p), &mut tallies, &mut out);
        }
        current = Some(p);
        let row = t.row(r);
        let f = row[focal];
        if f.scale().is_none() {
            continue;
        }
        for (tl, &v) in tallies.iter_mut().zip(row) {
            tl.add(f, v);
        }
    }
    if let Some(p) = current {
        flush(p, &mut tallies, &mut out);
    }
    out
}

/// A roll call on which the focal state and the partner voted differently.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Split {
    pub date: String,
    pub label: Option<String>,
    pub title: Option<String>,
    pub focal: char,
    pub partner: char,
}

/// The roll calls where both voted and the votes differ.
pub fn splits(t: &VoteTable, focal: usize, partner: &Partner, sel: &Selection) -> Vec<Split> {
    let eu = eu_index(t);
    (0..t.rollcalls.len())
        .filter(|&r| sel.keeps(t, r))
        .filter_map(|r| {
            let (a, b) = (t.vote(r, focal), partner.vote(t, r, &eu));
            (a.scale().is_some() && b.scale().is_some() && a != b).then(|| Split {
                date: t.rollcalls[r].date.clone(),
                label: t.rollcalls[r].label.clone(),
                title: t.rollcalls[r].title.clone(),
                focal: a.letter(),
                partner: b.letter(),
            })
        })
        .collect()
}

/// The equidistance index per period from an alignment series: distances `1 - agreement` to
/// each partner, `E = 1 - (max - min)` (the multi-vector profile's formula). Periods where
/// fewer than two partners have joint votes get `None`.
pub fn equidistance_series(rows: &[AlignRow]) -> Vec<(i32, Option<f64>)> {
    let mut out: Vec<(i32, Option<f64>)> = Vec::new();
    let mut k = 0;
    while k < rows.len() {
        let p = rows[k].period;
        let mut ds = Vec::new();
        while k < rows.len() && rows[k].period == p {
            if let Some(d) = rows[k].dyad {
                ds.push(1.0 - d.agreement);
            }
            k += 1;
        }
        out.push((p, multivector_core::assess::equidistance(&ds)));
    }
    out
}

/// How every state voted on one roll call, with the totals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lookup {
    pub date: String,
    pub label: Option<String>,
    pub title: Option<String>,
    pub votes: Vec<(String, char)>,
    pub yes: usize,
    pub no: usize,
    pub abstain: usize,
    pub absent: usize,
    pub non_member: usize,
}

/// The roll call(s) with this symbol.
pub fn lookup(t: &VoteTable, symbol: &str) -> Vec<Lookup> {
    t.find(symbol)
        .into_iter()
        .map(|r| {
            let rc = &t.rollcalls[r];
            // Absences of states that were not members then are non-memberships.
            let row: Vec<Vote> = (0..t.states.len())
                .map(|s| match t.vote(r, s) {
                    Vote::Absent if !t.is_member(r, s) => Vote::NonMember,
                    v => v,
                })
                .collect();
            let count = |v: Vote| row.iter().filter(|&&x| x == v).count();
            Lookup {
                date: rc.date.clone(),
                label: rc.label.clone(),
                title: rc.title.clone(),
                votes: t
                    .states
                    .iter()
                    .zip(&row)
                    .map(|(s, v)| (s.clone(), v.letter()))
                    .collect(),
                yes: count(Vote::Yes),
                no: count(Vote::No),
                abstain: count(Vote::Abstain),
                absent: count(Vote::Absent),
                non_member: count(Vote::NonMember),
            }
        })
        .collect()
}
