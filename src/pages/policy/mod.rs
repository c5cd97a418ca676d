//! `/policy` — what if (spec §3.3): the controls of a hypothetical SSPR policy (scope, methods
//! required and allowed, the administrator policy, the authentication methods policy), the tiles
//! under it beside the actual ones, who would gain or lose the ability to reset (links to exactly
//! those users) and which method groups capable users depend on; the rules beside, in the
//! admin's words. Every control is in the URL. The model simulates (`model::policy`); this page
//! lays out its numbers, and the what-if inputs (`inputs`) come in through the ordinary upload.

pub mod inputs;

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::components::format::count;
use crate::components::population_control::PopulationControl;
use crate::data::loads::DataLoads;
use crate::model::policy::{what_if, PolicyTiles, ScopeChoice, WhatIf, WhatIfFilter, WhatIfSide};
use crate::model::query::{policy_query, registrations_href};
use crate::model::{PolicyMethod, Scenario, UserFilter};
use crate::pages::data::watch_drops;
use crate::pages::policy_words::{
    capable_summary, dependency_text, difference, gain_text, lose_text,
};
use crate::state::{use_population, AppState, HistoryEntry, QueryNavigator};
use inputs::{GroupStatus, InputsUpload, MethodsPolicyStatus};

#[component]
pub fn PolicyPage() -> impl IntoView {
    let state = AppState::expect();
    let loads = DataLoads::expect();
    let location = use_location();
    let nav = QueryNavigator::new();
    let population = use_population();
    let scenario = Memo::new(move |_| location.search.with(|q| Scenario::from_query(q)));
    let dragging = RwSignal::new(false);
    watch_drops(state, loads, dragging);

    // The member list matched with the loaded users: once per dataset and list.
    let group = Memo::new(move |_| {
        state.dataset.with(|d| {
            state.inputs.with(|i| match (d.as_deref(), &i.members) {
                (Some(ds), Some(members)) => Some(members.resolve(ds)),
                _ => None,
            })
        })
    });
    let outcome = Memo::new(move |_| {
        let (scenario, population) = (scenario.get(), population.get());
        group.with(|group| {
            state.inputs.with(|inputs| {
                let policy = scenario.policy(group.as_ref(), inputs.methods_policy.as_ref());
                state
                    .dataset
                    .with(|d| d.as_deref().map(|ds| what_if(ds, &policy, population)))
            })
        })
    });
    let change = move |edit: &dyn Fn(&mut Scenario)| {
        let mut next = scenario.get_untracked();
        edit(&mut next);
        nav.go(
            &policy_query(&next, population.get_untracked()),
            HistoryEntry::New,
        );
    };
    // A list of the users one link of the results means: the scenario in the URL, not ids.
    let list_href = move |side: WhatIfSide, without: Option<PolicyMethod>| {
        let filter = UserFilter {
            population: population.get(),
            whatif: Some(WhatIfFilter {
                scenario: scenario.get(),
                side,
                without,
            }),
            ..UserFilter::default()
        };
        state.href(&registrations_href(&filter))
    };
    let scope_line = move || {
        let p = population.get();
        format!("{} · {}", p.users.label(), p.roles.label())
    };

    view! {
        <div class="page policy-page" class:dragging=move || dragging.get()>
            <div class="page-head">
                <div>
                    <h1>"What if"</h1>
                    <p class="scope muted">{scope_line}</p>
                </div>
                <div class="controls">
                    <PopulationControl/>
                </div>
            </div>
            <div class="policy-grid">
                <form class="card policy-controls" aria-labelledby="scenario-heading" on:submit=|e| e.prevent_default()>
                    <h2 id="scenario-heading">"The scenario"</h2>
                    <ScopeControl scenario=scenario change=change/>
                    <GroupStatus group=group scenario=scenario/>
                    <RequiredControl scenario=scenario change=change/>
                    <AllowedControl scenario=scenario change=change/>
                    <Switch
                        name="methodspolicy"
                        label="Count only methods your authentication methods policy enables"
                        on=Signal::derive(move || scenario.with(|s| s.methods_policy))
                        set=move |on| change(&|s| s.methods_policy = on)
                    />
                    <MethodsPolicyStatus scenario=scenario/>
                    <Switch
                        name="adminpolicy"
                        label="Administrators follow Microsoft's administrator policy"
                        on=Signal::derive(move || scenario.with(|s| s.admin_policy))
                        set=move |on| change(&|s| s.admin_policy = on)
                    />
                    <ScenarioSummary outcome=outcome/>
                    <InputsUpload/>
                </form>
                <div class="policy-results">
                    <Show
                        when=move || state.dataset.with(Option::is_some)
                        fallback=|| view! { <p class="muted no-data">"No data is loaded yet."</p> }
                    >
                        <Comparison outcome=outcome list_href=list_href/>
                        <Dependencies outcome=outcome list_href=list_href/>
                    </Show>
                </div>
                <Rules/>
            </div>
            <div class="drop-overlay" aria-hidden="true">
                <p>"Drop a group's member list or the authentication methods policy"</p>
            </div>
        </div>
    }
}

