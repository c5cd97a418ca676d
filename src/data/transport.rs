//! The browser's HTTP transport for the report backend (not the `backend/` server): sends the
//! requests that `live_fetch` asks for with `fetch` through gloo-net (no redirects, no referrer,
//! no cookies, no cache, abortable), waits, and cancels. The rules (addresses, retries, roles,
//! messages) are `report_api`'s; the walk is `live_fetch`'s.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo_net::http::Request;
use web_sys::{
    AbortController, ReferrerPolicy, RequestCache, RequestCredentials, RequestInit, RequestMode,
    RequestRedirect,
};

use super::live_fetch::{fetch_reports, Answer, FetchEnd, FetchProgress, Fetched, Transport};
use super::pause::sleep_unless_cancelled;
use super::report_api::Prepared;
use crate::model::Millis;

/// Cancels a running fetch: the request in flight is aborted, a wait ends early, and the fetch
/// ends with [`FetchEnd::Cancelled`]. Cloning shares it.
#[derive(Clone, Default)]
pub struct Cancel {
    cancelled: Rc<Cell<bool>>,
    in_flight: Rc<RefCell<Option<AbortController>>>,
}

impl Cancel {
    pub fn new() -> Cancel {
        Cancel::default()
    }

    /// Stops the fetch now.
    pub fn cancel(&self) {
        self.cancelled.set(true);
        if let Some(controller) = self.in_flight.borrow_mut().take() {
            controller.abort();
        }
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.get()
    }
}

/// The browser's transport: `fetch` through gloo-net.
struct BrowserTransport {
    cancel: Cancel,
}

impl Transport for BrowserTransport {
    async fn get(&self, url: &str, headers: &[(&'static str, String)]) -> Result<Answer, String> {
        let controller = AbortController::new().map_err(|_| "the request could not be set up")?;
        let init = RequestInit::new();
        init.set_method("GET");
        init.set_mode(RequestMode::Cors);
        // A redirect could lead the token elsewhere: refuse it (the answer is a network error).
        init.set_redirect(RequestRedirect::Error);
        init.set_credentials(RequestCredentials::Omit);
        init.set_referrer_policy(ReferrerPolicy::NoReferrer);
        init.set_cache(RequestCache::NoStore);
        init.set_signal(Some(&controller.signal()));
        let request = web_sys::Request::new_with_str_and_init(url, &init)
            .map_err(|_| "the address could not be used for a request".to_string())?;
        let request_headers = request.headers();
        for (name, value) in headers {
            request_headers
                .set(name, value)
                .map_err(|_| format!("the {name} header could not be set"))?;
        }
        *self.cancel.in_flight.borrow_mut() = Some(controller);
        let result = async {
            let response = Request::from(request)
                .send()
                .await
                .map_err(|e| e.to_string())?;
            let status = response.status();
            let retry_after = response.headers().get("Retry-After");
            let body = response.binary().await.map_err(|e| e.to_string())?;
            Ok(Answer {
                status,
                retry_after,
                body,
            })
        }
        .await;
        self.cancel.in_flight.borrow_mut().take();
        result
    }

    async fn wait(&self, ms: u64) -> bool {
        sleep_unless_cancelled(ms, &self.cancel.cancelled).await
    }

    fn cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }

    fn now(&self) -> Millis {
        js_sys::Date::now() as Millis
    }
}

/// Fetches both reports from the backend of `plan` (see [`fetch_reports`]): the dataset is
/// returned only when every page has arrived.
///
/// ```text
/// let cancel = Cancel::new();
/// let result = fetch_live(&plan, cancel.clone(), |p| progress.set(Some(p.clone()))).await;
/// ```
pub async fn fetch_live(
    plan: &Prepared,
    cancel: Cancel,
    on_progress: impl FnMut(&FetchProgress),
) -> Result<Fetched, FetchEnd> {
    fetch_reports(plan, &BrowserTransport { cancel }, on_progress).await
}
