//! MFA and passwordless beside SSPR (spec §3.7): what `userRegistrationDetails` says about each
//! user's MFA (`isMfaRegistered`, `isMfaCapable`, `isPasswordlessCapable`,
//! `isSystemPreferredAuthenticationMethodEnabled`, `systemPreferredAuthenticationMethods`,
//! `defaultMfaMethod`, `userPreferredMethodForSecondaryAuthentication`), as a record gives it
//! ([`MfaInput`]), as a batch and the dataset hold it, and read back through [`UserRef`].
//!
//! Every field may be missing from a source (the legacy shapes carry `isMfaRegistered` only, the
//! v1.0 shape has no `defaultMfaMethod`, a portal CSV has some columns): a missing field is
//! **unknown** for that user, never false, and stays distinct from false everywhere (a known bit
//! beside each value). The fields are taken as exported, never recomputed. Method names go
//! through the one method table (`model::method`). Tiles, the by-method chart, filters and
//! insights over these fields live in the submodules; nothing here touches the DOM.

pub mod filter;
pub mod insights;
pub mod tiles;

use super::batch::Batch;
use super::dataset::UserRef;
use super::method::{Method, MethodCode, CANONICAL_COUNT, NO_METHOD};

/// The yes/no fields of the MFA details.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MfaFlag {
    /// `isMfaRegistered`: registered a method for MFA (the policy may not allow it).
    Registered,
    /// `isMfaCapable`: registered a method for MFA that the policy allows.
    Capable,
    /// `isPasswordlessCapable`: registered a passwordless method the policy allows.
    Passwordless,
    /// `isSystemPreferredAuthenticationMethodEnabled`: system-preferred MFA is on for the user.
    SystemPreferred,
}

impl MfaFlag {
    pub const ALL: [MfaFlag; 4] = [
        MfaFlag::Registered,
        MfaFlag::Capable,
        MfaFlag::Passwordless,
        MfaFlag::SystemPreferred,
    ];

    /// Set when the record carries the field.
    pub(crate) fn known_bit(self) -> u16 {
        1 << (2 * self as u16)
    }

    /// Set when the field is true (only meaningful with the known bit).
    pub(crate) fn value_bit(self) -> u16 {
        2 << (2 * self as u16)
    }
}

/// The record carries `defaultMfaMethod`.
pub(crate) const DEFAULT_KNOWN: u16 = 1 << 8;
/// The record carries `userPreferredMethodForSecondaryAuthentication`.
pub(crate) const PREFERRED_KNOWN: u16 = 1 << 9;
/// The record carries `systemPreferredAuthenticationMethods`.
pub(crate) const SYSTEM_METHODS_KNOWN: u16 = 1 << 10;
/// Every bit in use.
const ALL_BITS: u16 = (1 << 11) - 1;

/// What one record says about a user's MFA; `None` wherever the record does not carry the field.
///
/// ```
/// use sspr_insights::model::mfa::{MfaFlag, MfaInput};
/// use sspr_insights::model::{AsOf, Batch, Dataset, Method, SourceKind, UserInput};
/// let mut batch = Batch::new("u.json");
/// batch.push_user(&UserInput { user_name: "a@x", ..UserInput::default() }, ["mobilePhone"]);
/// let mfa = MfaInput { mfa_capable: Some(true), preferred_method: Some("voiceMobile"), ..MfaInput::default() };
/// batch.push_user_mfa(&mfa, Some(&["sms"]));
/// let ds = Dataset::build(vec![batch], AsOf::Newest, SourceKind::Uploaded);
/// let user = ds.user(0);
/// assert_eq!(user.mfa(MfaFlag::Capable), Some(true));
/// assert_eq!(user.mfa(MfaFlag::Passwordless), None); // not in the record: unknown, not false
/// assert_eq!(user.mfa_default(), Some(Some(Method::PhoneCall)));
/// assert_eq!(user.system_preferred_methods(), Some(vec![Method::Sms]));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MfaInput<'a> {
    pub mfa_registered: Option<bool>,
    pub mfa_capable: Option<bool>,
    pub passwordless_capable: Option<bool>,
    pub system_preferred_enabled: Option<bool>,
    /// `defaultMfaMethod` (beta) as written; `""` and `none` mean no default method.
    pub default_method: Option<&'a str>,
    /// `userPreferredMethodForSecondaryAuthentication` as written; `none` means none.
    pub preferred_method: Option<&'a str>,
}

