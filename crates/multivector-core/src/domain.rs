//! The scenario in resolved form: what a TOML or CSV file becomes after validation.
//!
//! Every number here has been checked (finite, on its scale); references between records are
//! indices, not strings, so a model never meets a dangling id.

use serde::Serialize;

use crate::input::{InputError, IssueInput};

/// What an actor is. The kind is descriptive (models treat all actors alike); reports group
/// by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    State,
    Organisation,
    Leadership,
    DomesticConstituency,
    MediaOutlet,
}

impl ActorKind {
    /// All kinds, with the spelling used in scenario files.
    pub const ALL: [(&'static str, ActorKind); 5] = [
        ("state", ActorKind::State),
        ("organisation", ActorKind::Organisation),
        ("leadership", ActorKind::Leadership),
        ("domestic_constituency", ActorKind::DomesticConstituency),
        ("media_outlet", ActorKind::MediaOutlet),
    ];

    /// The spelling used in scenario files.
    pub fn as_str(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, k)| *k == self)
            .map_or("state", |(s, _)| s)
    }
}

/// How the scenario states saliences. Internally saliences are always on `[0, 1]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SalienceScale {
    /// Saliences given on `[0, 1]`.
    #[serde(rename = "0-1")]
    Unit,
    /// Saliences given on `[0, 100]` (divided by 100 on load).
    #[serde(rename = "0-100")]
    Percent,
}

impl SalienceScale {
    /// The largest value a salience may take on this scale.
    pub fn max(self) -> f64 {
        match self {
            SalienceScale::Unit => 1.0,
            SalienceScale::Percent => 100.0,
        }
    }
}

/// The period a scenario describes, as free-form dates (`"2022-02"`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Period {
    pub start: String,
    pub end: String,
}

/// Scenario metadata.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Meta {
    pub id: String,
    pub name: String,
    pub description: String,
    pub period: Option<Period>,
    pub format_version: u32,
    pub salience_scale: SalienceScale,
    /// What capability numbers mean in this scenario (free text, e.g. "share of EC votes").
    pub capability_note: Option<String>,
    /// Index of the focal actor (the country's leadership), whose saliences weight the
    /// multi-vector profile.
    pub focal: Option<usize>,
    /// The date the inputs describe (`YYYY-MM-DD`): stances may rest only on evidence known
    /// by then, observed outcomes only on evidence from after it.
    pub as_of: Option<String>,
}

/// An actor: a state, an organisation, a leadership, a domestic constituency or an outlet.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Actor {
    pub id: String,
    pub name: String,
    pub kind: ActorKind,
    pub description: String,
    /// Capability on any positive scale (only ratios matter); `>= 0`.
    pub capability: f64,
    /// Whether this actor is one of the scenario's vectors (the powers a country balances).
    pub vector: bool,
    pub evidence: Vec<String>,
    pub assumption: Option<String>,
}

/// A labelled point on an issue scale.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScaleLabel {
    pub value: f64,
    pub label: String,
}

/// The continuum of an issue: `min` and `max` with labels in words, optional labelled points
/// between them and an optional unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scale {
    pub min: f64,
    pub max: f64,
    pub unit: Option<String>,
    /// Labels sorted by value; the first is at `min`, the last at `max`.
    pub labels: Vec<ScaleLabel>,
}

impl Scale {
    /// Width of the scale (`max - min`), positive by validation.
    pub fn width(&self) -> f64 {
        self.max - self.min
    }

    /// The label of the labelled point nearest to `value` (ties: the lower point).
    pub fn nearest_label(&self, value: f64) -> Option<&ScaleLabel> {
        self.labels.iter().min_by(|a, b| {
            (a.value - value)
                .abs()
                .total_cmp(&(b.value - value).abs())
                .then(a.value.total_cmp(&b.value))
        })
    }
}

