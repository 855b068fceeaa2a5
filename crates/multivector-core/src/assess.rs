//! Judging forecasts: retrodiction against observed outcomes and the multi-vector profile
//! (how far a forecast lies from each of the powers a country balances between).
//!
//! Distances are on `[0, 1]`: `|forecast - position| / scale width`. The equidistance index of
//! an issue is `E = 1 - (max distance - min distance)` over the vectors that hold a stance on
//! it (1: equally far from all of them; 0: sitting on one while another is at the far end). It
//! needs at least two vectors. See `docs/profile.md` for its limits.

use serde::Serialize;

use crate::domain::{Issue, Scenario};

/// Distance from a forecast to one vector's position.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VectorDistance {
    pub actor: String,
    pub position: f64,
    /// `|forecast - position| / scale width`, in `[0, 1]`.
    pub distance: f64,
}

/// The profile of one issue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IssueProfile {
    pub issue: String,
    pub forecast: f64,
    pub distances: Vec<VectorDistance>,
    /// `None` with fewer than two vectors on the issue.
    pub equidistance: Option<f64>,
    /// The focal actor's salience on the issue (`[0, 1]`), the weight in the overall index.
    pub weight: f64,
}

/// Mean alignment `1 - distance` with one power across the issues it holds a stance on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alignment {
    pub actor: String,
    pub alignment: f64,
    pub issues: usize,
}

/// The multi-vector profile of a set of forecasts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Profile {
    pub issues: Vec<IssueProfile>,
    /// Focal-salience-weighted mean of the issues' equidistance (issues without one, or with
    /// zero weight, do not count). `None` when no issue counts.
    pub equidistance: Option<f64>,
    pub alignment: Vec<Alignment>,
}

/// `1 - (max - min)` of the distances; `None` for fewer than two.
pub fn equidistance(distances: &[f64]) -> Option<f64> {
    if distances.len() < 2 {
        return None;
    }
    let (lo, hi) = distances
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &d| {
            (l.min(d), h.max(d))
        });
    Some(1.0 - (hi - lo))
}

/// The profile of `forecasts` (`(issue index, forecast)`), with `focal` the actor whose
/// salience weights the issues (equal weights when `None`).
pub fn profile(s: &Scenario, focal: Option<usize>, forecasts: &[(usize, f64)]) -> Profile {
    let mut issues = Vec::new();
    for &(k, f) in forecasts {
        let iss = &s.issues[k];
        let width = iss.scale.width();
        let distances: Vec<VectorDistance> = s
            .stances_on(k)
            .filter(|st| s.actors[st.actor].vector)
            .map(|st| VectorDistance {
                actor: s.actors[st.actor].id.clone(),
                position: st.position,
                distance: ((f - st.position).abs() / width).clamp(0.0, 1.0),
            })
            .collect();
        let weight = match focal {
            Some(a) => s
                .stances_on(k)
                .find(|st| st.actor == a)
                .map_or(0.0, |st| st.salience),
            None => 1.0,
        };
        let d: Vec<f64> = distances.iter().map(|v| v.distance).collect();
        issues.push(IssueProfile {
            issue: iss.id.clone(),
            forecast: f,
            equidistance: equidistance(&d),
            distances,
            weight,
        });
    }
    let (num, den) = issues
        .iter()
        .filter_map(|p| p.equidistance.map(|e| (e * p.weight, p.weight)))
        .fold((0.0, 0.0), |(a, b), (x, y)| (a + x, b + y));
    let equidistance = (den > 0.0).then(|| num / den);
    let mut alignment = Vec::new();
    for a in s.actors.iter().filter(|a| a.vector) {
        let ds: Vec<f64> = issues
            .iter()
            .flat_map(|p| {
                p.distances
                    .iter()
                    .filter(|v| v.actor == a.id)
                    .map(|v| v.distance)
            })
            .collect();
        if !ds.is_empty() {
            alignment.push(Alignment {
                actor: a.id.clone(),
                alignment: 1.0 - ds.iter().sum::<f64>() / ds.len() as f64,
                issues: ds.len(),
            });
        }
    }
    Profile {
        issues,
        equidistance,
        alignment,
    }
}

/// Whether a forecast lands on the same side of one threshold as the observed outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThresholdCall {
    pub label: String,
    pub value: f64,
    pub forecast_side: bool,
    pub observed_side: bool,
    pub correct: bool,
}

/// A forecast scored against an observed outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Retrodiction {
    pub issue: String,
    pub forecast: f64,
    pub observed: f64,
    /// `|forecast - observed|` on the issue's scale.
    pub error: f64,
    /// The same on `[0, 1]` (divided by the scale width), comparable across issues.
    pub error_scaled: f64,
    pub thresholds: Vec<ThresholdCall>,
}

/// Scores a forecast on `issue`; `None` when no outcome is known.
pub fn retrodict(issue: &Issue, forecast: f64) -> Option<Retrodiction> {
    let obs = issue.outcome.as_ref()?.value;
    let error = (forecast - obs).abs();
    Some(Retrodiction {
        issue: issue.id.clone(),
        forecast,
        observed: obs,
        error,
        error_scaled: error / issue.scale.width(),
        thresholds: issue
            .thresholds
            .iter()
            .map(|t| {
                let (f, o) = (t.holds(forecast), t.holds(obs));
                ThresholdCall {
                    label: t.label.clone(),
                    value: t.value,
                    forecast_side: f,
                    observed_side: o,
                    correct: f == o,
                }
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equidistance_by_hand() {
        assert_eq!(equidistance(&[0.2]), None);
        assert_eq!(equidistance(&[0.3, 0.3, 0.3]), Some(1.0));
        // On one vector (0) with another at the far end (1): 0.
        assert_eq!(equidistance(&[0.0, 1.0, 0.5]), Some(0.0));
        assert!((equidistance(&[0.1, 0.4]).unwrap() - 0.7).abs() < 1e-12);
    }
}
