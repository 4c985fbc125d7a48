//! What every reader produces: one [`Activity`] per recorded session, in SI units, with UTC
//! timestamps, the local offset where the file carries one, per-sample columns and the device's own
//! summary kept beside the samples.
//!
//! Sample columns are parallel `Vec<f64>` of equal length; a missing value is `NaN`. Columns that a
//! file never records stay all-`NaN` (see [`Samples::has`]).

pub mod manifest;
pub mod pain;
pub mod skip;
pub mod units;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use manifest::{GearLink, ManifestRow, Origin};
pub use pain::{Knee, PainRow, PainWhen};
pub use skip::{Position, ReadError, SkipReason, Skipped};

/// The file format an activity was read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Fit,
    Gpx,
    Tcx,
    /// A row of Strava's `activities.csv` without a file of its own.
    Csv,
    /// An entry of Garmin Connect's `summarizedActivities.json` without a file of its own.
    Json,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Fit => "fit",
            Format::Gpx => "gpx",
            Format::Tcx => "tcx",
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }
}

/// What kind of activity it was. Only [`Sport::Running`] counts as running distance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sport {
    Running,
    Walking,
    Hiking,
    Cycling,
    Swimming,
    /// FIT sport `training` with sub-sport `strength_training`.
    Strength,
    /// Anything else, or a file that does not say.
    Other,
}

impl Sport {
    pub fn as_str(self) -> &'static str {
        match self {
            Sport::Running => "running",
            Sport::Walking => "walking",
            Sport::Hiking => "hiking",
            Sport::Cycling => "cycling",
            Sport::Swimming => "swimming",
            Sport::Strength => "strength",
            Sport::Other => "other",
        }
    }

    /// Sports done on foot, whose cadence is counted in steps.
    pub fn on_foot(self) -> bool {
        matches!(self, Sport::Running | Sport::Walking | Sport::Hiking)
    }

    /// Maps a sport name as FIT, TCX or GPX writers spell it (`running`, `Running`, `run`,
    /// `trail_running`, `Biking`, `9` for Strava's GPX running type, ...).
    pub fn from_name(name: &str) -> Sport {
        let n = name.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        match n.as_str() {
            "running" | "run" | "trail_running" | "trail_run" | "treadmill_running"
            | "treadmill" | "track_running" | "street_running" | "virtual_run" | "virtualrun"
            | "9" | "jogging" => Sport::Running,
            "walking" | "walk" | "casual_walking" | "speed_walking" => Sport::Walking,
            "hiking" | "hike" | "mountaineering" => Sport::Hiking,
            "cycling" | "biking" | "bike" | "ride" | "virtual_ride" | "virtualride"
            | "e_biking" | "mountain_biking" | "road_biking" | "1" => Sport::Cycling,
            "swimming" | "swim" | "lap_swimming" | "open_water" | "open_water_swimming" => {
                Sport::Swimming
            }
            "strength_training" | "strength" | "weight_training" => Sport::Strength,
            _ => Sport::Other,
        }
    }
}

impl Sport {
    /// Guesses the sport from an activity's title as apps name them ("Morning Run", "Lunch
    /// Ride", "Abendlauf"): a word that names one sport. `None` when no word does.
    pub fn from_title(title: &str) -> Option<Sport> {
        let lower = title.to_lowercase();
        let mut found = None;
        for word in lower.split(|c: char| !c.is_alphanumeric()) {
            let sport = match word {
                "run" | "running" | "jog" | "jogging" | "trailrun" | "lauf" | "laufen" => {
                    Sport::Running
                }
                "ride" | "cycling" | "bike" | "biking" => Sport::Cycling,
                "walk" | "walking" => Sport::Walking,
                "hike" | "hiking" => Sport::Hiking,
                "swim" | "swimming" => Sport::Swimming,
                w if w.ends_with("lauf") && !w.ends_with("verlauf") => Sport::Running,
                _ => continue,
            };
            if found.is_some_and(|f| f != sport) {
                return None;
            }
            found = Some(sport);
        }
        found
    }
}

