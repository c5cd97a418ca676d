//! A table of any number of rows that keeps only the rows in view in the DOM (at most 100), with a
//! scrollbar scaled to fit a million rows, a sticky header whose buttons sort, and keyboard moves.
//! It knows nothing of the data: the page hands it a row count and the cells of a row position.
//!
//! Layout: the grid is the scroll box. Inside it a sticky header, then a spacer as tall as the
//! rows (at most `MAX_SPACER_PX`, see `scroll_window`), and in the spacer a sticky window the
//! height of the visible area that holds the rendered rows, shifted by less than a row's height.
//! The window never moves with the scrollbar; only which rows it holds and their shift change.
//! Styles are set through the CSSOM (`style:`), which a strict Content-Security-Policy allows.

use leptos::ev::{FocusEvent, KeyboardEvent};
use leptos::html;
use leptos::prelude::*;

use super::scroll_window::{RowKey, ScrollGeometry, OVERSCAN_ROWS};

/// The height of a row in CSS pixels (the stylesheet's `.vt-row` has the same).
pub const ROW_PX: f64 = 36.0;

/// A CSS length in whole pixels (a float's shortest decimal form would pull the float
/// formatter into the download, and a pixel is the finest step that shows anyway).
fn px(value: f64) -> String {
    format!("{}px", value.round() as i64)
}

/// A column: its id (what the page's sort uses) and its header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    pub id: &'static str,
    pub label: &'static str,
}

/// One cell's text (always rendered as text), an optional CSS class, an optional tooltip, and
/// an optional link (the text is then a link there: the attempts list opens an attempt so).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Cell {
    pub text: String,
    pub class: &'static str,
    pub title: Option<String>,
    pub href: Option<String>,
}

impl Cell {
    pub fn new(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            ..Cell::default()
        }
    }

    pub fn class(mut self, class: &'static str) -> Cell {
        self.class = class;
        self
    }

    pub fn title(mut self, title: impl Into<String>) -> Cell {
        self.title = Some(title.into());
        self
    }

    pub fn href(mut self, href: impl Into<String>) -> Cell {
        self.href = Some(href.into());
        self
    }
}

/// The column the rows are sorted by, for the header's `aria-sort` and arrow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SortState {
    pub column: &'static str,
    pub descending: bool,
}

/// The virtual table.
///
/// ```text
/// view! {
///     <VirtualTable
///         label="Activity" list="activity" columns=columns
///         sort=Signal::derive(move || SortState { column: "date", descending: true })
///         on_sort=Callback::new(move |id| set_sort(id))
///         row_count=Signal::derive(move || rows.with(Vec::len))
///         cells=Callback::new(move |i| cells_of(i))
///         view_key=Signal::derive(move || query.get())
///         empty=|| view! { <p>"No events match."</p> }
///     />
/// }
/// ```
#[component]
pub fn VirtualTable(
    /// The grid's accessible name.
    label: &'static str,
    /// Names the list for the stylesheet (column widths) and tests: `data-list`.
    list: &'static str,
    columns: Vec<Column>,
    #[prop(into)] sort: Signal<SortState>,
    /// Called with a column's id when its header is clicked.
    on_sort: Callback<&'static str>,
    /// How many rows the (filtered) list has.
    #[prop(into)]
    row_count: Signal<usize>,
    /// The cells of the row at a position in the list; called for the rows in the DOM only.
    cells: Callback<usize, Vec<Cell>>,
    /// Changes when a new filter or sort gives new rows: the table goes back to its top.
    #[prop(into)]
    view_key: Signal<String>,
    /// Shown under the header when there are no rows (built once, shown and hidden).
    #[prop(into)]
    empty: ViewFn,
) -> impl IntoView {
    let scroller = NodeRef::<html::Div>::new();
    let head = NodeRef::<html::Div>::new();
    let measured = use_measured_viewport(scroller, head, row_count);
    let geometry =
        Memo::new(move |_| ScrollGeometry::new(row_count.get(), ROW_PX, measured.rows_px.get()));
    let scroll = ScrollPosition::new(scroller, geometry);
    let window =
        Memo::new(move |_| geometry.with(|g| g.window(scroll.offset.get(), OVERSCAN_ROWS)));
    let focus = RowFocus::new(geometry, scroll);

    // A new view starts at its top with no focused row.
    Effect::watch(
        move || view_key.get(),
        move |_, _, _| {
            scroll.back_to_top();
            focus.active.set(None);
        },
        false,
    );

    let row_id = move |row: usize| format!("{list}-row-{row}");
    let active_descendant = move || {
        let row = focus.active.get()?;
        window.with(|w| w.contains(row)).then(|| row_id(row))
    };
    let column_count = columns.len();
    let row_view = move |row: usize| table_row(row, row_id(row), focus.active, cells);

    view! {
        <div class="vt" data-list=list>
            <div
                class="vt-scroll"
                node_ref=scroller
                role="grid"
                tabindex="0"
                aria-label=label
                aria-rowcount=move || (row_count.get() + 1).to_string()
                aria-colcount=column_count.to_string()
                aria-activedescendant=active_descendant
                on:scroll=move |_| scroll.follow_scrollbar()
                on:keydown=move |ev| focus.on_keydown(&ev)
                on:focus=move |ev| focus.on_focus(&ev)
            >
                <div class="vt-head" role="rowgroup" node_ref=head>
                    <div class="vt-row vt-head-row" role="row" aria-rowindex="1">
                        {header_cells(columns, sort, on_sort)}
                    </div>
                </div>
                <div
                    class="vt-body"
                    role="rowgroup"
                    style:height=move || px(geometry.with(|g| g.spacer_px()))
                >
                    <div
                        class="vt-window"
                        style:top=move || px(measured.head_px.get())
                        style:height=move || {
                            geometry.with(|g| px(g.viewport_px.min(g.spacer_px())))
                        }
                    >
                        <div
                            class="vt-rows"
                            style:transform=move || {
                                format!("translateY({})", px(window.with(|w| w.shift_px)))
                            }
                        >
                            <For each=move || window.with(|w| w.first..w.end) key=|row| *row children=row_view/>
                        </div>
                    </div>
                </div>
            </div>
            <div class="vt-empty" prop:hidden=move || row_count.get() != 0>
                {empty.run()}
            </div>
        </div>
    }
    .into_any()
}

