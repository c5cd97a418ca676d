//! Filters, search and sort for both lists (spec §2), returning index vectors into the dataset,
//! never row copies. Sorting yields a full permutation once per sort (by date, the storage order
//! serves as it is); filtering walks it.

use super::batch::{Feature, Status, EV_RESET, EV_SUCCESS};
use super::dataset::{Dataset, U_ADMIN, U_CAPABLE, U_ENABLED, U_GUEST, U_REGISTERED};
use super::method::{Method, MethodCode, CANONICAL_COUNT, NO_METHOD};
use super::mfa::filter::{MfaColumn, MfaFilter, MfaMatch};
use super::order::{order_by_key, signed_key};
use super::period::{period_range, Period};
use super::person_ranks::person_ranks;
use super::policy::{satisfies_admin_rule, PolicyInputs, WhatIfFilter};
use super::population::Population;
use super::time::Millis;

/// A column sort: which column, and whether descending.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Sort<C> {
    pub column: C,
    pub descending: bool,
}

/// Columns of the registration details list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UserColumn {
    Name,
    UserName,
    Registered,
    Enabled,
    Capable,
    Methods,
    UserType,
    Admin,
    LastUpdated,
    /// The MFA columns (spec §3.7).
    Mfa(MfaColumn),
}

impl UserColumn {
    pub const ALL: [UserColumn; 14] = [
        UserColumn::Name,
        UserColumn::UserName,
        UserColumn::Registered,
        UserColumn::Enabled,
        UserColumn::Capable,
        UserColumn::Methods,
        UserColumn::UserType,
        UserColumn::Admin,
        UserColumn::LastUpdated,
        UserColumn::Mfa(MfaColumn::Registered),
        UserColumn::Mfa(MfaColumn::Capable),
        UserColumn::Mfa(MfaColumn::Passwordless),
        UserColumn::Mfa(MfaColumn::DefaultMethod),
        UserColumn::Mfa(MfaColumn::SystemPreferred),
    ];
    pub fn id(self) -> &'static str {
        match self {
            UserColumn::Name => "name",
            UserColumn::UserName => "username",
            UserColumn::Registered => "registered",
            UserColumn::Enabled => "enabled",
            UserColumn::Capable => "capable",
            UserColumn::Methods => "methods",
            UserColumn::UserType => "usertype",
            UserColumn::Admin => "admin",
            UserColumn::LastUpdated => "updated",
            UserColumn::Mfa(column) => column.id(),
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            UserColumn::Name => "Name",
            UserColumn::UserName => "User name",
            UserColumn::Registered => "Registered",
            UserColumn::Enabled => "Enabled",
            UserColumn::Capable => "Capable",
            UserColumn::Methods => "Methods",
            UserColumn::UserType => "User type",
            UserColumn::Admin => "Admin",
            UserColumn::LastUpdated => "Last updated",
            UserColumn::Mfa(column) => column.label(),
        }
    }
    pub fn parse(id: &str) -> Option<UserColumn> {
        UserColumn::ALL.into_iter().find(|c| c.id() == id)
    }
}

/// Columns of the activity list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EventColumn {
    Date,
    Name,
    UserName,
    Feature,
    Method,
    Status,
    FailureReason,
}

impl EventColumn {
    pub const ALL: [EventColumn; 7] = [
        EventColumn::Date,
        EventColumn::Name,
        EventColumn::UserName,
        EventColumn::Feature,
        EventColumn::Method,
        EventColumn::Status,
        EventColumn::FailureReason,
    ];
    pub fn id(self) -> &'static str {
        match self {
            EventColumn::Date => "date",
            EventColumn::Name => "name",
            EventColumn::UserName => "username",
            EventColumn::Feature => "feature",
            EventColumn::Method => "method",
            EventColumn::Status => "status",
            EventColumn::FailureReason => "reason",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            EventColumn::Date => "Date",
            EventColumn::Name => "Name",
            EventColumn::UserName => "User name",
            EventColumn::Feature => "Feature",
            EventColumn::Method => "Method",
            EventColumn::Status => "Status",
            EventColumn::FailureReason => "Failure reason",
        }
    }
    pub fn parse(id: &str) -> Option<EventColumn> {
        EventColumn::ALL.into_iter().find(|c| c.id() == id)
    }
}

