//! A structural JSON scanner (where a value, a string or a key ends, without building anything)
//! and the incremental line counter that gives errors their positions. Neither validates: the
//! record parsers do.

/// Skips JSON white space from `pos`.
pub(super) fn skip_ws(b: &[u8], mut pos: usize) -> usize {
    while pos < b.len() && matches!(b[pos], b' ' | b'\n' | b'\r' | b'\t') {
        pos += 1;
    }
    pos
}

/// The index just after the string that opens at `pos` (`b[pos] == b'"'`); `None` when it never
/// closes.
pub(super) fn string_end(b: &[u8], pos: usize) -> Option<usize> {
    let mut i = pos + 1;
    loop {
        let hit = i + memchr::memchr2(b'"', b'\\', b.get(i..)?)?;
        if b[hit] == b'"' {
            return Some(hit + 1);
        }
        i = hit + 2;
    }
}

/// The index just after the value that starts at `pos` (after white space); `None` when the bytes
/// end first. Brackets are balanced by counting, strings skipped whole.
pub(super) fn value_end(b: &[u8], pos: usize) -> Option<usize> {
    let pos = skip_ws(b, pos);
    match *b.get(pos)? {
        b'"' => string_end(b, pos),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut i = pos;
            while i < b.len() {
                match b[i] {
                    b'"' => {
                        i = string_end(b, i)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            None
        }
        _ => {
            let mut i = pos;
            while i < b.len() && !matches!(b[i], b',' | b']' | b'}' | b' ' | b'\n' | b'\r' | b'\t')
            {
                i += 1;
            }
            Some(i)
        }
    }
}

/// Line and column numbers of positions in a file read front to back, counted incrementally:
/// each byte is looked at once however many positions are asked for (asking from the start of
/// the file each time would make a file of many bad records cost quadratic time).
///
/// Positions are offsets in the file; a window is the part of the file held at the moment,
/// starting at the file offset `base`.
#[derive(Clone, Debug)]
pub(crate) struct Lines {
    /// Bytes before this offset are counted.
    counted_to: usize,
    /// The 1-based line of `counted_to`.
    line: usize,
    /// Where that line starts.
    line_start: usize,
}

impl Lines {
    /// Counting from offset `start`, which is line 1, column 1 (a part of a file read on its own
    /// counts from its own start; `split` puts the numbers right).
    pub(crate) fn new(start: usize) -> Lines {
        Lines {
            counted_to: start,
            line: 1,
            line_start: start,
        }
    }

    /// Counts up to `to` (the window must still hold the bytes from the last count to `to`).
    pub(crate) fn advance(&mut self, window: &[u8], base: usize, to: usize) {
        if to <= self.counted_to {
            return;
        }
        let from = self.counted_to.max(base);
        let end = to.min(base + window.len());
        if from < end {
            let bytes = &window[from - base..end - base];
            self.line += memchr::memchr_iter(b'\n', bytes).count();
            if let Some(i) = memchr::memrchr(b'\n', bytes) {
                self.line_start = from + i + 1;
            }
        }
        self.counted_to = to;
    }

    /// The 1-based line and column (in bytes) of `pos`, which is at or after every position
    /// whose bytes have left the window.
    pub(crate) fn at(&mut self, window: &[u8], base: usize, pos: usize) -> (usize, usize) {
        if pos >= self.counted_to {
            self.advance(window, base, pos);
            return (self.line, pos - self.line_start + 1);
        }
        // Behind the count (still in the window): step back over the newlines in between.
        let from = pos.max(base);
        let between = &window[from - base..self.counted_to.min(base + window.len()) - base];
        let newlines = memchr::memchr_iter(b'\n', between).count();
        let start = match memchr::memrchr(b'\n', &window[..from - base]) {
            Some(i) => base + i + 1,
            None if newlines == 0 => self.line_start,
            None => base,
        };
        (self.line - newlines, pos.saturating_sub(start) + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_end_where_serde_says() {
        for text in [
            r#"{"a":"x}]\"","b":[1,{"c":"]"}],"d":{}} ,"#,
            r#"[[], {}, "\\", 3] ]"#,
            r#""plain" ,"#,
            "-12.5e3,",
            "true}",
            "null ]",
        ] {
            let end = value_end(text.as_bytes(), 0).unwrap();
            let mut stream =
                serde_json::Deserializer::from_str(text).into_iter::<serde::de::IgnoredAny>();
            assert!(stream.next().is_some());
            assert_eq!(end, stream.byte_offset(), "{text}");
        }
    }

    #[test]
    fn unterminated_values_have_no_end() {
        for text in [r#"{"a":[1,2"#, r#""abc\""#, r#"{"a":"}"#, "["] {
            assert_eq!(value_end(text.as_bytes(), 0), None, "{text}");
        }
    }

    #[test]
    fn positions_are_one_based() {
        assert_eq!(Lines::new(0).at(b"ab\ncd", 0, 4), (2, 2));
        assert_eq!(Lines::new(0).at(b"ab", 0, 0), (1, 1));
    }

    #[test]
    fn positions_counted_in_windows_equal_counting_from_the_start() {
        let text = b"a\nbb\n\nccc\nd";
        let naive = |pos: usize| {
            let before = &text[..pos];
            let line = before.iter().filter(|&&c| c == b'\n').count() + 1;
            let col = pos
                - before
                    .iter()
                    .rposition(|&c| c == b'\n')
                    .map_or(0, |i| i + 1)
                + 1;
            (line, col)
        };
        let mut lines = Lines::new(0);
        // The window slides: each step drops what is before `pos`.
        for pos in 0..=text.len() {
            let base = pos.saturating_sub(1);
            assert_eq!(lines.at(&text[base..], base, pos), naive(pos), "at {pos}");
        }
        let mut lines = Lines::new(0);
        lines.advance(text, 0, 9);
        assert_eq!(
            lines.at(text, 0, 4),
            naive(4),
            "a position behind the count"
        );
    }
}
