//! What-if policy (spec §3.3): the tiles under a hypothetical SSPR policy beside the actual ones,
//! and who would gain or lose capability. Pure; the policy screen only renders this.

use rustc_hash::FxHashSet;

use super::dataset::Dataset;
use super::method::{Method, MethodCode};
use super::population::Population;

/// The method groups an SSPR policy can allow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PolicyMethod {
    MobileAppNotification,
    MobileAppCode,
    Email,
    MobilePhone,
    OfficePhone,
    SecurityQuestions,
}

impl PolicyMethod {
    pub const ALL: [PolicyMethod; 6] = [
        PolicyMethod::MobileAppNotification,
        PolicyMethod::MobileAppCode,
        PolicyMethod::Email,
        PolicyMethod::MobilePhone,
        PolicyMethod::OfficePhone,
        PolicyMethod::SecurityQuestions,
    ];

    pub fn label(self) -> &'static str {
        match self {
            PolicyMethod::MobileAppNotification => "Mobile app notification",
            PolicyMethod::MobileAppCode => "Mobile app code",
            PolicyMethod::Email => "Email",
            PolicyMethod::MobilePhone => "Mobile phone",
            PolicyMethod::OfficePhone => "Office phone",
            PolicyMethod::SecurityQuestions => "Security questions",
        }
    }

    fn bit(self) -> u8 {
        1 << self as u8
    }

    /// The group a registered method counts for, if any.
    pub fn of(method: &Method) -> Option<PolicyMethod> {
        Some(match method {
            Method::AppNotification => PolicyMethod::MobileAppNotification,
            Method::AppCode => PolicyMethod::MobileAppCode,
            Method::MobilePhone
            | Method::Sms
            | Method::PhoneCall
            | Method::AlternateMobilePhone => PolicyMethod::MobilePhone,
            Method::OfficePhone => PolicyMethod::OfficePhone,
            Method::Email => PolicyMethod::Email,
            Method::SecurityQuestions => PolicyMethod::SecurityQuestions,
            _ => return None,
        })
    }
}

/// Who the policy enables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PolicyScope {
    /// Each user's exported enabled flag.
    AsExported,
    /// Every member; guests excluded.
    AllMembers,
    /// Nobody (administrators still follow their own rule when it is on).
    None,
    /// The users in an uploaded list of user names (compared case-insensitively).
    Listed(FxHashSet<String>),
}

/// A hypothetical SSPR policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    pub scope: PolicyScope,
    /// 1 or 2.
    pub methods_required: u8,
    pub allowed: Vec<PolicyMethod>,
    /// Administrators are always enabled and need two groups other than security questions.
    pub admin_rule: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            scope: PolicyScope::AsExported,
            methods_required: 1,
            allowed: PolicyMethod::ALL.to_vec(),
            admin_rule: true,
        }
    }
}

/// Tile counts under a policy.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PolicyTiles {
    pub population: usize,
    pub registered: usize,
    pub enabled: usize,
    pub capable: usize,
}

/// The outcome of a what-if.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WhatIf {
    pub actual: PolicyTiles,
    pub simulated: PolicyTiles,
    /// Users (indexes) capable under the policy but not now.
    pub gain: Vec<u32>,
    /// Users capable now but not under the policy.
    pub lose: Vec<u32>,
}

fn groups(ds: &Dataset, codes: &[MethodCode]) -> u8 {
    codes
        .iter()
        .filter_map(|&c| ds.methods.method(c))
        .filter_map(|m| PolicyMethod::of(&m))
        .fold(0, |acc, g| acc | g.bit())
}

/// Whether an administrator's methods satisfy the administrator rule: two distinct groups,
/// security questions not counting.
pub fn satisfies_admin_rule(ds: &Dataset, codes: &[MethodCode]) -> bool {
    let g = groups(ds, codes) & !PolicyMethod::SecurityQuestions.bit();
    g.count_ones() >= 2
}

/// Simulates `policy` for the users of `population`.
pub fn what_if(ds: &Dataset, policy: &Policy, population: Population) -> WhatIf {
    let allowed = policy.allowed.iter().fold(0u8, |acc, g| acc | g.bit());
    let required = policy.methods_required.clamp(1, 2) as u32;
    let mut out = WhatIf::default();
    for u in 0..ds.user_count() as u32 {
        if !population.has_user(ds, u) {
            continue;
        }
        let user = ds.user(u);
        out.actual.population += 1;
        out.actual.registered += usize::from(user.registered());
        out.actual.enabled += usize::from(user.enabled());
        out.actual.capable += usize::from(user.capable());

        let g = groups(ds, user.method_codes());
        let (registered, enabled) = if policy.admin_rule && user.is_admin() {
            (
                (g & !PolicyMethod::SecurityQuestions.bit()).count_ones() >= 2,
                true,
            )
        } else {
            let enabled = match &policy.scope {
                PolicyScope::AsExported => user.enabled(),
                PolicyScope::AllMembers => user.user_type() == super::batch::UserType::Member,
                PolicyScope::None => false,
                PolicyScope::Listed(names) => names.contains(&user.user_name().to_lowercase()),
            };
            ((g & allowed).count_ones() >= required, enabled)
        };
        let capable = registered && enabled;
        out.simulated.population += 1;
        out.simulated.registered += usize::from(registered);
        out.simulated.enabled += usize::from(enabled);
        out.simulated.capable += usize::from(capable);
        match (user.capable(), capable) {
            (false, true) => out.gain.push(u),
            (true, false) => out.lose.push(u),
            _ => {}
        }
    }
    out
}

/// Reads an uploaded list of user names: one per line (or comma/semicolon separated); a header
/// line without `@` is skipped.
pub fn parse_user_list(text: &str) -> FxHashSet<String> {
    text.lines()
        .flat_map(|line| line.split([',', ';', '\t']))
        .map(|cell| cell.trim().trim_matches('"').trim().to_lowercase())
        .filter(|cell| cell.contains('@'))
        .collect()
}
