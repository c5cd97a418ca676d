//! CSV downloads of both lists (spec §5): UTF-8 with BOM, RFC 4180 quoting, ISO 8601 UTC times,
//! our method labels, and the formula guard. The importer reads these back to the same data.

use super::dataset::Dataset;
use super::method::Method;
use super::mfa::MfaFlag;
use super::time::{format_utc, Millis};

/// Columns of the registration details download, in order. The MFA columns (spec §3.7) are
/// empty where the loaded data does not say.
pub const REGISTRATION_COLUMNS: [&str; 17] = [
    "Name",
    "User name",
    "Registered",
    "Enabled",
    "Capable",
    "Methods",
    "User type",
    "Admin",
    "Last updated",
    "Id",
    "MFA registered",
    "MFA capable",
    "Passwordless capable",
    "Default MFA method",
    "Preferred MFA method",
    "System-preferred MFA",
    "System-preferred methods",
];

/// How a download writes a method setting: the label, `None` for no method, empty for unknown.
const NO_METHOD_CELL: &str = "None";

/// Columns of the activity download, in order.
pub const ACTIVITY_COLUMNS: [&str; 7] = [
    "Date",
    "Name",
    "User name",
    "Feature",
    "Method",
    "Status",
    "Failure reason",
];

const GUARDED: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Field separators of the spreadsheets that open our files (`;` in many European locales).
const SEPARATORS: [char; 3] = [',', ';', '\t'];

/// Whether a cell needs the `'` prefix: after any leading quotes it starts like a formula, or a
/// separator inside it is followed by a formula start (a spreadsheet that splits the cell at
/// that separator would run the rest: OWASP's "delimiter bypass"). Every cell is also quoted,
/// so a spreadsheet that respects quotes does not split it at all.
/// (Counting the quotes makes [`guard`] and [`unguard`] exact inverses for every string.)
fn needs_guard(cell: &str) -> bool {
    let cell = cell.trim_start_matches('\'');
    cell.starts_with(GUARDED)
        || cell
            .match_indices(SEPARATORS)
            .any(|(at, sep)| cell[at + sep.len()..].starts_with(GUARDED))
}

/// Prefixes `'` to a cell a spreadsheet would run as a formula.
///
/// ```
/// use sspr_insights::model::export::{guard, unguard};
/// assert_eq!(guard("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
/// assert_eq!(guard("Ann"), "Ann");
/// assert_eq!(unguard(&guard("-5")), "-5");
/// ```
pub fn guard(cell: &str) -> std::borrow::Cow<'_, str> {
    if needs_guard(cell) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// Removes the prefix [`guard`] added.
pub fn unguard(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if needs_guard(rest) => rest,
        _ => cell,
    }
}

/// The one CSV writer of the downloads: a BOM first, every cell quoted (a `"` inside doubled),
/// `,` between cells, CRLF after each record. Every cell is quoted so that a spreadsheet never
/// splits one at a separator (see [`needs_guard`]). Written here rather than with the csv
/// crate's writer because this one style is all the downloads need, and the crate's general
/// writer (every quoting style, its buffering, its errors, and the float parser and its tables
/// it brought along) cost the page's download 17.6 KB gzip; the importer still reads with the
/// crate (in the ingest worker).
pub(crate) struct CsvWriter {
    out: Vec<u8>,
}

impl CsvWriter {
    pub(crate) fn new() -> CsvWriter {
        let mut out = Vec::with_capacity(1 << 16);
        out.extend_from_slice("\u{feff}".as_bytes());
        CsvWriter { out }
    }

    /// Appends one record. (A slice, not any iterator: one copy of this code for every list.)
    pub(crate) fn record(&mut self, cells: &[&str]) {
        for (i, cell) in cells.iter().enumerate() {
            if i > 0 {
                self.out.push(b',');
            }
            self.out.push(b'"');
            for part in cell.split_inclusive('"') {
                self.out.extend_from_slice(part.as_bytes());
                if part.ends_with('"') {
                    self.out.push(b'"');
                }
            }
            self.out.push(b'"');
        }
        self.out.extend_from_slice(b"\r\n");
    }

    /// The file's bytes.
    pub(crate) fn finish(self) -> Vec<u8> {
        self.out
    }
}

fn yes_no(b: bool, yes: &'static str, no: &'static str) -> &'static str {
    if b {
        yes
    } else {
        no
    }
}

/// Writes method labels as one cell: `, ` between them, and a `\` before any `\`, `,` or `;`
/// inside a label, so that [`split_method_list`] gives the same labels back.
///
/// ```
/// use sspr_insights::model::export::{method_list_cell, split_method_list};
/// let cell = method_list_cell(["Email", "odd, name;x"]);
/// assert_eq!(cell, "Email, odd\\, name\\;x");
/// assert_eq!(split_method_list(&cell), ["Email", "odd, name;x"]);
/// ```
pub fn method_list_cell<S: AsRef<str>>(labels: impl IntoIterator<Item = S>) -> String {
    let mut cell = String::new();
    push_method_list(&mut cell, labels);
    cell
}

