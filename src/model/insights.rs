//! Insights (spec §3.5): short sentences computed from the dataset, each with the link to the
//! list behind it. The overview shows them; the lists reproduce them from the link.

use super::aggregates::counts_in;
use super::batch::{Feature, Status};
use super::dataset::{Dataset, U_ADMIN};
use super::filters::{reset_profile, EventFilter, UserFilter};
use super::method::Method;
use super::period::{period_range, previous_period_range, Period};
use super::policy::satisfies_admin_rule;
use super::population::{Population, RoleKind};
use super::query::{activity_href, registrations_href};
use super::tiles::tiles;

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

fn users(n: usize) -> &'static str {
    if n == 1 {
        "user"
    } else {
        "users"
    }
}

fn percent(part: u32, whole: u32) -> f64 {
    if whole == 0 {
        0.0
    } else {
        100.0 * part as f64 / whole as f64
    }
}

/// Computes the insights for a period and population, most useful first.
pub fn insights(ds: &Dataset, period: Period, population: Population) -> Vec<Insight> {
    let mut out = Vec::new();
    let t = tiles(ds, population);
    let user_filter = UserFilter {
        population,
        ..UserFilter::default()
    };
    let event_filter = EventFilter {
        period,
        population,
        ..EventFilter::default()
    };
    let in_period = format!("in the last {}", period.label());

    if t.enabled_not_registered > 0 {
        let n = t.enabled_not_registered;
        out.push(Insight {
            kind: InsightKind::EnabledNotRegistered,
            text: format!(
                "{n} {} enabled for self-service password reset {} not registered the methods it needs.",
                users(n),
                if n == 1 { "has" } else { "have" }
            ),
            count: n,
            href: registrations_href(&UserFilter {
                enabled: Some(true),
                registered: Some(false),
                ..user_filter.clone()
            }),
        });
    }
    if t.registered_not_enabled > 0 {
        let n = t.registered_not_enabled;
        out.push(Insight {
            kind: InsightKind::RegisteredNotEnabled,
            text: format!(
                "{n} {} registered but {} not enabled by the policy, so they cannot reset.",
                users(n),
                if n == 1 { "is" } else { "are" }
            ),
            count: n,
            href: registrations_href(&UserFilter {
                registered: Some(true),
                enabled: Some(false),
                ..user_filter.clone()
            }),
        });
    }

    let now = counts_in(ds, period_range(ds, period), population);
    let (ok, failed) = now.totals(Feature::Reset);
    let total = ok + failed;
    if total > 0 {
        let rate = percent(ok, total);
        let mut text =
            format!("{rate:.0}% of password resets succeeded {in_period} ({ok} of {total}).");
        // Compare only when the data reaches back over the whole previous period.
        let covered = ds
            .event_span()
            .is_some_and(|(oldest, _)| oldest <= ds.as_of() - 2 * period.length());
        if covered {
            let before = counts_in(ds, previous_period_range(ds, period), population);
            let (ok_before, failed_before) = before.totals(Feature::Reset);
            if ok_before + failed_before > 0 {
                let change = rate - percent(ok_before, ok_before + failed_before);
                text = format!(
                    "{rate:.0}% of password resets succeeded {in_period} ({ok} of {total}), {} the {} before.",
                    if change.abs() < 0.5 {
                        "about the same as".to_string()
                    } else {
                        let points = change.abs().round();
                        format!(
                            "{} {points:.0} {} from",
                            if change > 0.0 { "up" } else { "down" },
                            if points == 1.0 { "point" } else { "points" }
                        )
                    },
                    period.label()
                );
            }
        }
        out.push(Insight {
            kind: InsightKind::ResetSuccessRate,
            text,
            count: total as usize,
            href: activity_href(&EventFilter {
                feature: Some(Feature::Reset),
                ..event_filter.clone()
            }),
        });
    }

    for feature in [Feature::Reset, Feature::Registration] {
        let worst = now
            .rows(feature)
            .into_iter()
            .filter(|row| row.failure > 0)
            .max_by(|a, b| a.failure.cmp(&b.failure).then(b.method.cmp(&a.method)));
        if let Some(row) = worst {
            let attempts = row.success + row.failure;
            out.push(Insight {
                kind: InsightKind::MostFailingMethod(feature),
                text: format!(
                    "{} has the most failed {} {in_period}: {} of {} attempts failed.",
                    row.method.label(),
                    if feature == Feature::Reset {
                        "resets"
                    } else {
                        "registrations"
                    },
                    row.failure,
                    attempts
                ),
                count: row.failure as usize,
                href: activity_href(&EventFilter {
                    feature: Some(feature),
                    status: Some(Status::Failure),
                    method: Some(row.method.clone()),
                    ..event_filter.clone()
                }),
            });
        }
    }

    // Top failure reasons.
    let mut reason_counts = vec![0usize; ds.reasons.len()];
    let range = period_range(ds, period);
    for i in range.clone() {
        let i = i as usize;
        if ds.events.flags[i] & super::batch::EV_SUCCESS == 0
            && (population.is_all()
                || population.admits(ds.person_class[ds.events.person[i] as usize]))
        {
            reason_counts[ds.events.reason[i] as usize] += 1;
        }
    }
    let mut reasons: Vec<(usize, usize)> = reason_counts
        .iter()
        .enumerate()
        .skip(1) // 0 is "no reason given"
        .filter(|(_, &n)| n > 0)
        .map(|(r, &n)| (r, n))
        .collect();
    reasons.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    for &(r, n) in reasons.iter().take(3) {
        let reason = ds.reasons.get(r as u32);
        out.push(Insight {
            kind: InsightKind::FailureReason,
            text: format!(
                "Failure reason \u{201c}{reason}\u{201d}: {n} {} {in_period}.",
                if n == 1 { "time" } else { "times" }
            ),
            count: n,
            href: activity_href(&EventFilter {
                status: Some(Status::Failure),
                reason: Some(reason.to_string()),
                ..event_filter.clone()
            }),
        });
    }

    let profile = reset_profile(ds, range, population);
    let repeaters = profile
        .failures
        .iter()
        .filter(|&&n| n >= REPEATED_FAILURES)
        .count();
    if repeaters > 0 {
        let failures: u32 = profile
            .failures
            .iter()
            .filter(|&&n| n >= REPEATED_FAILURES)
            .sum();
        out.push(Insight {
            kind: InsightKind::RepeatedResetFailures,
            text: format!(
                "{repeaters} {} failed to reset {REPEATED_FAILURES} or more times {in_period} ({failures} failed resets): they may need help, or someone may be trying their accounts.",
                users(repeaters)
            ),
            count: failures as usize,
            href: activity_href(&EventFilter {
                feature: Some(Feature::Reset),
                status: Some(Status::Failure),
                repeat: Some(REPEATED_FAILURES),
                ..event_filter.clone()
            }),
        });
    }

    let sms_users = profile.sms_only.iter().filter(|&&b| b).count();
    if sms_users > 0 {
        let filter = EventFilter {
            feature: Some(Feature::Reset),
            method: Some(Method::Sms),
            sms_only: true,
            ..event_filter.clone()
        };
        let rows = super::filters::filter_events(ds, &filter).len();
        out.push(Insight {
            kind: InsightKind::SmsOnlyResets,
            text: format!(
                "{sms_users} {} reset their password with SMS alone {in_period}; SMS codes can be taken over by SIM swapping.",
                users(sms_users)
            ),
            count: rows,
            href: activity_href(&filter),
        });
    }

    if population.roles != RoleKind::NonAdmins {
        let weak_admins = (0..ds.user_count() as u32)
            .filter(|&u| {
                ds.users.flags[u as usize] & U_ADMIN != 0
                    && population.has_user(ds, u)
                    && !satisfies_admin_rule(ds, ds.user(u).method_codes())
            })
            .count();
        if weak_admins > 0 {
            out.push(Insight {
                kind: InsightKind::AdminsWithoutAdminMethods,
                text: format!(
                    "{weak_admins} {} not registered two methods the administrator policy accepts (security questions do not count), so {} cannot reset.",
                    if weak_admins == 1 { "admin has" } else { "admins have" },
                    if weak_admins == 1 { "that admin" } else { "they" }
                ),
                count: weak_admins,
                href: registrations_href(&UserFilter {
                    population: Population {
                        roles: RoleKind::Admins,
                        ..population
                    },
                    admin_rule: Some(false),
                    ..UserFilter::default()
                }),
            });
        }
    }
    out
}
