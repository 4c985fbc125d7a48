//! Decoding throughput per format and end to end, on the shared corpus (or the fixtures when it
//! is absent): `cargo bench --bench decode`. Criterion reports MB/s for each group; `fit` runs
//! patella's decoder and the fitparser-based reader on the same files, `gpx` patella's reader and
//! the `gpx` crate, side by side.

use std::path::{Path, PathBuf};

use ::gpx as gpx_crate;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use patella::analysis::{self, Settings, WeekStart};
use patella::ingest::{self, fit, gpx, tcx, Limits};

fn root() -> PathBuf {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if corpus.is_dir() {
        corpus
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
    }
}

/// (name, bytes) of the files under `dir` ending in `ext` (case-insensitive, not gzipped).
fn files(dir: &Path, ext: &str) -> Vec<(String, Vec<u8>)> {
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
            } else if p
                .extension()
                .is_some_and(|x| x.to_string_lossy().eq_ignore_ascii_case(ext))
            {
                out.push((p.display().to_string(), std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

fn bytes(set: &[(String, Vec<u8>)]) -> u64 {
    set.iter().map(|(_, b)| b.len() as u64).sum()
}

fn formats(c: &mut Criterion) {
    let root = root();
    let fits = files(&root, "fit");
    let mut g = c.benchmark_group("fit");
    g.sample_size(10)
        .throughput(Throughput::Bytes(bytes(&fits)));
    g.bench_function("patella", |b| {
        b.iter(|| {
            for (name, data) in &fits {
                let _ = std::hint::black_box(fit::read(data, name));
            }
        })
    });
    // The same activities through fitparser, the reference decoder.
    g.bench_function("fitparser", |b| {
        b.iter(|| {
            for (name, data) in &fits {
                let _ = std::hint::black_box(fit::reference::read(data, name));
            }
        })
    });
    g.finish();

    let gpxs = files(&root, "gpx");
    // The files the gpx crate can read, for a side-by-side on the same bytes.
    let readable: Vec<(String, Vec<u8>)> = gpxs
        .iter()
        .filter(|(_, d)| gpx_crate::read(std::io::Cursor::new(d)).is_ok())
        .cloned()
        .collect();
    let mut g = c.benchmark_group("gpx");
    g.sample_size(10)
        .throughput(Throughput::Bytes(bytes(&readable)));
    g.bench_function("patella", |b| {
        b.iter(|| {
            for (name, data) in &readable {
                let _ = std::hint::black_box(gpx::read(data, name));
            }
        })
    });
    g.bench_function("gpx crate", |b| {
        b.iter(|| {
            for (_, data) in &readable {
                let _ = std::hint::black_box(gpx_crate::read(std::io::Cursor::new(data)));
            }
        })
    });
    g.finish();

    let tcxs = files(&root, "tcx");
    let mut g = c.benchmark_group("tcx");
    g.sample_size(10)
        .throughput(Throughput::Bytes(bytes(&tcxs)));
    g.bench_function("patella", |b| {
        b.iter(|| {
            for (name, data) in &tcxs {
                let _ = std::hint::black_box(tcx::read(data, name));
            }
        })
    });
    g.finish();
}

fn end_to_end(c: &mut Criterion) {
    let root = root();
    let settings = Settings::new(chrono_tz::UTC, WeekStart::Mon);
    let fit_paths: Vec<PathBuf> = files(&root, "fit")
        .into_iter()
        .map(|(name, _)| PathBuf::from(name))
        .collect();
    let fit_bytes: Vec<Vec<u8>> = fit_paths
        .iter()
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    let mut g = c.benchmark_group("fit_end_to_end");
    g.sample_size(10).throughput(Throughput::Bytes(
        fit_bytes.iter().map(|b| b.len() as u64).sum(),
    ));
    // The whole job on the FIT files: read from disk, decode, summarise, weeks, findings.
    g.bench_function("patella analyse", |b| {
        b.iter(|| {
            let loaded = ingest::read_paths(&fit_paths, &Limits::default());
            let result = analysis::analyse(&loaded.activities, loaded.skipped, &settings);
            std::hint::black_box(result.map(|r| r.findings.len()))
        })
    });
    // The baseline: fitparser alone decoding the same bytes (already in memory).
    g.bench_function("fitparser decode", |b| {
        b.iter(|| {
            for data in &fit_bytes {
                let _ = std::hint::black_box(fitparser::from_bytes(data));
            }
        })
    });
    g.finish();

    let mut g = c.benchmark_group("corpus_end_to_end");
    g.sample_size(10);
    g.bench_function("load + analyse", |b| {
        b.iter(|| {
            let loaded = ingest::read_paths(std::slice::from_ref(&root), &Limits::default());
            let result = analysis::analyse(&loaded.activities, loaded.skipped, &settings);
            std::hint::black_box(result.map(|r| r.findings.len()))
        })
    });
    g.finish();
}

criterion_group!(benches, formats, end_to_end);
criterion_main!(benches);
