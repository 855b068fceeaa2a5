//! `multivector backtest`: every model scored against the outcomes of a DEU file.

use std::process::ExitCode;

use multivector::backtest::{
    BacktestError, BacktestReport, BacktestSettings, Capabilities, MissingSalience, backtest,
};
use multivector_scenario::deu::parse_deu;

use crate::args::{BacktestArgs, CapabilitiesArg, Format, MissingSalienceArg};
use crate::exit::usage;
use crate::output::{csv_text, emit, full, note, num, table};

pub fn run(a: BacktestArgs) -> anyhow::Result<ExitCode> {
    let name = a.file.display().to_string();
    let text = std::fs::read_to_string(&a.file).map_err(|e| {
        usage(
            format!("{name}: cannot be read: {e}"),
            "give the path of a DEU file (tab- or comma-separated, one header row)",
        )
    })?;
    let issues = parse_deu(&name, &text)?;
    let settings = BacktestSettings {
        capabilities: match a.capabilities {
            CapabilitiesArg::Equal => Capabilities::Equal,
            CapabilitiesArg::CouncilVotes => Capabilities::CouncilVotes,
        },
        missing_salience: match a.missing_salience {
            MissingSalienceArg::Drop => MissingSalience::Drop,
            MissingSalienceArg::IssueMean => MissingSalience::IssueMean,
            MissingSalienceArg::Fifty => MissingSalience::Fifty,
        },
        bootstrap: a.bootstrap as usize,
        seed: a.seed,
    };
    let r = match backtest(&issues, &settings) {
        Ok(r) => r,
        Err(e @ BacktestError::NoUsableIssue { .. }) => {
            return Err(usage(
                format!("{name}: {e}"),
                "a usable issue has an outcome (`out`) and at least two actors with a position and a salience",
            ));
        }
        Err(e) => return Err(e.into()),
    };
    note(&format!(
        "{name}: {} issues, {} usable in {} proposals ({} without an outcome, {} with fewer than two positions, {} without weight)",
        r.counts.issues,
        r.counts.usable,
        r.counts.proposals,
        r.counts.no_outcome,
        r.counts.too_few_positions,
        r.counts.no_weight
    ));
    if r.counts.dates_rewritten > 0 {
        note(&format!(
            "{name}: {} introduction dates in yyyy-mm-dd form were read as a spreadsheet's rewrite of dd-mm-yy (2014-07-04 as 14 July 2004); they decide the treaty under --capabilities council-votes",
            r.counts.dates_rewritten
        ));
    }
    let out = match (a.format, a.rows) {
        (Format::Json, _) => serde_json::to_string_pretty(&r)? + "\n",
        (Format::Csv, true) => rows_csv(&r)?,
        (Format::Csv, false) => scores_csv(&r)?,
        (Format::Table, _) => text_table(&r),
    };
    emit(&out)?;
    Ok(ExitCode::SUCCESS)
}

fn interval(e: &multivector::backtest::Estimate) -> String {
    match (e.low, e.high) {
        (Some(l), Some(h)) => format!("{} [{}, {}]", num(e.value), num(l), num(h)),
        _ => num(e.value),
    }
}

fn text_table(r: &BacktestReport) -> String {
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
    let mut t = table(
        [
            "model",
            "issues",
            "MAE [95%]",
            "RMSE [95%]",
            "median AE [95%]",
            "closer than mean",
            "MAE - mean MAE [95%]",
        ]
        .map(String::from)
        .to_vec(),
    );
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
    s.push_str(&format!("{t}\n\nMAE by group:\n"));
    let mut g = table(
        ["by", "group", "model", "issues", "MAE"]
            .map(String::from)
            .to_vec(),
    );
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
    let mut w = table(
        ["issue", "proposal", "name", "outcome", "mean AE"]
            .map(String::from)
            .to_vec(),
    );
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

fn scores_csv(r: &BacktestReport) -> anyhow::Result<String> {
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
    csv_text(&header, &rows)
}

fn rows_csv(r: &BacktestReport) -> anyhow::Result<String> {
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
            ]
        })
        .collect();
    csv_text(&header, &rows)
}
