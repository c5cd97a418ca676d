//! The dataset and what is derived from it: merge and de-duplication, as-of, data-quality
//! warnings, tiles per population, period boundaries, chart aggregates and the trend.

mod common;

use common::*;
use sspr_insights::model::{
    method_counts, tiles, trend, AsOf, Dataset, Feature, Method, Period, Population, RoleKind,
    SourceKind, UserKind,
};

const AS_OF: &str = "2026-11-20T12:00:00Z";

fn event(id: &str, time: &str, feature: &str, ok: bool, method: &str, upn: &str) -> String {
    format!(
        r#"{{"id":"{id}","feature":"{feature}","userPrincipalName":"{upn}","userDisplayName":"{upn}","isSuccess":{ok},"authMethod":"{method}","failureReason":"","eventDateTime":"{time}"}}"#
    )
}

fn page(records: &[String]) -> String {
    format!("{{\"value\":[{}]}}", records.join(","))
}

#[test]
fn an_event_exactly_at_as_of_minus_the_period_is_out_and_one_at_as_of_is_in() {
    let records = vec![
        event("a", "2026-11-13T12:00:00Z", "reset", true, "sms", "a@x"), // as_of − 7 d: out
        event("b", "2026-11-13T12:00:00.001Z", "reset", true, "sms", "a@x"), // just inside
        event("c", "2026-11-20T12:00:00Z", "reset", false, "sms", "a@x"), // at as_of: in
        event("d", "2026-11-19T12:00:00Z", "reset", true, "email", "a@x"), // as_of − 24 h: out of 24 h
        event(
            "e",
            "2026-11-19T12:00:00.001Z",
            "registration",
            true,
            "email",
            "a@x",
        ),
    ];
    let ds = Dataset::build(
        vec![batch_of("e.json", &page(&records))],
        AsOf::At(ms(AS_OF)),
        SourceKind::Live {
            host: "graph.microsoft.com".into(),
        },
    );
    let week = method_counts(&ds, Period::Week, Population::ALL);
    assert_eq!(week.totals(Feature::Reset), (2, 1)); // b, d succeeded; c failed
    assert_eq!(
        week.of_code(Feature::Reset, Method::Sms.canonical_code().unwrap()),
        (1, 1)
    );
    let day = method_counts(&ds, Period::Day, Population::ALL);
    assert_eq!(day.totals(Feature::Reset), (0, 1));
    assert_eq!(day.totals(Feature::Registration), (1, 0));
    let month = method_counts(&ds, Period::Month, Population::ALL);
    assert_eq!(month.totals(Feature::Reset), (3, 1));
}

#[test]
fn live_data_is_as_of_the_fetch_and_later_events_are_flagged() {
    let records = vec![
        event("a", "2026-11-20T11:00:00Z", "reset", true, "sms", "a@x"),
        event("b", "2026-11-20T12:00:00.001Z", "reset", true, "sms", "a@x"),
    ];
    let ds = Dataset::build(
        vec![batch_of("e.json", &page(&records))],
        AsOf::At(ms(AS_OF)),
        SourceKind::Live { host: "h".into() },
    );
    assert_eq!(ds.as_of(), ms(AS_OF));
    assert_eq!(ds.warnings().events_after_as_of, 1);
    assert_eq!(
        method_counts(&ds, Period::Day, Population::ALL).totals(Feature::Reset),
        (1, 0)
    );
}

#[test]
fn uploaded_data_is_as_of_its_newest_time_including_report_refresh_times() {
    let users = r#"{"value":[{"id":"1","userPrincipalName":"a@x","isSsprRegistered":true,"isSsprEnabled":true,"lastUpdatedDateTime":"2026-11-21T00:00:00Z"}]}"#;
    let events = page(&[event(
        "a",
        "2026-11-20T11:00:00Z",
        "reset",
        true,
        "sms",
        "a@x",
    )]);
    let ds = Dataset::build(
        vec![batch_of("u.json", users), batch_of("e.json", &events)],
        AsOf::Newest,
        SourceKind::Uploaded,
    );
    assert_eq!(ds.as_of(), ms("2026-11-21T00:00:00Z"));
    assert_eq!(ds.last_updated(), Some(ms("2026-11-21T00:00:00Z")));
}

