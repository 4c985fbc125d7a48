//! Finding and reading activity files: folders are walked, archives opened in memory, each file's
//! format sniffed from its bytes, and every file ends up as activities or as a [`Skipped`] entry
//! with a one-line reason. Nothing here writes to disk.

pub mod archive;
pub mod clean;
pub mod error;
pub mod export;
pub mod fit;
pub mod gpx;
pub mod pain;
pub mod tcx;
mod xml;

use std::collections::HashSet;
use std::io::{Read, Seek};
use std::path::{Path, PathBuf};

pub use crate::model::{ReadError, SkipReason, Skipped};
use archive::Budget;

use crate::model::{Activity, GearLink, ManifestRow, PainRow};

/// Everything read from a set of paths.
#[derive(Debug, Default)]
pub struct Ingested {
    pub activities: Vec<Activity>,
    pub skipped: Vec<Skipped>,
    /// Files (and archive members) looked at, whatever came of them.
    pub files_seen: usize,
    /// The rows of bulk-export manifests read ([`export`]), joined to activities later.
    pub manifests: Vec<ManifestRow>,
    /// The sessions' gear from Garmin's gear lists ([`export::garmin::read_gear`]), given to
    /// the manifest rows of the same export before the join.
    pub gear: Vec<GearLink>,
    /// The entries of pain logs read ([`pain`]), and one message per row that does not read.
    pub pain: Vec<PainRow>,
    pub pain_errors: Vec<String>,
}

impl Ingested {
    fn skip(&mut self, source: &str, reason: impl Into<SkipReason>) {
        self.files_seen += 1;
        self.skipped.push(Skipped::new(source, reason));
    }
}

/// Guards against files and archives that would exhaust memory or time.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Largest file read from disk, and largest gzip stream or zip member once inflated.
    pub max_file_bytes: u64,
    /// Most members read from one zip.
    pub max_zip_members: usize,
    /// Deepest nesting of archives (a gzip inside a zip inside a zip is depth 3).
    pub max_depth: usize,
    /// A top-level file may inflate to this many times its size, all its archives together...
    pub budget_ratio: u64,
    /// ...but never to more than this (or `large_budget_ratio` times its size, whichever is
    /// more: a bulk export of gigabytes holds that much)...
    pub max_budget_bytes: u64,
    pub large_budget_ratio: u64,
    /// ...and always to at least this (small archives of very compressible files).
    pub min_budget_bytes: u64,
    /// Inflated bytes held at once by all the files being read, on every thread together (an
    /// activity file for its reader, the kept bytes of a zip inside an archive): a file that
    /// would hold more than this alone is skipped; one that has to wait for the others waits
    /// holding nothing ([`archive::Pool`]).
    pub max_held_bytes: u64,
    /// A zip inside an archive up to this size is held whole; of a larger one only its last this
    /// many bytes (where its directory is) are held, and it is read in two passes.
    pub zip_window_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 256 << 20,
            max_zip_members: 20_000,
            max_depth: 4,
            budget_ratio: 100,
            max_budget_bytes: 2 << 30,
            large_budget_ratio: 10,
            min_budget_bytes: 1 << 20,
            // Twice the largest file: what one file can hold (the file, and the window of each
            // zip around it) fits with room to spare.
            max_held_bytes: 512 << 20,
            // Holds the directory of 20,000 members named in up to about 150 characters; a zip
            // with a larger one is held whole (within the pool).
            zip_window_bytes: 4 << 20,
        }
    }
}

/// Reads every activity under `paths` (files or folders, walked recursively in name order).
/// Hidden files and folders (names starting with `.`) are passed over.
pub fn read_paths(paths: &[PathBuf], limits: &Limits) -> Ingested {
    read_paths_with_progress(paths, limits, &|_, _| {})
}

