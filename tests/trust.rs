//! What patella promises about the runner's own files: it never deletes or writes what it did not
//! write, never reads from the folder its report replaces, never waits on a FIFO, and never
//! leaves a half-written report behind. Each test is one reproduction of a hostile pass on the
//! release build (issue 25), as it was filed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const DAY: [&str; 4] = ["--tz", "UTC", "--as-of", "2025-05-01"];

fn demo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo")
}

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("patella")
}

/// Runs patella in `cwd` with `args` (and a store under `cache` unless `--no-store` is given),
/// at most 60 s.
fn run_in(cwd: &Path, cache: &Path, args: &[&std::ffi::OsStr]) -> Output {
    assert_cmd::Command::new(bin())
        .current_dir(cwd)
        .env("XDG_CACHE_HOME", cache)
        .env("NO_COLOR", "1")
        .args(args)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap()
}

/// `args` as the OS strings a command takes.
macro_rules! args {
    ($($a:expr),* $(,)?) => { &[$(std::ffi::OsStr::new($a)),*] };
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every file and folder under `dir`, by path relative to it, with its bytes (folders empty).
fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(dir).unwrap().to_path_buf();
            let meta = std::fs::symlink_metadata(&p).unwrap();
            if meta.is_dir() {
                out.insert(rel, Vec::new());
                stack.push(p);
            } else if meta.is_file() {
                out.insert(rel, std::fs::read(&p).unwrap());
            } else {
                out.insert(rel, b"(not a file)".to_vec());
            }
        }
    }
    out
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// A report of the demo data written to `out`.
fn write_report(tmp: &Path, out: &Path) {
    let o = run_in(
        tmp,
        &tmp.join("cache"),
        args![
            "analyse",
            demo().as_os_str(),
            "--no-store",
            "--out",
            out.as_os_str(),
            DAY[0],
            DAY[1],
            DAY[2],
            DAY[3]
        ],
    );
    assert!(o.status.success(), "{}", err(&o));
}

fn mkfifo(path: &Path) {
    let made = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(made.success());
}

/// Item 1: An input folder inside an old report was deleted with it (`cp -r old-report r; cp -r
/// fixtures/demo r/mydata; patella analyse r/mydata --out r` exited 0 and r/mydata was gone); so
/// with `watch`, `--athletes`, `--pain` and `--config`. Now each is refused with exit 2 before
/// anything is read, naming both, and nothing changes.
#[test]
fn anything_read_inside_the_report_folder_is_refused_and_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let old = t.join("old-report");
    write_report(t, &old);
    let cases: [(&str, &str, Vec<&str>); 5] = [
        (
            "mydata",
            "the input",
            vec!["analyse", "r/mydata", "--no-store"],
        ),
        (
            "mydata",
            "the input",
            vec!["watch", "r/mydata", "--no-store"],
        ),
        (
            "club",
            "the athletes' folder",
            vec!["analyse", "--athletes", "r/club", "--no-store"],
        ),
        (
            "pain.csv",
            "the pain log",
            vec!["analyse", "demo", "--no-store", "--pain", "r/pain.csv"],
        ),
        (
            "patella.toml",
            "the thresholds file",
            vec![
                "analyse",
                "demo",
                "--no-store",
                "--config",
                "r/patella.toml",
            ],
        ),
    ];
    copy_dir(&demo(), &t.join("demo"));
    for (name, what, args) in cases {
        let r = t.join("r");
        std::fs::remove_dir_all(&r).ok();
        copy_dir(&old, &r);
        match name {
            "mydata" => copy_dir(&demo(), &r.join("mydata")),
            "club" => copy_dir(&demo(), &r.join("club/ada")),
            "pain.csv" => std::fs::write(
                r.join(name),
                "date,knee,score,when,note\n2025-03-10,left,3,late,\n",
            )
            .unwrap(),
            _ => std::fs::write(r.join(name), "[thresholds]\n").unwrap(),
        }
        let before = files(&r);
        let mut full: Vec<&std::ffi::OsStr> = args.iter().map(std::ffi::OsStr::new).collect();
        full.extend(args!["--out", "r"]);
        full.extend(DAY.iter().map(std::ffi::OsStr::new));
        let o = run_in(t, &t.join("cache"), &full);
        let e = err(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {e}");
        assert_eq!(
            e.trim_end(),
            format!(
                "patella: {what} r/{name} is inside --out r, whose report patella replaces; move \
                 it out or choose another --out"
            ),
            "{args:?}"
        );
        assert!(o.stdout.is_empty(), "{args:?}: nothing analysed");
        assert_eq!(files(&r), before, "{args:?}: r is as it was");
    }
}

