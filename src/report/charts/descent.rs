//! 5. Weekly descent and downhill distance.

use plotters::prelude::*;

use super::axes::*;
use super::style::*;
use super::{finite_max, no_data_svg, render, DescentWeek, DrawResult, Root};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::testing::*;

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
}
