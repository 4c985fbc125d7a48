//! Findings on real training, not only on generated blocks. Moments are planted into real
//! histories (the two Strava manifests of `../shared/real-exports`, years of one runner each)
//! and into a generated history of two years, and each must fire on its day while nothing else
//! changes away from it:
//! - a run 1.6 times the longest of the 30 days before: `single-run-spike` on that run;
//! - three weeks cut to one short run each, then a normal week: `return-too-fast` on that week's
//!   first run.
//!
//! Where `../shared/real-exports` is missing these tests are reported as ignored; CI has it.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chrono::{Days, NaiveDate};

use common::planted::run_on;
use patella::analysis::{self, Analysis, Extract, Kind, Settings, WeekStart};
use patella::ingest::Limits;
use patella::model::Sport;

fn real(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/real-exports")
        .join(rel)
}

/// The two real histories: a manifest of 5 years and one of 11.
fn histories() -> Vec<(&'static str, Vec<Extract>)> {
    [
        ("eoinlees", "eoinlees-PforDA-Project-2020"),
        (
            "JoBoSo",
            "JoBoSo-Strava-Activity-Map/strava_exports/export_08_25_2025",
        ),
    ]
    .into_iter()
    .map(|(name, rel)| {
        let got = patella::pipeline::extract(&[real(rel)], &Limits::default(), None, &|_, _| {});
        let runs = got
            .extracts
            .iter()
            .filter(|e| e.sport == Sport::Running)
            .count();
        assert!(runs > 100, "{name}: {runs} runs");
        (name, got.extracts)
    })
    .collect()
}

fn generated() -> Vec<Extract> {
    patella::synth::history(600, 11)
        .iter()
        .map(|p| analysis::extract(&patella::synth::simulate(p)))
        .collect()
}

fn settings() -> Settings {
    Settings::new(chrono_tz::UTC, WeekStart::Mon)
}

fn analyse(extracts: &[Extract]) -> Analysis {
    analysis::analyse_extracts(extracts, Vec::new(), &settings()).unwrap()
}

/// An event as compared before and after a plant: code, day, value to 3 decimals.
type Key = (String, NaiveDate, i64);

fn events(a: &Analysis) -> BTreeSet<Key> {
    a.findings
        .iter()
        .filter(|f| f.kind == Kind::Event)
        .map(|f| {
            (
                f.code.code().to_string(),
                f.date.unwrap(),
                (f.value * 1000.0).round() as i64,
            )
        })
        .collect()
}

fn run_day(e: &Extract) -> NaiveDate {
    e.start_utc.date_naive()
}

/// The first week of `weeks` steady weeks in a row: whole, at least `min_runs` runs, each
/// within `spread` of their mean, and a mean of at least `min_km`.
fn steady(a: &Analysis, weeks: usize, min_km: f64, min_runs: u32, spread: f64) -> Option<usize> {
    (0..a.weeks.len().saturating_sub(weeks)).find(|&i| {
        let w = &a.weeks[i..i + weeks];
        let mean = w.iter().map(|w| w.run_km).sum::<f64>() / weeks as f64;
        mean >= min_km
            && w.iter().all(|w| {
                w.complete && w.runs >= min_runs && (w.run_km - mean).abs() <= spread * mean
            })
    })
}

/// Asserts that the events of `after` are those of `before` except within `[from, to)` (a load
/// ratio after it may move by 1 %: its chronic load decays, never forgets), and returns the events
/// new within it.
fn only_near(before: &Analysis, after: &Analysis, from: NaiveDate, to: NaiveDate) -> Vec<Key> {
    let away = |set: &BTreeSet<Key>| -> Vec<Key> {
        set.iter()
            .filter(|(_, d, _)| *d < from || *d >= to)
            .cloned()
            .collect()
    };
    let (b, a) = (events(before), events(after));
    let (b_away, a_away) = (away(&b), away(&a));
    assert_eq!(
        b_away.len(),
        a_away.len(),
        "events away from the plant changed"
    );
    for (x, y) in b_away.iter().zip(&a_away) {
        assert!(
            x.0 == y.0 && x.1 == y.1 && (x.2 - y.2).abs() <= 1.max(x.2.abs() / 100),
            "events away from the plant changed: {x:?} -> {y:?}"
        );
    }
    a.difference(&b)
        .filter(|(_, d, _)| *d >= from && *d < to)
        .cloned()
        .collect()
}

