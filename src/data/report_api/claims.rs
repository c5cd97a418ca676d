//! The JSON of a JWT's header and payload (RFC 8259, strictly): the members of one object, each
//! value only as far as the role check cares ([`Claim`]). Nothing else reads JSON on the page
//! (records are parsed in the ingest worker), so this small reader stands in for serde_json there,
//! which cost the page's download about 12 KB gzip. It judges nothing: `token.rs` does.

/// One member's value, as far as the role check cares.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Claim {
    /// A list: its strings (other items are skipped).
    Strings(Vec<String>),
    Number(f64),
    Text(String),
    /// An object, a boolean or `null`.
    Other,
}

impl Claim {
    pub(super) fn into_strings(self) -> Vec<String> {
        match self {
            Claim::Strings(list) => list,
            _ => Vec::new(),
        }
    }
}

/// How deep arrays and objects may nest, as in serde_json: deeper is not a token.
const MAX_DEPTH: u32 = 128;

/// The members of the JSON object that `json` is, in order (a name given twice appears twice);
/// `None` when `json` is not exactly one JSON object, whitespace around it allowed.
///
/// ```text
/// read_object(br#"{"exp": 1700000000, "wids": ["a", 1]}"#)
///   == Some(vec![("exp", Claim::Number(1.7e9)), ("wids", Claim::Strings(vec!["a"]))])
/// ```
pub(super) fn read_object(json: &[u8]) -> Option<Vec<(String, Claim)>> {
    let mut reader = Reader {
        json,
        at: 0,
        depth: 0,
    };
    reader.space();
    let members = reader.object()?;
    reader.space();
    (reader.at == json.len()).then_some(members)
}

