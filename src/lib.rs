//! patella reads runners' watch exports (FIT, GPX, TCX; loose, gzipped or zipped) and reports,
//! from a runner's own data, the training patterns linked to knee pain.
//!
//! The data flows one way: [`ingest`] finds and decodes files into [`model::Activity`] values,
//! [`analysis`] derives per-run values and the weekly table, [`report`] renders them.
//!
//! ```no_run
//! use patella::{analysis, ingest};
//!
//! let loaded = ingest::read_paths(&["runs/".into()], &ingest::Limits::default());
//! let settings = analysis::Settings::new(chrono_tz::Europe::Berlin, analysis::WeekStart::Mon);
//! let result = analysis::analyse(&loaded.activities, loaded.skipped, &settings).unwrap();
//! for week in &result.weeks {
//!     println!("{} {:.1} km", week.week, week.run_km);
//! }
//! for finding in &result.findings {
//!     println!("{} {}", finding.code, finding.message);
//! }
//! ```

pub mod analysis;
pub mod cli;
pub mod guard;
pub mod ingest;
pub mod model;
pub mod paths;
pub mod pipeline;
pub mod report;
pub mod store;
/// Generated activities and blocks, for the tests and the demo data: not in the shipped binary
/// (the `synth` feature, which the tests turn on).
#[cfg(feature = "synth")]
pub mod synth;
pub mod team;
pub mod watch;

#[cfg(test)]
mod test_support;
