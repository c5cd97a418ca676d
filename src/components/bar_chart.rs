//! The per-method chart (Registrations, Resets): horizontal bars of successes and failures per
//! method, drawn by plotters into an SVG string, with the same numbers in a "Show data" table.
//! Every bar and every number in the table is a link to the activity behind it: the bars get real
//! `<a>` elements laid over the SVG (keyboard-reachable, named for screen readers).

use leptos::prelude::*;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::chart_style::{shorten, ChartSize, AXIS, FAILURE, GRID, SUCCESS};
use super::format::count;
use crate::model::query::activity_href;
use crate::model::{EventFilter, Feature, Method, MethodRow, Period, Population, Status};
use crate::state::{use_period, use_population, AppState};

const TOP_PX: u32 = 8;
const AXIS_PX: u32 = 28;

/// Draws the rows as an SVG document. Method names go through plotters' text escaping, so a
/// name like `<img src=x onerror=alert(1)>` stays text. An empty `rows` gives an empty string.
///
/// ```text
/// let svg = method_bars_svg(&counts.rows(Feature::Reset), ChartSize::for_screen(false));
/// ```
pub fn method_bars_svg(rows: &[MethodRow], size: ChartSize) -> String {
    method_bars(rows, size).svg
}

/// Where a bar's link goes over the drawing, in percent of the drawing's width and height (the
/// SVG scales to its box keeping its proportions, so percentages stay right at every width).
#[derive(Clone, Debug, PartialEq)]
pub struct BarSpot {
    /// The index of the method's row.
    pub row: usize,
    pub status: Status,
    pub left: f64,
    pub top: f64,
    pub width: f64,
    pub height: f64,
}

/// A drawn chart: the SVG and a spot per bar (success then failure, method by method).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MethodBars {
    pub svg: String,
    pub spots: Vec<BarSpot>,
}

/// Draws the rows and says where each bar is. An empty `rows` gives an empty drawing.
pub fn method_bars(rows: &[MethodRow], size: ChartSize) -> MethodBars {
    let mut bars = MethodBars::default();
    if rows.is_empty() {
        return bars;
    }
    // Plotting into a String has no I/O to fail; should plotters still report an error, the
    // chart stays partial and the data table beside it keeps every number (and every link).
    let _ = draw(&mut bars, rows, size);
    bars
}

