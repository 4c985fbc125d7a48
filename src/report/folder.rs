//! The report folder: `--out DIR` is patella's, file by file.
//!
//! DIR is written only when it is missing, empty or an earlier patella report (it holds the
//! [`MARKER`]). The marker lists every file patella wrote there; the next report replaces those
//! files and nothing else. A file the runner saved into the folder, a folder mounted inside it, a
//! symbolic link, stays where it is (the caller gets their names in [`Written::kept`]).
//!
//! The new report is written into a staging folder first and put in place at the end, so an
//! interrupted run never leaves half a report:
//! - DIR missing or empty: the staging folder (beside DIR) is renamed onto it;
//! - DIR an earlier report holding only what patella wrote: the two are swapped in one step
//!   (`renameat2` with `RENAME_EXCHANGE` on Linux; elsewhere two renames), then the old files
//!   are removed by the old marker's list;
//! - DIR holding anything else (or a mount point, or the current folder): the new files are
//!   moved in one by one from a staging folder inside DIR, the marker listing the old files and
//!   the new while that goes on; then the old files the new report does not have are removed.
//!
//! Removing never follows a symbolic link (a link is removed, not what it points to) and never
//! enters a mount point. A staging folder holds a marker locked for as long as its process
//! writes: one left behind by a process that no longer runs (killed mid-write) is removed by the
//! next write.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{Seek, Write};
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;

use super::{Artifact, Render, RenderContext};
use crate::analysis::Analysis;

/// The file that marks a folder as a patella report and lists what patella wrote in it.
pub const MARKER: &str = ".patella-report";

/// The marker's first line: what makes a folder a patella report.
const MARKER_HEAD: &str = "patella report";

/// The line after which the marker lists patella's files, one JSON string a line.
const FILES_LINE: &str = "files written by patella (one JSON string a line):";

/// The staging folder of a report written in place, inside the report folder.
const STAGING_INSIDE: &str = ".patella-partial";

/// How long a write waits for another patella writing the same report.
const LOCK_WAIT: Duration = Duration::from_secs(120);

/// `--out` names a folder patella may not write. Exits with status 2 like a usage error.
#[derive(Debug, thiserror::Error)]
#[error("refusing to replace {}: {reason} (choose another folder or remove it yourself)", .path.display())]
pub struct Refused {
    pub path: PathBuf,
    pub reason: String,
}

fn refused(path: &Path, reason: impl Into<String>) -> Refused {
    Refused {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// What a write left alone.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Written {
    /// The entries of the report folder that patella did not write and left where they are
    /// (paths relative to the folder, `/` between names).
    pub kept: Vec<String>,
}

impl Written {
    /// One line naming what was kept (`None` when nothing was), for stderr.
    pub fn kept_line(&self, out: &Path) -> Option<String> {
        const SHOWN: usize = 5;
        if self.kept.is_empty() {
            return None;
        }
        let mut names = self.kept[..self.kept.len().min(SHOWN)].join(", ");
        if self.kept.len() > SHOWN {
            names.push_str(&format!(" and {} more", self.kept.len() - SHOWN));
        }
        Some(format!(
            "kept in {} what patella did not write: {names}",
            out.display()
        ))
    }
}

/// Whether patella may write its report into `out`: `out` is missing, an empty folder, or a
/// folder holding the [`MARKER`] of an earlier report. Reads only; nothing is changed.
pub fn check_replaceable(out: &Path) -> Result<(), Refused> {
    let meta = match std::fs::symlink_metadata(out) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(_) => return Err(refused(out, "it cannot be read")),
    };
    if meta.file_type().is_symlink() {
        return Err(refused(out, "it is a symbolic link, not a patella report"));
    }
    if !meta.is_dir() {
        return Err(refused(out, "it is not a patella report"));
    }
    let entries = std::fs::read_dir(out).map_err(|_| refused(out, "it cannot be read"))?;
    // Empty but for the staging folder of a report being written into it in place.
    let empty = entries
        .flatten()
        .all(|e| is_staging(&e.file_name().to_string_lossy()));
    if empty || read_marker(out).is_some() {
        return Ok(());
    }
    Err(refused(out, "it is not a patella report"))
}

/// Whether `name` (an entry of a report folder) is the staging folder of a report written into it
/// in place.
fn is_staging(name: &str) -> bool {
    name.starts_with(&format!("{STAGING_INSIDE}-"))
}

