//! Graph JSON in all its shapes: a response page, an array of pages, a bare array of records, or
//! NDJSON. Streams records straight into the batch through serde visitors (no `Value` tree);
//! every field is read leniently so one bad record is reported without losing the others.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use super::{parse_bool, scan, ErrorLog, FileImport, FileKind};
use crate::model::batch::{Batch, EventInput, Feature, Status, UserInput, UserType};
use crate::model::time::parse_time;

/// A JSON value read without judging its type (judged afterwards, per field).
#[derive(Debug, Default)]
enum Val<'de> {
    #[default]
    Absent,
    Null,
    Str(Cow<'de, str>),
    Bool(bool),
    Num,
    Strs(Vec<Cow<'de, str>>),
    Array,
    Object,
}

impl<'de> Val<'de> {
    fn is_present(&self) -> bool {
        !matches!(self, Val::Absent)
    }

    fn describe(&self) -> String {
        match self {
            Val::Absent => "missing".to_string(),
            Val::Null => "null".to_string(),
            Val::Str(s) => format!("\"{}\"", shorten(s)),
            Val::Bool(b) => b.to_string(),
            Val::Num => "a number".to_string(),
            Val::Strs(_) | Val::Array => "a list".to_string(),
            Val::Object => "an object".to_string(),
        }
    }
}

fn shorten(s: &str) -> String {
    if s.chars().count() <= 60 {
        s.to_string()
    } else {
        let cut: String = s.chars().take(57).collect();
        format!("{cut}…")
    }
}

impl<'de> Deserialize<'de> for Val<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValVisitor)
    }
}

struct ValVisitor;

impl<'de> Visitor<'de> for ValVisitor {
    type Value = Val<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Val<'de>, E> {
        Ok(Val::Bool(v))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Val<'de>, E> {
        Ok(Val::Num)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Val<'de>, E> {
        Ok(Val::Num)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Val<'de>, E> {
        Ok(Val::Num)
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Val<'de>, E> {
        Ok(Val::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Val<'de>, E> {
        Ok(Val::Str(Cow::Owned(v.to_string())))
    }
    fn visit_string<E>(self, v: String) -> Result<Val<'de>, E> {
        Ok(Val::Str(Cow::Owned(v)))
    }
    fn visit_unit<E>(self) -> Result<Val<'de>, E> {
        Ok(Val::Null)
    }
    fn visit_none<E>(self) -> Result<Val<'de>, E> {
        Ok(Val::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Val<'de>, D::Error> {
        d.deserialize_any(ValVisitor)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Val<'de>, A::Error> {
        let mut strings = Vec::new();
        let mut all_strings = true;
        while let Some(item) = seq.next_element::<Val<'de>>()? {
            match item {
                Val::Str(s) if all_strings => strings.push(s),
                _ => all_strings = false,
            }
        }
        Ok(if all_strings {
            Val::Strs(strings)
        } else {
            Val::Array
        })
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Val<'de>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Val::Object)
    }
}

/// The keys we read; everything else is skipped.
enum Key {
    Value,
    Context,
    ODataType,
    Id,
    UserName,
    Name,
    UserType,
    IsAdmin,
    IsSsprRegistered,
    IsSsprEnabled,
    IsSsprCapable,
    IsRegistered,
    IsEnabled,
    IsCapable,
    MethodsRegistered,
    AuthMethods,
    LastUpdated,
    Feature,
    IsSuccess,
    AuthMethod,
    FailureReason,
    EventDateTime,
    Other,
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E>(self, v: &str) -> Result<Key, E> {
                Ok(match v {
                    "value" => Key::Value,
                    "@odata.context" => Key::Context,
                    "@odata.type" => Key::ODataType,
                    "id" => Key::Id,
                    "userPrincipalName" => Key::UserName,
                    "userDisplayName" => Key::Name,
                    "userType" => Key::UserType,
                    "isAdmin" => Key::IsAdmin,
                    "isSsprRegistered" => Key::IsSsprRegistered,
                    "isSsprEnabled" => Key::IsSsprEnabled,
                    "isSsprCapable" => Key::IsSsprCapable,
                    "isRegistered" => Key::IsRegistered,
                    "isEnabled" => Key::IsEnabled,
                    "isCapable" => Key::IsCapable,
                    "methodsRegistered" => Key::MethodsRegistered,
                    "authMethods" => Key::AuthMethods,
                    "lastUpdatedDateTime" => Key::LastUpdated,
                    "feature" => Key::Feature,
                    "isSuccess" => Key::IsSuccess,
                    "authMethod" => Key::AuthMethod,
                    "failureReason" => Key::FailureReason,
                    "eventDateTime" => Key::EventDateTime,
                    _ => Key::Other,
                })
            }
        }
        d.deserialize_identifier(KeyVisitor)
    }
}

