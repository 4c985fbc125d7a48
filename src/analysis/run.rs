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

use serde::{Deserialize, Serialize};

use crate::analysis::metrics::{
    moving_weights, step_distances, weighted_median, Motion, MAX_MOVING_GAP_S,
};
use crate::model::Samples;

/// Width of the distance windows the elevation is averaged over before grade is taken
/// (RISK_MODEL.md: at least 25 m, so GPS noise does not become grade).
pub const GRADE_WINDOW_M: f64 = 25.0;
/// Grade (rise over run, as a fraction) at or below which a stretch is downhill: −5 %.
pub const DOWNHILL_GRADE: f64 = -0.05;
/// Grade at or below which a stretch is steep downhill: −10 %.
pub const STEEP_DOWNHILL_GRADE: f64 = -0.10;
/// Slack on the grade thresholds, so that a slope lying exactly on −5 % or −10 % is not lost to
/// floating-point and Earth-radius rounding (a part in a million of the grade).
pub const GRADE_TOLERANCE: f64 = 1e-6;
/// Stretches steeper than this (up or down) are elevation glitches — a barometer recalibrating
/// in the first minutes, a GPS elevation jump — not terrain anyone runs: they count nowhere, and
/// their elevation change is reported as [`GradeStats::implausible_elevation_m`].
pub const MAX_PLAUSIBLE_GRADE: f64 = 0.5;
/// An elevation change between two samples larger than this (and steeper than
/// [`MAX_PLAUSIBLE_GRADE`]) is a jump in the recording, not terrain.
pub const ELEVATION_JUMP_M: f64 = 5.0;
/// Cadence below which a step counts towards [`CadenceStats::below_170_share`].
pub const LOW_CADENCE_SPM: f64 = 170.0;
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

/// Grade and descent on the distance-smoothed elevation profile (see [`grade_profile`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GradeStats {
    /// Elevation lost on stretches of grade ≤ −5 %.
    pub descent_downhill_m: f64,
    /// Elevation lost on stretches of grade ≤ −10 % (`steep-descent`).
    pub descent_steep_m: f64,
    /// Distance of stretches with grade ≤ −5 %, in km.
    pub downhill_km: f64,
    /// Distance of stretches with grade ≤ −10 %, in km.
    pub steep_km: f64,
    /// Every drop of the profile, whatever its grade.
    pub descent_m: f64,
    /// Every rise of the profile.
    pub ascent_m: f64,
    /// Elevation change on stretches steeper than [`MAX_PLAUSIBLE_GRADE`], left out of every
    /// other field.
    pub implausible_elevation_m: f64,
}

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

/// The start of the run against the whole (`no-easy-start`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EasyStart {
    /// Pace over the first 10 minutes of moving time.
    pub first_10min_pace_s_per_km: f64,
    /// The run's mean moving pace ([`RunMetrics::mean_pace_s_per_km`]).
    pub mean_pace_s_per_km: f64,
}

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
        cadence: cadence_stats(&s.cadence_spm, w, &clock),
        grade,
        heart_rate: heart_rate_stats(&s.heart_rate_bpm, w, hr_threshold_bpm),
        easy_start,
        dynamics: dynamics(s, w),
    }
}

