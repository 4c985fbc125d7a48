//! Perform: how the runs are done and how load is dosed (cadence, descents, jumps in volume).

use std::collections::HashMap;

use super::habit::{self, Judged};
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
/// pain among them, at the edge of significance (E3); 10 % increases are not flagged (E4). Info
/// only: in the largest cohort the week-to-week ratio showed no relation with injury (E1).
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
                Severity::Info,
                About::Week(week),
                ratio,
                t.weekly_jump_ratio,
                Unit::Ratio,
                format!(
                    "week {} ran {:.1} km, {:.0} % more than the week before ({:.1} km); \
                     jumps over {:.0} % were weakly associated with running injuries in novices, \
                     though the largest cohort found no relation for the week-to-week ratio",
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
/// history. Shown as context only: the ratio came from team sports (E5), is contested, and was
/// negatively related to injury in the largest running cohort (E1).
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
                 the ratio is contested as an injury predictor and was not a risk in the \
                 largest running cohort",
                week.week, peak
            ),
        ));
    }
}

/// `low-cadence` — a habit: at least half (`low_cadence_week_share`) of the running time of the
/// trailing 4 weeks in runs whose median cadence is below 170 spm (info), or below 166 spm
/// (moderate), over at least 3 runs. Higher step rates lowered knee energy absorption and
/// patellofemoral force in the lab (E6, E7); ≤ 166 spm came with higher tibiofemoral forces
/// (E9). The message gives the runner's own cadence on their easier and their faster runs, and
/// the +5–10 % step that lowered knee load in the lab; the per-run values stay in the runs table.
pub(super) fn low_cadence(
    runs: &[&ActivitySummary],
    load: &Load,
    t: &Thresholds,
    out: &mut Vec<Finding>,
) -> habit::Trend {
    let judged: Vec<Judged> = runs
        .iter()
        .enumerate()
        .filter_map(|(item, r)| {
            let cadence = r.cadence_spm.filter(|c| *c > 0.0)?;
            let week = habit::week_index(&load.weeks, r.week_start)?;
            (r.moving_s > 0.0).then_some(Judged {
                week,
                item,
                weight: r.moving_s,
                shows: cadence < t.low_cadence_spm,
                value: cadence,
            })
        })
        .collect();
    let (trend, episodes) = habit::judge(
        Rule::LowCadence,
        &load.weeks,
        &judged,
        t.habit_lapse_weeks,
        |_| true,
        habit::at_least(t.habit_min_runs, t.low_cadence_week_share),
    );
    for e in &episodes {
        let latest = &e.latest;
        let median = habit::weighted_median(latest.iter().map(|j| (j.value, j.weight)).collect())
            .unwrap_or(f64::NAN);
        let very_low: Vec<Judged> = latest
            .iter()
            .map(|j| Judged {
                shows: j.value < t.very_low_cadence_spm,
                ..*j
            })
            .collect();
        let very = habit::share_of(&very_low) >= t.low_cadence_week_share;
        let (severity, threshold) = if very {
            (Severity::Moderate, t.very_low_cadence_spm)
        } else {
            (Severity::Info, t.low_cadence_spm)
        };
        let paces = cadence_by_pace(runs, latest);
        out.push(habit::raise(
            Rule::LowCadence,
            severity,
            &load.weeks,
            &trend,
            e,
            median,
            threshold,
            Unit::Spm,
            format!(
                "most of your running time in {} was in runs below {:.0} spm{}; a low step rate \
                 is associated with higher knee load, and in the lab a step rate 5–10 % higher \
                 at the same pace, about {:.0}–{:.0} spm for you, lowered it",
                habit::window_words(&load.weeks, e.last),
                threshold,
                paces,
                median * 1.05,
                median * 1.10
            ),
        ));
    }
    trend
}

