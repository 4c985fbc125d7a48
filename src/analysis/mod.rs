//! From activities to the analysis every report renders: per-activity summaries (device values
//! beside computed ones), duplicates merged, local days and weeks, the weekly table.
//!
//! Pure: no I/O, no printing.

pub mod join;
pub mod load;
pub mod metrics;
pub mod outlook;
pub mod pain;
pub mod rules;
pub mod run;
pub mod team;
pub mod triggers;
pub mod zone;

use chrono::{DateTime, Datelike, Days, FixedOffset, NaiveDate, Offset, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{Activity, CadenceRule, DeviceSummary, Format, Origin, Sport};
use crate::model::{SkipReason, Skipped, StrengthSets};
pub use load::{Day, Gap, Week};
pub use metrics::{Computed, ElevationKind};
pub use rules::{Finding, Grade, Kind, Phase, Rule, Severity, Thresholds, Unit};
pub use run::RunMetrics;

/// First day of the training week.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum WeekStart {
    Mon,
    Sun,
}

/// Settings that change the result.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Zone for files that carry no UTC offset.
    pub tz: chrono_tz::Tz,
    pub week_start: WeekStart,
    pub thresholds: Thresholds,
    /// The day the outlook looks forward from (`--as-of`); `None`: the day after the latest run.
    pub as_of: Option<NaiveDate>,
}

impl Settings {
    /// Default thresholds, the given zone and week start.
    pub fn new(tz: chrono_tz::Tz, week_start: WeekStart) -> Settings {
        Settings {
            tz,
            week_start,
            thresholds: Thresholds::default(),
            as_of: None,
        }
    }
}

/// Where an activity's local offset came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OffsetSource {
    /// The file's own offset (FIT `activity.local_timestamp`).
    File,
    /// The zone of the activity's first GPS fix (`zone`), for files without an offset.
    Position,
    /// The `--tz` zone (or the machine's) at the activity's start.
    Zone,
}

/// How `ascent_m`/`descent_m` were obtained.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ElevationMethod {
    /// The device's totals (barometric on most watches).
    Device,
    /// Smoothed sample elevation with a 3 m hysteresis.
    Smoothed,
    None,
}

/// What `duration_s` measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DurationMethod {
    /// The device's timer time (pauses left out): FIT sessions, TCX laps' `TotalTimeSeconds`.
    DeviceTimer,
    /// First to last sample (pauses counted): files without a timer total, such as GPX.
    Elapsed,
}

/// One activity as every report shows it.
#[derive(Clone, Debug, Serialize)]
pub struct ActivitySummary {
    pub id: String,
    pub source: String,
    pub session: usize,
    pub format: Format,
    pub sport: Sport,
    pub sport_detail: String,
    pub device_name: Option<String>,
    /// The session's name in a bulk export's manifest (`Morning Run`), where one names it.
    pub name: Option<String>,
    /// The shoes (or bike) the manifest records for it.
    pub gear: Option<String>,
    /// A file, or a manifest row without one (`strava-csv`, `garmin-json`).
    pub origin: Origin,
    /// The sets and repetitions a strength session's FIT file logs (`set` messages); `null`
    /// where it logs none.
    pub strength: Option<StrengthSets>,
    pub start_utc: DateTime<Utc>,
    pub start_local: DateTime<FixedOffset>,
    pub offset_source: OffsetSource,
    /// The zone local time comes from (IANA name): the first fix's, or the `--tz` zone; `None`
    /// where the file gives its own offset.
    pub zone: Option<String>,
    pub local_date: NaiveDate,
    /// ISO label of the training week (`2025-W10`); with `--week-start sun` the label is that of
    /// the ISO week holding the Monday after the Sunday start.
    pub week: String,
    pub week_start: NaiveDate,
    /// Device total where the file has one, else computed.
    pub distance_m: f64,
    /// The device's timer time where the file has one, else first to last sample: see
    /// `duration_method`. Pauses are left out of `moving_s` either way.
    pub duration_s: f64,
    pub duration_method: DurationMethod,
    pub moving_s: f64,
    pub ascent_m: Option<f64>,
    pub descent_m: Option<f64>,
    pub elevation_method: ElevationMethod,
    pub cadence_spm: Option<f64>,
    pub cadence_rule: CadenceRule,
    pub samples: usize,
    /// Recorded columns and how many samples hold a value in each.
    pub columns: Vec<(String, usize)>,
    pub computed: Computed,
    pub device: Option<DeviceSummary>,
    /// The id of the activity this one repeats (the same run exported twice); it then counts
    /// nowhere.
    pub duplicate_of: Option<String>,
    /// Per-run metrics (runs only).
    pub metrics: Option<RunMetrics>,
    /// Whether the run was a hard session, and on what basis (runs only).
    pub hard: Option<HardSession>,
    pub warnings: Vec<String>,
    /// Share (0..1) of the run's cadence time below the configured `low_cadence_spm` (runs with
    /// cadence only); the weekly `low-cadence` rule adds it up.
    #[serde(skip)]
    pub cadence_below_low_share: Option<f64>,
}

/// A run's hard-session classification (RISK_MODEL.md, "Hard session").
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HardSession {
    pub hard: bool,
    pub basis: HardBasis,
}

/// What a run's hard-session classification rests on (`basis` in JSON and the tables).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HardBasis {
    /// Time at or above `hard_hr_pct` of HRmax.
    Hr,
    /// Faster than the runner's own `hard_speed_percentile` of the previous weeks.
    Pace,
    /// Neither could be judged (no heart rate and too few earlier runs).
    None,
}

impl HardBasis {
    /// The name in JSON and the tables.
    pub fn as_str(self) -> &'static str {
        match self {
            HardBasis::Hr => "hr",
            HardBasis::Pace => "pace",
            HardBasis::None => "none",
        }
    }
}

impl std::fmt::Display for HardBasis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where the HRmax used for hard sessions came from (`hr_max_source` in JSON).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HrMaxSource {
    /// `hr_max_bpm` in the thresholds.
    Config,
    /// The 99th percentile of every running heart-rate sample.
    Samples,
}

impl ActivitySummary {
    /// A run that counts: running, and not a duplicate.
    pub fn counts_as_run(&self) -> bool {
        self.sport == Sport::Running && self.duplicate_of.is_none()
    }
}

/// The whole result, rendered by every report.
#[derive(Clone, Debug, Serialize)]
pub struct Analysis {
    pub activities: Vec<ActivitySummary>,
    pub weeks: Vec<Week>,
    pub days: Vec<Day>,
    pub gaps: Vec<Gap>,
    /// Each run against the longest run of the previous 30 days, with its limit.
    pub longest: Vec<load::LongestComparison>,
    /// Minutes of running by each counted run's median cadence.
    pub cadence_distribution: Vec<run::CadenceBin>,
    pub findings: Vec<Finding>,
    /// Each habit rule's share week by week (the report draws each habit's trend).
    pub habits: Vec<rules::habit::Trend>,
    /// HRmax used for hard sessions, and where it came from.
    pub hr_max_bpm: Option<f64>,
    pub hr_max_source: Option<HrMaxSource>,
    pub thresholds: Thresholds,
    pub skipped: Vec<Skipped>,
    /// Running kilometres per pair of shoes, as the manifests name them (most first).
    pub gear: Vec<GearKm>,
    /// Limits for the 7 days from `--as-of` ([`outlook`]); `None` without runs.
    pub outlook: Option<outlook::Outlook>,
    /// The runner's pain log matched against the training ([`pain`]); set by [`with_pain`].
    pub pain: Vec<pain::PainEntry>,
    /// The pain log against the runner's own training ([`triggers`]); `None` without a pain
    /// log or training days. Set by [`with_pain`].
    pub triggers: Option<triggers::Triggers>,
}

