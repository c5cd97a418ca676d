//! Addresses of a report backend: strict parsing of http(s) URLs, origins, the checked base
//! address, the first address of each list, and where a next link leads (the same-origin rule).
//! Errors are typed ([`UrlError`], [`NextLinkError`]); the messages around them are `error.rs`'s.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::collection::{Collection, AUDIT_SERVICES, EVENTS_PAGE_SIZE, EVENTS_WINDOW};
use crate::model::time::{format_utc, Millis};

/// Microsoft Graph's beta endpoint: the default base address.
pub const GRAPH_BETA: &str = "https://graph.microsoft.com/beta";

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

impl Origin {
    /// Whether the host is this computer: `localhost`, an address in 127.0.0.0/8 or `[::1]`,
    /// written plainly (`127.1` or `0x7f.0.0.1` may be too, to a browser, but are not taken).
    pub fn is_loopback(&self) -> bool {
        if self.host == "localhost" {
            return true;
        }
        match self
            .host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
        {
            Some(v6) => v6.parse::<Ipv6Addr>().is_ok_and(|ip| ip.is_loopback()),
            None => self
                .host
                .parse::<Ipv4Addr>()
                .is_ok_and(|ip| ip.is_loopback()),
        }
    }

    /// Whether the token may be sent here: over https, or over http to this computer only (where
    /// nothing travels over a network).
    pub fn may_carry_token(&self) -> bool {
        self.scheme == Scheme::Https || self.is_loopback()
    }

    /// The host as the data-source badge names the backend: `graph.microsoft.com`,
    /// `127.0.0.1:8081` (the port only when it is not the scheme's default).
    ///
    /// ```
    /// use sspr_insights::data::report_api::ReportBase;
    /// let label = |base: &str| ReportBase::parse(base).unwrap().origin().host_label();
    /// assert_eq!(label("https://graph.microsoft.com/beta"), "graph.microsoft.com");
    /// assert_eq!(label("http://127.0.0.1:8081/beta"), "127.0.0.1:8081");
    /// ```
    pub fn host_label(&self) -> String {
        if self.port == self.scheme.default_port() {
            self.host.clone()
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

impl fmt::Display for Origin {
    /// `https://graph.microsoft.com`, `http://127.0.0.1:8081` (the default port is left out).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}", self.scheme.as_str(), self.host_label())
    }
}

/// Why a text is not a usable address. Displayed as the reason inside a sentence ("it contains a
/// space"), never repeating the address (it may hold the token).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UrlError {
    Empty,
    Space,
    Backslash,
    ControlCharacter,
    /// Not `scheme://…` with a plain scheme.
    NotHttp,
    /// A scheme other than http and https (lower case, as written).
    OtherScheme {
        scheme: String,
    },
    /// `https:evil.example`: relative to some readers and absolute to others.
    SchemeWithoutSlashes,
    UserInfo,
    Ipv6NotClosed,
    Ipv6NotAnAddress,
    AfterIpv6,
    HostCharacters,
    NoHost,
    BadPort,
    /// A base address with `?` or `#`.
    QueryOrFragment,
    /// `http://` to a host other than this computer: the token would travel unencrypted.
    ClearTextToAnotherComputer,
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            UrlError::Empty => "it is empty",
            UrlError::Space => "it contains a space",
            UrlError::Backslash => "it contains a backslash",
            UrlError::ControlCharacter => "it contains a control character",
            UrlError::NotHttp => "it does not start with http:// or https://",
            UrlError::OtherScheme { .. } => "only http:// and https:// addresses are allowed",
            UrlError::SchemeWithoutSlashes => "it has a scheme but no '//' before the host",
            UrlError::UserInfo => "it has a user name or password before the host ('@')",
            UrlError::Ipv6NotClosed => "its IPv6 host has no closing ']'",
            UrlError::Ipv6NotAnAddress => "its IPv6 host is not an address",
            UrlError::AfterIpv6 => "something follows its IPv6 host",
            UrlError::HostCharacters => {
                "its host has characters other than letters, digits, '-' and '.' \
                 (write an international name in its xn-- form)"
            }
            UrlError::NoHost => "it has no host",
            UrlError::BadPort => "its port is not a number from 1 to 65535",
            UrlError::QueryOrFragment => "it must not have a query ('?') or fragment ('#')",
            UrlError::ClearTextToAnotherComputer => {
                "http:// is only for a backend on this computer (localhost, 127.0.0.1 or [::1]); \
                 anywhere else the token would travel unencrypted, so use https://"
            }
        })
    }
}