/// What a marker says: the files patella wrote (`None` for a marker of an earlier patella,
/// which listed nothing: then the files named as a report names them count, see
/// [`report_like`]).
#[derive(Debug, PartialEq, Eq)]
struct Marker {
    files: Option<BTreeSet<String>>,
}

/// The marker of `dir`, when it has one: a regular file (not a link) whose first line says so.
fn read_marker(dir: &Path) -> Option<Marker> {
    let path = dir.join(MARKER);
    if !std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file()) {
        return None;
    }
    let bytes = crate::ingest::read_small(&path, 64 << 20).ok()?;
    parse_marker(&String::from_utf8_lossy(&bytes))
}

fn parse_marker(text: &str) -> Option<Marker> {
    let mut lines = text.lines();
    if lines.next()?.trim_end() != MARKER_HEAD {
        return None;
    }
    if !lines.by_ref().any(|l| l.trim_end() == FILES_LINE) {
        return Some(Marker { files: None });
    }
    let files = lines
        .filter_map(|l| serde_json::from_str::<String>(l.trim_end()).ok())
        .filter(|f| relative(f).is_some() && f != MARKER)
        .collect();
    Some(Marker { files: Some(files) })
}

fn marker_text(files: &BTreeSet<String>, note: &str) -> String {
    let note = if note.is_empty() {
        String::new()
    } else {
        format!("{note}\n")
    };
    let mut text = format!(
        "{MARKER_HEAD}\n{note}This folder was written by patella. The next `patella analyse --out` or \
         `patella watch --out` into it\nreplaces the files listed below and leaves anything else \
         in it where it is.\n{FILES_LINE}\n"
    );
    for f in files {
        text.push_str(&serde_json::Value::from(f.as_str()).to_string());
        text.push('\n');
    }
    text
}

/// `rel` as a path under a folder: `/`-separated names, none of them empty, `.` or `..`.
fn relative(rel: &str) -> Option<PathBuf> {
    let plain = !rel.contains('\0')
        && rel.split('/').all(|part| !matches!(part, "" | "." | ".."))
        && Path::new(rel)
            .components()
            .all(|c| matches!(c, Component::Normal(_)));
    plain.then(|| PathBuf::from(rel))
}

/// Whether `rel` is named as an earlier patella wrote its reports (a marker without a list):
/// the page, the summary, the tables, the charts; a team's page, athletes' reports and dataset.
fn report_like(rel: &str) -> bool {
    fn single(parts: &[&str]) -> bool {
        match parts {
            [name] => matches!(
                *name,
                "index.html"
                    | "summary.txt"
                    | "analysis.json"
                    | "runs.csv"
                    | "weeks.csv"
                    | "findings.csv"
                    | "runs.parquet"
                    | "weeks.parquet"
                    | "findings.parquet"
            ),
            ["charts", svg] => svg.ends_with(".svg"),
            _ => false,
        }
    }
    let parts: Vec<&str> = rel.split('/').collect();
    match parts.as_slice() {
        ["athletes", _, rest @ ..] => single(rest),
        ["data", table, athlete, part] => {
            matches!(*table, "runs" | "weeks" | "findings")
                && athlete.starts_with("athlete=")
                && part.starts_with("part-")
                && part.ends_with(".parquet")
        }
        rest => single(rest),
    }
}

/// Where a file system object lives: its device and (Linux 5.8 on) its mount. A bind mount of a
/// folder of the same file system has the device of the folder around it but a mount of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Place {
    dev: u64,
    mount: Option<u64>,
}

fn place(path: &Path, meta: &std::fs::Metadata) -> Place {
    #[cfg(unix)]
    let dev = std::os::unix::fs::MetadataExt::dev(meta);
    #[cfg(not(unix))]
    let dev = {
        let _ = meta;
        0
    };
    Place {
        dev,
        mount: mount_id(path),
    }
}

#[cfg(target_os = "linux")]
fn mount_id(path: &Path) -> Option<u64> {
    use rustix::fs::{statx, AtFlags, StatxFlags, CWD};
    statx(CWD, path, AtFlags::SYMLINK_NOFOLLOW, StatxFlags::MNT_ID)
        .ok()
        .filter(|s| s.stx_mask & StatxFlags::MNT_ID.bits() != 0)
        .map(|s| s.stx_mnt_id)
}

#[cfg(not(target_os = "linux"))]
fn mount_id(_: &Path) -> Option<u64> {
    None
}