fn draw(
    bars: &mut MethodBars,
    rows: &[MethodRow],
    size: ChartSize,
) -> Result<(), Box<dyn std::error::Error>> {
    let n = rows.len();
    let height = TOP_PX + size.row_px * n as u32 + AXIS_PX;
    let (svg, spots) = (&mut bars.svg, &mut bars.spots);
    let root = SVGBackend::with_string(svg, (size.width, height)).into_drawing_area();
    let max = rows
        .iter()
        .map(|r| r.success.max(r.failure))
        .max()
        .unwrap_or(0);
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

    // Where, within a method's band (0 = its top, 1 = its bottom), the two bars and the name go.
    let (success_band, failure_band) = if size.labels_above {
        ((0.38, 0.64), (0.64, 0.90))
    } else {
        ((0.16, 0.5), (0.5, 0.84))
    };
    for (i, row) in rows.iter().enumerate() {
        // Method i owns the band [top - 1, top]; the first method is drawn at the top.
        let top = (n - i) as f64;
        let bars = [
            (row.success, success_band, SUCCESS, Status::Success),
            (row.failure, failure_band, FAILURE, Status::Failure),
        ];
        for (value, (from, to), colour, status) in bars {
            chart.draw_series([Rectangle::new(
                [(0, top - from), (value, top - to)],
                colour.filled(),
            )])?;
            // The link spans the plot's width and its half of the method's band (the success
            // half includes the name above the bars on phones): an easy target for a finger,
            // with the bar's number inside.
            let (link_from, link_to) = match status {
                Status::Success => (0.0, to),
                Status::Failure => (from, 1.0),
            };
            let (left, band_top) = chart.backend_coord(&(0, top - link_from));
            let (right, band_bottom) = chart.backend_coord(&(x_max, top - link_to));
            spots.push(BarSpot {
                row: i,
                status,
                left: 100.0 * left as f64 / size.width as f64,
                top: 100.0 * band_top as f64 / height as f64,
                width: 100.0 * (right - left) as f64 / size.width as f64,
                height: 100.0 * (band_bottom - band_top) as f64 / height as f64,
            });
            let (x, y) = chart.backend_coord(&(value, top - (from + to) / 2.0));
            root.draw(&Text::new(
                count(value as usize),
                (x + 4, y),
                size.small_font().pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
        }
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

/// `/activity` filtered to one method of one feature (and one status, when given), for the
/// period and population in force.
pub fn activity_link(
    feature: Feature,
    method: &Method,
    status: Option<Status>,
    period: Period,
    population: Population,
) -> String {
    activity_href(&EventFilter {
        period,
        population,
        feature: Some(feature),
        status,
        method: Some(method.clone()),
        ..EventFilter::default()
    })
}

/// What a bar's link is called: "SMS, failed resets: 12".
fn bar_name(method: &Method, status: Status, noun: &str, value: u32) -> String {
    let outcome = match status {
        Status::Success => "successful",
        Status::Failure => "failed",
    };
    format!(
        "{}, {outcome} {noun}: {}",
        method.label(),
        count(value as usize)
    )
}

/// A titled chart card: legend, the SVG with a link over each bar, and the "Show data" table
/// (caption = the title, one row per method, columns Method, Success, Failure; each cell links
/// to the same activity as its bar). The SVG is redrawn only when the rows or the screen class
/// change.
#[component]
pub fn MethodChart(
    /// The chart's title, also the table's caption: "Registrations", "Resets".
    title: &'static str,
    /// What the bars count, for names and the empty message: "registrations", "resets".
    noun: &'static str,
    /// Which events the bars count (and their links open).
    feature: Feature,
    rows: Memo<Vec<MethodRow>>,
) -> impl IntoView {
    let state = AppState::expect();
    let period = use_period();
    let population = use_population();
    let bars = Memo::new(move |_| {
        let size = ChartSize::for_screen(state.narrow.get());
        rows.with(|rows| method_bars(rows, size))
    });
    let link = move |method: &Method, status: Option<Status>| {
        state.href(&activity_link(
            feature,
            method,
            status,
            period.get(),
            population.get(),
        ))
    };
    let bar_links = move || {
        bars.with(|bars| {
            rows.with(|rows| {
                bars.spots
                    .iter()
                    .filter_map(|spot| {
                        let row = rows.get(spot.row)?;
                        let value = match spot.status {
                            Status::Success => row.success,
                            Status::Failure => row.failure,
                        };
                        let name = bar_name(&row.method, spot.status, noun, value);
                        Some(view! {
                            <a
                                class="bar-link"
                                href=link(&row.method, Some(spot.status))
                                aria-label=name.clone()
                                title=name
                                data-method=row.method.id()
                                data-status=spot.status.id()
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
    let slug = title.to_lowercase();
    let table_rows = move || {
        rows.with(|rows| {
            rows.iter()
                .map(|row| {
                    let method = &row.method;
                    view! {
                        <tr data-method=method.id()>
                            <th scope="row">
                                <a href=link(method, None)>{method.label()}</a>
                            </th>
                            <td>
                                <a href=link(method, Some(Status::Success)) data-status="success">
                                    {count(row.success as usize)}
                                </a>
                            </td>
                            <td>
                                <a href=link(method, Some(Status::Failure)) data-status="failure">
                                    {count(row.failure as usize)}
                                </a>
                            </td>
                        </tr>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <section class="card chart" data-chart=slug.clone() aria-labelledby=format!("chart-{slug}")>
            <h2 id=format!("chart-{slug}")>{title}</h2>
            <ul class="legend" aria-hidden="true">
                <li><span class="swatch success"></span>"Success"</li>
                <li><span class="swatch failure"></span>"Failure"</li>
            </ul>
            <Show
                when=move || rows.with(|rows| !rows.is_empty())
                fallback=move || view! { <p class="muted empty-chart">{format!("No {noun} in this period for this population.")}</p> }
            >
                <div class="chart-figure">
                    <div
                        class="chart-svg"
                        role="img"
                        aria-label=format!("{title}: successes and failures per method. Each bar links to its events; the numbers are also in the table below.")
                        inner_html=move || bars.with(|b| b.svg.clone())
                    ></div>
                    <div class="bar-links">{bar_links}</div>
                </div>
            </Show>
            <details class="chart-data">
                <summary>"Show data"</summary>
                <table>
                    <caption>{title}</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Method"</th>
                            <th scope="col">"Success"</th>
                            <th scope="col">"Failure"</th>
                        </tr>
                    </thead>
                    <tbody>{table_rows}</tbody>
                </table>
            </details>
        </section>
    }
}
