//! Component tests in a real browser (headless Chromium through wasm-bindgen-test-runner): the
//! overview mounted over a small dataset built from inline JSON, checked against the model.
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use leptos::task::tick;
use sspr_insights::app::Shell;
use sspr_insights::components::bar_chart::method_bars_svg;
use sspr_insights::components::chart_style::ChartSize;
use sspr_insights::components::format::{count, percent};
use sspr_insights::model::{
    self, AsOf, Dataset, Feature, Method, MethodRow, Period, Population, RoleKind, SourceKind,
    UserKind,
};
use sspr_insights::state::AppState;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const EVIL: &str = "<img src=x onerror=alert(1)>";

/// Five users: members and a guest, one admin; registered / enabled / capable all differ.
const USERS: &str = r#"{"value":[
 {"id":"u1","userPrincipalName":"ann@contoso.com","userDisplayName":"Ann","userType":"member","isAdmin":true,
  "isSsprRegistered":true,"isSsprEnabled":true,"isSsprCapable":true,"methodsRegistered":["email","mobilePhone"],
  "lastUpdatedDateTime":"2026-11-20T08:00:00Z"},
 {"id":"u2","userPrincipalName":"bob@contoso.com","userDisplayName":"Bob","userType":"member","isAdmin":false,
  "isSsprRegistered":true,"isSsprEnabled":true,"isSsprCapable":true,"methodsRegistered":["email"],
  "lastUpdatedDateTime":"2026-11-20T08:00:00Z"},
 {"id":"u3","userPrincipalName":"cy@contoso.com","userDisplayName":"Cy","userType":"member","isAdmin":false,
  "isSsprRegistered":true,"isSsprEnabled":false,"isSsprCapable":false,"methodsRegistered":["sms"],
  "lastUpdatedDateTime":"2026-11-20T08:00:00Z"},
 {"id":"u4","userPrincipalName":"dee@contoso.com","userDisplayName":"Dee","userType":"member","isAdmin":false,
  "isSsprRegistered":false,"isSsprEnabled":true,"isSsprCapable":false,"methodsRegistered":[],
  "lastUpdatedDateTime":"2026-11-20T08:00:00Z"},
 {"id":"u5","userPrincipalName":"eve_fabrikam.com#EXT#@contoso.com","userDisplayName":"Eve","userType":"guest","isAdmin":false,
  "isSsprRegistered":false,"isSsprEnabled":false,"isSsprCapable":false,"methodsRegistered":[],
  "lastUpdatedDateTime":"2026-11-20T08:00:00Z"}
]}"#;

/// Events: the newest is 2026-11-20T12:00Z (the data's as-of). Three resets in the last 24 hours,
/// more resets and registrations earlier in the week, one with a hostile method name.
const EVENTS: &str = r#"{"value":[
 {"id":"e1","feature":"reset","userPrincipalName":"ann@contoso.com","userDisplayName":"Ann","isSuccess":true,"authMethod":"sms","failureReason":"","eventDateTime":"2026-11-20T12:00:00Z"},
 {"id":"e2","feature":"reset","userPrincipalName":"bob@contoso.com","userDisplayName":"Bob","isSuccess":true,"authMethod":"email","failureReason":"","eventDateTime":"2026-11-20T09:00:00Z"},
 {"id":"e3","feature":"reset","userPrincipalName":"cy@contoso.com","userDisplayName":"Cy","isSuccess":false,"authMethod":"sms","failureReason":"Bad code","eventDateTime":"2026-11-20T01:00:00Z"},
 {"id":"e4","feature":"reset","userPrincipalName":"bob@contoso.com","userDisplayName":"Bob","isSuccess":true,"authMethod":"email","failureReason":"","eventDateTime":"2026-11-17T10:00:00Z"},
 {"id":"e5","feature":"reset","userPrincipalName":"ann@contoso.com","userDisplayName":"Ann","isSuccess":false,"authMethod":"email","failureReason":"Timeout","eventDateTime":"2026-11-16T10:00:00Z"},
 {"id":"e6","feature":"reset","userPrincipalName":"dee@contoso.com","userDisplayName":"Dee","isSuccess":false,"authMethod":"<img src=x onerror=alert(1)>","failureReason":"","eventDateTime":"2026-11-15T10:00:00Z"},
 {"id":"e7","feature":"registration","userPrincipalName":"ann@contoso.com","userDisplayName":"Ann","isSuccess":true,"authMethod":"mobilePhone","failureReason":"","eventDateTime":"2026-11-18T10:00:00Z"},
 {"id":"e8","feature":"registration","userPrincipalName":"cy@contoso.com","userDisplayName":"Cy","isSuccess":false,"authMethod":"sms","failureReason":"","eventDateTime":"2026-11-14T10:00:00Z"}
]}"#;

