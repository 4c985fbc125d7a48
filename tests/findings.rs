//! Every finding code of RISK_MODEL.md, planted in a generated block of runs, fires in the right
//! week or on the right run; in a steady control block none fires. An event fires where it is
//! planted; a habit is raised once, in the week it first holds over the trailing 4 weeks, and
//! not for one run or one week of it.

mod common;

use chrono::{Datelike, Days};

use patella::analysis::{self, Analysis, Severity, Thresholds, WeekStart};
use patella::model::{Activity, Sport};
use patella::synth::simulate;

use common::blocks::*;

/// Asserts `code` fires, each time in one of `weeks` (block week indexes); returns the findings.
fn fires_in(result: &Analysis, code: &str, weeks: &[u64]) -> Vec<analysis::Finding> {
    let found: Vec<_> = result
        .findings
        .iter()
        .filter(|f| f.code == code)
        .cloned()
        .collect();
    assert!(
        !found.is_empty(),
        "{code} did not fire; findings: {:#?}",
        result
            .findings
            .iter()
            .map(|f| (f.code, &f.week))
            .collect::<Vec<_>>()
    );
    let labels: Vec<String> = weeks.iter().map(|w| week_label(*w)).collect();
    for f in &found {
        assert!(
            labels.contains(f.week.as_ref().unwrap()),
            "{code} fired in {:?}, expected {labels:?}: {}",
            f.week,
            f.message
        );
    }
    found
}

/// The one habit finding of `code`, asserting it set in with week `began` and held first in
/// week `first` (block week indexes).
fn habit(result: &Analysis, code: &str, began: u64, first: u64) -> analysis::Finding {
    let found: Vec<_> = result.findings.iter().filter(|f| f.code == code).collect();
    assert_eq!(found.len(), 1, "{code}: {found:#?}");
    let f = found[0].clone();
    assert_eq!(f.kind, analysis::Kind::Habit);
    assert_eq!(f.since, Some(date(7 * began)), "{code}: {}", f.message);
    assert_eq!(f.date, f.since);
    assert_eq!(
        f.week.as_deref(),
        Some(week_label(first).as_str()),
        "{code}"
    );
    f
}

/// The runs of weeks `weeks` changed by `change`.
fn runs_of(
    mut s: Vec<Session>,
    weeks: std::ops::RangeInclusive<u64>,
    change: impl Fn(&mut Session),
) -> Vec<Session> {
    for x in s
        .iter_mut()
        .filter(|x| x.plan.sport == Sport::Running && weeks.contains(&(x.day / 7)))
    {
        change(x);
    }
    s
}

fn replace_week(sessions: &mut Vec<Session>, week: u64, with: Vec<Session>) {
    sessions.retain(|s| s.day / 7 != week || s.plan.sport != Sport::Running);
    sessions.extend(with);
}

#[test]
fn control_block_fires_nothing() {
    let result = analyse(&control());
    assert_eq!(result.weeks.len(), 8);
    for w in &result.weeks {
        assert!((w.run_km - 40.0).abs() < 1e-6, "{w:?}");
        assert_eq!(w.strength_sessions, 2);
    }
    assert!(
        result.findings.is_empty(),
        "{:#?}",
        result
            .findings
            .iter()
            .map(|f| (f.code, f.week.clone(), f.message.clone()))
            .collect::<Vec<_>>()
    );
}

/// Week 4 (0-based): Sunday's run 16 km, 60 % longer than 10 km. Week 7: Sunday's run 50 km,
/// against the 16 km of 21 days earlier: more than twice, high.
fn spike_block() -> Vec<Session> {
    let mut s = control();
    s.retain(|x| x.day != 4 * 7 + 6);
    s.push(run(4 * 7 + 6, 16.0));
    s.retain(|x| x.day != 7 * 7 + 6);
    s.push(run(7 * 7 + 6, 50.0));
    s
}

#[test]
fn single_run_spike_moderate_and_high() {
    let result = analyse(&spike_block());
    let found = fires_in(&result, "single-run-spike", &[4, 7]);
    let spike4 = found.iter().find(|f| f.date == Some(date(34))).unwrap();
    assert_eq!(spike4.severity, Severity::Moderate);
    assert!((spike4.value - 1.6).abs() < 1e-9, "{}", spike4.value);
    assert_eq!(spike4.threshold, 1.10);
    let spike7 = found.iter().find(|f| f.date == Some(date(55))).unwrap();
    assert_eq!(spike7.severity, Severity::High);
    assert!((spike7.value - 50.0 / 16.0).abs() < 1e-9);
}

