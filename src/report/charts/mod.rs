//! Chart rendering for the patella report.
//!
//! Pure functions: plain input structs in, an SVG string out (no file I/O).
//! The SVGs are meant to be embedded inline in an offline HTML page:
//!
//! * plotters is built without `ttf`/`font-kit`, so text is written as SVG
//!   `<text font-family="sans-serif">` elements and the browser lays it out;
//!   plotters only uses its naive size estimate for layout.
//! * No title is drawn inside the SVG (the HTML page has the headings).
//! * The root element gets `width="100%"` (fixed height dropped, `viewBox`
//!   kept) plus `role="img"` and an `aria-label`.
//! * Every function returns a valid SVG, also for empty input (a centred
//!   "no data" text) and when plotters reports an error (the error text is
//!   added below "no data"). Rendering never panics to the caller.
//! * Nothing is computed here beyond layout: every value drawn, every limit and every
//!   decision (such as a run being over its limit) comes with the input.
//!
//! One file per chart (`weekly_km.rs`, `training_load.rs`, `cadence.rs`, `cadence_distribution.rs`,
//! `descent.rs`, `long_runs.rs`); `style.rs` holds the colours, fonts, mesh and legend,
//! `axes.rs` the date and week axes.

use std::panic::{catch_unwind, AssertUnwindSafe};

use plotters::coord::Shift;
use plotters::prelude::*;

use style::FONT;

#[macro_use]
mod style;
mod axes;
mod cadence;
mod cadence_distribution;
mod descent;
mod long_runs;
mod training_load;
mod weekly_km;

pub use axes::thinned_indices;
pub use cadence::cadence;
pub use cadence_distribution::cadence_distribution;
pub use descent::descent;
pub use long_runs::{long_run_points, long_runs};
pub use training_load::{ratio_segments, training_load, training_load_with_pain};
pub use weekly_km::{change_label, weekly_km, weekly_km_with_pain};

/// Width of every chart's `viewBox` in px.
pub const WIDTH: u32 = 900;
/// Height of every chart's `viewBox` in px.
pub const HEIGHT: u32 = 360;

/// One ISO week of running.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct WeekBar {
    /// ISO week label, e.g. "2025-W13".
    pub label: String,
    pub start: chrono::NaiveDate,
    pub run_km: f64,
    /// Week-over-week change of `run_km` in percent.
    pub change_pct: Option<f64>,
    pub long_run_km: f64,
    /// False for a week that is not over yet / not fully covered by data.
    pub complete: bool,
}

/// One entry of the runner's pain log, drawn on the weekly and load charts.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct PainMark {
    pub date: chrono::NaiveDate,
    /// 0 to 10.
    pub score: u8,
}

/// One day of the acute / chronic load series.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct LoadDay {
    pub date: chrono::NaiveDate,
    pub acute_km: f64,
    pub chronic_km: f64,
    pub acwr: Option<f64>,
}

/// Cadence summary of one run.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct CadenceRun {
    pub date: chrono::NaiveDate,
    pub median_spm: f64,
    pub p10_spm: Option<f64>,
    pub p90_spm: Option<f64>,
    pub moving_min: f64,
}

/// Weekly descent.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct DescentWeek {
    pub label: String,
    pub start: chrono::NaiveDate,
    pub descent_m: f64,
    pub downhill_km: f64,
}

/// One run's distance against the long-run limit, as the analysis decided it
/// ([`crate::analysis::load::LongestComparison`]).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct LongRun {
    pub date: chrono::NaiveDate,
    pub distance_km: f64,
    /// `single_run_spike_ratio` × the longest run of the previous 30 days; `None` without one.
    pub limit_km: Option<f64>,
    /// Whether `single-run-spike` fired for this run.
    pub over_limit: bool,
}

// ---------------------------------------------------------------------------
// Rendering plumbing
// ---------------------------------------------------------------------------

type Root<'a> = DrawingArea<SVGBackend<'a>, Shift>;
type DrawResult = Result<(), Box<dyn std::error::Error>>;

