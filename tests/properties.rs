//! Property tests of the model (proptest):
//! (a) `import_file` never panics, whatever the bytes (arbitrary, JSON-prefixed, token soup,
//!     mutated or truncated Graph pages and CSV files), and what it returns is consistent;
//! (b) the CSV downloads re-import to the same data for arbitrary strings;
//! (c) the dataset equals a naive merge of its inputs, and every aggregate, filter and sort
//!     equals a naive recount written here with plain loops.
//!
//! Case counts are modest so that `cargo test` stays fast.

use std::collections::HashMap;

use proptest::prelude::*;
use proptest::sample::{select, Index};

use sspr_insights::model::export::{activity_csv, registrations_csv};
use sspr_insights::model::import::MAX_LISTED_ERRORS;
use sspr_insights::model::mfa::filter::MfaFilter;
use sspr_insights::model::policy::ScopeChoice;
use sspr_insights::model::time::{floor_day, floor_hour, DAY, HOUR};
use sspr_insights::model::{
    event_order, filter_events, filter_events_in, filter_users, filter_users_in, import_file,
    insights, method_counts, tiles, trend, user_order, AsOf, Batch, Dataset, EventColumn,
    EventFilter, EventInput, Feature, FileImport, Method, Period, Population, RoleKind, Sort,
    SourceKind, Status, UserColumn, UserFilter, UserInput, UserKind, UserType,
};
use sspr_insights::model::{what_if, PolicyMethod, Scenario, TrendBucket};

/// The number of cases: `default`, or `PROPTEST_CASES` when set (for a longer run).
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

// ---------------------------------------------------------------------------------------------
// (a) Import never panics.
// ---------------------------------------------------------------------------------------------

/// A valid Graph page holding registration details and events, with escapes and non-ASCII text.
const GRAPH_PAGE: &str = r#"{"@odata.context":"https://graph.microsoft.com/beta/$metadata#reports/authenticationMethods/userRegistrationDetails","value":[
{"id":"86462606-fde0-4fc4-9e0c-a20eb73e54c6","userPrincipalName":"AlexW@contoso.com","userDisplayName":"Alex Wilber","userType":"member","isAdmin":false,"isSsprRegistered":true,"isSsprEnabled":true,"isSsprCapable":true,"isMfaRegistered":true,"methodsRegistered":["microsoftAuthenticatorPush","softwareOneTimePasscode","mobilePhone"],"lastUpdatedDateTime":"2026-11-19T08:15:00Z"},
{"id":"2","userPrincipalName":"zo\u00eb_fabrikam.com#EXT#@contoso.onmicrosoft.com","userDisplayName":"Zo\u00eb \"Z\" M\u00fcller","userType":"guest","isSsprRegistered":false,"isSsprEnabled":false,"isSsprCapable":false,"methodsRegistered":[]},
{"id":"ev-1","feature":"reset","userPrincipalName":"AlexW@contoso.com","userDisplayName":"Alex Wilber","isSuccess":false,"authMethod":"sms","failureReason":"User abandoned after entering their user ID","eventDateTime":"2026-11-20T10:00:00.1234567Z"},
{"id":"ev-2","feature":"registration","userPrincipalName":"megan@contoso.com","userDisplayName":"Megan Bowen","isSuccess":true,"authMethod":"qrCode","failureReason":null,"eventDateTime":"2026-11-18T23:59:59Z"}
],"@odata.nextLink":"https://graph.microsoft.com/beta/next"}
"#;

/// A valid CSV in the app's own format (with the formula guard) and a portal-style one.
const OUR_CSV: &str = "\u{feff}Name,User name,Registered,Enabled,Capable,Methods,User type,Admin,Last updated,Id\r\n\
\"Wilber, Alex\",alexw@contoso.com,Registered,Enabled,Capable,\"App notification, SMS\",Member,No,2026-11-19T08:15:00Z,1\r\n\
'=cmd,'@x,Not registered,Not enabled,Not capable,,Guest,Yes,,2\r\n\
\"Multi\r\nline \"\"quoted\"\"\",m@x,Registered,Not enabled,Not capable,Email; qrCode,Member,No,,3\r\n";

const PORTAL_CSV: &str =
    "Date (UTC);User;User name;Feature;Method used;Status;Reason for failure\n\
2026-11-20 10:00:00;Alex Wilber;alexw@contoso.com;Reset;SMS;Failed;User abandoned\n\
11/19/2026 7:15:41 PM;Megan;megan@contoso.com;Registration;Mobile app notification;Succeeded;\n";

/// What a mutation does to a valid file.
#[derive(Clone, Debug)]
enum Mutation {
    Truncate(Index),
    Replace(Index, u8),
    Insert(Index, Vec<u8>),
    Delete(Index, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<Index>().prop_map(Mutation::Truncate),
        (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::Replace(i, b)),
        (any::<Index>(), prop::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(i, b)| Mutation::Insert(i, b)),
        (any::<Index>(), 1usize..24).prop_map(|(i, n)| Mutation::Delete(i, n)),
        // Structural bytes are the interesting ones for a parser.
        (
            any::<Index>(),
            select(vec![
                b'"', b'{', b'}', b'[', b']', b',', b';', b':', b'\n', b'\r', b'\\', 0xFF
            ])
        )
            .prop_map(|(i, b)| Mutation::Replace(i, b)),
    ]
}

fn apply(base: &[u8], mutations: &[Mutation]) -> Vec<u8> {
    let mut bytes = base.to_vec();
    for m in mutations {
        let len = bytes.len();
        match m {
            Mutation::Truncate(i) => bytes.truncate(i.index(len + 1)),
            Mutation::Replace(i, b) if len > 0 => {
                let at = i.index(len);
                bytes[at] = *b;
            }
            Mutation::Replace(..) => {}
            Mutation::Insert(i, b) => {
                let at = i.index(len + 1);
                bytes.splice(at..at, b.iter().copied());
            }
            Mutation::Delete(i, n) => {
                let at = i.index(len + 1);
                let end = (at + n).min(len);
                bytes.drain(at..end);
            }
        }
    }
    bytes
}

/// Token soup: random sequences of JSON pieces, to reach deep into the record readers.
fn json_soup() -> impl Strategy<Value = Vec<u8>> {
    let tokens = vec![
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        "\n",
        " ",
        "\"value\"",
        "\"id\"",
        "\"x\"",
        "null",
        "true",
        "false",
        "1",
        "-2.5e3",
        "\"\\u00e9\\n\\\"\"",
        "\"eventDateTime\"",
        "\"2026-11-20T10:00:00Z\"",
        "\"not a time\"",
        "\"feature\"",
        "\"reset\"",
        "\"registration\"",
        "\"isSuccess\"",
        "\"authMethod\"",
        "\"sms\"",
        "\"failureReason\"",
        "\"userPrincipalName\"",
        "\"userDisplayName\"",
        "\"isSsprRegistered\"",
        "\"isSsprEnabled\"",
        "\"isSsprCapable\"",
        "\"isRegistered\"",
        "\"isEnabled\"",
        "\"methodsRegistered\"",
        "\"authMethods\"",
        "\"lastUpdatedDateTime\"",
        "\"userType\"",
        "\"guest\"",
        "\"isAdmin\"",
        "\"@odata.context\"",
        "\"@odata.type\"",
        "\"#microsoft.graph.userCredentialUsageDetails\"",
        "\"yes\"",
        // What-if inputs: member pages and the authentication methods policy.
        "\"displayName\"",
        "\"#microsoft.graph.user\"",
        "\"#microsoft.graph.group\"",
        "\"authenticationMethodConfigurations\"",
        "\"state\"",
        "\"enabled\"",
        "\"includeTargets\"",
        "\"all_users\"",
        "\"isOfficePhoneAllowed\"",
        "\"policyMigrationState\"",
    ];
    prop::collection::vec(select(tokens), 0..60).prop_map(|t| t.concat().into_bytes())
}

