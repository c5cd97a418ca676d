//! MFA and passwordless beside SSPR (spec §3.7), on hand-computed records: every field from Graph
//! JSON (v1.0, beta, the legacy shape) and from every CSV spelling, unknown kept apart from false;
//! the two tiles; "Users registered by authentication method"; the list's filters; and the
//! insights, whose counts are the rows their links list.

mod common;

use common::*;
use sspr_insights::model::mfa::insights::mfa_insights;
use sspr_insights::model::mfa::tiles::{mfa_tiles, users_by_method};
use sspr_insights::model::mfa::MfaFlag;
use sspr_insights::model::{
    filter_users, import_file, AsOf, Batch, Dataset, InsightKind, Method, Population, RoleKind,
    SourceKind, UserFilter, UserKind,
};

fn dataset(batches: Vec<Batch>) -> Dataset {
    Dataset::build(batches, AsOf::Newest, SourceKind::Uploaded)
}

fn json(records: &str) -> Dataset {
    dataset(vec![batch_of("u.json", &format!("[{records}]"))])
}

fn csv(text: &str) -> Dataset {
    dataset(vec![batch_of("u.csv", text)])
}

/// The user names listed for a query of `/registrations`, in alphabetical order.
fn listed(ds: &Dataset, query: &str) -> Vec<String> {
    let mut names: Vec<String> = filter_users(ds, &UserFilter::from_query(query))
        .into_iter()
        .map(|u| ds.user(u).user_name().to_string())
        .collect();
    names.sort();
    names
}

const SSPR: &str = r#""isSsprRegistered":true,"isSsprEnabled":true"#;

#[test]
fn v1_record_gives_every_field_and_no_default_method() {
    let ds = json(&format!(
        r#"{{"id":"1","userPrincipalName":"a@x",{SSPR},"isMfaRegistered":true,"isMfaCapable":false,
           "isPasswordlessCapable":true,"isSystemPreferredAuthenticationMethodEnabled":false,
           "systemPreferredAuthenticationMethods":["push","sms"],
           "userPreferredMethodForSecondaryAuthentication":"voiceMobile"}}"#
    ));
    let u = ds.user(0);
    assert_eq!(u.mfa(MfaFlag::Registered), Some(true));
    assert_eq!(u.mfa(MfaFlag::Capable), Some(false));
    assert_eq!(u.mfa(MfaFlag::Passwordless), Some(true));
    assert_eq!(u.mfa(MfaFlag::SystemPreferred), Some(false));
    assert_eq!(
        u.system_preferred_methods(),
        Some(vec![Method::AppNotification, Method::Sms])
    );
    assert_eq!(u.preferred_mfa_method(), Some(Some(Method::PhoneCall)));
    // v1.0 has no defaultMfaMethod: unknown, and the list shows the preferred method instead.
    assert_eq!(u.default_mfa_method(), None);
    assert_eq!(u.mfa_default(), Some(Some(Method::PhoneCall)));
    assert_eq!(
        u.system_preferred_summary().as_deref(),
        Some("Off · App notification, SMS")
    );
}

#[test]
fn beta_default_method_wins_over_the_preferred_one_and_none_means_no_method() {
    let ds = json(&format!(
        r#"{{"id":"1","userPrincipalName":"a@x",{SSPR},"defaultMfaMethod":"mobilePhone",
            "userPreferredMethodForSecondaryAuthentication":"push"}},
           {{"id":"2","userPrincipalName":"b@x",{SSPR},"defaultMfaMethod":"none",
            "userPreferredMethodForSecondaryAuthentication":"none",
            "systemPreferredAuthenticationMethods":[]}}"#
    ));
    let (a, b) = (ds.user(0), ds.user(1));
    assert_eq!(a.default_mfa_method(), Some(Some(Method::MobilePhone)));
    assert_eq!(a.mfa_default(), Some(Some(Method::MobilePhone)));
    assert_eq!(
        a.preferred_mfa_method(),
        Some(Some(Method::AppNotification))
    );
    assert_eq!(b.default_mfa_method(), Some(None));
    assert_eq!(b.preferred_mfa_method(), Some(None));
    assert_eq!(b.mfa_default(), Some(None));
    // Known and empty is not unknown.
    assert_eq!(b.system_preferred_methods(), Some(vec![]));
    assert_eq!(a.system_preferred_methods(), None);
}