/// The SVG used for empty input or rendering errors.
fn no_data_svg(aria: &str, detail: Option<&str>) -> String {
    let detail = detail
        .map(|d| {
            format!(
                "<text x=\"{x}\" y=\"{y}\" text-anchor=\"middle\" font-family=\"{FONT}\" \
                 font-size=\"12\" fill=\"#666666\">{}</text>\n",
                esc(d),
                x = WIDTH / 2,
                y = HEIGHT / 2 + 26,
            )
        })
        .unwrap_or_default();
    format!(
        "<svg width=\"100%\" viewBox=\"0 0 {w} {h}\" xmlns=\"http://www.w3.org/2000/svg\" \
         role=\"img\" aria-label=\"{aria}: no data\">\n\
         <rect x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\" fill=\"#FFFFFF\"/>\n\
         <text x=\"{x}\" y=\"{y}\" text-anchor=\"middle\" font-family=\"{FONT}\" \
         font-size=\"18\" fill=\"#444444\">no data</text>\n{detail}</svg>",
        w = WIDTH,
        h = HEIGHT,
        x = WIDTH / 2,
        y = HEIGHT / 2,
        aria = esc(aria),
    )
}

/// Escapes the text of the attributes and elements the charts write themselves (the `aria-label`,
/// the "no data" detail); what plotters writes it escapes itself. Control characters become `?`.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.push('?'),
            c => out.push(c),
        }
    }
    out
}

/// Makes the root `<svg>` responsive and accessible.
fn finish(svg: &str, aria: &str) -> String {
    let svg = svg.trim_end();
    let fixed = format!("width=\"{WIDTH}\" height=\"{HEIGHT}\"");
    let attrs = format!("width=\"100%\" role=\"img\" aria-label=\"{}\"", esc(aria));
    if let Some(start) = svg.find("<svg") {
        let tag_end = svg[start..].find('>').map_or(svg.len(), |e| start + e);
        let open = &svg[start..tag_end];
        let new_open = if open.contains(&fixed) {
            open.replacen(&fixed, &attrs, 1)
        } else {
            format!("<svg {attrs}{}", &open[4..])
        };
        format!("{}{}{}", &svg[..start], new_open, &svg[tag_end..])
    } else {
        no_data_svg(aria, Some("renderer produced no <svg> element"))
    }
}

