//! The audit log as a source (spec §4.3), on hand-written audit logs (`tests/fixtures/`): the
//! three shapes and their variants read to the same attempts, every outcome and its deciding
//! reason, the funnel, attempts that span files, derived events and the rule that keeps them
//! from being counted twice beside `userEventsSummary`, the list, its download and the insights.

mod common;

use common::{fixture, ms};
use sspr_insights::model::audit::export::attempts_csv;
use sspr_insights::model::audit::filter::{filter_attempts, AFTER_CHANGE_WINDOW};
use sspr_insights::model::audit::{
    attempt_funnel, attempt_outcomes, attempt_trend, AttemptColumn, AttemptFilter, Outcome, Stage,
    NO_FINAL_STEP,
};
use sspr_insights::model::{
    import_file, insights, method_counts, AsOf, Batch, Dataset, Feature, FileKind, InsightKind,
    Method, Period, Population, Sort, SourceKind, Status,
};

const GRAPH: &str = "graph_directory_audits.json";
const PORTAL: &str = "portal_audit_log.csv";
const LA_CSV: &str = "log_analytics_audit_logs.csv";
const LA_JSON: &str = "log_analytics_audit_logs.json";

/// Reads a file that must be clean.
fn batch(name: &str, bytes: &[u8]) -> Batch {
    let file = import_file(name, bytes);
    assert!(file.is_clean(), "{name}: {:?}", file.errors);
    file.batch
}

fn build(batches: Vec<Batch>) -> Dataset {
    Dataset::build(batches, AsOf::Newest, SourceKind::Uploaded)
}

fn audit_of(names: &[&str]) -> Dataset {
    build(names.iter().map(|n| batch(n, &fixture(n))).collect())
}

/// Everything the attempts list shows of every entry, as text.
fn dump(ds: &Dataset) -> Vec<String> {
    (0..ds.audit().entry_count() as u32)
        .map(|i| {
            let a = ds.attempt(i);
            let steps: Vec<String> = a
                .steps()
                .map(|s| {
                    format!(
                        "{} {} {:?} {} {}",
                        s.time(),
                        s.activity(),
                        s.result(),
                        s.reason(),
                        s.agent()
                    )
                })
                .collect();
            format!(
                "{} {} {} {:?} {:?} {:?} {:?} {} {} {} | {}",
                a.start(),
                a.time(),
                a.user_name(),
                a.outcome(),
                a.stage(),
                a.methods_tried(),
                a.methods_completed(),
                a.reason(),
                a.ip(),
                a.key(),
                steps.join(" | ")
            )
        })
        .collect()
}

/// The entry of a user (by user name).
fn entry_of(ds: &Dataset, user_name: &str) -> u32 {
    (0..ds.audit().entry_count() as u32)
        .find(|&i| ds.attempt(i).user_name() == user_name)
        .unwrap_or_else(|| panic!("no entry of {user_name}"))
}

#[test]
fn each_shape_is_detected_and_other_services_are_skipped_not_errors() {
    for (name, kind) in [
        (GRAPH, FileKind::DirectoryAudits),
        (PORTAL, FileKind::AuditLogCsv),
        (LA_CSV, FileKind::LogAnalyticsAuditCsv),
        (LA_JSON, FileKind::LogAnalyticsAuditJson),
    ] {
        let file = import_file(name, &fixture(name));
        assert!(file.is_clean(), "{name}: {:?}", file.errors);
        assert_eq!(file.kind, kind, "{name}");
        // 37 rows: one of the Core Directory service is skipped.
        assert_eq!(file.records, 36, "{name}");
        assert_eq!(file.batch.audit_row_count(), 36, "{name}");
        assert_eq!(file.batch.audit_other_services(), 1, "{name}");
        let ds = build(vec![file.batch]);
        assert!(
            ds.warnings()
                .messages()
                .contains(&"1 audit-log row of other services was skipped (only password reset and security-info rows are read).".to_string()),
            "{name}: {:?}",
            ds.warnings().messages()
        );
    }
}

