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
    let run = |flags: &[&str]| {
        let out = patella()
            .args(["analyse", "--tz", "America/New_York"])
            .args(flags)
            .arg(fixture("demo"))
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    // By default: the outlook, the weeks, no runs list; in a pipe, no colour.
    let text = run(&[]);
    assert!(text.starts_with("This week ("), "{text}");
    assert!(!text.contains("\nRuns\n"), "{text}");
    assert!(text.contains("\nWeeks\n"), "{text}");
    assert!(text.contains("2025-W13"), "{text}");
    assert!(text.contains("1 duplicates merged"), "{text}");
    assert!(!text.contains('\x1b'), "{text}");
    // --runs lists each run.
    let text = run(&["--runs"]);
    assert!(text.contains("\nRuns\n"), "{text}");
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

#[test]
fn impossible_thresholds_are_usage_errors_naming_the_key_and_its_range() {
    let tmp = tempfile::tempdir().unwrap();
    for (line, expected) in [
        (
            "single_run_spike_ratio = -5",
            "single_run_spike_ratio = -5 is out of range: a ratio, above 1 up to 10",
        ),
        (
            "hr_max_bpm = 0",
            "hr_max_bpm = 0 is out of range: bpm, from 120 up to 230",
        ),
        (
            "low_cadence_spm = 1e9",
            "low_cadence_spm = 1000000000 is out of range: a cadence in spm, from 100 up to 220",
        ),
        (
            "low_cadence_week_share = nan",
            "low_cadence_week_share = NaN is out of range: a share, above 0 up to 1",
        ),
        (
            "hard_pace_lookback_weeks = 9223372036854775807",
            "hard_pace_lookback_weeks = 9223372036854776000 is out of range: weeks, from 1 up to 520",
        ),
        (
            "very_low_cadence_spm = 175",
            "very_low_cadence_spm = 175 must not be above low_cadence_spm = 170",
        ),
    ] {
        let config = tmp.path().join("patella.toml");
        std::fs::write(&config, format!("[thresholds]\n{line}\n")).unwrap();
        let out = patella()
            .args(["analyse", "--tz", "UTC", "--no-store", "--config"])
            .arg(&config)
            .arg(fixture("demo"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{line}");
        assert!(out.stdout.is_empty(), "{line}: no analysis");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            err.trim_end(),
            format!("patella: config {}: {expected}", config.display()),
            "{line}"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_fifo_in_a_folder_is_skipped_not_waited_on() {
    let tmp = tempfile::tempdir().unwrap();
    let run = fixture("gpx/gpx-data-analysis-morning-run-head40.gpx");
    std::fs::copy(&run, tmp.path().join("run.gpx")).unwrap();
    let fifo = tmp.path().join("pipe.gpx");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    for store in [&["--no-store"][..], &[][..]] {
        let out = patella()
            .args(["analyse", "--json", "--tz", "UTC"])
            .args(store)
            .env("XDG_CACHE_HOME", tmp.path().join("cache"))
            .arg(tmp.path())
            .timeout(std::time::Duration::from_secs(60))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{store:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!(
                "patella: skipped {}: not a regular file (a FIFO); not read",
                fifo.display()
            )),
            "{err}"
        );
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(doc["activities"].as_array().unwrap().len(), 1);
        assert_eq!(doc["skipped"][0]["kind"], "not-regular");
    }
}

/// A zip of `copies` zips, each holding one GPX member of `mib` MiB (an XML head, then spaces):
/// the shape of a decompression bomb.
fn nested_bomb(copies: usize, mib: usize) -> Vec<u8> {
    use std::io::Write;
    let mut inner = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9))
        .large_file(true);
    inner.start_file("big.gpx", deflated).unwrap();
    inner
        .write_all(b"<?xml version=\"1.0\"?><gpx version=\"1.1\">")
        .unwrap();
    let spaces = vec![b' '; 1 << 20];
    for _ in 0..mib {
        inner.write_all(&spaces).unwrap();
    }
    let inner = inner.finish().unwrap().into_inner();
    let mut outer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for k in 0..copies {
        outer.start_file(format!("part{k:02}.zip"), stored).unwrap();
        outer.write_all(&inner).unwrap();
    }
    outer.finish().unwrap().into_inner()
}

#[test]
fn a_nested_zip_bomb_is_refused_within_its_budget() {
    let tmp = tempfile::tempdir().unwrap();
    let bomb = tmp.path().join("bomb.zip");
    std::fs::write(&bomb, nested_bomb(16, 40)).unwrap();
    let size = std::fs::metadata(&bomb).unwrap().len();
    let out = patella()
        .args(["analyse", "--json", "--tz", "UTC", "--no-store"])
        .arg(&bomb)
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "nothing readable");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let skipped = doc["skipped"].as_array().unwrap();
    let reasons: Vec<String> = skipped
        .iter()
        .map(|s| format!("{}: {}", s["source"], s["reason"]))
        .collect();
    // The budget is 100 × the archive's size; the first 40 MiB member fits in it, the second
    // uses it up, and the other fourteen are not inflated at all.
    let budget_mib = (size * 100) as f64 / (1 << 20) as f64;
    assert!(budget_mib > 40.0 && budget_mib < 80.0, "{budget_mib}");
    assert_eq!(skipped.len(), 3, "{reasons:#?}");
    assert_eq!(
        skipped[1]["source"],
        format!("{}!part01.zip!big.gpx", bomb.display())
    );
    assert_eq!(skipped[1]["kind"], "budget");
    let reason = skipped[1]["reason"].as_str().unwrap();
    assert!(
        reason.starts_with(&format!(
            "decompression budget of {budget_mib:.0} MiB for {} used up",
            bomb.display()
        )),
        "{reason}"
    );
    assert_eq!(skipped[2]["source"], bomb.display().to_string());
    assert!(
        skipped[2]["reason"]
            .as_str()
            .unwrap()
            .starts_with("14 more members not read"),
        "{reasons:#?}"
    );
}

#[test]
fn the_readme_thresholds_block_parses_and_gives_each_range_as_the_code_checks_it() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let start = readme.find("```toml\n[thresholds]").expect("the block") + "```toml\n".len();
    let block = &readme[start..start + readme[start..].find("```").unwrap()];
    let parsed = patella::cli::parse_config(block, "README.md").expect("the README's example");
    let ranges = parsed.thresholds.ranges();
    assert_eq!(ranges.len(), 42);
    for (key, value, range) in ranges {
        let line = block
            .lines()
            .find(|l| l.starts_with(&format!("{key} = ")))
            .unwrap_or_else(|| panic!("README lacks {key}"));
        let comment = line.split_once("# ").unwrap().1;
        assert!(comment.starts_with(&range.to_string()), "{key}: {comment}");
        // The example values are the defaults (hr_max_bpm has none).
        if key != "hr_max_bpm" {
            let default = patella::analysis::Thresholds::default()
                .ranges()
                .into_iter()
                .find(|(k, _, _)| *k == key)
                .unwrap()
                .1;
            assert_eq!(value, default, "{key}");
        }
    }
}

