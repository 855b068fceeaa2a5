//! `multivector run`: every issue of a scenario through every model, one forecast table.

use std::path::Path;
use std::process::ExitCode;

use multivector::run::{self as pipeline, RunObserver, RunReport, RunSettings};

use super::{bdm_options, load_scenario};
use crate::args::{Format, PresetArg, RunArgs};
use multivector_report::text;

use crate::output::{emit, note};

/// The ensemble's progress on stderr (hidden with --quiet).
pub(super) struct Bar(pub(super) indicatif::ProgressBar);

impl RunObserver for Bar {
    fn draws(&self, done: usize, _total: usize) {
        if done % 16 == 0 {
            self.0.set_position(done as u64);
        }
    }

    /// The bar's length becomes the analysis' units (inputs plus trajectories) here.
    fn screened(&self, done: usize, total: usize) {
        self.0.set_length(total as u64);
        self.0.set_position(done as u64);
    }
}

impl Bar {
    pub(super) fn new(draws: usize) -> Bar {
        Bar(crate::output::progress(draws, "draws"))
    }
}

/// The settings of `run` from its arguments (the web app builds the same from its form).
pub(super) fn settings(a: &RunArgs) -> anyhow::Result<RunSettings> {
    let (draws, seed) = super::ensemble_settings(&a.ensemble)?;
    Ok(RunSettings {
        bdm_scholz: bdm_options(PresetArg::Scholz, None, &a.stop)?,
        bdm_paper: bdm_options(PresetArg::Paper, None, &a.stop)?,
        two_level: a.two_level,
        population_variant: a.population_variant.clone(),
        // The ensemble is drawn only where it is shown: in the table, the JSON, or --out
        // (the CSV on stdout holds the point forecasts alone).
        draws: if a.format != Format::Csv || a.out.is_some() {
            draws
        } else {
            0
        },
        seed,
        ..RunSettings::default()
    })
}

pub fn run(a: RunArgs) -> anyhow::Result<ExitCode> {
    let loaded = load_scenario(a.scenario.as_deref())?;
    let s = &loaded.scenario;
    let settings = settings(&a)?;
    super::warn_late_events(s, None, settings.bdm_scholz.stop.max_rounds());
    let bar = Bar::new(settings.draws);
    let report = pipeline::run(s, &settings, &bar)?;
    bar.0.finish_and_clear();
    if let Some(dir) = &a.out {
        write_out(dir, &report)?;
    }
    let mut report = report;
    if a.two_level {
        let spec = match &a.population {
            Some(p) => multivector_scenario::population::load_path(p)?,
            None => super::opinion::load(Some(&s.meta.id))?,
        };
        let saved = match &a.params {
            Some(p) => Some((
                p.display().to_string(),
                std::fs::read_to_string(p).map_err(|e| {
                    crate::exit::usage(
                        format!("cannot read {}: {e}", p.display()),
                        "give the file written by `multivector calibrate --out FILE`",
                    )
                })?,
            )),
            None => None,
        };
        let (spec, used) = multivector::two_level::calibrated(
            &spec,
            saved.as_ref().map(|(a, b)| (a.as_str(), b.as_str())),
        )?;
        note(&format!("population parameters: {}", used.source));
        report.two_level = Some(multivector::two_level::run_two_level(
            s,
            &spec,
            used,
            a.population_variant.as_deref(),
            &settings,
        )?);
    }
    let full_doc = serde_json::to_value(&report)?;
    let text = match a.format {
        Format::Table => text::run::report(s, &report),
        Format::Csv => text::run::forecasts_csv(&report)?,
        Format::Json => serde_json::to_string_pretty(&full_doc)? + "\n",
    };
    emit(&text)?;
    if !a.no_store || a.report.is_some() {
        let scenario_text = super::scenario_text(a.scenario.as_deref())?;
        let new = report.to_new_run("run", scenario_text.clone(), full_doc)?;
        if a.no_store {
            // Report only: keep the run in memory.
            let store = multivector_store::Store::open_in_memory()?;
            let id = store.save(&new)?;
            let run = store.get(id)?;
            if let Some(path) = &a.report {
                super::runs::write_report(&run, &scenario_text, None, path)?;
            }
        } else {
            // The results are on stdout already: a store that cannot take them must not
            // lose them, only say so.
            let id = super::runs::save(a.db.as_deref(), &new).map_err(|e| {
                crate::exit::usage(
                    format!("the results above were printed but not saved: {e:#}"),
                    "give a writable store with --db PATH (or MULTIVECTOR_DB), or pass --no-store",
                )
            })?;
            if let Some(path) = &a.report {
                let store = super::runs::open(a.db.as_deref())?;
                super::runs::write_report(&store.get(id)?, &scenario_text, None, path)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes `forecasts.csv`, `rounds.csv` (median and mean per round), `positions.csv` (every
/// actor every round) and, with an ensemble, `ensemble.csv`, all in long format.
fn write_out(dir: &Path, r: &RunReport) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| {
        crate::exit::usage(
            format!("cannot create the output folder {}: {e}", dir.display()),
            "--out names a folder for the CSV files; give a path that is not an existing file",
        )
    })?;
    let files = text::run::files(r)?;
    for (name, text) in &files {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|e| {
            crate::exit::usage(
                format!("cannot write {}: {e}", path.display()),
                "give --out a folder you may write to",
            )
        })?;
    }
    note(&format!(
        "wrote {} to {}",
        files.iter().map(|f| f.0).collect::<Vec<_>>().join(", "),
        dir.display()
    ));
    Ok(())
}
