//! The reference backend in process, on a free port: paging to the end, the filter, CORS, the
//! token check and every fault switch, read through the app's own protocol rules (`report_api`).

mod common;

use std::time::{Duration, Instant};

use common::{send, walk};
use sspr_backend::{default_data_dir, start, Config, Server, Switches, Tenant};
use sspr_insights::data::report_api::{
    ApiError, Collection, NextLinkError, TokenRefusal, AUDIT_SERVICES,
};
use sspr_insights::model::sample::SampleSpec;
use sspr_insights::model::time::{parse_time, Millis, DAY};

const TOKEN: &str = "dev-token";
const USERS: &str = "/beta/reports/authenticationMethods/userRegistrationDetails";
const EVENTS: &str = "/beta/reports/authenticationMethods/userEventsSummary";
const APP_ORIGIN: &str = "http://127.0.0.1:8080";

fn as_of() -> Millis {
    parse_time("2026-11-20T14:30:00Z").unwrap()
}

async fn serve_with(switches: Switches) -> Server {
    let tenant = Tenant::from_dir(&default_data_dir()).unwrap();
    start(
        tenant,
        Config {
            port: 0,
            switches,
            ..Config::default()
        },
    )
    .await
    .unwrap()
}

async fn serve() -> Server {
    serve_with(Switches::default()).await
}

fn base(server: &Server) -> String {
    format!("{}/beta", server.url())
}

fn auth() -> [(&'static str, &'static str); 1] {
    [("Authorization", "Bearer dev-token")]
}

/// The records of a sample file, read independently of the server.
fn sample_records(name: &str) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(default_data_dir().join(name)).unwrap();
    let page: serde_json::Value = serde_json::from_str(&text).unwrap();
    page["value"].as_array().unwrap().clone()
}

