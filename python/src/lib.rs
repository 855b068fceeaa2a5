//! `multivector._core`: the Python bindings of the facade crate. Every function here calls
//! the same typed API as the CLI and the web app (`multivector::run`, `compare`, ...), with
//! the GIL released while Rust runs, and returns the same JSON documents the CLI prints; the
//! pure-Python package (`python/multivector/`) turns them into DataFrames.

use std::path::Path;

use multivector::core::Scenario as Model;
use multivector::run::{self as pipeline, NoProgress, RunError, RunReport, RunSettings};
use multivector::scenario::edit::{StanceEdit, StanceField, edit_stances};
use multivector::scenario::{Format, Loaded, ScenarioErrors};
use pyo3::create_exception;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};

create_exception!(
    _core,
    ScenarioError,
    PyValueError,
    "A scenario, population or data file (or an edit) breaks a rule. `errors` lists every \
     problem as a dict (file, line, column, field, record, message, hint); `file`, `line`, \
     `field`, `record` and `hint` are the first problem's."
);
create_exception!(
    _core,
    SettingsError,
    PyValueError,
    "A setting is out of its range, or names something the scenario does not have."
);
create_exception!(
    _core,
    StoreError,
    PyRuntimeError,
    "The run store cannot be opened, read or written."
);

/// The Python exception of located scenario errors, with their locations as attributes.
fn scenario_error(py: Python<'_>, e: &ScenarioErrors) -> PyErr {
    let err = ScenarioError::new_err(e.to_string());
    if let Err(set) = attach_locations(py, &err, e) {
        return set;
    }
    err
}

fn attach_locations(py: Python<'_>, err: &PyErr, e: &ScenarioErrors) -> PyResult<()> {
    let list = PyList::empty(py);
    for x in e.errors() {
        let d = PyDict::new(py);
        d.set_item("file", &x.location.file)?;
        d.set_item("line", x.location.line)?;
        d.set_item("column", x.location.column)?;
        d.set_item("field", &x.location.field)?;
        d.set_item("record", &x.location.record)?;
        d.set_item("message", &x.message)?;
        d.set_item("hint", &x.hint)?;
        list.append(d)?;
    }
    let v = err.value(py);
    let first = e.errors().first();
    v.setattr("errors", list)?;
    v.setattr("file", first.map(|x| x.location.file.clone()))?;
    v.setattr("line", first.and_then(|x| x.location.line))?;
    v.setattr("field", first.and_then(|x| x.location.field.clone()))?;
    v.setattr("record", first.and_then(|x| x.location.record.clone()))?;
    v.setattr("hint", first.and_then(|x| x.hint.clone()))?;
    Ok(())
}

fn run_error(e: RunError) -> PyErr {
    if e.is_input() {
        SettingsError::new_err(e.to_string())
    } else {
        PyRuntimeError::new_err(e.to_string())
    }
}

fn settings_error(field: &str, message: impl std::fmt::Display) -> PyErr {
    SettingsError::new_err(format!("`{field}`: {message}"))
}

fn json<T: serde::Serialize>(v: &T) -> PyResult<String> {
    serde_json::to_string_pretty(v)
        .map(|s| s + "\n")
        .map_err(|e| PyRuntimeError::new_err(format!("cannot write the result as JSON: {e}")))
}

fn format_name(f: Format) -> &'static str {
    match f {
        Format::Toml => "toml",
        Format::BdmCsv => "bdm-csv",
        Format::KtabCsv => "ktab-csv",
    }
}

fn format_of(name: &str, text: &str) -> PyResult<Format> {
    match name {
        "auto" => Ok(multivector::scenario::sniff_csv(text).unwrap_or(Format::Toml)),
        "toml" => Ok(Format::Toml),
        "bdm-csv" => Ok(Format::BdmCsv),
        "ktab-csv" => Ok(Format::KtabCsv),
        other => Err(settings_error(
            "format",
            format!("`{other}` is not a scenario format (auto, toml, bdm-csv, ktab-csv)"),
        )),
    }
}

/// A validated scenario: the text it was read from, the stance edits made since, and the
/// model built from both. Immutable: `edit` returns a new scenario. Pickles as its text and
/// edits, so a cluster's workers rebuild exactly the same scenario.
#[pyclass(frozen, module = "multivector._core")]
struct Scenario {
    scenario: Model,
    /// The name used in error messages (a path, or the built-in scenario's name).
    #[pyo3(get)]
    source: String,
    #[pyo3(get)]
    text: String,
    format: Format,
    edits: Vec<StanceEdit>,
}

