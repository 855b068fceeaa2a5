//! `multivector runs ...` and `multivector report`: the run store from the command line.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use multivector_store::{NewRun, Store, StoreError};
use serde_json::json;

use crate::args::{Format, ReportArgs, RunsAction, RunsArgs};
use crate::exit::usage;
use crate::output::{csv_text, emit, full, note, num, table};

/// The store file: `--db`, else `$MULTIVECTOR_DB`, else `multivector.db`.
pub(super) fn db_path(flag: Option<&Path>) -> PathBuf {
    flag.map(Path::to_path_buf)
        .or_else(|| std::env::var_os("MULTIVECTOR_DB").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("multivector.db"))
}

/// Store errors: an unknown run id is the user's (exit 2), the rest are internal.
fn store_err(e: StoreError) -> anyhow::Error {
    match e {
        StoreError::NoRun(_) | StoreError::TooNew { .. } => usage(
            e.to_string(),
            "list the stored runs with `multivector runs list`",
        ),
        other => anyhow::Error::new(other),
    }
}

pub(super) fn open(flag: Option<&Path>) -> anyhow::Result<Store> {
    let path = db_path(flag);
    Store::open(&path).map_err(|e| {
        usage(
            format!("cannot open the run store {}: {e}", path.display()),
            "give a writable file with --db PATH (or set MULTIVECTOR_DB), or pass --no-store",
        )
    })
}

/// Opens the store for commands that only read it: read-write when possible (so an older
/// schema is upgraded), read-only when the file cannot be written.
pub(super) fn open_for_reading(flag: Option<&Path>) -> anyhow::Result<Store> {
    let path = db_path(flag);
    Store::open(&path)
        .or_else(|_| Store::open_read_only(&path))
        .map_err(|e| {
            usage(
                format!("cannot read the run store {}: {e}", path.display()),
                "name a run store written by `multivector run` with --db PATH",
            )
        })
}

/// Saves a run and says where.
pub(super) fn save(flag: Option<&Path>, run: &NewRun) -> anyhow::Result<i64> {
    let store = open(flag)?;
    let id = store.save(run).map_err(store_err)?;
    note(&format!(
        "saved as run {id} in {} (`multivector runs show {id}`, `multivector report {id}`)",
        db_path(flag).display()
    ));
    Ok(id)
}

pub fn run(a: RunsArgs) -> anyhow::Result<ExitCode> {
    let store = if matches!(a.action, RunsAction::Delete { .. }) {
        open(a.db.as_deref())?
    } else {
        open_for_reading(a.db.as_deref())?
    };
    let text = match a.action {
        RunsAction::List { format } => {
            let runs = store.list().map_err(store_err)?;
            let rows: Vec<Vec<String>> = runs
                .iter()
                .map(|r| {
                    vec![
                        r.id.to_string(),
                        r.created.clone(),
                        r.command.clone(),
                        r.scenario_id.clone(),
                        r.scenario_hash[..12].to_string(),
                        r.seed.to_string(),
                        r.draws.to_string(),
                    ]
                })
                .collect();
            let header = [
                "id", "created", "command", "scenario", "hash", "seed", "draws",
            ];
            match format {
                Format::Csv => csv_text(&header, &rows)?,
                Format::Json => {
                    serde_json::to_string_pretty(&rows.iter().map(|r| json!({"id": r[0].parse::<i64>().ok(), "created": r[1], "command": r[2], "scenario": r[3], "hash": r[4], "seed": r[5].parse::<u64>().ok(), "draws": r[6].parse::<u64>().ok()})).collect::<Vec<_>>())? + "\n"
                }
                Format::Table => {
                    let mut t = table(header.map(String::from).to_vec());
                    for r in rows {
                        t.add_row(r);
                    }
                    format!("{t}\n")
                }
            }
        }
        RunsAction::Show { id, format } => {
            let r = store.get(id).map_err(store_err)?;
            match format {
                Format::Json => {
                    serde_json::to_string_pretty(&json!({
                        "id": r.summary.id, "created": r.summary.created, "command": r.summary.command,
                        "scenario": r.summary.scenario_id, "scenario_hash": r.summary.scenario_hash,
                        "version": r.version, "seed": r.summary.seed, "draws": r.summary.draws, "options": r.options,
                        "forecasts": r.forecasts.iter().map(|(i, m, v)| json!({"issue": i, "model": m, "value": v})).collect::<Vec<_>>(),
                    }))? + "\n"
                }
                _ => {
                    let mut t = table(["issue", "model", "forecast"].map(String::from).to_vec());
                    for (i, m, v) in &r.forecasts {
                        t.add_row(vec![i.clone(), m.clone(), num(*v)]);
                    }
                    format!(
                        "Run {}: `{}` on scenario `{}` (sha256 {}), multivector {}, seed {}, {} draws, {}\n{}\n\n{t}\n",
                        r.summary.id,
                        r.summary.command,
                        r.summary.scenario_id,
                        r.summary.scenario_hash,
                        r.version,
                        r.summary.seed,
                        r.summary.draws,
                        r.summary.created,
                        settings_in_words(&r.options)
                    )
                }
            }
        }
        RunsAction::Compare { a, b, format } => {
            let (ra, rb) = (
                store.get(a).map_err(store_err)?,
                store.get(b).map_err(store_err)?,
            );
            let pairs = ra.paired_with(&rb);
            if ra.summary.scenario_hash != rb.summary.scenario_hash {
                note(&format!(
                    "runs {a} and {b} read different scenario texts ({} vs {})",
                    &ra.summary.scenario_hash[..12],
                    &rb.summary.scenario_hash[..12]
                ));
            }
            match format {
                // Data keep every digit; the table is for reading.
                Format::Csv => {
                    let rows: Vec<Vec<String>> = pairs
                        .iter()
                        .map(|(i, m, va, vb)| {
                            vec![
                                i.to_string(),
                                m.to_string(),
                                full(*va),
                                vb.map_or(String::new(), full),
                                vb.map_or(String::new(), |v| full(v - va)),
                            ]
                        })
                        .collect();
                    csv_text(&["issue", "model", "a", "b", "difference"], &rows)?
                }
                Format::Json => {
                    serde_json::to_string_pretty(&json!({
                        "a": a,
                        "b": b,
                        "rows": pairs.iter().map(|(i, m, va, vb)| json!({
                            "issue": i, "model": m, "a": va, "b": vb,
                            "difference": vb.map(|v| v - va),
                        })).collect::<Vec<_>>(),
                    }))? + "\n"
                }
                Format::Table => {
                    let mut t = table(
                        [
                            "issue".to_string(),
                            "model".to_string(),
                            format!("run {a}"),
                            format!("run {b}"),
                            "difference".to_string(),
                        ]
                        .to_vec(),
                    );
                    for (i, m, va, vb) in &pairs {
                        t.add_row(vec![
                            i.to_string(),
                            m.to_string(),
                            num(*va),
                            vb.map_or("-".into(), num),
                            vb.map_or("-".into(), |v| format!("{:+.3}", v - va)),
                        ]);
                    }
                    format!("{t}\n")
                }
            }
        }
        RunsAction::Export { id, format } => {
            let r = store.get(id).map_err(store_err)?;
            match format {
                Format::Csv => {
                    let rows: Vec<Vec<String>> = r
                        .forecasts
                        .iter()
                        .map(|(i, m, v)| {
                            vec![
                                r.summary.id.to_string(),
                                i.clone(),
                                m.clone(),
                                full(*v),
                                r.summary.seed.to_string(),
                            ]
                        })
                        .collect();
                    csv_text(&["run", "issue", "model", "forecast", "seed"], &rows)?
                }
                _ => serde_json::to_string_pretty(&r.document)? + "\n",
            }
        }
        RunsAction::Delete { id } => {
            store.delete(id).map_err(store_err)?;
            note(&format!("deleted run {id}"));
            String::new()
        }
    };
    emit(&text)?;
    Ok(ExitCode::SUCCESS)
}

