//! The reference reader: FIT files through `fitparser`, the test oracle that patella's own
//! decoder is compared with (unit tests, `tests/bench/decode.rs`, the `fit` fuzz target). It
//! does not ship in the binary.
//!
//! fitparser decodes the messages; what patella keeps of them is put into the same [`Decoded`]
//! as patella's decoder gives, and the activities are built from it by the same code
//! (`super::activities`), so that the two readers differ only where their decoding does.
//!
//! The file is decoded as a stream, so a truncated or partly corrupt file still gives the
//! messages before the damage. CRCs are checked by patella's own check, not by fitparser.
//!
//! fitparser hands timestamps out as `DateTime<Local>`; they are taken as instants, and the
//! `local_timestamp` of the `activity` message, which fitparser anchors at the machine zone's
//! 1989-12-31 midnight, is turned back into its raw value so that the result never depends on
//! the machine's zone.

use chrono::{Local, NaiveDate, TimeZone};
use fitparser::de::{DecodeOption, FitObject, FitStreamProcessor};
use fitparser::profile::MesgNum;
use fitparser::{FitDataRecord, Value};

use super::messages::{ActivityMessage, Decoded, FileId, Records, Row, Session, SetRow};
use super::{activities, check_crcs, Stop, FIT_EPOCH_UNIX_S};
use crate::ingest::error::{one_line, ReadError};
use crate::model::{Activity, DeviceSummary};

/// Reads every session of a FIT file, through fitparser.
pub fn read(bytes: &[u8], source: &str) -> Result<Vec<Activity>, ReadError> {
    let warnings = check_crcs(bytes);
    let (records, stop) = decode(bytes);
    activities(decoded_of(&records), stop, source, warnings)
}

/// Decodes as far as the bytes allow: the messages read, and what stopped decoding.
fn decode(bytes: &[u8]) -> (Vec<FitDataRecord>, Option<Stop>) {
    let mut processor = FitStreamProcessor::new();
    processor.add_option(DecodeOption::SkipHeaderCrcValidation);
    processor.add_option(DecodeOption::SkipDataCrcValidation);
    // Keeps `compressed_speed_distance` as sent: fitparser's expansion of its distance component
    // accumulates twice (14.25, 33.125, 58.3 m where the file says 14.25, 18.875, 25.2 m), so the
    // distance is decoded from the raw bytes here.
    processor.add_option(DecodeOption::KeepCompositeFields);
    let mut records = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        match processor.deserialize_next(rest) {
            Ok((next, obj)) => {
                match obj {
                    FitObject::Crc(_) => processor.reset(),
                    FitObject::DataMessage(msg) => match processor.decode_message(msg) {
                        Ok(rec) => records.push(rec),
                        Err(e) => {
                            let index = records.len();
                            let detail = one_line(&e.to_string());
                            return (records, Some(Stop::Value { index, detail }));
                        }
                    },
                    FitObject::Header(_) | FitObject::DefinitionMessage(_) => {}
                }
                rest = next;
            }
            Err(e) => {
                let at = bytes.len() - rest.len();
                let detail = one_line(&e.to_string());
                return (records, Some(Stop::Framing { at, detail }));
            }
        }
    }
    (records, None)
}

/// Two values alike: both NaN, or equal to 1e-9 of the larger (1e-9 near zero).
fn close(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

fn close_opt(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => close(a, b),
        _ => false,
    }
}

