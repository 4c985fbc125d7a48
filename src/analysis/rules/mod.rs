//! The findings of RISK_MODEL.md, as lint rules: every [`Rule`] has a stable code, a phase, an
//! evidence grade, its evidence and one sentence of advice, all in one table ([`RULES`], after
//! ruff's `codes.rs`), and one function that decides it (in [`prime`], [`perform`] or
//! [`restore`]), whose doc comment says what it checks, why, and cites its evidence. A new rule
//! is one entry in the table plus one function.

pub mod habit;
pub mod perform;
pub mod prime;
pub mod restore;
pub mod thresholds;

use chrono::{Days, NaiveDate};
use serde::Serialize;

use super::load::Load;
use super::ActivitySummary;
pub use thresholds::{OutOfRange, Range, Thresholds};

/// How much a finding matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Moderate,
    High,
}

impl Severity {
    /// The word every output uses (`info`, `moderate`, `high`).
    pub fn word(self) -> &'static str {
        match self {
            Severity::High => "high",
            Severity::Moderate => "moderate",
            Severity::Info => "info",
        }
    }
}

/// What a finding is (RISK_MODEL.md, "Findings"): an event is a dated moment that departed from
/// the runner's own recent training; a habit is a standing pattern, raised once when it sets in
/// and again only after it has lapsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Event,
    Habit,
}

impl Kind {
    /// The word every output uses (`event`, `habit`).
    pub fn word(self) -> &'static str {
        match self {
            Kind::Event => "event",
            Kind::Habit => "habit",
        }
    }
}

/// The runner's own framework (RISK_MODEL.md): preparing, doing, recovering.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    Prime,
    Perform,
    Restore,
}

impl Phase {
    pub fn title(self) -> &'static str {
        match self {
            Phase::Prime => "Prime",
            Phase::Perform => "Perform",
            Phase::Restore => "Restore",
        }
    }
}

/// How strong the evidence behind a rule is; it decides the wording of its message: only cohort
/// evidence may say "associated with higher injury risk".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Grade {
    #[serde(rename = "cohort")]
    Cohort,
    #[serde(rename = "weak cohort")]
    WeakCohort,
    #[serde(rename = "contested")]
    Contested,
    #[serde(rename = "lab")]
    Lab,
    #[serde(rename = "expert")]
    Expert,
    #[serde(rename = "descriptive")]
    Descriptive,
}

impl Grade {
    pub fn as_str(self) -> &'static str {
        match self {
            Grade::Cohort => "cohort",
            Grade::WeakCohort => "weak cohort",
            Grade::Contested => "contested",
            Grade::Lab => "lab",
            Grade::Expert => "expert",
            Grade::Descriptive => "descriptive",
        }
    }
}

/// The unit of a finding's value and threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Unit {
    #[serde(rename = "ratio")]
    Ratio,
    #[serde(rename = "km")]
    Km,
    #[serde(rename = "m")]
    M,
    #[serde(rename = "spm")]
    Spm,
    #[serde(rename = "pct")]
    Pct,
    #[serde(rename = "sessions")]
    Sessions,
    #[serde(rename = "s/km")]
    SPerKm,
    /// Hard days in a row (`hard-days-clustered` fired by consecutive days).
    #[serde(rename = "days-in-a-row")]
    DaysInARow,
}

impl Unit {
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Ratio => "ratio",
            Unit::Km => "km",
            Unit::M => "m",
            Unit::Spm => "spm",
            Unit::Pct => "pct",
            Unit::Sessions => "sessions",
            Unit::SPerKm => "s/km",
            Unit::DaysInARow => "days-in-a-row",
        }
    }
}