/// Token soup for CSV: headers, separators, quotes and values.
fn csv_soup() -> impl Strategy<Value = Vec<u8>> {
    let tokens = vec![
        ",",
        ";",
        "\t",
        "\"",
        "\"\"",
        "\n",
        "\r\n",
        "\r",
        "'",
        "=",
        "Name",
        "User name",
        "Date",
        "Feature",
        "Status",
        "Registered",
        "Enabled",
        "Capable",
        "Methods",
        "Method",
        "Failure reason",
        "Id",
        "Last updated",
        "User type",
        "Admin",
        "User",
        "yes",
        "no",
        "Not registered",
        "Success",
        "Failure",
        "Reset",
        "2026-11-20T10:00:00Z",
        "3/13/2023",
        "sms",
        "Email, SMS",
        "Guest",
        "x@y",
        "\u{feff}",
        "é",
        "Object ID",
        "Member type",
        "Group",
    ];
    prop::collection::vec(select(tokens), 0..80).prop_map(|t| t.concat().into_bytes())
}

/// Imports, checks that the outcome is self-consistent, and runs the whole model over it.
fn import_and_use(bytes: &[u8]) {
    let file: FileImport = import_file("fuzz", bytes);
    assert!(file.errors.len() <= MAX_LISTED_ERRORS);
    assert!(file.errors.len() <= file.error_count);
    assert_eq!(file.is_clean(), file.error_count == 0);
    if file.fatal {
        assert!(file.error_count > 0, "a fatal import lists why");
    }
    assert!(file.bad_records <= file.error_count);
    // Every good record is in the batch: a user, an event, a group member row, or the methods
    // policy (a later policy object takes the place of an earlier one).
    let inputs = file.batch.inputs().clone();
    let in_batch = file.batch.user_count()
        + file.batch.event_count()
        + inputs.members.as_ref().map_or(0, |m| m.len());
    assert!(
        file.records == in_batch || (inputs.methods_policy.is_some() && file.records > in_batch),
        "every good record is in the batch: {} records, {in_batch} in the batch",
        file.records
    );
    for e in &file.errors {
        assert!(!e.message.is_empty());
        let _ = e.to_string();
    }
    let ds = Dataset::build(
        vec![file.into_batch_without_bad_records()],
        AsOf::Newest,
        SourceKind::Uploaded,
    );
    let _ = ds.warnings().messages();
    let _ = tiles(&ds, Population::ALL);
    for period in Period::ALL {
        let _ = method_counts(&ds, period, Population::ALL);
        let _ = trend(&ds, period, Population::ALL);
    }
    let _ = insights(&ds, Period::Month, Population::ALL);
    let users = filter_users(&ds, &UserFilter::default());
    let events = filter_events(
        &ds,
        &EventFilter {
            period: Period::Month,
            ..EventFilter::default()
        },
    );
    let _ = registrations_csv(&ds, &users);
    let _ = activity_csv(&ds, &events);
    let scenario = Scenario {
        scope: ScopeChoice::Group,
        methods_policy: true,
        ..Scenario::default()
    };
    let _ = what_if(&ds, &scenario.resolve(&ds, &inputs), Population::ALL);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(256)))]

    #[test]
    fn import_never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        import_and_use(&bytes);
    }

    #[test]
    fn import_never_panics_on_prefixed_bytes(
        prefix in select(vec![&b"{\"value\":["[..], &b"["[..], &b"{"[..], &b"\xEF\xBB\xBF["[..], &b"[{\"id\":"[..]]),
        bytes in prop::collection::vec(any::<u8>(), 0..300),
    ) {
        let mut all = prefix.to_vec();
        all.extend_from_slice(&bytes);
        import_and_use(&all);
    }

    #[test]
    fn import_never_panics_on_arbitrary_text(text in any::<String>(), prefix in select(vec!["", "{\"value\":[", "[", "Name,Registered,Enabled\n", "Date,Feature,Status\n"])) {
        import_and_use(format!("{prefix}{text}").as_bytes());
    }

    #[test]
    fn import_never_panics_on_json_token_soup(bytes in json_soup(), page in any::<bool>()) {
        let bytes = if page {
            [&b"{\"value\":["[..], &bytes, b"]}"].concat()
        } else {
            bytes
        };
        import_and_use(&bytes);
    }

    #[test]
    fn import_never_panics_on_csv_token_soup(bytes in csv_soup()) {
        import_and_use(&bytes);
    }

    #[test]
    fn import_never_panics_on_a_mutated_graph_page(mutations in prop::collection::vec(mutation(), 1..6)) {
        import_and_use(&apply(GRAPH_PAGE.as_bytes(), &mutations));
    }

    #[test]
    fn import_never_panics_on_a_mutated_csv(
        base in select(vec![OUR_CSV, PORTAL_CSV]),
        mutations in prop::collection::vec(mutation(), 1..6),
    ) {
        import_and_use(&apply(base.as_bytes(), &mutations));
    }

    #[test]
    fn import_never_panics_on_a_truncated_page_or_csv(
        base in select(vec![GRAPH_PAGE, OUR_CSV, PORTAL_CSV]),
        cut in any::<Index>(),
    ) {
        let bytes = base.as_bytes();
        import_and_use(&bytes[..cut.index(bytes.len() + 1)]);
    }

    #[test]
    fn import_never_panics_on_mutated_ndjson(mutations in prop::collection::vec(mutation(), 1..4)) {
        let ndjson: String = GRAPH_PAGE
            .lines()
            .filter(|l| l.starts_with("{\"id\""))
            .map(|l| format!("{}\n", l.trim_end_matches(',')))
            .collect();
        import_and_use(&apply(ndjson.as_bytes(), &mutations));
    }
}

#[test]
fn the_valid_inputs_of_the_mutation_tests_are_clean() {
    for (name, text, records) in [
        ("page.json", GRAPH_PAGE, 4),
        ("ours.csv", OUR_CSV, 3),
        ("portal.csv", PORTAL_CSV, 2),
    ] {
        let file = import_file(name, text.as_bytes());
        assert!(file.is_clean(), "{name}: {:?}", file.errors);
        assert_eq!(file.records, records, "{name}");
    }
}

// ---------------------------------------------------------------------------------------------
// (b) CSV round trip for arbitrary strings.
// ---------------------------------------------------------------------------------------------

/// Strings that stress CSV and the formula guard, mixed with arbitrary Unicode.
fn tricky_string() -> impl Strategy<Value = String> {
    let pieces = vec![
        "=", "+", "-", "@", "\t", "\r", "\n", "\r\n", "'", "''", "\"", "\"\"", ",", ";", " ", "  ",
        "é", "Ω", "😀", "\u{feff}", "\u{1}", "\u{7f}", "a", "B", "#EXT#", "x@y.com", "=SUM(A1)",
        "Ann", "ß", "İ", "Σ",
    ];
    prop_oneof![
        3 => prop::collection::vec(select(pieces), 0..7).prop_map(|p| p.concat()),
        2 => any::<String>(),
        1 => prop::collection::vec(any::<char>(), 0..10).prop_map(String::from_iter),
    ]
}

