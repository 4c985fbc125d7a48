//! A team of runners for the team tests and benchmark (`patella analyse --athletes`): each
//! athlete a [`history`] of their own seed, moved by whole weeks so that it ends in the 7 days
//! before a given day, written as FIT files. Every fourth athlete, from the second, ends with a
//! long run far longer than any of their last 30 days (a high `single-run-spike`); every fourth,
//! from the third, keeps a pain log whose last entry says swelling (see a clinician); every
//! fourth, from the fourth, has an `athlete.toml` naming them and setting their HRmax.

use chrono::{Days, Duration, NaiveDate};

use super::{history, simulate, to_fit, RunPlan};
use crate::model::Sport;

/// One athlete's folder: its name and its files (name, bytes).
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    pub key: String,
    pub files: Vec<(String, Vec<u8>)>,
}

/// How an athlete of [`member`] ends their history.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Planted {
    Steady,
    /// The last run is 2.2 times the longest of the 30 days before it.
    LongRunSpike,
    /// A pain log of three entries in the last 3 weeks, the last saying swelling.
    Swelling,
    /// An `athlete.toml`: `name = "Runner N"`, `[thresholds] hr_max_bpm = 190`.
    Named,
}

/// What athlete `index` (from 0) of a team has planted.
pub fn planted(index: usize) -> Planted {
    match index % 4 {
        1 => Planted::LongRunSpike,
        2 => Planted::Swelling,
        3 => Planted::Named,
        _ => Planted::Steady,
    }
}

/// The plans of athlete `index`: `runs` runs ending in the 7 days before `end`.
pub fn plans(index: usize, runs: usize, end: NaiveDate) -> Vec<RunPlan> {
    let mut plans = history(runs, 1000 + index as u64);
    let Some(last) = plans.last().map(|p| p.start_utc.date_naive()) else {
        return plans;
    };
    let weeks = ((end - Days::new(1)) - last).num_days().div_euclid(7);
    for p in &mut plans {
        p.start_utc += Duration::weeks(weeks);
    }
    if planted(index) == Planted::LongRunSpike {
        let runs: Vec<usize> = (0..plans.len())
            .filter(|&i| plans[i].sport == Sport::Running)
            .collect();
        if let Some(&last) = runs.last() {
            let day = plans[last].start_utc;
            let longest = runs
                .iter()
                .map(|&i| &plans[i])
                .filter(|p| p.start_utc < day && p.start_utc >= day - Duration::days(30))
                .map(|p| p.distance_m)
                .fold(0.0, f64::max);
            plans[last].distance_m = 2.2 * longest.max(5000.0);
        }
    }
    plans
}

/// Athlete `index` of a team: `athlete-NN`, with `runs` runs (and their strength sessions) as
/// FIT files named by day, ending in the 7 days before `end`, and what [`planted`] gives them.
pub fn member(index: usize, runs: usize, end: NaiveDate) -> Member {
    let key = format!("athlete-{:02}", index + 1);
    let mut files: Vec<(String, Vec<u8>)> = plans(index, runs, end)
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let name = format!("{}-{i:04}.fit", p.start_utc.format("%Y-%m-%d"));
            (name, to_fit(&simulate(p)))
        })
        .collect();
    match planted(index) {
        Planted::Swelling => {
            let day = |back: u64| end - Days::new(back);
            files.push((
                "pain.csv".into(),
                format!(
                    "date,knee,score,when,note\n{},left,2,descent,\n{},left,3,descent,\n\
                     {},left,4,after,some swelling after the long run\n",
                    day(20),
                    day(12),
                    day(3)
                )
                .into_bytes(),
            ));
        }
        Planted::Named => files.push((
            "athlete.toml".into(),
            format!(
                "name = \"Runner {}\"\n\n[thresholds]\nhr_max_bpm = 190\n",
                index + 1
            )
            .into_bytes(),
        )),
        Planted::Steady | Planted::LongRunSpike => {}
    }
    Member { key, files }
}

/// A team of `athletes` athletes ([`member`]), in key order.
pub fn team(athletes: usize, runs: usize, end: NaiveDate) -> Vec<Member> {
    (0..athletes).map(|i| member(i, runs, end)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histories_end_in_the_week_before_the_day_and_the_spike_is_planted() {
        let end = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        for index in 0..4 {
            let p = plans(index, 60, end);
            let last = p.last().unwrap().start_utc.date_naive();
            assert!(last < end && last >= end - Days::new(7), "{index}: {last}");
        }
        let p = plans(1, 60, end);
        let runs: Vec<&RunPlan> = p.iter().filter(|r| r.sport == Sport::Running).collect();
        let last = runs.last().unwrap();
        let before = runs
            .iter()
            .filter(|r| r.start_utc < last.start_utc)
            .filter(|r| r.start_utc >= last.start_utc - Duration::days(30))
            .map(|r| r.distance_m)
            .fold(0.0, f64::max);
        assert!((last.distance_m / before - 2.2).abs() < 1e-9);
        let m = member(2, 10, end);
        assert!(m.files.iter().any(|(n, _)| n == "pain.csv"));
        let m = member(3, 10, end);
        assert_eq!(m.key, "athlete-04");
        assert!(m.files.iter().any(|(n, _)| n == "athlete.toml"));
    }
}
