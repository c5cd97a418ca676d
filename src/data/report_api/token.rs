//! The token: cleaning what was pasted, the request headers, reading a JWT's claims, the role
//! check made before any request, and removing the token from any text. No signature is checked
//! here, and nothing here sends the token anywhere.

use super::claims::{read_object, Claim};
use crate::model::time::Millis;

/// The value of the `Prefer` header sent with every request.
pub const PREFER: &str = "include-unknown-enum-members";
/// The Graph permission the reports need.
pub const READING_PERMISSION: &str = "AuditLog.Read.All";
/// What replaces the token in a message.
pub const REDACTED: &str = "[token removed]";

/// A directory role that may read the authentication methods reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Role {
    pub name: &'static str,
    /// The role's template id, as it appears in a token's `wids` claim.
    pub template_id: &'static str,
}

/// The roles whose `wids` entry lets a token through the role check (template ids from
/// `domain.md`, taken from Entra's permissions reference).
pub const READING_ROLES: [Role; 5] = [
    Role {
        name: "Reports Reader",
        template_id: "4a5d8f65-41da-4de4-8968-e035b65339cf",
    },
    Role {
        name: "Security Reader",
        template_id: "5d6b6bb7-de71-4623-b4af-96380a352509",
    },
    Role {
        name: "Security Administrator",
        template_id: "194ae4cb-b126-40b2-bd5b-6091b380977d",
    },
    Role {
        name: "Global Reader",
        template_id: "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
    },
    Role {
        name: "Global Administrator",
        template_id: "62e90394-69f5-4237-9190-012177145e10",
    },
];

/// What every "lacks a role" message tells the user to get.
pub(super) const ROLE_ADVICE: &str = "one of the roles Reports Reader, Security Reader, Security \
    Administrator or Global Reader, with the permission AuditLog.Read.All";

/// The token as pasted, cleaned: surrounding and inner whitespace (wrapped lines) and a leading
/// `Bearer ` are removed. `None` when nothing is left: the requests then go without
/// `Authorization` (a backend that needs none, e.g. a caching proxy).
///
/// ```
/// use sspr_insights::data::report_api::normalise_token;
/// assert_eq!(normalise_token(" Bearer abc.\n def "), Some("abc.def".to_string()));
/// assert_eq!(normalise_token("   "), None);
/// ```
pub fn normalise_token(text: &str) -> Option<String> {
    let text = text.trim();
    let text = match text.get(..6) {
        Some(prefix)
            if prefix.eq_ignore_ascii_case("bearer")
                && text[6..].starts_with(char::is_whitespace) =>
        {
            &text[6..]
        }
        _ => text,
    };
    let token: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    (!token.is_empty() && !token.eq_ignore_ascii_case("bearer")).then_some(token)
}

/// The headers of every report request: `Authorization: Bearer …` only when there is a token,
/// and always `Prefer: include-unknown-enum-members`.
///
/// ```
/// use sspr_insights::data::report_api::request_headers;
/// assert_eq!(request_headers(None), vec![("Prefer", "include-unknown-enum-members".to_string())]);
/// assert_eq!(request_headers(Some("t"))[0], ("Authorization", "Bearer t".to_string()));
/// ```
pub fn request_headers(token: Option<&str>) -> Vec<(&'static str, String)> {
    let mut headers = Vec::with_capacity(2);
    if let Some(token) = token.filter(|t| !t.is_empty()) {
        headers.push(("Authorization", format!("Bearer {token}")));
    }
    headers.push(("Prefer", PREFER.to_string()));
    headers
}

/// Decodes base64url (RFC 4648 §5), with or without `=` padding; `+` and `/` are accepted too.
/// `None` for any other character or an impossible length.
///
/// ```
/// use sspr_insights::data::report_api::base64url_decode;
/// assert_eq!(base64url_decode("eyJhIjoxfQ").as_deref(), Some(&br#"{"a":1}"#[..]));
/// assert_eq!(base64url_decode("e$"), None);
/// ```
pub fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    if text.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for b in text.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// What the payload of a JWT says about reading the reports.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TokenClaims {
    /// Directory role template ids (`wids`).
    pub wids: Vec<String>,
    /// `exp`, in milliseconds.
    pub expires_at: Option<Millis>,
    /// An application (client credentials) token: `idtyp` is `app`, or it has `roles` and no
    /// `scp`.
    pub is_app: bool,
    /// Application permissions (`roles`).
    pub app_roles: Vec<String>,
}