/// Item 2: A runner's own file saved into a report folder was deleted by the next `--out` (and by
/// `watch` within seconds); a copied marker made patella delete every document in a folder. Now
/// the report replaces its own files only, and says what it kept.
#[test]
fn the_runner_s_own_files_in_a_report_folder_stay() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let rep = t.join("rep");
    write_report(t, &rep);
    std::fs::write(rep.join("my-notes.txt"), "notes\n").unwrap();
    std::fs::create_dir_all(rep.join("mine/charts")).unwrap();
    std::fs::write(rep.join("mine/charts/plan.svg"), "<svg/>").unwrap();
    std::fs::write(rep.join("charts/annotated.svg"), "<svg>mine</svg>").unwrap();
    let o = run_in(
        t,
        &t.join("cache"),
        args![
            "analyse",
            demo().as_os_str(),
            "--no-store",
            "--out",
            "rep",
            DAY[0],
            DAY[1],
            DAY[2],
            DAY[3]
        ],
    );
    assert!(o.status.success(), "{}", err(&o));
    assert!(
        err(&o).contains(
            "patella: kept in rep what patella did not write: charts/annotated.svg, mine, \
             my-notes.txt\n"
        ),
        "{}",
        err(&o)
    );
    assert_eq!(std::fs::read(rep.join("my-notes.txt")).unwrap(), b"notes\n");
    assert_eq!(
        std::fs::read(rep.join("mine/charts/plan.svg")).unwrap(),
        b"<svg/>"
    );
    assert_eq!(
        std::fs::read(rep.join("charts/annotated.svg")).unwrap(),
        b"<svg>mine</svg>"
    );
    assert!(rep.join("index.html").is_file() && rep.join("summary.txt").is_file());
    // Nothing left beside it.
    let beside: Vec<_> = std::fs::read_dir(t)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert!(
        beside
            .iter()
            .all(|n| !n.to_string_lossy().starts_with(".rep")),
        "{beside:?}"
    );

    // A marker copied into a folder of documents (as this version writes it, and as earlier
    // versions wrote it, without a list): the documents stay, byte for byte.
    let marker = std::fs::read(rep.join(".patella-report")).unwrap();
    for (name, text) in [
        ("docs", marker.clone()),
        ("docs-old", b"patella report\nThis folder was written by patella and is replaced whole by the next `patella analyse --out` or `patella watch --out` into it.\n".to_vec()),
    ] {
        let docs = t.join(name);
        std::fs::create_dir_all(docs.join("letters")).unwrap();
        std::fs::write(docs.join("thesis.txt"), "thesis").unwrap();
        std::fs::write(docs.join("cv.txt"), "cv").unwrap();
        std::fs::write(docs.join("letters/a.txt"), "dear knee").unwrap();
        std::fs::write(docs.join(".patella-report"), &text).unwrap();
        let before = files(&docs);
        for _ in 0..2 {
            let o = run_in(
                t,
                &t.join("cache"),
                args!["analyse", demo().as_os_str(), "--no-store", "--out", name, DAY[0], DAY[1], DAY[2], DAY[3]],
            );
            assert!(o.status.success(), "{}", err(&o));
            assert!(err(&o).contains("what patella did not write: cv.txt, letters, thesis.txt"), "{}", err(&o));
        }
        let after = files(&docs);
        for (path, bytes) in &before {
            if path != Path::new(".patella-report") {
                assert_eq!(after.get(path), Some(bytes), "{name}: {}", path.display());
            }
        }
        assert!(docs.join("index.html").is_file());
    }

    // `watch` into the report folder: the notes stay while it rewrites the report.
    let drop = t.join("drop");
    std::fs::create_dir(&drop).unwrap();
    std::fs::copy(demo().join("2025-03-06-run.fit"), drop.join("a.fit")).unwrap();
    let watch = Command::new(bin())
        .current_dir(t)
        .args([
            "watch",
            "drop",
            "--no-store",
            "--poll",
            "--out",
            "rep",
            "--tz",
            "UTC",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let runs =
        |rep: &Path| std::fs::read_to_string(rep.join("runs.csv")).map_or(0, |s| s.lines().count());
    let t0 = Instant::now();
    while runs(&rep) != 2 && t0.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(100));
    }
    std::fs::copy(demo().join("2025-03-09-run.fit"), drop.join("b.fit")).unwrap();
    while runs(&rep) != 3 && t0.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(100));
    }
    Command::new("kill")
        .args(["-INT", &watch.id().to_string()])
        .status()
        .unwrap();
    let out = watch.wait_with_output().unwrap();
    let e = String::from_utf8_lossy(&out.stderr);
    assert_eq!(runs(&rep), 3, "{e}");
    assert_eq!(std::fs::read(rep.join("my-notes.txt")).unwrap(), b"notes\n");
    // Said once, not at every update.
    assert_eq!(e.matches("kept in rep").count(), 1, "{e}");
}

