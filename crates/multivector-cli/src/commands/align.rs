//! `multivector align` and `multivector votes`: alignment from UN General Assembly votes.

use std::fmt::Write as _;
use std::process::ExitCode;

use multivector_votes::{AlignRow, Partner, Period, Selection, Topic, VoteTable, measures};
use serde_json::json;

use crate::args::{AlignArgs, ByArg, Format, VotesArgs};
use crate::exit::usage;
use crate::output::{csv_text, emit, full, note, opt, table};

fn load(path: &std::path::Path) -> anyhow::Result<VoteTable> {
    let (t, layout) = multivector_votes::load(path)?;
    note(&format!(
        "{}: {:?} layout, {} roll calls, {} states{}",
        path.display(),
        layout,
        t.rollcalls.len(),
        t.states.len(),
        if t.duplicates > 0 {
            format!(", {} duplicate roll calls dropped", t.duplicates)
        } else {
            String::new()
        }
    ));
    Ok(t)
}

fn state(t: &VoteTable, raw: &str) -> anyhow::Result<usize> {
    t.named(raw).ok_or_else(|| unknown_state(raw))
}

fn unknown_state(raw: &str) -> anyhow::Error {
    usage(
        format!("`{raw}` is not a state in the data"),
        "give an ISO3 code (KAZ) or a UN name (Kazakhstan); EU names the European Union bloc",
    )
}

fn partner(t: &VoteTable, raw: &str) -> anyhow::Result<Partner> {
    Partner::named(t, raw).ok_or_else(|| unknown_state(raw))
}

