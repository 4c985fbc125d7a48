//! Load over time: the daily and weekly tables in local time, through polars.
//!
//! Counted activities (runs and strength sessions, duplicates excluded) are grouped by local day
//! with polars; every day from the first to the last counted activity is present, days without
//! running as zeros. From the daily series come the EWMA acute and chronic loads and their ratio,
//! Foster's monotony per week, the gaps without running, and each run against the longest run of
//! the previous 30 days.

use chrono::{DateTime, Days, NaiveDate, Utc};
use polars::prelude::*;
use serde::Serialize;

use super::{week_label, week_start, WeekStart};

/// EWMA window of the acute load, days.
pub const ACUTE_DAYS: f64 = 7.0;
/// EWMA window of the chronic load, days.
pub const CHRONIC_DAYS: f64 = 28.0;
/// Days of history before the acute:chronic ratio is given at all.
pub const RATIO_MIN_HISTORY_DAYS: usize = 28;
/// Days without running that restart the load history.
pub const BREAK_DAYS: usize = 14;
/// How far back a run is compared with the longest earlier run.
pub const SPIKE_LOOKBACK_DAYS: i64 = 30;

/// One counted activity, as the load tables need it.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadEntry {
    pub id: String,
    pub start_utc: DateTime<Utc>,
    pub date: NaiveDate,
    pub is_run: bool,
    pub is_strength: bool,
    pub distance_km: f64,
    pub descent_m: f64,
    /// Distance on grades of −5 % or steeper.
    pub downhill_km: f64,
    pub hard: bool,
}

/// `date` as chrono serialises it (`2025-03-09`), written without its `Debug` formatting, which
/// took a fifth of the JSON document's time through the `days` table; years outside 0–9999
/// (which chrono writes with a sign) go through chrono.
pub(crate) fn iso_date<S: serde::Serializer>(date: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
    match iso_date_text(date) {
        // Ten ASCII digits and dashes.
        Some(text) => s.serialize_str(std::str::from_utf8(&text).unwrap_or_default()),
        None => date.serialize(s),
    }
}

/// `date` as `YYYY-MM-DD`, for years 0–9999 (`None` for the others).
pub(crate) fn iso_date_text(date: &NaiveDate) -> Option<[u8; 10]> {
    use chrono::Datelike;
    let (y, m, d) = (date.year(), date.month(), date.day());
    if !(0..=9999).contains(&y) {
        return None;
    }
    let digit = |v: u32| b'0' + v as u8;
    let y = y as u32;
    Some([
        digit(y / 1000),
        digit(y / 100 % 10),
        digit(y / 10 % 10),
        digit(y % 10),
        b'-',
        digit(m / 10),
        digit(m % 10),
        b'-',
        digit(d / 10),
        digit(d % 10),
    ])
}

/// One local day.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Day {
    #[serde(serialize_with = "iso_date")]
    pub date: NaiveDate,
    pub run_km: f64,
    pub runs: u32,
    pub descent_m: f64,
    pub downhill_km: f64,
    pub hard_sessions: u32,
    pub strength_sessions: u32,
    /// EWMA of daily running km, N = 7 (λ = 2/8).
    pub acute_km: f64,
    /// EWMA of daily running km, N = 28 (λ = 2/29).
    pub chronic_km: f64,
    /// `acute_km / chronic_km`, from the 28th day of history on (history restarts after 14 days
    /// without running).
    pub acwr: Option<f64>,
}

/// One training week.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Week {
    pub week: String,
    /// First local day of the week.
    #[serde(serialize_with = "iso_date")]
    pub start: NaiveDate,
    pub run_km: f64,
    pub runs: u32,
    pub long_run_km: f64,
    /// Change of `run_km` against the previous week, in percent; `None` after a week of zero.
    pub change_pct: Option<f64>,
    pub descent_m: f64,
    /// Running distance on grades of −5 % or steeper.
    pub downhill_km: f64,
    /// Highest daily acute:chronic ratio of the week.
    pub acwr: Option<f64>,
    /// Foster monotony: mean ÷ standard deviation of the week's daily running distances (those
    /// within the data: `monotony-high` judges whole weeks only); `None` when they do not vary,
    /// seven equal days included, which the rule then leaves unjudged.
    pub monotony: Option<f64>,
    pub hard_sessions: u32,
    pub strength_sessions: u32,
    /// Whether the data covers the whole week: false for a first week that the data enters after
    /// its first day, and a last week it leaves before its last day. Week-level findings do not
    /// judge a week, or compare with one, on part of it.
    pub complete: bool,
}

