//! The URL query vocabulary (spec §2), both ways: filters to query strings and back. Unknown keys
//! and bad values fall back to the default, never an error. Pure string work, host-tested.

use super::batch::{Feature, Status};
use super::filters::{EventColumn, EventFilter, Sort, UserColumn, UserFilter};
use super::method::Method;
use super::period::Period;
use super::population::{Population, RoleKind, UserKind};

/// Decodes `a=1&b=x%20y` (a leading `?` is allowed; `+` is a space).
pub fn parse_pairs(query: &str) -> Vec<(String, String)> {
    query
        .trim_start_matches('?')
        .split('&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (k, v) = part.split_once('=').unwrap_or((part, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Percent-encodes a query component (unreserved characters stay).
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Builds a query string from pairs (no leading `?`).
pub fn to_query(pairs: &[(&str, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn last<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

fn yes_no(text: Option<&str>) -> Option<bool> {
    match text?.to_ascii_lowercase().as_str() {
        "yes" | "true" => Some(true),
        "no" | "false" => Some(false),
        _ => None,
    }
}

fn yes_no_id(b: bool) -> String {
    if b { "yes" } else { "no" }.to_string()
}

/// The period (default 7 days).
pub fn period_of(pairs: &[(String, String)]) -> Period {
    last(pairs, "period")
        .and_then(Period::parse)
        .unwrap_or_default()
}

/// The population (default all / all).
pub fn population_of(pairs: &[(String, String)]) -> Population {
    Population {
        users: last(pairs, "users")
            .and_then(UserKind::parse)
            .unwrap_or_default(),
        roles: last(pairs, "roles")
            .and_then(RoleKind::parse)
            .unwrap_or_default(),
    }
}

fn push_population(out: &mut Vec<(&'static str, String)>, p: Population) {
    if p.users != UserKind::All {
        out.push(("users", p.users.id().to_string()));
    }
    if p.roles != RoleKind::All {
        out.push(("roles", p.roles.id().to_string()));
    }
}

/// The overview's query: period and population, defaults omitted.
pub fn overview_query(period: Period, population: Population) -> String {
    let mut out = Vec::new();
    if period != Period::default() {
        out.push(("period", period.id().to_string()));
    }
    push_population(&mut out, population);
    to_query(&out)
}

fn sort_of<C: Copy>(text: Option<&str>, parse: impl Fn(&str) -> Option<C>) -> Option<Sort<C>> {
    let text = text?;
    let (descending, id) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    parse(id).map(|column| Sort { column, descending })
}

fn sort_id(id: &str, descending: bool) -> String {
    if descending {
        format!("-{id}")
    } else {
        id.to_string()
    }
}

impl UserFilter {
    /// Reads the registrations list's query.
    pub fn from_query(query: &str) -> UserFilter {
        let pairs = parse_pairs(query);
        let methods = last(&pairs, "methods")
            .map(|list| {
                let mut out: Vec<Method> = Vec::new();
                for m in list.split(',').filter_map(Method::parse) {
                    if !out.contains(&m) {
                        out.push(m);
                    }
                }
                out
            })
            .unwrap_or_default();
        UserFilter {
            population: population_of(&pairs),
            registered: yes_no(last(&pairs, "registered")),
            enabled: yes_no(last(&pairs, "enabled")),
            capable: yes_no(last(&pairs, "capable")),
            methods,
            admin_rule: yes_no(last(&pairs, "adminrule")),
            search: last(&pairs, "q").unwrap_or("").to_string(),
            sort: sort_of(last(&pairs, "sort"), UserColumn::parse).unwrap_or_default(),
        }
    }

    /// Writes the query that reproduces this view (defaults omitted).
    pub fn to_query(&self) -> String {
        let mut out = Vec::new();
        push_population(&mut out, self.population);
        for (key, value) in [
            ("registered", self.registered),
            ("enabled", self.enabled),
            ("capable", self.capable),
        ] {
            if let Some(v) = value {
                out.push((key, yes_no_id(v)));
            }
        }
        if !self.methods.is_empty() {
            let ids: Vec<String> = self.methods.iter().map(Method::id).collect();
            out.push(("methods", ids.join(",")));
        }
        if let Some(v) = self.admin_rule {
            out.push(("adminrule", yes_no_id(v)));
        }
        if !self.search.is_empty() {
            out.push(("q", self.search.clone()));
        }
        if self.sort != Sort::default() {
            out.push(("sort", sort_id(self.sort.column.id(), self.sort.descending)));
        }
        to_query(&out)
    }
}

impl EventFilter {
    /// Reads the activity list's query.
    pub fn from_query(query: &str) -> EventFilter {
        let pairs = parse_pairs(query);
        EventFilter {
            period: period_of(&pairs),
            population: population_of(&pairs),
            feature: last(&pairs, "feature").and_then(Feature::parse),
            status: last(&pairs, "status").and_then(|s| match s.to_ascii_lowercase().as_str() {
                "success" => Some(Status::Success),
                "failure" => Some(Status::Failure),
                _ => None,
            }),
            method: last(&pairs, "method").and_then(Method::parse),
            reason: last(&pairs, "reason")
                .filter(|r| !r.trim().is_empty())
                .map(str::to_string),
            repeat: last(&pairs, "repeat")
                .and_then(|n| n.parse::<u32>().ok())
                .filter(|&n| n > 0),
            sms_only: yes_no(last(&pairs, "smsonly")).unwrap_or(false),
            search: last(&pairs, "q").unwrap_or("").to_string(),
            sort: sort_of(last(&pairs, "sort"), EventColumn::parse).unwrap_or_default(),
        }
    }

    /// Writes the query that reproduces this view (defaults omitted).
    pub fn to_query(&self) -> String {
        let mut out = Vec::new();
        if self.period != Period::default() {
            out.push(("period", self.period.id().to_string()));
        }
        push_population(&mut out, self.population);
        if let Some(f) = self.feature {
            out.push(("feature", f.id().to_string()));
        }
        if let Some(s) = self.status {
            out.push(("status", s.id().to_string()));
        }
        if let Some(m) = &self.method {
            out.push(("method", m.id()));
        }
        if let Some(r) = &self.reason {
            out.push(("reason", r.clone()));
        }
        if let Some(n) = self.repeat {
            out.push(("repeat", n.to_string()));
        }
        if self.sms_only {
            out.push(("smsonly", "yes".to_string()));
        }
        if !self.search.is_empty() {
            out.push(("q", self.search.clone()));
        }
        if self.sort != Sort::default() {
            out.push(("sort", sort_id(self.sort.column.id(), self.sort.descending)));
        }
        to_query(&out)
    }
}

/// `/registrations?…` for a filter.
pub fn registrations_href(filter: &UserFilter) -> String {
    with_query("/registrations", filter.to_query())
}

/// `/activity?…` for a filter.
pub fn activity_href(filter: &EventFilter) -> String {
    with_query("/activity", filter.to_query())
}

fn with_query(path: &str, query: String) -> String {
    if query.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{query}")
    }
}
