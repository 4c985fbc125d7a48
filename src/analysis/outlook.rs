//! Where the runner stands now: the outlook of RISK_MODEL.md. Findings look back; the outlook
//! looks forward from a day (`--as-of`, by default the day after the latest run) and turns the
//! same evidence into limits for the next 7 days, each saying what it is computed from.
//!
//! * **long run ceiling**: `single_run_spike_ratio` (1.1) × the longest run of the 30 days before
//!   the day (E1).
//! * **week ceiling**: `weekly_jump_ratio` (1.3) × the last complete week (E3's caution: the
//!   largest cohort, E1, found no relation for the week-to-week ratio); after a break of at least
//!   `return_gap_days` (14) days, half the average week of the 4 weeks before the break in the
//!   week of the return, rising by that step each week until it reaches that average; after 14
//!   days of reduced training (under `return_reduced_share` of the daily average of the 28 days
//!   before them), half the average week of those 28 days (seed).
//! * **descent ceiling**: `descent_spike_ratio` (1.5) × the mean weekly descent of the whole
//!   weeks among the 4 before this one, at least 2 of them (E13).
//! * **next hard day**: not before the day after an easy or rest day that follows the last hard
//!   session.
//! * **strength**: sessions so far this week against `strength_sessions_per_week` (2) to 3; a
//!   runner who does not log strength work is told so once, here.
//! * **open findings**: the events dated in the 14 days before the day; the habits in force on
//!   the day are listed apart.
//!
//! A limit the history is too short for (under 14 days of data before the day) is left out with
//! the reason, as is one whose base is missing (no run in the 30 days, no complete week).

use chrono::{Days, NaiveDate};
use serde::Serialize;

use super::load::{average_week_before, days_within, reduced_base, Day, Week};
use super::rules::{Finding, Kind, Severity};
use super::triggers::Triggers;
use super::{week_start, ActivitySummary, Thresholds, WeekStart};

/// Days of data before the day that the limits need.
pub const MIN_HISTORY_DAYS: i64 = 14;

/// The days back that `open findings` looks.
pub const OPEN_FINDINGS_DAYS: u64 = 14;

/// The upper end of the seed's 2–3 strength sessions a week.
pub const STRENGTH_SESSIONS_MAX: u32 = 3;

/// The outlook for the 7 days from `as_of`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Outlook {
    pub as_of: NaiveDate,
    /// First day of the training week holding `as_of`.
    pub week_start: NaiveDate,
    /// The longest single run to stay under in the next 7 days.
    pub long_run_km_max: Option<f64>,
    pub longest_run_30d_km: Option<f64>,
    /// The running kilometres to stay under this week (the week holding `as_of`), and what of
    /// them is run already (the days of the week before `as_of`).
    pub week_km_max: Option<f64>,
    pub week_km_so_far: f64,
    pub descent_m_max: Option<f64>,
    /// The first day a hard session fits in.
    pub hard_not_before: NaiveDate,
    pub strength_sessions_this_week: u32,
    /// One sentence per limit, in the order above.
    pub items: Vec<OutlookItem>,
    /// The limits left out, each with the reason.
    pub left_out: Vec<LeftOut>,
    /// The events of the 14 days before `as_of`, most recent first.
    pub open_findings: Vec<OpenFinding>,
    /// The habits in force on `as_of`, in the order of the rules.
    pub habits_in_force: Vec<OpenFinding>,
}

/// One limit as a sentence, with the numbers it comes from.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OutlookItem {
    /// `long-run`, `week-distance`, `return-ramp`, `descent`, `hard-day`, `strength` or
    /// `open-findings`.
    pub code: &'static str,
    pub text: String,
    /// What the limit is computed from (the longest run, the last week, …), where it is a number.
    pub value: Option<f64>,
    /// The limit itself, where it is a number.
    pub limit: Option<f64>,
    pub evidence: &'static str,
}

/// A limit the data cannot give, and why.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LeftOut {
    pub code: &'static str,
    pub reason: String,
}