impl Place {
    fn of(path: &Path) -> Option<Place> {
        let meta = std::fs::symlink_metadata(path).ok()?;
        Some(place(path, &meta))
    }

    fn same(self, other: Place) -> bool {
        self.dev == other.dev
            && match (self.mount, other.mount) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            }
    }
}

/// A folder's own entries, each as a `/`-separated path under it, found without following a
/// link and without entering a mount point: `files` the regular files and links (what may be
/// removed), `other` the rest (mount points, FIFOs, sockets, devices) and `dirs` the folders.
#[derive(Debug, Default)]
struct Tree {
    files: Vec<String>,
    dirs: Vec<String>,
    other: Vec<String>,
}

fn walk(root: &Path) -> std::io::Result<Tree> {
    let home = Place::of(root)
        .ok_or_else(|| std::io::Error::other(format!("cannot read {}", root.display())))?;
    let mut tree = Tree::default();
    let mut stack = vec![(root.to_path_buf(), String::new())];
    while let Some((dir, prefix)) = stack.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(&dir)?.flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let name = entry.file_name().to_string_lossy().into_owned();
            let rel = if prefix.is_empty() {
                name
            } else {
                format!("{prefix}/{name}")
            };
            let path = entry.path();
            let Ok(meta) = std::fs::symlink_metadata(&path) else {
                continue;
            };
            let kind = meta.file_type();
            if kind.is_dir() {
                if place(&path, &meta).same(home) {
                    tree.dirs.push(rel.clone());
                    stack.push((path, rel));
                } else {
                    tree.other.push(rel);
                }
            } else if kind.is_file() || kind.is_symlink() {
                tree.files.push(rel);
            } else {
                tree.other.push(rel);
            }
        }
    }
    Ok(tree)
}

/// An existing report folder as the next write sees it: what patella wrote there (by its
/// marker) and the top-most entries it did not.
#[derive(Debug, Default)]
struct Existing {
    ours: BTreeSet<String>,
    foreign: Vec<String>,
}

impl Existing {
    fn read(out: &Path) -> anyhow::Result<Existing> {
        let marker = read_marker(out);
        let tree = walk(out).with_context(|| format!("cannot list {}", out.display()))?;
        let listed = |f: &str| match &marker {
            Some(Marker { files: Some(list) }) => list.contains(f),
            Some(Marker { files: None }) => report_like(f),
            None => false,
        };
        let staging = |rel: &str| is_staging(rel.split('/').next().unwrap_or_default());
        let mut ours = BTreeSet::new();
        let mut foreign = Vec::new();
        for f in &tree.files {
            if f == MARKER || staging(f) {
                continue;
            }
            if listed(f) && std::fs::symlink_metadata(out.join(f)).is_ok_and(|m| m.is_file()) {
                ours.insert(f.clone());
            } else {
                foreign.push(f.clone());
            }
        }
        foreign.extend(tree.other.iter().filter(|o| !staging(o)).cloned());
        // A folder holding no file of ours is foreign as a whole (a folder the runner made).
        for d in &tree.dirs {
            let below = format!("{d}/");
            if !staging(d) && !ours.iter().any(|f| f.starts_with(&below)) {
                foreign.push(d.clone());
            }
        }
        // Name the top-most foreign entries only: a folder of the runner's, not each file in it.
        foreign.sort();
        let mut top: Vec<String> = Vec::new();
        for f in foreign {
            if !top.iter().any(|t| f.starts_with(&format!("{t}/"))) {
                top.push(f);
            }
        }
        Ok(Existing { ours, foreign: top })
    }
}

/// Writes the report into `out`: what every renderer of [`super::REPORT`] gives (`index.html`,
/// `summary.txt`, `charts/*.svg`, the CSV and Parquet tables) and the [`MARKER`], as the module
/// says. `out` is written only when [`check_replaceable`] allows it (checked again just before
/// anything is written); otherwise the error is a [`Refused`] and nothing is touched.
pub fn write_report(
    analysis: &Analysis,
    out: &Path,
    ctx: &RenderContext,
    renderers: &[&dyn Render],
) -> anyhow::Result<Written> {
    write_folder(out, |dir| write_into(analysis, dir, ctx, renderers))
}

