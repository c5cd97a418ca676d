//! The immutable dataset every screen reads: users and events column-wise, strings interned,
//! events in time order. Built from batches (merge, de-duplication, as-of, data-quality warnings);
//! never changed afterwards: a new load builds a new one.

use rustc_hash::FxHashMap;

use super::audit::{Audit, AuditGather, EV_DERIVED};
use super::batch::{Batch, EventColumns, Feature, People, Status, UserType, EV_RESET, EV_SUCCESS};
use super::method::{
    Method, MethodCode, MethodTable, CANONICAL_COUNT, MAX_UNKNOWN_NAMES, NO_METHOD,
    OTHER_UNKNOWN_NAMES,
};
use super::strings::StrTable;
use super::time::Millis;
use super::words::plural;

// `Dataset::build` and its helpers; `Dataset::from_parts`, `merge` and `to_batch`.
mod build;
mod merge;

/// Which time the data is "as of" (spec §3.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AsOf {
    /// Uploaded or sample data: the newest time in the data.
    Newest,
    /// Live data: the time of the fetch.
    At(Millis),
    /// Uploaded or sample data loaded at this time: the newest time in the data, leaving out
    /// times more than a day after the load (a broken or hostile export stamped
    /// 9999-12-31 would otherwise empty every period); those are counted in the warnings.
    Loaded(Millis),
}

/// Where the loaded data came from, for the header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceKind {
    Sample,
    Uploaded,
    Live {
        host: String,
    },
    /// Files merged into data loaded before: each kind once, in the order they came (never
    /// itself merged).
    Merged(Vec<SourceKind>),
}

impl SourceKind {
    pub fn label(&self) -> String {
        match self {
            SourceKind::Sample => "Sample data".to_string(),
            SourceKind::Uploaded => "Uploaded files".to_string(),
            SourceKind::Live { host } => format!("Live: {host}"),
            SourceKind::Merged(kinds) => kinds
                .iter()
                .map(SourceKind::label)
                .collect::<Vec<_>>()
                .join(" + "),
        }
    }

    /// Whether the data's as-of time is the time of a fetch (spec §3.4): it stays so when
    /// files are merged in.
    pub fn is_live(&self) -> bool {
        match self {
            SourceKind::Live { .. } => true,
            SourceKind::Merged(kinds) => kinds.iter().any(SourceKind::is_live),
            _ => false,
        }
    }

    /// This source with `added` merged into it.
    ///
    /// ```
    /// use sspr_insights::model::SourceKind;
    /// let live = SourceKind::Live { host: "graph.microsoft.com".into() };
    /// let both = live.clone().with(SourceKind::Uploaded);
    /// assert_eq!(both.label(), "Live: graph.microsoft.com + Uploaded files");
    /// assert_eq!(both.clone().with(SourceKind::Uploaded), both);
    /// assert_eq!(SourceKind::Uploaded.with(SourceKind::Uploaded), SourceKind::Uploaded);
    /// ```
    pub fn with(self, added: SourceKind) -> SourceKind {
        let mut kinds = match self {
            SourceKind::Merged(kinds) => kinds,
            one => vec![one],
        };
        let added = match added {
            SourceKind::Merged(more) => more,
            one => vec![one],
        };
        for kind in added {
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
        if kinds.len() == 1 {
            kinds.remove(0)
        } else {
            SourceKind::Merged(kinds)
        }
    }
}

/// What one source contributed to the dataset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceSummary {
    pub name: String,
    pub users: usize,
    pub events: usize,
}

