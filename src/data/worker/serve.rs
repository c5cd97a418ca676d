//! Inside an ingest worker: answers the page's messages (see `protocol`). Reads a part of a file
//! from its `Blob` chunk by chunk (the next chunk on its way while this one is read) into the
//! model's `StreamImport`; puts the parts of files together and builds the dataset. It has no
//! DOM and never touches the page's state: everything it gives goes back as a message.

use std::cell::RefCell;

use js_sys::{ArrayBuffer, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, DedicatedWorkerGlobalScope, MessageEvent, ReadableStreamByobReader};

use super::js_wire::{
    buffer_of, dataset_buffer, dataset_buffer_in, dataset_size, part_buffer, JsIn,
};
use super::protocol::*;
use super::timeline;
use crate::data::live_fetch::{FetchEnd, FetchProgress};
use crate::data::pause::next_turn;
use crate::data::report_api::{normalise_token, prepare};
use crate::data::transport::{fetch_live, Cancel};
use crate::data::upload::{self, Verdict};
use crate::model::import::{combine, part, ImportPart, Part, StreamImport};
use crate::model::policy::PolicyInputs;
use crate::model::wire::{
    decode_dataset, decode_part, decode_part_with_room, encode_file_summary, encode_inputs,
    PartRoom,
};
use crate::model::{AsOf, Dataset, FileImport, Millis, SourceKind};

/// Bytes analysed at a time: the size of the buffer the browser reads a file into.
const SLICE: usize = 1 << 20;
/// Bytes analysed between two progress messages (each with a turn of the event loop).
const PROGRESS_EVERY: usize = 8 << 20;

/// What a build waits with while the page asks the user (files with problems).
struct Pending {
    files: Vec<FileImport>,
    current: Option<Dataset>,
    kind: SourceKind,
}

thread_local! {
    static PENDING: RefCell<Option<Pending>> = const { RefCell::new(None) };
    /// The running fetch's cancel switch.
    static FETCHING: RefCell<Option<Cancel>> = const { RefCell::new(None) };
    /// What this worker read, by job number, until the page asks for it or has it built here.
    static KEPT: RefCell<Vec<(f64, ImportPart)>> = const { RefCell::new(Vec::new()) };
    /// What resolves the wait for the page's buffer (see `room_from_page`).
    static ROOM_ANSWER: RefCell<Option<js_sys::Function>> = const { RefCell::new(None) };
}

