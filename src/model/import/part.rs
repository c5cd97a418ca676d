//! Reading one file in parts, side by side (one Web Worker a part), with exactly the result of
//! reading it front to back: where a part starts and stops, what a part gives, and how the parts'
//! results are put together (records, error numbers and positions, the batch). A part's start is
//! a guess at a record boundary; the part before it checks the guess, and a wrong guess costs
//! only time, never a different result. Nothing here reads bytes.

use super::{ErrorLog, FileImport, FileKind, ImportError, MAX_LISTED_ERRORS};
use crate::model::batch::Batch;

/// Where a part of a file starts (file offsets).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartStart {
    /// The start of the file; `content` is where the text starts (after a byte-order mark).
    File { content: usize },
    /// A record of the top-level page's `value` array (the first byte of the record).
    PageRecord { at: usize },
    /// An item of a top-level array.
    ArrayItem { at: usize },
    /// The start of a line of NDJSON.
    NdjsonLine { at: usize },
}

impl PartStart {
    /// The offset the part starts at.
    pub fn offset(self) -> usize {
        match self {
            PartStart::File { content } => content,
            PartStart::PageRecord { at }
            | PartStart::ArrayItem { at }
            | PartStart::NdjsonLine { at } => at,
        }
    }

    pub fn is_file(self) -> bool {
        matches!(self, PartStart::File { .. })
    }

    /// The offset the part's bytes are fed from: 0 for the file's first part (its reader looks
    /// at the whole head, a byte-order mark too), else where the part starts.
    pub fn fed_from(self) -> usize {
        if self.is_file() {
            0
        } else {
            self.offset()
        }
    }
}

/// One part to read: from `start` to where the next part starts (`stop`; `None` for the last).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Part {
    pub start: PartStart,
    pub stop: Option<PartStart>,
}

impl Part {
    /// The whole file as one part.
    pub fn whole(content: usize) -> Part {
        Part {
            start: PartStart::File { content },
            stop: None,
        }
    }
}

/// How a part ended, as far as putting parts together needs to know.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PartEnd {
    /// The part stopped exactly where the next one starts; the line and column of that offset,
    /// counted from the part's own start (line 1, column 1).
    pub stopped_at: Option<(usize, usize)>,
    /// The part passed the next part's start without a record boundary there, and read on.
    pub missed_stop: bool,
    /// The part met something whose meaning depends on what came before it (only the first
    /// part knows), so its result cannot be used.
    pub needs_context: bool,
}

/// Files smaller than this are read by one reader: splitting them would cost more than it saves.
pub const MIN_SPLIT_SIZE: usize = 8 << 20;
/// How many bytes of the file's start, and around each place it may be split, a plan looks at.
pub const PROBE_SIZE: usize = 64 << 10;

/// The shape of a file as its first bytes show it, as far as splitting it goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    /// One Graph page: the records of its `value` array can be split.
    Page,
    /// A top-level array: its items can be split.
    Array,
    /// One value a line: lines can be split.
    Ndjson,
}

fn shape_of(head: &[u8]) -> Option<Shape> {
    let content = if head.starts_with(b"\xEF\xBB\xBF") {
        &head[3..]
    } else {
        head
    };
    let first = super::scan::skip_ws(content, 0);
    match content.get(first)? {
        b'[' => Some(Shape::Array),
        b'{' => {
            let line_end = memchr::memchr(b'\n', &content[first..]).map(|i| first + i);
            let value_end = super::scan::value_end(content, first);
            match (line_end, value_end) {
                // The first value ends on its line and more lines follow.
                (Some(line_end), Some(end))
                    if end <= line_end
                        && content[end..line_end].iter().all(u8::is_ascii_whitespace) =>
                {
                    Some(Shape::Ndjson)
                }
                _ => find_value_array(&content[first..]).then_some(Shape::Page),
            }
        }
        _ => None,
    }
}