/// The grade profile: `(distance_m, grade)` per stretch, grade as a fraction (−0.10 is −10 %).
///
/// Method: the cumulative distance of every sample comes from [`step_distances`], except that
/// short intervals that are not moving (GPS drift while standing, see [`moving_weights`]) add
/// no distance. The distance spanned by the samples that have elevation is cut into the largest
/// number of equal windows no shorter than [`GRADE_WINDOW_M`] (3010 m gives 120 windows of
/// 25.08 m; under 50 m, one window), so the windows are laid out alike from either end of the
/// track. Each window with samples becomes one point at the mean distance and mean elevation of
/// its samples; grade is the elevation change over the distance between consecutive points.
/// Across windows without samples the neighbouring points are joined directly, which is linear
/// interpolation over the empty windows (they would all get the same grade) reported as one
/// stretch. `distance_m` is the stretch's midpoint.
///
/// A track that does not move has a single window and so no grade; a run without elevation or
/// distance has an empty profile. The profile runs from the centre of the first window to the
/// centre of the last, so half a window at each end of the track is not part of it, and a change
/// of grade is blurred over the stretch between the two windows around it.
pub fn grade_profile(s: &Samples) -> Vec<(f64, f64)> {
    let Some((d, _)) = step_distances(s) else {
        return Vec::new();
    };
    let w = moving_weights(s, Some(&d));
    segments(s, &d, &w)
        .0
        .iter()
        .map(|g| ((g.from_m + g.to_m) / 2.0, g.rise_m / g.run_m()))
        .collect()
}

/// The `p`-th percentile (`p` in 0..=100, clamped) of the values that are not NaN, by nearest
/// rank: the smallest value with at least `p` % of the values at or below it (`p = 0` gives
/// the minimum). `None` when no value is left or `p` is NaN. For cadence p10/p90 the same
/// definition runs with moving time as the weights.
pub fn percentile(values: &[f64], p: f64) -> Option<f64> {
    let pairs = values
        .iter()
        .filter(|v| !v.is_nan())
        .map(|v| (*v, 1.0))
        .collect();
    weighted_percentile(pairs, p)
}

/// Nearest-rank percentile of `(value, weight)` pairs: the smallest value whose cumulative
/// weight reaches `p` % of the total. Where no pair has weight, every one counts equally (as
/// [`weighted_median`] does).
fn weighted_percentile(mut pairs: Vec<(f64, f64)>, p: f64) -> Option<f64> {
    if p.is_nan() || pairs.is_empty() {
        return None;
    }
    let p = p.clamp(0.0, 100.0);
    if !pairs.iter().any(|(_, w)| *w > 0.0) {
        pairs.iter_mut().for_each(|pair| pair.1 = 1.0);
    }
    pairs.retain(|(_, w)| *w > 0.0);
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let target = pairs.iter().map(|pair| pair.1).sum::<f64>() * p / 100.0;
    let mut acc = 0.0;
    for (v, w) in &pairs {
        acc += w;
        if acc >= target {
            return Some(*v);
        }
    }
    pairs.last().map(|pair| pair.0)
}

/// Pace in s/km; `None` unless both time and distance are positive.
fn pace(time_s: f64, distance_m: f64) -> Option<f64> {
    (time_s > 0.0 && distance_m > 0.0).then(|| time_s / (distance_m / 1000.0))
}

/// One moving interval (sample `i` to `i+1`) placed on the moving-time clock.
struct Interval {
    sample: usize,
    start_s: f64,
    dur_s: f64,
    distance_m: f64,
}

/// The moving intervals of a run, in order, on a clock that only runs while moving.
struct MovingClock {
    intervals: Vec<Interval>,
    total_s: f64,
    total_m: f64,
}

/// What a slice of the moving clock holds.
struct Slice {
    time_s: f64,
    distance_m: f64,
    /// Moving seconds of each sample inside the slice (indexed like the samples).
    weights: Vec<f64>,
}

impl MovingClock {
    fn new(w: &[f64], steps: Option<&[f64]>) -> MovingClock {
        let mut intervals = Vec::new();
        let (mut total_s, mut total_m) = (0.0, 0.0);
        for (i, &dur_s) in w.iter().enumerate() {
            if dur_s.is_nan() || dur_s <= 0.0 {
                continue;
            }
            let distance_m = steps
                .and_then(|d| d.get(i + 1))
                .copied()
                .filter(|d| d.is_finite())
                .unwrap_or(0.0);
            intervals.push(Interval {
                sample: i,
                start_s: total_s,
                dur_s,
                distance_m,
            });
            total_s += dur_s;
            total_m += distance_m;
        }
        MovingClock {
            intervals,
            total_s,
            total_m,
        }
    }

