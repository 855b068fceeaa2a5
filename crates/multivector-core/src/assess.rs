//! Judging forecasts: retrodiction against observed outcomes and the multi-vector profile
//! (how far a forecast lies from each of the powers a country balances between).
//!
//! Distances are on `[0, 1]`: `|forecast - position| / scale width`. The equidistance index of
//! an issue is `E = 1 - (max distance - min distance)` over the vectors that hold a stance on
//! it (1: equally far from all of them; 0: sitting on one while another is at the far end). It
//! needs at least two vectors. See `docs/profile.md` for its limits.

use serde::{Deserialize, Serialize};

use crate::domain::{Issue, Scenario};

/// Distance from a forecast to one vector's position.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VectorDistance {
    pub actor: String,
    pub position: f64,
    /// `|forecast - position| / scale width`, in `[0, 1]`.
    pub distance: f64,
}

/// The profile of one issue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alignment {
    pub actor: String,
    pub alignment: f64,
    pub issues: usize,
}

/// The multi-vector profile of a set of forecasts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThresholdCall {
    pub label: String,
    pub value: f64,
    pub forecast_side: bool,
    pub observed_side: bool,
    pub correct: bool,
}

/// A forecast scored against an observed outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    let obs = issue.outcome.as_ref()?.scored()?;
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

/// Brier terms of threshold probabilities against the observed outcome: for each threshold of
/// `issue` with a probability in `probabilities` (by label), `(p - o)^2` with `o` 1 when the
/// outcome lies on the threshold's side and 0 otherwise. Empty when no outcome is known.
/// A forecaster who always says 0.5 scores 0.25 on every term; a sure and right one 0.
pub fn brier_terms(issue: &Issue, probabilities: &[(String, f64)]) -> Vec<f64> {
    let Some(obs) = issue.outcome.as_ref().and_then(|o| o.scored()) else {
        return Vec::new();
    };
    issue
        .thresholds
        .iter()
        .filter_map(|t| {
            let p = probabilities.iter().find(|(l, _)| *l == t.label)?.1;
            let o = if t.holds(obs) { 1.0 } else { 0.0 };
            Some((p - o) * (p - o))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brier_terms_by_hand() {
        use crate::{Direction, Outcome, Threshold};
        let above = |value: f64, label: &str| Threshold {
            value,
            direction: Direction::Above,
            label: label.into(),
        };
        let mut issue = Issue {
            id: "x".into(),
            question: String::new(),
            scale: crate::Scale {
                min: 0.0,
                max: 100.0,
                unit: None,
                labels: Vec::new(),
            },
            status_quo: None,
            outcome: None,
            thresholds: vec![above(40.0, "above 40"), above(80.0, "above 80")],
            evidence: Vec::new(),
        };
        let p = vec![("above 40".to_string(), 0.9), ("above 80".to_string(), 0.3)];
        // No outcome: nothing to score.
        assert!(brier_terms(&issue, &p).is_empty());
        issue.outcome = Some(Outcome {
            value: 60.0,
            date: "2024".into(),
            evidence: Vec::new(),
            note: None,
            unga: None,
            unscored: None,
        });
        // 60 is above 40 (o = 1) and not above 80 (o = 0): (0.9 - 1)^2, (0.3 - 0)^2.
        let t = brier_terms(&issue, &p);
        assert!(
            (t[0] - 0.01).abs() < 1e-15 && (t[1] - 0.09).abs() < 1e-15,
            "{t:?}"
        );
        assert_eq!(retrodict(&issue, 50.0).map(|r| r.error), Some(10.0));
        // An outcome marked unscored is shown but counts in no score.
        if let Some(o) = issue.outcome.as_mut() {
            o.unscored = Some("a market outcome".into());
        }
        assert!(brier_terms(&issue, &p).is_empty());
        assert!(retrodict(&issue, 50.0).is_none());
    }

    #[test]
    fn equidistance_by_hand() {
        assert_eq!(equidistance(&[0.2]), None);
        assert_eq!(equidistance(&[0.3, 0.3, 0.3]), Some(1.0));
        // On one vector (0) with another at the far end (1): 0.
        assert_eq!(equidistance(&[0.0, 1.0, 0.5]), Some(0.0));
        assert!((equidistance(&[0.1, 0.4]).unwrap() - 0.7).abs() < 1e-12);
    }
}