fn dataset() -> Dataset {
    let users = model::import_file("userRegistrationDetails.json", USERS.as_bytes());
    let events = model::import_file("userEventsSummary.json", EVENTS.as_bytes());
    assert!(
        !users.fatal && users.errors.is_empty(),
        "users: {:?}",
        users.errors.len()
    );
    assert!(
        !events.fatal && events.errors.is_empty(),
        "events: {:?}",
        events.errors.len()
    );
    Dataset::build(
        vec![users.batch, events.batch],
        AsOf::Newest,
        SourceKind::Sample,
    )
}

/// Puts the page at `url` (path and query) without loading, as if the user had opened that link.
fn open_url(url: &str) {
    window()
        .history()
        .expect("history")
        .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(url))
        .expect("replaceState");
}

/// Mounts the shell over `dataset` in a fresh container; the handle unmounts it when dropped.
fn mount(dataset: Dataset) -> (web_sys::HtmlElement, impl Drop) {
    let container: web_sys::HtmlElement = document()
        .create_element("div")
        .expect("div")
        .unchecked_into();
    document()
        .body()
        .expect("body")
        .append_child(&container)
        .expect("append");
    let handle = leptos::mount::mount_to(container.clone(), move || {
        let state = AppState::provide("");
        state.set_dataset(dataset, Vec::new());
        view! { <Shell/> }
    });
    let unmount = Unmount(Some(handle), container.clone());
    (container, unmount)
}

struct Unmount<T>(Option<T>, web_sys::HtmlElement);
impl<T> Drop for Unmount<T> {
    fn drop(&mut self) {
        drop(self.0.take());
        self.1.remove();
    }
}

async fn settle() {
    for _ in 0..4 {
        tick().await;
    }
}

fn text(root: &web_sys::HtmlElement, selector: &str) -> String {
    root.query_selector(selector)
        .expect("selector")
        .unwrap_or_else(|| panic!("nothing matches {selector}"))
        .text_content()
        .unwrap_or_default()
}

/// The rows of a chart's "Show data" table as (method, success, failure) texts.
fn table_rows(root: &web_sys::HtmlElement, chart: &str) -> Vec<(String, String, String)> {
    let rows = root
        .query_selector_all(&format!("[data-chart={chart}] table tbody tr"))
        .expect("rows");
    (0..rows.length())
        .map(|i| {
            let row: web_sys::Element = rows.item(i).expect("row").unchecked_into();
            let cells = row.query_selector_all("th, td").expect("cells");
            let cell = |j| {
                cells
                    .item(j)
                    .and_then(|c| c.text_content())
                    .unwrap_or_default()
            };
            (cell(0), cell(1), cell(2))
        })
        .collect()
}

fn expected_rows(
    ds: &Dataset,
    period: Period,
    population: Population,
    feature: Feature,
) -> Vec<(String, String, String)> {
    model::method_counts(ds, period, population)
        .rows(feature)
        .into_iter()
        .map(|r| {
            (
                r.method.label(),
                count(r.success as usize),
                count(r.failure as usize),
            )
        })
        .collect()
}

fn click(root: &web_sys::HtmlElement, selector: &str) {
    let input: web_sys::HtmlElement = root
        .query_selector(selector)
        .expect("selector")
        .unwrap_or_else(|| panic!("nothing matches {selector}"))
        .unchecked_into();
    input.click();
}

