//! Finding and reading activity files: folders are walked, archives opened in memory, each file's
//! format sniffed from its bytes, and every file ends up as activities or as a [`Skipped`] entry
//! with a one-line reason. Nothing here writes to disk.

pub mod archive;
pub mod error;
pub mod fit;
pub mod fitdecode;
pub mod gpx;
pub mod tcx;

use std::collections::HashSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use error::one_line;
pub use error::ReadError;

use crate::model::Activity;

/// A file, or an archive member, that gave no activity, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    pub source: String,
    pub reason: String,
}

/// Everything read from a set of paths.
#[derive(Debug, Default)]
pub struct Loaded {
    pub activities: Vec<Activity>,
    pub skipped: Vec<Skipped>,
    /// Files (and archive members) looked at, whatever came of them.
    pub files_seen: usize,
}

/// Guards against archives and files that would exhaust memory.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Largest file read from disk, and largest decompressed gzip or zip member.
    pub max_file_bytes: u64,
    /// Most members read from one zip.
    pub max_zip_members: usize,
    /// Deepest nesting of archives (a gzip inside a zip inside a zip is depth 3).
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 512 * 1024 * 1024,
            max_zip_members: 20_000,
            max_depth: 4,
        }
    }
}

/// Reads every activity under `paths` (files or folders, walked recursively in name order).
/// Hidden files and folders (names starting with `.`) are passed over.
pub fn load(paths: &[PathBuf], limits: &Limits) -> Loaded {
    load_with_progress(paths, limits, &|_, _| {})
}

/// [`load`], decoding files in parallel (rayon) and calling `progress(done, total)` after each
/// file. The result is the same, in the same order, whatever the number of threads.
pub fn load_with_progress(
    paths: &[PathBuf],
    limits: &Limits,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Loaded {
    use rayon::prelude::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    let mut out = Loaded::default();
    let (files, skipped) = discover(paths);
    out.skipped = skipped;
    let total = files.len();
    let done = AtomicUsize::new(0);
    let parts: Vec<Loaded> = files
        .par_iter()
        .map(|file| {
            let part = load_file(file, limits);
            progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
            part
        })
        .collect();
    for part in parts {
        out.activities.extend(part.activities);
        out.skipped.extend(part.skipped);
        out.files_seen += part.files_seen;
    }
    out
}

/// The files under `paths` (folders walked recursively in name order, hidden names passed over,
/// each folder once), and the paths that could not be read at all.
pub fn discover(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<Skipped>) {
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    let mut seen_dirs = HashSet::new();
    for path in paths {
        collect(path, &mut files, &mut seen_dirs, &mut skipped);
    }
    (files, skipped)
}

/// Everything the bytes of one top-level file give (an archive gives its members' activities):
/// for bytes that come from somewhere else than a folder walk, and the fuzz targets.
pub fn read_bytes(source: &str, bytes: &[u8], limits: &Limits) -> Loaded {
    let mut out = Loaded::default();
    load_bytes(source, bytes, 0, limits, &mut out);
    out
}

/// Everything one file gives (an archive gives its members' activities).
pub fn load_file(file: &Path, limits: &Limits) -> Loaded {
    let mut part = Loaded::default();
    let source = file.display().to_string();
    match read_file(file, limits) {
        Ok(bytes) => load_bytes(&source, &bytes, 0, limits, &mut part),
        Err(reason) => {
            part.files_seen += 1;
            part.skipped.push(Skipped { source, reason });
        }
    }
    part
}

fn collect(
    path: &Path,
    files: &mut Vec<PathBuf>,
    seen_dirs: &mut HashSet<PathBuf>,
    skipped: &mut Vec<Skipped>,
) {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => {
            skipped.push(Skipped {
                source: path.display().to_string(),
                reason: io_reason(&e),
            });
            return;
        }
    };
    if !meta.is_dir() {
        files.push(path.to_path_buf());
        return;
    }
    // A symlinked folder seen before (a loop, or the same folder twice) is walked once.
    let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    if !seen_dirs.insert(canonical) {
        return;
    }
    let entries = match std::fs::read_dir(path) {
        Ok(rd) => rd,
        Err(e) => {
            skipped.push(Skipped {
                source: path.display().to_string(),
                reason: io_reason(&e),
            });
            return;
        }
    };
    let mut children: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| e.path())
        .collect();
    children.sort();
    for child in children {
        collect(&child, files, seen_dirs, skipped);
    }
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or folder".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => format!("cannot read: {e}"),
    }
}

