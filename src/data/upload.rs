//! Uploads (spec §1 "offline", §4, §8): what the screen shows about each file while the ingest
//! workers read it and once they have, and whether the set may be loaded as it is. Pure rules,
//! host-tested; nothing here reads a file, sends a byte anywhere or parses on its own.

use crate::model::words::plural;
use crate::model::{Batch, FileImport, FileKind, ImportError};

/// Where one file stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FilePhase {
    /// In the queue.
    Waiting,
    /// Being read from disk and analysed by a worker (both at once, a chunk at a time).
    Reading,
    /// Analysed; see its records and errors.
    Analysed,
}

/// What the screen shows about one uploaded file.
#[derive(Clone, Debug, PartialEq)]
pub struct UploadRow {
    pub name: String,
    /// Bytes on disk.
    pub size: u64,
    pub phase: FilePhase,
    /// Bytes of the current phase done (read from disk, or analysed).
    pub done: u64,
    /// The record kind found (`FileKind`'s label), once analysed.
    pub kind: Option<String>,
    /// Good records read so far.
    pub records: usize,
    pub bad_records: usize,
    /// All problems (listed or not).
    pub error_count: usize,
    /// The listed problems, each with file and position (`ImportError`'s words).
    pub errors: Vec<String>,
    /// The file could not be read to its end (or not at all).
    pub fatal: bool,
}

impl UploadRow {
    pub fn new(name: &str, size: u64) -> UploadRow {
        UploadRow {
            name: name.to_string(),
            size,
            phase: FilePhase::Waiting,
            done: 0,
            kind: None,
            records: 0,
            bad_records: 0,
            error_count: 0,
            errors: Vec::new(),
            fatal: false,
        }
    }

    /// Takes over what the importer found.
    pub fn analysed(&mut self, file: &FileImport) {
        self.phase = FilePhase::Analysed;
        self.done = self.size;
        self.kind = Some(file.kind.to_string());
        self.records = file.records;
        self.bad_records = file.bad_records;
        self.error_count = file.error_count;
        self.errors = file.errors.iter().map(ToString::to_string).collect();
        self.fatal = file.fatal;
    }

    pub fn is_clean(&self) -> bool {
        self.phase == FilePhase::Analysed && self.error_count == 0
    }

    /// The current phase's share done, 0..=1.
    pub fn fraction(&self) -> f64 {
        match self.phase {
            FilePhase::Waiting => 0.0,
            FilePhase::Analysed => 1.0,
            FilePhase::Reading if self.size == 0 => 1.0,
            FilePhase::Reading => (self.done as f64 / self.size as f64).clamp(0.0, 1.0),
        }
    }

    /// What the file's status line says: `"Reading 45%"`, `"1,200 records, 2 problems"`…
    pub fn status(&self) -> String {
        use crate::components::format::count;
        let percent = (self.fraction() * 100.0).floor() as u32;
        let records = |n: usize| format!("{} {}", count(n), plural(n, "record", "records"));
        match self.phase {
            FilePhase::Waiting => "Waiting".to_string(),
            FilePhase::Reading => format!(
                "Reading and analysing {percent}% · {} read",
                records(self.records)
            ),
            FilePhase::Analysed if self.error_count == 0 => {
                format!("{} read", records(self.records))
            }
            FilePhase::Analysed if self.fatal && self.records == 0 => "Not loadable".to_string(),
            FilePhase::Analysed => format!(
                "{} read, {} {}{}",
                records(self.records),
                count(self.error_count),
                plural(self.error_count, "problem", "problems"),
                if self.fatal { "; cut off" } else { "" }
            ),
        }
    }
}

/// What may happen with a set of analysed files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Every file read without a problem: load them.
    LoadAll,
    /// Some files have problems. Nothing is loaded unless the user says so; this many good
    /// records would be loaded without the bad ones.
    AskFirst { good_records: usize },
    /// Problems and no good record: nothing can be loaded.
    NothingToLoad,
}

