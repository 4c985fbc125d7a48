//! Samples cleaned at the edge, whatever the reader: what no watch can record is dropped here,
//! once, so that nothing after ingest meets an impossible time or position.
//!
//! - a position outside ±90° latitude or ±180° longitude (or with only one of the two) is
//!   dropped (the sample stays, without a position);
//! - a sample dated outside 1989–2100 is dropped;
//! - where the samples jump by more than a day, the clock jumped or the file joins recordings:
//!   when the recording goes on across the jump (the same place, or the device's distance going
//!   on), the watch set its clock mid-run, and the samples before the jump are moved to run on
//!   into the later ones (watches set their clock from GPS once it is found, so the later clock is
//!   trusted: Runalyze's `time-jump.fit`, a Forerunner 225 run whose first 102 records are dated
//!   20 days early); otherwise the activity is cut there and its longest stretch kept. Either way
//!   with a warning;
//! - the start follows the first sample kept.
//!
//! Times are compared as seconds in `f64` and rebuilt with checked constructors: a time that a
//! file controls never reaches chrono arithmetic that could overflow.

use chrono::{DateTime, Utc};
use geo::{Distance, Haversine, Point};

use super::error::ReadError;
use crate::model::{Activity, Samples};

/// 1989-01-01T00:00:00Z: before any GPS watch (and before the FIT epoch, 1989-12-31).
pub const EARLIEST_UNIX_S: i64 = 599_616_000;
/// 2100-01-01T00:00:00Z.
pub const LATEST_UNIX_S: i64 = 4_102_444_800;
/// Consecutive samples further apart in time than this are a clock jump or another recording.
pub const MAX_JUMP_S: f64 = 86_400.0;
/// Across a jump, samples this close (in place, or in the device's distance) are one recording.
pub const SAME_RECORDING_M: f64 = 250.0;
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
    if dated_out > 0 {
        a.samples = select(&a.samples, |i| dated(a.samples.t_s[i]));
        a.warnings.push(format!(
            "dropped {dated_out} of {n} samples dated outside 1989–2100"
        ));
    }

    close_clock_jumps(&mut a);

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

    // The start follows the first sample kept.
    let first = a.samples.t_s[0];
    if first != 0.0 {
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

/// Closes every jump of more than a day across which the recording goes on: the samples before
/// it move by the jump (less one usual step), so they run on into the later ones.
fn close_clock_jumps(a: &mut Activity) {
    let t = &a.samples.t_s;
    let jumps: Vec<usize> = (1..t.len())
        .filter(|&i| (t[i] - t[i - 1]).abs() > MAX_JUMP_S && same_recording(&a.samples, i))
        .collect();
    if jumps.is_empty() {
        return;
    }
    // The usual step between samples (the median of the steps that are not jumps).
    let mut steps: Vec<f64> = t
        .windows(2)
        .map(|w| w[1] - w[0])
        .filter(|d| *d > 0.0 && *d <= MAX_JUMP_S)
        .collect();
    steps.sort_by(|x, y| x.total_cmp(y));
    let step = steps.get(steps.len() / 2).copied().unwrap_or(1.0);
    // Each jump's shift, from the times as read: a later shift moves both sides of an earlier
    // jump alike. Then every sample moves by the shifts of the jumps after it, in one pass from
    // the end, so that a file of many jumps costs no more than a file of one.
    let t = &mut a.samples.t_s;
    let moved: Vec<(f64, usize)> = jumps.iter().map(|&i| (t[i] - t[i - 1] - step, i)).collect();
    let (mut shift, mut after) = (0.0, moved.len());
    for i in (0..t.len()).rev() {
        while after > 0 && moved[after - 1].1 > i {
            after -= 1;
            shift += moved[after].0;
        }
        t[i] += shift;
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
    a.warnings.push(format!(
        "the clock jumped while the recording went on ({}); the samples before each jump were \
         moved to run on into the later ones",
        listed.join(", ")
    ));
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
        let a = clean(activity(
            &[0.0, 1.0, 2.0, 3.0],
            &[(45.0, 7.0), (95.0, -975.0), (f64::NAN, 7.0), (-90.0, 180.0)],
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
}
