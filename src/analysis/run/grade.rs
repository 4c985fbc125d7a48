//! Grade and descent on a distance-smoothed elevation profile.

use serde::{Deserialize, Serialize};

use super::moving::{moving_weights, step_distances, MAX_MOVING_GAP_S};
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

/// One stretch of the grade profile, between two window points.
pub(crate) struct Stretch {
    pub(crate) from_m: f64,
    pub(crate) to_m: f64,
    pub(crate) rise_m: f64,
}

impl Stretch {
    pub(crate) fn run_m(&self) -> f64 {
        self.to_m - self.from_m
    }
}

/// The stretches of the profile described at [`grade_profile`], from step distances `d` and
/// moving weights `w`.
pub(crate) fn segments(s: &Samples, d: &[f64], w: &[f64]) -> (Vec<Stretch>, f64) {
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

pub(crate) fn grade_stats(stretches: &[Stretch], jumps_m: f64) -> GradeStats {
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