/// Whether the page's `"value": [` shows in its first bytes.
fn find_value_array(page: &[u8]) -> bool {
    memchr::memmem::find_iter(page, b"\"value\"").any(|at| {
        let after = super::scan::skip_ws(page, at + 7);
        page.get(after) == Some(&b':')
            && page.get(super::scan::skip_ws(page, after + 1)) == Some(&b'[')
    })
}

/// Where to look for the boundaries of `count` parts of a file of `size` bytes: the offsets
/// whose [`PROBE_SIZE`] bytes [`plan`] wants to see (none for a file too small to split).
///
/// ```
/// use sspr_insights::model::import::part::{probe_offsets, MIN_SPLIT_SIZE};
/// assert_eq!(probe_offsets(1000, 2), Vec::<usize>::new());
/// assert_eq!(probe_offsets(2 * MIN_SPLIT_SIZE, 2), vec![MIN_SPLIT_SIZE]);
/// ```
pub fn probe_offsets(size: usize, count: usize) -> Vec<usize> {
    if size < MIN_SPLIT_SIZE || count < 2 {
        return Vec::new();
    }
    let count = count.min(size / (MIN_SPLIT_SIZE / 2)).max(1);
    (1..count).map(|k| k * (size / count)).collect()
}

/// The parts to read a file in: `head` is its first [`PROBE_SIZE`] bytes (or all of it), and
/// `probes` the bytes at each of [`probe_offsets`] (offset, bytes). A part starts at the first
/// record boundary found in its probe; where none shows, or the shape cannot be split, the parts
/// are fewer (at least one: the whole file).
///
/// ```
/// use sspr_insights::model::import::part::{plan, PartStart};
/// let page = br#"{"value":[{"id":"1"},{"id":"2"},{"id":"3"}]}"#;
/// let parts = plan(page, &[(14, &page[14..])]);
/// assert_eq!(parts.len(), 2);
/// assert_eq!(parts[1].start, PartStart::PageRecord { at: 21 });
/// assert_eq!(parts[0].stop, Some(parts[1].start));
/// ```
pub fn plan(head: &[u8], probes: &[(usize, &[u8])]) -> Vec<Part> {
    let content = if head.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let mut starts = vec![PartStart::File { content }];
    if let Some(shape) = shape_of(head) {
        for &(base, window) in probes {
            let last = starts.last().map_or(0, |s| s.offset());
            if let Some(start) = boundary_in(shape, window, base).filter(|s| s.offset() > last) {
                starts.push(start);
            }
        }
    }
    let stops = starts.iter().skip(1).map(|&s| Some(s)).chain([None]);
    starts
        .iter()
        .zip(stops)
        .map(|(&start, stop)| Part { start, stop })
        .collect()
}

/// The first record boundary in `window` (the file's bytes from offset `base`).
fn boundary_in(shape: Shape, window: &[u8], base: usize) -> Option<PartStart> {
    match shape {
        Shape::Ndjson => {
            let at = memchr::memchr(b'\n', window)? + 1;
            (at < window.len()).then_some(PartStart::NdjsonLine { at: base + at })
        }
        Shape::Page | Shape::Array => {
            // `}` `,` `{` with white space between: the end of one record and the start of the
            // next (a guess: the part before checks it).
            let mut from = 0;
            while let Some(close) = memchr::memchr(b'}', &window[from..]).map(|i| from + i) {
                let comma = super::scan::skip_ws(window, close + 1);
                if window.get(comma) == Some(&b',') {
                    let open = super::scan::skip_ws(window, comma + 1);
                    if window.get(open) == Some(&b'{')
                        && window.get(super::scan::skip_ws(window, open + 1)) == Some(&b'"')
                    {
                        let at = base + open;
                        return Some(if shape == Shape::Page {
                            PartStart::PageRecord { at }
                        } else {
                            PartStart::ArrayItem { at }
                        });
                    }
                }
                from = close + 1;
            }
            None
        }
    }
}

