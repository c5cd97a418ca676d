//! The URL vocabulary (spec §2) both ways: a filter written to a query reads back to the same
//! filter; unknown keys and bad values fall back to defaults; links between screens carry the
//! filters that apply; a deployment's base path comes from its boot script's URL.

use sspr_insights::model::mfa::filter::{MfaColumn, MfaFilter};
use sspr_insights::model::policy::ScopeChoice;
use sspr_insights::model::query::{
    base_path_of, canonical_path, key, link_with_filters, on_off_id, overview_query, parse_pairs,
    path, period_of, policy_href, policy_query, population_of, registrations_href, with_values,
    yes_no_id,
};
use sspr_insights::model::words::parse_yes_no;
use sspr_insights::model::{
    EventColumn, EventFilter, Feature, Method, Period, PolicyMethod, Population, RoleKind,
    Scenario, Sort, Status, UserColumn, UserFilter, UserKind, WhatIfFilter, WhatIfSide,
};

#[test]
fn a_registrations_filter_round_trips_through_the_query() {
    let filter = UserFilter {
        population: Population {
            users: UserKind::Members,
            roles: RoleKind::Admins,
        },
        registered: Some(true),
        enabled: Some(false),
        capable: None,
        methods: vec![
            Method::Sms,
            Method::AppNotification,
            Method::Other("qrCode".into()),
        ],
        admin_rule: Some(false),
        search: "Zoë & co=1".to_string(),
        sort: Sort {
            column: UserColumn::LastUpdated,
            descending: true,
        },
        whatif: None,
        mfa: MfaFilter::default(),
    };
    let query = filter.to_query();
    assert_eq!(
        query,
        "users=members&roles=admins&registered=yes&enabled=no&methods=Sms%2CAppNotification%2CqrCode&adminrule=no&q=Zo%C3%AB%20%26%20co%3D1&sort=-updated"
    );
    assert_eq!(UserFilter::from_query(&query), filter);
}

#[test]
fn an_activity_filter_round_trips_through_the_query() {
    let filter = EventFilter {
        period: Period::Month,
        population: Population {
            users: UserKind::Guests,
            roles: RoleKind::All,
        },
        feature: Some(Feature::Reset),
        status: Some(Status::Failure),
        method: Some(Method::PhoneCall),
        reason: Some("User's account has insufficient authentication methods".to_string()),
        repeat: Some(3),
        sms_only: true,
        search: "megan".to_string(),
        sort: Sort {
            column: EventColumn::Method,
            descending: false,
        },
    };
    let query = filter.to_query();
    assert!(
        query.starts_with(
            "period=30d&users=guests&feature=reset&status=failure&method=PhoneCall&reason="
        ),
        "{query}"
    );
    assert_eq!(EventFilter::from_query(&query), filter);
    assert_eq!(EventFilter::from_query(&format!("?{query}")), filter);
}

#[test]
fn defaults_are_left_out_of_the_query() {
    assert_eq!(UserFilter::default().to_query(), "");
    assert_eq!(EventFilter::default().to_query(), "");
    assert_eq!(overview_query(Period::Week, Population::ALL), "");
    assert_eq!(
        overview_query(
            Period::Day,
            Population {
                users: UserKind::All,
                roles: RoleKind::NonAdmins
            }
        ),
        "period=24h&roles=nonadmins"
    );
}

#[test]
fn the_spec_examples_read_as_written() {
    let f = UserFilter::from_query("?capable=no");
    assert_eq!(f.capable, Some(false));
    let e = EventFilter::from_query("feature=reset&method=sms&status=failure&period=24h");
    assert_eq!(
        (e.feature, e.method, e.status, e.period),
        (
            Some(Feature::Reset),
            Some(Method::Sms),
            Some(Status::Failure),
            Period::Day
        )
    );
    let methods = UserFilter::from_query("methods=email,mobilePhone");
    assert_eq!(methods.methods, vec![Method::Email, Method::MobilePhone]);
    let sorted = UserFilter::from_query("sort=-name");
    assert_eq!(
        sorted.sort,
        Sort {
            column: UserColumn::Name,
            descending: true
        }
    );
}