#[test]
fn files_merge_users_by_id_last_wins_and_events_by_id_once() {
    let ds = dataset_of(&[
        "graph_user_registration_details_beta_page1.json",
        "graph_user_registration_details_beta_page2.json",
        "events_array_of_pages.json",
        "events.ndjson",
    ]);
    // e-1 is in both event files.
    assert_eq!(ds.event_count(), 5);
    assert_eq!(ds.warnings().duplicate_events, 1);
    let later = batch_of(
        "update.json",
        r#"[{"id":"u-2","userPrincipalName":"diego@contoso.com","userDisplayName":"Diego S.","isSsprRegistered":true,"isSsprEnabled":true,"methodsRegistered":["email","mobilePhone"]}]"#,
    );
    let merged = ds.merge(vec![later], AsOf::Newest, SourceKind::Uploaded);
    assert_eq!(merged.user_count(), 4);
    assert_eq!(merged.event_count(), 5);
    assert_eq!(merged.warnings().duplicate_users, 1);
    let diego = merged.users().find(|u| u.id() == "u-2").unwrap();
    assert!(diego.enabled() && diego.capable());
    assert_eq!(merged.sources().len(), 5);
}

#[test]
fn users_without_an_id_are_keyed_by_user_name() {
    let a = batch_of("a.csv", "User name,Registered,Enabled\nAnn@X.com,no,no\n");
    let b = batch_of("b.csv", "User name,Registered,Enabled\nann@x.com,yes,yes\n");
    let ds = Dataset::build(vec![a, b], AsOf::Newest, SourceKind::Uploaded);
    assert_eq!(ds.user_count(), 1);
    assert!(ds.user(0).capable());
    assert_eq!(ds.warnings().duplicate_users, 1);
}

#[test]
fn capable_is_derived_from_registered_and_enabled_when_not_exported() {
    let batch = batch_of(
        "u.json",
        r#"[{"id":"1","userPrincipalName":"a@x","isSsprRegistered":true,"isSsprEnabled":true},
            {"id":"2","userPrincipalName":"b@x","isSsprRegistered":true,"isSsprEnabled":false},
            {"id":"3","userPrincipalName":"c@x","isSsprRegistered":false,"isSsprEnabled":false,"isSsprCapable":true}]"#,
    );
    let ds = Dataset::build(vec![batch], AsOf::Newest, SourceKind::Uploaded);
    assert!(ds.user(0).capable());
    assert!(!ds.user(1).capable());
    assert!(
        ds.user(2).capable(),
        "an exported flag is taken as exported"
    );
    assert_eq!(ds.warnings().contradictory_flags, 1);
}

#[test]
fn warnings_count_unknown_methods_missing_user_names_and_bad_times() {
    let batch = batch_of(
        "u.json",
        r#"[{"id":"1","userDisplayName":"No UPN","isSsprRegistered":false,"isSsprEnabled":false,"methodsRegistered":["qrCode","email","QRCODE"]},
            {"id":"2","userPrincipalName":"b@x","isSsprRegistered":true,"isSsprEnabled":true,"methodsRegistered":["qrCode"],"lastUpdatedDateTime":"last Tuesday"}]"#,
    );
    let events = batch_of(
        "e.ndjson",
        &event("x", "2026-11-20T10:00:00Z", "reset", true, "qrCode", ""),
    );
    let ds = Dataset::build(vec![batch, events], AsOf::Newest, SourceKind::Uploaded);
    let w = ds.warnings();
    assert_eq!(w.unknown_methods, vec![("qrCode".to_string(), 3)]);
    assert_eq!(w.users_without_user_name, 1);
    assert_eq!(w.events_without_user_name, 1);
    assert_eq!(w.malformed_times, 1);
    let messages = w.messages();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("qrCode") && m.contains("3 times")),
        "{messages:?}"
    );
}

