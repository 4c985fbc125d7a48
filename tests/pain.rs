//! The runner's pain log (RISK_MODEL.md) on a planted block: descent pain after a descent spike
//! is preceded by `descent-spike` and its self-check gives the descent of its 7 days against the
//! weeks before; three rising scores send the last entry to a clinician, a first mild entry
//! does not; a log found in a folder or given with `--pain` reaches the JSON, the terminal and
//! the report; bad rows are named by line and the others count.

mod common;

use assert_cmd::Command;
use patella::analysis::{self, pain::PainEntry};
use patella::model::{Knee, PainRow, PainWhen, Sport};

use common::blocks::*;

/// The control block with every run of week 5 climbing (and descending) 400 m.
fn hill_block() -> Vec<Session> {
    let mut s = control();
    for x in s
        .iter_mut()
        .filter(|x| x.day / 7 == 5 && x.plan.sport == Sport::Running)
    {
        x.plan.climb_m = 400.0;
    }
    s
}

fn entry(day: u64, score: u8, when: PainWhen, note: &str) -> PainRow {
    PainRow {
        source: "pain.csv".into(),
        line: 2 + day as usize,
        date: date(day),
        knee: Knee::Left,
        score,
        when,
        note: note.into(),
    }
}

fn matched(rows: &[PainRow]) -> Vec<PainEntry> {
    let a = analyse(&hill_block());
    let a = analysis::with_pain(a, rows);
    a.pain
}

#[test]
fn descent_pain_after_a_descent_spike_is_preceded_by_it() {
    // Saturday of week 5 (day 40), after four runs of 400 m descent.
    let p = matched(&[entry(40, 3, PainWhen::Descent, "downhill")]);
    assert_eq!(p.len(), 1);
    let codes: Vec<&str> = p[0].preceded_by.iter().map(|f| f.code.code()).collect();
    assert!(codes.contains(&"descent-spike"), "{codes:?}");
    assert!(codes.contains(&"steep-descent"), "{codes:?}");
    // The 7 days up to the entry (days 34-40): Sunday's 20 m and 3 × 400 m, not Sunday day 41's
    // run after the entry; the 4 weeks before them: 4 runs of 20 m a week.
    let check = &p[0].self_check;
    assert!(
        check.starts_with("descent load: 1,220 m in the 7 days up to the entry, "),
        "{check}"
    );
    assert!(
        check.contains(
            " m of it on grades of −10 % or steeper, against 80 m a week on average in \
             the 4 weeks before ("
        ),
        "{check}"
    );
    assert!(!p[0].see_clinician);
}

#[test]
fn three_rising_scores_send_the_last_entry_to_a_clinician() {
    let rows = [
        entry(30, 2, PainWhen::Late, ""),
        entry(33, 3, PainWhen::Late, ""),
        entry(36, 5, PainWhen::Late, ""),
    ];
    let p = matched(&rows);
    let see: Vec<bool> = p.iter().map(|e| e.see_clinician).collect();
    assert_eq!(see, [false, false, true], "a first mild entry does not");
    assert!(p[2]
        .clinician_reason
        .as_deref()
        .unwrap()
        .contains("rose over three entries: 2, 3, 5"));
    // The late self-check: longest run of the 14 days against the 30 before, strength.
    assert!(
        p[2].self_check
            .contains("the longest run of those 14 days was 10.0 km against 10.0 km"),
        "{}",
        p[2].self_check
    );
    assert!(
        p[2].self_check
            .contains("4 strength sessions in those 14 days"),
        "{}",
        p[2].self_check
    );
    // An entry that says swelling is one for a clinician at once, whatever its score.
    let p = matched(&[entry(20, 1, PainWhen::After, "a little swelling")]);
    assert!(p[0].see_clinician);
}

fn write_block(dir: &std::path::Path) {
    for (i, s) in hill_block().iter().enumerate() {
        let a = patella::synth::simulate(&s.plan);
        std::fs::write(dir.join(format!("{i:02}.fit")), patella::synth::to_fit(&a)).unwrap();
    }
}

#[test]
fn a_pain_log_in_a_folder_or_given_reaches_the_json_the_terminal_and_the_report() {
    let tmp = tempfile::tempdir().unwrap();
    let runs = tmp.path().join("runs");
    std::fs::create_dir(&runs).unwrap();
    write_block(&runs);
    // Day 40 is 2025-04-12; a bad score, a bad date and an unknown `when` among good rows.
    std::fs::write(
        runs.join("pain.csv"),
        "date,knee,score,when,note\n\
         2025-04-12,left,3,descent,after the hills\n\
         2025-04-13,left,12,descent,\n\
         13/04/2025,left,2,late,\n\
         2025-04-14,right,2,uphill,\n\
         2025-04-15,left,4,stairs,\n",
    )
    .unwrap();
    let patella = || Command::cargo_bin("patella").unwrap();
    let out = patella()
        .args(["analyse", "--json", "--no-store", "--tz", "UTC"])
        .arg(&runs)
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    for line in [3, 4, 5] {
        assert!(
            stderr.contains(&format!("pain.csv line {line}: ")),
            "line {line} not named: {stderr}"
        );
    }
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let pain = doc["pain"].as_array().unwrap();
    assert_eq!(pain.len(), 2, "the good rows count: {pain:?}");
    assert_eq!(pain[0]["date"], "2025-04-12");
    assert_eq!(pain[0]["when"], "descent");
    for key in [
        "knee",
        "score",
        "note",
        "preceded_by",
        "self_check",
        "see_clinician",
    ] {
        assert!(pain[0].get(key).is_some(), "{key} missing");
    }
    let first = &pain[0]["preceded_by"][0];
    for key in ["code", "date", "week", "activity"] {
        assert!(first.get(key).is_some(), "{key} missing in {first}");
    }

    // The same log given with --pain, from outside the folder, and the terminal and report.
    let log = tmp.path().join("my-knee.csv");
    std::fs::rename(runs.join("pain.csv"), &log).unwrap();
    let report = tmp.path().join("report");
    let out = patella()
        .args(["analyse", "--no-store", "--tz", "UTC", "--all", "--pain"])
        .arg(&log)
        .arg("--out")
        .arg(&report)
        .arg(&runs)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Pain log: 2 entries"), "{text}");
    assert!(
        text.contains("2025-04-12 left knee, 3/10, descent: after the hills"),
        "{text}"
    );
    let html = std::fs::read_to_string(report.join("index.html")).unwrap();
    assert!(html.contains("Your pain log"));
    assert!(html.contains("2025-04-12 · left knee · 3/10 · descent"));
    // Both entries drawn on the weekly and the load charts.
    for chart in ["weekly-km", "load"] {
        let svg = std::fs::read_to_string(report.join(format!("charts/{chart}.svg"))).unwrap();
        assert!(svg.contains("triangles mark 2 pain log entries"), "{chart}");
        assert!(svg.contains("pain log entry (score /10)"), "{chart}");
    }

    // The same log both given and found in the folder counts once.
    std::fs::copy(&log, runs.join("pain.csv")).unwrap();
    let out = patella()
        .args(["analyse", "--json", "--no-store", "--tz", "UTC", "--pain"])
        .arg(&log)
        .arg(&runs)
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["pain"].as_array().unwrap().len(), 2);
    std::fs::remove_file(runs.join("pain.csv")).unwrap();

    // A file that is not a pain log is a usage error naming it.
    let out = patella()
        .args(["analyse", "--pain"])
        .arg(runs.join("00.fit"))
        .arg(&runs)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a pain log"));
}
