//! The report backend's protocol (spec §6) as pure rules: addresses, headers, next links and the
//! same-origin rule, retries, what each answer means, the token's roles, and the walk over pages.
//! Nothing here fetches, sleeps or touches the browser: the client asks these rules what to do.
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

use std::borrow::Cow;
use std::fmt;

use rustc_hash::FxHashSet;
use serde::de::{self, Deserializer, IgnoredAny, SeqAccess, Visitor};
use serde::Deserialize;

use crate::model::import::{import_file, FileImport, FileKind};
use crate::model::time::{format_utc, Millis, DAY};

/// Microsoft Graph's beta endpoint: the default base address.
pub const GRAPH_BETA: &str = "https://graph.microsoft.com/beta";
/// The registration details list, below the base.
pub const REGISTRATION_DETAILS_PATH: &str =
    "/reports/authenticationMethods/userRegistrationDetails";
/// The registration and reset events list, below the base.
pub const EVENTS_SUMMARY_PATH: &str = "/reports/authenticationMethods/userEventsSummary";
/// `$top` for events: Graph's default and maximum for `userEventsSummary`.
pub const EVENTS_PAGE_SIZE: u32 = 1000;
/// Events are asked for from this long before the fetch time (the longest period, 30 days).
pub const EVENTS_WINDOW: Millis = 30 * DAY;
/// The value of the `Prefer` header sent with every request.
pub const PREFER: &str = "include-unknown-enum-members";
/// Retries of one request after 429 / 503 / 504 before giving up (so at most 6 requests).
pub const MAX_RETRIES: u32 = 5;
/// The first wait of the exponential backoff, when the answer says nothing (`Retry-After`).
pub const FIRST_BACKOFF_MS: u64 = 1_000;
/// No wait is longer than this, whatever `Retry-After` says (the user can Cancel meanwhile).
pub const MAX_WAIT_MS: u64 = 60_000;
/// A walk stops after this many pages (a backend that never stops paging).
pub const MAX_PAGES: usize = 100_000;
/// The Graph permission the reports need.
pub const READING_PERMISSION: &str = "AuditLog.Read.All";
/// What replaces the token in a message.
pub const REDACTED: &str = "[token removed]";

/// A directory role that may read the authentication methods reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Role {
    pub name: &'static str,
    /// The role's template id, as it appears in a token's `wids` claim.
    pub template_id: &'static str,
}

/// The roles whose `wids` entry lets a token through the role check (template ids from
/// `domain.md`, taken from Entra's permissions reference).
pub const READING_ROLES: [Role; 5] = [
    Role {
        name: "Reports Reader",
        template_id: "4a5d8f65-41da-4de4-8968-e035b65339cf",
    },
    Role {
        name: "Security Reader",
        template_id: "5d6b6bb7-de71-4623-b4af-96380a352509",
    },
    Role {
        name: "Security Administrator",
        template_id: "194ae4cb-b126-40b2-bd5b-6091b380977d",
    },
    Role {
        name: "Global Reader",
        template_id: "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
    },
    Role {
        name: "Global Administrator",
        template_id: "62e90394-69f5-4237-9190-012177145e10",
    },
];

/// What every "lacks a role" message tells the user to get.
const ROLE_ADVICE: &str = "one of the roles Reports Reader, Security Reader, Security \
    Administrator or Global Reader, with the permission AuditLog.Read.All";

// ---------------------------------------------------------------------------------------------
// Addresses

/// `http` or `https`: the only schemes a report backend may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    Http,
    Https,
}

impl Scheme {
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }

    pub fn default_port(self) -> u16 {
        match self {
            Scheme::Http => 80,
            Scheme::Https => 443,
        }
    }
}

/// Scheme, host and port: what must be equal for a next link to be followed with the token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub scheme: Scheme,
    /// Lower case; an IPv6 address keeps its brackets.
    pub host: String,
    /// Always the effective port (443 for `https://host`).
    pub port: u16,
}

impl fmt::Display for Origin {
    /// `https://graph.microsoft.com`, `http://127.0.0.1:8081` (the default port is left out).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}", self.scheme.as_str(), self.host)?;
        if self.port != self.scheme.default_port() {
            write!(f, ":{}", self.port)?;
        }
        Ok(())
    }
}

/// An absolute http(s) address taken apart. The fragment is dropped.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Url {
    origin: Origin,
    /// Empty or starting with `/`.
    path: String,
    /// Without the `?`.
    query: Option<String>,
}

impl fmt::Display for Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.origin, self.path)?;
        if let Some(query) = &self.query {
            write!(f, "?{query}")?;
        }
        Ok(())
    }
}

/// Parses an absolute `http://` or `https://` address strictly: anything a browser might read
/// differently from us (user info, backslashes, spaces, control characters, `%` in the host) is
/// refused rather than guessed at. The error says why, without repeating the address.
fn parse_absolute(text: &str) -> Result<Url, String> {
    if let Some(c) = text
        .chars()
        .find(|c| c.is_control() || *c == ' ' || *c == '\\')
    {
        return Err(match c {
            ' ' => "it contains a space",
            '\\' => "it contains a backslash",
            _ => "it contains a control character",
        }
        .to_string());
    }
    let not_http = || "it does not start with http:// or https://".to_string();
    let (scheme, rest) = text.split_once("://").ok_or_else(not_http)?;
    if scheme.is_empty() || !scheme.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(not_http());
    }
    let scheme = match scheme.to_ascii_lowercase().as_str() {
        "http" => Scheme::Http,
        "https" => Scheme::Https,
        _ => return Err("only http:// and https:// addresses are allowed".to_string()),
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    if authority.contains('@') {
        return Err("it has a user name or password before the host ('@')".to_string());
    }
    let (host, port) = split_host_port(authority, scheme)?;
    let tail = tail.split('#').next().unwrap_or("");
    let (path, query) = match tail.split_once('?') {
        Some((path, query)) => (path, Some(query.to_string())),
        None => (tail, None),
    };
    Ok(Url {
        origin: Origin { scheme, host, port },
        path: path.to_string(),
        query,
    })
}

fn split_host_port(authority: &str, scheme: Scheme) -> Result<(String, u16), String> {
    let (host, port) = if let Some(inner) = authority.strip_prefix('[') {
        let close = inner
            .find(']')
            .ok_or_else(|| "its IPv6 host has no closing ']'".to_string())?;
        let address = &inner[..close];
        if address.is_empty()
            || !address
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
        {
            return Err("its IPv6 host is not an address".to_string());
        }
        let port = match &inner[close + 1..] {
            "" => None,
            after => Some(
                after
                    .strip_prefix(':')
                    .ok_or_else(|| "something follows its IPv6 host".to_string())?,
            ),
        };
        (format!("[{}]", address.to_ascii_lowercase()), port)
    } else {
        let (host, port) = match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        };
        if !host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_')
        {
            return Err(
                "its host has characters other than letters, digits, '-' and '.' \
                 (write an international name in its xn-- form)"
                    .to_string(),
            );
        }
        (host.to_ascii_lowercase(), port)
    };
    if host.is_empty() {
        return Err("it has no host".to_string());
    }
    let port = match port {
        None | Some("") => scheme.default_port(),
        Some(digits) => match digits.parse::<u16>() {
            Ok(port) if port > 0 && digits.bytes().all(|b| b.is_ascii_digit()) => port,
            _ => return Err("its port is not a number from 1 to 65535".to_string()),
        },
    };
    Ok((host, port))
}

/// A checked, normalised base address of a report backend: http(s) only, no user info, no query
/// or fragment, lower-case scheme and host, default port and trailing slashes removed.
///
/// ```
/// use sspr_insights::data::report_api::ReportBase;
/// let base = ReportBase::parse(" HTTPS://Graph.Microsoft.com:443/beta/ ").unwrap();
/// assert_eq!(base.as_str(), "https://graph.microsoft.com/beta");
/// assert!(ReportBase::parse("ftp://example.com").is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportBase {
    url: Url,
    text: String,
}

