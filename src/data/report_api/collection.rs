//! The lists a fetch reads (spec §6, and the audit log of §4.3): their names, their paths below
//! a base address and how events and audit rows are asked for. The one vocabulary of report paths, shared by the client and by
//! the reference backend; no addresses are built or checked here.

use crate::model::time::{Millis, DAY};

/// `$top` for events: Graph's default and maximum for `userEventsSummary`.
pub const EVENTS_PAGE_SIZE: u32 = 1000;
/// Events are asked for from this long before the fetch time (the longest period, 30 days).
pub const EVENTS_WINDOW: Millis = 30 * DAY;
/// The services whose audit rows a fetch asks for (spec §4.3: reset rows and security-info
/// rows); Graph filters the rest out before they travel.
pub const AUDIT_SERVICES: [&str; 2] =
    ["Self-service Password Management", "Authentication Methods"];

/// Which list a walk reads.
///
/// ```
/// use sspr_insights::data::report_api::Collection;
/// assert_eq!(Collection::EventsSummary.name(), "userEventsSummary");
/// assert_eq!(
///     Collection::RegistrationDetails.path(),
///     "/reports/authenticationMethods/userRegistrationDetails"
/// );
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Collection {
    RegistrationDetails,
    EventsSummary,
    /// The audit log (`auditLogs/directoryAudits`), read when the user asks for it.
    DirectoryAudits,
}

impl Collection {
    /// Every list, in the order a fetch reads them.
    pub const ALL: [Collection; 3] = [
        Collection::RegistrationDetails,
        Collection::EventsSummary,
        Collection::DirectoryAudits,
    ];
    /// The two reports every fetch reads.
    pub const REPORTS: [Collection; 2] =
        [Collection::RegistrationDetails, Collection::EventsSummary];

    /// The Graph resource name, e.g. `userEventsSummary`.
    pub const fn name(self) -> &'static str {
        match self {
            Collection::RegistrationDetails => "userRegistrationDetails",
            Collection::EventsSummary => "userEventsSummary",
            Collection::DirectoryAudits => "directoryAudits",
        }
    }

    /// The list's path below a base address (`https://graph.microsoft.com/beta` + this; the
    /// audit log's path has the same shape in v1.0 and beta).
    pub const fn path(self) -> &'static str {
        match self {
            Collection::RegistrationDetails => {
                "/reports/authenticationMethods/userRegistrationDetails"
            }
            Collection::EventsSummary => "/reports/authenticationMethods/userEventsSummary",
            Collection::DirectoryAudits => "/auditLogs/directoryAudits",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_path_ends_with_its_list_name() {
        for collection in Collection::ALL {
            let path = collection.path();
            let folder = match collection {
                Collection::DirectoryAudits => "/auditLogs/",
                _ => "/reports/authenticationMethods/",
            };
            assert!(path.starts_with(folder), "{path}");
            assert_eq!(path.rsplit('/').next(), Some(collection.name()));
        }
    }
}
