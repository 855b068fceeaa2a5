//! The numeric input of one issue, as every bargaining model receives it.

use thiserror::Error;

/// Why an [`IssueInput`] cannot be built. Each variant names the issue and, where one is to
/// blame, the actor.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum InputError {
    #[error(
        "issue `{issue}`, actor `{actor}`: {field} is {value}; numbers beyond {max:e} in size are refused (only ratios of capabilities matter, so rescale them)",
        max = MAX_MAGNITUDE
    )]
    TooLarge {
        issue: String,
        actor: String,
        field: &'static str,
        value: f64,
    },
    #[error(
        "issue `{issue}`: {count} actor(s) hold a stance; a bargaining model needs at least two"
    )]
    TooFewActors { issue: String, count: usize },
    #[error("issue `{issue}`: actor `{actor}` appears twice")]
    DuplicateActor { issue: String, actor: String },
    #[error("issue `{issue}`, actor `{actor}`: {field} is {value}, which is not a finite number")]
    NotFinite {
        issue: String,
        actor: String,
        field: &'static str,
        value: f64,
    },
    #[error("issue `{issue}`, actor `{actor}`: capability is {value}; it must be zero or more")]
    NegativeCapability {
        issue: String,
        actor: String,
        value: f64,
    },
    #[error(
        "issue `{issue}`, actor `{actor}`: salience is {value}; on the internal scale it must lie in [0, 1]"
    )]
    SalienceOutOfRange {
        issue: String,
        actor: String,
        value: f64,
    },
    #[error(
        "issue `{issue}`: every actor has zero weight (capability x salience), so no forecast is defined"
    )]
    NoWeight { issue: String },
    #[error("issue `{issue}`: the columns have different lengths")]
    Ragged { issue: String },
    #[error(
        "issue `{issue}`: the scale [{min}, {max}] needs finite ends, min below max, each at most 1e15 in size"
    )]
    BadScale { issue: String, min: f64, max: f64 },
    #[error(
        "issue `{issue}`, actor `{actor}`: position {value} lies outside the scale [{min}, {max}]"
    )]
    OutsideScale {
        issue: String,
        actor: String,
        value: f64,
        min: f64,
        max: f64,
    },
    #[error("issue `{issue}`: {message}")]
    BadEvent { issue: String, message: String },
}

/// The largest size a position, scale end or capability may have: far beyond any real
/// measure, and small enough that sums of weighted positions over thousands of actors stay
/// finite (a capability of 1e308 used to make the weighted mean infinite, and a scale of
/// +-1e308 made the spatial model's unit scale NaN and its loop endless).
pub const MAX_MAGNITUDE: f64 = 1e15;

/// A number of an actor's stance, as [`IssueInput::with_value`] names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum InputField {
    Position,
    Salience,
    Capability,
}

/// A change to one actor during bargaining, at the start of round `round` (from 1).
#[derive(Debug, Clone, PartialEq)]
pub struct InputEvent {
    pub round: usize,
    /// Index of the actor in the input.
    pub slot: usize,
    pub position: Option<f64>,
    /// On `[0, 1]`.
    pub salience: Option<f64>,
    pub capability: Option<f64>,
    /// The actor leaves: from this round it has no weight, makes no move and is no
    /// counterpart.
    pub leave: bool,
    /// The actor enters at this round: before it, it takes no part.
    pub enter: bool,
}

/// Positions, capabilities and saliences (on `[0, 1]`) of the actors on one issue.
///
/// Built only through [`IssueInput::new`], which checks every number, so models may rely on:
/// at least two actors, unique ids, finite values, capability `>= 0`, salience in `[0, 1]`,
/// and a positive total weight `sum c_i s_i`.
#[derive(Debug, Clone, PartialEq)]
pub struct IssueInput {
    issue_id: String,
    actor_ids: Vec<String>,
    positions: Vec<f64>,
    capabilities: Vec<f64>,
    saliences: Vec<f64>,
    /// The issue scale `(min, max)` when the scenario defines one.
    scale: Option<(f64, f64)>,
    status_quo: Option<f64>,
    /// Changes during bargaining, by round (round-based models apply them; baselines apply
    /// all of them, as the state after the last event).
    events: Vec<InputEvent>,
}

