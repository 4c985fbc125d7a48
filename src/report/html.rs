//! `index.html`: one self-contained page (inline CSS, inline SVG charts, no script, nothing
//! fetched) that a runner opens offline and reads without a manual.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::analysis::load::{ACUTE_DAYS, CHRONIC_DAYS, SPIKE_LOOKBACK_DAYS};
use crate::analysis::run::DOWNHILL_GRADE;
use crate::analysis::{ActivitySummary, Analysis, ElevationMethod, Finding, Phase, Rule, Severity};
use crate::report::charts::{self, CadenceRun, DescentWeek, LoadDay, LongRun, WeekBar};
use crate::report::format::{esc, hms, number, pace, ratio_pct, value_words};

/// Escapes text for HTML (strings from files included).
const CSS: &str = r#"
:root { --ink: #1d2430; --muted: #5b6473; --line: #d9dee6; --bg: #f6f7f9;
        --high: #b3261e; --moderate: #b86e00; --info: #2f5d9b; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: var(--ink); background: var(--bg); }
main { max-width: 1000px; margin: 0 auto; padding: 24px 16px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 36px 0 12px; border-bottom: 2px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 16px; margin: 20px 0 6px; }
.sub { color: var(--muted); margin: 0 0 16px; }
.counts { display: flex; gap: 12px; flex-wrap: wrap; margin: 12px 0; }
.count { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 8px 14px; }
.count b { font-size: 20px; margin-right: 6px; }
.finding { background: #fff; border: 1px solid var(--line); border-left: 6px solid var(--info);
           border-radius: 6px; padding: 10px 14px; margin: 10px 0; }
.finding.high { border-left-color: var(--high); }
.finding.moderate { border-left-color: var(--moderate); }
.badge { display: inline-block; font-size: 12px; font-weight: 600; text-transform: uppercase;
         letter-spacing: .04em; padding: 1px 8px; border-radius: 10px; color: #fff;
         background: var(--info); margin-right: 8px; }
.badge.high { background: var(--high); } .badge.moderate { background: var(--moderate); }
.code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 13px; }
.when { color: var(--muted); margin-left: 8px; }
.finding p { margin: 6px 0 0; }
.finding ul { margin: 6px 0 0; padding-left: 18px; }
.finding li { margin: 3px 0; }
.meta { color: var(--muted); font-size: 13px; }
.todo { font-weight: 600; }
figure { background: #fff; border: 1px solid var(--line); border-radius: 6px; margin: 12px 0;
         padding: 10px; }
