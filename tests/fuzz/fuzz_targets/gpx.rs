//! GPX reader, then the per-activity analysis of what it gave.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    if let Ok(activities) = patella::ingest::gpx::read(data, "fuzz.gpx") {
        common::analyse_each(&activities);
    }
});
