//! Ingest in Web Workers: files are read and parsed, and datasets built, off the page's thread
//! and across cores; the page gets the finished dataset in the model's wire form and copies its
//! columns into place. `protocol` names the messages, `js_wire` moves the wire form in and out of
//! JavaScript buffers, `pool` is the page's side (start workers, hand out jobs, cancel), `serve`
//! the worker's side (the `sspr-worker` binary runs it), `room` the page's memory made ready for
//! a dataset while it is built, `timeline` the load's named moments for
//! the browser benchmark.

pub mod js_wire;
pub mod pool;
pub mod protocol;
pub mod room;
pub mod serve;
pub mod timeline;
