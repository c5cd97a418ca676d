//! The live fetch (spec §6) as one procedure: from a prepared plan (address and role check done),
//! both lists paged to the end with the `report_api` rules, Retry-After waits, progress and Cancel,
//! then one dataset "as of" the fetch time. It does no HTTP itself: a [`Transport`] does
//! (`transport.rs` in the browser, a fake in the host tests), so the walk is tested on the host.

use crate::data::report_api::{ApiError, Collection, Prepared, Step, MAX_RETRIES};
use crate::model::{AsOf, Batch, Dataset, Millis, SourceKind};

/// One answer of the report backend, as the transport got it.
#[derive(Clone, Debug, Default)]
pub struct Answer {
    pub status: u16,
    /// The `Retry-After` header, when the answer has one.
    pub retry_after: Option<String>,
    pub body: Vec<u8>,
}

/// What sends the requests, waits and tells the time. Single-threaded (the browser's event loop),
/// hence `async fn` without `Send` bounds.
#[allow(async_fn_in_trait)]
pub trait Transport {
    /// A GET of `url` with `headers`; `Err` with the browser's words when no answer came (network,
    /// CORS, a redirect, an aborted request).
    async fn get(&self, url: &str, headers: &[(&'static str, String)]) -> Result<Answer, String>;
    /// Waits `ms` milliseconds; `false` when the fetch was cancelled meanwhile.
    async fn wait(&self, ms: u64) -> bool;
    /// Whether the user pressed Cancel.
    fn cancelled(&self) -> bool;
    /// The current time (the fetch time becomes the data's "as of").
    fn now(&self) -> Millis;
}

/// How far a fetch has come, for the progress line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FetchProgress {
    /// The list being read; `None` once both are read and the dataset is being built.
    pub collection: Option<Collection>,
    /// Pages read so far, both lists together.
    pub pages: usize,
    /// Good records read so far, both lists together.
    pub records: usize,
    /// Set while waiting before a retry (429 / 503 / 504).
    pub waiting: Option<RetryWait>,
}

/// A wait the backend asked for (or the backoff chose).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryWait {
    /// The status that asked for it.
    pub status: u16,
    pub after_ms: u64,
    /// Which retry this wait comes before (1-based).
    pub retry: u32,
}

impl FetchProgress {
    /// One line for the screen: `"Reading userEventsSummary: 3 pages, 2,400 records so far"`.
    pub fn describe(&self) -> String {
        let so_far = format!(
            "{} {}, {} {} so far",
            crate::components::format::count(self.pages),
            if self.pages == 1 { "page" } else { "pages" },
            crate::components::format::count(self.records),
            if self.records == 1 {
                "record"
            } else {
                "records"
            },
        );
        match (&self.collection, &self.waiting) {
            (_, Some(wait)) => format!(
                "The report backend is busy ({}); retry {} of {} in {} s. {so_far}",
                wait.status,
                wait.retry,
                MAX_RETRIES,
                wait.after_ms.div_ceil(1000)
            ),
            (Some(collection), None) => format!("Reading {}: {so_far}", collection.name()),
            (None, None) => format!("Building the dataset: {so_far}"),
        }
    }
}

/// A finished fetch: the new dataset and what it took.
pub struct Fetched {
    pub dataset: Dataset,
    pub pages: usize,
    pub records: usize,
    /// Bad records left out (noted in the dataset's warnings too).
    pub bad_records: usize,
}

/// Why a fetch ended without data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FetchEnd {
    /// The user pressed Cancel.
    Cancelled,
    /// A message for the user (token removed); `about_token` when the token is the problem.
    Failed { message: String, about_token: bool },
}

impl FetchEnd {
    fn from_error(error: &ApiError, token: Option<&str>) -> FetchEnd {
        FetchEnd::Failed {
            message: error.user_message(token),
            about_token: error.is_about_token(),
        }
    }
}