struct Reader<'a> {
    json: &'a [u8],
    at: usize,
    depth: u32,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.json.get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.at += 1;
        Some(byte)
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.next()? == byte).then_some(())
    }

    fn space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// `{ "name": value, … }`, at its `{`.
    fn object(&mut self) -> Option<Vec<(String, Claim)>> {
        self.eat(b'{')?;
        self.deeper()?;
        let mut members = Vec::new();
        self.space();
        if self.peek() == Some(b'}') {
            self.at += 1;
        } else {
            loop {
                self.space();
                let name = self.string()?;
                self.space();
                self.eat(b':')?;
                let value = self.value()?;
                members.push((name, value));
                self.space();
                match self.next()? {
                    b',' => continue,
                    b'}' => break,
                    _ => return None,
                }
            }
        }
        self.depth -= 1;
        Some(members)
    }

    /// `[ value, … ]`, at its `[`: the strings among its items.
    fn array(&mut self) -> Option<Vec<String>> {
        self.eat(b'[')?;
        self.deeper()?;
        let mut strings = Vec::new();
        self.space();
        if self.peek() == Some(b']') {
            self.at += 1;
        } else {
            loop {
                if let Claim::Text(text) = self.value()? {
                    strings.push(text);
                }
                self.space();
                match self.next()? {
                    b',' => continue,
                    b']' => break,
                    _ => return None,
                }
            }
        }
        self.depth -= 1;
        Some(strings)
    }

    fn deeper(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth <= MAX_DEPTH).then_some(())
    }

    /// Any value, after optional whitespace.
    fn value(&mut self) -> Option<Claim> {
        self.space();
        Some(match self.peek()? {
            b'{' => {
                self.object()?;
                Claim::Other
            }
            b'[' => Claim::Strings(self.array()?),
            b'"' => Claim::Text(self.string()?),
            b't' => self.word(b"true")?,
            b'f' => self.word(b"false")?,
            b'n' => self.word(b"null")?,
            b'-' | b'0'..=b'9' => Claim::Number(self.number()?),
            _ => return None,
        })
    }

    fn word(&mut self, word: &[u8]) -> Option<Claim> {
        let end = self.at + word.len();
        (self.json.get(self.at..end)? == word).then_some(())?;
        self.at = end;
        Some(Claim::Other)
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`. The value is exact for whole
    /// numbers up to 2^53 (every `exp` a token carries) and within a rounding step otherwise.
    fn number(&mut self) -> Option<f64> {
        let negative = self.peek() == Some(b'-');
        if negative {
            self.at += 1;
        }
        let mut digits = 0f64;
        let mut scale = 0i32;
        match self.next()? {
            b'0' => {}
            first @ b'1'..=b'9' => {
                digits = f64::from(first - b'0');
                while let Some(d @ b'0'..=b'9') = self.peek() {
                    digits = digits * 10.0 + f64::from(d - b'0');
                    self.at += 1;
                }
            }
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            let from = self.at;
            while let Some(d @ b'0'..=b'9') = self.peek() {
                digits = digits * 10.0 + f64::from(d - b'0');
                scale -= 1;
                self.at += 1;
            }
            (self.at > from).then_some(())?;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            let minus = self.peek() == Some(b'-');
            if matches!(self.peek(), Some(b'-' | b'+')) {
                self.at += 1;
            }
            let from = self.at;
            let mut exponent = 0i32;
            while let Some(d @ b'0'..=b'9') = self.peek() {
                exponent = exponent
                    .saturating_mul(10)
                    .saturating_add(i32::from(d - b'0'));
                self.at += 1;
            }
            (self.at > from).then_some(())?;
            scale = scale.saturating_add(if minus { -exponent } else { exponent });
        }
        // Dividing by an exact power of ten rounds once, as serde_json does for such numbers.
        let value = if scale >= 0 {
            digits * 10f64.powi(scale)
        } else {
            digits / 10f64.powi(-scale)
        };
        // serde_json refuses a number too large for an f64.
        value
            .is_finite()
            .then_some(if negative { -value } else { value })
    }

    /// A string, at its `"`: escapes decoded, UTF-8 checked; a control character, a bad escape
    /// or a surrogate without its pair is not JSON text.
    fn string(&mut self) -> Option<String> {
        self.eat(b'"')?;
        let mut out = Vec::new();
        loop {
            match self.next()? {
                b'"' => break,
                b'\\' => {
                    let c = match self.next()? {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.escaped_char()?,
                        _ => return None,
                    };
                    out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                }
                byte if byte < 0x20 => return None,
                byte => out.push(byte),
            }
        }
        String::from_utf8(out).ok()
    }

    /// The character of `\uXXXX` (after its `u`), with the second half of a surrogate pair.
    fn escaped_char(&mut self) -> Option<char> {
        let first = self.hex4()?;
        let code = match first {
            0xD800..=0xDBFF => {
                self.eat(b'\\')?;
                self.eat(b'u')?;
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return None;
                }
                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            }
            _ => first,
        };
        char::from_u32(code)
    }

    fn hex4(&mut self) -> Option<u32> {
        let mut code = 0;
        for _ in 0..4 {
            code = code * 16 + char::from(self.next()?).to_digit(16)?;
        }
        Some(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn members(json: &str) -> Option<Vec<(String, Claim)>> {
        read_object(json.as_bytes())
    }

    #[test]
    fn claims_are_read_with_their_kinds() {
        let got = members(
            r#" { "exp" : 1700000000, "wids": ["a", 1, ["b"], {"c": "d"}, "e"], "idtyp": "app",
                "ok": true, "no": null, "obj": {"x": [1, {"y": []}]}, "n": -12.5e-1 } "#,
        )
        .unwrap();
        assert_eq!(
            got,
            vec![
                ("exp".to_string(), Claim::Number(1_700_000_000.0)),
                (
                    "wids".to_string(),
                    Claim::Strings(vec!["a".to_string(), "e".to_string()])
                ),
                ("idtyp".to_string(), Claim::Text("app".to_string())),
                ("ok".to_string(), Claim::Other),
                ("no".to_string(), Claim::Other),
                ("obj".to_string(), Claim::Other),
                ("n".to_string(), Claim::Number(-1.25)),
            ]
        );
        assert_eq!(members("{}"), Some(Vec::new()));
    }

    #[test]
    fn escapes_are_decoded_and_bad_ones_refused() {
        let got = members(r#"{"s": "a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00"}"#).unwrap();
        assert_eq!(
            got[0].1,
            Claim::Text("a\"b\\c/d\u{8}\u{c}\n\r\té😀".to_string())
        );
        for bad in [
            r#"{"s": "\x"}"#,
            r#"{"s": "\u12"}"#,
            r#"{"s": "\ud83d"}"#,
            r#"{"s": "\ud83d\u0041"}"#,
            r#"{"s": "\ude00"}"#,
            "{\"s\": \"tab\there\"}",
        ] {
            assert_eq!(members(bad), None, "{bad}");
        }
        assert_eq!(read_object(b"{\"s\": \"\xff\"}"), None);
    }

    #[test]
    fn only_one_json_object_is_read() {
        for bad in [
            "",
            "[]",
            "\"x\"",
            "1",
            "{",
            "{\"a\"}",
            "{\"a\":}",
            "{\"a\":1,}",
            "{,}",
            "{\"a\":1}x",
            "{\"a\":1}{}",
            "{a:1}",
            "{\"a\":01}",
            "{\"a\":1.}",
            "{\"a\":.5}",
            "{\"a\":1e}",
            "{\"a\":-}",
            "{\"a\":+1}",
            "{\"a\":tru}",
            "{\"a\":nulls}",
            "{\"a\":[1,]}",
            "{\"a\":[1 2]}",
            "{\"a\":1e400}",
            "{'a':1}",
        ] {
            assert_eq!(members(bad), None, "{bad}");
        }
    }

    #[test]
    fn nesting_deeper_than_serde_json_allows_is_refused() {
        let nested = |depth: usize| {
            format!(
                "{{\"a\":{}1{}}}",
                "[".repeat(depth - 1),
                "]".repeat(depth - 1)
            )
        };
        assert!(members(&nested(MAX_DEPTH as usize)).is_some());
        assert_eq!(members(&nested(MAX_DEPTH as usize + 1)), None);
    }

    /// The reader accepts exactly what serde_json accepts as one object, and reads the same
    /// values (checked on the shapes above and their variations).
    #[test]
    fn it_agrees_with_serde_json() {
        let cases = [
            r#"{"exp":1700000000,"wids":["x"]}"#,
            r#"{"exp":1.5e3,"roles":[],"scp":"a b"}"#,
            r#"{"exp":-0,"x":{"y":{"z":[[[]]]}}}"#,
            r#"{"a":1,"a":"2"}"#,
            r#"{"a":1E+2,"b":2e-2,"c":0.000001}"#,
            r#"{"a":"\u0000"}"#,
            r#"{"a":1}  "#,
            r#"{"a":"é"}"#,
            r#"{"a" 1}"#,
            r#"{"a":1]"#,
            r#"{"a":[}"#,
            r#"{"a":"\q"}"#,
            r#"{"a":00}"#,
            r#"{"a":1}}"#,
        ];
        for case in cases {
            let ours = members(case);
            let theirs = serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(case);
            assert_eq!(ours.is_some(), theirs.is_ok(), "{case}");
            let (Some(ours), Ok(theirs)) = (ours, theirs) else {
                continue;
            };
            for (i, (name, claim)) in ours.iter().enumerate() {
                // serde_json keeps a name's last value, as the role check does.
                if ours[i + 1..].iter().any(|(later, _)| later == name) {
                    continue;
                }
                let value = &theirs[name];
                match claim {
                    Claim::Number(n) => assert_eq!(Some(*n), value.as_f64(), "{case}"),
                    Claim::Text(t) => assert_eq!(Some(t.as_str()), value.as_str(), "{case}"),
                    Claim::Strings(_) => assert!(value.is_array(), "{case}"),
                    Claim::Other => assert!(
                        value.is_object() || value.is_boolean() || value.is_null(),
                        "{case}"
                    ),
                }
            }
        }
    }
}
