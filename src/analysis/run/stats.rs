//! The statistics every per-run figure shares: one nearest-rank percentile (the median is its
//! 50th), time-weighted means.

use super::moving::MAX_MOVING_GAP_S;

/// The `p`-th percentile (`p` in 0..=100, clamped) of the values that are not NaN, by nearest
/// rank: the smallest value with at least `p` % of the values at or below it (`p = 0` gives
/// the minimum). `None` when no value is left or `p` is NaN. For cadence p10/p90 the same
/// definition runs with moving time as the weights.
pub fn percentile(values: &[f64], p: f64) -> Option<f64> {
    if p.is_nan() {
        return None;
    }
    let mut kept: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
    select_rank(&mut kept, p)
}

/// [`percentile`] of `values` selected where they lie (their order is lost, NaNs dropped): for
/// a caller that has no more use for them, and no copy.
pub(crate) fn percentile_in_place(values: &mut Vec<f64>, p: f64) -> Option<f64> {
    if p.is_nan() {
        return None;
    }
    values.retain(|v| !v.is_nan());
    select_rank(values, p)
}

/// The nearest-rank `p`-th percentile of `kept`, which holds no NaN.
fn select_rank(kept: &mut [f64], p: f64) -> Option<f64> {
    if kept.is_empty() {
        return None;
    }
    // With every weight 1 the nearest rank is the ceiling of n × p / 100 (at least the first),
    // found by selection rather than a sort; the same value as `weighted_percentile` gives.
    let target = kept.len() as f64 * (p.clamp(0.0, 100.0) / 100.0);
    let rank = (target.ceil() as usize).clamp(1, kept.len());
    let (_, v, _) = kept.select_nth_unstable_by(rank - 1, |a, b| a.total_cmp(b));
    Some(*v)
}

/// Nearest-rank percentile of `(value, weight)` pairs: the smallest value whose cumulative
/// weight reaches `p` % of the total. Where no pair has weight, every one counts equally (as
/// [`weighted_median`] does).
pub(crate) fn weighted_percentile(pairs: Vec<(f64, f64)>, p: f64) -> Option<f64> {
    nearest_rank(&by_value(pairs), p)
}

/// `(value, weight)` pairs made ready for [`nearest_rank`]: every weight 1 where none is
/// positive, then the pairs with positive weight, sorted by value. Equal values may change places
/// (an unstable sort, the same order for the same pairs every time): which value a rank falls on
/// does not depend on it.
pub(crate) fn by_value(mut pairs: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    if !pairs.iter().any(|(_, w)| *w > 0.0) {
        pairs.iter_mut().for_each(|pair| pair.1 = 1.0);
    }
    pairs.retain(|(_, w)| *w > 0.0);
    pairs.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    pairs
}

/// Whole values below this are totalled in a slot each by [`totals_by_value`]: heart rates,
/// and cadences as devices record them (whole steps a minute), without a sort.
const TOTALLED_IN_SLOTS: usize = 1024;

/// `(value, total weight, pairs)` for each distinct value of `pairs`, in ascending order: the
/// weights of equal values added in the order the pairs come (as a stable sort by value would
/// put them), the first as it is. Whole values from 0 up to [`TOTALLED_IN_SLOTS`] go straight
/// into a slot each; any other value (a fractional cadence, a negative zero) sends every pair
/// through a sort.
pub(crate) fn totals_by_value(
    pairs: impl Iterator<Item = (f64, f64)> + Clone,
) -> Vec<(f64, f64, u32)> {
    let mut slots = vec![(0.0f64, 0u32); TOTALLED_IN_SLOTS];
    for (v, w) in pairs.clone() {
        let i = v as usize; // saturating: NaN and negatives to 0, the huge to usize::MAX
        let whole = i as f64 == v && v.is_sign_positive();
        let Some(slot) = slots.get_mut(i).filter(|_| whole) else {
            return totals_sorted(pairs);
        };
        slot.0 = if slot.1 == 0 { w } else { slot.0 + w };
        slot.1 += 1;
    }
    slots
        .into_iter()
        .enumerate()
        .filter(|(_, (_, n))| *n > 0)
        .map(|(i, (w, n))| (i as f64, w, n))
        .collect()
}

/// [`totals_by_value`] of any values, through a stable sort.
#[cold]
fn totals_sorted(pairs: impl Iterator<Item = (f64, f64)>) -> Vec<(f64, f64, u32)> {
    let mut pairs: Vec<(f64, f64)> = pairs.collect();
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out: Vec<(f64, f64, u32)> = Vec::new();
    for (v, w) in pairs {
        match out.last_mut() {
            Some(last) if last.0 == v => {
                last.1 += w;
                last.2 += 1;
            }
            _ => out.push((v, w, 1)),
        }
    }
    out
}

