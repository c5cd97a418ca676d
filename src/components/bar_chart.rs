//! The per-method chart (Registrations, Resets): horizontal bars of successes and failures per
//! method, drawn by plotters into an SVG string, with the same numbers in a "Show data" table.

use leptos::prelude::*;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::chart_style::{shorten, ChartSize, AXIS, FAILURE, GRID, SUCCESS};
use super::format::count;
use crate::model::MethodRow;
use crate::state::AppState;

const TOP_PX: u32 = 8;
const AXIS_PX: u32 = 28;

/// Draws the rows as an SVG document. Method names go through plotters' text escaping, so a
/// name like `<img src=x onerror=alert(1)>` stays text. An empty `rows` gives an empty string.
///
/// ```ignore
/// let svg = method_bars_svg(&counts.rows(Feature::Reset), ChartSize::for_screen(false));
/// ```
pub fn method_bars_svg(rows: &[MethodRow], size: ChartSize) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let mut svg = String::new();
    // Plotting into a String has no I/O to fail; should plotters still report an error, the
    // chart stays partial and the data table beside it keeps every number.
    let _ = draw(&mut svg, rows, size);
    svg
}

fn draw(
    svg: &mut String,
    rows: &[MethodRow],
    size: ChartSize,
) -> Result<(), Box<dyn std::error::Error>> {
    let n = rows.len();
    let height = TOP_PX + size.row_px * n as u32 + AXIS_PX;
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
            (row.success, success_band, SUCCESS),
            (row.failure, failure_band, FAILURE),
        ];
        for (value, (from, to), colour) in bars {
            chart.draw_series([Rectangle::new(
                [(0, top - from), (value, top - to)],
                colour.filled(),
            )])?;
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

/// A titled chart card: legend, the SVG, and the "Show data" table (caption = the title, one row
/// per method, columns Method, Success, Failure). The SVG is redrawn only when the rows or the
/// screen class change.
#[component]
pub fn MethodChart(
    /// The chart's title, also the table's caption: "Registrations", "Resets".
    title: &'static str,
    /// What an empty period lacks, for the empty message: "registrations", "resets".
    noun: &'static str,
    rows: Memo<Vec<MethodRow>>,
) -> impl IntoView {
    let state = AppState::expect();
    let svg = Memo::new(move |_| {
        let size = ChartSize::for_screen(state.narrow.get());
        rows.with(|rows| method_bars_svg(rows, size))
    });
    let slug = title.to_lowercase();
    let table_rows = move || {
        rows.with(|rows| {
            rows.iter()
                .map(|row| {
                    view! {
                        <tr>
                            <th scope="row">{row.method.label()}</th>
                            <td>{count(row.success as usize)}</td>
                            <td>{count(row.failure as usize)}</td>
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
                <div
                    class="chart-svg"
                    role="img"
                    aria-label=format!("{title}: successes and failures per method. The numbers are in the table below.")
                    inner_html=move || svg.get()
                ></div>
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
