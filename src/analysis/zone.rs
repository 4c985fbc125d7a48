//! The time zone at a position, for files that carry no UTC offset of their own (GPX as Strava
//! writes it, TCX, FIT without `local_timestamp`): the zone of the first fix, from the offline
//! zone map that tzf-rs bundles (timezone-boundary-builder's boundaries, ODbL). Nothing is
//! fetched; the map is opened in place on first use.

use std::sync::OnceLock;

use crate::model::Samples;

static FINDER: OnceLock<tzf_rs::EmbeddedFinder> = OnceLock::new();

/// The zone at (`lat_deg`, `lon_deg`): a land zone such as `Asia/Tokyo`, or at sea an
/// `Etc/GMT±N` one. `None` for a position out of range, for (0, 0) (what devices write for
/// "no fix") and where the map has no zone.
pub fn at(lat_deg: f64, lon_deg: f64) -> Option<chrono_tz::Tz> {
    let valid = lat_deg.is_finite()
        && lon_deg.is_finite()
        && lat_deg.abs() <= 90.0
        && lon_deg.abs() <= 180.0
        && (lat_deg, lon_deg) != (0.0, 0.0);
    if !valid {
        return None;
    }
    let finder = FINDER.get_or_init(tzf_rs::EmbeddedFinder::new);
    finder.get_tz_name(lon_deg, lat_deg).parse().ok()
}

/// The zone of the first sample with a valid position.
pub fn of_first_fix(s: &Samples) -> Option<chrono_tz::Tz> {
    s.lat_deg
        .iter()
        .zip(&s.lon_deg)
        .find(|(lat, lon)| lat.is_finite() && lon.is_finite() && (**lat, **lon) != (0.0, 0.0))
        .and_then(|(lat, lon)| at(*lat, *lon))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_of_known_places() {
        let cases = [
            ((40.7812, -73.9665), "America/New_York"), // Central Park
            ((35.6852, 139.7528), "Asia/Tokyo"),       // Imperial Palace
            ((51.5074, -0.1278), "Europe/London"),
            ((-33.8568, 151.2153), "Australia/Sydney"),
            ((47.3769, 8.5417), "Europe/Zurich"),
        ];
        for ((lat, lon), want) in cases {
            assert_eq!(at(lat, lon).map(|z| z.name()), Some(want), "{lat}, {lon}");
        }
    }

    #[test]
    fn no_zone_without_a_real_fix() {
        assert_eq!(at(0.0, 0.0), None);
        assert_eq!(at(95.0, 10.0), None);
        assert_eq!(at(10.0, -975.0), None);
        assert_eq!(at(f64::NAN, 10.0), None);
    }
}