/// Item 3: Removing the old report crossed mount points: every file behind a bind mount inside an old
/// report was deleted (exit 0), and `.rep.old-PID` was left behind. Now the mount is kept, and
/// what lies behind it untouched. Needs a mount namespace (`unshare -rm`); CI requires it.
#[test]
fn a_mount_inside_an_old_report_is_never_entered() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    write_report(t, &t.join("rep"));
    let data = t.join("data");
    std::fs::create_dir_all(data.join("charts")).unwrap();
    std::fs::write(data.join("keep.txt"), "precious").unwrap();
    // Named as the report names its own files.
    std::fs::write(data.join("index.html"), "mine").unwrap();
    std::fs::write(data.join("charts/weekly-km.svg"), "mine").unwrap();
    let before = files(&data);
    std::fs::create_dir(t.join("rep/mnt")).unwrap();
    let script = format!(
        "mount --bind data rep/mnt || exit 99; {bin} analyse {demo} --no-store --out rep --tz UTC \
         --as-of 2025-05-01 >/dev/null; echo \"exit $?\"",
        bin = bin().display(),
        demo = demo().display()
    );
    let o = Command::new("unshare")
        .args(["-rm", "sh", "-c", &script])
        .current_dir(t)
        .output();
    let o = match o {
        Ok(o) if o.status.code() != Some(99) && o.status.success() => o,
        other => {
            assert!(
                std::env::var_os("PATELLA_REQUIRE_MOUNT").is_none(),
                "cannot make a bind mount here: {other:?}"
            );
            eprintln!("skipped: cannot make a bind mount here ({other:?})");
            return;
        }
    };
    let e = err(&o);
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "exit 0", "{e}");
    assert!(
        e.contains("kept in rep what patella did not write: mnt"),
        "{e}"
    );
    assert_eq!(files(&data), before, "nothing behind the mount changed");
    let names: Vec<String> = std::fs::read_dir(t)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.starts_with(".rep")), "{names:?}");
}

