//! `index.html`: one self-contained page (inline CSS, inline SVG charts, no script, nothing
//! fetched) that a runner opens offline and reads without a manual.
//!
//! [`Page`] is what the page shows, taken from the [`Analysis`] and already worded and
//! formatted (no arithmetic beyond unit conversion); `page.rs` lays it out through maud, which
//! escapes every string it is given. The charts come from [`chart_svgs`], drawn from
//! [`chart_data`].

mod page;
mod team;

pub use team::team_page;

use std::collections::BTreeMap;

use crate::analysis::load::{ACUTE_DAYS, CHRONIC_DAYS, SPIKE_LOOKBACK_DAYS};
use crate::analysis::run::DOWNHILL_GRADE;
use crate::analysis::{
    ActivitySummary, Analysis, ElevationKind, ElevationMethod, Finding, HrMaxSource, Kind, Phase,
    Rule, Severity,
};
use crate::model::Sport;
use crate::report::charts::{self, CadenceRun, DescentWeek, LoadDay, LongRun, WeekBar};
use crate::report::format::sanitise;
use crate::report::format::{hms, number, pace, ratio_pct, value_words};
use crate::report::{Artifact, Render, RenderContext};

/// The page, `index.html`, with each chart beside it as `charts/ID.svg`.
pub struct Html;

impl Render for Html {
    fn render(&self, a: &Analysis, ctx: &RenderContext) -> anyhow::Result<Vec<Artifact>> {
        let svgs = chart_svgs(a);
        let page = page::render(&Page::with_charts(a, &ctx.athlete, &svgs));
        let mut files = vec![Artifact::new("index.html", page)];
        files.extend(
            svgs.into_iter()
                .map(|(id, svg)| Artifact::new(format!("charts/{id}.svg"), svg)),
        );
        Ok(files)
    }
}

/// Renders the page. `athlete` may be empty.
pub fn render(a: &Analysis, athlete: &str) -> String {
    page::render(&Page::new(a, athlete))
}

/// The data behind each chart, taken from the analysis (shared with the snapshot tests).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ChartData {
    pub weeks: Vec<WeekBar>,
    pub load: Vec<LoadDay>,
    pub cadence: Vec<CadenceRun>,
    pub descent: Vec<DescentWeek>,
    pub long_runs: Vec<LongRun>,
}

/// Selects the chart series from the analysis.
pub fn chart_data(a: &Analysis) -> ChartData {
    ChartData {
        weeks: a
            .weeks
            .iter()
            .map(|w| WeekBar {
                label: w.week.clone(),
                start: w.start,
                run_km: w.run_km,
                change_pct: w.change_pct,
                long_run_km: w.long_run_km,
                complete: w.complete,
            })
            .collect(),
        load: a
            .days
            .iter()
            .map(|d| LoadDay {
                date: d.date,
                acute_km: d.acute_km,
                chronic_km: d.chronic_km,
                acwr: d.acwr,
            })
            .collect(),
        cadence: a
            .runs()
            .filter_map(|r| {
                let c = r.metrics.as_ref()?.cadence.as_ref()?;
                Some(CadenceRun {
                    date: r.local_date,
                    median_spm: c.median_spm,
                    p10_spm: Some(c.p10_spm),
                    p90_spm: Some(c.p90_spm),
                    moving_min: r.moving_s / 60.0,
                })
            })
            .collect(),
        descent: a
            .weeks
            .iter()
            .map(|w| DescentWeek {
                label: w.week.clone(),
                start: w.start,
                descent_m: w.descent_m,
                downhill_km: w.downhill_km,
            })
            .collect(),
        long_runs: a
            .longest
            .iter()
            .map(|c| LongRun {
                date: c.date,
                distance_km: c.distance_km,
                limit_km: c.limit_km,
                over_limit: c.over_limit,
            })
            .collect(),
    }
}