/// The heights the table measures: the area the rows show in (the scroll box without its sticky
/// header) and the header itself.
#[derive(Clone, Copy)]
struct MeasuredViewport {
    rows_px: RwSignal<f64>,
    head_px: RwSignal<f64>,
}

/// Measures the scroll box and its header after the browser has laid out the rows (their number
/// sets the box's height up to its maximum), and again whenever the window is resized.
fn use_measured_viewport(
    scroller: NodeRef<html::Div>,
    head: NodeRef<html::Div>,
    row_count: Signal<usize>,
) -> MeasuredViewport {
    // Until measured: a typical height, so the first paint already has rows.
    let measured = MeasuredViewport {
        rows_px: RwSignal::new(560.0),
        head_px: RwSignal::new(40.0),
    };
    // Runs from an animation frame too, which may come after the table is gone: `try_`
    // accessors, which do nothing then.
    let measure = move || {
        let (Some(Some(scroller)), Some(Some(head))) =
            (scroller.try_get_untracked(), head.try_get_untracked())
        else {
            return;
        };
        let header = head.offset_height() as f64;
        let visible = (scroller.client_height() as f64 - header).max(ROW_PX);
        for (signal, value) in [(measured.rows_px, visible), (measured.head_px, header)] {
            if signal
                .try_get_untracked()
                .is_some_and(|old| (value - old).abs() >= 0.5)
            {
                signal.try_set(value);
            }
        }
    };
    Effect::new(move |_| {
        row_count.track();
        request_animation_frame(measure);
    });
    let resize = window_event_listener(leptos::ev::resize, move |_| measure());
    on_cleanup(move || resize.remove());
    measured
}

/// Where the table is scrolled to. The content offset in view (see `scroll_window`) is the
/// source of truth for which rows show; the scrollbar follows it, and it follows the scrollbar.
#[derive(Clone, Copy)]
struct ScrollPosition {
    offset: RwSignal<f64>,
    /// A scroll position this table set itself, so that its scroll event keeps the exact offset.
    expected_top: StoredValue<Option<f64>>,
    scroller: NodeRef<html::Div>,
    geometry: Memo<ScrollGeometry>,
}

impl ScrollPosition {
    fn new(scroller: NodeRef<html::Div>, geometry: Memo<ScrollGeometry>) -> Self {
        ScrollPosition {
            offset: RwSignal::new(0.0),
            expected_top: StoredValue::new(None),
            scroller,
            geometry,
        }
    }

    /// After a scroll event: the offset the scrollbar's position stands for.
    fn follow_scrollbar(&self) {
        let Some(scroller) = self.scroller.get_untracked() else {
            return;
        };
        let top = scroller.scroll_top() as f64;
        if let Some(expected) = self.expected_top.get_value() {
            self.expected_top.set_value(None);
            if (top - expected).abs() <= 1.5 {
                return;
            }
        }
        self.offset
            .set(self.geometry.with_untracked(|g| g.offset_at(top)));
    }

