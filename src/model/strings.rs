//! Compact string storage for big datasets: one text arena with end offsets, and an interner
//! that hands out small indexes; and the comparing and copying of the short byte strings the
//! importer handles by the million. Holds bytes only; knows nothing about users or events.

use rustc_hash::FxHashMap;

/// One byte set to 1 in each of a word's eight bytes, and each byte's high bit: the word-at-a-time
/// tricks of the importer's scans.
pub(crate) const LOW_BITS: u64 = 0x0101_0101_0101_0101;
pub(crate) const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// One machine word of `b` from `at` (eight bytes there), little-endian.
pub(crate) fn word(b: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(w)
}

/// Four bytes of `b` from `at`, little-endian.
fn quarter(b: &[u8], at: usize) -> u32 {
    let mut w = [0u8; 4];
    w.copy_from_slice(&b[at..at + 4]);
    u32::from_le_bytes(w)
}

/// Whether two byte strings are equal, compared eight bytes at a time. The importer compares
/// names and keys of a few dozen bytes by the million; in the browser's wasm `==` on slices is a
/// call to a `memcmp` that goes byte by byte.
pub(crate) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n < 8 {
        // Four bytes at a time too (the first four and the last four, overlapping): `"id":`,
        // the name of every record's first member, is five bytes.
        if n >= 4 {
            return quarter(a, 0) == quarter(b, 0) && quarter(a, n - 4) == quarter(b, n - 4);
        }
        return a.iter().zip(b).all(|(x, y)| x == y);
    }
    let mut at = 0;
    while at + 8 < n {
        if word(a, at) != word(b, at) {
            return false;
        }
        at += 8;
    }
    // The last eight bytes (overlapping the ones compared when the length is no multiple of 8).
    word(a, n - 8) == word(b, n - 8)
}

/// Whether `text` is `word` in any case (ASCII), the exact spelling compared first a word at a
/// time: an export spells its values one way, and comparing in any case folds every byte.
pub(crate) fn same_text_any_case(text: &str, word: &str) -> bool {
    same_bytes(text.as_bytes(), word.as_bytes()) || text.eq_ignore_ascii_case(word)
}

/// Appends `bytes` to `out` eight at a time: in the browser's wasm a copy of a variable length
/// is a `memory.copy`, a call out of the wasm that costs more than copying a short name.
pub(crate) fn append_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    append_words(out, bytes, |w| w);
}

/// Appends ASCII `bytes` to `out` in lower case, eight at a time (see [`append_bytes`]); bytes
/// beyond ASCII are copied as they are.
pub(crate) fn append_ascii_lowercase(out: &mut Vec<u8>, bytes: &[u8]) {
    append_words(out, bytes, |w| {
        // Per byte, with its high bit: at least 'A', above 'Z', ASCII (no carry crosses bytes:
        // each heptet plus at most 0x3f stays below 0x100).
        let heptets = w & !HIGH_BITS;
        let from_a = heptets.wrapping_add(LOW_BITS * (0x80 - b'A') as u64);
        let past_z = heptets.wrapping_add(LOW_BITS * (0x7f - b'Z') as u64);
        let upper = (from_a ^ past_z) & !w & HIGH_BITS;
        w | (upper >> 2)
    });
}

/// Appends `bytes` to `out` a word at a time through `map`, which changes each byte of a word
/// on its own. The bytes after the last whole word go as one word too (the last eight bytes
/// shifted down past the ones appended, or the few bytes gathered into one), and what it
/// adds past the end is cut off: one store instead of a push a byte, each with its own check of
/// the room left.
#[inline(always)]
fn append_words(out: &mut Vec<u8>, bytes: &[u8], map: impl Fn(u64) -> u64) {
    let end = out.len() + bytes.len();
    out.reserve(bytes.len() + 8);
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        out.extend_from_slice(&map(word(chunk, 0)).to_le_bytes());
    }
    let rest = chunks.remainder();
    if rest.is_empty() {
        return;
    }
    let tail = if bytes.len() >= 8 {
        word(bytes, bytes.len() - 8) >> (8 * (8 - rest.len()))
    } else {
        rest.iter()
            .enumerate()
            .fold(0, |w, (i, &b)| w | (b as u64) << (8 * i))
    };
    out.extend_from_slice(&map(tail).to_le_bytes());
    out.truncate(end);
}

/// `text` without white space at either end, as `str::trim` gives it; checking the two ends
/// first, as the values of an export rarely have any (`trim` decodes a character at each end,
/// which the importer would do for millions of values).
pub(crate) fn trimmed(text: &str) -> &str {
    let b = text.as_bytes();
    let bare = |c: Option<&u8>| c.is_some_and(|c| c.is_ascii_graphic());
    if bare(b.first()) && bare(b.last()) {
        text
    } else {
        text.trim()
    }
}

/// Many strings in one `String`: string `i` is `text[ends[i-1]..ends[i]]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StrTable {
    text: String,
    ends: Vec<u32>,
}

impl StrTable {
    pub fn with_capacity(strings: usize, bytes: usize) -> Self {
        StrTable {
            text: String::with_capacity(bytes),
            ends: Vec::with_capacity(strings),
        }
    }

