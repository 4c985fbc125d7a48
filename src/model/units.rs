//! Written forms of the model's units that the analysis (in finding messages) and every report
//! share, so that one run's pace reads the same everywhere.

/// Pace as `m:ss/km` from seconds per kilometre (negative values read as 0:00/km).
pub fn pace(s_per_km: f64) -> String {
    let s = s_per_km.max(0.0).round() as u64;
    format!("{}:{:02}/km", s / 60, s % 60)
}

#[cfg(test)]
mod tests {
    #[test]
    fn pace_rounds_to_the_second() {
        assert_eq!(super::pace(299.6), "5:00/km");
        assert_eq!(super::pace(359.4), "5:59/km");
        assert_eq!(super::pace(-3.0), "0:00/km");
    }
}
