//! Synthetic activities for demo data and tests: a deterministic 1 Hz run simulator and writers
//! for FIT, GPX 1.1 and TCX, plus gzip/zip packaging and the bundled eight-week demo block.
//!
//! Everything is byte-identical on every run and machine: the random numbers come from a seeded
//! SplitMix64, the trigonometry is computed with plain IEEE arithmetic (no platform `libm`), and
//! nothing reads the clock or a time zone.

mod demo;
mod export;
mod fit;
mod history;
mod team;
mod xml;

use std::io::Write;

use chrono::{DateTime, Utc};

use crate::model::{Activity, CadenceRule, DeviceSummary, Format, Sample, Samples, Sport};

pub use demo::{demo_block, demo_manifest, new_york_offset_s, DemoRun};
pub use export::{export_plan, garmin_export, strava_export, strava_members, ExportSession};
pub use fit::{non_activity_fit, to_fit, to_fit_timed};
pub use history::history;
pub use team::{member, planted, team, Member, Planted};
pub use xml::{to_gpx, to_tcx};

/// The name synthetic files give as their creator or device.
pub const CREATOR: &str = "patella synth";

/// Where every synthetic route starts (Central Park, New York).
const START_LAT: f64 = 40.78;
const START_LON: f64 = -73.97;
/// Elevation of the start point, in metres.
const BASE_ELEVATION_M: f64 = 30.0;
const M_PER_DEG_LAT: f64 = 111_320.0;
/// Length of the easy start.
const EASY_START_S: f64 = 600.0;
/// Default speed of the first 10 minutes against the rest of a run (runners warm up).
pub const EASY_START_SPEED_FACTOR: f64 = 0.92;
/// No simulated session runs longer than this, whatever the plan says.
const MAX_SAMPLES: usize = 12 * 3600;

/// What to simulate: one session, described by its means.
#[derive(Clone, Debug, PartialEq)]
pub struct RunPlan {
    /// Start of the session (whole seconds are kept).
    pub start_utc: DateTime<Utc>,
    /// Local time offset where the runner lives at that date, in seconds east of UTC.
    pub utc_offset_s: i32,
    /// Running mostly; Walking, Hiking, Cycling and Strength are possible.
    pub sport: Sport,
    /// Distance covered; the simulated track ends exactly there (to the centimetre).
    pub distance_m: f64,
    /// Mean moving pace, seconds per kilometre.
    pub pace_s_per_km: f64,
    /// Mean cadence in steps per minute (both legs). Ignored for cycling and strength.
    pub cadence_spm: f64,
    /// Total ascent of the loop route (the descent is the same).
    pub climb_m: f64,
    /// Mean heart rate.
    pub hr_mean_bpm: f64,
    /// Duration of sessions without distance (strength), seconds; ignored otherwise.
    pub duration_s: f64,
    /// Speed of the first 10 minutes against the rest: below 1 is an easy start.
    pub start_speed_factor: f64,
    /// How far the cadence falls from the start to the end of the run, in percent.
    pub cadence_fade_pct: f64,
    /// Seed of the random numbers: same plan, same samples.
    pub seed: u64,
}

impl Default for RunPlan {
    /// An easy 5 km run at 5:30/km and 172 spm, starting on Monday 2025-01-06 at 07:00 UTC.
    fn default() -> Self {
        RunPlan {
            // A Monday morning inside the FIT epoch (FIT cannot hold times before 1990).
            start_utc: DateTime::from_timestamp(1_736_146_800, 0).unwrap_or_default(),
            utc_offset_s: 0,
            sport: Sport::Running,
            distance_m: 5000.0,
            pace_s_per_km: 330.0,
            cadence_spm: 172.0,
            climb_m: 20.0,
            hr_mean_bpm: 145.0,
            duration_s: 2700.0,
            start_speed_factor: EASY_START_SPEED_FACTOR,
            cadence_fade_pct: 0.0,
            seed: 1,
        }
    }
}

