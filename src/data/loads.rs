//! Every load of data (the bundled sample, uploaded files, a fetch from the report backend), as
//! one generation at a time: a newer load, Clear or Cancel stops the one before (its workers are
//! terminated and nothing it did reaches the screen), and the data on screen is replaced only by
//! a load that completed. Also the data screen's state: the files' rows, the stages, the backend
//! form. App-wide, provided by the shell, so a load goes on when the user leaves the screen.
//! Reading, parsing and building happen in the ingest workers (`data::worker`), never here.

use std::rc::Rc;
use std::sync::Arc;

use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use super::live_fetch::{FetchEnd, FetchProgress};
use super::pause::spawn;
use super::report_api::{normalise_token, prepare, GRAPH_BETA};
use super::upload::{self, file_too_large, unreadable_file, FilePhase, UploadRow};
use super::worker::pool::{
    plan_parts, prepare_spares, worker_count, Built, FileToRead, Ingest, PartRead, WORKER_LOADER,
    WORKER_WASM,
};
use super::worker::timeline;
use crate::model::import::Part;
use crate::model::policy::PolicyInputs;
use crate::model::{FileImport, SourceKind};
use crate::state::{AppState, LoadStatus};

/// Where the last set of uploaded files stands.
#[derive(Clone, Debug, PartialEq)]
pub enum UploadStage {
    /// No files chosen yet (or cleared).
    Idle,
    /// Files are being read from disk and analysed.
    Analysing,
    /// The files' parts are being put together and the dataset built.
    Building,
    /// The files were loaded.
    Loaded { files: usize, merged: bool },
    /// Some files have problems: nothing was loaded; the good records may be, if the user says so.
    AskFirst { good_records: usize },
    /// Problems and no good record: nothing can be loaded.
    NothingToLoad,
    /// The user cancelled, or a newer load took over: the data on screen is unchanged.
    Cancelled,
    /// The load could not run (no worker could start, a worker failed): the message says why.
    Failed(String),
    /// The files held only what-if inputs (a group's members, the authentication methods
    /// policy): they were added beside the loaded data, which stays as it was.
    InputsLoaded { files: usize },
}

/// Where the last fetch from the report backend stands.
#[derive(Clone, Debug, PartialEq)]
pub enum FetchStage {
    Idle,
    Running(FetchProgress),
    Done {
        pages: usize,
        records: usize,
        bad_records: usize,
    },
    /// A message for the user (never holding the token).
    Failed {
        message: String,
        about_token: bool,
    },
    Cancelled,
}

/// Which load is running.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LoadKind {
    Sample,
    Upload,
    Fetch,
}

/// The loads of the data screen, shared app-wide as context.
///
/// ```text
/// let loads = DataLoads::expect();
/// loads.start_fetch(AppState::expect());
/// ```
#[derive(Clone, Copy)]
pub struct DataLoads {
    /// One row per file of the last upload.
    pub files: RwSignal<Vec<UploadRow>>,
    pub upload: RwSignal<UploadStage>,
    /// Merge new files into the loaded data instead of replacing it.
    pub merge: RwSignal<bool>,
    /// The report backend's base address, as typed.
    pub base_url: RwSignal<String>,
    /// The token as pasted. In memory only, unless `remember` is ticked (then in session storage).
    pub token: RwSignal<String>,
    /// "Remember in this tab".
    pub remember: RwSignal<bool>,
    /// Read the audit log (`auditLogs/directoryAudits`) too, for `/attempts`.
    pub audit_log: RwSignal<bool>,
    pub fetch: RwSignal<FetchStage>,
    /// The load generation: each load takes the next number, and only the load holding the
    /// current number may change anything.
    generation: StoredValue<u64>,
    /// The running load's workers and what it is (dropping them terminates the workers).
    running: StoredValue<Option<(LoadKind, Rc<Ingest>)>, LocalStorage>,
    /// The sample was asked for and has not loaded yet: an upload that holds only what-if
    /// inputs and stops it on its way loads it again after (the inputs want data beside them).
    sample_pending: StoredValue<bool>,
}

/// The `id` of the token's input field (focused when the token is the problem).
pub const TOKEN_FIELD_ID: &str = "backend-token";
const STORED_BASE: &str = "sspr-insights.backend.base";
const STORED_TOKEN: &str = "sspr-insights.backend.token";

/// The sample's files, relative to the app's base path (`public/sample/` in the repository).
pub const SAMPLE_FILES: [&str; 3] = [
    "sample/userRegistrationDetails.json",
    "sample/userEventsSummary.json",
    "sample/directoryAudits.json",
];