impl MfaInput<'_> {
    fn flag(&self, flag: MfaFlag) -> Option<bool> {
        match flag {
            MfaFlag::Registered => self.mfa_registered,
            MfaFlag::Capable => self.mfa_capable,
            MfaFlag::Passwordless => self.passwordless_capable,
            MfaFlag::SystemPreferred => self.system_preferred_enabled,
        }
    }
}

/// One user's MFA details as a batch or the dataset holds them (method codes of its table).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct MfaUser {
    /// Known and value bits ([`MfaFlag`], [`DEFAULT_KNOWN`], …).
    pub bits: u16,
    /// `NO_METHOD` for none (or unknown: see the known bits).
    pub default_method: MethodCode,
    pub preferred_method: MethodCode,
    /// The system-preferred methods: a run of the holder's pool.
    pub system: (u32, u32),
}

/// A user of whom nothing about MFA is known.
pub(crate) const UNKNOWN: MfaUser = MfaUser {
    bits: 0,
    default_method: NO_METHOD,
    preferred_method: NO_METHOD,
    system: (0, 0),
};

impl Batch {
    /// Adds the MFA details of the user pushed last (`push_user`); `system_preferred` is
    /// `systemPreferredAuthenticationMethods` when the record carries it. A user whose record
    /// has none of these fields needs no call: everything stays unknown.
    pub fn push_user_mfa<S: AsRef<str>>(
        &mut self,
        mfa: &MfaInput<'_>,
        system_preferred: Option<&[S]>,
    ) {
        let Some(user) = self.users.len().checked_sub(1) else {
            return;
        };
        let mut bits = 0;
        for flag in MfaFlag::ALL {
            if let Some(value) = mfa.flag(flag) {
                bits |= flag.known_bit();
                if value {
                    bits |= flag.value_bit();
                }
            }
        }
        let mut code = |raw: Option<&str>, known: u16| match raw {
            Some(raw) => {
                bits |= known;
                self.methods.code(raw)
            }
            None => NO_METHOD,
        };
        let default_method = code(mfa.default_method, DEFAULT_KNOWN);
        let preferred_method = code(mfa.preferred_method, PREFERRED_KNOWN);
        let start = self.mfa_methods.len();
        if let Some(names) = system_preferred {
            bits |= SYSTEM_METHODS_KNOWN;
            for raw in names {
                let code = self.methods.code(raw.as_ref());
                if code != NO_METHOD && !self.mfa_methods[start..].contains(&code) {
                    self.mfa_methods.push(code);
                }
            }
        }
        let details = MfaUser {
            bits,
            default_method,
            preferred_method,
            system: (start as u32, self.mfa_methods.len() as u32),
        };
        if self.user_mfa.len() <= user {
            self.user_mfa.resize(user + 1, UNKNOWN);
        }
        self.user_mfa[user] = details;
    }

    /// The MFA details of user `user` of this batch (unknown when it has none).
    pub(crate) fn user_mfa_of(&self, user: usize) -> MfaUser {
        self.user_mfa.get(user).copied().unwrap_or(UNKNOWN)
    }

    /// The system-preferred methods of one user's details (batch-local codes).
    pub(crate) fn mfa_system_codes(&self, details: &MfaUser) -> &[MethodCode] {
        self.mfa_methods
            .get(details.system.0 as usize..details.system.1 as usize)
            .unwrap_or(&[])
    }

    /// Appends the MFA details of `next`'s users, which `append` has just appended after this
    /// batch's first `users_before` users, their codes taken through `map`.
    pub(crate) fn append_mfa(
        &mut self,
        users_before: usize,
        next: &Batch,
        map: &dyn Fn(MethodCode) -> MethodCode,
    ) {
        if next.user_mfa.is_empty() {
            return;
        }
        self.user_mfa.resize(users_before, UNKNOWN);
        for details in &next.user_mfa {
            let start = self.mfa_methods.len() as u32;
            self.mfa_methods
                .extend(next.mfa_system_codes(details).iter().map(|&c| map(c)));
            self.user_mfa.push(MfaUser {
                default_method: map(details.default_method),
                preferred_method: map(details.preferred_method),
                system: (start, self.mfa_methods.len() as u32),
                ..*details
            });
        }
    }
}

