//! The lists' filter controls: a labelled select per column, the methods multi-select, the search
//! box (live while typing; the URL follows a moment later, in place), and removable chips for the
//! filters an insight link set. They report choices; the page writes them to the URL.

use std::time::Duration;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::format::{count, local_zone};
use crate::model::export::download_name;
use crate::model::query::{key, yes_no_id};
use crate::state::{AppState, LoadStatus};

/// One option: the value (as the URL writes it; `""` for "All") and the label people read.
pub type FilterOption = (String, String);

/// A column select's options: "All" (the value `""`: no filter, the key left out of the URL),
/// then `choices` as (URL value, label).
///
/// ```text
/// options_with_all(Feature::ALL.map(|f| (f.id(), f.label()))) // All, Registration, Reset
/// ```
pub fn options_with_all<V: Into<String>, L: Into<String>>(
    choices: impl IntoIterator<Item = (V, L)>,
) -> Vec<FilterOption> {
    std::iter::once((String::new(), "All".to_string()))
        .chain(
            choices
                .into_iter()
                .map(|(value, label)| (value.into(), label.into())),
        )
        .collect()
}

/// Options for a yes/no column: All / `yes` / `no`.
pub fn yes_no_options(yes: &str, no: &str) -> Vec<FilterOption> {
    options_with_all([(yes_no_id(true), yes), (yes_no_id(false), no)])
}

/// The URL value of a yes/no filter (`""` for none, the "All" option).
pub fn yes_no_value(value: Option<bool>) -> String {
    value.map(yes_no_id).unwrap_or_default().to_string()
}

/// A labelled `<select>`. `current` is the value in force; a change calls `on_change`.
#[component]
pub fn FilterSelect(
    label: &'static str,
    /// The URL key it sets: the select's `name`, and a hook for tests.
    name: &'static str,
    #[prop(into)] options: Signal<Vec<FilterOption>>,
    #[prop(into)] current: Signal<String>,
    on_change: Callback<String>,
) -> impl IntoView {
    let options = move || {
        options
            .get()
            .into_iter()
            .map(|(value, text)| {
                let selected = {
                    let value = value.clone();
                    move || current.with(|c| *c == value)
                };
                view! { <option value=value prop:selected=selected>{text}</option> }
            })
            .collect_view()
    };
    let id = format!("filter-{name}");
    view! {
        <div class="filter">
            <label class="filter-label" for=id.clone()>{label}</label>
            <select id=id name=name on:change=move |ev| on_change.run(event_target_value(&ev))>
                {options}
            </select>
        </div>
    }
    .into_any()
}

