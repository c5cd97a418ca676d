//! `/attempts` — password-reset attempts rebuilt from the audit log (spec §2.1, §4.3): the
//! funnel and the outcomes (each bar and number a link to the attempts behind it), the trend,
//! the audit log's insights, and the list of attempts (admin resets and password changes under
//! their own outcomes) with search, filters, sort, "N of M", Download CSV, all in the URL; an
//! attempt opens with its steps. The model computes everything; this page lays it out.

use leptos::html;
use leptos::prelude::*;

use crate::components::attempt_trend_chart::AttemptTrendChart;
use crate::components::count_chart::{CountChart, CountRow, Tone};
use crate::components::format::{count, local_time};
use crate::components::insights::InsightList;
use crate::components::list_controls::{options_with_all, FilterChip, FilterSelect};
use crate::components::virtual_table::Cell;
use crate::model::audit::export::attempts_csv;
use crate::model::audit::filter::{attempt_methods, attempts_href};
use crate::model::audit::insights::audit_insights;
use crate::model::audit::{
    attempt_funnel, attempt_outcomes, attempt_trend, AttemptFilter, AuditResult, Outcome,
};
use crate::model::query::key;
use crate::model::{format_utc, Dataset, Method};
use crate::pages::lists::{ListDescription, ListPage, ListState};
use crate::state::{use_period, use_population, AppState};

/// The attempts list, as the shared list page sees it.
static ATTEMPTS: ListDescription<AttemptFilter> = ListDescription {
    id: "attempts",
    title: "Reset attempts",
    noun: "entries",
    search_label: "Search people",
    no_rows: "The loaded data has no audit log. Upload the portal's audit-log download (CSV or JSON) or a Log Analytics AuditLogs export, or fetch the audit log from the report backend, on the data screen.",
    has_period: true,
    scope: |f| {
        format!(
            "{} · {} · last {}",
            f.population.users.label(),
            f.population.roles.label(),
            f.period.label()
        )
    },
    cells: attempt_cells,
    csv: attempts_csv,
};

fn tone(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Succeeded | Outcome::Unlocked => "success",
        o if o.is_failure() => "failure",
        _ => "neutral",
    }
}

fn methods_text(methods: &[Method]) -> String {
    let labels: Vec<String> = methods.iter().map(Method::label).collect();
    labels.join(", ")
}

/// The cells of one entry's row (the date in the browser's zone; the list page makes it the
/// link that opens the entry's steps).
fn attempt_cells(ds: &Dataset, entry: u32) -> Vec<Cell> {
    let a = ds.attempt(entry);
    let methods = methods_text(&a.methods_tried());
    let reason = a.reason();
    vec![
        Cell::new(local_time(a.time()))
            .class("time")
            .title(format_utc(a.time())),
        Cell::new(a.name()).class("strong"),
        Cell::new(a.user_name()),
        Cell::new(a.outcome().label()).class(tone(a.outcome())),
        if methods.is_empty() {
            Cell::new("—").class("dim")
        } else {
            Cell::new(methods)
        },
        Cell::new(count(a.step_count())).class("number"),
        if a.ip().is_empty() {
            Cell::new("—").class("dim")
        } else {
            Cell::new(a.ip())
        },
        Cell::new(reason).title(reason),
    ]
}

/// One step as the steps table shows it.
#[derive(Clone, PartialEq)]
struct StepView {
    iso: String,
    time: String,
    activity: String,
    result: AuditResult,
    reason: String,
    ip: String,
    agent: String,
}

/// An open entry as its panel shows it.
#[derive(Clone, PartialEq)]
struct OpenAttempt {
    who: String,
    outcome: Outcome,
    reason: String,
    tried: String,
    completed: String,
    ip: String,
    stage: Option<&'static str>,
    steps: Vec<StepView>,
}

impl OpenAttempt {
    fn of(ds: &Dataset, entry: u32) -> OpenAttempt {
        let a = ds.attempt(entry);
        let who = match (a.name(), a.user_name()) {
            ("", "") => "an unnamed user".to_string(),
            (name, "") | ("", name) => name.to_string(),
            (name, user_name) => format!("{name} ({user_name})"),
        };
        OpenAttempt {
            who,
            outcome: a.outcome(),
            reason: a.reason().to_string(),
            tried: methods_text(&a.methods_tried()),
            completed: methods_text(&a.methods_completed()),
            ip: a.ip().to_string(),
            stage: a.stage().map(|s| s.label()),
            steps: a
                .steps()
                .map(|s| StepView {
                    iso: format_utc(s.time()),
                    time: local_time(s.time()),
                    activity: s.activity().to_string(),
                    result: s.result(),
                    reason: s.reason().to_string(),
                    ip: s.ip().to_string(),
                    agent: s.agent().to_string(),
                })
                .collect(),
        }
    }
}