/// Appends method labels to `cell` the way [`method_list_cell`] writes them.
pub(crate) fn push_method_list<S: AsRef<str>>(
    cell: &mut String,
    labels: impl IntoIterator<Item = S>,
) {
    for (i, label) in labels.into_iter().enumerate() {
        if i > 0 {
            cell.push_str(", ");
        }
        for c in label.as_ref().chars() {
            if matches!(c, '\\' | ',' | ';') {
                cell.push('\\');
            }
            cell.push(c);
        }
    }
}

/// The method names of a methods cell: separated by `,` or `;` (ours and the portal's), a `\`
/// taking the next character as it is; names trimmed, empty ones left out.
pub fn split_method_list(cell: &str) -> Vec<std::borrow::Cow<'_, str>> {
    let keep = |name: &str| !name.trim().is_empty();
    if !cell.contains('\\') {
        return cell
            .split([',', ';'])
            .map(str::trim)
            .filter(|n| keep(n))
            .map(Into::into)
            .collect();
    }
    let mut names = Vec::new();
    let mut name = String::new();
    let mut chars = cell.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => name.push(chars.next().unwrap_or('\\')),
            ',' | ';' => names.push(std::mem::take(&mut name)),
            _ => name.push(c),
        }
    }
    names.push(name);
    names
        .into_iter()
        .filter(|n| keep(n))
        .map(|n| n.trim().to_string().into())
        .collect()
}

/// The registration details download of exactly `rows` (user indexes), in that order.
pub fn registrations_csv(ds: &Dataset, rows: &[u32]) -> Vec<u8> {
    let mut w = CsvWriter::new();
    w.record(&REGISTRATION_COLUMNS);
    let mut methods = String::new();
    for &u in rows {
        let user = ds.user(u);
        methods.clear();
        push_method_list(&mut methods, user.methods().map(|m| m.label()));
        let updated = user.last_updated().map(format_utc).unwrap_or_default();
        let flag = |flag: MfaFlag, yes: &'static str, no: &'static str| {
            user.mfa(flag).map_or("", |b| yes_no(b, yes, no))
        };
        let setting = |field: Option<Option<Method>>| match field {
            None => String::new(),
            Some(None) => NO_METHOD_CELL.to_string(),
            Some(Some(method)) => method.label(),
        };
        let default_method = setting(user.default_mfa_method());
        let preferred_method = setting(user.preferred_mfa_method());
        let system_methods = match user.system_preferred_methods() {
            None => String::new(),
            Some(methods) if methods.is_empty() => NO_METHOD_CELL.to_string(),
            Some(methods) => methods
                .iter()
                .map(Method::label)
                .collect::<Vec<_>>()
                .join(", "),
        };
        w.record(&[
            guard(user.name()).as_ref(),
            guard(user.user_name()).as_ref(),
            yes_no(user.registered(), "Registered", "Not registered"),
            yes_no(user.enabled(), "Enabled", "Not enabled"),
            yes_no(user.capable(), "Capable", "Not capable"),
            guard(&methods).as_ref(),
            user.user_type().label(),
            yes_no(user.is_admin(), "Yes", "No"),
            &updated,
            guard(user.id()).as_ref(),
            flag(MfaFlag::Registered, "Registered", "Not registered"),
            flag(MfaFlag::Capable, "Capable", "Not capable"),
            flag(MfaFlag::Passwordless, "Capable", "Not capable"),
            guard(&default_method).as_ref(),
            guard(&preferred_method).as_ref(),
            flag(MfaFlag::SystemPreferred, "Enabled", "Not enabled"),
            guard(&system_methods).as_ref(),
        ]);
    }
    w.finish()
}

/// The activity download of exactly `rows` (event indexes), in that order.
pub fn activity_csv(ds: &Dataset, rows: &[u32]) -> Vec<u8> {
    let mut w = CsvWriter::new();
    w.record(&ACTIVITY_COLUMNS);
    for &e in rows {
        let event = ds.event(e);
        let method = event.method().map(|m| m.label()).unwrap_or_default();
        w.record(&[
            format_utc(event.time()).as_str(),
            guard(event.name()).as_ref(),
            guard(event.user_name()).as_ref(),
            event.feature().label(),
            guard(&method).as_ref(),
            event.status().label(),
            guard(event.failure_reason()).as_ref(),
        ]);
    }
    w.finish()
}

/// The file name of a download: the list and the UTC date, e.g. `activity-2026-11-27.csv`.
pub fn download_name(list: &str, today: Millis) -> String {
    let date = format_utc(today);
    format!("{list}-{}.csv", date.get(..10).unwrap_or("data"))
}
