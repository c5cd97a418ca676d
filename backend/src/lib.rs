//! The local reference report backend: the Graph reports subset of spec §6 (and the audit log,
//! `auditLogs/directoryAudits`, of §4.3) over a sample or generated tenant, with CORS, a bearer-token check and fault switches. Loopback only; not Graph.
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! use sspr_backend::{start, Config, Tenant};
//! let tenant = Tenant::from_dir(&sspr_backend::default_data_dir()).unwrap();
//! let server = start(tenant, Config { port: 0, ..Config::default() }).await?;
//! println!("{}", server.url()); // http://127.0.0.1:PORT; base URLs: that, or that + "/beta"
//! # Ok(()) }
//! ```

pub mod control;
pub mod paging;
pub mod tenant;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Query, RawQuery, Request, State};
use axum::http::header::{
    AsHeaderName, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE,
    AUTHORIZATION, CONTENT_TYPE, HOST, ORIGIN, RETRY_AFTER, VARY, WWW_AUTHENTICATE,
};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use sspr_insights::data::report_api::{check_token, read_jwt, Collection, TokenRefusal};
use sspr_insights::model::time::Millis;

use control::{check_control, check_switches_post, is_control_path, ControlRefusal};
pub use control::{
    LoggedRequest, RequestLog, Switches, SwitchesPatch, SwitchesView, CONTROL_HEADER,
    DEFAULT_TOKEN, FAULTS_PATH, REQUESTS_PATH,
};
use paging::{render, select, Cursor};
pub use tenant::Tenant;

/// The sample tenant of this repository (`public/sample`), found from the crate's own folder.
pub fn default_data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("public")
        .join("sample")
}

/// How the server starts.
#[derive(Clone, Debug)]
pub struct Config {
    /// 0 picks a free port.
    pub port: u16,
    /// `$top` of `userRegistrationDetails` when the request has none.
    pub users_page_size: usize,
    /// The switches at start (and after `DELETE /_faults`).
    pub switches: Switches,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            port: 8081,
            users_page_size: 100,
            switches: Switches::default(),
        }
    }
}

/// The version segment a base address may end with (`http://127.0.0.1:8081/beta`).
pub const VERSION_PREFIX: &str = "/beta";

/// Every report path served: each list's path (the client's [`Collection::path`]), with and
/// without [`VERSION_PREFIX`].
pub fn report_paths() -> impl Iterator<Item = String> {
    [VERSION_PREFIX, ""].into_iter().flat_map(|prefix| {
        Collection::ALL
            .into_iter()
            .map(move |collection| format!("{prefix}{}", collection.path()))
    })
}

/// The list a path asks for, and the version prefix it came with (`"/beta"` or `""`).
fn report_of(path: &str) -> Option<(&'static str, Collection)> {
    let (prefix, rest) = match path.strip_prefix(VERSION_PREFIX) {
        Some(rest) => (VERSION_PREFIX, rest),
        None => ("", path),
    };
    Collection::ALL
        .into_iter()
        .find(|collection| collection.path() == rest)
        .map(|collection| (prefix, collection))
}

struct App {
    tenant: Tenant,
    port: u16,
    users_page_size: usize,
    initial: Switches,
    switches: Mutex<Switches>,
    log: Mutex<RequestLog>,
    request_ids: AtomicU64,
}

impl App {
    fn switches(&self) -> MutexGuard<'_, Switches> {
        self.switches.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn log(&self) -> MutexGuard<'_, RequestLog> {
        self.log.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn request_id(&self) -> String {
        let n = self.request_ids.fetch_add(1, Ordering::Relaxed) + 1;
        format!("00000000-0000-4000-8000-{n:012x}")
    }
}

/// A running server; dropping it stops it.
pub struct Server {
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Runs until the process ends (or the server fails).
    pub async fn wait(mut self) -> std::io::Result<()> {
        (&mut self.task).await.map_err(std::io::Error::other)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Binds 127.0.0.1 (never another address) and serves in a task of the current runtime.
pub async fn start(tenant: Tenant, config: Config) -> std::io::Result<Server> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", config.port)).await?;
    let addr = listener.local_addr()?;
    let app = Arc::new(App {
        tenant,
        port: addr.port(),
        users_page_size: config.users_page_size.clamp(1, paging::MAX_TOP),
        initial: config.switches.clone(),
        switches: Mutex::new(config.switches),
        log: Mutex::new(RequestLog::default()),
        request_ids: AtomicU64::new(0),
    });
    let router = router(app);
    let task = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, router).await {
            eprintln!("sspr-backend: {e}");
        }
    });
    Ok(Server { addr, task })
}

