//! The XML walker the GPX and TCX readers share, and the text parsing both need.
//!
//! [`Doc`] turns a file's bytes into text (UTF-8, UTF-16 with a BOM, or Latin-1) and maps a
//! byte of that text back to a byte of the file. [`walk`] reads the markup in place and hands
//! each element to the format's [`Handler`] by tag: where it opens, with its attributes, and
//! where it closes, with its text. The tags of the open elements, their names and any text that
//! must be copied sit in buffers reused for the whole file, so an element costs no allocation.
//! Damage ends the walk with a [`ReadError::Damaged`] that names the byte of the file; the
//! format keeps what came before it ([`salvaged`]) or gives the error.

use std::borrow::Cow;

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::ingest::error::{Position, ReadError};

/// What a format makes of the elements: its tags, and what each means where it opens and closes.
pub(crate) trait Handler {
    /// The elements the format tells apart; every other element is one more tag.
    type Tag: Copy + Eq;

    /// The tag of an element by its local name (namespace prefix removed: `gpxtpx:hr` is `hr`).
    fn tag(local_name: &str) -> Self::Tag;

    /// Element `tag` opens inside `open` (the open elements, outermost first, not `tag` itself).
    fn open(&mut self, open: &[Self::Tag], tag: Self::Tag, e: &Start);

    /// The innermost element of `open` closes; `text` is the text after its last child, trimmed
    /// (empty for `<x/>`).
    fn close(&mut self, open: &[Self::Tag], text: &str);
}

/// A file decoded for the walk: the text, where the markup starts in it, and how to count back
/// to bytes of the file.
pub(crate) struct Doc<'a> {
    text: Cow<'a, str>,
    /// The byte of `text` where the markup starts (after BOMs and blank lines).
    start: usize,
    encoding: Encoding,
}

/// How the file's bytes became `Doc::text`, for mapping offsets back.
#[derive(Clone, Copy)]
enum Encoding {
    /// Byte for byte, after a BOM of `bom` bytes (0 or 3).
    Utf8 { bom: usize },
    /// One byte of the file for each character, after a BOM of `bom` bytes (0 or 3).
    Latin1 { bom: usize },
    /// Two bytes of the file for each UTF-16 unit, after the 2-byte BOM.
    Utf16,
}

impl<'a> Doc<'a> {
    /// The document as text: decoded (UTF-8, UTF-16 with BOM, or Latin-1 when not valid UTF-8),
    /// with a leading BOM and anything before the first `<` passed over (Strava writes blank
    /// lines before `<?xml`, which XML forbids).
    pub(crate) fn new(bytes: &'a [u8]) -> Result<Doc<'a>, ReadError> {
        let (text, encoding) = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
            decode_8bit(rest, 3)
        } else if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
            (decode_utf16(rest, u16::from_le_bytes), Encoding::Utf16)
        } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
            (decode_utf16(rest, u16::from_be_bytes), Encoding::Utf16)
        } else {
            decode_8bit(bytes, 0)
        };
        // BOMs and whitespace in any order before the first markup.
        let start = text
            .char_indices()
            .find(|&(_, c)| !(c.is_whitespace() || c == '\u{FEFF}'))
            .map(|(i, _)| i)
            .unwrap_or(text.len());
        if start == text.len() {
            return Err(ReadError::invalid("empty file"));
        }
        if !text[start..].starts_with('<') {
            return Err(ReadError::invalid("not XML (does not start with '<')"));
        }
        Ok(Doc {
            text,
            start,
            encoding,
        })
    }

    /// The text from the first markup on: what the walk reads.
    fn markup(&self) -> &str {
        &self.text[self.start..]
    }

    /// The byte of the file where byte `pos` of [`Doc::markup`] comes from.
    fn file_offset(&self, pos: u64) -> u64 {
        let end = usize::try_from(pos)
            .unwrap_or(usize::MAX)
            .saturating_add(self.start)
            .min(self.text.len());
        let before = &self.text.as_bytes()[..end];
        // UTF-8 lead bytes start characters; 4-byte ones are two UTF-16 units.
        let chars = || before.iter().filter(|&&b| b & 0xC0 != 0x80);
        let n = match self.encoding {
            Encoding::Utf8 { bom } => bom + end,
            Encoding::Latin1 { bom } => bom + chars().count(),
            Encoding::Utf16 => 2 + 2 * chars().map(|&b| 1 + usize::from(b >= 0xF0)).sum::<usize>(),
        };
        n as u64
    }
}

