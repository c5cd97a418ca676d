//! CSV: our own downloads and the portal's downloads of the same two lists. Headers are matched
//! case-insensitively, booleans and methods in every spelling of spec §4, the formula guard removed.

use super::audit_csv::AuditColumns;
use super::part::{ImportPart, KindCounts, Part, PartEnd};
use super::{ErrorLog, FileKind};
use crate::model::batch::{Batch, EventInput, Feature, Status, UserInput, UserType};
use crate::model::export::{split_method_list, unguard};
use crate::model::mfa::MfaInput;
use crate::model::policy::{MemberKind, MemberRow};
use crate::model::time::parse_time;
use crate::model::words::parse_yes_no;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Column {
    Id,
    Name,
    UserName,
    Registered,
    Enabled,
    Capable,
    Methods,
    UserType,
    Admin,
    LastUpdated,
    Date,
    Feature,
    Method,
    Status,
    FailureReason,
    /// A group member's object type (the portal's members download).
    MemberType,
    MfaRegistered,
    MfaCapable,
    PasswordlessCapable,
    SystemPreferred,
    SystemPreferredMethods,
    DefaultMfaMethod,
    PreferredMfaMethod,
}

/// How many columns we read.
const COLUMNS: usize = Column::PreferredMfaMethod as usize + 1;

fn column_of(header: &str) -> Option<Column> {
    let h = header.trim().trim_matches('"').trim().to_lowercase();
    Some(match h.as_str() {
        "id" | "object id" | "objectid" | "user id" | "userid" | "event id" => Column::Id,
        "name" | "display name" | "user display name" | "userdisplayname" | "user" => Column::Name,
        "user name" | "username" | "user principal name" | "userprincipalname" | "upn" => {
            Column::UserName
        }
        "registered"
        | "sspr registered"
        | "isssprregistered"
        | "isregistered"
        | "registration status" => Column::Registered,
        "enabled" | "sspr enabled" | "isssprenabled" | "isenabled" | "enabled status" => {
            Column::Enabled
        }
        "capable" | "sspr capable" | "isssprcapable" | "iscapable" | "capable status" => {
            Column::Capable
        }
        "methods" | "methods registered" | "methodsregistered" | "authmethods"
        | "registered methods" => Column::Methods,
        "user type" | "usertype" => Column::UserType,
        "admin" | "is admin" | "isadmin" => Column::Admin,
        "last updated" | "last updated time" | "lastupdateddatetime" | "last updated (utc)" => {
            Column::LastUpdated
        }
        "date" | "date (utc)" | "eventdatetime" | "event date" | "time" | "date/time" => {
            Column::Date
        }
        "feature" => Column::Feature,
        "method" | "method used" | "authentication method" | "authmethod" => Column::Method,
        "status" | "result" | "issuccess" => Column::Status,
        "failure reason" | "reason for failure" | "failurereason" | "reason" => {
            Column::FailureReason
        }
        "member type" | "membertype" | "object type" | "objecttype" => Column::MemberType,
        "mfa registered" | "ismfaregistered" => Column::MfaRegistered,
        "mfa capable" | "ismfacapable" => Column::MfaCapable,
        "passwordless capable" | "ispasswordlesscapable" => Column::PasswordlessCapable,
        "system-preferred mfa"
        | "system preferred mfa"
        | "system-preferred mfa enabled"
        | "system preferred mfa enabled"
        | "issystempreferredauthenticationmethodenabled" => Column::SystemPreferred,
        "system-preferred methods"
        | "system preferred methods"
        | "system-preferred mfa method"
        | "system preferred mfa method"
        | "systempreferredauthenticationmethods" => Column::SystemPreferredMethods,
        "default mfa method" | "defaultmfamethod" => Column::DefaultMfaMethod,
        "preferred mfa method"
        | "preferred method for secondary authentication"
        | "userpreferredmethodforsecondaryauthentication" => Column::PreferredMfaMethod,
        _ => return None,
    })
}