/// SplitMix64: a tiny, well-mixed, deterministic generator.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    pub(crate) fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Approximately standard normal (Irwin–Hall sum of 12 uniforms): no `ln`, no `cos`.
    pub(crate) fn normal(&mut self) -> f64 {
        (0..12).map(|_| self.uniform()).sum::<f64>() - 6.0
    }
}

/// Sine from plain arithmetic (range reduction and a Taylor series), identical on every machine.
fn sin(x: f64) -> f64 {
    use std::f64::consts::{FRAC_PI_2, PI, TAU};
    if !x.is_finite() {
        return f64::NAN;
    }
    let mut r = x - TAU * (x / TAU).round();
    if r > FRAC_PI_2 {
        r = PI - r;
    } else if r < -FRAC_PI_2 {
        r = -PI - r;
    }
    let r2 = r * r;
    let (mut term, mut sum) = (r, r);
    for k in 1..12 {
        let k = k as f64;
        term *= -r2 / ((2.0 * k) * (2.0 * k + 1.0));
        sum += term;
    }
    sum
}

fn cos(x: f64) -> f64 {
    sin(x + std::f64::consts::FRAC_PI_2)
}

/// Rounds `v` to a multiple of `1 / per_unit`.
fn quantize(v: f64, per_unit: f64) -> f64 {
    (v * per_unit).round() / per_unit
}

/// A closed loop, parameterised by distance along it, in metres east/north of the start.
struct Route {
    cum: Vec<f64>,
    pts: Vec<(f64, f64)>,
}

impl Route {
    fn new(length_m: f64, rng: &mut Rng) -> Route {
        const N: usize = 720;
        let (a1, a2) = (0.1 + 0.15 * rng.uniform(), 0.05 + 0.08 * rng.uniform());
        let (p1, p2, rot) = (
            6.3 * rng.uniform(),
            6.3 * rng.uniform(),
            6.3 * rng.uniform(),
        );
        let shape = |k: usize| {
            let th = std::f64::consts::TAU * k as f64 / N as f64;
            let r = 1.0 + a1 * sin(2.0 * th + p1) + a2 * sin(3.0 * th + p2);
            (r * cos(th + rot), r * sin(th + rot))
        };
        let origin = shape(0);
        let pts: Vec<(f64, f64)> = (0..=N)
            .map(|k| {
                let (x, y) = shape(k);
                (x - origin.0, y - origin.1)
            })
            .collect();
        let mut cum = vec![0.0];
        for w in pts.windows(2) {
            let (dx, dy) = (w[1].0 - w[0].0, w[1].1 - w[0].1);
            cum.push(cum[cum.len() - 1] + (dx * dx + dy * dy).sqrt());
        }
        let scale = length_m.max(1.0) / cum[N];
        Route {
            cum: cum.iter().map(|c| c * scale).collect(),
            pts: pts.iter().map(|(x, y)| (x * scale, y * scale)).collect(),
        }
    }

    /// Position (east, north) in metres at `d` metres along the loop.
    fn at(&self, d: f64) -> (f64, f64) {
        let last = self.cum.len() - 1;
        let d = d.clamp(0.0, self.cum[last]);
        let k = self.cum.partition_point(|&c| c <= d).clamp(1, last);
        let (c0, c1) = (self.cum[k - 1], self.cum[k]);
        let u = if c1 > c0 { (d - c0) / (c1 - c0) } else { 0.0 };
        let (p0, p1) = (self.pts[k - 1], self.pts[k]);
        (p0.0 + u * (p1.0 - p0.0), p0.1 + u * (p1.1 - p0.1))
    }
}

/// Rolling hills along the route whose ascents add up to the planned climb.
struct Hills {
    heights: Vec<f64>,
    len: f64,
}