/// `a` with the pain log's rows matched against it ([`pain::entries`]) and the runner's own
/// triggers found in it ([`triggers::triggers`]).
pub fn with_pain(mut a: Analysis, rows: &[crate::model::PainRow]) -> Analysis {
    a.pain = pain::entries(rows, &a);
    a.triggers = own_triggers(&a);
    if let (Some(o), Some(t)) = (a.outlook.as_mut(), a.triggers.as_ref()) {
        outlook::tighten(o, t);
    }
    a
}

/// The triggers of `a`'s pain entries (already matched, a log read twice counted once).
pub fn own_triggers(a: &Analysis) -> Option<triggers::Triggers> {
    if a.pain.is_empty() {
        return None;
    }
    let (first, last) = triggers::data_days(&a.days)?;
    let entries: Vec<triggers::Entry> = a
        .pain
        .iter()
        .map(|p| triggers::Entry {
            date: p.date,
            score: p.score,
        })
        .collect();
    let mut sources: Vec<&str> = a.pain.iter().map(|p| p.source.as_str()).collect();
    sources.sort_unstable();
    sources.dedup();
    Some(triggers::triggers(
        &entries,
        &a.findings,
        first,
        last,
        &sources.join(", "),
    ))
}

/// The counted runs and kilometres of one pair of shoes (a manifest's `Activity Gear`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GearKm {
    pub gear: String,
    pub runs: usize,
    pub km: f64,
}

/// Kilometres per pair of shoes over the counted runs that name one: most kilometres first,
/// then by name.
pub fn gear_km(summaries: &[ActivitySummary]) -> Vec<GearKm> {
    let mut by: std::collections::BTreeMap<&str, (usize, f64)> = Default::default();
    for a in summaries.iter().filter(|a| a.counts_as_run()) {
        if let Some(g) = a.gear.as_deref() {
            let e = by.entry(g).or_default();
            e.0 += 1;
            e.1 += a.distance_m / 1000.0;
        }
    }
    let mut out: Vec<GearKm> = by
        .into_iter()
        .map(|(gear, (runs, km))| GearKm {
            gear: gear.to_string(),
            runs,
            km,
        })
        .collect();
    out.sort_by(|a, b| b.km.total_cmp(&a.km).then_with(|| a.gear.cmp(&b.gear)));
    out
}

impl Analysis {
    /// The runs that count (running, duplicates left out), in start order.
    pub fn runs(&self) -> impl Iterator<Item = &ActivitySummary> {
        self.activities.iter().filter(|a| a.counts_as_run())
    }

    /// Total running distance of the counted runs, km (0 without runs, never −0).
    pub fn run_km(&self) -> f64 {
        self.runs().fold(0.0, |km, r| km + r.distance_m / 1000.0)
    }
}

/// HRmax: from the thresholds, else the 99th percentile of every running HR sample.
pub fn hr_max(extracts: &[Extract], t: &Thresholds) -> Option<(f64, HrMaxSource)> {
    if let Some(hr) = t.hr_max_bpm.filter(|h| *h > 0.0) {
        return Some((hr, HrMaxSource::Config));
    }
    // Each bin weighs its samples: the nearest-rank percentile of every sample.
    let bins: Vec<(f64, f64)> = extracts
        .iter()
        .filter(|e| e.sport == Sport::Running)
        .flat_map(|e| e.heart_rate.iter().map(|b| (b.bpm, f64::from(b.samples))))
        .collect();
    run::weighted_percentile(bins, 99.0).map(|h| (h, HrMaxSource::Samples))
}

/// Summarises, dates, de-duplicates, classifies, tabulates and finds.
pub fn analyse(
    activities: &[Activity],
    skipped: Vec<Skipped>,
    settings: &Settings,
) -> Result<Analysis, load::LoadError> {
    // Per-activity work is independent: in parallel, collected in input order.
    let (extracts, skipped) = {
        use rayon::prelude::*;
        let results: Vec<Result<Extract, Skipped>> =
            activities.par_iter().map(extract_guarded).collect();
        split_guarded(results, skipped)
    };
    analyse_extracts(&extracts, skipped, settings)
}

/// The values and the skipped entries of guarded per-activity work, in order (the skipped after
/// those given).
pub fn split_guarded<T>(
    results: Vec<Result<T, Skipped>>,
    mut skipped: Vec<Skipped>,
) -> (Vec<T>, Vec<Skipped>) {
    let mut values = Vec::with_capacity(results.len());
    for r in results {
        match r {
            Ok(v) => values.push(v),
            Err(s) => skipped.push(s),
        }
    }
    (values, skipped)
}

/// The skipped entry for a panic while analysing the activity read from `source`.
fn internal(source: &str, message: String) -> Skipped {
    Skipped::new(
        source,
        SkipReason::Internal {
            stage: "analysing".into(),
            message,
        },
    )
}

/// [`extract`] under the last guard: a panic (a bug set off by what one file holds) becomes a
/// skipped entry naming the file, and the batch goes on.
pub fn extract_guarded(a: &Activity) -> Result<Extract, Skipped> {
    crate::guard::catch(|| {
        planted::check(&a.source);
        extract(a)
    })
    .map_err(|message| internal(&a.source, message))
}

/// [`summarise_extract`] under the last guard.
pub fn summarise_extract_guarded(
    e: &Extract,
    settings: &Settings,
) -> Result<ActivitySummary, Skipped> {
    crate::guard::catch(|| summarise_extract(e, settings))
        .map_err(|message| internal(&e.source, message))
}

/// [`summarise`] under the last guard.
pub fn summarise_guarded(a: &Activity, settings: &Settings) -> Result<ActivitySummary, Skipped> {
    crate::guard::catch(|| summarise(a, settings)).map_err(|message| internal(&a.source, message))
}

/// A test-only hook: tests plant a panic for one source to show that it costs only that file.
#[cfg(test)]
pub(crate) mod planted {
    use std::sync::Mutex;

    static SOURCES: Mutex<Vec<String>> = Mutex::new(Vec::new());

    pub(crate) fn plant(source: &str) {
        SOURCES.lock().unwrap().push(source.to_string());
    }

    pub(crate) fn check(source: &str) {
        let planted = SOURCES.lock().unwrap().iter().any(|s| s == source);
        if planted {
            panic!("planted panic for {source}");
        }
    }
}

#[cfg(not(test))]
mod planted {
    #[inline(always)]
    pub(crate) fn check(_: &str) {}
}

