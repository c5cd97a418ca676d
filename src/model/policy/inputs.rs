//! The files the what-if screen uses beside the registration details (spec §4.2): a group's member
//! list (Graph's `/groups/{id}/members` or `/transitiveMembers` pages, or the portal's members
//! download) and the tenant's authentication methods policy (Graph's
//! `/policies/authenticationMethodsPolicy`). Their own small types: the importer fills them, the
//! wire form carries them from the worker, the page holds them beside the dataset. Here they are
//! matched against a dataset (members by id, then by user name; hashed, never compared pairwise)
//! and the policy's configurations are mapped to the methods they make usable (spec §9.8).

use rustc_hash::FxHashMap;

use super::PolicyMethod;
use crate::model::batch::Batch;
use crate::model::dataset::Dataset;
use crate::model::method::Method;
use crate::model::strings::StrTable;

/// What a row of a member list is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemberKind {
    User,
    /// A nested group: its own members are in `/transitiveMembers`, not in `/members`.
    Group,
    /// A device, a service principal, a contact…: nothing that resets a password.
    Other,
}

impl MemberKind {
    /// From Graph's `@odata.type` (`#microsoft.graph.user`) or the portal's member type column
    /// (`User`, `Group`, `Device`…), any case; empty means a user (a list of users only).
    ///
    /// ```
    /// use sspr_insights::model::policy::MemberKind;
    /// assert_eq!(MemberKind::parse("#microsoft.graph.user"), MemberKind::User);
    /// assert_eq!(MemberKind::parse("Group"), MemberKind::Group);
    /// assert_eq!(MemberKind::parse("#microsoft.graph.device"), MemberKind::Other);
    /// assert_eq!(MemberKind::parse(""), MemberKind::User);
    /// ```
    pub fn parse(text: &str) -> MemberKind {
        let text = text.trim();
        let name = text
            .rsplit('.')
            .next()
            .unwrap_or(text)
            .trim_start_matches('#');
        if name.is_empty() || name.eq_ignore_ascii_case("user") {
            MemberKind::User
        } else if name.eq_ignore_ascii_case("group") {
            MemberKind::Group
        } else {
            MemberKind::Other
        }
    }

    /// Whether Graph's `@odata.type` names a directory object (what a member list holds).
    ///
    /// ```
    /// use sspr_insights::model::policy::MemberKind;
    /// assert!(MemberKind::is_directory_type("#microsoft.graph.servicePrincipal"));
    /// assert!(!MemberKind::is_directory_type("#microsoft.graph.userRegistrationDetails"));
    /// ```
    pub fn is_directory_type(odata_type: &str) -> bool {
        const TYPES: [&str; 6] = [
            "user",
            "group",
            "device",
            "serviceprincipal",
            "orgcontact",
            "application",
        ];
        let lower = odata_type.trim().to_ascii_lowercase();
        lower
            .strip_prefix("#microsoft.graph.")
            .or_else(|| lower.strip_prefix("microsoft.graph."))
            .is_some_and(|name| TYPES.contains(&name))
    }

    pub(crate) fn code(self) -> u8 {
        self as u8
    }

    pub(crate) fn from_code(code: u8) -> Option<MemberKind> {
        [MemberKind::User, MemberKind::Group, MemberKind::Other]
            .get(code as usize)
            .copied()
    }
}

/// One row of a member list, as read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemberRow<'a> {
    /// The object id (may be empty in a CSV without that column).
    pub id: &'a str,
    pub user_name: &'a str,
    pub name: &'a str,
    pub kind: MemberKind,
}

/// A group's member list: every row of every file of one upload, in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemberList {
    /// The files it came from.
    pub(crate) sources: Vec<String>,
    pub(crate) ids: StrTable,
    pub(crate) user_names: StrTable,
    pub(crate) names: StrTable,
    /// [`MemberKind::code`] per row.
    pub(crate) kinds: Vec<u8>,
}

impl MemberList {
    pub fn push(&mut self, row: &MemberRow<'_>) {
        self.ids.push(row.id);
        self.user_names.push(row.user_name);
        self.names.push(row.name);
        self.kinds.push(row.kind.code());
    }

    /// Names a file the rows come from (once, however many rows it has).
    pub fn note_source(&mut self, name: &str) {
        if self.sources.last().map(String::as_str) != Some(name) {
            self.sources.push(name.to_string());
        }
    }