#[test]
fn the_three_shapes_and_their_variants_give_the_same_attempts() {
    let graph = dump(&audit_of(&[GRAPH]));
    assert_eq!(
        graph.len(),
        10,
        "8 attempts, an admin reset and a password change"
    );
    for name in [PORTAL, LA_CSV, LA_JSON] {
        assert_eq!(dump(&audit_of(&[name])), graph, "{name}");
    }
    // NDJSON, a bare array, and records the fast parser leaves to serde (an escaped key).
    let page: serde_json::Value = serde_json::from_slice(&fixture(GRAPH)).unwrap();
    let records = page["value"].as_array().unwrap();
    let ndjson: String = records.iter().map(|r| format!("{r}\n")).collect();
    let array = serde_json::to_string(records).unwrap();
    let escaped = String::from_utf8(fixture(GRAPH))
        .unwrap()
        .replace("\"category\"", "\"cat\\u0065gory\"");
    for (name, text) in [
        ("audit.ndjson", ndjson),
        ("audit-array.json", array),
        ("audit-escaped.json", escaped),
    ] {
        let ds = build(vec![batch(name, text.as_bytes())]);
        assert_eq!(dump(&ds), graph, "{name}");
    }
}

#[test]
fn portal_csv_headers_match_in_any_case_with_user_agent_spelt_either_way() {
    let text = String::from_utf8(fixture(PORTAL)).unwrap();
    let (header, rows) = text.split_once("\r\n").unwrap();
    let expected = dump(&audit_of(&[PORTAL]));
    for header in [
        header.to_uppercase().replace("USER AGENT", "USERAGENT"),
        header.to_lowercase(),
        header
            .replace("User Agent", "UserAgent")
            .replace("Date (UTC)", "date (utc)"),
    ] {
        let text = format!("{header}\r\n{rows}");
        assert_eq!(
            dump(&build(vec![batch("audit.csv", text.as_bytes())])),
            expected,
            "{header}"
        );
    }
}

#[test]
fn every_outcome_comes_from_the_first_rule_that_matches_with_its_deciding_reason() {
    let ds = audit_of(&[GRAPH]);
    let cases = [
        ("bob@contoso.com", Outcome::Succeeded, "Successfully completed reset."),
        ("alice@contoso.com", Outcome::Blocked, "User entered too many invalid SMS verification codes and is blocked for 24 hours"),
        ("carol@contoso.com", Outcome::Failed, "User's account has insufficient authentication methods defined. Add authentication info to resolve this"),
        ("dave@contoso.com", Outcome::ContactedAdmin, "User contacted an admin after trying the office voice call verification option"),
        ("erin@contoso.com", Outcome::Canceled, "User canceled before passing the required authentication methods"),
        ("frank@contoso.com", Outcome::Abandoned, "User abandoned after starting the mobile app notification verification option"),
        ("grace@contoso.com", Outcome::Abandoned, NO_FINAL_STEP),
        ("heidi@contoso.com", Outcome::Unlocked, "User unlocked their account"),
        ("ivan@contoso.com", Outcome::AdminReset, "Reset password (by admin)"),
        ("judy@contoso.com", Outcome::PasswordChange, "Change password (self-service)"),
    ];
    for (user, outcome, reason) in cases {
        let a = ds.attempt(entry_of(&ds, user));
        assert_eq!((a.outcome(), a.reason()), (outcome, reason), "{user}");
    }
    // The steps are the rows in time order; the user is the first row's that names one.
    let bob = ds.attempt(entry_of(&ds, "bob@contoso.com"));
    assert_eq!(bob.step_count(), 7);
    assert_eq!(bob.start(), ms("2026-11-19T10:00:00Z"));
    assert_eq!(bob.time(), ms("2026-11-19T10:03:00Z"));
    assert_eq!(bob.ip(), "203.0.113.7");
    assert_eq!(bob.methods_tried(), vec![Method::Sms, Method::Email]);
    assert_eq!(bob.methods_completed(), vec![Method::Sms, Method::Email]);
    assert_eq!(bob.key(), "a1b2c3d4-0000-4000-8000-00000000000a");
    let carol = ds.attempt(entry_of(&ds, "carol@contoso.com"));
    assert_eq!(
        carol.step_count(),
        2,
        "the row without a user joins its attempt"
    );
    let ivan = ds.attempt(entry_of(&ds, "ivan@contoso.com"));
    assert_eq!(
        ivan.steps().next().unwrap().agent(),
        "Microsoft Entra Connect"
    );
    assert_eq!(ivan.stage(), None, "an admin reset is not an attempt");
    assert_eq!(
        ds.find_attempt("A1B2C3D4-0000-4000-8000-00000000000A"),
        Some(bob.index())
    );
}

