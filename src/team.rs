//! `patella analyse --athletes ROOT`: a coach's or a study's many runners at once. Each direct
//! sub-folder of ROOT is one athlete, analysed as `patella analyse FOLDER` analyses one runner
//! (through the same [`pipeline`]), with the settings of an optional `athlete.toml` in it laid
//! over the command line's. What comes out:
//!
//! - the team's rows ([`AthleteStatus`]) in order of urgency, for the team page and the terminal;
//! - with `--out DIR`: `DIR/athletes/KEY/` (each athlete's own report), `DIR/data/{runs,weeks,
//!   findings}/athlete=KEY/part-0.parquet` (a Hive-partitioned dataset), and the team page
//!   `DIR/index.html`, all written into a new folder that replaces DIR at the end;
//! - with `--json`: each athlete's own JSON document, handed over as soon as it is made.
//!
//! Athletes are analysed in parallel, a few at a time (as many as rayon has threads), and each
//! athlete's analysis is dropped once its report, its partitions and its row are made: memory
//! holds the analyses of one round, never the team's.
//!
//! A folder that cannot be analysed (nothing readable, a bad `athlete.toml`) is listed with its
//! reason, and the others go on.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::analysis::team::AthleteStatus;
use crate::analysis::{Settings, Thresholds};
use crate::ingest::Limits;
use crate::model::PainRow;
use crate::pipeline;
use crate::report::{self, RenderContext};
use crate::store::Store;

/// The file in an athlete's folder that names them and sets their thresholds, zone and pain log.
pub const ATHLETE_FILE: &str = "athlete.toml";

/// Largest `athlete.toml` read (a real one is a few lines).
pub const MAX_ATHLETE_FILE_BYTES: u64 = 1 << 20;

/// `athlete.toml`: every key optional.
///
/// ```toml
/// name = "Ada L."
/// tz = "Europe/London"
/// pain = "pain.csv"          # relative to the athlete's folder
/// [thresholds]
/// hr_max_bpm = 188
/// ```
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AthleteFile {
    pub name: Option<String>,
    pub tz: Option<String>,
    pub pain: Option<PathBuf>,
    /// Laid over the command line's thresholds key by key.
    pub thresholds: Option<toml::Table>,
}

/// One athlete as their folder and `athlete.toml` describe them, ready to analyse.
#[derive(Debug)]
pub struct Athlete {
    /// The folder's name: the key of the report's and the dataset's sub-folders.
    pub key: String,
    pub name: String,
    pub dir: PathBuf,
    pub settings: Settings,
    pub pain: Vec<PainRow>,
    /// The pain log `athlete.toml` names, as a path.
    pub pain_log: Option<PathBuf>,
    /// What was noticed while reading `athlete.toml` and the pain log (rows that do not read).
    pub warnings: Vec<String>,
}

/// A sub-folder that was not analysed, and why.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Unread {
    pub key: String,
    pub name: String,
    pub reason: String,
}

/// How a team run goes.
pub struct Options<'a> {
    /// The command line's settings; `as_of` is the team's day (set: every athlete's outlook
    /// looks forward from the same day).
    pub settings: &'a Settings,
    /// The store's path; `None` decodes every file.
    pub store: Option<&'a Path>,
    pub limits: Limits,
    /// Make each athlete's JSON document (for `--json`).
    pub json: bool,
}

/// One athlete analysed: their row, their JSON document when asked for, and the messages of the
/// run (skipped files, warnings), each starting with the athlete's key.
pub struct Done {
    pub status: AthleteStatus,
    pub json: Option<String>,
    pub messages: Vec<String>,
}

/// An entry of the athletes' folder that is not read as an athlete's: its path, and why.
pub type PassedOver = (String, String);

