//! A long training history of one runner, for the tests and benchmarks that need years of it:
//! about six sessions a week (easy runs, a long run on Sunday, a hard session or two, strength
//! on some days), a break of three weeks once a year, the long run growing and shrinking through
//! the seasons, some weeks hilly. Deterministic from its seed.

use chrono::{DateTime, Duration, Utc};

use super::{Rng, RunPlan};
use crate::model::Sport;

/// `runs` runs (and the strength sessions between them) from Monday 2015-01-05, ending when
/// the count is reached.
pub fn history(runs: usize, seed: u64) -> Vec<RunPlan> {
    let mut rng = Rng::new(seed);
    // Monday 2015-01-05 07:00 UTC.
    let start = DateTime::<Utc>::from_timestamp(1_420_441_200, 0).unwrap_or_default();
    let mut out = Vec::new();
    let mut count = 0usize;
    let mut day = 0i64;
    while count < runs {
        let week = day / 7;
        let weekday = day % 7;
        // Three weeks off once a year (weeks 30-32 of each 52).
        let off = (30..33).contains(&(week % 52));
        // The season: longer runs in spring and autumn.
        let season = 1.0 + 0.3 * ((week % 52) as f64 / 52.0 * std::f64::consts::TAU).sin();
        let hilly = week % 5 == 2;
        let at = |hour: i64| start + Duration::days(day) + Duration::hours(hour - 7);
        if !off {
            let km = match weekday {
                6 => Some(14.0 * season + 4.0 * rng.uniform()),
                0 | 2 | 3 | 5 => Some(6.0 + 5.0 * rng.uniform()),
                1 if rng.uniform() < 0.6 => Some(5.0 + 3.0 * rng.uniform()),
                _ => None,
            };
            if let Some(km) = km {
                let hard = weekday == 3 || (weekday == 1 && rng.uniform() < 0.3);
                out.push(RunPlan {
                    start_utc: at(7),
                    utc_offset_s: 3600,
                    sport: Sport::Running,
                    distance_m: km * 1000.0,
                    pace_s_per_km: if hard {
                        290.0
                    } else {
                        330.0 + 30.0 * rng.uniform()
                    },
                    cadence_spm: 164.0 + 14.0 * rng.uniform(),
                    climb_m: if hilly { 25.0 * km } else { 4.0 * km },
                    hr_mean_bpm: if hard {
                        172.0
                    } else {
                        138.0 + 8.0 * rng.uniform()
                    },
                    seed: seed.wrapping_mul(31).wrapping_add(day as u64),
                    ..RunPlan::default()
                });
                count += 1;
            }
            if (weekday == 1 || weekday == 4) && rng.uniform() < 0.7 {
                out.push(RunPlan {
                    start_utc: at(18),
                    utc_offset_s: 3600,
                    sport: Sport::Strength,
                    distance_m: 0.0,
                    duration_s: 1800.0,
                    hr_mean_bpm: 105.0,
                    seed: seed.wrapping_mul(37).wrapping_add(day as u64),
                    ..RunPlan::default()
                });
            }
        }
        day += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_years_of_about_six_runs_a_week() {
        let h = history(3000, 1);
        let runs: Vec<&RunPlan> = h.iter().filter(|p| p.sport == Sport::Running).collect();
        assert_eq!(runs.len(), 3000);
        let years = (runs[2999].start_utc - runs[0].start_utc).num_days() as f64 / 365.25;
        assert!((9.0..11.0).contains(&years), "{years}");
        assert!(h.iter().any(|p| p.sport == Sport::Strength));
        assert_eq!(h, history(3000, 1), "deterministic");
        // Sorted by time.
        assert!(h.windows(2).all(|w| w[0].start_utc <= w[1].start_utc));
    }
}
