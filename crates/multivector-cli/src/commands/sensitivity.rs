//! `multivector sensitivity`: the inputs that move an issue's forecast most.

use std::process::ExitCode;

use multivector_ensemble::sensitivity::Field;
use serde_json::json;

use super::{bdm_options, load_scenario, pick_issue};
use crate::args::{Format, ModelArg, PresetArg, SensitivityArgs};
use crate::exit::usage;
use crate::output::{csv_text, emit, full, num, table};
use multivector::run::RunSettings;

fn field(f: Field) -> &'static str {
    match f {
        Field::Position => "position",
        Field::Salience => "salience",
        Field::Capability => "capability",
    }
}

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
    let text = match a.format {
        Format::Table => {
            let mut t = table(
                [
                    "rank",
                    "actor",
                    "input",
                    "range",
                    "swing (one at a time)",
                    "Morris mu*",
                    "Morris sigma",
                ]
                .map(String::from)
                .to_vec(),
            );
            for (r, e) in rows.iter().enumerate() {
                t.add_row(vec![
                    (r + 1).to_string(),
                    e.input.actor.clone(),
                    field(e.input.field).into(),
                    format!("{} - {}", num(e.input.low), num(e.input.high)),
                    num(e.swing),
                    num(e.mu_star),
                    num(e.sigma),
                ]);
            }
            format!(
                "Sensitivity of the {} forecast of `{}` ({} inputs, {} Morris trajectories, seed {})\n\n{t}\n",
                model,
                a.issue,
                rows.len(),
                a.trajectories,
                seed
            )
        }
        Format::Csv => csv_text(
            &[
                "rank", "actor", "input", "low", "high", "swing", "mu_star", "sigma",
            ],
            &rows
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
        )?,
        Format::Json => {
            serde_json::to_string_pretty(&json!({
                "issue": a.issue, "model": model, "trajectories": a.trajectories,
                "seed": seed, "version": env!("CARGO_PKG_VERSION"), "effects": rows,
            }))? + "\n"
        }
    };
    emit(&text)?;
    Ok(ExitCode::SUCCESS)
}
