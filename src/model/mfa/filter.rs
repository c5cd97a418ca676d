//! The registration details list's MFA part (spec §2.3, §3.7): its columns and their sorts, its
//! filters (MFA registered, MFA capable, passwordless capable, system-preferred MFA, the default
//! MFA method, and "only SMS or voice", which an insight sets) and the default methods to offer.
//! A filter on a field never matches a user whose record does not carry it: `mfa=no` lists the
//! users known not to be capable, never the unknown ones. The URL form is in `model::query`.

use super::MfaFlag;
use crate::model::dataset::Dataset;
use crate::model::filters::method_ranks;
use crate::model::method::{Method, MethodCode, NO_METHOD};

/// The MFA columns of the registration details list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MfaColumn {
    Registered,
    Capable,
    Passwordless,
    DefaultMethod,
    SystemPreferred,
}

impl MfaColumn {
    pub const ALL: [MfaColumn; 5] = [
        MfaColumn::Registered,
        MfaColumn::Capable,
        MfaColumn::Passwordless,
        MfaColumn::DefaultMethod,
        MfaColumn::SystemPreferred,
    ];

    /// The column's sort id in the URL (the same word as its filter's key).
    pub fn id(self) -> &'static str {
        match self {
            MfaColumn::Registered => "mfaregistered",
            MfaColumn::Capable => "mfa",
            MfaColumn::Passwordless => "passwordless",
            MfaColumn::DefaultMethod => "defaultmethod",
            MfaColumn::SystemPreferred => "systempreferred",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            MfaColumn::Registered => "MFA registered",
            MfaColumn::Capable => "MFA capable",
            MfaColumn::Passwordless => "Passwordless capable",
            MfaColumn::DefaultMethod => "Default MFA method",
            MfaColumn::SystemPreferred => "System-preferred MFA",
        }
    }
}

/// What the MFA filters of the registration details let through (no filter by default).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MfaFilter {
    /// `isMfaRegistered` (`mfaregistered`).
    pub registered: Option<bool>,
    /// `isMfaCapable` (`mfa`).
    pub capable: Option<bool>,
    /// `isPasswordlessCapable` (`passwordless`).
    pub passwordless: Option<bool>,
    /// `isSystemPreferredAuthenticationMethodEnabled` (`systempreferred`).
    pub system_preferred: Option<bool>,
    /// The default MFA method the list shows (`defaultmethod`): `Some(None)` for users whose
    /// default is no method.
    pub default_method: Option<Option<Method>>,
    /// Only users whose MFA methods are all SMS or voice calls (`phoneonly`, set by an insight).
    pub phone_only: bool,
}

impl MfaFilter {
    /// Whether any MFA filter is in force.
    pub fn is_set(&self) -> bool {
        *self != MfaFilter::default()
    }

    /// The yes/no filters with their fields.
    pub(crate) fn flags(&self) -> [(MfaFlag, Option<bool>); 4] {
        [
            (MfaFlag::Registered, self.registered),
            (MfaFlag::Capable, self.capable),
            (MfaFlag::Passwordless, self.passwordless),
            (MfaFlag::SystemPreferred, self.system_preferred),
        ]
    }
}

/// An [`MfaFilter`] made ready for one dataset: the bits to test, the method code to compare.
pub(crate) struct MfaMatch {
    mask: u16,
    want: u16,
    default_code: Option<MethodCode>,
    phone_only: bool,
}

impl MfaMatch {
    /// `None` when no user can match (the default method asked for is not in the data).
    pub(crate) fn new(ds: &Dataset, filter: &MfaFilter) -> Option<MfaMatch> {
        let (mut mask, mut want) = (0u16, 0u16);
        for (flag, value) in filter.flags() {
            if let Some(value) = value {
                mask |= flag.known_bit() | flag.value_bit();
                want |= flag.known_bit();
                if value {
                    want |= flag.value_bit();
                }
            }
        }
        let default_code = match &filter.default_method {
            None => None,
            Some(None) => Some(NO_METHOD),
            Some(Some(method)) => Some(ds.methods.find(method)?),
        };
        Some(MfaMatch {
            mask,
            want,
            default_code,
            phone_only: filter.phone_only,
        })
    }

