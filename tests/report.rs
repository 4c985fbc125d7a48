//! The report a runner opens: files written atomically, tables that read back, charts that
//! render in a real browser.

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use assert_cmd::Command;
use polars::prelude::*;
use serde_json::Value;

fn demo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo")
}

fn patella() -> Command {
    Command::cargo_bin("patella").unwrap()
}

/// Writes the demo report into `out` and returns the JSON of the same run.
fn report(out: &Path, athlete: &str) -> Value {
    let result = patella()
        .args([
            "analyse",
            "--json",
            "--tz",
            "America/New_York",
            "--athlete",
            athlete,
            "--out",
        ])
        .arg(out)
        .arg(demo())
        .output()
        .unwrap();
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    serde_json::from_slice(&result.stdout).unwrap()
}

#[test]
fn writes_every_file_and_no_leftovers() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("report");
    report(&out, "Ada");
    for f in [
        "index.html",
        "runs.csv",
        "weeks.csv",
        "findings.csv",
        "runs.parquet",
        "charts/weekly-km.svg",
        "charts/load.svg",
        "charts/cadence.svg",
        "charts/cadence-distribution.svg",
        "charts/descent.svg",
        "charts/long-runs.svg",
    ] {
        let p = out.join(f);
        assert!(p.is_file(), "{f} missing");
        assert!(std::fs::metadata(&p).unwrap().len() > 0, "{f} empty");
    }
    // Nothing but the report beside it: the temporary folder was moved into place.
    let names: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["report"]);

    let page = std::fs::read_to_string(out.join("index.html")).unwrap();
    for needle in [
        "Knee-risk report: Ada",
        "Events in the 14 days before 2025-04-28",
        "id=\"habits\"",
        "strength-gap",
        "<h3>Perform",
        "<h3>Restore",
        "single-run-spike",
        "id=\"chart-weekly\"",
        "id=\"chart-long-runs\"",
        "Data quality",
        "When to see a clinician",
    ] {
        assert!(page.contains(needle), "index.html lacks {needle}");
    }
    // Self-contained: no script, nothing fetched (the SVG namespace URI is a name, not a fetch).
    for fetch in [
        "<script",
        "<link",
        "src=\"http",
        "href=\"http",
        "url(http",
        "@import",
    ] {
        assert!(!page.contains(fetch), "index.html has {fetch}");
    }

    // A second run replaces the report in place.
    report(&out, "Ada");
    let names: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["report"]);
}

#[test]
fn refuses_to_write_inside_an_input_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("watch");
    std::fs::create_dir(&input).unwrap();
    std::fs::copy(
        demo().join("2025-03-06-run.fit"),
        input.join("2025-03-06-run.fit"),
    )
    .unwrap();
    let result = patella()
        .args(["analyse", "--tz", "UTC", "--out"])
        .arg(input.join("report"))
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(result.status.code(), Some(2));
    let err = String::from_utf8_lossy(&result.stderr);
    assert!(err.contains("which patella reads"), "{err}");
    assert_eq!(std::fs::read_dir(&input).unwrap().count(), 1);
}

#[test]
fn csv_has_units_in_names_and_an_athlete_column() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("r");
    let doc = report(&out, "Ada");
    let mut runs = csv::Reader::from_path(out.join("runs.csv")).unwrap();
    let header: Vec<String> = runs.headers().unwrap().iter().map(String::from).collect();
    for col in [
        "athlete",
        "source",
        "distance_km",
        "cadence_spm",
        "descent_m",
        "moving_s",
    ] {
        assert!(header.contains(&col.to_string()), "runs.csv lacks {col}");
    }
    let rows: Vec<csv::StringRecord> = runs.records().map(|r| r.unwrap()).collect();
    let counted = doc["activities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["sport"] == "running" && a["duplicate_of"].is_null())
        .count();
    assert_eq!(rows.len(), counted);
    assert!(rows.iter().all(|r| &r[0] == "Ada"));

    let mut weeks = csv::Reader::from_path(out.join("weeks.csv")).unwrap();
    assert_eq!(
        weeks.records().count(),
        doc["weeks"].as_array().unwrap().len()
    );
    let mut findings = csv::Reader::from_path(out.join("findings.csv")).unwrap();
    assert_eq!(
        findings.records().count(),
        doc["findings"].as_array().unwrap().len()
    );
}

