//! The time forms besides the common ISO one (the slow way of `parse_time`): RFC 3339's other
//! spellings, the portal's CSV forms and bare dates, and HTTP dates (`Retry-After`). Each form is
//! read exactly as chrono's parsers read it (the tests hold them to chrono), but by a reader of the
//! few directives these forms use: chrono's general parser (every directive, every item kind)
//! was a tenth of the ingest worker's download. Only dates and times are built with chrono.

use chrono::{FixedOffset, NaiveDate};

use super::Millis;

/// The forms `parse_time` reads after RFC 3339, in the order they are tried: the first that
/// reads the whole text gives the time. Without an offset a time is UTC.
const FORMS: [&str; 13] = [
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%d %H:%M",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    // Log Analytics' CSV export: `7/16/2025 4:19:18.123 PM` (after its comma is taken out).
    "%m/%d/%Y %I:%M:%S%.f %p",
    "%Y-%m-%d %H:%M:%S%.f %z",
    "%Y-%m-%d %H:%M:%S %:z",
    "%Y-%m-%d",
    "%m/%d/%Y",
];

/// Every form but the fast path's: RFC 3339 (a space for the `T`, leap seconds, `−` for minus),
/// then [`FORMS`]. `None` when none reads the whole text.
pub(super) fn parse_other_forms(text: &str) -> Option<Millis> {
    rfc3339(text).or_else(|| {
        FORMS
            .iter()
            .find_map(|form| read_form(text, form)?.millis())
    })
}

/// What a form read, as chrono's `Parsed` holds it (the hour as its half and its hour of the half).
#[derive(Default)]
struct Fields {
    year: Option<i64>,
    month: Option<i64>,
    day: Option<i64>,
    pm: Option<bool>,
    hour_of_half: Option<i64>,
    minute: Option<i64>,
    second: Option<i64>,
    nanosecond: Option<i64>,
    offset_seconds: Option<i32>,
}

impl Fields {
    /// The moment these fields name: the date must exist; an hour, a minute and (optionally) a
    /// second make a time, else it is midnight; an offset, when read, is taken off.
    fn millis(&self) -> Option<Millis> {
        let date = NaiveDate::from_ymd_opt(
            i32::try_from(self.year?).ok()?,
            u32::try_from(self.month?).ok()?,
            u32::try_from(self.day?).ok()?,
        )?;
        let moment = match (self.pm, self.hour_of_half) {
            (None, None) if self.minute.is_none() => date.and_hms_opt(0, 0, 0)?,
            (Some(pm), Some(hour)) => {
                let hour = hour + if pm { 12 } else { 0 };
                let (second, leap) = match self.second.unwrap_or(0) {
                    60 => (59, 1_000_000_000),
                    second => (second, 0),
                };
                let nanosecond = leap + self.nanosecond.unwrap_or(0);
                date.and_hms_nano_opt(
                    hour as u32,
                    self.minute? as u32,
                    second as u32,
                    nanosecond as u32,
                )?
            }
            _ => return None,
        };
        let moment = match self.offset_seconds {
            Some(seconds) => moment.checked_sub_offset(FixedOffset::east_opt(seconds)?)?,
            None => moment,
        };
        Some(moment.and_utc().timestamp_millis())
    }
}

/// Reads all of `text` by `form`, a chrono format of the directives `%Y %m %d %H %I %M %S %.f %p
/// %z %:z`: a space takes any run of white space (none too), a directive's number may follow
/// white space, any other character must be there.
fn read_form(text: &str, form: &str) -> Option<Fields> {
    let mut fields = Fields::default();
    let mut rest = text;
    let mut directives = form.chars();
    while let Some(c) = directives.next() {
        rest = match c {
            '%' => read_directive(rest, &mut directives, &mut fields)?,
            c if c.is_whitespace() => rest.trim_start(),
            c => rest.strip_prefix(c)?,
        };
    }
    rest.is_empty().then_some(fields)
}

