//! The export manifests: Strava's `activities.csv` and Garmin Connect's
//! `summarizedActivities.json`. The first byte picks the reader, the rest is the file. Every row
//! read, every row refused, and the sessions the rows make on their own (joined to no file) go on
//! through the analysis: no panic, every reason and warning one non-empty line naming its row.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use patella::analysis;
use patella::ingest::export::{self, Manifest};

fn one_line(text: &str) -> bool {
    !text.trim().is_empty() && !text.contains('\n')
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let (kind, source) = if pick % 2 == 0 {
        (Manifest::Strava, "export.zip!activities.csv")
    } else {
        (
            Manifest::Garmin,
            "export.zip!DI_CONNECT/DI-Connect-Fitness/u_0_summarizedActivities.json",
        )
    };
    let (rows, refused) = export::read(kind, source, bytes);
    for s in &refused {
        let reason = s.reason.to_string();
        assert!(one_line(&reason), "reason of {}: {reason:?}", s.source);
    }
    for r in &rows {
        assert!(r.row >= 1, "rows count from 1");
        for w in &r.warnings {
            assert!(one_line(w), "warning of row {}: {w:?}", r.row);
        }
    }
    // No files: every row is a session only the manifest knows.
    let mut extracts = Vec::new();
    analysis::join::join(&mut extracts, &rows);
    let _ = analysis::analyse_extracts(&extracts, refused, common::settings());
});
