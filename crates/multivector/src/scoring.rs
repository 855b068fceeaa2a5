//! Scores of a forecast distribution, given as an ensemble of draws, against one outcome:
//! the continuous ranked probability score, the probability integral transform and the
//! coverage of central intervals. Every function takes the draws sorted ascending (sort once,
//! score many ways) and is exact for the empirical distribution of the draws.

/// Quantile `p` of sorted draws by linear interpolation between order statistics (R's type 7,
/// as [`multivector_ensemble::quantile`]). NaN when there are no draws.
pub fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * p.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// CRPS of the empirical distribution of `sorted` against outcome `y`, in the units of the
/// scale: `E|X - y| - E|X - X'| / 2` with `X, X'` independent draws (the energy form). For a
/// single draw it is the absolute error, so a point forecast's CRPS is its absolute error.
/// Computed in O(n) from the order statistics: `sum_i sum_j |x_i - x_j| = 2 sum_i (2i - n - 1)
/// x_(i)` (i from 1).
pub fn crps_sorted(sorted: &[f64], y: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let nf = n as f64;
    let mut abs = 0.0;
    let mut spread = 0.0;
    for (i, &x) in sorted.iter().enumerate() {
        abs += (x - y).abs();
        spread += (2.0 * (i as f64 + 1.0) - nf - 1.0) * x;
    }
    abs / nf - spread / (nf * nf)
}

/// Probability integral transform: the share of draws below `y`, ties counting one half. A
/// calibrated forecast gives PIT values spread evenly over 0-1.
pub fn pit_sorted(sorted: &[f64], y: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let below = sorted.partition_point(|&x| x < y);
    let not_above = sorted.partition_point(|&x| x <= y);
    (below as f64 + 0.5 * (not_above - below) as f64) / sorted.len() as f64
}

/// Whether `y` lies in the central interval of probability `level` (for 0.8: from quantile
/// 0.1 to quantile 0.9, ends included).
pub fn covered(sorted: &[f64], y: f64, level: f64) -> bool {
    let tail = (1.0 - level) / 2.0;
    quantile_sorted(sorted, tail) <= y && y <= quantile_sorted(sorted, 1.0 - tail)
}

/// Bins of a PIT histogram.
pub const PIT_BINS: usize = 10;

/// The bin of a PIT value (0-1; 1 falls in the last bin).
pub fn pit_bin(pit: f64) -> usize {
    ((pit * PIT_BINS as f64).floor() as usize).min(PIT_BINS - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition, pair by pair: O(n^2), an independent check of the O(n) form.
    fn crps_pairs(x: &[f64], y: f64) -> f64 {
        let n = x.len() as f64;
        let abs: f64 = x.iter().map(|a| (a - y).abs()).sum::<f64>() / n;
        let pairs: f64 = x
            .iter()
            .flat_map(|a| x.iter().map(move |b| (a - b).abs()))
            .sum::<f64>()
            / (n * n);
        abs - pairs / 2.0
    }

    #[test]
    fn crps_matches_the_pairwise_definition_and_hand_values() {
        // One draw: the absolute error.
        assert_eq!(crps_sorted(&[30.0], 50.0), 20.0);
        // Draws 0 and 100, outcome 50: E|X-y| = 50, E|X-X'| = 50, CRPS = 25.
        assert_eq!(crps_sorted(&[0.0, 100.0], 50.0), 25.0);
        let x = [1.0, 2.0, 2.0, 7.5, 9.0, 30.0, 31.0];
        for y in [-5.0, 0.0, 2.0, 8.0, 100.0] {
            assert!((crps_sorted(&x, y) - crps_pairs(&x, y)).abs() < 1e-12);
        }
    }

    #[test]
    fn crps_of_a_uniform_ensemble_approaches_the_closed_form() {
        // U(0,1) against y: CRPS = y^2 - y + 1/3 (closed form); the empirical CRPS of n evenly
        // spaced draws differs by O(1/n).
        let n = 10_000;
        let x: Vec<f64> = (0..n).map(|i| (i as f64 + 0.5) / n as f64).collect();
        for y in [0.0, 0.25, 0.5, 0.9] {
            let exact = y * y - y + 1.0 / 3.0;
            assert!((crps_sorted(&x, y) - exact).abs() < 1e-4, "{y}");
        }
    }

    #[test]
    fn pit_counts_ties_half_and_bins_cover_the_unit_interval() {
        let x = [1.0, 2.0, 2.0, 3.0];
        assert_eq!(pit_sorted(&x, 0.0), 0.0);
        assert_eq!(pit_sorted(&x, 2.0), 0.5);
        assert_eq!(pit_sorted(&x, 2.5), 0.75);
        assert_eq!(pit_sorted(&x, 9.0), 1.0);
        assert_eq!(pit_bin(0.0), 0);
        assert_eq!(pit_bin(0.55), 5);
        assert_eq!(pit_bin(1.0), 9);
    }

    #[test]
    fn coverage_uses_type_7_quantiles() {
        let x: Vec<f64> = (0..=10).map(f64::from).collect();
        // Quantiles 0.1 and 0.9 of 0..=10 are 1 and 9; 0.25 and 0.75 are 2.5 and 7.5.
        assert!(covered(&x, 1.0, 0.8) && covered(&x, 9.0, 0.8));
        assert!(!covered(&x, 0.5, 0.8) && !covered(&x, 9.5, 0.8));
        assert!(covered(&x, 2.5, 0.5) && !covered(&x, 2.4, 0.5));
        assert_eq!(quantile_sorted(&x, 0.25), 2.5);
    }
}
