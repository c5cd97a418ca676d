//! The period control (24 hours / 7 days / 30 days) and which events fall in a period:
//! `as_of − P < time ≤ as_of` (spec §3.4). Events are in time order, so a period is a slice.

use super::dataset::Dataset;
use super::time::{Millis, DAY, HOUR};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Period {
    Day,
    #[default]
    Week,
    Month,
}

impl Period {
    pub const ALL: [Period; 3] = [Period::Day, Period::Week, Period::Month];

    /// Reads the URL id (`24h`, `7d`, `30d`; also Graph's `d1`/`D7`…).
    pub fn parse(text: &str) -> Option<Period> {
        match text.trim().to_ascii_lowercase().as_str() {
            "24h" | "d1" | "1d" => Some(Period::Day),
            "7d" | "d7" => Some(Period::Week),
            "30d" | "d30" => Some(Period::Month),
            _ => None,
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            Period::Day => "24h",
            Period::Week => "7d",
            Period::Month => "30d",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Period::Day => "24 hours",
            Period::Week => "7 days",
            Period::Month => "30 days",
        }
    }

    pub fn length(self) -> Millis {
        match self {
            Period::Day => 24 * HOUR,
            Period::Week => 7 * DAY,
            Period::Month => 30 * DAY,
        }
    }
}

/// The events (indexes into the dataset's time-ordered events) with `start < time ≤ end`.
pub fn window(ds: &Dataset, start: Millis, end: Millis) -> std::ops::Range<u32> {
    let times = &ds.events.time;
    let from = times.partition_point(|&t| t <= start);
    let to = times.partition_point(|&t| t <= end).max(from);
    from as u32..to as u32
}

/// The events in `period` as of the dataset's as-of time.
pub fn period_range(ds: &Dataset, period: Period) -> std::ops::Range<u32> {
    window(ds, ds.as_of() - period.length(), ds.as_of())
}

/// The period of the same length just before `period`.
pub fn previous_period_range(ds: &Dataset, period: Period) -> std::ops::Range<u32> {
    let end = ds.as_of() - period.length();
    window(ds, end - period.length(), end)
}
