//! A purpose-built streaming FIT decoder with the semantics of [`crate::ingest::fit`].
//!
//! One pass over the bytes: definitions live in a fixed array of 16 slots, data messages are read
//! field by field at offsets computed once per definition, and only the fields patella uses are
//! decoded (the rest are skipped by size). Records become compact rows in one growing `Vec`; no
//! allocation happens per record.
//!
//! The framing follows fitparser's deserializer step by step (its position bookkeeping, chained
//! files, the "bytes needed" of a truncated message), so that a damaged file stops at the same
//! message with the same warning as the fitparser-based reader. Value rules follow fitparser too:
//! invalid sentinels per base type, arrays read by their first element, component expansion of
//! `altitude`, `speed` and `compressed_speed_distance`, compressed-timestamp headers relative to
//! the last full timestamp, developer fields skipped by size (and used under a profile name only
//! when no profile field of that name is present, as fitparser's name lookup does).

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::ingest::error::ReadError;
use crate::ingest::fit::{sport_of, CompressedDistance, FIT_EPOCH_UNIX_S};
use crate::model::{Activity, DeviceSummary, Format, Sample};

/// Global message numbers used here.
const MESG_FILE_ID: u16 = 0;
const MESG_SPORT: u16 = 12;
const MESG_SESSION: u16 = 18;
const MESG_RECORD: u16 = 20;
const MESG_ACTIVITY: u16 = 34;
const MESG_FIELD_DESCRIPTION: u16 = 206;

const FIELD_TIMESTAMP: u8 = 253;

/// Manufacturers whose `product` is a `garmin_product` (fitparser's sub-field rule).
const GARMIN_LIKE: [i64; 4] = [1, 15, 13, 89];
const FAVERO: i64 = 263;

// ---------------------------------------------------------------------------------------------
// Base types and raw values
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Base {
    Enum,
    S8,
    U8,
    S16,
    U16,
    S32,
    U32,
    Str,
    F32,
    F64,
    U8z,
    U16z,
    U32z,
    Byte,
    S64,
    U64,
    U64z,
    /// Any other base type byte: read as one `uint8` per byte, like fitparser.
    Unknown,
}

impl Base {
    fn from_byte(b: u8) -> Base {
        match b {
            0x00 => Base::Enum,
            0x01 => Base::S8,
            0x02 => Base::U8,
            0x83 => Base::S16,
            0x84 => Base::U16,
            0x85 => Base::S32,
            0x86 => Base::U32,
            0x07 => Base::Str,
            0x88 => Base::F32,
            0x89 => Base::F64,
            0x0A => Base::U8z,
            0x8B => Base::U16z,
            0x8C => Base::U32z,
            0x0D => Base::Byte,
            0x8E => Base::S64,
            0x8F => Base::U64,
            0x90 => Base::U64z,
            _ => Base::Unknown,
        }
    }

    fn from_name(name: &str) -> Base {
        names::FIT_BASE_TYPE
            .iter()
            .find(|(_, n)| *n == name)
            .map_or(Base::Unknown, |(v, _)| Base::from_byte(*v as u8))
    }

    fn size(self) -> usize {
        match self {
            Base::S16 | Base::U16 | Base::U16z => 2,
            Base::S32 | Base::U32 | Base::F32 | Base::U32z => 4,
            Base::F64 | Base::S64 | Base::U64 | Base::U64z => 8,
            _ => 1,
        }
    }
}

/// The first element of a field's value.
#[derive(Clone, Copy, Debug, PartialEq)]
enum First {
    /// An invalid element inside an array (fitparser's `Value::Invalid`).
    Invalid,
    /// An integer: its value as i64 (fitparser's `try_into::<i64>`) and as f64.
    Int(i64, f64),
    Float(f64),
    /// A string (its text is only read where needed).
    Str,
}

/// A field as fitparser would hold it: present or stripped as invalid, scalar or array, and its
/// first element.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Raw {
    present: bool,
    array: bool,
    first: First,
}

const ABSENT: Raw = Raw {
    present: false,
    array: false,
    first: First::Invalid,
};

fn rd<const N: usize>(data: &[u8], big: bool) -> Option<[u8; N]> {
    let mut out: [u8; N] = data.get(..N)?.try_into().ok()?;
    if big {
        out.reverse();
    }
    Some(out)
}

/// One element at the start of `data`: whether it is valid, and its value.
#[inline]
fn element(data: &[u8], base: Base, big: bool) -> (bool, First) {
    let int = |i: i64, f: f64| First::Int(i, f);
    match base {
        Base::Enum | Base::U8 | Base::Unknown => match data.first() {
            Some(&b) => (b != 0xFF, int(b as i64, b as f64)),
            None => (false, First::Invalid),
        },
        Base::Byte => match data.first() {
            Some(&b) => (b != 0xFF, int(b as i64, b as f64)),
            None => (false, First::Invalid),
        },
        Base::U8z => match data.first() {
            Some(&b) => (b != 0, int(b as i64, b as f64)),
            None => (false, First::Invalid),
        },
        Base::S8 => match data.first() {
            Some(&b) => (b != 0x7F, int(b as i8 as i64, b as i8 as f64)),
            None => (false, First::Invalid),
        },
        Base::S16 => match rd::<2>(data, big) {
            Some(b) => {
                let v = i16::from_le_bytes(b);
                (v != 0x7FFF, int(v as i64, v as f64))
            }
            None => (false, First::Invalid),
        },
        Base::U16 | Base::U16z => match rd::<2>(data, big) {
            Some(b) => {
                let v = u16::from_le_bytes(b);
                let ok = if base == Base::U16 {
                    v != 0xFFFF
                } else {
                    v != 0
                };
                (ok, int(v as i64, v as f64))
            }
            None => (false, First::Invalid),
        },
        Base::S32 => match rd::<4>(data, big) {
            Some(b) => {
                let v = i32::from_le_bytes(b);
                (v != 0x7FFF_FFFF, int(v as i64, v as f64))
            }
            None => (false, First::Invalid),
        },
        Base::U32 | Base::U32z => match rd::<4>(data, big) {
            Some(b) => {
                let v = u32::from_le_bytes(b);
                let ok = if base == Base::U32 {
                    v != 0xFFFF_FFFF
                } else {
                    v != 0
                };
                (ok, int(v as i64, v as f64))
            }
            None => (false, First::Invalid),
        },
        Base::S64 => match rd::<8>(data, big) {
            Some(b) => {
                let v = i64::from_le_bytes(b);
                (v != i64::MAX, int(v, v as f64))
            }
            None => (false, First::Invalid),
        },
        Base::U64 | Base::U64z => match rd::<8>(data, big) {
            Some(b) => {
                let v = u64::from_le_bytes(b);
                let ok = if base == Base::U64 {
                    v != u64::MAX
                } else {
                    v != 0
                };
                (ok, int(v as i64, v as f64))
            }
            None => (false, First::Invalid),
        },
        Base::F32 => match rd::<4>(data, big) {
            Some(b) => {
                let v = f32::from_le_bytes(b);
                (v.is_finite(), First::Float(v as f64))
            }
            None => (false, First::Invalid),
        },
        Base::F64 => match rd::<8>(data, big) {
            Some(b) => {
                let v = f64::from_le_bytes(b);
                (v.is_finite(), First::Float(v))
            }
            None => (false, First::Invalid),
        },
        Base::Str => (false, First::Str),
    }
}

/// How many bytes fitparser consumes for a field of `size` bytes of `base`.
fn consumed(base: Base, size: usize) -> usize {
    if base == Base::Str {
        size
    } else {
        size.div_ceil(base.size()) * base.size()
    }
}

