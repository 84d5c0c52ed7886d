/**
 * Starting the row worker in Node (`#row-threads` under the `node` condition): a
 * `worker_threads` Worker, unreferenced so that it never keeps a process alive, which must
 * report ready within 10 s, else kernels stay on one thread. `STABLEGRAD_THREADS=1` turns it off.
 * @module
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { RowJob } from './row-protocol.js';

/**
 * Whether a second thread may help: more than one core and threads not turned off.
 * @example
 * ```ts
 * if (threadsAllowed()) startRowWorker(control);
 * ```
 */
export function threadsAllowed(): boolean {
  return process.env.STABLEGRAD_THREADS !== '1' && availableParallelism() >= 2;
}

/**
 * Starts the worker on `control` (two shared int32 words) and waits until it is ready; returns
 * how to send it a job, or null when it did not start.
 * @example
 * ```ts
 * const post = startRowWorker(new Int32Array(new SharedArrayBuffer(8)));
 * ```
 */
export function startRowWorker(control: Int32Array): ((job: RowJob) => void) | null {
  const worker = new Worker(new URL('./row-worker.js', import.meta.url), { workerData: { control: control.buffer } });
  worker.unref();
  Atomics.wait(control, 1, 0, 10_000);
  if (Atomics.load(control, 1) === 1) return (job) => worker.postMessage(job);
  void worker.terminate();
  return null;
}
