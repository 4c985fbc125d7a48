//! GPS glitches planted in generated runs, written as GPX, TCX and FIT and read back as files are:
//! a fix elsewhere at the same time as the one before, and fixes that teleport at 55 m/s, count
//! nothing in distance, moving time or grade, and a run with one is no single-run spike. Each
//! run is compared with the same run without its glitches (ingest::clean drops them).

mod common;

use patella::analysis::{self, metrics};
use patella::ingest::{self, Limits};
use patella::model::{Activity, Format, Sample, Samples};
use patella::synth::{simulate, to_fit, to_gpx, to_tcx, RunPlan};

use common::blocks;

/// Metres per degree of latitude (geo's mean Earth radius).
const M_PER_DEG: f64 = 6_371_008.8 * std::f64::consts::PI / 180.0;

/// `s` moved `metres` east.
fn east(mut s: Sample, metres: f64) -> Sample {
    s.lon_deg += metres / (M_PER_DEG * s.lat_deg.to_radians().cos());
    s
}

/// The activity with its samples rebuilt by `plant`, which gives the samples to write for each
/// sample (its index and itself).
fn planted(a: &Activity, plant: impl Fn(usize, Sample) -> Vec<Sample>) -> Activity {
    let mut out = a.clone();
    out.samples = Samples::default();
    for i in 0..a.samples.len() {
        for s in plant(i, a.samples.get(i)) {
            out.samples.push(s);
        }
    }
    out
}

/// A second fix at second 1000, 42 km east of the first.
fn same_time_far(a: &Activity) -> Activity {
    planted(a, |i, s| {
        if i == 1000 {
            vec![s, east(s, 42_000.0)]
        } else {
            vec![s]
        }
    })
}

/// Every 20th fix 55 m east of the track: 55 m/s out and back, under the old 60 m/s cut.
fn teleports(a: &Activity) -> Activity {
    planted(a, |i, s| {
        if i % 20 == 10 {
            vec![east(s, 55.0)]
        } else {
            vec![s]
        }
    })
}

/// `a` written as `format` and read back as a file is.
fn read_back(a: &Activity, format: Format) -> Activity {
    let (name, bytes) = match format {
        Format::Gpx => ("run.gpx", to_gpx(a).into_bytes()),
        Format::Tcx => ("run.tcx", to_tcx(a).into_bytes()),
        _ => ("run.fit", to_fit(a)),
    };
    let mut read = ingest::read_bytes(name, &bytes, &Limits::default());
    assert_eq!(read.activities.len(), 1, "{name}: {:?}", read.skipped);
    read.activities.remove(0)
}

fn run(km: f64, seed: u64) -> Activity {
    simulate(&RunPlan {
        distance_m: km * 1000.0,
        seed,
        ..RunPlan::default()
    })
}

#[test]
fn a_fix_elsewhere_at_the_same_time_counts_nothing() {
    // A 6 km run; before, the fix 42 km away made it 86.6 km read from GPX, 48.0 km from TCX
    // and FIT (whose distance field counts the way back).
    let clean = run(6.0, 3);
    let glitched = same_time_far(&clean);
    for format in [Format::Gpx, Format::Tcx, Format::Fit] {
        let (c, g) = (read_back(&clean, format), read_back(&glitched, format));
        assert_eq!(g.samples.len(), c.samples.len() + 1, "{format:?}");
        assert_eq!(
            g.warnings.last().map(String::as_str),
            Some(
                format!(
                    "dropped 1 of {} GPS positions that a runner could not reach from the track \
                     (over 12.5 m/s, or elsewhere at the same time); the samples stay",
                    c.samples.len() + 1
                )
                .as_str()
            ),
            "{format:?}"
        );
        // The fixes kept are the clean run's, so every figure is the same to the bit.
        let (mc, mg) = (metrics::compute(&c.samples), metrics::compute(&g.samples));
        assert_eq!(mg.distance_m, mc.distance_m, "{format:?}");
        assert_eq!(mg.moving_s, mc.moving_s, "{format:?}");
        assert_eq!(mg.ascent_m, mc.ascent_m, "{format:?}");
        assert_eq!(mg.descent_m, mc.descent_m, "{format:?}");
        assert!((mc.distance_m - 6000.0).abs() < 120.0, "{}", mc.distance_m);
    }
}

