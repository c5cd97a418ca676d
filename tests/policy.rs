//! The what-if rules of spec §3.3 on small, hand-computed tenants: phone grouping, allowed
//! methods, the administrator rule, each scope, group member lists matched by id and by user
//! name, the authentication methods policy's disabled methods, the dependency table, and the
//! lists the screen links to (they list exactly the users counted).

mod common;

use common::*;
use sspr_insights::model::policy::{
    what_if_users, MemberKind, MemberList, MemberRow, MethodConfiguration, MethodsPolicy,
    ScopeChoice,
};
use sspr_insights::model::{
    filter_users_with, what_if, Dataset, Method, Policy, PolicyInputs, PolicyMethod, PolicyScope,
    Population, RoleKind, Scenario, UserFilter, UserKind, WhatIf, WhatIfFilter, WhatIfSide,
};

/// One user record: (id, user type, admin, exported registered, enabled, capable, methods).
fn user(
    id: &str,
    kind: &str,
    admin: bool,
    (reg, en, cap): (bool, bool, bool),
    methods: &[&str],
) -> String {
    let methods: Vec<String> = methods.iter().map(|m| format!("\"{m}\"")).collect();
    format!(
        r#"{{"id":"{id}","userPrincipalName":"{id}@x","userDisplayName":"{id}","userType":"{kind}","isAdmin":{admin},"isSsprRegistered":{reg},"isSsprEnabled":{en},"isSsprCapable":{cap},"methodsRegistered":[{}]}}"#,
        methods.join(",")
    )
}

const YES: (bool, bool, bool) = (true, true, true);

/// Nine users, each for a rule:
///
/// | user | type, role | exported | registered methods | groups |
/// |---|---|---|---|---|
/// | ann | member | capable | mobile phone | phone |
/// | ben | member | capable | mobile phone, alternate mobile phone, SMS, phone call | phone (once) |
/// | cat | member | capable | mobile phone, office phone | phone, office |
/// | dan | member | capable | email, security questions | email, questions |
/// | eve | member, admin | capable | email, security questions | email (questions never count for admins) |
/// | fay | member, admin | capable | Authenticator push, mobile phone | notification, phone |
/// | gus | guest | capable | email | email |
/// | hal | member | registered, not enabled | FIDO2, Windows Hello | none |
/// | ivy | member | registered, not enabled | software OTP, email | code, email |
fn tenant() -> Dataset {
    let users = [
        user("ann", "member", false, YES, &["mobilePhone"]),
        user(
            "ben",
            "member",
            false,
            YES,
            &["mobilePhone", "alternateMobilePhone", "sms", "mobileCall"],
        ),
        user("cat", "member", false, YES, &["mobilePhone", "officePhone"]),
        user("dan", "member", false, YES, &["email", "securityQuestion"]),
        user("eve", "member", true, YES, &["email", "securityQuestion"]),
        user(
            "fay",
            "member",
            true,
            YES,
            &["microsoftAuthenticatorPush", "mobilePhone"],
        ),
        user("gus", "guest", false, YES, &["email"]),
        user(
            "hal",
            "member",
            false,
            (true, false, false),
            &["fido2SecurityKey", "windowsHelloForBusiness"],
        ),
        user(
            "ivy",
            "member",
            false,
            (true, false, false),
            &["softwareOneTimePasscode", "email"],
        ),
    ];
    Dataset::build(
        vec![batch_of("u.json", &format!("[{}]", users.join(",")))],
        sspr_insights::model::AsOf::Newest,
        sspr_insights::model::SourceKind::Uploaded,
    )
}

fn ids(ds: &Dataset, rows: &[u32]) -> Vec<String> {
    rows.iter().map(|&u| ds.user(u).id().to_string()).collect()
}

fn flagged(ds: &Dataset, flags: &[bool]) -> Vec<String> {
    (0..ds.user_count() as u32)
        .filter(|&u| flags[u as usize])
        .map(|u| ds.user(u).id().to_string())
        .collect()
}