/// The fields of one record, as read.
#[derive(Default)]
struct Fields<'de> {
    odata_type: Val<'de>,
    id: Val<'de>,
    user_name: Val<'de>,
    name: Val<'de>,
    user_type: Val<'de>,
    is_admin: Val<'de>,
    sspr_registered: Val<'de>,
    sspr_enabled: Val<'de>,
    sspr_capable: Val<'de>,
    registered: Val<'de>,
    enabled: Val<'de>,
    capable: Val<'de>,
    methods_registered: Val<'de>,
    auth_methods: Val<'de>,
    last_updated: Val<'de>,
    feature: Val<'de>,
    is_success: Val<'de>,
    auth_method: Val<'de>,
    failure_reason: Val<'de>,
    event_time: Val<'de>,
}

/// Where records go, and what was learned about the file on the way.
struct Sink {
    batch: Batch,
    log: ErrorLog,
    record: usize,
    line: Option<usize>,
    good: usize,
    bad: usize,
    users_current: usize,
    users_legacy: usize,
    events: usize,
    legacy_events_hint: bool,
}

impl Sink {
    fn note_context(&mut self, context: &str) {
        let lower = context.to_ascii_lowercase();
        if lower.contains("usercredentialusagedetails") {
            self.legacy_events_hint = true;
        }
    }

    fn bad_record(&mut self, message: String) {
        self.bad += 1;
        self.log.push(self.line, None, Some(self.record), message);
    }

    fn not_an_object(&mut self, what: &str) {
        self.record += 1;
        self.bad_record(format!("expected a record (a JSON object), found {what}."));
    }

    fn record(&mut self, f: Fields<'_>) {
        self.record += 1;
        if let Val::Str(t) = &f.odata_type {
            self.note_context(t);
        }
        let is_event =
            f.event_time.is_present() || f.feature.is_present() || f.is_success.is_present();
        let is_user = f.sspr_registered.is_present()
            || f.registered.is_present()
            || f.methods_registered.is_present()
            || f.auth_methods.is_present();
        let outcome = if is_event {
            self.event(&f)
        } else if is_user {
            self.user(&f)
        } else {
            Err("has neither the fields of a registration detail (isSsprRegistered, methodsRegistered…) nor of an event (eventDateTime, feature, isSuccess…).".to_string())
        };
        match outcome {
            Ok(()) => self.good += 1,
            Err(message) => self.bad_record(message),
        }
    }

