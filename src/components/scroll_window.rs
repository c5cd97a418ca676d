//! The arithmetic of a virtual list: which rows a scroll position shows, a scrollbar scaled so that
//! a million rows fit under the browsers' element-height caps, and keyboard moves. No DOM here.
//!
//! Browsers cap how tall an element can be (Firefox about 17.9 M px, Chromium about 33.5 M px), so
//! 1,000,000 rows of 36 px (36 M px) cannot have a spacer of their real height. The spacer stays at
//! most [`MAX_SPACER_PX`] tall and a scroll position maps to a row position proportionally: the
//! top of the scrollbar is the first row, its bottom the last.

/// The tallest spacer a virtual list makes, well below every browser's cap.
pub const MAX_SPACER_PX: f64 = 8_000_000.0;

/// The most rows a window ever holds (the DOM budget of spec §2).
pub const MAX_WINDOW_ROWS: usize = 100;

/// Rows rendered beyond each edge of the viewport, so a small scroll never shows a gap.
pub const OVERSCAN_ROWS: usize = 4;

/// A list's geometry: how many rows, how tall each is, how much of it is visible.
///
/// Offsets are in *content* pixels (row `i` starts at `i * row_px`); scroll positions are in
/// *spacer* pixels (what the browser's `scrollTop` measures). The two are equal until the content
/// is taller than [`MAX_SPACER_PX`].
///
/// ```
/// use sspr_insights::components::scroll_window::ScrollGeometry;
/// let g = ScrollGeometry::new(1_000_000, 36.0, 600.0);
/// assert!(g.spacer_px() <= 10_000_000.0);
/// // The bottom of the scrollbar shows the last row at the bottom of the viewport.
/// let last = g.window(g.offset_at(g.max_scroll_top()), 0);
/// assert_eq!(last.end, 1_000_000);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScrollGeometry {
    pub rows: usize,
    pub row_px: f64,
    /// Height of the area the rows show in (the scroll box without its sticky header).
    pub viewport_px: f64,
    pub max_spacer_px: f64,
}

/// The rows to put in the DOM: `first..end`, drawn `shift_px` below the viewport's top
/// (zero or negative: overscan rows and a part-scrolled first row sit above it).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RowWindow {
    pub first: usize,
    pub end: usize,
    pub shift_px: f64,
}

impl RowWindow {
    pub fn len(&self) -> usize {
        self.end - self.first
    }

    pub fn is_empty(&self) -> bool {
        self.end == self.first
    }

    pub fn contains(&self, row: usize) -> bool {
        (self.first..self.end).contains(&row)
    }
}

/// A key that moves the focused row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowKey {
    Up,
    Down,
    PageUp,
    PageDown,
    Home,
    End,
}

impl RowKey {
    /// The key behind a `KeyboardEvent.key` value, if it moves rows.
    pub fn from_key(key: &str) -> Option<RowKey> {
        match key {
            "ArrowUp" | "Up" => Some(RowKey::Up),
            "ArrowDown" | "Down" => Some(RowKey::Down),
            "PageUp" => Some(RowKey::PageUp),
            "PageDown" => Some(RowKey::PageDown),
            "Home" => Some(RowKey::Home),
            "End" => Some(RowKey::End),
            _ => None,
        }
    }
}

impl ScrollGeometry {
    pub fn new(rows: usize, row_px: f64, viewport_px: f64) -> Self {
        ScrollGeometry {
            rows,
            row_px: row_px.max(1.0),
            viewport_px: viewport_px.max(0.0),
            max_spacer_px: MAX_SPACER_PX,
        }
    }

    /// The real height of all rows.
    pub fn content_px(&self) -> f64 {
        self.rows as f64 * self.row_px
    }

    /// The height of the element that gives the scroll box its scrollbar.
    pub fn spacer_px(&self) -> f64 {
        self.content_px().min(self.max_spacer_px)
    }

    /// Whether the scrollbar is scaled (the content is taller than the spacer).
    pub fn is_scaled(&self) -> bool {
        self.content_px() > self.max_spacer_px
    }

    /// The largest content offset: the last row's bottom at the viewport's bottom.
    pub fn max_offset(&self) -> f64 {
        (self.content_px() - self.viewport_px).max(0.0)
    }

