//! The report folder: `--out DIR` is written only when DIR is missing, empty or an earlier
//! patella report (it holds the [`MARKER`]); the files come from the renderers
//! ([`super::REPORT`]), are written into a new folder beside DIR and moved into place at the end.

use std::path::{Path, PathBuf};

use anyhow::Context;

use super::{Artifact, Render, RenderContext};
use crate::analysis::Analysis;

/// Refuses an output folder inside (or equal to) a folder patella reads (the folders given, and
/// the folders holding the files given), and one that is neither missing, empty nor an earlier
/// patella report ([`check_replaceable`]).
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
    check_replaceable(out).map_err(|e| e.to_string())
}

/// The file that marks a folder as a patella report: `--out` replaces only folders that hold it
/// (or are missing or empty), so it never deletes what patella did not write.
pub const MARKER: &str = ".patella-report";

/// What the marker file holds (its first line is checked).
const MARKER_TEXT: &str =
    "patella report\nThis folder was written by patella and is replaced whole by the next \
`patella analyse --out` or `patella watch --out` into it.\n";

/// `--out` names a folder patella may not replace. Exits with status 2 like a usage error.
#[derive(Debug, thiserror::Error)]
#[error("refusing to replace {}: {reason} (choose another folder or remove it yourself)", .path.display())]
pub struct Refused {
    pub path: PathBuf,
    pub reason: &'static str,
}

/// Whether patella may write its report into `out`: `out` is missing, an empty folder, or a
/// folder holding the [`MARKER`] of an earlier report. Reads only; nothing is changed.
pub fn check_replaceable(out: &Path) -> Result<(), Refused> {
    let refuse = |reason| {
        Err(Refused {
            path: out.to_path_buf(),
            reason,
        })
    };
    let meta = match std::fs::symlink_metadata(out) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(_) => return refuse("it cannot be read"),
    };
    if meta.file_type().is_symlink() {
        return refuse("it is a symbolic link, not a patella report");
    }
    if !meta.is_dir() {
        return refuse("it is not a patella report");
    }
    let mut entries = match std::fs::read_dir(out) {
        Ok(rd) => rd,
        Err(_) => return refuse("it cannot be read"),
    };
    if entries.next().is_none() {
        return Ok(());
    }
    if is_report(out) {
        return Ok(());
    }
    refuse("it is not a patella report")
}

/// Whether `dir` holds the marker of a patella report (a regular file whose first line says so).
fn is_report(dir: &Path) -> bool {
    let path = dir.join(MARKER);
    let regular = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file());
    regular
        && std::fs::read(&path).is_ok_and(|bytes| {
            bytes.starts_with(MARKER_TEXT.lines().next().unwrap_or_default().as_bytes())
        })
}

/// Writes the report into `out`: what every renderer of [`super::REPORT`] gives (`index.html`,
/// `charts/*.svg`, the CSV and Parquet tables) and the [`MARKER`]. Everything is written to a new
/// temporary folder beside `out` and moved into place at the end, so an interrupted run never
/// leaves half a report. `out` is replaced only when [`check_replaceable`] allows it (checked
/// again here, just before anything is written); otherwise the error is a [`Refused`] and nothing
/// is touched.
pub fn write_report(
    analysis: &Analysis,
    out: &Path,
    ctx: &RenderContext,
    renderers: &[&dyn Render],
) -> anyhow::Result<()> {
    write_folder(out, |dir| write_into(analysis, dir, ctx, renderers))
}

/// Writes a report folder `out` whose files `fill` writes into the folder it is given: a new
/// temporary folder beside `out`, which gets the [`MARKER`] and is moved into place once `fill`
/// succeeds (and removed when it fails). The rules of [`write_report`] apply: `out` is replaced
/// only when [`check_replaceable`] allows it.
pub fn write_folder(
    out: &Path,
    fill: impl FnOnce(&Path) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    check_replaceable(out)?;
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
    let tmp = new_dir_beside(&parent, &format!(".{name}.partial"))?;
    // From here on `tmp` is ours: removing it on failure deletes only what patella wrote.
    let result = fill(&tmp)
        .and_then(|()| write_marker(&tmp))
        .and_then(|()| replace(&tmp, out));
    if result.is_err() {
        std::fs::remove_dir_all(&tmp).ok();
    }
    result
}

