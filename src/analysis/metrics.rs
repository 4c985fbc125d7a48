//! Values computed from an activity's samples to stand beside the device's own: distance,
//! moving time, ascent and descent, median cadence. Pure functions of [`Samples`].

use serde::{Deserialize, Serialize};

pub use crate::analysis::run::moving::DistanceMethod;
use crate::analysis::run::{
    percentile, percentile_in_place, recorded_mean, weighted_median, Motion,
};
use crate::model::Samples;

/// Elevation is judged smooth (a barometric altimeter, or a watch's own filtered GPS altitude)
/// when the robust spread of its samples about a ±5 s moving average is at most this; above it
/// the samples carry the noise of raw GPS altitude. On the corpus the first spread between 0.07
/// and 0.7 m (watches of every maker); raw GPS altitude from a phone spreads by metres.
pub const SMOOTH_ELEVATION_NOISE_M: f64 = 0.5;

/// Hysteresis on smooth elevation: a watch counts undulations of a metre, so a 3 m hysteresis
/// drops real climbing (a loop course with a 2 m rise read a third of its ascent).
pub const ELEVATION_HYSTERESIS_M: f64 = 0.5;

/// Least hysteresis on noisy elevation, and how many times the noise it is at the least.
pub const NOISY_ELEVATION_HYSTERESIS_M: f64 = 3.0;
pub const NOISY_ELEVATION_HYSTERESIS_NOISE: f64 = 4.0;

/// Half-width of the moving average applied before the hysteresis, smooth and noisy elevation;
/// at least [`ELEVATION_SMOOTHING_INTERVALS`] times the median interval between samples, so
/// that a file recorded every 7 s is averaged over as many samples as one recorded every second.
pub const ELEVATION_SMOOTHING_HALF_S: f64 = 8.0;
pub const NOISY_ELEVATION_SMOOTHING_HALF_S: f64 = 30.0;
pub const ELEVATION_SMOOTHING_INTERVALS: f64 = 2.0;

/// A change of more than [`ELEVATION_JUMP_MIN_M`] faster than this is not climbing but a glitch
/// or a recalibration of the altimeter (a Fenix 2 starts 87 m high for four seconds): it counts
/// neither way, and the samples after it keep their level relative to those before.
pub const ELEVATION_JUMP_SPEED_M_S: f64 = 2.0;
pub const ELEVATION_JUMP_MIN_M: f64 = 5.0;

/// How the elevation samples were judged, by their noise ([`SMOOTH_ELEVATION_NOISE_M`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ElevationKind {
    /// A barometric altimeter or a watch's own filtered altitude.
    Smooth,
    /// Raw GPS altitude.
    Noisy,
}

/// Ascent and descent computed from the samples, with how they were counted.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ElevationGain {
    pub ascent_m: f64,
    pub descent_m: f64,
    pub kind: ElevationKind,
    /// The robust spread of the samples about a ±5 s moving average (1.4826 × the median
    /// absolute deviation), in metres.
    pub noise_m: f64,
    pub hysteresis_m: f64,
}

/// What patella derives from the samples alone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Computed {
    pub distance_m: f64,
    pub distance_method: DistanceMethod,
    /// First to last sample.
    pub elapsed_s: f64,
    pub moving_s: f64,
    /// `None` when the samples carry no elevation.
    pub ascent_m: Option<f64>,
    pub descent_m: Option<f64>,
    /// How the elevation was judged and its noise ([`elevation_gain`]); `None` without elevation.
    pub elevation_kind: Option<ElevationKind>,
    pub elevation_noise_m: Option<f64>,
    /// Moving-time-weighted median over samples with cadence > 0 (RISK_MODEL.md).
    pub cadence_spm: Option<f64>,
    /// Time-weighted mean over every recorded cadence sample, zeros included, as watches compute
    /// their session average: the like-for-like check against `device.cadence_spm`.
    pub cadence_mean_spm: Option<f64>,
}

/// Computes everything in [`Computed`].
pub fn compute(s: &Samples) -> Computed {
    compute_with(s, &Motion::of(s))
}

/// [`compute`] with the motion already known.
pub fn compute_with(s: &Samples, motion: &Motion) -> Computed {
    compute_from(s, motion, None)
}