/// The text of a string field: up to the first NUL, `None` when not UTF-8.
fn string_of(data: &[u8]) -> Option<&str> {
    let end = data.iter().position(|b| *b == 0).unwrap_or(data.len());
    std::str::from_utf8(&data[..end]).ok()
}

/// Reads a field of `size` bytes (`data` holds at least `consumed(base, size)` bytes).
#[inline]
fn read_raw(data: &[u8], base: Base, size: usize, big: bool) -> Raw {
    if base == Base::Str {
        // fitparser reads a string inside its loop over the field's bytes: one of size 0 is
        // never read, and absent.
        let present = size > 0 && data.get(..size).and_then(string_of).is_some();
        return Raw {
            present,
            array: false,
            first: First::Str,
        };
    }
    let bs = base.size();
    let n = size.div_ceil(bs);
    if n == 0 {
        return ABSENT;
    }
    let (valid, first) = element(data, base, big);
    if n == 1 {
        return Raw {
            present: valid,
            array: false,
            first,
        };
    }
    let mut any = valid;
    let mut i = 1;
    while !any && i < n {
        any = element(data.get(i * bs..).unwrap_or(&[]), base, big).0;
        i += 1;
    }
    Raw {
        present: any,
        array: true,
        first: if valid || base == Base::Byte {
            first
        } else {
            First::Invalid
        },
    }
}

/// fitparser's `num` of a (scaled) field value: the first element as f64, `None` when invalid or
/// not finite.
#[inline]
fn num(raw: Raw, scale: f64, offset: f64) -> Option<f64> {
    if !raw.present {
        return None;
    }
    let v = match raw.first {
        First::Int(_, f) => f,
        First::Float(f) => f,
        First::Invalid | First::Str => return None,
    };
    let scaled = (scale - 1.0).abs() > f64::EPSILON || offset.abs() > f64::EPSILON;
    let v = if scaled { v / scale - offset } else { v };
    v.is_finite().then_some(v)
}

/// The raw seconds of a date_time field (`None` when absent or not a timestamp value).
fn timestamp_of(raw: Raw) -> Option<i64> {
    if !raw.present || raw.array {
        return None;
    }
    Some(match raw.first {
        First::Int(i, _) => i,
        _ => 0,
    })
}

