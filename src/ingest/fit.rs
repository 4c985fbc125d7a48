//! FIT activities through `fitparser`, the reference decoder.
//!
//! The file is decoded as a stream, so a truncated or partly corrupt file still gives the messages
//! before the damage (with a warning). CRCs are checked here, not by the decoder, so a file with a
//! bad CRC is read anyway and says so. Each `session` message becomes one [`Activity`]
//! (multisport files give several); a file without sessions gives one activity from its records.
//!
//! fitparser hands timestamps out as `DateTime<Local>`. They are turned into UTC at once, and the
//! `local_timestamp` of the `activity` message, which fitparser anchors at the machine zone's
//! 1989-12-31 midnight, is turned back into its raw value so that the result never depends on the
//! machine's zone.

use chrono::{DateTime, Local, NaiveDate, TimeZone, Utc};
use fitparser::de::{DecodeOption, FitObject, FitStreamProcessor};
use fitparser::profile::MesgNum;
use fitparser::{FitDataRecord, Value};

use crate::ingest::error::{one_line, ReadError};
#[cfg(test)]
use crate::model::Samples;
use crate::model::{Activity, CadenceRule, DeviceSummary, Format, Sample, Sport};

/// Seconds from the Unix epoch to the FIT epoch, 1989-12-31T00:00:00Z.
pub(crate) const FIT_EPOCH_UNIX_S: i64 = 631_065_600;

/// Records may lie this far before the session's start or after its end.
pub(crate) const RECORD_SLACK_S: f64 = 3600.0;
/// Without a session end, records are kept for this long after the first one.
pub(crate) const MAX_SESSION_S: f64 = 48.0 * 3600.0;

/// Whether `bytes` starts like a FIT file (".FIT" at offset 8 of the header).
pub fn sniff(bytes: &[u8]) -> bool {
    bytes.len() >= 12 && &bytes[8..12] == b".FIT" && (bytes[0] == 12 || bytes[0] == 14)
}

/// Reads every session of a FIT file.
pub fn read(bytes: &[u8], source: &str) -> Result<Vec<Activity>, ReadError> {
    let mut warnings = check_crcs(bytes);
    let (records, decode_error) = decode(bytes);
    if let Some(e) = decode_error {
        if records.is_empty() {
            return Err(ReadError::invalid(format!("fit decode failed: {e}")));
        }
        warnings.push(format!(
            "fit decode stopped early ({e}); kept the {} messages before it",
            records.len()
        ));
    }
    from_records(&records, source, warnings)
}

/// Decodes as far as the bytes allow: the messages read, and the error that stopped decoding.
fn decode(bytes: &[u8]) -> (Vec<FitDataRecord>, Option<String>) {
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
                        Err(e) => return (records, Some(one_line(&e.to_string()))),
                    },
                    FitObject::Header(_) | FitObject::DefinitionMessage(_) => {}
                }
                rest = next;
            }
            Err(e) => {
                let offset = bytes.len() - rest.len();
                return (
                    records,
                    Some(format!("at byte {offset}: {}", one_line(&e.to_string()))),
                );
            }
        }
    }
    (records, None)
}

/// FIT CRC-16 (the FIT SDK's nibble table).
pub(crate) fn crc16(mut crc: u16, bytes: &[u8]) -> u16 {
    const TABLE: [u16; 16] = [
        0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401, 0xA001, 0x6C00, 0x7800,
        0xB401, 0x5000, 0x9C01, 0x8801, 0x4400,
    ];
    for &b in bytes {
        let mut tmp = TABLE[(crc & 0xF) as usize];
        crc = (crc >> 4) & 0x0FFF;
        crc = crc ^ tmp ^ TABLE[(b & 0xF) as usize];
        tmp = TABLE[(crc & 0xF) as usize];
        crc = (crc >> 4) & 0x0FFF;
        crc = crc ^ tmp ^ TABLE[((b >> 4) & 0xF) as usize];
    }
    crc
}

/// Checks the file CRC of each chained FIT file in `bytes`; returns a warning per mismatch or
/// per file that ends before its header says it should.
pub(crate) fn check_crcs(bytes: &[u8]) -> Vec<String> {
    check_crcs_with(bytes, crc16)
}

