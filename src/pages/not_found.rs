//! Any path without a screen (a mistyped link, or a screen of a later release): says so plainly
//! and leads back to the overview.

use leptos::prelude::*;

use crate::model::query::path;
use crate::state::AppState;

#[component]
pub fn NotFound() -> impl IntoView {
    let state = AppState::expect();
    view! {
        <div class="page not-found">
            <h1>"Page not found"</h1>
            <p>
                "There is no screen at this address (yet). "
                <a href=state.href(path::OVERVIEW)>"Go to the overview"</a>
            </p>
        </div>
    }
}