impl Hills {
    fn new(distance_m: f64, climb_m: f64, rng: &mut Rng) -> Hills {
        let n = (distance_m / 2500.0).round().clamp(1.0, 12.0) as usize;
        let w: Vec<f64> = (0..n).map(|_| 0.5 + rng.uniform()).collect();
        let total: f64 = w.iter().sum();
        let climb = if climb_m.is_finite() {
            climb_m.max(0.0)
        } else {
            0.0
        };
        Hills {
            heights: w.iter().map(|x| climb * x / total).collect(),
            len: distance_m.max(1.0) / n as f64,
        }
    }

    /// (elevation, grade) at `d` metres.
    fn at(&self, d: f64) -> (f64, f64) {
        let j = ((d / self.len).floor().max(0.0) as usize).min(self.heights.len() - 1);
        let u = (d - j as f64 * self.len) / self.len;
        let h = self.heights[j];
        let tau = std::f64::consts::TAU;
        let ele = BASE_ELEVATION_M + h / 2.0 * (1.0 - cos(tau * u));
        let grade = h / 2.0 * tau / self.len * sin(tau * u);
        (ele, grade)
    }
}

/// Simulates one session at 1 Hz and returns it as a FIT reader would see it (format `Fit`,
/// source `""`): every sample value is already rounded to what the writers store (positions to
/// 1e-7°, elevation to 0.2 m, distance to 1 cm, speed to 1 mm/s, cadence to whole strides, heart
/// rate to whole beats), and `device` holds the summary the FIT writer puts in its session.
pub fn simulate(plan: &RunPlan) -> Activity {
    let start = DateTime::from_timestamp(plan.start_utc.timestamp(), 0).unwrap_or(plan.start_utc);
    let mut a = Activity::new("", Format::Fit, start);
    a.sport = plan.sport;
    a.sport_detail = fit::sport_detail(plan.sport);
    a.utc_offset_s = Some(plan.utc_offset_s);
    a.device_name = Some(CREATOR.to_string());
    let mut rng = Rng::new(plan.seed);
    let moving =
        plan.sport != Sport::Strength && plan.distance_m.is_finite() && plan.distance_m > 0.0;
    a.samples = if moving {
        simulate_moving(plan, &mut rng)
    } else {
        simulate_static(plan, &mut rng)
    };
    if Samples::has(&a.samples.cadence_spm) {
        a.cadence_rule = CadenceRule::FitStridesDoubled;
    }
    let n = a.samples.len();
    let st = stats(&a.samples, 0, n.saturating_sub(1));
    a.device = Some(DeviceSummary {
        distance_m: st.distance_m,
        ascent_m: st.ascent_m,
        descent_m: st.descent_m,
        cadence_spm: st.cadence_spm,
        timer_s: Some(st.timer_s),
        elapsed_s: Some(st.timer_s),
    });
    a
}

fn finite_or(v: f64, default: f64) -> f64 {
    if v.is_finite() {
        v
    } else {
        default
    }
}

