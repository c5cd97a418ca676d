//! One JSON record's fields as read (whatever their types), and the rules that turn them into a
//! user or an event of the batch, or into one bad record with a message. Both ways of reading
//! JSON (the fast byte parser and the serde fallback) fill the same [`Fields`] and share these
//! rules, so a record is judged the same whichever way it was read. Knows nothing of positions.

use std::borrow::Cow;

use super::super::ErrorLog;
use super::inputs::is_member;
use crate::model::batch::{Batch, EventInput, Feature, Status, UserInput, UserType};
use crate::model::mfa::MfaInput;
use crate::model::policy::MethodConfiguration;
use crate::model::strings::trimmed;
use crate::model::time::parse_time;
use crate::model::words::parse_yes_no;

/// A JSON value read without judging its type (judged afterwards, per field).
#[derive(Debug, Default)]
pub(super) enum Val<'de> {
    #[default]
    Absent,
    Null,
    Str(Cow<'de, str>),
    Bool(bool),
    Num,
    Strs(Vec<Cow<'de, str>>),
    Array,
    Object,
    /// The method configurations of an authentication methods policy (read by serde only).
    Configurations(Vec<MethodConfiguration>),
}

impl<'de> Val<'de> {
    /// Puts `value` in this field. The value it replaces is dropped only when it owns memory (a
    /// text whose escapes were decoded, a list): a record writes a field or two dozen, and
    /// dropping each old value through the enum's drop glue cost about 20 instructions a field.
    #[inline(always)]
    pub(super) fn set(&mut self, value: Val<'de>) {
        let owns_memory = matches!(
            self,
            Val::Str(Cow::Owned(_)) | Val::Strs(_) | Val::Configurations(_)
        );
        if owns_memory {
            *self = value;
        } else {
            // Nothing to free: forgetting the old value leaks nothing.
            std::mem::forget(std::mem::replace(self, value));
        }
    }

    pub(super) fn is_present(&self) -> bool {
        !matches!(self, Val::Absent)
    }

    pub(super) fn describe(&self) -> String {
        match self {
            Val::Absent => "missing".to_string(),
            Val::Null => "null".to_string(),
            Val::Str(s) => format!("\"{}\"", shorten(s)),
            Val::Bool(b) => b.to_string(),
            Val::Num => "a number".to_string(),
            Val::Strs(_) | Val::Array | Val::Configurations(_) => "a list".to_string(),
            Val::Object => "an object".to_string(),
        }
    }
}

fn shorten(s: &str) -> String {
    if s.chars().count() <= 60 {
        s.to_string()
    } else {
        let cut: String = s.chars().take(57).collect();
        format!("{cut}…")
    }
}

/// The keys we read; everything else is skipped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Key {
    Value,
    Context,
    ODataType,
    Id,
    UserName,
    Name,
    UserType,
    IsAdmin,
    IsSsprRegistered,
    IsSsprEnabled,
    IsSsprCapable,
    IsRegistered,
    IsEnabled,
    IsCapable,
    MethodsRegistered,
    AuthMethods,
    LastUpdated,
    Feature,
    IsSuccess,
    AuthMethod,
    FailureReason,
    EventDateTime,
    IsMfaRegistered,
    IsMfaCapable,
    IsPasswordlessCapable,
    IsSystemPreferredEnabled,
    SystemPreferredMethods,
    DefaultMfaMethod,
    PreferredMethod,
    Other,
    // Audit-log records (spec §4.3): Graph `directoryAudit` and Log Analytics `AuditLogs`.
    ActivityDisplayName,
    ActivityDateTime,
    CorrelationId,
    LoggedByService,
    Result,
    ResultReason,
    ResultDescription,
    OperationName,
    TimeGenerated,
    InitiatedBy,
    TargetResources,
    AdditionalDetails,
    /// A directory object's name (a group member; the reports write `userDisplayName`).
    DisplayName,
    MethodConfigurations,
    PolicyMigrationState,
}

