//! The what-if inputs among JSON records (spec §4.2): a directory object of a group's member page
//! (Graph's `/groups/{id}/members` and `/transitiveMembers`), and the authentication methods
//! policy object with its method configurations. How they are recognised, and the rules that
//! turn them into the batch's inputs or one bad record. The configurations are a list of objects,
//! which only the serde reader reads (the fast parser leaves such a field to it).

use serde::Deserialize;

use super::fields::{text, Fields, Sink, Val};
use crate::model::policy::{MemberKind, MemberRow, MethodConfiguration, MethodsPolicy};

/// Whether a record that is neither a registration detail nor an event is a directory object:
/// its `@odata.type` names one, or it has Graph's `displayName` (the reports write
/// `userDisplayName`) beside an `id` or a `userPrincipalName`.
pub(super) fn is_member(f: &Fields<'_>) -> bool {
    let typed = matches!(&f.odata_type, Val::Str(t) if MemberKind::is_directory_type(t));
    typed || (f.display_name.is_present() && (f.id.is_present() || f.user_name.is_present()))
}

impl Sink {
    /// One row of a group's member list.
    pub(super) fn member(&mut self, f: &Fields<'_>) -> Result<(), String> {
        let id = text("id", &f.id)?;
        let user_name = text("userPrincipalName", &f.user_name)?;
        let name = match &f.display_name {
            Val::Absent => text("userDisplayName", &f.name)?,
            other => text("displayName", other)?,
        };
        let kind = match &f.odata_type {
            Val::Str(t) => MemberKind::parse(t),
            _ => MemberKind::User,
        };
        if id.trim().is_empty() && user_name.trim().is_empty() {
            return Err(
                "is a group member without an id or a userPrincipalName to find it by.".to_string(),
            );
        }
        self.batch.push_member(&MemberRow {
            id,
            user_name,
            name,
            kind,
        });
        self.members += 1;
        Ok(())
    }

    /// The authentication methods policy (one object).
    pub(super) fn methods_policy(&mut self, f: &Fields<'_>) -> Result<(), String> {
        let configurations = match &f.method_configurations {
            Val::Configurations(list) => list.clone(),
            // An empty list reads as an empty list of texts.
            Val::Strs(list) if list.is_empty() => Vec::new(),
            Val::Null => Vec::new(),
            other => {
                return Err(format!(
                    "authenticationMethodConfigurations is {}, expected a list of method configurations.",
                    describe(other)
                ))
            }
        };
        let migration_state = text("policyMigrationState", &f.migration_state)?.to_string();
        self.batch.set_methods_policy(MethodsPolicy {
            source: String::new(),
            migration_state,
            configurations,
        });
        self.policies += 1;
        Ok(())
    }
}

fn describe(v: &Val<'_>) -> &'static str {
    match v {
        Val::Str(_) => "text",
        Val::Bool(_) => "true or false",
        Val::Num => "a number",
        Val::Object => "an object",
        _ => "a list of something else",
    }
}

/// A method configuration as Graph writes it (only what the what-if reads; the rest is skipped).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConfigurationRecord {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    is_office_phone_allowed: Option<bool>,
    #[serde(default)]
    is_software_oath_enabled: Option<bool>,
    #[serde(default)]
    include_targets: Option<Vec<TargetRecord>>,
    #[serde(default)]
    exclude_targets: Option<Vec<TargetRecord>>,
}

#[derive(Deserialize)]
struct TargetRecord {
    #[serde(default)]
    id: Option<String>,
}

/// Reads the value of `authenticationMethodConfigurations` (the serde reader's way).
pub(super) struct ConfigurationsSeed;

impl<'de> serde::de::DeserializeSeed<'de> for ConfigurationsSeed {
    type Value = Val<'de>;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Val<'de>, D::Error> {
        read_configurations(d)
    }
}

fn read_configurations<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Val<'de>, D::Error> {
    let records: Option<Vec<ConfigurationRecord>> = Deserialize::deserialize(d)?;
    Ok(match records {
        None => Val::Null,
        Some(records) => Val::Configurations(
            records
                .into_iter()
                .map(|r| MethodConfiguration {
                    id: r.id.unwrap_or_default(),
                    enabled: r
                        .state
                        .is_some_and(|s| s.trim().eq_ignore_ascii_case("enabled")),
                    office_phone_allowed: r.is_office_phone_allowed,
                    software_oath_enabled: r.is_software_oath_enabled,
                    all_users: r.include_targets.map(|targets| {
                        targets.iter().any(|t| t.id.as_deref() == Some("all_users"))
                    }),
                    excluded: r.exclude_targets.map_or(0, |t| t.len()),
                })
                .collect(),
        ),
    })
}
