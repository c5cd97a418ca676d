//! The screens' building blocks: header, load status, filter controls, tiles, charts, insights,
//! the virtual table and the list controls. Components render what the model computed; none of
//! them fetches, parses or aggregates. The pure parts (number and time formats, the virtual
//! table's window arithmetic) also build on the host, where they are unit-tested.

pub mod format;
pub mod scroll_window;

#[cfg(target_arch = "wasm32")]
pub mod attempt_trend_chart;
#[cfg(target_arch = "wasm32")]
pub mod bar_chart;
#[cfg(target_arch = "wasm32")]
pub mod chart_style;
#[cfg(target_arch = "wasm32")]
pub mod count_chart;
#[cfg(target_arch = "wasm32")]
pub mod download;
#[cfg(target_arch = "wasm32")]
pub mod header;
#[cfg(target_arch = "wasm32")]
pub mod insights;
#[cfg(target_arch = "wasm32")]
pub mod list_controls;
#[cfg(target_arch = "wasm32")]
pub mod load_status;
#[cfg(target_arch = "wasm32")]
pub mod mfa_tiles;
#[cfg(target_arch = "wasm32")]
pub mod period_control;
#[cfg(target_arch = "wasm32")]
pub mod population_control;
#[cfg(target_arch = "wasm32")]
pub mod query_choice;
#[cfg(target_arch = "wasm32")]
pub mod tiles;
#[cfg(target_arch = "wasm32")]
pub mod trend_chart;
#[cfg(target_arch = "wasm32")]
pub mod user_method_chart;
#[cfg(target_arch = "wasm32")]
pub mod virtual_table;
