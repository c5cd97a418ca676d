//! A batch: the records one file (or one fetch) contributed, already compact (interned people,
//! reasons and method codes, events column-wise). Importers fill it; `Dataset::build` merges batches.

use super::audit::rows::AuditRows;
use super::audit::AuditInput;
use super::method::{MethodCode, MethodTable, NO_METHOD};
use super::policy::{MemberList, MemberRow, MethodsPolicy, PolicyInputs};
use super::strings::{append_bytes, same_text_any_case, trimmed, word, Interner, StrTable};
use super::time::Millis;

mod people;
pub(crate) use people::{People, CHUNK};

/// What an event is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Feature {
    Registration,
    Reset,
}

impl Feature {
    pub const ALL: [Feature; 2] = [Feature::Registration, Feature::Reset];

    /// Reads `registration` / `reset` (any case, also the labels).
    pub fn parse(text: &str) -> Option<Feature> {
        let text = trimmed(text);
        Feature::ALL
            .into_iter()
            .find(|f| same_text_any_case(text, f.id()))
    }

    pub fn id(self) -> &'static str {
        match self {
            Feature::Registration => "registration",
            Feature::Reset => "reset",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Feature::Registration => "Registration",
            Feature::Reset => "Reset",
        }
    }
}

/// How an event ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    Success,
    Failure,
}

impl Status {
    pub const ALL: [Status; 2] = [Status::Success, Status::Failure];

    pub fn parse(text: &str) -> Option<Status> {
        let text = trimmed(text);
        let any = |words: &[&str]| words.iter().any(|w| w.eq_ignore_ascii_case(text));
        if any(&["success", "succeeded", "true", "yes"]) {
            Some(Status::Success)
        } else if any(&["failure", "failed", "false", "no"]) {
            Some(Status::Failure)
        } else {
            None
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            Status::Success => "success",
            Status::Failure => "failure",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Success => "Success",
            Status::Failure => "Failure",
        }
    }
}

/// Graph's `userType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum UserType {
    Member,
    Guest,
}

impl UserType {
    /// Reads Graph's value or a label; `None` for `unknownFutureValue`, empty or anything else.
    pub fn parse(text: &str) -> Option<UserType> {
        let text = trimmed(text);
        if same_text_any_case(text, "member") {
            Some(UserType::Member)
        } else if same_text_any_case(text, "guest") {
            Some(UserType::Guest)
        } else {
            None
        }
    }

    /// When the export does not say: B2B guests carry `#EXT#` in their user name.
    pub fn infer(user_name: &str) -> UserType {
        let b = user_name.as_bytes();
        let guest = memchr::memchr_iter(b'#', b).any(|at| {
            b.get(at..at + 5)
                .is_some_and(|w| w.eq_ignore_ascii_case(b"#EXT#"))
        });
        if guest {
            UserType::Guest
        } else {
            UserType::Member
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            UserType::Member => "Member",
            UserType::Guest => "Guest",
        }
    }
}

/// One user's registration details as read from a file; methods are given separately.
#[derive(Clone, Debug, Default)]
pub struct UserInput<'a> {
    pub id: &'a str,
    pub user_name: &'a str,
    pub name: &'a str,
    pub user_type: Option<UserType>,
    pub is_admin: Option<bool>,
    pub registered: bool,
    pub enabled: bool,
    /// The exported capable flag, when the record has one.
    pub capable: Option<bool>,
    pub last_updated: Option<Millis>,
}

/// One registration or reset event as read from a file.
#[derive(Clone, Debug)]
pub struct EventInput<'a> {
    pub id: &'a str,
    pub time: Millis,
    pub user_name: &'a str,
    pub name: &'a str,
    pub feature: Feature,
    pub status: Status,
    pub method: &'a str,
    pub failure_reason: &'a str,
}

/// See [`Batch::people_at_most`].
pub(crate) struct PeopleAtMost {
    pub people: usize,
    pub name_bytes: usize,
    pub user_name_bytes: usize,
}

/// A user as held in a batch (people and methods are batch-local codes). The id and the methods
/// live in the batch's tables, so that a user costs no allocation of its own.
#[derive(Clone, Debug)]
pub(crate) struct BatchUser {
    /// Index into [`Batch::user_ids`].
    pub id: u32,
    pub person: u32,
    pub user_type: UserType,
    pub is_admin: bool,
    pub registered: bool,
    pub enabled: bool,
    pub capable: Option<bool>,
    /// The user's methods are `Batch::user_methods[methods.0..methods.1]`.
    pub methods: (u32, u32),
    pub last_updated: Option<Millis>,
}