#[wasm_bindgen_test]
async fn tiles_show_the_models_numbers_for_the_population() {
    open_url("/");
    let expected = model::tiles(&dataset(), Population::default());
    let (root, _unmount) = mount(dataset());
    settle().await;

    for (kind, tile) in [
        ("registered", &expected.registered),
        ("enabled", &expected.enabled),
        ("capable", &expected.capable),
    ] {
        assert_eq!(
            text(&root, &format!("[data-tile={kind}] .tile-count")),
            count(tile.count),
            "{kind}"
        );
        assert_eq!(
            text(&root, &format!("[data-tile={kind}] .share")),
            percent(tile.share),
            "{kind}"
        );
        assert_eq!(
            text(&root, &format!("[data-tile={kind}] .tile-insight")),
            tile.insight,
            "{kind}"
        );
    }
    assert_eq!(
        text(&root, "[data-tile=registered] .population"),
        count(expected.population)
    );
    assert_eq!(text(&root, "[data-source]"), "Sample data");
}

#[wasm_bindgen_test]
async fn changing_the_period_changes_the_charts_data_table() {
    open_url("/");
    let ds = dataset();
    let week = expected_rows(&ds, Period::Week, Population::default(), Feature::Reset);
    let day = expected_rows(&ds, Period::Day, Population::default(), Feature::Reset);
    assert_ne!(week, day, "the fixture must differ between the periods");
    let (root, _unmount) = mount(ds);
    settle().await;
    assert_eq!(table_rows(&root, "resets"), week);

    click(&root, "input[name=period][value='24h']");
    settle().await;
    assert_eq!(table_rows(&root, "resets"), day);
    assert!(window().location().search().unwrap().contains("period=24h"));
}

#[wasm_bindgen_test]
async fn changing_the_population_changes_the_tiles() {
    open_url("/");
    let ds = dataset();
    let guests = Population {
        users: UserKind::Guests,
        roles: RoleKind::All,
    };
    let expected = model::tiles(&ds, guests);
    let (root, _unmount) = mount(ds);
    settle().await;

    click(&root, "input[name=users][value=guests]");
    settle().await;
    assert_eq!(
        text(&root, "[data-tile=registered] .population"),
        count(expected.population)
    );
    assert_eq!(
        text(&root, "[data-tile=enabled] .tile-count"),
        count(expected.enabled.count)
    );
    assert!(window()
        .location()
        .search()
        .unwrap()
        .contains("users=guests"));
}

#[wasm_bindgen_test]
async fn filters_come_from_the_url_and_bad_values_mean_the_default() {
    open_url("/?period=30d&users=nobody&roles=admins");
    let ds = dataset();
    let admins = Population {
        users: UserKind::All,
        roles: RoleKind::Admins,
    };
    let expected = expected_rows(&ds, Period::Month, admins, Feature::Reset);
    let (root, _unmount) = mount(ds);
    settle().await;

    let checked = |name: &str| {
        let input: web_sys::HtmlInputElement = root
            .query_selector(&format!("input[name={name}]:checked"))
            .expect("selector")
            .expect("a checked radio")
            .unchecked_into();
        input.value()
    };
    assert_eq!(checked("period"), "30d");
    assert_eq!(checked("users"), "all");
    assert_eq!(checked("roles"), "admins");
    assert_eq!(table_rows(&root, "resets"), expected);
}

#[wasm_bindgen_test]
async fn method_names_from_the_data_stay_text_inside_the_chart() {
    open_url("/?period=30d");
    let (root, _unmount) = mount(dataset());
    settle().await;

    let chart = root
        .query_selector("[data-chart=resets] .chart-svg svg")
        .expect("selector")
        .expect("the resets chart is drawn");
    assert!(chart.query_selector("img").expect("selector").is_none());
    let texts = chart.query_selector_all("text").expect("texts");
    let shown = (0..texts.length())
        .filter_map(|i| texts.item(i).and_then(|t| t.text_content()))
        .any(|t| t.contains("<img src=x"));
    assert!(shown, "the hostile name is drawn as text");
    assert!(table_rows(&root, "resets")
        .iter()
        .any(|(method, _, _)| method == EVIL));
    assert!(root.query_selector("img").expect("selector").is_none());
}