/// What happened, for retrodiction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    pub value: f64,
    pub date: String,
    pub evidence: Vec<String>,
    pub note: Option<String>,
    /// When the outcome is a state's votes in the UN General Assembly: the roll calls it is
    /// derived from (checked against the vote data by `evidence --check --votes`).
    pub unga: Option<UngaOutcome>,
    /// Why the outcome is shown but left out of every score (not a bargaining outcome, say);
    /// None: it is scored.
    pub unscored: Option<String>,
}

impl Outcome {
    /// The outcome's value when it counts in scores (retrodiction, Brier).
    pub fn scored(&self) -> Option<f64> {
        self.unscored.is_none().then_some(self.value)
    }
}

/// An outcome derived from UN General Assembly roll calls: the mean, over the listed
/// resolutions on which `state` voted, of its votes mapped onto the issue's scale.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UngaOutcome {
    /// ISO3 code of the voting state.
    pub state: String,
    /// Resolution symbols (`A/RES/ES-11/1`).
    pub resolutions: Vec<String>,
    /// Scale values of a Yes, an abstention and a No.
    pub yes: f64,
    pub abstain: f64,
    pub no: f64,
    /// States whose votes are shown beside (`RUS`: where the state voted with Russia).
    pub beside: Vec<String>,
}

/// Which side of a threshold its label describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Above,
    Below,
}

/// A named line on the scale ("above 50: recognition happens").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Threshold {
    pub value: f64,
    pub direction: Direction,
    pub label: String,
}

impl Threshold {
    /// Whether `value` lies on the labelled side (strictly above or strictly below).
    pub fn holds(&self, value: f64) -> bool {
        match self.direction {
            Direction::Above => value > self.value,
            Direction::Below => value < self.value,
        }
    }
}

/// An issue: a question with a scale, a status quo and, when known, what happened.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Issue {
    pub id: String,
    pub question: String,
    pub scale: Scale,
    pub status_quo: Option<f64>,
    pub outcome: Option<Outcome>,
    pub thresholds: Vec<Threshold>,
    pub evidence: Vec<String>,
}

/// A probability distribution for an uncertain input, on the input's own scale.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "law", rename_all = "snake_case")]
pub enum Spread {
    /// Normal with this standard deviation around the stated value, truncated to the scale.
    Normal { sd: f64 },
    /// Uniform on `[low, high]`.
    Uniform { low: f64, high: f64 },
    /// Triangular on `[low, high]` with its mode.
    Triangular { low: f64, mode: f64, high: f64 },
}

/// `spread` moved by `by` when it is a range or a triangle (a normal is centred on the stated
/// value and needs no move).
fn shifted(spread: Option<Spread>, by: f64) -> Option<Spread> {
    match spread {
        Some(Spread::Uniform { low, high }) => Some(Spread::Uniform {
            low: low + by,
            high: high + by,
        }),
        Some(Spread::Triangular { low, mode, high }) => Some(Spread::Triangular {
            low: low + by,
            mode: mode + by,
            high: high + by,
        }),
        other => other,
    }
}

/// Declared uncertainty of one stance. Salience spreads are on `[0, 1]` after loading.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Uncertainty {
    pub position: Option<Spread>,
    pub salience: Option<Spread>,
    pub capability: Option<Spread>,
}

/// An actor's stance on an issue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stance {
    /// Index into [`Scenario::actors`].
    pub actor: usize,
    /// Index into [`Scenario::issues`].
    pub issue: usize,
    /// Position on the issue scale.
    pub position: f64,
    /// Salience on `[0, 1]`.
    pub salience: f64,
    /// Capability for this issue only, replacing the actor's.
    pub capability: Option<f64>,
    pub uncertainty: Uncertainty,
    pub evidence: Vec<String>,
    pub assumption: Option<String>,
}

/// Where an evidence record comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Source {
    /// File name of the document (e.g. a file in the seeds folder).
    pub file: String,
    pub title: String,
    pub publisher: String,
    pub date: String,
}

