//! The messages patella reads, decoded from a data message's body into what the activity
//! builder needs: `file_id`, `sport`, `session`, `lap` (its start), `record`, `activity`, `set`,
//! and the
//! `field_description`s that give developer fields their type, scale and (profile) name. Every
//! other message is counted and passed over.
//!
//! Value rules follow fitparser: component expansion of `altitude`, `speed` and
//! `compressed_speed_distance`, fitparser's sub-field rule for `product`, and a developer field
//! carrying a profile field's name standing in for that field when the message lacks it.

use super::framing::{Decoder, Definition, Slot};
use super::profile;
use super::value::{
    bits, component_bits, enum_text, lookup, num, string_of, timestamp_of, Base, First, Raw, ABSENT,
};
use crate::model::{DeviceSummary, Sample, Samples};

/// Global message numbers used here.
pub(super) const MESG_FILE_ID: u16 = 0;
pub(super) const MESG_SPORT: u16 = 12;
pub(super) const MESG_SESSION: u16 = 18;
pub(super) const MESG_LAP: u16 = 19;
pub(super) const MESG_RECORD: u16 = 20;
pub(super) const MESG_ACTIVITY: u16 = 34;
pub(super) const MESG_FIELD_DESCRIPTION: u16 = 206;
pub(super) const MESG_SET: u16 = 225;

/// Manufacturers whose `product` is a `garmin_product` (fitparser's sub-field rule).
const GARMIN_LIKE: [i64; 4] = [1, 15, 13, 89];
const FAVERO: i64 = 263;

/// A developer field as its `field_description` message describes it.
#[derive(Clone, Debug)]
pub(super) struct DevDescription {
    pub(super) base: Base,
    pub(super) scale: f64,
    pub(super) offset: f64,
    /// The profile field whose name it carries, if any (see [`Named`]).
    pub(super) named: Option<Named>,
}

/// Profile field names that a developer field may carry, which fitparser's name lookup would
/// then find when the profile field itself is absent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(super) enum Named {
    Timestamp,
    PositionLat,
    PositionLong,
    EnhancedAltitude,
    Altitude,
    Distance,
    EnhancedSpeed,
    Speed,
    HeartRate,
    Power,
    StanceTime,
    StanceTimeBalance,
    VerticalOscillation,
    VerticalRatio,
    StepLength,
    Cadence,
    FractionalCadence,
    CompressedSpeedDistance,
    StartTime,
    TotalElapsedTime,
    TotalTimerTime,
    TotalDistance,
    TotalAscent,
    TotalDescent,
    AvgRunningCadence,
    AvgCadence,
    AvgFractionalCadence,
    Sport,
    SubSport,
}
const NAMED_COUNT: usize = 29;

impl Named {
    pub(super) fn from_name(name: &str) -> Option<Named> {
        Some(match name {
            "timestamp" => Named::Timestamp,
            "position_lat" => Named::PositionLat,
            "position_long" => Named::PositionLong,
            "enhanced_altitude" => Named::EnhancedAltitude,
            "altitude" => Named::Altitude,
            "distance" => Named::Distance,
            "enhanced_speed" => Named::EnhancedSpeed,
            "speed" => Named::Speed,
            "heart_rate" => Named::HeartRate,
            "power" => Named::Power,
            "stance_time" => Named::StanceTime,
            "stance_time_balance" => Named::StanceTimeBalance,
            "vertical_oscillation" => Named::VerticalOscillation,
            "vertical_ratio" => Named::VerticalRatio,
            "step_length" => Named::StepLength,
            "cadence" => Named::Cadence,
            "fractional_cadence" => Named::FractionalCadence,
            "compressed_speed_distance" => Named::CompressedSpeedDistance,
            "start_time" => Named::StartTime,
            "total_elapsed_time" => Named::TotalElapsedTime,
            "total_timer_time" => Named::TotalTimerTime,
            "total_distance" => Named::TotalDistance,
            "total_ascent" => Named::TotalAscent,
            "total_descent" => Named::TotalDescent,
            "avg_running_cadence" => Named::AvgRunningCadence,
            "avg_cadence" => Named::AvgCadence,
            "avg_fractional_cadence" => Named::AvgFractionalCadence,
            "sport" => Named::Sport,
            "sub_sport" => Named::SubSport,
            _ => return None,
        })
    }
}