#[wasm_bindgen_test]
fn the_svg_escapes_markup_ampersands_and_quotes_in_method_names() {
    let names = [EVIL, "R&D <b>", r#"say "hi" 'there'"#];
    let rows: Vec<MethodRow> = names
        .iter()
        .map(|name| MethodRow {
            method: Method::Other((*name).into()),
            success: 3,
            failure: 1,
        })
        .collect();
    let svg = method_bars_svg(&rows, ChartSize::for_screen(false));
    assert!(svg.contains("&lt;img src=x onerror=alert("), "{svg}");
    assert!(svg.contains("R&amp;D &lt;b&gt;"), "{svg}");
    assert!(
        svg.contains("say &quot;hi&quot; &apos;there&apos;"),
        "{svg}"
    );
    assert!(!svg.contains("<img") && !svg.contains("<b>"));
}

// ---- the lists and their virtual table ----

/// The stylesheets the virtual table needs to scroll (the test page has none of the app's).
fn add_list_styles() {
    let style = document().create_element("style").expect("style");
    style.set_text_content(Some(concat!(
        include_str!("../style/base.css"),
        include_str!("../style/lists.css")
    )));
    document()
        .head()
        .expect("head")
        .append_child(&style)
        .expect("append");
}

/// Resolves after the browser's next frames (the table measures itself in an animation frame,
/// and a scroll event arrives with the frame after `scrollTop` changed).
async fn frames(n: usize) {
    for _ in 0..n {
        let frame = js_sys::Promise::new(&mut |resolve, _| {
            let _ = window().request_animation_frame(&resolve);
        });
        let _ = wasm_bindgen_futures::JsFuture::from(frame).await;
        tick().await;
    }
}

fn rows_in_dom(root: &web_sys::HtmlElement) -> u32 {
    root.query_selector_all(".vt-rows [role=row]")
        .expect("rows")
        .length()
}

fn press(element: &web_sys::Element, key: &str) {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(key);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let event = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init)
        .expect("keydown");
    element.dispatch_event(&event).expect("dispatch");
}

#[wasm_bindgen_test]
async fn a_virtual_table_of_a_million_rows_keeps_at_most_a_hundred_in_the_dom_and_reaches_the_last()
{
    use sspr_insights::components::virtual_table::{Cell, Column, SortState, VirtualTable};
    const ROWS: usize = 1_000_000;
    add_list_styles();
    let container: web_sys::HtmlElement = document()
        .create_element("div")
        .expect("div")
        .unchecked_into();
    document()
        .body()
        .expect("body")
        .append_child(&container)
        .expect("append");
    let handle = leptos::mount::mount_to(container.clone(), || {
        view! {
            <VirtualTable
                label="Numbers"
                list="numbers"
                columns=vec![Column { id: "n", label: "Number" }]
                sort=Signal::stored(SortState { column: "n", descending: false })
                on_sort=Callback::new(|_| {})
                row_count=Signal::stored(ROWS)
                cells=Callback::new(|i: usize| vec![Cell::new(format!("row {i}"))])
                view_key=Signal::stored(String::new())
                empty=|| "No rows"
            />
        }
    });
    frames(2).await;

    let grid: web_sys::HtmlElement = container
        .query_selector("[role=grid]")
        .expect("selector")
        .expect("a grid")
        .unchecked_into();
    assert_eq!(
        grid.get_attribute("aria-rowcount").as_deref(),
        Some("1000001")
    );
    let first = rows_in_dom(&container);
    assert!(first > 5 && first <= 100, "{first} rows in the DOM");
    assert_eq!(text(&container, "[aria-rowindex='2']"), "row 0");
    // The scrollbar is scaled: far below every browser's cap on element height.
    assert!(
        grid.scroll_height() <= 10_000_000,
        "{}",
        grid.scroll_height()
    );

    // The bottom of the scrollbar shows the last row, inside the box.
    grid.set_scroll_top(grid.scroll_height());
    frames(3).await;
    let last = container
        .query_selector("[aria-rowindex='1000001']")
        .expect("selector")
        .expect("the last row is rendered");
    assert_eq!(last.text_content().as_deref(), Some("row 999999"));
    let (row, view) = (
        last.get_bounding_client_rect(),
        grid.get_bounding_client_rect(),
    );
    assert!(
        row.bottom() <= view.bottom() + 0.5 && row.top() >= view.top(),
        "{} {} / {} {}",
        row.top(),
        row.bottom(),
        view.top(),
        view.bottom()
    );
    assert!(rows_in_dom(&container) <= 100);

    // Halfway down the scrollbar is halfway down the rows.
    grid.set_scroll_top((grid.scroll_height() - grid.client_height()) / 2);
    frames(3).await;
    let middle = container
        .query_selector(&format!("[aria-rowindex='{}']", ROWS / 2 + 2))
        .expect("selector");
    assert!(middle.is_some(), "row {} is rendered", ROWS / 2);

    // Keys move the focused row: Home to the first, End to the last, arrows one by one.
    press(&grid, "Home");
    frames(2).await;
    assert_eq!(text(&container, ".vt-row.active"), "row 0");
    assert_eq!(
        grid.get_attribute("aria-activedescendant").as_deref(),
        Some("numbers-row-0")
    );
    press(&grid, "ArrowDown");
    press(&grid, "ArrowDown");
    frames(1).await;
    assert_eq!(text(&container, ".vt-row.active"), "row 2");
    press(&grid, "End");
    frames(2).await;
    assert_eq!(text(&container, ".vt-row.active"), "row 999999");
    press(&grid, "PageUp");
    frames(2).await;
    let page_up = text(&container, ".vt-row.active");
    assert!(page_up.starts_with("row 9999"), "{page_up}");
    assert!(rows_in_dom(&container) <= 100);

    drop(handle);
    container.remove();
}

