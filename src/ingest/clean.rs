//! Samples cleaned at the edge, whatever the reader: what no watch can record is dropped here,
//! once, so that nothing after ingest meets an impossible time or position.
//!
//! - a position outside ±90° latitude or ±180° longitude (or with only one of the two) is
//!   dropped (the sample stays, without a position);
//! - a sample dated outside 1989–2100 is dropped;
//! - where the samples jump by more than a day, the clock jumped or the file joins recordings:
//!   when the recording goes on across the jump (the same place, or the device's distance going
//!   on), the watch set its clock mid-run, and the stretches are moved to run on into each other:
//!   a FIT session's own `start_time` decides which clock is right (the stretch it falls in stays,
//!   the others move to it: a Garmin run whose records jump 1.4 days ahead mid-run, its session
//!   and Garmin's manifest giving the earlier start; Runalyze's `time-jump.fit`, a Forerunner 225
//!   run whose records jump 20 days ahead after 102 of them, its session dated the day the issue
//!   about it was filed); without a session the later clock is trusted (watches set their clock
//!   from GPS once it is found). Otherwise the activity is cut there and its longest stretch kept.
//!   Either way with a warning;
//! - a GPS fix that the track could reach only faster than its sport allows (12.5 m/s on foot,
//!   40 m/s on a bike or in a sport not named, with 10 m for the receiver's error), or that lies
//!   elsewhere at the same time as the fix before, is a glitch: its position is dropped (the
//!   sample stays), with one warning that says how many. Of the ways to join the track up again,
//!   the one that drops fewest fixes is taken, so a lone far fix, a phone's Wi-Fi fix that stays
//!   a few seconds and a receiver's first fixes go, while a track that goes on from a new place
//!   (after a long gap the step is within reach anyway) keeps both sides;
//! - the start follows the first sample kept when samples before it were dropped or moved here
//!   (dated out of range, the stretch before a jump cut off, a clock jump closed), or when the
//!   first sample lies before the start the file gives. Otherwise the file's own start stands
//!   (a FIT session's `start_time`, which the first record may follow by a minute or more while
//!   the watch finds its fix), and the samples keep their times from it.
//!
//! Times are compared as seconds in `f64` and rebuilt with checked constructors: a time that a
//! file controls never reaches chrono arithmetic that could overflow.

use chrono::{DateTime, Utc};
use geo::{Distance, Haversine, Point};

use super::error::ReadError;
use crate::model::{Activity, Format, Samples, Sport};

/// 1989-01-01T00:00:00Z: before any GPS watch (and before the FIT epoch, 1989-12-31).
pub const EARLIEST_UNIX_S: i64 = 599_616_000;
/// 2100-01-01T00:00:00Z.
pub const LATEST_UNIX_S: i64 = 4_102_444_800;
/// Consecutive samples further apart in time than this are a clock jump or another recording.
pub const MAX_JUMP_S: f64 = 86_400.0;
/// Across a jump, samples this close (in place, or in the device's distance) are one recording.
pub const SAME_RECORDING_M: f64 = 250.0;
/// The words of the warning an activity whose clock jumped while it recorded carries (the join
/// of a Garmin manifest looks for them: such a file may start far from its manifest row).
pub const CLOCK_JUMPED: &str = "the clock jumped while the recording went on";
/// How many clock jumps a warning lists by place before it gives only how many more there are.
const LISTED_JUMPS: usize = 3;

fn in_range(unix_s: f64) -> bool {
    unix_s >= EARLIEST_UNIX_S as f64 && unix_s < LATEST_UNIX_S as f64
}

/// Cleans one activity as the module says; an activity left with no time in range is an error.
pub fn clean(mut a: Activity) -> Result<Activity, ReadError> {
    let start_s =
        a.start_utc.timestamp() as f64 + f64::from(a.start_utc.timestamp_subsec_nanos()) / 1e9;
    let n = a.samples.len();
    if n == 0 {
        if !in_range(start_s) {
            return Err(ReadError::invalid(format!(
                "start time {} lies outside 1989–2100",
                a.start_utc.format("%Y-%m-%dT%H:%M:%SZ")
            )));
        }
        return Ok(a);
    }

    // Times: keep samples dated inside the range (counted first: most files have none out).
    let dated = |t: f64| t.is_finite() && in_range(start_s + t);
    let dated_out = a.samples.t_s.iter().filter(|t| !dated(**t)).count();
    if dated_out == n {
        return Err(ReadError::invalid(format!(
            "every one of the {n} samples is dated outside 1989–2100"
        )));
    }
    // Whether the first sample as read is gone, or the samples were moved: the start then follows
    // the first sample kept rather than the file's own start.
    let mut front_changed = dated_out > 0 && !dated(a.samples.t_s[0]);
    if dated_out > 0 {
        a.samples = select(&a.samples, |i| dated(a.samples.t_s[i]));
        a.warnings.push(format!(
            "dropped {dated_out} of {n} samples dated outside 1989–2100"
        ));
    }

    front_changed |= close_clock_jumps(&mut a);

    // Jumps of more than a day left: keep the longest stretch between them (the first of equals).
    let t = &a.samples.t_s;
    let mut best = (0usize, 0usize); // [from, to)
    let mut from = 0usize;
    let mut jumps = 0usize;
    for i in 1..=t.len() {
        let cut = i == t.len() || (t[i] - t[i - 1]).abs() > MAX_JUMP_S;
        if cut {
            if i < t.len() {
                jumps += 1;
            }
            if i - from > best.1 - best.0 {
                best = (from, i);
            }
            from = i;
        }
    }
    if jumps > 0 {
        front_changed |= best.0 > 0;
        let total = t.len();
        let kept = best.1 - best.0;
        a.samples = select(&a.samples, |i| i >= best.0 && i < best.1);
        a.warnings.push(format!(
            "samples jump by more than a day ({jumps} time{}) between separate stretches; kept \
             the longest, {kept} of {total} samples",
            if jumps == 1 { "" } else { "s" }
        ));
    }

    // Positions no place on Earth has.
    let mut bad_positions = 0usize;
    let s = &mut a.samples;
    for (lat, lon) in s.lat_deg.iter_mut().zip(s.lon_deg.iter_mut()) {
        let none = lat.is_nan() && lon.is_nan();
        let valid = (-90.0..=90.0).contains(lat) && (-180.0..=180.0).contains(lon);
        if !none && !valid {
            bad_positions += 1;
            *lat = f64::NAN;
            *lon = f64::NAN;
        }
    }
    if bad_positions > 0 {
        a.warnings.push(format!(
            "dropped {bad_positions} positions outside ±90° latitude or ±180° longitude"
        ));
    }

    drop_unreachable_fixes(&mut a);

    // The start follows the first sample kept where the front changed above, or where the first
    // sample comes before the file's start; else the file's own start stands.
    let first = a.samples.t_s[0];
    if first < 0.0 || (first > 0.0 && (front_changed || !in_range(start_s))) {
        let new_start = start_s + first;
        let secs = new_start.floor();
        let nanos = ((new_start - secs) * 1e9).round().min(999_999_999.0) as u32;
        let start: DateTime<Utc> = DateTime::from_timestamp(secs as i64, nanos)
            .ok_or_else(|| ReadError::invalid("start time out of range"))?;
        a.start_utc = start;
        for t in &mut a.samples.t_s {
            *t -= first;
        }
    }
    Ok(a)
}

