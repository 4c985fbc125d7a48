//! Axes: the date axis and its ticks, category (week) axes, label thinning, tick formats.

use std::ops::Range;

use chrono::{Datelike, NaiveDate};
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::style::{plot_width, text_width, TICK_SIZE};
/// Axis values and reference lines are written without useless decimals.
pub(super) use crate::report::format::number as fmt_num;

/// At most this many labelled ticks on an x axis.
pub(super) const MAX_X_LABELS: usize = 8;

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

pub(super) struct DateAxis {
    base: NaiveDate,
    pub(super) range: Range<f64>,
    ticks: Vec<f64>,
}

impl DateAxis {
    pub(super) fn new(dates: &[NaiveDate]) -> Option<Self> {
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

    pub(super) fn x(&self, d: NaiveDate) -> f64 {
        (d - self.base).num_days() as f64
    }

    pub(super) fn label(&self, v: f64) -> String {
        self.base
            .checked_add_signed(chrono::Duration::days(v.round() as i64))
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default()
    }

    pub(super) fn coord(&self) -> TickedAxis {
        TickedAxis::new(self.range.clone(), self.ticks.clone())
    }
}

/// A linear f64 axis whose labelled ticks are exactly `ticks` (no light
/// mesh lines). plotters' `WithKeyPoints` does not forward the f64 value
/// formatter, so this small wrapper is used instead.
#[derive(Clone)]
pub(super) struct TickedAxis {
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
pub(super) fn date_ticks(base: NaiveDate, span_days: i64, max_labels: usize) -> Vec<f64> {
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
pub(super) fn category_coord(n: usize, max_labels: usize) -> TickedAxis {
    let ticks: Vec<f64> = thinned_indices(n, max_labels)
        .into_iter()
        .map(|i| i as f64)
        .collect();
    TickedAxis::new(-0.5..n as f64 - 0.5, ticks)
}

/// Max number of week labels that fit ("2025-W13" ≈ 60 px plus a gap).
pub(super) fn max_week_labels(labels: &[&str], right_axis: bool) -> usize {
    let longest = labels
        .iter()
        .map(|l| text_width(l, TICK_SIZE))
        .max()
        .unwrap_or(60);
    ((plot_width(right_axis) / f64::from(longest + 24)) as usize).clamp(1, 14)
}

pub(super) fn week_label(labels: &[String], v: f64) -> String {
    let i = v.round();
    if (v - i).abs() > 1e-6 || i < 0.0 {
        return String::new();
    }
    labels.get(i as usize).cloned().unwrap_or_default()
}

pub(super) fn date_span_text(first: Option<NaiveDate>, last: Option<NaiveDate>) -> String {
    match (first, last) {
        (Some(a), Some(b)) => format!("from {} to {}", a.format("%Y-%m-%d"), b.format("%Y-%m-%d")),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::testing::*;

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
}