/// What the records of a JSON file were, counted to tell the file's kind at the end.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KindCounts {
    pub users_current: usize,
    pub users_legacy: usize,
    pub events: usize,
    pub legacy_events_hint: bool,
    /// Audit-log records of each shape (read, or skipped as of another service).
    pub audit_graph: usize,
    pub audit_log_analytics: usize,
    /// What-if inputs: group member rows, authentication methods policies.
    pub members: usize,
    pub policies: usize,
}

impl KindCounts {
    fn add(&mut self, other: KindCounts) {
        self.users_current += other.users_current;
        self.users_legacy += other.users_legacy;
        self.events += other.events;
        self.legacy_events_hint |= other.legacy_events_hint;
        self.audit_graph += other.audit_graph;
        self.audit_log_analytics += other.audit_log_analytics;
        self.members += other.members;
        self.policies += other.policies;
    }

    fn kind(self) -> FileKind {
        let audit = self.audit_graph + self.audit_log_analytics;
        let others = self.users_current + self.users_legacy + self.events;
        if audit > 0 {
            return if others > 0 {
                FileKind::MixedJson
            } else if self.audit_log_analytics > self.audit_graph {
                FileKind::LogAnalyticsAuditJson
            } else {
                FileKind::DirectoryAudits
            };
        }
        match (self.users_current + self.users_legacy, self.events) {
            (0, 0) if self.members == 0 && self.policies == 0 => FileKind::Unknown,
            (0, 0) if self.members >= self.policies => FileKind::GroupMembers,
            (0, 0) => FileKind::AuthenticationMethodsPolicy,
            (_, 0) if self.users_legacy > self.users_current => {
                FileKind::CredentialUserRegistrationDetails
            }
            (_, 0) => FileKind::UserRegistrationDetails,
            (0, _) if self.legacy_events_hint => FileKind::UserCredentialUsageDetails,
            (0, _) => FileKind::UserEventsSummary,
            _ => FileKind::MixedJson,
        }
    }
}

/// What reading one part gave.
#[derive(Clone, Debug)]
pub struct ImportPart {
    pub(crate) name: String,
    pub(crate) part: Part,
    /// The kind when the reader knew it (CSV, refused files); else told by `counts`.
    pub(crate) kind: Option<FileKind>,
    pub(crate) counts: KindCounts,
    /// Records met (good and bad): the number of the last one.
    pub(crate) records: usize,
    pub(crate) good: usize,
    pub(crate) bad: usize,
    pub(crate) errors: Vec<ImportError>,
    pub(crate) error_count: usize,
    pub(crate) fatal: bool,
    /// The fatal error's index among `errors` (when listed) and its text without the note on
    /// the records read before it, which depends on the parts before.
    pub(crate) fatal_note: Option<(Option<usize>, String)>,
    pub(crate) end: PartEnd,
    pub(crate) batch: Batch,
}

/// Whether parts read side by side can be put together: each part that stopped where the next
/// starts is followed by a part that started there and knew enough to read on its own. When not,
/// the first part reads on from where it stopped ([`super::StreamImport::read_on`]) and its
/// result alone is the file's (the same result, later).
pub fn fits(first_end: PartEnd, first_stop: Option<PartStart>, rest: &[ImportPart]) -> bool {
    let (mut end, mut stop) = (first_end, first_stop);
    for next in rest {
        if end.stopped_at.is_none() {
            // The parts after one that read to the end are not used.
            return true;
        }
        if stop != Some(next.part.start) || next.end.needs_context {
            return false;
        }
        (end, stop) = (next.end, next.part.stop);
    }
    true
}

/// [`fits`] for parts of which the first is the file's first.
pub fn fits_together(parts: &[ImportPart]) -> bool {
    match parts.split_first() {
        Some((first, rest)) => fits(first.end, first.part.stop, rest),
        None => true,
    }
}

