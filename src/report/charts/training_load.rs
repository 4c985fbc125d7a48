//! 2. Acute and chronic load.

use plotters::prelude::*;

use super::axes::*;
use super::style::*;
use chrono::NaiveDate;

use super::{finite_max, no_data_svg, render, DrawResult, LoadDay, PainMark, Root};
use plotters::style::text_anchor::{HPos, Pos, VPos};

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

/// Acute and chronic load (km/day) on the left axis, the acute:chronic ratio
/// on the right axis with a dashed reference at `ratio_line`.
pub fn training_load(days: &[LoadDay], ratio_line: f64) -> String {
    training_load_with_pain(days, ratio_line, &[])
}

/// [`training_load`] with the pain log's entries marked on their days (a triangle and the
/// score, at the top of the plot).
pub fn training_load_with_pain(days: &[LoadDay], ratio_line: f64, pain: &[PainMark]) -> String {
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
    let aria = if pain.is_empty() {
        aria
    } else {
        format!("{aria}; triangles mark {} pain log entries", pain.len())
    };
    let owned: Vec<LoadDay> = days.into_iter().cloned().collect();
    render(&aria, |root| {
        draw_load(root, &owned, &axis, ratio_line, pain)
    })
}

fn draw_load(
    root: &Root<'_>,
    days: &[LoadDay],
    axis: &DateAxis,
    ratio_line: f64,
    pain: &[PainMark],
) -> DrawResult {
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
    let marks: Vec<&PainMark> = pain
        .iter()
        .filter(|p| axis.range.contains(&axis.x(p.date)))
        .collect();
    let mut legend = legend;
    if !marks.is_empty() {
        legend.push((Mark::Triangle(WARN), "pain log entry (score /10)"));
    }
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
    chart.draw_series(marks.iter().map(|p| {
        EmptyElement::at((axis.x(p.date), y_top * 0.96))
            + TriangleMarker::new((0, 0), 7, WARN.filled())
            + Text::new(
                p.score.to_string(),
                (8, -6),
                font(NOTE_SIZE).pos(Pos::new(HPos::Left, VPos::Top)),
            )
    }))?;
    draw_legend(root, &legend)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::testing::*;

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
    fn load_svg() {
        let days = sample_days();
        let svg = training_load(&days, 1.5);
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
        assert_no_data(&training_load(&[], 1.5));
    }
}
