//! The bundled demo: eight weeks (2025-03-03 to 2025-04-27) of one New York runner, with planted
//! knee-risk patterns, written in a Garmin-like mix of formats and archives.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};

use super::{gzip, simulate, to_fit, to_gpx, to_tcx, zip, RunPlan};
use crate::model::{Activity, Format, Samples, Sport};

/// Monday of the first demo week.
const FIRST_MONDAY: NaiveDate = match NaiveDate::from_ymd_opt(2025, 3, 3) {
    Some(d) => d,
    None => panic!("invalid demo start date"),
};
/// The archive that holds some files, as a Garmin bulk export does, and the zip inside it.
const EXPORT_ZIP: &str = "export.zip";
const NESTED_ZIP: &str = "DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip";

/// One file of the demo block and the plan it was simulated from.
#[derive(Clone, Debug, PartialEq)]
pub struct DemoRun {
    /// Where the file sits: a path relative to the demo folder, or `export.zip!member` (and
    /// `export.zip!inner.zip!member`) for archive members, as patella names sources.
    pub path: String,
    /// Local start, New York time.
    pub local_start: NaiveDateTime,
    /// Local calendar date of the start (what weekly totals are keyed on).
    pub local_date: NaiveDate,
    /// What [`simulate`] was given; a run covers exactly `plan.distance_m` (0 for strength).
    pub plan: RunPlan,
    /// The format the file is written in (gzip and zip wrap it, per `path`).
    pub format: Format,
    /// This file is a second export of a run already in the block (same plan, other format).
    pub duplicate: bool,
    /// The planted pattern this session belongs to, if any.
    pub note: &'static str,
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Easy,
    Long,
    Hard,
    Strength,
}

/// How a session is packaged.
#[derive(Clone, Copy, PartialEq)]
enum Out {
    Fit,
    FitGz,
    Gpx,
    GpxGz,
    Tcx,
    /// FIT inside export.zip.
    Zip,
    /// FIT inside the zip inside export.zip.
    Nested,
    /// The same run as `.fit` and as `.gpx`.
    FitAndGpx,
}

const LOW_CADENCE: &str = "low cadence (~160 spm)";
const HILLY: &str = "hilly week: much more descent";
const HARD: &str = "hard days back to back";

/// (week, weekday from Monday, local start, kind, km or minutes, climb m, cadence spm or 0, out,
/// note).
type Entry = (
    i64,
    i64,
    &'static str,
    Kind,
    f64,
    f64,
    f64,
    Out,
    &'static str,
);

