//! Insights (spec §3.5): short sentences computed from the dataset, each with the link to the
//! list behind it. The overview shows them; the lists reproduce them from the link.

use super::aggregates::counts_in;
use super::aggregates::MethodCounts;
use super::batch::{Feature, Status};
use super::dataset::{Dataset, U_ADMIN};
use super::filters::ResetProfile;
use super::filters::{reset_profile, EventFilter, UserFilter};
use super::method::Method;
use super::order::most_first;
use super::period::{period_range, previous_period_range, Period};
use super::policy::satisfies_admin_rule;
use super::population::{Population, RoleKind};
use super::query::{activity_href, registrations_href};
use super::tiles::tiles;
use super::words::plural;

/// Which insight a sentence is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InsightKind {
    EnabledNotRegistered,
    RegisteredNotEnabled,
    ResetSuccessRate,
    MostFailingMethod(Feature),
    FailureReason,
    RepeatedResetFailures,
    SmsOnlyResets,
    AdminsWithoutAdminMethods,
    /// The audit log's (spec §4.3): one IP address behind attempts of many users.
    AttemptsFromOneAddress,
    /// A successful reset soon after a security-info change (the SIM-swap pattern).
    ResetAfterSecurityInfoChange,
    /// Users blocked from self-service password reset again and again.
    RepeatedlyBlocked,
    /// The funnel stage after which most failing attempts stop.
    AttemptsStopAt,
    /// Users whose only MFA methods are SMS or voice calls (spec §3.7).
    OnlySmsOrVoiceMfa,
    /// Admins who are not passwordless capable.
    AdminsNotPasswordless,
    /// Users registered for MFA but not for SSPR.
    MfaWithoutSspr,
    /// Users registered for SSPR but not for MFA.
    SsprWithoutMfa,
    /// Users with system-preferred MFA turned off.
    SystemPreferredOff,
}

/// One insight: a sentence, how many rows are behind it, and the link to them.
#[derive(Clone, Debug, PartialEq)]
pub struct Insight {
    pub kind: InsightKind,
    pub text: String,
    /// How many rows the link lists.
    pub count: usize,
    pub href: String,
}

/// Failed resets that make a user a "repeated failure".
pub const REPEATED_FAILURES: u32 = 3;

fn percent(part: u32, whole: u32) -> f64 {
    if whole == 0 {
        0.0
    } else {
        100.0 * part as f64 / whole as f64
    }
}

/// What every insight of one period and population looks at (computed once).
struct Scope<'a> {
    ds: &'a Dataset,
    period: Period,
    population: Population,
    /// "in the last 7 days"
    in_period: String,
    /// The lists' filters for this scope, the starting point of every link.
    users: UserFilter,
    events: EventFilter,
    /// Events of the period by feature and method.
    counts: MethodCounts,
    /// Failed resets per person in the period, and who reset with SMS alone.
    profile: ResetProfile,
}

/// Computes the insights for a period and population, most useful first.
pub fn insights(ds: &Dataset, period: Period, population: Population) -> Vec<Insight> {
    let range = period_range(ds, period);
    let scope = Scope {
        ds,
        period,
        population,
        in_period: format!("in the last {}", period.label()),
        users: UserFilter {
            population,
            ..UserFilter::default()
        },
        events: EventFilter {
            period,
            population,
            ..EventFilter::default()
        },
        counts: counts_in(ds, range.clone(), population),
        profile: reset_profile(ds, range, population),
    };
    let tiles = tiles(ds, population);
    let mut out = Vec::new();
    out.extend(enabled_not_registered(&scope, tiles.enabled_not_registered));
    out.extend(registered_not_enabled(&scope, tiles.registered_not_enabled));
    out.extend(reset_success_rate(&scope));
    for feature in [Feature::Reset, Feature::Registration] {
        out.extend(most_failing_method(&scope, feature));
    }
    out.extend(top_failure_reasons(&scope));
    out.extend(repeated_reset_failures(&scope));
    out.extend(sms_only_resets(&scope));
    out.extend(admins_without_admin_methods(&scope));
    out.extend(super::audit::insights::audit_insights(
        ds, period, population,
    ));
    out.extend(super::mfa::insights::mfa_insights(ds, population));
    out
}

