//! The `--json` document (DESIGN.md): `schema`, `activities`, `weeks`, `findings`, `outlook`,
//! `pain`, `skipped`, plus the daily table, the gaps and the thresholds and HRmax used.

use serde::Serialize;

use crate::analysis::outlook::Outlook;
use crate::analysis::pain::PainEntry;
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
        let mut text = render_for(analysis, athlete);
        text.push('\n');
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
    /// Limits for the 7 days from `--as-of`; `null` without runs.
    outlook: Option<&'a Outlook>,
    /// The pain log matched against the training; empty without one.
    pain: &'a [PainEntry],
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
    let doc = Document {
        schema: SCHEMA,
        athlete,
        activities: &analysis.activities,
        weeks: &analysis.weeks,
        findings: &analysis.findings,
        outlook: analysis.outlook.as_ref(),
        pain: &analysis.pain,
        skipped: &analysis.skipped,
        days: &analysis.days,
        gaps: &analysis.gaps,
        hr_max_bpm: analysis.hr_max_bpm,
        hr_max_source: analysis.hr_max_source,
        thresholds: &analysis.thresholds,
        gear: &analysis.gear,
    };
    // Plain structs of numbers and strings: serialising cannot fail, and serde_json writes
    // non-finite floats as null.
    serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}
