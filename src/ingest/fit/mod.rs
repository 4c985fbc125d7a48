//! FIT activities, through patella's own streaming decoder.
//!
//! [`read`] is the entry the rest of `ingest` calls: it checks the CRCs, runs the decoder over
//! the bytes once (`framing.rs`: header, record headers, definitions; `messages.rs`: the
//! messages patella uses; `value.rs`: base types, invalid markers, scale and offset), and builds
//! the activities here. Each `session` message becomes one [`Activity`] (multisport files give
//! several); a file without sessions gives one activity from its records.
//!
//! A truncated or partly corrupt file still gives the messages before the damage (with a
//! warning); a file with a bad CRC is read anyway and says so. Decoding follows fitparser's
//! semantics message for message: the tests, the benchmarks and the `fit` fuzz target compare
//! it with `reference`, a reader built on fitparser that never ships in the binary (it is
//! compiled for the unit tests and with the crate feature `reference`).

mod framing;
mod messages;
#[rustfmt::skip]
#[path = "generated/profile.rs"]
mod profile;
#[cfg(any(test, feature = "reference"))]
pub mod reference;
mod value;

use chrono::{DateTime, Utc};

use crate::ingest::error::{Position, ReadError};
use crate::model::{Activity, CadenceRule, DeviceSummary, Format, Samples, Sport, StrengthSets};
#[cfg(feature = "synth")]
pub(crate) use framing::crc16;
use framing::{check_crcs, Decoder};
use messages::{ActivityMessage, Decoded, Records, Session, SetRow};

/// Seconds from the Unix epoch to the FIT epoch, 1989-12-31T00:00:00Z.
const FIT_EPOCH_UNIX_S: i64 = 631_065_600;

/// Records may lie this far before the session's start or after its end.
const RECORD_SLACK_S: f64 = 3600.0;
/// Without a session end, records are kept for this long after the first one.
const MAX_SESSION_S: f64 = 48.0 * 3600.0;
/// A session's timer this much (or 1 %) below the activity message's is missing part of the run,
/// where the records show it ([`check_timer`]).
const TIMER_SHORT_S: f64 = 10.0;

/// Whether `bytes` starts like a FIT file (".FIT" at offset 8 of the header).
pub fn sniff(bytes: &[u8]) -> bool {
    bytes.len() >= 12 && &bytes[8..12] == b".FIT" && (bytes[0] == 12 || bytes[0] == 14)
}

/// Reads every session of a FIT file.
pub fn read(bytes: &[u8], source: &str) -> Result<Vec<Activity>, ReadError> {
    crate::ingest::keep_freed_memory();
    let warnings = check_crcs(bytes);
    let mut decoder = Decoder::new();
    let stop = decoder.run(bytes);
    activities(decoder.out, stop, source, warnings)
}

/// What stopped decoding before the end of the file.
enum Stop {
    /// The framing broke at byte `at` (the start of the header or message that could not be
    /// read).
    Framing { at: usize, detail: String },
    /// Data message `index` (counted from 0) holds a value that cannot be decoded.
    Value { index: usize, detail: String },
}

impl Stop {
    /// Where and why, for the warning of a file that stopped early.
    fn text(&self) -> String {
        match self {
            Stop::Framing { at, detail } => format!("at byte {at}: {detail}"),
            Stop::Value { detail, .. } => detail.clone(),
        }
    }

    /// The error of a file that stopped before its first message.
    fn error(self) -> ReadError {
        let (at, detail) = match self {
            Stop::Framing { at, detail } => (Position::Byte(at as u64), detail),
            Stop::Value { index, detail } => (Position::Record(index as u64), detail),
        };
        ReadError::damaged("fit decode failed", at, detail)
    }
}

/// The activities of what a decoder read (patella's or the reference): an error when decoding
/// stopped before any message, else a warning when it stopped early.
fn activities(
    decoded: Decoded,
    stop: Option<Stop>,
    source: &str,
    mut warnings: Vec<String>,
) -> Result<Vec<Activity>, ReadError> {
    if let Some(stop) = stop {
        if decoded.messages == 0 {
            return Err(stop.error());
        }
        warnings.push(format!(
            "fit decode stopped early ({}); kept the {} messages before it",
            stop.text(),
            decoded.messages
        ));
    }
    from_decoded(decoded, source, warnings)
}

fn utc(fit_s: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(fit_s.checked_add(FIT_EPOCH_UNIX_S)?, 0)
}

/// One activity per session (records split between sessions by time), or one from the records
/// when the file has no session; an error for a FIT file of another type than `activity`.
fn from_decoded(
    mut d: Decoded,
    source: &str,
    mut warnings: Vec<String>,
) -> Result<Vec<Activity>, ReadError> {
    let file_id = d.file_id.take().unwrap_or_default();
    if let Some(kind) = &file_id.kind {
        if kind != "activity" {
            return Err(ReadError::not_activity(format!("fit {kind} file")));
        }
    }
    let utc_offset = d.activity.and_then(|a| {
        let offset = a.local? - a.timestamp?;
        (offset.abs() <= 14 * 3600).then_some(offset as i32)
    });
    let mut records = std::mem::take(&mut d.records);
    records.flush();
    let mut sessions = std::mem::take(&mut d.sessions);
    fill_starts(
        &mut sessions,
        &d.lap_starts,
        &records.t,
        d.activity.as_ref(),
        &mut warnings,
    );
    sessions.retain(|s| s.start.and_then(utc).is_some());
    sessions.sort_by_key(|s| s.start);
    if let ([session], Some(activity)) = (sessions.as_mut_slice(), d.activity.as_ref()) {
        check_timer(session, activity, &records, &mut warnings);
    }
    let ctx = Context {
        source,
        utc_offset,
        device_name: file_id.device_name,
    };

    if sessions.is_empty() {
        let first = *records
            .t
            .first()
            .ok_or_else(|| ReadError::invalid("fit file has no session and no timed records"))?;
        let (sport, sub_sport) = d.sport.take().unwrap_or_default();
        warnings.push("no session message: summary computed from records only".into());
        let session = Session {
            start: Some(first),
            end_ms: None,
            sport,
            sub_sport,
            device: DeviceSummary::default(),
            cadence_raw: None,
        };
        let mut a = build(&session, &mut records, None, &ctx, warnings);
        a.device = None;
        a.strength = strength(d.sets.iter());
        return Ok(vec![a]);
    }

    if sessions.len() == 1 {
        let mut a = build(&sessions[0], &mut records, None, &ctx, warnings);
        a.strength = strength(d.sets.iter());
        return Ok(vec![a]);
    }
    // Each record and each timed set belongs to exactly one session (see `session_of`): they
    // are dealt out once, in their order, not looked through again for every session.
    let starts: Vec<i64> = sessions
        .iter()
        .map(|s| s.start.unwrap_or_default())
        .collect();
    let records_of = deal(
        records.t.iter().map(|&t| Some(session_of(&starts, t))),
        starts.len(),
    );
    let sets_of = deal(
        d.sets.iter().map(|s| s.t.map(|t| session_of(&starts, t))),
        starts.len(),
    );
    let mut out = Vec::with_capacity(sessions.len());
    for (i, session) in sessions.iter().enumerate() {
        let mut a = build(
            session,
            &mut records,
            Some(records_of.of(i)),
            &ctx,
            warnings.clone(),
        );
        a.session = i;
        a.strength = strength(sets_of.of(i).iter().map(|&k| &d.sets[k as usize]));
        out.push(a);
    }
    Ok(out)
}

