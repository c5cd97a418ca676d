//! `/activity` — registration and reset events (spec §2): search, Feature / Status / Method
//! filters, the period, sort by any column, "N of M", Download CSV; all of it in the URL query.
//! The shared list page (`lists`) does the work both lists share.

use leptos::prelude::*;

use super::{ListDescription, ListPage, ListState};
use crate::components::format::{count, local_time};
use crate::components::list_controls::{options_with_all, FilterChip, FilterSelect};
use crate::components::virtual_table::Cell;
use crate::model::export::activity_csv;
use crate::model::lists::event_methods;
use crate::model::query::key;
use crate::model::{format_utc, Dataset, EventFilter, Feature, Method, Status};
use crate::state::AppState;

/// The activity list, as the shared list page sees it.
static ACTIVITY: ListDescription<EventFilter> = ListDescription {
    id: "activity",
    title: "Activity",
    noun: "events",
    search_label: "Search people",
    no_rows: "The loaded data has no registration or reset events.",
    has_period: true,
    scope: |f| {
        format!(
            "{} · {} · last {}",
            f.population.users.label(),
            f.population.roles.label(),
            f.period.label()
        )
    },
    cells: event_cells,
    csv: activity_csv,
};

/// The cells of one event's row, as the list shows them (the date in the browser's zone).
fn event_cells(ds: &Dataset, event: u32) -> Vec<Cell> {
    let e = ds.event(event);
    let reason = e.failure_reason();
    vec![
        Cell::new(local_time(e.time()))
            .class("time")
            .title(format_utc(e.time())),
        Cell::new(e.name()).class("strong"),
        Cell::new(e.user_name()),
        Cell::new(e.feature().label()),
        match e.method() {
            Some(method) => Cell::new(method.label()),
            None => Cell::new("—").class("dim"),
        },
        Cell::new(e.status().label()).class(match e.status() {
            Status::Success => "success",
            Status::Failure => "failure",
        }),
        Cell::new(reason).title(reason),
    ]
}

#[component]
pub fn Activity() -> impl IntoView {
    let state = AppState::expect();
    let list = ListState::new(&ACTIVITY);

    // One pass over the events per dataset, not per filter change.
    let methods_in_data = Memo::new(move |_| {
        state
            .dataset
            .with(|d| d.as_deref().map(event_methods).unwrap_or_default())
    });
    let method_options = Signal::derive(move || {
        let mut methods = methods_in_data.get();
        // A method from a link that the data lacks is still offered.
        if let Some(m) = list.url_filter.get().method {
            if !methods.contains(&m) {
                methods.push(m);
            }
        }
        options_with_all(methods.into_iter().map(|m| (m.id(), m.label())))
    });

    let filters = view! {
        <FilterSelect
            label="Feature"
            name=key::FEATURE
            options=options_with_all(Feature::ALL.map(|x| (x.id(), x.label())))
            current=Signal::derive(move || list.url_filter.with(|f| f.feature.map(|x| x.id().to_string()).unwrap_or_default()))
            on_change=Callback::new(move |v: String| {
                let feature = Feature::parse(&v);
                list.apply(|f| f.feature = feature);
            })
        />
        <FilterSelect
            label="Status"
            name=key::STATUS
            options=options_with_all(Status::ALL.map(|x| (x.id(), x.label())))
            current=Signal::derive(move || list.url_filter.with(|f| f.status.map(|x| x.id().to_string()).unwrap_or_default()))
            on_change=Callback::new(move |v: String| {
                let status = Status::parse(&v);
                list.apply(|f| f.status = status);
            })
        />
        <FilterSelect
            label="Method"
            name=key::METHOD
            options=method_options
            current=Signal::derive(move || list.url_filter.with(|f| f.method.as_ref().map(Method::id).unwrap_or_default()))
            on_change=Callback::new(move |v: String| {
                let method = Method::parse(&v);
                list.apply(|f| f.method = method);
            })
        />
    }
    .into_any();
    let reason = Signal::derive(move || {
        list.url_filter
            .with(|f| f.reason.clone())
            .map(|reason| format!("Failure reason: {reason}"))
    });
    let repeat = Signal::derive(move || {
        list.url_filter
            .with(|f| f.repeat)
            .map(|n| format!("Users with {} or more failed resets", count(n as usize)))
    });
    let sms_only = Signal::derive(move || {
        list.url_filter
            .with(|f| f.sms_only)
            .then(|| "Users whose resets used only SMS".to_string())
    });
    let chips = view! {
        <FilterChip
            text=reason
            on_remove=Callback::new(move |()| list.apply(|f| f.reason = None))
        />
        <FilterChip
            text=repeat
            on_remove=Callback::new(move |()| list.apply(|f| f.repeat = None))
        />
        <FilterChip
            text=sms_only
            on_remove=Callback::new(move |()| list.apply(|f| f.sms_only = false))
        />
    }
    .into_any();
    let no_match = Signal::derive(move || {
        format!(
            "No events in the last {} match these filters.",
            list.url_filter.with(|f| f.period.label())
        )
    });
    view! {
        <ListPage
            list=list
            filters=filters
            chips=chips
            no_match=no_match
        />
    }
}
