//! patella's own FIT decoder (`ingest::fit`), the per-activity analysis of what it gives, and a
//! differential check against the fitparser-based reference reader (`ingest::fit::reference`,
//! crate feature `reference`): where both read the file, they must give the same activities.
#![no_main]

use std::cell::Cell;
use std::collections::HashSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Once;

use libfuzzer_sys::fuzz_target;
use patella::ingest::{fit, ReadError};
use patella::model::Activity;

mod common;

thread_local! {
    /// Set while the reference reader runs: fitparser's own panics are not patella's bugs.
    static IN_ORACLE: Cell<bool> = const { Cell::new(false) };
}

/// Replaces libfuzzer-sys's panic hook (print, then abort) with one that stays silent and lets
/// the unwind happen for a panic raised inside fitparser while the oracle runs; any other panic,
/// patella's own code included (`ingest::fit::reference` too), still prints and aborts.
fn install_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        // The reference reader anchors fitparser's `local_timestamp` at the machine zone's
        // 1989-12-31: keep the results independent of the machine.
        std::env::set_var("TZ", "UTC");
        let libfuzzer_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if IN_ORACLE.with(|f| f.get()) && raised_in_fitparser(info) {
                return;
            }
            libfuzzer_hook(info);
            std::process::abort();
        }));
    });
}

/// Whether a panic comes from fitparser's code: its location is in fitparser, or the innermost
/// frame that is either fitparser's or patella's is fitparser's (a panic in chrono or std called
/// by fitparser).
fn raised_in_fitparser(info: &std::panic::PanicHookInfo) -> bool {
    if info
        .location()
        .is_some_and(|l| l.file().contains("fitparser-"))
    {
        return true;
    }
    let trace = std::backtrace::Backtrace::force_capture().to_string();
    for line in trace.lines() {
        let line = line.trim();
        if line.contains("fitparser::") || line.contains("/fitparser-") {
            return true;
        }
        if line.contains("patella::") || line.contains("/src/ingest/") {
            return false;
        }
    }
    false
}

/// The reference reader, with fitparser's panics turned into `None`.
fn reference(data: &[u8]) -> Option<Result<Vec<Activity>, ReadError>> {
    IN_ORACLE.with(|f| f.set(true));
    let result = catch_unwind(AssertUnwindSafe(|| fit::reference::read(data, "fuzz.fit")));
    IN_ORACLE.with(|f| f.set(false));
    result.ok()
}

/// The fields of `fit::reference::differences` this target holds the two readers to: what a
/// file says (sessions, sport, times, samples, the device's summary, strength sets). Left out:
/// the warnings and the words around them (a stop's message is each decoder's own), and what
/// follows from the file name or from those words (`source`, `format`, `sport_detail`,
/// `cadence_rule`, `device_name`), which the unit and corpus tests compare on real files.
const NOT_COMPARED: [&str; 6] = [
    "warnings",
    "source",
    "format",
    "sport_detail",
    "cadence_rule",
    "device_name",
];

/// fitparser quirk: a `record` holding both a field and the field that expands into it as a
/// component (`altitude` → `enhanced_altitude`, `speed` → `enhanced_speed`,
/// `compressed_speed_distance` → `speed` and `distance`) gets that name twice, once from the
/// field and once from the expansion, in the iteration order of a `HashMap` with a random seed;
/// the reference reader takes the first. Where the two values differ, its column changes from
/// one process to the next (the same file gave either value in 12 runs), so no decoder can
/// match it; patella's decoder takes the field itself. The names given twice with different
/// values in some record, from a second fitparser pass (run only once a difference is seen).
fn names_given_twice(data: &[u8]) -> Option<HashSet<String>> {
    use fitparser::de::{DecodeOption, FitObject, FitStreamProcessor};
    use fitparser::profile::MesgNum;
    IN_ORACLE.with(|f| f.set(true));
    let result = catch_unwind(AssertUnwindSafe(|| {
        // As the reference reader decodes.
        let mut processor = FitStreamProcessor::new();
        processor.add_option(DecodeOption::SkipHeaderCrcValidation);
        processor.add_option(DecodeOption::SkipDataCrcValidation);
        processor.add_option(DecodeOption::KeepCompositeFields);
        let mut twice = HashSet::new();
        let mut rest = data;
        while !rest.is_empty() {
            let Ok((next, obj)) = processor.deserialize_next(rest) else {
                break;
            };
            match obj {
                FitObject::Crc(_) => processor.reset(),
                FitObject::DataMessage(msg) => {
                    let Ok(rec) = processor.decode_message(msg) else {
                        break;
                    };
                    if rec.kind() == MesgNum::Record {
                        let fields = rec.fields();
                        for (i, a) in fields.iter().enumerate() {
                            if fields[i + 1..]
                                .iter()
                                .any(|b| b.name() == a.name() && b.value() != a.value())
                            {
                                twice.insert(a.name().to_string());
                            }
                        }
                    }
                }
                _ => {}
            }
            rest = next;
        }
        twice
    }));
    IN_ORACLE.with(|f| f.set(false));
    result.ok()
}

/// fitparser quirk: it converts every field of every message, and stops the whole file at a
/// value it cannot convert (a string where the profile has a scaled number, in a `session`
/// field patella never reads): the reference reader keeps what came before, with the warning
/// "fit decode stopped early (value error: cannot convert ...)". patella's decoder reads only
/// the fields it uses and reads on, so the activities after that message differ by design (the
/// corpus holds no such file). The comparison is skipped for such a file.
fn stopped_at_a_value_patella_never_reads(want: &[Activity], got: &[Activity]) -> bool {
    // fitparser stops the file where it cannot scale a value ("cannot convert") or cannot add an
    // accumulated field to the one before (an array such as `cycles` whose length changes from
    // one record to the next: "Array lengths differ"; "Mixed type addition").
    const STOPS: [&str; 3] = [
        "(value error: cannot convert",
        "(value error: Array lengths differ",
        "(value error: Mixed type addition",
    ];
    let quirk = |a: &Activity| {
        a.warnings
            .iter()
            .any(|w| STOPS.iter().any(|s| w.contains(s)))
    };
    want.iter().any(quirk) && !got.iter().any(quirk)
}

/// The record fields a sample column is read from (the reference reader's `first_num` lists).
fn sources(column: &str) -> &'static [&'static str] {
    match column {
        "elevation_m" => &["enhanced_altitude", "altitude"],
        "speed_m_s" => &["enhanced_speed", "speed"],
        "distance_m" => &["distance"],
        _ => &[],
    }
}

fuzz_target!(|data: &[u8]| {
    install_hook();
    let got = fit::read(data, "fuzz.fit");
    if let Ok(activities) = &got {
        common::analyse_each(activities);
    }
    if let (Some(Ok(want)), Ok(got)) = (reference(data), &got) {
        if stopped_at_a_value_patella_never_reads(&want, got) {
            return;
        }
        let mut d = fit::reference::differences(&want, got);
        d.retain(|(field, _)| !NOT_COMPARED.contains(field));
        if !d.is_empty() {
            let twice = names_given_twice(data).unwrap_or_default();
            d.retain(|(field, _)| !sources(field).iter().any(|n| twice.contains(*n)));
        }
        let lines: Vec<String> = d
            .iter()
            .map(|(f, detail)| format!("{f}: {detail}"))
            .collect();
        assert!(
            d.is_empty(),
            "patella's decoder differs from fitparser:\n{}",
            lines.join("\n")
        );
    }
});