#[rustfmt::skip]
const SCHEDULE: &[Entry] = &[
    (0, 1, "06:45", Kind::Easy, 6.0, 25.0, 0.0, Out::Gpx, ""),
    (0, 2, "18:30", Kind::Strength, 45.0, 0.0, 0.0, Out::Fit, ""),
    (0, 3, "06:45", Kind::Easy, 7.0, 30.0, 0.0, Out::Fit, ""),
    (0, 6, "08:00", Kind::Long, 12.0, 50.0, 0.0, Out::Fit, "first day of daylight time"),
    (1, 0, "18:30", Kind::Strength, 40.0, 0.0, 0.0, Out::Fit, ""),
    (1, 1, "06:45", Kind::Easy, 6.0, 25.0, 0.0, Out::Fit, ""),
    (1, 2, "06:50", Kind::Easy, 6.0, 20.0, 160.0, Out::Fit, LOW_CADENCE),
    (1, 3, "06:45", Kind::Easy, 7.0, 30.0, 0.0, Out::Tcx, ""),
    (1, 4, "18:30", Kind::Strength, 40.0, 0.0, 0.0, Out::Fit, ""),
    (1, 6, "08:00", Kind::Long, 13.0, 55.0, 0.0, Out::FitGz, ""),
    (2, 0, "18:30", Kind::Strength, 45.0, 0.0, 0.0, Out::Fit, ""),
    (2, 1, "06:45", Kind::Easy, 7.0, 30.0, 0.0, Out::Fit, ""),
    (2, 3, "06:40", Kind::Easy, 8.0, 35.0, 0.0, Out::FitAndGpx, "exported twice"),
    (2, 5, "09:15", Kind::Easy, 6.0, 25.0, 0.0, Out::FitGz, ""),
    (2, 6, "08:00", Kind::Long, 14.0, 60.0, 0.0, Out::Fit, ""),
    (3, 0, "18:30", Kind::Strength, 40.0, 0.0, 0.0, Out::Fit, ""),
    (3, 1, "06:45", Kind::Easy, 9.0, 35.0, 0.0, Out::Fit, "distance jump > 30 %"),
    (3, 2, "06:30", Kind::Hard, 10.0, 40.0, 0.0, Out::Fit, HARD),
    (3, 3, "06:30", Kind::Hard, 10.0, 40.0, 0.0, Out::Tcx, HARD),
    (3, 5, "09:15", Kind::Easy, 6.0, 20.0, 0.0, Out::Fit, ""),
    (3, 6, "08:00", Kind::Long, 15.0, 60.0, 0.0, Out::Fit, ""),
    (4, 0, "18:30", Kind::Strength, 45.0, 0.0, 0.0, Out::Fit, ""),
    (4, 1, "06:45", Kind::Easy, 7.0, 30.0, 0.0, Out::FitGz, ""),
    (4, 3, "06:45", Kind::Easy, 8.0, 30.0, 0.0, Out::GpxGz, ""),
    (4, 4, "18:30", Kind::Strength, 40.0, 0.0, 0.0, Out::Fit, ""),
    (4, 6, "08:00", Kind::Long, 16.0, 65.0, 0.0, Out::Fit, ""),
    (5, 1, "06:45", Kind::Easy, 8.0, 240.0, 0.0, Out::Tcx, HILLY),
    (5, 2, "18:30", Kind::Strength, 45.0, 0.0, 0.0, Out::Fit, ""),
    (5, 3, "06:45", Kind::Easy, 9.0, 280.0, 0.0, Out::Fit, HILLY),
    (5, 5, "09:15", Kind::Easy, 6.0, 160.0, 0.0, Out::Gpx, HILLY),
    (5, 6, "08:00", Kind::Long, 14.0, 420.0, 0.0, Out::Fit, HILLY),
    (6, 0, "18:30", Kind::Strength, 40.0, 0.0, 0.0, Out::Nested, ""),
    (6, 1, "06:45", Kind::Easy, 7.0, 30.0, 0.0, Out::Zip, ""),
    (6, 2, "06:50", Kind::Easy, 6.0, 20.0, 160.0, Out::Fit, LOW_CADENCE),
    (6, 3, "06:45", Kind::Easy, 8.0, 30.0, 0.0, Out::Zip, ""),
    (6, 6, "07:30", Kind::Long, 19.0, 70.0, 0.0, Out::Nested, "long run > 10 % over the last 30 days"),
    (7, 0, "18:30", Kind::Strength, 45.0, 0.0, 0.0, Out::Fit, ""),
    (7, 1, "06:45", Kind::Easy, 7.0, 30.0, 0.0, Out::Tcx, ""),
    (7, 2, "18:30", Kind::Strength, 40.0, 0.0, 0.0, Out::Fit, ""),
    (7, 3, "06:45", Kind::Easy, 7.0, 30.0, 0.0, Out::Fit, ""),
    (7, 4, "21:30", Kind::Easy, 6.0, 20.0, 0.0, Out::Fit, "late evening: the UTC date is the next day"),
    (7, 6, "08:00", Kind::Long, 14.0, 55.0, 0.0, Out::GpxGz, ""),
];

/// The `n`th Sunday (1-based) of `month` in `year`.
fn nth_sunday(year: i32, month: u32, n: i64) -> Option<NaiveDate> {
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    let to_sunday = (7 - i64::from(first.weekday().num_days_from_sunday())) % 7;
    Some(first + Duration::days(to_sunday + 7 * (n - 1)))
}

/// New York's offset from UTC at `utc`, in seconds, by the US rule in force since 2007: daylight
/// time (−4 h) from the second Sunday of March at 07:00 UTC to the first Sunday of November at
/// 06:00 UTC, standard time (−5 h) otherwise. No time-zone database involved.
pub fn new_york_offset_s(utc: DateTime<Utc>) -> i32 {
    let y = utc.year();
    let at =
        |d: Option<NaiveDate>, h: u32| d.and_then(|d| d.and_hms_opt(h, 0, 0)).map(|t| t.and_utc());
    match (at(nth_sunday(y, 3, 2), 7), at(nth_sunday(y, 11, 1), 6)) {
        (Some(start), Some(end)) if utc >= start && utc < end => -4 * 3600,
        _ => -5 * 3600,
    }
}