fn session_storage() -> Option<web_sys::Storage> {
    window().session_storage().ok().flatten()
}

impl DataLoads {
    /// Creates the loads' state (the backend form from session storage when the user asked to
    /// be remembered in this tab), provides it as context and returns it.
    pub fn provide() -> DataLoads {
        let stored = |key: &str| session_storage().and_then(|s| s.get_item(key).ok().flatten());
        let stored_token = stored(STORED_TOKEN);
        let loads = DataLoads {
            files: RwSignal::new(Vec::new()),
            upload: RwSignal::new(UploadStage::Idle),
            merge: RwSignal::new(false),
            base_url: RwSignal::new(stored(STORED_BASE).unwrap_or_else(|| GRAPH_BETA.to_string())),
            remember: RwSignal::new(stored_token.is_some()),
            audit_log: RwSignal::new(false),
            token: RwSignal::new(stored_token.unwrap_or_default()),
            fetch: RwSignal::new(FetchStage::Idle),
            generation: StoredValue::new(0),
            running: StoredValue::new_local(None),
            sample_pending: StoredValue::new(false),
        };
        provide_context(loads);
        loads
    }

    /// The loads provided by the app shell.
    pub fn expect() -> DataLoads {
        expect_context::<DataLoads>()
    }

    /// Sets the base address (as typed).
    pub fn set_base_url(&self, text: String) {
        self.base_url.set(text);
        self.store_form();
    }

    /// Sets the token (as pasted).
    pub fn set_token(&self, text: String) {
        self.token.set(text);
        self.store_form();
    }

    /// Ticks or unticks "remember in this tab".
    pub fn set_remember(&self, on: bool) {
        self.remember.set(on);
        self.store_form();
    }

    /// Session storage holds the form only while "remember in this tab" is ticked.
    fn store_form(&self) {
        let Some(storage) = session_storage() else {
            return;
        };
        if self.remember.get_untracked() {
            let _ = storage.set_item(STORED_BASE, &self.base_url.get_untracked());
            let _ = storage.set_item(STORED_TOKEN, &self.token.get_untracked());
        } else {
            let _ = storage.remove_item(STORED_BASE);
            let _ = storage.remove_item(STORED_TOKEN);
        }
    }

    pub fn is_fetching(&self) -> bool {
        self.fetch.with(|f| matches!(f, FetchStage::Running(_)))
    }

    pub fn is_uploading(&self) -> bool {
        self.upload
            .with(|u| matches!(u, UploadStage::Analysing | UploadStage::Building))
    }

    // ---- one load at a time ----

    /// Starts a new load generation: whatever load ran stops here (its workers are terminated,
    /// and the screen says so), and the new load gets the ticket that `is_current` checks.
    fn begin(&self, kind: Option<LoadKind>) -> u64 {
        let ticket = self.generation.get_value() + 1;
        self.generation.set_value(ticket);
        timeline::clear();
        timeline::note("load begins");
        if let Some((stopped, ingest)) = self.running.try_update_value(Option::take).flatten() {
            // Its workers stop now, even while its task still holds them.
            ingest.stop();
            self.mark_stopped(stopped, kind);
        }
        ticket
    }

    /// What the screen says about a load that a newer one (or Clear, or Cancel) stopped.
    fn mark_stopped(&self, stopped: LoadKind, by: Option<LoadKind>) {
        match stopped {
            LoadKind::Upload if by != Some(LoadKind::Upload) => {
                self.upload.set(UploadStage::Cancelled)
            }
            LoadKind::Fetch if by != Some(LoadKind::Fetch) => self.fetch.set(FetchStage::Cancelled),
            _ => {}
        }
    }

    fn is_current(&self, ticket: u64) -> bool {
        self.generation.get_value() == ticket
    }

    /// Starts the workers of the load `ticket`; `None` when a newer load took over meanwhile.
    async fn workers(
        &self,
        state: AppState,
        ticket: u64,
        kind: LoadKind,
        count: usize,
    ) -> Option<Result<Rc<Ingest>, String>> {
        let loader = state.href(&format!("/{WORKER_LOADER}"));
        let wasm = state.href(&format!("/{WORKER_WASM}"));
        let started = Ingest::start(count, &loader, &wasm).await;
        if !self.is_current(ticket) {
            return None;
        }
        Some(started.map(|ingest| {
            let ingest = Rc::new(ingest);
            self.running.set_value(Some((kind, ingest.clone())));
            ingest
        }))
    }

