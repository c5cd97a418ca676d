//! Building a dataset from batches: people, users and events merged and de-duplicated, events in
//! time order, the as-of time and the data-quality warnings (spec §3.4, §3.6).

use super::*;
use crate::model::batch::BatchUser;
use crate::model::order::{most_first, time_order};

impl Dataset {
    /// Merges batches into a dataset: users keyed by id (user name when there is no id; the last
    /// record wins), events de-duplicated by id (the first wins), events sorted by time. The
    /// phases: the batches gathered (people, methods, reasons, events, audit rows), the attempts
    /// and the events they give, the users' rows and columns, who each person is, the search
    /// texts, the warnings about methods and names, the as-of time.
    pub fn build(mut batches: Vec<Batch>, as_of: AsOf, source: SourceKind) -> Dataset {
        for batch in batches.iter_mut() {
            batch.resolve_people();
        }
        let mut g = Gathered::from_batches(&mut batches);
        let audit = g.add_attempts();
        let rows = user_rows(&batches, &g.person_maps, g.people.len(), &mut g.warnings);
        let events = sort_by_time(std::mem::take(&mut g.events));
        let reasons = {
            let mut table = StrTable::default();
            for r in 0..g.reasons.len() as u32 {
                table.push(g.reasons.get(r));
            }
            table
        };
        let (mut users, person_user, last_updated) = g.user_columns(&batches, &rows);
        drop(rows);
        drop(batches);
        let person_class = person_classes(&g.people, &person_user, &users.flags);
        let search_text = search_texts(&g.people);
        let mut warnings = std::mem::take(&mut g.warnings);
        method_and_name_warnings(
            &g.methods,
            &g.people,
            &users.methods,
            &events,
            &mut warnings,
        );
        let feature_methods = feature_methods(&events, g.methods.len());
        let (as_of, last_updated) = as_of_time(
            as_of,
            &events.time,
            &users.last_updated,
            last_updated,
            audit.span().map(|(_, newest)| newest),
            &mut warnings,
        );
        let Gathered {
            mut people,
            methods,
            sources,
            ..
        } = g;
        people.names.shrink_to_fit();
        people.user_names.shrink_to_fit();
        let People {
            names, user_names, ..
        } = people;
        users.id.shrink_to_fit();
        users.methods.shrink_to_fit();
        users.mfa.shrink_to_fit();
        Dataset {
            source,
            as_of,
            last_updated,
            names,
            user_names,
            search_text,
            person_user,
            person_class,
            users,
            events,
            reasons,
            methods,
            feature_methods,
            warnings,
            sources,
            audit,
            person_ranks: Default::default(),
        }
    }
}

/// What [`Dataset::build`] gathers from its batches, in the dataset's numbering: people, methods
/// and reasons; the events, de-duplicated; the audit rows; and each batch's maps from its own
/// numbers to the dataset's.
struct Gathered {
    people: People,
    methods: MethodTable,
    reasons: crate::model::strings::Interner,
    warnings: Warnings,
    sources: Vec<SourceSummary>,
    events: EventColumns,
    audit: AuditGather,
    person_maps: Vec<Vec<u32>>,
    method_maps: Vec<Vec<MethodCode>>,
}

impl Gathered {
    /// Every batch in turn (each batch's events are freed as soon as they are copied).
    fn from_batches(batches: &mut [Batch]) -> Gathered {
        let total_events: usize = batches.iter().map(|b| b.events.len()).sum();
        let mut gathered = Gathered {
            people: People::default(),
            methods: MethodTable::default(),
            reasons: Default::default(),
            warnings: Warnings::default(),
            sources: Vec::with_capacity(batches.len()),
            events: EventColumns::with_capacity(total_events),
            audit: AuditGather::default(),
            person_maps: Vec::with_capacity(batches.len()),
            method_maps: Vec::with_capacity(batches.len()),
        };
        let mut seen_events = IdSet::with_capacity(total_events);
        for batch in batches.iter_mut() {
            gathered.add_batch(batch, &mut seen_events);
        }
        gathered
    }

