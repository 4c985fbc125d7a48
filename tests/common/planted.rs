//! Runs planted into a history, for the tests that plant moments into real or generated training.

#![allow(dead_code)]

use chrono::{Datelike, NaiveDate, TimeZone, Utc};

use patella::analysis::Extract;

/// A run like `template` (a run of the history) on `day` at 07:00 UTC, of `km` at 6:00/km, from
/// a file of its own (`planted/N.fit`), without the template's name and gear.
pub fn run_on(template: &Extract, day: NaiveDate, km: f64, n: usize) -> Extract {
    let mut e = template.clone();
    e.source = format!("planted/{n}.fit");
    e.session = 0;
    e.name = None;
    e.gear = None;
    e.start_utc = Utc
        .with_ymd_and_hms(day.year(), day.month(), day.day(), 7, 0, 0)
        .unwrap();
    e.utc_offset_s = Some(0);
    e.computed.distance_m = km * 1000.0;
    e.computed.moving_s = km * 360.0;
    e.computed.elapsed_s = km * 360.0;
    if let Some(d) = e.device.as_mut() {
        d.distance_m = Some(km * 1000.0);
        d.timer_s = Some(km * 360.0);
        d.elapsed_s = Some(km * 360.0);
    }
    e
}
