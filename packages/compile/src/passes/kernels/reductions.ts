/**
 * Reductions (sum, mean, sumTo, the gradient of a broadcast, and variance) by core's precomputed
 * index maps: the map from each input element to its output element is made once per plan, so a
 * run adds through it (`reduceInto`, float64 sums as the interpreter's kernels) with no index
 * arithmetic.
 * @module
 */
import type { Node, TypedArray } from '@stablegrad/core';
import { broadcastIndex, reduceInto, reductionIndex, varianceInto } from '@stablegrad/core/kernels';
import { op, P, v } from '@stablegrad/rewrite';
import { type BuiltStep, type KernelContext, specialKernel, writesItself } from './kernel.js';

/** sum and mean over axes through a precomputed reduction map. */
export const sumOrMean = specialKernel({
  name: 'sum-or-mean',
  doc: 'sum or mean over axes, adding through a reduction index map made once per plan',
  pattern: op(['sum', 'mean'], [v('x')]),
  plan: (m, i, ctx) => writesItself(i, (out) => reduceStep(m.$root, i, ctx, out)),
});

/** sumTo(g, like) through a precomputed broadcast map. */
export const sumTo = specialKernel({
  name: 'sum-to',
  doc: "sumTo(g, like) adds g into like's shape through a broadcast index map made once per plan",
  pattern: P.sumTo(v('g'), v('like')),
  plan: (m, i, ctx) => writesItself(i, (out) => reduceStep(m.$root, i, ctx, out)),
});

/** variance over axes through a precomputed reduction map: core's two-pass compensated loop. */
export const variance = specialKernel({
  name: 'variance',
  doc: "variance over axes by core's two-pass compensated loop, through a reduction index map made once per plan",
  pattern: P.variance(v('x')),
  plan: (m, i, ctx) => writesItself(i, (out) => {
    const x = ctx.schedule.at(m.$root.inputs[0]!);
    const { map, groupSize } = reductionIndex(ctx.schedule.shapes[x]!, m.$root.attrs.axes as readonly number[]);
    return { step: (values) => { varianceInto(values[x]!, map, groupSize, out); values[i] = out; } };
  }),
});

function reduceStep(node: Node, i: number, ctx: KernelContext, out: TypedArray): BuiltStep {
  const s = ctx.schedule;
  const x = s.at(node.inputs[0]!);
  const inShape = s.shapes[x]!;
  // The same index maps as core's kernels: sumTo(g, like) adds g into like's broadcast layout.
  const { map, groupSize } = node.op === 'sumTo'
    ? { map: broadcastIndex(s.shapes[s.at(node.inputs[1]!)]!, inShape), groupSize: 1 }
    : reductionIndex(inShape, node.attrs.axes as readonly number[]);
  const acc = new Float64Array(out.length);
  const divisor = node.op === 'mean' ? groupSize : 1;
  return {
    step: (values) => {
      reduceInto(values[x]!, map, acc, out, divisor);
      values[i] = out;
    },
  };
}
