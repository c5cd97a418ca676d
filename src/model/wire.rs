//! The compact binary form in which a dataset, or what a worker read of a file, travels between
//! the page and its workers: the columns as they are in memory, little-endian, each padded to
//! 8 bytes so that a reader can copy it straight into place (the page copies each column from the
//! message's buffer into its own vector, never the whole message first). Owns the format only:
//! it moves no bytes between threads and never touches the DOM.
//!
//! ```
//! use sspr_insights::model::{import_file, wire, AsOf, Dataset, SourceKind};
//! let page = br#"{"value":[{"id":"1","userPrincipalName":"a@x","isSsprRegistered":true,"isSsprEnabled":true}]}"#;
//! let ds = Dataset::build(vec![import_file("u.json", page).batch], AsOf::Newest, SourceKind::Uploaded);
//! let bytes = wire::encode_dataset(&ds);
//! let back = wire::decode_dataset(&mut wire::SliceIn::new(&bytes)).unwrap();
//! assert_eq!(wire::encode_dataset(&back), bytes);
//! ```

use std::fmt;

use bytemuck::Pod;

use super::audit::rows::AuditRows;
use super::audit::{Audit, Entries};
use super::batch::{Batch, BatchUser, EventColumns, People, UserType};
use super::dataset::{Dataset, SourceKind, SourceSummary, UserColumns, Warnings};
use super::import::part::{ImportPart, KindCounts, Part, PartEnd, PartStart};
use super::import::{FileImport, FileKind, ImportError};
use super::method::{Method, MethodTable, NO_METHOD};
use super::mfa::{MfaColumns, MfaUser};
use super::policy::{MemberKind, MemberList, MethodConfiguration, MethodsPolicy, PolicyInputs};
use super::strings::{Interner, StrTable};

#[cfg(target_endian = "big")]
compile_error!("the wire form is the memory layout of a little-endian machine");

/// The first bytes of every message, so that a message of another version is refused.
const MAGIC: &[u8; 8] = b"SSPRw\x00\x00\x02";

/// A message that cannot be read (cut short, or of another version of the app).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WireError(pub &'static str);

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the data from the worker could not be read: {}", self.0)
    }
}

/// Where encoded bytes go.
pub trait WireOut {
    fn put(&mut self, bytes: &[u8]);
    /// Bytes written so far.
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl WireOut for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
    fn len(&self) -> usize {
        Vec::len(self)
    }
}

/// Counts what would be written (to size a buffer before writing into it).
#[derive(Default)]
pub struct Counter(pub usize);

impl WireOut for Counter {
    fn put(&mut self, bytes: &[u8]) {
        self.0 += bytes.len();
    }
    fn len(&self) -> usize {
        self.0
    }
}

/// Where encoded bytes come from.
pub trait WireIn {
    /// Copies the next `dest.len()` bytes into `dest`.
    fn fill(&mut self, dest: &mut [u8]) -> Result<(), WireError>;
    /// Skips `n` bytes.
    fn skip(&mut self, n: usize) -> Result<(), WireError>;
    /// Bytes read so far.
    fn position(&self) -> usize;
    /// Bytes left to read (a damaged count is refused before anything is allocated for it).
    fn remaining(&self) -> usize;
}

/// Reads a message held in memory.
pub struct SliceIn<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> SliceIn<'a> {
    pub fn new(bytes: &'a [u8]) -> SliceIn<'a> {
        SliceIn { bytes, at: 0 }
    }
}

impl WireIn for SliceIn<'_> {
    fn fill(&mut self, dest: &mut [u8]) -> Result<(), WireError> {
        let end = self.at + dest.len();
        let src = self
            .bytes
            .get(self.at..end)
            .ok_or(WireError("it ends early"))?;
        dest.copy_from_slice(src);
        self.at = end;
        Ok(())
    }
    fn skip(&mut self, n: usize) -> Result<(), WireError> {
        if self.at + n > self.bytes.len() {
            return Err(WireError("it ends early"));
        }
        self.at += n;
        Ok(())
    }
    fn position(&self) -> usize {
        self.at
    }
    fn remaining(&self) -> usize {
        self.bytes.len().saturating_sub(self.at)
    }
}

// ---- primitives ----

fn pad(out: &mut impl WireOut) {
    let gap = (8 - out.len() % 8) % 8;
    out.put(&[0u8; 8][..gap]);
}

fn skip_pad(input: &mut impl WireIn) -> Result<(), WireError> {
    let gap = (8 - input.position() % 8) % 8;
    input.skip(gap)
}

fn put_u64(out: &mut impl WireOut, v: u64) {
    out.put(&v.to_le_bytes());
}

