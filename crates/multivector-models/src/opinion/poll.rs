//! Poll observation: how an agent with opinion `x` answers an ordered question, the toplines
//! a population would give, and the likelihood of a real poll under them.

use serde::{Deserialize, Serialize};

/// An ordered poll question: answers `0..=C` separated by cut points `tau_0 < .. < tau_{C-1}`;
/// `P(answer <= c | x) = logistic((tau_c - x) / sigma)`; a share `dont_know` answers nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    pub item: usize,
    pub cuts: Vec<f64>,
    pub sigma: f64,
    pub dont_know: f64,
}

fn logistic(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

impl Question {
    /// Probabilities of the `cuts.len() + 1` answers for opinion `x` (before "don't know").
    pub fn answers(&self, x: f64) -> Vec<f64> {
        let mut out = Vec::with_capacity(self.cuts.len() + 1);
        let mut below = 0.0;
        for &tau in &self.cuts {
            let cum = logistic((tau - x) / self.sigma);
            out.push((cum - below).max(0.0));
            below = cum;
        }
        out.push((1.0 - below).max(0.0));
        out
    }

    /// Toplines: the census-weighted mean over groups of each group's mean answer
    /// probabilities, times `1 - dont_know`; the last entry is the "don't know" share.
    /// `opinion` and `groups` are the population's columns, `census[g]` the weight of group g.
    pub fn toplines(&self, opinion: &[f64], groups: &[u16], census: &[f64]) -> Vec<f64> {
        let c = self.cuts.len() + 1;
        let gs = census.len();
        let mut sum = vec![0.0; gs * c];
        let mut count = vec![0usize; gs];
        for (&x, &g) in opinion.iter().zip(groups) {
            let g = g as usize;
            for (k, p) in self.answers(x).into_iter().enumerate() {
                sum[g * c + k] += p;
            }
            count[g] += 1;
        }
        let total: f64 = (0..gs).filter(|&g| count[g] > 0).map(|g| census[g]).sum();
        let mut out = vec![0.0; c + 1];
        for g in 0..gs {
            if count[g] == 0 || total <= 0.0 {
                continue;
            }
            for k in 0..c {
                out[k] += census[g] / total * sum[g * c + k] / count[g] as f64;
            }
        }
        for v in out.iter_mut().take(c) {
            *v *= 1.0 - self.dont_know;
        }
        out[c] = self.dont_know;
        out
    }
}

/// One published figure: the share `share` of `n` respondents gave answer `answer`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Observed {
    pub answer: usize,
    pub share: f64,
    pub n: f64,
}

/// Binomial negative log-likelihood of the observed share given the simulated probability
/// (constant terms dropped, so a perfect fit scores the entropy of the observation). The
/// probability is kept within `[1e-9, 1 - 1e-9]`.
pub fn binomial_nll(obs: &Observed, p: f64) -> f64 {
    let p = p.clamp(1e-9, 1.0 - 1e-9);
    let k = obs.share * obs.n;
    -(k * p.ln() + (obs.n - k) * (1.0 - p).ln())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_sum_to_one_and_follow_the_cuts() {
        let q = Question {
            item: 0,
            cuts: vec![0.3, 0.7],
            sigma: 0.1,
            dont_know: 0.1,
        };
        let a = q.answers(0.3);
        assert!((a.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!((a[0] - 0.5).abs() < 1e-12, "at a cut point, half below");
        let t = q.toplines(&[0.3, 0.3, 0.9], &[0, 0, 1], &[0.5, 0.5]);
        assert!((t.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert_eq!(t[3], 0.1);
        // Group 0: 0.5 in answer 0; group 1 (x = 0.9): logistic(-6) in answer 0.
        let expect = 0.9 * (0.5 * 0.5 + 0.5 * logistic(-6.0));
        assert!((t[0] - expect).abs() < 1e-12);
    }

    /// The binomial loss is smallest at the observed share (d/dp = 0 at p = k / n).
    #[test]
    fn binomial_loss_is_minimal_at_the_observed_share() {
        let o = Observed {
            answer: 0,
            share: 0.28,
            n: 1100.0,
        };
        let best = binomial_nll(&o, 0.28);
        assert!(binomial_nll(&o, 0.27) > best && binomial_nll(&o, 0.29) > best);
    }
}
