//! `patella analyse --athletes ROOT`: a generated team (synth::team) analysed as one, against
//! each athlete analysed on their own; the team page's order; the Hive-partitioned dataset read
//! back with DuckDB (see `duckdb_reads_the_dataset_as_each_athlete_s_own_json_counts`).

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::NaiveDate;
use serde_json::Value;

use patella::synth::{self, Planted};

const AS_OF: &str = "2026-03-02";

fn day() -> NaiveDate {
    NaiveDate::parse_from_str(AS_OF, "%Y-%m-%d").unwrap()
}

/// Writes `athletes` generated athletes of `runs` runs under `root`, plus a folder with nothing
/// readable and one whose `athlete.toml` does not read.
fn write_team(root: &Path, athletes: usize, runs: usize) {
    for m in synth::team(athletes, runs, day()) {
        let dir = root.join(&m.key);
        std::fs::create_dir_all(&dir).unwrap();
        for (name, bytes) in m.files {
            std::fs::write(dir.join(name), bytes).unwrap();
        }
    }
    let empty = root.join("zz-empty");
    std::fs::create_dir_all(&empty).unwrap();
    std::fs::write(empty.join("notes.txt"), "nothing here\n").unwrap();
    let bad = root.join("zz-bad-settings");
    std::fs::create_dir_all(&bad).unwrap();
    std::fs::write(bad.join("athlete.toml"), "name = \"Bad\"\nhr_max = 1\n").unwrap();
    let copy = root
        .join("athlete-01")
        .read_dir()
        .unwrap()
        .flatten()
        .next()
        .unwrap();
    std::fs::copy(copy.path(), bad.join("run.fit")).unwrap();
}

