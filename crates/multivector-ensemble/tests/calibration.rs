//! Calibration recovers known parameters from synthetic polls: the Kazakhstan population is
//! run with known values, its simulated toplines become the "published" figures (with a
//! sample of a million, so sampling noise is negligible), and the calibration, blind to the
//! values, must find them again.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use multivector_ensemble::calibrate::{Budget, Param, calibrate};
use multivector_scenario::population;

#[test]
fn calibration_recovers_known_parameters_from_synthetic_polls() {
    let mut spec = population::builtin("kazakhstan").unwrap().unwrap();
    let names: Vec<String> = vec!["media_strength".into(), "start_shift".into()];
    let truth = [2.5, -0.05];
    let (agents, seed) = (1_000, 11);
    let sweeps = spec.polls.iter().map(|p| p.sweep).max().unwrap();
    let synthetic = spec
        .with(&names, &truth)
        .unwrap()
        .run(agents, sweeps, seed)
        .unwrap();
    for (p, top) in spec.polls.iter_mut().zip(&synthetic.toplines) {
        for o in &mut p.observed {
            o.share = top[o.answer];
            o.n = 1e6;
        }
    }
    let params = vec![
        Param {
            name: names[0].clone(),
            low: 0.0,
            high: 5.0,
        },
        Param {
            name: names[1].clone(),
            low: -0.3,
            high: 0.3,
        },
    ];
    let loss = |theta: &[f64]| {
        let ans = spec
            .with(&names, theta)
            .unwrap()
            .run(agents, sweeps, seed)
            .unwrap();
        spec.loss(&ans, None)
    };
    let budget = Budget {
        points: 80,
        refine: 40,
        seed: 5,
    };
    let c = calibrate(&params, budget, &loss, &|_| {}).unwrap();
    // Stated tolerance: 0.02 on the shift (2% of the opinion scale) and 0.5 on the media
    // multiplier (10% of its range; the polls constrain it less).
    eprintln!(
        "recovered {:?} (truth {truth:?}), intervals {:?}",
        c.best, c.intervals
    );
    assert!((c.best[1] - truth[1]).abs() < 0.02, "{:?}", c.best);
    assert!((c.best[0] - truth[0]).abs() < 0.5, "{:?}", c.best);
    for (k, (lo, hi)) in c.intervals.iter().enumerate() {
        assert!(lo <= &c.best[k] && &c.best[k] <= hi);
    }
}