/// Week 5: four runs of 14 km (56 km after 40).
fn jump_block() -> Vec<Session> {
    let mut s = control();
    replace_week(
        &mut s,
        5,
        [0, 2, 4, 6].iter().map(|d| run(35 + d, 14.0)).collect(),
    );
    s
}

#[test]
fn weekly_jump() {
    let result = analyse(&jump_block());
    let f = fires_in(&result, "weekly-jump", &[5]);
    assert!((f[0].value - 1.4).abs() < 1e-9, "{}", f[0].value);
    // And the week after (back to 40 from 56) does not fire.
}

/// No running in weeks 4 and 5 (14 days + the Sunday before), then a full week 6.
fn return_block() -> Vec<Session> {
    let mut s = control();
    s.retain(|x| !(x.plan.sport == Sport::Running && (4 * 7..6 * 7).contains(&x.day)));
    s
}

#[test]
fn return_too_fast() {
    let result = analyse(&return_block());
    let f = fires_in(&result, "return-too-fast", &[6]);
    assert_eq!(f[0].date, Some(date(42)));
    // 40 km in the first 7 days back against 40 km a week before the gap.
    assert!((f[0].value - 1.0).abs() < 1e-6, "{}", f[0].value);
}

/// Week 5 (after 35 days of history): 5 runs of 20 km.
fn acwr_block() -> Vec<Session> {
    let mut s = control();
    replace_week(
        &mut s,
        5,
        [0, 1, 2, 4, 6].iter().map(|d| run(35 + d, 20.0)).collect(),
    );
    s
}

#[test]
fn acwr_high() {
    let result = analyse(&acwr_block());
    let f = fires_in(&result, "acwr-high", &[5, 6]);
    assert!(f.iter().all(|f| f.severity == Severity::Info));
    assert!(f[0].value > 1.5);
}

/// From week 3 on, every run at `spm`.
fn cadence_block(spm: f64) -> Vec<Session> {
    runs_of(control(), 3..=7, |x| x.plan.cadence_spm = spm)
}

#[test]
fn low_cadence_is_a_habit() {
    // At 167 spm from week 3: half the running time of weeks 1-4 by week 4, info.
    let result = analyse(&cadence_block(167.0));
    let f = habit(&result, "low-cadence", 3, 4);
    assert_eq!(f.severity, Severity::Info);
    assert_eq!(f.threshold, 170.0);
    assert!((f.value - 167.0).abs() <= 2.0, "{}", f.value);
    assert_eq!(f.until, None, "it holds to the end");
    assert_eq!(f.share, Some(1.0));
    // The runner's own cadence and the step: all runs at one pace here.
    assert!(
        f.message.contains("in runs below 170 spm: 16") && f.message.contains("spm for you"),
        "{}",
        f.message
    );
    // Below 166: moderate, against 166.
    let f = habit(&analyse(&cadence_block(160.0)), "low-cadence", 3, 4);
    assert_eq!((f.severity, f.threshold), (Severity::Moderate, 166.0));
    // One run, or one week, of it is not a habit.
    let mut one = control();
    for x in one.iter_mut().filter(|x| x.day == 14) {
        x.plan.cadence_spm = 160.0;
    }
    assert!(values(&analyse(&one), "low-cadence").is_empty());
    let week = runs_of(control(), 3..=3, |x| x.plan.cadence_spm = 160.0);
    assert!(values(&analyse(&week), "low-cadence").is_empty());
}

#[test]
fn low_cadence_gives_the_cadence_of_easier_and_faster_runs() {
    // Easy runs at 6:00/km and 164 spm, faster ones at 5:00/km and 168 spm.
    let block = runs_of(control(), 0..=7, |x| {
        let fast = x.day % 7 == 2 || x.day % 7 == 4;
        x.plan.pace_s_per_km = if fast { 300.0 } else { 360.0 };
        x.plan.cadence_spm = if fast { 168.0 } else { 164.0 };
    });
    let f = habit(&analyse(&block), "low-cadence", 0, 0);
    assert!(
        f.message
            .contains(": 164 spm on your easier runs (about 6:0")
            && f.message
                .contains("), 168 spm on your faster ones (about 5:0"),
        "{}",
        f.message
    );
}

