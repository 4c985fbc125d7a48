//! The runner's own pain log matched against the training (RISK_MODEL.md, "The runner's own pain
//! log"): each entry with the findings of the 14 days up to and including its day, one sentence
//! of what the data shows for its `when` (the seed's self-check table), and whether it is one
//! for a clinician rather than a tool. patella never says pain is harmless.

use chrono::{Days, NaiveDate};
use serde::Serialize;

use super::rules::{Finding, Rule, Severity};
use super::{week_start, Analysis};
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
pub fn entries(rows: &[PainRow], a: &Analysis, ws: super::WeekStart) -> Vec<PainEntry> {
    let mut rows: Vec<&PainRow> = rows.iter().collect();
    rows.sort_by(|x, y| (x.date, &x.source, x.line).cmp(&(y.date, &y.source, y.line)));
    // The same log read twice (given with --pain and found in a folder read) counts once.
    let mut seen = std::collections::HashSet::new();
    rows.retain(|r| seen.insert((r.date, r.knee, r.score, r.when, r.note.clone())));
    rows.iter()
        .enumerate()
        .map(|(i, r)| {
            let earlier = &rows[..i];
            let (see_clinician, clinician_reason) = match clinician(r, earlier) {
                Some(why) => (true, Some(why)),
                None => (false, None),
            };
            PainEntry {
                date: r.date,
                knee: r.knee,
                score: r.score,
                when: r.when,
                note: r.note.clone(),
                source: r.source.clone(),
                line: r.line,
                preceded_by: preceding(&a.findings, r.date),
                self_check: self_check(r, a, ws),
                see_clinician,
                clinician_reason,
            }
        })
        .collect()
}

/// The first day of the 14 up to and including `day`.
fn window_start(day: NaiveDate) -> NaiveDate {
    day - Days::new(PRECEDING_DAYS - 1)
}

fn preceding(findings: &[Finding], day: NaiveDate) -> Vec<Preceding> {
    let from = window_start(day);
    // The events of those days, and the habits in force on the day (a habit is dated on the day
    // it set in, often long before).
    findings
        .iter()
        .filter(|f| f.date.is_some_and(|d| d >= from && d <= day) || f.habit_in_force(day))
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

/// RISK_MODEL.md: see a clinician when the scores rise over three entries, when pain shows on
/// stairs or when sitting while it keeps coming back, or when an entry says swelling, catching
/// or giving way.
fn clinician(r: &PainRow, earlier: &[&PainRow]) -> Option<String> {
    let note = r.note.to_lowercase();
    if let Some(word) = CLINICIAN_WORDS.iter().find(|w| note.contains(*w)) {
        return Some(format!("the note says \"{word}\""));
    }
    // The same knee's entries (an entry for both knees counts for either).
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
    let at_rest = |w: PainWhen| matches!(w, PainWhen::Stairs | PainWhen::Sitting);
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

/// The seed's self-check line for the entry's `when`, with what the data shows.
fn self_check(r: &PainRow, a: &Analysis, ws: super::WeekStart) -> String {
    let from = window_start(r.date);
    let found = preceding(&a.findings, r.date);
    let runs: Vec<_> = a
        .runs()
        .filter(|x| x.local_date >= from && x.local_date <= r.date)
        .collect();
    let this_week = week_start(r.date, ws);
    let week = a.weeks.iter().find(|w| w.start == this_week);
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
                listed(&count_of(&found, &[Rule::NoEasyStart]))
            )
        }
        PainWhen::Late => {
            let longest = runs
                .iter()
                .map(|x| x.distance_m / 1000.0)
                .fold(0.0, f64::max);
            let before = a
                .runs()
                .filter(|x| x.local_date < from && x.local_date >= from - Days::new(30))
                .map(|x| x.distance_m / 1000.0)
                .reduce(f64::max);
            let before = match before {
                Some(km) => format!("against {km:.1} km in the 30 days before"),
                None => "with no run in the 30 days before to compare".to_string(),
            };
            let strength = a
                .activities
                .iter()
                .filter(|x| x.sport == Sport::Strength && x.duplicate_of.is_none())
                .filter(|x| x.local_date >= from && x.local_date <= r.date)
                .count();
            format!(
                "late in the run, as fatigue builds: the longest run of those 14 days was \
                 {longest:.1} km {before}; {strength} strength session{} in those 14 days ({})",
                if strength == 1 { "" } else { "s" },
                listed(&count_of(
                    &found,
                    &[Rule::CadenceFade, Rule::SingleRunSpike]
                ))
            )
        }
        PainWhen::Descent | PainWhen::Stairs => {
            let before: Vec<f64> = a
                .weeks
                .iter()
                .filter(|w| w.complete && w.start < this_week)
                .filter(|w| w.start >= this_week - Days::new(28))
                .map(|w| w.descent_m)
                .collect();
            let that = week.map_or(0.0, |w| w.descent_m);
            let average = if before.is_empty() {
                "no whole week before it to compare with".to_string()
            } else {
                format!(
                    "{} m a week on average in the {} weeks before",
                    thousands(before.iter().sum::<f64>() / before.len() as f64),
                    before.len()
                )
            };
            format!(
                "descent load: {} m that week against {average} ({})",
                thousands(that),
                listed(&count_of(&found, &[Rule::DescentSpike, Rule::SteepDescent]))
            )
        }
        PainWhen::After => {
            let previous = a
                .weeks
                .iter()
                .find(|w| w.start == this_week - Days::new(7))
                .map_or(0.0, |w| w.run_km);
            let that = week.map_or(0.0, |w| w.run_km);
            format!(
                "after a jump in training: {that:.1} km that week against {previous:.1} km the \
                 week before ({})",
                listed(&count_of(
                    &found,
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

    #[test]
    fn the_clinician_rule() {
        let first = row(1, 2, PainWhen::Late, "");
        assert_eq!(clinician(&first, &[]), None, "a first mild entry");
        let (a, b, c) = (
            row(2, 2, PainWhen::Late, ""),
            row(5, 3, PainWhen::Late, ""),
            row(9, 5, PainWhen::Late, ""),
        );
        assert_eq!(clinician(&b, &[&a]), None);
        assert!(clinician(&c, &[&a, &b])
            .unwrap()
            .contains("rose over three entries: 2, 3, 5"));
        // Level scores do not rise.
        let d = row(12, 5, PainWhen::Late, "");
        assert_eq!(clinician(&d, &[&a, &b, &c]), None);
        // Words of the note.
        let e = row(3, 1, PainWhen::Late, "knee felt Swollen after");
        assert!(clinician(&e, &[]).unwrap().contains("swollen"));
        // Stairs once is not yet recurring; again within 28 days it is.
        let s1 = row(4, 2, PainWhen::Stairs, "");
        let s2 = row(20, 2, PainWhen::Sitting, "");
        assert_eq!(clinician(&s1, &[]), None);
        assert!(clinician(&s2, &[&s1])
            .unwrap()
            .contains("keeps coming back"));
        // The other knee's entries are another story.
        let mut right = row(25, 6, PainWhen::Late, "");
        right.knee = Knee::Right;
        assert_eq!(clinician(&right, &[&a, &b]), None);
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(1033.2), "1,033");
        assert_eq!(thousands(146.0), "146");
        assert_eq!(thousands(1_234_567.0), "1,234,567");
    }
}
