//! The page's template (maud: compiled with the crate, every string spliced in escaped).

use maud::{html, Markup, PreEscaped, DOCTYPE};

use super::{
    Card, EventLine, Figure, HabitCard, HrMax, OtherRow, OutlookView, Page, PainCard,
    PhaseFindings, Quality, RunRow, ShoeRow, TriggersCard, WeekRow,
};

/// The page's only style sheet, inline.
const CSS: &str = r#"
:root { --ink: #1d2430; --muted: #5b6473; --line: #d9dee6; --bg: #f6f7f9;
        --high: #b3261e; --moderate: #b86e00; --info: #2f5d9b; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: var(--ink); background: var(--bg); }
main { max-width: 1000px; margin: 0 auto; padding: 24px 16px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 36px 0 12px; border-bottom: 2px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 16px; margin: 20px 0 6px; }
.sub { color: var(--muted); margin: 0 0 16px; }
.counts { display: flex; gap: 12px; flex-wrap: wrap; margin: 12px 0; }
.count { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 8px 14px; }
.count b { font-size: 20px; margin-right: 6px; }
.finding { background: #fff; border: 1px solid var(--line); border-left: 6px solid var(--info);
           border-radius: 6px; padding: 10px 14px; margin: 10px 0; }
.finding.high { border-left-color: var(--high); }
.finding.moderate { border-left-color: var(--moderate); }
.badge { display: inline-block; font-size: 12px; font-weight: 600; text-transform: uppercase;
         letter-spacing: .04em; padding: 1px 8px; border-radius: 10px; color: #fff;
         background: var(--info); margin-right: 8px; }
.badge.high { background: var(--high); } .badge.moderate { background: var(--moderate); }
.code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 13px; }
.when { color: var(--muted); margin-left: 8px; }
.finding p { margin: 6px 0 0; }
.outlook { background: #fff; border: 1px solid var(--line); border-left: 6px solid var(--ink);
           border-radius: 6px; padding: 2px 16px 8px; margin: 16px 0; }
.outlook h2 { border: 0; margin: 12px 0 0; }
.outlook li { margin: 4px 0; }
.finding ul { margin: 6px 0 0; padding-left: 18px; }
.finding li { margin: 3px 0; }
.meta { color: var(--muted); font-size: 13px; }
.habit.lapsed { opacity: .75; }
.trend { display: block; margin: 8px 0 2px; }
.trend .held { fill: var(--moderate); } .trend .not { fill: #b8c0cc; } .trend .none { fill: #e3e7ec; }
.trend line { stroke: var(--ink); stroke-dasharray: 3 2; stroke-width: 1; }
.todo { font-weight: 600; }
figure { background: #fff; border: 1px solid var(--line); border-radius: 6px; margin: 12px 0;
         padding: 10px; }
figure svg { display: block; width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 6px; }
details { margin: 10px 0; } summary { cursor: pointer; color: var(--muted); font-weight: 600; }
table { border-collapse: collapse; width: 100%; background: #fff; font-size: 13px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: right; white-space: nowrap; }
th { background: #eef1f5; position: sticky; top: 0; }
td.l, th.l { text-align: left; }
.scroll { overflow-x: auto; border: 1px solid var(--line); border-radius: 6px; }
ul { margin: 6px 0; }
footer { color: var(--muted); font-size: 13px; margin-top: 40px; }
"#;

/// What a runner should see a clinician for rather than read a report.
pub(super) const SEE_A_CLINICIAN: [&str; 6] = [
    "pain that grows more frequent or more intense",
    "pain that changes the way you run or walk",
    "pain on stairs or when sitting",
    "swelling",
    "a knee that catches, or that you do not trust with load",
    "symptoms that do not settle after backing off",
];

/// A page's `<head>`: its title, the style sheet and `extra_css` (a constant of the caller's:
/// markup, not text).
pub(super) fn head(title: &str, extra_css: &'static str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) }
            style { (PreEscaped(CSS)) (PreEscaped(extra_css)) }
        }
    }
}

/// The whole page, ending with a newline.
pub(super) fn render(p: &Page) -> String {
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            (head(&format!("{} — patella", p.title), ""))
            body {
                main {
                    h1 { (p.title) }
                    p class="sub" {
                        "Training block " (p.span) ": " b { (p.runs) } " runs, " b { (p.run_km) }
                        " km over " (p.weeks) " weeks."
                    }
                    div class="counts" {
                        @for (n, word) in &p.counts {
                            div class="count" { b { (n) } (word) }
                        }
                    }
                    p class="meta" {
                        "patella reads training-load signals from your own files; it does not \
                         diagnose. Each finding says how strong its evidence is: events are \
                         moments that departed from your own recent training, habits are \
                         standing patterns."
                    }
                    @if let Some(o) = &p.outlook { (outlook(o)) }
                    @if let Some(as_of) = p.as_of { (open_events(as_of, &p.open_events.0, p.open_events.1.as_deref())) }
                    (habits(&p.habits))
                    (findings(&p.phases))
                    @if let (Some(from), true) = (p.recent_from, p.older_findings > 0) {
                        details {
                            summary { "Older events: " (p.older_findings) " before " (from) }
                            (finding_cards(&p.older_phases))
                        }
                    }
                    @if let Some(t) = &p.triggers { (triggers(t)) }
                    (pain(&p.pain_cards))
                    h2 id="charts" { "Charts" }
                    @for f in &p.figures { (figure(f)) }
                    (runs(&p.run_rows, p.older_run_rows.len()))
                    @if let (Some(from), false) = (p.recent_from, p.older_run_rows.is_empty()) {
                        details {
                            summary { "Older runs: " (p.older_run_rows.len()) " before " (from) }
                            (runs_table(&p.older_run_rows))
                        }
                    }
                    (others(&p.other_rows))
                    (shoes(&p.shoe_rows))
                    (weeks(&p.week_rows))
                    @if let (Some(from), false) = (p.recent_from, p.older_week_rows.is_empty()) {
                        details {
                            summary { "Older weeks: " (p.older_week_rows.len()) " before " (from) }
                            (weeks_table(&p.older_week_rows))
                        }
                    }
                    (quality(&p.quality))
                    h2 id="clinician" { "When to see a clinician rather than a tool" }
                    ul { @for sign in SEE_A_CLINICIAN { li { (sign) } } }
                    footer {
                        "Made by patella " (p.version) " from " (p.files) " files; thresholds as \
                         listed in the JSON output (" code { "--json" } ")."
                    }
                }
            }
        }
    };
    let mut out = page.into_string();
    out.push('\n');
    out
}

