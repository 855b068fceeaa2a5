//! Degenerate inputs: no panic, no NaN, the documented behaviour.

use multivector_core::{Forecaster, StopReason, StopRule};
use multivector_models::bdm::{Bdm, BdmOptions, Preset};

use crate::fixtures::input;

#[test]
fn all_actors_at_one_position_do_not_divide_by_zero() {
    let inp = input(&[5.0, 5.0, 5.0], &[1.0, 2.0, 3.0], &[0.5, 0.5, 0.5]);
    for p in [Preset::Scholz, Preset::Paper] {
        let run = Bdm::new(BdmOptions::preset(p)).run(&inp).unwrap();
        assert!(run.rounds.iter().all(|r| r.moves.is_empty()));
        assert_eq!(run.forecast().value, 5.0);
        assert!(
            run.rounds
                .iter()
                .flat_map(|r| r.risk.iter().flatten())
                .all(|v| v.is_finite())
        );
    }
}

#[test]
fn zero_salience_and_zero_capability_actors_are_carried() {
    let inp = input(&[0.0, 40.0, 100.0], &[0.0, 1.0, 1.0], &[0.5, 0.0, 1.0]);
    let run = Bdm::default().run(&inp).unwrap();
    for r in &run.rounds {
        assert!(r.positions.iter().all(|v| v.is_finite()));
        assert!(r.median.is_finite() && r.mean.is_finite());
    }
}

#[test]
fn converged_rule_stops_on_a_fixed_point() {
    let inp = input(&[0.0, 10.0], &[1.0, 1.0], &[0.5, 0.9]);
    let mut o = BdmOptions::preset(Preset::Scholz);
    o.stop = BdmOptions::converged(100);
    let run = Bdm::new(o).run(&inp).unwrap();
    assert!(matches!(
        run.stop,
        StopReason::Converged | StopReason::Cycle
    ));
    assert!(run.rounds.len() < 101);
}

#[test]
fn q_outside_the_unit_interval_is_an_error() {
    let o = BdmOptions {
        q: 1.5,
        ..BdmOptions::default()
    };
    let inp = input(&[0.0, 10.0], &[1.0, 1.0], &[0.5, 0.9]);
    let e = Bdm::new(o).forecast(&inp).unwrap_err();
    assert!(e.to_string().contains("Q is 1.5"), "{e}");
}

#[test]
fn view_rejects_round_zero_and_unknown_actor() {
    let inp = input(&[0.0, 10.0], &[1.0, 1.0], &[0.5, 0.9]);
    assert!(Bdm::default().view(&inp, 0, 0).is_err());
    assert!(Bdm::default().view(&inp, 5, 1).is_err());
}

#[test]
fn fixed_rounds_are_run_exactly() {
    let inp = crate::fixtures::ec_input();
    let o = BdmOptions {
        stop: StopRule::Fixed { rounds: 3 },
        ..BdmOptions::default()
    };
    assert_eq!(Bdm::new(o).run(&inp).unwrap().rounds.len(), 4);
}
