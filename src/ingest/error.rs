//! The reasons a file gives no activity live in [`crate::model::skip`] (analysis and the reports
//! carry them too); the readers name them from here.

pub use crate::model::skip::{one_line, Position, ReadError, SkipReason, Skipped};