#[test]
fn unknown_keys_and_bad_values_fall_back_to_defaults() {
    let e = EventFilter::from_query(
        "period=5y&users=robots&feature=unlock&status=meh&repeat=-2&sort=-shoe&utm=x&%zz=%",
    );
    assert_eq!(e, EventFilter::default());
    let u = UserFilter::from_query("registered=perhaps&roles=&methods=,,&sort=");
    assert_eq!(u, UserFilter::default());
    let pairs = parse_pairs("period=24h&period=30d");
    assert_eq!(period_of(&pairs), Period::Month, "the last value wins");
    assert_eq!(
        population_of(&parse_pairs("users=GUESTS")),
        Population {
            users: UserKind::Guests,
            roles: RoleKind::All
        }
    );
}

#[test]
fn plus_and_percent_escapes_decode() {
    let u = UserFilter::from_query("q=ann+lee%40contoso");
    assert_eq!(u.search, "ann lee@contoso");
    let broken = UserFilter::from_query("q=100%");
    assert_eq!(broken.search, "100%");
}

#[test]
fn links_carry_the_population_and_where_it_applies_the_period() {
    let guests_admins = Population {
        users: UserKind::Guests,
        roles: RoleKind::Admins,
    };
    assert_eq!(
        link_with_filters("/registrations?capable=no", Period::Day, guests_admins),
        "/registrations?capable=no&users=guests&roles=admins"
    );
    assert_eq!(
        link_with_filters(
            "/activity?feature=reset",
            Period::Day,
            Population::default()
        ),
        "/activity?feature=reset&period=24h"
    );
    assert_eq!(
        link_with_filters("/activity?period=30d", Period::Day, Population::default()),
        "/activity?period=30d"
    );
    assert_eq!(
        link_with_filters("/", Period::Week, Population::default()),
        "/"
    );
}

#[test]
fn a_link_keeps_what_it_sets_itself_and_the_data_screen_gets_no_period() {
    let members = Population {
        users: UserKind::Members,
        roles: RoleKind::All,
    };
    assert_eq!(
        link_with_filters("/registrations?users=guests", Period::Month, members),
        "/registrations?users=guests",
        "the link's own population wins, and the list of users has no period"
    );
    assert_eq!(
        link_with_filters(path::DATA, Period::Day, members),
        "/data?users=members"
    );
    assert_eq!(
        link_with_filters(path::OVERVIEW, Period::Month, Population::ALL),
        "/?period=30d"
    );
    assert_eq!(
        link_with_filters("", Period::Day, Population::ALL),
        "?period=24h",
        "an empty href is the overview"
    );
}

#[test]
fn the_base_path_is_the_boot_scripts_folder() {
    assert_eq!(base_path_of("https://example.com/boot.js"), "");
    assert_eq!(
        base_path_of("https://example.com/tools/sspr/boot.js?v=2"),
        "/tools/sspr"
    );
    assert_eq!(base_path_of("http://127.0.0.1:8080/x/boot.js#a"), "/x");
}

#[test]
fn a_trailing_slash_after_a_screen_is_dropped_at_the_root_and_under_a_sub_path() {
    for base in ["", "/tools/sspr"] {
        for screen in [path::REGISTRATIONS, path::ACTIVITY, path::DATA] {
            let wanted = format!("{base}{screen}");
            assert_eq!(
                canonical_path(&format!("{base}{screen}/"), base),
                Some(wanted.clone())
            );
            assert_eq!(
                canonical_path(&format!("{base}{screen}//"), base),
                Some(wanted.clone()),
                "several slashes"
            );
            assert_eq!(canonical_path(&wanted, base), None, "already canonical");
        }
        assert_eq!(
            canonical_path(&format!("{base}/"), base),
            None,
            "the overview"
        );
    }
}

#[test]
fn the_base_path_alone_is_the_overview_with_its_slash() {
    assert_eq!(
        canonical_path("/tools/sspr", "/tools/sspr").as_deref(),
        Some("/tools/sspr/")
    );
    assert_eq!(
        canonical_path("/tools/sspr//", "/tools/sspr").as_deref(),
        Some("/tools/sspr/")
    );
    assert_eq!(canonical_path("//", "").as_deref(), Some("/"));
}

#[test]
fn a_path_outside_the_base_is_left_to_page_not_found() {
    assert_eq!(canonical_path("/elsewhere/activity/", "/tools/sspr"), None);
    assert_eq!(canonical_path("/tools/ssprx/", "/tools/sspr"), None);
    assert_eq!(
        canonical_path("/tools/sspr/no-such-screen/", "/tools/sspr").as_deref(),
        Some("/tools/sspr/no-such-screen"),
        "an unknown screen is still one screen"
    );
}