/// Reads the payload of a JWT (JWS compact form: three base64url parts, the first a JSON header).
/// **The signature is not checked**: this only predicts what the backend will say, to give a
/// clear message before any request; the backend is the one that judges the token. `None` when
/// the token is not a readable JWT (opaque tokens exist, and so do encrypted ones).
pub fn read_jwt(token: &str) -> Option<TokenClaims> {
    let mut parts = token.split('.');
    let (header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    // Both must be JSON objects; of the payload only a few claims matter.
    read_object(&base64url_decode(header)?)?;
    let claims = Claims::of(read_object(&base64url_decode(payload)?)?);
    let expires_at = match claims.exp {
        Some(Claim::Number(seconds)) => Some((seconds * 1000.0) as Millis),
        _ => None,
    };
    let is_app = matches!(&claims.idtyp, Some(Claim::Text(t)) if t == "app")
        || (claims.roles.is_some() && claims.scp.is_none());
    Some(TokenClaims {
        wids: claims.wids.map(Claim::into_strings).unwrap_or_default(),
        expires_at,
        is_app,
        app_roles: claims.roles.map(Claim::into_strings).unwrap_or_default(),
    })
}

/// The claims of a JWT payload that the role check reads; present (even as `null`) or not. A
/// claim given twice counts with its last value, as in any JSON object reader.
#[derive(Default)]
struct Claims {
    wids: Option<Claim>,
    exp: Option<Claim>,
    idtyp: Option<Claim>,
    roles: Option<Claim>,
    scp: Option<Claim>,
}

impl Claims {
    fn of(members: Vec<(String, Claim)>) -> Claims {
        let mut claims = Claims::default();
        for (name, value) in members {
            let slot = match name.as_str() {
                "wids" => &mut claims.wids,
                "exp" => &mut claims.exp,
                "idtyp" => &mut claims.idtyp,
                "roles" => &mut claims.roles,
                "scp" => &mut claims.scp,
                _ => continue,
            };
            *slot = Some(value);
        }
        claims
    }
}

/// What the role check found in a token that may go ahead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenCheck {
    /// Not a readable JWT: let through, the backend judges it.
    Opaque,
    /// A user's token with this reading role (the first found, in [`READING_ROLES`] order).
    Role(&'static str),
    /// An application token with the permission `AuditLog.Read.All`.
    AppPermission,
}

/// Why the role check stops a token before any request (shown as [`ApiError::Token`]).
///
/// [`ApiError::Token`]: super::ApiError::Token
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenRefusal {
    /// The JWT's `exp` has passed.
    Expired { expired_at: Millis },
    /// A user's JWT without any reading role in `wids`.
    LacksRole,
    /// An application JWT without `AuditLog.Read.All`.
    AppLacksPermission,
}

/// The check made before any request (spec §6): an expired JWT, or one without a reading role in
/// `wids`, is stopped with a clear message instead of a wall of 401s / 403s. A token that is not a
/// JWT goes through. No signature is checked (see [`read_jwt`]).
///
/// ```
/// use sspr_insights::data::report_api::{check_token, TokenCheck};
/// assert_eq!(check_token("an-opaque-token", 0), Ok(TokenCheck::Opaque));
/// ```
pub fn check_token(token: &str, now: Millis) -> Result<TokenCheck, TokenRefusal> {
    let Some(claims) = read_jwt(token) else {
        return Ok(TokenCheck::Opaque);
    };
    if let Some(expired_at) = claims.expires_at.filter(|&exp| exp <= now) {
        return Err(TokenRefusal::Expired { expired_at });
    }
    if let Some(role) = READING_ROLES.iter().find(|role| {
        claims
            .wids
            .iter()
            .any(|id| id.eq_ignore_ascii_case(role.template_id))
    }) {
        return Ok(TokenCheck::Role(role.name));
    }
    if claims.is_app {
        return if claims
            .app_roles
            .iter()
            .any(|r| r.eq_ignore_ascii_case(READING_PERMISSION))
        {
            Ok(TokenCheck::AppPermission)
        } else {
            Err(TokenRefusal::AppLacksPermission)
        };
    }
    Err(TokenRefusal::LacksRole)
}

/// Removes the token from a message, whatever put it there: every occurrence of the whole token
/// and of each of its dot-separated parts of 16 characters or more (a JWT's payload or signature
/// alone is as secret). The result never contains the token: should a replacement still leave it
/// (a token that is part of the replacement text), the message is withheld instead.
///
/// ```
/// use sspr_insights::data::report_api::redact;
/// assert_eq!(redact("bad token abc123", Some("abc123")), "bad token [token removed]");
/// ```
pub fn redact(text: &str, token: Option<&str>) -> String {
    let Some(token) = token.map(str::trim).filter(|t| !t.is_empty()) else {
        return text.to_string();
    };
    let mut out = text.replace(token, REDACTED);
    for part in token.split('.').filter(|part| part.len() >= 16) {
        out = out.replace(part, REDACTED);
    }
    if out.contains(token) {
        out = "The message was withheld because it could contain the token.".to_string();
        if out.contains(token) {
            out.clear();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::report_api::testing::{b64, jwt, NOW};

    #[test]
    fn pasted_tokens_are_cleaned() {
        assert_eq!(normalise_token("bearer  xyz "), Some("xyz".to_string()));
        assert_eq!(normalise_token("BEARER\txyz"), Some("xyz".to_string()));
        assert_eq!(normalise_token("Bearerxyz"), Some("Bearerxyz".to_string()));
        assert_eq!(normalise_token("ab\r\ncd"), Some("abcd".to_string()));
        assert_eq!(normalise_token("Bearer "), None);
    }

    #[test]
    fn base64url_decodes_with_and_without_padding() {
        assert_eq!(base64url_decode("").unwrap(), b"");
        assert_eq!(base64url_decode("Zg").unwrap(), b"f");
        assert_eq!(base64url_decode("Zg==").unwrap(), b"f");
        assert_eq!(base64url_decode("Zm8").unwrap(), b"fo");
        assert_eq!(base64url_decode("Zm9v").unwrap(), b"foo");
        assert_eq!(base64url_decode("Zm9vYg").unwrap(), b"foob");
        assert_eq!(base64url_decode("-_-_").unwrap(), vec![0xfb, 0xff, 0xbf]);
        assert_eq!(base64url_decode("+/+/").unwrap(), vec![0xfb, 0xff, 0xbf]);
        assert_eq!(base64url_decode("Z"), None);
        assert_eq!(base64url_decode("Zm9v!"), None);
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(base64url_decode(&b64(&all)).unwrap(), all);
    }

    #[test]
    fn token_with_a_reading_role_passes() {
        for role in READING_ROLES {
            let token = jwt(&format!(
                r#"{{"aud":"https://graph.microsoft.com","scp":"AuditLog.Read.All","wids":["b79fbf4d-3ef9-4689-8143-76b194e85509","{}"]}}"#,
                role.template_id.to_uppercase()
            ));
            assert_eq!(check_token(&token, NOW), Ok(TokenCheck::Role(role.name)));
        }
    }

    #[test]
    fn token_that_is_not_a_jwt_goes_through() {
        for token in [
            "dev-token",
            "EwBwA8l6BAAU.opaque",
            "a.b.c",
            "x.eyJ3aWRzIjpbXX0.z", // payload readable but header is not JSON
            "e30.bm90IGpzb24.sig", // header {} but payload not JSON
            "a.b.c.d.e",           // an encrypted token (JWE)
        ] {
            assert_eq!(check_token(token, NOW), Ok(TokenCheck::Opaque), "{token}");
        }
    }

    #[test]
    fn application_tokens_need_the_permission() {
        let ok = jwt(r#"{"idtyp":"app","roles":["AuditLog.Read.All"]}"#);
        assert_eq!(check_token(&ok, NOW), Ok(TokenCheck::AppPermission));
        let lacking = jwt(r#"{"roles":["User.Read.All"]}"#);
        assert_eq!(
            check_token(&lacking, NOW),
            Err(TokenRefusal::AppLacksPermission)
        );
    }

    #[test]
    fn redaction_removes_the_token_and_its_long_parts() {
        let token = jwt(r#"{"wids":["4a5d8f65-41da-4de4-8968-e035b65339cf"],"name":"Adele"}"#);
        let (header, rest) = token.split_once('.').unwrap();
        let (payload, signature) = rest.split_once('.').unwrap();
        let text =
            format!("Bearer {token} / payload {payload} / signature {signature} / header {header}");
        let out = redact(&text, Some(&token));
        assert!(!out.contains(&token));
        assert!(!out.contains(payload));
        assert!(!out.contains(signature));
        assert!(out.starts_with("Bearer [token removed]"));
        assert_eq!(redact("nothing secret", Some(&token)), "nothing secret");
        assert_eq!(redact("no token given", None), "no token given");
        assert_eq!(redact("blank token", Some("  ")), "blank token");
    }

    #[test]
    fn redaction_never_leaves_the_token_even_when_it_is_in_the_marker() {
        for token in ["token", "e", "[", "removed]", "The message"] {
            let out = redact(&format!("a {token} b {token}{token}"), Some(token));
            assert!(!out.contains(token), "{token}: {out}");
        }
    }
}
