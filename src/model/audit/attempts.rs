//! Password-reset attempts rebuilt from the audit rows of every loaded file (spec §4.3): rows
//! grouped by correlation id, each attempt's user, steps, methods tried and completed, outcome
//! with its deciding reason, funnel stage and IP address; admin resets and password changes as
//! entries of their own; and the events derived from them for the overview and the lists. Runs
//! once per dataset, over all audit rows at once (an attempt may span files).

use rustc_hash::{FxHashMap, FxHashSet};

use super::reasons::{
    read_reason, registered_method, ActivityKind, ReasonInfo, ABANDONED, CANCELED, CONTACTED_ADMIN,
    NEW_PASSWORD, PRESENTED_OPTIONS, SUCCESSFULLY_RESET, TOO_MANY,
};
use super::rows::{result_of, service_of, AuditRows};
use super::Audit;
use crate::model::batch::{EventColumns, EV_RESET, EV_SUCCESS};
use crate::model::method::{Method, MethodCode, MethodTable, NO_METHOD};
use crate::model::order::{gather, signed_key, sort_keyed, time_order};
use crate::model::strings::{Interner, StrTable};
use crate::model::time::Millis;

/// Event flag bit of an event derived from the audit log (shared with the dataset's events).
pub(crate) const EV_DERIVED: u8 = 4;

/// The deciding reason of an abandoned attempt that has no final step (spec §4.3).
pub const NO_FINAL_STEP: &str = "No final step recorded";

/// How an entry of the attempts list ended (spec §4.3): the seven outcomes of a self-service
/// attempt, then the two entries that are not attempts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Outcome {
    Succeeded,
    Unlocked,
    Blocked,
    Failed,
    ContactedAdmin,
    Canceled,
    Abandoned,
    /// `Reset password (by admin)`.
    AdminReset,
    /// `Change password (self-service)`.
    PasswordChange,
}

impl Outcome {
    /// In the order of the outcome rules, then admin resets and password changes.
    pub const ALL: [Outcome; 9] = [
        Outcome::Succeeded,
        Outcome::Unlocked,
        Outcome::Blocked,
        Outcome::Failed,
        Outcome::ContactedAdmin,
        Outcome::Canceled,
        Outcome::Abandoned,
        Outcome::AdminReset,
        Outcome::PasswordChange,
    ];

    /// The URL id (`outcome=`).
    pub fn id(self) -> &'static str {
        match self {
            Outcome::Succeeded => "succeeded",
            Outcome::Unlocked => "unlocked",
            Outcome::Blocked => "blocked",
            Outcome::Failed => "failed",
            Outcome::ContactedAdmin => "contactedadmin",
            Outcome::Canceled => "canceled",
            Outcome::Abandoned => "abandoned",
            Outcome::AdminReset => "adminreset",
            Outcome::PasswordChange => "passwordchange",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Outcome::Succeeded => "Succeeded",
            Outcome::Unlocked => "Unlocked",
            Outcome::Blocked => "Blocked",
            Outcome::Failed => "Failed",
            Outcome::ContactedAdmin => "Contacted admin",
            Outcome::Canceled => "Canceled",
            Outcome::Abandoned => "Abandoned",
            Outcome::AdminReset => "Admin reset",
            Outcome::PasswordChange => "Password change",
        }
    }

    /// Reads an id or a label, any case, spaces ignored.
    pub fn parse(text: &str) -> Option<Outcome> {
        let squeezed: String = text
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        Outcome::ALL
            .into_iter()
            .find(|o| o.id().eq_ignore_ascii_case(&squeezed))
    }

    /// A self-service attempt (not an admin reset or a password change).
    pub fn is_attempt(self) -> bool {
        !matches!(self, Outcome::AdminReset | Outcome::PasswordChange)
    }

    /// An attempt that did not get the user back in (its derived event is a failure).
    pub fn is_failure(self) -> bool {
        matches!(
            self,
            Outcome::Blocked
                | Outcome::Failed
                | Outcome::ContactedAdmin
                | Outcome::Canceled
                | Outcome::Abandoned
        )
    }

    pub(crate) fn code(self) -> u8 {
        self as u8
    }

    pub(crate) fn from_code(code: u8) -> Option<Outcome> {
        Outcome::ALL.get(code as usize).copied()
    }
}