/// The open entry's steps, above the list's rows; the focus moves to it when it opens.
#[component]
fn AttemptSteps(list: ListState<AttemptFilter>) -> impl IntoView {
    let state = AppState::expect();
    let key = Memo::new(move |_| list.url_filter.with(|f| f.open.clone()));
    let open = Memo::new(move |_| {
        let key = key.get()?;
        Some(state.dataset.with(|d| {
            d.as_deref()
                .and_then(|ds| ds.find_attempt(&key).map(|i| OpenAttempt::of(ds, i)))
        }))
    });
    let close = move || state.href(&attempts_href(&list.url_filter.with(|f| f.opened(None))));
    let heading = NodeRef::<html::H2>::new();
    Effect::new(move |_| {
        if key.with(Option::is_some) {
            if let Some(h) = heading.get() {
                let _ = h.focus();
            }
        }
    });
    move || {
        open.get().map(|found| {
            let body = match found {
                None => view! {
                    <p class="muted">"That attempt is not in the loaded data."</p>
                }
                .into_any(),
                Some(a) => {
                    let rows = a
                        .steps
                        .iter()
                        .map(|s| {
                            let result_class = match s.result {
                                AuditResult::Success => "success",
                                AuditResult::Failure | AuditResult::Timeout => "failure",
                                AuditResult::Other => "dim",
                            };
                            let agent = (!s.agent.is_empty())
                                .then(|| format!(" (on-premises agent: {})", s.agent));
                            view! {
                                <tr>
                                    <th scope="row"><time datetime=s.iso.clone() title=s.iso.clone()>{s.time.clone()}</time></th>
                                    <td data-label="Activity">{s.activity.clone()}</td>
                                    <td data-label="Result" class=result_class>{s.result.label()}</td>
                                    <td data-label="Reason">{s.reason.clone()}{agent}</td>
                                    <td data-label="IP address">{s.ip.clone()}</td>
                                </tr>
                            }
                        })
                        .collect_view();
                    view! {
                        <dl class="attempt-facts">
                            <div><dt>"Outcome"</dt><dd class=tone(a.outcome) data-fact="outcome">{a.outcome.label()}</dd></div>
                            <div><dt>"Reason"</dt><dd data-fact="reason">{a.reason.clone()}</dd></div>
                            {a.stage.map(|s| view! { <div><dt>"Furthest stage"</dt><dd data-fact="stage">{s}</dd></div> })}
                            <div><dt>"Methods tried"</dt><dd>{if a.tried.is_empty() { "—".to_string() } else { a.tried.clone() }}</dd></div>
                            <div><dt>"Methods completed"</dt><dd>{if a.completed.is_empty() { "—".to_string() } else { a.completed.clone() }}</dd></div>
                            <div><dt>"IP address"</dt><dd>{if a.ip.is_empty() { "—".to_string() } else { a.ip.clone() }}</dd></div>
                        </dl>
                        <div class="steps-scroll">
                            <table class="steps">
                                <caption>{format!("Steps of the attempt of {}", a.who)}</caption>
                                <thead>
                                    <tr>
                                        <th scope="col">"Time"</th>
                                        <th scope="col">"Activity"</th>
                                        <th scope="col">"Result"</th>
                                        <th scope="col">"Reason"</th>
                                        <th scope="col">"IP address"</th>
                                    </tr>
                                </thead>
                                <tbody>{rows}</tbody>
                            </table>
                        </div>
                    }
                    .into_any()
                }
            };
            view! {
                <section class="attempt-steps" aria-labelledby="attempt-steps-title">
                    <div class="attempt-steps-head">
                        <h2 id="attempt-steps-title" tabindex="-1" node_ref=heading>"The attempt, step by step"</h2>
                        <a class="link-button" href=close()>"Close"</a>
                    </div>
                    {body}
                </section>
            }
        })
    }
}

