//! `runs.csv`, `weeks.csv`, `findings.csv` and `runs.parquet`: one row per run, week or
//! finding, units in the column names, an `athlete` column so exports of many runners stack.
//! Every table is declared once as a list of columns; CSV and Parquet are written from it.

use std::io::Write;
use std::path::Path;

use polars::prelude::*;

use crate::analysis::{ActivitySummary, Analysis, Finding, Week};

/// One cell of a table.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Text(Option<String>),
    Number(Option<f64>),
    Integer(Option<i64>),
    Flag(Option<bool>),
}

impl Cell {
    fn csv(&self) -> String {
        match self {
            Cell::Text(v) => v.as_deref().map_or(String::new(), neutralise),
            Cell::Number(v) => v.filter(|x| x.is_finite()).map_or(String::new(), |x| {
                // Enough digits for metres and seconds, without float noise.
                let s = format!("{x:.6}");
                s.trim_end_matches('0').trim_end_matches('.').to_string()
            }),
            Cell::Integer(v) => v.map_or(String::new(), |x| x.to_string()),
            Cell::Flag(v) => v.map_or(String::new(), |x| x.to_string()),
        }
    }
}

/// Text for a CSV cell that a spreadsheet will not run as a formula: a value starting with `=`,
/// `+`, `-`, `@`, a tab or a carriage return (a file name or creator a file controls, the
/// athlete's name) gets a leading `'`, as OWASP advises. Parquet keeps the text as it is.
fn neutralise(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// A column: its name (with unit) and how to read it from a row.
pub struct Column<T> {
    pub name: &'static str,
    pub get: fn(&T, &str) -> Cell,
}

fn text(s: &str) -> Cell {
    Cell::Text(Some(s.to_string()))
}

fn num(x: f64) -> Cell {
    Cell::Number(Some(x))
}

fn opt(x: Option<f64>) -> Cell {
    Cell::Number(x)
}

macro_rules! col {
    ($name:literal, $get:expr) => {
        Column {
            name: $name,
            get: $get,
        }
    };
}

/// The columns of `runs.csv` and `runs.parquet`.
pub fn run_columns() -> Vec<Column<ActivitySummary>> {
    vec![
        col!("athlete", |_, athlete| text(athlete)),
        col!("id", |a, _| text(&a.id)),
        col!("source", |a, _| text(&a.source)),
        col!("format", |a, _| text(a.format.as_str())),
        col!("sport", |a, _| text(a.sport.as_str())),
        col!("start_utc", |a, _| text(&a.start_utc.to_rfc3339())),
        col!("start_local", |a, _| text(&a.start_local.to_rfc3339())),
        col!("local_date", |a, _| text(&a.local_date.to_string())),
        col!("week", |a, _| text(&a.week)),
        col!("distance_km", |a, _| num(a.distance_m / 1000.0)),
        col!("duration_s", |a, _| num(a.duration_s)),
        col!("moving_s", |a, _| num(a.moving_s)),
        col!("pace_s_per_km", |a, _| opt(a
            .metrics
            .as_ref()
            .and_then(|m| m.mean_pace_s_per_km))),
        col!("ascent_m", |a, _| opt(a.ascent_m)),
        col!("descent_m", |a, _| opt(a.descent_m)),
        col!("elevation_method", |a, _| text(match a.elevation_method {
            crate::analysis::ElevationMethod::Device => "device",
            crate::analysis::ElevationMethod::Smoothed => "smoothed",
            crate::analysis::ElevationMethod::None => "none",
        })),
        col!("cadence_spm", |a, _| opt(a.cadence_spm)),
        col!("cadence_rule", |a, _| text(a.cadence_rule.as_str())),
        col!("cadence_p10_spm", |a, _| opt(a
            .metrics
            .as_ref()
            .and_then(|m| m.cadence.as_ref())
            .map(|c| c.p10_spm))),
        col!("cadence_p90_spm", |a, _| opt(a
            .metrics
            .as_ref()
            .and_then(|m| m.cadence.as_ref())
            .map(|c| c.p90_spm))),
        col!("cadence_below_170_share", |a, _| opt(a
            .metrics
            .as_ref()
            .and_then(|m| m.cadence.as_ref())
            .map(|c| c.below_170_share))),
        col!("descent_downhill_m", |a, _| opt(a
            .metrics
            .as_ref()
            .and_then(|m| m.grade.as_ref())
            .map(|g| g.descent_downhill_m))),
        col!("descent_steep_m", |a, _| opt(a
            .metrics
            .as_ref()
            .and_then(|m| m.grade.as_ref())
            .map(|g| g.descent_steep_m))),
        col!("downhill_km", |a, _| opt(a
            .metrics
            .as_ref()
            .and_then(|m| m.grade.as_ref())
            .map(|g| g.downhill_km))),
        col!("heart_rate_mean_bpm", |a, _| opt(a
            .metrics
            .as_ref()
            .and_then(|m| m.heart_rate.as_ref())
            .map(|h| h.mean_bpm))),
        col!("heart_rate_max_bpm", |a, _| opt(a
            .metrics
            .as_ref()
            .and_then(|m| m.heart_rate.as_ref())
            .map(|h| h.max_bpm))),
        col!("hard", |a, _| Cell::Flag(a.hard.as_ref().map(|h| h.hard))),
        col!("hard_basis", |a, _| Cell::Text(
            a.hard.as_ref().map(|h| h.basis.to_string())
        )),
        col!("ground_contact_s", |a, _| opt(a
            .metrics
            .as_ref()
            .and_then(|m| m.dynamics.as_ref())
            .and_then(|d| d.ground_contact_s))),
        col!("gct_balance_left_pct", |a, _| opt(a
            .metrics
            .as_ref()
            .and_then(|m| m.dynamics.as_ref())
            .and_then(|d| d.gct_balance_left_pct))),
        col!("vertical_oscillation_m", |a, _| opt(a
            .metrics
            .as_ref()
            .and_then(|m| m.dynamics.as_ref())
            .and_then(|d| d.vertical_oscillation_m))),
        col!("vertical_ratio_pct", |a, _| opt(a
            .metrics
            .as_ref()
            .and_then(|m| m.dynamics.as_ref())
            .and_then(|d| d.vertical_ratio_pct))),
        col!("step_length_m", |a, _| opt(a
            .metrics
            .as_ref()
            .and_then(|m| m.dynamics.as_ref())
            .and_then(|d| d.step_length_m))),
        col!("computed_distance_m", |a, _| num(a.computed.distance_m)),
        col!("device_distance_m", |a, _| opt(a
            .device
            .as_ref()
            .and_then(|d| d.distance_m))),
        col!("computed_ascent_m", |a, _| opt(a.computed.ascent_m)),
        col!("device_ascent_m", |a, _| opt(a
            .device
            .as_ref()
            .and_then(|d| d.ascent_m))),
        col!("computed_cadence_spm", |a, _| opt(a.computed.cadence_spm)),
        col!("device_cadence_spm", |a, _| opt(a
            .device
            .as_ref()
            .and_then(|d| d.cadence_spm))),
    ]
}

/// The columns of `weeks.csv`.
pub fn week_columns() -> Vec<Column<Week>> {
    vec![
        col!("athlete", |_, athlete| text(athlete)),
        col!("week", |w, _| text(&w.week)),
        col!("start", |w, _| text(&w.start.to_string())),
        col!("complete", |w, _| Cell::Flag(Some(w.complete))),
        col!("run_km", |w, _| num(w.run_km)),
        col!("runs", |w, _| Cell::Integer(Some(w.runs as i64))),
        col!("long_run_km", |w, _| num(w.long_run_km)),
        col!("change_pct", |w, _| opt(w.change_pct)),
        col!("descent_m", |w, _| num(w.descent_m)),
        col!("downhill_km", |w, _| num(w.downhill_km)),
        col!("acwr", |w, _| opt(w.acwr)),
        col!("monotony", |w, _| opt(w.monotony)),
        col!("hard_sessions", |w, _| Cell::Integer(Some(
            w.hard_sessions as i64
        ))),
        col!("strength_sessions", |w, _| Cell::Integer(Some(
            w.strength_sessions as i64
        ))),
    ]
}

/// The columns of `findings.csv`.
pub fn finding_columns() -> Vec<Column<Finding>> {
    vec![
        col!("athlete", |_, athlete| text(athlete)),
        col!("code", |f, _| text(f.code.code())),
        col!("severity", |f, _| text(f.severity.word())),
        col!("phase", |f, _| text(&f.phase.title().to_lowercase())),
        col!("week", |f, _| Cell::Text(f.week.clone())),
        col!("date", |f, _| Cell::Text(f.date.map(|d| d.to_string()))),
        col!("activity", |f, _| Cell::Text(f.activity.clone())),
        col!("value", |f, _| num(f.value)),
        col!("threshold", |f, _| num(f.threshold)),
        col!("unit", |f, _| text(f.unit.as_str())),
        col!("message", |f, _| text(&f.message)),
        col!("evidence", |f, _| text(f.evidence)),
    ]
}

/// Writes `rows` as CSV with a header row.
pub fn write_csv<T>(
    out: impl Write,
    columns: &[Column<T>],
    rows: &[&T],
    athlete: &str,
) -> csv::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(columns.iter().map(|c| c.name))?;
    for row in rows {
        w.write_record(columns.iter().map(|c| (c.get)(row, athlete).csv()))?;
    }
    w.flush()?;
    Ok(())
}

