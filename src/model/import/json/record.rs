//! The fast way of reading one record: a validating JSON parser over the bytes of a single
//! object, that picks the fields we read straight out of the bytes (strings borrowed unless they
//! hold escapes, nothing built for the members it skips). It takes only what it is sure of: any
//! shape it does not handle, and any JSON that is not valid, it leaves to the serde reader
//! ([`Parsed::Fallback`]), which gives serde's own result and words. It never reports errors.
//!
//! Records of one export name their members alike and in the same order, so the parser keeps the
//! names of the last record ([`Shape`]) and first checks a member's bytes against the name
//! expected at its place: one comparison instead of scanning the name and looking it up.

mod nested;
mod plain;

use std::borrow::Cow;

use super::fields::{key_of, Fields, Key, Val};
use crate::model::strings::same_bytes;
pub(super) use nested::read_nested;

/// What reading an object gave.
pub(super) enum Parsed<'b> {
    /// A record read whole into the fields given; its end (exclusive) in the bytes.
    Record {
        context: Option<Cow<'b, str>>,
        end: usize,
    },
    /// The object has a `value` member: a page, to be read member by member.
    Page,
    /// The bytes end inside the object (more bytes may complete it).
    NeedMore,
    /// Something for the serde reader: broken JSON, an escaped key, a number, object or mixed list
    /// in a field we read, nesting deeper than [`MAX_DEPTH`].
    Fallback,
}

/// Deeper nesting than this in a skipped member is left to serde (and its recursion limit).
const MAX_DEPTH: usize = 100;

/// Why the fast path stops.
enum Stop {
    NeedMore,
    Fallback,
    Page,
}

type Step<T> = Result<T, Stop>;

/// The member names of the records being read, in order, each as the bytes `"name":` with the
/// key it stands for: learned from the last record whose names were not the expected ones.
/// What it holds only makes reading faster; a record named otherwise is read all the same.
#[derive(Default)]
pub(super) struct Shape {
    /// Every name as `"name":`, one after another.
    names: Vec<u8>,
    /// Where each name ends in `names`, and its key.
    members: Vec<(usize, Key)>,
    /// The record being read, once one of its members was not the one expected: its names so
    /// far, in the same form (those before that member are the shape's own, copied then), so
    /// that a record named as expected costs no bookkeeping.
    next_names: Vec<u8>,
    next_members: Vec<(usize, Key)>,
    /// Members of the record being read so far, and whether one was not the one expected.
    count: usize,
    diverged: bool,
    /// Whether the record being read can be learned: no white space inside a `"name":`, and no
    /// more than [`MAX_SHAPE`] members.
    learnable: bool,
}

/// Records with more members than this are read but not learned (no export has so many).
const MAX_SHAPE: usize = 64;

impl Shape {
    /// The key of member number `n` when the bytes from `at` start with the name expected
    /// there, and the length of its `"name":`.
    fn expected(&self, n: usize, b: &[u8], at: usize) -> Option<(Key, usize)> {
        let &(end, key) = self.members.get(n)?;
        let name = &self.names[self.name_start(n)..end];
        let here = b.get(at..at + name.len())?;
        same_bytes(here, name).then_some((key, name.len()))
    }

    fn name_start(&self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            self.members[n - 1].0
        }
    }

    /// Starts a record.
    fn begin(&mut self) {
        self.count = 0;
        self.diverged = false;
        self.learnable = true;
    }

    /// The next member had the name expected at its place (its `"name":` is `b[start..end]`,
    /// looked at only when this record's names are being noted).
    fn saw_expected(&mut self, b: &[u8], start: usize, end: usize, key: Key) {
        if self.diverged {
            self.note(&b[start..end], key);
        }
        self.count += 1;
    }

    /// The next member had another name (`name`: its `"name":`; `None` when it had white space
    /// before its colon).
    fn saw_other(&mut self, name: Option<&[u8]>, key: Key) {
        if !self.diverged {
            self.diverged = true;
            let end = self.name_start(self.count);
            self.next_names.clear();
            self.next_names.extend_from_slice(&self.names[..end]);
            self.next_members.clear();
            self.next_members
                .extend_from_slice(&self.members[..self.count]);
        }
        match name {
            Some(name) => self.note(name, key),
            None => self.learnable = false,
        }
        self.count += 1;
    }

    fn note(&mut self, name: &[u8], key: Key) {
        if self.next_members.len() < MAX_SHAPE {
            self.next_names.extend_from_slice(name);
            self.next_members.push((self.next_names.len(), key));
        } else {
            self.learnable = false;
        }
    }

    /// A record read whole: when its names were not the ones expected, they are from now on (an
    /// empty record teaches nothing).
    fn learn(&mut self) {
        if !self.learnable || self.count == 0 {
            return;
        }
        if self.diverged {
            std::mem::swap(&mut self.names, &mut self.next_names);
            std::mem::swap(&mut self.members, &mut self.next_members);
        } else if self.count < self.members.len() {
            // Named as expected, but fewer: the first ones.
            self.names.truncate(self.name_start(self.count));
            self.members.truncate(self.count);
        }
    }
}

