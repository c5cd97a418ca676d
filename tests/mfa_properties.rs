//! Property tests of the MFA details (spec §3.7) on tenants that carry them, any field of any
//! user possibly unknown: the registration details download re-imports to the same MFA details;
//! the MFA columns sort like a naive sort (no, yes, then unknown); the yes/no filters equal a
//! naive recount and never list an unknown user.

mod common;

use common::mfa_dump;
use proptest::prelude::*;
use proptest::sample::select;

use sspr_insights::model::export::registrations_csv;
use sspr_insights::model::mfa::filter::{MfaColumn, MfaFilter};
use sspr_insights::model::mfa::{MfaFlag, MfaInput};
use sspr_insights::model::{
    filter_users, import_file, user_order, AsOf, Batch, Dataset, FileKind, Sort, SourceKind,
    UserColumn, UserFilter, UserInput,
};

/// The number of cases: `default`, or `PROPTEST_CASES` when set (for a longer run).
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Method names as Graph writes them, one the method table does not know, and `none`.
const METHODS: [&str; 9] = [
    "push",
    "sms",
    "voiceMobile",
    "oath",
    "mobilePhone",
    "fido2SecurityKey",
    "email",
    "brandNewMethod",
    "none",
];

/// One user's MFA fields, each possibly absent.
#[derive(Clone, Debug)]
struct Mfa {
    flags: [Option<bool>; 4],
    default_method: Option<&'static str>,
    preferred_method: Option<&'static str>,
    system: Option<Vec<&'static str>>,
}

fn mfa() -> impl Strategy<Value = Mfa> {
    let method = || proptest::option::of(select(&METHODS[..]));
    (
        [
            proptest::option::of(any::<bool>()),
            proptest::option::of(any::<bool>()),
            proptest::option::of(any::<bool>()),
            proptest::option::of(any::<bool>()),
        ],
        method(),
        method(),
        proptest::option::of(proptest::collection::vec(select(&METHODS[..8]), 0..3)),
    )
        .prop_map(|(flags, default_method, preferred_method, system)| Mfa {
            flags,
            default_method,
            preferred_method,
            system,
        })
}

fn tenant(users: &[Mfa]) -> Dataset {
    let mut batch = Batch::new("tenant");
    for (i, user) in users.iter().enumerate() {
        let (id, upn) = (format!("id-{i}"), format!("user{i}@contoso.com"));
        batch.push_user(
            &UserInput {
                id: &id,
                user_name: &upn,
                name: &upn,
                registered: i % 2 == 0,
                enabled: true,
                ..UserInput::default()
            },
            ["email", "mobilePhone"].iter().take(i % 3),
        );
        let [registered, capable, passwordless, system_preferred] = user.flags;
        batch.push_user_mfa(
            &MfaInput {
                mfa_registered: registered,
                mfa_capable: capable,
                passwordless_capable: passwordless,
                system_preferred_enabled: system_preferred,
                default_method: user.default_method,
                preferred_method: user.preferred_method,
            },
            user.system.as_deref(),
        );
    }
    Dataset::build(vec![batch], AsOf::Newest, SourceKind::Uploaded)
}

/// The naive ascending key of a yes/no column: no, yes, then unknown.
fn flag_key(value: Option<bool>) -> u8 {
    match value {
        Some(false) => 0,
        Some(true) => 1,
        None => 2,
    }
}

const FLAG_COLUMNS: [(MfaColumn, MfaFlag); 3] = [
    (MfaColumn::Registered, MfaFlag::Registered),
    (MfaColumn::Capable, MfaFlag::Capable),
    (MfaColumn::Passwordless, MfaFlag::Passwordless),
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(128)))]

    #[test]
    fn the_download_reimports_to_the_same_mfa_details(users in proptest::collection::vec(mfa(), 1..24)) {
        let ds = tenant(&users);
        let rows: Vec<u32> = (0..ds.user_count() as u32).collect();
        let bytes = registrations_csv(&ds, &rows);
        let file = import_file("registrations.csv", &bytes);
        prop_assert!(file.is_clean(), "{:?}", file.errors);
        prop_assert_eq!(file.kind, FileKind::RegistrationCsv);
        let again = Dataset::build(vec![file.batch], AsOf::Newest, SourceKind::Uploaded);
        prop_assert_eq!(again.user_count(), ds.user_count());
        for (a, b) in ds.users().zip(again.users()) {
            prop_assert_eq!(mfa_dump(&a), mfa_dump(&b), "{}", a.user_name());
            prop_assert_eq!(a.system_preferred_summary(), b.system_preferred_summary());
            prop_assert_eq!(a.mfa_default(), b.mfa_default());
        }
    }

    #[test]
    fn mfa_flag_columns_sort_no_yes_then_unknown(users in proptest::collection::vec(mfa(), 0..24), descending in any::<bool>()) {
        let ds = tenant(&users);
        for (column, flag) in FLAG_COLUMNS {
            let mut want: Vec<u32> = (0..ds.user_count() as u32).collect();
            // Stable, as the list sorts: ties keep load order in both directions.
            want.sort_by_key(|&u| {
                let key = flag_key(ds.user(u).mfa(flag));
                if descending { 2 - key } else { key }
            });
            let got = user_order(&ds, Sort { column: UserColumn::Mfa(column), descending });
            prop_assert_eq!(got, want, "{:?} descending={}", column, descending);
        }
    }

    #[test]
    fn mfa_filters_list_exactly_the_known_matches(users in proptest::collection::vec(mfa(), 0..24), value in any::<bool>()) {
        let ds = tenant(&users);
        for (i, flag) in MfaFlag::ALL.into_iter().enumerate() {
            let mut filter = UserFilter::default();
            let mut mfa = MfaFilter::default();
            *[&mut mfa.registered, &mut mfa.capable, &mut mfa.passwordless, &mut mfa.system_preferred][i] = Some(value);
            filter.mfa = mfa;
            let mut got = filter_users(&ds, &filter);
            got.sort_unstable();
            let want: Vec<u32> = (0..users.len() as u32)
                .filter(|&u| users[u as usize].flags[i] == Some(value))
                .collect();
            prop_assert_eq!(got, want, "{:?}={}", flag, value);
        }
    }
}