/// The funnel, the outcomes, the trend and the audit log's insights, for the period and
/// population in the URL.
#[component]
fn AttemptCharts() -> impl IntoView {
    let state = AppState::expect();
    let period = use_period();
    let population = use_population();
    let base = move || AttemptFilter {
        period: period.get(),
        population: population.get(),
        ..AttemptFilter::default()
    };
    let funnel = Memo::new(move |_| {
        let base = base();
        state.dataset.with(|d| {
            d.as_deref()
                .map(|ds| {
                    attempt_funnel(ds, base.period, base.population)
                        .into_iter()
                        .map(|row| CountRow {
                            id: row.stage.number().to_string(),
                            label: row.stage.label().to_string(),
                            value: row.attempts,
                            tone: Tone::Good,
                            href: attempts_href(&AttemptFilter {
                                stage: Some(row.stage),
                                ..base.clone()
                            }),
                        })
                        .collect()
                })
                .unwrap_or_default()
        })
    });
    let outcomes = Memo::new(move |_| {
        let base = base();
        state.dataset.with(|d| {
            d.as_deref()
                .map(|ds| {
                    attempt_outcomes(ds, base.period, base.population)
                        .into_iter()
                        .map(|(outcome, n)| CountRow {
                            id: outcome.id().to_string(),
                            label: outcome.label().to_string(),
                            value: n,
                            tone: match tone(outcome) {
                                "success" => Tone::Good,
                                "failure" => Tone::Bad,
                                _ => Tone::Neutral,
                            },
                            href: attempts_href(&AttemptFilter {
                                outcome: Some(outcome),
                                ..base.clone()
                            }),
                        })
                        .collect()
                })
                .unwrap_or_default()
        })
    });
    let trend = Memo::new(move |_| {
        let (period, population) = (period.get(), population.get());
        state
            .dataset
            .with(|d| d.as_deref().map(|ds| attempt_trend(ds, period, population)))
    });
    let insights = Memo::new(move |_| {
        let (period, population) = (period.get(), population.get());
        state.dataset.with(|d| {
            d.as_deref()
                .map(|ds| audit_insights(ds, period, population))
                .unwrap_or_default()
        })
    });
    let has_audit = move || {
        state
            .dataset
            .with(|d| d.as_deref().is_some_and(|ds| !ds.audit().is_empty()))
    };
    view! {
        <Show when=has_audit>
            <div class="overview-grid attempts-grid">
                <CountChart
                    title="Reset attempt funnel"
                    slug="funnel"
                    noun="attempts"
                    label_header="Stage"
                    value_header="Attempts"
                    empty="No reset attempts in this period for this population."
                    rows=funnel
                />
                <CountChart
                    title="Reset attempt outcomes"
                    slug="outcomes"
                    noun="entries"
                    label_header="Outcome"
                    value_header="Entries"
                    empty="No reset attempts, admin resets or password changes in this period for this population."
                    rows=outcomes
                />
                <AttemptTrendChart trend=trend/>
                <InsightList insights=insights/>
            </div>
        </Show>
    }
}

#[component]
pub fn Attempts() -> impl IntoView {
    let state = AppState::expect();
    let list = ListState::new(&ATTEMPTS);

    let methods_in_data = Memo::new(move |_| {
        state
            .dataset
            .with(|d| d.as_deref().map(attempt_methods).unwrap_or_default())
    });
    let method_options = Signal::derive(move || {
        let mut methods = methods_in_data.get();
        if let Some(m) = list.url_filter.get().method {
            if !methods.contains(&m) {
                methods.push(m);
            }
        }
        options_with_all(methods.into_iter().map(|m| (m.id(), m.label())))
    });
    let filters = view! {
        <FilterSelect
            label="Outcome"
            name=key::OUTCOME
            options=options_with_all(Outcome::ALL.map(|o| (o.id(), o.label())))
            current=Signal::derive(move || list.url_filter.with(|f| f.outcome.map(|o| o.id().to_string()).unwrap_or_default()))
            on_change=Callback::new(move |v: String| {
                let outcome = Outcome::parse(&v);
                list.apply(|f| f.outcome = outcome);
            })
        />
        <FilterSelect
            label="Method"
            name=key::METHOD
            options=method_options
            current=Signal::derive(move || list.url_filter.with(|f| f.method.as_ref().map(Method::id).unwrap_or_default()))
            on_change=Callback::new(move |v: String| {
                let method = Method::parse(&v);
                list.apply(|f| f.method = method);
            })
        />
    }
    .into_any();
    let chip = |text: fn(&AttemptFilter) -> Option<String>| {
        Signal::derive(move || list.url_filter.with(text))
    };
    let chips = view! {
        <FilterChip
            text=chip(|f| f.ip.as_ref().map(|ip| format!("IP address {ip}")))
            on_remove=Callback::new(move |()| list.apply(|f| f.ip = None))
        />
        <FilterChip
            text=chip(|f| f.stage.map(|s| format!("Reached \u{201c}{}\u{201d}", s.label())))
            on_remove=Callback::new(move |()| list.apply(|f| f.stage = None))
        />
        <FilterChip
            text=chip(|f| f.stopped.map(|s| format!("Stopped after \u{201c}{}\u{201d}", s.label())))
            on_remove=Callback::new(move |()| list.apply(|f| f.stopped = None))
        />
        <FilterChip
            text=chip(|f| f.repeat.map(|n| format!("People with {} or more of these", count(n as usize))))
            on_remove=Callback::new(move |()| list.apply(|f| f.repeat = None))
        />
        <FilterChip
            text=chip(|f| f.after_change.then(|| "Resets within 24 hours after a security-info change".to_string()))
            on_remove=Callback::new(move |()| list.apply(|f| f.after_change = false))
        />
    }
    .into_any();
    let no_match = Signal::derive(move || {
        format!(
            "No attempts in the last {} match these filters.",
            list.url_filter.with(|f| f.period.label())
        )
    });
    view! {
        <ListPage
            list=list
            filters=filters
            chips=chips
            no_match=no_match
            head=view! { <AttemptCharts/> }.into_any()
            detail=view! { <AttemptSteps list=list/> }.into_any()
        />
    }
}