fn get_u64(input: &mut impl WireIn) -> Result<u64, WireError> {
    let mut b = [0u8; 8];
    input.fill(&mut b)?;
    Ok(u64::from_le_bytes(b))
}

fn put_len(out: &mut impl WireOut, n: usize) {
    put_u64(out, n as u64);
}

/// A count, refused when it could not be real (so a bad message cannot ask for a huge vector).
fn get_len(input: &mut impl WireIn) -> Result<usize, WireError> {
    let n = get_u64(input)?;
    if n > u32::MAX as u64 {
        return Err(WireError("a count is out of range"));
    }
    Ok(n as usize)
}

fn put_i64(out: &mut impl WireOut, v: i64) {
    out.put(&v.to_le_bytes());
}

fn get_i64(input: &mut impl WireIn) -> Result<i64, WireError> {
    Ok(get_u64(input)? as i64)
}

fn put_bool(out: &mut impl WireOut, v: bool) {
    put_u64(out, v as u64);
}

fn get_bool(input: &mut impl WireIn) -> Result<bool, WireError> {
    Ok(get_u64(input)? != 0)
}

fn put_opt_i64(out: &mut impl WireOut, v: Option<i64>) {
    put_bool(out, v.is_some());
    put_i64(out, v.unwrap_or(0));
}

fn get_opt_i64(input: &mut impl WireIn) -> Result<Option<i64>, WireError> {
    let some = get_bool(input)?;
    let v = get_i64(input)?;
    Ok(some.then_some(v))
}

fn put_opt_usize(out: &mut impl WireOut, v: Option<usize>) {
    put_opt_i64(out, v.map(|v| v as i64));
}

fn get_opt_usize(input: &mut impl WireIn) -> Result<Option<usize>, WireError> {
    Ok(get_opt_i64(input)?.map(|v| v as usize))
}

/// A column: its length, then its elements as they are in memory, padded to 8 bytes.
fn put_slice<T: Pod>(out: &mut impl WireOut, values: &[T]) {
    put_len(out, values.len());
    out.put(bytemuck::cast_slice(values));
    pad(out);
}

fn get_vec<T: Pod>(input: &mut impl WireIn) -> Result<Vec<T>, WireError> {
    let n = get_len(input)?;
    // No real column passes 4 GiB (a wasm32 page cannot hold one): a damaged count must not
    // make the reader ask for more memory than any machine has before it finds the message short.
    if n.saturating_mul(std::mem::size_of::<T>()) > u32::MAX as usize {
        return Err(WireError("a column is out of range"));
    }
    if n.saturating_mul(std::mem::size_of::<T>()) > input.remaining() {
        return Err(WireError("a length is longer than the message"));
    }
    let mut values = vec![T::zeroed(); n];
    input.fill(bytemuck::cast_slice_mut(&mut values))?;
    skip_pad(input)?;
    Ok(values)
}

fn put_str(out: &mut impl WireOut, text: &str) {
    put_slice(out, text.as_bytes());
}

fn get_string(input: &mut impl WireIn) -> Result<String, WireError> {
    String::from_utf8(get_vec::<u8>(input)?).map_err(|_| WireError("a text is not UTF-8"))
}

fn put_strs<S: AsRef<str>>(out: &mut impl WireOut, texts: &[S]) {
    put_len(out, texts.len());
    for t in texts {
        put_str(out, t.as_ref());
    }
}

fn get_strings(input: &mut impl WireIn) -> Result<Vec<String>, WireError> {
    let n = get_len(input)?;
    (0..n).map(|_| get_string(input)).collect()
}

fn put_table(out: &mut impl WireOut, table: &StrTable) {
    let (text, ends) = table.parts();
    put_str(out, text);
    put_slice(out, ends);
}

fn get_table(input: &mut impl WireIn) -> Result<StrTable, WireError> {
    let text = get_string(input)?;
    let ends: Vec<u32> = get_vec(input)?;
    StrTable::from_parts(text, ends).ok_or(WireError("a text table is inconsistent"))
}

fn put_methods(out: &mut impl WireOut, methods: &MethodTable) {
    put_strs(out, methods.other_names());
}

fn get_methods(input: &mut impl WireIn) -> Result<MethodTable, WireError> {
    let mut table = MethodTable::default();
    for name in get_strings(input)? {
        table.code_of(&Method::Other(name.into()));
    }
    Ok(table)
}

fn put_events(out: &mut impl WireOut, e: &EventColumns) {
    put_slice(out, &e.time);
    put_slice(out, &e.person);
    put_slice(out, &e.method);
    put_slice(out, &e.flags);
    put_slice(out, &e.reason);
    put_slice(out, &e.id);
}

