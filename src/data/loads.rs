//! What the data screen's loads are doing (files being analysed, a fetch running), the backend
//! form's fields, and the actions that start and stop loads. App-wide, provided by the shell, so a
//! load goes on when the user leaves the screen. A load replaces the data only once it is complete.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::live_fetch::{FetchEnd, FetchProgress};
use super::pause::{spawn, yield_to_browser};
use super::report_api::{normalise_token, prepare, GRAPH_BETA};
use super::transport::{fetch_live, Cancel};
use super::upload::{self, analyse, read_file, unreadable_file, FilePhase, UploadRow, Verdict};
use crate::model::{AsOf, Dataset, FileImport, SourceKind};
use crate::state::{AppState, LoadStatus};

/// Where the last set of uploaded files stands.
#[derive(Clone, Debug, PartialEq)]
pub enum UploadStage {
    /// No files chosen yet (or cleared).
    Idle,
    /// Files are being read and analysed.
    Analysing,
    /// The new dataset is being built.
    Building,
    /// The files were loaded.
    Loaded { files: usize, merged: bool },
    /// Some files have problems: nothing was loaded; the good records may be, if the user says so.
    AskFirst { good_records: usize },
    /// Problems and no good record: nothing can be loaded.
    NothingToLoad,
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
    pub fetch: RwSignal<FetchStage>,
    /// What the importer made of the last upload's files (large: kept out of signals).
    analysed: StoredValue<Vec<FileImport>>,
    /// Counts uploads, so that an older one still running stops when a newer one starts.
    upload_run: StoredValue<u64>,
    cancel: StoredValue<Option<Cancel>, LocalStorage>,
}

