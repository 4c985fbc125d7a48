//! The findings of RISK_MODEL.md: stable codes, each with its phase, severity, the value found
//! against the threshold used, a plain message worded after its evidence grade, and the evidence
//! reference. Like lint rules: each rule's doc comment says what it checks, why, and cites its
//! evidence.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use super::load::Load;
use super::ActivitySummary;

/// Every threshold of RISK_MODEL.md, with its default. Read from `patella.toml` (`--config`),
/// section `[thresholds]`; keys left out keep their default, unknown keys are an error.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Thresholds {
    /// HRmax in bpm; without it, the 99th percentile of the runner's own HR samples.
    pub hr_max_bpm: Option<f64>,
    /// Share of HRmax that counts as hard.
    pub hard_hr_fraction: f64,
    /// Minutes at or above the hard HR that make a run hard...
    pub hard_hr_minutes: f64,
    /// ...or this share of its moving time.
    pub hard_hr_share: f64,
    /// Without HR: a run faster than this percentile of the runner's own run speeds...
    pub hard_pace_percentile: f64,
    /// ...over this many previous weeks...
    pub hard_pace_lookback_weeks: i64,
    /// ...when at least this many runs fall in them.
    pub hard_pace_min_runs: usize,
    /// `single-run-spike`: a run longer than this ratio of the longest run of the previous 30 days.
    pub single_run_spike_ratio: f64,
    /// `single-run-spike` is high above this ratio.
    pub single_run_spike_high_ratio: f64,
    /// `weekly-jump`: a week above this ratio of the previous week...
    pub weekly_jump_ratio: f64,
    /// ...when the previous week had at least this many km.
    pub weekly_jump_min_previous_km: f64,
    /// `return-too-fast`: a gap of at least this many days without running...
    pub return_gap_days: i64,
    /// ...followed by this many days...
    pub return_window_days: i64,
    /// ...reaching this share of the average week of the 4 weeks before the gap.
    pub return_share: f64,
    /// `acwr-high`: acute:chronic ratio above this.
    pub acwr_high: f64,
    /// `low-cadence`: info below this cadence...
    pub low_cadence_spm: f64,
    /// ...moderate below this one.
    pub very_low_cadence_spm: f64,
    /// `low-cadence` for a week: share of its running time below `low_cadence_spm`.
    pub low_cadence_week_share: f64,
    /// `cadence-fade`: runs of at least this many moving minutes...
    pub cadence_fade_min_minutes: f64,
    /// ...whose last third is at least this many percent below the first...
    pub cadence_fade_pct: f64,
    /// ...while the pace holds within this many percent.
    pub cadence_fade_pace_pct: f64,
    /// `descent-spike`: week descent above this ratio of the mean of the previous 4 weeks...
    pub descent_spike_ratio: f64,
    /// ...and at least this many metres.
    pub descent_spike_min_m: f64,
    /// `steep-descent`: metres of descent on steep downhill in one run.
    pub steep_descent_m: f64,
    /// `hard-days-clustered`: this many hard sessions within 7 days...
    pub hard_sessions_in_7_days: usize,
    /// `monotony-high`: Foster monotony above this.
    pub monotony_high: f64,
    /// `stacked-increases`: distance up by at least this percent...
    pub stacked_distance_pct: f64,
    /// ...descent up by at least this percent, and more hard sessions, in one week.
    pub stacked_descent_pct: f64,
    /// `no-easy-start`: runs of at least this many moving minutes.
    pub easy_start_min_minutes: f64,
    /// `no-easy-start`: a run that ended at most this many minutes before counts as a warm-up.
    pub warm_up_gap_minutes: i64,
    /// `strength-gap`: fewer strength sessions than this in a week.
    pub strength_sessions_per_week: u32,
    /// `gct-imbalance`: balance further than this many points from 50/50.
    pub gct_balance_points: f64,
    /// `long-run-share`: the long run above this share of the week...
    pub long_run_share: f64,
    /// ...for weeks of at least this many km.
    pub long_run_share_min_week_km: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            hr_max_bpm: None,
            hard_hr_fraction: 0.85,
            hard_hr_minutes: 20.0,
            hard_hr_share: 0.30,
            hard_pace_percentile: 80.0,
            hard_pace_lookback_weeks: 8,
            hard_pace_min_runs: 4,
            single_run_spike_ratio: 1.10,
            single_run_spike_high_ratio: 2.0,
            weekly_jump_ratio: 1.30,
            weekly_jump_min_previous_km: 10.0,
            return_gap_days: 14,
            return_window_days: 7,
            return_share: 0.75,
            acwr_high: 1.5,
            low_cadence_spm: 170.0,
            very_low_cadence_spm: 166.0,
            low_cadence_week_share: 0.5,
            cadence_fade_min_minutes: 40.0,
            cadence_fade_pct: 4.0,
            cadence_fade_pace_pct: 5.0,
            descent_spike_ratio: 1.5,
            descent_spike_min_m: 300.0,
            steep_descent_m: 200.0,
            hard_sessions_in_7_days: 3,
            monotony_high: 2.0,
            stacked_distance_pct: 20.0,
            stacked_descent_pct: 50.0,
            easy_start_min_minutes: 30.0,
            warm_up_gap_minutes: 30,
            strength_sessions_per_week: 2,
            gct_balance_points: 2.0,
            long_run_share: 0.5,
            long_run_share_min_week_km: 15.0,
        }
    }
}