fn simulate_moving(plan: &RunPlan, rng: &mut Rng) -> Samples {
    let target = quantize(plan.distance_m, 100.0);
    let route = Route::new(target, rng);
    let hills = Hills::new(target, plan.climb_m, rng);
    let v0 = 1000.0 / finite_or(plan.pace_s_per_km, 330.0).clamp(60.0, 3000.0);
    let hr0 = finite_or(plan.hr_mean_bpm, 140.0);
    let cad0 = finite_or(plan.cadence_spm, 170.0);
    let est_duration = target / v0;
    let with_cadence = plan.sport.on_foot();
    let m_per_deg_lon = M_PER_DEG_LAT * cos(START_LAT.to_radians());
    let mut jitter = (2.0 * rng.normal(), 2.0 * rng.normal());
    let (mut vn, mut hn) = (0.0, 0.0);
    let (mut d, mut t) = (0.0_f64, 0.0_f64);
    let mut out = Samples::default();
    for _ in 0..MAX_SAMPLES {
        let last = d >= target;
        if last {
            d = target;
        }
        let (ele, grade) = hills.at(d);
        vn = 0.97 * vn + 0.008 * rng.normal();
        let start_factor = if t < EASY_START_S {
            finite_or(plan.start_speed_factor, 1.0).clamp(0.3, 2.0)
        } else {
            1.0
        };
        let v = (v0 * (1.0 - 3.0 * grade).clamp(0.6, 1.3) * (1.0 + vn) * start_factor).max(0.3);
        hn = 0.95 * hn + 0.6 * rng.normal();
        let warm = -18.0 * (1.0 - t / 420.0).max(0.0);
        let drift = 6.0 * (t / est_duration - 0.5);
        let hr = (hr0 + warm + drift + 60.0 * grade + hn)
            .round()
            .clamp(60.0, 210.0);
        let fade = 1.0 - finite_or(plan.cadence_fade_pct, 0.0) / 100.0 * (d / target).min(1.0);
        let cad = cad0 * fade + 8.0 * (v / v0 - 1.0) + 1.5 * rng.normal();
        jitter = (
            0.99 * jitter.0 + 0.28 * rng.normal(),
            0.99 * jitter.1 + 0.28 * rng.normal(),
        );
        let (x, y) = route.at(d);
        out.push(Sample {
            t_s: t,
            lat_deg: quantize(START_LAT + (y + jitter.1) / M_PER_DEG_LAT, 1e7),
            lon_deg: quantize(START_LON + (x + jitter.0) / m_per_deg_lon, 1e7),
            elevation_m: quantize(ele, 5.0),
            distance_m: quantize(d, 100.0),
            speed_m_s: quantize(v, 1000.0),
            cadence_spm: if with_cadence {
                2.0 * (cad / 2.0).round().clamp(0.0, 254.0)
            } else {
                f64::NAN
            },
            heart_rate_bpm: hr,
            ..Sample::default()
        });
        if last {
            break;
        }
        d += v;
        t += 1.0;
    }
    out
}

/// A session without GPS or distance (strength): heart rate only, sets and rests.
fn simulate_static(plan: &RunPlan, rng: &mut Rng) -> Samples {
    let n = (finite_or(plan.duration_s, 2700.0)
        .round()
        .clamp(60.0, MAX_SAMPLES as f64)) as usize;
    let hr0 = finite_or(plan.hr_mean_bpm, 105.0);
    let mut hn = 0.0;
    let mut out = Samples::default();
    for i in 0..=n {
        let t = i as f64;
        hn = 0.95 * hn + 0.5 * rng.normal();
        let set = if (i / 45) % 3 == 0 { 12.0 } else { -6.0 };
        out.push(Sample {
            t_s: t,
            heart_rate_bpm: (hr0 + set + hn).round().clamp(50.0, 200.0),
            ..Sample::default()
        });
    }
    out
}

/// Totals over samples `a..=b`, rounded as the FIT session and lap messages store them.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Stats {
    pub timer_s: f64,
    pub distance_m: Option<f64>,
    pub ascent_m: Option<f64>,
    pub descent_m: Option<f64>,
    pub hr_bpm: Option<f64>,
    pub cadence_spm: Option<f64>,
}

fn mean(v: &[f64]) -> Option<f64> {
    let (s, n) = v
        .iter()
        .filter(|x| !x.is_nan())
        .fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
    (n > 0).then(|| s / n as f64)
}

pub(crate) fn stats(s: &Samples, a: usize, b: usize) -> Stats {
    if s.is_empty() || a > b || b >= s.len() {
        return Stats::default();
    }
    let (mut up, mut down) = (0.0, 0.0);
    let ele = &s.elevation_m[a..=b];
    for w in ele.windows(2) {
        let dz = w[1] - w[0];
        if dz > 0.0 {
            up += dz;
        } else if dz < 0.0 {
            down -= dz;
        }
    }
    let has_ele = Samples::has(ele);
    let (d0, d1) = (s.distance_m[a], s.distance_m[b]);
    let d0 = if a == 0 || d0.is_nan() { 0.0 } else { d0 };
    Stats {
        timer_s: s.t_s[b] - s.t_s[a],
        distance_m: (!d1.is_nan()).then(|| quantize(d1 - d0, 100.0)),
        ascent_m: has_ele.then(|| up.round()),
        descent_m: has_ele.then(|| down.round()),
        hr_bpm: mean(&s.heart_rate_bpm[a..=b]).map(f64::round),
        cadence_spm: mean(&s.cadence_spm[a..=b]).map(|c| 2.0 * quantize(c / 2.0, 128.0)),
    }
}

