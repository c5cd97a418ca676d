//! Saves bytes the app made (a CSV download) as a file: a Blob, an object URL, a temporary
//! `<a download>` clicked once, and the URL revoked afterwards. Nothing leaves the browser.

use std::time::Duration;

use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

/// How long the object URL stays valid after the click: browsers read the Blob asynchronously.
const REVOKE_AFTER: Duration = Duration::from_secs(30);

/// Offers `bytes` as a download named `file_name`, of type `mime`.
///
/// ```text
/// save_file("activity-2026-11-27.csv", &csv, "text/csv;charset=utf-8")?;
/// ```
pub fn save_file(file_name: &str, bytes: &[u8], mime: &str) -> Result<(), JsValue> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let link: web_sys::HtmlAnchorElement = document().create_element("a")?.unchecked_into();
    link.set_href(&url);
    link.set_download(file_name);
    link.set_class_name("visually-hidden");
    // Firefox follows a click only on a link in the document.
    let body = document().body().ok_or("no document body")?;
    body.append_child(&link)?;
    link.click();
    link.remove();
    set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        REVOKE_AFTER,
    );
    Ok(())
}
