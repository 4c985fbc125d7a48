//! The tables: `runs`, `weeks` and `findings`, each as CSV and as Parquet, one row per run,
//! week or finding, units in the column names, an `athlete` column first so the tables of many
//! runners stack.
//!
//! Each table is one row struct: CSV rows go through its `#[derive(Serialize)]`, Parquet through
//! typed columns made from the same fields ([`table!`]): times as Datetime (UTC, microseconds),
//! local wall-clock times as Datetime without a zone, days as Date, flags as booleans, counts as
//! integers, missing values as nulls.
//!
//! Text cells hold what files and manifests say (names, gear, paths), so CSV, which people open
//! in a spreadsheet or print in a terminal, gets them as the terminal does: control characters
//! and bidirectional overrides replaced ([`sanitise`]), and a value a spreadsheet would run as a
//! formula quoted ([`Text`]). Parquet keeps every text as it was read: it is data for programs
//! (DuckDB, Spark, polars), none of which runs a cell or interprets escapes in it, and a path or a
//! name changed there would no longer match the file or the JSON it came from; a program that
//! shows them to a person is the one that must make them safe to show.

use std::io::Write;

use chrono::{DateTime, FixedOffset, NaiveDate};
use polars::prelude::{
    Column, DataFrame, IntoColumn, NamedFrom, ParquetWriter, PlSmallStr, PolarsResult, Series,
    TimeUnit, TimeZone,
};
use serde::{Serialize, Serializer};

use crate::analysis::{ActivitySummary, Analysis, ElevationMethod, Finding, Week};
use crate::report::format::sanitise;
use crate::report::{Artifact, Render, RenderContext};

/// A cell's value as a typed Parquet column.
pub trait ToColumn {
    fn column<'a>(name: &'static str, values: impl Iterator<Item = &'a Self>) -> Column
    where
        Self: 'a;
}

/// Text. In CSV it is [`sanitise`]d (control characters and bidirectional overrides become
/// `?`), then a value starting with `=`, `+`, `-` or `@`, or their full-width forms (which
/// spreadsheets in East Asian locales take for them), gets a leading `'`, as OWASP advises, so a
/// spreadsheet does not run it (a tab or a carriage return, the other starts OWASP lists, is a
/// control character and already replaced). Parquet keeps the text as it is.
#[derive(Clone, Debug, PartialEq)]
pub struct Text(pub Option<String>);

/// A number; in CSV with at most six decimals, trailing zeros dropped; not finite is missing.
#[derive(Clone, Debug, PartialEq)]
pub struct Num(pub Option<f64>);

/// A count.
#[derive(Clone, Debug, PartialEq)]
pub struct Int(pub Option<i64>);

/// A flag (`true`/`false`).
#[derive(Clone, Debug, PartialEq)]
pub struct Flag(pub Option<bool>);

/// An instant; RFC 3339 in CSV, Datetime (UTC) in Parquet.
#[derive(Clone, Debug, PartialEq)]
pub struct Instant(pub DateTime<chrono::Utc>);

/// A local time with its offset; RFC 3339 in CSV, the local wall-clock time as a Datetime without
/// zone in Parquet (the instant is in `start_utc`).
#[derive(Clone, Debug, PartialEq)]
pub struct Local(pub DateTime<FixedOffset>);

/// A local day; `YYYY-MM-DD` in CSV, Date in Parquet.
#[derive(Clone, Debug, PartialEq)]
pub struct Day(pub Option<NaiveDate>);

fn text(s: &str) -> Text {
    Text(Some(s.to_string()))
}

/// A text cell as CSV holds it: sanitised, then quoted where a spreadsheet would run it.
fn csv_cell(s: &str) -> String {
    let shown = sanitise(s);
    const FORMULA: [char; 10] = [
        '=', '+', '-', '@', '\t', '\r', '\u{ff1d}', '\u{ff0b}', '\u{ff0d}', '\u{ff20}',
    ];
    if shown.starts_with(FORMULA) {
        format!("'{shown}")
    } else {
        shown
    }
}

impl Serialize for Text {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            Some(v) => s.serialize_str(&csv_cell(v)),
            None => s.serialize_none(),
        }
    }
}

