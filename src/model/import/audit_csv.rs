//! Audit logs as CSV (spec §4.3): the portal's audit-log download (`CorrelationId`, `Activity`,
//! `Target1…`, `Actor…`, `AdditionalDetail{n}Key` / `Value`) and a Log Analytics `AuditLogs`
//! export (`OperationName`, `CorrelationId`, `InitiatedBy` and `TargetResources` as JSON text).
//! Headers match case-insensitively with spaces ignored (`User Agent` = `UserAgent`); columns
//! not listed are accepted and ignored. Each row becomes an audit row, a row of another service
//! (skipped and counted), or one bad row with a message.

use super::json::parties_from_text;
use super::FileKind;
use crate::model::audit::{row_user, AuditInput, AuditParty, AuditResult, AuditService};
use crate::model::batch::Batch;
use crate::model::export::unguard;
use crate::model::time::parse_time;

/// Where each column we read is (the first of its name).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct AuditColumns {
    log_analytics: bool,
    date: Option<usize>,
    correlation: Option<usize>,
    service: Option<usize>,
    activity: Option<usize>,
    result: Option<usize>,
    reason: Option<usize>,
    description: Option<usize>,
    id: Option<usize>,
    target_type: Option<usize>,
    target: [Option<usize>; 3],
    actor: [Option<usize>; 3],
    ip: Option<usize>,
    /// `(AdditionalDetail{n}Key, AdditionalDetail{n}Value)` pairs.
    details: Vec<(usize, usize)>,
    initiated_by: Option<usize>,
    target_resources: Option<usize>,
    additional_details: Option<usize>,
}

