//! The app's shared state: the loaded dataset (immutable, shared through an `Arc`), how loading
//! went, the app's base path, and the filters that live in the URL query. No parsing, no aggregates.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_router::{
    hooks::{use_location, use_navigate, use_query_map},
    params::ParamsMap,
    NavigateOptions,
};
use wasm_bindgen::JsCast;

use crate::model::{Dataset, Period, Population, RoleKind, UserKind};

/// Where loading stands. The dataset itself lives beside it, so that a failed or running load
/// never takes away data that is already on screen.
#[derive(Clone, Debug, PartialEq)]
pub enum LoadStatus {
    /// Nothing asked for yet.
    Idle,
    /// A load is running: `done` of `steps` steps finished, `what` says what happens now.
    Loading {
        what: String,
        done: usize,
        steps: usize,
    },
    /// The last load succeeded; `notes` are non-fatal remarks (records skipped, …).
    Loaded { notes: Vec<String> },
    /// The last load failed with a message a person can act on.
    Failed(String),
}

/// The state every page shares, provided once by the app shell as context.
///
/// ```text
/// let state = AppState::expect();
/// let users = move || state.dataset.with(|d| d.as_ref().map(|ds| ds.user_count()));
/// ```
#[derive(Clone, Copy)]
pub struct AppState {
    /// The loaded data. Read it with `.with` / `.read`: it can hold a million events.
    pub dataset: RwSignal<Option<Arc<Dataset>>>,
    pub status: RwSignal<LoadStatus>,
    /// The path the app is served under, without a trailing slash: `""` at the root, `"/sspr"`
    /// under a sub-path. Router base, prefix of internal links and of the sample's URLs.
    pub base: StoredValue<String>,
    /// True on phone-sized screens; charts are drawn for that width instead of shrunk.
    pub narrow: RwSignal<bool>,
}

impl AppState {
    pub fn new(base: impl Into<String>) -> Self {
        Self {
            dataset: RwSignal::new(None),
            status: RwSignal::new(LoadStatus::Idle),
            base: StoredValue::new(base.into()),
            narrow: RwSignal::new(false),
        }
    }

    /// Creates the state, provides it as context and returns it.
    pub fn provide(base: impl Into<String>) -> Self {
        let state = Self::new(base);
        provide_context(state);
        state
    }

    /// The state provided by the app shell.
    pub fn expect() -> Self {
        expect_context::<Self>()
    }

    /// Replaces the loaded data (one immutable value: nothing is patched in place).
    pub fn set_dataset(&self, dataset: Dataset, notes: Vec<String>) {
        self.dataset.set(Some(Arc::new(dataset)));
        self.status.set(LoadStatus::Loaded { notes });
    }

    /// `path` (which starts with `/`) under the app's base path, for `href`s.
    pub fn href(&self, path: &str) -> String {
        self.base.with_value(|base| format!("{base}{path}"))
    }
}

/// The app's base path, found from the URL of the boot script (`public/boot.js`), so that one
/// build works at the root and under any sub-path. `""` when there is no boot script (tests).
pub fn app_base() -> String {
    document()
        .query_selector("script[data-app-boot]")
        .ok()
        .flatten()
        .and_then(|el| el.dyn_into::<web_sys::HtmlScriptElement>().ok())
        .map(|script| base_path_of(&script.src()))
        .unwrap_or_default()
}

/// The directory of an absolute URL's path, without a trailing slash:
/// `https://host/sspr/boot.js?v=1` gives `/sspr`, `https://host/boot.js` gives `""`.
pub fn base_path_of(url: &str) -> String {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = after_scheme.find('/').map_or("/", |i| &after_scheme[i..]);
    let path = path.split(['?', '#']).next().unwrap_or("/");
    path[..path.rfind('/').unwrap_or(0)].to_string()
}

// ---- filters in the URL query (spec §2 table); a bad value means the default, never an error ----

pub const PERIOD_KEY: &str = "period";
pub const USERS_KEY: &str = "users";
pub const ROLES_KEY: &str = "roles";

/// The period named by `?period=`, or the default (7 days).
pub fn period_from(query: &ParamsMap) -> Period {
    query
        .get_str(PERIOD_KEY)
        .and_then(Period::parse)
        .unwrap_or_default()
}

/// The population named by `?users=` and `?roles=`, each defaulting to all.
pub fn population_from(query: &ParamsMap) -> Population {
    Population {
        users: query
            .get_str(USERS_KEY)
            .and_then(UserKind::parse)
            .unwrap_or_default(),
        roles: query
            .get_str(ROLES_KEY)
            .and_then(RoleKind::parse)
            .unwrap_or_default(),
    }
}

