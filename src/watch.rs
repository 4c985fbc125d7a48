//! `patella watch DIR --out REPORT`: keeps a report current while files are dropped into a folder.
//!
//! File events (`notify`) mark the folder dirty; once it has been quiet for a moment the folder is
//! listed again and compared with what is already decoded, by size and modification time. A new
//! or changed file is decoded only after its size and time have stood still for
//! [`Timing::settle`], so a file still being copied is not read half-written. Removed files leave
//! the report. With `--poll` (network drives, where events do not arrive) the folder is listed on
//! a timer instead. The report is rewritten (atomically) only when something changed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime};

use anyhow::Context;

use crate::analysis::{self, Analysis, Extract, Settings};
use crate::ingest::{self, Limits};
use crate::model::{PainRow, Skipped};
use crate::pipeline;
use crate::report::Written;
use crate::store::{FileEntry, Store};

/// How long to wait, and how often to look.
#[derive(Clone, Copy, Debug)]
pub struct Timing {
    /// After the last file event, wait this long before looking (events come in bursts).
    pub quiet: Duration,
    /// A file is read once its size and time have not changed for this long.
    pub settle: Duration,
    /// How often to look while something is pending, and the polling interval with `--poll`.
    pub tick: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            quiet: Duration::from_millis(300),
            settle: Duration::from_millis(500),
            tick: Duration::from_millis(200),
        }
    }
}

/// A file as last seen on disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Stamp {
    size: u64,
    modified: Option<SystemTime>,
}

fn stamp(path: &Path) -> Option<Stamp> {
    let meta = std::fs::metadata(path).ok()?;
    Some(Stamp {
        size: meta.len(),
        modified: meta.modified().ok(),
    })
}

/// What the folder holds, decoded (through the store, when there is one), and what is waiting to
/// settle.
#[derive(Default)]
pub struct Folder {
    decoded: BTreeMap<PathBuf, (Stamp, FileEntry)>,
    store: Option<Store>,
    /// New or changed files, with the stamp seen and since when it has held.
    pending: BTreeMap<PathBuf, (Stamp, Instant)>,
    /// Paths given that could not be listed.
    unreadable: Vec<Skipped>,
}

/// The watched folder itself is gone (removed, renamed, or its drive unmounted).
#[derive(Debug, thiserror::Error)]
#[error("the watched folder {} is gone ({reason})", .dir.display())]
pub struct FolderGone {
    pub dir: PathBuf,
    pub reason: String,
}

/// Whether `dir` is still there to be watched.
fn still_there(dir: &Path) -> Result<(), FolderGone> {
    match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(FolderGone {
            dir: dir.to_path_buf(),
            reason: "it is no longer a folder".into(),
        }),
        Err(e) => Err(FolderGone {
            dir: dir.to_path_buf(),
            reason: ingest::SkipReason::io(&e).to_string(),
        }),
    }
}

impl Folder {
    /// A folder whose files are decoded through `store`: a file the store knows (by its bytes)
    /// is not decoded again, and what is decoded is stored at once.
    pub fn with_store(store: Option<Store>) -> Folder {
        Folder {
            store,
            ..Folder::default()
        }
    }

    /// Lists `dir` and decodes what is new or changed and has settled; forgets removed files.
    /// Returns whether the decoded set changed; `notes` gets one line for every file newly
    /// skipped (or gone while it was read). The folder itself gone is an error.
    pub fn refresh(
        &mut self,
        dir: &Path,
        limits: &Limits,
        settle: Duration,
        now: Instant,
        notes: &mut Vec<String>,
    ) -> Result<bool, FolderGone> {
        still_there(dir)?;
        let (files, unreadable) = ingest::discover(&[dir.to_path_buf()]);
        let mut changed = unreadable != self.unreadable;
        // A FIFO, device or link out of the folder that appeared since the last look: named once.
        notes.extend(
            unreadable
                .iter()
                .filter(|s| !self.unreadable.contains(s))
                .map(|s| format!("skipped {s}")),
        );
        self.unreadable = unreadable;
        let present: std::collections::BTreeSet<&PathBuf> = files.iter().collect();
        let before = self.decoded.len();
        self.decoded.retain(|p, _| present.contains(p));
        self.pending.retain(|p, _| present.contains(p));
        changed |= self.decoded.len() != before;
        for file in &files {
            let Some(now_stamp) = stamp(file) else {
                continue;
            };
            if self.decoded.get(file).is_some_and(|(s, _)| *s == now_stamp) {
                self.pending.remove(file);
                continue;
            }
            match self.pending.get(file) {
                Some((s, since)) if *s == now_stamp && now.duration_since(*since) >= settle => {
                    self.pending.remove(file);
                    changed |= self.read_one(file, now_stamp, limits, notes);
                }
                Some((s, _)) if *s == now_stamp => {}
                _ => {
                    self.pending.insert(file.clone(), (now_stamp, now));
                }
            }
        }
        // Listed, but the folder went away while it was read.
        still_there(dir)?;
        Ok(changed)
    }

