//! `multivector run` as text: the bottom line, the forecasts, the retrodiction, the ensemble
//! and the two-level series, and the run's CSV files.

use std::fmt::Write as _;

use multivector::ensemble::Interval;
use multivector::ensemble::sensitivity::{Effect, Field};
use multivector::run::{CompareReport, EnsembleReport, RunReport};
use multivector::two_level::{IssueForecasts, TwoLevelReport};
use multivector_core::Scenario;

use super::{TextError, csv_text, full, num, opt, table};

/// Everything `run` prints as a table, in reading order: the bottom line, the forecasts,
/// how they fared, the ensemble and the two-level series.
pub fn report(s: &Scenario, r: &RunReport) -> String {
    bottom_line(s, r)
        + &forecasts(s, r)
        + &judged(s, r)
        + &r.ensemble.as_ref().map_or_else(String::new, ensemble)
        + &r.two_level.as_ref().map_or_else(String::new, two_level)
}

/// The answer first: one row per issue in words, from the model that scores best on real
/// outcomes, with its 80% interval, the threshold probabilities and how far the models agree.
pub fn bottom_line(s: &Scenario, r: &RunReport) -> String {
    let lines = r.bottom_lines(s);
    let mut t = table([
        "issue",
        "forecast (weighted mean)",
        "80% interval",
        "probability",
        "models",
    ]);
    for b in &lines {
        t.add_row(vec![
            b.issue.clone(),
            format!("{:.0}: {}", b.forecast, b.words),
            b.interval80
                .map_or("-".into(), |(lo, hi)| format!("{lo:.0} to {hi:.0}")),
            b.thresholds
                .iter()
                .map(|(l, p)| format!("{l}: {:.0}%", 100.0 * p))
                .collect::<Vec<_>>()
                .join("; "),
            if b.models_disagree() {
                format!("disagree ({:.0} to {:.0})", b.range.0, b.range.1)
            } else {
                format!("spread {:.0}% of the scale", 100.0 * b.disagreement)
            },
        ]);
    }
    // One line per issue: its warnings joined (all of them, with their numbers, in the JSON
    // and the report).
    let mut warn = String::new();
    if !r.warnings.is_empty() {
        warn.push_str("Warnings (read these forecasts with care; each reason in --format json and the report):\n");
        let mut issues: Vec<&str> = r.warnings.iter().map(|w| w.issue.as_str()).collect();
        issues.dedup();
        for iss in issues {
            let of = |k: multivector::run::WarningKind| {
                let mut models: Vec<String> = Vec::new();
                for w in r.warnings.iter().filter(|w| w.issue == iss && w.kind == k) {
                    let m = w.model.clone().unwrap_or_default();
                    if !models.contains(&m) {
                        models.push(m);
                    }
                }
                models
            };
            let mut parts = Vec::new();
            if !of(multivector::run::WarningKind::ModelsDisagree).is_empty() {
                parts.push("the models disagree by more than a third of the scale".to_string());
            }
            let far = of(multivector::run::WarningKind::FarFromTheWeight);
            if !far.is_empty() {
                parts.push(format!(
                    "far from where the weight lies: {}",
                    far.join(", ")
                ));
            }
            let fragile = of(multivector::run::WarningKind::Fragile);
            if !fragile.is_empty() {
                parts.push(format!(
                    "a third or more of the draws cross a threshold: {}",
                    fragile.join(", ")
                ));
            }
            let _ = writeln!(warn, "- {iss}: {}", parts.join("; "));
        }
        warn.push('\n');
    }
    let own = r.own_record().map_or(String::new(), |x| format!(" {x}"));
    format!(
        "Bottom line for `{}`: the weighted mean, which no other model beats on 234 real EU decisions (docs/validation.md); intervals and probabilities from {} draws of the declared uncertainty. Read the intervals as too narrow: on those decisions the mean's 80% intervals held the outcome 7% of the time.{own} Details follow; --format json has everything.\n{t}\n\n{warn}",
        s.meta.id,
        r.ensemble.as_ref().map_or(0, |e| e.draws)
    )
}

