//! The runner's own pain log matched against the training (RISK_MODEL.md, "The runner's own pain
//! log"): each entry with the findings of the 14 days up to and including its day, one sentence
//! of what the data shows for its `when` (the seed's self-check table), and whether it is one
//! for a clinician rather than a tool. patella never says pain is harmless.

use chrono::{Days, NaiveDate};
use serde::Serialize;

use super::load::Day;
use super::rules::{Finding, Rule, Severity};
use super::{ActivitySummary, Analysis};
use crate::model::{Knee, PainRow, PainWhen, Sport};

/// Days up to and including an entry's day whose findings precede it.
pub const PRECEDING_DAYS: u64 = 14;

/// Days back in which an earlier stairs or sitting entry makes pain one that keeps coming back.
pub const RECURRING_DAYS: u64 = 28;

/// Words of a note that call for a clinician (swelling, catching, giving way).
const CLINICIAN_WORDS: [&str; 8] = [
    "swell",
    "swollen",
    "catch",
    "caught",
    "giving way",
    "gave way",
    "gives way",
    "give way",
];

/// One entry of the pain log, matched.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PainEntry {
    pub date: NaiveDate,
    pub knee: Knee,
    pub score: u8,
    pub when: PainWhen,
    pub note: String,
    /// The log and the entry's line in it.
    pub source: String,
    pub line: usize,
    /// The events dated in the 14 days up to and including the entry's day, and the habits in
    /// force on it, in date order.
    pub preceded_by: Vec<Preceding>,
    /// What the data shows for this `when`, in one sentence.
    pub self_check: String,
    /// Whether the entry is one for a clinician (RISK_MODEL.md's rule), and why.
    pub see_clinician: bool,
    pub clinician_reason: Option<String>,
}

/// A finding before a pain entry.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Preceding {
    pub code: Rule,
    pub severity: Severity,
    pub date: Option<NaiveDate>,
    pub week: Option<String>,
    pub activity: Option<String>,
    pub message: String,
}

/// Every row of the logs matched against `a`, in date order (then file and line).
///
/// Each entry takes a look-up of its own (the findings, runs and weeks of its days found by
/// binary searches in the analysis, the earlier entries that matter kept as the log is walked),
/// so that a log of 80,000 rows is matched in a moment: each entry looked through every earlier
/// entry, and every finding, run and week, before.
pub fn entries(rows: &[PainRow], a: &Analysis) -> Vec<PainEntry> {
    let mut rows: Vec<&PainRow> = rows.iter().collect();
    rows.sort_by(|x, y| (x.date, &x.source, x.line).cmp(&(y.date, &y.source, y.line)));
    // The same log read twice (given with --pain and found in a folder read) counts once.
    let mut seen = std::collections::HashSet::new();
    rows.retain(|r| seen.insert((r.date, r.knee, r.score, r.when, &r.note)));
    let index = Index::new(a);
    let mut earlier = Earlier::default();
    rows.iter()
        .map(|r| {
            let (see_clinician, clinician_reason) = match clinician(r, &earlier) {
                Some(why) => (true, Some(why)),
                None => (false, None),
            };
            earlier.push(r);
            let preceded_by = preceding(&index, r.date);
            PainEntry {
                date: r.date,
                knee: r.knee,
                score: r.score,
                when: r.when,
                note: r.note.clone(),
                source: r.source.clone(),
                line: r.line,
                self_check: self_check(r, &index, &preceded_by),
                preceded_by,
                see_clinician,
                clinician_reason,
            }
        })
        .collect()
}

/// The analysis with what a pain entry looks up in it: the findings, activities and weeks are
/// each in order of date already (findings by date, activities by start, weeks by first day), so
/// that the ones of an entry's days are found by binary searches. Where a list is not in that
/// order (none that `analyse` makes), it is looked through whole, as before.
struct Index<'a> {
    a: &'a Analysis,
    findings_by_date: bool,
    activities_by_start: bool,
    days_by_date: bool,
    /// The habits raised, few however long the history.
    habits: Vec<&'a Finding>,
}

