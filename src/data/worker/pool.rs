//! The page's side of ingest: starts the workers of one load, hands each a part of a file as it
//! becomes free, gathers what they read, asks one of them to build the dataset, and copies the
//! dataset's columns into the page. Dropping the [`Ingest`] terminates its workers at once (Cancel,
//! or a newer load): whatever they were doing is gone, and nothing reaches the page after.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use js_sys::ArrayBuffer;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{MessageEvent, Worker, WorkerOptions, WorkerType};

use super::js_wire::{dataset_buffer, JsIn};
use super::protocol::*;
use super::room::{expected_dataset_bytes, MemoryRoom};
use super::timeline;
use crate::data::live_fetch::{FetchEnd, FetchProgress};
use crate::data::pause::next_turn;
use crate::model::import::part::{plan, probe_offsets, PROBE_SIZE};
use crate::model::import::Part;
use crate::model::policy::PolicyInputs;
use crate::model::wire::{decode_dataset_in_steps, decode_file_summary, decode_inputs};
use crate::model::{Dataset, FileImport, SourceKind};

thread_local! {
    /// The most wasm memory a worker reported (see `worker_memory_peak`).
    static WORKER_MEMORY_PEAK: std::cell::Cell<f64> = const { std::cell::Cell::new(0.0) };
}

/// The most wasm memory any worker of this page reported with its results, in bytes.
pub fn worker_memory_peak() -> f64 {
    WORKER_MEMORY_PEAK.with(|m| m.get())
}

fn note_worker_memory(reply: &JsValue) {
    let bytes = number_field(reply, "memory");
    WORKER_MEMORY_PEAK.with(|m| m.set(m.get().max(bytes)));
}

/// The script a worker starts from, beside the app's files (`public/sspr-worker-loader.js`): it
/// waits for the worker's compiled wasm from the page, then runs it.
pub const WORKER_LOADER: &str = "sspr-worker-loader.js";
/// The workers' wasm, beside the app's files (Trunk names it after the `sspr-worker` binary).
pub const WORKER_WASM: &str = "sspr-worker_bg.wasm";

thread_local! {
    /// The workers' wasm, compiled (see `worker_module`).
    static WORKER_MODULE: RefCell<Option<JsValue>> = const { RefCell::new(None) };
}

/// The workers' wasm compiled once in the page's life: every worker of every load instantiates
/// this one module, so none downloads or compiles it again, and the code the browser optimised
/// while one load ran is already optimised when the next begins.
async fn worker_module(wasm_url: &str) -> Result<JsValue, String> {
    if let Some(module) = WORKER_MODULE.with(|m| m.borrow().clone()) {
        return Ok(module);
    }
    let window = web_sys::window().ok_or("the background workers need a browser window")?;
    let response = window.fetch_with_str(wasm_url);
    let module = JsFuture::from(js_sys::WebAssembly::compile_streaming(&response))
        .await
        .map_err(|e| {
            format!(
                "the background workers' code could not be loaded from {wasm_url} ({})",
                js_text(&e)
            )
        })?;
    WORKER_MODULE.with(|m| *m.borrow_mut() = Some(module.clone()));
    Ok(module)
}

/// Messages from the workers, in the order they came, each with its worker's index.
#[derive(Default)]
struct Mailbox {
    queue: RefCell<VecDeque<(usize, JsValue)>>,
    waker: RefCell<Option<Waker>>,
}

impl Mailbox {
    fn deliver(&self, worker: usize, message: JsValue) {
        note_worker_memory(&message);
        timeline::add_from(worker, &field(&message, MOMENTS));
        self.queue.borrow_mut().push_back((worker, message));
        if let Some(waker) = self.waker.borrow_mut().take() {
            waker.wake();
        }
    }
}

/// The next message of a mailbox.
struct NextMessage(Rc<Mailbox>);

impl Future for NextMessage {
    type Output = (usize, JsValue);
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if let Some(message) = self.0.queue.borrow_mut().pop_front() {
            return Poll::Ready(message);
        }
        *self.0.waker.borrow_mut() = Some(cx.waker().clone());
        Poll::Pending
    }
}