    /// Reads one settled file; returns whether what is decoded changed. A file that went away
    /// between the listing and the read (removed or renamed: a new name is listed anew) is left
    /// out with one line in `notes`; every skip reason gets its line there too.
    fn read_one(
        &mut self,
        file: &Path,
        stamp_seen: Stamp,
        limits: &Limits,
        notes: &mut Vec<String>,
    ) -> bool {
        let (part, _) = pipeline::file_through_store(file, limits, self.store.as_mut(), notes);
        let gone = part.extracts.is_empty()
            && part.skipped.len() == 1
            && part.skipped[0].reason == ingest::SkipReason::NotFound;
        if gone {
            notes.push(format!(
                "{} went away while it was read (removed or renamed); left out",
                file.display()
            ));
            return self.decoded.remove(file).is_some();
        }
        notes.extend(part.skipped.iter().map(|s| format!("skipped {s}")));
        notes.extend(part.pain_errors.iter().cloned());
        self.decoded.insert(file.to_path_buf(), (stamp_seen, part));
        true
    }

    /// Whether files are waiting to settle.
    pub fn has_pending(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Everything decoded so far, in path order: the extracts, the skipped files, and the
    /// entries of the pain logs among the files.
    pub fn extracted(&self) -> (Vec<Extract>, Vec<Skipped>, Vec<PainRow>) {
        let mut extracts = Vec::new();
        let mut skipped = self.unreadable.clone();
        let mut manifests = Vec::new();
        let mut gear = Vec::new();
        let mut pain = Vec::new();
        for (_, part) in self.decoded.values() {
            extracts.extend(part.extracts.iter().cloned());
            skipped.extend(part.skipped.iter().cloned());
            manifests.extend(part.manifests.iter().cloned());
            gear.extend(part.gear.iter().cloned());
            pain.extend(part.pain.iter().cloned());
        }
        crate::ingest::export::attach_gear(&mut manifests, &gear);
        analysis::join::join(&mut extracts, &manifests);
        (extracts, skipped, pain)
    }

    /// Reads everything now, without waiting for files to settle (the first look).
    pub fn load_all(
        &mut self,
        dir: &Path,
        limits: &Limits,
        notes: &mut Vec<String>,
    ) -> Result<(), FolderGone> {
        still_there(dir)?;
        let (files, unreadable) = ingest::discover(&[dir.to_path_buf()]);
        notes.extend(unreadable.iter().map(|s| format!("skipped {s}")));
        self.unreadable = unreadable;
        for file in files {
            if let Some(s) = stamp(&file) {
                self.read_one(&file, s, limits, notes);
            }
        }
        Ok(())
    }
}

/// What the watch needs besides the analysis settings.
pub struct Options {
    pub dir: PathBuf,
    pub out: PathBuf,
    pub athlete: String,
    /// List the folder on a timer instead of waiting for file events.
    pub poll: bool,
    pub timing: Timing,
}

/// Analyses what the folder holds and writes the report; returns the analysis, and what the
/// write left in the report folder that patella did not write.
fn publish(
    folder: &Folder,
    settings: &Settings,
    opts: &Options,
) -> anyhow::Result<(Analysis, Written)> {
    let (extracts, skipped, pain) = folder.extracted();
    let result = analysis::analyse_extracts(&extracts, skipped, settings)?;
    let result = analysis::with_pain(result, &pain);
    let ctx = crate::report::RenderContext::new(opts.athlete.as_str());
    let written = crate::report::write_report(&result, &opts.out, &ctx)?;
    Ok((result, written))
}

/// Publishes, telling `on_note` what the write left in the report folder when that changed.
fn publish_and_tell(
    folder: &Folder,
    settings: &Settings,
    opts: &Options,
    kept: &mut Vec<String>,
    on_note: &mut dyn FnMut(&str),
) -> anyhow::Result<Analysis> {
    let (result, written) = publish(folder, settings, opts)?;
    if written.kept != *kept {
        if let Some(line) = written.kept_line(&opts.out) {
            on_note(&line);
        }
        *kept = written.kept;
    }
    Ok(result)
}

/// Watches until `stop` is set, calling `on_note` with each line worth telling (a file skipped,
/// one gone while it was read) and `on_update` after every report written. Ends with
/// [`FolderGone`] when the watched folder goes away.
pub fn run(
    opts: &Options,
    settings: &Settings,
    store: Option<Store>,
    stop: &AtomicBool,
    on_note: &mut dyn FnMut(&str),
    on_update: &mut dyn FnMut(&Analysis),
) -> anyhow::Result<()> {
    let limits = Limits::default();
    // Watch first, then read: a file dropped while the folder is first read still raises an
    // event, and a folder that is gone by now is reported as gone.
    let (tx, rx) = mpsc::channel();
    // Keep the watcher alive for the whole loop; with --poll there is none.
    let _watcher = if opts.poll {
        None
    } else {
        use notify::Watcher;
        let mut watcher = notify::recommended_watcher(move |event| {
            // The receiver only goes away when the watch ends.
            let _ = tx.send(event);
        })
        .context("cannot watch for file events (try --poll)")?;
        if let Err(e) = watcher.watch(&opts.dir, notify::RecursiveMode::Recursive) {
            still_there(&opts.dir)?;
            return Err(e).with_context(|| format!("cannot watch {}", opts.dir.display()));
        }
        Some(watcher)
    };
    let mut folder = Folder::with_store(store);
    let mut notes = Vec::new();
    folder.load_all(&opts.dir, &limits, &mut notes)?;
    notes.drain(..).for_each(|n| on_note(&n));
    let mut kept = Vec::new();
    on_update(&publish_and_tell(
        &folder, settings, opts, &mut kept, on_note,
    )?);

    let mut dirty_since: Option<Instant> = None;
    let mut last_poll = Instant::now();
    while !stop.load(Ordering::SeqCst) {
        match rx.recv_timeout(opts.timing.tick) {
            Ok(_) => {
                dirty_since = Some(Instant::now());
                continue;
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            // No watcher (polling): the sender is gone at once; keep the tick with a sleep.
            Err(mpsc::RecvTimeoutError::Disconnected) => std::thread::sleep(opts.timing.tick),
        }
        // Events may never come for a folder that vanished with its drive: look every tick.
        still_there(&opts.dir)?;
        let now = Instant::now();
        let due = match dirty_since {
            Some(t) => now.duration_since(t) >= opts.timing.quiet,
            None => false,
        } || folder.has_pending()
            || (opts.poll && now.duration_since(last_poll) >= opts.timing.tick);
        if !due {
            continue;
        }
        dirty_since = None;
        last_poll = now;
        let changed = folder.refresh(&opts.dir, &limits, opts.timing.settle, now, &mut notes)?;
        notes.drain(..).for_each(|n| on_note(&n));
        if changed {
            on_update(&publish_and_tell(
                &folder, settings, opts, &mut kept, on_note,
            )?);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gpx(points: usize) -> String {
        let mut s = String::from(
            "<?xml version=\"1.0\"?><gpx version=\"1.1\" creator=\"t\"><trk><type>running</type><trkseg>",
        );
        for i in 0..points {
            s.push_str(&format!(
                "<trkpt lat=\"45.{:04}\" lon=\"7.0\"><time>2025-03-03T07:{:02}:{:02}Z</time></trkpt>",
                i,
                i / 60,
                i % 60
            ));
        }
        s.push_str("</trkseg></trk></gpx>");
        s
    }

    #[test]
    fn a_file_is_read_only_once_it_has_settled() {
        let dir = tempfile::tempdir().unwrap();
        let limits = Limits::default();
        let settle = Duration::from_millis(500);
        let t0 = Instant::now();
        let mut folder = Folder::default();
        assert!(!folder
            .refresh(dir.path(), &limits, settle, t0, &mut Vec::new())
            .unwrap());

        std::fs::write(dir.path().join("a.gpx"), gpx(30)).unwrap();
        // Seen, not yet read.
        assert!(!folder
            .refresh(dir.path(), &limits, settle, t0, &mut Vec::new())
            .unwrap());
        assert!(folder.has_pending());
        assert!(!folder
            .refresh(
                dir.path(),
                &limits,
                settle,
                t0 + Duration::from_millis(200),
                &mut Vec::new()
            )
            .unwrap());
        // Unchanged for the settle time: read.
        assert!(folder
            .refresh(
                dir.path(),
                &limits,
                settle,
                t0 + Duration::from_millis(600),
                &mut Vec::new()
            )
            .unwrap());
        assert_eq!(folder.extracted().0.len(), 1);
        assert!(!folder.has_pending());
        // Nothing changed: nothing to do.
        assert!(!folder
            .refresh(
                dir.path(),
                &limits,
                settle,
                t0 + Duration::from_millis(900),
                &mut Vec::new()
            )
            .unwrap());

        // A file that keeps growing is never read while it grows.
        let path = dir.path().join("b.gpx");
        let text = gpx(300);
        let mut t = t0 + Duration::from_secs(1);
        for chunk in 1..=5 {
            std::fs::write(&path, &text[..text.len() * chunk / 6]).unwrap();
            assert!(!folder
                .refresh(dir.path(), &limits, settle, t, &mut Vec::new())
                .unwrap());
            t += Duration::from_millis(400);
        }
        std::fs::write(&path, &text).unwrap();
        assert!(!folder
            .refresh(dir.path(), &limits, settle, t, &mut Vec::new())
            .unwrap());
        assert!(folder
            .refresh(dir.path(), &limits, settle, t + settle, &mut Vec::new())
            .unwrap());
        let (extracts, skipped, _) = folder.extracted();
        assert_eq!(extracts.len(), 2);
        assert!(skipped.is_empty(), "{skipped:?}");

        // Removed: gone from what the report sees.
        std::fs::remove_file(dir.path().join("a.gpx")).unwrap();
        assert!(folder
            .refresh(dir.path(), &limits, settle, t + settle * 2, &mut Vec::new())
            .unwrap());
        assert_eq!(folder.extracted().0.len(), 1);
    }

    #[test]
    fn a_file_gone_before_its_read_and_a_folder_gone_each_say_so() {
        let dir = tempfile::tempdir().unwrap();
        let limits = Limits::default();
        let mut folder = Folder::default();
        let path = dir.path().join("a.gpx");
        std::fs::write(&path, gpx(30)).unwrap();
        let seen = stamp(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        // Listed, then removed (or renamed) before it was read.
        let mut notes = Vec::new();
        assert!(!folder.read_one(&path, seen, &limits, &mut notes));
        assert_eq!(
            notes,
            [format!(
                "{} went away while it was read (removed or renamed); left out",
                path.display()
            )]
        );
        assert!(folder.extracted().1.is_empty());
        // A file that cannot be read for another reason is kept as skipped, with its line.
        let bad = dir.path().join("bad.fit");
        std::fs::write(&bad, b"not a fit file at all").unwrap();
        let mut notes = Vec::new();
        assert!(folder.read_one(&bad, stamp(&bad).unwrap(), &limits, &mut notes));
        assert_eq!(
            notes,
            [format!(
                "skipped {}: not a FIT file (no .FIT signature in the header)",
                bad.display()
            )]
        );
        // The folder itself removed: an error naming it.
        let gone = dir.path().join("gone");
        std::fs::create_dir(&gone).unwrap();
        folder.load_all(&gone, &limits, &mut Vec::new()).unwrap();
        std::fs::remove_dir(&gone).unwrap();
        let err = folder
            .refresh(
                &gone,
                &limits,
                Duration::ZERO,
                Instant::now(),
                &mut Vec::new(),
            )
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "the watched folder {} is gone (no such file or folder)",
                gone.display()
            )
        );
    }
}