fn router(app: Arc<App>) -> Router {
    let mut router = Router::new();
    for path in report_paths() {
        router = router.route(&path, get(report));
    }
    let control = Router::new()
        .route(
            FAULTS_PATH,
            get(get_faults).post(post_faults).delete(delete_faults),
        )
        .route(REQUESTS_PATH, get(get_requests).delete(delete_requests))
        .route_layer(middleware::from_fn_with_state(app.clone(), guard_control));
    router
        .merge(control)
        .route("/_health", get(|| async { "ok" }))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(app.clone(), cors))
        .with_state(app)
}

// ---------------------------------------------------------------------------------------------
// CORS

/// Adds CORS headers for allowed origins to every answer, and answers preflights itself. The
/// control endpoints get none: no other origin may call them or read their answers.
async fn cors(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let origin = header_text(request.headers(), ORIGIN);
    let allowed = origin
        .as_deref()
        .filter(|_| !is_control_path(request.uri().path()))
        .filter(|o| app.switches().allows_origin(o))
        .and_then(|o| HeaderValue::from_str(o).ok());
    if request.method() == Method::OPTIONS {
        let mut response = StatusCode::NO_CONTENT.into_response();
        let headers = response.headers_mut();
        if let Some(origin) = allowed {
            headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            headers.insert(
                ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static("GET, OPTIONS"),
            );
            headers.insert(
                ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static("Authorization, Prefer"),
            );
            headers.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
        }
        headers.insert(VARY, HeaderValue::from_static("Origin"));
        if is_report_path(request.uri().path()) {
            app.log().push(LoggedRequest {
                method: "OPTIONS".to_string(),
                path: path_and_query(request.uri()),
                host: header_text(request.headers(), HOST).unwrap_or_default(),
                origin,
                token: "none",
                prefer: false,
                status: 204,
            });
        }
        return response;
    }
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if let Some(origin) = allowed {
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        // Retry-After is not a CORS-safelisted header: without this, script cannot read it.
        headers.insert(
            ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("Retry-After, request-id"),
        );
    }
    headers.append(VARY, HeaderValue::from_static("Origin"));
    response
}

// ---------------------------------------------------------------------------------------------
// Reports

/// What the switches and the token say about one report request.
enum Admission {
    Go {
        slow_ms: u64,
        truncate: bool,
        foreign: bool,
    },
    Refuse(Response),
}

async fn report(
    State(app): State<Arc<App>>,
    uri: Uri,
    headers: HeaderMap,
    Query(params): Query<Vec<(String, String)>>,
) -> Response {
    // Only the report paths are routed here.
    let Some((prefix, collection)) = report_of(uri.path()) else {
        return not_found(uri).await;
    };
    let request_id = app.request_id();
    let host = header_text(&headers, HOST)
        .filter(|h| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or_else(|| format!("127.0.0.1:{}", app.port));
    let prefer = headers
        .get_all("prefer")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("include-unknown-enum-members"));
    let (token_state, admission) = admit(&app, collection, &headers, &request_id);
    let response = match admission {
        Admission::Refuse(response) => response,
        Admission::Go {
            slow_ms,
            truncate,
            foreign,
        } => {
            let default_top = match collection {
                Collection::RegistrationDetails => app.users_page_size,
                Collection::EventsSummary | Collection::DirectoryAudits => paging::MAX_TOP,
            };
            match Cursor::from_query(&params, collection, default_top) {
                Err(message) => {
                    graph_error(StatusCode::BAD_REQUEST, "BadRequest", &message, &request_id)
                }
                Ok(cursor) => {
                    if slow_ms > 0 {
                        tokio::time::sleep(Duration::from_millis(slow_ms)).await;
                    }
                    let origin = if foreign {
                        foreign_origin(&host, app.port)
                    } else {
                        format!("http://{host}")
                    };
                    page(
                        &app,
                        collection,
                        prefix,
                        &origin,
                        cursor,
                        truncate,
                        &request_id,
                    )
                }
            }
        }
    };
    app.log().push(LoggedRequest {
        method: "GET".to_string(),
        path: path_and_query(&uri),
        host,
        origin: header_text(&headers, ORIGIN),
        token: token_state,
        prefer,
        status: response.status().as_u16(),
    });
    response
}