/// Writes a report folder `out` whose files `fill` writes into the (new, empty) folder it is
/// given, then puts them in place as the module says. When `fill` fails nothing in `out`
/// changes and what it wrote is removed.
pub fn write_folder(
    out: &Path,
    fill: impl FnOnce(&Path) -> anyhow::Result<()>,
) -> anyhow::Result<Written> {
    check_replaceable(out)?;
    let out = absolute(out);
    let parent = out
        .parent()
        .map(Path::to_path_buf)
        .ok_or_else(|| refused(&out, "it is the root of the file system"))?;
    std::fs::create_dir_all(&parent)
        .with_context(|| format!("cannot create {}", parent.display()))?;
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "report".into());
    let beside = [format!(".{name}.partial"), format!(".{name}.old")];
    remove_leftovers(&parent, &beside);
    let exists = std::fs::symlink_metadata(&out).is_ok();
    if exists {
        remove_leftovers(&out, &[STAGING_INSIDE.to_string()]);
    }
    // Staged inside a folder that will be updated in place (a rename from beside would cross
    // into another file system where it is a mount point), beside it otherwise.
    let staging = if exists && in_place_only(&out) {
        new_dir_in(&out, STAGING_INSIDE)?
    } else {
        new_dir_in(&parent, &beside[0])?
    };
    // From here on `staging` is ours: removing it on failure deletes only what patella wrote.
    let result = Staged::begin(&staging).and_then(|staged| {
        fill(&staging)?;
        staged.install(&out)
    });
    if result.is_err() {
        remove_own(&staging);
    }
    result
}

/// Whether `out` can only be updated in place: it is a mount point (the swap would move the
/// mount), or the current folder or one around it (the swap would leave the shell in the old
/// folder).
fn in_place_only(out: &Path) -> bool {
    let mount_point = match (Place::of(out), out.parent().and_then(Place::of)) {
        (Some(a), Some(b)) => !a.same(b),
        _ => false,
    };
    let around_cwd = std::env::current_dir()
        .ok()
        .and_then(|d| d.canonicalize().ok())
        .zip(out.canonicalize().ok())
        .is_some_and(|(cwd, out)| cwd.starts_with(out));
    mount_point || around_cwd
}

/// `path` absolute, with `.` and `..` resolved and links resolved in the part that exists: the
/// name a folder will have once made (`--out .` is the current folder by its name).
pub fn absolute(path: &Path) -> PathBuf {
    let mut existing = path.to_path_buf();
    let mut rest = Vec::new();
    loop {
        if let Ok(resolved) = existing.canonicalize() {
            let mut out = resolved;
            for name in rest.into_iter().rev() {
                if name == ".." {
                    out.pop();
                } else if name != "." {
                    out.push(name);
                }
            }
            return out;
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = if parent.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    parent.to_path_buf()
                };
            }
            _ => {
                // `..` or `.` at the end of a path that does not exist yet: lexically.
                let cwd = std::env::current_dir().unwrap_or_default();
                return cwd.join(path);
            }
        }
    }
}

/// A staging folder being written: its marker, locked while this process works, says so.
struct Staged {
    dir: PathBuf,
    marker: File,
}

impl Staged {
    fn begin(dir: &Path) -> anyhow::Result<Staged> {
        let path = dir.join(MARKER);
        let mut marker = File::options()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)
            .with_context(|| format!("cannot write {}", path.display()))?;
        // Where locks are not supported the leftover is simply never removed by a later run.
        let _ = marker.try_lock();
        let note = format!("(being written by patella, process {})", std::process::id());
        marker
            .write_all(marker_text(&BTreeSet::new(), &note).as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(Staged {
            dir: dir.to_path_buf(),
            marker,
        })
    }

    /// The marker rewritten (through the locked handle) to list `files`.
    fn list(&mut self, files: &BTreeSet<String>) -> anyhow::Result<()> {
        rewrite(&mut self.marker, &marker_text(files, ""))
            .with_context(|| format!("cannot write {}", self.dir.join(MARKER).display()))
    }

