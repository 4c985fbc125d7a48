//! Bulk exports shaped as the services deliver them, for the tests: a Strava export (a zip of
//! `activities.csv` and `activities/<id>.fit.gz`) and a Garmin Connect export (a zip holding
//! `DI_CONNECT/DI-Connect-Fitness/<user>_0_summarizedActivities.json` and the FIT files in a
//! zip inside it, and the shoes of each session in `<user>_gear.json`). Strength sessions and a hand-logged treadmill run exist only in the
//! manifests; the two exports overlap by two weeks, whose sessions they both hold.
//!
//! The plan, all times UTC, weeks from Monday 2025-09-01 (2025-W36):
//!
//! | week | Strava | Garmin | each week |
//! |---|---|---|---|
//! | W36 | yes | | Mon run 8 km (file), Tue strength (manifest), Thu run 10 km (file), |
//! | W37 | yes | yes | Fri strength (Strava: manifest; Garmin: file), Sat treadmill 5 km |
//! | W38 | yes | yes | (manifest only): 23 km and 2 strength sessions |
//! | W39 | | yes | Mon 8 km, Tue strength, Thu 10 km, Sun 6 km: 24 km, 1 strength session |

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::{gzip, simulate, to_fit, zip, RunPlan};
use crate::model::{Sport, StrengthSets};

/// One session of the plan.
#[derive(Clone, Debug, PartialEq)]
pub struct ExportSession {
    pub start_utc: DateTime<Utc>,
    pub sport: Sport,
    pub distance_m: f64,
    pub duration_s: f64,
    /// Whether the service holds a recorded file of it (else only its manifest row).
    pub strava_file: bool,
    pub garmin_file: bool,
    pub in_strava: bool,
    pub in_garmin: bool,
    /// The names each service gives it.
    pub strava_name: String,
    pub garmin_name: String,
    pub seed: u64,
}

/// The sessions of both exports, in start order.
pub fn export_plan() -> Vec<ExportSession> {
    let monday = Utc.with_ymd_and_hms(2025, 9, 1, 0, 0, 0).unwrap();
    let mut out = Vec::new();
    for week in 0..4i64 {
        let in_strava = week <= 2;
        let in_garmin = week >= 1;
        let at = |day: i64, h: i64| monday + Duration::days(7 * week + day) + Duration::hours(h);
        let mut push = |day, h, sport, km: f64, min: f64, files: (bool, bool), what: &str| {
            let seed = 0xE4_0000 + (week * 10 + day) as u64;
            out.push(ExportSession {
                start_utc: at(day, h),
                sport,
                distance_m: km * 1000.0,
                duration_s: if km > 0.0 { km * 330.0 } else { min * 60.0 },
                strava_file: files.0,
                garmin_file: files.1,
                in_strava,
                in_garmin,
                strava_name: format!("{what} (W{})", 36 + week),
                garmin_name: format!("Garmin {what} {}", 36 + week),
                seed,
            });
        };
        push(0, 7, Sport::Running, 8.0, 0.0, (true, true), "Easy run");
        push(1, 18, Sport::Strength, 0.0, 40.0, (false, false), "Gym");
        push(3, 7, Sport::Running, 10.0, 0.0, (true, true), "Tempo");
        if week < 3 {
            push(4, 18, Sport::Strength, 0.0, 40.0, (false, true), "Core");
            push(5, 9, Sport::Running, 5.0, 0.0, (false, false), "Treadmill");
        } else {
            push(6, 9, Sport::Running, 6.0, 0.0, (true, true), "Sunday run");
        }
    }
    out
}

fn fit_of(s: &ExportSession) -> Vec<u8> {
    let strength = s.sport == Sport::Strength;
    let mut a = simulate(&RunPlan {
        start_utc: s.start_utc,
        utc_offset_s: 0,
        sport: s.sport,
        distance_m: s.distance_m,
        pace_s_per_km: if strength { 0.0 } else { 330.0 },
        hr_mean_bpm: if strength { 104.0 } else { 140.0 },
        duration_s: if strength { s.duration_s } else { 0.0 },
        seed: s.seed,
        ..RunPlan::default()
    });
    // A strength file logs its sets, as a watch's strength activity does: 4 or 5 sets of 12.
    if strength {
        let sets = 4 + (s.seed % 2) as u32;
        a.strength = Some(StrengthSets {
            sets,
            repetitions: 12 * sets,
        });
    }
    to_fit(&a)
}

fn strava_type(s: &ExportSession) -> &'static str {
    match s.sport {
        Sport::Strength => "Weight Training",
        _ if s.strava_name.starts_with("Treadmill") => "Virtual Run",
        _ => "Run",
    }
}

fn garmin_type(s: &ExportSession) -> &'static str {
    match s.sport {
        Sport::Strength => "strength_training",
        _ if s.garmin_name.contains("Treadmill") => "treadmill_running",
        _ => "running",
    }
}

/// The shoes a session was run in, the same in both exports: the Speed 3 from 10 km, else the
/// Pegasus 40; none for strength work.
fn shoe_of(s: &ExportSession) -> Option<&'static str> {
    (s.sport == Sport::Running).then_some(if s.distance_m >= 10_000.0 {
        "Speed 3"
    } else {
        "Pegasus 40"
    })
}