/// [`load`], decoding files in parallel (rayon) and calling `progress(done, total)` after each
/// file. The result is the same, in the same order, whatever the number of threads.
pub fn read_paths_with_progress(
    paths: &[PathBuf],
    limits: &Limits,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Ingested {
    use rayon::prelude::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    let mut out = Ingested::default();
    let (files, skipped) = discover(paths);
    out.skipped = skipped;
    let total = files.len();
    let done = AtomicUsize::new(0);
    let parts: Vec<Ingested> = files
        .par_iter()
        .map(|file| {
            let part = read_path(file, limits);
            progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
            part
        })
        .collect();
    for part in parts {
        out.activities.extend(part.activities);
        out.skipped.extend(part.skipped);
        out.files_seen += part.files_seen;
        out.manifests.extend(part.manifests);
        out.gear.extend(part.gear);
        out.pain.extend(part.pain);
        out.pain_errors.extend(part.pain_errors);
    }
    out
}

/// The regular files under `paths` (folders walked recursively in name order, hidden names
/// passed over, each folder once), and the paths that are not read at all: missing or
/// unreadable ones, FIFOs, sockets and devices (opening a FIFO would wait for a writer), and
/// symbolic links that lead out of the folder being walked (a link to a file or folder inside
/// it is followed; a path named on the command line is followed wherever it leads).
pub fn discover(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<Skipped>) {
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    let mut seen_dirs = HashSet::new();
    for path in paths {
        let root = std::fs::canonicalize(path).ok();
        let walk = Walk {
            root: root.as_deref(),
        };
        walk.collect(path, true, &mut files, &mut seen_dirs, &mut skipped);
    }
    (files, skipped)
}

/// Once per process, a block of 16 MiB taken and given back, so that the system allocator keeps
/// the memory of large columns for the next file instead of returning it at every free. glibc
/// raises its threshold for giving memory back to twice the largest block it has unmapped (from
/// 128 KiB): a FIT file's columns, each an eighth of a megabyte to a megabyte, were returned and
/// faulted in again file after file (the decode benchmark, which keeps its files in memory: 14,000
/// page faults in 6 s became 520,000 when the rows became columns, and 12,000 in 4 s with this).
/// With another allocator it costs one allocation.
pub(crate) fn keep_freed_memory() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let block: Vec<u8> = Vec::with_capacity(16 << 20);
        std::hint::black_box(&block);
    });
}

/// Everything the bytes of one top-level file give (an archive gives its members' activities):
/// for bytes that come from somewhere else than a folder walk, and the fuzz targets.
pub fn read_bytes(source: &str, bytes: &[u8], limits: &Limits) -> Ingested {
    keep_freed_memory();
    read_top(source, bytes.len() as u64, limits, |budget, out| {
        load_bytes(source, bytes, limits, budget, out)
    })
}

/// Reads one top-level file of `size` bytes with `load`, under a budget of its own; once more,
/// alone, if it gave way to other files for memory ([`archive::Pool`]): what it gave the first
/// time is thrown away, so the result is what it gives alone.
fn read_top(
    source: &str,
    size: u64,
    limits: &Limits,
    load: impl Fn(&Budget, &mut Ingested),
) -> Ingested {
    let mut budget = Budget::for_file(source, size, limits);
    loop {
        let mut out = Ingested::default();
        load(&budget, &mut out);
        if !budget.gave_way() {
            return out;
        }
        drop(out);
        budget = Budget::for_file(source, size, limits).alone();
    }
}

/// Everything one file gives (an archive gives its members' activities).
pub fn read_path(file: &Path, limits: &Limits) -> Ingested {
    read_one(file, limits, false).0
}

/// [`read_path`], and the [`content_hash`] of what was read: `None` when the file could not be
/// read, or changed while it was read.
pub fn read_path_hashed(file: &Path, limits: &Limits) -> (Ingested, Option<String>) {
    read_one(file, limits, true)
}