fn get_events(input: &mut impl WireIn) -> Result<EventColumns, WireError> {
    let e = EventColumns {
        time: get_vec(input)?,
        person: get_vec(input)?,
        method: get_vec(input)?,
        flags: get_vec(input)?,
        reason: get_vec(input)?,
        id: get_vec(input)?,
    };
    let n = e.time.len();
    if [
        e.person.len(),
        e.method.len(),
        e.flags.len(),
        e.reason.len(),
        e.id.len(),
    ]
    .iter()
    .any(|&len| len != n)
    {
        return Err(WireError("the event columns differ in length"));
    }
    Ok(e)
}

fn put_audit_rows(out: &mut impl WireOut, r: &AuditRows) {
    put_slice(out, &r.time);
    put_slice(out, &r.person);
    put_slice(out, &r.correlation);
    put_slice(out, &r.activity);
    put_slice(out, &r.reason);
    put_slice(out, &r.ip);
    put_slice(out, &r.agent);
    put_slice(out, &r.flags);
    put_slice(out, &r.id);
}

fn get_audit_rows(input: &mut impl WireIn) -> Result<AuditRows, WireError> {
    let r = AuditRows {
        time: get_vec(input)?,
        person: get_vec(input)?,
        correlation: get_vec(input)?,
        activity: get_vec(input)?,
        reason: get_vec(input)?,
        ip: get_vec(input)?,
        agent: get_vec(input)?,
        flags: get_vec(input)?,
        id: get_vec(input)?,
    };
    if !r.columns_agree() || !r.flags_valid() {
        return Err(WireError("the audit columns differ in length"));
    }
    Ok(r)
}

/// The audit log of a dataset: its rows, their kinds and texts, the entries and their steps.
fn write_audit(out: &mut impl WireOut, a: &Audit) {
    put_audit_rows(out, &a.rows);
    put_slice(out, &a.kinds);
    put_table(out, &a.texts);
    let e = &a.entries;
    put_slice(out, &e.time);
    put_slice(out, &e.person);
    put_slice(out, &e.outcome);
    put_slice(out, &e.stage);
    put_slice(out, &e.tried);
    put_slice(out, &e.completed);
    put_slice(out, &e.decider);
    put_slice(out, &e.ip);
    put_slice(out, &e.step_end);
    put_slice(out, &a.steps);
}

fn read_audit(input: &mut impl WireIn) -> Result<Audit, WireError> {
    Ok(Audit {
        rows: get_audit_rows(input)?,
        kinds: get_vec(input)?,
        texts: get_table(input)?,
        entries: Entries {
            time: get_vec(input)?,
            person: get_vec(input)?,
            outcome: get_vec(input)?,
            stage: get_vec(input)?,
            tried: get_vec(input)?,
            completed: get_vec(input)?,
            decider: get_vec(input)?,
            ip: get_vec(input)?,
            step_end: get_vec(input)?,
        },
        steps: get_vec(input)?,
    })
}

fn magic(out: &mut impl WireOut) {
    out.put(MAGIC);
}

fn check_magic(input: &mut impl WireIn) -> Result<(), WireError> {
    let mut b = [0u8; 8];
    input.fill(&mut b)?;
    if &b != MAGIC {
        return Err(WireError("it comes from another version of the app"));
    }
    Ok(())
}

// ---- a dataset ----

/// A dataset in its wire form.
pub fn encode_dataset(ds: &Dataset) -> Vec<u8> {
    let mut out = Vec::with_capacity(ds.heap_bytes() + 4096);
    write_dataset(&mut out, ds);
    out
}

/// Writes a dataset to any [`WireOut`].
pub fn write_dataset(out: &mut impl WireOut, ds: &Dataset) {
    magic(out);
    put_source(out, ds.source());
    put_i64(out, ds.as_of());
    put_opt_i64(out, ds.last_updated());
    put_table(out, &ds.names);
    put_table(out, &ds.user_names);
    put_table(out, &ds.search_text);
    put_slice(out, &ds.person_user);
    put_slice(out, &ds.person_class);
    let u = &ds.users;
    put_slice(out, &u.person);
    put_table(out, &u.id);
    put_slice(out, &u.flags);
    put_slice(out, &u.method_start);
    put_slice(out, &u.methods);
    put_slice(out, &u.method_mask);
    put_slice(out, &u.last_updated);
    put_mfa_columns(out, &u.mfa);
    put_events(out, &ds.events);
    put_table(out, &ds.reasons);
    put_methods(out, &ds.methods);
    put_slice(out, &ds.feature_methods[0]);
    put_slice(out, &ds.feature_methods[1]);
    write_warnings(out, ds.warnings());
    put_len(out, ds.sources().len());
    for s in ds.sources() {
        put_str(out, &s.name);
        put_len(out, s.users);
        put_len(out, s.events);
    }
    write_audit(out, &ds.audit);
}

