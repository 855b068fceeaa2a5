//! Reference tests against published numbers and hand calculations.

use multivector_core::{Forecaster, stats};
use multivector_models::baselines::{WeightedMean, WeightedMedian};
use multivector_models::bdm::{Bdm, BdmOptions, Preset, Region};

use crate::fixtures::{EC, ec_input, input};

/// One-decimal truncation, the convention the published table follows (its rounds 3-5
/// print 9.9 for a median of 9.962; rounded it would read 10.0).
fn trunc1(v: f64) -> f64 {
    (v * 10.0 + 1e-9).floor() / 10.0
}

/// Scholz et al. (2011), Table 2, Q = 1: median and mean after rounds 1..8.
const TABLE2_MEDIAN: [f64; 8] = [8.4, 9.9, 9.9, 9.9, 9.9, 7.4, 8.8, 9.6];
const TABLE2_MEAN: [f64; 8] = [7.4, 7.5, 7.6, 7.3, 7.3, 7.4, 7.5, 7.6];

#[test]
fn initial_mean_and_median_match_the_spec() {
    let inp = ec_input();
    let w = inp.weights();
    assert!((stats::weighted_mean(inp.positions(), &w) - 7.389956).abs() < 1e-6);
    assert_eq!(stats::weighted_median(inp.positions(), &w), 7.0);
    assert!((WeightedMean.forecast(&inp).unwrap().value - 7.389956).abs() < 1e-6);
    assert_eq!(WeightedMedian.forecast(&inp).unwrap().value, 7.0);
}

#[test]
fn scholz_preset_reproduces_table_2_where_reachable() {
    let run = Bdm::new(BdmOptions::preset(Preset::Scholz))
        .run(&ec_input())
        .unwrap();
    // Rounds whose median matches the table to its printed precision.
    for round in [1, 3, 4, 5, 6, 7, 8] {
        assert_eq!(
            trunc1(run.rounds[round].median),
            TABLE2_MEDIAN[round - 1],
            "median, round {round}"
        );
    }
    for round in [1, 2, 4, 5, 6, 7] {
        assert_eq!(
            trunc1(run.rounds[round].mean),
            TABLE2_MEAN[round - 1],
            "mean, round {round}"
        );
    }
    // The documented differences (docs/validation.md): round 2's median is 9.611 here, 9.9
    // in the table; the means of rounds 3 and 8 lie 0.010 and 0.028 below the printed 7.6.
    assert!((run.rounds[2].median - 9.611).abs() < 1e-3);
    assert!((run.rounds[3].mean - 7.590).abs() < 1e-3);
    assert!((run.rounds[8].mean - 7.572).abs() < 1e-3);
}

#[test]
fn scholz_trajectory_is_pinned() {
    // Our own numbers, to three decimals, so that any change to the model shows here.
    let run = Bdm::default().run(&ec_input()).unwrap();
    let med: Vec<f64> = run
        .rounds
        .iter()
        .map(|r| (r.median * 1e3).round() / 1e3)
        .collect();
    assert_eq!(
        med,
        [
            7.0, 8.416, 9.611, 9.962, 9.962, 9.962, 7.472, 8.825, 9.671, 9.671, 7.0
        ]
    );
    // Round 1: Belgium compromises toward France, Luxembourg and Ireland lose conflicts.
    let moves: Vec<(&str, &str)> = run.rounds[1]
        .moves
        .iter()
        .map(|m| (EC[m.actor].0, EC[m.counterpart].0))
        .collect();
    assert_eq!(
        moves,
        [
            ("Belgium", "France"),
            ("Luxembourg", "Belgium"),
            ("Ireland", "Luxembourg")
        ]
    );
}

#[test]
fn view_from_belgium_matches_the_published_chart() {
    // Published round-1 pairs (a, b), read off the chart to two decimals.
    let published: [(&str, f64, f64); 7] = [
        ("Denmark", -0.83, 0.24),
        ("UK", -0.66, 0.24),
        ("Germany", -0.47, 0.24),
        ("Netherlands", -0.47, 0.24),
        ("France", -0.12, 0.24),
        ("Italy", -0.12, 0.24),
        ("Luxembourg", 0.60, 0.24),
    ];
    let belgium = EC.iter().position(|a| a.0 == "Belgium").unwrap();
    let pairs = Bdm::default().view(&ec_input(), belgium, 1).unwrap();
    for (name, a, b) in published {
        let p = pairs.iter().find(|p| EC[p.other].0 == name).unwrap();
        assert!((p.a - a).abs() <= 0.02, "{name}: a = {} vs {a}", p.a);
        assert!((p.b - b).abs() <= 0.02, "{name}: b = {} vs {b}", p.b);
    }
    for name in ["Ireland", "Greece"] {
        let p = pairs.iter().find(|p| EC[p.other].0 == name).unwrap();
        assert_eq!((p.a, p.b, p.region), (0.0, 0.0, Region::SamePosition));
    }
}

/// Two actors at the ends of the range (d = 1): every probability and expected utility has
/// a closed form (worked by hand in docs/validation.md).
#[test]
fn two_actor_round_by_hand() {
    let (s1, s2) = (0.5, 0.9);
    let inp = input(&[0.0, 10.0], &[1.0, 1.0], &[s1, s2]);
    // Global denominator: G = sum_k w_k * 2 * |1 - 0| = 2 (w1 + w2).
    let (p12, p21) = (s1 / (2.0 * (s1 + s2)), s2 / (2.0 * (s1 + s2)));
    let bdm = Bdm::default();
    let (p, r) = bdm.probabilities(&inp, 1).unwrap();
    assert!((p[1] - p12).abs() < 1e-12 && (p[2] - p21).abs() < 1e-12);
    // With d = 1: E_rho(i -> j) = 4 (0.5^rho - s_j (1 - P_ij)). Danger: S_1 = E_1(2 -> 1)
    // = 0.643 > S_2 = -0.957, so actor 1 is the most threatened: r = (0.5, 2).
    assert_eq!(r, vec![0.5, 2.0]);
    let a = 4.0 * (0.5f64.sqrt() - s2 * (1.0 - p12));
    let b = 4.0 * (0.5f64.sqrt() - s1 * (1.0 - p21));
    assert!(a < 0.0 && b > -a, "a compromise for actor 1");
    let run = bdm.run(&inp).unwrap();
    let m = &run.rounds[1].moves;
    assert_eq!(m.len(), 1, "actor 2 sits in a stalemate");
    assert!((m[0].a - a).abs() < 1e-12 && (m[0].b - b).abs() < 1e-12);
    assert!((run.rounds[1].positions[0] - 10.0 * (-a / b)).abs() < 1e-12);
}

#[test]
fn pairwise_probabilities_of_two_actors_are_weight_shares() {
    let inp = input(&[2.0, 7.0], &[3.0, 1.0], &[0.5, 0.5]);
    let (p, _) = Bdm::new(BdmOptions::preset(Preset::Paper))
        .probabilities(&inp, 1)
        .unwrap();
    assert!((p[1] - 0.75).abs() < 1e-12 && (p[2] - 0.25).abs() < 1e-12);
}
