//! Bulk-export manifests: Strava's `activities.csv` ([`strava`]) and Garmin Connect's
//! `summarizedActivities.json` ([`garmin`]). Each is recognised by its bytes (a header, a key)
//! wherever a folder or an archive holds it, and read into [`ManifestRow`]s; the join to the
//! export's files happens after the store (`analysis::join`), since a file and the row naming it
//! may come from different files on disk (an unpacked export).

pub mod garmin;
pub mod strava;

use crate::ingest::clean;
use crate::model::{GearLink, ManifestRow, Origin, ReadError, SkipReason, Skipped};

/// Which manifest a file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Manifest {
    Strava,
    Garmin,
}

/// Which manifest the head of a file is, if any: Strava's `activities.csv` by its header,
/// Garmin's by its name (`*summarizedActivities*.json`) and its top-level key.
pub fn sniff(name: &str, head: &str) -> Option<Manifest> {
    if strava::is_header(head) {
        return Some(Manifest::Strava);
    }
    let file = name.rsplit(['/', '!']).next().unwrap_or(name);
    if file.contains("summarizedActivities")
        && file.to_ascii_lowercase().ends_with(".json")
        && head.starts_with(['[', '{'])
    {
        return Some(Manifest::Garmin);
    }
    None
}

/// The rows of a manifest, and the rows that cannot count (a date that does not parse), each
/// naming its row.
pub fn read(kind: Manifest, source: &str, bytes: &[u8]) -> (Vec<ManifestRow>, Vec<Skipped>) {
    let (rows, mut skipped) = match kind {
        Manifest::Strava => strava::read(source, bytes),
        Manifest::Garmin => garmin::read(source, bytes),
    };
    // Dates are cleaned at the edge as samples are (`ingest::clean`): a row dated outside
    // 1989–2100 does not count, or one row in the year 9999 would stretch the days and weeks of
    // the analysis over eight thousand years (found by the `manifest` fuzz target).
    let in_range = |r: &ManifestRow| {
        (clean::EARLIEST_UNIX_S..clean::LATEST_UNIX_S).contains(&r.start_utc.timestamp())
    };
    let (rows, outside): (Vec<ManifestRow>, Vec<ManifestRow>) =
        rows.into_iter().partition(in_range);
    skipped.extend(outside.into_iter().map(|r| {
        Skipped::new(
            format!("{} row {} (activity {})", r.source, r.row, r.id),
            SkipReason::Read(ReadError::invalid(format!(
                "manifest row not counted: its date {} lies outside 1989–2100",
                r.start_utc.format("%Y-%m-%d")
            ))),
        )
    }));
    (rows, skipped)
}

/// Names the gear of Garmin manifest rows from the gear lists of the same export (`links`, read
/// by [`garmin::read_gear`]): a row without gear takes the gear linked to its session id.
pub fn attach_gear(rows: &mut [ManifestRow], links: &[GearLink]) {
    if links.is_empty() {
        return;
    }
    let by_session: std::collections::HashMap<(&str, &str), &str> = links
        .iter()
        .map(|l| ((l.root.as_str(), l.id.as_str()), l.gear.as_str()))
        .collect();
    for row in rows
        .iter_mut()
        .filter(|r| r.origin == Origin::GarminJson && r.gear.is_none())
    {
        if let Some(gear) = by_session.get(&(row.root.as_str(), row.id.as_str())) {
            row.gear = Some(gear.to_string());
        }
    }
}

/// The folder a manifest's `Filename` is relative to: its source up to the last `/` or `!`
/// (`export.zip!activities.csv` → `export.zip!`).
pub(crate) fn folder_of(source: &str) -> String {
    match source.rfind(['/', '!']) {
        Some(i) => source[..=i].to_string(),
        None => String::new(),
    }
}

/// A number as exports write them: `1,234.5` or `12.3`; `None` when empty or not a number.
pub(crate) fn number(s: &str) -> Option<f64> {
    let clean: String = s.trim().chars().filter(|c| *c != ',').collect();
    clean.parse::<f64>().ok().filter(|v| v.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_dated_outside_1989_to_2100_does_not_count() {
        // Found by the `manifest` fuzz target: one row in the year 9999 stretched the analysis's
        // days over eight thousand years (400 MB).
        let csv = "Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,\
Elapsed Time,Distance\n\
1,\"Sep 2, 2025, 10:30:00 AM\",Run,Run,,3000,10.0\n\
2,\"Sep 2, 9999, 10:30:00 AM\",Far,Run,,3000,10.0\n\
3,\"Jan 1, 1980, 10:30:00 AM\",Early,Run,,3000,10.0\n";
        let (rows, skipped) = read(Manifest::Strava, "e.zip!activities.csv", csv.as_bytes());
        assert_eq!(
            rows.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
            ["1"]
        );
        let reasons: Vec<String> = skipped
            .iter()
            .map(|s| format!("{}: {}", s.source, s.reason))
            .collect();
        assert_eq!(
            reasons,
            [
                "e.zip!activities.csv row 2 (activity 2): manifest row not counted: its date \
                 9999-09-02 lies outside 1989–2100",
                "e.zip!activities.csv row 3 (activity 3): manifest row not counted: its date \
                 1980-01-01 lies outside 1989–2100",
            ]
        );
    }
}
