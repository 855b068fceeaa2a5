//! `multivector align` and `multivector votes` as text: alignment series, splits and one
//! resolution's votes, as tables, CSV and typed JSON documents.

use std::fmt::Write as _;

use multivector::votes::{AlignRow, Lookup, Split};
use serde::Serialize;

use super::{TextError, csv_text, full, opt, table};

/// One focal state's alignment rows with each partner, and its equidistance by period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Series {
    /// The focal state's code.
    pub focal: String,
    /// One row per period and partner.
    pub rows: Vec<AlignRow>,
    /// The equidistance E by period (none where a partner has no joint vote).
    pub equidistance: Vec<(i32, Option<f64>)>,
}

/// One focal state's series as a table, with its equidistance by period; partial periods
/// are starred and periods before membership named below the table.
pub fn series_table(s: &Series, pname: &str, what: &str, partners: usize) -> String {
    let (fcode, rows, eq) = (&s.focal, &s.rows, &s.equidistance);
    let mut tb = table([
        pname,
        "partner",
        "roll calls",
        "joint votes",
        "agreement",
        "half-agreement",
        "S-score",
        "kappa",
    ]);
    for r in rows {
        let d = r.dyad;
        tb.add_row(vec![
            format!("{}{}", r.period, if r.partial { "*" } else { "" }),
            r.partner.clone(),
            r.rollcalls.to_string(),
            d.map_or(0, |d| d.joint).to_string(),
            opt(d.map(|d| d.agreement)),
            opt(d.map(|d| d.half_agreement)),
            opt(d.map(|d| d.s_score)),
            opt(d.and_then(|d| d.kappa)),
        ]);
    }
    let mut out = format!(
        "Alignment of {fcode} in the UN General Assembly, {what} (absences excluded)\n\n{tb}\n"
    );
    if rows.iter().any(|r| r.partial) {
        let _ = writeln!(out, "* the data cover only part of this {pname}");
    }
    let mut seen = Vec::new();
    for r in rows.iter().filter(|r| r.focal_not_member > 0) {
        if !seen.contains(&r.period) {
            seen.push(r.period);
            let _ = writeln!(
                out,
                "{fcode} was not a UN member for {} of the {} roll calls of {pname} {}",
                r.focal_not_member, r.rollcalls, r.period
            );
        }
    }
    if partners >= 2 {
        let mut e = table(vec![pname.to_string(), "equidistance E".into()]);
        for (p, v) in eq {
            e.add_row(vec![p.to_string(), opt(*v)]);
        }
        let _ = writeln!(
            out,
            "\nEquidistance from votes: E = 1 - (max - min) of the disagreements 1 - agreement\n\n{e}"
        );
    }
    out
}

/// Every series as one CSV: a row per period, focal state and partner (long format).
pub fn series_csv(series: &[Series], pname: &str) -> Result<String, TextError> {
    csv_text(
        &[
            pname,
            "focal",
            "partner",
            "rollcalls",
            "joint",
            "agreement",
            "half_agreement",
            "s_score",
            "kappa",
            "partial",
            "focal_not_member",
            "equidistance",
        ],
        &series
            .iter()
            .flat_map(|s| {
                let (fcode, eq) = (&s.focal, &s.equidistance);
                s.rows.iter().map(move |r| {
                    let o = |v: Option<f64>| v.map_or_else(String::new, full);
                    let e = eq
                        .iter()
                        .find(|(p, _)| *p == r.period)
                        .and_then(|(_, v)| *v);
                    vec![
                        r.period.to_string(),
                        fcode.clone(),
                        r.partner.clone(),
                        r.rollcalls.to_string(),
                        r.dyad.map_or(0, |d| d.joint).to_string(),
                        o(r.dyad.map(|d| d.agreement)),
                        o(r.dyad.map(|d| d.half_agreement)),
                        o(r.dyad.map(|d| d.s_score)),
                        o(r.dyad.and_then(|d| d.kappa)),
                        r.partial.to_string(),
                        r.focal_not_member.to_string(),
                        o(e),
                    ]
                })
            })
            .collect::<Vec<_>>(),
    )
}

/// One period's equidistance in [`AlignDoc`].
#[derive(Debug, Serialize)]
pub struct PeriodE {
    period: i32,
    equidistance: Option<f64>,
}

/// One focal state's series as `align --format json` prints it.
#[derive(Debug, Serialize)]
pub struct StateDoc<'a> {
    focal: &'a str,
    by: &'a str,
    rows: &'a [AlignRow],
    equidistance: Vec<PeriodE>,
}

