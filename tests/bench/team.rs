//! A team at scale, side by side in one run: `cargo bench --bench team`.
//!
//! Generates (once, under the target folder) a team of `PATELLA_TEAM_ATHLETES` athletes (default
//! 100) of `PATELLA_TEAM_RUNS` runs each (default 300; their strength sessions besides), each
//! athlete's files gzipped FIT at 1 Hz in a folder of their own (`synth::team`), and two roots
//! linking to the first tenth of them and to all. Then times, each as a whole process under
//! `/usr/bin/time -v` (wall clock and peak memory), `PATELLA_TEAM_REPEAT` times (default 1):
//!
//! - one athlete alone: `patella analyse FOLDER --out DIR --no-store` (the working set of one
//!   athlete, on all threads);
//! - the tenth and the whole team: `patella analyse --athletes ROOT --out DIR --no-store`;
//! - the whole team's `--json` into a file.
//!
//! The table and the ratios (time of the whole against the tenth: 10 when linear; peak memory of
//! the team against one athlete's) are printed and written to `TARGET/patella-team/results.md`.

#[path = "common.rs"]
mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::NaiveDate;
use rayon::prelude::*;

use common::{env_or, measure, require_time, target_dir, timed, Run, Table};
use patella::synth::{gzip, member};

const PATELLA: &str = env!("CARGO_BIN_EXE_patella");
const AS_OF: &str = "2026-03-02";

fn main() {
    let athletes = env_or("PATELLA_TEAM_ATHLETES", 100).max(10);
    let runs = env_or("PATELLA_TEAM_RUNS", 300);
    let repeat = env_or("PATELLA_TEAM_REPEAT", 1).max(1);
    require_time();
    let base = target_dir().join("patella-team");
    let folders = generate(&base, athletes, runs);
    let tenth = root(&base, &folders[..athletes / 10]);
    let whole = root(&base, &folders);
    let bytes: u64 = folders.iter().map(|f| folder_size(f)).sum();
    let scratch = tempfile::tempdir().expect("a temporary folder");
    let out = |name: &str| scratch.path().join(name);

    let one = measure(repeat, || analyse_one(&folders[0], &out("one")));
    let small = measure(repeat, || team(&tenth, &out("tenth")));
    let large = measure(repeat, || team(&whole, &out("whole")));
    let json = measure(repeat, || team_json(&whole, &out("team.json")));

    let mut table = Table::default();
    table.row("one athlete alone (--out)", &one);
    table.row(
        &format!("{} athletes (--athletes --out)", athletes / 10),
        &small,
    );
    table.row(&format!("{athletes} athletes (--athletes --out)"), &large);
    table.row(&format!("{athletes} athletes (--athletes --json)"), &json);
    let threads = rayon::current_num_threads();
    let text = format!(
        "Team: {athletes} athletes of {runs} runs each ({:.0} MB of gzipped FIT); {threads} \
         threads; median of {repeat}; --no-store.\n\n{}\n\
         - {athletes} against {} athletes: {:.2} × the time (10 when linear)\n\
         - per athlete: {:.2} s in the team of {}, {:.2} s in the team of {athletes}, {:.2} s alone\n\
         - peak memory of the team of {athletes}: {:.2} × one athlete's alone ({:.0} MB against \
           {:.0} MB; {threads} athletes analysed at a time)\n",
        bytes as f64 / 1e6,
        table.render(),
        athletes / 10,
        large.wall_s / small.wall_s,
        small.wall_s / (athletes / 10) as f64,
        athletes / 10,
        large.wall_s / athletes as f64,
        one.wall_s,
        large.rss_kb as f64 / one.rss_kb.max(1) as f64,
        large.rss_kb as f64 / 1024.0,
        one.rss_kb as f64 / 1024.0,
    );
    println!("{text}");
    std::fs::write(base.join("results.md"), &text).expect("results.md");
}

/// The athletes' folders (written once; a marker beside them says they are whole).
fn generate(base: &Path, athletes: usize, runs: usize) -> Vec<PathBuf> {
    let dir = base.join(format!("athletes-{athletes}x{runs}"));
    let marker = base.join(format!("athletes-{athletes}x{runs}.complete"));
    let folders: Vec<PathBuf> = (0..athletes)
        .map(|i| dir.join(format!("athlete-{:02}", i + 1)))
        .collect();
    if marker.exists() {
        return folders;
    }
    let _ = std::fs::remove_dir_all(&dir);
    eprintln!(
        "generating {athletes} athletes of {runs} runs under {}",
        dir.display()
    );
    let end = NaiveDate::parse_from_str(AS_OF, "%Y-%m-%d").expect("the day");
    (0..athletes).into_par_iter().for_each(|i| {
        let m = member(i, runs, end);
        let folder = dir.join(&m.key);
        std::fs::create_dir_all(&folder).expect("an athlete's folder");
        for (name, bytes) in m.files {
            let (name, bytes) = if name.ends_with(".fit") {
                (format!("{name}.gz"), gzip(&bytes))
            } else {
                (name, bytes)
            };
            std::fs::write(folder.join(name), bytes).expect("a generated file");
        }
    });
    std::fs::File::create(&marker)
        .and_then(|mut f| f.write_all(b"done\n"))
        .expect("the marker");
    folders
}

/// A root of symbolic links to `folders` (made anew).
fn root(base: &Path, folders: &[PathBuf]) -> PathBuf {
    let root = base.join(format!("root-{}", folders.len()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).expect("a root");
    for f in folders {
        let name = f.file_name().expect("a folder name");
        std::os::unix::fs::symlink(f, root.join(name)).expect("a link");
    }
    root
}

fn folder_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

fn shell(script: String, what: &str) -> Run {
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(script);
    timed(cmd, what)
}

fn analyse_one(folder: &Path, out: &Path) -> Run {
    let _ = std::fs::remove_dir_all(out);
    shell(
        format!(
            "exec '{PATELLA}' analyse --no-store --tz UTC --as-of {AS_OF} --out '{}' '{}' > /dev/null 2>&1",
            out.display(),
            folder.display()
        ),
        "patella analyse (one athlete)",
    )
}

fn team(root: &Path, out: &Path) -> Run {
    let _ = std::fs::remove_dir_all(out);
    shell(
        format!(
            "exec '{PATELLA}' analyse --athletes '{}' --no-store --tz UTC --as-of {AS_OF} --out '{}' > /dev/null 2>&1",
            root.display(),
            out.display()
        ),
        "patella analyse --athletes",
    )
}

fn team_json(root: &Path, json: &Path) -> Run {
    shell(
        format!(
            "exec '{PATELLA}' analyse --athletes '{}' --no-store --tz UTC --as-of {AS_OF} --json > '{}' 2>/dev/null",
            root.display(),
            json.display()
        ),
        "patella analyse --athletes --json",
    )
}
