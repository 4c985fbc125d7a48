//! Garmin Connect exports of each shape seen in real ones, generated here (no personal data):
//! the uploads in the 2018, 2021 and 2022 folders, the summaries split over `_0_` and `_1001_`
//! files, times as floats in exponent form, walking as `sportType` `STEPS`, strength sessions
//! known by their `summarizedExerciseSets`, a manual run's `avgRunCadence`; a FIT whose clock
//! jumped mid-run joined to its manifest row once; and the files an export holds beside its
//! activities (monitoring and settings FIT, side JSON, images) counted in one line on stderr.

use std::path::Path;

use assert_cmd::Command;
use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::{json, Value};

use patella::model::Sport;
use patella::synth::{non_activity_fit, simulate, to_fit, to_fit_timed, to_gpx, zip, RunPlan};

/// Where the uploaded FIT files lie in each era's export.
#[derive(Clone, Copy, Debug)]
enum Uploads {
    /// 2018: the uploads zip inside `DI-Connect-Fitness`, beside the summaries.
    InFitness2018,
    /// 2021: `DI-Connect-Fitness-Uploaded-Files`.
    FitnessUploaded2021,
    /// 2022 on: `DI-Connect-Uploaded-Files`.
    Uploaded2022,
}

impl Uploads {
    fn zip_path(self) -> &'static str {
        match self {
            Uploads::InFitness2018 => "DI_CONNECT/DI-Connect-Fitness/UploadedFiles_0-_Part1.zip",
            Uploads::FitnessUploaded2021 => {
                "DI_CONNECT/DI-Connect-Fitness-Uploaded-Files/UploadedFiles_0-_Part1.zip"
            }
            Uploads::Uploaded2022 => {
                "DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip"
            }
        }
    }
}

fn monday() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 9, 1, 7, 0, 0).unwrap()
}

fn run_fit(start: DateTime<Utc>, km: f64, seed: u64) -> Vec<u8> {
    to_fit(&simulate(&RunPlan {
        start_utc: start,
        sport: Sport::Running,
        distance_m: km * 1000.0,
        seed,
        ..RunPlan::default()
    }))
}

/// A time as the export writes it: milliseconds, or in `exponent` form (`1.7567136E12`).
fn ms(t: DateTime<Utc>, exponent: bool) -> String {
    let ms = t.timestamp_millis();
    if exponent {
        format!("{:E}", ms as f64)
    } else {
        ms.to_string()
    }
}

/// The export's sessions: three runs with files, a walk (`STEPS`), a strength session with its
/// sets and no file, a manual run with one leg's cadence. Entries as JSON text, so that the
/// times can be written as Garmin writes them.
fn entries(exponent: bool) -> Vec<String> {
    let t = |days: i64, hours: i64| monday() + Duration::days(days) + Duration::hours(hours);
    let entry = |id: u64, start: DateTime<Utc>, extra: Value| {
        let mut v = json!({
            "activityId": id,
            "name": format!("Session {id}"),
            "beginTimestamp": "BEGIN",
            "startTimeGmt": "BEGIN",
            "startTimeLocal": "LOCAL",
        });
        for (k, x) in extra.as_object().unwrap() {
            v[k] = x.clone();
        }
        let local = start + Duration::hours(2);
        v.to_string()
            .replace("\"BEGIN\"", &ms(start, exponent))
            .replace("\"LOCAL\"", &ms(local, exponent))
    };
    vec![
        entry(
            101,
            t(0, 0),
            json!({"activityType": "running", "sportType": "RUNNING",
                   "duration": 2640000.0, "distance": 800000.0}),
        ),
        entry(
            102,
            t(2, 0),
            json!({"activityType": "running", "sportType": "RUNNING",
                   "duration": 3300000.0, "distance": 1000000.0}),
        ),
        entry(
            103,
            t(3, 10),
            json!({"activityType": {"typeKey": "other"}, "sportType": "STEPS",
                   "duration": 1800000.0, "distance": 250000.0}),
        ),
        entry(
            104,
            t(4, 11),
            json!({"activityType": "indoor_cardio", "sportType": "TRAINING",
                   "duration": 2400000.0,
                   "summarizedExerciseSets": [
                       {"category": "SQUAT", "subCategory": "BARBELL_BACK_SQUAT",
                        "reps": 30, "volume": 1500000.0, "duration": 400000.0, "sets": 3},
                       {"category": "LUNGE", "reps": 24, "sets": 2}]}),
        ),
        entry(
            105,
            t(5, 2),
            json!({"activityType": "treadmill_running", "sportType": "RUNNING",
                   "duration": 1650000.0, "distance": 500000.0,
                   "avgRunCadence": 85.0, "maxRunCadence": 92.0}),
        ),
        entry(
            106,
            t(6, 1),
            json!({"activityType": "running", "sportType": "RUNNING",
                   "duration": 1980000.0, "distance": 600000.0,
                   "avgDoubleCadence": 171.0, "avgRunCadence": 85.5}),
        ),
    ]
}