/// The delimiter of the header line: `,` unless `;` or a tab is clearly meant.
fn delimiter(bytes: &[u8]) -> u8 {
    let line_end = memchr::memchr(b'\n', bytes).unwrap_or(bytes.len());
    let line = &bytes[..line_end];
    let count = |c: u8| line.iter().filter(|&&b| b == c).count();
    let (commas, semicolons, tabs) = (count(b','), count(b';'), count(b'\t'));
    if tabs > commas && tabs >= semicolons {
        b'\t'
    } else if semicolons > commas {
        b';'
    } else {
        b','
    }
}

/// Reads a CSV a slice of rows at a time (see [`super::ImportJob`]); the same result as reading
/// it in one go.
pub(super) struct CsvJob {
    log: ErrorLog,
    batch: Batch,
    kind: FileKind,
    fatal: bool,
    delimiter: u8,
    columns: Vec<Option<Column>>,
    /// The cell of each column we read (the first of its name), found once from the header so
    /// that a row costs the same however wide the file is.
    cell_of: [Option<usize>; COLUMNS],
    ambiguous_names: bool,
    /// Where the next row starts, and its line number.
    pos: usize,
    line: u64,
    done: bool,
    good: usize,
    bad: usize,
    record_no: usize,
    /// The columns of an audit-log CSV (spec §4.3), when the file is one.
    audit: Option<Box<AuditColumns>>,
}

impl CsvJob {
    /// Reads the header line and decides what the file holds.
    pub(super) fn new(name: &str, bytes: &[u8]) -> CsvJob {
        let delimiter = delimiter(bytes);
        let mut job = CsvJob {
            log: ErrorLog::new(name),
            batch: Batch::new(name),
            kind: FileKind::Unknown,
            fatal: true,
            delimiter,
            columns: Vec::new(),
            cell_of: [None; COLUMNS],
            ambiguous_names: false,
            pos: 0,
            line: 1,
            done: true,
            good: 0,
            bad: 0,
            record_no: 0,
            audit: None,
        };
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .has_headers(false)
            .from_reader(bytes);
        let mut headers = csv::StringRecord::new();
        match reader.read_record(&mut headers) {
            Ok(true) => {}
            Ok(false) => return job,
            Err(e) => {
                job.log.push(
                    Some(1),
                    None,
                    None,
                    format!("the header line could not be read: {}.", csv_error_text(&e)),
                );
                return job;
            }
        }
        // An audit log's `Date (UTC)` and `Result` would read as an activity CSV's: it goes first.
        match AuditColumns::detect(headers.iter()) {
            Some(Ok((kind, columns))) => {
                job.kind = kind;
                job.audit = Some(Box::new(columns));
                job.fatal = false;
                job.done = false;
                job.pos = reader.position().byte() as usize;
                job.line = reader.position().line();
                return job;
            }
            Some(Err(message)) => {
                job.log.push(Some(1), None, None, message);
                return job;
            }
            None => {}
        }
        job.columns = headers.iter().map(column_of).collect();
        for (i, column) in job.columns.iter().enumerate() {
            if let Some(column) = column {
                job.cell_of[*column as usize].get_or_insert(i);
            }
        }
        job.ambiguous_names = headers
            .iter()
            .any(|h| h.trim().eq_ignore_ascii_case("user"));
        let has = |c: Column| job.columns.contains(&Some(c));
        let kind = if has(Column::Date) && (has(Column::Feature) || has(Column::Status)) {
            FileKind::ActivityCsv
        } else if has(Column::Registered) || has(Column::Capable) || has(Column::Enabled) {
            FileKind::RegistrationCsv
        } else if has(Column::Id) || has(Column::UserName) {
            // Users without registration state: a group's member list (a what-if input).
            FileKind::GroupMembersCsv
        } else {
            let shown: Vec<String> = headers
                .iter()
                .take(8)
                .map(|h| format!("\u{201c}{h}\u{201d}"))
                .collect();
            job.log.push(
                Some(1),
                None,
                None,
                format!(
                    "not a JSON or CSV export this app knows: the first line ({}) is not the header of registration details (Registered, Enabled, Capable…), of events (Date, Feature, Status…) or of a group member list (Object ID, User principal name…).",
                    shown.join(", ")
                ),
            );
            return job;
        };
        if kind == FileKind::RegistrationCsv && !(has(Column::Registered) && has(Column::Enabled)) {
            job.log.push(
                Some(1),
                None,
                None,
                "the registration CSV needs both a Registered and an Enabled column.".to_string(),
            );
            return job;
        }
        job.kind = kind;
        job.fatal = false;
        job.done = false;
        job.pos = reader.position().byte() as usize;
        job.line = reader.position().line();
        job
    }