    /// The load `ticket` is over: its workers go, and fresh ones are started for the next load.
    fn finish(&self, ticket: u64) {
        if self.is_current(ticket) {
            if let Some((_, ingest)) = self.running.try_update_value(Option::take).flatten() {
                ingest.stop();
            }
            prepare_spares();
        }
    }

    // ---- the bundled sample ----

    /// Loads the bundled sample, unless data is already there (the first visit).
    pub fn load_sample_if_empty(&self, state: AppState) {
        if state.dataset.with_untracked(Option::is_none) {
            self.load_sample(state);
        }
    }

    /// Loads the bundled sample in place of the loaded data, once it is read (the data screen's
    /// button); until then, and if it fails, the loaded data stays.
    pub fn load_sample(&self, state: AppState) {
        let ticket = self.begin(Some(LoadKind::Sample));
        self.sample_pending.set_value(true);
        let loads = *self;
        state.status.set(LoadStatus::Loading {
            what: "Downloading the sample data".to_string(),
            done: 0,
            steps: 2,
        });
        spawn(async move {
            let files: Vec<FileToRead> = SAMPLE_FILES
                .iter()
                .map(|path| FileToRead {
                    name: path.rsplit('/').next().unwrap_or(path).to_string(),
                    source: JsValue::from_str(&state.href(&format!("/{path}"))),
                    size: 0,
                    parts: vec![Part::whole(0)],
                })
                .collect();
            let outcome = loads
                .ingest(
                    state,
                    ticket,
                    LoadKind::Sample,
                    files,
                    None,
                    false,
                    |_, _, _| {},
                )
                .await;
            let Some(outcome) = outcome else { return };
            loads.sample_pending.set_value(false);
            match outcome.built {
                Ok(Built::Dataset { dataset, notes, .. }) => state.set_dataset(*dataset, notes),
                Ok(Built::AskFirst { .. } | Built::Inputs { .. }) => {}
                Err(message) => state.status.set(LoadStatus::Failed(message)),
            }
            loads.finish(ticket);
        });
    }

    /// Reads `files` in the workers (`on_progress(file, bytes, records)` as they go), then has
    /// them built into a dataset (merged into `current` when there is one); `must_ask`: show the
    /// files' outcomes and wait for the user even when all of them are clean. `None` when a
    /// newer load took over.
    #[allow(clippy::too_many_arguments)]
    async fn ingest(
        &self,
        state: AppState,
        ticket: u64,
        kind: LoadKind,
        files: Vec<FileToRead>,
        current: Option<Arc<crate::model::Dataset>>,
        must_ask: bool,
        on_progress: impl FnMut(usize, u64, usize),
    ) -> Option<Ingested> {
        let jobs: usize = files.iter().map(|f| f.parts.len()).sum();
        let ingest = match self
            .workers(state, ticket, kind, worker_count(jobs))
            .await?
        {
            Ok(ingest) => ingest,
            Err(message) => {
                return Some(Ingested {
                    built: Err(message),
                    unreadable: Vec::new(),
                    built_files: Vec::new(),
                })
            }
        };
        let read = ingest.read(&files, on_progress).await;
        if !self.is_current(ticket) {
            return None;
        }
        if kind == LoadKind::Upload {
            self.upload.set(UploadStage::Building);
        }
        // A file that could not be read from disk is a problem of the load like a broken one.
        let mut unreadable = Vec::new();
        let mut built_files = Vec::new();
        let mut readable: Vec<(FileToRead, Vec<PartRead>)> = Vec::new();
        for (i, (file, parts)) in files.into_iter().zip(read).enumerate() {
            match parts {
                Ok(parts) => {
                    built_files.push(i);
                    readable.push((file, parts));
                }
                Err(reason) => unreadable.push((i, unreadable_file(&file.name, &reason))),
            }
        }
        let load_readable = kind == LoadKind::Sample;
        let built = if load_readable && !unreadable.is_empty() {
            let files = unreadable.iter().map(|(_, f)| f.clone()).collect();
            Err(upload::readable_batches(files).err().unwrap_or_default())
        } else {
            let must_ask = must_ask || !unreadable.is_empty();
            ingest
                .build(
                    readable,
                    current.as_deref(),
                    &source_of(kind),
                    load_readable,
                    must_ask,
                )
                .await
        };
        if !self.is_current(ticket) {
            return None;
        }
        Some(Ingested {
            built,
            unreadable,
            built_files,
        })
    }

    // ---- uploads ----

    fn set_row(&self, i: usize, change: impl FnOnce(&mut UploadRow)) {
        self.files.update(|rows| {
            if let Some(row) = rows.get_mut(i) {
                change(row);
            }
        })
    }

