//! A deterministic, realistic sample tenant written as Graph-shaped JSON: the bundled sample
//! (about 2,000 users, 15,000 events) and the million-event benchmark data come from here.

mod audit;

use std::io::Write;

use serde::Serialize;

use super::time::{format_utc, parse_time, Millis, DAY, HOUR};

/// SplitMix64: tiny, fast and stable forever (a crate's generator may change between versions,
/// and the committed sample must stay byte-identical).
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 11) as u128 * n as u128) >> 53) as usize
    }
    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    /// Picks by weight.
    pub fn weighted<'a, T>(&mut self, items: &'a [(T, u32)]) -> &'a T {
        let total: u32 = items.iter().map(|(_, w)| w).sum();
        let mut x = self.below(total as usize) as u32;
        for (item, w) in items {
            if x < *w {
                return item;
            }
            x -= w;
        }
        &items[items.len() - 1].0
    }
    /// An id shaped as Graph gives them (a GUID).
    pub(crate) fn guid(&mut self) -> String {
        let a = self.next_u64();
        let b = self.next_u64();
        format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xffff,
            b >> 48,
            b & 0xffff_ffff_ffff
        )
    }
}

/// What to generate.
#[derive(Clone, Debug)]
pub struct SampleSpec {
    pub users: usize,
    pub events: usize,
    /// Days of event history before `as_of`.
    pub days: u32,
    pub as_of: Millis,
    pub seed: u64,
    /// Rows of the audit log (spec §4.3) in its last 30 days (at most), none for 0.
    pub audit_rows: usize,
}

impl SampleSpec {
    /// The bundled sample tenant.
    pub fn bundled() -> SampleSpec {
        SampleSpec {
            users: 2_000,
            events: 15_000,
            days: 62,
            as_of: parse_time("2026-11-20T14:30:00Z").unwrap_or(0),
            seed: 0x5EED_55B2,
            audit_rows: 3_000,
        }
    }

    /// The benchmark tenant: 200,000 users and 1,000,000 events.
    pub fn benchmark() -> SampleSpec {
        SampleSpec {
            users: 200_000,
            events: 1_000_000,
            days: 30,
            audit_rows: 0,
            ..SampleSpec::bundled()
        }
    }

