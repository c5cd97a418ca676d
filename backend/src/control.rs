//! The backend's switches (faults, token rules, allowed origins), its request log, and the rules
//! that keep both to the developer: `/_faults` and `/_requests` answer only requests addressed to
//! a loopback name, `/_faults` only with its own header and JSON. Never shows or logs a token.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

/// The token accepted when none is given on the command line.
pub const DEFAULT_TOKEN: &str = "dev-token";

/// The app's origins when it runs under `trunk serve` (Trunk.toml: 127.0.0.1:8080).
pub const DEFAULT_ORIGINS: [&str; 2] = ["http://127.0.0.1:8080", "http://localhost:8080"];

/// How many requests the log keeps (the total counts them all).
const LOG_LIMIT: usize = 1000;

/// The switches: read, changed and reset at this path.
pub const FAULTS_PATH: &str = "/_faults";
/// The request log: read and cleared at this path.
pub const REQUESTS_PATH: &str = "/_requests";
/// The header every `/_faults` request must carry, with the value `1`. A web page can send it
/// only after a CORS preflight, which the control endpoints never grant; so can't a form.
pub const CONTROL_HEADER: &str = "X-SSPR-Control";

/// Everything that can be switched: counters count down with each report request they affect.
/// Shown only as a [`SwitchesView`], which holds no token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Switches {
    /// The next N report requests answer 429 Too Many Requests.
    pub throttle: u32,
    /// Seconds in `Retry-After` on 429 and 503.
    pub retry_after: u32,
    /// Send no `Retry-After` (the client must back off on its own).
    pub omit_retry_after: bool,
    /// The next N report requests answer 503 Service Unavailable.
    pub unavailable: u32,
    /// Every page waits this long before it is sent.
    pub slow_ms: u64,
    /// The next N pages are cut in the middle (status 200, invalid JSON).
    pub truncate: u32,
    /// Next links point to another origin (`localhost` ⇄ `127.0.0.1`, same port).
    pub foreign_next_link: bool,
    /// Every report request answers 403 `Authorization_RequestDenied`.
    pub forbidden: bool,
    /// Only the audit log answers 403 (a token that may read the reports but lacks
    /// `AuditLog.Read.All`).
    pub forbidden_audit: bool,
    /// The bearer token accepted; `None`: no token needed.
    pub token: Option<String>,
    /// A token that authenticates but lacks a role: 403 `Authorization_RequestDenied`.
    pub forbidden_token: Option<String>,
    /// Also accept any unexpired JWT without checking its signature, judging its roles from
    /// `wids` like Graph would (403 without a reading role).
    pub accept_unsigned_jwt: bool,
    /// Origins allowed by CORS; `*` allows any.
    pub allow_origins: Vec<String>,
}

impl Default for Switches {
    fn default() -> Self {
        Switches {
            throttle: 0,
            retry_after: 1,
            omit_retry_after: false,
            unavailable: 0,
            slow_ms: 0,
            truncate: 0,
            foreign_next_link: false,
            forbidden: false,
            forbidden_audit: false,
            token: Some(DEFAULT_TOKEN.to_string()),
            forbidden_token: None,
            accept_unsigned_jwt: false,
            allow_origins: DEFAULT_ORIGINS.iter().map(|o| o.to_string()).collect(),
        }
    }
}

/// Some switches, as sent to `POST /_faults` (a JSON body). A token of `""` means none;
/// `allow_origins` may be a list or one comma-separated string.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SwitchesPatch {
    pub throttle: Option<u32>,
    pub retry_after: Option<u32>,
    pub omit_retry_after: Option<bool>,
    pub unavailable: Option<u32>,
    pub slow_ms: Option<u64>,
    pub truncate: Option<u32>,
    pub foreign_next_link: Option<bool>,
    pub forbidden: Option<bool>,
    pub forbidden_audit: Option<bool>,
    pub token: Option<String>,
    pub forbidden_token: Option<String>,
    pub accept_unsigned_jwt: Option<bool>,
    pub allow_origins: Option<OneOrMany>,
}