fn read_one(file: &Path, limits: &Limits, hash: bool) -> (Ingested, Option<String>) {
    keep_freed_memory();
    let source = file.display().to_string();
    let mut part = Ingested::default();
    match open_regular(file) {
        Ok((f, meta)) if starts_like_zip(&f) => {
            // A top-level zip is read from disk, one member at a time: a bulk export of
            // gigabytes never sits in memory. Its hash is taken before and after.
            let before = hash.then(|| hash_file(file).ok()).flatten();
            let part = read_top(&source, meta.len(), limits, |budget, out| {
                load_zip(&source, &f, limits, budget, out)
            });
            let after = hash.then(|| hash_file(file).ok()).flatten();
            let same = before.is_some() && before == after;
            (part, if same { before } else { None })
        }
        Ok((f, meta)) => match read_open(f, meta.len(), limits) {
            Ok(bytes) => (
                read_bytes(&source, &bytes, limits),
                hash.then(|| content_hash(&bytes)),
            ),
            Err(reason) => {
                part.skip(&source, reason);
                (part, None)
            }
        },
        Err(reason) => {
            part.skip(&source, reason);
            (part, None)
        }
    }
}

/// Whether an open file starts with a zip signature; leaves it at its start.
fn starts_like_zip(mut f: &std::fs::File) -> bool {
    let mut magic = [0u8; 4];
    let zip =
        f.read_exact(&mut magic).is_ok() && (magic == *b"PK\x03\x04" || magic == *b"PK\x05\x06");
    f.rewind().is_ok() && zip
}

/// The content hash that keys a file in the store (xxh3, 128 bits, hex).
pub fn content_hash(bytes: &[u8]) -> String {
    format!("{:032x}", xxhash_rust::xxh3::xxh3_128(bytes))
}

/// The [`content_hash`] of a regular file, read in pieces (a large archive never sits in memory).
pub fn hash_file(path: &Path) -> Result<String, SkipReason> {
    let (mut file, _) = open_regular(path)?;
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    // The thread's kept buffer: a new megabyte for each file was zeroed each time (a sixth of a
    // warm run on 3,000 files of 60 KB went to that).
    archive::with_kept_buffer(1 << 20, |buf| loop {
        match file.read(buf) {
            Ok(0) => return Ok(()),
            Ok(n) => hasher.update(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(SkipReason::io(&e)),
        }
    })?;
    Ok(format!("{:032x}", hasher.digest128()))
}

/// One path named on the command line, walked: `root` is where it leads (`None` when it does
/// not exist).
struct Walk<'a> {
    root: Option<&'a Path>,
}

impl Walk<'_> {
    fn collect(
        &self,
        path: &Path,
        top: bool,
        files: &mut Vec<PathBuf>,
        seen_dirs: &mut HashSet<PathBuf>,
        skipped: &mut Vec<Skipped>,
    ) {
        let skip = |skipped: &mut Vec<Skipped>, reason| {
            skipped.push(Skipped::new(path.display().to_string(), reason));
        };
        // Below the path named, a link is followed only where it stays inside it.
        let link =
            !top && std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
        if let (true, Some(root)) = (link, self.root) {
            match std::fs::canonicalize(path) {
                Ok(target) if !target.starts_with(root) => {
                    let target = target.display().to_string();
                    return skip(skipped, SkipReason::LinkOutside { target });
                }
                Ok(_) => {}
                Err(e) => return skip(skipped, SkipReason::io(&e)),
            }
        }
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) => return skip(skipped, SkipReason::io(&e)),
        };
        if !meta.is_dir() {
            match not_regular(&meta) {
                Some(reason) => skip(skipped, reason),
                None => files.push(path.to_path_buf()),
            }
            return;
        }
        // A symlinked folder seen before (a loop, or the same folder twice) is walked once.
        let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        if !seen_dirs.insert(canonical) {
            return;
        }
        let entries = match std::fs::read_dir(path) {
            Ok(rd) => rd,
            Err(e) => return skip(skipped, SkipReason::io(&e)),
        };
        let mut children: Vec<PathBuf> = entries
            .filter_map(|e| e.ok())
            .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
            .map(|e| e.path())
            .collect();
        children.sort();
        for child in children {
            self.collect(&child, false, files, seen_dirs, skipped);
        }
    }
}