/// Every key, in the order of declaration: `KEYS[key as usize] == key`.
const KEYS: [Key; 45] = [
    Key::Value,
    Key::Context,
    Key::ODataType,
    Key::Id,
    Key::UserName,
    Key::Name,
    Key::UserType,
    Key::IsAdmin,
    Key::IsSsprRegistered,
    Key::IsSsprEnabled,
    Key::IsSsprCapable,
    Key::IsRegistered,
    Key::IsEnabled,
    Key::IsCapable,
    Key::MethodsRegistered,
    Key::AuthMethods,
    Key::LastUpdated,
    Key::Feature,
    Key::IsSuccess,
    Key::AuthMethod,
    Key::FailureReason,
    Key::EventDateTime,
    Key::IsMfaRegistered,
    Key::IsMfaCapable,
    Key::IsPasswordlessCapable,
    Key::IsSystemPreferredEnabled,
    Key::SystemPreferredMethods,
    Key::DefaultMfaMethod,
    Key::PreferredMethod,
    Key::Other,
    Key::ActivityDisplayName,
    Key::ActivityDateTime,
    Key::CorrelationId,
    Key::LoggedByService,
    Key::Result,
    Key::ResultReason,
    Key::ResultDescription,
    Key::OperationName,
    Key::TimeGenerated,
    Key::InitiatedBy,
    Key::TargetResources,
    Key::AdditionalDetails,
    Key::DisplayName,
    Key::MethodConfigurations,
    Key::PolicyMigrationState,
];

/// The bit of [`Fields::written`] that stands for the nested members.
const NESTED_BIT: u32 = 63;
const _: () = assert!(KEYS.len() <= NESTED_BIT as usize);

/// The key a member name stands for (exact, case-sensitive: Graph's own spelling).
impl Key {
    /// An audit record's members that hold objects, read into [`Nested`].
    pub(super) fn is_nested(self) -> bool {
        matches!(
            self,
            Key::InitiatedBy | Key::TargetResources | Key::AdditionalDetails
        )
    }
}

pub(super) fn key_of(name: &[u8]) -> Key {
    match name {
        b"value" => Key::Value,
        b"@odata.context" => Key::Context,
        b"@odata.type" => Key::ODataType,
        b"id" => Key::Id,
        b"userPrincipalName" => Key::UserName,
        b"userDisplayName" => Key::Name,
        b"userType" => Key::UserType,
        b"isAdmin" => Key::IsAdmin,
        b"isSsprRegistered" => Key::IsSsprRegistered,
        b"isSsprEnabled" => Key::IsSsprEnabled,
        b"isSsprCapable" => Key::IsSsprCapable,
        b"isRegistered" => Key::IsRegistered,
        b"isEnabled" => Key::IsEnabled,
        b"isCapable" => Key::IsCapable,
        b"methodsRegistered" => Key::MethodsRegistered,
        b"authMethods" => Key::AuthMethods,
        b"lastUpdatedDateTime" => Key::LastUpdated,
        b"feature" => Key::Feature,
        b"isSuccess" => Key::IsSuccess,
        b"authMethod" => Key::AuthMethod,
        b"failureReason" => Key::FailureReason,
        b"eventDateTime" => Key::EventDateTime,
        b"Id" => Key::Id,
        b"activityDisplayName" => Key::ActivityDisplayName,
        b"activityDateTime" => Key::ActivityDateTime,
        b"correlationId" | b"CorrelationId" => Key::CorrelationId,
        b"loggedByService" | b"LoggedByService" => Key::LoggedByService,
        b"result" | b"Result" => Key::Result,
        b"resultReason" | b"ResultReason" => Key::ResultReason,
        b"ResultDescription" => Key::ResultDescription,
        b"OperationName" => Key::OperationName,
        b"TimeGenerated" => Key::TimeGenerated,
        b"initiatedBy" | b"InitiatedBy" => Key::InitiatedBy,
        b"targetResources" | b"TargetResources" => Key::TargetResources,
        b"additionalDetails" | b"AdditionalDetails" => Key::AdditionalDetails,
        b"displayName" => Key::DisplayName,
        b"authenticationMethodConfigurations" => Key::MethodConfigurations,
        b"policyMigrationState" => Key::PolicyMigrationState,
        b"isMfaRegistered" => Key::IsMfaRegistered,
        b"isMfaCapable" => Key::IsMfaCapable,
        b"isPasswordlessCapable" => Key::IsPasswordlessCapable,
        b"isSystemPreferredAuthenticationMethodEnabled" => Key::IsSystemPreferredEnabled,
        b"systemPreferredAuthenticationMethods" => Key::SystemPreferredMethods,
        b"defaultMfaMethod" => Key::DefaultMfaMethod,
        b"userPreferredMethodForSecondaryAuthentication" => Key::PreferredMethod,
        _ => Key::Other,
    }
}

