//! Garmin Connect's `DI_CONNECT/DI-Connect-Fitness/<user>_0_summarizedActivities.json`, from its
//! data export: `[{"summarizedActivitiesExport": [ … ]}]`, one entry per session, times in
//! milliseconds (`beginTimestamp`/`startTimeGmt` UTC, `startTimeLocal` local wall-clock),
//! `duration` in milliseconds, `distance` in centimetres. The FIT files sit elsewhere in the
//! export, named by upload id, so rows are joined to them by start time (`analysis::join`).
//!
//! The shapes seen in real exports, all read:
//! - the summaries split over several files of a thousand sessions each
//!   (`<user>_0_summarizedActivities.json`, `<user>_1001_summarizedActivities.json`);
//! - times and totals as floats in exponent form (`1.685097098E12`), and numbers as strings;
//! - the uploads in `DI_CONNECT/DI-Connect-Uploaded-Files/` (2022 on),
//!   `DI_CONNECT/DI-Connect-Fitness-Uploaded-Files/` (2021) or inside
//!   `DI_CONNECT/DI-Connect-Fitness/` (2018): any folder under `DI_CONNECT/`;
//! - cadence as `avgDoubleCadence` (steps per minute) beside `avgRunCadence` (one leg's);
//! - a session's kind in `sportType` where `activityType` says nothing more (`STEPS`: walking);
//! - `summarizedExerciseSets` on strength sessions: sets and repetitions without a FIT file,
//!   which make the session a strength session whatever its type.

use chrono::{DateTime, TimeZone, Utc};
use serde_json::Value;

use crate::model::{
    GearLink, ManifestRow, Origin, ReadError, SkipReason, Skipped, Sport, StrengthSets,
};

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
    lookup(TYPES, key)
}

/// The sport `key` has in `table`, whatever its case.
fn lookup(table: &[(&str, Sport)], key: &str) -> Option<Sport> {
    let k = key.trim();
    table
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(k))
        .map(|(_, s)| *s)
}

/// Garmin's `sportType` values and the sport each counts as, for an entry whose `activityType`
/// is missing or not in [`TYPES`].
pub const SPORT_TYPES: &[(&str, Sport)] = &[
    ("RUNNING", Sport::Running),
    ("STEPS", Sport::Walking),
    ("WALKING", Sport::Walking),
    ("HIKING", Sport::Hiking),
    ("CYCLING", Sport::Cycling),
    ("SWIMMING", Sport::Swimming),
    ("STRENGTH_TRAINING", Sport::Strength),
];

/// The sport of a Garmin `sportType`; `None` for a value not in [`SPORT_TYPES`].
fn sport_of_sport_type(value: &str) -> Option<Sport> {
    lookup(SPORT_TYPES, value)
}

/// A number as the export writes it: a JSON number in any form (`1685097098000`,
/// `1.685097098E12`), or a string holding one.
fn number_of(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => super::number(s),
        _ => None,
    }
}

/// An id as the export writes it: a whole number (also in exponent form, `2.0000000001E10`,
/// given as the integer it is) or a string.
fn id_of(v: Option<&Value>) -> String {
    match v {
        Some(Value::Number(n)) => match (n.as_u64(), n.as_f64()) {
            (Some(u), _) => u.to_string(),
            (None, Some(f)) if f.fract() == 0.0 && f.abs() < 9.0e15 => format!("{}", f as i64),
            _ => n.to_string(),
        },
        Some(Value::String(s)) => s.trim().to_string(),
        _ => String::new(),
    }
}

/// The sets and repetitions of `summarizedExerciseSets` (`[{"category", "reps", "sets", …}]`),
/// summed over the exercises; `None` when the entry lists none.
fn exercise_sets(v: Option<&Value>) -> Option<StrengthSets> {
    let list = v?.as_array()?;
    let mut out: Option<StrengthSets> = None;
    for e in list {
        let count = |key: &str| {
            e.get(key)
                .and_then(number_of)
                .filter(|n| n.is_finite() && *n >= 0.0 && *n < 1e6)
                .map(|n| n.round() as u32)
        };
        let (sets, reps) = (count("sets"), count("reps"));
        if sets.is_none() && reps.is_none() {
            continue;
        }
        let sum = out.get_or_insert_with(StrengthSets::default);
        sum.sets += sets.unwrap_or(0);
        sum.repetitions += reps.unwrap_or(0);
    }
    out
}

