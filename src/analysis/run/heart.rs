//! Heart rate: mean, maximum and time at or above the hard-session threshold.

use serde::{Deserialize, Serialize};

use super::stats::{totals_by_value, weighted_mean};

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

/// The samples and moving time at one heart rate: what a run keeps of its heart rate for the
/// thresholds that are known only once the whole history is (HRmax, 85 % of it).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct HeartRateBin {
    pub bpm: f64,
    /// Samples at this heart rate (HRmax is a percentile of samples).
    pub samples: u32,
    /// Their moving time (time at or above a threshold sums it).
    pub moving_s: f64,
}

/// The heart rates of a run as bins: one per recorded value (> 0, finite), sorted by value. Watches
/// record whole beats per minute, so an hour at 1 Hz keeps about a hundred bins, not 3,600 pairs.
pub fn heart_rate_bins(hr: &[f64], w: &[f64]) -> Vec<HeartRateBin> {
    let pairs = hr
        .iter()
        .zip(w)
        .filter(|(h, _)| h.is_finite() && **h > 0.0)
        .map(|(h, w)| (*h, *w));
    totals_by_value(pairs)
        .into_iter()
        .map(|(bpm, moving_s, samples)| HeartRateBin {
            bpm,
            samples,
            moving_s,
        })
        .collect()
}

/// Moving time at or above `threshold` in `bins`.
pub fn time_at_or_above(bins: &[HeartRateBin], threshold: f64) -> f64 {
    bins.iter()
        .filter(|b| b.bpm >= threshold)
        .map(|b| b.moving_s)
        .sum()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::run::stats::{percentile, weighted_percentile};

    #[test]
    fn bins_keep_what_the_samples_give() {
        // An hour at 1 Hz of whole-beat heart rates, some missing or zero, uneven moving time.
        let hr: Vec<f64> = (0..3600)
            .map(|i| match i % 97 {
                0 => f64::NAN,
                1 => 0.0,
                _ => 120.0 + ((i * 37) % 61) as f64,
            })
            .collect();
        let w: Vec<f64> = (0..3600).map(|i| [1.0, 0.0, 1.0, 2.0][i % 4]).collect();
        let bins = heart_rate_bins(&hr, &w);
        assert_eq!(bins.len(), 61);
        assert!(bins.windows(2).all(|b| b[0].bpm < b[1].bpm));
        let recorded = hr.iter().filter(|h| h.is_finite() && **h > 0.0).count();
        assert_eq!(
            bins.iter().map(|b| b.samples as usize).sum::<usize>(),
            recorded
        );
        for t in [100.0, 130.0, 150.5, 180.0, 181.0] {
            let direct: f64 = hr
                .iter()
                .zip(&w)
                .filter(|(h, _)| **h >= t)
                .map(|p| p.1)
                .sum();
            assert_eq!(time_at_or_above(&bins, t), direct, "threshold {t}");
        }
        // The nearest-rank percentile of the bins, weighted by samples, is that of the samples.
        let valid: Vec<f64> = hr.iter().copied().filter(|h| *h > 0.0).collect();
        for p in [1.0, 50.0, 99.0, 100.0] {
            let weighted =
                weighted_percentile(bins.iter().map(|b| (b.bpm, b.samples as f64)).collect(), p);
            assert_eq!(weighted, percentile(&valid, p), "p{p}");
        }
    }
}
