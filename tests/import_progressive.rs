//! Reading a file a slice at a time (what the browser does to stay responsive) gives exactly the
//! result of reading it in one go, with progress that only moves forward.

mod common;

use common::*;
use sspr_insights::model::import::ImportJob;
use sspr_insights::model::{import_file, AsOf, Dataset, FileImport, SourceKind};

fn in_slices(name: &str, bytes: &[u8], slice: usize) -> FileImport {
    let mut job = ImportJob::new(name, bytes.to_vec());
    let mut last = job.progress();
    let mut steps = 0;
    while !job.step(slice) {
        let now = job.progress();
        assert!(
            now.bytes_done >= last.bytes_done && now.records >= last.records,
            "{name}"
        );
        last = now;
        steps += 1;
        assert!(steps < 1_000_000);
    }
    assert_eq!(job.progress().bytes_done, bytes.len(), "{name}");
    job.finish()
}

fn same(a: &FileImport, b: &FileImport) {
    assert_eq!(
        (a.kind, a.records, a.bad_records, a.error_count, a.fatal),
        (b.kind, b.records, b.bad_records, b.error_count, b.fatal),
        "{}",
        a.name
    );
    assert_eq!(a.errors, b.errors, "{}", a.name);
    let da = Dataset::build(vec![a.batch.clone()], AsOf::Newest, SourceKind::Uploaded);
    let db = Dataset::build(vec![b.batch.clone()], AsOf::Newest, SourceKind::Uploaded);
    assert_eq!(da.user_count(), db.user_count());
    assert_eq!(da.event_count(), db.event_count());
    for (x, y) in da.events().zip(db.events()) {
        assert_eq!(
            (x.time(), x.user_name(), x.method(), x.status()),
            (y.time(), y.user_name(), y.method(), y.status())
        );
    }
    for (x, y) in da.users().zip(db.users()) {
        assert_eq!(
            (x.id(), x.user_name(), x.capable()),
            (y.id(), y.user_name(), y.capable())
        );
    }
}

#[test]
fn every_fixture_reads_the_same_in_slices_of_one_and_of_many() {
    let dir = format!("{}/tests/fixtures", env!("CARGO_MANIFEST_DIR"));
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        let whole = import_file(&name, &bytes);
        for slice in [1, 2, 1000] {
            same(&in_slices(&name, &bytes, slice), &whole);
        }
    }
}

#[test]
fn the_bundled_sample_reads_the_same_in_slices() {
    for name in ["userRegistrationDetails.json", "userEventsSummary.json"] {
        let path = format!("{}/public/sample/{name}", env!("CARGO_MANIFEST_DIR"));
        let bytes = std::fs::read(path).unwrap();
        let whole = import_file(name, &bytes);
        assert!(whole.is_clean());
        same(&in_slices(name, &bytes, 997), &whole);
        // One big page is read in slices of records, not in one go.
        let mut job = ImportJob::new(name, &bytes[..]);
        let mut steps = 1;
        while !job.step(997) {
            steps += 1;
        }
        assert!(steps >= whole.records / 997, "{name}: {steps} steps");
    }
}

#[test]
fn cut_off_pages_fail_at_the_same_place_in_slices() {
    let bytes = fixture("events_array_of_pages.json");
    for cut in [10, 200, 400, bytes.len() - 5] {
        let part = &bytes[..cut];
        same(
            &in_slices("cut.json", part, 1),
            &import_file("cut.json", part),
        );
    }
}

#[test]
fn a_malformed_record_inside_a_page_is_one_bad_record_not_a_lost_file() {
    let text = "{\"value\":[\n{\"id\":\"1\",\"feature\":\"reset\",\"isSuccess\":true,\"eventDateTime\":\"2026-11-20T10:00:00Z\"},\n{\"id\":\"2\",\"feature\":\"reset\",\"isSuccess\":tru,\"eventDateTime\":\"2026-11-20T10:00:00Z\"},\n{\"id\":\"3\",\"feature\":\"reset\",\"isSuccess\":false,\"eventDateTime\":\"2026-11-20T11:00:00Z\"}\n]}";
    let file = import_file("events.json", text.as_bytes());
    assert!(!file.fatal);
    assert_eq!((file.records, file.bad_records), (2, 1));
    let message = file.errors[0].to_string();
    assert!(
        message.starts_with("events.json, line 3, column "),
        "{message}"
    );
    assert!(message.contains("record 2"), "{message}");
}

#[test]
fn text_after_the_json_is_reported_with_its_line() {
    let file = import_file("x.json", b"{\n \"value\": []\n}\n\nextra");
    assert!(file.fatal);
    assert!(
        file.errors[0]
            .to_string()
            .starts_with("x.json, line 5, column 1:"),
        "{}",
        file.errors[0]
    );
}

#[test]
fn a_single_record_object_still_reads() {
    let file = import_file(
        "one.json",
        br#"{"id":"1","userPrincipalName":"a@x","isSsprRegistered":true,"isSsprEnabled":false,"methodsRegistered":["email"]}"#,
    );
    assert!(file.is_clean(), "{:?}", file.errors);
    assert_eq!(file.records, 1);
}

mod properties {
    use proptest::prelude::*;
    use sspr_insights::model::import::ImportJob;
    use sspr_insights::model::import_file;

    const PAGE: &str = "{\"@odata.context\":\"x\",\"value\":[\n{\"id\":\"1\",\"feature\":\"reset\",\"userPrincipalName\":\"a@x\",\"isSuccess\":true,\"authMethod\":\"sms\",\"eventDateTime\":\"2026-11-20T10:00:00Z\"},\n{\"id\":\"2\",\"userPrincipalName\":\"b@x\",\"isSsprRegistered\":true,\"isSsprEnabled\":false,\"methodsRegistered\":[\"email\",\"qr\\\"Code\"]}\n],\"@odata.nextLink\":\"y\"}";

    fn stepped(bytes: &[u8], slice: usize) -> sspr_insights::model::FileImport {
        let mut job = ImportJob::new("p.json", bytes);
        let mut guard = 0;
        while !job.step(slice) {
            guard += 1;
            assert!(guard <= bytes.len() + 2, "a step must make progress");
        }
        job.finish()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn stepping_never_panics_and_agrees_with_one_go(bytes in proptest::collection::vec(any::<u8>(), 0..400), slice in 1usize..4) {
            let a = stepped(&bytes, slice);
            let b = import_file("p.json", &bytes);
            prop_assert_eq!((a.records, a.bad_records, a.fatal), (b.records, b.bad_records, b.fatal));
        }

        #[test]
        fn stepping_a_mutated_page_agrees_with_one_go(at in 0usize..PAGE.len(), byte in any::<u8>(), cut in 0usize..PAGE.len(), slice in 1usize..3) {
            let mut bytes = PAGE.as_bytes().to_vec();
            bytes[at] = byte;
            bytes.truncate(cut.max(1));
            let a = stepped(&bytes, slice);
            let b = import_file("p.json", &bytes);
            prop_assert_eq!((a.records, a.bad_records, a.fatal), (b.records, b.bad_records, b.fatal));
            prop_assert_eq!(a.errors, b.errors);
        }
    }
}
