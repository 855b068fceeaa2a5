//! `multivector opinion` and `multivector calibrate` as text: the simulated series, the polls
//! and the calibration, as tables and CSV.

use std::fmt::Write as _;

use multivector::opinion::{CalibrationReport, GroupCheckResult, OpinionReport};
use multivector_models::opinion::spec::PopulationSpec;

use super::{TextError, csv_text, full, table};

/// One CSV row per sweep, item and group: the group's mean opinion (long format).
pub fn series_csv(spec: &PopulationSpec, report: &OpinionReport) -> Result<String, TextError> {
    let mut rows = Vec::new();
    for p in &report.series {
        for (item, name) in spec.items.iter().enumerate() {
            for (group, means) in &p.groups {
                rows.push(vec![
                    p.sweep.to_string(),
                    p.date.clone(),
                    name.clone(),
                    group.clone(),
                    full(means[item]),
                    report.seed.to_string(),
                ]);
            }
        }
    }
    csv_text(&["sweep", "date", "item", "group", "mean", "seed"], &rows)
}

/// The run's mean opinions by date, nationally and by group, then the polls as answered and
/// the group differences the sources state.
pub fn series_table(spec: &PopulationSpec, r: &OpinionReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Population `{}`: {} agents in {} groups, peer model {}, {} sweeps of {} days from {}; seed {}\n",
        spec.id,
        r.agents,
        spec.groups.len(),
        spec.peer.name(),
        r.series.len() - 1,
        spec.days_per_sweep,
        spec.start_date,
        r.seed
    );
    let _ = writeln!(out, "Opinions lie between 0 and 1 on each item:");
    for (k, name) in spec.items.iter().enumerate() {
        match spec.item_ends.get(k) {
            Some([low, high]) => {
                let _ = writeln!(out, "- {name}: 0 = {low}; 1 = {high}");
            }
            None => {
                let _ = writeln!(
                    out,
                    "- {name} (the population file does not say what 0 and 1 mean: add item_ends)"
                );
            }
        }
    }
    out.push('\n');
    for (item, name) in spec.items.iter().enumerate() {
        let mut header = vec![
            "sweep".to_string(),
            "date".to_string(),
            "national".to_string(),
        ];
        header.extend(spec.groups.iter().map(|g| g.id.clone()));
        let mut t = table(header);
        let n = r.series.len();
        let step = (n / 12).max(1);
        for s in (0..n).step_by(step).chain(std::iter::once(n - 1)) {
            let p = &r.series[s];
            let mut row = vec![
                s.to_string(),
                p.date.clone(),
                format!("{:.3}", p.national[item]),
            ];
            row.extend(p.groups.values().map(|m| format!("{:.3}", m[item])));
            t.add_row(row);
        }
        let _ = writeln!(out, "Mean opinion on `{name}` (0 to 1)\n{t}\n");
    }
    if !r.polls.is_empty() {
        let mut t = table([
            "poll",
            "date",
            "answer",
            "published",
            "simulated",
            "difference (points)",
        ]);
        for p in &r.polls {
            for o in &p.observed {
                let sim = p.simulated.get(o.answer).copied();
                t.add_row(vec![
                    p.id.clone(),
                    p.date.clone(),
                    o.answer.to_string(),
                    format!("{:.1}%", 100.0 * o.share),
                    sim.map_or("beyond the run".into(), |v| format!("{:.1}%", 100.0 * v)),
                    sim.map_or("-".into(), |v| format!("{:+.1}", 100.0 * (v - o.share))),
                ]);
            }
        }
        let _ = writeln!(
            out,
            "Polls\n{t}\nAnswers are numbered from 0: a respondent whose opinion falls in the k-th band between a question's cut points gives answer k (with one cut, answer 1 is the view above it); published and simulated are the shares giving that answer."
        );
    }
    if !r.group_checks.is_empty() {
        let _ = write!(out, "\n{}", group_checks_text(&r.group_checks));
    }
    out
}