/// The workers of one load.
pub struct Ingest {
    workers: Vec<Worker>,
    /// A live fetch runs in the first worker (stopping it is graceful: see `stop`).
    fetching: std::cell::Cell<bool>,
    stopped: std::cell::Cell<bool>,
    /// The worker that builds: the one that read the last part, which it keeps (see `read`).
    builder: std::cell::Cell<usize>,
    mailbox: Rc<Mailbox>,
    _listeners: Vec<Closure<dyn FnMut(MessageEvent)>>,
    _error_listeners: Vec<Closure<dyn FnMut(web_sys::Event)>>,
}

impl Drop for Ingest {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The pseudo-worker whose message wakes whoever waits on a stopped load.
const STOPPED_BY_PAGE: usize = usize::MAX;

/// How long a stopped fetch's worker may take to abort its request and close itself.
const STOP_GRACE_MS: i32 = 2_000;

/// How many workers a load uses: as many as the machine has cores, at least two, at most
/// `jobs` (no more than there is work for) and eight.
pub fn worker_count(jobs: usize) -> usize {
    let cores = web_sys::window()
        .map(|w| w.navigator().hardware_concurrency())
        .unwrap_or(2.0) as usize;
    cores.clamp(2, 8).min(jobs.max(1))
}

/// A worker started before a load asked for it: it instantiates the wasm while the page is idle,
/// so that the next load's workers are ready when the user picks the files.
struct Spare {
    worker: Worker,
    /// What its first message said: ready, or failed.
    state: Rc<std::cell::Cell<SpareState>>,
    /// The wasm memory it said it holds when ready, in bytes.
    memory: Rc<std::cell::Cell<f64>>,
    /// Until a load takes it: its listeners.
    _listener: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

#[derive(Clone, Copy, PartialEq)]
enum SpareState {
    Starting,
    Ready,
    Failed,
}

thread_local! {
    /// The spare workers (see [`prepare_spares`]), and where workers start from (the URLs the
    /// last load used).
    static SPARES: RefCell<Vec<Spare>> = const { RefCell::new(Vec::new()) };
    static WORKER_URLS: RefCell<Option<(String, String)>> = const { RefCell::new(None) };
}

/// Starts, in the background, as many workers as a load can use, unless they are there: called
/// when a load is over (its own workers are terminated, with all the memory they used), so the
/// next load starts at once. A spare costs a fresh instance of the workers' wasm (its initial
/// memory, about 1 MB; see `spare_memory`). Does nothing before a first load gave the URLs.
pub fn prepare_spares() {
    let Some((loader_url, wasm_url)) = WORKER_URLS.with(|u| u.borrow().clone()) else {
        return;
    };
    crate::data::pause::spawn(async move {
        let Ok(module) = worker_module(&wasm_url).await else {
            return;
        };
        let wanted = worker_count(usize::MAX);
        SPARES.with(|spares| {
            let mut spares = spares.borrow_mut();
            drop_failed(&mut spares);
            while spares.len() < wanted {
                let Ok(worker) = start_worker(&loader_url, &module) else {
                    break;
                };
                let state = Rc::new(std::cell::Cell::new(SpareState::Starting));
                let memory = Rc::new(std::cell::Cell::new(0.0));
                let (told, size) = (state.clone(), memory.clone());
                let listener = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
                    let reply = e.data();
                    size.set(number_field(&reply, "memory"));
                    told.set(if text_field(&reply, OP) == READY {
                        SpareState::Ready
                    } else {
                        SpareState::Failed
                    });
                });
                worker.set_onmessage(Some(listener.as_ref().unchecked_ref()));
                let told = state.clone();
                let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
                    told.set(SpareState::Failed)
                });
                worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
                spares.push(Spare {
                    worker,
                    state,
                    memory,
                    _listener: listener,
                    _on_error: on_error,
                });
            }
        });
    });
}

/// Terminates and forgets the spare workers that said they failed.
fn drop_failed(spares: &mut Vec<Spare>) {
    spares.retain(|spare| {
        let failed = spare.state.get() == SpareState::Failed;
        if failed {
            spare.worker.terminate();
        }
        !failed
    });
}