    pub fn len(&self) -> usize {
        self.kinds.len()
    }

    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty()
    }

    pub fn sources(&self) -> &[String] {
        &self.sources
    }

    /// The row at `index` (an empty user row beyond the end).
    pub fn row(&self, index: u32) -> MemberRow<'_> {
        MemberRow {
            id: self.ids.get(index),
            user_name: self.user_names.get(index),
            name: self.names.get(index),
            kind: self
                .kinds
                .get(index as usize)
                .and_then(|&k| MemberKind::from_code(k))
                .unwrap_or(MemberKind::User),
        }
    }

    /// Appends the rows of `next` (the next part or file of the same upload).
    pub fn append(&mut self, next: MemberList) {
        for source in &next.sources {
            self.note_source(source);
        }
        for i in 0..next.len() as u32 {
            self.push(&next.row(i));
        }
    }

    /// Matches the rows with the users of `ds`: by object id first, then by user name
    /// (case-insensitive). Rows that are groups or other objects are counted, not matched.
    ///
    /// ```
    /// use sspr_insights::model::policy::{MemberKind, MemberList, MemberRow};
    /// use sspr_insights::model::{import_file, AsOf, Dataset, SourceKind};
    /// let page = br#"{"value":[{"id":"1","userPrincipalName":"Ann@x","isSsprRegistered":true,"isSsprEnabled":true}]}"#;
    /// let ds = Dataset::build(vec![import_file("u.json", page).batch], AsOf::Newest, SourceKind::Uploaded);
    /// let mut list = MemberList::default();
    /// list.push(&MemberRow { id: "", user_name: "ann@X", name: "", kind: MemberKind::User });
    /// list.push(&MemberRow { id: "9", user_name: "zed@x", name: "Zed", kind: MemberKind::User });
    /// let matched = list.resolve(&ds);
    /// assert_eq!(matched.in_group, vec![true]);
    /// assert_eq!((matched.by_id, matched.by_user_name, matched.unmatched.clone()), (0, 1, vec![1]));
    /// ```
    pub fn resolve(&self, ds: &Dataset) -> GroupMatch {
        let mut by_id: FxHashMap<&str, u32> = FxHashMap::default();
        let mut by_name: FxHashMap<String, u32> = FxHashMap::default();
        by_id.reserve(ds.user_count());
        by_name.reserve(ds.user_count());
        for user in ds.users() {
            if !user.id().is_empty() {
                by_id.entry(user.id()).or_insert(user.index());
            }
            if !user.user_name().is_empty() {
                by_name
                    .entry(user.user_name().to_lowercase())
                    .or_insert(user.index());
            }
        }
        let mut out = GroupMatch {
            in_group: vec![false; ds.user_count()],
            ..GroupMatch::default()
        };
        let mut lower = String::new();
        for i in 0..self.len() as u32 {
            let row = self.row(i);
            match row.kind {
                MemberKind::Group => {
                    out.groups += 1;
                    continue;
                }
                MemberKind::Other => {
                    out.others += 1;
                    continue;
                }
                MemberKind::User => {}
            }
            let found = if let Some(&u) = by_id.get(row.id.trim()) {
                out.by_id += 1;
                Some(u)
            } else {
                lower.clear();
                lower.push_str(&row.user_name.trim().to_lowercase());
                match by_name.get(lower.as_str()) {
                    Some(&u) if !lower.is_empty() => {
                        out.by_user_name += 1;
                        Some(u)
                    }
                    _ => None,
                }
            };
            match found {
                Some(u) => {
                    let slot = &mut out.in_group[u as usize];
                    out.users += usize::from(!*slot);
                    *slot = true;
                }
                None => out.unmatched.push(i),
            }
        }
        out
    }
}

/// How a member list matched the loaded users.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupMatch {
    /// One flag per dataset user: in the group.
    pub in_group: Vec<bool>,
    /// Distinct loaded users in the group.
    pub users: usize,
    /// User rows matched by object id, and (the rest) by user name.
    pub by_id: usize,
    pub by_user_name: usize,
    /// The user rows (list indexes) that match no loaded user.
    pub unmatched: Vec<u32>,
    /// Rows that are nested groups, and other objects (devices, service principals…).
    pub groups: usize,
    pub others: usize,
}

/// One method configuration of the authentication methods policy, as far as the what-if needs it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MethodConfiguration {
    /// Graph's configuration id: `Sms`, `Voice`, `Email`, `MicrosoftAuthenticator`…
    pub id: String,
    /// `state` is `enabled`.
    pub enabled: bool,
    /// Voice: `isOfficePhoneAllowed`.
    pub office_phone_allowed: Option<bool>,
    /// Microsoft Authenticator: `isSoftwareOathEnabled` (its one-time codes).
    pub software_oath_enabled: Option<bool>,
    /// Whether `includeTargets` names `all_users` (`None`: the configuration lists no targets).
    pub all_users: Option<bool>,
    /// How many targets `excludeTargets` names.
    pub excluded: usize,
}

