//! The messages between the page and its ingest workers, as JavaScript objects: their names and
//! fields in one place, so that both sides build and read them the same way. Big data travels in
//! `ArrayBuffer`s in the model's wire form (transferred, not copied); files as `Blob`s.
//!
//! | from | `op` | fields |
//! |---|---|---|
//! | worker | `ready` | (its wasm is running: messages sent before this one are lost) |
//! | page | `read` | `job`, `name`, `source` (a `Blob`, or a URL to fetch), `part` |
//! | worker | `progress` | `job`, `bytes` (the offset read up to), `records` |
//! | worker | `read-done` | `job` (the worker keeps what it read) |
//! | page | `send-part` | `job` (a part the worker keeps, wanted now) |
//! | worker | `part` | `job`, `result` (`ImportPart` wire form) |
//! | page | `build` | `files` (`[{name, source, parts: [ArrayBuffer, or the job number of a part this worker keeps]}]`), `current` (a dataset's wire form, for Merge), `sourceKind`, `policy` |
//! | worker | `files` | `summaries` (`[ArrayBuffer]`, one `FileImport` summary a file) |
//! | page | `accept` | (load the good records of files with problems) |
//! | worker | `built` | `bytes` (the dataset is built; the size of its wire form) |
//! | page | `room` | `buffer` (an `ArrayBuffer` of at least `bytes`, touched while the worker built, to write the dataset into; or `null`) |
//! | worker | `dataset` | `dataset` (wire form; `null` when the files held only what-if inputs), `length` (the bytes of `dataset` it fills; a fetch's fills all), `notes` (`[string]`), `inputs` (the what-if inputs' wire form, or `null`) |
//! | page | `fetch` | `base`, `token`, `now`, `auditLog` (the live fetch: walk, parse and build in the worker) |
//! | worker | `fetch-progress` | `collection`, `pages`, `records`, `waiting` (`[status, afterMs, retry]` or null) |
//! | page | `stop` | (Cancel during a fetch: abort the request in flight, then close) |
//! | worker | `failed` | `message`, `aboutToken` |
//!
//! Every message from a worker also has `memory` (its wasm memory in bytes) and `moments` (the
//! moments of its timeline noted since its last message, see `timeline`).

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use crate::data::live_fetch::{FetchProgress, RetryWait};
use crate::data::report_api::Collection;
use crate::model::import::{Part, PartStart};

pub const OP: &str = "op";
pub const READY: &str = "ready";
pub const READ: &str = "read";
pub const PROGRESS: &str = "progress";
pub const READ_DONE: &str = "read-done";
pub const SEND_PART: &str = "send-part";
pub const PART: &str = "part";
pub const BUILD: &str = "build";
pub const FILES: &str = "files";
pub const ACCEPT: &str = "accept";
pub const BUILT: &str = "built";
pub const ROOM: &str = "room";
pub const DATASET: &str = "dataset";
/// The `dataset` reply's field with the bytes of its buffer the wire form fills.
pub const LENGTH: &str = "length";
pub const FAILED: &str = "failed";
pub const FETCH: &str = "fetch";
pub const FETCH_PROGRESS: &str = "fetch-progress";
pub const STOP: &str = "stop";
/// The `dataset` reply's field with the what-if inputs the files held (spec §4.2).
pub const INPUTS: &str = "inputs";
/// The field of a worker's message with its latest timeline moments.
pub const MOMENTS: &str = "moments";

/// A message: an object with these fields.
pub fn message(op: &str, fields: &[(&str, JsValue)]) -> Object {
    let object = Object::new();
    set(&object, OP, &JsValue::from_str(op));
    for (key, value) in fields {
        set(&object, key, value);
    }
    object
}

fn set(object: &Object, key: &str, value: &JsValue) {
    // Setting a property of a plain object cannot fail.
    let _ = Reflect::set(object, &JsValue::from_str(key), value);
}