    fn user(&mut self, f: &Fields<'_>) -> Result<(), String> {
        let legacy = !f.sspr_registered.is_present() && f.registered.is_present();
        let (registered, enabled, capable) = if legacy {
            (
                ("isRegistered", &f.registered),
                ("isEnabled", &f.enabled),
                ("isCapable", &f.capable),
            )
        } else {
            (
                ("isSsprRegistered", &f.sspr_registered),
                ("isSsprEnabled", &f.sspr_enabled),
                ("isSsprCapable", &f.sspr_capable),
            )
        };
        let registered = required_bool(registered.0, registered.1)?;
        let enabled = required_bool(enabled.0, enabled.1)?;
        let capable = optional_bool(capable.0, capable.1)?;
        let is_admin = optional_bool("isAdmin", &f.is_admin)?;
        let id = text("id", &f.id)?;
        let user_name = text("userPrincipalName", &f.user_name)?;
        let name = text("userDisplayName", &f.name)?;
        let user_type = UserType::parse(text("userType", &f.user_type)?);
        let (methods_key, methods) = if f.methods_registered.is_present() {
            ("methodsRegistered", &f.methods_registered)
        } else {
            ("authMethods", &f.auth_methods)
        };
        let methods: &[Cow<'_, str>] = match methods {
            Val::Strs(list) => list,
            Val::Absent | Val::Null => &[],
            other => {
                return Err(format!(
                    "{methods_key} is {}, expected a list of method names.",
                    other.describe()
                ))
            }
        };
        let last_updated = match &f.last_updated {
            Val::Str(s) if !s.trim().is_empty() => {
                let t = parse_time(s);
                if t.is_none() {
                    self.batch.note_malformed_time();
                }
                t
            }
            Val::Absent | Val::Null | Val::Str(_) => None,
            other => {
                return Err(format!(
                    "lastUpdatedDateTime is {}, expected a date-time.",
                    other.describe()
                ))
            }
        };
        if legacy {
            self.users_legacy += 1;
        } else {
            self.users_current += 1;
        }
        self.batch.push_user(
            &UserInput {
                id,
                user_name,
                name,
                user_type,
                is_admin,
                registered,
                enabled,
                capable,
                last_updated,
            },
            methods.iter(),
        );
        Ok(())
    }

    fn event(&mut self, f: &Fields<'_>) -> Result<(), String> {
        let time = match &f.event_time {
            Val::Str(s) => parse_time(s).ok_or_else(|| {
                format!(
                    "eventDateTime {} is not a valid date-time.",
                    f.event_time.describe()
                )
            })?,
            other => {
                return Err(format!(
                    "eventDateTime is {}, expected a date-time.",
                    other.describe()
                ))
            }
        };
        let feature = match &f.feature {
            Val::Str(s) => Feature::parse(s).ok_or_else(|| {
                format!(
                    "feature is {}, expected registration or reset.",
                    f.feature.describe()
                )
            })?,
            other => {
                return Err(format!(
                    "feature is {}, expected registration or reset.",
                    other.describe()
                ))
            }
        };
        let success = required_bool("isSuccess", &f.is_success)?;
        let event = EventInput {
            id: text("id", &f.id)?,
            time,
            user_name: text("userPrincipalName", &f.user_name)?,
            name: text("userDisplayName", &f.name)?,
            feature,
            status: if success {
                Status::Success
            } else {
                Status::Failure
            },
            method: text("authMethod", &f.auth_method)?,
            failure_reason: text("failureReason", &f.failure_reason)?,
        };
        self.events += 1;
        self.batch.push_event(&event);
        Ok(())
    }
}

fn text<'v>(key: &str, v: &'v Val<'_>) -> Result<&'v str, String> {
    match v {
        Val::Str(s) => Ok(s),
        Val::Absent | Val::Null => Ok(""),
        other => Err(format!("{key} is {}, expected text.", other.describe())),
    }
}

fn optional_bool(key: &str, v: &Val<'_>) -> Result<Option<bool>, String> {
    match v {
        Val::Bool(b) => Ok(Some(*b)),
        Val::Absent | Val::Null => Ok(None),
        Val::Str(s) => parse_bool(s)
            .map(Some)
            .ok_or_else(|| format!("{key} is {}, expected true or false.", v.describe())),
        other => Err(format!(
            "{key} is {}, expected true or false.",
            other.describe()
        )),
    }
}

fn required_bool(key: &str, v: &Val<'_>) -> Result<bool, String> {
    optional_bool(key, v)?
        .ok_or_else(|| format!("{key} is {}, expected true or false.", v.describe()))
}

/// A JSON value that may be a page, a record, or (at the top) an array of either.
struct Item<'s> {
    sink: &'s mut Sink,
    top: bool,
}