/// The MFA details of every user, column-wise (dataset codes).
#[derive(Clone, Debug)]
pub(crate) struct MfaColumns {
    pub bits: Vec<u16>,
    pub default_method: Vec<MethodCode>,
    pub preferred_method: Vec<MethodCode>,
    /// The system-preferred methods of user `u` are
    /// `system_methods[system_start[u]..system_start[u + 1]]`.
    pub system_start: Vec<u32>,
    pub system_methods: Vec<MethodCode>,
}

impl Default for MfaColumns {
    fn default() -> Self {
        MfaColumns::with_capacity(0)
    }
}

impl MfaColumns {
    pub(crate) fn with_capacity(n: usize) -> Self {
        let mut system_start = Vec::with_capacity(n + 1);
        system_start.push(0);
        MfaColumns {
            bits: Vec::with_capacity(n),
            default_method: Vec::with_capacity(n),
            preferred_method: Vec::with_capacity(n),
            system_start,
            system_methods: Vec::new(),
        }
    }

    /// Adds the next user's details; `system` are their system-preferred methods, every code
    /// taken through `map` (the batch's codes to the dataset's).
    pub(crate) fn push(
        &mut self,
        details: MfaUser,
        system: &[MethodCode],
        map: impl Fn(MethodCode) -> MethodCode,
    ) {
        self.bits.push(details.bits);
        self.default_method.push(map(details.default_method));
        self.preferred_method.push(map(details.preferred_method));
        self.system_methods.extend(system.iter().map(|&c| map(c)));
        self.system_start.push(self.system_methods.len() as u32);
    }

    /// User `u`'s details (codes of the dataset; the run is into `system_methods`).
    pub(crate) fn get(&self, u: usize) -> MfaUser {
        MfaUser {
            bits: self.bits[u],
            default_method: self.default_method[u],
            preferred_method: self.preferred_method[u],
            system: (self.system_start[u], self.system_start[u + 1]),
        }
    }

    /// Whether the columns describe `users` users and every code passes `code_ok` (a message
    /// from a worker is checked before anything indexes with it).
    pub(crate) fn agrees(&self, users: usize, code_ok: &dyn Fn(MethodCode) -> bool) -> bool {
        self.bits.len() == users
            && self.bits.iter().all(|&b| b & !ALL_BITS == 0)
            && self.default_method.len() == users
            && self.preferred_method.len() == users
            && self.default_method.iter().all(|&c| code_ok(c))
            && self.preferred_method.iter().all(|&c| code_ok(c))
            && self.system_start.len() == users + 1
            && self.system_start.first() == Some(&0)
            && self.system_start.windows(2).all(|w| w[0] <= w[1])
            && self.system_start.last().map(|&x| x as usize) == Some(self.system_methods.len())
            && self.system_methods.iter().all(|&c| code_ok(c))
    }

    pub(crate) fn shrink_to_fit(&mut self) {
        self.system_methods.shrink_to_fit();
    }

    /// Bytes held on the heap (for the memory benchmark).
    pub(crate) fn heap_bytes(&self) -> usize {
        self.bits.capacity() * 2
            + self.default_method.capacity() * 2
            + self.preferred_method.capacity() * 2
            + self.system_start.capacity() * 4
            + self.system_methods.capacity() * 2
    }
}

/// The methods that count for "only SMS or voice": the phone methods (see
/// [`Method::is_sms_or_voice`]), as canonical-code bits.
fn sms_or_voice_mask() -> u16 {
    canonical_mask(Method::is_sms_or_voice)
}

/// Registered methods that are no MFA method at all (Email and security questions serve SSPR
/// only; a Temporary Access Pass is a bootstrap): they neither make nor spoil "only SMS or voice".
fn not_mfa_mask() -> u16 {
    canonical_mask(|m| {
        matches!(
            m,
            Method::Email | Method::SecurityQuestions | Method::TemporaryAccessPass
        )
    })
}

fn canonical_mask(test: impl Fn(&Method) -> bool) -> u16 {
    Method::CANONICAL
        .iter()
        .enumerate()
        .filter(|(_, m)| test(m))
        .fold(0, |mask, (code, _)| mask | 1 << code)
}