/// A field of a message (`undefined` when it has none).
pub fn field(message: &JsValue, key: &str) -> JsValue {
    Reflect::get(message, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

pub fn text_field(message: &JsValue, key: &str) -> String {
    field(message, key).as_string().unwrap_or_default()
}

pub fn number_field(message: &JsValue, key: &str) -> f64 {
    field(message, key).as_f64().unwrap_or(0.0)
}

pub fn bool_field(message: &JsValue, key: &str) -> bool {
    field(message, key).as_bool().unwrap_or(false)
}

/// The items of an array field (none when it is not an array).
pub fn array_field(message: &JsValue, key: &str) -> Vec<JsValue> {
    field(message, key)
        .dyn_into::<Array>()
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

/// An array of values.
pub fn array(items: impl IntoIterator<Item = JsValue>) -> Array {
    items.into_iter().collect()
}

/// A part as a message field: `[startKind, startAt, stopKind, stopAt]` (`stopKind` -1: none).
pub fn part_to_js(part: Part) -> JsValue {
    let (kind, at) = start_code(part.start);
    let (stop_kind, stop_at) = part.stop.map_or((-1.0, 0.0), start_code);
    array([kind, at, stop_kind, stop_at].map(JsValue::from_f64)).into()
}

/// The part a message field names.
pub fn part_from_js(value: &JsValue) -> Option<Part> {
    let items: Vec<f64> = value
        .dyn_ref::<Array>()?
        .iter()
        .map(|v| v.as_f64())
        .collect::<Option<_>>()?;
    let [kind, at, stop_kind, stop_at] = items[..] else {
        return None;
    };
    Some(Part {
        start: start_of(kind, at)?,
        stop: if stop_kind < 0.0 {
            None
        } else {
            Some(start_of(stop_kind, stop_at)?)
        },
    })
}

fn start_code(start: PartStart) -> (f64, f64) {
    match start {
        PartStart::File { content } => (0.0, content as f64),
        PartStart::PageRecord { at } => (1.0, at as f64),
        PartStart::ArrayItem { at } => (2.0, at as f64),
        PartStart::NdjsonLine { at } => (3.0, at as f64),
    }
}

fn start_of(kind: f64, at: f64) -> Option<PartStart> {
    if !(0.0..=u32::MAX as f64).contains(&at) {
        return None;
    }
    let at = at as usize;
    Some(match kind as i32 {
        0 => PartStart::File { content: at },
        1 => PartStart::PageRecord { at },
        2 => PartStart::ArrayItem { at },
        3 => PartStart::NdjsonLine { at },
        _ => return None,
    })
}

/// A fetch's progress as a message.
pub fn fetch_progress_to_js(p: &FetchProgress) -> Object {
    let waiting = match &p.waiting {
        Some(w) => array([
            JsValue::from_f64(w.status as f64),
            JsValue::from_f64(w.after_ms as f64),
            JsValue::from_f64(w.retry as f64),
        ])
        .into(),
        None => JsValue::NULL,
    };
    message(
        FETCH_PROGRESS,
        &[
            (
                "collection",
                p.collection.map_or(JsValue::NULL, |c| c.name().into()),
            ),
            ("pages", JsValue::from_f64(p.pages as f64)),
            ("records", JsValue::from_f64(p.records as f64)),
            ("waiting", waiting),
        ],
    )
}

/// A fetch's progress from its message.
pub fn fetch_progress_from_js(m: &JsValue) -> FetchProgress {
    let collection = field(m, "collection")
        .as_string()
        .and_then(|name| Collection::ALL.into_iter().find(|c| c.name() == name));
    let waiting = field(m, "waiting")
        .dyn_into::<Array>()
        .ok()
        .map(|w| RetryWait {
            status: w.get(0).as_f64().unwrap_or(0.0) as u16,
            after_ms: w.get(1).as_f64().unwrap_or(0.0) as u64,
            retry: w.get(2).as_f64().unwrap_or(0.0) as u32,
        });
    FetchProgress {
        collection,
        pages: number_field(m, "pages") as usize,
        records: number_field(m, "records") as usize,
        waiting,
    }
}

/// What a browser error says, for a message a person reads (both sides of the protocol report
/// the browser's failures this way).
pub fn js_text(error: &JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "the browser gave no reason".to_string())
}