/// Creates a new folder `PREFIX-<pid>-<n>` in `parent` that did not exist before (never reusing,
/// and so never deleting, a folder someone else made).
fn new_dir_beside(parent: &Path, prefix: &str) -> anyhow::Result<PathBuf> {
    for n in 0..1000 {
        let path = parent.join(format!("{prefix}-{}-{n}", std::process::id()));
        match std::fs::create_dir(&path) {
            Ok(()) => return Ok(path),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(e).with_context(|| format!("cannot create {}", path.display()));
            }
        }
    }
    anyhow::bail!(
        "cannot create a temporary folder in {}: too many leftovers named {prefix}-*",
        parent.display()
    )
}

/// A name beside `path` that nothing holds yet.
fn free_name_beside(path: &Path, prefix: &str) -> Option<PathBuf> {
    (0..1000)
        .map(|n| path.with_file_name(format!("{prefix}-{}-{n}", std::process::id())))
        .find(|p| std::fs::symlink_metadata(p).is_err())
}

/// Writes what `renderers` give of `analysis` into `dir` (a folder patella made), each file at
/// its name, folders created as needed.
pub fn write_into(
    analysis: &Analysis,
    dir: &Path,
    ctx: &RenderContext,
    renderers: &[&dyn Render],
) -> anyhow::Result<()> {
    for renderer in renderers {
        write_artifacts(dir, renderer.render(analysis, ctx)?)?;
    }
    Ok(())
}

/// Writes `artifacts` into `dir` (a folder patella made), folders created as needed.
pub fn write_artifacts(dir: &Path, artifacts: Vec<Artifact>) -> anyhow::Result<()> {
    for Artifact { name, bytes } in artifacts {
        let path = dir.join(&name);
        if let Some(folder) = path.parent() {
            std::fs::create_dir_all(folder)
                .with_context(|| format!("cannot create {}", folder.display()))?;
        }
        std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

fn write_marker(dir: &Path) -> anyhow::Result<()> {
    let marker = dir.join(MARKER);
    std::fs::write(&marker, MARKER_TEXT)
        .with_context(|| format!("cannot write {}", marker.display()))
}

/// Moves the finished report `tmp` to `out`. An earlier report there (it holds the marker:
/// checked by the caller) is moved aside first and removed once the new one is in place; an empty
/// folder is replaced by the rename itself.
fn replace(tmp: &Path, out: &Path) -> anyhow::Result<()> {
    let earlier = std::fs::read_dir(out).is_ok_and(|mut rd| rd.next().is_some());
    if !earlier {
        return std::fs::rename(tmp, out)
            .with_context(|| format!("cannot move the report into {}", out.display()));
    }
    // Checked once more: the folder may have changed since the report began.
    check_replaceable(out)?;
    let name = out
        .file_name()
        .map_or("report".into(), |n| n.to_string_lossy());
    let old = free_name_beside(out, &format!(".{name}.old"))
        .with_context(|| format!("cannot find a free name beside {}", out.display()))?;
    std::fs::rename(out, &old)
        .with_context(|| format!("cannot move the old report {} aside", out.display()))?;
    if let Err(e) = std::fs::rename(tmp, out) {
        // Put the old report back rather than leave none.
        std::fs::rename(&old, out).ok();
        return Err(e).with_context(|| format!("cannot move the report into {}", out.display()));
    }
    // `old` is the earlier patella report (it held the marker): ours to delete.
    std::fs::remove_dir_all(&old).ok();
    Ok(())
}
