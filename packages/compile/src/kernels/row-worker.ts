/**
 * The second thread of the row-parallel kernels (row-threads.ts): it waits for jobs, each a
 * range of rows of a sparse softmax cross-entropy over shared memory, computes them with
 * `sparseRows` (the same function as the main thread, so the same bits), then flags the job done in
 * the shared control word and wakes the main thread.
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { TypedArray } from '@stablegrad/core';
import { softmaxScratch, sparseRows } from '@stablegrad/core/kernels';
import { DONE, FAILED, type RowJob } from './row-protocol.js';

const control = new Int32Array((workerData as { control: SharedArrayBuffer }).control);

parentPort!.on('message', (job: RowJob) => {
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
});

// Ready: the main thread waits for this word (with a timeout) before its first job.
Atomics.store(control, 1, 1);
Atomics.notify(control, 1);
