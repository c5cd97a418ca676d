//! The serde way of reading an audit record's nested objects (spec §4.3), for whatever the fast
//! path leaves: the same members into the same [`Nested`] (the initiating user, the first
//! target, the `OnPremisesAgent` detail), with serde's own words for broken JSON.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::fields::{Key, Nested, Val};

/// The value of `initiatedBy`, `targetResources` or `additionalDetails` (`key`): an object or a
/// list is read into `into` and `slot` becomes [`Val::Object`]; anything else goes into `slot`
/// as it is (JSON text, null, or a wrong type the rules will name).
pub(super) struct NestedSeed<'s, 'de> {
    pub key: Key,
    pub into: &'s mut Nested<'de>,
    pub slot: &'s mut Val<'de>,
}

impl<'de> DeserializeSeed<'de> for NestedSeed<'_, 'de> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NestedSeed<'_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object, a list of objects, or JSON text")
    }
    fn visit_bool<E>(self, v: bool) -> Result<(), E> {
        *self.slot = Val::Bool(v);
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        *self.slot = Val::Num;
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        *self.slot = Val::Num;
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        *self.slot = Val::Num;
        Ok(())
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<(), E> {
        *self.slot = Val::Str(v.into());
        Ok(())
    }
    fn visit_str<E>(self, v: &str) -> Result<(), E> {
        *self.slot = Val::Str(v.to_string().into());
        Ok(())
    }
    fn visit_string<E>(self, v: String) -> Result<(), E> {
        *self.slot = Val::Str(v.into());
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        *self.slot = Val::Null;
        Ok(())
    }
    fn visit_none<E>(self) -> Result<(), E> {
        *self.slot = Val::Null;
        Ok(())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        *self.slot = Val::Object;
        match self.key {
            Key::InitiatedBy => {
                while let Some(name) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    if name == "user" {
                        map.next_value_seed(Party {
                            into: &mut *self.into,
                            target: false,
                        })?;
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
            }
            // A single target where a list belongs: read it as the first.
            Key::TargetResources => Party {
                into: self.into,
                target: true,
            }
            .visit_map(map)?,
            _ => while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {},
        }
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        match self.key {
            Key::TargetResources => {
                *self.slot = Val::Object;
                if seq
                    .next_element_seed(Party {
                        into: &mut *self.into,
                        target: true,
                    })?
                    .is_some()
                {
                    while seq.next_element::<IgnoredAny>()?.is_some() {}
                }
            }
            Key::AdditionalDetails => {
                *self.slot = Val::Object;
                while seq
                    .next_element_seed(Detail {
                        into: &mut *self.into,
                    })?
                    .is_some()
                {}
            }
            _ => {
                *self.slot = Val::Array;
                while seq.next_element::<IgnoredAny>()?.is_some() {}
            }
        }
        Ok(())
    }
}

/// The initiating user (`target: false`) or the first target.
struct Party<'s, 'de> {
    into: &'s mut Nested<'de>,
    target: bool,
}

impl<'de> DeserializeSeed<'de> for Party<'_, 'de> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Party<'_, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let n = self.into;
        while let Some(name) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            let slot = match (self.target, name.as_ref()) {
                (false, "id") => &mut n.actor_id,
                (false, "userPrincipalName") => &mut n.actor_user_name,
                (false, "displayName") => &mut n.actor_name,
                (false, "ipAddress") => &mut n.actor_ip,
                (true, "id") => &mut n.target_id,
                (true, "userPrincipalName") => &mut n.target_user_name,
                (true, "displayName") => &mut n.target_name,
                (true, "type") => &mut n.target_type,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            *slot = map.next_value()?;
        }
        Ok(())
    }
    // Anything but an object names nobody.
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(())
    }
}

/// One `{key, value}` of `additionalDetails`.
struct Detail<'s, 'de> {
    into: &'s mut Nested<'de>,
}

impl<'de> DeserializeSeed<'de> for Detail<'_, 'de> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Detail<'_, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a {key, value} object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let (mut name, mut value) = (Val::Absent, Val::Absent);
        while let Some(member) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match member.as_ref() {
                "key" => name = map.next_value()?,
                "value" => value = map.next_value()?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if matches!(&name, Val::Str(n) if n.eq_ignore_ascii_case("OnPremisesAgent")) {
            self.into.agent = value;
        }
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(())
    }
}

/// Reads a nested member given as JSON text (a Log Analytics export) into `into`.
pub(super) fn read_nested_text<'t>(
    text: &'t str,
    key: Key,
    into: &mut Nested<'t>,
) -> Result<(), serde_json::Error> {
    // serde_json's byte reader, the one `read_value` uses (one reader's code in the worker).
    let mut de = serde_json::Deserializer::from_slice(text.as_bytes());
    let mut slot = Val::Absent;
    NestedSeed {
        key,
        into,
        slot: &mut slot,
    }
    .deserialize(&mut de)?;
    de.end()
}