/// The fields of one record, as read.
#[derive(Default)]
pub(super) struct Fields<'de> {
    pub odata_type: Val<'de>,
    pub id: Val<'de>,
    pub user_name: Val<'de>,
    pub name: Val<'de>,
    pub user_type: Val<'de>,
    pub is_admin: Val<'de>,
    pub sspr_registered: Val<'de>,
    pub sspr_enabled: Val<'de>,
    pub sspr_capable: Val<'de>,
    pub registered: Val<'de>,
    pub enabled: Val<'de>,
    pub capable: Val<'de>,
    pub methods_registered: Val<'de>,
    pub auth_methods: Val<'de>,
    pub last_updated: Val<'de>,
    pub feature: Val<'de>,
    pub is_success: Val<'de>,
    pub auth_method: Val<'de>,
    pub failure_reason: Val<'de>,
    pub event_time: Val<'de>,
    pub activity: Val<'de>,
    pub activity_time: Val<'de>,
    pub correlation_id: Val<'de>,
    pub service: Val<'de>,
    pub result: Val<'de>,
    pub result_reason: Val<'de>,
    pub result_description: Val<'de>,
    pub operation_name: Val<'de>,
    pub time_generated: Val<'de>,
    /// `initiatedBy`, `targetResources`, `additionalDetails` as given: JSON text (Log Analytics),
    /// null, or [`Val::Object`] when their members were read into `nested`.
    pub initiated_by: Val<'de>,
    pub target_resources: Val<'de>,
    pub additional_details: Val<'de>,
    pub nested: Nested<'de>,
    pub display_name: Val<'de>,
    pub method_configurations: Val<'de>,
    pub migration_state: Val<'de>,
    pub mfa_registered: Val<'de>,
    pub mfa_capable: Val<'de>,
    pub passwordless_capable: Val<'de>,
    pub system_preferred_enabled: Val<'de>,
    pub system_preferred_methods: Val<'de>,
    pub default_mfa_method: Val<'de>,
    pub preferred_method: Val<'de>,
    /// The fields given a value since the last [`Fields::clear`], one bit a key (and
    /// [`NESTED_BIT`] for `nested`): a record writes a few of the many fields, and resetting
    /// only those is what makes one `Fields` cheap to reuse from record to record.
    written: u64,
}

/// What an audit record's nested objects hold that is read (spec §4.3): the initiating user,
/// the first target, the `OnPremisesAgent` detail.
#[derive(Debug, Default)]
pub(super) struct Nested<'de> {
    pub actor_id: Val<'de>,
    pub actor_name: Val<'de>,
    pub actor_user_name: Val<'de>,
    pub actor_ip: Val<'de>,
    pub target_type: Val<'de>,
    pub target_id: Val<'de>,
    pub target_name: Val<'de>,
    pub target_user_name: Val<'de>,
    pub agent: Val<'de>,
}

impl Nested<'_> {
    /// Forgets what one nested member (`key`) gave.
    pub(super) fn clear(&mut self, key: Key) {
        match key {
            Key::InitiatedBy => {
                self.actor_id = Val::Absent;
                self.actor_name = Val::Absent;
                self.actor_user_name = Val::Absent;
                self.actor_ip = Val::Absent;
            }
            Key::TargetResources => {
                self.target_type = Val::Absent;
                self.target_id = Val::Absent;
                self.target_name = Val::Absent;
                self.target_user_name = Val::Absent;
            }
            Key::AdditionalDetails => self.agent = Val::Absent,
            _ => {}
        }
    }
}