    /// Reads and analyses `files` (in place of any load still running), then loads them if they
    /// are clean; otherwise waits for the user's decision. The loaded data stays meanwhile.
    pub fn start_upload(&self, state: AppState, files: Vec<web_sys::File>) {
        if files.is_empty() {
            return;
        }
        let ticket = self.begin(Some(LoadKind::Upload));
        self.files.set(
            files
                .iter()
                .map(|f| UploadRow::new(&f.name(), f.size() as u64))
                .collect(),
        );
        self.upload.set(UploadStage::Analysing);
        let merge = self.merge.get_untracked();
        let current = merge.then(|| state.dataset.get_untracked()).flatten();
        let loads = *self;
        spawn(async move {
            // Each file to read, with its row; a file too large is refused before reading.
            let mut rows = Vec::new();
            let mut to_read = Vec::new();
            let mut refused = false;
            for (row, file) in files.iter().enumerate() {
                let size = file.size() as u64;
                if let Some(too_large) = file_too_large(&file.name(), size) {
                    loads.set_row(row, |r| r.analysed(&too_large));
                    refused = true;
                    continue;
                }
                let parts = plan_parts(file, worker_count(usize::MAX)).await;
                rows.push(row);
                to_read.push(FileToRead {
                    name: file.name(),
                    source: file.clone().into(),
                    size,
                    parts,
                });
            }
            timeline::note("parts planned");
            if !loads.is_current(ticket) {
                return;
            }
            if to_read.is_empty() {
                loads.upload.set(UploadStage::NothingToLoad);
                return loads.finish(ticket);
            }
            let progress_rows = rows.clone();
            let on_progress = move |file: usize, bytes: u64, records: usize| {
                if loads.is_current(ticket) {
                    loads.set_row(progress_rows[file], |row| {
                        row.phase = FilePhase::Reading;
                        row.done = bytes;
                        row.records = records;
                    });
                }
            };
            let Some(ingested) = loads
                .ingest(
                    state,
                    ticket,
                    LoadKind::Upload,
                    to_read,
                    current,
                    refused,
                    on_progress,
                )
                .await
            else {
                return;
            };
            for (file, outcome) in &ingested.unreadable {
                loads.set_row(rows[*file], |r| r.analysed(outcome));
            }
            let built_rows: Vec<usize> = ingested.built_files.iter().map(|&f| rows[f]).collect();
            loads.after_build(state, ticket, ingested.built, &built_rows, merge);
        });
    }

    /// Shows what the build gave (`rows`: the row of each file it built) and loads the dataset
    /// when there is one.
    fn after_build(
        &self,
        state: AppState,
        ticket: u64,
        built: Result<Built, String>,
        rows: &[usize],
        merge: bool,
    ) {
        let show = |files: &[FileImport]| {
            for (file, outcome) in files.iter().enumerate() {
                if let Some(&row) = rows.get(file) {
                    self.set_row(row, |r| r.analysed(outcome));
                }
            }
        };
        match built {
            Ok(Built::Dataset {
                dataset,
                files,
                inputs,
                ..
            }) => {
                show(&files);
                let loaded = self.files.with_untracked(Vec::len);
                self.sample_pending.set_value(false);
                state.set_dataset(*dataset, Vec::new());
                timeline::note("dataset handed to the screens");
                state.add_inputs(inputs);
                self.upload.set(UploadStage::Loaded {
                    files: loaded,
                    merged: merge,
                });
                self.finish(ticket);
            }
            Ok(Built::Inputs { inputs, files }) => {
                show(&files);
                let loaded = self.files.with_untracked(Vec::len);
                state.add_inputs(inputs);
                self.upload.set(UploadStage::InputsLoaded { files: loaded });
                self.finish(ticket);
                if self.sample_pending.get_value() && state.dataset.with_untracked(Option::is_none)
                {
                    self.load_sample(state);
                }
            }
            Ok(Built::AskFirst { files }) => {
                show(&files);
                // Every row counts: the refused and unreadable ones were analysed already.
                let good: usize = self
                    .files
                    .with_untracked(|rows| rows.iter().map(|r| r.records).sum());
                if good == 0 {
                    self.upload.set(UploadStage::NothingToLoad);
                    self.finish(ticket);
                } else {
                    self.upload
                        .set(UploadStage::AskFirst { good_records: good });
                }
            }
            Err(message) => {
                self.upload.set(UploadStage::Failed(message));
                self.finish(ticket);
            }
        }
    }