/// The funnel's stages (spec §4.3), each including the next.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Stage {
    /// Every attempt.
    Started = 1,
    VerificationOptionsShown = 2,
    MethodCompleted = 3,
    NewPasswordStep = 4,
    PasswordReset = 5,
}

impl Stage {
    pub const ALL: [Stage; 5] = [
        Stage::Started,
        Stage::VerificationOptionsShown,
        Stage::MethodCompleted,
        Stage::NewPasswordStep,
        Stage::PasswordReset,
    ];

    pub fn number(self) -> u8 {
        self as u8
    }

    pub fn from_number(n: u8) -> Option<Stage> {
        Stage::ALL.get((n as usize).checked_sub(1)?).copied()
    }

    pub fn label(self) -> &'static str {
        match self {
            Stage::Started => "Attempt started",
            Stage::VerificationOptionsShown => "Verification options shown",
            Stage::MethodCompleted => "A method completed",
            Stage::NewPasswordStep => "New password step reached",
            Stage::PasswordReset => "Password reset",
        }
    }
}

/// The attempts list's entries, column-wise, in time order (an entry's time is its last row's).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Entries {
    pub time: Vec<Millis>,
    pub person: Vec<u32>,
    pub outcome: Vec<u8>,
    /// The furthest funnel stage (1–5); 0 for entries that are not attempts.
    pub stage: Vec<u8>,
    /// Canonical method bits: every method its reasons name.
    pub tried: Vec<u16>,
    /// Canonical method bits of its `User completed the X verification option` rows.
    pub completed: Vec<u16>,
    /// The row whose reason decided the outcome (`u32::MAX`: none).
    pub decider: Vec<u32>,
    /// The first IP address of its rows (a text index; 0: none).
    pub ip: Vec<u32>,
    /// Entry `i`'s rows are `Audit::steps[step_end[i - 1]..step_end[i]]` (0 before the first).
    pub step_end: Vec<u32>,
}

impl Entries {
    pub fn len(&self) -> usize {
        self.time.len()
    }

    pub fn heap_bytes(&self) -> usize {
        self.time.capacity() * 8
            + (self.person.capacity() + self.decider.capacity() + self.ip.capacity()) * 4
            + self.step_end.capacity() * 4
            + self.outcome.capacity()
            + self.stage.capacity()
            + (self.tried.capacity() + self.completed.capacity()) * 2
    }

    /// The range of steps of entry `i`.
    pub fn steps_of(&self, i: usize) -> std::ops::Range<usize> {
        let start = if i == 0 {
            0
        } else {
            self.step_end[i - 1] as usize
        };
        start..self.step_end[i] as usize
    }
}

fn method_bit(method: &Method) -> u16 {
    method.canonical_code().map_or(0, |c| 1 << c)
}

/// The audit rows of every batch, gathered for the dataset (their people and texts mapped to the
/// dataset's), de-duplicated by row id (the first one wins).
#[derive(Default)]
pub(crate) struct AuditGather {
    rows: AuditRows,
    texts: Interner,
    seen: FxHashSet<u64>,
    pub duplicates: usize,
    pub other_services: usize,
}

impl AuditGather {
    /// Adds one batch's rows; `people` maps its people to the dataset's.
    pub fn add(&mut self, rows: &AuditRows, texts: &Interner, people: &[u32], other: usize) {
        self.other_services += other;
        if rows.is_empty() {
            return;
        }
        let text_map: Vec<u32> = (0..texts.len() as u32)
            .map(|t| self.texts.intern(texts.get(t)))
            .collect();
        self.rows.reserve(rows.len());
        for i in 0..rows.len() {
            let id = rows.id[i];
            if id != 0 && !self.seen.insert(id) {
                self.duplicates += 1;
                continue;
            }
            self.rows.push_mapped(rows, i, people, &text_map);
        }
    }

    /// The attempts and the derived events. `named(p)`: whether person `p` has a name or user
    /// name; `report_span`: the time range of the events from the activity report (derived
    /// events inside it are left out, spec §4.3).
    pub fn finish(
        self,
        named: impl Fn(u32) -> bool,
        report_span: Option<(Millis, Millis)>,
        reasons: &mut Interner,
        methods: &mut MethodTable,
    ) -> (Audit, EventColumns) {
        let AuditGather { rows, texts, .. } = self;
        let rows = if rows.time.windows(2).all(|w| w[0] <= w[1]) {
            rows
        } else {
            rows.gather(&time_order(&rows.time))
        };
        let texts = texts.table().clone();
        Builder::new(rows, texts, named).build(report_span, reasons, methods)
    }
}