/// Item 4: `--store` wrote into folders read and replaced files: `--store demo/store.sqlite` created
/// the database inside the input; `--store demo/run.gpx` renamed that run to `.damaged-<t>` and
/// wrote SQLite in its place; `--store notes.txt` the same to any file; the default store under a
/// folder read (`XDG_CACHE_HOME` inside it) likewise.
#[test]
fn the_store_is_never_inside_a_folder_read_and_never_replaces_a_file() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let d = t.join("d");
    copy_dir(&demo(), &d);
    std::fs::write(t.join("notes.txt"), "my notes").unwrap();
    let conn = rusqlite::Connection::open(t.join("app.db")).unwrap();
    conn.execute_batch("CREATE TABLE files (x); CREATE TABLE people (name);")
        .unwrap();
    drop(conn);
    std::fs::create_dir(t.join("folder")).unwrap();
    let before_d = files(&d);
    let before_t: Vec<_> = ["notes.txt", "app.db"]
        .iter()
        .map(|f| std::fs::read(t.join(f)).unwrap())
        .collect();
    for (store, says) in [
        ("d/store.sqlite", "the store d/store.sqlite is inside d, which patella reads; give --store a path outside it"),
        ("d/2025-03-04-run.gpx", "the store d/2025-03-04-run.gpx is inside d, which patella reads"),
        ("notes.txt", "--store notes.txt: it is not an SQLite database, not a patella store; patella does not write over it (give --store a new file)"),
        ("app.db", "--store app.db: it is an SQLite database of another program, not a patella store"),
        ("folder", "--store folder: it is a folder, not a patella store"),
    ] {
        let o = run_in(t, &t.join("cache"), args!["analyse", "d", "--store", store, DAY[0], DAY[1], DAY[2], DAY[3]]);
        assert_eq!(o.status.code(), Some(2), "{store}: {}", err(&o));
        assert!(err(&o).starts_with(&format!("patella: {says}")), "{store}: {}", err(&o));
        assert!(o.stdout.is_empty(), "{store}: refused before anything was read");
    }
    assert_eq!(files(&d), before_d);
    let after_t: Vec<_> = ["notes.txt", "app.db"]
        .iter()
        .map(|f| std::fs::read(t.join(f)).unwrap())
        .collect();
    assert_eq!(after_t, before_t);
    let leftovers: Vec<_> = std::fs::read_dir(t)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("damaged") || n.contains("-wal") || n.contains("-shm"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // The default store inside a folder read: left out, with a warning; the analysis goes on.
    let o = run_in(
        t,
        &d.join("cache"),
        args!["analyse", "d", DAY[0], DAY[1], DAY[2], DAY[3]],
    );
    assert!(o.status.success(), "{}", err(&o));
    assert!(err(&o).contains("is inside d, which patella reads; give --store a path outside it; going on without the store"), "{}", err(&o));
    assert_eq!(files(&d), before_d);

    // A store of patella's own is used, and used again.
    for _ in 0..2 {
        let o = run_in(
            t,
            &t.join("cache"),
            args![
                "analyse",
                "d",
                "--store",
                "mine.sqlite",
                DAY[0],
                DAY[1],
                DAY[2],
                DAY[3]
            ],
        );
        assert!(o.status.success(), "{}", err(&o));
    }
    let o = run_in(
        t,
        &t.join("cache"),
        args![
            "analyse",
            "d",
            "--store",
            "mine.sqlite",
            DAY[0],
            DAY[1],
            DAY[2],
            DAY[3]
        ],
    );
    assert!(err(&o).contains(", 0 decoded"), "{}", err(&o));
}

