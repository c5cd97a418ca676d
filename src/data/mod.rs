//! Where data comes from: uploads, the report backend, the bundled sample. Records go through the
//! model's importer; what is read here is only the protocol around them (addresses, tokens, page
//! heads). Nothing here aggregates: that is the model's job.

#[cfg(target_arch = "wasm32")]
pub mod loads;
#[cfg(target_arch = "wasm32")]
pub mod pause;
#[cfg(target_arch = "wasm32")]
pub mod transport;

#[cfg(target_arch = "wasm32")]
pub mod warm_up;
#[cfg(target_arch = "wasm32")]
pub mod worker;

pub mod live_fetch;
pub mod report_api;
pub mod upload;