/// Whether registered methods (dataset codes, with their canonical bits `mask`) leave SMS or a
/// voice call as the only ways to do MFA: at least one of them, and no other MFA method (an
/// unknown method counts as another MFA method, so that a user is never called phishable on a
/// guess).
pub(crate) fn only_sms_or_voice(mask: u16, codes: &[MethodCode]) -> bool {
    let phone = sms_or_voice_mask();
    mask & phone != 0
        && mask & !(phone | not_mfa_mask()) == 0
        && codes.iter().all(|&c| (c as usize) < CANONICAL_COUNT)
}

impl<'a> UserRef<'a> {
    fn mfa_details(&self) -> MfaUser {
        self.dataset().users.mfa.get(self.index() as usize)
    }

    /// A yes/no MFA field: `None` when the user's record did not carry it.
    pub fn mfa(&self, flag: MfaFlag) -> Option<bool> {
        let bits = self.mfa_details().bits;
        (bits & flag.known_bit() != 0).then_some(bits & flag.value_bit() != 0)
    }

    fn method_field(&self, known: u16, code: MethodCode) -> Option<Option<Method>> {
        (self.mfa_details().bits & known != 0).then(|| self.dataset().methods.method(code))
    }

    /// `defaultMfaMethod` (beta): `None` when the record did not carry it, `Some(None)` when it
    /// names no method.
    pub fn default_mfa_method(&self) -> Option<Option<Method>> {
        let d = self.mfa_details();
        self.method_field(DEFAULT_KNOWN, d.default_method)
    }

    /// `userPreferredMethodForSecondaryAuthentication`, read like [`UserRef::default_mfa_method`].
    pub fn preferred_mfa_method(&self) -> Option<Option<Method>> {
        let d = self.mfa_details();
        self.method_field(PREFERRED_KNOWN, d.preferred_method)
    }

    /// The code of the default MFA method the list shows: `defaultMfaMethod` when the record
    /// carries it, else `userPreferredMethodForSecondaryAuthentication` (the two name the same
    /// setting, in beta's and v1.0's words); `None` when neither is there, `NO_METHOD` for none.
    pub fn mfa_default_code(&self) -> Option<MethodCode> {
        let d = self.mfa_details();
        if d.bits & DEFAULT_KNOWN != 0 {
            Some(d.default_method)
        } else if d.bits & PREFERRED_KNOWN != 0 {
            Some(d.preferred_method)
        } else {
            None
        }
    }

    /// The default MFA method the list shows (see [`UserRef::mfa_default_code`]).
    pub fn mfa_default(&self) -> Option<Option<Method>> {
        self.mfa_default_code()
            .map(|code| self.dataset().methods.method(code))
    }

    /// The system-preferred methods (dataset codes), `None` when the record did not carry them.
    pub fn system_preferred_codes(&self) -> Option<&'a [MethodCode]> {
        let d = self.mfa_details();
        let cols = &self.dataset().users.mfa;
        (d.bits & SYSTEM_METHODS_KNOWN != 0)
            .then(|| &cols.system_methods[d.system.0 as usize..d.system.1 as usize])
    }

    /// `systemPreferredAuthenticationMethods`, `None` when the record did not carry it.
    pub fn system_preferred_methods(&self) -> Option<Vec<Method>> {
        let methods = &self.dataset().methods;
        self.system_preferred_codes()
            .map(|codes| codes.iter().filter_map(|&c| methods.method(c)).collect())
    }

    /// Whether SMS or a voice call are the only MFA methods this user registered (the
    /// `phoneonly` filter and its insight).
    pub fn only_sms_or_voice(&self) -> bool {
        let mask = self.dataset().users.method_mask[self.index() as usize];
        only_sms_or_voice(mask, self.method_codes())
    }

    /// The system-preferred MFA as the list shows it: "On · App notification", "Off", "On";
    /// `None` when the record carries neither the switch nor the methods.
    pub fn system_preferred_summary(&self) -> Option<String> {
        let state = self
            .mfa(MfaFlag::SystemPreferred)
            .map(|on| if on { "On" } else { "Off" });
        let methods = self.system_preferred_methods().map(|methods| {
            methods
                .iter()
                .map(Method::label)
                .collect::<Vec<_>>()
                .join(", ")
        });
        match (state, methods) {
            (None, None) => None,
            (Some(state), None) => Some(state.to_string()),
            (Some(state), Some(m)) if m.is_empty() => Some(state.to_string()),
            (None, Some(m)) if m.is_empty() => Some("No method".to_string()),
            (None, Some(m)) => Some(m),
            (Some(state), Some(m)) => Some(format!("{state} · {m}")),
        }
    }
}