/// Day 23: cadence falling 9 % from start to end at an even pace (no easy start, so the first
/// third is not slower).
fn fade_block() -> Vec<Session> {
    let mut s = control();
    for x in s.iter_mut().filter(|x| x.day == 23) {
        x.plan.cadence_fade_pct = 9.0;
        x.plan.start_speed_factor = 1.0;
    }
    s
}

#[test]
fn cadence_fade() {
    let result = analyse(&fade_block());
    let f = fires_in(&result, "cadence-fade", &[3]);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].date, Some(date(23)));
    assert!(f[0].value >= 4.0, "{}", f[0].value);
}

/// Week 5: every run climbs (and descends) 400 m on 10 km.
fn hill_block() -> Vec<Session> {
    let mut s = control();
    for x in s
        .iter_mut()
        .filter(|x| x.day / 7 == 5 && x.plan.sport == Sport::Running)
    {
        x.plan.climb_m = 400.0;
    }
    s
}

#[test]
fn descent_spike_and_steep_descent() {
    let result = analyse(&hill_block());
    let f = fires_in(&result, "descent-spike", &[5]);
    assert!(f[0].value > 1.5);
    let steep = fires_in(&result, "steep-descent", &[5]);
    assert!(steep.iter().all(|f| f.value >= 200.0));
}

/// Week 3: hard runs on Wednesday and Friday... and Thursday: three in three days.
fn hard_block() -> Vec<Session> {
    let mut s = control();
    s.push(run(3 * 7 + 3, 8.0));
    for x in s
        .iter_mut()
        .filter(|x| x.plan.sport == Sport::Running && [23, 24, 25].contains(&x.day))
    {
        x.plan.hr_mean_bpm = 172.0;
        x.plan.pace_s_per_km = 280.0;
    }
    s
}

#[test]
fn hard_days_clustered() {
    let result = analyse(&hard_block());
    let f = fires_in(&result, "hard-days-clustered", &[3]);
    assert_eq!(f.len(), 1, "one cluster, one finding: {f:#?}");
    let hard: Vec<_> = result
        .activities
        .iter()
        .filter(|a| a.hard.as_ref().is_some_and(|h| h.hard))
        .map(|a| a.local_date)
        .collect();
    assert_eq!(hard, [date(23), date(24), date(25)]);
    // It says which condition fired: two days in a row (by the 24th), not "2 against 3".
    let f = &f[0];
    assert_eq!(f.unit, analysis::Unit::DaysInARow);
    assert_eq!((f.value, f.threshold), (2.0, 2.0));
    assert!(
        f.message.contains("on 2 days in a row up to"),
        "{}",
        f.message
    );
    assert_eq!(
        patella::report::format::value_words(f),
        "2 hard days in a row; the rule fires at 2 in a row"
    );

    // Hard on Monday, Wednesday and Friday of week 3: none in a row, three in 7 days.
    let mut s = control();
    for x in s
        .iter_mut()
        .filter(|x| x.plan.sport == Sport::Running && [21, 23, 25].contains(&x.day))
    {
        x.plan.hr_mean_bpm = 172.0;
        x.plan.pace_s_per_km = 280.0;
    }
    let result = analyse(&s);
    let f = fires_in(&result, "hard-days-clustered", &[3]);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].unit, analysis::Unit::Sessions);
    assert_eq!((f[0].value, f[0].threshold), (3.0, 3.0));
    assert!(
        f[0].message.starts_with("3 hard sessions within 7 days"),
        "{}",
        f[0].message
    );
    assert_eq!(
        patella::report::format::value_words(&f[0]),
        "3 in 7 days against a threshold of 3 in 7 days"
    );
}

/// From week 4 on, seven runs a week of about the same distance.
fn monotony_block() -> Vec<Session> {
    let mut s = control();
    for week in 4..8 {
        replace_week(
            &mut s,
            week,
            (0..7)
                .map(|d| run(7 * week + d, if d == 6 { 7.0 } else { 6.0 }))
                .collect(),
        );
    }
    s
}