/// The methods multi-select: a disclosure with one checkbox a method. A user matches when they
/// have any of the checked methods; none checked means no filter.
#[component]
pub fn MethodPicker(
    /// Every method offered: (URL id, label).
    #[prop(into)]
    options: Signal<Vec<FilterOption>>,
    /// The ids checked now.
    #[prop(into)]
    checked: Signal<Vec<String>>,
    on_change: Callback<Vec<String>>,
) -> impl IntoView {
    let details = NodeRef::<leptos::html::Details>::new();
    let summary = move || {
        checked.with(|ids| match ids.len() {
            0 => "Any".to_string(),
            1 => options.with(|o| {
                o.iter()
                    .find(|(id, _)| *id == ids[0])
                    .map_or_else(|| ids[0].clone(), |(_, label)| label.clone())
            }),
            n => format!("{n} methods"),
        })
    };
    let toggle = move |id: String, on: bool| {
        let before = checked.get_untracked();
        // In the order offered, so the URL does not depend on the order of clicks.
        let ids = options.with_untracked(|offered| {
            offered
                .iter()
                .map(|(o, _)| o)
                .filter(|o| if **o == id { on } else { before.contains(o) })
                .cloned()
                .collect()
        });
        on_change.run(ids);
    };
    let boxes = move || {
        options
            .get()
            .into_iter()
            .map(|(id, label)| {
                let is_checked = {
                    let id = id.clone();
                    move || checked.with(|ids| ids.contains(&id))
                };
                let value = id.clone();
                view! {
                    <label class="check">
                        <input
                            type="checkbox"
                            value=value
                            prop:checked=is_checked
                            on:change=move |ev| toggle(id.clone(), event_target_checked(&ev))
                        />
                        <span>{label}</span>
                    </label>
                }
            })
            .collect_view()
    };
    // Escape closes the panel and returns to its button, as a menu would.
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() != "Escape" {
            return;
        }
        if let Some(details) = details.get_untracked() {
            if details.open() {
                ev.prevent_default();
                details.set_open(false);
                if let Ok(Some(summary)) = details.query_selector("summary") {
                    let _ = summary.unchecked_into::<web_sys::HtmlElement>().focus();
                }
            }
        }
    };
    view! {
        <div class="filter">
            <span class="filter-label" aria-hidden="true">"Methods"</span>
            <details class="multi" node_ref=details on:keydown=on_keydown data-filter=key::METHODS>
                <summary>
                    <span class="visually-hidden">"Methods: "</span>
                    {summary}
                </summary>
                <fieldset class="multi-panel">
                    <legend class="visually-hidden">"Show users with any of these methods"</legend>
                    <p class="muted" prop:hidden=move || options.with(|o| !o.is_empty())>
                        "No methods in the data."
                    </p>
                    {boxes}
                    <button
                        type="button"
                        class="link-button"
                        disabled=move || checked.with(Vec::is_empty)
                        on:click=move |_| on_change.run(Vec::new())
                    >
                        "Any method"
                    </button>
                </fieldset>
            </details>
        </div>
    }
    .into_any()
}

/// How long after the last keystroke the search reaches the URL.
const SEARCH_URL_DELAY: Duration = Duration::from_millis(300);

/// The search text of a list. The returned signal changes on every keystroke (the list filters
/// by it at once); `write_url` runs once typing pauses (the page replaces the history entry);
/// a new `?q=` from outside (Back, Forward, a link) replaces the text.
///
/// ```text
/// let search = use_live_search(Signal::derive(move || url_filter.with(|f| f.search.clone())),
///     move |text| nav.go(&with_search(text), HistoryEntry::Replace));
/// ```
pub fn use_live_search(
    url_text: Signal<String>,
    write_url: impl Fn(String) + 'static,
) -> (RwSignal<String>, Callback<String>) {
    let text = RwSignal::new(url_text.get_untracked());
    // The value this box last wrote, so that its own echo from the URL is not taken as news.
    let written = StoredValue::new(None::<String>);
    Effect::watch(
        move || url_text.get(),
        move |url, _, _| {
            // Our own write coming back while the box may already hold more: keep the box.
            if written.with_value(|w| w.as_ref() == Some(url)) {
                written.set_value(None);
                return;
            }
            if text.with_untracked(|t| t != url) {
                text.set(url.clone());
            }
        },
        false,
    );
    let write_url = StoredValue::new_local(write_url);
    let pending = StoredValue::new(None::<TimeoutHandle>);
    let cancel = move || {
        if let Some(handle) = pending.try_update_value(Option::take).flatten() {
            handle.clear();
        }
    };
    on_cleanup(cancel);
    let pending_write = StoredValue::new_local(move |value: String| {
        cancel();
        let handle = set_timeout_with_handle(
            move || {
                let _ = pending.try_update_value(|p| *p = None);
                // Another filter's change may have taken the text to the URL already.
                if url_text.with_untracked(|url| *url == value) {
                    return;
                }
                written.set_value(Some(value.clone()));
                write_url.with_value(|write| write(value));
            },
            SEARCH_URL_DELAY,
        );
        if let Ok(handle) = handle {
            pending.set_value(Some(handle));
        }
    });
    let on_input = Callback::new(move |value: String| {
        text.set(value.clone());
        pending_write.with_value(|schedule| schedule(value));
    });
    (text, on_input)
}