/// Event flag bits (shared with the dataset).
pub(crate) const EV_RESET: u8 = 1;
pub(crate) const EV_SUCCESS: u8 = 2;

/// Events column-wise.
#[derive(Clone, Debug, Default)]
pub(crate) struct EventColumns {
    pub time: Vec<Millis>,
    pub person: Vec<u32>,
    pub method: Vec<MethodCode>,
    pub flags: Vec<u8>,
    pub reason: Vec<u32>,
    /// A 64-bit hash of the event id (0 when the event has none).
    pub id: Vec<u64>,
}

impl EventColumns {
    pub fn len(&self) -> usize {
        self.time.len()
    }

    pub fn with_capacity(n: usize) -> Self {
        EventColumns {
            time: Vec::with_capacity(n),
            person: Vec::with_capacity(n),
            method: Vec::with_capacity(n),
            flags: Vec::with_capacity(n),
            reason: Vec::with_capacity(n),
            id: Vec::with_capacity(n),
        }
    }
}

/// The hash under which events are de-duplicated; never 0 for a non-empty id. Two ids with one
/// hash count as one event, so the hash has 64 bits on every target (a `usize` hasher such as
/// `FxHasher` has 32 in wasm) and mixes each word of the id twice: XXH64's rounds for short
/// inputs, over the whole id. (The standard library's SipHash took about 250 instructions an id,
/// a twentieth of importing a million events natively; this about 90: callgrind counts
/// 3.6 % fewer instructions for the whole import.)
pub(crate) fn event_id_hash(id: &str) -> u64 {
    const P1: u64 = 0x9e37_79b1_85eb_ca87;
    const P2: u64 = 0xc2b2_ae3d_27d4_eb4f;
    const P3: u64 = 0x1656_67b1_9e37_79f9;
    const P4: u64 = 0x85eb_ca77_c2b2_ae63;
    const P5: u64 = 0x27d4_eb2f_1656_67c5;
    let bytes = id.as_bytes();
    if bytes.is_empty() {
        return 0;
    }
    let mut h = P5.wrapping_add(bytes.len() as u64);
    let mut words = bytes.chunks_exact(8);
    for eight in &mut words {
        let k = word(eight, 0)
            .wrapping_mul(P2)
            .rotate_left(31)
            .wrapping_mul(P1);
        h = (h ^ k).rotate_left(27).wrapping_mul(P1).wrapping_add(P4);
    }
    let mut rest = words.remainder();
    if let Some((four, after)) = rest.split_first_chunk::<4>() {
        h ^= u64::from(u32::from_le_bytes(*four)).wrapping_mul(P1);
        h = h.rotate_left(23).wrapping_mul(P2).wrapping_add(P3);
        rest = after;
    }
    for &byte in rest {
        h ^= u64::from(byte).wrapping_mul(P5);
        h = h.rotate_left(11).wrapping_mul(P1);
    }
    // XXH64's avalanche: every bit of the id reaches every bit of the hash.
    h ^= h >> 33;
    h = h.wrapping_mul(P2);
    h ^= h >> 29;
    h = h.wrapping_mul(P3);
    (h ^ (h >> 32)).max(1)
}

/// A record whose person is to be looked up (see `Batch::pending`).
#[derive(Clone, Copy, Debug)]
enum Pending {
    Event(u32),
    User(u32),
}

