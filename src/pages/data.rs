//! `/data` (spec §2): load data (upload export files, fetch from a report backend, load the
//! sample, clear) and see what is loaded, with the data-quality warnings. The loads themselves
//! live in `data::loads` and the notices' words in `pages::data_notices`; this page only lays
//! them out and forwards the user's choices.

use leptos::either::Either;
use leptos::ev;
use leptos::html;
use leptos::prelude::*;

use crate::components::format::{count, moment};
use crate::data::loads::{DataLoads, FetchStage, UploadStage, TOKEN_FIELD_ID};
use crate::data::upload::{file_size, UploadRow};
use crate::model::Dataset;
use crate::pages::data_notices::{self as notices, Notice, NoticeAction};
use crate::pages::policy::inputs::InputsCard;
use crate::state::{AppState, LoadStatus};

#[component]
pub fn DataPage() -> impl IntoView {
    let state = AppState::expect();
    let loads = DataLoads::expect();
    let dragging = RwSignal::new(false);
    watch_drops(state, loads, dragging);

    view! {
        <div class="page data-page" class:dragging=move || dragging.get()>
            <div class="page-head">
                <div>
                    <h1>"Data"</h1>
                    <p class="scope muted">
                        "Upload exported files, fetch from a report backend, or load the sample."
                    </p>
                </div>
            </div>
            <div class="data-grid">
                <LoadedSummary/>
                <QualityWarnings/>
                <UploadPanel/>
                <BackendPanel/>
                <InputsCard/>
            </div>
            <div class="drop-overlay" aria-hidden="true">
                <p>"Drop the files to analyse them in this browser"</p>
            </div>
        </div>
    }
}

/// Files dropped anywhere on the page are analysed; while files are dragged over it, the page
/// says where they go. (The browser would otherwise open a dropped file in place of the app.)
pub(crate) fn watch_drops(state: AppState, loads: DataLoads, dragging: RwSignal<bool>) {
    let carries_files = |e: &web_sys::DragEvent| {
        e.data_transfer()
            .is_some_and(|dt| dt.types().includes(&"Files".into(), 0))
    };
    // Entering a child element fires `dragenter` on it before `dragleave` on its parent: the drag
    // is over the page while more elements were entered than left.
    let depth = StoredValue::new(0_i32);
    let enter = window_event_listener(ev::dragenter, move |e| {
        if carries_files(&e) {
            depth.update_value(|d| *d += 1);
            dragging.set(true);
        }
    });
    let over = window_event_listener(ev::dragover, move |e| {
        if carries_files(&e) {
            e.prevent_default();
            if let Some(dt) = e.data_transfer() {
                dt.set_drop_effect("copy");
            }
        }
    });
    let leave = window_event_listener(ev::dragleave, move |_| {
        depth.update_value(|d| *d -= 1);
        if depth.get_value() <= 0 {
            depth.set_value(0);
            dragging.set(false);
        }
    });
    let drop = window_event_listener(ev::drop, move |e| {
        depth.set_value(0);
        dragging.set(false);
        if carries_files(&e) {
            e.prevent_default();
            let files = e.data_transfer().and_then(|dt| dt.files());
            loads.start_upload(state, file_list(files));
        }
    });
    on_cleanup(move || {
        enter.remove();
        over.remove();
        leave.remove();
        drop.remove();
    });
}

pub(crate) fn file_list(list: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    list.map(|list| (0..list.length()).filter_map(|i| list.get(i)).collect())
        .unwrap_or_default()
}

/// The summary's lines for a dataset: (label, `data-summary` key, value).
fn summary_lines(ds: &Dataset) -> Vec<(&'static str, &'static str, String)> {
    let span = match ds.event_span() {
        Some((from, to)) => format!("{} – {}", moment(from), moment(to)),
        None => "No events".to_string(),
    };
    let mut lines = vec![
        ("Source", "source", ds.source().label()),
        ("Users", "users", count(ds.user_count())),
        ("Events", "events", count(ds.event_count())),
        (
            "Data as of",
            "as-of",
            ds.as_of_known()
                .map_or_else(|| "Not known: the data has no times".to_string(), moment),
        ),
        ("Events from – to", "span", span),
    ];
    let audit = ds.audit();
    if !audit.is_empty() {
        lines.push(("Audit-log rows", "audit-rows", count(audit.row_count())));
        lines.push((
            "Reset attempts and admin resets",
            "attempts",
            count(audit.entry_count()),
        ));
    }
    lines
}

