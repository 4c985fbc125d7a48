//! Your own triggers (RISK_MODEL.md), calibrated and measured:
//! - pain logs placed at random on a realistic generated history (2,000 of them; the history
//!   analysed once, only the triggers step run again): at most 5 % of them (plus the sampling
//!   error) have any significant trigger;
//! - pain after each of 8 long-run spikes planted in that history (where a natural spike falls
//!   in about one 14-day window in five): `single-run-spike` significant; likewise pain after 8
//!   planted hilly weeks: `descent-spike` significant;
//! - the false-positive rate and the power at 4, 6, 8 and 10 episodes for a trigger present in
//!   20 % and 40 % of pain-free windows, printed (`cargo test --release --test triggers --
//!   --nocapture power`) and checked for the figures the README gives.

mod common;

use chrono::{Datelike, Days, NaiveDate};

use common::planted::run_on;
use patella::analysis::rules::RULES;
use patella::analysis::triggers::{self, Entry, Triggers};
use patella::analysis::{self, Analysis, Extract, Kind, Rule, Settings, WeekStart};
use patella::model::{Knee, PainRow, PainWhen, Sport};

/// SplitMix64: the tests' own random numbers, the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn uniform(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Two and a half years of about six runs a week (with a hilly week in five and a break once a
/// year), as extracts.
fn history() -> Vec<Extract> {
    patella::synth::history(750, 11)
        .iter()
        .map(|p| analysis::extract(&patella::synth::simulate(p)))
        .collect()
}

fn analyse(extracts: &[Extract]) -> Analysis {
    analysis::analyse_extracts(
        extracts,
        Vec::new(),
        &Settings::new(chrono_tz::UTC, WeekStart::Mon),
    )
    .unwrap()
}

fn data_days(a: &Analysis) -> (NaiveDate, NaiveDate) {
    triggers::data_days(&a.days).unwrap()
}

fn run(a: &Analysis, entries: &[Entry]) -> Triggers {
    let (first, last) = data_days(a);
    triggers::triggers(entries, &a.findings, first, last, "pain.csv")
}

/// The share of the 14-day windows (ending on each day of the data) that hold `code`.
fn window_share(a: &Analysis, code: Rule) -> f64 {
    let (first, last) = data_days(a);
    let days: Vec<NaiveDate> = a
        .findings
        .iter()
        .filter(|f| f.code == code)
        .filter_map(|f| f.date)
        .collect();
    let mut windows = 0;
    let mut with = 0;
    let mut end = first + Days::new(13);
    while end <= last {
        windows += 1;
        with += usize::from(days.iter().any(|d| *d <= end && *d + Days::new(13) >= end));
        end = end + Days::new(1);
    }
    with as f64 / windows as f64
}

/// A pain log of `rows` entries at random days of the data, scores 0 to 10.
fn random_log(rng: &mut Rng, first: NaiveDate, last: NaiveDate, rows: usize) -> Vec<Entry> {
    let span = (last - first).num_days() as u64 + 1;
    (0..rows)
        .map(|_| Entry {
            date: first + Days::new(rng.below(span)),
            score: rng.below(11) as u8,
        })
        .collect()
}

#[test]
fn random_pain_logs_rarely_find_a_trigger() {
    let a = analyse(&history());
    let (first, last) = data_days(&a);
    let share = window_share(&a, Rule::SingleRunSpike);
    println!(
        "single-run-spike in {:.0} % of 14-day windows",
        100.0 * share
    );
    let mut rng = Rng(28);
    let draws = 2000;
    let (mut tested, mut any) = (0usize, 0usize);
    let mut episodes = 0;
    let mut by_code: std::collections::BTreeMap<&str, usize> = Default::default();
    for _ in 0..draws {
        let rows = 6 + rng.below(30) as usize;
        let t = run(&a, &random_log(&mut rng, first, last, rows));
        if t.left_out.is_none() {
            tested += 1;
            episodes += t.matched;
        }
        any += usize::from(t.significant().next().is_some());
        for c in t.significant() {
            *by_code.entry(c.code.code()).or_default() += 1;
        }
    }
    println!("significant by code: {by_code:?}");
    let rate = any as f64 / draws as f64;
    // The sampling error of the share of 2,000 draws at 5 %: two standard errors.
    let error = 2.0 * (0.05f64 * 0.95 / draws as f64).sqrt();
    println!(
        "{any} of {draws} random logs ({tested} tested, {:.1} episodes each on average) with a \
         significant trigger: {:.2} % (allowed 5 % + {:.2} %)",
        episodes as f64 / tested.max(1) as f64,
        100.0 * rate,
        100.0 * error
    );
    assert!(tested >= 1500, "{tested} of {draws} logs tested");
    assert!(rate <= 0.05 + error, "{rate}");
}

