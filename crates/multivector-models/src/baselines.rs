//! Baselines every forecast is shown beside: the compromise model (capability-times-salience
//! weighted mean) and the median-voter model (weighted median).

use multivector_core::{Forecast, Forecaster, IssueInput, ModelError, stats};

/// The compromise model: `sum c_i s_i x_i / sum c_i s_i`.
#[derive(Debug, Clone, Copy, Default)]
pub struct WeightedMean;

/// The median-voter model: the lower weighted median with weights `c_i s_i`.
#[derive(Debug, Clone, Copy, Default)]
pub struct WeightedMedian;

impl Forecaster for WeightedMean {
    fn name(&self) -> String {
        "mean".into()
    }
    fn forecast(&self, input: &IssueInput) -> Result<Forecast, ModelError> {
        Ok(Forecast {
            value: {
                let x = input.after_events();
                stats::weighted_mean(x.positions(), &x.weights())
            },
            rounds: None,
            note: None,
            path: None,
        })
    }
}

impl Forecaster for WeightedMedian {
    fn name(&self) -> String {
        "median".into()
    }
    fn forecast(&self, input: &IssueInput) -> Result<Forecast, ModelError> {
        Ok(Forecast {
            value: {
                let x = input.after_events();
                stats::weighted_median(x.positions(), &x.weights())
            },
            rounds: None,
            note: None,
            path: None,
        })
    }
}