/// "Your triggers": the pain episodes against the runner's own pain-free stretches.
fn triggers(t: &TriggersCard) -> Markup {
    html! {
        h2 id="triggers" { "Your triggers" }
        p class="meta" {
            "Your pain episodes (a score of 3 or more after 14 days without one) against your own \
             pain-free stretches: the same 14 days 4, 8, 12… weeks before each. You are your own \
             control, so what does not change drops out. A trigger found is a pattern to watch in \
             your training, not a cause of your pain. Habits are not tested this way (they hold \
             in nearly every window); they stay in the report above."
        }
        p { (t.head) "." }
        @if let Some(reason) = &t.left_out {
            p { "Not tested: " (reason) "." }
        }
        @for (code, significant, sentence, odds) in &t.codes {
            div class=(if *significant { "finding moderate" } else { "finding" }) {
                b { (code) }
                p { (sentence) "." }
                p class="meta" { (odds) "; p-values after Holm's correction over the codes tested." }
            }
        }
        @if !t.not_seen.is_empty() && t.left_out.is_none() {
            p class="meta" { "In no window: " (t.not_seen) "." }
        }
        @for w in &t.warnings { p class="meta" { (w) } }
    }
}

/// The pain log: one card per entry, what preceded it and what the data shows.
fn pain(cards: &[PainCard]) -> Markup {
    html! {
        @if !cards.is_empty() {
            h2 id="pain" { "Your pain log" }
            p class="meta" {
                "Each entry against the 14 days up to and including its day. A match is a \
                 pattern worth checking, not a cause; pain is never harmless."
            }
            @for c in cards {
                div class=(if c.clinician.is_some() { "finding high" } else { "finding" }) {
                    b { (c.head) }
                    @if !c.note.is_empty() { span class="when" { "“" (c.note) "”" } }
                    @if c.preceded_by.is_empty() {
                        p { "No finding in the 14 days before." }
                    } @else {
                        p { "After: " (c.preceded_by.join(", ")) "." }
                    }
                    p { (c.self_check) }
                    @if let Some(why) = &c.clinician {
                        p class="todo" { "See a clinician rather than a tool: " (why) "." }
                    }
                }
            }
        }
    }
}

/// "This week": each limit in one sentence, with what it comes from.
fn outlook(o: &OutlookView) -> Markup {
    html! {
        section class="outlook" {
            h2 id="this-week" { "This week" }
            p class="sub" { (o.span) }
            ul {
                @for item in &o.items { li { (item) } }
            }
            @if !o.left_out.is_empty() {
                p class="meta" {
                    "Left out: "
                    @for (i, l) in o.left_out.iter().enumerate() {
                        @if i > 0 { "; " }
                        (l)
                    }
                    "."
                }
            }
        }
    }
}