/// Reads the directive that follows a `%` in `form` from the start of `text` into `fields`; the
/// rest of `text`.
fn read_directive<'t>(
    text: &'t str,
    form: &mut std::str::Chars<'_>,
    fields: &mut Fields,
) -> Option<&'t str> {
    let set = |field: &mut Option<i64>, value: i64, range: std::ops::RangeInclusive<i64>| {
        range.contains(&value).then(|| *field = Some(value))
    };
    match form.next()? {
        'Y' => {
            let (rest, year) = signed_number(text.trim_start(), 4)?;
            i32::try_from(year).ok()?;
            fields.year = Some(year);
            Some(rest)
        }
        c @ ('m' | 'd' | 'H' | 'I' | 'M' | 'S') => {
            let (rest, value) = number(text.trim_start(), 2)?;
            match c {
                'm' => set(&mut fields.month, value, 1..=12)?,
                'd' => set(&mut fields.day, value, 1..=31)?,
                'H' => {
                    (0..=23).contains(&value).then_some(())?;
                    fields.pm = Some(value >= 12);
                    fields.hour_of_half = Some(value % 12);
                }
                'I' => {
                    (1..=12).contains(&value).then_some(())?;
                    fields.hour_of_half = Some(value % 12);
                }
                'M' => set(&mut fields.minute, value, 0..=59)?,
                _ => set(&mut fields.second, value, 0..=60)?,
            }
            Some(rest)
        }
        '.' if form.next()? == 'f' => match text.strip_prefix('.') {
            Some(digits) => {
                let (rest, nanosecond) = fraction(digits)?;
                fields.nanosecond = Some(nanosecond);
                Some(rest)
            }
            None => Some(text),
        },
        'p' => {
            let b = text.as_bytes();
            fields.pm = Some(match (b.first()? | 0x20, b.get(1)? | 0x20) {
                (b'a', b'm') => false,
                (b'p', b'm') => true,
                _ => return None,
            });
            Some(&text[2..])
        }
        'z' => read_offset(text.trim_start(), fields),
        ':' if form.next()? == 'z' => read_offset(text.trim_start(), fields),
        _ => None,
    }
}

fn read_offset<'t>(text: &'t str, fields: &mut Fields) -> Option<&'t str> {
    let (rest, seconds) = offset(text, |s| {
        Some(s.trim_start_matches(|c: char| c == ':' || c.is_whitespace()))
    })?;
    fields.offset_seconds = Some(seconds);
    Some(rest)
}

/// At least one and at most `max` ASCII digits from the start of `text` (more are left for what
/// comes next), as a number; the rest.
fn number(text: &str, max: usize) -> Option<(&str, i64)> {
    let digits = text
        .bytes()
        .take(max)
        .take_while(u8::is_ascii_digit)
        .count();
    if digits == 0 {
        return None;
    }
    let mut value = 0i64;
    for &c in &text.as_bytes()[..digits] {
        value = value.checked_mul(10)?.checked_add((c - b'0') as i64)?;
    }
    Some((&text[digits..], value))
}

/// A year: up to `width` digits, or a sign and any number of digits.
fn signed_number(text: &str, width: usize) -> Option<(&str, i64)> {
    if let Some(digits) = text.strip_prefix('-') {
        let (rest, value) = number(digits, usize::MAX)?;
        Some((rest, value.checked_neg()?))
    } else if let Some(digits) = text.strip_prefix('+') {
        number(digits, usize::MAX)
    } else {
        number(text, width)
    }
}

/// The digits of a fraction of a second (at least one; those past the ninth are read and
/// dropped) as nanoseconds; the rest.
fn fraction(text: &str) -> Option<(&str, i64)> {
    let (rest, value) = number(text, 9)?;
    let read = text.len() - rest.len();
    let nanoseconds = value * 10i64.pow(9 - read as u32);
    Some((
        rest.trim_start_matches(|c: char| c.is_ascii_digit()),
        nanoseconds,
    ))
}

/// An offset from UTC, `±HH`, then what `between` takes (`None` when what must be there is not),
/// then `MM` (hours 00–99, minutes 00–59; `−`, U+2212, is a minus too), in seconds east; the rest.
fn offset(text: &str, between: impl Fn(&str) -> Option<&str>) -> Option<(&str, i32)> {
    let (negative, rest) = if let Some(rest) = text.strip_prefix('+') {
        (false, rest)
    } else if let Some(rest) = text.strip_prefix('-').or_else(|| text.strip_prefix('−')) {
        (true, rest)
    } else {
        return None;
    };
    let two_digits = |s: &str, first_max: u8| -> Option<i32> {
        match s.as_bytes() {
            [a, b, ..] if (b'0'..=first_max).contains(a) && b.is_ascii_digit() => {
                Some(((a - b'0') * 10 + (b - b'0')) as i32)
            }
            _ => None,
        }
    };
    let hours = two_digits(rest, b'9')?;
    let rest = between(&rest[2..])?;
    let minutes = two_digits(rest, b'5')?;
    let seconds = hours * 3600 + minutes * 60;
    Some((&rest[2..], if negative { -seconds } else { seconds }))
}