/// Why a next link is not followed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NextLinkError {
    /// It leads to another scheme, host or port (or is not http at all): the token would go
    /// elsewhere. `link_origin` is `https://evil.example` or `a javascript: address`, whole
    /// (a message shortens it only after removing the token).
    Foreign {
        link_origin: String,
        base_origin: String,
    },
    /// It could not be read safely.
    Unusable(UrlError),
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

/// The first character that a browser might read differently from us, as its error.
fn unsafe_character(text: &str) -> Option<UrlError> {
    text.chars().find_map(|c| match c {
        ' ' => Some(UrlError::Space),
        '\\' => Some(UrlError::Backslash),
        c if c.is_control() => Some(UrlError::ControlCharacter),
        _ => None,
    })
}

/// Parses an absolute `http://` or `https://` address strictly: anything a browser might read
/// differently from us (user info, backslashes, spaces, control characters, `%` in the host) is
/// refused rather than guessed at.
fn parse_absolute(text: &str) -> Result<Url, UrlError> {
    if let Some(error) = unsafe_character(text) {
        return Err(error);
    }
    let (scheme, rest) = text.split_once("://").ok_or(UrlError::NotHttp)?;
    if scheme.is_empty() || !scheme.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(UrlError::NotHttp);
    }
    let scheme = match scheme.to_ascii_lowercase().as_str() {
        "http" => Scheme::Http,
        "https" => Scheme::Https,
        _ => {
            return Err(UrlError::OtherScheme {
                scheme: scheme.to_string(),
            })
        }
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    if authority.contains('@') {
        return Err(UrlError::UserInfo);
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

fn split_host_port(authority: &str, scheme: Scheme) -> Result<(String, u16), UrlError> {
    let (host, port) = if let Some(inner) = authority.strip_prefix('[') {
        let close = inner.find(']').ok_or(UrlError::Ipv6NotClosed)?;
        let address = &inner[..close];
        if address.is_empty()
            || !address
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
        {
            return Err(UrlError::Ipv6NotAnAddress);
        }
        let port = match &inner[close + 1..] {
            "" => None,
            after => Some(after.strip_prefix(':').ok_or(UrlError::AfterIpv6)?),
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
            return Err(UrlError::HostCharacters);
        }
        (host.to_ascii_lowercase(), port)
    };
    if host.is_empty() {
        return Err(UrlError::NoHost);
    }
    let port = match port {
        None | Some("") => scheme.default_port(),
        Some(digits) => match digits.parse::<u16>() {
            Ok(port) if port > 0 && digits.bytes().all(|b| b.is_ascii_digit()) => port,
            _ => return Err(UrlError::BadPort),
        },
    };
    Ok((host, port))
}

/// A checked, normalised base address of a report backend: https, or http to this computer only
/// (see [`Origin::may_carry_token`]); no user info, no query or fragment; lower-case scheme and
/// host, default port and trailing slashes removed.
///
/// ```
/// use sspr_insights::data::report_api::ReportBase;
/// let base = ReportBase::parse(" HTTPS://Graph.Microsoft.com:443/beta/ ").unwrap();
/// assert_eq!(base.as_str(), "https://graph.microsoft.com/beta");
/// assert!(ReportBase::parse("ftp://example.com").is_err());
/// assert!(ReportBase::parse("http://graph.microsoft.com/beta").is_err());
/// assert!(ReportBase::parse("http://127.0.0.1:8081/beta").is_ok());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportBase {
    url: Url,
    text: String,
}

impl ReportBase {
    /// Checks and normalises an address typed by the user.
    pub fn parse(text: &str) -> Result<ReportBase, UrlError> {
        let trimmed = text.trim().trim_end_matches('/');
        if trimmed.is_empty() {
            return Err(UrlError::Empty);
        }
        let url = parse_absolute(trimmed)?;
        if url.query.is_some() || trimmed.contains('#') {
            return Err(UrlError::QueryOrFragment);
        }
        if !url.origin.may_carry_token() {
            return Err(UrlError::ClearTextToAnotherComputer);
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
        format!("{}{}", self.text, Collection::RegistrationDetails.path())
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
            "{}{}?$filter={}&$top={EVENTS_PAGE_SIZE}",
            self.text,
            Collection::EventsSummary.path(),
            crate::model::query::encode(&filter)
        )
    }

    /// `{base}/auditLogs/directoryAudits?$filter=activityDateTime ge {as_of − 30 d} and
    /// (loggedByService eq '…' or …)` over [`AUDIT_SERVICES`], the filter percent-encoded; the
    /// server picks the page size.
    ///
    /// ```
    /// use sspr_insights::data::report_api::ReportBase;
    /// use sspr_insights::model::time::parse_time;
    /// let base = ReportBase::parse("https://graph.microsoft.com/beta").unwrap();
    /// let as_of = parse_time("2026-11-20T14:30:00Z").unwrap();
    /// assert_eq!(base.directory_audits_url(as_of),
    ///     "https://graph.microsoft.com/beta/auditLogs/directoryAudits?$filter=activityDateTime%20ge%20\
    ///      2026-10-21T14%3A30%3A00Z%20and%20%28loggedByService%20eq%20%27Self-service%20Password%20\
    ///      Management%27%20or%20loggedByService%20eq%20%27Authentication%20Methods%27%29");
    /// ```
    pub fn directory_audits_url(&self, as_of: Millis) -> String {
        let since = (as_of - EVENTS_WINDOW).div_euclid(1000) * 1000;
        let services: Vec<String> = AUDIT_SERVICES
            .iter()
            .map(|s| format!("loggedByService eq '{s}'"))
            .collect();
        let filter = format!(
            "activityDateTime ge {} and ({})",
            format_utc(since),
            services.join(" or ")
        );
        format!(
            "{}{}?$filter={}",
            self.text,
            Collection::DirectoryAudits.path(),
            crate::model::query::encode(&filter)
        )
    }

    /// The first request of a collection.
    pub fn collection_url(&self, collection: Collection, as_of: Millis) -> String {
        match collection {
            Collection::RegistrationDetails => self.registration_details_url(),
            Collection::EventsSummary => self.events_summary_url(as_of),
            Collection::DirectoryAudits => self.directory_audits_url(as_of),
        }
    }

    /// Where an `@odata.nextLink` leads, or why it must not be followed.
    ///
    /// A relative link is resolved against `page_url`, the address of the page that carried it
    /// (always at the base's origin; the base itself is used if it does not parse). The result
    /// must have the base's scheme, host and port, or the link is refused: the token must never
    /// travel elsewhere. As the base's origin may carry the token (checked by
    /// [`ReportBase::parse`]), so does that of every link followed: a link to `http://` on
    /// another computer is always refused. The address returned is rebuilt from the base's
    /// origin, so what is fetched is exactly what was checked.
    ///
    /// ```
    /// use sspr_insights::data::report_api::ReportBase;
    /// let base = ReportBase::parse("https://graph.microsoft.com/beta").unwrap();
    /// let page = base.registration_details_url();
    /// assert!(base.resolve_next_link(&page, "https://graph.microsoft.com/beta/x?$skiptoken=1").is_ok());
    /// assert!(base.resolve_next_link(&page, "https://graph.microsoft.com@evil.example/").is_err());
    /// ```
    pub fn resolve_next_link(&self, page_url: &str, link: &str) -> Result<String, NextLinkError> {
        let current = parse_absolute(page_url)
            .ok()
            .filter(|url| url.origin == self.url.origin)
            .unwrap_or_else(|| self.url.clone());
        let resolved = resolve(&current, link).map_err(|error| match error {
            UrlError::OtherScheme { scheme } => NextLinkError::Foreign {
                link_origin: format!("a {scheme}: address"),
                base_origin: self.url.origin.to_string(),
            },
            other => NextLinkError::Unusable(other),
        })?;
        if resolved.origin != self.url.origin {
            return Err(NextLinkError::Foreign {
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

/// `link` resolved against the address `current`: absolute, scheme-relative (`//host/…`) or
/// relative (a path, a query, or both).
fn resolve(current: &Url, link: &str) -> Result<Url, UrlError> {
    if link.is_empty() {
        return Err(UrlError::Empty);
    }
    if has_scheme(link) {
        if !link.contains("://") {
            return Err(UrlError::SchemeWithoutSlashes);
        }
        return parse_absolute(link);
    }
    if link.starts_with("//") {
        return parse_absolute(&format!("{}:{link}", current.origin.scheme.as_str()));
    }
    if let Some(error) = unsafe_character(link) {
        return Err(error);
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
    Ok(Url {
        origin: current.origin.clone(),
        path,
        query: if link.is_empty() {
            current.query.clone()
        } else {
            query
        },
    })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::time::parse_time;

    fn graph() -> ReportBase {
        ReportBase::parse(GRAPH_BETA).unwrap()
    }

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
        for (bad, why) in [
            ("", UrlError::Empty),
            ("graph.microsoft.com/beta", UrlError::NotHttp),
            (
                "ftp://graph.microsoft.com",
                UrlError::OtherScheme {
                    scheme: "ftp".to_string(),
                },
            ),
            ("javascript:alert(1)", UrlError::NotHttp),
            ("https://", UrlError::NotHttp),
            ("https://:443/beta", UrlError::NoHost),
            (
                "https://user:pw@graph.microsoft.com/beta",
                UrlError::UserInfo,
            ),
            (
                "https://graph.microsoft.com/beta?x=1",
                UrlError::QueryOrFragment,
            ),
            (
                "https://graph.microsoft.com/beta#top",
                UrlError::QueryOrFragment,
            ),
            ("https://graph.microsoft.com:99999", UrlError::BadPort),
            ("https://graph.microsoft.com:-1", UrlError::BadPort),
            ("https://graph microsoft.com", UrlError::Space),
            ("https://graph.microsoft.com\\beta", UrlError::Backslash),
            ("https://gr%61ph.microsoft.com", UrlError::HostCharacters),
            ("https://[::1", UrlError::Ipv6NotClosed),
            ("https://[evil]/", UrlError::Ipv6NotAnAddress),
            ("https://[::1]x/", UrlError::AfterIpv6),
            (
                "https://graph\u{7}.microsoft.com",
                UrlError::ControlCharacter,
            ),
        ] {
            assert_eq!(ReportBase::parse(bad), Err(why), "{bad}");
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
                matches!(error, NextLinkError::Foreign { .. }),
                "{link}: {error:?}"
            );
        }
        assert_eq!(
            base.resolve_next_link(&page, "javascript://x/"),
            Err(NextLinkError::Foreign {
                link_origin: "a javascript: address".to_string(),
                base_origin: "https://graph.microsoft.com".to_string(),
            })
        );
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
                    NextLinkError::Unusable(_) | NextLinkError::Foreign { .. }
                ),
                "{link}: {error:?}"
            );
        }
        assert_eq!(
            base.resolve_next_link(&page, "https://graph.microsoft.com@evil.example/"),
            Err(NextLinkError::Unusable(UrlError::UserInfo))
        );
    }

    #[test]
    fn addresses_and_relative_links_share_one_character_check() {
        let base = graph();
        let page = base.registration_details_url();
        for (text, why) in [
            ("a b", UrlError::Space),
            ("a\\b", UrlError::Backslash),
            ("a\u{0}b", UrlError::ControlCharacter),
        ] {
            assert_eq!(
                ReportBase::parse(&format!("https://{text}")),
                Err(why.clone())
            );
            assert_eq!(
                base.resolve_next_link(&page, &format!("/beta/{text}")),
                Err(NextLinkError::Unusable(why))
            );
        }
    }

    #[test]
    fn clear_text_is_allowed_only_to_this_computer() {
        // Issue 10, row 12: `http://graph.microsoft.com/beta` was accepted, and the token sent
        // over it unencrypted.
        for local in [
            "http://127.0.0.1:8081/beta",
            "http://127.1.2.3",
            "http://localhost:8081",
            "http://LOCALHOST",
            "http://[::1]:8081/beta",
            "http://[0:0:0:0:0:0:0:1]",
            "https://graph.microsoft.com/beta",
            "https://10.0.0.1",
        ] {
            assert!(ReportBase::parse(local).is_ok(), "{local}");
        }
        for remote in [
            "http://graph.microsoft.com/beta",
            "HTTP://Graph.Microsoft.com:443/beta",
            "http://10.0.0.1:8081",
            "http://localhost.evil.example",
            "http://127.0.0.1.evil.example",
            "http://localhost.",
            "http://[::2]",
            "http://[::ffff:127.0.0.1]",
            "http://0x7f.0.0.1",
            "http://127.1",
            "http://2130706433",
        ] {
            assert_eq!(
                ReportBase::parse(remote),
                Err(UrlError::ClearTextToAnotherComputer),
                "{remote}"
            );
        }
        assert!(UrlError::ClearTextToAnotherComputer
            .to_string()
            .contains("use https://"));
    }

    #[test]
    fn next_links_in_clear_text_to_another_computer_are_refused() {
        for (base, link) in [
            (GRAPH_BETA, "http://graph.microsoft.com/beta/next"),
            (
                "http://127.0.0.1:8081/beta",
                "http://graph.microsoft.com/beta/next",
            ),
            (
                "http://127.0.0.1:8081/beta",
                "//graph.microsoft.com/beta/next",
            ),
            ("http://localhost:8081", "http://10.0.0.1:8081/next"),
        ] {
            let base = ReportBase::parse(base).unwrap();
            let error = base
                .resolve_next_link(&base.registration_details_url(), link)
                .expect_err(link);
            assert!(
                matches!(error, NextLinkError::Foreign { .. }),
                "{link}: {error:?}"
            );
        }
    }
}
