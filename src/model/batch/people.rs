//! The people of a batch: each distinct person (by lower-case user name, or name when there is
//! none) once, numbered in the order first met, with an index that finds a person in about one
//! memory access. Knows nothing of users or events beyond their two names.

use crate::model::strings::{append_ascii_lowercase, same_bytes, word, StrTable};

/// People seen in a batch: display name and user name, keyed by the lower-case user name
/// (or the lower-case name when there is no user name). The first spelling is kept.
#[derive(Clone, Debug, Default)]
pub(crate) struct People {
    pub names: StrTable,
    pub user_names: StrTable,
    /// Open-addressing index of the keys (linear probing, at most 4/5 full), one cache line a
    /// key, so that finding a person costs about one memory access and no allocation.
    slots: Vec<Slot>,
    used: usize,
    /// Keys longer than a slot holds.
    long_keys: Vec<u8>,
    /// The names are there but not the index (people read from the wire form, or whose index was
    /// dropped): it is built the first time a person is looked up, so a part that is only
    /// appended never builds one.
    unindexed: bool,
    /// Room for keys being built.
    scratch: Vec<u8>,
    /// Room for a chunk of keys being looked up.
    chunk: KeyChunk,
}

/// The keys of up to [`CHUNK`] people, back to back, with their hashes.
#[derive(Clone, Debug, Default)]
struct KeyChunk {
    bytes: Vec<u8>,
    ends: Vec<usize>,
    hashes: Vec<u64>,
}

impl KeyChunk {
    /// The keys of these (user name, name) pairs, in place of the last chunk's.
    fn fill<'a>(&mut self, names: impl Iterator<Item = (&'a str, &'a str)>) {
        self.bytes.clear();
        self.ends.clear();
        self.hashes.clear();
        for (user_name, name) in names {
            let start = self.bytes.len();
            push_key(&mut self.bytes, user_name, name);
            self.hashes.push(hash_key(&self.bytes[start..]));
            self.ends.push(self.bytes.len());
        }
    }

    /// The `i`th key.
    fn key(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.bytes[start..self.ends[i]]
    }
}

/// Bytes of a key held in its slot.
const INLINE: usize = 52;

/// One slot of the people index: a whole cache line.
#[derive(Clone, Copy, Debug)]
#[repr(C, align(64))]
struct Slot {
    /// High bits of the key's hash, never 0 in a used slot (0: empty).
    tag: u32,
    person: u32,
    len: u32,
    /// The key when it fits, else its offset in `long_keys` (first 4 bytes, little-endian).
    key: [u8; INLINE],
}

const EMPTY: Slot = Slot {
    tag: 0,
    person: 0,
    len: 0,
    key: [0; INLINE],
};