/// The events of the 14 days before the outlook's day, each in full: what to read first.
fn open_events(as_of: chrono::NaiveDate, events: &[EventLine], more: Option<&str>) -> Markup {
    html! {
        h2 id="events-now" { "Events in the 14 days before " (as_of) }
        @if events.is_empty() {
            p { "None: nothing in these two weeks departed from your own recent training." }
        }
        @for e in events {
            div class={ "finding " (e.severity) } {
                span class={ "badge " (e.severity) } { (e.severity) }
                span class="code" { (e.code) }
                span class="when" { (e.when) }
                p { (e.message) " " span class="meta" { "(" (e.detail) ")" } }
                p class="todo" { (e.advice) }
            }
        }
        @if let Some(more) = more {
            p class="meta" { (more) }
        }
    }
}

/// The habits: each once, with since when, and its share week by week.
fn habits(cards: &[HabitCard]) -> Markup {
    html! {
        @if !cards.is_empty() {
            h2 id="habits" { "Habits" }
            p class="meta" {
                "Standing patterns over the last 4 weeks of runs or weeks, each raised once when \
                 it sets in. The bars are its share week by week over the 4 weeks to each week \
                 (coloured where it held); the dashed line is where it holds."
            }
            @for h in cards {
                div class={ "finding habit " (h.severity) @if !h.in_force { " lapsed" } } {
                    span class={ "badge " (h.severity) } { (h.severity) }
                    span class="code" { (h.code) }
                    span class="when" { (h.state) }
                    (trend(h))
                    div class="meta" { (h.trend_span) }
                    p { (h.message) " " span class="meta" { "(" (h.detail) ")" } }
                    p class="meta" { "Evidence: " (h.evidence) "." }
                    p class="todo" { (h.advice) }
                }
            }
        }
    }
}

/// A habit's share week by week as bars, with the line where it holds (numbers only: no text
/// from files reaches it).
fn trend(h: &HabitCard) -> Markup {
    const BAR: f64 = 10.0;
    const HEIGHT: f64 = 40.0;
    let width = BAR * h.trend.len().max(1) as f64;
    let line_y = HEIGHT - h.holds_at * HEIGHT;
    html! {
        svg class="trend" width=(width) height=(HEIGHT) viewBox={ "0 0 " (width) " " (HEIGHT) }
            role="img" aria-label={ (h.code) " week by week" } {
            @for (i, (week, share, held)) in h.trend.iter().enumerate() {
                @let x = i as f64 * BAR + 1.0;
                @match share {
                    Some(s) => {
                        @let tall = (s * HEIGHT).max(1.0);
                        rect class=(if *held { "held" } else { "not" }) x=(x) y=(HEIGHT - tall)
                            width=(BAR - 2.0) height=(tall) {
                            title { (week) ": " (format!("{:.0} %", s * 100.0)) }
                        }
                    }
                    None => {
                        rect class="none" x=(x) y=(HEIGHT - 1.0) width=(BAR - 2.0) height="1" {
                            title { (week) ": too little to judge" }
                        }
                    }
                }
            }
            line x1="0" x2=(width) y1=(line_y) y2=(line_y);
        }
    }
}

fn findings(phases: &[PhaseFindings]) -> Markup {
    html! {
        h2 id="findings" { "Events of the last 12 weeks" }
        @if phases.is_empty() {
            p { "No event in these weeks crossed a threshold." }
        }
        (finding_cards(phases))
    }
}

/// The cards of each phase under its heading.
fn finding_cards(phases: &[PhaseFindings]) -> Markup {
    html! {
        @for phase in phases {
            h3 { (phase.title) " " span class="meta" { "— " (phase.blurb) } }
            @for card in &phase.cards { (finding(card)) }
        }
    }
}

fn finding(c: &Card) -> Markup {
    html! {
        div class={ "finding " (c.severity) } {
            span class={ "badge " (c.severity) } { (c.severity) }
            span class="code" { (c.code) }
            span class="when" { (c.times) }
            ul {
                @for o in &c.occurrences {
                    li { b { (o.when) } " " (o.message) " " span class="meta" { "(" (o.detail) ")" } }
                }
            }
            p class="meta" { "Evidence: " (c.evidence) "." }
            p class="todo" { (c.advice) }
        }
    }
}

fn figure(f: &Figure) -> Markup {
    html! {
        figure id=(f.id) class="chart" {
            h3 { (f.title) }
            // The chart's SVG is markup already: plotters escapes the text it writes and the
            // charts escape their own attributes.
            (PreEscaped(&f.svg))
            figcaption { (f.caption) }
        }
    }
}

