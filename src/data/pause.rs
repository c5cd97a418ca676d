//! Background work in the browser: spawning a task, giving the browser a turn between slices of
//! work (so progress is painted and input handled), and cancellable sleeps (Retry-After waits).

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Runs `task` in the background on the browser's event loop. Every task goes through this one
/// boxed type, so the wasm holds one copy of the task machinery instead of one per call site.
///
/// ```text
/// spawn(async move { load().await });
/// ```
pub fn spawn(task: impl Future<Output = ()> + 'static) {
    let task: Pin<Box<dyn Future<Output = ()>>> = Box::pin(task);
    leptos::task::spawn_local(task);
}

/// Resolves after `ms` milliseconds (a browser timer; 0 gives the browser one turn).
///
/// ```text
/// sleep(0).await; // let the progress bar paint
/// ```
pub async fn sleep(ms: u32) {
    let timer = js_sys::Promise::new(&mut |resolve, _reject| {
        let delay = i32::try_from(ms).unwrap_or(i32::MAX);
        // The global `setTimeout`: the page's window, or a worker's scope (the live fetch waits
        // in a worker).
        let global = js_sys::global();
        if let Ok(set_timeout) = js_sys::Reflect::get(&global, &"setTimeout".into()) {
            if let Some(set_timeout) = set_timeout.dyn_ref::<js_sys::Function>() {
                let _ = set_timeout.call2(&global, &resolve, &delay.into());
            }
        }
    });
    let _ = JsFuture::from(timer).await;
}

/// Gives the browser a turn, so that it can paint the progress so far and handle input.
pub async fn yield_to_browser() {
    sleep(0).await;
}

/// Resolves on this thread's next turn of its event loop, the page's or a worker's: a message to
/// itself, which no timer clamping delays (a chain of `setTimeout(0)` waits 4 ms each after a
/// few). Between two slices of work it lets the thread handle what came meanwhile (input, a
/// chunk of a file) without losing time.
pub async fn next_turn() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Ok(channel) = web_sys::MessageChannel::new() {
            let port = channel.port1();
            port.set_onmessage(Some(resolve.unchecked_ref()));
            let _ = channel.port2().post_message(&wasm_bindgen::JsValue::NULL);
            // The ports live until the message is delivered.
            std::mem::forget(channel);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// Waits `ms` milliseconds in short steps, returning early (with `false`) once `cancelled` is
/// set. `true` when the whole wait passed.
///
/// ```text
/// if !sleep_unless_cancelled(after_ms, &cancelled).await { return Err(Cancelled) }
/// ```
pub async fn sleep_unless_cancelled(ms: u64, cancelled: &Rc<Cell<bool>>) -> bool {
    const STEP_MS: u64 = 100;
    let mut left = ms;
    while left > 0 {
        if cancelled.get() {
            return false;
        }
        let step = left.min(STEP_MS);
        sleep(step as u32).await;
        left -= step;
    }
    !cancelled.get()
}

/// Milliseconds since the page started, with sub-millisecond precision (for time slicing).
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or_else(js_sys::Date::now)
}
