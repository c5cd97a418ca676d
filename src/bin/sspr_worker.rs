//! The ingest worker (a Web Worker of its own wasm, started by the page): reads parts of files and
//! builds datasets off the page's thread (`data::worker::serve`). On the host it does nothing.

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    sspr_insights::data::worker::serve::serve();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "sspr-worker runs in the browser as the app's Web Worker; build it with `make build`."
    );
}
