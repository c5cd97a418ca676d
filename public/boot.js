// Starts SSPR Insights: loads the wasm-bindgen module and the wasm that the build named on this
// script's tag (Trunk's `pattern_script`), relative to this file, so that the app works at the
// root and under a sub-path, and under a Content-Security-Policy without 'unsafe-inline'.
const tag = document.querySelector('script[data-app-boot]');
const status = document.getElementById('boot-status');
try {
  const here = new URL('.', import.meta.url);
  const bindings = await import(new URL(tag.dataset.js, here).href);
  await bindings.default({ module_or_path: new URL(tag.dataset.wasm, here) });
  // For the browser benchmark (`make bench-browser`) and the journeys: how much memory the app's
  // wasm holds, the spare workers, the latest load's moments.
  globalThis.ssprDiagnostics = {
    wasmMemoryBytes: bindings.wasm_memory_bytes,
    workerMemoryPeakBytes: bindings.worker_memory_peak_bytes,
    spareWorkerMemoryBytes: bindings.spare_worker_memory_bytes,
    spareWorkersReady: bindings.spare_workers_ready,
    // The latest load's named moments, page and workers (`data::worker::timeline`).
    ingestTimeline: bindings.ingest_timeline,
  };
  status?.remove();
} catch (error) {
  if (status) {
    status.classList.add('failed');
    status.textContent = `SSPR Insights could not start in this browser: ${error}`;
  }
  throw error;
}
