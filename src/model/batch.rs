//! A batch: the records one file (or one fetch) contributed, already compact (interned people,
//! reasons and method codes, events column-wise). Importers fill it; `Dataset::build` merges batches.

use std::hash::{Hash, Hasher};

use rustc_hash::FxHashMap;

use super::method::{MethodCode, MethodTable};
use super::strings::{Interner, StrTable};
use super::time::Millis;

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
        match text.trim().to_ascii_lowercase().as_str() {
            "registration" => Some(Feature::Registration),
            "reset" => Some(Feature::Reset),
            _ => None,
        }
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
        match text.trim().to_ascii_lowercase().as_str() {
            "success" | "succeeded" | "true" | "yes" => Some(Status::Success),
            "failure" | "failed" | "false" | "no" => Some(Status::Failure),
            _ => None,
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
        match text.trim().to_ascii_lowercase().as_str() {
            "member" => Some(UserType::Member),
            "guest" => Some(UserType::Guest),
            _ => None,
        }
    }

    /// When the export does not say: B2B guests carry `#EXT#` in their user name.
    pub fn infer(user_name: &str) -> UserType {
        if user_name.to_ascii_uppercase().contains("#EXT#") {
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

/// A user as held in a batch (people and methods are batch-local codes).
#[derive(Clone, Debug)]
pub(crate) struct BatchUser {
    pub id: Box<str>,
    pub person: u32,
    pub user_type: UserType,
    pub is_admin: bool,
    pub registered: bool,
    pub enabled: bool,
    pub capable: Option<bool>,
    pub methods: Vec<MethodCode>,
    pub last_updated: Option<Millis>,
}

/// Event flag bits (shared with the dataset).
pub(crate) const EV_RESET: u8 = 1;
pub(crate) const EV_SUCCESS: u8 = 2;

/// People seen in a batch: display name and user name, keyed by the lower-case user name
/// (or the name when there is no user name).
#[derive(Clone, Debug, Default)]
pub(crate) struct People {
    pub names: StrTable,
    pub user_names: StrTable,
    key: FxHashMap<Box<str>, u32>,
}

impl People {
    /// The key that identifies a person across files.
    pub fn key_of(user_name: &str, name: &str) -> String {
        if user_name.is_empty() {
            format!("\u{1}{}", name.to_lowercase())
        } else {
            user_name.to_lowercase()
        }
    }

    /// The index of the person, adding them when new; a later non-empty name replaces nothing
    /// (first spelling wins within a batch, which keeps lookups allocation-free).
    pub fn person(&mut self, user_name: &str, name: &str) -> u32 {
        // Fast path: exact user name already seen (the common case at a million events).
        if let Some(&i) = self.key.get(user_name) {
            if !user_name.is_empty() {
                return i;
            }
        }
        let key = People::key_of(user_name, name);
        if let Some(&i) = self.key.get(key.as_str()) {
            if !user_name.is_empty() && key != user_name {
                self.key.insert(user_name.into(), i);
            }
            return i;
        }
        self.names.push(name);
        let i = self.user_names.push(user_name);
        if !user_name.is_empty() && key != user_name {
            self.key.insert(user_name.into(), i);
        }
        self.key.insert(key.into_boxed_str(), i);
        i
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }
}

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

/// The hash under which events are de-duplicated; never 0 for a non-empty id.
pub(crate) fn event_id_hash(id: &str) -> u64 {
    if id.is_empty() {
        return 0;
    }
    let mut hasher = std::hash::DefaultHasher::new();
    id.hash(&mut hasher);
    hasher.finish().max(1)
}

/// What one source contributed, ready to merge.
#[derive(Clone, Debug, Default)]
pub struct Batch {
    pub(crate) source: String,
    pub(crate) people: People,
    pub(crate) users: Vec<BatchUser>,
    pub(crate) events: EventColumns,
    pub(crate) reasons: Interner,
    pub(crate) methods: MethodTable,
    /// User records whose `lastUpdatedDateTime` was not a time (kept, without the time).
    pub(crate) malformed_times: usize,
    /// Bad records that were left out when the batch was accepted without them.
    pub(crate) skipped_records: usize,
    /// The source could not be read to its end; what followed the problem is missing.
    pub(crate) cut_off: bool,
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
        let person = self.people.person(user.user_name, user.name);
        let mut codes: Vec<MethodCode> = Vec::new();
        for raw in methods {
            let code = self.methods.code(raw.as_ref());
            if code != super::method::NO_METHOD && !codes.contains(&code) {
                codes.push(code);
            }
        }
        self.users.push(BatchUser {
            id: user.id.into(),
            person,
            user_type: user
                .user_type
                .unwrap_or_else(|| UserType::infer(user.user_name)),
            is_admin: user.is_admin.unwrap_or(false),
            registered: user.registered,
            enabled: user.enabled,
            capable: user.capable,
            methods: codes,
            last_updated: user.last_updated,
        });
    }

    /// Adds an event record.
    pub fn push_event(&mut self, event: &EventInput<'_>) {
        let person = self.people.person(event.user_name, event.name);
        let method = self.methods.code(event.method);
        let reason = self.reasons.intern(event.failure_reason.trim());
        let mut flags = 0;
        if event.feature == Feature::Reset {
            flags |= EV_RESET;
        }
        if event.status == Status::Success {
            flags |= EV_SUCCESS;
        }
        let e = &mut self.events;
        e.time.push(event.time);
        e.person.push(person);
        e.method.push(method);
        e.flags.push(flags);
        e.reason.push(reason);
        e.id.push(event_id_hash(event.id));
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

    pub fn source(&self) -> &str {
        &self.source
    }

    pub fn user_count(&self) -> usize {
        self.users.len()
    }

    pub fn event_count(&self) -> usize {
        self.events.len()
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
