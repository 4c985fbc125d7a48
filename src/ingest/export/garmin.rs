//! Garmin Connect's `DI_CONNECT/DI-Connect-Fitness/<user>_0_summarizedActivities.json`, from its
//! data export: `[{"summarizedActivitiesExport": [ … ]}]`, one entry per session, times in
//! milliseconds (`beginTimestamp`/`startTimeGmt` UTC, `startTimeLocal` local wall-clock),
//! `duration` in milliseconds, `distance` in centimetres. The FIT files sit elsewhere in the
//! export (`DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip`), named by upload id, so rows
//! are joined to them by start time.

use chrono::{DateTime, TimeZone, Utc};
use serde_json::Value;

use crate::model::{ManifestRow, Origin, ReadError, SkipReason, Skipped, Sport};

/// Garmin's `activityType` keys and the sport each counts as (README, "Export manifests"). A
/// key not listed is `other`, with a warning naming the row.
pub const TYPES: &[(&str, Sport)] = &[
    ("running", Sport::Running),
    ("trail_running", Sport::Running),
    ("treadmill_running", Sport::Running),
    ("track_running", Sport::Running),
    ("street_running", Sport::Running),
    ("indoor_running", Sport::Running),
    ("virtual_run", Sport::Running),
    ("ultra_run", Sport::Running),
    ("strength_training", Sport::Strength),
    ("walking", Sport::Walking),
    ("casual_walking", Sport::Walking),
    ("speed_walking", Sport::Walking),
    ("hiking", Sport::Hiking),
    ("cycling", Sport::Cycling),
    ("road_biking", Sport::Cycling),
    ("mountain_biking", Sport::Cycling),
    ("gravel_cycling", Sport::Cycling),
    ("indoor_cycling", Sport::Cycling),
    ("virtual_ride", Sport::Cycling),
    ("lap_swimming", Sport::Swimming),
    ("open_water_swimming", Sport::Swimming),
    ("indoor_cardio", Sport::Other),
    ("yoga", Sport::Other),
    ("pilates", Sport::Other),
    ("hiit", Sport::Other),
    ("elliptical", Sport::Other),
    ("stair_climbing", Sport::Other),
    ("indoor_rowing", Sport::Other),
    ("rowing", Sport::Other),
    ("breathwork", Sport::Other),
    ("fitness_equipment", Sport::Other),
    ("other", Sport::Other),
];

/// The sport of a Garmin type key; `None` for a key not in [`TYPES`].
pub fn sport_of(key: &str) -> Option<Sport> {
    let k = key.trim();
    TYPES
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(k))
        .map(|(_, s)| *s)
}

fn ms_to_utc(ms: f64) -> Option<DateTime<Utc>> {
    Utc.timestamp_millis_opt(ms as i64).single()
}

/// The export a manifest belongs to: its source up to `DI_CONNECT/` (the export's root), else
/// its folder.
fn root_of(source: &str) -> String {
    match source.rfind("DI_CONNECT/") {
        Some(i) => source[..i].to_string(),
        None => super::folder_of(source),
    }
}