    pub(super) fn position(&self, bytes: &[u8]) -> usize {
        if self.done {
            bytes.len()
        } else {
            self.pos
        }
    }

    pub(super) fn records(&self) -> (usize, usize) {
        (self.good, self.bad)
    }

    /// Reads up to `max` more rows of `bytes` (the same bytes every call); true when finished.
    pub(super) fn step(&mut self, bytes: &[u8], max: usize) -> bool {
        if self.done {
            return true;
        }
        let base = self.pos;
        let rest = &bytes[base.min(bytes.len())..];
        // A reader drops a byte-order mark at its start: one that starts a row after the first
        // step belongs to that row (as in one go), so the reader then starts with a line break
        // of its own, taken off the positions below.
        let shift = usize::from(base > 0 && rest.starts_with(b"\xEF\xBB\xBF"));
        // (The reader skips that empty line without counting it in a record's line.)
        let base_line = self.line;
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(self.delimiter)
            .flexible(true)
            .has_headers(false)
            .from_reader(std::io::Read::chain(&b"\n"[..shift], rest));
        let at_line = |line: u64| (base_line + line - 1) as usize;
        // After a CRLF the reader stops at the `\n`, and counts its line only once it reads on:
        // a record that starts there is on the next line.
        let line_of = |p: &csv::Position| {
            let after_crlf = (p.byte() as usize)
                .checked_sub(shift)
                .and_then(|i| rest.get(i))
                == Some(&b'\n');
            at_line(p.line() + after_crlf as u64)
        };
        let mut row = csv::StringRecord::new();
        let mut read = 0;
        while read < max.max(1) {
            match reader.read_record(&mut row) {
                Ok(false) => {
                    self.done = true;
                    break;
                }
                Ok(true) => {}
                Err(e) => {
                    self.record_no += 1;
                    self.bad += 1;
                    read += 1;
                    let line = e.position().map(line_of);
                    self.log.push(
                        line,
                        None,
                        Some(self.record_no),
                        format!("the row could not be read: {}.", csv_error_text(&e)),
                    );
                    if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                        self.done = true;
                        break;
                    }
                    continue;
                }
            }
            let line = row.position().map(line_of);
            if row.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            read += 1;
            self.record_no += 1;
            let row = Row {
                cell_of: &self.cell_of,
                cells: &row,
                ambiguous_names: self.ambiguous_names,
            };
            let outcome = match (&self.audit, self.kind) {
                (Some(audit), _) => audit.read_row(row.cells, &mut self.batch),
                (None, FileKind::ActivityCsv) => read_event(&row, &mut self.batch).map(|()| true),
                (None, FileKind::GroupMembersCsv) => {
                    read_member(&row, &mut self.batch).map(|()| true)
                }
                (None, _) => read_user(&row, &mut self.batch).map(|()| true),
            };
            match outcome {
                Ok(true) => self.good += 1,
                // A row of another service: skipped and counted, not an error.
                Ok(false) => {}
                Err(message) => {
                    self.bad += 1;
                    self.log.push(line, None, Some(self.record_no), message);
                }
            }
        }
        let position = reader.position();
        self.pos = base + (position.byte() as usize).saturating_sub(shift);
        self.line = base_line + position.line() - 1 - shift as u64;
        self.done
    }

    /// A job for a CSV whose bytes are not all there yet (it is created again once they are).
    pub(super) fn pending(name: &str) -> CsvJob {
        CsvJob::new(name, b"")
    }

    /// The outcome; reads whatever is left first.
    pub(super) fn into_part(mut self, bytes: &[u8]) -> ImportPart {
        while !self.step(bytes, usize::MAX / 2) {}
        if !self.fatal && self.good == 0 && self.bad == 0 && self.batch.audit_other_services() == 0
        {
            self.log.push(
                None,
                None,
                None,
                "the CSV has a header but no rows.".to_string(),
            );
        }
        ImportPart {
            name: self.log.file.clone(),
            part: Part::whole(0),
            kind: Some(self.kind),
            counts: KindCounts::default(),
            records: self.record_no,
            good: self.good,
            bad: self.bad,
            error_count: self.log.count,
            errors: self.log.listed,
            fatal: self.fatal,
            fatal_note: None,
            end: PartEnd::default(),
            batch: self.batch,
        }
    }
}

