//! Rendering: every output renders the same [`crate::analysis::Analysis`]; nothing here computes.

pub mod charts;
pub mod export;
pub mod format;
pub mod html;
pub mod inspect;
pub mod json;
pub mod terminal;

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::analysis::Analysis;

/// Refuses an output folder inside (or equal to) a folder patella reads: the folders given, and
/// the folders holding the files given.
pub fn check_out_dir(out: &Path, inputs: &[PathBuf]) -> Result<(), String> {
    let absolute = |p: &Path| -> PathBuf {
        // The output folder may not exist yet: resolve its nearest existing ancestor.
        let mut existing = p.to_path_buf();
        let mut rest = Vec::new();
        while !existing.exists() {
            match (existing.parent(), existing.file_name()) {
                (Some(parent), Some(name)) => {
                    rest.push(name.to_os_string());
                    existing = if parent.as_os_str().is_empty() {
                        PathBuf::from(".")
                    } else {
                        parent.to_path_buf()
                    };
                }
                _ => break,
            }
        }
        let mut resolved = std::fs::canonicalize(&existing).unwrap_or(existing);
        for name in rest.into_iter().rev() {
            resolved.push(name);
        }
        resolved
    };
    let out_abs = absolute(out);
    for input in inputs {
        let folder = if input.is_dir() {
            input.clone()
        } else {
            input
                .parent()
                .map(|p| {
                    if p.as_os_str().is_empty() {
                        Path::new(".")
                    } else {
                        p
                    }
                })
                .unwrap_or(Path::new("."))
                .to_path_buf()
        };
        let folder_abs = absolute(&folder);
        if out_abs.starts_with(&folder_abs) {
            return Err(format!(
                "--out {} is inside {}, which patella reads; choose a folder outside it",
                out.display(),
                folder.display()
            ));
        }
    }
    Ok(())
}

/// Writes the report into `out`: `index.html`, `charts/*.svg`, `runs.csv`, `weeks.csv`,
/// `findings.csv`, `runs.parquet`. Everything is written to a temporary folder beside `out` and
/// moved into place at the end, so an interrupted run never leaves half a report; a report
/// already in `out` is replaced.
pub fn write_report(analysis: &Analysis, out: &Path, athlete: &str) -> anyhow::Result<()> {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent)
        .with_context(|| format!("cannot create {}", parent.display()))?;
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "report".into());
    let tmp = parent.join(format!(".{name}.partial-{}", std::process::id()));
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp).ok();
    }
    let result = write_into(analysis, &tmp, athlete).and_then(|()| replace(&tmp, out));
    if result.is_err() {
        std::fs::remove_dir_all(&tmp).ok();
    }
    result
}

fn write_into(analysis: &Analysis, dir: &Path, athlete: &str) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir.join("charts"))
        .with_context(|| format!("cannot create {}", dir.display()))?;
    let page = html::render(analysis, athlete);
    std::fs::write(dir.join("index.html"), &page)
        .with_context(|| format!("cannot write {}", dir.join("index.html").display()))?;
    for (id, svg) in html::chart_svgs(analysis) {
        let path = dir.join("charts").join(format!("{id}.svg"));
        std::fs::write(&path, svg).with_context(|| format!("cannot write {}", path.display()))?;
    }
    export::write_all(analysis, dir, athlete)
}

fn replace(tmp: &Path, out: &Path) -> anyhow::Result<()> {
    if out.exists() {
        if !out.is_dir() {
            anyhow::bail!("{} exists and is not a folder", out.display());
        }
        let old = out.with_file_name(format!(
            ".{}.old-{}",
            out.file_name()
                .map_or("report".into(), |n| n.to_string_lossy()),
            std::process::id()
        ));
        std::fs::rename(out, &old)
            .with_context(|| format!("cannot move the old report {} aside", out.display()))?;
        if let Err(e) = std::fs::rename(tmp, out) {
            // Put the old report back rather than leave none.
            std::fs::rename(&old, out).ok();
            return Err(e)
                .with_context(|| format!("cannot move the report into {}", out.display()));
        }
        std::fs::remove_dir_all(&old).ok();
        return Ok(());
    }
    std::fs::rename(tmp, out)
        .with_context(|| format!("cannot move the report into {}", out.display()))
}