/// The runner's cadence on their easier and their faster runs of `window` (split at the median
/// pace by running time): `: 162 spm on your easier runs (about 6:10/km), 166 spm on your faster
/// ones (about 5:05/km)`, or their one cadence where the runs cannot be split.
fn cadence_by_pace(runs: &[&ActivitySummary], window: &[Judged]) -> String {
    let with_pace: Vec<(f64, f64, f64)> = window
        .iter()
        .filter_map(|j| {
            let r = runs[j.item];
            let pace = r.moving_s / (r.distance_m / 1000.0);
            (pace.is_finite() && pace > 0.0).then_some((pace, j.value, j.weight))
        })
        .collect();
    let median = |v: Vec<(f64, f64)>| habit::weighted_median(v).unwrap_or(f64::NAN);
    let all_cadence = median(window.iter().map(|j| (j.value, j.weight)).collect());
    if with_pace.len() < 2 {
        return format!(": {all_cadence:.0} spm");
    }
    let split = median(with_pace.iter().map(|(p, _, w)| (*p, *w)).collect());
    let (faster, easier): (Vec<_>, Vec<_>) = with_pace.iter().partition(|(p, _, _)| *p <= split);
    if faster.is_empty() || easier.is_empty() {
        return format!(": {all_cadence:.0} spm");
    }
    let side = |v: &[&(f64, f64, f64)]| {
        let cadence = median(v.iter().map(|(_, c, w)| (*c, *w)).collect());
        let pace = median(v.iter().map(|(p, _, w)| (*p, *w)).collect());
        (cadence, crate::model::units::pace(pace))
    };
    let (easy_c, easy_p) = side(&easier);
    let (fast_c, fast_p) = side(&faster);
    format!(
        ": {easy_c:.0} spm on your easier runs (about {easy_p}), {fast_c:.0} spm on your faster \
         ones (about {fast_p})"
    )
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

/// `steep-descent` — an event: a run with 200 m or more of descent on grades of −10 % or
/// steeper, where impact and braking forces rise well above level running (E13: +54 % and +73 %
/// at about −16 %), and more of it than any run of the 28 days before. The last condition is
/// patella's, beyond RISK_MODEL.md's definition (the README says so): a mountain runner who
/// descends that much every week is told on the run that goes beyond their recent ones, not on
/// every run (one real history got 15 of its 30 events per 12 weeks from this rule alone).
pub(super) fn steep_descent(runs: &[&ActivitySummary], t: &Thresholds, out: &mut Vec<Finding>) {
    let steep = |r: &ActivitySummary| {
        r.metrics
            .as_ref()
            .and_then(|m| m.grade.as_ref())
            .map(|g| g.descent_steep_m)
    };
    // The runs in date order, with the first run of the 28 days before each.
    let mut from = 0usize;
    for (i, run) in runs.iter().enumerate() {
        while (run.local_date - runs[from].local_date).num_days() > 28 {
            from += 1;
        }
        let Some(descent) = steep(run) else {
            continue;
        };
        if descent < t.steep_descent_m {
            continue;
        }
        let recent = runs[from..i]
            .iter()
            .filter(|r| r.local_date < run.local_date)
            .filter_map(|r| steep(r))
            .fold(0.0, f64::max);
        if recent >= descent {
            continue;
        }
        out.push(finding(
            Rule::SteepDescent,
            Severity::Info,
            About::Run(run),
            descent,
            t.steep_descent_m,
            Unit::M,
            format!(
                "the run on {} descended {:.0} m on grades of −10 % or steeper{}; steep \
                 downhill running is associated with higher knee load",
                iso(run.local_date),
                descent,
                if recent > 0.0 {
                    format!(", more than any run of the 28 days before ({recent:.0} m)")
                } else {
                    String::new()
                }
            ),
        ));
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

/// `gct-imbalance` — a habit: the mean ground-contact-time balance of the runs of the trailing 4
/// weeks further than 2 points from 50/50, over at least 3 runs: one leg loaded longer than the
/// other (vendor guidance).
pub(super) fn gct_imbalance(
    runs: &[&ActivitySummary],
    load: &Load,
    t: &Thresholds,
    out: &mut Vec<Finding>,
) -> habit::Trend {
    let judged: Vec<Judged> = runs
        .iter()
        .enumerate()
        .filter_map(|(item, r)| {
            let balance = r
                .metrics
                .as_ref()
                .and_then(|m| m.dynamics.as_ref())
                .and_then(|d| d.gct_balance_left_pct)?;
            Some(Judged {
                week: habit::week_index(&load.weeks, r.week_start)?,
                item,
                weight: 1.0,
                shows: (balance - 50.0).abs() > t.gct_balance_points,
                value: balance,
            })
        })
        .collect();
    let mean = |items: &[Judged]| items.iter().map(|j| j.value).sum::<f64>() / items.len() as f64;
    let (trend, episodes) = habit::judge(
        Rule::GctImbalance,
        &load.weeks,
        &judged,
        t.habit_lapse_weeks,
        |_| true,
        |items: &[Judged]| {
            (items.len() >= t.habit_min_runs).then(|| habit::Reading {
                holds: (mean(items) - 50.0).abs() > t.gct_balance_points,
                share: habit::share_of(items),
            })
        },
    );
    for e in &episodes {
        let balance = mean(&e.latest);
        out.push(habit::raise(
            Rule::GctImbalance,
            Severity::Info,
            &load.weeks,
            &trend,
            e,
            (balance - 50.0).abs(),
            t.gct_balance_points,
            Unit::Pct,
            format!(
                "over {} ground contact averaged {:.1} % left / {:.1} % right on {} runs; a \
                 pattern worth checking",
                habit::window_words(&load.weeks, e.last),
                balance,
                100.0 - balance,
                e.latest.len()
            ),
        ));
    }
    trend
}

/// `long-run-share` — a habit: the long run more than half of the week in at least half of the
/// weeks of 15 km or more of the trailing 4 (at least 2 such weeks). Descriptive: no study links
/// it to injury (E18).
pub(super) fn long_run_share(load: &Load, t: &Thresholds, out: &mut Vec<Finding>) -> habit::Trend {
    let judged: Vec<Judged> = load
        .weeks
        .iter()
        .enumerate()
        .filter(|(_, w)| w.complete && w.run_km >= t.long_run_share_min_week_km && w.run_km > 0.0)
        .map(|(i, w)| {
            let share = w.long_run_km / w.run_km;
            Judged {
                week: i,
                item: i,
                weight: 1.0,
                shows: share > t.long_run_share,
                value: share,
            }
        })
        .collect();
    let (trend, episodes) = habit::judge(
        Rule::LongRunShare,
        &load.weeks,
        &judged,
        t.habit_lapse_weeks,
        |_| true,
        habit::at_least(t.habit_min_weeks, t.habit_share),
    );
    for e in &episodes {
        let showing = e.latest.iter().filter(|j| j.shows).count();
        let last = e
            .latest
            .iter()
            .rfind(|j| j.shows)
            .map(|j| &load.weeks[j.week]);
        out.push(habit::raise(
            Rule::LongRunShare,
            Severity::Info,
            &load.weeks,
            &trend,
            e,
            last.map_or(0.0, |w| w.long_run_km / w.run_km),
            t.long_run_share,
            Unit::Ratio,
            format!(
                "in {showing} of the {} weeks of {:.0} km or more in {} the long run was more \
                 than {:.0} % of the week{}; descriptive only",
                e.latest.len(),
                t.long_run_share_min_week_km,
                habit::window_words(&load.weeks, e.last),
                t.long_run_share * 100.0,
                last.map_or(String::new(), |w| format!(
                    " (latest: {:.1} of {:.1} km in week {})",
                    w.long_run_km, w.run_km, w.week
                ))
            ),
        ));
    }
    trend
}
