//! The sample tenant's audit log (spec §4.3): self-service reset attempts step by step, admin
//! resets, password changes and security-info rows of the same people, as Graph
//! `directoryAudit` records (the portal's JSON download) or the portal's CSV download of the
//! same rows. Its own random stream, so the users and events stay as they were; the same spec
//! gives the same rows.

use serde::Serialize;

use super::{Person, Rng, SampleSpec};
use crate::model::time::{format_utc, Millis, DAY, HOUR};

const SSPR: &str = "Self-service Password Management";
const METHODS: &str = "Authentication Methods";
const FLOW: &str = "Self-service password reset flow activity progress";

/// One generated row, before it is written out.
struct Row {
    id: String,
    time: Millis,
    correlation: String,
    service: &'static str,
    activity: &'static str,
    result: &'static str,
    reason: String,
    /// The person the row is about (index into the people).
    target: usize,
    /// Who did it: the target itself, or the helpdesk.
    by_helpdesk: bool,
    ip: String,
    agent: Option<&'static str>,
}

/// The verification options as the reasons name them, with their weights, how often each is
/// completed, and the block reason of those that block.
const OPTIONS: [(&str, u32, f64, Option<&str>); 7] = [
    (
        "mobile SMS",
        30,
        0.86,
        Some("User entered too many invalid SMS verification codes and is blocked for 24 hours"),
    ),
    ("email", 24, 0.90, None),
    ("mobile app notification", 16, 0.93, None),
    ("mobile app code", 10, 0.91, None),
    (
        "mobile voice call",
        8,
        0.80,
        Some(
            "User tried mobile phone voice verification too many times and is blocked for 24 hours",
        ),
    ),
    (
        "office voice call",
        4,
        0.78,
        Some(
            "User tried office phone voice verification too many times and is blocked for 24 hours",
        ),
    ),
    (
        "security questions",
        8,
        0.72,
        Some("User tried to answer security questions too many times and is blocked for 24 hours"),
    ),
];

const REGISTERED: [(&str, u32); 8] = [
    ("Mobile Phone SMS", 24),
    ("Authenticator App with Notification and Code", 26),
    ("Email", 14),
    ("Office Phone", 4),
    ("Alternate Mobile Phone", 4),
    ("Security Questions", 6),
    ("Fido2 Security Key", 5),
    ("Software OATH token", 5),
];

const CHANGES: [(&str, u32); 4] = [
    ("User changed default security info", 10),
    ("User updated security info", 6),
    ("User deleted security info", 4),
    ("Admin updated security info", 2),
];

const AGENTS: [(&str, u32); 3] = [
    ("None", 5),
    ("Microsoft Entra Connect", 4),
    ("CloudSync", 1),
];

/// How an attempt is to end.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ending {
    /// As chance has it.
    Natural,
    /// With a reset.
    Reset,
    /// Blocked at the SMS codes.
    Block,
}

/// The address a person resets from at home (private addresses, unique per person).
fn home_ip(person: usize) -> String {
    format!(
        "172.{}.{}.{}",
        16 + (person >> 16) % 16,
        (person >> 8) & 255,
        person & 255
    )
}

struct Generator<'p> {
    rng: Rng,
    people: &'p [Person],
    rows: Vec<Row>,
    /// Rows of another service (`Core Directory`), skipped by the importer.
    others: Vec<Row>,
    start: Millis,
    end: Millis,
}