/// The users capable under `policy`.
fn capable(ds: &Dataset, policy: &Policy) -> Vec<String> {
    let r = what_if(ds, policy, Population::ALL);
    // capable now (all but hal and ivy), minus who loses, plus who gains
    let mut out: Vec<u32> = (0..ds.user_count() as u32)
        .filter(|&u| ds.user(u).capable() && !r.lose.contains(&u))
        .chain(r.gain.iter().copied())
        .collect();
    out.sort_unstable();
    ids(ds, &out)
}

fn two() -> Policy {
    Policy {
        methods_required: 2,
        ..Policy::default()
    }
}

#[test]
fn a_mobile_number_counts_once_however_it_is_used() {
    let ds = tenant();
    // ben has four phone methods: one group. cat's office phone is a group of its own.
    let r = what_if(&ds, &two(), Population::ALL);
    assert_eq!(ids(&ds, &r.lose), ["ann", "ben", "eve", "gus"]);
    assert!(r.gain.is_empty());
    assert_eq!(capable(&ds, &two()), ["cat", "dan", "fay"]);
    assert_eq!(
        (
            r.simulated.registered,
            r.simulated.enabled,
            r.simulated.capable
        ),
        // registered: cat, dan, fay (admin rule), ivy; enabled: the 7 exported + the 2 admins
        (4, 7, 3)
    );
}

#[test]
fn only_allowed_groups_count_and_other_methods_count_for_none() {
    let ds = tenant();
    let no_phone = Policy {
        allowed: vec![
            PolicyMethod::MobileAppNotification,
            PolicyMethod::MobileAppCode,
            PolicyMethod::Email,
            PolicyMethod::OfficePhone,
            PolicyMethod::SecurityQuestions,
        ],
        ..Policy::default()
    };
    // ann and ben had only their phone; cat keeps the office phone; fay is an admin.
    assert_eq!(
        ids(&ds, &what_if(&ds, &no_phone, Population::ALL).lose),
        ["ann", "ben", "eve"]
    );
    let nothing = Policy {
        allowed: Vec::new(),
        admin_rule: false,
        ..Policy::default()
    };
    let r = what_if(&ds, &nothing, Population::ALL);
    assert_eq!(
        r.simulated.registered, 0,
        "FIDO2 and Windows Hello count for no group"
    );
    assert!(r.dependents.is_empty(), "no allowed group, no row");
}

#[test]
fn administrators_need_two_groups_and_security_questions_never_count_for_them() {
    let ds = tenant();
    // eve: email and questions → one group for an admin, whatever is allowed or required.
    let r = what_if(&ds, &Policy::default(), Population::ALL);
    assert_eq!(ids(&ds, &r.lose), ["eve"]);
    // Off, admins follow the scenario like everyone: eve's email is enough for one method.
    let off = Policy {
        admin_rule: false,
        ..Policy::default()
    };
    assert!(what_if(&ds, &off, Population::ALL).lose.is_empty());
    // Their policy keeps admins enabled when the scope enables nobody.
    let none = Policy {
        scope: PolicyScope::None,
        ..Policy::default()
    };
    assert_eq!(capable(&ds, &none), ["fay"]);
    let r = what_if(
        &ds,
        &none,
        Population {
            users: UserKind::All,
            roles: RoleKind::Admins,
        },
    );
    assert_eq!((r.simulated.population, r.simulated.enabled), (2, 2));
}