#[test]
fn parquet_reads_back_as_the_json_says() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("r");
    let doc = report(&out, "");
    let file = std::fs::File::open(out.join("runs.parquet")).unwrap();
    let df = ParquetReader::new(file).finish().unwrap();
    let runs: Vec<&Value> = doc["activities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["sport"] == "running" && a["duplicate_of"].is_null())
        .collect();
    assert_eq!(df.height(), runs.len());
    let ids = df.column("id").unwrap().str().unwrap();
    let km = df.column("distance_km").unwrap().f64().unwrap();
    let cadence = df.column("cadence_spm").unwrap().f64().unwrap();
    let sources = df.column("source").unwrap().str().unwrap();
    let hard = df.column("hard").unwrap().bool().unwrap();
    for (i, run) in runs.iter().enumerate() {
        assert_eq!(ids.get(i), run["id"].as_str());
        assert_eq!(sources.get(i), run["source"].as_str());
        let json_km = run["distance_m"].as_f64().unwrap() / 1000.0;
        assert!((km.get(i).unwrap() - json_km).abs() < 1e-9);
        assert_eq!(cadence.get(i), run["cadence_spm"].as_f64());
        assert_eq!(hard.get(i), run["hard"]["hard"].as_bool());
    }
}

/// Debian's Chromium, where installed (`.ci/run` installs it).
fn chromium() -> Option<PathBuf> {
    for p in ["/usr/bin/chromium", "/usr/bin/chromium-browser"] {
        if Path::new(p).exists() {
            return Some(PathBuf::from(p));
        }
    }
    assert!(
        std::env::var_os("PATELLA_REQUIRE_BROWSER").is_none(),
        "PATELLA_REQUIRE_BROWSER is set but chromium is not installed"
    );
    eprintln!("chromium not installed: browser test skipped");
    None
}

fn headless(chromium: &Path, profile: &Path) -> Process {
    let mut cmd = Process::new(chromium);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    cmd
}

#[test]
fn charts_render_in_a_real_browser() {
    let Some(chromium) = chromium() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("r");
    report(&out, "");
    // A copy of the page with a probe that records each chart's rendered size and any error
    // (the report itself carries no script).
    let page = std::fs::read_to_string(out.join("index.html")).unwrap();
    let probe = r#"<script>
window.__errors = [];
window.addEventListener('error', e => window.__errors.push(String(e.message || e.type)), true);
window.addEventListener('load', () => {
  const sizes = [...document.querySelectorAll('figure.chart svg')].map(s => {
    const r = s.getBoundingClientRect();
    return s.closest('figure').id + ':' + Math.round(r.width) + 'x' + Math.round(r.height);
  });
  const out = document.createElement('pre');
  out.id = 'probe';
  out.textContent = JSON.stringify({sizes, errors: window.__errors});
  document.body.appendChild(out);
});
</script>"#;
    let probed = page.replacen("</head>", &format!("{probe}</head>"), 1);
    let probe_page = out.join("probe.html");
    std::fs::write(&probe_page, probed).unwrap();

    let dom = headless(&chromium, &tmp.path().join("profile"))
        .args(["--virtual-time-budget=5000", "--dump-dom"])
        .arg(format!("file://{}", probe_page.display()))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&dom.stdout);
    let start = text
        .find("<pre id=\"probe\">")
        .expect("probe output in the DOM")
        + 16;
    let end = start + text[start..].find("</pre>").unwrap();
    let probe: Value = serde_json::from_str(&text[start..end].replace("&quot;", "\"")).unwrap();
    let sizes: Vec<String> = probe["sizes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect();
    assert_eq!(sizes.len(), 6, "{sizes:?}");
    for s in &sizes {
        let (_, wh) = s.split_once(':').unwrap();
        let (w, h) = wh.split_once('x').unwrap();
        let (w, h): (u32, u32) = (w.parse().unwrap(), h.parse().unwrap());
        assert!(w > 100 && h > 50, "chart too small: {s}");
    }
    assert_eq!(probe["errors"], serde_json::json!([]), "page errors");
    // The browser's own log: nothing at error level about the page.
    let log = String::from_utf8_lossy(&dom.stderr);
    assert!(
        !log.lines()
            .any(|l| l.contains("CONSOLE") && l.contains("ERROR")),
        "{log}"
    );

    // A screenshot for people to look at (kept when PATELLA_SCREENSHOT names a file).
    if let Some(shot) = std::env::var_os("PATELLA_SCREENSHOT") {
        let status = headless(&chromium, &tmp.path().join("profile2"))
            .args(["--window-size=1100,5200", "--virtual-time-budget=3000"])
            .arg(format!("--screenshot={}", PathBuf::from(shot).display()))
            .arg(format!("file://{}", out.join("index.html").display()))
            .output()
            .unwrap();
        assert!(status.status.success());
    }
}

