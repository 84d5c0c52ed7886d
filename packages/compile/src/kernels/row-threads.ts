/**
 * A second thread for row-parallel kernels. The machines we target have two cores; a kernel
 * whose rows are independent (the fused sparse softmax cross-entropy: one exp per logit) gives
 * half its rows to one worker over shared memory and computes the other half itself, then waits
 * on a shared control word. Each row is computed by the same core function on either thread, so
 * the results are the same bits as on one thread.
 *
 * The worker starts on first use, through `#row-threads`: a `worker_threads` Worker in Node
 * (row-threads-node.ts), a module Web Worker in a cross-origin isolated page
 * (row-threads-browser.ts). Until it reports ready, and wherever there is none, kernels run on
 * one thread. `STABLEGRAD_THREADS=1` keeps Node on one thread.
 * @module
 */
import { StablegradError } from '@stablegrad/core';
import { startRowWorker, threadsAllowed } from '#row-threads';
import { DONE, FAILED, type RowJob, RUNNING } from './row-protocol.js';

/** The worker and the shared control words: [0] the job state, [1] ready. */
interface Helper {
  readonly post: (job: RowJob) => void;
  readonly control: Int32Array;
}

let helper: Helper | null | undefined;
// A page's main thread may not block in Atomics.wait (it throws there): then runSplit spins.
let canBlock = true;

/**
 * The worker, started on first call; null when there is one core, threads are turned off or
 * not allowed (no shared memory), or it did not start.
 * @example
 * ```ts
 * const h = rowHelper();
 * if (h !== null && isReady(h)) runSplit(h, job, () => computeRows(0, split));
 * ```
 */
export function rowHelper(): Helper | null {
  if (helper !== undefined) return helper;
  helper = null;
  if (typeof SharedArrayBuffer === 'undefined' || !threadsAllowed()) return helper;
  try {
    const control = new Int32Array(new SharedArrayBuffer(8));
    const post = startRowWorker(control);
    if (post !== null) helper = { post, control };
  } catch {
    helper = null;
  }
  return helper;
}

/**
 * Whether the worker listens for jobs (a page's worker reports ready some time after it starts).
 * @example
 * ```ts
 * isReady(h) ? runSplit(h, job, mine) : computeRows(0, rows);
 * ```
 */
export function isReady(h: Helper): boolean {
  return Atomics.load(h.control, 1) === 1;
}

/**
 * Sends `job` to the worker, runs `mine` (the main thread's rows), then waits for the worker.
 * @example
 * ```ts
 * runSplit(h, job, () => computeRows(0, split));
 * ```
 */
export function runSplit(h: Helper, job: RowJob, mine: () => void): void {
  Atomics.store(h.control, 0, RUNNING);
  h.post(job);
  let failure: unknown;
  try {
    mine();
  } catch (e) {
    failure = e;
  }
  // Wait for the worker even when our half failed: it is writing into shared buffers.
  const deadline = Date.now() + 60_000;
  while (Atomics.load(h.control, 0) === RUNNING && Date.now() < deadline) {
    if (!canBlock) continue;
    try {
      Atomics.wait(h.control, 0, RUNNING, 1000);
    } catch {
      canBlock = false;
    }
  }
  const state = Atomics.load(h.control, 0);
  if (failure !== undefined) throw failure;
  if (state === FAILED) throw new StablegradError('the row worker failed on its half of a cross-entropy kernel');
  if (state !== DONE) throw new StablegradError('the row worker did not finish its half of a cross-entropy kernel within 60 s');
}

/**
 * Where a typed array's data is, as the worker sees it: a shared buffer and byte offset, or
 * null when the array is not in shared memory (then it is staged).
 * @example
 * ```ts
 * shared(grad); // { buffer, offset } for a pooled buffer
 * ```
 */
export function shared(array: ArrayBufferView): { buffer: SharedArrayBuffer; offset: number } | null {
  return typeof SharedArrayBuffer !== 'undefined' && array.buffer instanceof SharedArrayBuffer ? { buffer: array.buffer, offset: array.byteOffset } : null;
}
