//! The team's outputs (`patella analyse --athletes`): the terminal table, the team page
//! `index.html` and the `--json` document's frame. Each renders the rows of
//! [`crate::analysis::team`] in the order they are given (urgency) and computes nothing.

use std::fmt::Write as _;

use chrono::NaiveDate;
use serde::Serialize;

use crate::analysis::team::{AthleteStatus, Urgency};
use crate::analysis::Severity;
use crate::report::format::sanitise;
use crate::report::terminal::{paint, severity_colour};
use crate::team::Unread;

/// The version of the team document's layout.
pub const SCHEMA: &str = "patella-team/1";

/// One athlete's row as the page and the terminal word it.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub key: String,
    pub name: String,
    /// `athletes/KEY/index.html`, percent-encoded.
    pub href: String,
    /// The urgency's CSS class (`high`, `moderate`, `info`, `steady`) and words.
    pub class: &'static str,
    pub status: &'static str,
    /// The high and moderate findings of the 14 days before the day (`code date`).
    pub findings: Vec<(Severity, String)>,
    pub last_week: String,
    pub this_week: String,
    pub long_run: String,
    pub descent: String,
    pub hard: String,
    pub strength: String,
    pub pain: String,
    /// The codes the athlete's own pain log points to, or `–`.
    pub own_trigger: String,
    pub runs: usize,
    pub latest_run: String,
}

fn km(v: f64) -> String {
    format!("{v:.1}")
}

fn or_dash(v: Option<String>) -> String {
    v.unwrap_or_else(|| "–".into())
}

