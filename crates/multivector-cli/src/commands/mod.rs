//! Subcommands. Each resolves its arguments, calls the libraries and formats the result.

mod align;
mod backtest;
mod bdm_cmd;
mod compare;
mod evidence;
mod opinion;
mod run;
mod runs;
mod sensitivity;
mod smp_cmd;

use std::path::Path;
use std::process::ExitCode;

use multivector_core::{IssueInput, Scenario, StopRule};
use multivector_models::bdm::{
    self, BdmOptions, CompromisePick, OfferRule, Perspective, Preset, Probability, QTerm, RangeRule,
};
use multivector_scenario::{Loaded, builtin, load_path};

use crate::args::{
    Cli, Command, CompromiseArg, EnsembleFlags, OfferArg, OptionFlags, PerspectiveArg, PresetArg,
    ProbabilityArg, QTermArg, RangeArg, StopArg, StopFlags,
};
use crate::exit::usage;
use crate::output::note;
use multivector_server::ServeError;

/// Runs the chosen subcommand.
pub fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    crate::output::set_quiet(cli.quiet);
    match cli.command {
        Command::Bdm(a) => bdm_cmd::run(a),
        Command::Run(a) => run::run(a),
        Command::Evidence(a) => evidence::run(a),
        Command::Align(a) => align::align(a),
        Command::Compare(a) => compare::run(a),
        Command::Sensitivity(a) => sensitivity::run(a),
        Command::Votes(a) => align::votes(a),
        Command::Smp(a) => smp_cmd::run(a),
        Command::Opinion(a) => opinion::opinion(a),
        Command::Runs(a) => runs::run(a),
        Command::Report(a) => runs::report(a),
        Command::Serve(a) => serve(a),
        Command::Calibrate(a) => opinion::calibrate(a),
        Command::Backtest(a) => backtest::run(a),
    }
}

/// Loads a scenario file, printing the importer's notes to stderr.
fn load_file(path: &Path) -> anyhow::Result<Loaded> {
    let loaded = load_path(path)?;
    for n in &loaded.notes {
        note(&format!("{}: {n}", path.display()));
    }
    Ok(loaded)
}

/// A path, or the name of a built-in scenario.
fn load_scenario(arg: Option<&str>) -> anyhow::Result<Loaded> {
    let name = arg.unwrap_or(builtin::DEFAULT);
    let path = Path::new(name);
    if arg.is_some() && (path.exists() || name.contains('/') || name.contains('.')) {
        return load_file(path);
    }
    match builtin::load(name) {
        Some(r) => Ok(r?),
        None => Err(usage(
            format!("`{name}` is neither a file nor a built-in scenario"),
            format!(
                "built-in scenarios: {}; or give a path to a .toml or .csv file",
                builtin::ALL.map(|(n, _)| n).join(", ")
            ),
        )),
    }
}

/// The text of a scenario given as a path or a built-in name (what the run store keeps).
fn scenario_text(arg: Option<&str>) -> anyhow::Result<String> {
    let name = arg.unwrap_or(builtin::DEFAULT);
    if let Some((_, text)) = builtin::ALL.iter().find(|(n, _)| *n == name) {
        if arg.is_none() || !Path::new(name).exists() {
            return Ok((*text).to_string());
        }
    }
    std::fs::read_to_string(name)
        .map_err(|e| usage(format!("cannot read {name}: {e}"), "check the path"))
}