/// One entry while it is being built.
struct Draft {
    time: Millis,
    first_row: u32,
    person: u32,
    outcome: Outcome,
    stage: u8,
    tried: u16,
    completed: u16,
    last_tried: Option<Method>,
    decider: u32,
    ip: u32,
    /// Its rows, a range of `Builder::grouped`.
    rows: std::ops::Range<usize>,
}

struct Builder<F> {
    rows: AuditRows,
    texts: StrTable,
    kinds: Vec<u8>,
    named: F,
    /// What each distinct reason says (by text index).
    reason_infos: Vec<ReasonInfo>,
    reason_slot: FxHashMap<u32, u32>,
    /// Attempt rows, attempt by attempt (each in time order), then the single-row entries.
    grouped: Vec<u32>,
}

impl<F: Fn(u32) -> bool> Builder<F> {
    fn new(rows: AuditRows, texts: StrTable, named: F) -> Self {
        let mut kind_of: FxHashMap<(u32, u8), u8> = FxHashMap::default();
        let kinds = (0..rows.len())
            .map(|i| {
                let key = (rows.activity[i], rows.flags[i] & 1);
                *kind_of.entry(key).or_insert_with(|| {
                    let service = service_of(rows.flags[i]);
                    ActivityKind::of(service, texts.get(rows.activity[i])) as u8
                })
            })
            .collect();
        Builder {
            rows,
            texts,
            kinds,
            named,
            reason_infos: Vec::new(),
            reason_slot: FxHashMap::default(),
            grouped: Vec::new(),
        }
    }

    fn kind(&self, row: u32) -> ActivityKind {
        ActivityKind::from_code(self.kinds[row as usize]).unwrap_or(ActivityKind::OtherReset)
    }

    /// What the reason of `row` says (read once per distinct reason).
    fn reason(&mut self, row: u32) -> usize {
        let text = self.rows.reason[row as usize];
        if let Some(&slot) = self.reason_slot.get(&text) {
            return slot as usize;
        }
        let slot = self.reason_infos.len();
        self.reason_infos.push(read_reason(self.texts.get(text)));
        self.reason_slot.insert(text, slot as u32);
        slot
    }

    fn build(
        mut self,
        report_span: Option<(Millis, Millis)>,
        reasons: &mut Interner,
        methods: &mut MethodTable,
    ) -> (Audit, EventColumns) {
        let n = self.rows.len() as u32;
        // Attempt rows by correlation id (a row without one is an attempt of its own), in the
        // order each attempt's first row comes; counted first, then placed (no list per attempt).
        let mut group_of_row = vec![u32::MAX; n as usize];
        let mut group_of_id: FxHashMap<u32, u32> = FxHashMap::default();
        let mut sizes: Vec<u32> = Vec::new();
        let mut singles: Vec<u32> = Vec::new();
        for row in 0..n {
            match self.kind(row) {
                kind if kind.is_attempt_step() => {
                    let correlation = self.rows.correlation[row as usize];
                    let group = if correlation == 0 {
                        None
                    } else {
                        group_of_id.get(&correlation).copied()
                    };
                    let group = group.unwrap_or_else(|| {
                        sizes.push(0);
                        let g = sizes.len() as u32 - 1;
                        if correlation != 0 {
                            group_of_id.insert(correlation, g);
                        }
                        g
                    });
                    sizes[group as usize] += 1;
                    group_of_row[row as usize] = group;
                }
                ActivityKind::AdminReset | ActivityKind::PasswordChange => singles.push(row),
                _ => {}
            }
        }
        drop(group_of_id);
        let mut starts: Vec<usize> = Vec::with_capacity(sizes.len() + 1);
        let mut total = 0usize;
        for &size in &sizes {
            starts.push(total);
            total += size as usize;
        }
        starts.push(total);
        self.grouped = vec![0; total];
        let mut fill = starts.clone();
        for row in 0..n {
            let group = group_of_row[row as usize];
            if group != u32::MAX {
                self.grouped[fill[group as usize]] = row;
                fill[group as usize] += 1;
            }
        }
        drop(group_of_row);
        drop(fill);

        let mut drafts: Vec<Draft> = Vec::with_capacity(sizes.len() + singles.len());
        for g in 0..sizes.len() {
            let draft = self.attempt(starts[g]..starts[g + 1]);
            drafts.push(draft);
        }
        for row in singles {
            let at = self.grouped.len();
            self.grouped.push(row);
            let outcome = if self.kind(row) == ActivityKind::AdminReset {
                Outcome::AdminReset
            } else {
                Outcome::PasswordChange
            };
            let r = row as usize;
            drafts.push(Draft {
                time: self.rows.time[r],
                first_row: row,
                person: self.rows.person[r],
                outcome,
                stage: 0,
                tried: 0,
                completed: 0,
                last_tried: None,
                decider: row,
                ip: self.rows.ip[r],
                rows: at..at + 1,
            });
        }
        let drafts = in_time_order(drafts);
        let events = self.derived_events(&drafts, report_span, reasons, methods);

        let mut entries = Entries::default();
        let mut steps = Vec::with_capacity(self.grouped.len());
        for d in &drafts {
            entries.time.push(d.time);
            entries.person.push(d.person);
            entries.outcome.push(d.outcome.code());
            entries.stage.push(d.stage);
            entries.tried.push(d.tried);
            entries.completed.push(d.completed);
            entries.decider.push(d.decider);
            entries.ip.push(d.ip);
            steps.extend_from_slice(&self.grouped[d.rows.clone()]);
            entries.step_end.push(steps.len() as u32);
        }
        let audit = Audit {
            rows: self.rows,
            kinds: self.kinds,
            texts: self.texts,
            entries,
            steps,
        };
        (audit, events)
    }

