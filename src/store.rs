//! The embedded store: an SQLite database (rusqlite, bundled) that remembers what each file gave
//! — its [`Extract`]s and skip reasons — keyed by the file's content hash and the parser version,
//! so that a folder re-analyses in the time it takes to read and hash it.
//!
//! Writes go in one transaction per run, in WAL mode, so a store killed mid-write still opens
//! with what was committed. A store that cannot be opened or fails its integrity check is moved
//! aside (`store.sqlite.damaged-<unix time>`) and rebuilt, with a warning.

use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::analysis::Extract;
use crate::model::{GearLink, ManifestRow, PainRow, Skipped};

/// Bumped whenever what a file gives changes meaning (decoders, metrics, the `Extract` layout).
pub const STORE_FORMAT: u32 = 13;

/// The parser version that keys the store: the crate version, the store format, and this build of
/// the binary (its size and modification time), so that a rebuilt decoder never reads what an
/// older build stored.
pub fn parser_version() -> String {
    let build = std::env::current_exe()
        .ok()
        .and_then(|p| std::fs::metadata(p).ok())
        .map(|m| {
            let modified = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            format!("{}-{}", m.len(), modified)
        })
        .unwrap_or_default();
    format!("{}/{}/{}", env!("CARGO_PKG_VERSION"), STORE_FORMAT, build)
}

/// The default store: `$XDG_CACHE_HOME/patella/store.sqlite`, else `~/.cache/patella/...`.
pub fn default_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    Some(base.join("patella").join("store.sqlite"))
}

/// What one file gave, as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FileEntry {
    /// The file's path when it was stored (member sources start with it).
    pub source: String,
    pub extracts: Vec<Extract>,
    pub skipped: Vec<Skipped>,
    pub files_seen: usize,
    /// Rows of the bulk-export manifests the file holds, joined after the store.
    pub manifests: Vec<ManifestRow>,
    /// Gear linked to sessions by a Garmin gear list the file holds, given to the rows above.
    pub gear: Vec<GearLink>,
    /// Entries of a pain log the file is, and one message per row that does not read.
    pub pain: Vec<PainRow>,
    pub pain_errors: Vec<String>,
}

impl FileEntry {
    /// The entry as seen from `source`: sources that started with the stored path now start with
    /// the new one (the same bytes found under another name).
    pub fn moved_to(mut self, source: &str) -> FileEntry {
        if self.source != source {
            let old = std::mem::replace(&mut self.source, source.to_string());
            let rename = |s: &mut String| {
                if let Some(rest) = s.strip_prefix(&old) {
                    *s = format!("{source}{rest}");
                }
            };
            self.extracts.iter_mut().for_each(|e| rename(&mut e.source));
            self.skipped.iter_mut().for_each(|k| rename(&mut k.source));
            for row in &mut self.manifests {
                rename(&mut row.source);
                rename(&mut row.root);
                row.file.iter_mut().for_each(rename);
            }
            for link in &mut self.gear {
                rename(&mut link.source);
                rename(&mut link.root);
            }
            self.pain.iter_mut().for_each(|p| rename(&mut p.source));
        }
        self
    }
}

/// An open store.
pub struct Store {
    conn: Connection,
    version: String,
}

/// The layout of the database itself (tables, columns), kept in SQLite's `user_version`. A store
/// of a newer layout (written by a newer patella) is set aside, not misread.
pub const STORE_SCHEMA: i64 = 1;

/// What patella's stores carry in their SQLite header (`PRAGMA application_id`, "ptla"): how a
/// store named with `--store` is told from any other file.
pub const APPLICATION_ID: i32 = 0x7074_6C61;

/// The first bytes of every SQLite database.
const SQLITE_HEADER: &[u8] = b"SQLite format 3\0";

/// Whether `path` may be used as the store `--store` names: it does not exist yet, is empty, or
/// is a patella store (its header carries [`APPLICATION_ID`]; or, from before that, an SQLite
/// database holding only patella's table). Anything else (a folder, a run, a document, another
/// program's database) is never written, renamed or set aside: the reason says what it is.
pub fn check_owned(path: &Path) -> Result<(), String> {
    let refuse = |what: &str| {
        Err(format!(
            "--store {}: {what}, not a patella store; patella does not write over it (give \
             --store a new file)",
            path.display()
        ))
    };
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return refuse(&format!("cannot be read ({e})")),
    };
    if meta.is_dir() {
        return refuse("it is a folder");
    }
    if !meta.is_file() {
        return refuse("it is not a regular file");
    }
    if meta.len() == 0 {
        return Ok(());
    }
    let head = match read_head(path) {
        Ok(head) => head,
        Err(e) => return refuse(&format!("cannot be read ({e})")),
    };
    if !head.starts_with(SQLITE_HEADER) {
        return refuse("it is not an SQLite database");
    }
    let field = |at: usize| {
        head.get(at..at + 4)
            .map_or(0, |b| i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    };
    if field(68) == APPLICATION_ID {
        return Ok(());
    }
    // The header may not show it yet (a store being made: its first write still in the
    // write-ahead log), or it is a store of an earlier patella: asked through SQLite.
    match looks_like_ours(path) {
        Ok(true) => Ok(()),
        Ok(false) => refuse("it is an SQLite database of another program"),
        Err(e)
            if matches!(
                e.sqlite_error_code(),
                Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
            ) =>
        {
            Ok(())
        }
        Err(_) => refuse("it is a damaged SQLite database patella cannot tell as its own"),
    }
}