/// The furthest any zone's local time is from UTC: 18 hours.
const MAX_OFFSET_S: f64 = 18.0 * 3600.0;

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
        let num = |key: &str| entry.get(key).and_then(number_of);
        let text = |key: &str| {
            entry
                .get(key)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
        };
        let id = id_of(entry.get("activityId"));
        let label = format!("{source} row {row} (activity {id})");
        let start_ms = num("beginTimestamp").or_else(|| num("startTimeGmt"));
        let Some(start_utc) = start_ms.and_then(ms_to_utc) else {
            let why = match start_ms {
                None => "no start time (beginTimestamp, startTimeGmt)".to_string(),
                // Further from 1970 than any date can be (1e308 ms): said as it is written.
                Some(ms) => format!("its start time {} ms is not a date", super::shown(ms)),
            };
            skipped.push(Skipped::new(
                label,
                SkipReason::Read(ReadError::invalid(format!(
                    "manifest row not counted: {why}"
                ))),
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
        let sport_type = text("sportType");
        let strength = exercise_sets(entry.get("summarizedExerciseSets"));
        let sport = match (
            sport_of(&type_name),
            sport_type.and_then(sport_of_sport_type),
        ) {
            // Sets and repetitions logged: a strength session, whatever the type says (Garmin
            // files some under `indoor_cardio` or `fitness_equipment`).
            _ if strength.is_some() => Sport::Strength,
            (Some(s), None) => s,
            (Some(s), Some(_)) if s != Sport::Other => s,
            (_, Some(s)) => s,
            (None, None) => {
                let also = sport_type
                    .map(|t| format!(" (sportType {t:?})"))
                    .unwrap_or_default();
                warnings.push(format!(
                    "{label}: unknown activity type {type_name:?}{also}, counted as other"
                ));
                Sport::Other
            }
        };
        // Garmin's `avgRunCadence` counts one leg's steps; `avgDoubleCadence` both.
        let cadence_spm = num("avgDoubleCadence")
            .or_else(|| num("avgRunCadence").map(|c| c * 2.0))
            .filter(|c| c.is_finite() && *c > 0.0 && *c < 400.0);
        // Local time minus UTC: no zone is further from UTC than 18 hours (a broken
        // `startTimeLocal` leaves the offset to the zone, with a warning).
        let gmt = num("startTimeGmt").or_else(|| num("beginTimestamp"));
        let offset_s = num("startTimeLocal")
            .zip(gmt)
            .map(|(local, gmt)| ((local - gmt) / 1000.0).round());
        let utc_offset_s = offset_s
            .filter(|s| s.abs() <= MAX_OFFSET_S)
            .map(|s| s as i32);
        if let (Some(s), None) = (offset_s, utc_offset_s) {
            warnings.push(format!(
                "{label}: startTimeLocal is {} s from startTimeGmt, more than any zone's 18 h; \
                 the local time is taken from the zone",
                super::shown(s)
            ));
        }
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
            cadence_spm,
            strength,
            warnings,
        });
    }
    (rows, skipped)
}

/// Whether a file is Garmin Connect's gear list (`<user>_gear.json` in `DI-Connect-Fitness`), by
/// its name and its first character.
pub fn is_gear(name: &str, head: &str) -> bool {
    let file = name.rsplit(['/', '!']).next().unwrap_or(name);
    file.to_ascii_lowercase().ends_with("_gear.json") && head.starts_with(['[', '{'])
}

/// A gear id as the export writes it: a number (`gearPk`) or a string.
fn key_of(v: &Value) -> Option<String> {
    match v {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        _ => None,
    }
}

