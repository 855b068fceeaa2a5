//! `multivector align` and `multivector votes`: alignment from UN General Assembly votes.

use std::process::ExitCode;

use multivector_report::text::align::{self as text, Series};
use multivector_votes::{Partner, Period, Selection, Topic, VoteTable, measures};

use crate::args::{AlignArgs, ByArg, Format, VotesArgs};
use crate::exit::usage;
use crate::output::{emit, json, note};

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
            let equidistance = measures::equidistance_series(&rows);
            Series {
                focal: t.states[f].clone(),
                rows,
                equidistance,
            }
        })
        .collect();
    let what = match topic {
        Some(Topic::Ukraine) => "roll calls on Russia's war on Ukraine and Crimea",
        None => "all roll calls",
    };
    let text = match a.format {
        Format::Table => series
            .iter()
            .map(|s| text::series_table(s, pname, what, partners.len()))
            .collect::<Vec<_>>()
            .join("\n"),
        Format::Csv => text::series_csv(&series, pname)?,
        Format::Json => json(&text::AlignDoc::new(&series, pname))?,
    };
    emit(&text)?;
    Ok(ExitCode::SUCCESS)
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
    let text = match format {
        Format::Table => text::splits_table(fcode, &rows),
        Format::Csv => text::splits_csv(&rows)?,
        Format::Json => json(&text::SplitsDoc::new(fcode, &rows))?,
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
        Format::Table => text::votes_table(&found),
        Format::Csv => text::votes_csv(&found)?,
        Format::Json => json(&text::VotesDoc { rollcalls: &found })?,
    };
    emit(&text)?;
    Ok(ExitCode::SUCCESS)
}
