//! Work the page does for a new dataset in its idle turns, before anyone asks for it: the person
//! ranks a sort by name or user name needs (`model::person_ranks`), a comparison sort of every
//! person that would otherwise delay the first such click by a tenth of a second or more at a
//! large tenant's size. Owns the scheduling only; the ranking is the model's.

use std::sync::Arc;

use leptos::prelude::*;

use crate::data::pause::{sleep, spawn};
use crate::model::person_ranks::RankPeople;
use crate::model::Dataset;

/// Ranks `dataset`'s people by name, then by user name, a step at a time with a browser turn
/// before each (a timer's, so that input and painting come first), for as long as `current`
/// still holds this dataset. A sort that comes first ranks at once; the steps then stop.
pub fn rank_people(dataset: Arc<Dataset>, current: RwSignal<Option<Arc<Dataset>>>) {
    spawn(async move {
        for by_user_name in [false, true] {
            let mut ranking = RankPeople::new(by_user_name);
            loop {
                // The turn first: the screens show the new dataset before the ranking begins.
                sleep(0).await;
                let still_shown = current
                    .try_with_untracked(|d| d.as_ref().is_some_and(|d| Arc::ptr_eq(d, &dataset)))
                    .unwrap_or(false);
                if !still_shown {
                    return;
                }
                if ranking.step(&dataset) {
                    break;
                }
            }
        }
    });
}
