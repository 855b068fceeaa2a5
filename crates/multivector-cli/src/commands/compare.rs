//! `multivector compare`: a scenario and one of its variants on common random numbers.

use std::process::ExitCode;

use multivector::run::RunSettings;
use multivector_report::text::run as text;

use super::run::Bar;
use super::{bdm_options, load_scenario};
use crate::args::{CompareArgs, Format, PresetArg};
use crate::exit::usage;
use crate::output::{emit, json};

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
    let text = match a.format {
        Format::Table => text::compare_table(&report),
        Format::Csv => text::compare_csv(&report)?,
        Format::Json => json(&report)?,
    };
    emit(&text)?;
    Ok(ExitCode::SUCCESS)
}