/// The tenant's authentication methods policy.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MethodsPolicy {
    /// The file it came from.
    pub source: String,
    /// `policyMigrationState`: `preMigration`, `migrationInProgress`, `migrationComplete` (empty
    /// when the file does not say).
    pub migration_state: String,
    pub configurations: Vec<MethodConfiguration>,
}

/// What else a configuration must allow for a method to count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Needs {
    Nothing,
    /// Voice's `isOfficePhoneAllowed`.
    OfficePhone,
    /// Microsoft Authenticator's `isSoftwareOathEnabled`.
    SoftwareOath,
}

/// The configurations through which a registered method is usable (spec §9.8): it counts when
/// one of them allows it. Methods without a row (security questions, Windows Hello for
/// Business, unknown names) are not in the authentication methods policy.
const WAYS: [(Method, &[(&str, Needs)]); 13] = [
    (
        Method::AppNotification,
        &[("MicrosoftAuthenticator", Needs::Nothing)],
    ),
    (
        Method::AppCode,
        &[
            ("SoftwareOath", Needs::Nothing),
            ("MicrosoftAuthenticator", Needs::SoftwareOath),
        ],
    ),
    (
        Method::Passwordless,
        &[("MicrosoftAuthenticator", Needs::Nothing)],
    ),
    (Method::Sms, &[("Sms", Needs::Nothing)]),
    (Method::PhoneCall, &[("Voice", Needs::Nothing)]),
    (
        Method::MobilePhone,
        &[("Sms", Needs::Nothing), ("Voice", Needs::Nothing)],
    ),
    (Method::AlternateMobilePhone, &[("Voice", Needs::Nothing)]),
    (Method::OfficePhone, &[("Voice", Needs::OfficePhone)]),
    (Method::Email, &[("Email", Needs::Nothing)]),
    (Method::HardwareOath, &[("HardwareOath", Needs::Nothing)]),
    (Method::Fido2, &[("Fido2", Needs::Nothing)]),
    (
        Method::TemporaryAccessPass,
        &[("TemporaryAccessPass", Needs::Nothing)],
    ),
    (Method::Certificate, &[("X509Certificate", Needs::Nothing)]),
];

/// A configuration id as the portal names it.
fn configuration_label(id: &str) -> &str {
    const LABELS: [(&str, &str); 10] = [
        ("MicrosoftAuthenticator", "Microsoft Authenticator"),
        ("SoftwareOath", "Third-party software OATH tokens"),
        ("Sms", "SMS"),
        ("Voice", "Voice call"),
        ("Email", "Email OTP"),
        ("HardwareOath", "Hardware OATH tokens"),
        ("Fido2", "Passkey (FIDO2)"),
        ("TemporaryAccessPass", "Temporary Access Pass"),
        ("X509Certificate", "Certificate-based authentication"),
        ("QRCodePin", "QR code"),
    ];
    LABELS
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(id))
        .map_or(id, |(_, label)| label)
}

/// How one SSPR method group fares under the authentication methods policy, for the screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SsprMethodState {
    pub group: PolicyMethod,
    /// Some registered method of the group still counts.
    pub counts: bool,
    /// Why, in the admin's words: "SMS enabled, Voice call disabled".
    pub because: String,
}

impl MethodsPolicy {
    /// The configuration with this id (any case).
    pub fn configuration(&self, id: &str) -> Option<&MethodConfiguration> {
        self.configurations
            .iter()
            .find(|c| c.id.eq_ignore_ascii_case(id))
    }

    /// Whether one way of using a method is open: its configuration is enabled (or not in the
    /// file: only what the policy says is off takes a method away) with the setting it needs.
    fn allows(&self, id: &str, needs: Needs) -> bool {
        let Some(c) = self.configuration(id) else {
            return true;
        };
        c.enabled
            && match needs {
                Needs::Nothing => true,
                Needs::OfficePhone => c.office_phone_allowed != Some(false),
                Needs::SoftwareOath => c.software_oath_enabled != Some(false),
            }
    }

