//! What the stance editor adds to a scenario: a new actor, a new stance on an issue, a new
//! issue with its stances. Each addition is appended to the scenario's TOML text as the
//! records a user would write by hand, and the whole text is checked by the scenario reader,
//! so an addition obeys every rule a file does; problems come back in the user's terms
//! (which addition, which field), never as lines of generated text.

use std::collections::HashMap;

use multivector_scenario::{Format, load_str};

/// The per-issue fields of a new stance on issue `k`.
pub(crate) fn stance_fields(k: usize) -> [String; 4] {
    [
        format!("add_stance_actor{k}"),
        format!("add_stance_position{k}"),
        format!("add_stance_salience{k}"),
        format!("add_stance_why{k}"),
    ]
}

/// Whether a form field belongs to an addition.
pub(crate) fn is_addition_field(key: &str) -> bool {
    key.starts_with("add_")
}

/// A TOML basic string (JSON's escapes are TOML's).
fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// The trimmed value of a field, `None` when absent or blank.
fn field<'f>(form: &'f HashMap<String, String>, key: &str) -> Option<&'f str> {
    form.get(key).map(|v| v.trim()).filter(|v| !v.is_empty())
}

/// A finite number, or the problem in the user's terms.
fn number(what: &str, raw: &str) -> Result<f64, String> {
    match raw.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(format!("{what}: `{raw}` is not a number")),
    }
}

/// One addition: what the user asked for (in their terms), the records it writes (as the
/// scenario reader names them in its errors) and its TOML text.
struct Part {
    what: String,
    records: Vec<String>,
    text: String,
}

/// One stance record.
fn stance(actor: &str, issue: &str, position: f64, salience: f64, why: &str) -> String {
    format!(
        "\n[[stances]]\nactor = {}\nissue = {}\nposition = {position:?}\nsalience = {salience:?}\nassumption = {}\n",
        quoted(actor),
        quoted(issue),
        quoted(why)
    )
}