fn ids(records: &[serde_json::Value]) -> Vec<String> {
    let mut ids: Vec<String> = records
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

fn event_time(record: &serde_json::Value) -> Millis {
    parse_time(record["eventDateTime"].as_str().unwrap()).unwrap()
}

/// The headers of a control call from a script of the developer's (not a web page).
const CONTROL: [(&str, &str); 2] = [
    ("X-SSPR-Control", "1"),
    ("Content-Type", "application/json"),
];

async fn post_faults(server: &Server, json: &str) -> serde_json::Value {
    let reply = send(server.port(), "POST", "/_faults", &CONTROL, json).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    reply.json()
}

async fn request_log(server: &Server) -> serde_json::Value {
    send(server.port(), "GET", "/_requests", &[], "")
        .await
        .json()
}

fn jwt(payload: &str) -> String {
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
    format!(
        "{}.{}.bm90LWNoZWNrZWQtc2lnbmF0dXJl",
        b64(br#"{"alg":"RS256","typ":"JWT"}"#),
        b64(payload.as_bytes())
    )
}

#[tokio::test]
async fn paging_to_the_end_yields_every_user() {
    let server = serve().await;
    let (walked, result) = walk(
        server.port(),
        &base(&server),
        TOKEN,
        Collection::RegistrationDetails,
        as_of(),
    )
    .await;
    result.unwrap();
    let expected = ids(&sample_records("userRegistrationDetails.json"));
    assert_eq!(walked.pages.len(), expected.len().div_ceil(100));
    let mut got = walked.ids.clone();
    got.sort();
    assert_eq!(got, expected, "every user once, none twice");
    let read: usize = walked.pages.iter().map(|p| p.records).sum();
    assert_eq!(read, expected.len());
    assert!(walked.pages.iter().all(|p| p.is_clean()));
    assert!(walked.statuses.iter().all(|&s| s == 200));
}

#[tokio::test]
async fn paging_events_honours_the_thirty_day_filter() {
    let server = serve().await;
    let (walked, result) = walk(
        server.port(),
        &base(&server),
        TOKEN,
        Collection::EventsSummary,
        as_of(),
    )
    .await;
    result.unwrap();
    let since = as_of() - 30 * DAY;
    let records = sample_records("userEventsSummary.json");
    let in_window: Vec<serde_json::Value> = records
        .iter()
        .filter(|r| event_time(r) >= since)
        .cloned()
        .collect();
    assert!(in_window.len() > 1000 && in_window.len() < records.len());
    let mut got = walked.ids.clone();
    got.sort();
    assert_eq!(got, ids(&in_window));
    assert_eq!(walked.pages.len(), in_window.len().div_ceil(1000));
    assert!(walked.urls[0].contains("$filter=eventDateTime%20ge%202026-10-21T14%3A30%3A00Z"));
    assert!(walked.urls[0].contains("$top=1000"));
    let read: usize = walked.pages.iter().map(|p| p.records).sum();
    assert_eq!(read, in_window.len());
}

#[tokio::test]
async fn both_base_urls_work_and_next_links_keep_their_prefix() {
    let server = serve().await;
    for base in [server.url(), format!("{}/beta", server.url())] {
        let (walked, result) = walk(
            server.port(),
            &base,
            TOKEN,
            Collection::RegistrationDetails,
            as_of(),
        )
        .await;
        result.unwrap();
        assert_eq!(walked.ids.len(), 2000);
        assert!(walked.urls.iter().all(|u| u.starts_with(&base)), "{base}");
    }
    let reply = send(
        server.port(),
        "GET",
        "/reports/authenticationMethods/userRegistrationDetails",
        &auth(),
        "",
    )
    .await;
    let page = reply.json();
    let next = page["@odata.nextLink"].as_str().unwrap();
    assert!(next.starts_with(&format!(
        "{}/reports/authenticationMethods/userRegistrationDetails?$skiptoken=",
        server.url()
    )));
    assert_eq!(
        page["@odata.context"],
        format!(
            "{}/$metadata#reports/authenticationMethods/userRegistrationDetails",
            server.url()
        )
    );
}

#[tokio::test]
async fn filter_is_honoured_at_its_boundary() {
    let server = serve().await;
    let records = sample_records("userEventsSummary.json");
    let mut times: Vec<Millis> = records.iter().map(event_time).collect();
    times.sort();
    let pivot = times[times.len() - 1500];
    let pivot_text = sspr_insights::model::format_utc(pivot);
    for (op, expected) in [
        ("ge", times.iter().filter(|&&t| t >= pivot).count()),
        ("gt", times.iter().filter(|&&t| t > pivot).count()),
        ("lt", times.iter().filter(|&&t| t < pivot).count()),
    ] {
        let mut target = format!("{EVENTS}?$top=1000&$filter=eventDateTime%20{op}%20{pivot_text}");
        let mut count = 0;
        let mut pages = 0;
        loop {
            let page = send(server.port(), "GET", &target, &auth(), "")
                .await
                .json();
            for record in page["value"].as_array().unwrap() {
                let t = event_time(record);
                assert!(match op {
                    "ge" => t >= pivot,
                    "gt" => t > pivot,
                    _ => t < pivot,
                });
                count += 1;
            }
            pages += 1;
            match page["@odata.nextLink"].as_str() {
                Some(next) => target = next.to_string(),
                None => break,
            }
        }
        assert_eq!(count, expected, "{op}");
        assert_eq!(pages, expected.div_ceil(1000).max(1), "{op}");
    }
    let bad = send(
        server.port(),
        "GET",
        &format!("{EVENTS}?$filter=eventDateTime%20ge%20yesterday"),
        &auth(),
        "",
    )
    .await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json()["error"]["code"], "BadRequest");
}

#[tokio::test]
async fn top_is_honoured_and_capped_and_bad_queries_get_graph_errors() {
    let server = serve().await;
    let page = send(
        server.port(),
        "GET",
        &format!("{USERS}?$top=7"),
        &auth(),
        "",
    )
    .await
    .json();
    assert_eq!(page["value"].as_array().unwrap().len(), 7);
    let next = page["@odata.nextLink"].as_str().unwrap();
    let second = send(server.port(), "GET", next, &auth(), "").await.json();
    assert_eq!(
        second["value"].as_array().unwrap().len(),
        7,
        "$top travels in the skip token"
    );
    let capped = send(
        server.port(),
        "GET",
        &format!("{EVENTS}?$top=5000"),
        &auth(),
        "",
    )
    .await
    .json();
    assert_eq!(capped["value"].as_array().unwrap().len(), 1000);
    let default = send(server.port(), "GET", EVENTS, &auth(), "").await.json();
    assert_eq!(default["value"].as_array().unwrap().len(), 1000);
    for (target, what) in [
        (format!("{USERS}?$top=0"), "$top"),
        (format!("{USERS}?$top=many"), "$top"),
        (format!("{USERS}?$skiptoken=nonsense"), "$skiptoken"),
        (format!("{USERS}?$filter=isAdmin%20eq%20true"), "$filter"),
    ] {
        let reply = send(server.port(), "GET", &target, &auth(), "").await;
        assert_eq!(reply.status, 400, "{target}");
        let error = reply.json();
        assert_eq!(error["error"]["code"], "BadRequest");
        assert!(error["error"]["message"].as_str().unwrap().contains(what));
    }
}

#[tokio::test]
async fn cors_preflight_allows_the_apps_origin_and_headers() {
    let server = serve().await;
    let preflight = send(
        server.port(),
        "OPTIONS",
        EVENTS,
        &[
            ("Origin", APP_ORIGIN),
            ("Access-Control-Request-Method", "GET"),
            ("Access-Control-Request-Headers", "authorization,prefer"),
        ],
        "",
    )
    .await;
    assert_eq!(preflight.status, 204);
    assert_eq!(
        preflight.header("access-control-allow-origin"),
        Some(APP_ORIGIN)
    );
    let allowed = preflight
        .header("access-control-allow-headers")
        .unwrap()
        .to_ascii_lowercase();
    assert!(allowed.contains("authorization") && allowed.contains("prefer"));
    assert!(preflight
        .header("access-control-allow-methods")
        .unwrap()
        .contains("GET"));

    let other = send(
        server.port(),
        "OPTIONS",
        EVENTS,
        &[
            ("Origin", "http://evil.example"),
            ("Access-Control-Request-Method", "GET"),
        ],
        "",
    )
    .await;
    assert_eq!(other.header("access-control-allow-origin"), None);

    // Answers, errors included, carry the origin, and Retry-After is readable by script.
    post_faults(&server, r#"{"throttle":1}"#).await;
    let headers = [
        ("Origin", APP_ORIGIN),
        ("Authorization", "Bearer dev-token"),
    ];
    let throttled = send(server.port(), "GET", EVENTS, &headers, "").await;
    assert_eq!(throttled.status, 429);
    assert_eq!(
        throttled.header("access-control-allow-origin"),
        Some(APP_ORIGIN)
    );
    assert!(throttled
        .header("access-control-expose-headers")
        .unwrap()
        .contains("Retry-After"));
    let ok = send(server.port(), "GET", EVENTS, &headers, "").await;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.header("access-control-allow-origin"), Some(APP_ORIGIN));
    let unauthorized = send(server.port(), "GET", EVENTS, &[("Origin", APP_ORIGIN)], "").await;
    assert_eq!(unauthorized.status, 401);
    assert_eq!(
        unauthorized.header("access-control-allow-origin"),
        Some(APP_ORIGIN)
    );

    // Origins can be changed at run time, or opened to all.
    post_faults(
        &server,
        r#"{"allow_origins":"http://127.0.0.1:9999, http://x:1"}"#,
    )
    .await;
    let moved = send(server.port(), "GET", EVENTS, &headers, "").await;
    assert_eq!(moved.header("access-control-allow-origin"), None);
    post_faults(&server, r#"{"allow_origins":["*"]}"#).await;
    let any = send(server.port(), "GET", EVENTS, &headers, "").await;
    assert_eq!(any.header("access-control-allow-origin"), Some(APP_ORIGIN));
}

#[tokio::test]
async fn token_is_checked_with_graph_style_errors() {
    let server = serve_with(Switches {
        forbidden_token: Some("no-role-token".to_string()),
        ..Switches::default()
    })
    .await;
    let port = server.port();
    let missing = send(port, "GET", USERS, &[], "").await;
    assert_eq!(missing.status, 401);
    assert_eq!(
        missing.json()["error"]["code"],
        "InvalidAuthenticationToken"
    );
    assert!(missing
        .header("www-authenticate")
        .unwrap()
        .starts_with("Bearer"));
    let wrong = send(port, "GET", USERS, &[("Authorization", "Bearer nope")], "").await;
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.json()["error"]["code"], "InvalidAuthenticationToken");
    let denied = send(
        port,
        "GET",
        USERS,
        &[("Authorization", "Bearer no-role-token")],
        "",
    )
    .await;
    assert_eq!(denied.status, 403);
    assert_eq!(
        denied.json()["error"]["code"],
        "Authorization_RequestDenied"
    );
    let ok = send(port, "GET", USERS, &auth(), "").await;
    assert_eq!(ok.status, 200);

    // The client turns a refusal into the message about roles.
    let (_, result) = walk(
        port,
        &base(&server),
        "no-role-token",
        Collection::RegistrationDetails,
        as_of(),
    )
    .await;
    let error = result.unwrap_err();
    assert!(matches!(error, ApiError::Refused { status: 403, .. }));
    let message = error.user_message(Some("no-role-token"));
    assert!(message.contains("Reports Reader") && message.contains("Authorization_RequestDenied"));

    // The log says what became of each token, never the token itself.
    let log = request_log(&server).await;
    let states: Vec<&str> = log["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["token"].as_str().unwrap())
        .collect();
    assert_eq!(&states[..4], ["none", "wrong", "forbidden", "accepted"]);
    let text = log.to_string();
    assert!(
        !text.contains("dev-token") && !text.contains("no-role-token") && !text.contains("nope")
    );

    // Without a token.
    post_faults(&server, r#"{"token":""}"#).await;
    assert_eq!(send(port, "GET", USERS, &[], "").await.status, 200);
}

#[tokio::test]
async fn unsigned_jwts_are_judged_by_their_roles_when_allowed() {
    let server = serve_with(Switches {
        accept_unsigned_jwt: true,
        ..Switches::default()
    })
    .await;
    let port = server.port();
    let reader = jwt(r#"{"wids":["4a5d8f65-41da-4de4-8968-e035b65339cf"],"exp":4102444800}"#);
    let helpdesk = jwt(r#"{"wids":["729827e3-9c14-49f7-bb1b-9608f156bbb8"]}"#);
    let expired = jwt(r#"{"wids":["4a5d8f65-41da-4de4-8968-e035b65339cf"],"exp":1000}"#);
    let status = |token: String| async move {
        send(
            port,
            "GET",
            USERS,
            &[("Authorization", &format!("Bearer {token}"))],
            "",
        )
        .await
        .status
    };
    assert_eq!(status(reader.clone()).await, 200);
    assert_eq!(status(helpdesk.clone()).await, 403);
    assert_eq!(status(expired).await, 401);
    assert_eq!(status("dev-token".to_string()).await, 200);

    // The client stops a token without a reading role before sending anything.
    send(port, "DELETE", "/_requests", &[], "").await;
    let (walked, result) = walk(
        port,
        &base(&server),
        &helpdesk,
        Collection::RegistrationDetails,
        as_of(),
    )
    .await;
    assert_eq!(
        result.unwrap_err(),
        ApiError::Token(TokenRefusal::LacksRole)
    );
    assert!(walked.statuses.is_empty());
    assert_eq!(request_log(&server).await["total"], 0);
    let (walked, result) = walk(
        port,
        &base(&server),
        &reader,
        Collection::RegistrationDetails,
        as_of(),
    )
    .await;
    result.unwrap();
    assert_eq!(walked.ids.len(), 2000);
}

#[tokio::test]
async fn throttling_answers_429_with_retry_after_then_serves() {
    let server = serve_with(Switches {
        throttle: 2,
        ..Switches::default()
    })
    .await;
    let first = send(server.port(), "GET", USERS, &auth(), "").await;
    assert_eq!(first.status, 429);
    assert_eq!(first.header("retry-after"), Some("1"));
    assert_eq!(first.json()["error"]["code"], "TooManyRequests");
    let (walked, result) = walk(
        server.port(),
        &base(&server),
        TOKEN,
        Collection::RegistrationDetails,
        as_of(),
    )
    .await;
    result.unwrap();
    assert_eq!(&walked.statuses[..2], [429, 200]);
    assert_eq!(walked.ids.len(), 2000);

    // At run time, with no Retry-After.
    let switches = post_faults(&server, r#"{"throttle":1,"omit_retry_after":true}"#).await;
    assert_eq!(switches["throttle"], 1);
    let throttled = send(server.port(), "GET", USERS, &auth(), "").await;
    assert_eq!(throttled.status, 429);
    assert_eq!(throttled.header("retry-after"), None);
    assert_eq!(
        send(server.port(), "GET", USERS, &auth(), "").await.status,
        200
    );
}

#[tokio::test]
async fn unavailable_six_times_stops_the_client_with_a_clear_error() {
    let server = serve_with(Switches {
        unavailable: 6,
        ..Switches::default()
    })
    .await;
    let (walked, result) = walk(
        server.port(),
        &base(&server),
        TOKEN,
        Collection::EventsSummary,
        as_of(),
    )
    .await;
    assert_eq!(walked.statuses, vec![503; 6]);
    let error = result.unwrap_err();
    assert!(matches!(
        error,
        ApiError::StillBusy {
            status: 503,
            retries: 5,
            ..
        }
    ));
    assert!(error.to_string().contains("serviceNotAvailable"));
    // The switch is used up: the next request is served.
    assert_eq!(
        send(server.port(), "GET", EVENTS, &auth(), "").await.status,
        200
    );
}

#[tokio::test]
async fn slow_pages_take_their_time() {
    let server = serve().await;
    post_faults(&server, r#"{"slow_ms":400}"#).await;
    let started = Instant::now();
    let reply = send(server.port(), "GET", USERS, &auth(), "").await;
    assert_eq!(reply.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(400));
    post_faults(&server, r#"{"slow_ms":0}"#).await;
    let started = Instant::now();
    send(server.port(), "GET", USERS, &auth(), "").await;
    assert!(started.elapsed() < Duration::from_millis(400));
}

#[tokio::test]
async fn a_truncated_page_is_cut_and_the_client_says_where() {
    let server = serve().await;
    // The second page is cut: the first is read, then the walk stops.
    post_faults(&server, r#"{"truncate":1}"#).await;
    let cut = send(server.port(), "GET", USERS, &auth(), "").await;
    assert_eq!(cut.status, 200);
    assert!(serde_json::from_slice::<serde_json::Value>(&cut.body).is_err());
    post_faults(&server, r#"{"truncate":1}"#).await;
    let (walked, result) = walk(
        server.port(),
        &base(&server),
        TOKEN,
        Collection::RegistrationDetails,
        as_of(),
    )
    .await;
    assert!(walked.pages.is_empty());
    let error = result.unwrap_err();
    let message = error.to_string();
    assert!(
        message.starts_with(
            "Page 1 of userRegistrationDetails from the report backend could not be read: \
             userRegistrationDetails page 1, line"
        ),
        "{message}"
    );
    // Used up: a new walk reads everything.
    let (walked, result) = walk(
        server.port(),
        &base(&server),
        TOKEN,
        Collection::RegistrationDetails,
        as_of(),
    )
    .await;
    result.unwrap();
    assert_eq!(walked.ids.len(), 2000);
}

#[tokio::test]
async fn a_foreign_next_link_is_refused_and_never_followed() {
    let server = serve_with(Switches {
        foreign_next_link: true,
        ..Switches::default()
    })
    .await;
    let page = send(server.port(), "GET", USERS, &auth(), "").await.json();
    let link = page["@odata.nextLink"].as_str().unwrap();
    assert!(
        link.starts_with(&format!("http://localhost:{}/beta/", server.port())),
        "{link}"
    );
    send(server.port(), "DELETE", "/_requests", &[], "").await;
    let (walked, result) = walk(
        server.port(),
        &base(&server),
        TOKEN,
        Collection::RegistrationDetails,
        as_of(),
    )
    .await;
    // The first page came; its link was refused, so the walk failed as a whole.
    assert_eq!(walked.statuses, vec![200]);
    assert!(walked.pages.is_empty());
    let error = result.unwrap_err();
    assert_eq!(
        error,
        ApiError::NextLink(NextLinkError::Foreign {
            link_origin: format!("http://localhost:{}", server.port()),
            base_origin: server.url(),
        })
    );
    assert!(!error.user_message(Some(TOKEN)).contains(TOKEN));
    let log = request_log(&server).await;
    assert_eq!(log["total"], 1);
    assert_eq!(
        log["requests"][0]["host"],
        format!("127.0.0.1:{}", server.port())
    );
    // Through localhost, the foreign origin is 127.0.0.1.
    let via_localhost = send(
        server.port(),
        "GET",
        &format!("http://localhost:{}{USERS}", server.port()),
        &auth(),
        "",
    )
    .await
    .json();
    assert!(via_localhost["@odata.nextLink"]
        .as_str()
        .unwrap()
        .starts_with(&format!("http://127.0.0.1:{}/", server.port())));
}

#[tokio::test]
async fn the_forbidden_switch_answers_403() {
    let server = serve().await;
    post_faults(&server, r#"{"forbidden":true}"#).await;
    let reply = send(server.port(), "GET", EVENTS, &auth(), "").await;
    assert_eq!(reply.status, 403);
    assert_eq!(reply.json()["error"]["code"], "Authorization_RequestDenied");
}

#[tokio::test]
async fn paging_the_audit_log_keeps_thirty_days_of_the_two_services() {
    let server = serve().await;
    let (walked, result) = walk(
        server.port(),
        &base(&server),
        TOKEN,
        Collection::DirectoryAudits,
        as_of(),
    )
    .await;
    result.unwrap();
    let since = as_of() - 30 * DAY;
    let records = sample_records("directoryAudits.json");
    let kept: Vec<serde_json::Value> = records
        .iter()
        .filter(|r| {
            let time = parse_time(r["activityDateTime"].as_str().unwrap()).unwrap();
            let service = r["loggedByService"].as_str().unwrap();
            time >= since
                && AUDIT_SERVICES
                    .iter()
                    .any(|s| s.eq_ignore_ascii_case(service))
        })
        .cloned()
        .collect();
    assert!(
        kept.len() > 1000 && kept.len() < records.len(),
        "the sample has rows of other services: {} of {}",
        kept.len(),
        records.len()
    );
    let mut got = walked.ids.clone();
    got.sort();
    assert_eq!(got, ids(&kept));
    assert_eq!(walked.pages.len(), kept.len().div_ceil(1000));
    assert!(
        walked.urls[0].contains("/beta/auditLogs/directoryAudits?$filter=activityDateTime%20ge%20")
    );
    let read: usize = walked.pages.iter().map(|p| p.records).sum();
    assert_eq!(read, kept.len());
}

#[tokio::test]
async fn the_forbidden_audit_switch_refuses_only_the_audit_log() {
    let server = serve().await;
    post_faults(&server, r#"{"forbidden_audit":true}"#).await;
    let reply = send(server.port(), "GET", EVENTS, &auth(), "").await;
    assert_eq!(reply.status, 200);
    let (_, result) = walk(
        server.port(),
        &base(&server),
        TOKEN,
        Collection::DirectoryAudits,
        as_of(),
    )
    .await;
    let error = result.unwrap_err();
    assert!(
        matches!(error, ApiError::AuditRefused { status: 403, .. }),
        "{error:?}"
    );
    assert!(error
        .user_message(Some(TOKEN))
        .contains("AuditLog.Read.All"));
}

#[tokio::test]
async fn the_control_endpoint_reads_changes_and_resets_the_switches() {
    let server = serve_with(Switches {
        throttle: 3,
        ..Switches::default()
    })
    .await;
    let port = server.port();
    let read = send(port, "GET", "/_faults", &CONTROL[..1], "")
        .await
        .json();
    assert_eq!(read["throttle"], 3);
    assert_eq!(read["token_required"], true);
    let changed = post_faults(
        &server,
        r#"{"throttle":0,"unavailable":2,"retry_after":3,"slow_ms":10,"truncate":1,"foreign_next_link":true}"#,
    )
    .await;
    assert_eq!(changed["unavailable"], 2);
    assert_eq!(changed["retry_after"], 3);
    assert_eq!(changed["foreign_next_link"], true);
    let reply = send(port, "GET", USERS, &auth(), "").await;
    assert_eq!(
        (reply.status, reply.header("retry-after")),
        (503, Some("3"))
    );
    let reset = send(port, "DELETE", "/_faults", &CONTROL[..1], "")
        .await
        .json();
    assert_eq!(reset, read, "back to the switches at start");
    for bad in [r#"{"throtle":1}"#, r#"{"throttle":"many"}"#, "not json", ""] {
        let reply = send(port, "POST", "/_faults", &CONTROL, bad).await;
        assert_eq!(reply.status, 400, "{bad}");
    }
    let query = send(port, "POST", "/_faults?throttle=1", &CONTROL, "{}").await;
    assert_eq!(query.status, 400);
    assert_eq!(query.json()["error"]["code"], "BadRequest");
    let log = request_log(&server).await;
    assert_eq!(log["total"], 1, "control calls are not logged");
    assert_eq!(
        send(port, "DELETE", "/_requests", &[], "").await.status,
        204
    );
    assert_eq!(request_log(&server).await["total"], 0);
    assert_eq!(send(port, "GET", "/_health", &[], "").await.text(), "ok");
    let missing = send(port, "GET", "/beta/users", &auth(), "").await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.json()["error"]["code"], "ResourceNotFound");
}

#[tokio::test]
async fn a_generated_tenant_of_any_size_is_served() {
    let spec = SampleSpec {
        users: 250,
        events: 2_500,
        days: 40,
        ..SampleSpec::bundled()
    };
    let tenant = Tenant::generated(&spec).unwrap();
    let server = start(
        tenant,
        Config {
            port: 0,
            users_page_size: 64,
            ..Config::default()
        },
    )
    .await
    .unwrap();
    let (users, result) = walk(
        server.port(),
        &server.url(),
        TOKEN,
        Collection::RegistrationDetails,
        spec.as_of,
    )
    .await;
    result.unwrap();
    assert_eq!((users.ids.len(), users.pages.len()), (250, 4));
    let (events, result) = walk(
        server.port(),
        &server.url(),
        TOKEN,
        Collection::EventsSummary,
        spec.as_of,
    )
    .await;
    result.unwrap();
    // 30 of the 40 days are asked for.
    assert!(
        events.ids.len() > 1_500 && events.ids.len() < 2_500,
        "{}",
        events.ids.len()
    );
    assert_eq!(events.pages.len(), events.ids.len().div_ceil(1000));
}

#[tokio::test]
async fn a_cross_site_form_cannot_switch_the_token_check_off_or_open_cors() {
    // Issue 10, row 14: any page could post `token=&allow_origins=*` as a form (a simple
    // request, no preflight) and switch the token check off.
    let server = serve().await;
    let port = server.port();
    let form = [
        ("Origin", "http://evil.example"),
        ("Content-Type", "application/x-www-form-urlencoded"),
    ];
    let attempts = [
        ("/_faults?token=&allow_origins=*", &form[..], ""),
        ("/_faults", &form[..], "token=&allow_origins=*"),
        (
            "/_faults",
            &form[..1],
            r#"{"token":"","allow_origins":"*"}"#,
        ),
        (
            "/_faults",
            &[("Content-Type", "text/plain")][..],
            r#"{"token":"","allow_origins":"*"}"#,
        ),
    ];
    for (target, headers, body) in attempts {
        let reply = send(port, "POST", target, headers, body).await;
        assert_eq!(reply.status, 403, "{target} {body}");
        assert_eq!(reply.json()["error"]["code"], "ControlHeaderMissing");
        assert_eq!(reply.header("access-control-allow-origin"), None);
    }
    // With the header, a form body is still refused: switches come only as JSON.
    let form_with_header = [("X-SSPR-Control", "1"), form[1]];
    let reply = send(port, "POST", "/_faults", &form_with_header, "token=").await;
    assert_eq!(reply.status, 415);
    // Nothing changed: the token is still needed, and the page's origin is not allowed.
    let unauthorized = send(port, "GET", USERS, &[("Origin", "http://evil.example")], "").await;
    assert_eq!(unauthorized.status, 401);
    assert_eq!(unauthorized.header("access-control-allow-origin"), None);
    // A preflight for the control endpoint is never granted, whatever origins are allowed.
    post_faults(&server, r#"{"allow_origins":"*"}"#).await;
    let preflight = send(
        port,
        "OPTIONS",
        "/_faults",
        &[
            ("Origin", "http://evil.example"),
            ("Access-Control-Request-Method", "POST"),
            (
                "Access-Control-Request-Headers",
                "x-sspr-control,content-type",
            ),
        ],
        "",
    )
    .await;
    assert_eq!(preflight.header("access-control-allow-origin"), None);
    assert_eq!(preflight.header("access-control-allow-headers"), None);
    let read = send(
        port,
        "GET",
        "/_faults",
        &[("Origin", "http://evil.example"), CONTROL[0]],
        "",
    )
    .await;
    assert_eq!(read.status, 200);
    assert_eq!(read.header("access-control-allow-origin"), None);
}

#[tokio::test]
async fn the_control_endpoints_refuse_a_foreign_host() {
    // Issue 10, row 14: no Host check let a page on a rebound name (evil.example resolving to
    // 127.0.0.1) call the control endpoints as its own origin.
    let server = serve().await;
    let port = server.port();
    for path in ["/_faults", "/_requests"] {
        let target = format!("http://evil.example:{port}{path}");
        let reply = send(port, "GET", &target, &CONTROL[..1], "").await;
        assert_eq!(reply.status, 403, "{path}");
        assert_eq!(reply.json()["error"]["code"], "ForeignHost");
        let reply = send(port, "DELETE", &target, &CONTROL[..1], "").await;
        assert_eq!(reply.status, 403, "{path}");
    }
    let rebound = format!("http://evil.example:{port}/_faults");
    let reply = send(port, "POST", &rebound, &CONTROL, r#"{"token":""}"#).await;
    assert_eq!(reply.status, 403);
    assert_eq!(send(port, "GET", USERS, &[], "").await.status, 401);
    for host in ["127.0.0.1", "localhost", "[::1]"] {
        let target = format!("http://{host}:{port}/_faults");
        let reply = send(port, "GET", &target, &CONTROL[..1], "").await;
        assert_eq!(reply.status, 200, "{host}");
    }
}

#[tokio::test]
async fn the_control_endpoint_never_shows_the_token() {
    // Issue 10, row 14: `GET /_faults` showed the token.
    let server = serve_with(Switches {
        forbidden_token: Some("no-role-token".to_string()),
        ..Switches::default()
    })
    .await;
    let port = server.port();
    let read = send(port, "GET", "/_faults", &CONTROL[..1], "").await;
    assert_eq!(read.status, 200);
    let text = read.text();
    assert!(
        !text.contains(TOKEN) && !text.contains("no-role-token"),
        "{text}"
    );
    assert_eq!(read.json()["token_required"], true);
    assert_eq!(read.json()["forbidden_token_set"], true);
    let changed = post_faults(&server, r#"{"token":"another-secret"}"#).await;
    assert!(!changed.to_string().contains("another-secret"), "{changed}");
    assert_eq!(changed["token_required"], true);
    let reset = send(port, "DELETE", "/_faults", &CONTROL[..1], "").await;
    assert!(!reset.text().contains(TOKEN));
    let none = post_faults(&server, r#"{"token":""}"#).await;
    assert_eq!(none["token_required"], false);
}
