//! Work that grows with its input, a tenth against the whole in one run: `cargo bench --bench
//! linear`.
//!
//! Generates (once, under `TARGET/patella-linear/`, with the generators below) FIT files of
//! `PATELLA_LINEAR_SESSIONS` running sessions (default 50,000) and of a tenth of them, each session
//! two records and its session message, and pain logs (`date,knee,score,when,note`) of
//! `PATELLA_LINEAR_PAIN_ROWS` rows (default 80,000) and of a tenth. Each pair is timed, the tenth
//! and then the whole, as whole processes under `/usr/bin/time -v` (wall clock, CPU time and peak
//! memory), `patella analyse --json --no-store --tz UTC --as-of DATE FILES [--pain LOG]`, in
//! `PATELLA_LINEAR_REPEAT` rounds (default 3):
//!
//! - the sessions one every three hours from 2000-01-01;
//! - the sessions one every 2.5 minutes, without heart rate (hard sessions judged by pace), so
//!   that the look-back windows (30 days, 8 weeks) hold thousands of runs;
//! - the sessions all at the same second, none of them the same run (duplicates are looked for
//!   among the sessions of two minutes);
//! - the pain logs beside `fixtures/demo`, four entries a day from 2025-03-01;
//! - the sessions every three hours with a pain entry on each of their days (every entry among
//!   the findings and runs of its 14 days).
//!
//! The ratio of the medians, the whole against the tenth, is 10 when the work is linear and 100
//! when it is quadratic. Then the two worst cases run once each: twice the sessions
//! (100,000 by default, 6.1 MB) and a pain log of just under 15 MiB. The table and the ratios are
//! printed and written to `TARGET/patella-linear/results.md`. With `PATELLA_LINEAR_GENERATE_ONLY`
//! set, the files are written and nothing is timed.

#[path = "common.rs"]
mod common;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use chrono::{Days, NaiveDate};

use common::{env_or, require_time, target_dir};

const PATELLA: &str = env!("CARGO_BIN_EXE_patella");