/// [`analyse`] from extracts (as the store keeps them).
pub fn analyse_extracts(
    extracts: &[Extract],
    skipped: Vec<Skipped>,
    settings: &Settings,
) -> Result<Analysis, load::LoadError> {
    let t = &settings.thresholds;
    let hr = hr_max(extracts, t);
    let threshold = hr.map(|(h, _)| h * t.hard_hr_fraction);
    let finalized: Vec<Result<ActivitySummary, Skipped>> = extracts
        .iter()
        .map(|e| {
            crate::guard::catch(|| {
                planted::check(&format!("{}#finalize", e.source));
                finalize(e, settings, threshold)
            })
            .map_err(|message| internal(&e.source, message))
        })
        .collect();
    let (mut summaries, skipped) = split_guarded(finalized, skipped);
    summaries.sort_by(|a, b| {
        (a.start_utc, &a.source, a.session).cmp(&(b.start_utc, &b.source, b.session))
    });
    mark_duplicates(&mut summaries);
    classify_hard(&mut summaries, t);

    let entries: Vec<load::LoadEntry> = summaries
        .iter()
        .filter(|a| a.duplicate_of.is_none())
        .filter(|a| a.sport == Sport::Running || a.sport == Sport::Strength)
        .map(|a| load::LoadEntry {
            id: a.id.clone(),
            start_utc: a.start_utc,
            date: a.local_date,
            is_run: a.sport == Sport::Running,
            is_strength: a.sport == Sport::Strength,
            distance_km: a.distance_m / 1000.0,
            descent_m: a.descent_m.unwrap_or(0.0),
            downhill_km: a
                .metrics
                .as_ref()
                .and_then(|m| m.grade.as_ref())
                .map_or(0.0, |g| g.downhill_km),
            hard: a.hard.as_ref().is_some_and(|h| h.hard),
        })
        .collect();
    let load = load::load(&entries, settings.week_start)?;
    let runs: Vec<&ActivitySummary> = summaries.iter().filter(|a| a.counts_as_run()).collect();
    let rules::Findings { findings, habits } = rules::findings(&runs, &load, t);
    let cadence_distribution = run::cadence::distribution(runs.iter().filter_map(|r| {
        let c = r.metrics.as_ref()?.cadence.as_ref()?;
        Some((c.median_spm, r.moving_s / 60.0))
    }));
    let mut longest = load.longest;
    // The runs single-run-spike fired for, looked up by id (not a look through every finding
    // for each run).
    let spikes: std::collections::HashSet<&str> = findings
        .iter()
        .filter(|f| f.code == Rule::SingleRunSpike)
        .filter_map(|f| f.activity.as_deref())
        .collect();
    for c in &mut longest {
        c.limit_km = c
            .longest_previous_km
            .filter(|p| *p > 0.0)
            .map(|p| p * t.single_run_spike_ratio);
        c.over_limit = spikes.contains(c.id.as_str());
    }
    let outlook = outlook::outlook(
        &outlook::Inputs {
            runs: &runs,
            days: &load.days,
            weeks: &load.weeks,
            findings: &findings,
            thresholds: t,
            week_start: settings.week_start,
        },
        settings.as_of,
    );
    Ok(Analysis {
        outlook,
        pain: Vec::new(),
        triggers: None,
        gear: gear_km(&summaries),
        activities: summaries,
        weeks: load.weeks,
        days: load.days,
        gaps: load.gaps,
        longest,
        cadence_distribution,
        findings,
        habits,
        hr_max_bpm: hr.map(|(h, _)| h),
        hr_max_source: hr.map(|(_, s)| s),
        thresholds: t.clone(),
        skipped,
    })
}

/// Marks each counted run hard or not: by heart rate where the run has it, else by pace against
/// the runner's own runs of the previous weeks.
///
/// The runs judged by pace are taken in order of start, and the earlier runs' speeds of the
/// look-back enter and leave a [`RankWindow`] as it moves forward, so that each percentile is a
/// look-up: a selection among the speeds of the look-back for each run was quadratic where
/// thousands of runs share those weeks.
pub fn classify_hard(summaries: &mut [ActivitySummary], t: &Thresholds) {
    let mut speeds: Vec<(DateTime<Utc>, f64)> = summaries
        .iter()
        .filter(|a| a.counts_as_run() && a.moving_s > 0.0 && a.distance_m > 0.0)
        .map(|a| (a.start_utc, a.distance_m / a.moving_s))
        .collect();
    speeds.sort_by_key(|(start, _)| *start);
    let mut by_pace = Vec::new();
    for (i, a) in summaries.iter_mut().enumerate() {
        if !a.counts_as_run() {
            continue;
        }
        let by_hr = a
            .metrics
            .as_ref()
            .and_then(|m| m.heart_rate.as_ref())
            .filter(|h| h.threshold_bpm.is_some());
        match by_hr {
            Some(h) => {
                a.hard = Some(HardSession {
                    hard: h.time_at_or_above_s >= t.hard_hr_minutes * 60.0
                        || (a.moving_s > 0.0
                            && h.time_at_or_above_s >= t.hard_hr_share * a.moving_s),
                    basis: HardBasis::Hr,
                });
            }
            None => by_pace.push(i),
        }
    }
    by_pace.sort_by_key(|&i| summaries[i].start_utc);
    let mut window = RankWindow::new(speeds.iter().map(|(_, v)| *v).collect());
    // The speeds of the runs that started in [since, start): `speeds[from..to]`.
    let (mut from, mut to) = (0usize, 0usize);
    for i in by_pace {
        let a = &mut summaries[i];
        let since = a.start_utc - chrono::Duration::weeks(t.hard_pace_lookback_weeks);
        while to < speeds.len() && speeds[to].0 < a.start_utc {
            window.insert(to);
            to += 1;
        }
        while from < to && speeds[from].0 < since {
            window.remove(from);
            from += 1;
        }
        let earlier = to - from;
        let speed = (a.moving_s > 0.0).then(|| a.distance_m / a.moving_s);
        a.hard = Some(match (speed, window.percentile(t.hard_speed_percentile)) {
            (Some(v), Some(p)) if earlier >= t.hard_pace_min_runs => HardSession {
                hard: v > p,
                basis: HardBasis::Pace,
            },
            _ => HardSession {
                hard: false,
                basis: HardBasis::None,
            },
        });
    }
}

/// Values of a list in a window that moves forward over it, by rank: a Fenwick tree counts the
/// values inside over their places in sorted order, so that a percentile of the window is found
/// in a logarithmic number of steps. NaN values never enter (as [`run::percentile`] drops them).
struct RankWindow {
    /// The list's values in ascending order (`total_cmp`), equal values by their place in it.
    sorted: Vec<f64>,
    /// Each value's place in `sorted`, by its place in the list.
    rank_of: Vec<usize>,
    /// Counts of the values inside, over the places of `sorted` (1-based, Fenwick).
    tree: Vec<u32>,
    /// Values inside.
    len: usize,
}

