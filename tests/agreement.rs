//! How far what patella computes from the samples is from what the watch wrote, over the running
//! FIT files of `../shared/corpus`: distance from GPS alone against the session distance, and
//! ascent and descent against the session totals. Each test prints its table (run with
//! `--nocapture`) and the share that agrees; ignored where the corpus is missing (see
//! tests/corpus.rs).
//!
//! Issue 10 asks for 95 % (distance, within 2 %) and 90 % (ascent and descent, within 10 % or
//! 10 m). Each test asserts the figure reached, so that nothing gets worse unseen, and that no
//! run that agrees when every step is summed as it is stops agreeing. A last test counts every
//! activity of the corpus, whatever its format and sport, whose distance computed from its
//! samples (as `computed.distance_m` in the JSON) agrees with its device's.

use std::path::{Path, PathBuf};

use geo::{Distance, Haversine, Point};
use patella::analysis::metrics;
use patella::analysis::run::moving::MAX_PLAUSIBLE_SPEED_M_S;
use patella::ingest::{self, Limits};
use patella::model::{Activity, Format, Samples, Sport};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus")
}

/// Every activity of the manifest's files whose sport starts with `running`, leaving out those
/// it marks BROKEN (a truncated file holds a part of the run the session summary covers whole).
fn running_files(dir: &Path) -> Vec<Activity> {
    let text = std::fs::read_to_string(dir.join("MANIFEST.tsv")).expect("MANIFEST.tsv");
    let mut paths: Vec<PathBuf> = text
        .lines()
        .skip(1)
        .filter_map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            (cols.get(4)?.starts_with("running") && !cols.get(6)?.starts_with("BROKEN"))
                .then(|| dir.join(cols[0]))
        })
        .collect();
    paths.sort();
    ingest::read_paths(&paths, &Limits::default()).activities
}

/// Running FIT activities of 1 km or more by the device's session distance, in the order of
/// their files.
fn fit_runs(dir: &Path) -> Vec<Activity> {
    let mut runs: Vec<Activity> = running_files(dir)
        .into_iter()
        .filter(|a| a.format == Format::Fit && a.sport == Sport::Running)
        .filter(|a| device_distance(a) >= 1000.0)
        .collect();
    runs.sort_by(|a, b| (&a.source, a.session).cmp(&(&b.source, b.session)));
    runs
}

/// The distance the device wrote in its summary; 0 without one.
fn device_distance(a: &Activity) -> f64 {
    a.device.as_ref().and_then(|d| d.distance_m).unwrap_or(0.0)
}

/// The share of the device's distance that the record distance field covers between the first
/// and the last GPS fix: where the watch had no fix for more than 2 % of the run (GPS found late,
/// positions missing from most records), positions alone cannot come within 2 %, whatever the
/// method. 1 where the records carry no distance field.
fn gps_coverage(a: &Activity) -> f64 {
    let s = &a.samples;
    let fix = |i: &usize| s.lat_deg[*i].is_finite() && s.lon_deg[*i].is_finite();
    let field = |i: usize| {
        s.distance_m[..=i]
            .iter()
            .copied()
            .filter(|d| d.is_finite())
            .fold(f64::NAN, f64::max)
    };
    let (Some(first), Some(last)) = ((0..s.len()).find(fix), (0..s.len()).rev().find(fix)) else {
        return 0.0;
    };
    let device = a
        .device
        .as_ref()
        .and_then(|d| d.distance_m)
        .unwrap_or(f64::NAN);
    let covered = (field(last) - field(first).max(0.0)) / device;
    if covered.is_finite() {
        covered
    } else {
        1.0
    }
}

/// The samples with the record distance field left out: what a GPX export of the run holds.
fn gps_only(a: &Activity) -> metrics::Computed {
    let mut s = a.samples.clone();
    s.distance_m.iter_mut().for_each(|d| *d = f64::NAN);
    metrics::compute(&s)
}

/// Every step between consecutive fixes summed as it is, leaving out only the jumps faster
/// than anyone moves: how distance from GPS was counted before the step rules of
/// `step_distances`, and what most tools do.
fn every_step(s: &Samples) -> f64 {
    let fixes: Vec<(f64, Point)> = (0..s.len())
        .filter(|&i| s.lat_deg[i].is_finite() && s.lon_deg[i].is_finite())
        .map(|i| (s.t_s[i], Point::new(s.lon_deg[i], s.lat_deg[i])))
        .collect();
    let mut total = 0.0;
    let mut last: Option<(f64, Point)> = None;
    for (t, p) in fixes {
        if let Some((t0, q)) = last {
            let d = Haversine.distance(q, p);
            if t > t0 && d / (t - t0) > MAX_PLAUSIBLE_SPEED_M_S {
                continue;
            }
            total += d;
        }
        last = Some((t, p));
    }
    total
}

