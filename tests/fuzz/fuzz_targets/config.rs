//! A thresholds file (`--config`): parsed, and when it parses, the demo block analysed with
//! those thresholds. Nothing may panic, whatever numbers the file holds.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use patella::analysis::{analyse, Settings, WeekStart};

// The demo block is read (and analysed) before the first input, so that its few seconds on a
// busy machine do not count against the first input's 10 s.
fuzz_target!(init: { common::demo(); }, |data: &[u8]| {
    let activities = common::demo();
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
