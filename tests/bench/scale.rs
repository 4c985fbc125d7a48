//! Speed at scale, side by side in one run: `cargo bench --bench scale`.
//!
//! Generates (once, under the target folder) ten years of one runner as a folder of 3,000 gzipped
//! GPX and TCX files at 1 Hz, and a history of 1,000 runs beside it, then times, each as a whole
//! process under `/usr/bin/time -v` (wall clock and peak memory):
//!
//! - `zcat`: `cat FILES | zcat > /dev/null`, what inflating the files alone costs on one core;
//! - patella cold: `patella analyse --json --no-store` on the folder;
//! - patella warm: the same with a store that already holds every file (its JSON compared byte for
//!   byte with the cold one's);
//! - on the corpus's FIT files: patella cold against fitparser decoding the same bytes in this
//!   process (already read into memory).
//!
//! Each command runs `PATELLA_SCALE_REPEAT` times (default 3) in rounds that take the commands
//! each ratio compares one after the other (zcat and patella cold on each folder; on the
//! corpus's FIT files, in `PATELLA_SCALE_FIT_ROUNDS` rounds, default 11, patella, fitparser and
//! patella's decoder), so that a machine slowing down meanwhile weighs on both sides alike. The
//! table gives the median wall clock and the largest peak memory, and the ratios the issue asks
//! for, of the medians and of the fastest runs. It is printed and written to
//! `TARGET/patella-scale/results.md`. `PATELLA_SCALE_RUNS` (default 3000) sets the size of the
//! large set; the small one is a third of it.

#[path = "common.rs"]
mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use common::{env_or, measure, require_time, target_dir, timed, timed_into, Measured, Run, Table};

use rayon::prelude::*;

use patella::synth::{gzip, history, simulate, to_gpx, to_tcx};

const PATELLA: &str = env!("CARGO_BIN_EXE_patella");

