//! The three tiles: users registered, enabled and capable for the chosen population, each with
//! its count, its share of the population and the model's one-line insight. Each tile opens the
//! registration details filtered to its status (the title is the link; it covers the tile). The
//! overview adds the MFA tiles to the same row (`mfa_tiles`).

use leptos::prelude::*;

use super::format::{count, percent};
use super::mfa_tiles::MfaTileCards;
use crate::model::mfa::tiles::MfaTiles;
use crate::model::query::registrations_href;
use crate::model::{Tile, Tiles, UserFilter};
use crate::state::{use_population, AppState};

/// Which status a tile counts, as the registration details filter it.
#[derive(Clone, Copy)]
enum TileStatus {
    Registered,
    Enabled,
    Capable,
}

#[component]
pub fn TileRow(
    /// The model's tiles for the current population (`None` while nothing is loaded).
    tiles: Memo<Option<Tiles>>,
    /// The MFA tiles to show beside them (spec §3.7), when the screen has them.
    #[prop(optional)]
    mfa: Option<Memo<Option<MfaTiles>>>,
) -> impl IntoView {
    let state = AppState::expect();
    let population = use_population();
    let href = move |status: TileStatus| {
        let mut filter = UserFilter {
            population: population.get(),
            ..UserFilter::default()
        };
        match status {
            TileStatus::Registered => filter.registered = Some(true),
            TileStatus::Enabled => filter.enabled = Some(true),
            TileStatus::Capable => filter.capable = Some(true),
        }
        state.href(&registrations_href(&filter))
    };
    let tile = move |kind: &'static str,
                     title: &'static str,
                     status: TileStatus,
                     pick: fn(&Tiles) -> &Tile| {
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
                <h2 class="tile-title">
                    <a class="tile-link" href=move || href(status)>{title}</a>
                </h2>
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
        <section
            class=if mfa.is_some() { "tiles with-mfa" } else { "tiles" }
            aria-label="Registration state"
        >
            {tile("registered", "Users registered", TileStatus::Registered, |t| &t.registered)}
            {tile("enabled", "Users enabled", TileStatus::Enabled, |t| &t.enabled)}
            {tile("capable", "Users capable", TileStatus::Capable, |t| &t.capable)}
            {mfa.map(|tiles| view! { <MfaTileCards tiles=tiles/> })}
        </section>
    }
}