#[test]
fn monotony_high() {
    // Weeks 4 and 5 are half of weeks 2-5.
    let f = habit(&analyse(&monotony_block()), "monotony-high", 4, 5);
    assert!(f.value > 2.0);
    // One such week is not a habit.
    let mut one = control();
    replace_week(
        &mut one,
        4,
        (0..7)
            .map(|d| run(28 + d, if d == 6 { 7.0 } else { 6.0 }))
            .collect(),
    );
    assert!(values(&analyse(&one), "monotony-high").is_empty());
}

/// Week 6: 52 km (+30 %), 3x the descent, and a hard session.
fn stacked_block() -> Vec<Session> {
    let mut s = control();
    replace_week(
        &mut s,
        6,
        [0, 2, 4, 6]
            .iter()
            .map(|d| {
                let mut r = run(42 + d, 13.0);
                r.plan.climb_m = 80.0;
                if *d == 2 {
                    r.plan.hr_mean_bpm = 172.0;
                    r.plan.pace_s_per_km = 280.0;
                }
                r
            })
            .collect(),
    );
    s
}

#[test]
fn stacked_increases() {
    let result = analyse(&stacked_block());
    let f = fires_in(&result, "stacked-increases", &[6]);
    assert!(f[0].value >= 20.0);
}

/// From week 2 on, every run starts at `factor` times its speed after (6 % faster: no easy
/// start).
fn start_block(factor: f64) -> Vec<Session> {
    runs_of(control(), 2..=7, |x| x.plan.start_speed_factor = factor)
}

#[test]
fn no_easy_start() {
    let f = habit(&analyse(&start_block(1.06)), "no-easy-start", 2, 3);
    assert_eq!(f.share, Some(1.0));
    // One run is not a habit.
    let mut one = control();
    for x in one.iter_mut().filter(|x| x.day == 16) {
        x.plan.start_speed_factor = 1.06;
    }
    assert!(values(&analyse(&one), "no-easy-start").is_empty());
}

/// From week 4 on, one strength session a week.
fn strength_block() -> Vec<Session> {
    let mut s = control();
    s.retain(|x| !(x.plan.sport == Sport::Strength && x.day / 7 >= 4 && x.day % 7 == 3));
    s
}

#[test]
fn strength_gap() {
    let f = habit(&analyse(&strength_block()), "strength-gap", 4, 5);
    assert_eq!(f.value, 1.0, "one session a week over weeks 4-7");
    // Without any strength session in the data, or with only a few logged (not in 4 of 12
    // weeks), nothing is said about strength: the outlook says it once.
    let mut none = control();
    none.retain(|x| x.plan.sport != Sport::Strength);
    assert!(values(&analyse(&none), "strength-gap").is_empty());
    let mut few = none.clone();
    few.push(strength(10));
    few.push(strength(40));
    let result = analyse(&few);
    assert!(values(&result, "strength-gap").is_empty());
    let outlook = result.outlook.unwrap();
    let item = outlook.items.iter().find(|i| i.code == "strength").unwrap();
    assert!(
        item.text
            .starts_with("Strength sessions logged in 2 of the last 12 weeks"),
        "{}",
        item.text
    );
}

/// From week 4 on, every run at 53.1 % left, the others at 50.4 %.
fn balance_block() -> Vec<Session> {
    let mut s = control();
    for x in s.iter_mut() {
        if x.plan.sport == Sport::Running {
            x.gct_balance_left_pct = Some(if x.day / 7 >= 4 { 53.1 } else { 50.4 });
        }
    }
    s
}

#[test]
fn gct_imbalance() {
    // The mean of weeks 2-5 (half at 53.1, half at 50.4) is 51.75: within 2 points; of weeks
    // 3-6, 52.4: the habit holds from week 6, having set in with week 4.
    let f = habit(&analyse(&balance_block()), "gct-imbalance", 4, 6);
    // The value of the latest 4 weeks, all at 53.1.
    assert!((f.value - 3.1).abs() < 1e-6, "{}", f.value);
}

/// From week 3 on: three runs of 5 km and one of 16.5 km.
fn long_share_block() -> Vec<Session> {
    let mut s = control();
    for week in 3..8 {
        let d = 7 * week;
        replace_week(
            &mut s,
            week,
            vec![
                run(d, 5.0),
                run(d + 2, 5.0),
                run(d + 4, 5.0),
                run(d + 6, 16.5),
            ],
        );
    }
    s
}