/// How many spare workers said they are ready (for the journeys).
pub fn spares_ready() -> usize {
    SPARES.with(|s| {
        s.borrow()
            .iter()
            .filter(|spare| spare.state.get() == SpareState::Ready)
            .count()
    })
}

/// The wasm memory the spare workers hold together, in bytes (for the browser benchmark).
pub fn spare_memory() -> f64 {
    SPARES.with(|s| s.borrow().iter().map(|spare| spare.memory.get()).sum())
}

/// A worker started from `loader_url`, given the compiled wasm to run.
fn start_worker(loader_url: &str, module: &JsValue) -> Result<Worker, String> {
    let options = WorkerOptions::new();
    options.set_type(WorkerType::Module);
    let worker = Worker::new_with_options(loader_url, &options)
        .map_err(|e| format!("a background worker could not be started ({})", js_text(&e)))?;
    // The loader's first message: the compiled wasm to run.
    let _ = worker.post_message(module);
    Ok(worker)
}

impl Ingest {
    /// Takes `count` workers (spare ones first, then new ones started from `loader_url`, running
    /// the wasm at `wasm_url`), and waits until each is ready.
    pub async fn start(count: usize, loader_url: &str, wasm_url: &str) -> Result<Ingest, String> {
        WORKER_URLS
            .with(|u| *u.borrow_mut() = Some((loader_url.to_string(), wasm_url.to_string())));
        let module = worker_module(wasm_url).await?;
        timeline::note("workers' code compiled");
        let mut ingest = Ingest {
            workers: Vec::new(),
            fetching: std::cell::Cell::new(false),
            stopped: std::cell::Cell::new(false),
            builder: std::cell::Cell::new(0),
            mailbox: Rc::new(Mailbox::default()),
            _listeners: Vec::new(),
            _error_listeners: Vec::new(),
        };
        let count = count.max(1);
        let spares: Vec<Spare> = SPARES.with(|s| {
            let mut s = s.borrow_mut();
            drop_failed(&mut s);
            let n = count.min(s.len());
            s.drain(..n).collect()
        });
        let mut ready = 0;
        for spare in spares {
            // Its own listener goes with it; a message not yet delivered reaches the load's.
            if spare.state.get() == SpareState::Ready {
                ready += 1;
            }
            ingest.adopt(spare.worker);
        }
        if ready > 0 {
            timeline::note("spare workers were ready");
        }
        while ingest.workers.len() < count {
            ingest.adopt(start_worker(loader_url, &module)?);
        }
        timeline::note("workers asked to start");
        while ready < ingest.workers.len() {
            let (_, reply) = ingest.next().await;
            match text_field(&reply, OP).as_str() {
                READY => {
                    ready += 1;
                    timeline::note("a worker is ready");
                }
                FAILED => return Err(text_field(&reply, "message")),
                _ => {}
            }
        }
        Ok(ingest)
    }

