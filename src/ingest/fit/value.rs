//! FIT base types and the values read from them: sentinels (invalid markers) per base type,
//! arrays read by their first element, scale and offset, and the raw bits that component
//! expansion works on. Everything follows fitparser's rules, so that a field is present or
//! absent exactly where the reference decoder says so.

use super::profile;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Base {
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
    pub(super) fn from_byte(b: u8) -> Base {
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

    pub(super) fn from_name(name: &str) -> Base {
        profile::FIT_BASE_TYPE
            .iter()
            .find(|(_, n)| *n == name)
            .map_or(Base::Unknown, |(v, _)| Base::from_byte(*v as u8))
    }

    pub(super) fn size(self) -> usize {
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
pub(super) enum First {
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
pub(super) struct Raw {
    pub(super) present: bool,
    pub(super) array: bool,
    pub(super) first: First,
}

pub(super) const ABSENT: Raw = Raw {
    present: false,
    array: false,
    first: First::Invalid,
};

/// The `N` bytes at the start of `data` in little-endian order. Inlined: called, it was a
/// million calls on the corpus's FIT files, each handing its bytes back through memory.
#[inline(always)]
fn rd<const N: usize>(data: &[u8], big: bool) -> Option<[u8; N]> {
    let mut out: [u8; N] = data.get(..N)?.try_into().ok()?;
    if big {
        out.reverse();
    }
    Some(out)
}

/// One element at the start of `data`: whether it is valid, and its value.
#[inline]
pub(super) fn element(data: &[u8], base: Base, big: bool) -> (bool, First) {
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

/// A scalar field of a numeric base type, read by a reader chosen once per definition: the
/// same validity (sentinel) rules as [`element`] and [`read_raw`] for a field of one element,
/// without building a [`Raw`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Scalar {
    /// `enum`, `uint8`, `byte` and unknown base types: invalid at 0xFF.
    U8,
    U8z,
    S8,
    U16,
    U16z,
    S16,
    U32,
    U32z,
    S32,
    F32,
    F64,
}

impl Scalar {
    /// The reader for a field of `size` bytes of `base`, when it holds exactly one element of a
    /// type read here (64-bit integers and strings are left to [`read_raw`]).
    pub(super) fn of(base: Base, size: u8) -> Option<Scalar> {
        if size as usize != base.size() {
            return None;
        }
        Some(match base {
            Base::Enum | Base::U8 | Base::Byte | Base::Unknown => Scalar::U8,
            Base::U8z => Scalar::U8z,
            Base::S8 => Scalar::S8,
            Base::U16 => Scalar::U16,
            Base::U16z => Scalar::U16z,
            Base::S16 => Scalar::S16,
            Base::U32 => Scalar::U32,
            Base::U32z => Scalar::U32z,
            Base::S32 => Scalar::S32,
            Base::F32 => Scalar::F32,
            Base::F64 => Scalar::F64,
            Base::Str | Base::S64 | Base::U64 | Base::U64z => return None,
        })
    }

    /// Whether values of this reader are unsigned integers below 2^16, whose component bits
    /// (`altitude`, `speed`) are the value itself.
    pub(super) fn below_16_bits(self) -> bool {
        matches!(self, Scalar::U8 | Scalar::U8z | Scalar::U16 | Scalar::U16z)
    }

    /// Whether this reader yields integers (a timestamp is one).
    pub(super) fn integer(self) -> bool {
        !matches!(self, Scalar::F32 | Scalar::F64)
    }

    /// The value at the start of `data`, `None` when invalid or when `data` is too short.
    #[inline(always)]
    pub(super) fn read(self, data: &[u8], big: bool) -> Option<f64> {
        let keep = |ok: bool, v: f64| ok.then_some(v);
        match self {
            Scalar::U8 => data.first().and_then(|&b| keep(b != 0xFF, b as f64)),
            Scalar::U8z => data.first().and_then(|&b| keep(b != 0, b as f64)),
            Scalar::S8 => data.first().and_then(|&b| keep(b != 0x7F, b as i8 as f64)),
            Scalar::U16 => rd::<2>(data, big).and_then(|b| {
                let v = u16::from_le_bytes(b);
                keep(v != 0xFFFF, v as f64)
            }),
            Scalar::U16z => rd::<2>(data, big).and_then(|b| {
                let v = u16::from_le_bytes(b);
                keep(v != 0, v as f64)
            }),
            Scalar::S16 => rd::<2>(data, big).and_then(|b| {
                let v = i16::from_le_bytes(b);
                keep(v != 0x7FFF, v as f64)
            }),
            Scalar::U32 => rd::<4>(data, big).and_then(|b| {
                let v = u32::from_le_bytes(b);
                keep(v != 0xFFFF_FFFF, v as f64)
            }),
            Scalar::U32z => rd::<4>(data, big).and_then(|b| {
                let v = u32::from_le_bytes(b);
                keep(v != 0, v as f64)
            }),
            Scalar::S32 => rd::<4>(data, big).and_then(|b| {
                let v = i32::from_le_bytes(b);
                keep(v != 0x7FFF_FFFF, v as f64)
            }),
            Scalar::F32 => rd::<4>(data, big).and_then(|b| {
                let v = f32::from_le_bytes(b) as f64;
                keep(v.is_finite(), v)
            }),
            Scalar::F64 => rd::<8>(data, big).and_then(|b| {
                let v = f64::from_le_bytes(b);
                keep(v.is_finite(), v)
            }),
        }
    }
}

/// How many bytes fitparser consumes for a field of `size` bytes of `base`.
pub(super) fn consumed(base: Base, size: usize) -> usize {
    if base == Base::Str {
        size
    } else {
        size.div_ceil(base.size()) * base.size()
    }
}

/// The text of a string field: up to the first NUL, `None` when not UTF-8.
pub(super) fn string_of(data: &[u8]) -> Option<&str> {
    let end = data.iter().position(|b| *b == 0).unwrap_or(data.len());
    std::str::from_utf8(&data[..end]).ok()
}

/// Reads a field of `size` bytes (`data` holds at least `consumed(base, size)` bytes).
#[inline]
pub(super) fn read_raw(data: &[u8], base: Base, size: usize, big: bool) -> Raw {
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
    // Element sizes are powers of two: a shift, not a division, on the hottest path.
    let n = (size + bs - 1) >> bs.trailing_zeros();
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
pub(super) fn num(raw: Raw, scale: f64, offset: f64) -> Option<f64> {
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
pub(super) fn timestamp_of(raw: Raw) -> Option<i64> {
    if !raw.present || raw.array {
        return None;
    }
    Some(match raw.first {
        First::Int(i, _) => i,
        _ => 0,
    })
}

/// fitparser's `text` of an enum field: its name when the profile has one, else the number.
pub(super) fn enum_text(raw: Raw, table: &[(u16, &'static str)]) -> Option<String> {
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

pub(super) fn lookup(table: &[(u16, &'static str)], v: u16) -> Option<&'static str> {
    table
        .binary_search_by_key(&v, |(k, _)| *k)
        .ok()
        .map(|i| table[i].1)
}

/// The bytes fitparser feeds to component extraction (`Value::to_ne_bytes` on a little-endian
/// machine), as a little-endian integer of up to 8 bytes.
pub(super) fn component_bits(data: &[u8], base: Base, size: usize, big: bool) -> u64 {
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

pub(super) fn bits(v: u64, from: u32, n: u32) -> u64 {
    (v >> from) & ((1u64 << n) - 1)
}