impl<'de> DeserializeSeed<'de> for Item<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Item<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Graph response page, a record, or a list of them")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let (f, page) = read_fields(&mut map, Some(&mut *self.sink))?;
        if !page {
            self.sink.record(f);
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        if !self.top {
            self.sink.not_an_object("a list");
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            return Ok(());
        }
        while seq
            .next_element_seed(Item {
                sink: &mut *self.sink,
                top: false,
            })?
            .is_some()
        {}
        Ok(())
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.scalar("true or false")
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.scalar("a number")
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.scalar("a number")
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.scalar("a number")
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        self.scalar("text")
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.scalar("null")
    }
}

impl Item<'_> {
    fn scalar<E: de::Error>(self, what: &str) -> Result<(), E> {
        if self.top {
            Err(E::custom(format!(
                "expected a Graph response page or a list of records, found {what}"
            )))
        } else {
            self.sink.not_an_object(what);
            Ok(())
        }
    }
}

/// Reads an object's members into [`Fields`]; true when it had a `value` member (a page). With a
/// sink, a page's records go to it as they are read; without one, `value` is skipped.
fn read_fields<'de, A: MapAccess<'de>>(
    map: &mut A,
    mut sink: Option<&mut Sink>,
) -> Result<(Fields<'de>, bool), A::Error> {
    let mut f = Fields::default();
    let mut page = false;
    while let Some(key) = map.next_key::<Key>()? {
        match key {
            Key::Value => {
                page = true;
                match sink.as_deref_mut() {
                    Some(sink) => map.next_value_seed(Records { sink })?,
                    None => {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
            }
            Key::Context => {
                if let Val::Str(s) = map.next_value::<Val<'de>>()? {
                    if let Some(sink) = sink.as_deref_mut() {
                        sink.note_context(&s);
                    }
                }
            }
            Key::ODataType => f.odata_type = map.next_value()?,
            Key::Id => f.id = map.next_value()?,
            Key::UserName => f.user_name = map.next_value()?,
            Key::Name => f.name = map.next_value()?,
            Key::UserType => f.user_type = map.next_value()?,
            Key::IsAdmin => f.is_admin = map.next_value()?,
            Key::IsSsprRegistered => f.sspr_registered = map.next_value()?,
            Key::IsSsprEnabled => f.sspr_enabled = map.next_value()?,
            Key::IsSsprCapable => f.sspr_capable = map.next_value()?,
            Key::IsRegistered => f.registered = map.next_value()?,
            Key::IsEnabled => f.enabled = map.next_value()?,
            Key::IsCapable => f.capable = map.next_value()?,
            Key::MethodsRegistered => f.methods_registered = map.next_value()?,
            Key::AuthMethods => f.auth_methods = map.next_value()?,
            Key::LastUpdated => f.last_updated = map.next_value()?,
            Key::Feature => f.feature = map.next_value()?,
            Key::IsSuccess => f.is_success = map.next_value()?,
            Key::AuthMethod => f.auth_method = map.next_value()?,
            Key::FailureReason => f.failure_reason = map.next_value()?,
            Key::EventDateTime => f.event_time = map.next_value()?,
            Key::Other => {
                map.next_value::<IgnoredAny>()?;
            }
        }
    }
    Ok((f, page))
}

/// The `value` array of a page.
struct Records<'s> {
    sink: &'s mut Sink,
}

impl<'de> DeserializeSeed<'de> for Records<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Records<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of records")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq
            .next_element_seed(Item {
                sink: &mut *self.sink,
                top: false,
            })?
            .is_some()
        {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        // A single record where a list belongs: read it as one record.
        Item {
            sink: self.sink,
            top: false,
        }
        .visit_map(map)
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Err(E::custom(
            "\"value\" is true or false, expected a list of records",
        ))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Err(E::custom(
            "\"value\" is a number, expected a list of records",
        ))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Err(E::custom(
            "\"value\" is a number, expected a list of records",
        ))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Err(E::custom(
            "\"value\" is a number, expected a list of records",
        ))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Err(E::custom("\"value\" is text, expected a list of records"))
    }
}