/// Reads both lists to their end and builds the dataset, `AsOf::At(fetch time)` and
/// `SourceKind::Live`. Nothing is returned until every page has arrived: a failure or Cancel
/// part-way gives no data, so the caller keeps what is loaded. `plan` comes from
/// [`prepare`](crate::data::report_api::prepare), which made the role check before any request.
///
/// ```text
/// let plan = prepare(&base, &token, now)?;
/// match fetch_reports(&plan, &transport, |p| progress.set(p.clone())).await {
///     Ok(fetched) => state.set_dataset(fetched.dataset, vec![]),
///     Err(FetchEnd::Failed { message, .. }) => error.set(Some(message)),
///     Err(FetchEnd::Cancelled) => {}
/// }
/// ```
pub async fn fetch_reports<T: Transport>(
    plan: &Prepared,
    transport: &T,
    mut on_progress: impl FnMut(&FetchProgress),
) -> Result<Fetched, FetchEnd> {
    let as_of = transport.now();
    let headers = plan.headers();
    let token = plan.token();
    let mut progress = FetchProgress::default();
    let mut batches: Vec<Batch> = Vec::new();
    let mut bad_records = 0;
    for mut walk in plan.walks(as_of) {
        progress.collection = Some(walk.collection());
        while let Some(url) = walk.url().map(str::to_string) {
            if transport.cancelled() {
                return Err(FetchEnd::Cancelled);
            }
            on_progress(&progress);
            let answer = match transport.get(&url, &headers).await {
                Ok(answer) => answer,
                Err(_) if transport.cancelled() => return Err(FetchEnd::Cancelled),
                Err(detail) => {
                    return Err(FetchEnd::from_error(&ApiError::Network { detail }, token))
                }
            };
            if transport.cancelled() {
                return Err(FetchEnd::Cancelled);
            }
            let arrived = transport.now();
            match walk.on_response(
                answer.status,
                answer.retry_after.as_deref(),
                &answer.body,
                arrived,
            ) {
                Step::Page(page) => {
                    progress.pages += 1;
                    progress.records += page.records;
                    bad_records += page.bad_records;
                    // Bad records are left out, and noted in the dataset's warnings.
                    batches.push(if page.is_clean() {
                        page.batch
                    } else {
                        page.into_batch_without_bad_records()
                    });
                }
                Step::Retry { after_ms } => {
                    progress.waiting = Some(RetryWait {
                        status: answer.status,
                        after_ms,
                        retry: walk.retries(),
                    });
                    on_progress(&progress);
                    if !transport.wait(after_ms).await {
                        return Err(FetchEnd::Cancelled);
                    }
                    progress.waiting = None;
                }
                Step::Failed(error) => return Err(FetchEnd::from_error(&error, token)),
            }
        }
    }
    progress.collection = None;
    progress.waiting = None;
    on_progress(&progress);
    // One more chance to stop before the (synchronous) build.
    if !transport.wait(0).await {
        return Err(FetchEnd::Cancelled);
    }
    let host = plan.base.origin().host_label();
    Ok(Fetched {
        dataset: Dataset::build(batches, AsOf::At(as_of), SourceKind::Live { host }),
        pages: progress.pages,
        records: progress.records,
        bad_records,
    })
}