/// An event of the last 14 days, or a habit in force, as the outlook lists it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OpenFinding {
    pub code: &'static str,
    pub severity: Severity,
    pub date: Option<NaiveDate>,
    pub week: Option<String>,
    pub activity: Option<String>,
    /// A habit: the day it set in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<NaiveDate>,
}

impl OpenFinding {
    fn of(f: &Finding) -> OpenFinding {
        OpenFinding {
            code: f.code.code(),
            severity: f.severity,
            date: f.date,
            week: f.week.clone(),
            activity: f.activity.clone(),
            since: f.since,
        }
    }
}

/// What the outlook is computed from.
pub struct Inputs<'a> {
    /// Counted runs (no duplicates), in time order.
    pub runs: &'a [&'a ActivitySummary],
    pub days: &'a [Day],
    pub weeks: &'a [Week],
    pub findings: &'a [Finding],
    pub thresholds: &'a Thresholds,
    pub week_start: WeekStart,
}

fn km(x: f64) -> String {
    format!("{x:.1} km")
}

fn day_words(d: NaiveDate) -> String {
    d.format("%a %Y-%m-%d").to_string()
}

/// The outlook as of `as_of` (default: the day after the latest run); `None` without runs.
pub fn outlook(inputs: &Inputs, as_of: Option<NaiveDate>) -> Option<Outlook> {
    let latest = inputs.runs.iter().map(|r| r.local_date).max()?;
    let as_of = as_of.unwrap_or(latest + Days::new(1));
    let t = inputs.thresholds;
    let this_week = week_start(as_of, inputs.week_start);
    let before = |d: NaiveDate| d < as_of;
    let runs: Vec<&ActivitySummary> = inputs
        .runs
        .iter()
        .copied()
        .filter(|r| before(r.local_date))
        .collect();
    // Days of data before the day: from the first day with a run or a strength session.
    let first = inputs
        .days
        .iter()
        .find(|d| d.runs > 0 || d.strength_sessions > 0)
        .map(|d| d.date);
    let history = first.map_or(0, |f| (as_of - f).num_days().max(0));
    let short = history < MIN_HISTORY_DAYS;
    let short_reason = || {
        format!(
            "the data covers {history} day{} before {as_of}; this limit needs {MIN_HISTORY_DAYS}",
            if history == 1 { "" } else { "s" }
        )
    };
    // A week is whole when the data covers it: `Week::complete`, or, for the last weeks of the
    // data, when it ended before the day (the runner did not run on its last days, as far as
    // the data knows up to the day); a week the data enters after its first day stays part.
    let whole = |w: &Week| {
        w.complete || (first.is_some_and(|f| f <= w.start) && w.start + Days::new(6) < as_of)
    };
    let days_in = |from: NaiveDate, to: NaiveDate| days_within(inputs.days, from, to).iter();

    let mut items = Vec::new();
    let mut left_out = Vec::new();

    // Long run ceiling (E1).
    let window_start = as_of - Days::new(30);
    let longest_run_30d_km = runs
        .iter()
        .filter(|r| r.local_date >= window_start)
        .map(|r| r.distance_m / 1000.0)
        .fold(None, |acc: Option<f64>, x| {
            Some(acc.map_or(x, |a| a.max(x)))
        });
    let mut long_run_km_max = None;
    match longest_run_30d_km {
        _ if short => left_out.push(LeftOut {
            code: "long-run",
            reason: short_reason(),
        }),
        Some(longest) if longest > 0.0 => {
            let limit = longest * t.single_run_spike_ratio;
            long_run_km_max = Some(limit);
            items.push(OutlookItem {
                code: "long-run",
                text: format!(
                    "Keep your long run under {}: your longest in the last 30 days was {} (E1: \
                     runs more than {:.0} % longer than that carried the risk)",
                    km(limit),
                    km(longest),
                    (t.single_run_spike_ratio - 1.0) * 100.0
                ),
                value: Some(longest),
                limit: Some(limit),
                evidence: "E1",
            });
        }
        _ => left_out.push(LeftOut {
            code: "long-run",
            reason: format!("no run in the 30 days before {as_of}"),
        }),
    }

    // Week ceiling: a return from a break first (seed), else the last complete week (E3).
    // + 0.0: a sum of no days is -0.0.
    let week_km_so_far = days_in(this_week, as_of).map(|d| d.run_km).sum::<f64>() + 0.0;
    let so_far = |what: String| {
        if week_km_so_far > 0.0 {
            format!(" ({what} so far)")
        } else {
            String::new()
        }
    };
    let mut week_km_max = None;
    if short {
        left_out.push(LeftOut {
            code: "week-distance",
            reason: short_reason(),
        });
    } else if let Some(item) =
        return_ramp(inputs, &runs, as_of, this_week, &so_far(km(week_km_so_far)))
    {
        week_km_max = item.limit;
        items.push(item);
    } else {
        let last_start = this_week - Days::new(7);
        match inputs.weeks.iter().find(|w| w.start == last_start) {
            Some(w) if whole(w) && w.run_km > 0.0 => {
                let limit = w.run_km * t.weekly_jump_ratio;
                week_km_max = Some(limit);
                items.push(OutlookItem {
                    code: "week-distance",
                    text: format!(
                        "Keep this week under {}{}: last week was {} (the seed's caution and \
                         E3's: more than {:.0} % up on the week before went with more \
                         distance-related injuries in novices; not a finding of the largest \
                         cohort)",
                        km(limit),
                        so_far(km(week_km_so_far)),
                        km(w.run_km),
                        (t.weekly_jump_ratio - 1.0) * 100.0
                    ),
                    value: Some(w.run_km),
                    limit: Some(limit),
                    evidence: "E3",
                });
            }
            Some(w) if whole(w) => left_out.push(LeftOut {
                code: "week-distance",
                reason: format!("no running in the week of {}", w.start),
            }),
            _ => left_out.push(LeftOut {
                code: "week-distance",
                reason: format!("the week of {last_start} is not wholly in the data"),
            }),
        }
    }

    // Descent ceiling (E13): the complete weeks among the 4 before this one, at least 2.
    let previous: Vec<&Week> = inputs
        .weeks
        .iter()
        .filter(|w| whole(w) && w.start >= this_week - Days::new(28) && w.start < this_week)
        .collect();
    let mut descent_m_max = None;
    if short {
        left_out.push(LeftOut {
            code: "descent",
            reason: short_reason(),
        });
    } else if previous.len() < 2 {
        left_out.push(LeftOut {
            code: "descent",
            reason: format!(
                "{} complete week{} of the 4 before this one; the mean needs 2",
                previous.len(),
                if previous.len() == 1 { "" } else { "s" }
            ),
        });
    } else {
        let mean = previous.iter().map(|w| w.descent_m).sum::<f64>() / previous.len() as f64;
        if mean > 0.0 {
            let limit = mean * t.descent_spike_ratio;
            descent_m_max = Some(limit);
            let descended = days_in(this_week, as_of).map(|d| d.descent_m).sum::<f64>();
            items.push(OutlookItem {
                code: "descent",
                text: format!(
                    "Keep this week's descent under {limit:.0} m{}: your weeks averaged \
                     {mean:.0} m over the last {} (E13: downhill running loads the knee more \
                     than level running)",
                    so_far(format!("{descended:.0} m")),
                    if previous.len() == 4 {
                        "4 weeks".to_string()
                    } else {
                        format!("{} complete weeks", previous.len())
                    }
                ),
                value: Some(mean),
                limit: Some(limit),
                evidence: "E13",
            });
        } else {
            left_out.push(LeftOut {
                code: "descent",
                reason: "no descent recorded in the weeks before this one".into(),
            });
        }
    }

    // Next hard day: the day after an easy or rest day that follows the last hard session.
    let last_hard = inputs
        .days
        .iter()
        .filter(|d| d.hard_sessions > 0 && before(d.date))
        .map(|d| d.date)
        .max();
    let hard_not_before = match last_hard {
        // The day after it is easy or rest if it is before the day; else the day itself must be.
        Some(h) => (h + Days::new(2)).max(as_of),
        None => as_of,
    };
    items.push(OutlookItem {
        code: "hard-day",
        text: match last_hard {
            Some(h) if hard_not_before > as_of => format!(
                "No hard session before {}: your last was yesterday ({}); keep {} easy or rest \
                 (seed: hard days stacked together)",
                day_words(hard_not_before),
                day_words(h),
                day_words(as_of)
            ),
            Some(h) => format!(
                "A hard session fits from {}: your last was {}, with an easy or rest day after it \
                 (seed: hard days stacked together)",
                day_words(hard_not_before),
                day_words(h)
            ),
            None => format!(
                "A hard session fits from {}: no hard session in the data (seed: keep an easy or \
                 rest day between hard ones)",
                day_words(hard_not_before)
            ),
        },
        value: None,
        limit: None,
        evidence: "seed",
    });

    // Strength so far this week (seed: 2–3 a week), for a runner who logs strength work (as
    // `strength-gap` judges it: sessions in enough of the 12 weeks before the day).
    let strength_sessions_this_week: u32 =
        days_in(this_week, as_of).map(|d| d.strength_sessions).sum();
    let want = t.strength_sessions_per_week;
    let logged_weeks = inputs
        .weeks
        .iter()
        .filter(|w| w.start < this_week && w.start + Days::new(84) >= this_week)
        .filter(|w| w.strength_sessions > 0)
        .count();
    let logs = logged_weeks >= t.strength_logged_weeks.max(1) || strength_sessions_this_week > 0;
    items.push(OutlookItem {
        code: "strength",
        text: match (strength_sessions_this_week, logs) {
            (_, false) if logged_weeks == 0 => format!(
                "No strength sessions logged in the last 12 weeks: {want}–{STRENGTH_SESSIONS_MAX} \
                 short ones a week (hips, thighs, calves) are what the seed advises; log them to \
                 see them here"
            ),
            (_, false) => format!(
                "Strength sessions logged in {logged_weeks} of the last 12 weeks: if you do more, \
                 log them to see them here; {want}–{STRENGTH_SESSIONS_MAX} short ones a week are \
                 what the seed advises"
            ),
            (n, true) if n >= want => format!(
                "{n} strength session{} so far this week: {want}–{STRENGTH_SESSIONS_MAX} a week \
                 is the aim (seed)",
                if n == 1 { "" } else { "s" }
            ),
            (n, true) => format!(
                "{n} strength session{} so far this week: fit in {} more for \
                 {want}–{STRENGTH_SESSIONS_MAX} a week (seed)",
                if n == 1 { "" } else { "s" },
                want - n
            ),
        },
        value: Some(f64::from(strength_sessions_this_week)),
        limit: Some(f64::from(want)),
        evidence: "seed",
    });

    // Events of the 14 days before the day; habits in force on it.
    let since = as_of - Days::new(OPEN_FINDINGS_DAYS);
    let mut open_findings: Vec<OpenFinding> = inputs
        .findings
        .iter()
        .filter(|f| f.kind == Kind::Event && f.date.is_some_and(|d| d >= since && d < as_of))
        .map(OpenFinding::of)
        .collect();
    let mut habits_in_force: Vec<OpenFinding> = inputs
        .findings
        .iter()
        .filter(|f| f.habit_in_force(as_of - Days::new(1)))
        .map(OpenFinding::of)
        .collect();
    habits_in_force.sort_by_key(|f| super::rules::Rule::from_code(f.code));
    open_findings.sort_by(|a, b| b.date.cmp(&a.date).then(a.code.cmp(b.code)));
    if !open_findings.is_empty() {
        let mut codes: Vec<&str> = open_findings.iter().map(|f| f.code).collect();
        codes.dedup();
        codes.sort_unstable();
        codes.dedup();
        items.push(OutlookItem {
            code: "open-findings",
            text: format!(
                "{} event{} in the 14 days before {as_of}: {}; read them below before adding \
                 load",
                open_findings.len(),
                if open_findings.len() == 1 { "" } else { "s" },
                codes.join(", ")
            ),
            value: Some(open_findings.len() as f64),
            limit: None,
            evidence: "see each finding",
        });
    }

    Some(Outlook {
        as_of,
        week_start: this_week,
        long_run_km_max,
        longest_run_30d_km,
        week_km_max,
        week_km_so_far,
        descent_m_max,
        hard_not_before,
        strength_sessions_this_week,
        items,
        left_out,
        open_findings,
        habits_in_force,
    })
}