/// One fact or figure, paraphrased, with its source and locator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    pub id: String,
    pub source: Source,
    /// Section, heading, speaker, table or paragraph.
    pub locator: String,
    /// Our paraphrase (never a copied sentence).
    pub paraphrase: String,
    /// The figures this record supports, as written in the source (e.g. "28%").
    pub figures: Vec<String>,
    /// When the fact it reports happened or became known (`YYYY`, `YYYY-MM` or
    /// `YYYY-MM-DD`), as opposed to when the source was published.
    pub date: Option<String>,
}

/// One change a variant makes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// Index into [`Scenario::actors`].
    pub actor: usize,
    /// Only this issue (index), or every issue the actor takes part in.
    pub issue: Option<usize>,
    pub position: Option<f64>,
    /// On `[0, 1]`.
    pub salience: Option<f64>,
    pub capability: Option<f64>,
    /// Remove the actor's stances (on the issue, or everywhere); at a round: the actor leaves.
    pub remove: bool,
    /// At this round (from 1) during bargaining, instead of before it.
    pub round: Option<usize>,
    /// With `round`: the actor enters at that round (it takes no part before).
    pub enter: bool,
    /// What the change represents.
    pub note: Option<String>,
}

/// A named set of changes to the baseline ("Russian media share halved").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Variant {
    pub name: String,
    pub description: String,
    pub changes: Vec<Change>,
    pub assumption: Option<String>,
}

/// A multi-dimensional issue: one-dimensional issues (its dimensions) that the spatial model
/// bargains over jointly. Every actor with a stance on one dimension has one on each, and its
/// saliences over the dimensions sum to at most 1 (a budget of attention).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Space {
    pub id: String,
    pub question: String,
    /// Indices into [`Scenario::issues`], in order.
    pub dimensions: Vec<usize>,
}

/// A validated scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scenario {
    pub meta: Meta,
    pub actors: Vec<Actor>,
    pub issues: Vec<Issue>,
    pub stances: Vec<Stance>,
    pub evidence: Vec<Evidence>,
    pub variants: Vec<Variant>,
    /// Changes during bargaining (every one has a `round`).
    pub events: Vec<Change>,
    /// Multi-dimensional issues.
    pub spaces: Vec<Space>,
}

impl Scenario {
    /// Index of the actor with this id.
    pub fn actor_index(&self, id: &str) -> Option<usize> {
        self.actors.iter().position(|a| a.id == id)
    }

    /// Index of the issue with this id.
    pub fn issue_index(&self, id: &str) -> Option<usize> {
        self.issues.iter().position(|i| i.id == id)
    }