/// UTC instant and offset of a New York wall-clock time.
fn new_york_to_utc(local: NaiveDateTime) -> (DateTime<Utc>, i32) {
    let guess = (local + Duration::hours(5)).and_utc();
    let off = new_york_offset_s(guess);
    ((local - Duration::seconds(i64::from(off))).and_utc(), off)
}

/// The plan of every file in [`demo_block`], in schedule order. Weekly running distances (local
/// Monday weeks, duplicates excluded) are 25, 32, 35, 50, 31, 37, 40 and 34 km.
pub fn demo_manifest() -> Vec<DemoRun> {
    let easy_cadence = [172.0, 174.0, 170.0, 176.0, 173.0, 171.0, 175.0];
    let mut out = Vec::new();
    for (i, &(week, day, hhmm, kind, amount, climb, cad, pack, note)) in SCHEDULE.iter().enumerate()
    {
        let time = NaiveTime::parse_from_str(hhmm, "%H:%M").unwrap_or_default();
        let local_start = (FIRST_MONDAY + Duration::days(7 * week + day)).and_time(time);
        let (start_utc, utc_offset_s) = new_york_to_utc(local_start);
        let (pace, hr, default_cad) = match kind {
            Kind::Easy => (345.0, 136.0, easy_cadence[i % easy_cadence.len()]),
            Kind::Long => (362.0, 140.0, 171.0),
            Kind::Hard => (282.0, 170.0, 180.0),
            Kind::Strength => (0.0, 104.0, 0.0),
        };
        let strength = kind == Kind::Strength;
        let plan = RunPlan {
            start_utc,
            utc_offset_s,
            sport: if strength {
                Sport::Strength
            } else {
                Sport::Running
            },
            distance_m: if strength { 0.0 } else { amount * 1000.0 },
            pace_s_per_km: pace,
            cadence_spm: if cad > 0.0 { cad } else { default_cad },
            climb_m: climb,
            hr_mean_bpm: hr,
            duration_s: if strength { amount * 60.0 } else { 0.0 },
            seed: 0x5EED_0000 + i as u64,
            ..RunPlan::default()
        };
        let stem = format!(
            "{}-{}",
            local_start.format("%Y-%m-%d"),
            if strength { "strength" } else { "run" }
        );
        let mut push = |path: String, format: Format, duplicate: bool| {
            out.push(DemoRun {
                path,
                local_start,
                local_date: local_start.date(),
                plan: plan.clone(),
                format,
                duplicate,
                note,
            })
        };
        match pack {
            Out::Fit => push(format!("{stem}.fit"), Format::Fit, false),
            Out::FitGz => push(format!("{stem}.fit.gz"), Format::Fit, false),
            Out::Gpx => push(format!("{stem}.gpx"), Format::Gpx, false),
            Out::GpxGz => push(format!("{stem}.gpx.gz"), Format::Gpx, false),
            Out::Tcx => push(format!("{stem}.tcx"), Format::Tcx, false),
            Out::Zip => push(format!("{EXPORT_ZIP}!{stem}.fit"), Format::Fit, false),
            Out::Nested => push(
                format!("{EXPORT_ZIP}!{NESTED_ZIP}!{stem}.fit"),
                Format::Fit,
                false,
            ),
            Out::FitAndGpx => {
                push(format!("{stem}.fit"), Format::Fit, false);
                push(format!("{stem}.gpx"), Format::Gpx, true);
            }
        }
    }
    out
}

/// Sampling interval of the demo's GPX and TCX files.
const XML_EVERY_S: usize = 4;

/// Keeps every `every`-th sample and the last one.
fn thin(a: &Activity, every: usize) -> Activity {
    let mut out = a.clone();
    out.samples = Samples::default();
    let n = a.samples.len();
    for i in (0..n).filter(|i| i % every.max(1) == 0 || i + 1 == n) {
        out.samples.push(a.samples.get(i));
    }
    out
}