#[test]
fn the_base_path_ignores_slashes_in_the_query_and_fragment_and_a_host_without_a_path() {
    assert_eq!(
        base_path_of("https://example.com/a/boot.js?next=/b/c"),
        "/a"
    );
    assert_eq!(base_path_of("https://example.com/a/boot.js#/b/c"), "/a");
    assert_eq!(base_path_of("https://example.com"), "");
    assert_eq!(
        base_path_of("/sspr/boot.js"),
        "/sspr",
        "a URL without a scheme"
    );
}

#[test]
fn setting_a_key_keeps_the_rest_of_the_query_in_place() {
    assert_eq!(
        with_values("period=30d&status=failure", &[(key::PERIOD, "24h")]),
        "period=24h&status=failure"
    );
    assert_eq!(
        with_values("?status=failure", &[(key::USERS, "guests")]),
        "status=failure&users=guests"
    );
    assert_eq!(
        with_values("period=30d&period=7d&q=a%20b", &[(key::PERIOD, "24h")]),
        "period=24h&q=a%20b",
        "a repeated key is written once"
    );
    assert_eq!(with_values("", &[(key::ROLES, "admins")]), "roles=admins");
    let list = "capable=no&q=zo%C3%AB";
    assert_eq!(
        UserFilter::from_query(&with_values(list, &[(key::USERS, "guests")])),
        UserFilter {
            population: Population {
                users: UserKind::Guests,
                roles: RoleKind::All
            },
            capable: Some(false),
            search: "zoë".to_string(),
            ..UserFilter::default()
        }
    );
}

#[test]
fn every_filter_key_is_written_under_its_vocabulary_name() {
    let users = UserFilter {
        registered: Some(true),
        enabled: Some(true),
        capable: Some(true),
        methods: vec![Method::Sms],
        admin_rule: Some(true),
        search: "x".to_string(),
        sort: Sort {
            column: UserColumn::Name,
            descending: true,
        },
        population: Population {
            users: UserKind::Guests,
            roles: RoleKind::Admins,
        },
        whatif: Some(WhatIfFilter {
            scenario: Scenario {
                scope: ScopeChoice::Group,
                methods_required: 2,
                allowed: vec![PolicyMethod::Email],
                admin_policy: false,
                methods_policy: true,
            },
            side: WhatIfSide::Lose,
            without: Some(PolicyMethod::Email),
        }),
        mfa: MfaFilter {
            registered: Some(true),
            capable: Some(false),
            passwordless: Some(true),
            system_preferred: Some(false),
            default_method: Some(None),
            phone_only: true,
        },
    };
    let keys =
        |query: &str| -> Vec<String> { parse_pairs(query).into_iter().map(|(k, _)| k).collect() };
    assert_eq!(
        keys(&users.to_query()),
        [
            key::USERS,
            key::ROLES,
            key::REGISTERED,
            key::ENABLED,
            key::CAPABLE,
            key::METHODS,
            key::ADMIN_RULE,
            key::MFA_REGISTERED,
            key::MFA,
            key::PASSWORDLESS,
            key::SYSTEM_PREFERRED,
            key::DEFAULT_METHOD,
            key::PHONE_ONLY,
            key::SEARCH,
            key::SORT,
            key::SCOPE,
            key::REQUIRED,
            key::ALLOW,
            key::ADMIN_POLICY,
            key::METHODS_POLICY,
            key::WHAT_IF,
            key::WITHOUT
        ]
    );
    let events = EventFilter {
        period: Period::Day,
        population: Population::ALL,
        feature: Some(Feature::Registration),
        status: Some(Status::Success),
        method: Some(Method::Email),
        reason: Some("r".to_string()),
        repeat: Some(2),
        sms_only: true,
        search: "y".to_string(),
        sort: Sort {
            column: EventColumn::Name,
            descending: false,
        },
    };
    assert_eq!(
        keys(&events.to_query()),
        [
            key::PERIOD,
            key::FEATURE,
            key::STATUS,
            key::METHOD,
            key::REASON,
            key::REPEAT,
            key::SMS_ONLY,
            key::SEARCH,
            key::SORT
        ]
    );
}

