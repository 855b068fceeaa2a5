//! The domestic level of `specs/opinion.md`: a population of agents in groups, with opinions
//! on one or more items in `[0, 1]`, moved by their neighbours on a social graph ([`graph`],
//! [`dynamics`]) and by media outlets ([`media`]), observed as poll toplines ([`poll`]).
//!
//! Agents are stored as columns (group, zealot flag, and one column per item for the
//! opinion and the innate opinion): 2 + 1 + 16 bytes per agent and item, and 4 bytes per
//! directed edge in the graph.
//!
//! Every stochastic step takes the generator it uses; [`simulate`] draws from a ChaCha8
//! stream per sweep derived from one seed, so a run repeats exactly for a seed.
//!
//! ```
//! use multivector_models::opinion::{Population, OpinionModel, simulate, dynamics::Peer, graph::Graph};
//!
//! let graph = Graph::complete(50);
//! let mut pop = Population::uniform_groups(vec![0; 50], 1, &[(0..50).map(|i| i as f64 / 49.0).collect()]);
//! let model = OpinionModel { peer: Peer::HegselmannKrause { eps: 0.5 }, media: None };
//! let trace = simulate(&model, &mut pop, &graph, 20, 7).unwrap();
//! let x = &pop.opinion[0];
//! assert!(x.iter().all(|v| (v - x[0]).abs() < 1e-9), "consensus");
//! assert_eq!(trace.means.len(), 21);
//! ```

pub mod dynamics;
pub mod graph;
pub mod media;
pub mod poll;
pub mod spec;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use dynamics::{Context, Peer};
use graph::Graph;
use media::{Media, MediaForm};

/// Agents as columns.
#[derive(Debug, Clone, PartialEq)]
pub struct Population {
    /// Group index of every agent.
    pub groups: Vec<u16>,
    /// Number of groups.
    pub group_count: usize,
    /// `opinion[item][agent]`.
    pub opinion: Vec<Vec<f64>>,
    /// `innate[item][agent]`: the anchor of Friedkin-Johnsen and of the linear media form.
    pub innate: Vec<Vec<f64>>,
    pub zealot: Vec<bool>,
}

impl Population {
    /// Agents with these groups and starting opinions (also their innate opinions), no zealots.
    pub fn uniform_groups(groups: Vec<u16>, group_count: usize, opinion: &[Vec<f64>]) -> Self {
        let n = groups.len();
        Population {
            groups,
            group_count,
            opinion: opinion.to_vec(),
            innate: opinion.to_vec(),
            zealot: vec![false; n],
        }
    }

    /// Number of agents.
    pub fn len(&self) -> usize {
        self.groups.len()
    }

    /// Whether there are no agents.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// Mean opinion of every group on `item` (NaN for an empty group).
    pub fn group_means(&self, item: usize) -> Vec<f64> {
        let mut sum = vec![0.0; self.group_count];
        let mut count = vec![0usize; self.group_count];
        // Agents of a group usually sit side by side: each run of one group is summed in a
        // register, continuing that group's sum, so every group still adds its agents one
        // by one in agent order (the same bits) without a store and a load per agent.
        let (groups, x) = (&self.groups, &self.opinion[item]);
        let mut i = 0;
        while i < groups.len() {
            let g = groups[i];
            let (mut acc, start) = (sum[g as usize], i);
            while i < groups.len() && groups[i] == g {
                acc += x[i];
                i += 1;
            }
            sum[g as usize] = acc;
            count[g as usize] += i - start;
        }
        sum.iter()
            .zip(&count)
            .map(|(s, &c)| if c > 0 { s / c as f64 } else { f64::NAN })
            .collect()
    }
}

/// Peer influence and media, applied in that order every sweep.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OpinionModel {
    pub peer: Peer,
    pub media: Option<Media>,
}

/// Group means of every item after every sweep (`means[t][item][group]`, `t = 0` the start).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trace {
    pub means: Vec<Vec<Vec<f64>>>,
    pub seed: u64,
}

/// Why the domestic level could not run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum OpinionError {
    /// A population scenario's problems, every one (each names its record and field).
    #[error("{}", .problems.join("; "))]
    Spec {
        /// The problems, in file order as far as it can be told.
        problems: Vec<String>,
    },
    /// A peer model's parameters are out of range.
    #[error("peer model: {0}")]
    Peer(String),
    /// Model, population and graph do not fit together.
    #[error("{0}")]
    Mismatch(String),
    /// The social graph cannot be made.
    #[error("network: {0}")]
    Network(String),
    /// A population variant is unknown or names an unknown outlet.
    #[error("population variant `{name}`: {message}")]
    Variant {
        /// The variant.
        name: String,
        /// What is wrong.
        message: String,
    },
    /// A calibration parameter is unknown or does not apply.
    #[error("calibration parameter `{name}`: {message}")]
    Knob {
        /// The parameter.
        name: String,
        /// Why it cannot be set.
        message: String,
    },
}