/// [`check_crcs`] with the CRC computed by `crc` (the streaming decoder uses a faster table).
pub(crate) fn check_crcs_with(bytes: &[u8], crc: fn(u16, &[u8]) -> u16) -> Vec<String> {
    let mut warnings = Vec::new();
    let mut at = 0usize;
    let mut index = 0usize;
    while at + 12 <= bytes.len() {
        let header = &bytes[at..];
        if !sniff(header) {
            if index > 0 {
                warnings.push(format!(
                    "{} trailing bytes after chained file {index} are not a FIT header",
                    bytes.len() - at
                ));
            }
            break;
        }
        let header_len = header[0] as usize;
        let data_len = u32::from_le_bytes([header[4], header[5], header[6], header[7]]) as usize;
        let end = at + header_len + data_len;
        if end + 2 > bytes.len() {
            warnings.push(format!(
                "file is truncated: header promises {} bytes, {} present",
                header_len + data_len + 2,
                bytes.len() - at
            ));
            break;
        }
        let stored = u16::from_le_bytes([bytes[end], bytes[end + 1]]);
        let computed = crc(0, &bytes[at..end]);
        if stored != computed {
            warnings.push(format!(
                "file CRC mismatch (stored {stored:#06x}, computed {computed:#06x}); read anyway"
            ));
        }
        at = end + 2;
        index += 1;
    }
    warnings
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

fn instant(v: &Value) -> Option<DateTime<Utc>> {
    match v {
        Value::Timestamp(t) => Some(t.with_timezone(&Utc)),
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

/// A session as the file states it.
struct Session {
    start: DateTime<Utc>,
    end: Option<DateTime<Utc>>,
    sport: String,
    sub_sport: String,
    device: DeviceSummary,
    /// Raw strides-per-minute average (for on-foot sports, doubled later).
    cadence_raw: Option<f64>,
}

fn session_of(rec: &FitDataRecord) -> Option<Session> {
    let start = field(rec, "start_time").and_then(instant)?;
    let elapsed = field_num(rec, "total_elapsed_time");
    let end = field(rec, "timestamp")
        .and_then(instant)
        .or_else(|| elapsed.map(|e| start + chrono::Duration::milliseconds((e * 1000.0) as i64)));
    let cadence_raw = first_num(rec, &["avg_running_cadence", "avg_cadence"])
        .map(|c| c + field_num(rec, "avg_fractional_cadence").unwrap_or(0.0));
    Some(Session {
        start,
        end,
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
    })
}

/// The seconds from a session's start within which its records are believed: the session's
/// span (its end timestamp or its elapsed or timer time, whichever is longest, since some writers
/// set the session's timestamp to its start), widened by [`RECORD_SLACK_S`] on both sides.
pub(crate) fn record_window(
    end_span_s: Option<f64>,
    device: &DeviceSummary,
) -> std::ops::RangeInclusive<f64> {
    let span_s = [end_span_s, device.elapsed_s, device.timer_s]
        .into_iter()
        .flatten()
        .filter(|s| *s > 0.0)
        .fold(None, |acc: Option<f64>, s| {
            Some(acc.map_or(s, |a| a.max(s)))
        })
        .unwrap_or(MAX_SESSION_S);
    -RECORD_SLACK_S..=span_s + RECORD_SLACK_S
}

/// Maps FIT sport and sub-sport names to a [`Sport`].
pub(crate) fn sport_of(sport: &str, sub_sport: &str) -> Sport {
    match (sport, sub_sport) {
        ("training", "strength_training") => Sport::Strength,
        ("fitness_equipment", "strength_training") => Sport::Strength,
        (s, _) => Sport::from_name(s),
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

/// Accumulates `compressed_speed_distance` distances across records, handling the roll-over.
#[derive(Default)]
pub(crate) struct CompressedDistance {
    last_raw: Option<u16>,
    total_m: f64,
}

impl CompressedDistance {
    pub(crate) fn next(&mut self, raw: u16) -> f64 {
        if let Some(last) = self.last_raw {
            let delta = (raw.wrapping_sub(last)) & 0x0FFF;
            self.total_m += delta as f64 / 16.0;
        } else {
            self.total_m = raw as f64 / 16.0;
        }
        self.last_raw = Some(raw);
        self.total_m
    }
}

fn sample_of(rec: &FitDataRecord, start: DateTime<Utc>) -> Option<(Sample, f64)> {
    let t = field(rec, "timestamp").and_then(instant)?;
    let semicircle = 180.0 / 2f64.powi(31);
    let mut s = Sample {
        t_s: (t - start).num_milliseconds() as f64 / 1000.0,
        ..Sample::default()
    };
    let lat = field_num(rec, "position_lat").map(|v| v * semicircle);
    let lon = field_num(rec, "position_long").map(|v| v * semicircle);
    if let (Some(lat), Some(lon)) = (lat, lon) {
        // (0, 0) is what some writers put for "no fix"; nobody runs there.
        let plausible = lat.abs() <= 90.0 && lon.abs() <= 180.0 && (lat != 0.0 || lon != 0.0);
        if plausible {
            s.lat_deg = lat;
            s.lon_deg = lon;
        }
    }
    let set = |slot: &mut f64, v: Option<f64>| {
        if let Some(v) = v {
            *slot = v;
        }
    };
    set(
        &mut s.elevation_m,
        first_num(rec, &["enhanced_altitude", "altitude"]),
    );
    set(&mut s.distance_m, field_num(rec, "distance"));
    set(
        &mut s.speed_m_s,
        first_num(rec, &["enhanced_speed", "speed"]),
    );
    set(&mut s.heart_rate_bpm, field_num(rec, "heart_rate"));
    set(&mut s.power_w, field_num(rec, "power"));
    set(
        &mut s.ground_contact_s,
        field_num(rec, "stance_time").map(|ms| ms / 1000.0),
    );
    set(
        &mut s.gct_balance_left_pct,
        field_num(rec, "stance_time_balance"),
    );
    set(
        &mut s.vertical_oscillation_m,
        field_num(rec, "vertical_oscillation").map(|mm| mm / 1000.0),
    );
    set(&mut s.vertical_ratio_pct, field_num(rec, "vertical_ratio"));
    set(
        &mut s.step_length_m,
        field_num(rec, "step_length").map(|mm| mm / 1000.0),
    );
    // Raw cadence (strides or revolutions per minute); the rule is applied per activity.
    let cadence = field_num(rec, "cadence")
        .map(|c| c + field_num(rec, "fractional_cadence").unwrap_or(0.0))
        .unwrap_or(f64::NAN);
    Some((s, cadence))
}

fn file_type(records: &[FitDataRecord]) -> Option<String> {
    records
        .iter()
        .find(|r| r.kind() == MesgNum::FileId)
        .and_then(|r| field(r, "type"))
        .and_then(text)
}

fn device_name(records: &[FitDataRecord]) -> Option<String> {
    let rec = records.iter().find(|r| r.kind() == MesgNum::FileId)?;
    let manufacturer = field(rec, "manufacturer")
        .and_then(text)
        .unwrap_or_default();
    let product = ["garmin_product", "favero_product", "product"]
        .iter()
        .find_map(|n| field(rec, n).and_then(text))
        .unwrap_or_default();
    (!manufacturer.is_empty() || !product.is_empty()).then(|| format!("{manufacturer}:{product}"))
}

/// The local offset from the `activity` message: `local_timestamp − timestamp`.
fn utc_offset(records: &[FitDataRecord]) -> Option<i32> {
    let rec = records.iter().find(|r| r.kind() == MesgNum::Activity)?;
    let utc = field(rec, "timestamp").and_then(instant)?;
    let local_raw = field(rec, "local_timestamp").and_then(raw_local_seconds)?;
    let offset = local_raw - (utc.timestamp() - FIT_EPOCH_UNIX_S);
    // Real offsets lie within ±14 h; anything else is a writer's garbage.
    (offset.abs() <= 14 * 3600).then_some(offset as i32)
}

fn from_records(
    records: &[FitDataRecord],
    source: &str,
    warnings: Vec<String>,
) -> Result<Vec<Activity>, ReadError> {
    if let Some(kind) = file_type(records) {
        if kind != "activity" {
            return Err(ReadError::not_activity(format!("fit {kind} file")));
        }
    }
    let mut sessions: Vec<Session> = records
        .iter()
        .filter(|r| r.kind() == MesgNum::Session)
        .filter_map(session_of)
        .collect();
    sessions.sort_by_key(|s| s.start);
    let record_msgs: Vec<&FitDataRecord> = records
        .iter()
        .filter(|r| r.kind() == MesgNum::Record)
        .collect();
    let mut warnings = warnings;

    if sessions.is_empty() {
        // No session: one activity from the records, sport from a `sport` message if any.
        let first = record_msgs
            .iter()
            .find_map(|r| field(r, "timestamp").and_then(instant))
            .ok_or_else(|| ReadError::invalid("fit file has no session and no timed records"))?;
        let sport_msg = records.iter().find(|r| r.kind() == MesgNum::Sport);
        let sport = sport_msg
            .and_then(|r| field(r, "sport"))
            .and_then(text)
            .unwrap_or_default();
        let sub_sport = sport_msg
            .and_then(|r| field(r, "sub_sport"))
            .and_then(text)
            .unwrap_or_default();
        warnings.push("no session message: summary computed from records only".into());
        sessions.push(Session {
            start: first,
            end: None,
            sport,
            sub_sport,
            device: DeviceSummary::default(),
            cadence_raw: None,
        });
        let mut a = build(&sessions[0], &record_msgs, records, source, warnings);
        a.device = None;
        return Ok(vec![a]);
    }

    let many = sessions.len() > 1;
    let mut out = Vec::with_capacity(sessions.len());
    for (i, session) in sessions.iter().enumerate() {
        let recs: Vec<&FitDataRecord> = if many {
            let next_start = sessions.get(i + 1).map(|s| s.start);
            record_msgs
                .iter()
                .copied()
                .filter(|r| {
                    let Some(t) = field(r, "timestamp").and_then(instant) else {
                        return false;
                    };
                    (i == 0 || t >= session.start) && next_start.is_none_or(|n| t < n)
                })
                .collect()
        } else {
            record_msgs.clone()
        };
        let mut a = build(session, &recs, records, source, warnings.clone());
        a.session = i;
        out.push(a);
    }
    Ok(out)
}

fn build(
    session: &Session,
    recs: &[&FitDataRecord],
    all: &[FitDataRecord],
    source: &str,
    warnings: Vec<String>,
) -> Activity {
    let mut a = Activity::new(source, Format::Fit, session.start);
    a.sport = sport_of(&session.sport, &session.sub_sport);
    a.sport_detail = if session.sub_sport.is_empty() {
        session.sport.clone()
    } else {
        format!("{}/{}", session.sport, session.sub_sport)
    };
    a.utc_offset_s = utc_offset(all);
    a.device_name = device_name(all);
    a.warnings = warnings;

    // Records far outside the session are corrupt timestamps (seen after a decoding error).
    let window = record_window(
        session
            .end
            .map(|end| (end - session.start).num_seconds() as f64),
        &session.device,
    );
    let mut raw_cadence = Vec::with_capacity(recs.len());
    let mut outside = 0usize;
    let mut compressed = CompressedDistance::default();
    for rec in recs {
        if let Some((mut s, cad)) = sample_of(rec, session.start) {
            if let Some(raw) =
                field(rec, "compressed_speed_distance").and_then(compressed_distance_raw)
            {
                s.distance_m = compressed.next(raw);
            }
            if !window.contains(&s.t_s) {
                outside += 1;
                continue;
            }
            a.samples.push(s);
            raw_cadence.push(cad);
        }
    }
    if outside > 0 {
        a.warnings.push(format!(
            "{outside} records with timestamps far outside the session were dropped"
        ));
    }

    apply_cadence_rule(&mut a, &raw_cadence, session.cadence_raw, &session.device);
    a
}

/// Cadence: strides per minute on foot, doubled to steps — unless the values already sit in the
/// steps range (some third-party writers store steps). Sets the cadence column, the rule and the
/// device summary (with its average cadence under the same rule).
pub(crate) fn apply_cadence_rule(
    a: &mut Activity,
    raw_cadence: &[f64],
    session_cadence_raw: Option<f64>,
    session_device: &DeviceSummary,
) {
    let mut device = session_device.clone();
    if a.sport.on_foot() && raw_cadence.iter().any(|c| *c > 0.0) {
        let mut positive: Vec<f64> = raw_cadence.iter().copied().filter(|c| *c > 0.0).collect();
        positive.sort_by(f64::total_cmp);
        let median = positive[positive.len() / 2];
        let factor = if median > 130.0 {
            a.cadence_rule = CadenceRule::FitAlreadySpm;
            1.0
        } else {
            a.cadence_rule = CadenceRule::FitStridesDoubled;
            2.0
        };
        a.samples.cadence_spm = raw_cadence.iter().map(|c| c * factor).collect();
        device.cadence_spm = session_cadence_raw.filter(|c| *c > 0.0).map(|c| c * factor);
    } else if a.sport.on_foot() {
        device.cadence_spm = session_cadence_raw.filter(|c| *c > 0.0).map(|c| c * 2.0);
    }
    a.device = Some(device);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_of_known_bytes() {
        // The FIT SDK's CRC over a 12-byte header, checked against python fitdecode's value for
        // the same bytes: header CRCs of well-formed files must verify.
        let header = [
            14u8, 16, 0x34, 0x08, 0x5c, 0x01, 0, 0, b'.', b'F', b'I', b'T',
        ];
        let crc = crc16(0, &header);
        // Appending the CRC itself (little-endian) must give zero.
        let mut with = header.to_vec();
        with.extend_from_slice(&crc.to_le_bytes());
        assert_eq!(crc16(0, &with), 0);
    }

    #[test]
    fn compressed_distance_rolls_over() {
        // python-fitparse's compressed-speed-distance.fit: bytes [99, 65, 14] then [0, 224, 18]
        // hold 228/16 = 14.25 m and 302/16 = 18.875 m (its expected-values CSV agrees).
        let bytes = |b: [u8; 3]| Value::Array(b.iter().map(|x| Value::Byte(*x)).collect());
        assert_eq!(compressed_distance_raw(&bytes([99, 65, 14])), Some(228));
        assert_eq!(compressed_distance_raw(&bytes([0, 224, 18])), Some(302));
        let mut acc = CompressedDistance::default();
        assert_eq!(acc.next(228), 14.25);
        assert_eq!(acc.next(302), 18.875);
        // 4090 → 10 wraps at 4096: 16 sixteenths further, one metre.
        acc.next(4090);
        let before = acc.total_m;
        assert_eq!(acc.next(10) - before, 1.0);
    }

    #[test]
    fn sniff_needs_the_signature() {
        assert!(!sniff(b"<?xml version"));
        assert!(!sniff(&[14, 16, 0, 0, 0, 0, 0, 0, b'.', b'F', b'I', b'X']));
        assert!(sniff(&[14, 16, 0, 0, 0, 0, 0, 0, b'.', b'F', b'I', b'T']));
    }

    fn read_fixture(bytes: &[u8], name: &str) -> Activity {
        let mut acts = read(bytes, name).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(acts.len(), 1, "{name}");
        acts.remove(0)
    }

    #[test]
    fn garmin_fenix2_run_with_dynamics() {
        // Values cross-checked with python fitdecode (corpus MANIFEST): 2809 records, session
        // 9.01 km and 64 m of ascent, HRM-Run dynamics.
        let a = read_fixture(
            include_bytes!("../../fixtures/fit/python-fitparse-activity-small-fenix2-run.fit"),
            "fenix2",
        );
        assert_eq!(a.sport, Sport::Running);
        assert_eq!(a.device_name.as_deref(), Some("garmin:fenix2"));
        assert_eq!(a.samples.len(), 2809);
        assert_eq!(a.start_utc.to_rfc3339(), "2015-08-15T14:45:08+00:00");
        // activity.local_timestamp says the watch was two hours ahead of UTC.
        assert_eq!(a.utc_offset_s, Some(7200));
        assert_eq!(a.cadence_rule, CadenceRule::FitStridesDoubled);
        let dev = a.device.as_ref().unwrap();
        assert!((dev.distance_m.unwrap() - 9008.2).abs() < 0.1);
        assert_eq!(dev.ascent_m, Some(64.0));
        // Session average 81 strides/min is 162 steps/min.
        assert_eq!(dev.cadence_spm, Some(162.0));
        // Running dynamics arrive in SI units: stance time in s, oscillation in m.
        let median = |col: &[f64]| {
            let mut v: Vec<f64> = col.iter().copied().filter(|x| !x.is_nan()).collect();
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        let gct = median(&a.samples.ground_contact_s);
        assert!((0.2..0.35).contains(&gct), "{gct}");
        let vo = median(&a.samples.vertical_oscillation_m);
        assert!((0.05..0.15).contains(&vo), "{vo}");
        assert!(a.warnings.is_empty(), "{:?}", a.warnings);
    }

    #[test]
    fn bad_crc_is_read_anyway_with_a_warning() {
        // fitdecode: "read crc: 45525; expected crc: 41429".
        let a = read_fixture(
            include_bytes!("../../fixtures/fit/python-fitparse-activity-filecrc.fit"),
            "crc",
        );
        assert_eq!(a.samples.len(), 14);
        assert_eq!(
            a.warnings,
            ["file CRC mismatch (stored 0xb1d5, computed 0xa1d5); read anyway"]
        );
    }

    #[test]
    fn truncated_file_keeps_what_was_read() {
        let a = read_fixture(
            include_bytes!("../../fixtures/fit/python-fitparse-activity-unexpected-eof.fit"),
            "eof",
        );
        assert_eq!(a.sport, Sport::Running);
        assert!(!a.samples.is_empty());
        assert!(
            a.warnings.iter().any(|w| w.contains("truncated")),
            "{:?}",
            a.warnings
        );
    }

    #[test]
    fn corrupt_chained_header_keeps_the_first_file() {
        let a = read_fixture(
            include_bytes!(
                "../../fixtures/fit/python-fitparse-activity-settings-corruptheader.fit"
            ),
            "chained",
        );
        assert_eq!(a.samples.len(), 14);
        assert!(!a.warnings.is_empty());
    }

    #[test]
    fn settings_file_is_not_an_activity() {
        let err = read(
            include_bytes!("../../fixtures/fit/python-fitparse-Settings.fit"),
            "settings",
        )
        .unwrap_err();
        assert_eq!(err, ReadError::not_activity("fit settings file"));
    }

    #[test]
    fn compressed_speed_distance_file() {
        let a = read_fixture(
            include_bytes!("../../fixtures/fit/python-fitparse-compressed-speed-distance.fit"),
            "csd",
        );
        // The upstream expected values end at 10248.6875 m; fitparser's own expansion would
        // give 93 km.
        let last = a
            .samples
            .distance_m
            .iter()
            .rev()
            .find(|d| !d.is_nan())
            .unwrap();
        assert_eq!(*last, 10248.6875);
    }

    #[test]
    fn partial_gps_keeps_the_distance_field() {
        // Forerunner 645: 1945 records, GPS in only 349 of them.
        let a = read_fixture(
            include_bytes!("../../fixtures/fit/workoutizer-run_with_coordinates.fit"),
            "fr645",
        );
        let fixes = a.samples.lat_deg.iter().filter(|v| !v.is_nan()).count();
        assert_eq!((a.samples.len(), fixes), (1945, 349));
        assert!(Samples::has(&a.samples.distance_m));
        assert_eq!(a.cadence_rule, CadenceRule::FitStridesDoubled);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(read(b"", "empty").is_err());
        let mut bytes =
            include_bytes!("../../fixtures/fit/python-fitparse-activity-filecrc.fit").to_vec();
        bytes.truncate(20);
        assert!(read(&bytes, "cut").is_err());
        for i in (14..bytes.len()).step_by(3) {
            bytes[i] ^= 0x5a;
        }
        let _ = read(&bytes, "flipped");
    }

    #[test]
    fn sport_names() {
        assert_eq!(sport_of("running", "trail"), Sport::Running);
        assert_eq!(sport_of("training", "strength_training"), Sport::Strength);
        assert_eq!(sport_of("cycling", "road"), Sport::Cycling);
        assert_eq!(sport_of("transition", ""), Sport::Other);
    }
}