#[test]
fn absent_and_null_fields_stay_unknown_never_false() {
    let ds = json(&format!(
        r#"{{"id":"1","userPrincipalName":"a@x",{SSPR}}},
           {{"id":"2","userPrincipalName":"b@x",{SSPR},"isMfaCapable":null,
            "isPasswordlessCapable":null,"defaultMfaMethod":null,
            "systemPreferredAuthenticationMethods":null}}"#
    ));
    for u in ds.users() {
        for flag in MfaFlag::ALL {
            assert_eq!(u.mfa(flag), None, "{} {flag:?}", u.user_name());
        }
        assert_eq!(u.default_mfa_method(), None);
        assert_eq!(u.preferred_mfa_method(), None);
        assert_eq!(u.mfa_default(), None);
        assert_eq!(u.system_preferred_methods(), None);
        assert_eq!(u.system_preferred_summary(), None);
    }
}

#[test]
fn legacy_records_carry_mfa_registered_only() {
    let ds = dataset_of(&["legacy_credential_user_registration_details.json"]);
    let u = ds.user(0);
    assert_eq!(u.mfa(MfaFlag::Registered), Some(true));
    assert_eq!(u.mfa(MfaFlag::Capable), None);
    assert_eq!(u.mfa(MfaFlag::Passwordless), None);
    let tiles = mfa_tiles(&ds, Population::ALL);
    assert!(!tiles.mfa_capable.in_data());
    assert!(!tiles.passwordless_capable.in_data());
    assert_eq!(tiles.mfa_capable.unknown, ds.user_count());
}

#[test]
fn a_wrong_type_is_a_bad_record_that_names_the_field() {
    let text = format!(
        r#"[{{"id":"1","userPrincipalName":"a@x",{SSPR},"isMfaCapable":"maybe"}},
           {{"id":"2","userPrincipalName":"b@x",{SSPR},"defaultMfaMethod":3}},
           {{"id":"3","userPrincipalName":"c@x",{SSPR},"systemPreferredAuthenticationMethods":"push"}}]"#
    );
    let file = import_file("u.json", text.as_bytes());
    let messages: Vec<String> = file.errors.iter().map(|e| e.to_string()).collect();
    for field in [
        "isMfaCapable",
        "defaultMfaMethod",
        "systemPreferredAuthenticationMethods",
    ] {
        assert!(
            messages.iter().any(|m| m.contains(field)),
            "{field}: {messages:?}"
        );
    }
}

#[test]
fn the_portal_csv_reads_capable_and_not_capable() {
    let ds = dataset_of(&["portal_registration_details.csv"]);
    let lidia = ds.users().find(|u| u.user_name() == "lidia@contoso.com");
    let lidia = lidia.expect("lidia is in the fixture");
    assert_eq!(lidia.mfa(MfaFlag::Capable), Some(true));
    assert_eq!(lidia.mfa(MfaFlag::Passwordless), Some(false));
    // The portal's download has no "MFA Registered" column here: unknown.
    assert_eq!(lidia.mfa(MfaFlag::Registered), None);
}

#[test]
fn every_csv_spelling_of_the_mfa_columns_is_read() {
    let header = "User principal name,SSPR Registered,SSPR Enabled,MFA Registered,MFA Capable,\
                  Passwordless Capable,System-preferred MFA";
    let rows = [
        ("Registered,Capable,Capable,Enabled", [true; 4]),
        (
            "Not Registered,Not Capable,Not Capable,Not enabled",
            [false; 4],
        ),
        ("registered,capable,CAPABLE,enabled", [true; 4]),
        ("true,true,true,true", [true; 4]),
        ("false,false,false,false", [false; 4]),
        ("yes,Yes,YES,yes", [true; 4]),
        ("no,No,NO,no", [false; 4]),
    ];
    let mut text = format!("{header}\r\n");
    for (i, (cells, _)) in rows.iter().enumerate() {
        text.push_str(&format!("u{i}@x,Registered,Enabled,{cells}\r\n"));
    }
    let ds = csv(&text);
    assert_eq!(ds.user_count(), rows.len());
    for (i, (cells, want)) in rows.iter().enumerate() {
        let u = ds.user(i as u32);
        let got = [
            MfaFlag::Registered,
            MfaFlag::Capable,
            MfaFlag::Passwordless,
            MfaFlag::SystemPreferred,
        ]
        .map(|flag| u.mfa(flag));
        assert_eq!(got, want.map(Some), "{cells}");
    }
}

