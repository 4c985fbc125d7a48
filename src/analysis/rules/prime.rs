//! Prime: preparing before impact (warm-up, strength work).

use super::{finding, iso, About, Finding, Rule, Severity, Thresholds, Unit};
use crate::analysis::load::Load;
use crate::analysis::ActivitySummary;
use crate::model::units::pace;

/// `no-easy-start` — runs of 30 minutes or more whose first 10 minutes are less than 3 % slower
/// than the run's mean moving pace (an easy start is clearly slower, not equal within GPS noise):
/// no warm-up before impact (seed).
pub(super) fn no_easy_start(runs: &[&ActivitySummary], t: &Thresholds, out: &mut Vec<Finding>) {
    let warmed_up = warmed_up(runs, t.warm_up_gap_minutes);
    for (run, warmed_up) in runs.iter().zip(warmed_up) {
        if run.moving_s < t.easy_start_min_minutes * 60.0 || warmed_up {
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

/// Whether each run had a warm-up recorded as its own activity (a jog before a race): a run
/// that started earlier and ended at most `gap_minutes` before it started (or had not ended).
///
/// Of the runs that started earlier the one that ended last decides, so the runs are put in
/// order of start with the latest end so far beside each, and each run looks up its place:
/// looking through every other run for each took 0.2 s on ten years of runs.
fn warmed_up(runs: &[&ActivitySummary], gap_minutes: i64) -> Vec<bool> {
    let end =
        |p: &ActivitySummary| p.start_utc + chrono::Duration::seconds(p.computed.elapsed_s as i64);
    let mut by_start: Vec<_> = runs.iter().map(|p| (p.start_utc, end(p))).collect();
    by_start.sort_unstable();
    // latest_end[k]: the latest end of the first k runs by start.
    let mut latest_end: Vec<Option<chrono::DateTime<chrono::Utc>>> =
        Vec::with_capacity(by_start.len() + 1);
    latest_end.push(None);
    for &(_, e) in &by_start {
        let latest = latest_end.last().copied().flatten();
        latest_end.push(Some(latest.map_or(e, |l| l.max(e))));
    }
    runs.iter()
        .map(|run| {
            let earlier = by_start.partition_point(|(start, _)| *start < run.start_utc);
            latest_end[earlier]
                .is_some_and(|end| run.start_utc - end <= chrono::Duration::minutes(gap_minutes))
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{summarise, Settings, WeekStart};
    use crate::model::{Activity, Format, Sport};
    use chrono::{TimeZone, Utc};

    #[test]
    fn a_warm_up_is_found_as_by_looking_through_every_run() {
        // Starts on a 5-minute grid (several runs at once), lengths from 0 to 5 hours (some
        // overlapping what follows), in no order.
        let mut state = 7u64;
        let mut next = |n: u64| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            (state >> 33) % n
        };
        let settings = Settings::new(chrono_tz::UTC, WeekStart::Mon);
        let runs: Vec<ActivitySummary> = (0..300)
            .map(|i| {
                let start = Utc
                    .timestamp_opt(1_700_000_000 + 300 * next(400) as i64, 0)
                    .unwrap();
                let mut a = Activity::new(&format!("{i}.fit"), Format::Fit, start);
                a.sport = Sport::Running;
                let mut s = summarise(&a, &settings);
                s.computed.elapsed_s = if i % 10 == 0 {
                    0.0
                } else {
                    next(18_000) as f64 + 0.7
                };
                s
            })
            .collect();
        let runs: Vec<&ActivitySummary> = runs.iter().collect();
        for gap in [0, 5, 30, 120] {
            let every = |run: &ActivitySummary| {
                runs.iter().any(|p| {
                    let end = p.start_utc + chrono::Duration::seconds(p.computed.elapsed_s as i64);
                    p.start_utc < run.start_utc
                        && run.start_utc - end <= chrono::Duration::minutes(gap)
                })
            };
            let want: Vec<bool> = runs.iter().map(|r| every(r)).collect();
            assert_eq!(warmed_up(&runs, gap), want, "gap {gap}");
            assert!(
                want.iter().any(|w| *w) && want.iter().any(|w| !*w),
                "gap {gap}"
            );
        }
    }
}