fn main() {
    let sessions = env_or("PATELLA_LINEAR_SESSIONS", 50_000).max(10);
    let pain_rows = env_or("PATELLA_LINEAR_PAIN_ROWS", 80_000).max(10);
    let repeat = env_or("PATELLA_LINEAR_REPEAT", 3).max(1);
    require_time();
    let base = target_dir().join("patella-linear");
    std::fs::create_dir_all(&base).expect("the benchmark's folder");
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo");
    let scratch = tempfile::tempdir().expect("a temporary folder");

    // The file of `n` sessions laid out so, and its --as-of.
    let fit = |n: usize, layout: Layout| {
        let name = format!("sessions-{n}-{}.fit", layout.name());
        let file = write_once(&base, &name, || fit_sessions(n, layout));
        (file, day_after(n, layout.every_s()))
    };
    let log = |rows: usize, first: NaiveDate, days: u64| {
        let name = format!("pain-{rows}-from-{first}-over-{days}-days.csv");
        write_once(&base, &name, || pain_log(rows, first, days).into_bytes())
    };
    let demo_first = NaiveDate::from_ymd_opt(2025, 3, 1).expect("a date");
    // Four entries a day beside the demo.
    let demo_log = |rows: usize| log(rows, demo_first, (rows as u64).div_ceil(4));
    let fit_alone = |n: usize, layout: Layout| {
        let (file, as_of) = fit(n, layout);
        Job::new(vec![file], None, as_of)
    };
    // A pain entry a day over the days of the sessions (eight a day).
    let fit_and_log = |n: usize| {
        let (file, as_of) = fit(n, Layout::EveryThreeHours);
        let days = (n as u64).div_ceil(8);
        Job::new(
            vec![file],
            Some(log(days as usize, FIT_FIRST_DAY, days)),
            as_of,
        )
    };
    let pain_alone = |rows: usize| Job::new(vec![demo.clone()], Some(demo_log(rows)), DEMO_AS_OF);

    // Pairs of the tenth and the whole.
    let (n, m) = (sessions, pain_rows);
    let pairs: Vec<(String, [Job; 2])> = vec![
        (
            "FIT sessions, one every three hours".into(),
            [
                fit_alone(n / 10, Layout::EveryThreeHours),
                fit_alone(n, Layout::EveryThreeHours),
            ],
        ),
        (
            "FIT sessions, one every 2.5 minutes, hard by pace".into(),
            [
                fit_alone(n / 10, Layout::EveryFewMinutes),
                fit_alone(n, Layout::EveryFewMinutes),
            ],
        ),
        (
            "FIT sessions, all at one second, none the same run".into(),
            [
                fit_alone(n / 10, Layout::AllAtOnce),
                fit_alone(n, Layout::AllAtOnce),
            ],
        ),
        (
            "pain rows beside fixtures/demo".into(),
            [pain_alone(m / 10), pain_alone(m)],
        ),
        (
            "FIT sessions every three hours and a pain entry a day".into(),
            [fit_and_log(n / 10), fit_and_log(n)],
        ),
    ];
    let big_rows = rows_within(15 << 20);
    let once: Vec<(String, Job)> = vec![
        (
            format!("FIT of {} sessions, one every three hours", 2 * n),
            fit_alone(2 * n, Layout::EveryThreeHours),
        ),
        (
            format!("pain log of {big_rows} rows (15 MiB) beside fixtures/demo"),
            pain_alone(big_rows),
        ),
    ];
    if std::env::var_os("PATELLA_LINEAR_GENERATE_ONLY").is_some() {
        // The files are made; nothing is timed.
        println!("{}", base.display());
        return;
    }

    let mut rounds: Vec<[Vec<Run>; 2]> = pairs.iter().map(|_| Default::default()).collect();
    for round in 0..repeat {
        for ((what, jobs), runs) in pairs.iter().zip(&mut rounds) {
            eprintln!("round {} of {repeat}: {what}", round + 1);
            for (job, runs) in jobs.iter().zip(runs.iter_mut()) {
                runs.push(job.run(&scratch.path().join("out.json")));
            }
        }
    }
    let measured: Vec<[Measured; 2]> = rounds
        .into_iter()
        .map(|[tenth, whole]| [median(tenth), median(whole)])
        .collect();
    let once_measured: Vec<Measured> = once
        .iter()
        .map(|(what, job)| {
            eprintln!("once: {what}");
            median(vec![job.run(&scratch.path().join("out.json"))])
        })
        .collect();

    let mut table = Table::default();
    for ((what, jobs), [tenth, whole]) in pairs.iter().zip(&measured) {
        table.row(&format!("{what}: {}", jobs[0].size()), tenth);
        table.row(&format!("{what}: {}", jobs[1].size()), whole);
    }
    for ((what, _), m) in once.iter().zip(&once_measured) {
        table.row(&format!("{what}, once"), m);
    }
    let mut out = format!(
        "Linear work: median of {repeat} rounds, each the tenth then the whole; `analyse --json \
         --no-store --tz UTC`; {} threads.\n\n{}\n",
        rayon::current_num_threads(),
        table.render()
    );
    for ((what, _), [tenth, whole]) in pairs.iter().zip(&measured) {
        let _ = writeln!(
            out,
            "- {what}: the whole / the tenth {:.2} in wall clock, {:.2} in CPU time (10 when \
             linear, 100 when quadratic); peak memory {:.0} / {:.0} MB",
            whole.wall_s / tenth.wall_s,
            whole.cpu_s / tenth.cpu_s,
            whole.rss_kb as f64 / 1024.0,
            tenth.rss_kb as f64 / 1024.0,
        );
    }
    print!("{out}");
    std::fs::write(base.join("results.md"), &out).expect("results.md");
}

/// The first day of the generated FIT files' sessions.
const FIT_FIRST_DAY: NaiveDate = match NaiveDate::from_ymd_opt(2000, 1, 1) {
    Some(d) => d,
    None => panic!("a date"),
};

/// The day after `fixtures/demo`'s last run.
const DEMO_AS_OF: &str = "2025-04-28";

/// The `--as-of` of a FIT file of `n` sessions `every_s` seconds apart: a day after its last.
fn day_after(n: usize, every_s: u32) -> String {
    let days = (n as u64 * u64::from(every_s)).div_ceil(86_400);
    (FIT_FIRST_DAY + Days::new(days + 1)).to_string()
}

/// One `patella analyse` command.
struct Job {
    paths: Vec<PathBuf>,
    pain: Option<PathBuf>,
    as_of: String,
}

impl Job {
    fn new(paths: Vec<PathBuf>, pain: Option<PathBuf>, as_of: impl Into<String>) -> Job {
        Job {
            paths,
            pain,
            as_of: as_of.into(),
        }
    }

