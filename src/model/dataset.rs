//! The immutable dataset every screen reads: users and events column-wise, strings interned,
//! events in time order. Built from batches (merge, de-duplication, as-of, data-quality warnings);
//! never changed afterwards: a new load builds a new one.

use rustc_hash::{FxHashMap, FxHashSet};

use super::batch::{Batch, EventColumns, Feature, People, Status, UserType, EV_RESET, EV_SUCCESS};
use super::method::{Method, MethodCode, MethodTable, CANONICAL_COUNT, NO_METHOD};
use super::strings::StrTable;
use super::time::Millis;

/// Which time the data is "as of" (spec §3.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AsOf {
    /// Uploaded or sample data: the newest time in the data.
    Newest,
    /// Live data: the time of the fetch.
    At(Millis),
}

/// Where the loaded data came from, for the header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceKind {
    Sample,
    Uploaded,
    Live { host: String },
}

impl SourceKind {
    pub fn label(&self) -> String {
        match self {
            SourceKind::Sample => "Sample data".to_string(),
            SourceKind::Uploaded => "Uploaded files".to_string(),
            SourceKind::Live { host } => format!("Live: {host}"),
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
    /// User update times that were not times (the users are kept without one).
    pub malformed_times: usize,
    /// Users whose exported capable flag disagrees with registered ∧ enabled (kept as exported).
    pub contradictory_flags: usize,
    /// Bad records left out, per source.
    pub skipped_records: Vec<(String, usize)>,
    /// Sources that could not be read to their end (loaded up to the problem).
    pub cut_off_sources: Vec<String>,
}

impl Warnings {
    /// One sentence per finding, for the data page.
    pub fn messages(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (name, count) in &self.unknown_methods {
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
        out
    }

    pub fn is_empty(&self) -> bool {
        self.messages().is_empty()
    }
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
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
}

/// The loaded data. Cheap to share (`Arc<Dataset>`), never mutated.
#[derive(Clone, Debug)]
pub struct Dataset {
    source: SourceKind,
    as_of: Millis,
    last_updated: Option<Millis>,
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
    warnings: Warnings,
    sources: Vec<SourceSummary>,
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
    /// Whether the event carried an id (the id itself is kept only as a hash).
    pub fn id_hash(&self) -> u64 {
        self.ds.events.id[self.index as usize]
    }
}

impl Dataset {
    /// Merges batches into a dataset: users keyed by id (user name when there is no id; the last
    /// record wins), events de-duplicated by id (the first wins), events sorted by time.
    pub fn build(batches: Vec<Batch>, as_of: AsOf, source: SourceKind) -> Dataset {
        let total_events: usize = batches.iter().map(|b| b.events.len()).sum();
        let mut people = People::default();
        let mut methods = MethodTable::default();
        let mut reasons = super::strings::Interner::default();
        let mut warnings = Warnings::default();
        let mut sources = Vec::with_capacity(batches.len());

        let mut user_slot: FxHashMap<String, usize> = FxHashMap::default();
        let mut users: Vec<super::batch::BatchUser> = Vec::new();
        let mut events = EventColumns::with_capacity(total_events);
        let mut seen_events: FxHashSet<u64> = FxHashSet::default();
        seen_events.reserve(total_events);

        for batch in batches {
            sources.push(SourceSummary {
                name: batch.source.clone(),
                users: batch.users.len(),
                events: batch.events.len(),
            });
            if batch.cut_off {
                warnings.cut_off_sources.push(batch.source.clone());
            }
            if batch.skipped_records > 0 {
                warnings
                    .skipped_records
                    .push((batch.source.clone(), batch.skipped_records));
            }
            warnings.malformed_times += batch.malformed_times;
            let person_map: Vec<u32> = (0..batch.people.len() as u32)
                .map(|p| people.person(batch.people.user_names.get(p), batch.people.names.get(p)))
                .collect();
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

            for mut user in batch.users {
                user.person = person_map[user.person as usize];
                for code in user.methods.iter_mut() {
                    *code = map_method(*code);
                }
                let key = if user.id.is_empty() {
                    format!(
                        "\u{1}{}",
                        People::key_of(
                            people.user_names.get(user.person),
                            people.names.get(user.person)
                        )
                    )
                } else {
                    user.id.to_string()
                };
                match user_slot.get(&key) {
                    Some(&slot) => {
                        warnings.duplicate_users += 1;
                        users[slot] = user;
                    }
                    None => {
                        user_slot.insert(key, users.len());
                        users.push(user);
                    }
                }
            }

            let e = &batch.events;
            for i in 0..e.len() {
                let id = e.id[i];
                if id != 0 && !seen_events.insert(id) {
                    warnings.duplicate_events += 1;
                    continue;
                }
                events.time.push(e.time[i]);
                events.person.push(person_map[e.person[i] as usize]);
                events.method.push(map_method(e.method[i]));
                events.flags.push(e.flags[i]);
                events.reason.push(reason_map[e.reason[i] as usize]);
                events.id.push(id);
            }
        }
        drop(seen_events);
        drop(user_slot);

        let events = sort_by_time(events);
        let reasons = {
            let mut table = StrTable::default();
            for r in 0..reasons.len() as u32 {
                table.push(reasons.get(r));
            }
            table
        };

        // Users, column-wise.
        let mut cols = UserColumns::default();
        let mut person_user = vec![u32::MAX; people.len()];
        let mut last_updated = None::<Millis>;
        cols.method_start.push(0);
        for (u, user) in users.iter().enumerate() {
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
            if people.user_names.get(user.person).is_empty() {
                warnings.users_without_user_name += 1;
            }
            let mut mask = 0u16;
            for &code in &user.methods {
                if (code as usize) < CANONICAL_COUNT {
                    mask |= 1 << code;
                }
            }
            cols.person.push(user.person);
            cols.id.push(&user.id);
            cols.flags.push(flags);
            cols.methods.extend_from_slice(&user.methods);
            cols.method_start.push(cols.methods.len() as u32);
            cols.method_mask.push(mask);
            cols.last_updated
                .push(user.last_updated.unwrap_or(i64::MIN));
            if let Some(t) = user.last_updated {
                last_updated = Some(last_updated.map_or(t, |m: Millis| m.max(t)));
            }
            person_user[user.person as usize] = u as u32;
        }

        // Who each person is, for the population control.
        let person_class: Vec<u8> = (0..people.len())
            .map(|p| match person_user[p] {
                u32::MAX => match UserType::infer(people.user_names.get(p as u32)) {
                    UserType::Guest => P_GUEST,
                    UserType::Member => P_MEMBER,
                },
                u => {
                    let f = cols.flags[u as usize];
                    let kind = if f & U_GUEST != 0 { P_GUEST } else { P_MEMBER };
                    let role = if f & U_ADMIN != 0 {
                        P_ADMIN
                    } else {
                        P_NONADMIN
                    };
                    kind | role
                }
            })
            .collect();

        let mut search_text = StrTable::with_capacity(people.len(), people.names.heap_bytes() * 2);
        let mut buffer = String::new();
        for p in 0..people.len() as u32 {
            buffer.clear();
            buffer.push_str(&people.names.get(p).to_lowercase());
            buffer.push('\n');
            buffer.push_str(&people.user_names.get(p).to_lowercase());
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

        let newest_event = events.time.last().copied();
        let as_of = match as_of {
            AsOf::At(t) => {
                warnings.events_after_as_of = events.time.iter().filter(|&&e| e > t).count();
                t
            }
            AsOf::Newest => match (newest_event, last_updated) {
                (Some(a), Some(b)) => a.max(b),
                (Some(a), None) | (None, Some(a)) => a,
                (None, None) => 0,
            },
        };

        people.names.shrink_to_fit();
        people.user_names.shrink_to_fit();
        let People {
            names, user_names, ..
        } = people;
        cols.id.shrink_to_fit();
        cols.methods.shrink_to_fit();

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
        }
    }

    /// This dataset and more batches as one new dataset (the "Merge" choice).
    pub fn merge(&self, batches: Vec<Batch>, as_of: AsOf, source: SourceKind) -> Dataset {
        let mut all = Vec::with_capacity(batches.len() + 1);
        all.push(self.to_batch());
        all.extend(batches);
        let mut merged = Dataset::build(all, as_of, source);
        // The first summary describes this dataset as a whole; list its own sources instead.
        merged.sources.remove(0);
        let mut sources = self.sources.clone();
        sources.append(&mut merged.sources);
        merged.sources = sources;
        // What was noted while loading the earlier files still holds.
        let w = &mut merged.warnings;
        w.malformed_times += self.warnings.malformed_times;
        let mut skipped = self.warnings.skipped_records.clone();
        skipped.append(&mut w.skipped_records);
        w.skipped_records = skipped;
        let mut cut_off = self.warnings.cut_off_sources.clone();
        cut_off.append(&mut w.cut_off_sources);
        w.cut_off_sources = cut_off;
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
            batch.users.push(super::batch::BatchUser {
                id: user.id().into(),
                person: self.users.person[u as usize],
                user_type: user.user_type(),
                is_admin: user.is_admin(),
                registered: user.registered(),
                enabled: user.enabled(),
                capable: user.capable_exported().then(|| user.capable()),
                methods: user.method_codes().to_vec(),
                last_updated: user.last_updated(),
            });
        }
        batch.events = self.events.clone();
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
            + self.event_heap_bytes()
            + self.reasons.heap_bytes()
            + self.methods.heap_bytes()
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

/// Sorts events by time (stable: equal times keep load order) and trims spare capacity.
fn sort_by_time(events: EventColumns) -> EventColumns {
    let n = events.len();
    if events.time.windows(2).all(|w| w[0] <= w[1]) {
        let mut events = events;
        shrink(&mut events);
        return events;
    }
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.sort_by_key(|&i| events.time[i as usize]);
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

fn shrink(events: &mut EventColumns) {
    events.time.shrink_to_fit();
    events.person.shrink_to_fit();
    events.method.shrink_to_fit();
    events.flags.shrink_to_fit();
    events.reason.shrink_to_fit();
    events.id.shrink_to_fit();
}