/// Method names for the round trip: canonical wire names, labels, unknown names and junk.
fn method_name(for_users: bool) -> impl Strategy<Value = String> {
    let known = vec![
        "email",
        "sms",
        "mobilePhone",
        "microsoftAuthenticatorPush",
        "softwareOneTimePasscode",
        "Security questions",
        "FIDO2 / passkey",
        "x509CertificateSingleFactor",
        "qrCode",
        "QRCODE",
        "unknownFutureValue",
        "externalAuthMethod",
        "",
        " ",
        "=evil",
        "-minus",
        "'quoted",
        "Ünïcode",
    ];
    let arbitrary = tricky_string().prop_map(move |s| {
        if for_users {
            // A user's methods are one cell separated by `,` or `;`: names cannot hold them.
            s.replace([',', ';'], "")
        } else {
            s
        }
    });
    prop_oneof![3 => select(known).prop_map(str::to_string), 1 => arbitrary]
}

#[derive(Clone, Debug)]
struct RoundTripUser {
    id: String,
    user_name: String,
    name: String,
    user_type: Option<UserType>,
    is_admin: Option<bool>,
    registered: bool,
    enabled: bool,
    capable: Option<bool>,
    methods: Vec<String>,
    last_updated: Option<i64>,
}

#[derive(Clone, Debug)]
struct RoundTripEvent {
    id: String,
    time: i64,
    user_name: String,
    name: String,
    feature: Feature,
    status: Status,
    method: String,
    reason: String,
}

fn any_time() -> impl Strategy<Value = i64> {
    prop_oneof![
        // Years 1906..2096, any millisecond.
        -2_000_000_000_000i64..4_000_000_000_000,
        select(vec![0i64, -1, 1, 999, 1_000, 1_763_649_000_000]),
    ]
}

fn round_trip_user() -> impl Strategy<Value = RoundTripUser> {
    (
        (tricky_string(), tricky_string(), tricky_string()),
        (
            prop::option::of(select(vec![UserType::Member, UserType::Guest])),
            prop::option::of(any::<bool>()),
            any::<bool>(),
            any::<bool>(),
            prop::option::of(any::<bool>()),
        ),
        prop::collection::vec(method_name(true), 0..4),
        prop::option::of(any_time()),
    )
        .prop_map(
            |(
                (id, user_name, name),
                (user_type, is_admin, registered, enabled, capable),
                methods,
                last_updated,
            )| {
                RoundTripUser {
                    id,
                    user_name,
                    name,
                    user_type,
                    is_admin,
                    registered,
                    enabled,
                    capable,
                    methods,
                    last_updated,
                }
            },
        )
}

fn round_trip_event() -> impl Strategy<Value = RoundTripEvent> {
    (
        (
            tricky_string(),
            any_time(),
            tricky_string(),
            tricky_string(),
        ),
        (
            select(vec![Feature::Registration, Feature::Reset]),
            select(vec![Status::Success, Status::Failure]),
            method_name(false),
            tricky_string(),
        ),
    )
        .prop_map(
            |((id, time, user_name, name), (feature, status, method, reason))| RoundTripEvent {
                id,
                time,
                user_name,
                name,
                feature,
                status,
                method,
                reason,
            },
        )
}

fn round_trip_dataset(users: &[RoundTripUser], events: &[RoundTripEvent]) -> Dataset {
    let mut batch = Batch::new("generated");
    for u in users {
        batch.push_user(
            &UserInput {
                id: &u.id,
                user_name: &u.user_name,
                name: &u.name,
                user_type: u.user_type,
                is_admin: u.is_admin,
                registered: u.registered,
                enabled: u.enabled,
                capable: u.capable,
                last_updated: u.last_updated,
            },
            u.methods.iter(),
        );
    }
    for e in events {
        batch.push_event(&EventInput {
            id: &e.id,
            time: e.time,
            user_name: &e.user_name,
            name: &e.name,
            feature: e.feature,
            status: e.status,
            method: &e.method,
            failure_reason: &e.reason,
        });
    }
    Dataset::build(vec![batch], AsOf::Newest, SourceKind::Uploaded)
}

/// Exports both lists of `ds` in full and re-imports them (each must import cleanly).
fn re_import(ds: &Dataset) -> Dataset {
    let mut batches = Vec::new();
    if ds.user_count() > 0 {
        let rows: Vec<u32> = (0..ds.user_count() as u32).collect();
        let file = import_file("registrations.csv", &registrations_csv(ds, &rows));
        assert!(file.is_clean(), "registrations: {:?}", file.errors);
        assert_eq!(file.records, ds.user_count());
        batches.push(file.batch);
    }
    if ds.event_count() > 0 {
        let rows: Vec<u32> = (0..ds.event_count() as u32).collect();
        let file = import_file("activity.csv", &activity_csv(ds, &rows));
        assert!(file.is_clean(), "activity: {:?}", file.errors);
        assert_eq!(file.records, ds.event_count());
        batches.push(file.batch);
    }
    Dataset::build(batches, AsOf::Newest, SourceKind::Uploaded)
}

fn assert_same_rows(a: &Dataset, b: &Dataset) {
    assert_eq!(a.user_count(), b.user_count(), "users");
    assert_eq!(a.event_count(), b.event_count(), "events");
    for (x, y) in a.users().zip(b.users()) {
        let at = format!("user {}", x.index());
        assert_eq!(x.name(), y.name(), "{at}: name");
        assert_eq!(x.user_name(), y.user_name(), "{at}: user name");
        assert_eq!(x.id(), y.id(), "{at}: id");
        assert_eq!(x.registered(), y.registered(), "{at}: registered");
        assert_eq!(x.enabled(), y.enabled(), "{at}: enabled");
        assert_eq!(x.capable(), y.capable(), "{at}: capable");
        assert_eq!(
            x.methods().collect::<Vec<_>>(),
            y.methods().collect::<Vec<_>>(),
            "{at}: methods"
        );
        assert_eq!(x.user_type(), y.user_type(), "{at}: user type");
        assert_eq!(x.is_admin(), y.is_admin(), "{at}: admin");
        assert_eq!(x.last_updated(), y.last_updated(), "{at}: last updated");
    }
    for (x, y) in a.events().zip(b.events()) {
        let at = format!("event {}", x.index());
        assert_eq!(x.time(), y.time(), "{at}: time");
        assert_eq!(x.name(), y.name(), "{at}: name");
        assert_eq!(x.user_name(), y.user_name(), "{at}: user name");
        assert_eq!(x.feature(), y.feature(), "{at}: feature");
        assert_eq!(x.status(), y.status(), "{at}: status");
        assert_eq!(x.method(), y.method(), "{at}: method");
        assert_eq!(
            x.failure_reason(),
            y.failure_reason(),
            "{at}: failure reason"
        );
    }
    assert_eq!(a.as_of(), b.as_of(), "as of");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(128)))]

    #[test]
    fn csv_round_trip_holds_for_arbitrary_strings(
        users in prop::collection::vec(round_trip_user(), 0..8),
        events in prop::collection::vec(round_trip_event(), 0..8),
    ) {
        let first = round_trip_dataset(&users, &events);
        let second = re_import(&first);
        assert_same_rows(&first, &second);
        // And once more: the download of the re-imported data is byte-identical.
        let user_rows: Vec<u32> = (0..first.user_count() as u32).collect();
        let event_rows: Vec<u32> = (0..first.event_count() as u32).collect();
        prop_assert_eq!(registrations_csv(&first, &user_rows), registrations_csv(&second, &user_rows));
        prop_assert_eq!(activity_csv(&first, &event_rows), activity_csv(&second, &event_rows));
    }
}

// ---------------------------------------------------------------------------------------------
// (c) The dataset and every aggregate equal a naive recount.
// ---------------------------------------------------------------------------------------------