/// The week ceiling after reduced training ([`reduced_base`]): from the week whose 14 days before
/// held under `return_reduced_share` of the daily average of the 28 days before them, half the
/// average week of those 28 days, one more such step each week after, until it reaches that
/// average.
fn reduced_ramp(inputs: &Inputs, this_week: NaiveDate, so_far: &str) -> Option<OutlookItem> {
    let t = inputs.thresholds;
    // The latest week up to this one that began after reduced training, while the ramp from it
    // is still below the usual week (two weeks with steps of half).
    for weeks_before in 0..2u64 {
        let back = this_week - Days::new(7 * weeks_before);
        let Some(usual) = reduced_base(inputs.days, back, t.return_reduced_share) else {
            continue;
        };
        if usual < t.return_min_week_km {
            return None;
        }
        let recent: f64 = days_within(inputs.days, back - Days::new(14), back)
            .iter()
            .map(|d| d.run_km)
            .sum();
        let weeks_back = weeks_before + 1;
        let limit = usual / 2.0 * weeks_back as f64;
        if past_week_one_lower(inputs, this_week, weeks_back as i64, limit) {
            return None;
        }
        return Some(OutlookItem {
            code: "return-ramp",
            text: format!(
                "Keep this week under {}{}: week {weeks_back} back after 14 days of {} (under {:.0} \
                 % of your usual); start back at half the {} a week you ran before them and add \
                 at most that much each week (seed: a return that outpaces tissue tolerance)",
                km(limit),
                so_far,
                km(recent),
                t.return_reduced_share * 100.0,
                km(usual),
            ),
            value: Some(usual),
            limit: Some(limit),
            evidence: "seed",
        });
    }
    None
}