/// Every difference between the activities two readers give for one file (`want` the
/// reference's, `got` patella's), as (field, detail): the one comparison of the two readers,
/// for the unit tests, the corpus test and the `fit` fuzz target, each of which decides which
/// fields it holds the readers to. Fields are the [`Activity`] fields by name, `device.*` for
/// the summary's, and the sample columns by name; the detail names the activity.
pub fn differences(want: &[Activity], got: &[Activity]) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if want.len() != got.len() {
        out.push(("activities", format!("{} vs {}", want.len(), got.len())));
        return out;
    }
    for (i, (w, g)) in want.iter().zip(got).enumerate() {
        let mut diff = |name: &'static str, same: bool, detail: String| {
            if !same {
                out.push((
                    name,
                    format!("activity {i}: {detail} (fitparser vs patella)"),
                ));
            }
        };
        let debug = |a: &dyn std::fmt::Debug, b: &dyn std::fmt::Debug| format!("{a:?} vs {b:?}");
        // The fields compared whole, each named as the field.
        macro_rules! whole {
            ($($field:ident),+) => {
                $(diff(
                    stringify!($field),
                    w.$field == g.$field,
                    debug(&w.$field, &g.$field),
                );)+
            };
        }
        whole!(
            session,
            sport,
            sport_detail,
            start_utc,
            utc_offset_s,
            source,
            format,
            cadence_rule,
            device_name,
            warnings,
            strength
        );
        diff(
            "samples",
            w.samples.len() == g.samples.len(),
            debug(&w.samples.len(), &g.samples.len()),
        );
        if w.samples.len() == g.samples.len() {
            for ((name, wc), (_, gc)) in w.samples.columns().into_iter().zip(g.samples.columns()) {
                if wc.len() != gc.len() {
                    diff(
                        name,
                        false,
                        format!("column length {} vs {}", wc.len(), gc.len()),
                    );
                } else if let Some(k) = wc.iter().zip(gc).position(|(a, b)| !close(*a, *b)) {
                    diff(name, false, format!("sample {k}: {} vs {}", wc[k], gc[k]));
                }
            }
        }
        match (&w.device, &g.device) {
            (None, None) => {}
            (Some(wd), Some(gd)) => {
                for (name, a, b) in [
                    ("device.distance_m", wd.distance_m, gd.distance_m),
                    ("device.ascent_m", wd.ascent_m, gd.ascent_m),
                    ("device.descent_m", wd.descent_m, gd.descent_m),
                    ("device.cadence_spm", wd.cadence_spm, gd.cadence_spm),
                    ("device.timer_s", wd.timer_s, gd.timer_s),
                    ("device.elapsed_s", wd.elapsed_s, gd.elapsed_s),
                ] {
                    diff(name, close_opt(a, b), debug(&a, &b));
                }
            }
            _ => diff("device", false, debug(&w.device, &g.device)),
        }
    }
    out
}

/// [`differences`] of two readers' results; errors are compared whole (`error`), and one
/// reader failing where the other reads is `ok/err`.
pub fn result_differences(
    want: &Result<Vec<Activity>, ReadError>,
    got: &Result<Vec<Activity>, ReadError>,
) -> Vec<(&'static str, String)> {
    match (want, got) {
        (Ok(w), Ok(g)) => differences(w, g),
        (Err(w), Err(g)) if w == g => Vec::new(),
        (Err(w), Err(g)) => vec![("error", format!("{w:?} vs {g:?}"))],
        _ => vec![(
            "ok/err",
            format!("{:?} vs {:?}", want.as_ref().err(), got.as_ref().err()),
        )],
    }
}

/// What patella keeps of fitparser's messages, as patella's decoder gives it.
fn decoded_of(records: &[FitDataRecord]) -> Decoded {
    let first = |kind: MesgNum| records.iter().find(|r| r.kind() == kind);
    Decoded {
        messages: records.len(),
        file_id: first(MesgNum::FileId).map(|r| FileId {
            kind: field(r, "type").and_then(text),
            device_name: device_name(r),
        }),
        sport: first(MesgNum::Sport).map(|r| {
            let text_of = |name| field(r, name).and_then(text).unwrap_or_default();
            (text_of("sport"), text_of("sub_sport"))
        }),
        activity: first(MesgNum::Activity).map(|r| ActivityMessage {
            timestamp: field(r, "timestamp").and_then(fit_seconds),
            local: field(r, "local_timestamp").and_then(raw_local_seconds),
            timer_s: field_num(r, "total_timer_time"),
        }),
        lap_starts: records
            .iter()
            .filter(|r| r.kind() == MesgNum::Lap)
            .filter_map(|r| field(r, "start_time").and_then(fit_seconds))
            .collect(),
        sessions: records
            .iter()
            .filter(|r| r.kind() == MesgNum::Session)
            .map(session_of)
            .collect(),
        records: {
            let mut out = Records::default();
            for r in records.iter().filter(|r| r.kind() == MesgNum::Record) {
                out.push(row_of(r));
            }
            out
        },
        sets: records
            .iter()
            .filter(|r| r.kind() == MesgNum::Set)
            .map(|r| SetRow {
                t: field(r, "start_time")
                    .and_then(fit_seconds)
                    .or_else(|| field(r, "timestamp").and_then(fit_seconds)),
                rest: field(r, "set_type")
                    .and_then(text)
                    .is_some_and(|t| t == "rest" || t == "0"),
                repetitions: field_num(r, "repetitions").map(|x| x as u32),
            })
            .collect(),
        #[cfg(test)]
        planned: 0,
    }
}

