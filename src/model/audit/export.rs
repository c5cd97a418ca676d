//! The attempts list's download (spec §5): exactly the listed entries in their order, through
//! the one CSV writer (UTF-8 with BOM, RFC 4180, ISO 8601 UTC times, the formula guard).

use crate::model::dataset::Dataset;
use crate::model::export::{guard, push_method_list, CsvWriter};
use crate::model::time::format_utc;

/// Columns of the attempts download, in order.
pub const ATTEMPT_COLUMNS: [&str; 10] = [
    "Date",
    "Name",
    "User name",
    "Outcome",
    "Methods",
    "Steps",
    "IP address",
    "Reason",
    "Started",
    "Correlation id",
];

/// The attempts download of exactly `rows` (entry indexes), in that order.
///
/// ```
/// use sspr_insights::model::audit::export::attempts_csv;
/// use sspr_insights::model::Dataset;
/// let bytes = attempts_csv(&Dataset::default(), &[]);
/// let text = String::from_utf8(bytes).unwrap();
/// assert!(text.starts_with("\u{feff}\"Date\",\"Name\",\"User name\",\"Outcome\""));
/// ```
pub fn attempts_csv(ds: &Dataset, rows: &[u32]) -> Vec<u8> {
    let mut w = CsvWriter::new();
    w.record(&ATTEMPT_COLUMNS);
    // One buffer for every row's methods cell, as the registrations download does.
    let mut methods = String::new();
    for &i in rows {
        let a = ds.attempt(i);
        methods.clear();
        push_method_list(&mut methods, a.methods_tried().iter().map(|m| m.label()));
        let correlation = a
            .steps()
            .next()
            .map(|s| s.correlation_id())
            .unwrap_or_default();
        w.record(&[
            format_utc(a.time()).as_str(),
            guard(a.name()).as_ref(),
            guard(a.user_name()).as_ref(),
            a.outcome().label(),
            guard(&methods).as_ref(),
            a.step_count().to_string().as_str(),
            guard(a.ip()).as_ref(),
            guard(a.reason()).as_ref(),
            format_utc(a.start()).as_str(),
            guard(correlation).as_ref(),
        ]);
    }
    w.finish()
}