impl Scenario {
    fn from_loaded(source: &str, l: Loaded) -> Self {
        Scenario {
            scenario: l.scenario,
            source: source.into(),
            text: l.text,
            format: l.format,
            edits: Vec::new(),
        }
    }
}

type EditRow = (String, String, String, f64);
/// What a pickled scenario holds: source, text, format and edits.
type ScenarioState = (String, String, &'static str, Vec<EditRow>);

fn parse_edits(rows: Vec<EditRow>) -> PyResult<Vec<StanceEdit>> {
    rows.into_iter()
        .enumerate()
        .map(|(n, (actor, issue, field, value))| {
            let f = StanceField::parse(&field).ok_or_else(|| {
                settings_error(
                    "field",
                    format!(
                        "edit {}: `{field}` is not a stance field (position, salience, capability)",
                        n + 1
                    ),
                )
            })?;
            Ok(StanceEdit::new(&actor, &issue, f, value))
        })
        .collect()
}

#[pymethods]
impl Scenario {
    /// Rebuilds a scenario from its text, format and edits (what pickling stores).
    #[new]
    #[pyo3(signature = (source, text, format = "auto", edits = Vec::new()))]
    fn new(
        py: Python<'_>,
        source: &str,
        text: &str,
        format: &str,
        edits: Vec<EditRow>,
    ) -> PyResult<Self> {
        let l = multivector::scenario::load_str(source, text, format_of(format, text)?)
            .map_err(|e| scenario_error(py, &e))?;
        let base = Scenario::from_loaded(source, l);
        if edits.is_empty() {
            return Ok(base);
        }
        base.edited(py, parse_edits(edits)?, source)
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, ScenarioState)> {
        let me = slf.get();
        let edits = me.edit_rows();
        Ok((
            slf.get_type().into_any(),
            (
                me.source.clone(),
                me.text.clone(),
                format_name(me.format),
                edits,
            ),
        ))
    }

    /// The scenario's id.
    #[getter]
    fn id(&self) -> String {
        self.scenario.meta.id.clone()
    }

    /// The scenario's name.
    #[getter]
    fn name(&self) -> String {
        self.scenario.meta.name.clone()
    }

    /// The top of the scenario's salience scale (1 or 100): saliences in edits and tables
    /// are on this scale.
    #[getter]
    fn salience_scale(&self) -> f64 {
        self.scenario.meta.salience_scale.max()
    }

    /// The layout the scenario was read from (`toml`, `bdm-csv`, `ktab-csv`).
    #[getter]
    fn format(&self) -> &'static str {
        format_name(self.format)
    }

    /// The edits made since the scenario was read, as `(actor, issue, field, value)`.
    #[getter]
    fn edits(&self) -> Vec<EditRow> {
        self.edit_rows()
    }

    /// The scenario as JSON (meta, actors, issues, stances, evidence, variants, events,
    /// spaces; saliences on the 0-1 scale, actor and issue as indices).
    fn to_json(&self) -> PyResult<String> {
        json(&self.scenario)
    }

    /// A new scenario with the stance edits `(actor, issue, field, value)` applied, or a
    /// `ScenarioError` listing every bad edit by its 1-based number (as `line`), field and
    /// stance. `source` names the edits in messages.
    #[pyo3(signature = (edits, source = "edits"))]
    fn edit(&self, py: Python<'_>, edits: Vec<EditRow>, source: &str) -> PyResult<Scenario> {
        self.edited(py, parse_edits(edits)?, source)
    }

    /// The names of the scenario's variants.
    fn variants(&self) -> Vec<String> {
        self.scenario
            .variants
            .iter()
            .map(|v| v.name.clone())
            .collect()
    }

    fn __repr__(&self) -> String {
        format!(
            "<multivector Scenario '{}': {} actors, {} issues, {} stances{}>",
            self.scenario.meta.id,
            self.scenario.actors.len(),
            self.scenario.issues.len(),
            self.scenario.stances.len(),
            if self.edits.is_empty() {
                String::new()
            } else {
                format!(", {} edits", self.edits.len())
            }
        )
    }
}

impl Scenario {
    /// The edits as `(actor, issue, field, value)` rows (what Python sees and pickles).
    fn edit_rows(&self) -> Vec<EditRow> {
        self.edits
            .iter()
            .map(|e| {
                (
                    e.actor.clone(),
                    e.issue.clone(),
                    e.field.name().to_string(),
                    e.value,
                )
            })
            .collect()
    }

