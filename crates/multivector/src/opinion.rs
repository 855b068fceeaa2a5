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
    /// Every published group ordering within the run, against the simulation.
    #[serde(default)]
    pub group_checks: Vec<GroupCheckResult>,
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
        group_checks: group_checks(spec, &answers.means)?,
    })
}

/// How a calibration searches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibrateSettings {
    /// Agents per simulation.
    pub agents: usize,
    /// Latin-hypercube points (Nelder-Mead adds about a third of that, at most 100).
    pub budget: usize,
    /// Seed of the search and of every simulation (common random numbers).
    pub seed: u64,
    /// The poll held out of the fit and scored against it (default: the last).
    pub hold_out: Option<String>,
    /// How the posterior is sampled after the search (None: no posterior).
    pub posterior: Option<multivector_ensemble::calibrate::McmcSettings>,
}

impl CalibrateSettings {
    /// The default posterior sampler: 4 chains of 700 steps, 200 of burn-in.
    pub fn default_posterior(seed: u64) -> multivector_ensemble::calibrate::McmcSettings {
        multivector_ensemble::calibrate::McmcSettings {
            seed,
            ..Default::default()
        }
    }
}

/// A calibration: the fitted parameters with their intervals, and every poll against the
/// fitted model. Saved by `calibrate --out` and reused by `opinion --params`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibrationReport {
    /// The population scenario's id.
    pub population: String,
    /// Agents per simulation.
    pub agents: usize,
    /// The seed.
    pub seed: u64,
    /// The multivector version.
    pub version: String,
    /// The parameters and their ranges.
    pub params: Vec<multivector_ensemble::calibrate::Param>,
    /// The best value of each parameter.
    pub best: Vec<f64>,
    /// The loss at the best values (binomial negative log-likelihood of the fitted waves).
    pub loss: f64,
    /// Approximate 95% interval of each parameter.
    pub intervals: Vec<(f64, f64)>,
    /// Simulations run.
    pub evaluations: usize,
    /// The search budget.
    pub budget: multivector_ensemble::calibrate::Budget,
    /// The poll held out.
    pub hold_out: String,
    /// Every poll against the fitted model.
    pub polls: Vec<FittedPoll>,
    /// The posterior of the parameters, when sampled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posterior: Option<PosteriorSummary>,
    /// Every published group ordering against the fitted model.
    #[serde(default)]
    pub group_checks: Vec<GroupCheckResult>,
}

/// The posterior of a calibration: random-walk Metropolis on the binomial likelihood of the
/// fitted waves with a flat prior on the declared ranges.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PosteriorSummary {
    /// Posterior median of each parameter.
    pub median: Vec<f64>,
    /// Central 90% interval of each parameter.
    pub interval90: Vec<(f64, f64)>,
    /// Gelman-Rubin R-hat of each parameter (above 1.1: the chains disagree; sample longer).
    pub rhat: Vec<f64>,
    /// Share of proposals accepted.
    pub acceptance: f64,
    /// Draws kept.
    pub draws: usize,
    /// The sampler's settings.
    pub settings: multivector_ensemble::calibrate::McmcSettings,
    /// [`POSTERIOR_SAMPLE`] draws spread evenly over the kept ones (parameter vectors in
    /// the order of `params`): what a two-level run simulates to draw its band over time.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sample: Vec<Vec<f64>>,
}

/// Posterior draws kept with a calibration for the two-level run's band over time: forty
/// put the 10% and 90% quantiles between the 4th and 5th and the 36th and 37th draws.
pub const POSTERIOR_SAMPLE: usize = 40;

/// A published group ordering (group `higher` above group `lower` on an item at a sweep)
/// against a simulation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupCheckResult {
    /// The check's id.
    pub id: String,
    /// The item.
    pub item: String,
    /// The calendar date of its sweep.
    pub date: String,
    /// The group that should be higher, and its simulated mean.
    pub higher: (String, f64),
    /// The group that should be lower, and its simulated mean.
    pub lower: (String, f64),
    /// Whether the simulation shows the ordering.
    pub holds: bool,
}

