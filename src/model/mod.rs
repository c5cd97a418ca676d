//! The model: everything the app computes, in pure Rust (no leptos, no web-sys), tested on the
//! host. Import → immutable [`Dataset`] → derived views (tiles, aggregates, filters, insights).

pub mod aggregates;
pub mod audit;
pub mod batch;
pub mod dataset;
pub mod export;
pub mod filters;
pub mod import;
pub mod insights;
pub mod lists;
pub mod method;
pub mod mfa;
pub mod order;
pub mod period;
pub mod person_ranks;
pub mod policy;
pub mod population;
pub mod query;
pub mod sample;
pub mod strings;
pub mod tiles;
pub mod time;
pub mod wire;
pub mod words;

pub use aggregates::{method_counts, trend, MethodCounts, MethodRow, Trend, TrendBucket};
pub use batch::{Batch, EventInput, Feature, Status, UserInput, UserType};
pub use dataset::{AsOf, Dataset, EventRef, SourceKind, SourceSummary, UserRef, Warnings};
pub use filters::{
    event_order, filter_events, filter_events_in, filter_users, filter_users_in,
    filter_users_selected, filter_users_with, user_order, EventColumn, EventFilter, Sort,
    UserColumn, UserFilter,
};
pub use import::{import_file, FileImport, FileKind, ImportError, ImportJob, ImportProgress};
pub use insights::{insights, Insight, InsightKind};
pub use method::Method;
pub use period::Period;
pub use policy::{
    what_if, Policy, PolicyInputs, PolicyMethod, PolicyScope, Scenario, WhatIf, WhatIfFilter,
    WhatIfSide,
};
pub use population::{Population, RoleKind, UserKind};
pub use tiles::{tiles, Tile, Tiles};
pub use time::{format_utc, Millis};