impl RankWindow {
    /// An empty window over `values`.
    fn new(values: Vec<f64>) -> RankWindow {
        let mut order: Vec<usize> = (0..values.len()).collect();
        order.sort_unstable_by(|&a, &b| values[a].total_cmp(&values[b]).then(a.cmp(&b)));
        let mut rank_of = vec![0; values.len()];
        for (rank, &i) in order.iter().enumerate() {
            rank_of[i] = rank;
        }
        RankWindow {
            sorted: order.iter().map(|&i| values[i]).collect(),
            rank_of,
            tree: vec![0; values.len() + 1],
            len: 0,
        }
    }

    /// Value `i` of the list enters the window.
    fn insert(&mut self, i: usize) {
        if self.sorted[self.rank_of[i]].is_nan() {
            return;
        }
        self.len += 1;
        let mut k = self.rank_of[i] + 1;
        while k < self.tree.len() {
            self.tree[k] += 1;
            k += k & k.wrapping_neg();
        }
    }

    /// Value `i` of the list, inside, leaves the window.
    fn remove(&mut self, i: usize) {
        if self.sorted[self.rank_of[i]].is_nan() {
            return;
        }
        self.len -= 1;
        let mut k = self.rank_of[i] + 1;
        while k < self.tree.len() {
            self.tree[k] -= 1;
            k += k & k.wrapping_neg();
        }
    }

    /// The `k`-th smallest value inside (from 1; `k` at most [`RankWindow::len`]).
    fn kth(&self, k: usize) -> f64 {
        // Down the tree: the longest prefix of places holding fewer than `k` values inside.
        let (mut place, mut left) = (0usize, k as u32);
        let mut step = (self.tree.len() - 1)
            .checked_ilog2()
            .map_or(0, |b| 1usize << b);
        while step > 0 {
            let next = place + step;
            if next < self.tree.len() && self.tree[next] < left {
                place = next;
                left -= self.tree[next];
            }
            step >>= 1;
        }
        self.sorted[place]
    }

    /// [`run::percentile`] of the values inside: the nearest rank, the ceiling of n × p / 100
    /// (at least the first); `None` when the window is empty or `p` is NaN.
    fn percentile(&self, p: f64) -> Option<f64> {
        if p.is_nan() || self.len == 0 {
            return None;
        }
        let target = self.len as f64 * (p.clamp(0.0, 100.0) / 100.0);
        Some(self.kth((target.ceil() as usize).clamp(1, self.len)))
    }
}

/// The offset of local time at `start_utc`: the file's own where it has one, else the zone of the
/// activity's first fix (`position_zone`), else the settings' zone; with the zone used.
pub fn local_offset(
    start_utc: DateTime<Utc>,
    utc_offset_s: Option<i32>,
    position_zone: Option<&str>,
    tz: &chrono_tz::Tz,
) -> (FixedOffset, OffsetSource, Option<chrono_tz::Tz>) {
    if let Some(off) = utc_offset_s.and_then(FixedOffset::east_opt) {
        return (off, OffsetSource::File, None);
    }
    let (zone, source) = match position_zone.and_then(|z| z.parse::<chrono_tz::Tz>().ok()) {
        Some(z) => (z, OffsetSource::Position),
        None => (*tz, OffsetSource::Zone),
    };
    (
        zone.offset_from_utc_datetime(&start_utc.naive_utc()).fix(),
        source,
        Some(zone),
    )
}

/// The first day of the week holding `date`.
pub fn week_start(date: NaiveDate, start: WeekStart) -> NaiveDate {
    let back = match start {
        WeekStart::Mon => date.weekday().num_days_from_monday(),
        WeekStart::Sun => date.weekday().num_days_from_sunday(),
    };
    date - Days::new(back as u64)
}

/// The label of the week starting `start` (ISO year and week of its Monday).
pub fn week_label(start: NaiveDate, week_start: WeekStart) -> String {
    let monday = match week_start {
        WeekStart::Mon => start,
        WeekStart::Sun => start + Days::new(1),
    };
    let iso = monday.iso_week();
    format!("{}-W{:02}", iso.year(), iso.week())
}

/// Summarises one activity: computed values, device values, local date and week, and per-run
/// metrics with HRmax taken from this activity alone (see [`analyse`] for a whole block).
pub fn summarise(a: &Activity, settings: &Settings) -> ActivitySummary {
    summarise_extract(&extract(a), settings)
}

/// [`finalize`] with the hard-session HR threshold from the extract's own HRmax.
pub fn summarise_extract(e: &Extract, settings: &Settings) -> ActivitySummary {
    let hr = hr_max(std::slice::from_ref(e), &settings.thresholds);
    finalize(
        e,
        settings,
        hr.map(|(h, _)| h * settings.thresholds.hard_hr_fraction),
    )
}

/// [`summarise`] with the hard-session HR threshold given.
pub fn summarise_with(
    a: &Activity,
    settings: &Settings,
    hr_threshold_bpm: Option<f64>,
) -> ActivitySummary {
    finalize(&extract(a), settings, hr_threshold_bpm)
}

/// What an activity gives that no setting changes: everything computed from its samples, kept
/// so that a store can hand it back without the samples. Heart rate is kept as the (bpm,
/// moving seconds) of each sample that has it, from which HRmax and the time at or above any
/// threshold follow exactly.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Extract {
    pub source: String,
    pub session: usize,
    pub format: Format,
    pub sport: Sport,
    pub sport_detail: String,
    pub device_name: Option<String>,
    pub start_utc: DateTime<Utc>,
    pub utc_offset_s: Option<i32>,
    /// The zone of the first GPS fix (IANA name), for files without an offset of their own.
    pub position_zone: Option<String>,
    pub cadence_rule: CadenceRule,
    pub device: Option<DeviceSummary>,
    pub warnings: Vec<String>,
    pub samples: usize,
    pub columns: Vec<(String, usize)>,
    pub computed: Computed,
    /// Per-run metrics computed without an HR threshold (runs only).
    pub metrics: Option<RunMetrics>,
    /// The run's heart rates, one bin per value with its samples and moving time (runs only).
    pub heart_rate: Vec<run::HeartRateBin>,
    /// Name, gear and origin from a bulk export's manifest ([`join`]); a file alone has none.
    pub name: Option<String>,
    pub gear: Option<String>,
    pub origin: Origin,
    pub strength: Option<StrengthSets>,
    /// The time spent at each cadence ([`run::cadence_time`]; runs only), from which the share
    /// below the configured `low_cadence_spm` follows.
    pub cadence_time: Vec<(f64, f64)>,
}

