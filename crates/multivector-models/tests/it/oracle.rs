//! An independent, literal O(n^3) reading of the specification, used as an oracle for the
//! optimised model: same inputs, same options, the trajectories must agree.

use multivector_core::IssueInput;
use multivector_models::bdm::{
    Bdm, BdmOptions, CompromisePick, OfferRule, Perspective, Preset, Probability, QTerm, RangeRule,
};
use proptest::prelude::*;

struct Naive {
    o: BdmOptions,
    w: Vec<f64>,
    s: Vec<f64>,
    d: f64,
}

impl Naive {
    fn median(&self, x: &[f64]) -> f64 {
        // The Condorcet winner among positions under v_k(y, z) = w_k (|x_k - z| - |x_k - y|),
        // found by brute force over candidate positions (lowest on ties).
        let mut cands: Vec<f64> = x.to_vec();
        cands.sort_by(f64::total_cmp);
        for &y in &cands {
            let beats_all = cands.iter().all(|&z| {
                let v: f64 = (0..x.len())
                    .map(|k| self.w[k] * ((x[k] - z).abs() - (x[k] - y).abs()))
                    .sum();
                v >= -1e-12
            });
            if beats_all {
                return y;
            }
        }
        unreachable!("a weighted median always exists")
    }

    fn probs(&self, x: &[f64], r: &[f64]) -> Vec<Vec<f64>> {
        let n = x.len();
        let f = |k: usize, y: usize| ((x[k] - x[y]).abs() / self.d).powf(r[k]);
        let mut g = 0.0;
        for k in 0..n {
            for a in 0..n {
                for b in 0..n {
                    g += self.w[k] * (f(k, b) - f(k, a)).abs();
                }
            }
        }
        let mut p = vec![vec![0.0; n]; n];
        for i in 0..n {
            for j in 0..n {
                if x[i] == x[j] {
                    continue;
                }
                let (mut num, mut den) = (0.0, 0.0);
                for k in 0..n {
                    let delta = f(k, j) - f(k, i);
                    if delta > 0.0 {
                        num += self.w[k] * delta;
                    }
                    den += self.w[k] * delta.abs();
                }
                p[i][j] = match self.o.probability {
                    Probability::Pairwise => num / den,
                    Probability::Global => num / g,
                };
            }
        }
        p
    }

    #[allow(clippy::too_many_arguments)]
    fn eu(&self, x: &[f64], p: &[Vec<f64>], mu: f64, i: usize, j: usize, rho: f64) -> f64 {
        let d = (x[i] - x[j]).abs() / self.d;
        let e = (x[i] - mu).abs() / self.d;
        let u = |base: f64| 2.0 - 4.0 * base.max(0.0).powf(rho);
        let (us, uf, usq) = (u(0.5 - 0.5 * d), u(0.5 + 0.5 * d), u(0.5));
        let (ub, uw) = (u(0.5 - 0.25 * (d + e)), u(0.5 + 0.25 * (d + e)));
        let t = if (x[i] - mu).abs() < (x[i] - x[j]).abs() {
            1.0
        } else {
            0.0
        };
        let q = self.o.q;
        let mut v =
            self.s[j] * (p[i][j] * us + (1.0 - p[i][j]) * uf) + (1.0 - self.s[j]) * us - q * usq;
        if self.o.q_term == QTerm::Full {
            v -= (1.0 - q) * (t * ub + (1.0 - t) * uw);
        }
        v
    }

    fn round(&self, x: &[f64]) -> Vec<f64> {
        let n = x.len();
        let mu = self.median(x);
        let ones = vec![1.0; n];
        let p1 = self.probs(x, &ones);
        let danger: Vec<f64> = (0..n)
            .map(|i| {
                (0..n)
                    .filter(|&j| j != i)
                    .map(|j| self.eu(x, &p1, mu, j, i, 1.0))
                    .sum()
            })
            .collect();
        let hi = danger.iter().cloned().fold(f64::MIN, f64::max);
        let lo = danger.iter().cloned().fold(f64::MAX, f64::min);
        let r: Vec<f64> = danger
            .iter()
            .map(|s| {
                let big = if hi > lo {
                    (2.0 * s - hi - lo) / (hi - lo)
                } else {
                    0.0
                };
                (3.0 - big) / (3.0 + big)
            })
            .collect();
        let p = self.probs(x, &r);
        let mut next = x.to_vec();
        for i in 0..n {
            // (priority, key, target): lower wins; type order puts conflicts first.
            let mut best: Option<(f64, f64, f64)> = None;
            for j in 0..n {
                if j == i || x[j] == x[i] {
                    continue;
                }
                let a = self.eu(x, &p, mu, i, j, r[i]);
                let rb = if self.o.perspective == Perspective::Receiver {
                    r[i]
                } else {
                    r[j]
                };
                let b = self.eu(x, &p, mu, j, i, rb);
                let cand = if a > 0.0 && b > 0.0 && b > a {
                    Some((0.0, (x[j] - x[i]).abs(), x[j]))
                } else if a < 0.0 && b > 0.0 && -a < b {
                    let target = x[i] + (-a / b) * (x[j] - x[i]);
                    let key = match self.o.compromise_pick {
                        CompromisePick::LowestPoint => (-a * x[i] + b * x[j]) / (-a + b),
                        CompromisePick::LeastMove => (target - x[i]).abs(),
                    };
                    Some((1.0, key, target))
                } else if a < 0.0 && b > 0.0 {
                    Some((2.0, (x[j] - x[i]).abs(), x[j]))
                } else {
                    None
                };
                if let Some(c) = cand {
                    if best.is_none_or(|bst| (c.0, c.1) < (bst.0, bst.1)) {
                        best = Some(c);
                    }
                }
            }
            if let Some((_, _, t)) = best {
                next[i] = t;
            }
        }
        next
    }
}

