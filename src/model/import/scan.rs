//! A structural JSON scanner: finds where a value, a string or a key ends without building
//! anything, so a huge page can be read a record at a time. It does not validate; serde does that
//! for each record it hands over.

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

/// 1-based line and column of byte `pos`.
pub(super) fn line_column(b: &[u8], pos: usize) -> (usize, usize) {
    let pos = pos.min(b.len());
    let before = &b[..pos];
    let line = memchr::memchr_iter(b'\n', before).count() + 1;
    let column = pos - memchr::memrchr(b'\n', before).map_or(0, |i| i + 1) + 1;
    (line, column)
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
        assert_eq!(line_column(b"ab\ncd", 4), (2, 2));
        assert_eq!(line_column(b"ab", 0), (1, 1));
    }
}