impl ReportBase {
    /// Checks and normalises an address typed by the user.
    pub fn parse(text: &str) -> Result<ReportBase, ApiError> {
        let bad = |reason: String| ApiError::BadAddress { reason };
        let trimmed = text.trim().trim_end_matches('/');
        if trimmed.is_empty() {
            return Err(bad("it is empty".to_string()));
        }
        let url = parse_absolute(trimmed).map_err(bad)?;
        if url.query.is_some() || trimmed.contains('#') {
            return Err(bad(
                "it must not have a query ('?') or fragment ('#')".to_string()
            ));
        }
        let text = url.to_string();
        Ok(ReportBase { url, text })
    }

    /// The normalised address, e.g. `https://graph.microsoft.com/beta`.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The origin that every request, next links included, must go to.
    pub fn origin(&self) -> &Origin {
        &self.url.origin
    }

    /// `{base}/reports/authenticationMethods/userRegistrationDetails` (no query: the list
    /// supports only `$filter` and `$orderby`, and the server picks the page size).
    pub fn registration_details_url(&self) -> String {
        format!("{}{REGISTRATION_DETAILS_PATH}", self.text)
    }

    /// `{base}/reports/authenticationMethods/userEventsSummary?$filter=eventDateTime ge {as_of −
    /// 30 d}&$top=1000`, the time in ISO 8601 UTC to the second, the filter percent-encoded.
    ///
    /// ```
    /// use sspr_insights::data::report_api::ReportBase;
    /// use sspr_insights::model::time::parse_time;
    /// let base = ReportBase::parse("https://graph.microsoft.com/beta").unwrap();
    /// let as_of = parse_time("2026-11-20T14:30:00.750Z").unwrap();
    /// assert_eq!(base.events_summary_url(as_of),
    ///     "https://graph.microsoft.com/beta/reports/authenticationMethods/userEventsSummary\
    ///      ?$filter=eventDateTime%20ge%202026-10-21T14%3A30%3A00Z&$top=1000");
    /// ```
    pub fn events_summary_url(&self, as_of: Millis) -> String {
        let since = (as_of - EVENTS_WINDOW).div_euclid(1000) * 1000;
        let filter = format!("eventDateTime ge {}", format_utc(since));
        format!(
            "{}{EVENTS_SUMMARY_PATH}?$filter={}&$top={EVENTS_PAGE_SIZE}",
            self.text,
            crate::model::query::encode(&filter)
        )
    }

    /// The first request of a collection.
    pub fn collection_url(&self, collection: Collection, as_of: Millis) -> String {
        match collection {
            Collection::RegistrationDetails => self.registration_details_url(),
            Collection::EventsSummary => self.events_summary_url(as_of),
        }
    }

    /// Where an `@odata.nextLink` leads, or why it must not be followed.
    ///
    /// A relative link is resolved against `page_url`, the address of the page that carried it
    /// (always at the base's origin; the base itself is used if it does not parse). The result
    /// must have the base's scheme, host and port, or the link is refused: the token must never
    /// travel elsewhere. The address returned is rebuilt from the base's origin, so what is
    /// fetched is exactly what was checked.
    ///
    /// ```
    /// use sspr_insights::data::report_api::ReportBase;
    /// let base = ReportBase::parse("https://graph.microsoft.com/beta").unwrap();
    /// let page = base.registration_details_url();
    /// assert!(base.resolve_next_link(&page, "https://graph.microsoft.com/beta/x?$skiptoken=1").is_ok());
    /// assert!(base.resolve_next_link(&page, "https://graph.microsoft.com@evil.example/").is_err());
    /// ```
    pub fn resolve_next_link(&self, page_url: &str, link: &str) -> Result<String, ApiError> {
        let current = parse_absolute(page_url)
            .ok()
            .filter(|url| url.origin == self.url.origin)
            .unwrap_or_else(|| self.url.clone());
        let bad = |reason: &str| ApiError::BadNextLink {
            reason: reason.to_string(),
        };
        if link.is_empty() {
            return Err(bad("it is empty"));
        }
        let resolved = if has_scheme(link) {
            if !link.contains("://") {
                // `https:evil.example` is relative to some readers and absolute to others.
                return Err(bad("it has a scheme but no '//' before the host"));
            }
            match parse_absolute(link) {
                Ok(url) => url,
                Err(reason) if reason.starts_with("only http") => {
                    return Err(ApiError::ForeignNextLink {
                        link_origin: link_scheme(link),
                        base_origin: self.url.origin.to_string(),
                    })
                }
                Err(reason) => return Err(bad(&reason)),
            }
        } else if link.starts_with("//") {
            parse_absolute(&format!("{}:{link}", current.origin.scheme.as_str()))
                .map_err(|reason| bad(&reason))?
        } else {
            if let Some(c) = link
                .chars()
                .find(|c| c.is_control() || *c == ' ' || *c == '\\')
            {
                return Err(bad(match c {
                    ' ' => "it contains a space",
                    '\\' => "it contains a backslash",
                    _ => "it contains a control character",
                }));
            }
            let link = link.split('#').next().unwrap_or("");
            let (path, query) = match link.split_once('?') {
                Some((path, query)) => (path, Some(query.to_string())),
                None => (link, None),
            };
            let path = if path.starts_with('/') {
                path.to_string()
            } else if path.is_empty() {
                current.path.clone()
            } else {
                let dir = match current.path.rfind('/') {
                    Some(i) => &current.path[..=i],
                    None => "/",
                };
                format!("{dir}{path}")
            };
            Url {
                origin: current.origin.clone(),
                path,
                query: if link.is_empty() {
                    current.query.clone()
                } else {
                    query
                },
            }
        };
        if resolved.origin != self.url.origin {
            return Err(ApiError::ForeignNextLink {
                link_origin: resolved.origin.to_string(),
                base_origin: self.url.origin.to_string(),
            });
        }
        Ok(Url {
            origin: self.url.origin.clone(),
            ..resolved
        }
        .to_string())
    }
}

