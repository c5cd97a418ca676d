//! The trend chart: resets and registrations, successes and failures, per hour (24 hours) or per
//! UTC day (7 and 30 days), drawn by plotters into an SVG string, with a "Show data" table.

use leptos::prelude::*;
use plotters::prelude::*;

use super::chart_style::{ChartSize, AXIS, FAILURE, GRID, SUCCESS};
use super::format::count;
use crate::model::time::format_tick;
use crate::model::{format_utc, Millis, Trend, TrendBucket};
use crate::state::AppState;

pub const TITLE: &str = "Registrations and resets over time";

/// Draws the trend as an SVG document; an empty trend gives an empty string.
pub fn trend_svg(trend: &Trend, size: ChartSize) -> String {
    if trend.buckets.is_empty() {
        return String::new();
    }
    let mut svg = String::new();
    // As for the bar charts: a plotting error leaves a partial chart, the table keeps the numbers.
    let _ = draw(&mut svg, trend, size);
    svg
}

type Series = fn(&TrendBucket) -> u32;

fn draw(
    svg: &mut String,
    trend: &Trend,
    size: ChartSize,
) -> Result<(), Box<dyn std::error::Error>> {
    let buckets = &trend.buckets;
    let narrow = size.width < 400;
    let y_axis_px = if narrow { 44 } else { 56 };
    // The trend spans the whole content width on wide screens: twice a bar chart's.
    let (width, height) = if narrow {
        (size.width, 220)
    } else {
        (size.width * 2, 260)
    };
    let root = SVGBackend::with_string(svg, (width, height)).into_drawing_area();
    let all: [Series; 4] = [
        |b| b.reset_success,
        |b| b.reset_failure,
        |b| b.registration_success,
        |b| b.registration_failure,
    ];
    let max = buckets
        .iter()
        .flat_map(|b| all.iter().map(move |f| f(b)))
        .max()
        .unwrap_or(0);
    let y_max = (max + max / 8).max(max + 1).max(4);
    let last = (buckets.len() as i32 - 1).max(1);
    let starts: Vec<Millis> = buckets.iter().map(|b| b.start).collect();
    let tick = |i: &i32| {
        starts
            .get(*i as usize)
            .map(|ms| format_tick(*ms, trend.hourly))
            .unwrap_or_default()
    };
    let mut chart = ChartBuilder::on(&root)
        .margin_top(12)
        .margin_right(20)
        .x_label_area_size(28)
        .y_label_area_size(y_axis_px)
        .build_cartesian_2d(0i32..last, 0u32..y_max)?;
    chart
        .configure_mesh()
        .x_labels(if narrow { 6 } else { 12 })
        .y_labels(5)
        .x_label_formatter(&tick)
        .y_label_formatter(&|v| count(*v as usize))
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .axis_style(AXIS)
        .label_style(size.small_font())
        .draw()?;

    let points = |f: Series| {
        buckets
            .iter()
            .enumerate()
            .map(move |(i, b)| (i as i32, f(b)))
    };
    // Resets: solid lines with dots; registrations: dashed lines. Colour says success/failure.
    for (series, colour) in [(all[0], SUCCESS), (all[1], FAILURE)] {
        chart.draw_series(LineSeries::new(points(series), colour.stroke_width(2)))?;
        chart.draw_series(points(series).map(|p| Circle::new(p, 3, colour.filled())))?;
    }
    for (series, colour) in [(all[2], SUCCESS), (all[3], FAILURE)] {
        chart.draw_series(DashedLineSeries::new(
            points(series),
            6,
            4,
            colour.stroke_width(2),
        ))?;
    }
    root.present()?;
    Ok(())
}

#[component]
pub fn TrendChart(trend: Memo<Option<Trend>>) -> impl IntoView {
    let state = AppState::expect();
    let svg = Memo::new(move |_| {
        let size = ChartSize::for_screen(state.narrow.get());
        trend.with(|t| t.as_ref().map(|t| trend_svg(t, size)).unwrap_or_default())
    });
    let hourly = move || trend.with(|t| t.as_ref().is_some_and(|t| t.hourly));
    let table_rows = move || {
        trend.with(|t| {
            t.iter()
                .flat_map(|t| t.buckets.iter())
                .map(|b| {
                    let start = format_utc(b.start);
                    view! {
                        <tr>
                            <th scope="row"><time datetime=start.clone()>{start.clone()}</time></th>
                            <td>{count(b.reset_success as usize)}</td>
                            <td>{count(b.reset_failure as usize)}</td>
                            <td>{count(b.registration_success as usize)}</td>
                            <td>{count(b.registration_failure as usize)}</td>
                        </tr>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <section class="card chart trend" data-chart="trend" aria-labelledby="chart-trend">
            <h2 id="chart-trend">{TITLE}</h2>
            <ul class="legend" aria-hidden="true">
                <li><span class="swatch line success"></span>"Reset success"</li>
                <li><span class="swatch line failure"></span>"Reset failure"</li>
                <li><span class="swatch line dashed success"></span>"Registration success"</li>
                <li><span class="swatch line dashed failure"></span>"Registration failure"</li>
            </ul>
            <div
                class="chart-svg"
                role="img"
                aria-label=move || {
                    format!(
                        "{TITLE}, per {}. The numbers are in the table below.",
                        if hourly() { "hour" } else { "day (UTC)" },
                    )
                }
                inner_html=move || svg.get()
            ></div>
            <details class="chart-data">
                <summary>"Show data"</summary>
                <table>
                    <caption>{TITLE}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{move || if hourly() { "Hour (UTC)" } else { "Day (UTC)" }}</th>
                            <th scope="col">"Reset success"</th>
                            <th scope="col">"Reset failure"</th>
                            <th scope="col">"Registration success"</th>
                            <th scope="col">"Registration failure"</th>
                        </tr>
                    </thead>
                    <tbody>{table_rows}</tbody>
                </table>
            </details>
        </section>
    }
}