/// Runs `draw` on a fresh white 900×360 SVG canvas. Errors and panics inside
/// plotters end up as a "no data" SVG with the error text.
fn render(aria: &str, draw: impl FnOnce(&Root<'_>) -> DrawResult) -> String {
    let mut buf = String::new();
    let outcome = catch_unwind(AssertUnwindSafe(|| -> Result<(), String> {
        let root = SVGBackend::with_string(&mut buf, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        draw(&root).map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())
    }));
    match outcome {
        Ok(Ok(())) => finish(&buf, aria),
        Ok(Err(msg)) => no_data_svg(aria, Some(&format!("chart error: {msg}"))),
        Err(_) => no_data_svg(aria, Some("chart error: renderer panicked")),
    }
}

fn finite_max<I: IntoIterator<Item = f64>>(it: I) -> f64 {
    it.into_iter()
        .filter(|v| v.is_finite())
        .fold(f64::NEG_INFINITY, f64::max)
}

fn finite_min<I: IntoIterator<Item = f64>>(it: I) -> f64 {
    it.into_iter()
        .filter(|v| v.is_finite())
        .fold(f64::INFINITY, f64::min)
}

/// Sample inputs and SVG checks shared by the charts' tests.
#[cfg(test)]
mod testing {
    use super::*;
    pub use crate::analysis::run::CadenceBin;
    pub use chrono::NaiveDate;

    pub fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    pub fn sample_weeks() -> Vec<WeekBar> {
        let kms = [22.0, 26.5, 25.0, 35.8, 30.1, 38.0, 41.2, 18.4];
        let longs = [9.0, 11.0, 10.5, 16.0, 12.0, 17.5, 19.0, 12.0];
        let start = d("2025-03-03");
        kms.iter()
            .zip(longs.iter())
            .enumerate()
            .map(|(i, (&km, &long))| {
                let prev = if i > 0 { Some(kms[i - 1]) } else { None };
                WeekBar {
                    label: format!("2025-W{:02}", 10 + i),
                    start: start + chrono::Duration::days(7 * i as i64),
                    run_km: km,
                    change_pct: prev.map(|p| (km - p) / p * 100.0),
                    long_run_km: long,
                    complete: i < 7,
                }
            })
            .collect()
    }

    pub fn sample_days() -> Vec<LoadDay> {
        let start = d("2025-03-03");
        let (mut acute, mut chronic) = (2.5f64, 2.8f64);
        (0..56)
            .map(|i| {
                let km = if i % 7 == 6 {
                    14.0 + (i / 7) as f64
                } else if i % 2 == 0 {
                    6.0
                } else {
                    0.0
                };
                acute += (km - acute) * 2.0 / 8.0;
                chronic += (km - chronic) * 2.0 / 29.0;
                LoadDay {
                    date: start + chrono::Duration::days(i),
                    acute_km: acute,
                    chronic_km: chronic,
                    acwr: if (20..23).contains(&i) {
                        None
                    } else {
                        Some(acute / chronic)
                    },
                }
            })
            .collect()
    }

    pub fn sample_cadence() -> Vec<CadenceRun> {
        let start = d("2025-03-04");
        (0..24)
            .map(|i| {
                let m = 162.0 + (i % 7) as f64 * 1.7 + (i / 6) as f64;
                CadenceRun {
                    date: start + chrono::Duration::days(i * 2 + i / 3),
                    median_spm: m,
                    p10_spm: if i % 5 == 4 { None } else { Some(m - 6.0) },
                    p90_spm: if i % 5 == 4 { None } else { Some(m + 5.0) },
                    moving_min: 30.0 + (i % 4) as f64 * 15.0,
                }
            })
            .collect()
    }

    pub fn sample_descent() -> Vec<DescentWeek> {
        sample_weeks()
            .iter()
            .enumerate()
            .map(|(i, w)| DescentWeek {
                label: w.label.clone(),
                start: w.start,
                descent_m: 180.0 + (i % 3) as f64 * 140.0 + i as f64 * 20.0,
                downhill_km: 3.0 + (i % 3) as f64 * 2.2,
            })
            .collect()
    }

    /// Weekly long runs, each against 1.1 × the longest of the previous 30 days; over the limit
    /// as the single-run-spike rule decides it (distance ÷ longest previous > 1.1).
    pub fn sample_long_runs() -> Vec<LongRun> {
        let start = d("2025-03-02");
        let dists = [9.0, 11.0, 10.5, 16.0, 12.0, 17.5, 19.0, 12.0];
        let mut out: Vec<LongRun> = Vec::new();
        for (i, &km) in dists.iter().enumerate() {
            let date = start + chrono::Duration::days(7 * i as i64);
            let prev_max = out
                .iter()
                .filter(|r| (date - r.date).num_days() <= 30)
                .map(|r| r.distance_km)
                .fold(f64::NEG_INFINITY, f64::max);
            out.push(LongRun {
                date,
                distance_km: km,
                limit_km: prev_max.is_finite().then_some(prev_max * 1.1),
                over_limit: prev_max.is_finite() && km / prev_max > 1.1,
            });
        }
        out
    }

    /// The cadence distribution of [`sample_cadence`], binned by the analysis.
    pub fn sample_bins() -> Vec<CadenceBin> {
        crate::analysis::run::cadence::distribution(
            sample_cadence()
                .iter()
                .map(|r| (r.median_spm, r.moving_min)),
        )
    }

    pub fn count(hay: &str, needle: &str) -> usize {
        hay.matches(needle).count()
    }

    pub fn hex(c: RGBColor) -> String {
        format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
    }

    /// Rects filled with `c` (bars and legend swatches).
    pub fn rects_with_fill(svg: &str, c: RGBColor) -> usize {
        let fill = format!("fill=\"{}\"", hex(c));
        svg.lines()
            .filter(|l| l.trim_start().starts_with("<rect") && l.contains(&fill))
            .count()
    }

    pub fn assert_svg_shell(svg: &str) {
        assert!(svg.starts_with("<svg"), "{}", &svg[..svg.len().min(200)]);
        assert!(svg.trim_end().ends_with("</svg>"));
        let open_end = svg.find('>').unwrap();
        let open = &svg[..open_end];
        assert!(open.contains("viewBox=\"0 0 900 360\""), "{open}");
        assert!(open.contains("width=\"100%\""), "{open}");
        assert!(!open.contains("height=\"360\""), "{open}");
        assert!(open.contains("role=\"img\""), "{open}");
        assert!(open.contains("aria-label=\""), "{open}");
        assert_eq!(count(svg, "<svg"), 1);
        assert_eq!(count(svg, "</svg>"), 1);
        // Balanced text elements, only sans-serif, no title drawn.
        assert_eq!(count(svg, "<text"), count(svg, "</text>"));
        for line in svg.lines().filter(|l| l.contains("font-family")) {
            assert!(line.contains("font-family=\"sans-serif\""), "{line}");
        }
        assert!(!svg.contains("<image"));
    }

    pub fn assert_no_data(svg: &str) {
        assert_svg_shell(svg);
        assert!(svg.contains(">no data</text>"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::testing::*;

    #[test]
    fn own_text_is_escaped() {
        assert_eq!(
            esc("<script>alert('x')</script> & \u{1b}"),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; ?"
        );
        let svg = no_data_svg("a <b>", Some("\"quoted\" & <i>"));
        assert!(svg.contains("aria-label=\"a &lt;b&gt;: no data\""), "{svg}");
        assert!(
            svg.contains(">&quot;quoted&quot; &amp; &lt;i&gt;</text>"),
            "{svg}"
        );
    }

    #[test]
    fn degenerate_inputs_do_not_panic() {
        let one = vec![sample_weeks()[0].clone()];
        assert_svg_shell(&weekly_km(&one));
        let mut zero = one.clone();
        zero[0].run_km = 0.0;
        zero[0].long_run_km = 0.0;
        assert_svg_shell(&weekly_km(&zero));
        let nan_days = vec![LoadDay {
            date: d("2025-01-01"),
            acute_km: 0.0,
            chronic_km: 0.0,
            acwr: Some(f64::NAN),
        }];
        assert_svg_shell(&training_load(&nan_days, f64::NAN));
        let one_run = vec![sample_cadence()[0].clone()];
        assert_svg_shell(&cadence(&one_run, 170.0));
        let one_bin = crate::analysis::run::cadence::distribution([(one_run[0].median_spm, 30.0)]);
        assert_svg_shell(&cadence_distribution(&one_bin, 170.0));
        assert_svg_shell(&descent(&[sample_descent()[0].clone()]));
        assert_svg_shell(&long_runs(&[sample_long_runs()[0].clone()], 1.1));
        let nan_week = vec![WeekBar {
            run_km: f64::NAN,
            ..sample_weeks()[0].clone()
        }];
        assert_no_data(&weekly_km(&nan_week));
    }

    /// Writes sample SVGs for a visual check when `PATELLA_CHART_DIR` is set.
    #[test]
    fn write_samples_when_asked() {
        let Ok(dir) = std::env::var("PATELLA_CHART_DIR") else {
            return;
        };
        std::fs::create_dir_all(&dir).unwrap();
        let mut many = Vec::new();
        for i in 0..26 {
            let mut w = sample_weeks()[i % 8].clone();
            w.label = format!("2024-W{:02}", i + 1);
            w.complete = i < 25;
            many.push(w);
        }
        let files = [
            ("weekly_km", weekly_km(&sample_weeks())),
            ("weekly_km_26", weekly_km(&many)),
            ("load", training_load(&sample_days(), 1.5)),
            ("cadence", cadence(&sample_cadence(), 170.0)),
            (
                "cadence_distribution",
                cadence_distribution(&sample_bins(), 170.0),
            ),
            ("descent", descent(&sample_descent())),
            ("long_runs", long_runs(&sample_long_runs(), 1.1)),
            ("empty", long_runs(&[], 1.1)),
        ];
        for (name, svg) in files {
            std::fs::write(format!("{dir}/{name}.svg"), svg).unwrap();
        }
    }
}