    /// The moving time `[from_s, to_s)`, intervals that straddle an edge split pro rata.
    fn slice(&self, from_s: f64, to_s: f64) -> Slice {
        let n = self.intervals.last().map_or(0, |iv| iv.sample + 1);
        let mut out = Slice {
            time_s: 0.0,
            distance_m: 0.0,
            weights: vec![0.0; n],
        };
        for iv in &self.intervals {
            let overlap = (iv.start_s + iv.dur_s).min(to_s) - iv.start_s.max(from_s);
            if overlap <= 0.0 {
                continue;
            }
            out.time_s += overlap;
            out.distance_m += iv.distance_m * overlap / iv.dur_s;
            out.weights[iv.sample] += overlap;
        }
        out
    }
}

fn cadence_stats(cadence: &[f64], w: &[f64], clock: &MovingClock) -> Option<CadenceStats> {
    let pairs: Vec<(f64, f64)> = cadence
        .iter()
        .zip(w)
        .filter(|(c, _)| **c > 0.0)
        .map(|(c, w)| (*c, *w))
        .collect();
    let median_spm = weighted_median(cadence, w)?;
    let p10_spm = weighted_percentile(pairs.clone(), 10.0)?;
    let p90_spm = weighted_percentile(pairs.clone(), 90.0)?;
    let below_170_share = share_below(&cadence_time(cadence, w), LOW_CADENCE_SPM);

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
    let mut pairs: Vec<(f64, f64)> = cadence
        .iter()
        .zip(w)
        .filter(|(c, _)| **c > 0.0)
        .map(|(c, w)| (*c, *w))
        .collect();
    if !pairs.iter().any(|(_, w)| *w > 0.0) {
        pairs.iter_mut().for_each(|p| p.1 = 1.0);
    }
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out: Vec<(f64, f64)> = Vec::new();
    for (c, w) in pairs {
        match out.last_mut() {
            Some(last) if last.0 == c => last.1 += w,
            _ => out.push((c, w)),
        }
    }
    out
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

fn heart_rate_stats(hr: &[f64], w: &[f64], threshold: Option<f64>) -> Option<HeartRateStats> {
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

/// Mean of the values > 0 weighted by moving time; every such value counts equally where none
/// has moving time. `None` without a value > 0.
fn weighted_mean(values: &[f64], w: &[f64]) -> Option<f64> {
    let pairs: Vec<(f64, f64)> = values
        .iter()
        .zip(w)
        .filter(|(v, _)| **v > 0.0 && v.is_finite())
        .map(|(v, w)| (*v, *w))
        .collect();
    if pairs.is_empty() {
        return None;
    }
    let with_weight = pairs.iter().any(|(_, w)| *w > 0.0);
    let (mut sum, mut total) = (0.0, 0.0);
    for (v, w) in pairs {
        let w = if with_weight { w } else { 1.0 };
        sum += v * w;
        total += w;
    }
    (total > 0.0).then(|| sum / total)
}

fn dynamics(s: &Samples, w: &[f64]) -> Option<Dynamics> {
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

/// One stretch of the grade profile, between two window points.
struct Stretch {
    from_m: f64,
    to_m: f64,
    rise_m: f64,
}

impl Stretch {
    fn run_m(&self) -> f64 {
        self.to_m - self.from_m
    }
}

/// The stretches of the profile described at [`grade_profile`], from step distances `d` and
/// moving weights `w`.
fn segments(s: &Samples, d: &[f64], w: &[f64]) -> (Vec<Stretch>, f64) {
    // Cumulative profile distance of each sample with elevation; elevation jumps between two
    // samples (steeper than MAX_PLAUSIBLE_GRADE and more than ELEVATION_JUMP_M) are taken out of
    // the profile and summed apart.
    let mut points: Vec<(f64, f64)> = Vec::new();
    let mut x = 0.0;
    let mut offset = 0.0;
    let mut jumps = 0.0;
    let mut last: Option<(f64, f64)> = None;
    for (i, &e) in s.elevation_m.iter().enumerate() {
        if i > 0 {
            let step = d.get(i).copied().unwrap_or(0.0);
            let dt = s.t_s.get(i).copied().unwrap_or(f64::NAN)
                - s.t_s.get(i - 1).copied().unwrap_or(f64::NAN);
            let moving = w.get(i - 1).is_some_and(|w| *w > 0.0);
            let standing = dt > 0.0 && dt <= MAX_MOVING_GAP_S && !moving;
            if !standing && step.is_finite() && step > 0.0 {
                x += step;
            }
        }
        if e.is_finite() {
            if let Some((lx, le)) = last {
                let rise = e - le;
                if rise.abs() > ELEVATION_JUMP_M && rise.abs() > MAX_PLAUSIBLE_GRADE * (x - lx) {
                    offset += rise;
                    jumps += rise.abs();
                }
            }
            last = Some((x, e));
            points.push((x, e - offset));
        }
    }
    let (Some(&(x0, _)), Some(&(x1, _))) = (points.first(), points.last()) else {
        return (Vec::new(), jumps);
    };
    // The span split into the largest number of equal windows of at least GRADE_WINDOW_M.
    let span = x1 - x0;
    let count = (span / GRADE_WINDOW_M).floor().max(1.0);
    let width = span / count;
    let usable = width.is_finite() && width > 0.0;
    if !usable {
        return (Vec::new(), jumps);
    }
    // (window index, sum of distance, sum of elevation, samples) per window with samples; the
    // cumulative distance never decreases, so windows arrive in order.
    let mut windows: Vec<(f64, f64, f64, f64)> = Vec::new();
    for (x, e) in points {
        let k = ((x - x0) / width).floor().min(count - 1.0);
        match windows.last_mut() {
            Some(win) if win.0 == k => {
                win.1 += x;
                win.2 += e;
                win.3 += 1.0;
            }
            _ => windows.push((k, x, e, 1.0)),
        }
    }
    let stretches = windows
        .windows(2)
        .filter_map(|pair| {
            let (a, b) = (pair[0], pair[1]);
            let (xa, ea) = (a.1 / a.3, a.2 / a.3);
            let (xb, eb) = (b.1 / b.3, b.2 / b.3);
            (xb > xa).then_some(Stretch {
                from_m: xa,
                to_m: xb,
                rise_m: eb - ea,
            })
        })
        .collect();
    (stretches, jumps)
}

fn grade_stats(stretches: &[Stretch], jumps_m: f64) -> GradeStats {
    let mut g = GradeStats {
        descent_downhill_m: 0.0,
        descent_steep_m: 0.0,
        downhill_km: 0.0,
        steep_km: 0.0,
        descent_m: 0.0,
        ascent_m: 0.0,
        implausible_elevation_m: jumps_m,
    };
    for st in stretches {
        let run = st.run_m();
        let drop = -st.rise_m;
        if st.rise_m.abs() > MAX_PLAUSIBLE_GRADE * run {
            g.implausible_elevation_m += st.rise_m.abs();
            continue;
        }
        if st.rise_m > 0.0 {
            g.ascent_m += st.rise_m;
        } else {
            g.descent_m += drop;
        }
        // grade ≤ threshold, written without a division.
        if st.rise_m <= (DOWNHILL_GRADE + GRADE_TOLERANCE) * run {
            g.descent_downhill_m += drop;
            g.downhill_km += run / 1000.0;
        }
        if st.rise_m <= (STEEP_DOWNHILL_GRADE + GRADE_TOLERANCE) * run {
            g.descent_steep_m += drop;
            g.steep_km += run / 1000.0;
        }
    }
    g
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