/// Whether the samples `i - 1` and `i` belong to one recording: the device's distance goes on
/// (by at most [`SAME_RECORDING_M`]), or, without it, they are that close in place.
fn same_recording(s: &Samples, i: usize) -> bool {
    let (d0, d1) = (s.distance_m[i - 1], s.distance_m[i]);
    if d0.is_finite() && d1.is_finite() {
        return d1 >= d0 - 1.0 && d1 - d0 <= SAME_RECORDING_M;
    }
    let p = |j: usize| {
        let (lat, lon) = (s.lat_deg[j], s.lon_deg[j]);
        let valid = (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon);
        valid.then(|| Point::new(lon, lat))
    };
    match (p(i - 1), p(i)) {
        (Some(a), Some(b)) => Haversine.distance(a, b) <= SAME_RECORDING_M,
        _ => false,
    }
}

/// Closes every jump of more than a day across which the recording goes on: one stretch stays
/// (the one a FIT session's `start_time` falls in or lies nearest, else the last) and the others
/// move by the jumps between (less one usual step each), so that they run on into it. Whether
/// the samples at the front moved (the start then follows them).
fn close_clock_jumps(a: &mut Activity) -> bool {
    let t = &a.samples.t_s;
    let jumps: Vec<usize> = (1..t.len())
        .filter(|&i| (t[i] - t[i - 1]).abs() > MAX_JUMP_S && same_recording(&a.samples, i))
        .collect();
    if jumps.is_empty() {
        return false;
    }
    // The usual step between samples (the median of the steps that are not jumps).
    let mut steps: Vec<f64> = t
        .windows(2)
        .map(|w| w[1] - w[0])
        .filter(|d| *d > 0.0 && *d <= MAX_JUMP_S)
        .collect();
    steps.sort_by(|x, y| x.total_cmp(y));
    let step = steps.get(steps.len() / 2).copied().unwrap_or(1.0);
    // The stretch that stays: with a session's start (t = 0 is the session's `start_time`),
    // the one nearest it (the later of equals); else the last.
    let n = t.len();
    let stretch = |k: usize| {
        let from = if k == 0 { 0 } else { jumps[k - 1] };
        let to = jumps.get(k).copied().unwrap_or(n);
        (from, to)
    };
    let session_start = a.format == Format::Fit && a.device.is_some();
    let anchor = if session_start {
        (0..=jumps.len())
            .map(|k| {
                let (from, to) = stretch(k);
                let (first, last) = (t[from], t[to - 1]);
                let off = if first <= 0.0 && 0.0 <= last {
                    0.0
                } else {
                    first.abs().min(last.abs())
                };
                (k, off)
            })
            .min_by(|x, y| x.1.total_cmp(&y.1).then(y.0.cmp(&x.0)))
            .map_or(jumps.len(), |(k, _)| k)
    } else {
        jumps.len()
    };
    // Each jump's shift, from the times as read. The stretches before the one that stays move
    // forward by the shifts of the jumps between, those after it back, each in one pass, so that
    // a file of many jumps costs no more than a file of one.
    let t = &mut a.samples.t_s;
    let moved: Vec<(f64, usize)> = jumps.iter().map(|&i| (t[i] - t[i - 1] - step, i)).collect();
    let (from, to) = stretch(anchor);
    let (mut shift, mut j) = (0.0, anchor);
    for i in (0..from).rev() {
        while j > 0 && moved[j - 1].1 > i {
            j -= 1;
            shift += moved[j].0;
        }
        t[i] += shift;
    }
    let (mut shift, mut j) = (0.0, anchor);
    for (i, ti) in t.iter_mut().enumerate().skip(to) {
        while j < moved.len() && moved[j].1 <= i {
            shift += moved[j].0;
            j += 1;
        }
        *ti -= shift;
    }
    // One short line whatever the file holds: the first few jumps, then how many more.
    let mut listed: Vec<String> = moved
        .iter()
        .take(LISTED_JUMPS)
        .map(|(by, i)| format!("{:.1} days at sample {i}", by / 86_400.0))
        .collect();
    if moved.len() > LISTED_JUMPS {
        listed.push(format!("and {} more", moved.len() - LISTED_JUMPS));
    }
    let how = if anchor == jumps.len() {
        "the samples before each jump were moved to run on into the later ones".to_string()
    } else if anchor == 0 {
        "the samples after each jump were moved back to run on from the earlier ones, as the \
         session's start time has them"
            .to_string()
    } else {
        format!(
            "the samples were moved to run on from stretch {} of {}, where the session's start \
             time has them",
            anchor + 1,
            jumps.len() + 1
        )
    };
    a.warnings
        .push(format!("{CLOCK_JUMPED} ({}); {how}", listed.join(", ")));
    anchor > 0
}

