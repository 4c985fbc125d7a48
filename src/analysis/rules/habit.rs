//! Habits (RISK_MODEL.md, "Findings"): standing patterns over many runs or weeks, read the same
//! way for every habit rule. Each week, a habit is judged over the trailing 4 weeks (the week and
//! the 3 before it) from what its rule can judge there (runs, running time or whole weeks, each
//! showing the pattern or not): it *holds* when its rule's reading says so (at least half of
//! them, for most). It is raised once, when it first holds; it stays the same habit while it
//! holds, and through up to 3 weeks judged that it does not (weeks with too little to judge, a
//! break, do not count); after 4 such weeks it has lapsed, and is raised again only when it
//! holds again. A runner whose cadence has been low for a year reads
//! one line, not one a run.

use chrono::{Days, NaiveDate};
use serde::Serialize;

use super::{Finding, Rule, Severity, Unit};
use crate::analysis::load::Week;

/// The weeks a habit is judged over: the week and the 3 before it.
pub const WINDOW_WEEKS: usize = 4;

/// One run, stretch of running time, or whole week that a habit judges.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Judged {
    /// The index of its week in the load table.
    pub week: usize,
    /// Its index among what the rule judged from (its runs, or the weeks).
    pub item: usize,
    /// What it counts for in the share: moving seconds for a share of running time, 1 for a
    /// share of runs or of weeks.
    pub weight: f64,
    /// Whether it shows the pattern.
    pub shows: bool,
    /// Its own number (a cadence, a balance, a ratio), for the rule's message.
    pub value: f64,
}

/// How a window of judged items reads.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Reading {
    pub holds: bool,
    /// The share (by weight) of the window's items that showed the pattern.
    pub share: f64,
}

/// The reading most habits use: with at least `min` items judged, the habit holds when the
/// share that shows it is at least `share`.
pub fn at_least(min: usize, share: f64) -> impl Fn(&[Judged]) -> Option<Reading> {
    move |items: &[Judged]| {
        if items.len() < min {
            return None;
        }
        let s = share_of(items);
        Some(Reading {
            holds: s >= share,
            share: s,
        })
    }
}

/// The share (by weight) of `items` that show the pattern; 0 for none.
pub fn share_of(items: &[Judged]) -> f64 {
    let total: f64 = items.iter().map(|j| j.weight).sum();
    if total <= 0.0 {
        return 0.0;
    }
    items
        .iter()
        .filter(|j| j.shows)
        .map(|j| j.weight)
        .sum::<f64>()
        / total
}

/// One week of a habit's trend.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TrendWeek {
    pub week: String,
    #[serde(serialize_with = "crate::analysis::load::iso_date")]
    pub start: NaiveDate,
    /// The share that showed the habit over the 4 weeks to this one; `None` where too little
    /// could be judged.
    pub share: Option<f64>,
    /// How many runs or weeks were judged over those 4 weeks.
    pub judged: usize,
    pub holds: bool,
}

/// A habit's share week by week, over the whole history (the report draws it).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Trend {
    pub code: Rule,
    pub weeks: Vec<TrendWeek>,
}

/// One stretch of a habit: from the week it set in to the last week it held (indices into the
/// weeks), and the items of the 4 weeks to that last week.
#[derive(Clone, Debug, PartialEq)]
pub struct Episode {
    /// The first week it held.
    pub first: usize,
    /// The week of the first item that showed it in the 4 weeks to `first`: it set in then.
    pub began: usize,
    pub last: usize,
    /// The items judged over the 4 weeks to `last`, for the message.
    pub latest: Vec<Judged>,
}

/// The items judged over the 4 weeks to week `i`.
fn window(by_week: &[Vec<Judged>], i: usize) -> Vec<Judged> {
    by_week[(i + 1).saturating_sub(WINDOW_WEEKS)..=i]
        .iter()
        .flatten()
        .copied()
        .collect()
}

fn episode(by_week: &[Vec<Judged>], first: usize, last: usize) -> Episode {
    let began = window(by_week, first)
        .iter()
        .filter(|j| j.shows)
        .map(|j| j.week)
        .min()
        .unwrap_or(first);
    Episode {
        first,
        began,
        last,
        latest: window(by_week, last),
    }
}