    /// The names of the scenario's variants, comma-separated (for messages).
    pub fn variant_names(&self) -> String {
        self.variants
            .iter()
            .map(|v| v.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The scenario with a variant's changes applied, in order. Changes to a capability
    /// without an issue change the actor's capability; with an issue, the stance's.
    pub fn apply(&self, v: &Variant) -> Scenario {
        let mut out = self.clone();
        for c in &v.changes {
            if c.round.is_some() {
                out.events.push(c.clone());
                continue;
            }
            let hits = |st: &Stance| st.actor == c.actor && c.issue.is_none_or(|i| st.issue == i);
            if c.remove {
                out.stances.retain(|st| !hits(st));
                continue;
            }
            let old_actor_cap = out.actors[c.actor].capability;
            if let (Some(cap), None) = (c.capability, c.issue) {
                out.actors[c.actor].capability = cap;
            }
            // A value the variant sets is the new centre of the stance's declared spread: a
            // normal is drawn around the value already; a range or a triangle moves with it
            // (its width kept), or the variant would vanish from every ensemble draw.
            for st in out.stances.iter_mut().filter(|st| hits(st)) {
                if let Some(p) = c.position {
                    st.uncertainty.position = shifted(st.uncertainty.position, p - st.position);
                    st.position = p;
                }
                if let Some(s) = c.salience {
                    st.uncertainty.salience = shifted(st.uncertainty.salience, s - st.salience);
                    st.salience = s;
                }
                if let Some(cap) = c.capability {
                    let before = st.capability.unwrap_or(old_actor_cap);
                    if c.issue.is_some() {
                        st.capability = Some(cap);
                    }
                    if c.issue.is_some() || st.capability.is_none() {
                        st.uncertainty.capability =
                            shifted(st.uncertainty.capability, cap - before);
                    }
                }
            }
        }
        out
    }

    /// Index of the space with this id.
    pub fn space_index(&self, id: &str) -> Option<usize> {
        self.spaces.iter().position(|s| s.id == id)
    }

    /// The space an issue is a dimension of.
    pub fn space_of(&self, issue: usize) -> Option<usize> {
        self.spaces
            .iter()
            .position(|s| s.dimensions.contains(&issue))
    }

    /// What the spatial model bargains over: every space, then every issue that is no
    /// dimension of a space (as a space of one), each as `(id, dimension issue indices)`.
    pub fn bargaining_spaces(&self) -> Vec<(String, Vec<usize>)> {
        let mut out: Vec<(String, Vec<usize>)> = self
            .spaces
            .iter()
            .map(|s| (s.id.clone(), s.dimensions.clone()))
            .collect();
        for (k, iss) in self.issues.iter().enumerate() {
            if self.space_of(k).is_none() {
                out.push((iss.id.clone(), vec![k]));
            }
        }
        out
    }

    /// A variant by name.
    pub fn variant(&self, name: &str) -> Option<&Variant> {
        self.variants.iter().find(|v| v.name == name)
    }

    /// Stances on one issue, in actor order of the file.
    pub fn stances_on(&self, issue: usize) -> impl Iterator<Item = &Stance> {
        self.stances.iter().filter(move |s| s.issue == issue)
    }

    /// The numeric input of one issue: the actors holding a stance on it, their positions,
    /// capabilities (the stance's override or the actor's) and saliences on `[0, 1]`.
    pub fn issue_input(&self, issue: usize) -> Result<IssueInput, InputError> {
        let iss = &self.issues[issue];
        let mut ids = Vec::new();
        let mut x = Vec::new();
        let mut c = Vec::new();
        let mut s = Vec::new();
        for st in self.stances_on(issue) {
            let actor = &self.actors[st.actor];
            ids.push(actor.id.clone());
            x.push(st.position);
            c.push(st.capability.unwrap_or(actor.capability));
            s.push(st.salience);
        }
        let slots: Vec<usize> = self.stances_on(issue).map(|st| st.actor).collect();
        let mut input = IssueInput::new(&iss.id, ids, x, c, s)?
            .with_scale(iss.scale.min, iss.scale.max)?
            .with_status_quo(iss.status_quo)?;
        for e in &self.events {
            let (Some(round), Some(slot)) = (e.round, slots.iter().position(|&a| a == e.actor))
            else {
                continue;
            };
            if e.issue.is_some_and(|i| i != issue) {
                continue;
            }
            input = input.with_event(crate::input::InputEvent {
                round,
                slot,
                position: e.position,
                salience: e.salience,
                capability: e.capability,
                leave: e.remove,
                enter: e.enter,
            })?;
        }
        Ok(input)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scale() -> Scale {
        Scale {
            min: 0.0,
            max: 100.0,
            unit: None,
            labels: vec![
                ScaleLabel {
                    value: 0.0,
                    label: "no".into(),
                },
                ScaleLabel {
                    value: 50.0,
                    label: "half".into(),
                },
                ScaleLabel {
                    value: 100.0,
                    label: "yes".into(),
                },
            ],
        }
    }

    #[test]
    fn nearest_label_prefers_lower_on_tie() {
        let s = scale();
        assert_eq!(s.nearest_label(25.0).map(|l| l.label.as_str()), Some("no"));
        assert_eq!(s.nearest_label(80.0).map(|l| l.label.as_str()), Some("yes"));
    }

    #[test]
    fn threshold_sides_are_strict() {
        let t = Threshold {
            value: 50.0,
            direction: Direction::Above,
            label: "recognition".into(),
        };
        assert!(t.holds(50.1));
        assert!(!t.holds(50.0));
    }
}