#[test]
fn csv_header_spellings_and_method_columns_are_read() {
    let text = "userPrincipalName,isSsprRegistered,isSsprEnabled,isMfaRegistered,isMfaCapable,\
                isPasswordlessCapable,isSystemPreferredAuthenticationMethodEnabled,\
                systemPreferredAuthenticationMethods,defaultMfaMethod,\
                userPreferredMethodForSecondaryAuthentication\r\n\
                a@x,true,true,true,true,false,true,\"push; sms\",mobilePhone,voiceMobile\r\n\
                b@x,true,true,false,false,false,false,None,None,None\r\n";
    let ds = csv(text);
    let (a, b) = (ds.user(0), ds.user(1));
    assert_eq!(a.mfa(MfaFlag::Registered), Some(true));
    assert_eq!(a.mfa(MfaFlag::Passwordless), Some(false));
    assert_eq!(a.mfa(MfaFlag::SystemPreferred), Some(true));
    assert_eq!(
        a.system_preferred_methods(),
        Some(vec![Method::AppNotification, Method::Sms])
    );
    assert_eq!(a.default_mfa_method(), Some(Some(Method::MobilePhone)));
    assert_eq!(a.preferred_mfa_method(), Some(Some(Method::PhoneCall)));
    assert_eq!(b.system_preferred_methods(), Some(vec![]));
    assert_eq!(b.default_mfa_method(), Some(None));
    assert_eq!(b.preferred_mfa_method(), Some(None));
}

#[test]
fn an_empty_csv_cell_is_unknown_and_a_bad_one_is_an_error_that_says_what_fits() {
    let ds = csv(
        "User principal name,SSPR Registered,SSPR Enabled,MFA Capable,Default MFA method\r\n\
                  a@x,Registered,Enabled,,\r\n",
    );
    assert_eq!(ds.user(0).mfa(MfaFlag::Capable), None);
    assert_eq!(ds.user(0).default_mfa_method(), None);
    let file = import_file(
        "u.csv",
        b"User principal name,SSPR Registered,SSPR Enabled,MFA Capable\r\na@x,Registered,Enabled,Perhaps\r\n",
    );
    let message = file
        .errors
        .first()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        message.contains("MFA capable") && message.contains("Perhaps"),
        "{message}"
    );
}

/// Five users: a and b capable of MFA, c not, d and e unknown; only a passwordless; e an admin.
fn five() -> Dataset {
    json(&format!(
        r#"{{"id":"a","userPrincipalName":"a@x",{SSPR},"isMfaCapable":true,"isPasswordlessCapable":true,
            "methodsRegistered":["fido2SecurityKey","mobilePhone"]}},
           {{"id":"b","userPrincipalName":"b@x",{SSPR},"isMfaCapable":true,"isPasswordlessCapable":false,
            "methodsRegistered":["mobilePhone","email"]}},
           {{"id":"c","userPrincipalName":"c@x",{SSPR},"isMfaCapable":false,"isPasswordlessCapable":false,
            "methodsRegistered":[]}},
           {{"id":"d","userPrincipalName":"d@x","userType":"guest",{SSPR},"methodsRegistered":["email"]}},
           {{"id":"e","userPrincipalName":"e@x","isAdmin":true,{SSPR},"methodsRegistered":["mobilePhone"]}}"#
    ))
}

#[test]
fn tiles_count_yes_and_say_how_many_are_unknown() {
    let ds = five();
    let t = mfa_tiles(&ds, Population::ALL);
    assert_eq!(t.population, 5);
    assert_eq!(
        (
            t.mfa_capable.count,
            t.mfa_capable.known,
            t.mfa_capable.unknown
        ),
        (2, 3, 2)
    );
    assert!((t.mfa_capable.share - 0.4).abs() < 1e-9);
    assert_eq!(
        (
            t.passwordless_capable.count,
            t.passwordless_capable.known,
            t.passwordless_capable.unknown
        ),
        (1, 3, 2)
    );
    assert!(t.mfa_capable.in_data());
    assert_eq!(t.mfa_capable.insight, "1 user cannot complete MFA yet");
    // Guests: d alone, whose record does not say: not in the data, not 0.
    let guests = Population {
        users: UserKind::Guests,
        roles: RoleKind::All,
    };
    let t = mfa_tiles(&ds, guests);
    assert_eq!((t.population, t.mfa_capable.known), (1, 0));
    assert!(!t.mfa_capable.in_data());
    assert!(!t.passwordless_capable.in_data());
}

