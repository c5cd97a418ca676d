//! Graph-style paging over a list: `$top`, `$filter=eventDateTime ge …` (for the audit log
//! `activityDateTime ge … and (loggedByService eq '…' or …)`), an opaque `$skiptoken` in
//! `@odata.nextLink`, and the page body. No HTTP here: the server asks and sends.

use sspr_insights::data::report_api::{Collection, AUDIT_SERVICES};
use sspr_insights::model::time::{parse_time, Millis};

use crate::tenant::Records;

/// The largest `$top` (Graph's maximum for `userEventsSummary`).
pub const MAX_TOP: usize = 1000;

/// A comparison of a record's time with a time, and for the audit log the services kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Filter {
    op: Op,
    at: Millis,
    /// Bit `i`: rows of `AUDIT_SERVICES[i]` are kept; 0: rows of any service.
    services: u8,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Ge,
    Gt,
    Le,
    Lt,
}

impl Filter {
    /// `eventDateTime ge 2026-10-21T14:30:00Z` (also `gt`, `le`, `lt`; the time may be quoted).
    pub fn parse(text: &str) -> Result<Filter, String> {
        Filter::parse_time("eventDateTime", text)
    }

    /// The audit log's filter: `activityDateTime ge <time>`, optionally followed by
    /// `and (loggedByService eq '<service>' or …)` over the services of [`AUDIT_SERVICES`]
    /// (compared case-insensitively).
    pub fn parse_audit(text: &str) -> Result<Filter, String> {
        let lower = text.to_ascii_lowercase();
        let Some(and) = lower.find(" and ") else {
            return Filter::parse_time("activityDateTime", text);
        };
        let mut filter = Filter::parse_time("activityDateTime", &text[..and])?;
        let unsupported = || {
            format!(
                "Unsupported $filter '{text}': after 'and' this backend understands only \
                 (loggedByService eq '<service>' or …) with the services {}.",
                AUDIT_SERVICES.join(", ")
            )
        };
        let rest = text[and + 5..].trim();
        let inner = rest
            .strip_prefix('(')
            .and_then(|r| r.strip_suffix(')'))
            .unwrap_or(rest);
        for clause in split_or(inner) {
            let (field, value) = clause.split_once(" eq ").ok_or_else(unsupported)?;
            let value = value.trim();
            let name = value
                .strip_prefix('\'')
                .and_then(|v| v.strip_suffix('\''))
                .ok_or_else(unsupported)?;
            let known = AUDIT_SERVICES
                .iter()
                .position(|s| s.eq_ignore_ascii_case(name));
            match known {
                Some(i) if field.trim().eq_ignore_ascii_case("loggedByService") => {
                    filter.services |= 1 << i
                }
                _ => return Err(unsupported()),
            }
        }
        Ok(filter)
    }

    fn parse_time(field_name: &str, text: &str) -> Result<Filter, String> {
        let unsupported = || {
            format!(
                "Unsupported $filter '{text}': this backend understands only \
                 '{field_name} ge <ISO 8601 time>' (or gt, le, lt)."
            )
        };
        let parts: Vec<&str> = text.split_whitespace().collect();
        let [field, op, value] = parts.as_slice() else {
            return Err(unsupported());
        };
        if !field.eq_ignore_ascii_case(field_name) {
            return Err(unsupported());
        }
        let op = match op.to_ascii_lowercase().as_str() {
            "ge" => Op::Ge,
            "gt" => Op::Gt,
            "le" => Op::Le,
            "lt" => Op::Lt,
            _ => return Err(unsupported()),
        };
        let value = value.trim_matches('\'');
        let at = parse_time(value)
            .ok_or_else(|| format!("The time '{value}' in $filter is not an ISO 8601 time."))?;
        Ok(Filter {
            op,
            at,
            services: 0,
        })
    }

    /// Whether a record at `time` of `service` passes.
    pub fn admits(&self, time: Option<Millis>, service: Option<&str>) -> bool {
        let service_kept = self.services == 0
            || service.is_some_and(|s| {
                AUDIT_SERVICES
                    .iter()
                    .enumerate()
                    .any(|(i, name)| self.services & (1 << i) != 0 && name.eq_ignore_ascii_case(s))
            });
        service_kept && self.matches(time)
    }

