//! Issue 25, "Trust, second round", run through the binary: the CSV tables show a manifest's
//! names as the terminal does while the Parquet tables keep them as read.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use polars::prelude::{ParquetReader, SerReader};

fn patella() -> Command {
    let mut cmd = Command::cargo_bin("patella").unwrap();
    cmd.env("TZ", "UTC");
    cmd
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