/// The period from the URL, as a memo (changes only when the period does).
pub fn use_period() -> Memo<Period> {
    let query = use_query_map();
    Memo::new(move |_| query.with(period_from))
}

/// The population from the URL, as a memo.
pub fn use_population() -> Memo<Population> {
    let query = use_query_map();
    Memo::new(move |_| query.with(population_from))
}

/// Returns a function that sets query keys in the current URL and navigates there (a new
/// history entry, so Back undoes a filter change; no scroll to the top).
///
/// ```text
/// let set_query = use_query_writer();
/// set_query(&[(PERIOD_KEY, "24h".to_string())]);
/// ```
pub fn use_query_writer() -> impl Fn(&[(&'static str, String)]) + Clone + 'static {
    let location = use_location();
    let navigate = use_navigate();
    move |changes: &[(&'static str, String)]| {
        let mut query = location.query.get_untracked();
        for (key, value) in changes {
            query.replace(*key, value.clone());
        }
        let url = format!(
            "{}{}{}",
            location.pathname.get_untracked(),
            query.to_query_string(),
            location.hash.get_untracked()
        );
        // The path already carries the base, so it must not be resolved against it again.
        navigate(
            &url,
            NavigateOptions {
                resolve: false,
                scroll: false,
                ..Default::default()
            },
        );
    }
}

/// Puts a whole query on the current path (the lists write their filter's `to_query()` this
/// way, so their URLs are always in the model's normal form). `Copy`, so event handlers and
/// callbacks can capture it freely.
///
/// ```text
/// let nav = QueryNavigator::new();
/// nav.go("capable=no", false); // a new history entry
/// nav.go("capable=no&q=ann", true); // in place of the current one (typing)
/// ```
/// The router's navigate function, boxed so that it can be stored.
type Navigate = Box<dyn Fn(&str, NavigateOptions)>;

#[derive(Clone, Copy)]
pub struct QueryNavigator {
    pathname: Memo<String>,
    hash: Memo<String>,
    navigate: StoredValue<Navigate, LocalStorage>,
}

impl QueryNavigator {
    /// For the route being rendered (call it in a component).
    pub fn new() -> Self {
        let location = use_location();
        let navigate = use_navigate();
        QueryNavigator {
            pathname: location.pathname,
            hash: location.hash,
            navigate: StoredValue::new_local(Box::new(navigate)),
        }
    }

    /// Navigates to `query` (without `?`; `""` for none) on the current path: a new history
    /// entry, or with `replace` in place of the current one.
    pub fn go(&self, query: &str, replace: bool) {
        let path = self.pathname.get_untracked();
        let hash = self.hash.get_untracked();
        let url = if query.is_empty() {
            format!("{path}{hash}")
        } else {
            format!("{path}?{query}{hash}")
        };
        self.navigate.with_value(|navigate| {
            // The path already carries the base, so it must not be resolved against it again.
            navigate(
                &url,
                NavigateOptions {
                    resolve: false,
                    replace,
                    scroll: false,
                    ..Default::default()
                },
            )
        });
    }
}

impl Default for QueryNavigator {
    fn default() -> Self {
        Self::new()
    }
}

/// `href` (a path, maybe with a query) with the current filters appended where they apply and
/// `href` does not set them itself: the population on every screen, the period on the overview
/// and the activity list. Defaults are left out, so links stay short.
///
/// ```text
/// // "/registrations?capable=no&users=guests"
/// link_with_filters("/registrations?capable=no", Period::Week, guests);
/// ```
pub fn link_with_filters(href: &str, period: Period, population: Population) -> String {
    let (path, own_query) = href.split_once('?').unwrap_or((href, ""));
    let mut params: Vec<String> = own_query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect();
    let period_applies = matches!(path, "/" | "" | "/activity");
    let wanted = [
        (
            USERS_KEY,
            population.users.id(),
            population.users != UserKind::default(),
        ),
        (
            ROLES_KEY,
            population.roles.id(),
            population.roles != RoleKind::default(),
        ),
        (
            PERIOD_KEY,
            period.id(),
            period_applies && period != Period::default(),
        ),
    ];
    for (key, value, wanted) in wanted {
        let set_by_href = params.iter().any(|p| p.split('=').next() == Some(key));
        if wanted && !set_by_href {
            params.push(format!("{key}={value}"));
        }
    }
    if params.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", params.join("&"))
    }
}