#[test]
fn tiles_count_the_population_and_share_of_it() {
    let batch = batch_of(
        "u.json",
        r#"[{"id":"1","userPrincipalName":"a@x","userType":"member","isAdmin":true,"isSsprRegistered":true,"isSsprEnabled":true},
            {"id":"2","userPrincipalName":"b@x","userType":"member","isAdmin":false,"isSsprRegistered":true,"isSsprEnabled":false},
            {"id":"3","userPrincipalName":"c@x","userType":"member","isAdmin":false,"isSsprRegistered":false,"isSsprEnabled":true},
            {"id":"4","userPrincipalName":"g#EXT#@x","userType":"guest","isAdmin":false,"isSsprRegistered":true,"isSsprEnabled":false}]"#,
    );
    let ds = Dataset::build(vec![batch], AsOf::Newest, SourceKind::Uploaded);
    let all = tiles(&ds, Population::ALL);
    assert_eq!(
        (
            all.population,
            all.registered.count,
            all.enabled.count,
            all.capable.count
        ),
        (4, 3, 2, 1)
    );
    assert!((all.registered.share - 0.75).abs() < 1e-9);
    assert_eq!(
        (all.enabled_not_registered, all.registered_not_enabled),
        (1, 2)
    );
    assert_eq!(all.registered.insight, "1 enabled user not registered yet");
    let members = tiles(
        &ds,
        Population {
            users: UserKind::Members,
            roles: RoleKind::All,
        },
    );
    assert_eq!((members.population, members.registered.count), (3, 2));
    let guests = tiles(
        &ds,
        Population {
            users: UserKind::Guests,
            roles: RoleKind::All,
        },
    );
    assert_eq!((guests.population, guests.capable.count), (1, 0));
    let admins = tiles(
        &ds,
        Population {
            users: UserKind::All,
            roles: RoleKind::Admins,
        },
    );
    assert_eq!((admins.population, admins.capable.count), (1, 1));
    let non_admins = tiles(
        &ds,
        Population {
            users: UserKind::Members,
            roles: RoleKind::NonAdmins,
        },
    );
    assert_eq!(non_admins.population, 2);
    assert_eq!(
        tiles(&Dataset::default(), Population::ALL).registered.share,
        0.0
    );
}

#[test]
fn charts_follow_the_population_of_the_people_behind_events() {
    let users = batch_of(
        "u.json",
        r#"[{"id":"1","userPrincipalName":"admin@x","isAdmin":true,"isSsprRegistered":true,"isSsprEnabled":true},
            {"id":"2","userPrincipalName":"user@x","isAdmin":false,"isSsprRegistered":true,"isSsprEnabled":true}]"#,
    );
    let events = batch_of(
        "e.json",
        &page(&[
            event("1", "2026-11-20T10:00:00Z", "reset", true, "sms", "admin@x"),
            event("2", "2026-11-20T10:00:00Z", "reset", false, "sms", "user@x"),
            event(
                "3",
                "2026-11-20T10:00:00Z",
                "reset",
                false,
                "email",
                "stranger@x",
            ),
        ]),
    );
    let ds = Dataset::build(vec![users, events], AsOf::Newest, SourceKind::Uploaded);
    let admins = Population {
        users: UserKind::All,
        roles: RoleKind::Admins,
    };
    assert_eq!(
        method_counts(&ds, Period::Day, admins).totals(Feature::Reset),
        (1, 0)
    );
    let non_admins = Population {
        users: UserKind::All,
        roles: RoleKind::NonAdmins,
    };
    assert_eq!(
        method_counts(&ds, Period::Day, non_admins).totals(Feature::Reset),
        (0, 1)
    );
    // Someone with no registration row counts only when roles are "all".
    let members = Population {
        users: UserKind::Members,
        roles: RoleKind::All,
    };
    assert_eq!(
        method_counts(&ds, Period::Day, members).totals(Feature::Reset),
        (1, 2)
    );
}

#[test]
fn chart_rows_are_stable_across_periods_and_in_table_order() {
    let ds = dataset_of(&[
        "events_array_of_pages.json",
        "events.ndjson",
        "events_bare_array.json",
    ]);
    let rows = |p| -> Vec<Method> {
        method_counts(&ds, p, Population::ALL)
            .rows(Feature::Reset)
            .into_iter()
            .map(|r| r.method)
            .collect()
    };
    assert_eq!(rows(Period::Day), rows(Period::Month));
    assert_eq!(
        rows(Period::Month),
        vec![
            Method::AppNotification,
            Method::Sms,
            Method::PhoneCall,
            Method::SecurityQuestions,
            Method::Other("unknownFutureValue".into())
        ]
    );
    let sms = method_counts(&ds, Period::Month, Population::ALL)
        .rows(Feature::Reset)
        .into_iter()
        .find(|r| r.method == Method::Sms)
        .unwrap();
    assert_eq!(
        (sms.success, sms.failure),
        (1, 1),
        "sms and mobileSMS are one method"
    );
}

