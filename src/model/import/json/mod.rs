//! Graph JSON in all its shapes (a response page, an array of pages, a bare array of records,
//! NDJSON), read front to back in one pass over windows of the file: whole in memory, or chunk by
//! chunk as a worker reads it from disk. Records go straight into the batch; every problem
//! becomes an error with its position. Also reads a part of a file that starts at a record
//! boundary (see `split`), so that workers can read one file together.

mod audit;
mod fields;
mod inputs;
mod record;
mod serde_nested;
mod serde_read;

pub(super) use audit::parties_from_text;
use fields::{Fields, Sink};
use record::{parse_record, Parsed, Shape};
use serde_read::{describe_json_error, read_value};

use super::part::{ImportPart, KindCounts, Part, PartEnd, PartStart};
use super::scan::{self, Lines};

/// The bytes of the file held at the moment: `bytes` are the file's bytes from offset `base`.
#[derive(Clone, Copy)]
pub(super) struct Window<'b> {
    pub bytes: &'b [u8],
    pub base: usize,
    /// The window reaches the end of the file (or of the part being read).
    pub eof: bool,
}

impl<'b> Window<'b> {
    fn end(&self) -> usize {
        self.base + self.bytes.len()
    }

    fn get(&self, pos: usize) -> Option<u8> {
        pos.checked_sub(self.base)
            .and_then(|i| self.bytes.get(i))
            .copied()
    }

    /// The bytes from `from` to `to` (file offsets inside the window).
    fn slice(&self, from: usize, to: usize) -> &'b [u8] {
        &self.bytes[from - self.base..to - self.base]
    }

    fn skip_ws(&self, pos: usize) -> usize {
        self.base + scan::skip_ws(self.bytes, pos - self.base)
    }

    /// Where the value at `pos` ends; `None` when the window may end inside it (a number or
    /// literal that runs to the window's end may go on in the next bytes).
    fn value_end(&self, pos: usize) -> Option<usize> {
        let end = self.base + scan::value_end(self.bytes, pos - self.base)?;
        let scalar = !matches!(self.get(self.skip_ws(pos)), Some(b'{' | b'[' | b'"'));
        if scalar && end == self.end() && !self.eof {
            return None;
        }
        Some(end)
    }

    fn string_end(&self, pos: usize) -> Option<usize> {
        scan::string_end(self.bytes, pos - self.base).map(|end| self.base + end)
    }
}

/// Where the read stands. Positions are file offsets.
#[derive(Clone, Copy, Debug)]
enum Stage {
    Start,
    /// At the `{` of the top-level object: a record, or a page.
    TopObject {
        open: usize,
    },
    /// Inside the top-level page: before a member or the closing brace. `open` is kept until
    /// the page's `value` array was met (an object without one is read whole by serde).
    PageKeys {
        pos: usize,
        open: Option<usize>,
        first: bool,
    },
    /// Inside an array of items: the page's `value` array, or the top-level array (records or
    /// whole pages).
    Elements {
        pos: usize,
        in_page: bool,
        first: bool,
    },
    /// After the top-level value: only white space may follow, or more lines of NDJSON.
    AfterTop {
        pos: usize,
    },
    /// One value per line.
    Ndjson {
        pos: usize,
    },
    /// A part that reached the offset where the next part starts, at a record boundary.
    Stopped,
    Done,
}

/// Reads one JSON file (or a part of one) a window at a time.
pub(super) struct JsonReader {
    sink: Sink,
    stage: Stage,
    lines: Lines,
    part: Part,
    end: PartEnd,
    fatal: bool,
    /// How many bytes the part holds, when known: once the first records show how long a record
    /// is, room for all of them is made at once (growing the columns step by step moves them).
    size_hint: Option<usize>,
    /// The index of the fatal error among the listed ones and its text without the "records
    /// before this point" note (which a part cannot count alone; see `part`).
    fatal_note: Option<(Option<usize>, String)>,
    /// The line the top-level value started on, and whether it is an object (NDJSON's first
    /// line is one whole object).
    top_line: Option<usize>,
    top_is_object: bool,
    /// The top-level value fitted on its line.
    top_single_line: bool,
    /// The member names the records have had so far (see [`Shape`]).
    shape: Shape,
}

