//! Restore: recovery between loads (hard days stacked, monotony, returning after a break).

use chrono::{Days, NaiveDate};

use super::habit::{self, Judged};
use super::{finding, iso, week_of, About, Finding, Rule, Severity, Thresholds, Unit};
use crate::analysis::load::{average_week_before, days_within, reduced_base, Load};

/// `return-too-fast` — a return that outpaces tissue tolerance, which drops during a break or
/// weeks of little running faster than fitness does (seed). Two ways, once per break or reduced
/// stretch:
/// - after 14 or more days without running, the first 7 days from the next run reach 75 % or
///   more of the average week of the 4 weeks before the gap;
/// - after reduced training, some 7 days that start with a run, whose 14 days before held under
///   30 % of the daily average of the 28 days before those (one short run a week is still
///   reduced), reach 75 % of the average week of those 28 days ([`reduced_base`]); dated on the
///   run that starts the 7 days.
///
/// Either way only where the usual week was at least `return_min_week_km` (10 km): against a
/// usual week of a couple of kilometres any return is "too fast", and says nothing. After a
/// finding, the next 14 days are the same return.
pub(super) fn return_too_fast(load: &Load, t: &Thresholds, out: &mut Vec<Finding>) {
    let window = |from: NaiveDate| -> f64 {
        let to = from + Days::new(t.return_window_days.max(1) as u64);
        days_within(&load.days, from, to)
            .iter()
            .map(|d| d.run_km)
            .sum()
    };
    // Days from which a new return may be found: after each break, and 14 days after a finding.
    let mut quiet: Vec<(NaiveDate, NaiveDate)> = Vec::new();
    for gap in load.gaps.iter().filter(|g| g.days >= t.return_gap_days) {
        let back = gap.to + Days::new(1);
        quiet.push((back, back + Days::new(14)));
        // The 4 weeks before the gap, or as much of them as the data holds (at least 2 weeks).
        let Some(average_week) =
            average_week_before(&load.days, gap.from).filter(|w| *w >= t.return_min_week_km)
        else {
            continue;
        };
        let after_km = window(back);
        let share = after_km / average_week;
        if share >= t.return_share {
            out.push(finding(
                Rule::ReturnTooFast,
                Severity::Moderate,
                About::Day(back, week_of(load, back)),
                share,
                t.return_share,
                Unit::Ratio,
                format!(
                    "after {} days without running, the first {} days from {} reached {:.1} km, \
                     {:.0} % of the average week before the break ({:.1} km); a pattern worth \
                     checking",
                    gap.days,
                    t.return_window_days,
                    iso(back),
                    after_km,
                    share * 100.0,
                    average_week
                ),
            ));
        }
    }
    // After reduced training: the first run of each reduced stretch whose 7 days reach the share.
    let mut stretch_done = false;
    for (i, day) in load.days.iter().enumerate() {
        let Some(usual_week) = reduced_base(&load.days, day.date, t.return_reduced_share) else {
            stretch_done = false;
            continue;
        };
        let returning = quiet
            .iter()
            .any(|(from, to)| *from <= day.date && day.date < *to);
        if day.runs == 0 || stretch_done || returning || usual_week < t.return_min_week_km {
            continue;
        }
        let recent: f64 = load.days[i.saturating_sub(14)..i]
            .iter()
            .map(|d| d.run_km)
            .sum();
        // 14 days or more without a run: a break, judged above.
        if recent <= 0.0 && i >= 14 {
            stretch_done = true;
            continue;
        }
        let after_km = window(day.date);
        let share = after_km / usual_week;
        if share < t.return_share {
            continue;
        }
        stretch_done = true;
        quiet.push((day.date, day.date + Days::new(14)));
        out.push(finding(
            Rule::ReturnTooFast,
            Severity::Moderate,
            About::Day(day.date, week_of(load, day.date)),
            share,
            t.return_share,
            Unit::Ratio,
            format!(
                "after 14 days of only {recent:.1} km ({:.0} % of your usual), the {} days from \
                 {} reached {after_km:.1} km, {:.0} % of the {usual_week:.1} km a week you ran \
                 in the 4 weeks before; a pattern worth checking",
                recent / 2.0 / usual_week * 100.0,
                t.return_window_days,
                iso(day.date),
                share * 100.0
            ),
        ));
    }
}

