//! TCX (Garmin Training Center Database v2) reader: one activity per `<Activity>` element.
//!
//! Elements are matched by local name (`ns3:RunCadence`, `RunCadence` alike). A lap's own
//! `DistanceMeters`/`Cadence` are told apart from a trackpoint's by their parent element. The
//! XML itself is walked by [`super::xml`]; this file says what the elements mean.

use chrono::{DateTime, Utc};

use super::xml::{
    self, attr_value, median, parse_num, parse_time, seconds_between, Doc, Start, Timed,
};
use crate::ingest::error::ReadError;
use crate::model::{Activity, CadenceRule, DeviceSummary, Format, Sample, Sport};

/// A stride cadence whose median is this or more is implausible (240 steps per minute): the
/// writer stored steps, and they are kept as they are. The limit GPX's `cad` is judged by.
const STRIDE_MEDIAN_LIMIT: f64 = 120.0;

#[derive(Clone, Debug)]
struct RawPoint {
    time: Option<DateTime<Utc>>,
    lat: f64,
    lon: f64,
    alt: f64,
    dist: f64,
    hr: f64,
    /// Trackpoint `Cadence` (rpm on a ride, strides per minute from some footpod writers).
    cadence: f64,
    run_cadence: f64,
    speed: f64,
    watts: f64,
}

impl Default for RawPoint {
    fn default() -> Self {
        RawPoint {
            time: None,
            lat: f64::NAN,
            lon: f64::NAN,
            alt: f64::NAN,
            dist: f64::NAN,
            hr: f64::NAN,
            cadence: f64::NAN,
            run_cadence: f64::NAN,
            speed: f64::NAN,
            watts: f64::NAN,
        }
    }
}

#[derive(Clone, Debug, Default)]
struct RawLap {
    start: Option<DateTime<Utc>>,
    total_time_s: Option<f64>,
    distance_m: Option<f64>,
    avg_run_cadence: Option<f64>,
    /// The lap's own `Cadence` (rpm on a ride, strides per minute on a run).
    cadence: Option<f64>,
}

#[derive(Clone, Debug, Default)]
struct RawActivity {
    index: usize,
    sport: Option<String>,
    id: Option<DateTime<Utc>>,
    creator: Option<String>,
    laps: Vec<RawLap>,
    points: Vec<RawPoint>,
}

/// The TCX elements the reader tells apart, by local name (matched exactly).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tag {
    TrainingCenterDatabase,
    Activities,
    Activity,
    Courses,
    Course,
    Lap,
    Trackpoint,
    Id,
    Creator,
    Name,
    Extensions,
    Time,
    Position,
    LatitudeDegrees,
    LongitudeDegrees,
    AltitudeMeters,
    DistanceMeters,
    HeartRateBpm,
    Value,
    Cadence,
    RunCadence,
    Speed,
    Watts,
    TotalTimeSeconds,
    AvgRunCadence,
    Other,
}

/// What the walk gathers: the activities closed so far and the one, lap and trackpoint open,
/// each with the depth (number of open elements around it) where it opened.
#[derive(Default)]
struct Tcx {
    acts: Vec<RawActivity>,
    act: Option<RawActivity>,
    act_depth: usize,
    lap: Option<RawLap>,
    lap_depth: usize,
    point: Option<RawPoint>,
    point_depth: usize,
    n_activity: usize,
    saw_root: bool,
    saw_course: bool,
}

impl xml::Handler for Tcx {
    type Tag = Tag;

    fn tag(name: &str) -> Tag {
        match name {
            "TrainingCenterDatabase" => Tag::TrainingCenterDatabase,
            "Activities" => Tag::Activities,
            "Activity" => Tag::Activity,
            "Courses" => Tag::Courses,
            "Course" => Tag::Course,
            "Lap" => Tag::Lap,
            "Trackpoint" => Tag::Trackpoint,
            "Id" => Tag::Id,
            "Creator" => Tag::Creator,
            "Name" => Tag::Name,
            "Extensions" => Tag::Extensions,
            "Time" => Tag::Time,
            "Position" => Tag::Position,
            "LatitudeDegrees" => Tag::LatitudeDegrees,
            "LongitudeDegrees" => Tag::LongitudeDegrees,
            "AltitudeMeters" => Tag::AltitudeMeters,
            "DistanceMeters" => Tag::DistanceMeters,
            "HeartRateBpm" => Tag::HeartRateBpm,
            "Value" => Tag::Value,
            "Cadence" => Tag::Cadence,
            "RunCadence" => Tag::RunCadence,
            "Speed" => Tag::Speed,
            "Watts" => Tag::Watts,
            "TotalTimeSeconds" => Tag::TotalTimeSeconds,
            "AvgRunCadence" => Tag::AvgRunCadence,
            _ => Tag::Other,
        }
    }

