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
            // Saliences on the scenario's own scale (0-100 when it writes them so).
            let sal = s.meta.salience_scale.max();
            for (r, e) in rows.iter().enumerate() {
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
                model,
                a.issue,
                rows.len(),
                a.trajectories,
                seed,
                match s.meta.salience_scale {
                    multivector_core::SalienceScale::Unit => "0-1",
                    multivector_core::SalienceScale::Percent => "0-100",
                }
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