/// Why a file that is not a folder is not read: `None` for a regular file.
fn not_regular(meta: &std::fs::Metadata) -> Option<SkipReason> {
    if meta.is_file() {
        return None;
    }
    let kind = {
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            let t = meta.file_type();
            if t.is_fifo() {
                "a FIFO"
            } else if t.is_socket() {
                "a socket"
            } else if t.is_block_device() {
                "a block device"
            } else if t.is_char_device() {
                "a character device"
            } else {
                "not a file or folder"
            }
        }
        #[cfg(not(unix))]
        {
            "not a file or folder"
        }
    };
    Some(SkipReason::NotRegular { kind: kind.into() })
}

/// Opens `path` for reading without waiting: a FIFO put in place of a file after it was listed
/// does not block the open (and is then refused as not regular).
fn open_no_wait(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

/// Opens a regular file (never waiting on a FIFO), with its metadata.
pub(crate) fn open_regular(path: &Path) -> Result<(std::fs::File, std::fs::Metadata), SkipReason> {
    let file = open_no_wait(path).map_err(|e| SkipReason::io(&e))?;
    let meta = file.metadata().map_err(|e| SkipReason::io(&e))?;
    match not_regular(&meta) {
        Some(reason) => Err(reason),
        None => Ok((file, meta)),
    }
}

/// Reads a whole regular file, at most [`Limits::max_file_bytes`] even if it grows while it is
/// read; the error is a one-line reason.
pub fn read_file(path: &Path, limits: &Limits) -> Result<Vec<u8>, SkipReason> {
    let (file, meta) = open_regular(path)?;
    read_open(file, meta.len(), limits)
}

/// Reads a small regular file that patella is given rather than finds (a pain log, a thresholds
/// file, an `athlete.toml`, a report's marker) as the folder walk opens files: never waiting on a
/// FIFO, never reading a device, never more than `max_bytes`.
pub fn read_small(path: &Path, max_bytes: u64) -> Result<Vec<u8>, SkipReason> {
    let limits = Limits {
        max_file_bytes: max_bytes,
        ..Limits::default()
    };
    read_file(path, &limits)
}

/// Reads an open file of `len` bytes (as its metadata said) within the limit.
fn read_open(file: std::fs::File, len: u64, limits: &Limits) -> Result<Vec<u8>, SkipReason> {
    let limit = limits.max_file_bytes;
    if len > limit {
        return Err(SkipReason::TooLarge { size: len, limit });
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| SkipReason::io(&e))?;
    if bytes.len() as u64 > limit {
        return Err(SkipReason::GrewPastLimit { limit });
    }
    Ok(bytes)
}

/// What the bytes of a file are, decided from the bytes (and the name only to explain a skip).
#[derive(Debug, PartialEq, Eq)]
enum Kind {
    Gzip,
    Zip,
    Fit,
    Gpx,
    Tcx,
    Manifest(export::Manifest),
    /// Garmin Connect's gear list (`<user>_gear.json`).
    Gear,
    /// A pain log (`date,knee,score,when,note`).
    Pain,
    Other(SkipReason),
}

/// The kind of a file from its first bytes: only the first [`archive::HEAD_BYTES`] are looked at,
/// so the head of an archive member decides as the whole would.
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
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(archive::HEAD_BYTES)]);
    let head = head.trim_start_matches('\u{feff}').trim_start();
    if let Some(manifest) = export::sniff(name, head) {
        return Kind::Manifest(manifest);
    }
    if export::garmin::is_gear(name, head) {
        return Kind::Gear;
    }
    if pain::is_header(head) {
        return Kind::Pain;
    }
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
        _ if bytes.is_empty() => Kind::Other(SkipReason::Empty),
        "fit" => Kind::Other(SkipReason::NotFit),
        _ => Kind::Other(SkipReason::NotActivityFile {
            what: what_it_is(ext),
        }),
    }
}

