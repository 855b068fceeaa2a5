//! Votes, coalitions, victory probabilities and probabilistic Condorcet elections (PCE), as
//! `specs/smp.md` defines them. One entry point, [`pce`], serves risk inference, the choice
//! among bargains and the reported outcome distribution.
//!
//! Cost: a victory matrix over `m` options with `n` voters is `O(m^2 n)`; the conditional
//! PCE adds `O(m^2)`, a Markov PCE `O(m^2)` per iteration.

use serde::{Deserialize, Serialize};

/// How an actor's utility difference becomes a vote (`voting_rule`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VotingRule {
    /// The sign of the difference (a ramp of width 1e-8).
    Binary,
    /// `0.8 du + 0.2 binary`.
    PropBin,
    /// The difference itself (the default).
    Prop,
    /// `0.5 du + 0.5 du^3`.
    PropCubic,
    /// `du^3`.
    Cubic,
    /// Losses count fully, gains two thirds (prospect theory).
    AsymProspect,
}

/// How coalition strengths become the probability that one option beats another
/// (`victory_prob`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VictoryProb {
    /// `C(a:b) / (C(a:b) + C(b:a))` (the default).
    Linear,
    /// Exponent 2.
    Square,
    /// Exponent 4.
    Quartic,
    /// Exponent 8.
    Octic,
    /// Near-certain for a coalition 10% stronger, a linear ramp between.
    Binary,
}

/// Which probabilistic Condorcet election turns a victory matrix into outcome probabilities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PceRule {
    /// `P(a)` proportional to `prod_b V(a, b)` (the default).
    Conditional,
    /// Stationary distribution when a uniformly chosen challenger meets the incumbent.
    MarkovUniform,
    /// Challengers chosen in proportion to their incentive `C(a:b) V(a, b)`.
    MarkovIncentive,
}

/// Floor added to every coalition in an election.
const COALITION_FLOOR: f64 = 1e-8;
/// Width of the binary voting ramp.
const BINARY_RAMP: f64 = 1e-8;
/// Margin that makes a binary victory near-certain.
const BINARY_MARGIN: f64 = 1.1;
/// What the loser of a binary victory keeps.
const BINARY_LOSER: f64 = 1e-6;
/// Convergence tolerances of the two Markov elections, and their iteration cap.
const MARKOV_UNIFORM_TOL: f64 = 1e-6;
const MARKOV_INCENTIVE_TOL: f64 = 1e-8;
const MARKOV_MAX_ITER: usize = 100_000;

/// The vote of an actor with weight `w` whose utility for `a` exceeds that for `b` by `du`.
pub fn vote(rule: VotingRule, w: f64, du: f64) -> f64 {
    let binary = || (du / BINARY_RAMP).clamp(-1.0, 1.0);
    w * match rule {
        VotingRule::Binary => binary(),
        VotingRule::PropBin => 0.8 * du + 0.2 * binary(),
        VotingRule::Prop => du,
        VotingRule::PropCubic => 0.5 * du + 0.5 * du * du * du,
        VotingRule::Cubic => du * du * du,
        VotingRule::AsymProspect => {
            if du < 0.0 {
                du
            } else {
                (2.0 / 3.0) * du
            }
        }
    }
}

/// `P[a > b]` from the two coalition strengths.
pub fn victory(rule: VictoryProb, cab: f64, cba: f64) -> f64 {
    let pow = |nu: i32| {
        let (x, y) = (cab.powi(nu), cba.powi(nu));
        x / (x + y)
    };
    match rule {
        VictoryProb::Linear => cab / (cab + cba),
        VictoryProb::Square => pow(2),
        VictoryProb::Quartic => pow(4),
        VictoryProb::Octic => pow(8),
        VictoryProb::Binary => {
            if cab >= BINARY_MARGIN * cba {
                1.0 - BINARY_LOSER
            } else if cba >= BINARY_MARGIN * cab {
                BINARY_LOSER
            } else {
                let r = cab / (cab + cba);
                ((r * (BINARY_MARGIN + 1.0) - 1.0) / (BINARY_MARGIN - 1.0))
                    .clamp(BINARY_LOSER, 1.0 - BINARY_LOSER)
            }
        }
    }
}