/// The 8 planted episodes all matched, and `code`'s counts among them, printed.
fn planted_code(t: &Triggers, code: Rule) -> &triggers::Trigger {
    assert_eq!((t.episodes, t.matched), (8, 8), "{t:?}");
    let c = t.codes.iter().find(|c| c.code == code).unwrap();
    println!(
        "{}: {} of {} episodes, {} of {} control windows, OR {:?}, p {:.2e}, Holm {:.2e}",
        code.code(),
        c.episodes_with,
        c.episodes,
        c.control_with,
        c.control_windows,
        c.odds_ratio,
        c.p_value,
        c.p_holm
    );
    c
}

#[test]
fn pain_after_planted_long_run_spikes_is_found() {
    let extracts = history();
    let before = analyse(&extracts);
    let share = window_share(&before, Rule::SingleRunSpike);
    assert!(
        (0.1..0.35).contains(&share),
        "natural spikes in {share} of windows"
    );
    let (first, _) = data_days(&before);
    let template = extracts
        .iter()
        .find(|e| e.sport == Sport::Running)
        .unwrap()
        .clone();
    // 8 spikes 13 weeks apart on Wednesdays from the 10th week: each 1.6 times the longest run
    // of the 30 days before it; pain 3 days after each.
    // Between them, 6 weeks after each, a spike of the same size with no pain after it: with
    // the history's own, spikes then fall in about one 14-day window in five.
    let mut planted = extracts.clone();
    let mut entries = Vec::new();
    for i in 0..16u64 {
        let day = first + Days::new(7 * (10 + 13 * (i / 2) + 6 * (i % 2)) + 2);
        let longest = planted
            .iter()
            .filter(|e| e.sport == Sport::Running)
            .filter(|e| {
                let d = e.start_utc.date_naive();
                d < day && d + Days::new(30) >= day
            })
            .map(|e| e.computed.distance_m / 1000.0)
            .fold(0.0, f64::max);
        planted.retain(|e| !(e.sport == Sport::Running && e.start_utc.date_naive() == day));
        planted.push(run_on(&template, day, 1.6 * longest.max(10.0), i as usize));
        if i % 2 == 0 {
            entries.push(Entry {
                date: day + Days::new(3),
                score: 5,
            });
        }
    }
    let after = analyse(&planted);
    let t = run(&after, &entries);
    let spike = planted_code(&t, Rule::SingleRunSpike);
    assert_eq!(spike.episodes_with, 8);
    let share = spike.control_with as f64 / spike.control_windows as f64;
    assert!(
        (0.12..0.3).contains(&share),
        "spikes in {share} of pain-free windows"
    );
    assert!(spike.significant, "{spike:?}");
    // And the same log moved 3 weeks on, away from every spike, finds nothing of them.
    let moved: Vec<Entry> = entries
        .iter()
        .map(|e| Entry {
            date: e.date + Days::new(21),
            score: e.score,
        })
        .collect();
    assert!(!run(&after, &moved).is_trigger(Rule::SingleRunSpike));

    // Where it shows: the outlook's long-run ceiling at 1.05 × saying why, one line of the
    // terminal's opening, the report's card, the JSON.
    let rows: Vec<PainRow> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| PainRow {
            source: "pain.csv".into(),
            line: i + 2,
            date: e.date,
            knee: Knee::Left,
            score: e.score,
            when: PainWhen::Late,
            note: String::new(),
        })
        .collect();
    let a = analysis::with_pain(after, &rows);
    let t = a.triggers.as_ref().unwrap();
    assert!(t.is_trigger(Rule::SingleRunSpike));
    let o = a.outlook.as_ref().unwrap();
    let item = o.items.iter().find(|i| i.code == "long-run").unwrap();
    let longest = item.value.unwrap();
    assert!(
        (item.limit.unwrap() - 1.05 * longest).abs() < 1e-9,
        "{item:?}"
    );
    assert_eq!(o.long_run_km_max, item.limit);
    assert_eq!(item.evidence, "own pain log");
    assert!(
        item.text
            .contains("1.05 × rather than 1.10 ×, from your own pain log: 8 of your 8"),
        "{}",
        item.text
    );
    let terminal = patella::report::terminal::render(&a);
    let opening: Vec<&str> = terminal
        .lines()
        .filter(|l| {
            l.starts_with("Your own pain log: 8 of your 8 pain episodes followed a long-run")
        })
        .collect();
    assert_eq!(opening.len(), 1, "{terminal}");
    let page = patella::report::html::render(&a, "");
    assert!(page.contains("Your triggers"));
    assert!(page.contains("Habits are not tested this way"));
    assert!(page.contains("for you, long-run spikes look like a trigger"));
    assert!(!page.contains("caused by"));
    let doc: serde_json::Value = serde_json::from_str(&patella::report::json::render(&a)).unwrap();
    let codes = doc["triggers"]["codes"].as_array().unwrap();
    let spike = codes
        .iter()
        .find(|c| c["code"] == "single-run-spike")
        .unwrap();
    assert_eq!(spike["episodes_with"], 8);
    assert_eq!(spike["significant"], true);
    // The team page's column.
    let as_of = o.as_of;
    let status = patella::analysis::team::AthleteStatus::of(&a, "k", "K", as_of, WeekStart::Mon);
    assert_eq!(status.own_triggers, ["single-run-spike"]);
    let row = patella::report::team::Row::of(&status, as_of);
    assert_eq!(row.own_trigger, "single-run-spike");
}

