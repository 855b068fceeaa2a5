//! A population scenario: groups with census weights and starting opinions, a network
//! recipe, the peer model, media, poll waves, and the parameters a calibration may move.
//! [`PopulationSpec::build`] makes agents and a graph; [`PopulationSpec::run`] simulates and
//! answers every poll; [`PopulationSpec::loss`] scores the answers against the published
//! figures.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use serde::{Deserialize, Serialize};

use super::dynamics::Peer;
use super::graph::Graph;
use super::media::{Media, MediaForm};
use super::poll::{Observed, Question, binomial_nll};
use super::{OpinionError, OpinionModel, Population, Schedule, Shock, simulate_scheduled};

/// A population group (its attributes are descriptive; the model reads its census weight,
/// starting opinions, susceptibility and zealot share).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub id: String,
    pub census: f64,
    #[serde(default)]
    pub language: String,
    #[serde(default)]
    pub age: String,
    #[serde(default)]
    pub identity: String,
    #[serde(default)]
    pub region: String,
    /// Mean starting opinion on each item.
    pub start: Vec<f64>,
    /// Spread of starting opinions around the mean (normal, cut to [0, 1]).
    pub start_sd: f64,
    /// Friedkin-Johnsen susceptibility (used by that model and the linear media form).
    #[serde(default = "half")]
    pub susceptibility: f64,
    /// Share of the group that never changes its opinion.
    #[serde(default)]
    pub zealots: f64,
    /// Anchoring in [0, 1): after each sweep every member moves back this share of the way to
    /// its innate opinion (Friedkin-Johnsen stubbornness on top of any peer model).
    #[serde(default)]
    pub anchor: f64,
    #[serde(default)]
    pub evidence: Vec<String>,
    #[serde(default)]
    pub assumption: Option<String>,
}

fn half() -> f64 {
    0.5
}

/// How the social graph is made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Network {
    /// No graph (media and mean-field only).
    None,
    /// Stochastic block model over the groups: mean degree and the share of ties within the
    /// own group beyond chance.
    Sbm {
        mean_degree: f64,
        homophily: f64,
    },
    ErdosRenyi {
        mean_degree: f64,
    },
    BarabasiAlbert {
        m: usize,
    },
    WattsStrogatz {
        k: usize,
        beta: f64,
    },
    /// Ties read from a file (`path`, relative to the population file): one `a b` pair of
    /// 0-based agent numbers per line. The file's loader fills `edges`.
    EdgeList {
        path: String,
        #[serde(skip)]
        edges: Vec<(u32, u32)>,
    },
}

/// One poll wave: a question and the published figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Poll {
    pub id: String,
    pub date: String,
    /// The sweep the poll observes.
    pub sweep: usize,
    #[serde(flatten)]
    pub question: Question,
    pub observed: Vec<Observed>,
    #[serde(default)]
    pub evidence: Vec<String>,
}

/// A dated event: from its date it moves outlets (position, volume, credibility) and/or the
/// agents of some groups (a jump on each item, a new anchoring). The first sweep it touches
/// is the first one that starts on or after its date; every earlier state is untouched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    pub id: String,
    /// `YYYY-MM-DD`, on or after the population's start date.
    pub date: String,
    #[serde(default)]
    pub description: String,
    /// The groups whose agents it moves (empty: every group).
    #[serde(default)]
    pub groups: Vec<String>,
    /// The jump of those agents' opinions (and innate opinions) on each item.
    #[serde(default)]
    pub shift: Vec<f64>,
    /// Those groups' anchoring from the date on.
    #[serde(default)]
    pub anchor: Option<f64>,
    /// The outlet it changes, if any.
    #[serde(default)]
    pub outlet: Option<String>,
    /// The outlet's new position on each item.
    #[serde(default)]
    pub position: Vec<f64>,
    /// A factor on the outlet's volume from the date on.
    #[serde(default)]
    pub volume_scale: Option<f64>,
    /// A factor on the outlet's credibility from the date on.
    #[serde(default)]
    pub credibility_scale: Option<f64>,
    #[serde(default)]
    pub evidence: Vec<String>,
    #[serde(default)]
    pub assumption: Option<String>,
}

/// A published group difference the simulation should show: at sweep `sweep`, group
/// `higher`'s mean on item `item` above group `lower`'s (sources often give an ordering, not a
/// figure).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupCheck {
    pub id: String,
    #[serde(default)]
    pub item: usize,
    pub sweep: usize,
    pub higher: String,
    pub lower: String,
    #[serde(default)]
    pub evidence: Vec<String>,
}

/// The leadership's audience cost on an issue: the public, every group by census weight, with
/// mean `m` on item `item`, implies the position `P(m) = low + m (high - low)` and cares as
/// much as its view is one-sided, `c(m) = |2m - 1|`. The leadership, coded at `x0`, weighs
/// its own line against the public's: it would choose `x*(m) = (x0 + w c(m) P(m)) / (1 + w
/// c(m))`, the minimum of `(x - x0)^2 + w c(m) (x - P(m))^2`, `w` the `weight`. Anchored like a
/// binding, its position is `x0 + x*(m_t) - x*(m_0)`: the start reproduces the coded stance and
/// only changes of opinion move it. With `salience = s`, its salience moves by `s (c(m_t) -
/// c(m_0))`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AudienceCost {
    pub actor: String,
    pub issue: String,
    #[serde(default)]
    pub item: usize,
    pub low: f64,
    pub high: f64,
    pub weight: f64,
    #[serde(default)]
    pub salience: f64,
    #[serde(default)]
    pub evidence: Vec<String>,
    #[serde(default)]
    pub assumption: Option<String>,
}