/// Reads a dataset written by [`write_dataset`], checking that its parts agree (a bad message is
/// an error, never a dataset that panics later).
pub fn decode_dataset(input: &mut impl WireIn) -> Result<Dataset, WireError> {
    check_magic(input)?;
    let source = get_source(input, true)?;
    let as_of = get_i64(input)?;
    let last_updated = get_opt_i64(input)?;
    let names = get_table(input)?;
    let user_names = get_table(input)?;
    let search_text = get_table(input)?;
    let person_user = get_vec(input)?;
    let person_class = get_vec(input)?;
    let users = UserColumns {
        person: get_vec(input)?,
        id: get_table(input)?,
        flags: get_vec(input)?,
        method_start: get_vec(input)?,
        methods: get_vec(input)?,
        method_mask: get_vec(input)?,
        last_updated: get_vec(input)?,
        mfa: get_mfa_columns(input)?,
    };
    let events = get_events(input)?;
    let reasons = get_table(input)?;
    let methods = get_methods(input)?;
    let feature_methods = [get_vec(input)?, get_vec(input)?];
    let warnings = read_warnings(input)?;
    let n = get_len(input)?;
    let mut sources = Vec::with_capacity(n.min(1024));
    for _ in 0..n {
        sources.push(SourceSummary {
            name: get_string(input)?,
            users: get_len(input)?,
            events: get_len(input)?,
        });
    }
    let audit = read_audit(input)?;
    Dataset::from_parts(super::dataset::DatasetParts {
        source,
        as_of,
        last_updated,
        names,
        user_names,
        search_text,
        person_user,
        person_class,
        users,
        events,
        reasons,
        methods,
        feature_methods,
        warnings,
        sources,
        audit,
    })
    .ok_or(WireError("its columns do not agree"))
}

fn put_source(out: &mut impl WireOut, source: &SourceKind) {
    match source {
        SourceKind::Sample => put_u64(out, 0),
        SourceKind::Uploaded => put_u64(out, 1),
        SourceKind::Live { host } => {
            put_u64(out, 2);
            put_str(out, host);
        }
        SourceKind::Merged(kinds) => {
            put_u64(out, 3);
            put_len(out, kinds.len());
            for kind in kinds {
                put_source(out, kind);
            }
        }
    }
}

/// A source kind (`merged`: whether a merged one may come here; its parts are never merged).
fn get_source(input: &mut impl WireIn, merged: bool) -> Result<SourceKind, WireError> {
    Ok(match get_u64(input)? {
        0 => SourceKind::Sample,
        1 => SourceKind::Uploaded,
        2 => SourceKind::Live {
            host: get_string(input)?,
        },
        3 if merged => {
            let n = get_len(input)?;
            let mut kinds = Vec::with_capacity(n.min(8));
            for _ in 0..n {
                kinds.push(get_source(input, false)?);
            }
            SourceKind::Merged(kinds)
        }
        _ => return Err(WireError("the source is unknown")),
    })
}

fn write_warnings(out: &mut impl WireOut, w: &Warnings) {
    put_len(out, w.unknown_methods.len());
    for (name, count) in &w.unknown_methods {
        put_str(out, name);
        put_len(out, *count);
    }
    for count in [
        w.users_without_user_name,
        w.events_without_user_name,
        w.duplicate_users,
        w.duplicate_events,
        w.events_after_as_of,
        w.times_after_load,
        w.malformed_times,
        w.contradictory_flags,
    ] {
        put_len(out, count);
    }
    put_len(out, w.skipped_records.len());
    for (source, count) in &w.skipped_records {
        put_str(out, source);
        put_len(out, *count);
    }
    put_strs(out, &w.cut_off_sources);
    put_len(out, w.audit_other_services);
    put_len(out, w.duplicate_audit_rows);
}

fn read_warnings(input: &mut impl WireIn) -> Result<Warnings, WireError> {
    let n = get_len(input)?;
    let mut unknown_methods = Vec::with_capacity(n.min(1024));
    for _ in 0..n {
        unknown_methods.push((get_string(input)?, get_len(input)?));
    }
    let mut counts = [0usize; 8];
    for c in counts.iter_mut() {
        *c = get_len(input)?;
    }
    let n = get_len(input)?;
    let mut skipped_records = Vec::with_capacity(n.min(1024));
    for _ in 0..n {
        skipped_records.push((get_string(input)?, get_len(input)?));
    }
    let [users_without_user_name, events_without_user_name, duplicate_users, duplicate_events, events_after_as_of, times_after_load, malformed_times, contradictory_flags] =
        counts;
    Ok(Warnings {
        unknown_methods,
        users_without_user_name,
        events_without_user_name,
        duplicate_users,
        duplicate_events,
        events_after_as_of,
        times_after_load,
        malformed_times,
        contradictory_flags,
        skipped_records,
        cut_off_sources: get_strings(input)?,
        audit_other_services: get_len(input)?,
        duplicate_audit_rows: get_len(input)?,
    })
}

