//! What the what-if screen (`pages::policy`) and the data screen say about a scenario's outcome
//! and the what-if inputs: the sentences, in the admin's words, from the model's numbers. Pure
//! text, host-tested; the pages only place it.

use crate::components::format::count;
use crate::model::policy::{GroupMatch, MemberList, MethodsPolicy, PolicyMethod};
use crate::model::words::plural;

/// `1 user`, `1,200 users`.
fn users(n: usize) -> String {
    format!("{} {}", count(n), plural(n, "user", "users"))
}

/// The change from `actual` to `simulated`, signed: `"+12"`, `"−1,200"` (a true minus sign),
/// `"no change"`.
///
/// ```
/// use sspr_insights::pages::policy_words::difference;
/// assert_eq!(difference(10, 22), "+12");
/// assert_eq!(difference(1500, 300), "\u{2212}1,200");
/// assert_eq!(difference(5, 5), "no change");
/// ```
pub fn difference(actual: usize, simulated: usize) -> String {
    match simulated.cmp(&actual) {
        std::cmp::Ordering::Equal => "no change".to_string(),
        std::cmp::Ordering::Greater => format!("+{}", count(simulated - actual)),
        std::cmp::Ordering::Less => format!("\u{2212}{}", count(actual - simulated)),
    }
}

/// The outcome in one line: "Under this scenario 1,131 users are capable (−368)."
///
/// ```
/// use sspr_insights::pages::policy_words::capable_summary;
/// assert_eq!(capable_summary(1499, 1131), "Under this scenario 1,131 users are capable (\u{2212}368).");
/// assert_eq!(capable_summary(1, 1), "Under this scenario 1 user is capable (no change).");
/// ```
pub fn capable_summary(actual: usize, simulated: usize) -> String {
    format!(
        "Under this scenario {} {} capable ({}).",
        users(simulated),
        plural(simulated, "is", "are"),
        difference(actual, simulated)
    )
}

/// The link to the users who would gain the ability to reset.
pub fn gain_text(n: usize) -> String {
    format!("{} would gain the ability to reset", users(n))
}

/// The link to the users who would lose it.
pub fn lose_text(n: usize) -> String {
    format!("{} would lose the ability to reset", users(n))
}

/// A dependency row as a sentence: "Security questions: 120 users depend on it".
pub fn dependency_text(group: PolicyMethod, n: usize) -> String {
    format!(
        "{}: {} {} on it",
        group.label(),
        users(n),
        plural(n, "depends", "depend")
    )
}

/// How a member list matched the loaded users: "1,234 rows: 1,200 loaded users are in the group
/// (1,150 matched by object id, 50 by user name); 30 rows match no loaded user; 2 nested
/// groups."
///
/// ```
/// use sspr_insights::model::policy::{GroupMatch, MemberList};
/// use sspr_insights::pages::policy_words::group_summary;
/// let matched = GroupMatch { users: 2, by_id: 1, by_user_name: 1, ..GroupMatch::default() };
/// assert_eq!(
///     group_summary(&MemberList::default(), &matched),
///     "0 rows: 2 loaded users are in the group (1 matched by object id, 1 by user name)."
/// );
/// ```
pub fn group_summary(list: &MemberList, matched: &GroupMatch) -> String {
    let rows = list.len();
    let mut out = format!(
        "{} {}: {} loaded {} in the group ({} matched by object id, {} by user name)",
        count(rows),
        plural(rows, "row", "rows"),
        count(matched.users),
        plural(matched.users, "user is", "users are"),
        count(matched.by_id),
        count(matched.by_user_name),
    );
    let unmatched = matched.unmatched.len();
    if unmatched > 0 {
        out.push_str(&format!(
            "; {} {} no loaded user",
            count(unmatched),
            plural(unmatched, "row matches", "rows match")
        ));
    }
    if matched.groups > 0 {
        out.push_str(&format!(
            "; {} nested {} (their members count only when the list is Graph's /transitiveMembers)",
            count(matched.groups),
            plural(matched.groups, "group", "groups")
        ));
    }
    if matched.others > 0 {
        out.push_str(&format!(
            "; {} other {} (devices, service principals, contacts), left out",
            count(matched.others),
            plural(matched.others, "object", "objects")
        ));
    }
    out.push('.');
    out
}

