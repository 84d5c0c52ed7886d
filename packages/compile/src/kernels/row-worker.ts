/**
 * The second thread of the row-parallel kernels in Node (row-threads-node.ts starts it): it
 * waits for jobs, each a range of rows of a sparse softmax cross-entropy over shared memory, and
 * runs them with `runRowJob` (row-job.ts, shared with the browser worker).
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { RowJob } from './row-protocol.js';
import { reportReady, runRowJob } from './row-job.js';

const control = new Int32Array((workerData as { control: SharedArrayBuffer }).control);

parentPort!.on('message', (job: RowJob) => runRowJob(job, control));

// Ready: the main thread waits for this word (with a timeout) before its first job.
reportReady(control);