    /// Makes `worker` one of this load's: its messages and errors go to the load's mailbox.
    fn adopt(&mut self, worker: Worker) {
        let i = self.workers.len();
        let inbox = self.mailbox.clone();
        let listener = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            inbox.deliver(i, e.data())
        });
        worker.set_onmessage(Some(listener.as_ref().unchecked_ref()));
        let inbox = self.mailbox.clone();
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
            let text = e
                .dyn_ref::<web_sys::ErrorEvent>()
                .map(|e| e.message())
                .unwrap_or_else(|| "it stopped".to_string());
            let failure = message(
                FAILED,
                &[(
                    "message",
                    format!("A background worker failed: {text}.").into(),
                )],
            );
            inbox.deliver(i, failure.into());
        });
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        self.workers.push(worker);
        self._listeners.push(listener);
        self._error_listeners.push(on_error);
    }

    fn next(&self) -> NextMessage {
        NextMessage(self.mailbox.clone())
    }

    /// Stops the load at once: nothing of its workers reaches the page any more, and whoever
    /// waits on them is woken with a failure. A fetch is asked to abort its request in flight
    /// (the backend sees the connection closed) and close itself, and is terminated later in
    /// any case; other workers are terminated now.
    pub fn stop(&self) {
        if self.stopped.replace(true) {
            return;
        }
        for worker in &self.workers {
            worker.set_onmessage(None);
            worker.set_onerror(None);
            if self.fetching.get() {
                let _ = worker.post_message(&message(STOP, &[]));
                let late = worker.clone();
                let terminate = Closure::once_into_js(move || late.terminate());
                if let Some(window) = web_sys::window() {
                    let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
                        terminate.unchecked_ref(),
                        STOP_GRACE_MS,
                    );
                }
            } else {
                worker.terminate();
            }
        }
        let stopped = message(FAILED, &[("message", "The load was stopped.".into())]);
        self.mailbox.deliver(STOPPED_BY_PAGE, stopped.into());
    }

    fn send(&self, worker: usize, message: &JsValue, transfer: &[JsValue]) {
        let result = if transfer.is_empty() {
            self.workers[worker].post_message(message)
        } else {
            self.workers[worker]
                .post_message_with_transfer(message, &array(transfer.iter().cloned()))
        };
        // A worker that cannot take a message has failed; its error event says so.
        let _ = result;
    }

    /// Reads every part of every file, each worker taking the next part as it becomes free;
    /// `on_progress(file, bytes read, records)` after each chunk. Per file: its parts' results in
    /// order, or why it could not be read. A worker keeps what it read; while others still read,
    /// it is asked for it at once (it writes it out while they work), and the worker that reads
    /// the last part keeps it and builds: that part is never written out and read back.
    pub async fn read(
        &self,
        files: &[FileToRead],
        mut on_progress: impl FnMut(usize, u64, usize),
    ) -> Vec<Result<Vec<PartRead>, String>> {
        let jobs: Vec<(usize, usize)> = files
            .iter()
            .enumerate()
            .flat_map(|(f, file)| (0..file.parts.len()).map(move |p| (f, p)))
            .collect();
        let mut results: Vec<Vec<Option<PartRead>>> =
            files.iter().map(|f| vec![None; f.parts.len()]).collect();
        let mut failures: Vec<Option<String>> = vec![None; files.len()];
        // Per job: the offset it started at and the bytes it has read.
        let mut read = vec![(0u64, 0u64, 0usize); jobs.len()];
        let mut next_job = 0;
        let mut busy = 0;
        // Parts asked for and not yet come.
        let mut asked = 0;
        for worker in 0..self.workers.len() {
            if next_job < jobs.len() {
                self.send_read(worker, next_job, files, jobs[next_job]);
                next_job += 1;
                busy += 1;
            }
        }
        while busy + asked > 0 {
            let (worker, reply) = self.next().await;
            if worker == STOPPED_BY_PAGE {
                let reason = text_field(&reply, "message");
                return files.iter().map(|_| Err(reason.clone())).collect();
            }
            let job = number_field(&reply, "job") as usize;
            let Some(&(f, p)) = jobs.get(job) else {
                continue;
            };
            match text_field(&reply, OP).as_str() {
                PROGRESS => {
                    let start = files[f].parts[p].start.fed_from() as u64;
                    read[job] = (
                        start,
                        number_field(&reply, "bytes") as u64,
                        number_field(&reply, "records") as usize,
                    );
                    let (bytes, records) = jobs
                        .iter()
                        .zip(&read)
                        .filter(|((jf, _), _)| *jf == f)
                        .fold((0u64, 0usize), |(b, r), (_, &(start, at, records))| {
                            (b + at.saturating_sub(start), r + records)
                        });
                    on_progress(f, bytes.min(files[f].size), records);
                    continue;
                }
                PART => {
                    asked -= 1;
                    results[f][p] = field(&reply, "result")
                        .dyn_into::<ArrayBuffer>()
                        .ok()
                        .map(PartRead::Sent);
                    continue;
                }
                READ_DONE => {
                    let last = busy == 1 && next_job == jobs.len();
                    if last {
                        results[f][p] = Some(PartRead::Kept { job });
                        self.builder.set(worker);
                    } else {
                        self.send(worker, &message(SEND_PART, &[("job", job.into())]), &[]);
                        asked += 1;
                    }
                }
                FAILED => failures[f] = Some(text_field(&reply, "message")),
                _ => continue,
            }
            busy -= 1;
            if next_job < jobs.len() {
                self.send_read(worker, next_job, files, jobs[next_job]);
                next_job += 1;
                busy += 1;
            }
        }
        results
            .into_iter()
            .zip(failures)
            .map(|(parts, failure)| match failure {
                Some(reason) => Err(reason),
                None => parts
                    .into_iter()
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| "a part of the file was lost on its way.".to_string()),
            })
            .collect()
    }

    fn send_read(&self, worker: usize, job: usize, files: &[FileToRead], (f, p): (usize, usize)) {
        let file = &files[f];
        let request = message(
            READ,
            &[
                ("job", JsValue::from_f64(job as f64)),
                ("name", file.name.clone().into()),
                ("source", file.source.clone()),
                ("part", part_to_js(file.parts[p])),
            ],
        );
        self.send(worker, &request, &[]);
    }

    /// Asks the building worker (see `read`) to put each file's parts together and build the
    /// dataset (merged into `current` when there is one). The files' outcomes come first; then, unless the page
    /// must ask the user ([`Built::AskFirst`]), the dataset.
    pub async fn build(
        &self,
        files: Vec<(FileToRead, Vec<PartRead>)>,
        current: Option<&Dataset>,
        kind: &SourceKind,
        load_readable: bool,
        must_ask: bool,
    ) -> Result<Built, String> {
        let current = current.map(dataset_buffer);
        let room = MemoryRoom::prepare(files.iter().map(|(_, parts)| expected_room(parts)).sum());
        let mut transfer: Vec<JsValue> = Vec::new();
        let files = array(files.into_iter().map(|(file, parts)| {
            let parts = parts.into_iter().map(|part| match part {
                PartRead::Sent(buffer) => {
                    transfer.push(buffer.clone().into());
                    JsValue::from(buffer)
                }
                PartRead::Kept { job } => JsValue::from_f64(job as f64),
            });
            message(
                "file",
                &[
                    ("name", file.name.into()),
                    ("source", file.source),
                    ("parts", array(parts).into()),
                ],
            )
            .into()
        }));
        if let Some(current) = &current {
            transfer.push(current.clone().into());
        }
        let kind = match kind {
            SourceKind::Sample => "sample",
            _ => "uploaded",
        };
        let request = message(
            BUILD,
            &[
                ("files", files.into()),
                ("current", current.map_or(JsValue::NULL, JsValue::from)),
                ("sourceKind", kind.into()),
                (
                    "policy",
                    if load_readable {
                        "load-readable"
                    } else {
                        "ask"
                    }
                    .into(),
                ),
            ],
        );
        let builder = self.builder.get();
        self.send(builder, &request, &transfer);
        timeline::note("build asked");
        let mut summaries = None;
        loop {
            let (worker, reply) = self.next().await;
            if worker != builder && worker != STOPPED_BY_PAGE {
                continue;
            }
            match text_field(&reply, OP).as_str() {
                FILES => {
                    let files = array_field(&reply, "summaries")
                        .into_iter()
                        .filter_map(|b| b.dyn_into::<ArrayBuffer>().ok())
                        .map(|b| decode_file_summary(&mut JsIn::new(b)).map_err(|e| e.to_string()))
                        .collect::<Result<Vec<_>, _>>()?;
                    let verdict = crate::data::upload::verdict(&files);
                    if !load_readable
                        && (must_ask || verdict != crate::data::upload::Verdict::LoadAll)
                    {
                        return Ok(Built::AskFirst { files });
                    }
                    summaries = Some(files);
                }
                BUILT => {
                    let outbox = room.take_outbox(number_field(&reply, "bytes") as usize);
                    self.answer_built(builder, outbox);
                }
                DATASET => {
                    room.release();
                    return self
                        .receive_dataset(&reply, summaries.unwrap_or_default())
                        .await;
                }
                FAILED => return Err(text_field(&reply, "message")),
                _ => {}
            }
        }
    }

    /// After [`Built::AskFirst`]: loads the good records of the files.
    pub async fn accept(&self) -> Result<Built, String> {
        let builder = self.builder.get();
        self.send(builder, &message(ACCEPT, &[]), &[]);
        loop {
            let (worker, reply) = self.next().await;
            if worker != builder && worker != STOPPED_BY_PAGE {
                continue;
            }
            match text_field(&reply, OP).as_str() {
                BUILT => self.answer_built(builder, None),
                DATASET => return self.receive_dataset(&reply, Vec::new()).await,
                FAILED => return Err(text_field(&reply, "message")),
                _ => {}
            }
        }
    }

    /// Fetches both reports (and the audit log when `audit_log`) from the report backend at
    /// `base` with `token`, in the first worker (the walk, the pages' parsing and the build all
    /// happen there); `on_progress` as pages arrive. The token goes to the worker in a message,
    /// never in a URL.
    pub async fn fetch(
        &self,
        base: &str,
        token: &str,
        audit_log: bool,
        mut on_progress: impl FnMut(FetchProgress),
    ) -> Result<FetchedData, FetchEnd> {
        let request = message(
            FETCH,
            &[
                ("base", base.into()),
                ("token", token.into()),
                ("now", JsValue::from_f64(js_sys::Date::now())),
                ("auditLog", JsValue::from_bool(audit_log)),
            ],
        );
        self.fetching.set(true);
        self.send(0, &request, &[]);
        loop {
            let (worker, reply) = self.next().await;
            if worker != 0 && worker != STOPPED_BY_PAGE {
                continue;
            }
            match text_field(&reply, OP).as_str() {
                FETCH_PROGRESS => on_progress(fetch_progress_from_js(&reply)),
                DATASET => {
                    let count = |key| number_field(&reply, key) as usize;
                    let (pages, records, bad_records) =
                        (count("pages"), count("records"), count("badRecords"));
                    return match self.receive_dataset(&reply, Vec::new()).await {
                        Ok(Built::Dataset { dataset, .. }) => Ok(FetchedData {
                            dataset,
                            pages,
                            records,
                            bad_records,
                        }),
                        Ok(Built::AskFirst { .. } | Built::Inputs { .. }) => {
                            Err(FetchEnd::Cancelled)
                        }
                        Err(message) => Err(FetchEnd::Failed {
                            message,
                            about_token: false,
                        }),
                    };
                }
                FAILED => {
                    return Err(FetchEnd::Failed {
                        message: text_field(&reply, "message"),
                        about_token: bool_field(&reply, "aboutToken"),
                    })
                }
                _ => {}
            }
        }
    }

    /// Answers the builder's `built`: the buffer to write the dataset into, or none.
    fn answer_built(&self, builder: usize, outbox: Option<ArrayBuffer>) {
        let buffer = outbox.as_ref().map_or(JsValue::NULL, JsValue::from);
        let transfer: Vec<JsValue> = outbox.into_iter().map(JsValue::from).collect();
        self.send(builder, &message(ROOM, &[("buffer", buffer)]), &transfer);
    }

    async fn receive_dataset(
        &self,
        reply: &JsValue,
        files: Vec<FileImport>,
    ) -> Result<Built, String> {
        let inputs = match field(reply, INPUTS).dyn_into::<ArrayBuffer>() {
            Ok(buffer) => decode_inputs(&mut JsIn::new(buffer)).map_err(|e| e.to_string())?,
            Err(_) => PolicyInputs::default(),
        };
        let dataset = field(reply, "dataset");
        if dataset.is_null() && !inputs.is_empty() {
            return Ok(Built::Inputs { inputs, files });
        }
        let buffer: ArrayBuffer = dataset
            .dyn_into()
            .map_err(|_| "the dataset was lost on its way.".to_string())?;
        // Let the progress reach the screen before the columns are copied.
        crate::data::pause::yield_to_browser().await;
        timeline::note("dataset arrived");
        // Column by column, giving the page's thread a turn between them: a million events are
        // 40 MB to copy, too long for one task.
        // A buffer the page gave for it is bigger than the wire form; a fetch's is its size.
        let length = field(reply, LENGTH)
            .as_f64()
            .map_or(usize::MAX, |l| l as usize);
        let dataset = decode_dataset_in_steps(&mut JsIn::first(buffer, length), |step| {
            timeline::note(step);
            next_turn()
        })
        .await
        .map_err(|e| e.to_string())?;
        timeline::note("dataset decoded");
        // Showing it is a task of its own, too.
        next_turn().await;
        let notes = array_field(reply, "notes")
            .into_iter()
            .filter_map(|n| n.as_string())
            .collect();
        Ok(Built::Dataset {
            dataset: Box::new(dataset),
            notes,
            files,
            inputs,
        })
    }
}

