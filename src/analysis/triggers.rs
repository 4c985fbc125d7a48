//! Your own triggers (RISK_MODEL.md, "Your own triggers"): the runner's pain log against their
//! own training, as a case-crossover study (Maclure 1991). Each runner is their own control, so
//! what does not change (their knees, their shoes, their age) drops out.
//!
//! * A pain **episode** starts with an entry of score ≥ 3 after at least 14 days without one
//!   (its day is more than 14 days after the previous such entry); the entries of score ≥ 3 that
//!   follow within 14 days of the last belong to it.
//! * Its **case window** is the 14 days up to and including its first day (as the pain log's
//!   `preceded_by`: pain is often logged after that day's run).
//! * Its **control windows** are the same 14 days 4, 8, 12… weeks before, as far back as the
//!   data reaches, none overlapping an episode (its first to its last entry) or the 28 days
//!   after one. The case and its controls are one matched set. No window starts in the data's
//!   first 28 days, where the rules cannot yet compare with the weeks before ([`UNJUDGED_DAYS`]).
//! * Per event code: how many episodes had it in their window, how many control windows did, the
//!   Mantel–Haenszel odds ratio over the matched sets, and the exact one-sided p-value of the
//!   conditional test: within each set, given how many of its windows had the event, which of
//!   them is the case is equally likely (the permutation distribution), so the number of exposed
//!   cases is a sum of independent Bernoullis whose exact distribution is convolved set by set.
//!   No normal approximation: it holds at 3 episodes as at 300.
//! * A code is **significant** when its p-value stays ≤ 0.05 after Holm's correction over the
//!   codes tested (those with at least one set in which the case could have gone either way; a
//!   code that cannot be significant whatever the windows hold adds nothing to the correction).
//!
//! Under 3 episodes with a control window, nothing is tested and the reason is given. Entries
//! outside the training data's dates are ignored here, with one warning. Habits are not tested:
//! they hold in nearly every window.
//!
//! Linear in entries and days: each window's events come from prefix sums over the days, and a
//! set's control counts from sums over every 28th day; only the exact distribution is quadratic,
//! in the sets that can inform it (at most one per 15 days of data).

use chrono::NaiveDate;
use serde::Serialize;

use super::rules::{Finding, Kind, Rule, RULES};

/// Days of an episode's window and of each control window.
pub const WINDOW_DAYS: i64 = 14;
/// The lowest score that can start an episode.
pub const EPISODE_SCORE: u8 = 3;
/// An entry starts an episode after this many days without one of score ≥ 3; entries within it
/// after the last belong to the episode.
pub const EPISODE_GAP_DAYS: i64 = 14;
/// Control windows lie 4, 8, 12… weeks before the episode.
pub const CONTROL_STEP_DAYS: i64 = 28;
/// Days after an episode's last entry that no control window may touch.
pub const AFTER_EPISODE_DAYS: i64 = 28;
/// The data's first days, in which the rules cannot yet judge against the weeks before
/// (`descent-spike`'s 4 weeks, `single-run-spike`'s 30 days, `acwr-high`'s 28): no window, case
/// or control, starts in them. Without this the controls, always earlier than their case, fall
/// in them more often than cases do, and events that cannot fire there look like triggers.
pub const UNJUDGED_DAYS: i64 = 28;
/// The fewest episodes (each with a control window) that are tested.
pub const MIN_EPISODES: usize = 3;
/// The family-wise error rate of Holm's correction.
pub const ALPHA: f64 = 0.05;

/// What the pain log says about the runner's own triggers.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Triggers {
    /// Pain episodes within the training data's dates.
    pub episodes: usize,
    /// Of them, those with at least one control window (the matched sets tested).
    pub matched: usize,
    /// Why nothing is tested (under 3 episodes with a control window); `None` when tested.
    pub left_out: Option<String>,
    /// One per event code tested, in the order of RISK_MODEL.md's table.
    pub codes: Vec<Trigger>,
    /// The event codes no window held (nothing to test).
    pub not_seen: Vec<Rule>,
    /// Entries ignored, once for all (outside the training data's dates).
    pub warnings: Vec<String>,
}