    fn open(&mut self, open: &[Tag], tag: Tag, e: &Start) {
        let depth = open.len();
        if depth == 0 {
            self.saw_root = tag == Tag::TrainingCenterDatabase;
        }
        match tag {
            Tag::Activity if self.act.is_none() && open.contains(&Tag::Activities) => {
                self.act = Some(RawActivity {
                    index: self.n_activity,
                    sport: attr_value(e, "Sport"),
                    ..RawActivity::default()
                });
                self.n_activity += 1;
                self.act_depth = depth;
            }
            Tag::Course if open.contains(&Tag::Courses) => self.saw_course = true,
            Tag::Lap if self.act.is_some() && self.lap.is_none() && depth == self.act_depth + 1 => {
                self.lap = Some(RawLap {
                    start: attr_value(e, "StartTime").and_then(|t| parse_time(&t)),
                    ..RawLap::default()
                });
                self.lap_depth = depth;
            }
            Tag::Trackpoint if self.act.is_some() && self.point.is_none() => {
                self.point = Some(RawPoint::default());
                self.point_depth = depth;
            }
            _ => {}
        }
    }

    fn close(&mut self, open: &[Tag], text: &str) {
        let depth = open.len() - 1;
        if let Some(p) = self.point.as_mut() {
            if depth == self.point_depth {
                if let (Some(a), Some(p)) = (self.act.as_mut(), self.point.take()) {
                    a.points.push(p);
                }
            } else {
                point_field(
                    p,
                    open.get(self.point_depth + 1..).unwrap_or_default(),
                    text,
                );
            }
        } else if let Some(l) = self.lap.as_mut() {
            if depth == self.lap_depth {
                if let (Some(a), Some(l)) = (self.act.as_mut(), self.lap.take()) {
                    a.laps.push(l);
                }
            } else {
                lap_field(l, open.get(self.lap_depth + 1..).unwrap_or_default(), text);
            }
        } else if let Some(a) = self.act.as_mut() {
            if depth == self.act_depth {
                if let Some(a) = self.act.take() {
                    self.acts.push(a);
                }
            } else {
                match open.get(self.act_depth + 1..).unwrap_or_default() {
                    [Tag::Id] => a.id = parse_time(text),
                    [Tag::Creator, Tag::Name] if !text.is_empty() => {
                        a.creator = Some(text.to_string())
                    }
                    _ => {}
                }
            }
        }
    }
}

/// Reads a TCX file: one [`Activity`] per `<Activity>`, `session` being its index in the file.
pub fn read(bytes: &[u8], source: &str) -> Result<Vec<Activity>, ReadError> {
    let doc = Doc::new(bytes)?;
    let mut tcx = Tcx::default();
    let broken = xml::walk(&doc, &mut tcx);
    let Tcx {
        mut acts,
        mut act,
        mut lap,
        n_activity,
        saw_root,
        saw_course,
        ..
    } = tcx;

    if !saw_root {
        return Err(broken.unwrap_or_else(|| {
            ReadError::invalid("not a tcx file (no <TrainingCenterDatabase> element)")
        }));
    }

    // Salvage what was read before damage: finish the open trackpoint's lap and activity.
    let mut salvage_warning = None;
    if let Some(damage) = broken {
        if let Some(mut a) = act.take() {
            if let Some(l) = lap.take() {
                a.laps.push(l);
            }
            acts.push(a);
        }
        let n: usize = acts.iter().map(|a| a.points.len()).sum();
        if n == 0 {
            return Err(damage);
        }
        salvage_warning = Some(xml::salvaged(&damage, n, "trackpoints"));
    }

    if n_activity == 0 {
        if saw_course {
            return Err(ReadError::not_activity(
                "tcx course, not a recorded activity",
            ));
        }
        return Err(ReadError::not_activity("tcx has no activities"));
    }

    let mut out = Vec::new();
    let mut reasons = Vec::new();
    for raw in acts {
        match build(raw, source) {
            Ok(mut a) => {
                if let Some(w) = &salvage_warning {
                    a.warnings.insert(0, w.clone());
                }
                out.push(a);
            }
            Err(e) => reasons.push(e),
        }
    }
    if out.is_empty() {
        return Err(reasons
            .into_iter()
            .next()
            .unwrap_or_else(|| ReadError::invalid("no activity with trackpoints or lap totals")));
    }
    Ok(out)
}