impl<'a> Index<'a> {
    fn new(a: &'a Analysis) -> Index<'a> {
        Index {
            a,
            findings_by_date: a.findings.is_sorted_by_key(|f| f.date),
            activities_by_start: a.activities.is_sorted_by_key(|x| x.start_utc),
            days_by_date: a.days.is_sorted_by(|x, y| x.date < y.date),
            habits: a
                .findings
                .iter()
                .filter(|f| f.kind == crate::analysis::Kind::Habit)
                .collect(),
        }
    }

    /// The findings dated from `from` to `to` (both included), in their order.
    fn findings(&self, from: NaiveDate, to: NaiveDate) -> impl Iterator<Item = &'a Finding> {
        let all = self.a.findings.as_slice();
        let within = move |f: &Finding| f.date.is_some_and(|d| d >= from && d <= to);
        let slice = if self.findings_by_date {
            let start = all.partition_point(|f| f.date < Some(from));
            let end = start + all[start..].partition_point(|f| f.date <= Some(to));
            &all[start..end]
        } else {
            all
        };
        slice.iter().filter(move |f| within(f))
    }

    /// The activities of the local days from `from` to `to` (both included), in their order:
    /// those that started within a day of them (local time is within a day of UTC), then each
    /// by its local day.
    fn activities(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> impl Iterator<Item = &'a ActivitySummary> {
        let all = self.a.activities.as_slice();
        let slice = if self.activities_by_start {
            let utc = |d: NaiveDate| d.and_time(chrono::NaiveTime::MIN).and_utc();
            let (lo, hi) = (utc(from - Days::new(1)), utc(to + Days::new(2)));
            let start = all.partition_point(|x| x.start_utc < lo);
            let end = start + all[start..].partition_point(|x| x.start_utc < hi);
            &all[start..end]
        } else {
            all
        };
        slice
            .iter()
            .filter(move |x| x.local_date >= from && x.local_date <= to)
    }

    /// The counted runs of the local days from `from` to `to` (both included), in start order.
    fn runs(&self, from: NaiveDate, to: NaiveDate) -> impl Iterator<Item = &'a ActivitySummary> {
        self.activities(from, to).filter(|x| x.counts_as_run())
    }

    /// The days of the load table from `from` to `to` (both included).
    fn days(&self, from: NaiveDate, to: NaiveDate) -> impl Iterator<Item = &'a Day> {
        let all = self.a.days.as_slice();
        let slice = if self.days_by_date {
            let start = all.partition_point(|d| d.date < from);
            &all[start..start + all[start..].partition_point(|d| d.date <= to)]
        } else {
            all
        };
        slice.iter().filter(move |d| d.date >= from && d.date <= to)
    }
}

/// The first day of the 14 up to and including `day`.
fn window_start(day: NaiveDate) -> NaiveDate {
    day - Days::new(PRECEDING_DAYS - 1)
}

fn preceding(index: &Index, day: NaiveDate) -> Vec<Preceding> {
    let from = window_start(day);
    // The events of those days, and the habits in force on the day (a habit is dated on the day
    // it set in, often long before).
    let mut chosen: Vec<&Finding> = index.findings(from, day).collect();
    chosen.extend(
        index
            .habits
            .iter()
            .copied()
            .filter(|f| f.habit_in_force(day) && !f.date.is_some_and(|d| d >= from && d <= day)),
    );
    // In the analysis's order: all are elements of its one list, whose order is their address's.
    chosen.sort_by_key(|f| std::ptr::from_ref::<Finding>(f) as usize);
    chosen
        .into_iter()
        .map(|f| Preceding {
            code: f.code,
            severity: f.severity,
            date: f.date,
            week: f.week.clone(),
            activity: f.activity.clone(),
            message: f.message.clone(),
        })
        .collect()
}

/// What [`clinician`] needs of the entries before one, kept as the log is walked in date order:
/// of each knee's entries (an entry for both knees counts for either) and of all of them, the
/// last two, and the last at rest (stairs or sitting).
#[derive(Default)]
struct Earlier<'r> {
    /// Left or both, right or both, any.
    of: [Latest<'r>; 3],
}