impl Default for Sort<UserColumn> {
    fn default() -> Self {
        Sort {
            column: UserColumn::Name,
            descending: false,
        }
    }
}

impl Default for Sort<EventColumn> {
    fn default() -> Self {
        Sort {
            column: EventColumn::Date,
            descending: true,
        }
    }
}

/// What the registration details list shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserFilter {
    pub population: Population,
    pub registered: Option<bool>,
    pub enabled: Option<bool>,
    pub capable: Option<bool>,
    /// A user matches when they have any of these (empty: no filter).
    pub methods: Vec<Method>,
    /// `Some(false)`: admins whose methods do not satisfy the administrator rule.
    pub admin_rule: Option<bool>,
    pub search: String,
    pub sort: Sort<UserColumn>,
    /// Who would gain or lose the ability to reset under a what-if scenario (spec §3.3). Which
    /// users that is may depend on the what-if inputs held beside the dataset: see
    /// [`filter_users_selected`].
    pub whatif: Option<WhatIfFilter>,
    /// The MFA filters (spec §3.7).
    pub mfa: MfaFilter,
}

/// What the activity list shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EventFilter {
    pub period: Period,
    pub population: Population,
    pub feature: Option<Feature>,
    pub status: Option<Status>,
    pub method: Option<Method>,
    /// Exact failure reason.
    pub reason: Option<String>,
    /// Only users with at least this many failed resets in the period.
    pub repeat: Option<u32>,
    /// Only users whose resets in the period all used SMS and at least one succeeded.
    pub sms_only: bool,
    pub search: String,
    pub sort: Sort<EventColumn>,
}

/// People (dataset person indexes) whose name or user name contains `query`, case-insensitively;
/// `None` when the query is blank (no search).
pub fn search_people(ds: &Dataset, query: &str) -> Option<Vec<bool>> {
    let needle: String = query.trim().to_lowercase().replace('\n', " ");
    if needle.is_empty() {
        return None;
    }
    let finder = memchr::memmem::Finder::new(needle.as_bytes());
    Some(
        ds.search_text
            .iter()
            .map(|text| finder.find(text.as_bytes()).is_some())
            .collect(),
    )
}

/// Dense ranks by `keys`: equal keys share a rank, so that sorting rows by rank is a stable sort
/// by the key itself (ties keep row order).
pub(crate) fn dense_ranks<K: Ord>(keys: &[K]) -> Vec<u32> {
    let mut order: Vec<u32> = (0..keys.len() as u32).collect();
    sort_indices_by(&mut order, &|a, b| keys[a as usize].cmp(&keys[b as usize]));
    let mut rank = vec![0u32; keys.len()];
    let mut r = 0;
    for (i, &k) in order.iter().enumerate() {
        if i > 0 && keys[order[i - 1] as usize] != keys[k as usize] {
            r += 1;
        }
        rank[k as usize] = r;
    }
    rank
}

/// A stable sort of indexes with a comparator behind a reference: one copy of the standard
/// library's sort serves every key type (each copy costs kilobytes of the wasm download).
#[inline(never)]
fn sort_indices_by(order: &mut [u32], compare: &dyn Fn(u32, u32) -> std::cmp::Ordering) {
    order.sort_by(|&a, &b| compare(a, b));
}

/// Rank of each method code by label (no method last).
pub(crate) fn method_ranks(ds: &Dataset) -> Vec<u32> {
    let n = ds.methods.len();
    let labels: Vec<String> = (0..n as MethodCode)
        .map(|c| {
            ds.methods
                .method(c)
                .map(|m| m.label().to_lowercase())
                .unwrap_or_default()
        })
        .collect();
    let mut rank = dense_ranks(&labels);
    rank.push(n as u32);
    rank
}