/// A path segment percent-encoded for a link (everything but unreserved ASCII).
pub fn url_segment(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// The findings of a row, one per code in the order they come (most recent first): the code,
/// how many times it fired and when it last did (`low-cadence ×2, latest 23 Feb`).
fn grouped(s: &AthleteStatus) -> Vec<(Severity, String)> {
    let mut codes: Vec<(&str, Severity, usize, String)> = Vec::new();
    for f in &s.findings {
        let when = f
            .date
            .map(|d| d.format("%d %b").to_string())
            .or(f.week.clone())
            .unwrap_or_default();
        match codes.iter_mut().find(|c| c.0 == f.code) {
            Some(c) => {
                c.2 += 1;
                c.1 = c.1.max(f.severity);
            }
            None => codes.push((f.code, f.severity, 1, when)),
        }
    }
    codes
        .into_iter()
        .map(|(code, severity, n, when)| {
            let text = match n {
                1 => format!("{code} {when}"),
                n => format!("{code} ×{n}, latest {when}"),
            };
            (severity, text.trim_end().to_string())
        })
        .collect()
}

impl Row {
    pub fn of(s: &AthleteStatus, as_of: NaiveDate) -> Row {
        let class = match s.urgency {
            Urgency::SeeClinician | Urgency::High => "high",
            Urgency::Moderate => "moderate",
            Urgency::AtWeekLimit => "info",
            Urgency::Steady | Urgency::NoRecentRun => "steady",
        };
        let this_week = match s.week_km_max {
            Some(max) => format!("{} of {} km", km(s.week_km_so_far), km(max)),
            None => format!("{} km, no limit", km(s.week_km_so_far)),
        };
        let hard = match s.hard_not_before {
            Some(d) if d <= as_of => "today".to_string(),
            Some(d) => d.format("%a %d %b").to_string(),
            None => "–".into(),
        };
        // Whether one calls for a clinician, the status says.
        let pain = match (s.pain_entries, s.latest_pain_score) {
            (0, _) => "–".to_string(),
            (n, score) => format!(
                "{n} entr{}{}",
                if n == 1 { "y" } else { "ies" },
                score
                    .map(|x| format!(", latest {x}/10"))
                    .unwrap_or_default(),
            ),
        };
        Row {
            key: sanitise(&s.key),
            name: sanitise(&s.name),
            href: format!("athletes/{}/index.html", url_segment(&s.key)),
            class,
            status: s.urgency.words(),
            findings: grouped(s),
            last_week: format!("{} km", km(s.last_week_km)),
            this_week,
            long_run: or_dash(s.long_run_km_max.map(|v| format!("≤ {} km", km(v)))),
            descent: or_dash(s.descent_m_max.map(|v| format!("≤ {v:.0} m"))),
            hard,
            strength: format!("{} of 2", s.strength_sessions_this_week),
            pain,
            own_trigger: if s.own_triggers.is_empty() {
                "–".into()
            } else {
                s.own_triggers.join(", ")
            },
            runs: s.runs,
            latest_run: or_dash(s.latest_run.map(|d| d.to_string())),
        }
    }
}

/// The team as the page shows it.
pub struct TeamView {
    pub title: String,
    pub as_of: NaiveDate,
    /// The label of the week before the day's (`2026-W09`), the "last week" of every row.
    pub last_week: String,
    pub rows: Vec<Row>,
    pub unread: Vec<(String, String)>,
    /// (count, words) per urgency, most urgent first, and the folders not analysed.
    pub counts: Vec<(usize, &'static str)>,
    pub version: &'static str,
}

impl TeamView {
    pub fn new(
        title: &str,
        as_of: NaiveDate,
        rows: &[AthleteStatus],
        unread: &[Unread],
    ) -> TeamView {
        let count = |u: Urgency| rows.iter().filter(|r| r.urgency == u).count();
        let mut counts: Vec<(usize, &'static str)> = [
            Urgency::SeeClinician,
            Urgency::High,
            Urgency::Moderate,
            Urgency::AtWeekLimit,
            Urgency::Steady,
            Urgency::NoRecentRun,
        ]
        .into_iter()
        .map(|u| (count(u), u.words()))
        .filter(|(n, _)| *n > 0)
        .collect();
        if !unread.is_empty() {
            counts.push((unread.len(), "not analysed"));
        }
        TeamView {
            title: sanitise(title),
            as_of,
            last_week: rows
                .first()
                .map_or_else(String::new, |r| r.last_week.clone()),
            rows: rows.iter().map(|r| Row::of(r, as_of)).collect(),
            unread: unread
                .iter()
                .map(|u| (sanitise(&u.key), sanitise(&u.reason)))
                .collect(),
            counts,
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}

/// The team page, `index.html`.
pub fn page(view: &TeamView) -> String {
    super::html::team_page(view)
}

/// The terminal's team table: one line per athlete in order of urgency, then the folders not
/// analysed. Colour only when `colour`.
pub fn terminal(view: &TeamView, colour: bool) -> String {
    let paint = |code: &str, t: &str| paint(colour, code, t);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} — {} athletes, this week from {}",
        paint("1", &view.title),
        view.rows.len() + view.unread.len(),
        view.as_of.format("%a %Y-%m-%d")
    );
    let counts: Vec<String> = view
        .counts
        .iter()
        .map(|(n, w)| format!("{n} {w}"))
        .collect();
    let _ = writeln!(out, "{}", counts.join(", "));
    let name_w = view
        .rows
        .iter()
        .map(|r| r.name.chars().count())
        .max()
        .unwrap_or(7)
        .clamp(7, 24);
    let _ = writeln!(
        out,
        "\n{:<name_w$}  {:<19}  {:<20}  {:<20}  {:<10}  findings (14 days)",
        "athlete",
        "status",
        format!("last week ({})", view.last_week),
        "this week",
        "pain"
    );
    for r in &view.rows {
        let name: String = r.name.chars().take(name_w).collect();
        let status = format!("{:<19}", r.status);
        let status = match r.class {
            "high" => paint(severity_colour(Severity::High), &status),
            "moderate" => paint(severity_colour(Severity::Moderate), &status),
            _ => status,
        };
        let findings: Vec<&str> = r.findings.iter().map(|(_, f)| f.as_str()).collect();
        let _ = writeln!(
            out,
            "{name:<name_w$}  {status}  {:<20}  {:<20}  {:<10}  {}",
            r.last_week,
            r.this_week,
            // The count of entries; the page has the latest score too.
            r.pain.split(',').next().unwrap_or("–"),
            if findings.is_empty() {
                "–".to_string()
            } else {
                findings.join(", ")
            }
        );
    }
    if !view.unread.is_empty() {
        let _ = writeln!(out, "\n{}", paint("1", "Not analysed"));
        for (key, reason) in &view.unread {
            let _ = writeln!(out, "{key}: {reason}");
        }
    }
    out
}

/// The opening of the `--json` document, up to the first athlete's document.
pub fn json_head(as_of: NaiveDate) -> String {
    format!("{{\n\"schema\": \"{SCHEMA}\",\n\"as_of\": \"{as_of}\",\n\"athletes\": [\n")
}

/// The rest of the `--json` document after the athletes' documents: the team's rows in order
/// of urgency and the folders not analysed.
pub fn json_tail(rows: &[AthleteStatus], unread: &[Unread]) -> String {
    #[derive(Serialize)]
    struct Tail<'a> {
        team: &'a [AthleteStatus],
        unread: &'a [Unread],
    }
    let tail = serde_json::to_string_pretty(&Tail { team: rows, unread })
        .unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
    // `{ "team": …, "unread": … }` without its braces, after the athletes' array.
    let inner = tail
        .trim()
        .strip_prefix('{')
        .and_then(|t| t.strip_suffix('}'))
        .unwrap_or("")
        .trim();
    format!("],\n{inner}\n}}\n")
}
