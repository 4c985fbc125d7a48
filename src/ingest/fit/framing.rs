//! FIT framing: the file header, record headers (normal and compressed-timestamp), definition
//! messages, and the CRC.
//!
//! One pass over the bytes: definitions live in a fixed array of 16 slots, data messages are read
//! field by field at offsets computed once per definition, and only the fields patella uses are
//! decoded (the rest are skipped by size; see `messages.rs`).
//!
//! The framing follows fitparser's deserializer step by step (its position bookkeeping, chained
//! files, the "bytes needed" of a truncated message), so that a damaged file stops at the same
//! message with the same warning as the fitparser-based reference reader. Developer fields are
//! skipped by size, and used under a profile name only when no profile field of that name is
//! present, as fitparser's name lookup does.

use std::collections::HashMap;

use super::messages::{Decoded, DevDescription, DevNamed, Named, RecordPlan, MESG_RECORD};
use super::value::{consumed, num, read_raw, timestamp_of, Base, First, Raw, Scalar, ABSENT};
use super::Stop;

/// The field number of `timestamp` in every message that has one.
pub(super) const FIELD_TIMESTAMP: u8 = 253;

// ---------------------------------------------------------------------------------------------
// Definitions
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug)]
pub(super) struct FieldDef {
    pub(super) number: u8,
    pub(super) size: u8,
    pub(super) base: Base,
    /// Offset of the field in the message body (after the header byte).
    pub(super) at: u16,
}

#[derive(Clone, Copy, Debug)]
struct DevFieldDef {
    num: u8,
    size: u8,
    index: u8,
}

#[derive(Clone, Debug)]
pub(super) struct Definition {
    pub(super) big: bool,
    pub(super) global: u16,
    fields: Vec<FieldDef>,
    dev: Vec<DevFieldDef>,
    /// Bytes of the regular fields.
    fields_size: usize,
    /// Bytes of the developer fields as declared.
    dev_size: usize,
    /// Field number → index + 1 in `fields` of its last definition (0: not in this definition).
    pub(super) by_number: [u8; 256],
    /// Whether some field number is defined more than once.
    duplicates: bool,
    /// `dev` resolved against the developer field descriptions of generation `dev_generation`.
    dev_resolved: Vec<Option<Resolved>>,
    dev_generation: u64,
    /// `timestamp` as a scalar read at a fixed offset, when it is one and defined once.
    timestamp: Option<Slot>,
    /// For `record` messages: every field patella reads, resolved once (see [`RecordPlan`]).
    pub(super) record: Option<RecordPlan>,
}

/// A field of a definition resolved once: its offset and its reader (`None`: the definition
/// has no such field).
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Slot {
    pub(super) at: u16,
    pub(super) read: Option<Scalar>,
}

impl Slot {
    /// The value of this field in `body` (`None`: absent or invalid).
    #[inline(always)]
    pub(super) fn value(self, body: &[u8], big: bool) -> Option<f64> {
        self.read?.read(body.get(self.at as usize..)?, big)
    }
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
            timestamp: None,
            record: None,
        }
    }

    /// Field `number` as a [`Slot`] read by a [`Scalar`] reader: `Some(slot)` with no reader when
    /// the definition lacks the field, `None` when the field needs the general reader (defined
    /// twice, an array, a string or a 64-bit integer).
    pub(super) fn slot(&self, number: u8) -> Option<Slot> {
        let i = self.by_number[number as usize] as usize;
        let Some(f) = i.checked_sub(1).and_then(|i| self.fields.get(i)) else {
            return Some(Slot::default());
        };
        if self.duplicates && self.fields.iter().filter(|g| g.number == number).count() > 1 {
            return None;
        }
        Some(Slot {
            at: f.at,
            read: Some(Scalar::of(f.base, f.size)?),
        })
    }

    /// The field that fitparser holds for `number`, and its value: the last definition of the
    /// number, or, when that one is invalid and the number is defined more than once, the last
    /// valid one (fitparser only stores valid values, each over the one before).
    #[inline]
    pub(super) fn pick(&self, body: &[u8], number: u8) -> Option<(FieldDef, Raw)> {
        let i = self.by_number[number as usize] as usize;
        let f = *self.fields.get(i.checked_sub(1)?)?;
        let raw = self.read(body, &f);
        if raw.present || !self.duplicates {
            return Some((f, raw));
        }
        Some(self.last_valid(body, number, i - 1).unwrap_or((f, raw)))
    }

    #[inline]
    fn read(&self, body: &[u8], f: &FieldDef) -> Raw {
        read_raw(
            body.get(f.at as usize..).unwrap_or(&[]),
            f.base,
            f.size as usize,
            self.big,
        )
    }

    /// The last valid definition of `number` before `fields[before]` (a number defined twice).
    #[cold]
    fn last_valid(&self, body: &[u8], number: u8, before: usize) -> Option<(FieldDef, Raw)> {
        self.fields[..before]
            .iter()
            .rev()
            .filter(|g| g.number == number)
            .map(|g| (*g, self.read(body, g)))
            .find(|(_, r)| r.present)
    }

    #[inline]
    pub(super) fn raw(&self, body: &[u8], number: u8) -> Raw {
        self.pick(body, number).map_or(ABSENT, |(_, r)| r)
    }

    pub(super) fn field_bytes<'a>(
        &self,
        body: &'a [u8],
        number: u8,
    ) -> Option<(&'a [u8], FieldDef)> {
        let (f, _) = self.pick(body, number)?;
        Some((body.get(f.at as usize..)?, f))
    }
}

