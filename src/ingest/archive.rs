//! Gzip and zip, opened in memory with size and count limits. Member names are only ever used as
//! labels (`export.zip!inner/run.fit`): nothing is extracted to disk.

use std::io::{Cursor, Read};

use super::Limits;

/// Decompresses a gzip stream (all members), refusing to grow past `max_bytes`.
pub fn gunzip(bytes: &[u8], max_bytes: u64) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let decoder = flate2::read::MultiGzDecoder::new(bytes);
    decoder
        .take(max_bytes + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("gzip stream is damaged: {e}"))?;
    if out.len() as u64 > max_bytes {
        return Err(format!(
            "gzip expands past the {} MiB limit",
            max_bytes >> 20
        ));
    }
    Ok(out)
}

/// Receives each member's display name and its bytes, or the reason it could not be read.
pub type MemberSink<'a> = dyn FnMut(&str, Result<Vec<u8>, String>) + 'a;

/// Calls `each` with the display name and bytes (or a reason) of every file member of a zip, in
/// archive order. Directories are passed over. An unreadable archive gives one call with the
/// archive's own name and the reason.
pub fn each_member(source: &str, bytes: &[u8], limits: &Limits, each: &mut MemberSink<'_>) {
    let mut zip = match zip::ZipArchive::new(Cursor::new(bytes)) {
        Ok(z) => z,
        Err(e) => {
            each(source, Err(format!("zip archive is damaged: {e}")));
            return;
        }
    };
    if zip.len() > limits.max_zip_members {
        each(
            source,
            Err(format!(
                "zip holds {} members, over the limit of {}",
                zip.len(),
                limits.max_zip_members
            )),
        );
        return;
    }
    if zip.is_empty() {
        each(source, Err("zip archive is empty".into()));
        return;
    }
    for i in 0..zip.len() {
        let mut member = match zip.by_index(i) {
            Ok(m) => m,
            Err(e) => {
                each(
                    &format!("{source}!#{i}"),
                    Err(format!("zip member is damaged: {e}")),
                );
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
        if member.size() > limits.max_file_bytes {
            each(
                &name,
                Err(format!(
                    "member is {} MiB, over the {} MiB limit",
                    member.size() >> 20,
                    limits.max_file_bytes >> 20
                )),
            );
            continue;
        }
        let mut data = Vec::with_capacity(member.size().min(64 << 20) as usize);
        let read = (&mut member)
            .take(limits.max_file_bytes + 1)
            .read_to_end(&mut data);
        match read {
            Err(e) => each(&name, Err(format!("zip member is damaged: {e}"))),
            Ok(_) if data.len() as u64 > limits.max_file_bytes => each(
                &name,
                Err(format!(
                    "member expands past the {} MiB limit",
                    limits.max_file_bytes >> 20
                )),
            ),
            Ok(_) => each(&name, Ok(data)),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::io::Write;

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

    #[test]
    fn gunzip_round_trip_and_limit() {
        let data = vec![7u8; 10_000];
        assert_eq!(gunzip(&gzip(&data), 10_000).unwrap(), data);
        let err = gunzip(&gzip(&data), 9_999).unwrap_err();
        assert!(err.contains("limit"), "{err}");
        assert!(gunzip(&[0x1f, 0x8b, 8, 0, 1, 2], 100).is_err());
    }

    #[test]
    fn members_are_named_after_the_archive() {
        let z = zip_of(&[("a/run.gpx", b"x"), ("b.csv", b"y"), (".hidden", b"z")]);
        let mut seen = Vec::new();
        each_member("exp.zip", &z, &Limits::default(), &mut |name, r| {
            seen.push((name.to_string(), r.unwrap()))
        });
        assert_eq!(
            seen,
            vec![
                ("exp.zip!a/run.gpx".to_string(), b"x".to_vec()),
                ("exp.zip!b.csv".to_string(), b"y".to_vec())
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
        let mut reasons = Vec::new();
        each_member("z.zip", &z, &limits, &mut |_, r| {
            reasons.push(r.unwrap_err())
        });
        assert_eq!(reasons.len(), 1);
        assert!(reasons[0].contains("3 members"), "{reasons:?}");

        let limits = Limits {
            max_file_bytes: 50,
            ..Limits::default()
        };
        let mut results = Vec::new();
        each_member("z.zip", &z, &limits, &mut |n, r| {
            results.push((n.to_string(), r.is_ok()))
        });
        assert_eq!(results[2], ("z.zip!c".to_string(), false));
        assert!(results[0].1 && results[1].1);
    }

    #[test]
    fn damaged_zip_gives_one_reason() {
        let mut z = zip_of(&[("a", b"1")]);
        z.truncate(10);
        let mut reasons = Vec::new();
        each_member("bad.zip", &z, &Limits::default(), &mut |n, r| {
            reasons.push((n.to_string(), r.unwrap_err()))
        });
        assert_eq!(reasons.len(), 1);
        assert_eq!(reasons[0].0, "bad.zip");
    }
}