impl AudienceCost {
    /// Position and salience of the leadership for the public mean `m`, given the coded
    /// (position, salience) and the mean `m0` at the start; `scale` multiplies the weight
    /// (0 switches the mechanism off).
    pub fn stance(&self, m: f64, m0: f64, coded: (f64, f64), scale: f64) -> (f64, f64) {
        let w = self.weight * scale;
        let care = |x: f64| (2.0 * x - 1.0).abs();
        let implied = |x: f64| self.low + x * (self.high - self.low);
        let choice = |x: f64| (coded.0 + w * care(x) * implied(x)) / (1.0 + w * care(x));
        let pos = coded.0 + (choice(m) - choice(m0));
        let sal = (coded.1 + self.salience * scale * (care(m) - care(m0))).clamp(0.0, 1.0);
        (pos, sal)
    }
}

/// A what-if of the population: changes to outlets, events left out, the audience cost
/// scaled, applied by name (`opinion --variant`, `run --two-level --population-variant`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PopulationVariant {
    /// The name a user gives.
    pub name: String,
    /// What it changes, in words.
    pub description: String,
    /// The changes, in order.
    #[serde(default)]
    pub changes: Vec<OutletChange>,
    /// Events (by id) that do not happen.
    #[serde(default)]
    pub drop_events: Vec<String>,
    /// A factor on every audience cost's weight and salience (0: the leadership ignores
    /// opinion).
    #[serde(default)]
    pub audience_cost_scale: Option<f64>,
    /// Why the change is what it is, when no source gives it.
    #[serde(default)]
    pub assumption: Option<String>,
    /// The evidence behind it.
    #[serde(default)]
    pub evidence: Vec<String>,
}

/// A change to one outlet: its volume replaced by a series, or scaled by a factor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutletChange {
    /// The outlet's name.
    pub outlet: String,
    /// The volume over time, replacing the outlet's.
    #[serde(default)]
    pub volume: Option<super::media::Series>,
    /// A factor on every value of the outlet's volume (after `volume`, when both are given).
    #[serde(default)]
    pub volume_scale: Option<f64>,
}

/// A parameter a calibration may move, with its range. Names: `media_strength` (multiplies
/// the media form's strength), `start_shift` (added to every group's starting mean),
/// `peer_eps` (the bounded-confidence threshold), `answer_sigma` (every poll's answer noise),
/// `event_scale` (multiplies every event's jump), `anchor_scale` (multiplies every group's
/// and event's anchoring, cut below 0.99).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Knob {
    pub name: String,
    pub low: f64,
    pub high: f64,
}

/// The most agents a population may have (about 0.4 GB per 20 million in the mean-field
/// model; more would abort on allocation rather than fail with a message).
pub const MAX_AGENTS: usize = 50_000_000;
/// The most sweeps a run may have.
pub const MAX_SWEEPS: usize = 1_000_000;
/// The most agent updates (agents x sweeps) one run may ask for: about an hour of the
/// fastest kernel on one core.
pub const MAX_UPDATES: f64 = 2e11;
/// The largest mean degree of a generated network.
pub const MAX_DEGREE: f64 = 10_000.0;

/// Problems with a run of `agents` agents in `groups` groups over `sweeps` sweeps: every size
/// a user controls is bounded before anything is allocated.
pub fn size_problems(agents: usize, sweeps: usize, groups: usize) -> Vec<String> {
    let mut out = Vec::new();
    if agents < groups.max(1) {
        out.push(format!(
            "population: {agents} agents cannot fill {groups} groups"
        ));
    }
    if agents > MAX_AGENTS {
        out.push(format!(
            "population: {agents} agents is more than the limit of {MAX_AGENTS}"
        ));
    }
    if sweeps > MAX_SWEEPS {
        out.push(format!(
            "population: {sweeps} sweeps is more than the limit of {MAX_SWEEPS}"
        ));
    }
    let updates = agents as f64 * sweeps as f64;
    if updates > MAX_UPDATES && agents <= MAX_AGENTS && sweeps <= MAX_SWEEPS {
        out.push(format!(
            "population: {agents} agents x {sweeps} sweeps = {updates:e} updates is more than the limit of {MAX_UPDATES:e} for one run"
        ));
    }
    out
}

/// Problems with the media block: outlets' positions in [0, 1], volumes finite and >= 0,
/// audience shares in [0, 1], one audience row per group.
fn media_problems(m: &Media, items: usize, groups: usize) -> Vec<String> {
    let mut out = Vec::new();
    for o in &m.outlets {
        if o.position.len() != items {
            out.push(format!(
                "media, outlet `{}`, field `position`: {} series for {items} items",
                o.name,
                o.position.len()
            ));
        }
        for s in &o.position {
            for &(from, v) in &s.points {
                if !from.is_finite() || !(0.0..=1.0).contains(&v) {
                    out.push(format!(
                        "media, outlet `{}`, field `position`: {v} (from sweep {from}) is not a position in [0, 1]",
                        o.name
                    ));
                }
            }
        }
        for &(from, v) in &o.volume.points {
            if !(from.is_finite() && v.is_finite() && v >= 0.0) {
                out.push(format!(
                    "media, outlet `{}`, field `volume`: {v} (from sweep {from}) must be a finite number >= 0",
                    o.name
                ));
            }
        }
    }
    if m.audience.len() != groups * m.outlets.len() {
        out.push(format!(
            "media, field `audience`: {} shares for {groups} groups x {} outlets",
            m.audience.len(),
            m.outlets.len()
        ));
    }
    for &a in &m.audience {
        if !(0.0..=1.0).contains(&a) {
            out.push(format!(
                "media, field `audience`: {a} is not a share in [0, 1]"
            ));
        }
    }
    out
}