#[wasm_bindgen_test]
async fn the_registrations_count_follows_a_column_filter() {
    use sspr_insights::model::{filter_users, UserFilter};
    open_url("/registrations?capable=no");
    let ds = dataset();
    let count_for = |query: &str| filter_users(&ds, &UserFilter::from_query(query)).len();
    let (not_capable, capable) = (count_for("capable=no"), count_for("capable=yes"));
    assert_ne!(not_capable, capable, "the fixture must tell them apart");
    let (root, _unmount) = mount(dataset());
    settle().await;
    assert_eq!(text(&root, "[data-count]"), count(not_capable));
    assert_eq!(text(&root, "[data-total]"), count(ds.user_count()));

    let select: web_sys::HtmlSelectElement = root
        .query_selector("#filter-capable")
        .expect("selector")
        .expect("the Capable filter")
        .unchecked_into();
    select.set_value("yes");
    select
        .dispatch_event(&web_sys::Event::new("change").expect("change"))
        .expect("dispatch");
    settle().await;
    assert_eq!(text(&root, "[data-count]"), count(capable));
    assert!(window()
        .location()
        .search()
        .unwrap()
        .contains("capable=yes"));
}

#[wasm_bindgen_test]
async fn the_activity_count_is_the_models_for_the_url() {
    use sspr_insights::model::{filter_events, EventFilter};
    let query = "period=30d&status=failure&feature=reset";
    open_url(&format!("/activity?{query}"));
    let ds = dataset();
    let expected = filter_events(&ds, &EventFilter::from_query(query)).len();
    assert!(expected > 0);
    let (root, _unmount) = mount(dataset());
    settle().await;
    assert_eq!(text(&root, "[data-count]"), count(expected));
    let rows = root
        .query_selector_all(".vt-rows [role=row]")
        .expect("rows")
        .length();
    assert_eq!(rows as usize, expected);
    // The hostile method name is a text cell, not markup.
    assert!(root
        .query_selector(".vt-rows img")
        .expect("selector")
        .is_none());
}