/// Builds a polars frame of `rows`, one typed column per [`Column`] (text as UTF-8, numbers as
/// f64, integers as i64, flags as booleans; missing values as nulls).
pub fn frame<T>(columns: &[Column<T>], rows: &[&T], athlete: &str) -> PolarsResult<DataFrame> {
    let mut out: Vec<Column_> = Vec::with_capacity(columns.len());
    for c in columns {
        let cells: Vec<Cell> = rows.iter().map(|r| (c.get)(r, athlete)).collect();
        let name = PlSmallStr::from_static(c.name);
        let series = match cells.first() {
            Some(Cell::Number(_)) | None => Series::new(
                name,
                cells
                    .iter()
                    .map(|x| match x {
                        Cell::Number(v) => v.filter(|v| v.is_finite()),
                        _ => None,
                    })
                    .collect::<Vec<Option<f64>>>(),
            ),
            Some(Cell::Integer(_)) => Series::new(
                name,
                cells
                    .iter()
                    .map(|x| match x {
                        Cell::Integer(v) => *v,
                        _ => None,
                    })
                    .collect::<Vec<Option<i64>>>(),
            ),
            Some(Cell::Flag(_)) => Series::new(
                name,
                cells
                    .iter()
                    .map(|x| match x {
                        Cell::Flag(v) => *v,
                        _ => None,
                    })
                    .collect::<Vec<Option<bool>>>(),
            ),
            Some(Cell::Text(_)) => Series::new(
                name,
                cells
                    .iter()
                    .map(|x| match x {
                        Cell::Text(v) => v.clone(),
                        _ => None,
                    })
                    .collect::<Vec<Option<String>>>(),
            ),
        };
        out.push(series.into());
    }
    DataFrame::new(rows.len(), out)
}

