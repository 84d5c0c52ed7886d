/**
 * A second thread for row-parallel kernels. The machines we target have two cores; a kernel
 * whose rows are independent (the fused sparse softmax cross-entropy: one exp per logit) gives
 * half its rows to one worker thread over shared memory and computes the other half itself,
 * then waits on a shared control word. Each row is computed by the same core function on
 * either thread, so the results are the same bits as on one thread.
 *
 * The worker starts on first use (and must report ready within 10 s, else kernels stay on one
 * thread); it is unreferenced, so it never keeps a process alive. `STABLEGRAD_THREADS=1`
 * keeps everything on one thread.
 * @module
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { StablegradError } from '@stablegrad/core';
import { DONE, FAILED, type RowJob, RUNNING } from './row-protocol.js';

/** The worker and the shared control words: [0] the job state, [1] ready. */
interface Helper {
  readonly worker: Worker;
  readonly control: Int32Array;
}

let helper: Helper | null | undefined;

/**
 * The worker thread, started on first call; null when there is one core, threads are turned
 * off, or it did not start.
 * @example
 * ```ts
 * if (rowHelper() !== null) splitRows(...);
 * ```
 */
export function rowHelper(): Helper | null {
  if (helper !== undefined) return helper;
  helper = null;
  if (process.env.STABLEGRAD_THREADS === '1' || availableParallelism() < 2 || typeof SharedArrayBuffer === 'undefined') return helper;
  try {
    const control = new Int32Array(new SharedArrayBuffer(8));
    const worker = new Worker(new URL('./row-worker.js', import.meta.url), { workerData: { control: control.buffer } });
    worker.unref();
    Atomics.wait(control, 1, 0, 10_000);
    if (Atomics.load(control, 1) === 1) helper = { worker, control };
    else void worker.terminate();
  } catch {
    helper = null;
  }
  return helper;
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
  h.worker.postMessage(job);
  let failure: unknown;
  try {
    mine();
  } catch (e) {
    failure = e;
  }
  // Wait for the worker even when our half failed: it is writing into shared buffers.
  const deadline = Date.now() + 60_000;
  while (Atomics.load(h.control, 0) === RUNNING && Date.now() < deadline) Atomics.wait(h.control, 0, RUNNING, 1000);
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
  return array.buffer instanceof SharedArrayBuffer ? { buffer: array.buffer, offset: array.byteOffset } : null;
}
