//! The tables of the report: runs, weeks and findings as CSV and as typed Parquet, each agreeing
//! with the JSON of the same run.

use std::path::Path;

use assert_cmd::Command;
use polars::prelude::*;
use serde_json::Value;

/// Writes the demo report into `out` and returns the JSON of the same run.
fn report(out: &Path) -> Value {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo");
    let result = Command::cargo_bin("patella")
        .unwrap()
        .args([
            "analyse",
            "--json",
            "--tz",
            "America/New_York",
            "--no-store",
        ])
        .args(["--athlete", "Ada", "--out"])
        .arg(out)
        .arg(demo)
        .output()
        .unwrap();
    assert!(result.status.success(), "{result:?}");
    serde_json::from_slice(&result.stdout).unwrap()
}

fn parquet(out: &Path, name: &str) -> DataFrame {
    let file = std::fs::File::open(out.join(name)).unwrap();
    ParquetReader::new(file).finish().unwrap()
}

fn csv_rows(out: &Path, name: &str) -> (Vec<String>, Vec<csv::StringRecord>) {
    let mut r = csv::Reader::from_path(out.join(name)).unwrap();
    let header = r.headers().unwrap().iter().map(String::from).collect();
    (header, r.records().map(|x| x.unwrap()).collect())
}

#[test]
fn every_table_is_written_as_csv_and_typed_parquet_agreeing_with_the_json() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("r");
    let doc = report(&out);
    let utc = DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC));

    // Runs: the counted ones, in the JSON's order.
    let runs: Vec<&Value> = doc["activities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["sport"] == "running" && a["duplicate_of"].is_null())
        .collect();
    let df = parquet(&out, "runs.parquet");
    let (header, rows) = csv_rows(&out, "runs.csv");
    assert_eq!(df.height(), runs.len());
    assert_eq!(rows.len(), runs.len());
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    assert_eq!(names, header, "CSV and Parquet have the same columns");
    assert_eq!(df.column("start_utc").unwrap().dtype(), &utc);
    assert_eq!(
        df.column("start_local").unwrap().dtype(),
        &DataType::Datetime(TimeUnit::Microseconds, None)
    );
    assert_eq!(df.column("local_date").unwrap().dtype(), &DataType::Date);
    assert_eq!(df.column("hard").unwrap().dtype(), &DataType::Boolean);
    let start = df
        .column("start_utc")
        .unwrap()
        .datetime()
        .unwrap()
        .physical()
        .clone();
    let local_day = df
        .column("local_date")
        .unwrap()
        .date()
        .unwrap()
        .physical()
        .clone();
    let km = df.column("distance_km").unwrap().f64().unwrap().clone();
    for (i, run) in runs.iter().enumerate() {
        let json_start = chrono::DateTime::parse_from_rfc3339(run["start_utc"].as_str().unwrap())
            .unwrap()
            .timestamp_micros();
        assert_eq!(start.get(i), Some(json_start));
        let day =
            chrono::NaiveDate::parse_from_str(run["local_date"].as_str().unwrap(), "%Y-%m-%d")
                .unwrap();
        let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
        assert_eq!(local_day.get(i), Some((day - epoch).num_days() as i32));
        assert!((km.get(i).unwrap() - run["distance_m"].as_f64().unwrap() / 1000.0).abs() < 1e-9);
        assert_eq!(&rows[i][0], "Ada");
        assert_eq!(&rows[i][1], run["id"].as_str().unwrap());
    }

    // Weeks.
    let weeks = doc["weeks"].as_array().unwrap();
    let df = parquet(&out, "weeks.parquet");
    let (_, rows) = csv_rows(&out, "weeks.csv");
    assert_eq!(df.height(), weeks.len());
    assert_eq!(rows.len(), weeks.len());
    assert_eq!(df.column("start").unwrap().dtype(), &DataType::Date);
    assert_eq!(df.column("complete").unwrap().dtype(), &DataType::Boolean);
    assert_eq!(df.column("runs").unwrap().dtype(), &DataType::Int64);
    let complete = df.column("complete").unwrap().bool().unwrap().clone();
    let runs_col = df.column("runs").unwrap().i64().unwrap().clone();
    for (i, w) in weeks.iter().enumerate() {
        assert_eq!(complete.get(i), w["complete"].as_bool());
        assert_eq!(runs_col.get(i), w["runs"].as_i64());
    }

    // Findings.
    let findings = doc["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    let df = parquet(&out, "findings.parquet");
    let (header, rows) = csv_rows(&out, "findings.csv");
    assert_eq!(df.height(), findings.len());
    assert_eq!(rows.len(), findings.len());
    assert_eq!(df.column("date").unwrap().dtype(), &DataType::Date);
    let codes = df.column("code").unwrap().str().unwrap().clone();
    let kinds = df.column("kind").unwrap().str().unwrap().clone();
    let since = df.column("since").unwrap().cast(&DataType::String).unwrap();
    let since = since.str().unwrap().clone();
    let values = df.column("value").unwrap().f64().unwrap().clone();
    let kind_at = header.iter().position(|h| h == "kind").unwrap();
    // The block has both kinds, and a habit has the day it set in.
    assert!(findings.iter().any(|f| f["kind"] == "event"));
    assert!(findings
        .iter()
        .any(|f| f["kind"] == "habit" && f["since"].is_string()));
    for (i, f) in findings.iter().enumerate() {
        assert_eq!(codes.get(i), f["code"].as_str());
        assert_eq!(kinds.get(i), f["kind"].as_str());
        assert_eq!(rows[i].get(kind_at), f["kind"].as_str());
        assert_eq!(since.get(i), f["since"].as_str());
        // serde_json's default parser may land one unit in the last place off the shortest
        // round-trip text it reads (its `float_roundtrip` feature is off): equal to 1e-12.
        match (values.get(i), f["value"].as_f64()) {
            (Some(parquet), Some(json)) => assert!(
                (parquet - json).abs() <= 1e-12 * json.abs().max(1.0),
                "{parquet} != {json}"
            ),
            (parquet, json) => assert_eq!(parquet, json),
        }
    }
}
