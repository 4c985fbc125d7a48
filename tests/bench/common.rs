//! What the whole-process benchmarks share (`scale.rs`, `team.rs`): a command timed under
//! `/usr/bin/time -v` (wall clock and peak memory), repeated, and a markdown table of the results.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// A number from the environment, or `default`.
pub fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Exits with a message when `/usr/bin/time`, which measures peak memory, is missing.
pub fn require_time() {
    if !Path::new("/usr/bin/time").exists() {
        eprintln!(
            "error: /usr/bin/time is missing (Debian package `time`); it measures peak memory"
        );
        std::process::exit(1);
    }
}

/// The target folder: a benchmark runs from `TARGET/release/deps/`.
pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the benchmark's own path");
    exe.ancestors()
        .nth(3)
        .map(Path::to_path_buf)
        .unwrap_or_else(std::env::temp_dir)
}

/// One run of a command: wall clock and peak resident memory.
#[derive(Clone, Copy)]
pub struct Run {
    pub wall_s: f64,
    pub rss_kb: u64,
}

/// A command measured `repeat` times: the median wall clock, the largest peak memory.
pub struct Measured {
    pub wall_s: f64,
    pub rss_kb: u64,
    pub runs: Vec<f64>,
}

pub fn measure(repeat: usize, mut f: impl FnMut() -> Run) -> Measured {
    let runs: Vec<Run> = (0..repeat).map(|_| f()).collect();
    let mut walls: Vec<f64> = runs.iter().map(|r| r.wall_s).collect();
    walls.sort_by(f64::total_cmp);
    Measured {
        wall_s: walls[walls.len() / 2],
        rss_kb: runs.iter().map(|r| r.rss_kb).max().unwrap_or(0),
        runs: walls,
    }
}

/// Runs `cmd` under `/usr/bin/time -v`; panics (naming it) when it fails.
pub fn timed(cmd: Command, what: &str) -> Run {
    timed_into(cmd, what, None)
}

/// [`timed`], with the command's standard output written to `stdout` (no shell in between).
pub fn timed_into(cmd: Command, what: &str, stdout: Option<&Path>) -> Run {
    let report = tempfile::NamedTempFile::new().expect("a temporary file");
    let mut timed = Command::new("/usr/bin/time");
    timed
        .arg("-v")
        .arg("-o")
        .arg(report.path())
        .arg(cmd.get_program());
    timed.args(cmd.get_args());
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => timed.env(k, v),
            None => timed.env_remove(k),
        };
    }
    if let Some(path) = stdout {
        timed.stdout(std::fs::File::create(path).expect("the output file"));
    }
    let t = Instant::now();
    let status = timed.status().expect("/usr/bin/time runs");
    let wall_s = t.elapsed().as_secs_f64();
    assert!(status.success(), "{what} failed: {status}");
    let text = std::fs::read_to_string(report.path()).unwrap_or_default();
    let rss_kb = text
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    Run { wall_s, rss_kb }
}

/// The rows of a results table: what, median wall clock, peak memory, every run.
#[derive(Default)]
pub struct Table {
    rows: Vec<(String, f64, u64, String)>,
}

impl Table {
    pub fn row(&mut self, what: &str, m: &Measured) {
        let runs = m
            .runs
            .iter()
            .map(|s| seconds(*s))
            .collect::<Vec<_>>()
            .join(", ");
        self.rows.push((what.to_string(), m.wall_s, m.rss_kb, runs));
    }

    pub fn render(&self) -> String {
        let mut out = String::from(
            "| what | wall clock (s) | peak memory (MB) | runs (s) |\n|---|---:|---:|---|\n",
        );
        for (what, wall, rss, runs) in &self.rows {
            let mem = if *rss == 0 {
                "–".to_string()
            } else {
                format!("{:.0}", *rss as f64 / 1024.0)
            };
            out += &format!("| {what} | {} | {mem} | {runs} |\n", seconds(*wall));
        }
        out
    }
}

/// Seconds as the tables give them: to the millisecond under a second (a run of 60 ms to the
/// hundredth is ±8 %), to the hundredth above.
fn seconds(s: f64) -> String {
    if s < 1.0 {
        format!("{s:.3}")
    } else {
        format!("{s:.2}")
    }
}