/// The search box. It shows `text` and reports every keystroke.
#[component]
pub fn SearchBox(
    /// What the field's label says, e.g. "Search users".
    label: &'static str,
    text: RwSignal<String>,
    on_input: Callback<String>,
) -> impl IntoView {
    view! {
        <div class="filter search">
            <label class="filter-label" for="list-search">{label}</label>
            <input
                id="list-search"
                type="search"
                name=key::SEARCH
                placeholder="Name or user name"
                autocomplete="off"
                spellcheck="false"
                prop:value=move || text.get()
                on:input=move |ev| on_input.run(event_target_value(&ev))
            />
        </div>
    }
    .into_any()
}

/// A filter that an insight link set and the column filters do not show (a failure reason, …),
/// with a button that removes it; hidden while `text` is `None`.
#[component]
pub fn FilterChip(
    #[prop(into)] text: Signal<Option<String>>,
    on_remove: Callback<()>,
) -> impl IntoView {
    let shown = move || text.get().unwrap_or_default();
    view! {
        <li class="chip" prop:hidden=move || text.with(Option::is_none)>
            <span>{shown}</span>
            <button
                type="button"
                aria-label=move || format!("Remove the filter: {}", shown())
                on:click=move |_| on_remove.run(())
            >
                "×"
            </button>
        </li>
    }
    .into_any()
}

/// The line above a list: "N of M" (announced politely to screen readers), the filters an insight
/// set (as `children` chips), "Clear the filters" and "Download CSV".
#[component]
pub fn ListCount(
    #[prop(into)] shown: Signal<usize>,
    #[prop(into)] total: Signal<usize>,
    /// What the rows are: "users", "events".
    noun: &'static str,
    /// Whether any filter or search is in force (offers "Clear the filters").
    #[prop(into)]
    filtered: Signal<bool>,
    clear: Callback<()>,
    /// The CSV of exactly the rows listed (`None` when nothing is loaded).
    download: Callback<(), Option<Vec<u8>>>,
    /// The list's name, for the file name: "registrations", "activity".
    list: &'static str,
    children: Children,
) -> impl IntoView {
    let failed = RwSignal::new(None::<String>);
    let on_download = move |_| {
        let Some(bytes) = download.run(()) else {
            return;
        };
        let name = download_name(list, js_sys::Date::now() as i64);
        let result = super::download::save_file(&name, &bytes, "text/csv;charset=utf-8");
        failed.set(result.err().map(|e| {
            format!(
                "The download could not start: {}",
                e.as_string().unwrap_or_else(|| format!("{e:?}"))
            )
        }));
    };
    view! {
        <div class="list-bar">
            <p class="list-count" role="status" aria-live="polite">
                <strong data-count>{move || count(shown.get())}</strong>
                " of "
                <span data-total>{move || count(total.get())}</span>
                {format!(" {noun}")}
            </p>
            <ul class="chips" aria-label="Other filters">{children()}</ul>
            <button
                type="button"
                class="link-button"
                prop:hidden=move || !filtered.get()
                on:click=move |_| clear.run(())
            >
                "Clear the filters"
            </button>
            <button type="button" class="button download" on:click=on_download>
                "Download CSV"
            </button>
            <p class="download-failed" role="alert" prop:hidden=move || failed.with(Option::is_none)>
                {move || failed.get().unwrap_or_default()}
            </p>
        </div>
    }
    .into_any()
}

/// Says which time zone the list's times are in, and that downloads use UTC.
#[component]
pub fn ListFooter() -> impl IntoView {
    let zone = local_zone(js_sys::Date::now() as i64);
    view! {
        <p class="list-note muted">
            {format!("Times are in your time zone ({zone}). Downloads use UTC. ")}
            "Use the arrow keys, Page Up / Page Down and Home / End in the table to move between rows."
        </p>
    }
    .into_any()
}

/// What a list shows while no data is loaded (hidden once there is data).
#[component]
pub fn NoData() -> impl IntoView {
    let state = AppState::expect();
    let loading = move || {
        state
            .status
            .with(|s| matches!(s, LoadStatus::Loading { .. }))
    };
    view! {
        <p class="muted no-data" prop:hidden=move || state.dataset.with(Option::is_some)>
            {move || if loading() { "Loading the data…" } else { "No data is loaded yet." }}
        </p>
    }
    .into_any()
}