/// Where a resumable JSON read stands.
#[derive(Clone, Copy, Debug)]
enum Stage {
    Start,
    /// One value per line; `line` lines read so far.
    Ndjson {
        pos: usize,
        line: usize,
    },
    /// Inside the top-level object that opened at `open`: before a key or its closing brace.
    PageKeys {
        pos: usize,
        open: usize,
        saw_value: bool,
    },
    /// Inside an array of items. `page`: the `value` array of the top-level object that opened
    /// there (records); `None`: the top-level array itself (records or whole pages).
    Elements {
        pos: usize,
        page: Option<usize>,
        first: bool,
    },
    Done,
}

/// Reads JSON or NDJSON a slice of records at a time, so a browser can show progress and
/// never freeze on a big file. The same visitors as a one-shot read; the same result.
pub(super) struct JsonJob {
    sink: Sink,
    stage: Stage,
    fatal: bool,
}

impl JsonJob {
    pub(super) fn new(name: &str, len: usize) -> JsonJob {
        let mut sink = Sink {
            batch: Batch::new(name),
            log: ErrorLog::new(name),
            record: 0,
            line: None,
            good: 0,
            bad: 0,
            users_current: 0,
            users_legacy: 0,
            events: 0,
            legacy_events_hint: false,
        };
        // Rough pre-size: Graph events are about 230 bytes each.
        sink.batch.reserve_events(len / 400);
        JsonJob {
            sink,
            stage: Stage::Start,
            fatal: false,
        }
    }

    /// Bytes of `b` read so far.
    pub(super) fn position(&self, b: &[u8]) -> usize {
        match self.stage {
            Stage::Start => 0,
            Stage::Ndjson { pos, .. }
            | Stage::PageKeys { pos, .. }
            | Stage::Elements { pos, .. } => pos,
            Stage::Done => b.len(),
        }
    }

    /// Records read so far, good and bad.
    pub(super) fn records(&self) -> (usize, usize) {
        (self.sink.good, self.sink.bad)
    }

    /// Reads about `max` more records of `b` (the same bytes every call); true when finished.
    pub(super) fn step(&mut self, b: &[u8], max: usize) -> bool {
        let target = self.sink.good + self.sink.bad + max.max(1);
        let mut window = Window::default();
        while self.sink.good + self.sink.bad < target {
            self.stage = match self.stage {
                Stage::Done => return true,
                Stage::Start => {
                    let pos = scan::skip_ws(b, 0);
                    if is_ndjson(b) {
                        Stage::Ndjson { pos, line: 0 }
                    } else if b.get(pos) == Some(&b'{') {
                        Stage::PageKeys {
                            pos: pos + 1,
                            open: pos,
                            saw_value: false,
                        }
                    } else if b.get(pos) == Some(&b'[') {
                        Stage::Elements {
                            pos: pos + 1,
                            page: None,
                            first: true,
                        }
                    } else {
                        self.whole(b, pos, b.len());
                        Stage::Done
                    }
                }
                Stage::Ndjson { pos, line } => self.ndjson_line(b, pos, line),
                Stage::PageKeys {
                    pos,
                    open,
                    saw_value,
                } => self.page_key(b, pos, open, saw_value),
                Stage::Elements { pos, page, first } => {
                    self.element(b, &mut window, pos, page, first)
                }
            };
        }
        matches!(self.stage, Stage::Done)
    }

    /// Reads `b[from..to]` as one value in one go (a single record, or an odd shape).
    fn whole(&mut self, b: &[u8], from: usize, to: usize) {
        if let Err(e) = read_value(&mut self.sink, &b[from..to], true) {
            self.fail_at(b, from, &e);
        }
    }

    /// A fatal problem: the rest of the file cannot be read.
    fn fail_at(&mut self, b: &[u8], from: usize, e: &serde_json::Error) {
        self.fatal = true;
        let (line, column) = absolute(b, from, e);
        let mut message = describe_json_error(e);
        if self.sink.good > 0 {
            message.push_str(&read_before(self.sink.good));
        }
        self.sink.log.push(line, column, None, message);
    }