/// Whether a link starts with a URI scheme (`letter *(letter / digit / + - .) ":"`).
fn has_scheme(link: &str) -> bool {
    let Some(colon) = link.find(':') else {
        return false;
    };
    let scheme = &link[..colon];
    let mut chars = scheme.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// `javascript:`, `data:`, … for the message about a link with another scheme.
fn link_scheme(link: &str) -> String {
    let scheme: String = link.chars().take_while(|c| *c != ':').take(20).collect();
    format!("a {}: address", scheme.to_ascii_lowercase())
}

// ---------------------------------------------------------------------------------------------
// Token and headers

/// The token as pasted, cleaned: surrounding and inner whitespace (wrapped lines) and a leading
/// `Bearer ` are removed. `None` when nothing is left: the requests then go without
/// `Authorization` (a backend that needs none, e.g. a caching proxy).
///
/// ```
/// use sspr_insights::data::report_api::normalise_token;
/// assert_eq!(normalise_token(" Bearer abc.\n def "), Some("abc.def".to_string()));
/// assert_eq!(normalise_token("   "), None);
/// ```
pub fn normalise_token(text: &str) -> Option<String> {
    let text = text.trim();
    let text = match text.get(..6) {
        Some(prefix)
            if prefix.eq_ignore_ascii_case("bearer")
                && text[6..].starts_with(char::is_whitespace) =>
        {
            &text[6..]
        }
        _ => text,
    };
    let token: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    (!token.is_empty() && !token.eq_ignore_ascii_case("bearer")).then_some(token)
}

/// The headers of every report request: `Authorization: Bearer …` only when there is a token,
/// and always `Prefer: include-unknown-enum-members`.
///
/// ```
/// use sspr_insights::data::report_api::request_headers;
/// assert_eq!(request_headers(None), vec![("Prefer", "include-unknown-enum-members".to_string())]);
/// assert_eq!(request_headers(Some("t"))[0], ("Authorization", "Bearer t".to_string()));
/// ```
pub fn request_headers(token: Option<&str>) -> Vec<(&'static str, String)> {
    let mut headers = Vec::with_capacity(2);
    if let Some(token) = token.filter(|t| !t.is_empty()) {
        headers.push(("Authorization", format!("Bearer {token}")));
    }
    headers.push(("Prefer", PREFER.to_string()));
    headers
}

/// Decodes base64url (RFC 4648 §5), with or without `=` padding; `+` and `/` are accepted too.
/// `None` for any other character or an impossible length.
///
/// ```
/// use sspr_insights::data::report_api::base64url_decode;
/// assert_eq!(base64url_decode("eyJhIjoxfQ").as_deref(), Some(&br#"{"a":1}"#[..]));
/// assert_eq!(base64url_decode("e$"), None);
/// ```
pub fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    if text.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for b in text.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// What the payload of a JWT says about reading the reports.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TokenClaims {
    /// Directory role template ids (`wids`).
    pub wids: Vec<String>,
    /// `exp`, in milliseconds.
    pub expires_at: Option<Millis>,
    /// An application (client credentials) token: `idtyp` is `app`, or it has `roles` and no
    /// `scp`.
    pub is_app: bool,
    /// Application permissions (`roles`).
    pub app_roles: Vec<String>,
}

/// Reads the payload of a JWT (JWS compact form: three base64url parts, the first a JSON header).
/// **The signature is not checked**: this only predicts what the backend will say, to give a
/// clear message before any request; the backend is the one that judges the token. `None` when
/// the token is not a readable JWT (opaque tokens exist, and so do encrypted ones).
pub fn read_jwt(token: &str) -> Option<TokenClaims> {
    let mut parts = token.split('.');
    let (header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    // Both must be JSON objects; of the payload only a few claims matter (read without building
    // a `serde_json::Value` tree, which would add its whole machinery to the wasm).
    serde_json::from_slice::<Claims>(&base64url_decode(header)?).ok()?;
    let claims: Claims = serde_json::from_slice(&base64url_decode(payload)?).ok()?;
    let expires_at = match claims.exp {
        Some(Claim::Number(seconds)) => Some((seconds * 1000.0) as Millis),
        _ => None,
    };
    let is_app = matches!(&claims.idtyp, Some(Claim::Text(t)) if t == "app")
        || (claims.roles.is_some() && claims.scp.is_none());
    Some(TokenClaims {
        wids: claims.wids.map(Claim::into_strings).unwrap_or_default(),
        expires_at,
        is_app,
        app_roles: claims.roles.map(Claim::into_strings).unwrap_or_default(),
    })
}

/// The claims of a JWT payload that the role check reads; present (even as `null`) or not. A
/// claim given twice counts with its last value, as in any JSON object reader.
#[derive(Default)]
struct Claims {
    wids: Option<Claim>,
    exp: Option<Claim>,
    idtyp: Option<Claim>,
    roles: Option<Claim>,
    scp: Option<Claim>,
}

/// One claim's value, as far as the role check cares.
enum Claim {
    /// A list: its strings (other items are skipped).
    Strings(Vec<String>),
    Number(f64),
    Text(String),
    /// An object, a boolean or `null`.
    Other,
}

impl Claim {
    fn into_strings(self) -> Vec<String> {
        match self {
            Claim::Strings(list) => list,
            _ => Vec::new(),
        }
    }
}

impl<'de> Deserialize<'de> for Claims {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ClaimsVisitor;
        impl<'de> Visitor<'de> for ClaimsVisitor {
            type Value = Claims;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Claims, A::Error> {
                let mut claims = Claims::default();
                while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                    let slot = match key.as_ref() {
                        "wids" => &mut claims.wids,
                        "exp" => &mut claims.exp,
                        "idtyp" => &mut claims.idtyp,
                        "roles" => &mut claims.roles,
                        "scp" => &mut claims.scp,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                            continue;
                        }
                    };
                    *slot = Some(map.next_value()?);
                }
                Ok(claims)
            }
        }
        d.deserialize_map(ClaimsVisitor)
    }
}

impl<'de> Deserialize<'de> for Claim {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ClaimVisitor;
        impl<'de> Visitor<'de> for ClaimVisitor {
            type Value = Claim;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a claim")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Claim, A::Error> {
                let mut strings = Vec::new();
                while let Some(item) = seq.next_element::<Claim>()? {
                    if let Claim::Text(text) = item {
                        strings.push(text);
                    }
                }
                Ok(Claim::Strings(strings))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Claim, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Claim::Other)
            }
            fn visit_str<E>(self, text: &str) -> Result<Claim, E> {
                Ok(Claim::Text(text.to_string()))
            }
            fn visit_f64<E>(self, n: f64) -> Result<Claim, E> {
                Ok(Claim::Number(n))
            }
            fn visit_i64<E>(self, n: i64) -> Result<Claim, E> {
                Ok(Claim::Number(n as f64))
            }
            fn visit_u64<E>(self, n: u64) -> Result<Claim, E> {
                Ok(Claim::Number(n as f64))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Claim, E> {
                Ok(Claim::Other)
            }
            fn visit_unit<E>(self) -> Result<Claim, E> {
                Ok(Claim::Other)
            }
        }
        d.deserialize_any(ClaimVisitor)
    }
}

/// What the role check found in a token that may go ahead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenCheck {
    /// Not a readable JWT: let through, the backend judges it.
    Opaque,
    /// A user's token with this reading role (the first found, in [`READING_ROLES`] order).
    Role(&'static str),
    /// An application token with the permission `AuditLog.Read.All`.
    AppPermission,
}

/// The check made before any request (spec §6): an expired JWT, or one without a reading role in
/// `wids`, is stopped with a clear message instead of a wall of 401s / 403s. A token that is not a
/// JWT goes through. No signature is checked (see [`read_jwt`]).
///
/// ```
/// use sspr_insights::data::report_api::{check_token, TokenCheck};
/// assert_eq!(check_token("an-opaque-token", 0), Ok(TokenCheck::Opaque));
/// ```
pub fn check_token(token: &str, now: Millis) -> Result<TokenCheck, ApiError> {
    let Some(claims) = read_jwt(token) else {
        return Ok(TokenCheck::Opaque);
    };
    if let Some(expired_at) = claims.expires_at.filter(|&exp| exp <= now) {
        return Err(ApiError::TokenExpired { expired_at });
    }
    if let Some(role) = READING_ROLES.iter().find(|role| {
        claims
            .wids
            .iter()
            .any(|id| id.eq_ignore_ascii_case(role.template_id))
    }) {
        return Ok(TokenCheck::Role(role.name));
    }
    if claims.is_app {
        return if claims
            .app_roles
            .iter()
            .any(|r| r.eq_ignore_ascii_case(READING_PERMISSION))
        {
            Ok(TokenCheck::AppPermission)
        } else {
            Err(ApiError::AppTokenLacksPermission)
        };
    }
    Err(ApiError::TokenLacksRole)
}

