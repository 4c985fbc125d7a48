//! A small FIT activity encoder: file_id, timer events, 1 Hz records, strength sets, laps,
//! session, activity.
//! Field numbers follow the FIT profile (checked against fitparser's generated profile).

use chrono::{DateTime, Utc};

use super::{laps, stats, Stats};
use crate::ingest::fit::crc16;
use crate::model::{Activity, Samples, Sport};

/// Seconds from the Unix epoch to the FIT epoch, 1989-12-31T00:00:00Z.
const FIT_EPOCH_UNIX: i64 = 631_065_600;
const PROFILE_VERSION: u16 = 2132;
const SERIAL_NUMBER: i64 = 3_912_345_678;

/// FIT base types used here.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Ty {
    Enum,
    U8,
    U16,
    U32,
    S32,
    U32z,
}

impl Ty {
    /// (base type code, size, invalid value, lowest valid, highest valid).
    fn spec(self) -> (u8, usize, i64, i64, i64) {
        match self {
            Ty::Enum => (0x00, 1, 0xFF, 0, 0xFE),
            Ty::U8 => (0x02, 1, 0xFF, 0, 0xFE),
            Ty::U16 => (0x84, 2, 0xFFFF, 0, 0xFFFE),
            Ty::S32 => (0x85, 4, 0x7FFF_FFFF, -0x7FFF_FFFF, 0x7FFF_FFFE),
            Ty::U32 => (0x86, 4, 0xFFFF_FFFF, 0, 0xFFFF_FFFE),
            Ty::U32z => (0x8C, 4, 0, 1, 0xFFFF_FFFF),
        }
    }
}

/// A message layout bound to a local message type.
struct Def {
    local: u8,
    fields: Vec<(u8, Ty)>,
}

/// One value per field of a [`Def`]: `None` writes the field's invalid value.
type Row = Vec<Option<i64>>;

struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    fn define(&mut self, local: u8, global: u16, fields: &[(u8, Ty)]) -> Def {
        self.buf.extend([0x40 | local, 0, 0]);
        self.buf.extend(global.to_le_bytes());
        self.buf.push(fields.len() as u8);
        for &(num, ty) in fields {
            let (code, size, ..) = ty.spec();
            self.buf.extend([num, size as u8, code]);
        }
        Def {
            local,
            fields: fields.to_vec(),
        }
    }

    fn write(&mut self, def: &Def, row: &[Option<i64>]) {
        self.buf.push(def.local);
        for (i, &(_, ty)) in def.fields.iter().enumerate() {
            let (_, size, invalid, lo, hi) = ty.spec();
            let v = match row.get(i).copied().flatten() {
                Some(v) if (lo..=hi).contains(&v) => v,
                _ => invalid,
            };
            self.buf.extend(&(v as u64).to_le_bytes()[..size]);
        }
    }
}

/// Scales a value as FIT stores it (`(v + offset) * scale`, rounded); `None` for NaN.
fn fx(v: f64, scale: f64, offset: f64) -> Option<i64> {
    let x = ((v + offset) * scale).round();
    (x.is_finite() && x.abs() < 9.0e15).then_some(x as i64)
}

fn opt(v: Option<f64>, scale: f64) -> Option<i64> {
    v.and_then(|v| fx(v, scale, 0.0))
}

fn fit_time(t: DateTime<Utc>) -> i64 {
    t.timestamp() - FIT_EPOCH_UNIX
}

/// Degrees to semicircles.
fn semicircles(deg: f64) -> Option<i64> {
    fx(deg, 2_147_483_648.0 / 180.0, 0.0)
}

/// Cadence in steps/min as FIT's (strides/min, 1/128ths of a stride).
fn strides(spm: Option<f64>) -> (Option<i64>, Option<i64>) {
    match spm.and_then(|c| fx(c / 2.0, 128.0, 0.0)) {
        Some(x) if x >= 0 => (Some(x / 128), Some(x % 128)),
        _ => (None, None),
    }
}

/// FIT `sport` and `sub_sport` values.
fn fit_sport(sport: Sport) -> (i64, i64) {
    match sport {
        Sport::Running => (1, 0),
        Sport::Cycling => (2, 0),
        Sport::Swimming => (5, 0),
        Sport::Strength => (10, 20),
        Sport::Walking => (11, 0),
        Sport::Hiking => (17, 0),
        Sport::Other => (0, 0),
    }
}