/// fitparser's `text` of an enum field: its name when the profile has one, else the number.
fn enum_text(raw: Raw, table: &[(u16, &'static str)]) -> Option<String> {
    if !raw.present {
        return None;
    }
    match raw.first {
        First::Int(i, f) if !raw.array => Some(
            u16::try_from(i)
                .ok()
                .and_then(|v| lookup(table, v))
                .map_or_else(|| format!("{f}"), str::to_string),
        ),
        _ => num(raw, 1.0, 0.0).map(|x| format!("{x}")),
    }
}

fn lookup(table: &[(u16, &'static str)], v: u16) -> Option<&'static str> {
    table
        .binary_search_by_key(&v, |(k, _)| *k)
        .ok()
        .map(|i| table[i].1)
}

/// The bytes fitparser feeds to component extraction (`Value::to_ne_bytes` on a little-endian
/// machine), as a little-endian integer of up to 8 bytes.
fn component_bits(data: &[u8], base: Base, size: usize, big: bool) -> u64 {
    let mut acc = 0u64;
    let mut filled = 0usize;
    let mut push = |bytes: &[u8]| {
        for &b in bytes {
            if filled < 8 {
                acc |= (b as u64) << (8 * filled);
                filled += 1;
            }
        }
    };
    if base == Base::Str {
        if let Some(s) = data.get(..size).and_then(string_of) {
            push(s.as_bytes());
        }
        return acc;
    }
    let bs = base.size();
    let n = size.div_ceil(bs);
    for i in 0..n {
        let Some(chunk) = data.get(i * bs..i * bs + bs) else {
            break;
        };
        let (valid, _) = element(chunk, base, big);
        if n == 1 || valid || base == Base::Byte {
            let mut le = [0u8; 8];
            le[..bs].copy_from_slice(chunk);
            if big {
                le[..bs].reverse();
            }
            push(&le[..bs]);
        }
    }
    acc
}

fn bits(v: u64, from: u32, n: u32) -> u64 {
    (v >> from) & ((1u64 << n) - 1)
}

// ---------------------------------------------------------------------------------------------
// Definitions
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug)]
struct FieldDef {
    number: u8,
    size: u8,
    base: Base,
    /// Offset of the field in the message body (after the header byte).
    at: u16,
}

#[derive(Clone, Copy, Debug)]
struct DevFieldDef {
    num: u8,
    size: u8,
    index: u8,
}

#[derive(Clone, Debug)]
struct Definition {
    big: bool,
    global: u16,
    fields: Vec<FieldDef>,
    dev: Vec<DevFieldDef>,
    /// Bytes of the regular fields.
    fields_size: usize,
    /// Bytes of the developer fields as declared.
    dev_size: usize,
    /// Field number → index + 1 in `fields` of its last definition (0: not in this definition).
    by_number: [u8; 256],
    /// Whether some field number is defined more than once.
    duplicates: bool,
    /// `dev` resolved against the developer field descriptions of generation `dev_generation`.
    dev_resolved: Vec<Option<Resolved>>,
    dev_generation: u64,
}

/// A developer field of a definition with its description looked up.
#[derive(Clone, Copy, Debug)]
struct Resolved {
    base: Base,
    size: u8,
    consumed: usize,
    scale: f64,
    offset: f64,
    named: Option<Named>,
}

impl Definition {
    fn empty() -> Definition {
        Definition {
            big: false,
            global: 0,
            fields: Vec::new(),
            dev: Vec::new(),
            fields_size: 0,
            dev_size: 0,
            by_number: [0; 256],
            duplicates: false,
            dev_resolved: Vec::new(),
            dev_generation: u64::MAX,
        }
    }

    /// The field that fitparser holds for `number`, and its value: the last definition of the
    /// number, or, when that one is invalid and the number is defined more than once, the last
    /// valid one (fitparser only stores valid values, each over the one before).
    #[inline]
    fn pick(&self, body: &[u8], number: u8) -> Option<(FieldDef, Raw)> {
        let i = self.by_number[number as usize];
        if i == 0 {
            return None;
        }
        let read = |f: &FieldDef| {
            read_raw(
                body.get(f.at as usize..).unwrap_or(&[]),
                f.base,
                f.size as usize,
                self.big,
            )
        };
        let f = self.fields[i as usize - 1];
        let raw = read(&f);
        if raw.present || !self.duplicates {
            return Some((f, raw));
        }
        self.fields[..i as usize - 1]
            .iter()
            .rev()
            .filter(|g| g.number == number)
            .map(|g| (*g, read(g)))
            .find(|(_, r)| r.present)
            .or(Some((f, raw)))
    }

    #[inline]
    fn raw(&self, body: &[u8], number: u8) -> Raw {
        self.pick(body, number).map_or(ABSENT, |(_, r)| r)
    }

    fn field_bytes<'a>(&self, body: &'a [u8], number: u8) -> Option<(&'a [u8], FieldDef)> {
        let (f, _) = self.pick(body, number)?;
        Some((body.get(f.at as usize..)?, f))
    }
}

/// A developer field as its `field_description` message describes it.
#[derive(Clone, Debug)]
struct DevDescription {
    base: Base,
    scale: f64,
    offset: f64,
    /// The profile field whose name it carries, if any (see [`Named`]).
    named: Option<Named>,
}

/// Profile field names that a developer field may carry, which fitparser's name lookup would
/// then find when the profile field itself is absent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
enum Named {
    Timestamp,
    PositionLat,
    PositionLong,
    EnhancedAltitude,
    Altitude,
    Distance,
    EnhancedSpeed,
    Speed,
    HeartRate,
    Power,
    StanceTime,
    StanceTimeBalance,
    VerticalOscillation,
    VerticalRatio,
    StepLength,
    Cadence,
    FractionalCadence,
    CompressedSpeedDistance,
    StartTime,
    TotalElapsedTime,
    TotalTimerTime,
    TotalDistance,
    TotalAscent,
    TotalDescent,
    AvgRunningCadence,
    AvgCadence,
    AvgFractionalCadence,
    Sport,
    SubSport,
}
const NAMED_COUNT: usize = 29;

impl Named {
    fn from_name(name: &str) -> Option<Named> {
        Some(match name {
            "timestamp" => Named::Timestamp,
            "position_lat" => Named::PositionLat,
            "position_long" => Named::PositionLong,
            "enhanced_altitude" => Named::EnhancedAltitude,
            "altitude" => Named::Altitude,
            "distance" => Named::Distance,
            "enhanced_speed" => Named::EnhancedSpeed,
            "speed" => Named::Speed,
            "heart_rate" => Named::HeartRate,
            "power" => Named::Power,
            "stance_time" => Named::StanceTime,
            "stance_time_balance" => Named::StanceTimeBalance,
            "vertical_oscillation" => Named::VerticalOscillation,
            "vertical_ratio" => Named::VerticalRatio,
            "step_length" => Named::StepLength,
            "cadence" => Named::Cadence,
            "fractional_cadence" => Named::FractionalCadence,
            "compressed_speed_distance" => Named::CompressedSpeedDistance,
            "start_time" => Named::StartTime,
            "total_elapsed_time" => Named::TotalElapsedTime,
            "total_timer_time" => Named::TotalTimerTime,
            "total_distance" => Named::TotalDistance,
            "total_ascent" => Named::TotalAscent,
            "total_descent" => Named::TotalDescent,
            "avg_running_cadence" => Named::AvgRunningCadence,
            "avg_cadence" => Named::AvgCadence,
            "avg_fractional_cadence" => Named::AvgFractionalCadence,
            "sport" => Named::Sport,
            "sub_sport" => Named::SubSport,
            _ => return None,
        })
    }
}

/// Values of developer fields that carry a profile name, for one message: the numeric value
/// (already scaled), `Some(None)` when present but not a number.
#[derive(Clone, Copy)]
struct DevNamed {
    any: bool,
    vals: [Option<Option<f64>>; NAMED_COUNT],
}

impl DevNamed {
    const NONE: DevNamed = DevNamed {
        any: false,
        vals: [None; NAMED_COUNT],
    };

    /// fitparser's lookup of `name` when no profile field has it: the developer field's number.
    fn num(&self, n: Named) -> Option<f64> {
        if !self.any {
            return None;
        }
        self.vals[n as usize].flatten()
    }
}

// ---------------------------------------------------------------------------------------------
// Decoded messages
// ---------------------------------------------------------------------------------------------

/// One `record` message, reduced to what patella keeps (NaN: missing).
#[derive(Clone, Copy, Debug)]
struct Row {
    /// Seconds since the FIT epoch.
    t: Option<i64>,
    lat: f64,
    lon: f64,
    elevation: f64,
    distance: f64,
    speed: f64,
    heart_rate: f64,
    power: f64,
    stance_time_ms: f64,
    stance_balance: f64,
    vertical_oscillation_mm: f64,
    vertical_ratio: f64,
    step_length_mm: f64,
    cadence: f64,
    /// The 12-bit distance of `compressed_speed_distance`, when its bytes are there.
    compressed_distance: Option<u16>,
}

struct Session {
    start: i64,
    end_ms: Option<i64>,
    sport: String,
    sub_sport: String,
    device: DeviceSummary,
    cadence_raw: Option<f64>,
}

#[derive(Default)]
struct FileId {
    kind: Option<String>,
    device_name: Option<String>,
}

/// Everything the activity builder needs from the stream.
#[derive(Default)]
struct Decoded {
    messages: usize,
    file_id: Option<FileId>,
    /// First `sport` message: (sport, sub_sport).
    sport: Option<(String, String)>,
    /// First `activity` message: (timestamp, local_timestamp).
    activity: Option<(Option<i64>, Option<i64>)>,
    sessions: Vec<Session>,
    rows: Vec<Row>,
}

// ---------------------------------------------------------------------------------------------
// The decoder
// ---------------------------------------------------------------------------------------------

struct Decoder {
    definitions: [Option<Definition>; 16],
    descriptions: HashMap<(u8, u8), DevDescription>,
    /// Bumped whenever `descriptions` changes, to refresh definitions' resolved dev fields.
    generation: u64,
    base_timestamp: i64,
    /// fitparser's accumulated `compressed_speed_distance` distance (raw 1/16 m units).
    distance_accumulator: Option<u64>,
    out: Decoded,
}

fn needed(n: usize) -> String {
    if n == 0 {
        "parser error: requires more data".to_string()
    } else {
        format!("parser error: requires {n} more bytes")
    }
}

impl Decoder {
    fn new() -> Decoder {
        Decoder {
            definitions: Default::default(),
            descriptions: HashMap::new(),
            generation: 0,
            base_timestamp: 0,
            distance_accumulator: None,
            out: Decoded::default(),
        }
    }

    fn reset(&mut self) {
        for d in self.definitions.iter_mut() {
            *d = None;
        }
        self.descriptions.clear();
        self.generation += 1;
        self.base_timestamp = 0;
        self.distance_accumulator = None;
    }

    /// Runs over the whole file; returns the error that stopped decoding, worded as fit.rs words
    /// fitparser's.
    fn run(&mut self, bytes: &[u8]) -> Option<String> {
        let mut at = 0usize; // the real offset
        let mut position = 0usize; // fitparser's position
        let mut end = 0usize;
        while at < bytes.len() {
            let input = &bytes[at..];
            if position > 0 && position == end {
                if input.len() < 2 {
                    // fitparser reads the CRC with a "complete" parser: end of file, not
                    // "bytes needed".
                    return Some(format!(
                        "at byte {at}: parser error: 'End of file' at position: {position:#x}"
                    ));
                }
                at += 2;
                position += 2;
                self.reset();
                continue;
            }
            if position == 0 || position > end {
                match header(input) {
                    Ok((len, header_size, data_size)) => {
                        end = position + header_size + data_size;
                        position += header_size;
                        at += len;
                    }
                    Err(HeaderError::Needed(n)) => {
                        return Some(format!("at byte {at}: {}", needed(n)));
                    }
                    Err(HeaderError::Tag) => {
                        return Some(format!(
                            "at byte {at}: parser error: 'Tag' at position: {position:#x}"
                        ));
                    }
                }
                continue;
            }
            let b = input[0];
            if b & 0x80 == 0 && b & 0x40 != 0 {
                match self.definition(&input[1..], b) {
                    Ok(len) => {
                        at += 1 + len;
                        position += 1 + len;
                    }
                    Err(n) => return Some(format!("at byte {at}: {}", needed(n))),
                }
                continue;
            }
            let (local, time_offset) = if b & 0x80 != 0 {
                ((b >> 5) & 0x3, Some(b & 0x1F))
            } else {
                (b & 0xF, None)
            };
            let Some(mut def) = self.definitions[local as usize].take() else {
                return Some(format!(
                    "at byte {at}: no definition found for local message number {local} at \
                     position {position:#x}"
                ));
            };
            let result = self.data(&input[1..], &mut def, time_offset, position);
            self.definitions[local as usize] = Some(def);
            match result {
                Ok(len) => {
                    at += 1 + len;
                    position += 1 + len;
                }
                Err(DataError::Parse(e)) => return Some(format!("at byte {at}: {e}")),
                Err(DataError::Decode(e)) => return Some(e),
            }
        }
        None
    }

    /// Parses a definition message body; returns its length or the bytes needed.
    fn definition(&mut self, body: &[u8], header: u8) -> Result<usize, usize> {
        let rem = body.len();
        if rem < 2 {
            return Err(1);
        }
        if rem < 4 {
            return Err(4 - rem);
        }
        if rem < 5 {
            return Err(1);
        }
        let big = body[1] == 1;
        let global = if big {
            u16::from_be_bytes([body[2], body[3]])
        } else {
            u16::from_le_bytes([body[2], body[3]])
        };
        let nfields = body[4] as usize;
        let mut len = 5 + 3 * nfields;
        if rem < len {
            return Err(1);
        }
        let ndev = if header & 0x20 != 0 {
            if rem < len + 1 {
                return Err(1);
            }
            let n = body[len] as usize;
            len += 1;
            if rem < len + 3 * n {
                return Err(1);
            }
            n
        } else {
            0
        };
        let local = (header & 0xF) as usize;
        let mut def = self.definitions[local]
            .take()
            .unwrap_or_else(Definition::empty);
        def.big = big;
        def.global = global;
        def.fields.clear();
        def.dev.clear();
        def.by_number = [0; 256];
        def.duplicates = false;
        def.dev_generation = u64::MAX;
        def.dev_resolved.clear();
        let mut at = 0usize;
        for (i, f) in body[5..5 + 3 * nfields].chunks_exact(3).enumerate() {
            let mut base = Base::from_byte(f[2] & 0x9F);
            if !(f[1] as usize).is_multiple_of(base.size()) {
                base = Base::Byte;
            }
            def.fields.push(FieldDef {
                number: f[0],
                size: f[1],
                base,
                at: at as u16,
            });
            def.duplicates |= def.by_number[f[0] as usize] != 0;
            def.by_number[f[0] as usize] = (i + 1) as u8;
            at += f[1] as usize;
        }
        def.fields_size = at;
        let dev_start = 5 + 3 * nfields + usize::from(header & 0x20 != 0);
        def.dev_size = 0;
        for f in body[dev_start..dev_start + 3 * ndev].chunks_exact(3) {
            def.dev.push(DevFieldDef {
                num: f[0],
                size: f[1],
                index: f[2],
            });
            def.dev_size += f[1] as usize;
        }
        self.definitions[local] = Some(def);
        Ok(len + 3 * ndev)
    }

    /// Parses and decodes one data message body; returns its length.
    fn data(
        &mut self,
        body: &[u8],
        def: &mut Definition,
        time_offset: Option<u8>,
        position: usize,
    ) -> Result<usize, DataError> {
        let rem = body.len();
        let need = || DataError::Parse(needed((def.fields_size + def.dev_size).wrapping_sub(rem)));
        if rem < def.fields_size {
            return Err(need());
        }
        let mut len = def.fields_size;
        let mut dev = DevNamed::NONE;
        if !def.dev.is_empty() && def.dev_generation != self.generation {
            def.dev_resolved.clear();
            for d in &def.dev {
                let resolved = self
                    .descriptions
                    .get(&(d.index, d.num))
                    .map(|desc| Resolved {
                        base: desc.base,
                        size: d.size,
                        consumed: consumed(desc.base, d.size as usize),
                        scale: desc.scale,
                        offset: desc.offset,
                        named: desc.named,
                    });
                def.dev_resolved.push(resolved);
            }
            def.dev_generation = self.generation;
        }
        for d in &def.dev_resolved {
            let Some(d) = d else {
                return Err(DataError::Parse(format!(
                    "parser error: 'Fail' at position: {position:#x}"
                )));
            };
            let n = d.consumed;
            if rem < len + n {
                return Err(need());
            }
            if let Some(named) = d.named {
                let raw = read_raw(&body[len..len + n], d.base, d.size as usize, def.big);
                if raw.present {
                    dev.any = true;
                    dev.vals[named as usize] = Some(num(raw, d.scale, d.offset));
                }
            }
            len += n;
        }
        let body = &body[..len];

        // fitparser: a message's own timestamp resets the base of compressed timestamps.
        let own_ts = def.raw(body, FIELD_TIMESTAMP);
        if own_ts.present {
            self.base_timestamp = match own_ts.first {
                First::Int(i, _) if !own_ts.array => i,
                _ => 0,
            };
        }
        let compressed_ts = time_offset.map(|offset| {
            let offset = offset as i64;
            let mut value = offset + (self.base_timestamp & !31);
            if offset < (self.base_timestamp & 31) {
                value += 32;
            }
            self.base_timestamp = value;
            value
        });
        // The message's `timestamp`: its own field, else the compressed one.
        let timestamp = if own_ts.present {
            timestamp_of(own_ts)
        } else if compressed_ts.is_some() {
            compressed_ts
        } else {
            None
        };

        let def = &*def;
        match def.global {
            MESG_RECORD => self.record(body, def, timestamp, &dev),
            MESG_SESSION => self.session(body, def, timestamp, &dev),
            MESG_FILE_ID if self.out.file_id.is_none() => self.file_id(body, def),
            MESG_SPORT if self.out.sport.is_none() => {
                let sport = enum_text(def.raw(body, 0), names::SPORT);
                let sub = enum_text(def.raw(body, 1), names::SUB_SPORT);
                let dev_text = |n: Named| dev.num(n).map(|x| format!("{x}"));
                self.out.sport = Some((
                    sport.or_else(|| dev_text(Named::Sport)).unwrap_or_default(),
                    sub.or_else(|| dev_text(Named::SubSport))
                        .unwrap_or_default(),
                ));
            }
            MESG_ACTIVITY if self.out.activity.is_none() => {
                let local = timestamp_of(def.raw(body, 5));
                self.out.activity = Some((timestamp, local));
            }
            MESG_FIELD_DESCRIPTION => {
                self.field_description(body, def)
                    .map_err(DataError::Decode)?;
            }
            _ => {}
        }
        self.out.messages += 1;
        Ok(len)
    }

    fn record(&mut self, body: &[u8], def: &Definition, timestamp: Option<i64>, dev: &DevNamed) {
        let has = |n: u8| def.by_number[n as usize] != 0;
        let raw = |n: u8| def.raw(body, n);
        let or_dev = |r: Raw, scale: f64, offset: f64, n: Named| {
            if r.present {
                num(r, scale, offset)
            } else {
                dev.num(n)
            }
        };
        let nan = |v: Option<f64>| v.unwrap_or(f64::NAN);

        // A developer field named `timestamp` is not a timestamp value: no time either way.
        let t = timestamp;

        let alt = if has(2) { raw(2) } else { ABSENT };
        let enh_alt = if has(78) { raw(78) } else { ABSENT };
        let speed = if has(6) { raw(6) } else { ABSENT };
        let enh_speed = if has(73) { raw(73) } else { ABSENT };
        let csd = if has(8) { raw(8) } else { ABSENT };
        let csd_bits = if csd.present {
            def.field_bytes(body, 8)
                .map(|(d, f)| component_bits(d, f.base, f.size as usize, def.big))
        } else {
            None
        };

        // enhanced_altitude: the field itself, or altitude's 16-bit component.
        let enhanced_altitude = if enh_alt.present {
            num(enh_alt, 5.0, 500.0)
        } else if alt.present {
            def.field_bytes(body, 2).map(|(d, f)| {
                bits(component_bits(d, f.base, f.size as usize, def.big), 0, 16) as f64 / 5.0
                    - 500.0
            })
        } else {
            dev.num(Named::EnhancedAltitude)
        };
        let elevation = enhanced_altitude.or_else(|| or_dev(alt, 5.0, 500.0, Named::Altitude));

        let enhanced_speed = if enh_speed.present {
            num(enh_speed, 1000.0, 0.0)
        } else if speed.present {
            def.field_bytes(body, 6).map(|(d, f)| {
                bits(component_bits(d, f.base, f.size as usize, def.big), 0, 16) as f64 / 1000.0
            })
        } else if let Some(b) = csd_bits {
            Some(bits(b, 0, 12) as f64 / 100.0)
        } else {
            dev.num(Named::EnhancedSpeed)
        };
        let speed_v = enhanced_speed.or_else(|| {
            if speed.present {
                num(speed, 1000.0, 0.0)
            } else if let Some(b) = csd_bits {
                Some(bits(b, 0, 12) as f64 / 100.0)
            } else {
                dev.num(Named::Speed)
            }
        });

        let mut distance = if has(5) && raw(5).present {
            num(raw(5), 100.0, 0.0)
        } else {
            None
        };
        if let Some(b) = csd_bits {
            let component = bits(b, 12, 12);
            let total = self.distance_accumulator.unwrap_or(0) + component;
            let total = if self.distance_accumulator.is_some() {
                total
            } else {
                component
            };
            self.distance_accumulator = Some(total);
            if !(has(5) && raw(5).present) {
                distance = Some(total as f64 / 16.0);
            }
        } else if !(has(5) && raw(5).present) {
            distance = dev.num(Named::Distance);
        }

        // compressed_distance_raw: array whose elements 1 and 2 are bytes.
        let compressed_distance = if csd.present && csd.array {
            def.field_bytes(body, 8).and_then(|(d, f)| {
                let elem_ok = |i: usize| match f.base {
                    Base::Byte => d.get(i).map(|b| *b as u16),
                    // Other base type bytes are read as uint8 (fitparser's `Value::UInt8`).
                    Base::U8 | Base::Unknown => d.get(i).filter(|b| **b != 0xFF).map(|b| *b as u16),
                    _ => None,
                };
                if (f.size as usize) < 3 {
                    return None;
                }
                Some((elem_ok(1)? >> 4) | (elem_ok(2)? << 4))
            })
        } else {
            None
        };

        let cadence = or_dev(raw(4), 1.0, 0.0, Named::Cadence);
        let fractional = or_dev(raw(53), 128.0, 0.0, Named::FractionalCadence);
        self.out.rows.push(Row {
            t,
            lat: nan(or_dev(raw(0), 1.0, 0.0, Named::PositionLat)),
            lon: nan(or_dev(raw(1), 1.0, 0.0, Named::PositionLong)),
            elevation: nan(elevation),
            distance: nan(distance),
            speed: nan(speed_v),
            heart_rate: nan(or_dev(raw(3), 1.0, 0.0, Named::HeartRate)),
            power: nan(or_dev(raw(7), 1.0, 0.0, Named::Power)),
            stance_time_ms: nan(or_dev(raw(41), 10.0, 0.0, Named::StanceTime)),
            stance_balance: nan(or_dev(raw(84), 100.0, 0.0, Named::StanceTimeBalance)),
            vertical_oscillation_mm: nan(or_dev(raw(39), 10.0, 0.0, Named::VerticalOscillation)),
            vertical_ratio: nan(or_dev(raw(83), 100.0, 0.0, Named::VerticalRatio)),
            step_length_mm: nan(or_dev(raw(85), 10.0, 0.0, Named::StepLength)),
            cadence: cadence.map_or(f64::NAN, |c| c + fractional.unwrap_or(0.0)),
            compressed_distance,
        });
    }

    fn session(&mut self, body: &[u8], def: &Definition, timestamp: Option<i64>, dev: &DevNamed) {
        let raw = |n: u8| def.raw(body, n);
        let or_dev = |r: Raw, scale: f64, n: Named| {
            if r.present {
                num(r, scale, 0.0)
            } else {
                dev.num(n)
            }
        };
        let start_raw = raw(2);
        let Some(start) = timestamp_of(start_raw) else {
            return;
        };
        let elapsed = or_dev(raw(7), 1000.0, Named::TotalElapsedTime);
        let end_ms = timestamp
            .map(|t| t * 1000)
            .or_else(|| elapsed.map(|e| start * 1000 + (e * 1000.0) as i64));
        let cadence_raw = or_dev(raw(18), 1.0, Named::AvgCadence)
            .map(|c| c + or_dev(raw(92), 128.0, Named::AvgFractionalCadence).unwrap_or(0.0));
        let text = |n: u8, table, named: Named| {
            let r = raw(n);
            if r.present {
                enum_text(r, table)
            } else {
                dev.num(named).map(|x| format!("{x}"))
            }
            .unwrap_or_default()
        };
        self.out.sessions.push(Session {
            start,
            end_ms,
            sport: text(5, names::SPORT, Named::Sport),
            sub_sport: text(6, names::SUB_SPORT, Named::SubSport),
            device: DeviceSummary {
                distance_m: or_dev(raw(9), 100.0, Named::TotalDistance),
                ascent_m: or_dev(raw(22), 1.0, Named::TotalAscent),
                descent_m: or_dev(raw(23), 1.0, Named::TotalDescent),
                cadence_spm: None,
                timer_s: or_dev(raw(8), 1000.0, Named::TotalTimerTime),
                elapsed_s: elapsed,
            },
            cadence_raw,
        });
    }

    fn file_id(&mut self, body: &[u8], def: &Definition) {
        let kind = enum_text(def.raw(body, 0), names::FILE);
        let manufacturer_raw = def.raw(body, 1);
        let manufacturer = enum_text(manufacturer_raw, names::MANUFACTURER).unwrap_or_default();
        let m = match manufacturer_raw.first {
            First::Int(i, _) if manufacturer_raw.present && !manufacturer_raw.array => i,
            _ => -1,
        };
        let product_raw = def.raw(body, 2);
        let product = if m == FAVERO {
            enum_text(product_raw, names::FAVERO_PRODUCT)
        } else if GARMIN_LIKE.contains(&m) {
            enum_text(product_raw, names::GARMIN_PRODUCT)
        } else {
            num(product_raw, 1.0, 0.0).map(|x| format!("{x}"))
        }
        .unwrap_or_default();
        let device_name = (!manufacturer.is_empty() || !product.is_empty())
            .then(|| format!("{manufacturer}:{product}"));
        self.out.file_id = Some(FileId { kind, device_name });
    }

    /// A `field_description` message, with fitparser's checks and messages.
    fn field_description(&mut self, body: &[u8], def: &Definition) -> Result<(), String> {
        let err = |m: &str| format!("value error: {m}");
        let raw = |n: u8| def.raw(body, n);
        let is_type = |n: u8, base: Base| def.pick(body, n).is_some_and(|(f, _)| f.base == base);
        let u8_of = |n: u8, name: &str| -> Result<u8, String> {
            let r = raw(n);
            if !r.present {
                return Err(err(&format!("{name} is mandatory")));
            }
            match r.first {
                First::Int(i, _) if !r.array && is_type(n, Base::U8) => Ok(i as u8),
                _ => Err(err(&format!("{name} must be u8"))),
            }
        };
        let index = u8_of(0, "developer_data_index")?;
        let number = u8_of(1, "field_definition_number")?;
        let base_raw = raw(2);
        if !base_raw.present {
            return Err(err("fit_base_type_id is mandatory"));
        }
        let base = match base_raw.first {
            First::Int(i, _) if !base_raw.array => u16::try_from(i)
                .ok()
                .and_then(|v| lookup(names::FIT_BASE_TYPE, v))
                .map(Base::from_name),
            _ => None,
        }
        .ok_or_else(|| err("fit_base_type_id must be string"))?;
        let string = |n: u8| -> Option<Result<&str, ()>> {
            let r = raw(n);
            if !r.present {
                return None;
            }
            if !is_type(n, Base::Str) {
                return Some(Err(()));
            }
            let (d, f) = def.field_bytes(body, n)?;
            Some(d.get(..f.size as usize).and_then(string_of).ok_or(()))
        };
        let name = match string(3) {
            None => None,
            Some(Ok(s)) => Some(s.to_string()),
            Some(Err(())) => return Err(err("field_name must be string")),
        };
        let scale = raw(6);
        let scale = if !scale.present {
            1.0
        } else {
            match scale.first {
                First::Int(i, _) if !scale.array && is_type(6, Base::U8) => i as f64,
                _ => return Err(err("scale must be u8")),
            }
        };
        let offset = raw(7);
        let offset = if !offset.present {
            0.0
        } else {
            match offset.first {
                First::Int(i, _) if !offset.array && is_type(7, Base::S8) => i as f64,
                _ => return Err(err("offset must be i8")),
            }
        };
        if let Some(Err(())) = string(8) {
            return Err(err("units must be string"));
        }
        self.generation += 1;
        self.descriptions.insert(
            (index, number),
            DevDescription {
                base,
                scale,
                offset,
                named: name.as_deref().and_then(Named::from_name),
            },
        );
        Ok(())
    }
}

enum DataError {
    /// A parse error (reported with the byte offset).
    Parse(String),
    /// A decode error (reported as is).
    Decode(String),
}

enum HeaderError {
    Needed(usize),
    Tag,
}

/// Parses a file header: (bytes read, header size, data size).
fn header(input: &[u8]) -> Result<(usize, usize, usize), HeaderError> {
    let first = input.first().copied().unwrap_or(14) as usize;
    let incomplete = || HeaderError::Needed(first.wrapping_sub(input.len()));
    if input.len() < 8 {
        return Err(incomplete());
    }
    let tag = &input[8..input.len().min(12)];
    if tag != &b".FIT"[..tag.len()] {
        return Err(HeaderError::Tag);
    }
    if input.len() < 12 {
        return Err(incomplete());
    }
    let header_size = input[0] as usize;
    let data_size = u32::from_le_bytes([input[4], input[5], input[6], input[7]]) as usize;
    let len = if header_size > 12 { 14 } else { 12 };
    if input.len() < len {
        return Err(incomplete());
    }
    Ok((len, header_size, data_size))
}

// ---------------------------------------------------------------------------------------------
// CRCs: fit.rs's `check_crcs`, with a byte-wide table for the same CRC-16
// ---------------------------------------------------------------------------------------------

/// The FIT CRC-16 (CRC-16/ARC, reflected polynomial 0xA001) a byte at a time.
const CRC_TABLE: [u16; 256] = {
    let mut table = [0u16; 256];
    let mut i = 0;
    while i < 256 {
        let mut crc = i as u16;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xA001
            } else {
                crc >> 1
            };
            bit += 1;
        }
        table[i] = crc;
        i += 1;
    }
    table
};

