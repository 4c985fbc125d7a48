//! 3. Cadence per run over time.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axes::*;
use super::style::*;
use super::{finite_max, finite_min, no_data_svg, render, CadenceRun, DrawResult, Root};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::testing::*;

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
}