/// Under the controls, the outcome in one line, announced as it changes: on a phone the results
/// are further down, and a screen reader hears what a change did without leaving the control.
#[component]
fn ScenarioSummary(outcome: Memo<Option<WhatIf>>) -> impl IntoView {
    let text = move || {
        outcome.with(|o| {
            o.as_ref()
                .map(|o| capable_summary(o.actual.capable, o.simulated.capable))
                .unwrap_or_default()
        })
    };
    view! {
        <p class="scenario-summary" role="status" data-scenario-summary>
            <span>{text}</span>
            " "
            <a href="#comparison-heading" prop:hidden=move || outcome.with(Option::is_none)>
                "See the results"
            </a>
        </p>
    }
}

/// Who the scenario enables: a list of radio buttons, each with what it means.
#[component]
fn ScopeControl(
    scenario: Memo<Scenario>,
    change: impl Fn(&dyn Fn(&mut Scenario)) + Copy + 'static,
) -> impl IntoView {
    let options = ScopeChoice::ALL
        .into_iter()
        .map(|choice| {
            let hint = match choice {
                ScopeChoice::AsExported => "each user's Enabled flag in the report",
                ScopeChoice::AllMembers => "every member; guests never",
                ScopeChoice::None => "nobody (administrators still follow their policy)",
                ScopeChoice::Group => "the users of the uploaded member list",
            };
            view! {
                <label class="option">
                    <input
                        type="radio"
                        name="scope"
                        value=choice.id()
                        prop:checked=move || scenario.with(|s| s.scope == choice)
                        on:change=move |_| change(&|s| s.scope = choice)
                    />
                    <span>
                        <strong>{choice.label()}</strong>
                        <span class="muted">{hint}</span>
                    </span>
                </label>
            }
        })
        .collect_view();
    view! {
        <fieldset class="option-list" data-control="scope">
            <legend>"Enabled for SSPR"</legend>
            {options}
        </fieldset>
    }
}

#[component]
fn RequiredControl(
    scenario: Memo<Scenario>,
    change: impl Fn(&dyn Fn(&mut Scenario)) + Copy + 'static,
) -> impl IntoView {
    let segment = move |n: u8, label: &'static str| {
        view! {
            <label class="segment">
                <input
                    type="radio"
                    name="required"
                    value=n.to_string()
                    prop:checked=move || scenario.with(|s| s.methods_required == n)
                    on:change=move |_| change(&|s| s.methods_required = n)
                />
                <span>{label}</span>
            </label>
        }
    };
    view! {
        <fieldset class="segmented" data-control="required">
            <legend>"Methods required to reset"</legend>
            <div class="segments">{segment(1, "1 method")} {segment(2, "2 methods")}</div>
        </fieldset>
    }
}

#[component]
fn AllowedControl(
    scenario: Memo<Scenario>,
    change: impl Fn(&dyn Fn(&mut Scenario)) + Copy + 'static,
) -> impl IntoView {
    let boxes = PolicyMethod::ALL
        .into_iter()
        .map(|group| {
            view! {
                <label class="option">
                    <input
                        type="checkbox"
                        name="allow"
                        value=group.id()
                        prop:checked=move || scenario.with(|s| s.allowed.contains(&group))
                        on:change=move |e| {
                            let on = event_target_checked(&e);
                            change(&|s| {
                                s.allowed = PolicyMethod::ALL
                                    .into_iter()
                                    .filter(|&g| if g == group { on } else { s.allowed.contains(&g) })
                                    .collect();
                            })
                        }
                    />
                    <span>{group.label()}</span>
                </label>
            }
        })
        .collect_view();
    view! {
        <fieldset class="option-list allowed" data-control="allow">
            <legend>"Methods available to users"</legend>
            {boxes}
        </fieldset>
    }
}

/// One on/off setting of the scenario.
#[component]
fn Switch(
    name: &'static str,
    label: &'static str,
    on: Signal<bool>,
    set: impl Fn(bool) + Copy + 'static,
) -> impl IntoView {
    view! {
        <label class="option switch" data-control=name>
            <input
                type="checkbox"
                name=name
                prop:checked=move || on.get()
                on:change=move |e| set(event_target_checked(&e))
            />
            <span>{label}</span>
        </label>
    }
}