/// A Garmin export of the given shape as one zip, with `extra` files among its uploads and
/// `side` members beside its own.
fn export(
    uploads: Uploads,
    split: bool,
    exponent: bool,
    extra: &[(String, Vec<u8>)],
    side: &[(String, Vec<u8>)],
) -> Vec<u8> {
    let t = |days: i64, hours: i64| monday() + Duration::days(days) + Duration::hours(hours);
    let mut files = vec![
        ("u_9001.fit".to_string(), run_fit(t(0, 0), 8.0, 1)),
        ("u_9002.fit".to_string(), run_fit(t(2, 0), 10.0, 2)),
        ("u_9003.fit".to_string(), run_fit(t(6, 1), 6.0, 3)),
    ];
    files.extend(extra.iter().cloned());
    let doc = |rows: &[String]| {
        format!(
            "[{{\"summarizedActivitiesExport\": [{}]}}]",
            rows.join(",\n")
        )
        .into_bytes()
    };
    let rows = entries(exponent);
    let fitness = "DI_CONNECT/DI-Connect-Fitness";
    let mut members = if split {
        vec![
            (
                format!("{fitness}/runner@example.com_0_summarizedActivities.json"),
                doc(&rows[..3]),
            ),
            (
                format!("{fitness}/runner@example.com_1001_summarizedActivities.json"),
                doc(&rows[3..]),
            ),
        ]
    } else {
        vec![(
            format!("{fitness}/runner@example.com_0_summarizedActivities.json"),
            doc(&rows),
        )]
    };
    members.push((uploads.zip_path().to_string(), zip(&files).unwrap()));
    members.extend(side.iter().cloned());
    zip(&members).unwrap()
}

fn analyse(path: &Path, extra: &[&str]) -> (Value, String) {
    let out = Command::cargo_bin("patella")
        .unwrap()
        .args(["analyse", "--json", "--tz", "UTC", "--no-store"])
        .args(extra)
        .arg(path)
        .env("TZ", "UTC")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    (serde_json::from_slice(&out.stdout).unwrap(), stderr)
}

