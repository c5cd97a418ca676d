//! One module per screen: the overview, the two lists (`lists`, with what they share), the
//! attempts rebuilt from the audit log, the data screen, the what-if screen (`policy`) and "not
//! found". Pages pick the model's aggregates for the filters in the URL and lay out components;
//! they never parse, fetch or aggregate themselves. The pure parts (the data screen's notice
//! texts, the what-if screen's sentences) also build on the host, where they are unit-tested.

pub mod data_notices;
pub mod policy_words;

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
#[cfg(target_arch = "wasm32")]
pub mod policy;
