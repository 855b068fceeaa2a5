//! `multivector run`: every issue of a scenario through every model, one forecast table.

use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

use multivector_core::assess::{self, Profile, Retrodiction};
use multivector_core::{Forecast, Forecaster, Issue, IssueInput, Scenario};
use multivector_models::baselines::{WeightedMean, WeightedMedian};
use multivector_models::bdm::{Bdm, BdmRun};
use multivector_models::smp::Smp;
use serde_json::{Value, json};

use super::{bdm_options, issue_input, load_scenario};
use crate::args::{Format, PresetArg, RunArgs};
use crate::output::{csv_text, emit, full, note, num, opt, table};

/// One model's result on one issue.
struct Row {
    model: String,
    forecast: Forecast,
    /// The BDM run behind the forecast, for trajectories.
    run: Option<BdmRun>,
}

struct IssueResult {
    issue: usize,
    input: IssueInput,
    rows: Vec<Row>,
}

pub fn run(a: RunArgs) -> anyhow::Result<ExitCode> {
    let loaded = load_scenario(a.scenario.as_deref())?;
    let s = &loaded.scenario;
    let presets = [
        ("bdm-scholz", bdm_options(PresetArg::Scholz, None, &a.stop)?),
        ("bdm-paper", bdm_options(PresetArg::Paper, None, &a.stop)?),
    ];
    super::warn_late_events(s, None, presets[0].1.stop.max_rounds());
    let (draws, seed) = super::ensemble_settings(&a.ensemble)?;
    let results = point_results(s, presets)?;
    let judged = judge(s, &results);
    // The ensemble is drawn only where it is shown: in the table, the JSON, or --out
    // (the CSV on stdout holds the point forecasts alone).
    let wanted = a.format != Format::Csv || a.out.is_some();
    let ens = if draws > 0 && wanted {
        Some(ensemble(
            s,
            [presets[0].1, presets[1].1],
            draws,
            seed,
            crate::output::quiet(),
            None,
        )?)
    } else {
        None
    };
    if let Some(dir) = &a.out {
        write_out(dir, s, &results, ens.as_ref())?;
    }
    let two = if a.two_level {
        let spec = match &a.population {
            Some(p) => multivector_scenario::population::load_path(p)?,
            None => super::opinion::load(Some(&s.meta.id))?,
        };
        Some(super::opinion::two_level(
            s,
            &spec,
            a.population_variant.as_deref(),
            &all_models([presets[0].1, presets[1].1]),
            seed,
        )?)
    } else {
        None
    };
    let mut full_doc = json_doc(s, &results, &judged);
    if let Value::Object(m) = &mut full_doc {
        if let Some(e) = &ens {
            m.insert("ensemble".into(), ensemble_json(s, e));
        }
        if let Some(t) = &two {
            m.insert("two_level".into(), t.clone());
        }
    }
    let text = match a.format {
        Format::Table => {
            table_text(s, &results)
                + &judged_text(s, &judged)
                + &ens
                    .as_ref()
                    .map_or_else(String::new, |e| ensemble_text(s, e))
                + &two
                    .as_ref()
                    .map_or_else(String::new, super::opinion::two_level_text)
        }
        Format::Csv => csv_forecasts(s, &results)?,
        Format::Json => serde_json::to_string_pretty(&full_doc)? + "\n",
    };
    emit(&text)?;
    if !a.no_store || a.report.is_some() {
        let scenario_text = super::scenario_text(a.scenario.as_deref())?;
        let new = multivector_store::NewRun {
            command: "run".into(),
            scenario_id: s.meta.id.clone(),
            scenario_text: scenario_text.clone(),
            version: env!("CARGO_PKG_VERSION").into(),
            seed,
            draws: if ens.is_some() { draws } else { 0 },
            options: json!({
                "bdm-scholz": presets[0].1,
                "bdm-paper": presets[1].1,
                "smp": multivector_models::smp::SmpOptions::default(),
                "two_level": a.two_level,
                "population_variant": a.population_variant,
            }),
            forecasts: super::runs::forecasts_of(&full_doc),
            document: full_doc.clone(),
        };
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

/// Every model's point forecast on every issue (BDM runs kept for their trajectories).
fn point_results(
    s: &Scenario,
    presets: [(&str, multivector_models::bdm::BdmOptions); 2],
) -> anyhow::Result<Vec<IssueResult>> {
    let mut smp = multivector_core::forecast_issues(s, &Smp::default())?.into_iter();
    let mut results = Vec::new();
    for issue in 0..s.issues.len() {
        let input = issue_input(s, issue)?;
        let mut rows = Vec::new();
        for (name, o) in presets {
            let run = Bdm::new(o).run(&input)?;
            rows.push(Row {
                model: name.into(),
                forecast: run.forecast(),
                run: Some(run),
            });
        }
        rows.push(Row {
            model: "smp".into(),
            forecast: smp.next().expect("one SMP forecast per issue"),
            run: None,
        });
        let baselines: [&dyn Forecaster; 2] = [&WeightedMean, &WeightedMedian];
        for m in baselines {
            rows.push(Row {
                model: m.name(),
                forecast: m.forecast(&input)?,
                run: None,
            });
        }
        results.push(IssueResult { issue, input, rows });
    }
    Ok(results)
}

/// The run's JSON document (what `run --format json` prints), for the web app: point
/// forecasts, retrodiction and profile, and an ensemble of `draws` draws reporting progress.
pub(super) fn document(
    s: &Scenario,
    draws: usize,
    seed: u64,
    progress: &(dyn Fn(usize) + Sync),
) -> anyhow::Result<Value> {
    let stop = crate::args::StopFlags::default();
    let presets = [
        ("bdm-scholz", bdm_options(PresetArg::Scholz, None, &stop)?),
        ("bdm-paper", bdm_options(PresetArg::Paper, None, &stop)?),
    ];
    let results = point_results(s, presets)?;
    let judged = judge(s, &results);
    let mut doc = json_doc(s, &results, &judged);
    if draws > 0 {
        let models = all_models([presets[0].1, presets[1].1]);
        let e = multivector_ensemble::run_variant(s, None, &models, draws, seed, progress)?;
        if let Value::Object(m) = &mut doc {
            m.insert("ensemble".into(), ensemble_json(s, &e));
        }
    }
    Ok(doc)
}

/// The nearest labelled point of the scale, in words.
fn label(issue: &Issue, v: f64) -> String {
    issue
        .scale
        .nearest_label(v)
        .map(|l| {
            if (l.value - v).abs() < 1e-9 {
                l.label.clone()
            } else {
                format!("near {}: {}", full(l.value), l.label)
            }
        })
        .unwrap_or_default()
}

fn table_text(s: &Scenario, results: &[IssueResult]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Scenario `{}`: {}", s.meta.id, s.meta.name);
    let _ = writeln!(
        out,
        "{} issue(s), {} actor(s); models: bdm-scholz, bdm-paper (expected utility), smp (spatial model, most probable final position), mean and median (baselines)\n",
        s.issues.len(),
        s.actors.len()
    );
    let mut t = table(
        [
            "issue",
            "model",
            "forecast",
            "nearest label",
            "status quo",
            "observed",
        ]
        .map(String::from)
        .to_vec(),
    );
    for r in results {
        let iss = &s.issues[r.issue];
        for row in &r.rows {
            t.add_row(vec![
                iss.id.clone(),
                row.model.clone(),
                num(row.forecast.value),
                label(iss, row.forecast.value),
                opt(iss.status_quo),
                opt(iss.outcome.as_ref().map(|o| o.value)),
            ]);
        }
    }
    let _ = writeln!(out, "{t}");
    let notes: Vec<String> = results
        .iter()
        .flat_map(|r| {
            r.rows.iter().filter_map(|row| {
                row.forecast
                    .note
                    .as_ref()
                    .map(|n| format!("{} / {}: {n}", s.issues[r.issue].id, row.model))
            })
        })
        .collect();
    if !notes.is_empty() {
        let _ = writeln!(out, "\nNotes:");
        for n in notes {
            let _ = writeln!(out, "- {n}");
        }
    }
    out
}

const FORECAST_HEADER: [&str; 8] = [
    "issue",
    "model",
    "forecast",
    "nearest_label",
    "status_quo",
    "observed",
    "rounds",
    "note",
];

fn forecast_rows(s: &Scenario, results: &[IssueResult]) -> Vec<Vec<String>> {
    let o = |v: Option<f64>| v.map_or_else(String::new, full);
    let mut rows = Vec::new();
    for r in results {
        let iss = &s.issues[r.issue];
        for row in &r.rows {
            rows.push(vec![
                iss.id.clone(),
                row.model.clone(),
                full(row.forecast.value),
                label(iss, row.forecast.value),
                o(iss.status_quo),
                o(iss.outcome.as_ref().map(|x| x.value)),
                row.forecast
                    .rounds
                    .map_or_else(String::new, |v| v.to_string()),
                row.forecast.note.clone().unwrap_or_default(),
            ]);
        }
    }
    rows
}

fn csv_forecasts(s: &Scenario, results: &[IssueResult]) -> anyhow::Result<String> {
    csv_text(&FORECAST_HEADER, &forecast_rows(s, results))
}

/// Retrodiction and profile of one model's forecasts.
struct Judged {
    model: String,
    retro: Vec<Retrodiction>,
    profile: Profile,
}

const MODELS: [&str; 5] = ["bdm-scholz", "bdm-paper", "smp", "mean", "median"];

fn judge(s: &Scenario, results: &[IssueResult]) -> Vec<Judged> {
    MODELS
        .iter()
        .map(|&m| {
            let forecasts: Vec<(usize, f64)> = results
                .iter()
                .filter_map(|r| {
                    r.rows
                        .iter()
                        .find(|row| row.model == m)
                        .map(|row| (r.issue, row.forecast.value))
                })
                .collect();
            Judged {
                model: m.to_string(),
                retro: forecasts
                    .iter()
                    .filter_map(|&(k, f)| assess::retrodict(&s.issues[k], f))
                    .collect(),
                profile: assess::profile(s, s.meta.focal, &forecasts),
            }
        })
        .collect()
}

fn mean_error(j: &Judged) -> Option<f64> {
    (!j.retro.is_empty())
        .then(|| j.retro.iter().map(|r| r.error_scaled).sum::<f64>() / j.retro.len() as f64)
}

fn judged_text(s: &Scenario, judged: &[Judged]) -> String {
    let mut out = String::new();
    if judged.iter().any(|j| !j.retro.is_empty()) {
        let _ = writeln!(
            out,
            "\nRetrodiction: forecasts against what happened (error on the issue scale and as a share of its width)\n"
        );
        let mut t = table(
            [
                "model",
                "issue",
                "forecast",
                "observed",
                "error",
                "error (0-1)",
                "thresholds right",
            ]
            .map(String::from)
            .to_vec(),
        );
        let mut misses = Vec::new();
        for j in judged {
            for r in &j.retro {
                let right = r.thresholds.iter().filter(|c| c.correct).count();
                t.add_row(vec![
                    j.model.clone(),
                    r.issue.clone(),
                    num(r.forecast),
                    num(r.observed),
                    num(r.error),
                    num(r.error_scaled),
                    format!("{right}/{}", r.thresholds.len()),
                ]);
                for c in r.thresholds.iter().filter(|c| !c.correct) {
                    misses.push(format!(
                        "{} on {}: forecast {} is {} the side of \"{}\" ({}) but the outcome {} is {}",
                        j.model,
                        r.issue,
                        num(r.forecast),
                        if c.forecast_side { "on" } else { "off" },
                        c.label,
                        full(c.value),
                        num(r.observed),
                        if c.observed_side { "on it" } else { "off it" },
                    ));
                }
            }
        }
        let _ = writeln!(out, "{t}\n");
        let mut m = table(
            ["model", "issues scored", "mean error (0-1)"]
                .map(String::from)
                .to_vec(),
        );
        for j in judged {
            m.add_row(vec![
                j.model.clone(),
                j.retro.len().to_string(),
                opt(mean_error(j)),
            ]);
        }
        let _ = writeln!(out, "{m}");
        if misses.is_empty() {
            let _ = writeln!(
                out,
                "\nEvery forecast lands on the observed side of every threshold."
            );
        } else {
            let _ = writeln!(out, "\nMisses ({}):", misses.len());
            for x in misses {
                let _ = writeln!(out, "- {x}");
            }
        }
    }
    let vectors: Vec<&str> = s
        .actors
        .iter()
        .filter(|a| a.vector)
        .map(|a| a.id.as_str())
        .collect();
    if vectors.len() >= 2 {
        let focal = s.meta.focal.map_or("equal weights".to_string(), |k| {
            format!("weights: {}'s salience", s.actors[k].id)
        });
        let _ = writeln!(
            out,
            "\nMulti-vector profile of the bdm-scholz forecasts: distance (0-1) to each vector's position; E = 1 - (max - min distance)\n"
        );
        let mut header = vec!["issue".to_string(), "forecast".into()];
        header.extend(vectors.iter().map(|v| format!("d({v})")));
        header.extend(["E".to_string(), "weight".into()]);
        let mut t = table(header);
        let j = &judged[0];
        for p in &j.profile.issues {
            let mut row = vec![p.issue.clone(), num(p.forecast)];
            for v in &vectors {
                row.push(
                    p.distances
                        .iter()
                        .find(|d| d.actor == *v)
                        .map_or("-".into(), |d| num(d.distance)),
                );
            }
            row.push(opt(p.equidistance));
            row.push(num(p.weight));
            t.add_row(row);
        }
        let _ = writeln!(out, "{t}\n");
        let mut e = table(vec![
            "model".into(),
            format!("equidistance index ({focal})"),
        ]);
        for j in judged {
            e.add_row(vec![j.model.clone(), opt(j.profile.equidistance)]);
        }
        let _ = writeln!(out, "{e}\n");
        let mut al = table(
            vec!["model".to_string()]
                .into_iter()
                .chain(vectors.iter().map(|v| format!("align({v})")))
                .collect(),
        );
        for j in judged {
            let mut row = vec![j.model.clone()];
            for v in &vectors {
                row.push(
                    j.profile
                        .alignment
                        .iter()
                        .find(|x| x.actor == *v)
                        .map_or("-".into(), |x| num(x.alignment)),
                );
            }
            al.add_row(row);
        }
        let _ = writeln!(
            out,
            "Mean alignment 1 - distance with each power across the issues it takes part in:\n{al}"
        );
    }
    out
}

fn json_doc(s: &Scenario, results: &[IssueResult], judged: &[Judged]) -> Value {
    let issues: Vec<Value> = results
        .iter()
        .map(|r| {
            let iss = &s.issues[r.issue];
            let mut forecasts = serde_json::Map::new();
            for row in &r.rows {
                forecasts.insert(
                    row.model.clone(),
                    json!({
                        "value": row.forecast.value,
                        "label": label(iss, row.forecast.value),
                        "rounds": row.forecast.rounds,
                        "note": row.forecast.note,
                        "trajectory": row.run.as_ref().map(|r| r.rounds.iter().map(|x| x.median).collect::<Vec<_>>()),
                    }),
                );
            }
            let mut profile = serde_json::Map::new();
            let mut retro = serde_json::Map::new();
            for j in judged {
                if let Some(p) = j.profile.issues.iter().find(|p| p.issue == iss.id) {
                    profile.insert(j.model.clone(), json!(p));
                }
                if let Some(r) = j.retro.iter().find(|r| r.issue == iss.id) {
                    retro.insert(j.model.clone(), json!(r));
                }
            }
            json!({
                "id": iss.id,
                "question": iss.question,
                "scale": { "min": iss.scale.min, "max": iss.scale.max, "unit": iss.scale.unit },
                "actors": r.input.actor_ids,
                "status_quo": iss.status_quo,
                "observed": iss.outcome.as_ref().map(|o| json!({"value": o.value, "date": o.date})),
                "forecasts": forecasts,
                "retrodiction": retro,
                "profile": profile,
            })
        })
        .collect();
    json!({
        "scenario": { "id": s.meta.id, "name": s.meta.name },
        "version": env!("CARGO_PKG_VERSION"),
        "issues": issues,
        "models": judged.iter().map(|j| json!({
            "model": j.model,
            "mean_error_scaled": mean_error(j),
            "issues_scored": j.retro.len(),
            "equidistance": j.profile.equidistance,
            "alignment": j.profile.alignment,
        })).collect::<Vec<_>>(),
    })
}

/// Writes `forecasts.csv`, `rounds.csv` (median and mean per round), `positions.csv` (every
/// actor every round) and, with an ensemble, `ensemble.csv`, all in long format.
fn write_out(
    dir: &Path,
    s: &Scenario,
    results: &[IssueResult],
    ens: Option<&multivector_ensemble::Ensemble>,
) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| {
        crate::exit::usage(
            format!("cannot create the output folder {}: {e}", dir.display()),
            "--out names a folder for the CSV files; give a path that is not an existing file",
        )
    })?;
    let mut rounds = Vec::new();
    let mut positions = Vec::new();
    for r in results {
        let iss = &s.issues[r.issue].id;
        for row in &r.rows {
            let Some(run) = &row.run else { continue };
            for rd in &run.rounds {
                rounds.push(vec![
                    iss.clone(),
                    row.model.clone(),
                    rd.round.to_string(),
                    full(rd.median),
                    full(rd.mean),
                    rd.moves.len().to_string(),
                ]);
                for (k, id) in r.input.actor_ids.iter().enumerate() {
                    positions.push(vec![
                        iss.clone(),
                        row.model.clone(),
                        rd.round.to_string(),
                        id.clone(),
                        full(rd.positions[k]),
                        rd.risk.as_ref().map_or_else(String::new, |v| full(v[k])),
                    ]);
                }
            }
        }
    }
    let mut files = vec![
        ("forecasts.csv", csv_forecasts(s, results)?),
        (
            "rounds.csv",
            csv_text(
                &["issue", "model", "round", "median", "mean", "moves"],
                &rounds,
            )?,
        ),
        (
            "positions.csv",
            csv_text(
                &["issue", "model", "round", "actor", "position", "risk"],
                &positions,
            )?,
        ),
    ];
    if let Some(e) = ens {
        files.push(("ensemble.csv", ensemble_csv(s, e)?));
    }
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

/// The five models `run` and `compare` use, in report order.
pub(super) fn all_models(
    bdm: [multivector_models::bdm::BdmOptions; 2],
) -> Vec<multivector_ensemble::Model> {
    vec![
        ("bdm-scholz".into(), Box::new(Bdm::new(bdm[0]))),
        ("bdm-paper".into(), Box::new(Bdm::new(bdm[1]))),
        ("smp".into(), Box::new(Smp::default())),
        ("mean".into(), Box::new(WeightedMean)),
        ("median".into(), Box::new(WeightedMedian)),
    ]
}

/// Runs the ensemble with a progress bar on stderr (hidden when stderr is not a terminal).
pub(super) fn ensemble(
    s: &Scenario,
    bdm: [multivector_models::bdm::BdmOptions; 2],
    draws: usize,
    seed: u64,
    quiet: bool,
    variant: Option<&multivector_core::Variant>,
) -> anyhow::Result<multivector_ensemble::Ensemble> {
    let models = all_models(bdm);
    let bar = if quiet {
        indicatif::ProgressBar::hidden()
    } else {
        indicatif::ProgressBar::with_draw_target(
            Some(draws as u64),
            indicatif::ProgressDrawTarget::stderr(),
        )
    };
    bar.set_message("draws");
    let e = multivector_ensemble::run_variant(s, variant, &models, draws, seed, &|k| {
        if k % 16 == 0 {
            bar.set_position(k as u64);
        }
    })?;
    bar.finish_and_clear();
    Ok(e)
}

fn ensemble_text(s: &Scenario, e: &multivector_ensemble::Ensemble) -> String {
    let (sum, eq) = multivector_ensemble::summarise(s, e);
    let mut out = format!(
        "\nEnsemble: {} draws of the declared uncertain inputs, master seed {}, multivector {}\n\n",
        e.draws,
        e.master_seed,
        env!("CARGO_PKG_VERSION")
    );
    let mut t = table(
        [
            "issue",
            "model",
            "median",
            "10-90%",
            "2.5-97.5%",
            "P(beyond threshold)",
        ]
        .map(String::from)
        .to_vec(),
    );
    for x in &sum {
        let f = &x.forecast;
        t.add_row(vec![
            x.issue.clone(),
            x.model.clone(),
            num(f.median),
            format!("{} - {}", num(f.p10), num(f.p90)),
            format!("{} - {}", num(f.p025), num(f.p975)),
            x.thresholds
                .iter()
                .map(|(l, p)| format!("{l}: {p:.2}"))
                .collect::<Vec<_>>()
                .join("; "),
        ]);
    }
    let _ = writeln!(out, "{t}\n");
    let mut q = table(
        ["model", "equidistance median", "10-90%"]
            .map(String::from)
            .to_vec(),
    );
    for (m, i) in &eq {
        q.add_row(vec![
            m.clone(),
            num(i.median),
            format!("{} - {}", num(i.p10), num(i.p90)),
        ]);
    }
    let _ = writeln!(out, "{q}");
    let brier = multivector_ensemble::brier(s, &sum);
    if !brier.is_empty() {
        let mut b = table(
            ["model", "Brier score", "thresholds scored"]
                .map(String::from)
                .to_vec(),
        );
        for x in &brier {
            b.add_row(vec![x.model.clone(), num(x.brier), x.n.to_string()]);
        }
        let _ = writeln!(
            out,
            "\nThreshold probabilities against what happened (Brier score: mean squared gap between the probability and 1 or 0; lower is better, 0.25 is the score of always saying 50%):\n{b}"
        );
    }
    out
}

/// One row per issue, model and statistic: `issue, model, draws, master_seed, median, p10,
/// p90, p025, p975` plus one `p_<threshold>` column per threshold position (labels in
/// `thresholds`).
fn ensemble_csv(s: &Scenario, e: &multivector_ensemble::Ensemble) -> anyhow::Result<String> {
    let (sum, _) = multivector_ensemble::summarise(s, e);
    let rows: Vec<Vec<String>> = sum
        .iter()
        .map(|x| {
            let f = &x.forecast;
            vec![
                x.issue.clone(),
                x.model.clone(),
                e.draws.to_string(),
                e.master_seed.to_string(),
                full(f.median),
                full(f.p10),
                full(f.p90),
                full(f.p025),
                full(f.p975),
                x.thresholds
                    .iter()
                    .map(|(l, p)| format!("{l}={p}"))
                    .collect::<Vec<_>>()
                    .join("; "),
            ]
        })
        .collect();
    csv_text(
        &[
            "issue",
            "model",
            "draws",
            "master_seed",
            "median",
            "p10",
            "p90",
            "p025",
            "p975",
            "threshold_shares",
        ],
        &rows,
    )
}

fn ensemble_json(s: &Scenario, e: &multivector_ensemble::Ensemble) -> Value {
    let (sum, eq) = multivector_ensemble::summarise(s, e);
    json!({
        "draws": e.draws,
        "master_seed": e.master_seed,
        "version": env!("CARGO_PKG_VERSION"),
        "issues": sum,
        "equidistance": eq.iter().map(|(m, i)| json!({"model": m, "interval": i})).collect::<Vec<_>>(),
        "brier": multivector_ensemble::brier(s, &sum),
    })
}
