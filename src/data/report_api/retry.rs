//! Retries and what each answer's status means: 2xx is read, 429 / 503 / 504 wait and ask
//! again (honouring `Retry-After`, else backing off), anything else stops. Nothing here waits:
//! the client does, for as long as this says.

use super::error::{ApiError, GraphError};
use crate::model::time::{parse_http_date, Millis};

/// Retries of one request after 429 / 503 / 504 before giving up (so at most 6 requests).
pub const MAX_RETRIES: u32 = 5;
/// The first wait of the exponential backoff, when the answer says nothing (`Retry-After`).
pub const FIRST_BACKOFF_MS: u64 = 1_000;
/// No wait is longer than this, whatever `Retry-After` says (the user can Cancel meanwhile).
pub const MAX_WAIT_MS: u64 = 60_000;

/// How long to wait before retry number `retries_done + 1` of a throttled request (429 / 503 /
/// 504), in milliseconds; `None` once [`MAX_RETRIES`] retries were made.
///
/// `Retry-After` is honoured in both its forms, seconds (`"2"`) and an HTTP-date (`"Wed, 21 Oct
/// 2015 07:28:00 GMT"`, measured from `now`; a date past gives 0). Without a readable one, the
/// wait doubles from [`FIRST_BACKOFF_MS`]: 1 s, 2 s, 4 s, 8 s, 16 s. No wait exceeds
/// [`MAX_WAIT_MS`].
///
/// ```
/// use sspr_insights::data::report_api::retry_delay;
/// assert_eq!(retry_delay(0, Some("1"), 0), Some(1_000));
/// assert_eq!(retry_delay(2, None, 0), Some(4_000));
/// assert_eq!(retry_delay(5, Some("1"), 0), None);
/// ```
pub fn retry_delay(retries_done: u32, retry_after: Option<&str>, now: Millis) -> Option<u64> {
    if retries_done >= MAX_RETRIES {
        return None;
    }
    let wait = retry_after
        .and_then(|value| parse_retry_after(value, now))
        .unwrap_or_else(|| FIRST_BACKOFF_MS.saturating_mul(1 << retries_done.min(30)));
    Some(wait.min(MAX_WAIT_MS))
}

/// A `Retry-After` value in milliseconds from `now`: delay-seconds or an HTTP-date (any of
/// RFC 9110's three forms, see [`parse_http_date`]). `None` when it is neither.
pub fn parse_retry_after(value: &str, now: Millis) -> Option<u64> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    if value.bytes().all(|b| b.is_ascii_digit()) {
        let seconds = value.parse::<u64>().unwrap_or(u64::MAX);
        return Some(seconds.saturating_mul(1000));
    }
    let at = parse_http_date(value)?;
    Some((at - now).max(0) as u64)
}

/// What to do with an answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// 2xx: read the page.
    Accept,
    /// 429 / 503 / 504: wait this long, then ask again.
    Retry { after_ms: u64 },
    /// Anything else: stop with this error.
    Stop(ApiError),
}