/// The sport words a FIT reader would report for `sport`.
pub(crate) fn sport_detail(sport: Sport) -> String {
    match sport {
        Sport::Strength => "training/strength_training".to_string(),
        Sport::Other => "generic".to_string(),
        s => s.as_str().to_string(),
    }
}

/// Encodes an activity as a FIT activity file (protocol 2.0). Columns that hold no value are
/// left out of the record definition; single missing values are written as FIT invalid values.
/// Laps are one per kilometre (or one for a session without distance); the `activity` message
/// carries `local_timestamp` from `utc_offset_s`.
pub fn to_fit(a: &Activity) -> Vec<u8> {
    to_fit_timed(a, None)
}

/// [`to_fit`], with the session's timer and elapsed time `session_s` where given (else the
/// samples' span): a watch whose clock jumped mid-run still times the run itself.
pub fn to_fit_timed(a: &Activity, session_s: Option<f64>) -> Vec<u8> {
    let s = &a.samples;
    let n = s.len();
    let start = fit_time(a.start_utc);
    let ts = |i: usize| {
        let t = s.t_s.get(i).copied().unwrap_or(0.0);
        fx(t, 1.0, 0.0).map(|t| start + t)
    };
    let end = if n > 0 {
        ts(n - 1).unwrap_or(start)
    } else {
        start
    };
    let (sport, sub_sport) = fit_sport(a.sport);
    let mut w = Writer { buf: Vec::new() };

    let file_id = w.define(
        0,
        0,
        &[
            (0, Ty::Enum),
            (1, Ty::U16),
            (2, Ty::U16),
            (3, Ty::U32z),
            (4, Ty::U32),
        ],
    );
    w.write(
        &file_id,
        &[
            Some(4),
            Some(255),
            Some(0),
            Some(SERIAL_NUMBER),
            Some(start),
        ],
    );

    // event: timestamp, event (0 timer), event_type (0 start, 4 stop_all), data, event_group.
    let event = w.define(
        1,
        21,
        &[
            (253, Ty::U32),
            (0, Ty::Enum),
            (1, Ty::Enum),
            (3, Ty::U32),
            (4, Ty::U8),
        ],
    );
    w.write(&event, &[Some(start), Some(0), Some(0), Some(0), Some(0)]);

    let mut fields = vec![(253, Ty::U32)];
    let gps = s.has_gps();
    if gps {
        fields.extend([(0, Ty::S32), (1, Ty::S32)]);
    }
    let cols: [(bool, u8, Ty); 5] = [
        (Samples::has(&s.distance_m), 5, Ty::U32),
        (Samples::has(&s.speed_m_s), 73, Ty::U32),
        (Samples::has(&s.elevation_m), 78, Ty::U32),
        (Samples::has(&s.heart_rate_bpm), 3, Ty::U8),
        (Samples::has(&s.cadence_spm), 4, Ty::U8),
    ];
    fields.extend(cols.iter().filter(|c| c.0).map(|c| (c.1, c.2)));
    if cols[4].0 {
        fields.push((53, Ty::U8));
    }
    let record = w.define(2, 20, &fields);
    for i in 0..n {
        let (cad, frac) = strides(Some(s.cadence_spm[i]));
        let row: Row = fields
            .iter()
            .map(|&(num, _)| match num {
                253 => ts(i),
                0 => semicircles(s.lat_deg[i]),
                1 => semicircles(s.lon_deg[i]),
                5 => fx(s.distance_m[i], 100.0, 0.0),
                73 => fx(s.speed_m_s[i], 1000.0, 0.0),
                78 => fx(s.elevation_m[i], 5.0, 500.0),
                3 => fx(s.heart_rate_bpm[i], 1.0, 0.0),
                4 => cad,
                _ => frac,
            })
            .collect();
        w.write(&record, &row);
    }
    w.write(&event, &[Some(end), Some(0), Some(4), Some(0), Some(0)]);

    // set (225), for a strength session: timestamp 254, duration 0 (ms), repetitions 3,
    // set_type 5 (1 active, 0 rest), start_time 6; each active set is followed by a rest, the
    // session split evenly between them, the repetitions as even as they divide.
    if let Some(st) = a.strength.filter(|st| st.sets > 0) {
        let set = w.define(
            6,
            225,
            &[
                (254, Ty::U32),
                (0, Ty::U32),
                (3, Ty::U16),
                (5, Ty::Enum),
                (6, Ty::U32),
            ],
        );
        let slots = 2 * i64::from(st.sets);
        let slot_s = ((end - start) / slots).max(1);
        for k in 0..slots {
            let begin = start + k * slot_s;
            let active = k % 2 == 0;
            let index = k / 2;
            let reps = i64::from(st.repetitions / st.sets)
                + i64::from(u32::try_from(index).unwrap_or(u32::MAX) < st.repetitions % st.sets);
            w.write(
                &set,
                &[
                    Some(begin + slot_s),
                    Some(slot_s * 1000),
                    active.then_some(reps),
                    Some(i64::from(active)),
                    Some(begin),
                ],
            );
        }
    }

    // Fields shared by lap (19) and session (18), which number them differently.
    let totals = |st: &Stats, first: usize| -> Vec<Option<i64>> {
        let (cad, frac) = strides(st.cadence_spm);
        vec![
            ts(first),
            fx(st.timer_s, 1000.0, 0.0),
            fx(st.timer_s, 1000.0, 0.0),
            opt(st.distance_m, 100.0),
            opt(st.hr_bpm, 1.0),
            cad,
            frac,
            opt(st.ascent_m, 1.0),
            opt(st.descent_m, 1.0),
            Some(sport),
            Some(sub_sport),
        ]
    };
    let shared = |f: [u8; 10]| {
        vec![
            (254, Ty::U16),
            (253, Ty::U32),
            (0, Ty::Enum),
            (1, Ty::Enum),
            (f[0], Ty::U32),
            (f[1], Ty::U32),
            (f[2], Ty::U32),
            (f[3], Ty::U32),
            (f[4], Ty::U8),
            (f[5], Ty::U8),
            (f[6], Ty::U8),
            (f[7], Ty::U16),
            (f[8], Ty::U16),
            (f[9], Ty::Enum),
        ]
    };
    // lap: start_time 2, elapsed 7, timer 8, distance 9, avg_heart_rate 15, avg_cadence 17,
    // avg_fractional_cadence 80, ascent 21, descent 22, sport 25, sub_sport 39, trigger 24.
    let mut lap_fields = shared([2, 7, 8, 9, 15, 17, 80, 21, 22, 25]);
    lap_fields.extend([(39, Ty::Enum), (24, Ty::Enum), (23, Ty::Enum)]);
    let lap = w.define(3, 19, &lap_fields);
    let bounds = laps(s);
    for (k, &(first, last)) in bounds.iter().enumerate() {
        let st = stats(s, first, last);
        let trigger = if k + 1 < bounds.len() { 2 } else { 7 };
        let mut row = vec![Some(k as i64), ts(last), Some(9), Some(1)];
        row.extend(totals(&st, first));
        row.extend([Some(trigger), Some(0)]);
        w.write(&lap, &row);
    }

    // session: start_time 2, elapsed 7, timer 8, distance 9, avg_heart_rate 16,
    // avg_(running_)cadence 18, avg_fractional_cadence 92, ascent 22, descent 23, sport 5,
    // sub_sport 6, first_lap_index 25, num_laps 26, trigger 28.
    let mut session_fields = shared([2, 7, 8, 9, 16, 18, 92, 22, 23, 5]);
    session_fields.extend([(6, Ty::Enum), (25, Ty::U16), (26, Ty::U16), (28, Ty::Enum)]);
    let session = w.define(4, 18, &session_fields);
    let mut st = stats(s, 0, n.saturating_sub(1));
    if let Some(timer_s) = session_s {
        st.timer_s = timer_s;
    }
    let mut row = vec![Some(0), Some(end), Some(8), Some(1)];
    row.extend(totals(&st, 0));
    row.extend([Some(0), Some(bounds.len() as i64), Some(0)]);
    w.write(&session, &row);

    // activity: timestamp, total_timer_time, num_sessions, type (0 manual), event (26 activity),
    // event_type (1 stop), local_timestamp.
    let activity = w.define(
        5,
        34,
        &[
            (253, Ty::U32),
            (0, Ty::U32),
            (1, Ty::U16),
            (2, Ty::Enum),
            (3, Ty::Enum),
            (4, Ty::Enum),
            (5, Ty::U32),
        ],
    );
    let local = a.utc_offset_s.map(|o| end + i64::from(o));
    w.write(
        &activity,
        &[
            Some(end),
            fx(st.timer_s, 1000.0, 0.0),
            Some(1),
            Some(0),
            Some(26),
            Some(1),
            local,
        ],
    );

    framed(&w.buf)
}