/// A numeric field value, with invalid markers as `None`.
fn num(v: &Value) -> Option<f64> {
    let x = match v {
        Value::Byte(x) | Value::Enum(x) | Value::UInt8(x) | Value::UInt8z(x) => *x as f64,
        Value::SInt8(x) => *x as f64,
        Value::SInt16(x) => *x as f64,
        Value::UInt16(x) | Value::UInt16z(x) => *x as f64,
        Value::SInt32(x) => *x as f64,
        Value::UInt32(x) | Value::UInt32z(x) => *x as f64,
        Value::SInt64(x) => *x as f64,
        Value::UInt64(x) | Value::UInt64z(x) => *x as f64,
        Value::Float32(x) => *x as f64,
        Value::Float64(x) => *x,
        Value::Array(xs) => return xs.first().and_then(num),
        Value::Timestamp(_) | Value::String(_) | Value::Invalid => return None,
    };
    x.is_finite().then_some(x)
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Invalid => None,
        other => num(other).map(|x| format!("{x}")),
    }
}

/// Seconds since the FIT epoch of a timestamp value.
fn fit_seconds(v: &Value) -> Option<i64> {
    match v {
        Value::Timestamp(t) => Some(t.timestamp() - FIT_EPOCH_UNIX_S),
        _ => None,
    }
}

/// The raw seconds-since-1989 of a `local_date_time` field, undoing fitparser's anchoring of it
/// at the machine zone's 1989-12-31 midnight.
fn raw_local_seconds(v: &Value) -> Option<i64> {
    let Value::Timestamp(t) = v else { return None };
    let anchor = NaiveDate::from_ymd_opt(1989, 12, 31)?.and_hms_opt(0, 0, 0)?;
    let anchor = Local.from_local_datetime(&anchor).earliest()?;
    Some(t.timestamp() - anchor.timestamp())
}

fn field<'a>(rec: &'a FitDataRecord, name: &str) -> Option<&'a Value> {
    rec.fields()
        .iter()
        .find(|f| f.name() == name)
        .map(|f| f.value())
}

fn field_num(rec: &FitDataRecord, name: &str) -> Option<f64> {
    field(rec, name).and_then(num)
}

fn first_num(rec: &FitDataRecord, names: &[&str]) -> Option<f64> {
    names.iter().find_map(|n| field_num(rec, n))
}

fn session_of(rec: &FitDataRecord) -> Session {
    let start = field(rec, "start_time").and_then(fit_seconds);
    let elapsed = field_num(rec, "total_elapsed_time");
    let end_ms = field(rec, "timestamp")
        .and_then(fit_seconds)
        .map(|t| t * 1000)
        .or_else(|| Some(start? * 1000 + (elapsed? * 1000.0) as i64));
    let cadence_raw = first_num(rec, &["avg_running_cadence", "avg_cadence"])
        .map(|c| c + field_num(rec, "avg_fractional_cadence").unwrap_or(0.0));
    Session {
        start,
        end_ms,
        sport: field(rec, "sport").and_then(text).unwrap_or_default(),
        sub_sport: field(rec, "sub_sport").and_then(text).unwrap_or_default(),
        device: DeviceSummary {
            distance_m: field_num(rec, "total_distance"),
            ascent_m: field_num(rec, "total_ascent"),
            descent_m: field_num(rec, "total_descent"),
            cadence_spm: None,
            timer_s: field_num(rec, "total_timer_time"),
            elapsed_s: elapsed,
        },
        cadence_raw,
    }
}