impl<'de> Fields<'de> {
    /// The slot of a record field (`None` for the keys that are not record fields), marked as
    /// written.
    pub(super) fn slot(&mut self, key: Key) -> Option<&mut Val<'de>> {
        self.written |= 1 << key as u32;
        self.unmarked_slot(key)
    }

    /// What the nested members give, marked as written.
    pub(super) fn nested_mut(&mut self) -> &mut Nested<'de> {
        self.written |= 1 << NESTED_BIT;
        &mut self.nested
    }

    /// Begins reading a record into fields that may hold the last one's; what it returns goes to
    /// [`Fields::end_record`]. The nested members are reset now (a record writes some of them
    /// only); the other fields are left for `end_record`, as the next record is likely to write
    /// the same ones again.
    pub(super) fn begin_record(&mut self) -> u64 {
        if self.written & (1 << NESTED_BIT) != 0 {
            self.nested = Nested::default();
        }
        std::mem::take(&mut self.written) & !(1 << NESTED_BIT)
    }

    /// Ends a record begun with [`Fields::begin_record`], however its reading ended: the fields
    /// that held values before and that it did not write are reset, so that the fields hold what
    /// fresh ones would after reading it alone.
    pub(super) fn end_record(&mut self, before: u64) {
        self.reset(before & !self.written);
    }

    /// Resets the fields of the bits of `keys` (no nested one).
    fn reset(&mut self, mut keys: u64) {
        while keys != 0 {
            let key = KEYS[keys.trailing_zeros() as usize];
            keys &= keys - 1;
            if let Some(slot) = self.unmarked_slot(key) {
                slot.set(Val::Absent);
            }
        }
    }

    fn unmarked_slot(&mut self, key: Key) -> Option<&mut Val<'de>> {
        Some(match key {
            Key::ODataType => &mut self.odata_type,
            Key::Id => &mut self.id,
            Key::UserName => &mut self.user_name,
            Key::Name => &mut self.name,
            Key::UserType => &mut self.user_type,
            Key::IsAdmin => &mut self.is_admin,
            Key::IsSsprRegistered => &mut self.sspr_registered,
            Key::IsSsprEnabled => &mut self.sspr_enabled,
            Key::IsSsprCapable => &mut self.sspr_capable,
            Key::IsRegistered => &mut self.registered,
            Key::IsEnabled => &mut self.enabled,
            Key::IsCapable => &mut self.capable,
            Key::MethodsRegistered => &mut self.methods_registered,
            Key::AuthMethods => &mut self.auth_methods,
            Key::LastUpdated => &mut self.last_updated,
            Key::Feature => &mut self.feature,
            Key::IsSuccess => &mut self.is_success,
            Key::AuthMethod => &mut self.auth_method,
            Key::FailureReason => &mut self.failure_reason,
            Key::EventDateTime => &mut self.event_time,
            Key::ActivityDisplayName => &mut self.activity,
            Key::ActivityDateTime => &mut self.activity_time,
            Key::CorrelationId => &mut self.correlation_id,
            Key::LoggedByService => &mut self.service,
            Key::Result => &mut self.result,
            Key::ResultReason => &mut self.result_reason,
            Key::ResultDescription => &mut self.result_description,
            Key::OperationName => &mut self.operation_name,
            Key::TimeGenerated => &mut self.time_generated,
            Key::InitiatedBy => &mut self.initiated_by,
            Key::TargetResources => &mut self.target_resources,
            Key::AdditionalDetails => &mut self.additional_details,
            Key::DisplayName => &mut self.display_name,
            Key::MethodConfigurations => &mut self.method_configurations,
            Key::PolicyMigrationState => &mut self.migration_state,
            Key::IsMfaRegistered => &mut self.mfa_registered,
            Key::IsMfaCapable => &mut self.mfa_capable,
            Key::IsPasswordlessCapable => &mut self.passwordless_capable,
            Key::IsSystemPreferredEnabled => &mut self.system_preferred_enabled,
            Key::SystemPreferredMethods => &mut self.system_preferred_methods,
            Key::DefaultMfaMethod => &mut self.default_mfa_method,
            Key::PreferredMethod => &mut self.preferred_method,
            Key::Value | Key::Context | Key::Other => return None,
        })
    }
}