fn enabled_not_registered(s: &Scope<'_>, n: usize) -> Option<Insight> {
    (n > 0).then(|| Insight {
        kind: InsightKind::EnabledNotRegistered,
        text: format!(
            "{n} {} enabled for self-service password reset {} not registered the methods it needs.",
            plural(n, "user", "users"),
            plural(n, "has", "have")
        ),
        count: n,
        href: registrations_href(&UserFilter {
            enabled: Some(true),
            registered: Some(false),
            ..s.users.clone()
        }),
    })
}

fn registered_not_enabled(s: &Scope<'_>, n: usize) -> Option<Insight> {
    (n > 0).then(|| Insight {
        kind: InsightKind::RegisteredNotEnabled,
        text: format!(
            "{n} {} registered but {} not enabled by the policy, so they cannot reset.",
            plural(n, "user", "users"),
            plural(n, "is", "are")
        ),
        count: n,
        href: registrations_href(&UserFilter {
            registered: Some(true),
            enabled: Some(false),
            ..s.users.clone()
        }),
    })
}

/// The share of resets that succeeded, and its change against the period before when the
/// data reaches back over the whole of it.
fn reset_success_rate(s: &Scope<'_>) -> Option<Insight> {
    let (ok, failed) = s.counts.totals(Feature::Reset);
    let total = ok + failed;
    if total == 0 {
        return None;
    }
    let rate = percent(ok, total);
    let in_period = &s.in_period;
    let text = match change_from_before(s, rate) {
        Some(change) => format!(
            "{rate:.0}% of password resets succeeded {in_period} ({ok} of {total}), {change} the {} before.",
            s.period.label()
        ),
        None => format!("{rate:.0}% of password resets succeeded {in_period} ({ok} of {total})."),
    };
    Some(Insight {
        kind: InsightKind::ResetSuccessRate,
        text,
        count: total as usize,
        href: activity_href(&EventFilter {
            feature: Some(Feature::Reset),
            ..s.events.clone()
        }),
    })
}

/// "up 3 points from", "about the same as", …: the success rate against the period before;
/// `None` when the data does not cover that period or it had no resets.
fn change_from_before(s: &Scope<'_>, rate: f64) -> Option<String> {
    let covered =
        s.ds.event_span()
            .is_some_and(|(oldest, _)| oldest <= s.ds.as_of() - 2 * s.period.length());
    if !covered {
        return None;
    }
    let before = counts_in(s.ds, previous_period_range(s.ds, s.period), s.population);
    let (ok, failed) = before.totals(Feature::Reset);
    if ok + failed == 0 {
        return None;
    }
    let change = rate - percent(ok, ok + failed);
    if change.abs() < 0.5 {
        return Some("about the same as".to_string());
    }
    let points = change.abs().round();
    Some(format!(
        "{} {points:.0} {} from",
        if change > 0.0 { "up" } else { "down" },
        if points == 1.0 { "point" } else { "points" }
    ))
}

fn most_failing_method(s: &Scope<'_>, feature: Feature) -> Option<Insight> {
    let row = s
        .counts
        .rows(feature)
        .into_iter()
        .filter(|row| row.failure > 0)
        .max_by(|a, b| a.failure.cmp(&b.failure).then(b.method.cmp(&a.method)))?;
    let attempts = row.success + row.failure;
    Some(Insight {
        kind: InsightKind::MostFailingMethod(feature),
        text: format!(
            "{} has the most failed {} {}: {} of {} attempts failed.",
            row.method.label(),
            if feature == Feature::Reset {
                "resets"
            } else {
                "registrations"
            },
            s.in_period,
            row.failure,
            attempts
        ),
        count: row.failure as usize,
        href: activity_href(&EventFilter {
            feature: Some(feature),
            status: Some(Status::Failure),
            method: Some(row.method.clone()),
            ..s.events.clone()
        }),
    })
}

