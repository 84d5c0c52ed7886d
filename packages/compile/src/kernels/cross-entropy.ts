/**
 * The fused sparse softmax cross-entropy and its gradient, writing into preallocated buffers
 * with core's own row kernels (same bits as the interpreter). When a plan needs both the loss
 * and the gradient of the same logits and labels, one pass computes both: one exp per logit.
 * @module
 */
import { checkLabels, type Node, softmaxScratch, sparseRowGrad, sparseRowLoss, sparseRowLossAndGrad, type TypedArray } from '@stablegrad/core';

/**
 * Runs the loss (into `loss`, `[rows]`) and/or the gradient (into `grad`, `[rows, k]`) of
 * `rows` rows of k logits against int32 labels. A label outside [0, k) is core's ValueError,
 * naming `node`.
 * @example
 * ```ts
 * const run = sparseCrossEntropy(32, 10, node);
 * run(z, labels, lossBuffer, gradBuffer);
 * ```
 */
export function sparseCrossEntropy(rows: number, k: number, node: Node): (z: TypedArray, labels: TypedArray, loss?: TypedArray, grad?: TypedArray) => void {
  const scratch = softmaxScratch(k);
  const labelTensor = { dtype: 'int32' as const, shape: [rows], data: new Int32Array(0) as TypedArray };
  return (z, labels, loss, grad) => {
    labelTensor.data = labels;
    checkLabels(labelTensor, k, node);
    for (let r = 0; r < rows; r++) {
      const label = labels[r]!;
      if (loss !== undefined && grad !== undefined) loss[r] = sparseRowLossAndGrad(z, grad, r * k, k, label, scratch);
      else if (loss !== undefined) loss[r] = sparseRowLoss(z, r * k, k, label);
      else sparseRowGrad(z, grad!, r * k, k, label, scratch);
    }
  };
}
