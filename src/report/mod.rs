//! Rendering: every output renders the same [`crate::analysis::Analysis`]; nothing here computes.

pub mod inspect;
pub mod json;
pub mod terminal;