type Column_ = polars::prelude::Column;

/// Writes the four tables into `dir`.
pub fn write_all(analysis: &Analysis, dir: &Path, athlete: &str) -> anyhow::Result<()> {
    use anyhow::Context;
    // Counted runs only (duplicates left out).
    let runs: Vec<&ActivitySummary> = analysis.runs().collect();
    let weeks: Vec<&Week> = analysis.weeks.iter().collect();
    let findings: Vec<&Finding> = analysis.findings.iter().collect();
    let create = |name: &str| {
        std::fs::File::create(dir.join(name))
            .map(std::io::BufWriter::new)
            .with_context(|| format!("cannot write {}", dir.join(name).display()))
    };
    write_csv(create("runs.csv")?, &run_columns(), &runs, athlete)?;
    write_csv(create("weeks.csv")?, &week_columns(), &weeks, athlete)?;
    write_csv(
        create("findings.csv")?,
        &finding_columns(),
        &findings,
        athlete,
    )?;
    let mut df = frame(&run_columns(), &runs, athlete)?;
    let file = std::fs::File::create(dir.join("runs.parquet"))
        .with_context(|| format!("cannot write {}", dir.join("runs.parquet").display()))?;
    ParquetWriter::new(file).finish(&mut df)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_a_spreadsheet_would_run_is_neutralised_in_csv_only() {
        for (raw, csv) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+1", "'+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("runs/a=b.gpx", "runs/a=b.gpx"),
            ("2025-W10", "2025-W10"),
        ] {
            assert_eq!(text(raw).csv(), csv, "{raw}");
        }
        // Numbers are numbers: a negative value stays as it is.
        assert_eq!(num(-2.5).csv(), "-2.5");
    }
}
