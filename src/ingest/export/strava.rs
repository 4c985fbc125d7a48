//! Strava's `activities.csv`, from its bulk export: one row per session, file or not.
//!
//! Columns are found by name. The header repeats names: the first `Elapsed Time` and `Distance`
//! are in the athlete's display units (seconds and kilometres, or miles), the later ones in
//! seconds and metres; the later ones are preferred. `Activity Date` is UTC
//! (`Sep 2, 2025, 10:30:00 AM`). `Filename` (`activities/123.fit.gz`) is relative to the folder
//! holding the CSV, inside the same export.

use chrono::{NaiveDateTime, TimeZone, Utc};

use crate::model::{ManifestRow, Origin, ReadError, SkipReason, Skipped, Sport};

/// The first columns of every `activities.csv` Strava writes.
const HEADER_START: [&str; 4] = [
    "Activity ID",
    "Activity Date",
    "Activity Name",
    "Activity Type",
];

/// Whether `head` (the start of a file, BOM removed) is the header of an `activities.csv`.
pub fn is_header(head: &str) -> bool {
    let line = head.lines().next().unwrap_or("");
    let cells: Vec<&str> = line
        .split(',')
        .map(|c| c.trim().trim_matches('"'))
        .collect();
    cells.len() >= HEADER_START.len() && cells[..HEADER_START.len()] == HEADER_START
}

/// Strava's activity types and the sport each counts as (README, "Export manifests"). A type
/// not listed is `other`, with a warning naming the row.
pub const TYPES: &[(&str, Sport)] = &[
    ("Run", Sport::Running),
    ("Trail Run", Sport::Running),
    ("Virtual Run", Sport::Running),
    ("Weight Training", Sport::Strength),
    ("Workout", Sport::Strength),
    ("Crossfit", Sport::Strength),
    ("Walk", Sport::Walking),
    ("Hike", Sport::Hiking),
    ("Ride", Sport::Cycling),
    ("Virtual Ride", Sport::Cycling),
    ("E-Bike Ride", Sport::Cycling),
    ("Mountain Bike Ride", Sport::Cycling),
    ("Gravel Ride", Sport::Cycling),
    ("Swim", Sport::Swimming),
    ("Yoga", Sport::Other),
    ("Elliptical", Sport::Other),
    ("Stair-Stepper", Sport::Other),
    ("Rowing", Sport::Other),
    ("Pilates", Sport::Other),
    ("HIIT", Sport::Other),
    ("Nordic Ski", Sport::Other),
    ("Alpine Ski", Sport::Other),
    ("Backcountry Ski", Sport::Other),
    ("Snowshoe", Sport::Other),
    ("Rock Climbing", Sport::Other),
    ("Soccer", Sport::Other),
    ("Tennis", Sport::Other),
];

/// The sport of a Strava type; `None` for a type not in [`TYPES`].
pub fn sport_of(type_name: &str) -> Option<Sport> {
    let t = type_name.trim();
    TYPES
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(t))
        .map(|(_, s)| *s)
}

/// `Activity Date` as Strava writes it (UTC): `Sep 2, 2025, 10:30:00 AM`, also without the
/// comma after the year, in 24-hour form, or day first (`2 Sep 2025, 10:30:00`).
pub fn parse_date(s: &str) -> Option<chrono::DateTime<Utc>> {
    const FORMATS: [&str; 6] = [
        "%b %d, %Y, %I:%M:%S %p",
        "%b %d, %Y %I:%M:%S %p",
        "%b %d, %Y, %H:%M:%S",
        "%d %b %Y, %H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%SZ",
    ];
    // Newer exports put a narrow no-break space before AM/PM.
    let s = s.trim().replace(['\u{202f}', '\u{a0}'], " ");
    FORMATS
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(&s, f).ok())
        .map(|naive| Utc.from_utc_datetime(&naive))
}

/// The columns of the header, by name: the index of each occurrence.
struct Columns(Vec<String>);

impl Columns {
    fn all(&self, name: &str) -> Vec<usize> {
        (0..self.0.len())
            .filter(|&i| self.0[i].trim().eq_ignore_ascii_case(name))
            .collect()
    }
    fn first(&self, name: &str) -> Option<usize> {
        self.all(name).first().copied()
    }
}

