//! What the tests of the report backend rules share: a fixed time and JWTs made to order (with
//! a signature nobody checks). Test code only.

use crate::model::time::Millis;

/// The tests' "now": 2026-11-18T11:06:40Z.
pub const NOW: Millis = 1_795_000_000_000;

/// base64url without padding (the encoder the code under test does not have).
pub fn b64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | (u32::from(b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// A JWT with this JSON payload.
pub fn jwt(payload: &str) -> String {
    format!(
        "{}.{}.c2lnbmF0dXJlLW5vdC1jaGVja2Vk",
        b64(br#"{"alg":"RS256","typ":"JWT"}"#),
        b64(payload.as_bytes())
    )
}
