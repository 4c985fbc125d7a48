//! GPX 1.0 / 1.1 reader: all tracks of a file form one activity.
//!
//! Elements are matched by local name, so namespace prefixes (`gpxtpx:hr`, `ns3:hr`, `hr`) do not
//! matter. Routes (`rte`) and waypoints (`wpt`) are ignored. The XML itself is walked by
//! [`super::xml`]; this file says what the elements mean.

use chrono::{DateTime, Utc};

use super::xml::{
    self, attr_value, median, parse_num, parse_time, seconds_between, Doc, Start, Timed,
};
use crate::ingest::error::ReadError;
use crate::model::{Activity, CadenceRule, Format, Sample, Sport};

/// Cadence medians below this are per-leg values (RISK_MODEL.md, "Cadence").
const PER_LEG_MEDIAN_LIMIT: f64 = 120.0;

/// One `trkpt` as read, before timing and cadence rules are applied.
#[derive(Clone, Debug)]
struct RawPoint {
    time: Option<DateTime<Utc>>,
    lat: f64,
    lon: f64,
    ele: f64,
    speed: f64,
    cad: f64,
    hr: f64,
    power: f64,
}

impl RawPoint {
    fn new(start: &Start) -> RawPoint {
        let mut p = RawPoint {
            time: None,
            lat: f64::NAN,
            lon: f64::NAN,
            ele: f64::NAN,
            speed: f64::NAN,
            cad: f64::NAN,
            hr: f64::NAN,
            power: f64::NAN,
        };
        for (name, value) in start.attributes() {
            match name {
                "lat" => p.lat = parse_num(value),
                "lon" => p.lon = parse_num(value),
                _ => {}
            }
        }
        p
    }
}

/// The GPX elements the reader tells apart, by local name. GPX's own names are matched exactly;
/// the extension fields in any case (`hr`, `HeartRate`, `gpxtpx:cad`, ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tag {
    Gpx,
    Trk,
    Trkpt,
    Rtept,
    Extensions,
    Ele,
    Time,
    Type,
    Name,
    /// `speed`: a GPX 1.0 point's own field, or an extension field.
    Speed,
    /// `Speed` in another case: an extension field only.
    SpeedAnyCase,
    Hr,
    Cad,
    Power,
    Other,
}

/// What the walk gathers: the track points, and what the file says about itself.
#[derive(Default)]
struct Gpx {
    points: Vec<RawPoint>,
    current: Option<RawPoint>,
    /// Depth (number of open elements around it) of the current trkpt.
    point_depth: usize,
    creator: Option<String>,
    track: TrackInfo,
    saw_root: bool,
    saw_route: bool,
}

/// What a track says about itself.
#[derive(Default)]
struct TrackInfo {
    sport_type: Option<String>,
    name: Option<String>,
}

impl xml::Handler for Gpx {
    type Tag = Tag;

    fn tag(name: &str) -> Tag {
        match name {
            "gpx" => Tag::Gpx,
            "trk" => Tag::Trk,
            "trkpt" => Tag::Trkpt,
            "rtept" => Tag::Rtept,
            "extensions" => Tag::Extensions,
            "ele" => Tag::Ele,
            "time" => Tag::Time,
            "type" => Tag::Type,
            "name" => Tag::Name,
            "speed" => Tag::Speed,
            _ => {
                let is = |s: &str| name.eq_ignore_ascii_case(s);
                if is("hr") || is("heartrate") {
                    Tag::Hr
                } else if is("cad") || is("cadence") {
                    Tag::Cad
                } else if is("speed") {
                    Tag::SpeedAnyCase
                } else if is("power") {
                    Tag::Power
                } else {
                    Tag::Other
                }
            }
        }
    }

    fn open(&mut self, open: &[Tag], tag: Tag, e: &Start) {
        self.saw_route |= tag == Tag::Rtept;
        if open.is_empty() {
            if tag == Tag::Gpx {
                self.saw_root = true;
                if let Some(c) = attr_value(e, "creator") {
                    let c = c.trim();
                    if !c.is_empty() {
                        self.creator = Some(c.to_string());
                    }
                }
            }
            return;
        }
        if tag == Tag::Trkpt && self.current.is_none() && open.contains(&Tag::Trk) {
            self.current = Some(RawPoint::new(e));
            self.point_depth = open.len();
        }
    }