/// `e` with the device's own ascent and descent set to `m_per_km` metres a kilometre.
fn with_descent(mut e: Extract, m_per_km: f64) -> Extract {
    let m = m_per_km * e.computed.distance_m / 1000.0;
    let d = e.device.get_or_insert_with(Default::default);
    d.ascent_m = Some(m);
    d.descent_m = Some(m);
    e
}

#[test]
fn pain_after_planted_descent_spikes_is_found() {
    // The history's runs at 10 m of descent a kilometre (its own hilly weeks flattened), so that
    // its descent follows its distance: a natural descent spike only where the distance jumps.
    let flat: Vec<Extract> = history()
        .into_iter()
        .map(|e| {
            if e.sport == Sport::Running {
                with_descent(e, 10.0)
            } else {
                e
            }
        })
        .collect();
    let (first, _) = data_days(&analyse(&flat));
    // 16 hilly weeks (40 m a kilometre) from the 10th week, 6 and 7 weeks apart; pain on the
    // Saturday of every other one.
    let mut planted = flat.clone();
    let mut entries = Vec::new();
    for i in 0..16u64 {
        let monday = first - Days::new(first.weekday().num_days_from_monday() as u64)
            + Days::new(7 * (10 + 13 * (i / 2) + 6 * (i % 2)));
        for e in planted.iter_mut().filter(|e| {
            let d = e.start_utc.date_naive();
            e.sport == Sport::Running && d >= monday && d < monday + Days::new(7)
        }) {
            *e = with_descent(e.clone(), 40.0);
        }
        if i % 2 == 0 {
            entries.push(Entry {
                date: monday + Days::new(5),
                score: 4,
            });
        }
    }
    let after = analyse(&planted);
    let t = run(&after, &entries);
    let descent = planted_code(&t, Rule::DescentSpike);
    assert_eq!(descent.episodes_with, 8);
    let share = descent.control_with as f64 / descent.control_windows as f64;
    assert!(
        (0.05..0.4).contains(&share),
        "descent spikes in {share} of pain-free windows"
    );
    assert!(descent.significant, "{descent:?}");
    // The outlook's descent ceiling then at 1.2 × the usual week, from the runner's own log.
    let rows: Vec<PainRow> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| PainRow {
            source: "pain.csv".into(),
            line: i + 2,
            date: e.date,
            knee: Knee::Right,
            score: e.score,
            when: PainWhen::Descent,
            note: String::new(),
        })
        .collect();
    let a = analysis::with_pain(after, &rows);
    let o = a.outlook.as_ref().unwrap();
    let item = o.items.iter().find(|i| i.code == "descent").unwrap();
    assert!(
        (item.limit.unwrap() - 1.2 * item.value.unwrap()).abs() < 1e-6,
        "{item:?}"
    );
    assert_eq!(item.evidence, "own pain log");
}

