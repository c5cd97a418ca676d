//! What the two list screens share (spec §2): the filter in the URL with the live search, the sort
//! permutation and the filtered rows as memos, "N of M", Download CSV, the virtual table and the
//! empty states. One code path serves both lists (the filter is an enum, not a type parameter),
//! so the download carries it once; the route files add their columns' cells and filter controls.
//!
//! The sort is a memo of its own (a full permutation, computed once per dataset and sort), and
//! the filter walks it: a keystroke in the search box never sorts again.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::components::list_controls::{use_live_search, ListCount, ListFooter, NoData, SearchBox};
use crate::components::period_control::PeriodControl;
use crate::components::population_control::PopulationControl;
use crate::components::virtual_table::{Cell, Column, SortState, VirtualTable};
use crate::model::export::{activity_csv, registrations_csv};
use crate::model::lists::sort_after_click;
use crate::model::{
    event_order, filter_events, filter_events_in, filter_users_in, user_order, Dataset,
    EventColumn, EventFilter, Sort, UserColumn, UserFilter,
};
use crate::state::{AppState, QueryNavigator};

/// Which list a page shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListKind {
    Registrations,
    Activity,
}

impl ListKind {
    /// The list's name in file names and for the stylesheet.
    pub fn id(self) -> &'static str {
        match self {
            ListKind::Registrations => "registrations",
            ListKind::Activity => "activity",
        }
    }

    fn title(self) -> &'static str {
        match self {
            ListKind::Registrations => "Registration details",
            ListKind::Activity => "Activity",
        }
    }

    fn noun(self) -> &'static str {
        match self {
            ListKind::Registrations => "users",
            ListKind::Activity => "events",
        }
    }

    fn columns(self) -> Vec<Column> {
        match self {
            ListKind::Registrations => UserColumn::ALL
                .iter()
                .map(|c| Column {
                    id: c.id(),
                    label: c.label(),
                })
                .collect(),
            ListKind::Activity => EventColumn::ALL
                .iter()
                .map(|c| Column {
                    id: c.id(),
                    label: c.label(),
                })
                .collect(),
        }
    }

    /// Rows in the loaded data: users, or events.
    fn total(self, ds: &Dataset) -> usize {
        match self {
            ListKind::Registrations => ds.user_count(),
            ListKind::Activity => ds.event_count(),
        }
    }

    /// The cells of a row (a user or an event index).
    fn cells(self, ds: &Dataset, index: u32) -> Vec<Cell> {
        if index as usize >= self.total(ds) {
            return Vec::new();
        }
        match self {
            ListKind::Registrations => super::registrations::user_cells(ds, index),
            ListKind::Activity => super::activity::event_cells(ds, index),
        }
    }

    /// The download of exactly `rows`, in their order (spec §5).
    fn csv(self, ds: &Dataset, rows: &[u32]) -> Vec<u8> {
        match self {
            ListKind::Registrations => registrations_csv(ds, rows),
            ListKind::Activity => activity_csv(ds, rows),
        }
    }
}

/// A list's filter, search and sort: what the URL query holds.
#[derive(Clone, Debug, PartialEq)]
pub enum ListFilter {
    Users(UserFilter),
    Events(EventFilter),
}

/// What the sort permutation depends on.
#[derive(Clone, Copy, Debug, PartialEq)]
enum OrderKey {
    Users(Sort<UserColumn>),
    Events(Sort<EventColumn>),
}

impl ListFilter {
    fn parse(kind: ListKind, query: &str) -> ListFilter {
        match kind {
            ListKind::Registrations => ListFilter::Users(UserFilter::from_query(query)),
            ListKind::Activity => ListFilter::Events(EventFilter::from_query(query)),
        }
    }

    pub fn to_query(&self) -> String {
        match self {
            ListFilter::Users(f) => f.to_query(),
            ListFilter::Events(f) => f.to_query(),
        }
    }

    fn search(&self) -> &str {
        match self {
            ListFilter::Users(f) => &f.search,
            ListFilter::Events(f) => &f.search,
        }
    }

    fn set_search(&mut self, text: String) {
        match self {
            ListFilter::Users(f) => f.search = text,
            ListFilter::Events(f) => f.search = text,
        }
    }

    fn order_key(&self) -> OrderKey {
        match self {
            ListFilter::Users(f) => OrderKey::Users(f.sort),
            ListFilter::Events(f) => OrderKey::Events(f.sort),
        }
    }

    fn sort_state(&self) -> SortState {
        match self {
            ListFilter::Users(f) => SortState {
                column: f.sort.column.id(),
                descending: f.sort.descending,
            },
            ListFilter::Events(f) => SortState {
                column: f.sort.column.id(),
                descending: f.sort.descending,
            },
        }
    }

