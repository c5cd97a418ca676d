//! The overview's building blocks: header, load status, filter controls, tiles, charts, insights.
//! Components render what the model computed; none of them fetches, parses or aggregates.

pub mod bar_chart;
pub mod chart_style;
pub mod format;
pub mod header;
pub mod insights;
pub mod load_status;
pub mod period_control;
pub mod population_control;
pub mod query_choice;
pub mod tiles;
pub mod trend_chart;
