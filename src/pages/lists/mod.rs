//! The list screens (spec §2) and what they share: the filter in the URL with the live search,
//! the sort order and the filtered rows as memos, "N of M", Download CSV, the virtual table and
//! the empty states. Each list's file hands this page a static [`ListDescription`] (title, noun,
//! how a row reads, how it downloads) and its own filter controls; the model's
//! [`ListFilter`] says which rows a filter chooses. This file knows neither list.
//!
//! The sort is a memo of its own (every row in the sort's order, computed once per dataset and
//! sort), and the filter walks it: a keystroke in the search box never sorts again.

pub mod activity;
pub mod registrations;

use std::sync::Arc;

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::components::list_controls::{use_live_search, ListCount, ListFooter, NoData, SearchBox};
use crate::components::period_control::PeriodControl;
use crate::components::population_control::PopulationControl;
use crate::components::virtual_table::{Cell, Column, SortState, VirtualTable};
use crate::model::lists::{ListFilter, SortColumn};
use crate::model::Dataset;
use crate::state::{AppState, HistoryEntry, QueryNavigator};

/// What the shared page needs to know of one list, beyond its filter type: one `static` per
/// list file.
pub struct ListDescription<F> {
    /// The list's name in download file names, for the stylesheet and for tests.
    pub id: &'static str,
    /// The heading, also the table's accessible name.
    pub title: &'static str,
    /// What the rows are, after "N of M".
    pub noun: &'static str,
    /// What the search box's label says.
    pub search_label: &'static str,
    /// The message when the loaded data has no rows at all.
    pub no_rows: &'static str,
    /// Whether the period applies, so that its control shows beside the population's.
    pub has_period: bool,
    /// The line under the heading: the population (and the period) the list covers.
    pub scope: fn(&F) -> String,
    /// The cells of one row (a user or an event index), as the table shows them.
    pub cells: fn(&Dataset, u32) -> Vec<Cell>,
    /// The download of exactly these rows, in their order (spec §5).
    pub csv: fn(&Dataset, &[u32]) -> Vec<u8>,
}

/// Every row of one dataset in one sort's order, kept with that dataset, so that the rows are
/// always walked (and their cells read) over the very data they index.
struct SortedList<O> {
    data: Arc<Dataset>,
    order: O,
}

impl<O: PartialEq> PartialEq for SortedList<O> {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.data, &other.data) && self.order == other.order
    }
}

/// The state of a list page, shared with the list's filter controls. `Copy`.
pub struct ListState<F: ListFilter> {
    pub description: &'static ListDescription<F>,
    /// The filter as the URL has it (the search there may lag the box while typing).
    pub url_filter: Memo<F>,
    /// The filter in force: the URL's, with the search box's text.
    pub filter: Memo<F>,
    /// The matching rows (user or event indexes), in the sort order.
    pub rows: Memo<Vec<u32>>,
    sorted: Memo<Option<Arc<SortedList<F::Order>>>>,
    search: RwSignal<String>,
    on_search: Callback<String>,
    nav: QueryNavigator,
}

impl<F: ListFilter> Clone for ListState<F> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<F: ListFilter> Copy for ListState<F> {}

impl<F: ListFilter> ListState<F> {
    /// For the route being rendered.
    pub fn new(description: &'static ListDescription<F>) -> ListState<F> {
        let state = AppState::expect();
        let location = use_location();
        let nav = QueryNavigator::new();
        let url_filter = Memo::new(move |_| location.search.with(|query| F::from_query(query)));
        let (search, on_search) = use_live_search(
            Signal::derive(move || url_filter.with(|f| f.search().to_string())),
            move |text| {
                let mut filter = url_filter.get_untracked();
                filter.set_search(text);
                nav.go(&filter.to_query(), HistoryEntry::Replace);
            },
        );
        let filter = Memo::new(move |_| {
            let mut filter = url_filter.get();
            filter.set_search(search.get());
            filter
        });
        let sort = Memo::new(move |_| url_filter.with(F::sort));
        let sorted = Memo::new(move |_| {
            let sort = sort.get();
            state.dataset.with(|d| {
                d.as_ref().map(|data| {
                    Arc::new(SortedList {
                        order: F::order(data, sort),
                        data: Arc::clone(data),
                    })
                })
            })
        });
        // What the rows depend on beyond the filter (the what-if inputs beside the dataset):
        // once per filter in the URL, not per keystroke in the search box.
        let selection = Memo::new(move |_| {
            sorted.with(|sorted| {
                url_filter.with(|filter| {
                    let data = &sorted.as_deref()?.data;
                    state.inputs.with(|inputs| filter.selection(data, inputs))
                })
            })
        });
        let rows = Memo::new(move |_| {
            sorted.with(|sorted| {
                filter.with(|filter| {
                    selection.with(|selection| {
                        sorted
                            .as_deref()
                            .map(|s| filter.rows_selected(&s.data, &s.order, selection.as_deref()))
                            .unwrap_or_default()
                    })
                })
            })
        });
        ListState {
            description,
            url_filter,
            filter,
            rows,
            sorted,
            search,
            on_search,
            nav,
        }
    }