    fn edited(&self, py: Python<'_>, new: Vec<StanceEdit>, source: &str) -> PyResult<Scenario> {
        let scenario =
            edit_stances(&self.scenario, source, &new).map_err(|e| scenario_error(py, &e))?;
        let mut edits = self.edits.clone();
        edits.extend(new);
        Ok(Scenario {
            scenario,
            source: self.source.clone(),
            text: self.text.clone(),
            format: self.format,
            edits,
        })
    }
}

/// Runs `work` with the GIL released, on `threads` threads (None: rayon's global pool, all
/// cores). A Dask worker passes 1: its own threads are the unit of parallelism. Results do not
/// depend on the thread count.
fn detached<T: Send>(
    py: Python<'_>,
    threads: Option<usize>,
    work: impl FnOnce() -> T + Send,
) -> PyResult<T> {
    match threads {
        None => Ok(py.detach(work)),
        Some(0) => Err(settings_error(
            "threads",
            "0 threads cannot run anything: give 1 or more, or None for all cores",
        )),
        Some(n) => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(n.clamp(1, 1024))
                .build()
                .map_err(|e| PyRuntimeError::new_err(format!("cannot start {n} threads: {e}")))?;
            Ok(py.detach(|| pool.install(work)))
        }
    }
}

/// A built-in scenario by name (`kazakhstan`, ...).
#[pyfunction]
fn builtin(py: Python<'_>, name: &str) -> PyResult<Scenario> {
    match multivector::scenario::builtin::load(name) {
        Some(Ok(l)) => Ok(Scenario::from_loaded(name, l)),
        Some(Err(e)) => Err(scenario_error(py, &e)),
        None => Err(settings_error(
            "name",
            format!(
                "`{name}` is not a built-in scenario; built-in: {}",
                multivector::scenario::builtin::ALL
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

/// A scenario file (`.toml`, or a BDM or KTAB `.csv`).
#[pyfunction]
fn load(py: Python<'_>, path: &str) -> PyResult<Scenario> {
    let l = py
        .detach(|| multivector::scenario::load_path(Path::new(path)))
        .map_err(|e| scenario_error(py, &e))?;
    Ok(Scenario::from_loaded(path, l))
}

fn run_settings(
    draws: usize,
    seed: Option<u64>,
    two_level: bool,
    population_variant: Option<String>,
) -> RunSettings {
    RunSettings {
        draws,
        seed: seed.unwrap_or(multivector::ensemble::DEFAULT_SEED),
        two_level,
        population_variant,
        ..RunSettings::default()
    }
}

fn population(
    py: Python<'_>,
    name: &str,
) -> PyResult<multivector::models::opinion::spec::PopulationSpec> {
    let path = Path::new(name);
    let r = if path.exists() || name.contains('/') || name.contains('.') {
        Some(multivector::scenario::population::load_path(path))
    } else {
        multivector::scenario::population::builtin(name)
    };
    match r {
        Some(Ok(spec)) => Ok(spec),
        Some(Err(e)) => Err(scenario_error(py, &e)),
        None => Err(settings_error(
            "population",
            format!("`{name}` is neither a file nor a built-in population"),
        )),
    }
}

/// Adds the two-level game to a report when its settings ask for it (as `run --two-level`).
fn with_two_level(
    py: Python<'_>,
    s: &Model,
    settings: &RunSettings,
    mut report: RunReport,
    population_name: Option<&str>,
) -> PyResult<RunReport> {
    if settings.two_level {
        let spec = population(py, population_name.unwrap_or(&s.meta.id))?;
        let (spec, used) = multivector::two_level::calibrated(&spec, None).map_err(run_error)?;
        report.two_level = Some(
            py.detach(|| {
                multivector::two_level::run_two_level(
                    s,
                    &spec,
                    used,
                    settings.population_variant.as_deref(),
                    settings,
                )
            })
            .map_err(run_error)?,
        );
    }
    Ok(report)
}

/// The main job on a scenario: every model, retrodiction, profile and (with draws) the
/// ensemble; the JSON document `multivector run --format json` prints.
#[pyfunction]
#[pyo3(signature = (scenario, draws = 1000, seed = None, two_level = false, population = None, population_variant = None, threads = None))]
#[allow(clippy::too_many_arguments)]
fn run(
    py: Python<'_>,
    scenario: &Scenario,
    draws: usize,
    seed: Option<u64>,
    two_level: bool,
    population: Option<&str>,
    population_variant: Option<String>,
    threads: Option<usize>,
) -> PyResult<String> {
    let settings = run_settings(draws, seed, two_level, population_variant);
    let s = &scenario.scenario;
    let report =
        detached(py, threads, || pipeline::run(s, &settings, &NoProgress))?.map_err(run_error)?;
    let report = with_two_level(py, s, &settings, report, population)?;
    json(&report)
}

/// Draws `start..end` of the ensemble `run` draws with these settings, as bytes for
/// [`run_with_parts`] (a cluster's worker computes them from the scenario and the range).
/// `threads`: the threads this call may use (None: all cores; a Dask worker passes 1, its
/// own threads being the unit of parallelism). The bytes do not depend on it.
#[pyfunction]
#[pyo3(signature = (scenario, start, end, draws, seed = None, threads = None))]
fn ensemble_part<'py>(
    py: Python<'py>,
    scenario: &Scenario,
    start: usize,
    end: usize,
    draws: usize,
    seed: Option<u64>,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyBytes>> {
    if start > end {
        return Err(settings_error(
            "start",
            format!("{start} is after the end {end}"),
        ));
    }
    let settings = run_settings(draws, seed, false, None);
    let s = &scenario.scenario;
    let part = detached(py, threads, || {
        pipeline::ensemble_part(s, &settings, start..end)
    })?
    .map_err(run_error)?;
    Ok(PyBytes::new(py, &part::encode(&part)))
}

/// `run` with the ensemble joined from parts ([`ensemble_part`]), in any order: the same
/// document as `run` on one machine, bit for bit.
#[pyfunction]
#[pyo3(signature = (scenario, parts, draws, seed = None, two_level = false, population = None, population_variant = None))]
#[allow(clippy::too_many_arguments)]
fn run_with_parts(
    py: Python<'_>,
    scenario: &Scenario,
    parts: Vec<Bound<'_, PyBytes>>,
    draws: usize,
    seed: Option<u64>,
    two_level: bool,
    population: Option<&str>,
    population_variant: Option<String>,
) -> PyResult<String> {
    let settings = run_settings(draws, seed, two_level, population_variant);
    let decoded = parts
        .iter()
        .enumerate()
        .map(|(k, b)| {
            part::decode(b.as_bytes())
                .map_err(|e| settings_error("parts", format!("part {k}: {e}")))
        })
        .collect::<PyResult<Vec<_>>>()?;
    let s = &scenario.scenario;
    let report = py
        .detach(|| {
            let whole = multivector::ensemble::Ensemble::concat(decoded)?;
            pipeline::run_with_ensemble(s, &settings, whole)
        })
        .map_err(run_error)?;
    let report = with_two_level(py, s, &settings, report, population)?;
    json(&report)
}

/// A variant against its baseline on common random numbers (`multivector compare`).
#[pyfunction]
#[pyo3(signature = (scenario, variant, draws = 1000, seed = None, threads = None))]
fn compare(
    py: Python<'_>,
    scenario: &Scenario,
    variant: &str,
    draws: usize,
    seed: Option<u64>,
    threads: Option<usize>,
) -> PyResult<String> {
    let settings = run_settings(draws, seed, false, None);
    let s = &scenario.scenario;
    let r = detached(py, threads, || {
        pipeline::compare(s, variant, &settings, &NoProgress)
    })?
    .map_err(run_error)?;
    json(&r)
}

/// One-at-a-time swings and Morris screening of one issue under one model
/// (`multivector sensitivity`).
#[pyfunction]
#[pyo3(signature = (scenario, issue, model = "bdm-scholz", trajectories = 20, seed = None))]
fn sensitivity(
    py: Python<'_>,
    scenario: &Scenario,
    issue: &str,
    model: &str,
    trajectories: usize,
    seed: Option<u64>,
) -> PyResult<String> {
    let settings = run_settings(0, seed, false, None);
    let s = &scenario.scenario;
    let r = py
        .detach(|| pipeline::sensitivity(s, issue, model, &settings, trajectories))
        .map_err(run_error)?;
    json(&r)
}

/// The domestic level on its own (`multivector opinion`).
#[pyfunction]
#[pyo3(signature = (population = "kazakhstan", agents = None, sweeps = None, seed = None))]
fn opinion(
    py: Python<'_>,
    population: &str,
    agents: Option<usize>,
    sweeps: Option<usize>,
    seed: Option<u64>,
) -> PyResult<String> {
    let spec = self::population(py, population)?;
    let mut settings = multivector::opinion::OpinionSettings::of(&spec);
    settings.agents = agents.unwrap_or(settings.agents);
    settings.sweeps = sweeps.unwrap_or(settings.sweeps);
    settings.seed = seed.unwrap_or(settings.seed);
    let r = py
        .detach(|| multivector::opinion::opinion(&spec, &settings, &mut |_| {}))
        .map_err(run_error)?;
    json(&r)
}

/// Fits the population's free parameters to its polls (`multivector calibrate`).
#[pyfunction]
#[pyo3(signature = (population = "kazakhstan", agents = 5000, budget = 200, seed = None, hold_out = None, chains = 4, steps = 700, burn = 200))]
#[allow(clippy::too_many_arguments)]
fn calibrate(
    py: Python<'_>,
    population: &str,
    agents: usize,
    budget: usize,
    seed: Option<u64>,
    hold_out: Option<String>,
    chains: usize,
    steps: usize,
    burn: usize,
) -> PyResult<String> {
    if chains == 1 || chains > 64 || (chains > 1 && (burn >= steps || steps > 100_000)) {
        return Err(settings_error(
            "chains",
            format!(
                "chains={chains}, steps={steps}, burn={burn}: give 0 chains (no posterior) or 2 to 64 chains of more steps than burn-in (at most 100,000)"
            ),
        ));
    }
    // The CLI's ranges (clap checks them there).
    if !(1..=1_000_000).contains(&agents) {
        return Err(settings_error(
            "agents",
            format!("{agents}: give 1 to 1,000,000"),
        ));
    }
    if !(1..=100_000).contains(&budget) {
        return Err(settings_error(
            "budget",
            format!("{budget}: give 1 to 100,000"),
        ));
    }
    let spec = self::population(py, population)?;
    let seed = seed.unwrap_or(multivector::ensemble::DEFAULT_SEED);
    let settings = multivector::opinion::CalibrateSettings {
        agents,
        budget,
        seed,
        hold_out,
        posterior: (chains > 0).then_some(multivector::ensemble::calibrate::McmcSettings {
            chains,
            steps,
            burn,
            thin: 1,
            seed,
        }),
    };
    let r = py
        .detach(|| multivector::opinion::calibrate(&spec, &settings, &|_| {}))
        .map_err(|e| SettingsError::new_err(e.to_string()))?;
    json(&r)
}

/// Every shipped model scored against real outcomes in a DEU file (`multivector backtest`).
#[pyfunction]
#[pyo3(signature = (path, capabilities = "equal", missing_salience = "drop", bootstrap = 1000, draws = 0, seed = None, folds = 10))]
#[allow(clippy::too_many_arguments)]
fn backtest(
    py: Python<'_>,
    path: &str,
    capabilities: &str,
    missing_salience: &str,
    bootstrap: usize,
    draws: usize,
    seed: Option<u64>,
    folds: usize,
) -> PyResult<String> {
    use multivector::backtest::{BacktestSettings, Capabilities, MissingSalience};
    let settings = BacktestSettings {
        capabilities: match capabilities {
            "equal" => Capabilities::Equal,
            "council-votes" => Capabilities::CouncilVotes,
            other => {
                return Err(settings_error(
                    "capabilities",
                    format!("`{other}`: choose equal or council-votes"),
                ));
            }
        },
        missing_salience: match missing_salience {
            "drop" => MissingSalience::Drop,
            "issue-mean" => MissingSalience::IssueMean,
            "fifty" => MissingSalience::Fifty,
            other => {
                return Err(settings_error(
                    "missing_salience",
                    format!("`{other}`: choose drop, issue-mean or fifty"),
                ));
            }
        },
        bootstrap,
        draws,
        seed: seed.unwrap_or(multivector::ensemble::DEFAULT_SEED),
        folds,
        ..BacktestSettings::default()
    };
    let text = std::fs::read(path)
        .map_err(|e| settings_error("path", format!("{path}: cannot be read: {e}")))
        .and_then(|b| {
            String::from_utf8(b)
                .map_err(|_| settings_error("path", format!("{path}: not valid UTF-8")))
        })?;
    let issues =
        multivector::scenario::deu::parse_deu(path, &text).map_err(|e| scenario_error(py, &e))?;
    let r = py
        .detach(|| multivector::backtest::backtest(&issues, &settings))
        .map_err(|e| SettingsError::new_err(e.to_string()))?;
    json(&r)
}

fn votes_table(py: Python<'_>, data: &str) -> PyResult<multivector::votes::VoteTable> {
    py.detach(|| multivector::votes::load(Path::new(data)))
        .map(|(t, _)| t)
        .map_err(|e| ScenarioError::new_err(e.to_string()))
}

/// Agreement of `focal` with each partner in UN General Assembly votes, per year or session
/// (`multivector align`).
#[pyfunction]
#[pyo3(signature = (data, focal, vs, by = "year", start = None, end = None))]
fn align(
    py: Python<'_>,
    data: &str,
    focal: &str,
    vs: Vec<String>,
    by: &str,
    start: Option<i32>,
    end: Option<i32>,
) -> PyResult<String> {
    use multivector::votes::{Partner, Period, Selection, measures};
    let t = votes_table(py, data)?;
    let unknown = |raw: &str| {
        settings_error(
            "state",
            format!("`{raw}` is not a state in the data (give an ISO3 code, a UN name, or EU)"),
        )
    };
    let f = t.named(focal).ok_or_else(|| unknown(focal))?;
    let partners = vs
        .iter()
        .map(|p| Partner::named(&t, p).ok_or_else(|| unknown(p)))
        .collect::<PyResult<Vec<_>>>()?;
    let by = match by {
        "year" => Period::Year,
        "session" => Period::Session,
        other => {
            return Err(settings_error(
                "by",
                format!("`{other}`: choose year or session"),
            ));
        }
    };
    let sel = Selection {
        from: start,
        to: end,
        flag: None,
        topic: None,
    };
    let rows = py.detach(|| measures::align(&t, f, &partners, by, &sel));
    json(&rows)
}

/// How every state voted on the roll calls whose label matches `symbol`
/// (`multivector votes`).
#[pyfunction]
fn votes(py: Python<'_>, data: &str, symbol: &str) -> PyResult<String> {
    let t = votes_table(py, data)?;
    let rows = multivector::votes::measures::lookup(&t, symbol);
    if rows.is_empty() {
        return Err(settings_error(
            "symbol",
            format!("no roll call in the data matches `{symbol}`"),
        ));
    }
    json(&rows)
}

/// The bottom line of a run report, one row per issue, as JSON.
#[pyfunction]
fn bottom_lines(scenario: &Scenario, report: &str) -> PyResult<String> {
    let r = report_of(report)?;
    let rows: Vec<_> = r
        .bottom_lines(&scenario.scenario)
        .into_iter()
        .map(|b| serde_json::to_value(&b).unwrap_or_default())
        .collect();
    json(&rows)
}

/// The run as `multivector run` prints it: the bottom line, the forecasts, the retrodiction,
/// the ensemble and the two-level series, rendered by the same code as the CLI's.
#[pyfunction]
fn report_text(scenario: &Scenario, report: &str) -> PyResult<String> {
    let r = report_of(report)?;
    Ok(multivector_report::text::run::report(
        &scenario.scenario,
        &r,
    ))
}

/// A calibration as `multivector calibrate` prints it, from its JSON document.
#[pyfunction]
fn calibration_text(doc: &str) -> PyResult<String> {
    let c: multivector::opinion::CalibrationReport = serde_json::from_str(doc)
        .map_err(|e| settings_error("calibration", format!("not a calibration document: {e}")))?;
    Ok(multivector_report::text::opinion::calibration_table(&c))
}

fn report_of(doc: &str) -> PyResult<RunReport> {
    let v: serde_json::Value = serde_json::from_str(doc)
        .map_err(|e| settings_error("report", format!("not a JSON document: {e}")))?;
    RunReport::from_json(&v).map_err(run_error)
}

/// The run as the store keeps it: the report, the scenario's text, and any edits made in
/// Python (kept in the document, since the text does not carry them).
fn new_run(
    scenario: &Scenario,
    report: &str,
    command: &str,
) -> PyResult<multivector::store::NewRun> {
    let r = report_of(report)?;
    let mut doc: serde_json::Value = serde_json::from_str(report)
        .map_err(|e| settings_error("report", format!("not a JSON document: {e}")))?;
    if !scenario.edits.is_empty() {
        if let Some(o) = doc.as_object_mut() {
            o.insert(
                "edits".into(),
                serde_json::Value::Array(
                    scenario
                        .edits
                        .iter()
                        .map(|e| {
                            serde_json::json!({
                                "actor": e.actor, "issue": e.issue,
                                "field": e.field.name(), "value": e.value,
                            })
                        })
                        .collect(),
                ),
            );
        }
    }
    r.to_new_run(command, scenario.text.clone(), doc)
        .map_err(run_error)
}

fn store_error(e: impl std::fmt::Display) -> PyErr {
    StoreError::new_err(e.to_string())
}

/// The HTML report of a run (what `multivector run --report` writes).
#[pyfunction]
#[pyo3(signature = (scenario, report, view = None))]
fn report_html(scenario: &Scenario, report: &str, view: Option<&str>) -> PyResult<String> {
    let new = new_run(scenario, report, "run")?;
    let store = multivector::store::Store::open_in_memory().map_err(store_error)?;
    let id = store.save(&new).map_err(store_error)?;
    let run = store.get(id).map_err(store_error)?;
    multivector_report::html(&run, &scenario.scenario, view).map_err(|e| settings_error("view", e))
}

/// The run store (SQLite): the same file the CLI's `runs` commands and the web app read.
#[pyclass(module = "multivector._core")]
struct Store {
    /// One connection, used by one thread at a time (SQLite connections are not `Sync`).
    store: std::sync::Mutex<multivector::store::Store>,
    #[pyo3(get)]
    path: String,
}

impl Store {
    fn with<T>(
        &self,
        f: impl FnOnce(&multivector::store::Store) -> Result<T, multivector::store::StoreError>,
    ) -> PyResult<T> {
        let guard = self
            .store
            .lock()
            .map_err(|_| StoreError::new_err("the store was left unusable by an earlier error"))?;
        f(&guard).map_err(store_error)
    }
}

#[pymethods]
impl Store {
    /// Opens (creating if needed) the store at `path`.
    #[new]
    fn new(path: &str) -> PyResult<Self> {
        Ok(Store {
            store: std::sync::Mutex::new(
                multivector::store::Store::open(Path::new(path)).map_err(store_error)?,
            ),
            path: path.into(),
        })
    }

    /// Every run: id, time, command, scenario, version, seed, draws, as JSON.
    fn list(&self) -> PyResult<String> {
        let rows: Vec<serde_json::Value> = self
            .with(|s| s.list())?
            .into_iter()
            .map(|s| {
                serde_json::json!({
                    "id": s.id, "created": s.created, "command": s.command,
                    "scenario": s.scenario_id, "scenario_hash": s.scenario_hash,
                    "seed": s.seed, "draws": s.draws,
                })
            })
            .collect();
        json(&rows)
    }

    /// The stored document of run `id`.
    fn document(&self, id: i64) -> PyResult<String> {
        json(&self.with(|s| s.get(id))?.document)
    }

    /// The scenario text run `id` was made from.
    fn scenario_text(&self, id: i64) -> PyResult<String> {
        self.with(|s| s.scenario_text(id))
    }

    /// Saves a run report made from `scenario`; returns its id.
    #[pyo3(signature = (scenario, report, command = "run"))]
    fn save(&self, scenario: &Scenario, report: &str, command: &str) -> PyResult<i64> {
        let new = new_run(scenario, report, command)?;
        self.with(|s| s.save(&new))
    }

    /// Deletes run `id`.
    fn delete(&self, id: i64) -> PyResult<()> {
        self.with(|s| s.delete(id))
    }
}

/// The multivector version of the Rust library.
#[pyfunction]
fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// The default master seed (recorded with every run).
#[pyfunction]
fn default_seed() -> u64 {
    multivector::ensemble::DEFAULT_SEED
}

/// The names of the standard models, in report order.
#[pyfunction]
fn model_names() -> Vec<&'static str> {
    pipeline::MODEL_NAMES.to_vec()
}

/// Ensemble parts as bytes: a versioned little-endian layout, checked when read back.
mod part {
    use multivector::ensemble::Ensemble;

    const MAGIC: &[u8; 8] = b"MVPART02";

    pub(crate) fn encode(e: &Ensemble) -> Vec<u8> {
        let mut b = Vec::with_capacity(64 + 8 * (e.forecasts.len() + e.equidistance.len()));
        b.extend_from_slice(MAGIC);
        for x in [
            e.master_seed,
            e.first as u64,
            e.draws as u64,
            e.issues as u64,
            e.models.len() as u64,
        ] {
            b.extend_from_slice(&x.to_le_bytes());
        }
        for m in &e.models {
            b.extend_from_slice(&(m.len() as u64).to_le_bytes());
            b.extend_from_slice(m.as_bytes());
        }
        for x in e.forecasts.iter().chain(&e.equidistance) {
            b.extend_from_slice(&x.to_le_bytes());
        }
        // The kept paths over rounds: a length, then the numbers.
        for p in &e.paths {
            b.extend_from_slice(&(p.len() as u64).to_le_bytes());
            for x in p {
                b.extend_from_slice(&x.to_le_bytes());
            }
        }
        b
    }

    struct Reader<'a>(&'a [u8]);

    impl Reader<'_> {
        fn take(&mut self, n: usize) -> Result<&[u8], String> {
            if self.0.len() < n {
                return Err("the part is truncated".into());
            }
            let (h, t) = self.0.split_at(n);
            self.0 = t;
            Ok(h)
        }
        fn u64(&mut self) -> Result<u64, String> {
            let mut a = [0u8; 8];
            a.copy_from_slice(self.take(8)?);
            Ok(u64::from_le_bytes(a))
        }
        fn size(&mut self, limit: u64) -> Result<usize, String> {
            let v = self.u64()?;
            if v > limit {
                return Err(format!(
                    "a size of {v} is beyond {limit}: the part is damaged"
                ));
            }
            Ok(v as usize)
        }
    }

    pub(crate) fn decode(bytes: &[u8]) -> Result<Ensemble, String> {
        let mut r = Reader(bytes);
        if r.take(8)? != MAGIC {
            return Err("not an ensemble part of this multivector version".into());
        }
        let master_seed = r.u64()?;
        let limit = bytes.len() as u64;
        let first = r.size(u64::MAX / 2)?;
        let draws = r.size(limit)?;
        let issues = r.size(limit)?;
        let nm = r.size(limit)?;
        let mut models = Vec::with_capacity(nm);
        for _ in 0..nm {
            let n = r.size(limit)?;
            let s = std::str::from_utf8(r.take(n)?)
                .map_err(|_| "a model name is not UTF-8".to_string())?;
            models.push(s.to_string());
        }
        let nf = draws
            .checked_mul(issues)
            .and_then(|x| x.checked_mul(nm))
            .ok_or("the part's sizes overflow")?;
        let mut f64s = |n: usize| -> Result<Vec<f64>, String> {
            (0..n)
                .map(|_| r.u64().map(f64::from_bits))
                .collect::<Result<Vec<_>, _>>()
        };
        let forecasts = f64s(nf)?;
        let equidistance = f64s(draws * nm)?;
        let kept = multivector::ensemble::PATH_DRAWS
            .saturating_sub(first)
            .min(draws)
            * issues
            * nm;
        let mut paths = Vec::with_capacity(kept);
        for _ in 0..kept {
            let n = r.size(limit / 8)?;
            paths.push(
                (0..n)
                    .map(|_| r.u64().map(f64::from_bits))
                    .collect::<Result<Vec<_>, _>>()?,
            );
        }
        if !r.0.is_empty() {
            return Err("the part has bytes past its end".into());
        }
        Ok(Ensemble {
            master_seed,
            first,
            draws,
            issues,
            models,
            forecasts,
            equidistance,
            paths,
        })
    }
}

/// The compiled core of the `multivector` package.
#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("ScenarioError", py.get_type::<ScenarioError>())?;
    m.add("SettingsError", py.get_type::<SettingsError>())?;
    m.add("StoreError", py.get_type::<StoreError>())?;
    m.add_class::<Scenario>()?;
    m.add_class::<Store>()?;
    for f in [
        wrap_pyfunction!(builtin, m)?,
        wrap_pyfunction!(load, m)?,
        wrap_pyfunction!(run, m)?,
        wrap_pyfunction!(ensemble_part, m)?,
        wrap_pyfunction!(run_with_parts, m)?,
        wrap_pyfunction!(compare, m)?,
        wrap_pyfunction!(sensitivity, m)?,
        wrap_pyfunction!(opinion, m)?,
        wrap_pyfunction!(calibrate, m)?,
        wrap_pyfunction!(backtest, m)?,
        wrap_pyfunction!(align, m)?,
        wrap_pyfunction!(votes, m)?,
        wrap_pyfunction!(bottom_lines, m)?,
        wrap_pyfunction!(report_text, m)?,
        wrap_pyfunction!(calibration_text, m)?,
        wrap_pyfunction!(report_html, m)?,
        wrap_pyfunction!(version, m)?,
        wrap_pyfunction!(default_seed, m)?,
        wrap_pyfunction!(model_names, m)?,
    ] {
        m.add_function(f)?;
    }
    Ok(())
}