/// The fastest anyone moves on foot, over a step between two GPS fixes: a little above the
/// fastest stretch of a sprint measured (12.4 m/s, between 60 and 80 m of the 100 m world record,
/// Berlin 2009). Walking, hiking, swimming and strength sessions take it too: nobody in them
/// comes near it.
pub const ON_FOOT_MAX_SPEED_M_S: f64 = 12.5;

/// The fastest a bicycle goes, over a step between two GPS fixes: above the fastest descents of
/// road races (about 30 m/s, 110 km/h). A sport the file does not name takes it too, the
/// loosest bound here: it may be a ride, and a run whose export names it later (a bulk export's
/// manifest) was cleaned with this bound.
pub const CYCLING_MAX_SPEED_M_S: f64 = 40.0;

/// How far apart a receiver's fixes of one place may lie: a step is out of reach only when it is
/// longer than this plus the sport's speed over its time, so that GPS jitter on a fast runner at
/// one fix a second (a step of 6 m give or take a few) never is.
pub const FIX_ERROR_M: f64 = 10.0;

/// What a jump out of reach left in the track costs, in dropped fixes: dropping up to this many
/// fixes at either end of the track, or up to twice this many between two stretches, is
/// preferred to keeping a jump (see [`unreachable_fixes`]).
pub const JUMP_COST_FIXES: usize = 30;

/// How many fixes back a fix looks for one it can be reached from: longer than the longest run
/// of fixes that may be dropped as one glitch (2 × [`JUMP_COST_FIXES`]).
const LOOK_BACK_FIXES: usize = 2 * JUMP_COST_FIXES + 4;

/// The fastest speed `sport` reaches over a step between two GPS fixes.
pub fn max_speed_m_s(sport: Sport) -> f64 {
    match sport {
        Sport::Cycling | Sport::Other => CYCLING_MAX_SPEED_M_S,
        Sport::Running | Sport::Walking | Sport::Hiking | Sport::Swimming | Sport::Strength => {
            ON_FOOT_MAX_SPEED_M_S
        }
    }
}

/// Who moves at [`max_speed_m_s`], as a warning names them.
fn mover(sport: Sport) -> &'static str {
    match sport {
        Sport::Running => "a runner",
        Sport::Walking | Sport::Hiking | Sport::Strength => "anyone on foot",
        Sport::Swimming => "a swimmer",
        Sport::Cycling => "a cyclist",
        Sport::Other => "any sport",
    }
}

/// Drops the positions of GPS glitches ([`unreachable_fixes`]); the samples stay. One warning
/// line gives how many, and one more how many jumps out of reach the track keeps.
fn drop_unreachable_fixes(a: &mut Activity) {
    let bound = max_speed_m_s(a.sport);
    let Some(found) = unreachable_fixes(&a.samples, bound) else {
        return;
    };
    let s = &mut a.samples;
    for &i in &found.dropped {
        s.lat_deg[i] = f64::NAN;
        s.lon_deg[i] = f64::NAN;
    }
    let who = mover(a.sport);
    let (fixes, jumps) = (found.fixes, found.jumps);
    if found.too_many {
        a.warnings.push(format!(
            "{jumps} of the {} steps between GPS positions are out of reach for {who} (over \
             {bound} m/s, or elsewhere at the same time): too many for glitches; the positions \
             are kept",
            fixes - 1
        ));
        return;
    }
    if !found.dropped.is_empty() {
        a.warnings.push(format!(
            "dropped {} of {fixes} GPS positions that {who} could not reach from the track (over \
             {bound} m/s, or elsewhere at the same time); the samples stay",
            found.dropped.len()
        ));
    }
    if jumps > 0 {
        a.warnings.push(format!(
            "the track jumps {jumps} time{} faster than {who} moves ({bound} m/s) and goes on \
             from the new place",
            if jumps == 1 { "" } else { "s" }
        ));
    }
}

/// What [`unreachable_fixes`] found.
#[derive(Debug, PartialEq)]
struct Unreachable {
    /// How many samples have a position.
    fixes: usize,
    /// The samples whose positions are glitches, in order.
    dropped: Vec<usize>,
    /// Jumps out of reach between the fixes kept (with `too_many`, between neighbours).
    jumps: usize,
    /// Whether half the fixes or more would have to go: then none is dropped.
    too_many: bool,
}