// ---- what a worker read ----

/// A batch in its wire form (the people, methods and reasons with it).
fn write_batch(out: &mut impl WireOut, b: &mut Batch) {
    b.resolve_people();
    put_str(out, &b.source);
    put_table(out, &b.people.names);
    put_table(out, &b.people.user_names);
    put_len(out, b.users.len());
    let mut users: Vec<u32> = Vec::with_capacity(b.users.len() * 5);
    let mut times: Vec<i64> = Vec::with_capacity(b.users.len());
    for u in &b.users {
        let flags = (u.user_type == UserType::Guest) as u32
            | (u.is_admin as u32) << 1
            | (u.registered as u32) << 2
            | (u.enabled as u32) << 3
            | (u.capable.is_some() as u32) << 4
            | ((u.capable == Some(true)) as u32) << 5
            | (u.last_updated.is_some() as u32) << 6;
        users.extend_from_slice(&[u.id, u.person, flags, u.methods.0, u.methods.1]);
        times.push(u.last_updated.unwrap_or(0));
    }
    put_slice(out, &users);
    put_slice(out, &times);
    put_table(out, &b.user_ids);
    put_slice(out, &b.user_methods);
    put_events(out, &b.events);
    put_table(out, b.reasons.table());
    put_methods(out, &b.methods);
    put_len(out, b.malformed_times);
    put_len(out, b.skipped_records);
    put_bool(out, b.cut_off);
    put_audit_rows(out, &b.audit);
    put_table(out, b.audit_texts.table());
    put_len(out, b.audit_other_services);
    write_inputs(out, &b.inputs);
    put_batch_mfa(out, b);
}

fn read_batch(input: &mut impl WireIn) -> Result<Batch, WireError> {
    let source = get_string(input)?;
    let names = get_table(input)?;
    let user_names = get_table(input)?;
    if names.len() != user_names.len() {
        return Err(WireError("the people's names do not agree"));
    }
    // Distinct people, each once (as they were written): the index is built only if this batch
    // is the one others are appended to.
    let people = People::from_tables(names, user_names);
    let n = get_len(input)?;
    let packed: Vec<u32> = get_vec(input)?;
    let times: Vec<i64> = get_vec(input)?;
    if packed.len() != n * 5 || times.len() != n {
        return Err(WireError("the users do not agree"));
    }
    let user_ids = get_table(input)?;
    let user_methods: Vec<u16> = get_vec(input)?;
    let mut users = Vec::with_capacity(n);
    for (fields, &time) in packed.chunks_exact(5).zip(&times) {
        let [id, person, flags, start, end] =
            [fields[0], fields[1], fields[2], fields[3], fields[4]];
        if id as usize >= user_ids.len()
            || person as usize >= people.len()
            || start > end
            || end as usize > user_methods.len()
        {
            return Err(WireError("a user points outside its tables"));
        }
        let bit = |b: u32| flags & (1 << b) != 0;
        users.push(BatchUser {
            id,
            person,
            user_type: if bit(0) {
                UserType::Guest
            } else {
                UserType::Member
            },
            is_admin: bit(1),
            registered: bit(2),
            enabled: bit(3),
            capable: bit(4).then_some(bit(5)),
            methods: (start, end),
            last_updated: bit(6).then_some(time),
        });
    }
    let events = get_events(input)?;
    let reasons = Interner::from_table(get_table(input)?)
        .ok_or(WireError("the reasons table is inconsistent"))?;
    let methods = get_methods(input)?;
    if events.person.iter().any(|&p| p as usize >= people.len())
        || events.reason.iter().any(|&r| r as usize >= reasons.len())
    {
        return Err(WireError("an event points outside its tables"));
    }
    let mut batch = Batch::new(&source);
    batch.people = people;
    batch.users = users;
    batch.user_ids = user_ids;
    batch.user_methods = user_methods;
    batch.events = events;
    batch.reasons = reasons;
    batch.methods = methods;
    batch.malformed_times = get_len(input)?;
    batch.skipped_records = get_len(input)?;
    batch.cut_off = get_bool(input)?;
    batch.audit = get_audit_rows(input)?;
    batch.audit_texts = Interner::from_table(get_table(input)?)
        .ok_or(WireError("the audit texts are inconsistent"))?;
    batch.audit_other_services = get_len(input)?;
    if batch
        .audit
        .person
        .iter()
        .any(|&p| p as usize >= batch.people.len())
        || !batch.audit.texts_within(batch.audit_texts.len())
    {
        return Err(WireError("an audit row points outside its tables"));
    }
    batch.inputs = read_inputs(input)?;
    get_batch_mfa(input, &mut batch)?;
    Ok(batch)
}

