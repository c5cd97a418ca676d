//! The fast path for an audit record's nested objects (spec §4.3): `initiatedBy` (its `user`),
//! the first of `targetResources` and the `OnPremisesAgent` of `additionalDetails`, read straight
//! into [`Nested`] while the record is parsed; everything else in them is skipped. As the record
//! parser does, it takes only what it is sure of and leaves any other shape to serde.

use super::{Parser, Step, Stop};
use crate::model::import::json::fields::{Key, Nested, Val};

/// Nesting of the members skipped inside these objects (the record is depth 0).
const DEPTH: usize = 2;

/// Reads one nested member's value, given whole in `b` (JSON text from a Log Analytics export),
/// into `into`; `None` when the fast path leaves it to serde (or it is not one value).
pub(crate) fn read_nested<'b>(b: &'b [u8], key: Key, into: &mut Nested<'b>) -> Option<()> {
    let mut p = Parser { b, i: 0 };
    p.ws();
    match p.peek().ok()? {
        b'{' | b'[' => p.nested(key, into).ok()?,
        b'n' => p.literal(b"null").ok()?,
        _ => return None,
    }
    p.ws();
    (p.i == b.len()).then_some(())
}

impl<'b> Parser<'b> {
    /// The value of `initiatedBy`, `targetResources` or `additionalDetails`, which opens at
    /// `self.i` (`{` or `[`).
    pub(super) fn nested(&mut self, key: Key, into: &mut Nested<'b>) -> Step<()> {
        match key {
            Key::InitiatedBy => self.members_of(&mut |p, name| match name {
                b"user" if p.peek()? == b'{' => p.members_of(&mut |p, name| {
                    let slot = match name {
                        b"id" => &mut into.actor_id,
                        b"userPrincipalName" => &mut into.actor_user_name,
                        b"displayName" => &mut into.actor_name,
                        b"ipAddress" => &mut into.actor_ip,
                        _ => return p.skip(DEPTH),
                    };
                    p.field_value(slot)
                }),
                _ => p.skip(DEPTH),
            }),
            Key::TargetResources => {
                let mut first = true;
                self.elements_of(&mut |p| {
                    if !std::mem::take(&mut first) {
                        return p.skip(DEPTH);
                    }
                    if p.peek()? != b'{' {
                        return Err(Stop::Fallback);
                    }
                    p.members_of(&mut |p, name| {
                        let slot = match name {
                            b"id" => &mut into.target_id,
                            b"userPrincipalName" => &mut into.target_user_name,
                            b"displayName" => &mut into.target_name,
                            b"type" => &mut into.target_type,
                            _ => return p.skip(DEPTH),
                        };
                        p.field_value(slot)
                    })
                })
            }
            Key::AdditionalDetails => self.elements_of(&mut |p| {
                if p.peek()? != b'{' {
                    return Err(Stop::Fallback);
                }
                let (mut name, mut value) = (Val::Absent, Val::Absent);
                p.members_of(&mut |p, member| match member {
                    b"key" => p.field_value(&mut name),
                    b"value" => p.field_value(&mut value),
                    _ => p.skip(DEPTH),
                })?;
                if matches!(&name, Val::Str(n) if n.eq_ignore_ascii_case("OnPremisesAgent")) {
                    into.agent = value;
                }
                Ok(())
            }),
            _ => self.skip(DEPTH),
        }
    }

    /// The members of the object that opens at `self.i`, up to and including its `}`: each
    /// member's value is read by `member(parser, name)`.
    fn members_of(&mut self, member: &mut dyn FnMut(&mut Self, &'b [u8]) -> Step<()>) -> Step<()> {
        self.expect(b'{')?;
        self.ws();
        if self.peek()? == b'}' {
            self.i += 1;
            return Ok(());
        }
        loop {
            let name = self.key()?;
            self.ws();
            self.expect(b':')?;
            self.ws();
            member(self, name)?;
            self.ws();
            match self.peek()? {
                b',' => {
                    self.i += 1;
                    self.ws();
                }
                b'}' => {
                    self.i += 1;
                    return Ok(());
                }
                _ => return Err(Stop::Fallback),
            }
        }
    }

    /// The elements of the array that opens at `self.i` (or `null`), up to and including its
    /// `]`: each is read by `element(parser)`. An object where a list belongs is left to serde.
    fn elements_of(&mut self, element: &mut dyn FnMut(&mut Self) -> Step<()>) -> Step<()> {
        if self.peek()? == b'n' {
            return self.literal(b"null");
        }
        self.expect(b'[')?;
        self.ws();
        if self.peek()? == b']' {
            self.i += 1;
            return Ok(());
        }
        loop {
            element(self)?;
            self.ws();
            match self.peek()? {
                b',' => {
                    self.i += 1;
                    self.ws();
                }
                b']' => {
                    self.i += 1;
                    return Ok(());
                }
                _ => return Err(Stop::Fallback),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(key: Key, text: &str) -> Option<Nested<'_>> {
        let mut into = Nested::default();
        read_nested(text.as_bytes(), key, &mut into).map(|()| into)
    }

    #[test]
    fn the_initiating_user_is_read_and_the_rest_skipped() {
        let n = nested(
            Key::InitiatedBy,
            r#"{"app":null,"user":{"id":"u1","displayName":null,"userPrincipalName":"bob@x","ipAddress":"203.0.113.7","roles":[{"a":1}]}}"#,
        )
        .unwrap();
        assert!(matches!(n.actor_id, Val::Str(ref s) if s == "u1"));
        assert!(matches!(n.actor_name, Val::Null));
        assert!(matches!(n.actor_ip, Val::Str(ref s) if s == "203.0.113.7"));
    }

    #[test]
    fn only_the_first_target_is_read() {
        let n = nested(
            Key::TargetResources,
            r#"[{"id":"t1","type":"User","userPrincipalName":"bob@x","modifiedProperties":[]},{"id":"t2","type":"Group"}]"#,
        )
        .unwrap();
        assert!(matches!(n.target_id, Val::Str(ref s) if s == "t1"));
        assert!(matches!(n.target_type, Val::Str(ref s) if s == "User"));
    }

    #[test]
    fn the_on_premises_agent_is_found_among_the_details() {
        let n = nested(
            Key::AdditionalDetails,
            r#"[{"key":"UserAgent","value":"x"},{"key":"OnPremisesAgent","value":"Microsoft Entra Connect"}]"#,
        )
        .unwrap();
        assert!(matches!(n.agent, Val::Str(ref s) if s == "Microsoft Entra Connect"));
    }

    #[test]
    fn odd_shapes_are_left_to_serde() {
        assert!(nested(Key::TargetResources, r#"[1]"#).is_none());
        assert!(nested(Key::InitiatedBy, r#"{"user":{"id":5}}"#).is_none());
        assert!(nested(Key::InitiatedBy, r#"{"user":{}} x"#).is_none());
        assert!(nested(Key::AdditionalDetails, r#"{"key":"a"}"#).is_none());
        assert!(nested(Key::InitiatedBy, "null").is_some());
    }
}