    /// A change of any filter: a new history entry with the whole filter, search included.
    pub fn apply(&self, change: impl FnOnce(&mut F)) {
        let mut next = self.filter.get_untracked();
        change(&mut next);
        self.nav.go(&next.to_query(), HistoryEntry::New);
    }
}

/// A list screen: the list's heading and scope, the period (where it applies) and population
/// controls, the search and the list's own `filters`, the count line with its `chips`, the
/// table and the note. The parts that depend on the filter type are turned into signals and
/// callbacks here; [`ListLayout`] lays them out (one copy in the download for both lists).
#[component]
pub fn ListPage<F: ListFilter>(
    list: ListState<F>,
    /// The column filters (selects, the methods multi-select).
    filters: AnyView,
    /// Removable chips for filters an insight link set (each hides itself when not in force).
    chips: AnyView,
    /// The message when no row matches although the data has rows.
    #[prop(into)]
    no_match: Signal<String>,
    /// What goes between the controls and the list (the attempts' charts).
    #[prop(optional)]
    head: Option<AnyView>,
    /// What goes inside the list's card above the rows (the open attempt's steps).
    #[prop(optional)]
    detail: Option<AnyView>,
) -> impl IntoView {
    let state = AppState::expect();
    let description = list.description;
    let rows = list.rows;
    let sorted = list.sorted;
    let total = Signal::derive(move || {
        state
            .dataset
            .with(|d| d.as_deref().map_or(0, |ds| F::total(ds)))
    });
    let cells = Callback::new(move |position: usize| {
        let Some(index) = rows.with(|r| r.get(position).copied()) else {
            return Vec::new();
        };
        sorted.with(|s| {
            s.as_deref()
                .map(|s| {
                    let mut cells = (description.cells)(&s.data, index);
                    let link = list.filter.with(|f| f.row_link(&s.data, index));
                    if let (Some(href), Some(first)) = (link, cells.first_mut()) {
                        first.href = Some(state.href(&href));
                    }
                    cells
                })
                .unwrap_or_default()
        })
    });
    let download = Callback::new(move |()| {
        sorted.with_untracked(|s| {
            s.as_deref()
                .map(|s| rows.with_untracked(|rows| (description.csv)(&s.data, rows)))
        })
    });
    let sort = Signal::derive(move || {
        list.url_filter.with(|f| {
            let sort = f.sort();
            SortState {
                column: sort.column.id(),
                descending: sort.descending,
            }
        })
    });
    let columns = F::Column::ALL
        .iter()
        .map(|c| Column {
            id: c.id(),
            label: c.label(),
        })
        .collect();
    view! {
        <ListLayout
            id=description.id
            title=description.title
            noun=description.noun
            search_label=description.search_label
            no_rows=description.no_rows
            has_period=description.has_period
            scope=Signal::derive(move || list.url_filter.with(description.scope))
            search=list.search
            on_search=list.on_search
            filters=filters
            chips=chips
            shown=Signal::derive(move || rows.with(Vec::len))
            total=total
            filtered=Signal::derive(move || list.filter.with(F::is_filtered))
            clear=Callback::new(move |()| list.apply(|f| *f = f.cleared()))
            download=download
            columns=columns
            sort=sort
            on_sort=Callback::new(move |id: &'static str| list.apply(|f| f.click_header(id)))
            cells=cells
            view_key=Signal::derive(move || list.filter.with(F::to_query))
            no_match=no_match
            head=head
            detail=detail
        />
    }
}

/// The layout of a list screen, for any list (see [`ListPage`]).
#[component]
fn ListLayout(
    id: &'static str,
    title: &'static str,
    noun: &'static str,
    search_label: &'static str,
    no_rows: &'static str,
    has_period: bool,
    scope: Signal<String>,
    search: RwSignal<String>,
    on_search: Callback<String>,
    filters: AnyView,
    chips: AnyView,
    shown: Signal<usize>,
    total: Signal<usize>,
    filtered: Signal<bool>,
    clear: Callback<()>,
    download: Callback<(), Option<Vec<u8>>>,
    columns: Vec<Column>,
    sort: Signal<SortState>,
    on_sort: Callback<&'static str>,
    cells: Callback<usize, Vec<Cell>>,
    view_key: Signal<String>,
    no_match: Signal<String>,
    head: Option<AnyView>,
    detail: Option<AnyView>,
) -> impl IntoView {
    let state = AppState::expect();
    let empty = move || {
        let message = move || {
            if total.get() == 0 {
                no_rows.to_string()
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

    view! {
        <div class=format!("page list-page {id}")>
            <div class="page-head">
                <div>
                    <h1>{title}</h1>
                    <p class="scope muted">{scope}</p>
                </div>
                <div class="controls">
                    {has_period.then(|| view! { <PeriodControl/> })}
                    <PopulationControl/>
                </div>
            </div>
            <NoData/>
            {head}
            <section
                class="card list-card"
                aria-label=title
                prop:hidden=move || state.dataset.with(Option::is_none)
            >
                <div class="list-filters">
                    <SearchBox label=search_label text=search on_input=on_search/>
                    {filters}
                </div>
                <ListCount
                    shown=shown
                    total=total
                    noun=noun
                    filtered=filtered
                    clear=clear
                    download=download
                    list=id
                >
                    {chips}
                </ListCount>
                {detail}
                <VirtualTable
                    label=title
                    list=id
                    columns=columns
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
