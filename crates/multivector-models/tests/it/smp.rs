//! The spatial model: a hand-calculated run, edge cases KTAB crashes on, and invariants on
//! random inputs (every option combination drawn).

use multivector_models::smp::pce::{self, Election, PceRule, Scratch, VictoryProb, VotingRule};
use multivector_models::smp::{
    BargainPoint, BargainView, Dimension, RiskAdjust, RiskRange, Smp, SmpInput, SmpOptions,
    ThirdParty, Transitions,
};
use proptest::prelude::*;

fn unit_dim(name: &str) -> Dimension {
    Dimension {
        name: name.into(),
        min: 0.0,
        max: 1.0,
    }
}

fn input(caps: &[f64], pos: &[f64], sal: &[f64], d: usize) -> SmpInput {
    let n = caps.len();
    SmpInput::new(
        "t",
        (0..n).map(|i| format!("a{i}")).collect(),
        (0..d).map(|k| unit_dim(&format!("d{k}"))).collect(),
        caps.to_vec(),
        pos.to_vec(),
        sal.to_vec(),
    )
    .unwrap()
}

/// Two actors at 0.2 and 0.8 with saliences 0.5 and capabilities 3 and 1, worked by hand
/// (docs/models/smp.md shows the steps): the risk election gives p = (0.75, 0.25), so
/// R = (1, -1/2); A sees the contest as 9/13 in its favour and gains 0.249231 by
/// challenging; B, challenging A, sees 2/7 and gains 0.205714; A's bargain (0.299 after
/// rounding) wins both queues; in round 2 nobody moves.
#[test]
fn two_actors_by_hand() {
    let run = Smp::default().run(&input(&[3.0, 1.0], &[0.2, 0.8], &[0.5, 0.5], 1));
    let s0 = &run.states[0];
    assert!((s0.risk[0] - 1.0).abs() < 1e-7 && (s0.risk[1] + 0.5).abs() < 1e-7);
    // Reported distribution: V(A, B) = 1.08 / 1.8.
    assert!(
        (s0.probability[0] - 0.6).abs() < 1e-7,
        "{:?}",
        s0.probability
    );
    let r1 = &run.rounds[0];
    assert_eq!(r1[0].target, Some(1));
    assert!((r1[0].win_probability - 9.0 / 13.0).abs() < 1e-9);
    assert!((r1[0].gain - 0.249231).abs() < 1e-6, "{}", r1[0].gain);
    assert_eq!(r1[1].target, Some(0));
    assert!((r1[1].win_probability - 2.0 / 7.0).abs() < 1e-9);
    assert!((r1[1].gain - 0.205714).abs() < 1e-6, "{}", r1[1].gain);
    for a in r1 {
        let b = a.chosen.as_ref().unwrap();
        assert_eq!((b.initiator, b.receiver), (0, 1));
        assert_eq!(a.queue, 2);
    }
    assert_eq!(run.states[1].positions, vec![vec![0.299], vec![0.299]]);
    assert!((run.moves[0] - 0.6).abs() < 1e-12);
    assert_eq!(run.rounds.len(), 2);
    assert!(run.converged);
    assert_eq!(run.fractional_change[1], 0.0);
    assert_eq!(run.most_probable.probability, 1.0);
    assert_eq!(run.most_probable.actors, vec!["a0", "a1"]);
    assert_eq!(run.weighted_median, vec![0.299]);
}

/// KTAB dies with NaN when every position is the same (p_max = p_min) and throws on zero
/// capability or zero salience; here they are a settled issue, a voiceless actor and an
/// indifferent one.
#[test]
fn ties_zero_capability_and_zero_salience_are_handled() {
    let same = Smp::default().run(&input(&[1.0, 2.0, 3.0], &[0.5; 3], &[0.4, 0.6, 0.2], 1));
    assert_eq!(same.states[0].risk, vec![0.0; 3]);
    assert_eq!(same.rounds.len(), 2);
    assert_eq!(same.most_probable.probability, 1.0);
    let odd = Smp::default().run(&input(
        &[0.0, 2.0, 3.0, 1.0],
        &[0.1, 0.5, 0.9, 0.3],
        &[0.5, 0.6, 0.7, 0.0],
        1,
    ));
    for st in &odd.states {
        assert!(st.probability.iter().all(|p| p.is_finite()));
        assert!(st.positions.iter().flatten().all(|x| x.is_finite()));
    }
}

