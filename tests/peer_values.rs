//! Values that other projects' test suites assert for corpus files, where patella read them
//! otherwise (issue 27): the start of a FIT file whose first record comes after the session's
//! start, a TCX whose `RunCadence` is already steps, and a FIT session without `start_time`.
//! The fourth, a session short of its records, is on no corpus file: the FIT reader's unit tests
//! generate it. Ignored where the corpus is missing (see tests/corpus.rs).

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use patella::analysis::metrics;
use patella::ingest::{self, Limits};
use patella::model::{Activity, CadenceRule, Sport};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus")
}

/// The one activity of a corpus file.
fn read_one(file: &str) -> Activity {
    let got = ingest::read_paths(&[corpus().join(file)], &Limits::default());
    assert!(got.skipped.is_empty(), "{file}: {:?}", got.skipped);
    assert_eq!(got.activities.len(), 1, "{file}");
    got.activities.into_iter().next().unwrap()
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

#[test]
#[cfg_attr(not(corpus), ignore = "needs ../shared/corpus")]
fn fit_starts_are_the_sessions_start_time() {
    // The session's start_time as the FIT SDK reads it; the first record comes this many
    // seconds later (the start followed the first record before).
    for (file, start, first_record_s) in [
        (
            "fit/runalyze/swim-fenix-50m.fit",
            "2015-07-18T06:29:27Z",
            78.0,
        ),
        ("fit/tormoder-fit/garmin.fit", "2020-11-07T19:13:55Z", 45.0),
        (
            "fit/muktihari-fit/activity_poolswim.fit",
            "2021-07-20T21:11:20Z",
            20.0,
        ),
        (
            "fit/workoutizer/swim_no_coordinates.fit",
            "2020-08-23T16:03:12Z",
            317.0,
        ),
    ] {
        let a = read_one(file);
        assert_eq!(a.start_utc, utc(start), "{file}");
        assert_eq!(a.samples.t_s[0], first_record_s, "{file}");
    }
}

#[test]
#[cfg_attr(not(corpus), ignore = "needs ../shared/corpus")]
fn tcx_run_cadence_already_in_steps_is_not_doubled() {
    // Runalyze asserts an average cadence of 67 ± 0.5 (its cadence is per leg): 134 steps per
    // minute. Doubled, it read 268 (a median of 240).
    let a = read_one("tcx/runalyze/Treadmill-doubled-cadence.tcx");
    assert_eq!(a.cadence_rule, CadenceRule::TcxAlreadySpm);
    let c = metrics::compute(&a.samples);
    let mean = c.cadence_mean_spm.expect("cadence");
    assert!((mean / 2.0 - 67.0).abs() <= 0.5, "{mean}");
    assert_eq!(c.cadence_spm, Some(120.0));
}

#[test]
#[cfg_attr(not(corpus), ignore = "needs ../shared/corpus")]
fn a_fit_session_without_start_time_keeps_its_distance() {
    // The session of this virtual ride holds its total_distance (11,058 m), ascent and sport but
    // no start_time: it was read as "no session message" and lost them. Its start is its first
    // record's.
    let a = read_one("fit/sports-lib/2020-01-09_virtualride.fit");
    assert_eq!(a.sport, Sport::Cycling);
    let d = a.device.as_ref().expect("the session's totals");
    assert_eq!(d.distance_m, Some(11_058.0));
    assert_eq!(d.ascent_m, Some(210.0));
    assert_eq!(a.start_utc, utc("2020-01-09T17:49:07Z"));
}