/// Every group check of `spec` against simulated group means (`means[t][item][group]`).
pub fn group_checks(
    spec: &PopulationSpec,
    means: &[Vec<Vec<f64>>],
) -> Result<Vec<GroupCheckResult>, RunError> {
    let mut out = Vec::new();
    for c in &spec.group_checks {
        let g = |id: &str| spec.groups.iter().position(|x| x.id == id);
        let (Some(h), Some(l), Some(at)) = (g(&c.higher), g(&c.lower), means.get(c.sweep)) else {
            continue;
        };
        let (mh, ml) = (at[c.item][h], at[c.item][l]);
        out.push(GroupCheckResult {
            id: c.id.clone(),
            item: spec.items[c.item].clone(),
            date: date_of(spec, c.sweep)?,
            higher: (c.higher.clone(), mh),
            lower: (c.lower.clone(), ml),
            holds: mh > ml,
        });
    }
    Ok(out)
}

/// One poll against the fitted model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedPoll {
    /// The poll's id.
    pub id: String,
    /// Its date as the source gives it.
    pub date: String,
    /// Whether it was held out of the fit.
    pub held_out: bool,
    /// The published figures.
    pub observed: Vec<Observed>,
    /// The simulated share of each answer.
    pub simulated: Vec<f64>,
    /// Simulated minus published, in percentage points, per published figure.
    pub errors_points: Vec<f64>,
    /// The 90% posterior predictive band of each published figure (a share), when the
    /// posterior was sampled.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bands: Vec<(f64, f64)>,
    /// Whether each published figure lies inside its band.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inside: Vec<bool>,
}

