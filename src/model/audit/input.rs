//! One audit-log row as an importer hands it over (spec §4.3), whatever shape it came in: Graph
//! `directoryAudit` JSON, the portal's CSV download or a Log Analytics `AuditLogs` export. Owns
//! the rules every shape shares: which service a row is from (and which rows are skipped), how a
//! result reads, and whose row it is (the target user, else the actor). Knows nothing of files.

/// The services whose rows are read; every other service's rows are skipped and counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AuditService {
    /// `Self-service Password Management` (also written `SSPR`, spec §9.6): reset rows.
    PasswordReset,
    /// `Authentication Methods`: the combined security-info registration's rows.
    SecurityInfo,
}

impl AuditService {
    /// The service a row names; `None` for another service (skipped, not an error).
    ///
    /// ```
    /// use sspr_insights::model::audit::AuditService;
    /// assert_eq!(AuditService::classify(" sspr "), Some(AuditService::PasswordReset));
    /// assert_eq!(AuditService::classify("Authentication Methods"), Some(AuditService::SecurityInfo));
    /// assert_eq!(AuditService::classify("Core Directory"), None);
    /// ```
    pub fn classify(text: &str) -> Option<AuditService> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("Self-service Password Management")
            || text.eq_ignore_ascii_case("SSPR")
        {
            Some(AuditService::PasswordReset)
        } else if text.eq_ignore_ascii_case("Authentication Methods") {
            Some(AuditService::SecurityInfo)
        } else {
            None
        }
    }

    /// The service's name as the portal writes it.
    pub fn label(self) -> &'static str {
        match self {
            AuditService::PasswordReset => "Self-service Password Management",
            AuditService::SecurityInfo => "Authentication Methods",
        }
    }
}

/// A row's `result`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AuditResult {
    Success,
    Failure,
    Timeout,
    /// Empty, `unknownFutureValue` or anything else.
    Other,
}

impl AuditResult {
    pub const ALL: [AuditResult; 4] = [
        AuditResult::Success,
        AuditResult::Failure,
        AuditResult::Timeout,
        AuditResult::Other,
    ];

    /// `success` / `failure` / `timeout` in any case; anything else is [`AuditResult::Other`].
    pub fn parse(text: &str) -> AuditResult {
        let text = text.trim();
        if text.eq_ignore_ascii_case("success") {
            AuditResult::Success
        } else if text.eq_ignore_ascii_case("failure") {
            AuditResult::Failure
        } else if text.eq_ignore_ascii_case("timeout") {
            AuditResult::Timeout
        } else {
            AuditResult::Other
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AuditResult::Success => "Success",
            AuditResult::Failure => "Failure",
            AuditResult::Timeout => "Timeout",
            AuditResult::Other => "Unknown",
        }
    }

    /// Failure or timeout: what outcome rule 4 (Failed) looks for.
    pub fn is_failure(self) -> bool {
        matches!(self, AuditResult::Failure | AuditResult::Timeout)
    }
}

/// One side of a row: the target resource or the initiating user, as the export names it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AuditParty<'a> {
    pub id: &'a str,
    pub user_name: &'a str,
    pub name: &'a str,
}

/// Whose row it is (spec §4.3): the first target when its type is `User`, else the initiating
/// user. A party with neither user name nor name goes by its object id, so that rows of one user
/// still belong together.
///
/// ```
/// use sspr_insights::model::audit::{row_user, AuditParty};
/// let admin = AuditParty { id: "a", user_name: "admin@x", name: "Admin" };
/// let bob = AuditParty { id: "b", user_name: "bob@x", name: "" };
/// assert_eq!(row_user("User", bob, admin).user_name, "bob@x");
/// assert_eq!(row_user("Group", bob, admin).user_name, "admin@x");
/// assert_eq!(row_user("user", AuditParty { id: "g", ..Default::default() }, admin).name, "g");
/// ```
pub fn row_user<'a>(
    target_type: &str,
    target: AuditParty<'a>,
    actor: AuditParty<'a>,
) -> AuditParty<'a> {
    let mut party = if target_type.trim().eq_ignore_ascii_case("User") {
        target
    } else {
        actor
    };
    if party.user_name.trim().is_empty() && party.name.trim().is_empty() {
        party.name = party.id;
    }
    party
}

/// One audit row as read, ready for [`crate::model::Batch::push_audit`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AuditInput<'a> {
    /// The row's id (de-duplication; empty when the export has none).
    pub id: &'a str,
    pub time: crate::model::time::Millis,
    pub correlation_id: &'a str,
    pub service: AuditService,
    pub activity: &'a str,
    pub result: AuditResult,
    pub reason: &'a str,
    /// Whose row it is (see [`row_user`]).
    pub user: AuditParty<'a>,
    pub ip: &'a str,
    /// The `OnPremisesAgent` detail (admin resets).
    pub agent: &'a str,
}