/// The 12-bit distance component of a `compressed_speed_distance` field (1/16 m, rolling over
/// at 256 m): bytes little-endian, speed in the low 12 bits, distance in the high 12.
fn compressed_distance_raw(v: &Value) -> Option<u16> {
    let Value::Array(bytes) = v else { return None };
    let byte = |i: usize| match bytes.get(i) {
        Some(Value::Byte(b)) | Some(Value::UInt8(b)) => Some(*b as u16),
        _ => None,
    };
    Some((byte(1)? >> 4) | (byte(2)? << 4))
}

fn row_of(rec: &FitDataRecord) -> Row {
    let nan = |v: Option<f64>| v.unwrap_or(f64::NAN);
    let get = |name: &str| nan(field_num(rec, name));
    Row {
        t: field(rec, "timestamp").and_then(fit_seconds),
        lat: get("position_lat"),
        lon: get("position_long"),
        elevation: nan(first_num(rec, &["enhanced_altitude", "altitude"])),
        distance: get("distance"),
        speed: nan(first_num(rec, &["enhanced_speed", "speed"])),
        heart_rate: get("heart_rate"),
        power: get("power"),
        stance_time_ms: get("stance_time"),
        stance_balance: get("stance_time_balance"),
        vertical_oscillation_mm: get("vertical_oscillation"),
        vertical_ratio: get("vertical_ratio"),
        step_length_mm: get("step_length"),
        // Raw cadence (strides or revolutions per minute); the rule is applied per activity.
        cadence: field_num(rec, "cadence").map_or(f64::NAN, |c| {
            c + field_num(rec, "fractional_cadence").unwrap_or(0.0)
        }),
        compressed_distance: field(rec, "compressed_speed_distance")
            .and_then(compressed_distance_raw),
    }
}

fn device_name(rec: &FitDataRecord) -> Option<String> {
    let manufacturer = field(rec, "manufacturer")
        .and_then(text)
        .unwrap_or_default();
    let product = ["garmin_product", "favero_product", "product"]
        .iter()
        .find_map(|n| field(rec, n).and_then(text))
        .unwrap_or_default();
    (!manufacturer.is_empty() || !product.is_empty()).then(|| format!("{manufacturer}:{product}"))
}

#[cfg(test)]
mod tests {
    use super::super::profile;
    use super::super::tests::{activity, compressed_timestamps, fixtures, same};
    use super::*;
    use std::path::PathBuf;

    /// Known, justified differences from the fitparser-based reader: (file name suffix, field,
    /// reason). Empty: every corpus file matches field for field.
    const ALLOWED: &[(&str, &str, &str)] = &[];

    /// The FIT files of the corpus (`.fit`, `.FIT`, `.fit.gz`), in path order.
    fn corpus_files() -> Vec<PathBuf> {
        let Some(corpus) = crate::test_support::corpus_dir() else {
            return Vec::new();
        };
        let out: Vec<PathBuf> = crate::test_support::files_under(&corpus.join("fit"))
            .into_iter()
            .filter(|p| {
                let name = p.to_string_lossy().to_lowercase();
                name.ends_with(".fit") || name.ends_with(".fit.gz")
            })
            .collect();
        assert!(!out.is_empty(), "no FIT file in the corpus");
        out
    }

    #[test]
    fn generated_names_match_fitparser() {
        use fitparser::profile::{get_field_variant_as_string, FieldDataType};
        let tables: [(&[(u16, &str)], FieldDataType); 7] = [
            (profile::SPORT, FieldDataType::Sport),
            (profile::SUB_SPORT, FieldDataType::SubSport),
            (profile::FILE, FieldDataType::File),
            (profile::MANUFACTURER, FieldDataType::Manufacturer),
            (profile::GARMIN_PRODUCT, FieldDataType::GarminProduct),
            (profile::FAVERO_PRODUCT, FieldDataType::FaveroProduct),
            (profile::FIT_BASE_TYPE, FieldDataType::FitBaseType),
        ];
        for (table, kind) in tables {
            let expected: Vec<(u16, String)> = (0..=u16::MAX)
                .filter(|v| kind.is_named_variant(*v as i64))
                .map(|v| (v, get_field_variant_as_string(kind, v as i64)))
                .collect();
            let got: Vec<(u16, String)> = table.iter().map(|(v, n)| (*v, n.to_string())).collect();
            assert_eq!(got, expected, "{kind:?}");
        }
    }

