//! The store: a warm run answers from it with the same result, a damaged store is rebuilt with a
//! warning, and two runs can read it at once.

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

fn inputs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    vec![
        root.join("demo"),
        root.join("fit"),
        root.join("gpx"),
        root.join("tcx"),
    ]
}

fn analyse(store: &Path) -> Output {
    Command::cargo_bin("patella")
        .unwrap()
        .args(["analyse", "--json", "--tz", "America/New_York", "--store"])
        .arg(store)
        .args(inputs())
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn a_warm_run_answers_from_the_store_with_the_same_result() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("cache/store.sqlite");
    let cold = analyse(&store);
    assert!(cold.status.success(), "{}", stderr(&cold));
    assert!(stderr(&cold).contains("patella: 0 of"), "{}", stderr(&cold));
    let warm = analyse(&store);
    assert!(warm.status.success());
    let line = stderr(&warm)
        .lines()
        .find(|l| l.contains("from the store"))
        .unwrap()
        .to_string();
    let (hits, total) = line
        .trim_start_matches("patella: ")
        .split_once(" files")
        .unwrap()
        .0
        .split_once(" of ")
        .unwrap();
    assert_eq!(hits, total, "{line}");
    assert!(line.ends_with(", 0 decoded"), "{line}");
    assert_eq!(cold.stdout, warm.stdout);

    let none = Command::cargo_bin("patella")
        .unwrap()
        .args([
            "analyse",
            "--json",
            "--tz",
            "America/New_York",
            "--no-store",
        ])
        .args(inputs())
        .output()
        .unwrap();
    assert_eq!(none.stdout, cold.stdout);
    assert!(!stderr(&none).contains("from the store"));
}

#[test]
fn a_damaged_store_is_set_aside_and_rebuilt() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("store.sqlite");
    assert!(analyse(&store).status.success());
    // Its header (patella's application id) kept, everything after it damaged.
    let mut bytes = std::fs::read(&store).unwrap();
    assert!(bytes.len() > 4096);
    bytes[100..4096].fill(0x5a);
    std::fs::write(&store, bytes).unwrap();
    let out = analyse(&store);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("warning: store"), "{}", stderr(&out));
    assert!(stderr(&out).contains("moved aside"), "{}", stderr(&out));
    let warm = analyse(&store);
    assert!(stderr(&warm).contains(", 0 decoded"), "{}", stderr(&warm));
    assert_eq!(out.stdout, warm.stdout);
}

#[test]
fn two_runs_can_read_the_store_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("store.sqlite");
    let first = analyse(&store);
    assert!(first.status.success());
    let (a, b) = (spawn(&store), spawn(&store));
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    assert!(a.status.success() && b.status.success());
    assert_eq!(a.stdout, first.stdout);
    assert_eq!(b.stdout, first.stdout);
}

fn spawn(store: &Path) -> std::process::Child {
    std::process::Command::new(assert_cmd::cargo::cargo_bin("patella"))
        .args(["analyse", "--json", "--tz", "America/New_York", "--store"])
        .arg(store)
        .args(inputs())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn two_runs_filling_a_new_store_at_once_both_finish_with_the_same_output() {
    let tmp = tempfile::tempdir().unwrap();
    let none = Command::cargo_bin("patella")
        .unwrap()
        .args([
            "analyse",
            "--json",
            "--tz",
            "America/New_York",
            "--no-store",
        ])
        .args(inputs())
        .output()
        .unwrap();
    for round in 0..5 {
        // A store that does not exist yet: both create it, both write what they decoded.
        let store = tmp.path().join(format!("round{round}/store.sqlite"));
        let (a, b) = (spawn(&store), spawn(&store));
        let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
        for (name, o) in [("first", &a), ("second", &b)] {
            assert!(o.status.success(), "round {round}, {name}: {}", stderr(o));
            assert!(
                !stderr(o).contains("warning"),
                "round {round}, {name}: {}",
                stderr(o)
            );
            assert_eq!(o.stdout, none.stdout, "round {round}, {name}");
        }
        // What they stored is whole: a third run answers everything from it.
        let warm = analyse(&store);
        assert!(stderr(&warm).contains(", 0 decoded"), "{}", stderr(&warm));
        assert_eq!(warm.stdout, none.stdout);
    }
}

#[test]
fn a_store_from_a_newer_patella_is_set_aside_and_rebuilt() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("store.sqlite");
    let first = analyse(&store);
    assert!(first.status.success());
    {
        let conn = rusqlite::Connection::open(&store).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
    }
    let out = analyse(&store);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "patella: warning: store {} could not be used (it has store schema 99, from a newer \
             patella; this one reads {})",
            store.display(),
            patella::store::STORE_SCHEMA
        )),
        "{err}"
    );
    assert!(err.contains("moved aside to"), "{err}");
    assert_eq!(out.stdout, first.stdout);
    // The newer store is kept beside, untouched but for its name.
    let aside: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("store.sqlite.damaged-")
        })
        .collect();
    assert_eq!(aside.len(), 1);
    let conn = rusqlite::Connection::open(aside[0].path()).unwrap();
    let v: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, 99);
}