/// Removes the token from a message, whatever put it there: every occurrence of the whole token
/// and of each of its dot-separated parts of 16 characters or more (a JWT's payload or signature
/// alone is as secret). The result never contains the token: should a replacement still leave it
/// (a token that is part of the replacement text), the message is withheld instead.
///
/// ```
/// use sspr_insights::data::report_api::redact;
/// assert_eq!(redact("bad token abc123", Some("abc123")), "bad token [token removed]");
/// ```
pub fn redact(text: &str, token: Option<&str>) -> String {
    let Some(token) = token.map(str::trim).filter(|t| !t.is_empty()) else {
        return text.to_string();
    };
    let mut out = text.replace(token, REDACTED);
    for part in token.split('.').filter(|part| part.len() >= 16) {
        out = out.replace(part, REDACTED);
    }
    if out.contains(token) {
        out = "The message was withheld because it could contain the token.".to_string();
        if out.contains(token) {
            out.clear();
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Answers

/// Graph's error body, `{"error":{"code":…,"message":…}}`, as far as it could be read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GraphError {
    pub code: Option<String>,
    pub message: Option<String>,
}

impl GraphError {
    /// Reads `error.code` and `error.message` from a body; anything else gives empty fields.
    /// Texts are cleaned of control characters and shortened to 300 characters.
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
            if text.is_empty() {
                None
            } else if text.chars().count() > 300 {
                Some(format!("{}…", text.chars().take(299).collect::<String>()))
            } else {
                Some(text.to_string())
            }
        };
        match serde_json::from_slice::<Body<'_>>(body) {
            Ok(Body { error: Some(inner) }) => GraphError {
                code: clean(inner.code),
                message: clean(inner.message),
            },
            _ => GraphError::default(),
        }
    }

    /// ` Graph says: code: message.` or nothing.
    fn suffix(&self) -> String {
        match (&self.code, &self.message) {
            (None, None) => String::new(),
            (Some(code), None) => format!(" The backend said: {code}."),
            (None, Some(message)) => format!(" The backend said: {}", sentence(message)),
            (Some(code), Some(message)) => {
                format!(" The backend said: {code}: {}", sentence(message))
            }
        }
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

/// Which list a walk reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Collection {
    RegistrationDetails,
    EventsSummary,
}

impl Collection {
    /// Both, in the order a fetch reads them.
    pub const ALL: [Collection; 2] = [Collection::RegistrationDetails, Collection::EventsSummary];

    /// The Graph resource name, e.g. `userEventsSummary`.
    pub fn name(self) -> &'static str {
        match self {
            Collection::RegistrationDetails => "userRegistrationDetails",
            Collection::EventsSummary => "userEventsSummary",
        }
    }

    /// Whether records of this kind belong in this list.
    fn accepts(self, kind: FileKind) -> bool {
        match self {
            Collection::RegistrationDetails => matches!(
                kind,
                FileKind::UserRegistrationDetails | FileKind::CredentialUserRegistrationDetails
            ),
            Collection::EventsSummary => matches!(
                kind,
                FileKind::UserEventsSummary | FileKind::UserCredentialUsageDetails
            ),
        }
    }
}

/// Why a fetch cannot go on. Each message says what happened and what to do, and never holds the
/// token if shown with [`ApiError::user_message`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiError {
    /// The base address is not usable.
    BadAddress { reason: String },
    /// The JWT's `exp` has passed (checked before any request).
    TokenExpired { expired_at: Millis },
    /// A user's JWT without any reading role in `wids` (checked before any request).
    TokenLacksRole,
    /// An application JWT without `AuditLog.Read.All` (checked before any request).
    AppTokenLacksPermission,
    /// 401 or 403 from the backend.
    Refused { status: u16, graph: GraphError },
    /// 429 / 503 / 504 still after [`MAX_RETRIES`] retries.
    StillBusy {
        status: u16,
        retries: u32,
        graph: GraphError,
    },
    /// Any other error status.
    Http { status: u16, graph: GraphError },
    /// A next link to another scheme, host or port: not followed.
    ForeignNextLink {
        link_origin: String,
        base_origin: String,
    },
    /// A next link that could not be read safely: not followed.
    BadNextLink { reason: String },
    /// A next link that was already followed.
    NextLinkLoop,
    /// More than [`MAX_PAGES`] pages.
    TooManyPages,
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
        redact(&self.to_string(), token)
    }

    /// Whether the error is about the token (expired, lacking a role, refused): the UI may put
    /// the focus on the token field.
    pub fn is_about_token(&self) -> bool {
        matches!(
            self,
            ApiError::TokenExpired { .. }
                | ApiError::TokenLacksRole
                | ApiError::AppTokenLacksPermission
                | ApiError::Refused { .. }
        )
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::BadAddress { reason } => write!(
                f,
                "The report backend address is not usable: {reason}. Use an address such as \
                 {GRAPH_BETA}."
            ),
            ApiError::TokenExpired { expired_at } => write!(
                f,
                "The token expired at {}. Get a new token and try again; no request was sent.",
                format_utc(*expired_at)
            ),
            ApiError::TokenLacksRole => write!(
                f,
                "The token does not carry a role that may read these reports, so no request was \
                 sent. Sign in with {ROLE_ADVICE}, then get a new token."
            ),
            ApiError::AppTokenLacksPermission => write!(
                f,
                "This application token lacks the permission {READING_PERMISSION}, so no request \
                 was sent. Grant it to the application (with admin consent), then get a new token."
            ),
            ApiError::Refused { status, graph } => write!(
                f,
                "The report backend refused the token ({}): it has expired, or lacks a role that \
                 may read these reports. Use a token of a user with {ROLE_ADVICE}.{}",
                status_text(*status),
                graph.suffix()
            ),
            ApiError::StillBusy {
                status,
                retries,
                graph,
            } => write!(
                f,
                "The report backend is still busy ({}) after {retries} retries. Try again later.{}",
                status_text(*status),
                graph.suffix()
            ),
            ApiError::Http { status, graph } => write!(
                f,
                "The report backend answered {}.{}",
                status_text(*status),
                graph.suffix()
            ),
            ApiError::ForeignNextLink {
                link_origin,
                base_origin,
            } => write!(
                f,
                "The report backend's link to the next page points to another origin \
                 ({link_origin}) than the backend's ({base_origin}). It was not followed, so \
                 that the token is not sent elsewhere."
            ),
            ApiError::BadNextLink { reason } => write!(
                f,
                "The report backend's link to the next page is not usable: {reason}. It was not \
                 followed."
            ),
            ApiError::NextLinkLoop => f.write_str(
                "The report backend sent a link to a page that was already read; stopped so as \
                 not to loop forever.",
            ),
            ApiError::TooManyPages => write!(
                f,
                "The report backend sent more than {MAX_PAGES} pages; stopped."
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

/// A `Retry-After` value in milliseconds from `now`: delay-seconds or an HTTP-date (IMF-fixdate,
/// which is RFC 2822's form with `GMT`). `None` when it is neither.
pub fn parse_retry_after(value: &str, now: Millis) -> Option<u64> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    if value.bytes().all(|b| b.is_ascii_digit()) {
        let seconds = value.parse::<u64>().unwrap_or(u64::MAX);
        return Some(seconds.saturating_mul(1000));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    Some((at.timestamp_millis() - now).max(0) as u64)
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

// ---------------------------------------------------------------------------------------------
// Pages

/// What a page says besides its records.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PageHead {
    /// `@odata.nextLink`, when present and not null.
    pub next_link: Option<String>,
    /// How many items `value` holds; `None` when there is no `value` list.
    pub value_len: Option<usize>,
}

/// Reads `@odata.nextLink` and the length of `value` from a response page, streaming with serde
/// (no `Value` tree; the records are skipped, not built). A body that is not a JSON object
/// (a bare array of records, say) has neither.
///
/// ```
/// use sspr_insights::data::report_api::read_page_head;
/// let head = read_page_head(br#"{"@odata.nextLink":"/next","value":[{},{}]}"#).unwrap();
/// assert_eq!((head.next_link.as_deref(), head.value_len), (Some("/next"), Some(2)));
/// ```
pub fn read_page_head(body: &[u8]) -> Result<PageHead, serde_json::Error> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        serde_json::from_slice::<IgnoredAny>(body)?;
        return Ok(PageHead::default());
    }
    #[derive(Deserialize)]
    struct Head<'a> {
        #[serde(rename = "@odata.nextLink", borrow, default)]
        next_link: Option<Cow<'a, str>>,
        #[serde(default)]
        value: Option<Count>,
    }
    let head: Head<'_> = serde_json::from_slice(body)?;
    Ok(PageHead {
        next_link: head
            .next_link
            .map(Cow::into_owned)
            .filter(|l| !l.is_empty()),
        value_len: head.value.and_then(|c| c.0),
    })
}