/// Where records go, and what was learned about the file on the way.
pub(super) struct Sink {
    pub batch: Batch,
    pub log: ErrorLog,
    /// Records met so far (good and bad), the number of the last one.
    pub record: usize,
    /// The line of the record being read, where lines mean records (NDJSON).
    pub line: Option<usize>,
    pub good: usize,
    pub bad: usize,
    pub users_current: usize,
    pub users_legacy: usize,
    pub events: usize,
    pub legacy_events_hint: bool,
    /// Audit-log records in each shape (read or skipped as of another service).
    pub audit_graph: usize,
    pub audit_log_analytics: usize,
    /// Group member rows and authentication methods policies read (what-if inputs).
    pub members: usize,
    pub policies: usize,
}

impl Sink {
    pub(super) fn new(name: &str) -> Sink {
        Sink {
            batch: Batch::new(name),
            log: ErrorLog::new(name),
            record: 0,
            line: None,
            good: 0,
            bad: 0,
            users_current: 0,
            users_legacy: 0,
            events: 0,
            legacy_events_hint: false,
            audit_graph: 0,
            audit_log_analytics: 0,
            members: 0,
            policies: 0,
        }
    }

    pub(super) fn note_context(&mut self, context: &str) {
        let lower = context.to_ascii_lowercase();
        if lower.contains("usercredentialusagedetails") {
            self.legacy_events_hint = true;
        }
    }

    pub(super) fn bad_record(&mut self, message: String) {
        self.bad += 1;
        self.log.push(self.line, None, Some(self.record), message);
    }

    pub(super) fn not_an_object(&mut self, what: &str) {
        self.record += 1;
        self.bad_record(format!("expected a record (a JSON object), found {what}."));
    }

    /// One record read whole: a user, an event, or one bad record.
    pub(super) fn record(&mut self, f: &Fields<'_>) {
        self.record += 1;
        if let Val::Str(t) = &f.odata_type {
            self.note_context(t);
        }
        if f.correlation_id.is_present()
            && (f.activity.is_present() || f.operation_name.is_present())
        {
            // An audit row (spec §4.3); one of another service is skipped, not an error.
            let log_analytics = !f.activity.is_present();
            match self.audit(f, log_analytics) {
                Ok(true) => self.good += 1,
                Ok(false) => {}
                Err(message) => self.bad_record(message),
            }
            return;
        }
        let is_event =
            f.event_time.is_present() || f.feature.is_present() || f.is_success.is_present();
        let is_user = f.sspr_registered.is_present()
            || f.registered.is_present()
            || f.methods_registered.is_present()
            || f.auth_methods.is_present();
        let outcome = if is_event {
            self.event(f)
        } else if is_user {
            self.user(f)
        } else if f.method_configurations.is_present() {
            self.methods_policy(f)
        } else if is_member(f) {
            self.member(f)
        } else {
            Err("has neither the fields of a registration detail (isSsprRegistered, methodsRegistered…) nor of an event (eventDateTime, feature, isSuccess…), and is no group member (@odata.type, displayName) nor an authentication methods policy.".to_string())
        };
        match outcome {
            Ok(()) => self.good += 1,
            Err(message) => self.bad_record(message),
        }
    }