#[test]
fn each_scope_enables_its_users() {
    let ds = tenant();
    let enabled = |scope: PolicyScope| {
        let policy = Policy {
            scope,
            admin_rule: false,
            ..Policy::default()
        };
        what_if(&ds, &policy, Population::ALL).simulated.enabled
    };
    assert_eq!(enabled(PolicyScope::AsExported), 7, "the exported flags");
    assert_eq!(enabled(PolicyScope::AllMembers), 8, "every member, not gus");
    assert_eq!(enabled(PolicyScope::None), 0);
    let mut group = vec![false; ds.user_count()];
    group[8] = true; // ivy
    let policy = Policy {
        scope: PolicyScope::Group(group),
        admin_rule: false,
        ..Policy::default()
    };
    let r = what_if(&ds, &policy, Population::ALL);
    assert_eq!(r.simulated.enabled, 1);
    assert_eq!(
        ids(&ds, &r.gain),
        ["ivy"],
        "ivy is registered and now enabled"
    );
    // A group list shorter than the data (another dataset) enables nobody beyond its end.
    let short = Policy {
        scope: PolicyScope::Group(vec![true]),
        admin_rule: false,
        ..Policy::default()
    };
    assert_eq!(what_if(&ds, &short, Population::ALL).simulated.enabled, 1);
}

fn member(id: &'static str, user_name: &'static str, kind: MemberKind) -> MemberRow<'static> {
    MemberRow {
        id,
        user_name,
        name: "",
        kind,
    }
}

#[test]
fn a_member_list_matches_by_id_then_by_user_name_and_lists_what_it_cannot_match() {
    let ds = tenant();
    let mut list = MemberList::default();
    for row in [
        member("ann", "", MemberKind::User),
        // The user name in another case.
        member("", "CAT@X", MemberKind::User),
        // An id the data does not have, a user name it has: matched by user name.
        member("old-id-of-dan", "dan@x", MemberKind::User),
        // The same user twice (pages that overlap): one user in the group.
        member("ann", "ann@x", MemberKind::User),
        member("zed", "zed@x", MemberKind::User),
        member("g1", "", MemberKind::Group),
        member("d1", "", MemberKind::Other),
    ] {
        list.push(&row);
    }
    let matched = list.resolve(&ds);
    assert_eq!(flagged(&ds, &matched.in_group), ["ann", "cat", "dan"]);
    assert_eq!(matched.users, 3);
    assert_eq!((matched.by_id, matched.by_user_name), (2, 2));
    assert_eq!(matched.unmatched, vec![4]);
    assert_eq!(list.row(4).user_name, "zed@x");
    assert_eq!((matched.groups, matched.others), (1, 1));
}

#[test]
fn the_group_scope_enables_exactly_the_matched_members() {
    let ds = tenant();
    let mut list = MemberList::default();
    for row in [
        member("hal", "", MemberKind::User),
        member("", "IVY@x", MemberKind::User),
    ] {
        list.push(&row);
    }
    let inputs = PolicyInputs {
        members: Some(list),
        methods_policy: None,
    };
    let scenario = Scenario {
        scope: ScopeChoice::Group,
        ..Scenario::default()
    };
    let r = what_if(&ds, &scenario.resolve(&ds, &inputs), Population::ALL);
    // Enabled: hal and ivy, and the two admins under their policy.
    assert_eq!(r.simulated.enabled, 4);
    // hal has no group to register with; ivy gains; everyone else not in the group loses.
    assert_eq!(ids(&ds, &r.gain), ["ivy"]);
    assert_eq!(
        ids(&ds, &r.lose),
        ["ann", "ben", "cat", "dan", "eve", "gus"]
    );
    // Without a member list loaded, the group is empty.
    let none = scenario.resolve(&ds, &PolicyInputs::default());
    assert_eq!(none.scope, PolicyScope::Group(Vec::new()));
    assert_eq!(what_if(&ds, &none, Population::ALL).simulated.enabled, 2);
}

fn configuration(id: &str, enabled: bool) -> MethodConfiguration {
    MethodConfiguration {
        id: id.to_string(),
        enabled,
        ..MethodConfiguration::default()
    }
}