figure svg { display: block; width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 6px; }
table { border-collapse: collapse; width: 100%; background: #fff; font-size: 13px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: right; white-space: nowrap; }
th { background: #eef1f5; position: sticky; top: 0; }
td.l, th.l { text-align: left; }
.scroll { overflow-x: auto; border: 1px solid var(--line); border-radius: 6px; }
ul { margin: 6px 0; }
footer { color: var(--muted); font-size: 13px; margin-top: 40px; }
"#;

fn opt(v: Option<f64>, decimals: usize) -> String {
    v.filter(|v| v.is_finite())
        .map_or("–".into(), |v| format!("{v:.decimals$}"))
}

/// The data behind each chart, taken from the analysis (shared with the snapshot tests).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ChartData {
    pub weeks: Vec<WeekBar>,
    pub load: Vec<LoadDay>,
    pub cadence: Vec<CadenceRun>,
    pub descent: Vec<DescentWeek>,
    pub long_runs: Vec<LongRun>,
}

/// Selects the chart series from the analysis.
pub fn chart_data(a: &Analysis) -> ChartData {
    let runs: Vec<&ActivitySummary> = a.runs().collect();
    ChartData {
        weeks: a
            .weeks
            .iter()
            .map(|w| WeekBar {
                label: w.week.clone(),
                start: w.start,
                run_km: w.run_km,
                change_pct: w.change_pct,
                long_run_km: w.long_run_km,
                complete: w.complete,
            })
            .collect(),
        load: a
            .days
            .iter()
            .map(|d| LoadDay {
                date: d.date,
                acute_km: d.acute_km,
                chronic_km: d.chronic_km,
                acwr: d.acwr,
            })
            .collect(),
        cadence: runs
            .iter()
            .filter_map(|r| {
                let c = r.metrics.as_ref()?.cadence.as_ref()?;
                Some(CadenceRun {
                    date: r.local_date,
                    median_spm: c.median_spm,
                    p10_spm: Some(c.p10_spm),
                    p90_spm: Some(c.p90_spm),
                    moving_min: r.moving_s / 60.0,
                })
            })
            .collect(),
        descent: a
            .weeks
            .iter()
            .map(|w| DescentWeek {
                label: w.week.clone(),
                start: w.start,
                descent_m: w.descent_m,
                downhill_km: w.downhill_km,
            })
            .collect(),
        long_runs: a
            .longest
            .iter()
            .map(|c| LongRun {
                date: c.date,
                distance_km: c.distance_km,
                limit_km: c.limit_km,
                over_limit: c.over_limit,
            })
            .collect(),
    }
}

/// Renders the page. `athlete` may be empty.
pub fn render(a: &Analysis, athlete: &str) -> String {
    let mut h = String::new();
    let runs: Vec<&ActivitySummary> = a.runs().collect();
    let km = a.run_km();
    let (first, last) = (
        a.weeks.first().map(|w| w.start),
        a.weeks.last().map(|w| w.start + chrono::Days::new(6)),
    );
    let span = match (first, last) {
        (Some(f), Some(l)) => format!("{f} to {l}"),
        _ => "no runs".into(),
    };
    let title = if athlete.is_empty() {
        "Knee-risk report".to_string()
    } else {
        format!("Knee-risk report: {}", esc(athlete))
    };
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title} — patella</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
    );
    let _ = writeln!(h, "<h1>{title}</h1>");
    let _ = writeln!(
        h,
        "<p class=\"sub\">Training block {span}: <b>{}</b> runs, <b>{km:.1}</b> km over {} weeks.</p>",
        runs.len(),
        a.weeks.len()
    );
    let count = |s: Severity| a.findings.iter().filter(|f| f.severity == s).count();
    let _ = writeln!(
        h,
        "<div class=\"counts\"><div class=\"count\"><b>{}</b>high</div>\
         <div class=\"count\"><b>{}</b>moderate</div><div class=\"count\"><b>{}</b>info</div></div>",
        count(Severity::High),
        count(Severity::Moderate),
        count(Severity::Info)
    );
    let _ = writeln!(
        h,
        "<p class=\"meta\">patella reads training-load signals from your own files; it does not \
         diagnose. Each finding says how strong its evidence is.</p>"
    );

    findings_section(&mut h, a);
    charts_section(&mut h, a);
    runs_section(&mut h, &runs);
    weeks_section(&mut h, a);
    quality_section(&mut h, a);

    let _ = writeln!(
        h,
        "<h2 id=\"clinician\">When to see a clinician rather than a tool</h2>\n<ul>\
         <li>pain that grows more frequent or more intense</li>\
         <li>pain that changes the way you run or walk</li>\
         <li>pain on stairs or when sitting</li>\
         <li>swelling</li>\
         <li>a knee that catches, or that you do not trust with load</li>\
         <li>symptoms that do not settle after backing off</li></ul>"
    );
    let _ = writeln!(
        h,
        "<footer>Made by patella {} from {} files; thresholds as listed in the JSON output \
         (<code>--json</code>).</footer>\n</main>\n</body>\n</html>",
        env!("CARGO_PKG_VERSION"),
        a.activities.len() + a.skipped.len()
    );
    h
}

