//! Prime: preparing before impact (warm-up, strength work).

use super::{finding, iso, About, Finding, Rule, Severity, Thresholds, Unit};
use crate::analysis::load::Load;
use crate::analysis::ActivitySummary;
use crate::model::units::pace;

/// `no-easy-start` — runs of 30 minutes or more whose first 10 minutes are less than 3 % slower
/// than the run's mean moving pace (an easy start is clearly slower, not equal within GPS noise):
/// no warm-up before impact (seed).
pub(super) fn no_easy_start(runs: &[&ActivitySummary], t: &Thresholds, out: &mut Vec<Finding>) {
    for run in runs {
        if run.moving_s < t.easy_start_min_minutes * 60.0 {
            continue;
        }
        // A warm-up recorded as its own activity (a jog before a race) is an easy start.
        let warmed_up = runs.iter().any(|p| {
            let end = p.start_utc + chrono::Duration::seconds(p.computed.elapsed_s as i64);
            p.start_utc < run.start_utc
                && run.start_utc - end <= chrono::Duration::minutes(t.warm_up_gap_minutes)
        });
        if warmed_up {
            continue;
        }
        let Some(e) = run.metrics.as_ref().and_then(|m| m.easy_start.as_ref()) else {
            continue;
        };
        // An easy start is clearly slower than the run, not equal within GPS noise: at least
        // `easy_start_slower_pct` slower (pace in s/km: slower is more).
        let easy_from = e.mean_pace_s_per_km * (1.0 + t.easy_start_slower_pct / 100.0);
        if e.first_10min_pace_s_per_km < easy_from {
            out.push(finding(
                Rule::NoEasyStart,
                Severity::Info,
                About::Run(run),
                e.first_10min_pace_s_per_km,
                easy_from,
                Unit::SPerKm,
                format!(
                    "the run on {} started at {} in its first 10 minutes, less than {} % slower \
                     than its mean of {}; a pattern worth checking",
                    iso(run.local_date),
                    pace(e.first_10min_pace_s_per_km),
                    t.easy_start_slower_pct,
                    pace(e.mean_pace_s_per_km)
                ),
            ));
        }
    }
}

/// `strength-gap` — where the data holds strength sessions at all, a week with fewer than 2: the
/// runner's guide asks for 2–3 a week (seed).
pub(super) fn strength_gap(load: &Load, t: &Thresholds, out: &mut Vec<Finding>) {
    if load.weeks.iter().all(|w| w.strength_sessions == 0) {
        return;
    }
    for week in load.weeks.iter().filter(|w| w.complete) {
        if week.strength_sessions < t.strength_sessions_per_week {
            out.push(finding(
                Rule::StrengthGap,
                Severity::Info,
                About::Week(week),
                week.strength_sessions as f64,
                t.strength_sessions_per_week as f64,
                Unit::Sessions,
                format!(
                    "week {} had {} strength session{}, fewer than {}; a pattern worth checking",
                    week.week,
                    week.strength_sessions,
                    if week.strength_sessions == 1 { "" } else { "s" },
                    t.strength_sessions_per_week
                ),
            ));
        }
    }
}
