//! The TOML scenario format (documented in `docs/scenario-format.md`): the raw schema, in
//! which every field is optional and unknown fields are rejected, and its validation into
//! [`multivector_core::Scenario`] with located errors.

use std::collections::{HashMap, HashSet};

use multivector_core::{
    Actor, ActorKind, Change, Direction, Evidence, Issue, MAX_MAGNITUDE, Meta, Outcome, Period,
    SalienceScale, Scale, ScaleLabel, Scenario, Source, Space, Spread, Stance, Threshold,
    Uncertainty, Variant,
};
use serde::Deserialize;
use toml::Spanned;

use crate::error::{Reporter, ScenarioErrors};

/// The format version this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;

type S<T> = Spanned<T>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    format_version: Option<S<i64>>,
    scenario: Option<S<RawMeta>>,
    #[serde(default)]
    actors: Vec<S<RawActor>>,
    #[serde(default)]
    issues: Vec<S<RawIssue>>,
    #[serde(default)]
    stances: Vec<S<RawStance>>,
    #[serde(default)]
    evidence: Vec<S<RawEvidence>>,
    #[serde(default)]
    variants: Vec<S<RawVariant>>,
    #[serde(default)]
    events: Vec<S<RawChange>>,
    #[serde(default)]
    spaces: Vec<S<RawSpace>>,
    defaults: Option<S<RawDefaults>>,
}

/// A multi-dimensional issue: a list of issues bargained over jointly.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSpace {
    id: Option<S<String>>,
    question: Option<String>,
    #[serde(default)]
    dimensions: Vec<S<String>>,
}

