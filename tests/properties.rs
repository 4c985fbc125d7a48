//! Invariants over many generated blocks and tracks: weekly totals sum to the total distance;
//! reversing a track swaps ascent and descent; duplicated samples change nothing; shifting every
//! timestamp by one week shifts the weeks and nothing else.

use chrono::{Duration, TimeZone, Utc};

use patella::analysis::{self, metrics, run, Settings, Thresholds, WeekStart};
use patella::model::{Activity, Samples, Sport};
use patella::synth::{simulate, RunPlan};

/// SplitMix64, for the random blocks (deterministic: the same cases on every run).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn uniform(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A random block: 3–8 weeks, 0–6 runs a week of 3–25 km, some strength, random clock times.
fn random_block(seed: u64) -> Vec<Activity> {
    let mut rng = Rng(seed);
    let weeks = 3 + rng.below(6);
    let base = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    let mut out = Vec::new();
    for day in 0..weeks * 7 {
        if rng.below(7) < 3 {
            continue;
        }
        let strength = rng.below(6) == 0;
        let start =
            base + Duration::days(day as i64) + Duration::minutes(rng.below(24 * 60) as i64);
        let plan = RunPlan {
            start_utc: start,
            utc_offset_s: 3600 * (rng.below(25) as i32 - 12),
            sport: if strength {
                Sport::Strength
            } else {
                Sport::Running
            },
            distance_m: if strength {
                0.0
            } else {
                3000.0 + 22000.0 * rng.uniform()
            },
            pace_s_per_km: 280.0 + 120.0 * rng.uniform(),
            cadence_spm: 160.0 + 20.0 * rng.uniform(),
            climb_m: 300.0 * rng.uniform(),
            hr_mean_bpm: 125.0 + 50.0 * rng.uniform(),
            duration_s: 1800.0,
            seed: rng.next(),
            ..RunPlan::default()
        };
        let mut a = simulate(&plan);
        a.source = format!("block{seed}/{day}.fit");
        out.push(a);
    }
    out
}

fn settings(week_start: WeekStart) -> Settings {
    Settings {
        tz: chrono_tz::UTC,
        week_start,
        thresholds: Thresholds::default(),
        as_of: None,
    }
}

#[test]
fn weekly_totals_sum_to_the_total_distance() {
    for seed in 0..12 {
        for ws in [WeekStart::Mon, WeekStart::Sun] {
            let block = random_block(seed);
            let result = analysis::analyse(&block, Vec::new(), &settings(ws)).unwrap();
            let total: f64 = result
                .activities
                .iter()
                .filter(|a| a.counts_as_run())
                .map(|a| a.distance_m / 1000.0)
                .sum();
            let weekly: f64 = result.weeks.iter().map(|w| w.run_km).sum();
            let daily: f64 = result.days.iter().map(|d| d.run_km).sum();
            assert!(
                (total - weekly).abs() < 1e-6,
                "seed {seed}: {total} vs {weekly}"
            );
            assert!(
                (total - daily).abs() < 1e-6,
                "seed {seed}: {total} vs {daily}"
            );
            let runs: u32 = result.weeks.iter().map(|w| w.runs).sum();
            assert_eq!(
                runs as usize,
                result
                    .activities
                    .iter()
                    .filter(|a| a.counts_as_run())
                    .count()
            );
        }
    }
}

#[test]
fn shifting_by_a_week_shifts_the_weeks_and_nothing_else() {
    for seed in 0..8 {
        let block = random_block(100 + seed);
        let shifted: Vec<Activity> = block
            .iter()
            .map(|a| {
                let mut b = a.clone();
                b.start_utc += Duration::weeks(1);
                b
            })
            .collect();
        let s = settings(WeekStart::Mon);
        let before = analysis::analyse(&block, Vec::new(), &s).unwrap();
        let after = analysis::analyse(&shifted, Vec::new(), &s).unwrap();
        assert_eq!(before.weeks.len(), after.weeks.len());
        for (w0, w1) in before.weeks.iter().zip(&after.weeks) {
            assert_eq!(w1.start, w0.start + Duration::weeks(1));
            assert_eq!(
                (
                    w0.run_km,
                    w0.runs,
                    w0.long_run_km,
                    w0.change_pct,
                    w0.descent_m
                ),
                (
                    w1.run_km,
                    w1.runs,
                    w1.long_run_km,
                    w1.change_pct,
                    w1.descent_m
                )
            );
            assert_eq!((w0.acwr, w0.monotony), (w1.acwr, w1.monotony));
            assert_eq!(
                (w0.hard_sessions, w0.strength_sessions),
                (w1.hard_sessions, w1.strength_sessions)
            );
        }
        assert_eq!(before.findings.len(), after.findings.len());
        for (f0, f1) in before.findings.iter().zip(&after.findings) {
            assert_eq!(
                (f0.code, f0.severity, f0.value),
                (f1.code, f1.severity, f1.value)
            );
            assert_eq!(f1.date, f0.date.map(|d| d + Duration::weeks(1)));
        }
        for (a0, a1) in before.activities.iter().zip(&after.activities) {
            assert_eq!(a0.distance_m, a1.distance_m);
            assert_eq!(a0.metrics, a1.metrics);
            assert_eq!(a1.local_date, a0.local_date + Duration::weeks(1));
        }
    }
}

