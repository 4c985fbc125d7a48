//! Bulk-export manifests joined to the activities of their export: a Strava row to the file its
//! `Filename` names, a Garmin entry to the file of the same export that starts within 2 minutes
//! of it, or, for a file whose clock jumped while it recorded, that starts within 7 days of it
//! with the same distance and duration (within 1 %): the manifest's start is then the session's.
//! A joined file takes the row's name, gear and (where the row's type is known) sport; a row
//! that no file backs becomes an activity without samples, with the manifest's distance and
//! duration (`origin` `strava-csv` or `garmin-json`).
//!
//! The join runs on extracts, after the store: a file and the row naming it may be two files on
//! disk (an unpacked export), each stored on its own, and a warm run joins them as a cold one
//! does.

use std::collections::{HashMap, HashSet};

use crate::model::{CadenceRule, DeviceSummary, Format, ManifestRow, Origin, Samples, Sport};

use super::Extract;

/// A Garmin entry and a file are the same session when they start within this many seconds.
pub const JOIN_START_S: i64 = 120;

/// A file whose clock jumped while it recorded ([`crate::ingest::clean::CLOCK_JUMPED`]) may start
/// this far from its Garmin entry (7 days) and still be its session, when the distance and the
/// duration agree within [`JOIN_TOTALS_SHARE`].
pub const JOIN_CLOCK_JUMP_S: i64 = 7 * 86_400;

/// How close a jumped file's distance and duration must come to its entry's: 1 % (and at least
/// 20 m and 10 s, for short sessions).
pub const JOIN_TOTALS_SHARE: f64 = 0.01;

/// Joins `rows` to `extracts` (in place) and appends an extract for each row no file backs.
/// Extracts and rows keep their order, so the result does not depend on the store.
pub fn join(extracts: &mut Vec<Extract>, rows: &[ManifestRow]) {
    let mut by_source: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, e) in extracts.iter().enumerate() {
        by_source.entry(e.source.as_str()).or_default().push(i);
    }
    let by_source: HashMap<String, Vec<usize>> = by_source
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    let mut joined: HashSet<usize> = HashSet::new();
    let mut only_rows = Vec::new();
    for row in rows {
        let (targets, missing) = match row.origin {
            Origin::StravaCsv => match &row.file {
                Some(file) => match by_source
                    .get(file)
                    .or_else(|| by_source.get(&unzipped(file)))
                {
                    Some(found) => (found.clone(), None),
                    None => (Vec::new(), Some(file.clone())),
                },
                None => (Vec::new(), None),
            },
            _ => match by_start(extracts, row, &joined) {
                Some(i) => (vec![i], None),
                None => match by_totals(extracts, row, &joined) {
                    Some(i) => {
                        take_rows_start(&mut extracts[i], row);
                        (vec![i], None)
                    }
                    None => (Vec::new(), None),
                },
            },
        };
        if targets.is_empty() {
            let mut warnings = row.warnings.clone();
            if let Some(file) = missing {
                let named = file.strip_prefix(&row.root).unwrap_or(&file);
                warnings.push(format!(
                    "{}: names {named}, which the export does not hold (or which could not be \
                     read); counted from the manifest",
                    row.label()
                ));
            }
            only_rows.push(from_row(row, warnings));
            continue;
        }
        let one_session = targets.len() == 1;
        for i in targets {
            joined.insert(i);
            let e = &mut extracts[i];
            e.name = row.name.clone().or(e.name.take());
            e.gear = row.gear.clone().or(e.gear.take());
            // A multisport file's sessions keep their own sports.
            if one_session && row.sport != Sport::Other {
                e.sport = row.sport;
            }
            if e.strength.is_none() {
                e.strength = row.strength;
            }
            e.warnings.extend(row.warnings.iter().cloned());
        }
    }
    extracts.extend(only_rows);
}

/// The name a manifest's `activities/1234.fit.gz` has once the runner has unpacked it
/// (`activities/1234.fit`), or the other way round: exports are often gunzipped before they are
/// shared or read, and their manifest still names the packed files.
fn unzipped(file: &str) -> String {
    match file.strip_suffix(".gz") {
        Some(plain) => plain.to_string(),
        None => format!("{file}.gz"),
    }
}

