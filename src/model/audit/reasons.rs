//! What an audit row's activity and reason say (spec §4.3, facts in §9.6): which kind of row it
//! is, the methods its reason names (tried, completed, blocked), the phrases the outcome rules
//! and the funnel look for, and the method a security-info registration names. Pure text rules,
//! compared case-insensitively; nothing here knows of attempts.

use super::input::AuditService;
use crate::model::method::Method;
use crate::model::order::{gather, order_by_key};

/// What an audit row is, by its service and activity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum ActivityKind {
    /// `Self-service password reset flow activity progress`: one step of an attempt.
    FlowProgress = 0,
    /// `Reset password (self-service)`.
    SelfServiceReset = 1,
    /// `Blocked from self-service password reset`.
    Blocked = 2,
    /// `Unlock user account (self-service)`.
    Unlock = 3,
    /// `Reset password (by admin)`: an admin reset, not an attempt.
    AdminReset = 4,
    /// `Change password (self-service)`: a password change, not an attempt.
    PasswordChange = 5,
    /// Another activity of the password reset service (writeback switches, …).
    OtherReset = 6,
    /// `User registered security info`.
    RegisteredSecurityInfo = 7,
    /// Another change of security info: `User changed default security info`, `User updated
    /// security info`, `User deleted security info`, `Admin registered / updated / deleted
    /// security info`.
    ChangedSecurityInfo = 8,
    /// Another activity of the Authentication Methods service.
    OtherSecurityInfo = 9,
}

impl ActivityKind {
    pub const ALL: [ActivityKind; 10] = [
        ActivityKind::FlowProgress,
        ActivityKind::SelfServiceReset,
        ActivityKind::Blocked,
        ActivityKind::Unlock,
        ActivityKind::AdminReset,
        ActivityKind::PasswordChange,
        ActivityKind::OtherReset,
        ActivityKind::RegisteredSecurityInfo,
        ActivityKind::ChangedSecurityInfo,
        ActivityKind::OtherSecurityInfo,
    ];

    /// The kind of a row of `service` with `activity`.
    ///
    /// ```
    /// use sspr_insights::model::audit::{ActivityKind, AuditService};
    /// let reset = AuditService::PasswordReset;
    /// assert_eq!(ActivityKind::of(reset, "reset password (BY ADMIN)"), ActivityKind::AdminReset);
    /// assert_eq!(ActivityKind::of(AuditService::SecurityInfo, "Reset password (by admin)"), ActivityKind::OtherSecurityInfo);
    /// ```
    pub fn of(service: AuditService, activity: &str) -> ActivityKind {
        let is = |name: &str| activity.trim().eq_ignore_ascii_case(name);
        match service {
            AuditService::PasswordReset => {
                if is("Self-service password reset flow activity progress") {
                    ActivityKind::FlowProgress
                } else if is("Reset password (self-service)") {
                    ActivityKind::SelfServiceReset
                } else if is("Blocked from self-service password reset") {
                    ActivityKind::Blocked
                } else if is("Unlock user account (self-service)") {
                    ActivityKind::Unlock
                } else if is("Reset password (by admin)") {
                    ActivityKind::AdminReset
                } else if is("Change password (self-service)") {
                    ActivityKind::PasswordChange
                } else {
                    ActivityKind::OtherReset
                }
            }
            AuditService::SecurityInfo => {
                if is("User registered security info") {
                    ActivityKind::RegisteredSecurityInfo
                } else if [
                    "User changed default security info",
                    "User updated security info",
                    "User deleted security info",
                    "Admin registered security info",
                    "Admin updated security info",
                    "Admin deleted security info",
                ]
                .iter()
                .any(|name| is(name))
                {
                    ActivityKind::ChangedSecurityInfo
                } else {
                    ActivityKind::OtherSecurityInfo
                }
            }
        }
    }

    /// Whether rows of this kind make up attempts (grouped by correlation id).
    pub fn is_attempt_step(self) -> bool {
        matches!(
            self,
            ActivityKind::FlowProgress
                | ActivityKind::SelfServiceReset
                | ActivityKind::Blocked
                | ActivityKind::Unlock
        )
    }

    /// Whether this is a change of security info (the SIM-swap insight's list, spec §4.3).
    pub fn is_security_info_change(self) -> bool {
        matches!(
            self,
            ActivityKind::RegisteredSecurityInfo | ActivityKind::ChangedSecurityInfo
        )
    }

    pub(crate) fn from_code(code: u8) -> Option<ActivityKind> {
        ActivityKind::ALL.get(code as usize).copied()
    }
}

/// Phrase bits of a reason (see [`ReasonInfo::flags`]).
pub(crate) const SUCCESSFULLY_RESET: u16 = 1;
pub(crate) const TOO_MANY: u16 = 2;
pub(crate) const ABANDONED: u16 = 4;
pub(crate) const CANCELED: u16 = 8;
pub(crate) const CONTACTED_ADMIN: u16 = 16;
pub(crate) const PRESENTED_OPTIONS: u16 = 32;
pub(crate) const NEW_PASSWORD: u16 = 64;

/// What one reason says, read once per distinct reason.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReasonInfo {
    /// The phrases of the outcome rules and the funnel it has.
    pub(crate) flags: u16,
    /// Every method it names, in the order named.
    pub tried: Vec<Method>,
    /// The method of `User completed the X verification option`.
    pub completed: Option<Method>,
}

