//! The model's wire form over JavaScript buffers: a message's bytes stay in a JavaScript
//! `ArrayBuffer` (posted between threads without a copy), and each column is copied from it
//! straight into its vector, or from its vector straight into it. So the page never holds a
//! whole message in its own memory beside the dataset. Owns the copying; not the format.

use js_sys::{ArrayBuffer, Uint8Array};

use crate::model::import::ImportPart;
use crate::model::wire::{write_dataset, write_part, Counter, WireError, WireIn, WireOut};
use crate::model::Dataset;

/// Reads a message from an `ArrayBuffer`.
pub struct JsIn {
    buffer: ArrayBuffer,
    at: usize,
    len: usize,
}

impl JsIn {
    pub fn new(buffer: ArrayBuffer) -> JsIn {
        JsIn::first(buffer, usize::MAX)
    }

    /// The first `len` bytes of `buffer` (all of it when it is shorter).
    pub fn first(buffer: ArrayBuffer, len: usize) -> JsIn {
        let len = len.min(buffer.byte_length() as usize);
        JsIn { buffer, at: 0, len }
    }
}

impl WireIn for JsIn {
    fn fill(&mut self, dest: &mut [u8]) -> Result<(), WireError> {
        if self.at + dest.len() > self.len {
            return Err(WireError("it ends early"));
        }
        if !dest.is_empty() {
            Uint8Array::new_with_byte_offset_and_length(
                &self.buffer,
                self.at as u32,
                dest.len() as u32,
            )
            .copy_to(dest);
        }
        self.at += dest.len();
        Ok(())
    }

    fn skip(&mut self, n: usize) -> Result<(), WireError> {
        if self.at + n > self.len {
            return Err(WireError("it ends early"));
        }
        self.at += n;
        Ok(())
    }

    fn position(&self) -> usize {
        self.at
    }

    fn remaining(&self) -> usize {
        self.len.saturating_sub(self.at)
    }
}

/// Writes a message into an `ArrayBuffer` of exactly the size it needs.
pub struct JsOut {
    bytes: Uint8Array,
    at: usize,
}

impl WireOut for JsOut {
    fn put(&mut self, bytes: &[u8]) {
        let end = self.at + bytes.len();
        self.bytes
            .subarray(self.at as u32, end as u32)
            .copy_from(bytes);
        self.at = end;
    }

    fn len(&self) -> usize {
        self.at
    }
}

/// A dataset's wire form in a new `ArrayBuffer`, written straight into it (it is written twice:
/// once to count its size).
pub fn dataset_buffer(ds: &Dataset) -> ArrayBuffer {
    dataset_buffer_in(ds, dataset_size(ds), None)
}

/// The size of a dataset's wire form.
pub fn dataset_size(ds: &Dataset) -> usize {
    let mut counter = Counter::default();
    write_dataset(&mut counter, ds);
    counter.0
}

/// A dataset's wire form of `size` bytes (see [`dataset_size`]), written into the first `size`
/// bytes of `room` when it holds them (a buffer the page made ready), else into a new
/// `ArrayBuffer`.
pub fn dataset_buffer_in(ds: &Dataset, size: usize, room: Option<ArrayBuffer>) -> ArrayBuffer {
    buffer_written(Counter(size), room, |out| write_dataset(out, ds))
}

/// A part's wire form in a new `ArrayBuffer`, written straight into it as a dataset's is: no
/// copy of it in the worker's memory first (a million events' half is 22 MB, and the part often
/// goes out while the builder waits for it).
pub fn part_buffer(part: &mut ImportPart) -> ArrayBuffer {
    let mut counter = Counter::default();
    write_part(&mut counter, part);
    buffer_written(counter, None, |out| write_part(out, part))
}

/// What `write` writes, `counted` bytes (the same writing, counted), into `room` when it holds
/// them, else into a new `ArrayBuffer` of that size.
fn buffer_written(
    counted: Counter,
    room: Option<ArrayBuffer>,
    write: impl FnOnce(&mut JsOut),
) -> ArrayBuffer {
    let buffer = room
        .filter(|b| b.byte_length() as usize >= counted.0)
        .unwrap_or_else(|| ArrayBuffer::new(counted.0 as u32));
    let mut out = JsOut {
        bytes: Uint8Array::new(&buffer),
        at: 0,
    };
    write(&mut out);
    buffer
}

/// A copy of `bytes` in a new `ArrayBuffer` (what a worker posts: its own memory cannot be).
pub fn buffer_of(bytes: &[u8]) -> ArrayBuffer {
    let array = Uint8Array::new_with_length(bytes.len() as u32);
    array.copy_from(bytes);
    array.buffer()
}
