//! A thresholds file (`--config`): parsed, and when it parses, the demo block analysed with
//! those thresholds. Nothing may panic, whatever numbers the file holds.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use patella::analysis::{analyse, Settings, WeekStart};
use patella::model::{Activity, Samples};

/// `fixtures/demo`, read once, every 10th sample kept: eight weeks of runs and strength sessions
/// whose every finding can fire, at a tenth of the cost per execution.
fn demo() -> &'static [Activity] {
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

fuzz_target!(|data: &[u8]| {
    let activities = demo();
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(cfg) = patella::cli::parse_config(text, "fuzz.toml") else {
        return;
    };
    let settings = Settings {
        tz: chrono_tz::UTC,
        week_start: WeekStart::Mon,
        thresholds: cfg.thresholds,
        as_of: None,
    };
    let _ = analyse(activities, Vec::new(), &settings);
});
