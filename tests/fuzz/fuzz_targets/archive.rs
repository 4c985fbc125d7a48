//! A top-level file's bytes as a folder walk would hand them over: zip, gzip, nested archives,
//! and whatever their members hold. Every member gives activities or one one-line reason.
#![no_main]

use libfuzzer_sys::fuzz_target;
use patella::ingest::{read_bytes, Limits};

fuzz_target!(|data: &[u8]| {
    let loaded = read_bytes("fuzz.zip", data, &Limits::default());
    for s in &loaded.skipped {
        let reason = s.reason.to_string();
        assert!(
            !reason.trim().is_empty() && !reason.contains('\n'),
            "skip reason of {} is not one non-empty line: {reason:?}",
            s.source,
        );
    }
    assert!(loaded.files_seen >= loaded.skipped.len());
});
