//! The main job: every issue of a scenario through every model, scored against what happened,
//! profiled against the vectors, and (with draws) an ensemble over the declared uncertainty.
//! Every front end builds a [`RunSettings`], calls [`run`] and formats the typed
//! [`RunReport`]; the run store keeps the report as JSON and reads it back as this type.
//!
//! ```
//! use multivector::run::{run, RunSettings, NoProgress};
//!
//! let scenario = multivector::scenario::builtin::load("kazakhstan").unwrap().unwrap().scenario;
//! let settings = RunSettings { draws: 20, ..RunSettings::default() };
//! let report = run(&scenario, &settings, &NoProgress).unwrap();
//! let recognition = report.issue("recognition").unwrap();
//! assert!(recognition.forecasts["mean"].value.is_finite());
//! assert_eq!(report.ensemble.as_ref().unwrap().draws, 20);
//! ```

use indexmap::IndexMap;
use multivector_core::assess::{self, Alignment, IssueProfile, Profile, Retrodiction};
use multivector_core::{Forecast, Forecaster, Issue, IssueInput, ModelError, Scenario};
use multivector_ensemble::{BrierScore, Interval, IssueSummary, Model};
use multivector_models::baselines::{WeightedMean, WeightedMedian};
use multivector_models::bdm::{Bdm, BdmOptions, BdmRun, Preset};
use multivector_models::smp::{Smp, SmpOptions};
use serde::{Deserialize, Serialize};

/// Version of the [`RunReport`] document. Documents of another version are refused when read
/// back ([`RunReport::from_json`]), never half-read.
pub const RUN_SCHEMA_VERSION: u32 = 1;

/// The most ensemble draws one run accepts.
pub const MAX_DRAWS: usize = 1_000_000;

/// Everything that decides a run's numbers besides the scenario. The CLI, the web app and the
/// Python package build it the same way; the store keeps it beside the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSettings {
    #[serde(rename = "bdm-scholz")]
    /// Options of the expected-utility model, preset `scholz`.
    pub bdm_scholz: BdmOptions,
    #[serde(rename = "bdm-paper")]
    /// Options of the expected-utility model, preset `paper`.
    pub bdm_paper: BdmOptions,
    /// Options of the spatial model.
    pub smp: SmpOptions,
    /// Whether the two-level game (population and bargaining on one time axis) is run too.
    pub two_level: bool,
    /// The population variant of a two-level run.
    pub population_variant: Option<String>,
    /// Ensemble draws (0: point forecasts only).
    pub draws: usize,
    /// Master seed of the ensemble (draw `k` uses ChaCha8 on stream `k`).
    pub seed: u64,
}

impl Default for RunSettings {
    fn default() -> Self {
        Self {
            bdm_scholz: BdmOptions::preset(Preset::Scholz),
            bdm_paper: BdmOptions::preset(Preset::Paper),
            smp: SmpOptions::default(),
            two_level: false,
            population_variant: None,
            draws: 1000,
            seed: multivector_ensemble::DEFAULT_SEED,
        }
    }
}

impl RunSettings {
    /// Checks the settings; the error names the setting and its allowed range.
    pub fn validate(&self) -> Result<(), RunError> {
        self.bdm_scholz.validate()?;
        self.bdm_paper.validate()?;
        if self.draws > MAX_DRAWS {
            return Err(RunError::Settings {
                field: "draws",
                message: format!("{} is more than the limit of {MAX_DRAWS}", self.draws),
            });
        }
        Ok(())
    }

    /// The standard model set of these settings.
    pub fn models(&self) -> ModelSet {
        ModelSet::standard(self.bdm_scholz, self.bdm_paper, self.smp)
    }
}

/// The models a run uses, with their names, in report order.
#[derive(Debug)]
pub struct ModelSet {
    bdm: [(String, BdmOptions); 2],
    smp: SmpOptions,
}

/// The names of the standard model set, in report order.
pub const MODEL_NAMES: [&str; 5] = ["bdm-scholz", "bdm-paper", "smp", "mean", "median"];

impl ModelSet {
    /// Both expected-utility presets (with these options), the spatial model, the weighted
    /// mean and the weighted median.
    pub fn standard(scholz: BdmOptions, paper: BdmOptions, smp: SmpOptions) -> Self {
        ModelSet {
            bdm: [
                (MODEL_NAMES[0].to_string(), scholz),
                (MODEL_NAMES[1].to_string(), paper),
            ],
            smp,
        }
    }

    /// The model of this name (one of [`MODEL_NAMES`]).
    pub fn by_name(&self, name: &str) -> Option<Box<dyn Forecaster + Send + Sync>> {
        self.forecasters()
            .into_iter()
            .find(|(n, _)| n == name)
            .map(|(_, m)| m)
    }

    /// The models as the ensemble crate takes them.
    pub fn forecasters(&self) -> Vec<Model> {
        vec![
            (self.bdm[0].0.clone(), Box::new(Bdm::new(self.bdm[0].1))),
            (self.bdm[1].0.clone(), Box::new(Bdm::new(self.bdm[1].1))),
            (MODEL_NAMES[2].into(), Box::new(Smp::new(self.smp))),
            (MODEL_NAMES[3].into(), Box::new(WeightedMean)),
            (MODEL_NAMES[4].into(), Box::new(WeightedMedian)),
        ]
    }
}