fn decode_8bit(bytes: &[u8], bom: usize) -> (Cow<'_, str>, Encoding) {
    match std::str::from_utf8(bytes) {
        Ok(s) => (Cow::Borrowed(s), Encoding::Utf8 { bom }),
        // Not UTF-8: read as Latin-1, which maps every byte and keeps all the ASCII markup.
        Err(_) => (
            Cow::Owned(bytes.iter().map(|&b| b as char).collect()),
            Encoding::Latin1 { bom },
        ),
    }
}

fn decode_utf16(bytes: &[u8], conv: fn([u8; 2]) -> u16) -> Cow<'static, str> {
    let units = bytes.chunks_exact(2).map(|c| conv([c[0], c[1]]));
    Cow::Owned(
        char::decode_utf16(units)
            .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect(),
    )
}

/// Walks the document, handing every element to `h`. Returns the damage that ended the walk
/// early, if any: `malformed XML` where the markup breaks (a close tag that does not match, a
/// tag, comment or section not closed), `truncated XML` where the file ends with elements still
/// open; each at a byte of the file.
///
/// The walk is our own: it finds each `<` with `memchr`, reads the tag in place and hands the
/// format borrowed names, attributes and text, so a track point costs no allocation and no
/// second pass over its bytes. It checks what the formats need (close tags match their open
/// tags, everything opened is closed) and is lenient where the data is not at risk: a bare `&`
/// is text, an unknown entity is dropped.
pub(crate) fn walk<H: Handler>(doc: &Doc, h: &mut H) -> Option<ReadError> {
    let s = doc.markup();
    let b = s.as_bytes();
    let mut tags: Vec<H::Tag> = Vec::new();
    // Where the name of each open element (with its prefix) is in `s`, and whether it is free of
    // quotes: no copy of it is made.
    let mut names: Vec<(usize, usize, bool)> = Vec::new();
    // Text since the last tag that had to be copied: pieces around a comment or CDATA section,
    // or with references or `\r` to replace. Plain text is handed over in place.
    let mut text = String::new();
    let malformed = |at: usize, message: String| {
        Some(ReadError::damaged(
            "malformed XML",
            Position::Byte(doc.file_offset(at as u64)),
            message,
        ))
    };
    let mut pos = 0;
    loop {
        // The next `<`, and whether the text before it has references or `\r` to replace.
        let (lt, plain) = match find(b, pos, [b'<', b'&', b'\r']) {
            Some(i) if b[i] == b'<' => (Some(i), true),
            Some(i) => (memchr::memchr(b'<', &b[i..]).map(|j| i + j), false),
            None => (None, true),
        };
        let Some(lt) = lt else {
            let &(from, to, _) = names.last()?;
            return Some(ReadError::damaged(
                "truncated XML",
                Position::Byte(doc.file_offset(b.len() as u64)),
                format!("unclosed <{}>", local(&s[from..to])),
            ));
        };
        let before = &s[pos..lt];
        match b.get(lt + 1) {
            Some(b'/') => {
                // The usual close tag is the innermost open element's name and a `>` at once:
                // checked in place, without looking for the `>` first. A name with a quote in
                // it (where a `>` may hide) takes the long way, which names what is wrong.
                let quick = names.last().and_then(|&(from, to, quoteless)| {
                    let end = lt + 2 + (to - from);
                    let same = quoteless
                        && b.get(end) == Some(&b'>')
                        && same_bytes(&b[lt + 2..end], &b[from..to]);
                    same.then_some(end)
                });
                let gt = match quick {
                    Some(gt) => gt,
                    None => {
                        let Some(gt) = find(b, lt, [b'>']) else {
                            return malformed(lt, unclosed("tag not closed: `>`"));
                        };
                        let name = s[lt + 2..gt].trim_ascii_end();
                        let Some(&(from, to, _)) = names.last() else {
                            return malformed(
                                lt,
                                format!(
                                    "ill-formed document: close tag `</{name}>` does not match any open tag"
                                ),
                            );
                        };
                        if s[from..to] != *name {
                            return malformed(
                                lt,
                                format!(
                                    "ill-formed document: expected `</{}>`, but `</{name}>` was found",
                                    &s[from..to]
                                ),
                            );
                        }
                        gt
                    }
                };
                let content = if text.is_empty() && plain {
                    before
                } else {
                    push_text(&mut text, before);
                    &text
                };
                h.close(&tags, trim(content));
                tags.pop();
                names.pop();
                text.clear();
                pos = gt + 1;
            }
            Some(b'!') => {
                push_text(&mut text, before);
                let rest = &s[lt..];
                pos = if let Some(body) = rest.strip_prefix("<!--") {
                    match memchr::memmem::find(body.as_bytes(), b"-->") {
                        Some(i) => lt + 4 + i + 3,
                        None => return malformed(lt, unclosed("comment not closed: `-->`")),
                    }
                } else if let Some(body) = rest.strip_prefix("<![CDATA[") {
                    match memchr::memmem::find(body.as_bytes(), b"]]>") {
                        Some(i) => {
                            text.push_str(&body[..i]);
                            lt + 9 + i + 3
                        }
                        None => return malformed(lt, unclosed("CDATA not closed: `]]>`")),
                    }
                } else if rest.len() >= 9 && rest.as_bytes()[2..9].eq_ignore_ascii_case(b"DOCTYPE")
                {
                    match doctype_end(&b[lt..]) {
                        Some(i) => lt + i + 1,
                        None => return malformed(lt, unclosed("DOCTYPE not closed: `>`")),
                    }
                } else {
                    return malformed(
                        lt,
                        "syntax error: unknown or missed symbol in markup".to_string(),
                    );
                };
            }
            Some(b'?') => {
                push_text(&mut text, before);
                pos = match memchr::memmem::find(&b[lt..], b"?>") {
                    Some(i) => lt + i + 2,
                    None if s[lt..].starts_with("<?xml") => {
                        return malformed(lt, unclosed("XML declaration not closed: `?>`"))
                    }
                    None => {
                        return malformed(lt, unclosed("processing instruction not closed: `?>`"))
                    }
                };
            }
            _ => {
                let gt = match tag_end(&b[lt..]) {
                    Ok(i) => lt + i,
                    Err(what) => return malformed(lt, unclosed(what)),
                };
                let empty = b[gt - 1] == b'/' && gt - 1 > lt;
                let inner = &s[lt + 1..if empty { gt - 1 } else { gt }];
                // The name ends at white space; a quote before that is kept in the name, but
                // marks it for the long way at its close tag.
                let stop = find(
                    inner.as_bytes(),
                    0,
                    [b' ', b'\t', b'\n', b'\r', b'"', b'\''],
                )
                .unwrap_or(inner.len());
                let quoteless = !matches!(inner.as_bytes().get(stop), Some(b'"' | b'\''));
                let name_len = if quoteless {
                    stop
                } else {
                    find(inner.as_bytes(), 0, [b' ', b'\t', b'\n', b'\r']).unwrap_or(inner.len())
                };
                let name = &inner[..name_len];
                let tag = H::tag(local(name));
                let start = Start {
                    attributes: &inner[name_len..],
                };
                h.open(&tags, tag, &start);
                tags.push(tag);
                if empty {
                    h.close(&tags, "");
                    tags.pop();
                } else {
                    names.push((lt + 1, lt + 1 + name_len, quoteless));
                }
                text.clear();
                pos = gt + 1;
            }
        }
    }
}