/// Evidence references, from RISK_MODEL.md.
mod evidence {
    pub const E1: &str = "E1 Frandsen et al., Br J Sports Med 2025 (cohort, 5,205 runners)";
    pub const E3: &str = "E3 Nielsen et al., JOSPT 2014 (weak cohort, 874 novices); no relation \
                          for the week-to-week ratio in E1";
    pub const E5: &str = "E5 Gabbett, Br J Sports Med 2016; critiques Impellizzeri 2020, Lolli \
                          2019 (contested); negatively related to injury in E1";
    pub const CADENCE: &str =
        "E6 Heiderscheit 2011, E7 Lenhart 2014, E9 Thakkar 2019, E10 Luedke 2016 (lab)";
    pub const E13: &str = "E13 Gottschall & Kram, J Biomech 2005 (lab)";
    pub const E16: &str = "E16 Foster, MSSE 1998 (expert)";
    pub const SEED: &str = "seed: the runner's guide this project starts from (expert)";
    pub const E19: &str = "seed (expert); E19 Wu et al., Sports Med 2024: strength training did \
                           not lower running injuries overall in 9 RCTs";
    pub const VENDOR: &str = "vendor guidance on running dynamics (expert)";
    pub const E18: &str = "E18 no study found; descriptive only";
}

/// What the table holds for each rule.
pub struct RuleInfo {
    pub code: &'static str,
    pub kind: Kind,
    pub phase: Phase,
    pub grade: Grade,
    pub evidence: &'static str,
    /// What to do about it, in one sentence.
    pub advice: &'static str,
}

macro_rules! rules {
    ($($rule:ident => ($code:literal, $kind:ident, $phase:ident, $grade:ident, $evidence:ident, $advice:expr)),+ $(,)?) => {
        /// A finding's rule (RISK_MODEL.md, "Findings"); it serialises as its code.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Rule {
            $($rule),+
        }

        /// Every rule, in the order of RISK_MODEL.md's table.
        pub const RULES: &[Rule] = &[$(Rule::$rule),+];

        impl Rule {
            /// The rule's row of the table.
            pub fn info(self) -> &'static RuleInfo {
                match self {
                    $(Rule::$rule => &RuleInfo {
                        code: $code,
                        kind: Kind::$kind,
                        phase: Phase::$phase,
                        grade: Grade::$grade,
                        evidence: evidence::$evidence,
                        advice: $advice,
                    }),+
                }
            }
        }
    };
}

rules! {
    SingleRunSpike => ("single-run-spike", Event, Perform, Cohort, E1,
        "Keep each run within about 10 % of your longest run of the last 30 days, and grow \
         long runs gradually."),
    WeeklyJump => ("weekly-jump", Event, Perform, WeakCohort, E3,
        "Raise weekly distance in smaller steps, and hold a week steady before adding more."),
    ReturnTooFast => ("return-too-fast", Event, Restore, Expert, SEED,
        "After a break or weeks of little running, start at about half your usual week and \
         build back over several weeks."),
    AcwrHigh => ("acwr-high", Event, Perform, Contested, E5,
        "Read this as context: the single-run and weekly findings say what to change."),
    LowCadence => ("low-cadence", Habit, Perform, Lab, CADENCE,
        "Try a step rate 5–10 % higher at the same pace for parts of easy runs, for example \
         with a metronome."),
    CadenceFade => ("cadence-fade", Event, Perform, Expert, SEED,
        "Late in long runs, keep your steps short and quick as you tire."),
    DescentSpike => ("descent-spike", Event, Perform, Lab, E13,
        "Add downhill running gradually and spread hilly runs across weeks."),
    SteepDescent => ("steep-descent", Event, Perform, Lab, E13,
        "On steep descents shorten your stride, slow down, or walk the steepest parts."),
    HardDaysClustered => ("hard-days-clustered", Event, Restore, Expert, SEED,
        "Put an easy day or a rest day between hard sessions."),
    MonotonyHigh => ("monotony-high", Habit, Restore, Expert, E16,
        "Vary your days: mix easy, long, rest and harder days."),
    StackedIncreases => ("stacked-increases", Event, Perform, Expert, SEED,
        "Change one thing at a time: distance, hills or intensity, not all in one week."),
    NoEasyStart => ("no-easy-start", Habit, Prime, Expert, SEED,
        "Start with 10 minutes of easy running or a warm-up before picking up the pace."),
    StrengthGap => ("strength-gap", Habit, Prime, Expert, E19,
        "Aim for two or three short strength sessions a week (hips, thighs, calves)."),
    GctImbalance => ("gct-imbalance", Habit, Perform, Expert, VENDOR,
        "A lasting left/right difference is worth showing to a coach or physiotherapist."),
    LongRunShare => ("long-run-share", Habit, Perform, Descriptive, E18,
        "Spread the week so the long run is not most of it."),
}