#[test]
fn a_folder_without_runs_still_gets_a_report() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("rides");
    std::fs::create_dir(&input).unwrap();
    let ride = patella::synth::simulate(&patella::synth::RunPlan {
        start_utc: "2025-03-04T07:00:00Z".parse().unwrap(),
        sport: patella::model::Sport::Cycling,
        distance_m: 20_000.0,
        pace_s_per_km: 120.0,
        ..patella::synth::RunPlan::default()
    });
    std::fs::write(input.join("ride.fit"), patella::synth::to_fit(&ride)).unwrap();
    let out = tmp.path().join("r");
    let result = patella()
        .args(["analyse", "--tz", "UTC", "--out"])
        .arg(&out)
        .arg(&input)
        .output()
        .unwrap();
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let text = String::from_utf8_lossy(&result.stdout);
    assert!(
        text.starts_with("0 runs, 0.0 km; 1 other activities"),
        "{text}"
    );
    let page = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(page.contains("<b>0</b> runs, <b>0.0</b> km"), "headline");
    assert_eq!(
        page.matches(">no data<").count(),
        6,
        "every chart says it has no data"
    );
    let mut runs = csv::Reader::from_path(out.join("runs.csv")).unwrap();
    assert_eq!(runs.records().count(), 0);
}

/// Every file under `dir` with its bytes, for before/after comparisons.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                out.push((p.clone(), Vec::new()));
                stack.push(p);
            } else {
                out.push((p.clone(), std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn out_never_replaces_a_folder_patella_did_not_write() {
    let tmp = tempfile::tempdir().unwrap();
    // A user's folder: one text file and a sub-folder.
    let documents = tmp.path().join("Documents");
    std::fs::create_dir_all(documents.join("letters")).unwrap();
    std::fs::write(documents.join("notes.txt"), "do not lose me\n").unwrap();
    std::fs::write(documents.join("letters/a.txt"), "dear knee\n").unwrap();
    let before = snapshot(&documents);
    let file = tmp.path().join("plain-file");
    std::fs::write(&file, "a file, not a folder").unwrap();
    for (cmd, target) in [
        ("analyse", &documents),
        ("watch", &documents),
        ("analyse", &file),
    ] {
        let mut command = patella();
        command.args([cmd, "--tz", "UTC", "--out"]).arg(target);
        if cmd == "watch" {
            command.arg(demo());
        } else {
            command.args(["--no-store"]).arg(demo());
        }
        let result = command
            .timeout(std::time::Duration::from_secs(60))
            .output()
            .unwrap();
        assert_eq!(result.status.code(), Some(2), "{cmd} {}", target.display());
        let err = String::from_utf8_lossy(&result.stderr);
        assert_eq!(
            err.trim_end(),
            format!(
                "patella: refusing to replace {}: it is not a patella report (choose another \
                 folder or remove it yourself)",
                target.display()
            ),
            "{cmd}"
        );
        assert!(
            result.stdout.is_empty(),
            "{cmd}: nothing analysed before the refusal"
        );
    }
    assert_eq!(
        snapshot(&documents),
        before,
        "the folder is byte for byte as it was"
    );
    assert_eq!(std::fs::read(&file).unwrap(), b"a file, not a folder");
    // Nothing was left beside them either.
    let mut names: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["Documents", "plain-file"]);
}

#[test]
fn out_takes_an_empty_folder_and_replaces_only_its_own_files() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("empty");
    std::fs::create_dir(&out).unwrap();
    report(&out, "");
    assert!(out.join("index.html").is_file());
    let marker = std::fs::read_to_string(out.join(patella::report::MARKER)).unwrap();
    assert!(marker.starts_with("patella report\n"), "{marker}");
    // An earlier report, with a file someone dropped into it: patella's files are replaced, the
    // other file stays.
    std::fs::write(out.join("stray.txt"), "x").unwrap();
    report(&out, "");
    assert_eq!(std::fs::read(out.join("stray.txt")).unwrap(), b"x");
    assert!(out.join(patella::report::MARKER).is_file());
    // A marker that does not say it is one does not count.
    std::fs::write(out.join(patella::report::MARKER), "something else").unwrap();
    let result = patella()
        .args(["analyse", "--tz", "UTC", "--no-store", "--out"])
        .arg(&out)
        .arg(demo())
        .output()
        .unwrap();
    assert_eq!(result.status.code(), Some(2));
    assert!(out.join("index.html").is_file());
}

#[test]
fn csv_cells_from_files_never_start_a_formula() {
    let tmp = tempfile::tempdir().unwrap();
    let runs = tmp.path().join("runs");
    std::fs::create_dir(&runs).unwrap();
    std::fs::copy(
        demo().join("2025-03-06-run.fit"),
        runs.join("=HYPERLINK(1).fit"),
    )
    .unwrap();
    let out = tmp.path().join("r");
    let result = patella()
        .args([
            "analyse",
            "--tz",
            "UTC",
            "--no-store",
            "--athlete",
            "@boss",
            "--out",
        ])
        .arg(&out)
        .arg(&runs)
        .output()
        .unwrap();
    assert!(result.status.success(), "{result:?}");
    let mut csv = csv::Reader::from_path(out.join("runs.csv")).unwrap();
    let headers = csv.headers().unwrap().clone();
    let row = csv.records().next().unwrap().unwrap();
    let cell = |name: &str| row[headers.iter().position(|h| h == name).unwrap()].to_string();
    assert_eq!(cell("athlete"), "'@boss");
    assert!(
        cell("source").starts_with('/'),
        "a path from the root needs no quote"
    );
    let findings = std::fs::read_to_string(out.join("findings.csv")).unwrap();
    for line in findings.lines().skip(1) {
        assert!(line.starts_with("'@boss,"), "{line}");
    }
    // A relative path that starts the cell is quoted.
    let rel = patella()
        .current_dir(&runs)
        .args(["analyse", "--tz", "UTC", "--no-store", "--out"])
        .arg(tmp.path().join("r2"))
        .arg("=HYPERLINK(1).fit")
        .output()
        .unwrap();
    assert!(rel.status.success(), "{rel:?}");
    let mut csv = csv::Reader::from_path(tmp.path().join("r2/runs.csv")).unwrap();
    let headers = csv.headers().unwrap().clone();
    let row = csv.records().next().unwrap().unwrap();
    let source = &row[headers.iter().position(|h| h == "source").unwrap()];
    assert_eq!(source, "'=HYPERLINK(1).fit");
    // Parquet keeps the text as it was.
    let file = std::fs::File::open(tmp.path().join("r2/runs.parquet")).unwrap();
    let df = ParquetReader::new(file).finish().unwrap();
    let s = df
        .column("source")
        .unwrap()
        .str()
        .unwrap()
        .get(0)
        .unwrap()
        .to_string();
    assert_eq!(s, "=HYPERLINK(1).fit");
}

/// The demo analysed with `thresholds` in place of the defaults.
fn demo_analysis(thresholds: patella::analysis::Thresholds) -> patella::analysis::Analysis {
    use patella::analysis::{self, Settings, WeekStart};
    let loaded = patella::ingest::read_paths(&[demo()], &patella::ingest::Limits::default());
    let settings = Settings {
        thresholds,
        ..Settings::new(chrono_tz::America::New_York, WeekStart::Mon)
    };
    analysis::analyse(&loaded.activities, loaded.skipped, &settings).unwrap()
}

/// The page without its inline charts: the text around them (captions, headings, tables).
fn without_svgs(page: &str) -> String {
    let mut out = String::new();
    let mut rest = page;
    while let Some(start) = rest.find("<svg") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("</svg>").expect("a closed <svg>") + start + 6;
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[test]
fn captions_legends_and_descriptions_follow_the_thresholds() {
    use patella::analysis::Thresholds;
    use patella::report::html;
    let svg = |svgs: &[(&str, String)], id: &str| -> String {
        svgs.iter().find(|(i, _)| *i == id).unwrap().1.clone()
    };
    // The defaults first, so that the absence below means something.
    let defaults = demo_analysis(Thresholds::default());
    let (page, svgs) = (html::render(&defaults, ""), html::chart_svgs(&defaults));
    assert!(without_svgs(&page).contains("marks: 110 % of the longest run"));
    assert!(without_svgs(&page).contains("the line marks 170 spm"));
    assert!(svg(&svgs, "long-runs").contains("110 % of the longest run in the previous 30 days"));
    assert!(svg(&svgs, "cadence").contains("170 spm"));
    assert!(svg(&svgs, "load").contains("ratio 1.5 (reference)"));

    let moved = demo_analysis(Thresholds {
        single_run_spike_ratio: 1.25,
        low_cadence_spm: 165.0,
        acwr_high: 1.7,
        ..Thresholds::default()
    });
    let (page, svgs) = (html::render(&moved, ""), html::chart_svgs(&moved));
    let text = without_svgs(&page);
    assert!(text.contains("marks: 125 % of the longest run"), "caption");
    assert!(text.contains("the line marks 165 spm"), "caption");
    let long_runs = svg(&svgs, "long-runs");
    assert_eq!(
        long_runs
            .matches("125 % of the longest run in the previous 30 days")
            .count(),
        2,
        "legend and aria label"
    );
    for id in ["cadence", "cadence-distribution"] {
        let s = svg(&svgs, id);
        assert!(s.contains(">\n165 spm\n</text>"), "{id}: the line's label");
        assert!(s.contains("reference line at 165 spm"), "{id}: aria label");
    }
    let load = svg(&svgs, "load");
    assert!(load.contains("ratio 1.7 (reference)"), "legend");
    assert!(
        load.contains("dashed reference at a ratio of 1.7"),
        "aria label"
    );
    for (what, doc) in
        std::iter::once(("index.html", &page)).chain(svgs.iter().map(|(i, s)| (*i, s)))
    {
        for stale in ["110 %", "170 spm", "ratio 1.5"] {
            assert!(!doc.contains(stale), "{what} still says {stale}");
        }
    }
}

#[test]
fn markup_in_names_never_reaches_the_page_or_a_chart_unescaped() {
    let tmp = tempfile::tempdir().unwrap();
    let runs = tmp.path().join("runs");
    std::fs::create_dir(&runs).unwrap();
    // A run, and a file that is no activity (it is listed as skipped), both named with markup.
    std::fs::copy(
        demo().join("2025-03-06-run.fit"),
        runs.join("<script>alert(\"run\")<script>.fit"),
    )
    .unwrap();
    std::fs::write(runs.join("<script>bad&.fit"), b"not a FIT file").unwrap();
    let out = tmp.path().join("r");
    let result = patella()
        .args(["analyse", "--tz", "UTC", "--no-store", "--athlete"])
        .arg("<script>alert('athlete')</script>")
        .arg("--out")
        .arg(&out)
        .arg(&runs)
        .output()
        .unwrap();
    assert!(result.status.success(), "{result:?}");
    let page = std::fs::read_to_string(out.join("index.html")).unwrap();
    for escaped in [
        "<title>Knee-risk report: &lt;script&gt;alert('athlete')&lt;/script&gt; — patella</title>",
        "<h1>Knee-risk report: &lt;script&gt;alert('athlete')&lt;/script&gt;</h1>",
        "&lt;script&gt;alert(&quot;run&quot;)&lt;script&gt;.fit</td>",
        "&lt;script&gt;bad&amp;.fit: ",
    ] {
        assert!(page.contains(escaped), "index.html lacks {escaped}");
    }
    let charts: Vec<(String, String)> = std::fs::read_dir(out.join("charts"))
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (
                p.display().to_string(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    assert_eq!(charts.len(), 6);
    for (name, doc) in std::iter::once(("index.html".to_string(), page)).chain(charts) {
        for raw in ["<script", "alert(\"run\")", "bad&."] {
            assert!(!doc.contains(raw), "{name} holds {raw} unescaped");
        }
    }
}

#[test]
fn the_report_folder_is_what_its_renderers_give_and_the_stdout_outputs_are_one_file_each() {
    use patella::analysis::Thresholds;
    use patella::report::{self, json::Json, terminal::Terminal, RenderContext, MARKER, REPORT};
    let analysis = demo_analysis(Thresholds::default());
    let ctx = RenderContext::new("Ann");
    let mut given: Vec<(PathBuf, Vec<u8>)> = REPORT
        .iter()
        .flat_map(|r| r.render(&analysis, &ctx).unwrap())
        .map(|a| (PathBuf::from(a.name), a.bytes))
        .collect();
    given.sort();
    let names: Vec<String> = given.iter().map(|(p, _)| p.display().to_string()).collect();
    for name in [
        "index.html",
        "charts/weekly-km.svg",
        "charts/long-runs.svg",
        "runs.csv",
        "weeks.parquet",
        "findings.parquet",
    ] {
        assert!(names.iter().any(|n| n == name), "{name} in {names:?}");
    }
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("report");
    report::write_report(&analysis, &out, &ctx).unwrap();
    let mut written: Vec<(PathBuf, Vec<u8>)> = snapshot(&out)
        .into_iter()
        .filter(|(p, _)| !p.is_dir())
        .map(|(p, bytes)| (p.strip_prefix(&out).unwrap().to_path_buf(), bytes))
        .collect();
    let marker = written
        .iter()
        .position(|(p, _)| p == Path::new(MARKER))
        .expect("marker written");
    written.remove(marker);
    assert_eq!(
        written, given,
        "the folder holds exactly what the renderers give"
    );
    // The page shows the charts it writes beside it.
    let page = &given
        .iter()
        .find(|(p, _)| p == Path::new("index.html"))
        .unwrap()
        .1;
    let page = std::str::from_utf8(page).unwrap();
    let weekly = &given
        .iter()
        .find(|(p, _)| p == Path::new("charts/weekly-km.svg"))
        .unwrap()
        .1;
    assert!(page.contains(std::str::from_utf8(weekly).unwrap().trim()));

    for (renderer, name) in [
        (&Json as &dyn report::Render, "analysis.json"),
        (&Terminal, "summary.txt"),
    ] {
        let files = renderer.render(&analysis, &ctx).unwrap();
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].name, name);
        let text = report::render_text(renderer, &analysis, &ctx).unwrap();
        assert_eq!(text.as_bytes(), files[0].bytes.as_slice());
    }
    let doc: Value =
        serde_json::from_str(&report::render_text(&Json, &analysis, &ctx).unwrap()).unwrap();
    assert_eq!(doc["schema"], "patella/1");
    assert_eq!(
        doc["activities"].as_array().unwrap().len(),
        analysis.activities.len()
    );
}