fn findings_section(h: &mut String, a: &Analysis) {
    let _ = writeln!(h, "<h2 id=\"findings\">Findings</h2>");
    if a.findings.is_empty() {
        let _ = writeln!(h, "<p>No pattern in this block crossed a threshold.</p>");
        return;
    }
    for phase in [Phase::Prime, Phase::Perform, Phase::Restore] {
        // One card per code: its occurrences listed, most severe codes first.
        let mut codes: Vec<(Rule, Vec<&Finding>)> = Vec::new();
        for f in a.findings.iter().filter(|f| f.phase == phase) {
            match codes.iter_mut().find(|(c, _)| *c == f.code) {
                Some((_, list)) => list.push(f),
                None => codes.push((f.code, vec![f])),
            }
        }
        if codes.is_empty() {
            continue;
        }
        let top = |list: &[&Finding]| list.iter().map(|f| f.severity).max();
        codes.sort_by(|x, y| {
            top(&y.1)
                .cmp(&top(&x.1))
                .then(x.1[0].date.cmp(&y.1[0].date))
        });
        let blurb = match phase {
            Phase::Prime => "preparing before impact",
            Phase::Perform => "how the runs are done and dosed",
            Phase::Restore => "recovery between loads",
        };
        let _ = writeln!(
            h,
            "<h3>{} <span class=\"meta\">— {blurb}</span></h3>",
            phase.title()
        );
        for (code, mut list) in codes {
            list.sort_by(|x, y| y.severity.cmp(&x.severity).then(x.date.cmp(&y.date)));
            let sev = top(&list).unwrap_or(Severity::Info).word();
            let times = if list.len() == 1 {
                String::new()
            } else {
                format!("{} times", list.len())
            };
            let _ = writeln!(
                h,
                "<div class=\"finding {sev}\"><span class=\"badge {sev}\">{sev}</span>\
                 <span class=\"code\">{code}</span><span class=\"when\">{times}</span><ul>"
            );
            for f in &list {
                let when = f
                    .date
                    .map(|d| d.to_string())
                    .or_else(|| f.week.clone())
                    .unwrap_or_default();
                let _ = writeln!(
                    h,
                    "<li><b>{}</b> {} <span class=\"meta\">({}{})</span></li>",
                    esc(&when),
                    esc(&f.message),
                    esc(&value_words(f)),
                    if list.iter().any(|g| g.severity != f.severity) {
                        format!("; {}", f.severity.word())
                    } else {
                        String::new()
                    }
                );
            }
            let _ = writeln!(
                h,
                "</ul><p class=\"meta\">Evidence: {}.</p><p class=\"todo\">{}</p></div>",
                esc(list[0].evidence),
                esc(code.info().advice)
            );
        }
    }
}

fn figure(h: &mut String, id: &str, title: &str, svg: &str, caption: &str) {
    let _ = writeln!(
        h,
        "<figure id=\"{id}\" class=\"chart\"><h3>{title}</h3>{svg}<figcaption>{caption}</figcaption></figure>"
    );
}

/// Every chart of the report as (id, SVG), in page order.
pub fn chart_svgs(a: &Analysis) -> Vec<(&'static str, String)> {
    let d = chart_data(a);
    vec![
        ("weekly-km", charts::weekly_km(&d.weeks)),
        ("load", charts::load(&d.load, a.thresholds.acwr_high)),
        (
            "cadence",
            charts::cadence(&d.cadence, a.thresholds.low_cadence_spm),
        ),
        (
            "cadence-distribution",
            charts::cadence_distribution(&a.cadence_distribution, a.thresholds.low_cadence_spm),
        ),
        ("descent", charts::descent(&d.descent)),
        (
            "long-runs",
            charts::long_runs(&d.long_runs, a.thresholds.single_run_spike_ratio),
        ),
    ]
}