/// Plants a run 1.6 times the 30-day longest on the first run day of the 6th of 7 steady weeks.
fn plant_spike(name: &str, extracts: &[Extract]) {
    let before = analyse(extracts);
    let i = steady(&before, 7, 8.0, 2, 0.5).unwrap_or_else(|| panic!("{name}: no 8 steady weeks"));
    let week = &before.weeks[i + 5];
    let day = (0..7)
        .map(|d| week.start + Days::new(d))
        .find(|d| before.days.iter().any(|x| x.date == *d && x.runs > 0))
        .unwrap();
    let longest = before
        .runs()
        .filter(|r| r.local_date < day && r.local_date >= day - Days::new(30))
        .map(|r| r.distance_m / 1000.0)
        .fold(0.0, f64::max);
    let template = extracts
        .iter()
        .find(|e| e.sport == Sport::Running && run_day(e) == day)
        .unwrap()
        .clone();
    let mut planted: Vec<Extract> = extracts
        .iter()
        .filter(|e| !(e.sport == Sport::Running && run_day(e) == day))
        .cloned()
        .collect();
    planted.push(run_on(&template, day, 1.6 * longest, 0));
    let after = analyse(&planted);
    // Away from the run and the 30 days it is the longest of, nothing changes.
    let new = only_near(&before, &after, day, day + Days::new(38));
    let spikes: Vec<&Key> = new.iter().filter(|k| k.0 == "single-run-spike").collect();
    assert_eq!(spikes.len(), 1, "{name}: {new:?}");
    assert_eq!(spikes[0].1, day, "{name}: on its day");
    assert_eq!(spikes[0].2, 1600, "{name}: 1.6 times the longest");
    // Beside it only what the longer week itself is (a jump, the load ratio: info, context).
    for k in &new {
        assert!(
            ["single-run-spike", "weekly-jump", "acwr-high"].contains(&k.0.as_str()),
            "{name}: {k:?}"
        );
    }
}