/// [`compute_with`], with the moving-time-weighted median cadence already known where
/// `cadence_median` is given (a run's cadence stats hold the same median of the same pairs).
pub(crate) fn compute_from(
    s: &Samples,
    motion: &Motion,
    cadence_median: Option<Option<f64>>,
) -> Computed {
    let (distance_m, distance_method) = match &motion.steps {
        Some((d, m)) => (d.iter().sum(), *m),
        None => (0.0, DistanceMethod::None),
    };
    let moving = &motion.moving;
    let elapsed_s = match (s.t_s.first(), s.t_s.last()) {
        (Some(a), Some(b)) if b > a => b - a,
        _ => 0.0,
    };
    let gain = elevation_gain(&s.t_s, &s.elevation_m);
    Computed {
        distance_m,
        distance_method,
        elapsed_s,
        // + 0.0: a sum of no values is -0.0, which would print as such.
        moving_s: moving.iter().sum::<f64>() + 0.0,
        ascent_m: gain.map(|g| g.ascent_m),
        descent_m: gain.map(|g| g.descent_m),
        elevation_kind: gain.map(|g| g.kind),
        elevation_noise_m: gain.map(|g| g.noise_m),
        cadence_spm: cadence_median.unwrap_or_else(|| weighted_median(&s.cadence_spm, moving)),
        cadence_mean_spm: recorded_mean(&s.t_s, &s.cadence_spm),
    }
}

/// The samples that have both a time and an elevation, as (time, elevation) pairs, with every
/// jump ([`ELEVATION_JUMP_SPEED_M_S`]) taken out: the samples after a jump are shifted by it.
fn without_jumps(t_s: &[f64], elevation_m: &[f64]) -> Vec<(f64, f64)> {
    let mut out: Vec<(f64, f64)> = Vec::with_capacity(t_s.len());
    let (mut shift, mut last) = (0.0, None::<(f64, f64)>);
    for (&t, &e) in t_s.iter().zip(elevation_m) {
        if !t.is_finite() || !e.is_finite() {
            continue;
        }
        if let Some((t0, e0)) = last {
            let (rise, dt) = (e - e0, t - t0);
            if rise.abs() > ELEVATION_JUMP_MIN_M && rise.abs() > ELEVATION_JUMP_SPEED_M_S * dt {
                shift -= rise;
            }
        }
        last = Some((t, e));
        out.push((t, e + shift));
    }
    out
}

/// A centred moving average over ±`half_s` seconds of (time, value) pairs in time order.
fn moving_average(pts: &[(f64, f64)], half_s: f64) -> Vec<f64> {
    let n = pts.len();
    let mut out = vec![0.0; n];
    let (mut lo, mut hi, mut sum) = (0usize, 0usize, 0.0);
    for (o, &(t, _)) in out.iter_mut().zip(pts) {
        while hi < n && pts[hi].0 <= t + half_s {
            sum += pts[hi].1;
            hi += 1;
        }
        while lo < hi && pts[lo].0 < t - half_s {
            sum -= pts[lo].1;
            lo += 1;
        }
        let count = (hi - lo).max(1) as f64;
        // Rounded to the micrometre: a running sum carries rounding noise of 1e-13 m, and
        // devices store elevation in steps (0.2 m in FIT), so exact ties with the hysteresis
        // threshold are common; the noise must not decide them.
        *o = round(sum / count * 1e6) / 1e6;
    }
    out
}

/// `f64::round` (halves away from zero, the sign of a zero kept), without the library call it
/// is on x86-64's baseline: every sample of every moving average is rounded. The step away
/// from zero is added, not branched on: which way a sample's rest falls is a coin toss, and a
/// branch on it was mispredicted half the time (the moving average took 2.4 times as long).
/// The step is -1, 0 or +1: whole ± 1 is exact below 2^52, and whole + 0 is whole but for a
/// zero's sign, which copysign sets.
#[inline(always)]
fn round(x: f64) -> f64 {
    const INTEGRAL: f64 = 4_503_599_627_370_496.0; // 2^52: from here on every f64 is whole
    if x.is_nan() || x.abs() >= INTEGRAL {
        return x; // whole already, or not finite
    }
    let whole = (x as i64) as f64; // towards zero
    let rest = x - whole; // exact: both lie within one binade of x's whole part
    let step = i64::from(rest >= 0.5) - i64::from(rest <= -0.5);
    (whole + step as f64).copysign(x)
}

