//! What all charts share: sizes for wide and phone screens, fonts, and the palette. The SVG gets
//! these fixed colours; `style/charts.css` maps each to a theme variable (light and dark).

use plotters::style::{IntoFont, RGBColor, TextStyle};

/// Success: Okabe-Ito blue. Keep in step with `--success` in `style/base.css`.
pub const SUCCESS: RGBColor = RGBColor(0x00, 0x72, 0xB2);
/// Failure: Okabe-Ito vermillion. Keep in step with `--failure` in `style/base.css`.
pub const FAILURE: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
/// Text in charts (`--chart-ink`).
pub const INK: RGBColor = RGBColor(0x33, 0x33, 0x33);
/// Axis lines (`--chart-axis`).
pub const AXIS: RGBColor = RGBColor(0x88, 0x88, 0x88);
/// Grid lines (`--chart-grid`).
pub const GRID: RGBColor = RGBColor(0xDD, 0xDD, 0xDD);

/// Below this viewport width (CSS px) charts are drawn for a phone instead of shrunk.
pub const NARROW_MAX_PX: f64 = 640.0;

/// The geometry a chart is drawn at; the SVG then scales to its box with its `viewBox`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChartSize {
    pub width: u32,
    /// Height of one method's band in the bar charts.
    pub row_px: u32,
    /// Method names above their bars (phones: the bars keep the whole width) instead of left.
    pub labels_above: bool,
    /// Room left of the plot for method names when they are not above the bars.
    pub label_width: u32,
    /// Longest method name drawn in full; longer ones end in "…" (the table has them whole).
    pub label_chars: usize,
    /// Plotters' size for method names; its SVG backend writes `font-size` as this / 1.24.
    pub font_px: f64,
}

impl ChartSize {
    pub fn for_screen(narrow: bool) -> Self {
        if narrow {
            Self {
                width: 340,
                row_px: 56,
                labels_above: true,
                label_width: 4,
                label_chars: 40,
                font_px: 15.0,
            }
        } else {
            Self {
                width: 560,
                row_px: 40,
                labels_above: false,
                label_width: 220,
                label_chars: 26,
                font_px: 16.0,
            }
        }
    }

    pub fn font(&self) -> TextStyle<'static> {
        ("sans-serif", self.font_px).into_font().color(&INK)
    }

    /// For axis ticks and the numbers at the bars.
    pub fn small_font(&self) -> TextStyle<'static> {
        ("sans-serif", self.font_px - 1.5).into_font().color(&INK)
    }
}

/// `label` cut to `max_chars` characters, with "…" when cut.
pub fn shorten(label: &str, max_chars: usize) -> String {
    if label.chars().count() <= max_chars {
        label.to_string()
    } else {
        let mut short: String = label.chars().take(max_chars.saturating_sub(1)).collect();
        short.push('…');
        short
    }
}
