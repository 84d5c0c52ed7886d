/**
 * `logSoftmax(x, axis)` = log(softmax(x)), computed as
 * `(x - m) - log1p(sum of exp(x_i - m) over i != argmax)` with m the lane's max: finite for every
 * finite input (no log(0)), and accurate to the last digits even when one class dominates.
 * @module
 */
import { apply } from '../apply.js';
import type { Node } from '../node.js';
import { type BigMath, defineOp, type RefTensor } from '../op.js';
import { normalizeAxis } from '../shape.js';
import { log1pOfTail, loadRow, softmaxScratch } from './_cross-entropy.js';
import { forEachLane } from '../kernels/indexing.js';
import { floatAlongAxis, lanesOf } from './_rules.js';
import { log1pReference } from './log1p.js';
import { refMax } from './softmax.js';
import { softmaxCrossEntropyGrad } from './softmax-cross-entropy-grad.js';

export const logSoftmaxOp = defineOp<{ axis: number }>({
  name: 'logSoftmax',
  traits: ['logarithm', 'stable'],
  arity: 1,
  attrs: { axis: 'int' },
  infer: floatAlongAxis('logSoftmax'),
  // log p_i = -((m - z_i) + log1p(T)), with m - z_i = hi + lo exact (TwoSum) and T, the sum of
  // the non-max terms, compensated: finite for every finite input, error independent of spread.
  kernel: ([x], { axis }, out) => {
    const data = x!.data;
    const n = x!.shape[axis]!;
    const y = out.data;
    const scratch = softmaxScratch(n);
    forEachLane(x!.shape, axis, (offset, stride) => {
      const row = loadRow(data, offset, stride, n, scratch);
      const l = log1pOfTail(row);
      // 0 - x rather than -x: log 1 is +0.
      for (let i = 0; i < n; i++) y[offset + i * stride] = 0 - (scratch.negHi[i]! + (scratch.negLo[i]! + l));
    });
  },
  reference: <T>([x]: readonly RefTensor<T>[], { axis }: { axis: number }, M: BigMath<T>) => {
    const y = new Array<T>(x!.data.length);
    const { lanes, positions } = lanesOf(x!, axis);
    lanes.forEach((lane, l) => {
      const nan = lane.some((v) => M.isNaN(v));
      const m = refMax(lane, M);
      // log1p of the other terms' sum: log(1 + tiny) at the reference precision would be 0.
      const arg = lane.findIndex((v) => M.cmp(v, m) === 0);
      const rest = lane.reduce((a, v, i) => (i === arg ? a : M.add(a, M.exp(M.sub(v, m)))), M.fromNumber(0));
      const logS = log1pReference(rest, M);
      positions[l]!.forEach((p, i) => (y[p] = nan ? M.fromNumber(NaN) : M.sub(M.sub(lane[i]!, m), logS)));
    });
    return y;
  },
  // d logSoftmax(x) = dx - sum(softmax(x) dx): ct -> ct - softmax(x) sum(ct), which is
  // softmaxCrossEntropyGrad(x, -ct) = softmax(x) sum(-ct) + ct: the fused op keeps the digits
  // where softmax(x) sum(ct) is close to ct (ties, a dominant class), which the plain
  // difference cancels away.
  vjp: ({ inputs, attrs, cotangent }) => [softmaxCrossEntropyGrad(inputs[0]!, cotangent.neg(), attrs.axis)],
  dot: ({ axis }) => `logSoftmax ${axis}`,
});

/**
 * Log of the softmax along `axis` (default the last), finite for every finite input.
 * @example
 * ```ts
 * const logProbs = logits.logSoftmax(); // [1000, 0, -1000] -> [0, -1000, -2000]
 * ```
 */
export function logSoftmax(x: Node, axis = -1): Node {
  return apply(logSoftmaxOp, [x], { axis: normalizeAxis(axis, x.shape.length, `logSoftmax '${x.path}'`) });
}