/// Cuts weeks 4-6 of 8 steady weeks to one short run each (on the week's first day), keeping
/// week 7: `return-too-fast` on week 7's first run.
fn plant_return(name: &str, extracts: &[Extract]) {
    let before = analyse(extracts);
    let i =
        steady(&before, 8, 20.0, 3, 0.25).unwrap_or_else(|| panic!("{name}: no 8 steady weeks"));
    let cut_from = before.weeks[i + 4].start;
    let back_week = before.weeks[i + 7].start;
    let template = extracts
        .iter()
        .find(|e| e.sport == Sport::Running)
        .unwrap()
        .clone();
    let short = 0.15 * before.weeks[i..i + 4].iter().map(|w| w.run_km).sum::<f64>() / 4.0;
    let mut planted: Vec<Extract> = extracts
        .iter()
        .filter(|e| {
            !(e.sport == Sport::Running && run_day(e) >= cut_from && run_day(e) < back_week)
        })
        .cloned()
        .collect();
    for w in 0..3 {
        planted.push(run_on(
            &template,
            cut_from + Days::new(7 * w),
            short,
            w as usize,
        ));
    }
    let after = analyse(&planted);
    let back = after
        .runs()
        .map(|r| r.local_date)
        .find(|d| *d >= back_week)
        .unwrap();
    let new = only_near(&before, &after, cut_from, back + Days::new(42));
    let returns: Vec<&Key> = new.iter().filter(|k| k.0 == "return-too-fast").collect();
    assert_eq!(returns.len(), 1, "{name}: {new:?}");
    assert_eq!(returns[0].1, back, "{name}: on the first run back");
    // Beside it only what compares the weeks back with the weeks cut: within the week back, or
    // while the cut weeks are still in the load ratio's 28 days or the 30 days whose longest run
    // a run is compared with.
    for k in new.iter().filter(|k| k.0 != "return-too-fast") {
        let days = match k.0.as_str() {
            "acwr-high" => 28,
            "single-run-spike" => 30,
            _ => 7,
        };
        assert!(
            [
                "weekly-jump",
                "acwr-high",
                "single-run-spike",
                "descent-spike",
                "stacked-increases"
            ]
            .contains(&k.0.as_str())
                && k.1 >= back_week
                && k.1 < back_week + Days::new(days),
            "{name}: {k:?} (cut from {cut_from}, back {back_week}, first run back {back})"
        );
    }
    // The outlook on the Monday of the week back: half the usual week.
    let on_monday = analysis::analyse_extracts(
        &planted,
        Vec::new(),
        &Settings {
            as_of: Some(back_week),
            ..settings()
        },
    )
    .unwrap();
    let o = on_monday.outlook.unwrap();
    let ramp = o.items.iter().find(|x| x.code == "return-ramp").unwrap();
    assert_eq!(o.week_km_max, ramp.limit);
    assert!(
        (ramp.limit.unwrap() - ramp.value.unwrap() / 2.0).abs() < 1e-9,
        "{name}: {}",
        ramp.text
    );
}

#[test]
#[cfg_attr(not(corpus), ignore = "needs ../shared/real-exports")]
fn a_long_run_spike_planted_in_real_training_fires_on_its_day_and_nothing_else_changes() {
    for (name, extracts) in histories() {
        plant_spike(name, &extracts);
    }
    plant_spike("generated", &generated());
}

#[test]
#[cfg_attr(not(corpus), ignore = "needs ../shared/real-exports")]
fn three_weeks_of_one_short_run_then_a_normal_week_is_a_return_too_fast() {
    let real = histories();
    let (name, extracts) = &real[1];
    plant_return(name, extracts);
    plant_return("generated", &generated());
}

/// The alert budget on real training: the opening screen names at most a handful of events, a
/// habit is one line however long it holds, and events stay rare per 12 weeks.
#[test]
#[cfg_attr(not(corpus), ignore = "needs ../shared/real-exports")]
fn real_histories_open_with_a_handful_and_habits_once() {
    let mut all = histories();
    all.push(("generated", generated()));
    for (name, extracts) in &all {
        let a = analyse(extracts);
        let weeks = a.weeks.len() as f64;
        let events = a.findings.iter().filter(|f| f.kind == Kind::Event).count() as f64;
        let per_12 = events / weeks * 12.0;
        assert!(per_12 <= 6.0, "{name}: {per_12:.1} events per 12 weeks");
        // A habit is raised at most once for each stretch of weeks it holds, never once a week.
        for trend in &a.habits {
            let raised = a.findings.iter().filter(|f| f.code == trend.code).count();
            let starts = trend
                .weeks
                .windows(2)
                .filter(|w| w[1].holds && !w[0].holds)
                .count()
                + usize::from(trend.weeks.first().is_some_and(|w| w.holds));
            assert!(raised <= starts, "{name} {}: {raised} raised", trend.code);
        }
        // What the terminal opens with, on every Monday of the last year of the history.
        let last = a.weeks.last().unwrap().start;
        let mut worst = 0;
        for k in 0..52u64 {
            let day = last - Days::new(7 * k);
            let open = a
                .findings
                .iter()
                .filter(|f| f.kind == Kind::Event)
                .filter(|f| f.date.is_some_and(|d| d < day && d >= day - Days::new(14)))
                .count();
            worst = worst.max(open);
        }
        assert!(worst <= 6, "{name}: {worst} events in 14 days");
    }
}
