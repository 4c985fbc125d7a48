//! Where one athlete of a team stands on a day: what a coach's team page lists per athlete
//! (`patella analyse --athletes`), taken from that athlete's own [`Analysis`], and the order of
//! urgency the page lists them in.
//!
//! Urgency, most urgent first: a pain entry of the last 28 days that says to see a clinician;
//! then high findings of the 14 days before the day, then moderate ones (the outlook's open
//! findings); then how much of this week's distance limit is run already; athletes without a
//! run in the 14 days before the day come last. Athletes alike in all of these follow by name.

use std::cmp::Ordering;

use chrono::{Days, NaiveDate};
use serde::Serialize;

use super::{week_label, week_start, Analysis, Severity, WeekStart};

/// Days before the day whose pain entries the team page counts.
pub const PAIN_WINDOW_DAYS: u64 = 28;

/// An athlete without a run in this many days before the day is listed as not running lately.
pub const RECENT_RUN_DAYS: u64 = 14;

/// How urgently an athlete needs the coach's attention, most urgent first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Urgency {
    /// A pain entry of the last 28 days says to see a clinician.
    SeeClinician,
    /// A high finding in the 14 days before the day.
    High,
    /// A moderate finding in the 14 days before the day.
    Moderate,
    /// This week's running has reached the week's limit.
    AtWeekLimit,
    /// None of the above.
    Steady,
    /// No run in the 14 days before the day (and none of the above).
    NoRecentRun,
}

impl Urgency {
    /// A few words for the page and the terminal.
    pub fn words(self) -> &'static str {
        match self {
            Urgency::SeeClinician => "see a clinician",
            Urgency::High => "high finding",
            Urgency::Moderate => "moderate finding",
            Urgency::AtWeekLimit => "at the week's limit",
            Urgency::Steady => "steady",
            Urgency::NoRecentRun => "no run in 14 days",
        }
    }
}

/// A finding of the 14 days before the day, as the team page names it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Flag {
    pub code: &'static str,
    pub severity: Severity,
    pub date: Option<NaiveDate>,
    pub week: Option<String>,
}

/// One athlete on the day: the team page's row.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AthleteStatus {
    /// The athlete's sub-folder: the key of their report (`athletes/KEY/`) and of their
    /// partition of the dataset (`athlete=KEY`).
    pub key: String,
    /// The name to show: `name` of the folder's `athlete.toml`, else the folder's name.
    pub name: String,
    pub urgency: Urgency,
    pub runs: usize,
    pub latest_run: Option<NaiveDate>,
    /// The week before the day's week: its label and running kilometres (0 when not run).
    pub last_week: String,
    pub last_week_km: f64,
    /// This week's running so far (before the day) and the outlook's limits.
    pub week_km_so_far: f64,
    pub week_km_max: Option<f64>,
    pub long_run_km_max: Option<f64>,
    pub descent_m_max: Option<f64>,
    pub hard_not_before: Option<NaiveDate>,
    pub strength_sessions_this_week: u32,
    /// High and moderate findings of the 14 days before the day, most recent first.
    pub findings: Vec<Flag>,
    /// Pain entries of the 28 days up to the day, the latest score among them, and whether one
    /// says to see a clinician (with its reason).
    pub pain_entries: usize,
    pub latest_pain_score: Option<u8>,
    pub see_clinician: Option<String>,
    /// The event codes the athlete's own pain log points to (significant triggers, RISK_MODEL.md
    /// "Your own triggers"), in the order of the rules.
    pub own_triggers: Vec<&'static str>,
}