#[test]
fn long_run_share() {
    let f = habit(&analyse(&long_share_block()), "long-run-share", 3, 4);
    assert!((f.value - 16.5 / 31.5).abs() < 1e-6);
}

/// Weeks 0-3 at 40 km, then three weeks of one 8 km run, then a normal week 7 (Monday 10 km,
/// 40 km in all): a return after reduced training, on Monday of week 7.
fn reduced_block() -> Vec<Session> {
    let mut s = control();
    for week in 4..7 {
        replace_week(&mut s, week, vec![run(7 * week + 2, 8.0)]);
    }
    s
}

#[test]
fn return_too_fast_after_reduced_training() {
    let result = analyse(&reduced_block());
    let f = fires_in(&result, "return-too-fast", &[7]);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].date, Some(date(49)));
    assert_eq!(f[0].kind, analysis::Kind::Event);
    // 40 km in 7 days against the 32 km a week of the 28 days before the reduced 14 (weeks 1-4,
    // the last of them one 8 km run).
    assert!((f[0].value - 1.25).abs() < 1e-6, "{}", f[0].value);
    assert!(
        f[0].message.starts_with(
            "after 14 days of only 16.0 km (25 % of your usual), the 7 days from 2025-04-21 \
             reached 40.0 km, 125 % of the 32.0 km a week"
        ),
        "{}",
        f[0].message
    );
    // The outlook on that Monday: half the usual week.
    let on_monday = analyse_with_settings(&reduced_block(), |s| s.as_of = Some(date(49)));
    let o = on_monday.outlook.unwrap();
    assert_eq!(o.week_km_max, Some(16.0));
    let ramp = o.items.iter().find(|i| i.code == "return-ramp").unwrap();
    assert!(
        ramp.text
            .contains("week 1 back after 14 days of 16.0 km (under 30 % of your usual)"),
        "{}",
        ramp.text
    );
    // A week later: the usual week, not 1.3 times the 40 km of the week back.
    let a_week_later = analyse_with_settings(&reduced_block(), |s| s.as_of = Some(date(56)));
    let o = a_week_later.outlook.unwrap();
    assert_eq!(o.week_km_max, Some(32.0));
    // Two short runs a week in the reduced weeks (40 % of the usual) is not reduced.
    let mut two = control();
    for week in 4..7 {
        replace_week(
            &mut two,
            week,
            vec![run(7 * week + 2, 8.0), run(7 * week + 5, 8.0)],
        );
    }
    assert!(values(&analyse(&two), "return-too-fast").is_empty());
    // Under a usual week of 10 km, nothing is said.
    let small: Vec<Session> = reduced_block()
        .into_iter()
        .map(|mut x| {
            x.plan.distance_m /= 5.0;
            x
        })
        .collect();
    assert!(values(&analyse(&small), "return-too-fast").is_empty());
}

/// [`analyse`] with thresholds changed from the test defaults.
fn values(result: &Analysis, code: &str) -> Vec<f64> {
    result
        .findings
        .iter()
        .filter(|f| f.code == code)
        .map(|f| f.value)
        .collect()
}