/// The bundled demo as `(relative path, bytes)`: loose files sorted by name, then `export.zip`
/// holding two FIT files and a nested zip with two more. Gzipped files end in `.gz`. Fails only
/// if an archive cannot be written.
pub fn demo_block() -> std::io::Result<Vec<(String, Vec<u8>)>> {
    let mut files = Vec::new();
    let (mut outer, mut inner) = (Vec::new(), Vec::new());
    for run in demo_manifest() {
        let a = simulate(&run.plan);
        // Watches record FIT at 1 s; the XML exports are thinned to one point every
        // XML_EVERY_S seconds, as smart recording does, which keeps the demo small.
        let bytes = match run.format {
            Format::Fit => to_fit(&a),
            Format::Gpx => to_gpx(&thin(&a, XML_EVERY_S)).into_bytes(),
            Format::Tcx => to_tcx(&thin(&a, XML_EVERY_S)).into_bytes(),
            // Manifests are written whole by the export writers, not per run.
            Format::Csv | Format::Json => continue,
        };
        let bytes = if run.path.ends_with(".gz") {
            gzip(&bytes)
        } else {
            bytes
        };
        let mut parts = run.path.split('!');
        match (parts.next(), parts.next(), parts.next()) {
            (Some(file), None, _) => files.push((file.to_string(), bytes)),
            (Some(_), Some(member), None) => outer.push((member.to_string(), bytes)),
            (Some(_), Some(_), Some(member)) => inner.push((member.to_string(), bytes)),
            _ => {}
        }
    }
    files.sort();
    outer.push((NESTED_ZIP.to_string(), zip(&inner)?));
    files.push((EXPORT_ZIP.to_string(), zip(&outer)?));
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use std::collections::BTreeMap;
    use std::io::Read;

    fn runs() -> Vec<DemoRun> {
        demo_manifest()
            .into_iter()
            .filter(|r| r.plan.sport == Sport::Running && !r.duplicate)
            .collect()
    }

    #[test]
    fn new_york_offsets() {
        let ny = |y, m, d, h, mi| {
            new_york_offset_s(Utc.with_ymd_and_hms(y, m, d, h, mi, 0).unwrap()) / 3600
        };
        assert_eq!(ny(2025, 3, 9, 6, 59), -5);
        assert_eq!(ny(2025, 3, 9, 7, 0), -4);
        assert_eq!(ny(2025, 11, 2, 5, 59), -4);
        assert_eq!(ny(2025, 11, 2, 6, 0), -5);
        assert_eq!(ny(2024, 3, 10, 7, 0), -4);
        assert_eq!(ny(2024, 3, 10, 6, 0), -5);
        let m = demo_manifest();
        assert_eq!(m[0].plan.utc_offset_s, -5 * 3600);
        assert_eq!(
            m[0].plan.start_utc,
            Utc.with_ymd_and_hms(2025, 3, 4, 11, 45, 0).unwrap()
        );
        let dst_day = m
            .iter()
            .find(|r| r.local_date.to_string() == "2025-03-09")
            .unwrap();
        assert_eq!(dst_day.plan.utc_offset_s, -4 * 3600);
        assert_eq!(
            dst_day.plan.start_utc,
            Utc.with_ymd_and_hms(2025, 3, 9, 12, 0, 0).unwrap()
        );
    }

    #[test]
    fn manifest_plants_the_patterns() {
        let runs = runs();
        let mut weeks: BTreeMap<i64, f64> = BTreeMap::new();
        for r in &runs {
            let week = (r.local_date - FIRST_MONDAY).num_days() / 7;
            *weeks.entry(week).or_default() += r.plan.distance_m / 1000.0;
        }
        let km: Vec<f64> = weeks.values().copied().collect();
        assert_eq!(km, [25.0, 32.0, 35.0, 50.0, 31.0, 37.0, 40.0, 34.0]);
        let jumps: Vec<usize> = (1..km.len()).filter(|&w| km[w] > 1.3 * km[w - 1]).collect();
        assert_eq!(jumps, [3]);
        for w in 0..8 {
            let n = runs
                .iter()
                .filter(|r| (r.local_date - FIRST_MONDAY).num_days() / 7 == w)
                .count();
            assert!((3..=5).contains(&n), "week {w}: {n} runs");
        }
        // Long-run spikes: once 30 days of history exist, only the 19 km run is > 10 % over the
        // longest run of the previous 30 days.
        let spikes: Vec<f64> = runs
            .iter()
            .filter(|r| (r.local_date - FIRST_MONDAY).num_days() >= 30)
            .filter(|r| {
                let prev = runs
                    .iter()
                    .filter(|p| {
                        p.local_date < r.local_date
                            && (r.local_date - p.local_date).num_days() <= 30
                    })
                    .map(|p| p.plan.distance_m)
                    .fold(0.0, f64::max);
                prev > 0.0 && r.plan.distance_m > 1.1 * prev
            })
            .map(|r| r.plan.distance_m)
            .collect();
        assert_eq!(spikes, [19000.0]);
        assert_eq!(
            runs.iter().filter(|r| r.plan.cadence_spm <= 162.0).count(),
            2
        );
        let hard: Vec<NaiveDate> = runs
            .iter()
            .filter(|r| r.plan.pace_s_per_km < 300.0)
            .map(|r| r.local_date)
            .collect();
        assert_eq!(hard.len(), 2);
        assert_eq!((hard[1] - hard[0]).num_days(), 1);
        let hilly: f64 = runs
            .iter()
            .filter(|r| r.note == HILLY)
            .map(|r| r.plan.climb_m)
            .sum();
        assert!(hilly > 4.0 * 200.0);
        let late = runs
            .iter()
            .find(|r| r.local_start.format("%H:%M").to_string() == "21:30")
            .unwrap();
        assert_eq!(
            late.plan.start_utc.date_naive(),
            late.local_date + Duration::days(1)
        );
        let all = demo_manifest();
        let dups: Vec<&DemoRun> = all.iter().filter(|r| r.duplicate).collect();
        assert_eq!(dups.len(), 1);
        assert!(all
            .iter()
            .any(|r| !r.duplicate && r.plan == dups[0].plan && r.format == Format::Fit));
        let strength = all
            .iter()
            .filter(|r| r.plan.sport == Sport::Strength)
            .count();
        assert!(strength >= 8);
    }

    fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
        let mut ar = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
        (0..ar.len())
            .map(|i| {
                let mut f = ar.by_index(i).unwrap();
                let mut b = Vec::new();
                f.read_to_end(&mut b).unwrap();
                (f.name().to_string(), b)
            })
            .collect()
    }

    #[test]
    fn demo_block_holds_every_manifest_file() {
        let block = demo_block().unwrap();
        let mut found: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        for (path, bytes) in &block {
            if path == EXPORT_ZIP {
                for (m, b) in unzip(bytes) {
                    if m == NESTED_ZIP {
                        for (m2, b2) in unzip(&b) {
                            found.insert(format!("{EXPORT_ZIP}!{NESTED_ZIP}!{m2}"), b2);
                        }
                    } else {
                        found.insert(format!("{EXPORT_ZIP}!{m}"), b);
                    }
                }
            } else {
                found.insert(path.clone(), bytes.clone());
            }
        }
        let manifest = demo_manifest();
        assert_eq!(found.len(), manifest.len());
        for run in &manifest {
            let raw = &found[&run.path];
            let bytes = if run.path.ends_with(".gz") {
                let mut b = Vec::new();
                flate2::read::GzDecoder::new(&raw[..])
                    .read_to_end(&mut b)
                    .unwrap();
                b
            } else {
                raw.clone()
            };
            match run.format {
                Format::Fit => {
                    let recs = fitparser::from_bytes(&bytes).unwrap();
                    let ses = recs
                        .iter()
                        .find(|r| r.kind() == fitparser::profile::MesgNum::Session)
                        .unwrap();
                    let dist = ses.fields().iter().find(|f| f.name() == "total_distance");
                    match dist.map(|f| f.value().clone()) {
                        Some(fitparser::Value::Float64(d)) => {
                            assert_eq!(d, run.plan.distance_m, "{}", run.path)
                        }
                        other => assert!(run.plan.distance_m == 0.0, "{}: {other:?}", run.path),
                    }
                }
                Format::Gpx => assert!(String::from_utf8(bytes).unwrap().contains("<trkpt")),
                Format::Tcx => assert!(String::from_utf8(bytes).unwrap().contains("<Trackpoint>")),
                Format::Csv | Format::Json => unreachable!("the demo plans files only"),
            }
        }
        assert!(block.iter().any(|(p, _)| p.ends_with(".fit.gz")));
        assert!(block.iter().any(|(p, _)| p.ends_with(".gpx.gz")));
        assert_eq!(block, demo_block().unwrap(), "deterministic");
    }
}