/// Item 5: A symbolic link inside a folder read was followed out of it (`ln -s ../rep0
/// demo/reports; analyse demo --out rep0` read rep0 and then replaced it), and a team athlete's
/// folder holding `ln -s ..` got the other athletes' runs.
#[test]
fn a_link_out_of_a_folder_read_is_not_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let d = t.join("d");
    copy_dir(&demo(), &d);
    write_report(t, &t.join("rep0"));
    std::os::unix::fs::symlink("../rep0", d.join("reports")).unwrap();
    // A link to a file inside the folder stays readable.
    std::os::unix::fs::symlink("2025-03-04-run.gpx", d.join("same-run.gpx")).unwrap();
    let o = run_in(
        t,
        &t.join("cache"),
        args![
            "analyse",
            "d",
            "--no-store",
            "--json",
            "--out",
            "rep0",
            DAY[0],
            DAY[1],
            DAY[2],
            DAY[3]
        ],
    );
    assert!(o.status.success(), "{}", err(&o));
    let rep0 = t.join("rep0").canonicalize().unwrap();
    assert!(
        err(&o).contains(&format!(
            "patella: skipped d/reports: a symbolic link to {}, outside the folder read; not followed\n",
            rep0.display()
        )),
        "{}",
        err(&o)
    );
    assert!(
        !err(&o).contains("d/reports/"),
        "nothing under the link was read: {}",
        err(&o)
    );
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let sources: Vec<&str> = doc["activities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["source"].as_str().unwrap())
        .collect();
    assert!(sources.contains(&"d/same-run.gpx"), "{sources:?}");
    let skipped = doc["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert_eq!(skipped[0]["kind"], "link-outside");

    // A team: bob's folder links to the team's folder; ada's folder is linked in twice.
    let club = t.join("club");
    copy_dir(&demo(), &club.join("ada"));
    std::fs::create_dir_all(club.join("bob")).unwrap();
    std::fs::copy(demo().join("2025-03-04-run.gpx"), club.join("bob/run.gpx")).unwrap();
    std::os::unix::fs::symlink("..", club.join("bob/all")).unwrap();
    std::os::unix::fs::symlink(".", club.join("everyone")).unwrap();
    std::os::unix::fs::symlink("ada", club.join("ada-again")).unwrap();
    let o = run_in(
        t,
        &t.join("cache"),
        args![
            "analyse",
            "--athletes",
            "club",
            "--no-store",
            "--json",
            DAY[0],
            DAY[1],
            DAY[2],
            DAY[3]
        ],
    );
    assert!(o.status.success(), "{}", err(&o));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let counts: Vec<(String, usize)> = doc["athletes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["athlete"].as_str().unwrap_or_default().to_string(),
                a["activities"].as_array().unwrap().len(),
            )
        })
        .collect();
    assert_eq!(
        counts.len(),
        2,
        "{counts:?}: ada and bob, no third athlete from a link"
    );
    assert_eq!(counts[1], ("bob".to_string(), 1), "{counts:?}");
    let e = err(&o);
    assert!(
        e.contains("club/everyone: a link to the athletes' folder or around it; not read"),
        "{e}"
    );
    assert!(
        e.contains("club/ada-again: a link into or around the folder of ada; not read"),
        "{e}"
    );
}

/// Item 6: FIFOs hung: `--pain FIFO`, `--config FIFO`, and in a team an `athlete.toml` or its
/// `pain =` file that is a FIFO blocked forever (one athlete stopped the whole team).
#[test]
fn fifos_are_refused_never_waited_on() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let fifo = t.join("fifo");
    mkfifo(&fifo);
    for (option, says) in [
        (
            "--pain",
            "patella: cannot read the pain log fifo: not a regular file (a FIFO); not read",
        ),
        (
            "--config",
            "patella: cannot read config fifo: not a regular file (a FIFO); not read",
        ),
    ] {
        let o = run_in(
            t,
            &t.join("cache"),
            args![
                "analyse",
                demo().as_os_str(),
                "--no-store",
                option,
                "fifo",
                DAY[0],
                DAY[1],
                DAY[2],
                DAY[3]
            ],
        );
        assert_eq!(o.status.code(), Some(2), "{option}: {}", err(&o));
        assert_eq!(err(&o).trim_end(), says);
    }
    let club = t.join("club");
    for name in ["ada", "bob", "cy"] {
        std::fs::create_dir_all(club.join(name)).unwrap();
        std::fs::copy(
            demo().join("2025-03-06-run.fit"),
            club.join(name).join("run.fit"),
        )
        .unwrap();
    }
    mkfifo(&club.join("bob/athlete.toml"));
    std::fs::write(club.join("cy/athlete.toml"), "pain = \"p.csv\"\n").unwrap();
    mkfifo(&club.join("cy/p.csv"));
    let o = run_in(
        t,
        &t.join("cache"),
        args![
            "analyse",
            "--athletes",
            "club",
            "--no-store",
            DAY[0],
            DAY[1],
            DAY[2],
            DAY[3]
        ],
    );
    assert!(o.status.success(), "{}", err(&o));
    let e = err(&o);
    assert!(e.contains("patella: bob: not analysed: cannot read athlete.toml: not a regular file (a FIFO); not read"), "{e}");
    assert!(e.contains("patella: cy: not analysed: cannot read the pain log club/cy/p.csv: not a regular file (a FIFO); not read"), "{e}");
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("ada"),
        "ada is analysed"
    );
}

