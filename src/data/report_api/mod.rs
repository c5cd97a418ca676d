//! The report backend's protocol (spec §6) as pure rules: addresses, headers, next links and the
//! same-origin rule, retries, what each answer means, the token's roles, and the walk over pages.
//! Nothing here fetches, sleeps or touches the browser: the client asks these rules what to do.
//!
//! One concern per file: `address` (URLs, origins, the base, next links), `collection` (the two
//! lists and their paths), `token` (cleaning, headers, claims, the role check, redaction; the
//! JSON of a JWT read by `claims`),
//! `error` (every message), `retry` (waits and what each status means) and `walk` (the page walk,
//! with [`read_page`] as its one hand-over to the importer). Everything is re-exported here.
//!
//! A fetch, as the browser client runs it:
//!
//! ```
//! use sspr_insights::data::report_api::{prepare, Collection, PageWalk, Step};
//!
//! let now = 1_795_000_000_000; // the fetch time, which is also the data's "as of"
//! let plan = prepare("http://127.0.0.1:8081/beta/", "dev-token", now).unwrap();
//! let mut walk = PageWalk::new(&plan.base, Collection::RegistrationDetails, now);
//! while let Some(url) = walk.url() {
//!     assert_eq!(url, "http://127.0.0.1:8081/beta/reports/authenticationMethods/userRegistrationDetails");
//!     let _headers = plan.headers(); // send these with a GET of `url`
//!     let (status, retry_after, body) = (200, None, br#"{"value":[]}"#);
//!     match walk.on_response(status, retry_after, body, now) {
//!         Step::Page(page) => assert_eq!(page.records, 0), // keep page.batch; show progress
//!         Step::Retry { after_ms } => { let _ = after_ms; } // wait, then fetch walk.url() again
//!         Step::Failed(error) => panic!("{}", error.user_message(plan.token())),
//!     }
//! }
//! assert!(walk.is_done());
//! ```

use std::fmt;

mod address;
mod claims;
mod collection;
mod error;
mod retry;
#[cfg(test)]
pub(crate) mod testing;
mod token;
mod walk;

pub use address::{NextLinkError, Origin, ReportBase, Scheme, UrlError, GRAPH_BETA};
pub use collection::{Collection, AUDIT_SERVICES, EVENTS_PAGE_SIZE, EVENTS_WINDOW};
pub use error::{status_text, ApiError, GraphError};
pub use retry::{
    decide, parse_retry_after, retry_delay, Decision, FIRST_BACKOFF_MS, MAX_RETRIES, MAX_WAIT_MS,
};
pub use token::{
    base64url_decode, check_token, normalise_token, read_jwt, redact, request_headers, Role,
    TokenCheck, TokenClaims, TokenRefusal, PREFER, READING_PERMISSION, READING_ROLES, REDACTED,
};
pub use walk::{read_page, read_page_head, PageHead, PageWalk, ReadPage, Step, MAX_PAGES};

use crate::model::time::Millis;

/// A fetch ready to start: the checked base, the cleaned token and what the role check found.
#[derive(Clone)]
pub struct Prepared {
    pub base: ReportBase,
    token: Option<String>,
    /// `None` without a token.
    pub token_check: Option<TokenCheck>,
    /// Whether the audit log is read too, after the reports.
    pub audit_log: bool,
}

impl Prepared {
    /// The token, for the `Authorization` header and for [`ApiError::user_message`].
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// The headers of every request (see [`request_headers`]).
    pub fn headers(&self) -> Vec<(&'static str, String)> {
        request_headers(self.token())
    }

    /// The same fetch reading the audit log too (or not).
    pub fn with_audit_log(self, audit_log: bool) -> Prepared {
        Prepared { audit_log, ..self }
    }

    /// The collections this fetch reads, in order: the two reports, then the audit log when
    /// asked for.
    pub fn collections(&self) -> Vec<Collection> {
        let audit = self.audit_log.then_some(Collection::DirectoryAudits);
        Collection::REPORTS.into_iter().chain(audit).collect()
    }

    /// One walk per collection read, all from the fetch time `as_of`.
    pub fn walks(&self, as_of: Millis) -> Vec<PageWalk> {
        self.collections()
            .into_iter()
            .map(|collection| PageWalk::new(&self.base, collection, as_of))
            .collect()
    }
}

impl fmt::Debug for Prepared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Prepared")
            .field("base", &self.base.as_str())
            .field("token", &self.token.as_ref().map(|_| REDACTED))
            .field("token_check", &self.token_check)
            .field("audit_log", &self.audit_log)
            .finish()
    }
}

