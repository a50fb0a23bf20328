//! Time and identity for the emulator: milliseconds since the Unix epoch, the two timestamp formats Fabric
//! writes (job instances and schedules: seven fractional digits and no zone; long-running operations:
//! RFC 3339 with milliseconds and `Z`), and fresh random GUIDs.
//!
//! The calendar is `jiff`'s, the one dfls uses everywhere; GUIDs take their randomness from std's randomly
//! keyed hasher mixed with the clock and a counter.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use jiff::Timestamp;

/// Milliseconds since the Unix epoch, now.
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
    fn guids_are_fresh_and_well_formed() {
        let a = new_guid();
        let b = new_guid();
        assert_ne!(a, b);
        assert!(crate::definition::guid::is_guid(&a));
        assert_eq!(&a[14..15], "4");
    }
}
