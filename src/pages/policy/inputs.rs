//! The what-if inputs on screen (spec §4.2): how the uploaded member list matched the loaded
//! users (the rows it could not match listed), what the uploaded authentication methods policy
//! lets count, the upload control of the what-if screen, and the data screen's card of what is
//! loaded (with Remove). The inputs come in through the ordinary upload (`data::loads`); the
//! words are `pages::policy_words`'.

use leptos::html;
use leptos::prelude::*;

use crate::components::format::count;
use crate::data::loads::DataLoads;
use crate::model::policy::{GroupMatch, ScopeChoice};
use crate::model::query::path;
use crate::model::Scenario;
use crate::pages::data::{file_list, notice_view, upload_notice};
use crate::pages::policy_words::{configurations_summary, group_summary, migration_state, sources};
use crate::state::AppState;

/// At most this many unmatched rows are listed (all are counted).
const LISTED_UNMATCHED: usize = 100;

/// Under the scope control, when the scope is the uploaded group: how its member list matched.
#[component]
pub fn GroupStatus(group: Memo<Option<GroupMatch>>, scenario: Memo<Scenario>) -> impl IntoView {
    let state = AppState::expect();
    let status = move || {
        if scenario.with(|s| s.scope != ScopeChoice::Group) {
            return None;
        }
        let view = state.inputs.with(|inputs| match &inputs.members {
            None => view! {
                <p class="input-status missing" data-input="members">
                    "No member list is loaded: until one is, nobody but administrators is enabled. Upload Graph's /groups/{id}/transitiveMembers pages or the portal's members download below."
                </p>
            }
            .into_any(),
            Some(list) => {
                let (summary, unmatched) = group.with(|g| match g {
                    Some(g) => {
                        let rows: Vec<String> = g
                            .unmatched
                            .iter()
                            .take(LISTED_UNMATCHED)
                            .map(|&i| {
                                let row = list.row(i);
                                match (row.user_name.is_empty(), row.name.is_empty()) {
                                    (false, true) => row.user_name.to_string(),
                                    (false, false) => format!("{} ({})", row.user_name, row.name),
                                    (true, _) => format!("object id {}", row.id),
                                }
                            })
                            .collect();
                        (group_summary(list, g), (g.unmatched.len(), rows))
                    }
                    None => (String::new(), (0, Vec::new())),
                });
                let (total, rows) = unmatched;
                let more = total.saturating_sub(rows.len());
                view! {
                    <div class="input-status" data-input="members">
                        <p>
                            <strong>{sources(list)}</strong> " — " <span data-group-summary>{summary}</span>
                        </p>
                        {(total > 0).then(|| view! {
                            <details class="unmatched">
                                <summary>{format!("Rows that match no loaded user ({})", count(total))}</summary>
                                <ul>{rows.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}</ul>
                                {(more > 0).then(|| view! { <p class="muted">{format!("… and {} more", count(more))}</p> })}
                            </details>
                        })}
                    </div>
                }
                .into_any()
            }
        });
        Some(view)
    };
    view! { {status} }
}

/// Under the authentication methods policy switch, when it is on: what the uploaded policy lets
/// count, group by group.
#[component]
pub fn MethodsPolicyStatus(scenario: Memo<Scenario>) -> impl IntoView {
    let state = AppState::expect();
    let status = move || {
        if !scenario.with(|s| s.methods_policy) {
            return None;
        }
        let view = state.inputs.with(|inputs| match &inputs.methods_policy {
            None => view! {
                <p class="input-status missing" data-input="methods-policy">
                    "No authentication methods policy is loaded: every method counts until you upload Graph's /policies/authenticationMethodsPolicy below."
                </p>
            }
            .into_any(),
            Some(policy) => {
                let groups = policy
                    .sspr_groups()
                    .into_iter()
                    .map(|g| {
                        let verdict = if g.counts { "counts" } else { "does not count" };
                        view! {
                            <li data-group=g.group.id() class:off=!g.counts>
                                <strong>{format!("{}: {verdict}", g.group.label())}</strong>
                                " — " {g.because}
                            </li>
                        }
                    })
                    .collect_view();
                let partly = policy.partly_targeted();
                let partly = (!partly.is_empty()).then(|| {
                    view! {
                        <p class="muted">
                            {format!(
                                "Enabled for some groups only, counted here as if for everyone: {}.",
                                partly.join(", ")
                            )}
                        </p>
                    }
                });
                view! {
                    <div class="input-status" data-input="methods-policy">
                        <p><strong>{policy.source.clone()}</strong> " — " {migration_state(policy)}</p>
                        <ul class="group-states">{groups}</ul>
                        {partly}
                    </div>
                }
                .into_any()
            }
        });
        Some(view)
    };
    view! { {status} }
}