const USER_NAMES: [&str; 10] = [
    "kim@x",
    "\u{212a}IM@x", // Kelvin sign: lower-cases to "kim@x"
    "megan@contoso.com",
    "MEGAN@contoso.com",
    "alex@contoso.com",
    "guest_x.com#EXT#@contoso.onmicrosoft.com",
    "Guest_Y.com#ext#@contoso.onmicrosoft.com",
    "",
    "zoë@contoso.com",
    "ann@x",
];
const NAMES: [&str; 8] = [
    "Megan Bowen",
    "megan bowen",
    "Alex Wilber",
    "Ann\nLee",
    "ann",
    "",
    "Zoë",
    "Émile",
];
const IDS: [&str; 6] = ["", "", "1", "2", "3", "4"];
const METHODS: [&str; 14] = [
    "email",
    "mobilePhone",
    "sms",
    "mobileSMS",
    "microsoftAuthenticatorPush",
    "softwareOneTimePasscode",
    "securityQuestion",
    "officePhone",
    "fido2",
    "qrCode",
    "QRCODE",
    "unknownFutureValue",
    "externalAuthMethod",
    "",
];
const REASONS: [&str; 5] = [
    "",
    "User abandoned",
    "  User abandoned  ",
    "user abandoned",
    "Other",
];

/// One record pushed into a batch.
#[derive(Clone, Debug)]
enum Op {
    User {
        id: &'static str,
        user_name: &'static str,
        name: &'static str,
        user_type: Option<UserType>,
        is_admin: Option<bool>,
        registered: bool,
        enabled: bool,
        capable: Option<bool>,
        methods: Vec<&'static str>,
        last_updated: Option<i64>,
    },
    Event {
        id: &'static str,
        offset: i64,
        user_name: &'static str,
        name: &'static str,
        reset: bool,
        success: bool,
        method: &'static str,
        reason: &'static str,
    },
}

/// Offsets from the reference time, with every period boundary and its neighbours.
fn offset() -> impl Strategy<Value = i64> {
    prop_oneof![
        3 => select(vec![
            0, -1, 1, -HOUR, -HOUR - 1, -DAY, -DAY + 1, -DAY - 1, -7 * DAY, -7 * DAY + 1,
            -7 * DAY - 1, -14 * DAY, -14 * DAY + 1, -30 * DAY, -30 * DAY + 1, -30 * DAY - 1,
            -60 * DAY, -60 * DAY + 1, HOUR,
        ]),
        2 => -45 * DAY..=HOUR,
    ]
}

fn op() -> impl Strategy<Value = Op> {
    let user = (
        (
            select(IDS.to_vec()),
            select(USER_NAMES.to_vec()),
            select(NAMES.to_vec()),
        ),
        (
            prop::option::of(select(vec![UserType::Member, UserType::Guest])),
            prop::option::of(any::<bool>()),
            any::<bool>(),
            any::<bool>(),
            prop::option::of(any::<bool>()),
        ),
        prop::collection::vec(select(METHODS.to_vec()), 0..4),
        prop::option::of(offset()),
    )
        .prop_map(
            |(
                (id, user_name, name),
                (user_type, is_admin, registered, enabled, capable),
                methods,
                last_updated,
            )| {
                Op::User {
                    id,
                    user_name,
                    name,
                    user_type,
                    is_admin,
                    registered,
                    enabled,
                    capable,
                    methods,
                    last_updated,
                }
            },
        );
    let event = (
        (
            select(IDS.to_vec()),
            offset(),
            select(USER_NAMES.to_vec()),
            select(NAMES.to_vec()),
        ),
        (
            any::<bool>(),
            any::<bool>(),
            select(METHODS.to_vec()),
            select(REASONS.to_vec()),
        ),
    )
        .prop_map(
            |((id, offset, user_name, name), (reset, success, method, reason))| Op::Event {
                id,
                offset,
                user_name,
                name,
                reset,
                success,
                method,
                reason,
            },
        );
    prop_oneof![2 => user, 3 => event]
}

/// A random tenant: batches of records, a reference time and how `as_of` is chosen.
#[derive(Clone, Debug)]
struct Tenant {
    batches: Vec<Vec<Op>>,
    reference: i64,
    /// `AsOf::At(reference)`; otherwise `AsOf::Newest` with an event at `reference`.
    fixed_as_of: bool,
}

fn tenant() -> impl Strategy<Value = Tenant> {
    (
        prop::collection::vec(prop::collection::vec(op(), 0..24), 1..4),
        select(vec![
            1_763_649_000_000i64,     // mid-day
            1_763_596_800_000,        // exactly midnight UTC
            1_763_596_800_000 - 1,    // a millisecond before midnight
            1_763_596_800_000 + HOUR, // on the hour
        ]),
        any::<bool>(),
    )
        .prop_map(|(batches, reference, fixed_as_of)| Tenant {
            batches,
            reference,
            fixed_as_of,
        })
}

fn build_tenant(t: &Tenant) -> Dataset {
    let mut batches = Vec::new();
    for (b, ops) in t.batches.iter().enumerate() {
        let mut batch = Batch::new(&format!("batch {b}"));
        for op in ops {
            push(&mut batch, op, t);
        }
        if !t.fixed_as_of && b + 1 == t.batches.len() {
            push(&mut batch, &anchor_event(), t);
        }
        batches.push(batch);
    }
    let as_of = if t.fixed_as_of {
        AsOf::At(t.reference)
    } else {
        AsOf::Newest
    };
    Dataset::build(batches, as_of, SourceKind::Uploaded)
}

/// With `AsOf::Newest`, an event exactly at the reference time makes it the as-of time.
fn anchor_event() -> Op {
    Op::Event {
        id: "",
        offset: 0,
        user_name: "anchor@contoso.com",
        name: "Anchor",
        reset: true,
        success: true,
        method: "sms",
        reason: "",
    }
}

/// Offsets after the reference only with a fixed as-of (otherwise they would move it).
fn time_of(t: &Tenant, offset: i64) -> i64 {
    if t.fixed_as_of {
        t.reference + offset
    } else {
        t.reference + offset.min(0)
    }
}

fn push(batch: &mut Batch, op: &Op, t: &Tenant) {
    match op {
        Op::User {
            id,
            user_name,
            name,
            user_type,
            is_admin,
            registered,
            enabled,
            capable,
            methods,
            last_updated,
        } => batch.push_user(
            &UserInput {
                id,
                user_name,
                name,
                user_type: *user_type,
                is_admin: *is_admin,
                registered: *registered,
                enabled: *enabled,
                capable: *capable,
                last_updated: last_updated.map(|o| t.reference + o.min(0)),
            },
            methods.iter(),
        ),
        Op::Event {
            id,
            offset,
            user_name,
            name,
            reset,
            success,
            method,
            reason,
        } => batch.push_event(&EventInput {
            id,
            time: time_of(t, *offset),
            user_name,
            name,
            feature: if *reset {
                Feature::Reset
            } else {
                Feature::Registration
            },
            status: if *success {
                Status::Success
            } else {
                Status::Failure
            },
            method,
            failure_reason: reason,
        }),
    }
}

// ---- The naive model: plain loops over the inputs.

#[derive(Clone, Debug, PartialEq)]
struct NUser {
    id: String,
    person: String,
    user_name: String,
    name: String,
    registered: bool,
    enabled: bool,
    capable: bool,
    capable_exported: bool,
    admin: bool,
    guest: bool,
    methods: Vec<Method>,
    last_updated: Option<i64>,
}

#[derive(Clone, Debug, PartialEq)]
struct NEvent {
    time: i64,
    person: String,
    user_name: String,
    name: String,
    reset: bool,
    success: bool,
    method: Option<Method>,
    reason: String,
}

struct Naive {
    users: Vec<NUser>,
    events: Vec<NEvent>,
    as_of: i64,
    duplicate_users: usize,
    duplicate_events: usize,
    contradictory: usize,
    after_as_of: usize,
    unknown: Vec<(String, usize)>,
    /// The methods each feature uses anywhere (registration, reset).
    feature_methods: [Vec<Method>; 2],
}

