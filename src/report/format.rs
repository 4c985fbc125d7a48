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