/// One event code against the pain episodes.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Trigger {
    pub code: Rule,
    /// The matched sets (episodes with at least one control window), and of them those whose
    /// 14 days held the event.
    pub episodes: usize,
    pub episodes_with: usize,
    /// The control windows of those sets, and of them those that held the event.
    pub control_windows: usize,
    pub control_with: usize,
    /// Mantel–Haenszel over the matched sets; `None` where it is infinite (no control window
    /// of an informative set held the event) or undefined.
    pub odds_ratio: Option<f64>,
    /// Exact one-sided conditional p-value, before Holm's correction.
    pub p_value: f64,
    /// After Holm's correction over the codes tested.
    pub p_holm: f64,
    pub significant: bool,
    /// Where not significant: the episodes that, each following the event, would make it
    /// significant at the share of control windows seen (`None` when the event is in nearly
    /// every window).
    pub episodes_needed: Option<usize>,
}

impl Triggers {
    /// The significant codes, in table order.
    pub fn significant(&self) -> impl Iterator<Item = &Trigger> {
        self.codes.iter().filter(|t| t.significant)
    }

    /// Whether `code` is a significant trigger.
    pub fn is_trigger(&self, code: Rule) -> bool {
        self.significant().any(|t| t.code == code)
    }
}

/// The long-run ceiling of the outlook for a runner whose own log points to
/// `single-run-spike` (instead of 1.1 ×).
pub const LONG_RUN_RATIO: f64 = 1.05;
/// The descent ceiling for `descent-spike` or `steep-descent` (instead of 1.5 ×).
pub const DESCENT_RATIO: f64 = 1.2;
/// The week ceiling for `weekly-jump` or `return-too-fast` (instead of 1.3 ×).
pub const WEEK_RATIO: f64 = 1.15;

/// An event in words: (one, several), for the sentences about triggers.
pub fn words(code: Rule) -> (&'static str, &'static str) {
    match code {
        Rule::SingleRunSpike => ("a long-run spike", "long-run spikes"),
        Rule::WeeklyJump => ("a weekly jump in distance", "weekly jumps in distance"),
        Rule::ReturnTooFast => ("a return that came too fast", "fast returns"),
        Rule::AcwrHigh => ("a high acute:chronic ratio", "high acute:chronic ratios"),
        Rule::CadenceFade => ("a run whose cadence faded", "fading cadence"),
        Rule::DescentSpike => ("a week of much more descent", "descent spikes"),
        Rule::SteepDescent => ("a run with much steep descent", "steep descents"),
        Rule::HardDaysClustered => ("hard days stacked together", "stacked hard days"),
        Rule::StackedIncreases => ("a week of stacked increases", "stacked increases"),
        // Habits are not tested.
        other => (other.code(), other.code()),
    }
}

/// `0.01`, `0.002`, `< 0.001`.
pub fn p_words(p: f64) -> String {
    if p < 0.001 {
        "p < 0.001".to_string()
    } else if p < 0.01 {
        format!("p = {p:.3}")
    } else {
        format!("p = {p:.2}")
    }
}

impl Trigger {
    /// RISK_MODEL.md's sentence: the counts said plainly, the p-value after Holm's correction,
    /// and what it means for this runner (never a cause).
    pub fn sentence(&self) -> String {
        let (one, several) = words(self.code);
        let counts = format!(
            "{} of your {} pain episodes followed {one} in the 14 days before; in your pain-free \
             stretches {} of {} windows did ({})",
            self.episodes_with,
            self.episodes,
            self.control_with,
            self.control_windows,
            p_words(self.p_holm)
        );
        if self.significant {
            return format!("{counts}: for you, {several} look like a trigger");
        }
        let share = if self.control_windows == 0 {
            String::new()
        } else {
            let (n, d) = fraction(self.control_with, self.control_windows);
            format!("; {several} fall in {n} of {d} of your pain-free fortnights")
        };
        match self.episodes_needed {
            Some(k) if k > self.episodes => {
                format!("{counts}: too few to tell{share}; about {k} episodes are needed to tell")
            }
            _ => format!("{counts}: no sign that {several} precede your pain"),
        }
    }
}