/// Values of developer fields that carry a profile name, for one message: the numeric value
/// (already scaled), `Some(None)` when present but not a number.
#[derive(Clone, Copy)]
pub(super) struct DevNamed {
    pub(super) any: bool,
    pub(super) vals: [Option<Option<f64>>; NAMED_COUNT],
}

impl DevNamed {
    pub(super) const NONE: DevNamed = DevNamed {
        any: false,
        vals: [None; NAMED_COUNT],
    };

    /// fitparser's lookup of `name` when no profile field has it: the developer field's number.
    pub(super) fn num(&self, n: Named) -> Option<f64> {
        if !self.any {
            return None;
        }
        self.vals[n as usize].flatten()
    }
}

// ---------------------------------------------------------------------------------------------
// Decoded messages
// ---------------------------------------------------------------------------------------------

/// One `record` message, reduced to what patella keeps (NaN: missing).
#[derive(Clone, Copy, Debug)]
pub(super) struct Row {
    /// Seconds since the FIT epoch.
    pub(super) t: Option<i64>,
    pub(super) lat: f64,
    pub(super) lon: f64,
    pub(super) elevation: f64,
    pub(super) distance: f64,
    pub(super) speed: f64,
    pub(super) heart_rate: f64,
    pub(super) power: f64,
    pub(super) stance_time_ms: f64,
    pub(super) stance_balance: f64,
    pub(super) vertical_oscillation_mm: f64,
    pub(super) vertical_ratio: f64,
    pub(super) step_length_mm: f64,
    pub(super) cadence: f64,
    /// The 12-bit distance of `compressed_speed_distance`, when its bytes are there.
    pub(super) compressed_distance: Option<u16>,
}

/// Records are put into columns this many at a time (17 KB of rows, within the first-level
/// cache).
const CHUNK: usize = 128;

/// The `record` messages that have a timestamp, as columns in the units of [`Samples`] (a record
/// without one never becomes a sample), so that a file of one session hands them to its activity
/// as they are. Records arrive as rows and go into the columns a chunk at a time, one column
/// after the other: a loop per column that the compiler unrolls, where pushing each value of
/// each row onto its column would check fourteen capacities per record.
#[derive(Clone, Debug, Default)]
pub(super) struct Records {
    /// Seconds since the FIT epoch.
    pub(super) t: Vec<i64>,
    /// Every column but `t_s`, which stays empty (it counts from the session's start, known at
    /// the end of the file); `cadence_spm` holds the raw cadence (strides or revolutions per
    /// minute: the rule is applied per activity) and the position only where it is plausible.
    pub(super) columns: Samples,
    /// The 12-bit distance of `compressed_speed_distance` of each record, once one has it (empty
    /// while none has).
    pub(super) compressed: Vec<Option<u16>>,
    /// Rows not yet in the columns (at most [`CHUNK`]; none after [`Records::flush`]).
    pending: Vec<Row>,
}

