//! Why a fetch cannot go on ([`ApiError`]) and every message the user sees about it, with the
//! token removed; what the backend said in an error body ([`GraphError`]). No decisions here:
//! which answer stops a walk is `retry.rs`'s and `walk.rs`'s.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;

use super::address::{NextLinkError, UrlError, GRAPH_BETA};
use super::collection::Collection;
use super::token::{redact, TokenRefusal, READING_PERMISSION, ROLE_ADVICE};
use crate::model::import::FileKind;
use crate::model::time::format_utc;

/// Graph's error body, `{"error":{"code":…,"message":…}}`, as far as it could be read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GraphError {
    pub code: Option<String>,
    pub message: Option<String>,
}

impl GraphError {
    /// Reads `error.code` and `error.message` from a body; anything else gives empty fields.
    /// Texts are cleaned of control characters and kept whole: a message shortens them only
    /// after removing the token, so that no part of it survives a cut.
    pub fn parse(body: &[u8]) -> GraphError {
        #[derive(Deserialize)]
        struct Body<'a> {
            #[serde(borrow)]
            error: Option<Inner<'a>>,
        }
        #[derive(Deserialize)]
        struct Inner<'a> {
            #[serde(borrow)]
            code: Option<Cow<'a, str>>,
            #[serde(borrow)]
            message: Option<Cow<'a, str>>,
        }
        let clean = |text: Option<Cow<'_, str>>| -> Option<String> {
            let text: String = text?
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            let text = text.trim();
            (!text.is_empty()).then(|| text.to_string())
        };
        match serde_json::from_slice::<Body<'_>>(body) {
            Ok(Body { error: Some(inner) }) => GraphError {
                code: clean(inner.code),
                message: clean(inner.message),
            },
            _ => GraphError::default(),
        }
    }

    /// ` The backend said: code: message.` or nothing; each text without the token, then
    /// shortened.
    fn suffix(&self, token: Option<&str>) -> String {
        let code = self.code.as_deref().map(|code| shown(code, token));
        let message = self.message.as_deref().map(|message| shown(message, token));
        match (code, message) {
            (None, None) => String::new(),
            (Some(code), None) => format!(" The backend said: {code}."),
            (None, Some(message)) => format!(" The backend said: {}", sentence(&message)),
            (Some(code), Some(message)) => {
                format!(" The backend said: {code}: {}", sentence(&message))
            }
        }
    }
}

/// How many characters of a text from the backend a message shows.
const SHOWN_CHARS: usize = 300;

/// A text from the backend as a message shows it: first the token is removed, then the text is
/// shortened to [`SHOWN_CHARS`] (the other order could cut the token and leave its beginning).
fn shown(text: &str, token: Option<&str>) -> String {
    let text = redact(text, token);
    if text.chars().count() > SHOWN_CHARS {
        format!(
            "{}…",
            text.chars().take(SHOWN_CHARS - 1).collect::<String>()
        )
    } else {
        text
    }
}

fn sentence(text: &str) -> String {
    if text.ends_with(['.', '!', '?', '…']) {
        text.to_string()
    } else {
        format!("{text}.")
    }
}

/// `200 OK` style names of the statuses worth naming.
///
/// ```
/// use sspr_insights::data::report_api::status_text;
/// assert_eq!(status_text(429), "429 Too Many Requests");
/// assert_eq!(status_text(418), "418");
/// ```
pub fn status_text(status: u16) -> String {
    let reason = match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    };
    if reason.is_empty() {
        status.to_string()
    } else {
        format!("{status} {reason}")
    }
}

/// Why a fetch cannot go on. Each message says what happened and what to do, and never holds the
/// token if shown with [`ApiError::user_message`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiError {
    /// The base address is not usable.
    BadAddress(UrlError),
    /// The role check stopped the token before any request.
    Token(TokenRefusal),
    /// 401 or 403 from the backend.
    Refused { status: u16, graph: GraphError },
    /// 401 or 403 when reading the audit log, after the reports were read (or before): the
    /// token lacks `AuditLog.Read.All`, which the audit log needs.
    AuditRefused { status: u16, graph: GraphError },
    /// 429 / 503 / 504 still after [`MAX_RETRIES`](super::MAX_RETRIES) retries.
    StillBusy {
        status: u16,
        retries: u32,
        graph: GraphError,
    },
    /// Any other error status.
    Http { status: u16, graph: GraphError },
    /// A next link that was not followed: to another origin, or unreadable.
    NextLink(NextLinkError),
    /// A next link that was already followed.
    NextLinkLoop,
    /// More than `limit` pages ([`MAX_PAGES`](super::MAX_PAGES)).
    TooManyPages { limit: usize },
    /// A page that is not valid JSON (cut off, …) or not a Graph response page.
    BadPage {
        collection: Collection,
        page: usize,
        detail: String,
    },
    /// A page of the other kind of records (a misconfigured backend or proxy).
    UnexpectedRecords {
        collection: Collection,
        page: usize,
        found: FileKind,
    },
    /// The request did not get an answer (network, DNS, CORS, TLS): the browser's words.
    Network { detail: String },
    /// An answer was given to a walk that had no request pending (a bug in the caller).
    NothingPending,
}