fn patella(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_patella"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

struct Team {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    out: PathBuf,
}

fn team(athletes: usize, runs: usize) -> Team {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("harriers");
    write_team(&root, athletes, runs);
    let out = tmp.path().join("report");
    Team {
        root,
        out,
        _tmp: tmp,
    }
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `patella analyse --athletes ROOT --tz UTC --as-of AS_OF --no-store` and `extra`.
fn analyse_team(root: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "analyse",
        "--athletes",
        s(root),
        "--tz",
        "UTC",
        "--as-of",
        AS_OF,
        "--no-store",
    ];
    args.extend_from_slice(extra);
    patella(&args)
}

#[test]
fn the_team_page_lists_the_most_urgent_first_and_links_each_report() {
    let t = team(6, 60);
    let run = analyse_team(&t.root, &["--out", s(&t.out)]);
    let (stdout, stderr) = (text(&run.stdout), text(&run.stderr));
    assert!(run.status.success(), "{stderr}");
    eprintln!("{stdout}\n{stderr}");
    // The folders that cannot be analysed are named with their reasons; the others go on.
    assert!(
        stderr.contains("zz-empty: not analysed: no readable activity in 1 file(s)"),
        "{stderr}"
    );
    assert!(
        stderr
            .contains("zz-bad-settings: not analysed: athlete.toml line 2: unknown field `hr_max`"),
        "{stderr}"
    );
    // Order of urgency: the pain log that says swelling (athlete-03, athlete-07 has none: only
    // six), then the long-run spikes (athlete-02, athlete-06), then the rest by name.
    let order: Vec<&str> = stdout
        .lines()
        .skip_while(|l| !l.starts_with("athlete "))
        .skip(1)
        .take_while(|l| !l.is_empty())
        .map(|l| l.split("  ").next().unwrap().trim())
        .collect();
    assert_eq!(order[0], "athlete-03", "{stdout}");
    assert_eq!(&order[1..3], ["athlete-02", "athlete-06"], "{stdout}");
    assert!(order.contains(&"Runner 4"), "athlete.toml's name: {stdout}");
    assert_eq!(order.len(), 6, "{stdout}");
    let page = std::fs::read_to_string(t.out.join("index.html")).unwrap();
    let pos = |needle: &str| {
        page.find(needle)
            .unwrap_or_else(|| panic!("{needle} not on the team page"))
    };
    assert!(pos("athletes/athlete-03/index.html") < pos("athletes/athlete-02/index.html"));
    assert!(page.contains("see a clinician"));
    assert!(page.contains("single-run-spike"));
    assert!(
        page.contains("zz-empty"),
        "the folder not analysed is listed"
    );
    for key in [
        "athlete-01",
        "athlete-02",
        "athlete-03",
        "athlete-04",
        "athlete-05",
        "athlete-06",
    ] {
        assert!(
            t.out
                .join("athletes")
                .join(key)
                .join("index.html")
                .is_file(),
            "{key}"
        );
        for table in ["runs", "weeks", "findings"] {
            let part = t
                .out
                .join("data")
                .join(table)
                .join(format!("athlete={key}"))
                .join("part-0.parquet");
            assert!(part.is_file(), "{}", part.display());
        }
    }
    assert!(!t.out.join("athletes/zz-empty").exists());
    assert!(!t.out.join("data/runs/athlete=zz-empty").exists());
    assert!(t.out.join(".patella-report").is_file());
}

/// Each athlete of the team's `--json` document is the document `patella analyse FOLDER --json`
/// gives for that athlete alone, with their settings.
#[test]
fn each_document_of_the_team_is_the_athlete_s_own() {
    let t = team(4, 40);
    let run = analyse_team(&t.root, &["--json"]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let doc: Value = serde_json::from_slice(&run.stdout).expect("one JSON document");
    assert_eq!(doc["schema"], "patella-team/1");
    assert_eq!(doc["as_of"], AS_OF);
    let docs = doc["athletes"].as_array().unwrap();
    assert_eq!(docs.len(), 4);
    let team = doc["team"].as_array().unwrap();
    assert_eq!(team.len(), 4);
    assert_eq!(team[0]["key"], "athlete-03");
    assert_eq!(team[0]["urgency"], "see-clinician");
    let unread: Vec<&str> = doc["unread"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["key"].as_str().unwrap())
        .collect();
    assert_eq!(unread, ["zz-bad-settings", "zz-empty"]);
    let tmp = tempfile::tempdir().unwrap();
    for (i, got) in docs.iter().enumerate() {
        let key = format!("athlete-{:02}", i + 1);
        let folder = t.root.join(&key);
        let mut args = vec![
            "analyse".to_string(),
            s(&folder).to_string(),
            "--json".into(),
            "--tz".into(),
            "UTC".into(),
            "--as-of".into(),
            AS_OF.into(),
            "--no-store".into(),
            "--athlete".into(),
        ];
        if synth::planted(i) == Planted::Named {
            let config = tmp.path().join("hr.toml");
            std::fs::write(&config, "[thresholds]\nhr_max_bpm = 190\n").unwrap();
            args.extend(["Runner 4".into(), "--config".into(), s(&config).into()]);
        } else {
            args.push(key.clone());
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let own = patella(&args);
        assert!(own.status.success(), "{}", text(&own.stderr));
        let mut own: Value = serde_json::from_slice(&own.stdout).unwrap();
        // The athlete's own settings file is not listed as skipped in the team.
        if let Some(skipped) = own["skipped"].as_array_mut() {
            skipped.retain(|s| !s["source"].as_str().unwrap().ends_with("athlete.toml"));
        }
        assert_eq!(got, &own, "{key}");
    }
}

/// A Python with the duckdb package: `PATELLA_PYTHON`, else `python3` if it imports duckdb.
/// `None` when there is none; CI (`PATELLA_REQUIRE_DUCKDB=1`) fails then instead of skipping.
fn duckdb_python() -> Option<String> {
    let candidates = std::env::var("PATELLA_PYTHON")
        .ok()
        .into_iter()
        .chain(["python3".to_string()]);
    for python in candidates {
        let ok = Command::new(&python)
            .args(["-c", "import duckdb"])
            .output()
            .is_ok_and(|o| o.status.success());
        if ok {
            return Some(python);
        }
    }
    assert!(
        std::env::var_os("PATELLA_REQUIRE_DUCKDB").is_none(),
        "PATELLA_REQUIRE_DUCKDB is set but no Python with duckdb was found (set PATELLA_PYTHON)"
    );
    None
}

#[test]
fn duckdb_reads_the_dataset_as_each_athlete_s_own_json_counts() {
    let Some(python) = duckdb_python() else {
        eprintln!("skipped: no Python with duckdb (PATELLA_PYTHON); CI sets one up");
        return;
    };
    let t = team(4, 40);
    let run = analyse_team(&t.root, &["--out", s(&t.out), "--json"]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let doc: Value = serde_json::from_slice(&run.stdout).unwrap();
    // Counted runs per athlete in each athlete's document.
    let mut want: Vec<(String, i64)> = doc["team"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["key"].as_str().unwrap().to_string(),
                r["runs"].as_i64().unwrap(),
            )
        })
        .collect();
    want.sort();
    for (d, (key, runs)) in doc["athletes"].as_array().unwrap().iter().zip(&want) {
        let counted = d["activities"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| {
                a["counts_as_run"] == true
                    || (a["sport"] == "running" && a["duplicate_of"].is_null())
            })
            .count() as i64;
        assert_eq!(counted, *runs, "{key}");
    }
    let script = r#"
import duckdb, json, sys
data = sys.argv[1]
con = duckdb.connect()
def q(sql):
    return con.execute(sql).fetchall()
runs = q(f"SELECT athlete, count(*) FROM read_parquet('{data}/runs/*/*.parquet', hive_partitioning = true) GROUP BY athlete ORDER BY athlete")
types = {}
for table in ["runs", "weeks", "findings"]:
    rows = q(f"DESCRIBE SELECT * FROM read_parquet('{data}/{table}/*/*.parquet', hive_partitioning = true)")
    types[table] = {r[0]: r[1] for r in rows}
weekly = q(f"SELECT athlete, count(*) FROM read_parquet('{data}/weeks/*/*.parquet', hive_partitioning = true) GROUP BY ALL ORDER BY 1")
readme = [q(sql.replace("club-report/data", data)) for sql in json.loads(sys.argv[2])]
print(json.dumps({"runs": runs, "types": types, "weeks": weekly, "readme": readme}, default=str))
"#;
    let queries = serde_json::to_string(&readme_queries()).unwrap();
    let out = Command::new(&python)
        .args(["-c", script, s(&t.out.join("data")), &queries])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let got: Value = serde_json::from_slice(&out.stdout).unwrap();
    let runs: Vec<(String, i64)> = got["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r[0].as_str().unwrap().to_string(), r[1].as_i64().unwrap()))
        .collect();
    assert_eq!(
        runs, want,
        "runs per athlete: DuckDB against each athlete's JSON"
    );
    let types = &got["types"];
    eprintln!("{types:#}");
    assert_eq!(types["runs"]["start_utc"], "TIMESTAMP WITH TIME ZONE");
    assert_eq!(types["runs"]["start_local"], "TIMESTAMP");
    assert_eq!(types["runs"]["local_date"], "DATE");
    assert_eq!(types["runs"]["distance_km"], "DOUBLE");
    assert_eq!(types["runs"]["hard"], "BOOLEAN");
    assert_eq!(types["runs"]["athlete"], "VARCHAR");
    assert_eq!(types["weeks"]["start"], "DATE");
    assert_eq!(types["weeks"]["runs"], "BIGINT");
    assert_eq!(types["findings"]["date"], "DATE");
    // The athlete column comes from the folder names only (once).
    let athlete_columns = types["runs"]
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| k.as_str() == "athlete")
        .count();
    assert_eq!(athlete_columns, 1);
    // The README's three queries run as they are written there.
    let readme = got["readme"].as_array().unwrap();
    assert_eq!(readme.len(), 3);
    // Weekly kilometres: every athlete's weeks.
    let athletes: std::collections::BTreeSet<&str> = readme[0]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r[0].as_str().unwrap())
        .collect();
    assert_eq!(athletes.len(), 4, "{athletes:?}");
    // Open findings: the planted long-run spike of athlete-02 is there, high and first.
    let open = readme[1].as_array().unwrap();
    assert_eq!(open[0][0], "athlete-02", "{open:?}");
    assert_eq!(open[0][2], "single-run-spike");
    assert_eq!(open[0][3], "high");
    // Who ramps fastest: one row per athlete, each with a ramp.
    let ramps = readme[2].as_array().unwrap();
    assert_eq!(ramps.len(), 4, "{ramps:?}");
    assert!(ramps.iter().all(|r| r[3].is_number()), "{ramps:?}");
}

/// The ```sql blocks of the README's team section, in order.
fn readme_queries() -> Vec<String> {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let section = readme
        .split("\n## ")
        .find(|s| s.starts_with("A team"))
        .expect("the README's team section");
    section
        .split("```sql\n")
        .skip(1)
        .map(|block| block.split("```").next().unwrap().to_string())
        .collect()
}

#[test]
fn a_team_with_nothing_readable_says_why_and_writes_no_report() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("club");
    std::fs::create_dir_all(root.join("ada")).unwrap();
    std::fs::write(root.join("ada/notes.txt"), "no runs yet\n").unwrap();
    let out = tmp.path().join("report");
    let run = patella(&[
        "analyse",
        "--athletes",
        s(&root),
        "--json",
        "--out",
        s(&out),
        "--as-of",
        AS_OF,
        "--no-store",
    ]);
    assert_eq!(run.status.code(), Some(2), "{}", text(&run.stderr));
    assert!(
        text(&run.stderr).contains("no athlete's folder under") && !out.exists(),
        "{}",
        text(&run.stderr)
    );
    // The document is whole all the same: no athlete, and the reason for each folder.
    let doc: Value = serde_json::from_slice(&run.stdout).expect("a whole document");
    assert_eq!(doc["athletes"].as_array().unwrap().len(), 0);
    assert_eq!(doc["unread"][0]["key"], "ada");
    assert_eq!(
        doc["unread"][0]["reason"],
        "no readable activity in 1 file(s)"
    );
    // A root without sub-folders, and --out inside the root, are usage errors.
    let bare = tmp.path().join("bare");
    std::fs::create_dir_all(&bare).unwrap();
    let run = patella(&["analyse", "--athletes", s(&bare), "--as-of", AS_OF]);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        text(&run.stderr).contains("holds no athlete's folder"),
        "{}",
        text(&run.stderr)
    );
    let inside = root.join("report");
    let run = patella(&[
        "analyse",
        "--athletes",
        s(&root),
        "--out",
        s(&inside),
        "--as-of",
        AS_OF,
    ]);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        text(&run.stderr).contains("which patella reads"),
        "{}",
        text(&run.stderr)
    );
    assert!(!inside.exists());
}
