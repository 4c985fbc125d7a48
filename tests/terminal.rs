//! The terminal summary on a long history: a generated ten years of one runner (3,000 runs and
//! the strength sessions between them) fits a screen by default, opening with the outlook; the
//! flags widen it; colour only when asked for.

use rayon::prelude::*;

use patella::analysis::{self, Analysis, Settings, WeekStart};
use patella::report::terminal::{render, render_view, View};
use patella::synth::{history, simulate};

fn ten_years() -> Analysis {
    let plans = history(3000, 7);
    // Each activity's samples are dropped once its extract is made, as the pipeline does.
    let extracts: Vec<analysis::Extract> = plans
        .par_iter()
        .map(|p| analysis::extract(&simulate(p)))
        .collect();
    let settings = Settings::new(chrono_tz::Europe::Berlin, WeekStart::Mon);
    analysis::analyse_extracts(&extracts, Vec::new(), &settings).unwrap()
}

#[test]
fn ten_years_fit_a_screen_and_the_flags_widen_it() {
    let a = ten_years();
    assert_eq!(a.runs().count(), 3000);
    assert!(a.weeks.len() > 500, "{} weeks", a.weeks.len());
    let text = render(&a);
    let lines = text.lines().count();
    eprintln!("{text}");
    eprintln!("{lines} lines");
    assert!(lines <= 80, "{lines} lines");
    assert!(text.starts_with("This week ("), "{text}");
    assert!(!text.contains('\x1b'), "no colour by default");
    // The weeks table holds the last 12 weeks, the first of them named in the header.
    let weeks = text
        .lines()
        .filter(|l| l.starts_with("  20") && l.contains("-W"))
        .count();
    assert_eq!(weeks, 12, "{text}");
    assert!(text.contains("Showing the last 12 weeks, from "));

    // --all lists every week; --runs every run of the window; --since from a day.
    let all = render_view(
        &a,
        &View {
            all: true,
            ..View::default()
        },
    );
    assert!(
        all.lines().count() > a.weeks.len(),
        "--all lists every week"
    );
    let with_runs = render_view(
        &a,
        &View {
            runs: true,
            ..View::default()
        },
    );
    let section = |text: &str, heading: &str| -> usize {
        text.lines()
            .skip_while(|l| *l != heading)
            .skip(2)
            .take_while(|l| !l.is_empty())
            .count()
    };
    // About 5 runs a week over 12 weeks, each on its own line.
    let listed_runs = section(&with_runs, "Runs");
    assert!((50..=80).contains(&listed_runs), "{listed_runs}");
    assert_eq!(section(&text, "Runs"), 0, "no runs without --runs");
    let since = a.weeks[a.weeks.len() - 30].start;
    let from = render_view(
        &a,
        &View {
            since: Some(since),
            ..View::default()
        },
    );
    assert!(from.contains(&format!("Showing from {since}")));
    let weeks_from = from
        .lines()
        .filter(|l| l.starts_with("  20") && l.contains("-W"))
        .count();
    assert!(weeks_from >= 29, "{weeks_from}");
    // Colour only when the view asks for it (a terminal without NO_COLOR).
    let coloured = render_view(
        &a,
        &View {
            colour: true,
            ..View::default()
        },
    );
    assert!(coloured.contains("\x1b[1m"));
    assert_eq!(coloured.lines().count(), lines);

    // The report keeps everything but opens with the outlook and the last 12 weeks; what came
    // before sits below in <details>, without a script.
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("report");
    patella::report::write_report(&a, &dir, &patella::report::RenderContext::new("")).unwrap();
    let html = std::fs::read_to_string(dir.join("index.html")).unwrap();
    assert!(!html.contains("<script"));
    let this_week = html.find("This week").unwrap();
    let findings = html.find("id=\"findings\"").unwrap();
    assert!(this_week < findings, "the outlook opens the page");
    for older in ["Older events: ", "Older runs: ", "Older weeks: "] {
        assert!(html.contains(older), "{older} missing");
    }
    let details = html.matches("<details>").count();
    assert_eq!(details, 3);
    // Every run is on the page: the recent ones open, the others inside <details>.
    let rows = html.matches("<tr><td class=\"l\">20").count();
    assert!(rows >= 3000 + a.weeks.len(), "{rows} rows");
}