/// How the cadence column was brought to steps per minute (RISK_MODEL.md, "Cadence").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CadenceRule {
    /// FIT `cadence` (+ `fractional_cadence`) in strides per minute, doubled.
    FitStridesDoubled,
    /// FIT `cadence` whose values already sit in the steps-per-minute range (median above 130 on
    /// a run: some third-party writers store steps), kept.
    FitAlreadySpm,
    /// TCX `RunCadence` (or `Cadence` on a run) in strides per minute (median below 120),
    /// doubled.
    TcxStridesDoubled,
    /// GPX `cad` whose values sit in the per-leg range (median below 120), doubled.
    GpxPerLegDoubled,
    /// GPX `cad` whose values are already steps per minute (median 120 or more), kept.
    GpxAlreadySpm,
    /// TCX `RunCadence` (or `Cadence` on a run) whose values already sit in the steps-per-minute
    /// range (median 120 or more: some writers store steps), kept.
    TcxAlreadySpm,
    /// No cadence recorded, or not an on-foot sport (cycling cadence is not steps).
    None,
}

impl CadenceRule {
    pub fn as_str(self) -> &'static str {
        match self {
            CadenceRule::FitStridesDoubled => "fit-strides-doubled",
            CadenceRule::FitAlreadySpm => "fit-already-spm",
            CadenceRule::TcxStridesDoubled => "tcx-strides-doubled",
            CadenceRule::TcxAlreadySpm => "tcx-already-spm",
            CadenceRule::GpxPerLegDoubled => "gpx-per-leg-doubled",
            CadenceRule::GpxAlreadySpm => "gpx-already-spm",
            CadenceRule::None => "none",
        }
    }
}

/// Per-sample columns, all of the same length, in SI units. Missing values are `NaN`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Samples {
    /// Seconds since [`Activity::start_utc`]; never decreasing.
    pub t_s: Vec<f64>,
    pub lat_deg: Vec<f64>,
    pub lon_deg: Vec<f64>,
    pub elevation_m: Vec<f64>,
    /// Cumulative distance as the device recorded it (wheel, foot pod or the watch's own fusion).
    pub distance_m: Vec<f64>,
    pub speed_m_s: Vec<f64>,
    /// Steps per minute (both legs), after the activity's [`CadenceRule`].
    pub cadence_spm: Vec<f64>,
    pub heart_rate_bpm: Vec<f64>,
    pub power_w: Vec<f64>,
    /// Running dynamics: ground contact time.
    pub ground_contact_s: Vec<f64>,
    /// Running dynamics: share of ground contact on the left foot, in percent.
    pub gct_balance_left_pct: Vec<f64>,
    pub vertical_oscillation_m: Vec<f64>,
    pub vertical_ratio_pct: Vec<f64>,
    pub step_length_m: Vec<f64>,
}

/// One sample, as a reader builds it before pushing it into [`Samples`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sample {
    pub t_s: f64,
    pub lat_deg: f64,
    pub lon_deg: f64,
    pub elevation_m: f64,
    pub distance_m: f64,
    pub speed_m_s: f64,
    pub cadence_spm: f64,
    pub heart_rate_bpm: f64,
    pub power_w: f64,
    pub ground_contact_s: f64,
    pub gct_balance_left_pct: f64,
    pub vertical_oscillation_m: f64,
    pub vertical_ratio_pct: f64,
    pub step_length_m: f64,
}

impl Default for Sample {
    fn default() -> Self {
        Sample {
            t_s: f64::NAN,
            lat_deg: f64::NAN,
            lon_deg: f64::NAN,
            elevation_m: f64::NAN,
            distance_m: f64::NAN,
            speed_m_s: f64::NAN,
            cadence_spm: f64::NAN,
            heart_rate_bpm: f64::NAN,
            power_w: f64::NAN,
            ground_contact_s: f64::NAN,
            gct_balance_left_pct: f64::NAN,
            vertical_oscillation_m: f64::NAN,
            vertical_ratio_pct: f64::NAN,
            step_length_m: f64::NAN,
        }
    }
}