fn what_it_is(ext: &str) -> String {
    match ext {
        "csv" | "tsv" | "json" | "txt" | "xml" | "html" => format!("a .{ext} file"),
        "jpg" | "jpeg" | "png" | "gif" | "heic" | "webp" => "an image".into(),
        "kml" | "kmz" => "KML (a map format without training data)".into(),
        "doc" | "docx" | "pdf" => "a document".into(),
        "" => "a file of unknown format".into(),
        other => format!("a .{other} file of unknown format"),
    }
}

/// Whether a file inside an archive is worth inflating, from its head: not when it is of no
/// readable kind. (Archives inside it, and how deep they nest, [`archive`] judges itself.)
fn admit(name: &str, head: &[u8]) -> Result<(), SkipReason> {
    match sniff(name, head) {
        Kind::Other(reason) => Err(reason),
        _ => Ok(()),
    }
}

/// Reads one top-level file's bytes: an archive through [`archive::read_held`] within the
/// file's `budget` (each file inside it to [`load_leaf`]), anything else by its format.
fn load_bytes(source: &str, bytes: &[u8], limits: &Limits, budget: &Budget, out: &mut Ingested) {
    match sniff(source, bytes) {
        Kind::Gzip | Kind::Zip => {
            archive::read_held(source, bytes, limits, budget, &admit, &mut |name, leaf| {
                load_leaf(name, leaf, out)
            })
        }
        kind => load_kind(kind, source, bytes, None, out),
    }
}

/// Reads a top-level zip from disk one member at a time ([`archive::read_zip_file`]).
fn load_zip(
    source: &str,
    file: &std::fs::File,
    limits: &Limits,
    budget: &Budget,
    out: &mut Ingested,
) {
    archive::read_zip_file(source, file, limits, budget, &admit, &mut |name, leaf| {
        load_leaf(name, leaf, out)
    })
}

/// Records what came of a file inside an archive: its reason, or what its bytes give.
fn load_leaf(name: &str, leaf: Result<archive::Leaf<'_>, SkipReason>, out: &mut Ingested) {
    match leaf {
        Ok(leaf) => load_kind(
            sniff(name, &leaf.bytes),
            name,
            &leaf.bytes,
            leaf.cut_short,
            out,
        ),
        Err(reason) => out.skip(name, reason),
    }
}

/// Dispatches bytes of a known kind to their reader and records what came of it. `cut_short`
/// is the damage of a gzip stream that ended early: an activity file is read up to the cut (as a
/// truncated file is), each activity with a warning saying so, and skipped for that damage if
/// nothing is left; anything else is skipped for it.
fn load_kind(
    kind: Kind,
    source: &str,
    bytes: &[u8],
    cut_short: Option<SkipReason>,
    out: &mut Ingested,
) {
    if let Some(damage) = &cut_short {
        if !matches!(kind, Kind::Fit | Kind::Gpx | Kind::Tcx) {
            out.skip(source, damage.clone());
            return;
        }
    }
    match kind {
        // Every archive is read by `archive`; a file inside one is never one.
        Kind::Gzip | Kind::Zip => out.skip(
            source,
            SkipReason::NotActivityFile {
                what: "an archive".into(),
            },
        ),
        Kind::Fit | Kind::Gpx | Kind::Tcx => {
            out.files_seen += 1;
            match decode_guarded(&kind, source, bytes) {
                Ok(activities) if activities.iter().all(|a| a.is_err()) && cut_short.is_some() => {
                    out.skipped.push(Skipped::new(
                        source,
                        cut_short.unwrap_or(SkipReason::NoActivity),
                    ))
                }
                Ok(activities) if activities.is_empty() => out
                    .skipped
                    .push(Skipped::new(source, SkipReason::NoActivity)),
                Ok(activities) => {
                    let several = activities.len() > 1;
                    for (i, cleaned) in activities.into_iter().enumerate() {
                        match cleaned {
                            Ok(mut a) => {
                                if let Some(damage) = &cut_short {
                                    a.warnings.push(cut_short_warning(damage));
                                }
                                out.activities.push(a)
                            }
                            // One session of several that has nothing left: named by its number.
                            Err(e) if several => out
                                .skipped
                                .push(Skipped::new(format!("{source} (session {i})"), e)),
                            Err(e) => out.skipped.push(Skipped::new(source, e)),
                        }
                    }
                }
                Err(_) if cut_short.is_some() => out.skipped.push(Skipped::new(
                    source,
                    cut_short.unwrap_or(SkipReason::NoActivity),
                )),
                Err(reason) => out.skipped.push(Skipped::new(source, reason)),
            }
        }
        Kind::Manifest(manifest) => {
            out.files_seen += 1;
            let (rows, skipped) = export::read(manifest, source, bytes);
            out.manifests.extend(rows);
            out.skipped.extend(skipped);
        }
        Kind::Gear => {
            out.files_seen += 1;
            let (links, skipped) = export::garmin::read_gear(source, bytes);
            out.gear.extend(links);
            out.skipped.extend(skipped);
        }
        Kind::Pain => {
            out.files_seen += 1;
            let (rows, errors) = pain::read(source, bytes);
            out.pain.extend(rows);
            out.pain_errors.extend(errors);
        }
        Kind::Other(reason) => out.skip(source, reason),
    }
}

