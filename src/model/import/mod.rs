//! Reads one export file of any supported shape (spec §4) into a [`Batch`], with every problem
//! reported as a value (file, line or record, what was wrong). Never panics, whatever the bytes.

mod audit_csv;
mod csv;
mod json;
pub mod part;
mod scan;

use std::fmt;

pub use part::{combine, fits, ImportPart, Part, PartStart};
use part::{KindCounts, PartEnd};

use super::batch::Batch;

/// At most this many errors are listed per file; the rest are counted.
pub const MAX_LISTED_ERRORS: usize = 50;

/// What a file turned out to hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// Graph `userRegistrationDetails` (v1.0 or beta).
    UserRegistrationDetails,
    /// Legacy beta `credentialUserRegistrationDetails`.
    CredentialUserRegistrationDetails,
    /// Graph beta `userEventsSummary`.
    UserEventsSummary,
    /// Legacy beta `userCredentialUsageDetails`.
    UserCredentialUsageDetails,
    /// Users and events in one JSON file.
    MixedJson,
    /// A CSV of registration details (ours or the portal's).
    RegistrationCsv,
    /// A CSV of registration and reset events (ours or the portal's).
    ActivityCsv,
    /// Nothing usable could be read.
    Unknown,
    /// Graph `directoryAudit` records (the portal's JSON download of the audit log).
    DirectoryAudits,
    /// The portal's audit-log CSV download.
    AuditLogCsv,
    /// A Log Analytics `AuditLogs` export as JSON.
    LogAnalyticsAuditJson,
    /// A Log Analytics `AuditLogs` export as CSV.
    LogAnalyticsAuditCsv,
    /// Graph's member pages of a group (`/members`, `/transitiveMembers`): a what-if input.
    GroupMembers,
    /// The portal's download of a group's members: a what-if input.
    GroupMembersCsv,
    /// Graph's `authenticationMethodsPolicy`: a what-if input.
    AuthenticationMethodsPolicy,
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FileKind::UserRegistrationDetails => "userRegistrationDetails (JSON)",
            FileKind::CredentialUserRegistrationDetails => {
                "credentialUserRegistrationDetails (legacy JSON)"
            }
            FileKind::UserEventsSummary => "userEventsSummary (JSON)",
            FileKind::UserCredentialUsageDetails => "userCredentialUsageDetails (legacy JSON)",
            FileKind::MixedJson => "registration details and events (JSON)",
            FileKind::RegistrationCsv => "registration details (CSV)",
            FileKind::ActivityCsv => "registration and reset events (CSV)",
            FileKind::Unknown => "not recognised",
            FileKind::DirectoryAudits => "directoryAudits, the audit log (JSON)",
            FileKind::AuditLogCsv => "audit log (CSV)",
            FileKind::LogAnalyticsAuditJson => "Log Analytics AuditLogs (JSON)",
            FileKind::LogAnalyticsAuditCsv => "Log Analytics AuditLogs (CSV)",
            FileKind::GroupMembers => "group members (JSON)",
            FileKind::GroupMembersCsv => "group members (CSV)",
            FileKind::AuthenticationMethodsPolicy => "authenticationMethodsPolicy (JSON)",
        })
    }
}