impl Records {
    /// Records in the columns.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.t.len()
    }

    /// Room for `n` more records in every column (`t_s` is not one here: it is made from `t`
    /// when the activity is built).
    pub(super) fn reserve(&mut self, n: usize) {
        self.t.reserve_exact(n);
        for column in self.columns.value_columns_mut() {
            column.reserve_exact(n);
        }
    }

    /// Adds one record (nothing without a timestamp).
    #[inline]
    pub(super) fn push(&mut self, r: Row) {
        if r.t.is_none() {
            return;
        }
        if self.pending.capacity() == 0 {
            self.pending.reserve_exact(CHUNK);
        }
        self.pending.push(r);
        if self.pending.len() == CHUNK {
            self.flush();
        }
    }

    /// Puts the pending rows into the columns, converted as the activity keeps them: positions
    /// from semicircles to degrees (both missing unless plausible), running dynamics from
    /// millimetres and milliseconds.
    pub(super) fn flush(&mut self) {
        let rows = &self.pending;
        if rows.is_empty() {
            return;
        }
        let semicircle = 180.0 / 2f64.powi(31);
        let position = |r: &Row| {
            if !r.lat.is_nan() && !r.lon.is_nan() {
                let lat = r.lat * semicircle;
                let lon = r.lon * semicircle;
                let plausible =
                    lat.abs() <= 90.0 && lon.abs() <= 180.0 && (lat != 0.0 || lon != 0.0);
                if plausible {
                    return (lat, lon);
                }
            }
            (f64::NAN, f64::NAN)
        };
        if !self.compressed.is_empty() || rows.iter().any(|r| r.compressed_distance.is_some()) {
            self.compressed.resize(self.t.len(), None);
            self.compressed
                .extend(rows.iter().map(|r| r.compressed_distance));
        }
        // Every pending row has a timestamp (see `push`).
        self.t.extend(rows.iter().map(|r| r.t.unwrap_or_default()));
        let c = &mut self.columns;
        column(&mut c.lat_deg, rows, |r| position(r).0);
        column(&mut c.lon_deg, rows, |r| position(r).1);
        column(&mut c.elevation_m, rows, |r| r.elevation);
        column(&mut c.distance_m, rows, |r| r.distance);
        column(&mut c.speed_m_s, rows, |r| r.speed);
        column(&mut c.cadence_spm, rows, |r| r.cadence);
        column(&mut c.heart_rate_bpm, rows, |r| r.heart_rate);
        column(&mut c.power_w, rows, |r| r.power);
        column(&mut c.ground_contact_s, rows, |r| r.stance_time_ms / 1000.0);
        column(&mut c.gct_balance_left_pct, rows, |r| r.stance_balance);
        column(&mut c.vertical_oscillation_m, rows, |r| {
            r.vertical_oscillation_mm / 1000.0
        });
        column(&mut c.vertical_ratio_pct, rows, |r| r.vertical_ratio);
        column(&mut c.step_length_m, rows, |r| r.step_length_mm / 1000.0);
        self.pending.clear();
    }

    /// Record `i` as a sample (`t_s` left NaN) and its raw compressed distance. Inlined: called,
    /// it handed the sample back through memory written eight bytes and read sixteen at a time,
    /// and the reads waited on the writes (perf put half of `gather`'s time there).
    #[inline(always)]
    pub(super) fn sample(&self, i: usize) -> (Sample, Option<u16>) {
        let c = &self.columns;
        let s = Sample {
            t_s: f64::NAN,
            lat_deg: c.lat_deg[i],
            lon_deg: c.lon_deg[i],
            elevation_m: c.elevation_m[i],
            distance_m: c.distance_m[i],
            speed_m_s: c.speed_m_s[i],
            cadence_spm: c.cadence_spm[i],
            heart_rate_bpm: c.heart_rate_bpm[i],
            power_w: c.power_w[i],
            ground_contact_s: c.ground_contact_s[i],
            gct_balance_left_pct: c.gct_balance_left_pct[i],
            vertical_oscillation_m: c.vertical_oscillation_m[i],
            vertical_ratio_pct: c.vertical_ratio_pct[i],
            step_length_m: c.step_length_m[i],
        };
        (s, self.compressed.get(i).copied().flatten())
    }
}

/// One value of each row onto `col`.
#[inline(always)]
fn column(col: &mut Vec<f64>, rows: &[Row], value: impl Fn(&Row) -> f64) {
    col.extend(rows.iter().map(value));
}

