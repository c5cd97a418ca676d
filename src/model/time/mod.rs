//! Time as integer milliseconds since the Unix epoch (UTC): parsing every date form the exports
//! use (the common ISO form here, the others and HTTP dates in `forms`), and the one time
//! formatter (UTC output, a wall-clock time the screens have put in a zone, chart ticks). No time
//! zones other than UTC live here. The formats are fixed, so they are
//! written field by field: chrono's strftime machinery (reading a format string at run time)
//! would cost the page's download for nothing.

mod forms;

use chrono::{DateTime, Datelike, NaiveDateTime, TimeZone, Timelike, Utc};

pub use forms::parse_http_date;

use super::strings::trimmed;

/// Milliseconds since 1970-01-01T00:00:00Z.
pub type Millis = i64;

pub const HOUR: Millis = 3_600_000;
pub const DAY: Millis = 24 * HOUR;

/// Parses an ISO 8601 / RFC 3339 time as Graph writes it (`2023-03-13T19:15:41.6195833Z`,
/// offsets, fractions of any length), and the date forms seen in portal CSV downloads
/// (`2023-03-13 19:15:41`, `3/13/2023 7:15:41 PM`, `13/03/2023 19:15`). Times without an offset
/// are UTC. `None` when the text is not a time.
///
/// ```
/// use sspr_insights::model::time::parse_time;
/// assert_eq!(parse_time("1970-01-01T00:00:01.5Z"), Some(1500));
/// assert_eq!(parse_time("not a date"), None);
/// ```
pub fn parse_time(text: &str) -> Option<Millis> {
    let text = trimmed(text);
    parse_iso_fast(text.as_bytes()).or_else(|| parse_time_slow(text))
}

