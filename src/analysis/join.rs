//! Bulk-export manifests joined to the activities of their export: a Strava row to the file its
//! `Filename` names, a Garmin entry to the file of the same export that starts within 2 minutes
//! of it. A joined file takes the row's name, gear and (where the row's type is known) sport; a
//! row that no file backs becomes an activity without samples, with the manifest's distance and
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
            _ => (by_start(extracts, row, &joined).into_iter().collect(), None),
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
            e.warnings.extend(row.warnings.iter().cloned());
        }
    }
    extracts.extend(only_rows);
}

/// The file of the row's export that starts nearest the row, within [`JOIN_START_S`], not
/// joined to another row yet. A manifest under `DI_CONNECT/` looks only there, so that another
/// export unpacked beside it (a Strava folder) is left to the duplicate check.
/// The name a manifest's `activities/1234.fit.gz` has once the runner has unpacked it
/// (`activities/1234.fit`), or the other way round: exports are often gunzipped before they are
/// shared or read, and their manifest still names the packed files.
fn unzipped(file: &str) -> String {
    match file.strip_suffix(".gz") {
        Some(plain) => plain.to_string(),
        None => format!("{file}.gz"),
    }
}

fn by_start(extracts: &[Extract], row: &ManifestRow, joined: &HashSet<usize>) -> Option<usize> {
    let under = format!("{}DI_CONNECT/", row.root);
    let prefix = if row.source.starts_with(&under) {
        under.as_str()
    } else {
        row.root.as_str()
    };
    extracts
        .iter()
        .enumerate()
        .filter(|(i, e)| {
            !joined.contains(i)
                && e.origin == Origin::File
                && matches!(e.format, Format::Fit | Format::Gpx | Format::Tcx)
                && e.source.starts_with(prefix)
        })
        .map(|(i, e)| (i, (e.start_utc - row.start_utc).num_seconds().abs()))
        .filter(|(_, d)| *d <= JOIN_START_S)
        .min_by_key(|(i, d)| (*d, *i))
        .map(|(i, _)| i)
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
        strength: None,
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