/// Puts the parts of one file together, in order (the first starts at the file's start, and
/// [`fits`] said they fit). A part that did not stop where the next starts read to the end of the
/// file (or met a fatal problem): it is the last one used.
pub fn combine(parts: Vec<ImportPart>) -> FileImport {
    let mut parts = parts.into_iter();
    let Some(mut whole) = parts.next() else {
        return FileImport::empty("");
    };
    // The line and column where the next part starts.
    let mut start_line_column = (1, 1);
    while let Some(next) = parts.next() {
        let Some(stopped_at) = whole.end.stopped_at else {
            break;
        };
        start_line_column = shift(stopped_at, start_line_column);
        whole.absorb(next, start_line_column, parts.len() == 0);
    }
    whole.into_file()
}

/// A position counted from a part's start, as a position in the file, given where the part
/// starts in the file.
fn shift(
    (line, column): (usize, usize),
    (start_line, start_column): (usize, usize),
) -> (usize, usize) {
    if line == 1 {
        (start_line, start_column + column - 1)
    } else {
        (start_line + line - 1, column)
    }
}

impl ImportPart {
    /// Where this part started.
    pub fn start(&self) -> PartStart {
        self.part.start
    }

    /// Appends the next part, which starts at `start` (line and column in the file); `last`
    /// when no part follows it.
    fn absorb(&mut self, next: ImportPart, start: (usize, usize), last: bool) {
        let (records, good) = (self.records, self.good);
        let mut log = ErrorLog {
            file: self.name.clone(),
            listed: std::mem::take(&mut self.errors),
            count: self.error_count,
        };
        for (i, mut error) in next.errors.into_iter().enumerate() {
            error.record = error.record.map(|r| r + records);
            match (error.line, error.column) {
                (Some(line), Some(column)) => {
                    let (l, c) = shift((line, column), start);
                    error.line = Some(l);
                    error.column = Some(c);
                }
                (Some(line), None) => error.line = Some(shift((line, 1), start).0),
                _ => {}
            }
            if let Some((Some(index), text)) = &next.fatal_note {
                if *index == i {
                    self.fatal_note = Some((
                        (log.listed.len() < MAX_LISTED_ERRORS).then_some(log.listed.len()),
                        text.clone(),
                    ));
                }
            }
            if log.listed.len() < MAX_LISTED_ERRORS {
                log.listed.push(error);
            }
        }
        if let Some((None, text)) = &next.fatal_note {
            self.fatal_note = Some((None, text.clone()));
        }
        self.errors = log.listed;
        self.error_count = log.count + next.error_count;
        self.records += next.records;
        self.good = good + next.good;
        self.bad += next.bad;
        self.counts.add(next.counts);
        self.fatal = next.fatal;
        self.end = next.end;
        self.part.stop = next.part.stop;
        self.batch.append(next.batch, last);
    }

    /// The outcome of the file these parts make up.
    pub(crate) fn into_file(mut self) -> FileImport {
        if let Some((Some(index), text)) = &self.fatal_note {
            if self.good > 0 {
                if let Some(error) = self.errors.get_mut(*index) {
                    error.message = format!("{text}{}", read_before(self.good));
                }
            }
        }
        let kind = self.kind.unwrap_or_else(|| self.counts.kind());
        let mut error_count = self.error_count;
        if kind == FileKind::Unknown && self.kind.is_none() && !self.fatal && self.bad == 0 {
            error_count += 1;
            if self.errors.len() < MAX_LISTED_ERRORS {
                self.errors.push(ImportError {
                    file: self.name.clone(),
                    line: None,
                    column: None,
                    record: None,
                    message: "no records found: the file is valid JSON but holds no registration details or events."
                        .to_string(),
                });
            }
        }
        FileImport {
            name: self.name,
            kind,
            records: self.good,
            bad_records: self.bad,
            errors: self.errors,
            error_count,
            fatal: self.fatal,
            batch: self.batch,
        }
    }
}

/// " The N records before this point were read." for a file that stops being readable.
pub(crate) fn read_before(good: usize) -> String {
    if good == 1 {
        " The record before this point was read.".to_string()
    } else {
        format!(" The {good} records before this point were read.")
    }
}
