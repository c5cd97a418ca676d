//! Import of every export shape (spec §4) from hand-written fixtures, and clear errors for bad
//! input: the file, the position and what was wrong, with good records kept aside.

mod common;

use common::*;
use sspr_insights::model::{
    format_utc, import_file, AsOf, Dataset, Feature, FileKind, Method, SourceKind, Status, UserType,
};

#[test]
fn microsoft_v1_user_registration_details_sample_reads_as_exported() {
    let file = import_fixture("graph_user_registration_details_v1.json");
    assert!(file.is_clean(), "{:?}", file.errors);
    assert_eq!(file.kind, FileKind::UserRegistrationDetails);
    assert_eq!(file.records, 3);
    let ds = Dataset::build(vec![file.batch], AsOf::Newest, SourceKind::Uploaded);
    let alex = ds.user(0);
    assert_eq!(alex.id(), "86462606-fde0-4fc4-9e0c-a20eb73e54c6");
    assert_eq!(alex.user_name(), "AlexW@Contoso.com");
    assert_eq!(alex.name(), "Alex Wilber");
    assert!(!alex.registered() && !alex.enabled() && !alex.capable());
    assert_eq!(
        alex.methods().collect::<Vec<_>>(),
        vec![Method::AppNotification, Method::AppCode]
    );
    assert_eq!(
        format_utc(alex.last_updated().unwrap()),
        "2023-03-13T19:15:41.619Z"
    );
    let bianca = ds.user(1);
    assert!(bianca.registered() && !bianca.enabled() && !bianca.capable());
    assert_eq!(bianca.methods().count(), 3);
    let guest = ds.user(2);
    assert_eq!(guest.user_type(), UserType::Guest);
    assert_eq!(guest.methods().count(), 0);
    assert_eq!(ds.as_of(), ms("2023-03-13T19:15:41.619Z"));
}

#[test]
fn beta_pages_with_next_links_merge_into_one_list() {
    let ds = dataset_of(&[
        "graph_user_registration_details_beta_page1.json",
        "graph_user_registration_details_beta_page2.json",
    ]);
    assert_eq!(ds.user_count(), 4);
    let adele = ds.user(0);
    assert!(adele.is_admin());
    assert!(adele.methods().any(|m| m == Method::Fido2));
    // qrCode is not in the table: kept as its own method and counted as unknown.
    assert_eq!(
        ds.user(2).methods().collect::<Vec<_>>(),
        vec![Method::Other("qrCode".into())]
    );
    assert_eq!(
        ds.warnings().unknown_methods,
        vec![("qrCode".to_string(), 1)]
    );
    // Megan's export says not capable although registered and enabled: taken as exported, counted.
    assert!(!ds.user(3).capable());
    assert_eq!(ds.warnings().contradictory_flags, 1);
}

#[test]
fn legacy_credential_user_registration_details_are_users() {
    let file = import_fixture("legacy_credential_user_registration_details.json");
    assert!(file.is_clean(), "{:?}", file.errors);
    assert_eq!(file.kind, FileKind::CredentialUserRegistrationDetails);
    let ds = Dataset::build(vec![file.batch], AsOf::Newest, SourceKind::Uploaded);
    let user = ds.user(0);
    assert_eq!(user.user_name(), "abc@cd.com");
    assert!(!user.registered() && user.enabled() && !user.capable());
    assert_eq!(
        user.methods().collect::<Vec<_>>(),
        vec![Method::Email, Method::Sms]
    );
    assert_eq!(user.user_type(), UserType::Member);
    assert!(!user.is_admin());
}

#[test]
fn microsoft_user_events_summary_sample_is_an_event() {
    let file = import_fixture("graph_user_events_summary.json");
    assert!(file.is_clean(), "{:?}", file.errors);
    assert_eq!(file.kind, FileKind::UserEventsSummary);
    let ds = Dataset::build(vec![file.batch], AsOf::Newest, SourceKind::Uploaded);
    let e = ds.event(0);
    assert_eq!(e.feature(), Feature::Registration);
    assert_eq!(e.status(), Status::Success);
    assert_eq!(e.method(), Some(Method::AppNotification));
    assert_eq!(e.user_name(), "johndoe@contoso.net");
    assert_eq!(e.name(), "John Doe");
    assert_eq!(e.failure_reason(), "");
    assert_eq!(format_utc(e.time()), "2025-07-16T16:19:18Z");
}