/// The GPS fixes that a body moving at most `bound_m_s` could not have reached, and the jumps
/// out of reach that stay; `None` when every fix is within reach of the one before (most tracks:
/// one pass, mostly without a trigonometric call).
///
/// A fix is out of reach of another when it lies further from it than [`FIX_ERROR_M`] plus
/// `bound_m_s` times the time between them: a fix at the same time as the one before lies
/// within the receiver's error of it, or it is out of reach. A long gap in time makes a long
/// step reachable, so a track that goes on from afar after GPS was lost is kept whole.
///
/// Which fixes are the glitch is decided over the whole track: of every choice of fixes to keep,
/// the one that drops fewest, where each jump out of reach between two fixes kept counts as
/// [`JUMP_COST_FIXES`] dropped. So a lone fix 42 km away (two jumps, one fix), a phone's fix
/// that jumps to a Wi-Fi location and stays there a few fixes before it comes back, and a
/// receiver's first fixes before it found itself are dropped; a track that truly goes on from
/// somewhere else (a car, a train, a long stretch on both sides) keeps both sides and the jump.
/// Each fix looks back [`LOOK_BACK_FIXES`] fixes for one it is within reach of: a glitch that
/// lasts longer than that stays, with its jumps. Where the choice would drop half the fixes or
/// more, the track is not one with glitches (a route given a single time, the points of two
/// tracks sorted together): none is dropped.
///
/// Positions come in pairs here (the cleaning before leaves a latitude without a longitude
/// nowhere), so a fix is a sample whose latitude is a number.
fn unreachable_fixes(s: &Samples, bound_m_s: f64) -> Option<Unreachable> {
    let n = s.len();
    let fix = |i: usize| (s.t_s[i], s.lat_deg[i], s.lon_deg[i]);
    let reach = |j: usize, k: usize| within_reach(fix(j), fix(k), bound_m_s);
    // One pass first: most tracks have no step out of reach, and most steps are within reach
    // by the sum of their two angles in degrees (the first bound of `within_reach`).
    let m_per_deg = Haversine.radius().to_radians();
    let (error_deg, bound_deg_s) = (FIX_ERROR_M / m_per_deg, bound_m_s / m_per_deg);
    let mut last: Option<(f64, f64, f64)> = None;
    let mut clean = true;
    for ((&t, &lat), &lon) in s.t_s.iter().zip(&s.lat_deg).zip(&s.lon_deg) {
        if lat.is_nan() {
            continue;
        }
        if let Some(j) = last {
            // (A time going back fails here and is judged by `within_reach`.)
            let (d_lat, d_lon) = ((lat - j.1).abs(), (lon - j.2).abs());
            let near = d_lat + d_lon <= error_deg + bound_deg_s * (t - j.0);
            if !near && !within_reach(j, (t, lat, lon), bound_m_s) {
                clean = false;
                break;
            }
        }
        last = Some((t, lat, lon));
    }
    if clean {
        return None;
    }

    let fixes: Vec<usize> = (0..n).filter(|&i| !s.lat_deg[i].is_nan()).collect();
    let m = fixes.len();
    const NONE: usize = usize::MAX;
    // cost[k]: the least cost of a kept track that ends at fix k; from[k]: the fix kept before
    // it (NONE: every fix before k dropped).
    let mut cost = vec![0usize; m];
    let mut from = vec![NONE; m];
    let mut since_jump = usize::MAX; // steps since the last step out of reach between neighbours
    for k in 1..m {
        let near = reach(fixes[k - 1], fixes[k]);
        since_jump = if near {
            since_jump.saturating_add(1)
        } else {
            0
        };
        if near && since_jump >= LOOK_BACK_FIXES {
            // Far from any jump, the fix before is the best to come from.
            cost[k] = cost[k - 1];
            from[k] = k - 1;
            continue;
        }
        let (mut best, mut best_from) = (k, NONE);
        for j in (k.saturating_sub(LOOK_BACK_FIXES)..k).rev() {
            let dropped = k - j - 1;
            if cost[j] + dropped >= best {
                continue;
            }
            let within = if j == k - 1 {
                near
            } else {
                reach(fixes[j], fixes[k])
            };
            let c = cost[j] + dropped + if within { 0 } else { JUMP_COST_FIXES };
            if c < best {
                (best, best_from) = (c, j);
            }
        }
        cost[k] = best;
        from[k] = best_from;
    }
    // The end: the fixes after the last one kept are dropped.
    let mut k = (0..m)
        .min_by_key(|&k| (cost[k] + (m - 1 - k), m - 1 - k))
        .unwrap_or(0);
    let mut keep = vec![false; m];
    let mut jumps = 0;
    loop {
        keep[k] = true;
        let j = from[k];
        if j == NONE {
            break;
        }
        if !reach(fixes[j], fixes[k]) {
            jumps += 1;
        }
        k = j;
    }
    let dropped: Vec<usize> = (0..m).filter(|&k| !keep[k]).map(|k| fixes[k]).collect();
    if 2 * dropped.len() >= m {
        // Glitches are the exception: a track mostly out of reach of itself is something else
        // (a route given one time, points of several tracks sorted together), left as it is.
        let jumps = (1..m).filter(|&k| !reach(fixes[k - 1], fixes[k])).count();
        return Some(Unreachable {
            fixes: m,
            dropped: Vec::new(),
            jumps,
            too_many: true,
        });
    }
    Some(Unreachable {
        fixes: m,
        dropped,
        jumps,
        too_many: false,
    })
}

