// Starts an ingest worker (src/data/worker/serve.rs). The page compiles the worker's wasm once and
// sends it, compiled, as the first message to every worker it starts: no worker downloads or
// compiles it again, and code the browser optimised during one load is optimised for the next.
// The wasm then says `ready` and answers the page's messages.
import init from './sspr-worker.js';

self.onmessage = (event) => {
  self.onmessage = null;
  init({ module_or_path: event.data }).catch((error) => {
    self.postMessage({ op: 'failed', message: `A background worker could not start: ${error}` });
  });
};
