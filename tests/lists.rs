//! Filters, search and sort of both lists: index vectors, stable sorts, case-insensitive search.

mod common;

use common::*;
use sspr_insights::model::{
    event_order, filter_events, filter_events_in, filter_users, user_order, AsOf, Dataset,
    EventColumn, EventFilter, Feature, Method, Period, Population, RoleKind, Sort, SourceKind,
    Status, UserColumn, UserFilter, UserKind,
};

fn sample() -> Dataset {
    dataset_of(&[
        "graph_user_registration_details_beta_page1.json",
        "graph_user_registration_details_beta_page2.json",
        "events_array_of_pages.json",
        "events.ndjson",
        "events_bare_array.json",
    ])
}

fn names(ds: &Dataset, rows: &[u32]) -> Vec<String> {
    rows.iter()
        .map(|&u| ds.user(u).name().to_string())
        .collect()
}

#[test]
fn registration_filters_combine() {
    let ds = sample();
    let capable = filter_users(
        &ds,
        &UserFilter {
            capable: Some(true),
            ..UserFilter::default()
        },
    );
    assert_eq!(names(&ds, &capable), vec!["Adele Vance"]);
    let not_capable = filter_users(
        &ds,
        &UserFilter {
            capable: Some(false),
            ..UserFilter::default()
        },
    );
    assert_eq!(not_capable.len(), ds.user_count() - capable.len());
    let enabled_not_registered = filter_users(
        &ds,
        &UserFilter {
            enabled: Some(true),
            registered: Some(false),
            ..UserFilter::default()
        },
    );
    assert_eq!(names(&ds, &enabled_not_registered), vec!["Grady Archie"]);
}

#[test]
fn a_user_matches_the_methods_filter_when_they_have_any_of_them() {
    let ds = sample();
    let phone = filter_users(
        &ds,
        &UserFilter {
            methods: vec![Method::MobilePhone],
            ..UserFilter::default()
        },
    );
    assert_eq!(names(&ds, &phone), vec!["Adele Vance", "Megan Bowen"]);
    let either = filter_users(
        &ds,
        &UserFilter {
            methods: vec![Method::Email, Method::Other("QRCODE".into())],
            ..UserFilter::default()
        },
    );
    assert_eq!(names(&ds, &either), vec!["Diego Siciliani", "Grady Archie"]);
    let nobody = filter_users(
        &ds,
        &UserFilter {
            methods: vec![Method::Certificate],
            ..UserFilter::default()
        },
    );
    assert!(nobody.is_empty());
}

#[test]
fn search_is_a_case_insensitive_substring_of_name_or_user_name() {
    let ds = sample();
    let by_name = filter_users(
        &ds,
        &UserFilter {
            search: "BOWEN".into(),
            ..UserFilter::default()
        },
    );
    assert_eq!(names(&ds, &by_name), vec!["Megan Bowen"]);
    let by_upn = filter_users(
        &ds,
        &UserFilter {
            search: "o@contoso".into(),
            ..UserFilter::default()
        },
    );
    assert_eq!(names(&ds, &by_upn), vec!["Diego Siciliani"]);
    let events = filter_events(
        &ds,
        &EventFilter {
            period: Period::Month,
            search: "grady".into(),
            ..EventFilter::default()
        },
    );
    assert_eq!(events.len(), 2);
    let blank = filter_users(
        &ds,
        &UserFilter {
            search: "   ".into(),
            ..UserFilter::default()
        },
    );
    assert_eq!(blank.len(), ds.user_count());
}

#[test]
fn sorting_by_any_column_is_stable_both_ways() {
    let ds = sample();
    let by_name = filter_users(&ds, &UserFilter::default());
    assert_eq!(
        names(&ds, &by_name),
        vec![
            "Adele Vance",
            "Diego Siciliani",
            "Grady Archie",
            "Megan Bowen"
        ]
    );
    let desc = filter_users(
        &ds,
        &UserFilter {
            sort: Sort {
                column: UserColumn::Name,
                descending: true,
            },
            ..UserFilter::default()
        },
    );
    assert_eq!(
        names(&ds, &desc),
        vec![
            "Megan Bowen",
            "Grady Archie",
            "Diego Siciliani",
            "Adele Vance"
        ]
    );
    // Ties keep load order whichever the direction.
    let registered_first = user_order(
        &ds,
        Sort {
            column: UserColumn::Registered,
            descending: true,
        },
    );
    assert_eq!(registered_first, vec![0, 1, 3, 2]);
    let registered_last = user_order(
        &ds,
        Sort {
            column: UserColumn::Registered,
            descending: false,
        },
    );
    assert_eq!(registered_last, vec![2, 0, 1, 3]);
    for column in UserColumn::ALL {
        for descending in [false, true] {
            let mut order = user_order(&ds, Sort { column, descending });
            order.sort_unstable();
            assert_eq!(
                order,
                (0..ds.user_count() as u32).collect::<Vec<_>>(),
                "{column:?}"
            );
        }
    }
}

