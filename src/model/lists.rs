//! What the two lists share beyond their filters' fields: the [`ListFilter`] trait the shared
//! list page works through (the query, the search, the sort, clearing, and which rows a filter
//! chooses in which order), the sort after a header click, and the methods to filter by (those
//! that occur in the loaded data). Pure; the pages only render what it chooses.

use super::dataset::Dataset;
use super::filters::{
    event_order, filter_events_by_time, filter_events_in, filter_users_in, filter_users_selected,
    user_order, EventColumn, EventFilter, Sort, UserColumn, UserFilter,
};
use super::method::{Method, MethodCode, NO_METHOD};
use super::policy::PolicyInputs;

/// A list's column: its URL id, its header, and which way its first click sorts.
pub trait SortColumn: Copy + PartialEq + Send + Sync + 'static {
    /// Every column, in the order the list shows them.
    const ALL: &'static [Self];
    fn id(self) -> &'static str;
    fn label(self) -> &'static str;
    /// Times sort newest first on the first click, everything else A to Z.
    fn newest_first(self) -> bool;

    /// The column with URL id `id`.
    fn parse(id: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.id() == id)
    }
}

impl SortColumn for UserColumn {
    const ALL: &'static [UserColumn] = &UserColumn::ALL;
    fn id(self) -> &'static str {
        UserColumn::id(self)
    }
    fn label(self) -> &'static str {
        UserColumn::label(self)
    }
    fn newest_first(self) -> bool {
        self == UserColumn::LastUpdated
    }
}

impl SortColumn for EventColumn {
    const ALL: &'static [EventColumn] = &EventColumn::ALL;
    fn id(self) -> &'static str {
        EventColumn::id(self)
    }
    fn label(self) -> &'static str {
        EventColumn::label(self)
    }
    fn newest_first(self) -> bool {
        self == EventColumn::Date
    }
}

/// What a list screen's filter is to the shared list page: everything the URL query holds (the
/// column filters, the insight filters, the search and the sort), and the rows it chooses.
///
/// The sort is separate from the filtering: [`ListFilter::order`] computes the whole list in a
/// sort's order once per dataset and sort, and [`ListFilter::rows`] walks it, so a keystroke in
/// the search box never sorts again.
///
/// ```
/// use sspr_insights::model::lists::ListFilter;
/// use sspr_insights::model::{Dataset, UserFilter};
/// let ds = Dataset::default();
/// let filter = UserFilter::from_query("capable=no");
/// let order = UserFilter::order(&ds, filter.sort);
/// assert!(filter.rows(&ds, &order).is_empty());
/// assert!(filter.is_filtered() && !filter.cleared().is_filtered());
/// ```
pub trait ListFilter: Clone + PartialEq + Send + Sync + 'static {
    /// The list's columns.
    type Column: SortColumn;
    /// Every row of the loaded data in the order of one sort.
    type Order: PartialEq + Send + Sync + 'static;

    /// Reads the list's query (a leading `?` is allowed); the inherent `from_query` of each
    /// filter, for generic code.
    fn from_query(query: &str) -> Self;
    /// The query that reproduces this view, in normal form (defaults omitted).
    fn to_query(&self) -> String;
    fn search(&self) -> &str;
    fn set_search(&mut self, text: String);
    fn sort(&self) -> Sort<Self::Column>;
    fn set_sort(&mut self, sort: Sort<Self::Column>);
    /// The same view without column filters, insight filters and search: the population, the
    /// period and the sort are not filters one clears.
    fn cleared(&self) -> Self;
    /// How many rows the loaded data has (users, or events).
    fn total(ds: &Dataset) -> usize;
    /// Every row in the order of `sort`.
    fn order(ds: &Dataset, sort: Sort<Self::Column>) -> Self::Order;
    /// The rows this filter lets through, walking `order` (whatever sort it was made for).
    fn rows(&self, ds: &Dataset, order: &Self::Order) -> Vec<u32>;

    /// What the rows depend on beyond the dataset and the filter's fields: the what-if inputs
    /// held beside the dataset (spec §3.3), worked out once per filter rather than per
    /// keystroke; `None` when the filter uses none.
    fn selection(&self, _ds: &Dataset, _inputs: &PolicyInputs) -> Option<Vec<bool>> {
        None
    }

    /// [`ListFilter::rows`] given what [`ListFilter::selection`] gave.
    fn rows_selected(
        &self,
        ds: &Dataset,
        order: &Self::Order,
        _selection: Option<&[bool]>,
    ) -> Vec<u32> {
        self.rows(ds, order)
    }

    /// Whether any column filter, insight filter or search is in force.
    fn is_filtered(&self) -> bool {
        *self != self.cleared()
    }

    /// After a click on the header of the column with URL id `id` (see [`sort_after_click`]);
    /// an unknown id changes nothing.
    fn click_header(&mut self, id: &str) {
        if let Some(column) = Self::Column::parse(id) {
            self.set_sort(sort_after_click(self.sort(), column));
        }
    }

    /// Where a row's first cell links to (a path and query), when a row opens (the attempts
    /// list opens an attempt's steps); `None` for a list whose rows do not.
    fn row_link(&self, _ds: &Dataset, _row: u32) -> Option<String> {
        None
    }
}

impl ListFilter for UserFilter {
    type Column = UserColumn;
    /// Every user, sorted.
    type Order = Vec<u32>;

