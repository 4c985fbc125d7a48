//! The runner's own pain log (RISK_MODEL.md, "The runner's own pain log"): one row per entry of
//! a CSV with the header `date,knee,score,when,note`. Read by `ingest::pain`, matched against the
//! training by `analysis::pain`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Which knee hurt.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Knee {
    Left,
    Right,
    Both,
}

/// When the pain shows, as the seed's self-check table sorts it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PainWhen {
    /// Early in the run.
    Start,
    /// As fatigue builds.
    Late,
    Descent,
    Stairs,
    Sitting,
    /// After a jump in training.
    After,
}

impl PainWhen {
    pub const ALL: [PainWhen; 6] = [
        PainWhen::Start,
        PainWhen::Late,
        PainWhen::Descent,
        PainWhen::Stairs,
        PainWhen::Sitting,
        PainWhen::After,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PainWhen::Start => "start",
            PainWhen::Late => "late",
            PainWhen::Descent => "descent",
            PainWhen::Stairs => "stairs",
            PainWhen::Sitting => "sitting",
            PainWhen::After => "after",
        }
    }
}

impl Knee {
    pub fn as_str(self) -> &'static str {
        match self {
            Knee::Left => "left",
            Knee::Right => "right",
            Knee::Both => "both",
        }
    }
}

/// One entry of a pain log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PainRow {
    /// The log file (`runs/pain.csv`).
    pub source: String,
    /// The entry's line in the file (the header is line 1).
    pub line: usize,
    pub date: NaiveDate,
    pub knee: Knee,
    /// 0 (none) to 10 (worst).
    pub score: u8,
    pub when: PainWhen,
    pub note: String,
}