/// The knobs a calibration understands.
pub const KNOBS: [&str; 6] = [
    "media_strength",
    "start_shift",
    "peer_eps",
    "answer_sigma",
    "event_scale",
    "anchor_scale",
];

/// Everything the domestic level needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PopulationSpec {
    pub id: String,
    #[serde(default)]
    pub description: String,
    pub items: Vec<String>,
    /// What 0 and 1 mean on each item, in words (`[low, high]` per item; optional).
    #[serde(default)]
    pub item_ends: Vec<[String; 2]>,
    /// Calendar date of sweep 0 and days per sweep.
    pub start_date: String,
    pub days_per_sweep: f64,
    pub agents: usize,
    pub sweeps: usize,
    pub network: Network,
    pub peer: Peer,
    #[serde(default)]
    pub media: Option<Media>,
    pub groups: Vec<Group>,
    #[serde(default)]
    pub polls: Vec<Poll>,
    #[serde(default)]
    pub calibrate: Vec<Knob>,
    /// How domestic constituencies of the bargaining scenario follow the population.
    #[serde(default)]
    pub bindings: Vec<Binding>,
    /// What-ifs, by name.
    #[serde(default)]
    pub variants: Vec<PopulationVariant>,
    /// Dated events, in date order.
    #[serde(default)]
    pub events: Vec<Event>,
    /// Published group orderings.
    #[serde(default)]
    pub group_checks: Vec<GroupCheck>,
    /// How opinion binds the leadership.
    #[serde(default)]
    pub audience_costs: Vec<AudienceCost>,
    /// The factor on every audience cost (set by a variant; 1 otherwise).
    #[serde(skip, default = "one")]
    pub audience_cost_scale: f64,
}

fn one() -> f64 {
    1.0
}

/// Days from `start` to `date`, both `YYYY-MM-DD` (None when either is not a date).
fn days_between(start: &str, date: &str) -> Option<i64> {
    let a: jiff::civil::Date = start.parse().ok()?;
    let b: jiff::civil::Date = date.parse().ok()?;
    let span = a.until((jiff::Unit::Day, b)).ok()?;
    Some(i64::from(span.get_days()))
}

/// A domestic constituency's stance on an issue as a function of the population: its
/// position is `low + m (high - low)` on the issue's scale, `m` the census-weighted mean of
/// item `item` over `groups`; when `anchored`, it is instead the scenario's coded position
/// moved by `(high - low) (m(t) - m(0))`, so that the start reproduces the coded stance and
/// only changes of opinion move it. With `salience = [s0, s1]` its salience (0-1) is
/// `s0 + (s1 - s0) |2m - 1|` (the more one-sided the opinion, the more it matters).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Binding {
    pub actor: String,
    pub issue: String,
    pub groups: Vec<String>,
    #[serde(default)]
    pub item: usize,
    pub low: f64,
    pub high: f64,
    #[serde(default)]
    pub anchored: bool,
    #[serde(default)]
    pub salience: Option<[f64; 2]>,
    #[serde(default)]
    pub evidence: Vec<String>,
    #[serde(default)]
    pub assumption: Option<String>,
}

impl Binding {
    /// The census-weighted mean of the bound groups' item at sweep `t`.
    pub fn mean(&self, spec: &PopulationSpec, a: &Answers, t: usize) -> f64 {
        let (mut num, mut den) = (0.0, 0.0);
        for (g, grp) in spec.groups.iter().enumerate() {
            if self.groups.contains(&grp.id) {
                num += grp.census * a.means[t][self.item][g];
                den += grp.census;
            }
        }
        num / den
    }

    /// Position and salience (if bound) for a group mean `m`; `coded` is the scenario's
    /// (position, salience) and `m0` the mean at the start (both used when anchored: the
    /// salience then moves by `(s1 - s0)` times the change of `|2m - 1|`).
    pub fn stance(&self, m: f64, m0: f64, coded: (f64, f64)) -> (f64, Option<f64>) {
        let one_sided = |x: f64| (2.0 * x - 1.0).abs();
        let pos = if self.anchored {
            coded.0 + (m - m0) * (self.high - self.low)
        } else {
            self.low + m * (self.high - self.low)
        };
        let sal = self.salience.map(|[s0, s1]| {
            if self.anchored {
                coded.1 + (s1 - s0) * (one_sided(m) - one_sided(m0))
            } else {
                s0 + (s1 - s0) * one_sided(m)
            }
            .clamp(0.0, 1.0)
        });
        (pos, sal)
    }
}

/// Simulated toplines of every poll.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Answers {
    /// `toplines[p]`: the answer shares (last: don't know) of poll `p`.
    pub toplines: Vec<Vec<f64>>,
    /// Group means of every item after every sweep.
    pub means: Vec<Vec<Vec<f64>>>,
}