/// Every rule follows its own threshold: in the block where it fires, moving the threshold past
/// the values found silences it (and nothing else decides it).
#[test]
fn every_rule_follows_its_threshold() {
    type Change = fn(&mut Thresholds, f64, f64);
    // (code, block, change given the lowest and highest value found)
    let cases: Vec<(&str, Vec<Session>, Change)> = vec![
        ("single-run-spike", spike_block(), |t, _, hi| {
            t.single_run_spike_ratio = hi + 0.01;
            t.single_run_spike_high_ratio = hi + 0.02;
        }),
        ("weekly-jump", jump_block(), |t, _, hi| {
            t.weekly_jump_ratio = hi + 0.01
        }),
        ("weekly-jump", jump_block(), |t, _, _| {
            t.weekly_jump_min_previous_km = 41.0
        }),
        ("return-too-fast", return_block(), |t, _, hi| {
            t.return_share = hi + 0.01
        }),
        ("return-too-fast", return_block(), |t, _, _| {
            t.return_gap_days = 16
        }),
        ("acwr-high", acwr_block(), |t, _, hi| {
            t.acwr_high = hi + 0.01
        }),
        ("low-cadence", cadence_block(167.0), |t, lo, _| {
            t.low_cadence_spm = lo - 5.0;
            t.very_low_cadence_spm = t.low_cadence_spm - 5.0;
        }),
        ("low-cadence", cadence_block(167.0), |t, _, _| {
            t.low_cadence_week_share = 1.0;
            t.habit_min_runs = 100;
        }),
        ("cadence-fade", fade_block(), |t, _, hi| {
            t.cadence_fade_pct = hi + 0.1
        }),
        ("cadence-fade", fade_block(), |t, _, _| {
            t.cadence_fade_min_minutes = 120.0
        }),
        ("descent-spike", hill_block(), |t, _, hi| {
            t.descent_spike_ratio = hi + 0.01
        }),
        ("descent-spike", hill_block(), |t, _, _| {
            t.descent_spike_min_m = 5000.0
        }),
        ("steep-descent", hill_block(), |t, _, hi| {
            t.steep_descent_m = hi + 1.0
        }),
        ("hard-days-clustered", hard_block(), |t, _, _| {
            // No run is hard any more.
            t.hard_hr_minutes = 600.0;
            t.hard_hr_share = 1.0;
        }),
        ("hard-days-clustered", hard_block(), |t, _, _| {
            t.hard_hr_fraction = 0.99
        }),
        // A habit's value is its latest week's: above every week's monotony.
        ("monotony-high", monotony_block(), |t, _, _| {
            t.monotony_high = 50.0
        }),
        ("stacked-increases", stacked_block(), |t, _, hi| {
            t.stacked_distance_pct = hi + 1.0
        }),
        ("stacked-increases", stacked_block(), |t, _, _| {
            t.stacked_descent_pct = 1000.0
        }),
        ("no-easy-start", start_block(1.06), |t, _, _| {
            t.easy_start_min_minutes = 120.0
        }),
        ("no-easy-start", start_block(1.06), |t, _, _| {
            t.habit_min_runs = 100
        }),
        ("strength-gap", strength_block(), |t, lo, _| {
            t.strength_sessions_per_week = lo as u32
        }),
        ("strength-gap", strength_block(), |t, _, _| {
            t.strength_logged_weeks = 12
        }),
        ("return-too-fast", reduced_block(), |t, _, _| {
            t.return_reduced_share = 0.1
        }),
        ("return-too-fast", reduced_block(), |t, _, _| {
            t.return_min_week_km = 41.0
        }),
        ("gct-imbalance", balance_block(), |t, _, hi| {
            t.gct_balance_points = hi + 0.1
        }),
        ("long-run-share", long_share_block(), |t, _, hi| {
            t.long_run_share = hi + 0.01
        }),
        ("long-run-share", long_share_block(), |t, _, _| {
            t.long_run_share_min_week_km = 40.0
        }),
    ];
    for (code, block, change) in cases {
        let found = values(&analyse(&block), code);
        assert!(!found.is_empty(), "{code} does not fire in its block");
        let lo = found.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = found.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let changed = analyse_with(&block, |t| change(t, lo, hi));
        assert_eq!(
            values(&changed, code),
            Vec::<f64>::new(),
            "{code} ignored its threshold"
        );
    }
}

#[test]
fn the_low_cadence_share_is_of_time_below_the_configured_cadence() {
    // At 167 spm: below the default 170, above a configured 165.
    let block = cadence_block(167.0);
    assert_eq!(values(&analyse(&block), "low-cadence").len(), 1);
    let lower = analyse_with(&block, |t| {
        t.low_cadence_spm = 165.0;
        t.very_low_cadence_spm = 150.0;
    });
    assert!(
        values(&lower, "low-cadence").is_empty(),
        "{:#?}",
        lower.findings
    );
    // ...while 160 spm still does, against 165.
    let f = values(
        &analyse_with(&cadence_block(160.0), |t| {
            t.low_cadence_spm = 165.0;
            t.very_low_cadence_spm = 150.0;
        }),
        "low-cadence",
    );
    assert_eq!(f.len(), 1);
}