/// Runs `sweeps` sweeps (sweep `t` happens at time `t`, from 0) and records group means.
/// Sweep `t` draws from ChaCha8 seeded with `seed` on stream `t`.
pub fn simulate(
    model: &OpinionModel,
    pop: &mut Population,
    graph: &Graph,
    sweeps: usize,
    seed: u64,
) -> Result<Trace, OpinionError> {
    simulate_with(model, pop, graph, sweeps, seed, &mut |_, _| {})
}

/// A dated shock to agents: at the start of sweep `sweep` (so the state after `sweep`
/// sweeps, the last one dated before the event, is untouched), every agent of a group in
/// `groups` that is not a zealot has `shift[item]` added to its opinion and to its innate
/// opinion on every item (cut to [0, 1]): news that changes what people hold, not only what
/// they say this week. `anchor`, when given, becomes the groups' anchoring from then on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Shock {
    /// The sweep at whose start it happens.
    pub sweep: usize,
    /// Whether each group is hit.
    pub groups: Vec<bool>,
    /// The jump on each item (empty: none).
    pub shift: Vec<f64>,
    /// The groups' new anchoring, if it changes.
    pub anchor: Option<f64>,
}

/// What happens besides the model's dynamics: anchoring (Friedkin-Johnsen stubbornness on top
/// of any peer model: after each sweep every agent moves back a share `anchor[g]` of the way
/// to its innate opinion, so groups keep their differences unless influence outweighs it) and
/// dated shocks, sorted by sweep.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Schedule {
    /// Anchoring of each group at the start (empty: none).
    pub anchor: Vec<f64>,
    /// Shocks, sorted by sweep.
    pub shocks: Vec<Shock>,
}

/// [`simulate`], handing the population to `observe` at every time `t = 0..=sweeps` (after
/// `t` sweeps).
pub fn simulate_with(
    model: &OpinionModel,
    pop: &mut Population,
    graph: &Graph,
    sweeps: usize,
    seed: u64,
    observe: &mut dyn FnMut(usize, &Population),
) -> Result<Trace, OpinionError> {
    simulate_scheduled(
        model,
        &Schedule::default(),
        pop,
        graph,
        sweeps,
        seed,
        observe,
    )
}

/// [`simulate_with`] under a [`Schedule`] of anchoring and shocks.
pub fn simulate_scheduled(
    model: &OpinionModel,
    schedule: &Schedule,
    pop: &mut Population,
    graph: &Graph,
    sweeps: usize,
    seed: u64,
    observe: &mut dyn FnMut(usize, &Population),
) -> Result<Trace, OpinionError> {
    check(model, pop, graph)?;
    check_schedule(schedule, pop)?;
    let mut anchor = if schedule.anchor.is_empty() {
        vec![0.0; pop.group_count]
    } else {
        schedule.anchor.clone()
    };
    let mut next_shock = 0;
    observe(0, pop);
    let items = pop.opinion.len();
    let mut means = Vec::with_capacity(sweeps + 1);
    means.push((0..items).map(|k| pop.group_means(k)).collect());
    let mut buffer = Vec::with_capacity(pop.len());
    let linear = matches!(
        model.media.as_ref().map(|m| &m.form),
        Some(MediaForm::Linear { .. })
    );
    for t in 0..sweeps {
        while let Some(sh) = schedule.shocks.get(next_shock).filter(|s| s.sweep <= t) {
            apply_shock(sh, pop, &mut anchor);
            next_shock += 1;
        }
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(t as u64);
        for item in 0..items {
            let ctx = Context {
                graph,
                groups: &pop.groups,
                zealot: &pop.zealot,
                innate: &pop.innate[item],
            };
            let x = &mut pop.opinion[item];
            if !linear {
                dynamics::sweep(&model.peer, ctx, x, &mut buffer, &mut rng);
            }
            if let Some(m) = &model.media {
                m.apply(ctx, pop.group_count, item, t as f64, x, &mut rng);
            }
            if anchor.iter().any(|&a| a > 0.0) {
                for ((xi, &u), (&g, &z)) in x
                    .iter_mut()
                    .zip(&pop.innate[item])
                    .zip(pop.groups.iter().zip(&pop.zealot))
                {
                    if !z {
                        *xi += anchor[g as usize] * (u - *xi);
                    }
                }
            }
        }
        means.push((0..items).map(|k| pop.group_means(k)).collect());
        observe(t + 1, pop);
    }
    Ok(Trace { means, seed })
}