/// RFC 3339 as chrono's `parse_from_rfc3339` reads it: `YYYY-MM-DD`, `T`, `t` or a space,
/// `HH:MM:SS` (`60` a leap second), a fraction of any length, then `Z`, `z` or `±HH:MM` under a
/// day.
fn rfc3339(text: &str) -> Option<Millis> {
    let b = text.as_bytes();
    let head = b.get(..19)?;
    let separators_hold = head[4] == b'-'
        && head[7] == b'-'
        && matches!(head[10], b'T' | b't' | b' ')
        && head[13] == b':'
        && head[16] == b':';
    let digit_places = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];
    if !separators_hold || !digit_places.iter().all(|&i| head[i].is_ascii_digit()) {
        return None;
    }
    let two = |i: usize| ((head[i] - b'0') * 10 + (head[i + 1] - b'0')) as i64;
    let mut fields = Fields {
        year: Some(two(0) * 100 + two(2)),
        month: Some(two(5)),
        day: Some(two(8)),
        pm: Some(two(11) >= 12),
        hour_of_half: Some(two(11) % 12),
        minute: Some(two(14)),
        second: Some(two(17)),
        ..Fields::default()
    };
    if two(11) > 23 {
        return None;
    }
    let mut rest = &text[19..];
    if let Some(digits) = rest.strip_prefix('.') {
        let (after, nanosecond) = fraction(digits)?;
        fields.nanosecond = Some(nanosecond);
        rest = after;
    }
    let (rest, seconds) = match rest.as_bytes().first()? {
        b'Z' | b'z' => (&rest[1..], 0),
        _ => offset(rest, |s| s.strip_prefix(':'))?,
    };
    fields.offset_seconds = Some(seconds);
    if !rest.is_empty() {
        return None;
    }
    fields.millis()
}