/// The forecast of every model on every issue, with the models' notes below.
pub fn forecasts(s: &Scenario, r: &RunReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Scenario `{}`: {}", s.meta.id, s.meta.name);
    let _ = writeln!(
        out,
        "{} issue(s), {} actor(s); models: bdm-scholz, bdm-paper (expected utility), smp (spatial model, most probable final position), mean and median (baselines)\n",
        s.issues.len(),
        s.actors.len()
    );
    let mut t = table([
        "issue",
        "model",
        "forecast",
        "nearest label",
        "status quo",
        "observed",
    ]);
    for iss in &r.issues {
        for (model, f) in &iss.forecasts {
            t.add_row(vec![
                iss.id.clone(),
                model.clone(),
                num(f.value),
                f.label.clone(),
                opt(iss.status_quo),
                opt(iss.observed.as_ref().map(|o| o.value)),
            ]);
        }
    }
    let _ = writeln!(out, "{t}");
    let notes: Vec<String> = r
        .issues
        .iter()
        .flat_map(|iss| {
            iss.forecasts.iter().filter_map(|(model, f)| {
                f.note
                    .as_ref()
                    .map(|n| format!("{} / {model}: {n}", iss.id))
            })
        })
        .collect();
    if !notes.is_empty() {
        let _ = writeln!(out, "\nNotes:");
        for n in notes {
            let _ = writeln!(out, "- {n}");
        }
    }
    out
}

const FORECAST_HEADER: [&str; 8] = [
    "issue",
    "model",
    "forecast",
    "nearest_label",
    "status_quo",
    "observed",
    "rounds",
    "note",
];

fn forecast_rows(r: &RunReport) -> Vec<Vec<String>> {
    let o = |v: Option<f64>| v.map_or_else(String::new, full);
    let mut rows = Vec::new();
    for iss in &r.issues {
        for (model, f) in &iss.forecasts {
            rows.push(vec![
                iss.id.clone(),
                model.clone(),
                full(f.value),
                f.label.clone(),
                o(iss.status_quo),
                o(iss.observed.as_ref().map(|x| x.value)),
                f.rounds.map_or_else(String::new, |v| v.to_string()),
                f.note.clone().unwrap_or_default(),
            ]);
        }
    }
    rows
}

/// One CSV row per issue and model (`forecasts.csv`).
pub fn forecasts_csv(r: &RunReport) -> Result<String, TextError> {
    csv_text(&FORECAST_HEADER, &forecast_rows(r))
}