impl AthleteStatus {
    /// The status of the athlete of `a` on `as_of` (the outlook's day).
    pub fn of(
        a: &Analysis,
        key: &str,
        name: &str,
        as_of: NaiveDate,
        ws: WeekStart,
    ) -> AthleteStatus {
        let outlook = a.outlook.as_ref();
        let this_week = outlook.map_or_else(|| week_start(as_of, ws), |o| o.week_start);
        let last_start = this_week - Days::new(7);
        let last = a.weeks.iter().find(|w| w.start == last_start);
        let findings: Vec<Flag> = outlook
            .map(|o| {
                o.open_findings
                    .iter()
                    .filter(|f| f.severity != Severity::Info)
                    .map(|f| Flag {
                        code: f.code,
                        severity: f.severity,
                        date: f.date,
                        week: f.week.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let from = as_of - Days::new(PAIN_WINDOW_DAYS);
        let pain: Vec<_> = a
            .pain
            .iter()
            .filter(|p| p.date >= from && p.date <= as_of)
            .collect();
        let see_clinician = pain
            .iter()
            .rev()
            .find(|p| p.see_clinician)
            .map(|p| p.clinician_reason.clone().unwrap_or_default());
        let week_km_so_far = outlook.map_or(0.0, |o| o.week_km_so_far);
        let week_km_max = outlook.and_then(|o| o.week_km_max);
        let latest_run = a.runs().map(|r| r.local_date).filter(|d| *d < as_of).max();
        let mut status = AthleteStatus {
            key: key.to_string(),
            name: name.to_string(),
            // Judged below, from the rest.
            urgency: Urgency::Steady,
            runs: a.runs().count(),
            latest_run,
            last_week: last.map_or_else(|| week_label(last_start, ws), |w| w.week.clone()),
            last_week_km: last.map_or(0.0, |w| w.run_km),
            week_km_so_far,
            week_km_max,
            long_run_km_max: outlook.and_then(|o| o.long_run_km_max),
            descent_m_max: outlook.and_then(|o| o.descent_m_max),
            hard_not_before: outlook.map(|o| o.hard_not_before),
            strength_sessions_this_week: outlook.map_or(0, |o| o.strength_sessions_this_week),
            findings,
            pain_entries: pain.len(),
            latest_pain_score: pain.last().map(|p| p.score),
            see_clinician,
            own_triggers: a
                .triggers
                .iter()
                .flat_map(|t| t.significant().map(|c| c.code.code()))
                .collect(),
        };
        status.urgency = status.judged(as_of);
        status
    }

    /// The athlete's urgency on `as_of`, from their row (see [`Urgency`]).
    fn judged(&self, as_of: NaiveDate) -> Urgency {
        if self.see_clinician.is_some() {
            Urgency::SeeClinician
        } else if self.count(Severity::High) > 0 {
            Urgency::High
        } else if self.count(Severity::Moderate) > 0 {
            Urgency::Moderate
        } else if self
            .week_km_max
            .is_some_and(|max| self.week_km_so_far >= max)
        {
            Urgency::AtWeekLimit
        } else if self
            .latest_run
            .is_none_or(|d| d < as_of - Days::new(RECENT_RUN_DAYS))
        {
            Urgency::NoRecentRun
        } else {
            Urgency::Steady
        }
    }

    fn count(&self, s: Severity) -> usize {
        self.findings.iter().filter(|f| f.severity == s).count()
    }

    /// The share of this week's distance limit run already; `None` without a limit.
    pub fn week_share(&self) -> Option<f64> {
        self.week_km_max
            .filter(|m| *m > 0.0)
            .map(|m| self.week_km_so_far / m)
    }

    /// The team page's order: by [`Urgency`], then more high and moderate findings, then more
    /// of the week's limit used, then by name (and key).
    pub fn urgency_order(&self, other: &AthleteStatus) -> Ordering {
        self.urgency
            .cmp(&other.urgency)
            .then_with(|| other.count(Severity::High).cmp(&self.count(Severity::High)))
            .then_with(|| {
                other
                    .count(Severity::Moderate)
                    .cmp(&self.count(Severity::Moderate))
            })
            .then_with(|| {
                let share = |s: &AthleteStatus| s.week_share().unwrap_or(-1.0);
                share(other).total_cmp(&share(self))
            })
            .then_with(|| self.name.to_lowercase().cmp(&other.name.to_lowercase()))
            .then_with(|| self.name.cmp(&other.name))
            .then_with(|| self.key.cmp(&other.key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(name: &str, urgency: Urgency, flags: &[Severity], so_far: f64) -> AthleteStatus {
        AthleteStatus {
            key: name.to_lowercase(),
            name: name.into(),
            urgency,
            runs: 10,
            latest_run: None,
            last_week: "2026-W09".into(),
            last_week_km: 30.0,
            week_km_so_far: so_far,
            week_km_max: Some(40.0),
            long_run_km_max: None,
            descent_m_max: None,
            hard_not_before: None,
            strength_sessions_this_week: 0,
            findings: flags
                .iter()
                .map(|&severity| Flag {
                    code: "weekly-jump",
                    severity,
                    date: None,
                    week: None,
                })
                .collect(),
            pain_entries: 0,
            latest_pain_score: None,
            see_clinician: None,
            own_triggers: Vec::new(),
        }
    }

    #[test]
    fn urgency_orders_clinician_then_findings_then_the_week_s_limit_then_names() {
        use Severity::{High, Moderate};
        let mut rows = vec![
            status("bea", Urgency::Steady, &[], 10.0),
            status("Cal", Urgency::Steady, &[], 30.0),
            status("dan", Urgency::NoRecentRun, &[], 0.0),
            status("Abe", Urgency::Steady, &[], 10.0),
            status("eve", Urgency::Moderate, &[Moderate], 0.0),
            status("fay", Urgency::Moderate, &[Moderate, Moderate], 0.0),
            status("gus", Urgency::High, &[High], 0.0),
            status("hal", Urgency::High, &[High, Moderate], 0.0),
            status("ivy", Urgency::AtWeekLimit, &[], 41.0),
            status("jo", Urgency::SeeClinician, &[], 0.0),
        ];
        rows.sort_by(|a, b| a.urgency_order(b));
        let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            ["jo", "hal", "gus", "fay", "eve", "ivy", "Cal", "Abe", "bea", "dan"]
        );
    }
}