#[derive(Clone, Copy, Default)]
struct Latest<'r> {
    /// The one before the last, and the last.
    two: [Option<&'r PainRow>; 2],
    at_rest: Option<&'r PainRow>,
}

impl<'r> Earlier<'r> {
    /// The entries an entry for `knee` counts with: its own knee's (and both), or, for both
    /// knees, every one.
    fn same(&self, knee: Knee) -> &Latest<'r> {
        match knee {
            Knee::Left => &self.of[0],
            Knee::Right => &self.of[1],
            Knee::Both => &self.of[2],
        }
    }

    /// `r` comes after every entry so far.
    fn push(&mut self, r: &'r PainRow) {
        let counts_with = [
            r.knee != Knee::Right,
            r.knee != Knee::Left,
            true, // every entry counts for one of both knees
        ];
        for (latest, counts) in self.of.iter_mut().zip(counts_with) {
            if counts {
                latest.two = [latest.two[1], Some(r)];
                if at_rest(r.when) {
                    latest.at_rest = Some(r);
                }
            }
        }
    }
}

/// Pain on stairs or when sitting.
fn at_rest(w: PainWhen) -> bool {
    matches!(w, PainWhen::Stairs | PainWhen::Sitting)
}

/// RISK_MODEL.md: see a clinician when the scores rise over three entries, when pain shows on
/// stairs or when sitting while it keeps coming back, or when an entry says swelling, catching
/// or giving way.
fn clinician(r: &PainRow, earlier: &Earlier) -> Option<String> {
    let note = r.note.to_lowercase();
    if let Some(word) = CLINICIAN_WORDS.iter().find(|w| note.contains(*w)) {
        return Some(format!("the note says \"{word}\""));
    }
    // The same knee's entries (an entry for both knees counts for either).
    let same = earlier.same(r.knee);
    if let [Some(a), Some(b)] = same.two {
        if a.score < b.score && b.score < r.score {
            return Some(format!(
                "the scores rose over three entries: {}, {}, {}",
                a.score, b.score, r.score
            ));
        }
    }
    if at_rest(r.when) {
        let since = r.date - Days::new(RECURRING_DAYS);
        // The last at rest is the latest of them (the entries come in date order): if it is
        // older than `since`, so is every one before it.
        if let Some(e) = same.at_rest.filter(|e| e.date >= since) {
            return Some(format!(
                "pain {} keeps coming back (also {} on {})",
                words(r.when),
                words(e.when),
                e.date
            ));
        }
    }
    None
}

fn words(w: PainWhen) -> &'static str {
    match w {
        PainWhen::Start => "early in the run",
        PainWhen::Late => "late in the run",
        PainWhen::Descent => "on descents",
        PainWhen::Stairs => "on stairs",
        PainWhen::Sitting => "when sitting",
        PainWhen::After => "after a jump in training",
    }
}

fn count_of(findings: &[Preceding], codes: &[Rule]) -> Vec<(Rule, usize)> {
    codes
        .iter()
        .map(|c| (*c, findings.iter().filter(|f| f.code == *c).count()))
        .collect()
}