/// Checks the token, then the faults (each counter counts down once per request it answers).
fn admit(
    app: &App,
    collection: Collection,
    headers: &HeaderMap,
    request_id: &str,
) -> (&'static str, Admission) {
    let mut switches = app.switches();
    let presented = bearer(headers);
    let unauthorized = |message: &str| {
        let mut response = graph_error(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            message,
            request_id,
        );
        response.headers_mut().insert(
            WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"\", error=\"invalid_token\""),
        );
        Admission::Refuse(response)
    };
    let denied = || {
        Admission::Refuse(graph_error(
            StatusCode::FORBIDDEN,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
            request_id,
        ))
    };
    let token_state = match (&switches.token, presented.as_deref()) {
        (_, Some(t)) if switches.forbidden_token.as_deref() == Some(t) => {
            return ("forbidden", denied())
        }
        (None, _) => "not needed",
        (Some(_), None) => return ("none", unauthorized("Access token is empty.")),
        (Some(expected), Some(t)) if expected == t => "accepted",
        (Some(_), Some(t)) if switches.accept_unsigned_jwt && read_jwt(t).is_some() => {
            match check_token(t, now_millis()) {
                Ok(_) => "accepted",
                Err(TokenRefusal::Expired { .. }) => {
                    return (
                        "expired",
                        unauthorized("Lifetime validation failed, the token is expired."),
                    )
                }
                Err(_) => return ("forbidden", denied()),
            }
        }
        (Some(_), Some(_)) => {
            return (
                "wrong",
                unauthorized("Access token validation failure. Invalid audience."),
            )
        }
    };
    if switches.forbidden || (switches.forbidden_audit && collection == Collection::DirectoryAudits)
    {
        return (token_state, denied());
    }
    let retry_after = (!switches.omit_retry_after).then_some(switches.retry_after);
    let busy = |status: StatusCode, code: &str, message: &str| {
        let mut response = graph_error(status, code, message, request_id);
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(seconds));
        }
        Admission::Refuse(response)
    };
    if switches.throttle > 0 {
        switches.throttle -= 1;
        return (
            token_state,
            busy(
                StatusCode::TOO_MANY_REQUESTS,
                "TooManyRequests",
                "Too many requests. Please retry again later.",
            ),
        );
    }
    if switches.unavailable > 0 {
        switches.unavailable -= 1;
        return (
            token_state,
            busy(
                StatusCode::SERVICE_UNAVAILABLE,
                "serviceNotAvailable",
                "Service unavailable. Please retry later.",
            ),
        );
    }
    let truncate = switches.truncate > 0;
    if truncate {
        switches.truncate -= 1;
    }
    (
        token_state,
        Admission::Go {
            slow_ms: switches.slow_ms,
            truncate,
            foreign: switches.foreign_next_link,
        },
    )
}

/// One page of a list, with its next link; cut in the middle when `truncate`.
fn page(
    app: &App,
    collection: Collection,
    prefix: &str,
    origin: &str,
    cursor: Cursor,
    truncate: bool,
    request_id: &str,
) -> Response {
    let records = match collection {
        Collection::RegistrationDetails => &app.tenant.users,
        Collection::EventsSummary => &app.tenant.events,
        Collection::DirectoryAudits => &app.tenant.audits,
    };
    let selection = select(records, &cursor);
    let path = format!("{prefix}{}", collection.path());
    let next_link = selection.next.map(|position| {
        let next = Cursor { position, ..cursor };
        format!("{origin}{path}?$skiptoken={}", next.to_skiptoken())
    });
    // `…/$metadata#reports/authenticationMethods/userRegistrationDetails`, as Graph writes it.
    let context = format!(
        "{origin}{prefix}/$metadata#{}",
        collection.path().trim_start_matches('/')
    );
    let mut body = render(&context, next_link.as_deref(), records, &selection.indices).into_bytes();
    if truncate {
        body.truncate(body.len() / 2);
    }
    let mut response = Response::new(Body::from(body));
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static(
            "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8",
        ),
    );
    if let Ok(id) = HeaderValue::from_str(request_id) {
        headers.insert("request-id", id);
    }
    response
}