    fn close(&mut self, open: &[Tag], text: &str) {
        let (depth, tag) = match open.last() {
            Some(&t) => (open.len() - 1, t),
            None => return,
        };
        if let Some(p) = self.current.as_mut() {
            if depth == self.point_depth {
                // The trkpt itself ends.
                if let Some(p) = self.current.take() {
                    self.points.push(p);
                }
                return;
            }
            let in_ext = open
                .get(self.point_depth..)
                .unwrap_or_default()
                .contains(&Tag::Extensions);
            if depth == self.point_depth + 1 && !in_ext {
                match tag {
                    Tag::Ele => p.ele = parse_num(text),
                    Tag::Time => p.time = parse_time(text),
                    Tag::Speed => p.speed = parse_num(text),
                    _ => {}
                }
            } else if in_ext {
                match tag {
                    Tag::Hr => p.hr = parse_num(text),
                    Tag::Cad => p.cad = parse_num(text),
                    Tag::Speed | Tag::SpeedAnyCase => p.speed = parse_num(text),
                    Tag::Power => p.power = parse_num(text),
                    _ => {}
                }
            }
            return;
        }
        // trk/type and trk/name, the first non-empty of each.
        if depth >= 1 && open[depth - 1] == Tag::Trk {
            let slot = match tag {
                Tag::Type => &mut self.track.sport_type,
                Tag::Name => &mut self.track.name,
                _ => return,
            };
            if slot.is_none() && !text.is_empty() {
                *slot = Some(text.to_string());
            }
        }
    }
}