/// For each of `hard_days` (dates in order, with their hard sessions), the hard sessions of the
/// 7 days up to and including it. The first day within the 7 days only moves forward, so the
/// days are not looked through again for each one (thousands on a long history).
fn sessions_in_7_days(hard_days: &[(NaiveDate, u32)]) -> Vec<u32> {
    let mut from = 0usize;
    hard_days
        .iter()
        .enumerate()
        .map(|(i, &(date, _))| {
            while (date - hard_days[from].0).num_days() >= 7 {
                from += 1;
            }
            hard_days[from..=i].iter().map(|(_, n)| n).sum()
        })
        .collect()
}

/// `hard-days-clustered` — hard sessions on two consecutive days, or three or more within 7 days:
/// too little recovery between loads (seed). One finding per cluster. Two hard sessions on one
/// day count as one hard day: RISK_MODEL.md counts days in a row and sessions within 7 days.
pub(super) fn hard_days_clustered(load: &Load, t: &Thresholds, out: &mut Vec<Finding>) {
    let hard_days: Vec<(NaiveDate, u32)> = load
        .days
        .iter()
        .filter(|d| d.hard_sessions > 0)
        .map(|d| (d.date, d.hard_sessions))
        .collect();
    let in_weeks = sessions_in_7_days(&hard_days);
    let mut last_flagged: Option<NaiveDate> = None;
    // Hard days in a row up to this one, counted along (a look back through the whole row at
    // each finding took as long as the row was).
    let mut in_a_row = 0usize;
    for (i, (&(date, _), &in_week)) in hard_days.iter().zip(&in_weeks).enumerate() {
        let consecutive = i > 0 && (date - hard_days[i - 1].0).num_days() == 1;
        in_a_row = if consecutive { in_a_row + 1 } else { 1 };
        let crowded = in_week as usize >= t.hard_sessions_in_7_days;
        if !(consecutive || crowded) {
            continue;
        }
        // A cluster already reported in the last 7 days is the same cluster.
        if last_flagged.is_some_and(|f| (date - f).num_days() < 7) {
            continue;
        }
        last_flagged = Some(date);
        // The finding says which condition fired: days in a row or too many in 7 days, each
        // with its own value and threshold.
        let (value, threshold, unit, message) = if consecutive {
            (
                in_a_row as f64,
                2.0,
                Unit::DaysInARow,
                format!(
                    "hard sessions on {in_a_row} days in a row up to {}, no easy or rest day \
                     between them ({in_week} in the 7 days); a pattern worth checking",
                    iso(date)
                ),
            )
        } else {
            (
                in_week as f64,
                t.hard_sessions_in_7_days as f64,
                Unit::Sessions,
                format!(
                    "{in_week} hard sessions within 7 days up to {}; a pattern worth checking",
                    iso(date)
                ),
            )
        };
        out.push(finding(
            Rule::HardDaysClustered,
            Severity::Moderate,
            About::Day(date, week_of(load, date)),
            value,
            threshold,
            unit,
            message,
        ));
    }
}