/// The forecasts against what happened (retrodiction) and the multi-vector profile.
pub fn judged(s: &Scenario, r: &RunReport) -> String {
    let mut out = String::new();
    // Retrodiction rows by model, in model order.
    let retro = |m: &str| -> Vec<&multivector_core::assess::Retrodiction> {
        r.issues
            .iter()
            .filter_map(|i| i.retrodiction.get(m))
            .collect()
    };
    if r.issues.iter().any(|i| !i.retrodiction.is_empty()) {
        let _ = writeln!(
            out,
            "\nRetrodiction: forecasts against what happened (error on the issue scale and as a share of its width)\n"
        );
        let mut t = table([
            "model",
            "issue",
            "forecast",
            "observed",
            "error",
            "error (0-1)",
            "thresholds right",
        ]);
        let mut misses = Vec::new();
        for m in &r.models {
            for x in retro(&m.model) {
                let right = x.thresholds.iter().filter(|c| c.correct).count();
                t.add_row(vec![
                    m.model.clone(),
                    x.issue.clone(),
                    num(x.forecast),
                    num(x.observed),
                    num(x.error),
                    num(x.error_scaled),
                    format!("{right}/{}", x.thresholds.len()),
                ]);
                for c in x.thresholds.iter().filter(|c| !c.correct) {
                    misses.push(format!(
                        "{} on {}: forecast {} is {} the side of \"{}\" ({}) but the outcome {} is {}",
                        m.model,
                        x.issue,
                        num(x.forecast),
                        if c.forecast_side { "on" } else { "off" },
                        c.label,
                        full(c.value),
                        num(x.observed),
                        if c.observed_side { "on it" } else { "off it" },
                    ));
                }
            }
        }
        let _ = writeln!(out, "{t}\n");
        let mut mt = table(["model", "issues scored", "mean error (0-1)"]);
        for m in &r.models {
            mt.add_row(vec![
                m.model.clone(),
                m.issues_scored.to_string(),
                opt(m.mean_error_scaled),
            ]);
        }
        let _ = writeln!(out, "{mt}");
        for i in &r.issues {
            if let Some(o) = &i.observed {
                if let Some(why) = &o.unscored {
                    let _ = writeln!(
                        out,
                        "\nNot scored: {} (observed {}): {why}",
                        i.id,
                        num(o.value)
                    );
                }
            }
        }
        if misses.is_empty() {
            let _ = writeln!(
                out,
                "\nEvery forecast lands on the observed side of every threshold."
            );
        } else {
            let _ = writeln!(out, "\nMisses ({}):", misses.len());
            for x in misses {
                let _ = writeln!(out, "- {x}");
            }
        }
    }
    let vectors: Vec<&str> = s
        .actors
        .iter()
        .filter(|a| a.vector)
        .map(|a| a.id.as_str())
        .collect();
    if vectors.len() >= 2 {
        let focal = s.meta.focal.map_or("equal weights".to_string(), |k| {
            format!("weights: {}'s salience", s.actors[k].id)
        });
        let _ = writeln!(
            out,
            "\nMulti-vector profile of the bdm-scholz forecasts: distance (0-1) to each vector's position; E = 1 - (max - min distance)\n"
        );
        let mut header = vec!["issue".to_string(), "forecast".into()];
        header.extend(vectors.iter().map(|v| format!("d({v})")));
        header.extend(["E".to_string(), "weight".into()]);
        let mut t = table(header);
        let first = r
            .models
            .first()
            .map(|m| m.model.clone())
            .unwrap_or_default();
        for p in r.issues.iter().filter_map(|i| i.profile.get(&first)) {
            let mut row = vec![p.issue.clone(), num(p.forecast)];
            for v in &vectors {
                row.push(
                    p.distances
                        .iter()
                        .find(|d| d.actor == *v)
                        .map_or("-".into(), |d| num(d.distance)),
                );
            }
            row.push(opt(p.equidistance));
            row.push(num(p.weight));
            t.add_row(row);
        }
        let _ = writeln!(out, "{t}\n");
        let mut e = table(vec![
            "model".into(),
            format!("equidistance index ({focal})"),
        ]);
        for m in &r.models {
            e.add_row(vec![m.model.clone(), opt(m.equidistance)]);
        }
        let _ = writeln!(out, "{e}\n");
        let mut al = table(
            std::iter::once("model".to_string())
                .chain(vectors.iter().map(|v| format!("align({v})"))),
        );
        for m in &r.models {
            let mut row = vec![m.model.clone()];
            for v in &vectors {
                row.push(
                    m.alignment
                        .iter()
                        .find(|x| x.actor == *v)
                        .map_or("-".into(), |x| num(x.alignment)),
                );
            }
            al.add_row(row);
        }
        let _ = writeln!(
            out,
            "Mean alignment 1 - distance with each power across the issues it takes part in:\n{al}"
        );
    }
    out
}
/// The ensemble's intervals, threshold probabilities and Brier scores.
pub fn ensemble(e: &EnsembleReport) -> String {
    let mut out = format!(
        "\nEnsemble: {} draws of the declared uncertain inputs, master seed {}, multivector {}\n\n",
        e.draws, e.master_seed, e.version
    );
    let mut t = table([
        "issue",
        "model",
        "median",
        "10-90%",
        "2.5-97.5%",
        "P(beyond threshold)",
    ]);
    for x in &e.issues {
        let f = &x.forecast;
        t.add_row(vec![
            x.issue.clone(),
            x.model.clone(),
            num(f.median),
            format!("{} - {}", num(f.p10), num(f.p90)),
            format!("{} - {}", num(f.p025), num(f.p975)),
            x.thresholds
                .iter()
                .map(|(l, p)| format!("{l}: {p:.2}"))
                .collect::<Vec<_>>()
                .join("; "),
        ]);
    }
    let _ = writeln!(out, "{t}\n");
    let mut q = table(["model", "equidistance median", "10-90%"]);
    for x in &e.equidistance {
        let i = &x.interval;
        q.add_row(vec![
            x.model.clone(),
            num(i.median),
            format!("{} - {}", num(i.p10), num(i.p90)),
        ]);
    }
    let _ = writeln!(out, "{q}");
    if !e.brier.is_empty() {
        let mut b = table(["model", "Brier score", "thresholds scored"]);
        for x in &e.brier {
            b.add_row(vec![x.model.clone(), num(x.brier), x.n.to_string()]);
        }
        let _ = writeln!(
            out,
            "\nThreshold probabilities against what happened (Brier score: mean squared gap between the probability and 1 or 0; lower is better, 0.25 is the score of always saying 50%):\n{b}"
        );
    }
    out
}