/// The first 100 bytes of a file (an SQLite header), opened as the folder walk opens files.
fn read_head(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let (file, _) = crate::ingest::open_regular(path).map_err(|e| e.to_string())?;
    let mut head = Vec::with_capacity(100);
    file.take(100)
        .read_to_end(&mut head)
        .map_err(|e| e.to_string())?;
    Ok(head)
}

/// Whether the database at `path`, opened read-only, is a patella store: its application id,
/// or (a store of an earlier patella, or one being made) no id, a schema patella knows, and no
/// table but patella's.
fn looks_like_ours(path: &Path) -> rusqlite::Result<bool> {
    use rusqlite::OpenFlags;
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    let id: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    if id == APPLICATION_ID {
        return Ok(true);
    }
    let schema: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let mut stmt = conn.prepare("SELECT name FROM sqlite_master WHERE type = 'table'")?;
    let tables = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(id == 0 && schema <= STORE_SCHEMA && tables.iter().all(|t| t == "files"))
}

/// How long a run waits for another run's write to the store to finish.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// Why a store could not be opened as it stands.
#[derive(Debug)]
enum OpenError {
    /// Damaged, not SQLite, or of a newer layout: set it aside and rebuild.
    SetAside(String),
    /// Anything else (busy past the timeout, permissions, a full disk): the store is left alone.
    Other(rusqlite::Error),
}

fn classify(e: rusqlite::Error) -> OpenError {
    use rusqlite::ErrorCode::{DatabaseCorrupt, NotADatabase};
    match e.sqlite_error_code() {
        Some(NotADatabase | DatabaseCorrupt) => OpenError::SetAside(e.to_string()),
        _ => OpenError::Other(e),
    }
}

fn open_at(path: &Path) -> Result<Connection, OpenError> {
    let conn = Connection::open(path).map_err(classify)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(classify)?;
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(classify)?;
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(classify)?;
    let schema: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(classify)?;
    if schema > STORE_SCHEMA {
        return Err(OpenError::SetAside(format!(
            "it has store schema {schema}, from a newer patella; this one reads {STORE_SCHEMA}"
        )));
    }
    let check: String = conn
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .map_err(classify)?;
    if check != "ok" {
        return Err(OpenError::SetAside(format!("integrity check: {check}")));
    }
    if schema < STORE_SCHEMA {
        // A new store (or one from before the schema was recorded): made in one write, so two
        // runs creating it at once both find it whole.
        conn.execute_batch(&format!(
            "BEGIN IMMEDIATE;
             CREATE TABLE IF NOT EXISTS files (
                 hash TEXT NOT NULL,
                 parser TEXT NOT NULL,
                 payload BLOB NOT NULL,
                 PRIMARY KEY (hash, parser)
             );
             PRAGMA user_version = {STORE_SCHEMA};
             PRAGMA application_id = {APPLICATION_ID};
             COMMIT;"
        ))
        .map_err(classify)?;
    }
    Ok(conn)
}

