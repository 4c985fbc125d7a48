//! 4. Cadence distribution: running minutes by run median cadence.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axes::*;
use super::style::*;
use super::{finite_max, finite_min, no_data_svg, render, DrawResult, Root};
use crate::analysis::run::CadenceBin;

/// Histogram of running minutes per cadence bin (the analysis' `cadence_distribution`) with
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::testing::*;

    #[test]
    fn cadence_distribution_svg() {
        let bins = sample_bins();
        let svg = cadence_distribution(&bins, 170.0);
        assert_svg_shell(&svg);
        assert!(svg.contains("(spm"));
        assert!(svg.contains("(min)"));
        assert!(svg.contains("170 spm"));
        assert_eq!(rects_with_fill(&svg, DARK), bins.len() + 1);
        assert_no_data(&cadence_distribution(&[], 170.0));
    }
}