/// The index of the issue to run: the one named, or the only one.
fn pick_issue(s: &Scenario, wanted: Option<&str>, file: &str) -> anyhow::Result<usize> {
    let ids = || {
        s.issues
            .iter()
            .map(|i| i.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match wanted {
        Some(id) => s.issue_index(id).ok_or_else(|| {
            usage(
                format!("{file} has no issue `{id}`"),
                format!("issues in this scenario: {}", ids()),
            )
        }),
        None if s.issues.len() == 1 => Ok(0),
        None => Err(usage(
            format!("{file} has {} issues; say which one", s.issues.len()),
            format!("add --issue ID; issues: {}", ids()),
        )),
    }
}

/// The input of one issue, for the models.
fn issue_input(s: &Scenario, issue: usize) -> anyhow::Result<IssueInput> {
    Ok(s.issue_input(issue)?)
}

/// Model options from a preset and the flags that override it.
fn bdm_options(
    preset: PresetArg,
    o_flags: Option<&OptionFlags>,
    f: &StopFlags,
) -> anyhow::Result<BdmOptions> {
    let mut o = BdmOptions::preset(match preset {
        PresetArg::Scholz => Preset::Scholz,
        PresetArg::Paper => Preset::Paper,
    });
    if let Some(flags) = o_flags {
        apply_overrides(&mut o, flags);
    }
    if let Some(q) = f.q {
        if !(0.0..=1.0).contains(&q) {
            return Err(usage(
                format!("--q {q} is not a probability"),
                "Q lies in [0, 1]; 1 (the default) means the status quo always holds when nobody challenges",
            ));
        }
        o.q = q;
    }
    let converged = f.stop == Some(StopArg::Converged);
    if !converged && (f.max_rounds.is_some() || f.epsilon.is_some() || f.patience.is_some()) {
        return Err(usage(
            "--max-rounds, --epsilon and --patience apply to --stop converged",
            "add --stop converged, or use --rounds N for a fixed number of rounds",
        ));
    }
    if converged && f.rounds.is_some() {
        return Err(usage(
            "--rounds fixes the number of rounds; with --stop converged use --max-rounds",
            "drop --rounds, or drop --stop converged",
        ));
    }
    o.stop = if converged {
        if f.epsilon.is_some_and(|e| !(e >= 0.0 && e.is_finite())) || f.patience == Some(0) {
            return Err(usage(
                "--epsilon must be a number >= 0 and --patience at least 1",
                "the defaults are --epsilon 0.001 --patience 2",
            ));
        }
        StopRule::Converged {
            epsilon: f.epsilon.unwrap_or(bdm::DEFAULT_EPSILON),
            patience: f.patience.unwrap_or(bdm::DEFAULT_PATIENCE),
            max_rounds: f.max_rounds.unwrap_or(bdm::DEFAULT_MAX_ROUNDS),
        }
    } else {
        StopRule::Fixed {
            rounds: f.rounds.unwrap_or(bdm::DEFAULT_ROUNDS),
        }
    };
    if o.stop.max_rounds() == 0 {
        return Err(usage(
            "the model needs at least one round",
            "give --rounds 1 or more",
        ));
    }
    Ok(o)
}

fn apply_overrides(o: &mut BdmOptions, f: &OptionFlags) {
    if let Some(p) = f.probability {
        o.probability = match p {
            ProbabilityArg::Pairwise => Probability::Pairwise,
            ProbabilityArg::Global => Probability::Global,
        };
    }
    if let Some(q) = f.q_term {
        o.q_term = match q {
            QTermArg::Full => QTerm::Full,
            QTermArg::Omitted => QTerm::Omitted,
        };
    }
    if let Some(p) = f.perspective {
        o.perspective = match p {
            PerspectiveArg::Receiver => Perspective::Receiver,
            PerspectiveArg::Own => Perspective::Own,
        };
    }
    if let Some(p) = f.offer {
        o.offer = match p {
            OfferArg::TypeOrder => OfferRule::TypeOrder,
            OfferArg::Enforceability => OfferRule::Enforceability,
        };
    }
    if let Some(p) = f.compromise_pick {
        o.compromise_pick = match p {
            CompromiseArg::LowestPoint => CompromisePick::LowestPoint,
            CompromiseArg::LeastMove => CompromisePick::LeastMove,
        };
    }
    if let Some(p) = f.range {
        o.range = match p {
            RangeArg::Initial => RangeRule::Initial,
            RangeArg::Scale => RangeRule::Scale,
        };
    }
}

/// The most draws an ensemble may ask for (memory grows with draws x issues x models).
const MAX_DRAWS: usize = 1_000_000;

/// Draws and master seed from the flags, with the defaults.
fn ensemble_settings(f: &EnsembleFlags) -> anyhow::Result<(usize, u64)> {
    let draws = f.draws.unwrap_or(multivector_ensemble::DEFAULT_DRAWS);
    if draws > MAX_DRAWS {
        return Err(usage(
            format!("--draws {draws} is more than the {MAX_DRAWS} an ensemble may hold"),
            "intervals settle long before that: 10,000 draws give quantiles to about 1% of their spread",
        ));
    }
    Ok((draws, f.seed.unwrap_or(multivector_ensemble::DEFAULT_SEED)))
}

/// Warns (on stderr) about events set after the last round: a run never reaches them.
fn warn_late_events(s: &Scenario, variant: Option<&multivector_core::Variant>, rounds: usize) {
    let late = s
        .events
        .iter()
        .chain(variant.into_iter().flat_map(|v| v.changes.iter()))
        .filter_map(|e| e.round.filter(|&r| r > rounds).map(|r| (r, e.actor)));
    for (r, a) in late {
        note(&format!(
            "the event for `{}` at round {r} lies after the last round ({rounds}): the expected-utility runs never reach it (the baselines, which see the state after every event, do); raise --rounds to include it",
            s.actors[a].id
        ));
    }
}

/// `multivector serve`: the web app of `multivector-server` on the given address.
fn serve(a: crate::args::ServeArgs) -> anyhow::Result<ExitCode> {
    let config = multivector_server::Config {
        db: runs::db_path(a.db.as_deref()),
        jobs: a.jobs,
        bind: a.bind.clone(),
        allow_hosts: a.allow_host.clone(),
        header_timeout: std::time::Duration::from_secs(a.header_timeout),
    };
    let ready = |addr| note(&format!("serving on http://{addr} (Ctrl-C to stop)"));
    multivector_server::serve_blocking(config, a.port, ready).map_err(|e| match e {
        ServeError::NoJobs => usage(e.to_string(), "allow at least one concurrent run"),
        ServeError::Bind { .. } => usage(e.to_string(), "choose another --port"),
        ServeError::Store(_) => usage(
            format!("cannot open the run store: {e}"),
            "give a writable file with --db PATH (or set MULTIVECTOR_DB)",
        ),
        other => anyhow::Error::new(other),
    })?;
    Ok(ExitCode::SUCCESS)
}
