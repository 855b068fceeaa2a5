//! `multivector sensitivity`: the inputs that move an issue's forecast most.

use std::process::ExitCode;

use multivector_report::text::run as text;

use super::{bdm_options, load_scenario, pick_issue};
use crate::args::{Format, ModelArg, PresetArg, SensitivityArgs};
use crate::exit::usage;
use crate::output::{emit, json};
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
    let model = match a.model {
        ModelArg::BdmScholz => "bdm-scholz",
        ModelArg::BdmPaper => "bdm-paper",
        ModelArg::Smp => "smp",
        ModelArg::Mean => "mean",
        ModelArg::Median => "median",
    };
    let settings = RunSettings {
        bdm_scholz: bdm_options(PresetArg::Scholz, None, &a.stop)?,
        bdm_paper: bdm_options(PresetArg::Paper, None, &a.stop)?,
        seed: a.seed.unwrap_or(multivector_ensemble::DEFAULT_SEED),
        ..RunSettings::default()
    };
    let rows = multivector::run::sensitivity(s, &s.issues[k].id, model, &settings, a.trajectories)?;
    let seed = settings.seed;
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
        seed,
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