#[test]
fn later_rules_give_way_to_earlier_ones() {
    let record = |t: &str, corr: &str, activity: &str, result: &str, reason: &str| {
        format!(
            r#"{{"activityDisplayName":"{activity}","activityDateTime":"2026-11-19T{t}Z","correlationId":"{corr}","result":"{result}","resultReason":"{reason}","loggedByService":"SSPR","targetResources":[{{"type":"User","userPrincipalName":"{corr}@x"}}]}}"#
        )
    };
    let flow = "Self-service password reset flow activity progress";
    let text = [
        // Blocked beats Failed (a failure row that says "too many").
        record(
            "01:00:00",
            "blocked",
            flow,
            "failure",
            "User tried to verify a phone number too many times",
        ),
        // Failed beats Contacted admin: a failure whose reason is not one of the three.
        record(
            "02:00:00",
            "failed",
            flow,
            "timeout",
            "We could not reach your on-premises password reset service",
        ),
        record(
            "02:00:01",
            "failed",
            flow,
            "failure",
            "User contacted an admin after trying the email verification option",
        ),
        // A success reason beats a block.
        record(
            "03:00:00",
            "reset",
            flow,
            "failure",
            "User tried mobile phone voice verification too many times",
        ),
        record(
            "03:00:05",
            "reset",
            flow,
            "success",
            "User successfully reset password",
        ),
        // An unlock that failed is not Unlocked; a Blocked row without a reason decides by its activity.
        record(
            "04:00:00",
            "unlock",
            "Unlock user account (self-service)",
            "failure",
            "",
        ),
        record(
            "05:00:00",
            "block",
            "Blocked from self-service password reset",
            "success",
            "",
        ),
        // A row without a correlation id is an attempt of its own.
        record(
            "06:00:00",
            "",
            flow,
            "success",
            "User submitted their user ID",
        ),
        record(
            "06:00:01",
            "",
            flow,
            "success",
            "User submitted their user ID",
        ),
    ]
    .join("\n");
    let ds = build(vec![batch("rules.ndjson", text.as_bytes())]);
    let outcome = |user: &str| {
        let a = ds.attempt(entry_of(&ds, user));
        (a.outcome(), a.reason().to_string(), a.methods_tried())
    };
    assert_eq!(outcome("blocked@x").0, Outcome::Blocked);
    assert_eq!(outcome("blocked@x").2, vec![Method::MobilePhone]);
    assert_eq!(
        outcome("failed@x"),
        (
            Outcome::Failed,
            "We could not reach your on-premises password reset service".to_string(),
            vec![Method::Email]
        )
    );
    let reset = outcome("reset@x");
    assert_eq!(
        (reset.0, reset.2),
        (Outcome::Succeeded, vec![Method::PhoneCall])
    );
    assert_eq!(outcome("unlock@x").0, Outcome::Failed);
    assert_eq!(
        outcome("block@x").1,
        "Blocked from self-service password reset"
    );
    assert_eq!(
        ds.audit().entry_count(),
        7,
        "two attempts without correlation ids"
    );
    let reset = ds.attempt(entry_of(&ds, "reset@x"));
    assert_eq!(reset.stage(), Some(Stage::PasswordReset));
}

#[test]
fn the_funnel_counts_each_stage_including_the_next() {
    let ds = audit_of(&[GRAPH]);
    let funnel = attempt_funnel(&ds, Period::Week, Population::ALL);
    let counts: Vec<(Stage, u32)> = funnel.iter().map(|r| (r.stage, r.attempts)).collect();
    assert_eq!(
        counts,
        [
            (Stage::Started, 8),
            // Everyone but Carol and Grace was shown the options.
            (Stage::VerificationOptionsShown, 6),
            // Bob and Heidi completed a method.
            (Stage::MethodCompleted, 2),
            (Stage::NewPasswordStep, 1),
            (Stage::PasswordReset, 1),
        ]
    );
    let outcomes = attempt_outcomes(&ds, Period::Week, Population::ALL);
    assert_eq!(outcomes.len(), Outcome::ALL.len());
    for (outcome, n) in outcomes {
        let expected = match outcome {
            Outcome::Abandoned => 2,
            _ => 1,
        };
        assert_eq!(n, expected, "{outcome:?}");
    }
    let trend = attempt_trend(&ds, Period::Week, Population::ALL);
    assert!(!trend.hourly);
    let day = trend
        .buckets
        .iter()
        .find(|b| b.start == ms("2026-11-19T00:00:00Z"))
        .unwrap();
    assert_eq!(
        (
            day.succeeded,
            day.unlocked,
            day.not_succeeded,
            day.admin_resets,
            day.password_changes
        ),
        (1, 1, 6, 1, 1)
    );
}