#[test]
fn legacy_user_credential_usage_details_are_events() {
    let file = import_fixture("legacy_user_credential_usage_details.json");
    assert!(file.is_clean(), "{:?}", file.errors);
    assert_eq!(file.kind, FileKind::UserCredentialUsageDetails);
    let ds = Dataset::build(vec![file.batch], AsOf::Newest, SourceKind::Uploaded);
    let e = ds.event(0);
    assert_eq!(e.method(), Some(Method::Email));
    assert_eq!(
        e.failure_reason(),
        "User contacted an admin after trying the email verification option"
    );
}

#[test]
fn an_array_of_pages_a_bare_array_and_ndjson_all_read() {
    let pages = import_fixture("events_array_of_pages.json");
    assert!(pages.is_clean(), "{:?}", pages.errors);
    assert_eq!(
        (pages.kind, pages.records),
        (FileKind::UserEventsSummary, 3)
    );
    let bare = import_fixture("events_bare_array.json");
    assert!(bare.is_clean(), "{:?}", bare.errors);
    assert_eq!(bare.records, 2);
    let ndjson = import_fixture("events.ndjson");
    assert!(ndjson.is_clean(), "{:?}", ndjson.errors);
    assert_eq!(ndjson.records, 3);
}

#[test]
fn times_with_offsets_are_converted_to_utc() {
    let ds = dataset_of(&["events_bare_array.json"]);
    let adele = ds
        .events()
        .find(|e| e.user_name() == "adele@contoso.com")
        .unwrap();
    assert_eq!(format_utc(adele.time()), "2026-11-18T12:00:00Z");
    // null failure reason reads as none
    assert_eq!(adele.failure_reason(), "");
}

#[test]
fn portal_registration_csv_with_bom_and_portal_spellings_reads() {
    let file = import_fixture("portal_registration_details.csv");
    assert!(file.is_clean(), "{:?}", file.errors);
    assert_eq!(file.kind, FileKind::RegistrationCsv);
    let ds = Dataset::build(vec![file.batch], AsOf::Newest, SourceKind::Uploaded);
    assert_eq!(ds.user_count(), 3);
    let lidia = ds.user(0);
    assert_eq!(lidia.user_name(), "lidia@contoso.com");
    assert!(lidia.registered() && lidia.enabled() && lidia.capable());
    assert_eq!(
        lidia.methods().collect::<Vec<_>>(),
        vec![Method::AppNotification, Method::MobilePhone]
    );
    let lynne = ds.user(1);
    assert!(!lynne.registered() && lynne.enabled() && !lynne.capable());
    assert_eq!(
        format_utc(lynne.last_updated().unwrap()),
        "2026-11-20T07:31:00Z"
    );
    let nestor = ds.user(2);
    assert_eq!(
        nestor.methods().collect::<Vec<_>>(),
        vec![
            Method::Email,
            Method::SecurityQuestions,
            Method::OfficePhone
        ]
    );
}

#[test]
fn portal_activity_csv_reads_and_sorts_out_swapped_name_columns() {
    let file = import_fixture("portal_activity.csv");
    assert!(file.is_clean(), "{:?}", file.errors);
    assert_eq!(file.kind, FileKind::ActivityCsv);
    let ds = Dataset::build(vec![file.batch], AsOf::Newest, SourceKind::Uploaded);
    assert_eq!(ds.event_count(), 3);
    // Stored oldest first: Nestor's row had name and user name the other way round.
    let nestor = ds.event(0);
    assert_eq!(nestor.user_name(), "nestor@contoso.com");
    assert_eq!(nestor.name(), "Nestor Wilke");
    assert_eq!(nestor.method(), Some(Method::OfficePhone));
    assert_eq!(nestor.feature(), Feature::Registration);
    let lynne = ds.event(2);
    assert_eq!(lynne.method(), Some(Method::PhoneCall));
    assert_eq!(lynne.status(), Status::Failure);
    assert!(lynne
        .failure_reason()
        .starts_with("User's account has insufficient"));
}