    /// After a click on the header of the column `id`.
    fn click_sort(&mut self, id: &str) {
        match self {
            ListFilter::Users(f) => {
                if let Some(column) = UserColumn::parse(id) {
                    f.sort = sort_after_click(f.sort, column);
                }
            }
            ListFilter::Events(f) => {
                if let Some(column) = EventColumn::parse(id) {
                    f.sort = sort_after_click(f.sort, column);
                }
            }
        }
    }

    /// Whether any column filter, insight filter or search is in force (the population, the
    /// period and the sort are not filters one clears).
    fn is_filtered(&self) -> bool {
        *self != self.cleared()
    }

    /// The same view without column filters, insight filters and search.
    fn cleared(&self) -> ListFilter {
        match self {
            ListFilter::Users(f) => ListFilter::Users(UserFilter {
                population: f.population,
                sort: f.sort,
                ..UserFilter::default()
            }),
            ListFilter::Events(f) => ListFilter::Events(EventFilter {
                period: f.period,
                population: f.population,
                sort: f.sort,
                ..EventFilter::default()
            }),
        }
    }

    /// The rows of this view, walking `order` (from [`order_of`]); sorted by date, the events'
    /// own time order serves and there is no permutation.
    fn rows(&self, ds: &Dataset, order: Option<&[u32]>) -> Vec<u32> {
        match (self, order) {
            (ListFilter::Users(f), Some(order)) => filter_users_in(ds, f, order),
            (ListFilter::Events(f), Some(order)) => filter_events_in(ds, f, order),
            (ListFilter::Events(f), None) if f.sort.column == EventColumn::Date => {
                filter_events(ds, f)
            }
            _ => Vec::new(),
        }
    }
}

/// The sort permutation for a key; `None` where time order is the order.
fn order_of(ds: &Dataset, key: OrderKey) -> Option<Vec<u32>> {
    match key {
        OrderKey::Users(sort) => Some(user_order(ds, sort)),
        OrderKey::Events(sort) if sort.column == EventColumn::Date => None,
        OrderKey::Events(sort) => Some(event_order(ds, sort)),
    }
}

/// The state of a list page, shared with its filter controls. `Copy`.
#[derive(Clone, Copy)]
pub struct ListState {
    pub kind: ListKind,
    /// The filter as the URL has it (the search there may lag the box while typing).
    pub url_filter: Memo<ListFilter>,
    /// The filter in force: the URL's, with the search box's text.
    pub filter: Memo<ListFilter>,
    /// The matching rows (user or event indexes), in the sort order.
    pub rows: Memo<Vec<u32>>,
    search: RwSignal<String>,
    on_search: Callback<String>,
    nav: QueryNavigator,
}

impl ListState {
    /// For the route being rendered.
    pub fn new(kind: ListKind) -> ListState {
        let state = AppState::expect();
        let location = use_location();
        let nav = QueryNavigator::new();
        let url_filter = Memo::new(move |_| location.search.with(|q| ListFilter::parse(kind, q)));
        let (search, on_search) = use_live_search(
            Signal::derive(move || url_filter.with(|f| f.search().to_string())),
            move |text| {
                let mut filter = url_filter.get_untracked();
                filter.set_search(text);
                nav.go(&filter.to_query(), true);
            },
        );
        let filter = Memo::new(move |_| {
            let mut filter = url_filter.get();
            filter.set_search(search.get());
            filter
        });
        let order_key = Memo::new(move |_| url_filter.with(ListFilter::order_key));
        let order = Memo::new(move |_| {
            let key = order_key.get();
            state
                .dataset
                .with(|d| d.as_deref().and_then(|ds| order_of(ds, key).map(Arc::new)))
        });
        let rows = Memo::new(move |_| {
            order.with(|order| {
                filter.with(|filter| {
                    state.dataset.with(|d| {
                        d.as_deref()
                            .map(|ds| filter.rows(ds, order.as_deref().map(Vec::as_slice)))
                            .unwrap_or_default()
                    })
                })
            })
        });
        ListState {
            kind,
            url_filter,
            filter,
            rows,
            search,
            on_search,
            nav,
        }
    }

    /// A change of any filter: a new history entry with the whole filter, search included.
    pub fn apply(&self, change: &dyn Fn(&mut ListFilter)) {
        let mut next = self.filter.get_untracked();
        change(&mut next);
        self.nav.go(&next.to_query(), false);
    }

    /// Changes the registration details' filter (nothing on the activity list).
    pub fn apply_users(&self, change: &dyn Fn(&mut UserFilter)) {
        self.apply(&|f| {
            if let ListFilter::Users(f) = f {
                change(f)
            }
        });
    }

