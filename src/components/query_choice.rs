//! A choice held in the URL query, shown as a group of radio buttons (one click, keyboard arrows,
//! a legend for screen readers). Picking an option writes the key to the URL; the URL is the state.

use leptos::prelude::*;

use crate::state::QueryNavigator;

/// One option: the value written to the URL and the label people read.
pub type Choice = (&'static str, &'static str);

/// A radio group for the query key `key`. `current` is the value in force (the parsed URL value
/// or its default), so a bad value in the URL shows the default as chosen.
///
/// ```text
/// view! { <QueryChoice legend="Period" key=key::PERIOD options=vec![("24h", "24 hours")] current=Signal::derive(|| "24h")/> }
/// ```
#[component]
pub fn QueryChoice(
    /// What is being chosen, e.g. "Period".
    legend: &'static str,
    /// The URL query key, e.g. `period`.
    key: &'static str,
    options: Vec<Choice>,
    #[prop(into)] current: Signal<&'static str>,
) -> impl IntoView {
    let nav = QueryNavigator::new();
    let radios = options
        .into_iter()
        .map(|(value, label)| {
            view! {
                <label class="segment">
                    <input
                        type="radio"
                        name=key
                        value=value
                        prop:checked=move || current.get() == value
                        on:change=move |_| nav.set(&[(key, value)])
                    />
                    <span>{label}</span>
                </label>
            }
        })
        .collect_view();
    view! {
        <fieldset class="segmented" data-choice=key>
            <legend>{legend}</legend>
            <div class="segments">{radios}</div>
        </fieldset>
    }
}