fn csv_error_text(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "it is not valid UTF-8 text".to_string(),
        _ => e.to_string(),
    }
}

/// Picks the user name and the display name, swapping them when the columns were named the
/// other way round (one export's "User" is another's "User name").
fn names<'a>(row: &Row<'a>) -> (&'a str, &'a str) {
    let (user_name, name) = (row.text(Column::UserName), row.text(Column::Name));
    if row.ambiguous_names && !user_name.contains('@') && name.contains('@') {
        (name, user_name)
    } else {
        (user_name, name)
    }
}

fn flag(label: &str, text: &str, required: bool) -> Result<Option<bool>, String> {
    if text.is_empty() {
        return if required {
            Err(format!("{label} is empty, expected yes or no."))
        } else {
            Ok(None)
        };
    }
    parse_yes_no(text).map(Some).ok_or_else(|| {
        format!(
            "{label} is \u{201c}{text}\u{201d}, expected {label} / Not {} (or yes/no, true/false).",
            label.to_lowercase()
        )
    })
}

fn read_user(row: &Row<'_>, batch: &mut Batch) -> Result<(), String> {
    let cell = |c| row.get(c);
    let registered = flag("Registered", cell(Column::Registered), true)?.unwrap_or(false);
    let enabled = flag("Enabled", cell(Column::Enabled), true)?.unwrap_or(false);
    let capable = flag("Capable", cell(Column::Capable), false)?;
    let is_admin = flag("Admin", cell(Column::Admin), false)?;
    let user_type_text = cell(Column::UserType);
    let user_type = UserType::parse(user_type_text);
    if user_type.is_none()
        && !user_type_text.is_empty()
        && !user_type_text.eq_ignore_ascii_case("unknownFutureValue")
    {
        return Err(format!(
            "User type is \u{201c}{user_type_text}\u{201d}, expected Member or Guest."
        ));
    }
    let updated_text = cell(Column::LastUpdated);
    let last_updated = if updated_text.is_empty() {
        None
    } else {
        let t = parse_time(updated_text);
        if t.is_none() {
            batch.note_malformed_time();
        }
        t
    };
    let (user_name, name) = names(row);
    let methods = split_method_list(cell(Column::Methods));
    let (mfa, system_preferred) = read_mfa(row)?;
    batch.push_user(
        &UserInput {
            id: row.text(Column::Id),
            user_name,
            name,
            user_type,
            is_admin,
            registered,
            enabled,
            capable,
            last_updated,
        },
        methods,
    );
    if mfa != MfaInput::default() || system_preferred.is_some() {
        batch.push_user_mfa(&mfa, system_preferred.as_deref());
    }
    Ok(())
}