#[test]
fn an_easy_start_is_clearly_slower_not_equal_within_noise() {
    // 1 % slower at the start: not easy by the default 3 %, easy against 0.5 %.
    let block = start_block(0.99);
    let f = values(&analyse(&block), "no-easy-start");
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(values(
        &analyse_with(&block, |t| t.easy_start_slower_pct = 0.5),
        "no-easy-start"
    )
    .is_empty());
    // 8 % slower: easy.
    assert!(values(&analyse(&start_block(0.92)), "no-easy-start").is_empty());
    // Runs of 25 minutes are judged once the minimum says 20 minutes.
    let short = runs_of(control(), 2..=7, |x| {
        x.plan.distance_m = 4300.0;
        x.plan.start_speed_factor = 1.06;
    });
    assert!(values(&analyse(&short), "no-easy-start").is_empty());
    let judged = analyse_with(&short, |t| t.easy_start_min_minutes = 20.0);
    assert_eq!(values(&judged, "no-easy-start").len(), 1);
}

#[test]
fn a_descent_spike_after_flat_weeks_stands_in_metres_against_its_minimum() {
    let mut s = control();
    for x in s.iter_mut().filter(|x| x.plan.sport == Sport::Running) {
        x.plan.climb_m = if x.day / 7 == 5 { 100.0 } else { 0.0 };
    }
    let result = analyse(&s);
    let f: Vec<_> = result
        .findings
        .iter()
        .filter(|f| f.code == "descent-spike")
        .collect();
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].unit, patella::analysis::Unit::M);
    assert_eq!(f[0].threshold, 300.0);
    assert!(f[0].value >= 300.0, "{}", f[0].value);
}

#[test]
fn a_partial_first_week_is_no_base_for_a_jump() {
    let mut s = control();
    // The data starts on the first Saturday: week 0 holds one 10 km run, week 1 the usual 40.
    s.retain(|x| x.day >= 5);
    let result = analyse(&s);
    assert!(!result.weeks[0].complete);
    assert!(result.weeks[1..].iter().all(|w| w.complete));
    assert!(
        result
            .findings
            .iter()
            .all(|f| f.code != "weekly-jump" && f.code != "strength-gap"),
        "{:#?}",
        result.findings
    );
}

#[test]
fn a_separate_warm_up_is_an_easy_start() {
    let mut s = start_block(1.06);
    // Before each of those runs, a 2 km jog recorded on its own, ending about 5 minutes before.
    let days: Vec<u64> = s
        .iter()
        .filter(|x| x.plan.sport == Sport::Running && x.day >= 14)
        .map(|x| x.day)
        .collect();
    for day in days {
        let mut warm_up = run(day, 2.0);
        warm_up.plan.start_utc -= chrono::Duration::minutes(17);
        warm_up.plan.pace_s_per_km = 360.0;
        s.push(warm_up);
    }
    let result = analyse(&s);
    assert!(
        result.findings.iter().all(|f| f.code != "no-easy-start"),
        "{:#?}",
        result.findings
    );
}

#[test]
fn day_findings_name_the_week_as_the_weeks_table_does() {
    // Hard runs on Saturday and Sunday: the cluster ends on a Sunday, which starts a new week
    // when weeks start on Sunday.
    let mut s = control();
    s.push(run(3 * 7 + 5, 8.0));
    for x in s
        .iter_mut()
        .filter(|x| x.plan.sport == Sport::Running && [26, 27].contains(&x.day))
    {
        x.plan.hr_mean_bpm = 172.0;
        x.plan.pace_s_per_km = 280.0;
    }
    let activities: Vec<Activity> = s.iter().map(|x| simulate(&x.plan)).collect();
    for week_start in [WeekStart::Mon, WeekStart::Sun] {
        let mut settings = settings();
        settings.week_start = week_start;
        let result = analysis::analyse(&activities, Vec::new(), &settings).unwrap();
        let f = result
            .findings
            .iter()
            .find(|f| f.code == "hard-days-clustered")
            .unwrap();
        let date = f.date.unwrap();
        assert_eq!(date.weekday(), chrono::Weekday::Sun);
        let week = result
            .weeks
            .iter()
            .find(|w| w.start <= date && date < w.start + Days::new(7))
            .unwrap();
        assert_eq!(f.week.as_ref(), Some(&week.week), "{week_start:?}");
    }
}