/// The robust spread of elevation about its ±5 s moving average ([`ElevationGain::noise_m`]).
fn elevation_noise(pts: &[(f64, f64)]) -> f64 {
    // The residuals made in the moving average's own vector, then their deviations from their
    // median in the same vector, each median selected in place.
    let mut residual = moving_average(pts, 5.0);
    for (r, p) in residual.iter_mut().zip(pts) {
        *r = p.1 - *r;
    }
    let centre = percentile_in_place(&mut residual, 50.0).unwrap_or(0.0);
    for r in &mut residual {
        *r = (*r - centre).abs();
    }
    1.4826 * percentile_in_place(&mut residual, 50.0).unwrap_or(0.0)
}

/// Elevation smoothed as [`elevation_gain`] smooths smooth elevation (±8 s, at least two
/// intervals), keeping only samples that have elevation, jumps taken out. Returns (time,
/// elevation) pairs.
pub fn smoothed_elevation(t_s: &[f64], elevation_m: &[f64]) -> Vec<(f64, f64)> {
    let pts = without_jumps(t_s, elevation_m);
    let half = smoothing_half_s(&pts, ELEVATION_SMOOTHING_HALF_S);
    let smooth = moving_average(&pts, half);
    pts.iter().zip(smooth).map(|(p, e)| (p.0, e)).collect()
}

fn smoothing_half_s(pts: &[(f64, f64)], least_s: f64) -> f64 {
    let interval = |w: &[(f64, f64)]| w[1].0 - w[0].0;
    // Most recordings keep one interval throughout (1 s): that one is the median, found
    // without a copy of the intervals and a selection among them.
    let first = pts.get(..2).map(interval);
    let median = match first {
        Some(d) if pts.windows(2).all(|w| interval(w) == d) => d,
        _ => {
            let intervals: Vec<f64> = pts.windows(2).map(interval).collect();
            percentile(&intervals, 50.0).unwrap_or(0.0)
        }
    };
    least_s.max(ELEVATION_SMOOTHING_INTERVALS * median)
}

/// Total ascent and descent of an elevation profile, counted as a watch counts them. `None`
/// when there is no elevation.
///
/// Jumps are taken out ([`ELEVATION_JUMP_SPEED_M_S`]); the noise of the samples decides
/// whether they are smooth (barometric, or a watch's filtered altitude) or noisy (raw GPS,
/// [`SMOOTH_ELEVATION_NOISE_M`]); smooth elevation is averaged over ±8 s and counted with a
/// 0.5 m hysteresis, noisy elevation over ±30 s with a hysteresis of 3 m or 4 times its noise,
/// whichever is more, so that GPS noise does not become climbing. On the corpus's running FIT
/// files this brings ascent and descent within 10 % or 10 m of the watch's for 27 of 29
/// (tests/agreement.rs), against 13 with the 3 m hysteresis used before on all elevation.
///
/// A hysteresis counted from one end depends on where it starts; the count is made from both
/// ends and averaged, so a track walked the other way gives its ascent as descent exactly.
pub fn elevation_gain(t_s: &[f64], elevation_m: &[f64]) -> Option<ElevationGain> {
    let pts = without_jumps(t_s, elevation_m);
    if pts.is_empty() {
        return None;
    }
    let noise_m = elevation_noise(&pts);
    let (kind, least_s, hysteresis_m) = if noise_m <= SMOOTH_ELEVATION_NOISE_M {
        (
            ElevationKind::Smooth,
            ELEVATION_SMOOTHING_HALF_S,
            ELEVATION_HYSTERESIS_M,
        )
    } else {
        (
            ElevationKind::Noisy,
            NOISY_ELEVATION_SMOOTHING_HALF_S,
            NOISY_ELEVATION_HYSTERESIS_M.max(NOISY_ELEVATION_HYSTERESIS_NOISE * noise_m),
        )
    };
    let smooth = moving_average(&pts, smoothing_half_s(&pts, least_s));
    let (up, down) = hysteresis(smooth.iter().copied(), hysteresis_m)?;
    let (back_up, back_down) = hysteresis(smooth.iter().rev().copied(), hysteresis_m)?;
    Some(ElevationGain {
        ascent_m: (up + back_down) / 2.0,
        descent_m: (down + back_up) / 2.0,
        kind,
        noise_m,
        hysteresis_m,
    })
}