/// The fields of a `record` definition that patella reads, resolved once when the definition
/// arrives, so that each record is read at fixed offsets by fixed readers. Only made when that
/// reading is exactly the general one: every such field a scalar defined once, `altitude` and
/// `speed` unsigned and at most 16 bits (their component is then the value itself), and no
/// `compressed_speed_distance`. Records of other definitions, and records whose developer fields
/// carry profile names, take the general path.
#[derive(Clone, Copy, Debug)]
pub(in crate::ingest::fit) struct RecordPlan {
    lat: Slot,
    lon: Slot,
    altitude: Slot,
    heart_rate: Slot,
    cadence: Slot,
    distance: Slot,
    speed: Slot,
    power: Slot,
    vertical_oscillation: Slot,
    stance_time: Slot,
    fractional_cadence: Slot,
    enhanced_speed: Slot,
    enhanced_altitude: Slot,
    vertical_ratio: Slot,
    stance_balance: Slot,
    step_length: Slot,
}

impl RecordPlan {
    pub(super) fn of(def: &Definition) -> Option<RecordPlan> {
        if def.by_number[8] != 0 {
            return None;
        }
        let component = |n: u8| {
            def.slot(n)
                .filter(|s| s.read.is_none_or(|r| r.below_16_bits()))
        };
        Some(RecordPlan {
            lat: def.slot(0)?,
            lon: def.slot(1)?,
            altitude: component(2)?,
            heart_rate: def.slot(3)?,
            cadence: def.slot(4)?,
            distance: def.slot(5)?,
            speed: component(6)?,
            power: def.slot(7)?,
            vertical_oscillation: def.slot(39)?,
            stance_time: def.slot(41)?,
            fractional_cadence: def.slot(53)?,
            enhanced_speed: def.slot(73)?,
            enhanced_altitude: def.slot(78)?,
            vertical_ratio: def.slot(83)?,
            stance_balance: def.slot(84)?,
            step_length: def.slot(85)?,
        })
    }

    /// The row of one record, as [`Decoder::record`]'s general path makes it.
    #[inline(always)]
    fn row(&self, body: &[u8], big: bool, t: Option<i64>) -> Row {
        // NaN for a missing value before the division, not chosen after it: the compiler then
        // divided two values at once, whatever a missing one had left in its register, and chose
        // NaN afterwards; perf put more than half of this function's time on that division (a
        // leftover that reads as a subnormal number takes a slow microcode path, most likely).
        let v = |s: Slot, scale: f64, offset: f64| {
            s.value(body, big).unwrap_or(f64::NAN) / scale - offset
        };
        let enhanced_altitude = v(self.enhanced_altitude, 5.0, 500.0);
        let enhanced_speed = v(self.enhanced_speed, 1000.0, 0.0);
        let cadence = v(self.cadence, 1.0, 0.0);
        let fractional = v(self.fractional_cadence, 128.0, 0.0);
        Row {
            t,
            lat: v(self.lat, 1.0, 0.0),
            lon: v(self.lon, 1.0, 0.0),
            elevation: if enhanced_altitude.is_nan() {
                v(self.altitude, 5.0, 500.0)
            } else {
                enhanced_altitude
            },
            distance: v(self.distance, 100.0, 0.0),
            speed: if enhanced_speed.is_nan() {
                v(self.speed, 1000.0, 0.0)
            } else {
                enhanced_speed
            },
            heart_rate: v(self.heart_rate, 1.0, 0.0),
            power: v(self.power, 1.0, 0.0),
            stance_time_ms: v(self.stance_time, 10.0, 0.0),
            stance_balance: v(self.stance_balance, 100.0, 0.0),
            vertical_oscillation_mm: v(self.vertical_oscillation, 10.0, 0.0),
            vertical_ratio: v(self.vertical_ratio, 100.0, 0.0),
            step_length_mm: v(self.step_length, 10.0, 0.0),
            cadence: if fractional.is_nan() {
                cadence
            } else {
                cadence + fractional
            },
            compressed_distance: None,
        }
    }
}