    /// "Load without the bad records": loads the good records of the last upload.
    pub fn load_without_bad_records(&self, state: AppState) {
        let ticket = self.generation.get_value();
        let Some((LoadKind::Upload, ingest)) = self.running.get_value() else {
            return;
        };
        self.upload.set(UploadStage::Building);
        let loads = *self;
        let merge = self.merge.get_untracked();
        spawn(async move {
            let built = ingest.accept().await;
            if !loads.is_current(ticket) {
                return;
            }
            loads.after_build(state, ticket, built, &[], merge);
        });
    }

    /// Forgets the last upload's files and stops it (nothing loaded changes).
    pub fn discard_upload(&self) {
        self.begin(None);
        self.files.set(Vec::new());
        self.upload.set(UploadStage::Idle);
    }

    /// Stops the upload that is being read or built; the loaded data stays.
    pub fn cancel_upload(&self) {
        if self.is_uploading() {
            self.begin(None);
            self.upload.set(UploadStage::Cancelled);
        }
    }

    // ---- the report backend ----

    /// Fetches both reports (and the audit log when it is ticked) from the backend in the form.
    /// The role check comes first: a token that cannot read the reports gets a message and no
    /// request is sent. The loaded data is
    /// replaced only when every page has arrived.
    pub fn start_fetch(&self, state: AppState) {
        if self.is_fetching() {
            return;
        }
        let token_text = self.token.get_untracked();
        let base = self.base_url.get_untracked();
        let audit_log = self.audit_log.get_untracked();
        let now = js_sys::Date::now() as i64;
        if let Err(error) = prepare(&base, &token_text, now) {
            let token = normalise_token(&token_text);
            self.fail(error.user_message(token.as_deref()), error.is_about_token());
            return;
        }
        let ticket = self.begin(Some(LoadKind::Fetch));
        self.fetch
            .set(FetchStage::Running(FetchProgress::default()));
        let loads = *self;
        spawn(async move {
            let ingest = match loads.workers(state, ticket, LoadKind::Fetch, 1).await {
                None => return,
                Some(Ok(ingest)) => ingest,
                Some(Err(message)) => {
                    loads.fail(message, false);
                    return loads.finish(ticket);
                }
            };
            let on_progress = move |p: FetchProgress| {
                if loads.is_current(ticket) {
                    loads.fetch.set(FetchStage::Running(p));
                }
            };
            let result = ingest
                .fetch(&base, &token_text, audit_log, on_progress)
                .await;
            if !loads.is_current(ticket) {
                return;
            }
            match result {
                Ok(fetched) => {
                    state.set_dataset(*fetched.dataset, Vec::new());
                    loads.fetch.set(FetchStage::Done {
                        pages: fetched.pages,
                        records: fetched.records,
                        bad_records: fetched.bad_records,
                    });
                }
                Err(FetchEnd::Failed {
                    message,
                    about_token,
                }) => loads.fail(message, about_token),
                Err(FetchEnd::Cancelled) => loads.fetch.set(FetchStage::Cancelled),
            }
            loads.finish(ticket);
        });
    }

    /// Shows why the fetch failed; a problem with the token puts the focus on its field.
    fn fail(&self, message: String, about_token: bool) {
        self.fetch.set(FetchStage::Failed {
            message,
            about_token,
        });
        if about_token {
            if let Some(field) = document()
                .get_element_by_id(TOKEN_FIELD_ID)
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = field.focus();
            }
        }
    }

    /// Stops a running fetch; the loaded data stays.
    pub fn cancel_fetch(&self) {
        if self.is_fetching() {
            self.begin(None);
            self.fetch.set(FetchStage::Cancelled);
        }
    }

    /// Removes the loaded data, and stops any load still running (a sample on its way too).
    pub fn clear(&self, state: AppState) {
        self.begin(None);
        self.sample_pending.set_value(false);
        self.files.set(Vec::new());
        self.upload.set(UploadStage::Idle);
        self.fetch.set(FetchStage::Idle);
        // Nothing is left to merge with.
        self.merge.set(false);
        state.dataset.set(None);
        state.inputs.set(PolicyInputs::default());
        state.status.set(LoadStatus::Idle);
    }
}

/// What a load's reading and building gave.
struct Ingested {
    built: Result<Built, String>,
    /// The files (by index) that could not be read from disk, with their outcomes.
    unreadable: Vec<(usize, FileImport)>,
    /// The files (by index) the build put together, in the order of its outcomes.
    built_files: Vec<usize>,
}

/// What kind of source the built dataset is.
fn source_of(kind: LoadKind) -> SourceKind {
    match kind {
        LoadKind::Sample => SourceKind::Sample,
        _ => SourceKind::Uploaded,
    }
}