impl PopulationSpec {
    /// Checks everything a run relies on; the message names the group, outlet, poll or knob.
    pub fn check(&self) -> Result<(), OpinionError> {
        let problems = self.problems();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(OpinionError::Spec { problems })
        }
    }

    /// Every problem of the spec, in file order as far as it can be told (an empty list:
    /// the spec can run). Each message names its record and field.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let items = self.items.len();
        if items == 0 {
            out.push("population: `items` is empty; name at least one opinion item".into());
        }
        if self.groups.is_empty() {
            out.push("population: no groups".into());
        }
        if !self.item_ends.is_empty() && self.item_ends.len() != items {
            out.push(format!(
                "population, field `item_ends`: {} pairs for {items} items (one [low, high] pair per item)",
                self.item_ends.len()
            ));
        }
        if self.groups.len() > u16::MAX as usize {
            out.push("population: too many groups".into());
        }
        if !(self.days_per_sweep.is_finite() && self.days_per_sweep > 0.0) {
            out.push("population: `days_per_sweep` must be a positive number".into());
        }
        out.extend(size_problems(self.agents, self.sweeps, self.groups.len()));
        match &self.network {
            Network::Sbm {
                mean_degree,
                homophily,
            } => {
                if !(mean_degree.is_finite() && *mean_degree > 0.0 && *mean_degree <= MAX_DEGREE) {
                    out.push(format!("population, network, field `mean_degree`: {mean_degree} must be above 0 and at most {MAX_DEGREE}"));
                }
                if !(0.0..=1.0).contains(homophily) {
                    out.push(format!(
                        "population, network, field `homophily`: {homophily} lies outside [0, 1]"
                    ));
                }
            }
            Network::ErdosRenyi { mean_degree } => {
                if !(mean_degree.is_finite() && *mean_degree > 0.0 && *mean_degree <= MAX_DEGREE) {
                    out.push(format!("population, network, field `mean_degree`: {mean_degree} must be above 0 and at most {MAX_DEGREE}"));
                }
            }
            Network::BarabasiAlbert { m } => {
                if *m == 0 || *m as f64 > MAX_DEGREE {
                    out.push(format!(
                        "population, network, field `m`: {m} must be from 1 to {MAX_DEGREE}"
                    ));
                }
            }
            Network::WattsStrogatz { k, beta } => {
                if *k == 0 || *k as f64 > MAX_DEGREE {
                    out.push(format!(
                        "population, network, field `k`: {k} must be from 1 to {MAX_DEGREE}"
                    ));
                }
                if !(0.0..=1.0).contains(beta) {
                    out.push(format!(
                        "population, network, field `beta`: {beta} lies outside [0, 1]"
                    ));
                }
            }
            Network::None | Network::EdgeList { .. } => {}
        }
        let total: f64 = self.groups.iter().map(|g| g.census).sum();
        for (k, g) in self.groups.iter().enumerate() {
            if self.groups[..k].iter().any(|x| x.id == g.id) {
                out.push(format!(
                    "population, group `{}`: the id appears twice",
                    g.id
                ));
            }
            let at = |f: &str, v: f64| format!("population, group `{}`, field `{f}`: {v}", g.id);
            if !(g.census.is_finite() && g.census > 0.0) {
                out.push(at("census", g.census) + " must be a positive share");
            }
            if g.start.len() != items {
                out.push(format!(
                    "population, group `{}`, field `start`: {} values for {items} items",
                    g.id,
                    g.start.len()
                ));
            }
            for &s in &g.start {
                if !(0.0..=1.0).contains(&s) {
                    out.push(at("start", s) + " lies outside [0, 1]");
                }
            }
            if !(g.start_sd.is_finite() && g.start_sd >= 0.0) {
                out.push(at("start_sd", g.start_sd) + " must be >= 0");
            }
            if !(0.0..=1.0).contains(&g.zealots) {
                out.push(at("zealots", g.zealots) + " lies outside [0, 1]");
            }
            if !(0.0..1.0).contains(&g.susceptibility) {
                out.push(at("susceptibility", g.susceptibility) + " lies outside [0, 1)");
            }
            if !(0.0..1.0).contains(&g.anchor) {
                out.push(at("anchor", g.anchor) + " lies outside [0, 1)");
            }
        }
        if total.is_finite() && (total - 1.0).abs() > 0.01 {
            out.push(format!(
                "population: census shares sum to {total:.3}; they should sum to 1"
            ));
        }
        if let Some(m) = &self.media {
            out.extend(media_problems(m, items, self.groups.len()));
        }
        for (k, p) in self.polls.iter().enumerate() {
            if self.polls[..k].iter().any(|x| x.id == p.id) {
                out.push(format!("poll `{}`: the id appears twice", p.id));
            }
            let q = &p.question;
            if q.item >= items {
                out.push(format!("poll `{}`: item {} does not exist", p.id, q.item));
            }
            if p.sweep > self.sweeps {
                out.push(format!(
                    "poll `{}`: sweep {} is after the last sweep {}",
                    p.id, p.sweep, self.sweeps
                ));
            }
            if q.cuts.iter().any(|c| !c.is_finite())
                || q.cuts.windows(2).any(|w| w[0] >= w[1])
                || !(q.sigma.is_finite() && q.sigma > 0.0)
            {
                out.push(format!(
                    "poll `{}`: cuts must be finite and increase, and sigma must be a positive number",
                    p.id
                ));
            }
            for o in &p.observed {
                if o.answer > q.cuts.len()
                    || !(0.0..=1.0).contains(&o.share)
                    || !(o.n.is_finite() && o.n >= 1.0)
                {
                    out.push(format!(
                        "poll `{}`: observed answer {} (share {}, n {}) is not an answer of the question, a share in [0, 1] or a sample size >= 1",
                        p.id, o.answer, o.share, o.n
                    ));
                }
            }
        }
        for b in &self.bindings {
            if b.item >= items {
                out.push(format!(
                    "binding of `{}` on `{}`: item {} does not exist",
                    b.actor, b.issue, b.item
                ));
            }
            if b.groups.is_empty() {
                out.push(format!(
                    "binding of `{}` on `{}`: no groups",
                    b.actor, b.issue
                ));
            }
            if let Some(g) = b
                .groups
                .iter()
                .find(|g| !self.groups.iter().any(|x| &x.id == *g))
            {
                out.push(format!(
                    "binding of `{}` on `{}`: unknown group `{g}`",
                    b.actor, b.issue
                ));
            }
            if let Some([s0, s1]) = b.salience {
                if !((0.0..=1.0).contains(&s0) && (0.0..=1.0).contains(&s1)) {
                    out.push(format!(
                        "binding of `{}` on `{}`: saliences lie in [0, 1]",
                        b.actor, b.issue
                    ));
                }
            }
        }
        out.extend(self.poll_date_problems());
        out.extend(self.event_problems());
        for (k, c) in self.group_checks.iter().enumerate() {
            if self.group_checks[..k].iter().any(|x| x.id == c.id) {
                out.push(format!("group check `{}`: the id appears twice", c.id));
            }
            if c.item >= items {
                out.push(format!(
                    "group check `{}`, field `item`: item {} does not exist",
                    c.id, c.item
                ));
            }
            if c.sweep > self.sweeps {
                out.push(format!(
                    "group check `{}`, field `sweep`: {} is after the last sweep {}",
                    c.id, c.sweep, self.sweeps
                ));
            }
            for g in [&c.higher, &c.lower] {
                if !self.groups.iter().any(|x| &x.id == g) {
                    out.push(format!("group check `{}`: unknown group `{g}`", c.id));
                }
            }
            if c.higher == c.lower {
                out.push(format!(
                    "group check `{}`: `higher` and `lower` name the same group",
                    c.id
                ));
            }
        }
        for a in &self.audience_costs {
            let at = format!("audience cost of `{}` on `{}`", a.actor, a.issue);
            if a.item >= items {
                out.push(format!(
                    "{at}, field `item`: item {} does not exist",
                    a.item
                ));
            }
            if !(a.low.is_finite() && a.high.is_finite()) {
                out.push(format!("{at}: `low` and `high` must be finite numbers"));
            }
            for (f, v) in [("weight", a.weight), ("salience", a.salience)] {
                if !(v.is_finite() && v >= 0.0) {
                    out.push(format!(
                        "{at}, field `{f}`: {v} must be a finite number >= 0"
                    ));
                }
            }
            if a.evidence.is_empty() && a.assumption.is_none() {
                out.push(format!(
                    "{at}: cite `evidence` or state an `assumption` for the weight"
                ));
            }
        }
        for (k, v) in self.variants.iter().enumerate() {
            if self.variants[..k].iter().any(|x| x.name == v.name) {
                out.push(format!("variant `{}`: the name appears twice", v.name));
            }
            for e in &v.drop_events {
                if !self.events.iter().any(|x| &x.id == e) {
                    out.push(format!("variant `{}`: unknown event `{e}`", v.name));
                }
            }
            if let Some(f) = v.audience_cost_scale {
                if !(f.is_finite() && f >= 0.0) {
                    out.push(format!(
                        "variant `{}`, field `audience_cost_scale`: {f} must be a finite number >= 0",
                        v.name
                    ));
                }
            }
            if v.changes.is_empty() && v.drop_events.is_empty() && v.audience_cost_scale.is_none() {
                out.push(format!(
                    "variant `{}`: it changes nothing (give `changes`, `drop_events` or `audience_cost_scale`)",
                    v.name
                ));
            }
            for c in &v.changes {
                let known = self
                    .media
                    .as_ref()
                    .is_some_and(|m| m.outlets.iter().any(|o| o.name == c.outlet));
                if !known {
                    out.push(format!(
                        "variant `{}`: unknown outlet `{}`",
                        v.name, c.outlet
                    ));
                }
                if let Some(f) = c.volume_scale {
                    if !(f.is_finite() && f >= 0.0) {
                        out.push(format!(
                            "variant `{}`, outlet `{}`, field `volume_scale`: {f} must be a finite number >= 0",
                            v.name, c.outlet
                        ));
                    }
                }
                if let Some(vol) = &c.volume {
                    if vol
                        .points
                        .iter()
                        .any(|&(t, x)| !(t.is_finite() && x.is_finite() && x >= 0.0))
                    {
                        out.push(format!(
                            "variant `{}`, outlet `{}`, field `volume`: volumes must be finite numbers >= 0",
                            v.name, c.outlet
                        ));
                    }
                }
            }
        }
        for k in &self.calibrate {
            if !KNOBS.contains(&k.name.as_str()) {
                out.push(format!(
                    "calibrate: unknown parameter `{}`; known: {}",
                    k.name,
                    KNOBS.join(", ")
                ));
            }
            if !(k.low.is_finite() && k.high.is_finite() && k.low < k.high) {
                out.push(format!("calibrate `{}`: needs finite low < high", k.name));
            }
        }
        out
    }

    /// Polls whose date is a calendar month (`YYYY-MM`) or day (`YYYY-MM-DD`) but whose sweep
    /// falls elsewhere (a poll date that is free text, such as "2023 (month not given)", is a
    /// label and only the sweep places it).
    fn poll_date_problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let Ok(start) = self.start_date.parse::<jiff::civil::Date>() else {
            return out;
        };
        if !(self.days_per_sweep.is_finite() && self.days_per_sweep > 0.0) {
            return out;
        }
        for p in &self.polls {
            let days = (p.sweep as f64 * self.days_per_sweep).round() as i64;
            let Ok(at) = start.checked_add(jiff::Span::new().days(days)) else {
                continue;
            };
            let month = format!("{:04}-{:02}", at.year(), at.month());
            let fits = if let Ok(d) = p.date.parse::<jiff::civil::Date>() {
                days_between(&d.to_string(), &at.to_string())
                    .is_some_and(|x| x.abs() as f64 <= self.days_per_sweep)
            } else if p.date.len() == 7
                && format!("{}-01", p.date)
                    .parse::<jiff::civil::Date>()
                    .is_ok()
            {
                p.date == month
            } else {
                true
            };
            if !fits {
                out.push(format!(
                    "poll `{}`, field `sweep`: sweep {} is {at}, which is not the poll's date {} (sweep t is the start date plus t x {} days)",
                    p.id, p.sweep, p.date, self.days_per_sweep
                ));
            }
        }
        out
    }

    /// Every problem of the events: dates, order, groups, outlets, values, sources.
    fn event_problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let items = self.items.len();
        let mut previous: Option<(&str, i64)> = None;
        for (k, e) in self.events.iter().enumerate() {
            let at = format!("event `{}`", e.id);
            if self.events[..k].iter().any(|x| x.id == e.id) {
                out.push(format!("{at}: the id appears twice"));
            }
            match days_between(&self.start_date, &e.date) {
                None if e.date.parse::<jiff::civil::Date>().is_err() => out.push(format!(
                    "{at}, field `date`: `{}` is not a date (write YYYY-MM-DD)",
                    e.date
                )),
                None => {}
                Some(d) if d < 0 => out.push(format!(
                    "{at}, field `date`: {} is before the start date {}; the starting opinions already hold what happened before",
                    e.date, self.start_date
                )),
                Some(d) => {
                    if let Some((prev, pd)) = previous.filter(|p| p.1 > d) {
                        out.push(format!(
                            "{at}, field `date`: {} comes before the previous event's date ({prev}, {} days after the start, this one {d}); list events in date order",
                            e.date, pd
                        ));
                    }
                    previous = Some((e.date.as_str(), d));
                }
            }
            for g in &e.groups {
                if !self.groups.iter().any(|x| &x.id == g) {
                    out.push(format!("{at}: unknown group `{g}`"));
                }
            }
            if !e.shift.is_empty() && e.shift.len() != items {
                out.push(format!(
                    "{at}, field `shift`: {} values for {items} items",
                    e.shift.len()
                ));
            }
            if let Some(d) = e.shift.iter().find(|d| !(d.is_finite() && d.abs() <= 1.0)) {
                out.push(format!(
                    "{at}, field `shift`: {d} must be a finite jump in [-1, 1]"
                ));
            }
            if let Some(a) = e.anchor.filter(|a| !(0.0..1.0).contains(a)) {
                out.push(format!("{at}, field `anchor`: {a} lies outside [0, 1)"));
            }
            let outlet_fields =
                !e.position.is_empty() || e.volume_scale.is_some() || e.credibility_scale.is_some();
            match &e.outlet {
                Some(o) => {
                    let known = self
                        .media
                        .as_ref()
                        .is_some_and(|m| m.outlets.iter().any(|x| &x.name == o));
                    if !known {
                        out.push(format!("{at}: unknown outlet `{o}`"));
                    }
                    if !outlet_fields {
                        out.push(format!(
                            "{at}: it names outlet `{o}` but changes none of its `position`, `volume_scale` or `credibility_scale`"
                        ));
                    }
                }
                None if outlet_fields => out.push(format!(
                    "{at}: `position`, `volume_scale` and `credibility_scale` need an `outlet`"
                )),
                None => {}
            }
            if !e.position.is_empty() && e.position.len() != items {
                out.push(format!(
                    "{at}, field `position`: {} values for {items} items",
                    e.position.len()
                ));
            }
            if let Some(p) = e.position.iter().find(|p| !(0.0..=1.0).contains(*p)) {
                out.push(format!("{at}, field `position`: {p} lies outside [0, 1]"));
            }
            for (f, v) in [
                ("volume_scale", e.volume_scale),
                ("credibility_scale", e.credibility_scale),
            ] {
                if let Some(v) = v.filter(|v| !(v.is_finite() && *v >= 0.0)) {
                    out.push(format!(
                        "{at}, field `{f}`: {v} must be a finite number >= 0"
                    ));
                }
            }
            if e.shift.iter().all(|d| *d == 0.0) && e.anchor.is_none() && e.outlet.is_none() {
                out.push(format!(
                    "{at}: it moves nothing (give `shift`, `anchor` or an `outlet` change)"
                ));
            }
            if e.evidence.is_empty() && e.assumption.is_none() {
                out.push(format!("{at}: cite `evidence` or state an `assumption`"));
            }
        }
        out
    }

    /// The sweep at whose start event `e` happens: the first sweep starting on or after its
    /// date (None when the date cannot be read).
    pub fn event_sweep(&self, e: &Event) -> Option<usize> {
        let d = days_between(&self.start_date, &e.date)?;
        Some((d.max(0) as f64 / self.days_per_sweep).ceil() as usize)
    }

    /// The media with every event's outlet changes applied.
    pub fn media_with_events(&self) -> Option<Media> {
        let mut media = self.media.clone()?;
        for e in &self.events {
            let (Some(name), Some(t)) = (&e.outlet, self.event_sweep(e)) else {
                continue;
            };
            let Some(o) = media.outlets.iter_mut().find(|o| &o.name == name) else {
                continue;
            };
            let t = t as f64;
            for (series, &p) in o.position.iter_mut().zip(&e.position) {
                series.set_from(t, p);
            }
            if let Some(f) = e.volume_scale {
                o.volume.scale_from(t, f);
            }
            if let Some(f) = e.credibility_scale {
                o.credibility.scale_from(t, f);
            }
        }
        Some(media)
    }

    /// The groups' anchoring and the events' shocks to agents.
    pub fn schedule(&self) -> Schedule {
        let shocks = self
            .events
            .iter()
            .filter(|e| !e.shift.is_empty() || e.anchor.is_some())
            .filter_map(|e| {
                Some(Shock {
                    sweep: self.event_sweep(e)?,
                    groups: self
                        .groups
                        .iter()
                        .map(|g| e.groups.is_empty() || e.groups.contains(&g.id))
                        .collect(),
                    shift: e.shift.clone(),
                    anchor: e.anchor,
                })
            })
            .collect();
        Schedule {
            anchor: self.groups.iter().map(|g| g.anchor).collect(),
            shocks,
        }
    }

    /// Every evidence id the population cites, in file order (repeats kept).
    pub fn evidence_ids(&self) -> Vec<&str> {
        let groups = self.groups.iter().flat_map(|g| &g.evidence);
        let polls = self.polls.iter().flat_map(|q| &q.evidence);
        let variants = self.variants.iter().flat_map(|v| &v.evidence);
        let bindings = self.bindings.iter().flat_map(|b| &b.evidence);
        let events = self.events.iter().flat_map(|e| &e.evidence);
        let checks = self.group_checks.iter().flat_map(|c| &c.evidence);
        let costs = self.audience_costs.iter().flat_map(|a| &a.evidence);
        let outlets = self
            .media
            .iter()
            .flat_map(|m| &m.outlets)
            .flat_map(|o| &o.evidence);
        groups
            .chain(outlets)
            .chain(polls)
            .chain(variants)
            .chain(bindings)
            .chain(events)
            .chain(checks)
            .chain(costs)
            .map(String::as_str)
            .collect()
    }

    /// The variant of this name.
    pub fn variant(&self, name: &str) -> Option<&PopulationVariant> {
        self.variants.iter().find(|v| v.name == name)
    }

    /// The spec with the variant named `name` applied (and no variants left to apply).
    pub fn with_variant(&self, name: &str) -> Result<PopulationSpec, OpinionError> {
        let v = self.variant(name).ok_or_else(|| OpinionError::Variant {
            name: name.to_string(),
            message: if self.variants.is_empty() {
                "the population declares no [[population.variants]]".into()
            } else {
                format!(
                    "unknown; variants: {}",
                    self.variants
                        .iter()
                        .map(|v| v.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            },
        })?;
        // The result is one what-if: it declares no variants of its own (they could name
        // events it no longer has).
        let mut out = self.clone();
        out.variants.clear();
        out.events.retain(|e| !v.drop_events.contains(&e.id));
        if let Some(f) = v.audience_cost_scale {
            out.audience_cost_scale *= f;
        }
        for c in &v.changes {
            let outlet = out
                .media
                .as_mut()
                .and_then(|m| m.outlets.iter_mut().find(|o| o.name == c.outlet))
                .ok_or_else(|| OpinionError::Variant {
                    name: name.to_string(),
                    message: format!("unknown outlet `{}`", c.outlet),
                })?;
            if let Some(vol) = &c.volume {
                outlet.volume = vol.clone();
            }
            if let Some(f) = c.volume_scale {
                for p in &mut outlet.volume.points {
                    p.1 *= f;
                }
            }
        }
        Ok(out)
    }

    /// The spec with calibrated values applied (`names[k] = values[k]`).
    pub fn with(&self, names: &[String], values: &[f64]) -> Result<PopulationSpec, OpinionError> {
        let mut s = self.clone();
        for (name, &v) in names.iter().zip(values) {
            match name.as_str() {
                "media_strength" => {
                    if let Some(m) = &mut s.media {
                        match &mut m.form {
                            MediaForm::Exposure { mu, .. } => *mu = (*mu * v).clamp(0.0, 1.0),
                            MediaForm::Field { alpha, .. } => {
                                alpha.iter_mut().for_each(|a| *a *= v)
                            }
                            MediaForm::Linear { beta, .. } => *beta = (*beta * v).clamp(0.0, 1.0),
                        }
                    }
                }
                "start_shift" => {
                    for g in &mut s.groups {
                        g.start
                            .iter_mut()
                            .for_each(|x| *x = (*x + v).clamp(0.0, 1.0));
                    }
                }
                "peer_eps" => match &mut s.peer {
                    Peer::Deffuant { eps, .. } | Peer::HegselmannKrause { eps } => *eps = v,
                    _ => {
                        return Err(OpinionError::Knob {
                            name: name.clone(),
                            message: "it needs the Deffuant or Hegselmann-Krause model".into(),
                        });
                    }
                },
                "answer_sigma" => s.polls.iter_mut().for_each(|p| p.question.sigma = v),
                "event_scale" => {
                    for e in &mut s.events {
                        e.shift
                            .iter_mut()
                            .for_each(|d| *d = (*d * v).clamp(-1.0, 1.0));
                    }
                }
                "anchor_scale" => {
                    let scale = |a: f64| (a * v).clamp(0.0, 0.99);
                    for g in &mut s.groups {
                        g.anchor = scale(g.anchor);
                    }
                    for e in &mut s.events {
                        e.anchor = e.anchor.map(scale);
                    }
                }
                other => {
                    return Err(OpinionError::Knob {
                        name: other.to_string(),
                        message: format!("unknown; known: {}", KNOBS.join(", ")),
                    });
                }
            }
        }
        Ok(s)
    }

    /// Agents (allocated to groups by census share, largest remainders) and the graph.
    pub fn build(&self, agents: usize, seed: u64) -> Result<(Population, Graph), OpinionError> {
        self.check()?;
        if agents < self.groups.len() {
            return Err(OpinionError::Spec {
                problems: vec![format!(
                    "{agents} agents cannot fill {} groups; give at least one agent per group",
                    self.groups.len()
                )],
            });
        }
        let gs = self.groups.len();
        let total: f64 = self.groups.iter().map(|g| g.census).sum();
        let exact: Vec<f64> = self
            .groups
            .iter()
            .map(|g| g.census / total * agents as f64)
            .collect();
        let mut sizes: Vec<usize> = exact.iter().map(|e| e.floor() as usize).collect();
        let mut order: Vec<usize> = (0..gs).collect();
        order.sort_by(|&a, &b| {
            (exact[b] - exact[b].floor()).total_cmp(&(exact[a] - exact[a].floor()))
        });
        let mut k = 0;
        while sizes.iter().sum::<usize>() < agents {
            sizes[order[k % gs]] += 1;
            k += 1;
        }
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut groups = Vec::with_capacity(agents);
        let mut opinion = vec![Vec::with_capacity(agents); self.items.len()];
        let mut zealot = Vec::with_capacity(agents);
        for (g, grp) in self.groups.iter().enumerate() {
            let zealots = (grp.zealots * sizes[g] as f64).round() as usize;
            for a in 0..sizes[g] {
                groups.push(g as u16);
                zealot.push(a < zealots);
                for (item, col) in opinion.iter_mut().enumerate() {
                    let v = if grp.start_sd > 0.0 {
                        Normal::new(grp.start[item], grp.start_sd)
                            .map_err(|e| OpinionError::Network(e.to_string()))?
                            .sample(&mut rng)
                    } else {
                        grp.start[item]
                    };
                    col.push(v.clamp(0.0, 1.0));
                }
            }
        }
        let graph = match &self.network {
            Network::None => Graph::empty(agents),
            Network::Sbm {
                mean_degree,
                homophily,
            } => {
                let p = Graph::homophily_matrix(&sizes, *mean_degree, *homophily);
                Graph::stochastic_block(&sizes, &p, &mut rng)
                    .map_err(|e| OpinionError::Network(e.to_string()))?
            }
            Network::ErdosRenyi { mean_degree } => {
                Graph::erdos_renyi(agents, *mean_degree, &mut rng)
                    .map_err(|e| OpinionError::Network(e.to_string()))?
            }
            Network::BarabasiAlbert { m } => Graph::barabasi_albert(agents, *m, &mut rng)
                .map_err(|e| OpinionError::Network(e.to_string()))?,
            Network::WattsStrogatz { k, beta } => {
                Graph::watts_strogatz(agents, *k, *beta, &mut rng)
                    .map_err(|e| OpinionError::Network(e.to_string()))?
            }
            Network::EdgeList { path, edges } => Graph::from_edges(agents, edges).map_err(|e| {
                OpinionError::Network(format!(
                    "edge list {path}: {e} (run with as many agents as the list names)"
                ))
            })?,
        };
        let pop = Population {
            groups,
            group_count: gs,
            innate: opinion.clone(),
            opinion,
            zealot,
        };
        Ok((pop, graph))
    }

    /// Builds, simulates `sweeps` sweeps with `seed`, and answers every poll at its sweep.
    pub fn run(&self, agents: usize, sweeps: usize, seed: u64) -> Result<Answers, OpinionError> {
        self.run_with(agents, sweeps, seed, &mut |_| {})
    }

    /// [`PopulationSpec::run`], calling `progress` with the sweep count after every sweep.
    pub fn run_with(
        &self,
        agents: usize,
        sweeps: usize,
        seed: u64,
        progress: &mut dyn FnMut(usize),
    ) -> Result<Answers, OpinionError> {
        let (mut pop, graph) = self.build(agents, seed)?;
        let census: Vec<f64> = self.groups.iter().map(|g| g.census).collect();
        let model = OpinionModel {
            peer: self.peer.clone(),
            media: self.media_with_events(),
        };
        let schedule = self.schedule();
        let mut toplines = vec![Vec::new(); self.polls.len()];
        let trace = simulate_scheduled(
            &model,
            &schedule,
            &mut pop,
            &graph,
            sweeps,
            seed,
            &mut |t, p| {
                progress(t);
                for (k, poll) in self.polls.iter().enumerate() {
                    if poll.sweep == t {
                        let q = &poll.question;
                        toplines[k] = q.toplines(&p.opinion[q.item], &p.groups, &census);
                    }
                }
            },
        )?;
        Ok(Answers {
            toplines,
            means: trace.means,
        })
    }

    /// Binomial negative log-likelihood of the published figures of every poll except
    /// `hold_out` (polls after the simulated horizon count as missing, not as errors).
    pub fn loss(&self, answers: &Answers, hold_out: Option<usize>) -> f64 {
        let mut l = 0.0;
        for (k, poll) in self.polls.iter().enumerate() {
            if Some(k) == hold_out || answers.toplines[k].is_empty() {
                continue;
            }
            for o in &poll.observed {
                l += binomial_nll(o, answers.toplines[k][o.answer]);
            }
        }
        l
    }
}