/// The fast path for `YYYY-MM-DDTHH:MM:SS[.fff…](Z|±HH:MM)`: no allocation, no chrono; the
/// fixed part read at fixed places (no bounds checks past the first).
fn parse_iso_fast(b: &[u8]) -> Option<Millis> {
    let head: &[u8; 19] = b.get(..19)?.try_into().ok()?;
    if b.len() < 20 {
        return None;
    }
    let [year, month, day, hour, minute, second] = fixed_part(head)?;
    // Every month has 28 days: only a later day needs the month's length.
    if !(1..=12).contains(&month) || day < 1 || (day > 28 && day > days_in_month(year, month)) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let mut v = 0i64;
        for &c in &b[range] {
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + (c - b'0') as i64;
        }
        Some(v)
    };
    let mut i = 19;
    let mut millis = 0i64;
    if b[i] == b'.' || b[i] == b',' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            if i - start < 3 {
                millis = millis * 10 + (b[i] - b'0') as i64;
            }
            i += 1;
        }
        if i == start {
            return None;
        }
        for _ in (i - start)..3 {
            millis *= 10;
        }
    }
    let offset_minutes = match b.get(i)? {
        b'Z' | b'z' if i + 1 == b.len() => 0,
        sign @ (b'+' | b'-') if i + 6 == b.len() && b[i + 3] == b':' => {
            let h = num(i + 1..i + 3)?;
            let m = num(i + 4..i + 6)?;
            let total = h * 60 + m;
            if *sign == b'+' {
                total
            } else {
                -total
            }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second.min(59);
    Some((seconds - offset_minutes * 60) * 1000 + millis)
}

/// The year, month, day, hour, minute and second of `YYYY-MM-DDTHH:MM:SS` (`t` for `T` too),
/// `None` unless digits and separators are in their places. Eight bytes at a time: the bytes 0–7,
/// 8–15 and 11–18 as three words, each with a mask of its digits and one of its separators with
/// what they must be. A byte is a digit when, less `0`, it is below 10: then adding 0x76 leaves
/// its high bit clear, as it was. Each pair of digits is then one multiply-add for the whole
/// word: byte `k` of `t * 10 + (t >> 8)` is ten times digit `k` plus digit `k + 1` (at most 99,
/// so no byte carries into the next).
fn fixed_part(head: &[u8; 19]) -> Option<[i64; 6]> {
    use super::strings::{word, HIGH_BITS, LOW_BITS};
    // (first byte, digits, separators, the separators' bytes); the bit 0x20 of `T` is its case.
    const WORDS: [(usize, u64, u64, u64); 3] = [
        (
            0,
            0x00ff_ff00_ffff_ffff,
            0xff00_00ff_0000_0000,
            0x2d00_002d_0000_0000,
        ),
        (
            8,
            0x0000_0000_0000_ffff,
            0x0000_0000_00df_0000,
            0x0000_0000_0054_0000,
        ),
        (
            11,
            0xffff_00ff_ff00_ffff,
            0x0000_ff00_00ff_0000,
            0x0000_3a00_003a_0000,
        ),
    ];
    let mut pairs = [0u64; 3];
    for (pair, &(at, digits, separators, expected)) in pairs.iter_mut().zip(&WORDS) {
        let w = word(head, at);
        let less_zero = (w ^ (LOW_BITS * b'0' as u64)) & digits;
        let not_digit = (less_zero | less_zero.wrapping_add(LOW_BITS * 0x76)) & HIGH_BITS & digits;
        if not_digit != 0 || w & separators != expected {
            return None;
        }
        *pair = less_zero.wrapping_mul(10).wrapping_add(less_zero >> 8);
    }
    let byte = |w: u64, k: u32| ((w >> (8 * k)) & 0xff) as i64;
    let [date, day, clock] = pairs;
    Some([
        byte(date, 0) * 100 + byte(date, 2),
        byte(date, 5),
        byte(day, 0),
        byte(clock, 0),
        byte(clock, 3),
        byte(clock, 6),
    ])
}

/// Every other form (out of line: inlined, its frame made every fast parse pay for its
/// registers).
#[cold]
#[inline(never)]
fn parse_time_slow(text: &str) -> Option<Millis> {
    forms::parse_other_forms(text)
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The one UTC formatter: ISO 8601 with `Z`, milliseconds only when there are any.
///
/// ```
/// use sspr_insights::model::format_utc;
/// assert_eq!(format_utc(0), "1970-01-01T00:00:00Z");
/// assert_eq!(format_utc(1500), "1970-01-01T00:00:01.500Z");
/// ```
pub fn format_utc(ms: Millis) -> String {
    let Some(t) = Utc.timestamp_millis_opt(ms).single() else {
        return String::new();
    };
    let t = t.naive_utc();
    match ms.rem_euclid(1000) {
        0 => format!("{}T{}Z", date_text(&t), clock_text(&t)),
        milli => format!("{}T{}.{milli:03}Z", date_text(&t), clock_text(&t)),
    }
}

/// A wall-clock time as `2026-11-20 13:05:09` (the screens put it in the browser's zone first).
///
/// ```
/// use chrono::NaiveDate;
/// use sspr_insights::model::time::format_wall;
/// let t = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap().and_hms_opt(13, 5, 9).unwrap();
/// assert_eq!(format_wall(&t), "2026-11-20 13:05:09");
/// ```
pub fn format_wall(t: &NaiveDateTime) -> String {
    format!("{} {}", date_text(t), clock_text(t))
}

/// A chart's tick under the UTC moment `ms`: `13:00` for hourly buckets, `Nov 20` for daily ones
/// (`""` out of range).
///
/// ```
/// use sspr_insights::model::time::format_tick;
/// assert_eq!(format_tick(3_600_000, true), "01:00");
/// assert_eq!(format_tick(0, false), "Jan 1");
/// ```
pub fn format_tick(ms: Millis, hourly: bool) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let Some(t) = DateTime::<Utc>::from_timestamp_millis(ms) else {
        return String::new();
    };
    if hourly {
        format!("{:02}:{:02}", t.hour(), t.minute())
    } else {
        format!("{} {}", MONTHS[t.month0() as usize], t.day())
    }
}

/// `YYYY-MM-DD`; a year outside 0..=9999 with its sign (`+10000`, `-0001`), as ISO 8601's
/// expanded form (and chrono's `%Y`) writes it.
fn date_text(t: &NaiveDateTime) -> String {
    let year = t.year();
    if (0..10_000).contains(&year) {
        format!("{year:04}-{:02}-{:02}", t.month(), t.day())
    } else {
        format!("{year:+05}-{:02}-{:02}", t.month(), t.day())
    }
}

/// `HH:MM:SS`.
fn clock_text(t: &NaiveDateTime) -> String {
    format!("{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second())
}

/// The start of the UTC hour holding `ms`.
pub fn floor_hour(ms: Millis) -> Millis {
    ms.div_euclid(HOUR) * HOUR
}

/// The start of the UTC day holding `ms`.
pub fn floor_day(ms: Millis) -> Millis {
    ms.div_euclid(DAY) * DAY
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    /// The fixed formatters write what chrono's strftime wrote with the formats they replace.
    #[test]
    fn formats_agree_with_chrono_strftime() {
        let moments = [
            0,
            1500,
            -1,
            1_795_000_000_123,
            1_795_000_000_000,
            951_782_400_000,     // 2000-02-29
            -62_135_596_800_001, // the last millisecond of 1 BCE
            253_402_300_800_000, // 10000-01-01
            8_210_266_876_799_999,
            -8_334_601_228_800_000,
        ];
        for ms in moments {
            let Some(t) = Utc.timestamp_millis_opt(ms).single() else {
                assert_eq!(format_utc(ms), "", "{ms}");
                continue;
            };
            let chrono = if ms.rem_euclid(1000) == 0 {
                t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
            } else {
                t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
            };
            assert_eq!(format_utc(ms), chrono, "{ms}");
            let naive = t.naive_utc();
            assert_eq!(
                format_wall(&naive),
                naive.format("%Y-%m-%d %H:%M:%S").to_string()
            );
            assert_eq!(format_tick(ms, true), t.format("%H:%M").to_string());
            assert_eq!(format_tick(ms, false), t.format("%b %-d").to_string());
        }
        for month in 0..12 {
            let ms = month * 31 * DAY;
            let t = Utc.timestamp_millis_opt(ms).single().unwrap();
            assert_eq!(format_tick(ms, false), t.format("%b %-d").to_string());
        }
        assert_eq!(format_utc(Millis::MAX), "");
        assert_eq!(format_tick(Millis::MAX, false), "");
    }

    #[test]
    fn fast_path_agrees_with_chrono() {
        for text in [
            "2023-03-13T19:15:41.6195833Z",
            "2025-07-16T16:19:18Z",
            "2024-02-29T23:59:59.999+02:00",
            "1999-12-31T00:00:00-05:30",
            "2026-11-27T13:55:00.1Z",
            "2000-01-01t00:00:00z",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59.5Z",
        ] {
            let chrono = DateTime::parse_from_rfc3339(text)
                .unwrap()
                .timestamp_millis();
            assert_eq!(parse_iso_fast(text.as_bytes()), Some(chrono), "{text}");
        }
    }

    /// The word-at-a-time check and reading of `YYYY-MM-DDTHH:MM:SS` against a byte-by-byte
    /// one, with every byte value at every place.
    #[test]
    fn the_fixed_part_is_checked_and_read_as_byte_by_byte() {
        let byte_by_byte = |head: &[u8; 19]| {
            head.iter().enumerate().all(|(i, &c)| match i {
                4 | 7 => c == b'-',
                10 => c == b'T' || c == b't',
                13 | 16 => c == b':',
                _ => c.is_ascii_digit(),
            })
        };
        // What the fields are, digit by digit.
        let fields = |h: &[u8; 19]| {
            let d = |i: usize| (h[i] - b'0') as i64;
            [
                d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3),
                d(5) * 10 + d(6),
                d(8) * 10 + d(9),
                d(11) * 10 + d(12),
                d(14) * 10 + d(15),
                d(17) * 10 + d(18),
            ]
        };
        let good: [u8; 19] = *b"2023-03-13T19:15:41";
        assert_eq!(fixed_part(&good), Some([2023, 3, 13, 19, 15, 41]));
        for i in 0..19 {
            for c in 0..=255u8 {
                let mut head = good;
                head[i] = c;
                let expected = byte_by_byte(&head).then(|| fields(&head));
                assert_eq!(fixed_part(&head), expected, "{i} {c:#x}");
            }
        }
    }

    /// Random times of every year, month and day (the last days of months, leap days), with and
    /// without fractions and offsets, against chrono.
    #[test]
    fn the_fast_path_agrees_with_chrono_on_random_times() {
        let mut rng = crate::model::sample::Rng::new(7);
        for _ in 0..20_000 {
            let year = 1 + rng.below(9999) as i32;
            let month = 1 + rng.below(12) as u32;
            let last = (28..=31)
                .rev()
                .find(|&d| NaiveDate::from_ymd_opt(year, month, d).is_some())
                .unwrap_or(28);
            let day = if rng.chance(0.3) {
                last
            } else {
                1 + rng.below(last as usize) as u32
            };
            let (h, m, sec) = (rng.below(24), rng.below(60), rng.below(60));
            let fraction = match rng.below(4) {
                0 => String::new(),
                n => format!(".{}", &format!("{:07}", rng.below(10_000_000))[..n * 2]),
            };
            let zone = match rng.below(3) {
                0 => "Z".to_string(),
                1 => format!("+{:02}:{:02}", rng.below(14), rng.below(60)),
                _ => format!("-{:02}:{:02}", rng.below(14), rng.below(60)),
            };
            let text =
                format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{sec:02}{fraction}{zone}");
            let chrono = DateTime::parse_from_rfc3339(&text).map(|t| t.timestamp_millis());
            assert_eq!(parse_iso_fast(text.as_bytes()), chrono.ok(), "{text}");
        }
    }

    #[test]
    fn impossible_dates_are_rejected() {
        for text in [
            "2023-02-29T00:00:00Z",
            "2023-13-01T00:00:00Z",
            "2023-01-01T24:00:00Z",
            "2023-01-01T00:60:00Z",
            "2023-00-10T00:00:00Z",
            "2023-01-00T00:00:00Z",
            "2023-01-01T00:00:0xZ",
            "2O23-01-01T00:00:00Z",
            "2023-01-01X00:00:00Z",
        ] {
            assert_eq!(parse_time(text), None, "{text}");
        }
    }

    #[test]
    fn portal_forms_are_read_as_utc() {
        let expected = parse_time("2023-03-13T19:15:41Z");
        assert_eq!(parse_time("2023-03-13 19:15:41"), expected);
        assert_eq!(parse_time("3/13/2023 7:15:41 PM"), expected);
    }

    #[test]
    fn format_round_trips() {
        for ms in [0, 1, 999, 1_700_000_000_123, -86_400_000] {
            assert_eq!(parse_time(&format_utc(ms)), Some(ms));
        }
    }
}