/// `with / of` as a small fraction: 4 of 19 is about 1 in 5 (the nearest of n/d, d ≤ 5).
fn fraction(with: usize, of: usize) -> (usize, usize) {
    let x = with as f64 / of as f64;
    let mut best = (0, 1, f64::MAX);
    for d in 1..=5usize {
        let n = (x * d as f64).round() as usize;
        let err = (x - n as f64 / d as f64).abs();
        if err < best.2 - 1e-9 {
            best = (n, d, err);
        }
    }
    (best.0, best.1)
}

/// A pain entry as the triggers need it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Entry {
    pub date: NaiveDate,
    pub score: u8,
}

/// An episode: its first and last entry.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Episode {
    pub first: NaiveDate,
    pub last: NaiveDate,
}

/// One matched set for one code: the case's window held the event or not; of `controls`
/// windows, `with` did.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Set {
    pub case: bool,
    pub controls: usize,
    pub with: usize,
}

/// The triggers of the pain log `entries` against the events of `findings`, over the training
/// data's days `first..=last`; `source` names the log in the warning.
pub fn triggers(
    entries: &[Entry],
    findings: &[Finding],
    first: NaiveDate,
    last: NaiveDate,
    source: &str,
) -> Triggers {
    let events: Vec<(Rule, NaiveDate)> = findings
        .iter()
        .filter(|f| f.kind == Kind::Event)
        .filter_map(|f| Some((f.code, f.date?)))
        .collect();
    from_events(entries, &events, first, last, source)
}

/// [`triggers`] from the events as (code, day).
pub fn from_events(
    entries: &[Entry],
    events: &[(Rule, NaiveDate)],
    first: NaiveDate,
    last: NaiveDate,
    source: &str,
) -> Triggers {
    let mut warnings = Vec::new();
    let outside = entries
        .iter()
        .filter(|e| e.date < first || e.date > last)
        .count();
    if outside > 0 {
        warnings.push(format!(
            "{source}: {outside} pain entr{} outside the training data's dates ({first} to \
             {last}) ignored for triggers",
            if outside == 1 { "y" } else { "ies" }
        ));
    }
    let mut dates: Vec<NaiveDate> = entries
        .iter()
        .filter(|e| e.date >= first && e.date <= last && e.score >= EPISODE_SCORE)
        .map(|e| e.date)
        .collect();
    dates.sort_unstable();
    let episodes = episodes(&dates);
    let codes: Vec<Rule> = RULES
        .iter()
        .copied()
        .filter(|r| r.info().kind == Kind::Event)
        .collect();
    let sets = matched_sets(&episodes, events, &codes, first, last);
    let matched = sets.first().map_or(0, |s| s.len());
    let mut out = Triggers {
        episodes: episodes.len(),
        matched,
        left_out: None,
        codes: Vec::new(),
        not_seen: Vec::new(),
        warnings,
    };
    if matched < MIN_EPISODES {
        out.left_out = Some(left_out_reason(episodes.len(), matched));
        return out;
    }
    let mut tested = Vec::new();
    for (code, sets) in codes.iter().zip(&sets) {
        let informative = sets.iter().any(informs);
        if !informative {
            // Every window or none held it: nothing to compare.
            let seen = sets.iter().any(|s| s.case || s.with > 0);
            if !seen {
                out.not_seen.push(*code);
                continue;
            }
        }
        let (episodes_with, control_windows, control_with) =
            sets.iter().fold((0, 0, 0), |(a, n, m), s| {
                (a + usize::from(s.case), n + s.controls, m + s.with)
            });
        tested.push((informative, *code, sets));
        out.codes.push(Trigger {
            code: *code,
            episodes: sets.len(),
            episodes_with,
            control_windows,
            control_with,
            odds_ratio: mantel_haenszel(sets),
            p_value: exact_p(sets),
            p_holm: 1.0,
            significant: false,
            episodes_needed: None,
        });
    }
    // Holm over the codes that could be significant.
    let ps: Vec<Option<f64>> = tested
        .iter()
        .zip(&out.codes)
        .map(|((informative, _, _), t)| informative.then_some(t.p_value))
        .collect();
    let holm = holm(&ps);
    let m = ps.iter().flatten().count().max(1);
    for (t, adjusted) in out.codes.iter_mut().zip(holm) {
        t.p_holm = adjusted.unwrap_or(1.0);
        t.significant = t.p_holm <= ALPHA;
        if !t.significant {
            t.episodes_needed = episodes_needed(t.control_with, t.control_windows, m);
        }
    }
    out
}

