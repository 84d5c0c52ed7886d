/**
 * What a row worker does with one job, on either platform (row-worker.ts in Node,
 * row-worker-browser.ts in a page): computes the rows with core's `sparseRows` (the function the
 * main thread uses, so the same bits), flags the job done or failed in the shared control word
 * and wakes the main thread.
 * @module
 */
import type { TypedArray } from '@stablegrad/core';
import { softmaxScratch, sparseRows } from '@stablegrad/core/kernels';
import { DONE, FAILED, type RowJob } from './row-protocol.js';

/**
 * Runs `job` over its shared buffers and reports in `control[0]`.
 * @example
 * ```ts
 * onMessage((job) => runRowJob(job, control));
 * ```
 */
export function runRowJob(job: RowJob, control: Int32Array): void {
  try {
    const rows = job.end - job.start;
    const view = (buffer: SharedArrayBuffer, offset: number, length: number): TypedArray =>
      job.dtype === 'float32' ? new Float32Array(buffer, offset, length) : new Float64Array(buffer, offset, length);
    const z = view(job.z, job.zOffset, rows * job.k);
    const labels = new Int32Array(job.labels, job.labelsOffset, rows);
    const loss = job.loss === null ? undefined : view(job.loss, job.lossOffset, rows);
    const grad = job.grad === null ? undefined : view(job.grad, job.gradOffset, rows * job.k);
    sparseRows(z, labels, loss, grad, 0, rows, job.k, softmaxScratch(job.k), job.scale);
    Atomics.store(control, 0, DONE);
  } catch {
    Atomics.store(control, 0, FAILED);
  }
  Atomics.notify(control, 0);
}

/**
 * Tells the main thread the worker listens for jobs (`control[1]` = 1).
 * @example
 * ```ts
 * reportReady(control);
 * ```
 */
export function reportReady(control: Int32Array): void {
  Atomics.store(control, 1, 1);
  Atomics.notify(control, 1);
}
