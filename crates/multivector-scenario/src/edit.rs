//! Stance edits from outside a scenario file (a notebook's DataFrame, a form): each edit is
//! checked by the rules the file format applies, and every problem is reported at once,
//! located by edit number (as `line`), field and stance.
//!
//! ```
//! use multivector_scenario::edit::{edit_stances, StanceEdit, StanceField};
//!
//! let s = multivector_scenario::builtin::load("kazakhstan").unwrap().unwrap().scenario;
//! let edit = StanceEdit::new("KAZ", "recognition", StanceField::Position, 5.0);
//! let edited = edit_stances(&s, "edits", &[edit]).unwrap();
//! let (a, i) = (edited.actor_index("KAZ").unwrap(), edited.issue_index("recognition").unwrap());
//! let st = edited.stances.iter().find(|st| st.actor == a && st.issue == i).unwrap();
//! assert_eq!(st.position, 5.0);
//!
//! let bad = StanceEdit::new("KAZ", "recognition", StanceField::Salience, f64::NAN);
//! let errors = edit_stances(&s, "edits", &[bad]).unwrap_err();
//! assert_eq!(errors.errors()[0].location.field.as_deref(), Some("salience"));
//! ```

use multivector_core::{MAX_MAGNITUDE, Scenario};

use crate::error::{Location, ScenarioError, ScenarioErrors};

/// Which number of a stance an edit sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StanceField {
    /// The position, on the issue's scale.
    Position,
    /// The salience, on the scenario's salience scale (0-1 or 0-100).
    Salience,
    /// The stance's own capability (overrides the actor's).
    Capability,
}

impl StanceField {
    /// The field's name in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            StanceField::Position => "position",
            StanceField::Salience => "salience",
            StanceField::Capability => "capability",
        }
    }

    /// The field of this name (`position`, `salience`, `capability`).
    pub fn parse(name: &str) -> Option<StanceField> {
        [
            StanceField::Position,
            StanceField::Salience,
            StanceField::Capability,
        ]
        .into_iter()
        .find(|f| f.name() == name.trim())
    }
}

/// One edit: actor `actor`'s stance on issue `issue` gets `value` in `field`.
#[derive(Debug, Clone, PartialEq)]
pub struct StanceEdit {
    /// The actor's id.
    pub actor: String,
    /// The issue's id.
    pub issue: String,
    /// The number set.
    pub field: StanceField,
    /// The new value, on the scales the scenario file uses.
    pub value: f64,
}

impl StanceEdit {
    /// An edit.
    pub fn new(actor: &str, issue: &str, field: StanceField, value: f64) -> Self {
        Self {
            actor: actor.into(),
            issue: issue.into(),
            field,
            value,
        }
    }
}