fn left_out_reason(episodes: usize, matched: usize) -> String {
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    if episodes == matched {
        format!(
            "{episodes} pain episode{} in the log (a score of {EPISODE_SCORE} or more after \
             {EPISODE_GAP_DAYS} days without one); at least {MIN_EPISODES} are needed to compare \
             with your pain-free stretches",
            plural(episodes)
        )
    } else {
        format!(
            "{episodes} pain episode{} in the log, {matched} of them with a pain-free stretch of \
             the data 4, 8, 12… weeks before to compare with (no window starts in the data's \
             first {UNJUDGED_DAYS} days); at least {MIN_EPISODES} are needed",
            plural(episodes)
        )
    }
}

/// The episodes of the days of entries of score ≥ 3 (sorted): a day more than 14 days after the
/// previous starts one.
pub fn episodes(dates: &[NaiveDate]) -> Vec<Episode> {
    let mut out: Vec<Episode> = Vec::new();
    for &d in dates {
        match out.last_mut() {
            Some(e) if (d - e.last).num_days() <= EPISODE_GAP_DAYS => e.last = e.last.max(d),
            _ => out.push(Episode { first: d, last: d }),
        }
    }
    out
}

/// Per code (in `codes`' order), the matched set of each episode that has a control window (the
/// same episodes for every code).
///
/// Days are numbered from `first` (0) to `last`; a window is named by its last day. Per code a
/// prefix sum over the days says whether a window holds the event; a window is valid when it
/// lies within the data after its first 28 days and touches no episode nor the 28 days after one (a prefix sum over
/// the days blocked). Sums over every 28th day then give each episode its control windows and
/// how many of them hold the event.
pub fn matched_sets(
    episodes: &[Episode],
    events: &[(Rule, NaiveDate)],
    codes: &[Rule],
    first: NaiveDate,
    last: NaiveDate,
) -> Vec<Vec<Set>> {
    let days = (last - first).num_days() + 1;
    if days <= 0 {
        return vec![Vec::new(); codes.len()];
    }
    let n = days as usize;
    let index = |d: NaiveDate| (d - first).num_days();
    // Days blocked: an episode's first day to 28 days after its last.
    let mut blocked_diff = vec![0i64; n + 1];
    for e in episodes {
        let from = index(e.first).clamp(0, days) as usize;
        let to = (index(e.last) + AFTER_EPISODE_DAYS + 1).clamp(0, days) as usize;
        if from < to {
            blocked_diff[from] += 1;
            blocked_diff[to] -= 1;
        }
    }
    // blocked_before[i]: the blocked days among 0..i.
    let mut blocked_before = vec![0u32; n + 1];
    let mut depth = 0i64;
    for i in 0..n {
        depth += blocked_diff[i];
        blocked_before[i + 1] = blocked_before[i] + u32::from(depth > 0);
    }
    let w = WINDOW_DAYS as usize;
    // A window ending on day `end` (index) lies within the judged part of the data.
    let judged = |end: usize| end + 1 >= w + UNJUDGED_DAYS as usize;
    // ... and is pain-free.
    let valid = |end: usize| judged(end) && blocked_before[end + 1] == blocked_before[end + 1 - w];
    // Every 28th day summed: stride[end] = valid(end) + stride[end - 28].
    let step = CONTROL_STEP_DAYS as usize;
    let strided = |x: &dyn Fn(usize) -> bool| -> Vec<u32> {
        let mut s = vec![0u32; n];
        for end in 0..n {
            s[end] = u32::from(x(end)) + if end >= step { s[end - step] } else { 0 };
        }
        s
    };
    let valid_sum = strided(&valid);
    // The episodes with a control window, and the index of the last day of each one's window.
    let cases: Vec<(usize, u32)> = episodes
        .iter()
        .filter_map(|e| {
            let end = usize::try_from(index(e.first)).ok()?;
            let controls = if end >= step && judged(end) {
                valid_sum[end - step]
            } else {
                0
            };
            (controls > 0).then_some((end, controls))
        })
        .collect();
    codes
        .iter()
        .map(|code| {
            // on[i]: the days among 0..i with the event.
            let mut marked = vec![false; n];
            for (_, d) in events.iter().filter(|(c, _)| c == code) {
                if let Some(m) = usize::try_from(index(*d))
                    .ok()
                    .and_then(|i| marked.get_mut(i))
                {
                    *m = true;
                }
            }
            let mut on = vec![0u32; n + 1];
            for i in 0..n {
                on[i + 1] = on[i] + u32::from(marked[i]);
            }
            // The window ending on `end` (clipped to the data) holds the event.
            let holds = |end: usize| on[end + 1] > on[(end + 1).saturating_sub(w)];
            let with_sum = strided(&|end| valid(end) && holds(end));
            cases
                .iter()
                .map(|&(end, controls)| Set {
                    case: holds(end),
                    controls: controls as usize,
                    with: with_sum[end - step] as usize,
                })
                .collect()
        })
        .collect()
}