/// The document of `align --format json`: one state's series, or several under `states`.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum AlignDoc<'a> {
    /// One focal state.
    One(StateDoc<'a>),
    /// Several focal states, one series each.
    Many {
        /// "year" or "session".
        by: &'a str,
        /// One series per focal state.
        states: Vec<StateDoc<'a>>,
    },
}

impl<'a> AlignDoc<'a> {
    /// The document of `series`, by period `pname` ("year" or "session").
    pub fn new(series: &'a [Series], pname: &'a str) -> Self {
        let one = |s: &'a Series| StateDoc {
            focal: &s.focal,
            by: pname,
            rows: &s.rows,
            equidistance: s
                .equidistance
                .iter()
                .map(|&(period, equidistance)| PeriodE {
                    period,
                    equidistance,
                })
                .collect(),
        };
        match series {
            [s] => AlignDoc::One(one(s)),
            many => AlignDoc::Many {
                by: pname,
                states: many.iter().map(one).collect(),
            },
        }
    }
}

/// The roll calls where `fcode` and a partner voted differently: (partner name, split).
pub type Splits = [(String, Split)];

fn split_cells(rows: &Splits) -> Vec<Vec<String>> {
    rows.iter()
        .map(|(p, s)| {
            vec![
                p.clone(),
                s.date.clone(),
                s.label.clone().unwrap_or_default(),
                s.focal.to_string(),
                s.partner.to_string(),
                s.title.clone().unwrap_or_default(),
            ]
        })
        .collect()
}

/// The splits as a table.
pub fn splits_table(fcode: &str, rows: &Splits) -> String {
    let mut tb = table([
        "partner",
        "date",
        "resolution",
        fcode,
        "partner's vote",
        "title",
    ]);
    for r in split_cells(rows) {
        tb.add_row(r);
    }
    format!(
        "{} roll call(s) where {fcode} and a partner voted differently\n\n{tb}\n",
        rows.len()
    )
}

/// The splits as CSV, one row per roll call and partner.
pub fn splits_csv(rows: &Splits) -> Result<String, TextError> {
    csv_text(
        &[
            "partner",
            "date",
            "resolution",
            "focal_vote",
            "partner_vote",
            "title",
        ],
        &split_cells(rows),
    )
}

/// One split of [`SplitsDoc`].
#[derive(Debug, Serialize)]
pub struct SplitDoc<'a> {
    partner: &'a str,
    split: &'a Split,
}

/// The document of `align --splits --format json`.
#[derive(Debug, Serialize)]
pub struct SplitsDoc<'a> {
    focal: &'a str,
    splits: Vec<SplitDoc<'a>>,
}

impl<'a> SplitsDoc<'a> {
    /// The document of the splits of `fcode`.
    pub fn new(fcode: &'a str, rows: &'a Splits) -> Self {
        SplitsDoc {
            focal: fcode,
            splits: rows
                .iter()
                .map(|(partner, split)| SplitDoc { partner, split })
                .collect(),
        }
    }
}

/// One resolution's roll calls: the totals and every state's vote.
pub fn votes_table(found: &[Lookup]) -> String {
    let mut out = String::new();
    for l in found {
        let _ = writeln!(
            out,
            "{} ({}): {}\nyes {}, no {}, abstain {}, not voting {}, non-members {}\n",
            l.label.clone().unwrap_or_default(),
            l.date,
            l.title.clone().unwrap_or_default(),
            l.yes,
            l.no,
            l.abstain,
            l.absent,
            l.non_member
        );
        let mut tb = table(["state", "vote"]);
        for (s, v) in &l.votes {
            tb.add_row(vec![s.clone(), v.to_string()]);
        }
        let _ = writeln!(out, "{tb}");
    }
    out
}

/// One resolution's votes as CSV, one row per roll call and state.
pub fn votes_csv(found: &[Lookup]) -> Result<String, TextError> {
    let rows: Vec<Vec<String>> = found
        .iter()
        .flat_map(|l| {
            l.votes.iter().map(|(s, v)| {
                vec![
                    l.label.clone().unwrap_or_default(),
                    l.date.clone(),
                    s.clone(),
                    v.to_string(),
                ]
            })
        })
        .collect();
    csv_text(&["resolution", "date", "state", "vote"], &rows)
}

/// The document of `votes --format json`.
#[derive(Debug, Serialize)]
pub struct VotesDoc<'a> {
    /// Every roll call on the resolution.
    pub rollcalls: &'a [Lookup],
}
