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
    /// Merges batches into a dataset: users keyed by id (user name when there is no id; the last
    /// record wins), events de-duplicated by id (the first wins), events sorted by time.
    pub fn build(mut batches: Vec<Batch>, as_of: AsOf, source: SourceKind) -> Dataset {
        for batch in batches.iter_mut() {
            batch.resolve_people();
        }
        let total_events: usize = batches.iter().map(|b| b.events.len()).sum();
        let total_users: usize = batches.iter().map(|b| b.users.len()).sum();
        let mut people = People::default();
        people.reserve(batches.iter().map(|b| b.people.len()).max().unwrap_or(0));
        let mut methods = MethodTable::default();
        let mut reasons = super::strings::Interner::default();
        let mut warnings = Warnings::default();
        let mut sources: Vec<SourceSummary> = Vec::with_capacity(batches.len());

        let mut events = EventColumns::with_capacity(total_events);
        let mut seen_events = IdSet::with_capacity(total_events);
        let mut person_maps: Vec<Vec<u32>> = Vec::with_capacity(batches.len());
        let mut audit = AuditGather::default();
        let mut method_maps: Vec<Vec<MethodCode>> = Vec::with_capacity(batches.len());

        // People, methods, reasons and events, batch by batch (each batch's events are freed
        // as soon as they are copied).
        for batch in batches.iter_mut() {
            match sources.last_mut() {
                // Pages of one list arrive as batches of the same name: one source.
                Some(last) if last.name == batch.source => {
                    last.users += batch.users.len();
                    last.events += batch.events.len();
                }
                _ => sources.push(SourceSummary {
                    name: batch.source.clone(),
                    users: batch.users.len(),
                    events: batch.events.len(),
                }),
            }
            if batch.cut_off {
                warnings.cut_off_sources.push(batch.source.clone());
            }
            if batch.skipped_records > 0 {
                warnings
                    .skipped_records
                    .push((batch.source.clone(), batch.skipped_records));
            }
            warnings.malformed_times += batch.malformed_times;
            let batch_people: Vec<(&str, &str)> = (0..batch.people.len() as u32)
                .map(|p| (batch.people.user_names.get(p), batch.people.names.get(p)))
                .collect();
            let mut person_map = Vec::with_capacity(batch_people.len());
            people.persons(&batch_people, &mut person_map);
            drop(batch_people);
            batch.people.drop_index();
            let method_map: Vec<MethodCode> = (0..batch.methods.len() as MethodCode)
                .map(|c| match batch.methods.method(c) {
                    Some(m) => methods.code_of(&m),
                    None => NO_METHOD,
                })
                .collect();
            let map_method = |c: MethodCode| -> MethodCode {
                method_map.get(c as usize).copied().unwrap_or(NO_METHOD)
            };
            let reason_map: Vec<u32> = (0..batch.reasons.len() as u32)
                .map(|r| reasons.intern(batch.reasons.get(r)))
                .collect();

            let e = std::mem::take(&mut batch.events);
            let kept = seen_events.first_seen(&e.id);
            warnings.duplicate_events += kept
                .as_ref()
                .map_or(0, |k| k.iter().filter(|&&keep| !keep).count());
            let as_is = events.len() == 0
                && kept.is_none()
                && is_identity(&person_map)
                && is_identity(&method_map)
                && is_identity(&reason_map);
            if as_is {
                // The first batch, with nothing to renumber or leave out: its columns are taken
                // whole (a big upload is usually one batch).
                events = e;
            } else {
                for i in 0..e.len() {
                    if kept.as_ref().is_some_and(|k| !k[i]) {
                        continue;
                    }
                    events.time.push(e.time[i]);
                    events.person.push(person_map[e.person[i] as usize]);
                    events.method.push(map_method(e.method[i]));
                    events.flags.push(e.flags[i]);
                    events.reason.push(reason_map[e.reason[i] as usize]);
                    events.id.push(e.id[i]);
                }
            }
            audit.add(
                &batch.audit,
                &batch.audit_texts,
                &person_map,
                batch.audit_other_services,
            );
            batch.audit = Default::default();
            person_maps.push(person_map);
            method_maps.push(method_map);
        }
        drop(seen_events);
        // Attempts span files: they are rebuilt from every batch's rows at once, and the events
        // they give join the others (outside the report's own time range, spec §4.3).
        warnings.audit_other_services = audit.other_services;
        warnings.duplicate_audit_rows = audit.duplicates;
        let report_span = events
            .time
            .iter()
            .min()
            .zip(events.time.iter().max())
            .map(|(&a, &b)| (a, b));
        let named =
            |p: u32| !people.user_names.get(p).is_empty() || !people.names.get(p).is_empty();
        let (audit, derived) = audit.finish(named, report_span, &mut reasons, &mut methods);
        events.time.extend_from_slice(&derived.time);
        events.person.extend_from_slice(&derived.person);
        events.method.extend_from_slice(&derived.method);
        events.flags.extend_from_slice(&derived.flags);
        events.reason.extend_from_slice(&derived.reason);
        events.id.extend_from_slice(&derived.id);
        drop(derived);

        // Users keyed by id, else by person: the last record wins, in the first one's place.
        // `slots` holds (batch, user) of each row.
        let mut slots: Vec<(u32, u32)> = Vec::with_capacity(total_users);
        let mut by_id: FxHashMap<&str, u32> = FxHashMap::default();
        by_id.reserve(total_users);
        let mut by_person = vec![u32::MAX; people.len()];
        for (b, batch) in batches.iter().enumerate() {
            for (u, user) in batch.users.iter().enumerate() {
                let here = (b as u32, u as u32);
                let id = batch.user_id(user);
                let slot = if id.is_empty() {
                    let person = person_maps[b][user.person as usize] as usize;
                    match by_person[person] {
                        u32::MAX => {
                            by_person[person] = slots.len() as u32;
                            None
                        }
                        slot => Some(slot),
                    }
                } else {
                    match by_id.entry(id) {
                        std::collections::hash_map::Entry::Occupied(e) => Some(*e.get()),
                        std::collections::hash_map::Entry::Vacant(e) => {
                            e.insert(slots.len() as u32);
                            None
                        }
                    }
                };
                match slot {
                    Some(slot) => {
                        warnings.duplicate_users += 1;
                        slots[slot as usize] = here;
                    }
                    None => slots.push(here),
                }
            }
        }
        drop(by_id);
        drop(by_person);

        let events = sort_by_time(events);
        let reasons = {
            let mut table = StrTable::default();
            for r in 0..reasons.len() as u32 {
                table.push(reasons.get(r));
            }
            table
        };

        // Users, column-wise.
        let mut cols = UserColumns::with_capacity(slots.len());
        let mut person_user = vec![u32::MAX; people.len()];
        let mut last_updated = None::<Millis>;
        cols.method_start.push(0);
        for (u, &(b, i)) in slots.iter().enumerate() {
            let batch = &batches[b as usize];
            let user = &batch.users[i as usize];
            let person = person_maps[b as usize][user.person as usize];
            let method_map = &method_maps[b as usize];
            let first_method = cols.methods.len();
            cols.methods.extend(
                batch
                    .user_method_codes(user)
                    .iter()
                    .map(|&c| method_map.get(c as usize).copied().unwrap_or(NO_METHOD)),
            );
            let mut flags = 0;
            if user.registered {
                flags |= U_REGISTERED;
            }
            if user.enabled {
                flags |= U_ENABLED;
            }
            let derived = user.registered && user.enabled;
            let capable = user.capable.unwrap_or(derived);
            if capable {
                flags |= U_CAPABLE;
            }
            if let Some(exported) = user.capable {
                flags |= U_CAPABLE_EXPORTED;
                if exported != derived {
                    warnings.contradictory_flags += 1;
                }
            }
            if user.is_admin {
                flags |= U_ADMIN;
            }
            if user.user_type == UserType::Guest {
                flags |= U_GUEST;
            }
            if people.user_names.get(person).is_empty() {
                warnings.users_without_user_name += 1;
            }
            let mut mask = 0u16;
            for &code in &cols.methods[first_method..] {
                if (code as usize) < CANONICAL_COUNT {
                    mask |= 1 << code;
                }
            }
            cols.person.push(person);
            cols.id.push(batch.user_id(user));
            cols.flags.push(flags);
            cols.method_start.push(cols.methods.len() as u32);
            cols.method_mask.push(mask);
            cols.last_updated
                .push(user.last_updated.unwrap_or(i64::MIN));
            let mfa = batch.user_mfa_of(i as usize);
            cols.mfa.push(mfa, batch.mfa_system_codes(&mfa), |c| {
                method_map.get(c as usize).copied().unwrap_or(NO_METHOD)
            });
            if let Some(t) = user.last_updated {
                last_updated = Some(last_updated.map_or(t, |m: Millis| m.max(t)));
            }
            person_user[person as usize] = u as u32;
        }
        drop(slots);
        drop(batches);

        // Who each person is, for the population control.
        let person_class: Vec<u8> = (0..people.len())
            .map(|p| match person_user[p] {
                u32::MAX => match UserType::infer(people.user_names.get(p as u32)) {
                    UserType::Guest => P_GUEST,
                    UserType::Member => P_MEMBER,
                },
                u => user_class(cols.flags[u as usize]),
            })
            .collect();

        let mut search_text = StrTable::with_capacity(people.len(), people.names.heap_bytes() * 2);
        let mut buffer = String::new();
        for p in 0..people.len() as u32 {
            buffer.clear();
            push_lowercase(&mut buffer, people.names.get(p));
            buffer.push('\n');
            push_lowercase(&mut buffer, people.user_names.get(p));
            search_text.push(&buffer);
        }

        // Unknown methods and missing user names among events.
        let mut unknown_counts = vec![0usize; methods.len()];
        for &code in &cols.methods {
            if let Some(c) = unknown_counts.get_mut(code as usize) {
                *c += 1;
            }
        }
        for (i, &code) in events.method.iter().enumerate() {
            if let Some(c) = unknown_counts.get_mut(code as usize) {
                *c += 1;
            }
            if people.user_names.get(events.person[i]).is_empty() {
                warnings.events_without_user_name += 1;
            }
        }
        let mut unknown: Vec<(String, usize)> = methods
            .other_names()
            .iter()
            .enumerate()
            .map(|(i, name)| (name.to_string(), unknown_counts[CANONICAL_COUNT + i]))
            .filter(|(_, n)| *n > 0)
            .collect();
        unknown.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        warnings.unknown_methods = unknown;

        let mut used = [vec![false; methods.len()], vec![false; methods.len()]];
        for (i, &code) in events.method.iter().enumerate() {
            if let Some(slot) = used[(events.flags[i] & EV_RESET) as usize].get_mut(code as usize) {
                *slot = true;
            }
        }
        let feature_methods = used.map(|flags| {
            flags
                .iter()
                .enumerate()
                .filter(|(_, &u)| u)
                .map(|(c, _)| c as MethodCode)
                .collect::<Vec<_>>()
        });

        let (as_of, last_updated) = as_of_time(
            as_of,
            &events.time,
            &cols.last_updated,
            last_updated,
            audit.span().map(|(_, newest)| newest),
            &mut warnings,
        );

        people.names.shrink_to_fit();
        people.user_names.shrink_to_fit();
        let People {
            names, user_names, ..
        } = people;
        cols.id.shrink_to_fit();
        cols.methods.shrink_to_fit();
        cols.mfa.shrink_to_fit();

        Dataset {
            source,
            as_of,
            last_updated,
            names,
            user_names,
            search_text,
            person_user,
            person_class,
            users: cols,
            events,
            reasons,
            methods,
            feature_methods,
            warnings,
            sources,
            audit,
        }
    }

    /// A dataset from its parts, when they agree: every index inside its table, every column as
    /// long as its rows, events in time order. `None` otherwise (a damaged message), so that no
    /// view can later index outside a column.
    pub(crate) fn from_parts(p: DatasetParts) -> Option<Dataset> {
        let people = p.names.len();
        let users = p.users.person.len();
        let codes = p.methods.len();
        let code_ok = |c: MethodCode| (c as usize) < codes || c == NO_METHOD;
        let u = &p.users;
        let e = &p.events;
        let agree = p.user_names.len() == people
            && p.search_text.len() == people
            && p.person_user.len() == people
            && p.person_class.len() == people
            && p.person_user
                .iter()
                .all(|&x| x == u32::MAX || (x as usize) < users)
            && u.person.iter().all(|&x| (x as usize) < people)
            && u.id.len() == users
            && u.flags.len() == users
            && u.method_mask.len() == users
            && u.method_mask
                .iter()
                .all(|&m| (m as usize) < 1 << CANONICAL_COUNT)
            && u.last_updated.len() == users
            && u.method_start.len() == users + 1
            && u.method_start.first() == Some(&0)
            && u.method_start.windows(2).all(|w| w[0] <= w[1])
            && u.method_start.last().map(|&x| x as usize) == Some(u.methods.len())
            && u.methods.iter().all(|&c| code_ok(c))
            && e.person.iter().all(|&x| (x as usize) < people)
            && e.reason
                .iter()
                .all(|&x| (x as usize) < p.reasons.len().max(1))
            && e.method.iter().all(|&c| code_ok(c))
            && e.time.windows(2).all(|w| w[0] <= w[1])
            && p.feature_methods.iter().flatten().all(|&c| code_ok(c))
            && p.audit.is_consistent(people)
            && u.mfa.agrees(users, &code_ok);
        agree.then_some(Dataset {
            source: p.source,
            as_of: p.as_of,
            last_updated: p.last_updated,
            names: p.names,
            user_names: p.user_names,
            search_text: p.search_text,
            person_user: p.person_user,
            person_class: p.person_class,
            users: p.users,
            events: p.events,
            reasons: p.reasons,
            methods: p.methods,
            feature_methods: p.feature_methods,
            warnings: p.warnings,
            sources: p.sources,
            audit: p.audit,
        })
    }

    /// This dataset and more batches as one new dataset (the "Merge" choice). `as_of` is for
    /// data that is not live: live data keeps the time of its fetch. The source names both, and
    /// every warning about the earlier data still holds.
    pub fn merge(&self, batches: Vec<Batch>, as_of: AsOf, added: SourceKind) -> Dataset {
        let mut all = Vec::with_capacity(batches.len() + 1);
        all.push(self.to_batch());
        all.extend(batches);
        let as_of = if self.source.is_live() {
            AsOf::At(self.as_of)
        } else {
            as_of
        };
        let source = self.source.clone().with(added);
        let mut merged = Dataset::build(all, as_of, source);
        // The first summary describes this dataset as a whole; list its own sources instead.
        merged.sources.remove(0);
        let mut sources = self.sources.clone();
        sources.append(&mut merged.sources);
        merged.sources = sources;
        // What was noted while loading the earlier files still holds.
        let w = &mut merged.warnings;
        w.malformed_times += self.warnings.malformed_times;
        // The earlier data holds one of each duplicate it left out; say so again.
        w.duplicate_users += self.warnings.duplicate_users;
        w.duplicate_events += self.warnings.duplicate_events;
        let mut skipped = self.warnings.skipped_records.clone();
        skipped.append(&mut w.skipped_records);
        w.skipped_records = skipped;
        let mut cut_off = self.warnings.cut_off_sources.clone();
        cut_off.append(&mut w.cut_off_sources);
        w.cut_off_sources = cut_off;
        w.audit_other_services += self.warnings.audit_other_services;
        w.duplicate_audit_rows += self.warnings.duplicate_audit_rows;
        merged
    }

    /// The whole dataset as one batch (used to merge new files into it).
    fn to_batch(&self) -> Batch {
        let mut batch = Batch::new("loaded data");
        batch.people = People::default();
        for p in 0..self.names.len() as u32 {
            batch
                .people
                .person(self.user_names.get(p), self.names.get(p));
        }
        batch.methods = self.methods.clone();
        batch.reasons = {
            let mut interner = super::strings::Interner::default();
            for r in self.reasons.iter() {
                interner.intern(r);
            }
            interner
        };
        for u in 0..self.user_count() as u32 {
            let user = self.user(u);
            let first_method = batch.user_methods.len() as u32;
            batch.user_methods.extend_from_slice(user.method_codes());
            batch.users.push(super::batch::BatchUser {
                id: batch.user_ids.push(user.id()),
                person: self.users.person[u as usize],
                user_type: user.user_type(),
                is_admin: user.is_admin(),
                registered: user.registered(),
                enabled: user.enabled(),
                capable: user.capable_exported().then(|| user.capable()),
                methods: (first_method, batch.user_methods.len() as u32),
                last_updated: user.last_updated(),
            });
        }
        // Events derived from the audit log are derived again from its rows.
        let e = &self.events;
        let keep: Vec<usize> = (0..e.len())
            .filter(|&i| e.flags[i] & EV_DERIVED == 0)
            .collect();
        batch.events = EventColumns {
            time: keep.iter().map(|&i| e.time[i]).collect(),
            person: keep.iter().map(|&i| e.person[i]).collect(),
            method: keep.iter().map(|&i| e.method[i]).collect(),
            flags: keep.iter().map(|&i| e.flags[i]).collect(),
            reason: keep.iter().map(|&i| e.reason[i]).collect(),
            id: keep.iter().map(|&i| e.id[i]).collect(),
        };
        batch.audit = self.audit.rows.clone();
        batch.audit_texts =
            super::strings::Interner::from_table(self.audit.texts.clone()).unwrap_or_default();
        // The batch's method table is this dataset's: the MFA codes carry over as they are.
        let mfa = &self.users.mfa;
        batch.mfa_methods = mfa.system_methods.clone();
        batch.user_mfa = (0..self.user_count()).map(|u| mfa.get(u)).collect();
        batch
    }

    pub fn source(&self) -> &SourceKind {
        &self.source
    }
    pub fn as_of(&self) -> Millis {
        self.as_of
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

/// Event ids looked up together by `Dataset::build`.
const ID_CHUNK: usize = 512;

/// The event ids seen so far (their hashes, never 0): open addressing, at most half full.
struct IdSet {
    slots: Vec<u64>,
    used: usize,
}

impl IdSet {
    fn with_capacity(n: usize) -> Self {
        IdSet {
            slots: vec![0; (n * 2).next_power_of_two().max(16)],
            used: 0,
        }
    }

    /// Loads the slots of `ids` back to back, so that their cache misses overlap instead of
    /// following one another when they are inserted.
    fn preload(&self, ids: &[u64]) {
        let mask = self.slots.len() - 1;
        let loaded = ids
            .iter()
            .fold(0u64, |acc, &id| acc ^ self.slots[id as usize & mask]);
        std::hint::black_box(loaded);
    }

    /// Adds the (non-zero) ids in order; which of them were new (`None` when all were: the
    /// usual case, with nothing to leave out).
    fn first_seen(&mut self, ids: &[u64]) -> Option<Vec<bool>> {
        let mut kept: Option<Vec<bool>> = None;
        for (start, chunk) in (0..ids.len())
            .step_by(ID_CHUNK)
            .map(|s| (s, &ids[s..(s + ID_CHUNK).min(ids.len())]))
        {
            self.preload(chunk);
            for (j, &id) in chunk.iter().enumerate() {
                if id != 0 && !self.insert(id) {
                    kept.get_or_insert_with(|| vec![true; ids.len()])[start + j] = false;
                }
            }
        }
        kept
    }

    /// Adds a (non-zero) id; false when it was there already.
    fn insert(&mut self, id: u64) -> bool {
        if (self.used + 1) * 2 > self.slots.len() {
            let size = self.slots.len() * 2;
            let old = std::mem::replace(&mut self.slots, vec![0; size]);
            self.used = 0;
            for id in old.into_iter().filter(|&id| id != 0) {
                self.insert(id);
            }
        }
        let mask = self.slots.len() - 1;
        let mut i = id as usize & mask;
        loop {
            match self.slots[i] {
                0 => {
                    self.slots[i] = id;
                    self.used += 1;
                    return true;
                }
                seen if seen == id => return false,
                _ => i = (i + 1) & mask,
            }
        }
    }
}

/// The dataset's as-of time and its newest user update time (spec §3.4), counting what lies
/// after them in `warnings`; the audit log's newest row counts as an event time. `event_times` are sorted; users without an update time hold
/// `i64::MIN`.
fn as_of_time(
    as_of: AsOf,
    event_times: &[Millis],
    user_times: &[Millis],
    last_updated: Option<Millis>,
    audit_newest: Option<Millis>,
    warnings: &mut Warnings,
) -> (Millis, Option<Millis>) {
    let newest = |events: Option<Millis>, users: Option<Millis>| match (events, users) {
        (Some(a), Some(b)) => a.max(b),
        (Some(a), None) | (None, Some(a)) => a,
        (None, None) => 0,
    };
    match as_of {
        AsOf::At(t) => {
            warnings.events_after_as_of =
                event_times.len() - event_times.partition_point(|&e| e <= t);
            (t, last_updated)
        }
        AsOf::Newest => (
            newest(event_times.last().copied(), last_updated).max(audit_newest.unwrap_or(i64::MIN)),
            last_updated,
        ),
        AsOf::Loaded(now) => {
            let limit = now.saturating_add(super::time::DAY);
            let kept = event_times.partition_point(|&e| e <= limit);
            let users_before = user_times
                .iter()
                .copied()
                .filter(|&t| t != i64::MIN && t <= limit);
            let newest_user = users_before.max();
            let late_users = user_times
                .iter()
                .filter(|&&t| t != i64::MIN && t > limit)
                .count();
            warnings.times_after_load = event_times.len() - kept + late_users;
            let events_before = kept.checked_sub(1).map(|i| event_times[i]);
            let audit = audit_newest.filter(|&t| t <= limit).unwrap_or(i64::MIN);
            (newest(events_before, newest_user).max(audit), newest_user)
        }
    }
}

/// Whether a code map changes nothing (`map[i] == i` throughout).
fn is_identity<T: Copy + TryInto<usize>>(map: &[T]) -> bool {
    map.iter()
        .enumerate()
        .all(|(i, &c)| c.try_into().ok() == Some(i))
}

/// Appends `text.to_lowercase()` (without allocating for ASCII text).
fn push_lowercase(buffer: &mut String, text: &str) {
    if text.is_ascii() {
        let start = buffer.len();
        buffer.push_str(text);
        buffer[start..].make_ascii_lowercase();
    } else {
        buffer.push_str(&text.to_lowercase());
    }
}

/// Sorts events by time (stable: equal times keep load order) and trims spare capacity.
fn sort_by_time(events: EventColumns) -> EventColumns {
    if events.time.windows(2).all(|w| w[0] <= w[1]) {
        let mut events = events;
        shrink(&mut events);
        return events;
    }
    let order = time_order(&events.time);
    let gather = |column: &Vec<_>| {
        order
            .iter()
            .map(|&i| column[i as usize])
            .collect::<Vec<_>>()
    };
    EventColumns {
        time: order.iter().map(|&i| events.time[i as usize]).collect(),
        person: gather(&events.person),
        method: order.iter().map(|&i| events.method[i as usize]).collect(),
        flags: order.iter().map(|&i| events.flags[i as usize]).collect(),
        reason: gather(&events.reason),
        id: order.iter().map(|&i| events.id[i as usize]).collect(),
    }
}

/// The stable order of `times`: each time packed with its index into one integer when the span
/// of times allows (it does for any real data), else an indirect stable sort.
fn time_order(times: &[Millis]) -> Vec<u32> {
    let n = times.len();
    let (Some(&min), Some(&max)) = (times.iter().min(), times.iter().max()) else {
        return Vec::new();
    };
    let index_bits = usize::BITS - n.leading_zeros();
    let span = (max as i128 - min as i128) as u128;
    if index_bits < 64 && span < 1u128 << (64 - index_bits) {
        let mut keys: Vec<u64> = times
            .iter()
            .enumerate()
            .map(|(i, &t)| (((t as i128 - min as i128) as u64) << index_bits) | i as u64)
            .collect();
        keys.sort_unstable();
        let index_mask = (1u64 << index_bits) - 1;
        return keys.into_iter().map(|k| (k & index_mask) as u32).collect();
    }
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.sort_by_key(|&i| times[i as usize]);
    order
}

fn shrink(events: &mut EventColumns) {
    events.time.shrink_to_fit();
    events.person.shrink_to_fit();
    events.method.shrink_to_fit();
    events.flags.shrink_to_fit();
    events.reason.shrink_to_fit();
    events.id.shrink_to_fit();
}