/// Who a person is across files: the lower-case user name, else the lower-case name.
fn person_key(user_name: &str, name: &str) -> String {
    if user_name.is_empty() {
        format!("\u{1}{}", name.to_lowercase())
    } else {
        user_name.to_lowercase()
    }
}

fn naive(t: &Tenant) -> Naive {
    let mut all: Vec<Op> = Vec::new();
    for (b, ops) in t.batches.iter().enumerate() {
        all.extend(ops.iter().cloned());
        if !t.fixed_as_of && b + 1 == t.batches.len() {
            all.push(anchor_event());
        }
    }
    // First spellings: of each person, and of each unknown method name (ASCII case-insensitive).
    let mut spelling: HashMap<String, (String, String)> = HashMap::new();
    let mut other_spelling: HashMap<String, String> = HashMap::new();
    let note_method = |raw: &str, other_spelling: &mut HashMap<String, String>| {
        if let Some(Method::Other(n)) = Method::parse(raw) {
            other_spelling
                .entry(n.to_ascii_lowercase())
                .or_insert_with(|| n.to_string());
        }
    };
    for op in &all {
        let (user_name, name) = match op {
            Op::User {
                user_name,
                name,
                methods,
                ..
            } => {
                for m in methods {
                    note_method(m, &mut other_spelling);
                }
                (user_name, name)
            }
            Op::Event {
                user_name,
                name,
                method,
                ..
            } => {
                note_method(method, &mut other_spelling);
                (user_name, name)
            }
        };
        spelling
            .entry(person_key(user_name, name))
            .or_insert_with(|| (user_name.to_string(), name.to_string()));
    }
    let canon = |raw: &str| -> Option<Method> {
        match Method::parse(raw)? {
            Method::Other(n) => Some(Method::Other(
                other_spelling[&n.to_ascii_lowercase()].clone().into(),
            )),
            m => Some(m),
        }
    };

    let mut users: Vec<NUser> = Vec::new();
    let mut slot: HashMap<String, usize> = HashMap::new();
    let mut duplicate_users = 0;
    let mut events: Vec<NEvent> = Vec::new();
    let mut seen_ids: Vec<&str> = Vec::new();
    let mut duplicate_events = 0;
    for op in &all {
        match op {
            Op::User {
                id,
                user_name,
                name,
                user_type,
                is_admin,
                registered,
                enabled,
                capable,
                methods,
                last_updated,
            } => {
                let person = person_key(user_name, name);
                let (sp_user, sp_name) = spelling[&person].clone();
                let mut ms: Vec<Method> = Vec::new();
                for m in methods.iter().filter_map(|m| canon(m)) {
                    if !ms.contains(&m) {
                        ms.push(m);
                    }
                }
                let user = NUser {
                    id: id.to_string(),
                    person: person.clone(),
                    user_name: sp_user,
                    name: sp_name,
                    registered: *registered,
                    enabled: *enabled,
                    capable: capable.unwrap_or(*registered && *enabled),
                    capable_exported: capable.is_some(),
                    admin: is_admin.unwrap_or(false),
                    guest: user_type.unwrap_or_else(|| UserType::infer(user_name))
                        == UserType::Guest,
                    methods: ms,
                    last_updated: last_updated.map(|o| t.reference + o.min(0)),
                };
                let key = if id.is_empty() {
                    format!("person:{person}")
                } else {
                    format!("id:{id}")
                };
                match slot.get(&key) {
                    Some(&s) => {
                        duplicate_users += 1;
                        users[s] = user;
                    }
                    None => {
                        slot.insert(key, users.len());
                        users.push(user);
                    }
                }
            }
            Op::Event {
                id,
                offset,
                user_name,
                name,
                reset,
                success,
                method,
                reason,
            } => {
                if !id.is_empty() {
                    if seen_ids.contains(id) {
                        duplicate_events += 1;
                        continue;
                    }
                    seen_ids.push(id);
                }
                let person = person_key(user_name, name);
                let (sp_user, sp_name) = spelling[&person].clone();
                events.push(NEvent {
                    time: time_of(t, *offset),
                    person,
                    user_name: sp_user,
                    name: sp_name,
                    reset: *reset,
                    success: *success,
                    method: canon(method),
                    reason: reason.trim().to_string(),
                });
            }
        }
    }
    // Stable: equal times keep load order.
    events.sort_by_key(|e| e.time);

    let as_of = if t.fixed_as_of {
        t.reference
    } else {
        events
            .iter()
            .map(|e| e.time)
            .chain(users.iter().filter_map(|u| u.last_updated))
            .max()
            .unwrap_or(0)
    };
    let contradictory = users
        .iter()
        .filter(|u| u.capable_exported && u.capable != (u.registered && u.enabled))
        .count();
    let after_as_of = if t.fixed_as_of {
        events.iter().filter(|e| e.time > as_of).count()
    } else {
        0
    };
    let mut unknown: HashMap<String, usize> = HashMap::new();
    for m in users
        .iter()
        .flat_map(|u| u.methods.iter())
        .chain(events.iter().filter_map(|e| e.method.as_ref()))
    {
        if let Method::Other(n) = m {
            *unknown.entry(n.to_string()).or_default() += 1;
        }
    }
    let mut unknown: Vec<(String, usize)> = unknown.into_iter().collect();
    unknown.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let feature_methods = [false, true].map(|reset| {
        let mut v: Vec<Method> = Vec::new();
        for e in events.iter().filter(|e| e.reset == reset) {
            if let Some(m) = &e.method {
                if !v.contains(m) {
                    v.push(m.clone());
                }
            }
        }
        v
    });
    Naive {
        users,
        events,
        as_of,
        duplicate_users,
        duplicate_events,
        contradictory,
        after_as_of,
        unknown,
        feature_methods,
    }
}

const POPULATIONS: [Population; 9] = {
    let k = [UserKind::All, UserKind::Members, UserKind::Guests];
    let r = [RoleKind::All, RoleKind::Admins, RoleKind::NonAdmins];
    [
        Population {
            users: k[0],
            roles: r[0],
        },
        Population {
            users: k[0],
            roles: r[1],
        },
        Population {
            users: k[0],
            roles: r[2],
        },
        Population {
            users: k[1],
            roles: r[0],
        },
        Population {
            users: k[1],
            roles: r[1],
        },
        Population {
            users: k[1],
            roles: r[2],
        },
        Population {
            users: k[2],
            roles: r[0],
        },
        Population {
            users: k[2],
            roles: r[1],
        },
        Population {
            users: k[2],
            roles: r[2],
        },
    ]
};

/// Whether someone (guest or not; admin, non-admin or no role known) is in the population.
fn admits(p: Population, guest: bool, admin: Option<bool>) -> bool {
    let kind = match p.users {
        UserKind::All => true,
        UserKind::Members => !guest,
        UserKind::Guests => guest,
    };
    let role = match p.roles {
        RoleKind::All => true,
        RoleKind::Admins => admin == Some(true),
        RoleKind::NonAdmins => admin == Some(false),
    };
    kind && role
}

impl Naive {
    fn user_in(&self, u: usize, p: Population) -> bool {
        admits(p, self.users[u].guest, Some(self.users[u].admin))
    }

    /// The user row of an event's person: the last one.
    fn event_user(&self, e: usize) -> Option<usize> {
        (0..self.users.len())
            .rev()
            .find(|&u| self.users[u].person == self.events[e].person)
    }

    fn event_in(&self, e: usize, p: Population) -> bool {
        match self.event_user(e) {
            Some(u) => self.user_in(u, p),
            None => admits(
                p,
                UserType::infer(&self.events[e].user_name) == UserType::Guest,
                None,
            ),
        }
    }

    fn in_period(&self, e: usize, period: Period) -> bool {
        let t = self.events[e].time;
        self.as_of - period.length() < t && t <= self.as_of
    }
}