/// The week ceiling of a return from a break of at least `return_gap_days`: half the average
/// week of the 4 weeks before the break in the week of the return, one more such step each week
/// after, until it reaches that average; else the ceiling after reduced training
/// ([`reduced_ramp`]). `None` when neither is that recent, or the weeks before hold less than 14
/// days of data.
fn return_ramp(
    inputs: &Inputs,
    runs: &[&ActivitySummary],
    as_of: NaiveDate,
    this_week: NaiveDate,
    so_far: &str,
) -> Option<OutlookItem> {
    break_ramp(inputs, runs, as_of, this_week, so_far)
        .or_else(|| reduced_ramp(inputs, this_week, so_far))
}

/// Whether, from the second week of a return on, the usual ceiling (`weekly_jump_ratio` × the
/// last week, when it had running) is below the ramp's `limit`: then it holds instead. In the
/// first week back the ramp alone decides (the week before was the break).
fn past_week_one_lower(inputs: &Inputs, this_week: NaiveDate, weeks_back: i64, limit: f64) -> bool {
    let last = inputs
        .weeks
        .iter()
        .find(|w| w.start == this_week - Days::new(7))
        .map_or(0.0, |w| w.run_km);
    weeks_back >= 2 && last > 0.0 && last * inputs.thresholds.weekly_jump_ratio < limit
}