    fn add_batch(&mut self, batch: &mut Batch, seen_events: &mut IdSet) {
        self.note_source(batch);
        let person_map = self.people_of(batch);
        let method_map: Vec<MethodCode> = (0..batch.methods.len() as MethodCode)
            .map(|c| match batch.methods.method(c) {
                Some(m) => self.methods.code_of(&m),
                None => NO_METHOD,
            })
            .collect();
        let reason_map: Vec<u32> = (0..batch.reasons.len() as u32)
            .map(|r| self.reasons.intern(batch.reasons.get(r)))
            .collect();
        let events = std::mem::take(&mut batch.events);
        self.add_events(events, seen_events, &person_map, &method_map, &reason_map);
        self.audit.add(
            &batch.audit,
            &batch.audit_texts,
            &person_map,
            batch.audit_other_services,
        );
        batch.audit = Default::default();
        self.person_maps.push(person_map);
        self.method_maps.push(method_map);
    }

    /// The batch as a source (pages of one list arrive as batches of the same name: one
    /// source), and what it says about its own reading.
    fn note_source(&mut self, batch: &Batch) {
        match self.sources.last_mut() {
            Some(last) if last.name == batch.source => {
                last.users += batch.users.len();
                last.events += batch.events.len();
            }
            _ => self.sources.push(SourceSummary {
                name: batch.source.clone(),
                users: batch.users.len(),
                events: batch.events.len(),
            }),
        }
        if batch.cut_off {
            self.warnings.cut_off_sources.push(batch.source.clone());
        }
        if batch.skipped_records > 0 {
            self.warnings
                .skipped_records
                .push((batch.source.clone(), batch.skipped_records));
        }
        self.warnings.malformed_times += batch.malformed_times;
    }

    /// The dataset's numbers of the batch's people, adding those not met before.
    fn people_of(&mut self, batch: &mut Batch) -> Vec<u32> {
        if self.people.len() == 0 {
            // The first batch's people are distinct already (a batch keys them as the dataset
            // does): they become the dataset's, in their order, without looking each one up.
            self.people = std::mem::take(&mut batch.people);
            return (0..self.people.len() as u32).collect();
        }
        self.people
            .reserve(self.people.len().max(batch.people.len()));
        let batch_people: Vec<(&str, &str)> = (0..batch.people.len() as u32)
            .map(|p| (batch.people.user_names.get(p), batch.people.names.get(p)))
            .collect();
        let mut person_map = Vec::with_capacity(batch_people.len());
        self.people.persons(&batch_people, &mut person_map);
        drop(batch_people);
        batch.people.drop_index();
        person_map
    }