fn main() {
    // `cargo bench` passes `--bench`; any other argument (a filter) is not ours to read.
    let runs: usize = env_or("PATELLA_SCALE_RUNS", 3000);
    let repeat: usize = env_or("PATELLA_SCALE_REPEAT", 3).max(1);
    // Runs of well under a second: more of them, for a median that jitter does not move.
    let fit_rounds: usize = env_or("PATELLA_SCALE_FIT_ROUNDS", 11).max(1);
    require_time();
    let base = target_dir().join("patella-scale");
    let large = generate(&base, runs);
    let small = generate(&base, runs / 3);
    let mut table = Table::default();

    let large_files = listing(&large);
    let small_files = listing(&small);
    let export_bytes: u64 = large_files.iter().map(|f| size(f)).sum();
    let scratch = tempfile::tempdir().expect("a temporary folder");
    let cold_json = scratch.path().join("cold.json");
    let small_json = scratch.path().join("small.json");
    // In rounds of one of each, as the ratios pair them: a machine that slows down meanwhile
    // weighs on both sides of each ratio alike.
    let mut rounds: [Vec<Run>; 4] = Default::default();
    for _ in 0..repeat {
        rounds[0].push(zcat(&large_files));
        rounds[1].push(patella(&large, None, &cold_json, scratch.path()));
        rounds[2].push(zcat(&small_files));
        rounds[3].push(patella(&small, None, &small_json, scratch.path()));
    }
    let [zcat_large, cold_large, zcat_small, cold_small] = rounds.map(median);
    let store = scratch.path().join("store.sqlite");
    let warm_json = scratch.path().join("warm.json");
    let fill = measure(1, || {
        patella(&large, Some(&store), &warm_json, scratch.path())
    });
    let warm = measure(repeat, || {
        patella(&large, Some(&store), &warm_json, scratch.path())
    });
    let identical = std::fs::read(&cold_json).ok() == std::fs::read(&warm_json).ok();
    let store_bytes: u64 = ["", "-wal"]
        .iter()
        .map(|s| size(&PathBuf::from(format!("{}{s}", store.display()))))
        .sum();

    let (n_small, n_large) = (small_files.len(), large_files.len());
    for (n, m) in [(n_small, &zcat_small), (n_large, &zcat_large)] {
        table.row(&format!("zcat, {n} files (1 thread)"), m);
    }
    for (n, m) in [(n_small, &cold_small), (n_large, &cold_large)] {
        table.row(&format!("patella cold, {n} files"), m);
    }
    table.row("patella filling the store (once)", &fill);
    table.row(&format!("patella warm, {} files", large_files.len()), &warm);

    // The corpus's FIT files: patella's whole job against fitparser's decode alone.
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let fit = corpus.is_dir().then(|| {
        let fits: Vec<PathBuf> = listing(&corpus)
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("fit")))
            .collect();
        let bytes: Vec<Vec<u8>> = fits.iter().map(|p| std::fs::read(p).unwrap()).collect();
        let total: u64 = bytes.iter().map(|b| b.len() as u64).sum();
        let json = scratch.path().join("fit.json");
        // In rounds of one of each, so that a machine that slows down or speeds up meanwhile
        // weighs on both sides of the ratio alike; each a median over the rounds.
        let (mut ours, mut theirs, mut decode) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..fit_rounds {
            ours.push(patella_files(&fits, &json, scratch.path()));
            theirs.push(in_process(|| {
                for b in &bytes {
                    let _ = std::hint::black_box(fitparser::from_bytes(b));
                }
            }));
            // The decoder alone, in this process, for MiB/s.
            decode.push(in_process(|| {
                for (p, b) in fits.iter().zip(&bytes) {
                    let _ = std::hint::black_box(patella::ingest::fit::read(
                        b,
                        &p.display().to_string(),
                    ));
                }
            }));
        }
        (
            fits.len(),
            total,
            median(ours),
            median(theirs),
            median(decode),
        )
    });
    if let Some((n, _, ours, theirs, _)) = &fit {
        table.row(&format!("patella cold, corpus FIT ({n} files)"), ours);
        table.row(
            "fitparser decode, same files (in process, 1 thread)",
            theirs,
        );
    }

    let mut out = String::new();
    out += &format!(
        "Export: {} files, {:.0} MB gzipped; {} threads; median of {repeat} (corpus FIT: of {fit_rounds} rounds).\n\n",
        large_files.len(),
        export_bytes as f64 / 1e6,
        rayon::current_num_threads()
    );
    out += &table.render();
    out += "\n";
    let ratio = |a: &Measured, b: &Measured| a.wall_s / b.wall_s;
    // Of the fastest run of each: what the code costs where the machine took least away.
    let fastest = |a: &Measured, b: &Measured| a.runs[0] / b.runs[0];
    out += &format!(
        "- cold / zcat ({} files): {:.2}, fastest runs {:.2} (goal ≤ 0.5)\n",
        large_files.len(),
        ratio(&cold_large, &zcat_large),
        fastest(&cold_large, &zcat_large)
    );
    out += &format!(
        "- cold {} files / cold {} files: {:.2}, fastest runs {:.2} (goal ≤ 3.3; files {:.2}×)\n",
        large_files.len(),
        small_files.len(),
        ratio(&cold_large, &cold_small),
        fastest(&cold_large, &cold_small),
        large_files.len() as f64 / small_files.len() as f64
    );
    out += &format!(
        "- warm / cold: {:.3} (goal ≤ 0.1); JSON byte-identical: {identical}\n",
        ratio(&warm, &cold_large)
    );
    out += &format!(
        "- peak memory: cold {:.0} MB, warm {:.0} MB (goal ≤ 250 MB)\n",
        cold_large.rss_kb as f64 / 1024.0,
        warm.rss_kb as f64 / 1024.0
    );
    out += &format!(
        "- store: {:.1} MB = {:.3} of the export (goal ≤ 0.1)\n",
        store_bytes as f64 / 1e6,
        store_bytes as f64 / export_bytes as f64
    );
    if let Some((n, total, ours, theirs, decode)) = &fit {
        let mib = *total as f64 / 1024.0 / 1024.0;
        out += &format!(
            "- corpus FIT ({n} files, {mib:.1} MiB): patella cold / fitparser decode: {:.4}, fastest runs {:.4} (goal ≤ 1/30 = 0.0333); patella's decoder alone {:.0} MiB/s, fastest run {:.0} (goal ≥ 300)\n",
            ratio(ours, theirs),
            fastest(ours, theirs),
            mib / decode.wall_s,
            mib / decode.runs[0]
        );
    }
    print!("{out}");
    let _ = std::fs::write(base.join("results.md"), &out);
}