/// Why a run could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    #[error("setting `{field}`: {message}")]
    /// A setting is out of its range.
    Settings {
        /// The setting.
        field: &'static str,
        /// What is wrong with it.
        message: String,
    },
    #[error(transparent)]
    /// An issue's input breaks an invariant.
    Input(#[from] multivector_core::InputError),
    #[error(transparent)]
    /// A model refused its input or options.
    Model(#[from] ModelError),
    #[error("the run document has schema version {found}; this multivector reads version {known}")]
    /// A stored document of another schema version.
    Schema {
        /// The version found.
        found: u32,
        /// The version this multivector reads.
        known: u32,
    },
    #[error("the run document cannot be read: {0}")]
    /// A stored document that is not a run report.
    Document(String),
    /// The variant's scenario cannot be run (its changes leave an issue without two actors,
    /// say).
    #[error("the variant `{variant}` cannot be run: {source}")]
    Variant {
        /// The variant.
        variant: String,
        /// Why its scenario cannot be run.
        source: Box<RunError>,
    },
}

impl RunError {
    /// Whether the error is the input's or the settings' fault (not the program's).
    pub fn is_input(&self) -> bool {
        match self {
            RunError::Settings { .. }
            | RunError::Input(_)
            | RunError::Model(_)
            | RunError::Schema { .. }
            | RunError::Document(_) => true,
            RunError::Variant { source, .. } => source.is_input(),
        }
    }
}

/// What a run tells its caller as it goes (argmin's shape: the run owns the loop, observers
/// watch). The CLI's progress bar and the web app's job page are two of them.
pub trait RunObserver: Sync {
    /// `done` of `total` ensemble draws finished (from any thread).
    fn draws(&self, done: usize, total: usize);
    /// `done` of `total` units of a sensitivity analysis finished (an input's sweep or a
    /// Morris trajectory; from any thread). Ignored unless implemented.
    fn screened(&self, _done: usize, _total: usize) {}
}

/// An observer that ignores everything.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl RunObserver for NoProgress {
    fn draws(&self, _: usize, _: usize) {}
}

/// A run's results: what `run --format json` prints and what the store keeps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    /// Version of this document's layout ([`RUN_SCHEMA_VERSION`]).
    pub schema_version: u32,
    /// The scenario run.
    pub scenario: ScenarioRef,
    /// The multivector version that made the report.
    pub version: String,
    /// Per issue, in scenario order.
    pub issues: Vec<IssueReport>,
    /// Per model, in report order.
    pub models: Vec<ModelReport>,
    /// The ensemble's summaries (None without draws).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ensemble: Option<EnsembleReport>,
    /// Both levels over time, when the run asked for them ([`crate::two_level`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub two_level: Option<crate::two_level::TwoLevelReport>,
    /// What a reader should be warned about, issue by issue ([`Warning`]).
    #[serde(default)]
    pub warnings: Vec<Warning>,
    /// The settings the run was made with (also stored beside it).
    pub settings: RunSettings,
    /// The BDM runs behind the expected-utility forecasts, round by round (for the CSV
    /// files of `run --out`; not part of the stored document).
    #[serde(skip)]
    pub bdm_runs: Vec<(usize, String, BdmRun)>,
}

/// The scenario a report is of.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioRef {
    /// The scenario's id.
    pub id: String,
    /// Its name.
    pub name: String,
}

/// One issue's results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IssueReport {
    /// The issue's id.
    pub id: String,
    /// The question it asks.
    pub question: String,
    /// Its scale.
    pub scale: ScaleRef,
    /// The actors with a stance on it.
    pub actors: Vec<String>,
    /// The status quo, when coded.
    pub status_quo: Option<f64>,
    /// What happened, when known.
    pub observed: Option<Observed>,
    /// By model, in report order.
    pub forecasts: IndexMap<String, ForecastReport>,
    /// Each model's forecast against the outcome.
    pub retrodiction: IndexMap<String, Retrodiction>,
    /// Each model's forecast against the vectors' positions.
    pub profile: IndexMap<String, IssueProfile>,
}

/// An issue's scale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScaleRef {
    /// Low end.
    pub min: f64,
    /// High end.
    pub max: f64,
    /// Unit, when stated.
    pub unit: Option<String>,
}

/// What happened on an issue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Observed {
    /// The observed value on the issue's scale.
    pub value: f64,
    /// When it was observed.
    pub date: String,
    /// Why it is left out of every score (None: scored).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unscored: Option<String>,
}

/// One model's forecast on one issue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForecastReport {
    /// The forecast on the issue's scale.
    pub value: f64,
    /// The scale's nearest labelled point, in words.
    pub label: String,
    /// Rounds run (round-based models).
    pub rounds: Option<usize>,
    /// How the number was obtained, when not obvious.
    pub note: Option<String>,
    /// The forecast's number after every round, the input first (round-based models): the
    /// weighted median position of the expected-utility model, the most probable position of
    /// the spatial model.
    pub trajectory: Option<Vec<f64>>,
}

/// One model across the issues: retrodiction and the multi-vector profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelReport {
    /// The model.
    pub model: String,
    /// Mean absolute error as a share of each scale's width, over the issues with an outcome.
    pub mean_error_scaled: Option<f64>,
    /// Issues with an outcome.
    pub issues_scored: usize,
    /// Equidistance index of its forecasts (None without two vectors).
    pub equidistance: Option<f64>,
    /// Mean alignment with each vector.
    pub alignment: Vec<Alignment>,
}

/// The ensemble's summaries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnsembleReport {
    /// Draws made.
    pub draws: usize,
    /// Master seed (draw `k` uses stream `k`).
    pub master_seed: u64,
    /// The multivector version that drew them.
    pub version: String,
    /// Quantiles and threshold probabilities per issue and model.
    pub issues: Vec<IssueSummary>,
    /// The equidistance index per model.
    pub equidistance: Vec<EquidistanceSummary>,
    /// Brier scores of the threshold probabilities per model.
    pub brier: Vec<BrierScore>,
}

/// The equidistance index of one model across the draws.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EquidistanceSummary {
    /// The model.
    pub model: String,
    /// Quantiles of its equidistance index over the draws.
    pub interval: Interval,
}

impl RunReport {
    /// The report of the issue with this id.
    pub fn issue(&self, id: &str) -> Option<&IssueReport> {
        self.issues.iter().find(|i| i.id == id)
    }

    /// Every point forecast as `(issue, model, value)`, in report order.
    pub fn forecast_rows(&self) -> Vec<(String, String, f64)> {
        self.issues
            .iter()
            .flat_map(|i| {
                i.forecasts
                    .iter()
                    .map(move |(m, f)| (i.id.clone(), m.clone(), f.value))
            })
            .collect()
    }

