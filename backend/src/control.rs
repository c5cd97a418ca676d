//! The backend's switches (faults, token rules, allowed origins) and its request log, both
//! changeable at run time through `/_faults` and `/_requests`. Never records a client's token.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

/// The token accepted when none is given on the command line.
pub const DEFAULT_TOKEN: &str = "dev-token";

/// The app's origins when it runs under `trunk serve` (Trunk.toml: 127.0.0.1:8080).
pub const DEFAULT_ORIGINS: [&str; 2] = ["http://127.0.0.1:8080", "http://localhost:8080"];

/// How many requests the log keeps (the total counts them all).
const LOG_LIMIT: usize = 1000;

/// Everything that can be switched: counters count down with each report request they affect.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
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
            token: Some(DEFAULT_TOKEN.to_string()),
            forbidden_token: None,
            accept_unsigned_jwt: false,
            allow_origins: DEFAULT_ORIGINS.iter().map(|o| o.to_string()).collect(),
        }
    }
}

/// Some switches, as sent to `POST /_faults` (JSON body or query parameters). A token of `""`
/// means none; `allow_origins` may be a list or one comma-separated string.
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

    /// Whether CORS lets `origin` read the answers.
    pub fn allows_origin(&self, origin: &str) -> bool {
        let origin = origin.trim_end_matches('/');
        self.allow_origins
            .iter()
            .any(|o| o == "*" || o.trim_end_matches('/').eq_ignore_ascii_case(origin))
    }
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