/// Computes the [`Extract`] of one activity.
pub fn extract(a: &Activity) -> Extract {
    let is_run = a.sport == Sport::Running;
    // Step distances and moving time, once for every metric below.
    let motion = run::Motion::of(&a.samples);
    let heart_rate = if is_run {
        run::heart_rate_bins(&a.samples.heart_rate_bpm, &motion.moving)
    } else {
        Vec::new()
    };
    // A run's time at each cadence, made once for the extract and its cadence stats, and its
    // median cadence taken from those stats (the same weighted median of the same pairs).
    let cadence_time = if is_run {
        run::cadence_time(&a.samples.cadence_spm, &motion.moving)
    } else {
        Vec::new()
    };
    let run_metrics =
        is_run.then(|| run::run_metrics_from(&a.samples, &motion, None, &cadence_time));
    let cadence_median = run_metrics
        .as_ref()
        .map(|m| m.cadence.as_ref().map(|c| c.median_spm));
    Extract {
        source: a.source.clone(),
        session: a.session,
        format: a.format,
        sport: a.sport,
        sport_detail: a.sport_detail.clone(),
        device_name: a.device_name.clone(),
        start_utc: a.start_utc,
        utc_offset_s: a.utc_offset_s,
        // Looked up only where the file has no offset: the map is opened on first use.
        position_zone: if a.utc_offset_s.is_none() {
            zone::of_first_fix(&a.samples).map(|z| z.name().to_string())
        } else {
            None
        },
        cadence_rule: a.cadence_rule,
        device: a.device.clone(),
        warnings: a.warnings.clone(),
        samples: a.samples.len(),
        columns: a
            .samples
            .recorded()
            .into_iter()
            .map(|(n, c)| (n.to_string(), c))
            .collect(),
        computed: metrics::compute_from(&a.samples, &motion, cadence_median),
        metrics: run_metrics,
        heart_rate,
        name: None,
        gear: None,
        origin: Origin::File,
        strength: a.strength,
        cadence_time,
    }
}

/// Dates an [`Extract`] in the settings' zone and week, and judges its heart rate against the
/// hard-session threshold.
pub fn finalize(
    e: &Extract,
    settings: &Settings,
    hr_threshold_bpm: Option<f64>,
) -> ActivitySummary {
    let computed = e.computed.clone();
    let (offset, offset_source, zone) = local_offset(
        e.start_utc,
        e.utc_offset_s,
        e.position_zone.as_deref(),
        &settings.tz,
    );
    let start_local = e.start_utc.with_timezone(&offset);
    let local_date = start_local.date_naive();
    let ws = week_start(local_date, settings.week_start);
    let device = e.device.clone();
    let dev = device.clone().unwrap_or_default();

    let distance_m = dev
        .distance_m
        .filter(|d| *d > 0.0)
        .unwrap_or(computed.distance_m);
    let (duration_s, duration_method) = match dev.timer_s.filter(|t| *t > 0.0) {
        Some(t) => (t, DurationMethod::DeviceTimer),
        None => (computed.elapsed_s, DurationMethod::Elapsed),
    };
    let (ascent_m, descent_m, elevation_method) = match (dev.ascent_m, dev.descent_m) {
        (Some(up), down) => (
            Some(up),
            down.or(computed.descent_m),
            ElevationMethod::Device,
        ),
        (None, _) if computed.ascent_m.is_some() => (
            computed.ascent_m,
            computed.descent_m,
            ElevationMethod::Smoothed,
        ),
        _ => (None, None, ElevationMethod::None),
    };
    let mut metrics = e.metrics.clone();
    if let Some(h) = metrics.as_mut().and_then(|m| m.heart_rate.as_mut()) {
        let threshold = hr_threshold_bpm.filter(|t| t.is_finite() && *t > 0.0);
        h.threshold_bpm = threshold;
        h.time_at_or_above_s = match threshold {
            Some(t) => run::time_at_or_above(&e.heart_rate, t),
            None => 0.0,
        };
    }
    let source_key = format!("{}#{}", e.source, e.session);
    ActivitySummary {
        id: format!(
            "{}-{:08x}",
            e.start_utc.format("%Y%m%dT%H%M%SZ"),
            // 32 bits of the same hash that keys the store: enough to tell sessions apart.
            xxhash_rust::xxh3::xxh3_64(source_key.as_bytes()) as u32
        ),
        source: e.source.clone(),
        session: e.session,
        format: e.format,
        sport: e.sport,
        sport_detail: e.sport_detail.clone(),
        device_name: e.device_name.clone(),
        name: e.name.clone(),
        gear: e.gear.clone(),
        origin: e.origin,
        strength: e.strength,
        start_utc: e.start_utc,
        start_local,
        offset_source,
        zone: zone.map(|z| z.name().to_string()),
        local_date,
        week: week_label(ws, settings.week_start),
        week_start: ws,
        distance_m,
        duration_s,
        duration_method,
        moving_s: computed.moving_s,
        ascent_m,
        descent_m,
        elevation_method,
        cadence_spm: computed.cadence_spm,
        cadence_rule: e.cadence_rule,
        samples: e.samples,
        columns: e.columns.clone(),
        computed,
        device,
        duplicate_of: None,
        metrics,
        hard: None,
        warnings: e.warnings.clone(),
        cadence_below_low_share: (!e.cadence_time.is_empty())
            .then(|| run::share_below(&e.cadence_time, settings.thresholds.low_cadence_spm)),
    }
}

/// Two activities are the same run exported twice when they start within this many seconds...
const DUPLICATE_START_S: i64 = 120;
/// ...and their distances differ by at most this share (or [`DUPLICATE_DISTANCE_FLOOR_M`])...
const DUPLICATE_DISTANCE_SHARE: f64 = 0.05;
const DUPLICATE_DISTANCE_FLOOR_M: f64 = 200.0;
/// ...and their durations by at most this share (or [`DUPLICATE_DURATION_FLOOR_S`]).
const DUPLICATE_DURATION_SHARE: f64 = 0.10;
const DUPLICATE_DURATION_FLOOR_S: f64 = 60.0;

fn same_run(a: &ActivitySummary, b: &ActivitySummary) -> bool {
    let close =
        |x: f64, y: f64, share: f64, floor: f64| (x - y).abs() <= (share * x.max(y)).max(floor);
    (a.start_utc - b.start_utc).num_seconds().abs() <= DUPLICATE_START_S
        && a.sport == b.sport
        && close(
            a.distance_m,
            b.distance_m,
            DUPLICATE_DISTANCE_SHARE,
            DUPLICATE_DISTANCE_FLOOR_M,
        )
        && close(
            a.duration_s,
            b.duration_s,
            DUPLICATE_DURATION_SHARE,
            DUPLICATE_DURATION_FLOOR_S,
        )
}

/// How much an export tells: FIT carries the device summary and dynamics, TCX lap totals, GPX
/// the least of the files, a manifest row without a file less still; then the more device
/// totals, recorded columns and samples, the better. The richer copy is kept (an original over
/// a re-saved copy that lost fields).
fn richness(a: &ActivitySummary) -> (u8, usize, usize, usize) {
    let format = match a.format {
        Format::Fit => 4,
        Format::Tcx => 3,
        Format::Gpx => 2,
        Format::Json => 1,
        Format::Csv => 0,
    };
    let device_fields = a.device.as_ref().map_or(0, |d| {
        [
            d.distance_m,
            d.ascent_m,
            d.descent_m,
            d.cadence_spm,
            d.timer_s,
            d.elapsed_s,
        ]
        .iter()
        .filter(|v| v.is_some())
        .count()
    });
    (format, device_fields, a.columns.len(), a.samples)
}

