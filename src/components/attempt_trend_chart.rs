//! The attempts over time (spec §4.3): self-service resets that succeeded, unlocks, attempts
//! that did not succeed, admin resets and password changes, per hour (24 hours) or UTC day,
//! drawn by plotters into an SVG string, with a "Show data" table of the same numbers.

use leptos::prelude::*;
use plotters::prelude::*;

use super::chart_style::{ChartSize, AXIS, FAILURE, GRID, SUCCESS};
use super::format::count;
use crate::model::audit::views::AttemptBucket;
use crate::model::audit::AttemptTrend;
use crate::model::time::format_tick;
use crate::model::{format_utc, Millis};
use crate::state::AppState;

pub const TITLE: &str = "Reset attempts over time";

type Series = fn(&AttemptBucket) -> u32;

/// The lines, in the legend's and the table's order: name, value, colour (and its name for the
/// legend's swatch), dashed.
const SERIES: [(&str, Series, RGBColor, &str, bool); 5] = [
    ("Succeeded", |b| b.succeeded, SUCCESS, "success", false),
    ("Unlocked", |b| b.unlocked, SUCCESS, "success", true),
    (
        "Not succeeded",
        |b| b.not_succeeded,
        FAILURE,
        "failure",
        false,
    ),
    ("Admin resets", |b| b.admin_resets, AXIS, "neutral", false),
    (
        "Password changes",
        |b| b.password_changes,
        AXIS,
        "neutral",
        true,
    ),
];

fn draw(
    svg: &mut String,
    trend: &AttemptTrend,
    size: ChartSize,
) -> Result<(), Box<dyn std::error::Error>> {
    let buckets = &trend.buckets;
    let narrow = size.width < 400;
    let (width, height) = if narrow {
        (size.width, 220)
    } else {
        (size.width * 2, 240)
    };
    let root = SVGBackend::with_string(svg, (width, height)).into_drawing_area();
    let max = buckets
        .iter()
        .flat_map(|b| SERIES.iter().map(move |s| (s.1)(b)))
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
        .y_label_area_size(if narrow { 44 } else { 56 })
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
    for (_, series, colour, _, dashed) in SERIES {
        let points = buckets
            .iter()
            .enumerate()
            .map(move |(i, b)| (i as i32, series(b)));
        if dashed {
            chart.draw_series(DashedLineSeries::new(points, 6, 4, colour.stroke_width(2)))?;
        } else {
            chart.draw_series(LineSeries::new(points, colour.stroke_width(2)))?;
        }
    }
    root.present()?;
    Ok(())
}

#[component]
pub fn AttemptTrendChart(trend: Memo<Option<AttemptTrend>>) -> impl IntoView {
    let state = AppState::expect();
    let svg = Memo::new(move |_| {
        let size = ChartSize::for_screen(state.narrow.get());
        trend.with(|t| {
            let mut svg = String::new();
            if let Some(t) = t.as_ref().filter(|t| !t.buckets.is_empty()) {
                let _ = draw(&mut svg, t, size);
            }
            svg
        })
    });
    let hourly = move || trend.with(|t| t.as_ref().is_some_and(|t| t.hourly));
    let table_rows = move || {
        trend.with(|t| {
            t.iter()
                .flat_map(|t| t.buckets.iter())
                .map(|b| {
                    let start = format_utc(b.start);
                    let cells = SERIES
                        .iter()
                        .map(|s| view! { <td>{count((s.1)(b) as usize)}</td> })
                        .collect_view();
                    view! {
                        <tr>
                            <th scope="row"><time datetime=start.clone()>{start.clone()}</time></th>
                            {cells}
                        </tr>
                    }
                })
                .collect_view()
        })
    };
    let legend = SERIES
        .iter()
        .map(|(name, _, _, tone, dashed)| {
            let class = format!("swatch line {tone}{}", if *dashed { " dashed" } else { "" });
            view! { <li><span class=class></span>{*name}</li> }
        })
        .collect_view();
    view! {
        <section class="card chart trend attempt-trend" data-chart="attempt-trend" aria-labelledby="chart-attempt-trend">
            <h2 id="chart-attempt-trend">{TITLE}</h2>
            <ul class="legend" aria-hidden="true">{legend}</ul>
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
                            {SERIES.iter().map(|s| view! { <th scope="col">{s.0}</th> }).collect_view()}
                        </tr>
                    </thead>
                    <tbody>{table_rows}</tbody>
                </table>
            </details>
        </section>
    }
}