    /// The audit benchmark's tenant: 250,000 audit rows of 20,000 people (spec §7).
    pub fn audit_benchmark() -> SampleSpec {
        SampleSpec {
            users: 20_000,
            events: 0,
            days: 30,
            audit_rows: 250_000,
            ..SampleSpec::bundled()
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UserRecord<'a> {
    id: String,
    user_principal_name: &'a str,
    user_display_name: &'a str,
    user_type: &'static str,
    is_admin: bool,
    is_sspr_registered: bool,
    is_sspr_enabled: bool,
    is_sspr_capable: bool,
    is_mfa_registered: bool,
    is_mfa_capable: bool,
    is_passwordless_capable: bool,
    last_updated_date_time: String,
    methods_registered: Vec<&'static str>,
    default_mfa_method: &'static str,
    is_system_preferred_authentication_method_enabled: bool,
    system_preferred_authentication_methods: Vec<&'static str>,
    user_preferred_method_for_secondary_authentication: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EventRecord<'a> {
    id: String,
    feature: &'static str,
    user_principal_name: &'a str,
    user_display_name: &'a str,
    is_success: bool,
    auth_method: &'static str,
    failure_reason: &'static str,
    event_date_time: String,
}

const FIRST: [&str; 48] = [
    "Adele",
    "Alex",
    "Allan",
    "Bianca",
    "Brian",
    "Cameron",
    "Chloé",
    "Christie",
    "Debra",
    "Diego",
    "Émile",
    "Enrico",
    "Fatima",
    "Grady",
    "Hana",
    "Henrietta",
    "Irvin",
    "Isaiah",
    "Jarmila",
    "Johanna",
    "Joni",
    "Kenji",
    "Lee",
    "Lidia",
    "Lynne",
    "Mateo",
    "Megan",
    "Miriam",
    "Nestor",
    "Nurul",
    "Olga",
    "Patti",
    "Pradeep",
    "Quinn",
    "Rahul",
    "Raul",
    "Sakura",
    "Seo-yeon",
    "Søren",
    "Tomás",
    "Uma",
    "Valentina",
    "Wei",
    "Xavier",
    "Yara",
    "Yusuf",
    "Zainab",
    "Zoë",
];

const LAST: [&str; 40] = [
    "Wilber",
    "Pisani",
    "Deyoung",
    "Gomez",
    "Lambert",
    "Cole",
    "Vance",
    "Bowen",
    "Mendoza",
    "Archer",
    "Adams",
    "Herman",
    "Sampson",
    "Ali",
    "Takahashi",
    "Novak",
    "O'Brien",
    "Nakamura",
    "Fischer",
    "Okafor",
    "Kowalski",
    "Johansson",
    "Rossi",
    "Dubois",
    "Ibrahim",
    "Chen",
    "Kim",
    "García",
    "Müller",
    "Haddad",
    "Singh",
    "Petrov",
    "Silva",
    "Nguyen",
    "Larsen",
    "Moreau",
    "Brennan",
    "Costa",
    "Popescu",
    "Zhang",
];

/// Registered method sets with weights (Graph `methodsRegistered` names).
const METHOD_SETS: [(&[&str], u32); 14] = [
    (
        &[
            "microsoftAuthenticatorPush",
            "softwareOneTimePasscode",
            "mobilePhone",
        ],
        26,
    ),
    (
        &["microsoftAuthenticatorPush", "softwareOneTimePasscode"],
        14,
    ),
    (&["mobilePhone"], 11),
    (&["mobilePhone", "email"], 10),
    (&["email"], 5),
    (&["mobilePhone", "officePhone"], 4),
    (
        &[
            "microsoftAuthenticatorPush",
            "microsoftAuthenticatorPasswordless",
            "mobilePhone",
        ],
        5,
    ),
    (
        &[
            "fido2SecurityKey",
            "microsoftAuthenticatorPush",
            "softwareOneTimePasscode",
        ],
        3,
    ),
    (
        &["windowsHelloForBusiness", "microsoftAuthenticatorPush"],
        4,
    ),
    (&["securityQuestion", "email"], 3),
    (&["mobilePhone", "alternateMobilePhone", "email"], 3),
    (&["passKeyDeviceBound", "mobilePhone"], 2),
    (&["temporaryAccessPass"], 1),
    (&[], 9),
];

/// Reset methods (Graph `usageAuthMethod`) with weights and failure probabilities.
const RESET_METHODS: [(&str, u32, f64); 9] = [
    ("sms", 30, 0.12),
    ("mobileSMS", 4, 0.14),
    ("email", 18, 0.10),
    ("appNotification", 14, 0.05),
    ("appCode", 10, 0.07),
    ("mobileCall", 8, 0.22),
    ("officePhone", 3, 0.25),
    ("securityQuestion", 6, 0.30),
    ("alternateMobileCall", 2, 0.20),
];

const REGISTRATION_METHODS: [(&str, u32, f64); 11] = [
    ("microsoftAuthenticatorPush", 26, 0.06),
    ("mobilePhone", 20, 0.09),
    ("email", 14, 0.05),
    ("softwareOneTimePasscode", 10, 0.04),
    ("fido2SecurityKey", 5, 0.11),
    ("windowsHelloForBusiness", 6, 0.03),
    ("officePhone", 3, 0.12),
    ("securityQuestion", 4, 0.08),
    ("passKeyDeviceBound", 3, 0.15),
    ("qrCode", 1, 0.20),
    ("macOsSecureEnclaveKey", 1, 0.10),
];

const RESET_FAILURES: [(&str, u32); 10] = [
    ("User abandoned after entering their user ID", 18),
    ("User entered too many invalid SMS verification codes and is blocked for 24 hours", 9),
    ("User's account has insufficient authentication methods defined. Add authentication info to resolve this", 12),
    ("User canceled before passing the required authentication methods", 10),
    ("User's password is managed on-premises. You can enable Password Writeback to resolve this", 5),
    ("Password reset is not enabled for this user. Contact your admin to enable password reset", 8),
    ("User tried to answer security questions too many times and is blocked for 24 hours", 4),
    ("User contacted an admin after trying the mobile SMS verification option", 5),
    ("We could not reach your on-premises password reset service. Check your sync machine", 2),
    ("A system error has occurred.", 3),
];

const REGISTRATION_FAILURES: [(&str, u32); 4] = [
    ("User canceled security info registration", 10),
    ("The verification code entered was not valid", 8),
    ("A system error has occurred.", 3),
    ("User abandoned before completing registration", 6),
];

struct Person {
    upn: String,
    name: String,
    guest: bool,
    enabled: bool,
}

/// The generated tenant as two Graph response pages, and its audit log.
pub struct Sample {
    pub user_registration_details: Vec<u8>,
    pub user_events_summary: Vec<u8>,
    /// A Graph page of `directoryAudit` records (empty when `audit_rows` is 0). Its rows end no
    /// later than the newest event, so that no event derived from them is counted beside the
    /// events (spec §4.3): the tenant's numbers stay those of its events.
    pub directory_audits: Vec<u8>,
    /// The same rows as the portal's audit-log CSV download.
    pub audit_log_csv: Vec<u8>,
}

/// Generates a tenant. The same spec always gives the same bytes.
pub fn generate(spec: &SampleSpec) -> Sample {
    let mut rng = Rng::new(spec.seed);
    let mut people = Vec::with_capacity(spec.users);
    let mut users_json = Vec::with_capacity(spec.users * 520);
    users_json.extend_from_slice(
        b"{\"@odata.context\":\"https://graph.microsoft.com/beta/$metadata#reports/authenticationMethods/userRegistrationDetails\",\"value\":[\n",
    );
    for i in 0..spec.users {
        let first = *rng.pick(&FIRST);
        let last = *rng.pick(&LAST);
        let name = format!("{first} {last}");
        let ascii = |s: &str| -> String {
            s.chars()
                .filter_map(|c| match c {
                    'é' | 'É' => Some('e'),
                    'ø' => Some('o'),
                    'á' => Some('a'),
                    'í' => Some('i'),
                    'ë' => Some('e'),
                    'ü' => Some('u'),
                    '\'' | ' ' | '-' => None,
                    c if c.is_ascii_alphanumeric() => Some(c.to_ascii_lowercase()),
                    _ => None,
                })
                .collect()
        };
        let guest = rng.chance(0.05);
        let upn = if guest {
            format!(
                "{}.{}_fabrikam.com#EXT#@contoso.onmicrosoft.com",
                ascii(first),
                ascii(last)
            )
        } else {
            format!("{}.{}{}@contoso.com", ascii(first), ascii(last), i)
        };
        let admin = !guest && rng.chance(0.03);
        let methods: Vec<&'static str> = {
            let mut set: Vec<&'static str> = rng.weighted(&METHOD_SETS).to_vec();
            if rng.chance(0.01) {
                set.push("externalAuthMethod");
            }
            set
        };
        // Scope: a selected group of most members; guests are never in scope; admins always.
        let enabled = admin || (!guest && rng.chance(0.88));
        let sspr_groups = methods
            .iter()
            .filter(|m| {
                matches!(
                    **m,
                    "microsoftAuthenticatorPush"
                        | "softwareOneTimePasscode"
                        | "mobilePhone"
                        | "alternateMobilePhone"
                        | "officePhone"
                        | "email"
                        | "securityQuestion"
                )
            })
            .count();
        let registered = sspr_groups >= 1;
        let mut capable = registered && enabled;
        // The report lags: a handful of rows disagree with themselves.
        if rng.chance(0.002) {
            capable = !capable;
        }
        let updated = spec.as_of - rng.below((2 * DAY) as usize) as Millis;
        let mfa = mfa_settings(i, &methods);
        let record = UserRecord {
            id: rng.guid(),
            user_principal_name: &upn,
            user_display_name: &name,
            user_type: if guest { "guest" } else { "member" },
            is_admin: admin,
            is_sspr_registered: registered,
            is_sspr_enabled: enabled,
            is_sspr_capable: capable,
            is_mfa_registered: !methods.is_empty(),
            is_mfa_capable: methods.len() >= 2,
            is_passwordless_capable: methods.iter().any(|m| {
                matches!(
                    *m,
                    "fido2SecurityKey"
                        | "windowsHelloForBusiness"
                        | "microsoftAuthenticatorPasswordless"
                        | "passKeyDeviceBound"
                )
            }),
            last_updated_date_time: format_utc(updated),
            methods_registered: methods,
            default_mfa_method: mfa.default_method,
            is_system_preferred_authentication_method_enabled: mfa.system_preferred,
            system_preferred_authentication_methods: mfa.system_methods,
            user_preferred_method_for_secondary_authentication: mfa.preferred_method,
        };
        if i > 0 {
            users_json.extend_from_slice(b",\n");
        }
        let _ = serde_json::to_writer(&mut users_json, &record);
        people.push(Person {
            upn,
            name,
            guest,
            enabled,
        });
    }
    users_json.extend_from_slice(b"\n]}\n");

    // A few people keep failing (locked out, or targeted).
    let troubled: Vec<usize> = (0..(spec.users / 150).max(1))
        .map(|_| rng.below(spec.users.max(1)))
        .collect();
    let mut events_json = Vec::with_capacity(spec.events * 420);
    events_json.extend_from_slice(
        b"{\"@odata.context\":\"https://graph.microsoft.com/beta/$metadata#reports/authenticationMethods/userEventsSummary\",\"value\":[\n",
    );
    let span = spec.days as Millis * DAY;
    let mut newest_event = None::<Millis>;
    let mut oldest_event = None::<Millis>;
    for i in 0..spec.events {
        if people.is_empty() {
            break;
        }
        let trouble = rng.chance(0.06);
        let who = if trouble {
            troubled[rng.below(troubled.len())]
        } else {
            rng.below(people.len())
        };
        let mut person = &people[who];
        // People outside the policy rarely try to reset (they were never told they could).
        if !person.enabled && !trouble && rng.chance(0.75) {
            person = &people[rng.below(people.len())];
        }
        // More activity in working hours and in recent weeks.
        let mut back = rng.below(span as usize) as Millis;
        if rng.chance(0.3) {
            back /= 3;
        }
        let mut time = spec.as_of - back;
        let hour = (time.rem_euclid(DAY)) / HOUR;
        if !(7..=19).contains(&hour) && rng.chance(0.5) {
            time -= 12 * HOUR;
        }
        time = time.min(spec.as_of);
        let reset = trouble || rng.chance(0.62);
        let (method, fail_p) = if reset {
            let (m, _, p) = pick3(&mut rng, &RESET_METHODS);
            (m, p)
        } else {
            let (m, _, p) = pick3(&mut rng, &REGISTRATION_METHODS);
            (m, p)
        };
        let fail_p = if trouble {
            0.85
        } else if reset && !person.enabled {
            0.9
        } else if person.guest {
            fail_p * 2.0
        } else {
            fail_p
        };
        let success = !rng.chance(fail_p);
        let failure_reason = if success {
            ""
        } else if reset && !person.enabled {
            "Password reset is not enabled for this user. Contact your admin to enable password reset"
        } else if reset {
            rng.weighted(&RESET_FAILURES)
        } else {
            rng.weighted(&REGISTRATION_FAILURES)
        };
        let record = EventRecord {
            id: rng.guid(),
            feature: if reset { "reset" } else { "registration" },
            user_principal_name: &person.upn,
            user_display_name: &person.name,
            is_success: success,
            auth_method: method,
            failure_reason,
            event_date_time: format_utc(time - time.rem_euclid(1000)),
        };
        let written = time - time.rem_euclid(1000);
        newest_event = newest_event.max(Some(written));
        oldest_event = Some(oldest_event.map_or(written, |t| t.min(written)));
        if i > 0 {
            events_json.extend_from_slice(b",\n");
        }
        let _ = serde_json::to_writer(&mut events_json, &record);
    }
    events_json.extend_from_slice(b"\n]}\n");
    let _ = events_json.flush();
    // The audit log lies inside the events' time range (see `Sample::directory_audits`).
    let end = newest_event.unwrap_or(spec.as_of);
    let window = (oldest_event.unwrap_or(i64::MIN), end);
    Sample {
        user_registration_details: users_json,
        user_events_summary: events_json,
        directory_audits: audit::directory_audits(spec, &people, window),
        audit_log_csv: audit::audit_log_csv(spec, &people, window),
    }
}

/// A user's MFA settings as Graph's beta list reports them (spec §3.7).
struct MfaSettings {
    default_method: &'static str,
    system_preferred: bool,
    system_methods: Vec<&'static str>,
    preferred_method: &'static str,
}

/// The MFA settings of user `i` with `methods`, derived from them and from `i` alone: they draw
/// nothing from the generator, so every other field and every event stay as they were. The
/// system picks the strongest method the user registered (Authenticator, then a code, then the
/// phone); the user's own default is their first MFA method; a few users have system-preferred
/// MFA turned off.
fn mfa_settings(i: usize, methods: &[&str]) -> MfaSettings {
    let strongest = [
        ("microsoftAuthenticatorPush", "push"),
        ("softwareOneTimePasscode", "oath"),
        ("mobilePhone", "sms"),
        ("alternateMobilePhone", "voiceAlternateMobile"),
        ("officePhone", "voiceOffice"),
    ];
    let system_methods = strongest
        .iter()
        .find(|(name, _)| methods.contains(name))
        .map(|&(_, wire)| vec![wire])
        .unwrap_or_default();
    let first = methods
        .iter()
        .find_map(|m| strongest.iter().find(|(name, _)| name == m));
    let (default_method, preferred_method) = match first {
        None => ("none", "none"),
        // Text or call: users pick either for their phone.
        Some(&("mobilePhone", _)) => (
            "mobilePhone",
            if i.is_multiple_of(2) {
                "sms"
            } else {
                "voiceMobile"
            },
        ),
        Some(&(name, wire)) => (name, wire),
    };
    MfaSettings {
        default_method,
        system_preferred: i % 7 != 3,
        system_methods,
        preferred_method,
    }
}

fn pick3(rng: &mut Rng, items: &[(&'static str, u32, f64)]) -> (&'static str, u32, f64) {
    let total: u32 = items.iter().map(|i| i.1).sum();
    let mut x = rng.below(total as usize) as u32;
    for item in items {
        if x < item.1 {
            return *item;
        }
        x -= item.1;
    }
    items[items.len() - 1]
}