/// The page's room for what a file's parts will give (see `room`).
fn expected_room(parts: &[PartRead]) -> usize {
    let sent: Vec<usize> = parts
        .iter()
        .filter_map(|p| match p {
            PartRead::Sent(buffer) => Some(buffer.byte_length() as usize),
            PartRead::Kept { .. } => None,
        })
        .collect();
    expected_dataset_bytes(&sent, parts.len() - sent.len())
}

/// A part a worker read: its result as sent to the page (the wire form), or kept by the building
/// worker (which knows it by its job number).
#[derive(Clone)]
pub enum PartRead {
    Sent(ArrayBuffer),
    Kept { job: usize },
}

/// What a build gave.
pub enum Built {
    /// The new dataset, with the notes worth showing, the files' outcomes and the what-if
    /// inputs the files also held.
    Dataset {
        dataset: Box<Dataset>,
        notes: Vec<String>,
        files: Vec<FileImport>,
        inputs: PolicyInputs,
    },
    /// Some files have problems: their outcomes, and nothing built until the user says so.
    AskFirst { files: Vec<FileImport> },
    /// The files held only what-if inputs (a group's members, the authentication methods
    /// policy): the loaded dataset stays as it is.
    Inputs {
        inputs: PolicyInputs,
        files: Vec<FileImport>,
    },
}

