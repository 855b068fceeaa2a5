//! `multivector sensitivity`: the inputs that move an issue's forecast most.

use std::process::ExitCode;

use multivector_report::text::run as text;

use super::run::Bar;
use super::{bdm_options, load_scenario, pick_issue};
use crate::args::{Format, PresetArg, SensitivityArgs};
use crate::exit::usage;
use crate::output::{emit, json, progress};
use multivector::run::RunSettings;

pub fn run(a: SensitivityArgs) -> anyhow::Result<ExitCode> {
    let loaded = load_scenario(a.scenario.as_deref())?;
    let s = &loaded.scenario;
    let k = pick_issue(s, Some(&a.issue), &s.meta.id)?;
    if a.trajectories == 0 {
        return Err(usage(
            "--trajectories must be at least 1",
            "20 is a common choice",
        ));
    }
    // The command-line names are the facade's model names.
    let value = clap::ValueEnum::to_possible_value(&a.model);
    let model = value.as_ref().map_or("", |v| v.get_name());
    let settings = RunSettings {
        bdm_scholz: bdm_options(PresetArg::Scholz, None, &a.stop)?,
        bdm_paper: bdm_options(PresetArg::Paper, None, &a.stop)?,
        seed: a.seed.unwrap_or(multivector_ensemble::DEFAULT_SEED),
        ..RunSettings::default()
    };
    let bar = Bar(progress(a.trajectories, "sweeps and trajectories"));
    let (id, n) = (&s.issues[k].id, a.trajectories);
    let rows = multivector::run::sensitivity_observed(s, id, model, &settings, n, &bar)?;
    bar.0.finish_and_clear();
    if rows.is_empty() {
        return Err(usage(
            format!("no stance on `{}` declares any uncertainty", a.issue),
            "add `uncertainty = { position = { sd = .. } }` (or salience, capability) to its stances",
        ));
    }
    let doc = text::SensitivityDoc {
        issue: &a.issue,
        model,
        trajectories: a.trajectories,
        seed: settings.seed,
        version: env!("CARGO_PKG_VERSION"),
        effects: &rows,
    };
    let text = match a.format {
        Format::Table => text::sensitivity_table(s, &doc),
        Format::Csv => text::sensitivity_csv(&doc)?,
        Format::Json => json(&doc)?,
    };
    emit(&text)?;
    Ok(ExitCode::SUCCESS)
}