/// Strength sessions and other training, with the sets a strength file logs.
fn others(rows: &[OtherRow]) -> Markup {
    html! {
        @if !rows.is_empty() {
            h2 id="other" { "Other training (not counted as running)" }
            div class="scroll" {
                table {
                    thead {
                        tr {
                            th class="l" { "date" } th class="l" { "sport" } th { "time" }
                            th { "km" } th class="l" { "sets" } th class="l" { "name" }
                            th class="l" { "source" }
                        }
                    }
                    tbody {
                        @for r in rows {
                            tr {
                                td class="l" { (r.start) } td class="l" { (r.sport) }
                                td { (r.time) } td { (r.km) } td class="l" { (r.sets) }
                                td class="l" { (r.name) } td class="l" { (r.source) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Kilometres per pair of shoes, where the manifests name them.
fn shoes(rows: &[ShoeRow]) -> Markup {
    html! {
        @if !rows.is_empty() {
            h2 id="shoes" { "Shoes" }
            table {
                thead { tr { th class="l" { "gear" } th { "runs" } th { "km" } } }
                tbody {
                    @for r in rows {
                        tr { td class="l" { (r.gear) } td { (r.runs) } td { (r.km) } }
                    }
                }
            }
        }
    }
}

fn runs(rows: &[RunRow], older: usize) -> Markup {
    html! {
        h2 id="runs" { "Runs" }
        @if rows.is_empty() && older == 0 {
            p { "No runs." }
        } @else if rows.is_empty() {
            p { "No runs in the last " (crate::report::terminal::RECENT_WEEKS) " weeks." }
        } @else {
            (runs_table(rows))
        }
    }
}

fn runs_table(rows: &[RunRow]) -> Markup {
    html! {
        div class="scroll" {
            table {
                thead {
                    tr {
                        th class="l" { "date" } th { "km" } th { "time" } th { "pace" }
                        th { "cadence (spm)" } th { "ascent (m)" } th { "descent (m)" }
                        th { "steep descent (m)" } th { "HR (bpm)" } th { "hard" }
                        th class="l" { "name" } th class="l" { "gear" }
                        th class="l" { "source" }
                    }
                }
                tbody {
                    @for r in rows {
                        tr {
                            td class="l" { (r.start) } td { (r.km) } td { (r.time) }
                            td { (r.pace) } td { (r.cadence) } td { (r.ascent) }
                            td { (r.descent) } td { (r.steep_descent) } td { (r.heart_rate) }
                            td { (r.hard) } td class="l" { (r.name) }
                            td class="l" { (r.gear) } td class="l" { (r.source) }
                        }
                    }
                }
            }
        }
    }
}

fn weeks(rows: &[WeekRow]) -> Markup {
    html! {
        h2 id="weeks" { "Weeks" }
        (weeks_table(rows))
    }
}

fn weeks_table(rows: &[WeekRow]) -> Markup {
    html! {
        div class="scroll" {
            table {
                thead {
                    tr {
                        th class="l" { "week" } th class="l" { "from" } th { "run km" }
                        th { "runs" } th { "long run (km)" } th { "change" } th { "descent (m)" }
                        th { "downhill km" } th { "hard" } th { "strength" }
                        th { "acute:chronic" } th { "monotony" }
                    }
                }
                tbody {
                    @for w in rows {
                        tr {
                            td class="l" { (w.week) } td class="l" { (w.from) } td { (w.run_km) }
                            td { (w.runs) } td { (w.long_run) } td { (w.change) }
                            td { (w.descent) } td { (w.downhill) } td { (w.hard) }
                            td { (w.strength) } td { (w.acwr) } td { (w.monotony) }
                        }
                    }
                }
            }
        }
    }
}

fn quality(q: &Quality) -> Markup {
    html! {
        h2 id="quality" { "Data quality" }
        ul {
            li { "Cadence rules applied: " (q.cadence_rules) }
            li { "Elevation methods: " (q.elevation) }
            li {
                @match &q.hr_max {
                    HrMax::Configured(bpm) => { "HRmax " (bpm) " bpm, from your configuration." }
                    HrMax::Estimated(bpm) => {
                        "HRmax " (bpm) " bpm, estimated as the 99th percentile of your own \
                         heart-rate samples; set " code { "hr_max_bpm" } " in a "
                        code { "--config" } " file if you know yours."
                    }
                    HrMax::Missing => {
                        "No heart rate: hard sessions judged by pace against your own runs."
                    }
                }
            }
            li {
                "Duplicates merged: " (q.duplicates.len())
                @if !q.duplicates.is_empty() {
                    ul { @for (dup, kept) in &q.duplicates { li { (dup) " repeats " (kept) } } }
                }
            }
            @if !q.warned.is_empty() {
                li {
                    "Read with warnings:"
                    ul { @for (source, w) in &q.warned { li { (source) ": " (w) } } }
                }
            }
            li {
                "Files skipped: " (q.skipped.len())
                @if !q.skipped.is_empty() {
                    ul { @for (source, reason) in &q.skipped { li { (source) ": " (reason) } } }
                }
            }
        }
    }
}