fn short(source: &str) -> &str {
    source.rsplit("corpus/").next().unwrap_or(source)
}

#[test]
#[cfg_attr(not(corpus), ignore = "needs ../shared/corpus")]
fn distance_from_gps_alone_agrees_with_the_watch() {
    let (runs, partial): (Vec<Activity>, Vec<Activity>) = fit_runs(&corpus())
        .into_iter()
        .filter(|a| a.samples.has_gps())
        .partition(|a| gps_coverage(a) >= 0.98);
    for a in &partial {
        eprintln!(
            "left out: GPS covers {:.0} % of the distance: {}",
            gps_coverage(a) * 100.0,
            short(&a.source)
        );
    }
    assert!(
        partial.len() <= 2,
        "{} runs with partial GPS",
        partial.len()
    );
    assert!(runs.len() >= 32, "only {} runs with GPS", runs.len());
    let (mut within, mut raw_within) = (0, 0);
    eprintln!(
        "{:>9} {:>9} {:>7} {:>7}  file",
        "device m", "gps m", "off %", "raw %"
    );
    for a in &runs {
        let device = a.device.as_ref().unwrap().distance_m.unwrap();
        let gps = gps_only(a).distance_m;
        let off = (gps / device - 1.0) * 100.0;
        let raw = every_step(&a.samples);
        let raw_off = (raw / device - 1.0) * 100.0;
        if off.abs() <= 2.0 {
            within += 1;
        }
        if raw_off.abs() <= 2.0 {
            raw_within += 1;
            assert!(
                off.abs() <= 2.0,
                "{}: {raw_off:+.2} % raw, now {off:+.2} %",
                a.source
            );
        }
        eprintln!(
            "{device:>9.0} {gps:>9.0} {off:>+7.2} {raw_off:>+7.2}  {}#{}",
            short(&a.source),
            a.session
        );
    }
    eprintln!(
        "distance from GPS alone within 2 %: {within}/{} (summing every step: {raw_within})",
        runs.len()
    );
    // 30 of 32 (28 summing every step): a standing receiver's wander and slow jumps across a
    // stop count nothing (analysis::run::moving::step_distances). The two that read long are
    // a Fenix 6X's trail run and ultra (+4.4 %, +3.7 %). That watch counts less than the
    // straight lines between its own fixes 10 s apart (0.993 and 0.988 of their sum), where
    // every other 1 Hz run here counts 1.004 to 1.027 of them. The ultra's distance is its
    // recorded speed summed (to 0.005 m/s each second; a Stryd is paired as its foot pod); the
    // trail run pairs no foot pod (its Stryd fields are all 0). Positions alone do not tell
    // these from the rest. By its own noise (the variance of second differences of 1 s fixes:
    // 1.04 m² against 0.13 and 0.25) python-fitparse's Fenix 2 run is the noisier track, and
    // its watch counts its fixes as they are, so smoothing by each track's noise (a Kalman
    // smoother with the noise fitted per file: 27 of 32) smooths the Fenix 2 more, not less. A
    // Gaussian over time brings the trail run in from 1.9 s and the ultra from 2.4 s, but the
    // Fenix 2 leaves from 1.5 s (2.5 s: 28 of 32). A Gaussian over 5 m of track, or each step debiased for noise
    // (√(d² − 0.2 m²)), brings both in and takes out four (28 of 32): a slow mountain run,
    // tracks with a fix every 2 to 6 s, among them a Forerunner 645 at -1.97 % whose first fix
    // came 95 m into the run, and (the debias) a 1 Hz run at 2 m/s.
    assert!(within >= 30, "{within}/{} within 2 %", runs.len());
}

/// Within 10 % or 10 m of the device's value.
fn agrees(computed: f64, device: f64) -> bool {
    (computed - device).abs() <= (0.10 * device).max(10.0)
}

