//! Why a file (or a member of an archive) gave no activity: one typed reason per way it can
//! fail, each a one-line message (lowercase, no trailing period), carried with the file's name
//! in a [`Skipped`]. Made by `ingest` (and by the last guard around analysis), carried through
//! the analysis to every report.

use serde::{Deserialize, Serialize};

/// Where in a file a reader found the damage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Position {
    /// A byte offset from the start of the file (as decoded: after gzip).
    Byte(u64),
    /// The index of a record (a FIT message, counted from 0).
    Record(u64),
}

impl std::fmt::Display for Position {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Position::Byte(n) => write!(f, "byte {n}"),
            Position::Record(n) => write!(f, "record {n}"),
        }
    }
}

/// A reader's one-line reason for not producing an activity. The caller adds the file's name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum ReadError {
    /// The file is well-formed but is not a recorded activity (a FIT settings file, a route, a CSV).
    #[error("not an activity: {0}")]
    NotActivity(String),
    /// The file is broken or holds nothing usable.
    #[error("{0}")]
    Invalid(String),
    /// The file is broken at a known place (`malformed XML at byte 699: ...`).
    #[error("{what} at {at}: {detail}")]
    Damaged {
        what: String,
        at: Position,
        detail: String,
    },
}

impl ReadError {
    pub fn invalid(msg: impl Into<String>) -> ReadError {
        ReadError::Invalid(msg.into())
    }

    pub fn not_activity(msg: impl Into<String>) -> ReadError {
        ReadError::NotActivity(msg.into())
    }

    /// Broken at a known place.
    pub fn damaged(what: impl Into<String>, at: Position, detail: impl Into<String>) -> ReadError {
        ReadError::Damaged {
            what: what.into(),
            at,
            detail: one_line(&detail.into()),
        }
    }

    /// Where the damage is, when the reader knows.
    pub fn position(&self) -> Option<Position> {
        match self {
            ReadError::Damaged { at, .. } => Some(*at),
            _ => None,
        }
    }
}

/// Why a file, or a member of an archive, gave no activity. Sizes are in bytes; messages show
/// them in MiB.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum SkipReason {
    #[error("no such file or folder")]
    NotFound,
    #[error("permission denied")]
    PermissionDenied,
    #[error("cannot read: {message}")]
    Io { message: String },
    /// A FIFO, socket or device: never opened, so it cannot block or stream without end.
    #[error("not a regular file ({kind}); not read")]
    NotRegular { kind: String },
    #[error("file is {} MiB, over the {} MiB limit", mib(*.size), mib(*.limit))]
    TooLarge { size: u64, limit: u64 },
    #[error("file grew past the {} MiB limit while it was read", mib(*.limit))]
    GrewPastLimit { limit: u64 },
    /// A zip member whose header gives a size over the limit.
    #[error("member is {} MiB, over the {} MiB limit", mib(*.size), mib(*.limit))]
    MemberTooLarge { size: u64, limit: u64 },
    /// A gzip stream or zip member that inflates past the limit for one file (whatever its
    /// header said).
    #[error("expands past the {} MiB limit for one file", mib(*.limit))]
    ExpandsPastLimit { limit: u64 },
    /// The top-level file's decompression budget ran out while this member inflated.
    #[error(
        "decompression budget of {} MiB for {archive} used up ({} MiB inflated from its {} MiB)",
        mib(*.budget), mib(*.budget), mib(*.compressed)
    )]
    BudgetUsedUp {
        archive: String,
        budget: u64,
        compressed: u64,
    },
    /// Members of an archive left unread once the budget was used up.
    #[error(
        "{members} more members not read: the decompression budget of {} MiB for {archive} is used up",
        mib(*.budget)
    )]
    NotReadAfterBudget {
        archive: String,
        budget: u64,
        members: usize,
    },
    /// A file that would hold more inflated bytes at once than all the files being read
    /// together may ([`crate::ingest::Limits::max_held_bytes`]): refused at once, never waited on.
    #[error(
        "would hold more than the {} MiB that the files being read may hold inflated at once",
        mib(*.limit)
    )]
    HeldPastLimit { limit: u64 },
    #[error("archives nested deeper than {limit}")]
    NestedTooDeep { limit: usize },
    #[error("zip holds {count} members, over the limit of {limit}")]
    TooManyMembers { count: usize, limit: usize },
    #[error("zip archive is empty")]
    EmptyZip,
    #[error("zip archive is damaged: {message}")]
    DamagedZip { message: String },
    /// Member `index` (0-based, in archive order).
    #[error("zip member #{index} is damaged: {message}")]
    DamagedMember { index: usize, message: String },
    /// The stream broke after `inflated` bytes had come out of it.
    #[error("gzip stream is damaged after {inflated} bytes: {message}")]
    DamagedGzip { inflated: u64, message: String },
    #[error("empty file")]
    Empty,
    #[error("not an activity file: {what}")]
    NotActivityFile { what: String },
    #[error("not a FIT file (no .FIT signature in the header)")]
    NotFit,
    /// What the format's reader said.
    #[error("{0}")]
    Read(#[from] ReadError),
    #[error("no activity in file")]
    NoActivity,
    /// A bug in patella (a panic), caught so that it costs one file and not the batch.
    #[error("internal error while {stage}: {message}")]
    Internal { stage: String, message: String },
    /// A symbolic link inside a folder read that leads out of it (to an earlier report, to
    /// another athlete's folder): not followed.
    #[error("a symbolic link to {target}, outside the folder read; not followed")]
    LinkOutside { target: String },
}

