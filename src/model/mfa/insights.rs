//! The MFA insights (spec §3.5, §3.7): users whose only MFA methods are SMS or voice calls, admins
//! who cannot sign in without a password, users registered for MFA but not for SSPR and the
//! reverse, and users with system-preferred MFA turned off. Registration state: the period does
//! not change them. Each counts exactly the rows its link lists (the same filter decides both),
//! and a field the loaded data does not carry counts nobody: unknown is never "no".

use super::filter::{MfaFilter, MfaMatch};
use crate::model::dataset::{Dataset, U_REGISTERED};
use crate::model::filters::UserFilter;
use crate::model::insights::{Insight, InsightKind};
use crate::model::population::{Population, RoleKind};
use crate::model::query::registrations_href;
use crate::model::words::plural;

/// How many users of `filter.population` pass the SSPR registered filter and the MFA filter of
/// `filter` (the only parts these insights set), and the link to them.
fn count_and_link(ds: &Dataset, filter: UserFilter) -> (usize, String) {
    let Some(mfa) = MfaMatch::new(ds, &filter.mfa) else {
        return (0, registrations_href(&filter));
    };
    let n = (0..ds.user_count() as u32)
        .filter(|&u| {
            filter.population.has_user(ds, u)
                && filter
                    .registered
                    .is_none_or(|r| (ds.users.flags[u as usize] & U_REGISTERED != 0) == r)
                && mfa.admits(ds, u)
        })
        .count();
    (n, registrations_href(&filter))
}

/// The MFA insights for a population, in the order of spec §3.5.
///
/// ```
/// use sspr_insights::model::{import_file, AsOf, Dataset, Population, SourceKind};
/// use sspr_insights::model::mfa::insights::mfa_insights;
/// let page = br#"[{"id":"1","isSsprRegistered":true,"isSsprEnabled":true,"isMfaRegistered":false,
///                  "methodsRegistered":["mobilePhone"]}]"#;
/// let ds = Dataset::build(vec![import_file("u.json", page).batch], AsOf::Newest, SourceKind::Uploaded);
/// let found = mfa_insights(&ds, Population::ALL);
/// assert_eq!(found[0].href, "/registrations?phoneonly=yes");
/// assert_eq!(found[1].href, "/registrations?registered=yes&mfaregistered=no");
/// ```
pub fn mfa_insights(ds: &Dataset, population: Population) -> Vec<Insight> {
    let users = |mfa: MfaFilter| UserFilter {
        population,
        mfa,
        ..UserFilter::default()
    };
    let mut out = Vec::new();
    let mut push = |kind: InsightKind, filter: UserFilter, text: &dyn Fn(usize) -> String| {
        let (count, href) = count_and_link(ds, filter);
        if count > 0 {
            out.push(Insight {
                kind,
                text: text(count),
                count,
                href,
            });
        }
    };
    push(
        InsightKind::OnlySmsOrVoiceMfa,
        users(MfaFilter {
            phone_only: true,
            ..MfaFilter::default()
        }),
        &|n| {
            format!(
                "{n} {} only SMS or voice calls for MFA; these can be phished or taken over by SIM swapping.",
                plural(n, "user has", "users have")
            )
        },
    );
    if population.roles != RoleKind::NonAdmins {
        push(
            InsightKind::AdminsNotPasswordless,
            UserFilter {
                population: Population {
                    roles: RoleKind::Admins,
                    ..population
                },
                mfa: MfaFilter {
                    passwordless: Some(false),
                    ..MfaFilter::default()
                },
                ..UserFilter::default()
            },
            &|n| {
                format!(
                    "{n} {} not capable of passwordless sign-in; admin accounts need phishing-resistant sign-in most.",
                    plural(n, "admin is", "admins are")
                )
            },
        );
    }
    push(
        InsightKind::MfaWithoutSspr,
        UserFilter {
            registered: Some(false),
            ..users(MfaFilter {
                registered: Some(true),
                ..MfaFilter::default()
            })
        },
        &|n| {
            format!(
                "{n} {} registered for MFA but not for self-service password reset; with combined registration, one more method often covers both.",
                plural(n, "user is", "users are")
            )
        },
    );
    push(
        InsightKind::SsprWithoutMfa,
        UserFilter {
            registered: Some(true),
            ..users(MfaFilter {
                registered: Some(false),
                ..MfaFilter::default()
            })
        },
        &|n| {
            format!(
                "{n} {} registered for self-service password reset but not for MFA.",
                plural(n, "user is", "users are")
            )
        },
    );
    push(
        InsightKind::SystemPreferredOff,
        users(MfaFilter {
            system_preferred: Some(false),
            ..MfaFilter::default()
        }),
        &|n| {
            format!(
                "System-preferred MFA is off for {n} {}: they are asked for the method they chose, not the most secure one they registered.",
                people(n)
            )
        },
    );
    out
}

fn people(n: usize) -> &'static str {
    plural(n, "user", "users")
}
