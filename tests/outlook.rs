//! The outlook of RISK_MODEL.md ("Where the runner stands now") on planted blocks, each number
//! worked out by hand from the block: a steady block, a single-run spike, a hilly block, a hard
//! session the day before, a return after a break, and a history under 14 days.

mod common;

use chrono::NaiveDate;

use assert_cmd::Command;
use patella::analysis::outlook::Outlook;
use patella::analysis::Analysis;

use common::blocks::*;

fn outlook(a: &Analysis) -> &Outlook {
    a.outlook.as_ref().expect("an outlook")
}

fn item<'a>(o: &'a Outlook, code: &str) -> &'a patella::analysis::outlook::OutlookItem {
    o.items
        .iter()
        .find(|i| i.code == code)
        .unwrap_or_else(|| panic!("no {code} item in {:#?}", o.items))
}

#[track_caller]
fn close(a: f64, b: f64, tol: f64) {
    assert!((a - b).abs() <= tol, "{a} is not {b} ± {tol}");
}

/// The control block analysed as of `day` of the block (the day after its last run is day 56).
fn control_as_of(day: u64) -> Analysis {
    analyse_as_of(&control(), Some(date(day)))
}

fn analyse_as_of(sessions: &[Session], as_of: Option<NaiveDate>) -> Analysis {
    analyse_with_settings(sessions, |s| s.as_of = as_of)
}

#[test]
fn a_steady_block_gives_its_limits_with_what_they_come_from() {
    // Eight weeks of four 10 km runs (Mon, Wed, Fri, Sun) and two strength sessions; by
    // default the outlook is as of the day after the last run, Monday of week 9 (day 56).
    let a = analyse_as_of(&control(), None);
    let o = outlook(&a);
    assert_eq!(o.as_of, date(56));
    assert_eq!(o.week_start, date(56));
    // Longest in the 30 days before: 10 km; 1.1 × 10 = 11.
    close(o.longest_run_30d_km.unwrap(), 10.0, 1e-9);
    close(o.long_run_km_max.unwrap(), 11.0, 1e-9);
    let long = item(o, "long-run");
    assert_eq!(long.evidence, "E1");
    assert!(
        long.text.starts_with(
            "Keep your long run under 11.0 km: your longest in the last 30 days was 10.0 km"
        ),
        "{}",
        long.text
    );
    // Last complete week: 40 km; 1.3 × 40 = 52; nothing run yet this week.
    close(o.week_km_max.unwrap(), 52.0, 1e-9);
    assert_eq!(o.week_km_so_far, 0.0);
    assert_eq!(item(o, "week-distance").evidence, "E3");
    // Descent: each 10 km run climbs and descends 20 m, 80 m a week; 1.5 × 80 = 120.
    close(o.descent_m_max.unwrap(), 120.0, 2.0);
    // No hard session (HR 140 against 85 % of 190): a hard day fits today.
    assert_eq!(o.hard_not_before, o.as_of);
    // Monday: no strength session yet this week, 2 wanted.
    assert_eq!(o.strength_sessions_this_week, 0);
    assert_eq!(item(o, "strength").limit, Some(2.0));
    assert!(o.left_out.is_empty(), "{:?}", o.left_out);
    assert!(o.open_findings.is_empty());

    // As of Saturday of week 8 (day 54): Mon, Wed and Fri run (30 km), Tue and Thu strength.
    let a = control_as_of(54);
    let o = outlook(&a);
    assert_eq!(o.week_start, date(49));
    close(o.week_km_so_far, 30.0, 1e-9);
    close(o.week_km_max.unwrap(), 52.0, 1e-9);
    assert_eq!(o.strength_sessions_this_week, 2);
    assert!(
        item(o, "week-distance").text.contains("(30.0 km so far)"),
        "{}",
        item(o, "week-distance").text
    );
}

#[test]
fn a_single_run_spike_raises_the_long_run_limit_and_is_an_open_finding() {
    // The control block with the Sunday run of week 7 (day 48) at 15 km: the longest of the
    // 30 days before day 56 is 15 km, so the limit is 16.5 km; the spike itself (15 against
    // 10 km) is a finding of the last 14 days.
    let mut s = control();
    s.retain(|x| x.day != 48);
    s.push(run(48, 15.0));
    let a = analyse_as_of(&s, None);
    let o = outlook(&a);
    close(o.longest_run_30d_km.unwrap(), 15.0, 1e-9);
    close(o.long_run_km_max.unwrap(), 16.5, 1e-9);
    assert!(
        o.open_findings
            .iter()
            .any(|f| f.code == "single-run-spike" && f.date == Some(date(48))),
        "{:?}",
        o.open_findings
    );
    assert!(item(o, "open-findings").text.contains("single-run-spike"));
    // Week 8 was 40 km again: the week limit stays 52 km.
    close(o.week_km_max.unwrap(), 52.0, 1e-9);
}

#[test]
fn a_hilly_block_gives_its_descent_limit() {
    // Every run climbs (and descends) 150 m: 600 m a week, 900 m the limit.
    let mut s = control();
    for x in &mut s {
        x.plan.climb_m = 150.0;
    }
    let a = analyse_as_of(&s, None);
    let o = outlook(&a);
    let mean: f64 = a.weeks[4..8].iter().map(|w| w.descent_m).sum::<f64>() / 4.0;
    close(mean, 600.0, 6.0);
    close(o.descent_m_max.unwrap(), 900.0, 9.0);
    assert_eq!(item(o, "descent").evidence, "E13");
}