/// The rules of one election.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Election {
    pub voting: VotingRule,
    pub victory: VictoryProb,
    pub pce: PceRule,
}

/// Reusable buffers of an election (victory matrix, coalitions, iterates).
#[derive(Debug, Default, Clone)]
pub struct Scratch {
    v: Vec<f64>,
    c: Vec<f64>,
    p: Vec<f64>,
    q: Vec<f64>,
    chal: Vec<f64>,
    /// One row of coalition pairs (elections computed on one thread).
    row: Vec<(f64, f64)>,
    /// The logarithms of the conditional election.
    logs: Vec<f64>,
    /// The outcome probabilities of the last election.
    out: Vec<f64>,
}

/// Outcome probabilities of `m` options. `util[a * n + k]` is voter `k`'s utility for
/// option `a` (option-major, so a pair's differences are contiguous); `w[k]` is its weight.
/// Probabilities are non-negative and sum to one.
pub fn pce(e: Election, w: &[f64], util: &[f64], m: usize, s: &mut Scratch) -> Vec<f64> {
    pce_in(e, w, util, m, s).to_vec()
}

/// [`pce`] with its result left in the scratch: an election that allocates nothing once
/// the scratch has grown to its size (the queues of every round hold a few options each).
pub fn pce_in<'s>(e: Election, w: &[f64], util: &[f64], m: usize, s: &'s mut Scratch) -> &'s [f64] {
    let n = w.len();
    debug_assert_eq!(util.len(), m * n);
    s.v.clear();
    s.v.resize(m * m, 0.5);
    s.c.clear();
    s.c.resize(m * m, COALITION_FLOOR);
    if e.voting == VotingRule::AsymProspect {
        asymmetric_coalitions(e, w, util, m, s);
    } else {
        symmetric_coalitions(e, w, util, m, s);
    }
    match e.pce {
        PceRule::Conditional => conditional(s, m),
        PceRule::MarkovUniform => markov_uniform(s, m),
        PceRule::MarkovIncentive => markov_incentive(s, m),
    }
    &s.out
}

/// Options per lane group of [`symmetric_coalitions`]: four pairs summed side by side.
const LANES: usize = 4;

/// From this many options on, the rows of the victory matrix are computed in parallel.
const PARALLEL_ROWS_FROM: usize = 64;

/// The coalitions and victory probabilities of every pair for a rule whose votes are
/// antisymmetric (`v(b:a) = -v(a:b)`). For each `a`, the pairs `(a, b)` are taken four at a
/// time: each pair's two sums run over the voters in order, as alone, so the numbers are
/// those of one pair at a time, but the four pairs' sums are independent chains of
/// additions the processor overlaps (one pair's sums are a chain it must wait on). Rows are
/// computed in parallel for large elections (each pair's arithmetic is the same on any
/// thread).
fn symmetric_coalitions(e: Election, w: &[f64], util: &[f64], m: usize, s: &mut Scratch) {
    let n = w.len();
    // Row a: (C(a:b), C(b:a)) for b > a, into `out`.
    let row = |a: usize, out: &mut Vec<(f64, f64)>| {
        let ua = &util[a * n..(a + 1) * n];
        out.clear();
        let mut b = a + 1;
        while b + LANES <= m {
            let ub: [&[f64]; LANES] = std::array::from_fn(|l| &util[(b + l) * n..(b + l + 1) * n]);
            let mut ab = [COALITION_FLOOR; LANES];
            let mut ba = [COALITION_FLOOR; LANES];
            for k in 0..n {
                let (uak, wk) = (ua[k], w[k]);
                for l in 0..LANES {
                    // Branch-free (see `Run::contest`): +0.0 leaves the other side unchanged.
                    let v = vote(e.voting, wk, uak - ub[l][k]);
                    ab[l] += v.max(0.0);
                    ba[l] += (-v).max(0.0);
                }
            }
            out.extend(ab.into_iter().zip(ba));
            b += LANES;
        }
        for b in b..m {
            let ub = &util[b * n..(b + 1) * n];
            let (mut ab, mut ba) = (COALITION_FLOOR, COALITION_FLOOR);
            for k in 0..n {
                let v = vote(e.voting, w[k], ua[k] - ub[k]);
                ab += v.max(0.0);
                ba += (-v).max(0.0);
            }
            out.push((ab, ba));
        }
    };
    let mut store = |a: usize, r: &[(f64, f64)]| {
        for (t, &(ab, ba)) in r.iter().enumerate() {
            let b = a + 1 + t;
            s.c[a * m + b] = ab;
            s.c[b * m + a] = ba;
            s.v[a * m + b] = victory(e.victory, ab, ba);
            s.v[b * m + a] = victory(e.victory, ba, ab);
        }
    };
    if m >= PARALLEL_ROWS_FROM {
        use rayon::prelude::*;
        let rows: Vec<Vec<(f64, f64)>> = (0..m)
            .into_par_iter()
            .map(|a| {
                let mut out = Vec::with_capacity(m - a - 1);
                row(a, &mut out);
                out
            })
            .collect();
        for (a, r) in rows.iter().enumerate() {
            store(a, r);
        }
    } else {
        let mut out = std::mem::take(&mut s.row);
        for a in 0..m {
            row(a, &mut out);
            store(a, &out);
        }
        s.row = out;
    }
}