/// The sub-folders of `root` (hidden names passed over), in name order, and the other entries
/// of `root`, each with why it is not an athlete's folder (for a message). A symbolic link to a
/// folder is followed (a coach may link athletes' folders in) unless it leads to `root` itself,
/// to a folder around it, or into or around another athlete's folder: one athlete's folder is
/// that folder only. An error when `root` cannot be listed.
pub fn folders(root: &Path) -> Result<(Vec<PathBuf>, Vec<PassedOver>), String> {
    let entries = std::fs::read_dir(root)
        .map_err(|e| format!("cannot list the athletes' folder {}: {e}", root.display()))?;
    let root_real = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let mut dirs = Vec::new();
    let mut other = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        if path.is_dir() {
            dirs.push(path);
        } else {
            other.push((
                path.display().to_string(),
                "not in an athlete's folder; not read".to_string(),
            ));
        }
    }
    dirs.sort();
    let real: Vec<PathBuf> = dirs
        .iter()
        .map(|d| d.canonicalize().unwrap_or_else(|_| d.clone()))
        .collect();
    let mut kept = Vec::new();
    for (i, dir) in dirs.into_iter().enumerate() {
        let overlaps =
            |j: usize| j != i && (real[j].starts_with(&real[i]) || real[i].starts_with(&real[j]));
        let why = if root_real.starts_with(&real[i]) {
            Some("a link to the athletes' folder or around it".to_string())
        } else {
            (0..real.len()).find(|&j| overlaps(j)).map(|j| {
                format!(
                    "a link into or around the folder of {}",
                    real[j].file_name().map_or_else(
                        || real[j].display().to_string(),
                        |n| n.to_string_lossy().into_owned()
                    )
                )
            })
        };
        match why {
            // Two names for one folder: the plain folder stays, the link is passed over.
            Some(why)
                if dir
                    .symlink_metadata()
                    .is_ok_and(|m| m.file_type().is_symlink()) =>
            {
                other.push((dir.display().to_string(), format!("{why}; not read")));
            }
            _ => kept.push(dir),
        }
    }
    other.sort();
    Ok((kept, other))
}

/// What an `athlete.toml` says, laid over the command line's settings ([`parse_athlete_file`]).
#[derive(Debug)]
pub struct AthleteSettings {
    /// The athlete's name, where the file gives one that is not blank.
    pub name: Option<String>,
    pub settings: Settings,
    /// The pain log as the file names it (relative to the athlete's folder unless absolute).
    pub pain: Option<PathBuf>,
}

/// Why an `athlete.toml` was refused, and the name it gave before the fault, where it gave one.
#[derive(Debug)]
pub struct Refused {
    pub name: Option<String>,
    pub reason: String,
}

/// Reads the text of an `athlete.toml` and lays it over `base`: a reason (naming the file and,
/// for a TOML error, its line) when it does not parse, names an unknown key, a bad zone or a
/// threshold out of range. No file is opened: [`athlete`] reads the file and the pain log.
pub fn parse_athlete_file(text: &str, base: &Settings) -> Result<AthleteSettings, Refused> {
    let file: AthleteFile = toml::from_str(text).map_err(|e| {
        let line = e
            .span()
            .map(|span| {
                let before = &text[..span.start.min(text.len())];
                format!(" line {}", before.matches('\n').count() + 1)
            })
            .unwrap_or_default();
        Refused {
            name: None,
            reason: format!("{ATHLETE_FILE}{line}: {}", e.message()),
        }
    })?;
    let name = file
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string);
    let refused = |reason: String| Refused {
        name: name.clone(),
        reason,
    };
    let mut settings = base.clone();
    if let Some(tz) = &file.tz {
        settings.tz = tz.parse().map_err(|_| {
            refused(format!(
                "{ATHLETE_FILE}: unknown time zone '{tz}' (use an IANA name such as Europe/Berlin)"
            ))
        })?;
    }
    if let Some(table) = &file.thresholds {
        settings.thresholds = laid_over(&base.thresholds, table)
            .map_err(|e| refused(format!("{ATHLETE_FILE}: {e}")))?;
    }
    Ok(AthleteSettings {
        name,
        settings,
        pain: file.pain,
    })
}

