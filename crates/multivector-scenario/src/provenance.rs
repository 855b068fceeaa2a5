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

/// The first and last day a date written as `YYYY`, `YYYY-MM` or `YYYY-MM-DD` can mean.
pub fn known_between(date: &str) -> Option<(jiff::civil::Date, jiff::civil::Date)> {
    use jiff::civil::Date;
    let d = date.trim();
    let parts: Vec<&str> = d.split('-').collect();
    let num = |s: &str, len: usize| {
        (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<i16>().ok())
            .flatten()
    };
    match parts[..] {
        [y] => {
            let y = num(y, 4)?;
            Some((Date::new(y, 1, 1).ok()?, Date::new(y, 12, 31).ok()?))
        }
        [y, m] => {
            let (y, m) = (num(y, 4)?, num(m, 2)?);
            let first = Date::new(y, i8::try_from(m).ok()?, 1).ok()?;
            Some((first, first.last_of_month()))
        }
        [_, _, _] => {
            let day: Date = d.parse().ok()?;
            Some((day, day))
        }
        _ => None,
    }
}

/// The as-of rule: with `as_of` set, every evidence record has a date; a stance cites only
/// evidence known by the as-of date (its latest possible day not after it); an observed
/// outcome cites only evidence from after it (its earliest possible day after it).
fn as_of_problems(s: &Scenario, out: &mut Vec<Problem>) {
    let Some(as_of) = s.meta.as_of.as_deref() else {
        return;
    };
    let Ok(cut) = as_of.parse::<jiff::civil::Date>() else {
        return;
    };
    let dated = |id: &str| {
        s.evidence.iter().find(|e| e.id == id).and_then(|e| {
            e.date
                .as_deref()
                .and_then(|d| known_between(d).map(|b| (d, b)))
        })
    };
    for e in &s.evidence {
        if e.date.is_none() {
            out.push(Problem {
                record: format!("evidence `{}`", e.id),
                message: format!("has no date, and the scenario is as of {as_of}"),
                hint: "add `date = \"YYYY-MM-DD\"` (or YYYY-MM, YYYY): when the fact happened or became known, not when the source was published".into(),
            });
        }
    }
    for st in &s.stances {
        for id in &st.evidence {
            if let Some((d, (_, last))) = dated(id) {
                if last > cut {
                    out.push(Problem {
                        record: format!(
                            "stance of `{}` on `{}`",
                            s.actors[st.actor].id, s.issues[st.issue].id
                        ),
                        message: format!("cites `{id}`, dated {d}, after the as-of date {as_of}"),
                        hint: "a stance may rest only on what was known at the as-of date: cite earlier evidence, or state an assumption".into(),
                    });
                }
            }
        }
    }
    for i in &s.issues {
        let Some(o) = &i.outcome else { continue };
        for id in &o.evidence {
            if let Some((d, (first, _))) = dated(id) {
                if first <= cut {
                    out.push(Problem {
                        record: format!("outcome of `{}`", i.id),
                        message: format!("cites `{id}`, dated {d}, not after the as-of date {as_of}"),
                        hint: "an observed outcome is what happened after the as-of date: cite the evidence of that".into(),
                    });
                }
            }
        }
    }
}

/// Stances with neither evidence nor an assumption, evidence records cited nowhere, and (with
/// an as-of date) evidence used on the wrong side of it.
/// (Dangling evidence ids are rejected when the scenario is loaded.)
pub fn check(s: &Scenario) -> Vec<Problem> {
    check_with(s, &HashSet::new())
}