    /// Reads a document stored by any version of multivector: one written before schema
    /// versions existed (the same layout without `schema_version` and `settings`, and in the
    /// earliest runs `observed` as a bare number) is converted, its settings rebuilt from the
    /// stored seed and draws with the default model options; any other version goes through
    /// [`RunReport::from_json`], which refuses what it cannot read.
    pub fn from_stored(
        doc: &serde_json::Value,
        seed: u64,
        draws: usize,
    ) -> Result<RunReport, RunError> {
        if doc.get("schema_version").is_some() {
            return Self::from_json(doc);
        }
        let mut up = doc.clone();
        let settings = RunSettings {
            draws,
            seed,
            ..RunSettings::default()
        };
        if let serde_json::Value::Object(m) = &mut up {
            m.insert("schema_version".into(), RUN_SCHEMA_VERSION.into());
            m.insert(
                "settings".into(),
                serde_json::to_value(&settings).map_err(|e| RunError::Document(e.to_string()))?,
            );
            if let Some(serde_json::Value::Array(issues)) = m.get_mut("issues") {
                for iss in issues {
                    if let Some(v) = iss.get("observed").and_then(serde_json::Value::as_f64) {
                        iss["observed"] = serde_json::json!({"value": v, "date": ""});
                    }
                }
            }
        }
        Self::from_json(&up)
    }

    /// Reads a stored document back: a document of another schema version is an error,
    /// never read half-way.
    pub fn from_json(doc: &serde_json::Value) -> Result<RunReport, RunError> {
        let found = doc
            .get("schema_version")
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0) as u32;
        if found != RUN_SCHEMA_VERSION {
            return Err(RunError::Schema {
                found,
                known: RUN_SCHEMA_VERSION,
            });
        }
        serde_json::from_value(doc.clone()).map_err(|e| RunError::Document(e.to_string()))
    }
}

impl RunReport {
    /// The report as a run to store: the settings as its options, its forecasts as rows, and
    /// `document` (the report's JSON, with any parts a front end adds) as the document. The
    /// CLI and the web app store runs through this one function.
    pub fn to_new_run(
        &self,
        command: &str,
        scenario_text: String,
        document: serde_json::Value,
    ) -> Result<multivector_store::NewRun, RunError> {
        Ok(multivector_store::NewRun {
            command: command.into(),
            scenario_id: self.scenario.id.clone(),
            scenario_text,
            version: self.version.clone(),
            seed: self.settings.seed,
            draws: self.ensemble.as_ref().map_or(0, |e| e.draws),
            options: serde_json::to_value(&self.settings)
                .map_err(|e| RunError::Document(e.to_string()))?,
            forecasts: self.forecast_rows(),
            document,
        })
    }
}

/// The scale's nearest labelled point in words (`near 50: label` when not exactly on it).
pub fn label(issue: &Issue, v: f64) -> String {
    issue
        .scale
        .nearest_label(v)
        .map(|l| {
            if (l.value - v).abs() < 1e-9 {
                l.label.clone()
            } else {
                format!("near {}: {}", l.value, l.label)
            }
        })
        .unwrap_or_default()
}

/// Why a forecast deserves a second look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum WarningKind {
    /// The models' point forecasts span more than a third of the scale.
    ModelsDisagree,
    /// The forecast lies well outside where the actors with most weight stand.
    FarFromTheWeight,
    /// The forecast sits on one side of a threshold while its own ensemble puts a third or
    /// more of its draws on the other: small changes of the inputs flip it.
    Fragile,
}

/// A warning about one issue (and model, where it concerns one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Warning {
    /// The issue's id.
    pub issue: String,
    /// The model, when the warning is about one model's forecast.
    pub model: Option<String>,
    /// What kind of warning.
    pub kind: WarningKind,
    /// The reason, with its numbers.
    pub message: String,
}

/// Share of the scale by which a forecast may lie outside the weight's 10-90% band before
/// it is flagged.
pub(crate) const FAR_MARGIN: f64 = 0.1;
/// Share of the ensemble on the other side of a threshold that makes a forecast fragile.
const FRAGILE_SHARE: f64 = 1.0 / 3.0;

/// The warnings of a report of scenario `s`: disagreement between models, forecasts far from
/// the weighted actors (outside the positions that hold the middle 80% of the weight
/// `capability x salience`, by more than a tenth of the scale), and forecasts a threshold
/// flip makes fragile (from the ensemble, when there is one).
pub fn warnings(s: &Scenario, r: &RunReport) -> Vec<Warning> {
    let mut out = Vec::new();
    for (iss, b) in r.issues.iter().zip(r.bottom_lines(s)) {
        let Some(issue) = s.issues.iter().find(|i| i.id == iss.id) else {
            continue;
        };
        let width = issue.scale.width();
        if b.models_disagree() {
            out.push(Warning {
                issue: iss.id.clone(),
                model: None,
                kind: WarningKind::ModelsDisagree,
                message: format!(
                    "the models' forecasts run from {:.1} to {:.1}, more than a third of the scale",
                    b.range.0, b.range.1
                ),
            });
        }
        if let Some(k) = s.issue_index(&iss.id) {
            if let Ok(input) = s.issue_input(k) {
                let (lo, hi) = weight_band(input.positions(), &input.weights());
                for (model, f) in &iss.forecasts {
                    let gap = (lo - f.value).max(f.value - hi);
                    if gap > FAR_MARGIN * width {
                        out.push(Warning {
                            issue: iss.id.clone(),
                            model: Some(model.clone()),
                            kind: WarningKind::FarFromTheWeight,
                            message: format!(
                                "{model} forecasts {:.1}, {:.1} beyond the positions {lo:.1} to {hi:.1} that hold the middle 80% of the weight",
                                f.value, gap
                            ),
                        });
                    }
                }
            }
        }
        if let Some(e) = &r.ensemble {
            for x in e.issues.iter().filter(|x| x.issue == iss.id) {
                let Some(f) = iss.forecasts.get(&x.model) else {
                    continue;
                };
                for (t, (label, p)) in issue.thresholds.iter().zip(&x.thresholds) {
                    let other = if t.holds(f.value) { 1.0 - p } else { *p };
                    if other >= FRAGILE_SHARE {
                        out.push(Warning {
                            issue: iss.id.clone(),
                            model: Some(x.model.clone()),
                            kind: WarningKind::Fragile,
                            message: format!(
                                "{} forecasts {:.1} ({} \u{201c}{label}\u{201d}), but {:.0}% of its draws land on the other side",
                                x.model,
                                f.value,
                                if t.holds(f.value) { "on the side of" } else { "off the side of" },
                                100.0 * other
                            ),
                        });
                    }
                }
            }
        }
    }
    out
}

