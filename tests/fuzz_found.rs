//! The inputs that coverage-guided fuzzing (`make fuzz`, FUZZING.md) found a problem with, kept in
//! `tests/fuzz_inputs/<target>/`, checked with the fuzz targets' own checks (`fuzz/src/lib.rs`,
//! included here), so that a problem AFL++ found stays found.
//!
//! Found and fixed, in the CSV importer (`src/model/import/csv.rs`): a row that starts with a
//! UTF-8 byte-order mark read differently when a slice of `ImportJob::step` started at it,
//! because each step opens a new `csv::Reader` on the rest of the file and that reader dropped a
//! leading byte-order mark.
//!
//! Found in the audit-log target's own check, not in the app: a group member row or an
//! authentication methods policy (the what-if inputs, which arrived beside the audit log) is a good
//! record that is neither a user, an event nor an audit row; the check now counts them.

#[allow(dead_code)]
#[path = "../fuzz/src/lib.rs"]
mod fuzz_checks;

use sspr_insights::model::{import_file, FileKind, ImportJob};

/// The inputs kept for a fuzz target: (file name, bytes), at least one.
fn found(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = format!("{}/tests/fuzz_inputs/{target}", env!("CARGO_MANIFEST_DIR"));
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{dir}: {e}"));
    let mut inputs: Vec<(String, Vec<u8>)> = entries
        .map(|entry| {
            let path = entry.expect("a directory entry").path();
            let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
            (
                path.file_name().unwrap().to_string_lossy().into_owned(),
                bytes,
            )
        })
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty(), "{dir} holds no inputs");
    inputs
}

#[test]
fn csv_inputs_fuzzing_found_import_as_activity_without_a_panic_and_consistently() {
    for (name, bytes) in found("import_csv") {
        let file = fuzz_checks::import_checked(&name, &bytes);
        // Mutated activity downloads: still activity, with the mutated rows bad, never fatal.
        assert_eq!(file.kind, FileKind::ActivityCsv, "{name}");
        assert!(!file.fatal, "{name}: {:?}", file.errors);
        assert!(file.bad_records > 0, "{name}: the mutated rows are bad");
        fuzz_checks::use_in_the_model(file);
    }
}

#[test]
fn csv_inputs_fuzzing_found_read_the_same_in_slices_as_in_one_go() {
    for (name, bytes) in found("import_csv") {
        let whole = fuzz_checks::import_checked(&name, &bytes);
        fuzz_checks::assert_slices_agree(&name, &bytes, &whole);
    }
}

/// The finding, reduced: the third row starts with a byte-order mark, after a `\n` or a lone `\r`
/// (after `\r\n` a slice starts at the `\n`, and the mark stays). In one go the mark is part of
/// the date, which is then not a date; read a row at a time, the row is good.
#[test]
fn a_row_starting_with_a_byte_order_mark_reads_the_same_one_row_at_a_time() {
    for end in ["\n", "\r"] {
        let text = format!(
            "Date,Feature,Status{end}2026-11-20T10:00:00Z,Reset,Success{end}\u{feff}2026-11-20T11:00:00Z,Reset,Failure{end}"
        );
        let whole = import_file("activity.csv", text.as_bytes());
        let mut job = ImportJob::new("activity.csv", text.as_bytes());
        while !job.step(1) {}
        let stepped = job.finish();
        assert_eq!(
            (whole.records, whole.bad_records),
            (stepped.records, stepped.bad_records),
            "good and bad records, in one go and one row at a time, rows ending in {end:?}"
        );
        assert_eq!(whole.errors, stepped.errors, "rows ending in {end:?}");
    }
}

#[test]
fn audit_inputs_fuzzing_found_pass_the_targets_checks() {
    for (_, bytes) in found("import_audit") {
        fuzz_checks::check(fuzz_checks::Importer::Audit, &bytes);
    }
}
