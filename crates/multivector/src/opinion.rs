//! The domestic level on its own: a population scenario simulated, every group's mean opinion
//! after every sweep with its calendar date, and each poll answered beside the published
//! figures. Typed as [`OpinionReport`]; what `multivector opinion --format json` prints.

use indexmap::IndexMap;
use multivector_models::opinion::dynamics::Peer;
use multivector_models::opinion::poll::Observed;
use multivector_models::opinion::spec::{PopulationSpec, size_problems};
use serde::{Deserialize, Serialize};

use crate::run::RunError;
use crate::two_level::{date_of, national};

/// How large a simulation, and its seed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct OpinionSettings {
    /// Agents simulated.
    pub agents: usize,
    /// Sweeps (steps of calendar time).
    pub sweeps: usize,
    /// Seed of the population, the graph and the dynamics.
    pub seed: u64,
}

impl OpinionSettings {
    /// The population file's own sizes with the default seed.
    pub fn of(spec: &PopulationSpec) -> Self {
        Self {
            agents: spec.agents,
            sweeps: spec.sweeps,
            seed: multivector_ensemble::DEFAULT_SEED,
        }
    }
}

/// A simulated population.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpinionReport {
    /// The population scenario's id.
    pub population: String,
    /// Its opinion items.
    pub items: Vec<String>,
    /// Agents simulated.
    pub agents: usize,
    /// Sweeps simulated.
    pub sweeps: usize,
    /// The seed.
    pub seed: u64,
    /// The peer model and its parameters.
    pub peer: Peer,
    /// The multivector version.
    pub version: String,
    /// One point per sweep, from sweep 0.
    pub series: Vec<OpinionPoint>,
    /// Every poll, published beside simulated.
    pub polls: Vec<PollResult>,
}

/// The population after one sweep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpinionPoint {
    /// The sweep.
    pub sweep: usize,
    /// Its calendar date, `YYYY-MM-DD`.
    pub date: String,
    /// Each group's mean opinion on each item.
    pub groups: IndexMap<String, Vec<f64>>,
    /// The census-weighted mean on each item.
    pub national: Vec<f64>,
}

/// A poll: the published figures and the simulated answer shares.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PollResult {
    /// The poll's id.
    pub id: String,
    /// Its date as the source gives it.
    pub date: String,
    /// The sweep it observes.
    pub sweep: usize,
    /// The published figures.
    pub observed: Vec<Observed>,
    /// The simulated share of each answer (last: don't know).
    pub simulated: Vec<f64>,
}

/// Simulates `spec` under `settings`; `progress` sees each sweep finish. Sizes are checked
/// before anything is allocated.
pub fn opinion(
    spec: &PopulationSpec,
    settings: &OpinionSettings,
    progress: &mut dyn FnMut(usize),
) -> Result<OpinionReport, RunError> {
    let (agents, sweeps, seed) = (settings.agents, settings.sweeps, settings.seed);
    if let Some(p) = size_problems(agents, sweeps, spec.groups.len())
        .into_iter()
        .next()
    {
        return Err(RunError::Settings {
            field: "agents",
            message: p,
        });
    }
    let answers =
        spec.run_with(agents, sweeps, seed, progress)
            .map_err(|e| RunError::Settings {
                field: "population",
                message: format!("population `{}`: {e}", spec.id),
            })?;
    let nat: Vec<Vec<f64>> = (0..spec.items.len())
        .map(|k| national(spec, &answers, k))
        .collect();
    let mut series = Vec::with_capacity(answers.means.len());
    for (t, m) in answers.means.iter().enumerate() {
        series.push(OpinionPoint {
            sweep: t,
            date: date_of(spec, t)?,
            groups: spec
                .groups
                .iter()
                .enumerate()
                .map(|(g, grp)| (grp.id.clone(), m.iter().map(|item| item[g]).collect()))
                .collect(),
            national: nat.iter().map(|n| n[t]).collect(),
        });
    }
    let polls = spec
        .polls
        .iter()
        .zip(&answers.toplines)
        .map(|(p, top)| PollResult {
            id: p.id.clone(),
            date: p.date.clone(),
            sweep: p.sweep,
            observed: p.observed.clone(),
            simulated: top.clone(),
        })
        .collect();
    Ok(OpinionReport {
        population: spec.id.clone(),
        items: spec.items.clone(),
        agents,
        sweeps,
        seed,
        peer: spec.peer.clone(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        series,
        polls,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn national_means_are_the_census_weighted_group_means() {
        let spec = multivector_scenario::population::builtin("kazakhstan")
            .and_then(Result::ok)
            .unwrap_or_else(|| panic!("the built-in population loads"));
        let settings = OpinionSettings {
            agents: 400,
            sweeps: 5,
            seed: 3,
        };
        let r = opinion(&spec, &settings, &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.series.len(), 6);
        let total: f64 = spec.groups.iter().map(|g| g.census).sum();
        for p in &r.series {
            let want: f64 = spec
                .groups
                .iter()
                .map(|g| p.groups[&g.id][0] * g.census / total)
                .sum();
            assert!((p.national[0] - want).abs() < 1e-12);
        }
        assert_eq!(r.series[1].date, "2022-03-03");
        // The same settings give the same report; a size beyond the limits is refused.
        assert_eq!(opinion(&spec, &settings, &mut |_| {}).ok(), Some(r));
        let huge = OpinionSettings {
            agents: 100_000_000_000,
            ..settings
        };
        assert!(matches!(
            opinion(&spec, &huge, &mut |_| {}),
            Err(RunError::Settings { .. })
        ));
    }
}
