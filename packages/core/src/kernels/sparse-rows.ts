/**
 * Rows of the fused sparse softmax cross-entropy, as either thread computes them: the loss
 * and/or the gradient of rows `start .. end-1`, with core's row kernels. With `scale`, each
 * gradient row is then multiplied by it in place, while it is in cache: the `mul(1 / n, grad)`
 * that follows a mean, with the interpreter's roundings (the gradient is stored, so rounded to
 * its dtype, before the product is).
 * @module
 */
import type { TypedArray } from '../dtype.js';
import { type SoftmaxScratch, sparseRowGrad, sparseRowLoss, sparseRowLossAndGrad } from '../ops/_cross-entropy.js';

/**
 * Computes rows `start .. end-1` of logits `z` (`[rows, k]`) against `labels`.
 * @example
 * ```ts
 * sparseRows(z, labels, loss, grad, 0, rows, k, softmaxScratch(k), null);
 * ```
 */
export function sparseRows(
  z: TypedArray, labels: ArrayLike<number>, loss: TypedArray | undefined, grad: TypedArray | undefined,
  start: number, end: number, k: number, scratch: SoftmaxScratch, scale: number | null,
): void {
  for (let r = start; r < end; r++) {
    const label = labels[r]!;
    const offset = r * k;
    if (grad === undefined) loss![r] = sparseRowLoss(z, offset, k, label);
    else if (loss === undefined) sparseRowGrad(z, grad, offset, k, label, scratch);
    else loss[r] = sparseRowLossAndGrad(z, grad, offset, k, label, scratch);
    if (grad !== undefined && scale !== null) for (let i = offset; i < offset + k; i++) grad[i] = grad[i]! * scale;
  }
}
