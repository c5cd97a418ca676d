//! Tells how loading goes: a progress bar while data loads, a clear message when it failed, and
//! non-fatal remarks (records skipped) after it succeeded. Nothing when there is nothing to say.

use leptos::prelude::*;

use crate::state::{AppState, LoadStatus};

#[component]
pub fn LoadStatusBanner() -> impl IntoView {
    let state = AppState::expect();
    move || {
        state.status.with(|status| match status {
            LoadStatus::Loading { what, done, steps } => view! {
                <div class="load-status" role="status" aria-live="polite">
                    <p class="load-what">{what.clone()} "…"</p>
                    <progress max=steps.to_string() value=done.to_string()>
                        {format!("{done} of {steps}")}
                    </progress>
                </div>
            }
            .into_any(),
            LoadStatus::Failed(message) => view! {
                <div class="load-status failed" role="alert">
                    <p>
                        <strong>"The data could not be loaded. "</strong>
                        {message.clone()}
                    </p>
                    <p>"Reload the page to try again."</p>
                </div>
            }
            .into_any(),
            LoadStatus::Loaded { notes } if !notes.is_empty() => view! {
                <details class="load-status notes">
                    <summary>{format!("Loaded with {} remark(s)", notes.len())}</summary>
                    <ul>{notes.iter().map(|n| view! { <li>{n.clone()}</li> }).collect_view()}</ul>
                </details>
            }
            .into_any(),
            _ => ().into_any(),
        })
    }
}
