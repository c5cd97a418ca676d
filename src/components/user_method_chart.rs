//! "Users registered by authentication method" (spec §3.7): one horizontal bar per method, the
//! users of the population who registered it, drawn by plotters into an SVG string, with the
//! same numbers in a "Show data" table. Every bar and every number links to the registration
//! details of the users who have that method (a real `<a>` laid over each bar). Registration
//! state: the period control does not change it.

use leptos::prelude::*;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::chart_style::{shorten, ChartSize, AXIS, GRID, SUCCESS};
use super::format::count;
use crate::model::mfa::tiles::UserMethodRow;
use crate::model::query::registrations_href;
use crate::model::{Method, Population, UserFilter};
use crate::state::{use_population, AppState};

/// The chart's title, also its table's caption.
pub const TITLE: &str = "Users registered by authentication method";

const TOP_PX: u32 = 8;
const AXIS_PX: u32 = 28;

/// Where a bar's link goes over the drawing, in percent of the drawing's width and height.
#[derive(Clone, Debug, PartialEq)]
pub struct UserBarSpot {
    /// The index of the method's row.
    pub row: usize,
    pub left: f64,
    pub top: f64,
    pub width: f64,
    pub height: f64,
}

/// A drawn chart: the SVG and a spot per bar.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UserBars {
    pub svg: String,
    pub spots: Vec<UserBarSpot>,
}

/// The geometry: a bar chart's, with a thinner band per method (one bar, not two).
fn size_for(narrow: bool) -> ChartSize {
    let size = ChartSize::for_screen(narrow);
    ChartSize {
        row_px: if narrow { 44 } else { 30 },
        ..size
    }
}

/// Draws the rows and says where each bar is. Method names go through plotters' text escaping
/// (a name from the data stays text). An empty `rows` gives an empty drawing.
///
/// ```text
/// let bars = user_bars(&users_by_method(&ds, population), false);
/// ```
pub fn user_bars(rows: &[UserMethodRow], narrow: bool) -> UserBars {
    let mut bars = UserBars::default();
    if rows.is_empty() {
        return bars;
    }
    // As for the other charts: a plotting error leaves a partial chart, the table keeps the
    // numbers and the links.
    let _ = draw(&mut bars, rows, size_for(narrow));
    bars
}

