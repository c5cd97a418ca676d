//! The URL vocabulary (spec §2), both ways: the screens' paths, the query keys and their values,
//! the defaults that are left out, filters to query strings and back, the links between screens
//! and the path a deployment is served under. Unknown keys and bad values fall back to the
//! default, never an error. Pure string work, host-tested; the app's navigator only applies it.

use super::batch::{Feature, Status};
use super::filters::{EventColumn, EventFilter, Sort, UserColumn, UserFilter};
use super::method::{Method, CANONICAL_COUNT, MAX_UNKNOWN_NAMES};
use super::mfa::filter::MfaFilter;
use super::period::Period;
use super::policy::{PolicyMethod, Scenario, ScopeChoice, WhatIfFilter, WhatIfSide};
use super::population::{Population, RoleKind, UserKind};
use super::words::parse_yes_no;

/// The screens' paths (under the deployment's base path, see [`base_path_of`]).
pub mod path {
    pub const OVERVIEW: &str = "/";
    pub const REGISTRATIONS: &str = "/registrations";
    pub const ACTIVITY: &str = "/activity";
    pub const DATA: &str = "/data";
    pub const ATTEMPTS: &str = "/attempts";
    pub const POLICY: &str = "/policy";
}

/// The query keys. Each filter's default is the key's absence.
pub mod key {
    /// `24h` / `7d` / `30d` (default 7 days): the overview and the activity list.
    pub const PERIOD: &str = "period";
    /// `all` / `members` / `guests`: every screen.
    pub const USERS: &str = "users";
    /// `all` / `admins` / `nonadmins`: every screen.
    pub const ROLES: &str = "roles";
    /// Registration details: `yes` / `no`.
    pub const REGISTERED: &str = "registered";
    pub const ENABLED: &str = "enabled";
    pub const CAPABLE: &str = "capable";
    /// Registration details: method ids, comma-separated; a user has any of them.
    pub const METHODS: &str = "methods";
    /// Registration details: `no` for admins whose methods miss the administrator rule.
    pub const ADMIN_RULE: &str = "adminrule";
    /// Activity: `registration` / `reset`.
    pub const FEATURE: &str = "feature";
    /// Activity: `success` / `failure`.
    pub const STATUS: &str = "status";
    /// Activity: one method id.
    pub const METHOD: &str = "method";
    /// Activity: an exact failure reason.
    pub const REASON: &str = "reason";
    /// Activity: users with at least this many failed resets in the period.
    pub const REPEAT: &str = "repeat";
    /// Activity: `yes` for users whose resets used only SMS.
    pub const SMS_ONLY: &str = "smsonly";
    /// Both lists: the search text.
    pub const SEARCH: &str = "q";
    /// Both lists: a column id, `-` in front for descending.
    pub const SORT: &str = "sort";
    /// Attempts: one outcome id (`succeeded`, `blocked`, `adminreset`, …).
    pub const OUTCOME: &str = "outcome";
    /// Attempts: an exact IP address.
    pub const IP: &str = "ip";
    /// Attempts: `N` (1–5), attempts that reached at least funnel stage N.
    pub const STAGE: &str = "stage";
    /// Attempts: `N` (1–4), attempts that stopped after stage N without a reset or unlock.
    pub const STOPPED: &str = "stopped";
    /// Attempts: `yes` for successful resets within 24 hours after a security-info change.
    pub const SIM_SWAP: &str = "afterchange";
    /// Attempts: the open attempt (its correlation id).
    pub const ATTEMPT: &str = "attempt";
    /// What if (spec §3.3), on `/policy` and the lists it links to: who the scenario enables,
    /// `exported` / `members` / `none` / `group`.
    pub const SCOPE: &str = "scope";
    /// What if: methods required, `1` / `2`.
    pub const REQUIRED: &str = "required";
    /// What if: the allowed method groups, comma-separated, or `none`.
    pub const ALLOW: &str = "allow";
    /// What if: `off` when administrators follow the scenario like everyone (default `on`). Not
    /// `adminrule`, which the registrations list keeps for its insight filter.
    pub const ADMIN_POLICY: &str = "adminpolicy";
    /// What if: `on` when only methods the authentication methods policy enables count.
    pub const METHODS_POLICY: &str = "methodspolicy";
    /// Registration details: `gain` / `lose`, the users the scenario's keys would change.
    pub const WHAT_IF: &str = "whatif";
    /// Registration details, with `whatif`: a method group disallowed on top of the scenario.
    pub const WITHOUT: &str = "without";
    /// Registration details: `yes` / `no` for `isMfaRegistered` (spec §3.7).
    pub const MFA_REGISTERED: &str = "mfaregistered";
    /// Registration details: `yes` / `no` for `isMfaCapable`.
    pub const MFA: &str = "mfa";
    /// Registration details: `yes` / `no` for `isPasswordlessCapable`.
    pub const PASSWORDLESS: &str = "passwordless";
    /// Registration details: `yes` / `no` for system-preferred MFA.
    pub const SYSTEM_PREFERRED: &str = "systempreferred";
    /// Registration details: the default MFA method, a method id or `none`.
    pub const DEFAULT_METHOD: &str = "defaultmethod";
    /// Registration details: `yes` for users whose only MFA methods are SMS or voice calls.
    pub const PHONE_ONLY: &str = "phoneonly";
}