/// Reads the object that opens at `pos` (`b[pos] == b'{'`) into `fields`, which may hold what
/// the last record read into them (after a [`Parsed::Record`] they hold what fresh ones would:
/// see [`Fields::begin_record`]), its member names checked against `shape` first.
pub(super) fn parse_record<'b>(
    b: &'b [u8],
    pos: usize,
    fields: &mut Fields<'b>,
    shape: &mut Shape,
) -> Parsed<'b> {
    let mut p = Parser { b, i: pos + 1 };
    let mut context = None;
    shape.begin();
    let before = fields.begin_record();
    let members = p.members(fields, &mut context, shape);
    fields.end_record(before);
    match members {
        Ok(()) => {
            shape.learn();
            Parsed::Record { context, end: p.i }
        }
        Err(Stop::NeedMore) => Parsed::NeedMore,
        Err(Stop::Fallback) => Parsed::Fallback,
        Err(Stop::Page) => Parsed::Page,
    }
}

struct Parser<'b> {
    b: &'b [u8],
    i: usize,
}

impl<'b> Parser<'b> {
    fn peek(&self) -> Step<u8> {
        self.b.get(self.i).copied().ok_or(Stop::NeedMore)
    }

    /// Passes white space. Inline, the usual case (none: exports are written compact) costs
    /// one comparison.
    #[inline(always)]
    fn ws(&mut self) {
        if self.b.get(self.i).is_none_or(|&c| c > b' ') {
            return;
        }
        self.ws_run();
    }

    fn ws_run(&mut self) {
        while let Some(&c) = self.b.get(self.i) {
            if matches!(c, b' ' | b'\n' | b'\r' | b'\t') {
                self.i += 1;
            } else {
                break;
            }
        }
    }

    fn expect(&mut self, c: u8) -> Step<()> {
        if self.peek()? == c {
            self.i += 1;
            Ok(())
        } else {
            Err(Stop::Fallback)
        }
    }

    /// The members of the object whose `{` was just read, up to and including its `}`, each name
    /// checked against the one `shape` expects at its place first.
    fn members(
        &mut self,
        fields: &mut Fields<'b>,
        context: &mut Option<Cow<'b, str>>,
        shape: &mut Shape,
    ) -> Step<()> {
        self.ws();
        if self.peek()? == b'}' {
            self.i += 1;
            return Ok(());
        }
        loop {
            let start = self.i;
            let key = match shape.expected(shape.count, self.b, start) {
                Some((key, len)) => {
                    self.i += len;
                    shape.saw_expected(self.b, start, self.i, key);
                    key
                }
                None => {
                    let key = key_of(self.key()?);
                    let name_end = self.i;
                    self.ws();
                    self.expect(b':')?;
                    let plain = self.i == name_end + 1;
                    shape.saw_other(plain.then(|| &self.b[start..self.i]), key);
                    key
                }
            };
            let plain_field = !matches!(key, Key::Value | Key::Context) && !key.is_nested();
            if plain_field && self.b.get(self.i) == Some(&b'"') {
                // The usual member: text straight after its name, read as the `known` arm of
                // `member_value` would, without its steps.
                match fields.slot(key) {
                    Some(slot) => self.string(slot)?,
                    None => self.skip(0)?,
                }
            } else {
                self.member_value(key, fields, context)?;
            }
            // After the value, the usual `,"` or `}` costs one look each; anything else (white
            // space first) goes the general way.
            match self.b.get(self.i) {
                Some(b',') if self.b.get(self.i + 1) == Some(&b'"') => {
                    self.i += 1;
                    continue;
                }
                Some(b'}') => {
                    self.i += 1;
                    return Ok(());
                }
                _ => {}
            }
            self.ws();
            match self.peek()? {
                b',' => {
                    self.i += 1;
                    self.ws();
                }
                b'}' => {
                    self.i += 1;
                    return Ok(());
                }
                _ => return Err(Stop::Fallback),
            }
        }
    }

