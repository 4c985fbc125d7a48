//! Issue 25, "Trust, second round", run through the binary on hostile input: inspect keeps stdout
//! for what it read, the CSV tables show a manifest's names as the terminal does while the Parquet
//! tables keep them as read, and impossible manifest totals are left out with a warning.

use std::io::Write;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use polars::prelude::{ParquetReader, SerReader};
use serde_json::Value;

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
}

fn patella() -> Command {
    let mut cmd = Command::cargo_bin("patella").unwrap();
    cmd.env("TZ", "UTC");
    cmd
}

/// A zip holding a GPX run, a file that is not FIT, and a note.
fn mixed_zip(path: &Path) {
    let mut z = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let opts = zip::write::SimpleFileOptions::default();
    z.start_file("run.gpx", opts).unwrap();
    z.write_all(&std::fs::read(fixture("gpx/gpx-data-analysis-morning-run-head40.gpx")).unwrap())
        .unwrap();
    z.start_file("broken.fit", opts).unwrap();
    z.write_all(b"not a fit file").unwrap();
    z.start_file("notes.txt", opts).unwrap();
    z.write_all(b"hello").unwrap();
    z.finish().unwrap();
}

#[test]
fn inspect_says_what_it_skipped_on_stderr_and_keeps_stdout_for_what_it_read() {
    let tmp = tempfile::tempdir().unwrap();
    let zip = tmp.path().join("mixed.zip");
    mixed_zip(&zip);
    let z = zip.display();
    let skips = format!(
        "patella: skipped {z}!broken.fit: not a FIT file (no .FIT signature in the header)\n\
         patella: skipped {z}!notes.txt: not an activity file: a .txt file\n"
    );

    let out = patella()
        .args(["inspect", "--tz", "UTC"])
        .arg(&zip)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(String::from_utf8(out.stderr).unwrap(), skips);
    assert!(
        stdout.starts_with(&format!("{z}!run.gpx (session 0)\n")),
        "{stdout}"
    );
    assert!(!stdout.contains("skipped"), "{stdout}");
    assert!(
        !stdout.contains("broken.fit") && !stdout.contains("notes.txt"),
        "{stdout}"
    );

    // --json: the document keeps its `skipped` (it is data), the messages are the same.
    let out = patella()
        .args(["inspect", "--json", "--tz", "UTC"])
        .arg(&zip)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8(out.stderr).unwrap(), skips);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let skipped: Vec<&str> = doc["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["source"].as_str().unwrap())
        .collect();
    assert_eq!(
        skipped,
        [format!("{z}!broken.fit"), format!("{z}!notes.txt")]
    );
    assert_eq!(doc["activities"].as_array().unwrap().len(), 1);
}

#[test]
fn inspect_of_a_file_it_skips_prints_nothing_on_stdout() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("garbage\u{1b}[31m.fit");
    std::fs::write(&file, b"not a fit file at all").unwrap();
    let out = patella()
        .args(["inspect", "--tz", "UTC"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(out.stdout, b"");
    // One line, the file's name sanitised for the terminal.
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        format!(
            "patella: skipped {}/garbage?[31m.fit: not a FIT file (no .FIT signature in the \
             header)\n",
            tmp.path().display()
        )
    );
}

/// A Strava `activities.csv` of three runs only the manifest knows, with `names` and `gear`.
fn strava_csv(dir: &Path, names: [&str; 3], gear: [&str; 3]) -> PathBuf {
    let mut w = csv::Writer::from_path(dir.join("activities.csv")).unwrap();
    w.write_record([
        "Activity ID",
        "Activity Date",
        "Activity Name",
        "Activity Type",
        "Elapsed Time",
        "Distance",
        "Activity Gear",
        "Filename",
        "Elapsed Time",
        "Moving Time",
        "Distance",
    ])
    .unwrap();
    for (i, (name, gear)) in names.iter().zip(gear).enumerate() {
        let day = format!("Sep {}, 2025, 7:00:00 AM", i + 1);
        let id = (i + 1).to_string();
        w.write_record([
            id.as_str(),
            &day,
            name,
            "Run",
            "2700",
            "8",
            gear,
            "",
            "2700",
            "2700",
            "8000",
        ])
        .unwrap();
    }
    w.flush().unwrap();
    dir.join("activities.csv")
}

