//! GPX 1.1 (with Garmin's TrackPointExtension v1) and TCX (TrainingCenterDatabase v2 with
//! ActivityExtension v2) writers, shaped like Garmin Connect's exports.

use std::fmt::Write;

use chrono::{DateTime, Duration, SecondsFormat, Utc};

use super::{laps, stats, CREATOR};
use crate::model::{Activity, Sport};

fn time(a: &Activity, t_s: f64) -> String {
    let t = a.start_utc
        + Duration::seconds(if t_s.is_finite() {
            t_s.round() as i64
        } else {
            0
        });
    rfc3339(t)
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `"Running 2025-03-04"`, with the local date where the offset is known.
fn title(a: &Activity) -> String {
    let local = a.start_utc + Duration::seconds(i64::from(a.utc_offset_s.unwrap_or(0)));
    let sport = a.sport.as_str();
    let mut chars = sport.chars();
    let cap: String = chars
        .next()
        .map(|c| c.to_ascii_uppercase())
        .into_iter()
        .chain(chars)
        .collect();
    format!("{cap} {}", local.format("%Y-%m-%d"))
}

/// Writes the activity as GPX 1.1: one track, one segment, one point per sample that has a
/// position; `ele`, `time`, and heart rate and cadence in a Garmin TrackPointExtension. Cadence is
/// per leg (steps/min ÷ 2, rounded), as Garmin writes it.
pub fn to_gpx(a: &Activity) -> String {
    let s = &a.samples;
    let mut o = String::with_capacity(200 * s.len() + 1024);
    o.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        o,
        "<gpx version=\"1.1\" creator=\"{}\" xmlns=\"http://www.topografix.com/GPX/1/1\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xmlns:gpxtpx=\"http://www.garmin.com/xmlschemas/TrackPointExtension/v1\" \
         xsi:schemaLocation=\"http://www.topografix.com/GPX/1/1 \
         http://www.topografix.com/GPX/1/1/gpx.xsd \
         http://www.garmin.com/xmlschemas/TrackPointExtension/v1 \
         http://www.garmin.com/xmlschemas/TrackPointExtensionv1.xsd\">",
        escape(CREATOR)
    );
    let _ = writeln!(
        o,
        " <metadata>\n  <time>{}</time>\n </metadata>",
        rfc3339(a.start_utc)
    );
    let _ = writeln!(
        o,
        " <trk>\n  <name>{}</name>\n  <type>{}</type>\n  <trkseg>",
        escape(&title(a)),
        a.sport.as_str()
    );
    for i in 0..s.len() {
        let (lat, lon) = (s.lat_deg[i], s.lon_deg[i]);
        if lat.is_nan() || lon.is_nan() {
            continue;
        }
        let _ = writeln!(o, "   <trkpt lat=\"{lat:.7}\" lon=\"{lon:.7}\">");
        if !s.elevation_m[i].is_nan() {
            let _ = writeln!(o, "    <ele>{:.1}</ele>", s.elevation_m[i]);
        }
        let _ = writeln!(o, "    <time>{}</time>", time(a, s.t_s[i]));
        let (hr, cad) = (s.heart_rate_bpm[i], s.cadence_spm[i]);
        if !hr.is_nan() || !cad.is_nan() {
            o.push_str("    <extensions>\n     <gpxtpx:TrackPointExtension>\n");
            if !hr.is_nan() {
                let _ = writeln!(o, "      <gpxtpx:hr>{hr:.0}</gpxtpx:hr>");
            }
            if !cad.is_nan() && a.sport.on_foot() {
                let _ = writeln!(
                    o,
                    "      <gpxtpx:cad>{:.0}</gpxtpx:cad>",
                    (cad / 2.0).round()
                );
            }
            o.push_str("     </gpxtpx:TrackPointExtension>\n    </extensions>\n");
        }
        o.push_str("   </trkpt>\n");
    }
    o.push_str("  </trkseg>\n </trk>\n</gpx>\n");
    o
}

fn tcx_sport(sport: Sport) -> &'static str {
    match sport {
        Sport::Running => "Running",
        Sport::Cycling => "Biking",
        _ => "Other",
    }
}

