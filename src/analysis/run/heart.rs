//! Heart rate: mean, maximum and time at or above the hard-session threshold.

use serde::{Deserialize, Serialize};

use super::stats::weighted_mean;

/// Heart rate over samples with heart rate > 0.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HeartRateStats {
    /// Moving-time-weighted mean (every sample counts equally where there is no moving time).
    pub mean_bpm: f64,
    /// Highest recorded value, moving or not.
    pub max_bpm: f64,
    /// Moving time with heart rate ≥ `threshold_bpm`; 0 when there is no threshold.
    pub time_at_or_above_s: f64,
    /// The threshold the caller passed (85 % of HRmax); `None` when it passed none, or a value
    /// that is not a positive number.
    pub threshold_bpm: Option<f64>,
}

pub(crate) fn heart_rate_stats(
    hr: &[f64],
    w: &[f64],
    threshold: Option<f64>,
) -> Option<HeartRateStats> {
    let max_bpm = hr
        .iter()
        .copied()
        .filter(|v| *v > 0.0)
        .max_by(f64::total_cmp)?;
    let mean_bpm = weighted_mean(hr, w)?;
    let threshold_bpm = threshold.filter(|t| t.is_finite() && *t > 0.0);
    let time_at_or_above_s = match threshold_bpm {
        Some(t) => hr
            .iter()
            .zip(w)
            .filter(|(h, _)| **h >= t)
            .map(|(_, w)| *w)
            .sum(),
        None => 0.0,
    };
    Some(HeartRateStats {
        mean_bpm,
        max_bpm,
        time_at_or_above_s,
        threshold_bpm,
    })
}
