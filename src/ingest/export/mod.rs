//! Bulk-export manifests: Strava's `activities.csv` ([`strava`]) and Garmin Connect's
//! `summarizedActivities.json` ([`garmin`]). Each is recognised by its bytes (a header, a key)
//! wherever a folder or an archive holds it, and read into [`ManifestRow`]s; the join to the
//! export's files happens after the store (`analysis::join`), since a file and the row naming it
//! may come from different files on disk (an unpacked export).

pub mod garmin;
pub mod strava;

use crate::model::{ManifestRow, Skipped};

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
    match kind {
        Manifest::Strava => strava::read(source, bytes),
        Manifest::Garmin => garmin::read(source, bytes),
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