/// What one source contributed, ready to merge.
#[derive(Clone, Debug, Default)]
pub struct Batch {
    pub(crate) source: String,
    pub(crate) people: People,
    pub(crate) users: Vec<BatchUser>,
    /// Events and users whose person is not looked up yet: (whose, end of its user name and of
    /// its name in `pending_text`). Looked up together, in order, by [`Batch::resolve_people`].
    pending: Vec<(Pending, u32, u32)>,
    pending_text: String,
    /// The ids of `users`.
    pub(crate) user_ids: StrTable,
    /// The methods of `users`, one run per user.
    pub(crate) user_methods: Vec<MethodCode>,
    pub(crate) events: EventColumns,
    pub(crate) reasons: Interner,
    pub(crate) methods: MethodTable,
    /// User records whose `lastUpdatedDateTime` was not a time (kept, without the time).
    pub(crate) malformed_times: usize,
    /// Bad records that were left out when the batch was accepted without them.
    pub(crate) skipped_records: usize,
    /// The source could not be read to its end; what followed the problem is missing.
    pub(crate) cut_off: bool,
    /// Audit-log rows (spec §4.3), their people in `people`, their texts in `audit_texts`.
    pub(crate) audit: AuditRows,
    pub(crate) audit_texts: Interner,
    /// Audit-log rows of other services, skipped (not an error).
    pub(crate) audit_other_services: usize,
    /// What the source held for the what-if screen (a group's members, the authentication
    /// methods policy): not registration data, taken out before the dataset is built.
    pub(crate) inputs: PolicyInputs,
    /// The MFA details of `users` by index (spec §3.7, `model::mfa`); users past its end have
    /// none (unknown).
    pub(crate) user_mfa: Vec<super::mfa::MfaUser>,
    /// The system-preferred methods of `user_mfa`, one run per user.
    pub(crate) mfa_methods: Vec<MethodCode>,
}

impl Batch {
    /// An empty batch; `source` names it in warnings (usually the file name).
    pub fn new(source: &str) -> Batch {
        Batch {
            source: source.to_string(),
            ..Batch::default()
        }
    }

    /// Adds a user record with its registered methods (raw names of any vocabulary).
    pub fn push_user<S: AsRef<str>>(
        &mut self,
        user: &UserInput<'_>,
        methods: impl IntoIterator<Item = S>,
    ) {
        // The person is looked up later, with those of the next records (see `resolve_people`).
        self.defer_person(
            Pending::User(self.users.len() as u32),
            user.user_name,
            user.name,
        );
        let start = self.user_methods.len();
        for raw in methods {
            let code = self.methods.code(raw.as_ref());
            if code != NO_METHOD && !self.user_methods[start..].contains(&code) {
                self.user_methods.push(code);
            }
        }
        self.users.push(BatchUser {
            id: self.user_ids.push(user.id),
            person: u32::MAX,
            user_type: user
                .user_type
                .unwrap_or_else(|| UserType::infer(user.user_name)),
            is_admin: user.is_admin.unwrap_or(false),
            registered: user.registered,
            enabled: user.enabled,
            capable: user.capable,
            methods: (start as u32, self.user_methods.len() as u32),
            last_updated: user.last_updated,
        });
        if self.pending.len() >= CHUNK {
            self.resolve_people();
        }
    }

    /// Notes a record's names for [`Batch::resolve_people`].
    fn defer_person(&mut self, whose: Pending, user_name: &str, name: &str) {
        // SAFETY: what is appended is the bytes of whole `&str`s, so the text stays UTF-8.
        let text = unsafe { self.pending_text.as_mut_vec() };
        append_bytes(text, user_name.as_bytes());
        let user_name_end = text.len() as u32;
        append_bytes(text, name.as_bytes());
        let name_end = text.len() as u32;
        self.pending.push((whose, user_name_end, name_end));
    }

    /// At most how many people, and bytes of their names and user names, this batch holds once
    /// the people of its last records are looked up (each may add one; see `resolve_people`).
    pub(crate) fn people_at_most(&self) -> PeopleAtMost {
        let pending_bytes = self.pending_text.len();
        PeopleAtMost {
            people: self.people.len() + self.pending.len(),
            name_bytes: self.people.names.parts().0.len() + pending_bytes,
            user_name_bytes: self.people.user_names.parts().0.len() + pending_bytes,
        }
    }

    /// The id of a user of this batch.
    pub(crate) fn user_id(&self, user: &BatchUser) -> &str {
        self.user_ids.get(user.id)
    }

    /// The methods of a user of this batch (batch-local codes).
    pub(crate) fn user_method_codes(&self, user: &BatchUser) -> &[MethodCode] {
        &self.user_methods[user.methods.0 as usize..user.methods.1 as usize]
    }

    /// Adds an event record.
    pub fn push_event(&mut self, event: &EventInput<'_>) {
        // The person is looked up later, with those of the next records (see `resolve_people`).
        self.defer_person(
            Pending::Event(self.events.len() as u32),
            event.user_name,
            event.name,
        );
        let method = self.methods.code(event.method);
        let reason = self.reasons.intern(trimmed(event.failure_reason));
        let mut flags = 0;
        if event.feature == Feature::Reset {
            flags |= EV_RESET;
        }
        if event.status == Status::Success {
            flags |= EV_SUCCESS;
        }
        let e = &mut self.events;
        e.time.push(event.time);
        e.person.push(u32::MAX);
        e.method.push(method);
        e.flags.push(flags);
        e.reason.push(reason);
        e.id.push(event_id_hash(event.id));
        if self.pending.len() >= CHUNK {
            self.resolve_people();
        }
    }