/// The three failure reasons given most often in the period.
fn top_failure_reasons(s: &Scope<'_>) -> Vec<Insight> {
    let ds = s.ds;
    let mut reason_counts = vec![0usize; ds.reasons.len()];
    for i in period_range(ds, s.period) {
        let i = i as usize;
        if ds.events.flags[i] & super::batch::EV_SUCCESS == 0
            && (s.population.is_all()
                || s.population
                    .admits(ds.person_class[ds.events.person[i] as usize]))
        {
            reason_counts[ds.events.reason[i] as usize] += 1;
        }
    }
    let reasons = most_first(
        reason_counts
            .iter()
            .enumerate()
            .skip(1) // 0 is "no reason given"
            .filter(|(_, &n)| n > 0)
            .map(|(r, &n)| (r as u64, n)),
    );
    reasons
        .iter()
        .take(3)
        .map(|&(r, n)| {
            let reason = ds.reasons.get(r as u32);
            Insight {
                kind: InsightKind::FailureReason,
                text: format!(
                    "Failure reason \u{201c}{reason}\u{201d}: {n} {} {}.",
                    plural(n, "time", "times"),
                    s.in_period
                ),
                count: n,
                href: activity_href(&EventFilter {
                    status: Some(Status::Failure),
                    reason: Some(reason.to_string()),
                    ..s.events.clone()
                }),
            }
        })
        .collect()
}

fn repeated_reset_failures(s: &Scope<'_>) -> Option<Insight> {
    let repeated = || {
        s.profile
            .failures
            .iter()
            .filter(|&&n| n >= REPEATED_FAILURES)
    };
    let repeaters = repeated().count();
    if repeaters == 0 {
        return None;
    }
    let failures: u32 = repeated().sum();
    Some(Insight {
        kind: InsightKind::RepeatedResetFailures,
        text: format!(
            "{repeaters} {} failed to reset {REPEATED_FAILURES} or more times {} ({failures} failed resets): they may need help, or someone may be trying their accounts.",
            plural(repeaters, "user", "users"),
            s.in_period
        ),
        count: failures as usize,
        href: activity_href(&EventFilter {
            feature: Some(Feature::Reset),
            status: Some(Status::Failure),
            repeat: Some(REPEATED_FAILURES),
            ..s.events.clone()
        }),
    })
}

fn sms_only_resets(s: &Scope<'_>) -> Option<Insight> {
    let sms_users = s.profile.sms_only.iter().filter(|&&b| b).count();
    if sms_users == 0 {
        return None;
    }
    let filter = EventFilter {
        feature: Some(Feature::Reset),
        method: Some(Method::Sms),
        sms_only: true,
        ..s.events.clone()
    };
    Some(Insight {
        kind: InsightKind::SmsOnlyResets,
        text: format!(
            "{sms_users} {} reset their password with SMS alone {}; SMS codes can be taken over by SIM swapping.",
            plural(sms_users, "user", "users"),
            s.in_period
        ),
        count: super::filters::filter_events(s.ds, &filter).len(),
        href: activity_href(&filter),
    })
}

fn admins_without_admin_methods(s: &Scope<'_>) -> Option<Insight> {
    if s.population.roles == RoleKind::NonAdmins {
        return None;
    }
    let ds = s.ds;
    let weak_admins = (0..ds.user_count() as u32)
        .filter(|&u| {
            ds.users.flags[u as usize] & U_ADMIN != 0
                && s.population.has_user(ds, u)
                && !satisfies_admin_rule(ds, ds.user(u).method_codes())
        })
        .count();
    (weak_admins > 0).then(|| Insight {
        kind: InsightKind::AdminsWithoutAdminMethods,
        text: format!(
            "{weak_admins} {} not registered two methods the administrator policy accepts (security questions do not count), so {} cannot reset.",
            plural(weak_admins, "admin has", "admins have"),
            plural(weak_admins, "that admin", "they")
        ),
        count: weak_admins,
        href: registrations_href(&UserFilter {
            population: Population {
                roles: RoleKind::Admins,
                ..s.population
            },
            admin_rule: Some(false),
            ..UserFilter::default()
        }),
    })
}