fn same_method(a: &Method, b: &Method) -> bool {
    match (a, b) {
        (Method::Other(x), Method::Other(y)) => x.eq_ignore_ascii_case(y),
        _ => a == b,
    }
}

fn search_matches(query: &str, name: &str, user_name: &str) -> bool {
    let needle = query.trim().to_lowercase().replace('\n', " ");
    needle.is_empty()
        || name.to_lowercase().contains(&needle)
        || user_name.to_lowercase().contains(&needle)
}

fn label_key(m: &Option<Method>) -> (bool, String) {
    match m {
        Some(m) => (false, m.label().to_lowercase()),
        None => (true, String::new()),
    }
}

/// A sort key that can be compared: every column's value as one of a few shapes.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    Int(i64),
    Text(String),
    Pair(String, String),
    Label(bool, String),
    Labels(Vec<String>),
}

/// A stable sort of `rows` (ascending load order) by `key`.
fn stable_sorted(mut rows: Vec<usize>, descending: bool, key: impl Fn(usize) -> Key) -> Vec<u32> {
    if descending {
        rows.sort_by_key(|&r| std::cmp::Reverse(key(r)));
    } else {
        rows.sort_by_key(|&r| key(r));
    }
    rows.into_iter().map(|r| r as u32).collect()
}

fn event_key(n: &Naive, column: EventColumn, e: usize) -> Key {
    let ev = &n.events[e];
    match column {
        EventColumn::Date => Key::Int(ev.time),
        EventColumn::Name => Key::Pair(ev.name.to_lowercase(), ev.user_name.to_lowercase()),
        EventColumn::UserName => Key::Text(ev.user_name.to_lowercase()),
        EventColumn::Feature => Key::Int(i64::from(ev.reset)),
        EventColumn::Method => {
            let (none, label) = label_key(&ev.method);
            Key::Label(none, label)
        }
        EventColumn::Status => Key::Int(i64::from(!ev.success)),
        EventColumn::FailureReason => Key::Text(ev.reason.to_lowercase()),
    }
}

fn user_key(n: &Naive, column: UserColumn, u: usize) -> Key {
    let user = &n.users[u];
    match column {
        UserColumn::Name => Key::Pair(user.name.to_lowercase(), user.user_name.to_lowercase()),
        UserColumn::UserName => Key::Text(user.user_name.to_lowercase()),
        UserColumn::Registered => Key::Int(i64::from(user.registered)),
        UserColumn::Enabled => Key::Int(i64::from(user.enabled)),
        UserColumn::Capable => Key::Int(i64::from(user.capable)),
        UserColumn::Admin => Key::Int(i64::from(user.admin)),
        UserColumn::UserType => Key::Int(i64::from(user.guest)),
        UserColumn::LastUpdated => Key::Int(user.last_updated.unwrap_or(i64::MIN)),
        UserColumn::Methods => {
            let mut labels: Vec<String> = user
                .methods
                .iter()
                .map(|m| m.label().to_lowercase())
                .collect();
            labels.sort();
            Key::Labels(labels)
        }
        // These tenants carry no MFA details: every user's are unknown, so every key is equal
        // (tests/mfa_properties.rs checks these columns on tenants that carry them).
        UserColumn::Mfa(_) => Key::Int(0),
    }
}

fn naive_filter_events(n: &Naive, f: &EventFilter) -> Vec<u32> {
    let reason = f.reason.as_ref().map(|r| r.trim().to_string());
    // Per person, in the period and population: failed resets, and whether all resets used SMS
    // with at least one success.
    let mut failures: HashMap<&str, u32> = HashMap::new();
    let mut resets: HashMap<&str, (bool, bool)> = HashMap::new(); // (all SMS, any success)
    for (e, ev) in n.events.iter().enumerate() {
        if !ev.reset || !n.in_period(e, f.period) || !n.event_in(e, f.population) {
            continue;
        }
        if !ev.success {
            *failures.entry(&ev.person).or_default() += 1;
        }
        let entry = resets.entry(&ev.person).or_insert((true, false));
        entry.0 &= ev.method == Some(Method::Sms);
        entry.1 |= ev.success;
    }
    let rows: Vec<usize> = (0..n.events.len())
        .filter(|&e| {
            let ev = &n.events[e];
            n.in_period(e, f.period)
                && n.event_in(e, f.population)
                && f.feature.is_none_or(|x| (x == Feature::Reset) == ev.reset)
                && f.status
                    .is_none_or(|s| (s == Status::Success) == ev.success)
                && f.method
                    .as_ref()
                    .is_none_or(|m| ev.method.as_ref().is_some_and(|em| same_method(em, m)))
                && reason.as_ref().is_none_or(|r| &ev.reason == r)
                && search_matches(&f.search, &ev.name, &ev.user_name)
                && f.repeat
                    .is_none_or(|k| failures.get(ev.person.as_str()).copied().unwrap_or(0) >= k)
                && (!f.sms_only
                    || resets
                        .get(ev.person.as_str())
                        .is_some_and(|&(all_sms, any_success)| all_sms && any_success))
        })
        .collect();
    stable_sorted(rows, f.sort.descending, |e| event_key(n, f.sort.column, e))
}

fn admin_rule_ok(methods: &[Method]) -> bool {
    let mut groups: Vec<PolicyMethod> = Vec::new();
    for m in methods {
        if let Some(g) = PolicyMethod::of(m) {
            if g != PolicyMethod::SecurityQuestions && !groups.contains(&g) {
                groups.push(g);
            }
        }
    }
    groups.len() >= 2
}

fn naive_filter_users(n: &Naive, f: &UserFilter) -> Vec<u32> {
    let rows: Vec<usize> = (0..n.users.len())
        .filter(|&u| {
            let user = &n.users[u];
            n.user_in(u, f.population)
                && f.registered.is_none_or(|w| w == user.registered)
                && f.enabled.is_none_or(|w| w == user.enabled)
                && f.capable.is_none_or(|w| w == user.capable)
                && (f.methods.is_empty()
                    || user
                        .methods
                        .iter()
                        .any(|m| f.methods.iter().any(|w| same_method(m, w))))
                && f.admin_rule
                    .is_none_or(|w| user.admin && admin_rule_ok(&user.methods) == w)
                && search_matches(&f.search, &user.name, &user.user_name)
        })
        .collect();
    stable_sorted(rows, f.sort.descending, |u| user_key(n, f.sort.column, u))
}

fn filter_method() -> impl Strategy<Value = Method> {
    select(vec![
        Method::Sms,
        Method::Email,
        Method::AppNotification,
        Method::MobilePhone,
        Method::Passwordless,
        Method::Other("qrcode".into()),
        Method::Other("unknownFutureValue".into()),
        Method::Other("absentMethod".into()),
    ])
}

fn search() -> impl Strategy<Value = String> {
    select(vec![
        "", "", " ", "meg", "MEG", " ann ", "#ext#", "ë", "zzz", "n\nl", "n l", "@", "a",
        "Ann\nLee",
    ])
    .prop_map(str::to_string)
}

fn event_filter() -> impl Strategy<Value = EventFilter> {
    (
        (
            select(Period::ALL.to_vec()),
            select(POPULATIONS.to_vec()),
            prop::option::of(select(vec![Feature::Registration, Feature::Reset])),
            prop::option::of(select(vec![Status::Success, Status::Failure])),
            prop::option::weighted(0.3, filter_method()),
        ),
        (
            prop::option::weighted(
                0.2,
                select(vec![
                    "",
                    "User abandoned",
                    " User abandoned ",
                    "Other",
                    "absent",
                ]),
            ),
            prop::option::weighted(0.2, 1u32..4),
            prop::bool::weighted(0.2),
            search(),
            select(EventColumn::ALL.to_vec()),
            any::<bool>(),
        ),
    )
        .prop_map(
            |(
                (period, population, feature, status, method),
                (reason, repeat, sms_only, search, column, descending),
            )| {
                EventFilter {
                    period,
                    population,
                    feature,
                    status,
                    method,
                    reason: reason.map(str::to_string),
                    repeat,
                    sms_only,
                    search,
                    sort: Sort { column, descending },
                }
            },
        )
}

