//! `multivector evidence` as text: the records with who cites them, and the result of a
//! provenance check.

use multivector::scenario::provenance::cited_by;
use multivector::unga::OutcomeCheck;
use multivector_core::{Evidence, Scenario};
use serde::Serialize;

use super::{TextError, csv_text, table};

/// The records as a table, each with the records that cite it.
pub fn table_text(s: &Scenario, records: &[&Evidence]) -> String {
    let mut t = table([
        "id",
        "document",
        "locator",
        "figures",
        "paraphrase",
        "cited by",
    ]);
    for e in records {
        t.add_row(vec![
            e.id.clone(),
            e.source.file.clone(),
            e.locator.clone(),
            e.figures.join(", "),
            e.paraphrase.clone(),
            cited_by(s, &e.id).join("; "),
        ]);
    }
    format!(
        "{} evidence record(s) of `{}`\n\n{t}\n",
        records.len(),
        s.meta.id
    )
}

/// The records as CSV, one row each.
pub fn records_csv(s: &Scenario, records: &[&Evidence]) -> Result<String, TextError> {
    let rows: Vec<Vec<String>> = records
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
                cited_by(s, &e.id).join("; "),
            ]
        })
        .collect();
    csv_text(
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
        &rows,
    )
}

/// One record of [`EvidenceDoc`] with who cites it.
#[derive(Debug, Serialize)]
pub struct CitedRecord<'a> {
    record: &'a Evidence,
    cited_by: Vec<String>,
}

/// The document of `evidence --format json`.
#[derive(Debug, Serialize)]
pub struct EvidenceDoc<'a> {
    scenario: &'a str,
    evidence: Vec<CitedRecord<'a>>,
}

impl<'a> EvidenceDoc<'a> {
    /// The document of `records` of scenario `s`.
    pub fn new(s: &'a Scenario, records: &[&'a Evidence]) -> Self {
        EvidenceDoc {
            scenario: &s.meta.id,
            evidence: records
                .iter()
                .map(|e| CitedRecord {
                    record: e,
                    cited_by: cited_by(s, &e.id),
                })
                .collect(),
        }
    }
}

/// One outcome coded from UN votes against the vote data, in a line.
pub fn vote_check_line(c: &OutcomeCheck) -> String {
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
    line
}

/// The line of a provenance check that found nothing wrong; it names what was not checked
/// (figures without `--sources`, UN-vote outcomes without `--votes`), never a silent pass.
pub fn check_passed(s: &Scenario, sources_checked: bool, votes_checked: bool) -> String {
    let unga_outcomes = s
        .issues
        .iter()
        .filter(|i| i.outcome.as_ref().is_some_and(|o| o.unga.is_some()))
        .count();
    let figures: usize = s.evidence.iter().map(|e| e.figures.len()).sum();
    let mut msg = format!(
        "ok: {} stance(s) all cite evidence or state an assumption; {} evidence record(s) all cited",
        s.stances.len(),
        s.evidence.len()
    );
    if sources_checked {
        msg.push_str(&format!(
            "; {figures} figure(s) all found in their documents, whole and near the words they are cited for"
        ));
    } else if figures > 0 {
        // Never a silent pass: say what was not checked and how to check it.
        msg.push_str(&format!(
            "; {figures} figure(s) NOT checked against their documents (give --sources DIR, the folder of the cited documents)"
        ));
    }
    if votes_checked {
        msg.push_str(&format!(
            "; {unga_outcomes} outcome(s) from UN votes agree with the vote data"
        ));
    } else if unga_outcomes > 0 {
        msg.push_str(&format!(
            "; {unga_outcomes} outcome(s) from UN votes NOT checked (give --votes PATH, the vote data)"
        ));
    }
    msg
}