/// Garmin Connect's gear list: the two pairs of shoes (and a bike no session used), and the
/// sessions each was used in, keyed by the gear's id.
fn garmin_gear(links: &[(&str, u64)]) -> serde_json::Value {
    let shoes = [
        (41_001u64, "Pegasus 40", "Nike Pegasus 40"),
        (41_002, "Speed 3", "Saucony Endorphin Speed 3"),
    ];
    let mut gear: Vec<serde_json::Value> = shoes
        .iter()
        .map(|(pk, name, model)| {
            serde_json::json!({
                "gearPk": pk, "uuid": format!("{pk:032x}"), "displayName": name,
                "customMakeModel": model, "gearTypeName": "Shoes", "gearStatusName": "active",
                "maximumMeters": 800_000.0, "dateBegin": "2025-08-01T00:00:00.0"
            })
        })
        .collect();
    gear.push(serde_json::json!({
        "gearPk": 41_003, "uuid": format!("{:032x}", 41_003), "displayName": null,
        "customMakeModel": "Commuter bike", "gearTypeName": "Bike", "gearStatusName": "active"
    }));
    let mut by_gear = serde_json::Map::new();
    for (pk, name, _) in shoes {
        let used: Vec<serde_json::Value> = links
            .iter()
            .filter(|(shoe, _)| *shoe == name)
            .map(|(_, id)| serde_json::json!({ "activityId": id, "gearPk": pk }))
            .collect();
        by_gear.insert(pk.to_string(), serde_json::Value::Array(used));
    }
    serde_json::json!([{ "gearDTOS": gear, "gearActivityDTOs": by_gear }])
}

/// The members of the Strava export, as its zip holds them (also to write it unpacked).
pub fn strava_members() -> Vec<(String, Vec<u8>)> {
    let mut csv = String::from(
        "Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,\
         Elapsed Time,Distance,Max Heart Rate,Relative Effort,Commute,Activity Gear,Filename,\
         Athlete Weight,Bike Weight,Elapsed Time,Moving Time,Distance,Max Speed\n",
    );
    let mut files = Vec::new();
    for (i, s) in export_plan().iter().filter(|s| s.in_strava).enumerate() {
        let id = 15_000_000_000u64 + i as u64;
        let filename = if s.strava_file {
            let name = format!("activities/{id}.fit.gz");
            files.push((name.clone(), gzip(&fit_of(s))));
            name
        } else {
            String::new()
        };
        let gear = shoe_of(s).unwrap_or("");
        csv.push_str(&format!(
            "{id},\"{}\",{},{},,{:.0},{:.2},,,false,{gear},{filename},,,{:.0},{:.0},{:.1},\n",
            s.start_utc.format("%b %-d, %Y, %-I:%M:%S %p"),
            s.strava_name,
            strava_type(s),
            s.duration_s,
            s.distance_m / 1000.0,
            s.duration_s,
            s.duration_s,
            s.distance_m,
        ));
    }
    let mut members = vec![
        ("activities.csv".to_string(), csv.into_bytes()),
        (
            "profile.csv".to_string(),
            b"Athlete ID,First Name\n1,Test\n".to_vec(),
        ),
        (
            "shoes.csv".to_string(),
            b"Shoe Name,Shoe Brand\nPegasus 40,Nike\n".to_vec(),
        ),
    ];
    members.extend(files);
    members
}

/// The Strava export as one zip.
pub fn strava_export() -> std::io::Result<Vec<u8>> {
    zip(&strava_members())
}

/// The Garmin Connect export as one zip: the JSON manifest and a zip of FIT files inside it.
pub fn garmin_export() -> std::io::Result<Vec<u8>> {
    let mut entries = Vec::new();
    let mut uploads = Vec::new();
    // (shoe, session id)
    let mut links: Vec<(&str, u64)> = Vec::new();
    for (i, s) in export_plan().iter().filter(|s| s.in_garmin).enumerate() {
        let ms = s.start_utc.timestamp_millis();
        entries.push(serde_json::json!({
            "activityId": 20_000_000_000u64 + i as u64,
            "name": s.garmin_name,
            "activityType": garmin_type(s),
            "beginTimestamp": ms,
            "startTimeGmt": ms,
            "startTimeLocal": ms,
            "duration": s.duration_s * 1000.0,
            "distance": s.distance_m * 100.0,
        }));
        if s.garmin_file {
            uploads.push((format!("runner_{}.fit", 700_000 + i), fit_of(s)));
        }
        if let Some(shoe) = shoe_of(s) {
            links.push((shoe, 20_000_000_000u64 + i as u64));
        }
    }
    let json = serde_json::json!([{ "summarizedActivitiesExport": entries }]);
    zip(&[
        (
            "DI_CONNECT/DI-Connect-Fitness/runner@example.com_0_summarizedActivities.json"
                .to_string(),
            serde_json::to_vec_pretty(&json).unwrap_or_default(),
        ),
        (
            "DI_CONNECT/DI-Connect-Fitness/runner@example.com_gear.json".to_string(),
            serde_json::to_vec_pretty(&garmin_gear(&links)).unwrap_or_default(),
        ),
        (
            "DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip".to_string(),
            zip(&uploads)?,
        ),
    ])
}
