//! `/registrations` — registration details, one row a user (spec §2): search, a filter per column
//! (registered, enabled, capable, methods, and the MFA columns of spec §3.7), sort by any column,
//! "N of M", Download CSV. Every choice lives in the URL query; the shared list page (`lists`)
//! does the work both lists share.

use leptos::prelude::*;

use super::{ListDescription, ListPage, ListState};
use crate::components::format::local_time;
use crate::components::list_controls::{
    options_with_all, yes_no_options, yes_no_value, FilterChip, FilterSelect, MethodPicker,
};
use crate::components::virtual_table::Cell;
use crate::model::export::registrations_csv;
use crate::model::lists::user_methods;
use crate::model::mfa::filter::default_methods;
use crate::model::mfa::MfaFlag;
use crate::model::query::{default_method_id, default_method_of, key, policy_href};
use crate::model::words::parse_yes_no;
use crate::model::{format_utc, Dataset, Method, UserFilter};
use crate::state::AppState;

/// The registration details list, as the shared list page sees it.
static REGISTRATIONS: ListDescription<UserFilter> = ListDescription {
    id: "registrations",
    title: "Registration details",
    noun: "users",
    search_label: "Search users",
    no_rows: "The loaded data has no registration details.",
    has_period: false,
    scope: |f| {
        format!(
            "{} · {}",
            f.population.users.label(),
            f.population.roles.label()
        )
    },
    cells: user_cells,
    csv: registrations_csv,
};

/// The cells of one user's row, as the list shows them (times in the browser's zone).
fn user_cells(ds: &Dataset, user: u32) -> Vec<Cell> {
    let u = ds.user(user);
    let yes_no = |b: bool| {
        if b {
            Cell::new("Yes").class("yes")
        } else {
            Cell::new("No").class("no")
        }
    };
    let methods: Vec<String> = u.methods().map(|m| m.label()).collect();
    let methods = methods.join(", ");
    vec![
        Cell::new(u.name()).class("strong"),
        Cell::new(u.user_name()),
        yes_no(u.registered()),
        yes_no(u.enabled()),
        yes_no(u.capable()),
        Cell::new(methods.clone()).title(methods),
        Cell::new(u.user_type().label()),
        if u.is_admin() {
            Cell::new("Yes").class("admin")
        } else {
            Cell::new("No").class("dim")
        },
        match u.last_updated() {
            Some(t) => Cell::new(local_time(t)).class("time").title(format_utc(t)),
            None => Cell::new("—").class("dim"),
        },
        mfa_flag_cell(u.mfa(MfaFlag::Registered)),
        mfa_flag_cell(u.mfa(MfaFlag::Capable)),
        mfa_flag_cell(u.mfa(MfaFlag::Passwordless)),
        match u.mfa_default() {
            None => not_in_data(),
            Some(None) => Cell::new("None").class("dim"),
            Some(Some(method)) => Cell::new(method.label()),
        },
        match u.system_preferred_summary() {
            None => not_in_data(),
            Some(text) => Cell::new(text.clone()).title(text),
        },
    ]
}

/// A field the user's record does not carry: "—", never "No".
fn not_in_data() -> Cell {
    Cell::new("—").class("dim").title("Not in the loaded data")
}

fn mfa_flag_cell(value: Option<bool>) -> Cell {
    match value {
        Some(true) => Cell::new("Yes").class("yes"),
        Some(false) => Cell::new("No").class("no"),
        None => not_in_data(),
    }
}

/// A yes/no column's filter: which flag it reads and writes.
type Flag = fn(&mut UserFilter) -> &mut Option<bool>;