impl JsonReader {
    pub(super) fn new(name: &str, part: Part) -> JsonReader {
        let stage = match part.start {
            PartStart::File { .. } => Stage::Start,
            PartStart::PageRecord { at } => Stage::Elements {
                pos: at,
                in_page: true,
                first: true,
            },
            PartStart::ArrayItem { at } => Stage::Elements {
                pos: at,
                in_page: false,
                first: true,
            },
            PartStart::NdjsonLine { at } => Stage::Ndjson { pos: at },
        };
        JsonReader {
            sink: Sink::new(name),
            stage,
            lines: Lines::new(part.start.offset()),
            part,
            end: PartEnd::default(),
            fatal: false,
            size_hint: None,
            fatal_note: None,
            top_line: None,
            top_is_object: false,
            top_single_line: false,
            shape: Shape::default(),
        }
    }

    /// Tells how many bytes the file (or the part) holds.
    pub(super) fn set_size_hint(&mut self, bytes: usize) {
        self.size_hint = Some(bytes);
    }

    /// Records read before the columns are sized for the whole part.
    const RECORDS_BEFORE_SIZING: usize = 4096;

    /// Makes room for the records still to come, judged from the bytes the first ones took.
    fn size_columns(&mut self, at: usize) {
        let Some(size) = self.size_hint.take() else {
            return;
        };
        let start = self.part.start.offset();
        let per_record = (at.saturating_sub(start) / Self::RECORDS_BEFORE_SIZING).max(1);
        let expected = size.saturating_sub(at - start) / per_record;
        let s = &mut self.sink;
        if s.members > s.events + s.users_current + s.users_legacy {
            // A member list: its rows are not users or events of the batch.
            return;
        }
        let audit = s.audit_graph + s.audit_log_analytics;
        if audit > s.events.max(s.users_current + s.users_legacy) {
            s.batch.reserve_audit(expected + expected / 16);
        } else if s.events >= s.users_current + s.users_legacy {
            s.batch.reserve_events(expected + expected / 16);
        } else {
            s.batch.reserve_users(expected + expected / 16);
        }
    }

    /// Good and bad records read so far.
    pub(super) fn records(&self) -> (usize, usize) {
        (self.sink.good, self.sink.bad)
    }

    pub(super) fn is_done(&self) -> bool {
        matches!(self.stage, Stage::Done | Stage::Stopped)
    }

    pub(super) fn is_stopped(&self) -> bool {
        matches!(self.stage, Stage::Stopped)
    }

    pub(super) fn end(&self) -> PartEnd {
        self.end
    }

    pub(super) fn missed_stop(&self) -> bool {
        self.end.missed_stop
    }

    /// Goes on past the stop, as if there had been none.
    pub(super) fn read_on(&mut self) {
        if let (Stage::Stopped, Some(stop)) = (self.stage, self.part.stop) {
            self.stage = match stop {
                PartStart::PageRecord { at } => Stage::Elements {
                    pos: at,
                    in_page: true,
                    first: true,
                },
                PartStart::ArrayItem { at } => Stage::Elements {
                    pos: at,
                    in_page: false,
                    first: true,
                },
                PartStart::NdjsonLine { at } | PartStart::File { content: at } => {
                    Stage::Ndjson { pos: at }
                }
            };
            self.end.stopped_at = None;
        }
        self.part.stop = None;
    }

    /// What the part gave (read it to its end first).
    pub(super) fn into_part(self) -> ImportPart {
        let sink = self.sink;
        ImportPart {
            name: sink.log.file.clone(),
            part: self.part,
            kind: None,
            counts: KindCounts {
                users_current: sink.users_current,
                users_legacy: sink.users_legacy,
                events: sink.events,
                legacy_events_hint: sink.legacy_events_hint,
                audit_graph: sink.audit_graph,
                audit_log_analytics: sink.audit_log_analytics,
                members: sink.members,
                policies: sink.policies,
            },
            records: sink.record,
            good: sink.good,
            bad: sink.bad,
            errors: sink.log.listed,
            error_count: sink.log.count,
            fatal: self.fatal,
            fatal_note: self.fatal_note,
            end: self.end,
            batch: sink.batch,
        }
    }