impl ApiError {
    /// The message for the user, with the token removed (see [`redact`]). Use this, never the
    /// plain `Display`, for anything shown or logged.
    pub fn user_message(&self, token: Option<&str>) -> String {
        let message = Message { error: self, token }.to_string();
        redact(&message, token)
    }

    /// Whether the error is about the token (expired, lacking a role, refused): the UI may put
    /// the focus on the token field.
    pub fn is_about_token(&self) -> bool {
        matches!(
            self,
            ApiError::Token(_) | ApiError::Refused { .. } | ApiError::AuditRefused { .. }
        )
    }
}

impl fmt::Display for ApiError {
    /// The message with the token left in, should a text from the backend hold it: what the user
    /// sees is [`ApiError::user_message`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Message {
            error: self,
            token: None,
        }
        .fmt(f)
    }
}

/// An error's message, the texts from the backend in it shortened only once `token` is removed
/// from them.
struct Message<'a> {
    error: &'a ApiError,
    token: Option<&'a str>,
}

impl fmt::Display for Message<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let token = self.token;
        match self.error {
            ApiError::BadAddress(reason) => write!(
                f,
                "The report backend address is not usable: {reason}. Use an address such as \
                 {GRAPH_BETA}."
            ),
            ApiError::Token(TokenRefusal::Expired { expired_at }) => write!(
                f,
                "The token expired at {}. Get a new token and try again; no request was sent.",
                format_utc(*expired_at)
            ),
            ApiError::Token(TokenRefusal::LacksRole) => write!(
                f,
                "The token does not carry a role that may read these reports, so no request was \
                 sent. Sign in with {ROLE_ADVICE}, then get a new token."
            ),
            ApiError::Token(TokenRefusal::AppLacksPermission) => write!(
                f,
                "This application token lacks the permission {READING_PERMISSION}, so no request \
                 was sent. Grant it to the application (with admin consent), then get a new token."
            ),
            ApiError::Refused { status, graph } => write!(
                f,
                "The report backend refused the token ({}): it has expired, or lacks a role that \
                 may read these reports. Use a token of a user with {ROLE_ADVICE}.{}",
                status_text(*status),
                graph.suffix(token)
            ),
            ApiError::AuditRefused { status, graph } => write!(
                f,
                "The report backend refused to read the audit log ({}): the token lacks the \
                 permission {READING_PERMISSION}, or a role that may read the audit log. Use a \
                 token of a user with {ROLE_ADVICE}, or fetch without the audit log.{}",
                status_text(*status),
                graph.suffix(token)
            ),
            ApiError::StillBusy {
                status,
                retries,
                graph,
            } => write!(
                f,
                "The report backend is still busy ({}) after {retries} retries. Try again later.{}",
                status_text(*status),
                graph.suffix(token)
            ),
            ApiError::Http { status, graph } => write!(
                f,
                "The report backend answered {}.{}",
                status_text(*status),
                graph.suffix(token)
            ),
            ApiError::NextLink(NextLinkError::Foreign {
                link_origin,
                base_origin,
            }) => write!(
                f,
                "The report backend's link to the next page points to another origin \
                 ({}) than the backend's ({base_origin}). It was not followed, so that the \
                 token is not sent elsewhere.",
                shown(link_origin, token)
            ),
            ApiError::NextLink(NextLinkError::Unusable(reason)) => write!(
                f,
                "The report backend's link to the next page is not usable: {reason}. It was not \
                 followed."
            ),
            ApiError::NextLinkLoop => f.write_str(
                "The report backend sent a link to a page that was already read; stopped so as \
                 not to loop forever.",
            ),
            ApiError::TooManyPages { limit } => write!(
                f,
                "The report backend sent more than {limit} pages; stopped."
            ),
            ApiError::BadPage {
                collection,
                page,
                detail,
            } => write!(
                f,
                "Page {page} of {} from the report backend could not be read: {}",
                collection.name(),
                sentence(detail)
            ),
            ApiError::UnexpectedRecords {
                collection,
                page,
                found,
            } => write!(
                f,
                "Page {page} of {} from the report backend holds {found} instead. Is the address \
                 that of a report backend?",
                collection.name()
            ),
            ApiError::Network { detail } => write!(
                f,
                "Could not reach the report backend: {}. Check the address and the network, and \
                 that the backend allows this app's origin (CORS).",
                detail.trim_end_matches('.')
            ),
            ApiError::NothingPending => {
                f.write_str("No request was pending for this answer (an error in the app).")
            }
        }
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::report_api::address::ReportBase;
    use crate::data::report_api::testing::{jwt, NOW};
    use crate::data::report_api::token::{check_token, TokenCheck};

    #[test]
    fn expired_token_gets_a_clear_message() {
        let token = jwt(r#"{"exp":1794999000,"wids":["4a5d8f65-41da-4de4-8968-e035b65339cf"]}"#);
        let refusal = check_token(&token, NOW).unwrap_err();
        assert_eq!(
            refusal,
            TokenRefusal::Expired {
                expired_at: 1_794_999_000_000
            }
        );
        assert_eq!(
            ApiError::Token(refusal).to_string(),
            "The token expired at 2026-11-18T10:50:00Z. Get a new token and try again; no \
             request was sent."
        );
        let fresh = jwt(r#"{"exp":1795003600,"wids":["4a5d8f65-41da-4de4-8968-e035b65339cf"]}"#);
        assert_eq!(
            check_token(&fresh, NOW),
            Ok(TokenCheck::Role("Reports Reader"))
        );
    }

    #[test]
    fn busy_message_counts_the_retries() {
        let error = ApiError::StillBusy {
            status: 503,
            retries: 5,
            graph: GraphError::default(),
        };
        assert_eq!(
            error.to_string(),
            "The report backend is still busy (503 Service Unavailable) after 5 retries. Try \
             again later."
        );
    }

    #[test]
    fn refused_link_messages_never_hold_the_token() {
        let token = jwt(r#"{"wids":["4a5d8f65-41da-4de4-8968-e035b65339cf"]}"#);
        let base = ReportBase::parse(GRAPH_BETA).unwrap();
        let link = format!("https://{token}.evil.example/steal?t={token}");
        let error = ApiError::NextLink(
            base.resolve_next_link(&base.registration_details_url(), &link)
                .unwrap_err(),
        );
        let message = error.user_message(Some(&token));
        assert!(!message.contains(&token), "{message}");
        assert!(message.contains("not followed"));
    }

    #[test]
    fn address_messages_give_the_reason_and_an_example() {
        let error =
            ApiError::BadAddress(ReportBase::parse("https://graph microsoft.com").unwrap_err());
        assert_eq!(
            error.to_string(),
            "The report backend address is not usable: it contains a space. Use an address \
             such as https://graph.microsoft.com/beta."
        );
    }

    #[test]
    fn a_token_echoed_in_a_long_message_is_removed_before_the_message_is_shortened() {
        // Issue 10, row 11: the text was cut first, so the token's beginning survived the cut.
        let token = "Zq9XopaqueSecretToken0123456789";
        for lead in 280..SHOWN_CHARS {
            let body = format!(
                r#"{{"error":{{"code":"denied","message":"{}{token} was refused"}}}}"#,
                "x".repeat(lead)
            );
            let error = ApiError::Refused {
                status: 401,
                graph: GraphError::parse(body.as_bytes()),
            };
            let message = error.user_message(Some(token));
            assert!(
                !message.contains(&token[..4]),
                "cut after {lead}: {message}"
            );
            assert!(message.ends_with('…'), "{message}");
        }
    }

    #[test]
    fn a_token_used_as_a_next_links_scheme_is_removed_whole() {
        // Issue 10, row 11: the scheme was cut to 20 characters and lower-cased before redaction.
        let token = "Zq9XopaqueSecretToken0123456789";
        let base = ReportBase::parse(GRAPH_BETA).unwrap();
        let link = format!("{token}://graph.microsoft.com/beta/next");
        let error = ApiError::NextLink(
            base.resolve_next_link(&base.registration_details_url(), &link)
                .unwrap_err(),
        );
        let message = error.user_message(Some(token));
        assert!(
            !message.to_lowercase().contains(&token[..4].to_lowercase()),
            "{message}"
        );
        assert!(
            message.contains("(a [token removed]: address)"),
            "{message}"
        );
    }
}
