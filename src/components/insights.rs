//! The insights list: the model's sentences, each linking to the list behind it with the current
//! population (and period, where it applies) carried over. Text from the data stays text.

use leptos::prelude::*;

use crate::model::query::link_with_filters;
use crate::model::Insight;
use crate::state::{use_period, use_population, AppState};

#[component]
pub fn InsightList(insights: Memo<Vec<Insight>>) -> impl IntoView {
    let state = AppState::expect();
    let period = use_period();
    let population = use_population();
    let items = move || {
        let (period, population) = (period.get(), population.get());
        insights.with(|list| {
            list.iter()
                .map(|insight| {
                    if insight.href.is_empty() {
                        view! { <li>{insight.text.clone()}</li> }.into_any()
                    } else {
                        let href =
                            state.href(&link_with_filters(&insight.href, period, population));
                        view! {
                            <li>
                                <a href=href>{insight.text.clone()}</a>
                            </li>
                        }
                        .into_any()
                    }
                })
                .collect_view()
        })
    };
    view! {
        <section class="card insights" aria-labelledby="insights-title">
            <h2 id="insights-title">"Insights"</h2>
            <Show
                when=move || insights.with(|list| !list.is_empty())
                fallback=|| view! { <p class="muted">"Nothing stands out for this period and population."</p> }
            >
                <ul class="insight-list">{items}</ul>
            </Show>
        </section>
    }
}
