//! Room in the page's memory for a dataset on its way. While the building worker puts the parts
//! of a big file together and builds (a tenth of a second or more at a large tenant's size), the
//! page's thread is idle, and so is the core of the worker that finished first. Memory a wasm
//! instance touches for the first time costs the browser a page fault every 4 KB: in headless
//! Chromium on this machine kind, copying 35 MB into fresh memory took 35–52 ms and into memory
//! touched before 8–12 ms. So the page touches the room the dataset will take meanwhile, a few
//! megabytes a turn, and frees it just before the dataset is copied in: the allocator hands the
//! same memory out again, now without the faults. Owns only that; what the room is for is the
//! pool's business.

use std::cell::RefCell;
use std::rc::Rc;

use crate::data::pause::{next_turn, spawn};

/// What the page touches in one turn of its event loop: about 4 ms of page faults at most.
const STEP: usize = 4 << 20;
/// The page size of the operating system's memory, which a first touch faults in.
const OS_PAGE: usize = 4096;

/// Memory being touched for a dataset; dropping it (or [`MemoryRoom::release`]) frees it and
/// stops the touching.
pub struct MemoryRoom {
    /// The touched chunks; `None` once released.
    chunks: Rc<RefCell<Option<Vec<Vec<u8>>>>>,
}

impl MemoryRoom {
    /// Starts touching about `bytes` of memory, a step a turn (nothing under one step).
    pub fn prepare(bytes: usize) -> MemoryRoom {
        let chunks = Rc::new(RefCell::new(Some(Vec::new())));
        let steps = bytes / STEP;
        if steps > 0 {
            let touching = Rc::clone(&chunks);
            spawn(async move {
                for _ in 0..steps {
                    next_turn().await;
                    let mut held = touching.borrow_mut();
                    let Some(held) = held.as_mut() else {
                        return;
                    };
                    held.push(touched_chunk());
                }
            });
        }
        MemoryRoom { chunks }
    }

    /// The bytes touched so far (0 once released).
    pub fn touched(&self) -> usize {
        self.chunks
            .borrow()
            .as_ref()
            .map_or(0, |chunks| chunks.len() * STEP)
    }

    /// Frees the room (the dataset is about to be copied into it).
    pub fn release(&self) {
        self.chunks.borrow_mut().take();
    }
}

impl Drop for MemoryRoom {
    fn drop(&mut self) {
        self.release();
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