/// How the URL writes "no default method" (`defaultmethod=none`).
pub const NO_METHOD_ID: &str = "none";

/// How the URL writes a yes/no value (it reads every spelling of [`parse_yes_no`]).
///
/// ```
/// use sspr_insights::model::query::yes_no_id;
/// assert_eq!((yes_no_id(true), yes_no_id(false)), ("yes", "no"));
/// ```
pub fn yes_no_id(value: bool) -> &'static str {
    if value {
        "yes"
    } else {
        "no"
    }
}

/// Decodes `a=1&b=x%20y` (a leading `?` is allowed; `+` is a space).
pub fn parse_pairs(query: &str) -> Vec<(String, String)> {
    query
        .trim_start_matches('?')
        .split('&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (k, v) = part.split_once('=').unwrap_or((part, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Percent-encodes a query component (unreserved characters stay).
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Builds a query string from pairs (no leading `?`).
pub fn to_query(pairs: &[(&str, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

pub(crate) fn last<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

pub(crate) fn yes_no(text: Option<&str>) -> Option<bool> {
    text.and_then(parse_yes_no)
}

/// The period (default 7 days).
pub fn period_of(pairs: &[(String, String)]) -> Period {
    last(pairs, key::PERIOD)
        .and_then(Period::parse)
        .unwrap_or_default()
}

/// The population (default all / all).
pub fn population_of(pairs: &[(String, String)]) -> Population {
    Population {
        users: last(pairs, key::USERS)
            .and_then(UserKind::parse)
            .unwrap_or_default(),
        roles: last(pairs, key::ROLES)
            .and_then(RoleKind::parse)
            .unwrap_or_default(),
    }
}

pub(crate) fn push_population(out: &mut Vec<(&'static str, String)>, p: Population) {
    if p.users != UserKind::All {
        out.push((key::USERS, p.users.id().to_string()));
    }
    if p.roles != RoleKind::All {
        out.push((key::ROLES, p.roles.id().to_string()));
    }
}

/// The overview's query: period and population, defaults omitted.
pub fn overview_query(period: Period, population: Population) -> String {
    let mut out = Vec::new();
    if period != Period::default() {
        out.push((key::PERIOD, period.id().to_string()));
    }
    push_population(&mut out, population);
    to_query(&out)
}

pub(crate) fn sort_of<C: Copy>(
    text: Option<&str>,
    parse: impl Fn(&str) -> Option<C>,
) -> Option<Sort<C>> {
    let text = text?;
    let (descending, id) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    parse(id).map(|column| Sort { column, descending })
}

/// Methods a link may list: every method a dataset can tell apart (a longer list, from a link
/// someone made by hand, is cut there rather than freezing the tab).
pub const MAX_LISTED_METHODS: usize = CANONICAL_COUNT + MAX_UNKNOWN_NAMES + 1;

/// A `methods=` list: each method once, in the order first listed, at most
/// [`MAX_LISTED_METHODS`].
fn method_list(list: &str) -> Vec<Method> {
    let mut seen = rustc_hash::FxHashSet::default();
    list.split(',')
        .filter_map(Method::parse)
        .filter(|m| seen.insert(m.clone()))
        .take(MAX_LISTED_METHODS)
        .collect()
}

pub(crate) fn sort_id(id: &str, descending: bool) -> String {
    if descending {
        format!("-{id}")
    } else {
        id.to_string()
    }
}

impl UserFilter {
    /// Reads the registrations list's query.
    pub fn from_query(query: &str) -> UserFilter {
        let pairs = parse_pairs(query);
        let methods = last(&pairs, key::METHODS)
            .map(method_list)
            .unwrap_or_default();
        UserFilter {
            population: population_of(&pairs),
            registered: yes_no(last(&pairs, key::REGISTERED)),
            enabled: yes_no(last(&pairs, key::ENABLED)),
            capable: yes_no(last(&pairs, key::CAPABLE)),
            methods,
            admin_rule: yes_no(last(&pairs, key::ADMIN_RULE)),
            search: last(&pairs, key::SEARCH).unwrap_or("").to_string(),
            sort: sort_of(last(&pairs, key::SORT), UserColumn::parse).unwrap_or_default(),
            whatif: what_if_of(&pairs),
            mfa: mfa_filter_of(&pairs),
        }
    }

    /// Writes the query that reproduces this view (defaults omitted).
    pub fn to_query(&self) -> String {
        let mut out = Vec::new();
        push_population(&mut out, self.population);
        for (key, value) in [
            (key::REGISTERED, self.registered),
            (key::ENABLED, self.enabled),
            (key::CAPABLE, self.capable),
        ] {
            if let Some(v) = value {
                out.push((key, yes_no_id(v).to_string()));
            }
        }
        if !self.methods.is_empty() {
            let ids: Vec<String> = self.methods.iter().map(Method::id).collect();
            out.push((key::METHODS, ids.join(",")));
        }
        if let Some(v) = self.admin_rule {
            out.push((key::ADMIN_RULE, yes_no_id(v).to_string()));
        }
        push_mfa_filter(&mut out, &self.mfa);
        if !self.search.is_empty() {
            out.push((key::SEARCH, self.search.clone()));
        }
        if self.sort != Sort::default() {
            out.push((
                key::SORT,
                sort_id(self.sort.column.id(), self.sort.descending),
            ));
        }
        if let Some(w) = &self.whatif {
            push_scenario(&mut out, &w.scenario);
            out.push((key::WHAT_IF, w.side.id().to_string()));
            if let Some(group) = w.without {
                out.push((key::WITHOUT, group.id().to_string()));
            }
        }
        to_query(&out)
    }
}

/// How the URL writes a scenario's switch (it also reads every yes/no spelling).
///
/// ```
/// use sspr_insights::model::query::on_off_id;
/// assert_eq!((on_off_id(true), on_off_id(false)), ("on", "off"));
/// ```
pub fn on_off_id(value: bool) -> &'static str {
    if value {
        "on"
    } else {
        "off"
    }
}

fn on_off(text: Option<&str>) -> Option<bool> {
    let text = text?.trim();
    if text.eq_ignore_ascii_case("on") {
        Some(true)
    } else if text.eq_ignore_ascii_case("off") {
        Some(false)
    } else {
        parse_yes_no(text)
    }
}

/// The allowed groups a query names (`none` for none); `None` for a value naming no group.
fn allowed_of(text: &str) -> Option<Vec<PolicyMethod>> {
    if text.trim().eq_ignore_ascii_case("none") {
        return Some(Vec::new());
    }
    let named: Vec<PolicyMethod> = text.split(',').filter_map(PolicyMethod::parse).collect();
    if named.is_empty() {
        return None;
    }
    Some(
        PolicyMethod::ALL
            .into_iter()
            .filter(|g| named.contains(g))
            .collect(),
    )
}

/// The what-if scenario the query names (defaults for what it leaves out).
pub fn scenario_of(pairs: &[(String, String)]) -> Scenario {
    let defaults = Scenario::default();
    Scenario {
        scope: last(pairs, key::SCOPE)
            .and_then(ScopeChoice::parse)
            .unwrap_or(defaults.scope),
        methods_required: match last(pairs, key::REQUIRED).map(str::trim) {
            Some("2") => 2,
            _ => 1,
        },
        allowed: last(pairs, key::ALLOW)
            .and_then(allowed_of)
            .unwrap_or(defaults.allowed),
        admin_policy: on_off(last(pairs, key::ADMIN_POLICY)).unwrap_or(defaults.admin_policy),
        methods_policy: on_off(last(pairs, key::METHODS_POLICY)).unwrap_or(defaults.methods_policy),
    }
}

fn push_scenario(out: &mut Vec<(&'static str, String)>, s: &Scenario) {
    let defaults = Scenario::default();
    if s.scope != defaults.scope {
        out.push((key::SCOPE, s.scope.id().to_string()));
    }
    if s.methods_required >= 2 {
        out.push((key::REQUIRED, "2".to_string()));
    }
    if s.allowed != defaults.allowed {
        let ids: Vec<&str> = s.allowed.iter().map(|g| g.id()).collect();
        let value = if ids.is_empty() {
            "none".to_string()
        } else {
            ids.join(",")
        };
        out.push((key::ALLOW, value));
    }
    if s.admin_policy != defaults.admin_policy {
        out.push((key::ADMIN_POLICY, on_off_id(s.admin_policy).to_string()));
    }
    if s.methods_policy != defaults.methods_policy {
        out.push((key::METHODS_POLICY, on_off_id(s.methods_policy).to_string()));
    }
}

fn what_if_of(pairs: &[(String, String)]) -> Option<WhatIfFilter> {
    let side = last(pairs, key::WHAT_IF).and_then(WhatIfSide::parse)?;
    Some(WhatIfFilter {
        scenario: scenario_of(pairs),
        side,
        without: last(pairs, key::WITHOUT).and_then(PolicyMethod::parse),
    })
}

impl Scenario {
    /// Reads the `/policy` screen's query (a leading `?` is allowed).
    pub fn from_query(query: &str) -> Scenario {
        scenario_of(&parse_pairs(query))
    }
}

/// The `/policy` screen's query: the population, then the scenario; defaults omitted.
///
/// ```
/// use sspr_insights::model::query::policy_query;
/// use sspr_insights::model::{Population, Scenario};
/// let two = Scenario { methods_required: 2, ..Scenario::default() };
/// assert_eq!(policy_query(&two, Population::ALL), "required=2");
/// assert_eq!(Scenario::from_query("required=2"), two);
/// ```
pub fn policy_query(scenario: &Scenario, population: Population) -> String {
    let mut out = Vec::new();
    push_population(&mut out, population);
    push_scenario(&mut out, scenario);
    to_query(&out)
}

/// `/policy?…` for a scenario and population.
pub fn policy_href(scenario: &Scenario, population: Population) -> String {
    with_query(path::POLICY, policy_query(scenario, population))
}

impl EventFilter {
    /// Reads the activity list's query.
    pub fn from_query(query: &str) -> EventFilter {
        let pairs = parse_pairs(query);
        EventFilter {
            period: period_of(&pairs),
            population: population_of(&pairs),
            feature: last(&pairs, key::FEATURE).and_then(Feature::parse),
            // Only the ids: `Status::parse` also reads the importer's `true` / `yes` spellings.
            status: last(&pairs, key::STATUS).and_then(|s| {
                Status::ALL
                    .into_iter()
                    .find(|x| x.id().eq_ignore_ascii_case(s))
            }),
            method: last(&pairs, key::METHOD).and_then(Method::parse),
            reason: last(&pairs, key::REASON)
                .filter(|r| !r.trim().is_empty())
                .map(str::to_string),
            repeat: last(&pairs, key::REPEAT)
                .and_then(|n| n.parse::<u32>().ok())
                .filter(|&n| n > 0),
            sms_only: yes_no(last(&pairs, key::SMS_ONLY)).unwrap_or(false),
            search: last(&pairs, key::SEARCH).unwrap_or("").to_string(),
            sort: sort_of(last(&pairs, key::SORT), EventColumn::parse).unwrap_or_default(),
        }
    }

    /// Writes the query that reproduces this view (defaults omitted).
    pub fn to_query(&self) -> String {
        let mut out = Vec::new();
        if self.period != Period::default() {
            out.push((key::PERIOD, self.period.id().to_string()));
        }
        push_population(&mut out, self.population);
        if let Some(f) = self.feature {
            out.push((key::FEATURE, f.id().to_string()));
        }
        if let Some(s) = self.status {
            out.push((key::STATUS, s.id().to_string()));
        }
        if let Some(m) = &self.method {
            out.push((key::METHOD, m.id()));
        }
        if let Some(r) = &self.reason {
            out.push((key::REASON, r.clone()));
        }
        if let Some(n) = self.repeat {
            out.push((key::REPEAT, n.to_string()));
        }
        if self.sms_only {
            out.push((key::SMS_ONLY, yes_no_id(true).to_string()));
        }
        if !self.search.is_empty() {
            out.push((key::SEARCH, self.search.clone()));
        }
        if self.sort != Sort::default() {
            out.push((
                key::SORT,
                sort_id(self.sort.column.id(), self.sort.descending),
            ));
        }
        to_query(&out)
    }
}

/// The MFA filters of the registrations list's query (spec §3.7).
fn mfa_filter_of(pairs: &[(String, String)]) -> MfaFilter {
    MfaFilter {
        registered: yes_no(last(pairs, key::MFA_REGISTERED)),
        capable: yes_no(last(pairs, key::MFA)),
        passwordless: yes_no(last(pairs, key::PASSWORDLESS)),
        system_preferred: yes_no(last(pairs, key::SYSTEM_PREFERRED)),
        default_method: last(pairs, key::DEFAULT_METHOD).and_then(default_method_of),
        phone_only: yes_no(last(pairs, key::PHONE_ONLY)).unwrap_or(false),
    }
}

/// A `defaultmethod` value: `none`, or a method (`None`: no filter).
///
/// ```
/// use sspr_insights::model::query::default_method_of;
/// use sspr_insights::model::Method;
/// assert_eq!(default_method_of("none"), Some(None));
/// assert_eq!(default_method_of("push"), Some(Some(Method::AppNotification)));
/// assert_eq!(default_method_of(""), None);
/// ```
pub fn default_method_of(text: &str) -> Option<Option<Method>> {
    if text.trim().eq_ignore_ascii_case(NO_METHOD_ID) {
        Some(None)
    } else {
        Method::parse(text).map(Some)
    }
}

/// How the URL writes a default MFA method (`none` for no method).
pub fn default_method_id(method: &Option<Method>) -> String {
    method
        .as_ref()
        .map_or_else(|| NO_METHOD_ID.to_string(), Method::id)
}

fn push_mfa_filter(out: &mut Vec<(&'static str, String)>, mfa: &MfaFilter) {
    for (key, value) in [
        (key::MFA_REGISTERED, mfa.registered),
        (key::MFA, mfa.capable),
        (key::PASSWORDLESS, mfa.passwordless),
        (key::SYSTEM_PREFERRED, mfa.system_preferred),
    ] {
        if let Some(v) = value {
            out.push((key, yes_no_id(v).to_string()));
        }
    }
    if let Some(method) = &mfa.default_method {
        out.push((key::DEFAULT_METHOD, default_method_id(method)));
    }
    if mfa.phone_only {
        out.push((key::PHONE_ONLY, yes_no_id(true).to_string()));
    }
}

/// `/registrations?…` for a filter.
pub fn registrations_href(filter: &UserFilter) -> String {
    with_query(path::REGISTRATIONS, filter.to_query())
}

/// `/activity?…` for a filter.
pub fn activity_href(filter: &EventFilter) -> String {
    with_query(path::ACTIVITY, filter.to_query())
}

pub(crate) fn with_query(path: &str, query: String) -> String {
    if query.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{query}")
    }
}

/// `query` (as [`parse_pairs`] reads it) with `changes` made: a key already there keeps its
/// place and takes the new value (its repeats are dropped), a new key goes at the end. What a
/// control that owns one key (the period, the population) writes, whatever else the URL holds.
///
/// ```
/// use sspr_insights::model::query::{key, with_values};
/// assert_eq!(with_values("?period=30d&capable=no", &[(key::PERIOD, "24h")]), "period=24h&capable=no");
/// assert_eq!(with_values("", &[(key::USERS, "guests")]), "users=guests");
/// ```
pub fn with_values(query: &str, changes: &[(&str, &str)]) -> String {
    let mut pairs: Vec<(String, String)> = Vec::new();
    for (k, v) in parse_pairs(query) {
        match changes.iter().find(|(key, _)| *key == k) {
            Some(_) if pairs.iter().any(|(seen, _)| *seen == k) => {}
            Some((_, new)) => pairs.push((k, new.to_string())),
            None => pairs.push((k, v)),
        }
    }
    for (k, v) in changes {
        if !pairs.iter().any(|(seen, _)| seen == k) {
            pairs.push((k.to_string(), v.to_string()));
        }
    }
    let pairs: Vec<(&str, String)> = pairs.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    to_query(&pairs)
}

/// Whether the period means anything on the screen at `path` (the overview and the activity
/// list; registration state has no period).
fn period_applies(path: &str) -> bool {
    matches!(path, path::OVERVIEW | "" | path::ACTIVITY | path::ATTEMPTS)
}

/// `href` (a path, maybe with a query) with the current filters appended where they apply and
/// `href` does not set them itself: the population on every screen, the period on the overview
/// and the activity list. Defaults are left out, so links stay short. The header's links and
/// the insights' links go through here.
///
/// ```
/// use sspr_insights::model::query::link_with_filters;
/// use sspr_insights::model::{Period, Population, RoleKind, UserKind};
/// let guests = Population { users: UserKind::Guests, roles: RoleKind::All };
/// assert_eq!(
///     link_with_filters("/registrations?capable=no", Period::Day, guests),
///     "/registrations?capable=no&users=guests"
/// );
/// ```
pub fn link_with_filters(href: &str, period: Period, population: Population) -> String {
    let (path, own_query) = href.split_once('?').unwrap_or((href, ""));
    let mut params: Vec<String> = own_query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect();
    let wanted = [
        (
            key::USERS,
            population.users.id(),
            population.users != UserKind::default(),
        ),
        (
            key::ROLES,
            population.roles.id(),
            population.roles != RoleKind::default(),
        ),
        (
            key::PERIOD,
            period.id(),
            period_applies(path) && period != Period::default(),
        ),
    ];
    for (key, value, wanted) in wanted {
        let set_by_href = params.iter().any(|p| p.split('=').next() == Some(key));
        if wanted && !set_by_href {
            params.push(format!("{key}={value}"));
        }
    }
    if params.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", params.join("&"))
    }
}

/// The path a deployment is served under, from the absolute URL of a file at its root (the boot
/// script): the directory of the URL's path, without a trailing slash, so that one build works
/// at the root and under any sub-path.
///
/// ```
/// use sspr_insights::model::query::base_path_of;
/// assert_eq!(base_path_of("https://host/sspr/boot.js?v=1"), "/sspr");
/// assert_eq!(base_path_of("https://host/boot.js"), "");
/// ```
pub fn base_path_of(url: &str) -> String {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = after_scheme.find('/').map_or("/", |i| &after_scheme[i..]);
    let path = path.split(['?', '#']).next().unwrap_or("/");
    path[..path.rfind('/').unwrap_or(0)].to_string()
}

/// The path to show instead of `path` (a location's path, base included) when it is not written
/// the way the routes are: a screen's path with a trailing slash loses it (`/sspr/activity/` →
/// `/sspr/activity`, as a host's directory-style link or a hand-typed URL has it), and the base
/// path alone gets its slash (`/sspr` → `/sspr/`, the overview). `None` when `path` is fine, or
/// is not under `base` at all (the app's "Page not found" says so). `base` is the app's base path
/// as [`base_path_of`] gives it.
///
/// ```
/// use sspr_insights::model::query::canonical_path;
/// assert_eq!(canonical_path("/sspr/activity/", "/sspr").as_deref(), Some("/sspr/activity"));
/// assert_eq!(canonical_path("/sspr", "/sspr").as_deref(), Some("/sspr/"));
/// assert_eq!(canonical_path("/activity", ""), None);
/// ```
pub fn canonical_path(path: &str, base: &str) -> Option<String> {
    let rest = path.strip_prefix(base)?;
    if !rest.is_empty() && !rest.starts_with('/') {
        // `/ssprx` is not under `/sspr`.
        return None;
    }
    let screen = rest.trim_end_matches('/');
    let canonical = if screen.is_empty() {
        format!("{base}/")
    } else {
        format!("{base}{screen}")
    };
    (canonical != path).then_some(canonical)
}