/// Starts answering messages; tells the page it is ready.
pub fn serve() {
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|event: MessageEvent| {
        wasm_bindgen_futures::spawn_local(handle(event.data()));
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    post(&message(READY, &[]), None);
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// Posts a message, handing over `buffer` (not copying it) when there is one.
fn post(message: &JsValue, buffer: Option<&ArrayBuffer>) {
    let transfer: Vec<JsValue> = buffer.map(JsValue::from).into_iter().collect();
    post_transferring(message, &transfer);
}

/// Posts a message, handing over every buffer of `transfer` (not copying them). Every message
/// says how much memory this worker holds (the page keeps the peak, for the browser benchmark).
fn post_transferring(message: &JsValue, transfer: &[JsValue]) {
    let _ = js_sys::Reflect::set(
        message,
        &"memory".into(),
        &JsValue::from_f64(crate::wasm_memory_bytes()),
    );
    let _ = js_sys::Reflect::set(message, &MOMENTS.into(), &timeline::take_js());
    let result = if transfer.is_empty() {
        scope().post_message(message)
    } else {
        scope().post_message_with_transfer(message, &array(transfer.iter().cloned()))
    };
    // A worker whose page went away has nobody to tell.
    let _ = result;
}

fn fail(message: String) {
    post(
        &super::protocol::message(FAILED, &[("message", message.into())]),
        None,
    );
}

async fn handle(data: JsValue) {
    match text_field(&data, OP).as_str() {
        READ => read(&data).await,
        SEND_PART => send_part(&data),
        BUILD => build(&data).await,
        FETCH => fetch(&data).await,
        STOP => stop(),
        ACCEPT => accept().await,
        ROOM => room_arrived(&data),
        _ => {}
    }
}

async fn read(data: &JsValue) {
    let job = field(data, "job");
    let name = text_field(data, "name");
    let Some(part) = part_from_js(&field(data, "part")) else {
        return fail(format!(
            "{name}: the page asked for a part this worker cannot read."
        ));
    };
    timeline::note("read asked");
    let outcome = match source_blob(&field(data, "source")).await {
        Ok(blob) => {
            read_part(&blob, &name, part, |bytes, records| {
                post(
                    &message(
                        PROGRESS,
                        &[
                            ("job", job.clone()),
                            ("bytes", JsValue::from_f64(bytes)),
                            ("records", JsValue::from_f64(records as f64)),
                        ],
                    ),
                    None,
                )
            })
            .await
        }
        Err(reason) => Err(reason),
    };
    match outcome {
        Ok(result) => {
            timeline::note("part read");
            let number = job.as_f64().unwrap_or(f64::NAN);
            KEPT.with(|k| k.borrow_mut().push((number, result)));
            post(&message(READ_DONE, &[("job", job)]), None);
        }
        Err(reason) => post(
            &message(FAILED, &[("job", job), ("message", reason.into())]),
            None,
        ),
    }
}

/// Asks the page for the buffer it made ready for a dataset's wire form of `bytes` (see
/// `room`), and waits for its answer: the buffer, or `None` when it has none that big.
async fn room_from_page(bytes: usize) -> Option<ArrayBuffer> {
    let answer = js_sys::Promise::new(&mut |resolve, _| {
        ROOM_ANSWER.with(|r| *r.borrow_mut() = Some(resolve));
    });
    post(
        &message(BUILT, &[("bytes", JsValue::from_f64(bytes as f64))]),
        None,
    );
    JsFuture::from(answer).await.ok()?.dyn_into().ok()
}

/// The page's answer to `built`.
fn room_arrived(data: &JsValue) {
    if let Some(resolve) = ROOM_ANSWER.with(|r| r.borrow_mut().take()) {
        let _ = resolve.call1(&JsValue::NULL, &field(data, "buffer"));
    }
}

/// The page wants a part this worker keeps: it goes in the wire form.
fn send_part(data: &JsValue) {
    let job = field(data, "job");
    match job.as_f64().and_then(take_kept) {
        Some(mut part) => {
            let buffer = part_buffer(&mut part);
            drop(part);
            timeline::note("part sent");
            post(
                &message(PART, &[("job", job), ("result", buffer.clone().into())]),
                Some(&buffer),
            );
        }
        None => fail("A part of the file was lost in its worker.".to_string()),
    }
}

/// The kept part of job `job` (a job number the page gave; one that is not a number, NaN,
/// equals none).
fn take_kept(job: f64) -> Option<ImportPart> {
    KEPT.with(|k| {
        let mut kept = k.borrow_mut();
        let at = kept.iter().position(|(j, _)| *j == job)?;
        Some(kept.swap_remove(at).1)
    })
}

/// The `Blob` to read: the one sent, or what a URL gives (the bundled sample).
async fn source_blob(source: &JsValue) -> Result<Blob, String> {
    if let Some(blob) = source.dyn_ref::<Blob>() {
        return Ok(blob.clone());
    }
    let url = source.as_string().unwrap_or_default();
    let failed = |why: String| format!("The sample data could not be downloaded from {url}: {why}");
    let response: web_sys::Response = JsFuture::from(scope().fetch_with_str(&url))
        .await
        .map_err(|e| failed(js_text(&e)))?
        .unchecked_into();
    if !response.ok() {
        return Err(failed(format!(
            "the server answered {} {}.",
            response.status(),
            response.status_text()
        )));
    }
    let blob = response.blob().map_err(|e| failed(js_text(&e)))?;
    Ok(JsFuture::from(blob)
        .await
        .map_err(|e| failed(js_text(&e)))?
        .unchecked_into())
}

/// Reads `part` of `blob`: from the part's start to where the next part starts (or, when no
/// record boundary is there, on to the end of the file).
async fn read_part(
    blob: &Blob,
    name: &str,
    part: Part,
    mut on_progress: impl FnMut(f64, usize),
) -> Result<ImportPart, String> {
    // Sized once for the part's records instead of growing (a growing column is copied into
    // fresh memory at each doubling).
    let end = part.stop.map_or(blob.size() as usize, |stop| stop.offset());
    let mut stream =
        StreamImport::new(name, part).with_size_hint(end.saturating_sub(part.start.offset()));
    let mut reader = BlobReader::new(blob, part.start.fed_from())?;
    let mut analysing = 0.0;
    let mut since_progress = 0;
    timeline::note("reading");
    while let Some(bytes) = reader.next().await? {
        let len = bytes.byte_length() as usize;
        let t0 = timeline::now();
        stream.feed_with(len, |room| bytes.copy_to(room));
        analysing += timeline::now() - t0;
        since_progress += len;
        if stream.is_stopped() {
            // The rest belongs to the next part.
            reader.cancel();
            break;
        }
        if since_progress >= PROGRESS_EVERY {
            on_progress(reader.at as f64, stream.records().0);
            since_progress = 0;
            // A turn for the messages that came meanwhile: a read that finds its bytes waiting
            // is answered within the same turn.
            next_turn().await;
        }
    }
    // The last bytes' progress (once: a part that stopped, too).
    on_progress(reader.at as f64, stream.records().0);
    let part = stream.finish_part();
    // Whole milliseconds (float formatting would add its code to the worker for this alone).
    timeline::note(&format!("analysed for {} ms", analysing as u64));
    Ok(part)
}

/// A `Blob` read front to back from an offset, `SLICE` bytes at a time, through its stream with
/// a "bring your own buffer" reader: the browser writes into one buffer that goes back and forth,
/// so reading costs no fresh buffers. (Reading 32 MB slices of the `Blob` instead allocated and
/// zeroed a buffer for each: two workers read their halves of 269 MB in 240–330 ms that way,
/// 110–160 ms this way.)
struct BlobReader {
    reader: ReadableStreamByobReader,
    /// The buffer, between two reads.
    buffer: Option<ArrayBuffer>,
    /// The file's offset read up to.
    at: usize,
}

impl BlobReader {
    fn new(blob: &Blob, from: usize) -> Result<BlobReader, String> {
        let reader = blob
            .slice_with_f64(from as f64)
            .and_then(|rest| ReadableStreamByobReader::new(&rest.stream()))
            .map_err(|e| could_not_read(&e))?;
        Ok(BlobReader {
            reader,
            buffer: Some(ArrayBuffer::new(SLICE as u32)),
            at: from,
        })
    }

    /// The next `SLICE` bytes (fewer at the end), or `None` at the end. They are valid until the
    /// next call, which reads into the same buffer.
    async fn next(&mut self) -> Result<Option<Uint8Array>, String> {
        let Some(mut buffer) = self.buffer.take() else {
            return Ok(None);
        };
        let mut filled = 0;
        loop {
            // A read fills what is left of the buffer, or less (what the browser has); the
            // buffer comes back with it.
            let room = Uint8Array::new_with_byte_offset_and_length(
                &buffer,
                filled as u32,
                (SLICE - filled) as u32,
            );
            let read = JsFuture::from(self.reader.read_with_array_buffer_view(&room))
                .await
                .map_err(|e| could_not_read(&e))?;
            let piece = field(&read, "value").dyn_into::<Uint8Array>().ok();
            if let Some(piece) = &piece {
                buffer = piece.buffer();
                filled += piece.byte_length() as usize;
            }
            let done = bool_field(&read, "done") || piece.is_none();
            if filled == SLICE || done {
                self.at += filled;
                if !done {
                    self.buffer = Some(buffer.clone());
                }
                return Ok((filled > 0).then(|| {
                    Uint8Array::new_with_byte_offset_and_length(&buffer, 0, filled as u32)
                }));
            }
        }
    }

    /// Stops reading (the browser stops moving the rest in).
    fn cancel(&self) {
        let _ = self.reader.cancel();
    }
}

fn could_not_read(error: &JsValue) -> String {
    format!("the file could not be read from disk ({}).", js_text(error))
}

async fn build(data: &JsValue) {
    timeline::note("build asked");
    let kind = match text_field(data, "sourceKind").as_str() {
        "sample" => SourceKind::Sample,
        _ => SourceKind::Uploaded,
    };
    let mut files = Vec::new();
    for file in array_field(data, "files") {
        match combine_file(&file).await {
            Ok(imported) => files.push(imported),
            Err(message) => return fail(message),
        }
    }
    let current = match field(data, "current").dyn_into::<ArrayBuffer>() {
        Ok(buffer) => match decode_dataset(&mut JsIn::new(buffer)) {
            Ok(ds) => Some(ds),
            Err(e) => return fail(e.to_string()),
        },
        Err(_) => None,
    };
    timeline::note("parts combined");
    let summaries = array(
        files
            .iter()
            .map(|f| JsValue::from(buffer_of(&encode_file_summary(f)))),
    );
    post(&message(FILES, &[("summaries", summaries.into())]), None);
    if bool_field(data, "mustAsk") {
        PENDING.with(|p| {
            *p.borrow_mut() = Some(Pending {
                files,
                current,
                kind,
            })
        });
        return;
    }
    if text_field(data, "policy") == "load-readable" {
        return match upload::readable_batches(files) {
            Ok((batches, notes)) => send_dataset(batches, current, kind, notes).await,
            Err(message) => fail(message),
        };
    }
    match upload::verdict(&files) {
        Verdict::LoadAll => {
            send_dataset(upload::batches(files, false), current, kind, Vec::new()).await
        }
        Verdict::AskFirst { .. } => PENDING.with(|p| {
            *p.borrow_mut() = Some(Pending {
                files,
                current,
                kind,
            })
        }),
        // The summaries say why; there is nothing to build.
        Verdict::NothingToLoad => {}
    }
}

/// The live fetch, all of it here: the walk (with its retries and waits), the pages' parsing
/// and the build. Cancel is the page terminating this worker.
async fn fetch(data: &JsValue) {
    let (base, token) = (text_field(data, "base"), text_field(data, "token"));
    let plan = match prepare(&base, &token, number_field(data, "now") as Millis) {
        Ok(plan) => plan.with_audit_log(bool_field(data, "auditLog")),
        Err(error) => {
            let token = normalise_token(&token);
            return post(
                &message(
                    FAILED,
                    &[
                        ("message", error.user_message(token.as_deref()).into()),
                        ("aboutToken", JsValue::from_bool(error.is_about_token())),
                    ],
                ),
                None,
            );
        }
    };
    let progress = |p: &FetchProgress| post(&fetch_progress_to_js(p), None);
    let cancel = Cancel::new();
    FETCHING.with(|f| *f.borrow_mut() = Some(cancel.clone()));
    match fetch_live(&plan, cancel, progress).await {
        Ok(fetched) => {
            let buffer = dataset_buffer(&fetched.dataset);
            let counts = [fetched.pages, fetched.records, fetched.bad_records];
            drop(fetched);
            post(
                &message(
                    DATASET,
                    &[
                        ("dataset", buffer.clone().into()),
                        ("notes", array([]).into()),
                        ("pages", JsValue::from_f64(counts[0] as f64)),
                        ("records", JsValue::from_f64(counts[1] as f64)),
                        ("badRecords", JsValue::from_f64(counts[2] as f64)),
                    ],
                ),
                Some(&buffer),
            );
        }
        Err(FetchEnd::Failed {
            message: text,
            about_token,
        }) => post(
            &message(
                FAILED,
                &[
                    ("message", text.into()),
                    ("aboutToken", JsValue::from_bool(about_token)),
                ],
            ),
            None,
        ),
        // The page stopped the fetch: nobody waits for an answer. (A moment first, so that the
        // aborted request is seen to end: developer tools, and the journeys, watch for it.)
        Err(FetchEnd::Cancelled) => {
            crate::data::pause::sleep(100).await;
            scope().close()
        }
    }
}

/// The page stopped this load: a fetch aborts its request in flight (and the worker closes once
/// the walk has ended); anything else closes the worker now.
fn stop() {
    match FETCHING.with(|f| f.borrow_mut().take()) {
        Some(cancel) => cancel.cancel(),
        None => scope().close(),
    }
}

/// The page's answer to files with problems: load their good records.
async fn accept() {
    if let Some(p) = PENDING.with(|p| p.borrow_mut().take()) {
        send_dataset(
            upload::batches(p.files, true),
            p.current,
            p.kind,
            Vec::new(),
        )
        .await;
    }
}

/// One file's parts put together; read again whole, front to back, when they do not fit.
async fn combine_file(file: &JsValue) -> Result<FileImport, String> {
    let name = text_field(file, "name");
    // A part read elsewhere comes in the wire form; one read here, by its job number. The others
    // are appended to the first (`combine`): one that was sent is read last, with room for them.
    let mut first_sent = None;
    let mut parts = Vec::new();
    for entry in array_field(file, "parts") {
        parts.push(match entry.dyn_into::<ArrayBuffer>() {
            Ok(buffer) if parts.is_empty() => {
                first_sent = Some(buffer);
                None
            }
            Ok(buffer) => {
                Some(decode_part(&mut JsIn::new(buffer)).map_err(|e| format!("{name}: {e}"))?)
            }
            Err(entry) => Some(
                entry
                    .as_f64()
                    .and_then(take_kept)
                    .ok_or_else(|| format!("{name}: a part was lost on its way."))?,
            ),
        });
    }
    if let Some(buffer) = first_sent {
        let room = PartRoom::for_parts(parts[1..].iter().flatten());
        let part = decode_part_with_room(&mut JsIn::new(buffer), &room)
            .map_err(|e| format!("{name}: {e}"))?;
        parts[0] = Some(part);
    }
    let parts: Vec<ImportPart> = parts.into_iter().flatten().collect();
    if part::fits_together(&parts) {
        return Ok(combine(parts));
    }
    let whole = Part::whole(parts.first().map_or(0, |p| p.start().offset()));
    drop(parts);
    let blob = source_blob(&field(file, "source")).await?;
    let result = read_part(&blob, &name, whole, |_, _| {}).await?;
    Ok(combine(vec![result]))
}

async fn send_dataset(
    mut batches: Vec<crate::model::Batch>,
    current: Option<Dataset>,
    kind: SourceKind,
    notes: Vec<String>,
) {
    // The what-if inputs are not registration data: files that hold only them leave the
    // dataset on the page as it is (no dataset is sent back).
    let inputs = PolicyInputs::take_from(&mut batches);
    let inputs = (!inputs.is_empty()).then(|| buffer_of(&encode_inputs(&inputs)));
    let registration_data = batches.iter().any(|b| b.user_count() + b.event_count() > 0);
    // Times far past the moment of loading are a broken export's, not the data's as-of time.
    let as_of = AsOf::Loaded(js_sys::Date::now() as Millis);
    let (buffer, length) = if registration_data || inputs.is_none() {
        let dataset = match current {
            Some(current) => current.merge(batches, as_of, kind),
            None => Dataset::build(batches, as_of, kind),
        };
        timeline::note("dataset built");
        let size = dataset_size(&dataset);
        let buffer = dataset_buffer_in(&dataset, size, room_from_page(size).await);
        timeline::note("dataset encoded");
        (Some(buffer), size)
    } else {
        (None, 0)
    };
    let notes = array(notes.into_iter().map(JsValue::from));
    let field = |b: &Option<ArrayBuffer>| b.clone().map_or(JsValue::NULL, JsValue::from);
    let reply = message(
        DATASET,
        &[
            ("dataset", field(&buffer)),
            (LENGTH, JsValue::from_f64(length as f64)),
            ("notes", notes.into()),
            (INPUTS, field(&inputs)),
        ],
    );
    let transfer: Vec<JsValue> = [buffer, inputs]
        .into_iter()
        .flatten()
        .map(JsValue::from)
        .collect();
    post_transferring(&reply, &transfer);
}