#[test]
#[cfg_attr(not(corpus), ignore = "needs ../shared/corpus")]
fn ascent_and_descent_against_the_watch() {
    let runs: Vec<Activity> = fit_runs(&corpus())
        .into_iter()
        .filter(|a| a.device.as_ref().and_then(|d| d.ascent_m).is_some())
        .filter(|a| a.samples.elevation_m.iter().any(|e| e.is_finite()))
        .collect();
    assert!(
        runs.len() >= 20,
        "only {} runs with a device ascent",
        runs.len()
    );
    let mut within = 0;
    eprintln!(
        "{:>6} {:>6} {:>6} {:>6} {:>6} {:>6}  file",
        "dev up", "up", "off %", "dev dn", "down", "off %"
    );
    for a in &runs {
        let d = a.device.as_ref().unwrap();
        let c = metrics::compute(&a.samples);
        let (up, down) = (c.ascent_m.unwrap(), c.descent_m.unwrap());
        let dev_up = d.ascent_m.unwrap();
        let ok_up = agrees(up, dev_up);
        let ok_down = d.descent_m.is_none_or(|dev| agrees(down, dev));
        if ok_up && ok_down {
            within += 1;
        }
        let pct = |c: f64, d: f64| if d > 0.0 { (c / d - 1.0) * 100.0 } else { 0.0 };
        let dev_down = d.descent_m.unwrap_or(f64::NAN);
        eprintln!(
            "{dev_up:>6.0} {up:>6.0} {:>+6.1} {dev_down:>6.0} {down:>6.0} {:>+6.1}  {}#{}{}",
            pct(up, dev_up),
            pct(down, dev_down),
            short(&a.source),
            a.session,
            if ok_up && ok_down { "" } else { "  OFF" }
        );
    }
    eprintln!(
        "ascent and descent within 10 % or 10 m: {within}/{}",
        runs.len()
    );
    // 27 of 29 (13 with a 3 m hysteresis on all elevation: most read 15-40 % low). The two
    // left are a Forerunner 225 whose totals disagree with its own samples (284 m up and 375 m
    // down on a track that ends 4 m below its start) and a Forerunner 645 whose barometer
    // drifted 21 m over the run while its totals are level (234 m up, 233 m down).
    assert!(within >= 27, "{within}/{} within 10 % or 10 m", runs.len());
}

#[test]
#[cfg_attr(not(corpus), ignore = "needs ../shared/corpus")]
fn computed_distance_of_every_activity_against_its_device() {
    let dir = corpus();
    let text = std::fs::read_to_string(dir.join("MANIFEST.tsv")).expect("MANIFEST.tsv");
    let mut paths: Vec<PathBuf> = text
        .lines()
        .skip(1)
        .filter_map(|l| l.split('\t').next().map(|f| dir.join(f)))
        .collect();
    paths.sort();
    let mut activities: Vec<Activity> = ingest::read_paths(&paths, &Limits::default())
        .activities
        .into_iter()
        .filter(|a| device_distance(a) >= 1000.0)
        .collect();
    activities.sort_by(|a, b| (&a.source, a.session).cmp(&(&b.source, b.session)));
    let mut within = 0;
    eprintln!(
        "{:>9} {:>9} {:>7}  file (off by more than 2 %)",
        "device m", "samples m", "off %"
    );
    for a in &activities {
        let device = device_distance(a);
        let computed = metrics::compute(&a.samples).distance_m;
        let off = (computed / device - 1.0) * 100.0;
        if off.abs() <= 2.0 {
            within += 1;
        } else {
            eprintln!(
                "{device:>9.0} {computed:>9.0} {off:>+7.1}  {}#{} ({})",
                short(&a.source),
                a.session,
                a.sport.as_str()
            );
        }
    }
    eprintln!(
        "computed distance within 2 % of the device's: {within}/{}",
        activities.len()
    );
    // 110 of 131: the virtual ride whose session lacks start_time counts since that session is
    // read (issue 27; 10,984 m from its samples against 11,058 m). Before it 109 of 130, as
    // before GPS glitches were dropped at ingest (issue 25), which moved none of
    // the 109 out and none in. The 21 others: seven swims, the Fenix 6X's trail run and ultra
    // (above), two more runs, three rides and a walk whose tracks read long or short, a Strava
    // recording cut short, three TCX files whose tracks stop early or hold no positions, one
    // whose laps lie over one another (negative-pause) and a ride whose fixes flip 55-65 m back
    // and forth each second (14582164182: 37.0 km from every step, 28.8 km with its 483
    // glitches dropped, against the device's 14.9 km).
    assert!(within >= 110, "{within}/{} within 2 %", activities.len());
}