/// A `session` message as the file states it.
pub(super) struct Session {
    /// `start_time`, seconds since the FIT epoch; `None` where the message lacks it (the start is
    /// then taken from the laps, the session's end, the records or the activity message).
    pub(super) start: Option<i64>,
    /// Milliseconds since the FIT epoch: its timestamp, else its start plus its elapsed time.
    pub(super) end_ms: Option<i64>,
    pub(super) sport: String,
    pub(super) sub_sport: String,
    pub(super) device: DeviceSummary,
    /// Raw strides-per-minute average (for on-foot sports, doubled later).
    pub(super) cadence_raw: Option<f64>,
}

/// The first `file_id` message: its `type` and `manufacturer:product`.
#[derive(Default)]
pub(super) struct FileId {
    pub(super) kind: Option<String>,
    pub(super) device_name: Option<String>,
}

/// Everything the activity builder needs from the stream.
#[derive(Default)]
pub(super) struct Decoded {
    /// Data messages decoded, of any kind.
    pub(super) messages: usize,
    pub(super) file_id: Option<FileId>,
    /// First `sport` message: (sport, sub_sport).
    pub(super) sport: Option<(String, String)>,
    /// First `activity` message.
    pub(super) activity: Option<ActivityMessage>,
    pub(super) sessions: Vec<Session>,
    /// The `start_time` of every `lap` message that has one, in the file's order, in seconds
    /// since the FIT epoch.
    pub(super) lap_starts: Vec<i64>,
    pub(super) records: Records,
    pub(super) sets: Vec<SetRow>,
    /// Rows read by a [`RecordPlan`] (for the test that holds plans to the general path).
    #[cfg(test)]
    pub(super) planned: usize,
}

/// The `activity` message: the whole recording's end and timer.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(super) struct ActivityMessage {
    /// Seconds since the FIT epoch.
    pub(super) timestamp: Option<i64>,
    /// `local_timestamp`, seconds since the FIT epoch in local time.
    pub(super) local: Option<i64>,
    /// `total_timer_time`, seconds.
    pub(super) timer_s: Option<f64>,
}

/// One `set` message of a strength session.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(super) struct SetRow {
    /// `start_time`, else the message's timestamp, in seconds since the FIT epoch.
    pub(super) t: Option<i64>,
    /// `set_type` 0: a rest between sets.
    pub(super) rest: bool,
    pub(super) repetitions: Option<u32>,
}

impl Decoder {
    /// Decodes one data message of `def` (whose body, developer fields included, is `body`);
    /// `timestamp` is its own or its compressed timestamp.
    pub(super) fn message(
        &mut self,
        body: &[u8],
        def: &Definition,
        timestamp: Option<i64>,
        dev: &DevNamed,
    ) -> Result<(), String> {
        match def.global {
            MESG_RECORD => self.record(body, def, timestamp, dev),
            MESG_SESSION => self.session(body, def, timestamp, dev),
            MESG_FILE_ID if self.out.file_id.is_none() => self.file_id(body, def),
            MESG_SPORT if self.out.sport.is_none() => {
                let sport = enum_text(def.raw(body, 0), profile::SPORT);
                let sub = enum_text(def.raw(body, 1), profile::SUB_SPORT);
                let dev_text = |n: Named| dev.num(n).map(|x| format!("{x}"));
                self.out.sport = Some((
                    sport.or_else(|| dev_text(Named::Sport)).unwrap_or_default(),
                    sub.or_else(|| dev_text(Named::SubSport))
                        .unwrap_or_default(),
                ));
            }
            MESG_ACTIVITY if self.out.activity.is_none() => {
                self.out.activity = Some(ActivityMessage {
                    timestamp,
                    local: timestamp_of(def.raw(body, 5)),
                    timer_s: num(def.raw(body, 0), 1000.0, 0.0),
                });
            }
            MESG_LAP => {
                if let Some(start) = timestamp_of(def.raw(body, 2)) {
                    self.out.lap_starts.push(start);
                }
            }
            MESG_FIELD_DESCRIPTION => self.field_description(body, def)?,
            MESG_SET => {
                let repetitions = num(def.raw(body, 3), 1.0, 0.0);
                self.out.sets.push(SetRow {
                    // The set message's own timestamp is field 254, not 253.
                    t: timestamp_of(def.raw(body, 6))
                        .or_else(|| timestamp_of(def.raw(body, 254)))
                        .or(timestamp),
                    rest: num(def.raw(body, 5), 1.0, 0.0) == Some(0.0),
                    repetitions: repetitions.map(|r| r as u32),
                });
            }
            _ => {}
        }
        Ok(())
    }

