//! `multivector bdm` as text: the expected-utility model's run round by round, and the
//! view from one actor; as a table, as CSV and as a typed JSON document.

use std::fmt::Write as _;

use multivector_core::{Cycle, Forecast, IssueInput, StopReason, StopRule};
use multivector_models::bdm::{BdmOptions, BdmRun, MoveKind, Region, ViewPair};
use serde::Serialize;

use super::{ById, TextError, csv_text, full, num, table};

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
    let v = serde_json::to_value(o).unwrap_or(serde_json::Value::Null);
    let get = |k: &str| {
        v.get(k)
            .and_then(serde_json::Value::as_str)
            .unwrap_or("?")
            .to_string()
    };
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
        StopReason::RoundsDone => "all rounds run",
        StopReason::Converged => "the median settled",
        StopReason::Cycle => "the state repeated",
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

/// The run round by round: median, mean, moves and (up to 12 actors) every position, then
/// the accepted moves and the outcome.
pub fn table_text(input: &IssueInput, run: &BdmRun, preset: &str, scenario: &str) -> String {
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
    let mut m = table([
        "round",
        "actor",
        "accepts offer of",
        "kind",
        "from",
        "to",
        "a",
        "b",
    ]);
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

/// One CSV row per round and actor.
pub fn rounds_csv(input: &IssueInput, run: &BdmRun) -> Result<String, TextError> {
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

/// The view from `actor` in `round`: where every other actor's pair lies.
pub fn view_table(input: &IssueInput, actor: usize, round: usize, pairs: &[ViewPair]) -> String {
    let ids = input.actor_ids();
    let me = &ids[actor];
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

/// [`view_table`] as CSV: one row per other actor.
pub fn view_csv(input: &IssueInput, pairs: &[ViewPair]) -> Result<String, TextError> {
    let ids = input.actor_ids();
    let rows: Vec<Vec<String>> = pairs
        .iter()
        .map(|p| {
            vec![
                ids[p.other].clone(),
                full(p.a),
                full(p.b),
                region_str(p.region).into(),
            ]
        })
        .collect();
    csv_text(&["actor", "a", "b", "region"], &rows)
}

/// The view from one actor as `bdm --view ACTOR --format json` prints it.
#[derive(Debug, Serialize)]
pub struct ViewDoc<'a> {
    /// The issue's id.
    pub issue: &'a str,
    /// The actor whose view this is.
    pub actor: &'a str,
    /// The round the view is taken in.
    pub round: usize,
    /// Every other actor's pair.
    pub pairs: Vec<ViewPairDoc<'a>>,
}

/// One pair of [`ViewDoc`].
#[derive(Debug, Serialize)]
pub struct ViewPairDoc<'a> {
    /// The other actor's id.
    pub actor: &'a str,
    /// E(viewer -> actor).
    pub a: f64,
    /// E(actor -> viewer).
    pub b: f64,
    /// Where the pair lies.
    pub region: Region,
}

impl<'a> ViewDoc<'a> {
    /// The document of `pairs`, the view from `actor` in `round`.
    pub fn new(input: &'a IssueInput, actor: usize, round: usize, pairs: &[ViewPair]) -> Self {
        let ids = input.actor_ids();
        ViewDoc {
            issue: input.issue_id(),
            actor: &ids[actor],
            round,
            pairs: pairs
                .iter()
                .map(|p| ViewPairDoc {
                    actor: &ids[p.other],
                    a: p.a,
                    b: p.b,
                    region: p.region,
                })
                .collect(),
        }
    }
}

/// The run as `bdm --format json` prints it: the rounds with positions and risks keyed by
/// actor (round 0's risk is empty), the moves by actor id, the stop and the forecast.
#[derive(Debug, Serialize)]
pub struct RunDoc<'a> {
    /// The issue's id.
    pub issue: &'a str,
    /// The options the run used.
    pub options: &'a BdmOptions,
    /// The range D the utilities are scaled by.
    pub range: f64,
    /// Every round, round 0 first.
    pub rounds: Vec<RoundDoc<'a>>,
    /// Why the run stopped.
    pub stop: StopReason,
    /// The cycle the run ended in, if any.
    pub cycle: Option<Cycle>,
    /// The median over the cycle, if any.
    pub cycle_median: Option<f64>,
    /// The forecast read from the run.
    pub forecast: Forecast,
    /// The scenario's id.
    pub scenario: &'a str,
    /// The preset's name.
    pub preset: &'a str,
    /// The multivector version that ran it.
    pub version: &'static str,
}

/// One round of [`RunDoc`].
#[derive(Debug, Serialize)]
pub struct RoundDoc<'a> {
    round: usize,
    median: f64,
    mean: f64,
    positions: ById<'a, &'a f64>,
    risk: ById<'a, &'a f64>,
    moves: Vec<MoveDoc<'a>>,
}

/// One accepted move of [`RoundDoc`], actors by id.
#[derive(Debug, Serialize)]
pub struct MoveDoc<'a> {
    actor: &'a str,
    counterpart: &'a str,
    kind: MoveKind,
    from: f64,
    to: f64,
    a: f64,
    b: f64,
}

impl<'a> RunDoc<'a> {
    /// The document of `run` on `input`, from scenario `scenario` under preset `preset`.
    pub fn new(input: &'a IssueInput, run: &'a BdmRun, scenario: &'a str, preset: &'a str) -> Self {
        let ids = input.actor_ids();
        RunDoc {
            issue: input.issue_id(),
            options: &run.options,
            range: run.range,
            rounds: run
                .rounds
                .iter()
                .map(|r| RoundDoc {
                    round: r.round,
                    median: r.median,
                    mean: r.mean,
                    positions: ById::new(ids, r.positions.iter().collect()),
                    risk: ById::new(ids, r.risk.iter().flatten().collect()),
                    moves: r
                        .moves
                        .iter()
                        .map(|m| MoveDoc {
                            actor: &ids[m.actor],
                            counterpart: &ids[m.counterpart],
                            kind: m.kind,
                            from: m.from,
                            to: m.to,
                            a: m.a,
                            b: m.b,
                        })
                        .collect(),
                })
                .collect(),
            stop: run.stop,
            cycle: run.cycle,
            cycle_median: run.cycle_median(),
            forecast: run.forecast(),
            scenario,
            preset,
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}
