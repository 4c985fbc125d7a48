//! The team page's template (`patella analyse --athletes ... --out DIR`: `DIR/index.html`), in
//! the style of the athlete's page, escaped by maud.

use maud::{html, DOCTYPE};

use super::page::{head, SEE_A_CLINICIAN};
use crate::report::team::TeamView;

/// Styles the team page adds to the athlete's page's.
const TEAM_CSS: &str = r#"
main { max-width: 1400px; }
thead th { white-space: normal; }
pre { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px;
      overflow-x: auto; font-size: 13px; }
td.status { text-align: left; }
tr.high td.status { color: var(--high); font-weight: 600; }
tr.moderate td.status { color: var(--moderate); font-weight: 600; }
tr.info td.status { color: var(--info); font-weight: 600; }
td.flags { text-align: left; white-space: normal; min-width: 180px; }
.flag { display: inline-block; font-size: 12px; border-radius: 10px; padding: 0 7px; margin: 1px 2px;
        color: #fff; background: var(--moderate); }
.flag.high { background: var(--high); }
"#;

/// The whole team page, ending with a newline.
pub fn team_page(v: &TeamView) -> String {
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            (head(&format!("{} — team — patella", v.title), TEAM_CSS))
            body {
                main {
                    h1 { (v.title) " — team" }
                    p class="sub" {
                        "This week from " b { (v.as_of.format("%A %Y-%m-%d")) } ": "
                        (v.rows.len() + v.unread.len()) " athletes, the most urgent first."
                    }
                    div class="counts" {
                        @for (n, word) in &v.counts {
                            div class="count" { b { (n) } (word) }
                        }
                    }
                    p class="meta" {
                        "Order: a pain entry of the last 28 days that calls for a clinician, then \
                         high and moderate findings of the 14 days before the day, then how much \
                         of this week's distance limit is run already; athletes without a run in \
                         the 14 days before the day come last. Each name opens that athlete's own \
                         report. patella reads training-load signals; it does not \
                         diagnose."
                    }
                    div class="scroll" {
                        table {
                            thead {
                                tr {
                                    th class="l" { "athlete" } th class="l" { "status" }
                                    th class="l" { "findings, 14 days" }
                                    th { "last week (" (v.last_week) ")" } th { "this week" }
                                    th { "long run" } th { "descent" } th { "hard day" }
                                    th { "strength" } th class="l" { "pain, 28 days" }
                                    th class="l" { "own trigger" }
                                    th { "runs" } th { "last run" }
                                }
                            }
                            tbody {
                                @for r in &v.rows {
                                    tr class=(r.class) {
                                        td class="l" { a href=(r.href) { (r.name) } }
                                        td class="status" { (r.status) }
                                        td class="flags" {
                                            @if r.findings.is_empty() { "–" }
                                            @for (severity, text) in &r.findings {
                                                span class={ "flag " (severity.word()) } { (text) }
                                            }
                                        }
                                        td { (r.last_week) } td { (r.this_week) }
                                        td { (r.long_run) } td { (r.descent) } td { (r.hard) }
                                        td { (r.strength) } td class="l" { (r.pain) }
                                        td class="l" { (r.own_trigger) }
                                        td { (r.runs) } td { (r.latest_run) }
                                    }
                                }
                            }
                        }
                    }
                    @if !v.unread.is_empty() {
                        h2 id="not-analysed" { "Not analysed" }
                        ul {
                            @for (key, reason) in &v.unread {
                                li { b { (key) } ": " (reason) }
                            }
                        }
                    }
                    h2 id="data" { "The data" }
                    p {
                        "Every athlete's runs, weeks and findings are in " code { "data/" }
                        " as a Hive-partitioned Parquet dataset ("
                        code { "data/runs/athlete=NAME/part-0.parquet" } ", likewise "
                        code { "weeks" } " and " code { "findings" } "), which DuckDB and Spark \
                        read as it is, for example:"
                    }
                    pre {
                        "SELECT athlete, week, sum(distance_km) AS km\n\
                         FROM read_parquet('data/runs/*/*.parquet', hive_partitioning = true)\n\
                         GROUP BY ALL ORDER BY athlete, week;"
                    }
                    h2 id="clinician" { "When to send an athlete to a clinician rather than a tool" }
                    ul { @for sign in SEE_A_CLINICIAN { li { (sign) } } }
                    footer { "Made by patella " (v.version) "." }
                }
            }
        }
    };
    let mut out = page.into_string();
    out.push('\n');
    out
}