    fn from_query(query: &str) -> Self {
        UserFilter::from_query(query)
    }
    fn to_query(&self) -> String {
        UserFilter::to_query(self)
    }
    fn search(&self) -> &str {
        &self.search
    }
    fn set_search(&mut self, text: String) {
        self.search = text;
    }
    fn sort(&self) -> Sort<UserColumn> {
        self.sort
    }
    fn set_sort(&mut self, sort: Sort<UserColumn>) {
        self.sort = sort;
    }
    fn cleared(&self) -> Self {
        UserFilter {
            population: self.population,
            sort: self.sort,
            ..UserFilter::default()
        }
    }
    fn total(ds: &Dataset) -> usize {
        ds.user_count()
    }
    fn order(ds: &Dataset, sort: Sort<UserColumn>) -> Vec<u32> {
        user_order(ds, sort)
    }
    fn rows(&self, ds: &Dataset, order: &Vec<u32>) -> Vec<u32> {
        filter_users_in(ds, self, order)
    }
    fn selection(&self, ds: &Dataset, inputs: &PolicyInputs) -> Option<Vec<bool>> {
        self.whatif.as_ref().map(|w| w.users(ds, inputs))
    }
    fn rows_selected(
        &self,
        ds: &Dataset,
        order: &Vec<u32>,
        selection: Option<&[bool]>,
    ) -> Vec<u32> {
        filter_users_selected(ds, self, order, selection)
    }
}

/// Every event in the order of one sort.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventOrder {
    /// By date: the events are stored in time order, so no permutation is needed; the filter
    /// walks the period's slice from either end.
    ByTime { newest_first: bool },
    /// By another column: every event, sorted (stable: ties keep time order).
    Sorted(Vec<u32>),
}

impl ListFilter for EventFilter {
    type Column = EventColumn;
    type Order = EventOrder;

    fn from_query(query: &str) -> Self {
        EventFilter::from_query(query)
    }
    fn to_query(&self) -> String {
        EventFilter::to_query(self)
    }
    fn search(&self) -> &str {
        &self.search
    }
    fn set_search(&mut self, text: String) {
        self.search = text;
    }
    fn sort(&self) -> Sort<EventColumn> {
        self.sort
    }
    fn set_sort(&mut self, sort: Sort<EventColumn>) {
        self.sort = sort;
    }
    fn cleared(&self) -> Self {
        EventFilter {
            period: self.period,
            population: self.population,
            sort: self.sort,
            ..EventFilter::default()
        }
    }
    fn total(ds: &Dataset) -> usize {
        ds.event_count()
    }
    fn order(ds: &Dataset, sort: Sort<EventColumn>) -> EventOrder {
        if sort.column == EventColumn::Date {
            EventOrder::ByTime {
                newest_first: sort.descending,
            }
        } else {
            EventOrder::Sorted(event_order(ds, sort))
        }
    }
    fn rows(&self, ds: &Dataset, order: &EventOrder) -> Vec<u32> {
        match order {
            EventOrder::ByTime { newest_first } => filter_events_by_time(ds, self, *newest_first),
            EventOrder::Sorted(order) => filter_events_in(ds, self, order),
        }
    }
}

/// The sort after a click on `column`'s header: the same column flips its direction, another
/// column starts ascending (times: newest first).
///
/// ```
/// use sspr_insights::model::{lists::sort_after_click, EventColumn, Sort};
/// let by_date = Sort::<EventColumn>::default(); // newest first
/// let by_name = sort_after_click(by_date, EventColumn::Name);
/// assert_eq!(by_name, Sort { column: EventColumn::Name, descending: false });
/// assert!(sort_after_click(by_name, EventColumn::Name).descending);
/// ```
pub fn sort_after_click<C: SortColumn>(current: Sort<C>, column: C) -> Sort<C> {
    if current.column == column {
        Sort {
            column,
            descending: !current.descending,
        }
    } else {
        Sort {
            column,
            descending: column.newest_first(),
        }
    }
}

/// The methods at least one user has registered.
///
/// ```
/// use sspr_insights::model::{lists::user_methods, Dataset};
/// assert!(user_methods(&Dataset::default()).is_empty());
/// ```
pub fn user_methods(ds: &Dataset) -> Vec<Method> {
    let mut seen = Vec::new();
    for user in ds.users() {
        mark(&mut seen, user.method_codes().iter().copied());
    }
    methods_of(ds, &seen)
}

/// The methods at least one event (registration or reset) used.
pub fn event_methods(ds: &Dataset) -> Vec<Method> {
    let mut seen = Vec::new();
    mark(&mut seen, ds.events().map(|e| e.method_code()));
    methods_of(ds, &seen)
}

fn mark(seen: &mut Vec<bool>, codes: impl Iterator<Item = MethodCode>) {
    for code in codes.filter(|&c| c != NO_METHOD) {
        let i = code as usize;
        if i >= seen.len() {
            seen.resize(i + 1, false);
        }
        seen[i] = true;
    }
}

fn methods_of(ds: &Dataset, seen: &[bool]) -> Vec<Method> {
    let table = ds.method_table();
    seen.iter()
        .enumerate()
        .filter(|(_, &seen)| seen)
        .filter_map(|(code, _)| table.method(code as MethodCode))
        .collect()
}
