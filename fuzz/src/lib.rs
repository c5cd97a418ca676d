//! What every fuzz target checks on an input: the importer reads it without panicking, in one go
//! and a slice of records at a time with the same outcome (spec §4), the outcome is consistent
//! (errors listed and counted, good records in the batch), and the dataset built from it feeds
//! the model's views. A broken rule aborts, which AFL++ records as a crash.
//!
//! The targets differ in which importer they aim at (`Importer`): AFL++ mutates JSON seeds into
//! CSV and back, and an input the other importer would read is passed over, so that each target's
//! figures are its importer's. The host tests of the inputs AFL++ found (`tests/fuzz_found.rs`)
//! include this file, so that they check exactly what the targets check; it needs nothing of AFL.

use sspr_insights::model::audit::export::attempts_csv;
use sspr_insights::model::audit::filter::filter_attempts;
use sspr_insights::model::audit::{attempt_funnel, attempt_outcomes, attempt_trend, AttemptFilter};
use sspr_insights::model::import::MAX_LISTED_ERRORS;
use sspr_insights::model::{
    import_file, insights, method_counts, tiles, trend, AsOf, Dataset, FileImport, ImportJob,
    Period, Population, SourceKind,
};

/// The importer a target aims at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Importer {
    Json,
    Csv,
    /// The audit-log readers (spec §4.3) of both formats: every input is read.
    Audit,
}

impl Importer {
    /// The importer `import_file` picks for `data`: JSON when the first non-blank byte after a
    /// UTF-8 byte-order mark is `{` or `[`, CSV otherwise (spec §4).
    pub fn of(data: &[u8]) -> Importer {
        let content = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
        match content.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{' | b'[') => Importer::Json,
            _ => Importer::Csv,
        }
    }

    fn file_name(self) -> &'static str {
        match self {
            Importer::Json => "fuzz.json",
            Importer::Csv => "fuzz.csv",
            Importer::Audit => "fuzz-audit",
        }
    }
}

/// Checks one input against `importer` (nothing when the other importer would read it).
pub fn check(importer: Importer, data: &[u8]) {
    if importer != Importer::Audit && Importer::of(data) != importer {
        return;
    }
    let name = importer.file_name();
    let whole = import_checked(name, data);
    assert_slices_agree(name, data, &whole);
    use_in_the_model(whole);
}

/// Reads `data` in one go and checks that the outcome is consistent: errors listed and counted,
/// a fatal read says why, every good record is in the batch.
pub fn import_checked(name: &str, data: &[u8]) -> FileImport {
    let file = import_file(name, data);
    assert!(file.errors.len() <= MAX_LISTED_ERRORS);
    assert!(file.errors.len() <= file.error_count);
    assert_eq!(file.is_clean(), file.error_count == 0);
    if file.fatal {
        assert!(file.error_count > 0, "a fatal import says why");
    }
    assert!(file.bad_records <= file.error_count);
    // Every good record is in the batch: a user, an event, an audit row, a group member row (a
    // what-if input), or an authentication methods policy (the last one read is kept).
    let inputs = file.batch.inputs();
    let members = inputs.members.as_ref().map_or(0, |m| m.len());
    let accounted =
        file.batch.user_count() + file.batch.event_count() + file.batch.audit_row_count() + members;
    if inputs.methods_policy.is_some() {
        assert!(
            accounted < file.records,
            "every good record is in the batch"
        );
    } else {
        assert_eq!(file.records, accounted, "every good record is in the batch");
    }
    for error in &file.errors {
        assert!(!error.message.is_empty(), "an error without a message");
        let _ = error.to_string();
    }
    file
}

/// Reads `data` a slice of records at a time (the slice size from the input, so that AFL++
/// explores it too) and checks that the outcome is `whole`'s, the one-go read (spec §4).
pub fn assert_slices_agree(name: &str, data: &[u8], whole: &FileImport) {
    let slice = 1 + data.len() % 7;
    let stepped = in_slices(name, data, slice);
    assert_same(whole, &stepped, slice);
}

fn in_slices(name: &str, data: &[u8], slice: usize) -> FileImport {
    let mut job = ImportJob::new(name, data);
    let mut steps = 0usize;
    while !job.step(slice) {
        let progress = job.progress();
        assert!(progress.bytes_done <= progress.bytes_total, "{progress:?}");
        steps += 1;
        assert!(steps <= 2 * data.len() + 4, "reading in slices never ends");
    }
    job.finish()
}

fn assert_same(whole: &FileImport, stepped: &FileImport, slice: usize) {
    let at = format!("read in slices of {slice}");
    assert_eq!(whole.kind, stepped.kind, "{at}: kind");
    assert_eq!(whole.records, stepped.records, "{at}: records");
    assert_eq!(whole.bad_records, stepped.bad_records, "{at}: bad records");
    assert_eq!(whole.error_count, stepped.error_count, "{at}: error count");
    assert_eq!(whole.fatal, stepped.fatal, "{at}: fatal");
    assert_eq!(whole.errors, stepped.errors, "{at}: errors");
    assert_eq!(
        whole.batch.user_count(),
        stepped.batch.user_count(),
        "{at}: users"
    );
    assert_eq!(
        whole.batch.event_count(),
        stepped.batch.event_count(),
        "{at}: events"
    );
    assert_eq!(
        (
            whole.batch.audit_row_count(),
            whole.batch.audit_other_services()
        ),
        (
            stepped.batch.audit_row_count(),
            stepped.batch.audit_other_services()
        ),
        "{at}: audit rows"
    );
}

/// What the app does next with a file: a dataset of its good records and the overview's views.
pub fn use_in_the_model(file: FileImport) {
    let ds = Dataset::build(
        vec![file.into_batch_without_bad_records()],
        AsOf::Newest,
        SourceKind::Uploaded,
    );
    let _ = ds.warnings().messages();
    let _ = tiles(&ds, Population::ALL);
    for period in Period::ALL {
        let _ = method_counts(&ds, period, Population::ALL);
        let _ = trend(&ds, period, Population::ALL);
    }
    let _ = insights(&ds, Period::Month, Population::ALL);
    // The attempts screen's views, and every entry as the list and its steps show it.
    for period in Period::ALL {
        let _ = attempt_funnel(&ds, period, Population::ALL);
        let _ = attempt_outcomes(&ds, period, Population::ALL);
        let _ = attempt_trend(&ds, period, Population::ALL);
    }
    let rows = filter_attempts(&ds, &AttemptFilter::from_query("period=30d&sort=reason"));
    let _ = attempts_csv(&ds, &rows);
    for &i in &rows {
        let a = ds.attempt(i);
        let _ = (a.key(), a.reason(), a.methods_tried(), a.steps().count());
    }
}