    /// `generated/profile.rs` as its generator writes it: each table of names from fitparser's
    /// profile, entries packed up to 100 columns.
    fn generated_profile() -> String {
        use fitparser::profile::{get_field_variant_as_string, FieldDataType};
        let tables = [
            ("SPORT", FieldDataType::Sport),
            ("SUB_SPORT", FieldDataType::SubSport),
            ("FILE", FieldDataType::File),
            ("MANUFACTURER", FieldDataType::Manufacturer),
            ("GARMIN_PRODUCT", FieldDataType::GarminProduct),
            ("FAVERO_PRODUCT", FieldDataType::FaveroProduct),
            ("FIT_BASE_TYPE", FieldDataType::FitBaseType),
        ];
        let mut out = String::from(
            "// Generated from fitparser 0.11's profile (get_field_variant_as_string over every \
             named value)\n// by `generated_profile` in src/ingest/fit/reference.rs, whose test \
             checks that it is current;\n// `PATELLA_BLESS=1 cargo test --lib generated_profile` \
             writes it again.\n",
        );
        for (name, kind) in tables {
            out += &format!("pub(super) const {name}: &[(u16, &str)] = &[\n");
            let mut line = String::new();
            for v in (0..=u16::MAX).filter(|v| kind.is_named_variant(*v as i64)) {
                let entry = format!("({v}, {:?}),", get_field_variant_as_string(kind, v as i64));
                if !line.is_empty() && 4 + line.len() + 1 + entry.len() > 100 {
                    out += &format!("    {line}\n");
                    line.clear();
                }
                if !line.is_empty() {
                    line.push(' ');
                }
                line += &entry;
            }
            if !line.is_empty() {
                out += &format!("    {line}\n");
            }
            out += "];\n";
        }
        out
    }

