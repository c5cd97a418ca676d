//! The attempts list (spec §2.3, §4.3): its columns and sorts, its filter (outcome, method,
//! period, population, search, and the insight filters: IP address, stage, repeats, resets after
//! a security-info change), the filter's URL query both ways, and the rows it chooses. Index
//! vectors into the dataset's entries, never copies.

use rustc_hash::FxHashMap;

use super::attempts::{Outcome, Stage};
use super::reasons::ActivityKind;
use super::views::{admits, entry_range};
use crate::model::dataset::Dataset;
use crate::model::filters::{dense_ranks, search_people, sort_stable, Sort};
use crate::model::lists::{ListFilter, SortColumn};
use crate::model::method::Method;
use crate::model::period::Period;
use crate::model::person_ranks::person_ranks;
use crate::model::population::Population;
use crate::model::query::{
    key, last, parse_pairs, path, period_of, population_of, push_population, sort_id, sort_of,
    to_query, with_query, yes_no, yes_no_id,
};
use crate::model::time::{Millis, HOUR};

/// A successful reset this soon after a security-info change of the same user is flagged
/// (the SIM-swap pattern, spec §4.3).
pub const AFTER_CHANGE_WINDOW: Millis = 24 * HOUR;

/// Columns of the attempts list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AttemptColumn {
    Date,
    Name,
    UserName,
    Outcome,
    Methods,
    Steps,
    Ip,
    Reason,
}

impl AttemptColumn {
    pub const ALL: [AttemptColumn; 8] = [
        AttemptColumn::Date,
        AttemptColumn::Name,
        AttemptColumn::UserName,
        AttemptColumn::Outcome,
        AttemptColumn::Methods,
        AttemptColumn::Steps,
        AttemptColumn::Ip,
        AttemptColumn::Reason,
    ];

    pub fn id(self) -> &'static str {
        match self {
            AttemptColumn::Date => "date",
            AttemptColumn::Name => "name",
            AttemptColumn::UserName => "username",
            AttemptColumn::Outcome => "outcome",
            AttemptColumn::Methods => "methods",
            AttemptColumn::Steps => "steps",
            AttemptColumn::Ip => "ip",
            AttemptColumn::Reason => "reason",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AttemptColumn::Date => "Date",
            AttemptColumn::Name => "Name",
            AttemptColumn::UserName => "User name",
            AttemptColumn::Outcome => "Outcome",
            AttemptColumn::Methods => "Methods",
            AttemptColumn::Steps => "Steps",
            AttemptColumn::Ip => "IP address",
            AttemptColumn::Reason => "Reason",
        }
    }
}

impl SortColumn for AttemptColumn {
    const ALL: &'static [AttemptColumn] = &AttemptColumn::ALL;
    fn id(self) -> &'static str {
        AttemptColumn::id(self)
    }
    fn label(self) -> &'static str {
        AttemptColumn::label(self)
    }
    fn newest_first(self) -> bool {
        self == AttemptColumn::Date
    }
}

impl Default for Sort<AttemptColumn> {
    fn default() -> Self {
        Sort {
            column: AttemptColumn::Date,
            descending: true,
        }
    }
}

/// What the attempts list shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AttemptFilter {
    pub period: Period,
    pub population: Population,
    pub outcome: Option<Outcome>,
    /// Only entries whose reasons name this method.
    pub method: Option<Method>,
    /// Only attempts from this IP address.
    pub ip: Option<String>,
    /// Only attempts that reached at least this funnel stage.
    pub stage: Option<Stage>,
    /// Only attempts that stopped after this stage (their furthest), without a reset or unlock.
    pub stopped: Option<Stage>,
    /// Only people with at least this many of the entries the other filters let through.
    pub repeat: Option<u32>,
    /// Only successful resets within [`AFTER_CHANGE_WINDOW`] after a security-info change.
    pub after_change: bool,
    pub search: String,
    pub sort: Sort<AttemptColumn>,
    /// The open attempt (its key, [`super::AttemptRef::key`]); not a filter.
    pub open: Option<String>,
}

fn stage_of(text: Option<&str>, max: u8) -> Option<Stage> {
    text.and_then(|t| t.trim().parse::<u8>().ok())
        .filter(|&n| n <= max)
        .and_then(Stage::from_number)
}