    /// Whether a registered method counts under this policy.
    ///
    /// ```
    /// use sspr_insights::model::policy::{MethodConfiguration, MethodsPolicy};
    /// use sspr_insights::model::Method;
    /// let sms_off = MethodsPolicy {
    ///     configurations: vec![MethodConfiguration { id: "Sms".into(), enabled: false, ..Default::default() }],
    ///     ..Default::default()
    /// };
    /// assert!(!sms_off.counts(&Method::Sms));
    /// assert!(sms_off.counts(&Method::MobilePhone), "a mobile number still takes a call");
    /// assert!(sms_off.counts(&Method::SecurityQuestions), "not in the policy");
    /// ```
    pub fn counts(&self, method: &Method) -> bool {
        match WAYS.iter().find(|(m, _)| m == method) {
            Some((_, ways)) => ways.iter().any(|&(id, needs)| self.allows(id, needs)),
            None => true,
        }
    }

    /// The canonical methods this policy stops from counting (for [`super::Policy::not_counted`]).
    pub fn not_counted(&self) -> Vec<Method> {
        Method::CANONICAL
            .iter()
            .filter(|m| !self.counts(m))
            .cloned()
            .collect()
    }

    /// Per SSPR method group: whether it still counts, and which configurations say so.
    pub fn sspr_groups(&self) -> Vec<SsprMethodState> {
        PolicyMethod::ALL
            .iter()
            .map(|&group| {
                let methods: Vec<&(Method, &[(&str, Needs)])> = WAYS
                    .iter()
                    .filter(|(m, _)| PolicyMethod::of(m) == Some(group))
                    .collect();
                if methods.is_empty() {
                    return SsprMethodState {
                        group,
                        counts: true,
                        because: "not in the authentication methods policy".to_string(),
                    };
                }
                let mut ids: Vec<&str> = Vec::new();
                for (_, ways) in &methods {
                    for (id, _) in ways.iter() {
                        if !ids.contains(id) {
                            ids.push(id);
                        }
                    }
                }
                let because: Vec<String> = ids
                    .iter()
                    .map(|id| {
                        let state = match self.configuration(id) {
                            None => "not in the file",
                            Some(c) if !c.enabled => "disabled",
                            Some(c) if group == PolicyMethod::OfficePhone => {
                                if c.office_phone_allowed == Some(false) {
                                    "enabled, office phones not allowed"
                                } else {
                                    "enabled"
                                }
                            }
                            // Its one-time codes are a setting of their own.
                            Some(c)
                                if group == PolicyMethod::MobileAppCode
                                    && c.software_oath_enabled == Some(false) =>
                            {
                                "enabled, its codes not allowed"
                            }
                            Some(_) => "enabled",
                        };
                        format!("{} {state}", configuration_label(id))
                    })
                    .collect();
                SsprMethodState {
                    group,
                    counts: methods.iter().any(|(m, _)| self.counts(m)),
                    because: because.join(", "),
                }
            })
            .collect()
    }

    /// The enabled configurations that only some users may use (targeted at groups, or with
    /// exclusions): counted as if everyone could, since the app does not know those groups.
    pub fn partly_targeted(&self) -> Vec<&str> {
        self.configurations
            .iter()
            .filter(|c| c.enabled && (c.all_users == Some(false) || c.excluded > 0))
            .map(|c| configuration_label(&c.id))
            .collect()
    }
}

/// What the what-if screen may use beside the registration details.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PolicyInputs {
    pub members: Option<MemberList>,
    pub methods_policy: Option<MethodsPolicy>,
}

impl PolicyInputs {
    pub fn is_empty(&self) -> bool {
        self.members.is_none() && self.methods_policy.is_none()
    }

    /// Adds what `next` holds, read after these (the next part or file of one upload): member
    /// rows are appended, a later methods policy takes the place of an earlier one.
    pub fn append(&mut self, next: PolicyInputs) {
        if let Some(members) = next.members {
            match &mut self.members {
                Some(mine) => mine.append(members),
                None => self.members = Some(members),
            }
        }
        if next.methods_policy.is_some() {
            self.methods_policy = next.methods_policy;
        }
    }

    /// After a load: each input `newer` holds takes the place of the one held (a new member list
    /// replaces the old one); the others stay.
    pub fn replace_with(&mut self, newer: PolicyInputs) {
        if newer.members.is_some() {
            self.members = newer.members;
        }
        if newer.methods_policy.is_some() {
            self.methods_policy = newer.methods_policy;
        }
    }

    /// Takes the inputs out of `batches`, in order (they are not registration data: the
    /// dataset is built from what is left).
    pub fn take_from(batches: &mut [Batch]) -> PolicyInputs {
        let mut out = PolicyInputs::default();
        for batch in batches {
            out.append(std::mem::take(&mut batch.inputs));
        }
        out
    }
}
