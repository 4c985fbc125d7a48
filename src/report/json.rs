//! The `--json` document (DESIGN.md): `schema`, `activities`, `weeks`, `findings`, `skipped`.

use serde::Serialize;

use crate::analysis::{ActivitySummary, Analysis, Week};
use crate::ingest::Skipped;

/// The version of the document's layout; bumped when a field changes meaning or goes away.
pub const SCHEMA: &str = "patella/1";

#[derive(Serialize)]
struct Document<'a> {
    schema: &'static str,
    activities: &'a [ActivitySummary],
    weeks: &'a [Week],
    /// Filled by the findings of RISK_MODEL.md; empty until they are computed.
    findings: [(); 0],
    skipped: &'a [Skipped],
}

/// Renders the analysis as one pretty-printed JSON document.
pub fn render(analysis: &Analysis) -> String {
    let doc = Document {
        schema: SCHEMA,
        activities: &analysis.activities,
        weeks: &analysis.weeks,
        findings: [],
        skipped: &analysis.skipped,
    };
    // Serialising plain structs of numbers and strings cannot fail; NaN never reaches here
    // because serde_json writes non-finite floats as null.
    serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}