/// The coalitions of every pair for a rule whose votes are not antisymmetric: `C(b:a)` from
/// the votes `v(b:a)`, one pair at a time.
fn asymmetric_coalitions(e: Election, w: &[f64], util: &[f64], m: usize, s: &mut Scratch) {
    let n = w.len();
    for a in 0..m {
        let ua = &util[a * n..(a + 1) * n];
        for b in (a + 1)..m {
            let ub = &util[b * n..(b + 1) * n];
            let (mut ab, mut ba) = (COALITION_FLOOR, COALITION_FLOOR);
            let (mut ab2, mut ba2) = (COALITION_FLOOR, COALITION_FLOOR);
            for k in 0..n {
                let du = ua[k] - ub[k];
                let v = vote(e.voting, w[k], du);
                ab += v.max(0.0);
                ba += (-v).max(0.0);
                let v2 = vote(e.voting, w[k], -du);
                if v2 > 0.0 {
                    ba2 += v2;
                } else {
                    ab2 -= v2;
                }
            }
            s.c[a * m + b] = ab;
            s.c[b * m + a] = ba2;
            s.v[a * m + b] = victory(e.victory, ab, ba);
            s.v[b * m + a] = victory(e.victory, ba2, ab2);
        }
    }
}

/// `P(a)` proportional to `prod_b V(a, b)`, in logarithms (no underflow with many options).
fn conditional(s: &mut Scratch, m: usize) {
    let v = &s.v;
    // The diagonal is always one half: its logarithm once (`black_box` keeps the compiler
    // from folding it with another implementation than the one every other entry gets).
    let ln_half = std::hint::black_box(0.5f64).ln();
    s.logs.clear();
    s.logs.extend((0..m).map(|a| {
        v[a * m..(a + 1) * m]
            .iter()
            .enumerate()
            .map(|(b, x)| if b == a { ln_half } else { x.ln() })
            .sum::<f64>()
    }));
    normalise_logs(&s.logs, &mut s.out);
}

/// `exp(l - max)`, normalised, into `out`.
fn normalise_logs(logs: &[f64], out: &mut Vec<f64>) {
    out.clear();
    let top = logs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !top.is_finite() {
        out.resize(logs.len(), 1.0 / logs.len() as f64);
        return;
    }
    out.extend(logs.iter().map(|l| (l - top).exp()));
    let sum: f64 = out.iter().sum();
    out.iter_mut().for_each(|x| *x /= sum);
}

fn normalise(p: &mut [f64]) {
    let sum: f64 = p.iter().sum();
    if sum > 0.0 && sum.is_finite() {
        p.iter_mut().for_each(|x| *x /= sum);
    } else {
        let u = 1.0 / p.len() as f64;
        p.iter_mut().for_each(|x| *x = u);
    }
}

