/**
 * `softmax(x, axis)` = exp(x - m) / sum(exp(x - m)) along one axis, with m the lane's max, so
 * no exponential overflows for finite inputs. Lanes holding NaN or +Infinity, or all -Infinity,
 * give NaN. For log-probabilities use `logSoftmax`, which never takes log(0).
 * @module
 */
import { apply } from '../apply.js';
import type { Node } from '../node.js';
import { type BigMath, defineOp, type RefTensor } from '../op.js';
import { normalizeAxis } from '../shape.js';
import { loadRow, softmaxScratch } from './_cross-entropy.js';
import { forEachLane } from '../kernels/indexing.js';
import { floatAlongAxis, lanesOf } from './_rules.js';
import { sum } from './sum.js';

/** Maximum of a lane; NaN when the lane holds a NaN. */
export function laneMax(data: ArrayLike<number>, offset: number, stride: number, n: number): number {
  let m = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = data[offset + i * stride]!;
    if (v > m || v !== v) m = v;
  }
  return m;
}

/** Maximum of a lane in exact arithmetic (-Infinity when empty; assumes no NaN). */
export function refMax<T>(lane: readonly T[], M: BigMath<T>): T {
  return lane.reduce((a, v) => (M.cmp(v, a) > 0 ? v : a), M.fromNumber(-Infinity));
}

export const softmaxOp = defineOp<{ axis: number }>({
  name: 'softmax',
  arity: 1,
  attrs: { axis: 'int' },
  infer: floatAlongAxis('softmax'),
  // p_i = e^(z_i - m) / (1 + T) with z_i - m kept exactly (TwoSum), so the error does not
  // grow with the spread of the logits; T = sum of the non-max terms, compensated.
  kernel: ([x], { axis }, out) => {
    const data = x!.data;
    const n = x!.shape[axis]!;
    const y = out.data;
    const scratch = softmaxScratch(n);
    forEachLane(x!.shape, axis, (offset, stride) => {
      const row = loadRow(data, offset, stride, n, scratch);
      const denominator = 1 + row.tHi + row.tLo;
      for (let i = 0; i < n; i++) y[offset + i * stride] = scratch.e[i]! / denominator;
    });
  },
  reference: <T>([x]: readonly RefTensor<T>[], { axis }: { axis: number }, M: BigMath<T>) => {
    const y = new Array<T>(x!.data.length);
    const { lanes, positions } = lanesOf(x!, axis);
    lanes.forEach((lane, l) => {
      const nan = lane.some((v) => M.isNaN(v));
      const m = refMax(lane, M);
      const e = lane.map((v) => M.exp(M.sub(v, m)));
      const s = e.reduce((a, v) => M.add(a, v), M.fromNumber(0));
      positions[l]!.forEach((p, i) => (y[p] = nan ? M.fromNumber(NaN) : M.div(e[i]!, s)));
    });
    return y;
  },
  // d softmax(x) = p * (dx - sum(p dx)), self-adjoint: ct -> p * (ct - sum(ct p))
  vjp: ({ output, attrs, cotangent }) => [
    output.mul(cotangent.sub(sum(cotangent.mul(output), { axis: attrs.axis, keepDims: true }))),
  ],
  dot: ({ axis }) => `softmax ${axis}`,
});

/**
 * Softmax along `axis` (default the last): non-negative values summing to 1 per lane.
 * @example
 * ```ts
 * const probs = logits.softmax(); // or softmax(logits, -1)
 * ```
 */
export function softmax(x: Node, axis = -1): Node {
  return apply(softmaxOp, [x], { axis: normalizeAxis(axis, x.shape.length, `softmax '${x.path}'`) });
}