    /// Whether an event at `time` passes; an event without a time never does.
    pub fn matches(&self, time: Option<Millis>) -> bool {
        let Some(t) = time else {
            return false;
        };
        match self.op {
            Op::Ge => t >= self.at,
            Op::Gt => t > self.at,
            Op::Le => t <= self.at,
            Op::Lt => t < self.at,
        }
    }

    fn code(&self) -> char {
        match self.op {
            Op::Ge => 'g',
            Op::Gt => 'G',
            Op::Le => 'l',
            Op::Lt => 'L',
        }
    }
}

/// Where a page starts, how long it is, and what it keeps: all a `$skiptoken` carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    /// Index in the list where the scan for this page starts.
    pub position: usize,
    pub top: usize,
    pub filter: Option<Filter>,
}

impl Cursor {
    /// The cursor a request asks for: its `$skiptoken` when it has one (which carries `$top` and
    /// `$filter` too), else `$top` (default `default_top`, at most [`MAX_TOP`]) and `$filter`.
    pub fn from_query(
        params: &[(String, String)],
        collection: Collection,
        default_top: usize,
    ) -> Result<Cursor, String> {
        let last = |key: &str| {
            params
                .iter()
                .rev()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v.as_str())
        };
        if let Some(token) = last("$skiptoken") {
            return Cursor::from_skiptoken(token).ok_or_else(|| {
                "The $skiptoken is not valid: follow @odata.nextLink as it is.".to_string()
            });
        }
        let top = match last("$top") {
            None => default_top,
            Some(text) => match text.trim().parse::<usize>() {
                Ok(n) if n > 0 => n.min(MAX_TOP),
                _ => {
                    return Err(format!(
                        "Invalid $top '{text}': a whole number from 1 to {MAX_TOP}."
                    ))
                }
            },
        };
        let filter = match (last("$filter"), collection) {
            (None, _) => None,
            (Some(text), Collection::EventsSummary) => Some(Filter::parse(text)?),
            (Some(text), Collection::DirectoryAudits) => Some(Filter::parse_audit(text)?),
            (Some(_), users) => {
                return Err(format!(
                    "This backend supports no $filter on {}.",
                    users.name()
                ))
            }
        };
        Ok(Cursor {
            position: 0,
            top,
            filter,
        })
    }

    /// Opaque to clients: hex of `position.top.filter`.
    pub fn to_skiptoken(self) -> String {
        let filter = match self.filter {
            Some(f) if f.services != 0 => format!("{}{}s{}", f.code(), f.at, f.services),
            Some(f) => format!("{}{}", f.code(), f.at),
            None => "-".to_string(),
        };
        let plain = format!("{}.{}.{filter}", self.position, self.top);
        plain.bytes().map(|b| format!("{b:02x}")).collect()
    }

    pub fn from_skiptoken(token: &str) -> Option<Cursor> {
        if !token.len().is_multiple_of(2) || !token.is_ascii() {
            return None;
        }
        let bytes: Option<Vec<u8>> = (0..token.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&token[i..i + 2], 16).ok())
            .collect();
        let plain = String::from_utf8(bytes?).ok()?;
        let mut parts = plain.splitn(3, '.');
        let position = parts.next()?.parse().ok()?;
        let top: usize = parts.next()?.parse().ok()?;
        let filter = match parts.next()? {
            "-" => None,
            f => {
                let op = match f.chars().next()? {
                    'g' => Op::Ge,
                    'G' => Op::Gt,
                    'l' => Op::Le,
                    'L' => Op::Lt,
                    _ => return None,
                };
                let (at, services) = match f[1..].split_once('s') {
                    Some((at, services)) => (at, services.parse().ok()?),
                    None => (&f[1..], 0),
                };
                Some(Filter {
                    op,
                    at: at.parse().ok()?,
                    services,
                })
            }
        };
        (1..=MAX_TOP).contains(&top).then_some(Cursor {
            position,
            top,
            filter,
        })
    }
}