/// The warning on an activity read from a gzip stream that ended early.
fn cut_short_warning(damage: &SkipReason) -> String {
    format!("archive cut short ({damage}); read what came before the cut")
}

/// Runs one reader, and the cleaning of what it gives ([`clean`]), under the last guard: a
/// decoder bug must cost one file, never the batch.
fn decode_guarded(
    kind: &Kind,
    source: &str,
    bytes: &[u8],
) -> Result<Vec<Result<Activity, ReadError>>, SkipReason> {
    let result = crate::guard::catch(|| {
        let read = match kind {
            Kind::Fit => fit::read(bytes, source),
            Kind::Gpx => gpx::read(bytes, source),
            Kind::Tcx => tcx::read(bytes, source),
            _ => Err(ReadError::invalid("not a decodable format")),
        };
        read.map(|acts| acts.into_iter().map(clean::clean).collect::<Vec<_>>())
    });
    match result {
        Ok(read) => Ok(read?),
        Err(message) => Err(SkipReason::Internal {
            stage: "decoding".into(),
            message,
        }),
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
        let other = |name: &str, bytes: &[u8]| match sniff(name, bytes) {
            Kind::Other(r) => r.to_string(),
            k => panic!("{name}: {k:?}"),
        };
        assert_eq!(
            other("notes.csv", b"a,b\n1,2\n"),
            "not an activity file: a .csv file"
        );
        assert_eq!(
            other("photo.JPG", b"\xff\xd8\xff"),
            "not an activity file: an image"
        );
        assert_eq!(
            other("run.fit", b"garbage!garbage!"),
            "not a FIT file (no .FIT signature in the header)"
        );
        assert_eq!(other("run.fit", b""), "empty file");
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
        let out = read_bytes("deep.gz", &bytes, &limits);
        assert_eq!(out.skipped.len(), 1);
        assert_eq!(
            out.skipped[0].reason,
            SkipReason::NestedTooDeep { limit: 2 },
            "{:?}",
            out.skipped
        );
    }

    #[test]
    fn a_gzip_cut_short_is_read_as_a_truncated_file_is() {
        let gpx = include_bytes!("../../fixtures/gpx/gpx-data-analysis-morning-run-head40.gpx");
        let tcx = include_bytes!("../../fixtures/tcx/python-tcxparser-test-first-lap.tcx");
        let limits = Limits::default();
        for (name, plain) in [("run.gpx.gz", &gpx[..]), ("run.tcx.gz", &tcx[..])] {
            let whole = archive::tests::gzip(plain);
            let cut = &whole[..whole.len() * 2 / 3];
            // What the cut stream inflates to: the plain file up to some byte.
            let mut inflated = Vec::new();
            let e = flate2::read::GzDecoder::new(cut)
                .read_to_end(&mut inflated)
                .unwrap_err();
            assert_eq!(e.kind(), std::io::ErrorKind::UnexpectedEof);
            assert!(inflated.len() > 1000 && inflated.len() < plain.len());
            assert!(plain.starts_with(&inflated));
            // Read as the plain file cut there is, and said to be cut short.
            let mut expected = read_bytes(name, &inflated, &limits).activities;
            assert_eq!(expected.len(), 1, "{name}");
            let warning = format!(
                "archive cut short (gzip stream is damaged after {} bytes: incomplete deflate \
                 stream); read what came before the cut",
                inflated.len()
            );
            expected[0].warnings.push(warning);
            let out = read_bytes(name, cut, &limits);
            // Debug text, as the columns hold NaN where nothing was recorded.
            assert_eq!(
                format!("{:?}", out.activities),
                format!("{expected:?}"),
                "{name}"
            );
            assert!(out.skipped.is_empty(), "{:?}", out.skipped);
            // Before the first point: nothing to keep, skipped for the damage.
            let out = read_bytes(name, &whole[..40], &limits);
            assert!(out.activities.is_empty());
            assert_eq!(out.skipped[0].reason.kind(), "damaged-archive", "{name}");
        }
    }

    #[test]
    fn every_real_zip_gives_the_same_read_in_two_passes() {
        // A window of 1 KiB: every zip inside an archive is read in two passes, never held whole
        // (unless its reader steps back), on disk and in memory.
        let two_passes = Limits {
            zip_window_bytes: 1 << 10,
            ..Limits::default()
        };
        let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let mut dirs = vec![fixtures];
        dirs.extend(crate::test_support::corpus_dir());
        let zips: Vec<PathBuf> = dirs
            .iter()
            .flat_map(|d| crate::test_support::files_under(d))
            .filter(|p| p.extension().is_some_and(|e| e == "zip"))
            .collect();
        assert!(zips.len() >= 3, "{zips:?}");
        let mut nested = 0;
        for zip in &zips {
            let held = read_path(zip, &Limits::default());
            let streamed = read_path(zip, &two_passes);
            // Debug text, as the columns hold NaN where nothing was recorded.
            let show =
                |i: &Ingested| format!("{:?} {:?} {}", i.activities, i.skipped, i.files_seen);
            assert_eq!(show(&streamed), show(&held), "{}", zip.display());
            let bytes = std::fs::read(zip).unwrap();
            let in_memory = read_bytes(&zip.display().to_string(), &bytes, &two_passes);
            assert_eq!(show(&in_memory), show(&held), "{} in memory", zip.display());
            let names = held.activities.iter().map(|a| a.source.as_str());
            let names = names.chain(held.skipped.iter().map(|s| s.source.as_str()));
            nested += names
                .filter(|n| n.matches(".zip!").count() + n.matches(".kmz!").count() > 1)
                .count();
        }
        assert!(nested >= 2, "{nested} files inside zips inside zips");
    }

    /// A file of four zips one inside the other around a GPX run of `size` bytes (seed `seed`).
    fn nested_run(size: usize, seed: u64) -> Vec<u8> {
        let leaf = archive::tests::padded_gpx(60, size, seed);
        archive::tests::nested_zips(4, &leaf)
    }

    #[test]
    fn threads_share_the_memory_for_inflated_files() {
        // Room for one 1 MiB run and its zips' windows at a time, not two: a pool of its own
        // (pools are shared by capacity), which no other test uses.
        let limits = Limits {
            max_held_bytes: (3 << 19) + 12_345,
            zip_window_bytes: 64 << 10,
            ..Limits::default()
        };
        let files: Vec<Vec<u8>> = (1..=4).map(|seed| nested_run(1 << 20, seed)).collect();
        let alone: Vec<Ingested> = files
            .iter()
            .map(|f| read_bytes("nested.zip", f, &limits))
            .collect();
        for part in &alone {
            assert_eq!(part.activities.len(), 1, "{:?}", part.skipped);
        }
        let together: Vec<Ingested> = std::thread::scope(|s| {
            let threads: Vec<_> = files
                .iter()
                .map(|f| s.spawn(|| read_bytes("nested.zip", f, &limits)))
                .collect();
            threads.into_iter().map(|t| t.join().unwrap()).collect()
        });
        for (a, t) in alone.iter().zip(&together) {
            // Debug text, as the columns hold NaN where nothing was recorded.
            assert_eq!(format!("{:?}", a.activities), format!("{:?}", t.activities));
            assert_eq!(a.skipped, t.skipped);
        }
        let pool = archive::Pool::shared(limits.max_held_bytes);
        assert_eq!(pool.held(), 0);
        assert!(pool.peak() <= limits.max_held_bytes, "{}", pool.peak());
        assert!(pool.peak() > 1 << 20, "{}", pool.peak());
    }

    #[test]
    fn a_file_that_can_never_fit_is_skipped_not_waited_on() {
        let limits = Limits {
            max_held_bytes: (1 << 19) + 54_321,
            zip_window_bytes: 64 << 10,
            ..Limits::default()
        };
        let out = read_bytes("nested.zip", &nested_run(1 << 20, 7), &limits);
        assert!(out.activities.is_empty());
        assert_eq!(out.skipped.len(), 1);
        assert_eq!(
            out.skipped[0].source,
            "nested.zip!level1.zip!level2.zip!level3.zip!run.gpx"
        );
        assert_eq!(
            out.skipped[0].reason,
            SkipReason::HeldPastLimit {
                limit: (1 << 19) + 54_321
            }
        );
        assert_eq!(out.skipped[0].reason.kind(), "budget");
    }

    #[test]
    fn missing_path_is_skipped_with_reason() {
        let out = read_paths(
            &[PathBuf::from("/nonexistent/patella/x.fit")],
            &Limits::default(),
        );
        assert_eq!(out.skipped.len(), 1);
        assert_eq!(out.skipped[0].reason, SkipReason::NotFound);
        assert_eq!(
            out.skipped[0].to_string(),
            "/nonexistent/patella/x.fit: no such file or folder"
        );
    }

    #[cfg(unix)]
    #[test]
    fn fifos_and_sockets_are_listed_not_opened() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe.gpx");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let _socket = std::os::unix::net::UnixListener::bind(dir.path().join("s.fit")).unwrap();
        // Returns at once: nothing waits for a writer on the FIFO.
        let out = read_paths(&[dir.path().to_path_buf()], &Limits::default());
        let reasons: Vec<String> = out.skipped.iter().map(|s| s.to_string()).collect();
        assert_eq!(
            reasons,
            [
                format!("{}: not a regular file (a FIFO); not read", fifo.display()),
                format!(
                    "{}: not a regular file (a socket); not read",
                    dir.path().join("s.fit").display()
                ),
            ]
        );
        // Named directly, and read directly, the same.
        assert_eq!(
            read_file(&fifo, &Limits::default()),
            Err(SkipReason::NotRegular {
                kind: "a FIFO".into()
            })
        );
        let out = read_paths(std::slice::from_ref(&fifo), &Limits::default());
        assert_eq!(out.skipped[0].reason.kind(), "not-regular");
    }

    #[test]
    fn reads_are_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.gpx");
        std::fs::write(&path, vec![b' '; 2000]).unwrap();
        let limits = Limits {
            max_file_bytes: 1000,
            ..Limits::default()
        };
        assert_eq!(
            read_file(&path, &limits),
            Err(SkipReason::TooLarge {
                size: 2000,
                limit: 1000
            })
        );
        assert_eq!(read_file(&path, &Limits::default()).unwrap().len(), 2000);
    }
}