#[test]
fn activity_defaults_to_newest_first_within_the_period() {
    let ds = sample();
    let week = filter_events(&ds, &EventFilter::default());
    let times: Vec<i64> = week.iter().map(|&e| ds.event(e).time()).collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]));
    assert!(times.iter().all(|&t| t > ds.as_of() - 7 * 86_400_000));
    assert_eq!(week.len(), ds.event_count());
    let day = filter_events(
        &ds,
        &EventFilter {
            period: Period::Day,
            ..EventFilter::default()
        },
    );
    assert_eq!(
        day.len(),
        4,
        "as of Megan's 11:00 refresh: e-3 the day before at 08:00 is out"
    );
}

#[test]
fn activity_filters_by_feature_status_method_and_reason() {
    let ds = sample();
    let base = EventFilter {
        period: Period::Month,
        ..EventFilter::default()
    };
    let failed_resets = filter_events(
        &ds,
        &EventFilter {
            feature: Some(Feature::Reset),
            status: Some(Status::Failure),
            ..base.clone()
        },
    );
    assert_eq!(failed_resets.len(), 4);
    let sms = filter_events(
        &ds,
        &EventFilter {
            method: Some(Method::Sms),
            ..base.clone()
        },
    );
    assert_eq!(sms.len(), 2, "sms and mobileSMS");
    let reason = filter_events(
        &ds,
        &EventFilter {
            reason: Some("A system error has occurred.".into()),
            ..base.clone()
        },
    );
    assert_eq!(reason.len(), 1);
    let absent = filter_events(
        &ds,
        &EventFilter {
            method: Some(Method::Certificate),
            ..base
        },
    );
    assert!(absent.is_empty());
}

#[test]
fn any_sort_with_a_filter_equals_the_filter_of_the_sorted_order() {
    let ds = sample();
    for column in EventColumn::ALL {
        for descending in [false, true] {
            let sort = Sort { column, descending };
            let filter = EventFilter {
                period: Period::Month,
                sort,
                status: Some(Status::Failure),
                ..EventFilter::default()
            };
            let order = event_order(&ds, sort);
            let via_order = filter_events_in(&ds, &filter, &order);
            assert_eq!(
                filter_events(&ds, &filter),
                via_order,
                "{column:?} {descending}"
            );
            assert_eq!(via_order.len(), 4);
        }
    }
    let by_method = filter_events(
        &ds,
        &EventFilter {
            period: Period::Month,
            sort: Sort {
                column: EventColumn::Method,
                descending: false,
            },
            ..EventFilter::default()
        },
    );
    let labels: Vec<String> = by_method
        .iter()
        .map(|&e| ds.event(e).method().map(|m| m.label()).unwrap_or_default())
        .collect();
    let mut sorted = labels.clone();
    sorted.sort_by_key(|l| l.to_lowercase());
    assert_eq!(labels, sorted);
}

#[test]
fn the_population_applies_to_both_lists() {
    let ds = sample();
    let admins = Population {
        users: UserKind::All,
        roles: RoleKind::Admins,
    };
    let users = filter_users(
        &ds,
        &UserFilter {
            population: admins,
            ..UserFilter::default()
        },
    );
    assert_eq!(names(&ds, &users), vec!["Adele Vance"]);
    let events = filter_events(
        &ds,
        &EventFilter {
            period: Period::Month,
            population: admins,
            ..EventFilter::default()
        },
    );
    assert!(events
        .iter()
        .all(|&e| ds.event(e).user_name() == "adele@contoso.com"));
    assert_eq!(events.len(), 2);
}