/// The week ceiling of a return from a break of at least `return_gap_days` ([`return_ramp`]).
fn break_ramp(
    inputs: &Inputs,
    runs: &[&ActivitySummary],
    as_of: NaiveDate,
    this_week: NaiveDate,
    so_far: &str,
) -> Option<OutlookItem> {
    let t = inputs.thresholds;
    let gap = t.return_gap_days.max(1) as u64;
    // The latest break before the day: between two runs, or from the last run up to the day.
    let dates: Vec<NaiveDate> = runs.iter().map(|r| r.local_date).collect();
    let mut last_break: Option<(NaiveDate, NaiveDate)> = None; // (first day off, return day)
    for pair in dates.windows(2) {
        if pair[0] + Days::new(gap) < pair[1] {
            last_break = Some((pair[0] + Days::new(1), pair[1]));
        }
    }
    if let Some(&last) = dates.last() {
        if last + Days::new(gap) < as_of {
            last_break = Some((last + Days::new(1), as_of));
        }
    }
    let (off, back) = last_break?;
    let average_week =
        average_week_before(inputs.days, off).filter(|w| *w >= t.return_min_week_km)?;
    let step = average_week / 2.0;
    let weeks_back = (this_week - week_start(back, inputs.week_start)).num_days() / 7 + 1;
    let limit = step * weeks_back as f64;
    // Until it reaches the average: the week it does is still held to it.
    if limit > average_week || past_week_one_lower(inputs, this_week, weeks_back, limit) {
        return None;
    }
    let break_days = (back - off).num_days();
    Some(OutlookItem {
        code: "return-ramp",
        text: format!(
            "Keep this week under {}{}: week {weeks_back} back after {break_days} days off; start \
             at half the {} a week you ran before the break and add at most that much each \
             week (seed: a return that outpaces tissue tolerance)",
            km(limit),
            so_far,
            km(average_week),
        ),
        value: Some(average_week),
        limit: Some(limit),
        evidence: "seed",
    })
}