/// The verdict on analysed files (spec §8: good records of a partly bad file are loaded only if
/// the user says so).
///
/// ```
/// use sspr_insights::data::upload::{verdict, Verdict};
/// use sspr_insights::model::import_file;
/// let bad = import_file("cut.json", br#"{"value":[{"id":"1","userPrincipalName":"a@x","isSsprRegistered":true,"isSsprEnabled":true},"#);
/// assert_eq!(verdict(&[bad]), Verdict::AskFirst { good_records: 1 });
/// ```
pub fn verdict(files: &[FileImport]) -> Verdict {
    if files.iter().all(FileImport::is_clean) {
        return Verdict::LoadAll;
    }
    match files.iter().map(|f| f.records).sum() {
        0 => Verdict::NothingToLoad,
        good_records => Verdict::AskFirst { good_records },
    }
}

/// The batches to load: every file as it is, or (`without_bad_records`) the good records of each
/// file that has any, the bad ones and cut-off ends noted in the dataset's warnings. A file
/// without a single good record is left out.
pub fn batches(files: Vec<FileImport>, without_bad_records: bool) -> Vec<Batch> {
    files
        .into_iter()
        .filter(|f| f.is_clean() || (without_bad_records && f.records > 0))
        .map(|f| {
            if f.is_clean() {
                f.batch
            } else {
                f.into_batch_without_bad_records()
            }
        })
        .collect()
}

/// The batches of files that must load without asking (the bundled sample): a file that cannot
/// be read at all fails the whole load, with a message naming it and its first problems; problems
/// in an otherwise readable file are kept as notes.
///
/// ```
/// use sspr_insights::data::upload::readable_batches;
/// use sspr_insights::model::import_file;
/// let cut = import_file("cut.json", br#"{"value":[{"id":"1","isSsprRegistered":true,"isSsprEnabled":true},"#);
/// assert!(readable_batches(vec![cut]).unwrap_err().starts_with("cut.json could not be read."));
/// ```
pub fn readable_batches(files: Vec<FileImport>) -> Result<(Vec<Batch>, Vec<String>), String> {
    let mut batches = Vec::with_capacity(files.len());
    let mut notes = Vec::new();
    for file in files {
        if file.fatal {
            return Err(unreadable_file_message(&file.name, &file.errors));
        }
        if let Some(first) = file.errors.first() {
            notes.push(format!(
                "{} ({}): {} good records read; problems such as: {first}",
                file.name, file.kind, file.records
            ));
        }
        batches.push(file.batch);
    }
    Ok((batches, notes))
}

fn unreadable_file_message(name: &str, errors: &[ImportError]) -> String {
    let mut message = format!("{name} could not be read.");
    for error in errors.iter().take(3) {
        message.push(' ');
        message.push_str(&error.to_string());
        message.push('.');
    }
    if errors.len() > 3 {
        message.push_str(&format!(" (and {} more)", errors.len() - 3));
    }
    message
}

/// The outcome for a file the browser could not read from disk (moved, no permission, …): a
/// file with one problem and no records, like any other unreadable file.
///
/// ```
/// use sspr_insights::data::upload::unreadable_file;
/// let file = unreadable_file("users.json", "NotReadableError");
/// assert!(file.fatal && file.records == 0);
/// assert_eq!(file.errors[0].to_string(), "users.json: the file could not be read from disk (NotReadableError).");
/// ```
pub fn unreadable_file(name: &str, reason: &str) -> FileImport {
    FileImport {
        name: name.to_string(),
        kind: FileKind::Unknown,
        records: 0,
        bad_records: 0,
        errors: vec![ImportError {
            file: name.to_string(),
            line: None,
            column: None,
            record: None,
            message: format!("the file could not be read from disk ({reason})."),
        }],
        error_count: 1,
        fatal: true,
        batch: Batch::new(name),
    }
}

/// The largest file the app reads: positions in a file are 32-bit in the browser, and a bigger
/// export would not fit in its memory once read anyway.
pub const MAX_FILE_SIZE: u64 = 2 << 30;