/// A userEventsSummary page of `events` (time, user, method, success).
fn events_page(events: &[(&str, &str, &str, bool)]) -> String {
    let records: Vec<String> = events
        .iter()
        .enumerate()
        .map(|(i, (t, user, method, ok))| {
            format!(
                r#"{{"id":"ev{i}","feature":"reset","userPrincipalName":"{user}","userDisplayName":"","isSuccess":{ok},"authMethod":"{method}","failureReason":"","eventDateTime":"{t}"}}"#
            )
        })
        .collect();
    format!(r#"{{"value":[{}]}}"#, records.join(","))
}

#[test]
fn an_audit_log_alone_gives_the_overview_its_events() {
    let ds = audit_of(&[GRAPH]);
    let counts = method_counts(&ds, Period::Week, Population::ALL);
    // Success per completed method: Bob's SMS and email, Heidi's app code.
    assert_eq!(counts.totals(Feature::Reset), (3, 6));
    let reset = |m: Method| {
        counts
            .rows(Feature::Reset)
            .into_iter()
            .find(|r| r.method == m)
            .map(|r| (r.success, r.failure))
    };
    assert_eq!(
        reset(Method::Sms),
        Some((1, 1)),
        "Bob's success, Alice's block"
    );
    assert_eq!(reset(Method::OfficePhone), Some((0, 1)));
    assert_eq!(reset(Method::SecurityQuestions), Some((0, 1)));
    assert_eq!(reset(Method::AppNotification), Some((0, 1)));
    assert_eq!(reset(Method::AppCode), Some((1, 0)));
    // Carol's and Grace's attempts named no method.
    assert_eq!(counts.without_method(Feature::Reset), (0, 2));
    // Kim's registration, the day before.
    assert_eq!(counts.totals(Feature::Registration), (1, 0));
    let kim = ds
        .events()
        .find(|e| e.feature() == Feature::Registration)
        .unwrap();
    assert_eq!(
        (kim.user_name(), kim.method(), kim.status()),
        (
            "kim@contoso.com",
            Some(Method::MobilePhone),
            Status::Success
        )
    );
    let grace = ds
        .events()
        .find(|e| e.user_name() == "grace@contoso.com")
        .unwrap();
    assert_eq!(grace.failure_reason(), NO_FINAL_STEP);
    // The data is as of the newest audit row (the skipped row's service is not read).
    assert_eq!(ds.as_of(), ms("2026-11-19T18:30:00Z"));
}

#[test]
fn derived_events_are_used_only_outside_the_time_range_of_the_report_events() {
    let audit = batch(GRAPH, &fixture(GRAPH));
    // The report covers 2026-11-19 from 00:00 to 23:00: only Kim's registration (18th) is outside.
    let report = events_page(&[
        ("2026-11-19T00:00:00Z", "zoe@contoso.com", "email", true),
        ("2026-11-19T23:00:00Z", "zoe@contoso.com", "email", false),
    ]);
    let ds = build(vec![batch("events.json", report.as_bytes()), audit.clone()]);
    assert_eq!(ds.event_count(), 3);
    let counts = method_counts(&ds, Period::Week, Population::ALL);
    assert_eq!(counts.totals(Feature::Reset), (1, 1), "the report's own");
    assert_eq!(
        counts.totals(Feature::Registration),
        (1, 0),
        "Kim's, derived"
    );
    // The attempts always come from the audit log.
    assert_eq!(ds.audit().entry_count(), 10);
    // A report that ends before the audit log: every attempt's events are derived again.
    let earlier = events_page(&[("2026-11-01T00:00:00Z", "zoe@contoso.com", "email", true)]);
    let ds = build(vec![batch("events.json", earlier.as_bytes()), audit]);
    assert_eq!(
        method_counts(&ds, Period::Month, Population::ALL).totals(Feature::Reset),
        (4, 6)
    );
}

#[test]
fn merging_counts_derived_events_once_whichever_comes_first() {
    let audit = || batch(GRAPH, &fixture(GRAPH));
    let report = || {
        batch(
            "events.json",
            events_page(&[
                ("2026-11-19T00:00:00Z", "zoe@contoso.com", "email", true),
                ("2026-11-19T23:00:00Z", "zoe@contoso.com", "email", false),
            ])
            .as_bytes(),
        )
    };
    let together = build(vec![report(), audit()]);
    let audit_first =
        build(vec![audit()]).merge(vec![report()], AsOf::Newest, SourceKind::Uploaded);
    let report_first =
        build(vec![report()]).merge(vec![audit()], AsOf::Newest, SourceKind::Uploaded);
    for merged in [&audit_first, &report_first] {
        assert_eq!(merged.event_count(), together.event_count());
        assert_eq!(dump(merged), dump(&together));
        assert_eq!(
            method_counts(merged, Period::Week, Population::ALL),
            method_counts(&together, Period::Week, Population::ALL)
        );
    }
    // The same audit log merged in again: its rows are known by their ids.
    let twice = audit_first.merge(vec![audit()], AsOf::Newest, SourceKind::Uploaded);
    assert_eq!(dump(&twice), dump(&together));
    assert_eq!(twice.warnings().duplicate_audit_rows, 36);
}

#[test]
fn attempts_span_files() {
    let page: serde_json::Value = serde_json::from_slice(&fixture(GRAPH)).unwrap();
    let records = page["value"].as_array().unwrap();
    // Two downloads, cutting Bob's attempt in two: up to 10:01:30 and from 10:01:00, so that
    // they overlap by two rows (known by their ids).
    let split = ms("2026-11-19T10:01:30Z");
    let time = |r: &serde_json::Value| ms(r["activityDateTime"].as_str().unwrap());
    let first: Vec<&serde_json::Value> = records.iter().filter(|r| time(r) <= split).collect();
    let second: Vec<&serde_json::Value> = records
        .iter()
        .filter(|r| time(r) >= ms("2026-11-19T10:01:00Z"))
        .collect();
    let page_of = |rs: &[&serde_json::Value]| serde_json::json!({ "value": rs }).to_string();
    let ds = build(vec![
        batch("part2.json", page_of(&second).as_bytes()),
        batch("part1.json", page_of(&first).as_bytes()),
    ]);
    assert_eq!(dump(&ds), dump(&audit_of(&[GRAPH])));
    assert_eq!(ds.warnings().duplicate_audit_rows, 2);
    // Across shapes as well: Bob's first four steps in the Graph JSON, the rest in the portal's
    // CSV (which has no Id column to de-duplicate by, so the two do not overlap).
    let cut = ms("2026-11-19T10:01:05Z");
    let portal = String::from_utf8(fixture(PORTAL)).unwrap();
    let (header, rows) = portal.split_once("\r\n").unwrap();
    let late: Vec<&str> = rows
        .split("\r\n")
        .filter(|line| {
            let date = line.split(',').next().unwrap_or("");
            sspr_insights::model::time::parse_time(date).is_some_and(|t| t > cut)
        })
        .collect();
    let early: Vec<&serde_json::Value> = records.iter().filter(|r| time(r) <= cut).collect();
    let ds = build(vec![
        batch(
            "late.csv",
            format!("{header}\r\n{}\r\n", late.join("\r\n")).as_bytes(),
        ),
        batch("early.json", page_of(&early).as_bytes()),
    ]);
    assert_eq!(dump(&ds), dump(&audit_of(&[GRAPH])));
    let bob = ds.attempt(entry_of(&ds, "bob@contoso.com"));
    assert_eq!((bob.outcome(), bob.step_count()), (Outcome::Succeeded, 7));
}

#[test]
fn every_method_phrase_of_the_spec_names_its_method() {
    use sspr_insights::model::audit::{read_reason, registered_method};
    let options = [
        ("email", Method::Email),
        ("mobile SMS", Method::Sms),
        ("mobile voice call", Method::PhoneCall),
        ("office voice call", Method::OfficePhone),
        ("security questions", Method::SecurityQuestions),
        ("security question", Method::SecurityQuestions),
        ("mobile app notification", Method::AppNotification),
        ("mobile app code", Method::AppCode),
    ];
    for (x, method) in options {
        for phrase in [
            format!("User started the {x} verification option"),
            format!("User completed the {x} verification option"),
            format!("User abandoned after starting the {x} verification option"),
            format!("User abandoned after completing the {x} verification option"),
            format!("User contacted an admin after trying the {x} verification option"),
        ] {
            let info = read_reason(&phrase.to_uppercase());
            assert_eq!(info.tried, vec![method.clone()], "{phrase}");
            let completed = phrase.starts_with("User completed");
            assert_eq!(
                info.completed,
                completed.then(|| method.clone()),
                "{phrase}"
            );
        }
    }
    for (reason, method) in [
        (
            "User entered too many invalid SMS verification codes and is blocked for 24 hours",
            Method::Sms,
        ),
        (
            "User tried mobile phone voice verification too many times and is blocked for 24 hours",
            Method::PhoneCall,
        ),
        (
            "User tried office phone voice verification too many times and is blocked for 24 hours",
            Method::OfficePhone,
        ),
        (
            "User tried to answer security questions too many times and is blocked for 24 hours",
            Method::SecurityQuestions,
        ),
        (
            "User tried to verify a phone number too many times and is blocked for 24 hours",
            Method::MobilePhone,
        ),
    ] {
        assert_eq!(read_reason(reason).tried, vec![method], "{reason}");
    }
    assert!(read_reason("User started the pigeon verification option")
        .tried
        .is_empty());
    let both = read_reason("User completed the email verification option after trying the mobile SMS verification option");
    assert_eq!(
        both.tried,
        vec![Method::Email, Method::Sms],
        "in the order named"
    );
    for (reason, method) in [
        (
            "User registered Authenticator App with Notification and Code",
            Method::AppNotification,
        ),
        ("User registered Office Phone", Method::OfficePhone),
        (
            "User registered Alternate Mobile Phone",
            Method::AlternateMobilePhone,
        ),
        ("User registered Mobile Phone SMS", Method::MobilePhone),
        ("User registered Email", Method::Email),
        (
            "User registered Security Questions",
            Method::SecurityQuestions,
        ),
        ("User registered Fido2 security key", Method::Fido2),
        (
            "User registered Microsoft Authenticator App passkey",
            Method::AppNotification,
        ),
        ("User registered a passkey", Method::Fido2),
        (
            "User registered Temporary Access Pass",
            Method::TemporaryAccessPass,
        ),
        ("User registered Hardware token", Method::HardwareOath),
        ("User registered Software OATH token", Method::AppCode),
        ("User registered OATH token", Method::AppCode),
    ] {
        assert_eq!(registered_method(reason), Some(method), "{reason}");
    }
    assert_eq!(registered_method("  "), None);
}

#[test]
fn the_list_filters_sorts_and_reads_back_from_its_query() {
    let ds = audit_of(&[GRAPH]);
    let rows = |query: &str| -> Vec<String> {
        let filter = AttemptFilter::from_query(query);
        assert_eq!(
            AttemptFilter::from_query(&filter.to_query()),
            filter,
            "{query}"
        );
        filter_attempts(&ds, &filter)
            .iter()
            .map(|&i| ds.attempt(i).user_name().to_string())
            .collect()
    };
    assert_eq!(rows("").len(), 10);
    assert_eq!(rows("")[0], "judy@contoso.com", "newest first");
    assert_eq!(rows("sort=date")[0], "bob@contoso.com");
    assert_eq!(rows("outcome=blocked"), ["alice@contoso.com"]);
    assert_eq!(rows("outcome=Contacted%20admin"), ["dave@contoso.com"]);
    assert_eq!(
        rows("method=sms&sort=username"),
        ["alice@contoso.com", "bob@contoso.com"]
    );
    assert_eq!(rows("ip=198.51.100.21"), ["dave@contoso.com"]);
    assert_eq!(
        rows("stage=3&sort=username"),
        ["bob@contoso.com", "heidi@contoso.com"]
    );
    assert_eq!(
        rows("stopped=1&sort=username"),
        ["carol@contoso.com", "grace@contoso.com"]
    );
    assert_eq!(rows("afterchange=yes"), ["bob@contoso.com"]);
    assert_eq!(rows("q=HEID"), ["heidi@contoso.com"]);
    assert_eq!(rows("outcome=abandoned&repeat=2"), Vec::<String>::new());
    assert_eq!(rows("period=24h&ip=203.0.113.7").len(), 5);
    // The insight filters and the open attempt survive a round trip; "Clear" keeps the open one.
    let f = AttemptFilter::from_query("users=members&ip=1.2.3.4&attempt=ABC&sort=-steps");
    assert_eq!(f.open.as_deref(), Some("abc"));
    assert_eq!(
        f.sort,
        Sort {
            column: AttemptColumn::Steps,
            descending: true
        }
    );
    let steps: Vec<usize> = filter_attempts(
        &ds,
        &AttemptFilter {
            sort: f.sort,
            ..AttemptFilter::default()
        },
    )
    .iter()
    .map(|&i| ds.attempt(i).step_count())
    .collect();
    assert!(steps.windows(2).all(|w| w[0] >= w[1]), "{steps:?}");
    use sspr_insights::model::lists::ListFilter;
    assert_eq!(f.cleared().open.as_deref(), Some("abc"));
    assert!(f.is_filtered() && !f.cleared().is_filtered());
}

#[test]
fn the_download_is_exactly_the_listed_entries() {
    let ds = audit_of(&[GRAPH]);
    let rows = filter_attempts(&ds, &AttemptFilter::from_query("outcome=succeeded"));
    let text = String::from_utf8(attempts_csv(&ds, &rows)).unwrap();
    assert_eq!(
        text,
        "\u{feff}\"Date\",\"Name\",\"User name\",\"Outcome\",\"Methods\",\"Steps\",\"IP address\",\"Reason\",\"Started\",\"Correlation id\"\r\n\
         \"2026-11-19T10:03:00Z\",\"Bob\",\"bob@contoso.com\",\"Succeeded\",\"SMS, Email\",\"7\",\"203.0.113.7\",\"Successfully completed reset.\",\"2026-11-19T10:00:00Z\",\"a1b2c3d4-0000-4000-8000-00000000000a\"\r\n"
    );
}

#[test]
fn the_audit_insights_name_addresses_resets_after_changes_blocks_and_where_attempts_stop() {
    let ds = audit_of(&[GRAPH]);
    let found = insights(&ds, Period::Week, Population::ALL);
    let of = |kind: InsightKind| found.iter().find(|i| i.kind == kind);
    let address = of(InsightKind::AttemptsFromOneAddress).expect("the busy address");
    assert!(
        address.text.contains("5 users") && address.text.contains("203.0.113.7"),
        "{}",
        address.text
    );
    assert_eq!(address.href, "/attempts?ip=203.0.113.7");
    let change =
        of(InsightKind::ResetAfterSecurityInfoChange).expect("Bob's reset after his change");
    assert_eq!(
        (change.count, change.href.as_str()),
        (1, "/attempts?afterchange=yes")
    );
    let stop = of(InsightKind::AttemptsStopAt).expect("where attempts stop");
    assert_eq!(stop.count, 4);
    assert!(
        stop.text.contains("Verification options shown"),
        "{}",
        stop.text
    );
    assert_eq!(stop.href, "/attempts?stopped=2");
    assert!(
        of(InsightKind::RepeatedlyBlocked).is_none(),
        "Alice was blocked once"
    );
    // A second block of Alice's, the next day, and a change more than 24 hours before a reset.
    let more = r#"{"value":[
      {"activityDisplayName":"Blocked from self-service password reset","activityDateTime":"2026-11-19T20:00:00Z","correlationId":"x1","result":"success","loggedByService":"SSPR","targetResources":[{"type":"User","userPrincipalName":"alice@contoso.com"}]},
      {"activityDisplayName":"User registered security info","activityDateTime":"2026-11-18T08:00:00Z","correlationId":"x2","result":"success","resultReason":"User registered Email","loggedByService":"Authentication Methods","targetResources":[{"type":"User","userPrincipalName":"kim@contoso.com"}]},
      {"activityDisplayName":"Reset password (self-service)","activityDateTime":"2026-11-19T08:00:01Z","correlationId":"x3","result":"success","loggedByService":"SSPR","targetResources":[{"type":"User","userPrincipalName":"kim@contoso.com"}]}
    ]}"#;
    let ds = build(vec![
        batch(GRAPH, &fixture(GRAPH)),
        batch("more.json", more.as_bytes()),
    ]);
    let found = insights(&ds, Period::Week, Population::ALL);
    let blocked = found
        .iter()
        .find(|i| i.kind == InsightKind::RepeatedlyBlocked)
        .expect("Alice, twice");
    assert_eq!(
        (blocked.count, blocked.href.as_str()),
        (2, "/attempts?outcome=blocked&repeat=2")
    );
    // Kim's registration of the 18th, 09:00, is 23 hours before her reset; the one at 08:00
    // is not the last change any more.
    let kim = ds.attempt(entry_of(&ds, "kim@contoso.com"));
    assert!(kim.time() - ms("2026-11-18T09:00:00Z") <= AFTER_CHANGE_WINDOW);
    assert_eq!(
        filter_attempts(
            &ds,
            &AttemptFilter::from_query("afterchange=yes&sort=username")
        )
        .len(),
        2
    );
}