#[test]
fn the_old_name_of_the_speed_percentile_is_still_read() {
    let tmp = tempfile::tempdir().unwrap();
    for key in ["hard_speed_percentile", "hard_pace_percentile"] {
        let config = tmp.path().join("patella.toml");
        std::fs::write(&config, format!("[thresholds]\n{key} = 90.0\n")).unwrap();
        let out = patella()
            .args(["analyse", "--json", "--tz", "UTC", "--no-store", "--config"])
            .arg(&config)
            .arg(fixture("demo"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{key}");
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(doc["thresholds"]["hard_speed_percentile"], 90.0, "{key}");
    }
}

#[test]
fn a_strength_files_sets_reach_the_json_the_terminal_and_the_report() {
    use patella::model::{Sport, StrengthSets};
    use patella::synth::{simulate, to_fit, RunPlan};
    let tmp = tempfile::tempdir().unwrap();
    let runs = tmp.path().join("runs");
    std::fs::create_dir(&runs).unwrap();
    std::fs::write(runs.join("run.fit"), to_fit(&simulate(&RunPlan::default()))).unwrap();
    let mut gym = simulate(&RunPlan {
        sport: Sport::Strength,
        duration_s: 2400.0,
        start_utc: RunPlan::default().start_utc + chrono::Duration::days(1),
        ..RunPlan::default()
    });
    gym.strength = Some(StrengthSets {
        sets: 5,
        repetitions: 47,
    });
    std::fs::write(runs.join("gym.fit"), to_fit(&gym)).unwrap();

    let out = patella()
        .args(["analyse", "--json", "--no-store", "--tz", "UTC"])
        .arg(&runs)
        .output()
        .unwrap();
    assert!(out.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let acts = doc["activities"].as_array().unwrap();
    let strength: Vec<_> = acts.iter().filter(|a| a["sport"] == "strength").collect();
    assert_eq!(strength.len(), 1);
    assert_eq!(strength[0]["strength"]["sets"], 5);
    assert_eq!(strength[0]["strength"]["repetitions"], 47);
    let run: Vec<_> = acts.iter().filter(|a| a["sport"] == "running").collect();
    assert_eq!(run.len(), 1);
    assert!(run[0]["strength"].is_null());

    let out = patella()
        .args(["analyse", "--no-store", "--tz", "UTC", "--runs"])
        .arg(&runs)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("strength") && text.contains("5 sets, 47 repetitions"),
        "{text}"
    );

    let report = tmp.path().join("report");
    let out = patella()
        .args(["analyse", "--no-store", "--tz", "UTC", "--out"])
        .arg(&report)
        .arg(&runs)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(report.join("index.html")).unwrap();
    assert!(html.contains("Other training (not counted as running)"));
    assert!(html.contains("5 sets, 47 repetitions"));
}
