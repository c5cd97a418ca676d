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

/// Everything a dataset built from `batch` holds, as text: two batches that read the same data
/// give the same text.
pub fn dataset_dump(batch: &Batch) -> String {
    use std::fmt::Write;
    let ds = Dataset::build(vec![batch.clone()], AsOf::Newest, SourceKind::Uploaded);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "as of {} · last updated {:?} · {:?}",
        ds.as_of(),
        ds.last_updated(),
        ds.sources()
    );
    let _ = writeln!(out, "{:?}", ds.warnings());
    let _ = writeln!(out, "{:?}", ds.method_table().other_names());
    for u in ds.users() {
        let _ = writeln!(
            out,
            "{:?}",
            (
                u.id(),
                u.name(),
                u.user_name(),
                (
                    u.registered(),
                    u.enabled(),
                    u.capable(),
                    u.capable_exported()
                ),
                (u.is_admin(), u.user_type()),
                u.methods().collect::<Vec<_>>(),
                u.last_updated(),
                mfa_dump(&u),
            )
        );
    }
    for e in ds.events() {
        let _ = writeln!(
            out,
            "{:?}",
            (
                e.time(),
                e.name(),
                e.user_name(),
                e.feature(),
                e.status(),
                e.method(),
                e.failure_reason(),
                ds.event_user(e.index()),
            )
        );
    }
    out
}

/// A user's MFA details (spec §3.7) as text, unknown fields as `None`.
pub fn mfa_dump(u: &sspr_insights::model::UserRef<'_>) -> String {
    use sspr_insights::model::mfa::MfaFlag;
    format!(
        "{:?}",
        (
            MfaFlag::ALL.map(|flag| u.mfa(flag)),
            u.default_mfa_method(),
            u.preferred_mfa_method(),
            u.system_preferred_methods(),
        )
    )
}
