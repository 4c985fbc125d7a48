//! 1. Weekly running distance.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axes::*;
use super::style::*;
use super::{finite_max, no_data_svg, render, DrawResult, PainMark, Root, WeekBar};

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

/// Bars of running km per week, the week-over-week change written above each
/// bar, the long run as a dot on each bar; partial weeks drawn light with an
/// outline.
pub fn weekly_km(weeks: &[WeekBar]) -> String {
    weekly_km_with_pain(weeks, &[])
}

/// [`weekly_km`] with the pain log's entries marked over the weeks they fall in (a triangle
/// and the score, at the top of the plot).
pub fn weekly_km_with_pain(weeks: &[WeekBar], pain: &[PainMark]) -> String {
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
    let aria = if pain.is_empty() {
        aria
    } else {
        format!("{aria}; triangles mark {} pain log entries", pain.len())
    };
    render(&aria, |root| draw_weekly(root, &weeks, pain))
}

fn draw_weekly(root: &Root<'_>, weeks: &[&WeekBar], pain: &[PainMark]) -> DrawResult {
    let n = weeks.len();
    let mut legend: Vec<(Mark, &str)> = vec![(Mark::Bar(DARK), "running distance")];
    if weeks.iter().any(|w| !w.complete) {
        legend.push((Mark::OutlinedBar(LIGHT, DARK), "partial week"));
    }
    legend.push((Mark::RingDot(ORANGE), "long run"));
    if weeks.iter().any(|w| change_label(w.change_pct).is_some()) {
        legend.push((Mark::Note, "+x % = change vs previous week"));
    }
    // Each pain entry over the week it falls in, left of the change label; a week's second
    // entry a little to the right of its first.
    let mut marks: Vec<(f64, u8)> = Vec::new();
    let mut in_week: Vec<usize> = vec![0; weeks.len()];
    for p in pain {
        if let Some(i) = weeks
            .iter()
            .position(|w| w.start <= p.date && p.date < w.start + chrono::Days::new(7))
        {
            marks.push((i as f64 - 0.3 + 0.1 * in_week[i] as f64, p.score));
            in_week[i] += 1;
        }
    }
    if !marks.is_empty() {
        legend.push((Mark::Triangle(WARN), "pain log entry (score /10)"));
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
    chart.draw_series(marks.iter().map(|&(x, score)| {
        EmptyElement::at((x, y_top * 0.96))
            + TriangleMarker::new((0, 0), 7, WARN.filled())
            + Text::new(
                score.to_string(),
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
    fn aria_label_is_escaped() {
        let mut w = sample_weeks();
        w[0].label = "<W\"1&".to_string();
        let svg = weekly_km(&w);
        let open = &svg[..svg.find('>').unwrap()];
        assert!(open.contains("&lt;W&quot;1&amp;"), "{open}");
    }
}