#[wasm_bindgen_test]
async fn a_period_choice_on_the_activity_list_keeps_the_lists_own_filters() {
    use sspr_insights::model::{filter_events, EventFilter};
    open_url("/activity?status=failure&feature=reset&period=30d");
    let ds = dataset();
    let (root, _unmount) = mount(dataset());
    settle().await;

    click(&root, "input[name=period][value='24h']");
    settle().await;
    let search = window().location().search().unwrap();
    for part in ["status=failure", "feature=reset", "period=24h"] {
        assert!(search.contains(part), "{part} in {search}");
    }
    let expected = filter_events(&ds, &EventFilter::from_query(&search)).len();
    assert_ne!(
        expected,
        filter_events(
            &ds,
            &EventFilter::from_query("status=failure&feature=reset&period=30d")
        )
        .len(),
        "the fixture must tell the periods apart"
    );
    assert_eq!(text(&root, "[data-count]"), count(expected));
}

#[wasm_bindgen_test]
async fn a_header_click_sorts_the_list_and_writes_the_sort_to_the_url() {
    use sspr_insights::model::{filter_users, UserFilter};
    open_url("/registrations");
    let ds = dataset();
    let (root, _unmount) = mount(dataset());
    settle().await;
    let first_name = |query: &str| {
        let rows = filter_users(&ds, &UserFilter::from_query(query));
        ds.user(rows[0]).name().to_string()
    };
    assert_eq!(
        text(&root, ".vt-rows [aria-rowindex='2'] .vt-cell"),
        first_name("")
    );

    click(&root, "[data-column=name] button");
    settle().await;
    assert!(window().location().search().unwrap().contains("sort=-name"));
    assert_eq!(
        text(&root, ".vt-rows [aria-rowindex='2'] .vt-cell"),
        first_name("sort=-name")
    );
    assert_ne!(first_name(""), first_name("sort=-name"));
    let header = root
        .query_selector("[data-column=name]")
        .expect("selector")
        .expect("the Name header");
    assert_eq!(
        header.get_attribute("aria-sort").as_deref(),
        Some("descending")
    );
}

#[wasm_bindgen_test]
async fn clearing_the_filters_keeps_the_population_and_lists_its_users_again() {
    use sspr_insights::model::{filter_users, UserFilter};
    open_url("/registrations?users=members&capable=no&q=e");
    let ds = dataset();
    let members = filter_users(&ds, &UserFilter::from_query("users=members")).len();
    let filtered = filter_users(&ds, &UserFilter::from_query("users=members&capable=no&q=e"));
    assert_ne!(members, filtered.len(), "the fixture must tell them apart");
    let (root, _unmount) = mount(dataset());
    settle().await;
    assert_eq!(text(&root, "[data-count]"), count(filtered.len()));

    click(&root, ".list-bar .link-button");
    settle().await;
    assert_eq!(window().location().search().unwrap(), "?users=members");
    assert_eq!(text(&root, "[data-count]"), count(members));
    let search: web_sys::HtmlInputElement = root
        .query_selector("#list-search")
        .expect("selector")
        .expect("the search box")
        .unchecked_into();
    assert_eq!(search.value(), "", "the search is cleared too");
}

#[wasm_bindgen_test]
async fn the_data_screen_summarises_the_loaded_data_and_clear_leaves_a_clear_empty_state() {
    open_url("/data");
    let ds = dataset();
    let warnings = ds.warnings().messages();
    let (root, _unmount) = mount(dataset());
    settle().await;
    assert_eq!(text(&root, "[data-summary=users]"), count(ds.user_count()));
    assert_eq!(
        text(&root, "[data-summary=events]"),
        count(ds.event_count())
    );
    assert_eq!(text(&root, "[data-summary=source]"), "Sample data");
    // The warnings are the model's, and a hostile method name in them stays text.
    let shown = root
        .query_selector_all(".warning-list li")
        .expect("warnings");
    assert_eq!(shown.length() as usize, warnings.len());
    assert!(text(&root, ".warning-list").contains(EVIL));
    assert!(root
        .query_selector(".data-page img")
        .expect("selector")
        .is_none());

    click(&root, "[data-action=clear]");
    settle().await;
    assert!(text(&root, "[data-summary=empty]").starts_with("No data is loaded."));
    assert_eq!(text(&root, ".freshness"), "No data loaded");
    assert!(root
        .query_selector("[data-action=clear]:disabled")
        .expect("selector")
        .is_some());
}

