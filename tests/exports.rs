//! Whole bulk exports, shaped as Strava and Garmin Connect deliver them (`patella::synth`): a
//! Strava zip (and the same unpacked), a Garmin zip with a zip inside it, and both at once, two
//! of their weeks overlapping. Every week's kilometres and strength sessions, the names, and
//! `strength-gap` only where a week had fewer than two sessions.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn write_exports(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let strava = dir.join("export_12345.zip");
    std::fs::write(&strava, patella::synth::strava_export().unwrap()).unwrap();
    let garmin = dir.join("garmin-connect.zip");
    std::fs::write(&garmin, patella::synth::garmin_export().unwrap()).unwrap();
    let unpacked = dir.join("export_12345");
    for (name, bytes) in patella::synth::strava_members() {
        let p = unpacked.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    (strava, garmin, unpacked)
}

fn analyse(paths: &[&Path], store: Option<&Path>) -> (Value, String, String) {
    let mut cmd = Command::cargo_bin("patella").unwrap();
    cmd.args(["analyse", "--json", "--tz", "UTC"]);
    match store {
        Some(s) => cmd.arg("--store").arg(s),
        None => cmd.arg("--no-store"),
    };
    let out = cmd.args(paths).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    (serde_json::from_str(&stdout).unwrap(), stdout, stderr)
}

/// (week, run km, strength sessions) of every week.
fn weeks(doc: &Value) -> Vec<(String, f64, u64)> {
    doc["weeks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["week"].as_str().unwrap().to_string(),
                (w["run_km"].as_f64().unwrap() * 1000.0).round() / 1000.0,
                w["strength_sessions"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn strength_gap_weeks(doc: &Value) -> Vec<String> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "strength-gap")
        .map(|f| f["week"].as_str().unwrap().to_string())
        .collect()
}

/// Kilometres per pair of shoes, as the document lists them.
fn gear_km(doc: &Value) -> Vec<(String, f64)> {
    doc["gear"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["gear"].as_str().unwrap().into(),
                g["km"].as_f64().unwrap(),
            )
        })
        .collect()
}

fn counted(doc: &Value) -> Vec<&Value> {
    doc["activities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["duplicate_of"].is_null())
        .collect()
}

#[test]
fn a_strava_export_counts_its_sessions_without_files() {
    let tmp = tempfile::tempdir().unwrap();
    let (strava, _, unpacked) = write_exports(tmp.path());
    let (doc, _, _) = analyse(&[&strava], None);
    let w = |s: &str| s.to_string();
    assert_eq!(
        weeks(&doc),
        [
            (w("2025-W36"), 23.0, 2),
            (w("2025-W37"), 23.0, 2),
            (w("2025-W38"), 23.0, 2)
        ]
    );
    assert_eq!(strength_gap_weeks(&doc), Vec::<String>::new());
    let acts = counted(&doc);
    assert_eq!(acts.len(), 15);
    for a in &acts {
        assert!(a["name"].is_string(), "{a}");
    }
    let by_name = |n: &str| {
        *acts
            .iter()
            .find(|a| a["name"] == n)
            .unwrap_or_else(|| panic!("{n}"))
    };
    let tempo = by_name("Tempo (W36)");
    assert_eq!(tempo["origin"], "file");
    assert_eq!(tempo["format"], "fit");
    assert_eq!(tempo["gear"], "Speed 3");
    let treadmill = by_name("Treadmill (W37)");
    assert_eq!(treadmill["origin"], "strava-csv");
    assert_eq!(treadmill["sport"], "running");
    assert_eq!(treadmill["distance_m"], 5000.0);
    assert_eq!(treadmill["samples"], 0);
    let gym = by_name("Gym (W38)");
    assert_eq!(gym["sport"], "strength");
    assert_eq!(gym["duration_s"], 2400.0);
    // Kilometres per shoe: 3 × 8 + 3 × 5 on the Pegasus, 3 × 10 on the Speed 3.
    assert_eq!(
        gear_km(&doc),
        [(w("Pegasus 40"), 39.0), (w("Speed 3"), 30.0)]
    );
    // profile.csv and shoes.csv are not manifests: skipped as before.
    let skipped: Vec<&str> = doc["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["source"].as_str().unwrap())
        .collect();
    assert_eq!(skipped.len(), 2, "{skipped:?}");

    // Unpacked, the same weeks and names.
    let (folder, _, _) = analyse(&[&unpacked], None);
    assert_eq!(weeks(&folder), weeks(&doc));
    let names = |d: &Value| {
        let mut v: Vec<String> = counted(d).iter().map(|a| a["name"].to_string()).collect();
        v.sort();
        v
    };
    assert_eq!(names(&folder), names(&doc));
}

#[test]
fn a_garmin_export_joins_its_files_by_start_time() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, garmin, _) = write_exports(tmp.path());
    let (doc, _, _) = analyse(&[&garmin], None);
    let w = |s: &str| s.to_string();
    assert_eq!(
        weeks(&doc),
        [
            (w("2025-W37"), 23.0, 2),
            (w("2025-W38"), 23.0, 2),
            (w("2025-W39"), 24.0, 1)
        ]
    );
    // One week short of strength sessions is not a habit (RISK_MODEL.md): nothing is raised.
    assert_eq!(strength_gap_weeks(&doc), Vec::<String>::new());
    let acts = counted(&doc);
    assert_eq!(acts.len(), 14);
    let core = acts.iter().find(|a| a["name"] == "Garmin Core 37").unwrap();
    assert_eq!(
        core["origin"], "file",
        "the strength FIT joined to its entry"
    );
    // Its file logs its sets (the generator's 4 or 5 sets of 12); a manifest row has none.
    let sets = core["strength"]["sets"].as_u64().unwrap();
    assert!(sets == 4 || sets == 5, "{core}");
    assert_eq!(core["strength"]["repetitions"], 12 * sets);
    let gym = acts.iter().find(|a| a["name"] == "Garmin Gym 37").unwrap();
    assert_eq!(gym["origin"], "garmin-json");
    assert_eq!(gym["sport"], "strength");
    assert!(gym["strength"].is_null());
    for a in &acts {
        assert!(a["name"].as_str().unwrap().starts_with("Garmin "), "{a}");
        // The gear list names the shoes of every run, file or entry alone; strength has none.
        let shoes = match (a["sport"].as_str(), a["distance_m"].as_f64()) {
            (Some("running"), Some(d)) if d >= 10_000.0 => Value::from("Speed 3"),
            (Some("running"), _) => Value::from("Pegasus 40"),
            _ => Value::Null,
        };
        assert_eq!(a["gear"], shoes, "{a}");
    }
    // Kilometres per shoe: 3 × 8 + 2 × 5 + 6 on the Pegasus, 3 × 10 on the Speed 3.
    assert_eq!(
        gear_km(&doc),
        [(w("Pegasus 40"), 40.0), (w("Speed 3"), 30.0)]
    );
    // The gear list is read, not skipped.
    assert_eq!(
        doc["skipped"].as_array().unwrap().len(),
        0,
        "{}",
        doc["skipped"]
    );
}