#[test]
fn yes_no_filters_read_every_spelling_and_write_yes_or_no() {
    for (text, value) in [
        ("yes", true),
        ("TRUE", true),
        ("1", true),
        ("y", true),
        ("Capable", true),
        ("no", false),
        ("False", false),
        ("0", false),
        ("n", false),
        ("not capable", false),
        ("notcapable", false),
    ] {
        assert_eq!(parse_yes_no(text), Some(value), "{text}");
        let filter = UserFilter::from_query(&format!("capable={}", text.replace(' ', "+")));
        assert_eq!(filter.capable, Some(value), "capable={text}");
        assert_eq!(
            filter.to_query(),
            format!("capable={}", yes_no_id(value)),
            "written in normal form"
        );
    }
    assert_eq!(parse_yes_no("perhaps"), None);
    assert_eq!(parse_yes_no(""), None);
    assert!(!EventFilter::from_query("smsonly=maybe").sms_only);
    assert!(EventFilter::from_query("smsonly=1").sms_only);
}

#[test]
fn the_status_key_reads_only_its_own_ids_in_any_case() {
    assert_eq!(
        EventFilter::from_query("status=FAILURE").status,
        Some(Status::Failure)
    );
    assert_eq!(
        EventFilter::from_query("status=success").status,
        Some(Status::Success)
    );
    // `Status::parse` reads the importer's `yes` / `true`; the URL does not.
    assert_eq!(EventFilter::from_query("status=yes").status, None);
    assert_eq!(EventFilter::from_query("status=failed").status, None);
}

#[test]
fn a_what_if_scenario_round_trips_through_the_policy_query() {
    let scenario = Scenario {
        scope: ScopeChoice::AllMembers,
        methods_required: 2,
        allowed: vec![
            PolicyMethod::MobileAppNotification,
            PolicyMethod::MobilePhone,
        ],
        admin_policy: false,
        methods_policy: true,
    };
    let guests = Population {
        users: UserKind::Guests,
        roles: RoleKind::All,
    };
    let query = policy_query(&scenario, guests);
    assert_eq!(
        query,
        "users=guests&scope=members&required=2&allow=notification%2Cphone&adminpolicy=off&methodspolicy=on"
    );
    assert_eq!(Scenario::from_query(&query), scenario);
    assert_eq!(population_of(&parse_pairs(&query)), guests);
    assert_eq!(
        policy_href(&scenario, guests),
        format!("{}?{query}", path::POLICY)
    );
    // Every scope reads back, and no group allowed at all is written as `none`.
    for scope in ScopeChoice::ALL {
        let s = Scenario {
            scope,
            allowed: Vec::new(),
            ..Scenario::default()
        };
        let q = policy_query(&s, Population::ALL);
        assert!(q.contains("allow=none"), "{q}");
        assert_eq!(Scenario::from_query(&q), s, "{q}");
    }
}

#[test]
fn the_default_scenario_writes_nothing_and_bad_values_mean_the_defaults() {
    assert_eq!(policy_query(&Scenario::default(), Population::ALL), "");
    assert_eq!(
        Scenario::from_query(
            "scope=everyone&required=3&allow=fido,x&adminpolicy=maybe&methodspolicy=2"
        ),
        Scenario::default()
    );
    // Other spellings: any case, yes/no for the switches, groups in any order and repeated.
    let read = Scenario::from_query(
        "scope=GROUP&required=%202&allow=questions,Email,email&adminpolicy=no&methodspolicy=yes",
    );
    assert_eq!(
        read,
        Scenario {
            scope: ScopeChoice::Group,
            methods_required: 2,
            allowed: vec![PolicyMethod::Email, PolicyMethod::SecurityQuestions],
            admin_policy: false,
            methods_policy: true,
        }
    );
    assert_eq!(on_off_id(read.methods_policy), "on");
}

#[test]
fn a_what_if_list_carries_the_scenario_and_its_side() {
    let filter = UserFilter {
        population: Population {
            users: UserKind::Members,
            roles: RoleKind::NonAdmins,
        },
        whatif: Some(WhatIfFilter {
            scenario: Scenario {
                methods_required: 2,
                ..Scenario::default()
            },
            side: WhatIfSide::Lose,
            without: Some(PolicyMethod::SecurityQuestions),
        }),
        ..UserFilter::default()
    };
    let query = filter.to_query();
    assert_eq!(
        query,
        "users=members&roles=nonadmins&required=2&whatif=lose&without=questions"
    );
    assert_eq!(UserFilter::from_query(&query), filter);
    assert_eq!(
        registrations_href(&filter),
        format!("/registrations?{query}")
    );
    // The scenario's keys mean nothing to the list without `whatif`; `without` needs it too.
    assert_eq!(
        UserFilter::from_query("required=2&without=email").whatif,
        None
    );
    let gain = UserFilter::from_query("whatif=GAIN");
    assert_eq!(
        gain.whatif.map(|w| (w.side, w.scenario, w.without)),
        Some((WhatIfSide::Gain, Scenario::default(), None))
    );
}