/// The athlete of folder `dir`: `athlete.toml` read and laid over `base`; an [`Unread`] when the
/// file does not read, names an unknown key, a bad zone, a threshold out of range, or a pain log
/// that cannot be read.
pub fn athlete(dir: &Path, base: &Settings) -> Result<Athlete, Unread> {
    let key = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| dir.display().to_string());
    let unread = |name: &str, reason: String| Unread {
        key: key.clone(),
        name: name.to_string(),
        reason,
    };
    let path = dir.join(ATHLETE_FILE);
    // Opened as the folder walk opens files: a FIFO is refused, never waited on.
    let text = match crate::ingest::read_small(&path, MAX_ATHLETE_FILE_BYTES) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(crate::ingest::SkipReason::NotFound) => String::new(),
        Err(e) => return Err(unread(&key, format!("cannot read {ATHLETE_FILE}: {e}"))),
    };
    let parsed = parse_athlete_file(&text, base)
        .map_err(|r| unread(r.name.as_deref().unwrap_or(&key), r.reason))?;
    let name = parsed.name.unwrap_or_else(|| key.clone());
    let settings = parsed.settings;
    let pain_log = parsed.pain.as_ref().map(|log| {
        if log.is_absolute() {
            log.clone()
        } else {
            dir.join(log)
        }
    });
    let (pain, warnings) = match &pain_log {
        Some(log) => crate::ingest::pain::read_file(log).map_err(|e| unread(&name, e))?,
        None => (Vec::new(), Vec::new()),
    };
    Ok(Athlete {
        key,
        name,
        dir: dir.to_path_buf(),
        settings,
        pain,
        pain_log,
        warnings,
    })
}

/// `base` with the keys of `table` (an `athlete.toml`'s `[thresholds]`) laid over it, checked
/// as a `--config` file's thresholds are.
pub fn laid_over(base: &Thresholds, table: &toml::Table) -> Result<Thresholds, String> {
    let mut merged = serde_json::to_value(base).map_err(|e| e.to_string())?;
    let over = serde_json::to_value(table).map_err(|e| e.to_string())?;
    if let (Some(m), Some(o)) = (merged.as_object_mut(), over.as_object()) {
        for (k, v) in o {
            m.insert(k.clone(), v.clone());
        }
    }
    let t: Thresholds = serde_json::from_value(merged).map_err(|e| format!("[thresholds]: {e}"))?;
    t.validate().map_err(|e| format!("[thresholds]: {e}"))?;
    Ok(t)
}

/// Analyses one athlete and writes what `--out` asks for into `out` (the team's new folder):
/// their report under `athletes/KEY/`, their partitions under `data/`. `Err` when their folder
/// holds nothing readable.
pub fn analyse_one(a: &Athlete, opts: &Options, out: Option<&Path>) -> Result<Done, Unread> {
    let unread = |reason: String| Unread {
        key: a.key.clone(),
        name: a.name.clone(),
        reason,
    };
    let mut messages: Vec<String> = a.warnings.iter().map(|w| format!("warning: {w}")).collect();
    let mut store =
        opts.store.and_then(
            |path| match Store::open(path, &crate::store::parser_version()) {
                Ok((s, _)) => Some(s),
                Err(e) => {
                    messages.push(format!("warning: {e:#}; going on without the store"));
                    None
                }
            },
        );
    let (mut analysis, extracted) = pipeline::analyse(
        std::slice::from_ref(&a.dir),
        &opts.limits,
        &a.settings,
        store.as_mut(),
        &a.pain,
        &|_, _| {},
    )
    .map_err(|e| unread(format!("{e}")))?;
    // The athlete's own settings file is not an activity: not listed as skipped, nor counted
    // among the files looked at.
    let own = a.dir.join(ATHLETE_FILE).display().to_string();
    let listed = analysis.skipped.len();
    analysis.skipped.retain(|s| s.source != own);
    let files_seen = extracted
        .files_seen
        .saturating_sub(listed - analysis.skipped.len());
    messages.extend(extracted.warnings.iter().map(|w| format!("warning: {w}")));
    messages.extend(crate::model::skip::skip_lines(&analysis.skipped, false));
    if analysis.activities.is_empty() {
        return Err(unread(format!(
            "no readable activity in {files_seen} file(s)"
        )));
    }
    let ctx = RenderContext::new(a.name.as_str());
    if let Some(out) = out {
        let report_dir = out.join("athletes").join(&a.key);
        report::folder::write_into(&analysis, &report_dir, &ctx, report::REPORT)
            .map_err(|e| unread(format!("its report could not be written: {e:#}")))?;
        report::tables::partitions(&analysis, &a.key)
            .and_then(|files| report::folder::write_artifacts(out, files))
            .map_err(|e| unread(format!("its tables could not be written: {e:#}")))?;
    }
    let json = opts
        .json
        .then(|| report::json::render_for(&analysis, Some(&a.name)));
    let as_of = opts.settings.as_of.unwrap_or_default();
    let status = AthleteStatus::of(&analysis, &a.key, &a.name, as_of, a.settings.week_start);
    Ok(Done {
        status,
        json,
        messages,
    })
}

