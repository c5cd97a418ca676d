//! What the data screen says about the last upload and the last fetch: one [`Notice`] shape for
//! every message (news or a problem, its words, whether work goes on, its buttons). Pure text,
//! host-tested; the page (`pages::data`) picks the notice for the load's stage and renders it.

use crate::components::format::count;
use crate::data::live_fetch::FetchProgress;
use crate::model::words::plural;

/// What a notice's button does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoticeAction {
    LoadWithoutBadRecords,
    DiscardUpload,
    CancelUpload,
}

/// A message of the upload or the fetch panel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// `data-notice`, for tests and styles.
    pub key: &'static str,
    /// A problem (an alert, in the alert colours) or news (a polite status).
    pub problem: bool,
    /// The first words, in bold (`""` for none).
    pub title: &'static str,
    pub text: String,
    /// Work is going on (an indeterminate progress bar).
    pub busy: bool,
    /// The buttons, the first one the main choice.
    pub actions: Vec<(String, NoticeAction)>,
}

impl Notice {
    fn news(key: &'static str, text: impl Into<String>, busy: bool) -> Notice {
        Notice {
            key,
            problem: false,
            title: "",
            text: text.into(),
            busy,
            actions: Vec::new(),
        }
    }
}

/// `1 file`, `1,200 records`: a count as the screen writes it, with its noun.
fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", count(n), plural(n, one, many))
}

const UNCHANGED: &str = " The data on screen is unchanged.";

/// Files are being read and analysed.
pub fn upload_analysing() -> Notice {
    Notice {
        actions: vec![cancel()],
        ..Notice::news(
            "upload-analysing",
            "Reading and analysing the files in the background… The loaded data stays until they are read.",
            true,
        )
    }
}

/// The new dataset is being built from the files.
pub fn upload_building() -> Notice {
    Notice {
        actions: vec![cancel()],
        ..Notice::news("upload-building", "Building the dataset…", true)
    }
}

/// The upload was cancelled (by the user, or by a newer load) before anything was loaded.
pub fn upload_cancelled() -> Notice {
    Notice {
        key: "upload-cancelled",
        problem: false,
        title: "Cancelled.",
        text: format!(" Nothing was loaded.{UNCHANGED}"),
        busy: false,
        actions: Vec::new(),
    }
}

/// The upload could not run at all: `message` says why.
pub fn upload_failed(message: &str) -> Notice {
    Notice {
        key: "upload-failed",
        problem: true,
        title: "Nothing was loaded.",
        text: format!("{UNCHANGED} {message}"),
        busy: false,
        actions: vec![discard()],
    }
}

fn cancel() -> (String, NoticeAction) {
    ("Cancel".to_string(), NoticeAction::CancelUpload)
}

/// `files` files were loaded, in place of the data before or `merged` with it.
pub fn upload_loaded(files: usize, merged: bool) -> Notice {
    let how = if merged {
        "merged with the data loaded before"
    } else {
        "loaded"
    };
    Notice::news(
        "upload-loaded",
        format!("{} {how}.", counted(files, "file", "files")),
        false,
    )
}

/// `files` files held only what-if inputs (a group's member list, the authentication methods
/// policy): they were added beside the loaded data.
pub fn upload_inputs_loaded(files: usize) -> Notice {
    Notice::news(
        "upload-inputs",
        format!(
            "{} loaded for What if (a group's member list or the authentication methods policy). The registration data is unchanged.",
            counted(files, "file", "files")
        ),
        false,
    )
}

/// Some files have problems, so nothing was loaded; the `good_records` may be, if the user says so.
pub fn upload_has_problems(good_records: usize) -> Notice {
    Notice {
        key: "upload-ask",
        problem: true,
        title: "Some files have problems, so nothing was loaded.",
        text: format!("{UNCHANGED} Each file's problems are listed below."),
        busy: false,
        actions: vec![
            (
                format!(
                    "Load without the bad records ({})",
                    counted(good_records, "good record", "good records")
                ),
                NoticeAction::LoadWithoutBadRecords,
            ),
            discard(),
        ],
    }
}

/// Problems and no good record: nothing can be loaded.
pub fn upload_unreadable() -> Notice {
    Notice {
        key: "upload-nothing",
        problem: true,
        title: "Nothing could be read from these files.",
        text: format!("{UNCHANGED} Each file's problems are listed below."),
        busy: false,
        actions: vec![discard()],
    }
}

fn discard() -> (String, NoticeAction) {
    ("Discard".to_string(), NoticeAction::DiscardUpload)
}

