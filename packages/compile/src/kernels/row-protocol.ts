/**
 * What the main thread and the row worker share: a job (a range of rows over shared buffers)
 * and the states of the control word.
 * @module
 */

/** Control word 0: a job is running (or none has been sent). */
export const RUNNING = 0;
/** Control word 0: the job finished. */
export const DONE = 1;
/** Control word 0: the job threw (the main thread reports it). */
export const FAILED = 2;

/**
 * Rows `start .. end-1` of a sparse softmax cross-entropy: logits `z` (`[rows, k]`), int32
 * labels, and where to write the loss (`[rows]`) and the gradient (`[rows, k]`), each a shared
 * buffer and a byte offset at the job's first row.
 * @example
 * ```ts
 * worker.postMessage({ dtype: 'float32', k: 1000, start: 2048, end: 4096, z, zOffset, ... } satisfies RowJob);
 * ```
 */
export interface RowJob {
  readonly dtype: 'float32' | 'float64';
  readonly k: number;
  readonly start: number;
  readonly end: number;
  readonly z: SharedArrayBuffer;
  readonly zOffset: number;
  readonly labels: SharedArrayBuffer;
  readonly labelsOffset: number;
  readonly loss: SharedArrayBuffer | null;
  readonly lossOffset: number;
  readonly grad: SharedArrayBuffer | null;
  readonly gradOffset: number;
  /** Multiply each gradient value (rounded to the dtype first) by this, or null. */
  readonly scale: number | null;
}
