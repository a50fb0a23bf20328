//! Time and identity for the emulator: milliseconds since the Unix epoch, the emulator's [`Clock`] (real time,
//! or faster for tests: `--clock-speed`), the two timestamp formats Fabric writes (job instances and
//! schedules: seven fractional digits and no zone; long-running operations: RFC 3339 with milliseconds and
//! `Z`), and fresh random GUIDs.
//!
//! The calendar is `jiff`'s, the one dfls uses everywhere; GUIDs take their randomness from std's randomly
//! keyed hasher mixed with the clock and a counter.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use jiff::Timestamp;

/// The emulator's time: jobs, operations and schedules (when they are due, when they were made) follow it,
/// and every time the API shows is of it. It runs `speed` times as fast as real time from the moment it is
/// made, and starts at real time, or at a later time the store has recorded already (a store kept by a
/// faster clock before), so it never runs backwards across restarts.
#[derive(Debug)]
pub struct Clock {
    speed: f64,
    real_origin: Instant,
    origin_ms: i64,
}

impl Clock {
    /// A clock running `speed` (finite, above 0; anything else is 1) times real time, starting at the
    /// later of now and `not_before_ms`.
    pub fn new(speed: f64, not_before_ms: i64) -> Clock {
        let speed = if speed.is_finite() && speed > 0.0 { speed } else { 1.0 };
        Clock { speed, real_origin: Instant::now(), origin_ms: now_ms().max(not_before_ms) }
    }

    /// How many times as fast as real time it runs.
    pub fn speed(&self) -> f64 {
        self.speed
    }

    /// The emulator's time now, in milliseconds since the Unix epoch.
    pub fn now_ms(&self) -> i64 {
        let real = self.real_origin.elapsed().as_secs_f64() * 1000.0;
        // Saturating: a clock sped up a million times for years is still a time, not an overflow.
        self.origin_ms.saturating_add((real * self.speed) as i64)
    }

    /// The real time that `emulated_ms` of the clock's time take (at least a millisecond).
    pub fn real(&self, emulated_ms: i64) -> Duration {
        Duration::from_secs_f64((emulated_ms.max(1) as f64 / self.speed / 1000.0).max(0.001))
    }
}

/// The environment variable that speeds up the clock of the embedded local Fabric (as `--clock-speed` does
/// for `dfls emulator`).
pub const SPEED_VARIABLE: &str = "DFLS_CLOCK_SPEED";

/// The most a clock can be sped up: a year of schedules in a minute is far more than any test needs.
const MAX_SPEED: f64 = 1_000_000.0;

/// A clock speed as written (`600`, `0.5`): a number above 0, at most a million.
pub fn speed(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(speed) if speed.is_finite() && speed > 0.0 && speed <= MAX_SPEED => Ok(speed),
        _ => Err(format!("`{text}` is not a clock speed (a number above 0 and at most 1000000, like 600)")),
    }
}

/// Milliseconds since the Unix epoch, now, in real time (the emulator's own time is its [`Clock`]).
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// `2023-04-22T06:35:00.7812154`: the format of job instance and schedule timestamps (UTC, no zone).
pub fn job_time(ms: i64) -> String {
    timestamp(ms).strftime("%Y-%m-%dT%H:%M:%S.%7f").to_string()
}

/// `2023-09-13T14:56:18.477Z`: the format of long-running operation timestamps.
pub fn lro_time(ms: i64) -> String {
    timestamp(ms).strftime("%Y-%m-%dT%H:%M:%S.%3fZ").to_string()
}

/// The instant `ms` milliseconds after the epoch; one beyond the calendar's years (-9999 to 9999, far past
/// any job's plan) is the nearest end of it.
fn timestamp(ms: i64) -> Timestamp {
    Timestamp::from_millisecond(ms).unwrap_or(if ms < 0 { Timestamp::MIN } else { Timestamp::MAX })
}

/// A fresh random version-4 GUID, lowercase.
pub fn new_guid() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let state = RandomState::new();
    let half = |half: usize| {
        let mut hasher = state.build_hasher();
        hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
        hasher.write_i64(now_ms());
        hasher.write_usize(half);
        hasher.write_u32(std::process::id());
        u128::from(hasher.finish())
    };
    crate::definition::guid::version_4(half(0) << 64 | half(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_have_fabric_formats() {
        // 2023-04-22T06:35:00.781Z
        let ms = 1_682_145_300_781;
        assert_eq!(job_time(ms), "2023-04-22T06:35:00.7810000");
        assert_eq!(lro_time(ms), "2023-04-22T06:35:00.781Z");
        assert_eq!(lro_time(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(job_time(951_782_400_000), "2000-02-29T00:00:00.0000000");
        assert_eq!(job_time(-1), "1969-12-31T23:59:59.9990000");
        // Beyond the calendar: the end of it, not a panic.
        assert!(job_time(i64::MAX).starts_with("9999-12-30T"), "{}", job_time(i64::MAX));
        assert!(lro_time(i64::MIN).starts_with("-9999-01-0"), "{}", lro_time(i64::MIN));
    }

    #[test]
    fn a_fast_clock_runs_fast_and_never_before_what_the_store_recorded() {
        let fast = Clock::new(600.0, 0);
        let start = fast.now_ms();
        std::thread::sleep(Duration::from_millis(50));
        let elapsed = fast.now_ms() - start;
        // 50 ms of real time are 30 s of the clock's (more on a loaded machine, never less).
        assert!(elapsed >= 30_000, "{elapsed}");
        assert_eq!(fast.real(60_000), Duration::from_millis(100));
        let ahead = now_ms() + 3_600_000;
        assert!(Clock::new(1.0, ahead).now_ms() >= ahead);
        assert_eq!(Clock::new(f64::NAN, 0).speed(), 1.0);
        assert_eq!(Clock::new(-5.0, 0).speed(), 1.0);
        assert_eq!(speed(" 600 "), Ok(600.0));
        assert!(
            speed("0").is_err() && speed("-1").is_err() && speed("fast").is_err() && speed("inf").is_err()
        );
    }

    #[test]
    fn guids_are_fresh_and_well_formed() {
        let a = new_guid();
        let b = new_guid();
        assert_ne!(a, b);
        assert!(crate::definition::guid::is_guid(&a));
        assert_eq!(&a[14..15], "4");
    }
}
