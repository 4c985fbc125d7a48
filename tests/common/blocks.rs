//! Generated training blocks for the tests of findings and of the outlook: sessions planted on
//! days of a block that starts on Monday 2025-03-03, analysed as patella analyses files.
#![allow(dead_code)]

use chrono::{Datelike, Days, NaiveDate, TimeZone, Utc};

use patella::analysis::{self, Analysis, Settings, Thresholds, WeekStart};
use patella::model::{Activity, Sport};
use patella::synth::{simulate, RunPlan};

/// The block starts on Monday 2025-03-03; runs at 07:00 UTC, the runner lives at UTC.
pub const FIRST_MONDAY: (i32, u32, u32) = (2025, 3, 3);

pub fn monday() -> NaiveDate {
    NaiveDate::from_ymd_opt(FIRST_MONDAY.0, FIRST_MONDAY.1, FIRST_MONDAY.2).unwrap()
}

/// A session on day `day` of the block (0 = the first Monday).
#[derive(Clone, Debug)]
pub struct Session {
    pub day: u64,
    pub plan: RunPlan,
    /// Ground-contact balance to write into every sample (left %), for the dynamics finding.
    pub gct_balance_left_pct: Option<f64>,
}

pub fn run(day: u64, km: f64) -> Session {
    let date = monday() + Days::new(day);
    Session {
        day,
        plan: RunPlan {
            start_utc: Utc
                .with_ymd_and_hms(date.year(), date.month(), date.day(), 7, 0, 0)
                .unwrap(),
            utc_offset_s: 0,
            sport: Sport::Running,
            distance_m: km * 1000.0,
            pace_s_per_km: 345.0,
            cadence_spm: 176.0,
            climb_m: 20.0 * km / 10.0,
            hr_mean_bpm: 140.0,
            seed: 1000 + day,
            ..RunPlan::default()
        },
        gct_balance_left_pct: None,
    }
}

pub fn strength(day: u64) -> Session {
    let mut s = run(day, 0.0);
    s.plan.sport = Sport::Strength;
    s.plan.distance_m = 0.0;
    s.plan.duration_s = 2400.0;
    s.plan.start_utc += chrono::Duration::hours(11);
    s.plan.hr_mean_bpm = 105.0;
    s
}

/// Steady training: 8 weeks of four 10 km easy runs (Mon, Wed, Fri, Sun) and two strength
/// sessions (Tue, Thu).
pub fn control() -> Vec<Session> {
    let mut out = Vec::new();
    for week in 0..8u64 {
        for d in [0, 2, 4, 6] {
            out.push(run(week * 7 + d, 10.0));
        }
        for d in [1, 3] {
            out.push(strength(week * 7 + d));
        }
    }
    out
}

pub fn settings() -> Settings {
    Settings {
        tz: chrono_tz::UTC,
        week_start: WeekStart::Mon,
        thresholds: Thresholds {
            hr_max_bpm: Some(190.0),
            ..Thresholds::default()
        },
        as_of: None,
    }
}

pub fn analyse(sessions: &[Session]) -> Analysis {
    analyse_with(sessions, |_| {})
}

pub fn week_label(week: u64) -> String {
    let d = monday() + Days::new(7 * week);
    format!("{}-W{:02}", d.iso_week().year(), d.iso_week().week())
}

pub fn date(day: u64) -> NaiveDate {
    monday() + Days::new(day)
}

pub fn analyse_with(sessions: &[Session], change: impl Fn(&mut Thresholds)) -> Analysis {
    analyse_with_settings(sessions, |s| change(&mut s.thresholds))
}

/// The sessions analysed with [`settings`] changed by `change`.
pub fn analyse_with_settings(sessions: &[Session], change: impl Fn(&mut Settings)) -> Analysis {
    let activities: Vec<Activity> = sessions
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut a = simulate(&s.plan);
            a.source = format!("block/{i:03}-day{}.fit", s.day);
            if let Some(b) = s.gct_balance_left_pct {
                a.samples.gct_balance_left_pct = vec![b; a.samples.len()];
            }
            a
        })
        .collect();
    let mut settings = settings();
    change(&mut settings);
    analysis::analyse(&activities, Vec::new(), &settings).unwrap()
}