/// A start tag as [`walk`] hands it over: the raw text of its attributes.
pub(crate) struct Start<'a> {
    attributes: &'a str,
}

impl<'a> Start<'a> {
    /// The attributes as (local name, raw value) pairs, in order, up to the first one that is
    /// not `name="value"` or `name='value'`.
    pub(crate) fn attributes(&self) -> impl Iterator<Item = (&'a str, &'a str)> {
        let mut rest = self.attributes;
        std::iter::from_fn(move || {
            let r = rest.trim_ascii_start();
            let eq = memchr::memchr(b'=', r.as_bytes())?;
            let name = r[..eq].trim_ascii_end();
            let v = r[eq + 1..].trim_ascii_start();
            let quote = *v.as_bytes().first().filter(|&&c| c == b'"' || c == b'\'')?;
            let close = memchr::memchr(quote, &v.as_bytes()[1..])?;
            rest = &v[1 + close + 1..];
            Some((local(name), &v[1..1 + close]))
        })
    }
}

/// The local part of a qualified name (`gpxtpx:hr` is `hr`).
fn local(name: &str) -> &str {
    // A byte loop: names are a few bytes, and this runs for every tag.
    match name.bytes().position(|c| c == b':') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

/// The syntax error for markup that runs to the end of the input.
fn unclosed(what: &str) -> String {
    format!("syntax error: {what} not found before end of input")
}

/// Where the `>` that ends the tag starting `b` is, passing over quoted attribute values (which
/// may hold `>`); or what was not closed.
fn tag_end(b: &[u8]) -> Result<usize, &'static str> {
    let mut i = 1;
    loop {
        let Some(at) = find(b, i, [b'>', b'"', b'\'']) else {
            return Err("tag not closed: `>`");
        };
        let quote = b[at];
        if quote == b'>' {
            return Ok(at);
        }
        let Some(close) = find(b, at + 1, [quote]) else {
            return Err(if quote == b'"' {
                "attribute value not closed: `\"`"
            } else {
                "attribute value not closed: `'`"
            });
        };
        i = close + 1;
    }
}

