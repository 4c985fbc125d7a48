//! The house style of every chart: colours, fonts, layout, the mesh and the legend.
//!
//! Colours are picked so that series differ in lightness and/or in marker shape and line
//! width, so the charts still read when printed in greyscale.

use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{DrawResult, Root, HEIGHT, WIDTH};

pub(super) const FONT: &str = "sans-serif";
/// plotters' font sizes; the SVG backend writes `size / 1.24` as font-size.
pub(super) const TICK_SIZE: f64 = 15.0; // ≈ 12 px
pub(super) const DESC_SIZE: f64 = 16.0; // ≈ 13 px
pub(super) const LEGEND_SIZE: f64 = 15.0; // ≈ 12 px
pub(super) const NOTE_SIZE: f64 = 14.0; // ≈ 11 px

/// Layout (px).
pub(super) const MARGIN_LEFT: u32 = 12;
pub(super) const MARGIN_RIGHT: u32 = 24;
pub(super) const MARGIN_BOTTOM: u32 = 6;
pub(super) const X_LABEL_AREA: u32 = 48;
pub(super) const Y_LABEL_AREA: u32 = 74;
pub(super) const LEGEND_ROW: u32 = 20;
pub(super) const LEGEND_TOP: u32 = 6;
/// Right margin of the cadence chart, room for the reference-line label.
pub(super) const CADENCE_LABEL_MARGIN: u32 = 64;

/// Dark blue: main bars/points (greyscale ≈ 36 %).
pub(super) const DARK: RGBColor = RGBColor(0x31, 0x63, 0x95);
/// Light blue: partial weeks, whiskers, secondary bars (greyscale ≈ 75 %).
pub(super) const LIGHT: RGBColor = RGBColor(0xB4, 0xCD, 0xE6);
/// Medium blue for descent bars (greyscale ≈ 63 %).
pub(super) const MEDIUM: RGBColor = RGBColor(0x7F, 0xA7, 0xD1);
/// Orange (Okabe–Ito): long-run dots, chronic load (greyscale ≈ 64 %).
pub(super) const ORANGE: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
/// Vermillion (Okabe–Ito): warnings and reference lines.
pub(super) const WARN: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
/// Near-black for text, outlines and thin lines.
pub(super) const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
pub(super) const GRID: RGBColor = RGBColor(0xE2, 0xE2, 0xE2);
pub(super) const AXIS: RGBColor = RGBColor(0x55, 0x55, 0x55);

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

pub(super) fn font(size: f64) -> TextStyle<'static> {
    TextStyle::from((FONT, size).into_font()).color(&INK)
}

/// Estimated width (px) of `text` at plotters font size `size`, matching
/// plotters' naive estimate (≈ 0.55 em per character).
pub(super) fn text_width(text: &str, size: f64) -> i32 {
    (size / 1.24 / 1.24 * 0.7 * text.chars().count() as f64).round() as i32
}

// ----- legend drawn in the top margin, outside the plot -----

#[derive(Clone, Copy)]
pub(super) enum Mark {
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

pub(super) const SWATCH: i32 = 24;

pub(super) fn legend_layout(items: &[(Mark, &str)]) -> (Vec<(i32, i32)>, u32) {
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
pub(super) fn legend_height(items: &[(Mark, &str)]) -> u32 {
    legend_layout(items).1
}

pub(super) fn draw_legend(root: &Root<'_>, items: &[(Mark, &str)]) -> DrawResult {
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

pub(super) fn chart_builder<'a, 'b>(
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
pub(super) fn plot_height(top: u32) -> f64 {
    f64::from(HEIGHT.saturating_sub(top + MARGIN_BOTTOM + X_LABEL_AREA)).max(50.0)
}

/// Pixel width of the plotting area.
pub(super) fn plot_width(right_axis: bool) -> f64 {
    let right = if right_axis {
        8 + Y_LABEL_AREA
    } else {
        MARGIN_RIGHT
    };
    f64::from(WIDTH - MARGIN_LEFT - Y_LABEL_AREA - right)
}

/// Upper end of a value axis so that `need_px` pixels stay free above `max`.
pub(super) fn top_with_headroom(max: f64, need_px: f64, plot_px: f64) -> f64 {
    let max = if max.is_finite() && max > 0.0 {
        max
    } else {
        1.0
    };
    let free = (plot_px - need_px).max(plot_px * 0.4);
    max * plot_px / free
}