/// The positions between which the middle 80% of the weight lies (weighted 10th and 90th
/// percentiles, the lower position on a tie).
pub(crate) fn weight_band(x: &[f64], w: &[f64]) -> (f64, f64) {
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let total: f64 = w.iter().sum();
    let at = |q: f64| {
        let mut acc = 0.0;
        for &i in &order {
            acc += w[i];
            if acc >= q * total {
                return x[i];
            }
        }
        x[order[order.len() - 1]]
    };
    (at(0.1), at(0.9))
}

/// The model whose forecast a bottom line leads with: the weighted mean, the model with the
/// lowest error on real outcomes (the DEU III backtest, `docs/validation.md`: no other shipped
/// model beats it; the spatial model ties, both expected-utility presets lose).
pub const LEADING_MODEL: &str = "mean";

/// An issue's answer in words: what a reader should see first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BottomLine {
    /// The issue's id.
    pub issue: String,
    /// The question it asks.
    pub question: String,
    /// The model the forecast comes from ([`LEADING_MODEL`]).
    pub model: String,
    /// Its point forecast.
    pub forecast: f64,
    /// The forecast in the scale's words: the label it sits on, or the two it lies between
    /// (never a nearest label that a threshold probability beside it could contradict).
    pub words: String,
    /// The 10-90% interval of the model's ensemble (None without draws).
    pub interval80: Option<(f64, f64)>,
    /// The probability of each threshold's side, from the model's ensemble.
    pub thresholds: Vec<(String, f64)>,
    /// The lowest and highest point forecast of all models.
    pub range: (f64, f64),
    /// That range as a share of the scale's width.
    pub disagreement: f64,
}

impl BottomLine {
    /// Whether the models disagree by more than a third of the scale.
    pub fn models_disagree(&self) -> bool {
        self.disagreement > 1.0 / 3.0
    }
}

/// The scale's words for `v`: the labelled point it sits on, or the two it lies between.
pub fn scale_words(issue: &Issue, v: f64) -> String {
    let labels = &issue.scale.labels;
    if let Some(l) = labels.iter().find(|l| (l.value - v).abs() < 1e-9) {
        return l.label.clone();
    }
    let below = labels.iter().rev().find(|l| l.value < v);
    let above = labels.iter().find(|l| l.value > v);
    match (below, above) {
        (Some(a), Some(b)) => format!(
            "between \u{201c}{}\u{201d} and \u{201c}{}\u{201d}",
            a.label, b.label
        ),
        (Some(a), None) => format!("beyond \u{201c}{}\u{201d}", a.label),
        (None, Some(b)) => format!("short of \u{201c}{}\u{201d}", b.label),
        (None, None) => String::new(),
    }
}

impl RunReport {
    /// How [`LEADING_MODEL`] scored on this scenario's own scored outcomes, beside the best
    /// model there, in one sentence (None when no outcome is scored). The bottom line rests on
    /// the DEU backtest; this says whether the scenario agrees.
    pub fn own_record(&self) -> Option<String> {
        let scored: Vec<&ModelReport> = self
            .models
            .iter()
            .filter(|m| m.mean_error_scaled.is_some())
            .collect();
        let err = |m: &ModelReport| m.mean_error_scaled.unwrap_or(f64::INFINITY);
        let lead = scored.iter().find(|m| m.model == LEADING_MODEL)?;
        let best = scored.iter().min_by(|a, b| err(a).total_cmp(&err(b)))?;
        let rank = 1 + scored.iter().filter(|m| err(m) < err(lead)).count();
        let brier = |model: &str| {
            self.ensemble
                .as_ref()
                .and_then(|e| e.brier.iter().find(|b| b.model == model))
                .map_or(String::new(), |b| format!(", Brier {:.2}", b.brier))
        };
        let mut s = format!(
            "On this scenario's {} scored outcome(s) it ranks {rank} of {} (error {:.2} of the scale{})",
            lead.issues_scored,
            scored.len(),
            err(lead),
            brier(LEADING_MODEL)
        );
        if best.model != LEADING_MODEL {
            s.push_str(&format!(
                "; {} did best ({:.2}{})",
                best.model,
                err(best),
                brier(&best.model)
            ));
        }
        s.push('.');
        Some(s)
    }

    /// The bottom line of every issue, in scenario order, from [`LEADING_MODEL`].
    pub fn bottom_lines(&self, s: &Scenario) -> Vec<BottomLine> {
        self.issues
            .iter()
            .filter_map(|iss| {
                let issue = s.issues.iter().find(|i| i.id == iss.id)?;
                let f = iss.forecasts.get(LEADING_MODEL)?;
                let values: Vec<f64> = iss.forecasts.values().map(|f| f.value).collect();
                let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let summary = self.ensemble.as_ref().and_then(|e| {
                    e.issues
                        .iter()
                        .find(|x| x.issue == iss.id && x.model == LEADING_MODEL)
                });
                Some(BottomLine {
                    issue: iss.id.clone(),
                    question: iss.question.clone(),
                    model: LEADING_MODEL.to_string(),
                    forecast: f.value,
                    words: scale_words(issue, f.value),
                    interval80: summary.map(|x| (x.forecast.p10, x.forecast.p90)),
                    thresholds: summary.map(|x| x.thresholds.clone()).unwrap_or_default(),
                    range: (lo, hi),
                    disagreement: (hi - lo) / issue.scale.width(),
                })
            })
            .collect()
    }
}

/// One issue's point forecasts by model, with its input.
type PointForecasts = (usize, Vec<(String, Forecast)>, IssueInput);

/// Runs every model on every issue of `s`, scores and profiles the forecasts and, with
/// `settings.draws > 0`, draws the ensemble. Deterministic: the same scenario, settings and
/// version give the same report, whatever the thread count.
pub fn run(
    s: &Scenario,
    settings: &RunSettings,
    observer: &dyn RunObserver,
) -> Result<RunReport, RunError> {
    run_inner(s, settings, Draws::Here(observer))
}