    /// The offset before which no byte is needed any more (what a chunked reader may drop).
    pub(super) fn keep_from(&self) -> usize {
        match self.stage {
            Stage::Start => self.part.start.offset(),
            Stage::TopObject { open } => open,
            Stage::PageKeys {
                pos,
                open: Some(open),
                ..
            } => open.min(pos),
            Stage::PageKeys { pos, .. }
            | Stage::Elements { pos, .. }
            | Stage::AfterTop { pos }
            | Stage::Ndjson { pos } => pos,
            Stage::Stopped | Stage::Done => usize::MAX,
        }
    }

    /// How far the read has come (a file offset).
    pub(super) fn position(&self) -> usize {
        match self.stage {
            Stage::Done => usize::MAX,
            Stage::Stopped => self.part.stop.map_or(usize::MAX, |s| s.offset()),
            _ => self.keep_from(),
        }
    }

    /// Counts lines up to `to` before the window drops what is before it.
    pub(super) fn forget_before(&mut self, w: Window<'_>, to: usize) {
        self.lines.advance(w.bytes, w.base, to);
    }

    /// Reads the records the window holds whole, at most `budget` of them; stops early when the
    /// window ends inside a record (unless it is the end of the file).
    pub(super) fn read(&mut self, w: Window<'_>, budget: usize) {
        let target = (self.sink.good + self.sink.bad).saturating_add(budget.max(1));
        // One set of fields for every record of the window (see `Fields::begin_record`).
        let mut fields = Fields::default();
        while self.sink.good + self.sink.bad < target {
            let next = match self.stage {
                Stage::Start => self.start(w),
                Stage::TopObject { open } => self.top_object(w, open, &mut fields),
                Stage::PageKeys { pos, open, first } => self.page_key(w, pos, open, first),
                Stage::Elements {
                    pos,
                    in_page,
                    first,
                } => self.element(w, &mut fields, pos, in_page, first),
                Stage::AfterTop { pos } => self.after_top(w, pos),
                Stage::Ndjson { pos } => self.ndjson_line(w, &mut fields, pos),
                Stage::Stopped | Stage::Done => return,
            };
            match next {
                Some(stage) => self.stage = stage,
                None => return,
            }
        }
    }

    fn start(&mut self, w: Window<'_>) -> Option<Stage> {
        let pos = w.skip_ws(self.part.start.offset().max(w.base));
        match w.get(pos) {
            None if w.eof => Some(Stage::Done),
            None => None,
            Some(b'{') => {
                self.top_line = Some(self.lines.at(w.bytes, w.base, pos).0);
                self.top_is_object = true;
                Some(Stage::TopObject { open: pos })
            }
            Some(b'[') => {
                self.top_line = Some(self.lines.at(w.bytes, w.base, pos).0);
                Some(Stage::Elements {
                    pos: pos + 1,
                    in_page: false,
                    first: true,
                })
            }
            // Not JSON's shape for a page or a list: serde reads what is left and says why.
            Some(_) if w.eof => {
                self.whole(w, pos, w.end());
                Some(Stage::Done)
            }
            Some(_) => None,
        }
    }