/// Lap boundaries `(first, last)` sample indices: one lap per full kilometre plus the remainder,
/// or one lap for a session without distance. Consecutive laps share their boundary sample.
pub(crate) fn laps(s: &Samples) -> Vec<(usize, usize)> {
    let n = s.len();
    if n == 0 {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut first = 0;
    let mut next_km = 1000.0;
    for (i, d) in s.distance_m.iter().enumerate() {
        if *d >= next_km && i < n - 1 {
            out.push((first, i));
            first = i;
            while *d >= next_km {
                next_km += 1000.0;
            }
        }
    }
    out.push((first, n - 1));
    out
}

/// Gzips `bytes` with a zeroed header time, so the output depends on the input only.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::GzBuilder::new()
        .mtime(0)
        .write(Vec::new(), flate2::Compression::default());
    // Writing into a Vec cannot fail; a failure would only leave the output truncated.
    let _ = enc.write_all(bytes);
    enc.finish().unwrap_or_default()
}

/// A zip archive of `(name, bytes)` members, deflated, in the given order, with a fixed
/// timestamp (1980-01-01 00:00) and fixed permissions. Fails on invalid or repeated names.
pub fn zip(members: &[(String, Vec<u8>)]) -> std::io::Result<Vec<u8>> {
    use zip::write::SimpleFileOptions;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644);
    for (name, bytes) in members {
        w.start_file(name.as_str(), opts)
            .map_err(std::io::Error::other)?;
        w.write_all(bytes)?;
    }
    Ok(w.finish().map_err(std::io::Error::other)?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    pub(crate) fn plan() -> RunPlan {
        RunPlan {
            start_utc: Utc.with_ymd_and_hms(2025, 3, 4, 11, 45, 0).unwrap(),
            utc_offset_s: -5 * 3600,
            distance_m: 8000.0,
            pace_s_per_km: 340.0,
            cadence_spm: 172.0,
            climb_m: 60.0,
            hr_mean_bpm: 146.0,
            seed: 42,
            ..RunPlan::default()
        }
    }

    #[test]
    fn prng_is_splitmix64() {
        // Reference values of SplitMix64 seeded with 0.
        let mut r = Rng::new(0);
        assert_eq!(r.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(r.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn trig_matches_std() {
        for i in -200..200 {
            let x = i as f64 * 0.173;
            assert!((sin(x) - x.sin()).abs() < 1e-12, "{x}");
            assert!((cos(x) - x.cos()).abs() < 1e-12, "{x}");
        }
    }

    #[test]
    fn simulated_run_matches_plan() {
        let p = plan();
        let a = simulate(&p);
        let s = &a.samples;
        let n = s.len();
        assert_eq!(s.distance_m[n - 1], 8000.0);
        let moving = s.t_s[n - 1];
        let pace = moving / 8.0;
        assert!((pace - 340.0).abs() < 15.0, "pace {pace}");
        let cad = mean(&s.cadence_spm).unwrap();
        assert!((cad - 172.0).abs() < 1.5, "cadence {cad}");
        assert!(s.cadence_spm.iter().all(|c| c % 2.0 == 0.0));
        let hr = mean(&s.heart_rate_bpm).unwrap();
        assert!((hr - 146.0).abs() < 6.0, "hr {hr}");
        let dev = a.device.clone().unwrap();
        assert_eq!(dev.distance_m, Some(8000.0));
        assert_eq!(dev.timer_s, Some(moving));
        let up = dev.ascent_m.unwrap();
        assert!((up - 60.0).abs() <= 3.0, "ascent {up}");
        assert_eq!(dev.ascent_m, dev.descent_m);
        assert!(s.t_s.windows(2).all(|w| w[1] - w[0] == 1.0));
        assert!(s.distance_m.windows(2).all(|w| w[1] >= w[0]));
        // Loop: ends near where it starts, and the GPS track is about as long as the distance.
        let dlat = (s.lat_deg[n - 1] - s.lat_deg[0]) * M_PER_DEG_LAT;
        assert!(dlat.abs() < 20.0);
        let mut gps = 0.0;
        let k = M_PER_DEG_LAT * START_LAT.to_radians().cos();
        for i in 1..n {
            let dy = (s.lat_deg[i] - s.lat_deg[i - 1]) * M_PER_DEG_LAT;
            let dx = (s.lon_deg[i] - s.lon_deg[i - 1]) * k;
            gps += (dx * dx + dy * dy).sqrt();
        }
        assert!((gps / 8000.0 - 1.0).abs() < 0.03, "gps distance {gps}");
        assert_eq!(a.cadence_rule, CadenceRule::FitStridesDoubled);
        assert_eq!(a.utc_offset_s, Some(-5 * 3600));
        assert_eq!(
            format!("{:?}", simulate(&p)),
            format!("{a:?}"),
            "deterministic"
        );
        assert_ne!(
            simulate(&RunPlan { seed: 43, ..p }).samples.lat_deg,
            a.samples.lat_deg
        );
    }

    #[test]
    fn strength_has_no_gps() {
        let a = simulate(&RunPlan {
            sport: Sport::Strength,
            duration_s: 1800.0,
            hr_mean_bpm: 105.0,
            ..plan()
        });
        assert!(!a.samples.has_gps());
        assert!(!Samples::has(&a.samples.distance_m));
        assert_eq!(a.samples.len(), 1801);
        let dev = a.device.unwrap();
        assert_eq!((dev.distance_m, dev.timer_s), (None, Some(1800.0)));
        assert_eq!(a.cadence_rule, CadenceRule::None);
    }

    #[test]
    fn bad_plans_do_not_hang_or_panic() {
        for d in [f64::NAN, f64::INFINITY, -5.0, 0.0, 0.5] {
            let a = simulate(&RunPlan {
                distance_m: d,
                pace_s_per_km: f64::NAN,
                ..plan()
            });
            assert!(!a.samples.is_empty());
            assert!(a.samples.len() <= MAX_SAMPLES + 1);
        }
    }

    #[test]
    fn laps_per_km() {
        let a = simulate(&RunPlan {
            distance_m: 2500.0,
            ..plan()
        });
        let l = laps(&a.samples);
        assert_eq!(l.len(), 3);
        let total: f64 = l
            .iter()
            .map(|&(a0, b)| stats(&a.samples, a0, b).distance_m.unwrap())
            .sum();
        assert!((total - 2500.0).abs() < 1e-6);
        let first = stats(&a.samples, l[0].0, l[0].1).distance_m.unwrap();
        assert!((1000.0..1010.0).contains(&first));
    }

    #[test]
    fn gzip_and_zip_are_deterministic_and_readable() {
        use std::io::Read;
        let g = gzip(b"hello");
        assert_eq!(g, gzip(b"hello"));
        let mut out = String::new();
        flate2::read::GzDecoder::new(&g[..])
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, "hello");
        let members = vec![
            ("a.txt".to_string(), b"aaa".to_vec()),
            ("b/c.txt".to_string(), b"c".to_vec()),
        ];
        let z = zip(&members).unwrap();
        assert_eq!(z, zip(&members).unwrap());
        let mut ar = zip::ZipArchive::new(std::io::Cursor::new(z)).unwrap();
        assert_eq!(ar.len(), 2);
        let mut s = String::new();
        ar.by_name("b/c.txt")
            .unwrap()
            .read_to_string(&mut s)
            .unwrap();
        assert_eq!(s, "c");
        assert!(zip(&[members[0].clone(), members[0].clone()]).is_err());
    }
}