#[test]
fn an_empty_population_is_no_users_not_missing_data() {
    let t = mfa_tiles(&Dataset::default(), Population::ALL);
    assert_eq!(t.population, 0);
    assert!(t.mfa_capable.in_data());
    assert_eq!(t.mfa_capable.insight, "No users in this population");
}

#[test]
fn users_by_method_counts_the_population_and_keeps_every_row() {
    let ds = five();
    let rows = |p| {
        users_by_method(&ds, p)
            .into_iter()
            .map(|r| (r.method, r.users))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        rows(Population::ALL),
        vec![
            (Method::MobilePhone, 3),
            (Method::Email, 2),
            (Method::Fido2, 1)
        ]
    );
    let admins = Population {
        users: UserKind::All,
        roles: RoleKind::Admins,
    };
    // The rows stay put; the counts follow the population.
    assert_eq!(
        rows(admins),
        vec![
            (Method::MobilePhone, 1),
            (Method::Email, 0),
            (Method::Fido2, 0)
        ]
    );
}

#[test]
fn mfa_filters_never_list_unknown_users() {
    let ds = five();
    assert_eq!(listed(&ds, "mfa=yes"), ["a@x", "b@x"]);
    assert_eq!(listed(&ds, "mfa=no"), ["c@x"]);
    assert_eq!(listed(&ds, "passwordless=yes"), ["a@x"]);
    assert_eq!(listed(&ds, "mfa=no&passwordless=yes"), Vec::<String>::new());
    assert_eq!(listed(&ds, "mfa=yes&passwordless=no"), ["b@x"]);
    assert_eq!(listed(&ds, "mfaregistered=no"), Vec::<String>::new());
}

#[test]
fn default_method_filter_reads_the_shown_method_and_none() {
    let ds = json(&format!(
        r#"{{"id":"1","userPrincipalName":"a@x",{SSPR},"defaultMfaMethod":"push"}},
           {{"id":"2","userPrincipalName":"b@x",{SSPR},"userPreferredMethodForSecondaryAuthentication":"push"}},
           {{"id":"3","userPrincipalName":"c@x",{SSPR},"defaultMfaMethod":"none"}},
           {{"id":"4","userPrincipalName":"d@x",{SSPR}}}"#
    ));
    assert_eq!(listed(&ds, "defaultmethod=push"), ["a@x", "b@x"]);
    assert_eq!(listed(&ds, "defaultmethod=none"), ["c@x"]);
    // A method nobody has lists nobody.
    assert!(listed(&ds, "defaultmethod=email").is_empty());
}

#[test]
fn only_sms_or_voice_ignores_sspr_only_methods_and_distrusts_unknown_ones() {
    let ds = json(&format!(
        r#"{{"id":"1","userPrincipalName":"sms@x",{SSPR},"methodsRegistered":["mobilePhone"]}},
           {{"id":"2","userPrincipalName":"sms-email@x",{SSPR},"methodsRegistered":["mobilePhone","email","securityQuestion"]}},
           {{"id":"3","userPrincipalName":"office@x",{SSPR},"methodsRegistered":["officePhone"]}},
           {{"id":"4","userPrincipalName":"sms-push@x",{SSPR},"methodsRegistered":["mobilePhone","microsoftAuthenticatorPush"]}},
           {{"id":"5","userPrincipalName":"sms-new@x",{SSPR},"methodsRegistered":["mobilePhone","brandNewMethod"]}},
           {{"id":"6","userPrincipalName":"email@x",{SSPR},"methodsRegistered":["email"]}},
           {{"id":"7","userPrincipalName":"none@x",{SSPR},"methodsRegistered":[]}}"#
    ));
    assert_eq!(
        listed(&ds, "phoneonly=yes"),
        ["office@x", "sms-email@x", "sms@x"]
    );
}

#[test]
fn system_preferred_filter_reads_the_switch() {
    let ds = json(&format!(
        r#"{{"id":"1","userPrincipalName":"on@x",{SSPR},"isSystemPreferredAuthenticationMethodEnabled":true}},
           {{"id":"2","userPrincipalName":"off@x",{SSPR},"isSystemPreferredAuthenticationMethodEnabled":false}},
           {{"id":"3","userPrincipalName":"unknown@x",{SSPR}}}"#
    ));
    assert_eq!(listed(&ds, "systempreferred=yes"), ["on@x"]);
    assert_eq!(listed(&ds, "systempreferred=no"), ["off@x"]);
}

