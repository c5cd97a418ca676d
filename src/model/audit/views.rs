//! What the `/attempts` screen draws (spec §4.3): the funnel, the outcomes and the trend of the
//! entries in a period for a population. Entries are in time order, so a period is a slice, and
//! each view walks it once.

use super::attempts::{Outcome, Stage};
use super::Audit;
use crate::model::dataset::Dataset;
use crate::model::period::Period;
use crate::model::population::Population;
use crate::model::time::{floor_day, floor_hour, Millis, DAY, HOUR};

/// The entries (indexes, in time order) with `as_of − period < time ≤ as_of`.
pub fn entry_range(ds: &Dataset, period: Period) -> std::ops::Range<u32> {
    let times = &ds.audit.entries.time;
    let (start, end) = (ds.as_of() - period.length(), ds.as_of());
    let from = times.partition_point(|&t| t <= start);
    let to = times.partition_point(|&t| t <= end).max(from);
    from as u32..to as u32
}

/// Whether entry `i`'s person belongs to `population`.
pub(crate) fn admits(ds: &Dataset, population: Population, i: usize) -> bool {
    population.is_all() || population.admits(ds.person_class[ds.audit.entries.person[i] as usize])
}

/// The entries of a period and population, as indexes.
pub(crate) fn entries_in(
    ds: &Dataset,
    period: Period,
    population: Population,
) -> impl Iterator<Item = usize> + '_ {
    let range = entry_range(ds, period);
    (range.start as usize..range.end as usize).filter(move |&i| admits(ds, population, i))
}

fn outcome_of(audit: &Audit, i: usize) -> Outcome {
    Outcome::from_code(audit.entries.outcome[i]).unwrap_or(Outcome::Abandoned)
}

/// One bar of the funnel: how many attempts reached the stage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunnelRow {
    pub stage: Stage,
    pub attempts: u32,
}

/// The funnel (spec §4.3): attempts of the period that reached each stage, in stage order
/// (each stage includes the next, so the counts never rise).
pub fn attempt_funnel(ds: &Dataset, period: Period, population: Population) -> Vec<FunnelRow> {
    let mut reached = [0u32; 6];
    for i in entries_in(ds, period, population) {
        let stage = ds.audit.entries.stage[i] as usize;
        reached[stage.min(5)] += 1;
    }
    // reached[s] now counts attempts whose furthest stage is s; each stage counts those beyond.
    let mut at_least = 0;
    let mut rows: Vec<FunnelRow> = Stage::ALL
        .iter()
        .rev()
        .map(|&stage| {
            at_least += reached[stage.number() as usize];
            FunnelRow {
                stage,
                attempts: at_least,
            }
        })
        .collect();
    rows.reverse();
    rows
}

/// Entries of the period per outcome, every outcome in [`Outcome::ALL`]'s order (zeros too, so
/// the rows stay put when the period changes).
pub fn attempt_outcomes(
    ds: &Dataset,
    period: Period,
    population: Population,
) -> Vec<(Outcome, u32)> {
    let mut counts = [0u32; 9];
    for i in entries_in(ds, period, population) {
        counts[outcome_of(&ds.audit, i).code() as usize] += 1;
    }
    Outcome::ALL
        .iter()
        .map(|&o| (o, counts[o.code() as usize]))
        .collect()
}

/// Attempts of the period that stopped after each stage without a reset or an unlock (index:
/// stage 1–4), for the insight on where attempts stop.
pub(crate) fn stops(ds: &Dataset, period: Period, population: Population) -> [u32; 5] {
    let mut stopped = [0u32; 5];
    for i in entries_in(ds, period, population) {
        let outcome = outcome_of(&ds.audit, i);
        if outcome.is_failure() {
            let stage = ds.audit.entries.stage[i] as usize;
            if let Some(n) = stopped.get_mut(stage) {
                *n += 1;
            }
        }
    }
    stopped
}

/// One bucket of the attempts trend.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AttemptBucket {
    pub start: Millis,
    /// Self-service attempts that reset the password.
    pub succeeded: u32,
    /// Self-service unlocks.
    pub unlocked: u32,
    /// Self-service attempts that ended otherwise (blocked, failed, contacted admin, canceled,
    /// abandoned).
    pub not_succeeded: u32,
    pub admin_resets: u32,
    pub password_changes: u32,
}

/// The attempts trend: hourly buckets for 24 hours, UTC days otherwise (as the overview's).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttemptTrend {
    pub hourly: bool,
    pub buckets: Vec<AttemptBucket>,
}

/// Buckets the period's entries by hour or UTC day.
pub fn attempt_trend(ds: &Dataset, period: Period, population: Population) -> AttemptTrend {
    let hourly = period == Period::Day;
    let (unit, floor): (Millis, fn(Millis) -> Millis) = if hourly {
        (HOUR, floor_hour)
    } else {
        (DAY, floor_day)
    };
    let end = ds.as_of();
    let first = floor(end - period.length() + 1);
    let count = ((floor(end) - first) / unit + 1).max(1) as usize;
    let mut buckets: Vec<AttemptBucket> = (0..count)
        .map(|i| AttemptBucket {
            start: first + i as Millis * unit,
            ..AttemptBucket::default()
        })
        .collect();
    let audit = &ds.audit;
    for i in entries_in(ds, period, population) {
        let b = ((audit.entries.time[i] - first).div_euclid(unit)).max(0) as usize;
        let Some(bucket) = buckets.get_mut(b) else {
            continue;
        };
        match outcome_of(audit, i) {
            Outcome::Succeeded => bucket.succeeded += 1,
            Outcome::Unlocked => bucket.unlocked += 1,
            Outcome::AdminReset => bucket.admin_resets += 1,
            Outcome::PasswordChange => bucket.password_changes += 1,
            _ => bucket.not_succeeded += 1,
        }
    }
    AttemptTrend { hourly, buckets }
}
