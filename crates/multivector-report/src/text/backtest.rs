//! `multivector backtest` as text: the scores table and the CSV files.

use multivector::backtest::BacktestReport;

use super::{TextError, csv_text, full, num, table};

fn interval(e: &multivector::backtest::Estimate) -> String {
    match (e.low, e.high) {
        (Some(l), Some(h)) => format!("{} [{}, {}]", num(e.value), num(l), num(h)),
        _ => num(e.value),
    }
}

/// The backtest's scores per model with their intervals, the breakdowns, the probabilistic
/// scores and the worst issues.
pub fn table_text(r: &BacktestReport) -> String {
    let mut s = String::new();
    let mut ranked: Vec<_> = r.scores.iter().collect();
    ranked.sort_by(|a, b| a.mae.value.total_cmp(&b.mae.value));
    if let (Some(best), Some(mean)) = (ranked.first(), r.scores.iter().find(|m| m.model == "mean"))
    {
        s.push_str(&format!(
            "Lowest mean absolute error: {} ({} on the 0-100 scale, {} issues); the weighted mean: {}.\n\n",
            best.model,
            num(best.mae.value),
            best.n,
            num(mean.mae.value)
        ));
    }
    let mut t = table([
        "model",
        "issues",
        "MAE [95%]",
        "RMSE [95%]",
        "median AE [95%]",
        "closer than mean",
        "MAE - mean MAE [95%]",
    ]);
    for m in ranked {
        t.add_row(vec![
            m.model.clone(),
            m.n.to_string(),
            interval(&m.mae),
            interval(&m.rmse),
            interval(&m.median_ae),
            interval(&m.closer_than_mean),
            interval(&m.mae_minus_mean),
        ]);
    }
    s.push_str(&format!("{t}\n"));
    if let Some(st) = &r.stacking {
        let w: Vec<String> = st
            .models
            .iter()
            .zip(&st.all_issues_weights)
            .map(|(m, w)| format!("{m} {w:.2}"))
            .collect();
        s.push_str(&format!(
            "\nstacked: a convex combination fitted on {} folds of whole proposals and scored only out of fold; {}. Weights fitted on all issues (for reading, never scored): {}.\n",
            st.folds,
            stacked_verdict(r),
            w.join(", ")
        ));
    }
    if !r.probabilistic.is_empty() {
        s.push_str(&format!(
            "\nProbabilistic scores ({} draws per issue; CRPS in points of the 0-100 scale, lower is better; for a point forecast CRPS equals the absolute error; calibrated intervals cover 50% and 80%; the PIT histogram is flat when calibrated):\n",
            r.settings.draws
        ));
        let mut ranked: Vec<_> = r.probabilistic.iter().collect();
        ranked.sort_by(|a, b| a.crps.value.total_cmp(&b.crps.value));
        let mut p = table([
            "model",
            "issues",
            "CRPS [95%]",
            "CRPS - mean MAE [95%]",
            "50% covers [95%]",
            "80% covers [95%]",
            "PIT histogram (10 bins)",
        ]);
        for m in ranked {
            p.add_row(vec![
                m.model.clone(),
                m.n.to_string(),
                interval(&m.crps),
                interval(&m.crps_minus_mean_mae),
                interval(&m.coverage50),
                interval(&m.coverage80),
                spark(&m.pit),
            ]);
        }
        s.push_str(&format!("{p}\n"));
    }
    s.push_str("\nMAE by group:\n");
    let mut g = table(["by", "group", "model", "issues", "MAE"]);
    for x in &r.groups {
        g.add_row(vec![
            x.by.clone(),
            x.group.clone(),
            x.model.clone(),
            x.n.to_string(),
            num(x.mae),
        ]);
    }
    s.push_str(&format!(
        "{g}\n\nWorst issues (mean absolute error of the five models):\n"
    ));
    let mut w = table(["issue", "proposal", "name", "outcome", "mean AE"]);
    for x in &r.worst {
        w.add_row(vec![
            x.issue.clone(),
            x.proposal.clone(),
            x.name.clone(),
            num(x.outcome),
            num(x.mean_abs_error),
        ]);
    }
    s.push_str(&format!("{w}\n\nAssumptions:\n"));
    for a in &r.assumptions {
        s.push_str(&format!("- {a}\n"));
    }
    s
}

