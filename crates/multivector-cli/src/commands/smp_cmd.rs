//! `multivector smp`: one issue or space through the spatial model, round by round.

use std::fmt::Write as _;
use std::process::ExitCode;

use multivector_core::Scenario;
use multivector_models::smp::{Smp, SmpInput, SmpOptions, SmpRun, SmpStop};
use serde_json::{Map, Value, json};

use super::load_scenario;
use crate::args::{Format, SmpArgs};
use crate::exit::usage;
use crate::output::{csv_text, emit, full, note, num, table};

pub fn run(a: SmpArgs) -> anyhow::Result<ExitCode> {
    let loaded = load_scenario(Some(&a.file))?;
    let s = &loaded.scenario;
    let input = space_input(s, a.issue.as_deref(), &a.file)?;
    let options = options(&a)?;
    // A round costs about n^3 contests: show rounds with the time left when the issue is
    // large enough for a round to take a noticeable time (about 100 actors and up).
    let bar = if crate::output::quiet() || input.len() < 100 {
        indicatif::ProgressBar::hidden()
    } else {
        indicatif::ProgressBar::with_draw_target(
            Some(options.stop.max_rounds as u64),
            indicatif::ProgressDrawTarget::stderr(),
        )
        .with_style(
            indicatif::ProgressStyle::with_template(
                "{msg} {wide_bar} round {pos} of at most {len}, {eta} left at this pace",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        )
        .with_message(format!("spatial model, {} actors", input.len()))
    };
    let run = Smp::new(options).run_observed(&input, &|t| bar.set_position(t as u64));
    bar.finish_and_clear();
    let text = match a.format {
        Format::Table => table_text(s, &run),
        Format::Csv => csv_rows(&run)?,
        Format::Json => {
            let mut v = run_json(&run);
            if let Value::Object(m) = &mut v {
                m.insert("scenario".into(), json!(s.meta.id));
                m.insert("version".into(), json!(env!("CARGO_PKG_VERSION")));
            }
            serde_json::to_string_pretty(&v)? + "\n"
        }
    };
    emit(&text)?;
    Ok(ExitCode::SUCCESS)
}

fn options(a: &SmpArgs) -> anyhow::Result<SmpOptions> {
    if !(a.stop_ratio.is_finite() && a.stop_ratio >= 0.0) {
        return Err(usage(
            format!("--stop-ratio {} is not a number >= 0", a.stop_ratio),
            "KTAB stops at 0.02: a round moving under 2% of the first round's move",
        ));
    }
    if !(a.stop_floor.is_finite() && a.stop_floor > 0.0) {
        return Err(usage(
            format!("--stop-floor {} is not a number > 0", a.stop_floor),
            "the floor keeps the ratio defined when nobody moves in round 1 (KTAB: 1e-4)",
        ));
    }
    if a.max_rounds == 0 {
        return Err(usage(
            "--max-rounds 0 runs nothing",
            "give at least 1 (KTAB: 100)",
        ));
    }
    Ok(SmpOptions {
        victory_prob: a.victory_prob.into(),
        pce: a.pce.into(),
        transitions: a.transitions.into(),
        voting_rule: a.voting_rule.into(),
        big_r_adjust: a.big_r_adjust.into(),
        big_r_range: a.big_r_range.into(),
        third_party_commit: a.third_party_commit.into(),
        bargain_point: a.bargain_point.into(),
        bargain_view: a.bargain_view.into(),
        stop: SmpStop {
            max_rounds: a.max_rounds,
            min_rounds: a.min_rounds,
            ratio: a.stop_ratio,
            floor: a.stop_floor,
        },
        seed: a.seed.unwrap_or(SmpOptions::default().seed),
        canonical_groups: a.canonical_groups,
    })
}

/// The input of a space (or of a one-dimensional issue) named by id, or of the only one.
pub(super) fn space_input(
    s: &Scenario,
    wanted: Option<&str>,
    file: &str,
) -> anyhow::Result<SmpInput> {
    let spaces = s.bargaining_spaces();
    let ids = || {
        spaces
            .iter()
            .map(|(id, _)| id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (id, dims) = match wanted {
        Some(w) => match spaces.iter().find(|(id, _)| id == w) {
            Some(sp) => sp.clone(),
            None => match s.issue_index(w) {
                Some(k) => {
                    if let Some(sp) = s.space_of(k) {
                        note(&format!(
                            "issue `{w}` is a dimension of space `{}`; running it alone \
                             (use --issue {} to bargain over all its dimensions)",
                            s.spaces[sp].id, s.spaces[sp].id
                        ));
                    }
                    (w.to_string(), vec![k])
                }
                None => {
                    return Err(usage(
                        format!("{file} has no issue or space `{w}`"),
                        format!("spaces and issues: {}", ids()),
                    ));
                }
            },
        },
        None if spaces.len() == 1 => spaces[0].clone(),
        None => {
            return Err(usage(
                format!(
                    "{file} has {} issues or spaces; say which one",
                    spaces.len()
                ),
                format!("add --issue ID; choose from: {}", ids()),
            ));
        }
    };
    let inputs = dims
        .iter()
        .map(|&k| s.issue_input(k))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(SmpInput::from_issues(&id, &inputs)?)
}

fn point(v: &[f64]) -> String {
    v.iter()
        .map(|x| format!("{x:.2}"))
        .collect::<Vec<_>>()
        .join(" / ")
}

fn table_text(s: &Scenario, r: &SmpRun) -> String {
    let mut out = String::new();
    let o = &r.options;
    let _ = writeln!(
        out,
        "Spatial model: {} / {} ({} actors, {} dimension(s): {})",
        s.meta.id,
        r.issue,
        r.actors.len(),
        r.dims.len(),
        r.dims
            .iter()
            .map(|d| d.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(
        out,
        "options: victory {:?}, pce {:?}, transitions {:?}, voting {:?}, risk adjust {:?}, risk range {:?}, \
         third party {:?}, bargain point {:?}, bargain view {:?}; seed {}",
        o.victory_prob,
        o.pce,
        o.transitions,
        o.voting_rule,
        o.big_r_adjust,
        o.big_r_range,
        o.third_party_commit,
        o.bargain_point,
        o.bargain_view,
        o.seed
    );
    for (t, st) in r.states.iter().enumerate() {
        let title = if t == 0 {
            "Round 0 (input)".to_string()
        } else {
            format!(
                "Round {t}: total move {:.4}, fractional change {:.4}",
                r.moves[t - 1],
                r.fractional_change[t - 1]
            )
        };
        let _ = writeln!(out, "\n{title}");
        let mut tb = table(
            [
                "actor",
                "position",
                "ideal",
                "risk",
                "P(outcome)",
                "challenged",
                "moved by",
            ]
            .map(String::from)
            .to_vec(),
        );
        for (i, a) in r.actors.iter().enumerate() {
            let (challenged, moved) = match t.checked_sub(1).map(|k| &r.rounds[k][i]) {
                None => ("-".to_string(), "-".to_string()),
                Some(ar) => (
                    ar.target.map_or("-".into(), |j| {
                        format!(
                            "{} (P {:.2}, gain {:.3})",
                            r.actors[j], ar.win_probability, ar.gain
                        )
                    }),
                    ar.chosen.as_ref().map_or("stayed".into(), |b| {
                        format!(
                            "{} -> {} ({})",
                            r.actors[b.initiator], r.actors[b.receiver], b.view
                        )
                    }),
                ),
            };
            let ideal = if st.ideals[i] == st.positions[i] {
                "=".to_string()
            } else {
                point(&st.ideals[i])
            };
            tb.add_row(vec![
                a.clone(),
                point(&st.positions[i]),
                ideal,
                num(st.risk[i]),
                format!("{:.4}", st.probability[i]),
                challenged,
                moved,
            ]);
        }
        let _ = writeln!(out, "{tb}");
    }
    let mp = &r.most_probable;
    let _ = writeln!(
        out,
        "\n{} after {} rounds ({}).",
        if r.converged {
            "Settled"
        } else {
            "Stopped at the round limit"
        },
        r.rounds.len(),
        if r.converged {
            "the last move was under the stop ratio of the first"
        } else {
            "not converged: read the final state with care"
        }
    );
    let _ = writeln!(
        out,
        "Most probable final position: {} with probability {:.3}, held by {}.",
        point(&mp.position),
        mp.probability,
        mp.actors.join(", ")
    );
    let _ = writeln!(
        out,
        "Weighted median (capability x salience): {}; weighted mean: {}.",
        point(&r.weighted_median),
        point(&r.weighted_mean)
    );
    out
}

/// One row per state and actor: tidy for pandas and R.
fn csv_rows(r: &SmpRun) -> anyhow::Result<String> {
    let mut header: Vec<String> = vec!["round".into(), "actor".into()];
    for d in &r.dims {
        header.push(format!("position_{}", d.name));
    }
    for d in &r.dims {
        header.push(format!("ideal_{}", d.name));
    }
    header.extend(
        [
            "risk",
            "probability",
            "target",
            "gain",
            "win_probability",
            "bargain_initiator",
            "bargain_receiver",
            "bargain_view",
            "fractional_change",
            "seed",
        ]
        .map(String::from),
    );
    let mut rows = Vec::new();
    for (t, st) in r.states.iter().enumerate() {
        for (i, a) in r.actors.iter().enumerate() {
            let mut row = vec![t.to_string(), a.clone()];
            row.extend(st.positions[i].iter().map(|x| full(*x)));
            row.extend(st.ideals[i].iter().map(|x| full(*x)));
            row.push(full(st.risk[i]));
            row.push(full(st.probability[i]));
            match t.checked_sub(1).map(|k| &r.rounds[k][i]) {
                None => row.extend(std::iter::repeat_n(String::new(), 6)),
                Some(ar) => {
                    row.push(ar.target.map_or(String::new(), |j| r.actors[j].clone()));
                    row.push(ar.target.map_or(String::new(), |_| full(ar.gain)));
                    row.push(
                        ar.target
                            .map_or(String::new(), |_| full(ar.win_probability)),
                    );
                    match &ar.chosen {
                        None => row.extend(std::iter::repeat_n(String::new(), 3)),
                        Some(b) => {
                            row.push(r.actors[b.initiator].clone());
                            row.push(r.actors[b.receiver].clone());
                            row.push(b.view.to_string());
                        }
                    }
                }
            }
            row.push(
                t.checked_sub(1)
                    .map_or(String::new(), |k| full(r.fractional_change[k])),
            );
            row.push(r.options.seed.to_string());
            rows.push(row);
        }
    }
    let h: Vec<&str> = header.iter().map(String::as_str).collect();
    csv_text(&h, &rows)
}

fn by_actor<T: serde::Serialize>(r: &SmpRun, f: impl Fn(usize) -> T) -> Value {
    let mut m = Map::new();
    for (i, a) in r.actors.iter().enumerate() {
        m.insert(a.clone(), json!(f(i)));
    }
    Value::Object(m)
}

fn run_json(r: &SmpRun) -> Value {
    let rounds: Vec<Value> = r
        .states
        .iter()
        .enumerate()
        .map(|(t, st)| {
            let mut v = json!({
                "round": t,
                "positions": by_actor(r, |i| st.positions[i].clone()),
                "ideals": by_actor(r, |i| st.ideals[i].clone()),
                "risk": by_actor(r, |i| st.risk[i]),
                "probability": by_actor(r, |i| st.probability[i]),
            });
            if let (Some(k), Value::Object(m)) = (t.checked_sub(1), &mut v) {
                let acts = &r.rounds[k];
                m.insert("moves".into(), json!(r.moves[k]));
                m.insert("fractional_change".into(), json!(r.fractional_change[k]));
                m.insert(
                    "bargains".into(),
                    by_actor(r, |i| {
                        let ar = &acts[i];
                        json!({
                            "target": ar.target.map(|j| r.actors[j].clone()),
                            "gain": ar.target.map(|_| ar.gain),
                            "win_probability": ar.target.map(|_| ar.win_probability),
                            "queue": ar.queue,
                            "chosen": ar.chosen.as_ref().map(|b| json!({
                                "initiator": r.actors[b.initiator],
                                "receiver": r.actors[b.receiver],
                                "view": b.view,
                                "probability": ar.chosen_probability,
                            })),
                        })
                    }),
                );
            }
            v
        })
        .collect();
    json!({
        "issue": r.issue,
        "dimensions": r.dims,
        "options": r.options,
        "seed": r.options.seed,
        "converged": r.converged,
        "rounds": rounds,
        "most_probable": r.most_probable,
        "weighted_median": r.weighted_median,
        "weighted_mean": r.weighted_mean,
    })
}