/// Everything checked before the first request: the address (see [`ReportBase::parse`]), the
/// token cleaned ([`normalise_token`]) and its role check ([`check_token`]). An error here means
/// no request may be sent.
pub fn prepare(base: &str, token: &str, now: Millis) -> Result<Prepared, ApiError> {
    let base = ReportBase::parse(base).map_err(ApiError::BadAddress)?;
    let token = normalise_token(token);
    let token_check = match &token {
        Some(token) => Some(check_token(token, now).map_err(ApiError::Token)?),
        None => None,
    };
    Ok(Prepared {
        base,
        token,
        token_check,
        audit_log: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use testing::{jwt, NOW};

    #[test]
    fn authorization_is_sent_only_with_a_token_and_prefer_always() {
        assert_eq!(
            request_headers(Some("abc")),
            vec![
                ("Authorization", "Bearer abc".to_string()),
                ("Prefer", "include-unknown-enum-members".to_string())
            ]
        );
        assert_eq!(request_headers(Some("")), request_headers(None));
        let plan = prepare(GRAPH_BETA, "  ", NOW).unwrap();
        assert_eq!(plan.token(), None);
        assert_eq!(plan.token_check, None);
        assert_eq!(plan.headers().len(), 1);
    }

    #[test]
    fn token_without_a_reading_role_is_stopped_before_any_request() {
        // Helpdesk Administrator and the default member role: neither may read the reports.
        let token = jwt(
            r#"{"scp":"AuditLog.Read.All","wids":["729827e3-9c14-49f7-bb1b-9608f156bbb8","b79fbf4d-3ef9-4689-8143-76b194e85509"]}"#,
        );
        let refusal = check_token(&token, NOW).unwrap_err();
        assert_eq!(refusal, TokenRefusal::LacksRole);
        let message = ApiError::Token(refusal).to_string();
        for needed in [
            "Reports Reader",
            "Security Reader",
            "Security Administrator",
            "Global Reader",
            "AuditLog.Read.All",
            "no request was sent",
        ] {
            assert!(message.contains(needed), "{message}");
        }
        assert_eq!(
            check_token(&jwt(r#"{"scp":"User.Read"}"#), NOW),
            Err(TokenRefusal::LacksRole)
        );
        let plan = prepare(GRAPH_BETA, &token, NOW);
        assert_eq!(plan.unwrap_err(), ApiError::Token(TokenRefusal::LacksRole));
    }

    #[test]
    fn user_messages_of_every_error_hide_the_token() {
        let token = "secret-token-1234567890";
        let errors = [
            ApiError::NextLink(NextLinkError::Foreign {
                link_origin: format!("https://{token}.evil.example"),
                base_origin: "https://graph.microsoft.com".to_string(),
            }),
            ApiError::Network {
                detail: format!("failed to fetch https://x/?{token}"),
            },
            ApiError::Http {
                status: 400,
                graph: GraphError {
                    code: Some(token.to_string()),
                    message: Some(format!("Bearer {token}")),
                },
            },
            ApiError::BadPage {
                collection: Collection::EventsSummary,
                page: 2,
                detail: token.to_string(),
            },
        ];
        for error in errors {
            let message = error.user_message(Some(token));
            assert!(!message.contains(token), "{message}");
            assert!(message.contains(REDACTED), "{message}");
        }
        let plan = prepare(GRAPH_BETA, token, NOW).unwrap();
        assert!(!format!("{plan:?}").contains(token));
    }

    #[test]
    fn prepare_checks_address_and_token_before_any_request() {
        let token = jwt(r#"{"wids":["5d6b6bb7-de71-4623-b4af-96380a352509"]}"#);
        let plan = prepare(
            "https://graph.microsoft.com/beta/",
            &format!("Bearer {token}"),
            NOW,
        )
        .unwrap();
        assert_eq!(plan.base.as_str(), GRAPH_BETA);
        assert_eq!(plan.token(), Some(token.as_str()));
        assert_eq!(plan.token_check, Some(TokenCheck::Role("Security Reader")));
        let walks: Vec<Collection> = plan.walks(NOW).iter().map(PageWalk::collection).collect();
        assert_eq!(walks, Collection::REPORTS);
        let with_audit = plan.clone().with_audit_log(true).collections();
        assert_eq!(
            with_audit,
            [
                Collection::RegistrationDetails,
                Collection::EventsSummary,
                Collection::DirectoryAudits
            ]
        );
        assert!(matches!(
            prepare("graph.microsoft.com", "t", NOW),
            Err(ApiError::BadAddress { .. })
        ));
        let clear = prepare("http://graph.microsoft.com/beta", "t", NOW).unwrap_err();
        assert_eq!(
            clear,
            ApiError::BadAddress(UrlError::ClearTextToAnotherComputer)
        );
        assert!(clear.to_string().contains("unencrypted"), "{clear}");
    }
}