impl Samples {
    pub fn len(&self) -> usize {
        self.t_s.len()
    }

    pub fn is_empty(&self) -> bool {
        self.t_s.is_empty()
    }

    /// Room for `n` more samples in every column, so a reader that knows its count fills them
    /// without regrowing (and copying) fourteen vectors as it goes.
    pub fn reserve(&mut self, n: usize) {
        self.t_s.reserve_exact(n);
        for column in self.value_columns_mut() {
            column.reserve_exact(n);
        }
    }

    /// Every column but `t_s`.
    pub(crate) fn value_columns_mut(&mut self) -> [&mut Vec<f64>; 13] {
        [
            &mut self.lat_deg,
            &mut self.lon_deg,
            &mut self.elevation_m,
            &mut self.distance_m,
            &mut self.speed_m_s,
            &mut self.cadence_spm,
            &mut self.heart_rate_bpm,
            &mut self.power_w,
            &mut self.ground_contact_s,
            &mut self.gct_balance_left_pct,
            &mut self.vertical_oscillation_m,
            &mut self.vertical_ratio_pct,
            &mut self.step_length_m,
        ]
    }

    pub fn push(&mut self, s: Sample) {
        self.t_s.push(s.t_s);
        self.lat_deg.push(s.lat_deg);
        self.lon_deg.push(s.lon_deg);
        self.elevation_m.push(s.elevation_m);
        self.distance_m.push(s.distance_m);
        self.speed_m_s.push(s.speed_m_s);
        self.cadence_spm.push(s.cadence_spm);
        self.heart_rate_bpm.push(s.heart_rate_bpm);
        self.power_w.push(s.power_w);
        self.ground_contact_s.push(s.ground_contact_s);
        self.gct_balance_left_pct.push(s.gct_balance_left_pct);
        self.vertical_oscillation_m.push(s.vertical_oscillation_m);
        self.vertical_ratio_pct.push(s.vertical_ratio_pct);
        self.step_length_m.push(s.step_length_m);
    }

    pub fn get(&self, i: usize) -> Sample {
        Sample {
            t_s: self.t_s[i],
            lat_deg: self.lat_deg[i],
            lon_deg: self.lon_deg[i],
            elevation_m: self.elevation_m[i],
            distance_m: self.distance_m[i],
            speed_m_s: self.speed_m_s[i],
            cadence_spm: self.cadence_spm[i],
            heart_rate_bpm: self.heart_rate_bpm[i],
            power_w: self.power_w[i],
            ground_contact_s: self.ground_contact_s[i],
            gct_balance_left_pct: self.gct_balance_left_pct[i],
            vertical_oscillation_m: self.vertical_oscillation_m[i],
            vertical_ratio_pct: self.vertical_ratio_pct[i],
            step_length_m: self.step_length_m[i],
        }
    }

    /// Whether any sample of `column` holds a value.
    pub fn has(column: &[f64]) -> bool {
        column.iter().any(|v| !v.is_nan())
    }