/// Reads an `activities.csv`: its rows, and a skipped entry for each row whose date does not
/// parse (it cannot be placed on a day).
pub fn read(source: &str, bytes: &[u8]) -> (Vec<ManifestRow>, Vec<Skipped>) {
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let mut rows = Vec::new();
    let mut skipped = Vec::new();
    let Some(Ok(header)) = records.next() else {
        return (rows, skipped);
    };
    let cols = Columns(header.iter().map(str::to_string).collect());
    let id = cols.first("Activity ID");
    let date = cols.first("Activity Date");
    let name = cols.first("Activity Name");
    let kind = cols.first("Activity Type");
    let gear = cols.first("Activity Gear");
    let file = cols.first("Filename");
    let moving = cols.first("Moving Time");
    let elapsed = cols.all("Elapsed Time");
    let distance = cols.all("Distance");
    let root = super::folder_of(source);
    for (i, record) in records.enumerate() {
        let row = i + 1;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                skipped.push(Skipped::new(
                    format!("{source} row {row}"),
                    SkipReason::Read(ReadError::invalid(format!("unreadable manifest row: {e}"))),
                ));
                continue;
            }
        };
        let cell = |c: Option<usize>| {
            c.and_then(|c| record.get(c))
                .map(str::trim)
                .filter(|v| !v.is_empty())
        };
        let activity_id = cell(id).unwrap_or("").to_string();
        let label = format!("{source} row {row} (activity {activity_id})");
        let Some(start_utc) = cell(date).and_then(parse_date) else {
            skipped.push(Skipped::new(
                label,
                SkipReason::Read(ReadError::invalid(format!(
                    "manifest row not counted: unparseable date {:?}",
                    cell(date).unwrap_or("")
                ))),
            ));
            continue;
        };
        let type_name = cell(kind).unwrap_or("").to_string();
        let mut warnings = Vec::new();
        let sport = sport_of(&type_name).unwrap_or_else(|| {
            warnings.push(format!(
                "{label}: unknown activity type {type_name:?}, counted as other"
            ));
            Sport::Other
        });
        // The later `Distance` is metres; a lone one is the athlete's display unit (km).
        let distance_m = match distance.as_slice() {
            [] => None,
            [only] => cell(Some(*only))
                .and_then(super::number)
                .map(|km| km * 1000.0),
            [.., last] => cell(Some(*last)).and_then(super::number),
        };
        let elapsed_s = elapsed
            .iter()
            .rev()
            .find_map(|c| cell(Some(*c)).and_then(super::number));
        rows.push(ManifestRow {
            source: source.to_string(),
            row,
            origin: Origin::StravaCsv,
            root: root.clone(),
            id: activity_id,
            file: cell(file).map(|f| format!("{root}{f}")),
            name: cell(name).map(str::to_string),
            type_name,
            sport,
            gear: cell(gear).map(str::to_string),
            start_utc,
            utc_offset_s: None,
            distance_m,
            elapsed_s,
            moving_s: cell(moving).and_then(super::number),
            warnings,
        });
    }
    (rows, skipped)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "\u{feff}Activity ID,Activity Date,Activity Name,Activity Type,\
Activity Description,Elapsed Time,Distance,Max Heart Rate,Relative Effort,Commute,\
Activity Gear,Filename,Athlete Weight,Bike Weight,Elapsed Time,Moving Time,Distance,Max Speed\n\
101,\"Sep 2, 2025, 10:30:00 AM\",Morning Run,Run,\"Easy, with\nstrides\",3000,10.02,160,40,\
false,Pegasus 40,activities/101.fit.gz,,,3000,2950,10020.5,4.1\n\
102,\"Sep 3, 2025, 6:05:00 PM\",Gym,Weight Training,,2700,0,,,false,,,,,2700,2700,0,\n\
103,\"not a date\",Lost,Run,,100,1,,,false,,,,,100,100,1000,\n\
104,\"Sep 4, 2025, 7:00:00 AM\",Fun,Quidditch,,600,,,,false,,,,,600,600,,\n";

    #[test]
    fn header_recognised() {
        assert!(is_header(CSV.trim_start_matches('\u{feff}')));
        assert!(!is_header("date,knee,score\n2025-01-01,left,3\n"));
    }

    #[test]
    fn rows_by_column_name_preferring_metres() {
        let (rows, skipped) = read("export.zip!activities.csv", CSV.as_bytes());
        assert_eq!(rows.len(), 3);
        let run = &rows[0];
        assert_eq!(run.row, 1);
        assert_eq!(run.id, "101");
        assert_eq!(run.name.as_deref(), Some("Morning Run"));
        assert_eq!(run.sport, Sport::Running);
        assert_eq!(run.gear.as_deref(), Some("Pegasus 40"));
        assert_eq!(
            run.file.as_deref(),
            Some("export.zip!activities/101.fit.gz")
        );
        assert_eq!(
            run.start_utc,
            Utc.with_ymd_and_hms(2025, 9, 2, 10, 30, 0).unwrap()
        );
        assert_eq!(run.distance_m, Some(10020.5));
        assert_eq!(run.elapsed_s, Some(3000.0));
        assert_eq!(run.moving_s, Some(2950.0));
        let gym = &rows[1];
        assert_eq!(gym.sport, Sport::Strength);
        assert_eq!(gym.file, None);
        assert_eq!(
            gym.start_utc,
            Utc.with_ymd_and_hms(2025, 9, 3, 18, 5, 0).unwrap()
        );
        // An unknown type counts as other, with a warning naming the row.
        assert_eq!(rows[2].sport, Sport::Other);
        assert_eq!(
            rows[2].warnings,
            [
                "export.zip!activities.csv row 4 (activity 104): unknown activity type \
              \"Quidditch\", counted as other"
            ]
        );
        // A date that does not parse: the row is listed as not counted.
        assert_eq!(skipped.len(), 1);
        assert_eq!(
            skipped[0].to_string(),
            "export.zip!activities.csv row 3 (activity 103): manifest row not counted: \
             unparseable date \"not a date\""
        );
    }

    #[test]
    fn a_lone_distance_is_kilometres() {
        let csv = "Activity ID,Activity Date,Activity Name,Activity Type,Distance\n\
                   1,\"Jan 5, 2025, 8:00:00 AM\",Run,Run,5.5\n";
        let (rows, _) = read("/x/activities.csv", csv.as_bytes());
        assert_eq!(rows[0].distance_m, Some(5500.0));
        assert_eq!(rows[0].root, "/x/");
    }
}