#[test]
fn attention_budget_and_ranges_are_checked() {
    let over = SmpInput::new(
        "t",
        vec!["a".into(), "b".into()],
        vec![unit_dim("x"), unit_dim("y")],
        vec![1.0, 1.0],
        vec![0.1, 0.2, 0.3, 0.4],
        vec![0.6, 0.6, 0.1, 0.1],
    )
    .unwrap_err();
    assert!(over.to_string().contains("attention"), "{over}");
    let outside = SmpInput::new(
        "t",
        vec!["a".into(), "b".into()],
        vec![unit_dim("x")],
        vec![1.0, 1.0],
        vec![0.1, 1.2],
        vec![0.5, 0.5],
    )
    .unwrap_err();
    assert!(outside.to_string().contains("actor `b`"), "{outside}");
}

/// Positions are reported on the input's scale: a 0-100 copy of a unit-scale input gives
/// the same run times 100.
#[test]
fn scales_only_relabel() {
    let a = input(&[3.0, 2.0, 1.0], &[0.2, 0.5, 0.9], &[0.5, 0.7, 0.4], 1);
    let mut b = a.clone();
    b.dims[0].max = 100.0;
    let b = SmpInput::new(
        "t",
        b.actors.clone(),
        b.dims.clone(),
        b.capabilities.clone(),
        vec![20.0, 50.0, 90.0],
        b.saliences.clone(),
    )
    .unwrap();
    let (ra, rb) = (Smp::default().run(&a), Smp::default().run(&b));
    assert_eq!(ra.rounds.len(), rb.rounds.len());
    for (x, y) in ra
        .states
        .last()
        .unwrap()
        .positions
        .iter()
        .zip(&rb.states.last().unwrap().positions)
    {
        assert!((x[0] * 100.0 - y[0]).abs() < 1e-9);
    }
}

fn options() -> impl Strategy<Value = SmpOptions> {
    (
        prop_oneof![
            Just(VictoryProb::Linear),
            Just(VictoryProb::Square),
            Just(VictoryProb::Quartic),
            Just(VictoryProb::Octic),
            Just(VictoryProb::Binary)
        ],
        prop_oneof![
            Just(PceRule::Conditional),
            Just(PceRule::MarkovUniform),
            Just(PceRule::MarkovIncentive)
        ],
        prop_oneof![
            Just(Transitions::Deterministic),
            Just(Transitions::Stochastic)
        ],
        voting_rule(),
        prop_oneof![
            Just(RiskAdjust::None),
            Just(RiskAdjust::OneThird),
            Just(RiskAdjust::Half),
            Just(RiskAdjust::TwoThirds),
            Just(RiskAdjust::Full)
        ],
        prop_oneof![
            Just(RiskRange::Min),
            Just(RiskRange::Mid),
            Just(RiskRange::Max)
        ],
        prop_oneof![
            Just(ThirdParty::None),
            Just(ThirdParty::Semi),
            Just(ThirdParty::Full)
        ],
        prop_oneof![
            Just(BargainPoint::S1p1),
            Just(BargainPoint::S2p2),
            Just(BargainPoint::S2pmax)
        ],
        prop_oneof![
            Just(BargainView::Initiator),
            Just(BargainView::Both),
            Just(BargainView::PowerWeighted)
        ],
        any::<u64>(),
    )
        .prop_map(|(vp, pce, tr, vr, adj, range, tp, bp, bv, seed)| {
            let mut o = SmpOptions {
                victory_prob: vp,
                pce,
                transitions: tr,
                voting_rule: vr,
                big_r_adjust: adj,
                big_r_range: range,
                third_party_commit: tp,
                bargain_point: bp,
                bargain_view: bv,
                seed,
                ..SmpOptions::default()
            };
            o.stop.max_rounds = 6;
            o
        })
}

fn voting_rule() -> impl Strategy<Value = VotingRule> {
    prop_oneof![
        Just(VotingRule::Binary),
        Just(VotingRule::PropBin),
        Just(VotingRule::Prop),
        Just(VotingRule::PropCubic),
        Just(VotingRule::Cubic),
        Just(VotingRule::AsymProspect)
    ]
}