/// [`weighted_percentile`] of pairs already made ready by [`by_value`]: several percentiles of
/// one set sort it once.
pub(crate) fn nearest_rank(sorted: &[(f64, f64)], p: f64) -> Option<f64> {
    if p.is_nan() || sorted.is_empty() {
        return None;
    }
    let p = p.clamp(0.0, 100.0);
    // p / 100 first: the 50th is exactly half the total.
    let target = sorted.iter().map(|pair| pair.1).sum::<f64>() * (p / 100.0);
    let mut acc = 0.0;
    for (v, w) in sorted {
        acc += w;
        if acc >= target {
            return Some(*v);
        }
    }
    sorted.last().map(|pair| pair.0)
}

/// Median of `values` (those > 0) weighted by `weights`; `None` when no value qualifies. Where
/// no qualifying sample has weight (no movement information), every one counts equally.
pub fn weighted_median(values: &[f64], weights: &[f64]) -> Option<f64> {
    let pairs: Vec<(f64, f64)> = values
        .iter()
        .zip(weights)
        .filter(|(v, _)| **v > 0.0)
        .map(|(v, w)| (*v, *w))
        .collect();
    weighted_percentile(pairs, 50.0)
}

/// Mean of the values > 0 weighted by moving time; every such value counts equally where none
/// has moving time. `None` without a value > 0.
pub(crate) fn weighted_mean(values: &[f64], w: &[f64]) -> Option<f64> {
    // Two passes over the pairs where they lie (no copy of them is kept).
    let pairs = || {
        values
            .iter()
            .zip(w)
            .filter(|(v, _)| **v > 0.0 && v.is_finite())
    };
    // Whether any pair has weight: the first pass stops at the first that has.
    let mut weighted = pairs().map(|(_, w)| *w > 0.0);
    let first = weighted.next()?;
    let with_weight = first || weighted.any(|w| w);
    let (mut sum, mut total) = (0.0, 0.0);
    for (v, w) in pairs() {
        let w = if with_weight { *w } else { 1.0 };
        sum += v * w;
        total += w;
    }
    (total > 0.0).then(|| sum / total)
}

/// Mean of `values` (NaN skipped, zeros kept) weighted by the time to the next sample, gaps
/// longer than [`MAX_MOVING_GAP_S`] (the timer stopped) left out.
pub fn recorded_mean(t_s: &[f64], values: &[f64]) -> Option<f64> {
    let (mut sum, mut total) = (0.0, 0.0);
    for i in 0..values.len().saturating_sub(1) {
        let dt = t_s[i + 1] - t_s[i];
        if values[i].is_nan() || !(dt > 0.0 && dt <= MAX_MOVING_GAP_S) {
            continue;
        }
        sum += values[i] * dt;
        total += dt;
    }
    (total > 0.0).then(|| sum / total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_in_slots_are_those_of_a_stable_sort() {
        let mut rng = crate::synth::Rng::new(11);
        let mut next = || rng.uniform();
        // Heart rates and cadences as devices record them, with moving times of every kind
        // (whole seconds, fractions, a negative zero first), then one fractional value.
        let mut pairs: Vec<(f64, f64)> = vec![(150.0, -0.0), (150.0, 0.3)];
        for _ in 0..5000 {
            let v = (60.0 + next() * 140.0).floor();
            let w = if next() < 0.5 { 1.0 } else { next() * 3.0 };
            pairs.push((v, w));
        }
        pairs.push((0.0, 2.5));
        pairs.push((1023.0, 0.1));
        let slotted = totals_by_value(pairs.iter().copied());
        // Distinct values, ascending.
        assert!(slotted.windows(2).all(|w| w[0].0 < w[1].0));
        let sorted = totals_sorted(pairs.iter().copied());
        let bits = |t: &[(f64, f64, u32)]| -> Vec<(u64, u64, u32)> {
            t.iter()
                .map(|(v, w, n)| (v.to_bits(), w.to_bits(), *n))
                .collect()
        };
        assert_eq!(bits(&slotted), bits(&sorted));
        assert_eq!(slotted.iter().map(|t| t.2).sum::<u32>(), 5004);
        // A fractional value, or one past the slots, goes through the sort: the same totals.
        for odd in [172.5, 1024.0, 1e300, -0.0] {
            let mut more = pairs.clone();
            more.push((odd, 1.0));
            let t = totals_by_value(more.iter().copied());
            assert_eq!(bits(&t), bits(&totals_sorted(more.iter().copied())));
            assert!(t.iter().any(|l| l.0 == odd && l.2 >= 1), "{odd}");
        }
    }
}