/// The what-if screen's upload: a member list or the policy, through the ordinary upload (a
/// file of registration data chosen here loads as on the data screen).
#[component]
pub fn InputsUpload() -> impl IntoView {
    let state = AppState::expect();
    let loads = DataLoads::expect();
    let input = NodeRef::<html::Input>::new();
    let on_choose = move |_| {
        let Some(input) = input.get() else { return };
        let files = file_list(input.files());
        input.set_value("");
        loads.start_upload(state, files);
    };
    let notice = move || {
        loads
            .upload
            .with(|stage| upload_notice(stage).map(notice_view))
    };
    view! {
        <div class="inputs-upload">
            <input
                id="policy-upload-input"
                class="visually-hidden"
                type="file"
                multiple
                accept=".json,.ndjson,.jsonl,.csv,.txt,application/json,text/csv"
                node_ref=input
                on:change=on_choose
            />
            <label class="button secondary" for="policy-upload-input">
                "Upload a member list or the methods policy…"
            </label>
            <p class="muted">
                "Or drop the files anywhere on this page. Each file's details are on "
                <a href=move || state.href(path::DATA)>"Data"</a> "."
            </p>
            {notice}
        </div>
    }
}

/// The data screen's card of the what-if inputs loaded, each with Remove.
#[component]
pub fn InputsCard() -> impl IntoView {
    let state = AppState::expect();
    let members = move || {
        state.inputs.with(|inputs| {
            inputs.members.as_ref().map(|list| {
                let matched = state.dataset.with(|d| {
                    d.as_deref()
                        .map(|ds| group_summary(list, &list.resolve(ds)))
                        .unwrap_or_else(|| format!("{} rows", count(list.len())))
                });
                view! {
                    <li data-input="members">
                        <p>
                            <strong>"Group members: "</strong> {sources(list)} <br/>
                            <span class="muted">{matched}</span>
                        </p>
                        <button
                            type="button"
                            class="button secondary"
                            on:click=move |_| state.inputs.update(|i| i.members = None)
                        >
                            "Remove"
                        </button>
                    </li>
                }
            })
        })
    };
    let policy = move || {
        state.inputs.with(|inputs| {
            inputs.methods_policy.as_ref().map(|policy| {
                view! {
                    <li data-input="methods-policy">
                        <p>
                            <strong>"Authentication methods policy: "</strong> {policy.source.clone()} <br/>
                            <span class="muted">
                                {format!("{}. {}", configurations_summary(policy), migration_state(policy))}
                            </span>
                        </p>
                        <button
                            type="button"
                            class="button secondary"
                            on:click=move |_| state.inputs.update(|i| i.methods_policy = None)
                        >
                            "Remove"
                        </button>
                    </li>
                }
            })
        })
    };
    let empty = move || state.inputs.with(|i| i.is_empty());
    view! {
        <section class="card data-inputs" aria-labelledby="inputs-heading">
            <h2 id="inputs-heading">"What-if inputs"</h2>
            <p class="muted">
                "Used on " <a href=move || state.href(path::POLICY)>"What if"</a>
                ". A new member list or policy replaces the one before; replacing the registration data keeps them; Clear removes them."
            </p>
            <p class="empty-state" prop:hidden=move || !empty()>
                "None loaded. Upload a group's member list or the authentication methods policy above."
            </p>
            <ul class="input-list" prop:hidden=empty>
                {members}
                {policy}
            </ul>
        </section>
    }
}
