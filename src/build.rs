//! Build script (`build = "src/build.rs"` in Cargo.toml): sets `cfg(corpus)` when the shared test
//! corpus (`../shared/corpus`) is beside the repository, so that the tests that read it are
//! reported as ignored, not passed, where it is missing. With `PATELLA_REQUIRE_CORPUS` set (as
//! `.ci/run` does) a missing corpus fails the build instead.

use std::path::Path;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(corpus)");
    println!("cargo::rerun-if-env-changed=PATELLA_REQUIRE_CORPUS");
    let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
    let corpus = Path::new(&manifest).join("../shared/corpus");
    println!("cargo::rerun-if-changed={}", corpus.display());
    if corpus.join("MANIFEST.tsv").is_file() {
        println!("cargo::rustc-cfg=corpus");
    } else if std::env::var_os("PATELLA_REQUIRE_CORPUS").is_some() {
        panic!(
            "PATELLA_REQUIRE_CORPUS is set but {} is missing",
            corpus.display()
        );
    }
}