#[cfg(test)]
mod tests {
    use std::cell::{Cell, RefCell};
    use std::collections::VecDeque;
    use std::future::Future;
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};

    use super::*;
    use crate::data::report_api::prepare;
    use crate::data::report_api::testing::{jwt, NOW};

    /// Runs a future whose every await is ready at once (the fake transport never pends).
    fn block_on<F: Future>(future: F) -> F::Output {
        let mut future = pin!(future);
        let mut cx = Context::from_waker(Waker::noop());
        loop {
            if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
                return out;
            }
        }
    }

    type Headers = Vec<(&'static str, String)>;

    /// Answers from a script, records every request and every wait.
    #[derive(Default)]
    struct Fake {
        answers: RefCell<VecDeque<Result<Answer, String>>>,
        requests: RefCell<Vec<(String, Headers)>>,
        waits: RefCell<Vec<u64>>,
        cancel_after_requests: Cell<Option<usize>>,
        cancel_in_wait: Cell<bool>,
        cancelled: Cell<bool>,
    }

    impl Transport for Fake {
        async fn get(
            &self,
            url: &str,
            headers: &[(&'static str, String)],
        ) -> Result<Answer, String> {
            self.requests
                .borrow_mut()
                .push((url.to_string(), headers.to_vec()));
            if self.cancel_after_requests.get() == Some(self.requests.borrow().len()) {
                self.cancelled.set(true);
            }
            self.answers
                .borrow_mut()
                .pop_front()
                .unwrap_or_else(|| Err("no more answers in the script".to_string()))
        }
        async fn wait(&self, ms: u64) -> bool {
            self.waits.borrow_mut().push(ms);
            if self.cancel_in_wait.get() && ms > 0 {
                self.cancelled.set(true);
            }
            !self.cancelled.get()
        }
        fn cancelled(&self) -> bool {
            self.cancelled.get()
        }
        fn now(&self) -> Millis {
            NOW
        }
    }

    fn ok(body: &str) -> Result<Answer, String> {
        Ok(Answer {
            status: 200,
            retry_after: None,
            body: body.as_bytes().to_vec(),
        })
    }

    fn status(status: u16, retry_after: Option<&str>) -> Result<Answer, String> {
        Ok(Answer {
            status,
            retry_after: retry_after.map(str::to_string),
            body: br#"{"error":{"code":"busy","message":"slow down"}}"#.to_vec(),
        })
    }

    fn user(id: u32) -> String {
        format!(
            r#"{{"id":"u{id}","userPrincipalName":"u{id}@x","userDisplayName":"U {id}","isSsprRegistered":true,"isSsprEnabled":true,"isSsprCapable":true,"methodsRegistered":["email"]}}"#
        )
    }

    fn event(id: u32) -> String {
        format!(
            r#"{{"id":"e{id}","feature":"reset","userPrincipalName":"u{id}@x","userDisplayName":"U {id}","isSuccess":true,"authMethod":"email","failureReason":"","eventDateTime":"2026-11-18T10:00:00Z"}}"#
        )
    }

    fn page(records: &[String], next: Option<&str>) -> Result<Answer, String> {
        let next = next
            .map(|n| format!(r#""@odata.nextLink":"{n}","#))
            .unwrap_or_default();
        ok(&format!(r#"{{{next}"value":[{}]}}"#, records.join(",")))
    }

    const BASE: &str = "http://127.0.0.1:8081/beta";
    const USERS: &str =
        "http://127.0.0.1:8081/beta/reports/authenticationMethods/userRegistrationDetails";

    fn fake(answers: Vec<Result<Answer, String>>) -> Fake {
        let fake = Fake::default();
        *fake.answers.borrow_mut() = answers.into();
        fake
    }

    fn three_user_pages_and_one_event_page() -> Vec<Result<Answer, String>> {
        vec![
            page(&[user(1), user(2)], Some(&format!("{USERS}?$skiptoken=2"))),
            page(&[user(3)], Some(&format!("{USERS}?$skiptoken=3"))),
            page(&[user(4)], None),
            page(&[event(1), event(2)], None),
        ]
    }

    #[test]
    fn pages_are_followed_to_the_end_and_build_a_live_dataset_as_of_the_fetch_time() {
        let plan = prepare(BASE, "dev-token", NOW).unwrap();
        let transport = fake(three_user_pages_and_one_event_page());
        let mut seen = Vec::new();
        let fetched = block_on(fetch_reports(&plan, &transport, |p| seen.push(p.clone()))).unwrap();
        assert_eq!(fetched.pages, 4);
        assert_eq!(fetched.records, 6);
        assert_eq!(fetched.dataset.user_count(), 4);
        assert_eq!(fetched.dataset.event_count(), 2);
        assert_eq!(fetched.dataset.as_of(), NOW);
        assert_eq!(
            fetched.dataset.source(),
            &SourceKind::Live {
                host: "127.0.0.1:8081".to_string()
            }
        );
        // Pages of one list are one source, named after the list.
        let sources = fetched.dataset.sources();
        assert_eq!(sources.len(), 2, "{sources:?}");
        assert!(sources[0].name.starts_with("userRegistrationDetails"));
        assert!(sources[1].name.starts_with("userEventsSummary"));
        assert_eq!((sources[0].users, sources[1].events), (4, 2));
        let requests = transport.requests.borrow();
        assert_eq!(requests.len(), 4);
        assert_eq!(requests[1].0, format!("{USERS}?$skiptoken=2"));
        assert!(requests[3]
            .0
            .contains("userEventsSummary?$filter=eventDateTime%20ge%20"));
        for (_, headers) in requests.iter() {
            assert!(headers.contains(&("Authorization", "Bearer dev-token".to_string())));
            assert!(headers.contains(&("Prefer", "include-unknown-enum-members".to_string())));
        }
        // Progress ends with the build, having counted every page.
        let last = seen.last().unwrap();
        assert_eq!((last.collection, last.pages, last.records), (None, 4, 6));
    }

    /// Two rows of one reset attempt (the user submits the ID, then resets the password).
    fn audit_rows(correlation: &str) -> Vec<String> {
        let row = |time: &str, activity: &str, reason: &str| {
            format!(
                r#"{{"id":"{correlation}{time}","category":"UserManagement","correlationId":"{correlation}","result":"success","resultReason":"{reason}","activityDisplayName":"{activity}","activityDateTime":"2026-11-18T10:00:{time}Z","loggedByService":"Self-service Password Management","initiatedBy":{{"user":{{"id":"u1","displayName":"U 1","userPrincipalName":"u1@x","ipAddress":"10.0.0.1"}}}},"targetResources":[{{"type":"User","id":"u1","displayName":"U 1","userPrincipalName":"u1@x"}}],"additionalDetails":[]}}"#
            )
        };
        vec![
            row(
                "01",
                "Self-service password reset flow activity progress",
                "User submitted their user ID",
            ),
            row(
                "30",
                "Reset password (self-service)",
                "Successfully completed reset.",
            ),
        ]
    }

    #[test]
    fn the_audit_log_is_read_after_the_reports_when_asked_for() {
        let plan = prepare(BASE, "dev-token", NOW)
            .unwrap()
            .with_audit_log(true);
        let mut answers = three_user_pages_and_one_event_page();
        let audit = "http://127.0.0.1:8081/beta/auditLogs/directoryAudits";
        let rows = audit_rows("c1");
        answers.push(page(&rows[..1], Some(&format!("{audit}?$skiptoken=2"))));
        answers.push(page(&rows[1..], None));
        let transport = fake(answers);
        let fetched = block_on(fetch_reports(&plan, &transport, |_| {})).unwrap();
        assert_eq!((fetched.pages, fetched.records), (6, 8));
        // One attempt across the two pages, succeeded.
        let audit_log = fetched.dataset.audit();
        assert_eq!((audit_log.row_count(), audit_log.entry_count()), (2, 1));
        let requests = transport.requests.borrow();
        assert!(requests[4]
            .0
            .starts_with(&format!("{audit}?$filter=activityDateTime%20ge%20")));
        assert_eq!(requests[5].0, format!("{audit}?$skiptoken=2"));
        // Without the option, the audit log is not asked for.
        let plan = prepare(BASE, "dev-token", NOW).unwrap();
        let transport = fake(three_user_pages_and_one_event_page());
        block_on(fetch_reports(&plan, &transport, |_| {})).unwrap();
        assert!(transport
            .requests
            .borrow()
            .iter()
            .all(|(url, _)| !url.contains("auditLogs")));
    }

    #[test]
    fn a_403_on_the_audit_log_gives_the_audit_permission_message_and_no_data() {
        let plan = prepare(BASE, "dev-token", NOW)
            .unwrap()
            .with_audit_log(true);
        let mut answers = three_user_pages_and_one_event_page();
        answers.push(status(403, None));
        let transport = fake(answers);
        let end = block_on(fetch_reports(&plan, &transport, |_| {}))
            .err()
            .unwrap();
        let FetchEnd::Failed {
            message,
            about_token,
        } = end
        else {
            panic!("expected a failure, got {end:?}");
        };
        assert!(about_token);
        assert!(
            message.contains("refused to read the audit log"),
            "{message}"
        );
        assert!(message.contains("AuditLog.Read.All"), "{message}");
    }

    #[test]
    fn a_429_waits_for_retry_after_and_asks_the_same_page_again() {
        let plan = prepare(BASE, "dev-token", NOW).unwrap();
        let mut answers = vec![status(429, Some("2"))];
        answers.extend(three_user_pages_and_one_event_page());
        let transport = fake(answers);
        let mut waits_seen = Vec::new();
        let fetched = block_on(fetch_reports(&plan, &transport, |p| {
            if let Some(w) = &p.waiting {
                waits_seen.push(w.clone());
            }
        }))
        .unwrap();
        assert_eq!(fetched.dataset.user_count(), 4);
        assert_eq!(transport.waits.borrow()[0], 2_000);
        let requests = transport.requests.borrow();
        assert_eq!(requests[0].0, requests[1].0);
        assert_eq!(
            waits_seen,
            [RetryWait {
                status: 429,
                after_ms: 2_000,
                retry: 1
            }]
        );
    }

    #[test]
    fn six_503s_fail_with_the_busy_message_after_five_retries() {
        let plan = prepare(BASE, "dev-token", NOW).unwrap();
        let transport = fake((0..6).map(|_| status(503, Some("0"))).collect());
        let end = block_on(fetch_reports(&plan, &transport, |_| {}))
            .err()
            .unwrap();
        let FetchEnd::Failed {
            message,
            about_token,
        } = end
        else {
            panic!("expected a failure")
        };
        assert!(message.contains("still busy"), "{message}");
        assert!(message.contains("after 5 retries"), "{message}");
        assert!(!about_token);
        assert_eq!(transport.requests.borrow().len(), 6);
    }

    #[test]
    fn a_token_without_a_reading_role_is_stopped_by_prepare_before_any_request() {
        // A JWT whose wids hold no reading role.
        let token = jwt(r#"{"wids":["b79fbf4d-3ef9-4689-8143-76b194e85509"],"scp":"x"}"#);
        let error = prepare(BASE, &token, NOW).err().unwrap();
        let message = error.user_message(Some(&token));
        assert!(message.contains("no request was sent"), "{message}");
        assert!(!message.contains(&token));
    }

    #[test]
    fn a_next_link_to_another_origin_is_refused_and_not_requested() {
        let plan = prepare(BASE, "dev-token", NOW).unwrap();
        let transport = fake(vec![page(
            &[user(1)],
            Some("http://localhost:8081/beta/reports/authenticationMethods/userRegistrationDetails?$skiptoken=2"),
        )]);
        let end = block_on(fetch_reports(&plan, &transport, |_| {}))
            .err()
            .unwrap();
        let FetchEnd::Failed { message, .. } = end else {
            panic!("expected a failure")
        };
        assert!(message.contains("another origin"), "{message}");
        assert_eq!(transport.requests.borrow().len(), 1);
    }

    #[test]
    fn cancel_during_a_request_or_a_wait_gives_no_data() {
        let plan = prepare(BASE, "dev-token", NOW).unwrap();
        let transport = fake(three_user_pages_and_one_event_page());
        transport.cancel_after_requests.set(Some(2));
        let end = block_on(fetch_reports(&plan, &transport, |_| {})).err();
        assert_eq!(end, Some(FetchEnd::Cancelled));
        assert_eq!(transport.requests.borrow().len(), 2);

        let transport = fake(vec![status(429, Some("30"))]);
        transport.cancel_in_wait.set(true);
        let end = block_on(fetch_reports(&plan, &transport, |_| {})).err();
        assert_eq!(end, Some(FetchEnd::Cancelled));
        assert_eq!(transport.requests.borrow().len(), 1);
    }

    #[test]
    fn network_errors_are_explained_without_the_token() {
        let plan = prepare(BASE, "secret-token-1234567890", NOW).unwrap();
        let transport = fake(vec![Err(
            "TypeError: Failed to fetch secret-token-1234567890".to_string(),
        )]);
        let end = block_on(fetch_reports(&plan, &transport, |_| {}))
            .err()
            .unwrap();
        let FetchEnd::Failed { message, .. } = end else {
            panic!("expected a failure")
        };
        assert!(
            message.starts_with("Could not reach the report backend"),
            "{message}"
        );
        assert!(!message.contains("secret-token-1234567890"), "{message}");
    }

    #[test]
    fn bad_records_in_a_page_are_left_out_and_noted_in_the_warnings() {
        let plan = prepare(BASE, "", NOW).unwrap();
        let transport = fake(vec![
            page(
                &[
                    user(1),
                    r#"{"id":"u2","isSsprRegistered":"maybe"}"#.to_string(),
                ],
                None,
            ),
            page(&[], None),
        ]);
        let fetched = block_on(fetch_reports(&plan, &transport, |_| {})).unwrap();
        let requests = transport.requests.borrow();
        assert!(requests[0]
            .1
            .iter()
            .all(|(name, _)| *name != "Authorization"));
        assert_eq!((fetched.bad_records, fetched.dataset.user_count()), (1, 1));
        let warnings = fetched.dataset.warnings().messages();
        assert!(
            warnings
                .iter()
                .any(|m| m.contains("1 bad record of userRegistrationDetails")),
            "{warnings:?}"
        );
    }

    #[test]
    fn progress_says_what_is_read_and_why_it_waits() {
        let mut p = FetchProgress {
            collection: Some(Collection::EventsSummary),
            pages: 3,
            records: 2400,
            waiting: None,
        };
        assert_eq!(
            p.describe(),
            "Reading userEventsSummary: 3 pages, 2,400 records so far"
        );
        p.waiting = Some(RetryWait {
            status: 429,
            after_ms: 1_500,
            retry: 1,
        });
        assert_eq!(
            p.describe(),
            "The report backend is busy (429); retry 1 of 5 in 2 s. 3 pages, 2,400 records so far"
        );
    }
}