/// `no-easy-start 2 times, cadence-fade none`.
fn listed(counts: &[(Rule, usize)]) -> String {
    counts
        .iter()
        .map(|(c, n)| match n {
            0 => format!("{} none", c.code()),
            1 => format!("{} once", c.code()),
            n => format!("{} {n} times", c.code()),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The seed's self-check line for the entry's `when`, with what the data shows (`found`: the
/// findings of its 14 days).
fn self_check(r: &PainRow, index: &Index, found: &[Preceding]) -> String {
    let from = window_start(r.date);
    let runs: Vec<_> = index.runs(from, r.date).collect();
    // The 7 days up to and including the entry's day, and the 7 before them: the two halves of
    // its 14 days, nothing after it.
    let last_7 = r.date - Days::new(6);
    let sum = |from: NaiveDate, to: NaiveDate, f: fn(&Day) -> f64| -> f64 {
        index.days(from, to).map(f).sum()
    };
    match r.when {
        PainWhen::Start => {
            let judged = runs
                .iter()
                .filter(|x| x.metrics.as_ref().is_some_and(|m| m.easy_start.is_some()))
                .count();
            format!(
                "early in the run: easy starts and warm-ups; of the {} runs of those 14 days, {} \
                 are long enough to judge the first 10 minutes ({})",
                runs.len(),
                judged,
                listed(&count_of(found, &[Rule::NoEasyStart]))
            )
        }
        PainWhen::Late => {
            let longest = runs
                .iter()
                .map(|x| x.distance_m / 1000.0)
                .fold(0.0, f64::max);
            let before = index
                .runs(from - Days::new(30), from - Days::new(1))
                .map(|x| x.distance_m / 1000.0)
                .reduce(f64::max);
            let before = match before {
                Some(km) => format!("against {km:.1} km in the 30 days before"),
                None => "with no run in the 30 days before to compare".to_string(),
            };
            let strength = index
                .activities(from, r.date)
                .filter(|x| x.sport == Sport::Strength && x.duplicate_of.is_none())
                .count();
            format!(
                "late in the run, as fatigue builds: the longest run of those 14 days was \
                 {longest:.1} km {before}; {strength} strength session{} in those 14 days ({})",
                if strength == 1 { "" } else { "s" },
                listed(&count_of(found, &[Rule::CadenceFade, Rule::SingleRunSpike]))
            )
        }
        PainWhen::Descent | PainWhen::Stairs => {
            let that = sum(last_7, r.date, |d| d.descent_m);
            let steep: f64 = index
                .runs(last_7, r.date)
                .filter_map(|x| x.metrics.as_ref()?.grade.as_ref())
                .map(|g| g.descent_steep_m)
                .sum();
            // The 4 weeks before those 7 days, as far as the data reaches back.
            let (start, end) = (last_7 - Days::new(28), last_7 - Days::new(1));
            let covered = index.days(start, end).count() / 7;
            let average = if covered == 0 {
                "no week before them to compare with".to_string()
            } else {
                let from = end - Days::new(7 * covered as u64 - 1);
                format!(
                    "{} m a week on average in the {covered} week{} before",
                    thousands(sum(from, end, |d| d.descent_m) / covered as f64),
                    if covered == 1 { "" } else { "s" }
                )
            };
            format!(
                "descent load: {} m in the 7 days up to the entry, {} m of it on grades of −10 % \
                 or steeper, against {average} ({})",
                thousands(that),
                thousands(steep),
                listed(&count_of(found, &[Rule::DescentSpike, Rule::SteepDescent]))
            )
        }
        PainWhen::After => {
            let previous = sum(last_7 - Days::new(7), last_7 - Days::new(1), |d| d.run_km);
            let that = sum(last_7, r.date, |d| d.run_km);
            format!(
                "after a jump in training: {that:.1} km in the 7 days up to the entry against \
                 {previous:.1} km in the 7 days before ({})",
                listed(&count_of(
                    found,
                    &[
                        Rule::WeeklyJump,
                        Rule::SingleRunSpike,
                        Rule::StackedIncreases,
                        Rule::ReturnTooFast
                    ]
                ))
            )
        }
        PainWhen::Sitting => "when sitting: the seed's table matches no training pattern to pain \
                              at rest; pain when sitting that keeps coming back is one for a \
                              clinician"
            .to_string(),
    }
}

/// `1,033` for 1033.2.
fn thousands(x: f64) -> String {
    let n = x.round() as i64;
    let digits = n.abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(day: u32, score: u8, when: PainWhen, note: &str) -> PainRow {
        PainRow {
            source: "pain.csv".into(),
            line: day as usize,
            date: NaiveDate::from_ymd_opt(2025, 3, day).unwrap(),
            knee: Knee::Left,
            score,
            when,
            note: note.into(),
        }
    }

    /// What [`entries`] keeps of `rows`, walked in order.
    fn after<'r>(rows: &[&'r PainRow]) -> Earlier<'r> {
        let mut earlier = Earlier::default();
        rows.iter().for_each(|r| earlier.push(r));
        earlier
    }

    #[test]
    fn the_clinician_rule() {
        let first = row(1, 2, PainWhen::Late, "");
        assert_eq!(clinician(&first, &after(&[])), None, "a first mild entry");
        let (a, b, c) = (
            row(2, 2, PainWhen::Late, ""),
            row(5, 3, PainWhen::Late, ""),
            row(9, 5, PainWhen::Late, ""),
        );
        assert_eq!(clinician(&b, &after(&[&a])), None);
        assert!(clinician(&c, &after(&[&a, &b]))
            .unwrap()
            .contains("rose over three entries: 2, 3, 5"));
        // Level scores do not rise.
        let d = row(12, 5, PainWhen::Late, "");
        assert_eq!(clinician(&d, &after(&[&a, &b, &c])), None);
        // Words of the note.
        let e = row(3, 1, PainWhen::Late, "knee felt Swollen after");
        assert!(clinician(&e, &after(&[])).unwrap().contains("swollen"));
        // Stairs once is not yet recurring; again within 28 days it is.
        let s1 = row(4, 2, PainWhen::Stairs, "");
        let s2 = row(20, 2, PainWhen::Sitting, "");
        assert_eq!(clinician(&s1, &after(&[])), None);
        assert!(clinician(&s2, &after(&[&s1]))
            .unwrap()
            .contains("keeps coming back"));
        // The other knee's entries are another story.
        let mut right = row(25, 6, PainWhen::Late, "");
        right.knee = Knee::Right;
        assert_eq!(clinician(&right, &after(&[&a, &b])), None);
    }

    /// The clinician rule as it was before [`Earlier`]: a look through every earlier entry.
    fn clinician_by_looking_through(r: &PainRow, earlier: &[&PainRow]) -> Option<String> {
        let note = r.note.to_lowercase();
        if let Some(word) = CLINICIAN_WORDS.iter().find(|w| note.contains(*w)) {
            return Some(format!("the note says \"{word}\""));
        }
        let same: Vec<&&PainRow> = earlier
            .iter()
            .filter(|e| e.knee == r.knee || e.knee == Knee::Both || r.knee == Knee::Both)
            .collect();
        if let [.., a, b] = same.as_slice() {
            if a.score < b.score && b.score < r.score {
                return Some(format!(
                    "the scores rose over three entries: {}, {}, {}",
                    a.score, b.score, r.score
                ));
            }
        }
        if at_rest(r.when) {
            let since = r.date - Days::new(RECURRING_DAYS);
            if let Some(e) = same
                .iter()
                .rev()
                .find(|e| at_rest(e.when) && e.date >= since)
            {
                return Some(format!(
                    "pain {} keeps coming back (also {} on {})",
                    words(r.when),
                    words(e.when),
                    e.date
                ));
            }
        }
        None
    }

    #[test]
    fn the_clinician_rule_is_what_a_look_through_every_earlier_entry_finds() {
        // 2,000 entries over four years, several on some days, days apart on others: every
        // knee, score and `when`, and a note with a word now and then.
        let mut rng = crate::synth::Rng::new(9);
        let mut day = NaiveDate::from_ymd_opt(2022, 1, 1).unwrap();
        let rows: Vec<PainRow> = (0..2000)
            .map(|i| {
                day = day + Days::new(rng.next_u64() % 3 * (rng.next_u64() % 20));
                PainRow {
                    source: "pain.csv".into(),
                    line: i + 2,
                    date: day,
                    knee: [Knee::Left, Knee::Right, Knee::Both][(rng.next_u64() % 3) as usize],
                    score: (rng.next_u64() % 11) as u8,
                    when: PainWhen::ALL[(rng.next_u64() % 6) as usize],
                    note: if i % 150 == 7 { "it gave way" } else { "" }.into(),
                }
            })
            .collect();
        let rows: Vec<&PainRow> = rows.iter().collect();
        let mut earlier = Earlier::default();
        let mut reasons = std::collections::HashSet::new();
        for (i, r) in rows.iter().enumerate() {
            let want = clinician_by_looking_through(r, &rows[..i]);
            assert_eq!(clinician(r, &earlier), want, "line {}", r.line);
            if let Some(why) = want {
                reasons.insert(why.split(':').next().unwrap_or("").to_string());
            }
            earlier.push(r);
        }
        // Each of the three reasons, and entries for none.
        assert!(reasons.len() >= 3, "{reasons:?}");
    }

    /// Activities without samples (a run or strength session on most days, in local zones from
    /// UTC−12 to UTC+14, so that local days and UTC days part), analysed.
    fn analysis() -> Analysis {
        use crate::model::{Activity, DeviceSummary, Format};
        let mut rng = crate::synth::Rng::new(4);
        let start = NaiveDate::from_ymd_opt(2024, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc();
        let activities: Vec<Activity> = (0..300)
            .map(|i| {
                let at = start + chrono::Duration::minutes(20 * (rng.next_u64() % 30_000) as i64);
                let mut a = Activity::new(&format!("{i}.fit"), Format::Fit, at);
                a.sport = if i % 7 == 3 {
                    Sport::Strength
                } else {
                    Sport::Running
                };
                a.utc_offset_s = Some(3600 * ((rng.next_u64() % 27) as i32 - 12));
                a.device = Some(DeviceSummary {
                    distance_m: Some(2000.0 + 500.0 * (rng.next_u64() % 40) as f64),
                    timer_s: Some(1800.0 + 60.0 * (rng.next_u64() % 60) as f64),
                    ..DeviceSummary::default()
                });
                a
            })
            .collect();
        let settings = crate::analysis::Settings::new(chrono_tz::UTC, super::super::WeekStart::Mon);
        crate::analysis::analyse(&activities, Vec::new(), &settings).unwrap()
    }

    #[test]
    fn an_entrys_days_are_found_as_a_look_through_everything_finds() {
        let a = analysis();
        assert!(
            a.findings.len() > 20 && a.weeks.len() > 50,
            "{}",
            a.findings.len()
        );
        // The lists as `analyse` orders them, and out of that order (looked through whole).
        let mut shuffled = a.clone();
        shuffled.activities.reverse();
        shuffled.findings.reverse();
        shuffled.days.reverse();
        let ids = |it: &mut dyn Iterator<Item = &ActivitySummary>| -> Vec<String> {
            it.map(|x| x.id.clone()).collect()
        };
        let (mut activities, mut findings) = (0, 0);
        for (analysis, ordered) in [(&a, true), (&shuffled, false)] {
            let index = Index::new(analysis);
            assert_eq!(
                (
                    index.findings_by_date,
                    index.activities_by_start,
                    index.days_by_date
                ),
                (ordered, ordered, ordered)
            );
            let first = NaiveDate::from_ymd_opt(2023, 12, 1).unwrap();
            for offset in (0..480).step_by(3) {
                let from = first + Days::new(offset);
                for length in [0, 1, 13, 29] {
                    let to = from + Days::new(length);
                    let within = |d: NaiveDate| d >= from && d <= to;
                    let want: Vec<String> = analysis
                        .activities
                        .iter()
                        .filter(|x| within(x.local_date))
                        .map(|x| x.id.clone())
                        .collect();
                    assert_eq!(ids(&mut index.activities(from, to)), want);
                    let want: Vec<String> = analysis
                        .runs()
                        .filter(|x| within(x.local_date))
                        .map(|x| x.id.clone())
                        .collect();
                    assert_eq!(ids(&mut index.runs(from, to)), want);
                    activities += want.len();
                    let want: Vec<&Finding> = analysis
                        .findings
                        .iter()
                        .filter(|f| f.date.is_some_and(within))
                        .collect();
                    assert_eq!(index.findings(from, to).collect::<Vec<_>>(), want);
                    findings += want.len();
                    let want: Vec<&Day> = analysis.days.iter().filter(|d| within(d.date)).collect();
                    assert_eq!(index.days(from, to).collect::<Vec<_>>(), want);
                }
            }
        }
        assert!(
            activities > 1000 && findings > 100,
            "{activities} {findings}"
        );
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(1033.2), "1,033");
        assert_eq!(thousands(146.0), "146");
        assert_eq!(thousands(1_234_567.0), "1,234,567");
    }
}
