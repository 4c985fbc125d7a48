//! Per-run metrics behind the knee-pain patterns of RISK_MODEL.md: cadence (median, spread,
//! thirds), grade and descent on a distance-smoothed elevation profile, time at or above a heart-rate
//! threshold, the pace of the first ten minutes and running dynamics.
//!
//! Pure functions of [`Samples`]. Conventions shared by every figure here:
//!
//! * **Moving time** is [`moving_weights`]: sample `i` carries the interval `i → i+1` when that
//!   interval is short and fast enough. Every time-weighted figure uses these weights, so pauses,
//!   standing still and duplicated samples (zero-length intervals) count for nothing.
//! * **Moving distance** is the distance of those same intervals (step `i+1` of
//!   [`step_distances`]). Paces are moving time over moving distance, so the mean pace and the
//!   pace of a slice of the run are measured alike.
//! * A slice of the run by moving time (a third, the first ten minutes) takes each interval's
//!   overlap with the slice, split pro rata where an interval straddles the slice's edge.

pub mod cadence;
pub mod dynamics;
pub mod grade;
pub mod heart;
pub mod moving;
pub mod stats;

use serde::{Deserialize, Serialize};

pub use cadence::{cadence_time, share_below, CadenceBin, CadenceStats, LOW_CADENCE_SPM};
pub use dynamics::Dynamics;
pub use grade::{
    grade_profile, GradeStats, DOWNHILL_GRADE, ELEVATION_JUMP_M, GRADE_TOLERANCE, GRADE_WINDOW_M,
    MAX_PLAUSIBLE_GRADE, STEEP_DOWNHILL_GRADE,
};
pub use heart::{heart_rate_bins, time_at_or_above, HeartRateBin, HeartRateStats};
pub use moving::{moving_weights, step_distances, DistanceMethod, Motion, MAX_MOVING_GAP_S};
pub(crate) use stats::percentile_in_place;
pub(crate) use stats::weighted_percentile;
pub use stats::{percentile, recorded_mean, weighted_median};

use crate::model::Samples;
use cadence::cadence_stats;
use grade::{grade_stats, segments};
use heart::heart_rate_stats;
use moving::{pace, MovingClock};

/// Length of the start that `no-easy-start` looks at, in moving time; a run needs more moving time
/// than this for an [`EasyStart`] (which runs the rule judges is its own threshold,
/// `easy_start_min_minutes`).
pub const EASY_START_WINDOW_S: f64 = 10.0 * 60.0;

/// Everything patella measures on one run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunMetrics {
    /// Moving time ([`moving_weights`]).
    pub moving_s: f64,
    /// All distance from [`step_distances`], pauses included; 0 without any distance.
    pub distance_m: f64,
    /// Distance covered while moving (the intervals that count as moving time).
    pub moving_distance_m: f64,
    /// Moving time over moving distance. `None` without moving distance.
    pub mean_pace_s_per_km: Option<f64>,
    /// `None` without any cadence > 0.
    pub cadence: Option<CadenceStats>,
    /// `None` without elevation or without distance; all zeros when the track does not move
    /// (fewer than two windows, see [`grade_profile`]).
    pub grade: Option<GradeStats>,
    /// `None` without any heart rate > 0.
    pub heart_rate: Option<HeartRateStats>,
    /// `None` for runs of 10 min of moving time or less, or without distance in the first 10 min.
    pub easy_start: Option<EasyStart>,
    /// `None` when no running-dynamics column holds a value > 0.
    pub dynamics: Option<Dynamics>,
}

/// The start of the run against the whole (`no-easy-start`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EasyStart {
    /// Pace over the first 10 minutes of moving time.
    pub first_10min_pace_s_per_km: f64,
    /// The run's mean moving pace ([`RunMetrics::mean_pace_s_per_km`]).
    pub mean_pace_s_per_km: f64,
}

