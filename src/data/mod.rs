//! Where data comes from: for now the bundled sample, fetched and passed through the same import
//! path that uploads will use. Nothing here parses or aggregates: that is the model's job.

#[cfg(target_arch = "wasm32")]
pub mod import;
#[cfg(target_arch = "wasm32")]
pub mod sample;

pub mod report_api;