#[test]
fn csv_tables_show_names_as_the_terminal_does_and_parquet_keeps_them() {
    let tmp = tempfile::tempdir().unwrap();
    let export = tmp.path().join("export");
    std::fs::create_dir(&export).unwrap();
    let names = [
        "\u{1b}]8;;https://evil.test\u{1b}\\Easy\u{1b}]8;;\u{1b}\\",
        "Tempo \u{202e}nur\u{202c} \u{7}",
        "=HYPERLINK(\"https://evil.test\",\"Long\")",
    ];
    let gear = ["\u{1b}[2JPegasus", "-1+1", "Speed \u{2067}3\u{2069}"];
    strava_csv(&export, names, gear);
    let out_dir = tmp.path().join("report");
    let out = patella()
        .args([
            "analyse",
            "--tz",
            "UTC",
            "--no-store",
            "--as-of",
            "2025-09-08",
        ])
        .args(["--athlete", "@Ada", "--out"])
        .arg(&out_dir)
        .arg(&export)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let mut r = csv::Reader::from_path(out_dir.join("runs.csv")).unwrap();
    let header = r.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    let cells =
        |name: &str| -> Vec<String> { rows.iter().map(|row| row[col(name)].to_string()).collect() };
    assert_eq!(
        cells("name"),
        [
            "?]8;;https://evil.test?\\Easy?]8;;?\\",
            "Tempo ?nur? ?",
            "'=HYPERLINK(\"https://evil.test\",\"Long\")",
        ]
    );
    assert_eq!(cells("gear"), ["?[2JPegasus", "'-1+1", "Speed ?3?"]);
    assert_eq!(cells("athlete"), ["'@Ada", "'@Ada", "'@Ada"]);
    let bytes = std::fs::read(out_dir.join("runs.csv")).unwrap();
    for bad in [
        "\u{1b}", "\u{7}", "\u{202e}", "\u{202c}", "\u{2067}", "\u{2069}",
    ] {
        assert!(
            !String::from_utf8_lossy(&bytes).contains(bad),
            "{bad:?} in runs.csv"
        );
    }

    // Parquet: the names and gear as the manifest holds them.
    let file = std::fs::File::open(out_dir.join("runs.parquet")).unwrap();
    let df = ParquetReader::new(file).finish().unwrap();
    let column = |name: &str| -> Vec<String> {
        let c = df.column(name).unwrap().str().unwrap();
        (0..df.height())
            .map(|i| c.get(i).unwrap().to_string())
            .collect()
    };
    assert_eq!(column("name"), names);
    assert_eq!(column("gear"), gear);
    assert_eq!(column("athlete"), ["@Ada", "@Ada", "@Ada"]);
}

#[test]
fn a_garmin_distance_of_1e308_cm_is_left_out_with_a_warning_naming_the_row() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("garmin/DI_CONNECT/DI-Connect-Fitness");
    std::fs::create_dir_all(&dir).unwrap();
    let manifest = dir.join("me_0_summarizedActivities.json");
    std::fs::write(
        &manifest,
        r#"[{"summarizedActivitiesExport": [
            {"activityId": 1, "name": "Huge", "activityType": "running",
             "beginTimestamp": 1756800000000, "duration": 3000000, "distance": 1e308},
            {"activityId": 2, "name": "Ten", "activityType": "running",
             "beginTimestamp": 1756890000000, "duration": 3000000, "distance": 1000000},
            {"activityId": 3, "name": "Nothing", "activityType": "running",
             "beginTimestamp": 1756980000000, "duration": -5, "distance": 1e308}
        ]}]"#,
    )
    .unwrap();
    let out = patella()
        .args([
            "analyse",
            "--json",
            "--tz",
            "UTC",
            "--no-store",
            "--as-of",
            "2025-09-08",
        ])
        .arg(tmp.path().join("garmin"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let m = manifest.display();
    let acts = doc["activities"].as_array().unwrap();
    let names: Vec<&str> = acts.iter().map(|a| a["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Huge", "Ten"]);
    assert_eq!(
        acts[0]["warnings"],
        serde_json::json!([format!(
            "{m} row 1 (activity 1): distance 1e306 m lies outside 0–10,000 km, left out"
        )])
    );
    assert_eq!(acts[0]["distance_m"], 0.0);
    assert_eq!(acts[0]["duration_s"], 3000.0);
    // The week holds the 10 km run, and nothing of the broken value.
    let weeks = doc["weeks"].as_array().unwrap();
    assert_eq!(weeks.len(), 1);
    assert_eq!(weeks[0]["run_km"], 10.0);
    assert_eq!(weeks[0]["runs"], 2);
    // The row with nothing possible is listed as skipped.
    assert_eq!(
        doc["skipped"],
        serde_json::json!([{
            "source": format!("{m} row 3 (activity 3)"),
            "reason": "manifest row not counted: distance 1e306 m lies outside 0–10,000 km; \
                       elapsed time -0.005 s lies outside 0–100 days; moving time -0.005 s lies \
                       outside 0–100 days",
            "kind": "invalid"
        }])
    );
}