impl IssueInput {
    /// Checks and builds the input (see the type's invariants).
    pub fn new(
        issue_id: &str,
        actor_ids: Vec<String>,
        positions: Vec<f64>,
        capabilities: Vec<f64>,
        saliences: Vec<f64>,
    ) -> Result<Self, InputError> {
        let issue = issue_id.to_string();
        let n = actor_ids.len();
        if positions.len() != n || capabilities.len() != n || saliences.len() != n {
            return Err(InputError::Ragged { issue });
        }
        if n < 2 {
            return Err(InputError::TooFewActors { issue, count: n });
        }
        for (i, id) in actor_ids.iter().enumerate() {
            if actor_ids[..i].contains(id) {
                return Err(InputError::DuplicateActor {
                    issue,
                    actor: id.clone(),
                });
            }
            for (field, value) in [
                ("position", positions[i]),
                ("capability", capabilities[i]),
                ("salience", saliences[i]),
            ] {
                if !value.is_finite() {
                    return Err(InputError::NotFinite {
                        issue,
                        actor: id.clone(),
                        field,
                        value,
                    });
                }
            }
            for (field, value) in [("position", positions[i]), ("capability", capabilities[i])] {
                if value.abs() > MAX_MAGNITUDE {
                    return Err(InputError::TooLarge {
                        issue,
                        actor: id.clone(),
                        field,
                        value,
                    });
                }
            }
            if capabilities[i] < 0.0 {
                return Err(InputError::NegativeCapability {
                    issue,
                    actor: id.clone(),
                    value: capabilities[i],
                });
            }
            if !(0.0..=1.0).contains(&saliences[i]) {
                return Err(InputError::SalienceOutOfRange {
                    issue,
                    actor: id.clone(),
                    value: saliences[i],
                });
            }
        }
        let total: f64 = capabilities
            .iter()
            .zip(&saliences)
            .map(|(c, s)| c * s)
            .sum();
        if total <= 0.0 {
            return Err(InputError::NoWeight { issue });
        }
        Ok(Self {
            issue_id: issue,
            actor_ids,
            positions,
            capabilities,
            saliences,
            scale: None,
            status_quo: None,
            events: Vec::new(),
        })
    }

    /// The issue's id.
    pub fn issue_id(&self) -> &str {
        &self.issue_id
    }

    /// The actors' ids, in input order.
    pub fn actor_ids(&self) -> &[String] {
        &self.actor_ids
    }

    /// Positions on the issue's scale.
    pub fn positions(&self) -> &[f64] {
        &self.positions
    }

    /// Capabilities (>= 0).
    pub fn capabilities(&self) -> &[f64] {
        &self.capabilities
    }

    /// Saliences on `[0, 1]`.
    pub fn saliences(&self) -> &[f64] {
        &self.saliences
    }

    /// The issue's scale `(min, max)`, when known.
    pub fn scale(&self) -> Option<(f64, f64)> {
        self.scale
    }

    /// The status quo, when known.
    pub fn status_quo(&self) -> Option<f64> {
        self.status_quo
    }

    /// Changes during bargaining, sorted by round.
    pub fn events(&self) -> &[InputEvent] {
        &self.events
    }

    /// The input on the scale `(min, max)`: finite, `min < max`, no larger than
    /// [`MAX_MAGNITUDE`], every position inside it.
    pub fn with_scale(mut self, min: f64, max: f64) -> Result<Self, InputError> {
        let ok = |v: f64| v.is_finite() && v.abs() <= MAX_MAGNITUDE;
        if !(ok(min) && ok(max) && min < max) {
            return Err(InputError::BadScale {
                issue: self.issue_id,
                min,
                max,
            });
        }
        if let Some(k) = self.positions.iter().position(|p| !(min..=max).contains(p)) {
            return Err(InputError::OutsideScale {
                issue: self.issue_id,
                actor: self.actor_ids[k].clone(),
                value: self.positions[k],
                min,
                max,
            });
        }
        self.scale = Some((min, max));
        Ok(self)
    }