/// Stores a trackpoint child (`rel` = path below `Trackpoint`, innermost last).
fn point_field(p: &mut RawPoint, rel: &[Tag], text: &str) {
    let Some(&tag) = rel.last() else {
        return;
    };
    if rel.first() == Some(&Tag::Extensions) {
        match tag {
            Tag::Speed => p.speed = parse_num(text),
            Tag::RunCadence => p.run_cadence = parse_num(text),
            Tag::Watts => p.watts = parse_num(text),
            _ => {}
        }
        return;
    }
    match rel {
        [Tag::Time] => p.time = parse_time(text),
        [Tag::AltitudeMeters] => p.alt = parse_num(text),
        [Tag::DistanceMeters] => p.dist = parse_num(text),
        [Tag::Cadence] => p.cadence = parse_num(text),
        [Tag::Position, Tag::LatitudeDegrees] => p.lat = parse_num(text),
        [Tag::Position, Tag::LongitudeDegrees] => p.lon = parse_num(text),
        [Tag::HeartRateBpm, Tag::Value] => p.hr = parse_num(text),
        _ => {}
    }
}

/// Stores a lap total (`rel` = path below `Lap`); trackpoints are handled before this.
fn lap_field(l: &mut RawLap, rel: &[Tag], text: &str) {
    let num = || Some(parse_num(text)).filter(|v| !v.is_nan());
    match rel {
        [Tag::TotalTimeSeconds] => l.total_time_s = num(),
        [Tag::DistanceMeters] => l.distance_m = num(),
        [Tag::Cadence] => l.cadence = num(),
        [Tag::Extensions, .., Tag::AvgRunCadence] => l.avg_run_cadence = num(),
        _ => {}
    }
}

fn build(raw: RawActivity, source: &str) -> Result<Activity, ReadError> {
    let mut warnings = Vec::new();
    let mut points = raw.points;
    warnings.extend(Timed::keep(&mut points, |p| p.time).warnings("trackpoints"));

    let has_lap_totals = raw
        .laps
        .iter()
        .any(|l| l.total_time_s.is_some() || l.distance_m.is_some());
    if points.is_empty() && !has_lap_totals {
        return Err(ReadError::invalid(format!(
            "activity {} has no trackpoints and no lap totals",
            raw.index
        )));
    }

    let first_time = points.first().and_then(|p| p.time);
    let last_time = points.last().and_then(|p| p.time);
    let start = match first_time
        .or(raw.id)
        .or_else(|| raw.laps.iter().find_map(|l| l.start))
    {
        Some(t) => t,
        None => {
            return Err(ReadError::invalid(format!(
                "activity {} has no start time",
                raw.index
            )))
        }
    };

    let mut act = Activity::new(source, Format::Tcx, start);
    act.session = raw.index;
    act.device_name = raw.creator;
    match raw.sport {
        Some(s) if !s.trim().is_empty() => {
            act.sport = Sport::from_name(&s);
            act.sport_detail = s;
        }
        _ => warnings.push("no sport type in file".to_string()),
    }
    if points.is_empty() {
        warnings.push("no trackpoints with a time; lap totals only".to_string());
    }

    // Cadence: on foot only; RunCadence (strides) doubled, else trackpoint Cadence doubled,
    // unless their median already sits in the steps range (decided once per file, as GPX does).
    let on_foot = act.sport.on_foot();
    let has_run_cad = points.iter().any(|p| p.run_cadence.is_finite());
    let has_cad = points.iter().any(|p| p.cadence.is_finite());
    let use_cadence = on_foot && (has_run_cad || has_cad);
    let mut factor = 2.0;
    if use_cadence {
        let strides: Vec<f64> = points
            .iter()
            .map(|p| stride_cadence(p, has_run_cad))
            .filter(|c| c.is_finite() && *c > 0.0)
            .collect();
        factor = median(strides).map_or(2.0, steps_factor);
        act.cadence_rule = if factor == 1.0 {
            CadenceRule::TcxAlreadySpm
        } else {
            CadenceRule::TcxStridesDoubled
        };
    }

    act.samples.reserve(points.len());
    for p in &points {
        let t = match p.time {
            Some(t) => t,
            None => continue,
        };
        act.samples.push(Sample {
            t_s: seconds_between(start, t),
            lat_deg: p.lat,
            lon_deg: p.lon,
            elevation_m: p.alt,
            distance_m: p.dist,
            speed_m_s: p.speed,
            cadence_spm: if use_cadence {
                stride_cadence(p, has_run_cad) * factor
            } else {
                f64::NAN
            },
            heart_rate_bpm: p.hr,
            power_w: p.watts,
            ..Sample::default()
        });
    }

    if has_lap_totals {
        let sum = |f: fn(&RawLap) -> Option<f64>| -> Option<f64> {
            let v: Vec<f64> = raw.laps.iter().filter_map(f).collect();
            if v.is_empty() {
                None
            } else {
                Some(v.iter().sum())
            }
        };
        act.device = Some(DeviceSummary {
            distance_m: sum(|l| l.distance_m),
            ascent_m: None,
            descent_m: None,
            // The laps' average as the trackpoints are read; without trackpoint cadence, judged
            // on its own.
            cadence_spm: lap_cadence(&raw.laps, on_foot)
                .map(|c| c * if use_cadence { factor } else { steps_factor(c) }),
            timer_s: sum(|l| l.total_time_s),
            elapsed_s: match (first_time, last_time) {
                (Some(a), Some(b)) => Some(seconds_between(a, b)),
                _ => None,
            },
        });
    }
    act.warnings = warnings;
    Ok(act)
}

