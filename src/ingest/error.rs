//! Why a file (or a member of an archive) could not be read.

/// A reader's one-line reason for not producing an activity. The caller adds the file's name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// The file is well-formed but is not a recorded activity (a FIT settings file, a route, a CSV).
    #[error("not an activity: {0}")]
    NotActivity(String),
    /// The file is broken or holds nothing usable.
    #[error("{0}")]
    Invalid(String),
}

impl ReadError {
    pub fn invalid(msg: impl Into<String>) -> ReadError {
        ReadError::Invalid(msg.into())
    }

    pub fn not_activity(msg: impl Into<String>) -> ReadError {
        ReadError::NotActivity(msg.into())
    }
}

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
