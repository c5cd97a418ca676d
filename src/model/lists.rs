//! What the two lists offer beyond the filters themselves: the methods to filter by (those that
//! occur in the loaded data) and how a click on a column header changes the sort. Pure.

use super::dataset::Dataset;
use super::filters::{EventColumn, Sort, UserColumn};
use super::method::{Method, MethodCode, NO_METHOD};

/// A column whose first click sorts one way: times newest first, everything else A to Z.
pub trait SortColumn: Copy + PartialEq {
    fn newest_first(self) -> bool;
}

impl SortColumn for UserColumn {
    fn newest_first(self) -> bool {
        self == UserColumn::LastUpdated
    }
}

impl SortColumn for EventColumn {
    fn newest_first(self) -> bool {
        self == EventColumn::Date
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
