//! The two-level game: the population (the domestic level) moves the bound constituencies'
//! stances, and every model forecasts the bound issues, quarter by quarter, on one time axis;
//! optionally beside a population variant. Typed as [`TwoLevelReport`], part of a run's
//! report ([`crate::run::RunReport::two_level`]).

use indexmap::IndexMap;
use multivector_core::Scenario;
use multivector_models::opinion::spec::{Answers, PopulationSpec};
use serde::{Deserialize, Serialize};

use crate::run::{RunError, RunSettings};

/// Forecasts by issue, then by model, in report order.
pub type IssueForecasts = IndexMap<String, IndexMap<String, f64>>;

/// Sweeps between two points of the series (13 weekly sweeps: a quarter).
pub const SWEEPS_PER_POINT: usize = 13;

/// Both levels over time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TwoLevelReport {
    /// The population scenario's id.
    pub population: String,
    /// Agents simulated.
    pub agents: usize,
    /// Seed of the population run.
    pub seed: u64,
    /// Every published poll figure beside the simulated one.
    pub polls: Vec<PollPoint>,
    /// The population variant run beside the baseline, if any.
    pub variant: Option<String>,
    /// The calibrated parameters the population ran with, and where they came from.
    pub params: UsedParams,
    /// The bound issues, sorted.
    pub issues: Vec<String>,
    /// One point a quarter, and the last sweep.
    pub points: Vec<TwoLevelPoint>,
}

/// A published poll figure and the simulated one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PollPoint {
    /// The poll's id.
    pub id: String,
    /// Its date as the source gives it.
    pub date: String,
    /// The sweep it observes.
    pub sweep: usize,
    /// The answer (0-based).
    pub answer: usize,
    /// The published share.
    pub published: f64,
    /// The poll's sample size.
    #[serde(default)]
    pub n: f64,
    /// The simulated share.
    pub simulated: Option<f64>,
}

/// Both levels at one sweep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TwoLevelPoint {
    /// The sweep.
    pub sweep: usize,
    /// Its calendar date, `YYYY-MM-DD`.
    pub date: String,
    /// The census-weighted mean opinion on the first item.
    pub national: f64,
    /// Its 10%, 50% and 90% quantiles over the calibration's posterior sample (each draw's
    /// parameters simulated with the run's seed), when the parameters came with one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub national_band: Option<[f64; 3]>,
    /// The bound constituencies' stances.
    pub stances: Vec<BoundStance>,
    /// Forecasts by issue, then by model.
    pub forecasts: IssueForecasts,
    /// The same under the population variant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant_national: Option<f64>,
    /// The same under the population variant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant_stances: Option<Vec<BoundStance>>,
    /// The same under the population variant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant_forecasts: Option<IssueForecasts>,
    /// Forecasts (of the baseline) far from where the weighted actors stand at this date.
    #[serde(default)]
    pub warnings: Vec<crate::run::Warning>,
}

/// A bound constituency's stance at one sweep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoundStance {
    /// The actor.
    pub actor: String,
    /// The issue.
    pub issue: String,
    /// The mean opinion of the groups it is bound to.
    pub group_mean: f64,
    /// Its position on the issue's scale.
    pub position: f64,
    /// Its salience (0-1), when the binding moves it.
    pub salience: Option<f64>,
}

/// Calibrated parameters applied to a population, and their source.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct UsedParams {
    /// Where they came from: a file, the built-in calibration, or none (the file's values).
    pub source: String,
    /// Parameter names and values.
    pub values: Vec<(String, f64)>,
    /// Draws from the calibration's posterior (vectors in the order of `values`) that the run
    /// simulated for its band over time; empty without a posterior.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sample: Vec<Vec<f64>>,
    /// The population before the calibrated values were applied: the posterior draws apply
    /// to it, as in the calibration (its knobs are relative). Not written out.
    #[serde(skip)]
    pub base: Option<Box<PopulationSpec>>,
}

/// Equal when what is written out is equal (the base population is not).
impl PartialEq for UsedParams {
    fn eq(&self, other: &Self) -> bool {
        (&self.source, &self.values, &self.sample) == (&other.source, &other.values, &other.sample)
    }
}

/// A saved calibration as `calibrate --out` writes it (the fields a run needs).
#[derive(Deserialize)]
struct Saved {
    population: String,
    params: Vec<multivector_ensemble::calibrate::Param>,
    best: Vec<f64>,
    #[serde(default)]
    posterior: Option<SavedPosterior>,
}

/// The part of a saved posterior a run needs.
#[derive(Deserialize)]
struct SavedPosterior {
    #[serde(default)]
    sample: Vec<Vec<f64>>,
}