fn summary_view(ds: &Dataset) -> impl IntoView {
    let lines = summary_lines(ds)
        .into_iter()
        .map(|(label, key, value)| {
            view! {
                <div data-line=key>
                    <dt>{label}</dt>
                    <dd data-summary=key>{value}</dd>
                </div>
            }
        })
        .collect_view();
    let sources = ds
        .sources()
        .iter()
        .map(|s| {
            view! {
                <tr>
                    <th scope="row">{s.name.clone()}</th>
                    <td class="num">{count(s.users)}</td>
                    <td class="num">{count(s.events)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <dl class="summary-grid">{lines}</dl>
        <table class="sources-table">
            <caption>"Sources"</caption>
            <thead>
                <tr>
                    <th scope="col">"Name"</th>
                    <th scope="col" class="num">"Users"</th>
                    <th scope="col" class="num">"Events"</th>
                </tr>
            </thead>
            <tbody>{sources}</tbody>
        </table>
    }
}

#[component]
fn LoadedSummary() -> impl IntoView {
    let state = AppState::expect();
    let loads = DataLoads::expect();
    let sample_loading = move || {
        state
            .status
            .with(|s| matches!(s, LoadStatus::Loading { .. }))
    };
    let has_data = move || state.dataset.with(Option::is_some);
    let summary = move || {
        state.dataset.with(|d| match d.as_deref() {
            Some(ds) => Either::Left(summary_view(ds)),
            None => Either::Right(view! {
                <p class="empty-state" data-summary="empty">
                    "No data is loaded. Upload export files, fetch from a report backend, or load the sample."
                </p>
            }),
        })
    };

    view! {
        <section class="card data-summary" aria-labelledby="loaded-heading">
            <div class="data-card-head">
                <h2 id="loaded-heading">"Loaded data"</h2>
                <div class="card-actions">
                    <button
                        type="button"
                        class="button secondary"
                        data-action="load-sample"
                        disabled=sample_loading
                        on:click=move |_| loads.load_sample(state)
                    >
                        "Load the sample"
                    </button>
                    <button
                        type="button"
                        class="button secondary"
                        data-action="clear"
                        disabled=move || !has_data()
                        on:click=move |_| loads.clear(state)
                    >
                        "Clear"
                    </button>
                </div>
            </div>
            {summary}
        </section>
    }
}

#[component]
fn QualityWarnings() -> impl IntoView {
    let state = AppState::expect();
    let warnings = move || {
        state.dataset.with(|d| {
            let messages = d.as_deref().map(|ds| ds.warnings().messages());
            match messages {
                Some(list) if !list.is_empty() => Either::Left(view! {
                    <ul class="warning-list">
                        {list.into_iter().map(|w| view! { <li>{w}</li> }).collect_view()}
                    </ul>
                }),
                Some(_) => Either::Right(view! { <p class="muted">"No data-quality problems were found."</p> }),
                None => Either::Right(view! { <p class="muted">"Nothing is loaded, so there is nothing to check."</p> }),
            }
        })
    };
    view! {
        <section class="card data-warnings" aria-labelledby="warnings-heading">
            <h2 id="warnings-heading">"Data-quality warnings"</h2>
            {warnings}
        </section>
    }
}

#[component]
fn UploadPanel() -> impl IntoView {
    let state = AppState::expect();
    let loads = DataLoads::expect();
    let input = NodeRef::<html::Input>::new();
    let has_data = move || state.dataset.with(Option::is_some);
    let on_choose = move |_| {
        let Some(input) = input.get() else { return };
        let files = file_list(input.files());
        // Cleared, so that choosing the same file again is a change too.
        input.set_value("");
        loads.start_upload(state, files);
    };
    let mode = move |merge: bool, label: &'static str| {
        view! {
            <label class="segment">
                <input
                    type="radio"
                    name="upload-mode"
                    prop:checked=move || loads.merge.get() == merge
                    disabled=move || merge && !has_data()
                    on:change=move |_| loads.merge.set(merge)
                />
                <span>{label}</span>
            </label>
        }
    };
    let notice = move || {
        loads
            .upload
            .with(|stage| upload_notice(stage).map(notice_view))
    };
    let files = move || {
        loads
            .files
            .with(|rows| rows.iter().map(file_view).collect_view())
    };

    view! {
        <section class="card data-upload" aria-labelledby="upload-heading">
            <h2 id="upload-heading">"Upload export files"</h2>
            <p class="muted">
                "Graph JSON (a response page, a list of pages, an array or NDJSON) or CSV, of registration details or of registration and reset events; several files at once. They are analysed in this browser: nothing is sent anywhere."
            </p>
            <p class="muted">
                "For What if, also a group's members (Graph /members or /transitiveMembers pages, or the portal's members download) or the authentication methods policy (Graph /policies/authenticationMethodsPolicy): they are added beside the loaded data, stay when you replace it, and go with Clear."
            </p>
            <div class="drop-zone">
                <p>"Drop files anywhere on this page, or"</p>
                <input
                    id="upload-input"
                    class="visually-hidden"
                    type="file"
                    multiple
                    accept=".json,.ndjson,.jsonl,.csv,.txt,application/json,text/csv"
                    node_ref=input
                    on:change=on_choose
                />
                <label class="button" for="upload-input">"Choose files…"</label>
            </div>
            <fieldset class="segmented upload-mode">
                <legend>"New files"</legend>
                <div class="segments">
                    {mode(false, "Replace the loaded data")} {mode(true, "Merge with it")}
                </div>
            </fieldset>
            {notice}
            <ul class="upload-files">{files}</ul>
        </section>
    }
}

/// One uploaded file: name, size, kind, records, progress, and its problems with their positions.
fn file_view(row: &UploadRow) -> impl IntoView {
    let status = row.status();
    let unlisted = row.error_count.saturating_sub(row.errors.len());
    let mut errors = row.errors.clone();
    if unlisted > 0 {
        errors.push(format!("… and {} more", count(unlisted)));
    }
    let problem = !errors.is_empty();
    view! {
        <li class="upload-file" class:problem=problem data-file=row.name.clone()>
            <div class="file-head">
                <span class="file-name">{row.name.clone()}</span>
                <span class="file-size muted">{file_size(row.size)}</span>
                <span class="file-kind" class:hidden=row.kind.is_none()>{row.kind.clone()}</span>
            </div>
            <progress
                max="1000"
                value=((row.fraction() * 1000.0).round() as u32).to_string()
                aria-label=format!("{}: {status}", row.name)
            ></progress>
            <p class="file-status" data-records=row.records.to_string()>{status}</p>
            <ul class="file-errors">
                {errors.into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}
            </ul>
        </li>
    }
}

#[component]
fn BackendPanel() -> impl IntoView {
    let state = AppState::expect();
    let loads = DataLoads::expect();
    let running = move || loads.is_fetching();

    let notice = move || {
        loads
            .fetch
            .with(|stage| fetch_notice(stage).map(notice_view))
    };

    view! {
        <section class="card data-backend" aria-labelledby="backend-heading">
            <h2 id="backend-heading">"Fetch from a report backend"</h2>
            <p class="muted">
                "Microsoft Graph, or a server with the same reports API. The token needs one of the roles Reports Reader, Security Reader, Security Administrator or Global Reader (permission AuditLog.Read.All)."
            </p>
            <form
                class="backend-form"
                novalidate
                on:submit=move |e: ev::SubmitEvent| {
                    e.prevent_default();
                    loads.start_fetch(state);
                }
            >
                <label class="form-field">
                    <span>"Base URL"</span>
                    <input
                        type="url"
                        name="base-url"
                        autocomplete="url"
                        spellcheck="false"
                        prop:value=move || loads.base_url.get()
                        on:input=move |e| loads.set_base_url(event_target_value(&e))
                    />
                </label>
                <label class="form-field">
                    <span>"Access token"</span>
                    <input
                        type="password"
                        name="token"
                        autocomplete="off"
                        spellcheck="false"
                        placeholder="Paste a bearer token"
                        id=TOKEN_FIELD_ID
                        prop:value=move || loads.token.get()
                        on:input=move |e| loads.set_token(event_target_value(&e))
                    />
                </label>
                <label class="remember-check">
                    <input
                        type="checkbox"
                        name="remember"
                        prop:checked=move || loads.remember.get()
                        on:change=move |e| loads.set_remember(event_target_checked(&e))
                    />
                    <span>"Remember in this tab"</span>
                    <span class="muted">
                        "(until the tab is closed; otherwise the token is kept in memory only)"
                    </span>
                </label>
                <label class="remember-check">
                    <input
                        type="checkbox"
                        name="audit-log"
                        prop:checked=move || loads.audit_log.get()
                        on:change=move |e| loads.audit_log.set(event_target_checked(&e))
                    />
                    <span>"Also fetch the audit log"</span>
                    <span class="muted">
                        "(auditLogs/directoryAudits of the last 30 days, for the reset attempts; needs AuditLog.Read.All)"
                    </span>
                </label>
                <div class="form-actions">
                    <button type="submit" class="button" data-action="fetch" disabled=running>
                        "Fetch"
                    </button>
                    <button
                        type="button"
                        class="button secondary"
                        data-action="cancel"
                        disabled=move || !running()
                        on:click=move |_| loads.cancel_fetch()
                    >
                        "Cancel"
                    </button>
                </div>
            </form>
            {notice}
        </section>
    }
}

/// The upload panel's notice for the upload's stage (none before the first files).
pub(crate) fn upload_notice(stage: &UploadStage) -> Option<Notice> {
    Some(match stage {
        UploadStage::Idle => return None,
        UploadStage::Analysing => notices::upload_analysing(),
        UploadStage::Building => notices::upload_building(),
        UploadStage::Loaded { files, merged } => notices::upload_loaded(*files, *merged),
        UploadStage::AskFirst { good_records } => notices::upload_has_problems(*good_records),
        UploadStage::NothingToLoad => notices::upload_unreadable(),
        UploadStage::Cancelled => notices::upload_cancelled(),
        UploadStage::Failed(message) => notices::upload_failed(message),
        UploadStage::InputsLoaded { files } => notices::upload_inputs_loaded(*files),
    })
}

/// The backend panel's notice for the fetch's stage (none before the first fetch).
fn fetch_notice(stage: &FetchStage) -> Option<Notice> {
    Some(match stage {
        FetchStage::Idle => return None,
        FetchStage::Running(progress) => notices::fetch_running(progress),
        FetchStage::Done {
            pages,
            records,
            bad_records,
        } => notices::fetch_done(*pages, *records, *bad_records),
        FetchStage::Failed { message, .. } => notices::fetch_failed(message),
        FetchStage::Cancelled => notices::fetch_cancelled(),
    })
}

pub(crate) fn notice_view(notice: Notice) -> impl IntoView {
    let state = AppState::expect();
    let loads = DataLoads::expect();
    let buttons = notice
        .actions
        .into_iter()
        .enumerate()
        .map(|(i, (label, action))| {
            let run = move |_| match action {
                NoticeAction::LoadWithoutBadRecords => loads.load_without_bad_records(state),
                NoticeAction::DiscardUpload => loads.discard_upload(),
                NoticeAction::CancelUpload => loads.cancel_upload(),
            };
            view! {
                <button type="button" class="button" class:secondary=(i > 0) on:click=run>
                    {label}
                </button>
            }
        })
        .collect_view();
    view! {
        <div
            class="notice"
            class:problem=notice.problem
            role=if notice.problem { "alert" } else { "status" }
            data-notice=notice.key
        >
            <p>
                <strong>{notice.title}</strong>
                {notice.text}
            </p>
            <progress class:hidden=!notice.busy></progress>
            <div class="notice-actions">{buttons}</div>
        </div>
    }
}