#[test]
fn both_exports_count_each_session_once_and_a_warm_run_is_the_same() {
    let tmp = tempfile::tempdir().unwrap();
    let (strava, garmin, _) = write_exports(tmp.path());
    let store = tmp.path().join("store.sqlite");
    let (doc, cold, _) = analyse(&[&strava, &garmin], Some(&store));
    let w = |s: &str| s.to_string();
    assert_eq!(
        weeks(&doc),
        [
            (w("2025-W36"), 23.0, 2),
            (w("2025-W37"), 23.0, 2),
            (w("2025-W38"), 23.0, 2),
            (w("2025-W39"), 24.0, 1)
        ]
    );
    // One week short of strength sessions is not a habit (RISK_MODEL.md): nothing is raised.
    assert_eq!(strength_gap_weeks(&doc), Vec::<String>::new());
    let acts = counted(&doc);
    assert_eq!(acts.len(), 19, "5 + 5 + 5 + 4 sessions, each once");
    for a in &acts {
        assert!(
            a["name"].is_string(),
            "every kept copy has a manifest's name: {a}"
        );
    }
    // The treadmill run of W37 is a manifest row on both sides: one kept.
    let treadmills: Vec<&&Value> = acts
        .iter()
        .filter(|a| a["week"] == "2025-W37" && a["distance_m"] == 5000.0)
        .collect();
    assert_eq!(treadmills.len(), 1);
    // Both exports name the same shoes: W36-W38 from Strava, W39 from Garmin's gear list.
    assert_eq!(
        gear_km(&doc),
        [(w("Pegasus 40"), 53.0), (w("Speed 3"), 40.0)]
    );
    let (_, warm, stderr) = analyse(&[&strava, &garmin], Some(&store));
    assert!(stderr.contains("2 of 2"), "{stderr}");
    assert_eq!(warm, cold, "a warm run gives the same document");
}

