//! Reads one export file of any supported shape (spec §4) into a [`Batch`], with every problem
//! reported as a value (file, line or record, what was wrong). Never panics, whatever the bytes.

mod csv;
mod json;
mod scan;

use std::fmt;

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
    file: String,
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
/// a big file a slice at a time).
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

/// How far an [`ImportJob`] has read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ImportProgress {
    pub bytes_done: usize,
    pub bytes_total: usize,
    /// Good records read so far.
    pub records: usize,
    /// Bad records met so far.
    pub errors: usize,
}

enum Reader {
    Json(json::JsonJob),
    Csv(csv::CsvJob),
    /// Refused before reading (empty, binary).
    Refused(FileImport),
}

/// Reads one file a slice of records at a time, so a page can show progress and stay responsive
/// between slices; the outcome is exactly [`import_file`]'s.
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
    /// Where the content starts (after a byte-order mark).
    start: usize,
    reader: Reader,
}

impl<B: AsRef<[u8]>> ImportJob<B> {
    /// Checks the first bytes and picks the reader; nothing is read yet.
    pub fn new(name: &str, bytes: B) -> ImportJob<B> {
        let all = bytes.as_ref();
        let with_bom = all.starts_with(b"\xEF\xBB\xBF");
        let start = if with_bom { 3 } else { 0 };
        let content = &all[start..];
        let refuse = |message: &str| {
            let mut log = ErrorLog::new(name);
            log.push(None, None, None, message.to_string());
            Reader::Refused(FileImport {
                name: name.to_string(),
                kind: FileKind::Unknown,
                records: 0,
                bad_records: 0,
                errors: log.listed,
                error_count: log.count,
                fatal: true,
                batch: Batch::new(name),
            })
        };
        let head = &content[..content.len().min(8192)];
        let nul_bytes = head.iter().filter(|&&b| b == 0).count();
        let reader = match content.iter().position(|b| !b.is_ascii_whitespace()) {
            None => refuse("the file is empty."),
            // A UTF-8 byte-order mark declares text (our downloads carry one): NUL characters in
            // its cells are data, not the sign of a binary file.
            Some(_) if (!with_bom && nul_bytes * 100 > head.len()) || !is_cut_utf8(head) => refuse(
                "the file is binary, not a JSON or CSV export (is it a spreadsheet or an archive?).",
            ),
            Some(first) if matches!(content[first], b'{' | b'[') => {
                Reader::Json(json::JsonJob::new(name, content.len()))
            }
            Some(_) => Reader::Csv(csv::CsvJob::new(name, content)),
        };
        ImportJob {
            name: name.to_string(),
            bytes,
            start,
            reader,
        }
    }

    fn content(&self) -> &[u8] {
        &self.bytes.as_ref()[self.start..]
    }

    /// Reads about `max_records` more records; true when the file is finished.
    pub fn step(&mut self, max_records: usize) -> bool {
        let content = &self.bytes.as_ref()[self.start..];
        match &mut self.reader {
            Reader::Json(job) => job.step(content, max_records),
            Reader::Csv(job) => job.step(content, max_records),
            Reader::Refused(_) => true,
        }
    }

    /// How far the reading has come.
    pub fn progress(&self) -> ImportProgress {
        let content = self.content();
        let total = self.bytes.as_ref().len();
        let (done, (records, errors)) = match &self.reader {
            Reader::Json(job) => (job.position(content), job.records()),
            Reader::Csv(job) => (job.position(content), job.records()),
            Reader::Refused(_) => (content.len(), (0, 1)),
        };
        ImportProgress {
            bytes_done: (self.start + done).min(total),
            bytes_total: total,
            records,
            errors,
        }
    }

    /// The file's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The outcome (reads what is left first).
    pub fn finish(self) -> FileImport {
        let content = &self.bytes.as_ref()[self.start..];
        match self.reader {
            Reader::Json(job) => job.finish(&self.name, content),
            Reader::Csv(job) => job.finish(&self.name, content),
            Reader::Refused(file) => file,
        }
    }
}

/// True when `head` is valid UTF-8 except for a character cut at its end.
fn is_cut_utf8(head: &[u8]) -> bool {
    match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none(),
    }
}

/// How a JSON or CSV value reads as a boolean (spec §4 spellings).
pub(crate) fn parse_bool(text: &str) -> Option<bool> {
    let t = text.trim().to_ascii_lowercase();
    match t.as_str() {
        "true" | "yes" | "1" | "registered" | "enabled" | "capable" | "y" => Some(true),
        "false" | "no" | "0" | "not registered" | "not enabled" | "not capable" | "n"
        | "notregistered" | "notenabled" | "notcapable" => Some(false),
        _ => None,
    }
}