#[test]
fn semicolon_separated_csv_is_read() {
    let text =
        "Name;User name;Registered;Enabled;Capable;Methods\nAnn;ann@x.com;yes;no;no;email,sms\n";
    let ds = Dataset::build(
        vec![batch_of("semi.csv", text)],
        AsOf::Newest,
        SourceKind::Uploaded,
    );
    let ann = ds.user(0);
    assert!(ann.registered() && !ann.enabled());
    assert_eq!(
        ann.methods().collect::<Vec<_>>(),
        vec![Method::Email, Method::Sms]
    );
}

#[test]
fn a_truncated_json_file_names_the_file_and_the_line_and_keeps_what_was_read() {
    let mut bytes = fixture("events_array_of_pages.json");
    bytes.truncate(bytes.len() - 120);
    let file = import_file("events.json", &bytes);
    assert!(file.fatal);
    let message = file.errors[0].to_string();
    assert!(message.starts_with("events.json, line "), "{message}");
    assert!(message.contains("truncated"), "{message}");
    assert!(
        file.records >= 2,
        "the records before the cut are kept aside"
    );
}

#[test]
fn a_json_file_of_another_shape_is_refused_clearly() {
    let file = import_file("config.json", br#"{"name": "not an export", "size": 3}"#);
    assert_eq!(file.kind, FileKind::Unknown);
    assert!(!file.is_clean());
    assert!(
        file.errors[0].to_string().contains("record 1"),
        "{}",
        file.errors[0]
    );
    assert!(
        file.errors[0].message.contains("neither"),
        "{}",
        file.errors[0]
    );

    let scalar = import_file("number.json", b"[42, \"x\"]");
    assert_eq!(scalar.bad_records, 2);
    assert!(scalar.errors[0].message.contains("a number"));

    let empty = import_file("empty.json", br#"{"value": []}"#);
    assert!(empty.errors[0].message.contains("no records"));
}

#[test]
fn binary_bytes_are_refused_as_binary() {
    let mut bytes = b"PK\x03\x04".to_vec();
    bytes.extend((0..2000u32).map(|i| (i * 7 % 256) as u8));
    let file = import_file("report.xlsx", &bytes);
    assert!(file.fatal);
    assert!(
        file.errors[0].message.contains("binary"),
        "{}",
        file.errors[0]
    );
    assert_eq!(file.errors[0].file, "report.xlsx");
}

#[test]
fn bad_records_are_all_reported_with_their_numbers_and_good_ones_kept() {
    let text = r#"{"value":[
      {"id":"1","feature":"reset","userPrincipalName":"a@x","isSuccess":true,"authMethod":"sms","eventDateTime":"2026-11-20T10:00:00Z"},
      {"id":"2","feature":"reset","userPrincipalName":"b@x","isSuccess":"maybe","authMethod":"sms","eventDateTime":"2026-11-20T10:00:00Z"},
      {"id":"3","feature":"unlock","userPrincipalName":"c@x","isSuccess":true,"authMethod":"sms","eventDateTime":"2026-11-20T10:00:00Z"},
      {"id":"4","feature":"reset","userPrincipalName":"d@x","isSuccess":true,"authMethod":"sms","eventDateTime":"2026-02-30T10:00:00Z"},
      {"id":"5","feature":"reset","userPrincipalName":"e@x","isSuccess":false,"authMethod":"email","eventDateTime":"2026-11-20T11:00:00Z"}
    ]}"#;
    let file = import_file("events.json", text.as_bytes());
    assert!(!file.fatal);
    assert_eq!(
        (file.records, file.bad_records, file.error_count),
        (2, 3, 3)
    );
    let messages: Vec<String> = file.errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages[0],
        "events.json, record 2: isSuccess is \"maybe\", expected true or false."
    );
    assert!(
        messages[1].contains("record 3") && messages[1].contains("\"unlock\""),
        "{}",
        messages[1]
    );
    assert!(
        messages[2].contains("record 4") && messages[2].contains("not a valid date-time"),
        "{}",
        messages[2]
    );
    let batch = file.into_batch_without_bad_records();
    let ds = Dataset::build(vec![batch], AsOf::Newest, SourceKind::Uploaded);
    assert_eq!(ds.event_count(), 2);
    assert_eq!(
        ds.warnings().skipped_records,
        vec![("events.json".to_string(), 3)]
    );
}

