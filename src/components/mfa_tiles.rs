//! The MFA tiles beside the SSPR ones (spec §3.7): **Users capable of MFA** and **Users capable of
//! passwordless**, each with its count, its share of the population and the model's line, or
//! "Not in the loaded data" when no record of the population carries the field (never a 0 that
//! would read as "nobody"); when only some records lack it, a note says for how many. Each tile
//! opens the registration details filtered to that field being yes.

use leptos::prelude::*;

use super::format::{count, percent};
use crate::model::mfa::filter::MfaFilter;
use crate::model::mfa::tiles::{FlagTile, MfaTiles};
use crate::model::query::registrations_href;
use crate::model::words::plural;
use crate::model::UserFilter;
use crate::state::{use_population, AppState};

/// What a tile shows in place of its count when the data does not say.
pub const NOT_IN_DATA: &str = "Not in the loaded data";

/// The two MFA tiles, as articles for the tile row's grid.
#[component]
pub fn MfaTileCards(
    /// The model's MFA tiles for the current population (`None` while nothing is loaded).
    tiles: Memo<Option<MfaTiles>>,
) -> impl IntoView {
    let state = AppState::expect();
    let population = use_population();
    let tile = move |kind: &'static str,
                     title: &'static str,
                     set: fn(&mut MfaFilter),
                     pick: fn(&MfaTiles) -> &FlagTile| {
        let href = move || {
            let mut filter = UserFilter {
                population: population.get(),
                ..UserFilter::default()
            };
            set(&mut filter.mfa);
            state.href(&registrations_href(&filter))
        };
        let numbers = move || tiles.with(|t| t.as_ref().map(|t| (pick(t).clone(), t.population)));
        view! {
            <article class="tile" data-tile=kind>
                <h2 class="tile-title">
                    <a class="tile-link" href=href>{title}</a>
                </h2>
                {move || {
                    numbers()
                        .map(|(tile, population)| {
                            if !tile.in_data() {
                                return view! {
                                    <p class="tile-count tile-missing">{NOT_IN_DATA}</p>
                                    <p class="tile-insight">{tile.insight}</p>
                                }
                                .into_any();
                            }
                            let note = (tile.unknown > 0)
                                .then(|| {
                                    format!(
                                        "Not in the loaded data for {} {}",
                                        count(tile.unknown),
                                        plural(tile.unknown, "user", "users")
                                    )
                                });
                            view! {
                                <p class="tile-count">{count(tile.count)}</p>
                                <p class="tile-share">
                                    <span class="share">{percent(tile.share)}</span>
                                    " of "
                                    <span class="population">{count(population)}</span>
                                    " users"
                                </p>
                                {note.map(|note| view! { <p class="tile-note" data-unknown=tile.unknown>{note}</p> })}
                                <p class="tile-insight">{tile.insight}</p>
                            }
                            .into_any()
                        })
                }}
            </article>
        }
    };
    view! {
        {tile("mfa", "Users capable of MFA", |f| f.capable = Some(true), |t| &t.mfa_capable)}
        {tile(
            "passwordless",
            "Users capable of passwordless",
            |f| f.passwordless = Some(true),
            |t| &t.passwordless_capable,
        )}
    }
}
