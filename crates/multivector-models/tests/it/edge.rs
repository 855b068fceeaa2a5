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

use multivector_core::InputEvent;

fn event(round: usize, slot: usize) -> InputEvent {
    InputEvent {
        round,
        slot,
        position: None,
        salience: None,
        capability: None,
        leave: false,
        enter: false,
    }
}

#[test]
fn a_no_op_event_changes_nothing() {
    let inp = crate::fixtures::ec_input();
    let mut with = inp.clone();
    with = with
        .with_event(InputEvent {
            capability: Some(inp.capabilities()[3]),
            ..event(3, 3)
        })
        .unwrap();
    let a = Bdm::default().run(&inp).unwrap();
    let b = Bdm::default().run(&with).unwrap();
    assert_eq!(a.rounds, b.rounds);
}

#[test]
fn a_leaver_stops_moving_and_stops_counting() {
    let inp = crate::fixtures::ec_input();
    let bel = 1;
    let mut with = inp.clone();
    with = with
        .with_event(InputEvent {
            leave: true,
            ..event(2, bel)
        })
        .unwrap();
    let run = Bdm::default().run(&with).unwrap();
    for r in &run.rounds[2..] {
        assert!(
            r.moves
                .iter()
                .all(|m| m.actor != bel && m.counterpart != bel),
            "round {}",
            r.round
        );
        assert_eq!(
            r.positions[bel], run.rounds[1].positions[bel],
            "it stays where it was"
        );
    }
    // Round 1 is as without the event.
    let base = Bdm::default().run(&inp).unwrap();
    assert_eq!(run.rounds[1], base.rounds[1]);
    // From round 2 the median is that of the others.
    let mut w = with.weights();
    w[bel] = 0.0;
    let r2 = &run.rounds[2];
    assert_eq!(
        r2.median,
        multivector_core::stats::weighted_median(&r2.positions, &w)
    );
}

#[test]
fn an_entrant_takes_no_part_before_its_round() {
    let inp = crate::fixtures::ec_input();
    let fra = 4;
    let mut with = inp.clone();
    with = with
        .with_event(InputEvent {
            enter: true,
            ..event(3, fra)
        })
        .unwrap();
    let run = Bdm::default().run(&with).unwrap();
    let mut w = with.weights();
    w[fra] = 0.0;
    assert_eq!(
        run.rounds[0].median,
        multivector_core::stats::weighted_median(inp.positions(), &w)
    );
    for r in &run.rounds[1..3] {
        assert!(
            r.moves
                .iter()
                .all(|m| m.actor != fra && m.counterpart != fra)
        );
    }
}

#[test]
fn a_position_shock_lands_at_the_start_of_its_round() {
    let inp = input(&[0.0, 50.0, 100.0], &[1.0, 1.0, 1.0], &[0.5, 0.6, 0.7]);
    let mut with = inp.clone();
    with = with
        .with_event(InputEvent {
            position: Some(80.0),
            ..event(2, 1)
        })
        .unwrap();
    let run = Bdm::default().run(&with).unwrap();
    let r2 = &run.rounds[2];
    match r2.moves.iter().find(|m| m.actor == 1) {
        Some(m) => assert_eq!(m.from, 80.0),
        None => assert_eq!(r2.positions[1], 80.0),
    }
    // The baselines see the state after every event.
    let mean = multivector_models::baselines::WeightedMean
        .forecast(&with)
        .unwrap()
        .value;
    assert!((mean - (0.0 * 0.5 + 80.0 * 0.6 + 100.0 * 0.7) / 1.8).abs() < 1e-12);
}

#[test]
fn events_that_leave_no_weight_are_an_error() {
    let inp = input(&[0.0, 10.0], &[1.0, 1.0], &[0.5, 0.9]);
    let mut with = inp.clone();
    with = with
        .with_event(InputEvent {
            leave: true,
            ..event(2, 0)
        })
        .unwrap();
    with = with
        .with_event(InputEvent {
            leave: true,
            ..event(2, 1)
        })
        .unwrap();
    let e = Bdm::default().run(&with).unwrap_err();
    assert!(
        e.to_string()
            .contains("after the events of round 2 no actor has weight"),
        "{e}"
    );
}
