//! The three tiles: users registered, enabled and capable for the chosen population, each with
//! its count, its share of the population and the model's one-line insight.

use leptos::prelude::*;

use super::format::{count, percent};
use crate::model::{Tile, Tiles};

#[component]
pub fn TileRow(
    /// The model's tiles for the current population (`None` while nothing is loaded).
    tiles: Memo<Option<Tiles>>,
) -> impl IntoView {
    let tile = move |kind: &'static str, title: &'static str, pick: fn(&Tiles) -> &Tile| {
        let numbers = move || {
            tiles.with(|t| {
                t.as_ref().map(|t| {
                    let tile = pick(t);
                    (tile.count, tile.share, tile.insight.clone(), t.population)
                })
            })
        };
        view! {
            <article class="tile" data-tile=kind>
                <h2 class="tile-title">{title}</h2>
                {move || {
                    numbers()
                        .map(|(tile_count, share, insight, population)| {
                            view! {
                                <p class="tile-count">{count(tile_count)}</p>
                                <p class="tile-share">
                                    <span class="share">{percent(share)}</span>
                                    " of "
                                    <span class="population">{count(population)}</span>
                                    " users"
                                </p>
                                <p class="tile-insight">{insight}</p>
                            }
                        })
                }}
            </article>
        }
    };
    view! {
        <section class="tiles" aria-label="Registration state">
            {tile("registered", "Users registered", |t| &t.registered)}
            {tile("enabled", "Users enabled", |t| &t.enabled)}
            {tile("capable", "Users capable", |t| &t.capable)}
        </section>
    }
}