/// The records of one page and where the next page starts (`None`: this is the last).
#[derive(Debug, PartialEq, Eq)]
pub struct Selection {
    pub indices: Vec<usize>,
    pub next: Option<usize>,
}

/// Picks up to `top` records passing the filter from `position` on, and looks ahead for the next
/// one, so that the last page has no next link (and no page is empty unless all are).
pub fn select(records: &Records, cursor: &Cursor) -> Selection {
    let passes = |i: usize| {
        cursor
            .filter
            .is_none_or(|f| f.admits(records.time(i), records.service(i)))
    };
    let mut indices = Vec::with_capacity(cursor.top.min(records.len()));
    let mut i = cursor.position;
    while i < records.len() && indices.len() < cursor.top {
        if passes(i) {
            indices.push(i);
        }
        i += 1;
    }
    while i < records.len() && !passes(i) {
        i += 1;
    }
    Selection {
        indices,
        next: (i < records.len()).then_some(i),
    }
}

/// The clauses of `a or b or c` (the word compared case-insensitively).
fn split_or(text: &str) -> Vec<&str> {
    let lower = text.to_ascii_lowercase();
    let mut clauses = Vec::new();
    let mut start = 0;
    while let Some(at) = lower[start..].find(" or ") {
        clauses.push(text[start..start + at].trim());
        start += at + 4;
    }
    clauses.push(text[start..].trim());
    clauses
}

/// A Graph response page: `@odata.context`, `@odata.nextLink` (before `value`, as Graph writes
/// it), and the records verbatim, one a line.
pub fn render(
    context: &str,
    next_link: Option<&str>,
    records: &Records,
    indices: &[usize],
) -> String {
    let size: usize = indices.iter().map(|&i| records.get(i).len() + 2).sum();
    let mut out = String::with_capacity(size + 512);
    out.push_str("{\"@odata.context\":");
    out.push_str(&json_string(context));
    if let Some(link) = next_link {
        out.push_str(",\"@odata.nextLink\":");
        out.push_str(&json_string(link));
    }
    out.push_str(",\"value\":[");
    for (n, &i) in indices.iter().enumerate() {
        out.push_str(if n == 0 { "\n" } else { ",\n" });
        out.push_str(records.get(i));
    }
    out.push_str("\n]}");
    out
}

