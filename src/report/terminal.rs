//! The readable summary on stdout: runs, weeks, skipped files.

use std::fmt::Write;

use crate::analysis::{ActivitySummary, Analysis};
use crate::model::Sport;

/// Replaces control characters (escape sequences from a file's strings must not reach a terminal).
pub fn sanitise(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

fn hms(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

fn pace(a: &ActivitySummary) -> String {
    if a.distance_m < 100.0 || a.moving_s <= 0.0 {
        return "-".into();
    }
    let per_km = a.moving_s / (a.distance_m / 1000.0);
    let s = per_km.round() as u64;
    format!("{}:{:02}/km", s / 60, s % 60)
}

fn opt(v: Option<f64>, decimals: usize) -> String {
    v.map_or("-".into(), |v| format!("{v:.decimals$}"))
}

/// Renders the summary.
pub fn render(analysis: &Analysis) -> String {
    let mut out = String::new();
    let runs: Vec<&ActivitySummary> = analysis
        .activities
        .iter()
        .filter(|a| a.counts_as_run())
        .collect();
    let other = analysis
        .activities
        .iter()
        .filter(|a| !a.counts_as_run() && a.duplicate_of.is_none())
        .count();
    let duplicates = analysis
        .activities
        .iter()
        .filter(|a| a.duplicate_of.is_some())
        .count();
    let km: f64 = runs.iter().map(|a| a.distance_m).sum::<f64>() / 1000.0;
    let _ = writeln!(
        out,
        "{} runs, {:.1} km; {} other activities; {} duplicates merged; {} files skipped",
        runs.len(),
        km,
        other,
        duplicates,
        analysis.skipped.len()
    );

    if !runs.is_empty() {
        let _ = writeln!(out, "\nRuns");
        let _ = writeln!(
            out,
            "  {:<16}  {:>7}  {:>8}  {:>9}  {:>7}  {:>6}  source",
            "local start", "km", "time", "pace", "cadence", "ascent"
        );
        for a in &runs {
            let _ = writeln!(
                out,
                "  {:<16}  {:>7.2}  {:>8}  {:>9}  {:>7}  {:>6}  {}",
                a.start_local.format("%Y-%m-%d %H:%M"),
                a.distance_m / 1000.0,
                hms(a.duration_s),
                pace(a),
                opt(a.cadence_spm, 0),
                opt(a.ascent_m, 0),
                sanitise(&a.source)
            );
        }
    }

    if !analysis.weeks.is_empty() {
        let _ = writeln!(out, "\nWeeks");
        let _ = writeln!(
            out,
            "  {:<8}  {:<10}  {:>7}  {:>4}  {:>8}  {:>7}  {:>7}  {:>8}",
            "week", "from", "run km", "runs", "long km", "change", "descent", "strength"
        );
        for w in &analysis.weeks {
            let change = w.change_pct.map_or("-".into(), |c| format!("{c:+.0}%"));
            let _ = writeln!(
                out,
                "  {:<8}  {:<10}  {:>7.1}  {:>4}  {:>8.1}  {:>7}  {:>6.0}m  {:>8}",
                w.week,
                w.start,
                w.run_km,
                w.runs,
                w.long_run_km,
                change,
                w.descent_m,
                w.strength_sessions
            );
        }
    }

    let others: Vec<&ActivitySummary> = analysis
        .activities
        .iter()
        .filter(|a| a.sport != Sport::Running && a.duplicate_of.is_none())
        .collect();
    if !others.is_empty() {
        let _ = writeln!(out, "\nOther activities (not counted as running)");
        for a in others {
            let _ = writeln!(
                out,
                "  {}  {:<9}  {:>7.2} km  {}",
                a.start_local.format("%Y-%m-%d %H:%M"),
                a.sport.as_str(),
                a.distance_m / 1000.0,
                sanitise(&a.source)
            );
        }
    }

    if !analysis.skipped.is_empty() {
        let _ = writeln!(out, "\nSkipped");
        for s in &analysis.skipped {
            let _ = writeln!(out, "  {}: {}", sanitise(&s.source), sanitise(&s.reason));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_replaced() {
        assert_eq!(sanitise("run\u{1b}[31m.fit"), "run?[31m.fit");
        assert_eq!(hms(3725.4), "1:02:05");
    }
}
