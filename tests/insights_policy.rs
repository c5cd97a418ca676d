//! Insights and the what-if policy on small, hand-computed tenants.

mod common;

use common::*;
use sspr_insights::model::policy::{MemberKind, MemberList, MemberRow};
use sspr_insights::model::{
    filter_events, filter_users, insights, what_if, AsOf, Dataset, EventFilter, InsightKind,
    Period, Policy, PolicyMethod, PolicyScope, Population, SourceKind, UserFilter,
};

fn user(
    id: &str,
    upn: &str,
    kind: &str,
    admin: bool,
    reg: bool,
    en: bool,
    methods: &[&str],
) -> String {
    let methods: Vec<String> = methods.iter().map(|m| format!("\"{m}\"")).collect();
    format!(
        r#"{{"id":"{id}","userPrincipalName":"{upn}","userDisplayName":"{id}","userType":"{kind}","isAdmin":{admin},"isSsprRegistered":{reg},"isSsprEnabled":{en},"methodsRegistered":[{}]}}"#,
        methods.join(",")
    )
}

fn tenant() -> Dataset {
    let users = format!(
        "[{}]",
        [
            user("ann", "ann@x", "member", false, true, true, &["email"]),
            user(
                "bob",
                "bob@x",
                "member",
                false,
                true,
                false,
                &["mobilePhone", "email"]
            ),
            user(
                "cy",
                "cy@x",
                "member",
                false,
                false,
                true,
                &["fido2SecurityKey"]
            ),
            user(
                "dee",
                "dee@x",
                "guest",
                false,
                true,
                false,
                &["email", "securityQuestion"]
            ),
            user(
                "eve",
                "eve@x",
                "member",
                true,
                true,
                true,
                &["email", "securityQuestion"]
            ),
            user(
                "fay",
                "fay@x",
                "member",
                true,
                true,
                true,
                &["microsoftAuthenticatorPush", "mobilePhone"]
            ),
        ]
        .join(",")
    );
    let ev = |i: usize, upn: &str, time: &str, ok: bool, method: &str, reason: &str| {
        format!(
            r#"{{"id":"ev{i}","feature":"reset","userPrincipalName":"{upn}","isSuccess":{ok},"authMethod":"{method}","failureReason":"{reason}","eventDateTime":"{time}"}}"#
        )
    };
    let events = [
        // the week before (2026-11-06 .. 11-13): 1 of 2 succeeded
        ev(0, "ann@x", "2026-11-08T10:00:00Z", true, "email", ""),
        ev(
            1,
            "ann@x",
            "2026-11-09T10:00:00Z",
            false,
            "email",
            "User abandoned after entering their user ID",
        ),
        // this week: 3 of 6 succeeded
        ev(
            2,
            "bob@x",
            "2026-11-18T10:00:00Z",
            false,
            "sms",
            "Password reset is not enabled for this user",
        ),
        ev(
            3,
            "bob@x",
            "2026-11-18T11:00:00Z",
            false,
            "sms",
            "Password reset is not enabled for this user",
        ),
        ev(
            4,
            "bob@x",
            "2026-11-18T12:00:00Z",
            false,
            "sms",
            "User abandoned after entering their user ID",
        ),
        ev(5, "ann@x", "2026-11-19T10:00:00Z", true, "sms", ""),
        ev(
            6,
            "fay@x",
            "2026-11-19T11:00:00Z",
            true,
            "appNotification",
            "",
        ),
        ev(7, "eve@x", "2026-11-20T12:00:00Z", true, "email", ""),
        // a month back, so the data covers the previous week
        ev(8, "ann@x", "2026-10-25T10:00:00Z", true, "email", ""),
    ];
    Dataset::build(
        vec![
            batch_of("u.json", &users),
            batch_of("e.json", &format!("[{}]", events.join(","))),
        ],
        AsOf::Newest,
        SourceKind::Uploaded,
    )
}

fn find(
    list: &[sspr_insights::model::Insight],
    kind: InsightKind,
) -> &sspr_insights::model::Insight {
    list.iter()
        .find(|i| i.kind == kind)
        .unwrap_or_else(|| panic!("no {kind:?} in {list:#?}"))
}

