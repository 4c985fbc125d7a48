//! 6. Each run against its long-run limit.

use plotters::prelude::*;

use super::axes::*;
use super::style::*;
use super::{finite_max, no_data_svg, render, DrawResult, LongRun, Root};
use crate::analysis::load::SPIKE_LOOKBACK_DAYS;
use crate::report::format::ratio_pct;

/// The runs to draw, sorted by date: non-finite distances dropped, non-finite limits treated
/// as missing. `over_limit` is the analysis' decision and is kept as it is.
pub fn long_run_points(runs: &[LongRun]) -> Vec<LongRun> {
    let mut out: Vec<LongRun> = runs
        .iter()
        .filter(|r| r.distance_km.is_finite())
        .map(|r| LongRun {
            limit_km: r.limit_km.filter(|v| v.is_finite()),
            ..r.clone()
        })
        .collect();
    out.sort_by_key(|p| p.date);
    out
}

/// What the limit mark stands for: `110 % of the longest run in the previous 30 days`, with
/// the percentage from `ratio` (`single_run_spike_ratio`).
pub fn limit_words(ratio: f64) -> String {
    format!(
        "{} of the longest run in the previous {SPIKE_LOOKBACK_DAYS} days",
        ratio_pct(ratio)
    )
}

/// Each run's distance by date (dot; triangle in the warning colour when
/// above its limit) and a short black dash at its limit, `limit_ratio` × the longest run of
/// the previous 30 days (named in the legend and the description).
pub fn long_runs(runs: &[LongRun], limit_ratio: f64) -> String {
    let points = long_run_points(runs);
    let limit = limit_words(limit_ratio);
    let aria_base = format!("Chart of run distances in km by date against {limit}");
    let Some(axis) = DateAxis::new(&points.iter().map(|p| p.date).collect::<Vec<_>>()) else {
        return no_data_svg(&aria_base, None);
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
    render(&aria, |root| draw_long_runs(root, &points, &axis, &limit))
}

fn draw_long_runs(root: &Root<'_>, points: &[LongRun], axis: &DateAxis, limit: &str) -> DrawResult {
    let mut legend: Vec<(Mark, &str)> = vec![(Mark::Dot(DARK), "run distance")];
    if points.iter().any(|p| p.over_limit) {
        legend.push((Mark::Triangle(WARN), "above the limit"));
    }
    legend.push((Mark::Tick(INK), limit));
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
    use crate::report::charts::testing::*;

    #[test]
    fn long_run_points_snapshot() {
        insta::assert_yaml_snapshot!(long_run_points(&sample_long_runs()));
    }

    #[test]
    fn long_runs_svg() {
        let runs = sample_long_runs();
        let pts = long_run_points(&runs);
        let over = pts.iter().filter(|p| p.over_limit).count();
        assert!(over > 0);
        let svg = long_runs(&runs, 1.1);
        assert_svg_shell(&svg);
        assert!(svg.contains("run distance (km)"));
        assert_eq!(
            count(&svg, "110 % of the longest run in the previous 30 days"),
            2,
            "legend and description"
        );
        let other = long_runs(&runs, 1.25);
        assert_eq!(
            count(&other, "125 % of the longest run in the previous 30 days"),
            2
        );
        assert!(!other.contains("110 %"));
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
        assert_no_data(&long_runs(&[], 1.1));
    }
}