/// The calibration's parameters, posterior and fitted polls.
pub fn calibration_table(c: &CalibrationReport) -> String {
    let mut out = format!(
        "Calibration of `{}`: {} simulations of {} agents, seed {}; held out: {}\n\n",
        c.population, c.evaluations, c.agents, c.seed, c.hold_out
    );
    let mut t = table(["parameter", "range", "best", "approx. 95% interval"]);
    for (k, p) in c.params.iter().enumerate() {
        t.add_row(vec![
            p.name.clone(),
            format!("{} to {}", p.low, p.high),
            format!("{:.4}", c.best[k]),
            format!("{:.4} to {:.4}", c.intervals[k].0, c.intervals[k].1),
        ]);
    }
    let _ = writeln!(out, "{t}\n");
    if let Some(post) = &c.posterior {
        let mut t = table(["parameter", "posterior median", "90% interval", "R-hat"]);
        for (k, p) in c.params.iter().enumerate() {
            t.add_row(vec![
                p.name.clone(),
                format!("{:.4}", post.median[k]),
                format!("{:.4} to {:.4}", post.interval90[k].0, post.interval90[k].1),
                format!("{:.3}", post.rhat[k]),
            ]);
        }
        let _ = writeln!(
            out,
            "Posterior (flat prior on the ranges, binomial likelihood of the fitted waves; {} chains, {} draws kept, acceptance {:.2}):\n{t}\n",
            post.settings.chains, post.draws, post.acceptance
        );
        if post.rhat.iter().any(|r| *r > 1.1) {
            let _ = writeln!(
                out,
                "Warning: an R-hat above 1.1 means the chains disagree; sample longer (--steps).\n"
            );
        }
    }
    let banded = c.posterior.is_some();
    let mut header = vec![
        "poll",
        "date",
        "fit",
        "published",
        "simulated",
        "error (points)",
    ];
    if banded {
        header.extend(["90% predictive band", "inside"]);
    }
    let mut t = table(header);
    for p in &c.polls {
        for (f, o) in p.observed.iter().enumerate() {
            let v = p.simulated[o.answer];
            let mut row = vec![
                p.id.clone(),
                p.date.clone(),
                if p.held_out {
                    "held out".into()
                } else {
                    "fitted".into()
                },
                format!("{:.1}%", 100.0 * o.share),
                format!("{:.1}%", 100.0 * v),
                format!("{:+.1}", 100.0 * (v - o.share)),
            ];
            if banded {
                let (lo, hi) = p.bands.get(f).copied().unwrap_or((f64::NAN, f64::NAN));
                row.push(format!("{:.1}% to {:.1}%", 100.0 * lo, 100.0 * hi));
                row.push(if p.inside.get(f).copied().unwrap_or(false) {
                    "yes".into()
                } else {
                    "no".into()
                });
            }
            t.add_row(row);
        }
    }
    if !c.group_checks.is_empty() {
        let _ = writeln!(out, "{}", group_checks_text(&c.group_checks));
    }
    let _ = writeln!(
        out,
        "{t}\n\nLoss (binomial negative log-likelihood of the fitted waves): {:.2}",
        c.loss
    );
    out
}

/// One CSV row per calibrated parameter: best value, interval, loss and seed.
pub fn calibration_csv(c: &CalibrationReport) -> Result<String, TextError> {
    let rows: Vec<Vec<String>> = c
        .params
        .iter()
        .enumerate()
        .map(|(k, p)| {
            vec![
                p.name.clone(),
                full(c.best[k]),
                full(c.intervals[k].0),
                full(c.intervals[k].1),
                full(c.loss),
                c.seed.to_string(),
            ]
        })
        .collect();
    csv_text(
        &["parameter", "best", "low95", "high95", "loss", "seed"],
        &rows,
    )
}

/// Published group orderings against the simulation, as a table.
fn group_checks_text(checks: &[GroupCheckResult]) -> String {
    let mut t = table([
        "group difference",
        "item",
        "date",
        "higher",
        "lower",
        "holds",
    ]);
    for c in checks {
        t.add_row(vec![
            c.id.clone(),
            c.item.clone(),
            c.date.clone(),
            format!("{} {:.3}", c.higher.0, c.higher.1),
            format!("{} {:.3}", c.lower.0, c.lower.1),
            if c.holds { "yes".into() } else { "NO".into() },
        ]);
    }
    format!("Group differences the sources state (simulated group means)\n{t}\n")
}