/// Runs the team: every athlete of `athletes` analysed (a round of as many as rayon has threads
/// at a time, in folder order), `each` called with each athlete's outcome in folder order as its
/// round ends (for messages and the JSON documents), the folders that could not be analysed
/// among `unread`. Returns the rows in order of urgency.
pub fn run(
    athletes: Vec<Result<Athlete, Unread>>,
    opts: &Options,
    out: Option<&Path>,
    each: &mut dyn FnMut(&Result<Done, Unread>),
) -> (Vec<AthleteStatus>, Vec<Unread>) {
    use rayon::prelude::*;
    let round = rayon::current_num_threads().max(1);
    let mut rows = Vec::new();
    let mut unread = Vec::new();
    for chunk in athletes.chunks(round) {
        let done: Vec<Result<Done, Unread>> = chunk
            .par_iter()
            .map(|a| match a {
                Ok(a) => crate::guard::catch(|| analyse_one(a, opts, out)).unwrap_or_else(|e| {
                    Err(Unread {
                        key: a.key.clone(),
                        name: a.name.clone(),
                        reason: format!("internal error while analysing: {e}"),
                    })
                }),
                Err(u) => Err(u.clone()),
            })
            .collect();
        for d in done {
            each(&d);
            match d {
                Ok(done) => rows.push(done.status),
                Err(u) => unread.push(u),
            }
        }
    }
    rows.sort_by(|a, b| a.urgency_order(b));
    (rows, unread)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::WeekStart;

    fn base() -> Settings {
        Settings::new(chrono_tz::UTC, WeekStart::Mon)
    }

    fn folder(toml: Option<&str>) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        if let Some(text) = toml {
            std::fs::write(dir.path().join(ATHLETE_FILE), text).unwrap();
        }
        dir
    }

    #[test]
    fn athlete_toml_names_the_athlete_and_lays_its_settings_over_the_command_line() {
        let mut base = base();
        base.thresholds.weekly_jump_ratio = 1.2;
        let dir = folder(Some(
            "name = \"Ada L.\"\ntz = \"Europe/London\"\n[thresholds]\nhr_max_bpm = 188\n",
        ));
        let a = athlete(dir.path(), &base).unwrap();
        assert_eq!(a.name, "Ada L.");
        assert_eq!(a.settings.tz, chrono_tz::Europe::London);
        assert_eq!(a.settings.thresholds.hr_max_bpm, Some(188.0));
        // What the file does not set stays as the command line set it.
        assert_eq!(a.settings.thresholds.weekly_jump_ratio, 1.2);
        // Without the file: the folder's name and the command line's settings.
        let plain = folder(None);
        let a = athlete(plain.path(), &base).unwrap();
        assert_eq!(a.name, a.key);
        assert_eq!(a.settings.thresholds, base.thresholds);
    }

    #[test]
    fn a_bad_athlete_toml_is_a_reason_not_a_stop() {
        let reason = |text: &str| {
            athlete(folder(Some(text)).path(), &base())
                .unwrap_err()
                .reason
        };
        assert_eq!(
            reason("name = \"A\"\ntz = \"Mars/Olympus\"\n"),
            "athlete.toml: unknown time zone 'Mars/Olympus' (use an IANA name such as \
             Europe/Berlin)"
        );
        assert!(
            reason("[thresholds]\nhr_max_bpm = 20\n").starts_with("athlete.toml: [thresholds]: "),
            "{}",
            reason("[thresholds]\nhr_max_bpm = 20\n")
        );
        assert!(reason("[thresholds]\nno_such = 1\n").contains("unknown field `no_such`"));
        assert!(reason("name = [\n").starts_with("athlete.toml line 1"));
        assert!(reason("pain = \"missing.csv\"\n").starts_with("cannot read the pain log"));
    }
}
