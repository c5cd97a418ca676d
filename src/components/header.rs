//! The app header: product name, navigation to the screens that exist, and where the data comes
//! from and how fresh it is ("Data as of …", "Last updated …"). It only reads shared state.

use leptos::prelude::*;
use leptos_router::hooks::use_location;
use wasm_bindgen::JsCast;

use crate::components::format::moment;
use crate::model::format_utc;
use crate::model::query::{link_with_filters, path};
use crate::state::{use_period, use_population, AppState};

/// What the header says about the loaded data.
#[derive(Clone, PartialEq)]
struct Freshness {
    source: String,
    sample: bool,
    /// (ISO 8601 UTC for `datetime`, the same moment for people to read); `None`: the data has
    /// no times
    as_of: Option<(String, String)>,
    last_updated: Option<(String, String)>,
}

#[component]
pub fn AppHeader() -> impl IntoView {
    let state = AppState::expect();
    let location = use_location();
    let period = use_period();
    let population = use_population();

    // Each screen's link carries the population (and the period where it applies).
    let href =
        move |screen: &str| state.href(&link_with_filters(screen, period.get(), population.get()));
    let current = move |screen: &'static str| {
        move || {
            let here = location.pathname.get();
            // The app writes each path one way (`app::rewrite_to_canonical_path`).
            (here == state.href(screen)).then_some("page")
        }
    };

    let freshness = Memo::new(move |_| {
        state.dataset.with(|dataset| {
            dataset.as_ref().map(|ds| Freshness {
                source: ds.source().label(),
                sample: matches!(ds.source(), crate::model::SourceKind::Sample),
                as_of: ds.as_of_known().map(|t| (format_utc(t), moment(t))),
                last_updated: ds.last_updated().map(|t| (format_utc(t), moment(t))),
            })
        })
    });

    view! {
        <header class="app-header">
            // The first stop of the Tab key, shown only while focused: past the header to the
            // screen's own controls. Moves the focus itself, so the URL gets no `#main`.
            <a class="skip-link" href="#main" on:click=skip_to_main>
                "Skip to the content"
            </a>
            <a class="brand" href=move || state.href(path::OVERVIEW)>
                <span class="brand-mark" aria-hidden="true"></span>
                "SSPR Insights"
            </a>
            <nav class="app-nav" aria-label="Screens">
                <a href=move || href(path::OVERVIEW) aria-current=current(path::OVERVIEW)>
                    "Overview"
                </a>
                <a href=move || href(path::REGISTRATIONS) aria-current=current(path::REGISTRATIONS)>
                    "Registrations"
                </a>
                <a href=move || href(path::ACTIVITY) aria-current=current(path::ACTIVITY)>
                    "Activity"
                </a>
                <a href=move || href(path::ATTEMPTS) aria-current=current(path::ATTEMPTS)>
                    "Attempts"
                </a>
                <a href=move || href(path::POLICY) aria-current=current(path::POLICY)>
                    "What if"
                </a>
                <a href=move || href(path::DATA) aria-current=current(path::DATA)>"Data"</a>
            </nav>
            <div class="freshness">
                {move || match freshness.get() {
                    Some(f) => {
                        view! {
                            <span class="source-badge" class:sample=f.sample data-source>
                                {f.source}
                            </span>
                            <span class="as-of">
                                "Data as of "
                                {match f.as_of {
                                    Some((iso, text)) => view! { <time datetime=iso.clone()>{text.clone()}</time> }.into_any(),
                                    None => view! { <span title="The data has no times">"unknown"</span> }.into_any(),
                                }}
                            </span>
                            <span class="last-updated">
                                "Last updated "
                                {match f.last_updated {
                                    Some((iso, text)) => view! { <time datetime=iso.clone()>{text.clone()}</time> }.into_any(),
                                    None => view! { <span>"unknown"</span> }.into_any(),
                                }}
                            </span>
                        }
                            .into_any()
                    }
                    None => view! { <span class="source-badge empty">"No data loaded"</span> }.into_any(),
                }}
            </div>
        </header>
    }
}

/// Moves the keyboard focus to the screen's `<main>` (which takes it: `tabindex="-1"`), so that
/// the next Tab goes to the screen's first control.
fn skip_to_main(ev: leptos::ev::MouseEvent) {
    ev.prevent_default();
    if let Some(main) = document()
        .get_element_by_id("main")
        .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = main.focus();
    }
}