/// Damped iteration `p <- (p + step(p)) / 2` from the uniform distribution until the largest
/// change is below `tol` (or the iteration cap, which the damped maps do not reach in practice).
fn damped(
    s: &mut Scratch,
    m: usize,
    tol: f64,
    step: impl Fn(&[f64], &mut Vec<f64>, &[f64], &[f64]),
) {
    s.p.clear();
    s.p.resize(m, 1.0 / m as f64);
    for _ in 0..MARKOV_MAX_ITER {
        step(&s.p, &mut s.q, &s.v, &s.chal);
        normalise(&mut s.q);
        let mut change: f64 = 0.0;
        for (p, q) in s.p.iter_mut().zip(&s.q) {
            let next = 0.5 * (*p + q);
            change = change.max((next - *p).abs());
            *p = next;
        }
        if change < tol {
            break;
        }
    }
    s.out.clear();
    s.out.extend_from_slice(&s.p);
}

fn markov_uniform(s: &mut Scratch, m: usize) {
    s.chal.clear();
    damped(s, m, MARKOV_UNIFORM_TOL, |p, q, v, _| {
        q.clear();
        q.extend(
            (0..m).map(|a| (0..m).map(|b| v[a * m + b] * (p[a] + p[b])).sum::<f64>() / m as f64),
        );
    })
}