/// Item 9: Interrupted runs left hidden folders (`.DIR.partial-PID-0`, `.DIR.old-PID-0`) that no
/// later run removed, and a kill between the two renames left no `DIR` at all. Now: killed at any
/// moment, the report is there (the old one or the new one), and the next write removes what the
/// killed run left.
#[test]
fn a_killed_write_never_loses_the_report_and_its_leftovers_go() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let rep = t.join("rep");
    write_report(t, &rep);
    std::fs::write(rep.join("notes.txt"), "mine").unwrap();
    // Leftovers of a process that is gone: removed. One whose process still writes (its marker
    // locked): kept.
    let marker = std::fs::read(rep.join(".patella-report")).unwrap();
    for name in [
        ".rep.partial-999999-0",
        ".rep.old-999999-1",
        ".rep.partial-1-2",
    ] {
        std::fs::create_dir_all(t.join(name).join("charts")).unwrap();
        std::fs::write(t.join(name).join(".patella-report"), &marker).unwrap();
        std::fs::write(t.join(name).join("charts/x.svg"), "x").unwrap();
    }
    let live = std::fs::File::open(t.join(".rep.partial-1-2/.patella-report")).unwrap();
    live.lock().unwrap();
    // Not patella's (no marker): never touched.
    std::fs::create_dir(t.join(".rep.partial-999999-3")).unwrap();
    write_report(t, &rep);
    let mut hidden: Vec<String> = std::fs::read_dir(t)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    hidden.sort();
    assert_eq!(hidden, [".rep.partial-1-2", ".rep.partial-999999-3"]);
    drop(live);
    std::fs::remove_dir_all(t.join(".rep.partial-1-2")).unwrap();
    std::fs::remove_dir(t.join(".rep.partial-999999-3")).unwrap();

    // Killed at every moment of a write, one after another: with the runner's file in the
    // report (written in place) and without (the two folders swapped).
    let mut kills = 0;
    for in_place in [true, false] {
        if !in_place {
            std::fs::remove_file(rep.join("notes.txt")).unwrap();
        }
        for step in 0..16u64 {
            let mut child = Command::new(bin())
                .current_dir(t)
                .args([
                    "analyse",
                    demo().to_str().unwrap(),
                    "--no-store",
                    "--out",
                    "rep",
                ])
                .args(DAY)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            std::thread::sleep(Duration::from_millis(60 * step));
            if child.try_wait().unwrap().is_none() {
                child.kill().unwrap();
                kills += 1;
            }
            child.wait().unwrap();
            assert!(
                rep.join("index.html").is_file(),
                "step {step}: the report is there"
            );
            assert!(rep.join(".patella-report").is_file(), "step {step}");
            if in_place {
                assert_eq!(
                    std::fs::read(rep.join("notes.txt")).unwrap(),
                    b"mine",
                    "step {step}"
                );
            }
        }
    }
    assert!(kills >= 10, "only {kills} runs were killed mid-way");
    write_report(t, &rep);
    let hidden: Vec<String> = std::fs::read_dir(t)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(hidden.is_empty(), "{hidden:?}");
    let inside: Vec<String> = std::fs::read_dir(&rep)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".patella-partial"))
        .collect();
    assert!(inside.is_empty(), "{inside:?}");
}