    /// Puts the staged report in place at `out`, as the module says.
    fn install(mut self, out: &Path) -> anyhow::Result<Written> {
        let tree =
            walk(&self.dir).with_context(|| format!("cannot list {}", self.dir.display()))?;
        let new: BTreeSet<String> = tree.files.into_iter().filter(|f| f != MARKER).collect();
        self.list(&new)?;
        for _ in 0..3 {
            if std::fs::symlink_metadata(out).is_err() {
                match std::fs::rename(&self.dir, out) {
                    Ok(()) => return Ok(Written::default()),
                    // Made meanwhile by someone else: look again.
                    Err(_) if std::fs::symlink_metadata(out).is_ok() => continue,
                    Err(e) => {
                        return Err(e).with_context(|| {
                            format!("cannot move the report into {}", out.display())
                        })
                    }
                }
            }
            check_replaceable(out)?;
            let _held = lock_marker(out)?;
            // Looked at again under the lock: the folder may have changed since the report began.
            check_replaceable(out)?;
            let existing = Existing::read(out)?;
            let beside = self.dir.parent() == out.parent();
            if beside && existing.foreign.is_empty() && !in_place_only(out) {
                if existing.ours.is_empty() && read_marker(out).is_none() {
                    // An empty folder: replaced by the rename itself.
                    match std::fs::rename(&self.dir, out) {
                        Ok(()) => return Ok(Written::default()),
                        Err(_) => continue,
                    }
                }
                return self.swap(out, &existing);
            }
            return self.in_place(out, &new, existing);
        }
        anyhow::bail!(
            "cannot move the report into {}: it keeps changing",
            out.display()
        )
    }

    /// Swaps the staged report with the earlier one at `out` (which holds only what patella
    /// wrote), then removes the earlier one's files.
    fn swap(self, out: &Path, existing: &Existing) -> anyhow::Result<Written> {
        let old = match exchange(&self.dir, out) {
            Ok(()) => self.dir.clone(),
            Err(e) if !exchange_unsupported(&e) => {
                return Err(e)
                    .with_context(|| format!("cannot move the report into {}", out.display()))
            }
            Err(_) => {
                // Two renames: `out` is missing between them for a moment.
                let name = out
                    .file_name()
                    .map_or("report".into(), |n| n.to_string_lossy());
                let parent = out.parent().unwrap_or(Path::new("."));
                let old = new_name_in(parent, &format!(".{name}.old"))?;
                std::fs::rename(out, &old).with_context(|| {
                    format!("cannot move the old report {} aside", out.display())
                })?;
                if let Err(e) = std::fs::rename(&self.dir, out) {
                    // Put the old report back rather than leave none.
                    std::fs::rename(&old, out).ok();
                    return Err(e)
                        .with_context(|| format!("cannot move the report into {}", out.display()));
                }
                old
            }
        };
        // `old` is the earlier report: its files as its marker listed them, then its folders.
        let mut files = existing.ours.clone();
        files.insert(MARKER.to_string());
        remove_listed(&old, &files);
        let mut kept = Vec::new();
        if std::fs::remove_dir(&old).is_err() {
            // Something was put into the old report while this one was written: moved back.
            if let Ok(rest) = walk(&old) {
                for entry in rest.files.iter().chain(&rest.other).chain(&rest.dirs) {
                    if entry.contains('/') {
                        continue;
                    }
                    if std::fs::symlink_metadata(out.join(entry)).is_err()
                        && std::fs::rename(old.join(entry), out.join(entry)).is_ok()
                    {
                        kept.push(entry.clone());
                    }
                }
            }
            if std::fs::remove_dir(&old).is_err() {
                kept.push(old.display().to_string());
            }
        }
        Ok(Written { kept })
    }

    /// Moves the staged files into `out` one by one (the runner's own files stay), then removes
    /// the earlier report's files that the new one does not have.
    fn in_place(
        mut self,
        out: &Path,
        new: &BTreeSet<String>,
        existing: Existing,
    ) -> anyhow::Result<Written> {
        // A file of the runner's where the report puts one of its own: refused, nothing moved.
        for f in new {
            let parts: Vec<&str> = f.split('/').collect();
            for depth in 1..=parts.len() {
                let rel = parts[..depth].join("/");
                let Ok(meta) = std::fs::symlink_metadata(out.join(&rel)) else {
                    break;
                };
                let ok = if depth == parts.len() {
                    existing.ours.contains(f)
                } else {
                    // A folder on the way: a real one, not the runner's (nor a mount point).
                    meta.is_dir() && !existing.foreign.contains(&rel)
                };
                if !ok {
                    let why = format!(
                        "it holds {rel}, which patella did not write, where the report writes {f}"
                    );
                    return Err(refused(out, why).into());
                }
            }
        }
        let mut marker = File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(out.join(MARKER))
            .with_context(|| format!("cannot write {}", out.join(MARKER).display()))?;
        // While files move, the marker lists the old and the new: a run stopped half-way leaves
        // nothing of patella's unlisted.
        let both: BTreeSet<String> = existing.ours.union(new).cloned().collect();
        rewrite(&mut marker, &marker_text(&both, ""))?;
        for f in new {
            let to = out.join(f);
            if let Some(folder) = to.parent() {
                std::fs::create_dir_all(folder)
                    .with_context(|| format!("cannot create {}", folder.display()))?;
            }
            std::fs::rename(self.dir.join(f), &to)
                .with_context(|| format!("cannot move {} into place", to.display()))?;
        }
        let gone: BTreeSet<String> = existing.ours.difference(new).cloned().collect();
        remove_listed(out, &gone);
        rewrite(&mut marker, &marker_text(new, ""))?;
        // The staging folder holds only its marker and emptied folders now.
        self.list(&BTreeSet::new())?;
        remove_own(&self.dir);
        Ok(Written {
            kept: existing.foreign,
        })
    }
}

