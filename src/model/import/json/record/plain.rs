//! Where a plain run of a JSON string ends: the first quote, backslash or control character (the
//! bytes JSON forbids raw in a string), and whether every byte before it is ASCII (then the run is
//! text without a UTF-8 check). This is the importer's innermost loop, run over nearly every byte
//! of a file: sixteen bytes at a time with the machine's SIMD where there is one (SSE2 natively,
//! simd128 in the browser), eight at a time in a `u64` otherwise, then byte by byte. Every way
//! finds the same byte (a test compares them with the byte-by-byte scan).

use crate::model::strings::{word, HIGH_BITS, LOW_BITS};

/// Bytes that end or interrupt a plain run inside a string: the quote, the backslash, and the
/// control characters JSON forbids there.
const STRING_SPECIAL: [bool; 256] = {
    let mut table = [false; 256];
    let mut c = 0;
    while c < 0x20 {
        table[c] = true;
        c += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

/// The high bit of each byte of `v` that is below `n` (`n` ≤ 128; exact for the lowest such byte).
fn has_less(v: u64, n: u8) -> u64 {
    v.wrapping_sub(LOW_BITS * n as u64) & !v & HIGH_BITS
}

/// The high bit of each byte of `v` that equals `c` (exact for the lowest such byte).
fn has_byte(v: u64, c: u8) -> u64 {
    has_less(v ^ (LOW_BITS * c as u64), 1)
}

/// The index of the first special byte at or after `from` (see [`STRING_SPECIAL`]) and whether
/// every byte before it is ASCII; `None` when the bytes end first.
#[inline(always)]
pub(super) fn run_end(b: &[u8], from: usize) -> Option<(usize, bool)> {
    let mut j = from;
    // Any byte with its high bit set, among those passed.
    let mut high = 0u64;
    while j + 16 <= b.len() {
        let (special, non_ascii) = block16(&b[j..j + 16]);
        if special != 0 {
            let at = special.trailing_zeros();
            high |= (non_ascii & ((1u32 << at) - 1)) as u64;
            return Some((j + at as usize, high == 0));
        }
        high |= non_ascii as u64;
        j += 16;
    }
    let mut high = if high == 0 { 0 } else { HIGH_BITS };
    // Eight bytes at a time: a word with no quote, backslash or control character in it is
    // passed whole (the "has less / has value" bit tricks: the lowest flagged byte of each test
    // is a true match, so the lowest of all is the first special byte).
    while j + 8 <= b.len() {
        let v = word(b, j);
        let special = has_less(v, 0x20) | has_byte(v, b'"') | has_byte(v, b'\\');
        if special != 0 {
            let at = (special.trailing_zeros() / 8) as usize;
            let before = if at == 0 {
                0
            } else {
                v & (u64::MAX >> (64 - 8 * at))
            };
            high |= before;
            return Some((j + at, high & HIGH_BITS == 0));
        }
        high |= v;
        j += 8;
    }
    loop {
        let c = *b.get(j)?;
        if STRING_SPECIAL[c as usize] {
            return Some((j, high & HIGH_BITS == 0));
        }
        high |= (c as u64) & 0x80;
        j += 1;
    }
}

/// For sixteen bytes: one bit a byte that is special, and one bit a byte that is not ASCII.
#[cfg(target_arch = "x86_64")]
fn block16(bytes: &[u8]) -> (u32, u32) {
    use std::arch::x86_64::*;
    assert!(bytes.len() >= 16);
    // SAFETY: SSE2 is part of every x86_64 machine; the load reads the 16 bytes just checked
    // to be there, and `loadu` takes any alignment.
    unsafe {
        let v = _mm_loadu_si128(bytes.as_ptr().cast());
        let quote = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8));
        let backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8));
        // Unsigned v <= 0x1f: the larger of v and 0x1f is 0x1f.
        let limit = _mm_set1_epi8(0x1f);
        let control = _mm_cmpeq_epi8(_mm_max_epu8(v, limit), limit);
        let special = _mm_or_si128(_mm_or_si128(quote, backslash), control);
        (
            _mm_movemask_epi8(special) as u32,
            _mm_movemask_epi8(v) as u32,
        )
    }
}

/// For sixteen bytes: one bit a byte that is special, and one bit a byte that is not ASCII.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn block16(bytes: &[u8]) -> (u32, u32) {
    use std::arch::wasm32::*;
    assert!(bytes.len() >= 16);
    // SAFETY: the load reads the 16 bytes just checked to be there; `v128_load` takes any
    // alignment.
    let v = unsafe { v128_load(bytes.as_ptr().cast()) };
    let quote = u8x16_eq(v, u8x16_splat(b'"'));
    let backslash = u8x16_eq(v, u8x16_splat(b'\\'));
    let control = u8x16_lt(v, u8x16_splat(0x20));
    let special = v128_or(v128_or(quote, backslash), control);
    (u8x16_bitmask(special) as u32, u8x16_bitmask(v) as u32)
}

/// Without SIMD (no target the app is built for): byte by byte.
#[cfg(not(any(
    target_arch = "x86_64",
    all(target_arch = "wasm32", target_feature = "simd128")
)))]
fn block16(bytes: &[u8]) -> (u32, u32) {
    bytes[..16]
        .iter()
        .enumerate()
        .fold((0, 0), |(special, high), (i, &c)| {
            (
                special | (STRING_SPECIAL[c as usize] as u32) << i,
                high | ((c >> 7) as u32) << i,
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(b: &[u8], from: usize) -> Option<(usize, bool)> {
        b[from..]
            .iter()
            .position(|&c| STRING_SPECIAL[c as usize])
            .map(|i| (from + i, b[from..from + i].is_ascii()))
    }

    fn check(bytes: &[u8], lens: &[usize]) {
        for from in 0..200.min(bytes.len()) {
            for &len in lens {
                let end = (from + len).min(bytes.len());
                let b = &bytes[..end];
                assert_eq!(run_end(b, from), naive(b, from), "{from} {len}");
            }
        }
    }

    #[test]
    fn every_way_of_scanning_finds_what_a_byte_at_a_time_scan_finds() {
        let alphabet = [
            b'a', b'"', b'\\', 0x1f, 0x20, 0x7f, 0x80, 0xe9, b'z', 0x00, b'!',
        ];
        let lens = [0, 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 40, 100];
        // Special bytes close together, then far apart (long plain runs, with and without
        // bytes beyond ASCII).
        let dense: Vec<u8> = (0..4000u32)
            .map(|i| alphabet[(i * 7919 % 11) as usize])
            .collect();
        check(&dense, &lens);
        for gap in [13u32, 37, 61] {
            for plain in [b'a', 0xe9, 0x7f] {
                let sparse: Vec<u8> = (0..4000u32)
                    .map(|i| {
                        if i % gap == gap - 1 {
                            alphabet[(i / gap * 7 % 4) as usize + 1]
                        } else if i % 29 == 5 {
                            plain
                        } else {
                            b'q'
                        }
                    })
                    .collect();
                check(&sparse, &lens);
            }
        }
    }
}
