//! The local day from where the run was: files without a UTC offset but with GPS take the zone of
//! their first fix (offline zone map); `--tz` stays the fallback for files with neither.

use assert_cmd::Command;
use chrono::{TimeZone, Utc};
use serde_json::Value;

use patella::model::Activity;
use patella::synth::{simulate, to_gpx, to_tcx, RunPlan};

/// A 5 km run starting at `start` whose track is moved to start at (`lat`, `lon`).
fn run_at(start: chrono::DateTime<Utc>, lat: f64, lon: f64, seed: u64) -> Activity {
    let mut a = simulate(&RunPlan {
        start_utc: start,
        seed,
        ..RunPlan::default()
    });
    let (lat0, lon0) = (a.samples.lat_deg[0], a.samples.lon_deg[0]);
    for (la, lo) in a
        .samples
        .lat_deg
        .iter_mut()
        .zip(a.samples.lon_deg.iter_mut())
    {
        *la += lat - lat0;
        *lo += lon - lon0;
    }
    a
}

#[test]
fn runs_in_new_york_and_tokyo_land_on_their_own_local_days() {
    let dir = tempfile::tempdir().unwrap();
    // 2025-03-10 22:30 UTC: 18:30 on Monday the 10th in New York (EDT, -4 h); 22:40 UTC is 07:40
    // on Tuesday the 11th in Tokyo (+9 h).
    let evening = Utc.with_ymd_and_hms(2025, 3, 10, 22, 30, 0).unwrap();
    // 2025-03-16 16:00 UTC: 12:00 on Sunday the 16th in New York; 16:10 UTC is 01:10 on Monday the
    // 17th in Tokyo, the next ISO week.
    let sunday = Utc.with_ymd_and_hms(2025, 3, 16, 16, 0, 0).unwrap();
    // The Tokyo runs start 10 minutes later (runs starting within 2 minutes of each other with
    // the same distance would be taken for one run exported twice).
    let later = chrono::Duration::minutes(10);
    let files = [
        (
            "ny-evening.gpx",
            to_gpx(&run_at(evening, 40.7812, -73.9665, 1)),
        ),
        (
            "tokyo-morning.gpx",
            to_gpx(&run_at(evening + later, 35.6852, 139.7528, 2)),
        ),
        (
            "tokyo-monday.tcx",
            to_tcx(&run_at(sunday + later, 35.6852, 139.7528, 3)),
        ),
        (
            "ny-sunday.tcx",
            to_tcx(&run_at(sunday, 40.7812, -73.9665, 4)),
        ),
    ];
    for (name, text) in &files {
        assert!(
            !text.contains("+09:00") && !text.contains("-04:00"),
            "{name}: UTC only"
        );
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    // A run without positions (a treadmill export): --tz decides.
    let mut treadmill = run_at(sunday + chrono::Duration::hours(1), 0.0, 0.0, 5);
    treadmill
        .samples
        .lat_deg
        .iter_mut()
        .for_each(|v| *v = f64::NAN);
    treadmill
        .samples
        .lon_deg
        .iter_mut()
        .for_each(|v| *v = f64::NAN);
    std::fs::write(dir.path().join("treadmill.tcx"), to_tcx(&treadmill)).unwrap();

    let out = Command::cargo_bin("patella")
        .unwrap()
        .env("TZ", "UTC")
        .args([
            "analyse",
            "--json",
            "--no-store",
            "--tz",
            "America/New_York",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let by_name = |name: &str| -> Value {
        doc["activities"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["source"].as_str().unwrap().ends_with(name))
            .unwrap_or_else(|| panic!("{name} in {doc}"))
            .clone()
    };
    for (name, source, zone, date, week, local) in [
        (
            "ny-evening.gpx",
            "position",
            "America/New_York",
            "2025-03-10",
            "2025-W11",
            "2025-03-10T18:30:00-04:00",
        ),
        (
            "tokyo-morning.gpx",
            "position",
            "Asia/Tokyo",
            "2025-03-11",
            "2025-W11",
            "2025-03-11T07:40:00+09:00",
        ),
        (
            "tokyo-monday.tcx",
            "position",
            "Asia/Tokyo",
            "2025-03-17",
            "2025-W12",
            "2025-03-17T01:10:00+09:00",
        ),
        (
            "ny-sunday.tcx",
            "position",
            "America/New_York",
            "2025-03-16",
            "2025-W11",
            "2025-03-16T12:00:00-04:00",
        ),
        (
            "treadmill.tcx",
            "zone",
            "America/New_York",
            "2025-03-16",
            "2025-W11",
            "2025-03-16T13:00:00-04:00",
        ),
    ] {
        let a = by_name(name);
        assert_eq!(a["offset_source"], source, "{name}");
        assert_eq!(a["zone"], zone, "{name}");
        assert_eq!(a["local_date"], date, "{name}");
        assert_eq!(a["week"], week, "{name}");
        assert_eq!(a["start_local"], local, "{name}");
    }
    // The weeks: W11 holds the two New York runs, the Tokyo morning and the treadmill; W12 the
    // Tokyo Monday.
    let weeks = doc["weeks"].as_array().unwrap();
    let runs_in = |w: &str| weeks.iter().find(|x| x["week"] == w).unwrap()["runs"].clone();
    assert_eq!(runs_in("2025-W11"), 4);
    assert_eq!(runs_in("2025-W12"), 1);
}