    /// Brings `row` fully into view, moving as little as possible.
    fn show(&self, row: usize) {
        let g = self.geometry.get_untracked();
        let wanted = g.offset_to_show(row, self.offset.get_untracked());
        self.offset.set(wanted);
        if let Some(scroller) = self.scroller.get_untracked() {
            let top = g.scroll_top_for(wanted);
            if (scroller.scroll_top() as f64 - top).abs() >= 1.0 {
                self.expected_top.set_value(Some(top));
                scroller.set_scroll_top(top as i32);
            }
        }
    }

    fn back_to_top(&self) {
        self.offset.set(0.0);
        self.expected_top.set_value(None);
        if let Some(scroller) = self.scroller.get_untracked() {
            scroller.set_scroll_top(0);
        }
    }
}

/// The focused row (`aria-activedescendant`: the grid keeps the focus, a screen reader follows
/// the row), moved by the keys of `scroll_window::RowKey` and by clicks.
#[derive(Clone, Copy)]
struct RowFocus {
    active: RwSignal<Option<usize>>,
    geometry: Memo<ScrollGeometry>,
    scroll: ScrollPosition,
}

impl RowFocus {
    fn new(geometry: Memo<ScrollGeometry>, scroll: ScrollPosition) -> Self {
        RowFocus {
            active: RwSignal::new(None),
            geometry,
            scroll,
        }
    }

    fn on_keydown(&self, ev: &KeyboardEvent) {
        // Keys on the header's buttons keep their own meaning.
        if ev.target() != ev.current_target() || ev.alt_key() || ev.meta_key() {
            return;
        }
        let Some(key) = RowKey::from_key(&ev.key()) else {
            return;
        };
        ev.prevent_default();
        let offset = self.scroll.offset.get_untracked();
        let next = self
            .geometry
            .with_untracked(|g| g.row_after_key(self.active.get_untracked(), key, offset));
        if let Some(row) = next {
            self.active.set(Some(row));
            self.scroll.show(row);
        }
    }

    /// Focus arriving from the keyboard lands on the first row in view, so that a screen reader
    /// says where it is at once.
    fn on_focus(&self, ev: &FocusEvent) {
        if ev.target() != ev.current_target() || self.active.get_untracked().is_some() {
            return;
        }
        let offset = self.scroll.offset.get_untracked();
        let first = self
            .geometry
            .with_untracked(|g| (g.rows > 0).then(|| g.first_visible(offset)));
        self.active.set(first);
    }
}

/// The header: a sort button a column, its `aria-sort` and arrow following `sort`.
fn header_cells(
    columns: Vec<Column>,
    sort: Signal<SortState>,
    on_sort: Callback<&'static str>,
) -> impl IntoView {
    columns
        .into_iter()
        .map(|column| {
            let state = move || {
                let sort = sort.get();
                (sort.column == column.id).then_some(sort.descending)
            };
            view! {
                <div
                    class="vt-cell vt-colhead"
                    role="columnheader"
                    data-column=column.id
                    aria-sort=move || {
                        state().map(|descending| if descending { "descending" } else { "ascending" })
                    }
                >
                    <button type="button" class="vt-sort" on:click=move |_| on_sort.run(column.id)>
                        <span>{column.label}</span>
                        <span class="vt-sort-mark" aria-hidden="true">
                            {move || match state() {
                                Some(true) => "▼",
                                Some(false) => "▲",
                                None => "",
                            }}
                        </span>
                    </button>
                </div>
            }
        })
        .collect_view()
}

/// The row at position `row` of the list, its cells asked for while it is in the DOM.
fn table_row(
    row: usize,
    id: String,
    active: RwSignal<Option<usize>>,
    cells: Callback<usize, Vec<Cell>>,
) -> impl IntoView {
    let is_active = move || active.get() == Some(row);
    view! {
        <div
            class="vt-row"
            class:active=is_active
            role="row"
            id=id
            aria-rowindex=(row + 2).to_string()
            aria-selected=move || is_active().then_some("true")
            on:click=move |_| active.set(Some(row))
        >
            {move || {
                cells
                    .run(row)
                    .into_iter()
                    .map(|cell| {
                        let text = match cell.href {
                            Some(href) => view! { <a href=href>{cell.text}</a> }.into_any(),
                            None => cell.text.into_any(),
                        };
                        view! {
                            <div class=format!("vt-cell {}", cell.class) role="gridcell" title=cell.title>
                                {text}
                            </div>
                        }
                    })
                    .collect_view()
            }}
        </div>
    }
}