    /// Every column by name, in SI units.
    pub fn columns(&self) -> [(&'static str, &[f64]); 14] {
        [
            ("t_s", &self.t_s),
            ("lat_deg", &self.lat_deg),
            ("lon_deg", &self.lon_deg),
            ("elevation_m", &self.elevation_m),
            ("distance_m", &self.distance_m),
            ("speed_m_s", &self.speed_m_s),
            ("cadence_spm", &self.cadence_spm),
            ("heart_rate_bpm", &self.heart_rate_bpm),
            ("power_w", &self.power_w),
            ("ground_contact_s", &self.ground_contact_s),
            ("gct_balance_left_pct", &self.gct_balance_left_pct),
            ("vertical_oscillation_m", &self.vertical_oscillation_m),
            ("vertical_ratio_pct", &self.vertical_ratio_pct),
            ("step_length_m", &self.step_length_m),
        ]
    }

    /// The columns that hold at least one value, with how many samples hold one.
    pub fn recorded(&self) -> Vec<(&'static str, usize)> {
        self.columns()
            .into_iter()
            .map(|(name, col)| (name, col.iter().filter(|v| !v.is_nan()).count()))
            .filter(|(_, n)| *n > 0)
            .collect()
    }

    /// Whether any sample has a position.
    pub fn has_gps(&self) -> bool {
        self.lat_deg
            .iter()
            .zip(&self.lon_deg)
            .any(|(a, o)| !a.is_nan() && !o.is_nan())
    }
}

/// The sets of a strength session, as the watch logged them (FIT `set` messages): rest periods
/// left out, repetitions summed over the sets that give them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StrengthSets {
    pub sets: u32,
    pub repetitions: u32,
}

/// What the watch itself wrote as its summary (FIT session, TCX lap totals). Every field is
/// optional: writers leave out what they did not measure.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DeviceSummary {
    pub distance_m: Option<f64>,
    pub ascent_m: Option<f64>,
    pub descent_m: Option<f64>,
    /// Average cadence in steps per minute (the device's strides doubled, as for samples).
    pub cadence_spm: Option<f64>,
    /// Time the timer ran (pauses excluded).
    pub timer_s: Option<f64>,
    /// Wall-clock time from start to end.
    pub elapsed_s: Option<f64>,
}

/// One recorded activity (one FIT session, one GPX file's tracks, one TCX activity).
#[derive(Clone, Debug, PartialEq)]
pub struct Activity {
    /// The file path, or `archive.zip!inner/path` for a member of an archive.
    pub source: String,
    /// Which session of the file this is (0 unless the file holds several, as multisport FITs do).
    pub session: usize,
    pub format: Format,
    pub sport: Sport,
    /// The writer's own sport words (`running/trail`, `Running`, `9`), kept for the record.
    pub sport_detail: String,
    pub start_utc: DateTime<Utc>,
    /// Offset of local time from UTC in seconds, where the file says (FIT
    /// `activity.local_timestamp`). `None` means the `--tz` zone decides.
    pub utc_offset_s: Option<i32>,
    /// The recording device or writer (`garmin:fr955`, GPX `creator`, TCX `Creator/Name`).
    pub device_name: Option<String>,
    pub samples: Samples,
    pub cadence_rule: CadenceRule,
    pub device: Option<DeviceSummary>,
    /// The sets logged in a strength session (FIT `set` messages); `None` where the file has
    /// none.
    pub strength: Option<StrengthSets>,
    /// What the reader noticed but read through: a bad CRC, a truncated tail, dropped points.
    pub warnings: Vec<String>,
}

impl Activity {
    /// An empty activity of `format` read from `source`, to be filled in by a reader.
    pub fn new(source: &str, format: Format, start_utc: DateTime<Utc>) -> Activity {
        Activity {
            source: source.to_string(),
            session: 0,
            format,
            sport: Sport::Other,
            sport_detail: String::new(),
            start_utc,
            utc_offset_s: None,
            device_name: None,
            samples: Samples::default(),
            cadence_rule: CadenceRule::None,
            device: None,
            strength: None,
            warnings: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sport_from_title() {
        assert_eq!(Sport::from_title("Morning Run"), Some(Sport::Running));
        assert_eq!(Sport::from_title("Abendlauf am See"), Some(Sport::Running));
        assert_eq!(Sport::from_title("Lunch Ride"), Some(Sport::Cycling));
        assert_eq!(Sport::from_title("Run and ride"), None);
        assert_eq!(Sport::from_title("Rundweg"), None);
        assert_eq!(Sport::from_title("Track 12"), None);
    }
}