/// Data-quality findings (spec §3.6). Nothing is dropped silently: each count says what happened.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Warnings {
    /// Unknown method names with how often they occur (registrations and events), most first.
    pub unknown_methods: Vec<(String, usize)>,
    pub users_without_user_name: usize,
    pub events_without_user_name: usize,
    /// User records whose id was seen before; the last one was kept.
    pub duplicate_users: usize,
    /// Events whose id was seen before; the first one was kept.
    pub duplicate_events: usize,
    /// Live data only: events stamped after the fetch time (kept, in no period).
    pub events_after_as_of: usize,
    /// Uploaded or sample data: events and user update times more than a day after the data was
    /// loaded (kept; they do not set the as-of time, and such events are in no period).
    pub times_after_load: usize,
    /// User update times that were not times (the users are kept without one).
    pub malformed_times: usize,
    /// Users whose exported capable flag disagrees with registered ∧ enabled (kept as exported).
    pub contradictory_flags: usize,
    /// Bad records left out, per source.
    pub skipped_records: Vec<(String, usize)>,
    /// Sources that could not be read to their end (loaded up to the problem).
    pub cut_off_sources: Vec<String>,
    /// Audit-log rows of other services than password reset and security info, skipped.
    pub audit_other_services: usize,
    /// Audit-log rows whose id was seen before; the first one was kept.
    pub duplicate_audit_rows: usize,
}

impl Warnings {
    /// One sentence per finding, for the data page.
    pub fn messages(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (name, count) in &self.unknown_methods {
            if name.as_str() == OTHER_UNKNOWN_NAMES {
                out.push(format!(
                    "More than {MAX_UNKNOWN_NAMES} distinct unknown method names: the later ones ({count} {}) are counted together as \u{201c}{OTHER_UNKNOWN_NAMES}\u{201d}.",
                    plural(*count, "use", "uses")
                ));
                continue;
            }
            out.push(format!(
                "Unknown method name \u{201c}{name}\u{201d} appears {count} {}; it is shown as its own method.",
                plural(*count, "time", "times")
            ));
        }
        let mut push = |count: usize, text: &str| {
            if count > 0 {
                out.push(format!("{count} {text}"));
            }
        };
        push(
            self.users_without_user_name,
            "user records have no user name.",
        );
        push(self.events_without_user_name, "events have no user name.");
        push(
            self.duplicate_users,
            "user records repeat an id seen before; the last one of each was kept.",
        );
        push(
            self.duplicate_events,
            "events repeat an id seen before; each was counted once.",
        );
        push(
            self.events_after_as_of,
            "events are stamped after the time of the fetch; they are in no period.",
        );
        push(
            self.times_after_load,
            "events or user updates are stamped more than a day after the data was loaded; they are kept, but they do not set the as-of time, and such events are in no period.",
        );
        push(
            self.malformed_times,
            "user records have an update time that is not a valid time.",
        );
        push(
            self.contradictory_flags,
            "users have a capable flag that disagrees with registered and enabled; shown as exported.",
        );
        for source in &self.cut_off_sources {
            out.push(format!(
                "{source} could not be read to its end; only the records before the problem were loaded."
            ));
        }
        for (source, count) in &self.skipped_records {
            out.push(format!(
                "{count} bad {} of {source} {} left out.",
                plural(*count, "record", "records"),
                plural(*count, "was", "were")
            ));
        }
        let n = self.audit_other_services;
        if n > 0 {
            out.push(format!(
                "{n} audit-log {} of other services {} skipped (only password reset and security-info rows are read).",
                plural(n, "row", "rows"),
                plural(n, "was", "were")
            ));
        }
        let n = self.duplicate_audit_rows;
        if n > 0 {
            out.push(format!(
                "{n} audit-log {} an id seen before; each was counted once.",
                plural(n, "row repeats", "rows repeat")
            ));
        }
        out
    }

    pub fn is_empty(&self) -> bool {
        self.messages().is_empty()
    }
}

// User flag bits.
pub(crate) const U_REGISTERED: u8 = 1;
pub(crate) const U_ENABLED: u8 = 2;
pub(crate) const U_CAPABLE: u8 = 4;
pub(crate) const U_ADMIN: u8 = 8;
pub(crate) const U_GUEST: u8 = 16;
pub(crate) const U_CAPABLE_EXPORTED: u8 = 32;

// Person class bits (what the population control tests).
pub(crate) const P_MEMBER: u8 = 1;
pub(crate) const P_GUEST: u8 = 2;
pub(crate) const P_ADMIN: u8 = 4;
pub(crate) const P_NONADMIN: u8 = 8;

