//! Compact string storage for big datasets: one text arena with end offsets, and an interner
//! that hands out small indexes. Holds bytes only; knows nothing about users or events.

use rustc_hash::FxHashMap;

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