    /// Looks up the people of the events and users pushed since the last call, in order (as if each had
    /// been looked up when pushed).
    pub(crate) fn resolve_people(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let text = self.pending_text.as_str();
        let mut start = 0;
        let keys: Vec<(&str, &str)> = self
            .pending
            .iter()
            .map(|&(_, user_name_end, name_end)| {
                let (u, n) = (user_name_end as usize, name_end as usize);
                let key = (&text[start..u], &text[u..n]);
                start = n;
                key
            })
            .collect();
        let mut persons = Vec::with_capacity(keys.len());
        self.people.persons(&keys, &mut persons);
        for (&(whose, _, _), person) in self.pending.iter().zip(persons) {
            match whose {
                Pending::Event(event) => self.events.person[event as usize] = person,
                Pending::User(user) => self.users[user as usize].person = person,
            }
        }
        self.pending.clear();
        self.pending_text.clear();
    }

    /// Appends the records of `next`, read from the part of the same file that follows this
    /// batch's part: the result equals one batch that read both parts in order (people, methods
    /// and reasons keep the order they were first met in). `last`: no part follows (and nothing
    /// is read into this batch after it), so its people need no index.
    pub fn append(&mut self, mut next: Batch, last: bool) {
        self.resolve_people();
        next.resolve_people();
        let person_map = self.people.numbers_of(&mut next.people, last);
        let method_map: Vec<MethodCode> = (0..next.methods.len() as MethodCode)
            .map(|c| match next.methods.method(c) {
                Some(method) => self.methods.code_of(&method),
                None => NO_METHOD,
            })
            .collect();
        let map_method = |c: MethodCode| method_map.get(c as usize).copied().unwrap_or(NO_METHOD);
        let reason_map: Vec<u32> = (0..next.reasons.len() as u32)
            .map(|r| self.reasons.intern(next.reasons.get(r)))
            .collect();
        let users_before = self.users.len();
        // The ids and the methods copied whole: a user's id and methods keep their places in
        // them (every batch has its users in table order, as `push_user` makes them).
        let (ids_before, methods_before) =
            (self.user_ids.len() as u32, self.user_methods.len() as u32);
        self.user_ids
            .extend_from(&next.user_ids, 0..next.user_ids.len());
        self.user_methods
            .extend(next.user_methods.iter().map(|&c| map_method(c)));
        self.users.extend(next.users.iter().map(|user| BatchUser {
            id: ids_before + user.id,
            person: person_map[user.person as usize],
            methods: (
                methods_before + user.methods.0,
                methods_before + user.methods.1,
            ),
            ..user.clone()
        }));
        self.append_mfa(users_before, &next, &map_method);
        let e = &next.events;
        self.reserve_events(e.len());
        let mine = &mut self.events;
        mine.time.extend_from_slice(&e.time);
        mine.person
            .extend(e.person.iter().map(|&p| person_map[p as usize]));
        mine.method.extend(e.method.iter().map(|&c| map_method(c)));
        mine.flags.extend_from_slice(&e.flags);
        mine.reason
            .extend(e.reason.iter().map(|&r| reason_map[r as usize]));
        mine.id.extend_from_slice(&e.id);
        self.malformed_times += next.malformed_times;
        self.skipped_records += next.skipped_records;
        self.cut_off |= next.cut_off;
        let text_map: Vec<u32> = (0..next.audit_texts.len() as u32)
            .map(|t| self.audit_texts.intern(next.audit_texts.get(t)))
            .collect();
        self.audit
            .extend_mapped(&next.audit, &person_map, &text_map);
        self.audit_other_services += next.audit_other_services;
        self.inputs.append(std::mem::take(&mut next.inputs));
    }

    /// Adds an audit-log row of a service that is read (spec §4.3).
    pub fn push_audit(&mut self, row: &AuditInput<'_>) {
        self.resolve_people();
        self.audit
            .push(row, &mut self.people, &mut self.audit_texts);
    }

    /// Counts an audit-log row of another service (skipped, not an error).
    pub fn note_other_service(&mut self) {
        self.audit_other_services += 1;
    }

