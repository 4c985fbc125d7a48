//! patella's own FIT decoder (`ingest::fitdecode`), the per-activity analysis of what it gives,
//! and a differential check against the fitparser-based reference reader (`ingest::fit`): where
//! both read the file, they must give the same activities.
#![no_main]

use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Once;

use libfuzzer_sys::fuzz_target;
use patella::ingest::{fit, fitdecode, ReadError};
use patella::model::Activity;

mod common;

thread_local! {
    /// Set while the reference reader runs: fitparser's own panics are not patella's bugs.
    static IN_ORACLE: Cell<bool> = const { Cell::new(false) };
}

/// Replaces libfuzzer-sys's panic hook (print, then abort) with one that stays silent and lets
/// the unwind happen for a panic raised inside fitparser while the oracle runs; any other panic,
/// patella's own code included (`ingest::fit` too), still prints and aborts.
fn install_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        // fit.rs anchors fitparser's `local_timestamp` at the machine zone's 1989-12-31: keep the
        // results independent of the machine.
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
    let result = catch_unwind(AssertUnwindSafe(|| fit::read(data, "fuzz.fit")));
    IN_ORACLE.with(|f| f.set(false));
    result.ok()
}

fn close(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

fn close_opt(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => close(a, b),
        _ => false,
    }
}

/// Every difference between the reference's activities (`want`) and patella's (`got`).
fn differences(want: &[Activity], got: &[Activity]) -> Vec<String> {
    let mut out = Vec::new();
    if want.len() != got.len() {
        out.push(format!("activities: {} vs {}", want.len(), got.len()));
        return out;
    }
    for (i, (w, g)) in want.iter().zip(got).enumerate() {
        let mut diff = |name: &str, same: bool, detail: String| {
            if !same {
                out.push(format!("activity {i}: {name}: {detail} (fitparser vs fitdecode)"));
            }
        };
        diff("session", w.session == g.session, format!("{} vs {}", w.session, g.session));
        diff("sport", w.sport == g.sport, format!("{:?} vs {:?}", w.sport, g.sport));
        diff(
            "start_utc",
            w.start_utc == g.start_utc,
            format!("{} vs {}", w.start_utc, g.start_utc),
        );
        diff(
            "utc_offset_s",
            w.utc_offset_s == g.utc_offset_s,
            format!("{:?} vs {:?}", w.utc_offset_s, g.utc_offset_s),
        );
        diff(
            "samples",
            w.samples.len() == g.samples.len(),
            format!("{} vs {}", w.samples.len(), g.samples.len()),
        );
        if w.samples.len() == g.samples.len() {
            for ((name, wc), (_, gc)) in w.samples.columns().into_iter().zip(g.samples.columns()) {
                if wc.len() != gc.len() {
                    diff(name, false, format!("column length {} vs {}", wc.len(), gc.len()));
                } else if let Some(k) = wc.iter().zip(gc).position(|(a, b)| !close(*a, *b)) {
                    diff(name, false, format!("sample {k}: {} vs {}", wc[k], gc[k]));
                }
            }
        }
        match (&w.device, &g.device) {
            (None, None) => {}
            (Some(wd), Some(gd)) => {
                for (name, a, b) in [
                    ("device.distance_m", wd.distance_m, gd.distance_m),
                    ("device.ascent_m", wd.ascent_m, gd.ascent_m),
                    ("device.descent_m", wd.descent_m, gd.descent_m),
                    ("device.cadence_spm", wd.cadence_spm, gd.cadence_spm),
                    ("device.timer_s", wd.timer_s, gd.timer_s),
                    ("device.elapsed_s", wd.elapsed_s, gd.elapsed_s),
                ] {
                    diff(name, close_opt(a, b), format!("{a:?} vs {b:?}"));
                }
            }
            _ => diff("device", false, format!("{:?} vs {:?}", w.device, g.device)),
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    install_hook();
    let got = fitdecode::read(data, "fuzz.fit");
    if let Ok(activities) = &got {
        common::analyse_each(activities);
    }
    if let (Some(Ok(want)), Ok(got)) = (reference(data), &got) {
        let d = differences(&want, got);
        assert!(d.is_empty(), "fitdecode differs from fitparser:\n{}", d.join("\n"));
    }
});