/// The allowed range of one threshold, for validation and for messages.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Range {
    pub min: f64,
    /// Whether `min` itself is allowed.
    pub min_inclusive: bool,
    pub max: f64,
    /// What the number is, in the message ("a ratio above 1", "a share").
    pub what: &'static str,
}

impl Range {
    const fn above(min: f64, max: f64, what: &'static str) -> Range {
        Range {
            min,
            min_inclusive: false,
            max,
            what,
        }
    }

    const fn from(min: f64, max: f64, what: &'static str) -> Range {
        Range {
            min,
            min_inclusive: true,
            max,
            what,
        }
    }

    pub fn contains(&self, v: f64) -> bool {
        v.is_finite() && (v > self.min || (self.min_inclusive && v == self.min)) && v <= self.max
    }
}

impl std::fmt::Display for Range {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let lo = if self.min_inclusive { "from" } else { "above" };
        write!(f, "{}, {lo} {} up to {}", self.what, self.min, self.max)
    }
}

/// A threshold outside its range.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{key} = {value} is out of range: {range}")]
pub struct OutOfRange {
    pub key: &'static str,
    pub value: f64,
    pub range: Range,
}

const RATIO: &str = "a ratio";
const SHARE: &str = "a share";
const MINUTES: &str = "minutes";
const DAYS: &str = "days";

impl Thresholds {
    /// Every threshold with its value and its allowed range (README.md, "Thresholds"): ratios
    /// above 1 where the rule is "longer than", shares in (0, 1], HRmax 120–230 bpm, cadences
    /// 100–220 spm, minutes and days above 0. The upper ends keep date arithmetic in range.
    pub fn ranges(&self) -> Vec<(&'static str, f64, Range)> {
        let mut v = vec![
            (
                "hard_hr_fraction",
                self.hard_hr_fraction,
                Range::above(0.0, 1.0, SHARE),
            ),
            (
                "hard_hr_minutes",
                self.hard_hr_minutes,
                Range::above(0.0, 1440.0, MINUTES),
            ),
            (
                "hard_hr_share",
                self.hard_hr_share,
                Range::above(0.0, 1.0, SHARE),
            ),
            (
                "hard_pace_percentile",
                self.hard_pace_percentile,
                Range::above(0.0, 100.0, "a percentile"),
            ),
            (
                "hard_pace_lookback_weeks",
                self.hard_pace_lookback_weeks as f64,
                Range::from(1.0, 520.0, "weeks"),
            ),
            (
                "hard_pace_min_runs",
                self.hard_pace_min_runs as f64,
                Range::from(1.0, 1000.0, "runs"),
            ),
            (
                "single_run_spike_ratio",
                self.single_run_spike_ratio,
                Range::above(1.0, 10.0, RATIO),
            ),
            (
                "single_run_spike_high_ratio",
                self.single_run_spike_high_ratio,
                Range::above(1.0, 10.0, RATIO),
            ),
            (
                "weekly_jump_ratio",
                self.weekly_jump_ratio,
                Range::above(1.0, 10.0, RATIO),
            ),
            (
                "weekly_jump_min_previous_km",
                self.weekly_jump_min_previous_km,
                Range::from(0.0, 1000.0, "km"),
            ),
            (
                "return_gap_days",
                self.return_gap_days as f64,
                Range::from(1.0, 3650.0, DAYS),
            ),
            (
                "return_window_days",
                self.return_window_days as f64,
                Range::from(1.0, 365.0, DAYS),
            ),
            (
                "return_share",
                self.return_share,
                Range::above(0.0, 1.0, SHARE),
            ),
            ("acwr_high", self.acwr_high, Range::above(1.0, 10.0, RATIO)),
            (
                "low_cadence_spm",
                self.low_cadence_spm,
                Range::from(100.0, 220.0, "a cadence in spm"),
            ),
            (
                "very_low_cadence_spm",
                self.very_low_cadence_spm,
                Range::from(100.0, 220.0, "a cadence in spm"),
            ),
            (
                "low_cadence_week_share",
                self.low_cadence_week_share,
                Range::above(0.0, 1.0, SHARE),
            ),
            (
                "cadence_fade_min_minutes",
                self.cadence_fade_min_minutes,
                Range::above(0.0, 1440.0, MINUTES),
            ),
            (
                "cadence_fade_pct",
                self.cadence_fade_pct,
                Range::above(0.0, 100.0, "a percentage"),
            ),
            (
                "cadence_fade_pace_pct",
                self.cadence_fade_pace_pct,
                Range::above(0.0, 100.0, "a percentage"),
            ),
            (
                "descent_spike_ratio",
                self.descent_spike_ratio,
                Range::above(1.0, 10.0, RATIO),
            ),
            (
                "descent_spike_min_m",
                self.descent_spike_min_m,
                Range::from(0.0, 100_000.0, "metres"),
            ),
            (
                "steep_descent_m",
                self.steep_descent_m,
                Range::above(0.0, 100_000.0, "metres"),
            ),
            (
                "hard_sessions_in_7_days",
                self.hard_sessions_in_7_days as f64,
                Range::from(2.0, 7.0, "sessions"),
            ),
            (
                "monotony_high",
                self.monotony_high,
                Range::above(0.0, 100.0, "a monotony (mean ÷ SD)"),
            ),
            (
                "stacked_distance_pct",
                self.stacked_distance_pct,
                Range::above(0.0, 1000.0, "a percentage"),
            ),
            (
                "stacked_descent_pct",
                self.stacked_descent_pct,
                Range::above(0.0, 1000.0, "a percentage"),
            ),
            (
                "easy_start_min_minutes",
                self.easy_start_min_minutes,
                Range::above(0.0, 1440.0, MINUTES),
            ),
            (
                "warm_up_gap_minutes",
                self.warm_up_gap_minutes as f64,
                Range::from(1.0, 1440.0, MINUTES),
            ),
            (
                "strength_sessions_per_week",
                self.strength_sessions_per_week as f64,
                Range::from(1.0, 14.0, "sessions"),
            ),
            (
                "gct_balance_points",
                self.gct_balance_points,
                Range::above(0.0, 50.0, "percentage points"),
            ),
            (
                "long_run_share",
                self.long_run_share,
                Range::above(0.0, 1.0, SHARE),
            ),
            (
                "long_run_share_min_week_km",
                self.long_run_share_min_week_km,
                Range::from(0.0, 1000.0, "km"),
            ),
        ];
        if let Some(hr) = self.hr_max_bpm {
            v.insert(0, ("hr_max_bpm", hr, Range::from(120.0, 230.0, "bpm")));
        }
        v
    }

