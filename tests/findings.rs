//! Every finding code of RISK_MODEL.md, planted in a generated block of runs, fires in the right
//! week or on the right run; in a steady control block none fires.

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

/// Week 2 Monday: one run at 160 spm (moderate). Week 3: every run at 167 spm (info, and most
/// of the week's running time below 170).
fn cadence_block() -> Vec<Session> {
    let mut s = control();
    for x in s.iter_mut() {
        if x.day == 14 {
            x.plan.cadence_spm = 160.0;
        }
        if x.day / 7 == 3 && x.plan.sport == Sport::Running {
            x.plan.cadence_spm = 167.0;
        }
    }
    s
}

#[test]
fn low_cadence_run_and_week() {
    let result = analyse(&cadence_block());
    let f = fires_in(&result, "low-cadence", &[2, 3]);
    let run2 = f.iter().find(|f| f.date == Some(date(14))).unwrap();
    assert_eq!(run2.severity, Severity::Moderate);
    assert!((run2.value - 160.0).abs() <= 2.0, "{}", run2.value);
    assert!(f
        .iter()
        .any(|f| f.activity.is_none() && f.week.as_deref() == Some(week_label(3).as_str())));
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

/// Week 4: seven runs of about the same distance.
fn monotony_block() -> Vec<Session> {
    let mut s = control();
    replace_week(
        &mut s,
        4,
        (0..7)
            .map(|d| run(28 + d, if d == 6 { 7.0 } else { 6.0 }))
            .collect(),
    );
    s
}

#[test]
fn monotony_high() {
    let result = analyse(&monotony_block());
    let f = fires_in(&result, "monotony-high", &[4]);
    assert!(f[0].value > 2.0);
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

/// Day 16 starts 6 % faster than it goes on; `factor` sets another start speed.
fn start_block(factor: f64) -> Vec<Session> {
    let mut s = control();
    for x in s.iter_mut().filter(|x| x.day == 16) {
        x.plan.start_speed_factor = factor;
    }
    s
}

#[test]
fn no_easy_start() {
    let result = analyse(&start_block(1.06));
    let f = fires_in(&result, "no-easy-start", &[2]);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].date, Some(date(16)));
}

/// Week 5 has one strength session.
fn strength_block() -> Vec<Session> {
    let mut s = control();
    s.retain(|x| !(x.plan.sport == Sport::Strength && x.day == 7 * 5 + 3));
    s
}

#[test]
fn strength_gap() {
    let result = analyse(&strength_block());
    let f = fires_in(&result, "strength-gap", &[5]);
    assert_eq!(f[0].value, 1.0);
    // Without any strength session in the data, nothing is said about strength.
    let mut none = control();
    none.retain(|x| x.plan.sport != Sport::Strength);
    assert!(analyse(&none)
        .findings
        .iter()
        .all(|f| f.code != "strength-gap"));
}

/// Day 30 at 53.1 % left, every other run at 50.4 %.
fn balance_block() -> Vec<Session> {
    let mut s = control();
    for x in s.iter_mut() {
        if x.plan.sport == Sport::Running {
            x.gct_balance_left_pct = Some(if x.day == 30 { 53.1 } else { 50.4 });
        }
    }
    s
}

#[test]
fn gct_imbalance() {
    let result = analyse(&balance_block());
    let f = fires_in(&result, "gct-imbalance", &[4]);
    assert_eq!(f.len(), 1);
    assert!((f[0].value - 3.1).abs() < 1e-6, "{}", f[0].value);
}

/// Week 3: three runs of 5 km and one of 16.5 km.
fn long_share_block() -> Vec<Session> {
    let mut s = control();
    replace_week(
        &mut s,
        3,
        vec![run(21, 5.0), run(23, 5.0), run(25, 5.0), run(27, 16.5)],
    );
    s
}

#[test]
fn long_run_share() {
    let result = analyse(&long_share_block());
    let f = fires_in(&result, "long-run-share", &[3]);
    assert!((f[0].value - 16.5 / 31.5).abs() < 1e-6);
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
        ("low-cadence", cadence_block(), |t, lo, _| {
            // Both the runs and the week: the week's share is of time below this cadence.
            t.low_cadence_spm = lo.min(160.0) - 5.0;
            t.very_low_cadence_spm = t.low_cadence_spm - 5.0;
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
        ("monotony-high", monotony_block(), |t, _, hi| {
            t.monotony_high = hi + 0.01
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
        ("strength-gap", strength_block(), |t, lo, _| {
            t.strength_sessions_per_week = lo as u32
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
fn the_weekly_low_cadence_share_is_of_time_below_the_configured_cadence() {
    // Week 3 at 167 spm: below the default 170, above a configured 165.
    let block = cadence_block();
    let week3 = |r: &Analysis| {
        r.findings
            .iter()
            .filter(|f| f.code == "low-cadence" && f.activity.is_none())
            .count()
    };
    assert_eq!(week3(&analyse(&block)), 1);
    let lower = analyse_with(&block, |t| {
        t.low_cadence_spm = 165.0;
        t.very_low_cadence_spm = 150.0;
    });
    assert_eq!(week3(&lower), 0, "{:#?}", lower.findings);
    // ...while the 160 spm run still fires against 165.
    assert_eq!(
        lower
            .findings
            .iter()
            .filter(|f| f.code == "low-cadence" && f.activity.is_some())
            .map(|f| f.threshold)
            .collect::<Vec<_>>(),
        [165.0]
    );
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
    // A 25-minute run is judged once the minimum says 20 minutes.
    let mut short = control();
    for x in short.iter_mut().filter(|x| x.day == 16) {
        x.plan.distance_m = 4300.0;
        x.plan.start_speed_factor = 1.06;
    }
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
    let mut s = control();
    for x in s.iter_mut().filter(|x| x.day == 16) {
        x.plan.start_speed_factor = 1.06;
    }
    // A 2 km jog recorded on its own, ending about 5 minutes before the run.
    let mut warm_up = run(16, 2.0);
    warm_up.plan.start_utc -= chrono::Duration::minutes(17);
    warm_up.plan.pace_s_per_km = 360.0;
    s.push(warm_up);
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
