//! The population control, mirroring Graph's `includedUserTypes` / `includedUserRoles`:
//! all / members / guests × all / admins / non-admins. Applies to tiles, charts and lists.

use super::dataset::{user_class, Dataset, P_ADMIN, P_GUEST, P_MEMBER, P_NONADMIN};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum UserKind {
    #[default]
    All,
    Members,
    Guests,
}

impl UserKind {
    pub const ALL: [UserKind; 3] = [UserKind::All, UserKind::Members, UserKind::Guests];

    pub fn parse(text: &str) -> Option<UserKind> {
        match text.trim().to_ascii_lowercase().as_str() {
            "all" => Some(UserKind::All),
            "members" | "member" => Some(UserKind::Members),
            "guests" | "guest" => Some(UserKind::Guests),
            _ => None,
        }
    }
    pub fn id(self) -> &'static str {
        match self {
            UserKind::All => "all",
            UserKind::Members => "members",
            UserKind::Guests => "guests",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            UserKind::All => "All users",
            UserKind::Members => "Members",
            UserKind::Guests => "Guests",
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum RoleKind {
    #[default]
    All,
    Admins,
    NonAdmins,
}

impl RoleKind {
    pub const ALL: [RoleKind; 3] = [RoleKind::All, RoleKind::Admins, RoleKind::NonAdmins];

    pub fn parse(text: &str) -> Option<RoleKind> {
        match text.trim().to_ascii_lowercase().as_str() {
            "all" => Some(RoleKind::All),
            "admins" | "admin" => Some(RoleKind::Admins),
            "nonadmins" | "non-admins" | "users" => Some(RoleKind::NonAdmins),
            _ => None,
        }
    }
    pub fn id(self) -> &'static str {
        match self {
            RoleKind::All => "all",
            RoleKind::Admins => "admins",
            RoleKind::NonAdmins => "nonadmins",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            RoleKind::All => "All roles",
            RoleKind::Admins => "Admins",
            RoleKind::NonAdmins => "Non-admins",
        }
    }
}

/// Who the numbers are about.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Population {
    pub users: UserKind,
    pub roles: RoleKind,
}

impl Population {
    pub const ALL: Population = Population {
        users: UserKind::All,
        roles: RoleKind::All,
    };

    /// Whether a person of class `class` (dataset bits) belongs to this population. People
    /// seen only in events have no role, so they count only under "all roles".
    #[inline]
    pub(crate) fn admits(self, class: u8) -> bool {
        let kind = match self.users {
            UserKind::All => true,
            UserKind::Members => class & P_MEMBER != 0,
            UserKind::Guests => class & P_GUEST != 0,
        };
        let role = match self.roles {
            RoleKind::All => true,
            RoleKind::Admins => class & P_ADMIN != 0,
            RoleKind::NonAdmins => class & P_NONADMIN != 0,
        };
        kind && role
    }

    pub fn is_all(self) -> bool {
        self == Population::ALL
    }

    /// Whether user `u` belongs to this population, by the row's own user type and admin flag
    /// (two rows of one person, one keyed by id and one by user name, may differ).
    pub fn has_user(self, ds: &Dataset, u: u32) -> bool {
        self.is_all() || self.admits(user_class(ds.users.flags[u as usize]))
    }

    /// Whether the person behind event `e` belongs to this population.
    #[inline]
    pub fn has_event(self, ds: &Dataset, e: u32) -> bool {
        self.is_all() || self.admits(ds.person_class[ds.events.person[e as usize] as usize])
    }

    /// "All users", "Guests · Admins"…
    pub fn label(self) -> String {
        match (self.users, self.roles) {
            (UserKind::All, RoleKind::All) => "All users".to_string(),
            (users, RoleKind::All) => users.label().to_string(),
            (UserKind::All, roles) => roles.label().to_string(),
            (users, roles) => format!("{} · {}", users.label(), roles.label()),
        }
    }
}