#[test]
fn bad_rows_name_the_file_the_record_and_what_was_wrong() {
    let json = r#"{"value":[
      {"activityDisplayName":"Reset password (self-service)","correlationId":"c","loggedByService":"SSPR","activityDateTime":"yesterday"},
      {"activityDisplayName":"Reset password (self-service)","correlationId":"c","activityDateTime":"2026-11-19T10:00:00Z"},
      {"activityDisplayName":"Reset password (self-service)","correlationId":"c","loggedByService":"SSPR","activityDateTime":"2026-11-19T10:00:00Z","initiatedBy":[1]},
      {"activityDisplayName":"Reset password (self-service)","correlationId":"c","loggedByService":"SSPR","activityDateTime":"2026-11-19T10:00:00Z","targetResources":[{"type":"User","userPrincipalName":5}]},
      {"OperationName":"Reset password (self-service)","CorrelationId":"c","LoggedByService":"SSPR","TimeGenerated":"2026-11-19T10:00:00Z","InitiatedBy":"{\"user\":"}
    ]}"#;
    let file = import_file("audit.json", json.as_bytes());
    let messages: Vec<String> = file.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        messages,
        [
            "audit.json, record 1: activityDateTime \"yesterday\" is not a valid date-time.",
            "audit.json, record 2: loggedByService is missing: every audit row names the service that logged it.",
            "audit.json, record 3: initiatedBy is a list, expected an object.",
            "audit.json, record 4: targetResources[0].userPrincipalName is a number, expected text.",
            "audit.json, record 5: InitiatedBy is not valid JSON text (EOF while parsing a value at line 1 column 8).",
        ]
    );
    assert_eq!((file.records, file.bad_records), (0, 5));
    let csv = "Date (UTC),CorrelationId,Service,Activity,Result\r\n\
               2026-11-19 10:00:00,c,SSPR,Reset password (self-service),Success\r\n\
               soon,c,SSPR,Reset password (self-service),Success\r\n\
               2026-11-19 10:00:00,c,,Reset password (self-service),Success\r\n";
    let file = import_file("audit.csv", csv.as_bytes());
    let messages: Vec<String> = file.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        messages,
        [
            "audit.csv, line 3, record 2: Date (UTC) \u{201c}soon\u{201d} is not a date-time.",
            "audit.csv, line 4, record 3: Service is empty: every audit row names the service that logged it.",
        ]
    );
    let refused = import_file(
        "audit.csv",
        b"CorrelationId,Activity,Service\r\nc,x,SSPR\r\n",
    );
    assert!(refused.fatal);
    assert_eq!(
        refused.errors[0].message,
        "the audit-log CSV needs a Date (UTC) column."
    );
    // Only rows of other services: nothing to read, and nothing wrong.
    let other = import_file("other.csv", b"Date (UTC),CorrelationId,Service,Activity\r\n2026-11-19 10:00:00,c,Core Directory,Update user\r\n");
    assert!(other.is_clean(), "{:?}", other.errors);
    assert_eq!((other.kind, other.records), (FileKind::AuditLogCsv, 0));
}