    /// The largest scroll position the browser allows.
    pub fn max_scroll_top(&self) -> f64 {
        (self.spacer_px() - self.viewport_px).max(0.0)
    }

    pub fn clamp_offset(&self, offset: f64) -> f64 {
        offset.clamp(0.0, self.max_offset())
    }

    /// The content offset a scroll position shows. Within a pixel of either end the offset snaps
    /// to that end, so the first and the last row are always fully reachable whatever rounding
    /// the browser applies to `scrollTop`.
    pub fn offset_at(&self, scroll_top: f64) -> f64 {
        let max_top = self.max_scroll_top();
        if max_top <= 0.0 || scroll_top <= 0.0 {
            return 0.0;
        }
        if scroll_top >= max_top - 1.0 {
            return self.max_offset();
        }
        self.clamp_offset(scroll_top / max_top * self.max_offset())
    }

    /// The scroll position that shows a content offset (the inverse of [`Self::offset_at`]).
    pub fn scroll_top_for(&self, offset: f64) -> f64 {
        let max_offset = self.max_offset();
        if max_offset <= 0.0 {
            return 0.0;
        }
        (self.clamp_offset(offset) / max_offset * self.max_scroll_top()).round()
    }

    /// How many whole rows fit in the viewport (at least one): the PgUp / PgDn step.
    pub fn rows_per_page(&self) -> usize {
        ((self.viewport_px / self.row_px).floor() as usize).max(1)
    }

    /// The first row whose top is in view at `offset`.
    pub fn first_visible(&self, offset: f64) -> usize {
        if self.rows == 0 {
            return 0;
        }
        ((self.clamp_offset(offset) / self.row_px).ceil() as usize).min(self.rows - 1)
    }

    /// The rows to render at `offset`, with up to `overscan` extra rows on each side, never more
    /// than [`MAX_WINDOW_ROWS`] in all (rows in view first, then the overscan).
    pub fn window(&self, offset: f64, overscan: usize) -> RowWindow {
        if self.rows == 0 {
            return RowWindow {
                first: 0,
                end: 0,
                shift_px: 0.0,
            };
        }
        let offset = self.clamp_offset(offset);
        let visible_first = ((offset / self.row_px).floor() as usize).min(self.rows - 1);
        let visible_end = (((offset + self.viewport_px) / self.row_px).ceil() as usize)
            .clamp(visible_first + 1, self.rows);
        let (first, end) = if visible_end - visible_first >= MAX_WINDOW_ROWS {
            (visible_first, visible_first + MAX_WINDOW_ROWS)
        } else {
            let spare = MAX_WINDOW_ROWS - (visible_end - visible_first);
            let before = overscan.min(visible_first).min(spare / 2);
            let after = overscan.min(self.rows - visible_end).min(spare - before);
            (visible_first - before, visible_end + after)
        };
        RowWindow {
            first,
            end,
            shift_px: first as f64 * self.row_px - offset,
        }
    }

    /// The offset closest to `offset` at which `row` is fully in view.
    pub fn offset_to_show(&self, row: usize, offset: f64) -> f64 {
        let top = row.min(self.rows.saturating_sub(1)) as f64 * self.row_px;
        let bottom = top + self.row_px;
        let offset = self.clamp_offset(offset);
        let wanted = if top < offset {
            top
        } else if bottom > offset + self.viewport_px {
            bottom - self.viewport_px
        } else {
            offset
        };
        self.clamp_offset(wanted)
    }