    /// Audit-log rows read.
    pub fn audit_row_count(&self) -> usize {
        self.audit.len()
    }

    /// Audit-log rows of other services, skipped.
    pub fn audit_other_services(&self) -> usize {
        self.audit_other_services
    }

    /// Reserves room for about `n` more audit rows.
    pub fn reserve_audit(&mut self, n: usize) {
        self.audit.reserve(n);
    }

    /// Adds a row of a group's member list (what-if input, spec §4.2).
    pub fn push_member(&mut self, row: &MemberRow<'_>) {
        let members = self.inputs.members.get_or_insert_with(MemberList::default);
        members.note_source(&self.source);
        members.push(row);
    }

    /// Sets the authentication methods policy this source holds (what-if input, spec §4.2).
    pub fn set_methods_policy(&mut self, mut policy: MethodsPolicy) {
        policy.source = self.source.clone();
        self.inputs.methods_policy = Some(policy);
    }

    /// The what-if inputs this source held.
    pub fn inputs(&self) -> &PolicyInputs {
        &self.inputs
    }

    /// Counts a user record whose update time could not be read.
    pub fn note_malformed_time(&mut self) {
        self.malformed_times += 1;
    }

    /// Records that `n` bad records of this source were left out.
    pub fn note_skipped(&mut self, n: usize) {
        self.skipped_records += n;
    }

    /// Records that the source could not be read to its end.
    pub fn note_cut_off(&mut self) {
        self.cut_off = true;
    }

    /// Renames the source (e.g. every page of a live list under the list's name).
    pub fn set_source(&mut self, source: &str) {
        self.source = source.to_string();
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    pub fn user_count(&self) -> usize {
        self.users.len()
    }

    pub fn event_count(&self) -> usize {
        self.events.len()
    }

    /// Reserves room for about `n` more users.
    pub fn reserve_users(&mut self, n: usize) {
        // The people index is left to grow: `n` is padded, and sized for it the index would often
        // be twice the size it reaches by doubling (64 bytes a slot).
        self.users.reserve(n);
        self.user_methods.reserve(n * 3);
    }

    /// Reserves room for about `n` more events.
    pub fn reserve_events(&mut self, n: usize) {
        let e = &mut self.events;
        e.time.reserve(n);
        e.person.reserve(n);
        e.method.reserve(n);
        e.flags.reserve(n);
        e.reason.reserve(n);
        e.id.reserve(n);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::{event_id_hash, Feature, UserType};
    use crate::model::sample::Rng;

    #[test]
    fn a_feature_and_a_user_type_are_read_in_any_case_with_white_space_around() {
        for (text, feature) in [
            ("reset", Some(Feature::Reset)),
            ("registration", Some(Feature::Registration)),
            ("Reset", Some(Feature::Reset)),
            (" REGISTRATION\t", Some(Feature::Registration)),
            ("rEsEt", Some(Feature::Reset)),
            ("resets", None),
            ("regist", None),
            ("", None),
        ] {
            assert_eq!(Feature::parse(text), feature, "{text:?}");
        }
        for (text, user_type) in [
            ("member", Some(UserType::Member)),
            ("guest", Some(UserType::Guest)),
            ("Member", Some(UserType::Member)),
            (" GUEST ", Some(UserType::Guest)),
            ("members", None),
            ("", None),
        ] {
            assert_eq!(UserType::parse(text), user_type, "{text:?}");
        }
    }

    #[test]
    fn distinct_ids_have_distinct_hashes_and_none_is_zero() {
        let mut seen = HashSet::new();
        let mut add = |id: &str| {
            let hash = event_id_hash(id);
            assert_ne!(hash, 0, "{id}");
            assert!(seen.insert(hash), "{id} has the hash of another id");
        };
        let mut rng = Rng::new(9);
        for _ in 0..200_000 {
            add(&rng.guid());
        }
        // Ids one byte apart, at every place; and every length of one id, so that the words,
        // the four bytes and the single bytes at the end each count.
        let base = rng.guid();
        for at in 0..base.len() {
            for byte in b"0123456789abcdefg-".iter().copied() {
                let mut id = base.clone().into_bytes();
                if id[at] != byte {
                    id[at] = byte;
                    add(&String::from_utf8(id).unwrap_or_default());
                }
            }
        }
        for len in 1..base.len() {
            add(&base[..len]);
        }
        assert_eq!(event_id_hash(""), 0);
    }
}