#[test]
fn a_hard_session_yesterday_keeps_today_easy() {
    // The last run (Sunday, day 55) hard: HR 175 against 85 % of 190 (161.5 bpm).
    let mut s = control();
    for x in s.iter_mut().filter(|x| x.day == 55) {
        x.plan.hr_mean_bpm = 175.0;
    }
    let a = analyse_as_of(&s, None);
    let o = outlook(&a);
    assert_eq!(o.as_of, date(56));
    assert_eq!(o.hard_not_before, date(57));
    assert!(item(o, "hard-day")
        .text
        .starts_with("No hard session before Tue 2025-04-29"));
    // Three days later, with the easy day in between already behind, it fits at once.
    let a = analyse_as_of(&s, Some(date(58)));
    assert_eq!(outlook(&a).hard_not_before, date(58));
}

#[test]
fn a_return_after_a_break_starts_at_half_the_weeks_before() {
    // Four weeks of 40 km (days 0-27), then 21 days without running, back on day 49 (Monday):
    // the 4 weeks before the break averaged 40 km, so week 1 back is held to 20 km.
    let s: Vec<Session> = control().into_iter().filter(|x| x.day < 28).collect();
    let a = analyse_as_of(&s, Some(date(49)));
    let o = outlook(&a);
    let ramp = item(o, "return-ramp");
    close(ramp.value.unwrap(), 40.0, 1e-9);
    close(o.week_km_max.unwrap(), 20.0, 1e-9);
    assert!(
        ramp.text.contains("week 1 back after 21 days off"),
        "{}",
        ramp.text
    );
    assert!(o.items.iter().all(|i| i.code != "week-distance"));
    // A week later, back since day 49 with two runs of 8 km: week 2 of the ramp is 40 km, the
    // average itself, but the last week counts where it is lower: 1.3 × 16 = 20.8 km.
    let mut s = s;
    s.push(run(49, 8.0));
    s.push(run(52, 8.0));
    let a = analyse_as_of(&s, Some(date(56)));
    let o = outlook(&a);
    close(o.week_km_max.unwrap(), 20.8, 1e-9);
    // Back with a full 40 km week instead: week 2 is held to the 40 km average, not 1.3 × 40.
    let mut full: Vec<Session> = control().into_iter().filter(|x| x.day < 28).collect();
    full.extend([49, 51, 53, 55].map(|d| run(d, 10.0)));
    let o = analyse_as_of(&full, Some(date(56)));
    let o = outlook(&o);
    close(o.week_km_max.unwrap(), 40.0, 1e-9);
    assert!(item(o, "return-ramp")
        .text
        .contains("week 2 back after 21 days off"));
    // Week 3: the ramp is over, the usual ceiling holds.
    full.extend([56, 58, 60, 62].map(|d| run(d, 10.0)));
    let o = analyse_as_of(&full, Some(date(63)));
    close(outlook(&o).week_km_max.unwrap(), 52.0, 1e-9);
}

#[test]
fn a_history_under_14_days_leaves_the_limits_out_with_the_reason() {
    // One week of the control block; as of day 7, the data covers 7 days.
    let s: Vec<Session> = control().into_iter().filter(|x| x.day < 7).collect();
    let a = analyse_as_of(&s, None);
    let o = outlook(&a);
    assert_eq!(o.as_of, date(7));
    assert_eq!(o.long_run_km_max, None);
    assert_eq!(o.week_km_max, None);
    assert_eq!(o.descent_m_max, None);
    let codes: Vec<&str> = o.left_out.iter().map(|l| l.code).collect();
    assert_eq!(codes, ["long-run", "week-distance", "descent"]);
    for l in &o.left_out {
        assert!(
            l.reason.contains("covers 7 days") && l.reason.contains("needs 14"),
            "{}",
            l.reason
        );
    }
    // What needs no history is still there.
    item(o, "hard-day");
    item(o, "strength");
}

#[test]
fn the_outlook_opens_the_terminal_and_is_in_the_json() {
    let tmp = tempfile::tempdir().unwrap();
    for (i, s) in control().iter().enumerate() {
        let a = patella::synth::simulate(&s.plan);
        std::fs::write(
            tmp.path().join(format!("{i:02}.fit")),
            patella::synth::to_fit(&a),
        )
        .unwrap();
    }
    let patella = || Command::cargo_bin("patella").unwrap();
    let out = patella()
        .args([
            "analyse",
            "--no-store",
            "--tz",
            "UTC",
            "--as-of",
            "2025-04-26",
        ])
        .arg(tmp.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("This week (Mon 2025-04-21 to Sun 2025-04-27), as of Sat 2025-04-26\n"),
        "{text}"
    );
    let out = patella()
        .args([
            "analyse",
            "--json",
            "--no-store",
            "--tz",
            "UTC",
            "--as-of",
            "2025-04-26",
        ])
        .arg(tmp.path())
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let o = &doc["outlook"];
    assert_eq!(o["as_of"], "2025-04-26");
    close(o["week_km_so_far"].as_f64().unwrap(), 30.0, 1e-6);
    for key in [
        "long_run_km_max",
        "longest_run_30d_km",
        "week_km_max",
        "descent_m_max",
        "hard_not_before",
        "strength_sessions_this_week",
        "items",
    ] {
        assert!(!o[key].is_null(), "{key} missing: {o}");
    }
    for i in o["items"].as_array().unwrap() {
        for key in ["code", "text", "value", "limit", "evidence"] {
            assert!(i.get(key).is_some(), "{key} missing in {i}");
        }
    }
    // A date that is not one is a usage error naming the form.
    let out = patella()
        .args(["analyse", "--as-of", "26/04/2025"])
        .arg(tmp.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("YYYY-MM-DD"));
}