/// A header as compared: quotes and every space removed, lower case.
fn normalise(header: &str) -> String {
    header
        .trim()
        .trim_matches('"')
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

impl AuditColumns {
    /// The columns of an audit-log CSV and its kind, when the headers are one's (`Err` when they
    /// are, but a column the rows need is missing); `None` for any other CSV.
    pub(super) fn detect<'h>(
        headers: impl Iterator<Item = &'h str>,
    ) -> Option<Result<(FileKind, AuditColumns), String>> {
        let names: Vec<String> = headers.map(normalise).collect();
        let find = |wanted: &[&str]| {
            wanted
                .iter()
                .find_map(|w| names.iter().position(|n| n == w))
        };
        let correlation = find(&["correlationid"])?;
        let log_analytics = find(&["operationname"]).is_some();
        if !log_analytics && find(&["activity"]).is_none() {
            return None;
        }
        let mut details = Vec::new();
        for (i, name) in names.iter().enumerate() {
            if let Some(n) = name
                .strip_prefix("additionaldetail")
                .and_then(|rest| rest.strip_suffix("key"))
                .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            {
                if let Some(value) = find(&[&format!("additionaldetail{n}value")]) {
                    details.push((i, value));
                }
            }
        }
        let columns = if log_analytics {
            AuditColumns {
                log_analytics,
                date: find(&["timegenerated", "timegenerated[utc]", "activitydatetime"]),
                correlation: Some(correlation),
                service: find(&["loggedbyservice"]),
                activity: find(&["operationname"]),
                result: find(&["result"]),
                reason: find(&["resultreason"]),
                description: find(&["resultdescription"]),
                id: find(&["id"]),
                initiated_by: find(&["initiatedby"]),
                target_resources: find(&["targetresources"]),
                additional_details: find(&["additionaldetails"]),
                ..AuditColumns::default()
            }
        } else {
            AuditColumns {
                log_analytics,
                date: find(&["date(utc)", "date", "activitydatetime"]),
                correlation: Some(correlation),
                service: find(&["service", "loggedbyservice"]),
                activity: find(&["activity"]),
                result: find(&["result"]),
                reason: find(&["resultreason"]),
                id: find(&["id"]),
                target_type: find(&["target1type"]),
                target: [
                    find(&["target1objectid"]),
                    find(&["target1userprincipalname"]),
                    find(&["target1displayname"]),
                ],
                actor: [
                    find(&["actorobjectid"]),
                    find(&["actoruserprincipalname"]),
                    find(&["actordisplayname"]),
                ],
                ip: find(&["ipaddress"]),
                details,
                ..AuditColumns::default()
            }
        };
        let kind = if log_analytics {
            FileKind::LogAnalyticsAuditCsv
        } else {
            FileKind::AuditLogCsv
        };
        let (date, service) = if log_analytics {
            ("TimeGenerated", "LoggedByService")
        } else {
            ("Date (UTC)", "Service")
        };
        Some(if columns.date.is_none() {
            Err(format!("the audit-log CSV needs a {date} column."))
        } else if columns.service.is_none() {
            Err(format!("the audit-log CSV needs a {service} column."))
        } else {
            Ok((kind, columns))
        })
    }

    /// One row: `Ok(true)` when read, `Ok(false)` when it is of another service.
    pub(super) fn read_row(
        &self,
        cells: &csv::StringRecord,
        batch: &mut Batch,
    ) -> Result<bool, String> {
        let cell =
            |column: Option<usize>| column.and_then(|i| cells.get(i)).map(unguard).unwrap_or("");
        let (date_name, service_name, activity_name) = if self.log_analytics {
            ("TimeGenerated", "LoggedByService", "OperationName")
        } else {
            ("Date (UTC)", "Service", "Activity")
        };
        let service_text = cell(self.service).trim();
        if service_text.is_empty() {
            return Err(format!(
                "{service_name} is empty: every audit row names the service that logged it."
            ));
        }
        let Some(service) = AuditService::classify(service_text) else {
            batch.note_other_service();
            return Ok(false);
        };
        let date = cell(self.date).trim();
        // Log Analytics writes `7/16/2025, 4:19:18.123 PM`: without the comma it is a US form.
        let time = parse_time(date)
            .or_else(|| parse_time(&date.replacen(", ", " ", 1)))
            .ok_or_else(|| {
                if date.is_empty() {
                    format!("{date_name} is empty, expected a date-time.")
                } else {
                    format!("{date_name} \u{201c}{date}\u{201d} is not a date-time.")
                }
            })?;
        let activity = cell(self.activity).trim();
        if activity.is_empty() {
            return Err(format!("{activity_name} is empty, expected an activity."));
        }
        let mut reason = cell(self.reason);
        if reason.trim().is_empty() {
            reason = cell(self.description);
        }
        let party = |columns: [Option<usize>; 3]| AuditParty {
            id: cell(columns[0]),
            user_name: cell(columns[1]),
            name: cell(columns[2]),
        };
        let texts;
        let (user, ip, agent) = if self.log_analytics {
            texts = parties_from_text(
                cell(self.initiated_by),
                cell(self.target_resources),
                cell(self.additional_details),
            )?;
            let [id, user_name, name] = &texts.actor;
            let actor = AuditParty {
                id,
                user_name,
                name,
            };
            let [id, user_name, name] = &texts.target;
            let target = AuditParty {
                id,
                user_name,
                name,
            };
            (
                row_user(&texts.target_type, target, actor),
                texts.ip.as_str(),
                texts.agent.as_str(),
            )
        } else {
            let agent = self
                .details
                .iter()
                .find(|&&(k, _)| cell(Some(k)).trim().eq_ignore_ascii_case("OnPremisesAgent"))
                .map_or("", |&(_, v)| cell(Some(v)));
            (
                row_user(
                    cell(self.target_type),
                    party(self.target),
                    party(self.actor),
                ),
                cell(self.ip),
                agent,
            )
        };
        batch.push_audit(&AuditInput {
            id: cell(self.id),
            time,
            correlation_id: cell(self.correlation),
            service,
            activity,
            result: AuditResult::parse(cell(self.result)),
            reason,
            user,
            ip,
            agent,
        });
        Ok(true)
    }
}
