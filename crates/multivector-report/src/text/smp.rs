//! `multivector smp` as text: the spatial model's run round by round, as a table, as CSV
//! and as a typed JSON document.

use std::fmt::Write as _;

use multivector_core::Scenario;
use multivector_models::smp::{Dimension, MostProbable, SmpOptions, SmpRun};
use serde::Serialize;

use super::{ById, TextError, csv_text, full, num, table};

fn point(v: &[f64]) -> String {
    v.iter()
        .map(|x| format!("{x:.2}"))
        .collect::<Vec<_>>()
        .join(" / ")
}

/// The run in words: options, most probable outcome, the rounds and each actor's last
/// position.
pub fn table_text(s: &Scenario, r: &SmpRun) -> String {
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
        let mut tb = table([
            "actor",
            "position",
            "ideal",
            "risk",
            "P(outcome)",
            "challenged",
            "moved by",
        ]);
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
/// One CSV row per round and actor: positions, ideals, risk, probability and the bargain
/// it made.
pub fn rounds_csv(r: &SmpRun) -> Result<String, TextError> {
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

/// The run as `smp --format json` prints it: every state with its values keyed by actor,
/// from round 1 on the bargains each actor made, and the outcome.
#[derive(Debug, Serialize)]
pub struct RunDoc<'a> {
    issue: &'a str,
    dimensions: &'a [Dimension],
    options: &'a SmpOptions,
    seed: u64,
    converged: bool,
    rounds: Vec<RoundDoc<'a>>,
    most_probable: &'a MostProbable,
    weighted_median: &'a [f64],
    weighted_mean: &'a [f64],
    scenario: &'a str,
    version: &'static str,
}

/// One state of [`RunDoc`]; round 0 has no moves or bargains.
#[derive(Debug, Serialize)]
struct RoundDoc<'a> {
    round: usize,
    positions: ById<'a, &'a Vec<f64>>,
    ideals: ById<'a, &'a Vec<f64>>,
    risk: ById<'a, &'a f64>,
    probability: ById<'a, &'a f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    moves: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fractional_change: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bargains: Option<ById<'a, BargainDoc<'a>>>,
}

/// What one actor sought and chose in a round, actors by id.
#[derive(Debug, Serialize)]
struct BargainDoc<'a> {
    target: Option<&'a str>,
    gain: Option<f64>,
    win_probability: Option<f64>,
    queue: usize,
    chosen: Option<ChosenDoc<'a>>,
}

/// The bargain an actor chose.
#[derive(Debug, Serialize)]
struct ChosenDoc<'a> {
    initiator: &'a str,
    receiver: &'a str,
    view: &'static str,
    probability: f64,
}

impl<'a> RunDoc<'a> {
    /// The document of `run`, from scenario `scenario`.
    pub fn new(r: &'a SmpRun, scenario: &'a str) -> Self {
        let ids = &r.actors;
        let rounds = r
            .states
            .iter()
            .enumerate()
            .map(|(t, st)| {
                let before = t.checked_sub(1);
                RoundDoc {
                    round: t,
                    positions: ById::new(ids, st.positions.iter().collect()),
                    ideals: ById::new(ids, st.ideals.iter().collect()),
                    risk: ById::new(ids, st.risk.iter().collect()),
                    probability: ById::new(ids, st.probability.iter().collect()),
                    moves: before.map(|k| r.moves[k]),
                    fractional_change: before.map(|k| r.fractional_change[k]),
                    bargains: before.map(|k| {
                        let acts = r.rounds[k]
                            .iter()
                            .map(|ar| BargainDoc {
                                target: ar.target.map(|j| ids[j].as_str()),
                                gain: ar.target.map(|_| ar.gain),
                                win_probability: ar.target.map(|_| ar.win_probability),
                                queue: ar.queue,
                                chosen: ar.chosen.as_ref().map(|b| ChosenDoc {
                                    initiator: &ids[b.initiator],
                                    receiver: &ids[b.receiver],
                                    view: b.view,
                                    probability: ar.chosen_probability,
                                }),
                            })
                            .collect();
                        ById::new(ids, acts)
                    }),
                }
            })
            .collect();
        RunDoc {
            issue: &r.issue,
            dimensions: &r.dims,
            options: &r.options,
            seed: r.options.seed,
            converged: r.converged,
            rounds,
            most_probable: &r.most_probable,
            weighted_median: &r.weighted_median,
            weighted_mean: &r.weighted_mean,
            scenario,
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}
