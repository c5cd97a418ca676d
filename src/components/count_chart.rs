//! A chart of counts, one bar a row (the attempts' funnel and outcomes, spec §4.3): drawn by
//! plotters into an SVG string, with a real `<a>` over each bar and the same numbers in a
//! "Show data" table whose every number links to the same list as its bar. Text from the data
//! stays text (plotters escapes it).

use leptos::prelude::*;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::chart_style::{shorten, ChartSize, AXIS, FAILURE, GRID, SUCCESS};
use super::format::count;
use crate::state::AppState;

/// What a bar stands for, which decides its colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Good,
    Bad,
    /// Neither (an admin reset, a password change).
    Neutral,
}

/// One bar: its label, its count and the list behind it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CountRow {
    /// A stable id (`data-row`), for the stylesheet and for tests.
    pub id: String,
    pub label: String,
    pub value: u32,
    pub tone: Tone,
    /// The list behind the bar (a path and query under the app's base).
    pub href: String,
}

const TOP_PX: u32 = 8;
const AXIS_PX: u32 = 28;

/// Where a bar's link goes over the drawing, in percent of its width and height.
#[derive(Clone, Debug, PartialEq)]
struct Spot {
    left: f64,
    top: f64,
    width: f64,
    height: f64,
}

#[derive(Clone, Debug, Default, PartialEq)]
struct Bars {
    svg: String,
    spots: Vec<Spot>,
}

fn bars(rows: &[CountRow], size: ChartSize) -> Bars {
    let mut bars = Bars::default();
    if !rows.is_empty() {
        // As for the other charts: a plotting error leaves a partial drawing, the table keeps
        // every number and every link.
        let _ = draw(&mut bars, rows, size);
    }
    bars
}

fn colour(tone: Tone) -> RGBColor {
    match tone {
        Tone::Good => SUCCESS,
        Tone::Bad => FAILURE,
        Tone::Neutral => AXIS,
    }
}

fn draw(
    bars: &mut Bars,
    rows: &[CountRow],
    size: ChartSize,
) -> Result<(), Box<dyn std::error::Error>> {
    let n = rows.len();
    let row_px = size.row_px * 3 / 4;
    let height = TOP_PX + row_px * n as u32 + AXIS_PX;
    let (svg, spots) = (&mut bars.svg, &mut bars.spots);
    let root = SVGBackend::with_string(svg, (size.width, height)).into_drawing_area();
    let max = rows.iter().map(|r| r.value).max().unwrap_or(0);
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
    let (from, to) = if size.labels_above {
        (0.45, 0.9)
    } else {
        (0.2, 0.8)
    };
    for (i, row) in rows.iter().enumerate() {
        let top = (n - i) as f64;
        chart.draw_series([Rectangle::new(
            [(0, top - from), (row.value, top - to)],
            colour(row.tone).filled(),
        )])?;
        let (left, band_top) = chart.backend_coord(&(0, top));
        let (right, band_bottom) = chart.backend_coord(&(x_max, top - 1.0));
        spots.push(Spot {
            left: 100.0 * left as f64 / size.width as f64,
            top: 100.0 * band_top as f64 / height as f64,
            width: 100.0 * (right - left) as f64 / size.width as f64,
            height: 100.0 * (band_bottom - band_top) as f64 / height as f64,
        });
        let (x, y) = chart.backend_coord(&(row.value, top - (from + to) / 2.0));
        root.draw(&Text::new(
            count(row.value as usize),
            (x + 4, y),
            size.small_font().pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
        let name = shorten(&row.label, size.label_chars);
        if size.labels_above {
            let (x, y) = chart.backend_coord(&(0, top - 0.04));
            root.draw(&Text::new(
                name,
                (x + 6, y),
                size.font().pos(Pos::new(HPos::Left, VPos::Top)),
            ))?;
        } else {
            let (x, y) = chart.backend_coord(&(0, top - 0.5));
            root.draw(&Text::new(
                name,
                (x - 8, y),
                size.font().pos(Pos::new(HPos::Right, VPos::Center)),
            ))?;
        }
    }
    root.present()?;
    Ok(())
}

/// A titled chart of counts with its "Show data" table (caption = the title; columns
/// `label_header` and `value_header`; each number links to its bar's list).
#[component]
pub fn CountChart(
    title: &'static str,
    /// `data-chart`, and the heading's id.
    slug: &'static str,
    /// What the bars count, for their names: "attempts".
    noun: &'static str,
    label_header: &'static str,
    value_header: &'static str,
    /// The message when there are no rows.
    empty: &'static str,
    rows: Memo<Vec<CountRow>>,
) -> impl IntoView {
    let state = AppState::expect();
    let drawn = Memo::new(move |_| {
        let size = ChartSize::for_screen(state.narrow.get());
        rows.with(|rows| bars(rows, size))
    });
    let links = move || {
        drawn.with(|drawn| {
            rows.with(|rows| {
                rows.iter()
                    .zip(&drawn.spots)
                    .map(|(row, spot)| {
                        let name = format!("{}: {} {noun}", row.label, count(row.value as usize));
                        view! {
                            <a
                                class="bar-link"
                                href=state.href(&row.href)
                                aria-label=name.clone()
                                title=name
                                data-row=row.id.clone()
                                style:left=format!("{:.3}%", spot.left)
                                style:top=format!("{:.3}%", spot.top)
                                style:width=format!("{:.3}%", spot.width)
                                style:height=format!("{:.3}%", spot.height)
                            ></a>
                        }
                    })
                    .collect_view()
            })
        })
    };
    let table_rows = move || {
        rows.with(|rows| {
            rows.iter()
                .map(|row| {
                    view! {
                        <tr data-row=row.id.clone()>
                            <th scope="row">{row.label.clone()}</th>
                            <td>
                                <a href=state.href(&row.href)>{count(row.value as usize)}</a>
                            </td>
                        </tr>
                    }
                })
                .collect_view()
        })
    };
    let nothing = move || rows.with(|rows| rows.iter().all(|r| r.value == 0));
    view! {
        <section class="card chart count-chart" data-chart=slug aria-labelledby=format!("chart-{slug}")>
            <h2 id=format!("chart-{slug}")>{title}</h2>
            <Show
                when=move || !nothing()
                fallback=move || view! { <p class="muted empty-chart">{empty}</p> }
            >
                <div class="chart-figure">
                    <div
                        class="chart-svg"
                        role="img"
                        aria-label=format!("{title}. Each bar links to its {noun}; the numbers are also in the table below.")
                        inner_html=move || drawn.with(|d| d.svg.clone())
                    ></div>
                    <div class="bar-links">{links}</div>
                </div>
            </Show>
            <details class="chart-data">
                <summary>"Show data"</summary>
                <table>
                    <caption>{title}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{label_header}</th>
                            <th scope="col">{value_header}</th>
                        </tr>
                    </thead>
                    <tbody>{table_rows}</tbody>
                </table>
            </details>
        </section>
    }
}
