/**
 * The fused sparse softmax cross-entropy and its gradient, writing into preallocated buffers
 * with core's own row kernels (same bits as the interpreter). When a plan needs both the loss
 * and the gradient of the same logits and labels, one pass computes both: one exp per logit.
 * Large inputs are split by rows between this thread and the row worker (row-threads.ts).
 * @module
 */
import type { Node, TypedArray } from '@stablegrad/core';
import { checkLabels, softmaxScratch, sparseRows } from '@stablegrad/core/kernels';
import { sharedArray } from '../buffers.js';
import type { RowJob } from './row-protocol.js';
import { isReady, rowHelper, runSplit, shared } from './row-threads.js';

/** Below this many logits one thread is faster than two (the hand-off costs ~0.1 ms). */
export const PARALLEL_MIN_LOGITS = 1 << 18;

type Run = (z: TypedArray, labels: TypedArray, loss: TypedArray | undefined, grad: TypedArray | undefined, scale: number | null) => void;

/**
 * Runs the loss (into `loss`, `[rows]`) and/or the gradient (into `grad`, `[rows, k]`, times
 * `scale` when it is a number) of `rows` rows of k logits against int32 labels. A label outside
 * [0, k) is core's ValueError, naming `node`.
 * @example
 * ```ts
 * const run = sparseCrossEntropy(32, 10, node, 'float32');
 * run(z, labels, lossBuffer, gradBuffer, null);
 * ```
 */
export function sparseCrossEntropy(rows: number, k: number, node: Node, dtype: 'float32' | 'float64'): Run {
  const scratch = softmaxScratch(k);
  const labelTensor = { dtype: 'int32' as const, shape: [rows], data: new Int32Array(0) as TypedArray };
  const computeRows = (z: TypedArray, labels: TypedArray, loss: TypedArray | undefined, grad: TypedArray | undefined, start: number, end: number, scale: number | null): void =>
    sparseRows(z, labels, loss, grad, start, end, k, scratch, scale);
  const split = rows * k >= PARALLEL_MIN_LOGITS && rows >= 2 ? splitter(rows, k, dtype, computeRows) : null;
  return (z, labels, loss, grad, scale) => {
    labelTensor.data = labels;
    checkLabels(labelTensor, k, node);
    if (split !== null) split(z, labels, loss, grad, scale);
    else computeRows(z, labels, loss, grad, 0, rows, scale);
  };
}

// The two-thread version: the worker takes rows [half, rows). Inputs or outputs that are not
// in shared memory go through staging buffers made once here.
function splitter(
  rows: number, k: number, dtype: 'float32' | 'float64',
  computeRows: (z: TypedArray, labels: TypedArray, loss: TypedArray | undefined, grad: TypedArray | undefined, start: number, end: number, scale: number | null) => void,
): Run | null {
  const h = rowHelper();
  if (h === null) return null;
  const half = Math.ceil(rows / 2);
  const theirs = rows - half;
  const width = dtype === 'float32' ? 4 : 8;
  let zStage: TypedArray | undefined;
  let lossStage: TypedArray | undefined;
  let gradStage: TypedArray | undefined;
  const labelStage = sharedArray('int32', theirs);
  return (z, labels, loss, grad, scale) => {
    // A page's worker reports ready some time after it starts: until then, one thread.
    if (!isReady(h)) {
      computeRows(z, labels, loss, grad, 0, rows, scale);
      return;
    }
    let zShared = shared(z);
    if (zShared === null) {
      zStage ??= sharedArray(dtype, theirs * k);
      zStage.set(z.subarray(half * k, rows * k));
      zShared = { buffer: zStage.buffer as SharedArrayBuffer, offset: -half * k * width };
    }
    labelStage.set(labels.subarray(half, rows));
    const lossShared = loss === undefined ? null : shared(loss) ?? { buffer: (lossStage ??= sharedArray(dtype, theirs)).buffer as SharedArrayBuffer, offset: -half * width };
    const gradShared = grad === undefined ? null : shared(grad) ?? { buffer: (gradStage ??= sharedArray(dtype, theirs * k)).buffer as SharedArrayBuffer, offset: -half * k * width };
    // Offsets point at row `half` of each array (a staged array starts there).
    const job: RowJob = {
      dtype, k, start: half, end: rows,
      z: zShared.buffer, zOffset: zShared.offset + half * k * width,
      labels: labelStage.buffer as SharedArrayBuffer, labelsOffset: 0,
      loss: lossShared?.buffer ?? null, lossOffset: lossShared === null ? 0 : lossShared.offset + half * width,
      grad: gradShared?.buffer ?? null, gradOffset: gradShared === null ? 0 : gradShared.offset + half * k * width,
      scale,
    };
    runSplit(h, job, () => computeRows(z, labels, loss, grad, 0, half, scale));
    if (loss !== undefined && shared(loss) === null) loss.set(lossStage!, half);
    if (grad !== undefined && shared(grad) === null) grad.set(gradStage!, half * k);
  };
}
