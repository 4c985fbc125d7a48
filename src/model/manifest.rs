//! What a bulk export's manifest says about one session (Strava's `activities.csv`, Garmin
//! Connect's `summarizedActivities.json`): its name, type and gear, the file it names, and the
//! totals for a session that has no file at all. Made by `ingest::export`, joined to the
//! activities of the same export by `analysis::join`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Sport;

/// Where an activity's record came from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    /// A recorded file (FIT, GPX, TCX), with or without a manifest row joined to it.
    #[default]
    File,
    /// A row of Strava's `activities.csv` that no file in the export backs.
    StravaCsv,
    /// An entry of Garmin's `summarizedActivities.json` that no file in the export backs.
    GarminJson,
}

impl Origin {
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::File => "file",
            Origin::StravaCsv => "strava-csv",
            Origin::GarminJson => "garmin-json",
        }
    }
}

/// One session as a manifest lists it, in SI units and UTC.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ManifestRow {
    /// The manifest file (`export.zip!activities.csv`).
    pub source: String,
    /// The row's number in the manifest: 1 for the first session (Strava: the line after the
    /// header; Garmin: the first entry).
    pub row: usize,
    /// [`Origin::StravaCsv`] or [`Origin::GarminJson`].
    pub origin: Origin,
    /// The export the manifest belongs to (`export.zip!`, `/data/export/`): the files it names,
    /// and the files it is joined to by start time, lie under it.
    pub root: String,
    /// The service's own id of the session (`Activity ID`, `activityId`).
    pub id: String,
    /// The file the row names, as a source (`export.zip!activities/123.fit.gz`).
    pub file: Option<String>,
    pub name: Option<String>,
    /// The type as the service spells it (`Weight Training`, `trail_running`).
    pub type_name: String,
    pub sport: Sport,
    pub gear: Option<String>,
    pub start_utc: DateTime<Utc>,
    /// Local time minus UTC, where the manifest says (Garmin's `startTimeLocal`).
    pub utc_offset_s: Option<i32>,
    pub distance_m: Option<f64>,
    pub elapsed_s: Option<f64>,
    pub moving_s: Option<f64>,
    /// The session's average cadence in steps per minute, where the manifest gives it (Garmin's
    /// `avgDoubleCadence`, or `avgRunCadence` doubled: that one counts one leg).
    pub cadence_spm: Option<f64>,
    /// The sets and repetitions a strength session logged, where the manifest lists them
    /// (Garmin's `summarizedExerciseSets`): the session has them without a FIT file.
    pub strength: Option<super::StrengthSets>,
    /// What the reader noticed but read through (an unknown type), naming the row.
    pub warnings: Vec<String>,
}

impl ManifestRow {
    /// How warnings and skips name the row: `export.zip!activities.csv row 7 (activity 123)`.
    pub fn label(&self) -> String {
        format!("{} row {} (activity {})", self.source, self.row, self.id)
    }
}

/// A service's record that one session used a piece of gear: Garmin Connect keeps the shoes
/// apart from the sessions, in `DI_CONNECT/DI-Connect-Fitness/<user>_gear.json`, linked by the
/// session's id. Joined to the manifest rows of the same export before they are joined to files.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GearLink {
    /// The gear file (`export.zip!DI_CONNECT/DI-Connect-Fitness/me_gear.json`).
    pub source: String,
    /// The export the file belongs to, as [`ManifestRow::root`].
    pub root: String,
    /// The session's id (`activityId`), as [`ManifestRow::id`].
    pub id: String,
    /// The gear's name: its display name, else its make and model.
    pub gear: String,
}
