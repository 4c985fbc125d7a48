//! An athlete's `athlete.toml` in a team folder (`analyse --athletes`): its text parsed and laid
//! over the command line's settings (`team::parse_athlete_file`, as `team::athlete` does), and
//! when it parses, the demo block analysed with the athlete's zone and thresholds. The pain log
//! it may name is not opened: the `pain` target reads pain logs. Nothing may panic; a refusal is
//! one non-empty line naming `athlete.toml`; a name is never blank.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use patella::analysis::analyse;
use patella::team::{parse_athlete_file, ATHLETE_FILE};

// The demo block is read (and analysed) before the first input, so that its few seconds on a
// busy machine do not count against the first input's 10 s.
fuzz_target!(init: { common::demo(); }, |data: &[u8]| {
    // `athlete` reads the file as UTF-8: other bytes are refused before the parse.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let name_ok = |name: &Option<String>| {
        name.as_deref()
            .is_none_or(|n| !n.is_empty() && n.trim() == n)
    };
    match parse_athlete_file(text, common::settings()) {
        Err(refused) => {
            assert!(
                common::one_line(&refused.reason) && refused.reason.starts_with(ATHLETE_FILE),
                "reason {:?}",
                refused.reason
            );
            assert!(name_ok(&refused.name), "name {:?}", refused.name);
        }
        Ok(athlete) => {
            assert!(name_ok(&athlete.name), "name {:?}", athlete.name);
            let _ = analyse(common::demo(), Vec::new(), &athlete.settings);
        }
    }
});