/// A fetch is running: what it reads now (or that it starts).
pub fn fetch_running(progress: &FetchProgress) -> Notice {
    let text = if progress.collection.is_none() && progress.pages == 0 {
        "Starting…".to_string()
    } else {
        progress.describe()
    };
    Notice::news("fetch-running", text, true)
}

/// The fetch loaded `records` from `pages`, leaving out `bad_records`.
pub fn fetch_done(pages: usize, records: usize, bad_records: usize) -> Notice {
    let left_out = if bad_records > 0 {
        format!(
            " {} left out (see the warnings).",
            counted(bad_records, "bad record was", "bad records were")
        )
    } else {
        String::new()
    };
    Notice::news(
        "fetch-done",
        format!(
            "Loaded {} from {}.{left_out}",
            counted(records, "record", "records"),
            counted(pages, "page", "pages"),
        ),
        false,
    )
}

/// The fetch failed with `message` (a sentence a person can act on, never holding the token).
pub fn fetch_failed(message: &str) -> Notice {
    Notice {
        key: "fetch-failed",
        problem: true,
        title: "Nothing was loaded.",
        text: format!("{UNCHANGED} {message}"),
        busy: false,
        actions: Vec::new(),
    }
}

/// The user cancelled the fetch.
pub fn fetch_cancelled() -> Notice {
    Notice {
        key: "fetch-cancelled",
        problem: false,
        title: "Cancelled.",
        text: format!(" Nothing was loaded.{UNCHANGED}"),
        busy: false,
        actions: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_loaded_upload_counts_its_files_and_says_whether_it_merged() {
        assert_eq!(upload_loaded(1, false).text, "1 file loaded.");
        assert_eq!(
            upload_loaded(1_200, true).text,
            "1,200 files merged with the data loaded before."
        );
        assert!(!upload_loaded(2, false).problem);
    }

    #[test]
    fn files_of_what_if_inputs_say_the_registration_data_is_unchanged() {
        let notice = upload_inputs_loaded(2);
        assert_eq!(notice.key, "upload-inputs");
        assert!(notice.text.starts_with("2 files loaded for What if"));
        assert!(notice.text.ends_with("The registration data is unchanged."));
        assert!(!notice.problem && !notice.busy);
    }

    #[test]
    fn an_upload_with_problems_offers_the_good_records_first_then_discard() {
        let notice = upload_has_problems(1);
        assert!(notice.problem && !notice.busy);
        assert_eq!(notice.key, "upload-ask");
        assert_eq!(
            notice.actions,
            vec![
                (
                    "Load without the bad records (1 good record)".to_string(),
                    NoticeAction::LoadWithoutBadRecords
                ),
                ("Discard".to_string(), NoticeAction::DiscardUpload),
            ]
        );
        assert!(notice.text.contains("unchanged"));
        let nothing = upload_unreadable();
        assert_eq!(
            nothing.actions,
            vec![("Discard".to_string(), NoticeAction::DiscardUpload)]
        );
        assert!(nothing.problem);
    }

    #[test]
    fn work_in_progress_is_busy_news() {
        for notice in [
            upload_analysing(),
            upload_building(),
            fetch_running(&FetchProgress::default()),
        ] {
            assert!(notice.busy && !notice.problem, "{}", notice.key);
        }
    }

    #[test]
    fn a_fetch_starts_then_says_what_it_reads() {
        assert_eq!(fetch_running(&FetchProgress::default()).text, "Starting…");
        let reading = FetchProgress {
            pages: 3,
            records: 2_400,
            ..FetchProgress::default()
        };
        assert_eq!(fetch_running(&reading).text, reading.describe());
    }

    #[test]
    fn a_finished_fetch_counts_records_pages_and_what_it_left_out() {
        assert_eq!(fetch_done(1, 1, 0).text, "Loaded 1 record from 1 page.");
        assert_eq!(
            fetch_done(2, 1_500, 1).text,
            "Loaded 1,500 records from 2 pages. 1 bad record was left out (see the warnings)."
        );
        assert_eq!(
            fetch_done(2, 10, 3).text,
            "Loaded 10 records from 2 pages. 3 bad records were left out (see the warnings)."
        );
    }

    #[test]
    fn a_failed_or_cancelled_fetch_says_the_data_is_unchanged() {
        let failed = fetch_failed("The token has expired.");
        assert!(failed.problem);
        assert_eq!(failed.title, "Nothing was loaded.");
        assert_eq!(
            failed.text,
            " The data on screen is unchanged. The token has expired."
        );
        let cancelled = fetch_cancelled();
        assert!(!cancelled.problem && !cancelled.busy);
        assert_eq!(
            cancelled.text,
            " Nothing was loaded. The data on screen is unchanged."
        );
    }
}