impl AttemptFilter {
    /// Reads the attempts list's query.
    ///
    /// ```
    /// use sspr_insights::model::audit::{AttemptFilter, Outcome};
    /// let f = AttemptFilter::from_query("outcome=blocked&repeat=2&period=30d");
    /// assert_eq!((f.outcome, f.repeat), (Some(Outcome::Blocked), Some(2)));
    /// assert_eq!(AttemptFilter::from_query(&f.to_query()), f);
    /// ```
    pub fn from_query(query: &str) -> AttemptFilter {
        let pairs = parse_pairs(query);
        let text = |k: &str| {
            last(&pairs, k)
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string)
        };
        AttemptFilter {
            period: period_of(&pairs),
            population: population_of(&pairs),
            outcome: last(&pairs, key::OUTCOME).and_then(Outcome::parse),
            method: last(&pairs, key::METHOD).and_then(Method::parse),
            ip: text(key::IP),
            stage: stage_of(last(&pairs, key::STAGE), 5),
            stopped: stage_of(last(&pairs, key::STOPPED), 4),
            repeat: last(&pairs, key::REPEAT)
                .and_then(|n| n.parse::<u32>().ok())
                .filter(|&n| n > 0),
            after_change: yes_no(last(&pairs, key::SIM_SWAP)).unwrap_or(false),
            search: last(&pairs, key::SEARCH).unwrap_or("").to_string(),
            sort: sort_of(last(&pairs, key::SORT), |id| {
                AttemptColumn::ALL.into_iter().find(|c| c.id() == id)
            })
            .unwrap_or_default(),
            open: text(key::ATTEMPT).map(|t| t.to_lowercase()),
        }
    }

    /// Writes the query that reproduces this view (defaults omitted).
    pub fn to_query(&self) -> String {
        let mut out = Vec::new();
        if self.period != Period::default() {
            out.push((key::PERIOD, self.period.id().to_string()));
        }
        push_population(&mut out, self.population);
        if let Some(o) = self.outcome {
            out.push((key::OUTCOME, o.id().to_string()));
        }
        if let Some(m) = &self.method {
            out.push((key::METHOD, m.id()));
        }
        if let Some(ip) = &self.ip {
            out.push((key::IP, ip.clone()));
        }
        if let Some(s) = self.stage {
            out.push((key::STAGE, s.number().to_string()));
        }
        if let Some(s) = self.stopped {
            out.push((key::STOPPED, s.number().to_string()));
        }
        if let Some(n) = self.repeat {
            out.push((key::REPEAT, n.to_string()));
        }
        if self.after_change {
            out.push((key::SIM_SWAP, yes_no_id(true).to_string()));
        }
        if !self.search.is_empty() {
            out.push((key::SEARCH, self.search.clone()));
        }
        if self.sort != Sort::default() {
            out.push((
                key::SORT,
                sort_id(self.sort.column.id(), self.sort.descending),
            ));
        }
        if let Some(open) = &self.open {
            out.push((key::ATTEMPT, open.clone()));
        }
        to_query(&out)
    }

    /// The same view with attempt `key` open (`None`: closed).
    pub fn opened(&self, key: Option<String>) -> AttemptFilter {
        AttemptFilter {
            open: key,
            ..self.clone()
        }
    }
}

/// `/attempts?…` for a filter.
pub fn attempts_href(filter: &AttemptFilter) -> String {
    with_query(path::ATTEMPTS, filter.to_query())
}

/// Every entry in the order of `sort` (stable: ties keep time order).
pub fn attempt_order(ds: &Dataset, sort: Sort<AttemptColumn>) -> Vec<u32> {
    let e = &ds.audit.entries;
    let n = e.len() as u32;
    let mut order: Vec<u32> = (0..n).collect();
    let texts = &ds.audit.texts;
    match sort.column {
        AttemptColumn::Date => {
            sort_stable(&mut order, sort.descending, |i| e.time[i as usize]);
        }
        AttemptColumn::Name | AttemptColumn::UserName => {
            let rank = person_ranks(ds, sort.column == AttemptColumn::UserName);
            sort_stable(&mut order, sort.descending, |i| {
                rank[e.person[i as usize] as usize]
            });
        }
        AttemptColumn::Outcome => {
            sort_stable(&mut order, sort.descending, |i| e.outcome[i as usize]);
        }
        AttemptColumn::Methods => {
            let labels: Vec<String> = (0..n)
                .map(|i| {
                    let methods = ds.attempt(i).methods_tried();
                    let labels: Vec<String> =
                        methods.iter().map(|m| m.label().to_lowercase()).collect();
                    labels.join(", ")
                })
                .collect();
            let rank = dense_ranks(&labels);
            sort_stable(&mut order, sort.descending, |i| rank[i as usize]);
        }
        AttemptColumn::Steps => {
            sort_stable(&mut order, sort.descending, |i| {
                e.steps_of(i as usize).len() as u32
            });
        }
        AttemptColumn::Ip => {
            let keys: Vec<&str> = e.ip.iter().map(|&t| texts.get(t)).collect();
            let rank = dense_ranks(&keys);
            sort_stable(&mut order, sort.descending, |i| rank[i as usize]);
        }
        AttemptColumn::Reason => {
            let keys: Vec<String> = (0..n)
                .map(|i| ds.attempt(i).reason().to_lowercase())
                .collect();
            let rank = dense_ranks(&keys);
            sort_stable(&mut order, sort.descending, |i| rank[i as usize]);
        }
    }
    order
}