/// Whether two short byte strings are equal, compared eight bytes at a time in line: names are
/// a few to tens of bytes, and a call to `memcmp` for each close tag cost more than the compare.
#[inline]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i + 8 <= a.len() {
        let word = |s: &[u8]| u64::from_le_bytes(s[i..i + 8].try_into().unwrap());
        if word(a) != word(b) {
            return false;
        }
        i += 8;
    }
    a[i..].iter().zip(&b[i..]).all(|(x, y)| x == y)
}

/// The first of the bytes `of` in `b` from `from` on, eight bytes at a time: tags and names
/// are a few to tens of bytes long, too short for a search call to pay off and long enough for
/// a byte loop to cost (the one in `tag_end` was a sixth of the instructions of a cold run).
#[inline]
fn find<const N: usize>(b: &[u8], from: usize, of: [u8; N]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // The high bit of each byte of `w` equal to `c`; exact for the lowest such byte, which is
    // all that is used.
    let hits = |w: u64, c: u8| {
        let x = w ^ (ONES * u64::from(c));
        x.wrapping_sub(ONES) & !x & HIGH
    };
    let mut i = from;
    while i + 8 <= b.len() {
        let w = u64::from_le_bytes(b[i..i + 8].try_into().unwrap());
        let m = of.iter().fold(0, |m, &c| m | hits(w, c));
        if m != 0 {
            return Some(i + (m.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    b.get(i..)?
        .iter()
        .position(|c| of.contains(c))
        .map(|k| i + k)
}

/// Where the `>` that ends the `<!DOCTYPE` starting `b` is: after its internal subset in
/// brackets, passing over quoted strings.
fn doctype_end(b: &[u8]) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote = None;
    for (i, &c) in b.iter().enumerate() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(c),
            (None, b'[') => depth += 1,
            (None, b']') => depth = depth.saturating_sub(1),
            (None, b'>') if depth == 0 => return Some(i),
            _ => {}
        }
    }
    None
}

/// Appends text with its references resolved and XML 1.0 line ends normalised (`\r\n` and `\r`
/// become `\n`).
fn push_text(buf: &mut String, raw: &str) {
    let mut rest = raw;
    while let Some(i) = memchr::memchr2(b'&', b'\r', rest.as_bytes()) {
        buf.push_str(&rest[..i]);
        if rest.as_bytes()[i] == b'\r' {
            buf.push('\n');
            rest = &rest[i + 1..];
            rest = rest.strip_prefix('\n').unwrap_or(rest);
        } else {
            rest = push_ref(buf, &rest[i..]);
        }
    }
    buf.push_str(rest);
}

/// Appends what the reference at the start of `at` (`&amp;`, `&#65;`, `&#x41;`) stands for and
/// returns the text after it; a `&` that starts no reference is itself, an unknown entity
/// nothing.
fn push_ref<'s>(buf: &mut String, at: &'s str) -> &'s str {
    // Names and numbers are short: look for the `;` in the next few bytes only.
    let semi = at.as_bytes()[1..]
        .iter()
        .take(32)
        .position(|&c| c == b';')
        .map(|i| i + 1);
    let Some(semi) = semi else {
        buf.push('&');
        return &at[1..];
    };
    let name = &at[1..semi];
    let number = if let Some(hex) = name.strip_prefix("#x").or(name.strip_prefix("#X")) {
        Some(u32::from_str_radix(hex, 16).ok())
    } else {
        name.strip_prefix('#').map(|dec| dec.parse::<u32>().ok())
    };
    match number {
        Some(n) => buf.extend(n.and_then(char::from_u32)),
        None => buf.push_str(match name {
            "amp" => "&",
            "lt" => "<",
            "gt" => ">",
            "quot" => "\"",
            "apos" => "'",
            _ => "",
        }),
    }
    &at[semi + 1..]
}

/// The warning for a file read up to damage: where it broke, and how many `what` were kept.
pub(crate) fn salvaged(damage: &ReadError, kept: usize, what: &str) -> String {
    format!("{damage}; kept the {kept} {what} read before it")
}

/// Points with a time, and in time order: drops the untimed ones and sorts the rest (stably)
/// where they are out of order.
pub(crate) struct Timed {
    pub(crate) total: usize,
    pub(crate) dropped: usize,
    pub(crate) sorted: bool,
}

impl Timed {
    pub(crate) fn keep<P>(points: &mut Vec<P>, time: fn(&P) -> Option<DateTime<Utc>>) -> Timed {
        let total = points.len();
        points.retain(|p| time(p).is_some());
        let sorted = points.windows(2).any(|w| time(&w[1]) < time(&w[0]));
        if sorted {
            points.sort_by_key(time);
        }
        Timed {
            total,
            dropped: total - points.len(),
            sorted,
        }
    }