/// `s` with the edits applied in order, or every problem they have. `source` names the edits
/// in messages (a file, `DataFrame`, `dict`); the `line` of an error is the edit's 1-based
/// number. Checked: the actor, the issue and the stance exist; the value is finite and within
/// the format's limits (positions on the issue's scale, saliences on the salience scale,
/// capabilities zero or more); no issue is left with zero total weight, and no actor's
/// saliences over a space's dimensions sum past the budget.
pub fn edit_stances(
    s: &Scenario,
    source: &str,
    edits: &[StanceEdit],
) -> Result<Scenario, ScenarioErrors> {
    let mut out = s.clone();
    let mut errors = Vec::new();
    let smax = s.meta.salience_scale.max();
    for (n, e) in edits.iter().enumerate() {
        let record = format!("stance of `{}` on `{}`", e.actor, e.issue);
        let mut fail = |field: &str, message: String, hint: String| {
            errors.push(ScenarioError {
                location: Location {
                    file: source.into(),
                    line: Some(n + 1),
                    column: None,
                    field: Some(field.into()),
                    record: Some(record.clone()),
                },
                message,
                hint: Some(hint),
            });
        };
        let Some(a) = s.actor_index(&e.actor) else {
            fail(
                "actor",
                format!("the scenario has no actor `{}`", e.actor),
                format!("actors: {}", ids(s.actors.iter().map(|a| a.id.as_str()))),
            );
            continue;
        };
        let Some(i) = s.issue_index(&e.issue) else {
            fail(
                "issue",
                format!("the scenario has no issue `{}`", e.issue),
                format!("issues: {}", ids(s.issues.iter().map(|i| i.id.as_str()))),
            );
            continue;
        };
        let Some(k) = s
            .stances
            .iter()
            .position(|st| st.actor == a && st.issue == i)
        else {
            fail(
                "actor",
                format!("`{}` takes no stance on `{}`", e.actor, e.issue),
                "edits change existing stances; add a new stance in the scenario file".into(),
            );
            continue;
        };
        let field = e.field.name();
        let v = e.value;
        if !v.is_finite() {
            fail(
                field,
                format!("{v} is not a finite number"),
                "give a number".into(),
            );
            continue;
        }
        if v.abs() > MAX_MAGNITUDE {
            fail(
                field,
                format!("{v:e} is beyond the largest size accepted, {MAX_MAGNITUDE:e}"),
                "rescale the values".into(),
            );
            continue;
        }
        let st = &mut out.stances[k];
        match e.field {
            StanceField::Position => {
                let sc = &s.issues[i].scale;
                if v < sc.min || v > sc.max {
                    fail(
                        field,
                        format!("{v} lies outside the scale {}-{}", sc.min, sc.max),
                        "positions lie on the issue's scale".into(),
                    );
                    continue;
                }
                st.position = v;
            }
            StanceField::Salience => {
                if !(0.0..=smax).contains(&v) {
                    fail(
                        field,
                        format!("{v} lies outside the salience scale 0-{smax}"),
                        format!("saliences lie in [0, {smax}] (the scenario's salience_scale)"),
                    );
                    continue;
                }
                st.salience = v / smax;
            }
            StanceField::Capability => {
                if v < 0.0 {
                    fail(
                        field,
                        format!("capability is {v}; it must be zero or more"),
                        "capability is any number >= 0 on the scenario's own scale".into(),
                    );
                    continue;
                }
                st.capability = Some(v);
            }
        }
    }
    // What the edits may break as a whole.
    let whole = |message: String, hint: &str, record: String| ScenarioError {
        location: Location {
            file: source.into(),
            record: Some(record),
            ..Location::default()
        },
        message,
        hint: Some(hint.into()),
    };
    if errors.is_empty() {
        for (i, issue) in out.issues.iter().enumerate() {
            let on: Vec<_> = out.stances.iter().filter(|st| st.issue == i).collect();
            let zero = on.iter().all(|st| {
                st.salience * st.capability.unwrap_or(out.actors[st.actor].capability) == 0.0
            });
            if !on.is_empty() && zero {
                errors.push(whole(
                    "every stance on this issue now has zero weight (capability x salience)".into(),
                    "leave at least one stance with a salience and a capability above zero",
                    format!("issue `{}`", issue.id),
                ));
            }
        }
        for space in &out.spaces {
            for (a, actor) in out.actors.iter().enumerate() {
                let total: f64 = out
                    .stances
                    .iter()
                    .filter(|st| st.actor == a && space.dimensions.contains(&st.issue))
                    .map(|st| st.salience)
                    .sum();
                if total > 1.0 + 1e-9 {
                    errors.push(whole(
                        format!(
                            "`{}`'s saliences over the dimensions now sum to {:.3} of {smax}",
                            actor.id,
                            total * smax
                        ),
                        "attention is a budget: saliences over a space's dimensions sum to at most the scale's top",
                        format!("space `{}`", space.id),
                    ));
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(ScenarioErrors(errors))
    }
}

fn ids<'a>(it: impl Iterator<Item = &'a str>) -> String {
    it.collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn kz() -> Scenario {
        crate::builtin::load("kazakhstan")
            .unwrap()
            .unwrap()
            .scenario
    }

    #[test]
    fn every_bad_edit_is_reported_with_its_number_field_and_stance() {
        let s = kz();
        let edits = [
            StanceEdit::new("KAZ", "recognition", StanceField::Position, 10.0),
            StanceEdit::new("XXX", "recognition", StanceField::Position, 10.0),
            StanceEdit::new("KAZ", "nope", StanceField::Position, 10.0),
            StanceEdit::new("KAZ", "recognition", StanceField::Salience, 101.0),
            StanceEdit::new("KAZ", "recognition", StanceField::Position, -1.0),
            StanceEdit::new("KAZ", "recognition", StanceField::Capability, f64::INFINITY),
            StanceEdit::new("KAZ", "recognition", StanceField::Capability, -2.0),
            StanceEdit::new("KAZ", "recognition", StanceField::Salience, 1e300),
        ];
        let e = edit_stances(&s, "df", &edits).unwrap_err();
        let got: Vec<(usize, &str)> = e
            .errors()
            .iter()
            .map(|x| {
                (
                    x.location.line.unwrap(),
                    x.location.field.as_deref().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (2, "actor"),
                (3, "issue"),
                (4, "salience"),
                (5, "position"),
                (6, "capability"),
                (7, "capability"),
                (8, "salience"),
            ]
        );
        assert!(e.errors()[0].hint.as_deref().unwrap().contains("KAZ"));
        assert_eq!(e.errors()[2].location.file, "df");
    }

    #[test]
    fn a_salience_is_read_on_the_scenarios_scale_and_weights_cannot_all_vanish() {
        let s = kz();
        let i = s.issue_index("recognition").unwrap();
        let a = s.actor_index("KAZ").unwrap();
        let e = edit_stances(
            &s,
            "df",
            &[StanceEdit::new(
                "KAZ",
                "recognition",
                StanceField::Salience,
                40.0,
            )],
        )
        .unwrap();
        let st = e
            .stances
            .iter()
            .find(|st| st.actor == a && st.issue == i)
            .unwrap();
        assert_eq!(st.salience * s.meta.salience_scale.max(), 40.0);
        let all_zero: Vec<StanceEdit> = s
            .stances
            .iter()
            .filter(|st| st.issue == i)
            .map(|st| {
                StanceEdit::new(
                    &s.actors[st.actor].id,
                    "recognition",
                    StanceField::Salience,
                    0.0,
                )
            })
            .collect();
        let err = edit_stances(&s, "df", &all_zero).unwrap_err();
        assert!(err.to_string().contains("zero weight"), "{err}");
    }
}
