//! Wording and number formats shared by the terminal summary, the inspection, the page and the
//! charts.

use crate::analysis::{ActivitySummary, Finding, Unit};
use crate::model::Origin;

pub use crate::model::units::pace;

/// Replaces control characters and bidirectional overrides with `?`: escape sequences from a
/// file's strings (names, creators, paths) must not reach a terminal, nor text that reorders
/// what is shown around it; the page, the charts and the CSV tables show them the same way.
pub fn sanitise(s: &str) -> String {
    s.chars()
        .map(|c| if shown_as_is(c) { c } else { '?' })
        .collect()
}

/// Whether [`sanitise`] keeps a character. Not kept: control characters (ESC opens colours, cursor
/// moves and OSC 8 hyperlinks, BEL ends the hyperlink's address, a carriage return overwrites the
/// line), and the bidirectional embeddings, overrides and isolates U+202A–U+202E and
/// U+2066–U+2069, which make the text after them read in another order than it is stored in
/// ("Trojan Source", CVE-2021-42574). Only the characters, not the text between them, are
/// replaced: what an OSC 8 sequence wraps stays readable, and its address shows as text.
fn shown_as_is(c: char) -> bool {
    !(c.is_control()
        || ('\u{202a}'..='\u{202e}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c))
}

/// Where an activity came from, as the reports show its source: the source itself, marked when
/// it is a manifest row without a file (`export.zip!activities.csv row 7, no file`).
pub fn source_words(a: &ActivitySummary) -> String {
    match a.origin {
        Origin::File => sanitise(&a.source),
        Origin::StravaCsv | Origin::GarminJson => {
            format!("{} row {}, no file", sanitise(&a.source), a.session)
        }
    }
}

/// An activity's name and gear from its manifest: `Tempo Thursday [Pegasus 40]`, `` when
/// neither is known.
pub fn name_words(a: &ActivitySummary) -> String {
    match (&a.name, &a.gear) {
        (Some(n), Some(g)) => format!("{} [{}]", sanitise(n), sanitise(g)),
        (Some(n), None) => sanitise(n),
        (None, Some(g)) => format!("[{}]", sanitise(g)),
        (None, None) => String::new(),
    }
}

/// The first day of the last `weeks` weeks that start before the outlook's day (the recent
/// history the terminal lists and the report opens with); `None` when the data holds no more
/// weeks than that.
pub fn recent_from(a: &crate::analysis::Analysis, weeks: usize) -> Option<chrono::NaiveDate> {
    let as_of = a.outlook.as_ref().map(|o| o.as_of);
    let before: Vec<&crate::analysis::Week> = a
        .weeks
        .iter()
        .filter(|w| as_of.is_none_or(|d| w.start < d))
        .collect();
    before
        .len()
        .checked_sub(weeks)
        .filter(|skip| *skip > 0)
        .and_then(|skip| before.get(skip))
        .map(|w| w.start)
}

/// The sets a strength session logged: `4 sets, 38 repetitions`; `` where it logged none.
pub fn strength_words(a: &ActivitySummary) -> String {
    match a.strength {
        Some(st) => format!(
            "{} set{}, {} repetition{}",
            st.sets,
            if st.sets == 1 { "" } else { "s" },
            st.repetitions,
            if st.repetitions == 1 { "" } else { "s" }
        ),
        None => String::new(),
    }
}

/// A duration as `h:mm:ss`.
pub fn hms(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

/// A number without useless decimals: `170`, `1.5`, `0.25` (at most 2 decimals).
pub fn number(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{:.0}", v.round())
    } else {
        let s = format!("{v:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// A ratio as a whole percentage: `1.1` → `110 %`.
pub fn ratio_pct(ratio: f64) -> String {
    format!("{:.0} %", ratio * 100.0)
}

/// Events the terminal and the report open with in full; the others of the 14 days are named in
/// one line ([`opening_events`]).
pub const OPENING_EVENTS: usize = 5;

/// The events dated in the 14 days before `as_of`, as the terminal and the report open with them:
/// the [`OPENING_EVENTS`] most severe (the most recent among equals), most recent first, and one
/// line naming the others by code (`None` when there are none). A fortnight that holds a burst
/// of events (a real one: 13, from a week of 13.6 km to two of 65 and 112 km with 5,257 m of
/// descent) opens with the five that matter most, not a screen of them.
pub fn opening_events<'a>(
    findings: impl IntoIterator<Item = &'a Finding>,
    as_of: chrono::NaiveDate,
) -> (Vec<&'a Finding>, Option<String>) {
    let since = as_of - chrono::Days::new(crate::analysis::outlook::OPEN_FINDINGS_DAYS);
    let mut events: Vec<&Finding> = findings
        .into_iter()
        .filter(|f| f.kind == crate::analysis::Kind::Event)
        .filter(|f| f.date.is_some_and(|d| d >= since && d < as_of))
        .collect();
    events.sort_by(|a, b| b.severity.cmp(&a.severity).then(b.date.cmp(&a.date)));
    let rest = events.split_off(events.len().min(OPENING_EVENTS));
    events.sort_by(|a, b| b.date.cmp(&a.date).then(b.severity.cmp(&a.severity)));
    if rest.is_empty() {
        return (events, None);
    }
    let mut by_code: Vec<(&str, usize)> = Vec::new();
    for f in &rest {
        match by_code.iter_mut().find(|(c, _)| *c == f.code.code()) {
            Some((_, n)) => *n += 1,
            None => by_code.push((f.code.code(), 1)),
        }
    }
    by_code.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    let named: Vec<String> = by_code
        .iter()
        .map(|(c, n)| {
            if *n == 1 {
                c.to_string()
            } else {
                format!("{c} ×{n}")
            }
        })
        .collect();
    let line = format!(
        "and {} more in these 14 days, listed below with the weeks: {}",
        rest.len(),
        named.join(", ")
    );
    (events, Some(line))
}

/// A habit in one line: `low-cadence since 2025-01-06: 162 spm against a threshold of 170 spm;
/// 92 % of running time over the last 4 weeks`.
pub fn habit_line(f: &Finding) -> String {
    use crate::analysis::Rule;
    let of = match f.code {
        Rule::LowCadence => "of running time",
        Rule::NoEasyStart | Rule::GctImbalance => "of runs",
        Rule::LongRunShare => "of weeks of enough running",
        _ => "of weeks",
    };
    let since = f.since.map_or_else(String::new, |s| format!(" since {s}"));
    let share = f.share.map_or_else(String::new, |s| {
        format!("{:.0} % {of} over the last 4 weeks", s * 100.0)
    });
    // The value words add nothing where the value is the share itself.
    if f.share == Some(f.value) {
        format!(
            "{}{since}: {share} (it holds from {})",
            f.code.code(),
            ratio_pct(f.threshold)
        )
    } else {
        format!("{}{since}: {}; {share}", f.code.code(), value_words(f))
    }
}

/// The terminal's opening line when the runner's own pain log points to a trigger: `Your own
/// pain log: 4 of your 5 pain episodes followed ... (habits are not tested this way)`; `None`
/// when no trigger is significant.
pub fn own_triggers_line(a: &crate::analysis::Analysis) -> Option<String> {
    let t = a.triggers.as_ref()?;
    let sentences: Vec<String> = t.significant().map(|t| t.sentence()).collect();
    if sentences.is_empty() {
        return None;
    }
    Some(format!(
        "Your own pain log: {}; a pattern to watch, not a cause (habits are not tested this way).",
        sentences.join("; ")
    ))
}

/// A finding's value against its threshold, in plain words.
pub fn value_words(f: &Finding) -> String {
    match f.unit {
        Unit::Ratio => format!("{:.2} against a threshold of {:.2}", f.value, f.threshold),
        Unit::Pct => format!(
            "{:.1} % against a threshold of {:.1} %",
            f.value, f.threshold
        ),
        Unit::SPerKm => format!(
            "first 10 minutes at {}; an easy start is {} or slower",
            pace(f.value),
            pace(f.threshold)
        ),
        // A habit's value is a mean over weeks: a decimal where it is not whole.
        Unit::Sessions if f.value.fract() != 0.0 => format!(
            "{:.1} a week against a threshold of {:.0} a week",
            f.value, f.threshold
        ),
        Unit::Sessions => format!(
            "{:.0} in 7 days against a threshold of {:.0} in 7 days",
            f.value, f.threshold
        ),
        Unit::DaysInARow => format!(
            "{:.0} hard days in a row; the rule fires at {:.0} in a row",
            f.value, f.threshold
        ),
        unit => format!(
            "{:.0} {unit} against a threshold of {:.0} {unit}",
            f.value,
            f.threshold,
            unit = unit.as_str()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(pace(345.4), "5:45/km");
        assert_eq!(hms(3725.4), "1:02:05");
        assert_eq!(number(170.0), "170");
        assert_eq!(number(1.5), "1.5");
        assert_eq!(number(0.333), "0.33");
        assert_eq!(ratio_pct(1.1), "110 %");
        assert_eq!(ratio_pct(1.25), "125 %");
    }

    #[test]
    fn a_burst_of_events_opens_with_the_five_most_severe_and_names_the_rest() {
        use crate::analysis::{Rule, Severity};
        use chrono::NaiveDate;
        let day = |d: u32| NaiveDate::from_ymd_opt(2025, 3, d).unwrap();
        let event = |rule: Rule, severity: Severity, d: u32| {
            let info = rule.info();
            Finding {
                code: rule,
                kind: info.kind,
                severity,
                phase: info.phase,
                week: None,
                date: Some(day(d)),
                activity: None,
                value: 1.0,
                threshold: 1.0,
                unit: Unit::Ratio,
                message: String::new(),
                evidence: info.evidence,
                grade: info.grade,
                since: None,
                until: None,
                share: None,
            }
        };
        let all = [
            event(Rule::WeeklyJump, Severity::Info, 2),
            event(Rule::AcwrHigh, Severity::Info, 3),
            event(Rule::SingleRunSpike, Severity::Moderate, 4),
            event(Rule::AcwrHigh, Severity::Info, 10),
            event(Rule::DescentSpike, Severity::Moderate, 10),
            event(Rule::SingleRunSpike, Severity::High, 11),
            event(Rule::HardDaysClustered, Severity::Moderate, 12),
            event(Rule::WeeklyJump, Severity::Info, 13),
            event(Rule::StackedIncreases, Severity::Moderate, 14),
            event(Rule::AcwrHigh, Severity::Info, 15),
        ];
        // As of the 16th: the 2nd to the 15th; the 1st would be outside.
        let (listed, more) = opening_events(&all, day(16));
        let got: Vec<(&str, u32)> = listed
            .iter()
            .map(|f| (f.code.code(), chrono::Datelike::day(&f.date.unwrap())))
            .collect();
        assert_eq!(
            got,
            [
                ("stacked-increases", 14),
                ("hard-days-clustered", 12),
                ("single-run-spike", 11),
                ("descent-spike", 10),
                ("single-run-spike", 4)
            ]
        );
        assert_eq!(
            more.as_deref(),
            Some(
                "and 5 more in these 14 days, listed below with the weeks: acwr-high ×3, \
                 weekly-jump ×2"
            )
        );
        // Five or fewer: all listed, no line.
        assert_eq!(opening_events(&all[..5], day(16)).0.len(), 5);
        assert_eq!(opening_events(&all[..5], day(16)).1, None);
        assert!(opening_events(&all, day(2)).0.is_empty());
    }

    #[test]
    fn sanitise_replaces_controls_and_bidirectional_overrides() {
        // Colour, an OSC 8 hyperlink (ended by ESC \ and by BEL), a carriage return.
        assert_eq!(sanitise("run\u{1b}[31m.fit"), "run?[31m.fit");
        assert_eq!(
            sanitise("\u{1b}]8;;https://x.test\u{1b}\\Tempo\u{1b}]8;;\u{1b}\\"),
            "?]8;;https://x.test?\\Tempo?]8;;?\\"
        );
        assert_eq!(
            sanitise("\u{1b}]8;;https://x.test\u{7}Tempo"),
            "?]8;;https://x.test?Tempo"
        );
        assert_eq!(sanitise("a\rb\n\t\u{9b}c"), "a?b???c");
        // Every embedding, override and isolate; the characters either side of each range stay.
        let bidi: String = ('\u{202a}'..='\u{202e}')
            .chain('\u{2066}'..='\u{2069}')
            .collect();
        assert_eq!(sanitise(&bidi), "?".repeat(9));
        assert_eq!(sanitise("Run \u{202e}txt.exe"), "Run ?txt.exe");
        assert_eq!(
            sanitise("\u{2029}\u{202f}\u{2065}\u{206a}"),
            "\u{2029}\u{202f}\u{2065}\u{206a}"
        );
        // Letters of any script, accents and emoji are kept.
        assert_eq!(sanitise("Läufer 跑步 🏃 عدّاء"), "Läufer 跑步 🏃 عدّاء");
    }
}
