//! GUIDs as Fabric writes them (`be17210f-5aca-421a-8c0a-bf631487bb8e`): recognising one, and making a new
//! one for a fix.
//!
//! A new GUID is derived from a seed (the file's text and what the GUID is for) rather than drawn from a
//! random source: the same diagnostic always carries the same fix, which keeps the language server's
//! code actions stable and the tests reproducible, and a GUID already in the file is never produced. It
//! has the form of a version-4 GUID. Pure: no IO, no clock.

use std::collections::HashSet;

/// The all-zero GUID, which Fabric's Git export writes as a placeholder `logicalId`.
pub const ZERO: &str = "00000000-0000-0000-0000-000000000000";

/// Whether `text` is a GUID: 32 hexadecimal digits in groups of 8-4-4-4-12, either case, no braces.
pub fn is_guid(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, &b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// The GUIDs a new one must differ from, compared without case: a set, since a file with thousands of
/// queries may need thousands of new GUIDs.
#[derive(Debug, Default)]
pub struct Taken(HashSet<String>);

impl Taken {
    pub fn of<'a>(guids: impl IntoIterator<Item = &'a str>) -> Taken {
        Taken(guids.into_iter().map(str::to_ascii_lowercase).collect())
    }

    fn contains(&self, guid: &str) -> bool {
        self.0.contains(&guid.to_ascii_lowercase())
    }
}

/// A short digest of a file's text, to seed the GUIDs of its fixes with: computed once for a file, where
/// seeding with the text itself would read the whole file again for each GUID.
pub fn digest(text: &str) -> String {
    format!("{:016x}", fnv1a(text.as_bytes(), 0xcbf2_9ce4_8422_2325))
}

/// A GUID derived from `seed`, different from every GUID in `taken` (compared without case).
pub fn derive(seed: &str, taken: &Taken) -> String {
    let mut attempt = 0u64;
    loop {
        let high = fnv1a(seed.as_bytes(), 0xcbf2_9ce4_8422_2325 ^ attempt);
        let low = fnv1a(seed.as_bytes(), 0x8422_2325_cbf2_9ce4 ^ attempt.rotate_left(32) ^ high);
        let guid = version_4(u128::from(high) << 64 | u128::from(low));
        if !taken.contains(&guid) {
            return guid;
        }
        attempt += 1;
    }
}

/// A version-4 GUID made of 128 bits: the version and variant bits set, the rest kept, in Fabric's lowercase
/// 8-4-4-4-12 form. The one GUID formatter: derived GUIDs here and the local Fabric's random ones.
pub fn version_4(bits: u128) -> String {
    let bits = bits & !(0xf << 76) | (0x4 << 76); // version 4
    let bits = bits & !(0x3 << 62) | (0x2 << 62); // the RFC 4122 variant
    let hex = format!("{bits:032x}");
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

/// 64-bit FNV-1a from a given basis, with a final avalanche so similar seeds give unrelated values.
fn fnv1a(bytes: &[u8], basis: u64) -> u64 {
    let mut hash = basis;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash ^= hash >> 33;
    hash = hash.wrapping_mul(0xff51_afd7_ed55_8ccd);
    hash ^= hash >> 33;
    hash = hash.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    hash ^ (hash >> 33)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_are_recognised() {
        assert!(is_guid("be17210f-5aca-421a-8c0a-bf631487bb8e"));
        assert!(is_guid("F58D2F83-A300-B135-4788-059683CD571C"));
        assert!(is_guid(ZERO));
        for not in [
            "",
            "be17210f5aca421a8c0abf631487bb8e",
            "{be17210f-5aca-421a-8c0a-bf631487bb8e}",
            "be17210f-5aca-421a-8c0a-bf631487bb8g",
            "be17210f-5aca-421a-8c0a_bf631487bb8e",
            "é",
        ] {
            assert!(!is_guid(not), "{not}");
        }
    }

    #[test]
    fn derived_guids_are_stable_distinct_and_fresh() {
        let none = Taken::default();
        let a = derive("queryMetadata.json\0Sales", &none);
        assert!(is_guid(&a));
        assert_eq!(a.as_bytes()[14], b'4', "version 4: {a}");
        assert_eq!(a, derive("queryMetadata.json\0Sales", &none));
        assert_ne!(a, derive("queryMetadata.json\0Sales2", &none));
        let b = derive("queryMetadata.json\0Sales", &Taken::of([a.to_uppercase().as_str()]));
        assert!(is_guid(&b) && b != a);
    }

    #[test]
    fn version_4_sets_the_version_and_variant_and_keeps_the_rest() {
        assert_eq!(version_4(0), "00000000-0000-4000-8000-000000000000");
        assert_eq!(version_4(u128::MAX), "ffffffff-ffff-4fff-bfff-ffffffffffff");
        assert_eq!(
            version_4(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef),
            "01234567-89ab-4def-8123-456789abcdef"
        );
    }
}