/// (name, sport, origin, start_utc) of every activity, in start order.
fn sessions(doc: &Value) -> Vec<(String, String, String, String)> {
    let mut out: Vec<_> = doc["activities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["name"].as_str().unwrap_or("").to_string(),
                a["sport"].as_str().unwrap().to_string(),
                a["origin"].as_str().unwrap().to_string(),
                a["start_utc"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort_by(|x, y| x.3.cmp(&y.3));
    out
}

fn activity<'a>(doc: &'a Value, name: &str) -> &'a Value {
    doc["activities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == name)
        .unwrap_or_else(|| panic!("no activity named {name}"))
}

#[test]
fn every_shape_of_export_counts_each_session_once() {
    let dir = tempfile::tempdir().unwrap();
    let shapes = [
        (Uploads::InFitness2018, false, false),
        (Uploads::FitnessUploaded2021, false, true),
        (Uploads::Uploaded2022, true, false),
        (Uploads::Uploaded2022, true, true),
    ];
    for (k, (uploads, split, exponent)) in shapes.into_iter().enumerate() {
        let what = format!("{uploads:?}, split {split}, exponent {exponent}");
        let path = dir.path().join(format!("garmin-{k}.zip"));
        std::fs::write(&path, export(uploads, split, exponent, &[], &[])).unwrap();
        let (doc, stderr) = analyse(&path, &[]);
        let got = sessions(&doc);
        let want: Vec<(String, String, String, String)> = [
            ("Session 101", "running", "file", "2025-09-01T07:00:00Z"),
            ("Session 102", "running", "file", "2025-09-03T07:00:00Z"),
            (
                "Session 103",
                "walking",
                "garmin-json",
                "2025-09-04T17:00:00Z",
            ),
            (
                "Session 104",
                "strength",
                "garmin-json",
                "2025-09-05T18:00:00Z",
            ),
            (
                "Session 105",
                "running",
                "garmin-json",
                "2025-09-06T09:00:00Z",
            ),
            ("Session 106", "running", "file", "2025-09-07T08:00:00Z"),
        ]
        .iter()
        .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
        .collect();
        assert_eq!(got, want, "{what}\n{stderr}");
        // The sets and repetitions of the strength session, without a FIT file.
        let gym = activity(&doc, "Session 104");
        assert_eq!(
            gym["strength"],
            json!({"sets": 5, "repetitions": 54}),
            "{what}"
        );
        // One leg's cadence doubled; both legs' taken as they are.
        let manual = activity(&doc, "Session 105");
        assert_eq!(manual["device"]["cadence_spm"], json!(170.0), "{what}");
        // A manifest-only session's local time from startTimeLocal, two hours east.
        assert_eq!(
            activity(&doc, "Session 103")["start_local"],
            "2025-09-04T19:00:00+02:00",
            "{what}"
        );
        let week = &doc["weeks"][0];
        assert_eq!(week["runs"], 4, "{what}");
        assert_eq!(week["strength_sessions"], 1, "{what}");
        assert!(
            (week["run_km"].as_f64().unwrap() - 29.0).abs() < 0.05,
            "{what}: {week}"
        );
        assert!(
            !stderr.contains("unknown activity type"),
            "{what}: {stderr}"
        );
    }
}

/// A run whose records jump `jump` ahead after `at` of them, as a watch that set its clock
/// mid-run writes it: a FIT whose session starts by the earlier clock (and times the run
/// itself), or a GPX (`gpx`), which has no session to say which clock is right.
fn jumped_file(start: DateTime<Utc>, jump: Duration, at: usize, gpx: bool) -> (String, Vec<u8>) {
    let mut a = simulate(&RunPlan {
        start_utc: start,
        sport: Sport::Running,
        distance_m: 8000.0,
        seed: 7,
        ..RunPlan::default()
    });
    let run_s = *a.samples.t_s.last().unwrap();
    for t in &mut a.samples.t_s[at..] {
        *t += jump.num_seconds() as f64;
    }
    if gpx {
        ("u_1.gpx".into(), to_gpx(&a).into_bytes())
    } else {
        ("u_1.fit".into(), to_fit_timed(&a, Some(run_s)))
    }
}

#[test]
fn a_file_whose_clock_jumped_mid_run_joins_its_manifest_row_once() {
    let dir = tempfile::tempdir().unwrap();
    let start = monday();
    let jump = Duration::seconds(120_960); // 1.4 days
    for gpx in [false, true] {
        let file = jumped_file(start, jump, 600, gpx);
        let row = format!(
            "[{{\"summarizedActivitiesExport\": [{{\"activityId\": 501, \"name\": \"Jumped\", \
             \"activityType\": \"running\", \"beginTimestamp\": {0}, \"startTimeGmt\": {0}, \
             \"startTimeLocal\": {0}, \"duration\": {1}, \"distance\": 800000.0}}]}}]",
            start.timestamp_millis(),
            // The simulated run's time, as the manifest gives it.
            {
                let a = simulate(&RunPlan {
                    start_utc: start,
                    distance_m: 8000.0,
                    seed: 7,
                    ..RunPlan::default()
                });
                a.samples.t_s.last().unwrap() * 1000.0
            }
        );
        let path = dir.path().join(format!("jumped-{gpx}.zip"));
        let uploads = zip(&[file]).unwrap();
        std::fs::write(
            &path,
            zip(&[
                (
                    "DI_CONNECT/DI-Connect-Fitness/r@example.com_0_summarizedActivities.json"
                        .to_string(),
                    row.into_bytes(),
                ),
                (Uploads::Uploaded2022.zip_path().to_string(), uploads),
            ])
            .unwrap(),
        )
        .unwrap();
        let (doc, stderr) = analyse(&path, &[]);
        let got = sessions(&doc);
        assert_eq!(
            got,
            [(
                "Jumped".to_string(),
                "running".to_string(),
                "file".to_string(),
                "2025-09-01T07:00:00Z".to_string()
            )],
            "gpx: {gpx}\n{stderr}"
        );
        let a = &doc["activities"][0];
        assert!(
            (a["distance_m"].as_f64().unwrap() - 8000.0).abs() < 80.0,
            "{a}"
        );
        assert!(a["duration_s"].as_f64().unwrap() < 4000.0, "{a}");
        assert_eq!(doc["weeks"].as_array().unwrap().len(), 1);
        assert_eq!(doc["weeks"][0]["runs"], 1, "{stderr}");
        let warnings = a["warnings"].to_string();
        assert!(warnings.contains("the clock jumped"), "{warnings}");
        // The GPX, dated by the later clock, takes the manifest's start, and says so.
        assert_eq!(
            warnings.contains("the manifest's start is kept"),
            gpx,
            "{warnings}"
        );
    }
}

#[test]
fn files_an_export_holds_beside_its_activities_are_counted_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let at = monday();
    let mut extra: Vec<(String, Vec<u8>)> = Vec::new();
    // 12 monitoring files of two kinds, 2 settings files.
    for i in 0..12u8 {
        let kind = if i < 9 { 32 } else { 28 };
        extra.push((format!("u_m{i}.fit"), non_activity_fit(kind, at)));
    }
    for i in 0..2 {
        extra.push((format!("u_s{i}.fit"), non_activity_fit(2, at)));
    }
    // Unexpected: a file named .fit that is not FIT, and a document.
    extra.push((
        "u_broken.fit".into(),
        b"this is not a FIT file at all".to_vec(),
    ));
    extra.push(("notes.docx".into(), b"meeting notes".to_vec()));
    // The export's own side files beside the summaries: personal records, an image.
    let side = [
        (
            "DI_CONNECT/DI-Connect-Fitness/runner@example.com_personalRecord.json".to_string(),
            b"[{\"personalRecords\": []}]".to_vec(),
        ),
        (
            "DI_CONNECT/DI-Connect-Aggregator/UDSFile_2025-09-01_2025-12-01.json".to_string(),
            b"[{\"calendarDate\": \"2025-09-01\"}]".to_vec(),
        ),
        (
            "DI_CONNECT/DI-Connect-User/profile.jpg".to_string(),
            vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 0],
        ),
    ];
    let bytes = export(Uploads::Uploaded2022, false, false, &extra, &side);
    let path = dir.path().join("export.zip");
    std::fs::write(&path, bytes).unwrap();

    let (doc, stderr) = analyse(&path, &[]);
    let lines: Vec<&str> = stderr.lines().collect();
    let skipped: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| l.starts_with("patella: skipped"))
        .collect();
    // The two unexpected files keep their own lines; the 17 known side files one line.
    assert_eq!(skipped.len(), 2, "{stderr}");
    assert!(
        skipped.iter().any(|l| l.contains("u_broken.fit")),
        "{stderr}"
    );
    assert!(skipped.iter().any(|l| l.contains("notes.docx")), "{stderr}");
    assert!(
        lines.contains(
            &"patella: 12 monitoring files and 5 other export files passed over: --all lists them"
        ),
        "{stderr}"
    );
    // The JSON keeps every skip.
    assert_eq!(
        doc["skipped"].as_array().unwrap().len(),
        19,
        "{}",
        doc["skipped"]
    );
    assert_eq!(doc["weeks"][0]["runs"], 4);

    // With --all, every file has its line.
    let (_, stderr) = analyse(&path, &["--all"]);
    let skipped = stderr
        .lines()
        .filter(|l| l.starts_with("patella: skipped"))
        .count();
    assert_eq!(skipped, 19, "{stderr}");
    assert!(!stderr.contains("passed over"), "{stderr}");
}