/// One row per issue, model and statistic: `issue, model, draws, master_seed, median, p10,
/// p90, p025, p975` plus one `p_<threshold>` column per threshold position (labels in
/// `thresholds`).
pub fn ensemble_csv(e: &EnsembleReport) -> Result<String, TextError> {
    let rows: Vec<Vec<String>> = e
        .issues
        .iter()
        .map(|x| {
            let f = &x.forecast;
            vec![
                x.issue.clone(),
                x.model.clone(),
                e.draws.to_string(),
                e.master_seed.to_string(),
                full(f.median),
                full(f.p10),
                full(f.p90),
                full(f.p025),
                full(f.p975),
                x.thresholds
                    .iter()
                    .map(|(l, p)| format!("{l}={p}"))
                    .collect::<Vec<_>>()
                    .join("; "),
            ]
        })
        .collect();
    csv_text(
        &[
            "issue",
            "model",
            "draws",
            "master_seed",
            "median",
            "p10",
            "p90",
            "p025",
            "p975",
            "threshold_shares",
        ],
        &rows,
    )
}

/// The two-level result as a table: one row per date and bound issue.
pub fn two_level(v: &TwoLevelReport) -> String {
    let variant = v.variant.as_deref();
    let mut header: Vec<String> = [
        "date",
        "view of the war",
        "issue",
        "constituencies (position)",
    ]
    .map(String::from)
    .to_vec();
    let models: Vec<String> = v
        .points
        .first()
        .and_then(|p| p.forecasts.values().next())
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    header.extend(models.iter().cloned());
    if let Some(name) = variant {
        header.push(format!("{name}: view"));
        header.extend(models.iter().map(|m| format!("{name}: {m}")));
    }
    let mut t = table(header);
    let at = |f: Option<&IssueForecasts>, iss: &str, m: &str| {
        f.and_then(|f| f.get(iss))
            .and_then(|x| x.get(m))
            .copied()
            .unwrap_or(f64::NAN)
    };
    for p in &v.points {
        for iss in &v.issues {
            let who: Vec<String> = p
                .stances
                .iter()
                .filter(|st| st.issue == *iss)
                .map(|st| format!("{} {:.1}", st.actor, st.position))
                .collect();
            let mut row = vec![
                p.date.clone(),
                format!("{:.3}", p.national),
                iss.clone(),
                who.join(", "),
            ];
            for m in &models {
                let far = p
                    .warnings
                    .iter()
                    .any(|w| &w.issue == iss && w.model.as_deref() == Some(m.as_str()));
                let mark = if far { " !" } else { "" };
                row.push(format!("{:.2}{mark}", at(Some(&p.forecasts), iss, m)));
            }
            if variant.is_some() {
                row.push(format!("{:.3}", p.variant_national.unwrap_or(f64::NAN)));
                for m in &models {
                    row.push(format!("{:.2}", at(p.variant_forecasts.as_ref(), iss, m)));
                }
            }
            t.add_row(row);
        }
    }
    let values: Vec<String> = v
        .params
        .values
        .iter()
        .map(|(n, x)| format!("{n} = {x:.4}"))
        .collect();
    let params = if values.is_empty() {
        v.params.source.clone()
    } else {
        format!("{}: {}", v.params.source, values.join(", "))
    };
    // Each flagged forecast once, at the first date it appears, with its numbers.
    let mut seen = std::collections::HashSet::new();
    let mut notes = String::new();
    for p in &v.points {
        for w in &p.warnings {
            if seen.insert((w.issue.clone(), w.model.clone())) {
                let _ = writeln!(notes, "- {} from {}: {}", w.issue, p.date, w.message);
            }
        }
    }
    let notes = if notes.is_empty() {
        String::new()
    } else {
        format!(
            "! read with care: far from where the weighted actors stand, or flipped by small changes:\n{notes}"
        )
    };
    format!(
        "\nTwo levels: population `{}` ({} agents, seed {}) drives the bound constituencies and, through audience costs, the leadership; forecasts of the bound issues by date\nPopulation parameters: {params}\n{t}\n{notes}",
        v.population, v.agents, v.seed
    )
}