    /// What it reads, for the table: the sessions and rows, from the files' names.
    fn size(&self) -> String {
        let number = |p: &Path| {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default();
            let digits: String = name
                .split('-')
                .nth(1)
                .unwrap_or("")
                .chars()
                .filter(char::is_ascii_digit)
                .collect();
            let n: u64 = digits.parse().unwrap_or(0);
            // Thousands with commas.
            let text = n.to_string();
            let mut out = String::new();
            for (i, c) in text.chars().enumerate() {
                if i > 0 && (text.len() - i).is_multiple_of(3) {
                    out.push(',');
                }
                out.push(c);
            }
            out
        };
        let mut parts: Vec<String> = self
            .paths
            .iter()
            .map(|p| match p.extension() {
                Some(_) => format!("{} sessions", number(p)),
                None => p.file_name().unwrap_or_default().to_string_lossy().into(),
            })
            .collect();
        if let Some(log) = &self.pain {
            parts.push(format!("{} pain rows", number(log)));
        }
        parts.join(", ")
    }

    /// Runs the command once under `/usr/bin/time -v`, its JSON into `json`.
    fn run(&self, json: &Path) -> Run {
        let mut cmd = Command::new(PATELLA);
        cmd.args(["analyse", "--json", "--no-store", "--tz", "UTC", "--as-of"])
            .arg(&self.as_of);
        if let Some(log) = &self.pain {
            cmd.arg("--pain").arg(log);
        }
        cmd.args(&self.paths);
        timed(cmd, json)
    }
}

/// One run of a command: wall clock, CPU time (user and system, on every thread) and peak
/// resident memory. On a shared machine the CPU time moves less with the load than the wall
/// clock does.
#[derive(Clone, Copy)]
struct Run {
    wall_s: f64,
    cpu_s: f64,
    rss_kb: u64,
}

/// Runs `cmd` (patella) under `/usr/bin/time -v` with `TZ=UTC`, its standard output into
/// `stdout`; panics when it fails.
fn timed(cmd: Command, stdout: &Path) -> Run {
    let report = tempfile::NamedTempFile::new().expect("a temporary file");
    let mut timed = Command::new("/usr/bin/time");
    timed
        .arg("-v")
        .arg("-o")
        .arg(report.path())
        .arg(cmd.get_program())
        .args(cmd.get_args())
        .env("TZ", "UTC")
        .stdout(std::fs::File::create(stdout).expect("the output file"));
    let t = Instant::now();
    let status = timed.status().expect("/usr/bin/time runs");
    let wall_s = t.elapsed().as_secs_f64();
    assert!(status.success(), "patella analyse failed: {status}");
    let text = std::fs::read_to_string(report.path()).unwrap_or_default();
    let field = |name: &str| -> f64 {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(name))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0.0)
    };
    Run {
        wall_s,
        cpu_s: field("User time (seconds):") + field("System time (seconds):"),
        rss_kb: field("Maximum resident set size (kbytes):") as u64,
    }
}

/// Runs of one command: the medians of wall clock and CPU time, the largest peak memory, and
/// every wall clock.
struct Measured {
    wall_s: f64,
    cpu_s: f64,
    rss_kb: u64,
    walls: Vec<f64>,
}

fn median(runs: Vec<Run>) -> Measured {
    let middle = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        (v[v.len() / 2], v)
    };
    let (wall_s, walls) = middle(runs.iter().map(|r| r.wall_s).collect());
    let (cpu_s, _) = middle(runs.iter().map(|r| r.cpu_s).collect());
    Measured {
        wall_s,
        cpu_s,
        rss_kb: runs.iter().map(|r| r.rss_kb).max().unwrap_or(0),
        walls,
    }
}

/// The results as a markdown table.
#[derive(Default)]
struct Table {
    rows: String,
}

impl Table {
    fn row(&mut self, what: &str, m: &Measured) {
        let walls: Vec<String> = m.walls.iter().map(|s| format!("{s:.2}")).collect();
        let _ = writeln!(
            self.rows,
            "| {what} | {:.2} | {:.2} | {:.0} | {} |",
            m.wall_s,
            m.cpu_s,
            m.rss_kb as f64 / 1024.0,
            walls.join(", ")
        );
    }

    fn render(&self) -> String {
        format!(
            "| what | wall clock (s) | CPU (s) | peak memory (MB) | runs (s) |\n\
             |---|---:|---:|---:|---|\n{}",
            self.rows
        )
    }
}

/// `base/name`, written by `make` unless it is there already (written under another name first,
/// so that a benchmark stopped halfway leaves no partial file behind).
fn write_once(base: &Path, name: &str, make: impl FnOnce() -> Vec<u8>) -> PathBuf {
    let path = base.join(name);
    if !path.exists() {
        eprintln!("generating {}", path.display());
        let part = base.join(format!("{name}.part"));
        std::fs::write(&part, make()).expect("a generated file");
        std::fs::rename(&part, &path).expect("a generated file");
    }
    path
}