/// Equal JSON values, numbers within a relative 1e-9 (sums in another order round differently).
fn assert_close(a: &serde_json::Value, b: &serde_json::Value, at: &str) {
    use serde_json::Value;
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            assert!((x - y).abs() <= 1e-9 * x.abs().max(1.0), "{at}: {x} vs {y}");
        }
        (Value::Object(x), Value::Object(y)) => {
            assert_eq!(x.len(), y.len(), "{at}");
            for (k, v) in x {
                assert_close(v, &y[k], &format!("{at}.{k}"));
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            assert_eq!(x.len(), y.len(), "{at}");
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                assert_close(v, w, &format!("{at}[{i}]"));
            }
        }
        (x, y) => assert_eq!(x, y, "{at}"),
    }
}

fn reversed(s: &Samples) -> Samples {
    let n = s.len();
    let end = s.t_s[n - 1];
    let mut out = Samples::default();
    for i in (0..n).rev() {
        let mut x = s.get(i);
        x.t_s = end - x.t_s;
        // A cumulative counter runs the other way on the way back.
        x.distance_m = s.distance_m[n - 1] - s.distance_m[i];
        out.push(x);
    }
    out
}

#[test]
fn reversing_a_track_swaps_ascent_and_descent() {
    for seed in 0..10u64 {
        let a = simulate(&RunPlan {
            distance_m: 4000.0 + 1000.0 * seed as f64,
            climb_m: 40.0 + 60.0 * seed as f64,
            seed,
            ..RunPlan::default()
        });
        let r = reversed(&a.samples);
        let (up, down) = metrics::ascent_descent(&a.samples.t_s, &a.samples.elevation_m).unwrap();
        let (rup, rdown) = metrics::ascent_descent(&r.t_s, &r.elevation_m).unwrap();
        assert!(
            (up - rdown).abs() < 1e-6 && (down - rup).abs() < 1e-6,
            "seed {seed}: {up} {down} reversed {rup} {rdown}"
        );
        let g = run::run_metrics(&a.samples, None).grade.unwrap();
        let rg = run::run_metrics(&r, None).grade.unwrap();
        assert!(
            (g.ascent_m - rg.descent_m).abs() < 0.5,
            "seed {seed}: {g:?} {rg:?}"
        );
        assert!(
            (g.descent_m - rg.ascent_m).abs() < 0.5,
            "seed {seed}: {g:?} {rg:?}"
        );
    }
}

#[test]
fn duplicated_samples_change_nothing() {
    for seed in 0..10u64 {
        let a = simulate(&RunPlan {
            distance_m: 5000.0 + 700.0 * seed as f64,
            climb_m: 30.0 * seed as f64,
            seed,
            ..RunPlan::default()
        });
        let mut doubled = Samples::default();
        for i in 0..a.samples.len() {
            doubled.push(a.samples.get(i));
            doubled.push(a.samples.get(i));
        }
        let once = metrics::compute(&a.samples);
        let twice = metrics::compute(&doubled);
        assert!((once.distance_m - twice.distance_m).abs() < 1e-6);
        assert!((once.moving_s - twice.moving_s).abs() < 1e-6);
        assert_eq!(once.cadence_spm, twice.cadence_spm);
        let close = |x: Option<f64>, y: Option<f64>| match (x, y) {
            (Some(x), Some(y)) => (x - y).abs() < 1e-6,
            (x, y) => x == y,
        };
        assert!(
            close(once.ascent_m, twice.ascent_m),
            "seed {seed}: {:?} {:?}",
            once.ascent_m,
            twice.ascent_m
        );
        assert!(close(once.descent_m, twice.descent_m), "seed {seed}");
        let json = |m: run::RunMetrics| serde_json::to_value(m).unwrap();
        assert_close(
            &json(run::run_metrics(&a.samples, Some(150.0))),
            &json(run::run_metrics(&doubled, Some(150.0))),
            &format!("seed {seed}"),
        );
    }
}