impl SkipReason {
    /// A stable short name for the reason, for tools reading the JSON (`kind`).
    pub fn kind(&self) -> &'static str {
        match self {
            SkipReason::NotFound => "not-found",
            SkipReason::PermissionDenied => "permission-denied",
            SkipReason::Io { .. } => "io",
            SkipReason::NotRegular { .. } => "not-regular",
            SkipReason::TooLarge { .. }
            | SkipReason::GrewPastLimit { .. }
            | SkipReason::MemberTooLarge { .. }
            | SkipReason::ExpandsPastLimit { .. } => "too-large",
            SkipReason::BudgetUsedUp { .. }
            | SkipReason::NotReadAfterBudget { .. }
            | SkipReason::HeldPastLimit { .. } => "budget",
            SkipReason::NestedTooDeep { .. } | SkipReason::TooManyMembers { .. } => "archive-limit",
            SkipReason::EmptyZip
            | SkipReason::DamagedZip { .. }
            | SkipReason::DamagedMember { .. }
            | SkipReason::DamagedGzip { .. } => "damaged-archive",
            SkipReason::Empty => "empty",
            SkipReason::NotActivityFile { .. } | SkipReason::NotFit => "not-activity-file",
            SkipReason::Read(ReadError::NotActivity(_)) => "not-activity",
            SkipReason::Read(ReadError::Invalid(_) | ReadError::Damaged { .. }) => "invalid",
            SkipReason::NoActivity => "no-activity",
            SkipReason::Internal { .. } => "internal",
            SkipReason::LinkOutside { .. } => "link-outside",
        }
    }

    /// The reason for an I/O error on a file.
    pub fn io(e: &std::io::Error) -> SkipReason {
        match e.kind() {
            std::io::ErrorKind::NotFound => SkipReason::NotFound,
            std::io::ErrorKind::PermissionDenied => SkipReason::PermissionDenied,
            _ => SkipReason::Io {
                message: one_line(&e.to_string()),
            },
        }
    }
}

/// A file an export is known to hold beside its activities, passed over without a line of its
/// own on the terminal (the JSON keeps every skip): the kinds its summary line counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SideFile {
    /// A FIT monitoring file (`monitoring_a`, `monitoring_b`, `monitoring_daily`): steps, heart
    /// rate and stress through the day, hundreds of them in a Garmin export.
    Monitoring,
    /// Any other FIT file that is not an activity (settings, device, sport, workout, course,
    /// totals, goals, weight, sleep and the types the profile does not name); a JSON or CSV
    /// side file of a Garmin Connect export (under `DI_CONNECT/`: personal records, training
    /// plans, aggregator files); an image.
    Other,
}

impl SideFile {
    /// How the summary line names `n` files of the kind.
    pub fn count(self, n: usize) -> String {
        let what = match self {
            SideFile::Monitoring => "monitoring",
            SideFile::Other => "other export",
        };
        format!("{n} {what} file{}", if n == 1 { "" } else { "s" })
    }
}