/// `file`'s whole content replaced by `text`.
fn rewrite(file: &mut File, text: &str) -> std::io::Result<()> {
    file.set_len(0)?;
    file.rewind()?;
    file.write_all(text.as_bytes())?;
    file.flush()
}

/// Locks the marker of the report at `out` (waiting up to [`LOCK_WAIT`] for another patella
/// writing it); `None` when it has none, or the file system does not lock.
fn lock_marker(out: &Path) -> anyhow::Result<Option<File>> {
    let path = out.join(MARKER);
    let since = Instant::now();
    loop {
        let Ok(file) = File::open(&path) else {
            return Ok(None);
        };
        match file.try_lock() {
            Ok(()) => {
                // Still the marker of `out` (the report may have been replaced while we waited).
                if same_file(&file, &path) {
                    return Ok(Some(file));
                }
            }
            Err(std::fs::TryLockError::WouldBlock) => {}
            Err(std::fs::TryLockError::Error(_)) => return Ok(None),
        }
        if since.elapsed() > LOCK_WAIT {
            anyhow::bail!(
                "another patella has been writing {} for over {} s; try again when it is done",
                out.display(),
                LOCK_WAIT.as_secs()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn same_file(file: &File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (file.metadata(), std::fs::symlink_metadata(path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (file, path);
        true
    }
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(std::io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

/// Whether `exchange` failed because the system or the file system cannot swap (then two
/// renames do it).
fn exchange_unsupported(e: &std::io::Error) -> bool {
    #[cfg(target_os = "linux")]
    {
        matches!(
            e.raw_os_error(),
            Some(libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP)
        )
    }
    #[cfg(not(target_os = "linux"))]
    {
        e.kind() == std::io::ErrorKind::Unsupported
    }
}

/// Removes the `files` listed (relative to `root`) that are still regular files or links in
/// place, reached through real folders on `root`'s mount, then the folders that held them once
/// empty. Nothing else is touched: not a folder the list names, not what a link points to, not
/// anything behind a mount point.
fn remove_listed(root: &Path, files: &BTreeSet<String>) {
    let Some(home) = Place::of(root) else {
        return;
    };
    let mut folders = BTreeSet::new();
    'files: for f in files {
        let Some(rel) = relative(f) else {
            continue;
        };
        let mut at = root.to_path_buf();
        let parts: Vec<_> = rel.components().collect();
        for (i, part) in parts.iter().enumerate() {
            at.push(part);
            let Ok(meta) = std::fs::symlink_metadata(&at) else {
                continue 'files;
            };
            if i + 1 < parts.len() {
                if !meta.is_dir() || !place(&at, &meta).same(home) {
                    continue 'files;
                }
                folders.insert((i, at.clone()));
            } else if meta.is_file() || meta.file_type().is_symlink() {
                std::fs::remove_file(&at).ok();
            }
        }
    }
    // Deepest first; a folder that still holds anything stays.
    for (_, folder) in folders.iter().rev() {
        std::fs::remove_dir(folder).ok();
    }
}

/// Removes a folder patella made (a staging folder): everything in it, never following a link
/// and never entering a mount point (which then stays, and so does the folder).
fn remove_own(dir: &Path) {
    let Ok(tree) = walk(dir) else {
        return;
    };
    for f in &tree.files {
        std::fs::remove_file(dir.join(f)).ok();
    }
    // Deepest folders first: `walk` lists a folder before what it holds, in no set depth order.
    let mut dirs = tree.dirs.clone();
    dirs.sort_by_key(|d| std::cmp::Reverse(d.matches('/').count()));
    for d in dirs {
        std::fs::remove_dir(dir.join(d)).ok();
    }
    std::fs::remove_dir(dir).ok();
}

/// Removes the staging folders in `dir` named `PREFIX-<pid>-<n>` for a prefix of `prefixes`
/// that hold a marker no running patella holds locked: left by a process that was stopped
/// mid-write.
fn remove_leftovers(dir: &Path, prefixes: &[String]) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let ours = prefixes.iter().any(|p| {
            name.strip_prefix(p.as_str())
                .and_then(|rest| rest.strip_prefix('-'))
                .is_some_and(|rest| {
                    let mut parts = rest.split('-');
                    let numeric = |s: Option<&str>| {
                        s.is_some_and(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
                    };
                    numeric(parts.next()) && numeric(parts.next()) && parts.next().is_none()
                })
        });
        let path = entry.path();
        if !ours || !std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir()) {
            continue;
        }
        if read_marker(&path).is_none() {
            continue;
        }
        let Ok(marker) = File::open(path.join(MARKER)) else {
            continue;
        };
        if marker.try_lock().is_ok() {
            drop(marker);
            remove_own(&path);
        }
    }
}

/// Creates a new folder `PREFIX-<pid>-<n>` in `parent` that did not exist before (never reusing,
/// and so never deleting, a folder someone else made).
fn new_dir_in(parent: &Path, prefix: &str) -> anyhow::Result<PathBuf> {
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

/// A name `PREFIX-<pid>-<n>` in `parent` that nothing holds yet.
fn new_name_in(parent: &Path, prefix: &str) -> anyhow::Result<PathBuf> {
    (0..1000)
        .map(|n| parent.join(format!("{prefix}-{}-{n}", std::process::id())))
        .find(|p| std::fs::symlink_metadata(p).is_err())
        .with_context(|| format!("cannot find a free name in {}", parent.display()))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn set(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_marker_lists_what_patella_wrote_and_nothing_outside_the_folder() {
        let text = marker_text(&set(&["index.html", "charts/a b.svg", "we\"ird\n.csv"]), "");
        assert!(text.starts_with("patella report\nThis folder was written by patella."));
        assert_eq!(
            parse_marker(&text),
            Some(Marker {
                files: Some(set(&["index.html", "charts/a b.svg", "we\"ird\n.csv"]))
            })
        );
        // Lines that would lead out of the folder, or to the marker itself, are not taken.
        let forged = format!(
            "{MARKER_HEAD}\n{FILES_LINE}\n\"../thesis.txt\"\n\"/etc/passwd\"\n\"a/./b\"\n\"\"\n\
             \"{MARKER}\"\nnot json\n\"ok.csv\"\n"
        );
        assert_eq!(
            parse_marker(&forged),
            Some(Marker {
                files: Some(set(&["ok.csv"]))
            })
        );
        // An earlier patella's marker lists nothing; another file is no marker.
        assert_eq!(
            parse_marker(
                "patella report\nThis folder was written by patella and is replaced whole"
            ),
            Some(Marker { files: None })
        );
        assert_eq!(parse_marker("something else\n"), None);
        assert_eq!(parse_marker(""), None);
    }

    #[test]
    fn an_earlier_marker_counts_the_files_named_as_a_report_names_them() {
        for ours in [
            "index.html",
            "summary.txt",
            "runs.csv",
            "findings.parquet",
            "charts/weekly-km.svg",
            "athletes/ada/index.html",
            "athletes/ada/charts/load.svg",
            "data/runs/athlete=ada/part-0.parquet",
        ] {
            assert!(report_like(ours), "{ours}");
        }
        for theirs in [
            "notes.txt",
            "charts/photo.png",
            "charts/deep/x.svg",
            "athletes/ada/notes.txt",
            "data/runs/ada/part-0.parquet",
            "data/other/athlete=ada/part-0.parquet",
            "index.html/x",
        ] {
            assert!(!report_like(theirs), "{theirs}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn removing_by_the_list_never_follows_a_link() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("rep");
        let outside = tmp.path().join("outside");
        std::fs::create_dir_all(root.join("charts")).unwrap();
        std::fs::create_dir_all(outside.join("charts")).unwrap();
        std::fs::write(outside.join("index.html"), "theirs").unwrap();
        std::fs::write(outside.join("charts/a.svg"), "theirs").unwrap();
        std::fs::write(root.join("charts/b.svg"), "ours").unwrap();
        // A listed file that is now a link, and a listed file's folder that is now a link.
        std::os::unix::fs::symlink(outside.join("index.html"), root.join("index.html")).unwrap();
        std::os::unix::fs::symlink(&outside, root.join("data")).unwrap();
        remove_listed(
            &root,
            &set(&[
                "index.html",
                "data/charts/a.svg",
                "charts/b.svg",
                "../outside/index.html",
            ]),
        );
        // The link itself is gone, what it pointed to is not; nothing was reached through the
        // linked folder; the emptied folder went.
        assert!(std::fs::symlink_metadata(root.join("index.html")).is_err());
        assert_eq!(
            std::fs::read(outside.join("index.html")).unwrap(),
            b"theirs"
        );
        assert_eq!(
            std::fs::read(outside.join("charts/a.svg")).unwrap(),
            b"theirs"
        );
        assert!(std::fs::symlink_metadata(root.join("data")).is_ok());
        assert!(!root.join("charts").exists());
    }

    #[test]
    fn what_was_kept_is_named_in_one_line() {
        let w = Written {
            kept: (1..=7).map(|i| format!("f{i}")).collect(),
        };
        assert_eq!(
            w.kept_line(Path::new("rep")).unwrap(),
            "kept in rep what patella did not write: f1, f2, f3, f4, f5 and 2 more"
        );
        assert_eq!(Written::default().kept_line(Path::new("rep")), None);
    }

    #[test]
    fn a_report_is_swapped_whole_when_it_holds_only_patella_s_files() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("rep");
        let fill = |names: &'static [&'static str]| {
            move |dir: &Path| -> anyhow::Result<()> {
                for n in names {
                    let p = dir.join(n);
                    std::fs::create_dir_all(p.parent().unwrap())?;
                    std::fs::write(p, n)?;
                }
                Ok(())
            }
        };
        assert_eq!(
            write_folder(&out, fill(&["index.html", "old/x.csv"])).unwrap(),
            Written::default()
        );
        let inode = |p: &Path| {
            #[cfg(unix)]
            {
                std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(p).unwrap())
            }
            #[cfg(not(unix))]
            0
        };
        let before = inode(&out);
        write_folder(&out, fill(&["index.html", "new.csv"])).unwrap();
        // A new folder in its place; the old report's files are gone with it.
        assert_ne!(inode(&out), before);
        assert!(!out.join("old").exists());
        assert_eq!(std::fs::read(out.join("new.csv")).unwrap(), b"new.csv");
        // A file of the runner's: the folder is updated in place, the file stays.
        std::fs::write(out.join("mine.txt"), "mine").unwrap();
        let before = inode(&out);
        let w = write_folder(&out, fill(&["index.html", "other.csv"])).unwrap();
        assert_eq!(w.kept, ["mine.txt"]);
        assert_eq!(inode(&out), before);
        assert!(!out.join("new.csv").exists());
        assert!(out.join("other.csv").is_file());
        assert_eq!(
            read_marker(&out).unwrap().files.unwrap(),
            set(&["index.html", "other.csv"])
        );
        // A fill that fails changes nothing and leaves nothing.
        let err = write_folder(&out, |dir| {
            std::fs::write(dir.join("index.html"), "half")?;
            anyhow::bail!("no")
        });
        assert!(err.is_err());
        assert_eq!(
            std::fs::read(out.join("index.html")).unwrap(),
            b"index.html"
        );
        let names: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().flatten().collect();
        assert_eq!(names.len(), 1);
        // The runner's file where the report writes one of its own: refused, nothing moved.
        std::fs::remove_file(out.join("other.csv")).unwrap();
        std::fs::write(out.join("other.csv"), "mine too").unwrap();
        let marker = std::fs::read(out.join(MARKER)).unwrap();
        std::fs::write(
            out.join(MARKER),
            String::from_utf8_lossy(&marker).replace("\"other.csv\"\n", ""),
        )
        .unwrap();
        let err = write_folder(&out, fill(&["index.html", "other.csv"])).unwrap_err();
        assert!(err.downcast_ref::<Refused>().is_some(), "{err}");
        assert_eq!(std::fs::read(out.join("other.csv")).unwrap(), b"mine too");
    }
}
