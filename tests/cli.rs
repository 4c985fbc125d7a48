//! The command line: exit statuses, messages, and results that do not depend on the machine.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
}

fn patella() -> Command {
    Command::cargo_bin("patella").unwrap()
}

#[test]
fn nothing_readable_exits_2() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("notes.csv"), "a,b\n").unwrap();
    let out = patella()
        .args(["analyse", "--tz", "UTC"])
        .arg(tmp.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("notes.csv: not an activity file"), "{err}");
    assert!(err.contains("no readable activity"), "{err}");
}

#[test]
fn unknown_zone_is_a_usage_error() {
    let out = patella()
        .args(["analyse", "--tz", "Mars/Olympus_Mons"])
        .arg(fixture("gpx"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unknown time zone 'Mars/Olympus_Mons'"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn a_broken_file_is_listed_and_the_batch_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    for name in [
        "gpx/gpx-data-analysis-morning-run-head40.gpx",
        "gpx/made-truncated-in-first-point.gpx",
    ] {
        let src = fixture(name);
        std::fs::copy(&src, tmp.path().join(src.file_name().unwrap())).unwrap();
    }
    std::fs::write(tmp.path().join("garbage.fit"), b"not a fit file at all").unwrap();
    let out = patella()
        .args(["analyse", "--json", "--tz", "UTC"])
        .arg(tmp.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["activities"].as_array().unwrap().len(), 1);
    let skipped = doc["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 2, "{skipped:?}");
    for s in skipped {
        assert!(!s["reason"].as_str().unwrap().is_empty());
    }
    assert!(skipped
        .iter()
        .any(|s| s["source"].as_str().unwrap().ends_with("garbage.fit")));
}

#[test]
fn results_do_not_depend_on_the_machine_zone() {
    let tmp = tempfile::tempdir().unwrap();
    let block = patella::synth::demo_block().unwrap();
    for (name, bytes) in block.iter().filter(|(n, _)| !n.ends_with(".zip")).take(6) {
        std::fs::write(tmp.path().join(name), bytes).unwrap();
    }
    let run = |tz: &str| {
        let out = patella()
            .args(["analyse", "--json", "--tz", "Europe/Berlin"])
            .arg(tmp.path())
            .env("TZ", tz)
            .output()
            .unwrap();
        assert!(out.status.success());
        out.stdout
    };
    let utc = run("UTC");
    assert_eq!(utc, run("America/Los_Angeles"));
    assert_eq!(utc, run("Asia/Kathmandu"));
}

#[test]
fn inspect_shows_rules_and_both_values() {
    let out = patella()
        .args(["inspect", "--tz", "UTC"])
        .arg(fixture("tcx/python-tcxparser-test-first-lap.tcx"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("format tcx"), "{text}");
    assert!(text.contains("cadence rule"), "{text}");
    assert!(
        text.contains("computed") && text.contains("device"),
        "{text}"
    );
}

#[test]
fn terminal_summary_lists_runs_and_weeks() {
    let out = patella()
        .args(["analyse", "--tz", "America/New_York"])
        .arg(fixture("demo"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("\nRuns\n"), "{text}");
    assert!(text.contains("\nWeeks\n"), "{text}");
    assert!(text.contains("2025-W13"), "{text}");
    assert!(text.contains("1 duplicates merged"), "{text}");
}

#[test]
fn config_file_sets_thresholds_and_rejects_unknown_keys() {
    let tmp = tempfile::tempdir().unwrap();
    let good = tmp.path().join("patella.toml");
    // The demo's 19 km long run is 19 % longer than the 16 km before it: a spike by default,
    // not with a 25 % threshold.
    std::fs::write(
        &good,
        "[thresholds]\nsingle_run_spike_ratio = 1.25\nhr_max_bpm = 185\n",
    )
    .unwrap();
    let run = |config: Option<&Path>| {
        let mut cmd = patella();
        cmd.args(["analyse", "--json", "--tz", "America/New_York"])
            .arg(fixture("demo"));
        if let Some(c) = config {
            cmd.arg("--config").arg(c);
        }
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let spikes = |doc: &serde_json::Value| {
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "single-run-spike" && f["date"] == "2025-04-20")
            .count()
    };
    assert_eq!(spikes(&run(None)), 1);
    let configured = run(Some(&good));
    assert_eq!(spikes(&configured), 0);
    assert_eq!(configured["hr_max_bpm"], 185.0);
    assert_eq!(configured["hr_max_source"], "config");

    let bad = tmp.path().join("bad.toml");
    std::fs::write(&bad, "[thresholds]\nsingle_run_spike_ratoi = 1.25\n").unwrap();
    let out = patella()
        .args(["analyse", "--tz", "UTC", "--config"])
        .arg(&bad)
        .arg(fixture("demo"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("single_run_spike_ratoi"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn the_result_does_not_depend_on_the_thread_count() {
    let run = |threads: &str| {
        let out = patella()
            .args(["analyse", "--json", "--tz", "America/New_York"])
            .arg(fixture("demo"))
            .arg(fixture("gpx"))
            .arg(fixture("fit"))
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .unwrap();
        assert!(out.status.success());
        out.stdout
    };
    let one = run("1");
    assert_eq!(one, run("2"));
    assert_eq!(one, run("7"));
}
