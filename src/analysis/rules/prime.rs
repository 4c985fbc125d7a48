//! Prime: preparing before impact (warm-up, strength work).

use super::habit::{self, Judged};
use super::{Finding, Rule, Severity, Thresholds, Unit};
use crate::analysis::load::Load;
use crate::analysis::ActivitySummary;
use crate::model::units::pace;

/// `no-easy-start` — a habit: at least half of the runs of 30 minutes or more of the trailing 4
/// weeks (at least 3 of them, warm-ups recorded as their own activity left out) whose first 10
/// minutes are less than 3 % slower than the run's mean moving pace (an easy start is clearly
/// slower, not equal within GPS noise): no warm-up before impact (seed).
pub(super) fn no_easy_start(
    runs: &[&ActivitySummary],
    load: &Load,
    t: &Thresholds,
    out: &mut Vec<Finding>,
) -> habit::Trend {
    let warmed_up = warmed_up(runs, t.warm_up_gap_minutes);
    let judged: Vec<Judged> = runs
        .iter()
        .zip(warmed_up)
        .enumerate()
        .filter_map(|(item, (run, warmed_up))| {
            if run.moving_s < t.easy_start_min_minutes * 60.0 || warmed_up {
                return None;
            }
            let e = run.metrics.as_ref().and_then(|m| m.easy_start.as_ref())?;
            // An easy start is clearly slower than the run, not equal within GPS noise: at
            // least `easy_start_slower_pct` slower (pace in s/km: slower is more).
            let easy_from = e.mean_pace_s_per_km * (1.0 + t.easy_start_slower_pct / 100.0);
            Some(Judged {
                week: habit::week_index(&load.weeks, run.week_start)?,
                item,
                weight: 1.0,
                shows: e.first_10min_pace_s_per_km < easy_from,
                value: (e.first_10min_pace_s_per_km / e.mean_pace_s_per_km - 1.0) * 100.0,
            })
        })
        .collect();
    let (trend, episodes) = habit::judge(
        Rule::NoEasyStart,
        &load.weeks,
        &judged,
        t.habit_lapse_weeks,
        |_| true,
        habit::at_least(t.habit_min_runs, t.habit_share),
    );
    for e in &episodes {
        let showing = e.latest.iter().filter(|j| j.shows).count();
        let share = habit::share_of(&e.latest);
        let latest = e
            .latest
            .iter()
            .rfind(|j| j.shows)
            .and_then(|j| runs[j.item].metrics.as_ref()?.easy_start.as_ref());
        out.push(habit::raise(
            Rule::NoEasyStart,
            Severity::Info,
            &load.weeks,
            &trend,
            e,
            share,
            t.habit_share,
            Unit::Ratio,
            format!(
                "{showing} of your {} runs of {:.0} minutes or more in {} started less than {} % \
                 slower than their mean pace{}; a pattern worth checking",
                e.latest.len(),
                t.easy_start_min_minutes,
                habit::window_words(&load.weeks, e.last),
                t.easy_start_slower_pct,
                latest.map_or(String::new(), |s| format!(
                    " (the latest: {} in the first 10 minutes, {} on average)",
                    pace(s.first_10min_pace_s_per_km),
                    pace(s.mean_pace_s_per_km)
                ))
            ),
        ));
    }
    trend
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

/// `strength-gap` — a habit, only for a runner who logs strength work (strength sessions in at
/// least `strength_logged_weeks` (4) of the 12 weeks up to the week judged): at least half of
/// the whole weeks of the trailing 4 with fewer than 2 sessions. The runner's guide asks for 2–3
/// a week (seed); strength training did not lower running injuries overall in 9 trials (E19), so
/// this is advice worth checking, never an injury association. A runner who logs none is told so
/// once, in the outlook.
pub(super) fn strength_gap(load: &Load, t: &Thresholds, out: &mut Vec<Finding>) -> habit::Trend {
    let weeks = &load.weeks;
    // Weeks with a session among the 12 up to each week.
    let mut logged = Vec::with_capacity(weeks.len());
    let mut in_12 = 0usize;
    for (i, w) in weeks.iter().enumerate() {
        in_12 += usize::from(w.strength_sessions > 0);
        if i >= 12 {
            in_12 -= usize::from(weeks[i - 12].strength_sessions > 0);
        }
        logged.push(in_12);
    }
    let judged: Vec<Judged> = weeks
        .iter()
        .enumerate()
        .filter(|(_, w)| w.complete)
        .map(|(i, w)| Judged {
            week: i,
            item: i,
            weight: 1.0,
            shows: w.strength_sessions < t.strength_sessions_per_week,
            value: f64::from(w.strength_sessions),
        })
        .collect();
    let (trend, episodes) = habit::judge(
        Rule::StrengthGap,
        weeks,
        &judged,
        t.habit_lapse_weeks,
        |i| logged[i] >= t.strength_logged_weeks.max(1),
        habit::at_least(t.habit_min_weeks, t.habit_share),
    );
    for e in &episodes {
        let sessions: f64 = e.latest.iter().map(|j| j.value).sum();
        let per_week = sessions / e.latest.len().max(1) as f64;
        let short = e.latest.iter().filter(|j| j.shows).count();
        out.push(habit::raise(
            Rule::StrengthGap,
            Severity::Info,
            weeks,
            &trend,
            e,
            per_week,
            f64::from(t.strength_sessions_per_week),
            Unit::Sessions,
            format!(
                "{short} of the {} weeks in {} had fewer than {} strength sessions ({sessions:.0} \
                 in all); the runner's guide asks for 2–3 a week, a pattern worth checking",
                e.latest.len(),
                habit::window_words(weeks, e.last),
                t.strength_sessions_per_week
            ),
        ));
    }
    trend
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
