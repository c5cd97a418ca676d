//! `/` — the overview (spec §2): tiles (the MFA ones too, spec §3.7), the Registrations and Resets
//! charts, the trend, "Users registered by authentication method" and the insights, for the
//! period and population in the URL. Aggregates are memos over the dataset.

use leptos::prelude::*;

use crate::components::bar_chart::MethodChart;
use crate::components::insights::InsightList;
use crate::components::period_control::PeriodControl;
use crate::components::population_control::PopulationControl;
use crate::components::tiles::TileRow;
use crate::components::trend_chart::TrendChart;
use crate::components::user_method_chart::UsersByMethodChart;
use crate::model::mfa::tiles::{mfa_tiles, users_by_method, UserMethodRow};
use crate::model::{self, Feature, MethodRow};
use crate::state::{use_period, use_population, AppState};

#[component]
pub fn Overview() -> impl IntoView {
    let state = AppState::expect();
    let period = use_period();
    let population = use_population();

    // Each memo reads the dataset by reference and re-runs only when the dataset, the period or
    // the population changes; an equal result leaves the DOM alone.
    let tiles = Memo::new(move |_| {
        let population = population.get();
        state
            .dataset
            .with(|d| d.as_deref().map(|ds| model::tiles(ds, population)))
    });
    let counts = Memo::new(move |_| {
        let (period, population) = (period.get(), population.get());
        state.dataset.with(|d| {
            d.as_deref()
                .map(|ds| model::method_counts(ds, period, population))
        })
    });
    let rows_of = move |feature: Feature| {
        Memo::new(move |_| -> Vec<MethodRow> {
            counts.with(|c| c.as_ref().map(|c| c.rows(feature)).unwrap_or_default())
        })
    };
    let registrations = rows_of(Feature::Registration);
    let resets = rows_of(Feature::Reset);
    let trend = Memo::new(move |_| {
        let (period, population) = (period.get(), population.get());
        state
            .dataset
            .with(|d| d.as_deref().map(|ds| model::trend(ds, period, population)))
    });
    // Registration state: the population, never the period.
    let mfa = Memo::new(move |_| {
        let population = population.get();
        state
            .dataset
            .with(|d| d.as_deref().map(|ds| mfa_tiles(ds, population)))
    });
    let by_method = Memo::new(move |_| -> Vec<UserMethodRow> {
        let population = population.get();
        state.dataset.with(|d| {
            d.as_deref()
                .map(|ds| users_by_method(ds, population))
                .unwrap_or_default()
        })
    });
    let insights = Memo::new(move |_| {
        let (period, population) = (period.get(), population.get());
        state.dataset.with(|d| {
            d.as_deref()
                .map(|ds| model::insights(ds, period, population))
                .unwrap_or_default()
        })
    });

    let has_data = move || state.dataset.with(Option::is_some);
    let scope = move || {
        let (period, population) = (period.get(), population.get());
        format!(
            "{} · {} · last {}",
            population.users.label(),
            population.roles.label(),
            period.label()
        )
    };

    view! {
        <div class="page overview">
            <div class="page-head">
                <div>
                    <h1>"Overview"</h1>
                    <p class="scope muted">{scope}</p>
                </div>
                <div class="controls">
                    <PeriodControl/>
                    <PopulationControl/>
                </div>
            </div>
            <Show
                when=has_data
                fallback=|| view! { <p class="muted no-data">"No data is loaded yet."</p> }
            >
                <TileRow tiles=tiles mfa=mfa/>
                <div class="overview-grid">
                    <MethodChart title="Registrations" noun="registrations" feature=Feature::Registration rows=registrations/>
                    <MethodChart title="Resets" noun="resets" feature=Feature::Reset rows=resets/>
                    <TrendChart trend=trend/>
                    <UsersByMethodChart rows=by_method/>
                    <InsightList insights=insights/>
                </div>
            </Show>
        </div>
    }
}