/// Seconds from the Unix epoch to the FIT epoch, 1989-12-31T00:00:00Z.
const FIT_EPOCH_UNIX_S: i64 = 631_065_600;

/// How the sessions of a generated FIT file lie.
#[derive(Clone, Copy)]
enum Layout {
    /// A run every three hours from 06:00 UTC on [`FIT_FIRST_DAY`], each two records ten
    /// minutes apart (1.5–5.5 km), with heart rate and cadence (one in eleven below 170 spm).
    EveryThreeHours,
    /// A run every two and a half minutes (more than the two minutes within which a run may
    /// repeat another), each two records 20 s apart (60–110 m), without heart rate: each is
    /// judged hard by pace, and the look-backs hold thousands of runs (17,280 in 30 days, all
    /// 50,000 in 8 weeks).
    EveryFewMinutes,
    /// Every session at the same second, of five sports, their distances from 4 km 6 % apart
    /// and durations from 10 minutes 12 % apart (no two the same run before 55,770 sessions),
    /// the records going to the last.
    AllAtOnce,
}

impl Layout {
    /// For the file's name.
    fn name(self) -> &'static str {
        match self {
            Layout::EveryThreeHours => "every-3h",
            Layout::EveryFewMinutes => "every-150s",
            Layout::AllAtOnce => "at-once",
        }
    }

    /// Seconds from one session's start to the next one's.
    fn every_s(self) -> u32 {
        match self {
            Layout::EveryThreeHours => 3 * 3600,
            Layout::EveryFewMinutes => 150,
            Layout::AllAtOnce => 0,
        }
    }

    /// Session `k`'s (sport, distance in cm, duration in s, heart rate).
    fn session(self, k: usize) -> (u8, u32, u32, u8) {
        let heart_rate = 130 + (k % 31) as u8;
        match self {
            Layout::EveryThreeHours => (
                1,
                100 * (1500 + (k as u32).wrapping_mul(7919) % 4000),
                600,
                heart_rate,
            ),
            // 0xFF: no heart rate.
            Layout::EveryFewMinutes => {
                (1, 100 * (60 + (k as u32).wrapping_mul(7919) % 50), 20, 0xFF)
            }
            Layout::AllAtOnce => {
                let (d, t) = (k % 143, k / 143 % 78);
                let distance_cm = 400_000.0 * 1.06f64.powi(d as i32);
                let duration_s = 600.0 * 1.12f64.powi(t as i32);
                let sport = [1, 2, 5, 11, 17][k / (143 * 78) % 5];
                (sport, distance_cm as u32, duration_s as u32, heart_rate)
            }
        }
    }
}