/// A finished fetch: the new dataset and what it took.
pub struct FetchedData {
    pub dataset: Box<Dataset>,
    pub pages: usize,
    pub records: usize,
    /// Bad records left out (noted in the dataset's warnings too).
    pub bad_records: usize,
}

/// A file to read: its name, its bytes' source (a `File` or `Blob`, or a URL to fetch), its
/// size, and the parts to read it in.
pub struct FileToRead {
    pub name: String,
    pub source: JsValue,
    pub size: u64,
    pub parts: Vec<Part>,
}

/// The parts to read a file in: its first bytes and the bytes where it may be split decide
/// (`count` parts at most; one for a small file). The probes are read at the same time: each
/// read is a round trip to the browser's file reading, and the load waits for the last.
pub async fn plan_parts(file: &web_sys::Blob, count: usize) -> Vec<Part> {
    let size = file.size() as usize;
    let offsets = probe_offsets(size, count);
    if offsets.is_empty() {
        return vec![Part::whole(0)];
    }
    // A read starts when it is asked for; all are asked for before the first is awaited.
    let head = start_reading(file, 0, PROBE_SIZE.min(size));
    let reads: Vec<_> = offsets
        .iter()
        .map(|&offset| start_reading(file, offset, (offset + PROBE_SIZE).min(size)))
        .collect();
    let Ok(head) = bytes_read(head).await else {
        return vec![Part::whole(0)];
    };
    let mut probes = Vec::with_capacity(offsets.len());
    for (offset, read) in offsets.into_iter().zip(reads) {
        match bytes_read(read).await {
            Ok(bytes) => probes.push((offset, bytes)),
            Err(_) => return vec![Part::whole(0)],
        }
    }
    let probes: Vec<(usize, &[u8])> = probes.iter().map(|(o, b)| (*o, &b[..])).collect();
    plan(&head, &probes)
}

/// Starts reading `from..to` of `blob`.
fn start_reading(blob: &web_sys::Blob, from: usize, to: usize) -> Result<js_sys::Promise, JsValue> {
    Ok(blob
        .slice_with_f64_and_f64(from as f64, to as f64)?
        .array_buffer())
}

/// The bytes a read started by [`start_reading`] gives.
async fn bytes_read(read: Result<js_sys::Promise, JsValue>) -> Result<Vec<u8>, JsValue> {
    let buffer = JsFuture::from(read?).await?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}
