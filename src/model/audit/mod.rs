//! The audit log as a source (spec §4.3): its rows as the importers hand them over, the
//! password-reset attempts rebuilt from them, the events derived for the overview, and what the
//! `/attempts` screen shows (the funnel, the outcomes, the trend, the list and its filter, its
//! download, the insights). Pure and host-tested; the screen only renders what this computes.
//!
//! ```
//! use sspr_insights::model::{import_file, AsOf, Dataset, SourceKind};
//! use sspr_insights::model::audit::Outcome;
//! let page = br#"{"value":[{"id":"1","activityDisplayName":"Reset password (self-service)",
//!   "activityDateTime":"2026-11-20T10:00:00Z","correlationId":"c1","result":"success",
//!   "loggedByService":"Self-service Password Management","resultReason":"",
//!   "targetResources":[{"type":"User","userPrincipalName":"bob@contoso.com"}]}]}"#;
//! let ds = Dataset::build(vec![import_file("audit.json", page).batch], AsOf::Newest, SourceKind::Uploaded);
//! assert_eq!(ds.attempt(0).outcome(), Outcome::Succeeded);
//! assert_eq!(ds.attempt(0).user_name(), "bob@contoso.com");
//! ```

mod attempts;
pub mod export;
pub mod filter;
mod input;
pub mod insights;
mod reasons;
pub(crate) mod rows;
pub mod views;

pub(crate) use attempts::{deciding_reason, AuditGather, Entries, EV_DERIVED};
pub use attempts::{Outcome, Stage, NO_FINAL_STEP};
pub use filter::{AttemptColumn, AttemptFilter};
pub use input::{row_user, AuditInput, AuditParty, AuditResult, AuditService};
pub use reasons::{read_reason, registered_method, ActivityKind, ReasonInfo};
pub use views::{attempt_funnel, attempt_outcomes, attempt_trend, AttemptTrend, FunnelRow};

use rows::{result_of, service_of, AuditRows};

use super::dataset::Dataset;
use super::method::{Method, CANONICAL_COUNT};
use super::strings::StrTable;
use super::time::Millis;

/// The audit log of a dataset: every row in time order, and the entries of the attempts list
/// (attempts, admin resets, password changes) with their steps. Never changed after the build.
#[derive(Clone, Debug, Default)]
pub struct Audit {
    pub(crate) rows: AuditRows,
    /// The [`ActivityKind`] of each row.
    pub(crate) kinds: Vec<u8>,
    /// Every text the rows name (index 0: the empty text).
    pub(crate) texts: StrTable,
    pub(crate) entries: Entries,
    /// The rows of the entries, entry by entry (see [`Entries::step_end`]).
    pub(crate) steps: Vec<u32>,
}

impl Audit {
    /// Audit rows loaded (password reset and security info).
    pub fn row_count(&self) -> usize {
        self.rows.len()
    }

    /// Entries of the attempts list: attempts, admin resets, password changes.
    pub fn entry_count(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Oldest and newest row time.
    pub fn span(&self) -> Option<(Millis, Millis)> {
        Some((*self.rows.time.first()?, *self.rows.time.last()?))
    }

    /// Whether the parts agree (a wire message could be damaged): every index inside its table,
    /// every column as long as its rows, rows and entries in time order.
    pub(crate) fn is_consistent(&self, people: usize) -> bool {
        let r = &self.rows;
        let e = &self.entries;
        let rows = r.len();
        let n = e.len();
        let entry_columns = [
            e.person.len(),
            e.outcome.len(),
            e.stage.len(),
            e.tried.len(),
            e.completed.len(),
            e.decider.len(),
            e.ip.len(),
            e.step_end.len(),
        ];
        r.columns_agree()
            && r.flags_valid()
            && self.kinds.len() == rows
            && self
                .kinds
                .iter()
                .all(|&k| ActivityKind::from_code(k).is_some())
            && r.texts_within(self.texts.len())
            && r.person.iter().all(|&p| (p as usize) < people)
            && r.time.windows(2).all(|w| w[0] <= w[1])
            && entry_columns.iter().all(|&len| len == n)
            && e.time.windows(2).all(|w| w[0] <= w[1])
            && e.person.iter().all(|&p| (p as usize) < people)
            && e.outcome.iter().all(|&o| Outcome::from_code(o).is_some())
            && e.stage.iter().all(|&s| s <= 5)
            && e.tried
                .iter()
                .chain(&e.completed)
                .all(|&m| (m as usize) < 1 << CANONICAL_COUNT)
            && e.decider
                .iter()
                .all(|&d| d == u32::MAX || (d as usize) < rows)
            && e.ip.iter().all(|&t| (t as usize) < self.texts.len().max(1))
            && e.step_end.windows(2).all(|w| w[0] <= w[1])
            && e.step_end.last().map_or(0, |&x| x as usize) == self.steps.len()
            && self.steps.iter().all(|&s| (s as usize) < rows)
    }

    /// Bytes held on the heap (for the memory benchmark).
    pub fn heap_bytes(&self) -> usize {
        self.rows.heap_bytes()
            + self.kinds.capacity()
            + self.texts.heap_bytes()
            + self.entries.heap_bytes()
            + self.steps.capacity() * 4
    }

    fn kind(&self, row: usize) -> ActivityKind {
        ActivityKind::from_code(self.kinds[row]).unwrap_or(ActivityKind::OtherReset)
    }
}

/// The methods whose bits are set, in the table's order.
fn methods_of(bits: u16) -> Vec<Method> {
    Method::CANONICAL
        .iter()
        .enumerate()
        .filter(|(c, _)| bits & (1 << c) != 0)
        .map(|(_, m)| m.clone())
        .collect()
}

impl Dataset {
    /// The audit log loaded with the data (empty when no audit log was).
    pub fn audit(&self) -> &Audit {
        &self.audit
    }

