/**
 * `max(x, { axis, keepDims })`: largest element over axes (all by default). NaN propagates;
 * the max over zero elements is -Infinity. Also holds the helpers `min` shares.
 * @module
 */
import { apply } from '../apply.js';
import type { Node, ReduceOptions } from '../node.js';
import { type BigMath, defineOp, type RefTensor, type TypeInfo } from '../op.js';
import { normalizeAxes } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { reductionIndex } from '../kernels/indexing.js';
import { checkAxes, differentiable, reducedShape } from './_rules.js';
import { unreduce } from './_unbroadcast.js';
import { sum } from './sum.js';

type ReduceAttrs = { axes: readonly number[]; keepDims: boolean };

/** Shape rule of max and min: any dtype. */
export function extremumInfer([x]: readonly TypeInfo[], { axes, keepDims }: ReduceAttrs): TypeInfo {
  checkAxes(axes, x!.shape.length);
  return { shape: reducedShape(x!.shape, axes, keepDims), dtype: x!.dtype };
}

/** Kernel of max (`sign` 1) or min (`sign` -1): NaN wins, then the extreme value. */
export function extremumKernel(sign: 1 | -1) {
  return ([x]: readonly Tensor[], { axes }: ReduceAttrs, out: Tensor): void => {
    const { map, outSize } = reductionIndex(x!.shape, axes);
    const acc = new Float64Array(outSize).fill(-sign * Infinity);
    const data = x!.data;
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      const j = map[i]!;
      // Once acc is NaN no comparison is true, so it stays NaN.
      if (sign * v > sign * acc[j]! || v !== v) acc[j] = v;
    }
    out.data.set(acc);
  };
}

/** Reference of max (`sign` 1) or min (`sign` -1). */
export function extremumReference(sign: 1 | -1) {
  return <T>([x]: readonly RefTensor<T>[], { axes }: ReduceAttrs, M: BigMath<T>): T[] => {
    const { map, outSize } = reductionIndex(x!.shape, axes);
    const acc = Array.from({ length: outSize }, () => M.fromNumber(-sign * Infinity));
    x!.data.forEach((v, i) => {
      const j = map[i]!;
      const a = acc[j]!;
      if (M.isNaN(a)) return;
      if (M.isNaN(v) || sign * M.cmp(v, a) > 0) acc[j] = v;
    });
    return acc;
  };
}

/** VJP of max and min: the cotangent goes to the elements equal to the result, split among ties. */
export function extremumVjp({ inputs, output, attrs, cotangent }: { inputs: readonly Node[]; output: Node; attrs: ReduceAttrs; cotangent: Node }): (Node | null)[] {
  const x = inputs[0]!;
  if (!differentiable(x)) return [null];
  const { axes, keepDims } = attrs;
  const mask = x.equal(unreduce(output, x, axes, keepDims)).cast(x.dtype);
  const ties = sum(mask, { axis: axes, keepDims });
  return [unreduce(cotangent.div(ties), x, axes, keepDims).mul(mask)];
}

export const maxOp = defineOp<ReduceAttrs>({
  name: 'max',
  traits: ['reduction'],
  arity: 1,
  attrs: { axes: 'ints', keepDims: 'bool' },
  infer: extremumInfer,
  kernel: extremumKernel(1),
  reference: extremumReference(1),
  // d max(x) = dx[argmax]; with k tied maxima each gets 1/k of the cotangent
  vjp: extremumVjp,
  dot: ({ axes }) => `max ${JSON.stringify(axes)}`,
});

/**
 * Largest element over `axis` (a number or list; all axes by default). NaN propagates.
 * @example
 * ```ts
 * x.max({ axis: -1, keepDims: true }); // row maxima
 * ```
 */
export function max(x: Node, options: ReduceOptions = {}): Node {
  const axes = normalizeAxes(options.axis, x.shape.length, `max '${x.path}'`);
  return apply(maxOp, [x], { axes, keepDims: options.keepDims ?? false });
}
