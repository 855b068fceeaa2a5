//! `multivector runs ...` and `multivector report`: the run store from the command line.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use multivector_report::text::runs as text;
use multivector_store::{NewRun, Store, StoreError};

use crate::args::{Format, ReportArgs, RunsAction, RunsArgs};
use crate::exit::usage;
use crate::output::{emit, json, note};

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
            match format {
                Format::Csv => text::list_csv(&runs)?,
                Format::Json => json(&text::list_doc(&runs))?,
                Format::Table => text::list_table(&runs),
            }
        }
        RunsAction::Show { id, format } => {
            let r = store.get(id).map_err(store_err)?;
            match format {
                Format::Json => json(&text::ShowDoc::new(&r))?,
                _ => text::show_table(&r),
            }
        }
        RunsAction::Compare { a, b, format } => {
            let (ra, rb) = (
                store.get(a).map_err(store_err)?,
                store.get(b).map_err(store_err)?,
            );
            if ra.summary.scenario_hash != rb.summary.scenario_hash {
                note(&format!(
                    "runs {a} and {b} read different scenario texts ({} vs {})",
                    &ra.summary.scenario_hash[..12],
                    &rb.summary.scenario_hash[..12]
                ));
            }
            let pairs = ra.paired_with(&rb);
            match format {
                // Data keep every digit; the table is for reading.
                Format::Csv => text::compare_csv(&pairs)?,
                Format::Json => json(&text::CompareDoc::new(a, b, &pairs))?,
                Format::Table => text::compare_table(a, b, &pairs),
            }
        }
        RunsAction::Export { id, format } => {
            let r = store.get(id).map_err(store_err)?;
            match format {
                Format::Csv => text::export_csv(&r)?,
                _ => json(&r.document)?,
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
