//! A minimal HTTP/1.1 client for the backend tests (one request per connection, bounded in time),
//! and a driver that runs the app's own page walk (`report_api`) against the server.

#![allow(dead_code)]

use std::time::Duration;

use sspr_insights::data::report_api::{prepare, ApiError, Collection, PageWalk, Step};
use sspr_insights::model::time::Millis;
use sspr_insights::model::FileImport;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Every request gives up after this long.
const TIMEOUT: Duration = Duration::from_secs(20);

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body[..self.body.len().min(300)])
            )
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends one request to 127.0.0.1:`port`. `target` is a path with query, or an absolute
/// `http://host:port/…` address whose host goes into the `Host` header (the connection always
/// goes to 127.0.0.1:`port`).
pub async fn send(
    port: u16,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Reply {
    let (host, path) = match target.strip_prefix("http://") {
        Some(rest) => match rest.find('/') {
            Some(i) => (rest[..i].to_string(), rest[i..].to_string()),
            None => (rest.to_string(), "/".to_string()),
        },
        None => (format!("127.0.0.1:{port}"), target.to_string()),
    };
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    if !body.is_empty() || method == "POST" {
        request.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    request.push_str("\r\n");
    request.push_str(body);
    let exchange = async {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).await?;
        stream.write_all(request.as_bytes()).await?;
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await?;
        Ok::<_, std::io::Error>(raw)
    };
    let raw = tokio::time::timeout(TIMEOUT, exchange)
        .await
        .expect("the backend answers in time")
        .expect("the backend answers");
    parse_reply(&raw)
}

fn parse_reply(raw: &[u8]) -> Reply {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete HTTP head");
    let head = String::from_utf8_lossy(&raw[..split]);
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers.iter().any(|(n, v)| {
        n.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
    });
    if chunked {
        body = dechunk(&body);
    }
    Reply {
        status,
        headers,
        body,
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = data.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(
            String::from_utf8_lossy(&data[..eol])
                .split(';')
                .next()
                .unwrap_or("0")
                .trim(),
            16,
        )
        .unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = eol + 2;
        out.extend_from_slice(&data[start..(start + size).min(data.len())]);
        data = &data[(start + size + 2).min(data.len())..];
    }
    out
}

/// What a walk over one collection brought: the pages read, every request's status, the ids.
pub struct Walked {
    pub pages: Vec<FileImport>,
    pub statuses: Vec<u16>,
    pub ids: Vec<String>,
    pub urls: Vec<String>,
}

/// Runs the app's page walk against the server at `port`: the same rules the browser client uses
/// (headers, next links, retries — without actually waiting), recording what happened.
pub async fn walk(
    port: u16,
    base: &str,
    token: &str,
    collection: Collection,
    as_of: Millis,
) -> (Walked, Result<(), ApiError>) {
    let mut walked = Walked {
        pages: Vec::new(),
        statuses: Vec::new(),
        ids: Vec::new(),
        urls: Vec::new(),
    };
    let plan = match prepare(base, token, as_of) {
        Ok(plan) => plan,
        Err(e) => return (walked, Err(e)),
    };
    let headers = plan.headers();
    let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let mut walk = PageWalk::new(&plan.base, collection, as_of);
    let mut requests = 0;
    while let Some(url) = walk.url().map(str::to_string) {
        requests += 1;
        assert!(requests < 10_000, "the walk ends");
        let reply = send(port, "GET", &url, &headers, "").await;
        walked.statuses.push(reply.status);
        walked.urls.push(url);
        if reply.status == 200 {
            if let Ok(page) = serde_json::from_slice::<serde_json::Value>(&reply.body) {
                for record in page["value"].as_array().into_iter().flatten() {
                    walked
                        .ids
                        .push(record["id"].as_str().unwrap_or("").to_string());
                }
            }
        }
        match walk.on_response(
            reply.status,
            reply.header("retry-after"),
            &reply.body,
            as_of,
        ) {
            Step::Page(page) => walked.pages.push(*page),
            Step::Retry { after_ms } => assert!(after_ms <= 60_000),
            Step::Failed(error) => return (walked, Err(error)),
        }
    }
    (walked, Ok(()))
}