fn charts_section(h: &mut String, a: &Analysis) {
    let svgs: std::collections::HashMap<&str, String> = chart_svgs(a).into_iter().collect();
    let svg = |id: &str| svgs.get(id).cloned().unwrap_or_default();
    let _ = writeln!(h, "<h2 id=\"charts\">Charts</h2>");
    figure(
        h,
        "chart-weekly",
        "Weekly running distance",
        &svg("weekly-km"),
        "Bars: running km per week, with the change from the week before above each bar; the \
         mark on each bar is the week's long run. Lighter bars are weeks the data covers only in part.",
    );
    figure(
        h,
        "chart-load",
        "Acute and chronic load",
        &svg("load"),
        &format!(
            "{}-day (acute) and {}-day (chronic) exponentially weighted daily km, and their \
             ratio. The ratio is shown as context only: it comes from team sports and did not \
             predict injury in a large running cohort.",
            number(ACUTE_DAYS),
            number(CHRONIC_DAYS)
        ),
    );
    figure(
        h,
        "chart-cadence",
        "Cadence per run",
        &svg("cadence"),
        &format!(
            "Each run's median step rate (steps per minute) with its 10th–90th percentile \
             range; the line marks {} spm.",
            number(a.thresholds.low_cadence_spm)
        ),
    );
    figure(
        h,
        "chart-cadence-distribution",
        "Cadence distribution",
        &svg("cadence-distribution"),
        "Minutes of running by each run's median cadence.",
    );
    figure(
        h,
        "chart-descent",
        "Descent per week",
        &svg("descent"),
        &format!(
            "Metres of descent per week (bars) and kilometres run on grades of −{} % or \
             steeper (line).",
            number(-DOWNHILL_GRADE * 100.0)
        ),
    );
    figure(
        h,
        "chart-long-runs",
        &format!("Each run against the longest of the previous {SPIKE_LOOKBACK_DAYS} days"),
        &svg("long-runs"),
        &format!(
            "Dots: each run's distance; marks: {} of the longest run in the \
             {SPIKE_LOOKBACK_DAYS} days before it. Runs above their mark are highlighted.",
            ratio_pct(a.thresholds.single_run_spike_ratio)
        ),
    );
}

fn runs_section(h: &mut String, runs: &[&ActivitySummary]) {
    let _ = writeln!(h, "<h2 id=\"runs\">Runs</h2>");
    if runs.is_empty() {
        let _ = writeln!(h, "<p>No runs.</p>");
        return;
    }
    let _ = writeln!(
        h,
        "<div class=\"scroll\"><table><thead><tr><th class=\"l\">date</th><th>km</th><th>time</th>\
         <th>pace</th><th>cadence (spm)</th><th>ascent (m)</th><th>descent (m)</th>\
         <th>steep descent (m)</th><th>HR (bpm)</th><th>hard</th><th class=\"l\">source</th></tr></thead><tbody>"
    );
    for r in runs {
        let m = r.metrics.as_ref();
        let _ =
            writeln!(
            h,
            "<tr><td class=\"l\">{}</td><td>{:.2}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"l\">{}</td></tr>",
            r.start_local.format("%Y-%m-%d %H:%M"),
            r.distance_m / 1000.0,
            hms(r.duration_s),
            m.and_then(|m| m.mean_pace_s_per_km).map_or("–".into(), pace),
            opt(r.cadence_spm, 0),
            opt(r.ascent_m, 0),
            opt(r.descent_m, 0),
            opt(m.and_then(|m| m.grade.as_ref()).map(|g| g.descent_steep_m), 0),
            opt(m.and_then(|m| m.heart_rate.as_ref()).map(|x| x.mean_bpm), 0),
            match &r.hard {
                Some(x) if x.hard => format!("yes ({})", x.basis),
                Some(_) => "no".into(),
                None => "–".into(),
            },
            esc(&r.source)
        );
    }
    let _ = writeln!(h, "</tbody></table></div>");
}

fn weeks_section(h: &mut String, a: &Analysis) {
    let _ = writeln!(h, "<h2 id=\"weeks\">Weeks</h2>");
    let _ = writeln!(
        h,
        "<div class=\"scroll\"><table><thead><tr><th class=\"l\">week</th><th class=\"l\">from</th>\
         <th>run km</th><th>runs</th><th>long run (km)</th><th>change</th><th>descent (m)</th>\
         <th>downhill km</th><th>hard</th><th>strength</th><th>acute:chronic</th><th>monotony</th></tr></thead><tbody>"
    );
    for w in &a.weeks {
        let _ = writeln!(
            h,
            "<tr><td class=\"l\">{}{}</td><td class=\"l\">{}</td><td>{:.1}</td><td>{}</td><td>{:.1}</td>\
             <td>{}</td><td>{:.0}</td><td>{:.2}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            w.week,
            if w.complete { "" } else { " (partial)" },
            w.start,
            w.run_km,
            w.runs,
            w.long_run_km,
            w.change_pct.map_or("–".into(), |c| format!("{c:+.0} %")),
            w.descent_m,
            w.downhill_km,
            w.hard_sessions,
            w.strength_sessions,
            opt(w.acwr, 2),
            opt(w.monotony, 1)
        );
    }
    let _ = writeln!(h, "</tbody></table></div>");
}