/// The tables a Strava bulk export holds beside `activities.csv` (named in English whatever the
/// account's language): the profile, gear, social and settings tables.
const STRAVA_SIDE_FILES: &[&str] = &[
    "applications.csv",
    "bikes.csv",
    "blocks.csv",
    "clubs.csv",
    "comments.csv",
    "components.csv",
    "connected_apps.csv",
    "contacts.csv",
    "email_preferences.csv",
    "events.csv",
    "follows.csv",
    "general_preferences.csv",
    "global_challenges.csv",
    "goals.csv",
    "group_challenges.csv",
    "local_legend_segments.csv",
    "logins.csv",
    "media.csv",
    "memberships.csv",
    "messaging.csv",
    "mobile_device_identifiers.csv",
    "orders.csv",
    "partner_opt_outs.csv",
    "posts.csv",
    "privacy_zones.csv",
    "profile.csv",
    "reactions.csv",
    "routes.csv",
    "segments.csv",
    "shoes.csv",
    "social_settings.csv",
    "starred_routes.csv",
    "starred_segments.csv",
    "subscriptions.csv",
    "support_tickets.csv",
    "visibility_settings.csv",
];

/// The last part of a source (`export.zip!profile.csv`, `export/profile.csv`): `profile.csv`.
fn file_name(source: &str) -> &str {
    source.rsplit(['/', '!', '\\']).next().unwrap_or(source)
}

impl Skipped {
    /// The kind of side file this is when an export is known to hold it beside its activities
    /// (see [`SideFile`]); `None` for a damaged, unreadable or unexpected file, which keeps its
    /// own line.
    pub fn side_file(&self) -> Option<SideFile> {
        match &self.reason {
            SkipReason::Read(ReadError::NotActivity(what)) => {
                let kind = what.strip_prefix("fit ")?.strip_suffix(" file")?;
                Some(if kind.starts_with("monitoring") {
                    SideFile::Monitoring
                } else {
                    SideFile::Other
                })
            }
            SkipReason::NotActivityFile { what } if what == "an image" => Some(SideFile::Other),
            SkipReason::NotActivityFile { what }
                if (what == "a .json file" || what == "a .csv file" || what == "a .txt file")
                    && self.source.contains("DI_CONNECT/") =>
            {
                Some(SideFile::Other)
            }
            SkipReason::NotActivityFile { what }
                if what == "a .csv file"
                    && STRAVA_SIDE_FILES.contains(&file_name(&self.source)) =>
            {
                Some(SideFile::Other)
            }
            _ => None,
        }
    }
}

/// The lines the terminal gives for `skipped`: one per file that is not a known side file (in
/// their order, `skipped {source}: {reason}`), then, when there are side files, one line
/// counting them by kind (`343 monitoring files and 20 other export files passed over: --all
/// lists them`). With `all`, every file has its own line.
pub fn skip_lines(skipped: &[Skipped], all: bool) -> Vec<String> {
    let mut lines = Vec::new();
    let mut counts: std::collections::BTreeMap<SideFile, usize> = Default::default();
    for s in skipped {
        match s.side_file() {
            Some(kind) if !all => *counts.entry(kind).or_default() += 1,
            _ => lines.push(format!("skipped {s}")),
        }
    }
    if !counts.is_empty() {
        let parts: Vec<String> = counts.iter().map(|(k, n)| k.count(*n)).collect();
        let joined = match parts.as_slice() {
            [one] => one.clone(),
            [init @ .., last] => format!("{} and {last}", init.join(", ")),
            [] => String::new(),
        };
        lines.push(format!("{joined} passed over: --all lists them"));
    }
    lines
}

/// A size in MiB for messages: whole above 10 MiB, one decimal below.
fn mib(bytes: u64) -> String {
    let m = bytes as f64 / (1024.0 * 1024.0);
    if m >= 10.0 {
        format!("{m:.0}")
    } else {
        format!("{m:.1}")
    }
}

/// A file, or an archive member (`export.zip!inner/run.fit`), that gave no activity, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    pub source: String,
    pub reason: SkipReason,
}

