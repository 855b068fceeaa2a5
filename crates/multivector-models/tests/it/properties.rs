//! Invariants of the expected-utility model on random inputs.

use multivector_models::bdm::{Bdm, BdmOptions, Preset};
use proptest::prelude::*;

use crate::oracle::random_input;

fn preset() -> impl Strategy<Value = Preset> {
    prop_oneof![Just(Preset::Scholz), Just(Preset::Paper)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn positions_stay_within_the_initial_range(inp in random_input(), p in preset()) {
        let lo = inp.positions().iter().cloned().fold(f64::MAX, f64::min);
        let hi = inp.positions().iter().cloned().fold(f64::MIN, f64::max);
        let run = Bdm::new(BdmOptions::preset(p)).run(&inp).unwrap();
        for r in &run.rounds {
            for &x in &r.positions {
                prop_assert!(x >= lo - 1e-12 && x <= hi + 1e-12);
            }
            prop_assert!(r.median >= lo && r.median <= hi);
            prop_assert!(r.mean >= lo - 1e-9 && r.mean <= hi + 1e-9);
            if let Some(risk) = &r.risk {
                for &e in risk {
                    prop_assert!((0.5..=2.0).contains(&e));
                }
            }
        }
    }

    #[test]
    fn probabilities_lie_in_the_unit_interval(inp in random_input(), p in preset(), round in 1usize..4) {
        let (pm, _) = Bdm::new(BdmOptions::preset(p)).probabilities(&inp, round).unwrap();
        let n = inp.len();
        for i in 0..n {
            for j in 0..n {
                let v = pm[i * n + j];
                prop_assert!((0.0..=1.0).contains(&v), "P[{i}][{j}] = {v}");
                if p == Preset::Paper && v > 0.0 {
                    // Pairwise probabilities of a pair sum to one.
                    prop_assert!((v + pm[j * n + i] - 1.0).abs() < 1e-9);
                }
            }
        }
    }

    #[test]
    fn relabelling_actors_changes_only_the_order(
        inp in random_input(),
        p in preset(),
        seed in any::<u64>(),
    ) {
        let n = inp.len();
        // A permutation from the seed (Fisher-Yates with a tiny LCG: test-only).
        let mut perm: Vec<usize> = (0..n).collect();
        let mut st = seed | 1;
        for k in (1..n).rev() {
            st = st.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            perm.swap(k, (st >> 33) as usize % (k + 1));
        }
        let model = Bdm::new(BdmOptions::preset(p));
        let a = model.run(&inp).unwrap();
        let b = model.run(&inp.permuted(&perm)).unwrap();
        for (ra, rb) in a.rounds.iter().zip(&b.rounds) {
            for (k, &src) in perm.iter().enumerate() {
                prop_assert!(rb.positions[k] == ra.positions[src], "round {}: {} vs {}", ra.round, rb.positions[k], ra.positions[src]);
            }
            prop_assert_eq!(ra.median, rb.median);
            // The mean is a summary summed in input order: equal up to rounding.
            prop_assert!((ra.mean - rb.mean).abs() < 1e-9);
        }
    }

    #[test]
    fn runs_repeat_exactly(inp in random_input(), p in preset()) {
        let model = Bdm::new(BdmOptions::preset(p));
        prop_assert_eq!(model.run(&inp).unwrap(), model.run(&inp).unwrap());
    }
}
