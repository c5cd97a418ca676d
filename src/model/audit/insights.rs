//! The audit log's insights (spec §4.3), for a period and population, each linked to the
//! `/attempts` list behind it: one IP address behind the attempts of many users, successful
//! resets soon after a security-info change (the SIM-swap pattern), users blocked again and
//! again, and the funnel stage after which most failing attempts stop.

use rustc_hash::{FxHashMap, FxHashSet};

use super::attempts::{Outcome, Stage};
use super::filter::{after_change, attempts_href, AttemptFilter, AFTER_CHANGE_WINDOW};
use super::views::{entries_in, stops};
use crate::model::dataset::Dataset;
use crate::model::insights::{Insight, InsightKind};
use crate::model::order::most_first;
use crate::model::period::Period;
use crate::model::population::Population;
use crate::model::time::HOUR;
use crate::model::words::plural;

/// Attempts of this many distinct users from one IP address make an insight.
pub const USERS_PER_ADDRESS: usize = 5;
/// Blocks of one user that make an insight.
pub const REPEATED_BLOCKS: u32 = 2;
/// At most this many addresses are named.
const ADDRESSES_SHOWN: usize = 3;

/// The audit log's insights, most pressing first (none without an audit log).
pub fn audit_insights(ds: &Dataset, period: Period, population: Population) -> Vec<Insight> {
    if ds.audit().entry_count() == 0 {
        return Vec::new();
    }
    let base = AttemptFilter {
        period,
        population,
        ..AttemptFilter::default()
    };
    let in_period = format!("in the last {}", period.label());
    let mut out = Vec::new();
    out.extend(busy_addresses(ds, &base, &in_period));
    out.extend(resets_after_change(ds, &base, &in_period));
    out.extend(repeatedly_blocked(ds, &base, &in_period));
    out.extend(where_attempts_stop(ds, &base, &in_period));
    out
}

fn busy_addresses(ds: &Dataset, base: &AttemptFilter, in_period: &str) -> Vec<Insight> {
    let e = &ds.audit.entries;
    let mut users: FxHashMap<u32, FxHashSet<u32>> = FxHashMap::default();
    let mut attempts: FxHashMap<u32, usize> = FxHashMap::default();
    for i in entries_in(ds, base.period, base.population) {
        let outcome = Outcome::from_code(e.outcome[i]).unwrap_or(Outcome::Abandoned);
        if !outcome.is_attempt() || e.ip[i] == 0 {
            continue;
        }
        users.entry(e.ip[i]).or_default().insert(e.person[i]);
        *attempts.entry(e.ip[i]).or_default() += 1;
    }
    let busy = most_first(
        users
            .iter()
            .map(|(&ip, people)| (u64::from(ip), people.len()))
            .filter(|&(_, n)| n >= USERS_PER_ADDRESS),
    );
    busy.into_iter()
        .take(ADDRESSES_SHOWN)
        .map(|(ip, n)| {
            let ip = ip as u32;
            let address = ds.audit.texts.get(ip).to_string();
            let count = attempts.get(&ip).copied().unwrap_or(0);
            Insight {
                kind: InsightKind::AttemptsFromOneAddress,
                text: format!(
                    "Reset attempts of {n} users came from one IP address, {address}, {in_period} ({count} {}): one person may be trying several accounts.",
                    plural(count, "attempt", "attempts")
                ),
                count,
                href: attempts_href(&AttemptFilter {
                    ip: Some(address),
                    ..base.clone()
                }),
            }
        })
        .collect()
}

fn resets_after_change(ds: &Dataset, base: &AttemptFilter, in_period: &str) -> Option<Insight> {
    let flagged = after_change(ds);
    let n = entries_in(ds, base.period, base.population)
        .filter(|&i| flagged[i])
        .count();
    (n > 0).then(|| Insight {
        kind: InsightKind::ResetAfterSecurityInfoChange,
        text: format!(
            "{n} {} within {} hours after a change of the same user's security info {in_period}: check that each change was the user's own (the SIM-swap pattern).",
            plural(n, "password reset succeeded", "password resets succeeded"),
            AFTER_CHANGE_WINDOW / HOUR
        ),
        count: n,
        href: attempts_href(&AttemptFilter {
            after_change: true,
            ..base.clone()
        }),
    })
}

fn repeatedly_blocked(ds: &Dataset, base: &AttemptFilter, in_period: &str) -> Option<Insight> {
    let e = &ds.audit.entries;
    let mut blocks: FxHashMap<u32, u32> = FxHashMap::default();
    for i in entries_in(ds, base.period, base.population) {
        if e.outcome[i] == Outcome::Blocked.code() {
            *blocks.entry(e.person[i]).or_default() += 1;
        }
    }
    let repeated = || blocks.values().filter(|&&n| n >= REPEATED_BLOCKS);
    let users = repeated().count();
    if users == 0 {
        return None;
    }
    let total: u32 = repeated().sum();
    Some(Insight {
        kind: InsightKind::RepeatedlyBlocked,
        text: format!(
            "{users} {} blocked from self-service password reset {REPEATED_BLOCKS} or more times {in_period} ({total} blocks): they may need help, or someone may be trying their accounts.",
            plural(users, "user was", "users were")
        ),
        count: total as usize,
        href: attempts_href(&AttemptFilter {
            outcome: Some(Outcome::Blocked),
            repeat: Some(REPEATED_BLOCKS),
            ..base.clone()
        }),
    })
}

fn where_attempts_stop(ds: &Dataset, base: &AttemptFilter, in_period: &str) -> Option<Insight> {
    let stopped = stops(ds, base.period, base.population);
    let total: u32 = stopped.iter().sum();
    let (stage, n) = stopped
        .iter()
        .enumerate()
        .skip(1)
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(&a.0)))
        .map(|(s, &n)| (s, n))?;
    let stage = Stage::from_number(stage as u8).filter(|_| n > 0)?;
    Some(Insight {
        kind: InsightKind::AttemptsStopAt,
        text: format!(
            "Of the {total} reset {} that ended without a reset {in_period}, most ({n}) stopped after \u{201c}{}\u{201d}.",
            plural(total as usize, "attempt", "attempts"),
            stage.label()
        ),
        count: n as usize,
        href: attempts_href(&AttemptFilter {
            stopped: Some(stage),
            ..base.clone()
        }),
    })
}
