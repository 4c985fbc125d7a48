//! Cadence: median, spread, time below a cadence, and the thirds of a run (`cadence-fade`).

use serde::{Deserialize, Serialize};

use super::moving::{pace, MovingClock, Slice};
use super::stats::{nearest_rank, totals_by_value, weighted_median};

/// Cadence below which a step counts towards [`CadenceStats::below_170_share`].
pub const LOW_CADENCE_SPM: f64 = 170.0;

/// Cadence in steps per minute over samples with cadence > 0, weighted by moving time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CadenceStats {
    /// Moving-time-weighted median ([`weighted_median`]).
    pub median_spm: f64,
    /// Moving-time-weighted 10th and 90th percentiles, nearest-rank style (the smallest value
    /// whose cumulative moving time reaches 10 % / 90 % of the total; see [`percentile`]).
    pub p10_spm: f64,
    pub p90_spm: f64,
    /// Share (0..1) of the moving time with cadence > 0 that has cadence < 170 spm.
    pub below_170_share: f64,
    /// Weighted median cadence of the first and last third of the moving time (`cadence-fade`).
    pub first_third_spm: Option<f64>,
    pub last_third_spm: Option<f64>,
    /// Pace of the same thirds: moving time over moving distance (`None` without distance).
    pub first_third_pace_s_per_km: Option<f64>,
    pub last_third_pace_s_per_km: Option<f64>,
}

/// `cadence_time` is [`cadence_time`] of `cadence` weighted by moving time, which the caller
/// keeps too.
pub(crate) fn cadence_stats(
    cadence: &[f64],
    clock: &MovingClock,
    cadence_time: &[(f64, f64)],
) -> Option<CadenceStats> {
    // The three percentiles from the run's time at each cadence: the pairs `weighted_median`
    // ranks, already sorted, with equal cadences merged (which leaves every rank on the same
    // value) and pairs without time kept (which add nothing before a rank is reached).
    let median_spm = nearest_rank(cadence_time, 50.0)?;
    let p10_spm = nearest_rank(cadence_time, 10.0)?;
    let p90_spm = nearest_rank(cadence_time, 90.0)?;
    let below_170_share = share_below(cadence_time, LOW_CADENCE_SPM);

    let third = clock.total_s / 3.0;
    let (first, last) = if third > 0.0 {
        (
            Some(clock.slice(0.0, third)),
            Some(clock.slice(2.0 * third, f64::INFINITY)),
        )
    } else {
        (None, None)
    };
    let third_cadence = |sl: &Option<Slice>| {
        sl.as_ref()
            .and_then(|sl| weighted_median(cadence, &sl.weights))
    };
    let third_pace = |sl: &Option<Slice>| sl.as_ref().and_then(|sl| pace(sl.time_s, sl.distance_m));
    Some(CadenceStats {
        median_spm,
        p10_spm,
        p90_spm,
        below_170_share,
        first_third_spm: third_cadence(&first),
        last_third_spm: third_cadence(&last),
        first_third_pace_s_per_km: third_pace(&first),
        last_third_pace_s_per_km: third_pace(&last),
    })
}

/// The time spent at each cadence: `(spm, moving seconds)` over samples with cadence > 0, sorted
/// by cadence, equal cadences merged. Where no sample has moving time, every sample counts one.
/// From it the share below any threshold follows ([`share_below`]).
pub fn cadence_time(cadence: &[f64], w: &[f64]) -> Vec<(f64, f64)> {
    let positive = cadence.iter().zip(w).filter(|(c, _)| **c > 0.0);
    let timed = positive.clone().any(|(_, w)| *w > 0.0);
    let pairs = positive.map(|(c, w)| (*c, if timed { *w } else { 1.0 }));
    totals_by_value(pairs)
        .into_iter()
        .map(|(c, w, _)| (c, w))
        .collect()
}

/// The share (0..1) of the time in `cadence_time` below `spm`; 0 without any time.
pub fn share_below(cadence_time: &[(f64, f64)], spm: f64) -> f64 {
    let total: f64 = cadence_time.iter().map(|(_, w)| w).sum();
    let low: f64 = cadence_time
        .iter()
        .filter(|(c, _)| *c < spm)
        .map(|(_, w)| w)
        .sum();
    if total > 0.0 {
        low / total
    } else {
        0.0
    }
}

/// Width of the bins of [`distribution`].
pub const DISTRIBUTION_BIN_SPM: f64 = 2.0;

/// One bin of the cadence distribution: minutes of running whose run median cadence falls in
/// `[from_spm, to_spm)`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CadenceBin {
    pub from_spm: f64,
    pub to_spm: f64,
    pub minutes: f64,
}

/// Bins runs' `(median cadence, moving minutes)` by [`DISTRIBUTION_BIN_SPM`]: bins are
/// `[k·bin, (k+1)·bin)`, only non-empty ones, ascending. Runs with a non-finite median or
/// non-finite or negative minutes are left out.
pub fn distribution(runs: impl IntoIterator<Item = (f64, f64)>) -> Vec<CadenceBin> {
    let bin = DISTRIBUTION_BIN_SPM;
    let mut acc: std::collections::BTreeMap<i64, f64> = std::collections::BTreeMap::new();
    for (median_spm, minutes) in runs {
        if !median_spm.is_finite() || !minutes.is_finite() || minutes < 0.0 {
            continue;
        }
        *acc.entry((median_spm / bin).floor() as i64).or_insert(0.0) += minutes;
    }
    acc.into_iter()
        .map(|(k, minutes)| CadenceBin {
            from_spm: k as f64 * bin,
            to_spm: (k + 1) as f64 * bin,
            minutes,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distribution_bins_minutes_by_median() {
        let bins = distribution([
            (170.0, 20.0),
            (171.9, 10.0),
            (165.2, 30.0),
            (f64::NAN, 99.0),
            (180.0, -1.0),
        ]);
        assert_eq!(
            bins,
            [
                CadenceBin {
                    from_spm: 164.0,
                    to_spm: 166.0,
                    minutes: 30.0
                },
                CadenceBin {
                    from_spm: 170.0,
                    to_spm: 172.0,
                    minutes: 30.0
                },
            ]
        );
        assert!(distribution([]).is_empty());
    }
}
