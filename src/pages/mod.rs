//! One file per route. Pages pick the model's aggregates for the filters in the URL and lay out
//! components; they never parse, fetch or aggregate themselves.

pub mod not_found;
pub mod overview;