#[test]
fn a_disabled_method_configuration_stops_its_methods_from_counting() {
    let ds = tenant();
    let policy = MethodsPolicy {
        configurations: vec![
            configuration("Sms", false),
            configuration("Voice", false),
            configuration("Email", true),
            MethodConfiguration {
                software_oath_enabled: Some(false),
                ..configuration("MicrosoftAuthenticator", true)
            },
            configuration("SoftwareOath", false),
        ],
        ..MethodsPolicy::default()
    };
    // No SMS and no voice: no phone at all, office phones included; no one-time codes.
    assert_eq!(
        policy.not_counted(),
        vec![
            Method::AppCode,
            Method::Sms,
            Method::PhoneCall,
            Method::MobilePhone,
            Method::AlternateMobilePhone,
            Method::OfficePhone,
        ]
    );
    let scenario = Scenario {
        methods_policy: true,
        ..Scenario::default()
    };
    let inputs = PolicyInputs {
        members: None,
        methods_policy: Some(policy.clone()),
    };
    let r = what_if(&ds, &scenario.resolve(&ds, &inputs), Population::ALL);
    // ann, ben and cat had phones only; eve fails the admin rule as before; fay (admin) keeps
    // her phone: the administrator policy does not follow the authentication methods policy.
    assert_eq!(ids(&ds, &r.lose), ["ann", "ben", "cat", "eve"]);
    // The switch off, the same file changes nothing.
    let off = Scenario::default().resolve(&ds, &inputs);
    assert_eq!(ids(&ds, &what_if(&ds, &off, Population::ALL).lose), ["eve"]);
    // Security questions are not in the policy, so they still count: with two required, dan
    // keeps email and questions; fay is an admin.
    let strict = Scenario {
        methods_policy: true,
        methods_required: 2,
        ..Scenario::default()
    };
    assert_eq!(capable(&ds, &strict.resolve(&ds, &inputs)), ["dan", "fay"]);
}

#[test]
fn office_phones_and_authenticator_codes_follow_their_configurations_settings() {
    let voice_no_office = MethodsPolicy {
        configurations: vec![MethodConfiguration {
            office_phone_allowed: Some(false),
            ..configuration("Voice", true)
        }],
        ..MethodsPolicy::default()
    };
    assert!(!voice_no_office.counts(&Method::OfficePhone));
    assert!(voice_no_office.counts(&Method::PhoneCall));
    let codes_in_authenticator = MethodsPolicy {
        configurations: vec![
            configuration("SoftwareOath", false),
            MethodConfiguration {
                software_oath_enabled: Some(true),
                ..configuration("MicrosoftAuthenticator", true)
            },
        ],
        ..MethodsPolicy::default()
    };
    assert!(codes_in_authenticator.counts(&Method::AppCode));
    let no_codes = MethodsPolicy {
        configurations: vec![
            configuration("SoftwareOath", false),
            MethodConfiguration {
                software_oath_enabled: Some(false),
                ..configuration("MicrosoftAuthenticator", true)
            },
        ],
        ..MethodsPolicy::default()
    };
    assert!(!no_codes.counts(&Method::AppCode));
    assert!(no_codes.counts(&Method::AppNotification));
    let code = no_codes
        .sspr_groups()
        .into_iter()
        .find(|g| g.group == PolicyMethod::MobileAppCode)
        .unwrap();
    assert!(!code.counts);
    assert_eq!(
        code.because,
        "Third-party software OATH tokens disabled, Microsoft Authenticator enabled, its codes not allowed",
        "the screen says why an enabled Authenticator's codes do not count"
    );
    // Configurations the file does not hold take nothing away.
    assert!(MethodsPolicy::default().not_counted().is_empty());
    let groups = voice_no_office.sspr_groups();
    let office = groups
        .iter()
        .find(|g| g.group == PolicyMethod::OfficePhone)
        .unwrap();
    assert!(!office.counts);
    assert_eq!(
        office.because,
        "Voice call enabled, office phones not allowed"
    );
    let questions = groups
        .iter()
        .find(|g| g.group == PolicyMethod::SecurityQuestions)
        .unwrap();
    assert_eq!(
        (questions.counts, questions.because.as_str()),
        (true, "not in the authentication methods policy")
    );
}

/// The dependency row of `group` in `r`.
fn dependents(r: &WhatIf, group: PolicyMethod) -> usize {
    r.dependents
        .iter()
        .find(|(g, _)| *g == group)
        .map(|(_, n)| *n)
        .unwrap_or_else(|| panic!("no row for {group:?}"))
}