impl Generator<'_> {
    /// A time in the window, more of them in working hours.
    fn time(&mut self) -> Millis {
        let span = (self.end - self.start).max(1) as usize;
        let mut t = self.start + self.rng.below(span) as Millis;
        let hour = t.rem_euclid(DAY) / HOUR;
        if !(7..=19).contains(&hour) && self.rng.chance(0.5) {
            t -= 12 * HOUR;
        }
        t.clamp(self.start, self.end)
    }

    fn person(&mut self) -> usize {
        self.rng.below(self.people.len())
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        time: Millis,
        correlation: &str,
        service: &'static str,
        activity: &'static str,
        result: &'static str,
        reason: impl Into<String>,
        target: usize,
        ip: &str,
    ) {
        let id = format!("Sspr_{}_{}", correlation, self.rows.len());
        self.rows.push(Row {
            id,
            time: time.min(self.end),
            correlation: correlation.to_string(),
            service,
            activity,
            result,
            reason: reason.into(),
            target,
            by_helpdesk: false,
            ip: ip.to_string(),
            agent: None,
        });
    }

    /// One self-service attempt of `who` from `ip` at `t`, step by step, ending as `ending` says.
    fn attempt(&mut self, who: usize, ip: &str, mut t: Millis, ending: Ending) {
        let succeed = ending == Ending::Reset;
        let forced = ending != Ending::Natural;
        let c = self.rng.guid();
        let step = |rng: &mut Rng, t: &mut Millis, max_s: usize| {
            *t += 1000 * (2 + rng.below(max_s)) as Millis;
            *t
        };
        self.push(
            t,
            &c,
            SSPR,
            FLOW,
            "success",
            "User submitted their user ID",
            who,
            ip,
        );
        let (enabled, guest) = (self.people[who].enabled, self.people[who].guest);
        if !forced && (!enabled || guest) {
            let t = step(&mut self.rng, &mut t, 5);
            return self.push(t, &c, SSPR, FLOW, "failure", "Password reset is not enabled for this user. Contact your admin to enable password reset", who, ip);
        }
        if !forced && self.rng.chance(0.04) {
            let t = step(&mut self.rng, &mut t, 5);
            return self.push(t, &c, SSPR, FLOW, "failure", "User's account has insufficient authentication methods defined. Add authentication info to resolve this", who, ip);
        }
        if !forced && self.rng.chance(0.06) {
            let t = step(&mut self.rng, &mut t, 120);
            return self.push(
                t,
                &c,
                SSPR,
                FLOW,
                "failure",
                "User abandoned after entering their user ID",
                who,
                ip,
            );
        }
        let tt = step(&mut self.rng, &mut t, 5);
        self.push(
            tt,
            &c,
            SSPR,
            FLOW,
            "success",
            "User was presented with verification options",
            who,
            ip,
        );
        let needed = if self.rng.chance(0.3) { 2 } else { 1 };
        let mut used: Vec<usize> = Vec::new();
        for _ in 0..needed {
            let weights: Vec<(usize, u32)> =
                OPTIONS.iter().enumerate().map(|(i, o)| (i, o.1)).collect();
            let mut pick = if ending == Ending::Block {
                0
            } else {
                *self.rng.weighted(&weights)
            };
            if used.contains(&pick) {
                pick = (pick + 1) % OPTIONS.len();
            }
            used.push(pick);
            let (x, _, complete_p, block) = OPTIONS[pick];
            let tt = step(&mut self.rng, &mut t, 20);
            self.push(
                tt,
                &c,
                SSPR,
                FLOW,
                "success",
                format!("User started the {x} verification option"),
                who,
                ip,
            );
            let tt = step(&mut self.rng, &mut t, 90);
            if succeed || (ending == Ending::Natural && self.rng.chance(complete_p)) {
                self.push(
                    tt,
                    &c,
                    SSPR,
                    FLOW,
                    "success",
                    format!("User completed the {x} verification option"),
                    who,
                    ip,
                );
                continue;
            }
            let end = if ending == Ending::Block {
                0
            } else {
                self.rng.below(100)
            };
            match (end, block) {
                (0..=29, Some(reason)) => {
                    self.push(tt, &c, SSPR, FLOW, "failure", reason, who, ip);
                    let tt = step(&mut self.rng, &mut t, 3);
                    self.push(
                        tt,
                        &c,
                        SSPR,
                        "Blocked from self-service password reset",
                        "success",
                        "",
                        who,
                        ip,
                    );
                }
                (0..=54, _) => self.push(
                    tt,
                    &c,
                    SSPR,
                    FLOW,
                    "failure",
                    format!("User abandoned after starting the {x} verification option"),
                    who,
                    ip,
                ),
                (55..=79, _) => self.push(
                    tt,
                    &c,
                    SSPR,
                    FLOW,
                    "failure",
                    "User canceled before passing the required authentication methods",
                    who,
                    ip,
                ),
                _ => {
                    let x = if x == "security questions" {
                        "security question"
                    } else {
                        x
                    };
                    self.push(
                        tt,
                        &c,
                        SSPR,
                        FLOW,
                        "failure",
                        format!("User contacted an admin after trying the {x} verification option"),
                        who,
                        ip,
                    )
                }
            }
            return;
        }
        // The new password.
        let tt = step(&mut self.rng, &mut t, 60);
        let end = if succeed { 99 } else { self.rng.below(100) };
        match end {
            0..=3 => self.push(tt, &c, SSPR, FLOW, "failure", "User abandoned before selecting a new password", who, ip),
            4..=5 => self.push(tt, &c, SSPR, FLOW, "failure", "User canceled before submitting a new password", who, ip),
            6..=7 => self.push(tt, &c, SSPR, FLOW, "failure", "We encountered a problem while resetting the user's on-premises password. Check the on-premises password writeback", who, ip),
            8..=11 => self.push(tt, &c, SSPR, "Unlock user account (self-service)", "success", "User unlocked their account", who, ip),
            _ => {
                self.push(tt, &c, SSPR, FLOW, "success", "User successfully reset password", who, ip);
                let tt = step(&mut self.rng, &mut t, 3);
                self.push(tt, &c, SSPR, "Reset password (self-service)", "success", "Successfully completed reset.", who, ip);
            }
        }
    }

    fn admin_reset(&mut self) {
        let who = self.person();
        let t = self.time();
        let c = self.rng.guid();
        self.push(
            t,
            &c,
            SSPR,
            "Reset password (by admin)",
            "success",
            "",
            who,
            "10.0.0.5",
        );
        let agent = *self.rng.weighted(&AGENTS);
        if let Some(row) = self.rows.last_mut() {
            row.by_helpdesk = true;
            row.agent = Some(agent);
        }
    }

    fn password_change(&mut self) {
        let who = self.person();
        let t = self.time();
        let c = self.rng.guid();
        let ip = home_ip(who);
        if self.rng.chance(0.85) {
            self.push(
                t,
                &c,
                SSPR,
                "Change password (self-service)",
                "success",
                "",
                who,
                &ip,
            );
        } else {
            self.push(
                t,
                &c,
                SSPR,
                "Change password (self-service)",
                "failure",
                "FuzzyPolicyViolationInvalidPassword",
                who,
                &ip,
            );
        }
    }

    /// A registration or a change of security info at `t`.
    fn security_info(&mut self, who: usize, t: Millis, change: bool) {
        let c = self.rng.guid();
        let ip = home_ip(who);
        if change {
            let activity = *self.rng.weighted(&CHANGES);
            self.push(t, &c, METHODS, activity, "success", activity, who, &ip);
        } else {
            let method = *self.rng.weighted(&REGISTERED);
            let result = if self.rng.chance(0.93) {
                "success"
            } else {
                "failure"
            };
            self.push(
                t,
                &c,
                METHODS,
                "User registered security info",
                result,
                format!("User registered {method}"),
                who,
                &ip,
            );
        }
    }
}