#[test]
fn audit_data_travels_in_the_wire_form_and_damage_is_refused() {
    use sspr_insights::model::wire::{self, SliceIn};
    let ds = audit_of(&[GRAPH, "graph_user_events_summary.json"]);
    let bytes = wire::encode_dataset(&ds);
    let back = wire::decode_dataset(&mut SliceIn::new(&bytes)).unwrap();
    assert_eq!(wire::encode_dataset(&back), bytes);
    assert_eq!(dump(&back), dump(&ds));
    assert_eq!(back.warnings(), ds.warnings());
    // Cut anywhere in the audit section, or with a step pointing past the rows: an error.
    for cut in (bytes.len() - 600..bytes.len()).step_by(37) {
        assert!(
            wire::decode_dataset(&mut SliceIn::new(&bytes[..cut])).is_err(),
            "{cut}"
        );
    }
    // The steps end the message; an even count of them leaves no padding after the last.
    let steps: usize = (0..ds.audit().entry_count() as u32)
        .map(|i| ds.attempt(i).step_count())
        .sum();
    assert_eq!(steps % 2, 0);
    let mut damaged = bytes.clone();
    let n = damaged.len();
    damaged[n - 8..].copy_from_slice(&u64::MAX.to_le_bytes());
    assert!(wire::decode_dataset(&mut SliceIn::new(&damaged)).is_err());
}