/// A FIT file of another type than `activity` (`file_type` as the profile numbers it: 2
/// settings, 15 and 32 monitoring, 28 monitoring_daily), as a watch writes beside its
/// activities: its `file_id`, then one `monitoring` message (55) of a timestamp and a step
/// count, as monitoring files hold them by the hundred.
pub fn non_activity_fit(file_type: u8, at: DateTime<Utc>) -> Vec<u8> {
    let mut w = Writer { buf: Vec::new() };
    let file_id = w.define(
        0,
        0,
        &[(0, Ty::Enum), (1, Ty::U16), (3, Ty::U32z), (4, Ty::U32)],
    );
    let t = fit_time(at);
    w.write(
        &file_id,
        &[
            Some(i64::from(file_type)),
            Some(1),
            Some(SERIAL_NUMBER),
            Some(t),
        ],
    );
    let monitoring = w.define(1, 55, &[(253, Ty::U32), (3, Ty::U32)]);
    w.write(&monitoring, &[Some(t), Some(1_234)]);
    framed(&w.buf)
}

/// A FIT file around its records: the 14-byte header and the CRC of the whole.
fn framed(records: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(records.len() + 16);
    out.extend([14u8, 0x20]);
    out.extend(PROFILE_VERSION.to_le_bytes());
    out.extend((records.len() as u32).to_le_bytes());
    out.extend(b".FIT");
    let header_crc = crc16(0, &out);
    out.extend(header_crc.to_le_bytes());
    out.extend(records);
    let crc = crc16(0, &out);
    out.extend(crc.to_le_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::{simulate, RunPlan};
    use chrono::TimeZone;
    use fitparser::profile::MesgNum;
    use fitparser::{FitDataRecord, Value};

    fn field<'a>(r: &'a FitDataRecord, name: &str) -> Option<&'a Value> {
        r.fields()
            .iter()
            .find(|f| f.name() == name)
            .map(|f| f.value())
    }

    fn num(r: &FitDataRecord, name: &str) -> f64 {
        match field(r, name) {
            Some(Value::Timestamp(t)) => t.timestamp() as f64,
            Some(v) => {
                let x: Result<f64, _> = v.clone().try_into();
                x.unwrap_or_else(|_| panic!("{name}: {v:?}"))
            }
            None => panic!("{name} missing in {:?}", r.kind()),
        }
    }

    fn text(r: &FitDataRecord, name: &str) -> String {
        field(r, name).map(|v| v.to_string()).unwrap_or_default()
    }

    fn plan() -> RunPlan {
        RunPlan {
            start_utc: Utc.with_ymd_and_hms(2025, 3, 4, 11, 45, 0).unwrap(),
            utc_offset_s: -5 * 3600,
            distance_m: 3200.0,
            climb_m: 40.0,
            seed: 7,
            ..RunPlan::default()
        }
    }

    #[test]
    fn run_round_trips_through_fitparser() {
        let a = simulate(&plan());
        let bytes = to_fit(&a);
        assert_eq!(bytes, to_fit(&a), "deterministic");
        let recs = fitparser::from_bytes(&bytes).expect("decodes with CRC checks");
        let of = |k: MesgNum| recs.iter().filter(move |r| r.kind() == k);
        let fid = of(MesgNum::FileId).next().unwrap();
        assert_eq!(text(fid, "type"), "activity");
        assert_eq!(text(fid, "manufacturer"), "development");
        assert_eq!(num(fid, "time_created"), a.start_utc.timestamp() as f64);

        let s = &a.samples;
        let records: Vec<_> = of(MesgNum::Record).collect();
        assert_eq!(records.len(), s.len());
        let semi = 180.0 / 2_147_483_648.0;
        for (i, r) in records.iter().enumerate() {
            assert_eq!(
                num(r, "timestamp"),
                a.start_utc.timestamp() as f64 + s.t_s[i]
            );
            assert!((num(r, "position_lat") * semi - s.lat_deg[i]).abs() < 1e-7);
            assert!((num(r, "position_long") * semi - s.lon_deg[i]).abs() < 1e-7);
            assert!((num(r, "distance") - s.distance_m[i]).abs() < 1e-6);
            assert!((num(r, "enhanced_speed") - s.speed_m_s[i]).abs() < 1e-6);
            assert!((num(r, "enhanced_altitude") - s.elevation_m[i]).abs() < 1e-6);
            assert_eq!(num(r, "heart_rate"), s.heart_rate_bpm[i]);
            let spm = 2.0 * (num(r, "cadence") + num(r, "fractional_cadence"));
            assert_eq!(spm, s.cadence_spm[i]);
        }
        let dev = a.device.clone().unwrap();
        let laps: Vec<_> = of(MesgNum::Lap).collect();
        assert_eq!(laps.len(), 4);
        let lap_sum: f64 = laps.iter().map(|l| num(l, "total_distance")).sum();
        assert!((lap_sum - 3200.0).abs() < 1e-6);
        assert_eq!(num(laps[0], "start_time"), a.start_utc.timestamp() as f64);
        assert!(num(laps[0], "avg_running_cadence") > 80.0);

        let ses = of(MesgNum::Session).next().unwrap();
        assert_eq!(text(ses, "sport"), "running");
        assert_eq!(num(ses, "start_time"), a.start_utc.timestamp() as f64);
        assert_eq!(num(ses, "total_timer_time"), dev.timer_s.unwrap());
        assert_eq!(num(ses, "total_elapsed_time"), dev.elapsed_s.unwrap());
        assert_eq!(num(ses, "total_distance"), 3200.0);
        assert_eq!(num(ses, "total_ascent"), dev.ascent_m.unwrap());
        assert_eq!(num(ses, "total_descent"), dev.descent_m.unwrap());
        let cad = 2.0 * (num(ses, "avg_running_cadence") + num(ses, "avg_fractional_cadence"));
        assert_eq!(cad, dev.cadence_spm.unwrap());
        assert_eq!(num(ses, "num_laps"), 4.0);

        let act = of(MesgNum::Activity).next().unwrap();
        let end = a.start_utc.timestamp() as f64 + s.t_s[s.len() - 1];
        assert_eq!(num(act, "timestamp"), end);
        assert_eq!(num(act, "num_sessions"), 1.0);
        assert_eq!(text(act, "event"), "activity");
        // local_timestamp decodes as a time: its distance from timestamp is the offset.
        assert_eq!(num(act, "local_timestamp") - end, -5.0 * 3600.0);
        assert_eq!(of(MesgNum::Event).count(), 2);
    }

    #[test]
    fn strength_is_training_without_gps() {
        let a = simulate(&RunPlan {
            sport: Sport::Strength,
            duration_s: 600.0,
            ..plan()
        });
        let recs = fitparser::from_bytes(&to_fit(&a)).unwrap();
        let ses = recs.iter().find(|r| r.kind() == MesgNum::Session).unwrap();
        assert_eq!(text(ses, "sport"), "training");
        assert_eq!(text(ses, "sub_sport"), "strength_training");
        assert!(field(ses, "total_distance").is_none());
        assert_eq!(num(ses, "total_timer_time"), 600.0);
        let rec = recs.iter().find(|r| r.kind() == MesgNum::Record).unwrap();
        assert!(field(rec, "position_lat").is_none());
        assert!(field(rec, "distance").is_none());
        assert!(field(rec, "heart_rate").is_some());
    }

    #[test]
    fn missing_values_are_invalid_and_empty_activity_encodes() {
        let mut a = simulate(&plan());
        a.samples.heart_rate_bpm[3] = f64::NAN;
        a.samples.lat_deg[4] = f64::NAN;
        a.samples.lon_deg[4] = f64::NAN;
        let recs = fitparser::from_bytes(&to_fit(&a)).unwrap();
        let records: Vec<_> = recs
            .iter()
            .filter(|r| r.kind() == MesgNum::Record)
            .collect();
        assert!(field(records[3], "heart_rate").is_none());
        assert!(field(records[4], "position_lat").is_none());
        let empty = crate::model::Activity::new("", crate::model::Format::Fit, a.start_utc);
        assert!(fitparser::from_bytes(&to_fit(&empty)).is_ok());
    }
}