/// Writes the activity as a TCX file: one Activity, one Lap per kilometre (as in the FIT file)
/// with totals and `AvgRunCadence` (strides/min), and one Trackpoint per sample with time,
/// position, altitude, cumulative distance, heart rate, and `Speed` and `RunCadence` (strides/min)
/// in the ActivityExtension.
pub fn to_tcx(a: &Activity) -> String {
    let s = &a.samples;
    let mut o = String::with_capacity(330 * s.len() + 2048);
    o.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    o.push_str(
        "<TrainingCenterDatabase \
         xmlns=\"http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2\" \
         xmlns:ns3=\"http://www.garmin.com/xmlschemas/ActivityExtension/v2\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xsi:schemaLocation=\"http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2 \
         http://www.garmin.com/xmlschemas/TrainingCenterDatabasev2.xsd\">\n",
    );
    let _ = writeln!(
        o,
        " <Activities>\n  <Activity Sport=\"{}\">\n   <Id>{}</Id>",
        tcx_sport(a.sport),
        rfc3339(a.start_utc)
    );
    let run = a.sport.on_foot();
    for (first, last) in laps(s) {
        let st = stats(s, first, last);
        let _ = writeln!(o, "   <Lap StartTime=\"{}\">", time(a, s.t_s[first]));
        let _ = writeln!(
            o,
            "    <TotalTimeSeconds>{:.1}</TotalTimeSeconds>",
            st.timer_s
        );
        let dist = st.distance_m.unwrap_or(0.0);
        let _ = writeln!(o, "    <DistanceMeters>{dist:.2}</DistanceMeters>");
        let kcal = if dist > 0.0 {
            dist * 0.065
        } else {
            st.timer_s * 0.1
        };
        let _ = writeln!(o, "    <Calories>{kcal:.0}</Calories>");
        if let Some(hr) = st.hr_bpm {
            let _ = writeln!(
                o,
                "    <AverageHeartRateBpm><Value>{hr:.0}</Value></AverageHeartRateBpm>"
            );
        }
        let trigger = if st.distance_m.is_some() {
            "Distance"
        } else {
            "Manual"
        };
        let _ = writeln!(
            o,
            "    <Intensity>Active</Intensity>\n    <TriggerMethod>{trigger}</TriggerMethod>"
        );
        o.push_str("    <Track>\n");
        // Consecutive laps share their boundary sample: write it in the later lap only.
        let from = if first == 0 { 0 } else { first + 1 };
        for i in from..=last {
            let _ = writeln!(
                o,
                "     <Trackpoint>\n      <Time>{}</Time>",
                time(a, s.t_s[i])
            );
            let (lat, lon) = (s.lat_deg[i], s.lon_deg[i]);
            if !lat.is_nan() && !lon.is_nan() {
                let _ = writeln!(
                    o,
                    "      <Position><LatitudeDegrees>{lat:.7}</LatitudeDegrees>\
                     <LongitudeDegrees>{lon:.7}</LongitudeDegrees></Position>"
                );
            }
            if !s.elevation_m[i].is_nan() {
                let _ = writeln!(
                    o,
                    "      <AltitudeMeters>{:.1}</AltitudeMeters>",
                    s.elevation_m[i]
                );
            }
            if !s.distance_m[i].is_nan() {
                let _ = writeln!(
                    o,
                    "      <DistanceMeters>{:.2}</DistanceMeters>",
                    s.distance_m[i]
                );
            }
            if !s.heart_rate_bpm[i].is_nan() {
                let _ = writeln!(
                    o,
                    "      <HeartRateBpm><Value>{:.0}</Value></HeartRateBpm>",
                    s.heart_rate_bpm[i]
                );
            }
            let (v, cad) = (s.speed_m_s[i], s.cadence_spm[i]);
            let cad = if run { cad } else { f64::NAN };
            if !v.is_nan() || !cad.is_nan() {
                o.push_str("      <Extensions>\n       <ns3:TPX>\n");
                if !v.is_nan() {
                    let _ = writeln!(o, "        <ns3:Speed>{v:.3}</ns3:Speed>");
                }
                if !cad.is_nan() {
                    let _ = writeln!(
                        o,
                        "        <ns3:RunCadence>{:.0}</ns3:RunCadence>",
                        (cad / 2.0).round()
                    );
                }
                o.push_str("       </ns3:TPX>\n      </Extensions>\n");
            }
            o.push_str("     </Trackpoint>\n");
        }
        o.push_str("    </Track>\n");
        if let (true, Some(c)) = (run, st.cadence_spm) {
            let _ = writeln!(
                o,
                "    <Extensions>\n     <ns3:LX>\n      <ns3:AvgRunCadence>{:.0}</ns3:AvgRunCadence>\n     \
                 </ns3:LX>\n    </Extensions>",
                (c / 2.0).round()
            );
        }
        o.push_str("   </Lap>\n");
    }
    let _ = writeln!(
        o,
        "   <Creator xsi:type=\"Device_t\">\n    <Name>{}</Name>\n    <UnitId>0</UnitId>\n    \
         <ProductID>0</ProductID>\n    <Version><VersionMajor>1</VersionMajor>\
         <VersionMinor>0</VersionMinor></Version>\n   </Creator>",
        escape(CREATOR)
    );
    o.push_str("  </Activity>\n </Activities>\n</TrainingCenterDatabase>\n");
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::{simulate, RunPlan};
    use chrono::TimeZone;

    fn run() -> Activity {
        simulate(&RunPlan {
            start_utc: Utc.with_ymd_and_hms(2025, 3, 4, 11, 45, 0).unwrap(),
            utc_offset_s: -5 * 3600,
            distance_m: 2300.0,
            seed: 9,
            ..RunPlan::default()
        })
    }

    /// Every element opened is closed, in order (a well-formedness check without an XML crate).
    fn balanced(xml: &str) -> bool {
        let mut stack: Vec<&str> = Vec::new();
        let mut rest = xml;
        while let Some(p) = rest.find('<') {
            rest = &rest[p + 1..];
            let Some(end) = rest.find('>') else {
                return false;
            };
            let tag = &rest[..end];
            rest = &rest[end + 1..];
            if tag.starts_with('?') || tag.ends_with('/') {
                continue;
            }
            if let Some(name) = tag.strip_prefix('/') {
                if stack.pop() != Some(name) {
                    return false;
                }
            } else {
                stack.push(tag.split_whitespace().next().unwrap_or(""));
            }
        }
        stack.is_empty()
    }

    /// Text of every `<tag>...</tag>` in document order.
    fn values<'a>(xml: &'a str, tag: &str) -> Vec<&'a str> {
        let open = format!("<{tag}>");
        let close = format!("</{tag}>");
        xml.split(&open)
            .skip(1)
            .filter_map(|p| p.split(&close).next())
            .collect()
    }

    #[test]
    fn gpx_has_every_point_with_extensions() {
        let a = run();
        let g = to_gpx(&a);
        assert!(balanced(&g));
        assert_eq!(g, to_gpx(&a), "deterministic");
        let n = a.samples.len();
        assert_eq!(g.matches("<trkpt ").count(), n);
        assert_eq!(g.matches("</trkpt>").count(), n);
        assert!(g.contains("creator=\"patella synth\""));
        assert!(g.contains("<type>running</type>"));
        assert!(g.contains("<name>Running 2025-03-04</name>"));
        let first = format!(
            "<trkpt lat=\"{:.7}\" lon=\"{:.7}\">",
            a.samples.lat_deg[0], a.samples.lon_deg[0]
        );
        assert!(g.contains(&first));
        let times = values(&g, "time");
        assert_eq!(times[0], "2025-03-04T11:45:00Z");
        assert_eq!(times[2], "2025-03-04T11:45:01Z");
        let cad: Vec<f64> = values(&g, "gpxtpx:cad")
            .iter()
            .map(|c| c.parse().unwrap())
            .collect();
        assert_eq!(cad.len(), n);
        assert_eq!(cad[10] * 2.0, a.samples.cadence_spm[10]);
        let hr = values(&g, "gpxtpx:hr");
        assert_eq!(hr[5].parse::<f64>().unwrap(), a.samples.heart_rate_bpm[5]);
        let ele = values(&g, "ele");
        assert_eq!(ele[7].parse::<f64>().unwrap(), a.samples.elevation_m[7]);
    }

    #[test]
    fn tcx_has_laps_and_trackpoints() {
        let a = run();
        let t = to_tcx(&a);
        assert!(balanced(&t));
        assert_eq!(t, to_tcx(&a), "deterministic");
        let n = a.samples.len();
        assert_eq!(t.matches("<Trackpoint>").count(), n);
        assert_eq!(t.matches("<Lap StartTime=").count(), 3);
        assert!(t.contains("<Activity Sport=\"Running\">"));
        assert!(t.contains("<Id>2025-03-04T11:45:00Z</Id>"));
        // The last trackpoint ends exactly at the planned distance.
        assert!(t.contains("<DistanceMeters>2300.00</DistanceMeters>\n      <HeartRateBpm>"));
        let rc: Vec<f64> = values(&t, "ns3:RunCadence")
            .iter()
            .map(|c| c.parse().unwrap())
            .collect();
        assert_eq!(rc.len(), n);
        assert_eq!(rc[n - 1] * 2.0, a.samples.cadence_spm[n - 1]);
        assert_eq!(values(&t, "ns3:AvgRunCadence").len(), 3);
        let sp: Vec<f64> = values(&t, "ns3:Speed")
            .iter()
            .map(|c| c.parse().unwrap())
            .collect();
        assert_eq!(sp[3], a.samples.speed_m_s[3]);
        let times = values(&t, "Time");
        assert_eq!(times.len(), n);
        assert!(times.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn strength_tcx_and_gpx_have_no_positions() {
        let a = simulate(&RunPlan {
            sport: Sport::Strength,
            duration_s: 120.0,
            ..RunPlan::default()
        });
        let t = to_tcx(&a);
        assert!(balanced(&t));
        assert!(t.contains("Sport=\"Other\""));
        assert!(!t.contains("<Position>"));
        let g = to_gpx(&a);
        assert!(balanced(&g));
        assert_eq!(g.matches("<trkpt").count(), 0);
    }
}
