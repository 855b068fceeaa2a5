//! The spatial model's round loop allocates nothing once its buffers have grown: a forecast
//! of 40 rounds makes no more allocations than one of 10, beyond the one entry a round adds
//! to the forecast's path (and the amortised growth of the per-round records).
//!
//! `allocation_counter` (which replaces this test binary's allocator) counts the allocations
//! of the calling thread only, and the spatial model runs on the calling thread below 64
//! actors.

use multivector_core::Forecaster;
use multivector_models::smp::{BargainView, Smp, SmpOptions, SmpStop, Transitions};

use super::fixtures::ec_input;

/// The allocations of one forecast of the EC example that runs exactly `rounds` rounds
/// (stochastic transitions: no cycle is copied instead of computed).
fn allocations(view: BargainView, rounds: usize) -> u64 {
    let o = SmpOptions {
        transitions: Transitions::Stochastic,
        bargain_view: view,
        stop: SmpStop {
            min_rounds: rounds,
            max_rounds: rounds,
            ..SmpStop::default()
        },
        ..SmpOptions::default()
    };
    let input = ec_input();
    let mut ran = None;
    let info = allocation_counter::measure(|| {
        ran = Smp::new(o).forecast(&input).unwrap().rounds;
    });
    assert_eq!(ran, Some(rounds));
    info.count_total
}

#[test]
fn the_spatial_round_loop_allocates_only_its_path() {
    for view in [
        BargainView::Initiator,
        BargainView::Both,
        BargainView::PowerWeighted,
    ] {
        let (short, long) = (allocations(view, 10), allocations(view, 40));
        // One path entry a round, and a few doublings of the vectors that grow by a round.
        let allowed = 30 + 3 * 8;
        assert!(
            long <= short + allowed,
            "{view:?}: 10 rounds {short} allocations, 40 rounds {long} (at most {allowed} more)"
        );
    }
}