/// A tenant with every MFA insight: phishable users, admins without passwordless, MFA without
/// SSPR and the reverse, system-preferred MFA off.
fn insightful() -> Dataset {
    json(
        r#"{"id":"1","userPrincipalName":"phone@x","isSsprRegistered":true,"isSsprEnabled":true,
            "isMfaRegistered":true,"isPasswordlessCapable":false,"isSystemPreferredAuthenticationMethodEnabled":false,
            "methodsRegistered":["mobilePhone"]},
           {"id":"2","userPrincipalName":"admin@x","isAdmin":true,"isSsprRegistered":true,"isSsprEnabled":true,
            "isMfaRegistered":true,"isPasswordlessCapable":false,"isSystemPreferredAuthenticationMethodEnabled":true,
            "methodsRegistered":["microsoftAuthenticatorPush","email"]},
           {"id":"3","userPrincipalName":"admin2@x","isAdmin":true,"isSsprRegistered":true,"isSsprEnabled":true,
            "isMfaRegistered":true,"isPasswordlessCapable":true,"methodsRegistered":["fido2SecurityKey","email"]},
           {"id":"4","userPrincipalName":"mfa-only@x","isSsprRegistered":false,"isSsprEnabled":true,
            "isMfaRegistered":true,"methodsRegistered":["microsoftAuthenticatorPush"]},
           {"id":"5","userPrincipalName":"sspr-only@x","isSsprRegistered":true,"isSsprEnabled":true,
            "isMfaRegistered":false,"methodsRegistered":["email","securityQuestion"]},
           {"id":"6","userPrincipalName":"legacy@x","isSsprRegistered":true,"isSsprEnabled":true,
            "methodsRegistered":["email"]}"#,
    )
}

#[test]
fn each_mfa_insight_counts_the_users_its_link_lists() {
    let ds = insightful();
    let found = mfa_insights(&ds, Population::ALL);
    let kinds: Vec<InsightKind> = found.iter().map(|i| i.kind).collect();
    assert_eq!(
        kinds,
        [
            InsightKind::OnlySmsOrVoiceMfa,
            InsightKind::AdminsNotPasswordless,
            InsightKind::MfaWithoutSspr,
            InsightKind::SsprWithoutMfa,
            InsightKind::SystemPreferredOff,
        ]
    );
    let expected: [&[&str]; 5] = [
        &["phone@x"],
        &["admin@x"],
        &["mfa-only@x"],
        // legacy@x says nothing about MFA: not counted as "not registered".
        &["sspr-only@x"],
        &["phone@x"],
    ];
    for (insight, users) in found.iter().zip(expected) {
        let query = insight
            .href
            .strip_prefix("/registrations?")
            .unwrap_or_else(|| panic!("{} links to the registration details", insight.href));
        assert_eq!(listed(&ds, query), users, "{}", insight.text);
        assert_eq!(insight.count, users.len(), "{}", insight.text);
    }
    assert_eq!(
        found[1].text,
        "1 admin is not capable of passwordless sign-in; admin accounts need phishing-resistant sign-in most."
    );
}

#[test]
fn mfa_insights_follow_the_population_and_skip_empty_ones() {
    let ds = insightful();
    let non_admins = Population {
        users: UserKind::All,
        roles: RoleKind::NonAdmins,
    };
    let found = mfa_insights(&ds, non_admins);
    assert!(found
        .iter()
        .all(|i| i.kind != InsightKind::AdminsNotPasswordless));
    assert!(found.iter().all(|i| i.href.contains("roles=nonadmins")));
    // A tenant whose records carry no MFA field has none of the insights over those fields
    // (unknown is never "no"), only the one over registered methods.
    let silent = json(
        r#"{"id":"1","userPrincipalName":"a@x","isAdmin":true,"isSsprRegistered":true,"isSsprEnabled":true,
            "methodsRegistered":["mobilePhone"]},
           {"id":"2","userPrincipalName":"b@x","isSsprRegistered":false,"isSsprEnabled":true}"#,
    );
    let kinds: Vec<InsightKind> = mfa_insights(&silent, Population::ALL)
        .iter()
        .map(|i| i.kind)
        .collect();
    assert_eq!(kinds, [InsightKind::OnlySmsOrVoiceMfa]);
}