impl Serialize for Num {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0.filter(|x| x.is_finite()) {
            // Enough digits for metres and seconds, without float noise.
            Some(x) => {
                let text = format!("{x:.6}");
                s.serialize_str(text.trim_end_matches('0').trim_end_matches('.'))
            }
            None => s.serialize_none(),
        }
    }
}

impl Serialize for Int {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl Serialize for Flag {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl Serialize for Instant {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.to_rfc3339())
    }
}

impl Serialize for Local {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.to_rfc3339())
    }
}

impl Serialize for Day {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Some(d) => s.serialize_str(&d.to_string()),
            None => s.serialize_none(),
        }
    }
}

fn named(name: &'static str) -> PlSmallStr {
    PlSmallStr::from_static(name)
}

impl ToColumn for Text {
    fn column<'a>(name: &'static str, values: impl Iterator<Item = &'a Self>) -> Column {
        let v: Vec<Option<&str>> = values.map(|x| x.0.as_deref()).collect();
        Series::new(named(name), v).into_column()
    }
}

impl ToColumn for Num {
    fn column<'a>(name: &'static str, values: impl Iterator<Item = &'a Self>) -> Column {
        let v: Vec<Option<f64>> = values.map(|x| x.0.filter(|x| x.is_finite())).collect();
        Series::new(named(name), v).into_column()
    }
}

impl ToColumn for Int {
    fn column<'a>(name: &'static str, values: impl Iterator<Item = &'a Self>) -> Column {
        let v: Vec<Option<i64>> = values.map(|x| x.0).collect();
        Series::new(named(name), v).into_column()
    }
}

impl ToColumn for Flag {
    fn column<'a>(name: &'static str, values: impl Iterator<Item = &'a Self>) -> Column {
        let v: Vec<Option<bool>> = values.map(|x| x.0).collect();
        Series::new(named(name), v).into_column()
    }
}

impl ToColumn for Instant {
    fn column<'a>(name: &'static str, values: impl Iterator<Item = &'a Self>) -> Column {
        let v: Vec<Option<i64>> = values.map(|x| Some(x.0.timestamp_micros())).collect();
        Series::new(named(name), v)
            .into_datetime(TimeUnit::Microseconds, Some(TimeZone::UTC))
            .into_column()
    }
}

impl ToColumn for Local {
    fn column<'a>(name: &'static str, values: impl Iterator<Item = &'a Self>) -> Column {
        let v: Vec<Option<i64>> = values
            .map(|x| Some(x.0.naive_local().and_utc().timestamp_micros()))
            .collect();
        Series::new(named(name), v)
            .into_datetime(TimeUnit::Microseconds, None)
            .into_column()
    }
}

impl ToColumn for Day {
    fn column<'a>(name: &'static str, values: impl Iterator<Item = &'a Self>) -> Column {
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
        let v: Vec<Option<i32>> = values
            .map(|x| x.0.map(|d| (d - epoch).num_days() as i32))
            .collect();
        Series::new(named(name), v).into_date().into_column()
    }
}

