//! paths → store → extracts → [`Analysis`]: the one road from the files a user names to what
//! every report renders. `analyse`, `watch` and `inspect` all take it.
//!
//! A file is decoded ([`ingest`]), each of its activities extracted under the last guard
//! ([`analysis::extract_guarded`]), and what it gave kept in the store by its content hash
//! ([`Store`]), so a file already seen is not decoded again. The settings (zone, week start,
//! thresholds) are applied afterwards, on every run, so a warm run gives what a cold one gives.

use std::path::{Path, PathBuf};

use crate::analysis::{self, ActivitySummary, Analysis, Extract, Settings, Thresholds};
use crate::ingest::{self, Limits};
use crate::model::{PainRow, Skipped};
use crate::store::{FileEntry, Store};

/// What one file gives, decoded and extracted, and with `hashed` the content hash of the bytes
/// it was read from (`None` when it could not be read, or changed while it was read: then it is
/// not stored). Without a store there is nothing to key: no hash.
pub fn decode_file(file: &Path, limits: &Limits, hashed: bool) -> (FileEntry, Option<String>) {
    let (part, hash) = if hashed {
        ingest::read_path_hashed(file, limits)
    } else {
        (ingest::read_path(file, limits), None)
    };
    let results = part
        .activities
        .iter()
        .map(analysis::extract_guarded)
        .collect();
    let (extracts, skipped) = analysis::split_guarded(results, part.skipped);
    let entry = FileEntry {
        source: file.display().to_string(),
        extracts,
        skipped,
        files_seen: part.files_seen,
        manifests: part.manifests,
        gear: part.gear,
        pain: part.pain,
        pain_errors: part.pain_errors,
    };
    (entry, hash)
}

/// What one file gives, from `store` when it knows the file's bytes, else decoded (and then
/// stored at once). Returns the entry and whether the store answered.
pub fn file_through_store(
    file: &Path,
    limits: &Limits,
    store: Option<&mut Store>,
    warnings: &mut Vec<String>,
) -> (FileEntry, bool) {
    let Some(store) = store else {
        return (decode_file(file, limits, false).0, false);
    };
    let known = ingest::hash_file(file)
        .ok()
        .and_then(|hash| store.get(&hash))
        .map(|entry| entry.moved_to(&file.display().to_string()));
    if let Some(entry) = known {
        return (entry, true);
    }
    let (entry, hash) = decode_file(file, limits, true);
    if let Some(hash) = hash {
        if let Err(e) = store.put_all(&[(hash, entry.clone())]) {
            warnings.push(not_stored(&e));
        }
    }
    (entry, false)
}

fn not_stored(e: &anyhow::Error) -> String {
    format!("what was decoded could not be stored ({e}); the next run decodes it again")
}

/// The extracts of a set of paths, and how they were come by.
#[derive(Debug, Default)]
pub struct Extracted {
    pub extracts: Vec<Extract>,
    pub skipped: Vec<Skipped>,
    /// Files (and archive members) looked at, whatever came of them.
    pub files_seen: usize,
    /// Files answered by the store, and files decoded.
    pub from_store: usize,
    pub decoded: usize,
    /// What went wrong with the store itself (the result is whole all the same), and the rows of
    /// pain logs that do not read, each naming its line.
    pub warnings: Vec<String>,
    /// The entries of the pain logs found among the files.
    pub pain: Vec<PainRow>,
}