/// A sort key that orders like a `u64`, so that every column goes through one sort routine:
/// each instantiation of the standard library's sort adds kilobytes to the wasm download.
pub(crate) trait SortKey {
    fn to_u64(self) -> u64;
}

impl SortKey for u32 {
    fn to_u64(self) -> u64 {
        self as u64
    }
}

impl SortKey for u8 {
    fn to_u64(self) -> u64 {
        self as u64
    }
}

impl SortKey for bool {
    fn to_u64(self) -> u64 {
        self as u64
    }
}

impl SortKey for i64 {
    fn to_u64(self) -> u64 {
        signed_key(self)
    }
}

/// Sorts `order` by `key`, stably: ties keep their order (also when descending).
pub(crate) fn sort_stable<K: SortKey>(order: &mut [u32], descending: bool, key: impl Fn(u32) -> K) {
    let flip = if descending { u64::MAX } else { 0 };
    let keys: Vec<u64> = order.iter().map(|&i| key(i).to_u64() ^ flip).collect();
    let (low, high) = keys
        .iter()
        .fold((u64::MAX, 0), |(l, h), &k| (l.min(k), h.max(k)));
    // Ranks, flags and codes span few values: counting them is linear, where a comparison sort
    // of a million rows takes a few hundred milliseconds in the browser.
    if !keys.is_empty() && high - low <= keys.len() as u64 + COUNTING_SLACK {
        sort_counting(order, &keys, low, (high - low) as usize + 1);
    } else {
        let before = order.to_vec();
        for (slot, position) in order.iter_mut().zip(order_by_key(keys.into_iter())) {
            *slot = before[position as usize];
        }
    }
}

/// Key spans up to this much wider than the rows are still counted rather than compared.
const COUNTING_SLACK: u64 = 1 << 16;

/// A stable counting sort of `order` by `keys` (`keys[i] - low < span` for the key of row
/// position `i`).
fn sort_counting(order: &mut [u32], keys: &[u64], low: u64, span: usize) {
    let mut start = vec![0u32; span + 1];
    for &k in keys {
        start[(k - low) as usize + 1] += 1;
    }
    for i in 1..start.len() {
        start[i] += start[i - 1];
    }
    let before = order.to_vec();
    for (&k, &row) in keys.iter().zip(&before) {
        let slot = &mut start[(k - low) as usize];
        order[*slot as usize] = row;
        *slot += 1;
    }
}

/// Every user, in the order of `sort` (stable: ties keep load order).
pub fn user_order(ds: &Dataset, sort: Sort<UserColumn>) -> Vec<u32> {
    let mut order: Vec<u32> = (0..ds.user_count() as u32).collect();
    let u = &ds.users;
    let flag = |bit: u8| move |i: u32| u.flags[i as usize] & bit != 0;
    match sort.column {
        UserColumn::Name | UserColumn::UserName => {
            let rank = person_ranks(ds, sort.column == UserColumn::UserName);
            sort_stable(&mut order, sort.descending, |i| {
                rank[u.person[i as usize] as usize]
            });
        }
        UserColumn::Registered => sort_stable(&mut order, sort.descending, flag(U_REGISTERED)),
        UserColumn::Enabled => sort_stable(&mut order, sort.descending, flag(U_ENABLED)),
        UserColumn::Capable => sort_stable(&mut order, sort.descending, flag(U_CAPABLE)),
        UserColumn::Admin => sort_stable(&mut order, sort.descending, flag(U_ADMIN)),
        UserColumn::UserType => sort_stable(&mut order, sort.descending, flag(U_GUEST)),
        UserColumn::LastUpdated => {
            sort_stable(&mut order, sort.descending, |i| u.last_updated[i as usize])
        }
        UserColumn::Methods => {
            let rank = method_ranks(ds);
            let keys: Vec<Vec<u32>> = (0..ds.user_count() as u32)
                .map(|i| {
                    let mut k: Vec<u32> = ds
                        .user(i)
                        .method_codes()
                        .iter()
                        .map(|&c| rank.get(c as usize).copied().unwrap_or(u32::MAX))
                        .collect();
                    k.sort_unstable();
                    k
                })
                .collect();
            let keys = dense_ranks(&keys);
            sort_stable(&mut order, sort.descending, |i| keys[i as usize]);
        }
        UserColumn::Mfa(column) => {
            let keys = super::mfa::filter::sort_keys(ds, column);
            sort_stable(&mut order, sort.descending, |i| keys[i as usize]);
        }
    }
    order
}

