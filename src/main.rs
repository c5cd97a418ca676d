//! Mounts the app in the browser; on the host this binary does nothing (the model is a library).

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(sspr_insights::App);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "sspr-insights is a browser app: build it with `make serve` (Trunk), not `cargo run`."
    );
}
