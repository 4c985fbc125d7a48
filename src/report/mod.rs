//! Rendering: every output renders the same [`crate::analysis::Analysis`] through one trait,
//! [`Render`], and nothing here computes. The terminal summary and the JSON document are one
//! file each, printed on stdout; the report folder ([`folder`]) is what the renderers of
//! [`REPORT`] give, written side by side.

pub mod charts;
pub mod folder;
pub mod format;
pub mod html;
pub mod inspect;
pub mod json;
pub mod tables;
pub mod team;
pub mod terminal;

pub use folder::{check_replaceable, Refused, Written, MARKER};

use crate::analysis::Analysis;

/// What a rendering is for, beside the analysis itself.
#[derive(Clone, Debug, Default)]
pub struct RenderContext {
    /// The athlete's name (may be empty): in the page's title and in every table row.
    pub athlete: String,
    /// What the terminal summary lists (`--since`, `--all`, `--runs`, colour).
    pub terminal: terminal::View,
}

impl RenderContext {
    pub fn new(athlete: impl Into<String>) -> RenderContext {
        RenderContext {
            athlete: athlete.into(),
            terminal: terminal::View::default(),
        }
    }
}

/// One file a renderer gives: its name relative to the report folder (`/` between folders)
/// and its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Artifact {
    pub name: String,
    pub bytes: Vec<u8>,
}

impl Artifact {
    pub fn new(name: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Artifact {
        Artifact {
            name: name.into(),
            bytes: bytes.into(),
        }
    }
}

/// One output of an analysis (the terminal summary, the JSON document, the page with its charts,
/// the tables), as hyperfine's exporters and ripgrep's printers share one shape: the analysis in,
/// named files out. Rendering reads the analysis only; it fails only where an encoder can
/// (Parquet).
pub trait Render: Sync {
    fn render(&self, analysis: &Analysis, ctx: &RenderContext) -> anyhow::Result<Vec<Artifact>>;
}

/// The renderers whose files make up the report folder (`--out DIR`), in the order they are
/// written: `index.html` and `charts/*.svg`, `summary.txt` (the terminal's summary without
/// colour), then `runs`, `weeks` and `findings` as CSV and Parquet.
pub const REPORT: &[&dyn Render] = &[&html::Html, &terminal::Terminal, &tables::Tables];

/// Writes the report folder `out` from the renderers of [`REPORT`] (see [`folder::write_report`]).
pub fn write_report(
    analysis: &Analysis,
    out: &std::path::Path,
    ctx: &RenderContext,
) -> anyhow::Result<Written> {
    folder::write_report(analysis, out, ctx, REPORT)
}

/// What one renderer gives, as one text: for the outputs printed on stdout (the terminal summary,
/// the JSON document), which are one file each.
pub fn render_text(
    renderer: &dyn Render,
    analysis: &Analysis,
    ctx: &RenderContext,
) -> anyhow::Result<String> {
    let mut text = String::new();
    for artifact in renderer.render(analysis, ctx)? {
        // Renderers write UTF-8: taken over as it is (a document of megabytes is not copied
        // again), replaced only where a byte is not.
        match String::from_utf8(artifact.bytes) {
            Ok(s) if text.is_empty() => text = s,
            Ok(s) => text.push_str(&s),
            Err(e) => text.push_str(&String::from_utf8_lossy(e.as_bytes())),
        }
    }
    Ok(text)
}