    /// Whether user `u` passes.
    pub(crate) fn admits(&self, ds: &Dataset, u: u32) -> bool {
        let cols = &ds.users.mfa;
        if cols.bits[u as usize] & self.mask != self.want {
            return false;
        }
        let user = ds.user(u);
        if let Some(code) = self.default_code {
            if user.mfa_default_code() != Some(code) {
                return false;
            }
        }
        !self.phone_only || user.only_sms_or_voice()
    }
}

/// A sort key per user for an MFA column, ascending: no before yes, then the users whose record
/// does not say (unknown last, whatever the column); methods by label, then none, then unknown.
pub(crate) fn sort_keys(ds: &Dataset, column: MfaColumn) -> Vec<u32> {
    let cols = &ds.users.mfa;
    let users = 0..ds.user_count() as u32;
    let flag_key = |flag: MfaFlag, bits: u16| match bits & flag.known_bit() != 0 {
        true => u32::from(bits & flag.value_bit() != 0),
        false => 2,
    };
    let method_key = |rank: &[u32], code: Option<MethodCode>| match code {
        Some(NO_METHOD) => rank[rank.len() - 1],
        Some(code) => rank.get(code as usize).copied().unwrap_or(u32::MAX - 1),
        None => u32::MAX,
    };
    match column {
        MfaColumn::Registered => users
            .map(|u| flag_key(MfaFlag::Registered, cols.bits[u as usize]))
            .collect(),
        MfaColumn::Capable => users
            .map(|u| flag_key(MfaFlag::Capable, cols.bits[u as usize]))
            .collect(),
        MfaColumn::Passwordless => users
            .map(|u| flag_key(MfaFlag::Passwordless, cols.bits[u as usize]))
            .collect(),
        MfaColumn::DefaultMethod => {
            let rank = method_ranks(ds);
            users
                .map(|u| method_key(&rank, ds.user(u).mfa_default_code()))
                .collect()
        }
        MfaColumn::SystemPreferred => {
            // Off, then on, then unknown; within each, by the first system-preferred method.
            let rank = method_ranks(ds);
            let per_state = rank.len() as u32 + 1;
            users
                .map(|u| {
                    let user = ds.user(u);
                    let state = flag_key(MfaFlag::SystemPreferred, cols.bits[u as usize]);
                    let first = user
                        .system_preferred_codes()
                        .map(|codes| codes.first().copied().unwrap_or(NO_METHOD));
                    let method = match first {
                        Some(code) => method_key(&rank, Some(code)),
                        None => per_state - 1,
                    };
                    state * per_state + method.min(per_state - 1)
                })
                .collect()
        }
    }
}

/// The default MFA methods the list's filter offers: those some user's default is, in table
/// order, after "no method" when some user has none.
///
/// ```
/// use sspr_insights::model::{mfa::filter::default_methods, Dataset};
/// assert!(default_methods(&Dataset::default()).is_empty());
/// ```
pub fn default_methods(ds: &Dataset) -> Vec<Option<Method>> {
    let mut seen = vec![false; ds.methods.len()];
    let mut none = false;
    for u in 0..ds.user_count() as u32 {
        match ds.user(u).mfa_default_code() {
            Some(NO_METHOD) => none = true,
            Some(code) => {
                if let Some(s) = seen.get_mut(code as usize) {
                    *s = true;
                }
            }
            None => {}
        }
    }
    let methods = seen
        .iter()
        .enumerate()
        .filter(|(_, &s)| s)
        .filter_map(|(code, _)| ds.methods.method(code as MethodCode).map(Some));
    none.then_some(None).into_iter().chain(methods).collect()
}