/// The run's long-format CSV files by name: `forecasts.csv`, `rounds.csv` (median and mean
/// per round), `positions.csv` (every actor every round) and, with an ensemble,
/// `ensemble.csv`.
pub fn files(r: &RunReport) -> Result<Vec<(&'static str, String)>, TextError> {
    let mut rounds = Vec::new();
    let mut positions = Vec::new();
    for (k, iss) in r.issues.iter().enumerate() {
        for (model, _) in &iss.forecasts {
            let Some((_, _, run)) = r.bdm_runs.iter().find(|(i, m, _)| *i == k && m == model)
            else {
                continue;
            };
            for rd in &run.rounds {
                rounds.push(vec![
                    iss.id.clone(),
                    model.clone(),
                    rd.round.to_string(),
                    full(rd.median),
                    full(rd.mean),
                    rd.moves.len().to_string(),
                ]);
                for (a, id) in iss.actors.iter().enumerate() {
                    positions.push(vec![
                        iss.id.clone(),
                        model.clone(),
                        rd.round.to_string(),
                        id.clone(),
                        full(rd.positions[a]),
                        rd.risk.as_ref().map_or_else(String::new, |v| full(v[a])),
                    ]);
                }
            }
        }
    }
    let mut files = vec![
        ("forecasts.csv", forecasts_csv(r)?),
        (
            "rounds.csv",
            csv_text(
                &["issue", "model", "round", "median", "mean", "moves"],
                &rounds,
            )?,
        ),
        (
            "positions.csv",
            csv_text(
                &["issue", "model", "round", "actor", "position", "risk"],
                &positions,
            )?,
        ),
    ];
    if let Some(e) = &r.ensemble {
        files.push(("ensemble.csv", ensemble_csv(e)?));
    }
    Ok(files)
}

/// A variant against its baseline, issue by issue, with the difference's intervals.
pub fn compare_table(report: &CompareReport) -> String {
    let mut t = table([
        "issue",
        "model",
        "baseline",
        "variant",
        "difference",
        "diff 10-90%",
        "diff 2.5-97.5%",
    ]);
    for r in &report.rows {
        let iv = |f: fn(&Interval) -> (f64, f64)| {
            r.difference_interval.as_ref().map_or("-".into(), |i| {
                let (lo, hi) = f(i);
                format!("{} - {}", num(lo), num(hi))
            })
        };
        t.add_row(vec![
            r.issue.clone(),
            r.model.clone(),
            num(r.baseline),
            num(r.variant),
            num(r.difference),
            iv(|i| (i.p10, i.p90)),
            iv(|i| (i.p025, i.p975)),
        ]);
    }
    format!(
        "Variant `{}` of `{}`: {}\n{} draws, master seed {} shared by both runs, multivector {}\n\n{t}\n",
        report.variant,
        report.scenario,
        report.description,
        report.draws,
        report.master_seed,
        report.version
    )
}