/// An HTTP date (RFC 9110 §5.6.7) in all three of its forms: `Sun, 06 Nov 1994 08:49:37 GMT`
/// (IMF-fixdate, what servers send), `Sunday, 06-Nov-94 08:49:37 GMT` (RFC 850; a two-digit year
/// is within 50 years of 2000) and `Sun Nov  6 08:49:37 1994` (asctime). The day's name is not
/// checked against the date (the RFC lets a recipient ignore it). `None` for anything else.
///
/// ```
/// use sspr_insights::model::time::{parse_http_date, parse_time};
/// let at = parse_time("1994-11-06T08:49:37Z");
/// assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), at);
/// assert_eq!(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), at);
/// assert_eq!(parse_http_date("Sun Nov  6 08:49:37 1994"), at);
/// assert_eq!(parse_http_date("soon"), None);
/// ```
pub fn parse_http_date(text: &str) -> Option<Millis> {
    let words: Vec<&str> = text.split_ascii_whitespace().collect();
    let (day, month, year, clock) = match words[..] {
        [weekday, day, month, year, clock, "GMT"] if weekday.ends_with(',') => {
            (day, month, year, clock)
        }
        [weekday, date, clock, "GMT"] if weekday.ends_with(',') => {
            let mut parts = date.split('-');
            let (day, month, year) = (parts.next()?, parts.next()?, parts.next()?);
            if parts.next().is_some() || year.len() != 2 {
                return None;
            }
            (day, month, year, clock)
        }
        [_weekday, month, day, clock, year] => (day, month, year, clock),
        _ => return None,
    };
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = 1 + MONTHS.iter().position(|m| *m == month)? as i64;
    let digits = |s: &str, lengths: std::ops::RangeInclusive<usize>| {
        (lengths.contains(&s.len()) && s.bytes().all(|c| c.is_ascii_digit()))
            .then(|| s.parse::<i64>().ok())
            .flatten()
    };
    let year = match digits(year, 2..=4)? {
        two if year.len() == 2 && two < 50 => 2000 + two,
        two if year.len() == 2 => 1900 + two,
        _ if year.len() == 3 => return None,
        four => four,
    };
    let mut clock = clock.split(':');
    let (hour, minute, second) = (clock.next()?, clock.next()?, clock.next()?);
    if clock.next().is_some() {
        return None;
    }
    let hour = digits(hour, 2..=2).filter(|h| *h <= 23)?;
    Fields {
        year: Some(year),
        month: Some(month),
        day: Some(digits(day, 1..=2)?),
        pm: Some(hour >= 12),
        hour_of_half: Some(hour % 12),
        minute: Some(digits(minute, 2..=2).filter(|m| *m <= 59)?),
        second: Some(digits(second, 2..=2).filter(|s| *s <= 60)?),
        ..Fields::default()
    }
    .millis()
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
    use proptest::prelude::*;

    use super::*;

    /// How the forms were read before: chrono's parsers, form by form. The readers above must
    /// agree with it on every text.
    fn by_chrono(text: &str) -> Option<Millis> {
        if let Ok(t) = DateTime::parse_from_rfc3339(text) {
            return Some(t.timestamp_millis());
        }
        for form in &FORMS[..9] {
            if let Ok(t) = NaiveDateTime::parse_from_str(text, form) {
                return Some(Utc.from_utc_datetime(&t).timestamp_millis());
            }
        }
        for form in &FORMS[9..11] {
            if let Ok(t) = DateTime::parse_from_str(text, form) {
                return Some(t.timestamp_millis());
            }
        }
        for form in &FORMS[11..] {
            if let Ok(d) = NaiveDate::parse_from_str(text, form) {
                return Some(
                    Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0)?)
                        .timestamp_millis(),
                );
            }
        }
        None
    }

    #[test]
    fn every_form_reads_as_chrono_reads_it() {
        for text in [
            "2023-03-13 19:15:41Z",
            "2023-03-13T19:15:41",
            "2023-03-13T19:15:41.123456789123",
            "2023-03-13 19:15:41.5",
            "2023-03-13 19:15",
            "2023-3-1 9:5",
            "2023-03-13  19:15:41",
            "2023-03-13 19:15:41+",
            "3/13/2023 7:15:41 PM",
            "3/13/2023 12:15:41 am",
            "3/13/2023 0:15:41 AM",
            "3/13/2023 13:15:41 PM",
            "3/13/2023 7:15 pm",
            "03/13/2023 19:15:41",
            "3/13/2023 19:15",
            "13/03/2023 19:15:41",
            "7/16/2025 4:19:18.123 PM",
            "7/16/2025 4:19:18. PM",
            "2023-03-13 19:15:41.25 +0530",
            "2023-03-13 19:15:41 -05:30",
            "2023-03-13 19:15:41 +05 30",
            "2023-03-13 19:15:41 \u{2212}05:30",
            "2023-03-13 19:15:41 +24:00",
            "2023-03-13 19:15:41 +99:59",
            "2023-03-13 19:15:41 +05:60",
            "2023-03-13 19:15:41 +5:30",
            "2023-03-13T23:59:60Z",
            "2023-03-13T23:59:60.5+01:00",
            "2023-03-13 23:59:60",
            "2023-03-13T19:15:41+05:30:00",
            "2023-03-13T19:15:41+0530",
            "2023-03-13T19:15:41\u{2212}05:30",
            "2023-03-13t19:15:41Z",
            "2023-03-13T19:15:41.Z",
            "2023-03-13T19:15:41+23:59",
            "2023-03-13T19:15:41-24:00",
            "2023-02-29",
            "2024-02-29",
            "2/29/2024",
            "+2023-03-13",
            "-0001-03-13 10:00",
            "+99999999999-03-13",
            "20231-03-13",
            "2023-03-13 ",
            " 2023-03-13",
            "2023-03-13\u{3000}19:15",
            "",
            "Z",
            "2023",
            "3/13/2023 7:15:41 P",
            "3/13/2023 7:15:41 PMx",
            "3/13/2023 7:15:41 \u{e9}m",
            "9999-12-31 23:59:59 -23:59",
            "262143-01-01",
            "+262142-12-31 23:59:59 -23:59",
        ] {
            assert_eq!(parse_other_forms(text), by_chrono(text), "{text:?}");
        }
    }

    /// Texts made of the forms' own pieces in any order and number: digits of any length, the
    /// separators, spaces of several kinds, signs, `AM`/`PM`, `Z`.
    fn piece() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => "[0-9]{1,5}",
            3 => prop::sample::select(vec![
                "-", ":", "/", " ", ".", "T", "t", "Z", "z", "+", "\u{2212}", "  ", "\t", "\u{a0}",
            ])
            .prop_map(str::to_string),
            1 => prop::sample::select(vec!["AM", "pm", "Pm", "aM", "PX", "am "]).prop_map(str::to_string),
        ]
    }

    /// A real form's text with one piece changed, dropped or added.
    fn near_a_form() -> impl Strategy<Value = String> {
        let base = prop::sample::select(vec![
            "2023-03-13T19:15:41.6195833+05:30",
            "2023-03-13 19:15:41.25 +0530",
            "2023-03-13 19:15:41 -05:30",
            "2023-03-13 19:15",
            "3/13/2023 7:15:41 PM",
            "7/16/2025 4:19:18.123 PM",
            "13/03/2023 19:15:41",
            "2024-02-29",
            "12/31/1999",
        ]);
        (base, any::<prop::sample::Index>(), piece(), 0..3u8).prop_map(|(base, at, piece, how)| {
            let mut chars: Vec<String> = base.chars().map(String::from).collect();
            let i = at.index(chars.len());
            match how {
                0 => chars[i] = piece,
                1 => {
                    chars.remove(i);
                }
                _ => chars.insert(i, piece),
            }
            chars.concat()
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        #[test]
        fn pieces_in_any_order_read_as_chrono_reads_them(pieces in prop::collection::vec(piece(), 1..14)) {
            let text = pieces.concat();
            prop_assert_eq!(parse_other_forms(&text), by_chrono(&text), "{:?}", text);
        }

        #[test]
        fn texts_near_a_form_read_as_chrono_reads_them(text in near_a_form()) {
            prop_assert_eq!(parse_other_forms(&text), by_chrono(&text), "{:?}", text);
        }
    }

    #[test]
    fn http_dates_in_their_three_forms() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().timestamp_millis();
        assert_eq!(
            parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(at("2015-10-21T07:28:00Z"))
        );
        assert_eq!(
            parse_http_date("Wednesday, 21-Oct-15 07:28:00 GMT"),
            Some(at("2015-10-21T07:28:00Z"))
        );
        assert_eq!(
            parse_http_date("Friday, 31-Dec-99 23:59:59 GMT"),
            Some(at("1999-12-31T23:59:59Z"))
        );
        assert_eq!(
            parse_http_date("Wed Oct 21 07:28:00 2015"),
            Some(at("2015-10-21T07:28:00Z"))
        );
        // What chrono's RFC 2822 reader read of IMF-fixdates, this reads too.
        for text in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Mon, 29 Feb 2016 00:00:00 GMT",
            "Thu, 01 Jan 1970 00:00:00 GMT",
            "Tue, 31 Dec 2999 23:59:59 GMT",
        ] {
            let chrono = DateTime::parse_from_rfc2822(text)
                .unwrap()
                .timestamp_millis();
            assert_eq!(parse_http_date(text), Some(chrono), "{text}");
        }
        for text in [
            "",
            "Wed, 21 Oct 2015 07:28:00",
            "Wed, 21 Oct 2015 07:28:00 UTC",
            "Wed, 21 Okt 2015 07:28:00 GMT",
            "Wed, 30 Feb 2015 07:28:00 GMT",
            "Wed, 21 Oct 2015 24:00:00 GMT",
            "Wed, 21 Oct 2015 07:28 GMT",
            "Wed, 21 Oct 215 07:28:00 GMT",
            "Wednesday, 21-Oct-2015 07:28:00 GMT",
            "Wed 21 Oct 2015 07:28:00 GMT",
            "2015-10-21T07:28:00Z",
        ] {
            assert_eq!(parse_http_date(text), None, "{text:?}");
        }
    }
}