/// Reads `judged` week by week with `read` (in the weeks where `applies`), and splits the weeks it
/// holds into episodes (a lapse is `lapse_weeks` weeks judged in a row in which it does not
/// hold; weeks with too little to judge do not count).
pub fn judge(
    code: Rule,
    weeks: &[Week],
    judged: &[Judged],
    lapse_weeks: usize,
    applies: impl Fn(usize) -> bool,
    read: impl Fn(&[Judged]) -> Option<Reading>,
) -> (Trend, Vec<Episode>) {
    let mut by_week: Vec<Vec<Judged>> = vec![Vec::new(); weeks.len()];
    for j in judged.iter().filter(|j| j.week < weeks.len()) {
        by_week[j.week].push(*j);
    }
    let mut trend = Vec::with_capacity(weeks.len());
    let mut episodes: Vec<Episode> = Vec::new();
    // The open episode: its first and last week holding, and the weeks off since.
    let mut open: Option<(usize, usize)> = None;
    let mut off = 0usize;
    for (i, week) in weeks.iter().enumerate() {
        let items = window(&by_week, i);
        let reading = if applies(i) { read(&items) } else { None };
        let holds = reading.is_some_and(|r| r.holds);
        trend.push(TrendWeek {
            week: week.week.clone(),
            start: week.start,
            share: reading.map(|r| r.share),
            judged: items.len(),
            holds,
        });
        if holds {
            let first = open.map_or(i, |(f, _)| f);
            open = Some((first, i));
            off = 0;
        } else if let (Some((first, last)), Some(_)) = (open, reading) {
            // Only weeks judged count towards a lapse: weeks with too little to judge (a break,
            // an injury) neither end a habit nor keep it.
            off += 1;
            if off >= lapse_weeks.max(1) {
                episodes.push(episode(&by_week, first, last));
                open = None;
            }
        }
    }
    if let Some((first, last)) = open {
        episodes.push(episode(&by_week, first, last));
    }
    (Trend { code, weeks: trend }, episodes)
}

/// The finding of one episode of a habit: dated on the day it set in (the first day of the week
/// of the first run or week that showed it in the 4 weeks over which it first held), in force
/// until the last week it held (`None` when that is the last week of the data), with the share of
/// that last week.
#[allow(clippy::too_many_arguments)]
pub fn raise(
    rule: Rule,
    severity: Severity,
    weeks: &[Week],
    trend: &Trend,
    episode: &Episode,
    value: f64,
    threshold: f64,
    unit: Unit,
    message: String,
) -> Finding {
    let since = weeks[episode.began].start;
    let until = (episode.last + 1 < weeks.len()).then(|| weeks[episode.last].start + Days::new(6));
    let mut f = super::finding(
        rule,
        severity,
        super::About::Day(since, Some(weeks[episode.first].week.clone())),
        value,
        threshold,
        unit,
        message,
    );
    f.since = Some(since);
    f.until = until;
    f.share = trend.weeks[episode.last].share;
    f
}

/// The index of the week starting on `start` in `weeks` (in order).
pub fn week_index(weeks: &[Week], start: NaiveDate) -> Option<usize> {
    weeks.binary_search_by_key(&start, |w| w.start).ok()
}

/// The median of `(value, weight)` pairs by weight: the value at which half the weight lies
/// below (the lower one of two that split it exactly).
pub fn weighted_median(mut pairs: Vec<(f64, f64)>) -> Option<f64> {
    pairs.retain(|(v, w)| v.is_finite() && *w > 0.0);
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = pairs.iter().map(|(_, w)| w).sum();
    let mut below = 0.0;
    for (v, w) in &pairs {
        below += w;
        if below >= total / 2.0 {
            return Some(*v);
        }
    }
    None
}