fn crc16(mut crc: u16, bytes: &[u8]) -> u16 {
    for &b in bytes {
        crc = (crc >> 8) ^ CRC_TABLE[((crc ^ b as u16) & 0xFF) as usize];
    }
    crc
}

/// Same warnings as `fit::check_crcs`, with the faster CRC.
fn check_crcs(bytes: &[u8]) -> Vec<String> {
    crate::ingest::fit::check_crcs_with(bytes, crc16)
}

// ---------------------------------------------------------------------------------------------
// Activities
// ---------------------------------------------------------------------------------------------

fn utc(fit_s: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(fit_s.checked_add(FIT_EPOCH_UNIX_S)?, 0)
}

/// Reads every session of a FIT file, as [`crate::ingest::fit::read`] does.
pub fn read(bytes: &[u8], source: &str) -> Result<Vec<Activity>, ReadError> {
    let mut warnings = check_crcs(bytes);
    let mut decoder = Decoder::new();
    let error = decoder.run(bytes);
    let decoded = decoder.out;
    if let Some(e) = error {
        if decoded.messages == 0 {
            return Err(ReadError::invalid(format!("fit decode failed: {e}")));
        }
        warnings.push(format!(
            "fit decode stopped early ({e}); kept the {} messages before it",
            decoded.messages
        ));
    }
    from_decoded(decoded, source, warnings)
}

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
    let utc_offset = d.activity.and_then(|(ts, local)| {
        let offset = local? - ts?;
        (offset.abs() <= 14 * 3600).then_some(offset as i32)
    });
    let mut sessions = std::mem::take(&mut d.sessions);
    sessions.retain(|s| utc(s.start).is_some());
    sessions.sort_by_key(|s| s.start);
    let rows = &d.rows;
    let ctx = Context {
        source,
        utc_offset,
        device_name: file_id.device_name,
    };

    if sessions.is_empty() {
        let first = rows
            .iter()
            .find_map(|r| r.t)
            .ok_or_else(|| ReadError::invalid("fit file has no session and no timed records"))?;
        let (sport, sub_sport) = d.sport.take().unwrap_or_default();
        warnings.push("no session message: summary computed from records only".into());
        let session = Session {
            start: first,
            end_ms: None,
            sport,
            sub_sport,
            device: DeviceSummary::default(),
            cadence_raw: None,
        };
        let mut a = build(&session, rows.iter(), &ctx, warnings);
        a.device = None;
        return Ok(vec![a]);
    }

    let many = sessions.len() > 1;
    let mut out = Vec::with_capacity(sessions.len());
    for (i, session) in sessions.iter().enumerate() {
        let next_start = sessions.get(i + 1).map(|s| s.start);
        let keep = |r: &&Row| {
            if !many {
                return true;
            }
            let Some(t) = r.t else { return false };
            (i == 0 || t >= session.start) && next_start.is_none_or(|n| t < n)
        };
        let mut a = build(session, rows.iter().filter(keep), &ctx, warnings.clone());
        a.session = i;
        out.push(a);
    }
    Ok(out)
}