#[test]
fn repeated_failures_and_sms_only_lenses_select_their_people() {
    let page = |rows: &[(&str, &str, bool, &str)]| {
        let records: Vec<String> = rows
            .iter()
            .enumerate()
            .map(|(i, (upn, time, ok, method))| format!(
                r#"{{"id":"{i}","feature":"reset","userPrincipalName":"{upn}","isSuccess":{ok},"authMethod":"{method}","eventDateTime":"{time}"}}"#
            ))
            .collect();
        format!("[{}]", records.join(","))
    };
    let text = page(&[
        ("a@x", "2026-11-20T01:00:00Z", false, "sms"),
        ("a@x", "2026-11-20T02:00:00Z", false, "email"),
        ("a@x", "2026-11-20T03:00:00Z", false, "sms"),
        ("b@x", "2026-11-20T04:00:00Z", false, "sms"),
        ("b@x", "2026-11-20T05:00:00Z", true, "sms"),
        ("c@x", "2026-11-20T06:00:00Z", true, "sms"),
        ("c@x", "2026-11-20T07:00:00Z", true, "email"),
    ]);
    let ds = Dataset::build(
        vec![batch_of("e.json", &text)],
        AsOf::Newest,
        SourceKind::Uploaded,
    );
    let repeat = filter_events(
        &ds,
        &EventFilter {
            feature: Some(Feature::Reset),
            status: Some(Status::Failure),
            repeat: Some(3),
            ..EventFilter::default()
        },
    );
    assert_eq!(repeat.len(), 3);
    assert!(repeat.iter().all(|&e| ds.event(e).user_name() == "a@x"));
    let sms_only = filter_events(
        &ds,
        &EventFilter {
            sms_only: true,
            ..EventFilter::default()
        },
    );
    assert_eq!(sms_only.len(), 2);
    assert!(sms_only.iter().all(|&e| ds.event(e).user_name() == "b@x"));
}

#[test]
fn the_method_filters_offer_exactly_the_methods_in_the_data() {
    use sspr_insights::model::lists::{event_methods, user_methods};
    let ds = sample();
    let offered = user_methods(&ds);
    let mut registered: Vec<Method> = ds.users().flat_map(|u| u.methods()).collect();
    registered.dedup();
    for m in &registered {
        assert!(offered.contains(m), "{m:?} is registered but not offered");
    }
    for m in &offered {
        assert!(registered.contains(m), "{m:?} is offered but nobody has it");
    }
    assert!(offered.contains(&Method::Other("qrCode".into())));
    assert!(!offered.contains(&Method::Certificate));

    let used = event_methods(&ds);
    assert!(!used.is_empty());
    for m in &used {
        assert!(
            ds.events().any(|e| e.method().as_ref() == Some(m)),
            "{m:?} is offered but no event used it"
        );
    }
    for e in ds.events() {
        if let Some(m) = e.method() {
            assert!(used.contains(&m), "{m:?} is used but not offered");
        }
    }
    // Canonical methods come first, in the method table's order.
    let canonical: Vec<&Method> = used
        .iter()
        .filter(|m| m.canonical_code().is_some())
        .collect();
    let mut sorted = canonical.clone();
    sorted.sort_by_key(|m| m.canonical_code());
    assert_eq!(canonical, sorted);
}

#[test]
fn a_header_click_flips_its_own_column_and_starts_another_ascending_or_newest_first() {
    use sspr_insights::model::lists::sort_after_click;
    let by_name = Sort::<UserColumn>::default();
    assert_eq!(
        sort_after_click(by_name, UserColumn::Name),
        Sort {
            column: UserColumn::Name,
            descending: true
        }
    );
    assert_eq!(
        sort_after_click(by_name, UserColumn::Capable),
        Sort {
            column: UserColumn::Capable,
            descending: false
        }
    );
    assert_eq!(
        sort_after_click(by_name, UserColumn::LastUpdated),
        Sort {
            column: UserColumn::LastUpdated,
            descending: true
        }
    );
    let newest_first = Sort::<EventColumn>::default();
    let oldest_first = sort_after_click(newest_first, EventColumn::Date);
    assert!(!oldest_first.descending);
    assert_eq!(
        sort_after_click(oldest_first, EventColumn::Status),
        Sort {
            column: EventColumn::Status,
            descending: false
        }
    );
}

// ---- the list page's contract: which rows a filter chooses, in which order ----

#[test]
fn the_rows_a_list_chooses_are_the_filters_rows_for_every_sort() {
    use sspr_insights::model::lists::ListFilter;
    let ds = sample();
    for column in UserColumn::ALL {
        for descending in [false, true] {
            let filter = UserFilter {
                sort: Sort { column, descending },
                registered: Some(true),
                ..UserFilter::default()
            };
            let order = UserFilter::order(&ds, filter.sort);
            assert_eq!(
                filter.rows(&ds, &order),
                filter_users(&ds, &filter),
                "{column:?} {descending}"
            );
        }
    }
    for column in EventColumn::ALL {
        for descending in [false, true] {
            let filter = EventFilter {
                period: Period::Month,
                sort: Sort { column, descending },
                feature: Some(Feature::Reset),
                ..EventFilter::default()
            };
            let order = EventFilter::order(&ds, filter.sort);
            let rows = filter.rows(&ds, &order);
            assert_eq!(rows, filter_events(&ds, &filter), "{column:?} {descending}");
            assert!(!rows.is_empty());
        }
    }
}