/// Every event, in the order of `sort` (stable: ties keep time order).
pub fn event_order(ds: &Dataset, sort: Sort<EventColumn>) -> Vec<u32> {
    let n = ds.event_count() as u32;
    let ev = &ds.events;
    if sort.column == EventColumn::Date {
        // Events are stored in time order; equal times keep load order either way.
        return if sort.descending {
            NewestFirst::new(&ev.time, 0..n).collect()
        } else {
            (0..n).collect()
        };
    }
    let mut order: Vec<u32> = (0..n).collect();
    match sort.column {
        EventColumn::Date => {}
        EventColumn::Name | EventColumn::UserName => {
            let rank = person_ranks(ds, sort.column == EventColumn::UserName);
            sort_stable(&mut order, sort.descending, |i| {
                rank[ev.person[i as usize] as usize]
            });
        }
        EventColumn::Feature => sort_stable(&mut order, sort.descending, |i| {
            ev.flags[i as usize] & EV_RESET
        }),
        // Success before failure when ascending.
        EventColumn::Status => sort_stable(&mut order, sort.descending, |i| {
            ev.flags[i as usize] & EV_SUCCESS == 0
        }),
        EventColumn::Method => {
            let rank = method_ranks(ds);
            let last = rank.len() - 1;
            sort_stable(&mut order, sort.descending, |i| {
                rank.get(ev.method[i as usize] as usize)
                    .copied()
                    .unwrap_or(rank[last])
            });
        }
        EventColumn::FailureReason => {
            let reasons: Vec<String> = ds.reasons.iter().map(str::to_lowercase).collect();
            let rank = dense_ranks(&reasons);
            sort_stable(&mut order, sort.descending, |i| {
                rank[ev.reason[i as usize] as usize]
            });
        }
    }
    order
}

/// Event indexes of a range of the time-ordered events, newest first; equal times keep load
/// order (a stable descending sort, like every other column's).
struct NewestFirst<'a> {
    times: &'a [Millis],
    floor: u32,
    group_start: u32,
    group_end: u32,
    next: u32,
}

impl<'a> NewestFirst<'a> {
    fn new(times: &'a [Millis], range: std::ops::Range<u32>) -> Self {
        NewestFirst {
            times,
            floor: range.start,
            group_start: range.end,
            group_end: range.end,
            next: range.end,
        }
    }
}

impl Iterator for NewestFirst<'_> {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        if self.next < self.group_end {
            let i = self.next;
            self.next += 1;
            return Some(i);
        }
        // Step back to the previous group of equal times.
        if self.group_start <= self.floor {
            return None;
        }
        let end = self.group_start;
        let time = self.times[end as usize - 1];
        let mut start = end - 1;
        while start > self.floor && self.times[start as usize - 1] == time {
            start -= 1;
        }
        self.group_start = start;
        self.group_end = end;
        self.next = start + 1;
        Some(start)
    }
}

/// Users matching `filter`, in its sort order.
pub fn filter_users(ds: &Dataset, filter: &UserFilter) -> Vec<u32> {
    filter_users_in(ds, filter, &user_order(ds, filter.sort))
}