    /// One attempt of the rows `grouped[range]` (in time order): the rules of spec §4.3.
    fn attempt(&mut self, range: std::ops::Range<usize>) -> Draft {
        let mut person = None;
        let mut ip = 0;
        let mut tried = 0u16;
        let mut completed = 0u16;
        let mut last_tried = None;
        let mut presented = false;
        let mut new_password = false;
        // The first row that matches each outcome rule (1–6), and the first abandoned reason.
        let mut first: [Option<u32>; 6] = [None; 6];
        let mut abandoned = None;
        for i in range.clone() {
            let row = self.grouped[i];
            let r = row as usize;
            let p = self.rows.person[r];
            if person.is_none() && (self.named)(p) {
                person = Some(p);
            }
            if ip == 0 {
                ip = self.rows.ip[r];
            }
            let kind = self.kind(row);
            let result = result_of(self.rows.flags[r]);
            let slot = self.reason(row);
            let info = &self.reason_infos[slot];
            let flags = info.flags;
            for m in &info.tried {
                tried |= method_bit(m);
            }
            if let Some(m) = info.tried.last() {
                last_tried = Some(m.clone());
            }
            if let Some(m) = &info.completed {
                completed |= method_bit(m);
            }
            presented |= flags & PRESENTED_OPTIONS != 0;
            new_password |= flags & NEW_PASSWORD != 0;
            let matches = [
                (kind == ActivityKind::SelfServiceReset && result == super::AuditResult::Success)
                    || flags & SUCCESSFULLY_RESET != 0,
                kind == ActivityKind::Unlock && result == super::AuditResult::Success,
                kind == ActivityKind::Blocked || flags & TOO_MANY != 0,
                result.is_failure() && flags & (ABANDONED | CANCELED | CONTACTED_ADMIN) == 0,
                flags & CONTACTED_ADMIN != 0,
                flags & CANCELED != 0,
            ];
            for (slot, hit) in first.iter_mut().zip(matches) {
                if hit && slot.is_none() {
                    *slot = Some(row);
                }
            }
            if flags & ABANDONED != 0 && abandoned.is_none() {
                abandoned = Some(row);
            }
        }
        let (outcome, decider) = match first.iter().position(Option::is_some) {
            Some(rule) => (Outcome::ALL[rule], first[rule]),
            None => (Outcome::Abandoned, abandoned),
        };
        let succeeded = outcome == Outcome::Succeeded;
        let stage = if succeeded {
            Stage::PasswordReset
        } else if new_password {
            Stage::NewPasswordStep
        } else if completed != 0 {
            Stage::MethodCompleted
        } else if presented || tried != 0 {
            Stage::VerificationOptionsShown
        } else {
            Stage::Started
        };
        let first_row = self.grouped[range.start];
        let last_row = self.grouped[range.end - 1];
        Draft {
            time: self.rows.time[last_row as usize],
            first_row,
            person: person.unwrap_or(self.rows.person[first_row as usize]),
            outcome,
            stage: stage.number(),
            tried,
            completed,
            last_tried,
            decider: decider.unwrap_or(u32::MAX),
            ip,
            rows: range,
        }
    }

