//! A what-if scenario as the `/policy` screen's controls and its URL hold it (spec §3.3): the
//! scope chosen, the methods required and allowed, the administrator policy, whether the
//! authentication methods policy decides which methods count; and the filter of the lists it
//! links to (who would gain or lose). The URL form itself is `model::query`'s; here a scenario
//! becomes a [`Policy`] once the uploaded inputs are matched with the loaded data.

use super::inputs::{GroupMatch, MethodsPolicy, PolicyInputs};
use super::{what_if_users, Policy, PolicyMethod, PolicyScope};
use crate::model::dataset::Dataset;

/// Who a scenario enables, as the screen offers it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ScopeChoice {
    /// Each user's exported enabled flag (the policy as it is).
    #[default]
    AsExported,
    /// Every member; guests excluded (the portal's "All").
    AllMembers,
    /// Nobody (the portal's "None").
    None,
    /// The users of the uploaded group member list (the portal's "Selected").
    Group,
}

impl ScopeChoice {
    pub const ALL: [ScopeChoice; 4] = [
        ScopeChoice::AsExported,
        ScopeChoice::AllMembers,
        ScopeChoice::None,
        ScopeChoice::Group,
    ];

    /// The URL value (`scope=`).
    pub fn id(self) -> &'static str {
        match self {
            ScopeChoice::AsExported => "exported",
            ScopeChoice::AllMembers => "members",
            ScopeChoice::None => "none",
            ScopeChoice::Group => "group",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ScopeChoice::AsExported => "As exported",
            ScopeChoice::AllMembers => "All members",
            ScopeChoice::None => "None",
            ScopeChoice::Group => "Uploaded group",
        }
    }

    /// Reads a URL value (any case).
    pub fn parse(text: &str) -> Option<ScopeChoice> {
        let text = text.trim();
        ScopeChoice::ALL
            .into_iter()
            .find(|s| s.id().eq_ignore_ascii_case(text))
    }
}

/// A what-if scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scenario {
    pub scope: ScopeChoice,
    /// 1 or 2.
    pub methods_required: u8,
    /// The allowed groups, in [`PolicyMethod::ALL`]'s order.
    pub allowed: Vec<PolicyMethod>,
    /// Administrators follow Microsoft's administrator policy (on by default).
    pub admin_policy: bool,
    /// Only methods the uploaded authentication methods policy enables count.
    pub methods_policy: bool,
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            scope: ScopeChoice::AsExported,
            methods_required: 1,
            allowed: PolicyMethod::ALL.to_vec(),
            admin_policy: true,
            methods_policy: false,
        }
    }
}

impl Scenario {
    /// The policy this scenario means, with the group's members matched against the loaded
    /// data (`group`; none loaded: nobody is in the group) and the methods the authentication
    /// methods policy disables (`methods`; none loaded, or the switch off: all methods count).
    pub fn policy(&self, group: Option<&GroupMatch>, methods: Option<&MethodsPolicy>) -> Policy {
        let scope = match self.scope {
            ScopeChoice::AsExported => PolicyScope::AsExported,
            ScopeChoice::AllMembers => PolicyScope::AllMembers,
            ScopeChoice::None => PolicyScope::None,
            ScopeChoice::Group => {
                PolicyScope::Group(group.map(|g| g.in_group.clone()).unwrap_or_default())
            }
        };
        Policy {
            scope,
            methods_required: self.methods_required.clamp(1, 2),
            allowed: self.allowed.clone(),
            admin_rule: self.admin_policy,
            not_counted: match methods {
                Some(methods) if self.methods_policy => methods.not_counted(),
                _ => Vec::new(),
            },
        }
    }

    /// [`Scenario::policy`] for a dataset and the inputs held beside it (the member list is
    /// matched only when the scope needs it).
    pub fn resolve(&self, ds: &Dataset, inputs: &PolicyInputs) -> Policy {
        let group = match (&inputs.members, self.scope) {
            (Some(members), ScopeChoice::Group) => Some(members.resolve(ds)),
            _ => None,
        };
        self.policy(group.as_ref(), inputs.methods_policy.as_ref())
    }

    /// The scenario in a few words, for a list's chip: "2 methods required, security questions
    /// not allowed, scope: all members".
    pub fn describe(&self) -> String {
        let mut parts = vec![if self.methods_required >= 2 {
            "2 methods required".to_string()
        } else {
            "1 method required".to_string()
        }];
        let missing: Vec<&str> = PolicyMethod::ALL
            .iter()
            .filter(|g| !self.allowed.contains(g))
            .map(|g| g.label())
            .collect();
        if !missing.is_empty() {
            parts.push(format!("not allowed: {}", missing.join(", ")));
        }
        parts.push(format!("scope: {}", self.scope.label().to_lowercase()));
        if self.methods_policy {
            parts.push("as in the authentication methods policy".to_string());
        }
        if !self.admin_policy {
            parts.push("administrator policy off".to_string());
        }
        parts.join(", ")
    }
}

/// Which way a what-if list goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WhatIfSide {
    /// Could not reset before, could after.
    Gain,
    /// Could reset before, could not after.
    Lose,
}

impl WhatIfSide {
    pub const ALL: [WhatIfSide; 2] = [WhatIfSide::Gain, WhatIfSide::Lose];

    /// The URL value (`whatif=`).
    pub fn id(self) -> &'static str {
        match self {
            WhatIfSide::Gain => "gain",
            WhatIfSide::Lose => "lose",
        }
    }

    pub fn parse(text: &str) -> Option<WhatIfSide> {
        let text = text.trim();
        WhatIfSide::ALL
            .into_iter()
            .find(|s| s.id().eq_ignore_ascii_case(text))
    }
}

/// The registrations list's what-if filter: the users who would gain or lose the ability to
/// reset under a scenario, or (`without`) who would lose it if that group alone were disallowed
/// too.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WhatIfFilter {
    pub scenario: Scenario,
    pub side: WhatIfSide,
    pub without: Option<PolicyMethod>,
}

impl WhatIfFilter {
    /// The users it lets through, one flag per dataset user (see [`what_if_users`]).
    pub fn users(&self, ds: &Dataset, inputs: &PolicyInputs) -> Vec<bool> {
        let policy = self.scenario.resolve(ds, inputs);
        what_if_users(ds, &policy, self.side, self.without)
    }

    /// What the list's chip says.
    pub fn describe(&self) -> String {
        match (self.without, self.side) {
            (Some(group), WhatIfSide::Lose) => format!(
                "Depend on {} under the what-if ({})",
                group.label().to_lowercase(),
                self.scenario.describe()
            ),
            (Some(group), WhatIfSide::Gain) => format!(
                "Would gain the ability to reset if {} were disallowed ({})",
                group.label().to_lowercase(),
                self.scenario.describe()
            ),
            (None, WhatIfSide::Gain) => format!(
                "Would gain the ability to reset ({})",
                self.scenario.describe()
            ),
            (None, WhatIfSide::Lose) => format!(
                "Would lose the ability to reset ({})",
                self.scenario.describe()
            ),
        }
    }
}
