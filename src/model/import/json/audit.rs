//! The rule that turns one JSON audit record (Graph `directoryAudit`, or a Log Analytics
//! `AuditLogs` record) into an audit row of the batch, a row of another service (skipped and
//! counted), or one bad record with a message (spec §4.3). The nested objects come read into
//! [`Nested`], or as JSON text (Log Analytics), which is read here with the same readers.

use super::fields::{text, Fields, Key, Nested, Sink, Val};
use super::record::read_nested;
use super::serde_nested::read_nested_text;
use crate::model::audit::{row_user, AuditInput, AuditParty, AuditResult, AuditService};
use crate::model::time::parse_time;

/// The names of the fields in each shape, for messages.
struct Names {
    time: &'static str,
    activity: &'static str,
    correlation: &'static str,
    service: &'static str,
    result: &'static str,
    reason: &'static str,
    initiated_by: &'static str,
    target_resources: &'static str,
    additional_details: &'static str,
    /// The nested members read: [id, userPrincipalName, displayName] of the actor and of the
    /// target, the target's type, the IP address and the agent.
    actor: [&'static str; 3],
    target: [&'static str; 3],
    target_type: &'static str,
    ip: &'static str,
    agent: &'static str,
}

const GRAPH: Names = Names {
    time: "activityDateTime",
    activity: "activityDisplayName",
    correlation: "correlationId",
    service: "loggedByService",
    result: "result",
    reason: "resultReason",
    initiated_by: "initiatedBy",
    target_resources: "targetResources",
    additional_details: "additionalDetails",
    actor: [
        "initiatedBy.user.id",
        "initiatedBy.user.userPrincipalName",
        "initiatedBy.user.displayName",
    ],
    target: [
        "targetResources[0].id",
        "targetResources[0].userPrincipalName",
        "targetResources[0].displayName",
    ],
    target_type: "targetResources[0].type",
    ip: "initiatedBy.user.ipAddress",
    agent: "the OnPremisesAgent of additionalDetails",
};

const LOG_ANALYTICS: Names = Names {
    time: "TimeGenerated",
    activity: "OperationName",
    correlation: "CorrelationId",
    service: "LoggedByService",
    result: "Result",
    reason: "ResultReason",
    initiated_by: "InitiatedBy",
    target_resources: "TargetResources",
    additional_details: "AdditionalDetails",
    actor: [
        "InitiatedBy.user.id",
        "InitiatedBy.user.userPrincipalName",
        "InitiatedBy.user.displayName",
    ],
    target: [
        "TargetResources[0].id",
        "TargetResources[0].userPrincipalName",
        "TargetResources[0].displayName",
    ],
    target_type: "TargetResources[0].type",
    ip: "InitiatedBy.user.ipAddress",
    agent: "the OnPremisesAgent of AdditionalDetails",
};

/// A nested member given as JSON text, read into `into`; an error names the member.
fn nested_text<'t>(
    name: &str,
    key: Key,
    v: &'t Val<'_>,
    into: &mut Nested<'t>,
) -> Result<(), String> {
    match v {
        Val::Str(text) if text.trim().is_empty() => Ok(()),
        Val::Str(text) => {
            if read_nested(text.as_bytes(), key, into).is_none() {
                into.clear(key);
                read_nested_text(text, key, into)
                    .map_err(|e| format!("{name} is not valid JSON text ({e})."))?;
            }
            Ok(())
        }
        // Read already, or not given.
        Val::Object | Val::Null | Val::Absent => Ok(()),
        other => Err(format!(
            "{name} is {}, expected {}.",
            other.describe(),
            if key == Key::InitiatedBy {
                "an object"
            } else {
                "a list of objects"
            }
        )),
    }
}

/// A nested member read in place, or else read from JSON text (a record has one or the other).
fn either<'v>(name: &str, read: &'v Val<'_>, texted: &'v Val<'_>) -> Result<&'v str, String> {
    if !read.is_present() && texted.is_present() {
        text(name, texted)
    } else {
        text(name, read)
    }
}

impl Sink {
    /// One audit record: `Ok(true)` when read, `Ok(false)` when it is of another service.
    pub(super) fn audit(&mut self, f: &Fields<'_>, log_analytics: bool) -> Result<bool, String> {
        let names = if log_analytics {
            self.audit_log_analytics += 1;
            &LOG_ANALYTICS
        } else {
            self.audit_graph += 1;
            &GRAPH
        };
        let service_text = text(names.service, &f.service)?;
        if service_text.trim().is_empty() {
            return Err(format!(
                "{} is missing: every audit row names the service that logged it.",
                names.service
            ));
        }
        let Some(service) = AuditService::classify(service_text) else {
            self.batch.note_other_service();
            return Ok(false);
        };
        let time_value = if log_analytics {
            &f.time_generated
        } else {
            &f.activity_time
        };
        let time = match time_value {
            Val::Str(s) => parse_time(s).ok_or_else(|| {
                format!(
                    "{} {} is not a valid date-time.",
                    names.time,
                    time_value.describe()
                )
            })?,
            other => {
                return Err(format!(
                    "{} is {}, expected a date-time.",
                    names.time,
                    other.describe()
                ))
            }
        };
        let activity_value = if log_analytics {
            &f.operation_name
        } else {
            &f.activity
        };
        let activity = text(names.activity, activity_value)?;
        if activity.trim().is_empty() {
            return Err(format!(
                "{} is empty, expected an activity.",
                names.activity
            ));
        }
        let mut reason = text(names.reason, &f.result_reason)?;
        if log_analytics && reason.trim().is_empty() {
            reason = text("ResultDescription", &f.result_description)?;
        }
        // Log Analytics gives the nested members as JSON text: read them here.
        let mut from_text = Nested::default();
        nested_text(
            names.initiated_by,
            Key::InitiatedBy,
            &f.initiated_by,
            &mut from_text,
        )?;
        nested_text(
            names.target_resources,
            Key::TargetResources,
            &f.target_resources,
            &mut from_text,
        )?;
        nested_text(
            names.additional_details,
            Key::AdditionalDetails,
            &f.additional_details,
            &mut from_text,
        )?;
        let n = &f.nested;
        let t = &from_text;
        let field = either;
        let [id, user_name, name] = names.actor;
        let actor = AuditParty {
            id: field(id, &n.actor_id, &t.actor_id)?,
            user_name: field(user_name, &n.actor_user_name, &t.actor_user_name)?,
            name: field(name, &n.actor_name, &t.actor_name)?,
        };
        let [id, user_name, name] = names.target;
        let target = AuditParty {
            id: field(id, &n.target_id, &t.target_id)?,
            user_name: field(user_name, &n.target_user_name, &t.target_user_name)?,
            name: field(name, &n.target_name, &t.target_name)?,
        };
        let target_type = field(names.target_type, &n.target_type, &t.target_type)?;
        let ip = field(names.ip, &n.actor_ip, &t.actor_ip)?;
        let agent = field(names.agent, &n.agent, &t.agent)?;
        let row = AuditInput {
            id: text("id", &f.id)?,
            time,
            correlation_id: text(names.correlation, &f.correlation_id)?,
            service,
            activity,
            result: AuditResult::parse(text(names.result, &f.result)?),
            reason,
            user: row_user(target_type, target, actor),
            ip,
            agent,
        };
        self.batch.push_audit(&row);
        Ok(true)
    }
}

/// Who a Log Analytics CSV row is about, read from its JSON text columns (owned: the cells are
/// gone with the row).
pub(crate) struct PartiesFromText {
    /// id, userPrincipalName, displayName.
    pub actor: [String; 3],
    pub target: [String; 3],
    pub target_type: String,
    pub ip: String,
    pub agent: String,
}

/// Reads `InitiatedBy`, `TargetResources` and `AdditionalDetails` given as JSON text.
pub(crate) fn parties_from_text(
    initiated_by: &str,
    target_resources: &str,
    additional_details: &str,
) -> Result<PartiesFromText, String> {
    let texts = [
        (LOG_ANALYTICS.initiated_by, Key::InitiatedBy, initiated_by),
        (
            LOG_ANALYTICS.target_resources,
            Key::TargetResources,
            target_resources,
        ),
        (
            LOG_ANALYTICS.additional_details,
            Key::AdditionalDetails,
            additional_details,
        ),
    ];
    let values: Vec<Val<'_>> = texts.iter().map(|&(_, _, t)| Val::Str(t.into())).collect();
    let mut n = Nested::default();
    for ((name, key, _), value) in texts.iter().zip(&values) {
        nested_text(name, *key, value, &mut n)?;
    }
    let own = |name: &str, v: &Val<'_>| text(name, v).map(str::to_string);
    let [a_id, a_upn, a_name] = LOG_ANALYTICS.actor;
    let [t_id, t_upn, t_name] = LOG_ANALYTICS.target;
    Ok(PartiesFromText {
        actor: [
            own(a_id, &n.actor_id)?,
            own(a_upn, &n.actor_user_name)?,
            own(a_name, &n.actor_name)?,
        ],
        target: [
            own(t_id, &n.target_id)?,
            own(t_upn, &n.target_user_name)?,
            own(t_name, &n.target_name)?,
        ],
        target_type: own(LOG_ANALYTICS.target_type, &n.target_type)?,
        ip: own(LOG_ANALYTICS.ip, &n.actor_ip)?,
        agent: own(LOG_ANALYTICS.agent, &n.agent)?,
    })
}