    /// The row a key moves the focus to. Without a focused row, Home and End go to the ends and
    /// any other key focuses the first row in view. `None` when there are no rows.
    pub fn row_after_key(&self, current: Option<usize>, key: RowKey, offset: f64) -> Option<usize> {
        if self.rows == 0 {
            return None;
        }
        let last = self.rows - 1;
        let page = self.rows_per_page();
        let next = match (current, key) {
            (_, RowKey::Home) => 0,
            (_, RowKey::End) => last,
            (None, _) => self.first_visible(offset),
            (Some(row), RowKey::Up) => row.saturating_sub(1),
            (Some(row), RowKey::Down) => row + 1,
            (Some(row), RowKey::PageUp) => row.saturating_sub(page),
            (Some(row), RowKey::PageDown) => row + page,
        };
        Some(next.min(last))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MILLION: usize = 1_000_000;

    fn rows_in_view(g: &ScrollGeometry, offset: f64) -> std::ops::Range<usize> {
        let w = g.window(offset, 0);
        w.first..w.end
    }

    #[test]
    fn a_short_list_scrolls_one_to_one() {
        let g = ScrollGeometry::new(100, 36.0, 360.0);
        assert!(!g.is_scaled());
        assert_eq!(g.spacer_px(), 3600.0);
        assert_eq!(g.max_scroll_top(), 3240.0);
        assert_eq!(g.offset_at(720.0), 720.0);
        assert_eq!(g.scroll_top_for(720.0), 720.0);
        assert_eq!(rows_in_view(&g, 720.0), 20..30);
    }

    #[test]
    fn a_million_rows_keep_the_spacer_below_every_browsers_height_cap() {
        let g = ScrollGeometry::new(MILLION, 36.0, 600.0);
        assert!(g.is_scaled());
        assert!(g.spacer_px() <= 10_000_000.0);
        assert!(g.spacer_px() < 17_800_000.0, "Firefox's cap");
    }

    #[test]
    fn the_bottom_of_the_scrollbar_shows_the_last_row_at_the_bottom() {
        let g = ScrollGeometry::new(MILLION, 36.0, 600.0);
        let offset = g.offset_at(g.max_scroll_top());
        assert_eq!(offset, g.max_offset());
        let w = g.window(offset, OVERSCAN_ROWS);
        assert_eq!(w.end, MILLION);
        // The last row's bottom is exactly the viewport's bottom.
        let last_bottom = w.shift_px + w.len() as f64 * g.row_px;
        assert!((last_bottom - g.viewport_px).abs() < 1e-6, "{last_bottom}");
    }

    #[test]
    fn a_scroll_position_a_fraction_of_a_pixel_short_of_the_end_still_reaches_the_last_row() {
        let g = ScrollGeometry::new(MILLION, 36.0, 600.5);
        let w = g.window(g.offset_at(g.max_scroll_top() - 0.5), 0);
        assert_eq!(w.end, MILLION);
    }

    #[test]
    fn the_top_of_the_scrollbar_shows_the_first_row() {
        let g = ScrollGeometry::new(MILLION, 36.0, 600.0);
        assert_eq!(g.offset_at(0.0), 0.0);
        assert_eq!(g.offset_at(-20.0), 0.0);
        let w = g.window(0.0, OVERSCAN_ROWS);
        assert_eq!(w.first, 0);
        assert_eq!(w.shift_px, 0.0);
    }

    #[test]
    fn scroll_positions_map_to_rows_proportionally_and_back() {
        let g = ScrollGeometry::new(MILLION, 36.0, 600.0);
        let half = g.offset_at(g.max_scroll_top() / 2.0);
        assert!((half - g.max_offset() / 2.0).abs() < 1.0, "{half}");
        for row in [0, 1, 17, 499_999, 999_983] {
            let offset = g.offset_to_show(row, 0.0);
            let top = g.scroll_top_for(offset);
            // A whole scroll pixel is several content pixels; the row stays in the window.
            assert!(
                g.window(g.offset_at(top), OVERSCAN_ROWS).contains(row),
                "{row}"
            );
        }
    }

    #[test]
    fn a_window_never_holds_more_than_a_hundred_rows() {
        for viewport in [0.0, 300.0, 3_600.0, 10_000.0, 100_000.0] {
            let g = ScrollGeometry::new(MILLION, 36.0, viewport);
            for offset in [0.0, 1234.5, g.max_offset() / 3.0, g.max_offset()] {
                let w = g.window(offset, 50);
                assert!(
                    w.len() <= MAX_WINDOW_ROWS,
                    "{viewport} {offset}: {}",
                    w.len()
                );
                assert!(!w.is_empty());
            }
        }
    }

    #[test]
    fn the_window_covers_the_viewport_and_the_overscan() {
        let g = ScrollGeometry::new(1000, 36.0, 360.0);
        // Offset 100 px: rows 2 (partly) to 12 (partly) are in view.
        let w = g.window(100.0, 4);
        assert_eq!((w.first, w.end), (0, 17));
        assert_eq!(w.shift_px, -100.0);
        let w = g.window(3600.0, 4);
        assert_eq!((w.first, w.end), (96, 114));
        assert_eq!(w.shift_px, 96.0 * 36.0 - 3600.0);
    }

    #[test]
    fn an_empty_list_has_an_empty_window_and_no_focus() {
        let g = ScrollGeometry::new(0, 36.0, 600.0);
        assert!(g.window(0.0, 4).is_empty());
        assert_eq!(g.max_scroll_top(), 0.0);
        assert_eq!(g.row_after_key(None, RowKey::Down, 0.0), None);
        assert_eq!(g.row_after_key(Some(3), RowKey::End, 0.0), None);
    }

    #[test]
    fn a_list_shorter_than_the_viewport_does_not_scroll() {
        let g = ScrollGeometry::new(3, 36.0, 600.0);
        assert_eq!(g.max_offset(), 0.0);
        assert_eq!(g.offset_at(50.0), 0.0);
        assert_eq!(
            g.window(0.0, 4),
            RowWindow {
                first: 0,
                end: 3,
                shift_px: 0.0
            }
        );
    }

    #[test]
    fn keys_move_the_focused_row_within_the_list() {
        let g = ScrollGeometry::new(100, 36.0, 360.0);
        assert_eq!(g.rows_per_page(), 10);
        assert_eq!(g.row_after_key(Some(5), RowKey::Down, 0.0), Some(6));
        assert_eq!(g.row_after_key(Some(5), RowKey::Up, 0.0), Some(4));
        assert_eq!(g.row_after_key(Some(0), RowKey::Up, 0.0), Some(0));
        assert_eq!(g.row_after_key(Some(99), RowKey::Down, 0.0), Some(99));
        assert_eq!(g.row_after_key(Some(5), RowKey::PageDown, 0.0), Some(15));
        assert_eq!(g.row_after_key(Some(95), RowKey::PageDown, 0.0), Some(99));
        assert_eq!(g.row_after_key(Some(5), RowKey::PageUp, 0.0), Some(0));
        assert_eq!(g.row_after_key(Some(50), RowKey::Home, 0.0), Some(0));
        assert_eq!(g.row_after_key(Some(50), RowKey::End, 0.0), Some(99));
    }

    #[test]
    fn the_first_key_without_a_focused_row_focuses_the_first_row_in_view() {
        let g = ScrollGeometry::new(100, 36.0, 360.0);
        assert_eq!(g.row_after_key(None, RowKey::Down, 0.0), Some(0));
        assert_eq!(g.row_after_key(None, RowKey::Down, 720.0), Some(20));
        // A part-hidden row at the top is skipped for the next whole one.
        assert_eq!(g.row_after_key(None, RowKey::Up, 730.0), Some(21));
        assert_eq!(g.row_after_key(None, RowKey::End, 0.0), Some(99));
    }

    #[test]
    fn showing_a_row_scrolls_as_little_as_possible() {
        let g = ScrollGeometry::new(100, 36.0, 360.0);
        // Already in view: no change.
        assert_eq!(g.offset_to_show(5, 0.0), 0.0);
        // Below: its bottom comes to the viewport's bottom.
        assert_eq!(g.offset_to_show(10, 0.0), 11.0 * 36.0 - 360.0);
        // Above: its top comes to the viewport's top.
        assert_eq!(g.offset_to_show(3, 720.0), 108.0);
        // The last row at the end.
        assert_eq!(g.offset_to_show(99, 0.0), g.max_offset());
    }

    #[test]
    fn keyboard_names_map_to_row_keys() {
        assert_eq!(RowKey::from_key("ArrowDown"), Some(RowKey::Down));
        assert_eq!(RowKey::from_key("PageUp"), Some(RowKey::PageUp));
        assert_eq!(RowKey::from_key("End"), Some(RowKey::End));
        assert_eq!(RowKey::from_key("a"), None);
    }
}