fn draw(
    bars: &mut UserBars,
    rows: &[UserMethodRow],
    size: ChartSize,
) -> Result<(), Box<dyn std::error::Error>> {
    let n = rows.len();
    let height = TOP_PX + size.row_px * n as u32 + AXIS_PX;
    let (svg, spots) = (&mut bars.svg, &mut bars.spots);
    let root = SVGBackend::with_string(svg, (size.width, height)).into_drawing_area();
    let max = rows.iter().map(|r| r.users).max().unwrap_or(0);
    // Headroom right of the longest bar for its number.
    let x_max = (max + max / 6).max(max + 1).max(4);
    let mut chart = ChartBuilder::on(&root)
        .margin_top(TOP_PX)
        .margin_right(12)
        .x_label_area_size(AXIS_PX)
        .y_label_area_size(size.label_width)
        .build_cartesian_2d(0u32..x_max, 0f64..n as f64)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_labels(5)
        .x_label_formatter(&|v| count(*v as usize))
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .axis_style(AXIS)
        .label_style(size.small_font())
        .draw()?;
    // Where, within a method's band (0 = its top, 1 = its bottom), the bar goes.
    let (from, to) = if size.labels_above {
        (0.48, 0.86)
    } else {
        (0.18, 0.82)
    };
    for (i, row) in rows.iter().enumerate() {
        // Method i owns the band [top - 1, top]; the first method is drawn at the top.
        let top = (n - i) as f64;
        chart.draw_series([Rectangle::new(
            [(0, top - from), (row.users, top - to)],
            SUCCESS.filled(),
        )])?;
        // The link spans the plot's width and the whole band (name included on phones).
        let (left, band_top) = chart.backend_coord(&(0, top));
        let (right, band_bottom) = chart.backend_coord(&(x_max, top - 1.0));
        spots.push(UserBarSpot {
            row: i,
            left: 100.0 * left as f64 / size.width as f64,
            top: 100.0 * band_top as f64 / height as f64,
            width: 100.0 * (right - left) as f64 / size.width as f64,
            height: 100.0 * (band_bottom - band_top) as f64 / height as f64,
        });
        let (x, y) = chart.backend_coord(&(row.users, top - (from + to) / 2.0));
        root.draw(&Text::new(
            count(row.users as usize),
            (x + 4, y),
            size.small_font().pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
        let name = shorten(&row.method.label(), size.label_chars);
        if size.labels_above {
            let (x, y) = chart.backend_coord(&(0, top - 0.06));
            let style = size.font().pos(Pos::new(HPos::Left, VPos::Top));
            root.draw(&Text::new(name, (x + 6, y), style))?;
        } else {
            let (x, y) = chart.backend_coord(&(0, top - 0.5));
            let style = size.font().pos(Pos::new(HPos::Right, VPos::Center));
            root.draw(&Text::new(name, (x - 8, y), style))?;
        }
    }
    root.present()?;
    Ok(())
}

/// `/registrations` filtered to the users with `method`, in `population`.
pub fn method_users_link(method: &Method, population: Population) -> String {
    registrations_href(&UserFilter {
        population,
        methods: vec![method.clone()],
        ..UserFilter::default()
    })
}

/// The chart card: the SVG with a link over each bar, and the "Show data" table (caption = the
/// title, one row per method, columns Method and Users; each number links like its bar).
#[component]
pub fn UsersByMethodChart(rows: Memo<Vec<UserMethodRow>>) -> impl IntoView {
    let state = AppState::expect();
    let population = use_population();
    let bars = Memo::new(move |_| {
        let narrow = state.narrow.get();
        rows.with(|rows| user_bars(rows, narrow))
    });
    let link = move |method: &Method| state.href(&method_users_link(method, population.get()));
    let bar_links = move || {
        bars.with(|bars| {
            rows.with(|rows| {
                bars.spots
                    .iter()
                    .filter_map(|spot| {
                        let row = rows.get(spot.row)?;
                        let name = format!(
                            "{}: {} {}",
                            row.method.label(),
                            count(row.users as usize),
                            if row.users == 1 { "user" } else { "users" }
                        );
                        Some(view! {
                            <a
                                class="bar-link"
                                href=link(&row.method)
                                aria-label=name.clone()
                                title=name
                                data-method=row.method.id()
                                style:left=format!("{:.3}%", spot.left)
                                style:top=format!("{:.3}%", spot.top)
                                style:width=format!("{:.3}%", spot.width)
                                style:height=format!("{:.3}%", spot.height)
                            ></a>
                        })
                    })
                    .collect_view()
            })
        })
    };
    let table_rows = move || {
        rows.with(|rows| {
            rows.iter()
                .map(|row| {
                    let method = &row.method;
                    view! {
                        <tr data-method=method.id()>
                            <th scope="row">{method.label()}</th>
                            <td>
                                <a href=link(method)>{count(row.users as usize)}</a>
                            </td>
                        </tr>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <section class="card chart users-by-method" data-chart="users-by-method" aria-labelledby="chart-users-by-method">
            <h2 id="chart-users-by-method">{TITLE}</h2>
            <p class="chart-note muted">"Registration state: the period does not change it."</p>
            <Show
                when=move || rows.with(|rows| !rows.is_empty())
                fallback=|| view! { <p class="muted empty-chart">"No user in the loaded data has registered a method."</p> }
            >
                <div class="chart-figure">
                    <div
                        class="chart-svg"
                        role="img"
                        aria-label=format!("{TITLE}: users per method. Each bar links to those users; the numbers are also in the table below.")
                        inner_html=move || bars.with(|b| b.svg.clone())
                    ></div>
                    <div class="bar-links">{bar_links}</div>
                </div>
            </Show>
            <details class="chart-data">
                <summary>"Show data"</summary>
                <table>
                    <caption>{TITLE}</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Method"</th>
                            <th scope="col">"Users"</th>
                        </tr>
                    </thead>
                    <tbody>{table_rows}</tbody>
                </table>
            </details>
        </section>
    }
}
