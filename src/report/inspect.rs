//! `patella inspect FILE`: what was read from one file, the units and rules applied, and the
//! computed values beside the device's own.

use std::fmt::Write;

use serde::Serialize;

use crate::analysis::{ActivitySummary, OffsetSource, RunMetrics, Thresholds};
use crate::model::{Origin, Skipped};
use crate::pipeline::Inspection;
use crate::report::format::pace;
use crate::report::format::sanitise;

#[derive(Serialize)]
struct Document<'a> {
    activities: &'a [ActivitySummary],
    #[serde(serialize_with = "crate::report::json::skipped_entries")]
    skipped: &'a [Skipped],
}

/// The inspection as JSON.
pub fn render_json(inspection: &Inspection) -> String {
    let doc = Document {
        activities: &inspection.activities,
        skipped: &inspection.skipped,
    };
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

/// The per-run metrics, a line per concern, with the thresholds in force.
fn render_metrics(out: &mut String, s: &ActivitySummary, m: &RunMetrics, t: &Thresholds) {
    if let Some(c) = &m.cadence {
        let _ = writeln!(
            out,
            "  cadence p10/median/p90 {:.0}/{:.0}/{:.0} spm; {:.0} % of moving time below {}",
            c.p10_spm,
            c.median_spm,
            c.p90_spm,
            s.cadence_below_low_share.unwrap_or(0.0) * 100.0,
            t.low_cadence_spm
        );
        if let (Some(first), Some(last)) = (c.first_third_spm, c.last_third_spm) {
            let _ = writeln!(
                out,
                "  cadence first third {first:.0} spm, last third {last:.0} spm"
            );
        }
    }
    if let Some(g) = &m.grade {
        let _ = writeln!(
            out,
            "  descent {:.0} m on grades ≤ −5 % ({:.2} km), {:.0} m on ≤ −10 % ({:.2} km)",
            g.descent_downhill_m, g.downhill_km, g.descent_steep_m, g.steep_km
        );
    }
    if let Some(h) = &m.heart_rate {
        let _ = writeln!(
            out,
            "  heart rate mean {:.0}, max {:.0} bpm; {:.0} min at or above {}",
            h.mean_bpm,
            h.max_bpm,
            h.time_at_or_above_s / 60.0,
            h.threshold_bpm.map_or("-".into(), |bpm| format!(
                "{bpm:.0} bpm ({:.0} % of HRmax)",
                t.hard_hr_fraction * 100.0
            ))
        );
    }
    if let Some(e) = &m.easy_start {
        let _ = writeln!(
            out,
            "  first 10 minutes {}, whole run {}",
            pace(e.first_10min_pace_s_per_km),
            pace(e.mean_pace_s_per_km)
        );
    }
    if let Some(d) = &m.dynamics {
        let f = |v: Option<f64>, scale: f64, unit: &str| {
            v.map_or("-".into(), |v| format!("{:.1} {unit}", v * scale))
        };
        let _ = writeln!(
            out,
            "  dynamics: ground contact {}, balance {} left, vertical oscillation {}, ratio {}, step {}",
            f(d.ground_contact_s, 1000.0, "ms"),
            f(d.gct_balance_left_pct, 1.0, "%"),
            f(d.vertical_oscillation_m, 100.0, "cm"),
            f(d.vertical_ratio_pct, 1.0, "%"),
            f(d.step_length_m, 1.0, "m")
        );
    }
}

fn opt(v: Option<f64>, unit: &str) -> String {
    v.map_or("-".into(), |v| format!("{v:.1} {unit}"))
}

/// The inspection as text: what was read, activity by activity. The files and rows skipped are
/// not part of it: they are messages, which the command prints on stderr ([`skip_lines`]), so
/// that stdout holds only what was read.
pub fn render(inspection: &Inspection) -> String {
    let mut out = String::new();
    for s in &inspection.activities {
        let head = match s.origin {
            Origin::File => format!("{} (session {})", sanitise(&s.source), s.session),
            Origin::StravaCsv | Origin::GarminJson => crate::report::format::source_words(s),
        };
        let _ = writeln!(out, "{head}");
        let named = crate::report::format::name_words(s);
        if !named.is_empty() || s.origin != Origin::File {
            let _ = writeln!(
                out,
                "  {}{}origin {}",
                named,
                if named.is_empty() { "" } else { "; " },
                s.origin.as_str()
            );
        }
        let sets = crate::report::format::strength_words(s);
        if !sets.is_empty() {
            let _ = writeln!(out, "  {sets}");
        }
        let _ = writeln!(
            out,
            "  format {}, sport {} ({}), device {}",
            s.format.as_str(),
            s.sport.as_str(),
            sanitise(&s.sport_detail),
            sanitise(s.device_name.as_deref().unwrap_or("-"))
        );
        let _ = writeln!(
            out,
            "  start {} UTC, local {} (offset from {}{})",
            s.start_utc.format("%Y-%m-%d %H:%M:%S"),
            s.start_local.format("%Y-%m-%d %H:%M:%S %:z"),
            match s.offset_source {
                OffsetSource::File => "the file",
                OffsetSource::Position => "the first GPS fix: ",
                OffsetSource::Zone => "the zone ",
            },
            match s.offset_source {
                OffsetSource::File => String::new(),
                OffsetSource::Position => s.zone.clone().unwrap_or_default(),
                OffsetSource::Zone =>
                    format!("{} from {}", inspection.zone, inspection.zone_origin),
            }
        );
        let _ = writeln!(out, "  week {} (from {})", s.week, s.week_start);
        let _ = writeln!(
            out,
            "  {} samples; columns: {}",
            s.samples,
            s.columns
                .iter()
                .map(|(n, c)| format!("{n} ({c})"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        // Cleaning drops a position whole, so a latitude means a fix.
        let gps = s.columns.iter().any(|(n, c)| n == "lat_deg" && *c > 0);
        let _ = writeln!(
            out,
            "  cadence rule {}; elevation method {:?}; distance method {:?}; gps {}",
            s.cadence_rule.as_str(),
            s.elevation_method,
            s.computed.distance_method,
            if gps { "yes" } else { "no" }
        );
        let dev = s.device.clone().unwrap_or_default();
        let summary = match s.origin {
            Origin::File => "device",
            Origin::StravaCsv | Origin::GarminJson => "manifest",
        };
        let _ = writeln!(out, "  {:<12} {:>14} {:>14}", "", "computed", summary);
        let rows = [
            ("distance", Some(s.computed.distance_m), dev.distance_m, "m"),
            ("ascent", s.computed.ascent_m, dev.ascent_m, "m"),
            ("descent", s.computed.descent_m, dev.descent_m, "m"),
            ("cadence", s.computed.cadence_spm, dev.cadence_spm, "spm"),
            ("moving/timer", Some(s.computed.moving_s), dev.timer_s, "s"),
            ("elapsed", Some(s.computed.elapsed_s), dev.elapsed_s, "s"),
        ];
        for (name, c, d, unit) in rows {
            let _ = writeln!(
                out,
                "  {:<12} {:>14} {:>14}",
                name,
                opt(c, unit),
                opt(d, unit)
            );
        }
        if let Some(m) = &s.metrics {
            render_metrics(&mut out, s, m, &inspection.thresholds);
        }
        for w in &s.warnings {
            let _ = writeln!(out, "  warning: {}", sanitise(w));
        }
        out.push('\n');
    }
    out
}

/// One line for each file or manifest row skipped (`skipped run.fit: not a FIT file`), sanitised
/// for a terminal.
pub fn skip_lines(inspection: &Inspection) -> Vec<String> {
    inspection
        .skipped
        .iter()
        .map(|s| format!("skipped {}", sanitise(&s.to_string())))
        .collect()
}
