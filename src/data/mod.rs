//! Where data comes from: uploads, the report backend, the bundled sample; all go through the
//! model's importer. Nothing here parses or aggregates: that is the model's job.

#[cfg(target_arch = "wasm32")]
pub mod backend;
#[cfg(target_arch = "wasm32")]
pub mod import;
#[cfg(target_arch = "wasm32")]
pub mod loads;
#[cfg(target_arch = "wasm32")]
pub mod pause;
#[cfg(target_arch = "wasm32")]
pub mod sample;

#[cfg(target_arch = "wasm32")]
pub mod worker;

pub mod live_fetch;
pub mod report_api;
pub mod upload;