/// Marks every activity that repeats an earlier-listed richer one (`summaries` sorted by start).
///
/// Each activity not yet marked, in order, gathers the unmarked ones that start within
/// [`DUPLICATE_START_S`] after it and are the same run ([`same_run`]). Those are found among the
/// activities of the same sport whose distance and duration lie within two [`Cells`] of its own:
/// looking at every activity of the two minutes for each was quadratic in a file of thousands of
/// sessions that start together.
pub fn mark_duplicates(summaries: &mut [ActivitySummary]) {
    if !summaries.is_sorted_by_key(|a| a.start_utc) {
        mark_duplicates_by_scan(summaries);
        return;
    }
    let cells = Cells::new(summaries);
    let mut end = 0;
    for i in 0..summaries.len() {
        if summaries[i].duplicate_of.is_some() {
            continue;
        }
        // The activities after this one that start within the two minutes: i + 1..end (the end
        // only moves forward, the starts being in order).
        end = end.max(i + 1);
        while end < summaries.len()
            && (summaries[end].start_utc - summaries[i].start_utc).num_seconds()
                <= DUPLICATE_START_S
        {
            end += 1;
        }
        let group = cells.same_runs(summaries, i, end);
        if group.len() < 2 {
            continue;
        }
        mark_group(summaries, i, &group);
    }
}

/// [`mark_duplicates`] by looking at every activity of the two minutes after each, for a list
/// not in order of start (none that `analyse` makes).
fn mark_duplicates_by_scan(summaries: &mut [ActivitySummary]) {
    for i in 0..summaries.len() {
        if summaries[i].duplicate_of.is_some() {
            continue;
        }
        let mut group = vec![i];
        for j in i + 1..summaries.len() {
            if (summaries[j].start_utc - summaries[i].start_utc).num_seconds() > DUPLICATE_START_S {
                break;
            }
            if summaries[j].duplicate_of.is_none() && same_run(&summaries[i], &summaries[j]) {
                group.push(j);
            }
        }
        if group.len() < 2 {
            continue;
        }
        mark_group(summaries, i, &group);
    }
}

/// Where the activities of a list lie by sport, distance and duration, for [`mark_duplicates`].
/// A value's cell is the whole part of a scale on which values [`same_run`] takes as close lie
/// at most about one apart (1.007 for distances, 1.014 for durations, where the tolerance turns
/// from metres or seconds to a share): 200 m or 60 s a step up to 4 km or 10 minutes, and above
/// that 5 % or 10 % a step. So the same run lies within two cells each way, and an activity looks
/// at 25 cells instead of every activity of its two minutes.
struct Cells {
    /// Indices of the activities of each cell (sport, distance cell, duration cell), in order.
    by_cell: std::collections::HashMap<(Sport, i64, i64), Vec<usize>>,
    /// Each activity's cell; `None` for a distance or duration that is not finite.
    cell_of: Vec<Option<(Sport, i64, i64)>>,
    /// Indices, in order, of the activities with an infinite distance or duration (which
    /// [`same_run`] may take as close to any other): looked at by every activity.
    infinite: Vec<usize>,
}

impl Cells {
    /// Cells on the scale of a tolerance of `floor` or `share`, whichever is larger.
    fn cell(x: f64, share: f64, floor: f64) -> i64 {
        let turn = floor / share;
        let steps = if x <= turn {
            x / floor
        } else {
            turn / floor + (x / turn).ln() / -(1.0 - share).ln()
        };
        steps.floor() as i64
    }

    fn new(summaries: &[ActivitySummary]) -> Cells {
        let mut cells = Cells {
            by_cell: std::collections::HashMap::new(),
            cell_of: Vec::with_capacity(summaries.len()),
            infinite: Vec::new(),
        };
        for (i, a) in summaries.iter().enumerate() {
            let (d, t) = (a.distance_m, a.duration_s);
            let cell = (d.is_finite() && t.is_finite()).then(|| {
                (
                    a.sport,
                    Cells::cell(d, DUPLICATE_DISTANCE_SHARE, DUPLICATE_DISTANCE_FLOOR_M),
                    Cells::cell(t, DUPLICATE_DURATION_SHARE, DUPLICATE_DURATION_FLOOR_S),
                )
            });
            match cell {
                Some(key) => cells.by_cell.entry(key).or_default().push(i),
                // NaN is close to nothing: such an activity is never in a group.
                None if d.is_nan() || t.is_nan() => {}
                None => cells.infinite.push(i),
            }
            cells.cell_of.push(cell);
        }
        cells
    }

    /// `i` and the activities of `i + 1..end` not yet marked that are the same run as `i`, in
    /// order.
    fn same_runs(&self, summaries: &[ActivitySummary], i: usize, end: usize) -> Vec<usize> {
        let a = &summaries[i];
        let joins = |j: usize| summaries[j].duplicate_of.is_none() && same_run(a, &summaries[j]);
        // The indices of `list` (in order) in i + 1..end.
        let after = |list: &[usize]| -> std::ops::Range<usize> {
            let from = list.partition_point(|&j| j <= i);
            from..from + list[from..].partition_point(|&j| j < end)
        };
        let mut group = vec![i];
        match self.cell_of[i] {
            Some((sport, d, t)) => {
                for dd in -2..=2 {
                    for dt in -2..=2 {
                        if let Some(list) = self.by_cell.get(&(sport, d + dd, t + dt)) {
                            group.extend(list[after(list)].iter().filter(|&&j| joins(j)));
                        }
                    }
                }
                let infinite = &self.infinite[after(&self.infinite)];
                group.extend(infinite.iter().filter(|&&j| joins(j)));
                group[1..].sort_unstable();
            }
            // An infinite distance or duration: every activity of the two minutes looked at.
            None if !(a.distance_m.is_nan() || a.duration_s.is_nan()) => {
                group.extend((i + 1..end).filter(|&j| joins(j)));
            }
            None => {}
        }
        group
    }
}

