//! One module per screen: the overview, the two lists (`lists`, with what they share), the
//! attempts rebuilt from the audit log, the data screen and "not found". Pages pick the model's aggregates for the filters in the URL and lay
//! out components; they never parse, fetch or aggregate themselves. The pure parts (the data
//! screen's notice texts) also build on the host, where they are unit-tested.

pub mod data_notices;

#[cfg(target_arch = "wasm32")]
pub mod attempts;
#[cfg(target_arch = "wasm32")]
pub mod data;
#[cfg(target_arch = "wasm32")]
pub mod lists;
#[cfg(target_arch = "wasm32")]
pub mod not_found;
#[cfg(target_arch = "wasm32")]
pub mod overview;