#[test]
fn a_bad_ndjson_line_is_reported_by_line_and_the_rest_still_read() {
    let text = "{\"id\":\"1\",\"feature\":\"reset\",\"isSuccess\":true,\"eventDateTime\":\"2026-11-20T10:00:00Z\"}\n{\"id\":\"2\",\"feature\":\n{\"id\":\"3\",\"feature\":\"reset\",\"isSuccess\":false,\"eventDateTime\":\"2026-11-20T10:00:00Z\"}\n";
    let file = import_file("events.ndjson", text.as_bytes());
    assert_eq!((file.records, file.bad_records), (2, 1));
    assert!(
        file.errors[0]
            .to_string()
            .starts_with("events.ndjson, line 2"),
        "{}",
        file.errors[0]
    );
}

#[test]
fn broken_csv_rows_are_reported_with_line_numbers() {
    let text = "Date,Name,User name,Feature,Method,Status,Failure reason\n\
                2026-11-20T10:00:00Z,Ann,ann@x.com,Reset,SMS,Success,\n\
                yesterday,Bob,bob@x.com,Reset,SMS,Failure,x\n\
                2026-11-20T10:00:00Z,Cy,cy@x.com,Reset,SMS,Perhaps,\n";
    let file = import_file("activity.csv", text.as_bytes());
    assert_eq!((file.records, file.bad_records), (1, 2));
    assert_eq!(
        file.errors[0].to_string(),
        "activity.csv, line 3, record 2: Date \u{201c}yesterday\u{201d} is not a date-time."
    );
    assert!(
        file.errors[1].to_string().contains("line 4"),
        "{}",
        file.errors[1]
    );
    assert!(file.errors[1].message.contains("Perhaps"));
}

#[test]
fn a_csv_with_unknown_columns_is_refused_with_its_header() {
    let file = import_file("people.csv", b"First,Last,Age\nAnn,Lee,3\n");
    assert!(file.fatal);
    assert!(
        file.errors[0].message.contains("\u{201c}First\u{201d}"),
        "{}",
        file.errors[0]
    );
}

#[test]
fn an_empty_file_says_so() {
    let file = import_file("empty.json", b"  \n ");
    assert!(file.fatal);
    assert!(file.errors[0].message.contains("empty"));
}

#[test]
fn the_error_list_is_capped_but_every_error_is_counted() {
    let mut text = String::from("[");
    for i in 0..200 {
        if i > 0 {
            text.push(',');
        }
        text.push_str(
            r#"{"feature":"reset","isSuccess":1,"eventDateTime":"2026-11-20T10:00:00Z"}"#,
        );
    }
    text.push(']');
    let file = import_file("many.json", text.as_bytes());
    assert_eq!(file.error_count, 200);
    assert_eq!(
        file.errors.len(),
        sspr_insights::model::import::MAX_LISTED_ERRORS
    );
}

#[test]
fn a_cut_off_file_loaded_anyway_says_its_end_is_missing() {
    let mut bytes = fixture("events_array_of_pages.json");
    bytes.truncate(bytes.len() - 120);
    let file = import_file("events.json", &bytes);
    let read = file.records;
    let ds = Dataset::build(
        vec![file.into_batch_without_bad_records()],
        AsOf::Newest,
        SourceKind::Uploaded,
    );
    assert_eq!(ds.event_count(), read);
    assert_eq!(
        ds.warnings().cut_off_sources,
        vec!["events.json".to_string()]
    );
    assert!(ds.warnings().skipped_records.is_empty());
    assert!(ds.warnings().messages()[0].contains("could not be read to its end"));
}