/// The audit log's rows for `people`, in the last `min(spec.days, 30)` days up to `end` (and
/// not before `oldest`), exactly `spec.audit_rows` of them (Graph's order: newest first), and
/// the rows of another service that a real download also holds (about one in a hundred).
fn generate_rows(
    spec: &SampleSpec,
    people: &[Person],
    (oldest, end): (Millis, Millis),
) -> Vec<Row> {
    if spec.audit_rows == 0 || people.is_empty() {
        return Vec::new();
    }
    let days = spec.days.clamp(1, 30) as Millis;
    let mut g = Generator {
        rng: Rng::new(spec.seed ^ 0xA0D1_7105),
        people,
        rows: Vec::with_capacity(spec.audit_rows + 16),
        others: Vec::new(),
        start: (end - days * DAY).max(oldest),
        end,
    };
    // One address behind attempts on several accounts in the last two days, and one person
    // blocked twice in the last week (the insights' patterns).
    let attacker = "203.0.113.66";
    for k in 0..8.min(people.len()) {
        let who = (k * 7919 + 13) % people.len();
        let t = (end - g.rng.below((2 * DAY) as usize) as Millis).max(g.start);
        g.attempt(who, attacker, t, Ending::Natural);
    }
    let blocked = 4242 % people.len();
    for back in [5 * DAY, 2 * DAY] {
        g.attempt(
            blocked,
            &home_ip(blocked),
            (end - back).max(g.start),
            Ending::Block,
        );
    }
    while g.rows.len() < spec.audit_rows {
        let kind = g.rng.below(1000);
        match kind {
            0..=29 => g.admin_reset(),
            30..=109 => g.password_change(),
            110..=199 => {
                let (who, t) = (g.person(), g.time());
                g.security_info(who, t, false);
            }
            200..=239 => {
                let (who, t) = (g.person(), g.time());
                g.security_info(who, t, true);
            }
            // A change of security info, then a reset from another address within hours.
            240..=249 => {
                let (who, t) = (g.person(), g.time());
                g.security_info(who, (t - 6 * HOUR).max(g.start), true);
                let ip = format!("198.51.100.{}", 1 + g.rng.below(250));
                g.attempt(who, &ip, t, Ending::Reset);
            }
            250..=259 => {
                let (who, t) = (g.person(), g.time());
                let c = g.rng.guid();
                g.push(
                    t,
                    &c,
                    "Core Directory",
                    "Update user",
                    "success",
                    "",
                    who,
                    "10.0.0.5",
                );
                if let Some(row) = g.rows.pop() {
                    g.others.push(row);
                }
            }
            _ => {
                let who = g.person();
                let ip = if g.rng.chance(0.8) {
                    home_ip(who)
                } else {
                    format!(
                        "100.{}.{}.{}",
                        64 + g.rng.below(64),
                        g.rng.below(256),
                        g.rng.below(256)
                    )
                };
                let t = g.time();
                g.attempt(who, &ip, t, Ending::Natural);
            }
        }
    }
    g.rows.truncate(spec.audit_rows);
    let mut rows = g.rows;
    rows.extend(g.others);
    rows.sort_by_key(|r| std::cmp::Reverse(r.time));
    rows
}

