//! Provenance checks: every stance rests on evidence or a stated assumption, every evidence
//! record is cited, and (given the source documents) every figure a record claims appears in
//! the document it cites.

use std::collections::HashSet;
use std::path::Path;

use multivector_core::Scenario;

/// One provenance problem, with the record it concerns and a hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub record: String,
    pub message: String,
    pub hint: String,
}

/// Ids of the evidence records cited anywhere (actors, issues, outcomes, stances).
pub fn cited(s: &Scenario) -> HashSet<&str> {
    let mut ids: HashSet<&str> = HashSet::new();
    for a in &s.actors {
        ids.extend(a.evidence.iter().map(String::as_str));
    }
    for i in &s.issues {
        ids.extend(i.evidence.iter().map(String::as_str));
        if let Some(o) = &i.outcome {
            ids.extend(o.evidence.iter().map(String::as_str));
        }
    }
    for st in &s.stances {
        ids.extend(st.evidence.iter().map(String::as_str));
    }
    ids
}

/// Stances with neither evidence nor an assumption, and evidence records cited nowhere.
/// (Dangling evidence ids are rejected when the scenario is loaded.)
pub fn check(s: &Scenario) -> Vec<Problem> {
    let mut out = Vec::new();
    for st in &s.stances {
        if st.evidence.is_empty() && st.assumption.as_deref().is_none_or(|a| a.trim().is_empty()) {
            out.push(Problem {
                record: format!(
                    "stance of `{}` on `{}`",
                    s.actors[st.actor].id, s.issues[st.issue].id
                ),
                message: "has neither evidence nor an assumption".into(),
                hint: "cite an evidence record (evidence = [\"id\"]) or say why the numbers were chosen (assumption = \"...\")".into(),
            });
        }
    }
    let used = cited(s);
    for e in &s.evidence {
        if !used.contains(e.id.as_str()) {
            out.push(Problem {
                record: format!("evidence `{}`", e.id),
                message: "is cited nowhere".into(),
                hint: "cite it from the actor, issue, outcome or stance it supports, or remove it"
                    .into(),
            });
        }
    }
    out
}

/// Folds the characters that differ between a document and a hand-typed figure: white space
/// runs, no-break spaces, curly quotes and dashes.
pub fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        let c = match c {
            '\u{2018}' | '\u{2019}' => '\'',
            '\u{201c}' | '\u{201d}' => '"',
            '\u{2013}' | '\u{2014}' => '-',
            c if c.is_whitespace() => ' ',
            c => c,
        };
        if c == ' ' {
            if !space {
                out.push(' ');
            }
            space = true;
        } else {
            out.push(c);
            space = false;
        }
    }
    out
}

/// Checks that every figure of every record appears in the text of the document it cites,
/// looked up as `dir/<source.file>`.
pub fn check_sources(s: &Scenario, dir: &Path) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut cache: Vec<(String, Option<String>)> = Vec::new();
    for e in &s.evidence {
        let text = match cache.iter().find(|(f, _)| *f == e.source.file) {
            Some((_, t)) => t.clone(),
            None => {
                let t = std::fs::read_to_string(dir.join(&e.source.file))
                    .ok()
                    .map(|t| normalise(&t));
                cache.push((e.source.file.clone(), t.clone()));
                t
            }
        };
        let Some(text) = text else {
            out.push(Problem {
                record: format!("evidence `{}`", e.id),
                message: format!("its source `{}` is not in {}", e.source.file, dir.display()),
                hint: "give --sources the folder that holds the cited documents".into(),
            });
            continue;
        };
        for f in &e.figures {
            if !text.contains(&normalise(f)) {
                out.push(Problem {
                    record: format!("evidence `{}`", e.id),
                    message: format!("the figure `{f}` does not appear in {}", e.source.file),
                    hint: "write the figure exactly as the document does (e.g. \"28%\", \"1,500\")"
                        .into(),
                });
            }
        }
    }
    out
}
