//! The alert budget: how often patella speaks on real training. `cargo bench --bench
//! alert_budget`.
//!
//! For each history it has, the analysis as of the day after its last activity (as the runner
//! would read it that morning), in UTC with weeks from Monday, and a table of:
//!
//! - weeks and runs;
//! - events per 12 weeks and habits raised per 12 weeks;
//! - the events open (dated in the 14 days before) and the habits in force on that day: what the
//!   terminal and the report open with;
//! - the most events open on any Monday of the history's last year;
//! - the codes of the events, most frequent first.
//!
//! The histories: the two Strava manifests of `../shared/real-exports` (5 and 11 years of one
//! runner each), the month of `../shared/corpus`, `fixtures/demo`, a generated history of 600
//! runs, and each folder under `PATELLA_REAL_HISTORIES` (real exports runners published whose
//! licence keeps them out of the repository: the README lists those measured). Then the opening
//! of the terminal summary of each, up to its weeks. The table is printed and written to
//! `TARGET/patella-alert-budget/results.md`.

#[path = "common.rs"]
mod common;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chrono::{Days, NaiveDate};

use patella::analysis::{self, Analysis, Extract, Kind, Settings, WeekStart};
use patella::ingest::Limits;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut histories: Vec<(String, Vec<PathBuf>)> = vec![
        (
            "eoinlees (manifest)".into(),
            vec![root.join("../shared/real-exports/eoinlees-PforDA-Project-2020")],
        ),
        (
            "JoBoSo (manifest)".into(),
            vec![root.join(
                "../shared/real-exports/JoBoSo-Strava-Activity-Map/strava_exports/export_08_25_2025",
            )],
        ),
        ("corpus".into(), vec![root.join("../shared/corpus")]),
        ("fixtures/demo".into(), vec![root.join("fixtures/demo")]),
    ];
    if let Ok(dir) = std::env::var("PATELLA_REAL_HISTORIES") {
        let mut more: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("PATELLA_REAL_HISTORIES {dir}: {e}"))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_dir())
            .collect();
        more.sort();
        for p in more {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            histories.push((name, vec![p]));
        }
    }

    let mut table = String::from(
        "| history | weeks | runs | events / 12 weeks | habits / 12 weeks | events open | \
         habits in force | most open on a Monday of the last year | events by code |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---|\n",
    );
    let mut openings = String::new();
    let mut row = |name: &str, extracts: &[Extract]| {
        let Some(a) = analyse(extracts) else {
            eprintln!("{name}: nothing to analyse");
            return;
        };
        let weeks = a.weeks.len();
        let runs: u32 = a.weeks.iter().map(|w| w.runs).sum();
        let events: Vec<_> = a
            .findings
            .iter()
            .filter(|f| f.kind == Kind::Event)
            .collect();
        let habits = a.findings.iter().filter(|f| f.kind == Kind::Habit).count();
        let per_12 = |n: usize| n as f64 / weeks.max(1) as f64 * 12.0;
        let outlook = a.outlook.as_ref();
        let open = outlook.map_or(0, |o| o.open_findings.len());
        let in_force = outlook.map_or(0, |o| o.habits_in_force.len());
        let mut codes: BTreeMap<&str, usize> = BTreeMap::new();
        for f in &events {
            *codes.entry(f.code.code()).or_default() += 1;
        }
        let mut codes: Vec<_> = codes.into_iter().collect();
        codes.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(y.0)));
        let codes: Vec<String> = codes.iter().map(|(c, n)| format!("{c} {n}")).collect();
        let _ = writeln!(
            table,
            "| {name} | {weeks} | {runs} | {:.1} | {:.1} | {open} | {in_force} | {} | {} |",
            per_12(events.len()),
            per_12(habits),
            worst_monday(&a),
            codes.join(", ")
        );
        let summary = patella::report::terminal::render(&a);
        let head: Vec<&str> = summary
            .lines()
            .take_while(|l| !l.starts_with("Weeks"))
            .collect();
        let _ = writeln!(openings, "### {name}\n\n```\n{}\n```\n", head.join("\n"));
    };
    for (name, paths) in &histories {
        if !paths.iter().all(|p| p.exists()) {
            eprintln!("{name}: not here ({}), left out", paths[0].display());
            continue;
        }
        let got = patella::pipeline::extract(paths, &Limits::default(), None, &|_, _| {});
        row(name, &got.extracts);
    }
    let generated: Vec<Extract> = patella::synth::history(600, 11)
        .iter()
        .map(|p| analysis::extract(&patella::synth::simulate(p)))
        .collect();
    row("generated (600 runs)", &generated);

    print!("{table}\n{openings}");
    let out = common::target_dir().join("patella-alert-budget");
    std::fs::create_dir_all(&out).expect("the benchmark's folder");
    std::fs::write(out.join("results.md"), format!("{table}\n{openings}")).expect("results.md");
    eprintln!("written to {}", out.join("results.md").display());
}

/// The analysis as of the day after the last activity, in UTC, weeks from Monday.
fn analyse(extracts: &[Extract]) -> Option<Analysis> {
    let last: NaiveDate = extracts.iter().map(|e| e.start_utc.date_naive()).max()?;
    let settings = Settings {
        as_of: Some(last + Days::new(1)),
        ..Settings::new(chrono_tz::UTC, WeekStart::Mon)
    };
    analysis::analyse_extracts(extracts, Vec::new(), &settings).ok()
}

/// The most events dated in the 14 days before any Monday of the last year of `a`.
fn worst_monday(a: &Analysis) -> usize {
    let Some(last) = a.weeks.last().map(|w| w.start) else {
        return 0;
    };
    (0..52u64)
        .map(|k| {
            let day = last - Days::new(7 * k);
            a.findings
                .iter()
                .filter(|f| f.kind == Kind::Event)
                .filter(|f| f.date.is_some_and(|d| d < day && d >= day - Days::new(14)))
                .count()
        })
        .max()
        .unwrap_or(0)
}