/// Marks the activities of `group` (`i`, the first listed, then the same runs after it) but the
/// richest as its duplicates.
fn mark_group(summaries: &mut [ActivitySummary], i: usize, group: &[usize]) {
    // Keep the richest; ties go to the first listed (earliest start, then source name).
    let keep = *group
        .iter()
        .max_by(|&&x, &&y| {
            richness(&summaries[x])
                .cmp(&richness(&summaries[y]))
                .then(y.cmp(&x))
        })
        .unwrap_or(&i);
    let keep_id = summaries[keep].id.clone();
    for &k in group {
        if k != keep {
            summaries[k].duplicate_of = Some(keep_id.clone());
        }
    }
    // The kept copy takes the name and gear a manifest gave another copy (a file from one
    // export, the same session as a row of the other), the first listed first.
    if summaries[keep].name.is_none() {
        summaries[keep].name = group.iter().find_map(|&k| summaries[k].name.clone());
    }
    if summaries[keep].gear.is_none() {
        summaries[keep].gear = group.iter().find_map(|&k| summaries[k].gear.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_start_on_monday_or_sunday() {
        let d = NaiveDate::from_ymd_opt(2025, 3, 9).unwrap(); // a Sunday
        assert_eq!(
            week_start(d, WeekStart::Mon),
            NaiveDate::from_ymd_opt(2025, 3, 3).unwrap()
        );
        assert_eq!(week_start(d, WeekStart::Sun), d);
        assert_eq!(
            week_label(week_start(d, WeekStart::Mon), WeekStart::Mon),
            "2025-W10"
        );
        assert_eq!(week_label(d, WeekStart::Sun), "2025-W11");
        // ISO years differ from calendar years around New Year.
        let d = NaiveDate::from_ymd_opt(2024, 12, 30).unwrap();
        assert_eq!(week_label(d, WeekStart::Mon), "2025-W01");
    }

    fn summary(
        source: &str,
        format: Format,
        start_s: i64,
        km: f64,
        columns: usize,
    ) -> ActivitySummary {
        let start = Utc.timestamp_opt(1_700_000_000 + start_s, 0).unwrap();
        let mut a = Activity::new(source, format, start);
        a.sport = Sport::Running;
        let settings = Settings::new(chrono_tz::UTC, WeekStart::Mon);
        let mut s = summarise(&a, &settings);
        s.distance_m = km * 1000.0;
        s.duration_s = km * 330.0;
        s.columns = vec![("t_s".to_string(), 1); columns];
        s
    }

    #[test]
    fn duplicates_keep_the_richest_copy() {
        let mut v = vec![
            summary("resaved.fit", Format::Fit, 0, 10.0, 5),
            summary("original.fit", Format::Fit, 1, 10.02, 9),
            summary("export.gpx", Format::Gpx, 30, 10.1, 12),
            // Same start, other distance: another run (a second watch on a different route).
            summary("other.fit", Format::Fit, 0, 14.0, 9),
            // Same distance, four minutes later: another run.
            summary("later.fit", Format::Fit, 240, 10.0, 9),
        ];
        v.sort_by(|a, b| (a.start_utc, &a.source).cmp(&(b.start_utc, &b.source)));
        mark_duplicates(&mut v);
        let by = |name: &str| v.iter().find(|s| s.source == name).unwrap();
        let original = by("original.fit").id.clone();
        assert_eq!(by("original.fit").duplicate_of, None);
        assert_eq!(by("resaved.fit").duplicate_of.as_ref(), Some(&original));
        assert_eq!(by("export.gpx").duplicate_of.as_ref(), Some(&original));
        assert_eq!(by("other.fit").duplicate_of, None);
        assert_eq!(by("later.fit").duplicate_of, None);
    }

    /// Hard sessions by pace as [`classify_hard`] judged them before its window: the earlier
    /// runs' speeds looked through, and selected among, for each run.
    fn hard_by_looking_through_every_run(
        summaries: &[ActivitySummary],
        t: &Thresholds,
    ) -> Vec<Option<HardSession>> {
        let speeds: Vec<(DateTime<Utc>, f64)> = summaries
            .iter()
            .filter(|a| a.counts_as_run() && a.moving_s > 0.0 && a.distance_m > 0.0)
            .map(|a| (a.start_utc, a.distance_m / a.moving_s))
            .collect();
        summaries
            .iter()
            .map(|a| {
                if !a.counts_as_run() {
                    return None;
                }
                let since = a.start_utc - chrono::Duration::weeks(t.hard_pace_lookback_weeks);
                let earlier: Vec<f64> = speeds
                    .iter()
                    .filter(|(s, _)| *s >= since && *s < a.start_utc)
                    .map(|(_, v)| *v)
                    .collect();
                let speed = (a.moving_s > 0.0).then(|| a.distance_m / a.moving_s);
                Some(
                    match (speed, run::percentile(&earlier, t.hard_speed_percentile)) {
                        (Some(v), Some(p)) if earlier.len() >= t.hard_pace_min_runs => {
                            HardSession {
                                hard: v > p,
                                basis: HardBasis::Pace,
                            }
                        }
                        _ => HardSession {
                            hard: false,
                            basis: HardBasis::None,
                        },
                    },
                )
            })
            .collect()
    }

    #[test]
    fn hard_by_pace_is_what_a_look_through_every_earlier_run_finds() {
        // 400 runs at whole hours over 83 days (some at the same hour), speeds from a few
        // values (equal speeds), some not moving, some without distance, some walks, in no
        // order of start; several look-backs, percentiles and least numbers of runs.
        let mut rng = crate::synth::Rng::new(5);
        let mut runs: Vec<ActivitySummary> = (0..400)
            .map(|i| {
                let start_s = 3600 * (rng.next_u64() % 2000) as i64;
                let km = 5.0 + (rng.next_u64() % 12) as f64;
                let mut s = summary(&format!("{i}.fit"), Format::Fit, start_s, km, 5);
                s.moving_s = match i % 17 {
                    0 => 0.0,
                    _ => 1500.0 + 300.0 * (rng.next_u64() % 8) as f64,
                };
                if i % 29 == 0 {
                    s.distance_m = 0.0;
                }
                if i % 23 == 0 {
                    s.sport = Sport::Walking;
                }
                s
            })
            .collect();
        let (mut pace, mut hard) = (0, 0);
        for (weeks, percentile, least) in [(8, 80.0, 4), (1, 50.0, 1), (2, 0.0, 3), (3, 100.0, 2)] {
            let t = Thresholds {
                hard_pace_lookback_weeks: weeks,
                hard_speed_percentile: percentile,
                hard_pace_min_runs: least,
                ..Thresholds::default()
            };
            let want = hard_by_looking_through_every_run(&runs, &t);
            classify_hard(&mut runs, &t);
            let got: Vec<Option<HardSession>> = runs.iter().map(|a| a.hard.clone()).collect();
            assert_eq!(got, want, "{weeks} weeks, {percentile} %, {least} runs");
            let by_pace = got.iter().flatten().filter(|h| h.basis == HardBasis::Pace);
            pace += by_pace.clone().count();
            hard += by_pace.filter(|h| h.hard).count();
        }
        assert!(pace > 0 && hard > 0 && hard < pace, "{hard} of {pace}");
    }

    #[test]
    fn a_rank_window_gives_the_percentile_a_selection_gives() {
        let values = [
            3.0,
            f64::NAN,
            1.0,
            3.0,
            2.0,
            0.5,
            7.0,
            3.0,
            f64::INFINITY,
            2.0,
        ];
        let mut w = RankWindow::new(values.to_vec());
        assert_eq!(w.percentile(50.0), None, "empty");
        // The window moves forward, each end on its own.
        let (mut inside_from, mut inside_to) = (0, 0);
        for (from, to) in [(0, 1), (0, 4), (1, 6), (3, 10), (9, 10)] {
            for i in inside_to..to {
                w.insert(i);
            }
            for i in inside_from..from {
                w.remove(i);
            }
            (inside_from, inside_to) = (from, to);
            for p in [0.0, 10.0, 25.0, 50.0, 80.0, 99.0, 100.0, f64::NAN] {
                let want = run::percentile(&values[from..to], p);
                assert_eq!(
                    w.percentile(p).map(f64::to_bits),
                    want.map(f64::to_bits),
                    "{from}..{to}, {p}"
                );
            }
        }
        w.remove(9);
        assert_eq!(w.percentile(50.0), None, "emptied");
    }

    #[test]
    fn duplicates_are_those_a_look_at_every_activity_of_two_minutes_finds() {
        // 3,000 activities in bursts (many at the same second, some 120.x s apart), of three
        // sports, distances and durations in steps around the tolerances (across 4 km and 10
        // minutes, where they turn from metres and seconds to shares), a few not finite, some
        // marked already, some with a name or gear.
        let mut rng = crate::synth::Rng::new(21);
        let mut at_ms = 0i64;
        let mut v: Vec<ActivitySummary> = (0..3000)
            .map(|i| {
                at_ms += match rng.next_u64() % 10 {
                    0 => 600_000,
                    1 => 120_500,
                    2..=5 => 0,
                    _ => (rng.next_u64() % 40_000) as i64,
                };
                let format = [Format::Fit, Format::Gpx, Format::Csv][i % 3];
                let mut s = summary(&format!("{i}.x"), format, 0, 1.0, i % 4);
                s.start_utc = Utc.timestamp_millis_opt(1_700_000_000_000 + at_ms).unwrap();
                s.sport = [
                    Sport::Running,
                    Sport::Running,
                    Sport::Cycling,
                    Sport::Walking,
                ][(rng.next_u64() % 4) as usize];
                let base_m = [300.0, 3_900.0, 4_000.0, 4_100.0, 10_000.0, 42_000.0]
                    [(rng.next_u64() % 6) as usize];
                s.distance_m = base_m + 50.0 * (rng.next_u64() % 12) as f64 - 250.0;
                let base_s = [100.0, 580.0, 600.0, 640.0, 3_600.0][(rng.next_u64() % 5) as usize];
                s.duration_s = base_s * (1.0 + 0.03 * (rng.next_u64() % 9) as f64) - 40.0;
                match rng.next_u64() % 200 {
                    0 => s.distance_m = f64::NAN,
                    1 => s.duration_s = f64::INFINITY,
                    2 => s.distance_m = f64::NEG_INFINITY,
                    3 => s.duplicate_of = Some("earlier".into()),
                    4 => s.name = Some(format!("name {i}")),
                    5 => s.gear = Some(format!("gear {i}")),
                    _ => {}
                }
                s
            })
            .collect();
        v.sort_by(|a, b| (a.start_utc, &a.source).cmp(&(b.start_utc, &b.source)));
        let mut want = v.clone();
        mark_duplicates_by_scan(&mut want);
        mark_duplicates(&mut v);
        let marks =
            |v: &[ActivitySummary]| -> Vec<(Option<String>, Option<String>, Option<String>)> {
                v.iter()
                    .map(|a| (a.duplicate_of.clone(), a.name.clone(), a.gear.clone()))
                    .collect()
            };
        assert_eq!(marks(&v), marks(&want));
        let marked = want.iter().filter(|a| a.duplicate_of.is_some()).count();
        assert!(marked > 300 && marked < 2000, "{marked}");
        // Out of order, the look at every activity decides.
        let mut reversed = want.clone();
        reversed.iter_mut().for_each(|a| a.duplicate_of = None);
        reversed.reverse();
        let mut by_scan = reversed.clone();
        mark_duplicates_by_scan(&mut by_scan);
        mark_duplicates(&mut reversed);
        assert_eq!(marks(&reversed), marks(&by_scan));
    }

    #[test]
    fn the_kept_copy_takes_a_manifest_rows_name() {
        // A FIT file without a manifest, and the same session as a manifest row only.
        let file = summary("run.fit", Format::Fit, 0, 10.0, 9);
        let mut row = summary("export.zip!activities.csv", Format::Csv, 30, 10.0, 0);
        row.name = Some("Tempo Thursday".into());
        row.gear = Some("Pegasus 40".into());
        row.origin = Origin::StravaCsv;
        let mut v = vec![file, row];
        mark_duplicates(&mut v);
        assert_eq!(v[0].duplicate_of, None, "the file is the richer copy");
        assert_eq!(v[1].duplicate_of.as_ref(), Some(&v[0].id));
        assert_eq!(v[0].name.as_deref(), Some("Tempo Thursday"));
        assert_eq!(v[0].gear.as_deref(), Some("Pegasus 40"));
    }

    #[test]
    fn a_panic_in_one_activity_costs_that_activity_only() {
        let start = Utc.with_ymd_and_hms(2025, 3, 3, 7, 0, 0).unwrap();
        let activities: Vec<Activity> = (0..4)
            .map(|i| {
                let mut a = Activity::new(
                    &format!("planted-{i}.gpx"),
                    Format::Gpx,
                    start + chrono::Duration::days(i),
                );
                a.sport = Sport::Running;
                a.device = Some(DeviceSummary {
                    distance_m: Some(5000.0 + i as f64),
                    timer_s: Some(1800.0),
                    ..DeviceSummary::default()
                });
                a
            })
            .collect();
        planted::plant("planted-1.gpx");
        planted::plant("planted-2.gpx#finalize");
        let settings = Settings::new(chrono_tz::UTC, WeekStart::Mon);
        let earlier = vec![Skipped::new("x.csv", SkipReason::Empty)];
        let result = analyse(&activities, earlier, &settings).unwrap();
        let sources: Vec<&str> = result
            .activities
            .iter()
            .map(|a| a.source.as_str())
            .collect();
        assert_eq!(sources, ["planted-0.gpx", "planted-3.gpx"]);
        let skipped: Vec<String> = result.skipped.iter().map(|s| s.to_string()).collect();
        assert_eq!(
            skipped,
            [
                "x.csv: empty file",
                "planted-1.gpx: internal error while analysing: planted panic for planted-1.gpx",
                "planted-2.gpx: internal error while analysing: planted panic for \
                 planted-2.gpx#finalize",
            ]
        );
        // The rest of the result is that of the two runs left.
        assert_eq!(result.weeks.len(), 1);
        assert_eq!(result.weeks[0].runs, 2);
        assert!((result.weeks[0].run_km - 10.003).abs() < 1e-9);
    }

    #[test]
    fn late_evening_run_lands_on_its_local_day() {
        let start = Utc.with_ymd_and_hms(2025, 3, 12, 2, 30, 0).unwrap();
        let mut a = Activity::new("r.gpx", Format::Gpx, start);
        a.sport = Sport::Running;
        let settings = Settings::new(chrono_tz::America::New_York, WeekStart::Mon);
        let s = summarise(&a, &settings);
        // 02:30 UTC on the 12th is 22:30 EDT on the 11th.
        assert_eq!(s.local_date, NaiveDate::from_ymd_opt(2025, 3, 11).unwrap());
        assert_eq!(s.offset_source, OffsetSource::Zone);
        // A file's own offset wins over the zone.
        a.utc_offset_s = Some(3600);
        let s = summarise(&a, &settings);
        assert_eq!(s.local_date, NaiveDate::from_ymd_opt(2025, 3, 12).unwrap());
        assert_eq!(s.offset_source, OffsetSource::File);
    }
}