/// `text` (a TOML scenario named `name`) with the form's additions appended: `Ok(None)` when
/// the form adds nothing, `Ok(Some(text))` when the result reads, else every problem.
pub(crate) fn apply(
    name: &str,
    text: &str,
    form: &HashMap<String, String>,
) -> Result<Option<String>, Vec<String>> {
    let mut parts: Vec<Part> = Vec::new();
    let mut errors = Vec::new();
    let scenario = load_str(name, text, Format::Toml)
        .map_err(|e| vec![e.to_string()])?
        .scenario;
    // A new actor.
    if let Some(id) = field(form, "add_actor_id") {
        let what = format!("new actor `{id}`");
        let capability = match field(form, "add_actor_capability") {
            None => Err(format!("{what}: give its capability")),
            Some(raw) => number(&format!("{what}, capability"), raw),
        };
        match capability {
            Ok(c) => parts.push(Part {
                what,
                records: vec![format!("actor `{id}`")],
                text: format!(
                    "\n[[actors]]\nid = {}\nname = {}\nkind = {}\ncapability = {c:?}\n",
                    quoted(id),
                    quoted(field(form, "add_actor_name").unwrap_or(id)),
                    quoted(field(form, "add_actor_kind").unwrap_or("state")),
                ),
            }),
            Err(e) => errors.push(e),
        }
    }
    // A new stance on an existing issue.
    for (k, issue) in scenario.issues.iter().enumerate() {
        let [a, p, s, w] = stance_fields(k);
        let Some(actor) = field(form, &a) else {
            continue;
        };
        let what = format!("new stance of `{actor}` on `{}`", issue.id);
        let position = field(form, &p)
            .ok_or(format!("{what}: give a position"))
            .and_then(|raw| number(&format!("{what}, position"), raw));
        let salience = field(form, &s)
            .ok_or(format!("{what}: give a salience"))
            .and_then(|raw| number(&format!("{what}, salience"), raw));
        let why = field(form, &w).ok_or(format!(
            "{what}: say why (the assumption behind the numbers)"
        ));
        match (position, salience, why) {
            (Ok(p), Ok(s), Ok(w)) => parts.push(Part {
                what,
                records: vec![format!("stance of `{actor}` on `{}`", issue.id)],
                text: stance(actor, &issue.id, p, s, w),
            }),
            (p, s, w) => errors.extend([p.err(), s.err(), w.err()].into_iter().flatten()),
        }
    }
    // A new issue with its stances, one per line: `actor position salience`.
    if let Some(id) = field(form, "add_issue_id") {
        let what = format!("new issue `{id}`");
        let question = field(form, "add_issue_question").unwrap_or(id);
        let low = field(form, "add_issue_low").unwrap_or("0");
        let high = field(form, "add_issue_high").unwrap_or("100");
        let why = field(form, "add_issue_why").unwrap_or_else(|| {
            errors.push(format!(
                "{what}: say why (the assumption behind the stances)"
            ));
            ""
        });
        let mut records = vec![format!("issue `{id}`")];
        let mut block = format!(
            "\n[[issues]]\nid = {}\nquestion = {}\nscale = {{ low = {}, high = {} }}\n",
            quoted(id),
            quoted(question),
            quoted(low),
            quoted(high)
        );
        let lines = field(form, "add_issue_stances").unwrap_or("");
        for (n, line) in lines
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let at = format!("{what}, stance line {}", n + 1);
            let cells: Vec<&str> = line
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|c| !c.is_empty())
                .collect();
            let [actor, p, s] = cells.as_slice() else {
                errors.push(format!(
                    "{at}: `{}` should read `actor position salience`",
                    line.trim()
                ));
                continue;
            };
            match (
                number(&format!("{at}, position"), p),
                number(&format!("{at}, salience"), s),
            ) {
                (Ok(p), Ok(s)) => {
                    records.push(format!("stance of `{actor}` on `{id}`"));
                    block.push_str(&stance(actor, id, p, s, why));
                }
                (p, s) => errors.extend([p.err(), s.err()].into_iter().flatten()),
            }
        }
        parts.push(Part {
            what,
            records,
            text: block,
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if parts.is_empty() {
        return Ok(None);
    }
    let mut full = text.trim_end().to_string();
    full.push('\n');
    for p in &parts {
        full.push_str(&p.text);
    }
    match load_str(name, &full, Format::Toml) {
        Ok(_) => Ok(Some(full)),
        Err(e) => Err(e
            .errors()
            .iter()
            .map(|x| {
                // The addition that wrote the record the problem names; a problem of no
                // single record (an issue's stance count, say) names every addition.
                let who = x
                    .location
                    .record
                    .as_deref()
                    .and_then(|r| parts.iter().find(|p| p.records.iter().any(|w| w == r)))
                    .map_or_else(
                        || {
                            let all: Vec<&str> = parts.iter().map(|p| p.what.as_str()).collect();
                            format!("the additions ({})", all.join(", "))
                        },
                        |p| p.what.clone(),
                    );
                let field = x
                    .location
                    .field
                    .as_deref()
                    .map_or(String::new(), |f| format!(", field `{f}`"));
                let hint = x
                    .hint
                    .as_deref()
                    .map_or(String::new(), |h| format!(" ({h})"));
                format!("{who}{field}: {}{hint}", x.message)
            })
            .collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO: &str = r#"format_version = 1
[scenario]
id = "two"
name = "Two"
salience_scale = "0-1"
[[actors]]
id = "A"
kind = "state"
capability = 1
[[actors]]
id = "B"
kind = "state"
capability = 3
[[issues]]
id = "q"
question = "?"
scale = { low = "0", high = "100" }
[[stances]]
actor = "A"
issue = "q"
position = 40
salience = 1
assumption = "test"
[[stances]]
actor = "B"
issue = "q"
position = 60
salience = 1
assumption = "test"
"#;

    fn form(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn nothing_added_leaves_the_text() {
        assert_eq!(apply("two", TWO, &form(&[("add_actor_id", " ")])), Ok(None));
    }

    /// A new actor with a stance on the old issue, and a new issue with two stances: the text
    /// reads, and holds what was asked (checked on the loaded scenario).
    #[test]
    fn an_actor_a_stance_and_an_issue_are_added() {
        let f = form(&[
            ("add_actor_id", "C"),
            ("add_actor_name", "Cee \"the third\""),
            ("add_actor_capability", "2"),
            ("add_stance_actor0", "C"),
            ("add_stance_position0", "75"),
            ("add_stance_salience0", "0.5"),
            ("add_stance_why0", "a guess"),
            ("add_issue_id", "q2"),
            ("add_issue_question", "Another?"),
            ("add_issue_low", "none"),
            ("add_issue_high", "all"),
            ("add_issue_stances", "A 10 0.4\nC, 90, 0.8\n\n"),
            ("add_issue_why", "illustration"),
        ]);
        let text = apply("two", TWO, &f).unwrap().unwrap();
        let s = load_str("two", &text, Format::Toml).unwrap().scenario;
        assert_eq!(s.actors.len(), 3);
        assert_eq!(s.actors[2].name, "Cee \"the third\"");
        assert_eq!(s.actors[2].capability, 2.0);
        assert_eq!(s.issues.len(), 2);
        assert_eq!(s.issues[1].question, "Another?");
        let on = |k: usize| -> Vec<(String, f64, f64)> {
            s.stances_on(k)
                .map(|st| (s.actors[st.actor].id.clone(), st.position, st.salience))
                .collect()
        };
        assert!(on(0).contains(&("C".into(), 75.0, 0.5)));
        assert_eq!(
            on(1),
            vec![("A".into(), 10.0, 0.4), ("C".into(), 90.0, 0.8)]
        );
    }

    /// Bad additions are refused with what and where: a missing reason, a word for a
    /// number, a short stance line, an unknown actor, a salience off the scale.
    #[test]
    fn bad_additions_say_what_and_where() {
        let e = apply(
            "two",
            TWO,
            &form(&[
                ("add_stance_actor0", "A"),
                ("add_stance_position0", "lots"),
                ("add_stance_salience0", "1"),
                ("add_issue_id", "q2"),
                ("add_issue_stances", "A 10\nB 20 0.5"),
            ]),
        )
        .unwrap_err();
        let all = e.join("\n");
        assert!(
            all.contains("new stance of `A` on `q`, position: `lots` is not a number"),
            "{all}"
        );
        assert!(all.contains("new stance of `A` on `q`: say why"), "{all}");
        assert!(
            all.contains("new issue `q2`, stance line 1: `A 10` should read"),
            "{all}"
        );
        assert!(all.contains("new issue `q2`: say why"), "{all}");
        // Checked by the scenario reader: an unknown actor, a salience beyond the scale.
        let e = apply(
            "two",
            TWO,
            &form(&[
                ("add_stance_actor0", "Z"),
                ("add_stance_position0", "50"),
                ("add_stance_salience0", "3"),
                ("add_stance_why0", "x"),
            ]),
        )
        .unwrap_err();
        // Each problem is put to the addition that wrote the record it names.
        assert_eq!(
            e,
            [
                "new stance of `Z` on `q`, field `actor`: unknown actor `Z` (define it in [[actors]] first; known actors: A, B)"
            ]
        );
        let e = apply(
            "two",
            TWO,
            &form(&[
                ("add_actor_id", "C"),
                ("add_actor_capability", "1"),
                ("add_stance_actor0", "C"),
                ("add_stance_position0", "50"),
                ("add_stance_salience0", "3"),
                ("add_stance_why0", "x"),
            ]),
        )
        .unwrap_err();
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(
            e[0].starts_with("new stance of `C` on `q`, field `salience`"),
            "{e:?}"
        );
        // A new issue with one stance: the reader's count names the issue's record.
        let e = apply(
            "two",
            TWO,
            &form(&[
                ("add_issue_id", "q2"),
                ("add_issue_stances", "A 10 0.4"),
                ("add_issue_why", "x"),
            ]),
        )
        .unwrap_err();
        assert!(
            e.iter()
                .any(|m| m.starts_with("new issue `q2`") && m.contains("at least two")),
            "{e:?}"
        );
        // A duplicate actor id is the reader's error too.
        let e = apply(
            "two",
            TWO,
            &form(&[("add_actor_id", "A"), ("add_actor_capability", "1")]),
        )
        .unwrap_err();
        assert!(e.join("\n").contains("new actor `A`"), "{e:?}");
    }
}
