//! The `--json` document (DESIGN.md): `schema`, `activities`, `weeks`, `findings`, `outlook`,
//! `pain`, `triggers`, `skipped`, plus the daily table, the gaps and the thresholds and HRmax used.

use serde::Serialize;

use crate::analysis::outlook::Outlook;
use crate::analysis::pain::PainEntry;
use crate::analysis::rules::habit::Trend;
use crate::analysis::triggers::Triggers;
use crate::analysis::{
    ActivitySummary, Analysis, Day, Finding, Gap, GearKm, HrMaxSource, Thresholds, Week,
};
use crate::model::Skipped;
use crate::report::{Artifact, Render, RenderContext};

/// The `--json` document, `analysis.json` (ends with a newline).
pub struct Json;

impl Render for Json {
    fn render(&self, analysis: &Analysis, ctx: &RenderContext) -> anyhow::Result<Vec<Artifact>> {
        let athlete = Some(ctx.athlete.as_str()).filter(|a| !a.is_empty());
        let mut text = Vec::new();
        write_for(analysis, athlete, &mut text)?;
        text.push(b'\n');
        Ok(vec![Artifact::new("analysis.json", text)])
    }
}

/// The version of the document's layout; bumped when a field changes meaning or goes away.
pub const SCHEMA: &str = "patella/1";

#[derive(Serialize)]
struct Document<'a> {
    schema: &'static str,
    /// `--athlete`, or the athlete's name in a team; left out when not given.
    #[serde(skip_serializing_if = "Option::is_none")]
    athlete: Option<&'a str>,
    activities: &'a [ActivitySummary],
    weeks: &'a [Week],
    findings: &'a [Finding],
    /// Each habit rule's share over the trailing 4 weeks, week by week.
    habits: &'a [Trend],
    /// Limits for the 7 days from `--as-of`; `null` without runs.
    outlook: Option<&'a Outlook>,
    /// The pain log matched against the training; empty without one.
    pain: &'a [PainEntry],
    /// The pain log against the runner's own training (case-crossover); `null` without one.
    triggers: Option<&'a Triggers>,
    #[serde(serialize_with = "skipped_entries")]
    skipped: &'a [Skipped],
    days: &'a [Day],
    gaps: &'a [Gap],
    hr_max_bpm: Option<f64>,
    hr_max_source: Option<HrMaxSource>,
    thresholds: &'a Thresholds,
    gear: &'a [GearKm],
}

/// `skipped` as the document has it: `source`, `reason` (one line) and `kind` (a stable short
/// name of the reason, such as `not-regular`, `too-large`, `budget` or `internal`).
pub fn skipped_entries<S: serde::Serializer>(
    skipped: &&[Skipped],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct Entry<'a> {
        source: &'a str,
        reason: String,
        kind: &'static str,
    }
    serializer.collect_seq(skipped.iter().map(|s| Entry {
        source: &s.source,
        reason: s.reason.to_string(),
        kind: s.reason.kind(),
    }))
}

/// Renders the analysis as one pretty-printed JSON document.
pub fn render(analysis: &Analysis) -> String {
    render_for(analysis, None)
}

/// Renders the analysis of the named athlete as one pretty-printed JSON document.
pub fn render_for(analysis: &Analysis, athlete: Option<&str>) -> String {
    let mut out = Vec::new();
    match write_for(analysis, athlete, &mut out) {
        Ok(()) => String::from_utf8(out)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
        Err(e) => format!("{{\"error\":\"{e}\"}}"),
    }
}