    fn user(&mut self, f: &Fields<'_>) -> Result<(), String> {
        let legacy = !f.sspr_registered.is_present() && f.registered.is_present();
        let (registered, enabled, capable) = if legacy {
            (
                ("isRegistered", &f.registered),
                ("isEnabled", &f.enabled),
                ("isCapable", &f.capable),
            )
        } else {
            (
                ("isSsprRegistered", &f.sspr_registered),
                ("isSsprEnabled", &f.sspr_enabled),
                ("isSsprCapable", &f.sspr_capable),
            )
        };
        let registered = required_bool(registered.0, registered.1)?;
        let enabled = required_bool(enabled.0, enabled.1)?;
        let capable = optional_bool(capable.0, capable.1)?;
        let is_admin = optional_bool("isAdmin", &f.is_admin)?;
        let id = text("id", &f.id)?;
        let user_name = text("userPrincipalName", &f.user_name)?;
        let name = text("userDisplayName", &f.name)?;
        let user_type = UserType::parse(text("userType", &f.user_type)?);
        let (methods_key, methods) = if f.methods_registered.is_present() {
            ("methodsRegistered", &f.methods_registered)
        } else {
            ("authMethods", &f.auth_methods)
        };
        let methods: &[Cow<'_, str>] = match methods {
            Val::Strs(list) => list,
            Val::Absent | Val::Null => &[],
            other => {
                return Err(format!(
                    "{methods_key} is {}, expected a list of method names.",
                    other.describe()
                ))
            }
        };
        let last_updated = match &f.last_updated {
            Val::Str(s) if !trimmed(s).is_empty() => {
                let t = parse_time(s);
                if t.is_none() {
                    self.batch.note_malformed_time();
                }
                t
            }
            Val::Absent | Val::Null | Val::Str(_) => None,
            other => {
                return Err(format!(
                    "lastUpdatedDateTime is {}, expected a date-time.",
                    other.describe()
                ))
            }
        };
        let (mfa, system_preferred) = mfa_fields(f)?;
        if legacy {
            self.users_legacy += 1;
        } else {
            self.users_current += 1;
        }
        self.batch.push_user(
            &UserInput {
                id,
                user_name,
                name,
                user_type,
                is_admin,
                registered,
                enabled,
                capable,
                last_updated,
            },
            methods.iter(),
        );
        if mfa != MfaInput::default() || system_preferred.is_some() {
            self.batch.push_user_mfa(&mfa, system_preferred);
        }
        Ok(())
    }

    fn event(&mut self, f: &Fields<'_>) -> Result<(), String> {
        let time = match &f.event_time {
            Val::Str(s) => parse_time(s).ok_or_else(|| {
                format!(
                    "eventDateTime {} is not a valid date-time.",
                    f.event_time.describe()
                )
            })?,
            other => {
                return Err(format!(
                    "eventDateTime is {}, expected a date-time.",
                    other.describe()
                ))
            }
        };
        let feature = match &f.feature {
            Val::Str(s) => Feature::parse(s).ok_or_else(|| {
                format!(
                    "feature is {}, expected registration or reset.",
                    f.feature.describe()
                )
            })?,
            other => {
                return Err(format!(
                    "feature is {}, expected registration or reset.",
                    other.describe()
                ))
            }
        };
        let success = required_bool("isSuccess", &f.is_success)?;
        let event = EventInput {
            id: text("id", &f.id)?,
            time,
            user_name: text("userPrincipalName", &f.user_name)?,
            name: text("userDisplayName", &f.name)?,
            feature,
            status: if success {
                Status::Success
            } else {
                Status::Failure
            },
            method: text("authMethod", &f.auth_method)?,
            failure_reason: text("failureReason", &f.failure_reason)?,
        };
        self.events += 1;
        self.batch.push_event(&event);
        Ok(())
    }
}

