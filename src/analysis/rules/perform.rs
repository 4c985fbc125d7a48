//! Perform: how the runs are done and how load is dosed (cadence, descents, jumps in volume).

use std::collections::HashMap;

use super::{finding, iso, About, Finding, Rule, Severity, Thresholds, Unit};
use crate::analysis::load::Load;
use crate::analysis::ActivitySummary;

/// `single-run-spike` — a run more than 10 % longer than the longest run of the previous 30 days
/// (needs at least one earlier run in them). In 5,205 runners, 10–30 % longer gave a hazard ratio
/// of 1.64, over 100 % longer 2.28 (E1): the one load pattern here with cohort evidence.
pub(super) fn single_run_spike(
    runs: &[&ActivitySummary],
    load: &Load,
    t: &Thresholds,
    out: &mut Vec<Finding>,
) {
    // Each run by its id (the first listed, where two share one), not looked for among all of
    // them for every spike.
    let mut by_id: HashMap<&str, &ActivitySummary> = HashMap::with_capacity(runs.len());
    for run in runs {
        by_id.entry(run.id.as_str()).or_insert(run);
    }
    for c in &load.longest {
        let Some(previous) = c.longest_previous_km.filter(|p| *p > 0.0) else {
            continue;
        };
        let ratio = c.distance_km / previous;
        if ratio <= t.single_run_spike_ratio {
            continue;
        }
        let Some(run) = by_id.get(c.id.as_str()) else {
            continue;
        };
        let severity = if ratio > t.single_run_spike_high_ratio {
            Severity::High
        } else {
            Severity::Moderate
        };
        out.push(finding(
            Rule::SingleRunSpike,
            severity,
            About::Run(run),
            ratio,
            t.single_run_spike_ratio,
            Unit::Ratio,
            format!(
                "{:.1} km on {} is {:.0} % longer than the longest run of the previous 30 days \
                 ({:.1} km); runs this much longer are associated with higher injury risk{}",
                c.distance_km,
                iso(c.date),
                (ratio - 1.0) * 100.0,
                previous,
                if c.history_days < crate::analysis::load::SPIKE_LOOKBACK_DAYS {
                    format!(
                        " (the data starts only {} days earlier, so the 30 days are not all seen)",
                        c.history_days
                    )
                } else {
                    String::new()
                }
            ),
        ));
    }
}

/// `weekly-jump` — a week more than 30 % above the previous one, when that one had at least
/// 10 km. Novices increasing more than 30 % had more distance-related injuries, patellofemoral
/// pain among them, at the edge of significance (E3); 10 % increases are not flagged (E4).
pub(super) fn weekly_jump(load: &Load, t: &Thresholds, out: &mut Vec<Finding>) {
    for pair in load.weeks.windows(2) {
        let (prev, week) = (&pair[0], &pair[1]);
        // A partial last week can still show a jump; a partial previous week cannot be the base.
        if !prev.complete || prev.run_km < t.weekly_jump_min_previous_km || prev.run_km <= 0.0 {
            continue;
        }
        let ratio = week.run_km / prev.run_km;
        if ratio > t.weekly_jump_ratio {
            out.push(finding(
                Rule::WeeklyJump,
                Severity::Moderate,
                About::Week(week),
                ratio,
                t.weekly_jump_ratio,
                Unit::Ratio,
                format!(
                    "week {} ran {:.1} km, {:.0} % more than the week before ({:.1} km); \
                     jumps over {:.0} % were weakly associated with running injuries in novices",
                    week.week,
                    week.run_km,
                    (ratio - 1.0) * 100.0,
                    prev.run_km,
                    (t.weekly_jump_ratio - 1.0) * 100.0
                ),
            ));
        }
    }
}

/// `acwr-high` — the acute:chronic ratio (EWMA 7/28 days) above 1.5 with at least 28 days of
/// history. Shown as context only: the ratio came from team sports (E5), is contested, and did
/// not show a positive relation in the large running cohort (E1).
pub(super) fn acwr_high(load: &Load, t: &Thresholds, out: &mut Vec<Finding>) {
    for week in &load.weeks {
        let Some(peak) = week.acwr.filter(|r| *r > t.acwr_high) else {
            continue;
        };
        out.push(finding(
            Rule::AcwrHigh,
            Severity::Info,
            About::Week(week),
            peak,
            t.acwr_high,
            Unit::Ratio,
            format!(
                "in week {} the 7-day load reached {:.2} times the 28-day load; context only, \
                 the ratio is contested as an injury predictor",
                week.week, peak
            ),
        ));
    }
}

/// `low-cadence` — a run below 170 spm (info) or 166 spm (moderate), and a week where most of the
/// running time is below 170 spm. Higher step rates lower knee energy absorption and
/// patellofemoral force in the lab (E6, E7); ≤ 166 spm came with higher tibiofemoral forces (E9).
pub(super) fn low_cadence(
    runs: &[&ActivitySummary],
    load: &Load,
    t: &Thresholds,
    out: &mut Vec<Finding>,
) {
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
            Rule::LowCadence,
            severity,
            About::Run(run),
            cadence,
            threshold,
            Unit::Spm,
            format!(
                "the run on {} had a median cadence of {:.0} spm, below {:.0}; lower step rates \
                 are associated with higher knee load",
                iso(run.local_date),
                cadence,
                threshold
            ),
        ));
    }
    // Each week's time below and in all, from one pass over the runs (added in their order, as
    // a look through every run for each week adds them).
    let mut by_week: HashMap<chrono::NaiveDate, (f64, f64)> = HashMap::new();
    for run in runs {
        let Some(share) = run.cadence_below_low_share else {
            continue;
        };
        let (below, total) = by_week.entry(run.week_start).or_insert((0.0, 0.0));
        *below += share * run.moving_s;
        *total += run.moving_s;
    }
    for week in &load.weeks {
        let (below, total) = by_week.get(&week.start).copied().unwrap_or((0.0, 0.0));
        if total <= 0.0 {
            continue;
        }
        let share = below / total;
        if share > t.low_cadence_week_share {
            out.push(finding(
                Rule::LowCadence,
                Severity::Info,
                About::Week(week),
                share,
                t.low_cadence_week_share,
                Unit::Ratio,
                format!(
                    "in week {} {:.0} % of the running time was below {:.0} spm; lower step \
                     rates are associated with higher knee load",
                    week.week,
                    share * 100.0,
                    t.low_cadence_spm
                ),
            ));
        }
    }
}