/// A set in which the case could have gone either way: some of its windows held the event and
/// some did not.
fn informs(s: &Set) -> bool {
    let exposed = s.with + usize::from(s.case);
    exposed > 0 && exposed < s.controls + 1
}

/// The Mantel–Haenszel odds ratio over matched sets of one case and `controls` controls:
/// Σ case exposed × controls unexposed / N over Σ case unexposed × controls exposed / N.
pub fn mantel_haenszel(sets: &[Set]) -> Option<f64> {
    let (mut num, mut den) = (0.0, 0.0);
    for s in sets {
        let size = (s.controls + 1) as f64;
        if s.case {
            num += (s.controls - s.with) as f64 / size;
        } else {
            den += s.with as f64 / size;
        }
    }
    (den > 0.0).then_some(num / den)
}

/// The exact one-sided p-value of the conditional test: P(exposed cases ≥ observed) when, in
/// each set, the case is any of its windows with equal chance given how many of them held the
/// event (a Bernoulli of exposed ÷ windows), the sets independent. The distribution of the sum
/// is convolved set by set.
pub fn exact_p(sets: &[Set]) -> f64 {
    let mut dist = vec![1.0f64];
    let mut observed = 0usize;
    for s in sets.iter().filter(|s| informs(s)) {
        let exposed = (s.with + usize::from(s.case)) as f64;
        let p = exposed / (s.controls + 1) as f64;
        observed += usize::from(s.case);
        let mut next = vec![0.0; dist.len() + 1];
        for (k, x) in dist.iter().enumerate() {
            next[k] += x * (1.0 - p);
            next[k + 1] += x * p;
        }
        dist = next;
    }
    dist[observed.min(dist.len())..]
        .iter()
        .sum::<f64>()
        .min(1.0)
}

/// Holm's step-down adjusted p-values over the `Some` of `ps` (the others stay `None`).
pub fn holm(ps: &[Option<f64>]) -> Vec<Option<f64>> {
    let mut order: Vec<usize> = (0..ps.len()).filter(|&i| ps[i].is_some()).collect();
    order.sort_by(|&a, &b| ps[a].unwrap_or(1.0).total_cmp(&ps[b].unwrap_or(1.0)));
    let m = order.len();
    let mut out = vec![None; ps.len()];
    let mut running: f64 = 0.0;
    for (rank, &i) in order.iter().enumerate() {
        let adjusted = ((m - rank) as f64 * ps[i].unwrap_or(1.0)).min(1.0);
        running = running.max(adjusted);
        out[i] = Some(running);
    }
    out
}

/// The episodes that, each with the event in its 14 days, would make a code significant when
/// `with` of `windows` control windows hold it and `m` codes are tested: the least k with
/// share^k ≤ 0.05 / m (each set's chance that its case is the exposed window is about the
/// share). `None` when the share is 0 (a few episodes would do) or over 0.9.
pub fn episodes_needed(with: usize, windows: usize, m: usize) -> Option<usize> {
    if windows == 0 || with == 0 {
        return None;
    }
    let share = with as f64 / windows as f64;
    if share > 0.9 {
        return None;
    }
    let k = ((ALPHA / m as f64).ln() / share.ln()).ceil() as usize;
    Some(k.max(MIN_EPISODES))
}