    fn record(&mut self, body: &[u8], def: &Definition, timestamp: Option<i64>, dev: &DevNamed) {
        if let (Some(plan), false) = (&def.record, dev.any) {
            // Each byte order a copy of its own, the order settled once and not per field.
            let row = if def.big {
                plan.row(body, true, timestamp)
            } else {
                plan.row(body, false, timestamp)
            };
            self.out.records.push(row);
            #[cfg(test)]
            {
                self.out.planned += 1;
            }
            return;
        }
        let has = |n: u8| def.by_number[n as usize] != 0;
        let raw = |n: u8| def.raw(body, n);
        let or_dev = |r: Raw, scale: f64, offset: f64, n: Named| {
            if r.present {
                num(r, scale, offset)
            } else {
                dev.num(n)
            }
        };
        let nan = |v: Option<f64>| v.unwrap_or(f64::NAN);

        // A developer field named `timestamp` is not a timestamp value: no time either way.
        let t = timestamp;

        let alt = if has(2) { raw(2) } else { ABSENT };
        let enh_alt = if has(78) { raw(78) } else { ABSENT };
        let speed = if has(6) { raw(6) } else { ABSENT };
        let enh_speed = if has(73) { raw(73) } else { ABSENT };
        let csd = if has(8) { raw(8) } else { ABSENT };
        let csd_bits = if csd.present {
            def.field_bytes(body, 8)
                .map(|(d, f)| component_bits(d, f.base, f.size as usize, def.big))
        } else {
            None
        };

        // enhanced_altitude: the field itself, or altitude's 16-bit component.
        let enhanced_altitude = if enh_alt.present {
            num(enh_alt, 5.0, 500.0)
        } else if alt.present {
            def.field_bytes(body, 2).map(|(d, f)| {
                bits(component_bits(d, f.base, f.size as usize, def.big), 0, 16) as f64 / 5.0
                    - 500.0
            })
        } else {
            dev.num(Named::EnhancedAltitude)
        };
        let elevation = enhanced_altitude.or_else(|| or_dev(alt, 5.0, 500.0, Named::Altitude));

        let enhanced_speed = if enh_speed.present {
            num(enh_speed, 1000.0, 0.0)
        } else if speed.present {
            def.field_bytes(body, 6).map(|(d, f)| {
                bits(component_bits(d, f.base, f.size as usize, def.big), 0, 16) as f64 / 1000.0
            })
        } else if let Some(b) = csd_bits {
            Some(bits(b, 0, 12) as f64 / 100.0)
        } else {
            dev.num(Named::EnhancedSpeed)
        };
        let speed_v = enhanced_speed.or_else(|| {
            if speed.present {
                num(speed, 1000.0, 0.0)
            } else if let Some(b) = csd_bits {
                Some(bits(b, 0, 12) as f64 / 100.0)
            } else {
                dev.num(Named::Speed)
            }
        });

        let mut distance = if has(5) && raw(5).present {
            num(raw(5), 100.0, 0.0)
        } else {
            None
        };
        if let Some(b) = csd_bits {
            let component = bits(b, 12, 12);
            let total = self.distance_accumulator.unwrap_or(0) + component;
            let total = if self.distance_accumulator.is_some() {
                total
            } else {
                component
            };
            self.distance_accumulator = Some(total);
            if !(has(5) && raw(5).present) {
                distance = Some(total as f64 / 16.0);
            }
        } else if !(has(5) && raw(5).present) {
            distance = dev.num(Named::Distance);
        }

        // compressed_distance_raw: array whose elements 1 and 2 are bytes.
        let compressed_distance = if csd.present && csd.array {
            def.field_bytes(body, 8).and_then(|(d, f)| {
                let elem_ok = |i: usize| match f.base {
                    Base::Byte => d.get(i).map(|b| *b as u16),
                    // Other base type bytes are read as uint8 (fitparser's `Value::UInt8`).
                    Base::U8 | Base::Unknown => d.get(i).filter(|b| **b != 0xFF).map(|b| *b as u16),
                    _ => None,
                };
                if (f.size as usize) < 3 {
                    return None;
                }
                Some((elem_ok(1)? >> 4) | (elem_ok(2)? << 4))
            })
        } else {
            None
        };

        let cadence = or_dev(raw(4), 1.0, 0.0, Named::Cadence);
        let fractional = or_dev(raw(53), 128.0, 0.0, Named::FractionalCadence);
        self.out.records.push(Row {
            t,
            lat: nan(or_dev(raw(0), 1.0, 0.0, Named::PositionLat)),
            lon: nan(or_dev(raw(1), 1.0, 0.0, Named::PositionLong)),
            elevation: nan(elevation),
            distance: nan(distance),
            speed: nan(speed_v),
            heart_rate: nan(or_dev(raw(3), 1.0, 0.0, Named::HeartRate)),
            power: nan(or_dev(raw(7), 1.0, 0.0, Named::Power)),
            stance_time_ms: nan(or_dev(raw(41), 10.0, 0.0, Named::StanceTime)),
            stance_balance: nan(or_dev(raw(84), 100.0, 0.0, Named::StanceTimeBalance)),
            vertical_oscillation_mm: nan(or_dev(raw(39), 10.0, 0.0, Named::VerticalOscillation)),
            vertical_ratio: nan(or_dev(raw(83), 100.0, 0.0, Named::VerticalRatio)),
            step_length_mm: nan(or_dev(raw(85), 10.0, 0.0, Named::StepLength)),
            cadence: cadence.map_or(f64::NAN, |c| c + fractional.unwrap_or(0.0)),
            compressed_distance,
        });
    }