/// A list, or one string of comma-separated items.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl Switches {
    /// Sets what the patch names, leaves the rest.
    pub fn apply(&mut self, patch: SwitchesPatch) {
        let non_empty = |t: String| (!t.is_empty()).then_some(t);
        if let Some(v) = patch.throttle {
            self.throttle = v;
        }
        if let Some(v) = patch.retry_after {
            self.retry_after = v;
        }
        if let Some(v) = patch.omit_retry_after {
            self.omit_retry_after = v;
        }
        if let Some(v) = patch.unavailable {
            self.unavailable = v;
        }
        if let Some(v) = patch.slow_ms {
            self.slow_ms = v;
        }
        if let Some(v) = patch.truncate {
            self.truncate = v;
        }
        if let Some(v) = patch.foreign_next_link {
            self.foreign_next_link = v;
        }
        if let Some(v) = patch.forbidden {
            self.forbidden = v;
        }
        if let Some(v) = patch.forbidden_audit {
            self.forbidden_audit = v;
        }
        if let Some(v) = patch.token {
            self.token = non_empty(v);
        }
        if let Some(v) = patch.forbidden_token {
            self.forbidden_token = non_empty(v);
        }
        if let Some(v) = patch.accept_unsigned_jwt {
            self.accept_unsigned_jwt = v;
        }
        if let Some(origins) = patch.allow_origins {
            self.allow_origins = match origins {
                OneOrMany::One(text) => text
                    .split(',')
                    .map(|o| o.trim().to_string())
                    .filter(|o| !o.is_empty())
                    .collect(),
                OneOrMany::Many(list) => list,
            };
        }
    }

    /// What `/_faults` shows: every switch, but of the tokens only whether they are set.
    pub fn view(&self) -> SwitchesView<'_> {
        SwitchesView {
            throttle: self.throttle,
            retry_after: self.retry_after,
            omit_retry_after: self.omit_retry_after,
            unavailable: self.unavailable,
            slow_ms: self.slow_ms,
            truncate: self.truncate,
            foreign_next_link: self.foreign_next_link,
            forbidden: self.forbidden,
            forbidden_audit: self.forbidden_audit,
            token_required: self.token.is_some(),
            forbidden_token_set: self.forbidden_token.is_some(),
            accept_unsigned_jwt: self.accept_unsigned_jwt,
            allow_origins: &self.allow_origins,
        }
    }

    /// Whether CORS lets `origin` read the answers.
    pub fn allows_origin(&self, origin: &str) -> bool {
        let origin = origin.trim_end_matches('/');
        self.allow_origins
            .iter()
            .any(|o| o == "*" || o.trim_end_matches('/').eq_ignore_ascii_case(origin))
    }
}

/// The switches as `/_faults` shows them: the tokens only as whether they are set.
#[derive(Debug, PartialEq, Eq, Serialize)]
pub struct SwitchesView<'a> {
    pub throttle: u32,
    pub retry_after: u32,
    pub omit_retry_after: bool,
    pub unavailable: u32,
    pub slow_ms: u64,
    pub truncate: u32,
    pub foreign_next_link: bool,
    pub forbidden: bool,
    pub forbidden_audit: bool,
    /// Whether report requests need a bearer token (its value is never shown).
    pub token_required: bool,
    /// Whether a forbidden token is set (its value is never shown).
    pub forbidden_token_set: bool,
    pub accept_unsigned_jwt: bool,
    pub allow_origins: &'a [String],
}

/// Why a control request is refused: what keeps other web pages away from the switches (a
/// cross-site form, a script after DNS rebinding).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ControlRefusal {
    /// The `Host` header is not a loopback name of this server: a page on another name that
    /// resolves here (DNS rebinding).
    ForeignHost,
    /// `/_faults` without [`CONTROL_HEADER`]`: 1`.
    NoControlHeader,
    /// A `POST /_faults` whose body is not declared `Content-Type: application/json`.
    NotJson,
    /// Switches in the query string: they go in the JSON body.
    SwitchesInQuery,
}

impl ControlRefusal {
    /// The HTTP status of the refusal.
    pub fn status(self) -> u16 {
        match self {
            ControlRefusal::ForeignHost | ControlRefusal::NoControlHeader => 403,
            ControlRefusal::NotJson => 415,
            ControlRefusal::SwitchesInQuery => 400,
        }
    }

