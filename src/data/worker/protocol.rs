//! The messages between the page and its ingest workers, as JavaScript objects: their names and
//! fields in one place, so that both sides build and read them the same way. Big data travels in
//! `ArrayBuffer`s in the model's wire form (transferred, not copied); files as `Blob`s.
//!
//! | from | `op` | fields |
//! |---|---|---|
//! | worker | `ready` | (its wasm is running: messages sent before this one are lost) |
//! | page | `read` | `job`, `name`, `source` (a `Blob`, or a URL to fetch), `part` |
//! | worker | `progress` | `job`, `bytes` (the offset read up to), `records` |
//! | worker | `read-done` | `job`, `result` (`ImportPart` wire form) |
//! | page | `build` | `files` (`[{name, source, parts: [ArrayBuffer]}]`), `current` (a dataset's wire form, for Merge), `sourceKind`, `policy` |
//! | worker | `files` | `summaries` (`[ArrayBuffer]`, one `FileImport` summary a file) |
//! | page | `accept` | (load the good records of files with problems) |
//! | worker | `dataset` | `dataset` (wire form), `notes` (`[string]`) |
//! | worker | `failed` | `message`, `aboutToken` |

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use crate::model::import::{Part, PartStart};

pub const OP: &str = "op";
pub const READY: &str = "ready";
pub const READ: &str = "read";
pub const PROGRESS: &str = "progress";
pub const READ_DONE: &str = "read-done";
pub const BUILD: &str = "build";
pub const FILES: &str = "files";
pub const ACCEPT: &str = "accept";
pub const DATASET: &str = "dataset";
pub const FAILED: &str = "failed";

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