/// A FIT activity file of `n` sessions as `layout` lays them out, each of two records (at its
/// start and its end, position, distance, heart rate and cadence) and its session message, then
/// an activity message one hour ahead of UTC.
fn fit_sessions(n: usize, layout: Layout) -> Vec<u8> {
    let first = FIT_FIRST_DAY
        .and_hms_opt(6, 0, 0)
        .expect("a time")
        .and_utc()
        .timestamp()
        - FIT_EPOCH_UNIX_S;
    let mut data = Vec::with_capacity(60 * n + 100);
    // Definitions, little-endian: (local type, global number, fields as (number, size, base)).
    let define = |data: &mut Vec<u8>, local: u8, global: u16, fields: &[(u8, u8, u8)]| {
        data.extend([0x40 | local, 0, 0]);
        data.extend(global.to_le_bytes());
        data.push(fields.len() as u8);
        for &(num, size, base) in fields {
            data.extend([num, size, base]);
        }
    };
    // file_id: type (activity), manufacturer (development), time_created.
    define(&mut data, 0, 0, &[(0, 1, 0x00), (1, 2, 0x84), (4, 4, 0x86)]);
    data.push(0);
    data.push(4);
    data.extend(255u16.to_le_bytes());
    data.extend((first as u32).to_le_bytes());
    // record: timestamp, position_lat, position_long, distance (cm), heart_rate, cadence.
    let record = [
        (253, 4, 0x86),
        (0, 4, 0x85),
        (1, 4, 0x85),
        (5, 4, 0x86),
        (3, 1, 0x02),
        (4, 1, 0x02),
    ];
    define(&mut data, 1, 20, &record);
    // session: timestamp, start_time, elapsed and timer (ms), distance (cm), sport, sub_sport.
    let session = [
        (253, 4, 0x86),
        (2, 4, 0x86),
        (7, 4, 0x86),
        (8, 4, 0x86),
        (9, 4, 0x86),
        (5, 1, 0x00),
        (6, 1, 0x00),
    ];
    define(&mut data, 2, 18, &session);
    let semicircles = |deg: f64| (deg * 2_147_483_648.0 / 180.0).round() as i32;
    let (lat_deg, lon_deg) = (46.95, 7.45);
    let mut end = first;
    for k in 0..n {
        let start = first + i64::from(layout.every_s()) * k as i64;
        let (sport, distance_cm, duration_s, heart_rate) = layout.session(k);
        let cadence = if k % 11 == 0 { 82 } else { 85 + (k % 5) as u8 };
        for (dt_s, d_cm) in [(0u32, 0u32), (duration_s, distance_cm)] {
            data.push(1);
            data.extend((start as u32 + dt_s).to_le_bytes());
            let north_deg = f64::from(d_cm) / 100.0 / 111_195.0;
            data.extend(semicircles(lat_deg + north_deg).to_le_bytes());
            data.extend(semicircles(lon_deg).to_le_bytes());
            data.extend(d_cm.to_le_bytes());
            data.extend([heart_rate, cadence]);
        }
        end = end.max(start + i64::from(duration_s));
        data.push(2);
        data.extend(((start + i64::from(duration_s)) as u32).to_le_bytes());
        data.extend((start as u32).to_le_bytes());
        data.extend((duration_s * 1000).to_le_bytes());
        data.extend((duration_s * 1000).to_le_bytes());
        data.extend(distance_cm.to_le_bytes());
        data.extend([sport, 0]);
    }
    // activity: timestamp, num_sessions, local_timestamp (one hour ahead).
    define(
        &mut data,
        3,
        34,
        &[(253, 4, 0x86), (1, 2, 0x84), (5, 4, 0x86)],
    );
    data.push(3);
    data.extend((end as u32).to_le_bytes());
    data.extend((n.min(0xFFFE) as u16).to_le_bytes());
    data.extend((end as u32 + 3600).to_le_bytes());

    let mut out = vec![14u8, 0x20];
    out.extend(2132u16.to_le_bytes());
    out.extend((data.len() as u32).to_le_bytes());
    out.extend(b".FIT");
    let header_crc = crc16(&out);
    out.extend(header_crc.to_le_bytes());
    out.extend(&data);
    let crc = crc16(&out);
    out.extend(crc.to_le_bytes());
    out
}

/// The FIT CRC-16 of `bytes` (the profile's nibble table).
fn crc16(bytes: &[u8]) -> u16 {
    const TABLE: [u16; 16] = [
        0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401, 0xA001, 0x6C00, 0x7800,
        0xB401, 0x5000, 0x9C01, 0x8801, 0x4400,
    ];
    let mut crc = 0u16;
    for &b in bytes {
        for nibble in [b & 0xF, b >> 4] {
            let t = TABLE[usize::from(crc & 0xF)];
            crc = (crc >> 4) & 0x0FFF;
            crc ^= t ^ TABLE[usize::from(nibble)];
        }
    }
    crc
}

/// The rows of [`pain_log`] a file of `bytes` holds (rows are 24 to 46 bytes; measured on the
/// generator itself).
fn rows_within(bytes: usize) -> usize {
    let sample = pain_log(10_000, FIT_FIRST_DAY, 2_500);
    let per_row = sample.len() as f64 / 10_000.0;
    ((bytes as f64 - 100.0) / per_row) as usize
}

/// A pain log of `rows` entries spread evenly over `days` days from `first`: knees in turn,
/// scores and `when` varying (rising over three entries now and then, stairs and sitting coming
/// back), a note on some (one in 97 saying swelling, some with an unquoted comma).
pub fn pain_log(rows: usize, first: NaiveDate, days: u64) -> String {
    const KNEES: [&str; 3] = ["left", "right", "both"];
    const WHENS: [&str; 6] = ["start", "late", "descent", "stairs", "sitting", "after"];
    let mut out = String::with_capacity(32 * rows + 32);
    out.push_str("date,knee,score,when,note\n");
    for k in 0..rows {
        let day = first + Days::new(k as u64 * days / rows.max(1) as u64);
        let knee = KNEES[k % 3];
        let score = (k * 7 + k / 5) % 11;
        let when = WHENS[(k * 5 + k / 11) % 6];
        let note = match k % 97 {
            0 => "a bit swollen after",
            13 => "sore, stiff on the stairs",
            40 => "after the hill repeats",
            _ => "",
        };
        let _ = writeln!(out, "{day},{knee},{score},{when},{note}");
    }
    out
}