/// Who a row names in `initiatedBy` and `targetResources` (id, user name, display name).
fn party(people: &[Person], row: &Row) -> [(String, String, String); 2] {
    let p = &people[row.target];
    let target = (
        format!("00000000-0000-4000-8000-{:012x}", row.target),
        p.upn.clone(),
        p.name.clone(),
    );
    let actor = if row.by_helpdesk {
        (
            "00000000-0000-4000-8000-ffffffffffff".to_string(),
            "helpdesk@contoso.com".to_string(),
            "Helpdesk".to_string(),
        )
    } else {
        target.clone()
    };
    [actor, target]
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DirectoryAudit<'a> {
    id: &'a str,
    category: &'static str,
    correlation_id: &'a str,
    result: &'static str,
    result_reason: &'a str,
    activity_display_name: &'static str,
    activity_date_time: String,
    logged_by_service: &'static str,
    operation_type: &'static str,
    initiated_by: Initiator<'a>,
    target_resources: [Target<'a>; 1],
    additional_details: Vec<Detail>,
}

#[derive(Serialize)]
struct Initiator<'a> {
    user: InitiatingUser<'a>,
    app: Option<()>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct InitiatingUser<'a> {
    id: &'a str,
    display_name: Option<&'a str>,
    user_principal_name: &'a str,
    ip_address: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Target<'a> {
    id: &'a str,
    display_name: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    user_principal_name: &'a str,
    modified_properties: [(); 0],
}