/// Declares a table's row: the struct (CSV through its `Serialize`), its column names, and its
/// typed Parquet frame, from one list of fields.
macro_rules! table {
    ($(#[$meta:meta])* $row:ident { $($(#[$fmeta:meta])* $field:ident: $ty:ty),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Serialize)]
        pub struct $row {
            $($(#[$fmeta])* pub $field: $ty),*
        }

        impl $row {
            /// The column names, in order.
            pub const COLUMNS: &'static [&'static str] = &[$(stringify!($field)),*];

            /// The rows as a typed frame.
            pub fn frame(rows: &[$row]) -> PolarsResult<DataFrame> {
                DataFrame::new(
                    rows.len(),
                    vec![$(<$ty as ToColumn>::column(
                        stringify!($field),
                        rows.iter().map(|r| &r.$field),
                    )),*],
                )
            }
        }
    };
}

table! {
    /// One counted run (duplicates left out): `runs.csv`, `runs.parquet`.
    RunRow {
        athlete: Text,
        id: Text,
        /// The file, or `archive.zip!member`.
        source: Text,
        format: Text,
        sport: Text,
        /// The session's name and gear from a bulk export's manifest, where one names them.
        name: Text,
        gear: Text,
        /// `file`, or `strava-csv` / `garmin-json` for a manifest row without a file.
        origin: Text,
        start_utc: Instant,
        start_local: Local,
        local_date: Day,
        week: Text,
        distance_km: Num,
        duration_s: Num,
        moving_s: Num,
        pace_s_per_km: Num,
        ascent_m: Num,
        descent_m: Num,
        /// `device`, `smoothed` or `none`.
        elevation_method: Text,
        /// Moving-time median.
        cadence_spm: Num,
        cadence_rule: Text,
        cadence_p10_spm: Num,
        cadence_p90_spm: Num,
        /// 0–1 of moving time.
        cadence_below_170_share: Num,
        /// On grades ≤ −5 %.
        descent_downhill_m: Num,
        /// On grades ≤ −10 %.
        descent_steep_m: Num,
        downhill_km: Num,
        heart_rate_mean_bpm: Num,
        heart_rate_max_bpm: Num,
        hard: Flag,
        /// `hr`, `pace` or `none`.
        hard_basis: Text,
        ground_contact_s: Num,
        gct_balance_left_pct: Num,
        vertical_oscillation_m: Num,
        vertical_ratio_pct: Num,
        step_length_m: Num,
        computed_distance_m: Num,
        device_distance_m: Num,
        computed_ascent_m: Num,
        device_ascent_m: Num,
        computed_cadence_spm: Num,
        device_cadence_spm: Num,
    }
}

table! {
    /// One week: `weeks.csv`, `weeks.parquet`.
    WeekRow {
        athlete: Text,
        /// ISO label.
        week: Text,
        /// The first local day.
        start: Day,
        complete: Flag,
        run_km: Num,
        runs: Int,
        long_run_km: Num,
        change_pct: Num,
        descent_m: Num,
        downhill_km: Num,
        /// The week's highest daily acute:chronic ratio.
        acwr: Num,
        monotony: Num,
        hard_sessions: Int,
        strength_sessions: Int,
    }
}

table! {
    /// One finding: `findings.csv`, `findings.parquet`.
    FindingRow {
        athlete: Text,
        code: Text,
        /// `event` (dated on its day) or `habit` (a pattern of the trailing four weeks).
        kind: Text,
        /// `info`, `moderate` or `high`.
        severity: Text,
        /// `prime`, `perform` or `restore`.
        phase: Text,
        week: Text,
        date: Day,
        /// A habit: the first day of the four weeks over which it first held, and the last day
        /// of the last week it held (empty while it holds at the end of the data).
        since: Day,
        until: Day,
        /// The run's id, where it concerns one run.
        activity: Text,
        value: Num,
        threshold: Num,
        unit: Text,
        message: Text,
        evidence: Text,
    }
}

impl RunRow {
    pub fn of(a: &ActivitySummary, athlete: &str) -> RunRow {
        let m = a.metrics.as_ref();
        let cadence = m.and_then(|m| m.cadence.as_ref());
        let grade = m.and_then(|m| m.grade.as_ref());
        let heart = m.and_then(|m| m.heart_rate.as_ref());
        let dynamics = m.and_then(|m| m.dynamics.as_ref());
        let device = a.device.as_ref();
        RunRow {
            athlete: text(athlete),
            id: text(&a.id),
            source: text(&a.source),
            format: text(a.format.as_str()),
            sport: text(a.sport.as_str()),
            name: Text(a.name.clone()),
            gear: Text(a.gear.clone()),
            origin: text(a.origin.as_str()),
            start_utc: Instant(a.start_utc),
            start_local: Local(a.start_local),
            local_date: Day(Some(a.local_date)),
            week: text(&a.week),
            distance_km: Num(Some(a.distance_m / 1000.0)),
            duration_s: Num(Some(a.duration_s)),
            moving_s: Num(Some(a.moving_s)),
            pace_s_per_km: Num(m.and_then(|m| m.mean_pace_s_per_km)),
            ascent_m: Num(a.ascent_m),
            descent_m: Num(a.descent_m),
            elevation_method: text(match a.elevation_method {
                ElevationMethod::Device => "device",
                ElevationMethod::Smoothed => "smoothed",
                ElevationMethod::None => "none",
            }),
            cadence_spm: Num(a.cadence_spm),
            cadence_rule: text(a.cadence_rule.as_str()),
            cadence_p10_spm: Num(cadence.map(|c| c.p10_spm)),
            cadence_p90_spm: Num(cadence.map(|c| c.p90_spm)),
            cadence_below_170_share: Num(cadence.map(|c| c.below_170_share)),
            descent_downhill_m: Num(grade.map(|g| g.descent_downhill_m)),
            descent_steep_m: Num(grade.map(|g| g.descent_steep_m)),
            downhill_km: Num(grade.map(|g| g.downhill_km)),
            heart_rate_mean_bpm: Num(heart.map(|h| h.mean_bpm)),
            heart_rate_max_bpm: Num(heart.map(|h| h.max_bpm)),
            hard: Flag(a.hard.as_ref().map(|h| h.hard)),
            hard_basis: Text(a.hard.as_ref().map(|h| h.basis.to_string())),
            ground_contact_s: Num(dynamics.and_then(|d| d.ground_contact_s)),
            gct_balance_left_pct: Num(dynamics.and_then(|d| d.gct_balance_left_pct)),
            vertical_oscillation_m: Num(dynamics.and_then(|d| d.vertical_oscillation_m)),
            vertical_ratio_pct: Num(dynamics.and_then(|d| d.vertical_ratio_pct)),
            step_length_m: Num(dynamics.and_then(|d| d.step_length_m)),
            computed_distance_m: Num(Some(a.computed.distance_m)),
            device_distance_m: Num(device.and_then(|d| d.distance_m)),
            computed_ascent_m: Num(a.computed.ascent_m),
            device_ascent_m: Num(device.and_then(|d| d.ascent_m)),
            computed_cadence_spm: Num(a.computed.cadence_spm),
            device_cadence_spm: Num(device.and_then(|d| d.cadence_spm)),
        }
    }
}

impl WeekRow {
    pub fn of(w: &Week, athlete: &str) -> WeekRow {
        WeekRow {
            athlete: text(athlete),
            week: text(&w.week),
            start: Day(Some(w.start)),
            complete: Flag(Some(w.complete)),
            run_km: Num(Some(w.run_km)),
            runs: Int(Some(w.runs as i64)),
            long_run_km: Num(Some(w.long_run_km)),
            change_pct: Num(w.change_pct),
            descent_m: Num(Some(w.descent_m)),
            downhill_km: Num(Some(w.downhill_km)),
            acwr: Num(w.acwr),
            monotony: Num(w.monotony),
            hard_sessions: Int(Some(w.hard_sessions as i64)),
            strength_sessions: Int(Some(w.strength_sessions as i64)),
        }
    }
}

impl FindingRow {
    pub fn of(f: &Finding, athlete: &str) -> FindingRow {
        FindingRow {
            athlete: text(athlete),
            code: text(f.code.code()),
            kind: text(f.kind.word()),
            severity: text(f.severity.word()),
            phase: text(&f.phase.title().to_lowercase()),
            week: Text(f.week.clone()),
            date: Day(f.date),
            since: Day(f.since),
            until: Day(f.until),
            activity: Text(f.activity.clone()),
            value: Num(Some(f.value)),
            threshold: Num(Some(f.threshold)),
            unit: text(f.unit.as_str()),
            message: text(&f.message),
            evidence: text(f.evidence),
        }
    }
}

/// Writes `rows` as CSV: the header (also for no rows), then one record per row.
pub fn write_csv<T: Serialize>(out: impl Write, columns: &[&str], rows: &[T]) -> csv::Result<()> {
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(out);
    w.write_record(columns)?;
    for row in rows {
        w.serialize(row)?;
    }
    w.flush()?;
    Ok(())
}

/// The three tables of an analysis, as rows.
pub struct Rows {
    pub runs: Vec<RunRow>,
    pub weeks: Vec<WeekRow>,
    pub findings: Vec<FindingRow>,
}

impl Rows {
    /// Counted runs only (duplicates left out), every week, every finding.
    pub fn of(analysis: &Analysis, athlete: &str) -> Rows {
        Rows {
            runs: analysis.runs().map(|a| RunRow::of(a, athlete)).collect(),
            weeks: analysis
                .weeks
                .iter()
                .map(|w| WeekRow::of(w, athlete))
                .collect(),
            findings: analysis
                .findings
                .iter()
                .map(|f| FindingRow::of(f, athlete))
                .collect(),
        }
    }
}

impl Rows {
    /// The three tables as typed frames, each with its name.
    pub fn frames(&self) -> PolarsResult<[(&'static str, DataFrame); 3]> {
        Ok([
            ("runs", RunRow::frame(&self.runs)?),
            ("weeks", WeekRow::frame(&self.weeks)?),
            ("findings", FindingRow::frame(&self.findings)?),
        ])
    }
}

/// The tables `runs`, `weeks` and `findings`, each as CSV and as Parquet.
pub struct Tables;

impl Render for Tables {
    fn render(&self, analysis: &Analysis, ctx: &RenderContext) -> anyhow::Result<Vec<Artifact>> {
        fn csv<T: Serialize>(columns: &[&str], rows: &[T]) -> csv::Result<Vec<u8>> {
            let mut bytes = Vec::new();
            write_csv(&mut bytes, columns, rows)?;
            Ok(bytes)
        }
        let t = Rows::of(analysis, &ctx.athlete);
        let mut files = vec![
            Artifact::new("runs.csv", csv(RunRow::COLUMNS, &t.runs)?),
            Artifact::new("weeks.csv", csv(WeekRow::COLUMNS, &t.weeks)?),
            Artifact::new("findings.csv", csv(FindingRow::COLUMNS, &t.findings)?),
        ];
        for (table, frame) in t.frames()? {
            files.push(Artifact::new(format!("{table}.parquet"), parquet(frame)?));
        }
        Ok(files)
    }
}

/// The three tables of one athlete as partitions of a Hive-partitioned Parquet dataset:
/// `data/runs/athlete=KEY/part-0.parquet`, likewise `weeks` and `findings`. The `athlete` column
/// is left out of the files: the folder names hold it, as the Hive layout has it, and DuckDB and
/// Spark read it from there (a copy in the files could only disagree with them); `KEY` is
/// escaped as Hive escapes partition values.
pub fn partitions(analysis: &Analysis, key: &str) -> anyhow::Result<Vec<Artifact>> {
    let dir = |table: &str| format!("data/{table}/athlete={}/part-0.parquet", hive_escape(key));
    let mut files = Vec::new();
    for (table, frame) in Rows::of(analysis, key).frames()? {
        files.push(Artifact::new(dir(table), parquet(frame.drop("athlete")?)?));
    }
    Ok(files)
}

/// A frame as the bytes of a Parquet file.
fn parquet(mut frame: DataFrame) -> PolarsResult<Vec<u8>> {
    let mut bytes = Vec::new();
    ParquetWriter::new(&mut bytes).finish(&mut frame)?;
    Ok(bytes)
}

/// A partition value as Hive writes it into a folder name: `%XX` for control characters and for
/// `"#%'*/:=?\{[]^`, everything else as it is (Spark and DuckDB decode it back).
pub fn hive_escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if c.is_ascii_control() || "\"#%'*/:=?\\{[]^".contains(c) {
            out.push_str(&format!("%{:02X}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv_of<T: Serialize>(row: &T) -> String {
        let mut w = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(Vec::new());
        w.serialize(row).unwrap();
        String::from_utf8(w.into_inner().unwrap()).unwrap()
    }

    #[test]
    fn text_that_a_spreadsheet_would_run_is_neutralised_in_csv_only() {
        for (raw, csv) in [
            (
                "=HYPERLINK(\"http://x\")",
                "\"'=HYPERLINK(\"\"http://x\"\")\"\n",
            ),
            ("+1", "'+1\n"),
            ("-2+3", "'-2+3\n"),
            ("@SUM(A1)", "'@SUM(A1)\n"),
            ("\u{ff1d}1+1", "'\u{ff1d}1+1\n"),
            ("\u{ff20}SUM(A1)", "'\u{ff20}SUM(A1)\n"),
            // A tab or a carriage return is a control character: replaced, nothing left to run.
            ("\tx", "?x\n"),
            ("\r=1+1", "?=1+1\n"),
            ("runs/a=b.gpx", "runs/a=b.gpx\n"),
            ("2025-W10", "2025-W10\n"),
            (" =1+1", " =1+1\n"),
        ] {
            assert_eq!(csv_of(&(text(raw),)), csv, "{raw}");
        }
        // Parquet keeps the text.
        let c = Text::column("t", [text("=1+1")].iter());
        assert_eq!(c.str().unwrap().get(0), Some("=1+1"));
        // Numbers are numbers: a negative value stays as it is.
        assert_eq!(csv_of(&(Num(Some(-2.5)),)), "-2.5\n");
        assert_eq!(csv_of(&(Num(Some(7.0000000001)),)), "7\n");
        assert_eq!(csv_of(&(Num(Some(f64::NAN)),)), "\"\"\n");
    }

    #[test]
    fn csv_text_is_sanitised_as_the_terminal_shows_it_and_parquet_keeps_it() {
        let raw = [
            // Colour and an OSC 8 hyperlink (ESC \ and BEL ends), from an activity's name.
            "Tempo \u{1b}[31mred\u{1b}[0m",
            "\u{1b}]8;;https://x.test\u{1b}\\Click\u{1b}]8;;\u{1b}\\",
            "\u{1b}]8;;https://x.test\u{7}Click\u{1b}]8;;\u{7}",
            // A right-to-left override and an isolate that make the gear read otherwise.
            "Pegasus \u{202e}04\u{202c}",
            "\u{2067}shoe\u{2069}",
            // A line break inside a manifest cell.
            "Easy,\nwith strides",
            // An escape first: replaced, then the formula check sees `?`.
            "\u{1b}=1+1",
            // After the replacement a formula is still quoted.
            "=\u{1b}[2J",
        ];
        let expected = [
            "Tempo ?[31mred?[0m\n",
            "?]8;;https://x.test?\\Click?]8;;?\\\n",
            "?]8;;https://x.test?Click?]8;;?\n",
            "Pegasus ?04?\n",
            "?shoe?\n",
            "\"Easy,?with strides\"\n",
            "?=1+1\n",
            "'=?[2J\n",
        ];
        for (raw, csv) in raw.iter().zip(expected) {
            assert_eq!(csv_of(&(text(raw),)), csv, "{raw:?}");
            assert!(!csv.contains(['\u{1b}', '\u{7}', '\u{202e}', '\u{2067}']));
        }
        // Parquet keeps every text as it was read.
        let cells: Vec<Text> = raw.iter().map(|r| text(r)).collect();
        let c = Text::column("name", cells.iter());
        for (i, r) in raw.iter().enumerate() {
            assert_eq!(c.str().unwrap().get(i), Some(*r));
        }
        // Missing stays missing.
        assert_eq!(csv_of(&(Text(None),)), "\"\"\n");
    }

    #[test]
    fn parquet_columns_are_typed() {
        use polars::prelude::DataType;
        let t0 = chrono::DateTime::parse_from_rfc3339("2025-03-06T06:45:00-05:00").unwrap();
        let rows = [WeekRow {
            athlete: text("a"),
            week: text("2025-W10"),
            start: Day(NaiveDate::from_ymd_opt(2025, 3, 3)),
            complete: Flag(Some(true)),
            run_km: Num(Some(1.5)),
            runs: Int(Some(2)),
            long_run_km: Num(None),
            change_pct: Num(Some(f64::INFINITY)),
            descent_m: Num(Some(0.0)),
            downhill_km: Num(Some(0.0)),
            acwr: Num(None),
            monotony: Num(None),
            hard_sessions: Int(Some(0)),
            strength_sessions: Int(None),
        }];
        let df = WeekRow::frame(&rows).unwrap();
        assert_eq!(df.column("start").unwrap().dtype(), &DataType::Date);
        assert_eq!(df.column("complete").unwrap().dtype(), &DataType::Boolean);
        assert_eq!(df.column("runs").unwrap().dtype(), &DataType::Int64);
        assert_eq!(df.column("change_pct").unwrap().f64().unwrap().get(0), None);
        let utc = Instant::column("start_utc", [Instant(t0.to_utc())].iter());
        assert_eq!(
            utc.dtype(),
            &DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC))
        );
        let local = Local::column("start_local", [Local(t0)].iter());
        assert_eq!(
            local.dtype(),
            &DataType::Datetime(TimeUnit::Microseconds, None)
        );
        // The wall-clock time: 06:45 local.
        let micros = local.datetime().unwrap().physical().get(0).unwrap();
        assert_eq!(micros % 86_400_000_000, (6 * 3600 + 45 * 60) * 1_000_000);
        assert_eq!(WeekRow::COLUMNS.len(), df.width());
    }
}
