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
//!
//! Colours are picked so that series differ in lightness and/or in marker
//! shape and line width, so the charts still read when printed in greyscale.

use std::collections::BTreeMap;
use std::ops::Range;
use std::panic::{catch_unwind, AssertUnwindSafe};

use chrono::{Datelike, NaiveDate};
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::report::format::esc;
use serde::Serialize;

/// Width of every chart's `viewBox` in px.
pub const WIDTH: u32 = 900;
/// Height of every chart's `viewBox` in px.
pub const HEIGHT: u32 = 360;

const FONT: &str = "sans-serif";
/// plotters' font sizes; the SVG backend writes `size / 1.24` as font-size.
const TICK_SIZE: f64 = 15.0; // ≈ 12 px
const DESC_SIZE: f64 = 16.0; // ≈ 13 px
const LEGEND_SIZE: f64 = 15.0; // ≈ 12 px
const NOTE_SIZE: f64 = 14.0; // ≈ 11 px

/// Layout (px).
const MARGIN_LEFT: u32 = 12;
const MARGIN_RIGHT: u32 = 24;
const MARGIN_BOTTOM: u32 = 6;
const X_LABEL_AREA: u32 = 48;
const Y_LABEL_AREA: u32 = 74;
const LEGEND_ROW: u32 = 20;
const LEGEND_TOP: u32 = 6;
/// At most this many labelled ticks on an x axis.
const MAX_X_LABELS: usize = 8;
/// Right margin of the cadence chart, room for the reference-line label.
const CADENCE_LABEL_MARGIN: u32 = 64;

/// Dark blue: main bars/points (greyscale ≈ 36 %).
const DARK: RGBColor = RGBColor(0x31, 0x63, 0x95);
/// Light blue: partial weeks, whiskers, secondary bars (greyscale ≈ 75 %).
const LIGHT: RGBColor = RGBColor(0xB4, 0xCD, 0xE6);
/// Medium blue for descent bars (greyscale ≈ 63 %).
const MEDIUM: RGBColor = RGBColor(0x7F, 0xA7, 0xD1);
/// Orange (Okabe–Ito): long-run dots, chronic load (greyscale ≈ 64 %).
const ORANGE: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
/// Vermillion (Okabe–Ito): warnings and reference lines.
const WARN: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
/// Near-black for text, outlines and thin lines.
const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
const GRID: RGBColor = RGBColor(0xE2, 0xE2, 0xE2);
const AXIS: RGBColor = RGBColor(0x55, 0x55, 0x55);

// ---------------------------------------------------------------------------
// Input structs
// ---------------------------------------------------------------------------

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

/// One run's distance against the long-run limit.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct LongRun {
    pub date: chrono::NaiveDate,
    pub distance_km: f64,
    /// 110 % of the longest run in the previous 30 days.
    pub limit_km: Option<f64>,
}

/// One bin of the cadence distribution: minutes of running whose run median
/// cadence falls in `[from_spm, to_spm)`.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct CadenceBin {
    pub from_spm: f64,
    pub to_spm: f64,
    pub minutes: f64,
}

/// A long run after comparing it with its limit (see [`long_run_points`]).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LongRunPoint {
    pub date: NaiveDate,
    pub distance_km: f64,
    pub limit_km: Option<f64>,
    pub over_limit: bool,
}

// ---------------------------------------------------------------------------
// Data-shaping helpers (pure, snapshot-tested)
// ---------------------------------------------------------------------------

/// Bins the runs' median cadences, weighted by moving minutes.
///
/// Bins are `[k·bin_spm, (k+1)·bin_spm)`, only non-empty bins are returned,
/// sorted ascending. Runs with a non-finite median or non-finite/negative
/// minutes are ignored. A non-finite or non-positive `bin_spm` falls back to
/// 2 spm. Empty input gives an empty vector.
pub fn cadence_bins(runs: &[CadenceRun], bin_spm: f64) -> Vec<CadenceBin> {
    let bin = if bin_spm.is_finite() && bin_spm > 0.0 {
        bin_spm
    } else {
        2.0
    };
    let mut acc: BTreeMap<i64, f64> = BTreeMap::new();
    for r in runs {
        if !r.median_spm.is_finite() || !r.moving_min.is_finite() || r.moving_min < 0.0 {
            continue;
        }
        let k = (r.median_spm / bin).floor() as i64;
        *acc.entry(k).or_insert(0.0) += r.moving_min;
    }
    acc.into_iter()
        .map(|(k, minutes)| CadenceBin {
            from_spm: k as f64 * bin,
            to_spm: (k + 1) as f64 * bin,
            minutes,
        })
        .collect()
}

