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

use crate::analysis::{self, Analysis, Settings};
use crate::ingest::{self, Limits, Loaded, Skipped};

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

/// What the folder holds, decoded, and what is waiting to settle.
#[derive(Default)]
pub struct Folder {
    decoded: BTreeMap<PathBuf, (Stamp, Loaded)>,
    /// New or changed files, with the stamp seen and since when it has held.
    pending: BTreeMap<PathBuf, (Stamp, Instant)>,
    /// Paths given that could not be listed.
    unreadable: Vec<Skipped>,
}

impl Folder {
    /// Lists `dir` and decodes what is new or changed and has settled; forgets removed files.
    /// Returns whether the decoded set changed.
    pub fn refresh(&mut self, dir: &Path, limits: &Limits, settle: Duration, now: Instant) -> bool {
        let (files, unreadable) = ingest::discover(&[dir.to_path_buf()]);
        let mut changed = unreadable != self.unreadable;
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
                    let part = ingest::load_file(file, limits);
                    self.decoded.insert(file.clone(), (now_stamp, part));
                    self.pending.remove(file);
                    changed = true;
                }
                Some((s, _)) if *s == now_stamp => {}
                _ => {
                    self.pending.insert(file.clone(), (now_stamp, now));
                }
            }
        }
        changed
    }

    /// Whether files are waiting to settle.
    pub fn has_pending(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Everything decoded so far, in path order.
    pub fn loaded(&self) -> Loaded {
        let mut out = Loaded {
            skipped: self.unreadable.clone(),
            ..Loaded::default()
        };
        for (_, part) in self.decoded.values() {
            out.activities.extend(part.activities.iter().cloned());
            out.skipped.extend(part.skipped.iter().cloned());
            out.files_seen += part.files_seen;
        }
        out
    }

    /// Reads everything now, without waiting for files to settle (the first look).
    pub fn load_all(&mut self, dir: &Path, limits: &Limits) {
        let (files, unreadable) = ingest::discover(&[dir.to_path_buf()]);
        self.unreadable = unreadable;
        for file in files {
            if let Some(s) = stamp(&file) {
                let part = ingest::load_file(&file, limits);
                self.decoded.insert(file, (s, part));
            }
        }
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

/// Analyses what the folder holds and writes the report; returns the analysis.
fn publish(folder: &Folder, settings: &Settings, opts: &Options) -> anyhow::Result<Analysis> {
    let loaded = folder.loaded();
    let result = analysis::analyse(&loaded.activities, loaded.skipped, settings)?;
    crate::report::write_report(&result, &opts.out, &opts.athlete)?;
    Ok(result)
}

/// Watches until `stop` is set, calling `on_update` after every report written.
pub fn run(
    opts: &Options,
    settings: &Settings,
    stop: &AtomicBool,
    on_update: &mut dyn FnMut(&Analysis),
) -> anyhow::Result<()> {
    let limits = Limits::default();
    let mut folder = Folder::default();
    folder.load_all(&opts.dir, &limits);
    on_update(&publish(&folder, settings, opts)?);

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
        watcher
            .watch(&opts.dir, notify::RecursiveMode::Recursive)
            .with_context(|| format!("cannot watch {}", opts.dir.display()))?;
        Some(watcher)
    };

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
        if folder.refresh(&opts.dir, &limits, opts.timing.settle, now) {
            on_update(&publish(&folder, settings, opts)?);
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
        assert!(!folder.refresh(dir.path(), &limits, settle, t0));

        std::fs::write(dir.path().join("a.gpx"), gpx(30)).unwrap();
        // Seen, not yet read.
        assert!(!folder.refresh(dir.path(), &limits, settle, t0));
        assert!(folder.has_pending());
        assert!(!folder.refresh(dir.path(), &limits, settle, t0 + Duration::from_millis(200)));
        // Unchanged for the settle time: read.
        assert!(folder.refresh(dir.path(), &limits, settle, t0 + Duration::from_millis(600)));
        assert_eq!(folder.loaded().activities.len(), 1);
        assert!(!folder.has_pending());
        // Nothing changed: nothing to do.
        assert!(!folder.refresh(dir.path(), &limits, settle, t0 + Duration::from_millis(900)));

        // A file that keeps growing is never read while it grows.
        let path = dir.path().join("b.gpx");
        let text = gpx(300);
        let mut t = t0 + Duration::from_secs(1);
        for chunk in 1..=5 {
            std::fs::write(&path, &text[..text.len() * chunk / 6]).unwrap();
            assert!(!folder.refresh(dir.path(), &limits, settle, t));
            t += Duration::from_millis(400);
        }
        std::fs::write(&path, &text).unwrap();
        assert!(!folder.refresh(dir.path(), &limits, settle, t));
        assert!(folder.refresh(dir.path(), &limits, settle, t + settle));
        let loaded = folder.loaded();
        assert_eq!(loaded.activities.len(), 2);
        assert!(loaded.skipped.is_empty(), "{:?}", loaded.skipped);

        // Removed: gone from what the report sees.
        std::fs::remove_file(dir.path().join("a.gpx")).unwrap();
        assert!(folder.refresh(dir.path(), &limits, settle, t + settle * 2));
        assert_eq!(folder.loaded().activities.len(), 1);
    }
}