    /// What was done, in the words of a format whose points are `what` (`track points`).
    pub(crate) fn warnings(&self, what: &str) -> impl Iterator<Item = String> {
        let dropped = (self.dropped > 0).then(|| {
            format!(
                "dropped {} of {} {what} without a time",
                self.dropped, self.total
            )
        });
        let sorted = self
            .sorted
            .then(|| format!("{what} out of time order; sorted by time"));
        dropped.into_iter().chain(sorted)
    }
}

// ---------------------------------------------------------------------------------------------
// Values in the text.

/// The value of the attribute with local name `name`, its references resolved and its white
/// space normalised (each tab, line end or `\r\n` one space), as XML 1.0 reads an attribute.
pub(crate) fn attr_value(e: &Start, name: &str) -> Option<String> {
    let (_, raw) = e.attributes().find(|(n, _)| *n == name)?;
    let mut v = String::with_capacity(raw.len());
    push_text(&mut v, raw);
    Some(v.replace(['\n', '\t'], " "))
}

/// A number, or NaN when empty or unreadable (a decimal comma is accepted).
pub(crate) fn parse_num(s: &str) -> f64 {
    let s = trim(s);
    if let Some(v) = short_decimal(s) {
        return v;
    }
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() => v,
        Ok(_) => f64::NAN,
        Err(_) => s
            .replacen(',', ".", 1)
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .unwrap_or(f64::NAN),
    }
}

/// A plain decimal (`-12.345`: a sign, at most 15 digits, one point, no exponent) read exactly
/// as `str::parse` reads it, only faster: the digits and the power of ten are both exact in an
/// `f64`, so the one division rounds correctly (Clinger's fast path). `None` for anything else.
fn short_decimal(s: &str) -> Option<f64> {
    const POW10: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    let b = s.as_bytes();
    let (negative, digits) = match b.first()? {
        b'-' => (true, &b[1..]),
        b'+' => (false, &b[1..]),
        _ => (false, b),
    };
    // Sixteen bytes at most: fifteen digits and the point.
    if digits.len() > 16 {
        return None;
    }
    let mut m = 0u64;
    let mut point = digits.len();
    for (i, &c) in digits.iter().enumerate() {
        let d = c.wrapping_sub(b'0');
        if d < 10 {
            m = m * 10 + u64::from(d);
        } else if c == b'.' && point == digits.len() {
            point = i;
        } else {
            return None;
        }
    }
    let fraction = digits.len().saturating_sub(point + 1);
    let n = digits.len() - usize::from(point < digits.len());
    if n == 0 || n > 15 {
        return None;
    }
    let v = m as f64 / POW10[fraction];
    Some(if negative { -v } else { v })
}

/// `s` without the white space around it: the XML kind (ASCII) at once, anything wider
/// (`str::trim`'s Unicode white space) only where a non-ASCII character is at either end.
fn trim(s: &str) -> &str {
    let t = s.trim_ascii();
    match (t.as_bytes().first(), t.as_bytes().last()) {
        (Some(a), Some(z)) if !a.is_ascii() || !z.is_ascii() => t.trim(),
        _ => t,
    }
}