    /// Changes the activity list's filter (nothing on the registration details).
    pub fn apply_events(&self, change: &dyn Fn(&mut EventFilter)) {
        self.apply(&|f| {
            if let ListFilter::Events(f) = f {
                change(f)
            }
        });
    }

    /// The registration details' filter from the URL (the default on the other list).
    pub fn users(&self) -> UserFilter {
        self.url_filter.with(|f| match f {
            ListFilter::Users(f) => f.clone(),
            ListFilter::Events(_) => UserFilter::default(),
        })
    }

    /// The activity list's filter from the URL (the default on the other list).
    pub fn events(&self) -> EventFilter {
        self.url_filter.with(|f| match f {
            ListFilter::Events(f) => f.clone(),
            ListFilter::Users(_) => EventFilter::default(),
        })
    }
}

/// A list screen: heading and scope, the period (activity) and population controls, the search
/// and the page's own `filters`, the count line with the page's `chips`, the table, the note.
#[component]
pub fn ListPage(
    list: ListState,
    /// What the search box's label says.
    search_label: &'static str,
    /// The column filters (selects, the methods multi-select).
    filters: AnyView,
    /// Removable chips for filters an insight link set (each hides itself when not in force).
    chips: AnyView,
    /// The message when no row matches although the data has rows.
    #[prop(into)]
    no_match: Signal<String>,
) -> impl IntoView {
    let state = AppState::expect();
    let kind = list.kind;
    let rows = list.rows;
    let shown = Signal::derive(move || rows.with(Vec::len));
    let total = Signal::derive(move || {
        state
            .dataset
            .with(|d| d.as_deref().map_or(0, |ds| kind.total(ds)))
    });
    let cells = Callback::new(move |position: usize| {
        let Some(index) = rows.with(|r| r.get(position).copied()) else {
            return Vec::new();
        };
        state.dataset.with(|d| {
            d.as_deref()
                .map(|ds| kind.cells(ds, index))
                .unwrap_or_default()
        })
    });
    let on_sort = Callback::new(move |id: &'static str| list.apply(&|f| f.click_sort(id)));
    let sort = Signal::derive(move || list.url_filter.with(ListFilter::sort_state));
    let filtered = Signal::derive(move || list.filter.with(ListFilter::is_filtered));
    let clear = Callback::new(move |()| list.apply(&|f| *f = f.cleared()));
    let download = Callback::new(move |()| {
        state.dataset.with_untracked(|d| {
            d.as_deref()
                .map(|ds| rows.with_untracked(|rows| kind.csv(ds, rows)))
        })
    });
    let scope = move || {
        list.url_filter.with(|f| match f {
            ListFilter::Users(f) => {
                format!(
                    "{} · {}",
                    f.population.users.label(),
                    f.population.roles.label()
                )
            }
            ListFilter::Events(f) => format!(
                "{} · {} · last {}",
                f.population.users.label(),
                f.population.roles.label(),
                f.period.label()
            ),
        })
    };
    let view_key = Signal::derive(move || list.filter.with(ListFilter::to_query));
    let empty = move || {
        let message = move || {
            if total.get() == 0 {
                match kind {
                    ListKind::Registrations => "The loaded data has no registration details.",
                    ListKind::Activity => "The loaded data has no registration or reset events.",
                }
                .to_string()
            } else {
                no_match.get()
            }
        };
        view! {
            <p>{message}</p>
            <button
                type="button"
                class="link-button"
                prop:hidden=move || !filtered.get()
                on:click=move |_| clear.run(())
            >
                "Clear the filters"
            </button>
        }
    };
    let title = kind.title();

    view! {
        <div class=format!("page list-page {}", kind.id())>
            <div class="page-head">
                <div>
                    <h1>{title}</h1>
                    <p class="scope muted">{scope}</p>
                </div>
                <div class="controls">
                    {(kind == ListKind::Activity).then(|| view! { <PeriodControl/> })}
                    <PopulationControl/>
                </div>
            </div>
            <NoData/>
            <section
                class="card list-card"
                aria-label=title
                prop:hidden=move || state.dataset.with(Option::is_none)
            >
                <div class="list-filters">
                    <SearchBox label=search_label text=list.search on_input=list.on_search/>
                    {filters}
                </div>
                <ListCount
                    shown=shown
                    total=total
                    noun=kind.noun()
                    filtered=filtered
                    clear=clear
                    download=download
                    list=kind.id()
                >
                    {chips}
                </ListCount>
                <VirtualTable
                    label=title
                    list=kind.id()
                    columns=kind.columns()
                    sort=sort
                    on_sort=on_sort
                    row_count=shown
                    cells=cells
                    view_key=view_key
                    empty=empty
                />
                <ListFooter/>
            </section>
        </div>
    }
    .into_any()
}