/// Reads a whole file, refusing files over the size limit; the error is a one-line reason.
pub fn read_file(path: &Path, limits: &Limits) -> Result<Vec<u8>, String> {
    let len = std::fs::metadata(path).map_err(|e| io_reason(&e))?.len();
    if len > limits.max_file_bytes {
        return Err(format!(
            "file is {} MiB, over the {} MiB limit",
            len >> 20,
            limits.max_file_bytes >> 20
        ));
    }
    std::fs::read(path).map_err(|e| io_reason(&e))
}

/// What the bytes of a file are, decided from the bytes (and the name only to explain a skip).
#[derive(Debug, PartialEq, Eq)]
enum Kind {
    Gzip,
    Zip,
    Fit,
    Gpx,
    Tcx,
    Other(String),
}

fn sniff(name: &str, bytes: &[u8]) -> Kind {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        return Kind::Gzip;
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return Kind::Zip;
    }
    if fit::sniff(bytes) {
        return Kind::Fit;
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
    let head = head.trim_start_matches('\u{feff}').trim_start();
    if head.starts_with('<') {
        if head.contains("<gpx") || head.contains(":gpx") {
            return Kind::Gpx;
        }
        if head.contains("TrainingCenterDatabase") {
            return Kind::Tcx;
        }
    }
    let lower = name.to_ascii_lowercase();
    let ext = lower.rsplit('.').next().unwrap_or("");
    match ext {
        // Named like an activity but not recognisable as one: let the reader say what is wrong.
        "gpx" => Kind::Gpx,
        "tcx" => Kind::Tcx,
        "fit" => Kind::Other("not a FIT file (no .FIT signature in the header)".into()),
        _ => Kind::Other(skip_reason(ext, bytes.is_empty())),
    }
}

fn skip_reason(ext: &str, empty: bool) -> String {
    if empty {
        return "empty file".into();
    }
    let what = match ext {
        "csv" | "tsv" | "json" | "txt" | "xml" | "html" => format!("a .{ext} file"),
        "jpg" | "jpeg" | "png" | "gif" | "heic" | "webp" => "an image".into(),
        "kml" | "kmz" => "KML (a map format without training data)".into(),
        "doc" | "docx" | "pdf" => "a document".into(),
        "" => "a file of unknown format".into(),
        other => format!("a .{other} file of unknown format"),
    };
    format!("not an activity file: {what}")
}

/// Reads one file's bytes (or an archive member's): unpacks archives, dispatches on format, and
/// records what came of it. `depth` counts the archives around it.
pub fn load_bytes(source: &str, bytes: &[u8], depth: usize, limits: &Limits, out: &mut Loaded) {
    let kind = sniff(source, bytes);
    if matches!(kind, Kind::Gzip | Kind::Zip) && depth >= limits.max_depth {
        out.files_seen += 1;
        out.skipped.push(Skipped {
            source: source.to_string(),
            reason: format!("archives nested deeper than {}", limits.max_depth),
        });
        return;
    }
    match kind {
        Kind::Gzip => match archive::gunzip(bytes, limits.max_file_bytes) {
            Ok(inner) => {
                // Keep the archive's name as the source: `run.fit.gz` names the run.
                load_bytes(source, &inner, depth + 1, limits, out);
            }
            Err(reason) => {
                out.files_seen += 1;
                out.skipped.push(Skipped {
                    source: source.to_string(),
                    reason,
                });
            }
        },
        Kind::Zip => {
            archive::each_member(source, bytes, limits, &mut |name, member| match member {
                Ok(inner) => load_bytes(name, &inner, depth + 1, limits, out),
                Err(reason) => {
                    out.files_seen += 1;
                    out.skipped.push(Skipped {
                        source: name.to_string(),
                        reason,
                    });
                }
            })
        }
        Kind::Fit | Kind::Gpx | Kind::Tcx => {
            out.files_seen += 1;
            match decode_guarded(&kind, source, bytes) {
                Ok(activities) if activities.is_empty() => out.skipped.push(Skipped {
                    source: source.to_string(),
                    reason: "no activity in file".into(),
                }),
                Ok(activities) => out.activities.extend(activities),
                Err(reason) => out.skipped.push(Skipped {
                    source: source.to_string(),
                    reason,
                }),
            }
        }
        Kind::Other(reason) => {
            out.files_seen += 1;
            out.skipped.push(Skipped {
                source: source.to_string(),
                reason,
            });
        }
    }
}