/// 3 to 9 actors in 1 to 3 dimensions, saliences within the attention budget.
fn random_input() -> impl Strategy<Value = SmpInput> {
    (3usize..10, 1usize..4).prop_flat_map(|(n, d)| {
        (
            proptest::collection::vec(0.05f64..10.0, n),
            proptest::collection::vec(0.0f64..=1.0, n * d),
            proptest::collection::vec(0.01f64..1.0, n * d),
        )
            .prop_map(move |(c, x, s)| {
                let mut s = s;
                for i in 0..n {
                    let row = &mut s[i * d..(i + 1) * d];
                    let total: f64 = row.iter().sum();
                    if total > 1.0 {
                        row.iter_mut().for_each(|v| *v /= total * 1.0001);
                    }
                }
                input(&c, &x, &s, d)
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_election_sums_to_one(
        m in 1usize..8,
        n in 1usize..8,
        seed in proptest::collection::vec(0.0f64..1.0, 64),
        w in proptest::collection::vec(0.0f64..5.0, 8),
        vr in voting_rule(),
        vp in prop_oneof![Just(VictoryProb::Linear), Just(VictoryProb::Square), Just(VictoryProb::Quartic), Just(VictoryProb::Octic), Just(VictoryProb::Binary)],
        rule in prop_oneof![Just(PceRule::Conditional), Just(PceRule::MarkovUniform), Just(PceRule::MarkovIncentive)],
    ) {
        let util: Vec<f64> = (0..m * n).map(|k| seed[k % 64]).collect();
        let p = pce::pce(Election { voting: vr, victory: vp, pce: rule }, &w[..n], &util, m, &mut Scratch::default());
        prop_assert_eq!(p.len(), m);
        prop_assert!(p.iter().all(|x| (0.0..=1.0).contains(x)));
        prop_assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-9, "{:?}", p);
    }

    #[test]
    fn votes_are_antisymmetric(w in 0.0f64..10.0, du in -1.0f64..1.0, a in 1e-8f64..10.0, b in 1e-8f64..10.0) {
        for vr in [VotingRule::Binary, VotingRule::PropBin, VotingRule::Prop, VotingRule::PropCubic, VotingRule::Cubic] {
            prop_assert_eq!(pce::vote(vr, w, du), -pce::vote(vr, w, -du));
        }
        for vp in [VictoryProb::Linear, VictoryProb::Square, VictoryProb::Quartic, VictoryProb::Octic, VictoryProb::Binary] {
            let s = pce::victory(vp, a, b) + pce::victory(vp, b, a);
            prop_assert!((s - 1.0).abs() < 1e-12, "{:?}: {}", vp, s);
        }
    }

    #[test]
    fn reported_distributions_sum_to_one_and_runs_repeat(inp in random_input(), o in options()) {
        let smp = Smp::new(o);
        let run = smp.run(&inp);
        for st in &run.states {
            let total: f64 = st.group.iter().enumerate().filter(|(i, g)| *i == **g).map(|(i, _)| st.probability[i]).sum();
            prop_assert!((total - 1.0).abs() < 1e-9, "{}", total);
            for p in st.positions.iter().flatten() {
                prop_assert!((0.0..=1.0).contains(p));
            }
        }
        prop_assert!(run.rounds.len() <= 6);
        prop_assert_eq!(&smp.run(&inp), &run);
    }

    /// Relabelling the actors permutes the result and changes nothing else (two rounds, so
    /// that a near-tie broken by summation order cannot send the runs apart).
    #[test]
    fn relabelling_changes_only_the_order(inp in random_input(), rot in 1usize..9) {
        let n = inp.len();
        let perm: Vec<usize> = (0..n).map(|k| (k + rot) % n).collect();
        // KTAB groups nearly equal positions in input order; canonical grouping does not
        // depend on the labels.
        let mut o = SmpOptions { canonical_groups: true, ..SmpOptions::default() };
        o.stop.max_rounds = 2;
        let a = Smp::new(o).run(&inp);
        let b = Smp::new(o).run(&inp.permuted(&perm));
        prop_assert_eq!(a.states.len(), b.states.len());
        for (sa, sb) in a.states.iter().zip(&b.states) {
            for (k, &p) in perm.iter().enumerate() {
                for (x, y) in sa.positions[p].iter().zip(&sb.positions[k]) {
                    prop_assert!((x - y).abs() < 1e-9, "{} vs {}", x, y);
                }
                prop_assert!((sa.probability[p] - sb.probability[k]).abs() < 1e-9);
            }
        }
    }
}

/// The stochastic transitions repeat for a seed, differ between seeds, and do not depend on
/// the number of threads (40 actors, so rounds run in parallel).
#[test]
fn stochastic_runs_repeat_whatever_the_thread_count() {
    let n = 40;
    let caps: Vec<f64> = (0..n).map(|i| 1.0 + (i * 7 % 11) as f64).collect();
    let pos: Vec<f64> = (0..n * 2)
        .map(|i| ((i * 37 % 101) as f64) / 100.0)
        .collect();
    let sal: Vec<f64> = (0..n * 2)
        .map(|i| 0.1 + ((i * 13 % 7) as f64) / 20.0)
        .collect();
    let inp = input(&caps, &pos, &sal, 2);
    let mut o = SmpOptions {
        transitions: Transitions::Stochastic,
        seed: 7,
        ..SmpOptions::default()
    };
    o.stop.max_rounds = 8;
    let pool = |t| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .build()
            .unwrap()
    };
    let one = pool(1).install(|| Smp::new(o).run(&inp));
    let two = pool(2).install(|| Smp::new(o).run(&inp));
    assert_eq!(one, two);
    o.seed = 8;
    let other = Smp::new(o).run(&inp);
    assert_ne!(one.states, other.states);
}