fn markov_incentive(s: &mut Scratch, m: usize) {
    // chal[b * m + a]: probability that a challenges incumbent b.
    s.chal.clear();
    s.chal.resize(m * m, 0.0);
    for b in 0..m {
        let mut total = 0.0;
        for a in 0..m {
            let mut inc = s.c[a * m + b] * s.v[a * m + b];
            if a == b {
                inc += 1e-10;
            }
            s.chal[b * m + a] = inc;
            total += inc;
        }
        for a in 0..m {
            s.chal[b * m + a] /= total;
        }
    }
    damped(s, m, MARKOV_INCENTIVE_TOL, |p, q, v, chal| {
        q.clear();
        q.extend((0..m).map(|i| {
            (0..m)
                .map(|j| v[i * m + j] * (p[i] * chal[i * m + j] + p[j] * chal[j * m + i]))
                .sum::<f64>()
        }));
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pairs taken four at a time, and the rows in parallel, give the coalitions of a
    /// plain pair-by-pair loop bit for bit: sizes with and without a remainder, below and
    /// above the parallel threshold, ties and zero weights included.
    #[test]
    fn lanes_and_parallel_rows_equal_one_pair_at_a_time() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        for (m, n) in [(2, 3), (5, 4), (9, 7), (70, 13), (131, 5)] {
            let w: Vec<f64> = (0..n)
                .map(|k| if k == 0 { 0.0 } else { rng.random::<f64>() })
                .collect();
            let util: Vec<f64> = (0..m * n)
                .map(|_| f64::from(rng.random_range(0..5u8)) / 4.0)
                .collect();
            for voting in [VotingRule::Prop, VotingRule::PropBin, VotingRule::Cubic] {
                let e = Election {
                    voting,
                    victory: VictoryProb::Linear,
                    pce: PceRule::Conditional,
                };
                let mut s = Scratch::default();
                s.v.resize(m * m, 0.5);
                s.c.resize(m * m, COALITION_FLOOR);
                symmetric_coalitions(e, &w, &util, m, &mut s);
                for a in 0..m {
                    for b in a + 1..m {
                        let (mut ab, mut ba) = (COALITION_FLOOR, COALITION_FLOOR);
                        for k in 0..n {
                            let v = vote(voting, w[k], util[a * n + k] - util[b * n + k]);
                            if v > 0.0 {
                                ab += v;
                            } else {
                                ba -= v;
                            }
                        }
                        assert_eq!(s.c[a * m + b].to_bits(), ab.to_bits(), "{m} {a} {b}");
                        assert_eq!(s.c[b * m + a].to_bits(), ba.to_bits(), "{m} {a} {b}");
                        let v = victory(e.victory, ba, ab);
                        assert_eq!(s.v[b * m + a].to_bits(), v.to_bits());
                    }
                }
            }
        }
    }

    const ALL: [PceRule; 3] = [
        PceRule::Conditional,
        PceRule::MarkovUniform,
        PceRule::MarkovIncentive,
    ];

    /// Two options, two voters: a hand calculation. Voter 0 (weight 2) prefers option 0 by
    /// 0.5, voter 1 (weight 1) prefers option 1 by 0.25: C(0:1) = 1 + 1e-8, C(1:0) = 0.25 + 1e-8.
    #[test]
    fn two_options_by_hand() {
        let util = [1.0, 0.25, 0.5, 0.5]; // option-major: option 0 then option 1
        let e = Election {
            voting: VotingRule::Prop,
            victory: VictoryProb::Linear,
            pce: PceRule::Conditional,
        };
        let p = pce(e, &[2.0, 1.0], &util, 2, &mut Scratch::default());
        let v01 = (1.0 + 1e-8) / (1.25 + 2e-8);
        // Conditional: P(0) = V01 * 0.5 / (V01 * 0.5 + V10 * 0.5) = V01.
        assert!((p[0] - v01).abs() < 1e-12, "{p:?}");
        // Markov uniform with two options: q_0 = (V00 (2 p0) + V01 (p0 + p1)) / 2 at the
        // fixed point p0 = V01 as well.
        let p = pce(
            Election {
                pce: PceRule::MarkovUniform,
                ..e
            },
            &[2.0, 1.0],
            &util,
            2,
            &mut Scratch::default(),
        );
        assert!((p[0] - v01).abs() < 1e-5, "{p:?}");
    }

    #[test]
    fn victory_laws_by_hand() {
        assert_eq!(victory(VictoryProb::Linear, 3.0, 1.0), 0.75);
        assert_eq!(victory(VictoryProb::Square, 3.0, 1.0), 0.9);
        assert_eq!(victory(VictoryProb::Quartic, 3.0, 1.0), 81.0 / 82.0);
        assert_eq!(victory(VictoryProb::Octic, 1.0, 1.0), 0.5);
        assert_eq!(victory(VictoryProb::Binary, 1.1, 1.0), 1.0 - 1e-6);
        assert_eq!(victory(VictoryProb::Binary, 1.0, 1.1), 1e-6);
        assert!((victory(VictoryProb::Binary, 1.0, 1.0) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn votes_by_hand() {
        assert_eq!(vote(VotingRule::Prop, 2.0, 0.25), 0.5);
        assert_eq!(vote(VotingRule::Binary, 2.0, 0.25), 2.0);
        assert_eq!(vote(VotingRule::Binary, 2.0, -0.25), -2.0);
        assert!((vote(VotingRule::PropBin, 1.0, 0.5) - 0.6).abs() < 1e-15);
        assert_eq!(vote(VotingRule::Cubic, 1.0, 0.5), 0.125);
        assert_eq!(vote(VotingRule::PropCubic, 1.0, 0.5), 0.3125);
        assert_eq!(vote(VotingRule::AsymProspect, 3.0, 0.5), 1.0);
        assert_eq!(vote(VotingRule::AsymProspect, 3.0, -0.5), -1.5);
    }

    #[test]
    fn identical_options_are_equally_likely() {
        let util = [0.3, 0.9, 0.3, 0.9, 0.3, 0.9];
        for rule in ALL {
            let e = Election {
                voting: VotingRule::Prop,
                victory: VictoryProb::Linear,
                pce: rule,
            };
            let p = pce(e, &[1.0, 1.0], &util, 3, &mut Scratch::default());
            for x in p {
                assert!((x - 1.0 / 3.0).abs() < 1e-6, "{rule:?}");
            }
        }
    }

    /// A Condorcet winner that beats everyone gets the largest probability under every rule.
    #[test]
    fn dominant_option_wins_everywhere() {
        // Three voters, three options; option 2 is everyone's favourite.
        let util = [0.1, 0.2, 0.3, 0.5, 0.4, 0.2, 0.9, 0.8, 0.7];
        for rule in ALL {
            let e = Election {
                voting: VotingRule::Prop,
                victory: VictoryProb::Square,
                pce: rule,
            };
            let p = pce(e, &[1.0, 2.0, 3.0], &util, 3, &mut Scratch::default());
            assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-9);
            assert!(p[2] > p[0] && p[2] > p[1], "{rule:?}: {p:?}");
        }
    }
}