#[test]
fn the_trend_has_hourly_buckets_for_a_day_and_utc_days_otherwise() {
    let records = vec![
        event("a", "2026-11-20T11:30:00Z", "reset", true, "sms", "a@x"),
        event("b", "2026-11-20T11:59:00Z", "reset", false, "sms", "a@x"),
        event(
            "c",
            "2026-11-19T12:30:00Z",
            "registration",
            true,
            "email",
            "a@x",
        ),
        event("d", "2026-11-14T00:00:00Z", "reset", true, "email", "a@x"),
    ];
    let ds = Dataset::build(
        vec![batch_of("e.json", &page(&records))],
        AsOf::At(ms(AS_OF)),
        SourceKind::Uploaded,
    );
    let day = trend(&ds, Period::Day, Population::ALL);
    assert!(day.hourly);
    assert_eq!(day.buckets.len(), 25); // 12:00 (partial) yesterday … 12:00 today
    assert_eq!(day.buckets[0].start, ms("2026-11-19T12:00:00Z"));
    let last_full = &day.buckets[23];
    assert_eq!(last_full.start, ms("2026-11-20T11:00:00Z"));
    assert_eq!((last_full.reset_success, last_full.reset_failure), (1, 1));
    assert_eq!(day.buckets[0].registration_success, 1);
    let week = trend(&ds, Period::Week, Population::ALL);
    assert!(!week.hourly);
    assert_eq!(week.buckets.len(), 8);
    assert_eq!(week.buckets[0].start, ms("2026-11-13T00:00:00Z"));
    assert_eq!(week.buckets[1].reset_success, 1);
    let total: u32 = week
        .buckets
        .iter()
        .map(|b| b.reset_success + b.reset_failure + b.registration_success)
        .sum();
    assert_eq!(total, 4);
}

#[test]
fn an_empty_dataset_computes_empty_views() {
    let ds = Dataset::default();
    assert!(ds.is_empty());
    assert_eq!(
        method_counts(&ds, Period::Week, Population::ALL).rows(Feature::Reset),
        vec![]
    );
    assert!(trend(&ds, Period::Week, Population::ALL)
        .buckets
        .iter()
        .all(|b| b.reset_success == 0));
    assert!(sspr_insights::model::insights(&ds, Period::Week, Population::ALL).is_empty());
}

#[test]
fn merging_keeps_the_notes_of_earlier_loads() {
    let bad = sspr_insights::model::import_file(
        "first.json",
        br#"[{"id":"1","feature":"reset","isSuccess":"?","eventDateTime":"2026-11-20T10:00:00Z"},
             {"id":"2","feature":"reset","isSuccess":true,"eventDateTime":"2026-11-20T10:00:00Z"}]"#,
    );
    let first = Dataset::build(
        vec![bad.into_batch_without_bad_records()],
        AsOf::Newest,
        SourceKind::Uploaded,
    );
    let second = batch_of(
        "second.json",
        &page(&[event(
            "3",
            "2026-11-20T11:00:00Z",
            "reset",
            true,
            "sms",
            "a@x",
        )]),
    );
    let merged = first.merge(vec![second], AsOf::Newest, SourceKind::Uploaded);
    assert_eq!(merged.event_count(), 2);
    assert_eq!(
        merged.warnings().skipped_records,
        vec![("first.json".to_string(), 1)]
    );
    let names: Vec<&str> = merged.sources().iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, vec!["first.json", "second.json"]);
}