/// The draws `range` of the ensemble [`run`] draws under `settings` (a part for another
/// thread pool or machine: a cluster's worker computes its parts from the scenario, the
/// settings and the range alone). Join the parts with
/// [`multivector_ensemble::Ensemble::concat`] and pass them to [`run_with_ensemble`].
pub fn ensemble_part(
    s: &Scenario,
    settings: &RunSettings,
    range: std::ops::Range<usize>,
) -> Result<multivector_ensemble::Ensemble, RunError> {
    settings.validate()?;
    if range.end > settings.draws {
        return Err(RunError::Settings {
            field: "draws",
            message: format!(
                "draws {}..{} lie beyond the {} draws of the settings",
                range.start, range.end, settings.draws
            ),
        });
    }
    Ok(multivector_ensemble::run_range(
        s,
        None,
        &settings.models().forecasters(),
        range,
        settings.seed,
        &|_| {},
    )?)
}

/// As [`run`], with the ensemble drawn elsewhere (parts from [`ensemble_part`], joined). The
/// report equals [`run`]'s, bit for bit; an ensemble of other settings (draws, seed, models,
/// scenario size) is refused.
pub fn run_with_ensemble(
    s: &Scenario,
    settings: &RunSettings,
    ensemble: multivector_ensemble::Ensemble,
) -> Result<RunReport, RunError> {
    let models: Vec<String> = settings
        .models()
        .forecasters()
        .into_iter()
        .map(|m| m.0)
        .collect();
    let mismatch = |what: &str| RunError::Settings {
        field: "ensemble",
        message: format!("the ensemble was drawn with other {what} than these settings"),
    };
    if ensemble.first != 0 || ensemble.draws != settings.draws {
        return Err(mismatch("draws"));
    }
    if ensemble.master_seed != settings.seed {
        return Err(mismatch("a seed"));
    }
    if ensemble.models != models || ensemble.issues != s.issues.len() {
        return Err(mismatch("models or issues"));
    }
    run_inner(s, settings, Draws::Given(ensemble))
}

/// Where a run's ensemble comes from.
enum Draws<'a> {
    /// Drawn by the run, watched by the observer.
    Here(&'a dyn RunObserver),
    /// Drawn already.
    Given(multivector_ensemble::Ensemble),
}

fn run_inner(s: &Scenario, settings: &RunSettings, draws: Draws) -> Result<RunReport, RunError> {
    settings.validate()?;
    let set = settings.models();
    let mut smp = multivector_core::forecast_issues(s, &Smp::new(settings.smp))?.into_iter();
    let mut issues = Vec::with_capacity(s.issues.len());
    let mut bdm_runs = Vec::new();
    let mut point: Vec<PointForecasts> = Vec::new();
    for k in 0..s.issues.len() {
        let input = s.issue_input(k)?;
        let mut rows: Vec<(String, Forecast)> = Vec::new();
        for (name, o) in &set.bdm {
            let r = Bdm::new(*o).run(&input)?;
            rows.push((name.clone(), r.forecast()));
            bdm_runs.push((k, name.clone(), r));
        }
        rows.push((
            MODEL_NAMES[2].into(),
            smp.next().ok_or_else(|| {
                ModelError::Missing("the spatial model gave no forecast for an issue".into())
            })?,
        ));
        let baselines: [&dyn Forecaster; 2] = [&WeightedMean, &WeightedMedian];
        for m in baselines {
            rows.push((m.name(), m.forecast(&input)?));
        }
        point.push((k, rows, input));
    }

    // Retrodiction and profile per model.
    let judged: Vec<(String, Vec<Retrodiction>, Profile)> = MODEL_NAMES
        .iter()
        .map(|&m| {
            let forecasts: Vec<(usize, f64)> = point
                .iter()
                .filter_map(|(k, rows, _)| rows.iter().find(|r| r.0 == m).map(|r| (*k, r.1.value)))
                .collect();
            (
                m.to_string(),
                forecasts
                    .iter()
                    .filter_map(|&(k, f)| assess::retrodict(&s.issues[k], f))
                    .collect(),
                assess::profile(s, s.meta.focal, &forecasts),
            )
        })
        .collect();

    for (k, rows, input) in &point {
        let iss = &s.issues[*k];
        let forecasts = rows
            .iter()
            .map(|(name, f)| {
                (
                    name.clone(),
                    ForecastReport {
                        value: f.value,
                        label: label(iss, f.value),
                        rounds: f.rounds,
                        note: f.note.clone(),
                        trajectory: f.path.clone(),
                    },
                )
            })
            .collect();
        let mut retrodiction = IndexMap::new();
        let mut profile = IndexMap::new();
        for (m, retro, prof) in &judged {
            if let Some(p) = prof.issues.iter().find(|p| p.issue == iss.id) {
                profile.insert(m.clone(), p.clone());
            }
            if let Some(r) = retro.iter().find(|r| r.issue == iss.id) {
                retrodiction.insert(m.clone(), r.clone());
            }
        }
        issues.push(IssueReport {
            id: iss.id.clone(),
            question: iss.question.clone(),
            scale: ScaleRef {
                min: iss.scale.min,
                max: iss.scale.max,
                unit: iss.scale.unit.clone(),
            },
            actors: input.actor_ids().to_vec(),
            status_quo: iss.status_quo,
            observed: iss.outcome.as_ref().map(|o| Observed {
                value: o.value,
                date: o.date.clone(),
                unscored: o.unscored.clone(),
            }),
            forecasts,
            retrodiction,
            profile,
        });
    }
    let models = judged
        .iter()
        .map(|(m, retro, prof)| ModelReport {
            model: m.clone(),
            mean_error_scaled: (!retro.is_empty())
                .then(|| retro.iter().map(|r| r.error_scaled).sum::<f64>() / retro.len() as f64),
            issues_scored: retro.len(),
            equidistance: prof.equidistance,
            alignment: prof.alignment.clone(),
        })
        .collect();

    let ensemble = match draws {
        _ if settings.draws == 0 => None,
        Draws::Given(e) => Some(ensemble_report(s, &e)),
        Draws::Here(observer) => {
            let total = settings.draws;
            let e = multivector_ensemble::run_variant(
                s,
                None,
                &set.forecasters(),
                total,
                settings.seed,
                &|k| observer.draws(k, total),
            )?;
            Some(ensemble_report(s, &e))
        }
    };
    let mut report = RunReport {
        schema_version: RUN_SCHEMA_VERSION,
        scenario: ScenarioRef {
            id: s.meta.id.clone(),
            name: s.meta.name.clone(),
        },
        version: env!("CARGO_PKG_VERSION").to_string(),
        issues,
        models,
        warnings: Vec::new(),
        ensemble,
        two_level: None,
        settings: settings.clone(),
        bdm_runs,
    };
    report.warnings = warnings(s, &report);
    Ok(report)
}