/// [`open_at`], again and again while another run holds a lock that SQLite's own busy handler
/// does not wait for (switching a new database to WAL, creating its table), up to
/// [`BUSY_TIMEOUT`].
fn open_waiting(path: &Path) -> Result<Connection, OpenError> {
    use rusqlite::ErrorCode::{DatabaseBusy, DatabaseLocked};
    let since = std::time::Instant::now();
    loop {
        match open_at(path) {
            Err(OpenError::Other(e))
                if matches!(e.sqlite_error_code(), Some(DatabaseBusy | DatabaseLocked))
                    && since.elapsed() < BUSY_TIMEOUT =>
            {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

impl Store {
    /// Opens (or creates) the store at `path` for `version`. A store that is damaged, not
    /// SQLite, or of a newer schema is moved aside (`store.sqlite.damaged-<unix time>`) and
    /// rebuilt; the returned warning says so. Any other failure (another run holding it past the
    /// timeout, permissions) leaves the store as it is and is an error.
    pub fn open(path: &Path, version: &str) -> anyhow::Result<(Store, Option<String>)> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", dir.display()))?;
        }
        let cannot =
            |e: rusqlite::Error| anyhow::anyhow!("cannot open store {}: {e}", path.display());
        let (conn, warning) = match open_waiting(path) {
            Ok(conn) => (conn, None),
            Err(OpenError::Other(e)) => return Err(cannot(e)),
            Err(OpenError::SetAside(why)) => {
                let stamp = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs());
                let aside = path.with_file_name(format!(
                    "{}.damaged-{stamp}",
                    path.file_name()
                        .map_or("store".into(), |n| n.to_string_lossy())
                ));
                std::fs::rename(path, &aside).map_err(|e| {
                    anyhow::anyhow!(
                        "store {} cannot be used ({why}) nor moved aside: {e}",
                        path.display()
                    )
                })?;
                // The store's own side files go with it.
                for suffix in ["-wal", "-shm"] {
                    let side = PathBuf::from(format!("{}{suffix}", path.display()));
                    let moved = PathBuf::from(format!("{}{suffix}", aside.display()));
                    std::fs::rename(side, moved).ok();
                }
                let conn = open_waiting(path).map_err(|e| {
                    anyhow::anyhow!("cannot rebuild store {}: {e:?}", path.display())
                })?;
                (
                    conn,
                    Some(format!(
                        "store {} could not be used ({why}); moved aside to {} and rebuilt",
                        path.display(),
                        aside.display()
                    )),
                )
            }
        };
        Ok((
            Store {
                conn,
                version: version.to_string(),
            },
            warning,
        ))
    }

    /// The entry stored for `hash` under this store's parser version.
    pub fn get(&self, hash: &str) -> Option<FileEntry> {
        let blob: Vec<u8> = self
            .conn
            .query_row(
                "SELECT payload FROM files WHERE hash = ?1 AND parser = ?2",
                params![hash, self.version],
                |r| r.get(0),
            )
            .optional()
            .ok()??;
        postcard::from_bytes(&blob).ok()
    }

    /// Stores `entries` (hash, entry) in one transaction.
    pub fn put_all(&mut self, entries: &[(String, FileEntry)]) -> anyhow::Result<()> {
        // Immediate: the write lock is taken (waiting for another run's write) before anything
        // is read, so the transaction never has to give up half-way.
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        {
            let mut stmt = tx.prepare(
                "INSERT OR REPLACE INTO files (hash, parser, payload) VALUES (?1, ?2, ?3)",
            )?;
            for (hash, entry) in entries {
                let blob = postcard::to_stdvec(entry)?;
                stmt.execute(params![hash, self.version, blob])?;
            }
        }
        tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(source: &str) -> FileEntry {
        FileEntry {
            source: source.into(),
            extracts: Vec::new(),
            skipped: vec![Skipped {
                source: format!("{source}!a.csv"),
                reason: crate::model::SkipReason::NotActivityFile {
                    what: "a .csv file".into(),
                },
            }],
            files_seen: 1,
            manifests: Vec::new(),
            gear: vec![GearLink {
                source: format!("{source}!DI_CONNECT/DI-Connect-Fitness/me_gear.json"),
                root: format!("{source}!"),
                id: "9001".into(),
                gear: "Pegasus 40".into(),
            }],
            pain: Vec::new(),
            pain_errors: Vec::new(),
        }
    }

    #[test]
    fn entries_follow_their_version_and_move_with_their_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite");
        let (mut v1, warning) = Store::open(&path, "v1").unwrap();
        assert!(warning.is_none());
        v1.put_all(&[("h".into(), entry("old/x.zip"))]).unwrap();
        assert_eq!(v1.get("h"), Some(entry("old/x.zip")));
        assert_eq!(v1.get("other"), None);
        // Another parser version sees nothing.
        let (v2, _) = Store::open(&path, "v2").unwrap();
        assert_eq!(v2.get("h"), None);
        // The same bytes under another name.
        let moved = v1.get("h").unwrap().moved_to("new/y.zip");
        assert_eq!(moved.skipped[0].source, "new/y.zip!a.csv");
        // A gear list's links move with it: they join the rows of the export under its new name.
        assert_eq!(moved.gear[0].root, "new/y.zip!");
        assert_eq!(
            moved.gear[0].source,
            "new/y.zip!DI_CONNECT/DI-Connect-Fitness/me_gear.json"
        );
    }

    #[test]
    fn a_write_cut_short_leaves_the_store_readable() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite");
        let (mut first, _) = Store::open(&path, "v1").unwrap();
        first.put_all(&[("kept".into(), entry("a"))]).unwrap();
        // A writer that began a transaction and never finished (killed mid-write).
        first.conn.execute_batch("BEGIN IMMEDIATE").unwrap();
        first
            .conn
            .execute(
                "INSERT INTO files (hash, parser, payload) VALUES ('lost', 'v1', x'00')",
                [],
            )
            .unwrap();
        let (second, warning) = Store::open(&path, "v1").unwrap();
        assert!(warning.is_none());
        assert_eq!(second.get("kept"), Some(entry("a")));
        assert_eq!(second.get("lost"), None);
        drop(first);
        let (third, _) = Store::open(&path, "v1").unwrap();
        assert_eq!(third.get("lost"), None);
    }

    #[test]
    fn a_damaged_store_is_moved_aside_and_rebuilt() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite");
        std::fs::write(&path, b"this is not a database, just some bytes of junk").unwrap();
        let (mut store, warning) = Store::open(&path, "v1").unwrap();
        let warning = warning.expect("a warning");
        assert!(warning.contains("moved aside"), "{warning}");
        store.put_all(&[("h".into(), entry("x"))]).unwrap();
        assert!(store.get("h").is_some());
        let aside = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .any(|e| e.file_name().to_string_lossy().contains(".damaged-"));
        assert!(aside);
    }
}
