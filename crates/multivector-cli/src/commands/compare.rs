//! `multivector compare`: a scenario and one of its variants on common random numbers.

use std::process::ExitCode;

use multivector::run::RunSettings;
use multivector_ensemble::Interval;

use super::run::Bar;
use super::{bdm_options, load_scenario};
use crate::args::{CompareArgs, Format, PresetArg};
use crate::exit::usage;
use crate::output::{csv_text, emit, full, num, table};

pub fn run(a: CompareArgs) -> anyhow::Result<ExitCode> {
    let loaded = load_scenario(a.scenario.as_deref())?;
    let s = &loaded.scenario;
    let v = s.variant(&a.variant).ok_or_else(|| {
        usage(
            format!("`{}` has no variant `{}`", s.meta.id, a.variant),
            if s.variants.is_empty() {
                "the scenario declares no [[variants]]; see docs/scenario-format.md".to_string()
            } else {
                format!("variants: {}", s.variant_names())
            },
        )
    })?;
    super::warn_late_events(
        s,
        Some(v),
        bdm_options(PresetArg::Scholz, None, &a.stop)?
            .stop
            .max_rounds(),
    );
    let (draws, seed) = super::ensemble_settings(&a.ensemble)?;
    let settings = RunSettings {
        bdm_scholz: bdm_options(PresetArg::Scholz, None, &a.stop)?,
        bdm_paper: bdm_options(PresetArg::Paper, None, &a.stop)?,
        draws,
        seed,
        ..RunSettings::default()
    };
    let bar = Bar::new(2 * draws);
    let report = multivector::run::compare(s, &v.name, &settings, &bar)?;
    bar.0.finish_and_clear();
    let rows = &report.rows;
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
            for r in rows {
                let iv = |f: fn(&Interval) -> (f64, f64)| {
                    r.difference_interval.as_ref().map_or("-".into(), |i| {
                        let (lo, hi) = f(i);
                        format!("{} - {}", num(lo), num(hi))
                    })
                };
                t.add_row(vec![
                    r.issue.clone(),
                    r.model.clone(),
                    num(r.baseline),
                    num(r.variant),
                    num(r.difference),
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
                        r.difference_interval
                            .as_ref()
                            .map_or_else(String::new, |i| full(f(i)))
                    };
                    vec![
                        r.issue.clone(),
                        r.model.clone(),
                        full(r.baseline),
                        full(r.variant),
                        full(r.difference),
                        o(|i| i.median),
                        o(|i| i.p10),
                        o(|i| i.p90),
                        o(|i| i.p025),
                        o(|i| i.p975),
                    ]
                })
                .collect::<Vec<_>>(),
        )?,
        Format::Json => serde_json::to_string_pretty(&report)? + "\n",
    };
    emit(&text)?;
    Ok(ExitCode::SUCCESS)
}