/// Whether fix `k` lies within reach of fix `j` at `bound_m_s`, each fix `(t_s, lat_deg,
/// lon_deg)` ([`unreachable_fixes`]). Two bounds of the distance on the sphere decide most steps
/// without a trigonometric call: it is at most the path along a parallel and then a meridian (the
/// sum of the two angles, the longitude's taken the short way round), and at least the
/// meridian's.
#[inline]
fn within_reach(j: (f64, f64, f64), k: (f64, f64, f64), bound_m_s: f64) -> bool {
    let (t_j, lat_j, lon_j) = j;
    let (t_k, lat_k, lon_k) = k;
    let reach_m = FIX_ERROR_M + bound_m_s * (t_k - t_j).max(0.0);
    let m_per_deg = Haversine.radius().to_radians();
    let d_lat = (lat_k - lat_j).abs();
    let d_lon = (lon_k - lon_j).abs();
    let d_lon = d_lon.min(360.0 - d_lon);
    if (d_lat + d_lon) * m_per_deg <= reach_m {
        return true;
    }
    if d_lat * m_per_deg > reach_m {
        return false;
    }
    Haversine.distance(Point::new(lon_j, lat_j), Point::new(lon_k, lat_k)) <= reach_m
}

/// The samples at the indices `keep` admits, in order.
fn select(s: &Samples, keep: impl Fn(usize) -> bool) -> Samples {
    let mut out = Samples::default();
    for i in (0..s.len()).filter(|&i| keep(i)) {
        out.push(s.get(i));
    }
    out
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::model::{Format, Sample};

    fn activity(times: &[f64], positions: &[(f64, f64)]) -> Activity {
        let start = Utc.with_ymd_and_hms(2025, 3, 3, 7, 0, 0).unwrap();
        let mut a = Activity::new("t.gpx", Format::Gpx, start);
        for (i, t) in times.iter().enumerate() {
            let (lat, lon) = positions.get(i).copied().unwrap_or((45.0, 7.0));
            a.samples.push(Sample {
                t_s: *t,
                lat_deg: lat,
                lon_deg: lon,
                ..Sample::default()
            });
        }
        a
    }

    #[test]
    fn a_sample_dated_9999_is_dropped_and_the_run_stays() {
        // The last point's date is 9999-12-31: seconds from a 2025 start.
        let far = (253_402_214_400_i64 - 1_740_985_200) as f64;
        let a = clean(activity(&[0.0, 1.0, 2.0, far], &[])).unwrap();
        assert_eq!(a.samples.t_s, [0.0, 1.0, 2.0]);
        assert_eq!(
            a.warnings,
            ["dropped 1 of 4 samples dated outside 1989–2100"]
        );
    }

    #[test]
    fn impossible_positions_are_dropped_not_the_samples() {
        // The first and the last a metre apart, at the south pole.
        let a = clean(activity(
            &[0.0, 1.0, 2.0, 3.0],
            &[
                (-89.99999, 0.0),
                (95.0, -975.0),
                (f64::NAN, 7.0),
                (-90.0, 180.0),
            ],
        ))
        .unwrap();
        assert_eq!(a.samples.len(), 4);
        assert!(a.samples.lat_deg[1].is_nan() && a.samples.lon_deg[1].is_nan());
        assert!(a.samples.lat_deg[2].is_nan() && a.samples.lon_deg[2].is_nan());
        assert_eq!(a.samples.lat_deg[3], -90.0);
        assert_eq!(
            a.warnings,
            ["dropped 2 positions outside ±90° latitude or ±180° longitude"]
        );
    }

    #[test]
    fn a_jump_of_more_than_a_day_between_places_cuts_the_activity_and_the_start_follows() {
        // Two samples, then a jump of two days and 50 km, then four samples: the four are kept.
        let day2 = 2.0 * 86_400.0;
        let far = (45.5, 7.0);
        let a = clean(activity(
            &[0.0, 1.0, day2, day2 + 1.0, day2 + 2.0, day2 + 3.0],
            &[(45.0, 7.0), (45.0, 7.0), far, far, far, far],
        ))
        .unwrap();
        assert_eq!(a.samples.t_s, [0.0, 1.0, 2.0, 3.0]);
        assert_eq!(
            a.start_utc,
            Utc.with_ymd_and_hms(2025, 3, 5, 7, 0, 0).unwrap()
        );
        assert_eq!(
            a.warnings,
            [
                "samples jump by more than a day (1 time) between separate stretches; kept the \
              longest, 4 of 6 samples"
            ]
        );
        // A day exactly is not more than a day.
        let a = clean(activity(&[0.0, 86_400.0], &[])).unwrap();
        assert_eq!(a.samples.len(), 2);
        assert!(a.warnings.is_empty());
    }

    #[test]
    fn a_clock_set_mid_run_is_closed_up_not_cut() {
        // Three samples a second apart, then the clock jumps 20 days ahead while the device's
        // distance goes on: the first three move to just before the rest.
        let jump = 20.0 * 86_400.0;
        let mut a = activity(&[0.0, 1.0, 2.0, jump, jump + 1.0, jump + 2.0], &[]);
        a.samples.distance_m = vec![0.0, 3.0, 6.0, 9.0, 12.0, 15.0];
        let a = clean(a).unwrap();
        assert_eq!(a.samples.t_s, [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(a.samples.distance_m, [0.0, 3.0, 6.0, 9.0, 12.0, 15.0]);
        // Dated by the later clock.
        assert_eq!(
            a.start_utc,
            Utc.with_ymd_and_hms(2025, 3, 23, 6, 59, 57).unwrap()
        );
        assert_eq!(
            a.warnings,
            ["the clock jumped while the recording went on (20.0 days at sample 3); the samples \
              before each jump were moved to run on into the later ones"]
        );
        // The same by position, without a distance column.
        let a = clean(activity(&[0.0, 1.0, jump, jump + 1.0], &[])).unwrap();
        assert_eq!(a.samples.t_s, [0.0, 1.0, 2.0, 3.0]);
    }

    #[test]
    fn a_fit_sessions_start_decides_which_clock_is_right() {
        // A FIT run whose session starts with its first records, then the records jump 1.4 days
        // ahead while the distance goes on: the later records move back, the start stays.
        let jump = 1.4 * 86_400.0;
        let times = [0.0, 1.0, 2.0, jump, jump + 1.0, jump + 2.0];
        let fit = |times: &[f64]| {
            let mut a = activity(times, &[]);
            a.format = Format::Fit;
            a.device = Some(crate::model::DeviceSummary::default());
            a.samples.distance_m = vec![0.0, 3.0, 6.0, 9.0, 12.0, 15.0];
            a
        };
        let a = clean(fit(&times)).unwrap();
        assert_eq!(a.samples.t_s, [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(
            a.start_utc,
            Utc.with_ymd_and_hms(2025, 3, 3, 7, 0, 0).unwrap()
        );
        assert_eq!(
            a.warnings,
            [
                "the clock jumped while the recording went on (1.4 days at sample 3); the samples \
              after each jump were moved back to run on from the earlier ones, as the session's \
              start time has them"
            ]
        );
        // The session starting by the later clock (the first records before it): the earlier
        // records move forward, as without a session.
        let late: Vec<f64> = times.iter().map(|t| t - jump).collect();
        let a = clean(fit(&late)).unwrap();
        assert_eq!(a.samples.t_s, [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(
            a.start_utc,
            Utc.with_ymd_and_hms(2025, 3, 3, 6, 59, 57).unwrap()
        );
        // Three stretches, the session's start in the middle one: each side moves to it.
        let mut a = activity(
            &[0.0, 1.0, jump, jump + 1.0, 2.0 * jump, 2.0 * jump + 1.0],
            &[],
        );
        a.format = Format::Fit;
        a.device = Some(crate::model::DeviceSummary::default());
        a.samples.distance_m = vec![0.0, 3.0, 6.0, 9.0, 12.0, 15.0];
        for t in &mut a.samples.t_s {
            *t -= jump;
        }
        let a = clean(a).unwrap();
        assert_eq!(a.samples.t_s, [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(
            a.start_utc,
            Utc.with_ymd_and_hms(2025, 3, 3, 6, 59, 58).unwrap()
        );
        assert!(
            a.warnings[0].ends_with("from stretch 2 of 3, where the session's start time has them")
        );
    }

    #[test]
    fn nothing_in_range_is_an_error() {
        let mut a = activity(&[], &[]);
        a.start_utc = DateTime::from_timestamp(LATEST_UNIX_S + 10, 0).unwrap();
        assert_eq!(
            clean(a).unwrap_err().to_string(),
            "start time 2100-01-01T00:00:10Z lies outside 1989–2100"
        );
        let mut a = activity(&[0.0, 1.0], &[]);
        a.start_utc = DateTime::from_timestamp(0, 0).unwrap();
        assert_eq!(
            clean(a).unwrap_err().to_string(),
            "every one of the 2 samples is dated outside 1989–2100"
        );
        // A start before 1989 whose later samples are in range: the start moves to them.
        let mut a = activity(&[0.0, 700_000_000.0, 700_000_001.0], &[]);
        a.start_utc = DateTime::from_timestamp(0, 0).unwrap();
        let a = clean(a).unwrap();
        assert_eq!(a.start_utc.timestamp(), 700_000_000);
        assert_eq!(a.samples.t_s, [0.0, 1.0]);
    }

    #[test]
    fn the_files_start_stands_unless_samples_before_the_first_kept_were_dropped() {
        // The first record 78 s after the session's start, nothing dropped: the start stands and
        // the samples keep their times from it.
        let a = clean(activity(&[78.0, 79.0, 80.0], &[])).unwrap();
        assert_eq!(
            a.start_utc,
            Utc.with_ymd_and_hms(2025, 3, 3, 7, 0, 0).unwrap()
        );
        assert_eq!(a.samples.t_s, [78.0, 79.0, 80.0]);
        assert!(a.warnings.is_empty());
        // A sample in the middle dated out: the start still stands.
        let far = (253_402_214_400_i64 - 1_740_985_200) as f64;
        let a = clean(activity(&[78.0, far, 80.0], &[])).unwrap();
        assert_eq!(a.start_utc.timestamp(), 1_740_985_200);
        assert_eq!(a.samples.t_s, [78.0, 80.0]);
        // The first sample dated out: the start follows the first kept.
        let a = clean(activity(&[-1_740_985_200.0 + 1.0, 78.0, 79.0], &[])).unwrap();
        assert_eq!(a.start_utc.timestamp(), 1_740_985_278);
        assert_eq!(a.samples.t_s, [0.0, 1.0]);
        // Samples before the file's start: the start moves back to the first of them.
        let a = clean(activity(&[-5.0, 0.0, 1.0], &[])).unwrap();
        assert_eq!(a.start_utc.timestamp(), 1_740_985_195);
        assert_eq!(a.samples.t_s, [0.0, 5.0, 6.0]);
    }

    #[test]
    fn a_clean_activity_is_left_as_it_is() {
        let a = activity(&[0.0, 1.0, 2.0], &[]);
        // NaN is not equal to itself: compare what they print.
        assert_eq!(format!("{:?}", clean(a.clone()).unwrap()), format!("{a:?}"));
    }

    #[test]
    fn many_clock_jumps_make_one_short_line() {
        // Six stretches of two samples at one place, each dated two days after the one before:
        // five jumps closed, three listed.
        let jump = 2.0 * 86_400.0;
        let times: Vec<f64> = (0..12)
            .map(|i| (i / 2) as f64 * jump + (i % 2) as f64)
            .collect();
        let a = clean(activity(&times, &[])).unwrap();
        let expected: Vec<f64> = (0..12).map(f64::from).collect();
        assert_eq!(a.samples.t_s, expected);
        assert_eq!(
            a.warnings,
            [
                "the clock jumped while the recording went on (2.0 days at sample 2, 2.0 days at \
              sample 4, 2.0 days at sample 6, and 2 more); the samples before each jump were \
              moved to run on into the later ones"
            ]
        );
        // A hostile file: 10,000 jumps of 1.5 days, closed in one pass, told in a short line.
        let jump = 1.5 * 86_400.0;
        let times: Vec<f64> = (0..20_000)
            .map(|i| (i / 2) as f64 * jump + (i % 2) as f64)
            .collect();
        let a = clean(activity(&times, &[])).unwrap();
        assert_eq!(a.samples.t_s.len(), 20_000);
        assert_eq!(a.samples.t_s[19_999], 19_999.0);
        assert_eq!(
            a.warnings,
            [
                "the clock jumped while the recording went on (1.5 days at sample 2, 1.5 days at \
              sample 4, 1.5 days at sample 6, and 9996 more); the samples before each jump were \
              moved to run on into the later ones"
            ]
        );
    }

    /// Metres per degree of latitude on geo's sphere.
    fn m_per_deg() -> f64 {
        Haversine.radius().to_radians()
    }

    /// A track at 1 Hz north along 7° E from 45° N at `speed_m_s`: `secs + 1` fixes.
    fn north(secs: usize, speed_m_s: f64) -> Vec<(f64, f64)> {
        (0..=secs)
            .map(|t| (45.0 + t as f64 * speed_m_s / m_per_deg(), 7.0))
            .collect()
    }

    /// `p` moved `metres` east.
    fn east(p: (f64, f64), metres: f64) -> (f64, f64) {
        (p.0, p.1 + metres / (m_per_deg() * p.0.to_radians().cos()))
    }

    /// The activity of `sport` with a fix a second at `positions`, cleaned.
    fn cleaned(sport: Sport, positions: &[(f64, f64)]) -> Activity {
        let times: Vec<f64> = (0..positions.len()).map(|t| t as f64).collect();
        let mut a = activity(&times, positions);
        a.sport = sport;
        clean(a).unwrap()
    }

    /// The samples whose positions were dropped.
    fn without_position(a: &Activity) -> Vec<usize> {
        (0..a.samples.len())
            .filter(|&i| a.samples.lat_deg[i].is_nan())
            .collect()
    }

    #[test]
    fn a_fix_elsewhere_at_the_same_time_is_dropped() {
        // A 10 min run at 3 m/s, with a second fix at second 300, 42 km east: dropped. A second
        // fix at second 200 at the same place (a duplicate) stays.
        let track = north(600, 3.0);
        let mut times: Vec<f64> = (0..=600).map(f64::from).collect();
        let mut positions = track.clone();
        times.insert(301, 300.0);
        positions.insert(301, east(track[300], 42_000.0));
        times.insert(201, 200.0);
        positions.insert(201, track[200]);
        let mut a = activity(&times, &positions);
        a.sport = Sport::Running;
        let a = clean(a).unwrap();
        assert_eq!(a.samples.len(), 603);
        assert_eq!(without_position(&a), [302]);
        assert_eq!(
            a.warnings,
            ["dropped 1 of 603 GPS positions that a runner could not reach from the track (over \
              12.5 m/s, or elsewhere at the same time); the samples stay"]
        );
    }

    #[test]
    fn teleports_at_55_m_s_are_dropped() {
        // 56 min at 3 m/s, every 20th fix 55 m east of the track and back a second later: each
        // is a step at 55 m/s out and one back, under the old 60 m/s cut. All 168 go.
        let mut track = north(3360, 3.0);
        for t in (20..3360).step_by(20) {
            track[t] = east(track[t], 55.0);
        }
        let a = cleaned(Sport::Running, &track);
        let expected: Vec<usize> = (20..3360).step_by(20).collect();
        assert_eq!(without_position(&a), expected);
        assert_eq!(
            a.warnings,
            [
                "dropped 167 of 3361 GPS positions that a runner could not reach from the track \
              (over 12.5 m/s, or elsewhere at the same time); the samples stay"
            ]
        );
    }

    #[test]
    fn a_fix_that_jumps_away_and_stays_a_while_is_dropped() {
        // A phone's Wi-Fi location 300 m east for 5 fixes, and 2 km east for 50; both come
        // back. (Further from the track than a sprint reaches in the time of the stay: a stay
        // within reach cannot be told from a sprint there and back, and the fewest fixes go.)
        for (stay, metres) in [(5, 300.0), (50, 2000.0)] {
            let mut track = north(600, 3.0);
            let wifi = east(track[300], metres);
            track[300..300 + stay].fill(wifi);
            let a = cleaned(Sport::Running, &track);
            let expected: Vec<usize> = (300..300 + stay).collect();
            assert_eq!(without_position(&a), expected, "{stay} fixes");
        }
        // For 70 fixes (more than twice JUMP_COST_FIXES) it is kept, with its two jumps.
        let mut track = north(600, 3.0);
        let wifi = east(track[300], 2000.0);
        track[300..370].fill(wifi);
        let a = cleaned(Sport::Running, &track);
        assert_eq!(without_position(&a), [0usize; 0]);
        assert_eq!(
            a.warnings,
            ["the track jumps 2 times faster than a runner moves (12.5 m/s) and goes on from the \
              new place"]
        );
    }

    #[test]
    fn the_first_fixes_before_the_receiver_found_itself_are_dropped() {
        // The first 5 fixes 2 km west, then the run; and the same at the end.
        let mut track = north(600, 3.0);
        let cold = east(track[0], -2000.0);
        track[..5].fill(cold);
        track[596..].fill(cold);
        let a = cleaned(Sport::Running, &track);
        assert_eq!(
            without_position(&a),
            [0, 1, 2, 3, 4, 596, 597, 598, 599, 600]
        );
    }

    #[test]
    fn a_track_that_goes_on_from_afar_is_kept() {
        // After 10 min without a fix (a tunnel), the track goes on 2 km further: 3.3 m/s.
        let track = north(300, 3.0);
        let far = north(300, 3.0)
            .into_iter()
            .map(|p| (p.0 + 2000.0 / m_per_deg(), p.1));
        let mut times: Vec<f64> = (0..=300).map(f64::from).collect();
        times.extend((900..=1200).map(f64::from));
        let positions: Vec<(f64, f64)> = track.into_iter().chain(far).collect();
        let mut a = activity(&times, &positions);
        a.sport = Sport::Running;
        let a = clean(a).unwrap();
        assert_eq!(without_position(&a), [0usize; 0]);
        assert!(a.warnings.is_empty(), "{:?}", a.warnings);
        // Without the gap, 5 km in a second between two long stretches (a file that joins two
        // recordings): both kept, the jump told.
        let mut track = north(600, 3.0);
        for p in &mut track[301..] {
            *p = east(*p, 5000.0);
        }
        let a = cleaned(Sport::Running, &track);
        assert_eq!(without_position(&a), [0usize; 0]);
        assert_eq!(
            a.warnings,
            ["the track jumps 1 time faster than a runner moves (12.5 m/s) and goes on from the \
              new place"]
        );
    }

    #[test]
    fn jitter_on_a_fast_runner_drops_nothing() {
        // 20 min at 6.5 m/s (2:34 per km), each fix off by up to 5 m north and east on its own:
        // steps up to 19.3 m in a second, within 10 m + 12.5 m/s.
        let mut seed = 7u64;
        let mut off = || {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((seed >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 10.0
        };
        let track: Vec<(f64, f64)> = north(1200, 6.5)
            .into_iter()
            .map(|p| {
                let p = (p.0 + off() / m_per_deg(), p.1);
                east(p, off())
            })
            .collect();
        let a = cleaned(Sport::Running, &track);
        assert_eq!(without_position(&a), [0usize; 0]);
        assert!(a.warnings.is_empty(), "{:?}", a.warnings);
    }

    #[test]
    fn the_bound_follows_the_sport() {
        // A ride at 30 m/s with a fix 55 m off it: a cyclist's track, and a sport not named;
        // the glitch goes. Nobody runs it: as a run, every step is out of reach, too many for
        // glitches, and the positions stay.
        let mut track = north(600, 30.0);
        track[300] = east(track[300], 55.0);
        for sport in [Sport::Cycling, Sport::Other] {
            assert_eq!(
                without_position(&cleaned(sport, &track)),
                [300],
                "{sport:?}"
            );
        }
        let a = cleaned(Sport::Running, &track);
        assert_eq!(without_position(&a), [0usize; 0]);
        assert_eq!(
            a.warnings,
            [
                "600 of the 600 steps between GPS positions are out of reach for a runner (over \
              12.5 m/s, or elsewhere at the same time): too many for glitches; the positions are \
              kept"
            ]
        );
        // A 30 m/s descent on a bike is a ride, not a glitch.
        assert!(cleaned(Sport::Cycling, &north(600, 30.0))
            .warnings
            .is_empty());
    }

    #[test]
    fn a_route_given_one_time_is_left_as_it_is() {
        // 48 points 500 m apart, all at one time (a planned route saved as an activity).
        let times = [0.0; 48];
        let positions: Vec<(f64, f64)> = (0..48)
            .map(|i| (45.0 + 500.0 * i as f64 / m_per_deg(), 7.0))
            .collect();
        let a = clean(activity(&times, &positions)).unwrap();
        assert_eq!(without_position(&a), [0usize; 0]);
        assert_eq!(
            a.warnings,
            [
                "47 of the 47 steps between GPS positions are out of reach for any sport (over 40 \
              m/s, or elsewhere at the same time): too many for glitches; the positions are kept"
            ]
        );
    }

    #[test]
    fn fixes_that_flip_between_two_places_keep_one() {
        // A hostile file: 20,001 fixes flipping between two places 1,000 km apart, one more at
        // the first. The second place's go; one fewer there, and half would have to go,
        // too many: then they all stay.
        let here = (45.0, 7.0);
        let there = (54.0, 7.0);
        let track: Vec<(f64, f64)> = (0..20_001)
            .map(|i| if i % 2 == 0 { here } else { there })
            .collect();
        let a = cleaned(Sport::Running, &track);
        let gone = without_position(&a);
        assert_eq!(gone.len(), 10_000);
        assert!(gone.iter().all(|i| i % 2 == 1));
        let a = cleaned(Sport::Running, &track[..20_000]);
        assert!(without_position(&a).is_empty());
        assert_eq!(
            a.warnings,
            ["19999 of the 19999 steps between GPS positions are out of reach for a runner (over \
              12.5 m/s, or elsewhere at the same time): too many for glitches; the positions are \
              kept"]
        );
    }
}
