//! One file per route (and `list_page`, what the two lists share). Pages pick the model's
//! aggregates for the filters in the URL and lay out components; they never parse, fetch or
//! aggregate themselves.

pub mod activity;
pub mod data;
pub mod list_page;
pub mod not_found;
pub mod overview;
pub mod registrations;
