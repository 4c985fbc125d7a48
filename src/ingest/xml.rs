//! The XML walker the GPX and TCX readers share, and the text parsing both need.
//!
//! [`Doc`] turns a file's bytes into text quick-xml can read (UTF-8, UTF-16 with a BOM, or
//! Latin-1) and maps a byte of that text back to a byte of the file. [`walk`] runs quick-xml's
//! event loop over borrowed events and hands each element to the format's [`Handler`] by tag:
//! where it opens, with its attributes, and where it closes, with its text. The tags of the open
//! elements, their names and the text sit in buffers reused for the whole file, so an element
//! costs no allocation. Damage ends the walk with a [`ReadError::Damaged`] that names the byte of
//! the file; the format keeps what came before it ([`salvaged`]) or gives the error.

use std::borrow::Cow;

use chrono::{DateTime, NaiveDateTime, Utc};
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::Reader;

use crate::ingest::error::{Position, ReadError};

/// What a format makes of the elements: its tags, and what each means where it opens and closes.
pub(crate) trait Handler {
    /// The elements the format tells apart; every other element is one more tag.
    type Tag: Copy + Eq;

    /// The tag of an element by its local name (namespace prefix removed: `gpxtpx:hr` is `hr`).
    fn tag(local_name: &str) -> Self::Tag;

    /// Element `tag` opens inside `open` (the open elements, outermost first, not `tag` itself).
    fn open(&mut self, open: &[Self::Tag], tag: Self::Tag, e: &BytesStart);

    /// The innermost element of `open` closes; `text` is the text after its last child, trimmed
    /// (empty for `<x/>`).
    fn close(&mut self, open: &[Self::Tag], text: &str);
}

/// A file decoded for quick-xml: the text, where the markup starts in it, and how to count back
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

    /// The text from the first markup on: what quick-xml reads.
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
/// early, if any: `malformed XML` where quick-xml found an error, `truncated XML` where the file
/// ends with elements still open; each at a byte of the file.
pub(crate) fn walk<H: Handler>(doc: &Doc, h: &mut H) -> Option<ReadError> {
    let mut reader = Reader::from_str(doc.markup());
    let mut tags: Vec<H::Tag> = Vec::new();
    // The local names of the open elements, back to back; `starts[i]` is where name `i` begins.
    let mut names = String::new();
    let mut starts: Vec<usize> = Vec::new();
    // The text since the last tag.
    let mut text = String::new();

    loop {
        let event = match reader.read_event() {
            Ok(e) => e,
            Err(e) => {
                let at = doc.file_offset(reader.error_position());
                return Some(ReadError::damaged(
                    "malformed XML",
                    Position::Byte(at),
                    e.to_string(),
                ));
            }
        };
        match event {
            Event::Start(e) => {
                let name = e.local_name();
                let tag = H::tag(name.as_ref());
                h.open(&tags, tag, &e);
                tags.push(tag);
                starts.push(names.len());
                names.push_str(name.as_ref());
                text.clear();
            }
            Event::Empty(e) => {
                let tag = H::tag(e.local_name().as_ref());
                h.open(&tags, tag, &e);
                tags.push(tag);
                h.close(&tags, "");
                tags.pop();
                text.clear();
            }
            Event::Text(t) => push_text(&mut text, &t),
            Event::CData(t) => text.push_str(&t),
            Event::GeneralRef(r) => push_ref(&mut text, &r),
            Event::End(_) => {
                if !tags.is_empty() {
                    h.close(&tags, text.trim());
                    tags.pop();
                    if let Some(s) = starts.pop() {
                        names.truncate(s);
                    }
                }
                text.clear();
            }
            Event::Eof => {
                let innermost = starts.last()?;
                let at = doc.file_offset(reader.buffer_position());
                return Some(ReadError::damaged(
                    "truncated XML",
                    Position::Byte(at),
                    format!("unclosed <{}>", &names[*innermost..]),
                ));
            }
            _ => {}
        }
    }
}

/// Appends text with XML 1.0 line ends normalised (`\r\n` and `\r` become `\n`), as
/// `BytesText::xml10_content` does, without a string of its own for each piece.
fn push_text(buf: &mut String, raw: &str) {
    let mut rest = raw;
    while let Some(i) = rest.find('\r') {
        buf.push_str(&rest[..i]);
        buf.push('\n');
        rest = &rest[i + 1..];
        rest = rest.strip_prefix('\n').unwrap_or(rest);
    }
    buf.push_str(rest);
}

/// Appends the text a `&...;` reference stands for.
fn push_ref(buf: &mut String, r: &BytesRef) {
    if let Ok(Some(c)) = r.resolve_char_ref() {
        buf.push(c);
        return;
    }
    let name: &str = r;
    buf.push_str(match name {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        _ => "",
    });
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

/// The unescaped value of the attribute with local name `local`.
pub(crate) fn attr_value(e: &BytesStart, local: &str) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        if a.key.local_name().as_ref() == local {
            Some(
                a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .map(|v| v.into_owned())
                    .unwrap_or_else(|_| a.value.to_string()),
            )
        } else {
            None
        }
    })
}

/// A number, or NaN when empty or unreadable (a decimal comma is accepted).
pub(crate) fn parse_num(s: &str) -> f64 {
    let s = s.trim();
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

/// An RFC 3339 time (fractional seconds, `Z` or an offset); a time without zone is UTC.
pub(crate) fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if s.is_empty() {
        return None;
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
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
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
        fn open(&mut self, _: &[()], _: (), _: &BytesStart) {}
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
