//! Running dynamics: ground contact, balance, vertical oscillation and ratio, step length.

use serde::{Deserialize, Serialize};

use super::stats::weighted_mean;
use crate::model::Samples;

/// Running dynamics: moving-time-weighted means over samples with a value > 0 (a 0 is the
/// device saying "no reading"). `None` per column without any such sample.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dynamics {
    pub ground_contact_s: Option<f64>,
    /// Share of ground contact on the left foot; `gct-imbalance` looks at its distance from 50.
    pub gct_balance_left_pct: Option<f64>,
    pub vertical_oscillation_m: Option<f64>,
    pub vertical_ratio_pct: Option<f64>,
    pub step_length_m: Option<f64>,
}

pub(crate) fn dynamics(s: &Samples, w: &[f64]) -> Option<Dynamics> {
    let d = Dynamics {
        ground_contact_s: weighted_mean(&s.ground_contact_s, w),
        gct_balance_left_pct: weighted_mean(&s.gct_balance_left_pct, w),
        vertical_oscillation_m: weighted_mean(&s.vertical_oscillation_m, w),
        vertical_ratio_pct: weighted_mean(&s.vertical_ratio_pct, w),
        step_length_m: weighted_mean(&s.step_length_m, w),
    };
    let any = d.ground_contact_s.is_some()
        || d.gct_balance_left_pct.is_some()
        || d.vertical_oscillation_m.is_some()
        || d.vertical_ratio_pct.is_some()
        || d.step_length_m.is_some();
    any.then_some(d)
}
