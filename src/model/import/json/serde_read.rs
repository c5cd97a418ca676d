//! The serde way of reading Graph JSON: visitors that stream a page, a record or a list of them
//! into the sink with no `Value` tree. The fast byte parser ([`super::record`]) reads the common
//! record shapes; everything it leaves (pages inside lists, escaped keys, odd values, broken
//! JSON) comes here, so that odd inputs read exactly as serde reads them and every syntax error
//! has serde's words and position. Knows nothing of chunks or file positions.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use super::fields::{key_of, Fields, Key, Sink, Val};
use super::inputs::ConfigurationsSeed;
use super::serde_nested::NestedSeed;

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

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E>(self, v: &str) -> Result<Key, E> {
                Ok(key_of(v.as_bytes()))
            }
        }
        d.deserialize_identifier(KeyVisitor)
    }
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
            self.sink.record(&f);
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
            nested if nested.is_nested() => {
                let slot = match nested {
                    Key::InitiatedBy => &mut f.initiated_by,
                    Key::TargetResources => &mut f.target_resources,
                    _ => &mut f.additional_details,
                };
                map.next_value_seed(NestedSeed {
                    key: nested,
                    into: &mut f.nested,
                    slot,
                })?;
            }
            Key::MethodConfigurations => {
                f.method_configurations = map.next_value_seed(ConfigurationsSeed)?;
            }
            other => match f.slot(other) {
                Some(slot) => *slot = map.next_value()?,
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            },
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

/// Reads one JSON value that may be a page, a record or (`top`: a whole file or an NDJSON line) a
/// list of them. Bytes, valid UTF-8 or not, go through serde_json's one byte reader: a second
/// reader for valid text (which would skip checking its strings again) doubled this fallback's
/// code in the worker, for a path only odd records take.
pub(super) fn read_value(
    sink: &mut Sink,
    bytes: &[u8],
    top: bool,
) -> Result<(), serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    Item { sink, top }
        .deserialize(&mut de)
        .and_then(|()| de.end())
}

pub(super) fn describe_json_error(e: &serde_json::Error) -> String {
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
