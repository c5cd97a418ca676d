//! The load's timeline, for the browser benchmark (`make bench-browser`): named moments of one
//! load, on the page and in its workers, in one clock (milliseconds since the epoch, from each
//! thread's `performance.timeOrigin + now()`). A worker sends its moments with its messages; the
//! page keeps those of the latest load. It says nothing about the data and changes nothing.

use std::cell::RefCell;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::model::order::{float_key, gather, order_by_key};

thread_local! {
    static MOMENTS: RefCell<Vec<(String, f64)>> = const { RefCell::new(Vec::new()) };
}

/// Now, in milliseconds since the epoch with sub-millisecond precision, on any thread.
pub fn now() -> f64 {
    js_sys::Reflect::get(&js_sys::global(), &"performance".into())
        .ok()
        .and_then(|p| p.dyn_into::<web_sys::Performance>().ok())
        .map(|p| p.time_origin() + p.now())
        .unwrap_or_else(js_sys::Date::now)
}

/// Notes the moment `what` happened.
pub fn note(what: &str) {
    let at = now();
    MOMENTS.with(|m| m.borrow_mut().push((what.to_string(), at)));
}

/// Forgets the moments noted so far (a new load begins).
pub fn clear() {
    MOMENTS.with(|m| m.borrow_mut().clear());
}

/// The moments noted since the last call, as a JavaScript array of `[what, at]` (a worker sends
/// them with its next message).
pub fn take_js() -> JsValue {
    let moments = MOMENTS.with(|m| std::mem::take(&mut *m.borrow_mut()));
    moments
        .into_iter()
        .map(|(what, at)| JsValue::from(js_sys::Array::of2(&what.into(), &JsValue::from_f64(at))))
        .collect::<js_sys::Array>()
        .into()
}

/// Adds the moments a worker sent (`[what, at]` pairs), named after the worker.
pub fn add_from(worker: usize, moments: &JsValue) {
    let Some(moments) = moments.dyn_ref::<js_sys::Array>() else {
        return;
    };
    MOMENTS.with(|m| {
        let mut m = m.borrow_mut();
        for pair in moments.iter() {
            let pair: js_sys::Array = pair.unchecked_into();
            let what = pair.get(0).as_string().unwrap_or_default();
            let at = pair.get(1).as_f64().unwrap_or(0.0);
            m.push((format!("worker {worker}: {what}"), at));
        }
    });
}

/// The latest load's moments, in time order, as lines of "milliseconds since the first  what".
#[wasm_bindgen]
pub fn ingest_timeline() -> String {
    MOMENTS.with(|m| {
        let moments = m.borrow().clone();
        let order = order_by_key(moments.iter().map(|(_, at)| float_key(*at)));
        let moments = gather(moments, &order);
        let first = moments.first().map_or(0.0, |(_, at)| *at);
        // Tenths of a millisecond, written as integers (float formatting would add its code to
        // the page for this alone).
        moments
            .iter()
            .map(|(what, at)| {
                let tenths = ((at - first) * 10.0).round() as u64;
                format!("{:6}.{}  {what}\n", tenths / 10, tenths % 10)
            })
            .collect()
    })
}