/// Uncertainty for stances that declare none, as normal spreads.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDefaults {
    /// Standard deviation as a share of the issue scale's width.
    position_sd: Option<S<f64>>,
    /// Standard deviation on the scenario's salience scale.
    salience_sd: Option<S<f64>>,
    /// Standard deviation as a share of the capability.
    capability_sd: Option<S<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVariant {
    name: Option<S<String>>,
    description: Option<String>,
    assumption: Option<String>,
    #[serde(default)]
    changes: Vec<S<RawChange>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChange {
    actor: Option<S<String>>,
    issue: Option<S<String>>,
    position: Option<S<f64>>,
    salience: Option<S<f64>>,
    capability: Option<S<f64>>,
    #[serde(default)]
    remove: bool,
    round: Option<S<i64>>,
    #[serde(default)]
    enter: bool,
    note: Option<String>,
    #[serde(default)]
    evidence: Vec<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeta {
    id: Option<S<String>>,
    name: Option<S<String>>,
    description: Option<String>,
    period: Option<RawPeriod>,
    salience_scale: Option<S<String>>,
    capability_note: Option<String>,
    focal: Option<S<String>>,
    as_of: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPeriod {
    start: String,
    end: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawActor {
    id: Option<S<String>>,
    name: Option<String>,
    kind: Option<S<String>>,
    description: Option<String>,
    capability: Option<S<f64>>,
    #[serde(default)]
    vector: bool,
    #[serde(default)]
    evidence: Vec<S<String>>,
    assumption: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScale {
    min: Option<S<f64>>,
    max: Option<S<f64>>,
    unit: Option<String>,
    low: Option<String>,
    high: Option<String>,
    #[serde(default)]
    points: Vec<RawPoint>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPoint {
    value: S<f64>,
    label: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOutcome {
    value: S<f64>,
    date: Option<S<String>>,
    #[serde(default)]
    evidence: Vec<S<String>>,
    note: Option<String>,
    unga: Option<RawUnga>,
    /// Why the outcome is left out of the scores.
    unscored: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUnga {
    state: String,
    resolutions: Vec<String>,
    yes: S<f64>,
    abstain: S<f64>,
    no: S<f64>,
    #[serde(default)]
    beside: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawThreshold {
    value: S<f64>,
    direction: Option<S<String>>,
    label: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIssue {
    id: Option<S<String>>,
    question: Option<String>,
    scale: Option<S<RawScale>>,
    status_quo: Option<S<f64>>,
    outcome: Option<RawOutcome>,
    #[serde(default)]
    thresholds: Vec<RawThreshold>,
    #[serde(default)]
    evidence: Vec<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSpread {
    sd: Option<S<f64>>,
    range: Option<S<Vec<f64>>>,
    triangular: Option<S<Vec<f64>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUncertainty {
    position: Option<S<RawSpread>>,
    salience: Option<S<RawSpread>>,
    capability: Option<S<RawSpread>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStance {
    actor: Option<S<String>>,
    issue: Option<S<String>>,
    position: Option<S<f64>>,
    salience: Option<S<f64>>,
    capability: Option<S<f64>>,
    uncertainty: Option<RawUncertainty>,
    #[serde(default)]
    evidence: Vec<S<String>>,
    assumption: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    file: Option<String>,
    title: Option<String>,
    publisher: Option<String>,
    date: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEvidence {
    id: Option<S<String>>,
    source: Option<RawSource>,
    locator: Option<String>,
    paraphrase: Option<String>,
    #[serde(default)]
    figures: Vec<String>,
    date: Option<S<String>>,
}

const FORMAT_HINT: &str = "see docs/scenario-format.md for every field and an example";

/// Parses and validates a TOML scenario. `file` names the source in error messages.
pub fn parse_toml(file: &str, text: &str) -> Result<Scenario, ScenarioErrors> {
    let mut rep = Reporter::new(file, text);
    if text.trim().is_empty() {
        rep.push(
            None,
            None,
            None,
            "the file is empty",
            Some("a scenario needs `format_version`, a [scenario] table, actors, issues and stances; see docs/scenario-format.md"),
        );
        return rep.finish(unreachable_scenario());
    }
    let raw: RawFile = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            let hint = if e.message().starts_with("unknown field") {
                "check the spelling; unknown fields are rejected so that a typo never becomes a silent default"
            } else if e.message().contains("invalid type") {
                "numbers are written without quotes (salience = 80), text with quotes (name = \"EU\")"
            } else {
                FORMAT_HINT
            };
            rep.push(
                e.span().map(|s| s.start),
                None,
                None,
                e.message().trim().to_string(),
                Some(hint),
            );
            return rep.finish(unreachable_scenario());
        }
    };
    let scenario = Validator { rep: &mut rep }.run(raw);
    rep.finish(scenario)
}

/// A placeholder returned only alongside errors (never seen by callers: `finish` discards it).
fn unreachable_scenario() -> Scenario {
    Scenario {
        meta: Meta {
            id: String::new(),
            name: String::new(),
            description: String::new(),
            period: None,
            format_version: FORMAT_VERSION,
            salience_scale: SalienceScale::Unit,
            capability_note: None,
            focal: None,
            as_of: None,
        },
        actors: Vec::new(),
        issues: Vec::new(),
        stances: Vec::new(),
        evidence: Vec::new(),
        variants: Vec::new(),
        events: Vec::new(),
        spaces: Vec::new(),
    }
}

/// Whether an id is usable as a key, a file name part and a command-line argument.
pub(crate) fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && !id.starts_with('.')
}

const ID_HINT: &str =
    "ids use letters, digits, '-', '_' and '.', at most 64 characters, and do not start with '.'";

struct Validator<'a> {
    rep: &'a mut Reporter,
}

impl Validator<'_> {
    fn err(
        &mut self,
        at: usize,
        record: &str,
        field: Option<&str>,
        msg: impl Into<String>,
        hint: &str,
    ) {
        self.rep
            .push(Some(at), Some(record.to_string()), field, msg, Some(hint));
    }

    /// A finite number, or an error.
    fn finite(&mut self, v: &S<f64>, record: &str, field: &str) -> Option<f64> {
        let x = *v.get_ref();
        if x.is_finite() {
            Some(x)
        } else {
            self.err(
                v.span().start,
                record,
                Some(field),
                format!("{x} is not a finite number"),
                "write an ordinary number; nan and inf are not allowed",
            );
            None
        }
    }

    /// [`Self::finite`], and no larger in size than [`MAX_MAGNITUDE`].
    fn bounded(&mut self, v: &S<f64>, record: &str, field: &str) -> Option<f64> {
        let x = self.finite(v, record, field)?;
        if x.abs() > MAX_MAGNITUDE {
            self.err(
                v.span().start,
                record,
                Some(field),
                format!("{x:e} is beyond the largest size accepted, {MAX_MAGNITUDE:e}"),
                "rescale: only ratios of capabilities matter, and a scale's ends can be any modest numbers",
            );
            return None;
        }
        Some(x)
    }

    fn id(&mut self, v: &Option<S<String>>, at: usize, record: &str) -> Option<String> {
        match v {
            None => {
                self.err(at, record, Some("id"), "the id is missing", ID_HINT);
                None
            }
            Some(s) if !valid_id(s.get_ref()) => {
                self.err(
                    s.span().start,
                    record,
                    Some("id"),
                    format!("`{}` is not a valid id", s.get_ref()),
                    ID_HINT,
                );
                None
            }
            Some(s) => Some(s.get_ref().clone()),
        }
    }

    fn run(&mut self, raw: RawFile) -> Scenario {
        let meta = self.meta(&raw);
        let evidence = self.evidence(&raw.evidence);
        let ev_ids: HashSet<String> = evidence.iter().map(|e| e.id.clone()).collect();
        let mut meta = meta;
        let actors = self.actors(&raw.actors, &ev_ids);
        if let Some(f) = raw
            .scenario
            .as_ref()
            .and_then(|m| m.get_ref().focal.as_ref())
        {
            match actors.iter().position(|a| a.id == *f.get_ref()) {
                Some(k) => meta.focal = Some(k),
                None => self.err(
                    f.span().start,
                    "[scenario]",
                    Some("focal"),
                    format!("the focal actor `{}` is not defined", f.get_ref()),
                    "name the actor (usually the leadership) whose saliences weight the multi-vector profile",
                ),
            }
        } else {
            let leaders: Vec<usize> = actors
                .iter()
                .enumerate()
                .filter(|(_, a)| a.kind == ActorKind::Leadership)
                .map(|(k, _)| k)
                .collect();
            if leaders.len() == 1 {
                meta.focal = Some(leaders[0]);
            }
        }
        let issues = self.issues(&raw.issues, &ev_ids);
        let mut stances = self.stances(&raw, &actors, &issues, &ev_ids, meta.salience_scale);
        if let Some(d) = &raw.defaults {
            self.apply_defaults(
                d.get_ref(),
                &mut stances,
                &actors,
                &issues,
                meta.salience_scale,
            );
        }
        let variants = self.variants(
            &raw.variants,
            &actors,
            &issues,
            meta.salience_scale,
            &ev_ids,
        );
        let mut events = Vec::new();
        for c in &raw.events {
            if let Some(ch) =
                self.change(c, "event", &actors, &issues, meta.salience_scale, &ev_ids)
            {
                if ch.round.is_none() {
                    self.err(c.span().start, "event", Some("round"), "an event needs the round it happens at", "write round = 3 (rounds count from 1); changes before bargaining belong in the stances or a variant");
                    continue;
                }
                events.push(ch);
            }
        }
        let spaces = self.spaces(&raw.spaces, &actors, &issues, &stances);
        Scenario {
            meta,
            actors,
            issues,
            stances,
            evidence,
            variants,
            events,
            spaces,
        }
    }

    /// `[[spaces]]`: known, distinct dimensions, each in one space; every actor of a space
    /// on all its dimensions, within the attention budget.
    fn spaces(
        &mut self,
        raw: &[S<RawSpace>],
        actors: &[Actor],
        issues: &[Issue],
        stances: &[Stance],
    ) -> Vec<Space> {
        let mut out: Vec<Space> = Vec::new();
        let mut owner: HashMap<usize, String> = HashMap::new();
        for sp in raw {
            let at = sp.span().start;
            let sp = sp.get_ref();
            let Some(id) = self.id(&sp.id, at, "space") else {
                continue;
            };
            let rec = format!("space `{id}`");
            if out.iter().any(|s| s.id == id) || issues.iter().any(|i| i.id == id) {
                self.err(
                    at,
                    &rec,
                    Some("id"),
                    format!("`{id}` is already the id of an issue or another space"),
                    "give the space an id of its own (commands accept issue and space ids alike)",
                );
                continue;
            }
            let question = sp.question.clone().unwrap_or_default();
            if question.trim().is_empty() {
                self.err(
                    at,
                    &rec,
                    Some("question"),
                    "the question is missing",
                    "write question = \"...\" (what the dimensions decide together)",
                );
            }
            if sp.dimensions.is_empty() {
                self.err(
                    at,
                    &rec,
                    Some("dimensions"),
                    "no dimensions",
                    "list the issues it spans: dimensions = [\"issue-a\", \"issue-b\"]",
                );
                continue;
            }
            let mut dims = Vec::new();
            for d in &sp.dimensions {
                let Some(k) = issues.iter().position(|i| i.id == *d.get_ref()) else {
                    self.err(
                        d.span().start,
                        &rec,
                        Some("dimensions"),
                        format!("unknown issue `{}`", d.get_ref()),
                        &format!(
                            "dimensions are issues defined in [[issues]]; known issues: {}",
                            list(issues.iter().map(|x| x.id.as_str()))
                        ),
                    );
                    continue;
                };
                if let Some(other) = owner.get(&k) {
                    self.err(
                        d.span().start,
                        &rec,
                        Some("dimensions"),
                        format!(
                            "issue `{}` is already a dimension of space `{other}`",
                            d.get_ref()
                        ),
                        "an issue is a dimension of at most one space",
                    );
                    continue;
                }
                if dims.contains(&k) {
                    self.err(
                        d.span().start,
                        &rec,
                        Some("dimensions"),
                        format!("issue `{}` is listed twice", d.get_ref()),
                        "list each dimension once",
                    );
                    continue;
                }
                owner.insert(k, id.clone());
                dims.push(k);
            }
            for (ai, actor) in actors.iter().enumerate() {
                let on: Vec<&Stance> = dims
                    .iter()
                    .filter_map(|&k| stances.iter().find(|st| st.actor == ai && st.issue == k))
                    .collect();
                if on.is_empty() {
                    continue;
                }
                if on.len() < dims.len() {
                    let missing: Vec<&str> = dims
                        .iter()
                        .filter(|&&k| !on.iter().any(|st| st.issue == k))
                        .map(|&k| issues[k].id.as_str())
                        .collect();
                    self.err(
                        at,
                        &rec,
                        Some("dimensions"),
                        format!("actor `{}` has stances on some dimensions but none on {}", actor.id, missing.join(", ")),
                        "in a space every actor takes a stance on every dimension (salience 0 where it does not care)",
                    );
                }
                let total: f64 = on.iter().map(|st| st.salience).sum();
                if total > 1.0 + 1e-9 {
                    self.err(
                        at,
                        &rec,
                        Some("dimensions"),
                        format!("actor `{}`: saliences over the dimensions sum to {total:.3} on the 0-1 scale", actor.id),
                        "attention is a budget: an actor's saliences over a space's dimensions sum to at most 1 (100 on a 0-100 scale)",
                    );
                }
            }
            out.push(Space {
                id,
                question,
                dimensions: dims,
            });
        }
        out
    }

    fn meta(&mut self, raw: &RawFile) -> Meta {
        match &raw.format_version {
            None => self.rep.push(
                Some(0),
                None,
                Some("format_version"),
                "`format_version` is missing",
                Some("add `format_version = 1` as the first line"),
            ),
            Some(v) if *v.get_ref() != i64::from(FORMAT_VERSION) => self.rep.push(
                Some(v.span().start),
                None,
                Some("format_version"),
                format!(
                    "format version {} is not supported; this build reads version {FORMAT_VERSION}",
                    v.get_ref()
                ),
                Some("upgrade multivector, or write the scenario in format version 1"),
            ),
            Some(_) => {}
        }
        let mut meta = unreachable_scenario().meta;
        let Some(m) = &raw.scenario else {
            self.rep.push(
                Some(0),
                None,
                None,
                "the [scenario] table is missing",
                Some("add [scenario] with id, name, description and salience_scale"),
            );
            return meta;
        };
        let at = m.span().start;
        let m = m.get_ref();
        let rec = "[scenario]";
        if let Some(id) = self.id(&m.id, at, rec) {
            meta.id = id;
        }
        match &m.name {
            Some(n) if !n.get_ref().trim().is_empty() => meta.name = n.get_ref().clone(),
            _ => self.err(at, rec, Some("name"), "the name is missing", FORMAT_HINT),
        }
        meta.description = m.description.clone().unwrap_or_default();
        meta.period = m.period.as_ref().map(|p| Period {
            start: p.start.clone(),
            end: p.end.clone(),
        });
        meta.capability_note = m.capability_note.clone();
        if let Some(d) = &m.as_of {
            if d.get_ref().parse::<jiff::civil::Date>().is_ok() {
                meta.as_of = Some(d.get_ref().clone());
            } else {
                self.err(
                    d.span().start,
                    rec,
                    Some("as_of"),
                    format!("`{}` is not a calendar date", d.get_ref()),
                    "write the as-of date as YYYY-MM-DD (e.g. \"2022-03-01\")",
                );
            }
        }
        match &m.salience_scale {
            None => self.err(
                at,
                rec,
                Some("salience_scale"),
                "the salience scale is not stated",
                "add `salience_scale = \"0-100\"` or `salience_scale = \"0-1\"`",
            ),
            Some(s) => match s.get_ref().as_str() {
                "0-1" => meta.salience_scale = SalienceScale::Unit,
                "0-100" => meta.salience_scale = SalienceScale::Percent,
                other => self.err(
                    s.span().start,
                    rec,
                    Some("salience_scale"),
                    format!("`{other}` is not a salience scale"),
                    "write \"0-100\" or \"0-1\"",
                ),
            },
        }
        meta
    }

    fn refs(&mut self, ids: &[S<String>], known: &HashSet<String>, record: &str) -> Vec<String> {
        let mut out = Vec::new();
        for r in ids {
            if known.contains(r.get_ref()) {
                out.push(r.get_ref().clone());
            } else {
                self.err(
                    r.span().start,
                    record,
                    Some("evidence"),
                    format!("evidence `{}` is not defined", r.get_ref()),
                    "add an [[evidence]] record with this id, or correct the id",
                );
            }
        }
        out
    }

    fn evidence(&mut self, raw: &[S<RawEvidence>]) -> Vec<Evidence> {
        let mut seen = HashMap::new();
        let mut out = Vec::new();
        for e in raw {
            let at = e.span().start;
            let e = e.get_ref();
            let Some(id) = self.id(&e.id, at, "evidence record") else {
                continue;
            };
            let rec = format!("evidence `{id}`");
            if let Some(first) = seen.insert(id.clone(), at) {
                let (line, _) = self.rep_line(first);
                self.err(
                    at,
                    &rec,
                    Some("id"),
                    format!("the id is used twice (first on line {line})"),
                    "give each evidence record its own id",
                );
                continue;
            }
            let Some(src) = &e.source else {
                self.err(
                    at,
                    &rec,
                    Some("source"),
                    "the source is missing",
                    "add `source = { file = \"...\", title = \"...\", publisher = \"...\", date = \"...\" }`",
                );
                continue;
            };
            let mut need = |v: &Option<String>, field: &str| -> String {
                match v {
                    Some(s) if !s.trim().is_empty() => s.clone(),
                    _ => {
                        self.err(
                            at,
                            &rec,
                            Some(field),
                            format!("`{field}` is missing or empty"),
                            "every evidence record names its source file, title, publisher and date, a locator and our paraphrase",
                        );
                        String::new()
                    }
                }
            };
            let source = Source {
                file: need(&src.file, "source.file"),
                title: need(&src.title, "source.title"),
                publisher: need(&src.publisher, "source.publisher"),
                date: need(&src.date, "source.date"),
            };
            let locator = need(&e.locator, "locator");
            let paraphrase = need(&e.paraphrase, "paraphrase");
            let date = e.date.as_ref().and_then(|d| {
                if crate::provenance::known_between(d.get_ref()).is_some() {
                    Some(d.get_ref().clone())
                } else {
                    self.err(
                        d.span().start,
                        &rec,
                        Some("date"),
                        format!("`{}` is not a date", d.get_ref()),
                        "write when the fact happened as YYYY, YYYY-MM or YYYY-MM-DD",
                    );
                    None
                }
            });
            out.push(Evidence {
                id,
                source,
                locator,
                paraphrase,
                figures: e.figures.clone(),
                date,
            });
        }
        out
    }

    fn rep_line(&self, offset: usize) -> (usize, usize) {
        let loc = self.rep.at(Some(offset));
        (loc.line.unwrap_or(0), loc.column.unwrap_or(0))
    }

    fn actors(&mut self, raw: &[S<RawActor>], ev: &HashSet<String>) -> Vec<Actor> {
        let mut seen = HashMap::new();
        let mut out = Vec::new();
        for a in raw {
            let at = a.span().start;
            let a = a.get_ref();
            let Some(id) = self.id(&a.id, at, "actor") else {
                continue;
            };
            let rec = format!("actor `{id}`");
            if let Some(first) = seen.insert(id.clone(), at) {
                let (line, _) = self.rep_line(first);
                self.err(
                    at,
                    &rec,
                    Some("id"),
                    format!("duplicate actor: `{id}` is already defined on line {line}"),
                    "each actor appears once; merge the two entries or rename one",
                );
                continue;
            }
            let kind = match &a.kind {
                None => {
                    self.err(
                        at,
                        &rec,
                        Some("kind"),
                        "the kind is missing",
                        "kinds: state, organisation, leadership, domestic_constituency, media_outlet",
                    );
                    ActorKind::State
                }
                Some(k) => match ActorKind::ALL.iter().find(|(s, _)| *s == k.get_ref()) {
                    Some((_, kind)) => *kind,
                    None => {
                        self.err(
                            k.span().start,
                            &rec,
                            Some("kind"),
                            format!("`{}` is not an actor kind", k.get_ref()),
                            "kinds: state, organisation, leadership, domestic_constituency, media_outlet",
                        );
                        ActorKind::State
                    }
                },
            };
            let capability = match &a.capability {
                None => {
                    self.err(
                        at,
                        &rec,
                        Some("capability"),
                        "the capability is missing",
                        "capability is any number >= 0 on the scenario's own scale (only ratios matter)",
                    );
                    0.0
                }
                Some(c) => match self.bounded(c, &rec, "capability") {
                    Some(v) if v < 0.0 => {
                        self.err(
                            c.span().start,
                            &rec,
                            Some("capability"),
                            format!("capability is {v}; it must be zero or more"),
                            "capability is any number >= 0 on the scenario's own scale (only ratios matter)",
                        );
                        0.0
                    }
                    Some(v) => v,
                    None => 0.0,
                },
            };
            let evidence = self.refs(&a.evidence, ev, &rec);
            out.push(Actor {
                name: a.name.clone().unwrap_or_else(|| id.clone()),
                id,
                kind,
                description: a.description.clone().unwrap_or_default(),
                capability,
                vector: a.vector,
                evidence,
                assumption: a.assumption.clone(),
            });
        }
        if out.is_empty() && raw.is_empty() {
            self.rep.push(
                None,
                None,
                Some("actors"),
                "the scenario defines no actors",
                Some("add [[actors]] entries with id, name, kind and capability"),
            );
        }
        out
    }

    fn issues(&mut self, raw: &[S<RawIssue>], ev: &HashSet<String>) -> Vec<Issue> {
        let mut seen = HashMap::new();
        let mut out = Vec::new();
        for i in raw {
            let at = i.span().start;
            let i = i.get_ref();
            let Some(id) = self.id(&i.id, at, "issue") else {
                continue;
            };
            let rec = format!("issue `{id}`");
            if let Some(first) = seen.insert(id.clone(), at) {
                let (line, _) = self.rep_line(first);
                self.err(
                    at,
                    &rec,
                    Some("id"),
                    format!("duplicate issue: `{id}` is already defined on line {line}"),
                    "each issue appears once",
                );
                continue;
            }
            let question = match &i.question {
                Some(q) if !q.trim().is_empty() => q.clone(),
                _ => {
                    self.err(
                        at,
                        &rec,
                        Some("question"),
                        "the question is missing",
                        "state the issue as a question, e.g. \"Does Kazakhstan recognise the annexations?\"",
                    );
                    String::new()
                }
            };
            let Some(scale) = self.scale(i.scale.as_ref(), at, &rec) else {
                continue;
            };
            let within = |v: f64| v >= scale.min && v <= scale.max;
            let scale_hint = format!(
                "values on this issue lie on its scale, {} to {}",
                scale.min, scale.max
            );
            let on_scale = |this: &mut Self, v: &S<f64>, field: &str| -> Option<f64> {
                let x = this.finite(v, &rec, field)?;
                if within(x) {
                    Some(x)
                } else {
                    this.err(
                        v.span().start,
                        &rec,
                        Some(field),
                        format!("{x} lies outside the scale"),
                        &scale_hint,
                    );
                    None
                }
            };
            let status_quo = i
                .status_quo
                .as_ref()
                .and_then(|v| on_scale(self, v, "status_quo"));
            let outcome = match &i.outcome {
                None => None,
                Some(o) => {
                    let unga = o.unga.as_ref().and_then(|u| {
                        let yes = on_scale(self, &u.yes, "outcome.unga.yes");
                        let abstain = on_scale(self, &u.abstain, "outcome.unga.abstain");
                        let no = on_scale(self, &u.no, "outcome.unga.no");
                        if u.resolutions.is_empty() {
                            self.err(
                                u.yes.span().start,
                                &rec,
                                Some("outcome.unga.resolutions"),
                                "no resolution is listed".to_string(),
                                "list the resolution symbols the outcome is derived from, e.g. [\"A/RES/ES-11/1\"]",
                            );
                        }
                        Some(multivector_core::UngaOutcome {
                            state: u.state.trim().to_ascii_uppercase(),
                            resolutions: u.resolutions.clone(),
                            yes: yes?,
                            abstain: abstain?,
                            no: no?,
                            beside: u.beside.iter().map(|b| b.trim().to_ascii_uppercase()).collect(),
                        })
                    });
                    let unscored = o.unscored.as_ref().map(|r| {
                        let why = r.get_ref().trim();
                        if why.is_empty() {
                            // An empty reason would silently keep the outcome scored.
                            self.err(
                                r.span().start,
                                &rec,
                                Some("outcome.unscored"),
                                "the reason is empty".to_string(),
                                "say why the outcome is left out of the scores, or remove `unscored`",
                            );
                        }
                        why.to_string()
                    });
                    // When it was observed: a date in the evidence records' forms, never a
                    // silent blank.
                    let date = match &o.date {
                        Some(d) if crate::provenance::known_between(d.get_ref()).is_some() => {
                            d.get_ref().clone()
                        }
                        Some(d) => {
                            self.err(
                                d.span().start,
                                &rec,
                                Some("outcome.date"),
                                format!("`{}` is not a date", d.get_ref()),
                                "write when the outcome was observed as YYYY, YYYY-MM or YYYY-MM-DD",
                            );
                            String::new()
                        }
                        None => {
                            self.err(
                                o.value.span().start,
                                &rec,
                                Some("outcome.date"),
                                "the outcome has no date".to_string(),
                                "add `date = \"YYYY-MM-DD\"` (or YYYY-MM, YYYY): when it was observed",
                            );
                            String::new()
                        }
                    };
                    on_scale(self, &o.value, "outcome.value").map(|value| Outcome {
                        value,
                        date,
                        evidence: self.refs(&o.evidence, ev, &rec),
                        note: o.note.clone(),
                        unga,
                        unscored,
                    })
                }
            };
            let mut thresholds = Vec::new();
            for t in &i.thresholds {
                let Some(value) = on_scale(self, &t.value, "thresholds.value") else {
                    continue;
                };
                let direction = match t.direction.as_ref().map(|d| (d, d.get_ref().as_str())) {
                    Some((_, "above")) => Direction::Above,
                    Some((_, "below")) => Direction::Below,
                    Some((d, other)) => {
                        self.err(
                            d.span().start,
                            &rec,
                            Some("thresholds.direction"),
                            format!("`{other}` is not a direction"),
                            "write \"above\" or \"below\"",
                        );
                        continue;
                    }
                    None => {
                        self.err(
                            t.value.span().start,
                            &rec,
                            Some("thresholds.direction"),
                            "the direction is missing",
                            "write direction = \"above\" or \"below\": the side the label describes",
                        );
                        continue;
                    }
                };
                thresholds.push(Threshold {
                    value,
                    direction,
                    label: t.label.clone().unwrap_or_default(),
                });
            }
            let evidence = self.refs(&i.evidence, ev, &rec);
            out.push(Issue {
                id,
                question,
                scale,
                status_quo,
                outcome,
                thresholds,
                evidence,
            });
        }
        if raw.is_empty() {
            self.rep.push(
                None,
                None,
                Some("issues"),
                "the scenario defines no issues",
                Some("add [[issues]] entries with id, question and scale"),
            );
        }
        out
    }

    fn scale(&mut self, raw: Option<&S<RawScale>>, at: usize, rec: &str) -> Option<Scale> {
        const HINT: &str = "write `scale = { min = 0, max = 100, low = \"...\", high = \"...\" }`: labels in words at both ends";
        let Some(sc) = raw else {
            self.err(at, rec, Some("scale"), "the scale is missing", HINT);
            return None;
        };
        let sat = sc.span().start;
        let sc = sc.get_ref();
        // Both ends are checked before giving up, so both problems are reported at once.
        let min = match &sc.min {
            Some(v) => self.bounded(v, rec, "scale.min"),
            None => Some(0.0),
        };
        let max = match &sc.max {
            Some(v) => self.bounded(v, rec, "scale.max"),
            None => Some(100.0),
        };
        let (min, max) = (min?, max?);
        if min >= max {
            self.err(
                sat,
                rec,
                Some("scale"),
                format!("the scale runs from {min} to {max}; min must be below max"),
                HINT,
            );
            return None;
        }
        let (Some(low), Some(high)) = (&sc.low, &sc.high) else {
            self.err(
                sat,
                rec,
                Some("scale"),
                "both ends of the scale need a label in words (`low` and `high`)",
                HINT,
            );
            return None;
        };
        let mut labels = vec![ScaleLabel {
            value: min,
            label: low.clone(),
        }];
        for p in &sc.points {
            let v = self.finite(&p.value, rec, "scale.points.value")?;
            if v <= min || v >= max {
                self.err(
                    p.value.span().start,
                    rec,
                    Some("scale.points.value"),
                    format!("a labelled point at {v} must lie strictly between {min} and {max}"),
                    "the ends are labelled by `low` and `high`",
                );
                continue;
            }
            labels.push(ScaleLabel {
                value: v,
                label: p.label.clone(),
            });
        }
        labels.push(ScaleLabel {
            value: max,
            label: high.clone(),
        });
        labels.sort_by(|a, b| a.value.total_cmp(&b.value));
        Some(Scale {
            min,
            max,
            unit: sc.unit.clone(),
            labels,
        })
    }

    fn spread(
        &mut self,
        raw: &S<RawSpread>,
        rec: &str,
        field: &str,
        bounds: (f64, f64),
    ) -> Option<Spread> {
        const HINT: &str = "write one of { sd = 5 }, { range = [low, high] } or { triangular = [low, mode, high] }";
        let at = raw.span().start;
        let r = raw.get_ref();
        let set = [r.sd.is_some(), r.range.is_some(), r.triangular.is_some()];
        if set.iter().filter(|b| **b).count() != 1 {
            self.err(
                at,
                rec,
                Some(field),
                "give exactly one of `sd`, `range` or `triangular`",
                HINT,
            );
            return None;
        }
        let (lo, hi) = bounds;
        let inside = |v: f64| v >= lo && v <= hi;
        if let Some(sd) = &r.sd {
            let v = self.finite(sd, rec, field)?;
            if v <= 0.0 {
                self.err(
                    sd.span().start,
                    rec,
                    Some(field),
                    format!("a standard deviation of {v} is not positive"),
                    "omit the uncertainty to state a value as certain",
                );
                return None;
            }
            return Some(Spread::Normal { sd: v });
        }
        let (vals, want, span) = match (&r.range, &r.triangular) {
            (Some(v), _) => (v.get_ref(), 2, v.span().start),
            (None, Some(v)) => (v.get_ref(), 3, v.span().start),
            (None, None) => return None,
        };
        let ok = vals.len() == want
            && vals.iter().all(|v| v.is_finite() && inside(*v))
            && vals.windows(2).all(|w| w[0] <= w[1])
            && vals[0] < vals[want - 1];
        if !ok {
            self.err(
                span,
                rec,
                Some(field),
                format!(
                    "{vals:?} is not {} increasing finite values within {lo} to {hi}",
                    if want == 2 { "two" } else { "three" },
                ),
                HINT,
            );
            return None;
        }
        Some(if want == 2 {
            Spread::Uniform {
                low: vals[0],
                high: vals[1],
            }
        } else {
            Spread::Triangular {
                low: vals[0],
                mode: vals[1],
                high: vals[2],
            }
        })
    }

    fn stances(
        &mut self,
        raw: &RawFile,
        actors: &[Actor],
        issues: &[Issue],
        ev: &HashSet<String>,
        sal_scale: SalienceScale,
    ) -> Vec<Stance> {
        let mut seen: HashMap<(usize, usize), usize> = HashMap::new();
        let mut out = Vec::new();
        let actor_ids: HashSet<&str> = raw
            .actors
            .iter()
            .filter_map(|a| a.get_ref().id.as_ref().map(|s| s.get_ref().as_str()))
            .collect();
        let issue_ids: HashSet<&str> = raw
            .issues
            .iter()
            .filter_map(|a| a.get_ref().id.as_ref().map(|s| s.get_ref().as_str()))
            .collect();
        for st in &raw.stances {
            let at = st.span().start;
            let st = st.get_ref();
            let (Some(a), Some(i)) = (&st.actor, &st.issue) else {
                self.err(
                    at,
                    "stance",
                    Some(if st.actor.is_none() { "actor" } else { "issue" }),
                    "a stance names both its actor and its issue",
                    "write actor = \"ID\" and issue = \"ID\"",
                );
                continue;
            };
            let rec = format!("stance of `{}` on `{}`", a.get_ref(), i.get_ref());
            let ai = actors.iter().position(|x| x.id == *a.get_ref());
            let ii = issues.iter().position(|x| x.id == *i.get_ref());
            if ai.is_none() && !actor_ids.contains(a.get_ref().as_str()) {
                self.err(
                    a.span().start,
                    &rec,
                    Some("actor"),
                    format!("unknown actor `{}`", a.get_ref()),
                    &format!(
                        "define it in [[actors]] first; known actors: {}",
                        list(actors.iter().map(|x| x.id.as_str()))
                    ),
                );
            }
            if ii.is_none() && !issue_ids.contains(i.get_ref().as_str()) {
                self.err(
                    i.span().start,
                    &rec,
                    Some("issue"),
                    format!("unknown issue `{}`", i.get_ref()),
                    &format!(
                        "define it in [[issues]] first; known issues: {}",
                        list(issues.iter().map(|x| x.id.as_str()))
                    ),
                );
            }
            let (Some(ai), Some(ii)) = (ai, ii) else {
                continue;
            };
            if let Some(first) = seen.insert((ai, ii), at) {
                let (line, _) = self.rep_line(first);
                self.err(
                    at,
                    &rec,
                    None,
                    format!("duplicate stance: this actor already has a stance on this issue (line {line})"),
                    "keep one stance per actor and issue",
                );
                continue;
            }
            let scale = &issues[ii].scale;
            let position = match &st.position {
                None => {
                    self.err(
                        at,
                        &rec,
                        Some("position"),
                        "the position is missing",
                        "give the position on the issue's scale",
                    );
                    None
                }
                Some(p) => match self.finite(p, &rec, "position") {
                    Some(v) if v < scale.min || v > scale.max => {
                        self.err(
                            p.span().start,
                            &rec,
                            Some("position"),
                            format!(
                                "{v} lies outside the issue's scale ({} to {})",
                                scale.min, scale.max
                            ),
                            "positions lie on the issue's scale",
                        );
                        None
                    }
                    v => v,
                },
            };
            let smax = sal_scale.max();
            let salience = match &st.salience {
                None => {
                    self.err(
                        at,
                        &rec,
                        Some("salience"),
                        "the salience is missing",
                        "give how much the actor cares, on the scenario's salience scale",
                    );
                    None
                }
                Some(s) => match self.finite(s, &rec, "salience") {
                    Some(v) if !(0.0..=smax).contains(&v) => {
                        let hint = if sal_scale == SalienceScale::Unit && v <= 100.0 {
                            "the scenario states salience_scale = \"0-1\"; if you meant percentages, set salience_scale = \"0-100\"".to_string()
                        } else {
                            format!("saliences lie in [0, {smax}] (salience_scale in [scenario])")
                        };
                        self.err(
                            s.span().start,
                            &rec,
                            Some("salience"),
                            format!("{v} lies outside the salience scale 0-{smax}"),
                            &hint,
                        );
                        None
                    }
                    Some(v) => Some(v / smax),
                    None => None,
                },
            };
            let capability = match &st.capability {
                None => None,
                Some(c) => match self.bounded(c, &rec, "capability") {
                    Some(v) if v < 0.0 => {
                        self.err(
                            c.span().start,
                            &rec,
                            Some("capability"),
                            format!("capability is {v}; it must be zero or more"),
                            "omit it to use the actor's capability",
                        );
                        None
                    }
                    v => v,
                },
            };
            let mut uncertainty = Uncertainty::default();
            if let Some(u) = &st.uncertainty {
                if let Some(p) = &u.position {
                    uncertainty.position =
                        self.spread(p, &rec, "uncertainty.position", (scale.min, scale.max));
                }
                if let Some(p) = &u.salience {
                    uncertainty.salience = self
                        .spread(p, &rec, "uncertainty.salience", (0.0, smax))
                        .map(|s| rescale(s, 1.0 / smax));
                }
                if let Some(p) = &u.capability {
                    uncertainty.capability =
                        self.spread(p, &rec, "uncertainty.capability", (0.0, f64::MAX));
                }
            }
            let evidence = self.refs(&st.evidence, ev, &rec);
            if let (Some(position), Some(salience)) = (position, salience) {
                out.push(Stance {
                    actor: ai,
                    issue: ii,
                    position,
                    salience,
                    capability,
                    uncertainty,
                    evidence,
                    assumption: st.assumption.clone(),
                });
            }
        }
        // Every issue needs two stances and some weight to be forecast.
        if self.rep.errors.is_empty() {
            for (k, iss) in issues.iter().enumerate() {
                let at = raw
                    .issues
                    .iter()
                    .find(|r| {
                        r.get_ref()
                            .id
                            .as_ref()
                            .is_some_and(|s| *s.get_ref() == iss.id)
                    })
                    .map_or(0, |r| r.span().start);
                let on: Vec<&Stance> = out.iter().filter(|s| s.issue == k).collect();
                let rec = format!("issue `{}`", iss.id);
                if on.len() < 2 {
                    self.err(
                        at,
                        &rec,
                        None,
                        format!("{} actor(s) hold a stance on this issue; a forecast needs at least two", on.len()),
                        "add [[stances]] for this issue, or remove the issue",
                    );
                } else if on
                    .iter()
                    .all(|s| s.salience * s.capability.unwrap_or(actors[s.actor].capability) == 0.0)
                {
                    self.err(
                        at,
                        &rec,
                        None,
                        "every stance on this issue has zero weight (capability x salience)",
                        "give at least one actor a positive capability and salience",
                    );
                }
            }
        }
        out
    }
}

impl Validator<'_> {
    /// Gives stances without a spread the scenario's default one.
    fn apply_defaults(
        &mut self,
        d: &RawDefaults,
        stances: &mut [Stance],
        actors: &[Actor],
        issues: &[Issue],
        sal: SalienceScale,
    ) {
        let mut get = |v: &Option<S<f64>>, field: &str, max: f64| -> Option<f64> {
            let x = v.as_ref()?;
            match self.finite(x, "[defaults]", field) {
                Some(y) if y > 0.0 && y <= max => Some(y),
                Some(y) => {
                    self.err(
                        x.span().start,
                        "[defaults]",
                        Some(field),
                        format!("{y} must be above 0 and at most {max}"),
                        "position_sd and capability_sd are shares (0.1 = 10%), salience_sd is on the salience scale",
                    );
                    None
                }
                None => None,
            }
        };
        let pos = get(&d.position_sd, "position_sd", 1.0);
        let sa = get(&d.salience_sd, "salience_sd", sal.max());
        let cap = get(&d.capability_sd, "capability_sd", 1.0);
        for st in stances.iter_mut() {
            if let (None, Some(f)) = (st.uncertainty.position, pos) {
                st.uncertainty.position = Some(Spread::Normal {
                    sd: f * issues[st.issue].scale.width(),
                });
            }
            if let (None, Some(v)) = (st.uncertainty.salience, sa) {
                st.uncertainty.salience = Some(Spread::Normal { sd: v / sal.max() });
            }
            let c = st.capability.unwrap_or(actors[st.actor].capability);
            if let (None, Some(f), true) = (st.uncertainty.capability, cap, c > 0.0) {
                st.uncertainty.capability = Some(Spread::Normal { sd: f * c });
            }
        }
    }

    /// One change (of a variant, or an event), validated.
    fn change(
        &mut self,
        c: &S<RawChange>,
        rec: &str,
        actors: &[Actor],
        issues: &[Issue],
        sal: SalienceScale,
        ev: &HashSet<String>,
    ) -> Option<Change> {
        const HINT: &str = "a change names an actor (and optionally an issue) and sets position, salience or capability, or remove = true, or enter = true with a round";
        let rec = rec.to_string();
        let cat = c.span().start;
        let c = c.get_ref();
        let Some(a) = &c.actor else {
            self.err(
                cat,
                &rec,
                Some("changes.actor"),
                "the change names no actor",
                HINT,
            );
            return None;
        };
        let Some(actor) = actors.iter().position(|x| x.id == *a.get_ref()) else {
            self.err(
                a.span().start,
                &rec,
                Some("changes.actor"),
                format!("unknown actor `{}`", a.get_ref()),
                HINT,
            );
            return None;
        };
        let issue = match &c.issue {
            None => None,
            Some(i) => match issues.iter().position(|x| x.id == *i.get_ref()) {
                Some(k) => Some(k),
                None => {
                    self.err(
                        i.span().start,
                        &rec,
                        Some("changes.issue"),
                        format!("unknown issue `{}`", i.get_ref()),
                        HINT,
                    );
                    return None;
                }
            },
        };
        let none_set = c.position.is_none() && c.salience.is_none() && c.capability.is_none();
        if (c.remove || c.enter) != none_set || (c.remove && c.enter) {
            self.err(cat, &rec, None, "a change either removes the actor or sets at least one of position, salience, capability", HINT);
            return None;
        }
        let mut position = None;
        if let Some(p) = &c.position {
            let Some(k) = issue else {
                self.err(
                    p.span().start,
                    &rec,
                    Some("changes.position"),
                    "a position change needs an issue",
                    "add issue = \"ID\"",
                );
                return None;
            };
            let sc = &issues[k].scale;
            match self.finite(p, &rec, "changes.position") {
                Some(x) if x >= sc.min && x <= sc.max => position = Some(x),
                Some(x) => {
                    self.err(
                        p.span().start,
                        &rec,
                        Some("changes.position"),
                        format!(
                            "{x} lies outside the issue's scale ({} to {})",
                            sc.min, sc.max
                        ),
                        HINT,
                    );
                    return None;
                }
                None => return None,
            }
        }
        let mut salience = None;
        if let Some(p) = &c.salience {
            match self.finite(p, &rec, "changes.salience") {
                Some(x) if (0.0..=sal.max()).contains(&x) => salience = Some(x / sal.max()),
                Some(x) => {
                    self.err(
                        p.span().start,
                        &rec,
                        Some("changes.salience"),
                        format!("{x} lies outside the salience scale 0-{}", sal.max()),
                        HINT,
                    );
                    return None;
                }
                None => return None,
            }
        }
        let mut capability = None;
        if let Some(p) = &c.capability {
            match self.finite(p, &rec, "changes.capability") {
                Some(x) if x >= 0.0 => capability = Some(x),
                Some(x) => {
                    self.err(
                        p.span().start,
                        &rec,
                        Some("changes.capability"),
                        format!("capability is {x}; it must be zero or more"),
                        HINT,
                    );
                    return None;
                }
                None => return None,
            }
        }
        let round = match &c.round {
            None => None,
            Some(r) if *r.get_ref() >= 1 => Some(*r.get_ref() as usize),
            Some(r) => {
                self.err(
                    r.span().start,
                    &rec,
                    Some("round"),
                    format!("round {} is not a round of bargaining", r.get_ref()),
                    "rounds count from 1",
                );
                return None;
            }
        };
        if c.enter && round.is_none() {
            self.err(
                cat,
                &rec,
                Some("enter"),
                "`enter` needs the round at which the actor enters",
                HINT,
            );
            return None;
        }
        self.refs(&c.evidence, ev, &rec);
        Some(Change {
            actor,
            issue,
            position,
            salience,
            capability,
            remove: c.remove,
            round,
            enter: c.enter,
            note: c.note.clone(),
        })
    }

    fn variants(
        &mut self,
        raw: &[S<RawVariant>],
        actors: &[Actor],
        issues: &[Issue],
        sal: SalienceScale,
        ev: &HashSet<String>,
    ) -> Vec<Variant> {
        let mut out: Vec<Variant> = Vec::new();
        for v in raw {
            let at = v.span().start;
            let v = v.get_ref();
            let Some(name) = self.id(&v.name, at, "variant") else {
                continue;
            };
            let rec = format!("variant `{name}`");
            if out.iter().any(|x| x.name == name) {
                self.err(
                    at,
                    &rec,
                    Some("name"),
                    "two variants have this name",
                    "give each variant its own name",
                );
                continue;
            }
            let mut changes = Vec::new();
            for c in &v.changes {
                if let Some(ch) = self.change(c, &rec, actors, issues, sal, ev) {
                    changes.push(ch);
                }
            }
            out.push(Variant {
                name,
                description: v.description.clone().unwrap_or_default(),
                changes,
                assumption: v.assumption.clone(),
            });
        }
        out
    }
}

fn rescale(s: Spread, f: f64) -> Spread {
    match s {
        Spread::Normal { sd } => Spread::Normal { sd: sd * f },
        Spread::Uniform { low, high } => Spread::Uniform {
            low: low * f,
            high: high * f,
        },
        Spread::Triangular { low, mode, high } => Spread::Triangular {
            low: low * f,
            mode: mode * f,
            high: high * f,
        },
    }
}

fn list<'a>(ids: impl Iterator<Item = &'a str>) -> String {
    let v: Vec<&str> = ids.collect();
    if v.is_empty() {
        "(none)".into()
    } else {
        v.join(", ")
    }
}
