//! Helpers shared by the host test files: fixtures and small datasets.
#![allow(dead_code)]

use sspr_insights::model::{import_file, AsOf, Batch, Dataset, FileImport, SourceKind};

pub fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub fn import_fixture(name: &str) -> FileImport {
    import_file(name, &fixture(name))
}

/// Imports fixtures that must be clean and builds a dataset from them.
pub fn dataset_of(names: &[&str]) -> Dataset {
    let batches: Vec<Batch> = names
        .iter()
        .map(|n| {
            let f = import_fixture(n);
            assert!(f.is_clean(), "{n}: {:?}", f.errors);
            f.batch
        })
        .collect();
    Dataset::build(batches, AsOf::Newest, SourceKind::Uploaded)
}

/// Imports inline text (JSON or CSV) that must be clean.
pub fn batch_of(name: &str, text: &str) -> Batch {
    let f = import_file(name, text.as_bytes());
    assert!(f.is_clean(), "{name}: {:?}", f.errors);
    f.batch
}

pub fn ms(text: &str) -> i64 {
    sspr_insights::model::time::parse_time(text).expect("a valid time")
}
