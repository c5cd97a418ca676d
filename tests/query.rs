//! The URL query vocabulary (spec §2) both ways: a filter written to a query reads back to the
//! same filter; unknown keys and bad values fall back to defaults.

use sspr_insights::model::query::{overview_query, parse_pairs, period_of, population_of};
use sspr_insights::model::{
    EventColumn, EventFilter, Feature, Method, Period, Population, RoleKind, Sort, Status,
    UserColumn, UserFilter, UserKind,
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