/// Ascent and descent of [`elevation_gain`].
pub fn ascent_descent(t_s: &[f64], elevation_m: &[f64]) -> Option<(f64, f64)> {
    elevation_gain(t_s, elevation_m).map(|g| (g.ascent_m, g.descent_m))
}

/// Ascent and descent of a series counted only in moves of at least `h` from the last turning
/// point.
pub fn hysteresis(series: impl IntoIterator<Item = f64>, h: f64) -> Option<(f64, f64)> {
    let mut it = series.into_iter();
    let mut reference = it.next()?;
    let (mut up, mut down) = (0.0, 0.0);
    for e in it {
        if e >= reference + h {
            up += e - reference;
            reference = e;
        } else if e <= reference - h {
            down += reference - e;
            reference = e;
        }
    }
    Some((up, down))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Sample;

    fn track(points: &[(f64, f64, f64)]) -> Samples {
        let mut s = Samples::default();
        for (t, lat, lon) in points {
            s.push(Sample {
                t_s: *t,
                lat_deg: *lat,
                lon_deg: *lon,
                ..Sample::default()
            });
        }
        s
    }

    #[test]
    fn distance_along_a_meridian() {
        // 0.01° of latitude on geo's mean Earth radius (6371008.8 m) is 1111.95 m.
        let s = track(&[(0.0, 45.0, 7.0), (300.0, 45.01, 7.0), (600.0, 45.02, 7.0)]);
        let c = compute(&s);
        assert_eq!(c.distance_method, DistanceMethod::Gps);
        assert!(
            (c.distance_m - 2.0 * 1111.95).abs() < 0.5,
            "{}",
            c.distance_m
        );
        // 1111.95 m in 300 s is 3.7 m/s: moving; the gap is below 30 s? No: 300 s is a pause.
        assert_eq!(c.moving_s, 0.0);
    }

    #[test]
    fn glitch_fix_is_dropped() {
        // The middle fix is 100 km away one second later: not a run.
        let s = track(&[(0.0, 45.0, 7.0), (1.0, 46.0, 7.0), (2.0, 45.00002, 7.0)]);
        let c = compute(&s);
        assert!(c.distance_m < 3.0, "{}", c.distance_m);
    }

    #[test]
    fn a_standing_receivers_wander_counts_nothing() {
        // 1 m of latitude is 1 / 111195 °. A walk north at 0.8 m/s for 10 s, then 60 s standing
        // with the fix wandering 0.1 m a second back and forth, then 10 s more of walking.
        let m = 1.0 / 111_195.0;
        let mut pts = Vec::new();
        for t in 0..=10 {
            pts.push((t as f64, 45.0 + 0.8 * t as f64 * m, 7.0));
        }
        for t in 11..=70 {
            let wobble = if t % 2 == 0 { 0.1 } else { 0.0 };
            pts.push((t as f64, 45.0 + (8.0 + wobble) * m, 7.0));
        }
        for t in 71..=80 {
            pts.push((t as f64, 45.0 + (8.0 + 0.8 * (t - 70) as f64) * m, 7.0));
        }
        let c = compute(&track(&pts));
        // 8 m + 8 m walked; summing every step would add 60 × 0.1 m = 6 m of wander.
        assert!((c.distance_m - 16.0).abs() < 0.15, "{}", c.distance_m);
    }

    #[test]
    fn a_slow_jump_across_a_stop_counts_nothing() {
        // Fixes 2 m apart a second (running), then the timer stops for 5 min and the next fix
        // is 40 m on (0.13 m/s: the runner walked about), then running again. A jump of 600 m
        // across the same 5 min (2 m/s: the runner ran with the fix lost) counts.
        let m = 1.0 / 111_195.0;
        let run = |jump: f64| {
            let mut pts: Vec<(f64, f64, f64)> = (0..=10)
                .map(|t| (t as f64, 45.0 + 2.0 * t as f64 * m, 7.0))
                .collect();
            for t in 0..=10 {
                pts.push((
                    310.0 + t as f64,
                    45.0 + (20.0 + jump + 2.0 * t as f64) * m,
                    7.0,
                ));
            }
            compute(&track(&pts)).distance_m
        };
        assert!((run(40.0) - 40.0).abs() < 0.05, "{}", run(40.0));
        assert!((run(600.0) - 640.0).abs() < 0.1, "{}", run(600.0));
    }

    #[test]
    fn distance_field_without_gps() {
        let mut s = Samples::default();
        for (t, d) in [
            (0.0, 0.0),
            (10.0, 30.0),
            (20.0, 60.0),
            (25.0, 10.0),
            (30.0, 80.0),
        ] {
            s.push(Sample {
                t_s: t,
                distance_m: d,
                ..Sample::default()
            });
        }
        let c = compute(&s);
        assert_eq!(c.distance_method, DistanceMethod::DistanceField);
        // 0→30→60, a reset to 10 adds nothing, then 60→80 adds 20.
        assert_eq!(c.distance_m, 80.0);
        // Every interval is ≤ 30 s; 25→30 covers 20 m in 5 s; 20→25 covers nothing: still.
        assert_eq!(c.moving_s, 25.0);
    }

    #[test]
    fn hysteresis_ignores_small_wiggles() {
        // Up 10 in wiggles of 2, down 4, up 1: only moves of 3 m or more count.
        let series = [0.0, 2.0, 1.0, 3.0, 5.0, 10.0, 8.0, 6.0, 7.0];
        assert_eq!(hysteresis(series, 3.0), Some((10.0, 4.0)));
        assert_eq!(hysteresis([1.0, 2.0, 1.5], 3.0), Some((0.0, 0.0)));
        assert_eq!(hysteresis(std::iter::empty(), 3.0), None);
    }

    #[test]
    fn round_is_f64_round() {
        let mut xs = vec![
            0.0,
            -0.0,
            0.5,
            -0.5,
            1.5,
            -1.5,
            2.5,
            0.49999999999999994,
            -0.49999999999999994,
            4_503_599_627_370_495.5,
            4_503_599_627_370_496.0,
            -4_503_599_627_370_497.0,
            1e300,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MIN_POSITIVE,
            -f64::MIN_POSITIVE,
        ];
        // Elevations in micrometres as the moving average makes them, and their neighbours.
        for i in 0..20_000 {
            let x = (i as f64 - 10_000.0) * 123_456.789_012_345 + 0.5;
            xs.extend([
                x,
                f64::from_bits(x.to_bits() + 1),
                f64::from_bits(x.to_bits() - 1),
            ]);
        }
        for x in xs {
            assert_eq!(round(x).to_bits(), x.round().to_bits(), "{x:e}");
        }
        assert!(round(f64::NAN).is_nan());
    }

    #[test]
    fn weighted_median_by_time() {
        // 170 spm for 60 s, 150 spm for 10 s: the median is 170.
        assert_eq!(
            weighted_median(&[150.0, 170.0, 0.0], &[10.0, 60.0, 100.0]),
            Some(170.0)
        );
        assert_eq!(weighted_median(&[0.0, f64::NAN], &[1.0, 1.0]), None);
        // Without weights every sample counts equally.
        assert_eq!(
            weighted_median(&[160.0, 170.0, 180.0], &[0.0, 0.0, 0.0]),
            Some(170.0)
        );
    }

    #[test]
    fn recorded_mean_keeps_zeros_and_drops_pauses() {
        // 180 for 10 s, 0 for 5 s (standing), then a 60 s pause at 170 that does not count.
        let t = [0.0, 10.0, 15.0, 75.0];
        let v = [180.0, 0.0, 170.0, 170.0];
        assert_eq!(recorded_mean(&t, &v), Some(120.0));
        assert_eq!(recorded_mean(&[0.0], &[170.0]), None);
    }

    #[test]
    fn smoothing_averages_within_the_window() {
        let t = [0.0, 5.0, 10.0, 15.0, 40.0];
        let e = [0.0, 10.0, 20.0, f64::NAN, 50.0];
        let s = smoothed_elevation(&t, &e);
        assert_eq!(s.len(), 4);
        // At t=0 the window [-10, 10] holds 0, 10, 20.
        assert_eq!(s[0], (0.0, 10.0));
        // At t=40 only itself.
        assert_eq!(s[3], (40.0, 50.0));
    }

    /// 1 Hz elevation over `secs` seconds from `f(t)`, stored in 0.2 m steps as FIT does.
    fn profile(secs: usize, f: impl Fn(f64) -> f64) -> (Vec<f64>, Vec<f64>) {
        let t: Vec<f64> = (0..=secs).map(|t| t as f64).collect();
        let e = t.iter().map(|&t| (f(t) / 0.2).round() * 0.2).collect();
        (t, e)
    }

    #[test]
    fn undulations_of_two_metres_count_on_smooth_elevation() {
        // Twenty rises of 2 m and back, one every two minutes: 40 m up, 40 m down. The 0.5 m
        // hysteresis gives up to 0.5 m of each rise (and the average a little of its top);
        // a 3 m hysteresis on this counted nothing.
        let (t, e) = profile(2400, |t| 1.0 - (t / 120.0 * std::f64::consts::TAU).cos());
        let g = elevation_gain(&t, &e).unwrap();
        assert_eq!(g.kind, ElevationKind::Smooth);
        assert!(g.ascent_m > 28.0 && g.ascent_m <= 40.0, "{g:?}");
        assert!(g.descent_m > 28.0 && g.descent_m <= 40.0, "{g:?}");
    }

    #[test]
    fn a_jump_of_the_altimeter_counts_neither_way() {
        // Flat at 55 m but for four seconds at 142 m, as a Fenix 2 starts; then 10 m up.
        let (t, mut e) = profile(300, |t| 55.0 + (t - 200.0).clamp(0.0, 100.0) / 10.0);
        e[1..5].iter_mut().for_each(|x| *x = 142.4);
        let g = elevation_gain(&t, &e).unwrap();
        assert!((g.ascent_m - 10.0).abs() < 1.0, "{g:?}");
        assert!(g.descent_m < 0.5, "{g:?}");
        // A level shift that stays (a recalibration) does not count either.
        let (t, e) = profile(300, |t| if t < 150.0 { 100.0 } else { 60.0 });
        let g = elevation_gain(&t, &e).unwrap();
        assert_eq!((g.ascent_m, g.descent_m), (0.0, 0.0));
    }

    /// Raw GPS altitude: a random walk pulled back to 0 (correlated over about 20 s, spread
    /// `sigma`) plus white noise of 0.3 × `sigma`, from a fixed seed.
    fn gps_noise(n: usize, sigma: f64) -> Vec<f64> {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut normal = move || {
            // Sum of 12 uniforms less 6: close enough to a standard normal for noise.
            (0..12)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    (state >> 11) as f64 / (1u64 << 53) as f64
                })
                .sum::<f64>()
                - 6.0
        };
        let phi = (-1.0f64 / 20.0).exp();
        let mut x = 0.0;
        (0..n)
            .map(|_| {
                x = phi * x + sigma * (1.0 - phi * phi).sqrt() * normal();
                x + 0.3 * sigma * normal()
            })
            .collect()
    }

    #[test]
    fn gps_noise_is_not_counted_as_climbing() {
        // An hour on the flat with GPS altitude noise of 3 m: the noise is seen, and the count
        // stays far below what the noise would add at a 0.5 m (or the old 3 m) hysteresis.
        let noise = gps_noise(3601, 3.0);
        let (t, e) = profile(3600, |t| 100.0 + noise[t as usize]);
        let g = elevation_gain(&t, &e).unwrap();
        assert_eq!(g.kind, ElevationKind::Noisy);
        assert!(g.hysteresis_m >= 3.0, "{g:?}");
        assert!(g.ascent_m < 30.0, "{g:?}");
        // Hills of 30 m under the same noise: counted, and not inflated past the truth.
        let hills = |t: f64| 15.0 * (1.0 - (t / 600.0 * std::f64::consts::TAU).cos());
        let (t, e) = profile(3600, |t| hills(t) + noise[t as usize]);
        let g = elevation_gain(&t, &e).unwrap();
        assert!(
            g.ascent_m > 0.6 * 180.0 && g.ascent_m < 1.2 * 180.0,
            "{g:?}"
        );
    }
}