// ---------------------------------------------------------------------------------------------
// The decoder
// ---------------------------------------------------------------------------------------------

pub(super) struct Decoder {
    /// Boxed: a data message takes its definition out and puts it back, a pointer each way.
    definitions: [Option<Box<Definition>>; 16],
    pub(super) descriptions: HashMap<(u8, u8), DevDescription>,
    /// Bumped whenever `descriptions` changes, to refresh definitions' resolved dev fields.
    pub(super) generation: u64,
    base_timestamp: i64,
    /// fitparser's accumulated `compressed_speed_distance` distance (raw 1/16 m units).
    pub(super) distance_accumulator: Option<u64>,
    pub(super) out: Decoded,
    /// Whether record definitions get a [`RecordPlan`] (off only in the test that holds the
    /// plans to the general path).
    pub(super) plans: bool,
}

fn needed(n: usize) -> String {
    if n == 0 {
        "parser error: requires more data".to_string()
    } else {
        format!("parser error: requires {n} more bytes")
    }
}

impl Decoder {
    pub(super) fn new() -> Decoder {
        Decoder {
            definitions: Default::default(),
            descriptions: HashMap::new(),
            generation: 0,
            base_timestamp: 0,
            distance_accumulator: None,
            out: Decoded::default(),
            plans: true,
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

    /// Runs over the whole file; returns what stopped decoding, worded as the reference reader
    /// words fitparser's errors.
    pub(super) fn run(&mut self, bytes: &[u8]) -> Option<Stop> {
        let mut at = 0usize; // the real offset
        let mut position = 0usize; // fitparser's position
        let mut end = 0usize;
        while at < bytes.len() {
            let input = &bytes[at..];
            if position > 0 && position == end {
                if input.len() < 2 {
                    // fitparser reads the CRC with a "complete" parser: end of file, not
                    // "bytes needed".
                    let detail = format!("parser error: 'End of file' at position: {position:#x}");
                    return Some(Stop::Framing { at, detail });
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
                        return Some(Stop::Framing {
                            at,
                            detail: needed(n),
                        });
                    }
                    Err(HeaderError::Tag) => {
                        let detail = format!("parser error: 'Tag' at position: {position:#x}");
                        return Some(Stop::Framing { at, detail });
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
                    Err(n) => {
                        return Some(Stop::Framing {
                            at,
                            detail: needed(n),
                        })
                    }
                }
                continue;
            }
            let (local, time_offset) = if b & 0x80 != 0 {
                ((b >> 5) & 0x3, Some(b & 0x1F))
            } else {
                (b & 0xF, None)
            };
            let Some(mut def) = self.definitions[local as usize].take() else {
                let detail = format!(
                    "no definition found for local message number {local} at position \
                     {position:#x}"
                );
                return Some(Stop::Framing { at, detail });
            };
            let result = self.data(&input[1..], &mut def, time_offset, position);
            self.definitions[local as usize] = Some(def);
            match result {
                Ok(len) => {
                    at += 1 + len;
                    position += 1 + len;
                }
                Err(DataError::Parse(detail)) => return Some(Stop::Framing { at, detail }),
                Err(DataError::Decode(detail)) => {
                    let index = self.out.messages;
                    return Some(Stop::Value { index, detail });
                }
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
            .unwrap_or_else(|| Box::new(Definition::empty()));
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
        def.timestamp = def
            .slot(FIELD_TIMESTAMP)
            .filter(|s| self.plans && s.read.is_some_and(Scalar::integer));
        def.record = if global == MESG_RECORD && self.plans {
            // The first record definition: room for as many records as the rest of the file
            // could hold (address space only: pages are touched as records are written), so
            // the columns are never copied to a larger block.
            if self.out.records.t.capacity() == 0 {
                let most = rem / (1 + def.fields_size + def.dev_size).max(4);
                self.out.records.reserve(most.min(1 << 20));
            }
            RecordPlan::of(&def)
        } else {
            None
        };
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
        // Made only for a message with a named developer field: the table is 700 bytes, and
        // filling it for every message was a tenth of the instructions of a FIT run.
        let mut dev: Option<DevNamed> = None;
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
                    let dev = dev.get_or_insert(DevNamed::NONE);
                    dev.any = true;
                    dev.vals[named as usize] = Some(num(raw, d.scale, d.offset));
                }
            }
            len += n;
        }
        let body = &body[..len];

        // fitparser: a message's own timestamp resets the base of compressed timestamps.
        // (the base it sets, the message's timestamp): an array sets the base to 0 and gives
        // the message no timestamp, as fitparser does.
        let own: Option<(i64, Option<i64>)> = match def.timestamp {
            Some(slot) => slot
                .value(body, def.big)
                .map(|v| (v as i64, Some(v as i64))),
            None => {
                let raw = def.raw(body, FIELD_TIMESTAMP);
                raw.present.then(|| {
                    let base = match raw.first {
                        First::Int(i, _) if !raw.array => i,
                        _ => 0,
                    };
                    (base, timestamp_of(raw))
                })
            }
        };
        if let Some((base, _)) = own {
            self.base_timestamp = base;
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
        let timestamp = match own {
            Some((_, own)) => own,
            None => compressed_ts,
        };

        let dev = dev.as_ref().unwrap_or(&DevNamed::NONE);
        self.message(body, def, timestamp, dev)
            .map_err(DataError::Decode)?;
        self.out.messages += 1;
        Ok(len)
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
// CRCs
// ---------------------------------------------------------------------------------------------

/// The FIT CRC-16 (CRC-16/ARC, reflected polynomial 0xA001), sliced by 16: `CRC_TABLES[0]` is
/// the byte-at-a-time table, `CRC_TABLES[k][b]` the CRC of byte `b` followed by `k` zero bytes,
/// so that sixteen bytes fold in with sixteen lookups and no dependency between them (8 KB of
/// tables, within the first-level cache).
const CRC_TABLES: [[u16; 256]; 16] = {
    let mut tables = [[0u16; 256]; 16];
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
        tables[0][i] = crc;
        i += 1;
    }
    let mut k = 1;
    while k < 16 {
        let mut i = 0;
        while i < 256 {
            let prev = tables[k - 1][i];
            tables[k][i] = (prev >> 8) ^ tables[0][(prev & 0xFF) as usize];
            i += 1;
        }
        k += 1;
    }
    tables
};

/// The FIT CRC-16 of `bytes`, continuing from `crc` (0 for a new one): the crate's one CRC,
/// also used by the FIT writer of `synth`. Two halves are folded in one loop, each its own chain
/// of lookups (one chain waits on its table loads: two ran 1.6-2.0 times as fast over the
/// corpus's FIT files, side by side in one process), and joined at the end: the CRC is linear,
/// so the first half's CRC carried over the second half's length of zero bytes, plus the second
/// half's own CRC, is the CRC of the whole.
pub(crate) fn crc16(crc: u16, bytes: &[u8]) -> u16 {
    let half = bytes.len() / 32 * 16;
    if half < 256 {
        return crc16_one(crc, bytes);
    }
    let (first, rest) = bytes.split_at(half);
    let (second, tail) = rest.split_at(half);
    let (mut a, mut b) = (crc, 0u16);
    for (p, q) in first.chunks_exact(16).zip(second.chunks_exact(16)) {
        a = fold16(a, p);
        b = fold16(b, q);
    }
    crc16_one(through_zeros(a, half) ^ b, tail)
}

/// [`crc16`] in one chain: sixteen bytes at a time, then the rest byte by byte.
fn crc16_one(mut crc: u16, bytes: &[u8]) -> u16 {
    let mut chunks = bytes.chunks_exact(16);
    for c in &mut chunks {
        crc = fold16(crc, c);
    }
    for &b in chunks.remainder() {
        crc = (crc >> 8) ^ CRC_TABLES[0][((crc ^ b as u16) & 0xFF) as usize];
    }
    crc
}

/// Sixteen bytes (`c` holds exactly 16) folded into `crc`.
#[inline(always)]
fn fold16(crc: u16, c: &[u8]) -> u16 {
    let t = &CRC_TABLES;
    // Two word loads, each byte shifted out of them.
    let a = u64::from_le_bytes(c[..8].try_into().unwrap()) ^ crc as u64;
    let b = u64::from_le_bytes(c[8..16].try_into().unwrap());
    let byte = |w: u64, k: u32| ((w >> (8 * k)) & 0xFF) as usize;
    (t[15][byte(a, 0)] ^ t[14][byte(a, 1)])
        ^ (t[13][byte(a, 2)] ^ t[12][byte(a, 3)])
        ^ (t[11][byte(a, 4)] ^ t[10][byte(a, 5)])
        ^ (t[9][byte(a, 6)] ^ t[8][byte(a, 7)])
        ^ (t[7][byte(b, 0)] ^ t[6][byte(b, 1)])
        ^ (t[5][byte(b, 2)] ^ t[4][byte(b, 3)])
        ^ (t[3][byte(b, 4)] ^ t[2][byte(b, 5)])
        ^ (t[1][byte(b, 6)] ^ t[0][byte(b, 7)])
}

/// `crc` carried through `n` zero bytes, in log2(n) steps: the effect of one zero byte is a
/// linear map of the 16 state bits (kept as the images of each bit), squared for each bit of `n`.
fn through_zeros(mut crc: u16, mut n: usize) -> u16 {
    let apply = |map: &[u16; 16], v: u16| {
        (0..16)
            .filter(|i| v >> i & 1 == 1)
            .fold(0u16, |acc, i| acc ^ map[i])
    };
    let mut power: [u16; 16] = std::array::from_fn(|i| {
        let s = 1u16 << i;
        (s >> 8) ^ CRC_TABLES[0][(s & 0xFF) as usize]
    });
    while n > 0 {
        if n & 1 == 1 {
            crc = apply(&power, crc);
        }
        power = std::array::from_fn(|i| apply(&power, power[i]));
        n >>= 1;
    }
    crc
}

/// The file CRC of each chained FIT file in `bytes`: a warning per mismatch, or per file that
/// ends before its header says it should.
pub(super) fn check_crcs(bytes: &[u8]) -> Vec<String> {
    let mut warnings = Vec::new();
    let mut at = 0usize;
    let mut index = 0usize;
    while at + 12 <= bytes.len() {
        let header = &bytes[at..];
        if !super::sniff(header) {
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
        let computed = crc16(0, &bytes[at..end]);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_is_crc_16_arc() {
        // The FIT SDK's CRC is CRC-16/ARC; its catalogue check value is that of "123456789".
        assert_eq!(crc16(0, b"123456789"), 0xBB3D);
        // Continuing from a partial CRC is the CRC of the whole.
        assert_eq!(crc16(crc16(0, b"1234"), b"56789"), 0xBB3D);
    }

    #[test]
    fn sliced_crc_is_the_bytewise_one() {
        let bytewise = |bytes: &[u8]| {
            let mut crc = 0u16;
            for &b in bytes {
                crc = (crc >> 8) ^ CRC_TABLES[0][((crc ^ b as u16) & 0xFF) as usize];
            }
            crc
        };
        // Every length from 0 to 40 (whole chunks and remainders), over varied bytes.
        let data: Vec<u8> = (0u32..40)
            .map(|i| (i * 97 + 13) as u8 ^ (i >> 2) as u8)
            .collect();
        for n in 0..=data.len() {
            assert_eq!(crc16(0, &data[..n]), bytewise(&data[..n]), "{n} bytes");
        }
    }

    #[test]
    fn two_halves_joined_are_the_crc_of_the_whole() {
        let bytewise = |mut crc: u16, bytes: &[u8]| {
            for &b in bytes {
                crc = (crc >> 8) ^ CRC_TABLES[0][((crc ^ b as u16) & 0xFF) as usize];
            }
            crc
        };
        let data: Vec<u8> = (0u32..20_000)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8)
            .collect();
        // Around the length where the halves start (512 bytes), odd tails, and long inputs;
        // from a fresh CRC and continuing one.
        for n in (0..600).chain([1023, 1024, 1025, 4099, 8192, 19_999, 20_000]) {
            for start in [0u16, 0xBB3D] {
                let want = bytewise(start, &data[..n]);
                assert_eq!(crc16(start, &data[..n]), want, "{n} bytes from {start:#x}");
            }
        }
        assert_eq!(through_zeros(0xBB3D, 0), 0xBB3D);
        assert_eq!(through_zeros(0x1234, 1000), bytewise(0x1234, &[0; 1000]));
    }

    #[test]
    fn crc_of_known_bytes() {
        // A 12-byte header: appending its CRC (little-endian) gives zero, as a file's CRC check
        // over its data and stored CRC does.
        let header = [
            14u8, 16, 0x34, 0x08, 0x5c, 0x01, 0, 0, b'.', b'F', b'I', b'T',
        ];
        let crc = crc16(0, &header);
        let mut with = header.to_vec();
        with.extend_from_slice(&crc.to_le_bytes());
        assert_eq!(crc16(0, &with), 0);
    }
}