    /// The Graph-style error code of the refusal.
    pub fn code(self) -> &'static str {
        match self {
            ControlRefusal::ForeignHost => "ForeignHost",
            ControlRefusal::NoControlHeader => "ControlHeaderMissing",
            ControlRefusal::NotJson => "UnsupportedMediaType",
            ControlRefusal::SwitchesInQuery => "BadRequest",
        }
    }

    /// What to do instead, for a server on `port`.
    pub fn message(self, port: u16) -> String {
        match self {
            ControlRefusal::ForeignHost => format!(
                "The control endpoints answer only requests to 127.0.0.1:{port}, \
                 localhost:{port} or [::1]:{port}."
            ),
            ControlRefusal::NoControlHeader => format!(
                "Send the header '{CONTROL_HEADER}: 1' with every request to {FAULTS_PATH}."
            ),
            ControlRefusal::NotJson => format!(
                "Send the switches to {FAULTS_PATH} as JSON, with 'Content-Type: application/json'."
            ),
            ControlRefusal::SwitchesInQuery => {
                format!("Send the switches to {FAULTS_PATH} in a JSON body, not in the query.")
            }
        }
    }
}

/// Whether `path` is one of the control endpoints (which never get CORS headers).
pub fn is_control_path(path: &str) -> bool {
    path == FAULTS_PATH || path == REQUESTS_PATH
}

/// Whether a `Host` header names this server, on `port`, by a loopback name: `127.0.0.1`,
/// `localhost` or `[::1]`, with the port (which may be left out only when it is 80).
pub fn is_loopback_host(host: &str, port: u16) -> bool {
    ["127.0.0.1", "localhost", "[::1]"].iter().any(|name| {
        host.eq_ignore_ascii_case(&format!("{name}:{port}"))
            || (port == 80 && host.eq_ignore_ascii_case(name))
    })
}

/// The checks every request to a control endpoint passes before it is handled: a loopback
/// `Host`, and for `/_faults` the control header.
pub fn check_control(
    path: &str,
    host: Option<&str>,
    control_header: Option<&str>,
    port: u16,
) -> Result<(), ControlRefusal> {
    if !host.is_some_and(|host| is_loopback_host(host, port)) {
        return Err(ControlRefusal::ForeignHost);
    }
    if path == FAULTS_PATH && control_header.map(str::trim) != Some("1") {
        return Err(ControlRefusal::NoControlHeader);
    }
    Ok(())
}

/// The checks a `POST /_faults` passes besides [`check_control`]: a JSON body and no query.
pub fn check_switches_post(
    content_type: Option<&str>,
    query: Option<&str>,
) -> Result<(), ControlRefusal> {
    let media_type = content_type
        .and_then(|value| value.split(';').next())
        .map(str::trim);
    if !media_type.is_some_and(|t| t.eq_ignore_ascii_case("application/json")) {
        return Err(ControlRefusal::NotJson);
    }
    if query.is_some_and(|q| !q.is_empty()) {
        return Err(ControlRefusal::SwitchesInQuery);
    }
    Ok(())
}

/// One request as logged: never the token, only what became of it.
#[derive(Clone, Debug, Serialize)]
pub struct LoggedRequest {
    pub method: String,
    /// Path and query, as received.
    pub path: String,
    /// The `Host` header (`localhost:PORT` when a client followed a foreign next link here).
    pub host: String,
    pub origin: Option<String>,
    /// `none`, `accepted`, `wrong`, `forbidden`, `expired`, or `not needed`.
    pub token: &'static str,
    /// Whether `Prefer: include-unknown-enum-members` was sent.
    pub prefer: bool,
    pub status: u16,
}

/// The report requests and preflights received, newest last.
#[derive(Debug, Default, Serialize)]
pub struct RequestLog {
    pub total: u64,
    pub requests: VecDeque<LoggedRequest>,
}

impl RequestLog {
    pub fn push(&mut self, request: LoggedRequest) {
        self.total += 1;
        if self.requests.len() == LOG_LIMIT {
            self.requests.pop_front();
        }
        self.requests.push_back(request);
    }