/// The summaries of an ensemble of `s`.
pub fn ensemble_report(s: &Scenario, e: &multivector_ensemble::Ensemble) -> EnsembleReport {
    let (issues, eq) = multivector_ensemble::summarise(s, e);
    let brier = multivector_ensemble::brier(s, &issues);
    EnsembleReport {
        draws: e.draws,
        master_seed: e.master_seed,
        version: env!("CARGO_PKG_VERSION").to_string(),
        issues,
        equidistance: eq
            .into_iter()
            .map(|(model, interval)| EquidistanceSummary { model, interval })
            .collect(),
        brier,
    }
}

/// A variant against its baseline: point forecasts of both, and (with draws) the per-draw
/// difference on common random numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompareReport {
    /// The scenario's id.
    pub scenario: String,
    /// The variant's name.
    pub variant: String,
    /// What the variant changes.
    pub description: String,
    /// Draws of each ensemble.
    pub draws: usize,
    /// Master seed shared by both ensembles.
    pub master_seed: u64,
    /// The multivector version.
    pub version: String,
    /// One row per issue and model.
    pub rows: Vec<CompareRow>,
}

/// One issue and model of a [`CompareReport`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompareRow {
    /// The issue's id.
    pub issue: String,
    /// The model.
    pub model: String,
    /// Point forecast of the baseline.
    pub baseline: f64,
    /// Point forecast of the variant.
    pub variant: f64,
    /// `variant - baseline`.
    pub difference: f64,
    /// Quantiles of the per-draw difference (None without draws).
    pub difference_interval: Option<Interval>,
}