/// Gives a start to each session message without `start_time` (some writers leave it out and
/// keep the rest): the first of its laps' starts, else its end less its elapsed time, else its
/// first record, else (the only session) the activity message's end less its timer. Laps and
/// records are looked for between the end of the session before it in the file and its own end.
/// One warning says where each start came from; a session given none is left without one.
fn fill_starts(
    sessions: &mut [Session],
    lap_starts: &[i64],
    record_t: &[i64],
    activity: Option<&ActivityMessage>,
    warnings: &mut Vec<String>,
) {
    let only = sessions.len() == 1;
    // Seconds, rounded, within what a FIT time can be: a value a file controls never overflows.
    let whole_s = |x: f64| {
        (x.is_finite() && (0.0..=f64::from(u32::MAX)).contains(&x)).then(|| x.round() as i64)
    };
    let mut after: Option<i64> = None;
    for s in sessions.iter_mut() {
        if s.start.is_none() {
            let until = s.end_ms.map(|e| e.div_euclid(1000));
            let within = |t: i64| after.is_none_or(|a| t >= a) && until.is_none_or(|u| t <= u);
            let found = lap_starts
                .iter()
                .copied()
                .filter(|&t| within(t))
                .min()
                .map(|t| (t, "its first lap"))
                .or_else(|| {
                    let end = s.end_ms?.div_euclid(1000);
                    Some((
                        end - whole_s(s.device.elapsed_s?)?,
                        "its end less its elapsed time",
                    ))
                })
                .or_else(|| {
                    let first = record_t.iter().copied().filter(|&t| within(t)).min()?;
                    Some((first, "its first record"))
                })
                .or_else(|| {
                    let a = activity.filter(|_| only)?;
                    let start = a.timestamp? - whole_s(a.timer_s?)?;
                    Some((start, "the activity message"))
                });
            if let Some((start, from)) = found {
                s.start = Some(start);
                if s.end_ms.is_none() {
                    s.end_ms = s
                        .device
                        .elapsed_s
                        .and_then(whole_s)
                        .map(|e| (start + e) * 1000);
                }
                warnings.push(format!(
                    "a session message has no start_time; its start is taken from {from}"
                ));
            }
        }
        after = s.end_ms.map(|e| e.div_euclid(1000)).or(s.start).or(after);
    }
}

/// The timer of the only session against the activity message's and the records: a session
/// whose own span (its elapsed time, else its end) stops short of its records, and whose timer
/// falls short of the activity's timer, which the records span, left part of the run out (a
/// Suunto file whose session lacks its final lap: 4,035 s where the activity and the records say
/// 4,961 s). "Short" is by more than [`TIMER_SHORT_S`] or 1 %. The session then takes the
/// activity's timer, the records' span from its start as its elapsed time, and the records' last
/// distance where that is further, with a warning. A session that spans its records is left
/// alone whatever the activity says (Wahoo writes the elapsed time as the activity's timer).
fn check_timer(
    session: &mut Session,
    activity: &ActivityMessage,
    records: &Records,
    warnings: &mut Vec<String>,
) {
    let (Some(timer_s), Some(activity_s), Some(start)) =
        (session.device.timer_s, activity.timer_s, session.start)
    else {
        return;
    };
    let (Some(&first), Some(&last)) = (records.t.first(), records.t.last()) else {
        return;
    };
    let short = |of: f64, than: f64| than - of > TIMER_SHORT_S.max(0.01 * than);
    let run_s = (last - start) as f64;
    let covered_s = session
        .device
        .elapsed_s
        .or_else(|| Some(session.end_ms? as f64 / 1000.0 - start as f64));
    // The records' clock counts whole seconds: a second each end.
    let spanned = (last - first) as f64 + 2.0 >= activity_s;
    if !(covered_s.is_some_and(|c| short(c, run_s)) && short(timer_s, activity_s) && spanned) {
        return;
    }
    let d = &mut session.device;
    d.timer_s = Some(activity_s);
    d.elapsed_s = Some(run_s);
    let last_distance = records
        .columns
        .distance_m
        .iter()
        .rev()
        .find(|x| x.is_finite())
        .copied();
    if let (Some(total), Some(further)) = (d.distance_m, last_distance) {
        if further > total {
            d.distance_m = Some(further);
        }
    }
    warnings.push(format!(
        "the session stops short of its records and its timer ({timer_s:.0} s) of the \
         activity's ({activity_s:.0} s), which the records span: took the activity's timer"
    ));
}

/// The session (index into `starts`, the sessions' starts in order, at least one) whose records
/// a record or set at `t` is: the last that starts at or before `t`, or the first for anything
/// before them all. Each session takes what lies from its start to the next session's start
/// (the first session: from any time; the last: to any time), so sessions that start at the
/// same second leave the earlier of them nothing.
fn session_of(starts: &[i64], t: i64) -> usize {
    starts.partition_point(|&s| s <= t).saturating_sub(1)
}

/// Indices (of records or sets) dealt out to sessions, each session's in their own order.
struct Dealt {
    /// The indices, session after session.
    indices: Vec<u32>,
    /// Where each session's indices start in `indices` (one more entry than sessions).
    starts: Vec<usize>,
}

impl Dealt {
    /// The indices session `i` was dealt, in ascending order.
    fn of(&self, i: usize) -> &[u32] {
        &self.indices[self.starts[i]..self.starts[i + 1]]
    }
}

/// Deals the items of `owners` (each the session it belongs to, or none) to `sessions` sessions
/// by counting: linear in the items and sessions.
fn deal(owners: impl Iterator<Item = Option<usize>> + Clone, sessions: usize) -> Dealt {
    let mut starts = vec![0usize; sessions + 1];
    for owner in owners.clone().flatten() {
        starts[owner + 1] += 1;
    }
    for i in 0..sessions {
        starts[i + 1] += starts[i];
    }
    let mut next = starts.clone();
    let mut indices = vec![0u32; starts[sessions]];
    for (k, owner) in owners.enumerate() {
        if let Some(owner) = owner {
            // FIT files are at most 4 GiB: fewer records than u32::MAX.
            indices[next[owner]] = k as u32;
            next[owner] += 1;
        }
    }
    Dealt { indices, starts }
}