/// Item 10: `watch` counted FIFOs and devices as skipped but never named them on stderr.
#[test]
fn watch_names_what_it_does_not_read() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let drop = t.join("drop");
    std::fs::create_dir(&drop).unwrap();
    std::fs::copy(demo().join("2025-03-06-run.fit"), drop.join("a.fit")).unwrap();
    mkfifo(&drop.join("first.fit"));
    let watch = Command::new(bin())
        .current_dir(t)
        .args([
            "watch",
            "drop",
            "--no-store",
            "--poll",
            "--out",
            "rep",
            "--tz",
            "UTC",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    while !t.join("rep/index.html").exists() && t0.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(100));
    }
    mkfifo(&drop.join("later.fit"));
    std::thread::sleep(Duration::from_millis(1500));
    Command::new("kill")
        .args(["-INT", &watch.id().to_string()])
        .status()
        .unwrap();
    let e = String::from_utf8_lossy(&watch.wait_with_output().unwrap().stderr).into_owned();
    assert_eq!(
        e.matches("patella: skipped drop/first.fit: not a regular file (a FIFO); not read")
            .count(),
        1,
        "{e}"
    );
    assert_eq!(
        e.matches("patella: skipped drop/later.fit: not a regular file (a FIFO); not read")
            .count(),
        1,
        "{e}"
    );
}

/// Item 11: `summary.txt` was promised in the report and never written; and `--out .` in an empty
/// folder was refused as "not a patella report".
#[test]
fn the_report_holds_the_summary_and_may_be_the_current_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let here = t.join("here");
    std::fs::create_dir(&here).unwrap();
    for round in 0..2 {
        let o = run_in(
            &here,
            &t.join("cache"),
            args![
                "analyse",
                demo().as_os_str(),
                "--no-store",
                "--out",
                ".",
                "--all",
                DAY[0],
                DAY[1],
                DAY[2],
                DAY[3]
            ],
        );
        assert!(o.status.success(), "round {round}: {}", err(&o));
        // The same text as on stdout (no colour in a pipe), with the same options.
        assert_eq!(
            std::fs::read(here.join("summary.txt")).unwrap(),
            o.stdout,
            "round {round}"
        );
    }
    let names: Vec<String> = std::fs::read_dir(t)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 1, "nothing beside it: {names:?}");
    let inside: Vec<String> = std::fs::read_dir(&here)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".patella-partial"))
        .collect();
    assert!(inside.is_empty(), "{inside:?}");
}

/// The thresholds file: at most 1 MiB, and what it holds never reaches the terminal raw.
#[test]
fn a_thresholds_file_is_bounded_and_its_text_sanitised() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    std::fs::write(
        t.join("esc.toml"),
        "\u{1b}]8;;http://x\u{1b}\\[thresholds]\nbad = 1\n",
    )
    .unwrap();
    let o = run_in(
        t,
        &t.join("cache"),
        args![
            "analyse",
            demo().as_os_str(),
            "--no-store",
            "--config",
            "esc.toml"
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(!o.stderr.contains(&0x1b), "{}", err(&o));
    assert!(
        err(&o).starts_with("patella: config esc.toml:"),
        "{}",
        err(&o)
    );
    std::fs::write(t.join("big.toml"), vec![b'#'; 2 << 20]).unwrap();
    let o = run_in(
        t,
        &t.join("cache"),
        args![
            "analyse",
            demo().as_os_str(),
            "--no-store",
            "--config",
            "big.toml"
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        err(&o).trim_end(),
        "patella: cannot read config big.toml: file is 2.0 MiB, over the 1.0 MiB limit"
    );
}