/// Every chart of the report as (id, SVG), in page order.
pub fn chart_svgs(a: &Analysis) -> Vec<(&'static str, String)> {
    let d = chart_data(a);
    let t = &a.thresholds;
    let pain: Vec<charts::PainMark> = a
        .pain
        .iter()
        .map(|p| charts::PainMark {
            date: p.date,
            score: p.score,
        })
        .collect();
    vec![
        ("weekly-km", charts::weekly_km_with_pain(&d.weeks, &pain)),
        (
            "load",
            charts::training_load_with_pain(&d.load, t.acwr_high, &pain),
        ),
        ("cadence", charts::cadence(&d.cadence, t.low_cadence_spm)),
        (
            "cadence-distribution",
            charts::cadence_distribution(&a.cadence_distribution, t.low_cadence_spm),
        ),
        ("descent", charts::descent(&d.descent)),
        (
            "long-runs",
            charts::long_runs(&d.long_runs, t.single_run_spike_ratio),
        ),
    ]
}

/// Everything the page shows, in page order.
#[derive(Clone, Debug)]
pub struct Page {
    /// `Knee-risk report`, with `: NAME` when the athlete is named.
    pub title: String,
    /// "This week": the outlook's sentences, what it left out and why.
    pub outlook: Option<OutlookView>,
    /// `2025-03-03 to 2025-04-13`, or `no runs`.
    pub span: String,
    pub runs: usize,
    pub run_km: String,
    pub weeks: usize,
    /// Events per severity, most severe first, then the habits in force: (count, word).
    pub counts: Vec<(usize, &'static str)>,
    /// The day the outlook looks forward from, and the events of the 14 days before it the page
    /// opens with, most recent first, with the line naming the others.
    pub as_of: Option<chrono::NaiveDate>,
    pub open_events: (Vec<EventLine>, Option<String>),
    /// Every habit that held at some time, those in force first, each with its trend.
    pub habits: Vec<HabitCard>,
    /// The phases with events of the last 12 weeks, in the order Prime, Perform, Restore.
    pub phases: Vec<PhaseFindings>,
    pub figures: Vec<Figure>,
    pub run_rows: Vec<RunRow>,
    /// The first day of the recent history the page opens with (the last 12 weeks); what came
    /// before sits below in `<details>`: `older_phases`, `older_run_rows`, `older_week_rows`.
    pub recent_from: Option<chrono::NaiveDate>,
    pub older_phases: Vec<PhaseFindings>,
    pub older_findings: usize,
    pub older_run_rows: Vec<RunRow>,
    pub older_week_rows: Vec<WeekRow>,
    /// Activities counted as strength or other training, not as running.
    pub other_rows: Vec<OtherRow>,
    /// The pain log's entries, one card each.
    pub pain_cards: Vec<PainCard>,
    /// "Your triggers": the pain log against the runner's own training; `None` without a log.
    pub triggers: Option<TriggersCard>,
    pub shoe_rows: Vec<ShoeRow>,
    pub week_rows: Vec<WeekRow>,
    pub quality: Quality,
    pub version: &'static str,
    /// Files read: activities and skipped files.
    pub files: usize,
}

/// One event of the last 14 days, in full.
#[derive(Clone, Debug)]
pub struct EventLine {
    pub severity: &'static str,
    pub code: &'static str,
    pub when: String,
    pub message: String,
    pub detail: String,
    pub advice: &'static str,
}

/// One habit: its latest stretch, and its share week by week over the last weeks of the data.
#[derive(Clone, Debug)]
pub struct HabitCard {
    pub severity: &'static str,
    pub code: &'static str,
    /// `in force since 2025-01-06`, or `held 2024-03-04 to 2024-06-30`.
    pub state: String,
    pub in_force: bool,
    pub message: String,
    pub detail: String,
    pub evidence: &'static str,
    pub advice: &'static str,
    /// (week label, share over the 4 weeks to it, whether it held), oldest first.
    pub trend: Vec<(String, Option<f64>, bool)>,
    /// `26 weeks, 2025-03-31 to 2025-09-21`.
    pub trend_span: String,
    /// The share at which it holds (the line on the trend).
    pub holds_at: f64,
}

/// Weeks of a habit's trend on the page.
pub const TREND_WEEKS: usize = 26;

/// One phase's findings: one card per rule.
#[derive(Clone, Debug)]
pub struct PhaseFindings {
    pub title: &'static str,
    pub blurb: &'static str,
    pub cards: Vec<Card>,
}

/// One rule and every time it fired, most severe first.
#[derive(Clone, Debug)]
pub struct Card {
    /// The most severe occurrence's severity word (`high`, `moderate`, `info`): also the class.
    pub severity: &'static str,
    pub code: &'static str,
    /// `3 times`, or empty for one.
    pub times: String,
    pub occurrences: Vec<Occurrence>,
    pub evidence: &'static str,
    pub advice: &'static str,
}

/// One time a rule fired.
#[derive(Clone, Debug)]
pub struct Occurrence {
    /// The day, else the week.
    pub when: String,
    pub message: String,
    /// The value against its threshold, with the severity when the card holds several.
    pub detail: String,
}

/// One chart with its heading and caption.
#[derive(Clone, Debug)]
pub struct Figure {
    pub id: &'static str,
    pub title: String,
    /// The chart's SVG, from [`chart_svgs`] (markup: plotters escapes the text it writes).
    pub svg: String,
    pub caption: String,
}

/// One row of the runs table, every cell formatted.
#[derive(Clone, Debug)]
pub struct RunRow {
    pub start: String,
    pub km: String,
    pub time: String,
    pub pace: String,
    pub cadence: String,
    pub ascent: String,
    pub descent: String,
    pub steep_descent: String,
    pub heart_rate: String,
    pub hard: String,
    /// The manifest's name and gear, or empty.
    pub name: String,
    pub gear: String,
    /// The source, marked where it is a manifest row without a file.
    pub source: String,
}

/// "Your triggers" (RISK_MODEL.md): each event code tested, in a sentence, or why none is.
#[derive(Clone, Debug)]
pub struct TriggersCard {
    /// `5 pain episodes, each against the same 14 days 4, 8, 12… weeks before`.
    pub head: String,
    pub left_out: Option<String>,
    /// (code, significant, sentence, odds ratio in words), significant ones first.
    pub codes: Vec<(&'static str, bool, String, String)>,
    /// The codes no window held, named.
    pub not_seen: String,
    pub warnings: Vec<String>,
}

impl TriggersCard {
    fn of(t: &crate::analysis::triggers::Triggers) -> TriggersCard {
        let mut codes: Vec<(&'static str, bool, String, String)> = t
            .codes
            .iter()
            .map(|c| {
                let odds = match c.odds_ratio {
                    Some(x) => format!("matched odds ratio {x:.1}"),
                    None if c.episodes_with > 0 => {
                        "matched odds ratio unbounded: every episode that could be compared had \
                         it"
                        .to_string()
                    }
                    None => "matched odds ratio undefined".to_string(),
                };
                (c.code.code(), c.significant, c.sentence(), odds)
            })
            .collect();
        codes.sort_by_key(|c| !c.1);
        TriggersCard {
            head: format!(
                "{} pain episode{} in the data's dates, {} with a pain-free stretch 4, 8, 12… \
                 weeks before to compare with",
                t.episodes,
                if t.episodes == 1 { "" } else { "s" },
                t.matched
            ),
            left_out: t.left_out.clone(),
            codes,
            not_seen: t
                .not_seen
                .iter()
                .map(|c| c.code())
                .collect::<Vec<_>>()
                .join(", "),
            warnings: t.warnings.iter().map(|w| sanitise(w)).collect(),
        }
    }
}

/// One pain entry's card.
#[derive(Clone, Debug)]
pub struct PainCard {
    /// `2025-03-10 · left knee · 4/10 · on descents`.
    pub head: String,
    pub note: String,
    /// The findings of the 14 days before it, each `code (date)`.
    pub preceded_by: Vec<String>,
    pub self_check: String,
    /// Why it is one for a clinician, when it is.
    pub clinician: Option<String>,
}

/// The outlook as the page shows it.
#[derive(Clone, Debug)]
pub struct OutlookView {
    /// `Mon 2025-09-29 to Sun 2025-10-05, as of Mon 2025-09-29`.
    pub span: String,
    pub items: Vec<String>,
    pub left_out: Vec<String>,
}

/// One activity that is not a run (strength, walking, cycling, …), every cell formatted.
#[derive(Clone, Debug)]
pub struct OtherRow {
    pub start: String,
    pub sport: &'static str,
    pub time: String,
    pub km: String,
    /// `4 sets, 38 repetitions` where the file logs sets.
    pub sets: String,
    pub name: String,
    pub source: String,
}

/// Kilometres of one pair of shoes.
#[derive(Clone, Debug)]
pub struct ShoeRow {
    pub gear: String,
    pub runs: String,
    pub km: String,
}

/// One row of the weeks table, every cell formatted.
#[derive(Clone, Debug)]
pub struct WeekRow {
    /// The week label, with ` (partial)` for a week the data covers only in part.
    pub week: String,
    pub from: String,
    pub run_km: String,
    pub runs: String,
    pub long_run: String,
    pub change: String,
    pub descent: String,
    pub downhill: String,
    pub hard: String,
    pub strength: String,
    pub acwr: String,
    pub monotony: String,
}

/// The data-quality list.
#[derive(Clone, Debug)]
pub struct Quality {
    /// `rule: count; …` over the counted runs.
    pub cadence_rules: String,
    /// `method: count; …` over the counted runs.
    pub elevation: String,
    pub hr_max: HrMax,
    /// (duplicate's source, kept activity's source).
    pub duplicates: Vec<(String, String)>,
    /// (source, its warnings joined by `; `).
    pub warned: Vec<(String, String)>,
    /// (source, reason).
    pub skipped: Vec<(String, String)>,
}

/// Where the HRmax for hard sessions came from, with its value in bpm.
#[derive(Clone, Debug, PartialEq)]
pub enum HrMax {
    Configured(String),
    Estimated(String),
    /// No heart rate: hard sessions judged by pace.
    Missing,
}

/// `–` for a missing or non-finite value, else the value with `decimals` decimals.
fn opt(v: Option<f64>, decimals: usize) -> String {
    v.filter(|v| v.is_finite())
        .map_or("–".into(), |v| format!("{v:.decimals$}"))
}

impl Page {
    /// What the page shows for `a`; `athlete` may be empty.
    pub fn new(a: &Analysis, athlete: &str) -> Page {
        Page::with_charts(a, athlete, &chart_svgs(a))
    }