    /// The events derived from the audit log (spec §4.3), outside the report's time range.
    fn derived_events(
        &mut self,
        drafts: &[Draft],
        report_span: Option<(Millis, Millis)>,
        reasons: &mut Interner,
        methods: &mut MethodTable,
    ) -> EventColumns {
        let outside = |t: Millis| report_span.is_none_or(|(from, to)| t < from || t > to);
        let mut events = EventColumns::default();
        let mut push = |time: Millis, person: u32, method: MethodCode, flags: u8, reason: u32| {
            events.time.push(time);
            events.person.push(person);
            events.method.push(method);
            events.flags.push(flags | EV_DERIVED);
            events.reason.push(reason);
            events.id.push(0);
        };
        for d in drafts.iter().filter(|d| d.outcome.is_attempt()) {
            for i in d.rows.clone() {
                let row = self.grouped[i];
                let time = self.rows.time[row as usize];
                if !outside(time) {
                    continue;
                }
                let slot = self.reason(row);
                if let Some(m) = &self.reason_infos[slot].completed {
                    push(time, d.person, methods.code_of(m), EV_RESET | EV_SUCCESS, 0);
                }
            }
            if d.outcome.is_failure() && outside(d.time) {
                let method = d
                    .last_tried
                    .as_ref()
                    .map_or(NO_METHOD, |m| methods.code_of(m));
                let reason = reasons.intern(&self.deciding_reason(d.decider));
                push(d.time, d.person, method, EV_RESET, reason);
            }
        }
        for row in 0..self.rows.len() {
            let r = row as u32;
            if self.kind(r) != ActivityKind::RegisteredSecurityInfo || !outside(self.rows.time[row])
            {
                continue;
            }
            let text = self.texts.get(self.rows.reason[row]);
            let method = registered_method(text).map_or(NO_METHOD, |m| methods.code_of(&m));
            let success = result_of(self.rows.flags[row]) == super::AuditResult::Success;
            let (flags, reason) = if success {
                (EV_SUCCESS, 0)
            } else {
                (0, reasons.intern(text))
            };
            push(
                self.rows.time[row],
                self.rows.person[row],
                method,
                flags,
                reason,
            );
        }
        events
    }

    /// The deciding reason of an entry whose deciding row is `decider` (its activity when its
    /// reason is empty).
    fn deciding_reason(&self, decider: u32) -> String {
        deciding_reason(&self.rows, &self.texts, decider).to_string()
    }
}

/// The deciding reason of an entry whose deciding row is `decider`: the row's reason, its
/// activity when the reason is empty, [`NO_FINAL_STEP`] without a row.
pub(crate) fn deciding_reason<'a>(rows: &AuditRows, texts: &'a StrTable, decider: u32) -> &'a str {
    let Some(i) = (decider != u32::MAX).then_some(decider as usize) else {
        return NO_FINAL_STEP;
    };
    match (rows.reason.get(i), rows.activity.get(i)) {
        (Some(&r), _) if !texts.get(r).is_empty() => texts.get(r),
        (_, Some(&a)) => texts.get(a),
        _ => NO_FINAL_STEP,
    }
}

/// Attempts in order of their time, then of their first row, ties in the order they came (as a
/// stable sort by both gives), through the one sort of `model::order`.
fn in_time_order(drafts: Vec<Draft>) -> Vec<Draft> {
    let mut keyed: Vec<(u64, u64)> = drafts
        .iter()
        .enumerate()
        .map(|(i, d)| (signed_key(d.time), u64::from(d.first_row) << 32 | i as u64))
        .collect();
    sort_keyed(&mut keyed);
    let order: Vec<u32> = keyed.into_iter().map(|(_, tie)| tie as u32).collect();
    gather(drafts, &order)
}