/// The training data's first and last day as the triggers need them: the days of the load
/// table.
pub fn data_days(days: &[super::load::Day]) -> Option<(NaiveDate, NaiveDate)> {
    Some((days.first()?.date, days.last()?.date))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(case: bool, controls: usize, with: usize) -> Set {
        Set {
            case,
            controls,
            with,
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn two_episodes_by_hand() {
        // Set 1: the case held it, 1 of 3 controls did: 2 of 4 windows, P(case) = 1/2.
        // Set 2: the case held it, none of 4 controls: 1 of 5, P(case) = 1/5.
        // P(both cases) = 1/2 × 1/5 = 0.1; OR = (1·2/4 + 1·4/5) / 0: infinite.
        let sets = [set(true, 3, 1), set(true, 4, 0)];
        assert!(close(exact_p(&sets), 0.1));
        assert_eq!(mantel_haenszel(&sets), None);
        // Set 2 with the case free and 2 of 4 controls holding it: 2 of 5, P(case) = 2/5.
        // P(≥ 1 case) = 1 − 1/2 × 3/5 = 0.7; OR = (2/4) / (2/5) = 1.25.
        let sets = [set(true, 3, 1), set(false, 4, 2)];
        assert!(close(exact_p(&sets), 0.7));
        assert!(close(mantel_haenszel(&sets).unwrap(), 1.25));
    }

    #[test]
    fn five_episodes_by_hand() {
        // 4 of 5 episodes held it; 3 of 19 control windows did (RISK_MODEL.md's example).
        // P(case) per set: 2/5, 1/5, 1/4, 1/5, 2/5, product 0.0016.
        // P(4 exactly) = 0.0016 × Σ (1 − p)/p = 0.0016 × (1.5 + 4 + 3 + 4 + 1.5) = 0.0224.
        // p = 0.0016 + 0.0224 = 0.024.
        // OR: (3/5 + 4/5 + 3/4 + 3/5) / (1/5) = 2.75 / 0.2 = 13.75.
        let sets = [
            set(true, 4, 1),
            set(true, 4, 0),
            set(true, 3, 0),
            set(false, 4, 1),
            set(true, 4, 1),
        ];
        assert!(close(exact_p(&sets), 0.024), "{}", exact_p(&sets));
        assert!(close(mantel_haenszel(&sets).unwrap(), 13.75));
        // A set where every window or none held it says nothing: p and OR unchanged.
        let mut more = sets.to_vec();
        more.extend([set(true, 3, 3), set(false, 6, 0)]);
        assert!(close(exact_p(&more), 0.024));
        assert!(close(mantel_haenszel(&more).unwrap(), 13.75));
    }

    #[test]
    fn the_exact_p_is_what_enumerating_every_case_finds() {
        // Every way the cases could have fallen, weighted, against the convolution.
        let mut rng = crate::synth::Rng::new(3);
        for _ in 0..200 {
            let k = 1 + (rng.next_u64() % 8) as usize;
            let sets: Vec<Set> = (0..k)
                .map(|_| {
                    let controls = 1 + (rng.next_u64() % 6) as usize;
                    set(
                        rng.next_u64().is_multiple_of(2),
                        controls,
                        (rng.next_u64() % (controls as u64 + 1)) as usize,
                    )
                })
                .collect();
            let observed = sets.iter().filter(|s| s.case).count();
            let mut p = 0.0;
            for mask in 0u32..(1 << k) {
                let (mut weight, mut cases) = (1.0, 0);
                for (i, s) in sets.iter().enumerate() {
                    let total = (s.with + usize::from(s.case)) as f64;
                    let pi = total / (s.controls + 1) as f64;
                    if mask & (1 << i) != 0 {
                        weight *= pi;
                        cases += 1;
                    } else {
                        weight *= 1.0 - pi;
                    }
                }
                if cases >= observed {
                    p += weight;
                }
            }
            assert!((exact_p(&sets) - p.min(1.0)).abs() < 1e-12, "{sets:?}");
        }
    }

    #[test]
    fn holm_by_hand() {
        // Sorted 0.01, 0.02, 0.04 of 3: 0.03, 0.04, 0.04 (kept monotone).
        let got = holm(&[Some(0.04), None, Some(0.01), Some(0.02)]);
        let want = [Some(0.04), None, Some(0.03), Some(0.04)];
        for (g, w) in got.iter().zip(want) {
            assert_eq!(g.is_some(), w.is_some());
            assert!(close(g.unwrap_or(0.0), w.unwrap_or(0.0)), "{got:?}");
        }
        assert_eq!(holm(&[Some(0.5), Some(0.9)]), vec![Some(1.0), Some(1.0)]);
    }

    fn day(n: i64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() + chrono::Duration::days(n)
    }

    fn entry(n: i64, score: u8) -> Entry {
        Entry {
            date: day(n),
            score,
        }
    }

    #[test]
    fn episodes_start_after_14_days_without_one() {
        let dates = [day(0), day(10), day(24), day(39), day(40)];
        assert_eq!(
            episodes(&dates),
            vec![
                // 10 and 24 follow within 14 days of the last: one episode.
                Episode {
                    first: day(0),
                    last: day(24)
                },
                // 15 days after 24.
                Episode {
                    first: day(39),
                    last: day(40)
                },
            ]
        );
    }

    #[test]
    fn control_windows_by_hand() {
        // Data from day −28 (its first 28 days unjudged) to day 400. Episode A on day 125
        // alone; episode B on days 293 and 300.
        // A's windows end on days 97, 69, 41, 13 (starting 84, 56, 28, 0): 4.
        // Blocked: 125..=153 and 293..=328. B's windows end on 265, 237, 209, 181 (start 168:
        // clear of 153), 153 and 125 (blocked), 97, 69, 41, 13: 8.
        let a = Episode {
            first: day(125),
            last: day(125),
        };
        let b = Episode {
            first: day(293),
            last: day(300),
        };
        // single-run-spike on day 90 (in A's window ending 97, and B's), on day 120 (A's case
        // window, 112..=125) and day 290 (B's case window); weekly-jump on day 150 only (blocked).
        let events = [
            (Rule::SingleRunSpike, day(90)),
            (Rule::SingleRunSpike, day(120)),
            (Rule::SingleRunSpike, day(290)),
            (Rule::WeeklyJump, day(150)),
        ];
        let sets = matched_sets(
            &[a, b],
            &events,
            &[Rule::SingleRunSpike, Rule::WeeklyJump],
            day(-28),
            day(400),
        );
        assert_eq!(sets[0], vec![set(true, 4, 1), set(true, 8, 1)]);
        assert_eq!(sets[1], vec![set(false, 4, 0), set(false, 8, 0)]);
        // An episode in the first 4 weeks has no control window: not a matched set.
        let early = Episode {
            first: day(20),
            last: day(20),
        };
        let sets = matched_sets(
            &[early, a],
            &events,
            &[Rule::SingleRunSpike],
            day(-28),
            day(400),
        );
        // Day 20's block (20..=48) takes A's window 28..=41: 3 left.
        assert_eq!(sets[0], vec![set(true, 3, 1)]);
    }

    #[test]
    fn five_episodes_end_to_end() {
        // Five single-entry episodes 140 days apart from day 125; a spike in the 14 days before
        // four of them, and in control windows here and there. The sets come from the days, the
        // p-value from the sets: the same as the sets by themselves give.
        let onsets = [125i64, 265, 405, 545, 685];
        let mut entries: Vec<Entry> = onsets.iter().map(|&d| entry(d, 5)).collect();
        // Entries of score 2 start nothing; one the next day belongs to the episode.
        entries.push(entry(300, 2));
        entries.push(entry(126, 4));
        let mut events: Vec<(Rule, NaiveDate)> = [0usize, 1, 2, 4]
            .iter()
            .map(|&i| (Rule::SingleRunSpike, day(onsets[i] - 3)))
            .collect();
        events.push((Rule::SingleRunSpike, day(90)));
        events.push((Rule::SingleRunSpike, day(500)));
        let t = from_events(&entries, &events, day(0), day(800), "pain.csv");
        assert_eq!((t.episodes, t.matched, t.left_out.as_deref()), (5, 5, None));
        assert!(t.warnings.is_empty());
        let spike = &t.codes[0];
        assert_eq!(spike.code, Rule::SingleRunSpike);
        assert_eq!((spike.episodes, spike.episodes_with), (5, 4));
        let codes = [Rule::SingleRunSpike];
        let mut dates: Vec<NaiveDate> = entries
            .iter()
            .filter(|e| e.score >= 3)
            .map(|e| e.date)
            .collect();
        dates.sort();
        let episodes = episodes(&dates);
        let sets = &matched_sets(&episodes, &events, &codes, day(0), day(800))[0];
        assert_eq!(
            sets.iter().map(|s| s.controls).sum::<usize>(),
            spike.control_windows
        );
        assert!(close(spike.p_value, exact_p(sets)));
        assert!(spike.p_value < 0.01, "{}", spike.p_value);
        // Only single-run-spike was seen: one code tested, Holm leaves it as it is.
        assert!(close(spike.p_holm, spike.p_value) && spike.significant);
        assert_eq!(t.codes.len(), 1);
        assert!(t.not_seen.contains(&Rule::WeeklyJump));
        assert!(t.is_trigger(Rule::SingleRunSpike));
    }

    #[test]
    fn under_three_episodes_nothing_is_tested_and_entries_outside_warn_once() {
        let entries = [entry(125, 5), entry(265, 6), entry(-40, 7), entry(900, 3)];
        let events = [(Rule::SingleRunSpike, day(120))];
        let t = from_events(&entries, &events, day(0), day(800), "log.csv");
        assert_eq!((t.episodes, t.matched), (2, 2));
        assert!(t.codes.is_empty());
        assert!(t
            .left_out
            .as_deref()
            .unwrap()
            .starts_with("2 pain episodes"));
        assert_eq!(t.warnings.len(), 1);
        assert!(t.warnings[0].starts_with("log.csv: 2 pain entries outside"));
        // Three episodes, one in the data's first 4 weeks.
        let entries = [entry(10, 5), entry(125, 5), entry(265, 6)];
        let t = from_events(&entries, &events, day(0), day(800), "log.csv");
        assert_eq!((t.episodes, t.matched), (3, 2));
        assert!(t.left_out.as_deref().unwrap().contains("2 of them"));
    }

    #[test]
    fn the_sentences_say_the_counts_plainly() {
        let mut t = Trigger {
            code: Rule::SingleRunSpike,
            episodes: 5,
            episodes_with: 4,
            control_windows: 19,
            control_with: 3,
            odds_ratio: Some(13.75),
            p_value: 0.024,
            p_holm: 0.024,
            significant: true,
            episodes_needed: None,
        };
        assert_eq!(
            t.sentence(),
            "4 of your 5 pain episodes followed a long-run spike in the 14 days before; in your \
             pain-free stretches 3 of 19 windows did (p = 0.02): for you, long-run spikes look \
             like a trigger"
        );
        (t.episodes_with, t.control_with, t.p_holm, t.significant) = (2, 8, 0.4, false);
        t.control_windows = 20;
        t.episodes_needed = Some(8);
        assert!(t.sentence().ends_with(
            "(p = 0.40): too few to tell; long-run spikes fall in 2 of 5 of your pain-free \
             fortnights; about 8 episodes are needed to tell"
        ));
        assert!(!t.sentence().contains("caused"));
        assert_eq!(fraction(4, 19), (1, 5));
        assert_eq!(fraction(0, 19), (0, 1));
    }

    #[test]
    fn episodes_needed_from_the_share() {
        // 1 in 5 windows, 1 code: 0.2^k ≤ 0.05 at k = 2 (0.04): at least 3.
        assert_eq!(episodes_needed(4, 20, 1), Some(3));
        // 2 in 5, 9 codes: 0.4^k ≤ 0.00556: k = 6 (0.0041).
        assert_eq!(episodes_needed(8, 20, 9), Some(6));
        assert_eq!(episodes_needed(0, 20, 9), None);
        assert_eq!(episodes_needed(19, 20, 9), None);
    }

    #[test]
    fn thousands_of_entries_stay_fast() {
        // 20 years of days and an entry on most of them, events every few days: linear work.
        let entries: Vec<Entry> = (0..7300).map(|d| entry(d, (d % 11) as u8)).collect();
        let events: Vec<(Rule, NaiveDate)> = (0..7300)
            .step_by(3)
            .map(|d| (RULES[(d as usize / 3) % RULES.len()], day(d)))
            .collect();
        let started = std::time::Instant::now();
        let t = from_events(&entries, &events, day(0), day(7299), "pain.csv");
        assert!(started.elapsed().as_secs_f64() < 2.0);
        // An entry of score ≥ 3 nearly every day: one long episode.
        assert_eq!(t.episodes, 1);
    }
}
