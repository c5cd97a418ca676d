//! The bundled sample tenant: fetched from `sample/` under the app's base path on first visit and
//! imported like any upload, labelled "Sample data". It never replaces data that is already loaded.

use gloo_net::http::Request;
use leptos::prelude::*;

use super::load_files::{import_files, Imported, NamedBytes};
use super::pause::{spawn, yield_to_browser};
use crate::model::SourceKind;
use crate::state::{AppState, LoadStatus};

/// The sample's files, relative to the app's base path (`public/sample/` in the repository).
pub const SAMPLE_FILES: [&str; 2] = [
    "sample/userRegistrationDetails.json",
    "sample/userEventsSummary.json",
];

/// Starts loading the sample into `state` in the background, unless data is already there.
/// Progress and failure are reported through `state.status`.
pub fn load_sample(state: AppState) {
    if state.dataset.with_untracked(Option::is_some) {
        return;
    }
    spawn(async move {
        match fetch_and_import(state).await {
            Ok(imported) => {
                // Data loaded meanwhile by the user wins over the sample.
                if state.dataset.with_untracked(Option::is_none) {
                    state.set_dataset(imported.dataset, imported.notes);
                }
            }
            Err(message) => state.status.set(LoadStatus::Failed(message)),
        }
    });
}

/// Loads the sample because the user asked for it (the data screen's button): it replaces the
/// loaded data once it is read; until then, and if it fails, the loaded data stays.
pub fn reload_sample(state: AppState) {
    spawn(async move {
        match fetch_and_import(state).await {
            Ok(imported) => state.set_dataset(imported.dataset, imported.notes),
            Err(message) => state.status.set(LoadStatus::Failed(message)),
        }
    });
}

async fn fetch_and_import(state: AppState) -> Result<Imported, String> {
    let steps = SAMPLE_FILES.len() + 1;
    let mut files = Vec::with_capacity(SAMPLE_FILES.len());
    for (done, path) in SAMPLE_FILES.iter().enumerate() {
        let name = path.rsplit('/').next().unwrap_or(path).to_string();
        state.status.set(LoadStatus::Loading {
            what: format!("Downloading the sample data: {name}"),
            done,
            steps,
        });
        let bytes = fetch_bytes(&state.href(&format!("/{path}"))).await?;
        files.push(NamedBytes { name, bytes });
    }
    state.status.set(LoadStatus::Loading {
        what: "Reading the sample data".to_string(),
        done: SAMPLE_FILES.len(),
        steps,
    });
    // Let the progress message reach the screen before the import takes the thread.
    yield_to_browser().await;
    import_files(files, SourceKind::Sample)
}

async fn fetch_bytes(url: &str) -> Result<Vec<u8>, String> {
    let response = Request::get(url)
        .send()
        .await
        .map_err(|e| format!("The sample data could not be downloaded from {url}: {e}"))?;
    if !response.ok() {
        return Err(format!(
            "The sample data could not be downloaded from {url}: the server answered {} {}.",
            response.status(),
            response.status_text()
        ));
    }
    response
        .binary()
        .await
        .map_err(|e| format!("The sample data from {url} could not be read: {e}"))
}