#[test]
fn sorted_by_date_the_activity_list_walks_the_time_order_without_a_permutation() {
    use sspr_insights::model::lists::{EventOrder, ListFilter};
    let ds = sample();
    let newest_first = Sort::<EventColumn>::default();
    assert_eq!(
        EventFilter::order(&ds, newest_first),
        EventOrder::ByTime { newest_first: true }
    );
    let oldest_first = Sort {
        column: EventColumn::Date,
        descending: false,
    };
    assert_eq!(
        EventFilter::order(&ds, oldest_first),
        EventOrder::ByTime {
            newest_first: false
        }
    );
    let by_name = Sort {
        column: EventColumn::Name,
        descending: false,
    };
    assert_eq!(
        EventFilter::order(&ds, by_name),
        EventOrder::Sorted(event_order(&ds, by_name))
    );
    // Any order is walked as given: the filter's own sort does not pick the walk.
    let filter = EventFilter {
        period: Period::Month,
        ..EventFilter::default()
    };
    let mut oldest = filter.rows(
        &ds,
        &EventOrder::ByTime {
            newest_first: false,
        },
    );
    oldest.reverse();
    let newest = filter.rows(&ds, &EventFilter::order(&ds, filter.sort));
    let times = |rows: &[u32]| -> Vec<i64> { rows.iter().map(|&e| ds.event(e).time()).collect() };
    assert_eq!(times(&oldest), times(&newest));
    assert_eq!(oldest.len(), newest.len());
}

#[test]
fn clearing_a_list_keeps_its_population_period_and_sort_and_drops_the_rest() {
    use sspr_insights::model::lists::ListFilter;
    let users = UserFilter::from_query("users=guests&capable=no&adminrule=no&q=ann&sort=-name");
    assert!(users.is_filtered());
    assert_eq!(users.cleared().to_query(), "users=guests&sort=-name");
    assert!(!users.cleared().is_filtered());
    let events = EventFilter::from_query(
        "period=30d&roles=admins&status=failure&reason=x&repeat=3&smsonly=yes&q=b&sort=name",
    );
    assert!(events.is_filtered());
    assert_eq!(
        events.cleared().to_query(),
        "period=30d&roles=admins&sort=name"
    );
    assert!(!EventFilter::from_query("period=24h&users=members").is_filtered());
}

#[test]
fn the_search_is_part_of_the_filter_and_of_its_query() {
    use sspr_insights::model::lists::ListFilter;
    let mut filter = EventFilter::from_query("status=failure");
    assert_eq!(ListFilter::search(&filter), "");
    filter.set_search("megan".to_string());
    assert_eq!(ListFilter::to_query(&filter), "status=failure&q=megan");
    assert_eq!(
        <EventFilter as ListFilter>::from_query("status=failure&q=megan"),
        filter
    );
}

#[test]
fn a_header_click_names_its_column_by_url_id_and_an_unknown_id_changes_nothing() {
    use sspr_insights::model::lists::{ListFilter, SortColumn};
    let mut users = UserFilter::default();
    users.click_header("updated");
    assert_eq!(
        users.sort,
        Sort {
            column: UserColumn::LastUpdated,
            descending: true
        }
    );
    users.click_header("updated");
    assert!(!users.sort.descending);
    let before = users.clone();
    users.click_header("shoe size");
    assert_eq!(users, before);
    let mut events = EventFilter::default();
    events.click_header("date");
    assert_eq!(
        events.sort,
        Sort {
            column: EventColumn::Date,
            descending: false
        }
    );
    for column in <UserColumn as SortColumn>::ALL {
        assert_eq!(
            <UserColumn as SortColumn>::parse(column.id()),
            Some(*column)
        );
    }
    for column in <EventColumn as SortColumn>::ALL {
        assert_eq!(
            <EventColumn as SortColumn>::parse(column.id()),
            Some(*column)
        );
    }
}

#[test]
fn each_list_counts_its_own_rows_of_the_loaded_data() {
    use sspr_insights::model::lists::ListFilter;
    let ds = sample();
    assert_eq!(UserFilter::total(&ds), ds.user_count());
    assert_eq!(EventFilter::total(&ds), ds.event_count());
    assert_eq!(UserFilter::total(&Dataset::default()), 0);
}