    /// Checks every threshold against its range, and the pairs that must be ordered
    /// (`very_low_cadence_spm` ≤ `low_cadence_spm`, `single_run_spike_high_ratio` ≥
    /// `single_run_spike_ratio`). The message names the key and its range.
    pub fn validate(&self) -> Result<(), String> {
        for (key, value, range) in self.ranges() {
            if !range.contains(value) {
                return Err(OutOfRange { key, value, range }.to_string());
            }
        }
        if self.very_low_cadence_spm > self.low_cadence_spm {
            return Err(format!(
                "very_low_cadence_spm = {} must not be above low_cadence_spm = {}",
                self.very_low_cadence_spm, self.low_cadence_spm
            ));
        }
        if self.single_run_spike_high_ratio < self.single_run_spike_ratio {
            return Err(format!(
                "single_run_spike_high_ratio = {} must not be below single_run_spike_ratio = {}",
                self.single_run_spike_high_ratio, self.single_run_spike_ratio
            ));
        }
        Ok(())
    }
}

/// How much a finding matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Moderate,
    High,
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

/// One finding.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    pub code: &'static str,
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
    /// Unit of `value` and `threshold` (`ratio`, `km`, `m`, `spm`, `pct`, `sessions`, `s/km`).
    pub unit: &'static str,
    pub message: String,
    pub evidence: &'static str,
    /// The grade of the evidence: `cohort`, `weak cohort`, `contested`, `lab`, `expert` or
    /// `descriptive`.
    pub grade: &'static str,
}

/// The evidence grade of each code (RISK_MODEL.md).
pub fn evidence_grade(code: &str) -> &'static str {
    match code {
        "single-run-spike" => "cohort",
        "weekly-jump" => "weak cohort",
        "acwr-high" => "contested",
        "low-cadence" | "descent-spike" | "steep-descent" => "lab",
        "long-run-share" => "descriptive",
        _ => "expert",
    }
}

/// What to do about a finding, in one sentence.
pub fn advice(code: &str) -> &'static str {
    match code {
        "single-run-spike" => {
            "Keep each run within about 10 % of your longest run of the last 30 days, and grow \
             long runs gradually."
        }
        "weekly-jump" => {
            "Raise weekly distance in smaller steps, and hold a week steady before adding more."
        }
        "return-too-fast" => {
            "After a break, start at about half your usual week and build back over several weeks."
        }
        "acwr-high" => {
            "Read this as context: the single-run and weekly findings say what to change."
        }
        "low-cadence" => {
            "Try a step rate 5–10 % higher at the same pace for parts of easy runs, for example \
             with a metronome."
        }
        "cadence-fade" => "Late in long runs, keep your steps short and quick as you tire.",
        "descent-spike" => "Add downhill running gradually and spread hilly runs across weeks.",
        "steep-descent" => {
            "On steep descents shorten your stride, slow down, or walk the steepest parts."
        }
        "hard-days-clustered" => "Put an easy day or a rest day between hard sessions.",
        "monotony-high" => "Vary your days: mix easy, long, rest and harder days.",
        "stacked-increases" => {
            "Change one thing at a time: distance, hills or intensity, not all in one week."
        }
        "no-easy-start" => {
            "Start with 10 minutes of easy running or a warm-up before picking up the pace."
        }
        "strength-gap" => {
            "Aim for two or three short strength sessions a week (hips, thighs, calves)."
        }
        "gct-imbalance" => {
            "A lasting left/right difference is worth showing to a coach or physiotherapist."
        }
        "long-run-share" => "Spread the week so the long run is not most of it.",
        _ => "",
    }
}