/// `localhost` for a request to `127.0.0.1` and the other way round, same port: another origin
/// that still reaches this server, so a client that follows it shows up in the log.
fn foreign_origin(host: &str, port: u16) -> String {
    if host.starts_with("localhost") {
        format!("http://127.0.0.1:{port}")
    } else {
        format!("http://localhost:{port}")
    }
}

async fn not_found(uri: Uri) -> Response {
    let served: Vec<String> = Collection::ALL
        .iter()
        .map(|collection| format!("[{VERSION_PREFIX}]{}", collection.path()))
        .collect();
    graph_error(
        StatusCode::NOT_FOUND,
        "ResourceNotFound",
        &format!(
            "Resource not found for the segment '{}'. This backend serves {}.",
            uri.path(),
            served.join(" and ")
        ),
        "",
    )
}

// ---------------------------------------------------------------------------------------------
// Control

/// Lets through only control requests that no other web page could have sent: addressed to a
/// loopback name of this server, and to `/_faults` with [`CONTROL_HEADER`] (see
/// [`check_control`]).
async fn guard_control(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let checked = check_control(
        request.uri().path(),
        header_text(request.headers(), HOST).as_deref(),
        header_text(request.headers(), CONTROL_HEADER).as_deref(),
        app.port,
    );
    match checked {
        Ok(()) => next.run(request).await,
        Err(refusal) => control_refused(refusal, app.port),
    }
}

fn control_refused(refusal: ControlRefusal, port: u16) -> Response {
    let status = StatusCode::from_u16(refusal.status()).unwrap_or(StatusCode::FORBIDDEN);
    graph_error(status, refusal.code(), &refusal.message(port), "")
}

async fn get_faults(State(app): State<Arc<App>>) -> Response {
    json_response(StatusCode::OK, &app.switches().view())
}

/// Changes the switches named in the JSON body (`{"throttle":2,"retry_after":1}`).
async fn post_faults(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let content_type = header_text(&headers, CONTENT_TYPE);
    if let Err(refusal) = check_switches_post(content_type.as_deref(), query.as_deref()) {
        return control_refused(refusal, app.port);
    }
    let patch = match serde_json::from_slice::<SwitchesPatch>(&body) {
        Ok(patch) => patch,
        Err(e) => return control_error(&format!("body: {e}")),
    };
    let mut switches = app.switches();
    switches.apply(patch);
    json_response(StatusCode::OK, &switches.view())
}

/// Puts every switch back as it was at start.
async fn delete_faults(State(app): State<Arc<App>>) -> Response {
    let mut switches = app.switches();
    *switches = app.initial.clone();
    json_response(StatusCode::OK, &switches.view())
}

async fn get_requests(State(app): State<Arc<App>>) -> Response {
    json_response(StatusCode::OK, &*app.log())
}

async fn delete_requests(State(app): State<Arc<App>>) -> StatusCode {
    app.log().clear();
    StatusCode::NO_CONTENT
}

fn control_error(message: &str) -> Response {
    graph_error(StatusCode::BAD_REQUEST, "BadRequest", message, "")
}

// ---------------------------------------------------------------------------------------------
// Helpers

/// A Graph-style error: `{"error":{"code":…,"message":…,"innerError":{…}}}`.
fn graph_error(status: StatusCode, code: &str, message: &str, request_id: &str) -> Response {
    let body = serde_json::json!({
        "error": {
            "code": code,
            "message": message,
            "innerError": {
                "date": sspr_insights::model::format_utc(now_millis() / 1000 * 1000),
                "request-id": request_id,
            }
        }
    });
    json_response(status, &body)
}

fn json_response<T: serde::Serialize>(status: StatusCode, value: &T) -> Response {
    let body = serde_json::to_vec(value).unwrap_or_default();
    let mut response = (status, body).into_response();
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = header_text(headers, AUTHORIZATION)?;
    let value = value.trim();
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then(|| token.to_string())
}

fn header_text(headers: &HeaderMap, name: impl AsHeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

fn path_and_query(uri: &Uri) -> String {
    uri.path_and_query()
        .map(|pq| pq.as_str().to_string())
        .unwrap_or_else(|| uri.path().to_string())
}

fn is_report_path(path: &str) -> bool {
    report_of(path).is_some()
}

fn now_millis() -> Millis {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as Millis)
        .unwrap_or(0)
}