// ---- MFA details (spec §3.7) ----

fn put_mfa_columns(out: &mut impl WireOut, m: &MfaColumns) {
    put_slice(out, &m.bits);
    put_slice(out, &m.default_method);
    put_slice(out, &m.preferred_method);
    put_slice(out, &m.system_start);
    put_slice(out, &m.system_methods);
}

fn get_mfa_columns(input: &mut impl WireIn) -> Result<MfaColumns, WireError> {
    Ok(MfaColumns {
        bits: get_vec(input)?,
        default_method: get_vec(input)?,
        preferred_method: get_vec(input)?,
        system_start: get_vec(input)?,
        system_methods: get_vec(input)?,
    })
}

/// A batch's MFA details: per user (as far as it has any) the bits, the two method codes and
/// the run of system-preferred methods, then the pool of those methods.
fn put_batch_mfa(out: &mut impl WireOut, b: &Batch) {
    let mut packed: Vec<u32> = Vec::with_capacity(b.user_mfa.len() * 4);
    for m in &b.user_mfa {
        packed.extend_from_slice(&[
            m.bits as u32,
            (m.default_method as u32) | (m.preferred_method as u32) << 16,
            m.system.0,
            m.system.1,
        ]);
    }
    put_slice(out, &packed);
    put_slice(out, &b.mfa_methods);
}

fn get_batch_mfa(input: &mut impl WireIn, batch: &mut Batch) -> Result<(), WireError> {
    let packed: Vec<u32> = get_vec(input)?;
    let pool: Vec<u16> = get_vec(input)?;
    if !packed.len().is_multiple_of(4) || packed.len() / 4 > batch.users.len() {
        return Err(WireError("the MFA details do not agree with the users"));
    }
    let codes = batch.methods.len();
    let code_ok = |c: u16| (c as usize) < codes || c == NO_METHOD;
    let mut user_mfa = Vec::with_capacity(packed.len() / 4);
    for fields in packed.chunks_exact(4) {
        let details = MfaUser {
            bits: fields[0] as u16,
            default_method: fields[1] as u16,
            preferred_method: (fields[1] >> 16) as u16,
            system: (fields[2], fields[3]),
        };
        if fields[0] >> 16 != 0
            || !code_ok(details.default_method)
            || !code_ok(details.preferred_method)
            || details.system.0 > details.system.1
            || details.system.1 as usize > pool.len()
        {
            return Err(WireError("an MFA detail points outside its tables"));
        }
        user_mfa.push(details);
    }
    if !pool.iter().all(|&c| code_ok(c)) {
        return Err(WireError("an MFA method is outside the method table"));
    }
    batch.user_mfa = user_mfa;
    batch.mfa_methods = pool;
    Ok(())
}

fn put_start(out: &mut impl WireOut, start: PartStart) {
    let (tag, at) = match start {
        PartStart::File { content } => (0, content),
        PartStart::PageRecord { at } => (1, at),
        PartStart::ArrayItem { at } => (2, at),
        PartStart::NdjsonLine { at } => (3, at),
    };
    put_u64(out, tag);
    put_len(out, at);
}

fn get_start(input: &mut impl WireIn) -> Result<PartStart, WireError> {
    let tag = get_u64(input)?;
    let at = get_u64(input)? as usize;
    Ok(match tag {
        0 => PartStart::File { content: at },
        1 => PartStart::PageRecord { at },
        2 => PartStart::ArrayItem { at },
        3 => PartStart::NdjsonLine { at },
        _ => return Err(WireError("a part's start is unknown")),
    })
}

const KINDS: [FileKind; 15] = [
    FileKind::UserRegistrationDetails,
    FileKind::CredentialUserRegistrationDetails,
    FileKind::UserEventsSummary,
    FileKind::UserCredentialUsageDetails,
    FileKind::MixedJson,
    FileKind::RegistrationCsv,
    FileKind::ActivityCsv,
    FileKind::Unknown,
    FileKind::DirectoryAudits,
    FileKind::AuditLogCsv,
    FileKind::LogAnalyticsAuditJson,
    FileKind::LogAnalyticsAuditCsv,
    FileKind::GroupMembers,
    FileKind::GroupMembersCsv,
    FileKind::AuthenticationMethodsPolicy,
];