/// A record's MFA fields, and its system-preferred methods when it carries them.
type MfaFields<'v, 'de> = (MfaInput<'v>, Option<&'v [Cow<'de, str>]>);

/// The MFA fields of a user record (spec §3.7): each `None` when the record does not carry it
/// (absent or `null`), so that it stays unknown, never false.
fn mfa_fields<'v, 'de>(f: &'v Fields<'de>) -> Result<MfaFields<'v, 'de>, String> {
    let method = |key: &str, v: &'v Val<'_>| match v {
        Val::Absent | Val::Null => Ok(None),
        Val::Str(s) => Ok(Some(&**s)),
        other => Err(format!(
            "{key} is {}, expected a method name.",
            other.describe()
        )),
    };
    let system_preferred = match &f.system_preferred_methods {
        Val::Absent | Val::Null => None,
        Val::Strs(list) => Some(list.as_slice()),
        other => {
            return Err(format!(
                "systemPreferredAuthenticationMethods is {}, expected a list of method names.",
                other.describe()
            ))
        }
    };
    let mfa = MfaInput {
        mfa_registered: optional_bool("isMfaRegistered", &f.mfa_registered)?,
        mfa_capable: optional_bool("isMfaCapable", &f.mfa_capable)?,
        passwordless_capable: optional_bool("isPasswordlessCapable", &f.passwordless_capable)?,
        system_preferred_enabled: optional_bool(
            "isSystemPreferredAuthenticationMethodEnabled",
            &f.system_preferred_enabled,
        )?,
        default_method: method("defaultMfaMethod", &f.default_mfa_method)?,
        preferred_method: method(
            "userPreferredMethodForSecondaryAuthentication",
            &f.preferred_method,
        )?,
    };
    Ok((mfa, system_preferred))
}

/// A text field's text (`""` when absent or null). Inline, with the message out of line: a
/// record reads several, and each call returned its `Result` through the stack.
#[inline(always)]
pub(super) fn text<'v>(key: &str, v: &'v Val<'_>) -> Result<&'v str, String> {
    match v {
        Val::Str(s) => Ok(s),
        Val::Absent | Val::Null => Ok(""),
        other => Err(not_text(key, other)),
    }
}

#[cold]
#[inline(never)]
fn not_text(key: &str, v: &Val<'_>) -> String {
    format!("{key} is {}, expected text.", v.describe())
}

/// A true/false field (`None` when absent or null; yes/no texts too). Inline, as [`text`].
#[inline(always)]
fn optional_bool(key: &str, v: &Val<'_>) -> Result<Option<bool>, String> {
    match v {
        Val::Bool(b) => Ok(Some(*b)),
        Val::Absent | Val::Null => Ok(None),
        Val::Str(s) => parse_yes_no(s).map(Some).ok_or_else(|| not_bool(key, v)),
        other => Err(not_bool(key, other)),
    }
}

#[cold]
#[inline(never)]
fn not_bool(key: &str, v: &Val<'_>) -> String {
    format!("{key} is {}, expected true or false.", v.describe())
}

#[inline(always)]
fn required_bool(key: &str, v: &Val<'_>) -> Result<bool, String> {
    optional_bool(key, v)?.ok_or_else(|| not_bool(key, v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_table_is_in_the_order_of_declaration() {
        for (i, &key) in KEYS.iter().enumerate() {
            assert_eq!(key as usize, i, "{key:?}");
        }
    }

    #[test]
    fn a_record_that_writes_nothing_resets_every_field_the_last_wrote() {
        let mut fields = Fields::default();
        for &key in &KEYS {
            if let Some(slot) = fields.slot(key) {
                *slot = Val::Str(Cow::Owned(format!("{key:?}")));
            }
        }
        fields.nested_mut().actor_id = Val::Bool(true);
        fields.nested_mut().agent = Val::Null;
        let before = fields.begin_record();
        fields.end_record(before);
        for &key in &KEYS {
            if let Some(slot) = fields.unmarked_slot(key) {
                assert!(!slot.is_present(), "{key:?} kept {slot:?}");
            }
        }
        assert_eq!(
            format!("{:?}", fields.nested),
            format!("{:?}", Nested::default())
        );
        assert_eq!(fields.written, 0);
    }

    #[test]
    fn a_record_read_over_the_last_keeps_only_what_it_wrote() {
        let mut fields = Fields::default();
        for &key in &KEYS {
            if let Some(slot) = fields.slot(key) {
                *slot = Val::Bool(true);
            }
        }
        fields.nested_mut().target_id = Val::Null;
        let before = fields.begin_record();
        assert_eq!(
            format!("{:?}", fields.nested),
            format!("{:?}", Nested::default())
        );
        *fields.slot(Key::Id).unwrap() = Val::Null;
        fields.end_record(before);
        for &key in &KEYS {
            if let Some(slot) = fields.unmarked_slot(key) {
                assert_eq!(slot.is_present(), key == Key::Id, "{key:?}");
            }
        }
    }
}
