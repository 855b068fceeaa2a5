//! `multivector evidence`: list the evidence records of a scenario, or check provenance.

use std::collections::HashSet;
use std::io::Write;
use std::process::ExitCode;

use multivector_core::Scenario;
use multivector_report::text::evidence as text;
use multivector_scenario::provenance;

use super::load_scenario;
use crate::args::{EvidenceArgs, Format};
use crate::exit::usage;
use crate::output::{emit, json};

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
    let text = match a.format {
        Format::Table => text::table_text(s, &records),
        Format::Csv => text::records_csv(s, &records)?,
        Format::Json => json(&text::EvidenceDoc::new(s, &records))?,
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
        set = Some(provenance::behind_issue(s, k));
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
        let ids = provenance::behind_actor(s, k);
        set = Some(match set {
            Some(prev) => prev.intersection(&ids).cloned().collect(),
            None => ids,
        });
    }
    Ok(set)
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
            vote_lines.push(text::vote_check_line(&c));
        }
    }
    if problems.is_empty() {
        let msg = text::check_passed(s, a.sources.is_some(), a.votes.is_some());
        let mut out = msg + "\n";
        for l in &vote_lines {
            out.push_str(&format!("  {l}\n"));
        }
        emit(&out)?;
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