    /// The input with this status quo (finite, or none).
    pub fn with_status_quo(mut self, status_quo: Option<f64>) -> Result<Self, InputError> {
        if let Some(v) = status_quo {
            if !(v.is_finite() && v.abs() <= MAX_MAGNITUDE) {
                return Err(InputError::NotFinite {
                    issue: self.issue_id,
                    actor: "status quo".into(),
                    field: "status_quo",
                    value: v,
                });
            }
        }
        self.status_quo = status_quo;
        Ok(self)
    }

    /// The input with one more event (kept sorted by round, stable): its actor exists, its
    /// round is at least 1, its values keep the input's invariants.
    pub fn with_event(mut self, e: InputEvent) -> Result<Self, InputError> {
        let Some(actor) = self.actor_ids.get(e.slot).cloned() else {
            return Err(InputError::BadEvent {
                issue: self.issue_id,
                message: format!("no actor in slot {}", e.slot),
            });
        };
        if e.round == 0 {
            return Err(InputError::BadEvent {
                issue: self.issue_id,
                message: format!("an event of `{actor}` at round 0; rounds count from 1"),
            });
        }
        for (field, value) in [
            ("position", e.position),
            ("salience", e.salience),
            ("capability", e.capability),
        ] {
            let Some(v) = value else { continue };
            let bad = !v.is_finite()
                || v.abs() > MAX_MAGNITUDE
                || (field == "salience" && !(0.0..=1.0).contains(&v))
                || (field == "capability" && v < 0.0);
            if bad {
                return Err(InputError::BadEvent {
                    issue: self.issue_id,
                    message: format!(
                        "an event of `{actor}` sets {field} to {v}, outside its range"
                    ),
                });
            }
        }
        let at = self.events.partition_point(|x| x.round <= e.round);
        self.events.insert(at, e);
        Ok(self)
    }

    /// The input with actor `slot`'s position, salience or capability replaced, checked as
    /// [`IssueInput::new`] checks (sensitivity sweeps go through this).
    pub fn with_value(&self, field: InputField, slot: usize, v: f64) -> Result<Self, InputError> {
        let mut out = self.clone();
        if slot >= out.len() {
            return Err(InputError::BadEvent {
                issue: out.issue_id,
                message: format!("no actor in slot {slot}"),
            });
        }
        match field {
            InputField::Position => out.positions[slot] = v,
            InputField::Salience => out.saliences[slot] = v,
            InputField::Capability => out.capabilities[slot] = v,
        }
        let checked = IssueInput::new(
            &out.issue_id,
            out.actor_ids.clone(),
            out.positions.clone(),
            out.capabilities.clone(),
            out.saliences.clone(),
        )?;
        Ok(IssueInput {
            scale: out.scale,
            status_quo: out.status_quo,
            events: out.events,
            ..checked
        })
    }

    /// Number of actors.
    pub fn len(&self) -> usize {
        self.positions.len()
    }

    /// Always false (an input holds at least two actors); present for API symmetry.
    pub fn is_empty(&self) -> bool {
        self.positions.is_empty()
    }

    /// The input as it stands after every event (for models without rounds): changed values
    /// replace the stated ones, entrants count, leavers get zero weight.
    pub fn after_events(&self) -> IssueInput {
        let mut out = self.clone();
        for e in &self.events {
            if let Some(p) = e.position {
                out.positions[e.slot] = p;
            }
            if let Some(s) = e.salience {
                out.saliences[e.slot] = s;
            }
            if let Some(c) = e.capability {
                out.capabilities[e.slot] = c;
            }
            if e.leave {
                out.capabilities[e.slot] = 0.0;
            }
        }
        out.events.clear();
        out
    }

    /// Weights `w_i = c_i * s_i`.
    pub fn weights(&self) -> Vec<f64> {
        self.capabilities
            .iter()
            .zip(&self.saliences)
            .map(|(c, s)| c * s)
            .collect()
    }