/// Fits the population's declared parameters (`[[population.calibrate]]`) to its polls but
/// one (held out): a Latin hypercube then Nelder-Mead on the binomial loss, every simulation
/// on the same seed. `progress` sees the number of parameter sets tried.
pub fn calibrate(
    spec: &PopulationSpec,
    settings: &CalibrateSettings,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<CalibrationReport, RunError> {
    use multivector_ensemble::calibrate::{Budget, Param, calibrate as search};
    let bad = |field: &'static str, message: String| RunError::Settings { field, message };
    if spec.calibrate.is_empty() {
        return Err(bad(
            "calibrate",
            format!("population `{}` declares nothing to calibrate", spec.id),
        ));
    }
    if spec.polls.len() < 2 {
        return Err(bad(
            "polls",
            "calibration needs at least two poll waves (one is held out)".into(),
        ));
    }
    let hold = match &settings.hold_out {
        Some(id) => spec.polls.iter().position(|p| p.id == *id).ok_or_else(|| {
            bad(
                "hold_out",
                format!(
                    "no poll `{id}`; polls: {}",
                    spec.polls
                        .iter()
                        .map(|p| p.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })?,
        None => spec.polls.len() - 1,
    };
    let sweeps = spec
        .polls
        .iter()
        .map(|p| p.sweep)
        .chain(spec.group_checks.iter().map(|c| c.sweep))
        .max()
        .unwrap_or(0);
    if let Some(p) = size_problems(settings.agents, sweeps, spec.groups.len())
        .into_iter()
        .next()
    {
        return Err(bad("agents", p));
    }
    let (agents, seed) = (settings.agents, settings.seed);
    let names: Vec<String> = spec.calibrate.iter().map(|k| k.name.clone()).collect();
    let params: Vec<Param> = spec
        .calibrate
        .iter()
        .map(|k| Param {
            name: k.name.clone(),
            low: k.low,
            high: k.high,
        })
        .collect();
    let budget = Budget {
        points: settings.budget,
        refine: (settings.budget / 3).min(100),
        seed,
    };
    let loss = |theta: &[f64]| -> f64 {
        match spec
            .with(&names, theta)
            .and_then(|s| s.run(agents, sweeps, seed))
        {
            Ok(ans) => spec.loss(&ans, Some(hold)),
            Err(_) => f64::INFINITY,
        }
    };
    let c =
        search(&params, budget, &loss, progress).map_err(|e| bad("calibrate", e.to_string()))?;
    let fitted = spec
        .with(&names, &c.best)
        .and_then(|s| s.run(agents, sweeps, seed))
        .map_err(|e| bad("population", e.to_string()))?;
    // The posterior: each draw keeps every published figure's simulated share, in poll and
    // figure order, for the predictive bands.
    let post = match settings.posterior {
        Some(mcmc) => {
            let eval = |theta: &[f64]| -> (f64, Vec<f64>) {
                match spec
                    .with(&names, theta)
                    .and_then(|s| s.run(agents, sweeps, seed))
                {
                    Ok(ans) => {
                        let shares = spec
                            .polls
                            .iter()
                            .zip(&ans.toplines)
                            .flat_map(|(p, top)| {
                                p.observed
                                    .iter()
                                    .map(|o| top.get(o.answer).copied().unwrap_or(f64::NAN))
                            })
                            .collect();
                        (spec.loss(&ans, Some(hold)), shares)
                    }
                    Err(_) => (f64::INFINITY, Vec::new()),
                }
            };
            let offset = c.evaluations;
            let p =
                multivector_ensemble::calibrate::posterior(&params, &c.best, mcmc, &eval, &|k| {
                    progress(offset + k)
                })
                .map_err(|e| bad("posterior", e.to_string()))?;
            Some(p)
        }
        None => None,
    };
    let mut figure = 0;
    let polls = spec
        .polls
        .iter()
        .enumerate()
        .map(|(k, p)| {
            let (bands, inside): (Vec<(f64, f64)>, Vec<bool>) = match &post {
                Some(post) => p
                    .observed
                    .iter()
                    .map(|o| {
                        let ps: Vec<f64> = post
                            .outputs
                            .iter()
                            .filter_map(|out| out.get(figure).copied())
                            .filter(|v| v.is_finite())
                            .collect();
                        figure += 1;
                        let band = multivector_ensemble::calibrate::predictive_band(
                            &ps,
                            o.n.round() as usize,
                            0.05,
                            0.95,
                        );
                        (band, (band.0..=band.1).contains(&o.share))
                    })
                    .unzip(),
                None => (Vec::new(), Vec::new()),
            };
            FittedPoll {
                id: p.id.clone(),
                date: p.date.clone(),
                held_out: k == hold,
                observed: p.observed.clone(),
                simulated: fitted.toplines[k].clone(),
                errors_points: p
                    .observed
                    .iter()
                    .map(|o| 100.0 * (fitted.toplines[k][o.answer] - o.share))
                    .collect(),
                bands,
                inside,
            }
        })
        .collect();
    let checks = group_checks(spec, &fitted.means)?;
    let posterior = post.map(|p| PosteriorSummary {
        sample: (0..POSTERIOR_SAMPLE.min(p.draws.len()))
            .map(|k| p.draws[k * p.draws.len() / POSTERIOR_SAMPLE.min(p.draws.len())].clone())
            .collect(),
        median: p.median,
        interval90: p.interval90,
        rhat: p.rhat,
        acceptance: p.acceptance,
        draws: p.draws.len(),
        settings: p.settings,
    });
    Ok(CalibrationReport {
        population: spec.id.clone(),
        agents,
        seed,
        version: env!("CARGO_PKG_VERSION").to_string(),
        params: c.params,
        best: c.best,
        loss: c.loss,
        intervals: c.intervals,
        evaluations: c.evaluations,
        budget: c.budget,
        hold_out: spec.polls[hold].id.clone(),
        polls,
        posterior,
        group_checks: checks,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_calibration_is_repeatable_and_holds_one_poll_out() {
        let spec = multivector_scenario::population::builtin("kazakhstan")
            .and_then(Result::ok)
            .unwrap_or_else(|| panic!("the built-in population loads"));
        let settings = CalibrateSettings {
            agents: 300,
            budget: 4,
            seed: 5,
            hold_out: Some("demoscope-2022-04".into()),
            posterior: None,
        };
        let a = calibrate(&spec, &settings, &|_| {}).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(a.hold_out, "demoscope-2022-04");
        assert_eq!(a.polls.iter().filter(|p| p.held_out).count(), 1);
        assert!(a.polls[0].held_out);
        for p in &a.polls {
            for (o, e) in p.observed.iter().zip(&p.errors_points) {
                assert!((e - 100.0 * (p.simulated[o.answer] - o.share)).abs() < 1e-9);
            }
        }
        assert_eq!(calibrate(&spec, &settings, &|_| {}).ok(), Some(a));
        let bad = CalibrateSettings {
            hold_out: Some("nope".into()),
            ..settings
        };
        assert!(matches!(
            calibrate(&spec, &bad, &|_| {}),
            Err(RunError::Settings {
                field: "hold_out",
                ..
            })
        ));
    }

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
