/**
 * `logSoftmax(x, axis)` = log(softmax(x)), computed as
 * `(x - m) - log1p(sum of exp(x_i - m) over i != argmax)` with m the lane's max: finite for every
 * finite input (no log(0)), and accurate to the last digits even when one class dominates.
 * @module
 */
import { apply } from '../apply.js';
import { allocate, requireFloat } from '../dtype.js';
import type { Node } from '../node.js';
import { type BigMath, defineOp, type RefTensor } from '../op.js';
import { normalizeAxis } from '../shape.js';
import { checkAxis, forEachLane } from './_rules.js';
import { lanesOf, refMax } from './softmax.js';
import { sum } from './sum.js';

export const logSoftmaxOp = defineOp<{ axis: number }>({
  name: 'logSoftmax',
  arity: 1,
  attrs: { axis: 'int' },
  infer: ([x], { axis }) => {
    requireFloat(x!.dtype, 'logSoftmax');
    checkAxis(axis, x!.shape.length);
    return { shape: x!.shape, dtype: x!.dtype };
  },
  kernel: ([x], { axis }, out) => {
    const data = x!.data;
    const n = x!.shape[axis]!;
    const y = allocate(out.dtype, data.length);
    forEachLane(x!.shape, axis, (offset, stride) => {
      let m = -Infinity;
      let arg = -1;
      for (let i = 0; i < n; i++) {
        const v = data[offset + i * stride]!;
        if (v > m || (v !== v && m === m)) {
          m = v;
          arg = i;
        }
      }
      // Every term but the max's is in (0, 1]; log1p keeps the digits of a small sum.
      let rest = 0;
      for (let i = 0; i < n; i++) if (i !== arg) rest += Math.exp(data[offset + i * stride]! - m);
      const l = Math.log1p(rest);
      for (let i = 0; i < n; i++) y[offset + i * stride] = data[offset + i * stride]! - m - l;
    });
    return y;
  },
  reference: <T>([x]: readonly RefTensor<T>[], { axis }: { axis: number }, M: BigMath<T>) => {
    const y = new Array<T>(x!.data.length);
    const { lanes, positions } = lanesOf(x!, axis);
    lanes.forEach((lane, l) => {
      const nan = lane.some((v) => M.isNaN(v));
      const m = refMax(lane, M);
      const s = lane.reduce((a, v) => M.add(a, M.exp(M.sub(v, m))), M.fromNumber(0));
      const logS = M.log(s);
      positions[l]!.forEach((p, i) => (y[p] = nan ? M.fromNumber(NaN) : M.sub(M.sub(lane[i]!, m), logS)));
    });
    return y;
  },
  // d logSoftmax(x) = dx - sum(softmax(x) dx): ct -> ct - exp(out) * sum(ct)
  vjp: ({ output, attrs, cotangent }) => [
    cotangent.sub(output.exp().mul(sum(cotangent, { axis: attrs.axis, keepDims: true }))),
  ],
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