struct Context<'a> {
    source: &'a str,
    utc_offset: Option<i32>,
    device_name: Option<String>,
}

fn build<'r>(
    session: &Session,
    rows: impl Iterator<Item = &'r Row>,
    ctx: &Context,
    warnings: Vec<String>,
) -> Activity {
    let start = utc(session.start).unwrap_or_default();
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

    let window = crate::ingest::fit::record_window(
        session
            .end_ms
            .map(|end| ((end - session.start * 1000) / 1000) as f64),
        &session.device,
    );
    let semicircle = 180.0 / 2f64.powi(31);
    let (lower, _) = rows.size_hint();
    let mut raw_cadence = Vec::with_capacity(lower);
    let mut outside = 0usize;
    let mut compressed = CompressedDistance::default();
    for r in rows {
        let Some(t) = r.t else { continue };
        let mut s = Sample {
            t_s: ((t - session.start) * 1000) as f64 / 1000.0,
            ..Sample::default()
        };
        if !r.lat.is_nan() && !r.lon.is_nan() {
            let lat = r.lat * semicircle;
            let lon = r.lon * semicircle;
            let plausible = lat.abs() <= 90.0 && lon.abs() <= 180.0 && (lat != 0.0 || lon != 0.0);
            if plausible {
                s.lat_deg = lat;
                s.lon_deg = lon;
            }
        }
        s.elevation_m = r.elevation;
        s.distance_m = r.distance;
        s.speed_m_s = r.speed;
        s.heart_rate_bpm = r.heart_rate;
        s.power_w = r.power;
        s.ground_contact_s = r.stance_time_ms / 1000.0;
        s.gct_balance_left_pct = r.stance_balance;
        s.vertical_oscillation_m = r.vertical_oscillation_mm / 1000.0;
        s.vertical_ratio_pct = r.vertical_ratio;
        s.step_length_m = r.step_length_mm / 1000.0;
        if let Some(raw) = r.compressed_distance {
            s.distance_m = compressed.next(raw);
        }
        if !window.contains(&s.t_s) {
            outside += 1;
            continue;
        }
        a.samples.push(s);
        raw_cadence.push(r.cadence);
    }
    if outside > 0 {
        a.warnings.push(format!(
            "{outside} records with timestamps far outside the session were dropped"
        ));
    }

    crate::ingest::fit::apply_cadence_rule(
        &mut a,
        &raw_cadence,
        session.cadence_raw,
        &session.device,
    );
    a
}