/// The average running week before a break that starts on `off`: the kilometres of the 4 weeks
/// before it, or of as much of them as the data holds, per 7 days. `None` when the data holds
/// less than 14 days before it, or no running there. `return-too-fast` and the outlook's
/// return ramp both measure a return against it.
pub fn average_week_before(days: &[Day], off: NaiveDate) -> Option<f64> {
    let data_start = days.iter().find(|d| d.runs > 0).map(|d| d.date)?;
    let before_start = (off - Days::new(28)).max(data_start);
    let covered = (off - before_start).num_days();
    if covered < 14 {
        return None;
    }
    let km: f64 = days_within(days, before_start, off)
        .iter()
        .map(|d| d.run_km)
        .sum();
    let average = km / covered as f64 * 7.0;
    (average > 0.0).then_some(average)
}

/// The usual week before a stretch of reduced training that ends the day before `day`: when the
/// 14 days before `day` held under `reduced_share` of the daily average of the 28 days before
/// them, the average week of those 28 days (their kilometres ÷ 4); `None` otherwise, or when the
/// data does not cover the 28 days, or they hold no running. `return-too-fast` and the outlook's
/// return ramp measure a return after reduced training against it (RISK_MODEL.md).
pub fn reduced_base(days: &[Day], day: NaiveDate, reduced_share: f64) -> Option<f64> {
    let data_start = days.iter().find(|d| d.runs > 0).map(|d| d.date)?;
    let (recent_from, base_from) = (day - Days::new(14), day - Days::new(42));
    if base_from < data_start {
        return None;
    }
    let km = |from: NaiveDate, to: NaiveDate| -> f64 {
        days_within(days, from, to).iter().map(|d| d.run_km).sum()
    };
    let base = km(base_from, recent_from);
    let recent = km(recent_from, day);
    (base > 0.0 && recent / 14.0 < reduced_share * base / 28.0).then_some(base / 4.0)
}

/// The days of `days` (in date order) from `from` up to but not including `to`: the same days
/// as a look at each, found by two binary searches (the daily table of a long history holds
/// thousands of days, and every break looked through them all).
pub fn days_within(days: &[Day], from: NaiveDate, to: NaiveDate) -> &[Day] {
    let start = days.partition_point(|d| d.date < from);
    let end = start + days[start..].partition_point(|d| d.date < to);
    &days[start..end]
}

/// A stretch of days without running between two runs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Gap {
    /// First day without running.
    pub from: NaiveDate,
    /// Last day without running.
    pub to: NaiveDate,
    pub days: i64,
}

/// A run against the longest run of the previous 30 days.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LongestComparison {
    pub id: String,
    pub date: NaiveDate,
    pub distance_km: f64,
    /// `None` when no run falls in the previous 30 days.
    pub longest_previous_km: Option<f64>,
    /// Days of data before this run (from the first counted run); under 30 the comparison
    /// sees only part of the 30 days.
    pub history_days: i64,
    /// `single_run_spike_ratio` × the longest previous run: the distance above which the run is
    /// a spike (set with the thresholds, after the table is made).
    pub limit_km: Option<f64>,
    /// Whether `single-run-spike` fired for this run.
    pub over_limit: bool,
}

/// Everything over time.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Load {
    pub days: Vec<Day>,
    pub weeks: Vec<Week>,
    pub gaps: Vec<Gap>,
    pub longest: Vec<LongestComparison>,
}