/// The number of items of a JSON array, skipping them; `None` for anything but an array.
struct Count(Option<usize>);

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct CountVisitor;
        impl<'de> Visitor<'de> for CountVisitor {
            type Value = Count;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of records")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Count, A::Error> {
                let mut n = 0;
                while seq.next_element::<IgnoredAny>()?.is_some() {
                    n += 1;
                }
                Ok(Count(Some(n)))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Count, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Count(None))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Count, E> {
                Ok(Count(None))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Count, E> {
                Ok(Count(None))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Count, E> {
                Ok(Count(None))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Count, E> {
                Ok(Count(None))
            }
            fn visit_str<E>(self, _: &str) -> Result<Count, E> {
                Ok(Count(None))
            }
            fn visit_unit<E>(self) -> Result<Count, E> {
                Ok(Count(None))
            }
        }
        d.deserialize_any(CountVisitor)
    }
}

/// What one answer to a walk gave.
#[derive(Debug)]
pub enum Step {
    /// A page was read: its records (through the model's importer; `records`, `batch`, and
    /// `errors` for bad records, which the UI may show or refuse). The walk goes on if
    /// [`PageWalk::url`] has a next address.
    Page(Box<FileImport>),
    /// Ask for the same address again after this wait (the walk's `url()` is unchanged).
    Retry { after_ms: u64 },
    /// The walk is over and failed; show [`ApiError::user_message`].
    Failed(ApiError),
}

/// The walk over one collection's pages: which address to fetch next, and what each answer
/// means. It never fetches; it is fed the status, `Retry-After` and body of each answer.
#[derive(Debug)]
pub struct PageWalk {
    base: ReportBase,
    collection: Collection,
    next: Option<String>,
    seen: FxHashSet<String>,
    pages: usize,
    records: usize,
    retries: u32,
}

impl PageWalk {
    /// A walk from the collection's first page; `as_of` is the fetch time (the events are asked
    /// for from 30 days before it).
    pub fn new(base: &ReportBase, collection: Collection, as_of: Millis) -> PageWalk {
        let first = base.collection_url(collection, as_of);
        let mut seen = FxHashSet::default();
        seen.insert(first.clone());
        PageWalk {
            base: base.clone(),
            collection,
            next: Some(first),
            seen,
            pages: 0,
            records: 0,
            retries: 0,
        }
    }

    /// The address to fetch now; `None` when the walk is over (done or failed).
    pub fn url(&self) -> Option<&str> {
        self.next.as_deref()
    }

    /// Whether the walk is over.
    pub fn is_done(&self) -> bool {
        self.next.is_none()
    }

    pub fn collection(&self) -> Collection {
        self.collection
    }

    /// Pages read so far.
    pub fn pages(&self) -> usize {
        self.pages
    }

    /// Good records read so far.
    pub fn records(&self) -> usize {
        self.records
    }

    /// Retries made for the current page.
    pub fn retries(&self) -> u32 {
        self.retries
    }

    /// Feeds the answer to [`PageWalk::url`]: status, `Retry-After` header, body; `now` is the
    /// time it arrived (for an HTTP-date `Retry-After`).
    pub fn on_response(
        &mut self,
        status: u16,
        retry_after: Option<&str>,
        body: &[u8],
        now: Millis,
    ) -> Step {
        let Some(url) = self.next.take() else {
            return Step::Failed(ApiError::NothingPending);
        };
        match decide(status, retry_after, body, self.retries, now) {
            Decision::Accept => {}
            Decision::Retry { after_ms } => {
                self.retries += 1;
                self.next = Some(url);
                return Step::Retry { after_ms };
            }
            Decision::Stop(error) => return Step::Failed(error),
        }
        self.retries = 0;
        let number = self.pages + 1;
        let bad_page = |detail: String| {
            Step::Failed(ApiError::BadPage {
                collection: self.collection,
                page: number,
                detail,
            })
        };
        let name = format!("{} page {number}", self.collection.name());
        let mut page = import_file(&name, body);
        if page.fatal {
            let detail = page
                .errors
                .first()
                .map(|e| e.to_string())
                .unwrap_or_else(|| "it is not valid JSON".to_string());
            return bad_page(detail);
        }
        // Errors name the page; the dataset lists the collection once, whatever its page count.
        page.batch
            .set_source(&format!("{} (live)", self.collection.name()));
        let head = match read_page_head(body) {
            Ok(head) => head,
            Err(e) => return bad_page(format!("it is not valid JSON ({e})")),
        };
        match head.value_len {
            None if page.records == 0 => {
                return bad_page(
                    "it is not a Graph response page (it has no \"value\" list of records)"
                        .to_string(),
                )
            }
            Some(0) if page.bad_records == 0 => {
                // An empty page is a page, not a file without records.
                page.errors.clear();
                page.error_count = 0;
            }
            _ => {}
        }
        if page.records > 0 && !self.collection.accepts(page.kind) {
            return Step::Failed(ApiError::UnexpectedRecords {
                collection: self.collection,
                page: number,
                found: page.kind,
            });
        }
        self.pages = number;
        self.records += page.records;
        if let Some(link) = head.next_link {
            if self.pages >= MAX_PAGES {
                return Step::Failed(ApiError::TooManyPages);
            }
            let next = match self.base.resolve_next_link(&url, &link) {
                Ok(next) => next,
                Err(error) => return Step::Failed(error),
            };
            if !self.seen.insert(next.clone()) {
                return Step::Failed(ApiError::NextLinkLoop);
            }
            self.next = Some(next);
        }
        Step::Page(Box::new(page))
    }
}

/// A fetch ready to start: the checked base, the cleaned token and what the role check found.
#[derive(Clone)]
pub struct Prepared {
    pub base: ReportBase,
    token: Option<String>,
    /// `None` without a token.
    pub token_check: Option<TokenCheck>,
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

    /// One walk per collection, both from the fetch time `as_of`.
    pub fn walks(&self, as_of: Millis) -> [PageWalk; 2] {
        Collection::ALL.map(|collection| PageWalk::new(&self.base, collection, as_of))
    }
}

impl fmt::Debug for Prepared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Prepared")
            .field("base", &self.base.as_str())
            .field("token", &self.token.as_ref().map(|_| REDACTED))
            .field("token_check", &self.token_check)
            .finish()
    }
}