/// The population class of a user row, from its own flags.
pub(crate) fn user_class(flags: u8) -> u8 {
    let kind = if flags & U_GUEST != 0 {
        P_GUEST
    } else {
        P_MEMBER
    };
    let role = if flags & U_ADMIN != 0 {
        P_ADMIN
    } else {
        P_NONADMIN
    };
    kind | role
}

/// Users column-wise.
#[derive(Clone, Debug, Default)]
pub(crate) struct UserColumns {
    pub person: Vec<u32>,
    pub id: StrTable,
    pub flags: Vec<u8>,
    /// Methods of user `u` are `methods[method_start[u]..method_start[u + 1]]`.
    pub method_start: Vec<u32>,
    pub methods: Vec<MethodCode>,
    /// Bit `c` set when the user has canonical method `c`.
    pub method_mask: Vec<u16>,
    /// `i64::MIN` when unknown.
    pub last_updated: Vec<Millis>,
    /// MFA details (spec §3.7, `model::mfa`).
    pub mfa: super::mfa::MfaColumns,
}

impl UserColumns {
    fn with_capacity(n: usize) -> Self {
        UserColumns {
            person: Vec::with_capacity(n),
            id: StrTable::with_capacity(n, 0),
            flags: Vec::with_capacity(n),
            method_start: Vec::with_capacity(n + 1),
            methods: Vec::with_capacity(n * 2),
            method_mask: Vec::with_capacity(n),
            last_updated: Vec::with_capacity(n),
            mfa: super::mfa::MfaColumns::with_capacity(n),
        }
    }
}

/// The loaded data. Cheap to share (`Arc<Dataset>`), never mutated.
#[derive(Clone, Debug)]
pub struct Dataset {
    pub(crate) source: SourceKind,
    pub(crate) as_of: Millis,
    pub(crate) last_updated: Option<Millis>,
    pub(crate) names: StrTable,
    pub(crate) user_names: StrTable,
    /// Lower-case "name\nuser name" per person, for search.
    pub(crate) search_text: StrTable,
    /// The user row of each person (`u32::MAX` when the person has none).
    pub(crate) person_user: Vec<u32>,
    pub(crate) person_class: Vec<u8>,
    pub(crate) users: UserColumns,
    /// Sorted by time, oldest first (ties keep load order).
    pub(crate) events: EventColumns,
    pub(crate) reasons: StrTable,
    pub(crate) methods: MethodTable,
    /// The method codes each feature's events use (registration, reset), in code order.
    pub(crate) feature_methods: [Vec<MethodCode>; 2],
    pub(crate) warnings: Warnings,
    pub(crate) sources: Vec<SourceSummary>,
    /// The audit log, its attempts and their steps (spec §4.3).
    pub(crate) audit: Audit,
    /// Each person's rank by name and by user name, once worked out.
    pub(crate) person_ranks: PersonRanks,
}

/// Each person's rank in the order of their names, and of their user names (see
/// `model::person_ranks`). Ranking a large tenant's people is most of a sort by name (a
/// comparison sort of their texts); a dataset never changes, so the ranks are worked out once,
/// in the page's idle turns after a load or at a sort that comes sooner, and every sort after
/// that (the other way, after a filter, on another list) only counts rows by rank.
#[derive(Clone, Debug, Default)]
pub(crate) struct PersonRanks {
    pub by_name: std::sync::OnceLock<Vec<u32>>,
    pub by_user_name: std::sync::OnceLock<Vec<u32>>,
}

impl PersonRanks {
    fn heap_bytes(&self) -> usize {
        [&self.by_name, &self.by_user_name]
            .iter()
            .map(|ranks| ranks.get().map_or(0, |r| r.capacity() * 4))
            .sum()
    }
}