#[wasm_bindgen_test]
async fn data_without_a_single_time_is_as_of_unknown_not_the_epoch() {
    open_url("/data");
    let users = r#"{"value":[{"id":"u1","userPrincipalName":"a@x","userDisplayName":"A","isSsprRegistered":true,"isSsprEnabled":true,"methodsRegistered":["sms"]}]}"#;
    let import = model::import_file("u.json", users.as_bytes());
    let ds = Dataset::build(vec![import.batch], AsOf::Loaded(0), SourceKind::Uploaded);
    assert_eq!(ds.as_of_known(), None);
    let (root, _unmount) = mount(ds);
    settle().await;
    assert_eq!(
        text(&root, "[data-summary=as-of]"),
        "Not known: the data has no times"
    );
    assert_eq!(text(&root, ".freshness .as-of"), "Data as of unknown");
}

/// The wire forms written straight into an `ArrayBuffer` (what a worker posts) are byte for byte
/// the ones written into memory, and read back from the buffer.
#[wasm_bindgen_test]
fn parts_and_datasets_written_into_buffers_are_their_wire_forms() {
    use sspr_insights::data::worker::js_wire::{dataset_buffer, part_buffer, JsIn};
    use sspr_insights::model::import::{Part, StreamImport};
    use sspr_insights::model::wire;
    let bytes_of = |buffer: &js_sys::ArrayBuffer| js_sys::Uint8Array::new(buffer).to_vec();
    for (name, text) in [("events.json", EVENTS), ("users.json", USERS)] {
        let read = || {
            let mut stream = StreamImport::new(name, Part::whole(0));
            stream.feed(text.as_bytes());
            stream.finish_part()
        };
        let buffer = part_buffer(&mut read());
        assert_eq!(bytes_of(&buffer), wire::encode_part(&mut read()), "{name}");
        let mut back = wire::decode_part(&mut JsIn::new(buffer)).expect("a part");
        assert_eq!(
            wire::encode_part(&mut back),
            wire::encode_part(&mut read()),
            "{name}"
        );
    }
    let ds = dataset();
    let buffer = dataset_buffer(&ds);
    assert_eq!(bytes_of(&buffer), wire::encode_dataset(&ds));
    let back = wire::decode_dataset(&mut JsIn::new(buffer)).expect("a dataset");
    assert_eq!(wire::encode_dataset(&back), wire::encode_dataset(&ds));
}

/// The page's room for a dataset on its way: its own memory and the worker's buffer touched a
/// step a turn; the buffer handed over once, when big enough; the memory freed on release and
/// handed out again to what comes next (the wasm memory does not grow for it).
#[wasm_bindgen_test]
async fn the_room_for_a_dataset_is_touched_in_steps_and_handed_out_again() {
    use sspr_insights::data::pause::next_turn;
    use sspr_insights::data::worker::room::{expected_dataset_bytes, MemoryRoom};
    assert_eq!(expected_dataset_bytes(&[], 1), 0);
    assert_eq!(expected_dataset_bytes(&[10, 30], 1), 60);
    assert_eq!(expected_dataset_bytes(&[10, 30], 0), 40);

    let room = MemoryRoom::prepare(16 << 20);
    assert_eq!(room.touched(), 0, "nothing is touched in the caller's turn");
    for _ in 0..20 {
        next_turn().await;
    }
    assert_eq!(room.touched(), 16 << 20);
    assert_eq!(
        room.outbox_touched(),
        24 << 20,
        "the worker's buffer: half as much again"
    );
    assert!(
        room.take_outbox((24 << 20) + 1).is_none(),
        "too small for that"
    );
    let outbox = room.take_outbox(20 << 20).expect("the worker's buffer");
    assert_eq!(outbox.byte_length(), 24 << 20);
    assert!(room.take_outbox(1).is_none(), "handed over once");
    room.release();
    assert_eq!(room.touched(), 0);
    let memory = sspr_insights::wasm_memory_bytes();
    let dataset = std::hint::black_box(vec![1u8; 15 << 20]);
    assert_eq!(sspr_insights::wasm_memory_bytes(), memory);
    drop(dataset);
}