fn user_filter() -> impl Strategy<Value = UserFilter> {
    (
        (
            select(POPULATIONS.to_vec()),
            prop::option::of(any::<bool>()),
            prop::option::of(any::<bool>()),
            prop::option::of(any::<bool>()),
        ),
        (
            prop::collection::vec(filter_method(), 0..3),
            prop::option::weighted(0.2, any::<bool>()),
            search(),
            select(UserColumn::ALL.to_vec()),
            any::<bool>(),
        ),
    )
        .prop_map(
            |(
                (population, registered, enabled, capable),
                (methods, admin_rule, search, column, descending),
            )| {
                UserFilter {
                    population,
                    registered,
                    enabled,
                    capable,
                    methods,
                    admin_rule,
                    search,
                    sort: Sort { column, descending },
                    whatif: None,
                    mfa: MfaFilter::default(),
                }
            },
        )
}

fn check_dataset(ds: &Dataset, n: &Naive) {
    assert_eq!(ds.as_of(), n.as_of, "as of");
    assert_eq!(ds.user_count(), n.users.len(), "user count");
    for (u, want) in n.users.iter().enumerate() {
        let got = ds.user(u as u32);
        let at = format!("user {u}");
        assert_eq!(got.id(), want.id, "{at}: id");
        assert_eq!(got.user_name(), want.user_name, "{at}: user name");
        assert_eq!(got.name(), want.name, "{at}: name");
        assert_eq!(got.registered(), want.registered, "{at}: registered");
        assert_eq!(got.enabled(), want.enabled, "{at}: enabled");
        assert_eq!(got.capable(), want.capable, "{at}: capable");
        assert_eq!(
            got.capable_exported(),
            want.capable_exported,
            "{at}: capable exported"
        );
        assert_eq!(got.is_admin(), want.admin, "{at}: admin");
        assert_eq!(
            got.user_type() == UserType::Guest,
            want.guest,
            "{at}: guest"
        );
        assert_eq!(
            got.methods().collect::<Vec<_>>(),
            want.methods,
            "{at}: methods"
        );
        assert_eq!(got.last_updated(), want.last_updated, "{at}: last updated");
    }
    assert_eq!(ds.event_count(), n.events.len(), "event count");
    for (e, want) in n.events.iter().enumerate() {
        let got = ds.event(e as u32);
        let at = format!("event {e}");
        assert_eq!(got.time(), want.time, "{at}: time");
        assert_eq!(got.user_name(), want.user_name, "{at}: user name");
        assert_eq!(got.name(), want.name, "{at}: name");
        assert_eq!(got.feature() == Feature::Reset, want.reset, "{at}: feature");
        assert_eq!(
            got.status() == Status::Success,
            want.success,
            "{at}: status"
        );
        assert_eq!(got.method(), want.method, "{at}: method");
        assert_eq!(got.failure_reason(), want.reason, "{at}: reason");
        assert_eq!(
            ds.event_user(e as u32).map(|u| u as usize),
            n.event_user(e),
            "{at}: user row"
        );
    }
    let w = ds.warnings();
    assert_eq!(w.duplicate_users, n.duplicate_users, "duplicate users");
    assert_eq!(w.duplicate_events, n.duplicate_events, "duplicate events");
    assert_eq!(
        w.contradictory_flags, n.contradictory,
        "contradictory flags"
    );
    assert_eq!(w.events_after_as_of, n.after_as_of, "events after as of");
    assert_eq!(
        w.users_without_user_name,
        n.users.iter().filter(|u| u.user_name.is_empty()).count(),
        "users without user name"
    );
    assert_eq!(
        w.events_without_user_name,
        n.events.iter().filter(|e| e.user_name.is_empty()).count(),
        "events without user name"
    );
    assert_eq!(w.unknown_methods, n.unknown, "unknown methods");
}

