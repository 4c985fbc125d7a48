//! What every target shares: the settings the analysis runs with, running it over what a reader
//! gave, and the demo block that the settings files' and the pain log's targets analyse.

use std::path::PathBuf;
use std::sync::OnceLock;

use patella::analysis::{self, Analysis, Settings, WeekStart};
use patella::model::{Activity, Samples};

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

/// `fixtures/demo`, read once, every 10th sample kept: eight weeks of runs and strength sessions
/// whose every finding can fire, at a tenth of the cost per execution.
#[allow(dead_code)]
pub fn demo() -> &'static [Activity] {
    static DEMO: OnceLock<Vec<Activity>> = OnceLock::new();
    DEMO.get_or_init(|| {
        let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/demo"));
        let loaded = patella::ingest::read_paths(&[dir], &patella::ingest::Limits::default());
        assert!(
            !loaded.activities.is_empty(),
            "fixtures/demo gave no activity: {:?}",
            loaded.skipped
        );
        let mut activities = loaded.activities;
        for a in &mut activities {
            let mut thin = Samples::default();
            for i in (0..a.samples.len()).step_by(10) {
                thin.push(a.samples.get(i));
            }
            a.samples = thin;
        }
        activities
    })
}

/// The analysis of [`demo`] with [`settings`], made once: 2025-03-03 to 2025-04-27, its findings
/// dated through those weeks.
#[allow(dead_code)]
pub fn demo_analysis() -> &'static Analysis {
    static ANALYSIS: OnceLock<Analysis> = OnceLock::new();
    ANALYSIS.get_or_init(|| {
        let a = analysis::analyse(demo(), Vec::new(), settings()).expect("the demo analyses");
        assert!(!a.findings.is_empty(), "the demo block has findings");
        a
    })
}

/// Whether a message is one non-empty line.
#[allow(dead_code)]
pub fn one_line(text: &str) -> bool {
    !text.trim().is_empty() && !text.contains(['\n', '\r'])
}
