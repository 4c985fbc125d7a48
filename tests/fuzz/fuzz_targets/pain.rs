//! A runner's pain log (`--pain`, a `pain.csv` found in a folder, or the one an `athlete.toml`
//! names): read by `ingest::pain::read`, then its rows matched against a small fixed analysis
//! (the demo block, thinned: eight weeks with findings on many days) by `analysis::with_pain`,
//! so that the matching, the self-checks and the clinician's rule run on whatever the rows hold.
//! Nothing may panic; every message is one non-empty line naming the log and a line; rows are
//! dated 1989–2100; the entries come in date order, at most one per row, each preceded only by
//! the events of its 14 days and the habits in force on its day.
#![no_main]

mod common;

use chrono::{Days, NaiveTime};
use libfuzzer_sys::fuzz_target;
use patella::analysis::{self, pain::PRECEDING_DAYS, Kind};
use patella::ingest::clean::{EARLIEST_UNIX_S, LATEST_UNIX_S};

const SOURCE: &str = "athletes/ada/pain.csv";

// The demo block is read (and analysed) before the first input, so that its few seconds on a
// busy machine do not count against the first input's 10 s.
fuzz_target!(init: { common::demo_analysis(); }, |data: &[u8]| {
    let (rows, errors) = patella::ingest::pain::read(SOURCE, data);
    for e in &errors {
        assert!(
            common::one_line(e) && e.starts_with(&format!("{SOURCE} line ")),
            "message {e:?}"
        );
    }
    for r in &rows {
        assert!(r.score <= 10, "score {}", r.score);
        assert!(r.line >= 2, "line {} (the header is line 1)", r.line);
        // Dated as activities are (ingest::clean): 1989–2100.
        let unix_s = r.date.and_time(NaiveTime::MIN).and_utc().timestamp();
        assert!(
            (EARLIEST_UNIX_S..LATEST_UNIX_S).contains(&unix_s),
            "date {}",
            r.date
        );
    }
    let a = analysis::with_pain(common::demo_analysis().clone(), &rows);
    assert!(a.pain.len() <= rows.len());
    assert!(a.pain.windows(2).all(|p| p[0].date <= p[1].date));
    for p in &a.pain {
        assert!(
            common::one_line(&p.self_check),
            "self-check {:?}",
            p.self_check
        );
        assert_eq!(p.see_clinician, p.clinician_reason.is_some());
        if let Some(why) = &p.clinician_reason {
            assert!(common::one_line(why), "clinician reason {why:?}");
        }
        let from = p.date.checked_sub_days(Days::new(PRECEDING_DAYS - 1));
        for f in &p.preceded_by {
            let d = f.date.expect("a preceding finding has a date");
            // An event of the 14 days, or a habit in force on the day (dated when it set in).
            let habit = f.code.info().kind == Kind::Habit;
            assert!(
                d <= p.date && (habit || from.is_none_or(|from| d >= from)),
                "{d} before {}",
                p.date
            );
        }
    }
});