#[test]
fn the_dependency_table_counts_who_would_lose_capability_if_one_group_went() {
    let ds = tenant();
    let r = what_if(&ds, &Policy::default(), Population::ALL);
    // One method required: ann, ben (phone), gus (email) depend on their only group; cat, dan
    // have two; the admins follow their own policy; hal and ivy are not capable.
    assert_eq!(dependents(&r, PolicyMethod::MobilePhone), 2);
    assert_eq!(dependents(&r, PolicyMethod::Email), 1);
    assert_eq!(dependents(&r, PolicyMethod::SecurityQuestions), 0);
    assert_eq!(dependents(&r, PolicyMethod::OfficePhone), 0);
    // Two required: cat depends on phone and office, dan on email and questions.
    let r = what_if(&ds, &two(), Population::ALL);
    assert_eq!(
        r.dependents,
        vec![
            (PolicyMethod::MobileAppNotification, 0),
            (PolicyMethod::MobileAppCode, 0),
            (PolicyMethod::Email, 1),
            (PolicyMethod::MobilePhone, 1),
            (PolicyMethod::OfficePhone, 1),
            (PolicyMethod::SecurityQuestions, 1),
        ]
    );
    // Only allowed groups have a row.
    let no_questions = Policy {
        allowed: vec![PolicyMethod::Email, PolicyMethod::MobilePhone],
        ..Policy::default()
    };
    let groups: Vec<PolicyMethod> = what_if(&ds, &no_questions, Population::ALL)
        .dependents
        .iter()
        .map(|(g, _)| *g)
        .collect();
    assert_eq!(groups, [PolicyMethod::Email, PolicyMethod::MobilePhone]);
}

#[test]
fn every_link_of_the_screen_lists_exactly_the_users_it_counts() {
    let ds = tenant();
    let scenarios = [
        Scenario::default(),
        Scenario {
            methods_required: 2,
            ..Scenario::default()
        },
        Scenario {
            scope: ScopeChoice::AllMembers,
            allowed: vec![PolicyMethod::Email, PolicyMethod::MobileAppCode],
            ..Scenario::default()
        },
        Scenario {
            scope: ScopeChoice::None,
            admin_policy: false,
            ..Scenario::default()
        },
    ];
    let populations = [
        Population::ALL,
        Population {
            users: UserKind::Members,
            roles: RoleKind::NonAdmins,
        },
    ];
    let inputs = PolicyInputs::default();
    for scenario in &scenarios {
        for population in populations {
            let policy = scenario.resolve(&ds, &inputs);
            let r = what_if(&ds, &policy, population);
            let list = |side, without| {
                let filter = UserFilter {
                    population,
                    whatif: Some(WhatIfFilter {
                        scenario: scenario.clone(),
                        side,
                        without,
                    }),
                    ..UserFilter::default()
                };
                // Through the URL, as the screen's links go.
                let filter = UserFilter::from_query(&filter.to_query());
                let mut rows = filter_users_with(&ds, &inputs, &filter);
                rows.sort_unstable();
                rows
            };
            assert_eq!(list(WhatIfSide::Gain, None), r.gain, "{scenario:?}");
            assert_eq!(list(WhatIfSide::Lose, None), r.lose, "{scenario:?}");
            for &(group, n) in &r.dependents {
                assert_eq!(
                    list(WhatIfSide::Lose, Some(group)).len(),
                    n,
                    "{scenario:?} without {group:?}"
                );
                assert!(list(WhatIfSide::Gain, Some(group)).is_empty());
            }
        }
    }
}

#[test]
fn a_dependency_list_is_the_scenarios_capable_users_who_would_lose_it() {
    let ds = tenant();
    let without_phone = what_if_users(
        &ds,
        &Policy::default(),
        WhatIfSide::Lose,
        Some(PolicyMethod::MobilePhone),
    );
    assert_eq!(flagged(&ds, &without_phone), ["ann", "ben"]);
}