/// The outlook's limits tightened where the runner's own pain log points to a trigger
/// (RISK_MODEL.md, "Your own triggers"): the long-run ceiling to 1.05 × for `single-run-spike`,
/// the descent ceiling to 1.2 × for `descent-spike` or `steep-descent`, the week ceiling (over
/// the last week; a return's ramp is already half the usual week) to 1.15 × for `weekly-jump`
/// or `return-too-fast`. Each tightened limit says that it comes from the runner's own log, and
/// its evidence is `own pain log`. A limit already under the tightened one stays.
pub fn tighten(o: &mut Outlook, triggers: &Triggers) {
    use super::rules::Rule;
    use super::triggers::{words, DESCENT_RATIO, LONG_RUN_RATIO, WEEK_RATIO};
    let first = |codes: &[Rule]| {
        codes
            .iter()
            .find_map(|c| triggers.significant().find(|t| t.code == *c))
    };
    for item in &mut o.items {
        let (ratio, trigger) = match item.code {
            "long-run" => (LONG_RUN_RATIO, first(&[Rule::SingleRunSpike])),
            "descent" => (
                DESCENT_RATIO,
                first(&[Rule::DescentSpike, Rule::SteepDescent]),
            ),
            "week-distance" => (WEEK_RATIO, first(&[Rule::WeeklyJump, Rule::ReturnTooFast])),
            _ => continue,
        };
        let (Some(t), Some(base), Some(limit)) = (trigger, item.value, item.limit) else {
            continue;
        };
        let tightened = base * ratio;
        if tightened >= limit {
            continue;
        }
        let (one, _) = words(t.code);
        let why = format!(
            "{ratio:.2} × rather than {:.2} ×, from your own pain log: {} of your {} pain \
             episodes followed {one} in the 14 days before, against {} of {} pain-free \
             windows",
            limit / base,
            t.episodes_with,
            t.episodes,
            t.control_with,
            t.control_windows
        );
        item.text = match item.code {
            "long-run" => format!(
                "Keep your long run under {}: your longest in the last 30 days was {} ({why})",
                km(tightened),
                km(base)
            ),
            "descent" => format!(
                "Keep this week's descent under {tightened:.0} m: your weeks averaged {base:.0} m \
                 ({why})"
            ),
            _ => format!(
                "Keep this week under {}: last week was {} ({why})",
                km(tightened),
                km(base)
            ),
        };
        item.limit = Some(tightened);
        item.evidence = "own pain log";
        match item.code {
            "long-run" => o.long_run_km_max = Some(tightened),
            "descent" => o.descent_m_max = Some(tightened),
            _ => o.week_km_max = Some(tightened),
        }
    }
}
