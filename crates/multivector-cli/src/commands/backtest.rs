//! `multivector backtest`: every model scored against the outcomes of a DEU file.

use std::process::ExitCode;

use multivector::backtest::{
    BacktestError, BacktestSettings, Capabilities, DeuSpread, MissingSalience,
    backtest_with_progress,
};
use multivector_scenario::deu::parse_deu;

use crate::args::{BacktestArgs, CapabilitiesArg, Format, MissingSalienceArg};
use crate::exit::usage;
use multivector_report::text::backtest as text;

use crate::output::{emit, note};

pub fn run(a: BacktestArgs) -> anyhow::Result<ExitCode> {
    let name = a.file.display().to_string();
    let text = multivector_scenario::read_limited(&a.file, multivector_scenario::MAX_FILE_BYTES)
        .and_then(|b| {
            String::from_utf8(b).map_err(|_| std::io::Error::other("the file is not valid UTF-8"))
        })
        .map_err(|e| {
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
        draws: a.draws as usize,
        spread: DeuSpread {
            position_sd: a.position_sd,
            salience_sd: a.salience_sd,
        },
        folds: a.folds as usize,
    };
    if a.rows && a.format != Format::Csv {
        return Err(usage(
            "--rows changes only CSV output".to_string(),
            "add --format csv (JSON always carries the per-issue rows)",
        ));
    }
    // One tick per model run: every issue's point forecasts, then every ensemble draw.
    let usable_upper = issues.len() * (settings.draws + 1);
    // Hidden without ensembles: the point forecasts take a second or two.
    let bar = crate::output::progress(
        if settings.draws == 0 { 0 } else { usable_upper },
        "model runs (backtest)",
    );
    let result = backtest_with_progress(&issues, &settings, &|k| {
        if k % 64 == 0 {
            bar.set_position(k as u64);
        }
    });
    bar.finish_and_clear();
    let r = match result {
        Ok(r) => r,
        Err(e @ BacktestError::NoUsableIssue { .. }) => {
            return Err(usage(
                format!("{name}: {e}"),
                "a usable issue has an outcome (`out`) and at least two actors with a position and a salience",
            ));
        }
        Err(BacktestError::Settings { field, message }) => {
            // Name the option the user typed, not the library's field.
            let flag = match field {
                "spread.position_sd" => "--position-sd",
                "spread.salience_sd" => "--salience-sd",
                other => other,
            };
            return Err(usage(
                format!("{flag}: {message}"),
                "standard deviations are above 0 and at most 100 points (the default, 10, is this project's convention)",
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
        (Format::Csv, true) => text::rows_csv(&r)?,
        (Format::Csv, false) => text::scores_csv(&r)?,
        (Format::Table, _) => text::table_text(&r),
    };
    emit(&out)?;
    if let Some(path) = &a.report {
        std::fs::write(path, multivector_report::backtest::html(&r, &name)).map_err(|e| {
            usage(
                format!("{}: cannot be written: {e}", path.display()),
                "give a path in a folder that exists and that you may write to",
            )
        })?;
        note(&format!("report written to {}", path.display()));
    }
    Ok(ExitCode::SUCCESS)
}