/// A key's hash, 64 bits on every target: the tag is its high half, and the slot where a key
/// starts is the tag's top bits (see [`home`]). (rustc-hash's `FxHasher` keeps a `usize`: in
/// the browser's wasm its high half was always zero, so every tag was the same and every probe
/// compared whole keys, and its low bits spread keys over only 2^15 places, so a big index had
/// long runs to probe.)
fn hash_key(key: &[u8]) -> u64 {
    const MULTIPLIER: u64 = 0x9e37_79b9_7f4a_7c15;
    let mix = |h: u64, w: u64| (h ^ w).wrapping_mul(MULTIPLIER).rotate_left(29);
    let mut h = (key.len() as u64).wrapping_mul(MULTIPLIER);
    let whole = key.len() / 8 * 8;
    for at in (0..whole).step_by(8) {
        h = mix(h, word(key, at));
    }
    if whole < key.len() {
        let mut last = [0u8; 8];
        last[..key.len() - whole].copy_from_slice(&key[whole..]);
        h = mix(h, u64::from_le_bytes(last));
    }
    // MurmurHash3's finaliser: every bit of `h` reaches every bit of the hash.
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// The tag a key of this hash has in its slot: the hash's high half, never 0.
fn tag_of(hash: u64) -> u32 {
    (hash >> 32) as u32 | 1
}

/// The slot where a key with this tag starts probing, in an index of `slots` slots (a power of
/// two): the tag's top bits. So the index grows without hashing a key again (the slot follows
/// from the tag it holds), and in the order of its slots: what is in slot `i` moves to about
/// slot `2i`, so the doubled index is written front to back instead of at random.
fn home(tag: u32, slots: usize) -> usize {
    (u64::from(tag) >> (32 - slots.trailing_zeros().min(32))) as usize
}

/// Appends a person's key: a mark (user name or name) and the lower-case text.
fn push_key(out: &mut Vec<u8>, user_name: &str, name: &str) {
    let (mark, text) = if user_name.is_empty() {
        (1u8, name)
    } else {
        (0u8, user_name)
    };
    out.push(mark);
    if text.is_ascii() {
        append_ascii_lowercase(out, text.as_bytes());
    } else {
        out.extend_from_slice(text.to_lowercase().as_bytes());
    }
}

/// People looked up together by [`People::persons`] (and events and users whose people are,
/// by `Batch::resolve_people`).
pub(crate) const CHUNK: usize = 256;

impl People {
    /// People read back with their names only (see `unindexed`).
    pub fn from_tables(names: StrTable, user_names: StrTable) -> People {
        People {
            names,
            user_names,
            unindexed: true,
            ..People::default()
        }
    }

    /// Builds the index of people read back with their names only (every entry keeps its
    /// number; were a key written twice, the first would be the one found).
    fn ensure_index(&mut self) {
        if !self.unindexed {
            return;
        }
        self.unindexed = false;
        self.reserve(self.names.len());
        let mut key = Vec::new();
        for p in 0..self.names.len() as u32 {
            key.clear();
            push_key(&mut key, self.user_names.get(p), self.names.get(p));
            let hash = hash_key(&key);
            if let Err(i) = self.find_slot(&key, hash) {
                self.fill_slot(i, &key, hash, p);
            }
        }
    }

    /// The numbers here of `next`'s people, in `next`'s order, adding those not here after the
    /// others (as looking each up with [`People::persons`] would). Combining parts, one side was
    /// read back from its wire form (names only, no index) and the other kept by the worker that
    /// builds, with its index: the side with the index is the one looked in. When `last` (no
    /// person is looked up here afterwards), the people added are not put in the index: it is
    /// dropped instead, and built again from the names should a lookup come after all.
    pub fn numbers_of(&mut self, next: &mut People, last: bool) -> Vec<u32> {
        if self.unindexed && !next.unindexed {
            return self.numbers_by_next_index(next);
        }
        if self.unindexed || !last {
            let keys: Vec<(&str, &str)> = (0..next.len() as u32)
                .map(|p| (next.user_names.get(p), next.names.get(p)))
                .collect();
            let mut map = Vec::with_capacity(next.len());
            self.persons(&keys, &mut map);
            return map;
        }
        let found = self.find_all(next);
        let mut added = false;
        let map = found
            .into_iter()
            .enumerate()
            .map(|(q, person)| {
                person.unwrap_or_else(|| {
                    added = true;
                    self.push_names(next.user_names.get(q as u32), next.names.get(q as u32))
                })
            })
            .collect();
        if added {
            // The index lacks the people just added.
            self.drop_index();
        }
        map
    }

    /// [`People::numbers_of`] when only `next` has an index: each person here is looked up in
    /// it; this side stays without an index.
    fn numbers_by_next_index(&mut self, next: &People) -> Vec<u32> {
        let mut map = vec![u32::MAX; next.len()];
        for (p, found) in next.find_all(self).into_iter().enumerate() {
            if let Some(q) = found {
                // Were a key here twice, the first is the one found (see `ensure_index`).
                let number = &mut map[q as usize];
                if *number == u32::MAX {
                    *number = p as u32;
                }
            }
        }
        // The people not found, added in runs (usually one: everyone) rather than one by one.
        let mut q = 0;
        while q < map.len() {
            if map[q] != u32::MAX {
                q += 1;
                continue;
            }
            let run_end = map[q..]
                .iter()
                .position(|&n| n != u32::MAX)
                .map_or(map.len(), |i| q + i);
            let first = self.names.len() as u32;
            self.names.extend_from(&next.names, q..run_end);
            self.user_names.extend_from(&next.user_names, q..run_end);
            for (k, number) in map[q..run_end].iter_mut().enumerate() {
                *number = first + k as u32;
            }
            q = run_end;
        }
        map
    }

    /// The number in this index of each of `others`' people (`None`: not here), looked up a
    /// chunk at a time (see [`People::persons`]); nobody is added.
    fn find_all(&self, others: &People) -> Vec<Option<u32>> {
        let mut chunk = KeyChunk::default();
        let mut found = Vec::with_capacity(others.len());
        for first in (0..others.len() as u32).step_by(CHUNK) {
            let end = (first + CHUNK as u32).min(others.len() as u32);
            chunk.fill((first..end).map(|q| (others.user_names.get(q), others.names.get(q))));
            self.touch(&chunk.hashes);
            found.extend(
                (0..chunk.hashes.len()).map(|i| self.probe(chunk.key(i), chunk.hashes[i]).ok()),
            );
        }
        found
    }

    /// The index of the person, adding them when new.
    pub fn person(&mut self, user_name: &str, name: &str) -> u32 {
        self.ensure_index();
        let mut key = std::mem::take(&mut self.scratch);
        key.clear();
        push_key(&mut key, user_name, name);
        let person = self.find_or_add(&key, hash_key(&key), user_name, name);
        self.scratch = key;
        person
    }

    /// The same as [`People::person`] for each (user name, name) in order, appended to `out`;
    /// faster at scale: the index lines of a chunk are loaded back to back first, so that their
    /// cache misses overlap instead of following one another.
    pub fn persons(&mut self, keys: &[(&str, &str)], out: &mut Vec<u32>) {
        self.ensure_index();
        let mut chunk = std::mem::take(&mut self.chunk);
        for names in keys.chunks(CHUNK) {
            chunk.fill(names.iter().copied());
            self.touch(&chunk.hashes);
            for (i, &(user_name, name)) in names.iter().enumerate() {
                out.push(self.find_or_add(chunk.key(i), chunk.hashes[i], user_name, name));
            }
        }
        self.chunk = chunk;
    }

    /// Loads the index lines where these hashes' keys start, back to back, so that their cache
    /// misses overlap instead of following one another (a key is often one slot further, with
    /// linear probing: that line is loaded too).
    fn touch(&self, hashes: &[u64]) {
        if self.slots.is_empty() {
            return;
        }
        let (size, mask) = (self.slots.len(), self.slots.len() - 1);
        let touched = hashes.iter().fold(0u32, |acc, &h| {
            let i = home(tag_of(h), size);
            acc ^ self.slots[i].tag ^ self.slots[(i + 1) & mask].tag
        });
        std::hint::black_box(touched);
    }

    /// The person with this key (and hash), adding them with these names when new.
    fn find_or_add(&mut self, key: &[u8], hash: u64, user_name: &str, name: &str) -> u32 {
        match self.find_slot(key, hash) {
            Ok(person) => person,
            Err(i) => {
                let person = self.push_names(user_name, name);
                self.fill_slot(i, key, hash, person);
                person
            }
        }
    }

    /// A new person's names, numbered after the others (the index is the caller's to mind).
    fn push_names(&mut self, user_name: &str, name: &str) -> u32 {
        self.names.push(name);
        self.user_names.push(user_name)
    }

    /// The person with this key, or the free slot where it belongs (made room for first).
    fn find_slot(&mut self, key: &[u8], hash: u64) -> Result<u32, usize> {
        if (self.used + 1) * 5 > self.slots.len() * 4 {
            self.grow();
        }
        self.probe(key, hash)
    }

    /// The person with this key, or the free slot where it belongs (`Err(usize::MAX)` when the
    /// index has no slots).
    fn probe(&self, key: &[u8], hash: u64) -> Result<u32, usize> {
        if self.slots.is_empty() {
            return Err(usize::MAX);
        }
        let tag = tag_of(hash);
        let mask = self.slots.len() - 1;
        let mut i = home(tag, self.slots.len());
        loop {
            let slot = &self.slots[i];
            if slot.tag == 0 {
                return Err(i);
            }
            if slot.tag == tag && same_bytes(self.key_of(slot), key) {
                return Ok(slot.person);
            }
            i = (i + 1) & mask;
        }
    }

    fn fill_slot(&mut self, i: usize, key: &[u8], hash: u64, person: u32) {
        let mut slot = Slot {
            tag: tag_of(hash),
            person,
            len: key.len() as u32,
            key: [0; INLINE],
        };
        if key.len() <= INLINE {
            slot.key[..key.len()].copy_from_slice(key);
        } else {
            slot.key[..4].copy_from_slice(&(self.long_keys.len() as u32).to_le_bytes());
            self.long_keys.extend_from_slice(key);
        }
        self.slots[i] = slot;
        self.used += 1;
    }

    fn key_of<'a>(&'a self, slot: &'a Slot) -> &'a [u8] {
        let len = slot.len as usize;
        if len <= INLINE {
            &slot.key[..len]
        } else {
            let mut offset = [0u8; 4];
            offset.copy_from_slice(&slot.key[..4]);
            let start = u32::from_le_bytes(offset) as usize;
            &self.long_keys[start..start + len]
        }
    }

    /// Doubles the index (at least 16 slots), keeping every key.
    fn grow(&mut self) {
        self.resize((self.slots.len() * 2).max(16));
    }

    /// Moves every key into a new index of `size` slots (a power of two), by its tag.
    fn resize(&mut self, size: usize) {
        let old = std::mem::replace(&mut self.slots, vec![EMPTY; size]);
        let mask = size - 1;
        for slot in old.iter().filter(|s| s.tag != 0) {
            let mut i = home(slot.tag, size);
            while self.slots[i].tag != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = *slot;
        }
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Room for `n` people in all without growing the index.
    pub fn reserve(&mut self, n: usize) {
        let mut size = self.slots.len().max(16);
        while n * 5 > size * 4 {
            size *= 2;
        }
        if size > self.slots.len() {
            self.resize(size);
        }
    }

    /// Frees the index once no more people will be looked up (the names stay); should one be
    /// after all, the index is built again from the names first.
    pub fn drop_index(&mut self) {
        self.slots = Vec::new();
        self.long_keys = Vec::new();
        self.scratch = Vec::new();
        self.chunk = KeyChunk::default();
        self.used = 0;
        self.unindexed = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn people(names: &[&str]) -> People {
        let mut people = People::default();
        for name in names {
            people.person(&format!("{name}@x"), name);
        }
        people
    }

    #[test]
    fn the_last_numbering_drops_the_index_and_a_later_lookup_builds_it_again() {
        let mut here = people(&["Ann", "Bo"]);
        let mut next = people(&["Cy", "ann", "Di"]);
        // Looked up in the index here (kept), the new people added without it.
        assert_eq!(here.numbers_of(&mut next, true), vec![2, 0, 3]);
        assert_eq!(here.len(), 4);
        // A lookup after all finds everyone, added ones too, and adds no one twice.
        assert_eq!(here.person("DI@X", "Di"), 3);
        assert_eq!(here.person("bo@x", "Bo"), 1);
        assert_eq!(here.person("eve@x", "Eve"), 4);
        // Not the last: the index keeps every person added.
        let mut here = people(&["Ann"]);
        assert_eq!(
            here.numbers_of(&mut people(&["Bo", "Ann"]), false),
            vec![1, 0]
        );
        assert_eq!(here.person("bo@x", "Bo"), 1);
    }
}