/// `spec` with a saved calibration applied: `saved` is `(source, JSON text)`; without it the
/// built-in calibration of a built-in population (unchanged) is used when there is one, else
/// the file's own values. The result says which.
pub fn calibrated(
    spec: &PopulationSpec,
    saved: Option<(&str, &str)>,
) -> Result<(PopulationSpec, UsedParams), RunError> {
    let bad = |message: String| RunError::Settings {
        field: "params",
        message,
    };
    let builtin = multivector_scenario::population::ALL
        .iter()
        .find_map(|(name, text)| {
            let same = multivector_scenario::population::parse("builtin", text)
                .ok()
                .is_some_and(|b| &b == spec);
            same.then(|| multivector_scenario::population::builtin_calibration(name))
                .flatten()
        });
    let (source, text) = match (saved, builtin) {
        (Some((src, text)), _) => (src.to_string(), text),
        (None, Some((file, text))) => (format!("built-in calibration ({file})"), text),
        (None, None) => {
            return Ok((
                spec.clone(),
                UsedParams {
                    source: "none: the population file's own values".into(),
                    values: Vec::new(),
                    sample: Vec::new(),
                    base: None,
                },
            ));
        }
    };
    let c: Saved = serde_json::from_str(text).map_err(|e| {
        bad(format!(
            "{source}: not a calibration file ({e}); write one with `multivector calibrate --out FILE`"
        ))
    })?;
    if c.population != spec.id {
        return Err(bad(format!(
            "{source} calibrates population `{}`, not `{}`",
            c.population, spec.id
        )));
    }
    if c.params.len() != c.best.len() || c.best.iter().any(|v| !v.is_finite()) {
        return Err(bad(format!(
            "{source}: the parameters and their values do not match"
        )));
    }
    let names: Vec<String> = c.params.iter().map(|p| p.name.clone()).collect();
    let out = spec
        .with(&names, &c.best)
        .map_err(|e| bad(format!("{source}: {e}")))?;
    let sample = c.posterior.map(|p| p.sample).unwrap_or_default();
    if sample
        .iter()
        .any(|d| d.len() != names.len() || d.iter().any(|v| !v.is_finite()))
    {
        return Err(bad(format!(
            "{source}: a posterior draw does not match the parameters"
        )));
    }
    Ok((
        out,
        UsedParams {
            source,
            values: names.into_iter().zip(c.best).collect(),
            sample,
            base: Some(Box::new(spec.clone())),
        },
    ))
}

/// Moves `actor`'s stance on `issue` in `sc` to what `to` makes of its coded (position,
/// salience) in `s`, the position cut to the issue's scale (the salience only when `to` gives
/// one), and reports it; None when the scenario lacks the actor or the issue.
fn move_stance(
    s: &Scenario,
    sc: &mut Scenario,
    actor: &str,
    issue: &str,
    mean: f64,
    to: impl FnOnce((f64, f64)) -> (f64, Option<f64>),
) -> Option<BoundStance> {
    let (ai, ii) = (sc.actor_index(actor)?, sc.issue_index(issue)?);
    let coded = s
        .stances
        .iter()
        .find(|st| st.actor == ai && st.issue == ii)
        .map_or((f64::NAN, f64::NAN), |st| (st.position, st.salience));
    let (pos, sal) = to(coded);
    let scale = &sc.issues[ii].scale;
    let pos = pos.clamp(scale.min, scale.max);
    for st in sc
        .stances
        .iter_mut()
        .filter(|st| st.actor == ai && st.issue == ii)
    {
        st.position = pos;
        if let Some(v) = sal {
            st.salience = v;
        }
    }
    Some(BoundStance {
        actor: actor.to_string(),
        issue: issue.to_string(),
        group_mean: mean,
        position: pos,
        salience: sal,
    })
}

/// Flags a forecast that jumps by more than a third of the issue's scale from one date to
/// the next while no bound stance on the issue moved by more than a twentieth of it: a model
/// that small changes of its inputs flip (the expected-utility model's jumps to formal
/// recognition are the case in point).
fn flag_jumps(s: &Scenario, points: &mut [TwoLevelPoint]) {
    for k in 1..points.len() {
        let (before, after) = points.split_at_mut(k);
        let (prev, cur) = (&before[k - 1], &mut after[0]);
        for (iss, per) in &cur.forecasts {
            let Some(ii) = s.issue_index(iss) else {
                continue;
            };
            let width = s.issues[ii].scale.width();
            let moved = cur
                .stances
                .iter()
                .filter(|st| &st.issue == iss)
                .filter_map(|st| {
                    prev.stances
                        .iter()
                        .find(|p| p.issue == st.issue && p.actor == st.actor)
                        .map(|p| (p.position - st.position).abs())
                })
                .fold(0.0, f64::max);
            for (model, v) in per {
                let Some(was) = prev.forecasts.get(iss).and_then(|f| f.get(model)) else {
                    continue;
                };
                if (v - was).abs() > width / 3.0 && moved <= width / 20.0 {
                    cur.warnings.push(crate::run::Warning {
                        issue: iss.clone(),
                        model: Some(model.clone()),
                        kind: crate::run::WarningKind::Fragile,
                        message: format!(
                            "{model} jumps from {was:.1} to {v:.1} since {} while no bound stance moved more than {moved:.1}: small changes flip it",
                            prev.date
                        ),
                    });
                }
            }
        }
    }
}