/// `cadence-fade` — in runs of 40 minutes or more, the last third's median cadence is 4 % or more
/// below the first third's while the pace holds within ±5 %: form fading with fatigue (seed).
pub(super) fn cadence_fade(runs: &[&ActivitySummary], t: &Thresholds, out: &mut Vec<Finding>) {
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
                Rule::CadenceFade,
                Severity::Info,
                About::Run(run),
                drop_pct,
                t.cadence_fade_pct,
                Unit::Pct,
                format!(
                    "on {} the cadence fell from {:.0} to {:.0} spm ({:.1} %) between the first \
                     and last third at the same pace; a pattern worth checking",
                    iso(run.local_date),
                    first,
                    last,
                    drop_pct
                ),
            ));
        }
    }
}

/// `descent-spike` — a week's descent more than 150 % of the mean of the previous 4 weeks and at
/// least 300 m. Downhill running raises impact and braking forces steeply (E13).
pub(super) fn descent_spike(load: &Load, t: &Thresholds, out: &mut Vec<Finding>) {
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
            // After four weeks without descent there is no ratio: the week's metres stand
            // against the metres it needed.
            let (value, threshold, unit) = if ratio.is_finite() {
                (ratio, t.descent_spike_ratio, Unit::Ratio)
            } else {
                (week.descent_m, t.descent_spike_min_m, Unit::M)
            };
            out.push(finding(
                Rule::DescentSpike,
                Severity::Moderate,
                About::Week(week),
                value,
                threshold,
                unit,
                format!(
                    "week {} descended {:.0} m against {:.0} m a week before it on average; \
                     downhill running is associated with higher knee load",
                    week.week, week.descent_m, mean
                ),
            ));
        }
    }
}

/// `steep-descent` — a run with 200 m or more of descent on grades of −10 % or steeper, where
/// impact and braking forces rise by half or more (E13).
pub(super) fn steep_descent(runs: &[&ActivitySummary], t: &Thresholds, out: &mut Vec<Finding>) {
    for run in runs {
        let Some(g) = run.metrics.as_ref().and_then(|m| m.grade.as_ref()) else {
            continue;
        };
        if g.descent_steep_m >= t.steep_descent_m {
            out.push(finding(
                Rule::SteepDescent,
                Severity::Info,
                About::Run(run),
                g.descent_steep_m,
                t.steep_descent_m,
                Unit::M,
                format!(
                    "the run on {} descended {:.0} m on grades of −10 % or steeper; steep \
                     downhill running is associated with higher knee load",
                    iso(run.local_date),
                    g.descent_steep_m
                ),
            ));
        }
    }
}

/// `stacked-increases` — in one week, distance up 20 %, descent up 50 % and more hard sessions
/// than the week before: hills, speed and volume added at once (seed).
pub(super) fn stacked_increases(load: &Load, t: &Thresholds, out: &mut Vec<Finding>) {
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
                Rule::StackedIncreases,
                Severity::Moderate,
                About::Week(week),
                distance_pct,
                t.stacked_distance_pct,
                Unit::Pct,
                format!(
                    "week {} added distance (+{:.0} %), descent (+{:.0} %) and hard sessions \
                     ({} after {}) at once; a pattern worth checking",
                    week.week, distance_pct, descent_pct, week.hard_sessions, prev.hard_sessions
                ),
            ));
        }
    }
}

/// `gct-imbalance` — mean ground-contact-time balance further than 2 points from 50/50: one leg
/// loaded longer than the other (vendor guidance).
pub(super) fn gct_imbalance(runs: &[&ActivitySummary], t: &Thresholds, out: &mut Vec<Finding>) {
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
                Rule::GctImbalance,
                Severity::Info,
                About::Run(run),
                off,
                t.gct_balance_points,
                Unit::Pct,
                format!(
                    "on {} ground contact was {:.1} % left / {:.1} % right; a pattern worth \
                     checking",
                    iso(run.local_date),
                    balance,
                    100.0 - balance
                ),
            ));
        }
    }
}

/// `long-run-share` — the long run more than half of a week of 15 km or more. Descriptive: no
/// study links it to injury (E18).
pub(super) fn long_run_share(load: &Load, t: &Thresholds, out: &mut Vec<Finding>) {
    for week in load.weeks.iter().filter(|w| w.complete) {
        if week.run_km < t.long_run_share_min_week_km || week.run_km <= 0.0 {
            continue;
        }
        let share = week.long_run_km / week.run_km;
        if share > t.long_run_share {
            out.push(finding(
                Rule::LongRunShare,
                Severity::Info,
                About::Week(week),
                share,
                t.long_run_share,
                Unit::Ratio,
                format!(
                    "in week {} the long run ({:.1} km) was {:.0} % of the week's {:.1} km; \
                     descriptive only",
                    week.week,
                    week.long_run_km,
                    share * 100.0,
                    week.run_km
                ),
            ));
        }
    }
}