#[test]
fn pages_of_one_list_are_one_source() {
    let mut first = batch_of(
        "p1.json",
        &page(&[event(
            "1",
            "2026-11-20T10:00:00Z",
            "reset",
            true,
            "sms",
            "a@x",
        )]),
    );
    let mut second = batch_of(
        "p2.json",
        &page(&[event(
            "2",
            "2026-11-20T11:00:00Z",
            "reset",
            true,
            "sms",
            "a@x",
        )]),
    );
    first.set_source("userEventsSummary (live)");
    second.set_source("userEventsSummary (live)");
    let ds = Dataset::build(vec![first, second], AsOf::Newest, SourceKind::Uploaded);
    assert_eq!(ds.sources().len(), 1);
    assert_eq!(ds.sources()[0].events, 2);
}

#[test]
fn users_and_events_mixed_in_one_file_keep_their_own_names_across_many_lookups() {
    // Users and events interleaved, more of them than the importer looks up at once, with user
    // names spelt in other cases by the events: every user and event keeps its own names, and an
    // event's person is its user's.
    let user = |i: usize| {
        format!(
            r#"{{"id":"u{i}","userPrincipalName":"User{i}@X","userDisplayName":"User {i}","isSsprRegistered":true,"isSsprEnabled":true,"methodsRegistered":["sms"]}}"#
        )
    };
    let mut records = Vec::new();
    for i in 0..700 {
        records.push(event(
            &format!("e{i}"),
            "2026-11-19T12:00:00Z",
            "reset",
            true,
            "sms",
            &format!("user{}@x", (i * 7) % 1000),
        ));
        if i % 3 != 0 {
            records.push(user(i));
        }
    }
    let ds = Dataset::build(
        vec![batch_of("mixed.json", &page(&records))],
        AsOf::At(ms(AS_OF)),
        SourceKind::Sample,
    );
    assert_eq!(ds.event_count(), 700);
    for u in ds.users() {
        let i: usize = u.id()[1..].parse().unwrap();
        // The first spelling met is kept: an event's when one came first.
        let seen_first_in_event = (0..=i).any(|e| (e * 7) % 1000 == i);
        let expected = if seen_first_in_event {
            format!("user{i}@x")
        } else {
            format!("User{i}@X")
        };
        assert_eq!(u.user_name(), expected, "user {i}");
    }
    let users: std::collections::HashMap<String, &str> = ds
        .users()
        .map(|u| (u.user_name().to_ascii_lowercase(), u.user_name()))
        .collect();
    for e in ds.events() {
        if let Some(&user_name) = users.get(&e.user_name().to_ascii_lowercase()) {
            assert_eq!(e.user_name(), user_name, "event {}", e.index());
        }
    }
}

#[test]
fn data_without_a_single_time_has_no_known_as_of_time() {
    let user = r#"{"id":"u1","userPrincipalName":"a@x","userDisplayName":"A","isSsprRegistered":true,"isSsprEnabled":true,"methodsRegistered":["sms"]}"#;
    let now = ms("2026-11-20T12:00:00Z");
    let timeless = Dataset::build(
        vec![batch_of("u.json", &page(&[user.to_string()]))],
        AsOf::Loaded(now),
        SourceKind::Uploaded,
    );
    assert_eq!(timeless.as_of_known(), None);
    // One event, an update time, or a fetch at a known moment gives it.
    let with_event = Dataset::build(
        vec![batch_of(
            "e.json",
            &page(&[event("e", AS_OF, "reset", true, "sms", "a@x")]),
        )],
        AsOf::Loaded(now),
        SourceKind::Uploaded,
    );
    assert_eq!(with_event.as_of_known(), Some(ms(AS_OF)));
    let updated = user.replace(
        r#""methodsRegistered""#,
        r#""lastUpdatedDateTime":"2026-11-19T00:00:00Z","methodsRegistered""#,
    );
    let with_update = Dataset::build(
        vec![batch_of("u.json", &page(&[updated]))],
        AsOf::Loaded(now),
        SourceKind::Uploaded,
    );
    assert_eq!(with_update.as_of_known(), Some(ms("2026-11-19T00:00:00Z")));
    let fetched = Dataset::build(
        vec![batch_of("u.json", &page(&[user.to_string()]))],
        AsOf::At(now),
        SourceKind::Live {
            host: "graph.microsoft.com".into(),
        },
    );
    assert_eq!(fetched.as_of_known(), Some(now));
}
