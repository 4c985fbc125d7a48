//! What every target shares: the settings the analysis runs with, and running it over what a
//! reader gave.

use std::sync::OnceLock;

use patella::analysis::{self, Settings, WeekStart};
use patella::model::Activity;

/// UTC, weeks from Monday, default thresholds.
pub fn settings() -> &'static Settings {
    static SETTINGS: OnceLock<Settings> = OnceLock::new();
    SETTINGS.get_or_init(|| Settings::new(chrono_tz::UTC, WeekStart::Mon))
}

/// Runs the per-activity analysis over every activity a reader gave, so that strange activities
/// (huge or negative times, NaN and infinite values, one sample, millions) are fuzzed there too.
#[allow(dead_code)]
pub fn analyse_each(activities: &[Activity]) {
    for a in activities {
        let _ = analysis::extract(a);
        let _ = analysis::summarise(a, settings());
    }
}
