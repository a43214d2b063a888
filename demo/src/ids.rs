//! Deterministic ids and numbers: the same seed always gives the same world.

/// A 64-bit FNV-1a hash of `seed`, salted.
pub fn hash(seed: &str, salt: u64) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ salt.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    for b in seed.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    // Final avalanche so that close seeds give far-apart values.
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^ (h >> 33)
}

/// A UUID-shaped id from `seed`.
pub fn uuid(seed: &str) -> String {
    let a = hash(seed, 1);
    let b = hash(seed, 2);
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        0x8000 | ((b >> 48) & 0x3fff),
        b & 0xffff_ffff_ffff
    )
}

/// A number in `lo..hi` from `seed`.
pub fn pick(seed: &str, lo: u64, hi: u64) -> u64 {
    lo + hash(seed, 3) % (hi - lo).max(1)
}

/// A hex string (a commit id) from `seed`.
pub fn sha(seed: &str) -> String {
    format!(
        "{:016x}{:016x}{:08x}",
        hash(seed, 4),
        hash(seed, 5),
        hash(seed, 6) as u32
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_distinct() {
        assert_eq!(uuid("a"), uuid("a"));
        assert_ne!(uuid("a"), uuid("b"));
        assert_eq!(uuid("a").len(), 36);
        assert_eq!(sha("x").len(), 40);
        assert!((5..9).contains(&pick("s", 5, 9)));
    }
}