fn naive_run(inp: &IssueInput, o: BdmOptions, rounds: usize) -> Vec<Vec<f64>> {
    let lo = inp.positions().iter().cloned().fold(f64::MAX, f64::min);
    let hi = inp.positions().iter().cloned().fold(f64::MIN, f64::max);
    let d = match (o.range, inp.scale()) {
        (RangeRule::Scale, Some((a, b))) => b - a,
        _ => hi - lo,
    };
    let nv = Naive {
        o,
        w: inp.weights(),
        s: inp.saliences().to_vec(),
        d,
    };
    let mut out = vec![inp.positions().to_vec()];
    for _ in 0..rounds {
        let next = nv.round(out.last().unwrap());
        out.push(next);
    }
    out
}

fn options() -> impl Strategy<Value = BdmOptions> {
    (
        prop::bool::ANY,
        prop::bool::ANY,
        prop::bool::ANY,
        prop::bool::ANY,
        prop::bool::ANY,
        0.5f64..=1.0,
    )
        .prop_map(|(prob, qt, persp, pick, scholz, q)| {
            let mut o = BdmOptions::preset(if scholz {
                Preset::Scholz
            } else {
                Preset::Paper
            });
            o.probability = if prob {
                Probability::Global
            } else {
                Probability::Pairwise
            };
            o.q_term = if qt { QTerm::Full } else { QTerm::Omitted };
            o.perspective = if persp {
                Perspective::Receiver
            } else {
                Perspective::Own
            };
            o.compromise_pick = if pick {
                CompromisePick::LowestPoint
            } else {
                CompromisePick::LeastMove
            };
            o.offer = OfferRule::TypeOrder;
            o.range = RangeRule::Initial;
            o.q = q;
            o
        })
}

pub fn random_input() -> impl Strategy<Value = IssueInput> {
    (2usize..12).prop_flat_map(|n| {
        (
            prop::collection::vec(0.0f64..100.0, n),
            prop::collection::vec(0.1f64..10.0, n),
            prop::collection::vec(0.05f64..1.0, n),
        )
            .prop_map(|(x, c, s)| crate::fixtures::input(&x, &c, &s))
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// The O(n^2 log n) model agrees with the literal O(n^3) reading of the spec.
    #[test]
    fn fast_model_agrees_with_the_naive_reading(inp in random_input(), o in options()) {
        let rounds = 6;
        let mut o = o;
        o.stop = multivector_core::StopRule::Fixed { rounds };
        let fast = Bdm::new(o).run(&inp).unwrap();
        let slow = naive_run(&inp, o, rounds);
        for (k, r) in fast.rounds.iter().enumerate() {
            for (a, b) in r.positions.iter().zip(&slow[k]) {
                prop_assert!((a - b).abs() < 1e-7, "round {k}: {a} vs {b}");
            }
        }
    }
}

#[test]
fn naive_reading_agrees_on_the_published_example() {
    let inp = crate::fixtures::ec_input();
    for preset in [Preset::Scholz, Preset::Paper] {
        let o = BdmOptions::preset(preset);
        let fast = Bdm::new(o).run(&inp).unwrap();
        let slow = naive_run(&inp, o, 10);
        for (k, r) in fast.rounds.iter().enumerate() {
            for (a, b) in r.positions.iter().zip(&slow[k]) {
                assert!((a - b).abs() < 1e-9, "{preset:?} round {k}: {a} vs {b}");
            }
        }
    }
}
