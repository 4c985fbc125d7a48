//! Helpers shared by the integration tests.

pub mod blocks;
pub mod planted;