/// Applies one shock to the population and the anchoring.
fn apply_shock(sh: &Shock, pop: &mut Population, anchor: &mut [f64]) {
    for (item, &d) in sh.shift.iter().enumerate() {
        if d == 0.0 {
            continue;
        }
        let (x, u) = (&mut pop.opinion[item], &mut pop.innate[item]);
        for i in 0..x.len() {
            if sh.groups[pop.groups[i] as usize] && !pop.zealot[i] {
                x[i] = (x[i] + d).clamp(0.0, 1.0);
                u[i] = (u[i] + d).clamp(0.0, 1.0);
            }
        }
    }
    if let Some(a) = sh.anchor {
        for (g, hit) in sh.groups.iter().enumerate() {
            if *hit {
                anchor[g] = a;
            }
        }
    }
}

/// Checks that a schedule fits the population: one anchoring per group in [0, 1), shocks
/// sorted by sweep, one group flag per group, one finite shift per item.
pub fn check_schedule(schedule: &Schedule, pop: &Population) -> Result<(), OpinionError> {
    let bad = |m: String| Err(OpinionError::Mismatch(m));
    let share = |a: f64| (0.0..1.0).contains(&a);
    if !schedule.anchor.is_empty() && schedule.anchor.len() != pop.group_count {
        return bad(format!(
            "the schedule anchors {} groups, the population has {}",
            schedule.anchor.len(),
            pop.group_count
        ));
    }
    if !schedule.anchor.iter().all(|&a| share(a)) {
        return bad("anchoring lies in [0, 1)".into());
    }
    if schedule.shocks.windows(2).any(|w| w[0].sweep > w[1].sweep) {
        return bad("shocks must be sorted by sweep".into());
    }
    for sh in &schedule.shocks {
        if sh.groups.len() != pop.group_count
            || (!sh.shift.is_empty() && sh.shift.len() != pop.opinion.len())
            || sh.shift.iter().any(|d| !d.is_finite())
            || sh.anchor.is_some_and(|a| !share(a))
        {
            return bad(format!(
                "the shock at sweep {} needs a flag per group, a finite shift per item and anchoring in [0, 1)",
                sh.sweep
            ));
        }
    }
    Ok(())
}

/// Checks that model, population and graph fit together.
pub fn check(model: &OpinionModel, pop: &Population, graph: &Graph) -> Result<(), OpinionError> {
    let n = pop.len();
    if graph.len() != n {
        return Err(OpinionError::Mismatch(format!(
            "the graph has {} agents, the population {n}",
            graph.len()
        )));
    }
    if pop.zealot.len() != n
        || pop.opinion.iter().chain(&pop.innate).any(|c| c.len() != n)
        || pop.innate.len() != pop.opinion.len()
    {
        return Err(OpinionError::Mismatch(
            "population columns differ in length".into(),
        ));
    }
    if pop.opinion.is_empty() {
        return Err(OpinionError::Mismatch(
            "the population holds no opinion item".into(),
        ));
    }
    if let Some(&g) = pop.groups.iter().find(|&&g| g as usize >= pop.group_count) {
        return Err(OpinionError::Mismatch(format!(
            "an agent is in group {g}, but there are {} groups",
            pop.group_count
        )));
    }
    for col in pop.opinion.iter().chain(&pop.innate) {
        if let Some(v) = col
            .iter()
            .find(|v| !(v.is_finite() && (0.0..=1.0).contains(*v)))
        {
            return Err(OpinionError::Mismatch(format!(
                "an opinion is {v}; opinions lie in [0, 1]"
            )));
        }
    }
    model.peer.check(pop.group_count)?;
    if let Some(m) = &model.media {
        let k = m.outlets.len();
        if m.audience.len() != pop.group_count * k {
            return Err(OpinionError::Mismatch(format!(
                "the audience matrix needs {} groups x {k} outlets",
                pop.group_count
            )));
        }
        if m.audience.iter().any(|a| !(a.is_finite() && *a >= 0.0)) {
            return Err(OpinionError::Mismatch(
                "audience shares must be numbers >= 0".into(),
            ));
        }
        for o in &m.outlets {
            if o.position.len() != pop.opinion.len() {
                return Err(OpinionError::Mismatch(format!(
                    "outlet `{}` has positions on {} items, the population {}",
                    o.name,
                    o.position.len(),
                    pop.opinion.len()
                )));
            }
        }
        match &m.form {
            MediaForm::Field { alpha, .. } if alpha.len() != pop.group_count => {
                return Err(OpinionError::Mismatch(
                    "the field form needs one alpha per group".into(),
                ));
            }
            MediaForm::Linear {
                beta,
                susceptibility,
            } => {
                if susceptibility.len() != pop.group_count {
                    return Err(OpinionError::Mismatch(
                        "the linear form needs one susceptibility per group".into(),
                    ));
                }
                if !(0.0..=1.0).contains(beta)
                    || susceptibility.iter().any(|l| !(0.0..1.0).contains(l))
                {
                    return Err(OpinionError::Mismatch(
                        "the linear form needs beta in [0, 1] and susceptibilities in [0, 1)"
                            .into(),
                    ));
                }
            }
            _ => {}
        }
    }
    Ok(())
}
