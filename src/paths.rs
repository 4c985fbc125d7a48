//! What a command reads and what it writes, and the rules between them, checked before anything
//! is read: patella never writes into a folder it reads, and never reads from the folder its
//! report replaces.
//!
//! - `--out` may not lie inside a folder read (an input folder, or the folder of an input file);
//! - nothing read (inputs, the pain log, the thresholds file, athletes' files, the store) may
//!   lie inside `--out`;
//! - the store may not lie inside a folder read, nor inside `--out`.
//!
//! Paths are compared where they lead: `.` and `..` and symbolic links resolved (for a path that
//! does not exist yet, in the part that does).

use std::path::{Path, PathBuf};

use crate::report::folder::absolute;

/// One path a command reads, and what it is to the user (for messages).
#[derive(Clone, Copy, Debug)]
pub struct Read<'a> {
    pub path: &'a Path,
    pub what: What,
}

/// What a path read is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum What {
    /// A file or folder of activities (walked): the folder it is in is read too, as far as
    /// `--out` goes.
    Input,
    /// The athletes' folder of `--athletes`.
    Athletes,
    /// One athlete's folder under it.
    Athlete,
    PainLog,
    Config,
}

impl What {
    fn name(self) -> &'static str {
        match self {
            What::Input => "the input",
            What::Athletes => "the athletes' folder",
            What::Athlete => "the athlete's folder",
            What::PainLog => "the pain log",
            What::Config => "the thresholds file",
        }
    }

    /// Whether what is read is a folder walk (so a folder patella must not write into).
    fn walked(self) -> bool {
        matches!(self, What::Input | What::Athletes | What::Athlete)
    }
}

impl<'a> Read<'a> {
    pub fn new(path: &'a Path, what: What) -> Read<'a> {
        Read { path, what }
    }

    /// The folder this read counts as reading, for where `--out` and the store may go: a walked
    /// folder itself, the folder holding a walked file; `None` for a single file given by an
    /// option (a pain log beside the report is fine).
    fn folder(&self) -> Option<PathBuf> {
        if !self.what.walked() {
            return None;
        }
        let abs = absolute(self.path);
        if abs.is_dir() {
            Some(abs)
        } else {
            abs.parent().map(Path::to_path_buf)
        }
    }
}

/// Refuses an `--out` inside a folder read, or anything read inside `--out`, then one that is
/// neither missing, empty nor an earlier patella report; the message names both paths.
pub fn check_out(out: &Path, reads: &[Read]) -> Result<(), String> {
    let out_abs = absolute(out);
    for read in reads {
        if let Some(folder) = read.folder() {
            if out_abs.starts_with(&folder) {
                return Err(format!(
                    "--out {} is inside {}, which patella reads; choose a folder outside it",
                    out.display(),
                    read.path.display()
                ));
            }
        }
        if absolute(read.path).starts_with(&out_abs) {
            return Err(format!(
                "{} {} is inside --out {}, whose report patella replaces; move it out or choose \
                 another --out",
                read.what.name(),
                read.path.display(),
                out.display()
            ));
        }
    }
    crate::report::check_replaceable(out).map_err(|e| e.to_string())
}

/// Refuses a store inside a folder walked, naming a file read, or inside `--out`; the message
/// names both paths. (A store beside a file given is fine: that folder is not walked.)
pub fn check_store(store: &Path, reads: &[Read], out: Option<&Path>) -> Result<(), String> {
    let store_abs = absolute(store);
    for read in reads {
        let read_abs = absolute(read.path);
        let inside = if read.what.walked() && read_abs.is_dir() {
            store_abs.starts_with(&read_abs)
        } else {
            store_abs == read_abs
        };
        if inside {
            return Err(format!(
                "the store {} is inside {}, which patella reads; give --store a path outside it",
                store.display(),
                read.path.display()
            ));
        }
    }
    if let Some(out) = out {
        if store_abs.starts_with(absolute(out)) {
            return Err(format!(
                "the store {} is inside --out {}, whose report patella replaces; give --store a \
                 path outside it",
                store.display(),
                out.display()
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_and_reads_may_not_hold_each_other() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let data = root.join("data");
        let report = root.join("report");
        std::fs::create_dir_all(data.join("sub")).unwrap();
        std::fs::create_dir_all(&report).unwrap();
        let input = [Read::new(&data, What::Input)];
        // Beside each other: fine.
        assert_eq!(check_out(&report, &input), Ok(()));
        // --out inside a folder read.
        let err = check_out(&data.join("sub/r"), &input).unwrap_err();
        assert!(
            err.contains("is inside") && err.contains("which patella reads"),
            "{err}"
        );
        // An input inside --out: named with what it is.
        let mine = report.join("mydata");
        std::fs::create_dir_all(&mine).unwrap();
        let err = check_out(&report, &[Read::new(&mine, What::Input)]).unwrap_err();
        assert!(err.starts_with("the input "), "{err}");
        assert!(err.contains("whose report patella replaces"), "{err}");
        let pain = report.join("pain.csv");
        let err = check_out(&report, &[Read::new(&pain, What::PainLog)]).unwrap_err();
        assert!(err.starts_with("the pain log "), "{err}");
        // A pain log or a thresholds file beside the report is not a folder read.
        let beside = root.join("pain.csv");
        let fresh = root.join("new-report");
        assert_eq!(
            check_out(&fresh, &[Read::new(&beside, What::PainLog)]),
            Ok(())
        );
        // Through `..` and a link, the same.
        let dotted = data.join("sub/../../report");
        let err = check_out(&dotted, &[Read::new(&mine, What::Input)]).unwrap_err();
        assert!(err.contains("whose report patella replaces"), "{err}");
        #[cfg(unix)]
        {
            let link = root.join("link");
            std::os::unix::fs::symlink(&report, &link).unwrap();
            let err =
                check_out(&report, &[Read::new(&link.join("mydata"), What::Input)]).unwrap_err();
            assert!(err.contains("whose report patella replaces"), "{err}");
        }
    }

    #[test]
    fn the_store_stays_out_of_what_is_read_and_written() {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("data");
        std::fs::create_dir_all(&data).unwrap();
        let run = data.join("run.gpx");
        std::fs::write(&run, "x").unwrap();
        let reads = [Read::new(&data, What::Input)];
        let err = check_store(&data.join("store.sqlite"), &reads, None).unwrap_err();
        assert!(err.contains("which patella reads"), "{err}");
        // A file given as input: the store may be beside it, not be it.
        let file = [Read::new(&run, What::Input)];
        assert_eq!(check_store(&data.join("store.sqlite"), &file, None), Ok(()));
        let err = check_store(&run, &file, None).unwrap_err();
        assert!(err.contains("which patella reads"), "{err}");
        let pain = tmp.path().join("pain.csv");
        let err = check_store(&pain, &[Read::new(&pain, What::PainLog)], None).unwrap_err();
        assert!(err.contains("which patella reads"), "{err}");
        let out = tmp.path().join("report");
        let err = check_store(&out.join("s.sqlite"), &reads, Some(&out)).unwrap_err();
        assert!(err.contains("whose report patella replaces"), "{err}");
        assert_eq!(
            check_store(&tmp.path().join("cache/s.sqlite"), &reads, Some(&out)),
            Ok(())
        );
    }
}
