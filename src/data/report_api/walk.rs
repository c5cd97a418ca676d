//! The walk over one list's pages: which address to fetch next, what each answer means for the
//! walk (retry, next page, stop), and [`read_page`], the one place where a page's bytes meet the
//! model's importer. It never fetches or waits; the client feeds it each answer.

use std::borrow::Cow;
use std::fmt;
use std::ops::ControlFlow;

use rustc_hash::FxHashSet;
use serde::de::{self, Deserializer, IgnoredAny, SeqAccess, Visitor};
use serde::Deserialize;

use super::address::ReportBase;
use super::collection::Collection;
use super::error::ApiError;
use super::retry::{decide, Decision};
use crate::model::import::{import_file, FileImport, FileKind};
use crate::model::time::Millis;

/// A walk stops after this many pages (a backend that never stops paging).
pub const MAX_PAGES: usize = 100_000;

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

/// A page as [`read_page`] found it: its records and where the next one is, as written.
#[derive(Debug)]
pub struct ReadPage {
    pub records: FileImport,
    /// `@odata.nextLink`, not yet resolved or checked (the walk does that).
    pub next_link: Option<String>,
}

/// Reads the body of page `number` (1-based) of `collection`: the one hand-over from the walk to
/// the model's importer. It is a pure function of its arguments and holds no state of the walk,
/// so it can run apart from it (in a worker, say) while the walk waits for its result.
///
/// Fails when the body is not JSON, not a Graph response page, or holds the other list's records.
/// An empty page is a page (no "file without records" error).
///
/// ```
/// use sspr_insights::data::report_api::{read_page, Collection};
/// let body = br#"{"@odata.nextLink":"?$skiptoken=2","value":[]}"#;
/// let page = read_page(Collection::RegistrationDetails, 1, body).unwrap();
/// assert_eq!((page.records.records, page.next_link.as_deref()), (0, Some("?$skiptoken=2")));
/// ```
pub fn read_page(collection: Collection, number: usize, body: &[u8]) -> Result<ReadPage, ApiError> {
    let bad_page = |detail: String| ApiError::BadPage {
        collection,
        page: number,
        detail,
    };
    let mut page = import_file(&format!("{} page {number}", collection.name()), body);
    if page.fatal {
        let detail = page
            .errors
            .first()
            .map(|e| e.to_string())
            .unwrap_or_else(|| "it is not valid JSON".to_string());
        return Err(bad_page(detail));
    }
    // Errors name the page; the dataset lists the collection once, whatever its page count.
    page.batch
        .set_source(&format!("{} (live)", collection.name()));
    let head = read_page_head(body).map_err(|e| bad_page(format!("it is not valid JSON ({e})")))?;
    match head.value_len {
        None if page.records == 0 => {
            return Err(bad_page(
                "it is not a Graph response page (it has no \"value\" list of records)".to_string(),
            ))
        }
        Some(0) if page.bad_records == 0 => {
            page.errors.clear();
            page.error_count = 0;
        }
        _ => {}
    }
    if page.records > 0 && !holds(collection, page.kind) {
        return Err(ApiError::UnexpectedRecords {
            collection,
            page: number,
            found: page.kind,
        });
    }
    Ok(ReadPage {
        records: page,
        next_link: head.next_link,
    })
}