    #[test]
    fn generated_profile_is_current() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src/ingest/fit/generated/profile.rs"
        );
        let want = generated_profile();
        if std::env::var_os("PATELLA_BLESS").is_some() {
            std::fs::write(path, &want).unwrap();
        }
        let have = std::fs::read_to_string(path).unwrap();
        assert!(
            have == want,
            "{path} is not the generator's; rerun with PATELLA_BLESS=1"
        );
    }

    #[test]
    fn matches_fitparser_on_the_corpus() {
        let files = corpus_files();
        if files.is_empty() {
            return;
        }
        let mut failures = Vec::new();
        let mut allowed = 0usize;
        // (ok files, error files, activities, samples)
        let mut stats = (0usize, 0usize, 0usize, 0usize);
        let mut warnings = std::collections::BTreeSet::new();
        let mut errors = std::collections::BTreeSet::new();
        for path in &files {
            let bytes = crate::test_support::read_gunzipped(path);
            let name = path.to_string_lossy().to_string();
            let want = read(&bytes, &name);
            let got = super::super::read(&bytes, &name);
            match &got {
                Ok(acts) => {
                    stats.0 += 1;
                    stats.2 += acts.len();
                    stats.3 += acts.iter().map(|a| a.samples.len()).sum::<usize>();
                    for w in acts.iter().flat_map(|a| &a.warnings) {
                        warnings.insert(w.clone());
                    }
                }
                Err(e) => {
                    stats.1 += 1;
                    errors.insert(e.to_string());
                }
            }
            for (field, detail) in result_differences(&want, &got) {
                let ok = ALLOWED
                    .iter()
                    .any(|(file, f, _)| name.ends_with(file) && *f == field);
                if ok {
                    allowed += 1;
                } else {
                    failures.push(format!("{name}\t{field}\t{detail}"));
                }
            }
        }
        eprintln!(
            "{} files compared ({} read, {} errors; {} activities, {} samples), {allowed} allowed \
             differences, {} mismatches",
            files.len(),
            stats.0,
            stats.1,
            stats.2,
            stats.3,
            failures.len()
        );
        for w in &warnings {
            eprintln!("warning seen (both readers): {w}");
        }
        for e in &errors {
            eprintln!("error seen (both readers): {e}");
        }
        for f in &failures {
            eprintln!("MISMATCH\t{f}");
        }
        assert!(failures.is_empty(), "{} mismatches", failures.len());
    }

    #[test]
    fn hand_made_files_match_fitparser() {
        let ours = super::super::read;
        for big in [false, true] {
            assert!(same(&read(&activity(big), "x"), &ours(&activity(big), "x")));
        }
        let bytes = compressed_timestamps();
        assert!(same(&read(&bytes, "x"), &ours(&bytes, "x")));
    }

    #[test]
    fn fixtures_match_fitparser() {
        for (name, bytes) in fixtures() {
            assert!(
                same(&read(bytes, name), &super::super::read(bytes, name)),
                "{name}"
            );
        }
    }

    #[test]
    fn truncated_files_match_fitparser() {
        for (name, bytes) in fixtures() {
            let step = (bytes.len() / 97).max(1);
            for cut in (0..bytes.len()).step_by(step) {
                let part = &bytes[..cut];
                let got = super::super::read(part, name);
                // fitparser itself panics on some cuts (a header shorter than its size byte
                // says); compare where it does not.
                let want = std::panic::catch_unwind(|| read(part, name));
                if let Ok(want) = want {
                    assert!(same(&want, &got), "{name} cut at {cut}");
                }
            }
        }
    }

    #[test]
    fn fuzz_inputs_where_fitparser_agrees() {
        // Found by cargo-fuzz; each has a test of patella's reader in `super::tests`.
        let csd =
            include_bytes!("../../../fixtures/fuzz/fit-compressed-speed-distance-unknown-base.fit");
        assert_eq!(read(csd, "fuzz").unwrap()[0].samples.distance_m[0], 0.4375);
        let empty = include_bytes!("../../../fixtures/fuzz/fit-empty-string-field.fit");
        assert!(same(
            &read(empty, "fuzz"),
            &super::super::read(empty, "fuzz")
        ));
    }

    #[test]
    fn fitparser_stops_at_a_string_in_a_scaled_session_field() {
        // Found by cargo-fuzz: the second of two sessions holds a string in field 101, which
        // fitparser cannot scale, so it stops the whole file there (patella's reader keeps both
        // sessions). The `fit` fuzz target skips the comparison for such files.
        let bytes = include_bytes!("../../../fixtures/fuzz/fit-string-in-session-field.fit");
        let want = read(bytes, "fuzz").unwrap();
        assert_eq!(want.len(), 1);
        assert!(
            want[0]
                .warnings
                .iter()
                .any(|w| w.contains("cannot convert")),
            "{:?}",
            want[0].warnings
        );
    }

    #[test]
    fn fitparser_stops_at_an_accumulated_array_that_changes_length() {
        // Found by cargo-fuzz: a record's `cycles` array changes from 4 to 49 elements; fitparser
        // cannot add it into `total_cycles` and stops the file after one sample (patella's
        // reader keeps both). The `fit` fuzz target skips the comparison for such files.
        let bytes =
            include_bytes!("../../../fixtures/fuzz/fit-accumulated-array-changes-length.fit");
        let want = &read(bytes, "fuzz").unwrap()[0];
        assert_eq!(want.samples.len(), 1);
        assert!(
            want.warnings
                .iter()
                .any(|w| w.contains("Array lengths differ")),
            "{:?}",
            want.warnings
        );
    }

    #[test]
    fn compressed_distance_bytes() {
        // python-fitparse's compressed-speed-distance.fit: bytes [99, 65, 14] then [0, 224, 18]
        // hold 228/16 = 14.25 m and 302/16 = 18.875 m.
        let bytes = |b: [u8; 3]| Value::Array(b.iter().map(|x| Value::Byte(*x)).collect());
        assert_eq!(compressed_distance_raw(&bytes([99, 65, 14])), Some(228));
        assert_eq!(compressed_distance_raw(&bytes([0, 224, 18])), Some(302));
    }
}