/// Writes [`render_for`]'s document to `out` as it is made, without a newline after it: a
/// history of decades is megabytes that need not be held whole before they go out.
pub fn write_for(
    analysis: &Analysis,
    athlete: Option<&str>,
    out: &mut impl std::io::Write,
) -> std::io::Result<()> {
    let doc = Document {
        schema: SCHEMA,
        athlete,
        activities: &analysis.activities,
        weeks: &analysis.weeks,
        findings: &analysis.findings,
        habits: &analysis.habits,
        outlook: analysis.outlook.as_ref(),
        pain: &analysis.pain,
        triggers: analysis.triggers.as_ref(),
        skipped: &analysis.skipped,
        // Written below, by hand.
        days: &[],
        gaps: &analysis.gaps,
        hr_max_bpm: analysis.hr_max_bpm,
        hr_max_source: analysis.hr_max_source,
        thresholds: &analysis.thresholds,
        gear: &analysis.gear,
    };
    // Plain structs of numbers and strings: serialising cannot fail, and serde_json writes
    // non-finite floats as null. The days table, the document's largest part, is written on
    // the other threads meanwhile.
    let (doc_text, parts) = rayon::join(
        || {
            let mut out = Vec::with_capacity(
                65_536
                    + 8_192 * analysis.activities.len()
                    + 1_024 * (analysis.weeks.len() + analysis.findings.len()),
            );
            serde_json::to_writer_pretty(&mut out, &doc).map(|()| out)
        },
        || day_parts(&analysis.days, DAYS_PER_PART),
    );
    let doc_text = doc_text.map_err(std::io::Error::other)?;
    // The `days` key of the document's own level: the one line that is `  "days": [],` (a
    // string's line breaks are escaped, and deeper keys are indented further). The table goes
    // in place of its `[]`.
    const EMPTY_DAYS: &[u8] = b"\n  \"days\": []";
    match memchr::memmem::find(&doc_text, EMPTY_DAYS).filter(|_| !analysis.days.is_empty()) {
        Some(at) => {
            let open = at + EMPTY_DAYS.len() - 2;
            out.write_all(&doc_text[..open])?;
            out.write_all(b"[")?;
            for part in &parts {
                out.write_all(part)?;
            }
            out.write_all(b"\n  ]")?;
            out.write_all(&doc_text[open + 2..])
        }
        None => out.write_all(&doc_text),
    }
}

/// Days a thread writes at a time ([`day_parts`]).
const DAYS_PER_PART: usize = 1_024;

/// The entries of the `days` array as the document holds them (without its brackets), in parts
/// of `per_part` days written in parallel and written out one after the other.
fn day_parts(days: &[Day], per_part: usize) -> Vec<Vec<u8>> {
    use rayon::prelude::*;
    days.par_chunks(per_part.max(1))
        .enumerate()
        .map(|(k, part)| {
            let mut out = Vec::with_capacity(400 * part.len());
            write_days(part, k == 0, &mut out);
            out
        })
        .collect()
}