    pub fn clear(&mut self) {
        *self = RequestLog::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patches_set_only_what_they_name() {
        let mut switches = Switches::default();
        let patch: SwitchesPatch =
            serde_json::from_str(r#"{"throttle":2,"allow_origins":["http://a:1"]}"#).unwrap();
        switches.apply(patch);
        assert_eq!(switches.throttle, 2);
        assert_eq!(switches.retry_after, 1);
        assert!(switches.allows_origin("http://a:1"));
        assert!(!switches.allows_origin("http://127.0.0.1:8080"));
        let patch: SwitchesPatch = serde_json::from_str(r#"{"token":""}"#).unwrap();
        switches.apply(patch);
        assert_eq!(switches.token, None);
        assert!(serde_json::from_str::<SwitchesPatch>(r#"{"throtle":1}"#).is_err());
    }

    #[test]
    fn the_view_of_the_switches_holds_no_token() {
        let switches = Switches {
            forbidden_token: Some("no-role-token".to_string()),
            ..Switches::default()
        };
        let shown = serde_json::to_string(&switches.view()).unwrap();
        assert!(
            !shown.contains(DEFAULT_TOKEN) && !shown.contains("no-role-token"),
            "{shown}"
        );
        assert!(shown.contains(r#""token_required":true"#), "{shown}");
        assert!(shown.contains(r#""forbidden_token_set":true"#), "{shown}");
    }

    #[test]
    fn only_loopback_names_of_this_server_may_control_it() {
        for host in [
            "127.0.0.1:8081",
            "localhost:8081",
            "LOCALHOST:8081",
            "[::1]:8081",
        ] {
            assert!(is_loopback_host(host, 8081), "{host}");
        }
        for host in [
            "127.0.0.1",
            "127.0.0.1:8080",
            "evil.example:8081",
            "localhost.evil.example:8081",
            "127.0.0.1:8081.evil.example",
            "127.0.0.2:8081",
            "",
        ] {
            assert!(!is_loopback_host(host, 8081), "{host}");
        }
        assert!(is_loopback_host("localhost", 80));
        assert_eq!(
            check_control(FAULTS_PATH, Some("evil.example:8081"), Some("1"), 8081),
            Err(ControlRefusal::ForeignHost)
        );
        assert_eq!(
            check_control(FAULTS_PATH, None, Some("1"), 8081),
            Err(ControlRefusal::ForeignHost)
        );
        assert_eq!(
            check_control(FAULTS_PATH, Some("localhost:8081"), None, 8081),
            Err(ControlRefusal::NoControlHeader)
        );
        assert_eq!(
            check_control(FAULTS_PATH, Some("localhost:8081"), Some("1"), 8081),
            Ok(())
        );
        assert_eq!(
            check_control(REQUESTS_PATH, Some("127.0.0.1:8081"), None, 8081),
            Ok(())
        );
    }

    #[test]
    fn switches_come_only_as_json() {
        assert_eq!(
            check_switches_post(Some("application/json; charset=utf-8"), None),
            Ok(())
        );
        for form in [
            None,
            Some("application/x-www-form-urlencoded"),
            Some("text/plain"),
            Some("multipart/form-data; boundary=x"),
        ] {
            assert_eq!(
                check_switches_post(form, None),
                Err(ControlRefusal::NotJson),
                "{form:?}"
            );
        }
        assert_eq!(
            check_switches_post(Some("application/json"), Some("token=")),
            Err(ControlRefusal::SwitchesInQuery)
        );
    }

    #[test]
    fn the_log_keeps_the_newest_requests_and_counts_all() {
        let mut log = RequestLog::default();
        for i in 0..LOG_LIMIT + 5 {
            log.push(LoggedRequest {
                method: "GET".into(),
                path: format!("/{i}"),
                host: "h".into(),
                origin: None,
                token: "none",
                prefer: false,
                status: 200,
            });
        }
        assert_eq!(log.total, (LOG_LIMIT + 5) as u64);
        assert_eq!(log.requests.len(), LOG_LIMIT);
        assert_eq!(log.requests[0].path, "/5");
    }
}
