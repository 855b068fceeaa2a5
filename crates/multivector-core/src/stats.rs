//! Weighted central tendencies used by every bargaining model and by the baselines.

/// Weighted mean `sum w x / sum w`. Returns NaN when the weights sum to zero; callers work
/// on an [`crate::IssueInput`], which guarantees a positive total weight.
pub fn weighted_mean(x: &[f64], w: &[f64]) -> f64 {
    let (mut num, mut den) = (0.0, 0.0);
    for (xi, wi) in x.iter().zip(w) {
        num += wi * xi;
        den += wi;
    }
    num / den
}

/// Lower weighted median: the smallest position at which the cumulative weight of the
/// positions at or below it reaches half the total weight. It is the Condorcet winner among
/// the positions under votes `w_k (|x_k - z| - |x_k - y|)`. `O(n log n)` (sorts a copy).
/// Returns NaN for empty input.
pub fn weighted_median(x: &[f64], w: &[f64]) -> f64 {
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    weighted_median_sorted(x, w, &order)
}

/// [`weighted_median`] given an index order that sorts `x` ascending (reused scratch in hot
/// loops).
pub fn weighted_median_sorted(x: &[f64], w: &[f64], order: &[usize]) -> f64 {
    let total: f64 = w.iter().sum();
    let half = 0.5 * total;
    let mut cum = 0.0;
    let mut k = 0;
    while k < order.len() {
        // Sum the whole group of tied positions before testing.
        let here = x[order[k]];
        while k < order.len() && x[order[k]] == here {
            cum += w[order[k]];
            k += 1;
        }
        if cum >= half {
            return here;
        }
    }
    order.last().map_or(f64::NAN, |&i| x[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_is_lower_at_exact_half() {
        // Two equal weights: half the weight sits at 4, so the lower median is 4.
        assert_eq!(weighted_median(&[10.0, 4.0], &[1.0, 1.0]), 4.0);
    }

    #[test]
    fn median_groups_ties() {
        assert_eq!(
            weighted_median(&[7.0, 4.0, 7.0, 10.0], &[0.2, 0.3, 0.2, 0.3]),
            7.0
        );
    }

    #[test]
    fn mean_by_hand() {
        assert_eq!(weighted_mean(&[0.0, 10.0], &[3.0, 1.0]), 2.5);
    }
}