/// `monotony-high` — a habit: Foster monotony (mean ÷ SD of the week's daily distances) above 2.0
/// in at least half of the whole weeks of the trailing 4 (at least 2 of them judged): the same
/// load day after day, linked with illness and overtraining in athletes (E16).
pub(super) fn monotony_high(load: &Load, t: &Thresholds, out: &mut Vec<Finding>) -> habit::Trend {
    let judged: Vec<Judged> = load
        .weeks
        .iter()
        .enumerate()
        .filter(|(_, w)| w.complete)
        .filter_map(|(i, w)| {
            let m = w.monotony?;
            Some(Judged {
                week: i,
                item: i,
                weight: 1.0,
                shows: m > t.monotony_high,
                value: m,
            })
        })
        .collect();
    let (trend, episodes) = habit::judge(
        Rule::MonotonyHigh,
        &load.weeks,
        &judged,
        t.habit_lapse_weeks,
        |_| true,
        habit::at_least(t.habit_min_weeks, t.habit_share),
    );
    for e in &episodes {
        let high: Vec<f64> = e
            .latest
            .iter()
            .filter(|j| j.shows)
            .map(|j| j.value)
            .collect();
        let latest = high.last().copied().unwrap_or(0.0);
        out.push(habit::raise(
            Rule::MonotonyHigh,
            Severity::Info,
            &load.weeks,
            &trend,
            e,
            latest,
            t.monotony_high,
            Unit::Ratio,
            format!(
                "{} of the {} weeks in {} had a monotony above {:.1} (the latest {latest:.1}): \
                 much the same distance day after day; a pattern worth checking",
                high.len(),
                e.latest.len(),
                habit::window_words(&load.weeks, e.last),
                t.monotony_high
            ),
        ));
    }
    trend
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_row_of_hard_days_is_counted_whole_at_each_finding() {
        use crate::analysis::load::{load, LoadEntry};
        use crate::analysis::WeekStart;
        use chrono::{TimeZone, Utc};
        // A hard run on each of 20 days in a row: one finding every 7 days, each counting the
        // whole row up to its day.
        let entries: Vec<LoadEntry> = (1..=20)
            .map(|d| LoadEntry {
                id: format!("r{d}"),
                start_utc: Utc.with_ymd_and_hms(2025, 3, d, 7, 0, 0).unwrap(),
                date: NaiveDate::from_ymd_opt(2025, 3, d).unwrap(),
                is_run: true,
                is_strength: false,
                distance_km: 8.0,
                descent_m: 0.0,
                downhill_km: 0.0,
                hard: true,
            })
            .collect();
        let l = load(&entries, WeekStart::Mon).unwrap();
        let mut out = Vec::new();
        hard_days_clustered(&l, &Thresholds::default(), &mut out);
        let got: Vec<(Option<NaiveDate>, f64, Unit)> =
            out.iter().map(|f| (f.date, f.value, f.unit)).collect();
        let day = |d| Some(NaiveDate::from_ymd_opt(2025, 3, d).unwrap());
        assert_eq!(
            got,
            [
                (day(2), 2.0, Unit::DaysInARow),
                (day(9), 9.0, Unit::DaysInARow),
                (day(16), 16.0, Unit::DaysInARow),
            ]
        );
        assert!(out[2]
            .message
            .starts_with("hard sessions on 16 days in a row up to 2025-03-16"));
    }

    #[test]
    fn sessions_in_7_days_are_those_a_look_through_every_day_finds() {
        let mut rng = crate::synth::Rng::new(3);
        let mut day = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        let mut hard_days = Vec::new();
        for _ in 0..500 {
            // Gaps of 1 to 9 days (some exactly 7 apart), one to three sessions a day.
            day = day + Days::new(1 + rng.next_u64() % 9);
            hard_days.push((day, 1 + (rng.next_u64() % 3) as u32));
        }
        let got = sessions_in_7_days(&hard_days);
        for (i, &(date, _)) in hard_days.iter().enumerate() {
            let want: u32 = hard_days[..=i]
                .iter()
                .filter(|(d, _)| (date - *d).num_days() < 7)
                .map(|(_, n)| n)
                .sum();
            assert_eq!(got[i], want, "{date}");
        }
        assert!(got.iter().any(|n| *n >= 4));
        assert!(sessions_in_7_days(&[]).is_empty());
    }
}