/// The `id` of the token's input field (focused when the token is the problem).
pub const TOKEN_FIELD_ID: &str = "backend-token";
const STORED_BASE: &str = "sspr-insights.backend.base";
const STORED_TOKEN: &str = "sspr-insights.backend.token";

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
            token: RwSignal::new(stored_token.unwrap_or_default()),
            fetch: RwSignal::new(FetchStage::Idle),
            analysed: StoredValue::new(Vec::new()),
            upload_run: StoredValue::new(0),
            cancel: StoredValue::new_local(None),
        };
        provide_context(loads);
        loads
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

    /// The loads provided by the app shell.
    pub fn expect() -> DataLoads {
        expect_context::<DataLoads>()
    }

    pub fn is_fetching(&self) -> bool {
        self.fetch.with(|f| matches!(f, FetchStage::Running(_)))
    }

    /// Reads and analyses `files` (in place of any upload still running), then loads them if
    /// they are clean; otherwise waits for the user's decision. The loaded data stays meanwhile.
    pub fn start_upload(&self, state: AppState, files: Vec<web_sys::File>) {
        if files.is_empty() {
            return;
        }
        let run = self.upload_run.get_value() + 1;
        self.upload_run.set_value(run);
        self.analysed.set_value(Vec::new());
        self.files.set(
            files
                .iter()
                .map(|f| UploadRow::new(&f.name(), f.size() as u64))
                .collect(),
        );
        self.upload.set(UploadStage::Analysing);
        let loads = *self;
        let current = move || loads.upload_run.get_value() == run;
        spawn(async move {
            for (i, file) in files.iter().enumerate() {
                let name = file.name();
                let set_row = move |change: &dyn Fn(&mut UploadRow)| {
                    loads.files.update(|rows| {
                        if let Some(row) = rows.get_mut(i) {
                            change(row);
                        }
                    })
                };
                set_row(&|row| row.phase = FilePhase::Reading);
                let read = read_file(file, |done| set_row(&|row| row.done = done), current).await;
                let imported = match read {
                    None => return,
                    Some(Err(reason)) => unreadable_file(&name, &reason),
                    Some(Ok(bytes)) => {
                        set_row(&|row| {
                            row.phase = FilePhase::Analysing;
                            row.done = 0;
                        });
                        let on_progress = |p: crate::model::ImportProgress| {
                            set_row(&|row| {
                                row.done = p.bytes_done as u64;
                                row.records = p.records;
                            })
                        };
                        match analyse(&name, bytes, on_progress, current).await {
                            Some(imported) => imported,
                            None => return,
                        }
                    }
                };
                set_row(&|row| row.analysed(&imported));
                loads.analysed.update_value(|all| all.push(imported));
            }
            let verdict = loads.analysed.with_value(|all| upload::verdict(all));
            match verdict {
                Verdict::LoadAll => loads.load_upload(state, false).await,
                Verdict::AskFirst { good_records } => {
                    loads.upload.set(UploadStage::AskFirst { good_records })
                }
                Verdict::NothingToLoad => loads.upload.set(UploadStage::NothingToLoad),
            }
        });
    }

    /// "Load without the bad records": loads the good records of the last upload.
    pub fn load_without_bad_records(&self, state: AppState) {
        let loads = *self;
        spawn(async move { loads.load_upload(state, true).await });
    }

    /// Forgets the last upload's files (nothing loaded changes).
    pub fn discard_upload(&self) {
        self.upload_run.update_value(|run| *run += 1);
        self.analysed.set_value(Vec::new());
        self.files.set(Vec::new());
        self.upload.set(UploadStage::Idle);
    }

    async fn load_upload(&self, state: AppState, without_bad_records: bool) {
        let run = self.upload_run.get_value();
        let files = self
            .analysed
            .try_update_value(std::mem::take)
            .unwrap_or_default();
        if files.is_empty() {
            return;
        }
        let count = files.len();
        self.upload.set(UploadStage::Building);
        // Let "Building the dataset…" reach the screen before the build takes the thread.
        yield_to_browser().await;
        if self.upload_run.get_value() != run {
            return;
        }
        let batches = upload::batches(files, without_bad_records);
        let merge = self.merge.get_untracked();
        let merged = merge && state.dataset.with_untracked(Option::is_some);
        let dataset = state.dataset.with_untracked(|current| match current {
            Some(current) if merge => current.merge(batches, AsOf::Newest, SourceKind::Uploaded),
            _ => Dataset::build(batches, AsOf::Newest, SourceKind::Uploaded),
        });
        state.set_dataset(dataset, Vec::new());
        self.upload.set(UploadStage::Loaded {
            files: count,
            merged,
        });
    }

    /// Fetches both reports from the backend in the form. The role check comes first: a token
    /// that cannot read the reports gets a message and no request is sent. The loaded data is
    /// replaced only when every page has arrived.
    pub fn start_fetch(&self, state: AppState) {
        if self.is_fetching() {
            return;
        }
        let token_text = self.token.get_untracked();
        let now = js_sys::Date::now() as i64;
        let plan = match prepare(&self.base_url.get_untracked(), &token_text, now) {
            Ok(plan) => plan,
            Err(error) => {
                let token = normalise_token(&token_text);
                self.fail(error.user_message(token.as_deref()), error.is_about_token());
                return;
            }
        };
        let cancel = Cancel::new();
        self.cancel.set_value(Some(cancel.clone()));
        self.fetch
            .set(FetchStage::Running(FetchProgress::default()));
        let loads = *self;
        spawn(async move {
            let progress = |p: &FetchProgress| {
                if !cancel.is_cancelled() {
                    loads.fetch.set(FetchStage::Running(p.clone()));
                }
            };
            let result = fetch_live(&plan, cancel.clone(), progress).await;
            if cancel.is_cancelled() {
                return;
            }
            loads.cancel.set_value(None);
            match result {
                Ok(fetched) => {
                    state.set_dataset(fetched.dataset, Vec::new());
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
        if let Some(cancel) = self.cancel.try_update_value(Option::take).flatten() {
            cancel.cancel();
            self.fetch.set(FetchStage::Cancelled);
        }
    }

    /// Removes the loaded data, and stops any load still running.
    pub fn clear(&self, state: AppState) {
        self.cancel_fetch();
        self.discard_upload();
        self.fetch.set(FetchStage::Idle);
        // Nothing is left to merge with.
        self.merge.set(false);
        state.dataset.set(None);
        state.status.set(LoadStatus::Idle);
    }
}