    /// A structural problem found by the scanner at `pos`.
    fn fail_here(&mut self, b: &[u8], pos: usize, what: &str) -> Stage {
        self.fatal = true;
        let (line, column) = scan::line_column(b, pos);
        let message = if pos >= b.len() {
            "the JSON ends too early; the file looks truncated.".to_string()
        } else {
            format!("not valid JSON: {what}.")
        };
        let mut message = message;
        if self.sink.good > 0 {
            message.push_str(&read_before(self.sink.good));
        }
        self.sink.log.push(Some(line), Some(column), None, message);
        Stage::Done
    }

    fn ndjson_line(&mut self, b: &[u8], pos: usize, line: usize) -> Stage {
        if pos >= b.len() {
            return Stage::Done;
        }
        let end = memchr::memchr(b'\n', &b[pos..]).map_or(b.len(), |i| pos + i);
        let line = line + 1;
        let mut text = &b[pos..end];
        if text.ends_with(b"\r") {
            text = &text[..text.len() - 1];
        }
        if !text.iter().all(|c| c.is_ascii_whitespace()) {
            self.sink.line = Some(line);
            if let Err(e) = read_value(&mut self.sink, text, true) {
                self.sink.record += 1;
                self.sink.bad += 1;
                self.sink.log.push(
                    Some(line),
                    Some(e.column()),
                    Some(self.sink.record),
                    describe_json_error(&e),
                );
            }
        }
        Stage::Ndjson { pos: end + 1, line }
    }

    fn page_key(&mut self, b: &[u8], pos: usize, open: usize, saw_value: bool) -> Stage {
        let mut p = scan::skip_ws(b, pos);
        if b.get(p) == Some(&b',') {
            p = scan::skip_ws(b, p + 1);
        }
        match b.get(p) {
            None => self.fail_here(b, p, "the object never closes"),
            Some(b'}') => {
                if !saw_value {
                    // Not a page: one record (or something else) to read as a whole.
                    self.whole(b, open, b.len());
                    return Stage::Done;
                }
                self.trailing(b, p + 1)
            }
            Some(b'"') => {
                let Some(key_end) = scan::string_end(b, p) else {
                    return self.fail_here(b, b.len(), "");
                };
                let colon = scan::skip_ws(b, key_end);
                if b.get(colon) != Some(&b':') {
                    return self.fail_here(b, colon, "expected a colon after a key");
                }
                let value = scan::skip_ws(b, colon + 1);
                let key = &b[p + 1..key_end - 1];
                if key == b"value" && b.get(value) == Some(&b'[') {
                    return Stage::Elements {
                        pos: value + 1,
                        page: Some(open),
                        first: true,
                    };
                }
                let Some(end) = scan::value_end(b, value) else {
                    return self.fail_here(b, b.len(), "");
                };
                if key == b"@odata.context" || key == b"@odata.type" {
                    if let Ok(text) = serde_json::from_slice::<String>(&b[value..end]) {
                        self.sink.note_context(&text);
                    }
                }
                Stage::PageKeys {
                    pos: end,
                    open,
                    saw_value,
                }
            }
            Some(_) => {
                // Not the shape of a page: let serde read it whole and say what is wrong.
                self.whole(b, open, b.len());
                Stage::Done
            }
        }
    }