/// What brings a cadence whose median (or lap average) is `stride_median` to steps per minute:
/// 2 for strides, 1 where the value already sits in the steps range.
fn steps_factor(stride_median: f64) -> f64 {
    if stride_median >= STRIDE_MEDIAN_LIMIT {
        1.0
    } else {
        2.0
    }
}

/// A trackpoint's cadence in strides per minute: `RunCadence` when the file has it, else
/// `Cadence`.
fn stride_cadence(p: &RawPoint, file_has_run_cadence: bool) -> f64 {
    if file_has_run_cadence {
        if p.run_cadence.is_finite() {
            p.run_cadence
        } else {
            p.cadence
        }
    } else {
        p.cadence
    }
}

/// Lap-time-weighted mean of `AvgRunCadence` (strides per minute) over the laps that have it.
/// On foot, a file without any `AvgRunCadence` falls back to the laps' own `Cadence` (Movescount
/// writes strides there), as trackpoints do.
fn lap_cadence(laps: &[RawLap], on_foot: bool) -> Option<f64> {
    let pick: fn(&RawLap) -> Option<f64> = if laps.iter().any(|l| l.avg_run_cadence.is_some()) {
        |l| l.avg_run_cadence
    } else if on_foot {
        |l| l.cadence
    } else {
        return None;
    };
    let with: Vec<(f64, f64)> = laps
        .iter()
        .filter_map(|l| pick(l).map(|c| (c, l.total_time_s.unwrap_or(0.0))))
        .collect();
    if with.is_empty() {
        return None;
    }
    let weight: f64 = with.iter().map(|&(_, w)| w.max(0.0)).sum();
    if weight > 0.0 {
        Some(with.iter().map(|&(c, w)| c * w.max(0.0)).sum::<f64>() / weight)
    } else {
        Some(with.iter().map(|&(c, _)| c).sum::<f64>() / with.len() as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::error::Position;
    use std::collections::HashMap;

    /// `N Activity` and `N Trackpoint` from the MANIFEST notes.
    fn manifest_counts() -> HashMap<String, (usize, usize)> {
        let acts = crate::test_support::manifest_counts("Activity");
        let tps = crate::test_support::manifest_counts("Trackpoint");
        acts.into_iter()
            .filter_map(|(f, a)| Some((f.clone(), (a, *tps.get(&f)?))))
            .collect()
    }

    /// Trackpoints the reader saw in one activity: samples plus those dropped for lack of time.
    fn seen_points(a: &Activity) -> usize {
        a.warnings
            .iter()
            .find_map(|w| {
                w.strip_prefix("dropped ")
                    .and_then(|r| r.split(" of ").nth(1))
                    .and_then(|r| r.split_whitespace().next())
                    .and_then(|n| n.parse().ok())
            })
            .unwrap_or(a.samples.len())
    }

    fn utc(s: &str) -> DateTime<Utc> {
        parse_time(s).expect("test time")
    }

    fn read_ok(bytes: &[u8], name: &str) -> Vec<Activity> {
        read(bytes, name).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    #[test]
    fn forerunner_run_first_lap() {
        let acts = read_ok(
            include_bytes!("../../fixtures/tcx/python-tcxparser-test-first-lap.tcx"),
            "tcxparser",
        );
        assert_eq!(acts.len(), 1);
        let a = &acts[0];
        assert_eq!(a.source, "tcxparser");
        assert_eq!(a.format, Format::Tcx);
        assert_eq!(a.session, 0);
        assert_eq!(a.sport, Sport::Running);
        assert_eq!(a.sport_detail, "Running");
        assert_eq!(
            a.device_name.as_deref(),
            Some("Forerunner 410 Software Version 2.20")
        );
        assert_eq!(a.samples.len(), 129);
        assert_eq!(a.start_utc, utc("2012-12-26T21:29:53Z"));
        assert_eq!(a.samples.t_s[10], 38.0);
        assert_eq!(a.samples.heart_rate_bpm[10], 66.0);
        assert_eq!(a.samples.distance_m[10], 68.855758667);
        assert_eq!(a.samples.elevation_m[10], 186.633178711);
        assert_eq!(a.samples.lat_deg[0], 35.951880198);
        assert_eq!(a.samples.lon_deg[0], -79.0931872185);
        // No cadence of any kind in this file.
        assert_eq!(a.cadence_rule, CadenceRule::None);
        let d = a.device.as_ref().expect("lap totals");
        assert_eq!(d.distance_m, Some(1609.34399414));
        assert_eq!(d.timer_s, Some(608.47));
        assert_eq!(d.elapsed_s, Some(605.0));
        assert_eq!(d.cadence_spm, None);
        assert_eq!((d.ascent_m, d.descent_m), (None, None));
    }

    #[test]
    fn three_activities_cadence_rules_bom() {
        let bytes =
            include_bytes!("../../fixtures/tcx/made-three-activities-runcadence-footpod-bike.tcx");
        assert!(bytes.starts_with(b"\xEF\xBB\xBF\r\n"));
        let acts = read_ok(bytes, "made");
        assert_eq!(acts.len(), 3);
        assert_eq!(
            acts.iter().map(|a| a.session).collect::<Vec<_>>(),
            vec![0, 1, 2]
        );

        // ns3:RunCadence strides doubled; lap DistanceMeters/Cadence not taken for points.
        let run = &acts[0];
        assert_eq!(run.device_name.as_deref(), Some("Forerunner 255 & HRM-Pro"));
        assert_eq!(run.cadence_rule, CadenceRule::TcxStridesDoubled);
        assert_eq!(run.samples.len(), 5);
        assert_eq!(
            run.samples.cadence_spm,
            vec![168.0, 172.0, 176.0, 180.0, 182.0]
        );
        assert_eq!(run.samples.distance_m, vec![0.0, 15.0, 30.0, 70.0, 130.0]);
        assert_eq!(run.samples.speed_m_s[1], 3.0);
        assert_eq!(run.samples.power_w[1], 250.0);
        assert!(run.samples.power_w[0].is_nan());
        assert_eq!(run.samples.heart_rate_bpm[4], 155.0);
        assert_eq!(run.samples.t_s[4], 40.0);
        let d = run.device.as_ref().expect("laps");
        assert_eq!(d.distance_m, Some(130.0));
        assert_eq!(d.timer_s, Some(40.0));
        assert_eq!(d.elapsed_s, Some(40.0));
        // (85 * 10 + 90 * 30) / 40 = 88.75 strides -> 177.5 steps.
        assert_eq!(d.cadence_spm, Some(177.5));

        // Footpod writer: trackpoint Cadence on a run, no RunCadence: doubled too.
        let pod = &acts[1];
        assert_eq!(pod.cadence_rule, CadenceRule::TcxStridesDoubled);
        assert_eq!(pod.samples.cadence_spm, vec![160.0, 164.0, 166.0]);
        assert_eq!(pod.start_utc, utc("2024-03-11T18:00:00Z"));
        assert!(pod.device_name.is_none());
        // No AvgRunCadence: the lap's own Cadence (strides) is used on foot.
        assert_eq!(pod.device.as_ref().and_then(|d| d.cadence_spm), Some(160.0));

        // Biking: cadence is rpm, not steps.
        let bike = &acts[2];
        assert_eq!(bike.sport, Sport::Cycling);
        assert_eq!(bike.sport_detail, "Biking");
        assert_eq!(bike.cadence_rule, CadenceRule::None);
        assert!(!Samples::has(&bike.samples.cadence_spm));
        assert_eq!(bike.samples.power_w, vec![180.0, 200.0]);
        assert_eq!(bike.device.as_ref().and_then(|d| d.cadence_spm), None);
    }

    use crate::model::Samples;

    #[test]
    fn paddle_other_sport_two_laps() {
        let acts = read_ok(
            include_bytes!("../../fixtures/tcx/tcxreader-sup_activity_1.tcx"),
            "sup",
        );
        let a = &acts[0];
        assert_eq!(a.sport, Sport::Other);
        assert_eq!(a.sport_detail, "Other");
        assert_eq!(a.device_name.as_deref(), Some("v\u{ed}voactive HR"));
        assert_eq!(a.samples.len(), 111);
        assert_eq!(a.start_utc, utc("2022-07-16T16:08:25Z"));
        assert_eq!(a.samples.heart_rate_bpm[10], 97.0);
        assert_eq!(a.samples.speed_m_s[0], 0.2680000066757202);
        let d = a.device.as_ref().expect("laps");
        assert_eq!(d.distance_m, Some(1157.51));
        assert!((d.timer_s.unwrap_or(0.0) - 1112.335).abs() < 1e-9);
        assert_eq!(d.elapsed_s, Some(1112.0));
    }

    #[test]
    fn id_differs_from_trackpoints_and_pool_swim() {
        // The Id says 2015 but every trackpoint is in 2021: the trackpoints win.
        let acts = read_ok(
            include_bytes!("../../fixtures/tcx/sport-activities-features-dead_end.tcx"),
            "dead_end",
        );
        let a = &acts[0];
        assert_eq!(a.start_utc, utc("2021-09-29T15:17:30Z"));
        assert_eq!(a.samples.len(), 48);
        assert_eq!(a.sport, Sport::Cycling);
        assert_eq!(a.device_name.as_deref(), Some("Garmin Edge 500"));
        assert_eq!(a.device.as_ref().and_then(|d| d.elapsed_s), Some(3600.0));
        assert!(!Samples::has(&a.samples.heart_rate_bpm));

        let swim = read_ok(
            include_bytes!("../../fixtures/tcx/sport-activities-features-pool_swim-activity_1.tcx"),
            "pool",
        );
        let s = &swim[0];
        assert_eq!(s.samples.len(), 32);
        assert!(!s.samples.has_gps());
        assert_eq!(s.samples.distance_m[10], 500.0);
        assert!(s.samples.speed_m_s[0].is_nan());
        assert_eq!(s.device.as_ref().and_then(|d| d.distance_m), Some(1500.0));
    }

    #[test]
    fn course_is_not_an_activity() {
        let e = read(
            include_bytes!("../../fixtures/tcx/made-course-only.tcx"),
            "course",
        )
        .unwrap_err();
        assert_eq!(
            e,
            ReadError::not_activity("tcx course, not a recorded activity")
        );
    }

    #[test]
    fn truncated_tcx_is_salvaged_or_rejected() {
        let full =
            include_bytes!("../../fixtures/tcx/made-truncated-dead_end-after-10-trackpoints.tcx");
        let acts = read_ok(full, "cut");
        assert_eq!(acts[0].samples.len(), 10);
        assert!(
            acts[0].warnings.iter().any(|w| w.contains("XML at byte")),
            "{:?}",
            acts[0].warnings
        );
        // Lap totals read before the cut are kept.
        assert_eq!(
            acts[0].device.as_ref().and_then(|d| d.distance_m),
            Some(28529.72708915303)
        );
        // Cut before any trackpoint completes: an error naming the byte.
        let at = full
            .windows(12)
            .position(|w| w == b"<Trackpoint>")
            .unwrap_or(0);
        let e = read(&full[..at + 40], "cut-early").unwrap_err();
        assert!(matches!(e, ReadError::Damaged { .. }), "{e:?}");
        assert!(e.to_string().contains("XML at byte "), "{e}");
    }

    /// The bytes of the test documents below, counted once: `<TrainingCenterDatabase>` 24,
    /// `<Activities>` 12, `<Activity Sport="Running">` 26, `<Lap>` 5, `<Track>` 7, `<Trackpoint>`
    /// 12: 86 bytes. A whole trackpoint: 12 + `<Time>` 6 + the time 20 + `</Time>` 7 +
    /// `</Trackpoint>` 13 = 58.
    const OPEN: &str =
        r#"<TrainingCenterDatabase><Activities><Activity Sport="Running"><Lap><Track><Trackpoint>"#;
    const REST_OF_POINT: &str = "<Time>2020-01-01T00:00:00Z</Time></Trackpoint>";

    #[test]
    fn malformed_is_damaged_at_the_byte_of_the_file() {
        assert_eq!((OPEN.len(), REST_OF_POINT.len()), (86, 46));
        // `</Lap>` closes the open Trackpoint: its `<` is byte 86. Nothing was read before it.
        let e = read(format!("{OPEN}</Lap>").as_bytes(), "bad").unwrap_err();
        assert!(
            matches!(&e, ReadError::Damaged { what, .. } if what == "malformed XML"),
            "{e:?}"
        );
        assert_eq!(e.position(), Some(Position::Byte(86)));
        assert_eq!(
            e.to_string(),
            "malformed XML at byte 86: ill-formed document: expected `</Trackpoint>`, but \
             `</Lap>` was found"
        );
    }

    #[test]
    fn truncated_is_damaged_at_the_byte_of_the_file() {
        // Cut after `<Activities>`: 24 + 12 = 36 bytes, nothing to keep.
        let e = read(b"<TrainingCenterDatabase><Activities>", "cut").unwrap_err();
        assert!(
            matches!(&e, ReadError::Damaged { what, .. } if what == "truncated XML"),
            "{e:?}"
        );
        assert_eq!(e.position(), Some(Position::Byte(36)));
        assert_eq!(
            e.to_string(),
            "truncated XML at byte 36: unclosed <Activities>"
        );

        // Cut in the second trackpoint, after a BOM and a CRLF: 3 + 2 + 86 + 46 + 12 = 149
        // bytes. The first trackpoint, its lap and activity are kept.
        let doc = format!("\u{FEFF}\r\n{OPEN}{REST_OF_POINT}<Trackpoint>");
        assert_eq!(doc.len(), 149);
        let acts = read_ok(doc.as_bytes(), "cut-after-one");
        assert_eq!(acts.len(), 1);
        assert_eq!(acts[0].samples.len(), 1);
        assert_eq!(acts[0].sport, Sport::Running);
        assert_eq!(
            acts[0].warnings[0],
            "truncated XML at byte 149: unclosed <Trackpoint>; kept the 1 trackpoints read \
             before it"
        );
    }

    /// A run of `cadences` (one trackpoint a second) as `RunCadence` under the ActivityExtension
    /// namespace, with one lap whose `AvgRunCadence` is `lap_cadence`.
    fn run_with_run_cadence(cadences: &[u32], lap_cadence: u32) -> String {
        let points: String = cadences
            .iter()
            .enumerate()
            .map(|(i, c)| {
                format!(
                    "<Trackpoint><Time>2024-05-01T06:00:{i:02}Z</Time>\
                     <DistanceMeters>{}</DistanceMeters><Extensions><ns3:TPX>\
                     <ns3:RunCadence>{c}</ns3:RunCadence></ns3:TPX></Extensions></Trackpoint>",
                    3 * i
                )
            })
            .collect();
        format!(
            "<TrainingCenterDatabase xmlns:ns3=\"http://www.garmin.com/xmlschemas/ActivityExtension/v2\">\
             <Activities><Activity Sport=\"Running\"><Id>2024-05-01T06:00:00Z</Id>\
             <Lap StartTime=\"2024-05-01T06:00:00Z\"><TotalTimeSeconds>{}</TotalTimeSeconds>\
             <Track>{points}</Track><Extensions><ns3:LX><ns3:AvgRunCadence>{lap_cadence}\
             </ns3:AvgRunCadence></ns3:LX></Extensions></Lap></Activity></Activities>\
             </TrainingCenterDatabase>",
            cadences.len()
        )
    }

    #[test]
    fn run_cadence_already_in_steps_is_kept_not_doubled() {
        // Steps per minute where strides belong (a peer's fixture read 240 spm): kept.
        let doc = run_with_run_cadence(&[168, 170, 172, 174, 0], 171);
        let a = &read_ok(doc.as_bytes(), "steps")[0];
        assert_eq!(a.cadence_rule, CadenceRule::TcxAlreadySpm);
        assert_eq!(a.samples.cadence_spm, [168.0, 170.0, 172.0, 174.0, 0.0]);
        assert_eq!(a.device.as_ref().unwrap().cadence_spm, Some(171.0));
        assert!(a.warnings.is_empty(), "{:?}", a.warnings);
        // Strides, as Garmin writes them: doubled, the lap's average too.
        let doc = run_with_run_cadence(&[84, 85, 86, 87, 0], 85);
        let a = &read_ok(doc.as_bytes(), "strides")[0];
        assert_eq!(a.cadence_rule, CadenceRule::TcxStridesDoubled);
        assert_eq!(a.samples.cadence_spm, [168.0, 170.0, 172.0, 174.0, 0.0]);
        assert_eq!(a.device.as_ref().unwrap().cadence_spm, Some(170.0));
        // The limit is GPX's: a median of 120 is steps, 119 strides.
        let a = &read_ok(run_with_run_cadence(&[120, 120, 119], 0).as_bytes(), "120")[0];
        assert_eq!(a.cadence_rule, CadenceRule::TcxAlreadySpm);
        let a = &read_ok(run_with_run_cadence(&[119, 119, 120], 0).as_bytes(), "119")[0];
        assert_eq!(a.cadence_rule, CadenceRule::TcxStridesDoubled);
    }

    #[test]
    fn empty_and_garbage_never_panic() {
        let no_points = br#"<?xml version="1.0"?><TrainingCenterDatabase><Activities>
            <Activity Sport="Running"><Id>2020-01-01T00:00:00Z</Id></Activity>
            </Activities></TrainingCenterDatabase>"#;
        let e = read(no_points, "empty").unwrap_err();
        assert!(matches!(e, ReadError::Invalid(_)), "{e}");
        assert!(e.to_string().contains("no trackpoints"), "{e}");

        let laps_only = br#"<TrainingCenterDatabase><Activities><Activity Sport="Running">
            <Id>2020-01-01T00:00:00Z</Id><Lap StartTime="2020-01-01T00:00:00Z">
            <TotalTimeSeconds>100</TotalTimeSeconds><DistanceMeters>300</DistanceMeters></Lap>
            </Activity></Activities></TrainingCenterDatabase>"#;
        let a = read_ok(laps_only, "laps");
        assert!(a[0].samples.is_empty());
        assert_eq!(a[0].start_utc, utc("2020-01-01T00:00:00Z"));
        assert_eq!(a[0].device.as_ref().and_then(|d| d.distance_m), Some(300.0));

        for bad in [
            &b""[..],
            b"\n\n",
            b"<gpx></gpx>",
            b"<TrainingCenterDatabase></TrainingCenterDatabase>",
            b"<TrainingCenterDatabase><Activities><Activity><Lap><Track><Trackpoint>",
            b"<TrainingCenterDatabase><Activities></Lap></Activities></TrainingCenterDatabase>",
            b"\xFE\xFF\x00<\x00a",
        ] {
            assert!(read(bad, "bad").is_err());
        }
        let full =
            include_bytes!("../../fixtures/tcx/made-three-activities-runcadence-footpod-bike.tcx");
        let mut oks = 0;
        for cut in (0..full.len()).step_by(53) {
            if read(&full[..cut], "prefix").is_ok() {
                oks += 1;
            }
        }
        assert!(oks > 0);
    }

    #[test]
    fn corpus_sweep() {
        let Some(corpus) = crate::test_support::corpus_dir() else {
            return;
        };
        let dir = corpus.join("tcx");
        let manifest = manifest_counts();
        let files = crate::test_support::files_under(&dir);
        assert!(!files.is_empty());
        let (mut ok, mut err, mut checked) = (0, 0, 0);
        eprintln!(
            "{:<58} {:>4} {:>6} {:<18} {:<20} {:>9} {:>8} note",
            "file", "acts", "points", "sport", "cadence", "lap dist", "lap spm"
        );
        for path in &files {
            let rel = path
                .strip_prefix(&corpus)
                .map(|p| p.to_string_lossy().to_string())
                .unwrap_or_default();
            let bytes = crate::test_support::read_gunzipped(path);
            let result = match std::panic::catch_unwind(|| read(&bytes, &rel)) {
                Ok(r) => r,
                Err(_) => panic!("{rel}: reader panicked"),
            };
            match &result {
                Ok(acts) => {
                    ok += 1;
                    assert!(!acts.is_empty(), "{rel}");
                    for a in acts {
                        assert!(
                            a.samples.t_s.windows(2).all(|w| w[0] <= w[1]),
                            "{rel}: t_s decreasing"
                        );
                        assert!(!a.samples.is_empty() || a.device.is_some(), "{rel}");
                    }
                    if let Some(&(n_act, n_tp)) = manifest.get(&rel) {
                        assert_eq!(acts.len(), n_act, "{rel}: activities vs MANIFEST");
                        let seen: usize = acts.iter().map(seen_points).sum();
                        assert_eq!(seen, n_tp, "{rel}: trackpoints vs MANIFEST");
                        checked += 1;
                    }
                    let a = &acts[0];
                    let d = a.device.clone().unwrap_or_default();
                    let points: usize = acts.iter().map(|a| a.samples.len()).sum();
                    eprintln!(
                        "{:<58} {:>4} {:>6} {:<18} {:<20} {:>9.1} {:>8.1} {}",
                        rel,
                        acts.len(),
                        points,
                        format!("{}({})", a.sport.as_str(), a.sport_detail),
                        a.cadence_rule.as_str(),
                        d.distance_m.unwrap_or(f64::NAN),
                        d.cadence_spm.unwrap_or(f64::NAN),
                        a.warnings.join(" | ")
                    );
                }
                Err(e) => {
                    err += 1;
                    let msg = e.to_string();
                    assert!(!msg.is_empty() && !msg.contains('\n'), "{rel}: {msg:?}");
                    eprintln!("{rel:<58} ERR {msg}");
                }
            }
        }
        eprintln!(
            "tcx corpus: {} files, {ok} ok, {err} err; {checked} checked against MANIFEST counts",
            files.len()
        );
        assert_eq!(ok + err, files.len());
        assert!(checked > 0);
    }
}
