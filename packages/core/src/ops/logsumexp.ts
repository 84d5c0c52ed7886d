/**
 * `logsumexp(x, { axis, keepDims })` = log(sum(exp(x))) over axes, computed stably as
 * `m + log1p(sum of exp(x_i - m) over i != argmax)` with m the max: no overflow for any finite
 * input, and full relative accuracy when one term dominates. A lane that is all -Infinity gives
 * -Infinity; one holding +Infinity gives +Infinity; NaN propagates.
 * @module
 */
import { apply } from '../apply.js';
import { requireFloat } from '../dtype.js';
import type { Node, ReduceOptions } from '../node.js';
import { type BigMath, defineOp, type RefTensor } from '../op.js';
import { normalizeAxes } from '../shape.js';
import { reductionIndex } from '../kernels/indexing.js';
import { checkAxes, reducedShape } from './_rules.js';
import { unreduce } from './_unbroadcast.js';
import { log1pReference } from './log1p.js';
import { max } from './max.js';
import { softmax } from './softmax.js';
import { sum } from './sum.js';

export const logsumexpOp = defineOp<{ axes: readonly number[]; keepDims: boolean }>({
  name: 'logsumexp',
  traits: ['reduction', 'stable'],
  arity: 1,
  attrs: { axes: 'ints', keepDims: 'bool' },
  infer: ([x], { axes, keepDims }) => {
    requireFloat(x!.dtype, 'logsumexp');
    checkAxes(axes, x!.shape.length);
    return { shape: reducedShape(x!.shape, axes, keepDims), dtype: x!.dtype };
  },
  kernel: ([x], { axes }, out) => {
    const { map, outSize } = reductionIndex(x!.shape, axes);
    const data = x!.data;
    const m = new Float64Array(outSize).fill(-Infinity);
    const arg = new Int32Array(outSize).fill(-1);
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      const j = map[i]!;
      if (v > m[j]! || (v !== v && m[j] === m[j])) {
        m[j] = v;
        arg[j] = i;
      }
    }
    // Sum of the terms other than the max, each in (0, 1].
    const rest = new Float64Array(outSize);
    for (let i = 0; i < data.length; i++) {
      const j = map[i]!;
      if (i !== arg[j]) rest[j]! += Math.exp(data[i]! - m[j]!);
    }
    const y = out.data;
    for (let j = 0; j < outSize; j++) {
      const mj = m[j]!;
      y[j] = Number.isFinite(mj) ? mj + Math.log1p(rest[j]!) : mj;
    }
  },
  reference: <T>([x]: readonly RefTensor<T>[], { axes }: { axes: readonly number[] }, M: BigMath<T>) => {
    const { map, outSize } = reductionIndex(x!.shape, axes);
    const lanes = Array.from({ length: outSize }, (): T[] => []);
    x!.data.forEach((v, i) => lanes[map[i]!]!.push(v));
    const inf = M.fromNumber(Infinity);
    return lanes.map((lane) => {
      const nan = lane.find((v) => M.isNaN(v));
      if (nan !== undefined) return nan;
      const m = lane.reduce((a, v) => (M.cmp(v, a) > 0 ? v : a), M.neg(inf));
      if (M.cmp(M.abs(m), inf) === 0) return m;
      // m + log1p(other terms): log(1 + tiny) at the reference precision keeps too few digits.
      const arg = lane.findIndex((v) => M.cmp(v, m) === 0);
      const rest = lane.reduce((acc, v, i) => (i === arg ? acc : M.add(acc, M.exp(M.sub(v, m)))), M.fromNumber(0));
      return M.add(m, log1pReference(rest, M));
    });
  },
  // d lse(x) = sum(softmax(x) dx). Not exp(x - lse(x)): at x = [1e300] * 4, lse rounds to 1e300
  // and that would give 1 per element instead of 1/4.
  vjp: ({ inputs, attrs, cotangent }) => {
    const x = inputs[0]!;
    return [unreduce(cotangent, x, attrs.axes, attrs.keepDims).mul(softmaxOver(x, attrs.axes))];
  },
  dot: ({ axes }) => `logsumexp ${JSON.stringify(axes)}`,
});

/**
 * log(sum(exp(x))) over `axis` (a number or list; all axes by default), without overflow.
 * @example
 * ```ts
 * logsumexp(logits, { axis: -1 }); // log of the softmax normaliser, per row
 * ```
 */
export function logsumexp(x: Node, options: ReduceOptions = {}): Node {
  const axes = normalizeAxes(options.axis, x.shape.length, `logsumexp '${x.path}'`);
  return apply(logsumexpOp, [x], { axes, keepDims: options.keepDims ?? false });
}

/** Softmax over one or several axes, shifted by the max so it never overflows. */
function softmaxOver(x: Node, axes: readonly number[]): Node {
  if (axes.length === 1) return softmax(x, axes[0]!);
  const e = x.sub(max(x, { axis: axes, keepDims: true })).exp();
  return e.div(sum(e, { axis: axes, keepDims: true }));
}
