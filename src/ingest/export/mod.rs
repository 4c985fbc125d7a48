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

/// The rows of a manifest, and the rows that cannot count (a date that does not parse or lies
/// outside 1989–2100, totals that are all impossible), each naming its row.
pub fn read(kind: Manifest, source: &str, bytes: &[u8]) -> (Vec<ManifestRow>, Vec<Skipped>) {
    let (rows, mut skipped) = match kind {
        Manifest::Strava => strava::read(source, bytes),
        Manifest::Garmin => garmin::read(source, bytes),
    };
    // Totals are checked at the edge too: one Garmin `distance` of 1e308 cm would otherwise be a
    // run of 10^300 km in every week's sum after it.
    let rows = rows
        .into_iter()
        .filter_map(|mut r| match plausible_totals(&mut r) {
            Ok(()) => Some(r),
            Err(why) => {
                skipped.push(Skipped::new(
                    r.label(),
                    SkipReason::Read(ReadError::invalid(format!(
                        "manifest row not counted: {why}"
                    ))),
                ));
                None
            }
        })
        .collect::<Vec<_>>();
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

/// The longest distance a manifest row may give: no single recording comes near it (the longest
/// non-stop races, Race Across America's 4,800 km by bike, stay under half of it), and any more
/// is a broken value (Garmin's `distance` of 1e308 cm).
pub const MAX_DISTANCE_M: f64 = 10_000_000.0;

/// The longest time a manifest row may give, elapsed or moving: 100 days. Expedition recordings
/// run for weeks (Garmin's expedition mode records for a month and more), none for a season.
pub const MAX_DURATION_S: f64 = 100.0 * 86_400.0;

/// A value as a warning shows it: as written up to a billion, in exponent form beyond (1e306,
/// not 307 digits); `NaN` and `inf` as they are.
pub(crate) fn shown(v: f64) -> String {
    if v.is_finite() && v.abs() < 1e9 {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

/// Leaves out each of `row`'s totals (distance, elapsed and moving time) that no session can
/// have: negative, NaN or infinite, or above [`MAX_DISTANCE_M`] or [`MAX_DURATION_S`]; a
/// warning names the row and the value. `Err` when the row gave totals and none of them was
/// possible: nothing it says can be trusted, its date and type included. A row that gave no
/// totals (a strength session logged by hand) counts as before.
fn plausible_totals(row: &mut ManifestRow) -> Result<(), String> {
    let label = row.label();
    let mut given = 0;
    let mut dropped = Vec::new();
    for (what, value, max, unit, range) in [
        (
            "distance",
            &mut row.distance_m,
            MAX_DISTANCE_M,
            "m",
            "0–10,000 km",
        ),
        (
            "elapsed time",
            &mut row.elapsed_s,
            MAX_DURATION_S,
            "s",
            "0–100 days",
        ),
        (
            "moving time",
            &mut row.moving_s,
            MAX_DURATION_S,
            "s",
            "0–100 days",
        ),
    ] {
        let Some(v) = *value else { continue };
        given += 1;
        if (0.0..=max).contains(&v) {
            continue;
        }
        *value = None;
        dropped.push(format!("{what} {} {unit} lies outside {range}", shown(v)));
    }
    if !dropped.is_empty() && dropped.len() == given {
        return Err(dropped.join("; "));
    }
    row.warnings.extend(
        dropped
            .into_iter()
            .map(|d| format!("{label}: {d}, left out")),
    );
    Ok(())
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
/// `NaN`, `inf` and `1e999` are numbers here: [`read`] leaves them out with a warning, as it
/// does every impossible total.
pub(crate) fn number(s: &str) -> Option<f64> {
    let clean: String = s.trim().chars().filter(|c| *c != ',').collect();
    clean.parse::<f64>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reasons(skipped: &[Skipped]) -> Vec<String> {
        skipped
            .iter()
            .map(|s| format!("{}: {}", s.source, s.reason))
            .collect()
    }

    #[test]
    fn impossible_strava_totals_are_left_out_and_a_row_of_nothing_else_is_not_counted() {
        let csv = "Activity ID,Activity Date,Activity Name,Activity Type,Elapsed Time,Distance,\
Elapsed Time,Moving Time,Distance\n\
1,\"Sep 1, 2025, 7:00:00 AM\",Huge,Run,3000,10,3000,2950,1e308\n\
2,\"Sep 2, 2025, 7:00:00 AM\",Broken,Run,,,-5,inf,NaN\n\
3,\"Sep 3, 2025, 7:00:00 AM\",Edge,Run,,,8640000,0,10000000\n\
4,\"Sep 4, 2025, 7:00:00 AM\",Just over,Run,,,8640001,-0.5,10000000.5\n\
5,\"Sep 5, 2025, 7:00:00 AM\",Gym,Weight Training,,,,,\n";
        let src = "e.zip!activities.csv";
        let (rows, skipped) = read(Manifest::Strava, src, csv.as_bytes());
        let got: Vec<_> = rows
            .iter()
            .map(|r| (r.id.as_str(), r.distance_m, r.elapsed_s, r.moving_s))
            .collect();
        assert_eq!(
            got,
            [
                ("1", None, Some(3000.0), Some(2950.0)),
                // The bounds themselves are possible.
                ("3", Some(10_000_000.0), Some(8_640_000.0), Some(0.0)),
                // Nothing it gave is possible, but it gave nothing: it counts.
                ("5", None, None, None),
            ]
        );
        assert_eq!(
            rows[0].warnings,
            [format!(
                "{src} row 1 (activity 1): distance 1e308 m lies outside 0–10,000 km, left out"
            )]
        );
        assert!(rows[1].warnings.is_empty(), "{:?}", rows[1].warnings);
        assert_eq!(
            reasons(&skipped),
            [
                format!(
                    "{src} row 2 (activity 2): manifest row not counted: distance NaN m lies \
                     outside 0–10,000 km; elapsed time -5 s lies outside 0–100 days; moving time \
                     inf s lies outside 0–100 days"
                ),
                format!(
                    "{src} row 4 (activity 4): manifest row not counted: distance 10000000.5 m \
                     lies outside 0–10,000 km; elapsed time 8640001 s lies outside 0–100 days; \
                     moving time -0.5 s lies outside 0–100 days"
                ),
            ]
        );
    }

    #[test]
    fn impossible_garmin_totals_and_times_are_left_out_naming_the_row() {
        let json = r#"[{"summarizedActivitiesExport": [
            {"activityId": 1, "activityType": "running", "beginTimestamp": 1756809000000,
             "startTimeGmt": 1756809000000, "startTimeLocal": 1756794600000,
             "duration": 3000000, "distance": 1e308},
            {"activityId": 2, "activityType": "running", "beginTimestamp": 1e308,
             "duration": 3000000, "distance": 1000000},
            {"activityId": 3, "activityType": "running", "beginTimestamp": 1756909000000,
             "startTimeGmt": 1756909000000, "startTimeLocal": 1e300,
             "duration": 3000000, "distance": -1000000},
            {"activityId": 4, "activityType": "running", "beginTimestamp": 1757009000000,
             "duration": -1, "elapsedDuration": 1e20},
            {"activityId": 5, "activityType": "running", "beginTimestamp": -1e308}
        ]}]"#;
        let src = "g.zip!DI_CONNECT/DI-Connect-Fitness/me_0_summarizedActivities.json";
        let (rows, skipped) = read(Manifest::Garmin, src, json.as_bytes());
        let got: Vec<_> = rows
            .iter()
            .map(|r| (r.id.as_str(), r.distance_m, r.moving_s, r.utc_offset_s))
            .collect();
        assert_eq!(
            got,
            [
                ("1", None, Some(3000.0), Some(-4 * 3600)),
                ("3", None, Some(3000.0), None),
            ]
        );
        assert_eq!(
            rows[0].warnings,
            [format!(
                "{src} row 1 (activity 1): distance 1e306 m lies outside 0–10,000 km, left out"
            )]
        );
        assert_eq!(
            rows[1].warnings,
            [
                format!(
                    "{src} row 3 (activity 3): startTimeLocal is 1e297 s from startTimeGmt, more \
                     than any zone's 18 h; the local time is taken from the zone"
                ),
                format!(
                    "{src} row 3 (activity 3): distance -10000 m lies outside 0–10,000 km, left out"
                ),
            ]
        );
        assert_eq!(
            reasons(&skipped),
            [
                format!(
                    "{src} row 2 (activity 2): manifest row not counted: its start time 1e308 ms \
                     is not a date"
                ),
                format!(
                    "{src} row 5 (activity 5): manifest row not counted: its start time -1e308 ms \
                     is not a date"
                ),
                format!(
                    "{src} row 4 (activity 4): manifest row not counted: elapsed time 1e17 s lies \
                     outside 0–100 days; moving time -0.001 s lies outside 0–100 days"
                ),
            ]
        );
    }

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