#[component]
pub fn Registrations() -> impl IntoView {
    let state = AppState::expect();
    let list = ListState::new(&REGISTRATIONS);

    // One pass over the users per dataset, not per filter change.
    let methods_in_data = Memo::new(move |_| {
        state
            .dataset
            .with(|d| d.as_deref().map(user_methods).unwrap_or_default())
    });
    let methods_offered = Signal::derive(move || {
        let mut methods = methods_in_data.get();
        // A method from a link that the data lacks is still offered, so it can be unchecked.
        for m in list.url_filter.get().methods {
            if !methods.contains(&m) {
                methods.push(m);
            }
        }
        methods
            .into_iter()
            .map(|m| (m.id(), m.label()))
            .collect::<Vec<_>>()
    });

    // The default MFA methods some user has, and one a link names that the data lacks.
    let default_methods_in_data = Memo::new(move |_| {
        state
            .dataset
            .with(|d| d.as_deref().map(default_methods).unwrap_or_default())
    });
    let default_methods_offered = Signal::derive(move || {
        let mut methods = default_methods_in_data.get();
        if let Some(method) = list.url_filter.get().mfa.default_method {
            if !methods.contains(&method) {
                methods.push(method);
            }
        }
        options_with_all(methods.iter().map(|m| {
            let label = m.as_ref().map_or_else(|| "None".to_string(), Method::label);
            (default_method_id(m), label)
        }))
    });

    let yes_no_filter =
        move |label: &'static str, name: &'static str, yes: &str, no: &str, flag: Flag| {
            view! {
                <FilterSelect
                    label=label
                    name=name
                    options=yes_no_options(yes, no)
                    current=Signal::derive(move || yes_no_value(*flag(&mut list.url_filter.get())))
                    on_change=Callback::new(move |value: String| {
                        let value = parse_yes_no(&value);
                        list.apply(|f| *flag(f) = value);
                    })
                />
            }
        };
    let filters = view! {
        {yes_no_filter("Registered", key::REGISTERED, "Registered", "Not registered", |f| &mut f.registered)}
        {yes_no_filter("Enabled", key::ENABLED, "Enabled", "Not enabled", |f| &mut f.enabled)}
        {yes_no_filter("Capable", key::CAPABLE, "Capable", "Not capable", |f| &mut f.capable)}
        <MethodPicker
            options=methods_offered
            checked=Signal::derive(move || list.url_filter.with(|f| f.methods.iter().map(Method::id).collect::<Vec<_>>()))
            on_change=Callback::new(move |ids: Vec<String>| {
                let methods: Vec<Method> = ids.iter().filter_map(|id| Method::parse(id)).collect();
                list.apply(|f| f.methods = methods);
            })
        />
        {yes_no_filter("MFA registered", key::MFA_REGISTERED, "Registered", "Not registered", |f| &mut f.mfa.registered)}
        {yes_no_filter("MFA capable", key::MFA, "Capable", "Not capable", |f| &mut f.mfa.capable)}
        {yes_no_filter("Passwordless capable", key::PASSWORDLESS, "Capable", "Not capable", |f| &mut f.mfa.passwordless)}
        {yes_no_filter("System-preferred MFA", key::SYSTEM_PREFERRED, "On", "Off", |f| &mut f.mfa.system_preferred)}
        <FilterSelect
            label="Default MFA method"
            name=key::DEFAULT_METHOD
            options=default_methods_offered
            current=Signal::derive(move || {
                list.url_filter
                    .with(|f| f.mfa.default_method.as_ref().map(default_method_id).unwrap_or_default())
            })
            on_change=Callback::new(move |value: String| {
                let method = default_method_of(&value);
                list.apply(|f| f.mfa.default_method = method);
            })
        />
    }
    .into_any();
    let admin_rule = Signal::derive(move || {
        list.url_filter.with(|f| f.admin_rule).map(|satisfied| {
            if satisfied {
                "Admins whose methods satisfy the administrator rule"
            } else {
                "Admins whose methods do not satisfy the administrator rule"
            }
            .to_string()
        })
    });
    // The what-if screen's lists: the scenario is in the URL, and it opens again from here.
    let whatif = Signal::derive(move || {
        list.url_filter
            .with(|f| f.whatif.as_ref().map(|w| w.describe()))
    });
    let scenario_href = move || {
        list.url_filter.with(|f| {
            f.whatif
                .as_ref()
                .map(|w| state.href(&policy_href(&w.scenario, f.population)))
                .unwrap_or_default()
        })
    };
    let phone_only = Signal::derive(move || {
        list.url_filter
            .with(|f| f.mfa.phone_only)
            .then(|| "Users whose only MFA methods are SMS or voice calls".to_string())
    });
    let chips = view! {
        <FilterChip
            text=admin_rule
            on_remove=Callback::new(move |()| list.apply(|f| f.admin_rule = None))
        />
        <FilterChip
            text=whatif
            on_remove=Callback::new(move |()| list.apply(|f| f.whatif = None))
        />
        <li class="chip-link" prop:hidden=move || whatif.with(Option::is_none)>
            <a href=scenario_href>"Open the scenario in What if"</a>
        </li>
        <FilterChip
            text=phone_only
            on_remove=Callback::new(move |()| list.apply(|f| f.mfa.phone_only = false))
        />
    }
    .into_any();
    view! {
        <ListPage
            list=list
            filters=filters
            chips=chips
            no_match="No users match these filters.".to_string()
        />
    }
}