/// Every part of a dataset, as its wire form carries them ([`Dataset::from_parts`] checks that
/// they agree).
pub(crate) struct DatasetParts {
    pub source: SourceKind,
    pub as_of: Millis,
    pub last_updated: Option<Millis>,
    pub names: StrTable,
    pub user_names: StrTable,
    pub search_text: StrTable,
    pub person_user: Vec<u32>,
    pub person_class: Vec<u8>,
    pub users: UserColumns,
    pub events: EventColumns,
    pub reasons: StrTable,
    pub methods: MethodTable,
    pub feature_methods: [Vec<MethodCode>; 2],
    pub warnings: Warnings,
    pub sources: Vec<SourceSummary>,
    pub audit: Audit,
}

impl Default for Dataset {
    fn default() -> Self {
        Dataset::build(Vec::new(), AsOf::Newest, SourceKind::Uploaded)
    }
}

/// A user row, read through the dataset.
#[derive(Clone, Copy, Debug)]
pub struct UserRef<'a> {
    ds: &'a Dataset,
    index: u32,
}

impl<'a> UserRef<'a> {
    pub fn index(&self) -> u32 {
        self.index
    }
    /// The dataset this row belongs to.
    pub(crate) fn dataset(&self) -> &'a Dataset {
        self.ds
    }
    fn flags(&self) -> u8 {
        self.ds.users.flags[self.index as usize]
    }
    fn person(&self) -> u32 {
        self.ds.users.person[self.index as usize]
    }
    pub fn id(&self) -> &'a str {
        self.ds.users.id.get(self.index)
    }
    pub fn name(&self) -> &'a str {
        self.ds.names.get(self.person())
    }
    pub fn user_name(&self) -> &'a str {
        self.ds.user_names.get(self.person())
    }
    pub fn registered(&self) -> bool {
        self.flags() & U_REGISTERED != 0
    }
    pub fn enabled(&self) -> bool {
        self.flags() & U_ENABLED != 0
    }
    pub fn capable(&self) -> bool {
        self.flags() & U_CAPABLE != 0
    }
    /// Whether the capable flag came from the export (otherwise it was derived).
    pub fn capable_exported(&self) -> bool {
        self.flags() & U_CAPABLE_EXPORTED != 0
    }
    pub fn is_admin(&self) -> bool {
        self.flags() & U_ADMIN != 0
    }
    pub fn user_type(&self) -> UserType {
        if self.flags() & U_GUEST != 0 {
            UserType::Guest
        } else {
            UserType::Member
        }
    }
    pub fn method_codes(&self) -> &'a [MethodCode] {
        let u = self.index as usize;
        let cols = &self.ds.users;
        &cols.methods[cols.method_start[u] as usize..cols.method_start[u + 1] as usize]
    }
    pub fn methods(&self) -> impl Iterator<Item = Method> + 'a {
        let ds = self.ds;
        self.method_codes()
            .iter()
            .filter_map(move |&c| ds.methods.method(c))
    }
    pub fn last_updated(&self) -> Option<Millis> {
        let t = self.ds.users.last_updated[self.index as usize];
        (t != i64::MIN).then_some(t)
    }
}

/// An event row, read through the dataset.
#[derive(Clone, Copy, Debug)]
pub struct EventRef<'a> {
    ds: &'a Dataset,
    index: u32,
}

impl<'a> EventRef<'a> {
    pub fn index(&self) -> u32 {
        self.index
    }
    pub fn time(&self) -> Millis {
        self.ds.events.time[self.index as usize]
    }
    fn person(&self) -> u32 {
        self.ds.events.person[self.index as usize]
    }
    pub fn name(&self) -> &'a str {
        self.ds.names.get(self.person())
    }
    pub fn user_name(&self) -> &'a str {
        self.ds.user_names.get(self.person())
    }
    pub fn feature(&self) -> Feature {
        if self.ds.events.flags[self.index as usize] & EV_RESET != 0 {
            Feature::Reset
        } else {
            Feature::Registration
        }
    }
    pub fn status(&self) -> Status {
        if self.ds.events.flags[self.index as usize] & EV_SUCCESS != 0 {
            Status::Success
        } else {
            Status::Failure
        }
    }
    pub fn method_code(&self) -> MethodCode {
        self.ds.events.method[self.index as usize]
    }
    pub fn method(&self) -> Option<Method> {
        self.ds.methods.method(self.method_code())
    }
    pub fn failure_reason(&self) -> &'a str {
        self.ds
            .reasons
            .get(self.ds.events.reason[self.index as usize])
    }
}

