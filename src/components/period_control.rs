//! The period control: 24 hours / 7 days / 30 days, held in `?period=` (default 7 days).
//! It changes charts, trend and insights; registration state (the tiles) has no period.

use leptos::prelude::*;

use super::query_choice::QueryChoice;
use crate::model::query::key;
use crate::model::Period;
use crate::state::use_period;

#[component]
pub fn PeriodControl() -> impl IntoView {
    let period = use_period();
    let options = Period::ALL.iter().map(|p| (p.id(), p.label())).collect();
    view! {
        <QueryChoice
            legend="Period"
            key=key::PERIOD
            options=options
            current=Signal::derive(move || period.get().id())
        />
    }
}
