//! Period aggregates for the charts (spec §3.4): per feature × method, successes and failures in
//! the period; the trend in hourly (24 h) or UTC-day buckets. One pass over the period's slice.

use super::batch::{Feature, EV_RESET, EV_SUCCESS};
use super::dataset::Dataset;
use super::method::{Method, MethodCode, NO_METHOD};
use super::period::{period_range, Period};
use super::population::Population;
use super::time::{floor_day, floor_hour, Millis, DAY, HOUR};

/// One bar pair of a chart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MethodRow {
    pub method: Method,
    pub success: u32,
    pub failure: u32,
}

/// Successes and failures per feature and method code in one period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MethodCounts {
    /// `[code][flags]`, flags = reset bit | success bit; the last code slot is "no method".
    counts: Vec<[u32; 4]>,
    /// The methods each feature uses anywhere in the data, in table order (stable rows).
    methods: [Vec<(MethodCode, Method)>; 2],
}

fn slot(feature: Feature, success: bool) -> usize {
    let mut flags = 0;
    if feature == Feature::Reset {
        flags |= EV_RESET;
    }
    if success {
        flags |= EV_SUCCESS;
    }
    flags as usize
}

impl MethodCounts {
    /// One row per method the feature uses anywhere in the data, in table order, so rows stay put
    /// when the period changes. Events without a method are in [`MethodCounts::without_method`].
    pub fn rows(&self, feature: Feature) -> Vec<MethodRow> {
        self.methods[feature as usize]
            .iter()
            .map(|(code, method)| {
                let c = &self.counts[*code as usize];
                MethodRow {
                    method: method.clone(),
                    success: c[slot(feature, true)],
                    failure: c[slot(feature, false)],
                }
            })
            .collect()
    }

    /// Successes and failures of events that name no method.
    pub fn without_method(&self, feature: Feature) -> (u32, u32) {
        let c = self.counts.last().copied().unwrap_or_default();
        (c[slot(feature, true)], c[slot(feature, false)])
    }

    /// Total successes and failures of a feature.
    pub fn totals(&self, feature: Feature) -> (u32, u32) {
        self.counts.iter().fold((0, 0), |(s, f), c| {
            (s + c[slot(feature, true)], f + c[slot(feature, false)])
        })
    }

    /// Successes and failures of one method code.
    pub fn of_code(&self, feature: Feature, code: MethodCode) -> (u32, u32) {
        let index = if code == NO_METHOD {
            self.counts.len() - 1
        } else {
            code as usize
        };
        let c = self.counts.get(index).copied().unwrap_or_default();
        (c[slot(feature, true)], c[slot(feature, false)])
    }
}

/// Counts the period's events per feature, method and status for a population.
pub fn method_counts(ds: &Dataset, period: Period, population: Population) -> MethodCounts {
    counts_in(ds, period_range(ds, period), population)
}

pub(crate) fn counts_in(
    ds: &Dataset,
    range: std::ops::Range<u32>,
    population: Population,
) -> MethodCounts {
    let codes = ds.methods.len();
    let mut counts = vec![[0u32; 4]; codes + 1];
    let (from, to) = (range.start as usize, range.end as usize);
    let ev = &ds.events;
    let index = |code: MethodCode| {
        if (code as usize) < codes {
            code as usize
        } else {
            codes
        }
    };
    if population.is_all() {
        for i in from..to {
            counts[index(ev.method[i])][ev.flags[i] as usize & 3] += 1;
        }
    } else {
        for i in from..to {
            if population.admits(ds.person_class[ev.person[i] as usize]) {
                counts[index(ev.method[i])][ev.flags[i] as usize & 3] += 1;
            }
        }
    }
    let methods = [Feature::Registration, Feature::Reset].map(|feature| {
        ds.feature_methods[feature as usize]
            .iter()
            .filter_map(|&code| Some((code, ds.methods.method(code)?)))
            .collect()
    });
    MethodCounts { counts, methods }
}

/// One bucket of the trend chart.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrendBucket {
    pub start: Millis,
    pub reset_success: u32,
    pub reset_failure: u32,
    pub registration_success: u32,
    pub registration_failure: u32,
}

/// The trend: hourly buckets for 24 hours, UTC days otherwise, covering the whole period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trend {
    pub hourly: bool,
    pub buckets: Vec<TrendBucket>,
}

/// Buckets the period's events by hour or UTC day.
pub fn trend(ds: &Dataset, period: Period, population: Population) -> Trend {
    let hourly = period == Period::Day;
    let (unit, floor): (Millis, fn(Millis) -> Millis) = if hourly {
        (HOUR, floor_hour)
    } else {
        (DAY, floor_day)
    };
    let end = ds.as_of();
    let first = floor(end - period.length() + 1);
    let count = ((floor(end) - first) / unit + 1).max(1) as usize;
    let mut buckets: Vec<TrendBucket> = (0..count)
        .map(|i| TrendBucket {
            start: first + i as Millis * unit,
            ..TrendBucket::default()
        })
        .collect();
    // Events are in time order: walk the buckets along with them (no division per event).
    // counts[b][flags & 3]: flags = reset bit | success bit.
    let mut counts = vec![[0u32; 4]; count];
    let ev = &ds.events;
    let mut b = 0usize;
    let mut next_start = first + unit;
    for i in period_range(ds, period) {
        let i = i as usize;
        if !population.is_all() && !population.admits(ds.person_class[ev.person[i] as usize]) {
            continue;
        }
        while ev.time[i] >= next_start {
            b += 1;
            next_start += unit;
        }
        if let Some(c) = counts.get_mut(b) {
            c[(ev.flags[i] & (EV_RESET | EV_SUCCESS)) as usize] += 1;
        }
    }
    for (bucket, c) in buckets.iter_mut().zip(&counts) {
        bucket.registration_failure = c[0];
        bucket.reset_failure = c[EV_RESET as usize];
        bucket.registration_success = c[EV_SUCCESS as usize];
        bucket.reset_success = c[(EV_RESET | EV_SUCCESS) as usize];
    }
    Trend { hourly, buckets }
}