fn json_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(times: &[&str]) -> Records {
        let items: Vec<String> = times
            .iter()
            .enumerate()
            .map(|(i, t)| format!(r#"{{"id":"{i}","eventDateTime":"{t}"}}"#))
            .collect();
        Records::from_page("t", format!("{{\"value\":[{}]}}", items.join(",")), true).unwrap()
    }

    fn query(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn skiptokens_round_trip_and_bad_ones_are_refused() {
        let cursor = Cursor {
            position: 1234,
            top: 1000,
            filter: Some(Filter::parse("eventDateTime gt '2026-01-01T00:00:00Z'").unwrap()),
        };
        assert_eq!(Cursor::from_skiptoken(&cursor.to_skiptoken()), Some(cursor));
        let plain = Cursor {
            filter: None,
            ..cursor
        };
        assert_eq!(Cursor::from_skiptoken(&plain.to_skiptoken()), Some(plain));
        for bad in ["", "zz", "123", "é1", "31", "302e302e2d"] {
            assert_eq!(Cursor::from_skiptoken(bad), None, "{bad}");
        }
    }

    #[test]
    fn query_gives_top_and_filter() {
        let c = Cursor::from_query(&query(&[("$top", "5000")]), Collection::EventsSummary, 1000)
            .unwrap();
        assert_eq!(c.top, MAX_TOP);
        let c = Cursor::from_query(&[], Collection::RegistrationDetails, 100).unwrap();
        assert_eq!((c.top, c.filter), (100, None));
        assert!(Cursor::from_query(
            &query(&[("$top", "0")]),
            Collection::RegistrationDetails,
            100
        )
        .is_err());
        assert!(Cursor::from_query(
            &query(&[("$top", "x")]),
            Collection::RegistrationDetails,
            100
        )
        .is_err());
        assert!(Cursor::from_query(
            &query(&[("$filter", "isAdmin eq true")]),
            Collection::RegistrationDetails,
            100
        )
        .is_err());
        assert!(Cursor::from_query(
            &query(&[("$filter", "eventDateTime ge yesterday")]),
            Collection::EventsSummary,
            100
        )
        .is_err());
        assert!(Cursor::from_query(
            &query(&[("$filter", "feature eq 'reset'")]),
            Collection::EventsSummary,
            100
        )
        .is_err());
    }

    #[test]
    fn pages_hold_top_matches_and_the_last_has_no_next() {
        let records = events(&[
            "2026-01-01T00:00:00Z",
            "2026-01-03T00:00:00Z",
            "2026-01-02T00:00:00Z",
            "2026-01-05T00:00:00Z",
            "bad",
            "2025-12-31T00:00:00Z",
        ]);
        let filter = Some(Filter::parse("eventDateTime ge 2026-01-02T00:00:00Z").unwrap());
        let first = select(
            &records,
            &Cursor {
                position: 0,
                top: 2,
                filter,
            },
        );
        assert_eq!(first.indices, vec![1, 2]);
        assert_eq!(first.next, Some(3));
        let second = select(
            &records,
            &Cursor {
                position: 3,
                top: 2,
                filter,
            },
        );
        assert_eq!(
            second,
            Selection {
                indices: vec![3],
                next: None
            }
        );
        let all = select(
            &records,
            &Cursor {
                position: 0,
                top: 6,
                filter: None,
            },
        );
        assert_eq!((all.indices.len(), all.next), (6, None));
    }

    #[test]
    fn the_audit_filter_keeps_its_time_and_services_across_pages() {
        let rows: Vec<String> = [
            ("2026-01-03T00:00:00Z", "Self-service Password Management"),
            ("2026-01-03T00:00:00Z", "Core Directory"),
            ("2026-01-01T00:00:00Z", "Authentication Methods"),
            ("2026-01-04T00:00:00Z", "authentication methods"),
        ]
        .iter()
        .map(|(t, s)| format!(r#"{{"activityDateTime":"{t}","loggedByService":"{s}"}}"#))
        .collect();
        let records = Records::from_page("a", format!("[{}]", rows.join(",")), true).unwrap();
        // What the app sends (spec §4.3), as the server receives it decoded.
        let text = "activityDateTime ge 2026-01-02T00:00:00Z and (loggedByService eq \
                    'Self-service Password Management' or loggedByService eq 'Authentication Methods')";
        let cursor = Cursor::from_query(
            &query(&[("$filter", text)]),
            Collection::DirectoryAudits,
            MAX_TOP,
        )
        .unwrap();
        assert_eq!(select(&records, &cursor).indices, vec![0, 3]);
        let token = Cursor {
            position: 1,
            top: 1,
            ..cursor
        }
        .to_skiptoken();
        let next = Cursor::from_skiptoken(&token).unwrap();
        assert_eq!(next.filter, cursor.filter);
        assert_eq!(select(&records, &next).indices, vec![3]);
        // The time alone, and what it does not understand.
        let time_only = Filter::parse_audit("activityDateTime ge 2026-01-02T00:00:00Z").unwrap();
        assert!(time_only.admits(parse_time("2026-01-03T00:00:00Z"), Some("Core Directory")));
        for bad in [
            "eventDateTime ge 2026-01-02T00:00:00Z",
            "activityDateTime ge 2026-01-02T00:00:00Z and (loggedByService eq 'Core Directory')",
            "activityDateTime ge 2026-01-02T00:00:00Z and (result eq 'failure')",
        ] {
            assert!(Filter::parse_audit(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn rendered_pages_are_graph_pages() {
        let records = events(&["2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"]);
        let body = render("ctx", Some("http://h/n?$skiptoken=ab"), &records, &[0, 1]);
        let page: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(page["@odata.nextLink"], "http://h/n?$skiptoken=ab");
        assert_eq!(page["value"].as_array().unwrap().len(), 2);
        let empty: serde_json::Value =
            serde_json::from_str(&render("ctx", None, &records, &[])).unwrap();
        assert_eq!(empty["value"].as_array().unwrap().len(), 0);
        assert!(empty.get("@odata.nextLink").is_none());
    }
}
