//! How numbers and times read on screen: counts with thousands separators, shares as
//! percentages, times in the browser's time zone. Downloads use the model's `format_utc` instead.

use chrono::{DateTime, Local, Offset, TimeZone, Utc};

use crate::model::time::format_wall;
use crate::model::Millis;

/// `1234567` → `"1,234,567"`.
pub fn count(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// A share in 0..=1 as a percentage with one decimal: `0.6421` → `"64.2%"`. Whole numbers
/// drop the decimal (`"100%"`, `"0%"`).
pub fn percent(share: f64) -> String {
    let value = (share.clamp(0.0, 1.0) * 1000.0).round() / 10.0;
    if value.fract() == 0.0 {
        format!("{value:.0}%")
    } else {
        format!("{value:.1}%")
    }
}

/// A time in the browser's time zone (chrono reads it from JavaScript's `Date` in wasm), as
/// `2026-11-20 13:05:09`: sortable, unambiguous in every locale.
pub fn local_time(ms: Millis) -> String {
    time_in(ms, &Local)
}

/// A time in the zone `tz` (what [`local_time`] does, for any zone), `""` when out of range.
///
/// ```
/// use chrono::FixedOffset;
/// use sspr_insights::components::format::time_in;
/// let cet = FixedOffset::east_opt(3600).unwrap();
/// assert_eq!(time_in(0, &cet), "1970-01-01 01:00:00");
/// ```
pub fn time_in<Tz: TimeZone>(ms: Millis, tz: &Tz) -> String
where
    Tz::Offset: std::fmt::Display,
{
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(|t| format_wall(&t.with_timezone(tz).naive_local()))
        .unwrap_or_default()
}

/// A moment for people to read: the browser's time zone, named (`2026-11-20 14:29:16 UTC+01:00`).
/// Machine-readable places (a `<time datetime>`, downloads) keep the model's `format_utc`.
pub fn moment(ms: Millis) -> String {
    format!("{} {}", local_time(ms), local_zone(ms))
}

/// The browser's offset from UTC at `ms`, as `UTC+01:00` (`UTC` when there is none), for the
/// note that says which zone the lists show.
pub fn local_zone(ms: Millis) -> String {
    zone_in(ms, &Local)
}

/// [`local_zone`] for any zone.
///
/// ```
/// use chrono::{FixedOffset, Utc};
/// use sspr_insights::components::format::zone_in;
/// assert_eq!(zone_in(0, &FixedOffset::west_opt(5 * 3600 + 1800).unwrap()), "UTC−05:30");
/// assert_eq!(zone_in(0, &Utc), "UTC");
/// ```
pub fn zone_in<Tz: TimeZone>(ms: Millis, tz: &Tz) -> String {
    let Some(t) = DateTime::<Utc>::from_timestamp_millis(ms) else {
        return "UTC".to_string();
    };
    let seconds = t.with_timezone(tz).offset().fix().local_minus_utc();
    if seconds == 0 {
        return "UTC".to_string();
    }
    let sign = if seconds < 0 { '−' } else { '+' };
    let minutes = seconds.unsigned_abs() / 60;
    format!("UTC{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::FixedOffset;

    #[test]
    fn counts_get_thousands_separators() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(1_000_000), "1,000,000");
    }

    #[test]
    fn shares_read_as_percentages() {
        assert_eq!(percent(0.6421), "64.2%");
        assert_eq!(percent(1.0), "100%");
        assert_eq!(percent(0.0), "0%");
    }

    #[test]
    fn times_are_shown_in_the_given_zone_and_utc_is_the_same_instant() {
        // 2026-11-20T12:00:00Z
        let ms = 1_795_176_000_000;
        assert_eq!(time_in(ms, &Utc), "2026-11-20 12:00:00");
        let tokyo = FixedOffset::east_opt(9 * 3600).unwrap();
        assert_eq!(time_in(ms, &tokyo), "2026-11-20 21:00:00");
        let new_york = FixedOffset::west_opt(5 * 3600).unwrap();
        assert_eq!(time_in(ms, &new_york), "2026-11-20 07:00:00");
    }

    #[test]
    fn a_time_out_of_range_is_blank_not_a_panic() {
        assert_eq!(time_in(i64::MAX, &Utc), "");
        assert_eq!(zone_in(i64::MAX, &Utc), "UTC");
    }

    #[test]
    fn zones_are_named_by_their_offset() {
        let india = FixedOffset::east_opt(5 * 3600 + 1800).unwrap();
        assert_eq!(zone_in(0, &india), "UTC+05:30");
        assert_eq!(zone_in(0, &Utc), "UTC");
    }
}