#[test]
fn teleports_at_55_m_s_count_nothing() {
    // 10 km in 55 min, every 20th fix 55 m off (168 of them): before, 27.5 km read from GPX.
    let clean = run(10.0, 4);
    let glitched = teleports(&clean);
    let (c, g) = (
        read_back(&clean, Format::Gpx),
        read_back(&glitched, Format::Gpx),
    );
    let teleported = (0..clean.samples.len()).filter(|i| i % 20 == 10).count();
    assert!(
        g.warnings.iter().any(|w| w.starts_with(&format!(
            "dropped {teleported} of {} GPS positions",
            g.samples.len()
        ))),
        "{:?}",
        g.warnings
    );
    let (mc, mg) = (metrics::compute(&c.samples), metrics::compute(&g.samples));
    // Each dropped fix leaves the chord between its neighbours, a little shorter than the two
    // steps it replaces (and than their jitter).
    assert!(
        mg.distance_m <= mc.distance_m && mg.distance_m > 0.99 * mc.distance_m,
        "{} against {}",
        mg.distance_m,
        mc.distance_m
    );
    // Moving time: the intervals around each dropped fix take the speed of the chord.
    assert_eq!(mg.moving_s, mc.moving_s);
    let (up_c, up_g) = (mc.ascent_m.unwrap(), mg.ascent_m.unwrap());
    assert!((up_g - up_c).abs() <= 0.5, "{up_g} against {up_c}");
}

#[test]
fn a_run_with_a_far_fix_is_no_spike() {
    // Four weeks of three 6 km runs, then a 6 km run with a fix 42 km away at the same time as
    // the one before, all read from GPX files: no single-run spike (it was high, at 86.6 km).
    let mut activities = Vec::new();
    for (i, day) in (0..28).step_by(2).chain([28]).enumerate() {
        let session = blocks::run(day, 6.0);
        let mut a = simulate(&session.plan);
        if day == 28 {
            a = same_time_far(&a);
        }
        let mut read = read_back(&a, Format::Gpx);
        read.source = format!("block/{i:02}-day{day}.gpx");
        activities.push(read);
    }
    let result = analysis::analyse(&activities, Vec::new(), &blocks::settings()).unwrap();
    let last = result
        .activities
        .iter()
        .find(|a| a.source.ends_with("day28.gpx"))
        .unwrap();
    assert!(
        (last.distance_m - 6000.0).abs() < 120.0,
        "{}",
        last.distance_m
    );
    let spikes: Vec<_> = result
        .findings
        .iter()
        .filter(|f| f.code == "single-run-spike")
        .map(|f| &f.message)
        .collect();
    assert!(spikes.is_empty(), "{spikes:?}");
}

#[test]
fn a_fast_runner_loses_no_fix() {
    // 10 km at 2:30 per km (6.7 m/s) with the generator's GPS jitter, in every format.
    let fast = simulate(&RunPlan {
        distance_m: 10_000.0,
        pace_s_per_km: 150.0,
        seed: 5,
        ..RunPlan::default()
    });
    for format in [Format::Gpx, Format::Tcx, Format::Fit] {
        let a = read_back(&fast, format);
        assert!(
            !a.warnings.iter().any(|w| w.contains("GPS positions")),
            "{format:?}: {:?}",
            a.warnings
        );
        assert_eq!(
            a.samples.lat_deg.iter().filter(|l| l.is_nan()).count(),
            0,
            "{format:?}"
        );
    }
}