    /// The page around charts already drawn ([`chart_svgs`]), so that they are drawn once for the
    /// page and the chart files.
    pub fn with_charts(a: &Analysis, athlete: &str, svgs: &[(&'static str, String)]) -> Page {
        let title = if athlete.is_empty() {
            "Knee-risk report".to_string()
        } else {
            format!("Knee-risk report: {}", sanitise(athlete))
        };
        let span = match (a.weeks.first(), a.weeks.last()) {
            (Some(f), Some(l)) => format!("{} to {}", f.start, l.start + chrono::Days::new(6)),
            _ => "no runs".into(),
        };
        // The page opens with the last 12 weeks; older history sits below in <details>.
        let from = crate::report::format::recent_from(a, crate::report::terminal::RECENT_WEEKS);
        let recent = |d: chrono::NaiveDate| from.is_none_or(|f| d >= f);
        let events: Vec<Finding> = a
            .findings
            .iter()
            .filter(|f| f.kind == Kind::Event)
            .cloned()
            .collect();
        let count = |s: Severity| events.iter().filter(|f| f.severity == s).count();
        let (recent_findings, older_findings): (Vec<Finding>, Vec<Finding>) = events
            .iter()
            .cloned()
            .partition(|f| f.date.is_none_or(recent));
        let as_of = a.outlook.as_ref().map(|o| o.as_of);
        let habits = habit_cards(a, as_of);
        let in_force = habits.iter().filter(|h| h.in_force).count();
        Page {
            title,
            outlook: a.outlook.as_ref().map(|o| OutlookView {
                span: format!(
                    "{} to {}, as of {}",
                    o.week_start.format("%a %Y-%m-%d"),
                    (o.week_start + chrono::Days::new(6)).format("%a %Y-%m-%d"),
                    o.as_of.format("%a %Y-%m-%d")
                ),
                items: o.items.iter().map(|i| sanitise(&i.text)).collect(),
                left_out: o
                    .left_out
                    .iter()
                    .map(|l| format!("{}: {}", l.code, sanitise(&l.reason)))
                    .collect(),
            }),
            span,
            runs: a.runs().count(),
            run_km: format!("{:.1}", a.run_km()),
            weeks: a.weeks.len(),
            counts: [Severity::High, Severity::Moderate, Severity::Info]
                .into_iter()
                .map(|s| (count(s), s.word()))
                .chain([(in_force, "habits in force")])
                .collect(),
            open_events: as_of.map_or_else(|| (Vec::new(), None), |d| open_events(&events, d)),
            as_of,
            habits,
            phases: phases(&recent_findings),
            older_phases: phases(&older_findings),
            older_findings: older_findings.len(),
            recent_from: from,
            figures: figures(a, svgs),
            run_rows: a
                .runs()
                .filter(|r| recent(r.local_date))
                .map(run_row)
                .collect(),
            older_run_rows: a
                .runs()
                .filter(|r| !recent(r.local_date))
                .map(run_row)
                .collect(),
            triggers: a.triggers.as_ref().map(TriggersCard::of),
            pain_cards: a
                .pain
                .iter()
                .map(|p| PainCard {
                    head: format!(
                        "{} · {} knee · {}/10 · {}",
                        p.date,
                        p.knee.as_str(),
                        p.score,
                        p.when.as_str()
                    ),
                    note: sanitise(&p.note),
                    preceded_by: p
                        .preceded_by
                        .iter()
                        .map(|f| match f.date {
                            Some(d) => format!("{} ({d})", f.code.code()),
                            None => f.code.code().to_string(),
                        })
                        .collect(),
                    self_check: sanitise(&p.self_check),
                    clinician: p.clinician_reason.as_deref().map(sanitise),
                })
                .collect(),
            other_rows: a
                .activities
                .iter()
                .filter(|x| x.sport != Sport::Running && x.duplicate_of.is_none())
                .map(|x| OtherRow {
                    start: x.start_local.format("%Y-%m-%d %H:%M").to_string(),
                    sport: x.sport.as_str(),
                    time: hms(x.duration_s),
                    km: if x.distance_m > 0.0 {
                        format!("{:.2}", x.distance_m / 1000.0)
                    } else {
                        "–".to_string()
                    },
                    sets: match crate::report::format::strength_words(x) {
                        w if w.is_empty() => "–".to_string(),
                        w => w,
                    },
                    name: crate::report::format::name_words(x),
                    source: crate::report::format::source_words(x),
                })
                .collect(),
            shoe_rows: a
                .gear
                .iter()
                .map(|g| ShoeRow {
                    gear: sanitise(&g.gear),
                    runs: g.runs.to_string(),
                    km: format!("{:.1}", g.km),
                })
                .collect(),
            week_rows: a
                .weeks
                .iter()
                .filter(|w| recent(w.start + chrono::Days::new(6)))
                .map(week_row)
                .collect(),
            older_week_rows: a
                .weeks
                .iter()
                .filter(|w| !recent(w.start + chrono::Days::new(6)))
                .map(week_row)
                .collect(),
            quality: quality(a),
            version: env!("CARGO_PKG_VERSION"),
            files: a.activities.len() + a.skipped.len(),
        }
    }
}

/// The events of the 14 days before `as_of` the page opens with ([`format::opening_events`]),
/// most recent first, and the line naming the others.
fn open_events(events: &[Finding], as_of: chrono::NaiveDate) -> (Vec<EventLine>, Option<String>) {
    let (open, more) = crate::report::format::opening_events(events, as_of);
    let lines = open
        .into_iter()
        .map(|f| {
            let o = occurrence(f, false);
            EventLine {
                severity: f.severity.word(),
                code: f.code.code(),
                when: o.when,
                message: o.message,
                detail: format!("{}; {}", o.detail, f.evidence),
                advice: f.code.info().advice,
            }
        })
        .collect();
    (lines, more)
}

/// One card per habit rule that held at some time: its latest stretch, in force on `as_of` or
/// not, and its trend over the last [`TREND_WEEKS`] weeks; those in force first.
fn habit_cards(a: &Analysis, as_of: Option<chrono::NaiveDate>) -> Vec<HabitCard> {
    let day = as_of.map(|d| d - chrono::Days::new(1));
    let mut cards: Vec<HabitCard> = a
        .habits
        .iter()
        .filter_map(|trend| {
            let latest = a
                .findings
                .iter()
                .filter(|f| f.code == trend.code && f.kind == Kind::Habit)
                .rfind(|f| day.is_none_or(|d| f.since.is_some_and(|s| s <= d)))?;
            let in_force = day.is_some_and(|d| latest.habit_in_force(d));
            let since = latest.since.map_or_else(String::new, |s| s.to_string());
            let state = match (in_force, latest.until) {
                (true, _) | (false, None) => format!("in force since {since}"),
                (false, Some(u)) => format!("held from {since} to {u}"),
            };
            let weeks = &trend.weeks;
            let shown = &weeks[weeks.len().saturating_sub(TREND_WEEKS)..];
            Some(HabitCard {
                severity: latest.severity.word(),
                code: trend.code.code(),
                state,
                in_force,
                message: sanitise(&latest.message),
                detail: sanitise(&value_words(latest)),
                evidence: latest.evidence,
                advice: trend.code.info().advice,
                trend: shown
                    .iter()
                    .map(|w| (w.week.clone(), w.share, w.holds))
                    .collect(),
                trend_span: match (shown.first(), shown.last()) {
                    (Some(f), Some(l)) => format!(
                        "{} weeks, {} to {}",
                        shown.len(),
                        f.start,
                        l.start + chrono::Days::new(6)
                    ),
                    _ => String::new(),
                },
                holds_at: match trend.code {
                    Rule::LowCadence => a.thresholds.low_cadence_week_share,
                    _ => a.thresholds.habit_share,
                },
            })
        })
        .collect();
    cards.sort_by_key(|c| !c.in_force);
    cards
}

fn phases(findings: &[Finding]) -> Vec<PhaseFindings> {
    let mut out = Vec::new();
    for phase in [Phase::Prime, Phase::Perform, Phase::Restore] {
        // One card per code: its occurrences listed, most severe codes first.
        let mut codes: Vec<(Rule, Vec<&Finding>)> = Vec::new();
        for f in findings.iter().filter(|f| f.phase == phase) {
            match codes.iter_mut().find(|(c, _)| *c == f.code) {
                Some((_, list)) => list.push(f),
                None => codes.push((f.code, vec![f])),
            }
        }
        if codes.is_empty() {
            continue;
        }
        let top = |list: &[&Finding]| list.iter().map(|f| f.severity).max();
        codes.sort_by(|x, y| {
            top(&y.1)
                .cmp(&top(&x.1))
                .then(x.1[0].date.cmp(&y.1[0].date))
        });
        let blurb = match phase {
            Phase::Prime => "preparing before impact",
            Phase::Perform => "how the runs are done and dosed",
            Phase::Restore => "recovery between loads",
        };
        let cards = codes
            .into_iter()
            .map(|(code, mut list)| {
                list.sort_by(|x, y| y.severity.cmp(&x.severity).then(x.date.cmp(&y.date)));
                let mixed = list.iter().any(|g| g.severity != list[0].severity);
                Card {
                    severity: top(&list).unwrap_or(Severity::Info).word(),
                    code: code.code(),
                    times: if list.len() == 1 {
                        String::new()
                    } else {
                        format!("{} times", list.len())
                    },
                    occurrences: list.iter().map(|f| occurrence(f, mixed)).collect(),
                    evidence: list[0].evidence,
                    advice: code.info().advice,
                }
            })
            .collect();
        out.push(PhaseFindings {
            title: phase.title(),
            blurb,
            cards,
        });
    }
    out
}

fn occurrence(f: &Finding, mixed: bool) -> Occurrence {
    let when = f
        .date
        .map(|d| d.to_string())
        .or_else(|| f.week.clone())
        .unwrap_or_default();
    let severity = if mixed {
        format!("; {}", f.severity.word())
    } else {
        String::new()
    };
    Occurrence {
        when: sanitise(&when),
        message: sanitise(&f.message),
        detail: format!("{}{severity}", sanitise(&value_words(f))),
    }
}

/// The six charts with their headings and captions; the numbers in the captions are the
/// thresholds and windows in force.
fn figures(a: &Analysis, svgs: &[(&'static str, String)]) -> Vec<Figure> {
    let t = &a.thresholds;
    let figure = |svg_id: &str, id, title: &str, caption: String| Figure {
        id,
        title: title.to_string(),
        svg: svgs
            .iter()
            .find(|(i, _)| *i == svg_id)
            .map(|(_, svg)| svg.clone())
            .unwrap_or_default(),
        caption,
    };
    vec![
        figure(
            "weekly-km",
            "chart-weekly",
            "Weekly running distance",
            "Bars: running km per week, with the change from the week before above each bar; \
             the mark on each bar is the week's long run. Lighter bars are weeks the data covers \
             only in part."
                .into(),
        ),
        figure(
            "load",
            "chart-load",
            "Acute and chronic load",
            format!(
                "{}-day (acute) and {}-day (chronic) exponentially weighted daily km, and their \
                 ratio. The ratio is shown as context only: it comes from team sports and did not \
                 predict injury in a large running cohort.",
                number(ACUTE_DAYS),
                number(CHRONIC_DAYS)
            ),
        ),
        figure(
            "cadence",
            "chart-cadence",
            "Cadence per run",
            format!(
                "Each run's median step rate (steps per minute) with its 10th–90th percentile \
                 range; the line marks {} spm.",
                number(t.low_cadence_spm)
            ),
        ),
        figure(
            "cadence-distribution",
            "chart-cadence-distribution",
            "Cadence distribution",
            "Minutes of running by each run's median cadence.".into(),
        ),
        figure(
            "descent",
            "chart-descent",
            "Descent per week",
            format!(
                "Metres of descent per week (bars) and kilometres run on grades of −{} % or \
                 steeper (line).",
                number(-DOWNHILL_GRADE * 100.0)
            ),
        ),
        figure(
            "long-runs",
            "chart-long-runs",
            &format!("Each run against the longest of the previous {SPIKE_LOOKBACK_DAYS} days"),
            format!(
                "Dots: each run's distance; marks: {} of the longest run in the \
                 {SPIKE_LOOKBACK_DAYS} days before it. Runs above their mark are highlighted.",
                ratio_pct(t.single_run_spike_ratio)
            ),
        ),
    ]
}

fn run_row(r: &ActivitySummary) -> RunRow {
    let m = r.metrics.as_ref();
    RunRow {
        start: r.start_local.format("%Y-%m-%d %H:%M").to_string(),
        km: format!("{:.2}", r.distance_m / 1000.0),
        time: hms(r.duration_s),
        pace: m
            .and_then(|m| m.mean_pace_s_per_km)
            .map_or("–".into(), pace),
        cadence: opt(r.cadence_spm, 0),
        ascent: opt(r.ascent_m, 0),
        descent: opt(r.descent_m, 0),
        steep_descent: opt(
            m.and_then(|m| m.grade.as_ref()).map(|g| g.descent_steep_m),
            0,
        ),
        heart_rate: opt(m.and_then(|m| m.heart_rate.as_ref()).map(|x| x.mean_bpm), 0),
        hard: match &r.hard {
            Some(x) if x.hard => format!("yes ({})", x.basis),
            Some(_) => "no".into(),
            None => "–".into(),
        },
        name: r.name.as_deref().map(sanitise).unwrap_or_default(),
        gear: r.gear.as_deref().map(sanitise).unwrap_or_default(),
        source: crate::report::format::source_words(r),
    }
}

fn week_row(w: &crate::analysis::Week) -> WeekRow {
    WeekRow {
        week: format!("{}{}", w.week, if w.complete { "" } else { " (partial)" }),
        from: w.start.to_string(),
        run_km: format!("{:.1}", w.run_km),
        runs: w.runs.to_string(),
        long_run: format!("{:.1}", w.long_run_km),
        change: w.change_pct.map_or("–".into(), |c| format!("{c:+.0} %")),
        descent: format!("{:.0}", w.descent_m),
        downhill: format!("{:.2}", w.downhill_km),
        hard: w.hard_sessions.to_string(),
        strength: w.strength_sessions.to_string(),
        acwr: opt(w.acwr, 2),
        monotony: opt(w.monotony, 1),
    }
}

fn quality(a: &Analysis) -> Quality {
    let mut rules: BTreeMap<&str, usize> = BTreeMap::new();
    let mut elevation: BTreeMap<&str, usize> = BTreeMap::new();
    for r in a.runs() {
        *rules.entry(r.cadence_rule.as_str()).or_default() += 1;
        *elevation
            .entry(match r.elevation_method {
                ElevationMethod::Device => "device totals (barometric)",
                ElevationMethod::Smoothed => match r.computed.elevation_kind {
                    Some(ElevationKind::Noisy) => {
                        "counted from the samples (GPS altitude: ±30 s average, 3 m or more hysteresis)"
                    }
                    _ => "counted from the samples (smooth altitude: ±8 s average, 0.5 m hysteresis)",
                },
                ElevationMethod::None => "no elevation",
            })
            .or_default() += 1;
    }
    let list = |m: &BTreeMap<&str, usize>| {
        m.iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let hr_max = match (a.hr_max_bpm, a.hr_max_source) {
        (Some(hr), Some(HrMaxSource::Config)) => HrMax::Configured(format!("{hr:.0}")),
        (Some(hr), _) => HrMax::Estimated(format!("{hr:.0}")),
        _ => HrMax::Missing,
    };
    let duplicates = a
        .activities
        .iter()
        .filter(|x| x.duplicate_of.is_some())
        .map(|d| {
            let kept = a
                .activities
                .iter()
                .find(|x| Some(&x.id) == d.duplicate_of.as_ref())
                .map_or("?", |x| x.source.as_str());
            (sanitise(&d.source), sanitise(kept))
        })
        .collect();
    let warned = a
        .activities
        .iter()
        .filter(|x| !x.warnings.is_empty())
        .map(|w| (sanitise(&w.source), sanitise(&w.warnings.join("; "))))
        .collect();
    let skipped = a
        .skipped
        .iter()
        .map(|s| (sanitise(&s.source), sanitise(&s.reason.to_string())))
        .collect();
    Quality {
        cadence_rules: sanitise(&list(&rules)),
        elevation: list(&elevation),
        hr_max,
        duplicates,
        warned,
        skipped,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{analyse, Settings, WeekStart};

    fn empty() -> Analysis {
        analyse(
            &[],
            Vec::new(),
            &Settings::new(chrono_tz::UTC, WeekStart::Mon),
        )
        .unwrap()
    }

    #[test]
    fn an_empty_analysis_shows_its_absence() {
        let a = empty();
        let p = Page::new(&a, "");
        assert_eq!(p.title, "Knee-risk report");
        assert_eq!(p.span, "no runs");
        assert_eq!((p.runs, p.run_km.as_str(), p.weeks), (0, "0.0", 0));
        assert_eq!(
            p.counts,
            [
                (0, "high"),
                (0, "moderate"),
                (0, "info"),
                (0, "habits in force")
            ]
        );
        assert!(p.phases.is_empty() && p.run_rows.is_empty() && p.week_rows.is_empty());
        assert!(p.habits.is_empty() && p.open_events.0.is_empty() && p.as_of.is_none());
        assert_eq!(p.quality.hr_max, HrMax::Missing);
        let ids: Vec<&str> = p.figures.iter().map(|f| f.id).collect();
        assert_eq!(
            ids,
            [
                "chart-weekly",
                "chart-load",
                "chart-cadence",
                "chart-cadence-distribution",
                "chart-descent",
                "chart-long-runs"
            ]
        );
        assert!(p.figures.iter().all(|f| f.svg.contains(">no data</text>")));
        let page = render(&a, "");
        for text in [
            "<p>No event in these weeks crossed a threshold.</p>",
            "<p>No runs.</p>",
            "<li>Duplicates merged: 0</li>",
            "<li>Files skipped: 0</li>",
            "<footer>Made by patella ",
        ] {
            assert!(page.contains(text), "{text}");
        }
        assert!(page.starts_with("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"));
        assert!(page.ends_with("</main></body></html>\n"));
    }

    #[test]
    fn the_athlete_is_escaped_and_cleaned() {
        let page = render(&empty(), "<b>Ada</b> & \u{1b}[31m");
        assert!(page.contains("<h1>Knee-risk report: &lt;b&gt;Ada&lt;/b&gt; &amp; ?[31m</h1>"));
        assert!(!page.contains("<b>Ada"));
    }
}
