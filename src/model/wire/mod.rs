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
mod audit_log;
mod dataset;
mod inputs;
mod part;

use audit_log::*;
pub use dataset::*;
pub use inputs::*;
pub use part::*;

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
    get_vec_with_room(input, 0)
}

/// A column read as [`get_vec`] reads it, with room for `room` more values (what is appended
/// to it next then takes no second copy).
fn get_vec_with_room<T: Pod>(input: &mut impl WireIn, room: usize) -> Result<Vec<T>, WireError> {
    let n = get_len(input)?;
    // No real column passes 4 GiB (a wasm32 page cannot hold one): a damaged count must not
    // make the reader ask for more memory than any machine has before it finds the message short.
    if n.saturating_mul(std::mem::size_of::<T>()) > u32::MAX as usize {
        return Err(WireError("a column is out of range"));
    }
    if n.saturating_mul(std::mem::size_of::<T>()) > input.remaining() {
        return Err(WireError("a length is longer than the message"));
    }
    // The room is what this worker holds already (never more than a wasm32 page can): the same
    // bound as a column's.
    let room = room.min(u32::MAX as usize / std::mem::size_of::<T>().max(1));
    let mut values = Vec::with_capacity(n + room);
    values.resize(n, T::zeroed());
    input.fill(bytemuck::cast_slice_mut(&mut values))?;
    skip_pad(input)?;
    Ok(values)
}

fn put_str(out: &mut impl WireOut, text: &str) {
    put_slice(out, text.as_bytes());
}

fn get_string(input: &mut impl WireIn) -> Result<String, WireError> {
    get_string_with_room(input, 0)
}

fn get_string_with_room(input: &mut impl WireIn, room: usize) -> Result<String, WireError> {
    String::from_utf8(get_vec_with_room::<u8>(input, room)?)
        .map_err(|_| WireError("a text is not UTF-8"))
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
    get_table_with_room(input, TableRoom::default())
}

/// Room to leave in a text table as it is read.
#[derive(Clone, Copy, Debug, Default)]
struct TableRoom {
    strings: usize,
    bytes: usize,
}

impl TableRoom {
    fn of(table: &StrTable) -> TableRoom {
        TableRoom {
            strings: table.len(),
            bytes: table.parts().0.len(),
        }
    }

    fn add(self, other: TableRoom) -> TableRoom {
        TableRoom {
            strings: self.strings + other.strings,
            bytes: self.bytes + other.bytes,
        }
    }
}

/// A text table with room for `room.strings` more strings of `room.bytes` bytes in all.
fn get_table_with_room(input: &mut impl WireIn, room: TableRoom) -> Result<StrTable, WireError> {
    let text = get_string_with_room(input, room.bytes)?;
    let ends: Vec<u32> = get_vec_with_room(input, room.strings)?;
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

/// Event columns with room for `room` more events.
fn get_events_with_room(input: &mut impl WireIn, room: usize) -> Result<EventColumns, WireError> {
    let e = EventColumns {
        time: get_vec_with_room(input, room)?,
        person: get_vec_with_room(input, room)?,
        method: get_vec_with_room(input, room)?,
        flags: get_vec_with_room(input, room)?,
        reason: get_vec_with_room(input, room)?,
        id: get_vec_with_room(input, room)?,
    };
    check_event_lengths(&e)?;
    Ok(e)
}

fn check_event_lengths(e: &EventColumns) -> Result<(), WireError> {
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
    Ok(())
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
