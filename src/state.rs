//! The app's shared state: the loaded dataset (immutable, shared through an `Arc`), how loading
//! went and the base path (context), the filters the URL holds (as memos), and the one navigator
//! that writes the URL. What the URL says is `model::query`'s business; no parsing here, no
//! aggregates (a new dataset's warm-up is `data::warm_up`'s).

use std::sync::Arc;

use leptos::prelude::*;
use leptos_router::{
    hooks::{use_location, use_navigate},
    NavigateOptions,
};

use crate::model::query::{parse_pairs, period_of, population_of, with_values};
use crate::model::{Dataset, Period, PolicyInputs, Population};

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
    /// The what-if inputs loaded beside the dataset (a group's member list, the authentication
    /// methods policy). They stay when the registration data is replaced; Clear removes them.
    pub inputs: RwSignal<PolicyInputs>,
}

impl AppState {
    pub fn new(base: impl Into<String>) -> Self {
        Self {
            dataset: RwSignal::new(None),
            status: RwSignal::new(LoadStatus::Idle),
            base: StoredValue::new(base.into()),
            narrow: RwSignal::new(false),
            inputs: RwSignal::new(PolicyInputs::default()),
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
        let dataset = Arc::new(dataset);
        self.dataset.set(Some(dataset.clone()));
        crate::data::warm_up::rank_people(dataset, self.dataset);
        self.status.set(LoadStatus::Loaded { notes });
    }

    /// Adds what-if inputs: each one `inputs` holds replaces the one of its kind held before.
    pub fn add_inputs(&self, inputs: PolicyInputs) {
        if !inputs.is_empty() {
            self.inputs.update(|held| held.replace_with(inputs));
        }
    }

    /// `path` (which starts with `/`) under the app's base path, for `href`s.
    pub fn href(&self, path: &str) -> String {
        self.base.with_value(|base| format!("{base}{path}"))
    }
}

/// The period the URL names, as a memo (changes only when the period does; a bad value means
/// the default).
pub fn use_period() -> Memo<Period> {
    let location = use_location();
    Memo::new(move |_| location.search.with(|query| period_of(&parse_pairs(query))))
}

/// The population the URL names, as a memo.
pub fn use_population() -> Memo<Population> {
    let location = use_location();
    Memo::new(move |_| {
        location
            .search
            .with(|query| population_of(&parse_pairs(query)))
    })
}

/// Where a navigation leaves the page the user came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HistoryEntry {
    /// A new entry: Back returns to the view before (a filter change).
    New,
    /// In place of the current entry (the search box, while typing).
    Replace,
}

/// The router's navigate function, boxed so that it can be stored.
type Navigate = Box<dyn Fn(&str, NavigateOptions)>;

/// The one way the app changes its URL: a new query on the current path (the hash kept, no
/// scroll to the top). `Copy`, so event handlers and callbacks can capture it freely.
///
/// ```text
/// let nav = QueryNavigator::new();
/// nav.set(&[(key::PERIOD, "24h")]); // one key changed, the rest of the query kept
/// nav.go("capable=no", HistoryEntry::New); // the lists write their whole filter's query
/// nav.go("capable=no&q=ann", HistoryEntry::Replace); // while typing
/// ```
#[derive(Clone, Copy)]
pub struct QueryNavigator {
    pathname: Memo<String>,
    search: Memo<String>,
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
            search: location.search,
            hash: location.hash,
            navigate: StoredValue::new_local(Box::new(navigate)),
        }
    }

    /// Navigates to `query` (without `?`; `""` for none) on the current path.
    pub fn go(&self, query: &str, entry: HistoryEntry) {
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
                    replace: entry == HistoryEntry::Replace,
                    scroll: false,
                    ..Default::default()
                },
            )
        });
    }

    /// Sets `changes` (key, value) in the current query and navigates there, a new history
    /// entry, so that Back undoes the change (see `query::with_values`).
    pub fn set(&self, changes: &[(&str, &str)]) {
        let query = self
            .search
            .with_untracked(|query| with_values(query, changes));
        self.go(&query, HistoryEntry::New);
    }
}

impl Default for QueryNavigator {
    fn default() -> Self {
        Self::new()
    }
}
