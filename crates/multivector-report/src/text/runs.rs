//! `multivector runs` as text: the stored runs, one run, two runs side by side, an export.

use multivector::store::{Run, Summary};
use serde::Serialize;

use super::{TextError, csv_text, full, num, table};

const LIST_HEADER: [&str; 7] = [
    "id", "created", "command", "scenario", "hash", "seed", "draws",
];

fn list_rows(runs: &[Summary]) -> Vec<Vec<String>> {
    runs.iter()
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
        .collect()
}

/// The stored runs, newest first, as a table.
pub fn list_table(runs: &[Summary]) -> String {
    let mut t = table(LIST_HEADER);
    for r in list_rows(runs) {
        t.add_row(r);
    }
    format!("{t}\n")
}

/// The stored runs as CSV (the hash cut to 12 characters).
pub fn list_csv(runs: &[Summary]) -> Result<String, TextError> {
    csv_text(&LIST_HEADER, &list_rows(runs))
}

/// One stored run in `runs list --format json`.
#[derive(Debug, Serialize)]
pub struct ListedRun<'a> {
    id: i64,
    created: &'a str,
    command: &'a str,
    scenario: &'a str,
    hash: &'a str,
    seed: u64,
    draws: usize,
}

/// The document of `runs list --format json`.
pub fn list_doc(runs: &[Summary]) -> Vec<ListedRun<'_>> {
    runs.iter()
        .map(|r| ListedRun {
            id: r.id,
            created: &r.created,
            command: &r.command,
            scenario: &r.scenario_id,
            hash: &r.scenario_hash[..12],
            seed: r.seed,
            draws: r.draws,
        })
        .collect()
}

/// One stored run: what ran, with which settings, and its forecasts.
pub fn show_table(r: &Run) -> String {
    let mut t = table(["issue", "model", "forecast"]);
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

/// One forecast of [`ShowDoc`].
#[derive(Debug, Serialize)]
pub struct StoredForecast<'a> {
    issue: &'a str,
    model: &'a str,
    value: f64,
}

/// The document of `runs show --format json`.
#[derive(Debug, Serialize)]
pub struct ShowDoc<'a> {
    id: i64,
    created: &'a str,
    command: &'a str,
    scenario: &'a str,
    scenario_hash: &'a str,
    version: &'a str,
    seed: u64,
    draws: usize,
    options: &'a serde_json::Value,
    forecasts: Vec<StoredForecast<'a>>,
}

impl<'a> ShowDoc<'a> {
    /// The document of stored run `r`.
    pub fn new(r: &'a Run) -> Self {
        ShowDoc {
            id: r.summary.id,
            created: &r.summary.created,
            command: &r.summary.command,
            scenario: &r.summary.scenario_id,
            scenario_hash: &r.summary.scenario_hash,
            version: &r.version,
            seed: r.summary.seed,
            draws: r.summary.draws,
            options: &r.options,
            forecasts: r
                .forecasts
                .iter()
                .map(|(issue, model, value)| StoredForecast {
                    issue,
                    model,
                    value: *value,
                })
                .collect(),
        }
    }
}

/// Two runs' forecasts paired by issue and model: `(issue, model, a, b)`.
pub type Pairs<'a> = [(&'a str, &'a str, f64, Option<f64>)];

/// Two runs side by side, with the difference b - a.
pub fn compare_table(a: i64, b: i64, pairs: &Pairs<'_>) -> String {
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
    for (i, m, va, vb) in pairs {
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

/// [`compare_table`] as CSV with every digit.
pub fn compare_csv(pairs: &Pairs<'_>) -> Result<String, TextError> {
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
    csv_text(&["issue", "model", "a", "b", "difference"], &rows)
}

/// One row of [`CompareDoc`].
#[derive(Debug, Serialize)]
pub struct PairDoc<'a> {
    issue: &'a str,
    model: &'a str,
    a: f64,
    b: Option<f64>,
    difference: Option<f64>,
}

/// The document of `runs compare --format json`.
#[derive(Debug, Serialize)]
pub struct CompareDoc<'a> {
    a: i64,
    b: i64,
    rows: Vec<PairDoc<'a>>,
}

impl<'a> CompareDoc<'a> {
    /// The document of runs `a` and `b`.
    pub fn new(a: i64, b: i64, pairs: &Pairs<'a>) -> Self {
        CompareDoc {
            a,
            b,
            rows: pairs
                .iter()
                .map(|&(issue, model, va, vb)| PairDoc {
                    issue,
                    model,
                    a: va,
                    b: vb,
                    difference: vb.map(|v| v - va),
                })
                .collect(),
        }
    }
}

/// A stored run's forecasts as CSV, one row per issue and model.
pub fn export_csv(r: &Run) -> Result<String, TextError> {
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
    csv_text(&["run", "issue", "model", "forecast", "seed"], &rows)
}

/// A stored run's settings in words (the raw JSON is in `runs show --format json`).
pub fn settings_in_words(options: &serde_json::Value) -> String {
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