    fn session(&mut self, body: &[u8], def: &Definition, timestamp: Option<i64>, dev: &DevNamed) {
        let raw = |n: u8| def.raw(body, n);
        let or_dev = |r: Raw, scale: f64, n: Named| {
            if r.present {
                num(r, scale, 0.0)
            } else {
                dev.num(n)
            }
        };
        let start = timestamp_of(raw(2));
        let elapsed = or_dev(raw(7), 1000.0, Named::TotalElapsedTime);
        let end_ms = timestamp
            .map(|t| t * 1000)
            .or_else(|| Some(start? * 1000 + (elapsed? * 1000.0) as i64));
        let cadence_raw = or_dev(raw(18), 1.0, Named::AvgCadence)
            .map(|c| c + or_dev(raw(92), 128.0, Named::AvgFractionalCadence).unwrap_or(0.0));
        let text = |n: u8, table, named: Named| {
            let r = raw(n);
            if r.present {
                enum_text(r, table)
            } else {
                dev.num(named).map(|x| format!("{x}"))
            }
            .unwrap_or_default()
        };
        self.out.sessions.push(Session {
            start,
            end_ms,
            sport: text(5, profile::SPORT, Named::Sport),
            sub_sport: text(6, profile::SUB_SPORT, Named::SubSport),
            device: DeviceSummary {
                distance_m: or_dev(raw(9), 100.0, Named::TotalDistance),
                ascent_m: or_dev(raw(22), 1.0, Named::TotalAscent),
                descent_m: or_dev(raw(23), 1.0, Named::TotalDescent),
                cadence_spm: None,
                timer_s: or_dev(raw(8), 1000.0, Named::TotalTimerTime),
                elapsed_s: elapsed,
            },
            cadence_raw,
        });
    }