fn quality_section(h: &mut String, a: &Analysis) {
    let _ = writeln!(h, "<h2 id=\"quality\">Data quality</h2>");
    let mut rules: BTreeMap<&str, usize> = BTreeMap::new();
    let mut elevation: BTreeMap<&str, usize> = BTreeMap::new();
    for r in a.runs() {
        *rules.entry(r.cadence_rule.as_str()).or_default() += 1;
        *elevation
            .entry(match r.elevation_method {
                ElevationMethod::Device => "device totals (barometric)",
                ElevationMethod::Smoothed => "smoothed samples, 3 m hysteresis",
                ElevationMethod::None => "no elevation",
            })
            .or_default() += 1;
    }
    let list = |m: &BTreeMap<&str, usize>| {
        m.iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let _ = writeln!(h, "<ul>");
    let _ = writeln!(h, "<li>Cadence rules applied: {}</li>", esc(&list(&rules)));
    let _ = writeln!(h, "<li>Elevation methods: {}</li>", esc(&list(&elevation)));
    match (a.hr_max_bpm, a.hr_max_source) {
        (Some(hr), Some("config")) => {
            let _ = writeln!(h, "<li>HRmax {hr:.0} bpm, from your configuration.</li>");
        }
        (Some(hr), _) => {
            let _ = writeln!(
                h,
                "<li>HRmax {hr:.0} bpm, estimated as the 99th percentile of your own heart-rate \
                 samples; set <code>hr_max_bpm</code> in a <code>--config</code> file if you know yours.</li>"
            );
        }
        _ => {
            let _ = writeln!(
                h,
                "<li>No heart rate: hard sessions judged by pace against your own runs.</li>"
            );
        }
    }
    let duplicates: Vec<&ActivitySummary> = a
        .activities
        .iter()
        .filter(|x| x.duplicate_of.is_some())
        .collect();
    let _ = writeln!(h, "<li>Duplicates merged: {}", duplicates.len());
    if !duplicates.is_empty() {
        let _ = writeln!(h, "<ul>");
        for d in duplicates {
            let kept = a
                .activities
                .iter()
                .find(|x| Some(&x.id) == d.duplicate_of.as_ref())
                .map_or("?", |x| x.source.as_str());
            let _ = writeln!(h, "<li>{} repeats {}</li>", esc(&d.source), esc(kept));
        }
        let _ = writeln!(h, "</ul>");
    }
    let _ = writeln!(h, "</li>");
    let warned: Vec<&ActivitySummary> = a
        .activities
        .iter()
        .filter(|x| !x.warnings.is_empty())
        .collect();
    if !warned.is_empty() {
        let _ = writeln!(h, "<li>Read with warnings:<ul>");
        for w in warned {
            let _ = writeln!(
                h,
                "<li>{}: {}</li>",
                esc(&w.source),
                esc(&w.warnings.join("; "))
            );
        }
        let _ = writeln!(h, "</ul></li>");
    }
    let _ = writeln!(h, "<li>Files skipped: {}", a.skipped.len());
    if !a.skipped.is_empty() {
        let _ = writeln!(h, "<ul>");
        for s in &a.skipped {
            let _ = writeln!(
                h,
                "<li>{}: {}</li>",
                esc(&s.source),
                esc(&s.reason.to_string())
            );
        }
        let _ = writeln!(h, "</ul>");
    }
    let _ = writeln!(h, "</li></ul>");
}