pub fn align(a: AlignArgs) -> anyhow::Result<ExitCode> {
    if let (Some(f), Some(x)) = (a.from, a.to) {
        if f > x {
            return Err(usage(
                format!("--from {f} is after --to {x}"),
                "give the earlier year first",
            ));
        }
    }
    let t = load(&a.data)?;
    let focals = a
        .focal
        .iter()
        .map(|f| state(&t, f))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let partners =
        a.vs.iter()
            .map(|p| partner(&t, p))
            .collect::<anyhow::Result<Vec<_>>>()?;
    if let Some(f) = &a.issue {
        if !t.rollcalls.iter().any(|r| r.flags.iter().any(|g| g == f)) {
            return Err(usage(
                format!("no roll call in this data carries the issue flag `{f}`"),
                "issue flags (me, nu, di, hr, co, ec) exist in Voeten's wide CSV only",
            ));
        }
    }
    let topic = match &a.topic {
        None => None,
        Some(name) => Some(Topic::parse(name).ok_or_else(|| {
            usage(
                format!("`{name}` is not a topic"),
                "topics: ukraine (docs/unga.md says which roll calls it takes)",
            )
        })?),
    };
    let sel = Selection {
        from: a.from,
        to: a.to,
        flag: a.issue.clone(),
        topic,
    };
    if a.splits {
        let [focal] = focals[..] else {
            return Err(usage(
                "--splits lists one state's splits".to_string(),
                "give one state with --focal",
            ));
        };
        let fcode = t.states[focal].clone();
        return splits(&t, focal, &fcode, &partners, &sel, a.format);
    }
    let by = match a.by {
        ByArg::Year => Period::Year,
        ByArg::Session => Period::Session,
    };
    let pname = if by == Period::Year {
        "year"
    } else {
        "session"
    };
    // One series per focal state, each with its equidistance by period.
    let series: Vec<Series> = focals
        .iter()
        .map(|&f| {
            let rows = measures::align(&t, f, &partners, by, &sel);
            let eq = measures::equidistance_series(&rows);
            (t.states[f].clone(), rows, eq)
        })
        .collect();
    let what = match topic {
        Some(Topic::Ukraine) => "roll calls on Russia's war on Ukraine and Crimea",
        None => "all roll calls",
    };
    let text = match a.format {
        Format::Table => series
            .iter()
            .map(|(fcode, rows, eq)| table_text(fcode, rows, eq, pname, what, partners.len()))
            .collect::<Vec<_>>()
            .join("\n"),
        Format::Csv => csv_text(
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
                .flat_map(|(fcode, rows, eq)| {
                    rows.iter().map(move |r| {
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
        )?,
        Format::Json => {
            let one = |(fcode, rows, eq): &Series| {
                json!({
                    "focal": fcode,
                    "by": pname,
                    "rows": rows,
                    "equidistance": eq.iter().map(|(p, v)| json!({"period": p, "equidistance": v})).collect::<Vec<_>>(),
                })
            };
            let doc = match &series[..] {
                [s] => one(s),
                many => json!({ "by": pname, "states": many.iter().map(one).collect::<Vec<_>>() }),
            };
            serde_json::to_string_pretty(&doc)? + "\n"
        }
    };
    emit(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// One focal state's alignment rows and its equidistance by period.
type Series = (String, Vec<AlignRow>, Vec<(i32, Option<f64>)>);

/// One focal state's series as a table, with its equidistance by period; partial periods
/// are starred and periods before membership named below the table.
fn table_text(
    fcode: &str,
    rows: &[AlignRow],
    eq: &[(i32, Option<f64>)],
    pname: &str,
    what: &str,
    partners: usize,
) -> String {
    let mut tb = table(
        [
            pname,
            "partner",
            "roll calls",
            "joint votes",
            "agreement",
            "half-agreement",
            "S-score",
            "kappa",
        ]
        .map(String::from)
        .to_vec(),
    );
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

fn splits(
    t: &VoteTable,
    focal: usize,
    fcode: &str,
    partners: &[Partner],
    sel: &Selection,
    format: Format,
) -> anyhow::Result<ExitCode> {
    let mut rows = Vec::new();
    for p in partners {
        for s in measures::splits(t, focal, p, sel) {
            rows.push((p.name(), s));
        }
    }
    // One row of cells per split, shared by the table and the CSV.
    let cells: Vec<Vec<String>> = rows
        .iter()
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
        .collect();
    let text = match format {
        Format::Table => {
            let mut tb = table(
                [
                    "partner",
                    "date",
                    "resolution",
                    fcode,
                    "partner's vote",
                    "title",
                ]
                .map(String::from)
                .to_vec(),
            );
            for r in &cells {
                tb.add_row(r.clone());
            }
            format!(
                "{} roll call(s) where {fcode} and a partner voted differently\n\n{tb}\n",
                rows.len()
            )
        }
        Format::Csv => csv_text(
            &[
                "partner",
                "date",
                "resolution",
                "focal_vote",
                "partner_vote",
                "title",
            ],
            &cells,
        )?,
        Format::Json => {
            serde_json::to_string_pretty(&json!({
                "focal": fcode,
                "splits": rows.iter().map(|(p, s)| json!({"partner": p, "split": s})).collect::<Vec<_>>(),
            }))? + "\n"
        }
    };
    emit(&text)?;
    Ok(ExitCode::SUCCESS)
}

pub fn votes(a: VotesArgs) -> anyhow::Result<ExitCode> {
    let t = load(&a.data)?;
    let found = measures::lookup(&t, &a.resolution);
    if found.is_empty() {
        return Err(usage(
            format!("no recorded vote on `{}` in this data", a.resolution),
            "symbols read like A/RES/ES-11/1; resolutions adopted without a vote have no roll call, and Voeten's wide CSV carries no symbols",
        ));
    }
    let text = match a.format {
        Format::Table => {
            let mut out = String::new();
            for l in &found {
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
                let mut tb = table(vec!["state".into(), "vote".into()]);
                for (s, v) in &l.votes {
                    tb.add_row(vec![s.clone(), v.to_string()]);
                }
                let _ = writeln!(out, "{tb}");
            }
            out
        }
        Format::Csv => csv_text(
            &["resolution", "date", "state", "vote"],
            &found
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
                .collect::<Vec<_>>(),
        )?,
        Format::Json => serde_json::to_string_pretty(&json!({"rollcalls": found}))? + "\n",
    };
    emit(&text)?;
    Ok(ExitCode::SUCCESS)
}