/// Which entries of the period are successful resets within [`AFTER_CHANGE_WINDOW`] after a
/// security-info change of the same person (indexed by entry; every entry outside the period is
/// false). One walk over the rows and the entries together, both in time order.
pub(crate) fn after_change(ds: &Dataset) -> Vec<bool> {
    let audit = &ds.audit;
    let rows = &audit.rows;
    let e = &audit.entries;
    let mut last_change: FxHashMap<u32, Millis> = FxHashMap::default();
    let mut row = 0;
    let mut flagged = vec![false; e.len()];
    for (i, flag) in flagged.iter_mut().enumerate() {
        let t = e.time[i];
        while row < rows.len() && rows.time[row] <= t {
            let kind = ActivityKind::from_code(audit.kinds[row]);
            if kind.is_some_and(ActivityKind::is_security_info_change) {
                last_change.insert(rows.person[row], rows.time[row]);
            }
            row += 1;
        }
        if e.outcome[i] == Outcome::Succeeded.code() {
            if let Some(&changed) = last_change.get(&e.person[i]) {
                *flag = t - changed <= AFTER_CHANGE_WINDOW;
            }
        }
    }
    flagged
}

/// The entries `filter` lets through, walking `order` (from [`attempt_order`]).
pub fn filter_attempts_in(ds: &Dataset, filter: &AttemptFilter, order: &[u32]) -> Vec<u32> {
    let audit = &ds.audit;
    let e = &audit.entries;
    let range = entry_range(ds, filter.period);
    let people = search_people(ds, &filter.search);
    let method_bit = match &filter.method {
        Some(m) => match m.canonical_code() {
            Some(code) => 1u16 << code,
            // Reasons name canonical methods only.
            None => return Vec::new(),
        },
        None => 0,
    };
    let ip = match &filter.ip {
        Some(text) => match (0..audit.texts.len() as u32).find(|&t| audit.texts.get(t) == text) {
            Some(t) => Some(t),
            None => return Vec::new(),
        },
        None => None,
    };
    let flagged = filter.after_change.then(|| after_change(ds));
    let passes = |i: u32| -> bool {
        if !range.contains(&i) {
            return false;
        }
        let k = i as usize;
        let outcome = Outcome::from_code(e.outcome[k]).unwrap_or(Outcome::Abandoned);
        if filter.outcome.is_some_and(|o| o != outcome) {
            return false;
        }
        if method_bit != 0 && e.tried[k] & method_bit == 0 {
            return false;
        }
        if ip.is_some_and(|t| e.ip[k] != t) {
            return false;
        }
        if filter.stage.is_some_and(|s| e.stage[k] < s.number()) {
            return false;
        }
        if let Some(s) = filter.stopped {
            if e.stage[k] != s.number() || !outcome.is_failure() {
                return false;
            }
        }
        if flagged.as_ref().is_some_and(|f| !f[k]) {
            return false;
        }
        if !admits(ds, filter.population, k) {
            return false;
        }
        match &people {
            Some(hit) => hit[e.person[k] as usize],
            None => true,
        }
    };
    let rows: Vec<u32> = order.iter().copied().filter(|&i| passes(i)).collect();
    match filter.repeat {
        Some(n) if n > 1 => {
            let mut per_person: FxHashMap<u32, u32> = FxHashMap::default();
            for &i in &rows {
                *per_person.entry(e.person[i as usize]).or_insert(0) += 1;
            }
            rows.into_iter()
                .filter(|&i| per_person[&e.person[i as usize]] >= n)
                .collect()
        }
        _ => rows,
    }
}

/// Entries matching `filter`, in its sort order.
pub fn filter_attempts(ds: &Dataset, filter: &AttemptFilter) -> Vec<u32> {
    filter_attempts_in(ds, filter, &attempt_order(ds, filter.sort))
}

impl ListFilter for AttemptFilter {
    type Column = AttemptColumn;
    /// Every entry, sorted.
    type Order = Vec<u32>;

    fn from_query(query: &str) -> Self {
        AttemptFilter::from_query(query)
    }
    fn to_query(&self) -> String {
        AttemptFilter::to_query(self)
    }
    fn search(&self) -> &str {
        &self.search
    }
    fn set_search(&mut self, text: String) {
        self.search = text;
    }
    fn sort(&self) -> Sort<AttemptColumn> {
        self.sort
    }
    fn set_sort(&mut self, sort: Sort<AttemptColumn>) {
        self.sort = sort;
    }
    fn cleared(&self) -> Self {
        AttemptFilter {
            period: self.period,
            population: self.population,
            sort: self.sort,
            open: self.open.clone(),
            ..AttemptFilter::default()
        }
    }
    fn total(ds: &Dataset) -> usize {
        ds.audit.entry_count()
    }
    fn order(ds: &Dataset, sort: Sort<AttemptColumn>) -> Vec<u32> {
        attempt_order(ds, sort)
    }
    fn rows(&self, ds: &Dataset, order: &Vec<u32>) -> Vec<u32> {
        filter_attempts_in(ds, self, order)
    }
    /// The same view with the entry's steps open.
    fn row_link(&self, ds: &Dataset, row: u32) -> Option<String> {
        Some(attempts_href(&self.opened(Some(ds.attempt(row).key()))))
    }
}

/// The methods the entries' reasons name (what the Method filter offers), in the table's order.
pub fn attempt_methods(ds: &Dataset) -> Vec<Method> {
    let bits = ds.audit.entries.tried.iter().fold(0u16, |all, &b| all | b);
    super::methods_of(bits)
}
