//! Values computed from an activity's samples to stand beside the device's own: distance,
//! moving time, ascent and descent, median cadence. Pure functions of [`Samples`].

use serde::{Deserialize, Serialize};

pub use crate::analysis::run::moving::DistanceMethod;
use crate::analysis::run::{recorded_mean, weighted_median, Motion};
use crate::model::Samples;

/// Elevation must move this far from the last turning point to count as climbing or descending.
pub const ELEVATION_HYSTERESIS_M: f64 = 3.0;

/// Half-width of the moving-average window applied to elevation before the hysteresis.
pub const ELEVATION_SMOOTHING_HALF_S: f64 = 10.0;

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
    let (distance_m, distance_method) = match &motion.steps {
        Some((d, m)) => (d.iter().sum(), *m),
        None => (0.0, DistanceMethod::None),
    };
    let moving = &motion.moving;
    let elapsed_s = match (s.t_s.first(), s.t_s.last()) {
        (Some(a), Some(b)) if b > a => b - a,
        _ => 0.0,
    };
    let (ascent_m, descent_m) = match ascent_descent(&s.t_s, &s.elevation_m) {
        Some((a, d)) => (Some(a), Some(d)),
        None => (None, None),
    };
    Computed {
        distance_m,
        distance_method,
        elapsed_s,
        moving_s: moving.iter().sum(),
        ascent_m,
        descent_m,
        cadence_spm: weighted_median(&s.cadence_spm, moving),
        cadence_mean_spm: recorded_mean(&s.t_s, &s.cadence_spm),
    }
}

/// Elevation smoothed with a centred moving average over ±[`ELEVATION_SMOOTHING_HALF_S`],
/// keeping only samples that have elevation. Returns (time, elevation) pairs.
pub fn smoothed_elevation(t_s: &[f64], elevation_m: &[f64]) -> Vec<(f64, f64)> {
    let pts: Vec<(f64, f64)> = t_s
        .iter()
        .zip(elevation_m)
        .filter(|(t, e)| !t.is_nan() && !e.is_nan())
        .map(|(t, e)| (*t, *e))
        .collect();
    let mut out = Vec::with_capacity(pts.len());
    let (mut lo, mut hi, mut sum) = (0usize, 0usize, 0.0);
    for i in 0..pts.len() {
        let t = pts[i].0;
        while hi < pts.len() && pts[hi].0 <= t + ELEVATION_SMOOTHING_HALF_S {
            sum += pts[hi].1;
            hi += 1;
        }
        while lo < hi && pts[lo].0 < t - ELEVATION_SMOOTHING_HALF_S {
            sum -= pts[lo].1;
            lo += 1;
        }
        let count = (hi - lo).max(1) as f64;
        // Rounded to the micrometre: a running sum carries rounding noise of 1e-13 m, and
        // devices store elevation in steps (0.2 m in FIT), so exact ties with the hysteresis
        // threshold are common; the noise must not decide them.
        out.push((t, (sum / count * 1e6).round() / 1e6));
    }
    out
}

/// Total ascent and descent of an elevation profile with [`ELEVATION_HYSTERESIS_M`] applied to
/// the smoothed elevation. `None` when there is no elevation.
///
/// A hysteresis counted from one end depends on where it starts; the count is made from both
/// ends and averaged, so a track walked the other way gives its ascent as descent exactly.
pub fn ascent_descent(t_s: &[f64], elevation_m: &[f64]) -> Option<(f64, f64)> {
    let smooth = smoothed_elevation(t_s, elevation_m);
    let (up, down) = hysteresis(smooth.iter().map(|p| p.1), ELEVATION_HYSTERESIS_M)?;
    let (back_up, back_down) =
        hysteresis(smooth.iter().rev().map(|p| p.1), ELEVATION_HYSTERESIS_M)?;
    Some(((up + back_down) / 2.0, (down + back_up) / 2.0))
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
        let e = [0.0, 10.0, 20.0, f64::NAN, 100.0];
        let s = smoothed_elevation(&t, &e);
        assert_eq!(s.len(), 4);
        // At t=0 the window [-10, 10] holds 0, 10, 20.
        assert_eq!(s[0], (0.0, 10.0));
        // At t=40 only itself.
        assert_eq!(s[3], (40.0, 100.0));
    }
}