    /// The value of the member named `key`, from after its colon, in the general way.
    fn member_value(
        &mut self,
        key: Key,
        fields: &mut Fields<'b>,
        context: &mut Option<Cow<'b, str>>,
    ) -> Step<()> {
        self.ws();
        match key {
            Key::Value => return Err(Stop::Page),
            Key::Context => {
                let mut value = Val::Absent;
                self.field_value(&mut value)?;
                match value {
                    Val::Str(text) => *context = Some(text),
                    _ => return Err(Stop::Fallback),
                }
            }
            // An audit record's nested objects: the members read go into `nested`.
            nested if nested.is_nested() && matches!(self.peek()?, b'{' | b'[') => {
                self.nested(nested, fields.nested_mut())?;
                if let Some(slot) = fields.slot(nested) {
                    slot.set(Val::Object);
                }
            }
            known => match fields.slot(known) {
                // Read straight into its place: a value returned through the stack and
                // copied costs more than reading it (the copy waits on the stores).
                Some(slot) => self.field_value(slot)?,
                None => self.skip(0)?,
            },
        }
        Ok(())
    }

    /// A member name without escapes (an escaped one is left to serde).
    fn key(&mut self) -> Step<&'b [u8]> {
        self.expect(b'"')?;
        let start = self.i;
        let (end, ascii) = self.plain_run(start)?;
        if self.b[end] != b'"' {
            return Err(Stop::Fallback);
        }
        self.i = end + 1;
        let key = &self.b[start..end];
        // serde reads member names as text: a name that is not UTF-8 is its error to report.
        if !ascii && std::str::from_utf8(key).is_err() {
            return Err(Stop::Fallback);
        }
        Ok(key)
    }

    /// The index of the first byte at or after `from` that ends or interrupts a plain run of a
    /// string (see [`plain::run_end`]), and whether every byte before it is ASCII.
    #[inline(always)]
    fn plain_run(&self, from: usize) -> Step<(usize, bool)> {
        plain::run_end(self.b, from).ok_or(Stop::NeedMore)
    }

    /// The value of a field we read: text, true/false, null, or a list of texts.
    #[inline(always)]
    fn field_value(&mut self, slot: &mut Val<'b>) -> Step<()> {
        match self.peek()? {
            b'"' => self.string(slot)?,
            b't' => {
                self.literal(b"true")?;
                slot.set(Val::Bool(true));
            }
            b'f' => {
                self.literal(b"false")?;
                slot.set(Val::Bool(false));
            }
            b'n' => {
                self.literal(b"null")?;
                slot.set(Val::Null);
            }
            b'[' => self.string_list(slot)?,
            _ => return Err(Stop::Fallback),
        }
        Ok(())
    }

    fn string_list(&mut self, slot: &mut Val<'b>) -> Step<()> {
        self.i += 1;
        self.ws();
        // The list the last record left in this field, emptied: a user's methods are a list in
        // every record, and a fresh one each time would cost an allocation a record.
        let mut items = match std::mem::take(slot) {
            Val::Strs(mut list) => {
                list.clear();
                list
            }
            _ => Vec::new(),
        };
        if self.peek()? == b']' {
            self.i += 1;
            slot.set(Val::Strs(items));
            return Ok(());
        }
        loop {
            if self.peek()? != b'"' {
                return Err(Stop::Fallback);
            }
            let mut item = Val::Absent;
            self.string(&mut item)?;
            if let Val::Str(text) = item {
                items.push(text);
            }
            self.ws();
            match self.peek()? {
                b',' => {
                    self.i += 1;
                    self.ws();
                }
                b']' => {
                    self.i += 1;
                    slot.set(Val::Strs(items));
                    return Ok(());
                }
                _ => return Err(Stop::Fallback),
            }
        }
    }

    fn literal(&mut self, word: &[u8]) -> Step<()> {
        let end = self.i + word.len();
        match self.b.get(self.i..end) {
            Some(found) if found == word => {
                self.i = end;
                Ok(())
            }
            Some(_) => Err(Stop::Fallback),
            None if word.starts_with(&self.b[self.i..]) => Err(Stop::NeedMore),
            None => Err(Stop::Fallback),
        }
    }

    /// A string that opens at `self.i`, as text into `slot`: borrowed when it has no escapes.
    #[inline(always)]
    fn string(&mut self, slot: &mut Val<'b>) -> Step<()> {
        let start = self.i + 1;
        let (end, ascii) = self.plain_run(start)?;
        match self.b[end] {
            b'"' => {
                self.i = end + 1;
                let bytes = &self.b[start..end];
                let text = if ascii {
                    // SAFETY: every byte is below 0x80 (`plain_run` checked), and ASCII is
                    // valid UTF-8. Checking again is a tenth of the time of reading a page.
                    unsafe { std::str::from_utf8_unchecked(bytes) }
                } else {
                    std::str::from_utf8(bytes).map_err(|_| Stop::Fallback)?
                };
                slot.set(Val::Str(Cow::Borrowed(text)));
                Ok(())
            }
            b'\\' => {
                slot.set(Val::Str(Cow::Owned(self.escaped_string(start, end)?)));
                Ok(())
            }
            _ => Err(Stop::Fallback),
        }
    }

    /// The rest of a string with escapes: `start` is its first byte, `at` its first backslash.
    fn escaped_string(&mut self, start: usize, mut at: usize) -> Step<String> {
        let mut out: Vec<u8> = self.b[start..at].to_vec();
        loop {
            match self.b[at] {
                b'"' => {
                    self.i = at + 1;
                    return String::from_utf8(out).map_err(|_| Stop::Fallback);
                }
                b'\\' => {
                    let code = *self.b.get(at + 1).ok_or(Stop::NeedMore)?;
                    at += 2;
                    match code {
                        b'"' => out.push(b'"'),
                        b'\\' => out.push(b'\\'),
                        b'/' => out.push(b'/'),
                        b'b' => out.push(0x08),
                        b'f' => out.push(0x0c),
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'u' => {
                            let c = self.unicode_escape(&mut at)?;
                            let mut buf = [0u8; 4];
                            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                        }
                        _ => return Err(Stop::Fallback),
                    }
                }
                _ => return Err(Stop::Fallback),
            }
            let (next, _) = self.plain_run(at)?;
            out.extend_from_slice(&self.b[at..next]);
            at = next;
        }
    }

    /// The character of `\uXXXX` (and of its low surrogate's escape), `at` just after the `u`.
    /// A lone surrogate is left to serde.
    fn unicode_escape(&self, at: &mut usize) -> Step<char> {
        let first = self.hex4(*at)?;
        *at += 4;
        if !(0xD800..0xE000).contains(&first) {
            return char::from_u32(first).ok_or(Stop::Fallback);
        }
        if first >= 0xDC00 || self.b.get(*at..*at + 2).ok_or(Stop::NeedMore)? != b"\\u" {
            return Err(Stop::Fallback);
        }
        let second = self.hex4(*at + 2)?;
        if !(0xDC00..0xE000).contains(&second) {
            return Err(Stop::Fallback);
        }
        *at += 6;
        char::from_u32(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)).ok_or(Stop::Fallback)
    }

    fn hex4(&self, at: usize) -> Step<u32> {
        let digits = self.b.get(at..at + 4).ok_or(Stop::NeedMore)?;
        let mut value = 0;
        for &d in digits {
            value = value * 16 + (d as char).to_digit(16).ok_or(Stop::Fallback)?;
        }
        Ok(value)
    }

    /// Skips any valid JSON value (checked as strictly as serde checks it).
    fn skip(&mut self, depth: usize) -> Step<()> {
        match self.peek()? {
            b'"' => self.skip_string(),
            b'{' => {
                if depth >= MAX_DEPTH {
                    return Err(Stop::Fallback);
                }
                self.i += 1;
                self.ws();
                if self.peek()? == b'}' {
                    self.i += 1;
                    return Ok(());
                }
                loop {
                    if self.peek()? != b'"' {
                        return Err(Stop::Fallback);
                    }
                    self.skip_string()?;
                    self.ws();
                    self.expect(b':')?;
                    self.ws();
                    self.skip(depth + 1)?;
                    self.ws();
                    match self.peek()? {
                        b',' => {
                            self.i += 1;
                            self.ws();
                        }
                        b'}' => {
                            self.i += 1;
                            return Ok(());
                        }
                        _ => return Err(Stop::Fallback),
                    }
                }
            }
            b'[' => {
                if depth >= MAX_DEPTH {
                    return Err(Stop::Fallback);
                }
                self.i += 1;
                self.ws();
                if self.peek()? == b']' {
                    self.i += 1;
                    return Ok(());
                }
                loop {
                    self.skip(depth + 1)?;
                    self.ws();
                    match self.peek()? {
                        b',' => {
                            self.i += 1;
                            self.ws();
                        }
                        b']' => {
                            self.i += 1;
                            return Ok(());
                        }
                        _ => return Err(Stop::Fallback),
                    }
                }
            }
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'-' | b'0'..=b'9' => self.skip_number(),
            _ => Err(Stop::Fallback),
        }
    }

    /// Skips a string, checking its escapes (not its UTF-8: serde does not check the strings it
    /// skips either).
    fn skip_string(&mut self) -> Step<()> {
        let (mut at, _) = self.plain_run(self.i + 1)?;
        loop {
            match self.b[at] {
                b'"' => {
                    self.i = at + 1;
                    return Ok(());
                }
                b'\\' => {
                    match *self.b.get(at + 1).ok_or(Stop::NeedMore)? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => at += 2,
                        b'u' => {
                            self.hex4(at + 2)?;
                            at += 6;
                        }
                        _ => return Err(Stop::Fallback),
                    }
                    at = self.plain_run(at)?.0;
                }
                _ => return Err(Stop::Fallback),
            }
        }
    }

    /// Skips a number in JSON's grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    /// A number that reaches the end of the bytes may go on in the next ones.
    fn skip_number(&mut self) -> Step<()> {
        if self.peek()? == b'-' {
            self.i += 1;
        }
        match self.peek()? {
            b'0' => self.i += 1,
            b'1'..=b'9' => self.digits()?,
            _ => return Err(Stop::Fallback),
        }
        if self.b.get(self.i) == Some(&b'.') {
            self.i += 1;
            if !self.peek()?.is_ascii_digit() {
                return Err(Stop::Fallback);
            }
            self.digits()?;
        }
        if matches!(self.b.get(self.i), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek()?, b'+' | b'-') {
                self.i += 1;
            }
            if !self.peek()?.is_ascii_digit() {
                return Err(Stop::Fallback);
            }
            self.digits()?;
        }
        // What follows must be there to know the number has ended.
        self.peek().map(|_| ())
    }

    fn digits(&mut self) -> Step<()> {
        while self.peek()?.is_ascii_digit() {
            self.i += 1;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (Parsed<'_>, Fields<'_>) {
        let mut fields = Fields::default();
        let parsed = parse_record(text.as_bytes(), 0, &mut fields, &mut Shape::default());
        (parsed, fields)
    }

    #[test]
    fn a_plain_event_is_read_with_borrowed_strings() {
        let text = r##"{"id":"e1","feature":"reset","isSuccess":false,"authMethod":"sms","failureReason":"x","eventDateTime":"2025-07-16T16:19:18Z","@odata.type":"#microsoft.graph.userEventsSummary","extra":{"a":[1,2.5e-3,-0,true,null,"\u00e9"]}} "##;
        let (Parsed::Record { end, .. }, fields) = read(text) else {
            panic!("not read")
        };
        assert_eq!(&text[end..], " ");
        assert!(matches!(fields.id, Val::Str(Cow::Borrowed("e1"))));
        assert!(matches!(fields.is_success, Val::Bool(false)));
        assert!(matches!(fields.feature, Val::Str(ref s) if s == "reset"));
    }

    #[test]
    fn escapes_are_decoded_like_serde() {
        let text = r#"{"userDisplayName":"A\"b\\c\/\u00e9\ud83d\ude00\n"}"#;
        let (Parsed::Record { .. }, fields) = read(text) else {
            panic!("not read")
        };
        let expected: String = serde_json::from_str(r#""A\"b\\c\/\u00e9\ud83d\ude00\n""#).unwrap();
        assert!(matches!(fields.name, Val::Str(ref s) if *s == expected));
    }

    /// What a record gave, to compare two readings of it (the fields only when it was read:
    /// otherwise what they hold is unspecified).
    fn outcome(parsed: &Parsed<'_>, f: &Fields<'_>) -> String {
        let end = match parsed {
            Parsed::Record { end, .. } => format!("record to {end}"),
            Parsed::Page => return "page".to_string(),
            Parsed::NeedMore => return "more".to_string(),
            Parsed::Fallback => return "serde".to_string(),
        };
        format!(
            "{end} {:?} {:?} {:?} {:?} {:?} {:?}",
            f.id, f.feature, f.user_name, f.is_success, f.event_time, f.methods_registered
        )
    }

    /// White space between any two tokens reads the same fields as none: compact records take
    /// the quick way through their members, spread ones the general way. (The strings here hold
    /// none of the characters spread around.)
    #[test]
    fn white_space_between_tokens_reads_the_same_fields() {
        let spread = |compact: &str| {
            let mut out = String::new();
            for c in compact.chars() {
                match c {
                    '}' | ']' => out.extend([' ', '\n', c]),
                    ':' | ',' | '{' | '[' => out.extend([c, '\t', ' ']),
                    _ => out.push(c),
                }
            }
            out
        };
        let fields_of = |text: &str| {
            let (parsed, fields) = read(text);
            let outcome = outcome(&parsed, &fields);
            // Without the record's end, which the white space moves.
            outcome.splitn(4, ' ').nth(3).map(str::to_string)
        };
        let texts: Vec<(&str, String)> = [
            r#"{"id":"a","feature":"reset","isSuccess":true,"eventDateTime":"t"}"#,
            r#"{"id":"b","feature":"registration","userPrincipalName":"u","isSuccess":false}"#,
            r#"{"id":"c","methodsRegistered":["sms","email"],"isSuccess":null}"#,
            r#"{"x":"skipped","id":"d","y":{"z":[1,"w"]},"feature":"reset"}"#,
            r#"{"id":"e"}"#,
        ]
        .into_iter()
        .map(|compact| (compact, spread(compact)))
        .collect();
        let mut shape = Shape::default();
        let mut shared = Fields::default();
        for (compact, wide) in &texts {
            assert_eq!(fields_of(compact), fields_of(wide), "{wide}");
            assert!(fields_of(compact).is_some(), "{compact}");
            // And read after one another with the names learned, as a file's records are.
            for text in [*compact, wide.as_str()] {
                let parsed = parse_record(text.as_bytes(), 0, &mut shared, &mut shape);
                let (alone, alone_fields) = read(text);
                assert_eq!(
                    outcome(&parsed, &shared),
                    outcome(&alone, &alone_fields),
                    "{text}"
                );
            }
        }
    }

    #[test]
    fn records_named_otherwise_than_the_last_are_read_as_if_alone() {
        let records = [
            r#"{"id":"a","feature":"reset","isSuccess":true,"eventDateTime":"t"}"#,
            r#"{"id":"b","feature":"reset","isSuccess":false,"eventDateTime":"u"}"#,
            // Another order, fewer and more members, a longer and a shorter name.
            r#"{"feature":"registration","id":"c"}"#,
            r#"{"feature":"x","id":"d","isSuccess":true,"userPrincipalName":"e"}"#,
            r#"{"idx":"e","feature":"y"}"#,
            r#"{"i":"f","feature":"z"}"#,
            r#"{"id":"g","feature":"reset","isSuccess":true,"eventDateTime":"t"}"#,
            // White space around the colons, then none again.
            r#"{ "id" : "h", "feature" :"reset","isSuccess": true }"#,
            r#"{"id":"i","feature":"reset","isSuccess":true}"#,
            r#"{"id":"j","feature":"reset","isSuccess":true,"value":[]}"#,
            r#"{"id":"k","feature":"reset","isSuccess":1}"#,
            r#"{"id":"l","feature":"reset","isSucc"#,
            r#"{}"#,
            r#"{"id":"m","methodsRegistered":["sms"]}"#,
            // Lists reuse the last record's: longer, shorter, empty, one that is not all text.
            r#"{"id":"q","methodsRegistered":["sms","email","fido2"]}"#,
            r#"{"id":"r","methodsRegistered":["email"]}"#,
            r#"{"id":"s","methodsRegistered":[]}"#,
            r#"{"id":"t","methodsRegistered":["sms",1]}"#,
            r#"{"id":"u","methodsRegistered":["a\u00e9"]}"#,
            r#"{"id":"v","methodsRegistered":["b"]}"#,
            r#"{"id":"n","feature":"reset","isSuccess":true,"eventDateTime":"t"}"#,
            r#"{"id":"o","id":"p"}"#,
        ];
        let mut shape = Shape::default();
        let mut fields = Fields::default();
        for text in records {
            let shared = parse_record(text.as_bytes(), 0, &mut fields, &mut shape);
            let shared = outcome(&shared, &fields);
            let (alone, alone_fields) = read(text);
            assert_eq!(shared, outcome(&alone, &alone_fields), "{text}");
        }
    }

    #[test]
    fn the_names_of_a_record_are_learned_and_expected_of_the_next() {
        let mut shape = Shape::default();
        let first = br#"{"id":"a","feature":"reset"}"#;
        parse_record(first, 0, &mut Fields::default(), &mut shape);
        assert_eq!(shape.names, br#""id":"feature":"#);
        assert!(shape.expected(0, br#""id":"b""#, 0).is_some());
        assert!(shape.expected(0, br#"{"id":"b""#, 1).is_some());
        assert!(shape.expected(0, br#""idx":"b""#, 0).is_none());
        assert!(shape.expected(0, br#""id""#, 0).is_none());
        assert!(shape.expected(1, br#""feature":"#, 0).is_some());
        assert!(shape.expected(2, br#""feature":"#, 0).is_none());
        // A record with white space before a colon is read but not learned.
        parse_record(
            br#"{"feature" :"x"}"#,
            0,
            &mut Fields::default(),
            &mut shape,
        );
        assert_eq!(shape.names, br#""id":"feature":"#);
    }

    #[test]
    fn an_expected_name_is_found_only_whole_and_unchanged() {
        let mut shape = Shape::default();
        parse_record(
            br#"{"userPrincipalName":"x"}"#,
            0,
            &mut Fields::default(),
            &mut shape,
        );
        let name = br#""userPrincipalName":"#;
        for cut in 0..=name.len() + 2 {
            let mut bytes = b"{".to_vec();
            bytes.extend_from_slice(name);
            bytes.extend_from_slice(b"xyz");
            bytes.truncate(1 + cut);
            let found = shape.expected(0, &bytes, 1);
            assert_eq!(found.is_some(), cut >= name.len(), "{cut}");
        }
        for flip in 0..name.len() {
            let mut other = name.to_vec();
            other[flip] ^= 1;
            assert!(shape.expected(0, &other, 0).is_none(), "{flip}");
        }
    }

    #[test]
    fn a_page_is_recognised_by_its_value_member() {
        assert!(matches!(
            read(r#"{"@odata.context":"x","value":[{"id":"1"}]}"#).0,
            Parsed::Page
        ));
    }

    #[test]
    fn bytes_that_stop_inside_a_record_ask_for_more() {
        for cut in [
            r#"{"id":"e"#,
            r#"{"id":"e1","isSuccess":tr"#,
            r#"{"x":1"#,
            "{",
            r#"{"a":"\"#,
        ] {
            assert!(matches!(read(cut).0, Parsed::NeedMore), "{cut}");
        }
    }

    #[test]
    fn what_serde_would_refuse_or_read_differently_is_left_to_serde() {
        for text in [
            r#"{"id":1}"#,
            r#"{"i\u0064":"1"}"#,
            r#"{"id":"a"  "x":1}"#,
            r#"{"a":[1,]}"#,
            r#"{"a":01}"#,
            r#"{"a":1.}"#,
            r#"{"a":"\x"}"#,
            "{\"a\":\"\u{1}\"}",
            r#"{"id":"\ud800"}"#,
            r#"{"methodsRegistered":["a",1]}"#,
            r#"{"id":{"x":1}}"#,
            r#"{"a":tru}"#,
        ] {
            assert!(matches!(read(text).0, Parsed::Fallback), "{text}");
        }
    }

    #[test]
    fn invalid_utf8_in_a_field_we_read_is_left_to_serde_but_skipped_text_is_not_checked() {
        let mut bad = br#"{"id":"a"#.to_vec();
        bad.extend_from_slice(b"\xff\"}");
        assert!(matches!(
            parse_record(&bad, 0, &mut Fields::default(), &mut Shape::default()),
            Parsed::Fallback
        ));
        let mut skipped = br#"{"other":"a"#.to_vec();
        skipped.extend_from_slice(b"\xff\"}");
        assert!(matches!(
            parse_record(&skipped, 0, &mut Fields::default(), &mut Shape::default()),
            Parsed::Record { .. }
        ));
    }
}