/// The calendar date of sweep `t` of `spec`: its start date plus `t` sweeps of
/// `days_per_sweep` days, rounded to the day.
pub fn date_of(spec: &PopulationSpec, t: usize) -> Result<String, RunError> {
    let start: jiff::civil::Date = spec.start_date.parse().map_err(|_| RunError::Settings {
        field: "population.start_date",
        message: format!("`{}` is not a YYYY-MM-DD date", spec.start_date),
    })?;
    let days = (t as f64 * spec.days_per_sweep).round() as i64;
    let date = start
        .checked_add(jiff::Span::new().days(days))
        .map_err(|e| RunError::Settings {
            field: "population.days_per_sweep",
            message: format!("sweep {t} falls outside the calendar: {e}"),
        })?;
    Ok(date.to_string())
}

/// The census-weighted mean of item `item` after every sweep.
pub fn national(spec: &PopulationSpec, a: &Answers, item: usize) -> Vec<f64> {
    let total: f64 = spec.groups.iter().map(|g| g.census).sum();
    a.means
        .iter()
        .map(|t| {
            t[item]
                .iter()
                .zip(&spec.groups)
                .map(|(m, g)| m * g.census / total)
                .sum()
        })
        .collect()
}

/// Runs both levels: the population `spec` (and its variant `variant`, if given) with the
/// seed of `settings`, the bound constituencies moved accordingly, every model of
/// `settings` forecasting the bound issues at each point.
pub fn run_two_level(
    s: &Scenario,
    spec: &PopulationSpec,
    params: UsedParams,
    variant: Option<&str>,
    settings: &RunSettings,
) -> Result<TwoLevelReport, RunError> {
    let bad = |message: String| RunError::Settings {
        field: "population.bindings",
        message,
    };
    if spec.bindings.is_empty() && spec.audience_costs.is_empty() {
        return Err(bad(format!(
            "population `{}` binds no constituency and no audience cost",
            spec.id
        )));
    }
    let bound = spec
        .bindings
        .iter()
        .map(|b| (&b.actor, &b.issue))
        .chain(spec.audience_costs.iter().map(|a| (&a.actor, &a.issue)));
    for (actor, issue) in bound {
        let ai = s
            .actor_index(actor)
            .ok_or_else(|| bad(format!("scenario `{}` has no actor `{actor}`", s.meta.id)))?;
        let ii = s
            .issue_index(issue)
            .ok_or_else(|| bad(format!("scenario `{}` has no issue `{issue}`", s.meta.id)))?;
        if !s.stances.iter().any(|st| st.actor == ai && st.issue == ii) {
            return Err(bad(format!(
                "`{actor}` holds no stance on `{issue}`; a binding or audience cost moves an existing stance"
            )));
        }
    }
    let seed = settings.seed;
    let run = |spec: &PopulationSpec| {
        spec.run(spec.agents, spec.sweeps, seed)
            .map_err(|e| RunError::Settings {
                field: "population",
                message: format!("population `{}`: {e}", spec.id),
            })
    };
    let base = run(spec)?;
    let var = match variant {
        Some(v) => {
            let vs = spec.with_variant(v).map_err(|e| RunError::Settings {
                field: "population_variant",
                message: e.to_string(),
            })?;
            let ans = run(&vs)?;
            Some((vs, ans))
        }
        None => None,
    };
    let mut issues: Vec<String> = spec
        .bindings
        .iter()
        .map(|b| b.issue.clone())
        .chain(spec.audience_costs.iter().map(|a| a.issue.clone()))
        .collect();
    issues.sort_unstable();
    issues.dedup();
    let models = settings.models().forecasters();
    // The variant's own spec maps its answers (a variant may scale the audience cost).
    let forecasts = |spec: &PopulationSpec,
                     ans: &Answers,
                     t: usize|
     -> Result<
        (Vec<BoundStance>, IssueForecasts, Vec<crate::run::Warning>),
        RunError,
    > {
        let mut sc = s.clone();
        let mut stances = Vec::new();
        let mut warnings = Vec::new();
        for b in &spec.bindings {
            let m = b.mean(spec, ans, t);
            let m0 = b.mean(spec, ans, 0);
            stances.extend(move_stance(s, &mut sc, &b.actor, &b.issue, m, |coded| {
                b.stance(m, m0, coded)
            }));
        }
        // Audience costs: the leadership weighs the whole public's view (census-weighted
        // national mean) against its coded line.
        for a in &spec.audience_costs {
            let nat = national(spec, ans, a.item);
            stances.extend(move_stance(
                s,
                &mut sc,
                &a.actor,
                &a.issue,
                nat[t],
                |coded| {
                    let (pos, sal) = a.stance(nat[t], nat[0], coded, spec.audience_cost_scale);
                    (pos, Some(sal))
                },
            ));
        }
        let mut out = IndexMap::new();
        for iss in &issues {
            let Some(ii) = sc.issue_index(iss) else {
                continue;
            };
            let input = sc.issue_input(ii)?;
            let mut per = IndexMap::new();
            for (name, m) in &models {
                per.insert(name.clone(), m.forecast(&input)?.value);
            }
            // The run's rule: a forecast beyond the positions holding the middle 80% of the
            // weight, by more than a tenth of the scale, is flagged with its numbers.
            let (lo, hi) = crate::run::weight_band(input.positions(), &input.weights());
            let width = sc.issues[ii].scale.width();
            for (name, v) in &per {
                let gap = (lo - v).max(v - hi);
                if gap > crate::run::FAR_MARGIN * width {
                    warnings.push(crate::run::Warning {
                        issue: iss.clone(),
                        model: Some(name.clone()),
                        kind: crate::run::WarningKind::FarFromTheWeight,
                        message: format!(
                            "{name} forecasts {v:.1}, {gap:.1} beyond the positions {lo:.1} to {hi:.1} that hold the middle 80% of the weight"
                        ),
                    });
                }
            }
            out.insert(iss.clone(), per);
        }
        Ok((stances, out, warnings))
    };
    let nat = national(spec, &base, 0);
    // The band over time: the population under each posterior draw, in draw order (the
    // threads change nothing: every draw has the run's seed).
    let names: Vec<String> = params.values.iter().map(|v| v.0.clone()).collect();
    let drawn: Vec<Vec<f64>> = match &params.base {
        None => Vec::new(),
        Some(base) => {
            use rayon::prelude::*;
            params
                .sample
                .par_iter()
                .map(|theta| {
                    let sp = base.with(&names, theta).map_err(|e| RunError::Settings {
                        field: "params",
                        message: format!("a posterior draw: {e}"),
                    })?;
                    Ok(national(&sp, &run(&sp)?, 0))
                })
                .collect::<Result<_, RunError>>()?
        }
    };
    let band = |t: usize| {
        (!drawn.is_empty()).then(|| {
            let xs: Vec<f64> = drawn.iter().map(|n| n[t]).collect();
            [0.1, 0.5, 0.9].map(|q| multivector_ensemble::quantile(&xs, q))
        })
    };
    let var_nat = var.as_ref().map(|v| national(&v.0, &v.1, 0));
    let mut points = Vec::new();
    let last = spec.sweeps;
    for t in (0..=last)
        .step_by(SWEEPS_PER_POINT)
        .chain((last % SWEEPS_PER_POINT != 0).then_some(last))
    {
        let (stances, f, warnings) = forecasts(spec, &base, t)?;
        let (variant_national, variant_stances, variant_forecasts) = match (&var, &var_nat) {
            (Some(v), Some(vn)) => {
                let (vst, vf, _) = forecasts(&v.0, &v.1, t)?;
                (Some(vn[t]), Some(vst), Some(vf))
            }
            _ => (None, None, None),
        };
        points.push(TwoLevelPoint {
            sweep: t,
            date: date_of(spec, t)?,
            national: nat[t],
            national_band: band(t),
            stances,
            forecasts: f,
            variant_national,
            variant_stances,
            variant_forecasts,
            warnings,
        });
    }
    flag_jumps(s, &mut points);
    let polls = spec
        .polls
        .iter()
        .zip(&base.toplines)
        .flat_map(|(p, top)| {
            p.observed.iter().map(move |o| PollPoint {
                id: p.id.clone(),
                date: p.date.clone(),
                sweep: p.sweep,
                answer: o.answer,
                published: o.share,
                n: o.n,
                simulated: top.get(o.answer).copied(),
            })
        })
        .collect();
    Ok(TwoLevelReport {
        population: spec.id.clone(),
        agents: spec.agents,
        seed,
        polls,
        variant: variant.map(str::to_string),
        params,
        issues,
        points,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The built-in population runs with its saved calibration; an edited one with its own
    /// values; a calibration of another population is refused; each says which it used.
    #[test]
    fn two_level_runs_say_which_parameters_they_used() {
        let spec = multivector_scenario::population::builtin("kazakhstan")
            .and_then(Result::ok)
            .unwrap_or_else(|| panic!("the built-in population loads"));
        let (cal, used) = calibrated(&spec, None).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            used.source.starts_with("built-in calibration"),
            "{}",
            used.source
        );
        assert_eq!(used.values.len(), spec.calibrate.len());
        assert_ne!(cal, spec, "the saved values change the population");
        let mut edited = spec.clone();
        edited.agents = 999;
        let (same, used) = calibrated(&edited, None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(same, edited);
        assert!(used.source.starts_with("none"), "{}", used.source);
        let other = multivector_scenario::population::KAZAKHSTAN_CALIBRATION.replacen(
            "\"kazakhstan-population\"",
            "\"elsewhere\"",
            1,
        );
        let e = calibrated(&spec, Some(("x.json", &other))).unwrap_err();
        assert!(
            e.to_string().contains("calibrates population `elsewhere`"),
            "{e}"
        );
        assert!(calibrated(&spec, Some(("x.json", "{}"))).is_err());
    }

    /// A forecast that jumps by more than a third of the scale while the bound stances
    /// barely move is flagged; the same jump after a large move of a bound stance is not.
    #[test]
    fn jumps_under_small_changes_are_flagged() {
        let s = multivector_scenario::builtin::load("kazakhstan")
            .and_then(Result::ok)
            .unwrap_or_else(|| panic!("the built-in scenario loads"))
            .scenario;
        let point = |date: &str, forecast: f64, stance: f64| TwoLevelPoint {
            sweep: 0,
            date: date.into(),
            national: 0.5,
            national_band: None,
            stances: vec![BoundStance {
                actor: "RU_OLDER".into(),
                issue: "recognition".into(),
                group_mean: 0.5,
                position: stance,
                salience: None,
            }],
            forecasts: [(
                "recognition".to_string(),
                [("bdm-scholz".to_string(), forecast)].into_iter().collect(),
            )]
            .into_iter()
            .collect(),
            variant_national: None,
            variant_stances: None,
            variant_forecasts: None,
            warnings: Vec::new(),
        };
        // 20 to 100 on a 0-100 scale with the stance moving 1: flagged.
        let mut pts = vec![
            point("2022-05-26", 20.0, 50.0),
            point("2022-08-25", 100.0, 51.0),
        ];
        flag_jumps(&s, &mut pts);
        assert_eq!(pts[1].warnings.len(), 1);
        assert_eq!(pts[1].warnings[0].kind, crate::run::WarningKind::Fragile);
        assert!(
            pts[1].warnings[0]
                .message
                .contains("jumps from 20.0 to 100.0")
        );
        // The same jump after the stance moved 30: the input explains it.
        let mut pts = vec![
            point("2022-05-26", 20.0, 50.0),
            point("2022-08-25", 100.0, 80.0),
        ];
        flag_jumps(&s, &mut pts);
        assert!(pts[1].warnings.is_empty());
        // A move of a third of the scale exactly is not a jump.
        let mut pts = vec![point("a", 20.0, 50.0), point("b", 20.0 + 100.0 / 3.0, 50.0)];
        flag_jumps(&s, &mut pts);
        assert!(pts[1].warnings.is_empty());
    }

    #[test]
    fn dates_follow_the_calendar() {
        let mut spec = multivector_scenario::population::builtin("kazakhstan")
            .and_then(Result::ok)
            .unwrap_or_else(|| panic!("the built-in population loads"));
        spec.start_date = "2022-02-24".into();
        spec.days_per_sweep = 7.0;
        // 2022-02-24 plus 1 week, across the end of February, and 52 weeks (364 days).
        assert_eq!(date_of(&spec, 1).ok().as_deref(), Some("2022-03-03"));
        assert_eq!(date_of(&spec, 52).ok().as_deref(), Some("2023-02-23"));
        spec.start_date = "2024-02-28".into();
        spec.days_per_sweep = 1.0;
        assert_eq!(
            date_of(&spec, 1).ok().as_deref(),
            Some("2024-02-29"),
            "leap day"
        );
        spec.start_date = "2022-13-45".into();
        assert!(date_of(&spec, 0).is_err());
    }
}