/// The actual and simulated tiles side by side with the difference, and who would gain or lose
/// the ability to reset.
#[component]
fn Comparison(
    outcome: Memo<Option<WhatIf>>,
    list_href: impl Fn(WhatIfSide, Option<PolicyMethod>) -> String + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let tile = move |kind: &'static str, title: &'static str, pick: fn(&PolicyTiles) -> usize| {
        let numbers = move || {
            outcome.with(|o| {
                o.as_ref()
                    .map(|o| (pick(&o.actual), pick(&o.simulated), o.actual.population))
                    .unwrap_or_default()
            })
        };
        view! {
            <article class="whatif-tile" data-whatif=kind>
                <h3>{title}</h3>
                <dl>
                    <div>
                        <dt>"Now"</dt>
                        <dd class="actual">{move || count(numbers().0)}</dd>
                    </div>
                    <div>
                        <dt>"What if"</dt>
                        <dd class="simulated">{move || count(numbers().1)}</dd>
                    </div>
                </dl>
                <p class="difference">
                    <span class="visually-hidden">"Difference: "</span>
                    {move || {
                        let (actual, simulated, _) = numbers();
                        difference(actual, simulated)
                    }}
                </p>
            </article>
        }
    };
    let changed = move |side: WhatIfSide| {
        let n = move || {
            outcome.with(|o| {
                o.as_ref().map_or(0, |o| match side {
                    WhatIfSide::Gain => o.gain.len(),
                    WhatIfSide::Lose => o.lose.len(),
                })
            })
        };
        view! {
            <a class="whatif-link" data-whatif-link=side.id() href=move || list_href(side, None)>
                {move || match side {
                    WhatIfSide::Gain => gain_text(n()),
                    WhatIfSide::Lose => lose_text(n()),
                }}
            </a>
        }
    };
    let population = move || outcome.with(|o| o.as_ref().map_or(0, |o| o.actual.population));
    view! {
        <section class="card whatif-comparison" aria-labelledby="comparison-heading">
            <h2 id="comparison-heading">"Now and under the scenario"</h2>
            <p class="muted">{move || format!("Of {} users in the population.", count(population()))}</p>
            <div class="whatif-tiles">
                {tile("registered", "Users registered", |t| t.registered)}
                {tile("enabled", "Users enabled", |t| t.enabled)}
                {tile("capable", "Users capable", |t| t.capable)}
            </div>
            <ul class="whatif-changes">
                <li>{changed(WhatIfSide::Gain)}</li>
                <li>{changed(WhatIfSide::Lose)}</li>
            </ul>
        </section>
    }
}

/// For each allowed group: how many capable users would lose the ability to reset if that group
/// alone were disallowed, each number a link to those users.
#[component]
fn Dependencies(
    outcome: Memo<Option<WhatIf>>,
    list_href: impl Fn(WhatIfSide, Option<PolicyMethod>) -> String + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let rows =
        move || outcome.with(|o| o.as_ref().map(|o| o.dependents.clone()).unwrap_or_default());
    view! {
        <section class="card whatif-dependencies" aria-labelledby="dependencies-heading">
            <h2 id="dependencies-heading">"What capable users depend on"</h2>
            <p class="muted">
                "Users capable under the scenario who could no longer reset if that method alone were disallowed too."
            </p>
            <table class="dependency-table">
                <caption class="visually-hidden">"Users who depend on each allowed method"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Method"</th>
                        <th scope="col" class="num">"Users who depend on it"</th>
                    </tr>
                </thead>
                <tbody>
                    <For each=rows key=|row| *row let:row>
                        <tr data-group=row.0.id()>
                            <th scope="row">{row.0.label()}</th>
                            <td class="num">
                                <a
                                    href=move || list_href(WhatIfSide::Lose, Some(row.0))
                                    aria-label=dependency_text(row.0, row.1)
                                >
                                    {count(row.1)}
                                </a>
                            </td>
                        </tr>
                    </For>
                </tbody>
            </table>
            <p class="muted" prop:hidden=move || !rows().is_empty()>
                "No method is allowed: nobody but administrators can register."
            </p>
        </section>
    }
}

/// The rules of the simulation, in the admin's words.
#[component]
fn Rules() -> impl IntoView {
    view! {
        <aside class="card policy-rules" aria-labelledby="rules-heading">
            <h2 id="rules-heading">"How SSPR decides"</h2>
            <dl>
                <dt>"Methods count in groups"</dt>
                <dd>
                    "SSPR counts the groups of its settings, not single methods. Mobile phone is a mobile number, by text or by call (SMS, phone call, alternate mobile phone all count once); Office phone is a call to the office number; Mobile app notification and Mobile app code are the Microsoft Authenticator app; then Email and Security questions. FIDO2, Windows Hello, Temporary Access Pass and certificates count for none."
                </dd>
                <dt>"Registered"</dt>
                <dd>"At least as many allowed groups among a user's registered methods as the methods required."</dd>
                <dt>"Enabled"</dt>
                <dd>
                    "As exported: the Enabled flag the report carries. All members: every member, never a guest (guests reset in their home tenant). None: nobody. Uploaded group: the users of the member list, matched by object id, then by user name; nested groups count when the list is Graph's /transitiveMembers."
                </dd>
                <dt>"Capable"</dt>
                <dd>"Registered and enabled: the user can reset now."</dd>
                <dt>"Administrators"</dt>
                <dd>
                    "Accounts with an administrator role are always enabled and follow Microsoft's administrator policy, whatever you choose here: two methods, and security questions never count (an attacker who knows an admin's answers could take over the tenant). Turn the administrator policy off to judge them by your scenario instead."
                </dd>
                <dt>"Authentication methods policy"</dt>
                <dd>
                    "Since 30 September 2025 the legacy SSPR method settings are ignored: the authentication methods policy decides which methods count. A method whose configuration is disabled does not count. Security questions are not in that policy yet: the SSPR policy still decides, so here your choice above does."
                </dd>
            </dl>
        </aside>
    }
}