#[rustfmt::skip]
mod names {
    //! Enum names as fitparser 0.11 (FIT SDK 21.202) spells them, generated from its profile.
    include!("fitdecode_names.rs");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::fit;
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

    fn close(a: f64, b: f64) -> bool {
        (a.is_nan() && b.is_nan()) || a == b || ((a - b).abs() <= 1e-9 * a.abs().max(b.abs()))
    }

    fn close_opt(a: Option<f64>, b: Option<f64>) -> bool {
        match (a, b) {
            (None, None) => true,
            (Some(a), Some(b)) => close(a, b),
            _ => false,
        }
    }

    /// Every difference between two results, as (field, detail).
    pub(super) fn differences(
        want: &Result<Vec<Activity>, ReadError>,
        got: &Result<Vec<Activity>, ReadError>,
    ) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let (want, got) = match (want, got) {
            (Ok(w), Ok(g)) => (w, g),
            (Err(w), Err(g)) => {
                if w != g {
                    out.push(("error".into(), format!("{w:?} vs {g:?}")));
                }
                return out;
            }
            _ => {
                out.push((
                    "ok/err".into(),
                    format!("{:?} vs {:?}", want.as_ref().err(), got.as_ref().err()),
                ));
                return out;
            }
        };
        if want.len() != got.len() {
            out.push((
                "activities".into(),
                format!("{} vs {}", want.len(), got.len()),
            ));
            return out;
        }
        for (w, g) in want.iter().zip(got) {
            let mut diff = |name: &str, same: bool, detail: String| {
                if !same {
                    out.push((name.to_string(), detail));
                }
            };
            diff(
                "sport",
                w.sport == g.sport,
                format!("{:?} vs {:?}", w.sport, g.sport),
            );
            diff(
                "sport_detail",
                w.sport_detail == g.sport_detail,
                format!("{} vs {}", w.sport_detail, g.sport_detail),
            );
            diff(
                "start_utc",
                w.start_utc == g.start_utc,
                format!("{} vs {}", w.start_utc, g.start_utc),
            );
            diff(
                "utc_offset_s",
                w.utc_offset_s == g.utc_offset_s,
                format!("{:?} vs {:?}", w.utc_offset_s, g.utc_offset_s),
            );
            diff(
                "session",
                w.session == g.session,
                format!("{} vs {}", w.session, g.session),
            );
            diff("source", w.source == g.source, String::new());
            diff("format", w.format == g.format, String::new());
            diff(
                "cadence_rule",
                w.cadence_rule == g.cadence_rule,
                format!("{:?} vs {:?}", w.cadence_rule, g.cadence_rule),
            );
            diff(
                "device_name",
                w.device_name == g.device_name,
                format!("{:?} vs {:?}", w.device_name, g.device_name),
            );
            diff(
                "warnings",
                w.warnings == g.warnings,
                format!("{:?} vs {:?}", w.warnings, g.warnings),
            );
            diff(
                "samples",
                w.samples.len() == g.samples.len(),
                format!("{} vs {}", w.samples.len(), g.samples.len()),
            );
            if w.samples.len() == g.samples.len() {
                for ((name, wc), (_, gc)) in
                    w.samples.columns().into_iter().zip(g.samples.columns())
                {
                    let bad = wc.iter().zip(gc).position(|(a, b)| !close(*a, *b));
                    if wc.len() != gc.len() {
                        diff(
                            name,
                            false,
                            format!("column length {} vs {}", wc.len(), gc.len()),
                        );
                    } else if let Some(i) = bad {
                        diff(name, false, format!("sample {i}: {} vs {}", wc[i], gc[i]));
                    }
                }
            }
            match (&w.device, &g.device) {
                (None, None) => {}
                (Some(wd), Some(gd)) => {
                    let fields = [
                        ("device.distance_m", wd.distance_m, gd.distance_m),
                        ("device.ascent_m", wd.ascent_m, gd.ascent_m),
                        ("device.descent_m", wd.descent_m, gd.descent_m),
                        ("device.cadence_spm", wd.cadence_spm, gd.cadence_spm),
                        ("device.timer_s", wd.timer_s, gd.timer_s),
                        ("device.elapsed_s", wd.elapsed_s, gd.elapsed_s),
                    ];
                    for (name, a, b) in fields {
                        diff(name, close_opt(a, b), format!("{a:?} vs {b:?}"));
                    }
                }
                _ => diff("device", false, format!("{:?} vs {:?}", w.device, g.device)),
            }
        }
        out
    }

    #[test]
    fn generated_names_match_fitparser() {
        use fitparser::profile::{get_field_variant_as_string, FieldDataType};
        let tables: [(&[(u16, &str)], FieldDataType); 7] = [
            (names::SPORT, FieldDataType::Sport),
            (names::SUB_SPORT, FieldDataType::SubSport),
            (names::FILE, FieldDataType::File),
            (names::MANUFACTURER, FieldDataType::Manufacturer),
            (names::GARMIN_PRODUCT, FieldDataType::GarminProduct),
            (names::FAVERO_PRODUCT, FieldDataType::FaveroProduct),
            (names::FIT_BASE_TYPE, FieldDataType::FitBaseType),
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
            let want = fit::read(&bytes, &name);
            let got = read(&bytes, &name);
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
            for (field, detail) in differences(&want, &got) {
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
}

#[cfg(test)]
mod unit_tests {
    use super::*;
    use crate::ingest::fit;
    use crate::model::Sport;

    fn same(
        want: &Result<Vec<Activity>, ReadError>,
        got: &Result<Vec<Activity>, ReadError>,
    ) -> bool {
        let d = super::tests::differences(want, got);
        if !d.is_empty() {
            eprintln!("{d:?}");
        }
        d.is_empty()
    }

    /// Builds FIT files by hand: definitions and data messages in either byte order.
    struct Builder {
        body: Vec<u8>,
        big: bool,
    }

    /// (field number, size, base type byte)
    type Field = (u8, u8, u8);

    impl Builder {
        fn new(big: bool) -> Builder {
            Builder {
                body: Vec::new(),
                big,
            }
        }

        fn define(&mut self, local: u8, global: u16, fields: &[Field]) {
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
        fn data(&mut self, header: u8, values: &[(u64, usize)]) {
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

        fn finish(&self) -> Vec<u8> {
            let mut out = vec![14u8, 0x20, 0x08, 0x08];
            out.extend((self.body.len() as u32).to_le_bytes());
            out.extend(b".FIT");
            let hcrc = fit::crc16(0, &out);
            out.extend(hcrc.to_le_bytes());
            out.extend(&self.body);
            let crc = fit::crc16(0, &out);
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
    const T0: u64 = 1_000_000_000;

    fn activity(big: bool) -> Vec<u8> {
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

    #[test]
    fn both_byte_orders_give_the_same_activity() {
        let little = read(&activity(false), "x");
        let big = read(&activity(true), "x");
        assert!(same(&little, &big));
        // And fitparser agrees.
        assert!(same(&fit::read(&activity(true), "x"), &big));
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

    #[test]
    fn compressed_timestamps_count_from_the_last_full_one() {
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
        let bytes = b.finish();
        let want = fit::read(&bytes, "x");
        let got = read(&bytes, "x");
        assert!(same(&want, &got));
        let got = got.unwrap();
        // 30 → 31 (+1), → 3 rolls over (+4), → 3 again (+0), → 10 (+7).
        assert_eq!(got[0].samples.t_s, [0.0, 1.0, 5.0, 5.0, 12.0]);
    }

    fn fixtures() -> Vec<(&'static str, &'static [u8])> {
        vec![
            (
                "fenix2",
                include_bytes!("../../fixtures/fit/python-fitparse-activity-small-fenix2-run.fit"),
            ),
            (
                "crc",
                include_bytes!("../../fixtures/fit/python-fitparse-activity-filecrc.fit"),
            ),
            (
                "eof",
                include_bytes!("../../fixtures/fit/python-fitparse-activity-unexpected-eof.fit"),
            ),
            (
                "chained",
                include_bytes!(
                    "../../fixtures/fit/python-fitparse-activity-settings-corruptheader.fit"
                ),
            ),
            (
                "settings",
                include_bytes!("../../fixtures/fit/python-fitparse-Settings.fit"),
            ),
            (
                "csd",
                include_bytes!("../../fixtures/fit/python-fitparse-compressed-speed-distance.fit"),
            ),
            (
                "fr645",
                include_bytes!("../../fixtures/fit/workoutizer-run_with_coordinates.fit"),
            ),
        ]
    }

    #[test]
    fn fixtures_match_fitparser() {
        for (name, bytes) in fixtures() {
            assert!(same(&fit::read(bytes, name), &read(bytes, name)), "{name}");
        }
    }

    #[test]
    fn truncated_files_match_fitparser() {
        for (name, bytes) in fixtures() {
            let step = (bytes.len() / 97).max(1);
            for cut in (0..bytes.len()).step_by(step) {
                let part = &bytes[..cut];
                let got = read(part, name);
                // fitparser itself panics on some cuts (a header shorter than its size byte
                // says); compare where it does not.
                let want = std::panic::catch_unwind(|| fit::read(part, name));
                if let Ok(want) = want {
                    assert!(same(&want, &got), "{name} cut at {cut}");
                }
            }
        }
    }

    #[test]
    fn byte_table_crc_equals_the_nibble_crc() {
        for (name, bytes) in fixtures() {
            assert_eq!(crc16(0, bytes), fit::crc16(0, bytes), "{name}");
            assert_eq!(
                crc16(0x1234, &bytes[..37]),
                fit::crc16(0x1234, &bytes[..37])
            );
            assert_eq!(
                check_crcs(&bytes[..bytes.len() - 3]),
                fit::check_crcs(&bytes[..bytes.len() - 3])
            );
        }
    }

    #[test]
    fn field_defined_twice_keeps_the_last_valid_value() {
        // Found by cargo-fuzz: a record definition that defines position_lat three times and
        // position_long twice, the later definitions empty. fitparser stores only valid values,
        // each over the one before, so the 4-byte definitions give the position. (Its distance
        // comes twice, from the field and from compressed_speed_distance, in random order: not
        // compared with fitparser here.)
        let bytes = include_bytes!("../../fixtures/fuzz/fit-field-defined-twice.fit");
        let a = &read(bytes, "fuzz").unwrap()[0];
        assert_eq!(a.samples.lat_deg[0], 0.0);
        assert_eq!(a.samples.lon_deg[0], 19.478759765625);
    }

    #[test]
    fn compressed_speed_distance_of_an_unknown_base_type_is_read_as_bytes() {
        // Found by cargo-fuzz: `compressed_speed_distance` defined with base type 0x11, which
        // fitparser reads as uint8 elements and expands all the same (7/16 m here).
        let bytes =
            include_bytes!("../../fixtures/fuzz/fit-compressed-speed-distance-unknown-base.fit");
        let a = &read(bytes, "fuzz").unwrap()[0];
        assert_eq!(a.samples.distance_m[0], 0.4375);
        let want = &fit::read(bytes, "fuzz").unwrap()[0];
        assert_eq!(want.samples.distance_m[0], 0.4375);
    }

    #[test]
    fn a_string_field_of_size_zero_is_absent() {
        // Found by cargo-fuzz: position_lat defined again, later in the same definition, as a
        // string of 0 bytes. fitparser never reads it, so the first definition's value stays.
        let bytes = include_bytes!("../../fixtures/fuzz/fit-empty-string-field.fit");
        let got = read(bytes, "fuzz");
        assert!(same(&fit::read(bytes, "fuzz"), &got));
        let a = &got.unwrap()[0];
        assert_eq!(a.samples.lat_deg[0], -256.0 * 180.0 / 2f64.powi(31));
        assert_eq!(a.samples.lon_deg[0], 73.0 * 180.0 / 2f64.powi(31));
    }

    #[test]
    fn a_string_in_a_session_field_never_read_does_not_stop_decoding() {
        // Found by cargo-fuzz: the second of two sessions holds a string in field 101, which
        // fitparser cannot scale, so it stops the whole file there; fitdecode never reads that
        // field and keeps both sessions.
        let bytes = include_bytes!("../../fixtures/fuzz/fit-string-in-session-field.fit");
        assert_eq!(read(bytes, "fuzz").unwrap().len(), 2);
        let want = fit::read(bytes, "fuzz").unwrap();
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
    fn an_accumulated_array_that_changes_length_does_not_stop_decoding() {
        // Found by cargo-fuzz: records whose `cycles` array (accumulated into `total_cycles`)
        // holds 4 elements in one record and 49 in the next. fitparser cannot add them and stops
        // the file there with one sample; fitdecode never reads `cycles` and keeps both samples
        // up to where the (truncated) file breaks.
        let bytes = include_bytes!("../../fixtures/fuzz/fit-accumulated-array-changes-length.fit");
        let got = &read(bytes, "fuzz").unwrap()[0];
        assert_eq!(got.samples.len(), 2);
        let want = &fit::read(bytes, "fuzz").unwrap()[0];
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
    fn enhanced_altitude_field_wins_over_altitude_component() {
        // Found by cargo-fuzz: a record with `enhanced_altitude` and, after it, a 1-byte
        // `altitude`. fitparser names both the field and altitude's component
        // `enhanced_altitude`, in random order; the field itself is taken here.
        let a = &read(
            include_bytes!("../../fixtures/fuzz/fit-altitude-after-enhanced-altitude.fit"),
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
}