impl Dataset {
    pub fn source(&self) -> &SourceKind {
        &self.source
    }
    pub fn as_of(&self) -> Millis {
        self.as_of
    }
    /// The as-of time when the data says one: `None` for data without a single time (no event,
    /// no update time of a user, no audit-log row) that was not fetched at a known moment, whose
    /// [`Dataset::as_of`] is the epoch only for want of any other (spec §3.4: unknown is never
    /// shown as a value).
    pub fn as_of_known(&self) -> Option<Millis> {
        let timeless = self.event_span().is_none()
            && self.last_updated.is_none()
            && self.audit.span().is_none();
        (!timeless || self.source.is_live()).then_some(self.as_of)
    }
    /// The newest `lastUpdatedDateTime` of the registration details, when there is one.
    pub fn last_updated(&self) -> Option<Millis> {
        self.last_updated
    }
    pub fn user_count(&self) -> usize {
        self.users.person.len()
    }
    pub fn event_count(&self) -> usize {
        self.events.len()
    }
    pub fn is_empty(&self) -> bool {
        self.user_count() == 0 && self.event_count() == 0
    }
    pub fn user(&self, index: u32) -> UserRef<'_> {
        UserRef { ds: self, index }
    }
    pub fn event(&self, index: u32) -> EventRef<'_> {
        EventRef { ds: self, index }
    }
    pub fn users(&self) -> impl Iterator<Item = UserRef<'_>> {
        (0..self.user_count() as u32).map(|i| self.user(i))
    }
    pub fn events(&self) -> impl Iterator<Item = EventRef<'_>> {
        (0..self.event_count() as u32).map(|i| self.event(i))
    }
    pub fn warnings(&self) -> &Warnings {
        &self.warnings
    }
    pub fn sources(&self) -> &[SourceSummary] {
        &self.sources
    }
    /// Oldest and newest event time.
    pub fn event_span(&self) -> Option<(Millis, Millis)> {
        Some((*self.events.time.first()?, *self.events.time.last()?))
    }
    /// The methods that occur in the data: canonical ones in table order, then unknown names.
    pub fn method_table(&self) -> &MethodTable {
        &self.methods
    }
    /// The user row of an event's person, when the registration details have one.
    pub fn event_user(&self, event: u32) -> Option<u32> {
        let p = self.events.person[event as usize];
        let u = self.person_user[p as usize];
        (u != u32::MAX).then_some(u)
    }

    /// Bytes this dataset holds on the heap (for the memory benchmark).
    pub fn heap_bytes(&self) -> usize {
        let u = &self.users;
        self.names.heap_bytes()
            + self.user_names.heap_bytes()
            + self.search_text.heap_bytes()
            + self.person_user.capacity() * 4
            + self.person_class.capacity()
            + u.person.capacity() * 4
            + u.id.heap_bytes()
            + u.flags.capacity()
            + u.method_start.capacity() * 4
            + u.methods.capacity() * 2
            + u.method_mask.capacity() * 2
            + u.last_updated.capacity() * 8
            + u.mfa.heap_bytes()
            + self.event_heap_bytes()
            + self.reasons.heap_bytes()
            + self.methods.heap_bytes()
            + self.audit.heap_bytes()
            + self.person_ranks.heap_bytes()
    }

    /// Bytes held by the event columns alone.
    pub fn event_heap_bytes(&self) -> usize {
        let e = &self.events;
        e.time.capacity() * 8
            + e.person.capacity() * 4
            + e.method.capacity() * 2
            + e.flags.capacity()
            + e.reason.capacity() * 4
            + e.id.capacity() * 8
    }
}
