//! The readable summary on stdout: the outlook, the findings grouped by code, the weeks, of the
//! last 12 weeks unless `--since` or `--all` widen it; each run with `--runs`.

use std::fmt::Write;

use crate::analysis::outlook::Outlook;
use chrono::NaiveDate;

use crate::analysis::{ActivitySummary, Analysis, Finding, HrMaxSource, Kind, Severity};
use crate::model::Sport;
use crate::report::format::{self, hms, sanitise, value_words};
use crate::report::{Artifact, Render, RenderContext};

/// The readable summary, `summary.txt`, printed on stdout without `--json`.
pub struct Terminal;

impl Render for Terminal {
    fn render(&self, analysis: &Analysis, ctx: &RenderContext) -> anyhow::Result<Vec<Artifact>> {
        Ok(vec![Artifact::new(
            "summary.txt",
            render_view(analysis, &ctx.terminal),
        )])
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

/// How much of the history the terminal lists: by default the last 12 weeks, runs left out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct View {
    /// The first day listed (`--since`); `None` with `all`, or for the last 12 weeks.
    pub since: Option<NaiveDate>,
    /// Everything (`--all`): every week, finding and skipped file.
    pub all: bool,
    /// List each run and other activity (`--runs`).
    pub runs: bool,
    /// ANSI colour (a terminal, and `NO_COLOR` unset).
    pub colour: bool,
}

/// Weeks the summary lists without `--since` or `--all`.
pub const RECENT_WEEKS: usize = 12;

/// Occurrences of one code listed before "and N more".
const OCCURRENCES_LISTED: usize = 8;

/// `text` in the colour of `code` (an SGR parameter) when `on`.
pub(crate) fn paint(on: bool, code: &str, text: &str) -> String {
    if on {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

pub(crate) fn severity_colour(s: Severity) -> &'static str {
    match s {
        Severity::High => "1;31",
        Severity::Moderate => "33",
        Severity::Info => "34",
    }
}

/// A section's heading after a blank line, bold when the view has colour.
fn heading(out: &mut String, view: &View, text: &str) {
    let _ = writeln!(out, "\n{}", paint(view.colour, "1", text));
}

/// Renders the summary with the default [`View`].
pub fn render(analysis: &Analysis) -> String {
    render_view(analysis, &View::default())
}

/// Renders the summary: the outlook, the counts, the findings grouped by code, the weeks, and
/// (with `--runs`) each run; of the last 12 weeks unless `view` widens it.
pub fn render_view(analysis: &Analysis, view: &View) -> String {
    let mut out = String::new();
    let bold = |t: &str| paint(view.colour, "1", t);
    if let Some(o) = &analysis.outlook {
        let mut text = String::new();
        render_outlook(&mut text, o);
        // The heading in bold.
        if let Some((head, rest)) = text.split_once('\n') {
            out.push_str(&bold(head));
            out.push('\n');
            out.push_str(rest);
        }
    }
    // One line when the runner's own pain log points to a trigger.
    if let Some(line) = format::own_triggers_line(analysis) {
        out.push_str(&wrap(&line, "", "  ", 100));
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
    let _ = writeln!(
        out,
        "{} runs, {:.1} km; {} other activities; {} duplicates merged; {} files skipped{}",
        runs.len(),
        analysis.run_km(),
        other,
        duplicates,
        analysis.skipped.len(),
        if analysis.skipped.is_empty() || view.all {
            ""
        } else {
            " (on stderr)"
        }
    );

    // The window: the last 12 weeks before the outlook's day, or from --since, or all.
    let as_of = analysis.outlook.as_ref().map(|o| o.as_of);
    let weeks: Vec<&crate::analysis::Week> = analysis
        .weeks
        .iter()
        .filter(|w| as_of.is_none_or(|d| w.start < d) || view.all)
        .collect();
    let from: Option<NaiveDate> = if view.all {
        None
    } else if let Some(d) = view.since {
        Some(d)
    } else {
        format::recent_from(analysis, RECENT_WEEKS)
    };
    let shown = |d: NaiveDate| from.is_none_or(|f| d >= f);
    match from {
        Some(f) if view.since.is_none() => {
            let _ = writeln!(
                out,
                "Showing the last {RECENT_WEEKS} weeks, from {f}: --since DATE or --all for more, \
                 --runs for each run."
            );
        }
        Some(f) => {
            let _ = writeln!(out, "Showing from {f}: --all for everything.");
        }
        None if !view.runs => {
            let _ = writeln!(
                out,
                "Showing all {} week{}: --runs for each run.",
                weeks.len(),
                if weeks.len() == 1 { "" } else { "s" }
            );
        }
        None => {}
    }

    // What matters now: the events of the 14 days before the outlook's day, the habits in
    // force on it.
    if let Some(o) = &analysis.outlook {
        render_open(&mut out, analysis, o.as_of, view);
    }

    let listed: Vec<&&crate::analysis::Week> = weeks
        .iter()
        .filter(|w| shown(w.start + chrono::Days::new(6)))
        .collect();
    if !listed.is_empty() {
        heading(&mut out, view, "Weeks");
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
        for w in listed {
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

    // The events of the window, grouped by code; with --all, every habit as it came and went.
    let events: Vec<&Finding> = analysis
        .findings
        .iter()
        .filter(|f| f.kind == Kind::Event && f.date.is_none_or(shown))
        .collect();
    render_findings(&mut out, &events, view);
    if view.all {
        render_habits(&mut out, analysis, view);
    }
    render_pain(&mut out, analysis, &shown, view);

    if view.runs {
        render_runs(&mut out, analysis, &runs, &shown, view);
    }

    if let (Some(hr), Some(HrMaxSource::Samples)) = (analysis.hr_max_bpm, analysis.hr_max_source) {
        out.push('\n');
        out.push_str(&wrap(
            &format!(
                "Hard sessions use HRmax {hr:.0} bpm, the 99th percentile of your own heart-rate \
                 samples; if you know your HRmax, set hr_max_bpm under [thresholds] in a \
                 --config file."
            ),
            "",
            "",
            100,
        ));
    }

    if !analysis.gear.is_empty() {
        heading(&mut out, view, "Shoes (counted runs)");
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

    if view.all && !analysis.skipped.is_empty() {
        heading(&mut out, view, "Skipped");
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

/// Each run of the window, then the other activities (`--runs`).
fn render_runs(
    out: &mut String,
    analysis: &Analysis,
    runs: &[&ActivitySummary],
    shown: &dyn Fn(NaiveDate) -> bool,
    view: &View,
) {
    let runs: Vec<&&ActivitySummary> = runs.iter().filter(|a| shown(a.local_date)).collect();
    if !runs.is_empty() {
        heading(out, view, "Runs");
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
    let others: Vec<&ActivitySummary> = analysis
        .activities
        .iter()
        .filter(|a| a.sport != Sport::Running && a.duplicate_of.is_none() && shown(a.local_date))
        .collect();
    if !others.is_empty() {
        let _ = writeln!(
            out,
            "\n{}",
            paint(
                view.colour,
                "1",
                "Other activities (not counted as running)"
            )
        );
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
}

/// Pain entries listed before "and N more" without `--all`.
const PAIN_LISTED: usize = 4;

/// The pain log's entries of the window, latest last: what preceded each, what the data shows,
/// and whether it is one for a clinician.
fn render_pain(
    out: &mut String,
    analysis: &Analysis,
    shown: &dyn Fn(NaiveDate) -> bool,
    view: &View,
) {
    let entries: Vec<&crate::analysis::pain::PainEntry> =
        analysis.pain.iter().filter(|p| shown(p.date)).collect();
    if entries.is_empty() {
        return;
    }
    let skip = if view.all {
        0
    } else {
        entries.len().saturating_sub(PAIN_LISTED)
    };
    heading(
        out,
        view,
        &format!(
            "Pain log: {} entr{}{}",
            entries.len(),
            if entries.len() == 1 { "y" } else { "ies" },
            if skip > 0 {
                format!(", the last {PAIN_LISTED} (--all for every one)")
            } else {
                String::new()
            }
        ),
    );
    for p in &entries[skip..] {
        let mut codes: Vec<&str> = p.preceded_by.iter().map(|f| f.code.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        let head = format!(
            "{}  {} knee, {}/10, {}{}",
            p.date,
            p.knee.as_str(),
            p.score,
            p.when.as_str(),
            if p.note.is_empty() {
                String::new()
            } else {
                format!(": {}", sanitise(&p.note))
            }
        );
        out.push_str(&wrap(&head, "  ", "      ", 100));
        let before = if codes.is_empty() {
            "no finding in the 14 days before".to_string()
        } else {
            format!("after {}", codes.join(", "))
        };
        out.push_str(&wrap(
            &format!("{before}; {}", sanitise(&p.self_check)),
            "      ",
            "      ",
            100,
        ));
        if let Some(why) = &p.clinician_reason {
            let text = format!("See a clinician: {}.", sanitise(why));
            out.push_str(&wrap(
                &paint(view.colour, "1;31", &text),
                "      ",
                "      ",
                100,
            ));
        }
    }
}

/// The events of the 14 days before `as_of`, each in full, most recent first; then the habits in
/// force on it, one line each.
fn render_open(out: &mut String, analysis: &Analysis, as_of: NaiveDate, view: &View) {
    let (events, more) = format::opening_events(&analysis.findings, as_of);
    if events.is_empty() {
        let _ = writeln!(out, "\nNo events in the 14 days before {as_of}.");
    } else {
        heading(out, view, &format!("Events in the 14 days before {as_of}"));
        for f in events {
            let when = f.date.map_or_else(String::new, |d| format!(" on {d}"));
            severity_line(out, view, f.severity, &finding_words(f, &when));
        }
        if let Some(more) = more {
            out.push_str(&wrap(&more, "  ", "    ", 100));
        }
    }
    let habits: Vec<&Finding> = analysis
        .findings
        .iter()
        .filter(|f| f.habit_in_force(as_of - chrono::Days::new(1)))
        .collect();
    if habits.is_empty() {
        return;
    }
    heading(out, view, &format!("Habits in force on {as_of}"));
    for f in habits {
        severity_line(out, view, f.severity, &format::habit_line(f));
    }
}

/// Every habit as it set in and lapsed (`--all`): since, until, its share, its message.
fn render_habits(out: &mut String, analysis: &Analysis, view: &View) {
    let habits: Vec<&Finding> = analysis
        .findings
        .iter()
        .filter(|f| f.kind == Kind::Habit)
        .collect();
    if habits.is_empty() {
        return;
    }
    heading(out, view, "Habits, as they set in and lapsed");
    for f in habits {
        let span = match (f.since, f.until) {
            (Some(s), Some(u)) => format!(" {s} to {u}"),
            (Some(s), None) => format!(" since {s}"),
            _ => " ".to_string(),
        };
        severity_line(out, view, f.severity, &finding_words(f, &span));
    }
}

/// `text` after the severity word (coloured when the view has colour), wrapped at 100 columns
/// under it: a finding's line of the opening and of the habits.
fn severity_line(out: &mut String, view: &View, severity: Severity, text: &str) {
    let word = paint(
        view.colour,
        severity_colour(severity),
        &format!("{:<8}", severity.word()),
    );
    out.push_str(&wrap(text, &format!("  {word}  "), "            ", 100));
}

/// A finding in words: its code, `when`, its message, its value against the threshold, its
/// evidence and grade.
fn finding_words(f: &Finding, when: &str) -> String {
    format!(
        "{}{when}: {} ({}; {}, {})",
        f.code.code(),
        sanitise(&f.message),
        value_words(f),
        evidence_key(f),
        f.grade.as_str()
    )
}

/// A finding's evidence by its key (E1, seed); the report and the JSON give it whole.
fn evidence_key(f: &Finding) -> &'static str {
    f.evidence
        .split_whitespace()
        .next()
        .unwrap_or("")
        .trim_end_matches([':', ';'])
}

/// Events grouped by code, most severe first: where and how often each fired, then its latest
/// occurrence in words.
fn render_findings(out: &mut String, findings: &[&Finding], view: &View) {
    if findings.is_empty() {
        let _ = writeln!(out, "\nEvents: none");
        return;
    }
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    heading(
        out,
        view,
        &format!(
            "Events: {} high, {} moderate, {} info",
            count(Severity::High),
            count(Severity::Moderate),
            count(Severity::Info)
        ),
    );
    let mut codes: Vec<crate::analysis::Rule> = findings.iter().map(|f| f.code).collect();
    codes.sort();
    codes.dedup();
    let mut groups: Vec<(Severity, crate::analysis::Rule, Vec<&Finding>)> = codes
        .into_iter()
        .map(|code| {
            let mut group: Vec<&Finding> = findings
                .iter()
                .copied()
                .filter(|f| f.code == code)
                .collect();
            group.sort_by_key(|f| f.date);
            let worst = group
                .iter()
                .map(|f| f.severity)
                .max()
                .unwrap_or(Severity::Info);
            (worst, code, group)
        })
        .collect();
    groups.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (worst, code, group) in groups {
        let years: std::collections::BTreeSet<&str> = group
            .iter()
            .filter_map(|f| f.week.as_deref()?.split('-').next())
            .collect();
        // A run's finding is named by its date, a week's by its week (without the year when
        // all are of one year); a code that fires on both (low-cadence) lists both.
        let runs = group.iter().filter(|f| f.activity.is_some()).count();
        let occurrence = |f: &Finding| -> String {
            match (&f.activity, f.week.as_deref()) {
                (None, Some(w)) if years.len() == 1 => w.split('-').nth(1).unwrap_or(w).to_string(),
                (None, Some(w)) => w.to_string(),
                _ => f.date.map_or_else(String::new, |d| d.to_string()),
            }
        };
        let mut list: Vec<String> = group.iter().map(|f| occurrence(f)).collect();
        list.dedup();
        let more = list.len().saturating_sub(OCCURRENCES_LISTED);
        list.truncate(OCCURRENCES_LISTED);
        if more > 0 {
            list.push(format!("and {more} more"));
        }
        let n = group.len();
        let plural = |k: usize, one: &str, many: &str| {
            if k == 1 {
                format!("1 {one}")
            } else {
                format!("{k} {many}")
            }
        };
        let what = if runs == n {
            format!("on {}", plural(n, "run", "runs"))
        } else if runs == 0 {
            format!("in {}", plural(n, "week", "weeks"))
        } else {
            format!(
                "on {} and in {}",
                plural(runs, "run", "runs"),
                plural(n - runs, "week", "weeks")
            )
        };
        let severity = paint(
            view.colour,
            severity_colour(worst),
            &format!("{:<8}", worst.word()),
        );
        out.push_str(&wrap(
            &format!("{:<19} {what}: {}", code.code(), list.join(", ")),
            &format!("  {severity}  "),
            "            ",
            100,
        ));
        if let Some(latest) = group.last() {
            out.push_str(&wrap(
                &format!(
                    "latest: {} ({}; {}, {})",
                    sanitise(&latest.message),
                    value_words(latest),
                    evidence_key(latest),
                    latest.grade.as_str()
                ),
                "            ",
                "            ",
                100,
            ));
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