/// Splits the acute:chronic ratio into drawable segments.
///
/// A new segment starts after a day with `acwr: None` (or a non-finite
/// value) and after a gap of more than one calendar day between consecutive
/// entries. Input is sorted by date first.
pub fn ratio_segments(days: &[LoadDay]) -> Vec<Vec<(NaiveDate, f64)>> {
    let mut sorted: Vec<&LoadDay> = days.iter().collect();
    sorted.sort_by_key(|d| d.date);
    let mut out: Vec<Vec<(NaiveDate, f64)>> = Vec::new();
    let mut current: Vec<(NaiveDate, f64)> = Vec::new();
    for d in sorted {
        match d.acwr.filter(|v| v.is_finite()) {
            Some(v) => {
                if let Some(&(prev, _)) = current.last() {
                    if (d.date - prev).num_days() > 1 {
                        out.push(std::mem::take(&mut current));
                    }
                }
                current.push((d.date, v));
            }
            None => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Text drawn above a weekly bar: `+43 %`, `-12 %`, `0 %`; `None` when the
/// change is unknown or not finite.
pub fn change_label(change_pct: Option<f64>) -> Option<String> {
    let pct = change_pct.filter(|v| v.is_finite())?.round();
    Some(if pct == 0.0 {
        "0 %".to_string()
    } else {
        format!("{pct:+.0} %")
    })
}

/// Long runs sorted by date, with `over_limit` set when the distance is
/// above the run's limit. Non-finite distances are dropped, non-finite
/// limits treated as missing.
pub fn long_run_points(runs: &[LongRun]) -> Vec<LongRunPoint> {
    let mut out: Vec<LongRunPoint> = runs
        .iter()
        .filter(|r| r.distance_km.is_finite())
        .map(|r| {
            let limit = r.limit_km.filter(|v| v.is_finite());
            LongRunPoint {
                date: r.date,
                distance_km: r.distance_km,
                limit_km: limit,
                over_limit: limit.is_some_and(|l| r.distance_km > l),
            }
        })
        .collect();
    out.sort_by_key(|p| p.date);
    out
}

/// Indices of the x labels to show for `n` categories: every `step`-th,
/// so that at most `max_labels` are shown.
pub fn thinned_indices(n: usize, max_labels: usize) -> Vec<usize> {
    if n == 0 {
        return Vec::new();
    }
    let max = max_labels.max(1);
    let step = n.div_ceil(max).max(1);
    (0..n).step_by(step).collect()
}

// ---------------------------------------------------------------------------
// Rendering plumbing
// ---------------------------------------------------------------------------

/// The house style of a chart's mesh: grid, axis lines, fonts, axis descriptions (with units)
/// and tick label formats.
macro_rules! styled_mesh {
    ($chart:expr, $x_desc:expr, $y_desc:expr, $x_fmt:expr, $y_fmt:expr, $y_labels:expr) => {
        $chart
            .configure_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .axis_style(AXIS)
            .x_desc($x_desc)
            .y_desc($y_desc)
            .axis_desc_style(font(DESC_SIZE))
            .label_style(font(TICK_SIZE))
            .x_label_formatter($x_fmt)
            .y_label_formatter($y_fmt)
            .y_labels($y_labels)
    };
}

/// The house style of a right-hand axis.
macro_rules! styled_secondary_axis {
    ($chart:expr, $y_desc:expr, $y_fmt:expr) => {
        $chart
            .configure_secondary_axes()
            .axis_style(AXIS)
            .y_desc($y_desc)
            .axis_desc_style(font(DESC_SIZE))
            .label_style(font(TICK_SIZE))
            .y_label_formatter($y_fmt)
            .y_labels(6)
    };
}

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

fn font(size: f64) -> TextStyle<'static> {
    TextStyle::from((FONT, size).into_font()).color(&INK)
}

/// Estimated width (px) of `text` at plotters font size `size`, matching
/// plotters' naive estimate (≈ 0.55 em per character).
fn text_width(text: &str, size: f64) -> i32 {
    (size / 1.24 / 1.24 * 0.7 * text.chars().count() as f64).round() as i32
}

/// Formats an axis value without useless decimals.
fn fmt_num(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{:.0}", v.round())
    } else {
        let s = format!("{v:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

// ----- legend drawn in the top margin, outside the plot -----

#[derive(Clone, Copy)]
enum Mark {
    Bar(RGBColor),
    OutlinedBar(RGBColor, RGBColor),
    Line(RGBColor, u32),
    Dashed(RGBColor, u32),
    Dot(RGBColor),
    RingDot(RGBColor),
    Triangle(RGBColor),
    Tick(RGBColor),
    Whisker(RGBColor),
    LineDot(RGBColor),
    /// No swatch: a text-only legend entry.
    Note,
}

const SWATCH: i32 = 24;

fn legend_layout(items: &[(Mark, &str)]) -> (Vec<(i32, i32)>, u32) {
    let left = (MARGIN_LEFT + Y_LABEL_AREA) as i32;
    let right = (WIDTH - MARGIN_RIGHT) as i32;
    let mut x = left;
    let mut row = 0u32;
    let mut pos = Vec::with_capacity(items.len());
    for (_, text) in items {
        let w = SWATCH + 6 + text_width(text, LEGEND_SIZE) + 22;
        if x > left && x + w > right {
            row += 1;
            x = left;
        }
        pos.push((x, (LEGEND_TOP + LEGEND_ROW / 2 + row * LEGEND_ROW) as i32));
        x += w;
    }
    let rows = if items.is_empty() { 0 } else { row + 1 };
    (pos, LEGEND_TOP + rows * LEGEND_ROW + 8)
}

/// Height of the top margin needed for the legend.
fn legend_height(items: &[(Mark, &str)]) -> u32 {
    legend_layout(items).1
}

fn draw_legend(root: &Root<'_>, items: &[(Mark, &str)]) -> DrawResult {
    let (pos, _) = legend_layout(items);
    let style = font(LEGEND_SIZE).pos(Pos::new(HPos::Left, VPos::Center));
    for ((mark, text), &(x, y)) in items.iter().zip(pos.iter()) {
        let cx = x + SWATCH / 2;
        match *mark {
            Mark::Bar(c) => {
                root.draw(&Rectangle::new(
                    [(x + 4, y - 6), (x + SWATCH - 4, y + 6)],
                    c.filled(),
                ))?;
            }
            Mark::OutlinedBar(fill, stroke) => {
                root.draw(&Rectangle::new(
                    [(x + 4, y - 6), (x + SWATCH - 4, y + 6)],
                    fill.filled(),
                ))?;
                root.draw(&Rectangle::new(
                    [(x + 4, y - 6), (x + SWATCH - 4, y + 6)],
                    stroke.stroke_width(1),
                ))?;
            }
            Mark::Line(c, w) => {
                root.draw(&PathElement::new(
                    vec![(x, y), (x + SWATCH, y)],
                    c.stroke_width(w),
                ))?;
            }
            Mark::Dashed(c, w) => {
                root.draw(&DashedPathElement::new(
                    vec![(x, y), (x + SWATCH, y)],
                    5,
                    3,
                    c.stroke_width(w),
                ))?;
            }
            Mark::Dot(c) => {
                root.draw(&Circle::new((cx, y), 4, c.filled()))?;
            }
            Mark::RingDot(c) => {
                root.draw(&Circle::new((cx, y), 5, c.filled()))?;
                root.draw(&Circle::new((cx, y), 5, INK.stroke_width(1)))?;
            }
            Mark::Triangle(c) => {
                root.draw(&TriangleMarker::new((cx, y), 6, c.filled()))?;
            }
            Mark::Tick(c) => {
                root.draw(&PathElement::new(
                    vec![(cx - 9, y), (cx + 9, y)],
                    c.stroke_width(3),
                ))?;
            }
            Mark::Whisker(c) => {
                root.draw(&PathElement::new(
                    vec![(cx, y - 7), (cx, y + 7)],
                    c.stroke_width(2),
                ))?;
            }
            Mark::Note => {}
            Mark::LineDot(c) => {
                root.draw(&PathElement::new(
                    vec![(x, y), (x + SWATCH, y)],
                    c.stroke_width(2),
                ))?;
                root.draw(&Circle::new((cx, y), 4, c.filled()))?;
            }
        }
        root.draw(&Text::new(
            text.to_string(),
            (x + SWATCH + 6, y),
            style.clone(),
        ))?;
    }
    Ok(())
}

fn chart_builder<'a, 'b>(
    root: &'a Root<'b>,
    top: u32,
    right_axis: bool,
) -> ChartBuilder<'a, 'b, SVGBackend<'b>> {
    let mut b = ChartBuilder::on(root);
    b.margin_top(top)
        .margin_left(MARGIN_LEFT)
        .margin_right(if right_axis { 8 } else { MARGIN_RIGHT })
        .margin_bottom(MARGIN_BOTTOM)
        .x_label_area_size(X_LABEL_AREA)
        .y_label_area_size(Y_LABEL_AREA);
    if right_axis {
        b.right_y_label_area_size(Y_LABEL_AREA);
    }
    b
}

/// Pixel height of the plotting area for a given top margin.
fn plot_height(top: u32) -> f64 {
    f64::from(HEIGHT.saturating_sub(top + MARGIN_BOTTOM + X_LABEL_AREA)).max(50.0)
}

/// Pixel width of the plotting area.
fn plot_width(right_axis: bool) -> f64 {
    let right = if right_axis {
        8 + Y_LABEL_AREA
    } else {
        MARGIN_RIGHT
    };
    f64::from(WIDTH - MARGIN_LEFT - Y_LABEL_AREA - right)
}

/// Upper end of a value axis so that `need_px` pixels stay free above `max`.
fn top_with_headroom(max: f64, need_px: f64, plot_px: f64) -> f64 {
    let max = if max.is_finite() && max > 0.0 {
        max
    } else {
        1.0
    };
    let free = (plot_px - need_px).max(plot_px * 0.4);
    max * plot_px / free
}

// ----- date x axis -----

struct DateAxis {
    base: NaiveDate,
    range: Range<f64>,
    ticks: Vec<f64>,
}

impl DateAxis {
    fn new(dates: &[NaiveDate]) -> Option<Self> {
        let base = *dates.iter().min()?;
        let last = *dates.iter().max()?;
        let span = (last - base).num_days();
        let pad = (span as f64 * 0.03).max(1.0);
        let ticks = date_ticks(base, span, MAX_X_LABELS);
        Some(Self {
            base,
            range: -pad..span as f64 + pad,
            ticks,
        })
    }

    fn x(&self, d: NaiveDate) -> f64 {
        (d - self.base).num_days() as f64
    }

    fn label(&self, v: f64) -> String {
        self.base
            .checked_add_signed(chrono::Duration::days(v.round() as i64))
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default()
    }

    fn coord(&self) -> TickedAxis {
        TickedAxis::new(self.range.clone(), self.ticks.clone())
    }
}

/// A linear f64 axis whose labelled ticks are exactly `ticks` (no light
/// mesh lines). plotters' `WithKeyPoints` does not forward the f64 value
/// formatter, so this small wrapper is used instead.
#[derive(Clone)]
struct TickedAxis {
    inner: RangedCoordf64,
    ticks: Vec<f64>,
}

impl TickedAxis {
    fn new(range: Range<f64>, ticks: Vec<f64>) -> Self {
        Self {
            inner: range.into(),
            ticks,
        }
    }
}

impl Ranged for TickedAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.inner.range()
    }
}

/// Day offsets (from `base`) of the labelled ticks: steps of 1, 2, 7, 14,
/// 28, … days, weekly steps aligned to Mondays, at most `max_labels`.
fn date_ticks(base: NaiveDate, span_days: i64, max_labels: usize) -> Vec<f64> {
    let span = span_days.max(0);
    let max = max_labels.max(2) as i64;
    let steps = [1i64, 2, 7, 14, 28, 56, 91, 182, 364, 728];
    let step = steps
        .iter()
        .copied()
        .find(|s| span / s < max)
        .unwrap_or_else(|| (span / (max - 1)).max(1));
    let start = if step >= 7 {
        i64::from((7 - base.weekday().num_days_from_monday()) % 7)
    } else {
        0
    };
    (0..)
        .map(|i| start + i * step)
        .take_while(|&d| d <= span)
        .map(|d| d as f64)
        .collect()
}

/// Category axis for `n` bars centred on 0, 1, …, n-1 with thinned labels.
fn category_coord(n: usize, max_labels: usize) -> TickedAxis {
    let ticks: Vec<f64> = thinned_indices(n, max_labels)
        .into_iter()
        .map(|i| i as f64)
        .collect();
    TickedAxis::new(-0.5..n as f64 - 0.5, ticks)
}

/// Max number of week labels that fit ("2025-W13" ≈ 60 px plus a gap).
fn max_week_labels(labels: &[&str], right_axis: bool) -> usize {
    let longest = labels
        .iter()
        .map(|l| text_width(l, TICK_SIZE))
        .max()
        .unwrap_or(60);
    ((plot_width(right_axis) / f64::from(longest + 24)) as usize).clamp(1, 14)
}

fn week_label(labels: &[String], v: f64) -> String {
    let i = v.round();
    if (v - i).abs() > 1e-6 || i < 0.0 {
        return String::new();
    }
    labels.get(i as usize).cloned().unwrap_or_default()
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

fn date_span_text(first: Option<NaiveDate>, last: Option<NaiveDate>) -> String {
    match (first, last) {
        (Some(a), Some(b)) => format!("from {} to {}", a.format("%Y-%m-%d"), b.format("%Y-%m-%d")),
        _ => String::new(),
    }
}

// ---------------------------------------------------------------------------
// 1. Weekly running distance
// ---------------------------------------------------------------------------

/// Bars of running km per week, the week-over-week change written above each
/// bar, the long run as a dot on each bar; partial weeks drawn light with an
/// outline.
pub fn weekly_km(weeks: &[WeekBar]) -> String {
    let weeks: Vec<&WeekBar> = weeks.iter().filter(|w| w.run_km.is_finite()).collect();
    let aria_base = "Bar chart of weekly running distance in km";
    if weeks.is_empty() {
        return no_data_svg(aria_base, None);
    }
    let n = weeks.len();
    let partial = weeks.iter().filter(|w| !w.complete).count();
    let aria = format!(
        "{aria_base} for {n} weeks from {} to {}, labelled with the week-over-week change; \
         dots mark each week's long run{}",
        weeks[0].label,
        weeks[n - 1].label,
        if partial > 0 {
            format!("; {partial} partial week(s) drawn lighter")
        } else {
            String::new()
        }
    );
    render(&aria, |root| draw_weekly(root, &weeks))
}

fn draw_weekly(root: &Root<'_>, weeks: &[&WeekBar]) -> DrawResult {
    let n = weeks.len();
    let mut legend: Vec<(Mark, &str)> = vec![(Mark::Bar(DARK), "running distance")];
    if weeks.iter().any(|w| !w.complete) {
        legend.push((Mark::OutlinedBar(LIGHT, DARK), "partial week"));
    }
    legend.push((Mark::RingDot(ORANGE), "long run"));
    if weeks.iter().any(|w| change_label(w.change_pct).is_some()) {
        legend.push((Mark::Note, "+x % = change vs previous week"));
    }
    let top = legend_height(&legend);

    let labels: Vec<String> = weeks.iter().map(|w| w.label.clone()).collect();
    let changes: Vec<Option<String>> = weeks.iter().map(|w| change_label(w.change_pct)).collect();
    let bar_px = plot_width(false) / n as f64;
    let longest_change = changes
        .iter()
        .flatten()
        .map(|t| text_width(t, NOTE_SIZE))
        .max()
        .unwrap_or(0);
    // Horizontal change labels when they fit over the bar, otherwise vertical.
    let vertical = f64::from(longest_change) + 6.0 > bar_px;
    let need_px = if vertical {
        f64::from(longest_change) + 10.0
    } else {
        18.0
    };
    let max = finite_max(weeks.iter().flat_map(|w| [w.run_km, w.long_run_km]));
    let y_top = top_with_headroom(max, need_px, plot_height(top));

    let label_refs: Vec<&str> = labels.iter().map(String::as_str).collect();
    let x_coord = category_coord(n, max_week_labels(&label_refs, false));
    let mut chart = chart_builder(root, top, false).build_cartesian_2d(x_coord, 0.0..y_top)?;
    let x_fmt = |v: &f64| week_label(&labels, *v);
    let y_fmt = |v: &f64| fmt_num(*v);
    styled_mesh!(
        chart,
        "ISO week",
        "running distance (km)",
        &x_fmt,
        &y_fmt,
        6
    )
    .disable_x_mesh()
    .draw()?;

    let half = if n == 1 { 0.3 } else { 0.36 };
    chart.draw_series(weeks.iter().enumerate().map(|(i, w)| {
        let x = i as f64;
        let style = if w.complete {
            DARK.filled()
        } else {
            LIGHT.filled()
        };
        Rectangle::new([(x - half, 0.0), (x + half, w.run_km.max(0.0))], style)
    }))?;
    // Outline for partial weeks so they also stand out in greyscale.
    chart.draw_series(
        weeks
            .iter()
            .enumerate()
            .filter(|(_, w)| !w.complete)
            .map(|(i, w)| {
                let x = i as f64;
                Rectangle::new(
                    [(x - half, 0.0), (x + half, w.run_km.max(0.0))],
                    DARK.stroke_width(1),
                )
            }),
    )?;
    // Long-run dots.
    chart.draw_series(
        weeks
            .iter()
            .enumerate()
            .filter(|(_, w)| w.long_run_km.is_finite() && w.long_run_km > 0.0)
            .map(|(i, w)| {
                EmptyElement::at((i as f64, w.long_run_km))
                    + Circle::new((0, 0), 5, ORANGE.filled())
                    + Circle::new((0, 0), 5, INK.stroke_width(1))
            }),
    )?;
    // Change labels above the bars.
    let horizontal = font(NOTE_SIZE).pos(Pos::new(HPos::Center, VPos::Bottom));
    let rotated = font(NOTE_SIZE)
        .transform(FontTransform::Rotate270)
        .pos(Pos::new(HPos::Left, VPos::Center));
    chart.draw_series(
        weeks
            .iter()
            .zip(changes.iter())
            .enumerate()
            .filter_map(|(i, (w, c))| c.as_ref().map(|c| (i, w, c)))
            .map(|(i, w, c)| {
                let top_y = w.run_km.max(w.long_run_km).max(0.0);
                let (style, offset) = if vertical {
                    (rotated.clone(), (0, -8))
                } else {
                    (horizontal.clone(), (0, -7))
                };
                EmptyElement::at((i as f64, top_y)) + Text::new(c.clone(), offset, style)
            }),
    )?;
    draw_legend(root, &legend)
}

// ---------------------------------------------------------------------------
// 2. Acute / chronic load
// ---------------------------------------------------------------------------

/// Acute and chronic load (km/day) on the left axis, the acute:chronic ratio
/// on the right axis with a dashed reference at `ratio_line`.
pub fn load(days: &[LoadDay], ratio_line: f64) -> String {
    let mut days: Vec<&LoadDay> = days
        .iter()
        .filter(|d| d.acute_km.is_finite() && d.chronic_km.is_finite())
        .collect();
    days.sort_by_key(|d| d.date);
    let aria_base = "Line chart of acute and chronic training load in km per day, \
                     with the acute:chronic ratio on the right axis (context only)";
    let Some(axis) = DateAxis::new(&days.iter().map(|d| d.date).collect::<Vec<_>>()) else {
        return no_data_svg(aria_base, None);
    };
    let aria = format!(
        "{aria_base}, {} days {}; dashed reference at a ratio of {}",
        days.len(),
        date_span_text(days.first().map(|d| d.date), days.last().map(|d| d.date)),
        fmt_num(ratio_line)
    );
    let owned: Vec<LoadDay> = days.into_iter().cloned().collect();
    render(&aria, |root| draw_load(root, &owned, &axis, ratio_line))
}

fn draw_load(root: &Root<'_>, days: &[LoadDay], axis: &DateAxis, ratio_line: f64) -> DrawResult {
    let ref_label = format!("ratio {} (reference)", fmt_num(ratio_line));
    let legend: Vec<(Mark, &str)> = vec![
        (Mark::Line(DARK, 3), "acute load (km/day)"),
        (Mark::Line(ORANGE, 3), "chronic load (km/day)"),
        (
            Mark::Line(INK, 1),
            "acute:chronic ratio, right axis (context only)",
        ),
        (Mark::Dashed(WARN, 2), ref_label.as_str()),
    ];
    let top = legend_height(&legend);
    let segments = ratio_segments(days);
    let max_load = finite_max(days.iter().flat_map(|d| [d.acute_km, d.chronic_km]));
    let y_top = top_with_headroom(max_load, 8.0, plot_height(top));
    let ratio_line_ok = ratio_line.is_finite() && ratio_line > 0.0;
    let max_ratio = finite_max(
        segments
            .iter()
            .flatten()
            .map(|p| p.1)
            .chain(ratio_line_ok.then_some(ratio_line)),
    );
    let r_top = if max_ratio.is_finite() {
        (max_ratio * 1.15).max(2.0)
    } else {
        2.0
    };

    let mut chart = chart_builder(root, top, true)
        .build_cartesian_2d(axis.coord(), 0.0..y_top)?
        .set_secondary_coord(axis.range.clone(), 0.0..r_top);
    let x_fmt = |v: &f64| axis.label(*v);
    let y_fmt = |v: &f64| fmt_num(*v);
    styled_mesh!(chart, "date", "load (km/day, EWMA)", &x_fmt, &y_fmt, 6).draw()?;
    styled_secondary_axis!(chart, "acute:chronic ratio (unitless)", &y_fmt).draw()?;

    chart.draw_series(LineSeries::new(
        days.iter().map(|d| (axis.x(d.date), d.chronic_km)),
        ORANGE.stroke_width(3),
    ))?;
    chart.draw_series(LineSeries::new(
        days.iter().map(|d| (axis.x(d.date), d.acute_km)),
        DARK.stroke_width(3),
    ))?;
    if ratio_line_ok {
        chart.draw_secondary_series(DashedLineSeries::new(
            vec![(axis.range.start, ratio_line), (axis.range.end, ratio_line)],
            8,
            5,
            WARN.stroke_width(2),
        ))?;
    }
    for seg in &segments {
        if seg.len() == 1 {
            chart.draw_secondary_series(
                seg.iter()
                    .map(|&(d, v)| Circle::new((axis.x(d), v), 2, INK.filled())),
            )?;
        } else {
            chart.draw_secondary_series(LineSeries::new(
                seg.iter().map(|&(d, v)| (axis.x(d), v)),
                INK.stroke_width(1),
            ))?;
        }
    }
    draw_legend(root, &legend)
}

// ---------------------------------------------------------------------------
// 3. Cadence over time
// ---------------------------------------------------------------------------

/// Each run's median cadence as a dot (with a p10–p90 whisker where given),
/// with a dashed reference line at `line_spm`.
pub fn cadence(runs: &[CadenceRun], line_spm: f64) -> String {
    let mut runs: Vec<&CadenceRun> = runs.iter().filter(|r| r.median_spm.is_finite()).collect();
    runs.sort_by_key(|r| r.date);
    let aria_base = "Scatter chart of each run's median cadence in steps per minute over time";
    let Some(axis) = DateAxis::new(&runs.iter().map(|r| r.date).collect::<Vec<_>>()) else {
        return no_data_svg(aria_base, None);
    };
    let aria = format!(
        "{aria_base}, {} runs {}, whiskers from the 10th to the 90th percentile, \
         reference line at {} spm",
        runs.len(),
        date_span_text(runs.first().map(|r| r.date), runs.last().map(|r| r.date)),
        fmt_num(line_spm)
    );
    let owned: Vec<CadenceRun> = runs.into_iter().cloned().collect();
    render(&aria, |root| draw_cadence(root, &owned, &axis, line_spm))
}

fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|x| x.is_finite())
}