/// The verification options as the reasons name them (spec §4.3), longest first where one
/// starts another (`security questions` before `security question`).
const OPTIONS: [(&str, Method); 8] = [
    ("email", Method::Email),
    ("mobile sms", Method::Sms),
    ("mobile voice call", Method::PhoneCall),
    ("office voice call", Method::OfficePhone),
    ("security questions", Method::SecurityQuestions),
    ("security question", Method::SecurityQuestions),
    ("mobile app notification", Method::AppNotification),
    ("mobile app code", Method::AppCode),
];

/// The phrases before an option's name (`… the X verification option`).
const OPTION_PHRASES: [&str; 5] = [
    "started the ",
    "completed the ",
    "after starting the ",
    "after completing the ",
    "after trying the ",
];

/// The phrases of blocked reasons and the method each names.
const BLOCKED_PHRASES: [(&str, Method); 5] = [
    ("invalid sms verification codes", Method::Sms),
    ("mobile phone voice verification", Method::PhoneCall),
    ("office phone voice verification", Method::OfficePhone),
    ("answer security questions", Method::SecurityQuestions),
    ("verify a phone number", Method::MobilePhone),
];

const VERIFICATION_OPTION: &str = " verification option";

/// The option named at the start of `rest` (just before ` verification option`).
fn option_at(rest: &str) -> Option<(Method, usize)> {
    OPTIONS.iter().find_map(|(name, method)| {
        rest.strip_prefix(name)
            .filter(|after| after.starts_with(VERIFICATION_OPTION))
            .map(|_| (method.clone(), name.len()))
    })
}

/// Reads a reason (spec §4.3: outcome phrases, funnel phrases, methods in reasons).
///
/// ```
/// use sspr_insights::model::audit::read_reason;
/// use sspr_insights::model::Method;
/// let info = read_reason("User completed the mobile SMS verification option");
/// assert_eq!(info.completed, Some(Method::Sms));
/// assert_eq!(info.tried, vec![Method::Sms]);
/// let info = read_reason("User contacted an admin after trying the email verification option");
/// assert_eq!((info.tried, info.completed), (vec![Method::Email], None));
/// ```
pub fn read_reason(reason: &str) -> ReasonInfo {
    let lower = reason.trim().to_lowercase();
    let mut info = ReasonInfo::default();
    let starts = |p: &str| lower.starts_with(p);
    let has = |p: &str| lower.contains(p);
    if starts("user successfully reset password") {
        info.flags |= SUCCESSFULLY_RESET;
    }
    if has("too many") || has("blocked for 24 hours") {
        info.flags |= TOO_MANY;
    }
    if starts("user abandoned") {
        info.flags |= ABANDONED;
    }
    if starts("user canceled") {
        info.flags |= CANCELED;
    }
    if starts("user contacted an admin") {
        info.flags |= CONTACTED_ADMIN;
    }
    if has("user was presented with verification options") {
        info.flags |= PRESENTED_OPTIONS;
    }
    if has("new password") || has("on-premises password") {
        info.flags |= NEW_PASSWORD;
    }
    // Every "… the X verification option", in the order named (the phrases never overlap:
    // "after starting the" holds "starting the", not "started the").
    let mut named: Vec<(usize, Method)> = Vec::new();
    for phrase in OPTION_PHRASES {
        for (at, _) in lower.match_indices(phrase) {
            if let Some((method, _)) = option_at(&lower[at + phrase.len()..]) {
                named.push((at, method));
            }
        }
    }
    for (phrase, method) in BLOCKED_PHRASES {
        for (at, _) in lower.match_indices(phrase) {
            named.push((at, method.clone()));
        }
    }
    let order = order_by_key(named.iter().map(|(at, _)| *at as u64));
    let mut named = gather(named, &order);
    named.dedup_by(|a, b| a.0 == b.0);
    info.tried = named.into_iter().map(|(_, m)| m).collect();
    if let Some(rest) = lower.strip_prefix("user completed the ") {
        info.completed = option_at(rest).map(|(m, _)| m);
    }
    info
}

/// The method a `User registered security info` row's reason names (spec §4.3): the first of
/// these words found in it, else the reason itself as a method of its own (none when empty).
///
/// ```
/// use sspr_insights::model::audit::registered_method;
/// use sspr_insights::model::Method;
/// assert_eq!(registered_method("User registered Authenticator App with Notification and Code"), Some(Method::AppNotification));
/// assert_eq!(registered_method("User registered Alternate Mobile Phone"), Some(Method::AlternateMobilePhone));
/// assert_eq!(registered_method("User registered a sundial"), Some(Method::Other("User registered a sundial".into())));
/// ```
pub fn registered_method(reason: &str) -> Option<Method> {
    let reason = reason.trim();
    let lower = reason.to_lowercase();
    const WORDS: [(&[&str], Method); 10] = [
        (&["authenticator app"], Method::AppNotification),
        (&["office phone"], Method::OfficePhone),
        (&["alternate"], Method::AlternateMobilePhone),
        (&["phone"], Method::MobilePhone),
        (&["email"], Method::Email),
        (&["security question"], Method::SecurityQuestions),
        (&["fido", "passkey"], Method::Fido2),
        (&["temporary access pass"], Method::TemporaryAccessPass),
        (&["hardware"], Method::HardwareOath),
        (&["software oath", "oath"], Method::AppCode),
    ];
    WORDS
        .iter()
        .find(|(words, _)| words.iter().any(|w| lower.contains(w)))
        .map(|(_, method)| method.clone())
        .or_else(|| (!reason.is_empty()).then(|| Method::Other(reason.into())))
}
