//! The pain log's CSV (`date,knee,score,when,note`), recognised by its header wherever a folder
//! or an archive holds it, or given with `--pain`. A row that does not read (a date that is not
//! `YYYY-MM-DD`, an unknown knee or `when`, a score outside 0–10) is an error naming its line;
//! the other rows are still read.

use chrono::NaiveDate;

use crate::model::{Knee, PainRow, PainWhen};

/// The header, column for column.
pub const HEADER: [&str; 5] = ["date", "knee", "score", "when", "note"];

/// Whether the head of a file is a pain log: its first line is [`HEADER`] (any case, spaces
/// around the names allowed).
pub fn is_header(head: &str) -> bool {
    let first = head.lines().next().unwrap_or("");
    let names: Vec<String> = first
        .split(',')
        .map(|c| c.trim().trim_matches('"').to_ascii_lowercase())
        .collect();
    names.len() == HEADER.len() && names.iter().zip(HEADER).all(|(a, b)| a == b)
}

/// Largest pain log read (a year of daily entries is a few kilobytes).
pub const MAX_LOG_BYTES: u64 = 16 << 20;

/// Reads a pain log named on its own (`--pain`, or `pain` in an athlete's `athlete.toml`): its
/// rows, and one message per row that does not read (naming its line). A file that cannot be
/// read, is larger than [`MAX_LOG_BYTES`] or is not a pain log is an error saying so.
pub fn read_file(file: &std::path::Path) -> Result<(Vec<PainRow>, Vec<String>), String> {
    let name = file.display().to_string();
    // Opened as the folder walk opens files: a FIFO or a device is refused, never waited on.
    let bytes = super::read_small(file, MAX_LOG_BYTES).map_err(|e| match e {
        super::SkipReason::TooLarge { .. } | super::SkipReason::GrewPastLimit { .. } => {
            format!("the pain log {name} is larger than 16 MiB")
        }
        e => format!("cannot read the pain log {name}: {e}"),
    })?;
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).into_owned();
    if !is_header(head.trim_start_matches('\u{feff}')) {
        return Err(format!(
            "{name} is not a pain log: its first line must be date,knee,score,when,note"
        ));
    }
    Ok(read(&name, &bytes))
}

/// The entries of a pain log, and one message per row that does not read
/// (`pain.csv line 4: score 12 is outside 0-10`).
pub fn read(source: &str, bytes: &[u8]) -> (Vec<PainRow>, Vec<String>) {
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let (mut rows, mut errors) = (Vec::new(), Vec::new());
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                errors.push(format!(
                    "{source} line {line}: {}",
                    one_line(&e.to_string())
                ));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line() as usize);
        match row(source, line, &record) {
            Ok(r) => rows.push(r),
            Err(why) => errors.push(format!("{source} line {line}: {why}")),
        }
    }
    (rows, errors)
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn row(source: &str, line: usize, r: &csv::StringRecord) -> Result<PainRow, String> {
    let field = |i: usize| r.get(i).unwrap_or("").trim();
    if r.iter().all(|f| f.trim().is_empty()) {
        return Err("an empty row".into());
    }
    let date = NaiveDate::parse_from_str(field(0), "%Y-%m-%d")
        .map_err(|_| format!("date '{}' is not of the form YYYY-MM-DD", clip(field(0))))?;
    let knee = match field(1).to_ascii_lowercase().as_str() {
        "left" => Knee::Left,
        "right" => Knee::Right,
        "both" => Knee::Both,
        other => return Err(format!("knee '{}' is not left, right or both", clip(other))),
    };
    let score = field(2)
        .parse::<f64>()
        .ok()
        .filter(|s| (0.0..=10.0).contains(s) && s.fract() == 0.0)
        .ok_or_else(|| {
            format!(
                "score '{}' is not a whole number from 0 to 10",
                clip(field(2))
            )
        })? as u8;
    let when_text = field(3).to_ascii_lowercase();
    let when = PainWhen::ALL
        .into_iter()
        .find(|w| w.as_str() == when_text)
        .ok_or_else(|| {
            format!(
                "when '{}' is not one of {}",
                clip(field(3)),
                PainWhen::ALL.map(|w| w.as_str()).join(", ")
            )
        })?;
    // A note may hold commas the writer did not quote: the rest of the row is the note.
    let note = (4..r.len())
        .map(field)
        .filter(|f| !f.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    Ok(PainRow {
        source: source.to_string(),
        line,
        date,
        knee,
        score,
        when,
        note,
    })
}

/// At most 40 characters of what a row held, for a message, control characters shown as `?`.
fn clip(s: &str) -> String {
    let mut out: String = s
        .chars()
        .take(40)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if s.chars().count() > 40 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_read_and_bad_ones_named_by_line() {
        let csv = "date,knee,score,when,note\n\
                   2025-03-10,left,2,descent,after the hill repeats\n\
                   2025-03-12,RIGHT,11,late,\n\
                   12/03/2025,left,3,late,\n\
                   2025-03-14,left,3,uphill,\n\
                   2025-03-15,both,4,stairs,sore, a bit swollen\n\
                   2025-03-16,middle,1,start,\n";
        assert!(is_header(csv));
        let (rows, errors) = read("pain.csv", csv.as_bytes());
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].knee, Knee::Left);
        assert_eq!(rows[0].when, PainWhen::Descent);
        assert_eq!(rows[0].note, "after the hill repeats");
        assert_eq!(rows[1].line, 6);
        assert_eq!(rows[1].note, "sore, a bit swollen");
        assert_eq!(
            errors,
            [
                "pain.csv line 3: score '11' is not a whole number from 0 to 10",
                "pain.csv line 4: date '12/03/2025' is not of the form YYYY-MM-DD",
                "pain.csv line 5: when 'uphill' is not one of start, late, descent, stairs, \
                 sitting, after",
                "pain.csv line 7: knee 'middle' is not left, right or both",
            ]
        );
        assert!(!is_header("Activity ID,Activity Date\n"));
        assert!(is_header(" Date , Knee,Score,When,Note\r\n"));
    }
}