/// Which files a member list came from: "members.json", "p1.json and 2 more files".
pub fn sources(list: &MemberList) -> String {
    match list.sources() {
        [] => String::new(),
        [one] => one.clone(),
        [first, rest @ ..] => format!(
            "{first} and {} more {}",
            count(rest.len()),
            plural(rest.len(), "file", "files")
        ),
    }
}

/// The migration state of an authentication methods policy, in the portal's words.
pub fn migration_state(policy: &MethodsPolicy) -> &'static str {
    match policy.migration_state.as_str() {
        "migrationComplete" => "Migration complete: only this policy decides which methods count.",
        "migrationInProgress" => {
            "Migration in progress: the legacy SSPR policy's methods still count too."
        }
        "preMigration" => "Pre-migration: SSPR still follows the legacy SSPR policy, not this one.",
        _ => "The file does not say how far the migration from the legacy policies is.",
    }
}

/// What the data screen says about a loaded policy: "12 method configurations, 3 disabled".
pub fn configurations_summary(policy: &MethodsPolicy) -> String {
    let n = policy.configurations.len();
    let disabled = policy.configurations.iter().filter(|c| !c.enabled).count();
    format!(
        "{} method {}, {} disabled",
        count(n),
        plural(n, "configuration", "configurations"),
        count(disabled)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::policy::{MemberKind, MemberRow, MethodConfiguration};

    #[test]
    fn a_member_list_summary_names_every_kind_of_row() {
        let mut list = MemberList::default();
        for id in ["1", "2", "3", "4", "5"] {
            list.push(&MemberRow {
                id,
                user_name: "",
                name: "",
                kind: MemberKind::User,
            });
        }
        let matched = GroupMatch {
            in_group: vec![true],
            users: 1,
            by_id: 1,
            by_user_name: 0,
            unmatched: vec![1, 2],
            groups: 1,
            others: 1,
        };
        assert_eq!(
            group_summary(&list, &matched),
            "5 rows: 1 loaded user is in the group (1 matched by object id, 0 by user name); 2 rows match no loaded user; 1 nested group (their members count only when the list is Graph's /transitiveMembers); 1 other object (devices, service principals, contacts), left out."
        );
    }

    #[test]
    fn gains_losses_and_dependencies_read_as_sentences() {
        assert_eq!(gain_text(1), "1 user would gain the ability to reset");
        assert_eq!(
            lose_text(1_200),
            "1,200 users would lose the ability to reset"
        );
        assert_eq!(
            dependency_text(PolicyMethod::SecurityQuestions, 120),
            "Security questions: 120 users depend on it"
        );
        assert_eq!(
            dependency_text(PolicyMethod::Email, 1),
            "Email: 1 user depends on it"
        );
    }

    #[test]
    fn a_policy_reads_with_its_migration_state_and_its_disabled_configurations() {
        let policy = MethodsPolicy {
            migration_state: "migrationComplete".into(),
            configurations: vec![
                MethodConfiguration {
                    id: "Sms".into(),
                    ..Default::default()
                },
                MethodConfiguration {
                    id: "Email".into(),
                    enabled: true,
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        assert_eq!(
            configurations_summary(&policy),
            "2 method configurations, 1 disabled"
        );
        assert!(migration_state(&policy).starts_with("Migration complete"));
        assert!(migration_state(&MethodsPolicy::default()).contains("does not say"));
    }

    #[test]
    fn several_member_files_are_named_by_the_first() {
        let mut list = MemberList::default();
        assert_eq!(sources(&list), "");
        for name in ["p1.json", "p2.json", "p3.json"] {
            list.note_source(name);
        }
        assert_eq!(sources(&list), "p1.json and 2 more files");
    }
}