fn draw_cadence(root: &Root<'_>, runs: &[CadenceRun], axis: &DateAxis, line: f64) -> DrawResult {
    let line_ok = line.is_finite() && line > 0.0;
    let line_label = format!("{} spm", fmt_num(line));
    let mut legend: Vec<(Mark, &str)> = vec![(Mark::Dot(DARK), "median cadence of a run")];
    if runs
        .iter()
        .any(|r| finite(r.p10_spm).is_some() && finite(r.p90_spm).is_some())
    {
        legend.push((Mark::Whisker(MEDIUM), "10th–90th percentile within the run"));
    }
    if line_ok {
        legend.push((Mark::Dashed(WARN, 2), line_label.as_str()));
    }
    let top = legend_height(&legend);

    let values = runs
        .iter()
        .flat_map(|r| [Some(r.median_spm), finite(r.p10_spm), finite(r.p90_spm)])
        .flatten()
        .chain(line_ok.then_some(line));
    let values: Vec<f64> = values.collect();
    let lo = (finite_min(values.iter().copied()) - 4.0).floor();
    let hi = (finite_max(values.iter().copied()) + 4.0).ceil();
    let (lo, hi) = if lo.is_finite() && hi.is_finite() && hi > lo {
        (lo.max(0.0), hi)
    } else {
        (0.0, 200.0)
    };

    // Extra right margin: the "170 spm" label sits outside the plot, to the
    // right of the line's end, so it can never cover a run.
    let mut builder = chart_builder(root, top, false);
    builder.margin_right(CADENCE_LABEL_MARGIN);
    let mut chart = builder.build_cartesian_2d(axis.coord(), lo..hi)?;
    let x_fmt = |v: &f64| axis.label(*v);
    let y_fmt = |v: &f64| fmt_num(*v);
    styled_mesh!(chart, "date", "cadence (spm, steps/min)", &x_fmt, &y_fmt, 7).draw()?;

    if line_ok {
        chart.draw_series(DashedLineSeries::new(
            vec![(axis.range.start, line), (axis.range.end, line)],
            8,
            5,
            WARN.stroke_width(2),
        ))?;
        let (px, py) = chart.backend_coord(&(axis.range.end, line));
        root.draw(&Text::new(
            line_label.clone(),
            (px + 5, py),
            font(NOTE_SIZE)
                .color(&WARN)
                .pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
    }
    chart.draw_series(runs.iter().filter_map(|r| {
        let (p10, p90) = (finite(r.p10_spm)?, finite(r.p90_spm)?);
        let x = axis.x(r.date);
        Some(PathElement::new(
            vec![(x, p10.clamp(lo, hi)), (x, p90.clamp(lo, hi))],
            MEDIUM.stroke_width(2),
        ))
    }))?;
    chart.draw_series(
        runs.iter()
            .map(|r| Circle::new((axis.x(r.date), r.median_spm), 4, DARK.filled())),
    )?;
    draw_legend(root, &legend)
}

// ---------------------------------------------------------------------------
// 4. Cadence distribution
// ---------------------------------------------------------------------------

/// Histogram of running minutes per cadence bin (see [`cadence_bins`]) with
/// a dashed reference line at `line_spm`.
pub fn cadence_distribution(bins: &[CadenceBin], line_spm: f64) -> String {
    let mut bins: Vec<CadenceBin> = bins
        .iter()
        .filter(|b| {
            b.from_spm.is_finite()
                && b.to_spm.is_finite()
                && b.minutes.is_finite()
                && b.to_spm > b.from_spm
        })
        .cloned()
        .collect();
    bins.sort_by(|a, b| a.from_spm.total_cmp(&b.from_spm));
    let aria_base =
        "Histogram of running time in minutes by run median cadence in steps per minute";
    if bins.is_empty() {
        return no_data_svg(aria_base, None);
    }
    let total: f64 = bins.iter().map(|b| b.minutes).sum();
    let aria = format!(
        "{aria_base}, {} bins from {} to {} spm, {} minutes in total, reference line at {} spm",
        bins.len(),
        fmt_num(bins[0].from_spm),
        fmt_num(bins[bins.len() - 1].to_spm),
        total.round(),
        fmt_num(line_spm)
    );
    render(&aria, |root| draw_distribution(root, &bins, line_spm))
}

fn draw_distribution(root: &Root<'_>, bins: &[CadenceBin], line: f64) -> DrawResult {
    let line_ok = line.is_finite() && line > 0.0;
    let line_label = format!("{} spm", fmt_num(line));
    let mut legend: Vec<(Mark, &str)> = vec![(
        Mark::Bar(DARK),
        "running time of runs with this median cadence",
    )];
    if line_ok {
        legend.push((Mark::Dashed(WARN, 2), line_label.as_str()));
    }
    let top = legend_height(&legend);
    let lo = finite_min(
        bins.iter()
            .map(|b| b.from_spm)
            .chain(line_ok.then_some(line)),
    );
    let hi = finite_max(bins.iter().map(|b| b.to_spm).chain(line_ok.then_some(line)));
    let width = finite_min(bins.iter().map(|b| b.to_spm - b.from_spm));
    let pad = width.max(1.0);
    let (x0, x1) = ((lo - pad).floor(), (hi + pad).ceil());
    let max = finite_max(bins.iter().map(|b| b.minutes));
    // Room above the tallest bar for the reference-line label.
    let y_top = top_with_headroom(max, 24.0, plot_height(top));

    let mut chart = chart_builder(root, top, false).build_cartesian_2d(x0..x1, 0.0..y_top)?;
    let fmt = |v: &f64| fmt_num(*v);
    styled_mesh!(
        chart,
        "run median cadence (spm, steps/min)",
        "running time (min)",
        &fmt,
        &fmt,
        6
    )
    .disable_x_mesh()
    .x_labels(12)
    .draw()?;
    let gap = (width * 0.08).min(0.3);
    chart.draw_series(bins.iter().map(|b| {
        Rectangle::new(
            [
                (b.from_spm + gap, 0.0),
                (b.to_spm - gap, b.minutes.max(0.0)),
            ],
            DARK.filled(),
        )
    }))?;
    if line_ok {
        chart.draw_series(DashedLineSeries::new(
            vec![(line, 0.0), (line, y_top)],
            8,
            5,
            WARN.stroke_width(2),
        ))?;
        chart.draw_series(std::iter::once(
            EmptyElement::at((line, y_top))
                + Text::new(
                    line_label.clone(),
                    (6, 4),
                    font(NOTE_SIZE)
                        .color(&WARN)
                        .pos(Pos::new(HPos::Left, VPos::Top)),
                ),
        ))?;
    }
    draw_legend(root, &legend)
}

// ---------------------------------------------------------------------------
// 5. Weekly descent
// ---------------------------------------------------------------------------

/// Weekly descent (m) as bars on the left axis, downhill km as a line with
/// dots on the right axis.
pub fn descent(weeks: &[DescentWeek]) -> String {
    let weeks: Vec<&DescentWeek> = weeks
        .iter()
        .filter(|w| w.descent_m.is_finite() && w.downhill_km.is_finite())
        .collect();
    let aria_base = "Bar chart of weekly descent in metres, with downhill distance in km \
                     as a line on the right axis";
    if weeks.is_empty() {
        return no_data_svg(aria_base, None);
    }
    let n = weeks.len();
    let aria = format!(
        "{aria_base}, {n} weeks from {} to {}",
        weeks[0].label,
        weeks[n - 1].label
    );
    render(&aria, |root| draw_descent(root, &weeks))
}

fn draw_descent(root: &Root<'_>, weeks: &[&DescentWeek]) -> DrawResult {
    let n = weeks.len();
    let legend: Vec<(Mark, &str)> = vec![
        (Mark::Bar(MEDIUM), "descent (m, left axis)"),
        (Mark::LineDot(INK), "downhill distance (km, right axis)"),
    ];
    let top = legend_height(&legend);
    let labels: Vec<String> = weeks.iter().map(|w| w.label.clone()).collect();
    let label_refs: Vec<&str> = labels.iter().map(String::as_str).collect();
    let ph = plot_height(top);
    let m_top = top_with_headroom(finite_max(weeks.iter().map(|w| w.descent_m)), 10.0, ph);
    let km_top = top_with_headroom(finite_max(weeks.iter().map(|w| w.downhill_km)), 14.0, ph);
    let x_range = -0.5..n as f64 - 0.5;

    let mut chart = chart_builder(root, top, true)
        .build_cartesian_2d(
            category_coord(n, max_week_labels(&label_refs, true)),
            0.0..m_top,
        )?
        .set_secondary_coord(x_range, 0.0..km_top);
    let x_fmt = |v: &f64| week_label(&labels, *v);
    let y_fmt = |v: &f64| fmt_num(*v);
    styled_mesh!(chart, "ISO week", "descent per week (m)", &x_fmt, &y_fmt, 6)
        .disable_x_mesh()
        .draw()?;
    styled_secondary_axis!(chart, "downhill distance (km)", &y_fmt).draw()?;
    let half = if n == 1 { 0.3 } else { 0.36 };
    chart.draw_series(weeks.iter().enumerate().map(|(i, w)| {
        let x = i as f64;
        Rectangle::new(
            [(x - half, 0.0), (x + half, w.descent_m.max(0.0))],
            MEDIUM.filled(),
        )
    }))?;
    chart.draw_secondary_series(LineSeries::new(
        weeks
            .iter()
            .enumerate()
            .map(|(i, w)| (i as f64, w.downhill_km)),
        INK.stroke_width(2),
    ))?;
    chart.draw_secondary_series(
        weeks
            .iter()
            .enumerate()
            .map(|(i, w)| Circle::new((i as f64, w.downhill_km), 4, INK.filled())),
    )?;
    draw_legend(root, &legend)
}

// ---------------------------------------------------------------------------
// 6. Long runs against their limit
// ---------------------------------------------------------------------------

/// Each run's distance by date (dot; triangle in the warning colour when
/// above its limit) and a short black dash at its limit.
pub fn long_runs(runs: &[LongRun]) -> String {
    let points = long_run_points(runs);
    let aria_base = "Chart of run distances in km by date against 110 % of the longest run \
                     in the previous 30 days";
    let Some(axis) = DateAxis::new(&points.iter().map(|p| p.date).collect::<Vec<_>>()) else {
        return no_data_svg(aria_base, None);
    };
    let over = points.iter().filter(|p| p.over_limit).count();
    let aria = format!(
        "{aria_base}, {} runs {}; {over} run(s) above the limit are drawn as triangles",
        points.len(),
        date_span_text(
            points.first().map(|p| p.date),
            points.last().map(|p| p.date)
        ),
    );
    render(&aria, |root| draw_long_runs(root, &points, &axis))
}

fn draw_long_runs(root: &Root<'_>, points: &[LongRunPoint], axis: &DateAxis) -> DrawResult {
    let mut legend: Vec<(Mark, &str)> = vec![(Mark::Dot(DARK), "run distance")];
    if points.iter().any(|p| p.over_limit) {
        legend.push((Mark::Triangle(WARN), "above the limit"));
    }
    legend.push((
        Mark::Tick(INK),
        "110 % of the longest run in the previous 30 days",
    ));
    let top = legend_height(&legend);
    let max = finite_max(
        points
            .iter()
            .flat_map(|p| [Some(p.distance_km), p.limit_km])
            .flatten(),
    );
    let y_top = top_with_headroom(max, 12.0, plot_height(top));

    let mut chart = chart_builder(root, top, false).build_cartesian_2d(axis.coord(), 0.0..y_top)?;
    let x_fmt = |v: &f64| axis.label(*v);
    let y_fmt = |v: &f64| fmt_num(*v);
    styled_mesh!(chart, "date", "run distance (km)", &x_fmt, &y_fmt, 6).draw()?;

    // Limit dashes first so the run markers sit on top.
    chart.draw_series(points.iter().filter_map(|p| {
        let l = p.limit_km?;
        Some(
            EmptyElement::at((axis.x(p.date), l))
                + PathElement::new(vec![(-8, 0), (8, 0)], INK.stroke_width(3)),
        )
    }))?;
    chart.draw_series(
        points
            .iter()
            .filter(|p| !p.over_limit)
            .map(|p| Circle::new((axis.x(p.date), p.distance_km), 4, DARK.filled())),
    )?;
    chart.draw_series(
        points
            .iter()
            .filter(|p| p.over_limit)
            .map(|p| TriangleMarker::new((axis.x(p.date), p.distance_km), 7, WARN.filled())),
    )?;
    draw_legend(root, &legend)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn sample_weeks() -> Vec<WeekBar> {
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

    fn sample_days() -> Vec<LoadDay> {
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

    fn sample_cadence() -> Vec<CadenceRun> {
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

    fn sample_descent() -> Vec<DescentWeek> {
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

    fn sample_long_runs() -> Vec<LongRun> {
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
            });
        }
        out
    }

    fn count(hay: &str, needle: &str) -> usize {
        hay.matches(needle).count()
    }

    fn hex(c: RGBColor) -> String {
        format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
    }

    /// Rects filled with `c` (bars and legend swatches).
    fn rects_with_fill(svg: &str, c: RGBColor) -> usize {
        let fill = format!("fill=\"{}\"", hex(c));
        svg.lines()
            .filter(|l| l.trim_start().starts_with("<rect") && l.contains(&fill))
            .count()
    }

    fn assert_svg_shell(svg: &str) {
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

    fn assert_no_data(svg: &str) {
        assert_svg_shell(svg);
        assert!(svg.contains(">no data</text>"));
    }

    // ----- data helpers -----

    #[test]
    fn cadence_bins_snapshot() {
        let mk = |m: f64, min: f64| CadenceRun {
            date: d("2025-04-01"),
            median_spm: m,
            p10_spm: None,
            p90_spm: None,
            moving_min: min,
        };
        let runs = vec![
            mk(171.2, 40.0),
            mk(165.0, 30.0),
            mk(170.0, 20.0),
            mk(163.9, 55.5),
            mk(165.9, 10.0),
            mk(f64::NAN, 99.0),
            mk(180.0, -5.0),
        ];
        insta::assert_yaml_snapshot!(cadence_bins(&runs, 2.0));
    }

    #[test]
    fn cadence_bins_edge_cases() {
        assert!(cadence_bins(&[], 2.0).is_empty());
        let runs = sample_cadence();
        let bins = cadence_bins(&runs, 2.0);
        let total: f64 = runs.iter().map(|r| r.moving_min).sum();
        assert!((bins.iter().map(|b| b.minutes).sum::<f64>() - total).abs() < 1e-9);
        assert!(bins.windows(2).all(|w| w[0].to_spm <= w[1].from_spm));
        // Invalid bin width falls back to 2 spm.
        assert_eq!(cadence_bins(&runs, 0.0), bins);
        assert_eq!(cadence_bins(&runs, f64::NAN), bins);
    }

    #[test]
    fn ratio_segments_snapshot() {
        let day = |s: &str, r: Option<f64>| LoadDay {
            date: d(s),
            acute_km: 1.0,
            chronic_km: 1.0,
            acwr: r,
        };
        let days = vec![
            day("2025-03-01", None),
            day("2025-03-02", Some(0.9)),
            day("2025-03-03", Some(1.1)),
            day("2025-03-04", None),
            day("2025-03-05", Some(1.6)),
            // gap: 03-06 missing
            day("2025-03-07", Some(1.2)),
            day("2025-03-08", Some(f64::NAN)),
            day("2025-03-09", Some(1.0)),
        ];
        insta::assert_yaml_snapshot!(ratio_segments(&days));
    }

    #[test]
    fn long_run_points_snapshot() {
        insta::assert_yaml_snapshot!(long_run_points(&sample_long_runs()));
    }

    #[test]
    fn change_labels_snapshot() {
        let labels: Vec<Option<String>> = sample_weeks()
            .iter()
            .map(|w| change_label(w.change_pct))
            .chain([
                change_label(Some(0.3)),
                change_label(Some(-0.4)),
                change_label(Some(f64::INFINITY)),
            ])
            .collect();
        insta::assert_yaml_snapshot!(labels);
    }

    #[test]
    fn ticks_are_limited() {
        assert_eq!(thinned_indices(8, 8), (0..8).collect::<Vec<_>>());
        assert_eq!(thinned_indices(30, 8), vec![0, 4, 8, 12, 16, 20, 24, 28]);
        assert!(thinned_indices(0, 8).is_empty());
        for span in [0, 1, 6, 13, 30, 55, 90, 200, 400, 1000, 5000] {
            let t = date_ticks(d("2025-03-05"), span, MAX_X_LABELS);
            assert!(!t.is_empty() || span < 5, "span {span}");
            assert!(t.len() <= MAX_X_LABELS, "span {span}: {t:?}");
        }
        // Weekly steps start on a Monday (2025-03-10).
        assert_eq!(date_ticks(d("2025-03-05"), 55, 8)[0], 5.0);
    }

    // ----- SVG output -----

    #[test]
    fn weekly_km_svg() {
        let weeks = sample_weeks();
        let svg = weekly_km(&weeks);
        assert_svg_shell(&svg);
        assert!(svg.contains("running distance (km)"));
        assert!(svg.contains("partial week"));
        assert!(svg.contains("long run"));
        // 7 complete bars + legend swatch, 1 partial bar + legend swatch.
        assert_eq!(rects_with_fill(&svg, DARK), 7 + 1);
        assert_eq!(rects_with_fill(&svg, LIGHT), 1 + 1);
        // One long-run dot per week + legend.
        assert_eq!(count(&svg, &format!("fill=\"{}\"", hex(ORANGE))), 8 + 1);
        // Change labels for weeks 2..8.
        assert!(svg.contains(">\n+20 %\n</text>") || svg.contains("+20 %"));
        assert_eq!(count(&svg, " %\n</text>"), 7);
        // 8 week labels on the x axis.
        for w in &weeks {
            assert!(svg.contains(&w.label), "{}", w.label);
        }
        assert!(!svg.contains("chart error"));
        assert_no_data(&weekly_km(&[]));
    }

    #[test]
    fn weekly_km_many_weeks_thins_labels() {
        let mut weeks = Vec::new();
        for i in 0..40 {
            let mut w = sample_weeks()[i % 8].clone();
            w.label = format!("2024-W{:02}", i + 1);
            weeks.push(w);
        }
        let svg = weekly_km(&weeks);
        assert_svg_shell(&svg);
        let shown = weeks.iter().filter(|w| svg.contains(&w.label)).count();
        assert!((5..=14).contains(&shown), "{shown}");
        // Change labels become vertical when bars are narrow.
        assert!(svg.contains("rotate(270"));
    }

    #[test]
    fn load_svg() {
        let days = sample_days();
        let svg = load(&days, 1.5);
        assert_svg_shell(&svg);
        assert!(svg.contains("km/day"));
        assert!(svg.contains("context only"));
        assert!(svg.contains("acute:chronic ratio (unitless)"));
        // acute, chronic lines; ratio drawn as 2 segments (days 20..23 None).
        assert_eq!(ratio_segments(&days).len(), 2);
        let ink = format!("stroke=\"{}\"", hex(INK));
        let ratio_lines = svg
            .lines()
            .filter(|l| {
                l.contains("<polyline") && l.contains(&ink) && l.contains("stroke-width=\"1\"")
            })
            .count();
        assert_eq!(ratio_lines, 2 + 1 /* legend */);
        let dark = format!("stroke=\"{}\"", hex(DARK));
        assert_eq!(
            svg.lines()
                .filter(|l| l.contains("<polyline") && l.contains(&dark))
                .count(),
            1 + 1
        );
        assert_no_data(&load(&[], 1.5));
    }

    #[test]
    fn cadence_svg() {
        let runs = sample_cadence();
        let svg = cadence(&runs, 170.0);
        assert_svg_shell(&svg);
        assert!(svg.contains("spm"));
        assert!(svg.contains("170 spm"));
        let dark = format!("fill=\"{}\"", hex(DARK));
        let dots = svg
            .lines()
            .filter(|l| l.contains("<circle") && l.contains(&dark))
            .count();
        assert_eq!(dots, runs.len() + 1);
        let whiskers = runs
            .iter()
            .filter(|r| r.p10_spm.is_some() && r.p90_spm.is_some())
            .count();
        let medium = format!("stroke=\"{}\"", hex(MEDIUM));
        let lines = svg
            .lines()
            .filter(|l| (l.contains("<polyline") || l.contains("<line")) && l.contains(&medium))
            .count();
        assert_eq!(lines, whiskers + 1);
        assert_no_data(&cadence(&[], 170.0));
    }

    #[test]
    fn cadence_distribution_svg() {
        let bins = cadence_bins(&sample_cadence(), 2.0);
        let svg = cadence_distribution(&bins, 170.0);
        assert_svg_shell(&svg);
        assert!(svg.contains("(spm"));
        assert!(svg.contains("(min)"));
        assert!(svg.contains("170 spm"));
        assert_eq!(rects_with_fill(&svg, DARK), bins.len() + 1);
        assert_no_data(&cadence_distribution(&[], 170.0));
    }

    #[test]
    fn descent_svg() {
        let weeks = sample_descent();
        let svg = descent(&weeks);
        assert_svg_shell(&svg);
        assert!(svg.contains("(m)"));
        assert!(svg.contains("downhill distance (km)"));
        assert_eq!(rects_with_fill(&svg, MEDIUM), weeks.len() + 1);
        let ink = format!("fill=\"{}\"", hex(INK));
        let dots = svg
            .lines()
            .filter(|l| l.contains("<circle") && l.contains(&ink))
            .count();
        assert_eq!(dots, weeks.len() + 1);
        assert_no_data(&descent(&[]));
    }

    #[test]
    fn long_runs_svg() {
        let runs = sample_long_runs();
        let pts = long_run_points(&runs);
        let over = pts.iter().filter(|p| p.over_limit).count();
        assert!(over > 0);
        let svg = long_runs(&runs);
        assert_svg_shell(&svg);
        assert!(svg.contains("run distance (km)"));
        assert!(svg.contains("110 % of the longest run in the previous 30 days"));
        let dark = format!("fill=\"{}\"", hex(DARK));
        let dots = svg
            .lines()
            .filter(|l| l.contains("<circle") && l.contains(&dark))
            .count();
        assert_eq!(dots, runs.len() - over + 1);
        let warn = format!("fill=\"{}\"", hex(WARN));
        let tris = svg
            .lines()
            .filter(|l| l.contains("<polygon") && l.contains(&warn))
            .count();
        assert_eq!(tris, over + 1);
        assert_no_data(&long_runs(&[]));
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
        assert_svg_shell(&load(&nan_days, f64::NAN));
        let one_run = vec![sample_cadence()[0].clone()];
        assert_svg_shell(&cadence(&one_run, 170.0));
        assert_svg_shell(&cadence_distribution(&cadence_bins(&one_run, 2.0), 170.0));
        assert_svg_shell(&descent(&[sample_descent()[0].clone()]));
        assert_svg_shell(&long_runs(&[sample_long_runs()[0].clone()]));
        let nan_week = vec![WeekBar {
            run_km: f64::NAN,
            ..sample_weeks()[0].clone()
        }];
        assert_no_data(&weekly_km(&nan_week));
    }

    #[test]
    fn aria_label_is_escaped() {
        let mut w = sample_weeks();
        w[0].label = "<W\"1&".to_string();
        let svg = weekly_km(&w);
        let open = &svg[..svg.find('>').unwrap()];
        assert!(open.contains("&lt;W&quot;1&amp;"), "{open}");
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
            ("load", load(&sample_days(), 1.5)),
            ("cadence", cadence(&sample_cadence(), 170.0)),
            (
                "cadence_distribution",
                cadence_distribution(&cadence_bins(&sample_cadence(), 2.0), 170.0),
            ),
            ("descent", descent(&sample_descent())),
            ("long_runs", long_runs(&sample_long_runs())),
            ("empty", long_runs(&[])),
        ];
        for (name, svg) in files {
            std::fs::write(format!("{dir}/{name}.svg"), svg).unwrap();
        }
    }
}