/// Computes [`RunMetrics`] for one run.
///
/// `hr_threshold_bpm` is 85 % of the runner's HRmax, decided by the caller. With `None` (or a
/// value that is not a positive number) the heart-rate stats are still computed, with
/// `time_at_or_above_s = 0` and `threshold_bpm = None`.
pub fn run_metrics(s: &Samples, hr_threshold_bpm: Option<f64>) -> RunMetrics {
    run_metrics_with(s, &Motion::of(s), hr_threshold_bpm)
}

/// [`run_metrics`] with the motion already known.
pub fn run_metrics_with(s: &Samples, motion: &Motion, hr_threshold_bpm: Option<f64>) -> RunMetrics {
    let cadence_time = cadence_time(&s.cadence_spm, &motion.moving);
    run_metrics_from(s, motion, hr_threshold_bpm, &cadence_time)
}

/// [`run_metrics_with`] with the [`cadence_time`] of the run's cadence and moving time already
/// known (an extract keeps it: made once, not twice).
pub(crate) fn run_metrics_from(
    s: &Samples,
    motion: &Motion,
    hr_threshold_bpm: Option<f64>,
    cadence_time: &[(f64, f64)],
) -> RunMetrics {
    let steps = motion.step_m();
    let distance_m = steps.map_or(0.0, |d| d.iter().sum());
    let w = &motion.moving;
    let clock = MovingClock::new(w, steps);
    let moving_s = clock.total_s;
    let moving_distance_m = clock.total_m;
    let mean_pace_s_per_km = pace(moving_s, moving_distance_m);

    let easy_start = match mean_pace_s_per_km {
        Some(mean) if moving_s > EASY_START_WINDOW_S => {
            let first = clock.slice(0.0, EASY_START_WINDOW_S);
            pace(first.time_s, first.distance_m).map(|p| EasyStart {
                first_10min_pace_s_per_km: p,
                mean_pace_s_per_km: mean,
            })
        }
        _ => None,
    };

    let grade = match &steps {
        Some(d) if Samples::has(&s.elevation_m) => {
            let (stretches, jumps) = segments(s, d, w);
            Some(grade_stats(&stretches, jumps))
        }
        _ => None,
    };

    RunMetrics {
        moving_s,
        distance_m,
        moving_distance_m,
        mean_pace_s_per_km,
        cadence: cadence_stats(&s.cadence_spm, &clock, cadence_time),
        grade,
        heart_rate: heart_rate_stats(&s.heart_rate_bpm, w, hr_threshold_bpm),
        easy_start,
        dynamics: dynamics::dynamics(s, w),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Sample;

    /// Metres per degree of latitude for the test tracks (geo's mean radius gives 111195.08).
    const M_PER_DEG: f64 = 111_195.0;

    /// A 1 Hz run north along the meridian 7° E from 45° N: `speed(t)` is the speed from second
    /// `t` to `t+1`, `fill(t, x, sample)` sets the other columns at second `t`, distance `x`.
    fn run(
        secs: usize,
        speed: impl Fn(usize) -> f64,
        fill: impl Fn(usize, f64, &mut Sample),
    ) -> Samples {
        let mut s = Samples::default();
        let mut x = 0.0;
        for t in 0..=secs {
            let mut sample = Sample {
                t_s: t as f64,
                lat_deg: 45.0 + x / M_PER_DEG,
                lon_deg: 7.0,
                ..Sample::default()
            };
            fill(t, x, &mut sample);
            s.push(sample);
            x += speed(t);
        }
        s
    }

    /// Up 50 m over 1 km (+5 %), down 100 m over 1 km (−10 %), flat 1 km; 3 m/s, 1 Hz.
    fn hill() -> Samples {
        run(
            1000,
            |_| 3.0,
            |_, x, s| {
                s.elevation_m = if x <= 1000.0 {
                    0.05 * x
                } else if x <= 2000.0 {
                    50.0 - 0.10 * (x - 1000.0)
                } else {
                    -50.0
                }
            },
        )
    }

    fn reversed(s: &Samples) -> Samples {
        let n = s.len();
        let end = s.t_s[n - 1];
        let mut r = Samples::default();
        for i in (0..n).rev() {
            let mut sample = s.get(i);
            sample.t_s = end - sample.t_s;
            r.push(sample);
        }
        r
    }

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[track_caller]
    fn assert_close(a: f64, b: f64, tol: f64) {
        assert!(close(a, b, tol), "{a} is not {b} ± {tol}");
    }

    #[test]
    fn known_profile() {
        let m = run_metrics(&hill(), None);
        let g = m.grade.expect("grade");
        // Each grade change blurs into the stretch between the two windows around it, and the
        // profile runs from the centre of the first window to the centre of the last: half a
        // 25 m window at each end of a slope is lost. On the −10 % slope that is 2 × 1.25 m =
        // 2.5 m (one window) of descent and 25 m of distance; samples every 3 m put a window's
        // mean distance up to 1.5 m off its centre (0.15 m at 10 %), hence 2.65 m and 28 m.
        assert_close(g.descent_steep_m, 100.0, 2.65);
        assert_close(g.descent_downhill_m, 100.0, 2.65);
        assert_close(g.downhill_km, 1.0, 0.028);
        assert_close(g.steep_km, 1.0, 0.028);
        // +5 %: half a window at each end is 2 × 0.625 m, plus 0.075 m for sample placement.
        assert_close(g.ascent_m, 50.0, 1.35);
        // The climb never counts as descent: total descent is the downhill's plus at most the
        // transition stretch at the top (−0.6 m here, under a window at 5 %).
        assert!(g.descent_m >= g.descent_downhill_m && g.descent_m <= g.descent_downhill_m + 1.25);
        // Inside each slope the profile has the exact grade.
        let profile = grade_profile(&hill());
        let at = |d: f64| {
            profile
                .iter()
                .min_by(|a, b| (a.0 - d).abs().total_cmp(&(b.0 - d).abs()))
                .map(|p| p.1)
                .expect("profile")
        };
        assert_close(at(500.0), 0.05, 1e-4);
        assert_close(at(1500.0), -0.10, 1e-4);
        assert_close(at(2500.0), 0.0, 1e-9);
        // Distance and pace: 3000 m in 1000 s (geo's Earth is 111195.08 m per degree).
        assert_close(m.distance_m, 3000.0, 0.01);
        assert_close(m.moving_s, 1000.0, 0.0);
        assert_close(m.mean_pace_s_per_km.expect("pace"), 1000.0 / 3.0, 0.01);
    }

    #[test]
    fn an_elevation_jump_is_not_a_descent() {
        // Flat 1 km at 3 m/s whose elevation drops 20 m within 3 m of distance at 500 m (a
        // barometer recalibrating): no downhill, the jump reported apart.
        let s = run(
            333,
            |_| 3.0,
            |_, x, s| s.elevation_m = if x < 500.0 { 120.0 } else { 100.0 },
        );
        let g = run_metrics(&s, None).grade.expect("grade");
        assert_eq!(g.descent_downhill_m, 0.0);
        assert_eq!(g.descent_steep_m, 0.0);
        assert_eq!(g.descent_m, 0.0);
        assert_close(g.implausible_elevation_m, 20.0, 1e-9);
    }

    #[test]
    fn reversing_swaps_ascent_and_descent() {
        let fwd = run_metrics(&hill(), None).grade.expect("grade");
        let back = run_metrics(&reversed(&hill()), None).grade.expect("grade");
        // The windows split the track's span evenly, so reversed they are the same windows; only
        // a sample lying exactly on a window edge could change sides (≤ 0.1 m at these grades).
        assert_close(back.ascent_m, fwd.descent_m, 0.1);
        assert_close(back.descent_m, fwd.ascent_m, 0.1);
        assert!(back.ascent_m > 95.0 && back.descent_m < 51.0, "{back:?}");
    }

    /// A run using every column, to check that duplicates change nothing.
    fn full_run() -> Samples {
        run(
            2400,
            |t| if t < 900 { 2.8 } else { 3.2 },
            |t, x, s| {
                s.elevation_m = 30.0 * (x / 300.0).sin();
                s.distance_m = x;
                s.cadence_spm = 160.0 + (t % 23) as f64;
                s.heart_rate_bpm = 130.0 + (t % 41) as f64;
                s.ground_contact_s = 0.24 + (t % 7) as f64 * 0.005;
                s.gct_balance_left_pct = 49.0 + (t % 5) as f64 * 0.5;
                s.vertical_oscillation_m = 0.08;
                s.step_length_m = 1.0 + (t % 3) as f64 * 0.05;
            },
        )
    }

    #[test]
    fn duplicated_samples_change_nothing() {
        let s = full_run();
        let mut dup = Samples::default();
        for i in 0..s.len() {
            dup.push(s.get(i));
            dup.push(s.get(i));
        }
        let (a, b) = (run_metrics(&s, Some(160.0)), run_metrics(&dup, Some(160.0)));
        assert!(a.cadence.is_some() && a.grade.is_some() && a.easy_start.is_some());
        assert!(a.heart_rate.is_some() && a.dynamics.is_some());
        // Window means are sums in another order: equal to rounding.
        let (ga, gb) = (
            a.grade.clone().expect("grade"),
            b.grade.clone().expect("grade"),
        );
        for (x, y) in [
            (ga.ascent_m, gb.ascent_m),
            (ga.descent_m, gb.descent_m),
            (ga.descent_downhill_m, gb.descent_downhill_m),
            (ga.descent_steep_m, gb.descent_steep_m),
            (ga.downhill_km, gb.downhill_km),
            (ga.steep_km, gb.steep_km),
        ] {
            assert_close(x, y, 1e-9);
        }
        assert!(ga.descent_downhill_m > 0.0);
        let strip = |m: &RunMetrics| RunMetrics {
            grade: None,
            ..m.clone()
        };
        assert_eq!(strip(&a), strip(&b));
        assert_eq!(grade_profile(&s).len(), grade_profile(&dup).len());
    }

    #[test]
    fn cadence_fade_by_thirds() {
        // 60 min at 3 m/s; 176 spm for 20 min, 171 for 20, 166 for the last 20.
        let cad = |t: usize| match t {
            0..1200 => 176.0,
            1200..2400 => 171.0,
            _ => 166.0,
        };
        let s = run(3600, |_| 3.0, |t, _, s| s.cadence_spm = cad(t));
        let c = run_metrics(&s, None).cadence.expect("cadence");
        assert_eq!(c.first_third_spm, Some(176.0));
        assert_eq!(c.last_third_spm, Some(166.0));
        assert_eq!(c.median_spm, 171.0);
        let (first, last) = (
            c.first_third_pace_s_per_km.expect("pace"),
            c.last_third_pace_s_per_km.expect("pace"),
        );
        assert_close(first, 1000.0 / 3.0, 0.01);
        assert_close(last, 1000.0 / 3.0, 0.01);

        // Same cadence, the last third at 2.5 m/s (400 s/km).
        let s = run(
            3600,
            |t| if t >= 2400 { 2.5 } else { 3.0 },
            |t, _, s| s.cadence_spm = cad(t),
        );
        let c = run_metrics(&s, None).cadence.expect("cadence");
        assert_close(c.first_third_pace_s_per_km.expect("pace"), 333.33, 0.01);
        assert_close(c.last_third_pace_s_per_km.expect("pace"), 400.0, 0.01);
        assert_eq!(c.last_third_spm, Some(166.0));
    }

    #[test]
    fn easy_start_pace() {
        // 10 min at 6:30/km, then 30 min at 5:30/km.
        let slow = 1000.0 / 390.0;
        let fast = 1000.0 / 330.0;
        let s = run(2400, |t| if t < 600 { slow } else { fast }, |_, _, _| {});
        let m = run_metrics(&s, None);
        let e = m.easy_start.expect("easy start");
        assert_close(e.first_10min_pace_s_per_km, 390.0, 0.01);
        // 600 s / 390 s/km = 1.538462 km, 1800 s / 330 s/km = 5.454545 km: 6.993007 km in
        // 2400 s is 343.20 s/km.
        assert_close(e.mean_pace_s_per_km, 343.20, 0.01);
        assert_eq!(m.mean_pace_s_per_km, Some(e.mean_pace_s_per_km));

        // 10 min is all start and no run: nothing to compare.
        let s = run(600, |_| 3.0, |_, _, _| {});
        assert_eq!(run_metrics(&s, None).easy_start, None);
        // 25 min has a start and a rest (whether the rule judges it is its threshold's say).
        let s = run(1500, |_| 3.0, |_, _, _| {});
        assert!(run_metrics(&s, None).easy_start.is_some());
    }

    #[test]
    fn time_at_or_above_hr_threshold() {
        // 20 min at 170, 20 min at 140.
        let s = run(
            2400,
            |_| 3.0,
            |t, _, s| s.heart_rate_bpm = if t < 1200 { 170.0 } else { 140.0 },
        );
        let h = run_metrics(&s, Some(160.0)).heart_rate.expect("hr");
        assert_close(h.time_at_or_above_s, 1200.0, 1.0);
        assert_eq!(h.threshold_bpm, Some(160.0));
        assert_eq!(h.max_bpm, 170.0);
        assert_close(h.mean_bpm, 155.0, 0.05);
        let h = run_metrics(&s, None).heart_rate.expect("hr");
        assert_eq!((h.time_at_or_above_s, h.threshold_bpm), (0.0, None));
        let h = run_metrics(&s, Some(f64::NAN)).heart_rate.expect("hr");
        assert_eq!(h.threshold_bpm, None);
    }

    #[test]
    fn percentile_by_nearest_rank() {
        let v = [40.0, 15.0, f64::NAN, 50.0, 35.0, 20.0];
        // Sorted without NaN: 15 20 35 40 50. Rank ⌈p·5⌉.
        assert_eq!(percentile(&v, 0.0), Some(15.0));
        assert_eq!(percentile(&v, 10.0), Some(15.0)); // rank 1
        assert_eq!(percentile(&v, 30.0), Some(20.0)); // rank 2
        assert_eq!(percentile(&v, 40.0), Some(20.0)); // rank 2 exactly
        assert_eq!(percentile(&v, 50.0), Some(35.0)); // rank 3
        assert_eq!(percentile(&v, 90.0), Some(50.0)); // rank 5
        assert_eq!(percentile(&v, 100.0), Some(50.0));
        assert_eq!(percentile(&v, 150.0), Some(50.0));
        let ten: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(percentile(&ten, 70.0), Some(7.0));
        assert_eq!(percentile(&ten, 99.0), Some(10.0));
        assert_eq!(percentile(&[], 50.0), None);
        assert_eq!(percentile(&[f64::NAN], 50.0), None);
        assert_eq!(percentile(&v, f64::NAN), None);
    }

    #[test]
    fn percentile_by_selection_is_the_weighted_one_with_weights_of_one() {
        // Repeated values, both zeros, NaN mixed in; every p from 0 to 100 and beyond.
        let v: Vec<f64> = (0u32..997)
            .map(|i| match i % 11 {
                0 => f64::NAN,
                1 => -0.0,
                2 => 0.0,
                _ => f64::from((i * 7919) % 113) / 3.0 - 10.0,
            })
            .collect();
        let pairs: Vec<(f64, f64)> = v
            .iter()
            .filter(|x| !x.is_nan())
            .map(|x| (*x, 1.0))
            .collect();
        for p in (0..=1050).map(|p| f64::from(p) / 10.0) {
            let weighted = stats::weighted_percentile(pairs.clone(), p);
            assert_eq!(
                percentile(&v, p).map(f64::to_bits),
                weighted.map(f64::to_bits),
                "p{p}"
            );
        }
    }

    #[test]
    fn cadence_share_below_170() {
        // 1 s per sample; the last sample has no interval after it and counts for nothing.
        let series = [
            180.0,
            165.0,
            0.0,
            172.0,
            160.0,
            f64::NAN,
            175.0,
            168.0,
            180.0,
            180.0,
            100.0,
        ];
        let s = run(
            series.len() - 1,
            |_| 3.0,
            |t, _, s| s.cadence_spm = series[t],
        );
        let c = run_metrics(&s, None).cadence.expect("cadence");
        // Counted: 180 165 172 160 175 168 180 180 (8 s); below 170: 165 160 168 (3 s).
        assert_close(c.below_170_share, 3.0 / 8.0, 1e-12);
        // Sorted: 160 165 168 172 175 180 180 180; median reaches 4 of 8 s at 172.
        assert_eq!(c.median_spm, 172.0);
        assert_eq!(c.p10_spm, 160.0); // 0.8 s
        assert_eq!(c.p90_spm, 180.0); // 7.2 s
                                      // No cadence > 0 at all: no stats.
        let s = run(10, |_| 3.0, |_, _, s| s.cadence_spm = 0.0);
        assert_eq!(run_metrics(&s, None).cadence, None);
    }

    #[test]
    fn dynamics_means() {
        // 10 s at GCT 250 ms / balance 49 %, then 30 s at 270 ms / 52 %; a 0 is no reading.
        let s = run(
            40,
            |_| 3.0,
            |t, _, s| {
                (s.ground_contact_s, s.gct_balance_left_pct) = match t {
                    0..10 => (0.25, 49.0),
                    10 => (0.0, 0.0),
                    _ => (0.27, 52.0),
                };
            },
        );
        let d = run_metrics(&s, None).dynamics.expect("dynamics");
        // Weights: samples 0..9 have 10 s, 11..39 have 29 s (sample 40 ends the run).
        assert_close(
            d.ground_contact_s.expect("gct"),
            (0.25 * 10.0 + 0.27 * 29.0) / 39.0,
            1e-12,
        );
        assert_close(
            d.gct_balance_left_pct.expect("balance"),
            (490.0 + 52.0 * 29.0) / 39.0,
            1e-12,
        );
        assert_eq!(
            (
                d.vertical_oscillation_m,
                d.vertical_ratio_pct,
                d.step_length_m
            ),
            (None, None, None)
        );
        assert_eq!(
            run_metrics(&run(40, |_| 3.0, |_, _, _| {}), None).dynamics,
            None
        );
    }

    #[test]
    fn no_elevation_no_grade() {
        let s = run(600, |_| 3.0, |_, _, _| {});
        assert_eq!(run_metrics(&s, None).grade, None);
        assert!(grade_profile(&s).is_empty());
        // Elevation without any distance (no GPS, no distance field): no grade either.
        let mut s = Samples::default();
        for t in 0..100 {
            s.push(Sample {
                t_s: t as f64,
                elevation_m: t as f64,
                ..Sample::default()
            });
        }
        assert_eq!(run_metrics(&s, None).grade, None);
    }

    #[test]
    fn standing_still_makes_no_grade() {
        // 10 min on one spot while the altimeter drifts 30 m and GPS wobbles by 0.2 m.
        let s = run(
            600,
            |_| 0.0,
            |t, _, s| {
                s.elevation_m = t as f64 * 0.05;
                s.lat_deg += if t % 2 == 0 { 0.0 } else { 0.2 / M_PER_DEG };
            },
        );
        let g = run_metrics(&s, None).grade.expect("grade");
        assert_eq!((g.ascent_m, g.descent_m, g.downhill_km), (0.0, 0.0, 0.0));
        assert!(grade_profile(&s).is_empty());
    }

    #[test]
    fn empty_samples() {
        let m = run_metrics(&Samples::default(), Some(160.0));
        assert_eq!(m.moving_s, 0.0);
        assert_eq!(m.distance_m, 0.0);
        assert_eq!(m.mean_pace_s_per_km, None);
        assert_eq!(m.cadence, None);
        assert_eq!(m.grade, None);
        assert_eq!(m.heart_rate, None);
        assert_eq!(m.easy_start, None);
        assert_eq!(m.dynamics, None);
        assert!(grade_profile(&Samples::default()).is_empty());
    }
}