fn check_aggregates(ds: &Dataset, n: &Naive) {
    for population in POPULATIONS {
        // Tiles.
        let t = tiles(ds, population);
        let members: Vec<&NUser> = (0..n.users.len())
            .filter(|&u| n.user_in(u, population))
            .map(|u| &n.users[u])
            .collect();
        let count = |f: &dyn Fn(&NUser) -> bool| members.iter().filter(|u| f(u)).count();
        let size = members.len();
        let share = |c: usize| {
            if size == 0 {
                0.0
            } else {
                c as f64 / size as f64
            }
        };
        assert_eq!(t.population, size, "{population:?}: population");
        assert_eq!(
            t.registered.count,
            count(&|u| u.registered),
            "{population:?}: registered"
        );
        assert_eq!(
            t.enabled.count,
            count(&|u| u.enabled),
            "{population:?}: enabled"
        );
        assert_eq!(
            t.capable.count,
            count(&|u| u.capable),
            "{population:?}: capable"
        );
        assert_eq!(t.registered.share, share(t.registered.count));
        assert_eq!(t.enabled.share, share(t.enabled.count));
        assert_eq!(t.capable.share, share(t.capable.count));
        assert_eq!(
            t.enabled_not_registered,
            count(&|u| u.enabled && !u.registered)
        );
        assert_eq!(
            t.registered_not_enabled,
            count(&|u| u.registered && !u.enabled)
        );

        for period in Period::ALL {
            let at = format!("{population:?} {period:?}");
            let in_scope: Vec<usize> = (0..n.events.len())
                .filter(|&e| n.in_period(e, period) && n.event_in(e, population))
                .collect();
            // Method counts.
            let counts = method_counts(ds, period, population);
            for (fi, feature) in Feature::ALL.into_iter().enumerate() {
                let reset = feature == Feature::Reset;
                let rows = counts.rows(feature);
                let listed: Vec<Method> = rows.iter().map(|r| r.method.clone()).collect();
                let mut want = n.feature_methods[fi].clone();
                let code = |m: &Method| ds.method_table().find(m).expect("a known method");
                want.sort_by_key(code);
                assert_eq!(listed, want, "{at}: {feature:?} rows");
                for row in &rows {
                    let tally = |success: bool| {
                        in_scope
                            .iter()
                            .filter(|&&e| {
                                let ev = &n.events[e];
                                ev.reset == reset
                                    && ev.success == success
                                    && ev.method.as_ref() == Some(&row.method)
                            })
                            .count() as u32
                    };
                    assert_eq!(row.success, tally(true), "{at}: {:?} successes", row.method);
                    assert_eq!(row.failure, tally(false), "{at}: {:?} failures", row.method);
                }
                let tally = |success: bool, without: bool| {
                    in_scope
                        .iter()
                        .filter(|&&e| {
                            let ev = &n.events[e];
                            ev.reset == reset
                                && ev.success == success
                                && (!without || ev.method.is_none())
                        })
                        .count() as u32
                };
                assert_eq!(
                    counts.totals(feature),
                    (tally(true, false), tally(false, false)),
                    "{at}: totals"
                );
                assert_eq!(
                    counts.without_method(feature),
                    (tally(true, true), tally(false, true)),
                    "{at}: without method"
                );
            }
            // Trend.
            let tr = trend(ds, period, population);
            let hourly = period == Period::Day;
            let (unit, floor): (i64, fn(i64) -> i64) = if hourly {
                (HOUR, floor_hour)
            } else {
                (DAY, floor_day)
            };
            let first = floor(n.as_of - period.length() + 1);
            let buckets = ((floor(n.as_of) - first) / unit + 1) as usize;
            let mut want: Vec<TrendBucket> = (0..buckets)
                .map(|i| TrendBucket {
                    start: first + i as i64 * unit,
                    ..TrendBucket::default()
                })
                .collect();
            for &e in &in_scope {
                let ev = &n.events[e];
                let b = &mut want[((floor(ev.time) - first) / unit) as usize];
                match (ev.reset, ev.success) {
                    (true, true) => b.reset_success += 1,
                    (true, false) => b.reset_failure += 1,
                    (false, true) => b.registration_success += 1,
                    (false, false) => b.registration_failure += 1,
                }
            }
            assert_eq!(tr.hourly, hourly, "{at}: hourly");
            assert_eq!(tr.buckets, want, "{at}: trend buckets");
            let total: u32 = tr
                .buckets
                .iter()
                .map(|b| {
                    b.reset_success
                        + b.reset_failure
                        + b.registration_success
                        + b.registration_failure
                })
                .sum();
            assert_eq!(total as usize, in_scope.len(), "{at}: trend total");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(128)))]

    #[test]
    fn the_dataset_equals_a_naive_merge(t in tenant()) {
        let ds = build_tenant(&t);
        check_dataset(&ds, &naive(&t));
    }

    #[test]
    fn tiles_counts_and_trend_equal_a_naive_recount(t in tenant()) {
        let ds = build_tenant(&t);
        check_aggregates(&ds, &naive(&t));
    }

    #[test]
    fn event_filters_equal_a_naive_recount(
        t in tenant(),
        filters in prop::collection::vec(event_filter(), 1..8),
    ) {
        let ds = build_tenant(&t);
        let n = naive(&t);
        for f in &filters {
            let want = naive_filter_events(&n, f);
            let got = filter_events(&ds, f);
            prop_assert_eq!(&got, &want, "filter_events {:?}", f);
            let order = event_order(&ds, f.sort);
            prop_assert_eq!(filter_events_in(&ds, f, &order), want, "filter_events_in {:?}", f);
        }
    }

    #[test]
    fn user_filters_equal_a_naive_recount(
        t in tenant(),
        filters in prop::collection::vec(user_filter(), 1..8),
    ) {
        let ds = build_tenant(&t);
        let n = naive(&t);
        for f in &filters {
            let want = naive_filter_users(&n, f);
            prop_assert_eq!(&filter_users(&ds, f), &want, "filter_users {:?}", f);
            let order = user_order(&ds, f.sort);
            prop_assert_eq!(filter_users_in(&ds, f, &order), want, "filter_users_in {:?}", f);
        }
    }

    #[test]
    fn every_sort_is_a_stable_sort_of_all_rows(t in tenant()) {
        let ds = build_tenant(&t);
        let n = naive(&t);
        for column in EventColumn::ALL {
            for descending in [false, true] {
                let want = stable_sorted((0..n.events.len()).collect(), descending, |e| event_key(&n, column, e));
                prop_assert_eq!(event_order(&ds, Sort { column, descending }), want, "events by {:?} desc={}", column, descending);
            }
        }
        for column in UserColumn::ALL {
            for descending in [false, true] {
                let want = stable_sorted((0..n.users.len()).collect(), descending, |u| user_key(&n, column, u));
                prop_assert_eq!(user_order(&ds, Sort { column, descending }), want, "users by {:?} desc={}", column, descending);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Regressions: bugs the properties above found in the model, as named cases.
// ---------------------------------------------------------------------------------------------

fn event(
    id: &'static str,
    time: i64,
    user_name: &'static str,
    name: &'static str,
    reason: &'static str,
) -> Op {
    Op::Event {
        id,
        offset: time,
        user_name,
        name,
        reset: true,
        success: reason.is_empty(),
        method: "sms",
        reason,
    }
}

fn fixed(batches: Vec<Vec<Op>>) -> Dataset {
    build_tenant(&Tenant {
        batches,
        reference: 1_763_649_000_000,
        fixed_as_of: true,
    })
}

#[test]
fn regression_newest_first_keeps_the_load_order_of_equal_times() {
    let ds = fixed(vec![vec![
        event("", -3 * HOUR, "a@x", "A", ""),
        event("", -2 * HOUR, "b@x", "B", ""),
        event("", -2 * HOUR, "c@x", "C", ""),
        event("", -HOUR, "d@x", "D", ""),
    ]]);
    let newest_first = Sort {
        column: EventColumn::Date,
        descending: true,
    };
    assert_eq!(event_order(&ds, newest_first), vec![3, 1, 2, 0]);
    assert_eq!(
        filter_events(&ds, &EventFilter::default()),
        vec![3, 1, 2, 0]
    );
}

#[test]
fn regression_a_user_row_is_in_the_population_of_its_own_flags() {
    // One person, two rows: keyed by user name (no id) and by id, with different admin flags.
    let user = |id: &'static str, admin: bool| Op::User {
        id,
        user_name: "megan@contoso.com",
        name: "Megan",
        user_type: None,
        is_admin: Some(admin),
        registered: true,
        enabled: true,
        capable: None,
        methods: vec![],
        last_updated: None,
    };
    let ds = fixed(vec![vec![user("", false), user("1", true)]]);
    let admins = Population {
        users: UserKind::All,
        roles: RoleKind::Admins,
    };
    let non_admins = Population {
        users: UserKind::All,
        roles: RoleKind::NonAdmins,
    };
    assert_eq!(tiles(&ds, admins).population, 1);
    assert_eq!(tiles(&ds, non_admins).population, 1);
    let only = |population| UserFilter {
        population,
        ..UserFilter::default()
    };
    assert_eq!(filter_users(&ds, &only(admins)), vec![1]);
    assert_eq!(filter_users(&ds, &only(non_admins)), vec![0]);
}

#[test]
fn regression_sorting_by_name_or_user_name_with_a_line_break_in_a_name() {
    let ds = fixed(vec![vec![
        event("", -2 * HOUR, "zoe@contoso.com", "Ann\nLee", ""),
        event("", -HOUR, "megan@contoso.com", "ann", ""),
    ]]);
    let by = |column| Sort {
        column,
        descending: false,
    };
    // "ann" sorts before "ann\nlee"; "megan@…" before "zoe@…".
    assert_eq!(event_order(&ds, by(EventColumn::Name)), vec![1, 0]);
    assert_eq!(event_order(&ds, by(EventColumn::UserName)), vec![1, 0]);
}

#[test]
fn regression_equal_sort_keys_keep_row_order() {
    // Different people with the same (empty) user name, and reasons that differ only in case.
    let ds = fixed(vec![vec![
        event("", -3 * HOUR, "", "Zed", "user abandoned"),
        event("", -2 * HOUR, "", "Amy", "User abandoned"),
        event("", -HOUR, "", "Zed", "user abandoned"),
    ]]);
    for descending in [false, true] {
        for column in [EventColumn::UserName, EventColumn::FailureReason] {
            let sort = Sort { column, descending };
            assert_eq!(event_order(&ds, sort), vec![0, 1, 2], "{sort:?}");
        }
    }
}

#[test]
fn regression_a_download_with_nul_characters_re_imports() {
    let events = [RoundTripEvent {
        id: String::new(),
        time: 0,
        user_name: String::new(),
        name: String::new(),
        feature: Feature::Registration,
        status: Status::Failure,
        method: "email".to_string(),
        reason: "\0\0".to_string(),
    }];
    let first = round_trip_dataset(&[], &events);
    let second = re_import(&first);
    assert_same_rows(&first, &second);
    assert_eq!(second.event(0).failure_reason(), "\0\0");
}
