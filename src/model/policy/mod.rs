//! What-if policy (spec §3.3): the tiles under a hypothetical SSPR policy beside the actual ones,
//! who would gain or lose the ability to reset, and which method groups capable users depend on.
//! Pure; the `/policy` screen and the lists it links to only render this.
//!
//! The scenario as the URL holds it is [`Scenario`] (`scenario.rs`); the files it may use beside
//! the registration details (a group member list, the authentication methods policy) are
//! [`PolicyInputs`] (`inputs.rs`). A scenario and the inputs make a [`Policy`], which
//! [`what_if`] simulates user by user.
//!
//! ```
//! use sspr_insights::model::policy::{what_if, Policy, PolicyMethod};
//! use sspr_insights::model::{import_file, AsOf, Dataset, Population, SourceKind};
//! let page = br#"{"value":[{"id":"1","userPrincipalName":"a@x","isSsprRegistered":true,
//!   "isSsprEnabled":true,"isSsprCapable":true,"methodsRegistered":["email"]}]}"#;
//! let ds = Dataset::build(vec![import_file("u.json", page).batch], AsOf::Newest, SourceKind::Uploaded);
//! let two = Policy { methods_required: 2, ..Policy::default() };
//! let result = what_if(&ds, &two, Population::ALL);
//! assert_eq!((result.actual.capable, result.simulated.capable), (1, 0));
//! assert_eq!(result.lose, vec![0]);
//! // Under one method required, that user depends on email alone.
//! let one = what_if(&ds, &Policy::default(), Population::ALL);
//! assert_eq!(one.dependents[2], (PolicyMethod::Email, 1));
//! ```

mod inputs;
mod scenario;

pub use inputs::{
    GroupMatch, MemberKind, MemberList, MemberRow, MethodConfiguration, MethodsPolicy,
    PolicyInputs, SsprMethodState,
};
pub use scenario::{Scenario, ScopeChoice, WhatIfFilter, WhatIfSide};

use super::batch::UserType;
use super::dataset::Dataset;
use super::method::{Method, MethodCode, CANONICAL_COUNT};
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

    /// The group's id in URL queries (`allow=`, `without=`); [`PolicyMethod::parse`] reads it.
    pub fn id(self) -> &'static str {
        match self {
            PolicyMethod::MobileAppNotification => "notification",
            PolicyMethod::MobileAppCode => "code",
            PolicyMethod::Email => "email",
            PolicyMethod::MobilePhone => "phone",
            PolicyMethod::OfficePhone => "office",
            PolicyMethod::SecurityQuestions => "questions",
        }
    }

    /// The group with URL id `id` (any case).
    ///
    /// ```
    /// use sspr_insights::model::PolicyMethod;
    /// assert_eq!(PolicyMethod::parse("Questions"), Some(PolicyMethod::SecurityQuestions));
    /// assert_eq!(PolicyMethod::parse("fido"), None);
    /// ```
    pub fn parse(id: &str) -> Option<PolicyMethod> {
        let id = id.trim();
        PolicyMethod::ALL
            .into_iter()
            .find(|g| g.id().eq_ignore_ascii_case(id))
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
    /// The users of an uploaded group member list: one flag per dataset user (see
    /// [`MemberList::resolve`]); a user beyond its end is not in the group.
    Group(Vec<bool>),
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
    /// Registered methods that do not count for their group (the authentication methods policy
    /// disables them, see [`MethodsPolicy::not_counted`]). The administrator rule ignores it.
    pub not_counted: Vec<Method>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            scope: PolicyScope::AsExported,
            methods_required: 1,
            allowed: PolicyMethod::ALL.to_vec(),
            admin_rule: true,
            not_counted: Vec::new(),
        }
    }
}

impl Policy {
    /// The same policy with `group` disallowed too.
    pub fn without(&self, group: PolicyMethod) -> Policy {
        Policy {
            allowed: self
                .allowed
                .iter()
                .copied()
                .filter(|&g| g != group)
                .collect(),
            ..self.clone()
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
    /// Per allowed group, in [`PolicyMethod::ALL`]'s order: how many users capable under the
    /// policy would not be if that group alone were disallowed too.
    pub dependents: Vec<(PolicyMethod, usize)>,
}

/// The group bit of each canonical method code (0 for methods that count for no group).
fn group_table(not_counted: &[Method]) -> [u8; CANONICAL_COUNT] {
    let mut table = [0u8; CANONICAL_COUNT];
    for (slot, method) in table.iter_mut().zip(Method::CANONICAL.iter()) {
        if !not_counted.contains(method) {
            *slot = PolicyMethod::of(method).map_or(0, PolicyMethod::bit);
        }
    }
    table
}

/// The groups of a user's registered canonical methods (`mask`: bit `c` for method code `c`).
fn groups_of_mask(table: &[u8; CANONICAL_COUNT], mut mask: u16) -> u8 {
    let mut groups = 0;
    while mask != 0 {
        let code = mask.trailing_zeros() as usize;
        groups |= table.get(code).copied().unwrap_or(0);
        mask &= mask - 1;
    }
    groups
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

/// One user under a policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Judged {
    registered: bool,
    enabled: bool,
    /// The allowed groups that count for the user; 0 when the administrator rule decides (it
    /// does not depend on the allowed groups).
    counted: u8,
}

impl Judged {
    fn capable(self) -> bool {
        self.registered && self.enabled
    }
}

/// Judges users under one policy; the method tables are worked out once.
struct Judge<'a> {
    ds: &'a Dataset,
    policy: &'a Policy,
    /// Group bits for the policy's groups (methods the policy does not count left out).
    counted: [u8; CANONICAL_COUNT],
    /// Group bits for the administrator rule (every method counts).
    every: [u8; CANONICAL_COUNT],
    allowed: u8,
    required: u32,
}

impl<'a> Judge<'a> {
    fn new(ds: &'a Dataset, policy: &'a Policy) -> Judge<'a> {
        Judge {
            ds,
            policy,
            counted: group_table(&policy.not_counted),
            every: group_table(&[]),
            allowed: policy.allowed.iter().fold(0u8, |acc, g| acc | g.bit()),
            required: policy.methods_required.clamp(1, 2) as u32,
        }
    }