/// Evidence references, from RISK_MODEL.md.
mod evidence {
    pub const E1: &str = "E1 Frandsen et al., Br J Sports Med 2025 (cohort, 5,205 runners)";
    pub const E3: &str = "E3 Nielsen et al., JOSPT 2014 (weak cohort, 874 novices)";
    pub const E5: &str =
        "E5 Gabbett, Br J Sports Med 2016; critiques Impellizzeri 2020, Lolli 2019 (contested)";
    pub const CADENCE: &str =
        "E6 Heiderscheit 2011, E7 Lenhart 2014, E9 Thakkar 2019, E10 Luedke 2016 (lab)";
    pub const E13: &str = "E13 Gottschall & Kram, J Biomech 2005 (lab)";
    pub const E16: &str = "E16 Foster, MSSE 1998 (expert)";
    pub const SEED: &str = "seed: the runner's guide this project starts from (expert)";
    pub const VENDOR: &str = "vendor guidance on running dynamics (expert)";
    pub const E18: &str = "E18 no study found; descriptive only";
}

fn iso(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Computes every finding, ordered by date (then code).
pub fn findings(runs: &[&ActivitySummary], load: &Load, t: &Thresholds) -> Vec<Finding> {
    let mut out = Vec::new();
    single_run_spike(runs, load, t, &mut out);
    weekly_jump(load, t, &mut out);
    return_too_fast(load, t, &mut out);
    acwr_high(load, t, &mut out);
    low_cadence(runs, load, t, &mut out);
    cadence_fade(runs, t, &mut out);
    descent_spike(load, t, &mut out);
    steep_descent(runs, t, &mut out);
    hard_days_clustered(load, t, &mut out);
    monotony_high(load, t, &mut out);
    stacked_increases(load, t, &mut out);
    no_easy_start(runs, t, &mut out);
    strength_gap(load, t, &mut out);
    gct_imbalance(runs, t, &mut out);
    long_run_share(load, t, &mut out);
    out.sort_by(|a, b| (a.date, a.code).cmp(&(b.date, b.code)));
    out
}

/// What a finding concerns.
enum About<'a> {
    Run(&'a ActivitySummary),
    Week(&'a super::load::Week),
    /// A day, with the label of the week holding it.
    Day(NaiveDate, Option<String>),
}

/// The label of the week (as the load table has it) that holds `date`.
fn week_of(load: &Load, date: NaiveDate) -> Option<String> {
    load.weeks
        .iter()
        .find(|w| w.start <= date && date < w.start + Days::new(7))
        .map(|w| w.week.clone())
}

#[allow(clippy::too_many_arguments)]
fn finding(
    code: &'static str,
    severity: Severity,
    phase: Phase,
    about: About,
    value: f64,
    threshold: f64,
    unit: &'static str,
    message: String,
    evidence: &'static str,
) -> Finding {
    let (week, date, activity) = match about {
        About::Run(r) => (Some(r.week.clone()), Some(r.local_date), Some(r.id.clone())),
        About::Week(w) => (Some(w.week.clone()), Some(w.start), None),
        About::Day(d, week) => (week, Some(d), None),
    };
    Finding {
        code,
        severity,
        phase,
        week,
        date,
        activity,
        value,
        threshold,
        unit,
        message,
        evidence,
        grade: evidence_grade(code),
    }
}

/// `single-run-spike` — a run more than 10 % longer than the longest run of the previous 30 days
/// (needs at least one earlier run in them). In 5,205 runners, 10–30 % longer gave a hazard ratio
/// of 1.64, over 100 % longer 2.28 (E1): the one load pattern here with cohort evidence.
fn single_run_spike(
    runs: &[&ActivitySummary],
    load: &Load,
    t: &Thresholds,
    out: &mut Vec<Finding>,
) {
    for c in &load.longest {
        let Some(previous) = c.longest_previous_km.filter(|p| *p > 0.0) else {
            continue;
        };
        let ratio = c.distance_km / previous;
        if ratio <= t.single_run_spike_ratio {
            continue;
        }
        let Some(run) = runs.iter().find(|r| r.id == c.id) else {
            continue;
        };
        let severity = if ratio > t.single_run_spike_high_ratio {
            Severity::High
        } else {
            Severity::Moderate
        };
        out.push(finding(
            "single-run-spike",
            severity,
            Phase::Perform,
            About::Run(run),
            ratio,
            t.single_run_spike_ratio,
            "ratio",
            format!(
                "{:.1} km on {} is {:.0} % longer than the longest run of the previous 30 days \
                 ({:.1} km); runs this much longer are associated with higher injury risk{}",
                c.distance_km,
                iso(c.date),
                (ratio - 1.0) * 100.0,
                previous,
                if c.history_days < super::load::SPIKE_LOOKBACK_DAYS {
                    format!(
                        " (the data starts only {} days earlier, so the 30 days are not all seen)",
                        c.history_days
                    )
                } else {
                    String::new()
                }
            ),
            evidence::E1,
        ));
    }
}

/// `weekly-jump` — a week more than 30 % above the previous one, when that one had at least
/// 10 km. Novices increasing more than 30 % had more distance-related injuries, patellofemoral
/// pain among them, at the edge of significance (E3); 10 % increases are not flagged (E4).
fn weekly_jump(load: &Load, t: &Thresholds, out: &mut Vec<Finding>) {
    for pair in load.weeks.windows(2) {
        let (prev, week) = (&pair[0], &pair[1]);
        // A partial last week can still show a jump; a partial previous week cannot be the base.
        if !prev.complete || prev.run_km < t.weekly_jump_min_previous_km || prev.run_km <= 0.0 {
            continue;
        }
        let ratio = week.run_km / prev.run_km;
        if ratio > t.weekly_jump_ratio {
            out.push(finding(
                "weekly-jump",
                Severity::Moderate,
                Phase::Perform,
                About::Week(week),
                ratio,
                t.weekly_jump_ratio,
                "ratio",
                format!(
                    "week {} ran {:.1} km, {:.0} % more than the week before ({:.1} km); \
                     jumps over 30 % were weakly associated with running injuries in novices",
                    week.week,
                    week.run_km,
                    (ratio - 1.0) * 100.0,
                    prev.run_km
                ),
                evidence::E3,
            ));
        }
    }
}

/// `return-too-fast` — the first 7 days after 14 or more days without running reach 75 % or
/// more of the average week of the 4 weeks before the gap: tissue tolerance drops during a
/// break faster than fitness does (seed).
fn return_too_fast(load: &Load, t: &Thresholds, out: &mut Vec<Finding>) {
    for gap in load.gaps.iter().filter(|g| g.days >= t.return_gap_days) {
        let back = gap.to + Days::new(1);
        // The 4 weeks before the gap, or as much of them as the data holds (at least 2 weeks).
        let data_start = load.days.iter().find(|d| d.runs > 0).map(|d| d.date);
        let before_start = (gap.from - Days::new(28)).max(data_start.unwrap_or(gap.from));
        let covered_days = (gap.from - before_start).num_days();
        if covered_days < 14 {
            continue;
        }
        let before_km: f64 = load
            .days
            .iter()
            .filter(|d| d.date >= before_start && d.date < gap.from)
            .map(|d| d.run_km)
            .sum();
        let average_week = before_km / covered_days as f64 * 7.0;
        if average_week <= 0.0 {
            continue;
        }
        let window_end = back + Days::new(t.return_window_days.max(1) as u64);
        let after_km: f64 = load
            .days
            .iter()
            .filter(|d| d.date >= back && d.date < window_end)
            .map(|d| d.run_km)
            .sum();
        let share = after_km / average_week;
        if share >= t.return_share {
            out.push(finding(
                "return-too-fast",
                Severity::Moderate,
                Phase::Restore,
                About::Day(back, week_of(load, back)),
                share,
                t.return_share,
                "ratio",
                format!(
                    "after {} days without running, the first {} days from {} reached {:.1} km, \
                     {:.0} % of the average week before the break ({:.1} km); a pattern worth \
                     checking",
                    gap.days,
                    t.return_window_days,
                    iso(back),
                    after_km,
                    share * 100.0,
                    average_week
                ),
                evidence::SEED,
            ));
        }
    }
}

/// `acwr-high` — the acute:chronic ratio (EWMA 7/28 days) above 1.5 with at least 28 days of
/// history. Shown as context only: the ratio came from team sports (E5), is contested, and did
/// not show a positive relation in the large running cohort (E1).
fn acwr_high(load: &Load, t: &Thresholds, out: &mut Vec<Finding>) {
    for week in &load.weeks {
        let Some(peak) = week.acwr.filter(|r| *r > t.acwr_high) else {
            continue;
        };
        out.push(finding(
            "acwr-high",
            Severity::Info,
            Phase::Perform,
            About::Week(week),
            peak,
            t.acwr_high,
            "ratio",
            format!(
                "in week {} the 7-day load reached {:.2} times the 28-day load; context only, \
                 the ratio is contested as an injury predictor",
                week.week, peak
            ),
            evidence::E5,
        ));
    }
}

/// `low-cadence` — a run below 170 spm (info) or 166 spm (moderate), and a week where most of the
/// running time is below 170 spm. Higher step rates lower knee energy absorption and
/// patellofemoral force in the lab (E6, E7); ≤ 166 spm came with higher tibiofemoral forces (E9).
fn low_cadence(runs: &[&ActivitySummary], load: &Load, t: &Thresholds, out: &mut Vec<Finding>) {
    for run in runs {
        let Some(cadence) = run.cadence_spm else {
            continue;
        };
        if cadence >= t.low_cadence_spm {
            continue;
        }
        let (severity, threshold) = if cadence < t.very_low_cadence_spm {
            (Severity::Moderate, t.very_low_cadence_spm)
        } else {
            (Severity::Info, t.low_cadence_spm)
        };
        out.push(finding(
            "low-cadence",
            severity,
            Phase::Perform,
            About::Run(run),
            cadence,
            threshold,
            "spm",
            format!(
                "the run on {} had a median cadence of {:.0} spm, below {:.0}; lower step rates \
                 are associated with higher knee load",
                iso(run.local_date),
                cadence,
                threshold
            ),
            evidence::CADENCE,
        ));
    }
    for week in &load.weeks {
        let (mut below, mut total) = (0.0, 0.0);
        for run in runs.iter().filter(|r| r.week_start == week.start) {
            let Some(c) = run.metrics.as_ref().and_then(|m| m.cadence.as_ref()) else {
                continue;
            };
            below += c.below_170_share * run.moving_s;
            total += run.moving_s;
        }
        if total <= 0.0 {
            continue;
        }
        let share = below / total;
        if share > t.low_cadence_week_share {
            out.push(finding(
                "low-cadence",
                Severity::Info,
                Phase::Perform,
                About::Week(week),
                share,
                t.low_cadence_week_share,
                "ratio",
                format!(
                    "in week {} {:.0} % of the running time was below {:.0} spm; lower step \
                     rates are associated with higher knee load",
                    week.week,
                    share * 100.0,
                    t.low_cadence_spm
                ),
                evidence::CADENCE,
            ));
        }
    }
}

/// `cadence-fade` — in runs of 40 minutes or more, the last third's median cadence is 4 % or more
/// below the first third's while the pace holds within ±5 %: form fading with fatigue (seed).
fn cadence_fade(runs: &[&ActivitySummary], t: &Thresholds, out: &mut Vec<Finding>) {
    for run in runs {
        if run.moving_s < t.cadence_fade_min_minutes * 60.0 {
            continue;
        }
        let Some(c) = run.metrics.as_ref().and_then(|m| m.cadence.as_ref()) else {
            continue;
        };
        let (Some(first), Some(last), Some(p1), Some(p3)) = (
            c.first_third_spm,
            c.last_third_spm,
            c.first_third_pace_s_per_km,
            c.last_third_pace_s_per_km,
        ) else {
            continue;
        };
        if first <= 0.0 || p1 <= 0.0 {
            continue;
        }
        let drop_pct = (first - last) / first * 100.0;
        let pace_change_pct = ((p3 - p1) / p1 * 100.0).abs();
        if drop_pct >= t.cadence_fade_pct && pace_change_pct <= t.cadence_fade_pace_pct {
            out.push(finding(
                "cadence-fade",
                Severity::Info,
                Phase::Perform,
                About::Run(run),
                drop_pct,
                t.cadence_fade_pct,
                "pct",
                format!(
                    "on {} the cadence fell from {:.0} to {:.0} spm ({:.1} %) between the first \
                     and last third at the same pace; a pattern worth checking",
                    iso(run.local_date),
                    first,
                    last,
                    drop_pct
                ),
                evidence::SEED,
            ));
        }
    }
}

/// `descent-spike` — a week's descent more than 150 % of the mean of the previous 4 weeks and at
/// least 300 m. Downhill running raises impact and braking forces steeply (E13).
fn descent_spike(load: &Load, t: &Thresholds, out: &mut Vec<Finding>) {
    for i in 4..load.weeks.len() {
        let week = &load.weeks[i];
        if !load.weeks[i - 4..i].iter().all(|w| w.complete) {
            continue;
        }
        let mean = load.weeks[i - 4..i]
            .iter()
            .map(|w| w.descent_m)
            .sum::<f64>()
            / 4.0;
        if week.descent_m < t.descent_spike_min_m {
            continue;
        }
        let ratio = if mean > 0.0 {
            week.descent_m / mean
        } else {
            f64::INFINITY
        };
        if ratio > t.descent_spike_ratio {
            out.push(finding(
                "descent-spike",
                Severity::Moderate,
                Phase::Perform,
                About::Week(week),
                if ratio.is_finite() {
                    ratio
                } else {
                    week.descent_m
                },
                t.descent_spike_ratio,
                if ratio.is_finite() { "ratio" } else { "m" },
                format!(
                    "week {} descended {:.0} m against {:.0} m a week before it on average; \
                     downhill running is associated with higher knee load",
                    week.week, week.descent_m, mean
                ),
                evidence::E13,
            ));
        }
    }
}

/// `steep-descent` — a run with 200 m or more of descent on grades of −10 % or steeper, where
/// impact and braking forces rise by half or more (E13).
fn steep_descent(runs: &[&ActivitySummary], t: &Thresholds, out: &mut Vec<Finding>) {
    for run in runs {
        let Some(g) = run.metrics.as_ref().and_then(|m| m.grade.as_ref()) else {
            continue;
        };
        if g.descent_steep_m >= t.steep_descent_m {
            out.push(finding(
                "steep-descent",
                Severity::Info,
                Phase::Perform,
                About::Run(run),
                g.descent_steep_m,
                t.steep_descent_m,
                "m",
                format!(
                    "the run on {} descended {:.0} m on grades of −10 % or steeper; steep \
                     downhill running is associated with higher knee load",
                    iso(run.local_date),
                    g.descent_steep_m
                ),
                evidence::E13,
            ));
        }
    }
}

/// `hard-days-clustered` — hard sessions on two consecutive days, or three or more within 7 days:
/// too little recovery between loads (seed). One finding per cluster.
fn hard_days_clustered(load: &Load, t: &Thresholds, out: &mut Vec<Finding>) {
    let hard_days: Vec<(NaiveDate, u32)> = load
        .days
        .iter()
        .filter(|d| d.hard_sessions > 0)
        .map(|d| (d.date, d.hard_sessions))
        .collect();
    let mut last_flagged: Option<NaiveDate> = None;
    for (i, &(date, n)) in hard_days.iter().enumerate() {
        let consecutive = i > 0 && (date - hard_days[i - 1].0).num_days() == 1;
        let in_week: u32 = hard_days[..=i]
            .iter()
            .filter(|(d, _)| (date - *d).num_days() < 7)
            .map(|(_, n)| n)
            .sum();
        let crowded = in_week as usize >= t.hard_sessions_in_7_days;
        let same_day = n >= 2;
        if !(consecutive || crowded || same_day) {
            continue;
        }
        // A cluster already reported in the last 7 days is the same cluster.
        if last_flagged.is_some_and(|f| (date - f).num_days() < 7) {
            continue;
        }
        last_flagged = Some(date);
        let message = if consecutive || same_day {
            format!(
                "hard sessions on consecutive days up to {} ({} in 7 days); a pattern worth \
                 checking",
                iso(date),
                in_week
            )
        } else {
            format!(
                "{} hard sessions within 7 days up to {}; a pattern worth checking",
                in_week,
                iso(date)
            )
        };
        out.push(finding(
            "hard-days-clustered",
            Severity::Moderate,
            Phase::Restore,
            About::Day(date, week_of(load, date)),
            in_week as f64,
            t.hard_sessions_in_7_days as f64,
            "sessions",
            message,
            evidence::SEED,
        ));
    }
}

/// `monotony-high` — Foster monotony (mean ÷ SD of the week's daily distances) above 2.0: the
/// same load day after day, linked with illness and overtraining in athletes (E16).
fn monotony_high(load: &Load, t: &Thresholds, out: &mut Vec<Finding>) {
    for week in load.weeks.iter().filter(|w| w.complete) {
        let Some(m) = week.monotony.filter(|m| *m > t.monotony_high) else {
            continue;
        };
        out.push(finding(
            "monotony-high",
            Severity::Info,
            Phase::Restore,
            About::Week(week),
            m,
            t.monotony_high,
            "ratio",
            format!(
                "week {} had a monotony of {:.1}: much the same distance day after day; a \
                 pattern worth checking",
                week.week, m
            ),
            evidence::E16,
        ));
    }
}

/// `stacked-increases` — in one week, distance up 20 %, descent up 50 % and more hard sessions
/// than the week before: hills, speed and volume added at once (seed).
fn stacked_increases(load: &Load, t: &Thresholds, out: &mut Vec<Finding>) {
    for pair in load.weeks.windows(2) {
        let (prev, week) = (&pair[0], &pair[1]);
        if !prev.complete || prev.run_km <= 0.0 || prev.descent_m <= 0.0 {
            continue;
        }
        let distance_pct = (week.run_km - prev.run_km) / prev.run_km * 100.0;
        let descent_pct = (week.descent_m - prev.descent_m) / prev.descent_m * 100.0;
        if distance_pct >= t.stacked_distance_pct
            && descent_pct >= t.stacked_descent_pct
            && week.hard_sessions > prev.hard_sessions
        {
            out.push(finding(
                "stacked-increases",
                Severity::Moderate,
                Phase::Perform,
                About::Week(week),
                distance_pct,
                t.stacked_distance_pct,
                "pct",
                format!(
                    "week {} added distance (+{:.0} %), descent (+{:.0} %) and hard sessions \
                     ({} after {}) at once; a pattern worth checking",
                    week.week, distance_pct, descent_pct, week.hard_sessions, prev.hard_sessions
                ),
                evidence::SEED,
            ));
        }
    }
}

/// `no-easy-start` — runs of 30 minutes or more whose first 10 minutes are not slower than the
/// run's mean moving pace: no warm-up before impact (seed).
fn no_easy_start(runs: &[&ActivitySummary], t: &Thresholds, out: &mut Vec<Finding>) {
    for run in runs {
        if run.moving_s < t.easy_start_min_minutes * 60.0 {
            continue;
        }
        // A warm-up recorded as its own activity (a jog before a race) is an easy start.
        let warmed_up = runs.iter().any(|p| {
            let end = p.start_utc + chrono::Duration::seconds(p.computed.elapsed_s as i64);
            p.start_utc < run.start_utc
                && run.start_utc - end <= chrono::Duration::minutes(t.warm_up_gap_minutes)
        });
        if warmed_up {
            continue;
        }
        let Some(e) = run.metrics.as_ref().and_then(|m| m.easy_start.as_ref()) else {
            continue;
        };
        if e.first_10min_pace_s_per_km <= e.mean_pace_s_per_km {
            out.push(finding(
                "no-easy-start",
                Severity::Info,
                Phase::Prime,
                About::Run(run),
                e.first_10min_pace_s_per_km,
                e.mean_pace_s_per_km,
                "s/km",
                format!(
                    "the run on {} started at {} in its first 10 minutes, no slower than its \
                     mean of {}; a pattern worth checking",
                    iso(run.local_date),
                    pace(e.first_10min_pace_s_per_km),
                    pace(e.mean_pace_s_per_km)
                ),
                evidence::SEED,
            ));
        }
    }
}

fn pace(s_per_km: f64) -> String {
    let s = s_per_km.max(0.0).round() as u64;
    format!("{}:{:02}/km", s / 60, s % 60)
}

/// `strength-gap` — where the data holds strength sessions at all, a week with fewer than 2: the
/// runner's guide asks for 2–3 a week (seed).
fn strength_gap(load: &Load, t: &Thresholds, out: &mut Vec<Finding>) {
    if load.weeks.iter().all(|w| w.strength_sessions == 0) {
        return;
    }
    for week in load.weeks.iter().filter(|w| w.complete) {
        if week.strength_sessions < t.strength_sessions_per_week {
            out.push(finding(
                "strength-gap",
                Severity::Info,
                Phase::Prime,
                About::Week(week),
                week.strength_sessions as f64,
                t.strength_sessions_per_week as f64,
                "sessions",
                format!(
                    "week {} had {} strength session{}, fewer than {}; a pattern worth checking",
                    week.week,
                    week.strength_sessions,
                    if week.strength_sessions == 1 { "" } else { "s" },
                    t.strength_sessions_per_week
                ),
                evidence::SEED,
            ));
        }
    }
}

/// `gct-imbalance` — mean ground-contact-time balance further than 2 points from 50/50: one leg
/// loaded longer than the other (vendor guidance).
fn gct_imbalance(runs: &[&ActivitySummary], t: &Thresholds, out: &mut Vec<Finding>) {
    for run in runs {
        let Some(balance) = run
            .metrics
            .as_ref()
            .and_then(|m| m.dynamics.as_ref())
            .and_then(|d| d.gct_balance_left_pct)
        else {
            continue;
        };
        let off = (balance - 50.0).abs();
        if off > t.gct_balance_points {
            out.push(finding(
                "gct-imbalance",
                Severity::Info,
                Phase::Perform,
                About::Run(run),
                off,
                t.gct_balance_points,
                "pct",
                format!(
                    "on {} ground contact was {:.1} % left / {:.1} % right; a pattern worth \
                     checking",
                    iso(run.local_date),
                    balance,
                    100.0 - balance
                ),
                evidence::VENDOR,
            ));
        }
    }
}

/// `long-run-share` — the long run more than half of a week of 15 km or more. Descriptive: no
/// study links it to injury (E18).
fn long_run_share(load: &Load, t: &Thresholds, out: &mut Vec<Finding>) {
    for week in load.weeks.iter().filter(|w| w.complete) {
        if week.run_km < t.long_run_share_min_week_km || week.run_km <= 0.0 {
            continue;
        }
        let share = week.long_run_km / week.run_km;
        if share > t.long_run_share {
            out.push(finding(
                "long-run-share",
                Severity::Info,
                Phase::Perform,
                About::Week(week),
                share,
                t.long_run_share,
                "ratio",
                format!(
                    "in week {} the long run ({:.1} km) was {:.0} % of the week's {:.1} km; \
                     descriptive only",
                    week.week,
                    week.long_run_km,
                    share * 100.0,
                    week.run_km
                ),
                evidence::E18,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_lie_in_their_ranges_and_the_edges_are_as_documented() {
        let t = Thresholds::default();
        assert_eq!(t.validate(), Ok(()));
        assert_eq!(
            t.ranges().len(),
            33,
            "every threshold but hr_max_bpm (unset)"
        );
        let with_hr = Thresholds {
            hr_max_bpm: Some(230.0),
            ..Thresholds::default()
        };
        assert_eq!(with_hr.ranges().len(), 34);
        assert_eq!(with_hr.validate(), Ok(()));
        let check = |t: Thresholds| t.validate().unwrap_err();
        // A ratio of exactly 1 is not "longer than"; a share of exactly 1 is allowed.
        let e = check(Thresholds {
            weekly_jump_ratio: 1.0,
            ..Thresholds::default()
        });
        assert_eq!(
            e,
            "weekly_jump_ratio = 1 is out of range: a ratio, above 1 up to 10"
        );
        assert_eq!(
            Thresholds {
                long_run_share: 1.0,
                ..Thresholds::default()
            }
            .validate(),
            Ok(())
        );
        assert!(check(Thresholds {
            acwr_high: f64::INFINITY,
            ..Thresholds::default()
        })
        .starts_with("acwr_high = inf is out of range"));
        assert!(check(Thresholds {
            return_gap_days: 0,
            ..Thresholds::default()
        })
        .starts_with("return_gap_days = 0 is out of range: days, from 1"));
        assert!(check(Thresholds {
            single_run_spike_high_ratio: 1.05,
            ..Thresholds::default()
        })
        .contains("must not be below single_run_spike_ratio = 1.1"));
    }
}
