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

/// Every file under `dir`, recursively, in path order.
pub fn files_under(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// A corpus file's bytes, gunzipped when its name ends in `.gz`.
pub fn read_gunzipped(path: &std::path::Path) -> Vec<u8> {
    use std::io::Read;
    let raw = std::fs::read(path).expect("read corpus file");
    if !path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"))
    {
        return raw;
    }
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(&raw[..])
        .read_to_end(&mut out)
        .expect("gunzip corpus file");
    out
}

/// The counts `N <what>` (e.g. `12 trkpt`, `3 Activity`) that MANIFEST.tsv's notes give for each
/// corpus file, keyed by its path relative to the corpus; a file whose notes name none is absent.
pub fn manifest_counts(what: &str) -> std::collections::HashMap<String, usize> {
    let dir = corpus_dir().expect("corpus");
    let text = std::fs::read_to_string(dir.join("MANIFEST.tsv")).expect("MANIFEST.tsv");
    let mut m = std::collections::HashMap::new();
    for line in text.lines() {
        let cols: Vec<&str> = line.split('\t').collect();
        let Some(notes) = cols.get(6) else {
            continue;
        };
        for w in notes.split([';', ',']) {
            if let Some(n) = w.trim().strip_suffix(what).and_then(|n| {
                n.strip_suffix(' ')
                    .and_then(|n| n.trim().parse::<usize>().ok())
            }) {
                m.insert(cols[0].to_string(), n);
            }
        }
    }
    m
}