/// The sets of a session from its `set` messages: rests left out, repetitions summed over the
/// sets that give them. `None` without any set message.
fn strength<'s>(sets: impl Iterator<Item = &'s SetRow>) -> Option<StrengthSets> {
    let mut out: Option<StrengthSets> = None;
    for set in sets {
        let sum = out.get_or_insert_with(StrengthSets::default);
        if set.rest {
            continue;
        }
        sum.sets = sum.sets.saturating_add(1);
        sum.repetitions = sum.repetitions.saturating_add(set.repetitions.unwrap_or(0));
    }
    out
}

struct Context<'a> {
    source: &'a str,
    utc_offset: Option<i32>,
    device_name: Option<String>,
}

/// The activity of `session` from its records: those at the indices `dealt` (a file of several
/// sessions), or all of them. A file of one session whose records all lie within its window
/// hands its columns over as they are (`records` is left empty); otherwise the records are
/// gathered one by one.
fn build(
    session: &Session,
    records: &mut Records,
    dealt: Option<&[u32]>,
    ctx: &Context,
    warnings: Vec<String>,
) -> Activity {
    let start_fit = session.start.unwrap_or_default();
    let start = utc(start_fit).unwrap_or_default();
    let mut a = Activity::new(ctx.source, Format::Fit, start);
    a.sport = sport_of(&session.sport, &session.sub_sport);
    a.sport_detail = if session.sub_sport.is_empty() {
        session.sport.clone()
    } else {
        format!("{}/{}", session.sport, session.sub_sport)
    };
    a.utc_offset_s = ctx.utc_offset;
    a.device_name = ctx.device_name.clone();
    a.warnings = warnings;

    let window = record_window(
        session
            .end_ms
            .map(|end| ((end - start_fit * 1000) / 1000) as f64),
        &session.device,
    );
    let t_s_of = |t: i64| ((t - start_fit) * 1000) as f64 / 1000.0;
    let (samples, raw_cadence, outside) = match dealt {
        None if records.compressed.is_empty() => {
            // In place: an i64 and an f64 take the same room.
            let t_s: Vec<f64> = std::mem::take(&mut records.t)
                .into_iter()
                .map(t_s_of)
                .collect();
            if t_s.iter().all(|t| window.contains(t)) {
                let mut samples = std::mem::take(&mut records.columns);
                samples.t_s = t_s;
                let raw_cadence = std::mem::take(&mut samples.cadence_spm);
                (samples, raw_cadence, 0)
            } else {
                gather(records, t_s.iter().copied().enumerate(), &window)
            }
        }
        None => gather(
            records,
            records.t.iter().map(|&t| t_s_of(t)).enumerate(),
            &window,
        ),
        Some(dealt) => gather(
            records,
            dealt.iter().map(|&i| {
                let i = i as usize;
                (i, t_s_of(records.t[i]))
            }),
            &window,
        ),
    };
    a.samples = samples;
    if outside > 0 {
        a.warnings.push(format!(
            "{outside} records with timestamps far outside the session were dropped"
        ));
    }

    apply_cadence_rule(&mut a, raw_cadence, session.cadence_raw, &session.device);
    a
}

/// The samples of the records `picks` gives (index and time in seconds from the session's start,
/// in the records' order) that lie within `window`, with compressed distances accumulated over
/// them: (samples with an all-NaN cadence column, the raw cadences, records outside the window).
/// `records.t` may have been taken already: `picks` gives the only time read here.
fn gather(
    records: &Records,
    picks: impl ExactSizeIterator<Item = (usize, f64)>,
    window: &std::ops::RangeInclusive<f64>,
) -> (Samples, Vec<f64>, usize) {
    // The columns are allocated once, not grown and copied.
    let kept = picks.len();
    let mut samples = Samples::default();
    samples.reserve(kept);
    let mut raw_cadence = Vec::with_capacity(kept);
    let mut outside = 0usize;
    let mut compressed = CompressedDistance::default();
    for (i, t_s) in picks {
        let (mut s, compressed_distance) = records.sample(i);
        s.t_s = t_s;
        if let Some(raw) = compressed_distance {
            s.distance_m = compressed.next(raw);
        }
        if !window.contains(&s.t_s) {
            outside += 1;
            continue;
        }
        raw_cadence.push(s.cadence_spm);
        s.cadence_spm = f64::NAN;
        samples.push(s);
    }
    (samples, raw_cadence, outside)
}