    fn element<'b>(
        &mut self,
        b: &'b [u8],
        window: &mut Window<'b>,
        pos: usize,
        page: Option<usize>,
        first: bool,
    ) -> Stage {
        let mut p = scan::skip_ws(b, pos);
        if b.get(p) == Some(&b']') {
            return match page {
                Some(open) => Stage::PageKeys {
                    pos: p + 1,
                    open,
                    saw_value: true,
                },
                None => self.trailing(b, p + 1),
            };
        }
        if !first {
            if b.get(p) != Some(&b',') {
                return match b.get(p) {
                    None => self.fail_here(b, p, ""),
                    Some(_) => self.fail_here(b, p, "expected a comma between records"),
                };
            }
            p = scan::skip_ws(b, p + 1);
        }
        let Some(end) = scan::value_end(b, p) else {
            // Cut off inside this element: serde says where and how.
            return match read_element(&mut self.sink, &b[p..], None) {
                Err(e) => {
                    self.fail_at(b, p, &e);
                    Stage::Done
                }
                Ok(()) => self.fail_here(b, b.len(), ""),
            };
        };
        let text = window.text_from(b, p).and_then(|text| text.get(..end - p));
        let before = self.sink.good + self.sink.bad;
        if let Err(e) = read_element(&mut self.sink, &b[p..end], text) {
            if self.sink.good + self.sink.bad == before {
                self.bad_element(b, p, &e);
            } else {
                let (line, column) = absolute(b, p, &e);
                let record = self.sink.record;
                self.sink
                    .log
                    .push(line, column, Some(record), describe_json_error(&e));
            }
        }
        Stage::Elements {
            pos: end,
            page,
            first: false,
        }
    }

    /// An element that could not be read: one bad record.
    fn bad_element(&mut self, b: &[u8], from: usize, e: &serde_json::Error) {
        self.sink.record += 1;
        self.sink.bad += 1;
        let (line, column) = absolute(b, from, e);
        let record = self.sink.record;
        self.sink
            .log
            .push(line, column, Some(record), describe_json_error(e));
    }

    /// After the top-level value only white space may follow.
    fn trailing(&mut self, b: &[u8], pos: usize) -> Stage {
        let rest = scan::skip_ws(b, pos);
        if rest < b.len() {
            return self.fail_here(b, rest, "unexpected text after the end of the JSON");
        }
        Stage::Done
    }

    /// The outcome; reads whatever is left first. A job finished before any step reads the
    /// whole document in one pass of serde (the fastest way when nobody waits for progress;
    /// the tests hold both ways to the same result).
    pub(super) fn finish(mut self, name: &str, b: &[u8]) -> FileImport {
        if matches!(self.stage, Stage::Start) && !is_ndjson(b) {
            let from = scan::skip_ws(b, 0);
            self.whole(b, from, b.len());
            self.stage = Stage::Done;
            if self.fatal {
                // A broken file: read it again record by record, so that a malformed record
                // costs only itself and the message names it, exactly as when stepping.
                self = JsonJob::new(name, b.len());
            }
        }
        while !self.step(b, usize::MAX / 2) {}
        let sink = &mut self.sink;
        let fatal = self.fatal;
        let kind = match (sink.users_current + sink.users_legacy, sink.events) {
            (0, 0) => FileKind::Unknown,
            (_, 0) if sink.users_legacy > sink.users_current => {
                FileKind::CredentialUserRegistrationDetails
            }
            (_, 0) => FileKind::UserRegistrationDetails,
            (0, _) if sink.legacy_events_hint => FileKind::UserCredentialUsageDetails,
            (0, _) => FileKind::UserEventsSummary,
            _ => FileKind::MixedJson,
        };
        if kind == FileKind::Unknown && !fatal && sink.bad == 0 {
            sink.log.push(
                None,
                None,
                None,
                "no records found: the file is valid JSON but holds no registration details or events."
                    .to_string(),
            );
        }
        FileImport {
            name: name.to_string(),
            kind,
            records: sink.good,
            bad_records: sink.bad,
            error_count: sink.log.count,
            errors: std::mem::take(&mut sink.log.listed),
            fatal,
            batch: std::mem::take(&mut sink.batch),
        }
    }
}

/// A stretch of the file checked to be UTF-8 once, so records are parsed as text (strings are
/// not checked again one by one: the same result, faster).
#[derive(Default)]
struct Window<'b> {
    start: usize,
    text: &'b str,
}

impl<'b> Window<'b> {
    const SIZE: usize = 4 << 20;

