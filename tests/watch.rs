//! `patella watch`: a dropped file appears in the report, a file still being written is not read
//! early, a removed one leaves, and Ctrl-C ends the watch cleanly — with file events and with
//! `--poll`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn demo(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/demo")
        .join(name)
}

fn start(dir: &Path, out: &Path, poll: bool) -> Child {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("patella"));
    cmd.args(["watch", "--tz", "America/New_York", "--out"])
        .arg(out)
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if poll {
        cmd.arg("--poll");
    }
    cmd.spawn().unwrap()
}

/// The `source` column of runs.csv, or `None` while there is no report.
fn sources(out: &Path) -> Option<Vec<String>> {
    let mut r = csv::Reader::from_path(out.join("runs.csv")).ok()?;
    Some(
        r.records()
            .filter_map(|x| x.ok())
            .map(|x| x[2].to_string())
            .collect(),
    )
}

/// Waits up to `limit` for `ok` to hold on the report; returns how long it took.
fn wait_for(out: &Path, limit: Duration, ok: impl Fn(&[String]) -> bool) -> Option<Duration> {
    let t0 = Instant::now();
    while t0.elapsed() < limit {
        if let Some(s) = sources(out) {
            if ok(&s) {
                return Some(t0.elapsed());
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

fn skipped_count(out: &Path) -> Option<usize> {
    let page = std::fs::read_to_string(out.join("index.html")).ok()?;
    let at = page.find("Files skipped: ")? + "Files skipped: ".len();
    page[at..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect::<String>()
        .parse()
        .ok()
}

fn interrupt(mut child: Child) {
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let t0 = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "watch exited with {status}");
            return;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(5),
            "watch did not stop on Ctrl-C"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn scenario(poll: bool) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("drop");
    let out = tmp.path().join("report");
    std::fs::create_dir(&dir).unwrap();
    std::fs::copy(demo("2025-03-06-run.fit"), dir.join("2025-03-06-run.fit")).unwrap();
    let child = start(&dir, &out, poll);

    let first = wait_for(&out, Duration::from_secs(30), |s| s.len() == 1);
    assert!(first.is_some(), "no first report");

    // A dropped file appears.
    std::fs::copy(demo("2025-03-09-run.fit"), dir.join("2025-03-09-run.fit")).unwrap();
    let took = wait_for(&out, Duration::from_secs(10), |s| {
        s.iter().any(|x| x.ends_with("2025-03-09-run.fit"))
    })
    .expect("the dropped file never reached the report");
    eprintln!("dropped file in the report after {took:?} (poll: {poll})");

    // A file written slowly is not read half-written: the report never lists it as skipped, and
    // it appears once complete.
    let gpx = std::fs::read(demo("2025-03-04-run.gpx")).unwrap();
    let path = dir.join("slow.gpx");
    let mut file = std::fs::File::create(&path).unwrap();
    for chunk in gpx.chunks(gpx.len() / 12 + 1) {
        file.write_all(chunk).unwrap();
        file.flush().unwrap();
        std::thread::sleep(Duration::from_millis(120));
        assert_eq!(skipped_count(&out), Some(0), "a half-written file was read");
    }
    drop(file);
    wait_for(&out, Duration::from_secs(10), |s| {
        s.iter().any(|x| x.ends_with("slow.gpx"))
    })
    .expect("the slowly written file never reached the report");
    assert_eq!(skipped_count(&out), Some(0));

    // A removed file leaves.
    std::fs::remove_file(dir.join("2025-03-06-run.fit")).unwrap();
    wait_for(&out, Duration::from_secs(10), |s| {
        s.len() == 2 && !s.iter().any(|x| x.ends_with("2025-03-06-run.fit"))
    })
    .expect("the removed file stayed in the report");

    interrupt(child);
    // Nothing was written into the watched folder.
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["2025-03-09-run.fit", "slow.gpx"]);
}

#[test]
fn watch_with_file_events() {
    scenario(false);
}

#[test]
fn watch_by_polling() {
    scenario(true);
}

/// Waits up to `limit` for the child to exit; its status code and stderr.
fn exit_within(mut child: Child, limit: Duration) -> (Option<i32>, String) {
    let t0 = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if t0.elapsed() > limit {
            child.kill().ok();
            panic!("watch did not end within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn folder_removed(poll: bool) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("drop");
    let out = tmp.path().join("report");
    std::fs::create_dir(&dir).unwrap();
    std::fs::copy(demo("2025-03-06-run.fit"), dir.join("2025-03-06-run.fit")).unwrap();
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("patella"));
    cmd.args(["watch", "--tz", "UTC", "--out"])
        .arg(&out)
        .arg(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if poll {
        cmd.arg("--poll");
    }
    let child = cmd.spawn().unwrap();
    wait_for(&out, Duration::from_secs(30), |s| s.len() == 1).expect("no first report");
    std::fs::remove_dir_all(&dir).unwrap();
    let (code, err) = exit_within(child, Duration::from_secs(10));
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.lines().any(|l| l
            == format!(
                "patella: the watched folder {} is gone (no such file or folder)",
                dir.display()
            )),
        "{err}"
    );
    // The last report stays as it was.
    assert_eq!(sources(&out).map(|s| s.len()), Some(1));
}

#[test]
fn a_removed_watched_folder_ends_the_watch_with_status_1_by_polling() {
    folder_removed(true);
}

#[test]
fn a_removed_watched_folder_ends_the_watch_with_status_1_with_file_events() {
    folder_removed(false);
}
