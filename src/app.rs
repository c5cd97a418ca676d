//! The app shell: shared state, the router (under the base path the app is served from), the
//! header and the routes. The shell also starts loading the bundled sample when nothing is loaded
//! (the first visit).

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;
use wasm_bindgen::JsCast;

use crate::components::chart_style::NARROW_MAX_PX;
use crate::components::header::AppHeader;
use crate::components::load_status::LoadStatusBanner;
use crate::data::loads::DataLoads;
use crate::model::query::{base_path_of, canonical_path};
use crate::pages::attempts::Attempts;
use crate::pages::data::DataPage;
use crate::pages::lists::{activity::Activity, registrations::Registrations};
use crate::pages::policy::PolicyPage;
use crate::pages::{not_found::NotFound, overview::Overview};
use crate::state::AppState;

/// The whole app, as mounted by `main`: state for the page's base path, and the shell.
#[component]
pub fn App() -> impl IntoView {
    let base = app_base();
    rewrite_to_canonical_path(&base);
    AppState::provide(base);
    view! { <Shell/> }
}

/// Rewrites the address in place, before the router reads it, when its path is not written the
/// way the routes are (`/activity/` → `/activity`, see [`canonical_path`]): a deep link with a
/// trailing slash opens its screen, and the history keeps one spelling of each view.
fn rewrite_to_canonical_path(base: &str) {
    let location = window().location();
    let Some(path) = location
        .pathname()
        .ok()
        .and_then(|path| canonical_path(&path, base))
    else {
        return;
    };
    let search = location.search().unwrap_or_default();
    let hash = location.hash().unwrap_or_default();
    if let Ok(history) = window().history() {
        let url = format!("{path}{search}{hash}");
        // If the browser refuses, the router shows what it makes of the address as it is.
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

/// The path the app is served under, from the URL of the boot script (`public/boot.js`), so that
/// one build works at the root and under any sub-path. `""` when there is no boot script (tests).
fn app_base() -> String {
    document()
        .query_selector("script[data-app-boot]")
        .ok()
        .flatten()
        .and_then(|el| el.dyn_into::<web_sys::HtmlScriptElement>().ok())
        .map(|script| base_path_of(&script.src()))
        .unwrap_or_default()
}

/// Header and routes over an [`AppState`] that the caller provided (the app, or a test with its
/// own dataset).
#[component]
pub fn Shell() -> impl IntoView {
    let state = AppState::expect();
    DataLoads::provide().load_sample_if_empty(state);
    watch_screen_width(state);
    let base = state.base.get_value();
    view! {
        <Router base=base>
            <AppHeader/>
            <LoadStatusBanner/>
            <main id="main" class="app-main" tabindex="-1">
                // The paths of `model::query::path` (the macro wants them written out).
                <Routes fallback=|| view! { <NotFound/> }>
                    <Route path=path!("/") view=Overview/>
                    <Route path=path!("/registrations") view=Registrations/>
                    <Route path=path!("/activity") view=Activity/>
                    <Route path=path!("/data") view=DataPage/>
                    <Route path=path!("/attempts") view=Attempts/>
                    <Route path=path!("/policy") view=PolicyPage/>
                </Routes>
            </main>
        </Router>
    }
}

/// Keeps `state.narrow` in step with the viewport, changing it only when the class flips, so
/// charts are redrawn on crossing the phone breakpoint and not on every resize event.
fn watch_screen_width(state: AppState) {
    let is_narrow = || {
        window()
            .inner_width()
            .ok()
            .and_then(|w| w.as_f64())
            .is_some_and(|w| w < NARROW_MAX_PX)
    };
    state.narrow.set(is_narrow());
    let listener = window_event_listener(leptos::ev::resize, move |_| {
        let narrow = is_narrow();
        if state.narrow.get_untracked() != narrow {
            state.narrow.set(narrow);
        }
    });
    on_cleanup(move || listener.remove());
}