fn put_kind(out: &mut impl WireOut, kind: Option<FileKind>) {
    let code = kind.and_then(|k| KINDS.iter().position(|&x| x == k));
    put_opt_usize(out, code);
}

fn get_kind(input: &mut impl WireIn) -> Result<Option<FileKind>, WireError> {
    get_opt_usize(input)?
        .map(|i| {
            KINDS
                .get(i)
                .copied()
                .ok_or(WireError("a file kind is unknown"))
        })
        .transpose()
}

fn put_errors(out: &mut impl WireOut, errors: &[ImportError]) {
    put_len(out, errors.len());
    for e in errors {
        put_str(out, &e.file);
        put_opt_usize(out, e.line);
        put_opt_usize(out, e.column);
        put_opt_usize(out, e.record);
        put_str(out, &e.message);
    }
}

fn get_errors(input: &mut impl WireIn) -> Result<Vec<ImportError>, WireError> {
    let n = get_len(input)?;
    let mut errors = Vec::with_capacity(n.min(1024));
    for _ in 0..n {
        errors.push(ImportError {
            file: get_string(input)?,
            line: get_opt_usize(input)?,
            column: get_opt_usize(input)?,
            record: get_opt_usize(input)?,
            message: get_string(input)?,
        });
    }
    Ok(errors)
}

/// What one worker read of one part of a file, in its wire form.
pub fn encode_part(part: &mut ImportPart) -> Vec<u8> {
    let mut out = Vec::with_capacity(part.batch.event_count() * 32 + 4096);
    magic(&mut out);
    put_str(&mut out, &part.name);
    put_start(&mut out, part.part.start);
    put_bool(&mut out, part.part.stop.is_some());
    put_start(
        &mut out,
        part.part.stop.unwrap_or(PartStart::File { content: 0 }),
    );
    put_kind(&mut out, part.kind);
    let c = part.counts;
    for v in [
        c.users_current,
        c.users_legacy,
        c.events,
        c.legacy_events_hint as usize,
    ] {
        put_len(&mut out, v);
    }
    for v in [part.records, part.good, part.bad, part.error_count] {
        put_len(&mut out, v);
    }
    put_len(&mut out, c.members);
    put_len(&mut out, c.policies);
    put_errors(&mut out, &part.errors);
    put_bool(&mut out, part.fatal);
    put_bool(&mut out, part.fatal_note.is_some());
    let (index, note) = part.fatal_note.clone().unwrap_or((None, String::new()));
    put_opt_usize(&mut out, index);
    put_str(&mut out, &note);
    let (line, column) = part.end.stopped_at.unwrap_or((0, 0));
    put_bool(&mut out, part.end.stopped_at.is_some());
    put_len(&mut out, line);
    put_len(&mut out, column);
    put_bool(&mut out, part.end.missed_stop);
    put_bool(&mut out, part.end.needs_context);
    put_len(&mut out, c.audit_graph);
    put_len(&mut out, c.audit_log_analytics);
    write_batch(&mut out, &mut part.batch);
    out
}

/// Reads what [`encode_part`] wrote.
pub fn decode_part(input: &mut impl WireIn) -> Result<ImportPart, WireError> {
    check_magic(input)?;
    let name = get_string(input)?;
    let start = get_start(input)?;
    let has_stop = get_bool(input)?;
    let stop = get_start(input)?;
    let kind = get_kind(input)?;
    let mut v = [0usize; 8];
    for x in v.iter_mut() {
        *x = get_len(input)?;
    }
    let (members, policies) = (get_len(input)?, get_len(input)?);
    let errors = get_errors(input)?;
    let fatal = get_bool(input)?;
    let has_note = get_bool(input)?;
    let index = get_opt_usize(input)?;
    let note = get_string(input)?;
    let stopped = get_bool(input)?;
    let (line, column) = (get_len(input)?, get_len(input)?);
    let end = PartEnd {
        stopped_at: stopped.then_some((line, column)),
        missed_stop: get_bool(input)?,
        needs_context: get_bool(input)?,
    };
    let (audit_graph, audit_log_analytics) = (get_len(input)?, get_len(input)?);
    Ok(ImportPart {
        name,
        part: Part {
            start,
            stop: has_stop.then_some(stop),
        },
        kind,
        counts: KindCounts {
            users_current: v[0],
            users_legacy: v[1],
            events: v[2],
            legacy_events_hint: v[3] != 0,
            audit_graph,
            audit_log_analytics,
            members,
            policies,
        },
        records: v[4],
        good: v[5],
        bad: v[6],
        error_count: v[7],
        errors,
        fatal,
        fatal_note: has_note.then_some((index, note)),
        end,
        batch: read_batch(input)?,
    })
}