/// [`check`], counting as cited the ids in `also` (those its population file cites).
pub fn check_with(s: &Scenario, also: &HashSet<&str>) -> Vec<Problem> {
    let mut out = Vec::new();
    as_of_problems(s, &mut out);
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
    let mut used = cited(s);
    used.extend(also.iter().copied());
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

/// Byte offsets (in `text`) where `figure` occurs as a whole figure: not inside a longer
/// number or word. "3%" is not found in "73%" nor in "1.3%", "7 provinces" not in "17
/// provinces", "1,100" not in "1,100,000". Both are compared as [`normalise`]d.
pub fn occurrences(text: &str, figure: &str) -> Vec<usize> {
    let fig = normalise(figure);
    let fig = fig.trim();
    if fig.is_empty() {
        return Vec::new();
    }
    let b = text.as_bytes();
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    let word = |c: char| c.is_alphanumeric();
    let mut out = Vec::new();
    for (at, _) in text.match_indices(fig) {
        let end = at + fig.len();
        let before = text[..at].chars().next_back();
        let after = text[end..].chars().next();
        // A letter or digit touching the figure makes it part of something longer; so does a
        // decimal point or thousands separator with a digit beyond it.
        let glued_before = before.is_some_and(|c| {
            (word(c) && (fig.starts_with(|d: char| d.is_alphanumeric())))
                || ((c == '.' || c == ',') && at >= 2 && digit(at - 2))
        });
        let glued_after = after.is_some_and(|c| {
            (word(c) && fig.ends_with(|d: char| d.is_alphanumeric()))
                || ((c == '.' || c == ',') && digit(end + 1))
        });
        if !glued_before && !glued_after {
            out.push(at);
        }
    }
    out
}

/// Words too common to show that a figure sits where the record says it does.
const COMMON: &[&str] = &[
    "about", "after", "again", "along", "among", "around", "because", "before", "being", "between",
    "could", "every", "first", "from", "their", "there", "these", "those", "three", "under",
    "until", "which", "while", "would", "where", "other", "since", "still", "through", "against",
    "without", "within", "whose", "above", "below", "says", "said", "point",
];

/// The distinct five-letter stems of a paraphrase's words of five letters or more, common
/// words left out: what a passage stating the same fact is expected to share with it.
fn stems(paraphrase: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for w in paraphrase
        .split(|c: char| !c.is_alphabetic())
        .map(str::to_lowercase)
        .filter(|w| w.chars().count() >= 5 && !COMMON.contains(&w.as_str()))
    {
        let stem: String = w.chars().take(5).collect();
        if !out.contains(&stem) {
            out.push(stem);
        }
    }
    out
}

/// How far (bytes, either side) from a figure the paraphrase's words are looked for.
pub const NEAR: usize = 600;
/// How many of the paraphrase's stems must appear near a figure.
pub const NEAR_STEMS: usize = 2;

/// Whether `NEAR_STEMS` of the paraphrase's stems occur within [`NEAR`] bytes of `at`.
fn near_paraphrase(text_lower: &str, at: usize, len: usize, stems: &[String]) -> bool {
    let floor = |mut i: usize| {
        while !text_lower.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let lo = floor(at.saturating_sub(NEAR));
    let hi = floor((at + len + NEAR).min(text_lower.len()));
    let window = &text_lower[lo..hi];
    let need = NEAR_STEMS.min(stems.len());
    stems.iter().filter(|s| window.contains(s.as_str())).count() >= need
}

/// Checks that every figure of every record appears in the text of the document it cites
/// (looked up as `dir/<source.file>`) as a whole figure ([`occurrences`]), and at least once
/// near the words of the record's paraphrase (two of its word stems within [`NEAR`] bytes), so
/// that a figure is checked where the fact is stated, not anywhere in the document.
pub fn check_sources(s: &Scenario, dir: &Path) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut cache: Vec<(String, Option<(String, String)>)> = Vec::new();
    for e in &s.evidence {
        let text = match cache.iter().find(|(f, _)| *f == e.source.file) {
            Some((_, t)) => t.clone(),
            None => {
                let t = std::fs::read_to_string(dir.join(&e.source.file))
                    .ok()
                    .map(|t| {
                        let n = normalise(&t);
                        // Lower-casing keeps ASCII offsets; the window is re-cut on
                        // character boundaries of the lowered text.
                        let lower = n.to_lowercase();
                        (n, lower)
                    });
                cache.push((e.source.file.clone(), t.clone()));
                t
            }
        };
        let Some((text, lower)) = text else {
            out.push(Problem {
                record: format!("evidence `{}`", e.id),
                message: format!("its source `{}` is not in {}", e.source.file, dir.display()),
                hint: "give --sources the folder that holds the cited documents".into(),
            });
            continue;
        };
        let stems = stems(&e.paraphrase);
        for f in &e.figures {
            let at = occurrences(&text, f);
            if at.is_empty() {
                out.push(Problem {
                    record: format!("evidence `{}`", e.id),
                    message: format!("the figure `{f}` does not appear in {}", e.source.file),
                    hint: "write the figure exactly as the document does (e.g. \"28%\", \"1,500\"); it must stand alone, not inside a longer number"
                        .into(),
                });
                continue;
            }
            let same_case = text.len() == lower.len();
            let near = at.iter().any(|&p| {
                if same_case {
                    near_paraphrase(&lower, p, f.len(), &stems)
                } else {
                    // Lower-casing changed byte lengths (rare scripts): look in the whole text.
                    near_paraphrase(&lower, 0, lower.len(), &stems)
                }
            });
            if !near {
                out.push(Problem {
                    record: format!("evidence `{}`", e.id),
                    message: format!(
                        "the figure `{f}` appears in {} ({} time(s)) but never near the words of the paraphrase",
                        e.source.file,
                        at.len()
                    ),
                    hint: "the figure must be where the document states the fact the record paraphrases: check the figure, or paraphrase that passage".into(),
                });
            }
        }
    }
    out
}

/// Who cites record `id`, in file order: `actor KAZ`, `issue recognition`,
/// `outcome recognition`, `stance KAZ/recognition`.
pub fn cited_by(s: &Scenario, id: &str) -> Vec<String> {
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

/// The ids of the records behind issue `k`: the issue's, its outcome's and its stances'.
pub fn behind_issue(s: &Scenario, k: usize) -> HashSet<String> {
    let iss = &s.issues[k];
    let mut ids: HashSet<String> = iss.evidence.iter().cloned().collect();
    if let Some(o) = &iss.outcome {
        ids.extend(o.evidence.iter().cloned());
    }
    for st in s.stances_on(k) {
        ids.extend(st.evidence.iter().cloned());
    }
    ids
}

/// The ids of the records behind actor `k`: the actor's and its stances'.
pub fn behind_actor(s: &Scenario, k: usize) -> HashSet<String> {
    let mut ids: HashSet<String> = s.actors[k].evidence.iter().cloned().collect();
    for st in s.stances.iter().filter(|st| st.actor == k) {
        ids.extend(st.evidence.iter().cloned());
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kazakhstan_as_of(date: &str) -> Result<Scenario, crate::ScenarioErrors> {
        let text = crate::builtin::ALL
            .iter()
            .find(|(n, _)| *n == "kazakhstan")
            .map(|(_, t)| *t)
            .unwrap_or_default()
            .replacen("as_of = \"2022-03-31\"", &format!("as_of = \"{date}\""), 1);
        crate::parse_toml("k.toml", &text)
    }

    #[test]
    fn dates_mean_the_days_they_can_mean() {
        use jiff::civil::date;
        assert_eq!(
            known_between("2022"),
            Some((date(2022, 1, 1), date(2022, 12, 31)))
        );
        assert_eq!(
            known_between("2024-02"),
            Some((date(2024, 2, 1), date(2024, 2, 29)))
        );
        assert_eq!(
            known_between("2022-03-06"),
            Some((date(2022, 3, 6), date(2022, 3, 6)))
        );
        for bad in [
            "22",
            "2022-3",
            "2022-13",
            "2022-02-30",
            "March 2022",
            "",
            "2022-03-06-01",
        ] {
            assert_eq!(known_between(bad), None, "{bad}");
        }
        assert!(
            kazakhstan_as_of("2022-31-03").is_err(),
            "a bad as-of date is a located error"
        );
    }

    #[test]
    fn stances_use_only_what_was_known_and_outcomes_only_what_came_after() {
        // The shipped scenario keeps the rule at its as-of date (2022-03-31).
        let s = kazakhstan_as_of("2022-03-31").expect("valid");
        assert_eq!(s.meta.as_of.as_deref(), Some("2022-03-31"));
        // Records only the population cites count as cited when its ids are passed.
        let pop = crate::population::builtin("kazakhstan").unwrap().unwrap();
        let also: HashSet<&str> = pop.evidence_ids().into_iter().collect();
        assert_eq!(check_with(&s, &also), Vec::new());
        assert!(
            check(&s)
                .iter()
                .any(|p| p.record == "evidence `audience-cost-argument`"),
            "without them, a population-only record is cited nowhere"
        );
        // A stance resting on the 2023 trade figures, and an outcome resting on the 2 March
        // vote, are each named with the dates.
        let mut bad = s.clone();
        let (kaz, trade) = (
            bad.actor_index("KAZ").unwrap(),
            bad.issue_index("china_trade").unwrap(),
        );
        let st = bad
            .stances
            .iter_mut()
            .find(|st| st.actor == kaz && st.issue == trade)
            .unwrap();
        st.evidence.push("china-2023".into());
        let vote = bad.issue_index("unga_vote").unwrap();
        bad.issues[vote]
            .outcome
            .as_mut()
            .unwrap()
            .evidence
            .push("unga-2-march".into());
        let p = check_with(&bad, &also);
        let has = |record: &str, text: &str| {
            p.iter()
                .any(|x| x.record == record && x.message.contains(text))
        };
        assert!(has(
            "stance of `KAZ` on `china_trade`",
            "cites `china-2023`, dated 2024, after the as-of date 2022-03-31"
        ));
        assert!(has(
            "outcome of `unga_vote`",
            "cites `unga-2-march`, dated 2022-03-02, not after"
        ));
        assert_eq!(p.len(), 2, "{p:?}");
        // An earlier as-of date puts the March evidence out of the inputs' reach.
        let early = kazakhstan_as_of("2022-02-20").expect("valid");
        let p = check(&early);
        assert!(
            p.iter()
                .any(|x| x.message.contains("cites `tokayev-1-march`")),
            "{p:?}"
        );
        // Without a date on a record the rule cannot be checked: that is a problem itself.
        let mut undated = s.clone();
        undated.evidence[0].date = None;
        assert!(
            check(&undated)
                .iter()
                .any(|x| x.message.contains("has no date"))
        );
        // Without an as-of date nothing of this is checked.
        let mut none = bad;
        none.meta.as_of = None;
        assert!(check_with(&none, &also).is_empty());
    }

    #[test]
    fn figures_match_whole_not_inside_longer_numbers_or_words() {
        let t = "Support fell to 73% in 2023, from 13% a year before; 17 provinces and 1,100,000 people; 1.3% and 3.5 points; 28%.";
        assert!(occurrences(t, "3%").is_empty());
        assert_eq!(occurrences(t, "13%").len(), 1);
        assert!(occurrences(t, "7 provinces").is_empty());
        assert_eq!(occurrences(t, "17 provinces").len(), 1);
        assert!(occurrences(t, "1,100").is_empty());
        assert!(occurrences(t, "3").is_empty());
        assert_eq!(
            occurrences(t, "28%").len(),
            1,
            "a figure at the end of a sentence"
        );
        assert_eq!(occurrences(t, "2023").len(), 1);
        assert!(occurrences(t, "202").is_empty());
        assert!(
            occurrences("the 2021-2022 season", "2022").len() == 1,
            "ranges split on a dash"
        );
    }

    #[test]
    fn a_figure_must_sit_near_the_words_it_is_cited_for() {
        let filler = "x ".repeat(NEAR);
        let text =
            format!("Respondents who saw annexation as the aim: 28%. {filler} Tariffs rose 12%.");
        let stems =
            stems("The share of respondents who think Russia fights to annex Ukraine rose to 28%.");
        let lower = text.to_lowercase();
        let at = occurrences(&text, "28%")[0];
        assert!(near_paraphrase(&lower, at, 3, &stems));
        let at = occurrences(&text, "12%")[0];
        assert!(!near_paraphrase(&lower, at, 3, &stems));
    }
}