/// An RFC 3339 time (fractional seconds, `Z` or an offset); a time without zone is UTC.
pub(crate) fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    let s = trim(s);
    if s.is_empty() {
        return None;
    }
    if let Some(t) = utc_time(s.as_bytes()) {
        return Some(t);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    let fixed = s.replacen(' ', "T", 1);
    let fixed = match fixed.strip_suffix('z') {
        Some(f) => format!("{f}Z"),
        None => fixed,
    };
    if let Ok(t) = DateTime::parse_from_rfc3339(&fixed) {
        return Some(t.with_timezone(&Utc));
    }
    // Offsets written without a colon (`+0100`).
    if let Ok(t) = DateTime::parse_from_str(&fixed, "%Y-%m-%dT%H:%M:%S%.f%z") {
        return Some(t.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(&fixed, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|n| n.and_utc())
}

/// The form nearly every track point has, `2025-09-02T10:30:00Z` or with a fraction of up to
/// nine digits, read without a general parser; `None` for anything else (offsets, leap
/// seconds, an impossible date), which [`parse_time`] leaves to chrono.
fn utc_time(b: &[u8]) -> Option<DateTime<Utc>> {
    let digits = |r: std::ops::Range<usize>| {
        b.get(r)?.iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let (&last, body) = b.split_last()?;
    if !matches!(last, b'Z' | b'z')
        || body.len() < 19
        || [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')]
            .iter()
            .any(|&(i, c)| !body[i].eq_ignore_ascii_case(&c))
    {
        return None;
    }
    let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    let (hour, minute, second) = (digits(11..13)?, digits(14..16)?, digits(17..19)?);
    let nanos = match &body[19..] {
        [] => 0,
        [b'.', fraction @ ..] if (1..=9).contains(&fraction.len()) => {
            digits(20..body.len())? * 10u32.pow(9 - fraction.len() as u32)
        }
        _ => return None,
    };
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let date = chrono::NaiveDate::from_ymd_opt(year as i32, month, day)?;
    let time = chrono::NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?;
    Some(date.and_time(time).and_utc())
}

/// Seconds from `a` to `b`, with sub-second precision.
pub(crate) fn seconds_between(a: DateTime<Utc>, b: DateTime<Utc>) -> f64 {
    let d = b - a;
    match d.num_microseconds() {
        Some(us) => us as f64 / 1e6,
        None => d.num_milliseconds() as f64 / 1e3,
    }
}

/// The median of `v` (NaN-free), or `None` when empty: how both readers judge a file's cadence.
pub(crate) fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    // Selection, not a sort: the middle value, and for an even count the largest below it.
    let n = v.len();
    let (below, &mut mid, _) = v.select_nth_unstable_by(n / 2, |a, b| a.total_cmp(b));
    Some(if n % 2 == 1 {
        mid
    } else {
        let lower = below.iter().copied().max_by(|a, b| a.total_cmp(b))?;
        (lower + mid) / 2.0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A handler that keeps the text of every element, innermost first as they close.
    #[derive(Default)]
    struct Texts(Vec<String>);

    impl Handler for Texts {
        type Tag = ();
        fn tag(_: &str) {}
        fn open(&mut self, _: &[()], _: (), _: &Start) {}
        fn close(&mut self, _: &[()], text: &str) {
            self.0.push(text.to_string());
        }
    }

    /// The damage `walk` finds in `bytes`, and the texts read before it.
    fn damage(bytes: &[u8]) -> (Option<ReadError>, Vec<String>) {
        let doc = Doc::new(bytes).expect("starts with markup");
        let mut h = Texts::default();
        let e = walk(&doc, &mut h);
        (e, h.0)
    }

    #[test]
    fn offsets_count_bytes_of_the_file_in_every_encoding() {
        // UTF-8 with a BOM and a CRLF before the markup: 3 + 2 + `<a>` 3 + `é` 2 = byte 10.
        let (e, texts) = damage(b"\xEF\xBB\xBF\r\n<a>\xC3\xA9</b>");
        assert_eq!(e.and_then(|e| e.position()), Some(Position::Byte(10)));
        assert!(texts.is_empty());

        // Latin-1 (not valid UTF-8): one byte per character, though `é` is two in the text:
        // 1 + 3 + 2 = byte 6.
        let (e, _) = damage(b"\n<a>\xE9\xE9</b>");
        assert_eq!(e.and_then(|e| e.position()), Some(Position::Byte(6)));

        // UTF-16 LE: the BOM 2, then two bytes per unit; ` <a>é` is 5 units and the emoji 2:
        // 2 + 2 * 7 = byte 16.
        let mut bytes = vec![0xFF, 0xFE];
        for u in " <a>\u{e9}\u{1F600}</b>".encode_utf16() {
            bytes.extend(u.to_le_bytes());
        }
        let (e, _) = damage(&bytes);
        assert_eq!(e.and_then(|e| e.position()), Some(Position::Byte(16)));

        // UTF-16 BE, cut off: the whole file is read, 2 + 2 * 7 (`<a><b>x`) = byte 16.
        let mut bytes = vec![0xFE, 0xFF];
        for u in "<a><b>x".encode_utf16() {
            bytes.extend(u.to_be_bytes());
        }
        let e = damage(&bytes).0.expect("truncated");
        assert_eq!(e.position(), Some(Position::Byte(16)));
        assert_eq!(e.to_string(), "truncated XML at byte 16: unclosed <b>");
    }

    #[test]
    fn text_is_trimmed_unescaped_and_its_line_ends_normalised() {
        let (e, texts) = damage(
            b"<r><x:a> 1 &amp; 2\r\n3\r4 </x:a><b/><c><![CDATA[<z>]]>&#65;</c><d><e/>tail</d></r>",
        );
        assert_eq!(e, None);
        assert_eq!(texts, ["1 & 2\n3\n4", "", "<z>A", "", "tail", ""]);
    }

    #[test]
    fn markup_around_the_elements_is_passed_over_and_broken_markup_named() {
        // A declaration, a DOCTYPE with an internal subset, comments (one inside text), a
        // processing instruction, and a `>` inside an attribute value.
        let (e, texts) = damage(
            b"<?xml version=\"1.0\"?><!DOCTYPE r [<!ELEMENT r ANY>]><r><!-- <x> -->\
              <a t=\"1 > 0\" u='2'>x<!-- c -->y &bogus; & z</a><?pi data?></r>",
        );
        assert_eq!(e, None);
        assert_eq!(texts, ["xy  & z", ""]);
        // Each unclosed construct is named, at the byte where it starts.
        for (doc, at, what) in [
            (&b"<r><!-- open"[..], 3, "comment not closed: `-->`"),
            (b"<r><![CDATA[ open", 3, "CDATA not closed: `]]>`"),
            (
                b"<r><?pi open",
                3,
                "processing instruction not closed: `?>`",
            ),
            (b"<r><a b=\"x>", 3, "attribute value not closed: `\"`"),
            (b"<r><a", 3, "tag not closed: `>`"),
        ] {
            let e = damage(doc).0.expect("broken");
            assert_eq!(e.position(), Some(Position::Byte(at)), "{e}");
            assert!(e
                .to_string()
                .ends_with(&format!("{what} not found before end of input")));
        }
        let e = damage(b"<r></r></q>").0.expect("unmatched");
        assert_eq!(
            e.to_string(),
            "malformed XML at byte 7: ill-formed document: close tag `</q>` does not match any \
             open tag"
        );
    }

    #[test]
    fn close_tags_match_the_whole_open_name() {
        // White space before the `>`, long names (more than a word) and names near the end of
        // the input close what they open.
        let (e, texts) =
            damage(b"<root><LongitudeDegrees>1</LongitudeDegrees ><n:x>2</n:x></root>");
        assert_eq!(e, None);
        assert_eq!(texts, ["1", "2", ""]);
        // A prefix of the name, the name and more, another case or a word that differs past
        // the first eight bytes: each named where it stands.
        for (doc, found) in [
            (&b"<r><trkpt>1</trk></r>"[..], "trk"),
            (b"<r><trk>1</trkpt></r>", "trkpt"),
            (b"<r><Time>1</time></r>", "time"),
            (
                b"<r><LatitudeDegrees>1</LatitudeDegreez></r>",
                "LatitudeDegreez",
            ),
        ] {
            let e = damage(doc).0.expect("mismatched");
            assert_eq!(
                e.position(),
                Some(Position::Byte(
                    doc.iter().position(|&c| c == b'/').unwrap() as u64 - 1
                ))
            );
            assert!(
                e.to_string()
                    .contains(&format!("but `</{found}>` was found")),
                "{e}"
            );
        }
        // A quote in a name may hide a `>`: the close tag ends at the first `>`, as it always did.
        let e = damage(b"<r><a\"b>\"c>x</a\"b>\"c></r>")
            .0
            .expect("mismatched");
        assert!(
            e.to_string()
                .ends_with("expected `</a\"b>\"c>`, but `</a\"b>` was found"),
            "{e}"
        );
    }

    #[test]
    fn attributes_by_local_name_with_references_resolved() {
        struct Attrs(Vec<(String, String)>, Option<String>);
        impl Handler for Attrs {
            type Tag = ();
            fn tag(_: &str) {}
            fn open(&mut self, _: &[()], _: (), e: &Start) {
                self.0
                    .extend(e.attributes().map(|(n, v)| (n.to_string(), v.to_string())));
                self.1 = attr_value(e, "creator");
            }
            fn close(&mut self, _: &[()], _: &str) {}
        }
        let doc = Doc::new(b"<gpx xmlns:x='u' x:lat = \"1.5\" creator=\"A &amp; B\tC\"/>")
            .expect("markup");
        let mut h = Attrs(Vec::new(), None);
        assert_eq!(walk(&doc, &mut h), None);
        let pairs: Vec<(&str, &str)> = h.0.iter().map(|(n, v)| (&n[..], &v[..])).collect();
        assert_eq!(
            pairs,
            [("x", "u"), ("lat", "1.5"), ("creator", "A &amp; B\tC")]
        );
        assert_eq!(h.1.as_deref(), Some("A & B C"));
    }

    #[test]
    fn the_word_at_a_time_search_finds_what_a_byte_loop_finds() {
        // Bytes of every value (high ones included, which the zero-byte test must not take
        // for hits), the wanted ones sparse and in runs; every start and every length.
        let bytes: Vec<u8> = (0u32..300)
            .map(|i| match i % 37 {
                5 | 6 => b'>',
                20 => b'"',
                _ => (i.wrapping_mul(2_654_435_761) >> 9) as u8 | (0x80 * (i % 3 == 0) as u8),
            })
            .collect();
        for len in [0, 1, 7, 8, 9, 15, 16, 17, 63, 300] {
            let b = &bytes[..len];
            for from in 0..=len + 1 {
                let naive = |of: &[u8]| {
                    b.get(from..)
                        .and_then(|r| r.iter().position(|c| of.contains(c)))
                        .map(|k| from + k)
                };
                assert_eq!(find(b, from, [b'>']), naive(b">"), "{len} {from}");
                assert_eq!(
                    find(b, from, [b'>', b'"', b'\'']),
                    naive(b">\"'"),
                    "{len} {from}"
                );
                assert_eq!(
                    find(b, from, [0x80, 0xFF]),
                    naive(&[0x80, 0xFF]),
                    "{len} {from}"
                );
            }
        }
    }

    #[test]
    fn the_usual_utc_form_reads_as_chrono_reads_it() {
        for s in [
            "2025-09-02T10:30:00Z",
            "2024-02-29T23:59:59.5Z",
            "2020-01-01t00:00:00.123456789z",
            "1999-12-31T12:00:00.000Z",
            "2025-09-02T10:30:00.1Z",
        ] {
            let chrono = DateTime::parse_from_rfc3339(s)
                .expect(s)
                .with_timezone(&Utc);
            assert_eq!(utc_time(s.as_bytes()), Some(chrono), "{s}");
            assert_eq!(parse_time(s), Some(chrono), "{s}");
        }
        // Everything else is chrono's (or none at all).
        for s in [
            "2025-09-02T10:30:00+02:00",
            "2025-02-29T10:30:00Z",
            "2016-12-31T23:59:60Z",
            "2025-09-02T10:30:00.1234567891Z",
            "2025-09-02 10:30:00Z",
            "2025-9-02T10:30:00Z",
            "2025-09-02T24:00:00Z",
        ] {
            assert_eq!(utc_time(s.as_bytes()), None, "{s}");
        }
        assert_eq!(
            parse_time("2025-09-02 10:30:00Z"),
            parse_time("2025-09-02T10:30:00Z")
        );
        assert!(parse_time("2016-12-31T23:59:60Z").is_some());
    }

    #[test]
    fn short_decimals_read_as_the_standard_parser_reads_them() {
        for s in [
            "0",
            "-0",
            "+7",
            "52.5200066",
            "-13.404954",
            "123.4",
            ".5",
            "5.",
            "000.000",
            "999999999999999",
            "0.00000000000001",
            "48.8566140",
            "-0.1",
        ] {
            let fast = short_decimal(s).expect(s);
            assert_eq!(fast.to_bits(), s.parse::<f64>().unwrap().to_bits(), "{s}");
        }
        // Anything else goes to the standard parser (or a decimal comma).
        for s in [
            "1e3",
            "1234567890123456",
            "nan",
            "",
            "-",
            ".",
            "1.2.3",
            "1,5",
        ] {
            assert_eq!(short_decimal(s), None, "{s}");
        }
        assert_eq!(parse_num(" 1e3 "), 1000.0);
        assert_eq!(parse_num("1,5"), 1.5);
        assert!(parse_num("inf").is_nan());
        // White space: the ASCII kind at once, Unicode's where a wide character is at an end.
        assert_eq!(trim(" \t12\r\n"), "12");
        assert_eq!(trim("\u{a0}12\u{2003}"), "12");
        assert_eq!(trim("é "), "é");
    }

    #[test]
    fn the_innermost_open_element_is_named_with_its_prefix_removed() {
        let e = damage(b"<gpx><trk><ns3:trkseg>").0.expect("truncated");
        assert_eq!(e.to_string(), "truncated XML at byte 22: unclosed <trkseg>");
        // An element closed before the cut is not named.
        let e = damage(b"<gpx><trk></trk><metadata/>").0.expect("truncated");
        assert_eq!(e.to_string(), "truncated XML at byte 27: unclosed <gpx>");
    }

    #[test]
    fn untimed_points_dropped_and_the_rest_sorted_stably() {
        let t = |s: i64| DateTime::from_timestamp(s, 0);
        let mut points = vec![
            (t(5), 'a'),
            (None, 'b'),
            (t(1), 'c'),
            (t(5), 'd'),
            (t(3), 'e'),
        ];
        let timed = Timed::keep(&mut points, |p| p.0);
        let order: String = points.iter().map(|p| p.1).collect();
        assert_eq!(order, "cead");
        let w: Vec<String> = timed.warnings("track points").collect();
        assert_eq!(
            w,
            [
                "dropped 1 of 5 track points without a time",
                "track points out of time order; sorted by time"
            ]
        );
        let mut in_order = vec![(t(1), 'a'), (t(2), 'b')];
        assert_eq!(Timed::keep(&mut in_order, |p| p.0).warnings("x").count(), 0);
    }
}
