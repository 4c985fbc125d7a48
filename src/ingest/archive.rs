//! Gzip and zip, opened in memory with size and count limits. Member names are only ever used as
//! labels (`export.zip!inner/run.fit`): nothing is extracted to disk.

use std::cell::Cell;
use std::io::{Read, Seek};
use std::ops::ControlFlow;

use super::error::{one_line, SkipReason};
use super::Limits;

/// How much one top-level file may inflate to, all its archives and members together, counted
/// as bytes come out of the decompressor (never from what headers claim): the smaller of
/// [`Limits::budget_ratio`] × its size and [`Limits::max_budget_bytes`] (or
/// [`Limits::large_budget_ratio`] × its size, for a bulk export of gigabytes), and at least
/// [`Limits::min_budget_bytes`].
#[derive(Debug)]
pub struct Budget {
    archive: String,
    compressed: u64,
    total: u64,
    left: Cell<u64>,
}

impl Budget {
    /// The budget of the top-level file `archive`, `compressed` bytes long.
    pub fn for_file(archive: &str, compressed: u64, limits: &Limits) -> Budget {
        let cap = limits
            .max_budget_bytes
            .max(compressed.saturating_mul(limits.large_budget_ratio));
        let total = compressed
            .saturating_mul(limits.budget_ratio)
            .min(cap)
            .max(limits.min_budget_bytes);
        Budget {
            archive: archive.to_string(),
            compressed,
            total,
            left: Cell::new(total),
        }
    }

    /// Whether the budget ran out (a member was refused for it).
    pub fn used_up(&self) -> bool {
        self.left.get() == 0
    }

    /// Bytes the budget allows, in all.
    pub fn total(&self) -> u64 {
        self.total
    }

    fn used_up_reason(&self) -> SkipReason {
        SkipReason::BudgetUsedUp {
            archive: self.archive.clone(),
            budget: self.total,
            compressed: self.compressed,
        }
    }

    fn not_read(&self, members: usize) -> SkipReason {
        SkipReason::NotReadAfterBudget {
            archive: self.archive.clone(),
            budget: self.total,
            members,
        }
    }
}

/// Bytes inflated before the kind of a member is decided from them.
pub const HEAD_BYTES: usize = 4096;

/// Decides from the first bytes of a member (up to [`HEAD_BYTES`]) whether it is worth
/// inflating the rest: `Err` skips it with that reason, without inflating further.
pub type Admit<'a> = dyn Fn(&[u8]) -> Result<(), SkipReason> + 'a;

/// [`Admit`] for a zip member, which also sees the member's display name.
pub type AdmitMember<'a> = dyn Fn(&str, &[u8]) -> Result<(), SkipReason> + 'a;

/// Why [`inflate`] stopped.
enum Stop {
    Skip(SkipReason),
    /// The stream broke after this many bytes came out.
    Broken(u64, std::io::Error),
}

/// What a gzip stream or a zip member inflated to. The bytes sit in a buffer the thread keeps
/// for the next one, given back when this is dropped: a new buffer for each file was zeroed
/// before the inflater wrote into it, which cost more than checking the stream's CRC.
pub struct Inflated {
    /// Every byte initialised; the first `len` are the inflated stream.
    buf: Vec<u8>,
    len: usize,
}

/// The largest buffer a thread keeps for the next file; a larger one is freed with its file.
const KEEP_BYTES: usize = 64 << 20;

thread_local! {
    /// The buffer the last [`Inflated`] of this thread gave back.
    static SPARE: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl Inflated {
    /// An empty result in the thread's spare buffer (or a new one, when an archive inside an
    /// archive holds it).
    fn new() -> Inflated {
        let buf = SPARE
            .try_with(|s| s.try_borrow_mut().map(|mut s| std::mem::take(&mut *s)))
            .ok()
            .and_then(Result::ok)
            .unwrap_or_default();
        Inflated { buf, len: 0 }
    }

    /// Room for at least `n` bytes in all, zeroed where the buffer grows.
    fn room_for(&mut self, n: usize) {
        if self.buf.len() < n {
            self.buf.resize(n, 0);
        }
    }
}

/// Runs `f` on this thread's kept buffer (the one inflated files use), at least `n` bytes long:
/// for reading a file in pieces without a new zeroed buffer each time.
pub(crate) fn with_kept_buffer<T>(n: usize, f: impl FnOnce(&mut [u8]) -> T) -> T {
    let mut kept = Inflated::new();
    kept.room_for(n);
    f(&mut kept.buf)
}

impl std::ops::Deref for Inflated {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

impl std::fmt::Debug for Inflated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Inflated({} bytes)", self.len)
    }
}