/// The extracts of every file under `paths` (as [`ingest::read_paths`] finds them), answering from
/// `store` where it knows a file's bytes and storing what it had to decode, in one transaction.
/// Files are hashed and decoded in parallel; the result is in path order whatever the number of
/// threads. `progress(done, total)` is called after each file.
pub fn extract(
    paths: &[PathBuf],
    limits: &Limits,
    store: Option<&mut Store>,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Extracted {
    use rayon::prelude::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    let (files, skipped) = ingest::discover(paths);
    let total = files.len();
    let done = AtomicUsize::new(0);
    // Hash in parallel without keeping the bytes (a folder may hold gigabytes); a file that
    // cannot be read has no hash and is decoded below, which gives its reason.
    // Without a store there is nothing to look up: no first read.
    let with_store = store.is_some();
    let hashed: Vec<(PathBuf, Option<String>)> = files
        .into_par_iter()
        .map(|f| {
            let hash = with_store.then(|| ingest::hash_file(&f).ok()).flatten();
            (f, hash)
        })
        .collect();
    let known: Vec<Option<FileEntry>> = hashed
        .iter()
        .map(|(f, hash)| {
            let entry = store.as_deref().and_then(|s| s.get(hash.as_ref()?))?;
            Some(entry.moved_to(&f.display().to_string()))
        })
        .collect();
    // Largest files first: the last file to start is then a small one, and neither thread
    // waits long for the other at the end. Put back in path order after.
    let mut work: Vec<(usize, u64, PathBuf, Option<FileEntry>)> = hashed
        .into_iter()
        .zip(known)
        .enumerate()
        .map(|(i, ((file, _), hit))| {
            let size = match hit {
                Some(_) => 0,
                None => std::fs::metadata(&file).map_or(0, |m| m.len()),
            };
            (i, size, file, hit)
        })
        .collect();
    work.sort_by_key(|w| std::cmp::Reverse(w.1));
    // (path index, (hash of what was decoded, entry, whether the store knew it))
    type Done = (usize, (Option<String>, FileEntry, bool));
    // One file at a time to whichever thread is free: rayon otherwise splits the list into runs
    // up front, and a thread whose run holds several large files can work through them alone
    // while the other waits.
    let mut entries: Vec<Done> = work
        .into_par_iter()
        .with_max_len(1)
        .map(|(i, _, file, hit)| {
            let result = match hit {
                Some(entry) => (None, entry, true),
                None => {
                    // Read again and hash what is decoded, so a file that changed since the
                    // first look is stored under its new content.
                    let (entry, hash) = decode_file(&file, limits, with_store);
                    (hash, entry, false)
                }
            };
            progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
            (i, result)
        })
        .collect();
    entries.sort_unstable_by_key(|e| e.0);
    let entries = entries.into_iter().map(|(_, e)| e);

    let mut out = Extracted {
        skipped,
        ..Extracted::default()
    };
    let mut fresh = Vec::new();
    let mut manifests = Vec::new();
    let mut gear = Vec::new();
    for (hash, entry, hit) in entries {
        if hit {
            out.from_store += 1;
        } else {
            out.decoded += 1;
            if let Some(h) = hash {
                fresh.push((h, entry.clone()));
            }
        }
        out.extracts.extend(entry.extracts);
        out.skipped.extend(entry.skipped);
        out.files_seen += entry.files_seen;
        manifests.extend(entry.manifests);
        gear.extend(entry.gear);
        out.pain.extend(entry.pain);
        out.warnings.extend(entry.pain_errors);
    }
    ingest::export::attach_gear(&mut manifests, &gear);
    analysis::join::join(&mut out.extracts, &manifests);
    if let Some(s) = store {
        if !fresh.is_empty() {
            if let Err(e) = s.put_all(&fresh) {
                out.warnings.push(not_stored(&e));
            }
        }
    }
    out
}

/// Extracts `paths` through `store` and analyses them: the analysis, and how its extracts were
/// come by (its `extracts` moved into the analysis, so left empty).
///
/// `pain` holds the rows of a pain log given on its own (`--pain`); the logs found among the
/// files join them.
pub fn analyse(
    paths: &[PathBuf],
    limits: &Limits,
    settings: &Settings,
    store: Option<&mut Store>,
    pain: &[PainRow],
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<(Analysis, Extracted), analysis::load::LoadError> {
    let mut extracted = extract(paths, limits, store, progress);
    extracted.pain.extend_from_slice(pain);
    let extracts = std::mem::take(&mut extracted.extracts);
    let skipped = std::mem::take(&mut extracted.skipped);
    let analysis = analysis::analyse_extracts(&extracts, skipped, settings)?;
    let analysis = analysis::with_pain(analysis, &extracted.pain);
    // Pain entries outside the training data's dates: one warning, with the files' warnings.
    if let Some(t) = &analysis.triggers {
        extracted.warnings.extend(t.warnings.iter().cloned());
    }
    Ok((analysis, extracted))
}

/// What `patella inspect` shows of one file: each activity summarised on its own (HRmax from its
/// own samples), what was skipped, the thresholds in force and where the zone came from.
#[derive(Debug)]
pub struct Inspection {
    pub activities: Vec<ActivitySummary>,
    pub skipped: Vec<Skipped>,
    pub thresholds: Thresholds,
    /// The zone for files without an offset, and where it came from (`--tz`, `TZ`, ...).
    pub zone: String,
    pub zone_origin: String,
}

/// Inspects one file (or folder), without the store. A bulk export's manifest is joined to the
/// files beside it as `analyse` joins it, so a manifest inspected alone lists its rows (as
/// activities without samples) and an export shows each file's name and gear.
pub fn inspect(path: &Path, settings: &Settings, zone_origin: &str) -> Inspection {
    let loaded = ingest::read_paths(&[path.to_path_buf()], &Limits::default());
    let results: Vec<Result<Extract, Skipped>> = loaded
        .activities
        .iter()
        .map(analysis::extract_guarded)
        .collect();
    let (mut extracts, skipped) = analysis::split_guarded(results, loaded.skipped);
    let mut manifests = loaded.manifests;
    ingest::export::attach_gear(&mut manifests, &loaded.gear);
    analysis::join::join(&mut extracts, &manifests);
    let results: Vec<Result<ActivitySummary, Skipped>> = extracts
        .iter()
        .map(|e| analysis::summarise_extract_guarded(e, settings))
        .collect();
    let (activities, skipped) = analysis::split_guarded(results, skipped);
    Inspection {
        activities,
        skipped,
        thresholds: settings.thresholds.clone(),
        zone: settings.tz.to_string(),
        zone_origin: zone_origin.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_goes_through_the_store_once() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("run.fit");
        std::fs::copy(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo/2025-03-06-run.fit"),
            &file,
        )
        .unwrap();
        let (mut store, _) = Store::open(&dir.path().join("s.sqlite"), "test").unwrap();
        let limits = Limits::default();
        let mut warnings = Vec::new();
        let (first, hit) = file_through_store(&file, &limits, Some(&mut store), &mut warnings);
        assert!(!hit);
        assert_eq!(first.extracts.len(), 1);
        let (second, hit) = file_through_store(&file, &limits, Some(&mut store), &mut warnings);
        assert!(hit, "the second read is answered by the store");
        assert_eq!(second, first);
        // The same bytes under another name: answered, and named after the new file.
        let moved = dir.path().join("moved.fit");
        std::fs::rename(&file, &moved).unwrap();
        let (third, hit) = file_through_store(&moved, &limits, Some(&mut store), &mut warnings);
        assert!(hit);
        assert_eq!(third.extracts[0].source, moved.display().to_string());
        assert!(warnings.is_empty(), "{warnings:?}");
    }
}