#[test]
fn insights_state_the_hand_computed_numbers_and_link_to_them() {
    let ds = tenant();
    let list = insights(&ds, Period::Week, Population::ALL);
    let gap = find(&list, InsightKind::EnabledNotRegistered);
    assert_eq!(gap.count, 1);
    assert_eq!(gap.href, "/registrations?registered=no&enabled=yes");
    let other_gap = find(&list, InsightKind::RegisteredNotEnabled);
    assert_eq!(other_gap.count, 2);
    let rate = find(&list, InsightKind::ResetSuccessRate);
    assert_eq!(rate.text, "50% of password resets succeeded in the last 7 days (3 of 6), about the same as the 7 days before.");
    assert_eq!(rate.href, "/activity?feature=reset");
    let worst = find(
        &list,
        InsightKind::MostFailingMethod(sspr_insights::model::Feature::Reset),
    );
    assert_eq!(
        worst.text,
        "SMS has the most failed resets in the last 7 days: 3 of 4 attempts failed."
    );
    assert_eq!(
        worst.href,
        "/activity?feature=reset&status=failure&method=Sms"
    );
    let reasons: Vec<&str> = list
        .iter()
        .filter(|i| i.kind == InsightKind::FailureReason)
        .map(|i| i.text.as_str())
        .collect();
    assert_eq!(reasons.len(), 2);
    assert!(
        reasons[0].contains("Password reset is not enabled") && reasons[0].contains(": 2 times"),
        "{reasons:?}"
    );
    let repeat = find(&list, InsightKind::RepeatedResetFailures);
    assert!(
        repeat
            .text
            .starts_with("1 user failed to reset 3 or more times"),
        "{}",
        repeat.text
    );
    let sms = find(&list, InsightKind::SmsOnlyResets);
    assert!(
        sms.text
            .starts_with("1 user reset their password with SMS alone"),
        "{}",
        sms.text
    );
    let admins = find(&list, InsightKind::AdminsWithoutAdminMethods);
    assert_eq!(admins.count, 1, "eve's security questions do not count");
    assert_eq!(admins.href, "/registrations?roles=admins&adminrule=no");
}

#[test]
fn every_insight_link_lists_exactly_the_rows_it_counts() {
    let ds = tenant();
    for insight in insights(&ds, Period::Week, Population::ALL) {
        let (path, query) = insight.href.split_once('?').unwrap_or((&insight.href, ""));
        let rows = match path {
            "/registrations" => filter_users(&ds, &UserFilter::from_query(query)).len(),
            "/activity" => filter_events(&ds, &EventFilter::from_query(query)).len(),
            other => panic!("unexpected link {other}"),
        };
        assert_eq!(rows, insight.count, "{insight:?}");
    }
}

#[test]
fn the_success_rate_compares_with_the_previous_period_only_when_the_data_covers_it() {
    let ds = tenant();
    let month = insights(&ds, Period::Month, Population::ALL);
    let rate = find(&month, InsightKind::ResetSuccessRate);
    assert_eq!(
        rate.text,
        "56% of password resets succeeded in the last 30 days (5 of 9)."
    );
}

#[test]
fn what_if_as_exported_with_defaults_reproduces_the_actual_tiles_except_rule_changes() {
    let ds = tenant();
    let result = what_if(&ds, &Policy::default(), Population::ALL);
    assert_eq!(result.actual.capable, 3); // ann, eve, fay
                                          // eve is an admin whose only non-question method is email: the admin rule drops her.
    assert_eq!(
        result
            .lose
            .iter()
            .map(|&u| ds.user(u).id())
            .collect::<Vec<_>>(),
        vec!["eve"]
    );
    assert!(result.gain.is_empty());
    assert_eq!(result.simulated.capable, 2);
}

#[test]
fn two_methods_required_for_all_members_is_hand_computed() {
    let ds = tenant();
    let policy = Policy {
        scope: PolicyScope::AllMembers,
        methods_required: 2,
        allowed: PolicyMethod::ALL.to_vec(),
        admin_rule: true,
        not_counted: Vec::new(),
    };
    let r = what_if(&ds, &policy, Population::ALL);
    // ann: 1 group → not registered; bob: phone+email → capable (gain); cy: fido only → no;
    // dee: guest → not enabled; eve: admin, email only → no (lose); fay: admin, app+phone → yes.
    let ids = |rows: &[u32]| rows.iter().map(|&u| ds.user(u).id()).collect::<Vec<_>>();
    assert_eq!(ids(&r.gain), vec!["bob"]);
    assert_eq!(ids(&r.lose), vec!["ann", "eve"]);
    assert_eq!(
        (
            r.simulated.registered,
            r.simulated.enabled,
            r.simulated.capable
        ),
        (3, 5, 2)
    );
}

#[test]
fn allowed_methods_scope_none_and_listed_users_change_the_outcome() {
    let ds = tenant();
    let no_email = Policy {
        allowed: vec![PolicyMethod::MobilePhone, PolicyMethod::SecurityQuestions],
        ..Policy::default()
    };
    let r = what_if(&ds, &no_email, Population::ALL);
    assert!(r.lose.iter().any(|&u| ds.user(u).id() == "ann"));
    let none = what_if(
        &ds,
        &Policy {
            scope: PolicyScope::None,
            ..Policy::default()
        },
        Population::ALL,
    );
    assert_eq!(
        none.simulated.enabled, 2,
        "admins stay enabled under their own rule"
    );
    let mut members = MemberList::default();
    for user_name in ["BOB@x", "cy@x"] {
        members.push(&MemberRow {
            id: "",
            user_name,
            name: "",
            kind: MemberKind::User,
        });
    }
    let listed = Policy {
        scope: PolicyScope::Group(members.resolve(&ds).in_group),
        admin_rule: false,
        ..Policy::default()
    };
    let r = what_if(&ds, &listed, Population::ALL);
    assert_eq!(
        r.gain.iter().map(|&u| ds.user(u).id()).collect::<Vec<_>>(),
        vec!["bob"]
    );
    assert_eq!(r.simulated.enabled, 2);
}