/// The file of the row's export ([`prefix_of`]) that starts nearest the row, within
/// [`JOIN_START_S`], not joined to another row yet.
fn by_start(extracts: &[Extract], row: &ManifestRow, joined: &HashSet<usize>) -> Option<usize> {
    let prefix = prefix_of(row);
    let candidates = extracts
        .iter()
        .enumerate()
        .filter(|(i, e)| may_join(*i, e, &prefix, joined));
    nearest(candidates, row, JOIN_START_S)
}

/// Of `candidates`, the one that starts nearest the row, within `within_s` seconds (the first
/// of equals).
fn nearest<'a>(
    candidates: impl Iterator<Item = (usize, &'a Extract)>,
    row: &ManifestRow,
    within_s: i64,
) -> Option<usize> {
    candidates
        .map(|(i, e)| (i, (e.start_utc - row.start_utc).num_seconds().abs()))
        .filter(|(_, d)| *d <= within_s)
        .min_by_key(|(i, d)| (*d, *i))
        .map(|(i, _)| i)
}

/// Where the files a Garmin entry may join lie: under `DI_CONNECT/` of its export when the
/// manifest is there (so that another export unpacked beside it, a Strava folder, is left to the
/// duplicate check), else anywhere under its root.
fn prefix_of(row: &ManifestRow) -> String {
    let under = format!("{}DI_CONNECT/", row.root);
    if row.source.starts_with(&under) {
        under
    } else {
        row.root.clone()
    }
}

/// Whether `e` is a recorded file of the row's export not joined to another row yet.
fn may_join(i: usize, e: &Extract, prefix: &str, joined: &HashSet<usize>) -> bool {
    !joined.contains(&i)
        && e.origin == Origin::File
        && matches!(e.format, Format::Fit | Format::Gpx | Format::Tcx)
        && e.source.starts_with(prefix)
}

/// The file of the row's export whose clock jumped while it recorded, that starts within
/// [`JOIN_CLOCK_JUMP_S`] of the row, and whose distance and duration (the device's, else the
/// computed ones) agree with the row's within [`JOIN_TOTALS_SHARE`]; the nearest in time of
/// those. A row without a distance or a duration joins nothing this way.
fn by_totals(extracts: &[Extract], row: &ManifestRow, joined: &HashSet<usize>) -> Option<usize> {
    let row_m = row.distance_m.filter(|d| *d > 0.0)?;
    let row_s: Vec<f64> = [row.moving_s, row.elapsed_s]
        .into_iter()
        .flatten()
        .filter(|s| *s > 0.0)
        .collect();
    if row_s.is_empty() {
        return None;
    }
    let near = |a: f64, b: f64, floor: f64| (a - b).abs() <= (b * JOIN_TOTALS_SHARE).max(floor);
    let prefix = prefix_of(row);
    let candidates = extracts
        .iter()
        .enumerate()
        .filter(|(i, e)| {
            may_join(*i, e, &prefix, joined)
                && e.warnings
                    .iter()
                    .any(|w| w.contains(crate::ingest::clean::CLOCK_JUMPED))
        })
        .filter(|(_, e)| {
            let device = e.device.as_ref();
            let metres = device
                .and_then(|d| d.distance_m)
                .unwrap_or(e.computed.distance_m);
            let seconds = [
                device.and_then(|d| d.timer_s),
                device.and_then(|d| d.elapsed_s),
                Some(e.computed.moving_s),
                Some(e.computed.elapsed_s),
            ];
            near(metres, row_m, 20.0)
                && seconds
                    .into_iter()
                    .flatten()
                    .any(|s| row_s.iter().any(|r| near(s, *r, 10.0)))
        });
    nearest(candidates, row, JOIN_CLOCK_JUMP_S)
}

