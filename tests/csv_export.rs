//! CSV downloads (spec §5): BOM, RFC 4180 quoting, UTC times, labels, the formula guard, and a
//! download that re-imports to the same data, names with commas, quotes, newlines and all.

mod common;

use common::*;
use sspr_insights::model::export::{
    activity_csv, download_name, guard, registrations_csv, unguard,
};
use sspr_insights::model::{
    import_file, AsOf, Batch, Dataset, EventInput, Feature, FileKind, SourceKind, Status,
    UserInput, UserType,
};

const TRICKY: [&str; 10] = [
    "Lee, Ann",
    "Ann \"The Admin\" Lee",
    "two\nlines",
    "Zoë Søren-Müller 山田",
    "=HYPERLINK(\"http://evil\",\"x\")",
    "+1 555 0100",
    "-5",
    "@sum(A1)",
    "'=already quoted",
    "\tindented",
];

fn tricky_dataset() -> Dataset {
    let mut batch = Batch::new("tricky");
    for (i, name) in TRICKY.iter().enumerate() {
        let upn = format!("user{i}@contoso.com");
        let id = format!("id-{i}");
        batch.push_user(
            &UserInput {
                id: &id,
                user_name: &upn,
                name,
                user_type: Some(if i % 3 == 0 {
                    UserType::Guest
                } else {
                    UserType::Member
                }),
                is_admin: Some(i % 4 == 0),
                registered: i % 2 == 0,
                enabled: i % 3 != 1,
                capable: None,
                last_updated: Some(1_763_640_000_123 + i as i64),
            },
            ["email", "mobileSMS", "qrCode"].iter().take(i % 4),
        );
        batch.push_event(&EventInput {
            id: "",
            time: 1_763_640_000_000 + i as i64 * 1000,
            user_name: &upn,
            name,
            feature: if i % 2 == 0 {
                Feature::Reset
            } else {
                Feature::Registration
            },
            status: if i % 3 == 0 {
                Status::Failure
            } else {
                Status::Success
            },
            method: ["sms", "", "appCode", "unknownFutureValue"][i % 4],
            failure_reason: TRICKY[(i + 3) % TRICKY.len()],
        });
    }
    Dataset::build(vec![batch], AsOf::Newest, SourceKind::Uploaded)
}

fn all(n: usize) -> Vec<u32> {
    (0..n as u32).collect()
}

#[test]
fn registration_download_reimports_to_the_same_users() {
    let ds = tricky_dataset();
    let bytes = registrations_csv(&ds, &all(ds.user_count()));
    let file = import_file("registrations.csv", &bytes);
    assert!(file.is_clean(), "{:?}", file.errors);
    assert_eq!(file.kind, FileKind::RegistrationCsv);
    let again = Dataset::build(vec![file.batch], AsOf::Newest, SourceKind::Uploaded);
    assert_eq!(again.user_count(), ds.user_count());
    for (a, b) in ds.users().zip(again.users()) {
        assert_eq!(a.id(), b.id());
        assert_eq!(a.name(), b.name());
        assert_eq!(a.user_name(), b.user_name());
        assert_eq!(
            (a.registered(), a.enabled(), a.capable()),
            (b.registered(), b.enabled(), b.capable())
        );
        assert_eq!(a.user_type(), b.user_type());
        assert_eq!(a.is_admin(), b.is_admin());
        assert_eq!(a.last_updated(), b.last_updated());
        assert_eq!(
            a.methods().collect::<Vec<_>>(),
            b.methods().collect::<Vec<_>>()
        );
    }
}

#[test]
fn activity_download_reimports_to_the_same_events() {
    let ds = tricky_dataset();
    let bytes = activity_csv(&ds, &all(ds.event_count()));
    let file = import_file("activity.csv", &bytes);
    assert!(file.is_clean(), "{:?}", file.errors);
    assert_eq!(file.kind, FileKind::ActivityCsv);
    let again = Dataset::build(vec![file.batch], AsOf::Newest, SourceKind::Uploaded);
    assert_eq!(again.event_count(), ds.event_count());
    for (a, b) in ds.events().zip(again.events()) {
        assert_eq!(a.time(), b.time());
        assert_eq!(a.name(), b.name());
        assert_eq!(a.user_name(), b.user_name());
        assert_eq!(a.feature(), b.feature());
        assert_eq!(a.status(), b.status());
        assert_eq!(a.method(), b.method());
        assert_eq!(a.failure_reason(), b.failure_reason());
    }
}