pub fn report(a: ReportArgs) -> anyhow::Result<ExitCode> {
    let store = open_for_reading(a.db.as_deref())?;
    let r = store.get(a.id).map_err(store_err)?;
    let text = store.scenario_text(a.id).map_err(store_err)?;
    write_report(&r, &text, a.view.as_deref(), &a.out)?;
    Ok(ExitCode::SUCCESS)
}

/// Writes the HTML report of a stored run.
pub(super) fn write_report(
    r: &multivector_store::Run,
    scenario_text: &str,
    view: Option<&str>,
    out: &Path,
) -> anyhow::Result<()> {
    let format = multivector_scenario::sniff_csv(scenario_text)
        .unwrap_or(multivector_scenario::Format::Toml);
    let scenario =
        multivector_scenario::load_str(&r.summary.scenario_id, scenario_text, format)?.scenario;
    let html = multivector_report::html(r, &scenario, view).map_err(|e| match e {
        multivector_report::ReportError::UnknownActor { .. } => {
            usage(e.to_string(), "choose --view among the scenario's actors")
        }
        other => anyhow::Error::new(other),
    })?;
    std::fs::write(out, html).map_err(|e| {
        usage(
            format!("cannot write {}: {e}", out.display()),
            "give a writable path with --out",
        )
    })?;
    note(&format!(
        "wrote the report of run {} to {}",
        r.summary.id,
        out.display()
    ));
    Ok(())
}

/// A stored run's settings in words (the raw JSON is in `runs show --format json`).
fn settings_in_words(options: &serde_json::Value) -> String {
    let Ok(st) = serde_json::from_value::<multivector::run::RunSettings>(options.clone()) else {
        return "settings: stored by an earlier version (see `runs show --format json`)".into();
    };
    let preset = |o: &multivector_models::bdm::BdmOptions, p| {
        if *o == multivector_models::bdm::BdmOptions::preset(p) {
            "as preset".to_string()
        } else {
            "options changed from the preset".to_string()
        }
    };
    let stop = match st.bdm_scholz.stop {
        multivector_core::StopRule::Fixed { rounds } => format!("{rounds} rounds"),
        multivector_core::StopRule::Converged {
            max_rounds,
            patience,
            ..
        } => format!("until settled {patience} rounds running, at most {max_rounds}"),
    };
    let smp = if st.smp == multivector_models::smp::SmpOptions::default() {
        "KTAB's defaults"
    } else {
        "options changed from KTAB's defaults"
    };
    format!(
        "settings: bdm-scholz {} and bdm-paper {}, {stop}; spatial model {smp}; two levels: {}",
        preset(&st.bdm_scholz, multivector_models::bdm::Preset::Scholz),
        preset(&st.bdm_paper, multivector_models::bdm::Preset::Paper),
        if st.two_level {
            match &st.population_variant {
                Some(v) => format!("yes, beside population variant `{v}`"),
                None => "yes".into(),
            }
        } else {
            "no".into()
        }
    )
}
