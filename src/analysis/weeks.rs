//! The runs → weeks table, through polars: running distance, runs, the long run, descent and
//! strength sessions per local training week, with weeks without running kept as zero rows.

use chrono::{Days, NaiveDate};
use polars::prelude::*;
use serde::Serialize;

use super::{week_label, ActivitySummary, WeekStart};
use crate::model::Sport;

/// One training week.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Week {
    pub week: String,
    /// First local day of the week.
    pub start: NaiveDate,
    pub run_km: f64,
    pub runs: u32,
    pub long_run_km: f64,
    /// Change of `run_km` against the previous week, in percent; `None` after a week of zero.
    pub change_pct: Option<f64>,
    pub descent_m: f64,
    pub strength_sessions: u32,
}

/// The weekly table failed to build (a polars error; not expected on valid input).
#[derive(Debug, thiserror::Error)]
#[error("weekly table: {0}")]
pub struct WeeksError(#[from] PolarsError);

/// Days since 1970-01-01, polars' `Date` representation.
fn epoch_days(d: NaiveDate) -> i32 {
    (d - NaiveDate::default()).num_days() as i32
}

fn from_epoch_days(days: i32) -> NaiveDate {
    NaiveDate::default() + chrono::Duration::days(days as i64)
}

/// Tabulates counted activities by week, first to last week with a counted activity, every week
/// in between present.
pub fn weekly(
    activities: &[ActivitySummary],
    week_start: WeekStart,
) -> Result<Vec<Week>, WeeksError> {
    let counted: Vec<&ActivitySummary> = activities
        .iter()
        .filter(|a| a.duplicate_of.is_none())
        .filter(|a| a.sport == Sport::Running || a.sport == Sport::Strength)
        .collect();
    if counted.is_empty() {
        return Ok(Vec::new());
    }
    let is_run: Vec<bool> = counted.iter().map(|a| a.sport == Sport::Running).collect();
    let df = df!(
        "week_start" => counted.iter().map(|a| epoch_days(a.week_start)).collect::<Vec<i32>>(),
        "run_km" => counted.iter().zip(&is_run).map(|(a, r)| if *r { a.distance_m / 1000.0 } else { 0.0 }).collect::<Vec<f64>>(),
        "descent_m" => counted.iter().zip(&is_run).map(|(a, r)| if *r { a.descent_m.unwrap_or(0.0) } else { 0.0 }).collect::<Vec<f64>>(),
        "is_run" => is_run.iter().map(|r| *r as u32).collect::<Vec<u32>>(),
        "is_strength" => is_run.iter().map(|r| !*r as u32).collect::<Vec<u32>>(),
    )?;

    let mut rows: Vec<(i32, f64, u32, f64, f64, u32)> = Vec::new();
    for part in df.partition_by_stable(["week_start"], true)? {
        let start = part
            .column("week_start")?
            .i32()?
            .get(0)
            .ok_or_else(|| PolarsError::NoData("empty week partition".into()))?;
        let km = part.column("run_km")?.f64()?;
        rows.push((
            start,
            km.sum().unwrap_or(0.0),
            part.column("is_run")?.u32()?.sum().unwrap_or(0),
            km.max().unwrap_or(0.0),
            part.column("descent_m")?.f64()?.sum().unwrap_or(0.0),
            part.column("is_strength")?.u32()?.sum().unwrap_or(0),
        ));
    }
    rows.sort_by_key(|r| r.0);

    let (Some(first), Some(last)) = (rows.first().map(|r| r.0), rows.last().map(|r| r.0)) else {
        return Ok(Vec::new());
    };
    let mut weeks = Vec::new();
    let mut by_start = rows.into_iter().peekable();
    let mut day = first;
    let mut previous_km: Option<f64> = None;
    while day <= last {
        let start = from_epoch_days(day);
        let (run_km, runs, long_run_km, descent_m, strength_sessions) =
            match by_start.next_if(|r| r.0 == day) {
                Some((_, km, n, long, desc, strength)) => (km, n, long, desc, strength),
                None => (0.0, 0, 0.0, 0.0, 0),
            };
        let change_pct = previous_km
            .filter(|p| *p > 0.0)
            .map(|p| (run_km - p) / p * 100.0);
        weeks.push(Week {
            week: week_label(start, week_start),
            start,
            run_km,
            runs,
            long_run_km,
            change_pct,
            descent_m,
            strength_sessions,
        });
        previous_km = Some(run_km);
        day = epoch_days(start + Days::new(7));
    }
    Ok(weeks)
}