    fn user(&self, u: u32) -> Judged {
        let user = self.ds.user(u);
        let mask = self.ds.users.method_mask[u as usize];
        if self.policy.admin_rule && user.is_admin() {
            let g = groups_of_mask(&self.every, mask) & !PolicyMethod::SecurityQuestions.bit();
            return Judged {
                registered: g.count_ones() >= 2,
                enabled: true,
                counted: 0,
            };
        }
        let enabled = match &self.policy.scope {
            PolicyScope::AsExported => user.enabled(),
            PolicyScope::AllMembers => user.user_type() == UserType::Member,
            PolicyScope::None => false,
            PolicyScope::Group(members) => members.get(u as usize).copied().unwrap_or(false),
        };
        let counted = groups_of_mask(&self.counted, mask) & self.allowed;
        Judged {
            registered: counted.count_ones() >= self.required,
            enabled,
            counted,
        }
    }

    /// The groups a capable user depends on: each would, disallowed alone, leave too few.
    fn depends_on(&self, judged: Judged) -> u8 {
        if judged.capable() && judged.counted.count_ones() == self.required {
            judged.counted
        } else {
            0
        }
    }
}

/// Simulates `policy` for the users of `population`.
pub fn what_if(ds: &Dataset, policy: &Policy, population: Population) -> WhatIf {
    let judge = Judge::new(ds, policy);
    let mut dependents = [0usize; PolicyMethod::ALL.len()];
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

        let judged = judge.user(u);
        let capable = judged.capable();
        out.simulated.population += 1;
        out.simulated.registered += usize::from(judged.registered);
        out.simulated.enabled += usize::from(judged.enabled);
        out.simulated.capable += usize::from(capable);
        match (user.capable(), capable) {
            (false, true) => out.gain.push(u),
            (true, false) => out.lose.push(u),
            _ => {}
        }
        let depends = judge.depends_on(judged);
        if depends != 0 {
            for (i, group) in PolicyMethod::ALL.iter().enumerate() {
                dependents[i] += usize::from(depends & group.bit() != 0);
            }
        }
    }
    out.dependents = PolicyMethod::ALL
        .iter()
        .zip(dependents)
        .filter(|(group, _)| policy.allowed.contains(group))
        .map(|(&group, n)| (group, n))
        .collect();
    out
}

/// The users a what-if list shows, one flag per dataset user: those who would `side` (gain or
/// lose) the ability to reset under `policy`, compared with the exported state; with `without`,
/// compared with `policy` itself, that group disallowed too (the dependency table's rows: who
/// would lose it if that group alone were disallowed). The population is the list's business.
///
/// ```
/// use sspr_insights::model::policy::{what_if_users, Policy, PolicyMethod, WhatIfSide};
/// use sspr_insights::model::{import_file, AsOf, Dataset, SourceKind};
/// let page = br#"{"value":[{"id":"1","userPrincipalName":"a@x","isSsprRegistered":true,
///   "isSsprEnabled":true,"methodsRegistered":["email"]}]}"#;
/// let ds = Dataset::build(vec![import_file("u.json", page).batch], AsOf::Newest, SourceKind::Uploaded);
/// let policy = Policy::default();
/// assert_eq!(what_if_users(&ds, &policy, WhatIfSide::Lose, Some(PolicyMethod::Email)), vec![true]);
/// assert_eq!(what_if_users(&ds, &policy, WhatIfSide::Lose, None), vec![false]);
/// ```
pub fn what_if_users(
    ds: &Dataset,
    policy: &Policy,
    side: WhatIfSide,
    without: Option<PolicyMethod>,
) -> Vec<bool> {
    let judge = Judge::new(ds, policy);
    let reduced = without.map(|group| policy.without(group));
    let after = reduced.as_ref().map(|p| Judge::new(ds, p));
    (0..ds.user_count() as u32)
        .map(|u| {
            let (before, after) = match &after {
                Some(after) => (judge.user(u).capable(), after.user(u).capable()),
                None => (ds.user(u).capable(), judge.user(u).capable()),
            };
            match side {
                WhatIfSide::Gain => !before && after,
                WhatIfSide::Lose => before && !after,
            }
        })
        .collect()
}
