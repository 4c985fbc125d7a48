//! Command-line types (clap derive), then a validated [`Config`]: two steps, so that everything
//! after parsing works with checked values.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::analysis::{Settings, Thresholds, WeekStart};

/// Reads runners' watch exports (FIT, GPX, TCX; loose, gzipped or zipped) and reports the
/// training patterns linked to knee pain.
#[derive(Debug, Parser)]
#[command(name = "patella", version, about, long_about = None)]
pub struct Args {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Analyse files and folders (recursively; .zip, also nested, and .gz are opened)
    Analyse {
        /// Files or folders to read
        #[arg(required_unless_present = "athletes", value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// A team: each sub-folder of ROOT is one athlete (its name, or `name` in an
        /// athlete.toml there, which may also set tz, pain and [thresholds]). Prints the team
        /// in order of urgency; with --out, writes the team page, each athlete's report and a
        /// Hive-partitioned Parquet dataset; with --json, each athlete's document
        #[arg(
            long,
            value_name = "ROOT",
            conflicts_with_all = ["paths", "athlete", "pain", "since", "all", "runs"]
        )]
        athletes: Option<PathBuf>,
        #[command(flatten)]
        common: Common,
        /// Print the whole result as one JSON document on stdout
        #[arg(long)]
        json: bool,
        /// Write the report (index.html, charts/, runs.csv, weeks.csv, findings.csv,
        /// runs.parquet) into this folder: a new or empty folder, or an earlier patella report
        /// (replaced whole); any other folder is refused
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Name written in the report and in the `athlete` column of the exports
        #[arg(long, value_name = "NAME", default_value = "")]
        athlete: String,
        /// List from this day in the terminal (YYYY-MM-DD; default: the last 12 weeks)
        #[arg(long, value_name = "DATE", value_parser = parse_date, conflicts_with = "all")]
        since: Option<chrono::NaiveDate>,
        /// List the whole history in the terminal: every week, finding and skipped file
        #[arg(long)]
        all: bool,
        /// List each run and other activity in the terminal
        #[arg(long)]
        runs: bool,
        /// The runner's pain log (CSV: date,knee,score,when,note); a pain.csv in a folder read
        /// is found too
        #[arg(long, value_name = "FILE")]
        pain: Option<PathBuf>,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Keep a report current while files are dropped into a folder (Ctrl-C ends it)
    Watch {
        /// The folder to watch (recursively)
        #[arg(value_name = "DIR")]
        dir: PathBuf,
        /// Where the report goes (replaced on every change; a new or empty folder or an earlier
        /// patella report, not inside DIR)
        #[arg(long, value_name = "REPORT")]
        out: PathBuf,
        /// List the folder every 0.2 s instead of waiting for file events (network drives)
        #[arg(long)]
        poll: bool,
        /// Name written in the report and in the `athlete` column of the exports
        #[arg(long, value_name = "NAME", default_value = "")]
        athlete: String,
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Show what was read from one file: format, sport, columns, rules applied, device vs computed
    Inspect {
        /// The file (may be gzipped or a zip)
        #[arg(value_name = "FILE")]
        file: PathBuf,
        #[command(flatten)]
        common: Common,
        /// Print the result as JSON
        #[arg(long)]
        json: bool,
    },
}

/// Where decoded files are remembered.
#[derive(Debug, clap::Args)]
pub struct StoreArgs {
    /// The store of decoded files (default: patella/store.sqlite under the user's cache folder)
    #[arg(long, value_name = "PATH", conflicts_with = "no_store")]
    pub store: Option<PathBuf>,
    /// Decode every file, neither reading nor writing the store
    #[arg(long)]
    pub no_store: bool,
}

/// Options shared by every command that dates activities.
#[derive(Debug, clap::Args)]
pub struct Common {
    /// Zone for files with neither a UTC offset nor a GPS fix (IANA name, e.g. Europe/Berlin;
    /// default: this machine's zone)
    #[arg(long, value_name = "ZONE")]
    pub tz: Option<String>,
    /// First day of the training week
    #[arg(long, value_enum, default_value_t = WeekStartArg::Mon)]
    pub week_start: WeekStartArg,
    /// Thresholds file (TOML, section [thresholds]; defaults from RISK_MODEL.md)
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The day the outlook looks forward from (YYYY-MM-DD; default: the day after the latest run)
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<chrono::NaiveDate>,
}

/// A `YYYY-MM-DD` date of the command line.
fn parse_date(s: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("'{s}' is not a date of the form YYYY-MM-DD"))
}

/// The `--config` file.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConfigFile {
    pub thresholds: Thresholds,
}

/// Largest thresholds file read (a real one is a few hundred bytes).
pub const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// Reads and checks a `--config` file: a regular file (a FIFO is refused, never waited on) of at
/// most [`MAX_CONFIG_BYTES`], in UTF-8.
pub fn read_config(path: &std::path::Path) -> Result<ConfigFile, UsageError> {
    let cannot = |e: String| UsageError(format!("cannot read config {}: {e}", path.display()));
    let bytes =
        crate::ingest::read_small(path, MAX_CONFIG_BYTES).map_err(|e| cannot(e.to_string()))?;
    let text = String::from_utf8(bytes).map_err(|_| cannot("it is not UTF-8 text".into()))?;
    parse_config(&text, &path.display().to_string())
}

/// Parses and checks the text of a thresholds file; `origin` names it in messages.
pub fn parse_config(text: &str, origin: &str) -> Result<ConfigFile, UsageError> {
    let file: ConfigFile = toml::from_str(text).map_err(|e| {
        UsageError(format!(
            "config {origin}: {}",
            e.to_string()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        ))
    })?;
    file.thresholds
        .validate()
        .map_err(|e| UsageError(format!("config {origin}: {e}")))?;
    Ok(file)
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum WeekStartArg {
    Mon,
    Sun,
}

/// Settings after validation.
#[derive(Debug)]
pub struct Config {
    pub settings: Settings,
    /// Where the zone came from, for messages.
    pub tz_origin: &'static str,
}

/// A usage error: a bad option value. Exits with status 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

impl Common {
    /// Validates the options; the zone falls back to `TZ`, then the machine's zone, then UTC.
    pub fn config(&self) -> Result<Config, UsageError> {
        let week_start = match self.week_start {
            WeekStartArg::Mon => WeekStart::Mon,
            WeekStartArg::Sun => WeekStart::Sun,
        };
        let (tz, tz_origin) = match &self.tz {
            Some(name) => (
                name.parse::<chrono_tz::Tz>().map_err(|_| {
                    UsageError(format!(
                        "unknown time zone '{name}' (use an IANA name such as Europe/Berlin or UTC)"
                    ))
                })?,
                "--tz",
            ),
            None => machine_zone(),
        };
        let thresholds = match &self.config {
            Some(path) => read_config(path)?.thresholds,
            None => Thresholds::default(),
        };
        Ok(Config {
            settings: Settings {
                tz,
                week_start,
                thresholds,
                as_of: self.as_of,
            },
            tz_origin,
        })
    }
}

fn machine_zone() -> (chrono_tz::Tz, &'static str) {
    if let Some(tz) = std::env::var("TZ")
        .ok()
        .and_then(|v| v.trim_start_matches(':').parse::<chrono_tz::Tz>().ok())
    {
        return (tz, "TZ");
    }
    match iana_time_zone::get_timezone()
        .ok()
        .and_then(|n| n.parse::<chrono_tz::Tz>().ok())
    {
        Some(tz) => (tz, "this machine"),
        None => (chrono_tz::UTC, "fallback (machine zone unknown)"),
    }
}
