//! The readable summary on stdout: runs, weeks, skipped files.

use std::fmt::Write;

use crate::analysis::outlook::Outlook;
use crate::analysis::{ActivitySummary, Analysis, Finding, HrMaxSource, Phase, Severity};
use crate::model::Sport;
use crate::report::format::{self, hms, sanitise, value_words};
use crate::report::{Artifact, Render, RenderContext};

/// The readable summary, `summary.txt`, printed on stdout without `--json`.
pub struct Terminal;

impl Render for Terminal {
    fn render(&self, analysis: &Analysis, _: &RenderContext) -> anyhow::Result<Vec<Artifact>> {
        Ok(vec![Artifact::new("summary.txt", render(analysis))])
    }
}

/// The run's mean moving pace, as the page and the tables give it.
fn pace(a: &ActivitySummary) -> String {
    a.metrics
        .as_ref()
        .and_then(|m| m.mean_pace_s_per_km)
        .map_or("-".into(), format::pace)
}

fn opt(v: Option<f64>, decimals: usize) -> String {
    v.map_or("-".into(), |v| format!("{v:.decimals$}"))
}

/// `text` in lines of at most `width` characters, each after `indent` (the first after
/// `first`).
pub(crate) fn wrap(text: &str, first: &str, indent: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = first.to_string();
    let mut empty = true;
    for word in text.split_whitespace() {
        if !empty && line.chars().count() + 1 + word.chars().count() > width {
            out.push_str(&line);
            out.push('\n');
            line = indent.to_string();
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    out.push_str(&line);
    out.push('\n');
    out
}

/// The outlook: one sentence per limit, then what was left out and why.
fn render_outlook(out: &mut String, o: &Outlook) {
    let end = o.week_start + chrono::Days::new(6);
    let _ = writeln!(
        out,
        "This week ({} to {}), as of {}",
        o.week_start.format("%a %Y-%m-%d"),
        end.format("%a %Y-%m-%d"),
        o.as_of.format("%a %Y-%m-%d")
    );
    for item in &o.items {
        out.push_str(&wrap(&sanitise(&item.text), "  - ", "    ", 100));
    }
    for l in &o.left_out {
        out.push_str(&wrap(
            &format!("{}: {}", l.code, sanitise(&l.reason)),
            "  left out: ",
            "    ",
            100,
        ));
    }
    out.push('\n');
}

/// Renders the summary.
pub fn render(analysis: &Analysis) -> String {
    let mut out = String::new();
    if let Some(o) = &analysis.outlook {
        render_outlook(&mut out, o);
    }
    let runs: Vec<&ActivitySummary> = analysis.runs().collect();
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
    let km = analysis.run_km();
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
            "  {:<16}  {:>7}  {:>8}  {:>9}  {:>7}  {:>6}  name, source",
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
                named_source(a)
            );
        }
    }

    if !analysis.weeks.is_empty() {
        let _ = writeln!(out, "\nWeeks");
        let _ = writeln!(
            out,
            "  {:<8}  {:<10}  {:>7}  {:>4}  {:>7}  {:>6}  {:>7}  {:>4}  {:>8}  {:>5}  {:>8}",
            "week",
            "from",
            "run km",
            "runs",
            "long km",
            "change",
            "descent",
            "hard",
            "strength",
            "acwr",
            "monotony"
        );
        for w in &analysis.weeks {
            let change = w.change_pct.map_or("-".into(), |c| format!("{c:+.0}%"));
            let _ = writeln!(
                out,
                "  {:<8}  {:<10}  {:>7.1}  {:>4}  {:>7.1}  {:>6}  {:>6.0}m  {:>4}  {:>8}  {:>5}  {:>8}",
                w.week,
                w.start,
                w.run_km,
                w.runs,
                w.long_run_km,
                change,
                w.descent_m,
                w.hard_sessions,
                w.strength_sessions,
                opt(w.acwr, 2),
                opt(w.monotony, 1)
            );
        }
    }

    render_findings(&mut out, &analysis.findings);
    if let (Some(hr), Some(HrMaxSource::Samples)) = (analysis.hr_max_bpm, analysis.hr_max_source) {
        let _ = writeln!(
            out,
            "\nHard sessions use HRmax {hr:.0} bpm, the 99th percentile of your own heart-rate \
             samples; if you know your HRmax, set hr_max_bpm under [thresholds] in a --config file."
        );
    }

    let others: Vec<&ActivitySummary> = analysis
        .activities
        .iter()
        .filter(|a| a.sport != Sport::Running && a.duplicate_of.is_none())
        .collect();
    if !others.is_empty() {
        let _ = writeln!(out, "\nOther activities (not counted as running)");
        for a in others {
            let sets = super::format::strength_words(a);
            // A session without distance (strength, mostly) shows its duration instead.
            let amount = if a.distance_m > 0.0 {
                format!("{:.2} km", a.distance_m / 1000.0)
            } else {
                super::format::hms(a.duration_s)
            };
            let _ = writeln!(
                out,
                "  {}  {:<9}  {:>10}  {}{}",
                a.start_local.format("%Y-%m-%d %H:%M"),
                a.sport.as_str(),
                amount,
                if sets.is_empty() {
                    String::new()
                } else {
                    format!("{sets}  ")
                },
                named_source(a)
            );
        }
    }

    if !analysis.gear.is_empty() {
        let _ = writeln!(out, "\nShoes (counted runs)");
        for g in &analysis.gear {
            let _ = writeln!(
                out,
                "  {:>8.1} km  {:>4} runs  {}",
                g.km,
                g.runs,
                sanitise(&g.gear)
            );
        }
    }

    if !analysis.skipped.is_empty() {
        let _ = writeln!(out, "\nSkipped");
        for s in &analysis.skipped {
            let _ = writeln!(
                out,
                "  {}: {}",
                sanitise(&s.source),
                sanitise(&s.reason.to_string())
            );
        }
    }
    out
}

/// Findings grouped Prime / Perform / Restore, most severe first, then by date.
fn render_findings(out: &mut String, findings: &[Finding]) {
    if findings.is_empty() {
        let _ = writeln!(out, "\nFindings: none");
        return;
    }
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    let _ = writeln!(
        out,
        "\nFindings: {} high, {} moderate, {} info",
        count(Severity::High),
        count(Severity::Moderate),
        count(Severity::Info)
    );
    for phase in [Phase::Prime, Phase::Perform, Phase::Restore] {
        let mut group: Vec<&Finding> = findings.iter().filter(|f| f.phase == phase).collect();
        if group.is_empty() {
            continue;
        }
        group.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.date.cmp(&b.date)));
        let _ = writeln!(out, "\n{}", phase.title());
        for f in group {
            let when = f
                .date
                .map_or_else(|| f.week.clone().unwrap_or_default(), |d| d.to_string());
            let severity = f.severity.word();
            let _ = writeln!(out, "  {severity:<8}  {:<19}  {when}", f.code);
            let _ = writeln!(out, "            {}", sanitise(&f.message));
            let _ = writeln!(
                out,
                "            value {}; evidence: {}",
                value_words(f),
                f.evidence
            );
        }
    }
}

/// The name and gear a manifest gave, then the source: `Tempo [Pegasus]  run.fit`.
fn named_source(a: &ActivitySummary) -> String {
    let name = super::format::name_words(a);
    let source = super::format::source_words(a);
    if name.is_empty() {
        source
    } else {
        format!("{name}  {source}")
    }
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