/// Random days of `days` from `from`, so that a 14-day window holds one with chance `share`.
fn events(rng: &mut Rng, days: u64, share: f64, from: NaiveDate) -> Vec<NaiveDate> {
    let daily = 1.0 - (1.0 - share).powf(1.0 / 14.0);
    (0..days)
        .filter(|_| rng.uniform() < daily)
        .map(|d| from + Days::new(d))
        .collect()
}

/// Share of `draws` simulated logs of `episodes` episodes over 3 years with the trigger found
/// significant (`follow`: the share of episodes whose 14 days hold the trigger, `None`: placed at
/// random) and with any code significant. Eight other event codes, each in 30 % of windows and
/// unrelated to the pain, are tested alongside, as on real training.
fn simulate(
    episodes: usize,
    share: f64,
    follow: Option<f64>,
    draws: usize,
    seed: u64,
) -> (f64, f64) {
    let first = NaiveDate::from_ymd_opt(2023, 1, 2).unwrap();
    let days = 3 * 365;
    let last = first + Days::new(days - 1);
    let codes: Vec<Rule> = RULES
        .iter()
        .copied()
        .filter(|r| r.info().kind == Kind::Event)
        .collect();
    let trigger = codes[0];
    let mut rng = Rng(seed);
    let (mut found, mut any) = (0, 0);
    for _ in 0..draws {
        let mut all: Vec<(Rule, NaiveDate)> = Vec::new();
        for &c in &codes {
            let s = if c == trigger { share } else { 0.3 };
            all.extend(events(&mut rng, days, s, first).into_iter().map(|d| (c, d)));
        }
        let trigger_days: Vec<NaiveDate> = all
            .iter()
            .filter(|(c, _)| *c == trigger)
            .map(|(_, d)| *d)
            .collect();
        // Episodes at least 60 days apart, from the 8th week on.
        let mut onsets: Vec<NaiveDate> = Vec::new();
        let mut tries = 0;
        while onsets.len() < episodes && tries < 10_000 {
            tries += 1;
            let after = follow.is_some_and(|f| rng.uniform() < f);
            let day = if after && !trigger_days.is_empty() {
                let t = trigger_days[rng.below(trigger_days.len() as u64) as usize];
                t + Days::new(rng.below(7))
            } else {
                first + Days::new(56 + rng.below(days - 56))
            };
            if day > last || day < first + Days::new(56) {
                continue;
            }
            if onsets.iter().all(|o| (*o - day).num_days().abs() >= 60) {
                onsets.push(day);
            }
        }
        let entries: Vec<Entry> = onsets
            .iter()
            .map(|&date| Entry { date, score: 5 })
            .collect();
        let t = triggers::from_events(&entries, &all, first, last, "pain.csv");
        found += usize::from(t.is_trigger(trigger));
        any += usize::from(t.significant().next().is_some());
    }
    (found as f64 / draws as f64, any as f64 / draws as f64)
}

#[test]
fn power_and_false_positives() {
    let draws = 400;
    let mut false_positive = Vec::new();
    println!("episodes  share  false positives  power (all after)  power (3 in 4 after)");
    for share in [0.2, 0.4] {
        for episodes in [4, 6, 8, 10] {
            let (_, fp) = simulate(episodes, share, None, draws, 7 + episodes as u64);
            let (all, _) = simulate(episodes, share, Some(1.0), draws, 70 + episodes as u64);
            let (most, _) = simulate(episodes, share, Some(0.75), draws, 700 + episodes as u64);
            println!(
                "{episodes:>8}  {:>4.0} %  {:>13.1} %  {:>15.0} %  {:>18.0} %",
                100.0 * share,
                100.0 * fp,
                100.0 * all,
                100.0 * most
            );
            false_positive.push(fp);
            if episodes == 10 {
                assert!(all >= 0.8, "power {all} at 10 episodes, {share}");
            }
            if episodes == 4 && share == 0.4 {
                assert!(all < 0.5, "power {all} at 4 episodes, {share}");
            }
        }
    }
    let mean = false_positive.iter().sum::<f64>() / false_positive.len() as f64;
    let error = 2.0 * (0.05f64 * 0.95 / (draws * false_positive.len()) as f64).sqrt();
    assert!(mean <= 0.05 + error, "{false_positive:?}");
}