    /// The text from `pos` to the window's end, moving the window there when `pos` is past it;
    /// `None` when the bytes there are not UTF-8.
    fn text_from(&mut self, b: &'b [u8], pos: usize) -> Option<&'b str> {
        if pos < self.start || pos >= self.start + self.text.len() {
            let end = (pos + Self::SIZE).min(b.len());
            let text = match std::str::from_utf8(&b[pos..end]) {
                Ok(text) => text,
                // A character cut by the window's edge, or bytes that are not UTF-8: the window
                // stops before them (the record holding them is read from the bytes).
                Err(e) if e.valid_up_to() > 0 => {
                    std::str::from_utf8(&b[pos..pos + e.valid_up_to()]).ok()?
                }
                Err(_) => return None,
            };
            *self = Window { start: pos, text };
        }
        self.text.get(pos - self.start..)
    }
}

/// " The N records before this point were read." for a file that stops being readable.
fn read_before(good: usize) -> String {
    if good == 1 {
        " The record before this point was read.".to_string()
    } else {
        format!(" The {good} records before this point were read.")
    }
}

/// The file position of a serde error in `b[from..]`.
fn absolute(b: &[u8], from: usize, e: &serde_json::Error) -> (Option<usize>, Option<usize>) {
    if e.line() == 0 {
        return (None, None);
    }
    let (line, column) = scan::line_column(b, from);
    if e.line() == 1 {
        (Some(line), Some(column + e.column() - 1))
    } else {
        (Some(line + e.line() - 1), Some(e.column()))
    }
}

/// Reads one JSON value (a whole file, or a line of NDJSON) that may be a page, a record or a
/// list of them. Valid UTF-8 is parsed as text, so strings are not checked again.
fn read_value(sink: &mut Sink, bytes: &[u8], top: bool) -> Result<(), serde_json::Error> {
    fn read<'de, R: serde_json::de::Read<'de>>(
        sink: &mut Sink,
        top: bool,
        mut de: serde_json::Deserializer<R>,
    ) -> Result<(), serde_json::Error> {
        Item { sink, top }
            .deserialize(&mut de)
            .and_then(|()| de.end())
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => read(sink, top, serde_json::Deserializer::from_str(text)),
        Err(_) => read(sink, top, serde_json::Deserializer::from_slice(bytes)),
    }
}

/// Reads one element of an array: a record, or a whole page. `text` is the same bytes when they
/// are known to be UTF-8.
fn read_element(
    sink: &mut Sink,
    bytes: &[u8],
    text: Option<&str>,
) -> Result<(), serde_json::Error> {
    fn read<'de, R: serde_json::de::Read<'de>>(
        sink: &mut Sink,
        mut de: serde_json::Deserializer<R>,
    ) -> Result<(), serde_json::Error> {
        Item { sink, top: false }
            .deserialize(&mut de)
            .and_then(|()| de.end())
    }
    match text {
        Some(text) => read(sink, serde_json::Deserializer::from_str(text)),
        None => read(sink, serde_json::Deserializer::from_slice(bytes)),
    }
}

/// NDJSON when the first line alone is a complete JSON value and more follows.
fn is_ndjson(bytes: &[u8]) -> bool {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(0);
    if bytes.get(start) != Some(&b'{') {
        return false;
    }
    let Some(end) = memchr::memchr(b'\n', &bytes[start..]).map(|i| start + i) else {
        return false;
    };
    if bytes[end..].iter().all(|b| b.is_ascii_whitespace()) {
        return false;
    }
    serde_json::from_slice::<IgnoredAny>(&bytes[start..end]).is_ok()
}

fn describe_json_error(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let text = match text.find(" at line ") {
        Some(i) => &text[..i],
        None => &text,
    };
    match e.classify() {
        serde_json::error::Category::Eof => {
            format!("the JSON ends too early ({text}); the file looks truncated.")
        }
        serde_json::error::Category::Syntax => format!("not valid JSON: {text}."),
        serde_json::error::Category::Data => format!("{text}."),
        serde_json::error::Category::Io => format!("could not be read: {text}."),
    }
}