impl Drop for Inflated {
    /// Gives the buffer back to the thread, unless it is larger than [`KEEP_BYTES`] or the
    /// thread already keeps a larger one.
    fn drop(&mut self) {
        let buf = std::mem::take(&mut self.buf);
        if buf.len() > KEEP_BYTES {
            return;
        }
        let _ = SPARE.try_with(|s| {
            if let Ok(mut s) = s.try_borrow_mut() {
                if s.len() < buf.len() {
                    *s = buf;
                }
            }
        });
    }
}

/// Inflates `reader`: first its head, which `admit` judges, then the rest, at most
/// [`Limits::max_file_bytes`] and what is left of `budget`, which is charged for every byte.
/// `hint` is the size a header claims (only to reserve memory; never trusted as a bound).
///
/// The inflater writes straight into the result (no chunk copied over); when the hint is short
/// the result grows by a quarter rather than doubling, so a large member costs little more
/// memory than its size.
fn inflate(
    mut reader: impl Read,
    hint: u64,
    limits: &Limits,
    budget: &Budget,
    admit: &Admit<'_>,
) -> Result<Inflated, Stop> {
    let cap = limits.max_file_bytes.min(budget.left.get());
    let mut out = Inflated::new();
    out.room_for(hint.min(cap).min(64 << 20) as usize + 1);
    let result = fill(&mut reader, &mut out, HEAD_BYTES as u64, cap)
        .and_then(|()| admit(&out).map_err(|r| Some(Stop::Skip(r))))
        .and_then(|()| fill(&mut reader, &mut out, u64::MAX, cap));
    match result {
        Ok(()) => {
            budget.left.set(budget.left.get() - out.len as u64);
            Ok(out)
        }
        Err(None) => {
            // Over the limit: charge what came out, and say which limit it was.
            let used = cap.min(budget.left.get());
            budget.left.set(budget.left.get() - used);
            Err(Stop::Skip(if cap < limits.max_file_bytes {
                budget.left.set(0);
                budget.used_up_reason()
            } else {
                SkipReason::ExpandsPastLimit {
                    limit: limits.max_file_bytes,
                }
            }))
        }
        Err(Some(stop)) => {
            budget.left.set(budget.left.get() - out.len as u64);
            Err(stop)
        }
    }
}

/// Reads up to `upto` more bytes of `reader` (or to its end) onto `out`, into its room;
/// `Err(None)` once `out` would hold more than `cap`.
fn fill(
    reader: &mut impl Read,
    out: &mut Inflated,
    upto: u64,
    cap: u64,
) -> Result<(), Option<Stop>> {
    let end = (out.len as u64)
        .saturating_add(upto)
        .min(cap.saturating_add(1));
    while (out.len as u64) < end {
        if out.len == out.buf.len() {
            out.room_for(out.len + (out.len / 4).max(64 << 10));
        }
        let room = ((out.buf.len() - out.len) as u64).min(end - out.len as u64) as usize;
        match reader.read(&mut out.buf[out.len..out.len + room]) {
            Ok(0) => break, // the end of the stream
            Ok(n) => out.len += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Some(Stop::Broken(out.len as u64, e))),
        }
    }
    if out.len as u64 > cap {
        return Err(None);
    }
    Ok(())
}