/// The seconds from a session's start within which its records are believed: the session's
/// span (its end timestamp or its elapsed or timer time, whichever is longest, since some writers
/// set the session's timestamp to its start), widened by [`RECORD_SLACK_S`] on both sides.
fn record_window(end_span_s: Option<f64>, device: &DeviceSummary) -> std::ops::RangeInclusive<f64> {
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
fn sport_of(sport: &str, sub_sport: &str) -> Sport {
    match (sport, sub_sport) {
        ("training", "strength_training") => Sport::Strength,
        ("fitness_equipment", "strength_training") => Sport::Strength,
        (s, _) => Sport::from_name(s),
    }
}

/// Accumulates `compressed_speed_distance` distances across records, handling the roll-over.
#[derive(Default)]
struct CompressedDistance {
    last_raw: Option<u16>,
    total_m: f64,
}

impl CompressedDistance {
    fn next(&mut self, raw: u16) -> f64 {
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

/// Cadence: strides per minute on foot, doubled to steps — unless the values already sit in the
/// steps range (some third-party writers store steps). Sets the cadence column, the rule and the
/// device summary (with its average cadence under the same rule).
fn apply_cadence_rule(
    a: &mut Activity,
    mut raw_cadence: Vec<f64>,
    session_cadence_raw: Option<f64>,
    session_device: &DeviceSummary,
) {
    let mut device = session_device.clone();
    if a.sport.on_foot() && raw_cadence.iter().any(|c| *c > 0.0) {
        let mut positive: Vec<f64> = raw_cadence.iter().copied().filter(|c| *c > 0.0).collect();
        // The middle value in sorted order, by selection.
        let mid = positive.len() / 2;
        let (_, &mut median, _) = positive.select_nth_unstable_by(mid, f64::total_cmp);
        let factor = if median > 130.0 {
            a.cadence_rule = CadenceRule::FitAlreadySpm;
            1.0
        } else {
            a.cadence_rule = CadenceRule::FitStridesDoubled;
            2.0
        };
        // In place, as the column with no rule is.
        a.samples.cadence_spm = raw_cadence.into_iter().map(|c| c * factor).collect();
        device.cadence_spm = session_cadence_raw.filter(|c| *c > 0.0).map(|c| c * factor);
    } else {
        if a.sport.on_foot() {
            device.cadence_spm = session_cadence_raw.filter(|c| *c > 0.0).map(|c| c * 2.0);
        }
        // No steps per minute: the column is kept, empty of values.
        raw_cadence.fill(f64::NAN);
        a.samples.cadence_spm = raw_cadence;
    }
    a.device = Some(device);
}

#[cfg(test)]
pub(super) mod tests {
    use super::messages::{
        MESG_ACTIVITY, MESG_FIELD_DESCRIPTION, MESG_FILE_ID, MESG_LAP, MESG_RECORD, MESG_SESSION,
        MESG_SET,
    };
    use super::*;
    use crate::model::Sample;

    pub(crate) fn same(
        want: &Result<Vec<Activity>, ReadError>,
        got: &Result<Vec<Activity>, ReadError>,
    ) -> bool {
        let d = reference::result_differences(want, got);
        if !d.is_empty() {
            eprintln!("{d:?}");
        }
        d.is_empty()
    }

    /// Builds FIT files by hand: definitions and data messages in either byte order.
    pub(crate) struct Builder {
        body: Vec<u8>,
        big: bool,
    }

    /// (field number, size, base type byte)
    pub(crate) type Field = (u8, u8, u8);

    impl Builder {
        pub(crate) fn new(big: bool) -> Builder {
            Builder {
                body: Vec::new(),
                big,
            }
        }

        pub(crate) fn define(&mut self, local: u8, global: u16, fields: &[Field]) {
            self.body.extend([0x40 | local, 0, self.big as u8]);
            let g = if self.big {
                global.to_be_bytes()
            } else {
                global.to_le_bytes()
            };
            self.body.extend(g);
            self.body.push(fields.len() as u8);
            for (n, size, base) in fields {
                self.body.extend([*n, *size, *base]);
            }
        }

        /// A data message; `values` are written with the field's size in the file's byte order.
        pub(crate) fn data(&mut self, header: u8, values: &[(u64, usize)]) {
            self.body.push(header);
            for (v, size) in values {
                let le = v.to_le_bytes();
                let mut b = le[..*size].to_vec();
                if self.big {
                    b.reverse();
                }
                self.body.extend(b);
            }
        }

        pub(crate) fn finish(&self) -> Vec<u8> {
            let mut out = vec![14u8, 0x20, 0x08, 0x08];
            out.extend((self.body.len() as u32).to_le_bytes());
            out.extend(b".FIT");
            let hcrc = framing::crc16(0, &out);
            out.extend(hcrc.to_le_bytes());
            out.extend(&self.body);
            let crc = framing::crc16(0, &out);
            out.extend(crc.to_le_bytes());
            out
        }
    }

    const RECORD: &[Field] = &[
        (253, 4, 0x86),
        (3, 1, 0x02),
        (2, 2, 0x84),
        (0, 4, 0x85),
        (1, 4, 0x85),
        (4, 1, 0x02),
    ];
    pub(crate) const T0: u64 = 1_000_000_000;

    pub(crate) fn activity(big: bool) -> Vec<u8> {
        let mut b = Builder::new(big);
        b.define(0, MESG_FILE_ID, &[(0, 1, 0x00), (1, 2, 0x84), (2, 2, 0x84)]);
        b.data(0, &[(4, 1), (1, 2), (2697, 2)]);
        b.define(1, MESG_RECORD, RECORD);
        let lat = (47.5f64 / (180.0 / 2f64.powi(31))) as i32 as u32 as u64;
        let lon = (8.25f64 / (180.0 / 2f64.powi(31))) as i32 as u32 as u64;
        for i in 0..3u64 {
            b.data(
                1,
                &[
                    (T0 + i, 4),
                    (140 + i, 1),
                    (2600 + i, 2),
                    (lat, 4),
                    (lon, 4),
                    (80, 1),
                ],
            );
        }
        // Invalid values: heart rate 0xFF, altitude 0xFFFF, position 0x7FFFFFFF, cadence 0xFF.
        b.data(
            1,
            &[
                (T0 + 3, 4),
                (0xFF, 1),
                (0xFFFF, 2),
                (0x7FFF_FFFF, 4),
                (0x7FFF_FFFF, 4),
                (0xFF, 1),
            ],
        );
        b.define(
            2,
            MESG_SESSION,
            &[(2, 4, 0x86), (253, 4, 0x86), (5, 1, 0x00), (9, 4, 0x86)],
        );
        b.data(2, &[(T0, 4), (T0 + 3, 4), (1, 1), (1234, 4)]);
        b.finish()
    }

    pub(crate) fn fixtures() -> Vec<(&'static str, &'static [u8])> {
        vec![
            (
                "fenix2",
                include_bytes!(
                    "../../../fixtures/fit/python-fitparse-activity-small-fenix2-run.fit"
                ),
            ),
            (
                "crc",
                include_bytes!("../../../fixtures/fit/python-fitparse-activity-filecrc.fit"),
            ),
            (
                "eof",
                include_bytes!("../../../fixtures/fit/python-fitparse-activity-unexpected-eof.fit"),
            ),
            (
                "chained",
                include_bytes!(
                    "../../../fixtures/fit/python-fitparse-activity-settings-corruptheader.fit"
                ),
            ),
            (
                "settings",
                include_bytes!("../../../fixtures/fit/python-fitparse-Settings.fit"),
            ),
            (
                "csd",
                include_bytes!(
                    "../../../fixtures/fit/python-fitparse-compressed-speed-distance.fit"
                ),
            ),
            (
                "fr645",
                include_bytes!("../../../fixtures/fit/workoutizer-run_with_coordinates.fit"),
            ),
        ]
    }

    /// What a generated run file holds beyond its records (`None` leaves a field out).
    #[derive(Clone, Copy, Default)]
    struct Run {
        /// Seconds after [`T0`] of the first and last record (one every 5 s, 10 m apart).
        records: (u64, u64),
        session_start: Option<u64>,
        session_end: Option<u64>,
        elapsed_s: Option<u64>,
        timer_s: Option<u64>,
        distance_m: Option<u64>,
        lap_start: Option<u64>,
        activity_timer_s: Option<u64>,
    }

    /// A running FIT file of `run`: records, a lap, a session and an activity message, times in
    /// seconds after [`T0`]; the invalid marker wherever `run` leaves a value out.
    fn run_file(run: Run) -> Vec<u8> {
        let t = |s: Option<u64>| s.map_or(0xFFFF_FFFF, |s| T0 + s);
        let ms = |s: Option<u64>| s.map_or(0xFFFF_FFFF, |s| s * 1000);
        let mut b = Builder::new(false);
        b.define(0, MESG_FILE_ID, &[(0, 1, 0x00)]);
        b.data(0, &[(4, 1)]);
        b.define(1, MESG_RECORD, &[(253, 4, 0x86), (5, 4, 0x86)]);
        for k in (run.records.0..=run.records.1).step_by(5) {
            b.data(1, &[(T0 + k, 4), ((k - run.records.0) * 200, 4)]);
        }
        b.define(2, MESG_LAP, &[(253, 4, 0x86), (2, 4, 0x86)]);
        b.data(2, &[(t(run.session_end), 4), (t(run.lap_start), 4)]);
        b.define(
            3,
            MESG_SESSION,
            &[
                (253, 4, 0x86),
                (2, 4, 0x86),
                (5, 1, 0x00),
                (7, 4, 0x86),
                (8, 4, 0x86),
                (9, 4, 0x86),
            ],
        );
        b.data(
            3,
            &[
                (t(run.session_end), 4),
                (t(run.session_start), 4),
                (1, 1),
                (ms(run.elapsed_s), 4),
                (ms(run.timer_s), 4),
                (run.distance_m.map_or(0xFFFF_FFFF, |d| d * 100), 4),
            ],
        );
        b.define(4, MESG_ACTIVITY, &[(253, 4, 0x86), (0, 4, 0x86)]);
        b.data(4, &[(T0 + run.records.1, 4), (ms(run.activity_timer_s), 4)]);
        b.finish()
    }

    /// The one activity of `bytes` as ingest gives it (cleaned), after both readers agree.
    fn ingested(bytes: &[u8]) -> Activity {
        assert!(same(
            &reference::read(bytes, "run.fit"),
            &read(bytes, "run.fit")
        ));
        let mut got = crate::ingest::read_bytes("run.fit", bytes, &Default::default());
        assert!(got.skipped.is_empty(), "{:?}", got.skipped);
        assert_eq!(got.activities.len(), 1);
        got.activities.remove(0)
    }

    fn fit_utc(s: u64) -> DateTime<Utc> {
        utc(T0 as i64 + s as i64).unwrap()
    }

    #[test]
    fn the_sessions_start_stands_when_the_first_record_comes_later() {
        // A pool swim's first record 78 s after the session's start (runalyze's
        // swim-fenix-50m.fit): the start is the session's, as the FIT SDK reads it.
        let a = ingested(&run_file(Run {
            records: (78, 3578),
            session_start: Some(0),
            session_end: Some(3578),
            elapsed_s: Some(3578),
            timer_s: Some(3500),
            distance_m: Some(7000),
            lap_start: Some(0),
            activity_timer_s: Some(3500),
        }));
        assert_eq!(a.start_utc, fit_utc(0));
        assert_eq!(a.samples.t_s[0], 78.0);
        assert_eq!(a.samples.t_s.last(), Some(&3578.0));
        assert!(a.warnings.is_empty(), "{:?}", a.warnings);
    }

    #[test]
    fn a_session_without_start_time_keeps_its_totals() {
        // The start from the lap; the session's distance and sport kept (they were lost with
        // "no session message" before).
        let run = Run {
            records: (10, 1210),
            session_start: None,
            session_end: Some(1210),
            elapsed_s: Some(1205),
            timer_s: Some(1200),
            distance_m: Some(4800),
            lap_start: Some(3),
            activity_timer_s: None,
        };
        let a = ingested(&run_file(run));
        assert_eq!(a.start_utc, fit_utc(3));
        assert_eq!(a.sport, Sport::Running);
        let d = a.device.as_ref().expect("the session's totals");
        assert_eq!(d.distance_m, Some(4800.0));
        assert_eq!(d.timer_s, Some(1200.0));
        assert_eq!(
            a.warnings,
            ["a session message has no start_time; its start is taken from its first lap"]
        );
        // No lap start: the session's end less its elapsed time.
        let a = ingested(&run_file(Run {
            lap_start: None,
            ..run
        }));
        assert_eq!(a.start_utc, fit_utc(5));
        assert_eq!(a.device.as_ref().unwrap().distance_m, Some(4800.0));
        // Nor an end: the first record.
        let a = ingested(&run_file(Run {
            lap_start: None,
            session_end: None,
            ..run
        }));
        assert_eq!(a.start_utc, fit_utc(10));
        assert_eq!(a.device.as_ref().unwrap().distance_m, Some(4800.0));
        assert_eq!(
            a.warnings,
            ["a session message has no start_time; its start is taken from its first record"]
        );
    }

    #[test]
    fn a_session_short_of_its_records_takes_the_activitys_timer() {
        // The session lacks its final lap (4,035 s of a 4,961 s run) where the activity message
        // and the records have it all.
        let run = Run {
            records: (0, 4960),
            session_start: Some(0),
            session_end: Some(4035),
            elapsed_s: Some(4035),
            timer_s: Some(4035),
            distance_m: Some(8_000),
            lap_start: Some(0),
            activity_timer_s: Some(4961),
        };
        let a = ingested(&run_file(run));
        let d = a.device.as_ref().unwrap();
        assert_eq!(d.timer_s, Some(4961.0));
        assert_eq!(d.elapsed_s, Some(4960.0));
        // The records' last distance: 992 steps of 10 m.
        assert_eq!(d.distance_m, Some(9_920.0));
        assert_eq!(
            a.warnings,
            [
                "the session stops short of its records and its timer (4035 s) of the activity's \
              (4961 s), which the records span: took the activity's timer"
            ]
        );
        // A session that spans its records is left alone (Wahoo writes the elapsed time as the
        // activity's timer), and so is one whose records do not reach the activity's timer.
        for other in [
            Run {
                session_end: Some(4960),
                elapsed_s: Some(4961),
                ..run
            },
            Run {
                records: (0, 4500),
                ..run
            },
        ] {
            let a = ingested(&run_file(other));
            let d = a.device.as_ref().unwrap();
            assert_eq!(d.timer_s, Some(4035.0));
            assert_eq!(d.distance_m, Some(8_000.0));
            assert!(a.warnings.is_empty(), "{:?}", a.warnings);
        }
    }

    #[test]
    fn strength_sets_are_counted_from_set_messages() {
        use crate::synth::{simulate, RunPlan};
        // 4 sets of 38 repetitions in all (10, 10, 9, 9), each followed by a rest.
        let mut a = simulate(&RunPlan {
            sport: Sport::Strength,
            duration_s: 1800.0,
            ..RunPlan::default()
        });
        a.strength = Some(StrengthSets {
            sets: 4,
            repetitions: 38,
        });
        let bytes = crate::synth::to_fit(&a);
        let got = read(&bytes, "strength.fit").unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].sport, Sport::Strength);
        assert_eq!(
            got[0].strength,
            Some(StrengthSets {
                sets: 4,
                repetitions: 38
            })
        );
        // fitparser reads the same eight set messages, four of them active.
        let recs = fitparser::from_bytes(&bytes).unwrap();
        let sets: Vec<_> = recs
            .iter()
            .filter(|r| r.kind() == fitparser::profile::MesgNum::Set)
            .collect();
        assert_eq!(sets.len(), 8);
        let active = sets
            .iter()
            .filter(|r| {
                r.fields()
                    .iter()
                    .any(|f| f.name() == "set_type" && f.value().to_string() == "active")
            })
            .count();
        assert_eq!(active, 4);
        assert!(same(&reference::read(&bytes, "strength.fit"), &Ok(got)));
        // A run has no set messages, and no sets.
        let run = crate::synth::to_fit(&simulate(&RunPlan::default()));
        assert_eq!(read(&run, "run.fit").unwrap()[0].strength, None);
    }

    /// Every record's timestamp and columns as bits (NaN is missing), and the message count of
    /// `bytes`, decoded with record plans and without.
    fn with_and_without_plans(bytes: &[u8]) -> [(usize, Vec<Vec<u64>>); 2] {
        [true, false].map(|plans| {
            let mut d = Decoder::new();
            d.plans = plans;
            d.run(bytes);
            d.out.records.flush();
            let r = &d.out.records;
            let rows = (0..r.len())
                .map(|i| {
                    let (s, compressed) = r.sample(i);
                    let mut bits = vec![r.t[i] as u64];
                    bits.extend(sample_bits(&s));
                    bits.push(compressed.map_or(u64::MAX, u64::from));
                    bits
                })
                .collect();
            (d.out.messages, rows)
        })
    }

    fn sample_bits(s: &Sample) -> [u64; 14] {
        [
            s.t_s,
            s.lat_deg,
            s.lon_deg,
            s.elevation_m,
            s.distance_m,
            s.speed_m_s,
            s.cadence_spm,
            s.heart_rate_bpm,
            s.power_w,
            s.ground_contact_s,
            s.gct_balance_left_pct,
            s.vertical_oscillation_m,
            s.vertical_ratio_pct,
            s.step_length_m,
        ]
        .map(f64::to_bits)
    }

    /// Every sample of `a` as bits, its warnings and cadence rule.
    fn activity_bits(a: &Activity) -> (Vec<[u64; 14]>, Vec<String>, CadenceRule) {
        let samples = (0..a.samples.len())
            .map(|i| sample_bits(&a.samples.get(i)))
            .collect();
        (samples, a.warnings.clone(), a.cadence_rule)
    }

    #[test]
    fn columns_handed_over_are_the_records_gathered_one_by_one() {
        // Each file's first session built from all its records, both ways: the columns moved
        // into the activity as they are, and the records gathered one by one (as a session of
        // a file of several is). The fixtures, and the corpus where it is present.
        let mut files: Vec<(String, Vec<u8>)> = fixtures()
            .into_iter()
            .map(|(n, b)| (n.to_string(), b.to_vec()))
            .collect();
        files.push(("one session".into(), activity(false)));
        if let Some(corpus) = crate::test_support::corpus_dir() {
            for p in crate::test_support::files_under(&corpus.join("fit")) {
                if p.to_string_lossy().to_lowercase().ends_with(".fit") {
                    files.push((p.display().to_string(), std::fs::read(&p).unwrap()));
                }
            }
        }
        let mut handed_over = 0;
        for (name, bytes) in &files {
            let mut d = Decoder::new();
            d.run(bytes);
            let Some(session) = d.out.sessions.first() else {
                continue;
            };
            let ctx = Context {
                source: name,
                utc_offset: None,
                device_name: None,
            };
            let mut moved = std::mem::take(&mut d.out.records);
            moved.flush();
            let mut copy = moved.clone();
            let all: Vec<u32> = (0..copy.len() as u32).collect();
            let gathered = build(session, &mut copy, Some(&all), &ctx, Vec::new());
            let whole = build(session, &mut moved, None, &ctx, Vec::new());
            let columns = |r: &Records| r.columns.heart_rate_bpm.len();
            handed_over += usize::from(columns(&moved) == 0 && columns(&copy) > 0);
            assert_eq!(activity_bits(&whole), activity_bits(&gathered), "{name}");
        }
        assert!(handed_over > 0, "no file took the columns over");
    }

    #[test]
    fn record_plans_read_what_the_general_path_reads() {
        // Fields of every base type a plan reads, and some it leaves to the general path
        // (signed or 32-bit altitude and speed, an array, a field defined twice), in both byte
        // orders, with valid, invalid and zero values.
        let layouts: [&[Field]; 4] = [
            &[
                (253, 4, 0x86),
                (2, 2, 0x8B),
                (6, 2, 0x84),
                (3, 1, 0x0A),
                (4, 1, 0x00),
                (53, 1, 0x02),
                (5, 4, 0x8C),
                (7, 2, 0x83),
                (0, 4, 0x85),
                (1, 4, 0x85),
                (39, 4, 0x88),
                (41, 8, 0x89),
                (73, 4, 0x86),
                (78, 4, 0x86),
                (83, 1, 0x01),
                (84, 1, 0x0D),
                (85, 2, 0x84),
            ],
            &[(253, 4, 0x86), (2, 2, 0x83), (6, 4, 0x86), (3, 1, 0x02)],
            &[(253, 4, 0x86), (3, 2, 0x02), (4, 1, 0x02), (5, 4, 0x86)],
            &[(253, 4, 0x86), (3, 1, 0x02), (3, 1, 0x02), (5, 4, 0x86)],
        ];
        for big in [false, true] {
            let mut b = Builder::new(big);
            b.define(0, MESG_FILE_ID, &[(0, 1, 0x00)]);
            b.data(0, &[(4, 1)]);
            for (local, fields) in layouts.iter().enumerate() {
                let local = local as u8 + 1;
                b.define(local, MESG_RECORD, fields);
                for i in 0..6u64 {
                    let values: Vec<(u64, usize)> = fields
                        .iter()
                        .enumerate()
                        .map(|(k, &(n, size, _))| {
                            let size = size as usize;
                            let v = match (n, i) {
                                (253, _) => T0 + i,
                                (_, 0) => 0,
                                (_, 1) => u64::MAX,
                                (_, 2) => 0x7F,
                                (_, 3) => 0x7FFF,
                                _ => 1000 + 37 * k as u64 + i,
                            };
                            (v, size)
                        })
                        .collect();
                    b.data(local, &values);
                }
            }
            let file = b.finish();
            let [planned, general] = with_and_without_plans(&file);
            assert_eq!(planned.1.len(), 24, "every record read");
            assert_eq!(planned, general, "big-endian: {big}");
            // The first layout's six records are read by a plan, the others by the general
            // path.
            let mut d = Decoder::new();
            d.run(&file);
            assert_eq!(d.out.planned, 6);
        }
        // And every fixture decodes to the same rows both ways.
        for (name, bytes) in fixtures() {
            let [planned, general] = with_and_without_plans(bytes);
            assert_eq!(planned, general, "{name}");
        }
    }

    #[test]
    fn both_byte_orders_give_the_same_activity() {
        let little = read(&activity(false), "x");
        let big = read(&activity(true), "x");
        assert!(same(&little, &big));
        let a = &big.unwrap()[0];
        assert_eq!(a.sport, Sport::Running);
        assert_eq!(a.device_name.as_deref(), Some("garmin:fenix5"));
        assert_eq!(a.samples.len(), 4);
        assert_eq!(a.samples.heart_rate_bpm[..3], [140.0, 141.0, 142.0]);
        assert!((a.samples.lat_deg[0] - 47.5).abs() < 1e-6);
        assert_eq!(a.samples.elevation_m[0], 2600.0 / 5.0 - 500.0);
        assert_eq!(a.device.as_ref().unwrap().distance_m, Some(12.34));
    }

    #[test]
    fn invalid_values_are_missing() {
        let a = &read(&activity(false), "x").unwrap()[0];
        let s = a.samples.get(3);
        assert_eq!(s.t_s, 3.0);
        for v in [
            s.heart_rate_bpm,
            s.elevation_m,
            s.lat_deg,
            s.lon_deg,
            s.cadence_spm,
        ] {
            assert!(v.is_nan(), "{s:?}");
        }
    }

    /// A record timestamped in full, then four with compressed-timestamp headers.
    pub(crate) fn compressed_timestamps() -> Vec<u8> {
        let mut b = Builder::new(false);
        b.define(0, MESG_FILE_ID, &[(0, 1, 0x00)]);
        b.data(0, &[(4, 1)]);
        // A full timestamp whose low five bits are 30, then compressed headers (local 1).
        let t0 = (T0 & !31) + 30;
        b.define(1, MESG_RECORD, &[(253, 4, 0x86), (3, 1, 0x02)]);
        b.data(1, &[(t0, 4), (100, 1)]);
        b.define(1, MESG_RECORD, &[(3, 1, 0x02)]);
        for (offset, hr) in [(31u8, 101u64), (3, 102), (3, 103), (10, 104)] {
            b.data(0x80 | (1 << 5) | offset, &[(hr, 1)]);
        }
        b.finish()
    }

    #[test]
    fn compressed_timestamps_count_from_the_last_full_one() {
        let got = read(&compressed_timestamps(), "x").unwrap();
        // 30 → 31 (+1), → 3 rolls over (+4), → 3 again (+0), → 10 (+7).
        assert_eq!(got[0].samples.t_s, [0.0, 1.0, 5.0, 5.0, 12.0]);
    }

    #[test]
    fn field_defined_twice_keeps_the_last_valid_value() {
        // Found by cargo-fuzz: a record definition that defines position_lat three times and
        // position_long twice, the later definitions empty. fitparser stores only valid values,
        // each over the one before, so the 4-byte definitions give the position.
        let bytes = include_bytes!("../../../fixtures/fuzz/fit-field-defined-twice.fit");
        let a = &read(bytes, "fuzz").unwrap()[0];
        assert_eq!(a.samples.lat_deg[0], 0.0);
        assert_eq!(a.samples.lon_deg[0], 19.478759765625);
    }

    #[test]
    fn compressed_speed_distance_of_an_unknown_base_type_is_read_as_bytes() {
        // Found by cargo-fuzz: `compressed_speed_distance` defined with base type 0x11, which
        // fitparser reads as uint8 elements and expands all the same (7/16 m here).
        let bytes =
            include_bytes!("../../../fixtures/fuzz/fit-compressed-speed-distance-unknown-base.fit");
        let a = &read(bytes, "fuzz").unwrap()[0];
        assert_eq!(a.samples.distance_m[0], 0.4375);
    }

    #[test]
    fn a_string_field_of_size_zero_is_absent() {
        // Found by cargo-fuzz: position_lat defined again, later in the same definition, as a
        // string of 0 bytes. fitparser never reads it, so the first definition's value stays.
        let bytes = include_bytes!("../../../fixtures/fuzz/fit-empty-string-field.fit");
        let a = &read(bytes, "fuzz").unwrap()[0];
        assert_eq!(a.samples.lat_deg[0], -256.0 * 180.0 / 2f64.powi(31));
        assert_eq!(a.samples.lon_deg[0], 73.0 * 180.0 / 2f64.powi(31));
    }

    #[test]
    fn a_string_in_a_session_field_never_read_does_not_stop_decoding() {
        // Found by cargo-fuzz: the second of two sessions holds a string in field 101, which
        // fitparser cannot scale (it stops the whole file there); that field is never read here,
        // and both sessions are kept.
        let bytes = include_bytes!("../../../fixtures/fuzz/fit-string-in-session-field.fit");
        assert_eq!(read(bytes, "fuzz").unwrap().len(), 2);
    }

    #[test]
    fn an_accumulated_array_that_changes_length_does_not_stop_decoding() {
        // Found by cargo-fuzz: records whose `cycles` array (accumulated into `total_cycles`)
        // holds 4 elements in one record and 49 in the next. `cycles` is never read here, so
        // both samples are kept up to where the (truncated) file breaks.
        let bytes =
            include_bytes!("../../../fixtures/fuzz/fit-accumulated-array-changes-length.fit");
        assert_eq!(read(bytes, "fuzz").unwrap()[0].samples.len(), 2);
    }

    #[test]
    fn enhanced_altitude_field_wins_over_altitude_component() {
        // Found by cargo-fuzz: a record with `enhanced_altitude` and, after it, a 1-byte
        // `altitude`. fitparser names both the field and altitude's component
        // `enhanced_altitude`, in random order; the field itself is taken here.
        let a = &read(
            include_bytes!("../../../fixtures/fuzz/fit-altitude-after-enhanced-altitude.fit"),
            "fuzz",
        )
        .unwrap()[0];
        assert_eq!(a.samples.len(), 1);
        assert_eq!(a.samples.elevation_m[0], 2_097_152_000.0 / 5.0 - 500.0);
    }

    #[test]
    fn bit_flips_never_panic() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for (name, bytes) in fixtures() {
            for _ in 0..40 {
                let mut copy = bytes.to_vec();
                for _ in 0..1 + next() % 8 {
                    let i = (next() % copy.len() as u64) as usize;
                    copy[i] ^= 1 << (next() % 8);
                }
                let cut = copy.len() - (next() % 64) as usize % copy.len();
                let _ = read(&copy[..cut], name);
            }
        }
        assert!(read(b"", "empty").is_err());
        assert!(read(&[14], "one byte").is_err());
    }

    #[test]
    fn a_file_cut_in_its_first_message_says_at_which_byte() {
        // The 12-byte header is whole, the definition after it is not.
        let bytes = include_bytes!("../../../fixtures/fit/python-fitparse-activity-filecrc.fit");
        let err = read(&bytes[..20], "cut").unwrap_err();
        assert_eq!(err.position(), Some(Position::Byte(12)));
        assert_eq!(
            err.to_string(),
            "fit decode failed at byte 12: parser error: requires 1 more bytes"
        );
    }

    #[test]
    fn a_message_without_its_definition_says_at_which_byte() {
        // A data message of local type 5, never defined, right after the 14-byte header.
        let mut b = Builder::new(false);
        b.data(5, &[(1, 1)]);
        let err = read(&b.finish(), "x").unwrap_err();
        assert_eq!(err.position(), Some(Position::Byte(14)));
        assert_eq!(
            err.to_string(),
            "fit decode failed at byte 14: no definition found for local message number 5 at \
             position 0xe"
        );
    }

    #[test]
    fn a_value_that_cannot_be_decoded_says_in_which_message() {
        // A field_description whose developer_data_index is a uint16: its first data message.
        let mut b = Builder::new(false);
        let fields = [(0, 2, 0x84), (1, 1, 0x02), (2, 1, 0x02)];
        b.define(0, MESG_FIELD_DESCRIPTION, &fields);
        b.data(0, &[(0, 2), (0, 1), (0x84, 1)]);
        let err = read(&b.finish(), "x").unwrap_err();
        assert_eq!(err.position(), Some(Position::Record(0)));
        assert_eq!(
            err.to_string(),
            "fit decode failed at record 0: value error: developer_data_index must be u8"
        );
    }

    #[test]
    fn compressed_distance_rolls_over() {
        // python-fitparse's compressed-speed-distance.fit: 228/16 = 14.25 m, then
        // 302/16 = 18.875 m (its expected-values CSV agrees).
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
            include_bytes!("../../../fixtures/fit/python-fitparse-activity-small-fenix2-run.fit"),
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
            include_bytes!("../../../fixtures/fit/python-fitparse-activity-filecrc.fit"),
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
            include_bytes!("../../../fixtures/fit/python-fitparse-activity-unexpected-eof.fit"),
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
                "../../../fixtures/fit/python-fitparse-activity-settings-corruptheader.fit"
            ),
            "chained",
        );
        assert_eq!(a.samples.len(), 14);
        assert!(!a.warnings.is_empty());
    }

    #[test]
    fn settings_file_is_not_an_activity() {
        let err = read(
            include_bytes!("../../../fixtures/fit/python-fitparse-Settings.fit"),
            "settings",
        )
        .unwrap_err();
        assert_eq!(err, ReadError::not_activity("fit settings file"));
    }

    #[test]
    fn compressed_speed_distance_file() {
        let a = read_fixture(
            include_bytes!("../../../fixtures/fit/python-fitparse-compressed-speed-distance.fit"),
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
            include_bytes!("../../../fixtures/fit/workoutizer-run_with_coordinates.fit"),
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
            include_bytes!("../../../fixtures/fit/python-fitparse-activity-filecrc.fit").to_vec();
        bytes.truncate(20);
        assert!(read(&bytes, "cut").is_err());
        for i in (14..bytes.len()).step_by(3) {
            bytes[i] ^= 0x5a;
        }
        let _ = read(&bytes, "flipped");
    }

    #[test]
    fn records_and_sets_are_dealt_as_a_look_through_every_session_finds() {
        // Starts on a grid of 10 s (some sessions at the same second), times before, between, at
        // and after them in no order, some items without a time.
        let mut rng = crate::synth::Rng::new(11);
        let mut emptied = 0;
        for sessions in [1usize, 2, 3, 7, 40] {
            let mut starts: Vec<i64> = (0..sessions)
                .map(|_| 100 + 10 * (rng.next_u64() % 20) as i64)
                .collect();
            starts.sort_unstable();
            let times: Vec<Option<i64>> = (0..500)
                .map(|k| (k % 13 != 0).then(|| 90 + (rng.next_u64() % 230) as i64))
                .collect();
            let dealt = deal(
                times.iter().map(|t| t.map(|t| session_of(&starts, t))),
                sessions,
            );
            for (i, &start) in starts.iter().enumerate() {
                // The look through every item for each session that dealing replaced.
                let next = starts.get(i + 1);
                let want: Vec<u32> = (0..times.len() as u32)
                    .filter(|&k| {
                        times[k as usize]
                            .is_some_and(|t| (i == 0 || t >= start) && next.is_none_or(|&n| t < n))
                    })
                    .collect();
                assert_eq!(dealt.of(i), want, "{sessions} sessions, session {i}");
                emptied += usize::from(want.is_empty());
            }
        }
        assert!(emptied > 0, "some session starts with the next one");
    }

    #[test]
    fn each_session_takes_the_records_and_sets_from_its_start_to_the_next() {
        // Sessions starting at T0 + 100, 200 and 200 again; records and sets in no order.
        let mut b = Builder::new(false);
        b.define(0, MESG_FILE_ID, &[(0, 1, 0x00)]);
        b.data(0, &[(4, 1)]);
        b.define(1, MESG_RECORD, &[(253, 4, 0x86), (3, 1, 0x02)]);
        for (dt, hr) in [
            (50, 101),
            (150, 102),
            (250, 103),
            (100, 104),
            (200, 105),
            (120, 106),
        ] {
            b.data(1, &[(T0 + dt, 4), (hr, 1)]);
        }
        // set: start_time, repetitions, set_type (1 active, 0 rest); one with no time at all.
        b.define(2, MESG_SET, &[(6, 4, 0x86), (3, 2, 0x84), (5, 1, 0x00)]);
        for (dt, reps, active) in [(210, 3, 1), (110, 5, 1), (220, 0xFFFF, 0)] {
            b.data(2, &[(T0 + dt, 4), (reps, 2), (active, 1)]);
        }
        b.define(3, MESG_SET, &[(3, 2, 0x84), (5, 1, 0x00)]);
        b.data(3, &[(7, 2), (1, 1)]);
        b.define(4, MESG_SESSION, &[(2, 4, 0x86), (5, 1, 0x00)]);
        for dt in [100, 200, 200] {
            b.data(4, &[(T0 + dt, 4), (1, 1)]);
        }
        let got = read(&b.finish(), "three.fit").unwrap();
        // Each activity's session, times, heart rates and sets.
        type Seen = (usize, Vec<f64>, Vec<f64>, Option<StrengthSets>);
        let seen: Vec<Seen> = got
            .iter()
            .map(|a| {
                let s = &a.samples;
                (
                    a.session,
                    s.t_s.clone(),
                    s.heart_rate_bpm.clone(),
                    a.strength,
                )
            })
            .collect();
        let sets = |sets, repetitions| Some(StrengthSets { sets, repetitions });
        assert_eq!(
            seen,
            [
                // The first session also takes what lies before it.
                (
                    0,
                    vec![-50.0, 50.0, 0.0, 20.0],
                    vec![101.0, 102.0, 104.0, 106.0],
                    sets(1, 5)
                ),
                // Starting when the next one starts, the second takes nothing.
                (1, vec![], vec![], None),
                (2, vec![50.0, 0.0], vec![103.0, 105.0], sets(1, 3)),
            ]
        );
    }

    #[test]
    fn sport_names() {
        assert_eq!(sport_of("running", "trail"), Sport::Running);
        assert_eq!(sport_of("training", "strength_training"), Sport::Strength);
        assert_eq!(sport_of("cycling", "road"), Sport::Cycling);
        assert_eq!(sport_of("transition", ""), Sport::Other);
    }
}