/// A jumped file joined by its totals takes the row's start (and offset, where it has none),
/// with a warning giving how far its own clock put it.
fn take_rows_start(e: &mut Extract, row: &ManifestRow) {
    let off_s = (e.start_utc - row.start_utc).num_seconds();
    e.warnings.push(format!(
        "{}: the file's clock put its start {:.1} hours {} the manifest's; the manifest's start \
         is kept (the distance and duration agree)",
        row.label(),
        off_s.unsigned_abs() as f64 / 3600.0,
        if off_s >= 0 { "after" } else { "before" }
    ));
    e.start_utc = row.start_utc;
    if e.utc_offset_s.is_none() {
        e.utc_offset_s = row.utc_offset_s;
    }
}

/// The activity a manifest row gives on its own: no samples, the row's totals as its summary.
fn from_row(row: &ManifestRow, warnings: Vec<String>) -> Extract {
    let empty = Samples::default();
    Extract {
        source: row.source.clone(),
        session: row.row,
        format: match row.origin {
            Origin::GarminJson => Format::Json,
            _ => Format::Csv,
        },
        sport: row.sport,
        sport_detail: row.type_name.clone(),
        device_name: None,
        start_utc: row.start_utc,
        utc_offset_s: row.utc_offset_s,
        position_zone: None,
        cadence_rule: CadenceRule::None,
        device: Some(DeviceSummary {
            distance_m: row.distance_m,
            timer_s: row.moving_s.or(row.elapsed_s),
            elapsed_s: row.elapsed_s,
            cadence_spm: row.cadence_spm,
            ..DeviceSummary::default()
        }),
        warnings,
        samples: 0,
        columns: Vec::new(),
        computed: super::metrics::compute(&empty),
        metrics: None,
        heart_rate: Vec::new(),
        cadence_time: Vec::new(),
        name: row.name.clone(),
        gear: row.gear.clone(),
        origin: row.origin,
        strength: row.strength,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Activity;
    use chrono::{TimeZone, Utc};

    fn file(source: &str, start_s: i64) -> Extract {
        let start = Utc.timestamp_opt(1_756_710_000 + start_s, 0).unwrap();
        let mut a = Activity::new(source, Format::Fit, start);
        a.sport = Sport::Running;
        super::super::extract(&a)
    }

    fn garmin_row(start_s: i64) -> ManifestRow {
        ManifestRow {
            source: "/d/DI_CONNECT/DI-Connect-Fitness/u_0_summarizedActivities.json".into(),
            row: 1,
            origin: Origin::GarminJson,
            root: "/d/".into(),
            id: "9".into(),
            file: None,
            name: Some("Garmin run".into()),
            type_name: "running".into(),
            sport: Sport::Running,
            gear: None,
            start_utc: Utc.timestamp_opt(1_756_710_000 + start_s, 0).unwrap(),
            utc_offset_s: None,
            distance_m: Some(8000.0),
            elapsed_s: Some(2700.0),
            moving_s: Some(2700.0),
            cadence_spm: None,
            strength: None,
            warnings: Vec::new(),
        }
    }

    #[test]
    fn a_garmin_entry_joins_its_own_exports_file_nearest_in_time() {
        // A Strava folder unpacked beside the Garmin export, its copy starting at the same second.
        let mut extracts = vec![
            file("/d/strava/activities/1.fit", 0),
            file(
                "/d/DI_CONNECT/DI-Connect-Uploaded-Files/Part1.zip!b.fit",
                90,
            ),
            file(
                "/d/DI_CONNECT/DI-Connect-Uploaded-Files/Part1.zip!a.fit",
                30,
            ),
        ];
        join(&mut extracts, &[garmin_row(0)]);
        assert_eq!(extracts.len(), 3, "joined, no activity added");
        let names: Vec<Option<&str>> = extracts.iter().map(|e| e.name.as_deref()).collect();
        assert_eq!(names, [None, None, Some("Garmin run")]);
    }

    #[test]
    fn a_strava_row_joins_its_file_once_the_runner_has_gunzipped_it() {
        let strava_row = |id: &str, file: &str| ManifestRow {
            source: "/d/activities.csv".into(),
            origin: Origin::StravaCsv,
            id: id.into(),
            file: Some(format!("/d/activities/{file}")),
            name: Some(format!("run {id}")),
            ..garmin_row(0)
        };
        // The manifest names packed files; the folder holds one unpacked, one packed, and one
        // row names an unpacked file the folder holds packed.
        let mut extracts = vec![
            file("/d/activities/1.fit", 0),
            file("/d/activities/2.fit.gz", 3600),
            file("/d/activities/3.tcx.gz", 7200),
        ];
        let rows = [
            strava_row("1", "1.fit.gz"),
            strava_row("2", "2.fit.gz"),
            strava_row("3", "3.tcx"),
            strava_row("4", "4.fit.gz"),
        ];
        join(&mut extracts, &rows);
        let names: Vec<Option<&str>> = extracts.iter().map(|e| e.name.as_deref()).collect();
        // Three joined; the fourth, whose file is in neither form, counts from the manifest.
        assert_eq!(
            names,
            [Some("run 1"), Some("run 2"), Some("run 3"), Some("run 4")]
        );
        assert_eq!(extracts[3].origin, Origin::StravaCsv);
        assert!(extracts[..3].iter().all(|e| e.origin != Origin::StravaCsv));
    }

    #[test]
    fn a_file_whose_clock_jumped_joins_its_entry_by_distance_and_duration() {
        // 1.4 days after its entry, the same 8 km in 45 minutes: one session, the entry's start.
        let late = 121_000;
        let jumped = |source: &str, km: f64| {
            let mut e = file(source, late);
            e.warnings.push(format!(
                "{} (1.4 days at sample 80); ...",
                crate::ingest::clean::CLOCK_JUMPED
            ));
            e.device = Some(DeviceSummary {
                distance_m: Some(km * 1000.0),
                timer_s: Some(2690.0),
                ..DeviceSummary::default()
            });
            e
        };
        let root = "/d/DI_CONNECT/DI-Connect-Uploaded-Files/Part1.zip!";
        // A file that did not jump, with the same totals, is another session.
        let mut same_totals = file(&format!("{root}c.fit"), late);
        same_totals.device = jumped("x", 8.0).device;
        let mut extracts = vec![
            same_totals,
            jumped(&format!("{root}a.fit"), 8.3),
            jumped(&format!("{root}b.fit"), 8.05),
        ];
        join(&mut extracts, &[garmin_row(0)]);
        assert_eq!(extracts.len(), 3, "joined, no activity added");
        let names: Vec<Option<&str>> = extracts.iter().map(|e| e.name.as_deref()).collect();
        assert_eq!(names, [None, None, Some("Garmin run")]);
        assert_eq!(extracts[2].start_utc, garmin_row(0).start_utc);
        assert_eq!(extracts[1].start_utc, file("x", late).start_utc);
        assert!(
            extracts[2].warnings.last().unwrap().ends_with(
                "the file's clock put its start 33.6 hours after the manifest's; the manifest's \
                 start is kept (the distance and duration agree)"
            ),
            "{:?}",
            extracts[2].warnings
        );
        // Beyond 7 days, no join.
        let mut far = vec![jumped(&format!("{root}a.fit"), 8.0)];
        far[0].start_utc += chrono::Duration::days(7);
        join(&mut far, &[garmin_row(0)]);
        assert_eq!(far.len(), 2);
    }

    #[test]
    fn an_entry_beyond_two_minutes_stands_alone() {
        let mut extracts = vec![file(
            "/d/DI_CONNECT/DI-Connect-Uploaded-Files/Part1.zip!a.fit",
            121,
        )];
        join(&mut extracts, &[garmin_row(0)]);
        assert_eq!(extracts.len(), 2);
        assert_eq!(extracts[0].name, None);
        let alone = &extracts[1];
        assert_eq!(
            (alone.origin, alone.format),
            (Origin::GarminJson, Format::Json)
        );
        assert_eq!(alone.device.as_ref().unwrap().distance_m, Some(8000.0));
        assert_eq!(alone.samples, 0);
    }
}