    fn file_id(&mut self, body: &[u8], def: &Definition) {
        let kind = enum_text(def.raw(body, 0), profile::FILE);
        let manufacturer_raw = def.raw(body, 1);
        let manufacturer = enum_text(manufacturer_raw, profile::MANUFACTURER).unwrap_or_default();
        let m = match manufacturer_raw.first {
            First::Int(i, _) if manufacturer_raw.present && !manufacturer_raw.array => i,
            _ => -1,
        };
        let product_raw = def.raw(body, 2);
        let product = if m == FAVERO {
            enum_text(product_raw, profile::FAVERO_PRODUCT)
        } else if GARMIN_LIKE.contains(&m) {
            enum_text(product_raw, profile::GARMIN_PRODUCT)
        } else {
            num(product_raw, 1.0, 0.0).map(|x| format!("{x}"))
        }
        .unwrap_or_default();
        let device_name = (!manufacturer.is_empty() || !product.is_empty())
            .then(|| format!("{manufacturer}:{product}"));
        self.out.file_id = Some(FileId { kind, device_name });
    }

    /// A `field_description` message, with fitparser's checks and messages.
    fn field_description(&mut self, body: &[u8], def: &Definition) -> Result<(), String> {
        let err = |m: &str| format!("value error: {m}");
        let raw = |n: u8| def.raw(body, n);
        let is_type = |n: u8, base: Base| def.pick(body, n).is_some_and(|(f, _)| f.base == base);
        let u8_of = |n: u8, name: &str| -> Result<u8, String> {
            let r = raw(n);
            if !r.present {
                return Err(err(&format!("{name} is mandatory")));
            }
            match r.first {
                First::Int(i, _) if !r.array && is_type(n, Base::U8) => Ok(i as u8),
                _ => Err(err(&format!("{name} must be u8"))),
            }
        };
        let index = u8_of(0, "developer_data_index")?;
        let number = u8_of(1, "field_definition_number")?;
        let base_raw = raw(2);
        if !base_raw.present {
            return Err(err("fit_base_type_id is mandatory"));
        }
        let base = match base_raw.first {
            First::Int(i, _) if !base_raw.array => u16::try_from(i)
                .ok()
                .and_then(|v| lookup(profile::FIT_BASE_TYPE, v))
                .map(Base::from_name),
            _ => None,
        }
        .ok_or_else(|| err("fit_base_type_id must be string"))?;
        let string = |n: u8| -> Option<Result<&str, ()>> {
            let r = raw(n);
            if !r.present {
                return None;
            }
            if !is_type(n, Base::Str) {
                return Some(Err(()));
            }
            let (d, f) = def.field_bytes(body, n)?;
            Some(d.get(..f.size as usize).and_then(string_of).ok_or(()))
        };
        let name = match string(3) {
            None => None,
            Some(Ok(s)) => Some(s.to_string()),
            Some(Err(())) => return Err(err("field_name must be string")),
        };
        let scale = raw(6);
        let scale = if !scale.present {
            1.0
        } else {
            match scale.first {
                First::Int(i, _) if !scale.array && is_type(6, Base::U8) => i as f64,
                _ => return Err(err("scale must be u8")),
            }
        };
        let offset = raw(7);
        let offset = if !offset.present {
            0.0
        } else {
            match offset.first {
                First::Int(i, _) if !offset.array && is_type(7, Base::S8) => i as f64,
                _ => return Err(err("offset must be i8")),
            }
        };
        if let Some(Err(())) = string(8) {
            return Err(err("units must be string"));
        }
        self.generation += 1;
        self.descriptions.insert(
            (index, number),
            DevDescription {
                base,
                scale,
                offset,
                named: name.as_deref().and_then(Named::from_name),
            },
        );
        Ok(())
    }
}