/// Users matching `filter`, walking a precomputed `order` (from [`user_order`]); a what-if
/// filter is judged without uploaded inputs (see [`filter_users_with`]).
pub fn filter_users_in(ds: &Dataset, filter: &UserFilter, order: &[u32]) -> Vec<u32> {
    let selection = filter
        .whatif
        .as_ref()
        .map(|w| w.users(ds, &PolicyInputs::default()));
    filter_users_selected(ds, filter, order, selection.as_deref())
}

/// Users matching `filter`, in its sort order, its what-if filter judged with `inputs` (the
/// group member list and the authentication methods policy held beside the dataset).
pub fn filter_users_with(ds: &Dataset, inputs: &PolicyInputs, filter: &UserFilter) -> Vec<u32> {
    let selection = filter.whatif.as_ref().map(|w| w.users(ds, inputs));
    filter_users_selected(
        ds,
        filter,
        &user_order(ds, filter.sort),
        selection.as_deref(),
    )
}

/// Users matching `filter`, walking `order`; `selection` is its what-if filter's users, one
/// flag per user, worked out beforehand ([`WhatIfFilter::users`]; `None`: no such filter).
pub fn filter_users_selected(
    ds: &Dataset,
    filter: &UserFilter,
    order: &[u32],
    selection: Option<&[bool]>,
) -> Vec<u32> {
    let people = search_people(ds, &filter.search);
    let u = &ds.users;
    let mut want_mask = 0u16;
    let mut want_other: Vec<MethodCode> = Vec::new();
    let mut impossible_method = !filter.methods.is_empty();
    for m in &filter.methods {
        match ds.methods.find(m) {
            Some(code) if (code as usize) < CANONICAL_COUNT => {
                want_mask |= 1 << code;
                impossible_method = false;
            }
            Some(code) => {
                want_other.push(code);
                impossible_method = false;
            }
            None => {}
        }
    }
    if impossible_method {
        return Vec::new();
    }
    let Some(mfa) = MfaMatch::new(ds, &filter.mfa) else {
        return Vec::new();
    };
    let test = |bit: u8, want: Option<bool>, flags: u8| match want {
        None => true,
        Some(w) => (flags & bit != 0) == w,
    };
    order
        .iter()
        .copied()
        .filter(|&i| {
            let flags = u.flags[i as usize];
            if !test(U_REGISTERED, filter.registered, flags)
                || !test(U_ENABLED, filter.enabled, flags)
                || !test(U_CAPABLE, filter.capable, flags)
            {
                return false;
            }
            if !filter.population.has_user(ds, i) {
                return false;
            }
            if !filter.methods.is_empty() {
                let any_canonical = u.method_mask[i as usize] & want_mask != 0;
                let any_other = !want_other.is_empty()
                    && ds
                        .user(i)
                        .method_codes()
                        .iter()
                        .any(|c| want_other.contains(c));
                if !(any_canonical || any_other) {
                    return false;
                }
            }
            if let Some(want) = filter.admin_rule {
                if flags & U_ADMIN == 0
                    || satisfies_admin_rule(ds, ds.user(i).method_codes()) != want
                {
                    return false;
                }
            }
            if selection.is_some_and(|s| !s.get(i as usize).copied().unwrap_or(false))
                || !mfa.admits(ds, i)
            {
                return false;
            }
            match &people {
                Some(hit) => hit[u.person[i as usize] as usize],
                None => true,
            }
        })
        .collect()
}

/// Per person: failed resets in the range, and whether all resets used SMS with one success.
pub(crate) struct ResetProfile {
    pub failures: Vec<u32>,
    pub sms_only: Vec<bool>,
}