/// A file's outcome without its records (what the page shows about a file it asked a worker to
/// read), in its wire form.
pub fn encode_file_summary(file: &FileImport) -> Vec<u8> {
    let mut out = Vec::new();
    magic(&mut out);
    put_str(&mut out, &file.name);
    put_kind(&mut out, Some(file.kind));
    for v in [file.records, file.bad_records, file.error_count] {
        put_len(&mut out, v);
    }
    put_errors(&mut out, &file.errors);
    put_bool(&mut out, file.fatal);
    out
}

/// Reads what [`encode_file_summary`] wrote: the file's outcome with an empty batch.
pub fn decode_file_summary(input: &mut impl WireIn) -> Result<FileImport, WireError> {
    check_magic(input)?;
    let name = get_string(input)?;
    let kind = get_kind(input)?.unwrap_or(FileKind::Unknown);
    let (records, bad_records, error_count) = (get_len(input)?, get_len(input)?, get_len(input)?);
    let errors = get_errors(input)?;
    let fatal = get_bool(input)?;
    Ok(FileImport {
        batch: Batch::new(&name),
        name,
        kind,
        records,
        bad_records,
        errors,
        error_count,
        fatal,
    })
}

// ---- the what-if inputs ----

/// What-if inputs (a group's members, the authentication methods policy) in their wire form:
/// what a worker found beside the registration data of a load.
pub fn encode_inputs(inputs: &PolicyInputs) -> Vec<u8> {
    let mut out = Vec::new();
    magic(&mut out);
    write_inputs(&mut out, inputs);
    out
}

/// Reads what [`encode_inputs`] wrote.
pub fn decode_inputs(input: &mut impl WireIn) -> Result<PolicyInputs, WireError> {
    check_magic(input)?;
    read_inputs(input)
}

fn write_inputs(out: &mut impl WireOut, inputs: &PolicyInputs) {
    put_bool(out, inputs.members.is_some());
    if let Some(m) = &inputs.members {
        put_strs(out, &m.sources);
        put_table(out, &m.ids);
        put_table(out, &m.user_names);
        put_table(out, &m.names);
        put_slice(out, &m.kinds);
    }
    put_bool(out, inputs.methods_policy.is_some());
    if let Some(p) = &inputs.methods_policy {
        put_str(out, &p.source);
        put_str(out, &p.migration_state);
        put_len(out, p.configurations.len());
        for c in &p.configurations {
            put_str(out, &c.id);
            let bit = |on: bool, at: u32| (on as u64) << at;
            let opt =
                |v: Option<bool>, at: u32| bit(v.is_some(), at) | bit(v == Some(true), at + 1);
            put_u64(
                out,
                bit(c.enabled, 0)
                    | opt(c.office_phone_allowed, 1)
                    | opt(c.software_oath_enabled, 3)
                    | opt(c.all_users, 5),
            );
            put_len(out, c.excluded);
        }
    }
}

fn read_inputs(input: &mut impl WireIn) -> Result<PolicyInputs, WireError> {
    let members = if get_bool(input)? {
        let list = MemberList {
            sources: get_strings(input)?,
            ids: get_table(input)?,
            user_names: get_table(input)?,
            names: get_table(input)?,
            kinds: get_vec(input)?,
        };
        let n = list.kinds.len();
        if [list.ids.len(), list.user_names.len(), list.names.len()]
            .iter()
            .any(|&len| len != n)
            || list
                .kinds
                .iter()
                .any(|&k| MemberKind::from_code(k).is_none())
        {
            return Err(WireError("the member list does not agree"));
        }
        Some(list)
    } else {
        None
    };
    let methods_policy = if get_bool(input)? {
        let source = get_string(input)?;
        let migration_state = get_string(input)?;
        let n = get_len(input)?;
        let mut configurations = Vec::with_capacity(n.min(1024));
        for _ in 0..n {
            let id = get_string(input)?;
            let flags = get_u64(input)?;
            let bit = |at: u32| flags & (1 << at) != 0;
            let opt = |at: u32| bit(at).then_some(bit(at + 1));
            configurations.push(MethodConfiguration {
                id,
                enabled: bit(0),
                office_phone_allowed: opt(1),
                software_oath_enabled: opt(3),
                all_users: opt(5),
                excluded: get_len(input)?,
            });
        }
        Some(MethodsPolicy {
            source,
            migration_state,
            configurations,
        })
    } else {
        None
    };
    Ok(PolicyInputs {
        members,
        methods_policy,
    })
}
