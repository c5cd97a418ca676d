//! SSPR Insights: the model (pure Rust, host-tested) and, in the browser build, the Leptos app.
//! The model never touches the DOM; the app never parses or aggregates on its own.

pub mod model;

// The browser app. Public so that the wasm-bindgen-test component tests can mount its parts.
#[cfg(target_arch = "wasm32")]
pub mod app;
/// UI building blocks: wasm-only inside, except the pure helpers (formats, the virtual table's
/// window arithmetic), which the host tests too.
pub mod components;
/// Data sources: the protocol rules of the report backend are pure and host-tested; the
/// browser parts (fetching, uploads, the sample) are wasm-only inside.
pub mod data;
/// The screens: wasm-only inside, except the pure texts they show (host-tested too).
pub mod pages;
#[cfg(target_arch = "wasm32")]
pub mod state;

#[cfg(target_arch = "wasm32")]
pub use app::App;

/// Bytes the wasm memory of this instance holds: the page's, or a worker's (the browser benchmark
/// reads the page's through `ssprDiagnostics` in `public/boot.js`; workers report theirs with the
/// results they post). Says nothing about the data.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn wasm_memory_bytes() -> f64 {
    core::arch::wasm32::memory_size(0) as f64 * 65536.0
}

/// The most wasm memory a worker of this page reported while it ingested (0 before any).
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn worker_memory_peak_bytes() -> f64 {
    data::worker::pool::worker_memory_peak()
}

/// How many spare workers are ready for the next load.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn spare_workers_ready() -> usize {
    data::worker::pool::spares_ready()
}

/// The wasm memory of the spare workers that wait for the next load (fresh instances).
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn spare_worker_memory_bytes() -> f64 {
    data::worker::pool::spare_memory()
}