/// The `days` table as serde_json's pretty printer writes it as a value of the document, with
/// its keys written as they stand and its numbers by serde_json's own formatter: 12,000 days
/// took four fifths of the document's time through `Serialize` (each key escaped, each indent
/// and comma written apart).
///
/// Writes the entries of `days` alone, each after a comma unless it opens the array (`first`).
fn write_days(days: &[Day], first: bool, out: &mut Vec<u8>) {
    use serde_json::ser::{CompactFormatter, Formatter};
    // As serde_json serialises a float: the formatter's digits, or null when not finite.
    let float = |out: &mut Vec<u8>, v: f64| {
        if v.is_finite() {
            let _ = CompactFormatter.write_f64(out, v);
        } else {
            out.extend_from_slice(b"null");
        }
    };
    let int = |out: &mut Vec<u8>, v: u32| {
        let _ = CompactFormatter.write_u32(out, v);
    };
    for (i, d) in days.iter().enumerate() {
        out.extend_from_slice(if first && i == 0 {
            b"\n    {"
        } else {
            b",\n    {"
        });
        out.extend_from_slice(b"\n      \"date\": ");
        match crate::analysis::load::iso_date_text(&d.date) {
            Some(text) => {
                out.push(b'"');
                out.extend_from_slice(&text);
                out.push(b'"');
            }
            None => {
                let _ = serde_json::to_writer(&mut *out, &d.date);
            }
        }
        out.extend_from_slice(b",\n      \"run_km\": ");
        float(out, d.run_km);
        out.extend_from_slice(b",\n      \"runs\": ");
        int(out, d.runs);
        out.extend_from_slice(b",\n      \"descent_m\": ");
        float(out, d.descent_m);
        out.extend_from_slice(b",\n      \"downhill_km\": ");
        float(out, d.downhill_km);
        out.extend_from_slice(b",\n      \"hard_sessions\": ");
        int(out, d.hard_sessions);
        out.extend_from_slice(b",\n      \"strength_sessions\": ");
        int(out, d.strength_sessions);
        out.extend_from_slice(b",\n      \"acute_km\": ");
        float(out, d.acute_km);
        out.extend_from_slice(b",\n      \"chronic_km\": ");
        float(out, d.chronic_km);
        out.extend_from_slice(b",\n      \"acwr\": ");
        match d.acwr {
            Some(v) => float(out, v),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b"\n    }");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn day(date: NaiveDate, x: f64, n: u32, acwr: Option<f64>) -> Day {
        Day {
            date,
            run_km: x,
            runs: n,
            descent_m: x * 3.0,
            downhill_km: -x,
            hard_sessions: n / 2,
            strength_sessions: u32::MAX - n,
            acute_km: x / 7.0,
            chronic_km: 1e-300 * x,
            acwr,
        }
    }

    #[test]
    fn days_are_written_as_serde_writes_them() {
        // The table written by hand inside the document, against the whole document as
        // serde_json writes it from `Day`'s `Serialize`: floats of every kind (whole, tiny, huge,
        // negative, not finite), missing ratios, dates with a sign; no days, one, several.
        let ymd = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let floats = [
            0.0,
            -0.0,
            1.0,
            0.1,
            1e21,
            1.5e-7,
            123456.789,
            f64::NAN,
            f64::INFINITY,
            f64::MIN_POSITIVE,
        ];
        let mut days: Vec<Day> = floats
            .iter()
            .enumerate()
            .map(|(i, &x)| {
                let acwr = (i % 3 != 0).then_some(x * 0.9);
                day(ymd(1990 + i as i32, 1 + i as u32, 28), x, i as u32, acwr)
            })
            .collect();
        days.push(day(ymd(-12, 2, 3), 2.5, 7, None));
        days.push(day(ymd(12_345, 6, 7), 2.5, 7, Some(f64::NAN)));
        for n in [0, 1, days.len()] {
            let mut analysis = crate::analysis::analyse(
                &[],
                Vec::new(),
                &crate::analysis::Settings::new(chrono_tz::UTC, crate::analysis::WeekStart::Mon),
            )
            .unwrap();
            analysis.days = days[..n].to_vec();
            let doc = Document {
                schema: SCHEMA,
                athlete: None,
                activities: &analysis.activities,
                weeks: &analysis.weeks,
                findings: &analysis.findings,
                habits: &analysis.habits,
                outlook: analysis.outlook.as_ref(),
                pain: &analysis.pain,
                triggers: analysis.triggers.as_ref(),
                skipped: &analysis.skipped,
                days: &analysis.days,
                gaps: &analysis.gaps,
                hr_max_bpm: analysis.hr_max_bpm,
                hr_max_source: analysis.hr_max_source,
                thresholds: &analysis.thresholds,
                gear: &analysis.gear,
            };
            let want = serde_json::to_string_pretty(&doc).unwrap();
            assert_eq!(render(&analysis), want, "{n} days");
            // Written in parts of any size, the entries are the same.
            let whole = day_parts(&analysis.days, usize::MAX).concat();
            for per_part in [1, 2, 5] {
                assert_eq!(
                    day_parts(&analysis.days, per_part).concat(),
                    whole,
                    "{n} days by {per_part}"
                );
            }
        }
    }
}