/// [`compare_table`] as CSV, one row per issue and model.
pub fn compare_csv(report: &CompareReport) -> Result<String, TextError> {
    csv_text(
        &[
            "issue",
            "model",
            "baseline",
            "variant",
            "difference",
            "diff_median",
            "diff_p10",
            "diff_p90",
            "diff_p025",
            "diff_p975",
        ],
        &report
            .rows
            .iter()
            .map(|r| {
                let o = |f: fn(&Interval) -> f64| {
                    r.difference_interval
                        .as_ref()
                        .map_or_else(String::new, |i| full(f(i)))
                };
                vec![
                    r.issue.clone(),
                    r.model.clone(),
                    full(r.baseline),
                    full(r.variant),
                    full(r.difference),
                    o(|i| i.median),
                    o(|i| i.p10),
                    o(|i| i.p90),
                    o(|i| i.p025),
                    o(|i| i.p975),
                ]
            })
            .collect::<Vec<_>>(),
    )
}

/// The result of `sensitivity`, as `--format json` prints it.
#[derive(Debug, serde::Serialize)]
pub struct SensitivityDoc<'a> {
    /// The issue's id.
    pub issue: &'a str,
    /// The model whose forecast is moved.
    pub model: &'a str,
    /// Morris trajectories.
    pub trajectories: usize,
    /// The seed of the trajectories.
    pub seed: u64,
    /// The multivector version.
    pub version: &'a str,
    /// The inputs, the most important first.
    pub effects: &'a [Effect],
}

fn field(f: Field) -> &'static str {
    match f {
        Field::Position => "position",
        Field::Salience => "salience",
        Field::Capability => "capability",
    }
}

/// The inputs ranked by how much they move the forecast, with what the columns mean.
pub fn sensitivity_table(s: &Scenario, doc: &SensitivityDoc<'_>) -> String {
    let mut t = table([
        "rank",
        "actor",
        "input",
        "range",
        "swing (one at a time)",
        "Morris mu*",
        "Morris sigma",
    ]);
    // Saliences on the scenario's own scale (0-100 when it writes them so).
    let sal = s.meta.salience_scale.max();
    for (r, e) in doc.effects.iter().enumerate() {
        let k = if e.input.field == Field::Salience {
            sal
        } else {
            1.0
        };
        t.add_row(vec![
            (r + 1).to_string(),
            e.input.actor.clone(),
            field(e.input.field).into(),
            format!("{} - {}", num(k * e.input.low), num(k * e.input.high)),
            num(e.swing),
            num(e.mu_star),
            num(e.sigma),
        ]);
    }
    format!(
        "Sensitivity of the {} forecast of `{}` ({} inputs, {} Morris trajectories, seed {})\n\n{t}\n\n\
         Ranges: each uncertain input's declared range (positions on the issue's scale, saliences on the scenario's {} scale).\n\
         Swing: the largest minus the smallest forecast when that input alone moves across its range (11 steps).\n\
         Morris mu*: the mean absolute change of the forecast per full range of the input, measured by steps of two thirds of the range \
         from random grid points of the other inputs (its overall importance, interactions included); sigma: how much those changes \
         vary (large: non-linear or interacting). Forecast changes are on the issue's scale.\n",
        doc.model,
        doc.issue,
        doc.effects.len(),
        doc.trajectories,
        doc.seed,
        match s.meta.salience_scale {
            multivector_core::SalienceScale::Unit => "0-1",
            multivector_core::SalienceScale::Percent => "0-100",
        }
    )
}

/// [`sensitivity_table`] as CSV, one row per input.
pub fn sensitivity_csv(doc: &SensitivityDoc<'_>) -> Result<String, TextError> {
    csv_text(
        &[
            "rank", "actor", "input", "low", "high", "swing", "mu_star", "sigma",
        ],
        &doc.effects
            .iter()
            .enumerate()
            .map(|(r, e)| {
                vec![
                    (r + 1).to_string(),
                    e.input.actor.clone(),
                    field(e.input.field).into(),
                    full(e.input.low),
                    full(e.input.high),
                    full(e.swing),
                    full(e.mu_star),
                    full(e.sigma),
                ]
            })
            .collect::<Vec<_>>(),
    )
}