pub(crate) fn reset_profile(
    ds: &Dataset,
    range: std::ops::Range<u32>,
    population: Population,
) -> ResetProfile {
    let people = ds.search_text.len();
    let mut failures = vec![0u32; people];
    // 0 = no reset seen, 1 = only SMS and a success, 2 = only SMS so far without success, 3 = not SMS-only
    let mut sms_state = vec![0u8; people];
    let sms = ds.methods.find(&Method::Sms).unwrap_or(NO_METHOD);
    let ev = &ds.events;
    for i in range {
        let i = i as usize;
        let flags = ev.flags[i];
        if flags & EV_RESET == 0 {
            continue;
        }
        let p = ev.person[i] as usize;
        if !population.is_all() && !population.admits(ds.person_class[p]) {
            continue;
        }
        let success = flags & EV_SUCCESS != 0;
        if !success {
            failures[p] += 1;
        }
        let state = &mut sms_state[p];
        *state = match (*state, ev.method[i] == sms, success) {
            (3, _, _) | (_, false, _) => 3,
            (1, true, _) => 1,
            (_, true, true) => 1,
            (_, true, false) => 2,
        };
    }
    ResetProfile {
        failures,
        sms_only: sms_state.into_iter().map(|s| s == 1).collect(),
    }
}

/// Events matching `filter`, in its sort order.
pub fn filter_events(ds: &Dataset, filter: &EventFilter) -> Vec<u32> {
    if filter.sort.column == EventColumn::Date {
        return filter_events_by_time(ds, filter, filter.sort.descending);
    }
    filter_events_in(ds, filter, &event_order(ds, filter.sort))
}

/// Events matching `filter` in time order (newest first, or oldest first), whatever its sort
/// says: time order is storage order, so only the period's slice is walked and nothing sorted.
pub fn filter_events_by_time(ds: &Dataset, filter: &EventFilter, newest_first: bool) -> Vec<u32> {
    let range = period_range(ds, filter.period);
    if newest_first {
        filter_events_iter(ds, filter, NewestFirst::new(&ds.events.time, range))
    } else {
        filter_events_iter(ds, filter, range)
    }
}

/// Events matching `filter`, walking a precomputed `order` (from [`event_order`]).
pub fn filter_events_in(ds: &Dataset, filter: &EventFilter, order: &[u32]) -> Vec<u32> {
    filter_events_iter(ds, filter, order.iter().copied())
}

fn filter_events_iter(
    ds: &Dataset,
    filter: &EventFilter,
    order: impl Iterator<Item = u32>,
) -> Vec<u32> {
    let range = period_range(ds, filter.period);
    let people = search_people(ds, &filter.search);
    let method = match &filter.method {
        Some(m) => match ds.methods.find(m) {
            Some(code) => Some(code),
            None => return Vec::new(),
        },
        None => None,
    };
    let reason = match &filter.reason {
        Some(text) => match ds.reasons.iter().position(|r| r == text.trim()) {
            Some(r) => Some(r as u32),
            None => return Vec::new(),
        },
        None => None,
    };
    let profile = (filter.repeat.is_some() || filter.sms_only)
        .then(|| reset_profile(ds, range.clone(), filter.population));
    let mut want_mask = 0u8;
    let mut want_bits = 0u8;
    if let Some(f) = filter.feature {
        want_mask |= EV_RESET;
        if f == Feature::Reset {
            want_bits |= EV_RESET;
        }
    }
    if let Some(s) = filter.status {
        want_mask |= EV_SUCCESS;
        if s == Status::Success {
            want_bits |= EV_SUCCESS;
        }
    }
    let ev = &ds.events;
    let mut out = Vec::new();
    for i in order {
        if !range.contains(&i) {
            continue;
        }
        let k = i as usize;
        if ev.flags[k] & want_mask != want_bits {
            continue;
        }
        if method.is_some_and(|m| ev.method[k] != m) || reason.is_some_and(|r| ev.reason[k] != r) {
            continue;
        }
        let p = ev.person[k] as usize;
        if !filter.population.is_all() && !filter.population.admits(ds.person_class[p]) {
            continue;
        }
        if let Some(hit) = &people {
            if !hit[p] {
                continue;
            }
        }
        if let Some(profile) = &profile {
            if filter.repeat.is_some_and(|n| profile.failures[p] < n)
                || (filter.sms_only && !profile.sms_only[p])
            {
                continue;
            }
        }
        out.push(i);
    }
    out
}