/// Every model's point forecasts on every issue of `s`, `[issue * models + model]`.
fn point_forecasts(s: &Scenario, models: &[Model]) -> Result<Vec<f64>, RunError> {
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

/// Compares the variant named `variant` with `s` itself under `settings` (both runs draw from
/// the same master seed: common random numbers, so the per-draw difference is the variant's
/// effect). `observer` sees the draws of both ensembles, baseline first.
pub fn compare(
    s: &Scenario,
    variant: &str,
    settings: &RunSettings,
    observer: &dyn RunObserver,
) -> Result<CompareReport, RunError> {
    settings.validate()?;
    let v = s.variant(variant).ok_or_else(|| RunError::Settings {
        field: "variant",
        message: format!(
            "`{}` has no variant `{variant}`; variants: {}",
            s.meta.id,
            s.variant_names()
        ),
    })?;
    let models = settings.models().forecasters();
    let base = point_forecasts(s, &models)?;
    let var = point_forecasts(&s.apply(v), &models).map_err(|e| RunError::Variant {
        variant: v.name.clone(),
        source: Box::new(e),
    })?;
    let draws = settings.draws;
    let ens = if draws > 0 {
        let run = |variant, offset: usize| {
            multivector_ensemble::run_variant(s, variant, &models, draws, settings.seed, &|k| {
                observer.draws(offset + k, 2 * draws)
            })
        };
        Some((run(None, 0)?, run(Some(v), draws)?))
    } else {
        None
    };
    let nm = models.len();
    let mut rows = Vec::new();
    for (k, iss) in s.issues.iter().enumerate() {
        for (mi, (name, _)) in models.iter().enumerate() {
            let difference_interval = ens.as_ref().map(|(b, x)| {
                let d: Vec<f64> = b
                    .series(k, mi)
                    .iter()
                    .zip(x.series(k, mi))
                    .map(|(a, b)| b - a)
                    .collect();
                Interval::of(&d)
            });
            let (baseline, variant) = (base[k * nm + mi], var[k * nm + mi]);
            rows.push(CompareRow {
                issue: iss.id.clone(),
                model: name.clone(),
                baseline,
                variant,
                difference: variant - baseline,
                difference_interval,
            });
        }
    }
    Ok(CompareReport {
        scenario: s.meta.id.clone(),
        variant: v.name.clone(),
        description: v.description.clone(),
        draws,
        master_seed: settings.seed,
        version: env!("CARGO_PKG_VERSION").to_string(),
        rows,
    })
}

/// Which uncertain inputs move one issue's forecast most under one model: one-at-a-time
/// swings and Morris screening with `trajectories` trajectories, seeded by `settings.seed`.
/// Rows sorted by Morris mu*, largest first. An empty list: no stance on the issue declares
/// any uncertainty.
pub fn sensitivity(
    s: &Scenario,
    issue: &str,
    model: &str,
    settings: &RunSettings,
    trajectories: usize,
) -> Result<Vec<multivector_ensemble::sensitivity::Effect>, RunError> {
    sensitivity_observed(s, issue, model, settings, trajectories, &NoProgress)
}

/// [`sensitivity`], telling `observer` as each input's sweep and each trajectory finishes
/// ([`RunObserver::screened`]); the numbers are those of [`sensitivity`].
pub fn sensitivity_observed(
    s: &Scenario,
    issue: &str,
    model: &str,
    settings: &RunSettings,
    trajectories: usize,
    observer: &dyn RunObserver,
) -> Result<Vec<multivector_ensemble::sensitivity::Effect>, RunError> {
    let k = s.issue_index(issue).ok_or_else(|| RunError::Settings {
        field: "issue",
        message: format!("`{}` has no issue `{issue}`", s.meta.id),
    })?;
    if trajectories == 0 {
        return Err(RunError::Settings {
            field: "trajectories",
            message: "at least one trajectory is needed".into(),
        });
    }
    let m = settings
        .models()
        .by_name(model)
        .ok_or_else(|| RunError::Settings {
            field: "model",
            message: format!("no model `{model}`; models: {}", MODEL_NAMES.join(", ")),
        })?;
    Ok(multivector_ensemble::sensitivity::analyse_observed(
        s,
        k,
        m.as_ref(),
        trajectories,
        settings.seed,
        &|done, total| observer.screened(done, total),
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kazakhstan() -> Scenario {
        multivector_scenario::builtin::load("kazakhstan")
            .and_then(Result::ok)
            .map(|l| l.scenario)
            .unwrap_or_else(|| panic!("the built-in scenario loads"))
    }

    #[test]
    fn the_own_record_ranks_the_leading_model_by_this_scenarios_errors() {
        let s = kazakhstan();
        let r = run(
            &s,
            &RunSettings {
                draws: 0,
                ..RunSettings::default()
            },
            &NoProgress,
        )
        .unwrap();
        let errs: Vec<(String, f64)> = r
            .models
            .iter()
            .map(|m| (m.model.clone(), m.mean_error_scaled.unwrap()))
            .collect();
        let mean = errs.iter().find(|e| e.0 == "mean").unwrap().1;
        let rank = 1 + errs.iter().filter(|e| e.1 < mean).count();
        let best = errs.iter().min_by(|a, b| a.1.total_cmp(&b.1)).unwrap();
        let text = r.own_record().unwrap();
        assert!(
            text.contains(&format!("ranks {rank} of 5 (error {mean:.2}")),
            "{text}"
        );
        assert!(
            text.contains(&format!("{} did best ({:.2}", best.0, best.1)),
            "{text}"
        );
    }

    #[test]
    fn a_run_on_an_ensemble_joined_from_parts_equals_the_run() {
        let s = kazakhstan();
        let settings = RunSettings {
            draws: 24,
            seed: 5,
            ..RunSettings::default()
        };
        let whole = run(&s, &settings, &NoProgress).unwrap();
        let parts = [0..10, 10..11, 11..24]
            .into_iter()
            .map(|r| ensemble_part(&s, &settings, r).unwrap())
            .collect();
        let joined = multivector_ensemble::Ensemble::concat(parts).unwrap();
        let from_parts = run_with_ensemble(&s, &settings, joined.clone()).unwrap();
        assert_eq!(
            serde_json::to_string(&from_parts).unwrap(),
            serde_json::to_string(&whole).unwrap()
        );
        // Parts of other settings are refused, never summarised as these.
        let other = RunSettings {
            seed: 6,
            ..settings.clone()
        };
        assert!(run_with_ensemble(&s, &other, joined).is_err());
        assert!(ensemble_part(&s, &settings, 20..25).is_err());
    }

    #[test]
    fn a_report_reads_back_as_itself_and_other_versions_are_refused() {
        let s = kazakhstan();
        let settings = RunSettings {
            draws: 12,
            ..RunSettings::default()
        };
        let mut report = run(&s, &settings, &NoProgress).unwrap_or_else(|e| panic!("{e}"));
        let json = serde_json::to_value(&report).unwrap_or_default();
        let back = RunReport::from_json(&json).unwrap_or_else(|e| panic!("{e}"));
        // Everything but the BDM rounds (kept for CSV files, not stored).
        report.bdm_runs.clear();
        assert_eq!(back, report);
        let mut old = json.clone();
        old["schema_version"] = serde_json::json!(0);
        assert!(matches!(
            RunReport::from_json(&old),
            Err(RunError::Schema {
                found: 0,
                known: RUN_SCHEMA_VERSION
            })
        ));
        // A document from before schema versions is converted.
        let mut v0 = json.clone();
        if let serde_json::Value::Object(m) = &mut v0 {
            m.remove("schema_version");
            m.remove("settings");
        }
        let up = RunReport::from_stored(&v0, report.settings.seed, report.settings.draws)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(up.issues, report.issues);
        assert_eq!(up.settings.seed, report.settings.seed);
        let mut broken = json;
        broken["issues"] = serde_json::json!("not a list");
        assert!(matches!(
            RunReport::from_json(&broken),
            Err(RunError::Document(_))
        ));
    }

    #[test]
    fn the_weighted_mean_in_a_report_follows_its_closed_form() {
        // sum(c s x) / sum(c s) over the stances of one issue, computed here from the scenario.
        let s = kazakhstan();
        let report = run(
            &s,
            &RunSettings {
                draws: 0,
                ..RunSettings::default()
            },
            &NoProgress,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(report.ensemble.is_none());
        for (k, iss) in s.issues.iter().enumerate() {
            let input = s.issue_input(k).unwrap_or_else(|e| panic!("{e}"));
            let (mut num, mut den) = (0.0, 0.0);
            for a in 0..input.len() {
                let w = input.capabilities()[a] * input.saliences()[a];
                num += w * input.positions()[a];
                den += w;
            }
            let got = report.issue(&iss.id).map(|i| i.forecasts["mean"].value);
            let want = num / den;
            assert!(
                got.is_some_and(|g| (g - want).abs() < 1e-9),
                "{}: {got:?} vs {want}",
                iss.id
            );
        }
    }

    #[test]
    fn compare_points_follow_the_varied_scenario_and_errors_are_typed() {
        let s = kazakhstan();
        let settings = RunSettings {
            draws: 8,
            ..RunSettings::default()
        };
        let c = compare(&s, "russia-capability-halved", &settings, &NoProgress)
            .unwrap_or_else(|e| panic!("{e}"));
        // The point forecasts of the variant are those of a run of the varied scenario.
        let varied = s.apply(
            s.variant("russia-capability-halved")
                .unwrap_or_else(|| panic!()),
        );
        let direct = run(
            &varied,
            &RunSettings {
                draws: 0,
                ..RunSettings::default()
            },
            &NoProgress,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        for r in &c.rows {
            let want = direct.issue(&r.issue).map(|i| i.forecasts[&r.model].value);
            assert_eq!(Some(r.variant), want, "{} {}", r.issue, r.model);
            assert_eq!(r.difference, r.variant - r.baseline);
            assert!(r.difference_interval.is_some());
        }
        assert!(matches!(
            compare(&s, "nope", &settings, &NoProgress),
            Err(RunError::Settings {
                field: "variant",
                ..
            })
        ));
        assert!(matches!(
            sensitivity(&s, "recognition", "nope", &settings, 2),
            Err(RunError::Settings { field: "model", .. })
        ));
        assert!(matches!(
            sensitivity(&s, "nope", "mean", &settings, 2),
            Err(RunError::Settings { field: "issue", .. })
        ));
        let rows =
            sensitivity(&s, "recognition", "mean", &settings, 4).unwrap_or_else(|e| panic!("{e}"));
        assert!(rows.windows(2).all(|w| w[0].mu_star >= w[1].mu_star));
        // Observed: every input's sweep and every trajectory counted once, the same numbers.
        struct Count(std::sync::Mutex<Vec<(usize, usize)>>);
        impl RunObserver for Count {
            fn draws(&self, _: usize, _: usize) {}
            fn screened(&self, done: usize, total: usize) {
                self.0.lock().map(|mut v| v.push((done, total))).ok();
            }
        }
        let seen = Count(std::sync::Mutex::new(Vec::new()));
        let observed = sensitivity_observed(&s, "recognition", "mean", &settings, 4, &seen)
            .unwrap_or_else(|e| panic!("{e}"));
        let mut calls = seen.0.into_inner().unwrap_or_default();
        calls.sort();
        let total = rows.len() + 4;
        assert_eq!(calls, (1..=total).map(|d| (d, total)).collect::<Vec<_>>());
        let bits = |r: &[multivector_ensemble::sensitivity::Effect]| {
            r.iter()
                .map(|e| (e.swing.to_bits(), e.mu_star.to_bits(), e.sigma.to_bits()))
                .collect::<Vec<_>>()
        };
        assert_eq!(bits(&rows), bits(&observed));
    }

    #[test]
    fn bottom_lines_use_words_that_cannot_contradict_the_probabilities() {
        let s = kazakhstan();
        let r = run(
            &s,
            &RunSettings {
                draws: 20,
                ..RunSettings::default()
            },
            &NoProgress,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let lines = r.bottom_lines(&s);
        assert_eq!(lines.len(), s.issues.len());
        for b in &lines {
            let issue = s
                .issues
                .iter()
                .find(|i| i.id == b.issue)
                .unwrap_or_else(|| panic!());
            // The words name the labelled points around the forecast, never one beyond it.
            for l in &issue.scale.labels {
                if b.words.contains(&format!("\u{201c}{}\u{201d}", l.label)) {
                    let between_neighbours = issue.scale.labels.iter().all(|m| {
                        !(m.value > l.value.min(b.forecast) && m.value < l.value.max(b.forecast))
                    });
                    assert!(
                        between_neighbours,
                        "{}: {} for {}",
                        b.issue, b.words, b.forecast
                    );
                }
            }
            assert!(b.range.0 <= b.forecast && b.forecast <= b.range.1);
            let (lo, hi) = b.interval80.unwrap_or_else(|| panic!("with draws"));
            assert!(lo <= hi);
        }
    }

    #[test]
    fn warnings_follow_their_rules() {
        let s = kazakhstan();
        let mut r = run(
            &s,
            &RunSettings {
                draws: 20,
                ..RunSettings::default()
            },
            &NoProgress,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        // Recognition: forecasts from 10 to 45.7 on 0-100, more than a third apart.
        let kinds = |r: &RunReport, issue: &str| -> Vec<WarningKind> {
            r.warnings
                .iter()
                .filter(|w| w.issue == issue)
                .map(|w| w.kind)
                .collect()
        };
        assert!(kinds(&r, "recognition").contains(&WarningKind::ModelsDisagree));
        assert!(!kinds(&r, "troops").contains(&WarningKind::ModelsDisagree));
        // Move the mean's forecast on an issue to the end of the scale farther from where the
        // weight lies (the first issue where that end is more than a tenth of the scale
        // beyond the weight's 10-90% band).
        let (k, far) = (0..s.issues.len())
            .find_map(|k| {
                let input = s.issue_input(k).ok()?;
                let (lo, hi) = weight_band(input.positions(), &input.weights());
                let sc = &s.issues[k].scale;
                let far = if lo - sc.min > sc.max - hi {
                    sc.min
                } else {
                    sc.max
                };
                ((lo - far).max(far - hi) > FAR_MARGIN * sc.width()).then_some((k, far))
            })
            .unwrap_or_else(|| panic!("an issue with a far end"));
        let id = s.issues[k].id.clone();
        let at = r.issues.iter().position(|i| i.id == id).unwrap_or(0);
        if let Some(f) = r.issues[at].forecasts.get_mut("mean") {
            f.value = far;
        }
        let w = warnings(&s, &r);
        assert!(w.iter().any(|x| x.issue == id
            && x.kind == WarningKind::FarFromTheWeight
            && x.model.as_deref() == Some("mean")));
        // Put all of the mean's draws on the other side of its first threshold: fragile.
        if !s.issues[k].thresholds.is_empty() {
            let holds = s.issues[k].thresholds[0].holds(far);
            let e = r.ensemble.as_mut().unwrap_or_else(|| panic!());
            let x = e
                .issues
                .iter_mut()
                .find(|x| x.issue == id && x.model == "mean")
                .unwrap_or_else(|| panic!());
            x.thresholds[0].1 = if holds { 0.0 } else { 1.0 };
            let w = warnings(&s, &r);
            assert!(w.iter().any(|x| x.issue == id
                && x.kind == WarningKind::Fragile
                && x.model.as_deref() == Some("mean")));
        }
    }

    #[test]
    fn too_many_draws_are_refused_before_any_work() {
        let e = run(
            &kazakhstan(),
            &RunSettings {
                draws: MAX_DRAWS + 1,
                ..RunSettings::default()
            },
            &NoProgress,
        );
        assert!(matches!(e, Err(RunError::Settings { field: "draws", .. })));
    }
}
