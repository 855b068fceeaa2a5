//! `multivector bdm`: one issue through the expected-utility model, round by round.

use std::fmt::Write as _;
use std::process::ExitCode;

use multivector_core::{IssueInput, StopRule};
use multivector_models::bdm::{Bdm, BdmOptions, BdmRun, MoveKind, Region};
use serde_json::{Map, Value, json};

use super::{bdm_options, issue_input, pick_issue};
use crate::args::{BdmArgs, Format};
use crate::exit::usage;
use crate::output::note;
use crate::output::{csv_text, emit, full, num, table};

pub fn run(a: BdmArgs) -> anyhow::Result<ExitCode> {
    let loaded = super::load_scenario(Some(&a.file))?;
    let s = &loaded.scenario;
    let file = a.file.clone();
    let issue = pick_issue(s, a.issue.as_deref(), &file)?;
    let input = issue_input(s, issue)?;
    let options = bdm_options(a.preset, Some(&a.options), &a.stop)?;
    super::warn_late_events(s, None, options.stop.max_rounds());
    let model = Bdm::new(options);
    let preset = format!("{:?}", a.preset).to_lowercase();
    if let Some(who) = &a.view {
        let actor = find_actor(&input, s, who)?;
        let pairs = model.view(&input, actor, a.round)?;
        emit(&view_text(&input, actor, a.round, &pairs, a.format)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    let run = model.run(&input)?;
    let text = match a.format {
        Format::Table => table_text(&input, &run, &preset, &s.meta.id),
        Format::Csv => csv_rounds(&input, &run)?,
        Format::Json => {
            let mut v = run_json(&input, &run);
            if let Value::Object(m) = &mut v {
                m.insert("scenario".into(), json!(s.meta.id));
                m.insert("preset".into(), json!(preset));
                m.insert("version".into(), json!(env!("CARGO_PKG_VERSION")));
            }
            serde_json::to_string_pretty(&v)? + "\n"
        }
    };
    emit(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// An actor by id, else by name (exact, then ignoring case).
fn find_actor(
    input: &IssueInput,
    s: &multivector_core::Scenario,
    who: &str,
) -> anyhow::Result<usize> {
    if let Some(k) = input.actor_ids().iter().position(|id| id == who) {
        return Ok(k);
    }
    let by_name = |exact: bool| {
        input.actor_ids().iter().position(|id| {
            s.actors.iter().any(|a| {
                a.id == *id
                    && if exact {
                        a.name == who
                    } else {
                        a.name.eq_ignore_ascii_case(who) || a.id.eq_ignore_ascii_case(who)
                    }
            })
        })
    };
    if let Some(k) = by_name(true) {
        return Ok(k);
    }
    if let Some(k) = by_name(false) {
        // Matched without regard to case: say which actor was taken.
        note(&format!(
            "`{who}` read as actor `{}` (matched ignoring case)",
            input.actor_ids()[k]
        ));
        return Ok(k);
    }
    Err({
        usage(
            format!(
                "no actor `{who}` holds a stance on issue `{}`",
                input.issue_id()
            ),
            format!("actors on this issue: {}", input.actor_ids().join(", ")),
        )
    })
}

fn kind_str(k: MoveKind) -> &'static str {
    match k {
        MoveKind::ConflictLost => "conflict_lost",
        MoveKind::Compromise => "compromise",
        MoveKind::Capitulation => "capitulation",
    }
}

fn region_str(r: Region) -> &'static str {
    match r {
        Region::ConflictLost => "conflict_lost",
        Region::ConflictWon => "conflict_won",
        Region::Compromise => "compromise",
        Region::Capitulation => "capitulation",
        Region::UpperHand => "upper_hand",
        Region::Stalemate => "stalemate",
        Region::Boundary => "boundary",
        Region::SamePosition => "same_position",
    }
}

fn options_line(o: &BdmOptions, range: f64) -> String {
    let stop = match o.stop {
        StopRule::Fixed { rounds } => format!("fixed {rounds} rounds"),
        StopRule::Converged {
            epsilon,
            patience,
            max_rounds,
        } => format!(
            "converged (epsilon {epsilon}, patience {patience}, at most {max_rounds} rounds)"
        ),
    };
    let v = serde_json::to_value(o).unwrap_or(Value::Null);
    let get = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("?").to_string();
    format!(
        "probability={} q_term={} perspective={} offer={} compromise_pick={} range={} (D = {}) Q={} stop: {stop}",
        get("probability"),
        get("q_term"),
        get("perspective"),
        get("offer"),
        get("compromise_pick"),
        get("range"),
        full(range),
        full(o.q),
    )
}

/// The summary line under every run.
pub fn outcome_line(run: &BdmRun) -> String {
    let f = run.forecast();
    let stop = match run.stop {
        multivector_core::StopReason::RoundsDone => "all rounds run",
        multivector_core::StopReason::Converged => "the median settled",
        multivector_core::StopReason::Cycle => "the state repeated",
    };
    let cycle = run.cycle.map_or_else(
        || "none found".to_string(),
        |c| format!("length {} from round {}", c.length, c.start),
    );
    format!(
        "forecast: {} ({}); stopped: {stop} after {} rounds; cycle: {cycle}",
        num(f.value),
        f.note
            .unwrap_or_else(|| "median after the last round".into()),
        run.rounds.len() - 1,
    )
}

fn table_text(input: &IssueInput, run: &BdmRun, preset: &str, scenario: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Expected-utility model, preset {preset}: issue `{}` of `{scenario}`, {} actors",
        input.issue_id(),
        input.len()
    );
    let _ = writeln!(out, "options: {}\n", options_line(&run.options, run.range));
    let wide = input.len() <= 12;
    let mut header = vec![
        "round".to_string(),
        "median".into(),
        "mean".into(),
        "moves".into(),
    ];
    if wide {
        header.extend(input.actor_ids().iter().cloned());
    }
    let mut t = table(header);
    for r in &run.rounds {
        let mut row = vec![
            r.round.to_string(),
            num(r.median),
            num(r.mean),
            r.moves.len().to_string(),
        ];
        if wide {
            row.extend(r.positions.iter().map(|v| num(*v)));
        }
        t.add_row(row);
    }
    let _ = writeln!(out, "{t}");
    if !wide {
        let _ = writeln!(
            out,
            "(positions of {} actors: use --format csv or json)",
            input.len()
        );
    }
    let mut m = table(
        [
            "round",
            "actor",
            "accepts offer of",
            "kind",
            "from",
            "to",
            "a",
            "b",
        ]
        .map(String::from)
        .to_vec(),
    );
    let mut any = false;
    for r in &run.rounds {
        for mv in &r.moves {
            any = true;
            m.add_row(vec![
                r.round.to_string(),
                input.actor_ids()[mv.actor].clone(),
                input.actor_ids()[mv.counterpart].clone(),
                kind_str(mv.kind).into(),
                num(mv.from),
                num(mv.to),
                num(mv.a),
                num(mv.b),
            ]);
        }
    }
    if any {
        let _ = writeln!(
            out,
            "\nAccepted moves (a = E(actor -> counterpart), b = E(counterpart -> actor)):\n{m}"
        );
    } else {
        let _ = writeln!(out, "\nNo actor moved.");
    }
    let _ = writeln!(out, "\n{}", outcome_line(run));
    out
}

fn csv_rounds(input: &IssueInput, run: &BdmRun) -> anyhow::Result<String> {
    let mut rows = Vec::new();
    for r in &run.rounds {
        for (k, id) in input.actor_ids().iter().enumerate() {
            rows.push(vec![
                r.round.to_string(),
                id.clone(),
                full(r.positions[k]),
                r.risk.as_ref().map_or_else(String::new, |v| full(v[k])),
                full(r.median),
                full(r.mean),
            ]);
        }
    }
    csv_text(
        &["round", "actor", "position", "risk", "median", "mean"],
        &rows,
    )
}

/// The run as JSON: `{"rounds": [{"round": 0, "median", "mean", "positions": {..},
/// "risk": {..}, "moves": [..]}, ..], ...}`. Round 0's `risk` is empty.
pub fn run_json(input: &IssueInput, run: &BdmRun) -> Value {
    let ids = &input.actor_ids();
    let rounds: Vec<Value> = run
        .rounds
        .iter()
        .map(|r| {
            let positions: Map<String, Value> = ids
                .iter()
                .zip(&r.positions)
                .map(|(id, v)| (id.clone(), json!(v)))
                .collect();
            let risk: Map<String, Value> = r.risk.as_ref().map_or_else(Map::new, |rs| {
                ids.iter()
                    .zip(rs)
                    .map(|(id, v)| (id.clone(), json!(v)))
                    .collect()
            });
            let moves: Vec<Value> = r
                .moves
                .iter()
                .map(|m| {
                    json!({
                        "actor": ids[m.actor],
                        "counterpart": ids[m.counterpart],
                        "kind": kind_str(m.kind),
                        "from": m.from,
                        "to": m.to,
                        "a": m.a,
                        "b": m.b,
                    })
                })
                .collect();
            json!({
                "round": r.round,
                "median": r.median,
                "mean": r.mean,
                "positions": positions,
                "risk": risk,
                "moves": moves,
            })
        })
        .collect();
    let f = run.forecast();
    json!({
        "issue": input.issue_id(),
        "options": run.options,
        "range": run.range,
        "rounds": rounds,
        "stop": run.stop,
        "cycle": run.cycle,
        "cycle_median": run.cycle_median(),
        "forecast": f,
    })
}

fn view_text(
    input: &IssueInput,
    actor: usize,
    round: usize,
    pairs: &[multivector_models::bdm::ViewPair],
    format: Format,
) -> anyhow::Result<String> {
    let ids = &input.actor_ids();
    let me = &ids[actor];
    Ok(match format {
        Format::Table => {
            let mut t = table(vec![
                "actor".into(),
                format!("a = E({me} -> actor)"),
                format!("b = E(actor -> {me})"),
                format!("region (what happens to {me})"),
            ]);
            for p in pairs {
                t.add_row(vec![
                    ids[p.other].clone(),
                    num(p.a),
                    num(p.b),
                    region_str(p.region).into(),
                ]);
            }
            format!(
                "The view from {me}, round {round} (issue `{}`)\n\n{t}\n",
                input.issue_id()
            )
        }
        Format::Csv => csv_text(
            &["actor", "a", "b", "region"],
            &pairs
                .iter()
                .map(|p| {
                    vec![
                        ids[p.other].clone(),
                        full(p.a),
                        full(p.b),
                        region_str(p.region).into(),
                    ]
                })
                .collect::<Vec<_>>(),
        )?,
        Format::Json => {
            let v = json!({
                "issue": input.issue_id(),
                "actor": me,
                "round": round,
                "pairs": pairs.iter().map(|p| json!({
                    "actor": ids[p.other],
                    "a": p.a,
                    "b": p.b,
                    "region": region_str(p.region),
                })).collect::<Vec<_>>(),
            });
            serde_json::to_string_pretty(&v)? + "\n"
        }
    })
}