impl Skipped {
    pub fn new(source: impl Into<String>, reason: impl Into<SkipReason>) -> Skipped {
        Skipped {
            source: source.into(),
            reason: reason.into(),
        }
    }
}

impl std::fmt::Display for Skipped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.source, self.reason)
    }
}

impl std::error::Error for Skipped {}

/// A decoder's message as house style wants it: one line, lowercase first letter, no trailing
/// period.
pub fn one_line(s: &str) -> String {
    let mut out: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    while out.ends_with('.') {
        out.pop();
    }
    let mut chars = out.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_one_line_and_name_their_numbers() {
        let budget = SkipReason::BudgetUsedUp {
            archive: "export.zip".into(),
            budget: 800 << 20,
            compressed: 8 << 20,
        };
        assert_eq!(
            budget.to_string(),
            "decompression budget of 800 MiB for export.zip used up (800 MiB inflated from its \
             8.0 MiB)"
        );
        assert_eq!(budget.kind(), "budget");
        let held = SkipReason::HeldPastLimit { limit: 512 << 20 };
        assert_eq!(
            held.to_string(),
            "would hold more than the 512 MiB that the files being read may hold inflated at once"
        );
        assert_eq!(held.kind(), "budget");
        let s = Skipped::new("export.zip!a.fit", SkipReason::Empty);
        assert_eq!(s.to_string(), "export.zip!a.fit: empty file");
        let io = SkipReason::io(&std::io::Error::other("Disk\nfailure."));
        assert_eq!(io.to_string(), "cannot read: disk failure");
        assert_eq!(
            SkipReason::from(ReadError::not_activity("fit settings file")).to_string(),
            "not an activity: fit settings file"
        );
        let damaged = ReadError::damaged("malformed XML", Position::Byte(699), "Tag not closed.");
        assert_eq!(
            damaged.to_string(),
            "malformed XML at byte 699: tag not closed"
        );
        assert_eq!(damaged.position(), Some(Position::Byte(699)));
        assert_eq!(SkipReason::from(damaged).kind(), "invalid");
    }

    #[test]
    fn side_files_of_an_export_are_counted_and_the_rest_named() {
        let not_activity = |what: &str| SkipReason::Read(ReadError::not_activity(what));
        let other = |what: &str| SkipReason::NotActivityFile { what: what.into() };
        let skipped = vec![
            Skipped::new("e.zip!u/1.fit", not_activity("fit monitoring_b file")),
            Skipped::new("e.zip!u/2.fit", not_activity("fit monitoring_daily file")),
            Skipped::new("e.zip!u/3.fit", SkipReason::NotFit),
            Skipped::new("e.zip!u/4.fit", not_activity("fit settings file")),
            Skipped::new("e.zip!u/5.fit", not_activity("fit 49 file")),
            Skipped::new(
                "e.zip!DI_CONNECT/DI-Connect-Fitness/me_personalRecord.json",
                other("a .json file"),
            ),
            Skipped::new("e.zip!DI_CONNECT/x/photo.jpg", other("an image")),
            // A CSV outside a Garmin export may be a manifest not recognised: named; a Strava
            // export's own tables are counted.
            Skipped::new("runs/activities.csv", other("a .csv file")),
            Skipped::new("strava.zip!profile.csv", other("a .csv file")),
            Skipped::new("strava/shoes.csv", other("a .csv file")),
            Skipped::new("strava/my-shoes.csv", other("a .csv file")),
            Skipped::new("runs/route.gpx", not_activity("gpx has no track")),
        ];
        assert_eq!(
            skip_lines(&skipped, false),
            [
                "skipped e.zip!u/3.fit: not a FIT file (no .FIT signature in the header)",
                "skipped runs/activities.csv: not an activity file: a .csv file",
                "skipped strava/my-shoes.csv: not an activity file: a .csv file",
                "skipped runs/route.gpx: not an activity: gpx has no track",
                "2 monitoring files and 6 other export files passed over: --all lists them",
            ]
        );
        assert_eq!(skip_lines(&skipped, true).len(), skipped.len());
        assert_eq!(
            skip_lines(&skipped[..1], false),
            ["1 monitoring file passed over: --all lists them"]
        );
        assert!(skip_lines(&[], false).is_empty());
    }
}