    /// The same input with actors reordered: actor `k` of the result is actor `perm[k]` of
    /// `self`. Used by relabelling tests.
    pub fn permuted(&self, perm: &[usize]) -> Self {
        let pick = |v: &[f64]| perm.iter().map(|&p| v[p]).collect::<Vec<_>>();
        Self {
            issue_id: self.issue_id.clone(),
            actor_ids: perm.iter().map(|&p| self.actor_ids[p].clone()).collect(),
            positions: pick(&self.positions),
            capabilities: pick(&self.capabilities),
            saliences: pick(&self.saliences),
            scale: self.scale,
            status_quo: self.status_quo,
            events: self
                .events
                .iter()
                .map(|e| InputEvent {
                    slot: perm.iter().position(|&p| p == e.slot).unwrap_or(e.slot),
                    ..e.clone()
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("a{i}")).collect()
    }

    #[test]
    fn rejects_one_actor() {
        let e = IssueInput::new("q", ids(1), vec![1.0], vec![1.0], vec![1.0]).unwrap_err();
        assert!(matches!(e, InputError::TooFewActors { count: 1, .. }));
    }

    #[test]
    fn rejects_nan_and_names_the_actor() {
        let e = IssueInput::new("q", ids(2), vec![1.0, f64::NAN], vec![1.0; 2], vec![1.0; 2])
            .unwrap_err();
        assert!(e.to_string().contains("actor `a1`: position is NaN"), "{e}");
    }

    #[test]
    fn rejects_numbers_too_large_to_sum() {
        let e = IssueInput::new("q", ids(2), vec![1.0, 2.0], vec![1e308, 1.0], vec![1.0; 2])
            .unwrap_err();
        assert!(
            matches!(
                e,
                InputError::TooLarge {
                    field: "capability",
                    ..
                }
            ),
            "{e}"
        );
        assert!(
            IssueInput::new("q", ids(2), vec![1.0, 2.0], vec![1e15, 1.0], vec![1.0; 2]).is_ok()
        );
    }

    #[test]
    fn builders_keep_the_invariants() {
        let base =
            IssueInput::new("q", ids(2), vec![10.0, 20.0], vec![1.0; 2], vec![1.0; 2]).unwrap();
        // Scale: ends finite and ordered, positions inside.
        assert!(base.clone().with_scale(0.0, 100.0).is_ok());
        assert!(matches!(
            base.clone().with_scale(50.0, 100.0),
            Err(InputError::OutsideScale { .. })
        ));
        assert!(matches!(
            base.clone().with_scale(f64::NEG_INFINITY, 100.0),
            Err(InputError::BadScale { .. })
        ));
        assert!(base.clone().with_status_quo(Some(f64::NAN)).is_err());
        // Events: a real actor, a round from 1, values in range; kept sorted by round.
        let ev = |round, slot, salience| InputEvent {
            round,
            slot,
            position: None,
            salience,
            capability: None,
            leave: false,
            enter: false,
        };
        assert!(base.clone().with_event(ev(1, 5, None)).is_err());
        assert!(base.clone().with_event(ev(0, 0, None)).is_err());
        assert!(base.clone().with_event(ev(1, 0, Some(1.5))).is_err());
        let e = base
            .clone()
            .with_event(ev(3, 0, None))
            .and_then(|i| i.with_event(ev(1, 1, Some(0.5))))
            .unwrap();
        assert_eq!(
            e.events().iter().map(|x| x.round).collect::<Vec<_>>(),
            [1, 3]
        );
        // Values: a change that leaves no weight is refused, like the constructor refuses it.
        let one = base.with_value(InputField::Salience, 0, 0.0).unwrap();
        assert_eq!(one.saliences(), &[0.0, 1.0]);
        assert!(matches!(
            one.with_value(InputField::Capability, 1, 0.0),
            Err(InputError::NoWeight { .. })
        ));
    }

    #[test]
    fn rejects_zero_total_weight() {
        let e = IssueInput::new("q", ids(2), vec![1.0, 2.0], vec![0.0, 1.0], vec![1.0, 0.0])
            .unwrap_err();
        assert!(matches!(e, InputError::NoWeight { .. }));
    }

    #[test]
    fn rejects_duplicate() {
        let e = IssueInput::new(
            "q",
            vec!["x".into(), "x".into()],
            vec![1.0, 2.0],
            vec![1.0; 2],
            vec![1.0; 2],
        )
        .unwrap_err();
        assert!(matches!(e, InputError::DuplicateActor { .. }));
    }
}
