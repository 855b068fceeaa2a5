//! `multivector evidence`: list the evidence records of a scenario, or check provenance.

use std::collections::HashSet;
use std::io::Write;
use std::process::ExitCode;

use multivector_core::Scenario;
use multivector_scenario::provenance;
use serde_json::json;

use super::load_scenario;
use crate::args::{EvidenceArgs, Format};
use crate::exit::usage;
use crate::output::{csv_text, emit, table};

pub fn run(a: EvidenceArgs) -> anyhow::Result<ExitCode> {
    let loaded = load_scenario(a.scenario.as_deref())?;
    let s = &loaded.scenario;
    if a.check {
        return check(s, &a);
    }
    let wanted = filter(s, &a)?;
    let records: Vec<_> = s
        .evidence
        .iter()
        .filter(|e| wanted.as_ref().is_none_or(|w| w.contains(e.id.as_str())))
        .filter(|e| {
            a.document
                .as_deref()
                .is_none_or(|d| e.source.file.contains(d))
        })
        .collect();
    let cited_by = |id: &str| -> String { users(s, id).join("; ") };
    let text = match a.format {
        Format::Table => {
            let mut t = table(
                [
                    "id",
                    "document",
                    "locator",
                    "figures",
                    "paraphrase",
                    "cited by",
                ]
                .map(String::from)
                .to_vec(),
            );
            for e in &records {
                t.add_row(vec![
                    e.id.clone(),
                    e.source.file.clone(),
                    e.locator.clone(),
                    e.figures.join(", "),
                    e.paraphrase.clone(),
                    cited_by(&e.id),
                ]);
            }
            format!(
                "{} evidence record(s) of `{}`\n\n{t}\n",
                records.len(),
                s.meta.id
            )
        }
        Format::Csv => csv_text(
            &[
                "id",
                "file",
                "title",
                "publisher",
                "date",
                "locator",
                "paraphrase",
                "figures",
                "cited_by",
            ],
            &records
                .iter()
                .map(|e| {
                    vec![
                        e.id.clone(),
                        e.source.file.clone(),
                        e.source.title.clone(),
                        e.source.publisher.clone(),
                        e.source.date.clone(),
                        e.locator.clone(),
                        e.paraphrase.clone(),
                        e.figures.join("; "),
                        cited_by(&e.id),
                    ]
                })
                .collect::<Vec<_>>(),
        )?,
        Format::Json => {
            let v: Vec<_> = records
                .iter()
                .map(|e| json!({"record": e, "cited_by": users(s, &e.id)}))
                .collect();
            serde_json::to_string_pretty(&json!({"scenario": s.meta.id, "evidence": v}))? + "\n"
        }
    };
    emit(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// The ids behind an issue or actor, when one is asked for.
fn filter(s: &Scenario, a: &EvidenceArgs) -> anyhow::Result<Option<HashSet<String>>> {
    let mut set: Option<HashSet<String>> = None;
    if let Some(id) = &a.issue {
        let k = s.issue_index(id).ok_or_else(|| {
            usage(
                format!("no issue `{id}` in `{}`", s.meta.id),
                format!(
                    "issues: {}",
                    s.issues
                        .iter()
                        .map(|i| i.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })?;
        let iss = &s.issues[k];
        let mut ids: HashSet<String> = iss.evidence.iter().cloned().collect();
        if let Some(o) = &iss.outcome {
            ids.extend(o.evidence.iter().cloned());
        }
        for st in s.stances_on(k) {
            ids.extend(st.evidence.iter().cloned());
        }
        set = Some(ids);
    }
    if let Some(id) = &a.actor {
        let k = s.actor_index(id).ok_or_else(|| {
            usage(
                format!("no actor `{id}` in `{}`", s.meta.id),
                format!(
                    "actors: {}",
                    s.actors
                        .iter()
                        .map(|x| x.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })?;
        let mut ids: HashSet<String> = s.actors[k].evidence.iter().cloned().collect();
        for st in s.stances.iter().filter(|st| st.actor == k) {
            ids.extend(st.evidence.iter().cloned());
        }
        set = Some(match set {
            Some(prev) => prev.intersection(&ids).cloned().collect(),
            None => ids,
        });
    }
    Ok(set)
}

/// Who cites a record, in file order.
fn users(s: &Scenario, id: &str) -> Vec<String> {
    let mut out = Vec::new();
    let has = |v: &[String]| v.iter().any(|x| x == id);
    for a in &s.actors {
        if has(&a.evidence) {
            out.push(format!("actor {}", a.id));
        }
    }
    for i in &s.issues {
        if has(&i.evidence) {
            out.push(format!("issue {}", i.id));
        }
        if i.outcome.as_ref().is_some_and(|o| has(&o.evidence)) {
            out.push(format!("outcome {}", i.id));
        }
    }
    for st in &s.stances {
        if has(&st.evidence) {
            out.push(format!(
                "stance {}/{}",
                s.actors[st.actor].id, s.issues[st.issue].id
            ));
        }
    }
    out
}

fn check(s: &Scenario, a: &EvidenceArgs) -> anyhow::Result<ExitCode> {
    // Records the scenario's built-in population cites count as cited.
    let population = multivector_scenario::population::builtin(&s.meta.id).and_then(Result::ok);
    let also: HashSet<&str> = population
        .as_ref()
        .map(|p| p.evidence_ids().into_iter().collect())
        .unwrap_or_default();
    let mut problems = provenance::check_with(s, &also);
    if let Some(dir) = &a.sources {
        if !dir.is_dir() {
            return Err(usage(
                format!("--sources {} is not a folder", dir.display()),
                "give the folder that holds the documents the evidence cites",
            ));
        }
        problems.extend(provenance::check_sources(s, dir));
    }
    let mut vote_lines = Vec::new();
    let unga_outcomes = s
        .issues
        .iter()
        .filter(|i| i.outcome.as_ref().is_some_and(|o| o.unga.is_some()))
        .count();
    if let Some(path) = &a.votes {
        let (t, _) = multivector::votes::load(path)?;
        for c in multivector::unga::check_outcomes(s, &t) {
            let record = format!("outcome of `{}`", c.issue);
            for p in &c.problems {
                problems.push(provenance::Problem {
                    record: record.clone(),
                    message: p.clone(),
                    hint: "code the outcome the vote data give (or fix the resolution list)".into(),
                });
            }
            let votes: Vec<String> = c
                .votes
                .iter()
                .map(|v| format!("{} {}", v.resolution, v.vote.unwrap_or('?')))
                .collect();
            let mut line = format!(
                "{}: {} coded {}, the votes give {} ({})",
                c.issue,
                c.state,
                c.coded,
                c.derived.map_or("nothing".into(), |d| format!("{d:.2}")),
                votes.join(", ")
            );
            for (other, _) in c.votes.first().map_or(&[][..], |v| &v.beside[..]) {
                let with = c.with(other);
                if !with.is_empty() {
                    line.push_str(&format!("; voted with {other} on {}", with.join(", ")));
                }
            }
            vote_lines.push(line);
        }
    }
    if problems.is_empty() {
        let figures: usize = s.evidence.iter().map(|e| e.figures.len()).sum();
        let mut msg = format!(
            "ok: {} stance(s) all cite evidence or state an assumption; {} evidence record(s) all cited",
            s.stances.len(),
            s.evidence.len()
        );
        if a.sources.is_some() {
            msg.push_str(&format!(
                "; {figures} figure(s) all found in their documents, whole and near the words they are cited for"
            ));
        } else if figures > 0 {
            // Never a silent pass: say what was not checked and how to check it.
            msg.push_str(&format!(
                "; {figures} figure(s) NOT checked against their documents (give --sources DIR, the folder of the cited documents)"
            ));
        }
        if a.votes.is_some() {
            msg.push_str(&format!(
                "; {unga_outcomes} outcome(s) from UN votes agree with the vote data"
            ));
        } else if unga_outcomes > 0 {
            msg.push_str(&format!(
                "; {unga_outcomes} outcome(s) from UN votes NOT checked (give --votes PATH, the vote data)"
            ));
        }
        let mut text = msg + "\n";
        for l in &vote_lines {
            text.push_str(&format!("  {l}\n"));
        }
        emit(&text)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut err = std::io::stderr().lock();
    for p in &problems {
        // Nothing more can be done if stderr itself is gone.
        let _ = writeln!(
            err,
            "error: {}: {}\n  hint: {}",
            p.record, p.message, p.hint
        );
    }
    let _ = writeln!(
        err,
        "{} provenance problem(s) in `{}`",
        problems.len(),
        s.meta.id
    );
    Ok(ExitCode::from(2))
}
