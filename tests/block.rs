//! A generated eight-week block in all three formats (some gzipped, some in a zip inside a zip,
//! one run exported twice, one late-evening run whose UTC date is the next day), analysed by the
//! binary: every local week's running kilometres must come out as planned.

use std::collections::BTreeMap;
use std::path::Path;

use assert_cmd::Command;
use chrono::{Datelike, Days, NaiveDate};
use serde_json::Value;

use patella::model::Sport;
use patella::synth::{demo_block, demo_manifest};

fn write_block(dir: &Path) {
    for (name, bytes) in demo_block().unwrap() {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
}

fn listing(dir: &Path) -> Vec<(String, u64)> {
    let mut out: Vec<(String, u64)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                e.metadata().unwrap().len(),
            )
        })
        .collect();
    out.sort();
    out
}

fn monday(d: NaiveDate) -> NaiveDate {
    d - Days::new(d.weekday().num_days_from_monday() as u64)
}

#[test]
fn weekly_running_km_of_a_generated_block() {
    let tmp = tempfile::tempdir().unwrap();
    write_block(tmp.path());
    let before = listing(tmp.path());

    let out = Command::cargo_bin("patella")
        .unwrap()
        .args(["analyse", "--json", "--tz", "America/New_York"])
        .arg(tmp.path())
        .env("TZ", "Asia/Tokyo") // the machine's zone must not matter
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["schema"], "patella/1");
    assert_eq!(doc["skipped"].as_array().unwrap().len(), 0);

    // Expected: planned distance of every counted run, by the local Monday of its start.
    let mut expected: BTreeMap<NaiveDate, f64> = BTreeMap::new();
    for run in demo_manifest() {
        if run.duplicate || run.plan.sport != Sport::Running {
            continue;
        }
        *expected.entry(monday(run.local_date)).or_default() += run.plan.distance_m / 1000.0;
    }
    let weeks = doc["weeks"].as_array().unwrap();
    assert_eq!(weeks.len(), expected.len(), "{weeks:#?}");
    for (w, (start, km)) in weeks.iter().zip(&expected) {
        assert_eq!(w["start"], start.to_string());
        let got = w["run_km"].as_f64().unwrap();
        // FIT and TCX carry the watch's total; GPX distance is computed from the jittered
        // track, which the generator puts within 0.5 % of the plan.
        assert!(
            (got - km).abs() <= 0.005 * km + 0.05,
            "week {}: {got} km, planned {km} km",
            w["week"]
        );
    }

    let acts = doc["activities"].as_array().unwrap();
    // The run exported twice counts once.
    let dups: Vec<&Value> = acts
        .iter()
        .filter(|a| !a["duplicate_of"].is_null())
        .collect();
    assert_eq!(dups.len(), 1);
    assert_eq!(dups[0]["format"], "gpx");
    let kept = dups[0]["duplicate_of"].as_str().unwrap();
    assert!(acts.iter().any(|a| a["id"] == kept && a["format"] == "fit"));

    // The late-evening run: its UTC date is the next day, its local date is not.
    let late = demo_manifest()
        .into_iter()
        .find(|r| r.plan.start_utc.date_naive() != r.local_date)
        .expect("the block has a run whose UTC date differs from its local date");
    let a = acts
        .iter()
        .find(|a| {
            a["start_utc"]
                .as_str()
                .unwrap()
                .starts_with(&late.plan.start_utc.format("%Y-%m-%dT%H:%M").to_string())
        })
        .unwrap();
    assert_eq!(a["local_date"], late.local_date.to_string());

    // Members of the nested zip are named through both archives.
    assert!(acts
        .iter()
        .any(|a| a["source"].as_str().unwrap().matches(".zip!").count() == 2));
    // Every format and a gzipped file were read.
    for f in ["fit", "gpx", "tcx"] {
        assert!(acts.iter().any(|a| a["format"] == f), "no {f}");
    }
    assert!(acts
        .iter()
        .any(|a| a["source"].as_str().unwrap().ends_with(".gpx.gz")));

    // patella never writes into the folders it reads.
    assert_eq!(listing(tmp.path()), before);
}

#[test]
fn weeks_can_start_on_sunday() {
    let tmp = tempfile::tempdir().unwrap();
    write_block(tmp.path());
    let out = Command::cargo_bin("patella")
        .unwrap()
        .args([
            "analyse",
            "--json",
            "--tz",
            "America/New_York",
            "--week-start",
            "sun",
        ])
        .arg(tmp.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut expected: BTreeMap<NaiveDate, f64> = BTreeMap::new();
    for run in demo_manifest() {
        if run.duplicate || run.plan.sport != Sport::Running {
            continue;
        }
        let d = run.local_date;
        let sunday = d - Days::new(d.weekday().num_days_from_sunday() as u64);
        *expected.entry(sunday).or_default() += run.plan.distance_m / 1000.0;
    }
    let weeks = doc["weeks"].as_array().unwrap();
    let got: Vec<String> = weeks
        .iter()
        .map(|w| w["start"].as_str().unwrap().to_string())
        .collect();
    let want: Vec<String> = expected.keys().map(|d| d.to_string()).collect();
    assert_eq!(got, want);
    for w in weeks {
        let start: NaiveDate = w["start"].as_str().unwrap().parse().unwrap();
        assert_eq!(start.weekday(), chrono::Weekday::Sun);
        let km = expected[&start];
        assert!((w["run_km"].as_f64().unwrap() - km).abs() <= 0.005 * km + 0.05);
    }
}