thread_local! {
    /// Set while a reader runs, so that the panic hook stays quiet about panics that
    /// [`decode_guarded`] turns into a skipped file.
    static IN_DECODER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Installs a panic hook that keeps decoder panics (reported as skip reasons) off stderr and
/// leaves every other panic to the default hook. Call once at start-up.
pub fn quiet_decoder_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !IN_DECODER.with(|f| f.get()) {
            default(info);
        }
    }));
}

/// Runs one reader under `catch_unwind`: a decoder bug must cost one file, never the batch.
fn decode_guarded(kind: &Kind, source: &str, bytes: &[u8]) -> Result<Vec<Activity>, String> {
    IN_DECODER.with(|f| f.set(true));
    let result = catch_unwind(AssertUnwindSafe(|| match kind {
        Kind::Fit => fitdecode::read(bytes, source),
        Kind::Gpx => gpx::read(bytes, source),
        Kind::Tcx => tcx::read(bytes, source),
        _ => Err(ReadError::invalid("not a decodable format")),
    }));
    IN_DECODER.with(|f| f.set(false));
    match result {
        Ok(Ok(activities)) => Ok(activities),
        Ok(Err(e)) => Err(e.to_string()),
        Err(panic) => {
            let msg = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown cause".into());
            Err(format!("decoder failed unexpectedly: {}", one_line(&msg)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniff_by_bytes_not_name() {
        assert_eq!(sniff("x.fit", &[0x1f, 0x8b, 8, 0]), Kind::Gzip);
        assert_eq!(sniff("x.gpx", b"PK\x03\x04rest"), Kind::Zip);
        assert_eq!(
            sniff(
                "export.xml",
                b"\xef\xbb\xbf\n\n<?xml version=\"1.0\"?><gpx>"
            ),
            Kind::Gpx
        );
        assert_eq!(
            sniff(
                "a",
                b"<?xml version=\"1.0\"?>\n<TrainingCenterDatabase xmlns=\"x\">"
            ),
            Kind::Tcx
        );
        assert!(matches!(sniff("notes.csv", b"a,b\n1,2\n"), Kind::Other(r) if r.contains(".csv")));
        assert!(
            matches!(sniff("photo.JPG", b"\xff\xd8\xff"), Kind::Other(r) if r.contains("image"))
        );
        assert!(
            matches!(sniff("run.fit", b"garbage!garbage!"), Kind::Other(r) if r.contains("FIT"))
        );
    }

    #[test]
    fn nesting_is_bounded() {
        // A gzip inside a gzip inside ... deeper than the limit is skipped, not followed.
        let limits = Limits {
            max_depth: 2,
            ..Limits::default()
        };
        let mut bytes = b"not an activity".to_vec();
        for _ in 0..4 {
            bytes = archive::tests::gzip(&bytes);
        }
        let mut out = Loaded::default();
        load_bytes("deep.gz", &bytes, 0, &limits, &mut out);
        assert_eq!(out.skipped.len(), 1);
        assert!(
            out.skipped[0].reason.contains("nested deeper"),
            "{:?}",
            out.skipped
        );
    }

    #[test]
    fn missing_path_is_skipped_with_reason() {
        let out = load(
            &[PathBuf::from("/nonexistent/patella/x.fit")],
            &Limits::default(),
        );
        assert_eq!(out.skipped.len(), 1);
        assert_eq!(out.skipped[0].reason, "no such file or folder");
    }
}
