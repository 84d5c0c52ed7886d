/**
 * The second thread of the row-parallel kernels in a page: a module Web Worker started by
 * row-threads-browser.ts. Its first message is the shared control buffer; every later one is a
 * job, run with `runRowJob` (row-job.ts, shared with the Node worker thread).
 * @module
 */
import type { RowJob } from './row-protocol.js';
import { reportReady, runRowJob } from './row-job.js';

/** The part of a worker's global scope used here (the package compiles without the DOM types). */
interface WorkerScope {
  onmessage: ((event: { readonly data: unknown }) => void) | null;
}

const scope = globalThis as unknown as WorkerScope;
let control: Int32Array | undefined;

scope.onmessage = ({ data }) => {
  if (control === undefined) {
    control = new Int32Array((data as { control: SharedArrayBuffer }).control);
    reportReady(control);
  } else {
    runRowJob(data as RowJob, control);
  }
};