/// Everything checked before the first request: the address (see [`ReportBase::parse`]), the
/// token cleaned ([`normalise_token`]) and its role check ([`check_token`]). An error here means
/// no request may be sent.
pub fn prepare(base: &str, token: &str, now: Millis) -> Result<Prepared, ApiError> {
    let base = ReportBase::parse(base)?;
    let token = normalise_token(token);
    let token_check = match &token {
        Some(token) => Some(check_token(token, now)?),
        None => None,
    };
    Ok(Prepared {
        base,
        token,
        token_check,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::time::parse_time;

    const NOW: Millis = 1_795_000_000_000; // 2026-11-18T11:06:40Z

    fn graph() -> ReportBase {
        ReportBase::parse(GRAPH_BETA).unwrap()
    }

    fn b64(bytes: &[u8]) -> String {
        const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |acc, (i, &b)| acc | (u32::from(b) << (16 - 8 * i)));
            for i in 0..=chunk.len() {
                out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            }
        }
        out
    }

    fn jwt(payload: &str) -> String {
        format!(
            "{}.{}.c2lnbmF0dXJlLW5vdC1jaGVja2Vk",
            b64(br#"{"alg":"RS256","typ":"JWT"}"#),
            b64(payload.as_bytes())
        )
    }

    fn user_page(ids: &[&str], next: Option<&str>) -> Vec<u8> {
        let records: Vec<String> = ids
            .iter()
            .map(|id| {
                format!(
                    r#"{{"id":"{id}","userPrincipalName":"{id}@contoso.com","userDisplayName":"User {id}",
                    "isSsprRegistered":true,"isSsprEnabled":true,"isSsprCapable":true,"methodsRegistered":["email"]}}"#
                )
            })
            .collect();
        let next = next
            .map(|n| format!(r#""@odata.nextLink":"{n}","#))
            .unwrap_or_default();
        format!(
            r#"{{"@odata.context":"x",{next}"value":[{}]}}"#,
            records.join(",")
        )
        .into_bytes()
    }

    fn event_page(count: usize) -> Vec<u8> {
        let records: Vec<String> = (0..count)
            .map(|i| {
                format!(
                    r#"{{"id":"e{i}","feature":"reset","userPrincipalName":"u{i}@contoso.com","userDisplayName":"U",
                    "isSuccess":true,"authMethod":"email","failureReason":"","eventDateTime":"2026-11-10T10:00:00Z"}}"#
                )
            })
            .collect();
        format!(r#"{{"value":[{}]}}"#, records.join(",")).into_bytes()
    }

    fn page(step: Step) -> Box<FileImport> {
        match step {
            Step::Page(page) => page,
            other => panic!("expected a page, got {other:?}"),
        }
    }

    fn failed(step: Step) -> ApiError {
        match step {
            Step::Failed(error) => error,
            other => panic!("expected a failure, got {other:?}"),
        }
    }

    // --- addresses

    #[test]
    fn base_is_normalised_and_must_be_http() {
        let base = ReportBase::parse("http://127.0.0.1:8081/beta///").unwrap();
        assert_eq!(base.as_str(), "http://127.0.0.1:8081/beta");
        assert_eq!(
            ReportBase::parse("http://LOCALHOST:80").unwrap().as_str(),
            "http://localhost"
        );
        assert_eq!(
            ReportBase::parse("https://[::1]:8443/").unwrap().as_str(),
            "https://[::1]:8443"
        );
        for bad in [
            "",
            "graph.microsoft.com/beta",
            "ftp://graph.microsoft.com",
            "javascript:alert(1)",
            "https://",
            "https://:443/beta",
            "https://user:pw@graph.microsoft.com/beta",
            "https://graph.microsoft.com/beta?x=1",
            "https://graph.microsoft.com/beta#top",
            "https://graph.microsoft.com:99999",
            "https://graph.microsoft.com:-1",
            "https://graph microsoft.com",
            "https://graph.microsoft.com\\beta",
            "https://gr%61ph.microsoft.com",
        ] {
            let error = ReportBase::parse(bad).expect_err(bad);
            assert!(
                matches!(error, ApiError::BadAddress { .. }),
                "{bad}: {error:?}"
            );
            assert!(error.to_string().starts_with("The report backend address"));
        }
    }

    #[test]
    fn registration_details_url_has_no_query() {
        assert_eq!(
            graph().registration_details_url(),
            "https://graph.microsoft.com/beta/reports/authenticationMethods/userRegistrationDetails"
        );
        let local = ReportBase::parse("http://127.0.0.1:8081").unwrap();
        assert_eq!(
            local.registration_details_url(),
            "http://127.0.0.1:8081/reports/authenticationMethods/userRegistrationDetails"
        );
    }

    #[test]
    fn events_url_asks_for_thirty_days_before_as_of_percent_encoded() {
        let as_of = parse_time("2026-03-30T01:02:03Z").unwrap();
        assert_eq!(
            graph().events_summary_url(as_of),
            "https://graph.microsoft.com/beta/reports/authenticationMethods/userEventsSummary\
             ?$filter=eventDateTime%20ge%202026-02-28T01%3A02%3A03Z&$top=1000"
        );
    }

    #[test]
    fn query_values_keep_only_unreserved_characters() {
        use crate::model::query::encode;
        assert_eq!(encode("a-z_0.9~"), "a-z_0.9~");
        assert_eq!(encode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
    }

    // --- headers and token

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
    fn pasted_tokens_are_cleaned() {
        assert_eq!(normalise_token("bearer  xyz "), Some("xyz".to_string()));
        assert_eq!(normalise_token("BEARER\txyz"), Some("xyz".to_string()));
        assert_eq!(normalise_token("Bearerxyz"), Some("Bearerxyz".to_string()));
        assert_eq!(normalise_token("ab\r\ncd"), Some("abcd".to_string()));
        assert_eq!(normalise_token("Bearer "), None);
    }

    #[test]
    fn base64url_decodes_with_and_without_padding() {
        assert_eq!(base64url_decode("").unwrap(), b"");
        assert_eq!(base64url_decode("Zg").unwrap(), b"f");
        assert_eq!(base64url_decode("Zg==").unwrap(), b"f");
        assert_eq!(base64url_decode("Zm8").unwrap(), b"fo");
        assert_eq!(base64url_decode("Zm9v").unwrap(), b"foo");
        assert_eq!(base64url_decode("Zm9vYg").unwrap(), b"foob");
        assert_eq!(base64url_decode("-_-_").unwrap(), vec![0xfb, 0xff, 0xbf]);
        assert_eq!(base64url_decode("+/+/").unwrap(), vec![0xfb, 0xff, 0xbf]);
        assert_eq!(base64url_decode("Z"), None);
        assert_eq!(base64url_decode("Zm9v!"), None);
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(base64url_decode(&b64(&all)).unwrap(), all);
    }

    #[test]
    fn token_with_a_reading_role_passes() {
        for role in READING_ROLES {
            let token = jwt(&format!(
                r#"{{"aud":"https://graph.microsoft.com","scp":"AuditLog.Read.All","wids":["b79fbf4d-3ef9-4689-8143-76b194e85509","{}"]}}"#,
                role.template_id.to_uppercase()
            ));
            assert_eq!(check_token(&token, NOW), Ok(TokenCheck::Role(role.name)));
        }
    }

    #[test]
    fn token_without_a_reading_role_is_stopped_before_any_request() {
        // Helpdesk Administrator and the default member role: neither may read the reports.
        let token = jwt(
            r#"{"scp":"AuditLog.Read.All","wids":["729827e3-9c14-49f7-bb1b-9608f156bbb8","b79fbf4d-3ef9-4689-8143-76b194e85509"]}"#,
        );
        let error = check_token(&token, NOW).unwrap_err();
        assert_eq!(error, ApiError::TokenLacksRole);
        let message = error.to_string();
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
            Err(ApiError::TokenLacksRole)
        );
        let plan = prepare(GRAPH_BETA, &token, NOW);
        assert_eq!(plan.unwrap_err(), ApiError::TokenLacksRole);
    }

    #[test]
    fn token_that_is_not_a_jwt_goes_through() {
        for token in [
            "dev-token",
            "EwBwA8l6BAAU.opaque",
            "a.b.c",
            "x.eyJ3aWRzIjpbXX0.z", // payload readable but header is not JSON
            "e30.bm90IGpzb24.sig", // header {} but payload not JSON
            "a.b.c.d.e",           // an encrypted token (JWE)
        ] {
            assert_eq!(check_token(token, NOW), Ok(TokenCheck::Opaque), "{token}");
        }
    }

    #[test]
    fn expired_token_gets_a_clear_message() {
        let token = jwt(r#"{"exp":1794999000,"wids":["4a5d8f65-41da-4de4-8968-e035b65339cf"]}"#);
        let error = check_token(&token, NOW).unwrap_err();
        assert_eq!(
            error,
            ApiError::TokenExpired {
                expired_at: 1_794_999_000_000
            }
        );
        assert_eq!(
            error.to_string(),
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
    fn application_tokens_need_the_permission() {
        let ok = jwt(r#"{"idtyp":"app","roles":["AuditLog.Read.All"]}"#);
        assert_eq!(check_token(&ok, NOW), Ok(TokenCheck::AppPermission));
        let lacking = jwt(r#"{"roles":["User.Read.All"]}"#);
        assert_eq!(
            check_token(&lacking, NOW),
            Err(ApiError::AppTokenLacksPermission)
        );
    }

    // --- the same-origin rule

    #[test]
    fn same_origin_next_links_are_followed() {
        let base = graph();
        let page = base.registration_details_url();
        let cases = [
            (
                "https://graph.microsoft.com/beta/reports/authenticationMethods/userRegistrationDetails?$skiptoken=abc",
                "https://graph.microsoft.com/beta/reports/authenticationMethods/userRegistrationDetails?$skiptoken=abc",
            ),
            (
                "HTTPS://Graph.Microsoft.COM:443/beta/x?$skiptoken=1#frag",
                "https://graph.microsoft.com/beta/x?$skiptoken=1",
            ),
            ("/beta/x?$skiptoken=2", "https://graph.microsoft.com/beta/x?$skiptoken=2"),
            (
                "?$skiptoken=3",
                "https://graph.microsoft.com/beta/reports/authenticationMethods/userRegistrationDetails?$skiptoken=3",
            ),
            (
                "userRegistrationDetails?$skiptoken=4",
                "https://graph.microsoft.com/beta/reports/authenticationMethods/userRegistrationDetails?$skiptoken=4",
            ),
            ("//graph.microsoft.com/beta/y", "https://graph.microsoft.com/beta/y"),
        ];
        for (link, expected) in cases {
            assert_eq!(
                base.resolve_next_link(&page, link).as_deref(),
                Ok(expected),
                "{link}"
            );
        }
        let local = ReportBase::parse("http://127.0.0.1:8081").unwrap();
        assert_eq!(
            local
                .resolve_next_link(
                    &local.registration_details_url(),
                    "http://127.0.0.1:8081/reports/authenticationMethods/userRegistrationDetails?$skiptoken=x"
                )
                .unwrap(),
            "http://127.0.0.1:8081/reports/authenticationMethods/userRegistrationDetails?$skiptoken=x"
        );
    }

    #[test]
    fn next_links_to_another_origin_are_refused() {
        let base = graph();
        let page = base.registration_details_url();
        let foreign = [
            "https://evil.example/beta/x",
            "http://graph.microsoft.com/beta/x",
            "https://graph.microsoft.com:8443/beta/x",
            "https://graph.microsoft.com.evil.example/beta/x",
            "https://evil.example#@graph.microsoft.com/",
            "https://evil.example?@graph.microsoft.com/",
            "//evil.example/beta/x",
            "javascript://graph.microsoft.com/%0aalert(1)",
            "ftp://graph.microsoft.com/beta",
        ];
        for link in foreign {
            let error = base.resolve_next_link(&page, link).expect_err(link);
            assert!(
                matches!(error, ApiError::ForeignNextLink { .. }),
                "{link}: {error:?}"
            );
            assert!(error.to_string().contains("not followed"), "{error}");
        }
        let unusable = [
            "https://graph.microsoft.com@evil.example/",
            "https://user:pw@graph.microsoft.com/beta",
            "https:evil.example/x",
            "javascript:alert(1)",
            "/\\evil.example/x",
            "https://graph.microsoft.com\\@evil.example/",
            "https://graph.microsoft.com/beta x",
            "/beta/x\n",
            "\thttps://evil.example/",
            "https://gr%61ph.microsoft.com/",
            "",
        ];
        for link in unusable {
            let error = base.resolve_next_link(&page, link).expect_err(link);
            assert!(
                matches!(
                    error,
                    ApiError::BadNextLink { .. } | ApiError::ForeignNextLink { .. }
                ),
                "{link}: {error:?}"
            );
        }
        assert!(matches!(
            base.resolve_next_link(&page, "https://graph.microsoft.com@evil.example/"),
            Err(ApiError::BadNextLink { .. })
        ));
    }

    #[test]
    fn refused_link_messages_never_hold_the_token() {
        let token = jwt(r#"{"wids":["4a5d8f65-41da-4de4-8968-e035b65339cf"]}"#);
        let base = graph();
        let link = format!("https://{token}.evil.example/steal?t={token}");
        let error = base
            .resolve_next_link(&base.registration_details_url(), &link)
            .unwrap_err();
        let message = error.user_message(Some(&token));
        assert!(!message.contains(&token), "{message}");
        assert!(message.contains("not followed"));
    }

    // --- retries and decisions

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
        assert_eq!(parsed.message.unwrap().chars().count(), 300);
        assert_eq!(
            GraphError::parse(br#"{"error":"flat"}"#),
            GraphError::default()
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

    // --- redaction

    #[test]
    fn redaction_removes_the_token_and_its_long_parts() {
        let token = jwt(r#"{"wids":["4a5d8f65-41da-4de4-8968-e035b65339cf"],"name":"Adele"}"#);
        let (header, rest) = token.split_once('.').unwrap();
        let (payload, signature) = rest.split_once('.').unwrap();
        let text =
            format!("Bearer {token} / payload {payload} / signature {signature} / header {header}");
        let out = redact(&text, Some(&token));
        assert!(!out.contains(&token));
        assert!(!out.contains(payload));
        assert!(!out.contains(signature));
        assert!(out.starts_with("Bearer [token removed]"));
        assert_eq!(redact("nothing secret", Some(&token)), "nothing secret");
        assert_eq!(redact("no token given", None), "no token given");
        assert_eq!(redact("blank token", Some("  ")), "blank token");
    }

    #[test]
    fn redaction_never_leaves_the_token_even_when_it_is_in_the_marker() {
        for token in ["token", "e", "[", "removed]", "The message"] {
            let out = redact(&format!("a {token} b {token}{token}"), Some(token));
            assert!(!out.contains(token), "{token}: {out}");
        }
    }

    #[test]
    fn user_messages_of_every_error_hide_the_token() {
        let token = "secret-token-1234567890";
        let errors = [
            ApiError::BadAddress {
                reason: format!("it contains {token}"),
            },
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

    // --- pages and the walk

    #[test]
    fn page_head_reads_the_next_link_wherever_it_is() {
        let before = br#"{"@odata.context":"c","@odata.nextLink":"https://h/n?$skiptoken=1","value":[1,{"a":[2]},3]}"#;
        let after = br#"{"value":[],"@odata.nextLink":"/n","@odata.count":3}"#;
        assert_eq!(
            read_page_head(before).unwrap(),
            PageHead {
                next_link: Some("https://h/n?$skiptoken=1".to_string()),
                value_len: Some(3)
            }
        );
        assert_eq!(
            read_page_head(after).unwrap(),
            PageHead {
                next_link: Some("/n".to_string()),
                value_len: Some(0)
            }
        );
        let escaped = br#"{"@odata.nextLink":"\/n?a=1\u0026b=2","value":[]}"#;
        assert_eq!(
            read_page_head(escaped).unwrap().next_link.as_deref(),
            Some("/n?a=1&b=2")
        );
        let last = br#"{"@odata.nextLink":null,"value":[{}]}"#;
        assert_eq!(read_page_head(last).unwrap().next_link, None);
        assert_eq!(
            read_page_head(b"[{\"id\":1}]").unwrap(),
            PageHead::default()
        );
        assert_eq!(read_page_head(br#"{"value":{}}"#).unwrap().value_len, None);
        assert!(read_page_head(br#"{"value":[1,2"#).is_err());
        assert!(read_page_head(br#"{"@odata.nextLink":5,"value":[]}"#).is_err());
    }

    #[test]
    fn walk_follows_next_links_to_the_end() {
        let base = ReportBase::parse("http://127.0.0.1:8081/beta").unwrap();
        let mut walk = PageWalk::new(&base, Collection::RegistrationDetails, NOW);
        let first = walk.url().unwrap().to_string();
        assert_eq!(
            first,
            "http://127.0.0.1:8081/beta/reports/authenticationMethods/userRegistrationDetails"
        );
        let p1 = user_page(
            &["a", "b"],
            Some("http://127.0.0.1:8081/beta/reports/authenticationMethods/userRegistrationDetails?$skiptoken=p2"),
        );
        let got = page(walk.on_response(200, None, &p1, NOW));
        assert_eq!((got.records, got.batch.user_count()), (2, 2));
        assert!(got.is_clean());
        assert_eq!(got.name, "userRegistrationDetails page 1");
        assert_eq!(
            walk.url(),
            Some("http://127.0.0.1:8081/beta/reports/authenticationMethods/userRegistrationDetails?$skiptoken=p2")
        );
        // A relative link, resolved against the page that carried it.
        let p2 = user_page(&["c"], Some("?$skiptoken=p3"));
        page(walk.on_response(200, None, &p2, NOW));
        assert_eq!(
            walk.url(),
            Some("http://127.0.0.1:8081/beta/reports/authenticationMethods/userRegistrationDetails?$skiptoken=p3")
        );
        let p3 = user_page(&["d", "e", "f"], None);
        page(walk.on_response(200, None, &p3, NOW));
        assert!(walk.is_done());
        assert_eq!((walk.pages(), walk.records()), (3, 6));
        assert!(matches!(
            walk.on_response(200, None, &p3, NOW),
            Step::Failed(ApiError::NothingPending)
        ));
    }

    #[test]
    fn walk_reads_event_pages_and_empty_pages() {
        let mut walk = PageWalk::new(&graph(), Collection::EventsSummary, NOW);
        assert!(walk.url().unwrap().contains("$top=1000"));
        let mut body = event_page(3);
        body.truncate(body.len() - 2);
        body.extend_from_slice(br#"],"@odata.nextLink":"/beta/reports/authenticationMethods/userEventsSummary?$skiptoken=2"}"#);
        let got = page(walk.on_response(200, None, &body, NOW));
        assert_eq!((got.records, got.batch.event_count()), (3, 3));
        let empty = page(walk.on_response(200, None, br#"{"value":[]}"#, NOW));
        assert_eq!(empty.records, 0);
        assert!(empty.is_clean(), "{:?}", empty.errors);
        assert!(walk.is_done());
        assert_eq!((walk.pages(), walk.records()), (2, 3));
    }

    #[test]
    fn walk_retries_throttled_pages_then_goes_on() {
        let mut walk = PageWalk::new(&graph(), Collection::RegistrationDetails, NOW);
        let url = walk.url().unwrap().to_string();
        assert!(matches!(
            walk.on_response(429, Some("1"), b"", NOW),
            Step::Retry { after_ms: 1_000 }
        ));
        assert_eq!(walk.url(), Some(url.as_str()));
        assert_eq!(walk.retries(), 1);
        assert!(matches!(
            walk.on_response(503, None, b"", NOW),
            Step::Retry { after_ms: 2_000 }
        ));
        page(walk.on_response(200, None, &user_page(&["a"], None), NOW));
        assert_eq!(walk.retries(), 0);
        assert!(walk.is_done());
    }

    #[test]
    fn walk_gives_up_after_five_retries() {
        let mut walk = PageWalk::new(&graph(), Collection::RegistrationDetails, NOW);
        let mut requests = 0;
        let error = loop {
            requests += 1;
            match walk.on_response(503, None, b"", NOW) {
                Step::Retry { .. } => continue,
                Step::Failed(error) => break error,
                Step::Page(_) => panic!("no page"),
            }
        };
        assert_eq!(requests, 6);
        assert!(matches!(
            error,
            ApiError::StillBusy {
                status: 503,
                retries: 5,
                ..
            }
        ));
        assert!(walk.is_done());
    }

    #[test]
    fn walk_stops_at_a_foreign_next_link() {
        let mut walk = PageWalk::new(&graph(), Collection::RegistrationDetails, NOW);
        let body = user_page(&["a"], Some("https://evil.example/beta/next"));
        let error = failed(walk.on_response(200, None, &body, NOW));
        assert_eq!(
            error,
            ApiError::ForeignNextLink {
                link_origin: "https://evil.example".to_string(),
                base_origin: "https://graph.microsoft.com".to_string()
            }
        );
        assert!(walk.is_done());
        assert_eq!(walk.url(), None);
    }

    #[test]
    fn walk_stops_at_a_truncated_page_naming_the_position() {
        let mut walk = PageWalk::new(&graph(), Collection::EventsSummary, NOW);
        let body = event_page(5);
        let error = failed(walk.on_response(200, None, &body[..body.len() / 2], NOW));
        let message = error.to_string();
        assert!(
            message.starts_with(
                "Page 1 of userEventsSummary from the report backend could not be read: \
                 userEventsSummary page 1, line"
            ),
            "{message}"
        );
        assert!(walk.is_done());
    }

    #[test]
    fn walk_refuses_what_is_not_a_page_of_its_kind() {
        let mut walk = PageWalk::new(&graph(), Collection::EventsSummary, NOW);
        let error = failed(walk.on_response(200, None, &user_page(&["a"], None), NOW));
        assert!(
            matches!(error, ApiError::UnexpectedRecords { .. }),
            "{error:?}"
        );

        let mut walk = PageWalk::new(&graph(), Collection::EventsSummary, NOW);
        let error = failed(walk.on_response(200, None, br#"{"status":"ok"}"#, NOW));
        assert!(
            error.to_string().contains("not a Graph response page"),
            "{error}"
        );

        let mut walk = PageWalk::new(&graph(), Collection::EventsSummary, NOW);
        let error = failed(walk.on_response(200, None, b"<html>login</html>", NOW));
        assert!(matches!(error, ApiError::BadPage { .. }), "{error:?}");
    }

    #[test]
    fn walk_stops_when_a_next_link_repeats() {
        let mut walk = PageWalk::new(&graph(), Collection::RegistrationDetails, NOW);
        let body = user_page(&["a"], Some("/beta/next?$skiptoken=1"));
        page(walk.on_response(200, None, &body, NOW));
        let error = failed(walk.on_response(200, None, &body, NOW));
        assert_eq!(error, ApiError::NextLinkLoop);
    }

    #[test]
    fn walk_stops_on_refusal_with_the_role_message() {
        let mut walk = PageWalk::new(&graph(), Collection::RegistrationDetails, NOW);
        let body = br#"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation."}}"#;
        let error = failed(walk.on_response(403, None, body, NOW));
        let message = error.to_string();
        assert!(message.contains("Reports Reader"), "{message}");
        assert!(message.contains("Authorization_RequestDenied"), "{message}");
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
        let [users, events] = plan.walks(NOW);
        assert_eq!(users.collection(), Collection::RegistrationDetails);
        assert_eq!(events.collection(), Collection::EventsSummary);
        assert!(matches!(
            prepare("graph.microsoft.com", "t", NOW),
            Err(ApiError::BadAddress { .. })
        ));
    }
}