    /// Entry `index` of the attempts list (in time order).
    pub fn attempt(&self, index: u32) -> AttemptRef<'_> {
        AttemptRef { ds: self, index }
    }

    /// The entry with this key (see [`AttemptRef::key`]).
    pub fn find_attempt(&self, key: &str) -> Option<u32> {
        let key = key.trim().to_lowercase();
        if key.is_empty() {
            return None;
        }
        (0..self.audit.entry_count() as u32).find(|&i| self.attempt(i).key() == key)
    }
}

/// An entry of the attempts list, read through the dataset.
#[derive(Clone, Copy, Debug)]
pub struct AttemptRef<'a> {
    ds: &'a Dataset,
    index: u32,
}

impl<'a> AttemptRef<'a> {
    fn audit(&self) -> &'a Audit {
        &self.ds.audit
    }

    fn i(&self) -> usize {
        self.index as usize
    }

    pub fn index(&self) -> u32 {
        self.index
    }

    /// When it ended: its last row's time.
    pub fn time(&self) -> Millis {
        self.audit().entries.time[self.i()]
    }

    /// When it started: its first row's time.
    pub fn start(&self) -> Millis {
        self.steps().next().map_or(self.time(), |s| s.time())
    }

    fn person(&self) -> u32 {
        self.audit().entries.person[self.i()]
    }

    pub fn name(&self) -> &'a str {
        self.ds.names.get(self.person())
    }

    pub fn user_name(&self) -> &'a str {
        self.ds.user_names.get(self.person())
    }

    pub fn outcome(&self) -> Outcome {
        Outcome::from_code(self.audit().entries.outcome[self.i()]).unwrap_or(Outcome::Abandoned)
    }

    /// The furthest funnel stage; `None` for an admin reset or a password change.
    pub fn stage(&self) -> Option<Stage> {
        Stage::from_number(self.audit().entries.stage[self.i()])
    }

    /// Every method its reasons name, in the table's order.
    pub fn methods_tried(&self) -> Vec<Method> {
        methods_of(self.audit().entries.tried[self.i()])
    }

    /// The methods of its `User completed the X verification option` rows.
    pub fn methods_completed(&self) -> Vec<Method> {
        methods_of(self.audit().entries.completed[self.i()])
    }

    /// The reason that decided its outcome (spec §4.3).
    pub fn reason(&self) -> &'a str {
        let a = self.audit();
        deciding_reason(&a.rows, &a.texts, a.entries.decider[self.i()])
    }

    /// The first IP address its rows name ("" when none does).
    pub fn ip(&self) -> &'a str {
        self.audit().texts.get(self.audit().entries.ip[self.i()])
    }

    pub fn step_count(&self) -> usize {
        self.audit().entries.steps_of(self.i()).len()
    }

    /// Its rows, in time order.
    pub fn steps(&self) -> impl Iterator<Item = StepRef<'a>> + 'a {
        let audit = self.audit();
        audit.steps[audit.entries.steps_of(self.i())]
            .iter()
            .map(move |&row| StepRef {
                audit,
                row: row as usize,
            })
    }

    /// What names it in a link (`attempt=`): its correlation id (lower case), or `row-N` for an
    /// entry without one.
    pub fn key(&self) -> String {
        match self.steps().next() {
            Some(step) if !step.correlation_id().is_empty() => step.correlation_id().to_string(),
            Some(step) => format!("row-{}", step.row),
            None => format!("row-{}", self.index),
        }
    }
}

/// One row of an attempt (a step).
#[derive(Clone, Copy, Debug)]
pub struct StepRef<'a> {
    audit: &'a Audit,
    row: usize,
}

impl<'a> StepRef<'a> {
    fn text(&self, column: &[u32]) -> &'a str {
        self.audit.texts.get(column[self.row])
    }
    pub fn time(&self) -> Millis {
        self.audit.rows.time[self.row]
    }
    pub fn activity(&self) -> &'a str {
        self.text(&self.audit.rows.activity)
    }
    pub fn kind(&self) -> ActivityKind {
        self.audit.kind(self.row)
    }
    pub fn service(&self) -> AuditService {
        service_of(self.audit.rows.flags[self.row])
    }
    pub fn result(&self) -> AuditResult {
        result_of(self.audit.rows.flags[self.row])
    }
    pub fn reason(&self) -> &'a str {
        self.text(&self.audit.rows.reason)
    }
    pub fn ip(&self) -> &'a str {
        self.text(&self.audit.rows.ip)
    }
    /// The `OnPremisesAgent` detail (admin resets).
    pub fn agent(&self) -> &'a str {
        self.text(&self.audit.rows.agent)
    }
    /// Lower case.
    pub fn correlation_id(&self) -> &'a str {
        self.text(&self.audit.rows.correlation)
    }
}
