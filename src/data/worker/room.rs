//! Room for a dataset on its way to the page. While the building worker puts the parts of a big
//! file together and builds (a tenth of a second or more at a large tenant's size), the page's
//! thread is idle, and so is the core of the worker that finished reading first. Memory touched
//! for the first time costs the browser a page fault every 4 KB: in headless Chromium on this
//! machine kind, copying 35 MB into fresh memory took 35–52 ms and into memory touched before
//! 8–12 ms. So meanwhile the page touches, a few megabytes a turn, both places the dataset will
//! be written to: its own wasm memory, freed just before the dataset is copied in (the allocator
//! hands the same memory out again), and the `ArrayBuffer` the worker writes the dataset's wire
//! form into (the page hands it over when the worker asks for it). Owns only that; what the room
//! is for is the pool's business.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{ArrayBuffer, Uint8Array};

use crate::data::pause::{next_turn, spawn};

/// What the page touches of each place in one turn of its event loop: a few milliseconds of
/// page faults (4 MB of each was a 67 ms task once, on a machine loaded by other work).
const STEP: usize = 2 << 20;
/// The page size of the operating system's memory, which a first touch faults in.
const OS_PAGE: usize = 4096;
/// How much bigger than the parts the worker's buffer is made: a dataset's wire form is about
/// its parts' together, plus the search texts (a quarter more for users, next to nothing for
/// events). The buffer is dropped once read; the page's own room is never bigger than the parts.
const OUTBOX_SLACK: f64 = 1.5;

/// Memory being touched for a dataset; dropping it (or [`MemoryRoom::release`]) frees it and
/// stops the touching.
pub struct MemoryRoom {
    held: Rc<RefCell<Held>>,
}

struct Held {
    /// The chunks of the page's memory to touch.
    chunks_wanted: usize,
    /// The touched chunks of the page's memory; `None` once released.
    chunks: Option<Vec<Vec<u8>>>,
    /// The buffer for the worker and how much of it is touched; `None` once handed over.
    outbox: Option<(ArrayBuffer, usize)>,
}

impl MemoryRoom {
    /// Starts touching about `bytes` of the page's memory and a buffer for the worker of about
    /// half as much again, a step of each a turn (nothing under one step).
    pub fn prepare(bytes: usize) -> MemoryRoom {
        let outbox_bytes = (bytes as f64 * OUTBOX_SLACK) as usize;
        let chunks_wanted = bytes / STEP;
        let held = Rc::new(RefCell::new(Held {
            chunks_wanted,
            chunks: Some(Vec::new()),
            outbox: (chunks_wanted > 0).then(|| (ArrayBuffer::new(outbox_bytes as u32), 0)),
        }));
        if chunks_wanted > 0 {
            let touching = Rc::clone(&held);
            spawn(async move {
                loop {
                    next_turn().await;
                    if !touching.borrow_mut().touch_a_step() {
                        return;
                    }
                }
            });
        }
        MemoryRoom { held }
    }

    /// The bytes of the page's memory touched so far (0 once released).
    pub fn touched(&self) -> usize {
        self.held
            .borrow()
            .chunks
            .as_ref()
            .map_or(0, |chunks| chunks.len() * STEP)
    }

    /// The bytes of the worker's buffer touched so far (0 once handed over).
    pub fn outbox_touched(&self) -> usize {
        self.held.borrow().outbox.as_ref().map_or(0, |(_, at)| *at)
    }

    /// The buffer for the worker, when it holds `bytes` (touched or not, all of it or part).
    pub fn take_outbox(&self, bytes: usize) -> Option<ArrayBuffer> {
        self.held
            .borrow_mut()
            .outbox
            .take_if(|(buffer, _)| buffer.byte_length() as usize >= bytes)
            .map(|(buffer, _)| buffer)
    }

    /// Frees the room of the page's memory (the dataset is about to be copied into it).
    pub fn release(&self) {
        self.held.borrow_mut().chunks.take();
    }
}

impl Drop for MemoryRoom {
    fn drop(&mut self) {
        let mut held = self.held.borrow_mut();
        held.chunks.take();
        held.outbox.take();
    }
}

impl Held {
    /// Touches a step of each place that still has some untouched; `false` when neither has.
    fn touch_a_step(&mut self) -> bool {
        let mut touched = false;
        let wanted = self.chunks_wanted;
        if let Some(chunks) = self.chunks.as_mut().filter(|c| c.len() < wanted) {
            chunks.push(touched_chunk());
            touched = true;
        }
        if let Some((buffer, at)) = self.outbox.as_mut() {
            let len = buffer.byte_length() as usize;
            if *at < len {
                let end = (*at + STEP).min(len);
                Uint8Array::new_with_byte_offset_and_length(buffer, *at as u32, (end - *at) as u32)
                    .fill(0, 0, (end - *at) as u32);
                *at = end;
                touched = true;
            }
        }
        touched
    }
}

/// A chunk of [`STEP`] bytes with every page written to.
fn touched_chunk() -> Vec<u8> {
    let mut chunk = vec![0u8; STEP];
    for byte in chunk.iter_mut().step_by(OS_PAGE) {
        *byte = 1;
    }
    // The writes must happen although nothing reads them.
    std::hint::black_box(chunk)
}

/// The room a dataset built from parts will take in the page, from the parts sent in the wire
/// form: a dataset's wire form is about its parts' together (a part the builder kept is taken
/// to be as big as those sent), and the page's copy about its wire form.
pub fn expected_dataset_bytes(sent: &[usize], kept: usize) -> usize {
    match sent.len() {
        0 => 0,
        n => sent.iter().sum::<usize>() / n * (n + kept),
    }
}