    /// Appends a string and returns its index.
    pub fn push(&mut self, s: &str) -> u32 {
        self.text.push_str(s);
        self.ends.push(self.text.len() as u32);
        (self.ends.len() - 1) as u32
    }

    /// Appends `other`'s strings `range` in one copy, as pushing each in turn would (panics
    /// when `range` is outside `other`: callers pass their own tables' numbers).
    pub fn extend_from(&mut self, other: &StrTable, range: std::ops::Range<usize>) {
        let end_of = |i: usize| if i == 0 { 0 } else { other.ends[i - 1] };
        let (from, to) = (end_of(range.start), end_of(range.end));
        let base = self.text.len() as u32;
        self.text.push_str(&other.text[from as usize..to as usize]);
        self.ends
            .extend(other.ends[range].iter().map(|&end| base + (end - from)));
    }

    /// The string at `index` (empty for an index out of range).
    pub fn get(&self, index: u32) -> &str {
        let i = index as usize;
        if i >= self.ends.len() {
            return "";
        }
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.ends.len() as u32).map(|i| self.get(i))
    }

    pub fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.ends.shrink_to_fit();
    }

    /// The text and the end offsets (the wire form).
    pub fn parts(&self) -> (&str, &[u32]) {
        (&self.text, &self.ends)
    }

    /// A table from its parts; `None` unless the ends rise, stay inside the text and fall on
    /// character boundaries.
    pub fn from_parts(text: String, ends: Vec<u32>) -> Option<StrTable> {
        let mut last = 0;
        for &end in &ends {
            let end = end as usize;
            if end < last || end > text.len() || !text.is_char_boundary(end) {
                return None;
            }
            last = end;
        }
        Some(StrTable { text, ends })
    }

    pub fn heap_bytes(&self) -> usize {
        self.text.capacity() + self.ends.capacity() * 4
    }
}

/// Interns strings: equal strings get the same index. Index 0 is always the empty string.
#[derive(Clone, Debug)]
pub struct Interner {
    table: StrTable,
    index: FxHashMap<Box<str>, u32>,
}

impl Default for Interner {
    fn default() -> Self {
        let mut table = StrTable::default();
        table.push("");
        Interner {
            table,
            index: FxHashMap::default(),
        }
    }
}

impl Interner {
    /// The index of `s`, adding it when new.
    pub fn intern(&mut self, s: &str) -> u32 {
        if s.is_empty() {
            return 0;
        }
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = self.table.push(s);
        self.index.insert(s.into(), i);
        i
    }

    /// The index of `s` if it is known.
    pub fn find(&self, s: &str) -> Option<u32> {
        if s.is_empty() {
            return Some(0);
        }
        self.index.get(s).copied()
    }

    pub fn get(&self, index: u32) -> &str {
        self.table.get(index)
    }

    pub fn len(&self) -> usize {
        self.table.len()
    }

    pub fn is_empty(&self) -> bool {
        self.table.len() <= 1
    }

    /// The strings in index order.
    pub fn table(&self) -> &StrTable {
        &self.table
    }

    /// An interner over a table as [`Interner::table`] gives it; `None` unless its string 0 is
    /// the empty string.
    pub fn from_table(table: StrTable) -> Option<Interner> {
        if table.is_empty() || !table.get(0).is_empty() {
            return None;
        }
        let mut index = FxHashMap::default();
        index.reserve(table.len());
        for (i, s) in table.iter().enumerate().skip(1) {
            index.entry(s.into()).or_insert(i as u32);
        }
        Some(Interner { table, index })
    }

    pub fn heap_bytes(&self) -> usize {
        self.table.heap_bytes()
            + self.index.capacity() * 24
            + self.index.keys().map(|k| k.len()).sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trimming_checks_the_ends_first_and_agrees_with_trim() {
        for text in [
            "",
            " ",
            "a",
            " a",
            "a ",
            "\u{a0}a",
            "a\u{2003}",
            "\ta\n",
            "é",
            "éa",
            "a b",
            "-",
            "x\u{85}",
        ] {
            assert_eq!(trimmed(text), text.trim(), "{text:?}");
        }
    }

    #[test]
    fn word_at_a_time_comparing_and_copying_agree_with_the_plain_ones() {
        let text: Vec<u8> = (0..200u32)
            .map(|i| b"Az@[`{ZaMq\x80\xe9\xff09"[(i * 7 % 15) as usize])
            .collect();
        for start in 0..20 {
            for len in 0..60 {
                let a = &text[start..start + len];
                let mut copied = vec![b'x'];
                append_bytes(&mut copied, a);
                assert_eq!(&copied[1..], a);
                let mut lower = Vec::new();
                append_ascii_lowercase(&mut lower, a);
                assert_eq!(lower, a.to_ascii_lowercase(), "{a:?}");
                assert!(same_bytes(a, a));
                for flip in 0..len {
                    let mut b = a.to_vec();
                    b[flip] ^= 0x20;
                    assert!(!same_bytes(a, &b), "{a:?} {flip}");
                }
                assert!(!same_bytes(a, &text[start..start + len + 1]));
            }
        }
    }
}