#[derive(Serialize)]
struct Detail {
    key: &'static str,
    value: &'static str,
}

/// The rows as one Graph page of `directoryAudit` records (empty without rows).
pub(super) fn directory_audits(
    spec: &SampleSpec,
    people: &[Person],
    window: (Millis, Millis),
) -> Vec<u8> {
    let rows = generate_rows(spec, people, window);
    if rows.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::with_capacity(rows.len() * 720);
    out.extend_from_slice(
        b"{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#auditLogs/directoryAudits\",\"value\":[\n",
    );
    for (i, row) in rows.iter().enumerate() {
        let [actor, target] = party(people, row);
        let record = DirectoryAudit {
            id: &row.id,
            category: "UserManagement",
            correlation_id: &row.correlation,
            result: row.result,
            result_reason: &row.reason,
            activity_display_name: row.activity,
            activity_date_time: format_utc(row.time),
            logged_by_service: row.service,
            operation_type: "Update",
            initiated_by: Initiator {
                user: InitiatingUser {
                    id: &actor.0,
                    display_name: None,
                    user_principal_name: &actor.1,
                    ip_address: &row.ip,
                },
                app: None,
            },
            target_resources: [Target {
                id: &target.0,
                display_name: &target.2,
                kind: "User",
                user_principal_name: &target.1,
                modified_properties: [],
            }],
            additional_details: row
                .agent
                .map(|value| Detail {
                    key: "OnPremisesAgent",
                    value,
                })
                .into_iter()
                .collect(),
        };
        if i > 0 {
            out.extend_from_slice(b",\n");
        }
        let _ = serde_json::to_writer(&mut out, &record);
    }
    out.extend_from_slice(b"\n]}\n");
    out
}

/// The same rows as the portal's audit-log CSV download (empty without rows).
pub(super) fn audit_log_csv(
    spec: &SampleSpec,
    people: &[Person],
    window: (Millis, Millis),
) -> Vec<u8> {
    let rows = generate_rows(spec, people, window);
    if rows.is_empty() {
        return Vec::new();
    }
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::with_capacity(rows.len() * 400));
    let _ = w.write_record([
        "Date (UTC)",
        "CorrelationId",
        "Service",
        "Category",
        "Activity",
        "Result",
        "ResultReason",
        "ActorType",
        "ActorDisplayName",
        "ActorObjectId",
        "ActorUserPrincipalName",
        "IPAddress",
        "Target1Type",
        "Target1DisplayName",
        "Target1ObjectId",
        "Target1UserPrincipalName",
        "AdditionalDetail1Key",
        "AdditionalDetail1Value",
        "UserAgent",
    ]);
    for row in &rows {
        let [actor, target] = party(people, row);
        let result = match row.result {
            "success" => "Success",
            _ => "Failure",
        };
        let date = format_utc(row.time);
        let _ = w.write_record([
            date.as_str(),
            &row.correlation,
            row.service,
            "UserManagement",
            row.activity,
            result,
            &row.reason,
            "User",
            &actor.2,
            &actor.0,
            &actor.1,
            &row.ip,
            "User",
            &target.2,
            &target.0,
            &target.1,
            if row.agent.is_some() {
                "OnPremisesAgent"
            } else {
                ""
            },
            row.agent.unwrap_or(""),
            "Mozilla/5.0",
        ]);
    }
    let mut out = "\u{feff}".as_bytes().to_vec();
    out.extend(w.into_inner().unwrap_or_default());
    out
}