/// The session entries, wherever the export nests them.
fn entries(doc: &Value) -> Vec<&Value> {
    match doc {
        Value::Array(items) => items.iter().flat_map(entries).collect(),
        Value::Object(map) => match map.get("summarizedActivitiesExport") {
            Some(Value::Array(list)) => list.iter().collect(),
            _ if map.contains_key("activityId") => vec![doc],
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// Reads a `summarizedActivities.json`: its rows, and a skipped entry for an entry without a
/// start time (or for the whole file when it is not JSON).
pub fn read(source: &str, bytes: &[u8]) -> (Vec<ManifestRow>, Vec<Skipped>) {
    let mut rows = Vec::new();
    let mut skipped = Vec::new();
    let doc: Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(e) => {
            skipped.push(Skipped::new(
                source,
                SkipReason::Read(ReadError::invalid(format!("manifest is not JSON: {e}"))),
            ));
            return (rows, skipped);
        }
    };
    let root = root_of(source);
    for (i, entry) in entries(&doc).into_iter().enumerate() {
        let row = i + 1;
        let num = |key: &str| entry.get(key).and_then(Value::as_f64);
        let text = |key: &str| {
            entry
                .get(key)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
        };
        let id = match entry.get("activityId") {
            Some(Value::Number(n)) => n.to_string(),
            Some(Value::String(s)) => s.clone(),
            _ => String::new(),
        };
        let label = format!("{source} row {row} (activity {id})");
        let start = num("beginTimestamp")
            .or_else(|| num("startTimeGmt"))
            .and_then(ms_to_utc);
        let Some(start_utc) = start else {
            skipped.push(Skipped::new(
                label,
                SkipReason::Read(ReadError::invalid(
                    "manifest row not counted: no start time (beginTimestamp, startTimeGmt)",
                )),
            ));
            continue;
        };
        // `activityType` is a key, or in some exports an object holding `typeKey`.
        let type_name = match entry.get("activityType") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Object(o)) => o
                .get("typeKey")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            _ => String::new(),
        };
        let mut warnings = Vec::new();
        let sport = sport_of(&type_name).unwrap_or_else(|| {
            warnings.push(format!(
                "{label}: unknown activity type {type_name:?}, counted as other"
            ));
            Sport::Other
        });
        let gmt = num("startTimeGmt").or_else(|| num("beginTimestamp"));
        let utc_offset_s = num("startTimeLocal")
            .zip(gmt)
            .map(|(local, gmt)| ((local - gmt) / 1000.0).round())
            .filter(|s| s.abs() <= 18.0 * 3600.0)
            .map(|s| s as i32);
        rows.push(ManifestRow {
            source: source.to_string(),
            row,
            origin: Origin::GarminJson,
            root: root.clone(),
            id,
            file: None,
            name: text("name").map(str::to_string),
            type_name,
            sport,
            gear: None,
            start_utc,
            utc_offset_s,
            distance_m: num("distance").map(|cm| cm / 100.0),
            elapsed_s: num("elapsedDuration")
                .or_else(|| num("duration"))
                .map(|ms| ms / 1000.0),
            moving_s: num("duration").map(|ms| ms / 1000.0),
            warnings,
        });
    }
    (rows, skipped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_in_centimetres_and_milliseconds() {
        let json = r#"[{"summarizedActivitiesExport": [
            {"activityId": 9001, "name": "Tempo", "activityType": "trail_running",
             "beginTimestamp": 1756809000000, "startTimeGmt": 1756809000000,
             "startTimeLocal": 1756794600000, "duration": 3000000.0, "distance": 1002000.0},
            {"activityId": 9002, "name": "Legs", "activityType": "strength_training",
             "startTimeGmt": 1756900000000, "duration": 2400000},
            {"activityId": 9003, "activityType": "yoga"},
            {"activityId": 9004, "activityType": "kite_surfing", "beginTimestamp": 1756990000000}
        ]}]"#;
        let src = "g.zip!DI_CONNECT/DI-Connect-Fitness/me_0_summarizedActivities.json";
        let (rows, skipped) = read(src, json.as_bytes());
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].root, "g.zip!");
        assert_eq!(rows[0].sport, Sport::Running);
        assert_eq!(rows[0].distance_m, Some(10020.0));
        assert_eq!(rows[0].moving_s, Some(3000.0));
        assert_eq!(rows[0].utc_offset_s, Some(-4 * 3600));
        assert_eq!(rows[0].start_utc, ms_to_utc(1756809000000.0).unwrap());
        assert_eq!(rows[1].sport, Sport::Strength);
        assert_eq!(rows[1].name.as_deref(), Some("Legs"));
        assert_eq!(rows[2].sport, Sport::Other);
        assert_eq!(rows[2].warnings.len(), 1, "{:?}", rows[2].warnings);
        assert_eq!(
            skipped[0].to_string(),
            format!(
                "{src} row 3 (activity 9003): manifest row not counted: no start time \
                 (beginTimestamp, startTimeGmt)"
            )
        );
    }
}