    /// A batch's events in the dataset's numbers, leaving out those whose id was seen.
    fn add_events(
        &mut self,
        e: EventColumns,
        seen_events: &mut IdSet,
        person_map: &[u32],
        method_map: &[MethodCode],
        reason_map: &[u32],
    ) {
        let kept = seen_events.first_seen(&e.id);
        self.warnings.duplicate_events += kept
            .as_ref()
            .map_or(0, |k| k.iter().filter(|&&keep| !keep).count());
        let as_is = self.events.len() == 0
            && kept.is_none()
            && is_identity(person_map)
            && is_identity(method_map)
            && is_identity(reason_map);
        if as_is {
            // The first batch, with nothing to renumber or leave out: its columns are taken
            // whole (a big upload is usually one batch).
            self.events = e;
            return;
        }
        let map_method = |c: MethodCode| -> MethodCode {
            method_map.get(c as usize).copied().unwrap_or(NO_METHOD)
        };
        let events = &mut self.events;
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

    /// The attempts, rebuilt from every batch's audit rows at once (attempts span files), and
    /// the events they give, which join the others (outside the report's own time range, spec
    /// §4.3).
    fn add_attempts(&mut self) -> Audit {
        let gathered = std::mem::take(&mut self.audit);
        self.warnings.audit_other_services = gathered.other_services;
        self.warnings.duplicate_audit_rows = gathered.duplicates;
        let events = &mut self.events;
        let report_span = events
            .time
            .iter()
            .min()
            .zip(events.time.iter().max())
            .map(|(&a, &b)| (a, b));
        let people = &self.people;
        let named =
            |p: u32| !people.user_names.get(p).is_empty() || !people.names.get(p).is_empty();
        let (audit, derived) =
            gathered.finish(named, report_span, &mut self.reasons, &mut self.methods);
        events.time.extend_from_slice(&derived.time);
        events.person.extend_from_slice(&derived.person);
        events.method.extend_from_slice(&derived.method);
        events.flags.extend_from_slice(&derived.flags);
        events.reason.extend_from_slice(&derived.reason);
        events.id.extend_from_slice(&derived.id);
        audit
    }

    /// The users' columns from their rows (see [`user_rows`]), which user each person is
    /// (`u32::MAX`: none), and the newest update time among them.
    fn user_columns(
        &mut self,
        batches: &[Batch],
        rows: &[(u32, u32)],
    ) -> (UserColumns, Vec<u32>, Option<Millis>) {
        let mut cols = UserColumns::with_capacity(rows.len());
        let mut person_user = vec![u32::MAX; self.people.len()];
        let mut last_updated = None::<Millis>;
        cols.method_start.push(0);
        for (u, &(b, i)) in rows.iter().enumerate() {
            let batch = &batches[b as usize];
            let user = &batch.users[i as usize];
            let person = self.person_maps[b as usize][user.person as usize];
            let method_map = &self.method_maps[b as usize];
            let map_method =
                |c: MethodCode| method_map.get(c as usize).copied().unwrap_or(NO_METHOD);
            let first_method = cols.methods.len();
            cols.methods
                .extend(batch.user_method_codes(user).iter().map(|&c| map_method(c)));
            if self.people.user_names.get(person).is_empty() {
                self.warnings.users_without_user_name += 1;
            }
            cols.person.push(person);
            cols.id.push(batch.user_id(user));
            cols.flags.push(user_flags(user, &mut self.warnings));
            cols.method_start.push(cols.methods.len() as u32);
            cols.method_mask
                .push(method_mask(&cols.methods[first_method..]));
            cols.last_updated
                .push(user.last_updated.unwrap_or(i64::MIN));
            let mfa = batch.user_mfa_of(i as usize);
            cols.mfa.push(mfa, batch.mfa_system_codes(&mfa), map_method);
            if let Some(t) = user.last_updated {
                last_updated = Some(last_updated.map_or(t, |m: Millis| m.max(t)));
            }
            person_user[person as usize] = u as u32;
        }
        (cols, person_user, last_updated)
    }
}

/// Which record gives each user, as (batch, user): users keyed by id, else by person; the last
/// record wins, in the first one's place (each later one counted as a duplicate).
fn user_rows(
    batches: &[Batch],
    person_maps: &[Vec<u32>],
    people: usize,
    warnings: &mut Warnings,
) -> Vec<(u32, u32)> {
    let total_users: usize = batches.iter().map(|b| b.users.len()).sum();
    let mut rows: Vec<(u32, u32)> = Vec::with_capacity(total_users);
    let mut by_id: FxHashMap<&str, u32> = FxHashMap::default();
    by_id.reserve(total_users);
    let mut by_person = vec![u32::MAX; people];
    for (b, batch) in batches.iter().enumerate() {
        for (u, user) in batch.users.iter().enumerate() {
            let here = (b as u32, u as u32);
            let id = batch.user_id(user);
            let row = if id.is_empty() {
                let person = person_maps[b][user.person as usize] as usize;
                match by_person[person] {
                    u32::MAX => {
                        by_person[person] = rows.len() as u32;
                        None
                    }
                    row => Some(row),
                }
            } else {
                match by_id.entry(id) {
                    std::collections::hash_map::Entry::Occupied(e) => Some(*e.get()),
                    std::collections::hash_map::Entry::Vacant(e) => {
                        e.insert(rows.len() as u32);
                        None
                    }
                }
            };
            match row {
                Some(row) => {
                    warnings.duplicate_users += 1;
                    rows[row as usize] = here;
                }
                None => rows.push(here),
            }
        }
    }
    rows
}

/// A user's flags; an exported capable flag that contradicts registered and enabled is counted.
fn user_flags(user: &BatchUser, warnings: &mut Warnings) -> u8 {
    let mut flags = 0;
    if user.registered {
        flags |= U_REGISTERED;
    }
    if user.enabled {
        flags |= U_ENABLED;
    }
    let derived = user.registered && user.enabled;
    if user.capable.unwrap_or(derived) {
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
    flags
}

/// One bit for each canonical method among `codes`.
fn method_mask(codes: &[MethodCode]) -> u16 {
    codes
        .iter()
        .filter(|&&code| (code as usize) < CANONICAL_COUNT)
        .fold(0, |mask, &code| mask | 1 << code)
}

/// Who each person is, for the population control: their user's class, else a member or a
/// guest by their user name.
fn person_classes(people: &People, person_user: &[u32], user_flags: &[u8]) -> Vec<u8> {
    (0..people.len())
        .map(|p| match person_user[p] {
            u32::MAX => match UserType::infer(people.user_names.get(p as u32)) {
                UserType::Guest => P_GUEST,
                UserType::Member => P_MEMBER,
            },
            u => user_class(user_flags[u as usize]),
        })
        .collect()
}

/// What a search matches for each person: the name and the user name in lower case. The texts
/// are copied side by side and lower-cased in one pass over the whole; only a name that is not
/// ASCII is lower-cased on its own, by Unicode's rules. (Person by person, as before, a single
/// non-ASCII name in the file, such as the sample's, made the whole take 280 instructions a
/// person natively. `strings::append_ascii_lowercase`, eight bytes at a time, takes more than
/// copying and one pass for names this short: 1,797 M instructions against 1,753 M for 200k
/// users' import and build.)
fn search_texts(people: &People) -> StrTable {
    let (names, user_names) = (&people.names, &people.user_names);
    let text_bytes = names.parts().0.len() + user_names.parts().0.len() + people.len();
    let mut text = String::with_capacity(text_bytes);
    let mut ends = Vec::with_capacity(people.len());
    let push = |text: &mut String, part: &str| {
        if part.is_ascii() {
            text.push_str(part);
        } else {
            text.push_str(&part.to_lowercase());
        }
    };
    for p in 0..people.len() as u32 {
        push(&mut text, names.get(p));
        text.push('\n');
        push(&mut text, user_names.get(p));
        ends.push(text.len() as u32);
    }
    // The ASCII letters of every text (those of the lower-cased ones are lower case already).
    text.make_ascii_lowercase();
    StrTable::from_parts(text, ends).unwrap_or_default()
}

/// Unknown methods among users and events (most used first), and events without a user name.
fn method_and_name_warnings(
    methods: &MethodTable,
    people: &People,
    user_methods: &[MethodCode],
    events: &EventColumns,
    warnings: &mut Warnings,
) {
    let mut unknown_counts = vec![0usize; methods.len()];
    for &code in user_methods {
        if let Some(c) = unknown_counts.get_mut(code as usize) {
            *c += 1;
        }
    }
    for &code in &events.method {
        if let Some(c) = unknown_counts.get_mut(code as usize) {
            *c += 1;
        }
    }
    // Looked up per person once: an event's look at its person's text would reach into the
    // names' text (a few MB) at random, a cache miss an event.
    let without_user_name: Vec<bool> = (0..people.len() as u32)
        .map(|p| people.user_names.get(p).is_empty())
        .collect();
    warnings.events_without_user_name += events
        .person
        .iter()
        .filter(|&&p| without_user_name.get(p as usize).copied().unwrap_or(true))
        .count();
    warnings.unknown_methods = most_used_first(methods.other_names(), |i| {
        unknown_counts[CANONICAL_COUNT + i]
    });
}

/// The names used (`count` of each name's position above 0), the most used first and equal
/// counts by name: what a stable sort by both gives. A method table holds at most a few
/// hundred unknown names, so each name's place by text is counted rather than sorted for (a
/// sort of strings would be one more copy of the standard library's sort in the worker), and
/// the counts are put in order by `model::order`'s one sort.
fn most_used_first(names: &[Box<str>], count: impl Fn(usize) -> usize) -> Vec<(String, usize)> {
    let places: Vec<usize> = (0..names.len())
        .map(|i| {
            names
                .iter()
                .enumerate()
                .filter(|&(j, other)| (other, j) < (&names[i], i))
                .count()
        })
        .collect();
    let mut at_place = vec![0usize; names.len()];
    for (i, &place) in places.iter().enumerate() {
        at_place[place] = i;
    }
    let used = (0..names.len()).filter(|&i| count(i) > 0);
    most_first(used.map(|i| (places[i] as u64, count(i))))
        .into_iter()
        .map(|(place, n)| (names[at_place[place as usize]].to_string(), n))
        .collect()
}

/// The methods events of each feature use (registration, reset), in code order.
fn feature_methods(events: &EventColumns, methods: usize) -> [Vec<MethodCode>; 2] {
    let mut used = [vec![false; methods], vec![false; methods]];
    for (i, &code) in events.method.iter().enumerate() {
        if let Some(slot) = used[(events.flags[i] & EV_RESET) as usize].get_mut(code as usize) {
            *slot = true;
        }
    }
    used.map(|flags| {
        flags
            .iter()
            .enumerate()
            .filter(|(_, &u)| u)
            .map(|(c, _)| c as MethodCode)
            .collect::<Vec<_>>()
    })
}

/// Event ids looked up together by `Dataset::build`.
pub(super) const ID_CHUNK: usize = 512;

/// The event ids seen so far (their hashes, never 0): open addressing, at most half full.
pub(super) struct IdSet {
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
pub(super) fn as_of_time(
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
            let limit = now.saturating_add(crate::model::time::DAY);
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
pub(super) fn is_identity<T: Copy + TryInto<usize>>(map: &[T]) -> bool {
    map.iter()
        .enumerate()
        .all(|(i, &c)| c.try_into().ok() == Some(i))
}

/// Sorts events by time (stable: equal times keep load order) and trims spare capacity.
pub(super) fn sort_by_time(events: EventColumns) -> EventColumns {
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

pub(super) fn shrink(events: &mut EventColumns) {
    events.time.shrink_to_fit();
    events.person.shrink_to_fit();
    events.method.shrink_to_fit();
    events.flags.shrink_to_fit();
    events.reason.shrink_to_fit();
    events.id.shrink_to_fit();
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each person's search text as `search_texts` gives it for any names, one at a time.
    fn one_by_one(people: &People) -> Vec<String> {
        (0..people.len() as u32)
            .map(|p| {
                let (name, user_name) = (people.names.get(p), people.user_names.get(p));
                format!("{}\n{}", name.to_lowercase(), user_name.to_lowercase())
            })
            .collect()
    }

    /// Against the stable sort by count, then name: names that tie, and a name twice (which
    /// a table never holds, but a bad one must not lose a count over).
    #[test]
    fn unknown_names_come_most_used_first_then_by_name() {
        let names: Vec<Box<str>> = ["qr", "Fido", "zeta", "alpha", "qr", "Beta", "none"]
            .into_iter()
            .map(Box::from)
            .collect();
        let counts = [3usize, 5, 3, 1, 3, 5, 0];
        let mut expected: Vec<(String, usize)> = names
            .iter()
            .zip(counts)
            .filter(|&(_, n)| n > 0)
            .map(|(name, n)| (name.to_string(), n))
            .collect();
        expected.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        assert_eq!(most_used_first(&names, |i| counts[i]), expected);
        assert_eq!(most_used_first(&[], |_| 1), Vec::new());
    }

    #[test]
    fn search_texts_are_lower_case_name_and_user_name_whether_ascii_or_not() {
        let mut ascii = People::default();
        for (user_name, name) in [("Ann@X.com", "Ann LEE"), ("", "Bo"), ("cy@x", "")] {
            ascii.person(user_name, name);
        }
        let mut other = ascii.clone();
        other.person("ÉVE@x", "Ève Ünal");
        // Upper-case ASCII inside a name that is not ASCII; a sign whose lower case is ASCII.
        other.person("ZOË@X.COM", "ZOË ÅSA");
        other.person("\u{212a}IM@x", "Dan");
        for people in [ascii, other] {
            let texts = search_texts(&people);
            let got: Vec<&str> = texts.iter().collect();
            assert_eq!(got, one_by_one(&people));
        }
        let texts = search_texts(&People::default());
        assert_eq!(texts.len(), 0);
    }
}
