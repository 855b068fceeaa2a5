//! `multivector compare`: a scenario and one of its variants on common random numbers.

use std::process::ExitCode;

use multivector_core::Scenario;
use multivector_ensemble::{Ensemble, Interval};
use serde_json::json;

use super::run::{all_models, ensemble};
use super::{bdm_options, load_scenario};
use crate::args::{CompareArgs, Format, PresetArg};
use crate::exit::usage;
use crate::output::{csv_text, emit, full, num, table};

struct Row {
    issue: String,
    model: String,
    base: f64,
    variant: f64,
    diff: Option<Interval>,
}

fn point(s: &Scenario, models: &[multivector_ensemble::Model]) -> anyhow::Result<Vec<f64>> {
    let nm = models.len();
    let mut out = vec![0.0; s.issues.len() * nm];
    for (mi, (_, m)) in models.iter().enumerate() {
        for (k, f) in multivector_core::forecast_issues(s, m.as_ref())?
            .into_iter()
            .enumerate()
        {
            out[k * nm + mi] = f.value;
        }
    }
    Ok(out)
}

fn diff(base: &Ensemble, var: &Ensemble, issue: usize, model: usize) -> Interval {
    let d: Vec<f64> = base
        .series(issue, model)
        .iter()
        .zip(var.series(issue, model))
        .map(|(a, b)| b - a)
        .collect();
    Interval::of(&d)
}

pub fn run(a: CompareArgs) -> anyhow::Result<ExitCode> {
    let loaded = load_scenario(a.scenario.as_deref())?;
    let s = &loaded.scenario;
    let v = s.variant(&a.variant).ok_or_else(|| {
        usage(
            format!("`{}` has no variant `{}`", s.meta.id, a.variant),
            if s.variants.is_empty() {
                "the scenario declares no [[variants]]; see docs/scenario-format.md".to_string()
            } else {
                format!(
                    "variants: {}",
                    s.variants
                        .iter()
                        .map(|v| v.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            },
        )
    })?;
    let vs = s.apply(v);
    super::warn_late_events(
        s,
        Some(v),
        bdm_options(PresetArg::Scholz, None, &a.stop)?
            .stop
            .max_rounds(),
    );
    let bdm = [
        bdm_options(PresetArg::Scholz, None, &a.stop)?,
        bdm_options(PresetArg::Paper, None, &a.stop)?,
    ];
    let models = all_models(bdm);
    let pb = point(s, &models)?;
    let pv = point(&vs, &models)
        .map_err(|e| e.context(format!("the variant `{}` cannot be run", v.name)))?;
    let (draws, seed) = super::ensemble_settings(&a.ensemble)?;
    let ens = if draws > 0 {
        Some((
            ensemble(s, bdm, draws, seed, crate::output::quiet(), None)?,
            ensemble(s, bdm, draws, seed, crate::output::quiet(), Some(v))?,
        ))
    } else {
        None
    };
    let nm = models.len();
    let mut rows = Vec::new();
    for (k, iss) in s.issues.iter().enumerate() {
        for (mi, (name, _)) in models.iter().enumerate() {
            rows.push(Row {
                issue: iss.id.clone(),
                model: name.clone(),
                base: pb[k * nm + mi],
                variant: pv[k * nm + mi],
                diff: ens.as_ref().map(|(b, x)| diff(b, x, k, mi)),
            });
        }
    }
    let text = match a.format {
        Format::Table => {
            let mut t = table(
                [
                    "issue",
                    "model",
                    "baseline",
                    "variant",
                    "difference",
                    "diff 10-90%",
                    "diff 2.5-97.5%",
                ]
                .map(String::from)
                .to_vec(),
            );
            for r in &rows {
                let iv = |f: fn(&Interval) -> (f64, f64)| {
                    r.diff.as_ref().map_or("-".into(), |i| {
                        let (lo, hi) = f(i);
                        format!("{} - {}", num(lo), num(hi))
                    })
                };
                t.add_row(vec![
                    r.issue.clone(),
                    r.model.clone(),
                    num(r.base),
                    num(r.variant),
                    num(r.variant - r.base),
                    iv(|i| (i.p10, i.p90)),
                    iv(|i| (i.p025, i.p975)),
                ]);
            }
            format!(
                "Variant `{}` of `{}`: {}\n{} draws, master seed {} shared by both runs, multivector {}\n\n{t}\n",
                v.name,
                s.meta.id,
                v.description,
                draws,
                seed,
                env!("CARGO_PKG_VERSION")
            )
        }
        Format::Csv => csv_text(
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
            &rows
                .iter()
                .map(|r| {
                    let o = |f: fn(&Interval) -> f64| {
                        r.diff.as_ref().map_or_else(String::new, |i| full(f(i)))
                    };
                    vec![
                        r.issue.clone(),
                        r.model.clone(),
                        full(r.base),
                        full(r.variant),
                        full(r.variant - r.base),
                        o(|i| i.median),
                        o(|i| i.p10),
                        o(|i| i.p90),
                        o(|i| i.p025),
                        o(|i| i.p975),
                    ]
                })
                .collect::<Vec<_>>(),
        )?,
        Format::Json => {
            serde_json::to_string_pretty(&json!({
                "scenario": s.meta.id,
                "variant": v.name,
                "draws": draws,
                "master_seed": seed,
                "version": env!("CARGO_PKG_VERSION"),
                "rows": rows.iter().map(|r| json!({
                    "issue": r.issue, "model": r.model, "baseline": r.base, "variant": r.variant,
                    "difference": r.variant - r.base, "difference_interval": r.diff,
                })).collect::<Vec<_>>(),
            }))? + "\n"
        }
    };
    emit(&text)?;
    Ok(ExitCode::SUCCESS)
}