/// The outcome for a file too large to read (`None` when it is not): refused before a byte is
/// read or any memory is set aside for it.
///
/// ```
/// use sspr_insights::data::upload::{file_too_large, MAX_FILE_SIZE};
/// assert!(file_too_large("ok.json", MAX_FILE_SIZE).is_none());
/// let refused = file_too_large("huge.json", 5_000_000_000).unwrap();
/// assert!(refused.errors[0].to_string().starts_with("huge.json: the file is 5.0 GB"));
/// ```
pub fn file_too_large(name: &str, size: u64) -> Option<FileImport> {
    (size > MAX_FILE_SIZE).then(|| {
        let mut file = unreadable_file(name, "");
        file.errors[0].message = format!(
            "the file is {}, larger than the {} this app reads at once; export a shorter period or split the file.",
            file_size(size),
            file_size(MAX_FILE_SIZE)
        );
        file
    })
}

/// A file size as people read it: `"812 bytes"`, `"12.3 KB"`, `"231 MB"` (1 KB = 1000 bytes, the
/// way file managers and the size budget count).
///
/// ```
/// use sspr_insights::data::upload::file_size;
/// assert_eq!(file_size(812), "812 bytes");
/// assert_eq!(file_size(12_345), "12.3 KB");
/// assert_eq!(file_size(231_000_000), "231 MB");
/// ```
pub fn file_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if bytes < 1000 {
        return format!("{bytes} {}", plural(bytes as usize, "byte", "bytes"));
    }
    let mut value = bytes as f64 / 1000.0;
    let mut unit = 0;
    while value >= 999.95 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    if value >= 100.0 {
        format!("{value:.0} {}", UNITS[unit])
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::import_file;

    const USERS: &[u8] = br#"{"value":[
{"id":"1","userPrincipalName":"a@x","userDisplayName":"A","isSsprRegistered":true,"isSsprEnabled":true,"methodsRegistered":["email"]},
{"id":"2","userPrincipalName":"b@x","userDisplayName":"B","isSsprRegistered":false,"isSsprEnabled":true,"methodsRegistered":[]}
]}"#;

    #[test]
    fn clean_files_are_loaded_without_asking() {
        let files = vec![import_file("users.json", USERS)];
        assert_eq!(verdict(&files), Verdict::LoadAll);
        let batches = batches(files, false);
        assert_eq!(batches.len(), 1);
        assert_eq!(batches[0].user_count(), 2);
    }

    #[test]
    fn a_truncated_file_is_not_loaded_unless_the_user_accepts_its_good_records() {
        let cut = &USERS[..USERS.len() - 60];
        let files = vec![
            import_file("users.json", USERS),
            import_file("cut.json", cut),
        ];
        assert_eq!(verdict(&files), Verdict::AskFirst { good_records: 3 });
        let mut row = UploadRow::new("cut.json", cut.len() as u64);
        row.analysed(&files[1]);
        assert!(row.fatal && !row.is_clean());
        assert!(
            row.errors[0].starts_with("cut.json, line 3"),
            "{:?}",
            row.errors
        );
        let loaded = batches(files, true);
        assert_eq!(loaded.len(), 2);
        assert_eq!(loaded[1].user_count(), 1);
    }

    #[test]
    fn files_without_a_good_record_are_left_out_and_nothing_is_loadable_from_them_alone() {
        let files = vec![import_file("notes.txt", b"\x00\x01\x02\x03binary")];
        assert_eq!(verdict(&files), Verdict::NothingToLoad);
        assert!(batches(files, true).is_empty());
    }

    #[test]
    fn a_row_tells_its_phase_and_outcome() {
        let mut row = UploadRow::new("events.ndjson", 2_000);
        assert_eq!(row.status(), "Waiting");
        row.phase = FilePhase::Reading;
        row.done = 1_000;
        row.records = 1_234;
        assert_eq!(
            row.status(),
            "Reading and analysing 50% · 1,234 records read"
        );
        row.analysed(&import_file("users.json", USERS));
        assert_eq!(row.status(), "2 records read");
        assert_eq!(row.fraction(), 1.0);
    }

    #[test]
    fn sizes_read_like_a_file_manager() {
        assert_eq!(file_size(0), "0 bytes");
        assert_eq!(file_size(1), "1 byte");
        assert_eq!(file_size(1_000), "1.0 KB");
        assert_eq!(file_size(999_999), "1.0 MB");
        assert_eq!(file_size(84_800_000), "84.8 MB");
        assert_eq!(file_size(3_000_000_000), "3.0 GB");
    }
}