impl Rule {
    /// The stable code (`single-run-spike`).
    pub fn code(self) -> &'static str {
        self.info().code
    }

    /// The rule of a code, if any.
    pub fn from_code(code: &str) -> Option<Rule> {
        RULES.iter().copied().find(|r| r.code() == code)
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Rule {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

/// A rule compares with its code, so tests and tools can say `f.code == "weekly-jump"`.
impl PartialEq<&str> for Rule {
    fn eq(&self, other: &&str) -> bool {
        self.code() == *other
    }
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    pub code: Rule,
    /// Event or habit, from the rule's table.
    pub kind: Kind,
    pub severity: Severity,
    pub phase: Phase,
    /// The week it concerns (label), where it concerns a week or a run.
    pub week: Option<String>,
    /// The local date it concerns.
    pub date: Option<NaiveDate>,
    /// The activity id it concerns.
    pub activity: Option<String>,
    pub value: f64,
    pub threshold: f64,
    /// Unit of `value` and `threshold`.
    pub unit: Unit,
    pub message: String,
    pub evidence: &'static str,
    /// The grade of the evidence.
    pub grade: Grade,
    /// A habit: the first day of the 4 weeks over which it first held (it set in then).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<NaiveDate>,
    /// A habit: the last day of the last week it held; `None` while it holds at the end of the
    /// data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveDate>,
    /// A habit: the share of the runs (or running time, or weeks) that showed it over the 4
    /// weeks to the last week it held.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share: Option<f64>,
}

impl Finding {
    /// Whether this is a habit that holds on `day`: it set in on or before it and held in the
    /// week before it at the latest.
    pub fn habit_in_force(&self, day: NaiveDate) -> bool {
        self.kind == Kind::Habit
            && self.since.is_some_and(|s| s <= day)
            && self.until.is_none_or(|u| day <= u + Days::new(7))
    }
}

fn iso(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Every finding, ordered by date (then code), and each habit's share week by week.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Findings {
    pub findings: Vec<Finding>,
    pub habits: Vec<habit::Trend>,
}

/// Computes every finding, ordered by date (then code), and the habits' trends.
pub fn findings(runs: &[&ActivitySummary], load: &Load, t: &Thresholds) -> Findings {
    let mut out = Vec::new();
    let mut habits = Vec::new();
    perform::single_run_spike(runs, load, t, &mut out);
    perform::weekly_jump(load, t, &mut out);
    restore::return_too_fast(load, t, &mut out);
    perform::acwr_high(load, t, &mut out);
    habits.push(perform::low_cadence(runs, load, t, &mut out));
    perform::cadence_fade(runs, t, &mut out);
    perform::descent_spike(load, t, &mut out);
    perform::steep_descent(runs, t, &mut out);
    restore::hard_days_clustered(load, t, &mut out);
    habits.push(restore::monotony_high(load, t, &mut out));
    perform::stacked_increases(load, t, &mut out);
    habits.push(prime::no_easy_start(runs, load, t, &mut out));
    habits.push(prime::strength_gap(load, t, &mut out));
    habits.push(perform::gct_imbalance(runs, load, t, &mut out));
    habits.push(perform::long_run_share(load, t, &mut out));
    out.sort_by(|a, b| (a.date, a.code.code()).cmp(&(b.date, b.code.code())));
    habits.sort_by_key(|h| h.code);
    Findings {
        findings: out,
        habits,
    }
}

/// What a finding concerns.
enum About<'a> {
    Run(&'a ActivitySummary),
    Week(&'a crate::analysis::load::Week),
    /// A day, with the label of the week holding it.
    Day(NaiveDate, Option<String>),
}

/// The label of the week (as the load table has it) that holds `date`: the last week starting
/// on or before it (the table's weeks follow one another), found by a binary search.
fn week_of(load: &Load, date: NaiveDate) -> Option<String> {
    let after = load.weeks.partition_point(|w| w.start <= date);
    load.weeks[..after]
        .last()
        .filter(|w| date < w.start + Days::new(7))
        .map(|w| w.week.clone())
}

/// A finding of `rule`: its phase, evidence and grade come from the table.
fn finding(
    rule: Rule,
    severity: Severity,
    about: About,
    value: f64,
    threshold: f64,
    unit: Unit,
    message: String,
) -> Finding {
    let (week, date, activity) = match about {
        About::Run(r) => (Some(r.week.clone()), Some(r.local_date), Some(r.id.clone())),
        About::Week(w) => (Some(w.week.clone()), Some(w.start), None),
        About::Day(d, week) => (week, Some(d), None),
    };
    let info = rule.info();
    Finding {
        code: rule,
        kind: info.kind,
        severity,
        phase: info.phase,
        week,
        date,
        activity,
        value,
        threshold,
        unit,
        message,
        evidence: info.evidence,
        grade: info.grade,
        since: None,
        until: None,
        share: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_week_of_a_day_is_the_one_a_look_through_every_week_finds() {
        use crate::analysis::load::{load, LoadEntry};
        use crate::analysis::WeekStart;
        use chrono::{TimeZone, Utc};
        let entries: Vec<LoadEntry> = [(2025, 3, 5), (2025, 3, 6), (2025, 4, 20), (2025, 6, 1)]
            .into_iter()
            .map(|(y, m, d)| LoadEntry {
                id: format!("r{m}-{d}"),
                start_utc: Utc.with_ymd_and_hms(y, m, d, 7, 0, 0).unwrap(),
                date: NaiveDate::from_ymd_opt(y, m, d).unwrap(),
                is_run: true,
                is_strength: false,
                distance_km: 5.0,
                descent_m: 0.0,
                downhill_km: 0.0,
                hard: false,
            })
            .collect();
        for week_start in [WeekStart::Mon, WeekStart::Sun] {
            let l = load(&entries, week_start).unwrap();
            let first = NaiveDate::from_ymd_opt(2025, 2, 20).unwrap();
            let mut found = 0;
            for n in 0..120 {
                let date = first + Days::new(n);
                let want = l
                    .weeks
                    .iter()
                    .find(|w| w.start <= date && date < w.start + Days::new(7))
                    .map(|w| w.week.clone());
                found += usize::from(want.is_some());
                assert_eq!(week_of(&l, date), want, "{date}");
            }
            assert_eq!(found, 7 * l.weeks.len());
        }
        assert_eq!(week_of(&Load::default(), NaiveDate::MIN), None);
    }

    #[test]
    fn the_table_has_every_code_of_the_risk_model_once() {
        let codes: Vec<&str> = RULES.iter().map(|r| r.code()).collect();
        assert_eq!(
            codes,
            [
                "single-run-spike",
                "weekly-jump",
                "return-too-fast",
                "acwr-high",
                "low-cadence",
                "cadence-fade",
                "descent-spike",
                "steep-descent",
                "hard-days-clustered",
                "monotony-high",
                "stacked-increases",
                "no-easy-start",
                "strength-gap",
                "gct-imbalance",
                "long-run-share",
            ]
        );
        for r in RULES {
            assert_eq!(Rule::from_code(r.code()), Some(*r));
            assert!(!r.info().advice.is_empty() && r.info().advice.ends_with('.'));
        }
        assert_eq!(Rule::from_code("nope"), None);
        assert_eq!(
            serde_json::to_string(&Rule::WeeklyJump).unwrap(),
            "\"weekly-jump\""
        );
        assert_eq!(Rule::SingleRunSpike.info().grade, Grade::Cohort);
    }
}