/// Decompresses a gzip stream (all members) within the limits and the budget; `admit` sees the
/// head of what it inflates to first.
pub fn gunzip(
    bytes: &[u8],
    limits: &Limits,
    budget: &Budget,
    admit: &Admit<'_>,
) -> Result<Inflated, SkipReason> {
    // The trailer's ISIZE: the last member's size modulo 2^32, exact for the usual one member.
    let hint = bytes
        .last_chunk::<4>()
        .map_or(0, |t| u64::from(u32::from_le_bytes(*t)));
    let decoder = flate2::read::MultiGzDecoder::new(bytes);
    inflate(decoder, hint, limits, budget, admit).map_err(|stop| match stop {
        Stop::Skip(reason) => reason,
        Stop::Broken(inflated, e) => SkipReason::DamagedGzip {
            inflated,
            message: one_line(&e.to_string()),
        },
    })
}

/// Receives each member's display name and its bytes (or the reason it was not read), and says
/// whether to go on.
pub type MemberSink<'a> = dyn FnMut(&str, Result<Inflated, SkipReason>) -> ControlFlow<()> + 'a;

/// Calls `each` with the display name (`archive.zip!inner/path`) and bytes (or a reason) of every
/// file member of a zip, in archive order, within the limits and the budget. Directories, hidden
/// files and `__MACOSX/` are passed over. The member count is checked before anything inflates;
/// once the budget is used up the rest is not read (one entry says how many). An unreadable
/// archive gives one call with the archive's own name and the reason.
pub fn each_member(
    source: &str,
    bytes: impl Read + Seek,
    limits: &Limits,
    budget: &Budget,
    admit: &AdmitMember<'_>,
    each: &mut MemberSink<'_>,
) {
    let mut zip = match zip::ZipArchive::new(bytes) {
        Ok(z) => z,
        Err(e) => {
            let _ = each(
                source,
                Err(SkipReason::DamagedZip {
                    message: one_line(&e.to_string()),
                }),
            );
            return;
        }
    };
    if zip.len() > limits.max_zip_members {
        let _ = each(
            source,
            Err(SkipReason::TooManyMembers {
                count: zip.len(),
                limit: limits.max_zip_members,
            }),
        );
        return;
    }
    if zip.is_empty() {
        let _ = each(source, Err(SkipReason::EmptyZip));
        return;
    }
    for i in 0..zip.len() {
        if budget.used_up() {
            let _ = each(source, Err(budget.not_read(zip.len() - i)));
            return;
        }
        let member = match zip.by_index(i) {
            Ok(m) => m,
            Err(e) => {
                let flow = each(
                    &format!("{source}!#{i}"),
                    Err(SkipReason::DamagedMember {
                        index: i,
                        message: one_line(&e.to_string()),
                    }),
                );
                if flow.is_break() {
                    return;
                }
                continue;
            }
        };
        if member.is_dir() {
            continue;
        }
        let name = format!("{source}!{}", member.name());
        let hidden = member
            .name()
            .rsplit('/')
            .next()
            .is_some_and(|base| base.starts_with('.'))
            || member.name().starts_with("__MACOSX/");
        if hidden {
            continue;
        }
        let result = if member.size() > limits.max_file_bytes {
            Err(SkipReason::MemberTooLarge {
                size: member.size(),
                limit: limits.max_file_bytes,
            })
        } else {
            let hint = member.size();
            inflate(member, hint, limits, budget, &|head| admit(&name, head)).map_err(|stop| {
                match stop {
                    Stop::Skip(reason) => reason,
                    Stop::Broken(_, e) => SkipReason::DamagedMember {
                        index: i,
                        message: one_line(&e.to_string()),
                    },
                }
            })
        };
        if each(&name, result).is_break() {
            return;
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::io::{Cursor, Write};

    use super::*;

    pub(crate) fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(bytes).unwrap();
        enc.finish().unwrap()
    }

    fn zip_of(members: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data) in members {
            w.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    fn admit_all(_: &[u8]) -> Result<(), SkipReason> {
        Ok(())
    }

    fn budget(limits: &Limits, compressed: u64) -> Budget {
        Budget::for_file("top.zip", compressed, limits)
    }

    /// Every member: (name, bytes or reason).
    fn members(
        z: &[u8],
        limits: &Limits,
        budget: &Budget,
    ) -> Vec<(String, Result<Vec<u8>, SkipReason>)> {
        let mut seen = Vec::new();
        each_member(
            "z.zip",
            Cursor::new(z),
            limits,
            budget,
            &|_, _| Ok(()),
            &mut |n, r| {
                seen.push((n.to_string(), r.map(|m| m.to_vec())));
                ControlFlow::Continue(())
            },
        );
        seen
    }

    #[test]
    fn gunzip_round_trip_and_limit() {
        let data = vec![7u8; 10_000];
        let limits = Limits::default();
        let b = budget(&limits, 100);
        assert_eq!(
            *gunzip(&gzip(&data), &limits, &b, &admit_all).unwrap(),
            data
        );
        assert_eq!(b.total() - b.left.get(), 10_000, "charged as inflated");
        let small = Limits {
            max_file_bytes: 9_999,
            ..Limits::default()
        };
        let err = gunzip(&gzip(&data), &small, &budget(&small, 100), &admit_all).unwrap_err();
        assert_eq!(err, SkipReason::ExpandsPastLimit { limit: 9_999 });
        let err = gunzip(&[0x1f, 0x8b, 8, 0, 1, 2], &limits, &b, &admit_all).unwrap_err();
        assert!(matches!(err, SkipReason::DamagedGzip { .. }), "{err}");
    }

    #[test]
    fn each_result_holds_its_own_bytes_in_a_buffer_used_again() {
        let limits = Limits::default();
        let b = budget(&limits, 1 << 20);
        let long: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        let short = b"<gpx/>".to_vec();
        let first = gunzip(&gzip(&long), &limits, &b, &admit_all).unwrap();
        let kept = first.buf.as_ptr();
        // Inflated while the first is held (an archive inside an archive): a buffer of its own.
        let inner = gunzip(&gzip(&short), &limits, &b, &admit_all).unwrap();
        assert_ne!(inner.buf.as_ptr(), kept);
        assert_eq!((&*first, &*inner), (&long[..], &short[..]));
        drop(first);
        drop(inner);
        // The larger buffer is the one kept; the next stream sees only its own bytes in it.
        let again = gunzip(&gzip(&short), &limits, &b, &admit_all).unwrap();
        assert_eq!(again.buf.as_ptr(), kept);
        assert_eq!(*again, short);
        drop(again);
        let last = gunzip(&gzip(&long[..1000]), &limits, &b, &admit_all).unwrap();
        assert_eq!(*last, long[..1000]);
    }

    #[test]
    fn the_head_decides_before_the_rest_inflates() {
        // 64 MiB of zeros: refused after its head, without inflating the rest.
        let data = gzip(&vec![0u8; 64 << 20]);
        let limits = Limits::default();
        let b = budget(&limits, data.len() as u64);
        let err = gunzip(&data, &limits, &b, &|head| {
            assert_eq!(head.len(), HEAD_BYTES);
            Err(SkipReason::NotActivityFile {
                what: "zeros".into(),
            })
        })
        .unwrap_err();
        assert_eq!(err.kind(), "not-activity-file");
        assert_eq!(b.total() - b.left.get(), HEAD_BYTES as u64);
    }

    #[test]
    fn members_are_named_after_the_archive() {
        let z = zip_of(&[("a/run.gpx", b"x"), ("b.csv", b"y"), (".hidden", b"z")]);
        let limits = Limits::default();
        let seen: Vec<(String, Vec<u8>)> = members(&z, &limits, &budget(&limits, 100))
            .into_iter()
            .map(|(n, r)| (n, r.unwrap()))
            .collect();
        assert_eq!(
            seen,
            vec![
                ("z.zip!a/run.gpx".to_string(), b"x".to_vec()),
                ("z.zip!b.csv".to_string(), b"y".to_vec())
            ]
        );
    }

    #[test]
    fn member_count_and_size_limits() {
        let z = zip_of(&[("a", b"1"), ("b", b"2"), ("c", &[0u8; 100])]);
        let limits = Limits {
            max_zip_members: 2,
            ..Limits::default()
        };
        let seen = members(&z, &limits, &budget(&limits, 100));
        assert_eq!(seen.len(), 1);
        assert_eq!(
            seen[0].1,
            Err(SkipReason::TooManyMembers { count: 3, limit: 2 })
        );

        let limits = Limits {
            max_file_bytes: 50,
            ..Limits::default()
        };
        let seen = members(&z, &limits, &budget(&limits, 100));
        assert_eq!(seen[2].0, "z.zip!c");
        assert_eq!(
            seen[2].1,
            Err(SkipReason::MemberTooLarge {
                size: 100,
                limit: 50
            })
        );
        assert!(seen[0].1.is_ok() && seen[1].1.is_ok());
    }

    /// A zip whose headers (local and central) claim `claimed` bytes for every member.
    fn lying(z: &mut [u8], claimed: u32) {
        let mut i = 0;
        while i + 30 <= z.len() {
            if z[i..].starts_with(b"PK\x03\x04") {
                z[i + 22..i + 26].copy_from_slice(&claimed.to_le_bytes());
            } else if z[i..].starts_with(b"PK\x01\x02") {
                z[i + 24..i + 28].copy_from_slice(&claimed.to_le_bytes());
            }
            i += 1;
        }
    }

    #[test]
    fn the_budget_counts_what_inflates_not_what_headers_claim() {
        // Three members of 8 MiB each whose headers say 10 bytes, in an archive allowed to
        // inflate to its own size only.
        let big = vec![b' '; 8 << 20];
        let mut z = zip_of(&[("a.gpx", &big), ("b.gpx", &big), ("c.gpx", &big)]);
        lying(&mut z, 10);
        let limits = Limits {
            budget_ratio: 1,
            min_budget_bytes: 0,
            ..Limits::default()
        };
        let b = budget(&limits, z.len() as u64);
        assert_eq!(b.total(), z.len() as u64);
        assert!(b.total() < 8 << 20);
        let seen = members(&z, &limits, &b);
        // Whatever the zip reader makes of the lie, no member comes out larger than the budget,
        // and the budget, once used up, stops the archive.
        for (name, r) in &seen {
            if let Ok(bytes) = r {
                assert!(
                    bytes.len() as u64 <= b.total(),
                    "{name}: {} bytes",
                    bytes.len()
                );
            }
        }
        assert!(
            seen.iter().all(|(_, r)| r.is_err()),
            "{:?}",
            seen.iter()
                .map(|(n, r)| (n, r.as_ref().map(Vec::len)))
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_used_up_budget_leaves_the_rest_unread_in_one_entry() {
        let big = vec![b' '; 3 << 20];
        let z = zip_of(&[
            ("a.gpx", &big),
            ("b.gpx", &big),
            ("c.gpx", &big),
            ("d.gpx", &big),
        ]);
        let limits = Limits {
            min_budget_bytes: 5 << 20,
            ..Limits::default()
        };
        let b = budget(&limits, z.len() as u64);
        let seen = members(&z, &limits, &b);
        assert_eq!(seen.len(), 3, "{seen:?}");
        assert!(seen[0].1.is_ok());
        assert_eq!(seen[1].0, "z.zip!b.gpx");
        assert_eq!(
            seen[1].1,
            Err(SkipReason::BudgetUsedUp {
                archive: "top.zip".into(),
                budget: 5 << 20,
                compressed: z.len() as u64
            })
        );
        assert_eq!(seen[2].0, "z.zip");
        assert_eq!(
            seen[2].1,
            Err(SkipReason::NotReadAfterBudget {
                archive: "top.zip".into(),
                budget: 5 << 20,
                members: 2
            })
        );
        assert!(b.used_up());
    }

    #[test]
    fn damaged_zip_gives_one_reason() {
        let mut z = zip_of(&[("a", b"1")]);
        z.truncate(10);
        let limits = Limits::default();
        let seen = members(&z, &limits, &budget(&limits, 10));
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].0, "z.zip");
        assert!(matches!(seen[0].1, Err(SkipReason::DamagedZip { .. })));
    }
}