/// Whether the stacked forecast beat the weighted mean out of sample, in words.
fn stacked_verdict(r: &BacktestReport) -> String {
    let Some(d) = r
        .scores
        .iter()
        .find(|m| m.model == "stacked")
        .map(|m| &m.mae_minus_mean)
    else {
        return "no score".into();
    };
    match (d.low, d.high) {
        (_, Some(h)) if h < 0.0 => format!(
            "it beats the weighted mean by {} points of MAE, an interval clear of zero",
            num(-d.value)
        ),
        (Some(l), _) if l > 0.0 => format!(
            "it loses to the weighted mean by {} points of MAE",
            num(d.value)
        ),
        _ => format!(
            "it does not beat the weighted mean: the difference, {} points of MAE, is within the bootstrap's noise",
            num(d.value)
        ),
    }
}

/// A PIT histogram as a row of block characters, highest bin full.
fn spark(counts: &[usize]) -> String {
    const BLOCKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let top = counts.iter().copied().max().unwrap_or(0).max(1);
    counts
        .iter()
        .map(|&c| BLOCKS[(c * (BLOCKS.len() - 1) + top / 2) / top])
        .collect()
}

/// One CSV row per model and score.
pub fn scores_csv(r: &BacktestReport) -> Result<String, TextError> {
    let header = ["model", "n", "statistic", "value", "low", "high"];
    let mut rows = Vec::new();
    for m in &r.scores {
        for (stat, e) in [
            ("mae", &m.mae),
            ("rmse", &m.rmse),
            ("median_ae", &m.median_ae),
            ("closer_than_mean", &m.closer_than_mean),
            ("mae_minus_mean", &m.mae_minus_mean),
        ] {
            rows.push(vec![
                m.model.clone(),
                m.n.to_string(),
                stat.into(),
                full(e.value),
                e.low.map(full).unwrap_or_default(),
                e.high.map(full).unwrap_or_default(),
            ]);
        }
    }
    for m in &r.probabilistic {
        for (stat, e) in [
            ("crps", &m.crps),
            ("crps_minus_mean_mae", &m.crps_minus_mean_mae),
            ("coverage50", &m.coverage50),
            ("coverage80", &m.coverage80),
        ] {
            rows.push(vec![
                m.model.clone(),
                m.n.to_string(),
                stat.into(),
                full(e.value),
                e.low.map(full).unwrap_or_default(),
                e.high.map(full).unwrap_or_default(),
            ]);
        }
        for (b, c) in m.pit.iter().enumerate() {
            rows.push(vec![
                m.model.clone(),
                m.n.to_string(),
                format!("pit_bin_{b}"),
                c.to_string(),
                String::new(),
                String::new(),
            ]);
        }
    }
    csv_text(&header, &rows)
}

/// One CSV row per issue and model (long format).
pub fn rows_csv(r: &BacktestReport) -> Result<String, TextError> {
    let header = [
        "issue",
        "proposal",
        "procedure",
        "voting_rule",
        "intro",
        "line",
        "actors",
        "reference",
        "outcome",
        "model",
        "forecast",
        "abs_error",
        "crps",
        "pit",
        "q10",
        "q50",
        "q90",
    ];
    let rows: Vec<Vec<String>> = r
        .rows
        .iter()
        .map(|x| {
            vec![
                x.issue.clone(),
                x.proposal.clone(),
                x.procedure.clone(),
                x.voting_rule.clone(),
                x.intro.clone().unwrap_or_default(),
                x.line.to_string(),
                x.actors.to_string(),
                x.reference.map(full).unwrap_or_default(),
                full(x.outcome),
                x.model.clone(),
                full(x.forecast),
                full(x.abs_error),
                x.crps.map(full).unwrap_or_default(),
                x.pit.map(full).unwrap_or_default(),
                x.q10.map(full).unwrap_or_default(),
                x.q50.map(full).unwrap_or_default(),
                x.q90.map(full).unwrap_or_default(),
            ]
        })
        .collect();
    csv_text(&header, &rows)
}