/// One piece of gear of `gearDTOS`: its id, name and whether it is a pair of shoes.
fn gear_of(g: &Value) -> Option<(String, String, bool)> {
    let pk = g.get("gearPk").and_then(key_of)?;
    let text = |key: &str| {
        g.get(key)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    };
    let make_model = [text("gearMakeName"), text("gearModelName")]
        .into_iter()
        .flatten()
        .filter(|s| !s.eq_ignore_ascii_case("unknown"))
        .collect::<Vec<_>>()
        .join(" ");
    let name = text("displayName")
        .or(text("customMakeModel"))
        .map(str::to_string)
        .or((!make_model.is_empty()).then_some(make_model))
        .unwrap_or_else(|| format!("gear {pk}"));
    let shoes = text("gearTypeName").is_some_and(|t| t.eq_ignore_ascii_case("shoes"));
    Some((pk, name, shoes))
}

/// Reads a `<user>_gear.json`: `[{"gearDTOS": [{"gearPk", "displayName", "customMakeModel",
/// "gearTypeName", …}], "gearActivityDTOs": {"<gearPk>": [{"activityId", …}, …]}}]` (the links
/// also as one list of `{"gearPk", "activityId"}`). One link per session: where a session used
/// several pieces, the shoes, and where it names several pairs of shoes, their names joined by
/// ` + `. Links to gear the list does not hold are left out, named once per gear id.
pub fn read_gear(source: &str, bytes: &[u8]) -> (Vec<GearLink>, Vec<Skipped>) {
    let doc: Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(e) => {
            let reason = ReadError::invalid(format!("gear list is not JSON: {e}"));
            return (
                Vec::new(),
                vec![Skipped::new(source, SkipReason::Read(reason))],
            );
        }
    };
    let objects: Vec<&serde_json::Map<String, Value>> = match &doc {
        Value::Array(items) => items.iter().filter_map(Value::as_object).collect(),
        Value::Object(map) => vec![map],
        _ => Vec::new(),
    };
    let mut gear: std::collections::HashMap<String, (String, bool)> = Default::default();
    for obj in &objects {
        for g in obj
            .get("gearDTOS")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some((pk, name, shoes)) = gear_of(g) {
                gear.insert(pk, (name, shoes));
            }
        }
    }
    // (session id, gear id), in the file's order.
    let mut pairs: Vec<(String, String)> = Vec::new();
    for obj in &objects {
        let link = |pk: Option<String>, a: &Value| {
            let id = a.get("activityId").and_then(key_of)?;
            Some((id, pk.or_else(|| a.get("gearPk").and_then(key_of))?))
        };
        match obj.get("gearActivityDTOs") {
            Some(Value::Object(by_gear)) => {
                for (pk, list) in by_gear {
                    for a in list.as_array().into_iter().flatten() {
                        pairs.extend(link(Some(pk.trim().to_string()), a));
                    }
                }
            }
            Some(Value::Array(list)) => pairs.extend(list.iter().filter_map(|a| link(None, a))),
            _ => {}
        }
    }
    let mut unknown: Vec<String> = Vec::new();
    // Per session: its gear, shoes first.
    // In the order sessions first appear, found by id (an export links thousands of sessions).
    let mut by_session: Vec<(String, Vec<(bool, String)>)> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = Default::default();
    for (id, pk) in pairs {
        let Some((name, shoes)) = gear.get(&pk).cloned() else {
            if !unknown.contains(&pk) {
                unknown.push(pk);
            }
            continue;
        };
        let at = *index.entry(id.clone()).or_insert_with(|| {
            by_session.push((id, Vec::new()));
            by_session.len() - 1
        });
        let names = &mut by_session[at].1;
        if !names.iter().any(|(_, n)| *n == name) {
            names.push((shoes, name));
        }
    }
    let root = root_of(source);
    let links = by_session
        .into_iter()
        .map(|(id, names)| {
            let any_shoes = names.iter().any(|(shoes, _)| *shoes);
            let picked: Vec<&str> = names
                .iter()
                .filter(|(shoes, _)| *shoes || !any_shoes)
                .map(|(_, n)| n.as_str())
                .collect();
            GearLink {
                source: source.to_string(),
                root: root.clone(),
                id,
                gear: picked.join(" + "),
            }
        })
        .collect();
    let skipped = unknown
        .into_iter()
        .map(|pk| {
            let reason = ReadError::invalid(format!(
                "sessions linked to gear {pk}, which the gear list does not hold, are not named"
            ));
            Skipped::new(format!("{source} gear {pk}"), SkipReason::Read(reason))
        })
        .collect();
    (links, skipped)
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

    #[test]
    fn the_shapes_of_real_exports_are_read() {
        // Times in exponent form and as strings, an id in exponent form, walking as `STEPS`,
        // sets and repetitions on a strength session, one leg's cadence beside both legs'.
        let json = r#"[{"summarizedActivitiesExport": [
            {"activityId": 1.1E10, "activityType": "running", "sportType": "RUNNING",
             "beginTimestamp": 1.685097098E12, "startTimeGmt": 1.685097098E12,
             "startTimeLocal": 1.685104298E12, "duration": 3.0E6, "distance": 1.0E6,
             "avgRunCadence": 84.5, "avgDoubleCadence": 169.0},
            {"activityId": "11000000001", "activityType": {"typeKey": "other"},
             "sportType": "STEPS", "startTimeGmt": "1685190000000", "duration": "1800000"},
            {"activityId": 11000000002, "activityType": "indoor_cardio",
             "startTimeGmt": 1685290000000, "duration": 2400000,
             "summarizedExerciseSets": [{"category": "SQUAT", "reps": 30, "sets": 3},
                                        {"category": "PLANK", "duration": 60000, "sets": 2},
                                        {"category": "UNKNOWN"}]},
            {"activityId": 11000000003, "activityType": "treadmill_running",
             "startTimeGmt": 1685390000000, "avgRunCadence": 86.0},
            {"activityId": 11000000004, "activityType": "kite_surfing",
             "sportType": "KITING", "startTimeGmt": 1685490000000}
        ]}]"#;
        let src = "g.zip!DI_CONNECT/DI-Connect-Fitness/me_1001_summarizedActivities.json";
        let (rows, skipped) = read(src, json.as_bytes());
        assert!(skipped.is_empty(), "{skipped:?}");
        let got: Vec<_> = rows
            .iter()
            .map(|r| (r.id.as_str(), r.sport, r.cadence_spm, r.strength))
            .collect();
        let sets = |sets, repetitions| Some(StrengthSets { sets, repetitions });
        assert_eq!(
            got,
            [
                ("11000000000", Sport::Running, Some(169.0), None),
                ("11000000001", Sport::Walking, None, None),
                ("11000000002", Sport::Strength, None, sets(5, 30)),
                ("11000000003", Sport::Running, Some(172.0), None),
                ("11000000004", Sport::Other, None, None),
            ]
        );
        assert_eq!(rows[0].start_utc, ms_to_utc(1_685_097_098_000.0).unwrap());
        assert_eq!(rows[0].utc_offset_s, Some(2 * 3600));
        assert_eq!(rows[0].distance_m, Some(10_000.0));
        assert_eq!(rows[1].moving_s, Some(1800.0));
        assert!(rows[..4].iter().all(|r| r.warnings.is_empty()));
        assert_eq!(
            rows[4].warnings,
            [format!(
                "{src} row 5 (activity 11000000004): unknown activity type \"kite_surfing\" \
                 (sportType \"KITING\"), counted as other"
            )]
        );
    }

    #[test]
    fn gear_list_names_each_session_with_its_shoes() {
        // As Garmin writes it: the gear, then the sessions of each piece keyed by its id.
        let json = r#"[{"gearDTOS": [
            {"gearPk": 11, "displayName": "Daily trainers", "customMakeModel": "Nike Pegasus 40",
             "gearTypeName": "Shoes"},
            {"gearPk": 12, "displayName": null, "customMakeModel": "Saucony Speed 3",
             "gearTypeName": "Shoes"},
            {"gearPk": 13, "gearMakeName": "Garmin", "gearModelName": "HRM-Pro",
             "gearTypeName": "Other"},
            {"gearPk": 14, "gearTypeName": "Bike"}
         ],
         "gearActivityDTOs": {
            "11": [{"activityId": 9001, "gearPk": 11}, {"activityId": 9003}],
            "12": [{"activityId": 9002}, {"activityId": 9003}],
            "13": [{"activityId": 9001}, {"activityId": 9004}],
            "99": [{"activityId": 9005}]
         }}]"#;
        let src = "g.zip!DI_CONNECT/DI-Connect-Fitness/me_gear.json";
        assert!(is_gear(src, json));
        assert!(!is_gear(
            "g.zip!DI_CONNECT/DI-Connect-Fitness/me_workout.json",
            json
        ));
        let (links, skipped) = read_gear(src, json.as_bytes());
        let got: Vec<(&str, &str, &str)> = links
            .iter()
            .map(|l| (l.root.as_str(), l.id.as_str(), l.gear.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                // The shoes win over a heart-rate strap; the display name over make and model.
                ("g.zip!", "9001", "Daily trainers"),
                // Two pairs of shoes on one run: both named.
                ("g.zip!", "9003", "Daily trainers + Saucony Speed 3"),
                ("g.zip!", "9002", "Saucony Speed 3"),
                // No shoes at all: the other gear, by make and model.
                ("g.zip!", "9004", "Garmin HRM-Pro"),
            ]
        );
        // A link to gear the list does not hold is left out, and said once.
        assert_eq!(skipped.len(), 1);
        assert_eq!(
            skipped[0].to_string(),
            "g.zip!DI_CONNECT/DI-Connect-Fitness/me_gear.json gear 99: sessions linked to gear \
             99, which the gear list does not hold, are not named"
        );
        // The links as one list of pairs, as some exports hold them.
        let list = r#"{"gearDTOS": [{"gearPk": "7", "displayName": "Trail shoes"}],
            "gearActivityDTOs": [{"gearPk": 7, "activityId": "42"}]}"#;
        let (links, skipped) = read_gear(src, list.as_bytes());
        assert_eq!(
            (links[0].id.as_str(), links[0].gear.as_str()),
            ("42", "Trail shoes")
        );
        assert!(skipped.is_empty());
        // Not JSON: the file is skipped with its reason.
        let (links, skipped) = read_gear(src, b"[{");
        assert!(links.is_empty());
        assert!(skipped[0]
            .reason
            .to_string()
            .starts_with("gear list is not JSON"));
    }

    #[test]
    fn rows_take_the_gear_of_their_own_export() {
        let json = r#"[{"summarizedActivitiesExport": [
            {"activityId": 9001, "activityType": "running", "beginTimestamp": 1756809000000},
            {"activityId": 9002, "activityType": "running", "beginTimestamp": 1756909000000}]}]"#;
        let src = "a.zip!DI_CONNECT/DI-Connect-Fitness/me_0_summarizedActivities.json";
        let (mut rows, _) = read(src, json.as_bytes());
        let link = |root: &str, id: &str, gear: &str| GearLink {
            source: format!("{root}DI_CONNECT/DI-Connect-Fitness/me_gear.json"),
            root: root.into(),
            id: id.into(),
            gear: gear.into(),
        };
        super::super::attach_gear(
            &mut rows,
            &[
                link("a.zip!", "9001", "Pegasus"),
                link("b.zip!", "9002", "Other export's"),
            ],
        );
        assert_eq!(rows[0].gear.as_deref(), Some("Pegasus"));
        assert_eq!(
            rows[1].gear, None,
            "a gear list of another export names nothing here"
        );
    }
}