/// The load tables failed to build (a polars error; not expected on valid input).
#[derive(Debug, thiserror::Error)]
#[error("load table: {0}")]
pub struct LoadError(#[from] PolarsError);

/// Days since 1970-01-01, polars' `Date` representation.
fn epoch_days(d: NaiveDate) -> i32 {
    (d - NaiveDate::default()).num_days() as i32
}

fn from_epoch_days(days: i32) -> NaiveDate {
    NaiveDate::default() + chrono::Duration::days(days as i64)
}

/// One local day's sums.
struct DayTotals {
    day: i32,
    run_km: f64,
    runs: u32,
    descent_m: f64,
    downhill_km: f64,
    hard: u32,
    strength: u32,
}

/// Sums per local day, through polars, in day order.
fn per_day(entries: &[LoadEntry]) -> Result<Vec<DayTotals>, LoadError> {
    let run = |e: &LoadEntry, v: f64| if e.is_run { v } else { 0.0 };
    let df = df!(
        "day" => entries.iter().map(|e| epoch_days(e.date)).collect::<Vec<i32>>(),
        "run_km" => entries.iter().map(|e| run(e, e.distance_km)).collect::<Vec<f64>>(),
        "descent_m" => entries.iter().map(|e| run(e, e.descent_m)).collect::<Vec<f64>>(),
        "downhill_km" => entries.iter().map(|e| run(e, e.downhill_km)).collect::<Vec<f64>>(),
        "run" => entries.iter().map(|e| e.is_run as u32).collect::<Vec<u32>>(),
        "hard" => entries.iter().map(|e| (e.is_run && e.hard) as u32).collect::<Vec<u32>>(),
        "strength" => entries.iter().map(|e| e.is_strength as u32).collect::<Vec<u32>>(),
    )?;
    let mut rows = Vec::new();
    for part in df.partition_by_stable(["day"], true)? {
        let day = part
            .column("day")?
            .i32()?
            .get(0)
            .ok_or_else(|| PolarsError::NoData("empty day partition".into()))?;
        let sum_f = |name: &str| -> Result<f64, LoadError> {
            Ok(part.column(name)?.f64()?.sum().unwrap_or(0.0))
        };
        let sum_u = |name: &str| -> Result<u32, LoadError> {
            Ok(part.column(name)?.u32()?.sum().unwrap_or(0))
        };
        rows.push(DayTotals {
            day,
            run_km: sum_f("run_km")?,
            runs: sum_u("run")?,
            descent_m: sum_f("descent_m")?,
            downhill_km: sum_f("downhill_km")?,
            hard: sum_u("hard")?,
            strength: sum_u("strength")?,
        });
    }
    rows.sort_by_key(|r| r.day);
    Ok(rows)
}

/// Exponentially weighted moving average with λ = 2/(N+1), started at zero before the first day.
pub fn ewma(series: &[f64], n: f64) -> Vec<f64> {
    let lambda = 2.0 / (n + 1.0);
    let mut level = 0.0;
    series
        .iter()
        .map(|x| {
            level = lambda * x + (1.0 - lambda) * level;
            level
        })
        .collect()
}

/// Foster monotony of daily loads: mean ÷ population standard deviation; `None` when the loads
/// do not vary.
pub fn monotony(daily: &[f64]) -> Option<f64> {
    if daily.is_empty() {
        return None;
    }
    let n = daily.len() as f64;
    let mean = daily.iter().sum::<f64>() / n;
    let var = daily.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
    let sd = var.sqrt();
    (sd > 1e-9).then(|| mean / sd)
}

/// The longest of a window of distances that moves forward: the distances that no later one in
/// the window is as long as, in order, so that the first still inside is the longest (each
/// distance enters and leaves once: a look through the window for each run took as long as the
/// window held runs, thousands where a file holds a session every few minutes).
#[derive(Default)]
struct LongestInWindow {
    /// (place in the list, distance), the distances falling; NaN never enters.
    falling: std::collections::VecDeque<(usize, f64)>,
}

impl LongestInWindow {
    /// Distance `i` of the list enters the window (after every earlier one).
    fn enter(&mut self, i: usize, km: f64) {
        if km.is_nan() {
            return;
        }
        while self.falling.back().is_some_and(|&(_, b)| b <= km) {
            self.falling.pop_back();
        }
        self.falling.push_back((i, km));
    }

    /// The longest distance of the window from place `from` on (every later one has entered, at
    /// least one is inside): what `f64::max` over them gives, NaN when every one is NaN (equal
    /// distances of either sign of zero may give the other zero: no caller tells them apart).
    fn longest(&mut self, from: usize) -> f64 {
        while self.falling.front().is_some_and(|&(i, _)| i < from) {
            self.falling.pop_front();
        }
        self.falling.front().map_or(f64::NAN, |&(_, km)| km)
    }
}

/// Builds the daily and weekly tables, the gaps and the 30-day comparisons.
pub fn load(entries: &[LoadEntry], week_start_day: WeekStart) -> Result<Load, LoadError> {
    if entries.is_empty() {
        return Ok(Load::default());
    }
    let rows = per_day(entries)?;
    let (Some(first), Some(last)) = (rows.first().map(|r| r.day), rows.last().map(|r| r.day))
    else {
        return Ok(Load::default());
    };
    // Weeks are whole: the daily table runs from the first week's first day to the last
    // week's last day.
    let first_day = week_start(from_epoch_days(first), week_start_day);
    let last_day = week_start(from_epoch_days(last), week_start_day) + Days::new(6);
    let (first_key, last_key) = (epoch_days(first_day), epoch_days(last_day));
    let mut days = Vec::with_capacity((last_key - first_key + 1).max(0) as usize);
    let mut by_day = rows.into_iter().peekable();
    let mut d = first_day;
    // The day's key counted along with the day, not made from it by a date subtraction each
    // day (12,425 days on the corpus's FIT files).
    for key in first_key..=last_key {
        let t = by_day.next_if(|r| r.day == key).unwrap_or(DayTotals {
            day: key,
            run_km: 0.0,
            runs: 0,
            descent_m: 0.0,
            downhill_km: 0.0,
            hard: 0,
            strength: 0,
        });
        days.push(Day {
            date: d,
            run_km: t.run_km,
            runs: t.runs,
            descent_m: t.descent_m,
            downhill_km: t.downhill_km,
            hard_sessions: t.hard,
            strength_sessions: t.strength,
            acute_km: 0.0,
            chronic_km: 0.0,
            acwr: None,
        });
        d = d.succ_opt().unwrap_or(d);
    }
    // Load history starts at the first counted day (not at the padded week start), and again
    // after every break of BREAK_DAYS or more without running: a chronic load decayed over a
    // break is no baseline (returning is judged by `return-too-fast` instead).
    let km: Vec<f64> = days.iter().map(|d| d.run_km).collect();
    let acute = ewma(&km, ACUTE_DAYS);
    let chronic = ewma(&km, CHRONIC_DAYS);
    let mut history_start = (from_epoch_days(first) - first_day).num_days() as usize;
    let mut last_run: Option<usize> = None;
    for (i, day) in days.iter_mut().enumerate() {
        if day.runs > 0 {
            if last_run.is_some_and(|l| i - l > BREAK_DAYS) {
                history_start = i;
            }
            last_run = Some(i);
        }
        day.acute_km = acute[i];
        day.chronic_km = chronic[i];
        let history = (i + 1).saturating_sub(history_start);
        if history >= RATIO_MIN_HISTORY_DAYS && chronic[i] > 0.0 {
            day.acwr = Some(acute[i] / chronic[i]);
        }
    }

    let (data_first, data_last) = (from_epoch_days(first), from_epoch_days(last));
    // Each week's longest run, from one pass over the runs in their order (the same maxima,
    // taken in the same order, as a look through every run for each week).
    let mut long_run_km = vec![0.0; days.len().div_ceil(7)];
    for e in entries.iter().filter(|e| e.is_run) {
        let week = (week_start(e.date, week_start_day) - first_day).num_days() / 7;
        if let Some(longest) = usize::try_from(week)
            .ok()
            .and_then(|w| long_run_km.get_mut(w))
        {
            *longest = f64::max(*longest, e.distance_km);
        }
    }
    let mut weeks = Vec::with_capacity(long_run_km.len());
    let mut previous_km: Option<f64> = None;
    for (chunk, long_run_km) in days.chunks(7).zip(long_run_km) {
        let start = chunk[0].date;
        let run_km: f64 = chunk.iter().map(|d| d.run_km).sum();
        let daily: Vec<f64> = chunk.iter().map(|d| d.run_km).collect();
        weeks.push(Week {
            week: week_label(start, week_start_day),
            start,
            run_km,
            runs: chunk.iter().map(|d| d.runs).sum(),
            long_run_km,
            change_pct: previous_km
                .filter(|p| *p > 0.0)
                .map(|p| (run_km - p) / p * 100.0),
            descent_m: chunk.iter().map(|d| d.descent_m).sum(),
            downhill_km: chunk.iter().map(|d| d.downhill_km).sum(),
            acwr: chunk.iter().filter_map(|d| d.acwr).reduce(f64::max),
            monotony: monotony(&daily),
            hard_sessions: chunk.iter().map(|d| d.hard_sessions).sum(),
            strength_sessions: chunk.iter().map(|d| d.strength_sessions).sum(),
            complete: start >= data_first && start + Days::new(6) <= data_last,
        });
        previous_km = Some(run_km);
    }

    let mut gaps = Vec::new();
    let run_days: Vec<NaiveDate> = days.iter().filter(|d| d.runs > 0).map(|d| d.date).collect();
    for pair in run_days.windows(2) {
        let days_between = (pair[1] - pair[0]).num_days() - 1;
        if days_between > 0 {
            gaps.push(Gap {
                from: pair[0] + Days::new(1),
                to: pair[1] - Days::new(1),
                days: days_between,
            });
        }
    }

    let mut runs: Vec<&LoadEntry> = entries.iter().filter(|e| e.is_run).collect();
    runs.sort_by_key(|e| e.start_utc);
    let first_run = runs.first().map(|r| r.start_utc);
    // The runs of the look-back window, kept as two bounds that only move forward: the runs
    // in time order, those that started within it and before this one are a slice, and its
    // longest is the first of `longer`.
    let (mut from, mut to) = (0usize, 0usize);
    let mut longer = LongestInWindow::default();
    let longest = runs
        .iter()
        .map(|r| {
            let since = r.start_utc - chrono::Duration::days(SPIKE_LOOKBACK_DAYS);
            while runs[to].start_utc < r.start_utc {
                longer.enter(to, runs[to].distance_km);
                to += 1;
            }
            while from < to && runs[from].start_utc < since {
                from += 1;
            }
            let longest_previous_km = (from < to).then(|| longer.longest(from));
            LongestComparison {
                id: r.id.clone(),
                date: r.date,
                distance_km: r.distance_km,
                longest_previous_km,
                history_days: first_run.map_or(0, |f| (r.start_utc - f).num_days()),
                limit_km: None,
                over_limit: false,
            }
        })
        .collect();

    Ok(Load {
        days,
        weeks,
        gaps,
        longest,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn dates_are_written_as_chrono_writes_them() {
        #[derive(Serialize)]
        struct Ours(#[serde(serialize_with = "iso_date")] NaiveDate);
        let ymd = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        // Each digit position, the ends of the four-digit years and past them (a sign).
        let mut dates = vec![
            ymd(0, 1, 1),
            ymd(9, 9, 9),
            ymd(999, 12, 31),
            ymd(1000, 10, 10),
            ymd(9999, 12, 31),
            ymd(10_000, 1, 1),
            ymd(-1, 6, 15),
            NaiveDate::MIN,
            NaiveDate::MAX,
        ];
        dates.extend((0..3000).map(|i| ymd(1989, 12, 31) + Days::new(i * 13)));
        for date in dates {
            let want = serde_json::to_string(&date).unwrap();
            assert_eq!(serde_json::to_string(&Ours(date)).unwrap(), want);
        }
    }

    fn entry(day: u32, km: f64) -> LoadEntry {
        let date = NaiveDate::from_ymd_opt(2025, 3, day).unwrap();
        LoadEntry {
            id: format!("r{day}"),
            start_utc: Utc.with_ymd_and_hms(2025, 3, day, 7, 0, 0).unwrap(),
            date,
            is_run: true,
            is_strength: false,
            distance_km: km,
            descent_m: 10.0 * km,
            downhill_km: km / 10.0,
            hard: false,
        }
    }

    #[test]
    fn ewma_by_hand() {
        // λ = 2/(7+1) = 0.25: 0.25·10 = 2.5; 0.25·0 + 0.75·2.5 = 1.875; 0.25·4 + 0.75·1.875.
        let e = ewma(&[10.0, 0.0, 4.0], 7.0);
        assert_eq!(e, vec![2.5, 1.875, 2.40625]);
    }

    #[test]
    fn monotony_by_hand() {
        // Daily km 10, 0, 10, 0, 10, 0, 10: mean 40/7, population SD = sqrt(12/49)·10 ...
        let d = [10.0, 0.0, 10.0, 0.0, 10.0, 0.0, 10.0];
        let mean = 40.0 / 7.0;
        let sd = (d.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / 7.0).sqrt();
        assert!((monotony(&d).unwrap() - mean / sd).abs() < 1e-12);
        // = sqrt(4/3) ≈ 1.1547 for four equal runs in seven days.
        assert!((monotony(&d).unwrap() - (4.0f64 / 3.0).sqrt()).abs() < 1e-12);
        assert_eq!(monotony(&[5.0; 7]), None);
        assert_eq!(monotony(&[]), None);
    }

    #[test]
    fn ratio_needs_28_days_of_unbroken_history() {
        // Runs every other day from 3 March to 31 March, a break to 20 April, then every day.
        let mut entries: Vec<LoadEntry> = (3..=31).step_by(2).map(|d| entry(d, 8.0)).collect();
        for d in 1..=30u32 {
            let date = NaiveDate::from_ymd_opt(2025, 4, d).unwrap();
            if d >= 20 {
                entries.push(LoadEntry {
                    date,
                    start_utc: Utc.with_ymd_and_hms(2025, 4, d, 7, 0, 0).unwrap(),
                    id: format!("a{d}"),
                    ..entry(3, 8.0)
                });
            }
        }
        let l = load(&entries, WeekStart::Mon).unwrap();
        let ratio_on = |m: u32, d: u32| {
            let date = NaiveDate::from_ymd_opt(2025, m, d).unwrap();
            l.days.iter().find(|x| x.date == date).unwrap().acwr
        };
        // 3 March is day 1 of history: 30 March is day 28.
        assert_eq!(ratio_on(3, 29), None);
        assert!(ratio_on(3, 30).is_some());
        // After the break (1–19 April without running), history starts again on 20 April.
        assert_eq!(ratio_on(4, 20), None);
        assert_eq!(ratio_on(4, 30), None);
    }

    #[test]
    fn weeks_days_gaps_and_longest() {
        // Mon 3 March 2025: 5 km; Wed 5: 8 km; then nothing until Thu 20: 10 km.
        let entries = vec![entry(3, 5.0), entry(5, 8.0), entry(20, 10.0)];
        let l = load(&entries, WeekStart::Mon).unwrap();
        assert_eq!(l.days.len(), 21);
        assert_eq!(l.weeks.len(), 3);
        assert_eq!(l.weeks[0].run_km, 13.0);
        assert_eq!(l.weeks[0].long_run_km, 8.0);
        assert_eq!(l.weeks[1].run_km, 0.0);
        assert_eq!(l.weeks[1].change_pct, Some(-100.0));
        assert_eq!(l.weeks[2].change_pct, None);
        assert_eq!(l.weeks[0].descent_m, 130.0);
        // The data runs Monday 3 to Thursday 20 March: the last week is partial.
        let complete: Vec<bool> = l.weeks.iter().map(|w| w.complete).collect();
        assert_eq!(complete, [true, true, false]);
        assert_eq!(
            l.gaps,
            vec![
                Gap {
                    from: NaiveDate::from_ymd_opt(2025, 3, 4).unwrap(),
                    to: NaiveDate::from_ymd_opt(2025, 3, 4).unwrap(),
                    days: 1
                },
                Gap {
                    from: NaiveDate::from_ymd_opt(2025, 3, 6).unwrap(),
                    to: NaiveDate::from_ymd_opt(2025, 3, 19).unwrap(),
                    days: 14
                }
            ]
        );
        assert_eq!(l.longest[0].longest_previous_km, None);
        assert_eq!(l.longest[1].longest_previous_km, Some(5.0));
        assert_eq!(l.longest[2].longest_previous_km, Some(8.0));
        assert_eq!(l.longest[2].history_days, 17);
        // Under 28 days of history: no ratio.
        assert!(l.days.iter().all(|d| d.acwr.is_none()));
        // Weekly totals sum to the total distance.
        let total: f64 = l.weeks.iter().map(|w| w.run_km).sum();
        assert_eq!(total, 23.0);
    }

    #[test]
    fn longest_runs_are_those_a_look_through_every_run_finds() {
        // 400 runs over three years, some on the same day and some starting at the same
        // instant (a watch and a phone), some a whole look-back window apart to the second,
        // and a strength session among them.
        let mut rng = crate::synth::Rng::new(7);
        let mut next = || (rng.next_u64() >> 33) as i64;
        let base = Utc.with_ymd_and_hms(2023, 1, 1, 6, 0, 0).unwrap();
        let mut at = base;
        let mut entries = Vec::new();
        for i in 0..400 {
            at += match next() % 5 {
                0 => chrono::Duration::zero(),
                1 => chrono::Duration::days(SPIKE_LOOKBACK_DAYS),
                _ => chrono::Duration::seconds(next() % 400_000),
            };
            entries.push(LoadEntry {
                id: format!("r{i}"),
                start_utc: at,
                date: at.date_naive(),
                is_run: i % 37 != 5,
                is_strength: i % 37 == 5,
                distance_km: (next() % 3000) as f64 / 100.0,
                descent_m: 0.0,
                downhill_km: 0.0,
                hard: false,
            });
        }
        for week_start_day in [WeekStart::Mon, WeekStart::Sun] {
            let l = load(&entries, week_start_day).unwrap();
            for w in &l.weeks {
                let want = entries
                    .iter()
                    .filter(|e| e.is_run && week_start(e.date, week_start_day) == w.start)
                    .map(|e| e.distance_km)
                    .fold(0.0, f64::max);
                assert_eq!(w.long_run_km.to_bits(), want.to_bits(), "{}", w.week);
            }
            let runs: Vec<&LoadEntry> = entries.iter().filter(|e| e.is_run).collect();
            assert_eq!(l.longest.len(), runs.len());
            let mut windows_with_runs = 0;
            for (c, r) in l.longest.iter().zip(&runs) {
                let since = r.start_utc - chrono::Duration::days(SPIKE_LOOKBACK_DAYS);
                let want = runs
                    .iter()
                    .filter(|p| p.start_utc >= since && p.start_utc < r.start_utc)
                    .map(|p| p.distance_km)
                    .reduce(f64::max);
                assert_eq!(c.id, r.id);
                assert_eq!(c.longest_previous_km, want, "{}", r.id);
                windows_with_runs += usize::from(want.is_some());
            }
            assert!(windows_with_runs > 300, "{windows_with_runs}");
        }
    }

    #[test]
    fn the_longest_in_a_moving_window_is_what_max_over_it_gives() {
        // Distances from a few values (equal ones, zeros), some not a number; windows whose
        // ends move forward by uneven steps, some empty of numbers.
        let mut rng = crate::synth::Rng::new(3);
        let km: Vec<f64> = (0..2000)
            .map(|_| match rng.next_u64() % 9 {
                0 => f64::NAN,
                1 => 0.0,
                k => (k * 3 % 7) as f64 + 0.5,
            })
            .collect();
        let mut longer = LongestInWindow::default();
        let (mut from, mut to) = (0usize, 0usize);
        let mut nan_windows = 0;
        while to < km.len() {
            let next_to = (to + 1 + (rng.next_u64() % 4) as usize).min(km.len());
            for (i, &d) in km.iter().enumerate().take(next_to).skip(to) {
                longer.enter(i, d);
            }
            to = next_to;
            // Now and then a window of the last distance alone.
            from = match rng.next_u64() % 7 {
                0 => to - 1,
                step => (from + step as usize).min(to - 1),
            };
            let want = km[from..to].iter().copied().reduce(f64::max).unwrap();
            let got = longer.longest(from);
            assert_eq!(got.to_bits(), want.to_bits(), "{from}..{to}");
            nan_windows += usize::from(want.is_nan());
        }
        assert!(nan_windows > 0);
    }

    #[test]
    fn days_within_are_the_days_a_look_at_each_finds() {
        let day = |n: u64| NaiveDate::from_ymd_opt(2025, 3, 1).unwrap() + Days::new(n);
        let l = load(
            &[entry(3, 5.0), entry(5, 8.0), entry(20, 10.0)],
            WeekStart::Mon,
        )
        .unwrap();
        // The table itself, and a list with days missing and one twice.
        let mut gappy: Vec<Day> = l.days.iter().step_by(3).cloned().collect();
        gappy.insert(2, gappy[2].clone());
        for days in [&l.days, &gappy] {
            for from in 0..30 {
                for to in 0..30 {
                    let want: Vec<NaiveDate> = days
                        .iter()
                        .filter(|d| d.date >= day(from) && d.date < day(to))
                        .map(|d| d.date)
                        .collect();
                    let got: Vec<NaiveDate> = days_within(days, day(from), day(to))
                        .iter()
                        .map(|d| d.date)
                        .collect();
                    assert_eq!(got, want, "{from} {to}");
                }
            }
        }
        assert!(days_within(&[], day(0), day(5)).is_empty());
    }
}