/// The MFA columns of a registration row (spec §3.7): an empty cell, or a file without the
/// column, leaves the field unknown, never false. A known empty list of system-preferred methods
/// is written `None` (which the method table reads as no method).
fn read_mfa<'a>(row: &Row<'a>) -> Result<(MfaInput<'a>, Option<Vec<&'a str>>), String> {
    let cell = |c| row.get(c);
    let method = |c| Some(cell(c)).filter(|m| !m.is_empty());
    let system_preferred = Some(cell(Column::SystemPreferredMethods))
        .filter(|m| !m.is_empty())
        .map(|list| {
            list.split([',', ';'])
                .map(str::trim)
                .filter(|m| !m.is_empty())
                .collect()
        });
    let flag = |label: &str, yes: &str, column| {
        let text = cell(column);
        if text.is_empty() {
            return Ok(None);
        }
        parse_yes_no(text).map(Some).ok_or_else(|| {
            format!(
                "{label} is \u{201c}{text}\u{201d}, expected {yes} / Not {} (or yes/no, true/false).",
                yes.to_lowercase()
            )
        })
    };
    let mfa = MfaInput {
        mfa_registered: flag("MFA registered", "Registered", Column::MfaRegistered)?,
        mfa_capable: flag("MFA capable", "Capable", Column::MfaCapable)?,
        passwordless_capable: flag(
            "Passwordless capable",
            "Capable",
            Column::PasswordlessCapable,
        )?,
        system_preferred_enabled: flag("System-preferred MFA", "Enabled", Column::SystemPreferred)?,
        default_method: method(Column::DefaultMfaMethod),
        preferred_method: method(Column::PreferredMfaMethod),
    };
    Ok((mfa, system_preferred))
}

fn read_event(row: &Row<'_>, batch: &mut Batch) -> Result<(), String> {
    let cell = |c| row.get(c);
    let date = cell(Column::Date);
    let time = parse_time(date).ok_or_else(|| {
        if date.is_empty() {
            "Date is empty, expected a date-time.".to_string()
        } else {
            format!("Date \u{201c}{date}\u{201d} is not a date-time.")
        }
    })?;
    let feature_text = cell(Column::Feature);
    let feature = if feature_text.is_empty() {
        Feature::Reset
    } else {
        Feature::parse(feature_text).ok_or_else(|| {
            format!("Feature is \u{201c}{feature_text}\u{201d}, expected Registration or Reset.")
        })?
    };
    let status_text = cell(Column::Status);
    let status = Status::parse(status_text).ok_or_else(|| {
        format!("Status is \u{201c}{status_text}\u{201d}, expected Success or Failure.")
    })?;
    let (user_name, name) = names(row);
    batch.push_event(&EventInput {
        id: row.text(Column::Id),
        time,
        user_name,
        name,
        feature,
        status,
        method: cell(Column::Method),
        failure_reason: row.text(Column::FailureReason),
    });
    Ok(())
}

fn read_member(row: &Row<'_>, batch: &mut Batch) -> Result<(), String> {
    let (id, user_name) = (row.get(Column::Id), row.get(Column::UserName));
    if id.is_empty() && user_name.is_empty() {
        return Err(
            "the member has neither an object id nor a user principal name to find it by."
                .to_string(),
        );
    }
    batch.push_member(&MemberRow {
        id,
        user_name,
        name: row.text(Column::Name),
        kind: MemberKind::parse(row.get(Column::MemberType)),
    });
    Ok(())
}

/// One data row with its columns.
struct Row<'a> {
    /// The cell index of each column we read (see [`CsvJob::cell_of`]).
    cell_of: &'a [Option<usize>; COLUMNS],
    cells: &'a csv::StringRecord,
    /// The file names its display-name column "User" (the portal's activity download), so the
    /// user name and name columns may be the other way round.
    ambiguous_names: bool,
}

impl<'a> Row<'a> {
    /// The trimmed cell of a column ("" when the file has no such column).
    fn get(&self, column: Column) -> &'a str {
        self.text(column).trim()
    }

    /// The cell exactly as written (names and reasons keep their spaces), the formula guard
    /// taken off.
    fn text(&self, column: Column) -> &'a str {
        self.cell_of[column as usize]
            .and_then(|i| self.cells.get(i))
            .map(unguard)
            .unwrap_or("")
    }
}