/// Whether records of this kind belong in this list.
fn holds(collection: Collection, kind: FileKind) -> bool {
    match collection {
        Collection::RegistrationDetails => matches!(
            kind,
            FileKind::UserRegistrationDetails | FileKind::CredentialUserRegistrationDetails
        ),
        Collection::EventsSummary => matches!(
            kind,
            FileKind::UserEventsSummary | FileKind::UserCredentialUsageDetails
        ),
        Collection::DirectoryAudits => kind == FileKind::DirectoryAudits,
    }
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
    /// time it arrived (for an HTTP-date `Retry-After`). A page's body goes through
    /// [`read_page`].
    pub fn on_response(
        &mut self,
        status: u16,
        retry_after: Option<&str>,
        body: &[u8],
        now: Millis,
    ) -> Step {
        match self.on_status(status, retry_after, body, now) {
            ControlFlow::Break(step) => step,
            ControlFlow::Continue(url) => {
                let page = read_page(self.collection, self.pages + 1, body);
                self.on_page(&url, page)
            }
        }
    }

    /// What the status says: go on with the page read from the body of `url` (returned), or
    /// retry, or stop.
    fn on_status(
        &mut self,
        status: u16,
        retry_after: Option<&str>,
        body: &[u8],
        now: Millis,
    ) -> ControlFlow<Step, String> {
        let Some(url) = self.next.take() else {
            return ControlFlow::Break(Step::Failed(ApiError::NothingPending));
        };
        match decide(status, retry_after, body, self.retries, now) {
            Decision::Accept => {
                self.retries = 0;
                ControlFlow::Continue(url)
            }
            Decision::Retry { after_ms } => {
                self.retries += 1;
                self.next = Some(url);
                ControlFlow::Break(Step::Retry { after_ms })
            }
            // The audit log needs more than the reports: say so, not "lacks a reporting role".
            Decision::Stop(ApiError::Refused { status, graph })
                if self.collection == Collection::DirectoryAudits =>
            {
                ControlFlow::Break(Step::Failed(ApiError::AuditRefused { status, graph }))
            }
            Decision::Stop(error) => ControlFlow::Break(Step::Failed(error)),
        }
    }

    /// Takes the page read from the body of `url`: counts it and finds the next address.
    fn on_page(&mut self, url: &str, page: Result<ReadPage, ApiError>) -> Step {
        let page = match page {
            Ok(page) => page,
            Err(error) => return Step::Failed(error),
        };
        self.pages += 1;
        self.records += page.records.records;
        if let Some(link) = page.next_link {
            if self.pages >= MAX_PAGES {
                return Step::Failed(ApiError::TooManyPages { limit: MAX_PAGES });
            }
            let next = match self.base.resolve_next_link(url, &link) {
                Ok(next) => next,
                Err(error) => return Step::Failed(ApiError::NextLink(error)),
            };
            if !self.seen.insert(next.clone()) {
                return Step::Failed(ApiError::NextLinkLoop);
            }
            self.next = Some(next);
        }
        Step::Page(Box::new(page.records))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::report_api::address::{NextLinkError, GRAPH_BETA};
    use crate::data::report_api::testing::NOW;

    fn graph() -> ReportBase {
        ReportBase::parse(GRAPH_BETA).unwrap()
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
            ApiError::NextLink(NextLinkError::Foreign {
                link_origin: "https://evil.example".to_string(),
                base_origin: "https://graph.microsoft.com".to_string()
            })
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

    fn audit_page(next: Option<&str>) -> Vec<u8> {
        let record = r#"{"id":"a1","category":"UserManagement","correlationId":"c1","result":"success",
            "resultReason":"User submitted their user ID","activityDisplayName":"Self-service password reset flow activity progress",
            "activityDateTime":"2026-11-10T10:00:00Z","loggedByService":"Self-service Password Management",
            "initiatedBy":{"user":{"id":"u1","displayName":"U","userPrincipalName":"u1@contoso.com","ipAddress":"10.0.0.1"}},
            "targetResources":[],"additionalDetails":[]}"#;
        let next = next
            .map(|n| format!(r#""@odata.nextLink":"{n}","#))
            .unwrap_or_default();
        format!(r#"{{{next}"value":[{record}]}}"#).into_bytes()
    }

    #[test]
    fn walk_reads_audit_pages_filtered_to_the_two_services() {
        let mut walk = PageWalk::new(&graph(), Collection::DirectoryAudits, NOW);
        let first = walk.url().unwrap().to_string();
        assert!(first.starts_with("https://graph.microsoft.com/beta/auditLogs/directoryAudits?$filter=activityDateTime%20ge%20"), "{first}");
        assert!(
            first.contains("Self-service%20Password%20Management")
                && first.contains("Authentication%20Methods"),
            "{first}"
        );
        let got = page(walk.on_response(200, None, &audit_page(Some("?$skiptoken=2")), NOW));
        assert_eq!((got.records, got.kind), (1, FileKind::DirectoryAudits));
        page(walk.on_response(200, None, &audit_page(None), NOW));
        assert!(walk.is_done());
        assert_eq!((walk.pages(), walk.records()), (2, 2));
        // The audit log's list holds no report records, and the reports hold no audit rows.
        let mut walk = PageWalk::new(&graph(), Collection::DirectoryAudits, NOW);
        let error = failed(walk.on_response(200, None, &event_page(2), NOW));
        assert!(
            matches!(error, ApiError::UnexpectedRecords { .. }),
            "{error:?}"
        );
        let mut walk = PageWalk::new(&graph(), Collection::EventsSummary, NOW);
        let error = failed(walk.on_response(200, None, &audit_page(None), NOW));
        assert!(
            matches!(error, ApiError::UnexpectedRecords { .. }),
            "{error:?}"
        );
    }

    #[test]
    fn a_refused_audit_log_names_the_audit_permission() {
        let mut walk = PageWalk::new(&graph(), Collection::DirectoryAudits, NOW);
        let body = br#"{"error":{"code":"Authentication_RequestFromNonPremiumTenantOrB2CTenant","message":"denied"}}"#;
        let error = failed(walk.on_response(403, None, body, NOW));
        assert!(
            matches!(error, ApiError::AuditRefused { status: 403, .. }),
            "{error:?}"
        );
        assert!(error.is_about_token());
        let message = error.user_message(Some("secret-token"));
        assert!(
            message.contains("refused to read the audit log"),
            "{message}"
        );
        assert!(message.contains("AuditLog.Read.All"), "{message}");
        assert!(message.contains("fetch without the audit log"), "{message}");
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
}