/// Reads a GPX file into one activity (session 0) holding all its track points.
pub fn read(bytes: &[u8], source: &str) -> Result<Vec<Activity>, ReadError> {
    let doc = Doc::new(bytes)?;
    let mut gpx = Gpx::default();
    let broken = xml::walk(&doc, &mut gpx);
    let Gpx {
        mut points,
        creator,
        track,
        saw_root,
        saw_route,
        ..
    } = gpx;

    if !saw_root {
        return Err(
            broken.unwrap_or_else(|| ReadError::invalid("not a gpx file (no <gpx> element)"))
        );
    }

    let mut warnings = Vec::new();
    if let Some(damage) = broken {
        // Salvage the complete points read before the damage, if any carry time.
        if points.iter().any(|p| p.time.is_some()) {
            warnings.push(xml::salvaged(&damage, points.len(), "track points"));
        } else {
            return Err(damage);
        }
    }

    if points.is_empty() {
        if saw_route {
            return Err(ReadError::not_activity(
                "gpx holds only a route (a planned course), no track points",
            ));
        }
        return Err(ReadError::invalid("no track points"));
    }
    let timed = Timed::keep(&mut points, |p| p.time);
    let start = match points.first().and_then(|p| p.time) {
        Some(t) => t,
        None => {
            return Err(ReadError::not_activity(
                "gpx has no timestamps (a route or planned course)",
            ))
        }
    };
    warnings.extend(timed.warnings("track points"));

    let mut act = Activity::new(source, Format::Gpx, start);
    act.device_name = creator;
    match (
        track.sport_type,
        track.name.as_deref().and_then(Sport::from_title),
    ) {
        (Some(t), _) => {
            act.sport = Sport::from_name(&t);
            act.sport_detail = t;
        }
        // Older Strava exports have no type but name the track "Morning Run".
        (None, Some(sport)) => {
            act.sport = sport;
            warnings.push(format!(
                "no sport type in file; {} taken from the track name",
                sport.as_str()
            ));
        }
        (None, None) => {
            act.sport = Sport::Other;
            warnings.push("no sport type in file".to_string());
        }
    }

    // Elevation: a file whose elevations are all exactly 0 records none.
    let eles: Vec<f64> = points
        .iter()
        .map(|p| p.ele)
        .filter(|e| !e.is_nan())
        .collect();
    let zero_elevation = !eles.is_empty() && eles.iter().all(|&e| e == 0.0);
    if zero_elevation {
        warnings.push("all elevations are 0; treated as no elevation".to_string());
    }

    // Cadence rule, decided once per file.
    let cads: Vec<f64> = points
        .iter()
        .map(|p| p.cad)
        .filter(|c| c.is_finite() && *c > 0.0)
        .collect();
    let has_cad = points.iter().any(|p| p.cad.is_finite());
    let (rule, factor) = if !has_cad {
        (CadenceRule::None, f64::NAN)
    } else if !act.sport.on_foot() {
        if act.sport == Sport::Other {
            warnings.push("cadence ignored: sport is not known to be on foot".to_string());
        }
        (CadenceRule::None, f64::NAN)
    } else {
        match median(cads) {
            Some(m) if m < PER_LEG_MEDIAN_LIMIT => (CadenceRule::GpxPerLegDoubled, 2.0),
            Some(_) => (CadenceRule::GpxAlreadySpm, 1.0),
            // Only zero cadence values: nothing to tell per-leg from steps; keep the zeros.
            None => (CadenceRule::GpxAlreadySpm, 1.0),
        }
    };
    act.cadence_rule = rule;

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
            elevation_m: if zero_elevation { f64::NAN } else { p.ele },
            speed_m_s: p.speed,
            cadence_spm: p.cad * factor,
            heart_rate_bpm: p.hr,
            power_w: p.power,
            ..Sample::default()
        });
    }
    act.warnings = warnings;
    Ok(vec![act])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::error::Position;
    use std::collections::HashMap;

    /// `N trkpt` from the MANIFEST notes, keyed by path relative to the corpus.
    fn manifest_trkpt() -> HashMap<String, usize> {
        crate::test_support::manifest_counts("trkpt")
    }

    /// Total trkpt count the reader saw: samples plus the dropped ones its warning names.
    fn seen_points(a: &Activity) -> usize {
        for w in &a.warnings {
            if let Some(rest) = w.strip_prefix("dropped ") {
                if let Some(total) = rest.split(" of ").nth(1) {
                    if let Some(n) = total.split_whitespace().next() {
                        if let Ok(n) = n.parse() {
                            return n;
                        }
                    }
                }
            }
        }
        a.samples.len()
    }

    fn fixture(bytes: &[u8], name: &str) -> Activity {
        let mut acts = read(bytes, name).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(acts.len(), 1, "{name}");
        acts.remove(0)
    }

    fn utc(s: &str) -> DateTime<Utc> {
        parse_time(s).expect("test time")
    }

    #[test]
    fn empty_segment_track() {
        let a = fixture(
            include_bytes!("../../fixtures/gpx/gpxpy-track-with-empty-segment.gpx"),
            "gpxpy-track-with-empty-segment.gpx",
        );
        assert_eq!(a.source, "gpxpy-track-with-empty-segment.gpx");
        assert_eq!(a.format, Format::Gpx);
        assert_eq!(a.session, 0);
        assert_eq!(a.samples.len(), 9);
        assert_eq!(a.start_utc, utc("2013-07-06T17:26:26Z"));
        assert_eq!(a.samples.t_s[1], 4.0);
        assert!((a.samples.lat_deg[0] - 50.7772126).abs() < 1e-9);
        assert!((a.samples.lon_deg[0] - 6.0819695).abs() < 1e-9);
        assert_eq!(
            a.device_name.as_deref(),
            Some("TC2 to GPX11 XSLT stylesheet")
        );
        assert_eq!(a.sport, Sport::Other);
        assert_eq!(a.sport_detail, "");
        assert!(a.warnings.iter().any(|w| w == "no sport type in file"));
        assert_eq!(a.cadence_rule, CadenceRule::None);
        assert!(!Samples::has(&a.samples.cadence_spm));
        assert!(a.device.is_none() && a.utc_offset_s.is_none());
    }

    use crate::model::Samples;

    #[test]
    fn strava_run_hr_cadence_power() {
        let a = fixture(
            include_bytes!("../../fixtures/gpx/gpx-data-analysis-morning-run-head40.gpx"),
            "head40",
        );
        assert_eq!(a.samples.len(), 40);
        assert_eq!(a.sport, Sport::Running);
        assert_eq!(a.sport_detail, "9");
        assert_eq!(a.device_name.as_deref(), Some("StravaGPX"));
        assert_eq!(a.start_utc, utc("2022-08-19T23:00:08Z"));
        // Non-zero cad median is 78 (per leg): doubled.
        assert_eq!(a.cadence_rule, CadenceRule::GpxPerLegDoubled);
        assert_eq!(a.samples.t_s[14], 14.0);
        assert_eq!(a.samples.heart_rate_bpm[14], 139.0);
        assert_eq!(a.samples.cadence_spm[14], 150.0);
        assert_eq!(a.samples.power_w[14], 164.0);
        assert_eq!(a.samples.cadence_spm[0], 0.0);
        assert_eq!(a.samples.elevation_m[0], 2.9);
        assert!(a.warnings.is_empty(), "{:?}", a.warnings);
    }

    #[test]
    fn bom_blank_lines_and_ns3_prefix() {
        let bytes = include_bytes!("../../fixtures/gpx/made-ns3-prefix-bom-blank-lines.gpx");
        assert!(bytes.starts_with(b"\xEF\xBB\xBF\n"));
        let a = fixture(bytes, "ns3");
        assert_eq!(a.samples.len(), 40);
        assert_eq!(a.samples.heart_rate_bpm[14], 139.0);
        assert_eq!(a.samples.cadence_spm[39], 156.0);
        assert_eq!(a.cadence_rule, CadenceRule::GpxPerLegDoubled);
        // Same data as the gpxtpx original.
        let orig = fixture(
            include_bytes!("../../fixtures/gpx/gpx-data-analysis-morning-run-head40.gpx"),
            "head40",
        );
        assert_eq!(a.samples.heart_rate_bpm, orig.samples.heart_rate_bpm);
        assert_eq!(a.samples.cadence_spm, orig.samples.cadence_spm);
        assert_eq!(a.samples.power_w, orig.samples.power_w);
        assert_eq!(a.samples.t_s, orig.samples.t_s);
        assert_eq!(a.start_utc, orig.start_utc);
    }

    #[test]
    fn cadence_already_spm_kept_and_not_on_foot_dropped() {
        let doc = |ty: &str, cad: &str| {
            format!(
                r#"<gpx version="1.1"><trk><type>{ty}</type><trkseg>
                <trkpt lat="1" lon="2"><time>2020-01-01T00:00:00Z</time>
                  <extensions><x:TrackPointExtension><x:cad>{cad}</x:cad><x:hr>150</x:hr>
                  </x:TrackPointExtension></extensions></trkpt>
                <trkpt lat="1" lon="2"><time>2020-01-01T00:00:01Z</time>
                  <extensions><cadence>{cad}</cadence><heartrate>151</heartrate></extensions></trkpt>
                </trkseg></trk></gpx>"#
            )
        };
        let a = fixture(doc("running", "170").as_bytes(), "spm");
        assert_eq!(a.cadence_rule, CadenceRule::GpxAlreadySpm);
        assert_eq!(a.samples.cadence_spm, vec![170.0, 170.0]);
        assert_eq!(a.samples.heart_rate_bpm, vec![150.0, 151.0]);
        let b = fixture(doc("cycling", "85").as_bytes(), "bike");
        assert_eq!(b.sport, Sport::Cycling);
        assert_eq!(b.cadence_rule, CadenceRule::None);
        assert!(!Samples::has(&b.samples.cadence_spm));
        assert_eq!(b.samples.heart_rate_bpm[1], 151.0);
    }

    #[test]
    fn zero_elevations_are_no_elevation() {
        let a = fixture(
            include_bytes!("../../fixtures/gpx/gpxpy-cerknicko-jezero-with-elevations-zero.gpx"),
            "zero",
        );
        // 296 trkpt over 8 segments, one activity; the 7 wpt are ignored.
        assert_eq!(a.samples.len(), 296);
        assert!(!Samples::has(&a.samples.elevation_m));
        assert!(a.samples.has_gps());
        assert!(a.warnings.iter().any(|w| w.contains("elevations are 0")));
        assert_eq!(
            a.device_name.as_deref(),
            Some("GPSBabel - http://www.gpsbabel.org")
        );
    }

    #[test]
    fn empty_ele_is_nan() {
        let a = fixture(
            include_bytes!("../../fixtures/gpx/togeojson-empty_ele.gpx"),
            "empty_ele",
        );
        assert_eq!(a.samples.len(), 2);
        assert!(!Samples::has(&a.samples.elevation_m));
    }

    #[test]
    fn untimed_points_dropped_with_warning() {
        let a = fixture(
            include_bytes!("../../fixtures/gpx/gpxpy-korita-zbevnica.gpx"),
            "korita",
        );
        assert_eq!(a.samples.len(), 513);
        assert!(
            a.warnings
                .iter()
                .any(|w| w == "dropped 358 of 871 track points without a time"),
            "{:?}",
            a.warnings
        );
        assert_eq!(a.sport_detail, "jkljkl");
        assert_eq!(a.sport, Sport::Other);
    }

    #[test]
    fn fractional_seconds_and_offsets() {
        let a = fixture(
            include_bytes!("../../fixtures/gpx/gpxpy-track-with-less-sec-time.gpx"),
            "less-sec",
        );
        assert_eq!(a.start_utc, utc("2015-12-11T14:43:13Z"));
        assert!((a.samples.t_s[1] - 0.994).abs() < 1e-9);
        assert_eq!(a.sport, Sport::Running);
        assert_eq!(a.sport_detail, "run");
        assert_eq!(a.device_name.as_deref(), Some("NikePlus GPX Bridge"));

        let b = fixture(
            include_bytes!("../../fixtures/gpx/opentracks-gpx_timezone.gpx"),
            "tz",
        );
        assert_eq!(b.samples.len(), 1);
        assert_eq!(b.start_utc, utc("2021-01-07T20:36:59.179Z"));
        assert!(b.utc_offset_s.is_none());
    }

    #[test]
    fn gpx10_speed_and_zoneless_time() {
        let a = fixture(
            include_bytes!("../../fixtures/gpx/gpxpy-track_with_speed.gpx"),
            "speed",
        );
        assert_eq!(a.samples.speed_m_s, vec![1.2, 2.2, 3.2]);
        assert_eq!(a.samples.t_s, vec![0.0, 6.0, 13.0]);
        assert!(a.device_name.is_none());

        let b = fixture(
            include_bytes!("../../fixtures/gpx/gpxpy-gpx1.0_with_all_fields.gpx"),
            "gpx10",
        );
        // One track point (route points ignored); its time has no zone, so it is UTC.
        assert_eq!(b.samples.len(), 1);
        assert_eq!(b.start_utc, utc("2013-01-01T12:00:04Z"));
        assert_eq!(b.samples.elevation_m[0], 11.1);
        assert_eq!(b.samples.lat_deg[0], 10.1);
        assert_eq!(b.samples.lon_deg[0], -20.2);
    }

    #[test]
    fn routes_and_missing_points_are_errors() {
        let e = read(
            include_bytes!("../../fixtures/gpx/georust-gpx-strava_route_example.gpx"),
            "route",
        )
        .unwrap_err();
        assert!(matches!(e, ReadError::NotActivity(_)), "{e}");
        assert!(e.to_string().contains("no timestamps"), "{e}");

        let e = read(
            include_bytes!("../../fixtures/gpx/made-no-timestamps.gpx"),
            "plan",
        )
        .unwrap_err();
        assert!(matches!(e, ReadError::NotActivity(_)), "{e}");

        // BOM file with only a waypoint: parses, but has no track points.
        let e = read(
            include_bytes!("../../fixtures/gpx/gpxpy-unicode_with_bom.gpx"),
            "bom",
        )
        .unwrap_err();
        assert_eq!(e, ReadError::invalid("no track points"));

        // Route points only: not an activity.
        let route = br#"<gpx version="1.1"><rte><rtept lat="1" lon="2"><time>2020-01-01T00:00:00Z</time></rtept></rte></gpx>"#;
        let e = read(route, "rte").unwrap_err();
        assert!(matches!(e, ReadError::NotActivity(_)), "{e}");
    }

    #[test]
    fn truncated_files() {
        let e = read(
            include_bytes!("../../fixtures/gpx/made-truncated-in-first-point.gpx"),
            "cut",
        )
        .unwrap_err();
        let msg = e.to_string();
        assert!(matches!(e, ReadError::Damaged { .. }), "{e:?}");
        assert!(msg.contains("XML at byte "), "{msg}");
        assert!(!msg.ends_with('.') && !msg.contains('\n'), "{msg}");

        // Five complete points before the cut are kept, with a warning.
        let a = fixture(
            include_bytes!("../../fixtures/gpx/made-truncated-after-5-points.gpx"),
            "cut5",
        );
        assert_eq!(a.samples.len(), 5);
        assert!(
            a.warnings.iter().any(|w| w.contains("XML at byte")),
            "{:?}",
            a.warnings
        );
    }

    /// The bytes of the test documents below, counted once: `<gpx><trk><trkseg>` is 5 + 5 + 8 =
    /// 18 bytes, `<trkpt lat="1" lon="2">` 23, a whole timed point (`<time>` 6, the time 20,
    /// `</time>` 7, `</trkpt>` 8) 23 + 41 = 64.
    const OPEN: &str = r#"<gpx><trk><trkseg><trkpt lat="1" lon="2">"#;
    const POINT: &str = r#"<trkpt lat="1" lon="2"><time>2020-01-01T00:00:00Z</time></trkpt>"#;

    #[test]
    fn malformed_is_damaged_at_the_byte_of_the_file() {
        assert_eq!((OPEN.len(), POINT.len()), (41, 64));
        // A BOM (3 bytes) and a line end (1) before the markup, which starts at byte 4; the `<`
        // of `</wrong>` follows the 41 bytes of OPEN: byte 45 of the file.
        let doc = format!("\u{FEFF}\n{OPEN}</wrong></trkseg></trk></gpx>");
        let e = read(doc.as_bytes(), "bad").unwrap_err();
        assert!(
            matches!(&e, ReadError::Damaged { what, .. } if what == "malformed XML"),
            "{e:?}"
        );
        assert_eq!(e.position(), Some(Position::Byte(45)));
        assert_eq!(
            e.to_string(),
            "malformed XML at byte 45: ill-formed document: expected `</trkpt>`, but `</wrong>` \
             was found"
        );
    }

    #[test]
    fn truncated_is_damaged_at_the_byte_of_the_file() {
        // Cut in the first point's time: nothing to keep. 41 + `<time>` 6 + `2020` 4 = 51 bytes,
        // the end of the file.
        let e = read(format!("{OPEN}<time>2020").as_bytes(), "cut").unwrap_err();
        assert!(
            matches!(&e, ReadError::Damaged { what, .. } if what == "truncated XML"),
            "{e:?}"
        );
        assert_eq!(e.position(), Some(Position::Byte(51)));
        assert_eq!(e.to_string(), "truncated XML at byte 51: unclosed <time>");

        // Cut after one whole point, in the next: 18 + 64 + a line end 1 + 23 = 106 bytes. The
        // point is kept and the warning names the byte.
        let doc = format!("<gpx><trk><trkseg>{POINT}\n<trkpt lat=\"1\" lon=\"2\">");
        assert_eq!(doc.len(), 106);
        let a = fixture(doc.as_bytes(), "cut-after-one");
        assert_eq!(a.samples.len(), 1);
        assert_eq!(
            a.warnings[0],
            "truncated XML at byte 106: unclosed <trkpt>; kept the 1 track points read before it"
        );
    }

    #[test]
    fn garbage_never_panics() {
        for bad in [
            &b""[..],
            b"   \n\n",
            b"\xEF\xBB\xBF",
            b"not xml at all",
            b"<html><body>hi</body></html>",
            b"<gpx><trk><trkseg><trkpt lat='x' lon='y'><time>yesterday</time></trkpt>",
            b"<gpx><trk></wrong></gpx>",
            b"\x00\xFF\xFE<<<>>>",
            b"<?xml version='1.0'?><gpx>&bogus;</gpx>",
        ] {
            let r = read(bad, "bad");
            let e = r.expect_err("garbage must be an error");
            assert!(!e.to_string().is_empty());
        }
        // Every prefix length of a real file: Ok or Err, never a panic.
        let full = include_bytes!("../../fixtures/gpx/gpx-data-analysis-morning-run-head40.gpx");
        let mut oks = 0;
        for cut in (0..full.len()).step_by(97) {
            if read(&full[..cut], "prefix").is_ok() {
                oks += 1;
            }
        }
        assert!(oks > 0);
    }

    #[test]
    fn latin1_is_decoded() {
        let mut doc = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<gpx creator=\"Caf\xE9\"><trk><trkseg><trkpt lat=\"1\" lon=\"2\"><time>2020-01-01T00:00:00Z</time></trkpt></trkseg></trk></gpx>".to_vec();
        let a = fixture(&doc, "latin1");
        assert_eq!(a.device_name.as_deref(), Some("Caf\u{e9}"));
        doc.truncate(10);
        assert!(read(&doc, "latin1-cut").is_err());
    }

    #[test]
    fn corpus_sweep() {
        let Some(corpus) = crate::test_support::corpus_dir() else {
            return;
        };
        let dir = corpus.join("gpx");
        let manifest = manifest_trkpt();
        let files = crate::test_support::files_under(&dir);
        assert!(!files.is_empty());
        let (mut ok, mut err, mut checked_counts, mut checked_geo) = (0, 0, 0, 0);
        eprintln!(
            "{:<62} {:>6} {:<22} {:<20} note",
            "file", "points", "sport", "cadence"
        );
        for path in &files {
            let rel = path
                .strip_prefix(&corpus)
                .map(|p| p.to_string_lossy().to_string())
                .unwrap_or_default();
            let bytes = crate::test_support::read_gunzipped(path);
            let result = std::panic::catch_unwind(|| read(&bytes, &rel));
            let result = match result {
                Ok(r) => r,
                Err(_) => panic!("{rel}: reader panicked"),
            };
            match &result {
                Ok(acts) => {
                    ok += 1;
                    assert_eq!(acts.len(), 1, "{rel}");
                    let a = &acts[0];
                    assert!(!a.samples.is_empty(), "{rel}");
                    assert!(
                        a.samples.t_s.windows(2).all(|w| w[0] <= w[1]),
                        "{rel}: t_s decreasing"
                    );
                    assert_eq!(a.samples.t_s.first().copied(), Some(0.0), "{rel}");
                    let truncated = a.warnings.iter().any(|w| w.contains("XML at byte"));
                    if let (Some(&n), false) = (manifest.get(&rel), truncated) {
                        assert_eq!(seen_points(a), n, "{rel}: trkpt count vs MANIFEST");
                        checked_counts += 1;
                    }
                    // Geometry against the gpx crate, where it can read the file.
                    if let Ok(g) = ::gpx::read(&bytes[..]) {
                        let timed: Vec<&::gpx::Waypoint> = g
                            .tracks
                            .iter()
                            .flat_map(|t| t.segments.iter())
                            .flat_map(|s| s.points.iter())
                            .filter(|p| p.time.is_some())
                            .collect();
                        let with_pos = a
                            .samples
                            .lat_deg
                            .iter()
                            .zip(&a.samples.lon_deg)
                            .filter(|(la, lo)| la.is_finite() && lo.is_finite())
                            .count();
                        assert_eq!(timed.len(), with_pos, "{rel}: positions vs gpx crate");
                        let sorted = a.warnings.iter().any(|w| w.contains("sorted"));
                        if let (Some(p), false) = (timed.first(), sorted) {
                            let pt = p.point();
                            assert!((pt.y() - a.samples.lat_deg[0]).abs() < 1e-9, "{rel}");
                            assert!((pt.x() - a.samples.lon_deg[0]).abs() < 1e-9, "{rel}");
                            let t = p.time.and_then(|t| t.format().ok()).unwrap_or_default();
                            assert_eq!(parse_time(&t), Some(a.start_utc), "{rel}: start");
                        }
                        checked_geo += 1;
                    }
                    eprintln!(
                        "{:<62} {:>6} {:<22} {:<20} {}",
                        rel,
                        a.samples.len(),
                        format!("{}({})", a.sport.as_str(), a.sport_detail),
                        a.cadence_rule.as_str(),
                        a.warnings.join(" | ")
                    );
                }
                Err(e) => {
                    err += 1;
                    let msg = e.to_string();
                    assert!(!msg.is_empty() && !msg.contains('\n'), "{rel}: {msg:?}");
                    eprintln!("{rel:<62} {:>6} ERR {msg}", "-");
                }
            }
        }
        eprintln!(
            "gpx corpus: {} files, {ok} ok, {err} err; {checked_counts} counts checked against \
             MANIFEST, {checked_geo} against the gpx crate",
            files.len()
        );
        assert_eq!(ok + err, files.len());
        assert!(checked_geo > 0 && checked_counts > 0);
    }
}