/// One problem in one file, with where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportError {
    pub file: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// 1-based number of the record in the file.
    pub record: Option<usize>,
    pub message: String,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ", line {line}")?;
            if let Some(column) = self.column {
                write!(f, ", column {column}")?;
            }
        }
        if let Some(record) = self.record {
            write!(f, ", record {record}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// The outcome of reading one file.
#[derive(Clone, Debug)]
pub struct FileImport {
    pub name: String,
    pub kind: FileKind,
    /// Good records read.
    pub records: usize,
    /// Bad records (each has an error, listed up to [`MAX_LISTED_ERRORS`]).
    pub bad_records: usize,
    /// The listed errors.
    pub errors: Vec<ImportError>,
    /// All errors, listed or not.
    pub error_count: usize,
    /// The file could not be read to its end (not JSON or CSV, truncated, binary…).
    pub fatal: bool,
    /// The good records.
    pub batch: Batch,
}

impl FileImport {
    /// A file with nothing in it and nothing wrong (what no parts at all make up).
    pub(crate) fn empty(name: &str) -> FileImport {
        FileImport {
            name: name.to_string(),
            kind: FileKind::Unknown,
            records: 0,
            bad_records: 0,
            errors: Vec::new(),
            error_count: 0,
            fatal: false,
            batch: Batch::new(name),
        }
    }

    /// No error at all: safe to load as it is.
    pub fn is_clean(&self) -> bool {
        self.error_count == 0
    }

    /// The good records, accepting that the bad ones are left out (noted in the warnings, as is
    /// a file that was cut off: its records after the cut are missing).
    pub fn into_batch_without_bad_records(self) -> Batch {
        let mut batch = self.batch;
        batch.note_skipped(self.bad_records);
        if self.fatal {
            batch.note_cut_off();
        }
        batch
    }
}

/// Collects errors for one file, listing the first ones and counting the rest.
pub(crate) struct ErrorLog {
    pub file: String,
    pub listed: Vec<ImportError>,
    pub count: usize,
}

impl ErrorLog {
    pub fn new(file: &str) -> Self {
        ErrorLog {
            file: file.to_string(),
            listed: Vec::new(),
            count: 0,
        }
    }

    pub fn push(
        &mut self,
        line: Option<usize>,
        column: Option<usize>,
        record: Option<usize>,
        message: String,
    ) {
        self.count += 1;
        if self.listed.len() < MAX_LISTED_ERRORS {
            self.listed.push(ImportError {
                file: self.file.clone(),
                line,
                column,
                record,
                message,
            });
        }
    }
}

/// Reads one file, detecting its format and record kind (all at once; see [`ImportJob`] to read
/// it a slice of records at a time, and [`StreamImport`] to read it from chunks).
///
/// ```
/// use sspr_insights::model::import_file;
/// let page = br#"{"value":[{"id":"1","userPrincipalName":"a@x","userDisplayName":"A",
///   "isSsprRegistered":true,"isSsprEnabled":true,"isSsprCapable":true,"methodsRegistered":["email"]}]}"#;
/// let file = import_file("users.json", page);
/// assert!(file.is_clean());
/// assert_eq!(file.records, 1);
/// ```
pub fn import_file(name: &str, bytes: &[u8]) -> FileImport {
    ImportJob::new(name, bytes).finish()
}

/// How far an import has read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ImportProgress {
    pub bytes_done: usize,
    pub bytes_total: usize,
    /// Good records read so far.
    pub records: usize,
    /// Bad records met so far.
    pub errors: usize,
}

/// The bytes at the start of a file that decide how it is read (format, binary or not).
const HEAD: usize = 8192;

/// The reader a file needs.
enum Reader {
    Json(json::JsonReader),
    Csv(csv::CsvJob),
    /// Refused before reading (empty, binary).
    Refused(ImportPart),
}

/// What the first bytes of a file say about it.
enum Verdict {
    Json,
    Csv,
    Refused(&'static str),
}

/// The byte-order mark's length at the start of `head` (0 or 3).
fn bom_length(head: &[u8]) -> usize {
    if head.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    }
}

/// Judges a file by its first bytes (at least [`HEAD`] of them, or all of a shorter file).
fn judge(head: &[u8]) -> Verdict {
    let bom = bom_length(head);
    let content = &head[bom..];
    let head = &content[..content.len().min(HEAD)];
    let nul_bytes = head.iter().filter(|&&b| b == 0).count();
    match content.iter().position(|b| !b.is_ascii_whitespace()) {
        None => Verdict::Refused("the file is empty."),
        // A UTF-8 byte-order mark declares text (our downloads carry one): NUL characters in
        // its cells are data, not the sign of a binary file.
        Some(_) if (bom == 0 && nul_bytes * 100 > head.len()) || !is_cut_utf8(head) => {
            Verdict::Refused(
                "the file is binary, not a JSON or CSV export (is it a spreadsheet or an archive?).",
            )
        }
        Some(first) if matches!(content[first], b'{' | b'[') => Verdict::Json,
        Some(_) => Verdict::Csv,
    }
}

impl Reader {
    /// The reader for a file from its start (`all` holds at least its first [`HEAD`] bytes, or
    /// the whole file: `whole`), up to `stop` (where the next part starts, when there is one).
    fn for_file(
        name: &str,
        all: &[u8],
        whole: bool,
        stop: Option<PartStart>,
        size_hint: Option<usize>,
    ) -> Reader {
        let content = bom_length(all);
        match judge(all) {
            Verdict::Refused(message) => Reader::Refused(refused(name, message)),
            Verdict::Json => {
                let mut json = json::JsonReader::new(
                    name,
                    Part {
                        start: PartStart::File { content },
                        stop,
                    },
                );
                if let Some(bytes) = size_hint {
                    json.set_size_hint(bytes);
                }
                Reader::Json(json)
            }
            Verdict::Csv if whole => Reader::Csv(csv::CsvJob::new(name, &all[content..])),
            // A CSV is read once it is all there (see `StreamImport::finish`).
            Verdict::Csv => Reader::Csv(csv::CsvJob::pending(name)),
        }
    }
}

fn refused(name: &str, message: &str) -> ImportPart {
    let mut log = ErrorLog::new(name);
    log.push(None, None, None, message.to_string());
    ImportPart {
        name: name.to_string(),
        part: Part::whole(0),
        kind: Some(FileKind::Unknown),
        counts: KindCounts::default(),
        records: 0,
        good: 0,
        bad: 0,
        errors: log.listed,
        error_count: log.count,
        fatal: true,
        fatal_note: None,
        end: PartEnd::default(),
        batch: Batch::new(name),
    }
}

/// Reads one file held whole in memory, a slice of records at a time, so a caller can show
/// progress between slices; the outcome is exactly [`import_file`]'s.
///
/// ```
/// use sspr_insights::model::import::ImportJob;
/// let text = b"Date,Feature,Status\n2026-11-20T10:00:00Z,Reset,Success\n2026-11-20T11:00:00Z,Reset,Failure\n";
/// let mut job = ImportJob::new("activity.csv", &text[..]);
/// assert!(!job.step(1));
/// assert_eq!(job.progress().records, 1);
/// let file = job.finish();
/// assert_eq!(file.records, 2);
/// ```
pub struct ImportJob<B: AsRef<[u8]>> {
    name: String,
    bytes: B,
    reader: Reader,
}

impl<B: AsRef<[u8]>> ImportJob<B> {
    /// Checks the first bytes and picks the reader; nothing is read yet.
    pub fn new(name: &str, bytes: B) -> ImportJob<B> {
        let all = bytes.as_ref();
        let reader = Reader::for_file(name, all, true, None, Some(all.len()));
        ImportJob {
            name: name.to_string(),
            bytes,
            reader,
        }
    }

    /// Reads about `max_records` more records; true when the file is finished.
    pub fn step(&mut self, max_records: usize) -> bool {
        let window = json::Window {
            bytes: self.bytes.as_ref(),
            base: 0,
            eof: true,
        };
        let content = &window.bytes[bom_length(window.bytes)..];
        match &mut self.reader {
            Reader::Json(reader) => {
                reader.read(window, max_records);
                reader.is_done()
            }
            Reader::Csv(job) => job.step(content, max_records),
            Reader::Refused(_) => true,
        }
    }

    /// How far the reading has come.
    pub fn progress(&self) -> ImportProgress {
        let all = self.bytes.as_ref();
        let start = bom_length(all);
        let (done, (records, errors)) = match &self.reader {
            Reader::Json(reader) => (reader.position(), reader.records()),
            Reader::Csv(job) => (start + job.position(&all[start..]), job.records()),
            Reader::Refused(_) => (all.len(), (0, 1)),
        };
        ImportProgress {
            bytes_done: done.min(all.len()),
            bytes_total: all.len(),
            records,
            errors,
        }
    }

    /// The file's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The outcome (reads what is left first).
    pub fn finish(mut self) -> FileImport {
        while !self.step(usize::MAX) {}
        let all = self.bytes.as_ref();
        match self.reader {
            Reader::Json(reader) => reader.into_part().into_file(),
            Reader::Csv(job) => job.into_part(&all[bom_length(all)..]).into_file(),
            Reader::Refused(part) => part.into_file(),
        }
    }
}

/// Reads a file, or one part of it, from chunks as they arrive (a worker reading it from disk):
/// records are read as soon as they are whole, and the bytes behind them are dropped, so the
/// file is never held whole (a CSV is: it is read once all of it is there).
///
/// ```
/// use sspr_insights::model::import::{Part, StreamImport};
/// let page = br#"{"value":[{"id":"1","userPrincipalName":"a@x","isSsprRegistered":true,"isSsprEnabled":false}]}"#;
/// let mut stream = StreamImport::new("users.json", Part::whole(0));
/// for chunk in page.chunks(7) {
///     stream.feed(chunk);
/// }
/// let file = stream.finish();
/// assert!(file.is_clean());
/// assert_eq!(file.records, 1);
/// ```
pub struct StreamImport {
    name: String,
    part: Part,
    /// The part's size when known (see [`StreamImport::with_size_hint`]).
    size_hint: Option<usize>,
    reader: Option<Reader>,
    /// The bytes held, `buffer[..held]`: the file from offset `base`. What is past them is
    /// room written before, so that feeding writes over it instead of zeroing room each time.
    buffer: Vec<u8>,
    held: usize,
    base: usize,
}

impl StreamImport {
    /// A reader for `part` of a file; its bytes are fed from the part's start (from offset 0 for
    /// the file's first part).
    pub fn new(name: &str, part: Part) -> StreamImport {
        let base = part.start.fed_from();
        let reader =
            (!part.start.is_file()).then(|| Reader::Json(json::JsonReader::new(name, part)));
        StreamImport {
            name: name.to_string(),
            part,
            size_hint: None,
            reader,
            buffer: Vec::new(),
            held: 0,
            base,
        }
    }

    /// Tells how many bytes the part holds (from its start to the file's end is fine): its
    /// columns are then sized once instead of growing.
    pub fn with_size_hint(mut self, bytes: usize) -> StreamImport {
        self.size_hint = Some(bytes);
        if let Some(Reader::Json(reader)) = &mut self.reader {
            reader.set_size_hint(bytes);
        }
        self
    }

    /// The reader of the file's first part, once its head is here (the head says which), with
    /// the size hint given before.
    fn open_first_part(&mut self) {
        self.reader = Some(Reader::for_file(
            &self.name,
            &self.buffer[..self.held],
            false,
            self.part.stop,
            self.size_hint,
        ));
    }

    /// The next bytes of the file; reads every record they complete.
    pub fn feed(&mut self, chunk: &[u8]) {
        self.feed_with(chunk.len(), |room| room.copy_from_slice(chunk));
    }

    /// The next `len` bytes of the file, written by `fill` straight into the reader's buffer
    /// (a worker copies them there from the browser's buffer, with no copy between). `fill`
    /// writes the whole room it is given: the room holds older bytes, not zeros (zeroing a
    /// megabyte for each read cost as much as 9 % of the instructions of reading events).
    pub fn feed_with(&mut self, len: usize, fill: impl FnOnce(&mut [u8])) {
        let (at, end) = (self.held, self.held + len);
        if self.buffer.len() < end {
            self.buffer.resize(end, 0);
        }
        fill(&mut self.buffer[at..end]);
        self.held = end;
        if self.reader.is_none() {
            if self.held < HEAD + 3 {
                return;
            }
            self.open_first_part();
        }
        self.read(false);
    }

    fn read(&mut self, eof: bool) {
        let Some(Reader::Json(reader)) = &mut self.reader else {
            return;
        };
        let window = json::Window {
            bytes: &self.buffer[..self.held],
            base: self.base,
            eof,
        };
        reader.read(window, usize::MAX);
        let keep = reader.keep_from().min(self.base + self.held);
        // Drop what is behind (a record or so is kept: moving it is cheap).
        if keep > self.base && (eof || keep - self.base >= self.held / 2) {
            reader.forget_before(window, keep);
            self.buffer.copy_within(keep - self.base..self.held, 0);
            self.held -= keep - self.base;
            self.base = keep;
        }
    }

    /// The part reached the start of the next part exactly: feeding more changes nothing (see
    /// [`part::combine`]).
    pub fn is_stopped(&self) -> bool {
        matches!(&self.reader, Some(Reader::Json(r)) if r.is_stopped())
    }

    /// The part passed the next part's start without a boundary there: it must be fed to the end
    /// of the file.
    pub fn missed_stop(&self) -> bool {
        matches!(&self.reader, Some(Reader::Json(r)) if r.missed_stop())
    }

    /// Whether the parts read after this one (the file's first part) can be put together with
    /// it ([`part::fits`]); if not, this part reads on ([`StreamImport::read_on`]) instead.
    pub fn fits(&self, rest: &[ImportPart]) -> bool {
        let end = match &self.reader {
            Some(Reader::Json(reader)) => reader.end(),
            _ => PartEnd::default(),
        };
        part::fits(end, self.part.stop, rest)
    }

    /// A part that stopped reads on past its stop, to the end of the file, as if it had never
    /// been told to stop.
    pub fn read_on(&mut self) {
        if let Some(Reader::Json(reader)) = &mut self.reader {
            reader.read_on();
        }
        self.part.stop = None;
    }

    /// Good and bad records read so far.
    pub fn records(&self) -> (usize, usize) {
        match &self.reader {
            Some(Reader::Json(reader)) => reader.records(),
            Some(Reader::Csv(_)) | None => (0, 0),
            Some(Reader::Refused(_)) => (0, 1),
        }
    }

    /// What this part gave; the bytes fed so far are all there is (the end of the file, or of
    /// the part when it stopped).
    pub fn finish_part(mut self) -> ImportPart {
        if self.reader.is_none() {
            self.open_first_part();
        }
        self.read(true);
        match self.reader {
            Some(Reader::Json(reader)) => reader.into_part(),
            Some(Reader::Csv(_)) => {
                let held = &self.buffer[..self.held];
                let content = bom_length(held);
                csv::CsvJob::new(&self.name, &held[content..]).into_part(&held[content..])
            }
            Some(Reader::Refused(part)) => part,
            None => refused(&self.name, "the file is empty."),
        }
    }

    /// The outcome of a whole file read as one part.
    pub fn finish(self) -> FileImport {
        self.finish_part().into_file()
    }
}

/// True when `head` is valid UTF-8 except for a character cut at its end.
fn is_cut_utf8(head: &[u8]) -> bool {
    match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page of `n` Graph events.
    fn events_page(n: usize) -> Vec<u8> {
        let records: Vec<String> = (0..n)
            .map(|i| {
                format!(
                    r#"{{"id":"{i}","feature":"reset","userPrincipalName":"u{i}@x","isSuccess":true,"authMethod":"sms","eventDateTime":"2026-11-20T10:00:00Z"}}"#
                )
            })
            .collect();
        format!(r#"{{"value":[{}]}}"#, records.join(",")).into_bytes()
    }

    #[test]
    fn a_first_parts_size_hint_sizes_its_columns_once() {
        let n = 10_000;
        let page = events_page(n);
        let read = |hint: Option<usize>| {
            let mut stream = StreamImport::new("events.json", Part::whole(0));
            if let Some(bytes) = hint {
                stream = stream.with_size_hint(bytes);
            }
            for chunk in page.chunks(4096) {
                stream.feed(chunk);
            }
            stream.finish_part().batch
        };
        let (sized, grown) = (read(Some(page.len())), read(None));
        assert_eq!(sized.events.len(), n);
        assert_eq!(
            sized.events.time, grown.events.time,
            "the same events either way"
        );
        assert_eq!(sized.events.id, grown.events.id);
        // Sized from the first records' bytes with a sixteenth to spare, not doubled past n.
        let capacity = sized.events.time.capacity();
        assert!((n..n + n / 10).contains(&capacity), "{capacity}");
        assert!(
            grown.events.time.capacity() >= 2 * 8192,
            "without the hint it grows"
        );
    }
}