/// `fixtures/exports/` holds the two exports as `patella::synth` writes them (the README's first
/// command reads them); regenerate with `PATELLA_BLESS=1 cargo test --test exports`.
#[test]
fn export_fixtures_match_the_generator() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/exports");
    let generated = [
        (
            "strava-export.zip",
            patella::synth::strava_export().unwrap(),
        ),
        (
            "garmin-connect-export.zip",
            patella::synth::garmin_export().unwrap(),
        ),
    ];
    if std::env::var_os("PATELLA_BLESS").is_some() {
        std::fs::create_dir_all(&dir).unwrap();
        for (name, bytes) in &generated {
            std::fs::write(dir.join(name), bytes).unwrap();
        }
    }
    for (name, bytes) in &generated {
        let on_disk = std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            &on_disk == bytes,
            "fixtures/exports/{name} differs from the generator: PATELLA_BLESS=1 cargo test --test exports"
        );
    }
}

#[test]
fn bad_manifest_rows_are_named_and_the_rest_counts() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("export");
    std::fs::create_dir_all(dir.join("activities")).unwrap();
    let members = patella::synth::strava_members();
    let (fit_name, fit) = members
        .iter()
        .find(|(n, _)| n.ends_with(".fit.gz"))
        .unwrap();
    std::fs::write(dir.join(fit_name), fit).unwrap();
    let id = fit_name
        .trim_start_matches("activities/")
        .trim_end_matches(".fit.gz");
    std::fs::write(
        dir.join("activities.csv"),
        format!(
            "Activity ID,Activity Date,Activity Name,Activity Type,Elapsed Time,Distance,\
             Activity Gear,Filename,Elapsed Time,Moving Time,Distance\n\
             {id},\"Sep 1, 2025, 7:00:00 AM\",Easy,Run,2700,8,,{fit_name},2700,2700,8000\n\
             2,\"Sep 2, 2025, 7:00:00 AM\",Lost file,Run,1800,5,,activities/2.fit.gz,1800,1800,5000\n\
             3,\"yesterday\",No date,Run,1800,5,,,1800,1800,5000\n\
             4,\"Sep 3, 2025, 7:00:00 AM\",Odd,Underwater Hockey,1800,,,,1800,1800,\n"
        ),
    )
    .unwrap();
    std::fs::write(dir.join("notes.csv"), "date,note\n2025-09-01,fine\n").unwrap();
    let (doc, _, _) = analyse(&[&dir], None);
    let acts = counted(&doc);
    let names: Vec<&str> = acts.iter().map(|a| a["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Easy", "Lost file", "Odd"]);
    assert_eq!(acts[0]["origin"], "file");
    assert_eq!(acts[1]["origin"], "strava-csv");
    assert_eq!(acts[2]["sport"], "other");
    let csv = dir.join("activities.csv").display().to_string();
    assert_eq!(
        acts[1]["warnings"][0],
        format!(
            "{csv} row 2 (activity 2): names activities/2.fit.gz, which the export does not \
             hold (or which could not be read); counted from the manifest"
        )
    );
    assert_eq!(
        acts[2]["warnings"][0],
        format!("{csv} row 4 (activity 4): unknown activity type \"Underwater Hockey\", counted as other")
    );
    let skipped: Vec<String> = doc["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            format!(
                "{}: {}",
                s["source"].as_str().unwrap(),
                s["reason"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        skipped,
        [
            format!("{csv} row 3 (activity 3): manifest row not counted: unparseable date \"yesterday\""),
            format!("{}: not an activity file: a .csv file", dir.join("notes.csv").display()),
        ]
    );
    // The runs that count: 8 km from the file and 5 km from the row whose file is missing.
    assert_eq!(weeks(&doc), [("2025-W36".to_string(), 13.0, 0)]);
}

#[test]
fn inspect_joins_a_manifest_as_analyse_does() {
    let tmp = tempfile::tempdir().unwrap();
    let (strava, _, unpacked) = write_exports(tmp.path());
    let inspect = |path: &Path| {
        let out = Command::cargo_bin("patella")
            .unwrap()
            .args(["inspect", "--json", "--tz", "UTC"])
            .arg(path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        doc["activities"].as_array().unwrap().clone()
    };
    let (analysed, _, _) = analyse(&[&strava], None);
    let names = |acts: &[Value]| {
        let mut v: Vec<String> = acts
            .iter()
            .map(|a| a["name"].as_str().unwrap_or("").to_string())
            .collect();
        v.sort();
        v
    };
    let all = analysed["activities"].as_array().unwrap();
    assert!(all.iter().all(|a| a["name"].is_string()));
    // The whole export: every session, named as analyse names it.
    assert_eq!(names(&inspect(&strava)), names(all));
    // The manifest alone: every row, none of them with its file.
    let rows = inspect(&unpacked.join("activities.csv"));
    assert_eq!(names(&rows), names(all));
    assert!(rows.iter().all(|a| a["origin"] == "strava-csv"));
}