/// "the 4 weeks to Sun 2025-03-30": the window of week `i`, in words.
pub fn window_words(weeks: &[Week], i: usize) -> String {
    let end = weeks[i].start + Days::new(6);
    let n = (i + 1).min(WINDOW_WEEKS);
    if n == 1 {
        format!("the week to {}", end.format("%Y-%m-%d"))
    } else {
        format!("the {n} weeks to {}", end.format("%Y-%m-%d"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weeks(n: usize) -> Vec<Week> {
        let start = NaiveDate::from_ymd_opt(2025, 1, 6).unwrap();
        (0..n)
            .map(|i| Week {
                week: format!("W{i}"),
                start: start + Days::new(7 * i as u64),
                run_km: 0.0,
                runs: 0,
                long_run_km: 0.0,
                change_pct: None,
                descent_m: 0.0,
                downhill_km: 0.0,
                acwr: None,
                monotony: None,
                hard_sessions: 0,
                strength_sessions: 0,
                complete: true,
            })
            .collect()
    }

    /// One item a week: showing or not, by the pattern's letters (`x` shows, `.` does not, ` `
    /// nothing judged).
    fn items(pattern: &str) -> Vec<Judged> {
        pattern
            .chars()
            .enumerate()
            .filter(|(_, c)| *c != ' ')
            .map(|(week, c)| Judged {
                week,
                item: week,
                weight: 1.0,
                shows: c == 'x',
                value: 0.0,
            })
            .collect()
    }

    fn episodes(pattern: &str) -> Vec<(usize, usize)> {
        let w = weeks(pattern.len());
        let (_, eps) = judge(
            Rule::LowCadence,
            &w,
            &items(pattern),
            4,
            |_| true,
            at_least(2, 0.5),
        );
        eps.iter().map(|e| (e.first, e.last)).collect()
    }

    #[test]
    fn a_habit_is_raised_once_while_it_holds_and_again_only_after_a_lapse() {
        // Held from week 1 (two of two judged) to the end: one episode.
        assert_eq!(episodes("xxxxxxxxxxxx"), [(1, 11)]);
        // Three weeks without it are not a lapse (the window still holds some of it, and even
        // where it does not, 3 weeks off keep the episode).
        assert_eq!(episodes("xxxx...xxxxx"), [(1, 11)]);
        // Off long enough that the 4-week window fails 4 weeks in a row: a second episode.
        assert_eq!(episodes("xxxx.......xxxx"), [(1, 5), (12, 14)]);
        // Weeks with too little to judge (a break) are no lapse: one habit across them.
        assert_eq!(episodes("xxxx          xxxx"), [(1, 17)]);
        // Never enough judged (one item in any 4 weeks): never raised.
        assert_eq!(episodes("x   x   x   x"), []);
        // Half is enough.
        assert_eq!(episodes("x.x.x.x."), [(1, 7)]);
        assert_eq!(episodes("..x...x...x."), []);
    }

    #[test]
    fn a_habit_does_not_hold_where_its_rule_does_not_apply() {
        let w = weeks(8);
        let (trend, eps) = judge(
            Rule::StrengthGap,
            &w,
            &items("xxxxxxxx"),
            4,
            |i| i >= 5,
            at_least(2, 0.5),
        );
        assert_eq!(
            eps.iter().map(|e| (e.first, e.last)).collect::<Vec<_>>(),
            [(5, 7)]
        );
        assert_eq!(trend.weeks[4].share, None);
    }

    #[test]
    fn the_weighted_median_is_where_half_the_weight_lies() {
        assert_eq!(
            weighted_median(vec![(160.0, 1.0), (170.0, 3.0)]),
            Some(170.0)
        );
        assert_eq!(
            weighted_median(vec![(160.0, 3.0), (170.0, 1.0)]),
            Some(160.0)
        );
        assert_eq!(
            weighted_median(vec![(160.0, 1.0), (170.0, 1.0)]),
            Some(160.0)
        );
        assert_eq!(weighted_median(vec![(f64::NAN, 1.0), (150.0, 0.0)]), None);
    }

    #[test]
    fn the_finding_says_since_until_and_the_latest_share() {
        let w = weeks(10);
        let (trend, eps) = judge(
            Rule::NoEasyStart,
            &w,
            &items("..xxxx...."),
            4,
            |_| true,
            at_least(2, 0.5),
        );
        assert_eq!(eps.len(), 1);
        let e = &eps[0];
        // Weeks 2 and 3 make half of the window to week 3: it holds there, having set in with
        // week 2.
        assert_eq!((e.first, e.began, e.last), (3, 2, 7));
        let f = raise(
            Rule::NoEasyStart,
            Severity::Info,
            &w,
            &trend,
            e,
            0.5,
            0.5,
            Unit::Ratio,
            String::new(),
        );
        assert_eq!(f.since, Some(w[2].start));
        assert_eq!(f.date, f.since);
        assert_eq!(f.week.as_deref(), Some("W3"));
        assert_eq!(f.until, Some(w[7].start + Days::new(6)));
        // Week 7's window (weeks 4-7): two of four.
        assert_eq!(f.share, Some(0.5));
        assert!(f.habit_in_force(w[7].start));
        assert!(f.habit_in_force(w[8].start + Days::new(6)));
        assert!(!f.habit_in_force(w[9].start));
        assert!(!f.habit_in_force(w[2].start - Days::new(1)));
        // Held to the last week: no end.
        let (trend, eps) = judge(
            Rule::NoEasyStart,
            &w,
            &items("......xxxx"),
            4,
            |_| true,
            at_least(2, 0.5),
        );
        let f = raise(
            Rule::NoEasyStart,
            Severity::Info,
            &w,
            &trend,
            &eps[0],
            0.0,
            0.5,
            Unit::Ratio,
            String::new(),
        );
        assert_eq!(f.until, None);
        assert_eq!(trend.weeks.len(), 10);
        assert_eq!(trend.weeks[9].share, Some(1.0));
        assert!(trend.weeks[9].holds && !trend.weeks[6].holds);
        assert_eq!(trend.weeks[5].share, Some(0.0));
        assert_eq!(trend.weeks[0].share, None);
    }
}