/// The folder of `runs` generated runs (written once; a marker beside it, outside the folder
/// patella reads, says it is whole).
fn generate(base: &Path, runs: usize) -> PathBuf {
    let dir = base.join(format!("history-{runs}"));
    let marker = base.join(format!("history-{runs}.complete"));
    if marker.exists() {
        return dir;
    }
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("the scale folder");
    eprintln!("generating {runs} runs under {}", dir.display());
    let plans: Vec<_> = history(runs, 7)
        .into_iter()
        .filter(|p| p.sport == patella::model::Sport::Running)
        .collect();
    plans.par_iter().enumerate().for_each(|(i, plan)| {
        let a = simulate(plan);
        let day = plan.start_utc.format("%Y-%m-%d");
        let (name, text) = if i % 2 == 0 {
            (format!("{day}-{i:04}.gpx.gz"), to_gpx(&a))
        } else {
            (format!("{day}-{i:04}.tcx.gz"), to_tcx(&a))
        };
        std::fs::write(dir.join(name), gzip(text.as_bytes())).expect("a generated file");
    });
    std::fs::File::create(&marker)
        .and_then(|mut f| f.write_all(b"done\n"))
        .expect("the marker");
    dir
}

/// Every file under `dir`, as patella finds them (name order, hidden names passed over).
fn listing(dir: &Path) -> Vec<PathBuf> {
    patella::ingest::discover(&[dir.to_path_buf()]).0
}

fn size(p: &Path) -> u64 {
    std::fs::metadata(p).map_or(0, |m| m.len())
}

fn zcat(files: &[PathBuf]) -> Run {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg("cat -- \"$@\" | zcat > /dev/null")
        .arg("sh");
    cmd.args(files);
    timed(cmd, "zcat")
}

/// `patella analyse --json` on `dir`, with the store at `store` or none; stdout into `json`.
fn patella(dir: &Path, store: Option<&Path>, json: &Path, home: &Path) -> Run {
    let mut cmd = Command::new("sh");
    let store_args = match store {
        Some(s) => format!("--store '{}'", s.display()),
        None => "--no-store".into(),
    };
    cmd.arg("-c").arg(format!(
        "exec '{PATELLA}' analyse --json {store_args} --tz Europe/Berlin --as-of 2026-01-01 '{}' > '{}'",
        dir.display(),
        json.display()
    ));
    cmd.env("XDG_CACHE_HOME", home);
    timed(cmd, "patella analyse")
}

/// `patella analyse --json --no-store FILES`, stdout into `json` (no shell in between: its start
/// would count against patella's tens of milliseconds).
fn patella_files(files: &[PathBuf], json: &Path, home: &Path) -> Run {
    let mut cmd = Command::new(PATELLA);
    cmd.args([
        "analyse",
        "--json",
        "--no-store",
        "--tz",
        "UTC",
        "--as-of",
        "2026-01-01",
    ]);
    cmd.args(files);
    cmd.env("XDG_CACHE_HOME", home);
    timed_into(cmd, "patella analyse (FIT corpus)", Some(json))
}

/// The median and peak memory of runs already made.
fn median(runs: Vec<Run>) -> Measured {
    let n = runs.len();
    let mut runs = runs.into_iter();
    measure(n, || runs.next().expect("as many runs as counted"))
}

/// The wall clock of `f`, run in this process.
fn in_process(f: impl FnOnce()) -> Run {
    let t = Instant::now();
    f();
    Run {
        wall_s: t.elapsed().as_secs_f64(),
        rss_kb: 0,
    }
}