/// The decision for one answer: 2xx is read; 429 / 503 / 504 are retried (see [`retry_delay`]);
/// 401 / 403 stop with the message about roles; any other status stops with the status and
/// Graph's `error.code` / `error.message` from the body.
///
/// ```
/// use sspr_insights::data::report_api::{decide, Decision};
/// assert_eq!(decide(200, None, b"", 0, 0), Decision::Accept);
/// assert_eq!(decide(429, Some("1"), b"", 0, 0), Decision::Retry { after_ms: 1_000 });
/// ```
pub fn decide(
    status: u16,
    retry_after: Option<&str>,
    body: &[u8],
    retries_done: u32,
    now: Millis,
) -> Decision {
    match status {
        200..=299 => Decision::Accept,
        429 | 503 | 504 => match retry_delay(retries_done, retry_after, now) {
            Some(after_ms) => Decision::Retry { after_ms },
            None => Decision::Stop(ApiError::StillBusy {
                status,
                retries: retries_done,
                graph: GraphError::parse(body),
            }),
        },
        401 | 403 => Decision::Stop(ApiError::Refused {
            status,
            graph: GraphError::parse(body),
        }),
        _ => Decision::Stop(ApiError::Http {
            status,
            graph: GraphError::parse(body),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::report_api::testing::NOW;
    use crate::model::time::parse_time;

    #[test]
    fn retry_schedule_uses_retry_after_seconds() {
        assert_eq!(retry_delay(0, Some("1"), NOW), Some(1_000));
        assert_eq!(retry_delay(3, Some(" 7 "), NOW), Some(7_000));
        assert_eq!(retry_delay(0, Some("0"), NOW), Some(0));
        assert_eq!(retry_delay(0, Some("3600"), NOW), Some(MAX_WAIT_MS));
        assert_eq!(
            retry_delay(0, Some("99999999999999999999999"), NOW),
            Some(MAX_WAIT_MS)
        );
    }

    #[test]
    fn retry_schedule_reads_an_http_date() {
        let now = parse_time("2015-10-21T07:27:50Z").unwrap();
        assert_eq!(
            retry_delay(0, Some("Wed, 21 Oct 2015 07:28:00 GMT"), now),
            Some(10_000)
        );
        // A date already past: go now.
        assert_eq!(
            retry_delay(0, Some("Wed, 21 Oct 2015 07:00:00 GMT"), now),
            Some(0)
        );
        // A date far ahead: capped.
        assert_eq!(
            retry_delay(0, Some("Thu, 22 Oct 2015 07:28:00 GMT"), now),
            Some(MAX_WAIT_MS)
        );
    }

    #[test]
    fn retry_schedule_backs_off_exponentially_then_gives_up() {
        let waits: Vec<Option<u64>> = (0..7).map(|n| retry_delay(n, None, NOW)).collect();
        assert_eq!(
            waits,
            vec![
                Some(1_000),
                Some(2_000),
                Some(4_000),
                Some(8_000),
                Some(16_000),
                None,
                None
            ]
        );
        // Unreadable Retry-After: the backoff applies.
        assert_eq!(retry_delay(1, Some("soon"), NOW), Some(2_000));
        assert_eq!(retry_delay(1, Some("-5"), NOW), Some(2_000));
        assert_eq!(retry_delay(1, Some(""), NOW), Some(2_000));
        assert_eq!(retry_delay(u32::MAX, None, NOW), None);
    }

    #[test]
    fn each_status_gets_its_decision() {
        assert_eq!(decide(200, None, b"{}", 0, NOW), Decision::Accept);
        assert_eq!(decide(204, None, b"", 0, NOW), Decision::Accept);
        for status in [429, 503, 504] {
            assert_eq!(
                decide(status, Some("2"), b"", 0, NOW),
                Decision::Retry { after_ms: 2_000 }
            );
            assert!(matches!(
                decide(status, None, b"", MAX_RETRIES, NOW),
                Decision::Stop(ApiError::StillBusy { retries: 5, .. })
            ));
        }
        assert!(matches!(
            decide(500, None, b"", 0, NOW),
            Decision::Stop(ApiError::Http { status: 500, .. })
        ));
        assert!(matches!(
            decide(502, Some("1"), b"", 0, NOW),
            Decision::Stop(ApiError::Http { status: 502, .. })
        ));
    }

    #[test]
    fn refusals_name_the_roles_and_the_permission() {
        let body = br#"{"error":{"code":"InvalidAuthenticationToken","message":"Access token has expired or is not yet valid.","innerError":{"date":"2026-11-18T08:00:00"}}}"#;
        let Decision::Stop(error) = decide(401, None, body, 0, NOW) else {
            panic!("401 must stop");
        };
        assert!(error.is_about_token());
        assert_eq!(
            error.to_string(),
            "The report backend refused the token (401 Unauthorized): it has expired, or lacks \
             a role that may read these reports. Use a token of a user with one of the roles \
             Reports Reader, Security Reader, Security Administrator or Global Reader, with the \
             permission AuditLog.Read.All. The backend said: InvalidAuthenticationToken: Access \
             token has expired or is not yet valid."
        );
        let Decision::Stop(error) = decide(403, None, b"<html>Forbidden</html>", 0, NOW) else {
            panic!("403 must stop");
        };
        assert!(error.to_string().starts_with(
            "The report backend refused the token (403 Forbidden): it has expired, or lacks"
        ));
        assert!(error.to_string().ends_with("AuditLog.Read.All."));
    }

    #[test]
    fn other_errors_give_status_and_graph_code_and_message() {
        let body =
            br#"{"error":{"code":"UnknownError","message":"Something\nwent wrong","innerError":{}}}"#;
        let Decision::Stop(error) = decide(500, None, body, 0, NOW) else {
            panic!("500 must stop");
        };
        assert_eq!(
            error.to_string(),
            "The report backend answered 500 Internal Server Error. The backend said: \
             UnknownError: Something went wrong."
        );
        let Decision::Stop(error) = decide(418, None, b"not json", 0, NOW) else {
            panic!("418 must stop");
        };
        assert_eq!(error.to_string(), "The report backend answered 418.");
        assert_eq!(
            GraphError::parse(br#"{"error":{"code":"BadRequest"}}"#),
            GraphError {
                code: Some("BadRequest".to_string()),
                message: None
            }
        );
        let long = format!(r#"{{"error":{{"message":"{}"}}}}"#, "x".repeat(1000));
        let parsed = GraphError::parse(long.as_bytes());
        assert_eq!(parsed.message.as_deref().map(str::len), Some(1000));
        let shown = ApiError::Http {
            status: 500,
            graph: parsed,
        }
        .to_string();
        assert!(
            shown.ends_with(&format!(": {}…", "x".repeat(299))),
            "{shown}"
        );
        assert_eq!(
            GraphError::parse(br#"{"error":"flat"}"#),
            GraphError::default()
        );
    }
}