#[test]
fn the_insights_adminrule_filter_keeps_its_meaning_beside_a_scenario() {
    // Shared links from before the what-if screen: `adminrule=yes|no` is the registrations
    // list's filter, and the scenario's administrator policy has a key of its own.
    let old = UserFilter::from_query("roles=admins&adminrule=no");
    assert_eq!(old.admin_rule, Some(false));
    assert_eq!(old.whatif, None);
    let both = UserFilter::from_query("adminrule=yes&adminpolicy=off&whatif=lose");
    assert_eq!(both.admin_rule, Some(true));
    assert!(!both.whatif.expect("a what-if filter").scenario.admin_policy);
    // `adminrule` on the what-if screen is not its administrator policy switch.
    assert!(Scenario::from_query("adminrule=off").admin_policy);
}

#[test]
fn the_header_link_to_what_if_carries_the_population_but_no_period() {
    let admins = Population {
        users: UserKind::All,
        roles: RoleKind::Admins,
    };
    assert_eq!(
        link_with_filters(path::POLICY, Period::Month, admins),
        "/policy?roles=admins"
    );
}

#[test]
fn the_mfa_filters_round_trip_through_the_query() {
    let filter = UserFilter {
        population: Population {
            users: UserKind::Members,
            roles: RoleKind::All,
        },
        registered: Some(false),
        mfa: MfaFilter {
            registered: Some(true),
            capable: Some(false),
            passwordless: Some(true),
            system_preferred: Some(false),
            default_method: Some(Some(Method::AppNotification)),
            phone_only: true,
        },
        sort: Sort {
            column: UserColumn::Mfa(MfaColumn::DefaultMethod),
            descending: true,
        },
        ..UserFilter::default()
    };
    let query = filter.to_query();
    assert_eq!(
        query,
        "users=members&registered=no&mfaregistered=yes&mfa=no&passwordless=yes&systempreferred=no&defaultmethod=AppNotification&phoneonly=yes&sort=-defaultmethod"
    );
    assert_eq!(UserFilter::from_query(&query), filter);
    // No default method is `none`, and reads back as such.
    let none = UserFilter {
        mfa: MfaFilter {
            default_method: Some(None),
            ..MfaFilter::default()
        },
        ..UserFilter::default()
    };
    assert_eq!(none.to_query(), "defaultmethod=none");
    assert_eq!(UserFilter::from_query("defaultmethod=NONE"), none);
}

#[test]
fn mfa_no_and_passwordless_yes_read_their_own_keys_and_every_yes_no_spelling() {
    let filter = UserFilter::from_query("mfa=no&passwordless=yes");
    assert_eq!(filter.mfa.capable, Some(false));
    assert_eq!(filter.mfa.passwordless, Some(true));
    assert_eq!(
        filter.mfa.registered, None,
        "mfa is the capable flag, not registered"
    );
    assert_eq!(filter.to_query(), "mfa=no&passwordless=yes");
    let spelled = UserFilter::from_query("mfaregistered=TRUE&systempreferred=0&phoneonly=1");
    assert_eq!(spelled.mfa.registered, Some(true));
    assert_eq!(spelled.mfa.system_preferred, Some(false));
    assert!(spelled.mfa.phone_only);
    assert_eq!(
        spelled.to_query(),
        "mfaregistered=yes&systempreferred=no&phoneonly=yes"
    );
}

#[test]
fn bad_mfa_values_mean_no_filter() {
    let filter = UserFilter::from_query(
        "mfa=perhaps&passwordless=&defaultmethod=&phoneonly=no&sort=-nosuchcolumn",
    );
    assert_eq!(filter, UserFilter::default());
    // An unknown method name is kept, as `methods=` keeps one (it then matches nobody).
    assert_eq!(
        UserFilter::from_query("defaultmethod=qrCode")
            .mfa
            .default_method,
        Some(Some(Method::Other("qrCode".into())))
    );
}

#[test]
fn every_mfa_column_sorts_under_its_own_id() {
    for column in MfaColumn::ALL {
        let sort = Sort {
            column: UserColumn::Mfa(column),
            descending: false,
        };
        let filter = UserFilter {
            sort,
            ..UserFilter::default()
        };
        assert_eq!(filter.to_query(), format!("sort={}", column.id()));
        assert_eq!(UserFilter::from_query(&filter.to_query()).sort, sort);
    }
}