    fn top_object<'b>(
        &mut self,
        w: Window<'b>,
        open: usize,
        fields: &mut Fields<'b>,
    ) -> Option<Stage> {
        match parse_record(w.bytes, open - w.base, fields, &mut self.shape) {
            Parsed::Record { context, end } => {
                let end = w.base + end;
                self.top_single_line = memchr::memchr(b'\n', w.slice(open, end)).is_none();
                if let Some(context) = context {
                    self.sink.note_context(&context);
                }
                // A record on one line is where NDJSON starts: its line numbers its errors.
                self.sink.line = self
                    .top_single_line
                    .then(|| self.lines.at(w.bytes, w.base, open).0);
                self.sink.record(fields);
                self.sink.line = None;
                Some(Stage::AfterTop { pos: end })
            }
            Parsed::Page => Some(Stage::PageKeys {
                pos: open + 1,
                open: Some(open),
                first: true,
            }),
            Parsed::NeedMore if !w.eof => None,
            Parsed::NeedMore | Parsed::Fallback => match w.value_end(open) {
                Some(end) => {
                    self.top_single_line = memchr::memchr(b'\n', w.slice(open, end)).is_none();
                    if self.whole(w, open, end) {
                        Some(Stage::AfterTop { pos: end })
                    } else {
                        Some(Stage::Done)
                    }
                }
                None if w.eof => {
                    self.whole(w, open, w.end());
                    Some(Stage::Done)
                }
                None => None,
            },
        }
    }

    fn page_key(
        &mut self,
        w: Window<'_>,
        pos: usize,
        open: Option<usize>,
        first: bool,
    ) -> Option<Stage> {
        let mut p = w.skip_ws(pos);
        match w.get(p) {
            None => return self.need_more_or_fail(w, p, "the object never closes"),
            Some(b'}') => return Some(self.close_page(w, open, p)),
            Some(b',') if !first => p = w.skip_ws(p + 1),
            Some(_) if !first => {
                return Some(self.fail_here(w, p, "expected a comma between members"))
            }
            Some(_) => {}
        }
        match w.get(p) {
            None => self.need_more_or_fail(w, p, "the object never closes"),
            Some(b'"') => self.page_member(w, p, open),
            Some(_) => match open {
                // Not the shape of a page: serde reads it up to the problem and says what it is.
                Some(open) => {
                    self.whole(w, open, p + 1);
                    Some(Stage::Done)
                }
                None => Some(self.fail_here(w, p, "expected a key or the end of the object")),
            },
        }
    }

    /// A member of the top-level page that starts at `p`: the `value` array, or one to skip.
    fn page_member(&mut self, w: Window<'_>, p: usize, open: Option<usize>) -> Option<Stage> {
        let Some(key_end) = w.string_end(p) else {
            return self.need_more_or_fail(w, w.end(), "");
        };
        let colon = w.skip_ws(key_end);
        match w.get(colon) {
            Some(b':') => {}
            None => return self.need_more_or_fail(w, colon, ""),
            Some(_) => return Some(self.fail_here(w, colon, "expected a colon after a key")),
        }
        let value = w.skip_ws(colon + 1);
        let key = w.slice(p + 1, key_end - 1);
        if key == b"value" && w.get(value) == Some(b'[') {
            return Some(Stage::Elements {
                pos: value + 1,
                in_page: true,
                first: true,
            });
        }
        let Some(end) = w.value_end(value) else {
            return self.need_more_or_fail(w, w.end(), "");
        };
        if key == b"@odata.context" || key == b"@odata.type" {
            if let Ok(text) = serde_json::from_slice::<String>(w.slice(value, end)) {
                self.sink.note_context(&text);
            }
        }
        Some(Stage::PageKeys {
            pos: end,
            open,
            first: false,
        })
    }

    /// The top-level page closes at `p`.
    fn close_page(&mut self, w: Window<'_>, open: Option<usize>, p: usize) -> Stage {
        let line = self.lines.at(w.bytes, w.base, p).0;
        self.top_single_line = self.top_line == Some(line);
        match open {
            // An object without a list of records: serde reads it whole and says what it is.
            Some(open) if !self.whole(w, open, p + 1) => Stage::Done,
            _ => Stage::AfterTop { pos: p + 1 },
        }
    }

    fn element<'b>(
        &mut self,
        w: Window<'b>,
        fields: &mut Fields<'b>,
        pos: usize,
        in_page: bool,
        first: bool,
    ) -> Option<Stage> {
        let mut p = w.skip_ws(pos);
        match w.get(p) {
            None => return self.need_more_or_fail(w, p, ""),
            Some(b']') => {
                return Some(if in_page {
                    Stage::PageKeys {
                        pos: p + 1,
                        open: None,
                        first: false,
                    }
                } else {
                    Stage::AfterTop { pos: p + 1 }
                })
            }
            Some(b',') if !first => p = w.skip_ws(p + 1),
            Some(_) if !first => {
                return Some(self.fail_here(w, p, "expected a comma between records"))
            }
            Some(_) => {}
        }
        if p >= w.end() {
            return self.need_more_or_fail(w, p, "");
        }
        let here = if in_page {
            PartStart::PageRecord { at: p }
        } else {
            PartStart::ArrayItem { at: p }
        };
        if self.at_stop(w, here) {
            return Some(Stage::Stopped);
        }
        let next = Stage::Elements {
            pos: p,
            in_page,
            first: false,
        };
        if w.get(p) == Some(b'{') {
            match parse_record(w.bytes, p - w.base, fields, &mut self.shape) {
                Parsed::Record { context, end } => {
                    if let Some(context) = context {
                        self.sink.note_context(&context);
                    }
                    self.sink.record(fields);
                    if self.sink.record == Self::RECORDS_BEFORE_SIZING {
                        self.size_columns(w.base + end);
                    }
                    return Some(Stage::Elements {
                        pos: w.base + end,
                        in_page,
                        first: false,
                    });
                }
                Parsed::NeedMore if !w.eof => return None,
                Parsed::NeedMore | Parsed::Page | Parsed::Fallback => {}
            }
        }
        self.serde_element(w, p, next)
    }

    /// An element the fast parser leaves to serde (a page in a list, an odd or broken record).
    fn serde_element(&mut self, w: Window<'_>, p: usize, next: Stage) -> Option<Stage> {
        let Some(end) = w.value_end(p) else {
            if !w.eof {
                return None;
            }
            // Cut off inside this element: serde says where and how.
            let mut probe = Sink::new("");
            return Some(match read_value(&mut probe, w.slice(p, w.end()), false) {
                Err(e) => {
                    self.fail_at(w, p, &e);
                    Stage::Done
                }
                Ok(()) => self.fail_here(w, w.end(), ""),
            });
        };
        let before = self.sink.good + self.sink.bad;
        if let Err(e) = read_value(&mut self.sink, w.slice(p, end), false) {
            let (line, column) = self.absolute(w, p, &e);
            if self.sink.good + self.sink.bad == before {
                // Nothing of it could be read: one bad record.
                self.sink.record += 1;
                self.sink.bad += 1;
            }
            let record = self.sink.record;
            self.sink
                .log
                .push(line, column, Some(record), describe_json_error(&e));
        }
        Some(match next {
            Stage::Elements { in_page, .. } => Stage::Elements {
                pos: end,
                in_page,
                first: false,
            },
            other => other,
        })
    }

    /// Whether the read reached the next part's start (`here` being the boundary at hand): at a
    /// boundary of the kind that part assumed, it stops there. Past it, the next part started in
    /// the middle of something and cannot be used: this one reads on instead.
    fn at_stop(&mut self, w: Window<'_>, here: PartStart) -> bool {
        let Some(stop) = self.part.stop else {
            return false;
        };
        if here.offset() < stop.offset() {
            return false;
        }
        if here == stop {
            self.end.stopped_at = Some(self.lines.at(w.bytes, w.base, here.offset()));
            return true;
        }
        self.end.missed_stop = true;
        self.part.stop = None;
        false
    }

    fn after_top(&mut self, w: Window<'_>, pos: usize) -> Option<Stage> {
        let next = w.skip_ws(pos);
        match w.get(next) {
            None if w.eof => Some(Stage::Done),
            None => None,
            Some(_) => {
                let newline_between = memchr::memchr(b'\n', w.slice(pos, next)).is_some();
                if !self.part.start.is_file() {
                    // Whether more lines of NDJSON may follow depends on how the file began,
                    // which only the first part knows.
                    self.end.needs_context = true;
                    return Some(Stage::Done);
                }
                if self.top_single_line && self.top_is_object && newline_between {
                    let line_end = pos + memchr::memchr(b'\n', w.slice(pos, next)).unwrap_or(0) + 1;
                    Some(Stage::Ndjson { pos: line_end })
                } else {
                    Some(self.fail_here(w, next, "unexpected text after the end of the JSON"))
                }
            }
        }
    }

    fn ndjson_line<'b>(
        &mut self,
        w: Window<'b>,
        fields: &mut Fields<'b>,
        pos: usize,
    ) -> Option<Stage> {
        if pos >= w.end() {
            return if w.eof { Some(Stage::Done) } else { None };
        }
        if self.at_stop(w, PartStart::NdjsonLine { at: pos }) {
            return Some(Stage::Stopped);
        }
        let end = match memchr::memchr(b'\n', w.slice(pos, w.end())) {
            Some(i) => pos + i,
            None if w.eof => w.end(),
            None => return None,
        };
        let line = self.lines.at(w.bytes, w.base, pos).0;
        let mut text = w.slice(pos, end);
        if text.ends_with(b"\r") {
            text = &text[..text.len() - 1];
        }
        if !text.iter().all(|c| c.is_ascii_whitespace()) {
            self.sink.line = Some(line);
            if !self.fast_line(text, fields) {
                if let Err(e) = read_value(&mut self.sink, text, true) {
                    self.sink.record += 1;
                    self.sink.bad += 1;
                    self.sink.log.push(
                        Some(line),
                        Some(e.column()),
                        Some(self.sink.record),
                        describe_json_error(&e),
                    );
                }
            }
        }
        Some(Stage::Ndjson { pos: end + 1 })
    }

    /// Reads a line that holds one plain record; false when it holds anything else.
    fn fast_line<'b>(&mut self, text: &'b [u8], fields: &mut Fields<'b>) -> bool {
        let start = scan::skip_ws(text, 0);
        if text.get(start) != Some(&b'{') {
            return false;
        }
        match parse_record(text, start, fields, &mut self.shape) {
            Parsed::Record { context, end } if scan::skip_ws(text, end) == text.len() => {
                if let Some(context) = context {
                    self.sink.note_context(&context);
                }
                self.sink.record(fields);
                true
            }
            _ => false,
        }
    }

    /// In the middle of something at the window's end: wait for more, or (at the end of the
    /// file) say the JSON ends too early.
    fn need_more_or_fail(&mut self, w: Window<'_>, pos: usize, what: &str) -> Option<Stage> {
        if w.eof {
            Some(self.fail_here(w, pos, what))
        } else {
            None
        }
    }

    /// Reads `from..to` as one value with serde (a single record, or an odd shape); false when
    /// that failed (a fatal problem: the rest cannot be read).
    fn whole(&mut self, w: Window<'_>, from: usize, to: usize) -> bool {
        match read_value(&mut self.sink, w.slice(from, to), true) {
            Ok(()) => true,
            Err(e) => {
                self.fail_at(w, from, &e);
                false
            }
        }
    }

    /// A fatal problem that serde found in the value starting at `from`.
    fn fail_at(&mut self, w: Window<'_>, from: usize, e: &serde_json::Error) {
        let (line, column) = self.absolute(w, from, e);
        self.fatal(line, column, describe_json_error(e));
    }

    /// A structural problem found at `pos`.
    fn fail_here(&mut self, w: Window<'_>, pos: usize, what: &str) -> Stage {
        let (line, column) = self.lines.at(w.bytes, w.base, pos);
        let message = if pos >= w.end() {
            "the JSON ends too early; the file looks truncated.".to_string()
        } else {
            format!("not valid JSON: {what}.")
        };
        self.fatal(Some(line), Some(column), message);
        Stage::Done
    }

    fn fatal(&mut self, line: Option<usize>, column: Option<usize>, message: String) {
        self.fatal = true;
        let listed = (self.sink.log.listed.len() < super::MAX_LISTED_ERRORS)
            .then_some(self.sink.log.listed.len());
        self.fatal_note = Some((listed, message.clone()));
        self.sink.log.push(line, column, None, message);
    }

    /// The file position of a serde error in the value that starts at `from`.
    fn absolute(
        &mut self,
        w: Window<'_>,
        from: usize,
        e: &serde_json::Error,
    ) -> (Option<usize>, Option<usize>) {
        if e.line() == 0 {
            return (None, None);
        }
        let (line, column) = self.lines.at(w.bytes, w.base, from);
        if e.line() == 1 {
            (Some(line), Some(column + e.column() - 1))
        } else {
            (Some(line + e.line() - 1), Some(e.column()))
        }
    }
}