#[test]
fn downloads_are_utf8_with_bom_crlf_quoted_and_guarded() {
    let ds = tricky_dataset();
    let bytes = registrations_csv(&ds, &[0, 1, 2, 4]);
    assert!(bytes.starts_with("\u{feff}".as_bytes()));
    let text = String::from_utf8(bytes).unwrap();
    let mut lines = text.trim_start_matches('\u{feff}').split("\r\n");
    assert_eq!(
        lines.next().unwrap(),
        r#""Name","User name","Registered","Enabled","Capable","Methods","User type","Admin","Last updated","Id","MFA registered","MFA capable","Passwordless capable","Default MFA method","Preferred MFA method","System-preferred MFA","System-preferred methods""#
    );
    assert!(text.contains("\"Lee, Ann\""));
    assert!(text.contains("\"Ann \"\"The Admin\"\" Lee\""));
    assert!(text.contains("\"two\nlines\""));
    assert!(
        text.contains("\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\""),
        "{text}"
    );
    assert!(text.contains("2025-11-20T12:00:00.123Z"), "{text}");
    assert!(text.contains(r#","Registered","Enabled","Capable","#));
    // Only the listed rows, in the given order.
    assert_eq!(text.matches("@contoso.com").count(), 4);
}

#[test]
fn every_formula_start_is_guarded_and_the_guard_is_undone() {
    for cell in ["=1+1", "+1", "-1", "@x", "\tx", "\rx", "'=x", "''+x"] {
        let guarded = guard(cell);
        assert!(guarded.starts_with('\''), "{cell:?} → {guarded:?}");
        assert_eq!(unguard(&guarded), cell);
    }
    for cell in ["Ann", "'quoted", "", "a=b", "''x"] {
        assert_eq!(guard(cell), cell);
        assert_eq!(unguard(cell), cell);
    }
}

#[test]
fn exported_rows_follow_the_order_given() {
    let ds = tricky_dataset();
    let bytes = activity_csv(&ds, &[3, 1]);
    let file = import_file("a.csv", &bytes);
    let again = Dataset::build(vec![file.batch], AsOf::Newest, SourceKind::Uploaded);
    // Re-import stores by time; the download itself kept the requested order.
    assert_eq!(again.event_count(), 2);
    let text = String::from_utf8(bytes).unwrap();
    let first = text.find(&format!("user{}@", 3)).unwrap();
    let second = text.find(&format!("user{}@", 1)).unwrap();
    assert!(first < second);
}

#[test]
fn download_names_carry_the_list_and_the_date() {
    assert_eq!(
        download_name("activity", ms("2026-11-27T13:00:00Z")),
        "activity-2026-11-27.csv"
    );
}

/// The downloads' own writer gives exactly the bytes of the csv crate's writer with every cell
/// quoted and CRLF (what they were written with before): read each download back with the
/// crate, write it again with the crate, compare byte for byte.
#[test]
fn downloads_have_the_bytes_of_an_always_quoting_rfc4180_writer() {
    let ds = tricky_dataset();
    let users: Vec<u32> = (0..ds.user_count() as u32).collect();
    let events: Vec<u32> = (0..ds.event_count() as u32).collect();
    for bytes in [registrations_csv(&ds, &users), activity_csv(&ds, &events)] {
        let body = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(body);
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .quote_style(csv::QuoteStyle::Always)
            .from_writer(Vec::new());
        let mut records = 0;
        for record in reader.records() {
            writer.write_record(&record.unwrap()).unwrap();
            records += 1;
        }
        assert!(records > TRICKY.len());
        assert_eq!(writer.into_inner().unwrap(), body);
    }
}
