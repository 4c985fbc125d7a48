//! Helpers for the unit tests: where the shared corpus lives.

use std::path::PathBuf;

/// `../shared/corpus` beside the repository, or `None` when it is absent. With
/// `PATELLA_REQUIRE_CORPUS` set (as `.ci/run` does), a missing corpus fails the test instead.
pub fn corpus_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("PATELLA_REQUIRE_CORPUS").is_none(),
        "PATELLA_REQUIRE_CORPUS is set but {} is missing",
        dir.display()
    );
    eprintln!("corpus absent at {}: corpus checks skipped", dir.display());
    None
}
