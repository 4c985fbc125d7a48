//! Every threshold of RISK_MODEL.md with its default and its allowed range.

use serde::{Deserialize, Serialize};

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
    /// Without HR: a run faster than this percentile of the runner's own run speeds (a high
    /// percentile of speed is a fast pace; the key was once `hard_pace_percentile`)...
    #[serde(alias = "hard_pace_percentile")]
    pub hard_speed_percentile: f64,
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
    /// `return-too-fast` after reduced training: 14 days under this share of the daily average
    /// of the 28 days before them.
    pub return_reduced_share: f64,
    /// `return-too-fast` (and the outlook's return ramp) only where the usual week before the
    /// break or the reduced training was at least this many km.
    pub return_min_week_km: f64,
    /// `acwr-high`: acute:chronic ratio above this.
    pub acwr_high: f64,
    /// `low-cadence`: info below this cadence...
    pub low_cadence_spm: f64,
    /// ...moderate below this one.
    pub very_low_cadence_spm: f64,
    /// `low-cadence`: the share of the running time of the trailing 4 weeks in runs below
    /// `low_cadence_spm` that makes the habit.
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
    /// `no-easy-start`: runs of at least this many moving minutes...
    pub easy_start_min_minutes: f64,
    /// ...whose first 10 minutes are less than this many percent slower than the run's mean.
    pub easy_start_slower_pct: f64,
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
    /// Habits: the share of the runs (or weeks) of the trailing 4 weeks that show a habit for it
    /// to hold...
    pub habit_share: f64,
    /// ...when at least this many runs...
    pub habit_min_runs: usize,
    /// ...or whole weeks can be judged there.
    pub habit_min_weeks: usize,
    /// Habits: weeks in a row that a habit does not hold before it has lapsed (and may be raised
    /// again).
    pub habit_lapse_weeks: usize,
    /// `strength-gap`: judged only for a runner who logged strength sessions in at least this
    /// many of the 12 weeks up to the week judged.
    pub strength_logged_weeks: usize,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            hr_max_bpm: None,
            hard_hr_fraction: 0.85,
            hard_hr_minutes: 20.0,
            hard_hr_share: 0.30,
            hard_speed_percentile: 80.0,
            hard_pace_lookback_weeks: 8,
            hard_pace_min_runs: 4,
            single_run_spike_ratio: 1.10,
            single_run_spike_high_ratio: 2.0,
            weekly_jump_ratio: 1.30,
            weekly_jump_min_previous_km: 10.0,
            return_gap_days: 14,
            return_window_days: 7,
            return_share: 0.75,
            return_reduced_share: 0.30,
            return_min_week_km: 10.0,
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
            easy_start_slower_pct: 3.0,
            warm_up_gap_minutes: 30,
            strength_sessions_per_week: 2,
            gct_balance_points: 2.0,
            long_run_share: 0.5,
            long_run_share_min_week_km: 15.0,
            habit_share: 0.5,
            habit_min_runs: 3,
            habit_min_weeks: 2,
            habit_lapse_weeks: 4,
            strength_logged_weeks: 4,
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
                "hard_speed_percentile",
                self.hard_speed_percentile,
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
                "easy_start_slower_pct",
                self.easy_start_slower_pct,
                Range::from(0.0, 50.0, "a percentage"),
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
            (
                "return_reduced_share",
                self.return_reduced_share,
                Range::above(0.0, 1.0, SHARE),
            ),
            (
                "return_min_week_km",
                self.return_min_week_km,
                Range::from(0.0, 1000.0, "km"),
            ),
            (
                "habit_share",
                self.habit_share,
                Range::above(0.0, 1.0, SHARE),
            ),
            (
                "habit_min_runs",
                self.habit_min_runs as f64,
                Range::from(1.0, 1000.0, "runs"),
            ),
            (
                "habit_min_weeks",
                self.habit_min_weeks as f64,
                Range::from(1.0, 4.0, "weeks"),
            ),
            (
                "habit_lapse_weeks",
                self.habit_lapse_weeks as f64,
                Range::from(1.0, 520.0, "weeks"),
            ),
            (
                "strength_logged_weeks",
                self.strength_logged_weeks as f64,
                Range::from(1.0, 12.0, "weeks of 12"),
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
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_lie_in_their_ranges_and_the_edges_are_as_documented() {
        let t = Thresholds::default();
        assert_eq!(t.validate(), Ok(()));
        assert_eq!(
            t.ranges().len(),
            41,
            "every threshold but hr_max_bpm (unset)"
        );
        let with_hr = Thresholds {
            hr_max_bpm: Some(230.0),
            ..Thresholds::default()
        };
        assert_eq!(with_hr.ranges().len(), 42);
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
