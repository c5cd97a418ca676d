//! The population control, mirroring Graph's `includedUserTypes` / `includedUserRoles`:
//! users all / members / guests (`?users=`) and roles all / admins / non-admins (`?roles=`).

use leptos::prelude::*;

use super::query_choice::QueryChoice;
use crate::model::query::key;
use crate::model::{RoleKind, UserKind};
use crate::state::use_population;

#[component]
pub fn PopulationControl() -> impl IntoView {
    let population = use_population();
    let users = UserKind::ALL.iter().map(|k| (k.id(), k.label())).collect();
    let roles = RoleKind::ALL.iter().map(|k| (k.id(), k.label())).collect();
    view! {
        <QueryChoice
            legend="Users"
            key=key::USERS
            options=users
            current=Signal::derive(move || population.get().users.id())
        />
        <QueryChoice
            legend="Roles"
            key=key::ROLES
            options=roles
            current=Signal::derive(move || population.get().roles.id())
        />
    }
}
